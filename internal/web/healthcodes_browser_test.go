package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"cordon"
	"cordon/internal/api"
	"cordon/internal/app"
	"cordon/internal/apptest"
)

// codeBrowser is a headless Chromium on the pages and the published keys,
// as the outer server mounts them; while down is set every request is
// dropped unanswered, as by a server that cannot be reached.
type codeBrowser struct {
	ctx      context.Context
	url      string
	problems func() []string
	down     atomic.Bool
}

func openCodeBrowser(t *testing.T, e *codeEnv) *codeBrowser {
	t.Helper()
	chromium := apptest.Chromium(t)
	for _, lib := range []string{"vendor/idb-keyval.min.js", "vendor/zxing.min.js"} {
		if _, ok := e.assetsHave(lib); !ok {
			t.Fatalf("%s is not bundled: run scripts/assets.sh", lib)
		}
	}
	cb := &codeBrowser{}
	keys := api.New(e.app, slog.New(slog.DiscardHandler))
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if cb.down.Load() {
			if hj, ok := w.(http.Hijacker); ok {
				if c, _, err := hj.Hijack(); err == nil {
					c.Close()
					return
				}
			}
			http.Error(w, "down", http.StatusBadGateway)
			return
		}
		if r.URL.Path == keysPath {
			keys.ServeHTTP(w, r)
			return
		}
		e.srv.Config.Handler.ServeHTTP(w, r)
	})
	cb.ctx, cb.url, cb.problems = startBrowser(t, chromium, h)
	return cb
}

// offline cuts the browser's network (and the server) or restores it.
func (cb *codeBrowser) offline(t *testing.T, off bool) {
	t.Helper()
	cb.down.Store(off)
	if _, err := chromedp.Call(cb.ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(cb.ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: off, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
		t.Fatal(err)
	}
	var rules []*network.Conditions
	if off {
		rules = append(rules, &network.Conditions{Offline: true, DownloadThroughput: -1, UploadThroughput: -1})
	}
	if _, err := chromedp.Call(cb.ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: rules}); err != nil {
		t.Fatal(err)
	}
}

func (cb *codeBrowser) signIn(t *testing.T, username, next string) {
	t.Helper()
	err := chromedp.Do(cb.ctx,
		chromedp.Navigate(cb.url+"/login?next="+url.QueryEscape(next)),
		chromedp.SendKeys("#username", username),
		chromedp.SendKeys("#password", password),
		chromedp.Submit("#password"),
		chromedp.WaitVisible("#main"),
	)
	if err != nil {
		t.Fatal(err)
	}
}

// checkProblems fails on console errors other than the requests an
// outage failed.
func (cb *codeBrowser) checkProblems(t *testing.T) {
	t.Helper()
	for _, p := range cb.problems() {
		if !strings.Contains(p, "ERR_INTERNET_DISCONNECTED") && !strings.Contains(p, "Failed to fetch") && !strings.Contains(p, "Failed to load resource") {
			t.Errorf("browser console: %s", p)
		}
	}
}

// TestOwnCodeInBrowser opens a person's own code on a phone-sized screen:
// identity number and phone, then the QR code, which the page's script
// replaces with a fresh token on "refresh" without leaving the page.
func TestOwnCodeInBrowser(t *testing.T) {
	e := newCodeEnv(t)
	cb := openCodeBrowser(t, e)
	err := chromedp.Do(cb.ctx,
		chromedp.EmulateViewport(360, 640, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Navigate(cb.url+"/me"),
		chromedp.WaitVisible("#id_number"),
		chromedp.SendKeys("#id_number", e.person.IDNumber),
		chromedp.SendKeys("#phone", e.phone),
		chromedp.Click("#owncode-open button[type=submit]"),
		chromedp.WaitVisible("#code-qr"),
	)
	if err != nil {
		t.Fatal(err)
	}
	text := waitText(t, cb.ctx, "#own-code", 5*time.Second, contains("绿码"))
	if !strings.Contains(text, "黄*华") || strings.Contains(text, "黄文华") {
		t.Errorf("the code page shows: %s", text)
	}
	shown, err := chromedp.Run(cb.ctx, chromedp.Evaluate[bool](`(function () {
		var img = document.getElementById("code-qr");
		return img.complete && img.naturalWidth > 200 && img.getBoundingClientRect().width > 200;
	})()`))
	if err != nil || !shown {
		t.Errorf("the QR image is not drawn (%v)", err)
	}
	if wide, _ := chromedp.Run(cb.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); wide {
		t.Error("the code page is wider than the phone")
	}
	tokenNow := func() string {
		tok, err := chromedp.Run(cb.ctx, chromedp.Evaluate[string](`document.getElementById("code-frame").getAttribute("data-token") + " " + document.getElementById("code-qr").src.length`))
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	first := tokenNow()
	if v := e.verified(strings.Fields(first)[0]); !v.Valid || v.PersonID != e.person.ID {
		t.Fatalf("the page's token: %+v", v)
	}
	if err := chromedp.Do(cb.ctx, chromedp.Click("#code-refresh")); err != nil {
		t.Fatal(err)
	}
	var next string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if next = tokenNow(); strings.Fields(next)[0] != strings.Fields(first)[0] {
			break
		}
	}
	if strings.Fields(next)[0] == strings.Fields(first)[0] {
		t.Fatal("refresh did not bring a new token")
	}
	if loc, _ := chromedp.Run(cb.ctx, chromedp.Location()); !strings.HasSuffix(loc, "/me/code") {
		t.Errorf("refreshing left the page for %s", loc)
	}
	if v := e.verified(strings.Fields(next)[0]); !v.Valid || v.PersonID != e.person.ID {
		t.Errorf("the refreshed token: %+v", v)
	}
	cb.checkProblems(t)
}

// TestVerifyOfflineInBrowser loads the verifier, cuts the network and
// verifies tokens in the browser alone: a real one is valid with its
// colour, an altered one forged.
func TestVerifyOfflineInBrowser(t *testing.T) {
	e := newCodeEnv(t)
	e.yellow()
	cb := openCodeBrowser(t, e)
	cb.signIn(t, "officer", "/verify")
	if err := chromedp.Do(cb.ctx, chromedp.WaitVisible("#token")); err != nil {
		t.Fatal(err)
	}
	waitText(t, cb.ctx, "#verify-keys", 10*time.Second, contains("已取得 1 个公钥"))
	token := e.token()
	forged := altered(e.token(), 60)

	cb.offline(t, true)
	verify := func(tok string) string {
		t.Helper()
		clearField(t, cb.ctx, "token")
		if err := chromedp.Do(cb.ctx, chromedp.SendKeys("#token", tok), chromedp.Click("#verifier button[type=submit]")); err != nil {
			t.Fatal(err)
		}
		return waitText(t, cb.ctx, "#verify-result", 10*time.Second, contains("离线核验"))
	}
	got := verify(token)
	if !strings.Contains(got, "有效") || !strings.Contains(got, "黄码") {
		t.Errorf("a real token offline: %s", got)
	}
	got = verify(forged)
	if !strings.Contains(got, "伪造或被篡改") || strings.Contains(got, "有效") || strings.Contains(got, "黄码") {
		t.Errorf("an altered token offline: %s", got)
	}
	// A reload without network is impossible, but a new page load later
	// starts from the kept keys even when the keys cannot be fetched.
	cb.offline(t, false)
	if err := chromedp.Do(cb.ctx, chromedp.Reload(), chromedp.WaitVisible("#token")); err != nil {
		t.Fatal(err)
	}
	waitText(t, cb.ctx, "#verify-keys", 10*time.Second, contains("公钥"))
	// Online, the server answers: today's colour and the masked name.
	got = verify2(t, cb, e.token())
	if !strings.Contains(got, "联网核验") || !strings.Contains(got, "黄*华") || !strings.Contains(got, "B6") {
		t.Errorf("a token online: %s", got)
	}
	cb.checkProblems(t)
}

// verify2 verifies a token on the verifier page with the network up.
func verify2(t *testing.T, cb *codeBrowser, tok string) string {
	t.Helper()
	clearField(t, cb.ctx, "token")
	if err := chromedp.Do(cb.ctx, chromedp.SendKeys("#token", tok), chromedp.Click("#verifier button[type=submit]")); err != nil {
		t.Fatal(err)
	}
	return waitText(t, cb.ctx, "#verify-result", 10*time.Second, contains("联网核验"))
}

// TestCheckOfflineInBrowser runs the three-code check with the server
// unreachable: the token's signature is checked on the phone, the check
// waits in the queue, and once the network is back it reaches the server
// and the scan-in exists, at the time of the scan.
func TestCheckOfflineInBrowser(t *testing.T) {
	e := newCodeEnv(t)
	cb := openCodeBrowser(t, e)
	cb.signIn(t, "officer", "/check")
	// Choose the venue from the list; the phone remembers it.
	// Choosing from the list sends the choice at once (data-autosubmit).
	err := chromedp.Do(cb.ctx,
		chromedp.WaitVisible("#venue-pick"),
		chromedp.SetValue("#venue-pick", e.venue.Code),
		chromedp.WaitVisible("#check-sync"),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitText(t, cb.ctx, "#check-venue", 5*time.Second, contains(e.venue.Name))
	waitText(t, cb.ctx, "#check-queue", 5*time.Second, contains("全部已发送"))
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if ok, _ := chromedp.Run(cb.ctx, chromedp.Evaluate[bool](`!!localStorage.getItem("cordon.codekeys")`)); ok {
			break
		}
	}
	// The next visit reopens the venue by itself.
	if err := chromedp.Do(cb.ctx, chromedp.Navigate(cb.url+"/check"), chromedp.WaitVisible("#check-sync")); err != nil {
		t.Fatal(err)
	}

	cb.offline(t, true)
	token := e.token()
	before := time.Now().Add(-time.Second)
	if err := chromedp.Do(cb.ctx, chromedp.SendKeys("#code", token), chromedp.Click("#check button[type=submit]")); err != nil {
		t.Fatal(err)
	}
	got := waitText(t, cb.ctx, "#check-result", 10*time.Second, contains("离线核验"))
	if !strings.Contains(got, "有效") || !strings.Contains(got, "绿码") || !strings.Contains(got, "已存入待发送") {
		t.Errorf("the offline check: %s", got)
	}
	waitText(t, cb.ctx, "#check-queue", 5*time.Second, contains("1 条待发送"))
	time.Sleep(time.Second) // a sender that ignored the outage would have tried by now
	if n := len(e.scansOf(e.person.ID)); n != 0 {
		t.Fatalf("%d scan-ins reached the server while it was down", n)
	}

	cb.offline(t, false)
	waitText(t, cb.ctx, "#check-queue", 30*time.Second, contains("全部已发送"))
	visits, err := e.app.Itinerary(context.Background(), app.System, e.person.ID, before.Add(-time.Hour), time.Now().Add(time.Minute))
	if err != nil || len(visits) != 1 || visits[0].VenueID != e.venue.ID || visits[0].Source != cordon.ScanReverse ||
		visits[0].At.Before(before.Truncate(time.Second)) || visits[0].At.After(time.Now()) {
		t.Fatalf("the queued check on the server: %+v %v", visits, err)
	}

	// Online, a check answers at once with the itinerary card.
	if err := chromedp.Do(cb.ctx, chromedp.SendKeys("#code", e.person.IDNumber), chromedp.Click("#check button[type=submit]")); err != nil {
		t.Fatal(err)
	}
	got = waitText(t, cb.ctx, "#check-result", 10*time.Second, contains("联网核验"))
	for _, want := range []string{"绿码", "近 14 天途经地", "德保县", "已在 " + e.venue.Name + " 登记"} {
		if !strings.Contains(got, want) {
			t.Errorf("the online check lacks %q: %s", want, got)
		}
	}
	cb.checkProblems(t)
}

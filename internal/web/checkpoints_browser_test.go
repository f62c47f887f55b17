package web

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"cordon"
	"cordon/internal/app"
)

// checkpoint registers a checkpoint in Debao, with its direction labels.
func (e *testingEnv) checkpoint(name string, staff []string, opens, closes string) cordon.Checkpoint {
	e.t.Helper()
	cp, err := e.app.CreateCheckpoint(context.Background(), app.System, cordon.CheckpointInput{Name: name, Kind: cordon.CheckpointRoad,
		Jurisdiction: "451024", Location: "G324 国道 K12", InLabel: "进德保", OutLabel: "出德保", Staff: staff, Opens: opens, Closes: closes})
	if err != nil {
		e.t.Fatal(err)
	}
	return cp
}

// passages lists today's passages of a checkpoint on the server.
func (e *testingEnv) passages(id int64) []cordon.Passage {
	e.t.Helper()
	ps, err := e.app.CheckpointPassages(context.Background(), app.System, id, "", 100)
	if err != nil {
		e.t.Fatal(err)
	}
	return ps
}

func passPath(id int64) string { return "/checkpoints/" + itoa(id) + "/pass" }

// Staff and hours warn and never refuse: an officer not on the staff list,
// or a passage outside the hours, is recorded all the same, with a warning
// on the page; an officer on the list within the hours sees none. The form
// keeps the direction and the plate for the next traveller, and a form
// posted twice (its key) is one passage.
func TestPassageStaffAndHours(t *testing.T) {
	e := newTestingEnv(t)
	e.account("naja", cordon.RoleCheckpoint, "451024")
	e.account("relief", cordon.RoleCheckpoint, "451024")
	p := e.visitor("黄通行", 400, "13977004000")
	now := time.Now().In(chinaTime)
	clock := func(d time.Duration) string { return now.Add(d).Format("15:04") }
	open := e.checkpoint("那甲卡点", []string{"naja"}, clock(-time.Hour), clock(time.Hour))
	shut := e.checkpoint("夜班卡点", []string{"naja"}, clock(2*time.Hour), clock(3*time.Hour))
	const offHours, offStaff = "现在不在本卡点值守时间内", "你不在本卡点值守名单中"

	naja := e.signedIn("naja")
	r := naja.get(passPath(open.ID))
	must(t, r, http.StatusOK, "那甲卡点", "进德保", `id="pass-counts"`)
	if strings.Contains(r.body, offHours) || strings.Contains(r.body, offStaff) {
		t.Errorf("an officer on the list within the hours is warned:\n%s", r.body)
	}
	must(t, naja.get(passPath(shut.ID)), http.StatusOK, offHours)
	r = naja.post(passPath(shut.ID), url.Values{"direction": {"out"}, "code": {p.IDNumber}, "plate": {"桂L 12345"}, "key": {"form-1"}})
	must(t, r, http.StatusOK, offHours, "通行已登记 · 桂L12345", `name="plate" value="桂L12345"`, `value="out" checked`)
	if strings.Contains(r.body, `value="form-1"`) {
		t.Error("the next traveller's form carries the key already used")
	}
	// The same form posted again (a reload, a second tap) is one passage.
	must(t, naja.post(passPath(shut.ID), url.Values{"direction": {"out"}, "code": {p.IDNumber}, "plate": {"桂L12345"}, "key": {"form-1"}}), http.StatusOK)
	if ps := e.passages(shut.ID); len(ps) != 1 || ps[0].Direction != cordon.DirectionOut || ps[0].Plate != "桂L12345" || ps[0].RecordedBy != "naja" {
		t.Errorf("outside the hours, the passages stored: %+v", ps)
	}

	// Hours that run across midnight (at most times of day one of each pair
	// does): 23 hours that hold now, and 22 that do not.
	for _, c := range []struct {
		opens, closes time.Duration
		warned        bool
	}{{-time.Hour, -2 * time.Hour, false}, {time.Hour, -time.Hour, true}, {-2 * time.Hour, time.Hour, false}} {
		cp := e.checkpoint("班次卡点", []string{"naja"}, clock(c.opens), clock(c.closes))
		if r := naja.get(passPath(cp.ID)); strings.Contains(r.body, offHours) != c.warned {
			t.Errorf("hours %s–%s at %s: warned %v, want %v", cp.Opens, cp.Closes, now.Format("15:04"), !c.warned, c.warned)
		}
	}

	relief := e.signedIn("relief")
	must(t, relief.get(passPath(open.ID)), http.StatusOK, offStaff)
	r = relief.post(passPath(open.ID), url.Values{"direction": {"in"}, "code": {p.IDNumber}, "key": {"form-2"}})
	must(t, r, http.StatusOK, offStaff, "通行已登记", "code-badge big code-green", `<span id="pass-total">1</span>`)
	if ps := e.passages(open.ID); len(ps) != 1 || ps[0].RecordedBy != "relief" {
		t.Errorf("an officer off the list: passages %+v", ps)
	}
}

// TestPassageInBrowser works the passage page as an officer on a phone:
// an ID number typed with a plate shows the colour and counts the passage;
// with the network cut, the next traveller of the same vehicle waits on
// the phone and reaches the server exactly once when it is back.
func TestPassageInBrowser(t *testing.T) {
	e := newCodeEnv(t)
	cp := e.checkpoint("那甲卡点", []string{"officer"}, "", "")
	second := e.visitor("韦德明", 301, "13977005678")
	path := passPath(cp.ID)
	var mu sync.Mutex
	var bodies []string // the passages that reached the handler
	inner := e.srv.Config.Handler
	e.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == path {
			body, _ := io.ReadAll(r.Body)
			mu.Lock()
			bodies = append(bodies, string(body))
			mu.Unlock()
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		inner.ServeHTTP(w, r)
	})
	reached := func(id string) int {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, b := range bodies {
			n += strings.Count(b, id)
		}
		return n
	}
	cb := openCodeBrowser(t, e)
	cb.signIn(t, "officer", path)
	err := chromedp.Do(cb.ctx,
		chromedp.EmulateViewport(360, 640, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Navigate(cb.url+path),
		chromedp.WaitVisible("#pass-sync"), // the script took the form
	)
	if err != nil {
		t.Fatal(err)
	}
	waitText(t, cb.ctx, "#pass-queue", 10*time.Second, contains("全部已发送"))
	err = chromedp.Do(cb.ctx,
		chromedp.SendKeys("#code", e.person.IDNumber),
		chromedp.SendKeys("#plate", "桂L12345"),
		chromedp.Click("#pass button[type=submit]"),
	)
	if err != nil {
		t.Fatal(err)
	}
	got := waitText(t, cb.ctx, "#pass-result", 10*time.Second, contains("通行已登记"))
	for _, want := range []string{"绿码", "联网核验", "近 14 天途经地"} {
		if !strings.Contains(got, want) {
			t.Errorf("the answer lacks %q: %s", want, got)
		}
	}
	waitText(t, cb.ctx, "#pass-total", 5*time.Second, contains("1"))
	waitText(t, cb.ctx, "#pass-recent", 5*time.Second, contains("进德保 · 绿码 · 桂L12345"))
	hour := "#hour-" + itoa(int64(time.Now().In(chinaTime).Hour()))
	waitText(t, cb.ctx, hour, 5*time.Second, func(s string) bool { f := strings.Fields(s); return len(f) == 3 && f[1] == "1" })
	fields, err := chromedp.Run(cb.ctx, chromedp.Evaluate[string](`document.getElementById("code").value + "|" + document.getElementById("plate").value`))
	if err != nil || fields != "|桂L12345" {
		t.Errorf("after a passage the code|plate fields hold %q (%v): the plate stays for the same vehicle", fields, err)
	}
	if wide, _ := chromedp.Run(cb.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); wide {
		t.Error("the passage page is wider than the phone")
	}
	if ps := e.passages(cp.ID); len(ps) != 1 || ps[0].Color != cordon.Green || ps[0].Plate != "桂L12345" || ps[0].Direction != cordon.DirectionIn {
		t.Fatalf("on the server: %+v", ps)
	}

	// Offline: the next traveller of the same vehicle waits on the phone.
	cb.offline(t, true)
	before := time.Now().Add(-time.Second)
	if err := chromedp.Do(cb.ctx, chromedp.SendKeys("#code", second.IDNumber), chromedp.Click("#pass button[type=submit]")); err != nil {
		t.Fatal(err)
	}
	got = waitText(t, cb.ctx, "#pass-result", 10*time.Second, contains("离线核验"))
	if !strings.Contains(got, "已存入待发送") {
		t.Errorf("the offline passage: %s", got)
	}
	waitText(t, cb.ctx, "#pass-queue", 5*time.Second, contains("1 条待发送"))
	time.Sleep(time.Second) // a sender that ignored the outage would have tried by now
	if n := len(e.passages(cp.ID)); n != 1 || reached(second.IDNumber) != 0 {
		t.Fatalf("while offline the server has %d passages and saw the second traveller %d times", n, reached(second.IDNumber))
	}

	cb.offline(t, false)
	waitText(t, cb.ctx, "#pass-queue", 30*time.Second, contains("全部已发送"))
	ps := e.passages(cp.ID)
	if len(ps) != 2 || ps[0].PersonID != second.ID || ps[0].Plate != "桂L12345" || ps[0].Key == "" ||
		ps[0].At.Before(before.Truncate(time.Second)) || ps[0].At.After(time.Now()) {
		t.Fatalf("after the network is back, on the server: %+v", ps)
	}
	waitText(t, cb.ctx, "#pass-total", 5*time.Second, contains("2"))
	if n := reached(second.IDNumber); n != 1 {
		t.Errorf("the queued passage reached the server %d times, want once", n)
	}
	// Reloading finds nothing left to send; the page lists both.
	if err := chromedp.Do(cb.ctx, chromedp.Reload(), chromedp.WaitVisible("#pass-sync")); err != nil {
		t.Fatal(err)
	}
	waitText(t, cb.ctx, "#pass-queue", 10*time.Second, contains("全部已发送"))
	if n := reached(second.IDNumber); n != 1 {
		t.Errorf("after a reload the queued passage reached the server %d times, want once", n)
	}
	if recent := waitText(t, cb.ctx, "#pass-recent", 5*time.Second, contains("桂L12345")); strings.Count(recent, "桂L12345") != 2 {
		t.Errorf("the recent passages after a reload: %s", recent)
	}
	cb.checkProblems(t)
}

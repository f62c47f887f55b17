package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"cordon"
	"cordon/internal/app"
	"cordon/internal/apptest"
)

// TestLiveSearchInBrowser drives a headless Chromium through sign-in, the
// person form and the htmx live search of the persons list, under the strict
// Content-Security-Policy the outer server sends, and fails on any console
// error (a CSP violation shows there). It needs Chromium and the htmx bundle
// (scripts/assets.sh). Without Chromium it skips loudly, except under CI
// (CI=true), where it must run.
func TestLiveSearchInBrowser(t *testing.T) {
	chromium := apptest.Chromium(t)
	if _, ok := (&testEnv{t: t}).assetsHave("vendor/htmx.min.js"); !ok {
		t.Fatal("htmx is not bundled: run scripts/assets.sh")
	}
	e := newEnv(t)
	b := e.signedIn("debao")
	for i, n := range []string{"黄德保", "韦小红", "农建国", "黄海燕"} {
		b.createPerson(n, citizenID("4510241990010110"+string(rune('1'+i))), "451024")
	}
	ctx, srvURL, problems := startBrowser(t, chromium, e.srv.Config.Handler)
	// Sign in, then register a person through the form: the browser lands
	// on the new record.
	id := citizenID("45102419880808004")
	err := chromedp.Do(ctx,
		chromedp.Navigate(srvURL+"/login?next=/persons/new"),
		chromedp.SendKeys("#username", "debao"),
		chromedp.SendKeys("#password", password),
		chromedp.Submit("#password"),
		chromedp.WaitVisible("#name"),
		chromedp.SendKeys("#name", "蓝测试"),
		chromedp.SendKeys("#id_number", id),
		chromedp.SendKeys("#phone", "13977001234"),
		chromedp.SetValue("#residence", "451024200202"),
		chromedp.Submit("#name"),
		chromedp.WaitNotPresent("#id_number"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !regexp.MustCompile(`/persons/\d+$`).MatchString(loc) {
		t.Errorf("after registering, the browser is at %s", loc)
	}
	if body, _ := chromedp.Run(ctx, chromedp.Text("main")); !strings.Contains(body, id) || !strings.Contains(body, "蓝测试") {
		t.Errorf("the new record's page shows: %s", body)
	}

	// Typing in the search box narrows the list without leaving the page.
	if err := chromedp.Do(ctx, chromedp.Navigate(srvURL+"/persons"), chromedp.SendKeys("#q", "黄")); err != nil {
		t.Fatal(err)
	}
	var results string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if results, err = chromedp.Run(ctx, chromedp.Text("#results")); err != nil {
			t.Fatal(err)
		}
		// Wait for the narrowed list itself: while htmx swaps it, the
		// results are briefly empty, which is not yet an answer.
		if strings.Contains(results, "黄德保") && !strings.Contains(results, "韦小红") {
			break
		}
	}
	if !strings.Contains(results, "黄德保") || !strings.Contains(results, "黄海燕") || strings.Contains(results, "韦小红") {
		t.Errorf("live search did not narrow the list: %s", strings.Join(strings.Fields(results), " "))
	}
	focused, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.id`))
	if focused != "q" {
		t.Errorf("the search box lost the focus to %q", focused)
	}
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.Contains(loc, "q=%E9%BB%84") {
		t.Errorf("the search is not in the address bar: %s", loc)
	}
	if p := problems(); len(p) > 0 {
		t.Errorf("browser console: %v", p)
	}
}

// startBrowser serves h behind the strict Content-Security-Policy the outer
// server sends and opens a headless Chromium on it, for one minute. It
// returns the browser's context, the server's URL and what the console
// reported as errors or warnings (a CSP violation shows there).
func startBrowser(t *testing.T, chromium string, h http.Handler) (context.Context, string, func() []string) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-first-run", true), chromedp.UserDataDir(t.TempDir()),
		// The pages' users read Chinese: without an account's choice the pages follow Accept-Language.
		chromedp.Flag("lang", "zh-CN"), chromedp.Flag("accept-lang", "zh-CN,zh"),
		// A fake camera, granted without asking, for the scanner overlay.
		chromedp.Flag("use-fake-ui-for-media-stream", true), chromedp.Flag("use-fake-device-for-media-stream", true))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	ctx, cancel = context.WithTimeout(ctx, time.Minute)
	t.Cleanup(cancel)
	var mu sync.Mutex
	var problems []string
	chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
				for _, a := range ev.Args {
					problems = append(problems, string(a.Value)+a.Description)
				}
			}
		case *cdplog.EventEntryAdded: // CSP violations are reported here
			if ev.Entry.Level == cdplog.EntryLevelError || ev.Entry.Level == cdplog.EntryLevelWarning {
				problems = append(problems, ev.Entry.Text)
			}
		case *runtime.EventExceptionThrown:
			problems = append(problems, ev.ExceptionDetails.Text)
		}
	})
	return ctx, srv.URL, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), problems...)
	}
}

// waitText polls the text of sel until ok accepts it, and fails the test
// with the last text seen when it does not within the timeout.
func waitText(t *testing.T, ctx context.Context, sel string, timeout time.Duration, ok func(string) bool) string {
	t.Helper()
	var text string
	var err error
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if text, err = chromedp.Run(ctx, chromedp.Text(sel)); err == nil && ok(text) {
			return text
		}
	}
	t.Fatalf("%s never became right: %q %v", sel, text, err)
	return ""
}

func contains(want string) func(string) bool {
	return func(s string) bool { return strings.Contains(s, want) }
}

// samplerBrowser opens the sampler page as the sampler, behind a counter of
// the registration batches that reach the handler; while down is set, the
// batch endpoint drops the connection without answering, as a server
// behind a broken network does.
type samplerBrowser struct {
	ctx      context.Context
	url      string
	problems func() []string
	mu       sync.Mutex
	bodies   []string // the batches that reached the handler
	down     atomic.Bool
}

func openSampler(t *testing.T, e *testingEnv) *samplerBrowser {
	t.Helper()
	chromium := apptest.Chromium(t)
	for _, lib := range []string{"vendor/idb-keyval.min.js", "vendor/htmx.min.js"} {
		if _, ok := e.assetsHave(lib); !ok {
			t.Fatalf("%s is not bundled: run scripts/assets.sh", lib)
		}
	}
	sb := &samplerBrowser{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/sampling/samples" {
			if sb.down.Load() {
				if hj, ok := w.(http.Hijacker); ok {
					if c, _, err := hj.Hijack(); err == nil {
						c.Close()
						return
					}
				}
				http.Error(w, "down", http.StatusBadGateway)
				return
			}
			body, _ := io.ReadAll(r.Body)
			sb.mu.Lock()
			sb.bodies = append(sb.bodies, string(body))
			sb.mu.Unlock()
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		e.srv.Config.Handler.ServeHTTP(w, r)
	})
	sb.ctx, sb.url, sb.problems = startBrowser(t, chromium, h)
	err := chromedp.Do(sb.ctx,
		chromedp.Navigate(sb.url+"/login?next=/sampling"),
		chromedp.SendKeys("#username", "sampler"),
		chromedp.SendKeys("#password", password),
		chromedp.Submit("#password"),
		chromedp.WaitVisible("#id_number"),
		chromedp.WaitVisible("#sync"), // the script took over the form
	)
	if err != nil {
		t.Fatal(err)
	}
	waitText(t, sb.ctx, "#waiting", 10*time.Second, contains("全部已发送"))
	return sb
}

// reached counts the batches that reached the handler carrying s.
func (sb *samplerBrowser) reached(s string) int {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	n := 0
	for _, b := range sb.bodies {
		n += strings.Count(b, s)
	}
	return n
}

// register types a person's ID number, and the tube when given, and
// registers them.
func (sb *samplerBrowser) register(t *testing.T, id, tube string) {
	t.Helper()
	steps := []chromedp.Action[chromedp.Void]{chromedp.SendKeys("#id_number", id)}
	if tube != "" {
		clearField(t, sb.ctx, "tube")
		steps = append(steps, chromedp.SendKeys("#tube", tube))
	}
	steps = append(steps, chromedp.Click("#sampler button[type=submit]"))
	if err := chromedp.Do(sb.ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// clearField empties an input as a person deleting its text would, input
// event included.
func clearField(t *testing.T, ctx context.Context, id string) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function () {
		var f = document.getElementById("`+id+`");
		f.value = "";
		f.dispatchEvent(new Event("input", { bubbles: true }));
		return true;
	})()`))
	if err != nil {
		t.Fatal(err)
	}
}

// TestSamplerRegistersInBrowser registers two people into a 5-in-1 tube by
// typing their ID numbers on the sampler page, and finds both in the tube on
// the server; the round page then draws its chart under the policy, and
// its table follows a registration made elsewhere through htmx's polling.
func TestSamplerRegistersInBrowser(t *testing.T) {
	e := newTestingEnv(t)
	sb := openSampler(t, e)
	people := ids(100, 2)
	// A wrong check digit is caught before anything is queued.
	if err := chromedp.Do(sb.ctx, chromedp.SendKeys("#id_number", wrongCheck(people[0][:17]))); err != nil {
		t.Fatal(err)
	}
	waitText(t, sb.ctx, "#id-hint", 5*time.Second, contains("校验位不对"))
	clearField(t, sb.ctx, "id_number")
	sb.register(t, people[0], "BT0001")
	waitText(t, sb.ctx, "#tube-status", 5*time.Second, contains("BT0001：1/5"))
	sb.register(t, people[1], "") // the tube in hand stays
	waitText(t, sb.ctx, "#tube-status", 5*time.Second, contains("BT0001：2/5"))
	waitText(t, sb.ctx, "#waiting", 15*time.Second, contains("全部已发送"))
	tube, err := e.app.Tube(context.Background(), app.System, "BT0001")
	if err != nil {
		t.Fatal(err)
	}
	if tube.Filled != 2 || len(tube.Samples) != 2 || tube.PoolSize != 5 || tube.Status != cordon.TubeOpen {
		t.Errorf("tube on the server: %+v with %d samples", tube.Tube, len(tube.Samples))
	}
	waitText(t, sb.ctx, "#recent", 5*time.Second, contains("已保存"))

	// The scan button loads the scanning library on first use and shows the
	// camera (a fake one here, with no code in view); cancel closes it.
	err = chromedp.Do(sb.ctx,
		chromedp.Click(`button[data-scan="tube"]`),
		chromedp.WaitVisible("dialog.scan-dialog video"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := chromedp.Run(sb.ctx, chromedp.Evaluate[bool](`typeof window.ZXingBrowser === "object"`)); err != nil || !ok {
		t.Errorf("the scanning library did not load: %v", err)
	}
	if err := chromedp.Do(sb.ctx, chromedp.Click("dialog.scan-dialog button"), chromedp.WaitNotVisible("dialog.scan-dialog")); err != nil {
		t.Fatal(err)
	}

	// The round page: the table, and the chart drawn from it.
	if err := chromedp.Do(sb.ctx, chromedp.Navigate(sb.url+e.roundPath()), chromedp.WaitVisible("#progress-chart canvas")); err != nil {
		t.Fatal(err)
	}
	waitText(t, sb.ctx, "#progress tr.total", 5*time.Second, contains("2 / 100"))
	// htmx polls the table: a registration made elsewhere shows within 10 s.
	e.register("BT0002", 5, ids(102, 1)...)
	waitText(t, sb.ctx, "#progress tr.total", 15*time.Second, contains("3 / 100"))
	if n, err := chromedp.Run(sb.ctx, chromedp.Evaluate[int](`document.querySelectorAll("#progress-chart canvas").length`)); err != nil || n != 1 {
		t.Errorf("after the refresh the chart has %d canvases (%v), want 1", n, err)
	}
	if p := sb.problems(); len(p) > 0 {
		t.Errorf("browser console: %v", p)
	}
}

// TestSamplerOfflineInBrowser registers a person while the server cannot be
// reached: the registration waits on the phone ("1 条待发送"), and reaches
// the server exactly once when the network is back.
func TestSamplerOfflineInBrowser(t *testing.T) {
	e := newTestingEnv(t)
	sb := openSampler(t, e)
	offline := func(off bool) {
		t.Helper()
		sb.down.Store(off)
		ctx := sb.ctx
		if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: off, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
			t.Fatal(err)
		}
		var rules []*network.Conditions
		if off {
			rules = append(rules, &network.Conditions{Offline: true, DownloadThroughput: -1, UploadThroughput: -1})
		}
		if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: rules}); err != nil {
			t.Fatal(err)
		}
	}
	offline(true)
	id := ids(110, 1)[0]
	sb.register(t, id, "OT0001")
	waitText(t, sb.ctx, "#waiting", 5*time.Second, contains("1 条待发送"))
	waitText(t, sb.ctx, "#tube-status", 5*time.Second, contains("OT0001：1/5"))
	time.Sleep(time.Second) // a sender that ignored the outage would have tried by now
	if _, err := e.app.Tube(context.Background(), app.System, "OT0001"); cordon.ErrorKind(err) != cordon.KindNotFound {
		t.Fatalf("the registration reached the server while offline: %v", err)
	}
	offline(false)
	waitText(t, sb.ctx, "#waiting", 30*time.Second, contains("全部已发送"))
	tube, err := e.app.Tube(context.Background(), app.System, "OT0001")
	if err != nil || tube.Filled != 1 || len(tube.Samples) != 1 {
		t.Fatalf("after going online: %+v %v", tube.Tube, err)
	}
	if n := sb.reached(id); n != 1 {
		t.Errorf("the registration reached the server %d times, want once", n)
	}
	// Reloading the page finds nothing left to send.
	if err := chromedp.Do(sb.ctx, chromedp.Reload(), chromedp.WaitVisible("#sync")); err != nil {
		t.Fatal(err)
	}
	waitText(t, sb.ctx, "#waiting", 10*time.Second, contains("全部已发送"))
	waitText(t, sb.ctx, "#tube-status", 5*time.Second, contains("OT0001：1/5"))
	if n := sb.reached(id); n != 1 {
		t.Errorf("after a reload the registration reached the server %d times, want once", n)
	}
	for _, p := range sb.problems() {
		// Chromium reports the requests the outage failed; nothing else may show.
		if !strings.Contains(p, "ERR_INTERNET_DISCONNECTED") && !strings.Contains(p, "Failed to fetch") && !strings.Contains(p, "Failed to load resource") {
			t.Errorf("browser console: %s", p)
		}
	}
}

// TestPublicPointsInBrowser opens the public page without signing in: a
// 24-hour point is listed, and choosing a township from the list (which
// sends itself) shows the points near it.
func TestPublicPointsInBrowser(t *testing.T) {
	chromium := apptest.Chromium(t)
	e := newTestingEnv(t)
	ctx, srvURL, problems := startBrowser(t, chromium, e.srv.Config.Handler)
	if err := chromedp.Do(ctx, chromedp.Navigate(srvURL+"/public/sampling-points?jurisdiction=451024"), chromedp.WaitVisible("#points")); err != nil {
		t.Fatal(err)
	}
	text := waitText(t, ctx, "#points", 5*time.Second, contains("福记村委会采样点"))
	for _, want := range []string{"24 小时开放", "正在开放", "等候时间未知"} {
		if !strings.Contains(text, want) {
			t.Errorf("the public list lacks %q: %s", want, text)
		}
	}
	_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function () {
		var s = document.getElementById("jurisdiction");
		s.value = "451024200";
		s.dispatchEvent(new Event("change", { bubbles: true }));
		return true;
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if loc, _ := chromedp.Run(ctx, chromedp.Location()); strings.Contains(loc, "jurisdiction=451024200") {
			break
		}
	}
	waitText(t, ctx, "#points", 5*time.Second, contains("都安乡附近的采样点"))
	if p := problems(); len(p) > 0 {
		t.Errorf("browser console: %v", p)
	}
}

// TestOpenCaseInBrowser opens a case with one click from the positives page,
// under the strict Content-Security-Policy, and lands on the case with its
// reporting clocks running.
func TestOpenCaseInBrowser(t *testing.T) {
	chromium := apptest.Chromium(t)
	e := newTestingEnv(t)
	e.positive("黄阳性", 80)
	ctx, srvURL, problems := startBrowser(t, chromium, e.srv.Config.Handler)
	err := chromedp.Do(ctx,
		chromedp.Navigate(srvURL+"/login?next=/positives"),
		chromedp.SendKeys("#username", "debao"),
		chromedp.SendKeys("#password", password),
		chromedp.Submit("#password"),
		chromedp.WaitVisible("form.open-case button"),
		chromedp.Click("form.open-case button"),
		chromedp.WaitVisible("#clocks"),
	)
	if err != nil {
		t.Fatal(err)
	}
	clocks := waitText(t, ctx, "#clocks", 5*time.Second, contains("报告 2 h"))
	for _, want := range []string{"报告 2 h · 按时完成", "轨迹 4 h · 待完成", "初步流调报告 24 h · 待完成"} {
		if !strings.Contains(clocks, want) {
			t.Errorf("the clocks lack %q: %s", want, clocks)
		}
	}
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !regexp.MustCompile(`/cases/\d+$`).MatchString(loc) {
		t.Errorf("after opening, the browser is at %s", loc)
	}
	if body, _ := chromedp.Run(ctx, chromedp.Text("main")); !strings.Contains(body, "黄阳性") || !strings.Contains(body, "病例已建立") {
		t.Errorf("the case page shows: %s", body)
	}
	if p := problems(); len(p) > 0 {
		t.Errorf("browser console: %v", p)
	}
}

// TestChainsInBrowser opens the transmission chains under the strict
// Content-Security-Policy: echarts draws the graph of the linked cases on a
// canvas from /chains.json, and the list under it shows their cluster.
func TestChainsInBrowser(t *testing.T) {
	chromium := apptest.Chromium(t)
	e := newTestingEnv(t)
	if _, ok := e.assetsHave("vendor/echarts.min.js"); !ok {
		t.Fatal("echarts is not bundled: run scripts/assets.sh")
	}
	cs := e.openCases(4)
	e.link(cs[0], cs[1], "宴席 2022-01-29", cordon.LinkProbable)
	e.link(cs[0], cs[2], "宴席 2022-01-29", cordon.LinkPossible)
	e.link(cs[2], cs[3], "同住", cordon.LinkConfirmed)
	ctx, srvURL, problems := startBrowser(t, chromium, e.srv.Config.Handler)
	err := chromedp.Do(ctx,
		chromedp.Navigate(srvURL+"/login?next=/chains"),
		chromedp.SendKeys("#username", "debao"),
		chromedp.SendKeys("#password", password),
		chromedp.Submit("#password"),
		chromedp.WaitVisible("#chain-graph canvas"),
	)
	if err != nil {
		t.Fatal(err)
	}
	var drawn string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if drawn, err = chromedp.Run(ctx, chromedp.Evaluate[string](`(function () {
			var box = document.getElementById("chain-graph");
			var chart = window.echarts && window.echarts.getInstanceByDom(box);
			var canvas = box.querySelector("canvas");
			if (!chart || !canvas || canvas.width === 0) { return ""; }
			return chart.getOption().series[0].type + " " + box.getAttribute("data-drawn") + " " + chart.getOption().series[0].links.length;
		})()`)); err == nil && drawn != "" {
			break
		}
	}
	if drawn != "graph 4 3" {
		t.Errorf("the chart: %q %v, want a graph of 4 cases and 3 links", drawn, err)
	}
	clusters := waitText(t, ctx, "#clusters", 5*time.Second, contains(fmt.Sprintf("聚集 #%d", cs[0])))
	if !strings.Contains(clusters, "新增 4 例，累计 4 例") {
		t.Errorf("the cluster list: %s", clusters)
	}
	if p := problems(); len(p) > 0 {
		t.Errorf("browser console: %v", p)
	}
}

// TestScanInInBrowser opens a venue's public scan-in page as a phone does
// (a 360 × 640 touch screen, nobody signed in), types the identity number
// and phone, and sees 登记成功; the next scan on the same phone is one tap
// because the page remembered both.
func TestScanInInBrowser(t *testing.T) {
	chromium := apptest.Chromium(t)
	e := newTestingEnv(t)
	v := e.venue("福记村宴席酒家", cordon.VenueRestaurant)
	p := e.visitor("黄文华", 200, "13977001234")
	ctx, srvURL, problems := startBrowser(t, chromium, e.srv.Config.Handler)
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(360, 640, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Navigate(srvURL+"/s/"+v.Code),
		chromedp.WaitVisible("#id_number"),
		chromedp.WaitVisible("#remember"), // the script took the form
		chromedp.SendKeys("#id_number", p.IDNumber),
		chromedp.SendKeys("#phone", "13977001234"),
		chromedp.Click("#scanin button[type=submit]"),
		chromedp.WaitVisible("#scanin-result"),
	)
	if err != nil {
		t.Fatal(err)
	}
	result := waitText(t, ctx, "#scanin-result", 5*time.Second, contains("登记成功"))
	for _, want := range []string{"福记村宴席酒家", "登记人：黄*华", time.Now().In(chinaTime).Format("2006-01-02")} {
		if !strings.Contains(result, want) {
			t.Errorf("the result lacks %q: %s", want, result)
		}
	}
	if wide, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); wide {
		t.Error("the result page is wider than the phone")
	}
	if n := len(e.scansOf(p.ID)); n != 1 {
		t.Fatalf("%d scan-ins on the server, want 1", n)
	}

	// The next scan: both fields are filled in, one tap records it.
	err = chromedp.Do(ctx,
		chromedp.Navigate(srvURL+"/s/"+v.Code),
		chromedp.WaitVisible("#forget"),
	)
	if err != nil {
		t.Fatal(err)
	}
	filled, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("id_number").value + " " + document.getElementById("phone").value`))
	if err != nil || filled != p.IDNumber+" 13977001234" {
		t.Fatalf("the form on the next scan holds %q (%v)", filled, err)
	}
	if wide, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); wide {
		t.Error("the form is wider than the phone")
	}
	if err := chromedp.Do(ctx, chromedp.Click("#scanin button[type=submit]"), chromedp.WaitVisible("#scanin-result")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#scanin-result", 5*time.Second, contains("登记成功"))
	if p := problems(); len(p) > 0 {
		t.Errorf("browser console: %v", p)
	}
}

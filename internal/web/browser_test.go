package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

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
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		e.srv.Config.Handler.ServeHTTP(w, r)
	}))
	defer srv.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-first-run", true), chromedp.UserDataDir(t.TempDir()))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, time.Minute)
	defer cancel()
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
	// Sign in, then register a person through the form: the browser lands
	// on the new record.
	id := citizenID("45102419880808004")
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/login?next=/persons/new"),
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
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/persons"), chromedp.SendKeys("#q", "黄")); err != nil {
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
	mu.Lock()
	defer mu.Unlock()
	if len(problems) > 0 {
		t.Errorf("browser console: %v", problems)
	}
}

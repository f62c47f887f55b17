package web

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"cordon/internal/apptest"
)

// TestImportInBrowser uploads a case line list of 3,000 rows through the
// form in a headless Chromium under the strict Content-Security-Policy,
// and watches the job's page: the progress bar moves and the job ends
// without a reload, polled by htmx; no console error. It needs Chromium
// and the htmx bundle (scripts/assets.sh).
func TestImportInBrowser(t *testing.T) {
	chromium := apptest.Chromium(t)
	if _, ok := (&testEnv{t: t}).assetsHave("vendor/htmx.min.js"); !ok {
		t.Fatal("htmx is not bundled: run scripts/assets.sh")
	}
	e := newEnv(t)
	var b strings.Builder
	b.WriteString(importHead)
	for i := range 3000 {
		b.WriteString(importLine(fmt.Sprintf("韦%d", i), i, "无症状感染者"))
	}
	file := filepath.Join(t.TempDir(), "德保病例.csv")
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, srvURL, problems := startBrowser(t, chromium, e.srv.Config.Handler)
	err := chromedp.Do(ctx,
		chromedp.Navigate(srvURL+"/login?next=/cases"),
		chromedp.SendKeys("#username", "debao"),
		chromedp.SendKeys("#password", password),
		chromedp.Submit("#password"),
		chromedp.WaitVisible(`a[href="/imports/new?kind=cases"]`),
		chromedp.Click(`a[href="/imports/new?kind=cases"]`),
		chromedp.WaitVisible("#file"),
		chromedp.SetUploadFiles("#file", []string{file}),
		chromedp.Submit("#file"),
		chromedp.WaitVisible("#job-progress"),
	)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := chromedp.Run(ctx, chromedp.Location())
	if !regexp.MustCompile(`/imports/\d+$`).MatchString(page) {
		t.Fatalf("after the upload, the browser is at %s", page)
	}
	if status, _ := chromedp.Run(ctx, chromedp.Text("#job-status")); !strings.Contains(status, "导入中") {
		t.Logf("the job had ended before its page showed: %q", status)
	}
	waitText(t, ctx, "#job-status", 2*time.Minute, contains("已完成"))
	if now, _ := chromedp.Run(ctx, chromedp.Location()); now != page {
		t.Errorf("the page changed: %s", now)
	}
	if a, _ := chromedp.Run(ctx, chromedp.Attributes("#job-progress")); a["value"] != "3000" || a["max"] != "3000" {
		t.Errorf("the bar shows %v", a)
	}
	waitText(t, ctx, "#job-stored", time.Second, contains("3000"))
	if p := problems(); len(p) > 0 {
		t.Errorf("console: %v", p)
	}
}

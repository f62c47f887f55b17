package web

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"cordon/internal/apptest"
)

// TestRiskAreasInBrowser opens the public risk-area page in a Chinese
// browser without signing in, then as Nanning's commander declares two
// areas through the form (a low one first, then a high one); signed out
// again, the page lists both in Chinese with the highest tier first.
func TestRiskAreasInBrowser(t *testing.T) {
	chromium := apptest.Chromium(t)
	e := newEnv(t)
	town := e.app.Directory().Children("450103")[0] // a sub-district of 青秀区, 南宁市
	ctx, srvURL, problems := startBrowser(t, chromium, e.srv.Config.Handler)
	if err := chromedp.Do(ctx, chromedp.Navigate(srvURL+"/risk-areas"), chromedp.WaitVisible("main")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "main", 5*time.Second, contains("目前没有风险区"))
	if lang, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`)); lang != "zh-CN" {
		t.Errorf("the public page is in %q", lang)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#declare").length`)); n != 0 {
		t.Error("the public page offers the declare form")
	}

	err := chromedp.Do(ctx,
		chromedp.Navigate(srvURL+"/login?next=/risk-areas"),
		chromedp.SendKeys("#username", "nanning"),
		chromedp.SendKeys("#password", password),
		chromedp.Submit("#password"),
		chromedp.WaitVisible("#declare"),
	)
	if err != nil {
		t.Fatal(err)
	}
	declare := func(tier, name string) {
		t.Helper()
		err := chromedp.Do(ctx,
			chromedp.WaitVisible("#declare"),
			chromedp.SetValue("#tier", tier),
			chromedp.SetValue("#jurisdiction", town.Code),
			chromedp.SetValue("#name", name),
			chromedp.Click("#declare button[type=submit]"),
		)
		if err != nil {
			t.Fatal(err)
		}
		// The list (not the form's value) shows the name once the page is back.
		if got := waitText(t, ctx, "main", 10*time.Second, contains(name)); !strings.Contains(got, "风险区已划定") {
			t.Errorf("after declaring %s: %s", name, got)
		}
	}
	declare("low", town.Name+"全域")
	declare("high", "凤岭小区")

	if err := chromedp.Do(ctx, chromedp.Click(`form[action="/logout"] button`), chromedp.WaitVisible("#username")); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srvURL+"/risk-areas"), chromedp.WaitVisible("#tier-high")); err != nil {
		t.Fatal(err)
	}
	order, err := chromedp.Run(ctx, chromedp.Evaluate[string](`Array.prototype.map.call(document.querySelectorAll("section.risk-tier"), function (s) { return s.id; }).join(" ")`))
	if err != nil || order != "tier-high tier-low" {
		t.Errorf("the tiers in order: %q (%v), want the highest first", order, err)
	}
	high := waitText(t, ctx, "#tier-high", 5*time.Second, contains("凤岭小区"))
	low := waitText(t, ctx, "#tier-low", 5*time.Second, contains(town.Name+"全域"))
	if !strings.Contains(high, "高风险区") || !strings.Contains(high, "南宁市") || !strings.Contains(low, "低风险区") || strings.Contains(low, "凤岭小区") {
		t.Errorf("the public page: high %q, low %q", high, low)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#declare, form[action^='/risk-areas/']").length`)); n != 0 {
		t.Error("signed out, the page still offers staff forms")
	}
	if p := problems(); len(p) > 0 {
		t.Errorf("browser console: %v", p)
	}
}

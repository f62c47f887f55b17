package web

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"cordon/internal/apptest"
)

// TestArriveInBrowser reports an arrival on a phone-sized screen in a
// Chinese browser without signing in: the form fits the width, a place
// typed by a name of several places is refused with the choices, and the
// corrected report is answered with what the traveller must do.
func TestArriveInBrowser(t *testing.T) {
	chromium := apptest.Chromium(t)
	e := newEnv(t)
	arrivalRules(t, e)
	ctx, srvURL, problems := startBrowser(t, chromium, e.srv.Config.Handler)
	today := time.Now().In(chinaTime).Format(time.DateOnly)
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(375, 740, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		chromedp.Navigate(srvURL+"/arrive"),
		chromedp.WaitVisible("#arrival-form"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if lang, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`)); lang != "zh-CN" {
		t.Errorf("the public page is in %q", lang)
	}
	if wide, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); wide > 375 {
		t.Errorf("the form is %d px wide on a 375 px screen", wide)
	}
	fill := func(dest string) {
		t.Helper()
		err := chromedp.Do(ctx,
			chromedp.SetValue("#name", "黄小明"),
			chromedp.SetValue("#id_number", citizenID("45102419900101003")),
			chromedp.SetValue("#phone", "13900000001"),
			chromedp.SetValue("#destination", dest),
			chromedp.SetValue("#origin", "德保县"),
			chromedp.SetValue("#stop0_place", "德保县城关镇"),
			chromedp.SetValue("#stop0_from", today),
			chromedp.SetValue("#stop0_to", today),
			chromedp.Click("#arrival-form button[type=submit]"),
		)
		if err != nil {
			t.Fatal(err)
		}
	}
	fill("城关镇")
	got := waitText(t, ctx, "main", 10*time.Second, contains("多个地方同名"))
	if !strings.Contains(got, "德保县城关镇") {
		t.Errorf("no choices offered: %s", got)
	}
	fill("南宁市青秀区")
	got = waitText(t, ctx, "main", 10*time.Second, contains("报备成功"))
	for _, want := range []string{"集中隔离14天", "居家健康监测7天", "报备及时", "黄*明"} {
		if !strings.Contains(got, want) {
			t.Errorf("the answer lacks %q: %s", want, got)
		}
	}
	// The refused form comes back with 422, which the console reports.
	for _, p := range problems() {
		if !strings.Contains(p, "status of 422") {
			t.Errorf("browser console: %s", p)
		}
	}
}

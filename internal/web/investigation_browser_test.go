package web

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"cordon/internal/apptest"
)

// TestInvestigationInBrowser fills the investigation on a phone-sized
// screen under the strict Content-Security-Policy: the "add an entry"
// button of static/investigation.js gives the itinerary a fourth row,
// numbered on, which saves with the others; the page fits the screen's
// width.
func TestInvestigationInBrowser(t *testing.T) {
	chromium := apptest.Chromium(t)
	e := newTestingEnv(t)
	e.positive("黄阳性", 80)
	ctx, srvURL, problems := startBrowser(t, chromium, e.srv.Config.Handler)
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(srvURL+"/login?next=/positives"),
		chromedp.SendKeys("#username", "debao"),
		chromedp.SendKeys("#password", password),
		chromedp.Submit("#password"),
		chromedp.WaitVisible("form.open-case button"),
		chromedp.Click("form.open-case button"),
		chromedp.WaitVisible("#investigation-links a"),
		chromedp.Click("#investigation-links a"),
		chromedp.WaitVisible("#investigation-form"),
	)
	if err != nil {
		t.Fatal(err)
	}
	rows := func() int {
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-list="itinerary"] [data-row]').length`))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := rows(); n != 3 {
		t.Fatalf("%d itinerary rows, want 3 blank ones", n)
	}
	yesterday := time.Now().In(chinaTime).AddDate(0, 0, -1).Format(time.DateOnly)
	err = chromedp.Do(ctx,
		chromedp.Click(`[data-add-row="itinerary"]`),
		chromedp.WaitVisible(`#itinerary-4-place`),
		chromedp.SetValue(`#itinerary-4-from`, yesterday+"T19:00"),
		chromedp.SetValue(`#itinerary-4-to`, yesterday+"T21:30"),
		chromedp.SendKeys(`#itinerary-4-place`, "都安乡福记村宴席"),
		chromedp.SendKeys(`#itinerary-4-companions`, "韦某、李某"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if n := rows(); n != 4 {
		t.Fatalf("%d itinerary rows after adding one", n)
	}
	if name, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("itinerary-4-from").name`)); name != "itinerary.4.from" {
		t.Errorf("the new row's field is named %q", name)
	}
	wide, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
	if wide {
		t.Error("the form is wider than a phone's screen")
	}
	if err := chromedp.Do(ctx, chromedp.Click(`button[name="action"][value="save"]`), chromedp.WaitVisible(".notice")); err != nil {
		t.Fatal(err)
	}
	text := waitText(t, ctx, "main", 5*time.Second, contains("调查草稿已保存"))
	if !strings.Contains(text, "调查草稿已保存") {
		t.Errorf("after saving: %s", text)
	}
	if v, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("itinerary-1-place").value`)); v != "都安乡福记村宴席" {
		t.Errorf("the saved entry reads %q", v)
	}
	if p := problems(); len(p) > 0 {
		t.Errorf("browser console: %v", p)
	}
}

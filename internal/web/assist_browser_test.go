package web

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"cordon"
	"cordon/internal/app"
	"cordon/internal/apptest"
)

// TestAssistProgressInBrowser opens a sent letter in a headless Chromium
// under the strict Content-Security-Policy; when the receiver records an
// outcome, the counts and the person's status change without a reload
// (htmx polls the progress fragment). It needs Chromium and the htmx
// bundle (scripts/assets.sh).
func TestAssistProgressInBrowser(t *testing.T) {
	chromium := apptest.Chromium(t)
	if _, ok := (&testEnv{t: t}).assetsHave("vendor/htmx.min.js"); !ok {
		t.Fatal("htmx is not bundled: run scripts/assets.sh")
	}
	e := newTestingEnv(t)
	ctx := context.Background()
	actorOf := func(username, jurisdiction string) cordon.Actor {
		acct, err := e.app.CreateAccount(ctx, app.System, cordon.AccountInput{Username: username, DisplayName: username,
			Role: cordon.RoleEpidemiologist, Jurisdiction: jurisdiction, Password: password})
		if err != nil {
			t.Fatal(err)
		}
		return acct.Actor()
	}
	sender, receiver := actorOf("yjepi", "451002"), actorOf("dbepi", "451024")
	out, err := e.app.CreateAssist(ctx, sender, cordon.AssistInput{Reason: "与确诊病例同乘G5411次列车", People: []cordon.AssistPersonInput{
		{Name: "黄协查", IDNumber: citizenID("45102419850201003"), Current: "451024100001"}}})
	if err != nil || len(out.Requests) != 1 {
		t.Fatalf("send: %+v %v", out, err)
	}
	path := "/assist/" + strconv.FormatInt(out.Requests[0].ID, 10)
	bctx, srvURL, problems := startBrowser(t, chromium, e.srv.Config.Handler)
	if err := chromedp.Do(bctx,
		chromedp.Navigate(srvURL+"/login?next="+path),
		chromedp.SendKeys("#username", "yjepi"),
		chromedp.SendKeys("#password", password),
		chromedp.Submit("#password"),
		chromedp.WaitVisible("#assist-progress"),
	); err != nil {
		t.Fatal(err)
	}
	waitText(t, bctx, "#count-located", time.Second, contains("0"))
	if _, err := e.app.RecordAssistOutcome(ctx, receiver, out.Requests[0].ID, 1, cordon.AssistOutcome{Status: cordon.AssistLocated}); err != nil {
		t.Fatal(err)
	}
	waitText(t, bctx, "#count-located", 30*time.Second, contains("1"))
	waitText(t, bctx, "#assist-statuses", time.Second, contains("已落位"))
	if now, _ := chromedp.Run(bctx, chromedp.Location()); now != srvURL+path {
		t.Errorf("the page changed: %s", now)
	}
	if p := problems(); len(p) > 0 {
		t.Errorf("console: %v", p)
	}
}

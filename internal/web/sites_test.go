package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"cordon"
	"cordon/internal/app"
	"cordon/internal/apptest"

	"github.com/chromedp/chromedp"
)

var siteLink = regexpMust(`^/sites/(\d+)$`)

// siteWithRooms registers a site through the form as the signed-in
// manager and adds singles 301–303; it returns the site's page.
func siteWithRooms(t *testing.T, b *browser, name string) string {
	t.Helper()
	b.get("/sites/new")
	r := b.post("/sites", url.Values{"name": {name}, "kind": {"hotel"}, "jurisdiction": {"451024"}, "manager_name": {"黄经理"},
		"manager_phone": {"13977001234"}, "staff": {"hotel"}})
	if r.status != http.StatusSeeOther || !siteLink.MatchString(r.location) {
		t.Fatalf("create site: %d %q\n%s", r.status, r.location, r.body)
	}
	page := r.location
	must(t, b.follow(r), http.StatusOK, "隔离点已登记", name, "隔离酒店", "黄经理", "13977001234", "还没有房间")
	r = b.post(page+"/rooms", url.Values{"numbers": {"301-303"}, "beds": {"1"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("rooms: %d\n%s", r.status, r.body)
	}
	return page
}

func TestSitePages(t *testing.T) {
	e := newTestingEnv(t)
	e.account("hotel", cordon.RoleIsolationSite, "451024")
	b := e.signedIn("hotel")
	if home := b.get("/"); !strings.Contains(home.body, `href="/sites"`) {
		t.Error("the navigation lacks the sites")
	}
	// Wrong fields come back marked.
	b.get("/sites/new")
	r := b.post("/sites", url.Values{"name": {""}, "kind": {"tent"}, "jurisdiction": {"451024"}, "manager_phone": {"123"}})
	must(t, r, http.StatusUnprocessableEntity, `id="name-error"`, `id="kind-error"`, `id="manager_phone-error"`, "请填写隔离点名称")
	r = b.post("/sites", url.Values{"name": {"x"}, "kind": {"hotel"}, "jurisdiction": {"451024"}, "staff": {"nosuchuser"}})
	must(t, r, http.StatusUnprocessableEntity, `id="staff-error"`, "工作人员须为您辖区内的账号")

	page := siteWithRooms(t, b, "维也纳国际酒店(德保腾飞广场店)")
	r = b.get(page)
	must(t, r, http.StatusOK, "301", "302", "303", "3 层", "共 3 张床，在住 0 人，空余 3 张（空房 3 间）")
	r = b.post(page+"/rooms", url.Values{"numbers": {"401-3x"}, "beds": {"1"}})
	must(t, r, http.StatusUnprocessableEntity, `id="numbers-error"`)
	r = b.post(page+"/rooms", url.Values{"numbers": {"301"}, "beds": {"1"}})
	must(t, r, http.StatusConflict, `id="numbers-error"`, "该隔离点已有这个房间号")

	// A couple arrives: no room holds two, so adjacent singles.
	wen, hong, lan := e.visitor("黄文华", 301, "13977001001"), e.visitor("韦小红", 302, "13977001002"), e.visitor("农建国", 303, "13977001003")
	r = b.post(page+"/arrivals", url.Values{"id_numbers": {wen.IDNumber + "\n" + hong.IDNumber}, "household": {"福记村8号"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("arrival: %d\n%s", r.status, r.body)
	}
	r = b.follow(r)
	must(t, r, http.StatusOK, "已登记入住并分配房间", "黄文华", "韦小红", "福记村8号", "尚有 2 人今日未报体温", wen.IDNumber)
	// The same person again, and one more than the site holds.
	r = b.post(page+"/arrivals", url.Values{"id_numbers": {wen.IDNumber}})
	must(t, r, http.StatusConflict, "此人已在隔离点入住", ">"+wen.IDNumber+"</textarea>")
	r = b.post(page+"/arrivals", url.Values{"id_numbers": {lan.IDNumber + "\n" + ids(304, 1)[0]}})
	must(t, r, http.StatusNotFound, `id="id_numbers-error"`)

	// A check with a fever and a cough: recorded, alert raised.
	r = b.post(page+"/checks", url.Values{"person": {idText(wen.ID)}, "temperature": {"38.2"}, "symptom": {"cough"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("check: %d\n%s", r.status, r.body)
	}
	must(t, b.follow(r), http.StatusOK, "已向流调人员发出预警", "38.2 ℃", "咳嗽", "尚有 1 人今日未报体温")
	r = b.post(page+"/checks", url.Values{"person": {idText(hong.ID)}, "temperature": {"高"}})
	must(t, r, http.StatusUnprocessableEntity, `id="temperature-error"`, "体温须在 34.0 至 43.0 ℃ 之间")
	r = b.post(page+"/checks", url.Values{"person": {idText(hong.ID)}, "temperature": {"45"}})
	must(t, r, http.StatusUnprocessableEntity, `id="temperature-error"`)

	// The epidemiologist sees the alert on the home page and the list,
	// and acknowledges it.
	epi := e.signedIn("debao")
	must(t, epi.get("/"), http.StatusOK, `id="home-alerts"`, `<span class="stat-number bad">1</span>`)
	r = epi.get("/alerts")
	must(t, r, http.StatusOK, "黄文华", "38.2 ℃", "发热", "咳嗽", "维也纳国际酒店", "301 房")
	ack := regexpValue(t, r.body, `action="(/alerts/\d+/ack)"`)
	r = epi.post(ack, url.Values{})
	if r.status != http.StatusSeeOther {
		t.Fatalf("ack: %d\n%s", r.status, r.body)
	}
	must(t, epi.follow(r), http.StatusOK, "预警已处理", "没有待处理的预警")
	must(t, epi.get("/alerts?all=1"), http.StatusOK, "debao 已处理")

	// The self-report link page shows a QR code of /h/….
	r = b.get("/persons/" + idText(hong.ID) + "/health-check-link")
	must(t, r, http.StatusOK, "<svg", e.srv.URL+"/h/", "链接有效期至")

	// A second site; a transfer there and a departure.
	other := siteWithRooms(t, b, "德保县集中隔离点")
	r = b.get(page)
	stay := regexpValue(t, r.body, `action="(/stays/\d+)/transfer"`)
	otherID := strings.TrimPrefix(other, "/sites/")
	r = b.post(stay+"/transfer", url.Values{"to": {"site:" + otherID}, "site": {strings.TrimPrefix(page, "/sites/")}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("transfer: %d\n%s", r.status, r.body)
	}
	must(t, b.follow(r), http.StatusOK, "已转运", "最近离开", "转运")
	r = b.post(stay+"/depart", url.Values{"reason": {"released"}, "site": {strings.TrimPrefix(page, "/sites/")}})
	must(t, r, http.StatusConflict, "此人已离开该房间")
	r = b.get(other)
	next := regexpValue(t, r.body, `action="(/stays/\d+)/depart"`)
	r = b.post(next+"/depart", url.Values{"reason": {"hospital"}, "site": {otherID}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("depart: %d\n%s", r.status, r.body)
	}
	must(t, b.follow(r), http.StatusOK, "已登记离开", "转送医院")

	// Closing the site through its edit form: no more arrivals.
	r = b.get(other + "/edit")
	must(t, r, http.StatusOK, `value="德保县集中隔离点"`, `name="version" value="1"`, `name="open" value="on" checked`, `value="hotel"`)
	r = b.post(other, url.Values{"name": {"德保县集中隔离点"}, "kind": {"centre"}, "jurisdiction": {"451024"}, "staff": {"hotel"}, "version": {"1"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("update: %d\n%s", r.status, r.body)
	}
	must(t, b.follow(r), http.StatusOK, "隔离点信息已保存", "已关闭", "集中隔离点")
	r = b.post(other+"/arrivals", url.Values{"id_numbers": {lan.IDNumber}})
	must(t, r, http.StatusConflict, "该隔离点已关闭")
	r = b.post(other, url.Values{"name": {"德保县集中隔离点"}, "kind": {"centre"}, "jurisdiction": {"451024"}, "version": {"1"}})
	must(t, r, http.StatusConflict, "隔离点已被他人修改")

	// The overview: Baise's totals for the admin; nothing of Debao for
	// Nanning's commander; no sites at all for a sampler.
	r = e.signedIn("admin").get("/sites")
	must(t, r, http.StatusOK, "德保县", "维也纳国际酒店(德保腾飞广场店)", "德保县集中隔离点", `id="site-counties"`, `data-label="房间">3</td>`)
	r = e.signedIn("nanning").get("/sites")
	must(t, r, http.StatusOK, "辖区内还没有隔离点")
	must(t, e.signedIn("nanning").get(page), http.StatusNotFound)
	must(t, e.signedIn("sampler").get("/sites"), http.StatusForbidden)
	must(t, e.signedIn("debao").get("/sites?jurisdiction=450100"), http.StatusForbidden, `id="jurisdiction-error"`)
}

// healthLink is a person's self-report link path, made through app.
func (e *testingEnv) healthLink(personID int64) string {
	e.t.Helper()
	link, err := e.app.HealthCheckLink(context.Background(), app.System, personID)
	if err != nil {
		e.t.Fatal(err)
	}
	return link.Path
}

func TestHealthSelfReport(t *testing.T) {
	e := newTestingEnv(t)
	p := e.visitor("黄文华", 310, "13977001010")
	path := e.healthLink(p.ID)
	b := e.browser()
	r := b.get(path)
	must(t, r, http.StatusOK, "黄*华", `name="temperature"`, `value="cough"`, "嗅觉或味觉减退", "呼吸困难")
	if strings.Contains(r.body, p.IDNumber) || strings.Contains(r.body, "黄文华") {
		t.Error("the public page shows the full name or the ID number")
	}
	r = b.post(path, url.Values{"temperature": {"36.6"}})
	must(t, r, http.StatusOK, "已提交", "36.6 ℃", "黄*华")
	if strings.Contains(r.body, "工作人员会尽快联系您") {
		t.Error("36.6 °C without symptoms alerted")
	}
	b.get(path)
	r = b.post(path, url.Values{"temperature": {"37.1"}, "symptom": {"sore_throat"}})
	must(t, r, http.StatusOK, "已提交", "工作人员会尽快联系您")
	b.get(path)
	r = b.post(path, url.Values{"temperature": {"45"}, "symptom": {"cough"}})
	must(t, r, http.StatusUnprocessableEntity, `id="temperature-error"`, `value="cough" checked`)
	checks, err := e.app.PersonHealthChecks(context.Background(), app.System, p.ID, "")
	if err != nil || len(checks) != 2 || checks[0].Source != cordon.CheckBySelf {
		t.Errorf("stored checks: %+v %v", checks, err)
	}

	// A tampered link: the page says so and takes nothing.
	token := strings.TrimPrefix(path, "/h/")
	bad := "/h/" + token[:10] + flipChar(token[10]) + token[11:]
	must(t, b.get(bad), http.StatusNotFound, "这不是有效的健康监测链接")
	if strings.Contains(b.get(bad).body, `name="temperature"`) {
		t.Error("a tampered link shows the form")
	}
	r = b.post(bad, url.Values{"temperature": {"36.5"}})
	must(t, r, http.StatusNotFound, "这不是有效的健康监测链接")
	if checks, _ := e.app.PersonHealthChecks(context.Background(), app.System, p.ID, ""); len(checks) != 2 {
		t.Errorf("%d checks after a tampered report", len(checks))
	}
}

func idText(n int64) string { return strconv.FormatInt(n, 10) }

func flipChar(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}

// TestHealthSelfReportInBrowser opens a person's self-report link as a
// phone does (a 360 × 640 touch screen, nobody signed in), types the
// temperature, ticks a symptom and sees the report recorded, with the
// word that staff will call; the page fits the screen.
func TestHealthSelfReportInBrowser(t *testing.T) {
	chromium := apptest.Chromium(t)
	e := newTestingEnv(t)
	p := e.visitor("黄文华", 320, "13977001020")
	path := e.healthLink(p.ID)
	ctx, srvURL, problems := startBrowser(t, chromium, e.srv.Config.Handler)
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(360, 640, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Navigate(srvURL+path),
		chromedp.WaitVisible("#temperature"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if name, _ := chromedp.Run(ctx, chromedp.Text("#healthself-name")); name != "黄*华" {
		t.Errorf("the page names %q", name)
	}
	if wide, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); wide {
		t.Error("the form is wider than the phone")
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys("#temperature", "38.1"),
		chromedp.Click(`input[value="cough"]`),
		chromedp.Click("#healthself button[type=submit]"),
		chromedp.WaitVisible("#healthself-result"),
	)
	if err != nil {
		t.Fatal(err)
	}
	result := waitText(t, ctx, "#healthself-result", 5*time.Second, contains("已提交"))
	for _, want := range []string{"38.1 ℃", "黄*华", "工作人员会尽快联系您"} {
		if !strings.Contains(result, want) {
			t.Errorf("the result lacks %q: %s", want, result)
		}
	}
	if wide, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); wide {
		t.Error("the result page is wider than the phone")
	}
	checks, err := e.app.PersonHealthChecks(context.Background(), app.System, p.ID, "")
	if err != nil || len(checks) != 1 || checks[0].Temperature != 38.1 || !checks[0].Alert || len(checks[0].Symptoms) != 1 {
		t.Errorf("the server holds %+v %v", checks, err)
	}
	if p := problems(); len(p) > 0 {
		t.Errorf("browser console: %v", p)
	}
}

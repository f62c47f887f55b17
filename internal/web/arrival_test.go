package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"cordon"
	"cordon/internal/app"
)

// arrivalRules puts gx-2022-01 in force in Guangxi and seals 德保县城关镇
// from five days ago.
func arrivalRules(t *testing.T, e *testEnv) {
	t.Helper()
	ctx := context.Background()
	if err := e.app.SetPolicy(ctx, app.System, cordon.PolicyAssignment{Jurisdiction: "450000", From: "2022-01-18", Edition: "gx-2022-01"}); err != nil {
		t.Fatal(err)
	}
	if err := e.app.SetPolicy(ctx, app.System, cordon.PolicyAssignment{Jurisdiction: "450100", From: "2022-01-18",
		Overrides: map[string]json.RawMessage{"arrivals.ordinary_test_mandatory": json.RawMessage("true")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.DeclareRiskArea(ctx, app.System, cordon.RiskArea{Tier: "sealed", Jurisdiction: "451024100", Name: "德保县城关镇全域",
		From: time.Now().Add(-5 * 24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
}

func arrivalForm(id, dest, origin string, at time.Time) url.Values {
	return url.Values{"name": {"黄小明"}, "id_number": {id}, "phone": {"13900000001"}, "destination": {dest}, "origin": {origin},
		"arrived_at": {localTime(at)}, "address": {"民族大道1号"}}
}

// The public report without sign-in or script: the form in Chinese, a
// place typed by name, what is wrong shown on the form, and an answer that
// says what the traveller must do and whether the report was on time.
func TestArrivePage(t *testing.T) {
	e := newEnv(t)
	arrivalRules(t, e)
	anon := e.browser()
	must(t, anon.get("/login"), http.StatusOK, `href="/arrive"`)
	must(t, anon.get("/arrive"), http.StatusOK, `<html lang="zh-CN">`, "来返人员报备", `id="destination"`, `name="stop2_place"`, `action="/arrive"`)
	if strings.Contains(anon.get("/arrive").body, `name="channel"`) {
		t.Error("the public form asks for a channel")
	}

	// Errors on the form: a missing ID number, a name of several places.
	now := time.Now()
	f := arrivalForm("", "城关镇", "广东省", now.Add(-2*time.Hour))
	r := anon.post("/arrive", f)
	must(t, r, http.StatusUnprocessableEntity, `id="id_number-error"`, "请填写身份证号码", `id="destination-error"`, "多个地方同名",
		"广西壮族自治区百色市德保县城关镇", `list="destination-choices"`, `value="民族大道1号"`)

	// From the sealed town, named in full: fourteen days' centralised
	// quarantine, then home monitoring; reported in time.
	id := citizenID("45102419900101003")
	f = arrivalForm(id, "南宁市青秀区", "451024", now.Add(-2*time.Hour))
	today := now.In(chinaTime).Format(time.DateOnly)
	f.Set("stop0_place", "德保县城关镇")
	f.Set("stop0_from", today)
	f.Set("stop0_to", today)
	r = anon.post("/arrive", f)
	must(t, r, http.StatusOK, "报备成功", "黄*明", "风险区来返", "集中隔离14天", "居家健康监测7天", "报备及时", "南宁市青秀区")
	if strings.Contains(r.body, id) || strings.Contains(r.body, "13900000001") {
		t.Error("the answer echoes the ID number or phone")
	}

	// An ordinary arrival reported 30 hours late in Nanning: a mandatory
	// test within 24 hours, and the report was late.
	r = anon.post("/arrive", arrivalForm(citizenID("45010319900101002"), "450103", "440300", now.Add(-30*time.Hour)))
	must(t, r, http.StatusOK, "抵达后24小时内完成核酸检测", "必须", "报备逾时")

	// English is complete.
	anon.header.Set("Accept-Language", "en")
	en := e.browser()
	en.header.Set("Accept-Language", "en")
	must(t, en.get("/arrive"), http.StatusOK, `<html lang="en">`, "Arrival report", "Places stayed in the last 14 days")
	must(t, en.post("/arrive", arrivalForm("", "450103", "440300", now)), http.StatusUnprocessableEntity, "Enter the ID number.")
}

var arrivalLink = regexp.MustCompile(`^/arrivals/(\d+)$`)

// Staff: record from a channel, the list by population masked by role,
// one arrival with its sources and obligations, and the task list where a
// test taken elsewhere is marked met.
func TestArrivalsPages(t *testing.T) {
	e := newEnv(t)
	arrivalRules(t, e)
	now := time.Now()
	debao := e.signedIn("debao")
	must(t, debao.get("/arrivals/new"), http.StatusOK, `name="channel"`, "入户排查", `action="/arrivals"`)
	f := arrivalForm(citizenID("45102419900101011"), "451024200", "440300", now.Add(-30*time.Hour))
	f.Set("channel", "door")
	r := debao.post("/arrivals", f)
	if r.status != http.StatusSeeOther || !arrivalLink.MatchString(r.location) {
		t.Fatalf("record: %d %q\n%s", r.status, r.location, r.body)
	}
	show := r.location
	must(t, debao.follow(r), http.StatusOK, "来返人员已登记", "入户排查", "德保县都安乡", "普通地区来返", "核酸检测", "待完成")
	f.Set("destination", "450103")
	must(t, debao.post("/arrivals", f), http.StatusForbidden, "目的地不在您的辖区内")
	must(t, e.signedIn("nanning").get("/arrivals/new"), http.StatusForbidden)

	// A sampler records but does not read arrivals: back to the form.
	sampler := e.signedIn("sampler")
	must(t, sampler.get("/"), http.StatusOK, `href="/arrivals/new"`)
	sampler.get("/arrivals/new")
	g := arrivalForm(citizenID("45102419900101038"), "451024", "440300", now.Add(-time.Hour))
	g.Set("channel", "station")
	if r := sampler.post("/arrivals", g); r.status != http.StatusSeeOther || r.location != "/arrivals/new" {
		t.Errorf("the sampler's record: %d %q", r.status, r.location)
	}

	// The public report of someone from the sealed town arriving in Debao.
	fromSealed := arrivalForm(citizenID("45102419900101020"), "451024200", "451024100", now.Add(-time.Hour))
	anon := e.browser()
	anon.get("/arrive")
	must(t, anon.post("/arrive", fromSealed), http.StatusOK, "集中隔离14天")

	r = debao.get("/arrivals")
	must(t, r, http.StatusOK, "风险区来返", "普通地区来返", "入户排查", "本人报备", "已逾期", `href="/imports/new?kind=arrivals"`, `href="/arrivals/new"`)
	if r := debao.get("/arrivals?population=risk_area"); strings.Count(r.body, `<tr id="arrival-`) != 1 || !strings.Contains(r.body, "本人报备") {
		t.Errorf("filtered by population:\n%s", r.body)
	}
	if r := e.signedIn("nanning").get("/arrivals"); strings.Contains(r.body, "黄小明") {
		t.Errorf("Nanning sees Debao's arrivals:\n%s", r.body)
	}
	admin := e.signedIn("admin")
	must(t, admin.get(show), http.StatusOK, "45102419900101011"[:6])

	// The task list: the overdue test first, met by a test elsewhere.
	r = debao.get("/arrivals/tasks")
	must(t, r, http.StatusOK, "已逾期（1）", "黄小明", `href="tel:13900000001"`, "已在外地检测")
	m := regexp.MustCompile(`action="/obligations/(\d+)/meet"`).FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("no meet form:\n%s", r.body)
	}
	meet := "/obligations/" + m[1] + "/meet"
	must(t, debao.post(meet, url.Values{"note": {" "}}), http.StatusUnprocessableEntity, `id="note-error"`, "请写明在哪里检测的")
	must(t, debao.follow(debao.post(meet, url.Values{"note": {"深圳福田已检"}})), http.StatusOK, "已标记为检测完成", "已逾期（0）")
	must(t, debao.get(show), http.StatusOK, "已完成", "深圳福田已检")
	must(t, debao.post(meet, url.Values{"note": {"again"}}), http.StatusConflict, "只有待完成的检测任务可以标记完成")

	// Every page in English too.
	debao.follow(debao.post("/lang", url.Values{"lang": {"en"}, "next": {"/"}}))
	for _, p := range []string{"/arrivals", "/arrivals/new", "/arrivals/tasks", show} {
		must(t, debao.get(p), http.StatusOK, `<html lang="en">`)
	}
}

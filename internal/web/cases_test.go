package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"cordon"
	"cordon/internal/app"
)

// casesEnv is the testing environment with a commander in 百色 (reads
// cases, masked, and may not change them) and one positive single tube:
// 黄阳性 of the 福记村 grid.
type casesEnv struct {
	*testingEnv
	person cordon.Person
}

func newCasesEnv(t *testing.T) *casesEnv {
	t.Helper()
	e := &casesEnv{testingEnv: newTestingEnv(t)}
	ctx := context.Background()
	if _, err := e.app.CreateAccount(ctx, app.System, cordon.AccountInput{Username: "baise", DisplayName: "百色指挥部",
		Role: cordon.RoleCommander, Jurisdiction: "451000", Password: password}); err != nil {
		t.Fatal(err)
	}
	e.person = e.positive("黄阳性", 80)
	return e
}

// positive registers a person of the grid, samples them in a single tube
// and uploads a positive result for it as the lab.
func (e *testingEnv) positive(name string, n int) cordon.Person {
	e.t.Helper()
	ctx := context.Background()
	p, err := e.app.CreatePerson(ctx, app.System, cordon.PersonInput{Name: name, DocType: cordon.DocCitizenID, IDNumber: ids(n, 1)[0],
		Residence: "451024", Current: e.grid.Code})
	if err != nil {
		e.t.Fatal(err)
	}
	tube := fmt.Sprintf("S%04d", n)
	acks, err := e.app.RegisterSamples(ctx, app.System, []cordon.SampleInput{{Key: tube, RoundID: e.round.ID, PointID: e.point.ID, Tube: tube,
		PoolSize: 1, Group: cordon.GroupKey, PersonID: p.ID}})
	if err != nil || acks[0].Status != cordon.SampleStored {
		e.t.Fatal(acks, err)
	}
	lab := e.signedIn("lab")
	lab.get("/lab/upload")
	must(e.t, lab.postFile("/lab/upload", "pos.csv", []byte("试管条码,检测结果\n"+tube+",阳性\n")), http.StatusOK, "单管阳性 1 人")
	return p
}

// openFromPositives opens a case with the one-click form of the positives
// page and returns the redirect.
func (e *casesEnv) openFromPositives(b *browser, classification string) response {
	e.t.Helper()
	r := b.get("/positives")
	must(e.t, r, http.StatusOK, e.person.Name)
	id := regexpValue(e.t, r.body, `name="positive_id" value="(\d+)"`)
	return b.post("/cases", url.Values{"positive_id": {id}, "classification": {classification}})
}

var caseLink = regexpMust(`^/cases/(\d+)$`)

func TestOpenCaseFromPositives(t *testing.T) {
	e := newCasesEnv(t)
	epi := e.signedIn("debao")
	r := epi.get("/positives")
	must(t, r, http.StatusOK, `action="/cases"`, `value="asymptomatic" selected`, "建立病例")

	r = e.openFromPositives(epi, "asymptomatic")
	if r.status != http.StatusSeeOther || !caseLink.MatchString(r.location) {
		t.Fatalf("open case: %d %q\n%s", r.status, r.location, r.body)
	}
	page := r.location
	must(t, epi.follow(r), http.StatusOK, "病例已建立", "黄阳性", "无症状感染者", `id="clocks"`,
		"报告 2 h · 按时完成", "轨迹 4 h · 待完成 · 截止", "初步流调报告 24 h · 待完成", e.person.IDNumber, `name="version" value="1"`)

	// A second click on the same positive leads to the same case.
	r = e.openFromPositives(epi, "confirmed")
	if r.status != http.StatusSeeOther || r.location != page {
		t.Fatalf("second click: %d %q, want %s", r.status, r.location, page)
	}
	must(t, epi.follow(r), http.StatusOK, "该阳性结果已建立病例，已为您打开", "无症状感染者")

	// The list: the case with its area and clocks; the filter.
	must(t, epi.get("/cases"), http.StatusOK, `href="`+page+`"`, "黄阳性", "福记村", "报告 2 h", "轨迹 4 h", "初步流调报告 24 h")
	must(t, epi.get("/cases?classification=asymptomatic"), http.StatusOK, "黄阳性")
	must(t, epi.get("/cases?classification=confirmed"), http.StatusOK, "没有病例")
	must(t, epi.get("/cases?classification=bogus"), http.StatusUnprocessableEntity, `id="classification-error"`)
	must(t, e.signedIn("admin").get("/audit?action=case.open"), http.StatusOK, "debao", "建立病例")

	// A commander reads cases masked and may not open them.
	cmd := e.signedIn("baise")
	if r := cmd.get("/positives"); r.status != http.StatusOK || strings.Contains(r.body, `name="positive_id"`) {
		t.Errorf("a commander is offered to open cases: %d\n%s", r.status, r.body)
	}
	r = cmd.get("/cases")
	must(t, r, http.StatusOK, `href="/cases"`, "黄阳性", cordon.MaskDocNumber(e.person.IDNumber))
	if strings.Contains(r.body, e.person.IDNumber) {
		t.Error("a commander sees the full ID number")
	}
	if r := cmd.get(page); r.status != http.StatusOK || strings.Contains(r.body, `id="case-edit"`) || strings.Contains(r.body, "/steps") {
		t.Errorf("a commander is offered to change a case: %d\n%s", r.status, r.body)
	}
	must(t, cmd.post("/cases", url.Values{"positive_id": {"1"}, "classification": {"confirmed"}}), http.StatusForbidden)

	// A grid worker and a sampler neither see nor reach cases.
	for _, user := range []string{"gw", "sampler"} {
		b := e.signedIn(user)
		if home := b.get("/"); strings.Contains(home.body, `href="/cases"`) {
			t.Errorf("%s is offered the cases", user)
		}
		must(t, b.get("/cases"), http.StatusForbidden)
		must(t, b.get(page), http.StatusForbidden)
		must(t, b.post("/cases", url.Values{"positive_id": {"1"}, "classification": {"confirmed"}}), http.StatusForbidden)
		must(t, b.post(page+"/steps", url.Values{"step": {"trajectory"}}), http.StatusForbidden)
	}
	// Outside the case's jurisdiction it does not exist.
	must(t, e.signedIn("nanning").get(page), http.StatusNotFound)
	must(t, epi.get("/cases/999999"), http.StatusNotFound)
}

func TestCaseEditAndSteps(t *testing.T) {
	e := newCasesEnv(t)
	epi := e.signedIn("debao")
	page := e.openFromPositives(epi, "asymptomatic").location
	epi.get(page)
	today := time.Now().In(chinaTime).Format(time.DateOnly)
	edit := url.Values{"classification": {"confirmed"}, "severity": {"mild"}, "onset_date": {today}, "variant": {"Omicron"},
		"lineage": {"BA.1"}, "hospital": {"百色市人民医院"}, "outcome": {""}, "origin": {"local"}, "version": {"1"}}
	r := epi.post(page, edit)
	if r.status != http.StatusSeeOther || r.location != page {
		t.Fatalf("edit: %d %q\n%s", r.status, r.location, r.body)
	}
	must(t, epi.follow(r), http.StatusOK, "病例信息已保存", "确诊病例 · 轻型", "百色市人民医院", "BA.1", today,
		"无症状感染者 → 确诊病例", "— → 轻型", `— → <span class="mono">BA.1</span>`, `name="version" value="2"`)

	// The same version again is stale: the form comes back with the message.
	edit.Set("hospital", "德保县人民医院")
	r = epi.post(page, edit)
	must(t, r, http.StatusConflict, "病例已被他人修改，请刷新后重试。", `value="德保县人民医院"`)
	edit.Del("version")
	must(t, epi.post(page, edit), http.StatusConflict, "病例已被他人修改")

	// Wrong fields come back marked; a clinical type is dropped, not
	// refused, when the case is not confirmed.
	r = epi.post(page, url.Values{"classification": {"asymptomatic"}, "onset_date": {today}, "lineage": {"BA 1!"}, "origin": {"local"}, "version": {"2"}})
	must(t, r, http.StatusUnprocessableEntity, `id="onset_date-error"`, "无症状感染者没有发病日期", `id="lineage-error"`)
	r = epi.post(page, url.Values{"classification": {"suspected"}, "severity": {"severe"}, "origin": {"imported"}, "outcome": {"recovered"}, "version": {"2"}})
	must(t, epi.follow(r), http.StatusOK, "疑似病例", "确诊病例 → 疑似病例", "轻型 → —", "境外输入", "治愈出院")

	// Recording the trajectory stops its clock; the button goes.
	r = epi.post(page+"/steps", url.Values{"step": {"trajectory"}})
	r = epi.follow(r)
	must(t, r, http.StatusOK, "已记录活动轨迹报告", "轨迹 4 h · 按时完成", `value="initial_report"`)
	if strings.Contains(r.body, `value="trajectory"`) {
		t.Error("the trajectory can be recorded twice")
	}
	r = epi.follow(epi.post(page+"/steps", url.Values{"step": {"initial_report"}}))
	must(t, r, http.StatusOK, "已记录初步流调报告提交", "初步流调报告 24 h · 按时完成")
	if strings.Contains(r.body, "/steps") {
		t.Error("the step form stays when every step is done")
	}
	must(t, epi.post(page+"/steps", url.Values{"step": {"lunch"}}), http.StatusUnprocessableEntity, "步骤须为活动轨迹或初次流调报告")
}

func TestOpenCaseByHand(t *testing.T) {
	e := newCasesEnv(t)
	p, err := e.app.CreatePerson(context.Background(), app.System, cordon.PersonInput{Name: "韦手工", DocType: cordon.DocCitizenID,
		IDNumber: ids(90, 1)[0], Residence: "451024", Current: fuji})
	if err != nil {
		t.Fatal(err)
	}
	person := fmt.Sprintf("/persons/%d", p.ID)
	form := "/cases/new?person=" + fmt.Sprint(p.ID)
	epi := e.signedIn("debao")
	must(t, epi.get(person), http.StatusOK, `href="`+form+`"`)
	must(t, epi.get(form), http.StatusOK, "韦手工", `name="person_id"`, `name="jurisdiction"`, `<option value="">请选择</option>`)
	r := epi.post("/cases", url.Values{"person_id": {fmt.Sprint(p.ID)}, "origin": {"local"}})
	must(t, r, http.StatusUnprocessableEntity, `id="classification-error"`, "韦手工")
	r = epi.post("/cases", url.Values{"person_id": {fmt.Sprint(p.ID)}, "classification": {"suspected"}, "origin": {"imported"}, "jurisdiction": {"450102"}})
	must(t, r, http.StatusForbidden, `id="jurisdiction-error"`, "病例只能在您的辖区内建立")
	r = epi.post("/cases", url.Values{"person_id": {fmt.Sprint(p.ID)}, "classification": {"suspected"}, "origin": {"imported"}})
	if r.status != http.StatusSeeOther || !caseLink.MatchString(r.location) {
		t.Fatalf("open by hand: %d %q\n%s", r.status, r.location, r.body)
	}
	must(t, epi.follow(r), http.StatusOK, "病例已建立", "韦手工", "疑似病例", "境外输入", "福记村", "报告 2 h · 按时完成")

	cmd := e.signedIn("baise")
	if r := cmd.get(person); strings.Contains(r.body, "/cases/new") {
		t.Error("a commander is offered to open a case")
	}
	must(t, cmd.get(form), http.StatusForbidden)
	must(t, e.signedIn("sampler").get(form), http.StatusForbidden)
	must(t, epi.get("/cases/new"), http.StatusNotFound)
	must(t, epi.get("/cases/new?person=999999"), http.StatusNotFound)
}

// TestCasePagesEveryLanguage renders the case pages in both languages and
// fails on a missing translation (newEnv's cleanup) or an error.
func TestCasePagesEveryLanguage(t *testing.T) {
	e := newCasesEnv(t)
	epi := e.signedIn("debao")
	page := e.openFromPositives(epi, "asymptomatic").location
	epi.get(page)
	epi.post(page, url.Values{"classification": {"confirmed"}, "severity": {"critical"}, "lineage": {"BA.2"}, "outcome": {"deceased"}, "origin": {"local"}, "version": {"1"}})
	paths := []string{"/", "/positives", "/cases", "/cases?classification=confirmed", page, fmt.Sprintf("/cases/new?person=%d", e.person.ID),
		fmt.Sprintf("/persons/%d", e.person.ID), "/chains"}
	want := map[string][]string{"zh-CN": {"病例", "危重型", "死亡"}, "en": {"Reporting clocks", "Critical", "Deceased", "Open case"}}
	for _, user := range []string{"debao", "admin", "baise"} {
		b := e.signedIn(user)
		for _, lang := range []string{"zh-CN", "en"} {
			b.follow(b.post("/lang", url.Values{"lang": {lang}, "next": {"/"}}))
			for _, p := range paths {
				if user == "baise" && strings.HasPrefix(p, "/cases/new") {
					continue
				}
				r := b.get(p)
				if r.status != http.StatusOK || !strings.Contains(r.body, `<html lang="`+lang+`">`) {
					t.Errorf("%s %s %s: %d\n%s", user, lang, p, r.status, r.body)
				}
			}
			r := b.get(page)
			for _, s := range want[lang] {
				if s == "Open case" && user == "baise" {
					continue
				}
				if s == "Open case" {
					r = b.get("/positives")
				}
				if !strings.Contains(r.body, s) {
					t.Errorf("%s %s lacks %q", user, lang, s)
				}
			}
		}
	}
	if strings.Contains(e.logs.String(), "level=ERROR") {
		t.Errorf("errors logged:\n%s", e.logs.String())
	}
}

func TestClockViews(t *testing.T) {
	due := time.Date(2022, 2, 8, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		clock cordon.Clock
		want  string
	}{
		{cordon.Clock{Due: due}, "pending"},
		{cordon.Clock{Due: due, Overdue: true}, "overdue"},
		{cordon.Clock{Due: due, DoneAt: due.Add(-time.Minute)}, "done"},
		{cordon.Clock{Due: due, DoneAt: due.Add(time.Minute), Overdue: true}, "late"},
	} {
		if got := clockViews([]cordon.Clock{tc.clock})[0].State; got != tc.want {
			t.Errorf("%+v: %s, want %s", tc.clock, got, tc.want)
		}
	}
}

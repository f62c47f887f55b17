package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The investigation page: a draft saved through the form without script,
// a refused row shown again on the row it was typed in, a submission
// refused while days are missing, then accepted, which stops the clocks;
// readers see it masked and without the form.
func TestInvestigationPage(t *testing.T) {
	e := newCasesEnv(t)
	epi := e.signedIn("debao")
	casePage := e.openFromPositives(epi, "asymptomatic").location
	page := casePage + "/investigation"
	must(t, epi.get(casePage), http.StatusOK, `href="`+page+`"`, `href="`+page+`/report.pdf"`, "流行病学调查")

	r := epi.get(page)
	must(t, r, http.StatusOK, "流行病学调查", "草稿", `id="investigation-form"`, `name="itinerary.1.from"`, `name="itinerary.3.from"`,
		`name="household.1.name"`, `name="home_days"`, "缺少记录", `name="version" value="0"`, `src="/static/investigation.`)

	now := time.Now().In(chinaTime)
	yesterday := now.AddDate(0, 0, -1).Format(time.DateOnly)
	form := url.Values{
		"version":               {"0"},
		"investigators":         {"德保县疾控中心 李某"},
		"occupation":            {"货车司机"},
		"household.1.name":      {"黄妻"},
		"household.1.relation":  {"配偶"},
		"household.1.id_number": {citizenID("45102419910202124")},
		"household.1.phone":     {"13911112222"},
		"household.1.tested":    {"1"},
		"household.2.name":      {""},
		// Row 1 left blank; row 2 the market; row 3 ends before it starts.
		"itinerary.1.place":             {""},
		"itinerary.2.from":              {yesterday + "T10:00"},
		"itinerary.2.to":                {yesterday + "T11:00"},
		"itinerary.2.place":             {"德保县城关镇农贸市场"},
		"itinerary.2.companions":        {"韦某、李某"},
		"itinerary.3.from":              {yesterday + "T08:00"},
		"itinerary.3.to":                {yesterday + "T07:00"},
		"itinerary.3.place":             {"德保县人民医院"},
		"itinerary.3.transport.mode":    {"car"},
		"itinerary.3.transport.vehicle": {"桂l12345"},
		"action":                        {"save"},
	}
	r = epi.post(page, form)
	must(t, r, http.StatusUnprocessableEntity, `id="itinerary-3-to-error"`, "结束时间不能早于开始时间", `value="德保县人民医院"`, `value="桂l12345"`)
	if strings.Contains(r.body, `id="itinerary-2-to-error"`) {
		t.Error("the fault is shown on the wrong row")
	}

	form.Set("itinerary.3.to", yesterday+"T09:00")
	r = epi.post(page, form)
	if r.status != http.StatusSeeOther || r.location != page {
		t.Fatalf("save: %d %q\n%s", r.status, r.location, r.body)
	}
	r = epi.follow(r)
	must(t, r, http.StatusOK, "调查草稿已保存", `name="version" value="1"`, `value="桂L·12345"`, `value="韦某、李某"`, `name="itinerary.4.from"`)
	// Sorted by time: the hospital first.
	if strings.Index(r.body, "德保县人民医院") > strings.Index(r.body, "德保县城关镇农贸市场") {
		t.Error("the itinerary is not in time order")
	}

	// Submitting with days missing saves, then says what is missing.
	form = url.Values{"version": {"1"}, "investigators": {"德保县疾控中心 李某"}, "action": {"initial_report"},
		"itinerary.1.from": {yesterday + "T08:00"}, "itinerary.1.to": {yesterday + "T09:00"}, "itinerary.1.place": {"德保县人民医院"},
		"source.kind": {"unknown"}, "source.reasoning": {"无外出旅居史。"}}
	r = epi.post(page, form)
	must(t, r, http.StatusUnprocessableEntity, "已保存草稿，但尚不能提交", "当天没有活动记录，也未标记居家。", `name="version" value="2"`)

	// Every other day at home: submitted.
	form.Set("version", "2")
	for d := now.AddDate(0, 0, -14); !d.After(now); d = d.AddDate(0, 0, 1) {
		if day := d.Format(time.DateOnly); day != yesterday {
			form.Add("home_days", day)
		}
	}
	r = epi.post(page, form)
	if r.status != http.StatusSeeOther {
		t.Fatalf("submit: %d\n%s", r.status, r.body)
	}
	must(t, epi.follow(r), http.StatusOK, "已保存并提交初步流调报告", "已提交", "初步报告提交时间")
	must(t, epi.get(casePage), http.StatusOK, "轨迹 4 h · 按时完成", "初步流调报告 24 h · 按时完成")

	r = epi.get(page + "/report.pdf")
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(r.body, "%PDF-") {
		t.Errorf("report: %d %s", r.status, r.header.Get("Content-Type"))
	}

	// A stale form is a conflict, shown on the form.
	form.Set("version", "1")
	must(t, epi.post(page, form), http.StatusConflict, "调查已被他人修改")

	// A commander reads without the form and with the numbers masked.
	cmd := e.signedIn("baise")
	r = cmd.get(page)
	must(t, r, http.StatusOK, "已提交", "德保县人民医院", "居家未外出", "来源不明")
	if strings.Contains(r.body, `id="investigation-form"`) || strings.Contains(r.body, "13911112222") {
		t.Errorf("a commander is offered the form or reads the phone:\n%s", r.body)
	}
	must(t, cmd.post(page, url.Values{"version": {"3"}, "action": {"save"}}), http.StatusForbidden)
	must(t, e.signedIn("nanning").get(page), http.StatusNotFound)
	must(t, e.signedIn("gw").get(page), http.StatusForbidden)
	must(t, e.signedIn("gw").get(page+"/report.pdf"), http.StatusForbidden)
}

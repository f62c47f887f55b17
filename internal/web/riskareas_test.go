package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The risk-area page: public without sign-in, in Chinese by default,
// grouped by tier (highest first) and city; a commander declares, is told
// what is wrong, and lifts; an epidemiologist sees no forms.
func TestRiskAreasPage(t *testing.T) {
	e := newEnv(t)
	town := e.app.Directory().Children("450103")[0] // a sub-district of 青秀区, 南宁市
	anon := e.browser()
	r := anon.get("/risk-areas")
	must(t, r, http.StatusOK, `<html lang="zh-CN">`, "目前没有风险区")
	if strings.Contains(r.body, `id="declare"`) {
		t.Error("the public page offers the declare form")
	}

	b := e.signedIn("nanning")
	must(t, b.get("/risk-areas"), http.StatusOK, `id="declare"`, `<option value="high"`)
	must(t, b.post("/risk-areas", url.Values{"tier": {"high"}, "jurisdiction": {"450103"}, "name": {"青秀区"}}),
		http.StatusUnprocessableEntity, `id="jurisdiction-error"`, "风险区须划到乡镇（街道）或更细")
	must(t, b.post("/risk-areas", url.Values{"tier": {"medium"}, "jurisdiction": {town.Code}, "name": {"某小区"}}),
		http.StatusUnprocessableEntity, `id="tier-error"`)
	r = b.post("/risk-areas", url.Values{"tier": {"low"}, "jurisdiction": {town.Code}, "name": {town.Name + "全域"}})
	must(t, b.follow(r), http.StatusOK, "风险区已划定")
	b.follow(b.post("/risk-areas", url.Values{"tier": {"high"}, "jurisdiction": {town.Code}, "name": {"凤岭小区"}}))

	r = anon.get("/risk-areas")
	must(t, r, http.StatusOK, "高风险区", "低风险区", "凤岭小区", town.Name+"全域", "南宁市")
	if hi, lo := strings.Index(r.body, `id="tier-high"`), strings.Index(r.body, `id="tier-low"`); hi < 0 || lo < hi {
		t.Errorf("high at %d, low at %d: the highest tier comes first", hi, lo)
	}
	if strings.Contains(r.body, "/risk-areas/") {
		t.Error("the public page carries staff forms")
	}
	if r := e.signedIn("debao").get("/risk-areas"); strings.Contains(r.body, `id="declare"`) || r.status != 200 {
		t.Errorf("an epidemiologist's page: %d, declare form %v", r.status, strings.Contains(r.body, `id="declare"`))
	}

	areas, err := e.app.PublicRiskAreas(t.Context())
	if err != nil || len(areas) != 2 {
		t.Fatalf("areas: %v %v", areas, err)
	}
	id := areas[0].ID
	for _, a := range areas {
		if a.Name == "凤岭小区" {
			id = a.ID
		}
	}
	lift := "/risk-areas/" + itoa(id) + "/lift"
	b.get("/risk-areas")
	must(t, b.post(lift, url.Values{"reason": {""}}), http.StatusUnprocessableEntity, `id="reason-error"`)
	must(t, b.follow(b.post(lift, url.Values{"reason": {"连续5天无新增"}})), http.StatusOK, "风险区已解除")
	if r := anon.get("/risk-areas"); strings.Contains(r.body, "凤岭小区") || !strings.Contains(r.body, town.Name+"全域") {
		t.Errorf("after lifting:\n%s", r.body)
	}
}

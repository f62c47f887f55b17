package api_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"cordon"
)

// The risk-area endpoints under the edition in force today (high and low
// tiers): declaring with its refusals, reading in scope, proposals, the
// early step-down refused, lifting, the public list and the export.
func TestRiskAreasAPI(t *testing.T) {
	f := newFixture(t)
	boss, epi, nanning := f.token("baise"), f.token("debao"), f.token("nanning")
	problemOf := func(method, path, token string, body any, status int, code string) {
		t.Helper()
		var p problem
		resp := f.do(method, path, token, body, &p)
		if resp.StatusCode != status || p.Code != code {
			t.Errorf("%s %s: %d %+v, want %d %s", method, path, resp.StatusCode, p, status, code)
		}
	}
	var area cordon.RiskArea
	resp := f.do("POST", "/api/v1/risk-areas", boss, map[string]any{"tier": "high", "jurisdiction": "451024100", "name": "城关镇维也纳酒店",
		"geojson": `{"type":"Polygon","coordinates":[[[106.6,23.3],[106.7,23.3],[106.7,23.4],[106.6,23.3]]]}`}, &area)
	if resp.StatusCode != 201 || resp.Header.Get("Location") != "/api/v1/risk-areas/"+itoa(area.ID) || area.Tier != "high" || area.JurisdictionName == "" {
		t.Fatalf("declare: %d %+v", resp.StatusCode, area)
	}
	problemOf("POST", "/api/v1/risk-areas", boss, map[string]any{"tier": "medium", "jurisdiction": "451024100", "name": "x"}, 422, "riskarea.tier_invalid")
	problemOf("POST", "/api/v1/risk-areas", boss, map[string]any{"tier": "high", "jurisdiction": "451024", "name": "德保县"}, 422, "riskarea.jurisdiction_too_coarse")
	problemOf("POST", "/api/v1/risk-areas", boss, map[string]any{"tier": "high", "jurisdiction": "451024100", "name": "x", "geojson": `{"type":"Point"}`}, 422, "riskarea.geojson_invalid")
	problemOf("POST", "/api/v1/risk-areas", epi, map[string]any{"tier": "high", "jurisdiction": "451024100", "name": "x"}, 403, "auth.forbidden")
	path := "/api/v1/risk-areas/" + itoa(area.ID)
	problemOf("GET", path, nanning, nil, 404, "riskarea.not_found")
	var got cordon.RiskArea
	if resp := f.do("GET", path, epi, nil, &got); resp.StatusCode != 200 || got.Name != "城关镇维也纳酒店" {
		t.Errorf("get: %d %+v", resp.StatusCode, got)
	}
	var props struct{ Items []cordon.StepDownProposal }
	if resp := f.do("GET", "/api/v1/risk-areas/proposals", boss, nil, &props); resp.StatusCode != 200 || len(props.Items) != 1 ||
		props.Items[0].To != "low" || props.Items[0].Ready {
		t.Errorf("proposals: %d %+v", resp.StatusCode, props)
	}
	problemOf("POST", path+"/step-down", boss, nil, 409, "riskarea.step_down_not_due")

	var pub struct{ Items []cordon.RiskArea }
	if resp := f.do("GET", "/api/v1/public/risk-areas", "", nil, &pub); resp.StatusCode != 200 || len(pub.Items) != 1 || pub.Items[0].DeclaredBy != 0 {
		t.Errorf("public: %d %+v", resp.StatusCode, pub)
	}
	resp = f.do("GET", "/api/v1/risk-areas/export?format=csv", epi, nil, nil)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "城关镇维也纳酒店") || !strings.Contains(string(body), "高风险区") {
		t.Errorf("export: %d %s", resp.StatusCode, body)
	}
	problemOf("POST", path+"/lift", boss, map[string]string{"reason": ""}, 422, "riskarea.reason_required")
	if resp := f.do("POST", path+"/lift", boss, map[string]string{"reason": "连续5天无新增"}, nil); resp.StatusCode != http.StatusNoContent {
		t.Errorf("lift: %d", resp.StatusCode)
	}
	if f.do("GET", "/api/v1/public/risk-areas", "", nil, &pub); len(pub.Items) != 0 {
		t.Errorf("public after lifting: %+v", pub)
	}
}

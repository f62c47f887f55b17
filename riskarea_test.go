package cordon

import (
	"errors"
	"testing"
	"time"
)

func TestRiskAreaValidate(t *testing.T) {
	cn9, _ := Edition("cn-9")
	from := time.Date(2022, 8, 1, 0, 0, 0, 0, ChinaTime)
	square := `{"type":"Polygon","coordinates":[[[107.2,24.1],[107.3,24.1],[107.3,24.2],[107.2,24.1]]]}`
	good := RiskArea{Edition: "cn-9", Tier: "high", Jurisdiction: "451024100", Name: "维也纳酒店", GeoJSON: square, From: from}
	tests := []struct {
		name string
		edit func(*RiskArea)
		p    string
		code string
	}{
		{"good", func(*RiskArea) {}, "cn-9", ""},
		{"village", func(r *RiskArea) { r.Jurisdiction = "451024100001" }, "cn-9", ""},
		{"multipolygon", func(r *RiskArea) {
			r.GeoJSON = `{"type":"MultiPolygon","coordinates":[[[[1,1],[2,1],[2,2],[1,1]]]]}`
		}, "cn-9", ""},
		{"sealed under cn-9", func(r *RiskArea) { r.Tier = "sealed" }, "cn-9", "riskarea.tier_invalid"},
		{"medium under cn-20", func(r *RiskArea) { r.Tier = "medium" }, "cn-20", "riskarea.tier_invalid"},
		{"sealed under gx", func(r *RiskArea) { r.Tier = "sealed" }, "gx-2022-01", ""},
		{"county", func(r *RiskArea) { r.Jurisdiction = "451024" }, "cn-9", "riskarea.jurisdiction_too_coarse"},
		{"province", func(r *RiskArea) { r.Jurisdiction = "450000" }, "cn-9", "riskarea.jurisdiction_too_coarse"},
		{"open ring", func(r *RiskArea) {
			r.GeoJSON = `{"type":"Polygon","coordinates":[[[107.2,24.1],[107.3,24.1],[107.3,24.2],[107.2,24.2]]]}`
		}, "cn-9", "riskarea.geojson_invalid"},
		{"latitude", func(r *RiskArea) {
			r.GeoJSON = `{"type":"Polygon","coordinates":[[[107.2,94.1],[107.3,24.1],[107.3,24.2],[107.2,94.1]]]}`
		}, "cn-9", "riskarea.geojson_invalid"},
		{"point", func(r *RiskArea) { r.GeoJSON = `{"type":"Point","coordinates":[107.2,24.1]}` }, "cn-9", "riskarea.geojson_invalid"},
		{"not json", func(r *RiskArea) { r.GeoJSON = `{` }, "cn-9", "riskarea.geojson_invalid"},
		{"to before from", func(r *RiskArea) { r.To = from.Add(-time.Hour) }, "cn-9", "riskarea.dates_invalid"},
		{"no from", func(r *RiskArea) { r.From = time.Time{} }, "cn-9", "riskarea.dates_invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := good
			tt.edit(&r)
			p, _ := Edition(tt.p)
			err := r.Validate(p)
			if tt.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != tt.code {
				t.Fatalf("err = %v, want %s", err, tt.code)
			}
		})
	}
	err := RiskArea{Tier: "sealed", Jurisdiction: "451024100", Name: "x", From: from}.Validate(cn9)
	if e := (*Error)(nil); !errors.As(err, &e) || e.Message != "cn-9 has the tiers high, medium, low" {
		t.Fatalf("message = %v", err)
	}
}

func TestStepDownCN9(t *testing.T) {
	cn9, _ := Edition("cn-9")
	day := func(d, h int) time.Time { return time.Date(2022, 8, d, h, 0, 0, 0, ChinaTime) }
	high := RiskArea{ID: 1, Edition: "cn-9", Tier: "high", From: day(1, 14), TierSince: day(1, 14)}
	// Last infection on 08-01: 7 clear days 08-02..08-08, medium from 08-09.
	p, ok := StepDown(high, day(1, 10), day(5, 0), cn9)
	if !ok || p.To != "medium" || !p.Due.Equal(day(9, 0)) || p.Ready {
		t.Fatalf("high: %+v %v", p, ok)
	}
	// A new infection on 08-04 moves it to 08-12.
	if p, _ := StepDown(high, day(4, 20), day(12, 0), cn9); !p.Due.Equal(day(12, 0)) || !p.Ready {
		t.Fatalf("after a new infection: %+v", p)
	}
	// Stepped down to medium at 08-09 00:00: 3 more days, low from 08-12.
	medium := high
	medium.Tier, medium.PrevTier, medium.TierSince = "medium", "high", day(9, 0)
	if p, _ := StepDown(medium, day(1, 10), day(12, 0), cn9); p.To != "low" || !p.Due.Equal(day(12, 0)) || !p.Ready {
		t.Fatalf("medium after high: %+v", p)
	}
	// A standalone medium area takes 7 days.
	alone := RiskArea{ID: 2, Edition: "cn-9", Tier: "medium", From: day(3, 9), TierSince: day(3, 9)}
	if p, _ := StepDown(alone, time.Time{}, day(5, 0), cn9); !p.Due.Equal(day(11, 0)) {
		t.Fatalf("standalone medium: %+v", p)
	}
	low := RiskArea{Edition: "cn-9", Tier: "low", TierSince: day(1, 0)}
	if _, ok := StepDown(low, time.Time{}, day(20, 0), cn9); ok {
		t.Fatal("low steps down")
	}
	lifted := high
	lifted.LiftedAt = day(3, 0)
	if _, ok := StepDown(lifted, time.Time{}, day(20, 0), cn9); ok {
		t.Fatal("a lifted area steps down")
	}
	cn20, _ := Edition("cn-20")
	h20 := RiskArea{Edition: "cn-20", Tier: "high", TierSince: day(1, 14)}
	if p, _ := StepDown(h20, day(1, 10), day(1, 20), cn20); p.To != "low" || !p.Due.Equal(day(7, 0)) {
		t.Fatalf("cn-20: %+v", p)
	}
}

func TestHighestRiskArea(t *testing.T) {
	areas := []RiskArea{
		{ID: 1, Edition: "cn-9", Tier: "low"},
		{ID: 2, Edition: "cn-9", Tier: "high"},
		{ID: 3, Edition: "cn-9", Tier: "medium"},
		{ID: 4, Edition: "cn-9", Tier: "high"},
	}
	if a, ok := HighestRiskArea(areas); !ok || a.ID != 2 {
		t.Fatalf("highest = %+v", a)
	}
	if _, ok := HighestRiskArea(nil); ok {
		t.Fatal("no areas resolved to one")
	}
	if tr, _ := Edition("gx-2022-01"); len(tr.RiskTiers) != 3 || tr.RiskTiers[0].Reason != ReasonHighRiskArea || tr.RiskTiers[1].Reason != ReasonMediumRiskArea {
		t.Fatalf("gx tiers = %+v", tr.RiskTiers)
	}
}

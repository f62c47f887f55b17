package app_test

import (
	"testing"
	"time"

	"cordon"
	"cordon/internal/app"
)

const debaoTown = "451024100" // 德保县城关镇

func TestRiskAreas(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		if err := s.app.SetPolicy(s.ctx, app.System, cordon.PolicyAssignment{Jurisdiction: debao, From: "2022-01-01", Edition: "cn-9"}); err != nil {
			t.Fatal(err)
		}
		boss := s.account(cordon.RoleCommander, debao).Actor()
		now := s.clock.Now()
		declare := func(r cordon.RiskArea) cordon.RiskArea {
			t.Helper()
			r, err := s.app.DeclareRiskArea(s.ctx, boss, r)
			if err != nil {
				t.Fatalf("declare %s: %v", r.Name, err)
			}
			return r
		}
		high := declare(cordon.RiskArea{Tier: "high", Jurisdiction: chengdong, Name: "城东社区", Reason: "本土病例", From: now})
		medium := declare(cordon.RiskArea{Tier: "medium", Jurisdiction: debaoTown, Name: "城关镇", From: now})
		if high.Edition != "cn-9" || !high.TierSince.Equal(now) {
			t.Fatalf("declared: %+v", high)
		}
		for _, tc := range []struct {
			r    cordon.RiskArea
			code string
		}{
			{cordon.RiskArea{Tier: "sealed", Jurisdiction: chengdong, Name: "x"}, "riskarea.tier_invalid"},
			{cordon.RiskArea{Tier: "high", Jurisdiction: debao, Name: "德保县"}, "riskarea.jurisdiction_too_coarse"},
			{cordon.RiskArea{Tier: "high", Jurisdiction: chengdong, Name: "x", GeoJSON: `{"type":"Polygon","coordinates":[[[1,1],[2,1],[2,2]]]}`}, "riskarea.geojson_invalid"},
			{cordon.RiskArea{Tier: "high", Jurisdiction: chengdong, Name: "x", From: now, To: now.Add(-time.Hour)}, "riskarea.dates_invalid"},
		} {
			if _, err := s.app.DeclareRiskArea(s.ctx, boss, tc.r); cordon.ErrorCode(err) != tc.code {
				t.Errorf("%+v: %v, want %s", tc.r, err, tc.code)
			}
		}
		// Scope and permission.
		if _, err := s.app.DeclareRiskArea(s.ctx, s.account(cordon.RoleCommander, nanning).Actor(),
			cordon.RiskArea{Tier: "high", Jurisdiction: chengdong, Name: "x"}); cordon.ErrorKind(err) != cordon.KindForbidden {
			t.Errorf("Nanning declaring in Debao: %v", err)
		}
		if _, err := s.app.DeclareRiskArea(s.ctx, s.account(cordon.RoleEpidemiologist, debao).Actor(),
			cordon.RiskArea{Tier: "high", Jurisdiction: chengdong, Name: "x"}); cordon.ErrorKind(err) != cordon.KindForbidden {
			t.Errorf("an epidemiologist declaring: %v", err)
		}
		if got, err := s.app.RiskAreas(s.ctx, s.account(cordon.RoleCommander, nanning).Actor(), cordon.RiskAreaFilter{}); err != nil || len(got) != 0 {
			t.Errorf("Nanning sees %d areas: %v", len(got), err)
		}
		if _, err := s.app.RiskArea(s.ctx, s.account(cordon.RoleCommander, nanning).Actor(), high.ID); cordon.ErrorKind(err) != cordon.KindNotFound {
			t.Errorf("Nanning reading a Debao area: %v", err)
		}

		// Overlapping areas: both kept, the highest tier wins.
		over, err := s.app.RiskAreasAt(s.ctx, chengdong, now.Add(time.Minute))
		if err != nil || len(over) != 2 {
			t.Fatalf("areas over 城东: %d %v", len(over), err)
		}
		if top, _ := cordon.HighestRiskArea(over); top.ID != high.ID {
			t.Errorf("highest = %+v", top)
		}
		if other, _ := s.app.RiskAreasAt(s.ctx, fuji, now.Add(time.Minute)); len(other) != 0 {
			t.Errorf("都安乡 lies in %d areas", len(other))
		}
		pub, err := s.app.PublicRiskAreas(s.ctx)
		if err != nil || len(pub) != 2 || pub[0].JurisdictionName == "" {
			t.Fatalf("public: %+v %v", pub, err)
		}

		// A case in 城东 on 02-08 09:00; the high area steps down on 02-16.
		epi := s.account(cordon.RoleEpidemiologist, debao).Actor()
		if _, err := s.app.OpenCase(s.ctx, epi, cordon.CaseInput{PersonID: s.person(livingAt(debao, chengdong)).ID, Classification: cordon.Confirmed}); err != nil {
			t.Fatal(err)
		}
		props, err := s.app.ProposeStepDowns(s.ctx, boss)
		if err != nil || len(props) != 2 {
			t.Fatalf("proposals: %+v %v", props, err)
		}
		day := func(d int) time.Time { return time.Date(2022, 2, d, 0, 0, 0, 0, cordon.ChinaTime) }
		for _, p := range props {
			want := map[int64]time.Time{high.ID: day(16), medium.ID: day(16)}[p.AreaID] // the medium area is standalone: 7 days too
			if !p.Due.Equal(want) || p.Ready {
				t.Errorf("proposal %+v, want due %v", p, want)
			}
		}
		if _, err := s.app.ConfirmStepDown(s.ctx, boss, high.ID); cordon.ErrorCode(err) != "riskarea.step_down_not_due" {
			t.Errorf("early step-down: %v", err)
		}
		s.clock.Advance(day(16).Sub(s.clock.Now()) + time.Hour)
		if _, err := s.app.ConfirmStepDown(s.ctx, epi, high.ID); cordon.ErrorKind(err) != cordon.KindForbidden {
			t.Errorf("an epidemiologist confirming: %v", err)
		}
		r, err := s.app.ConfirmStepDown(s.ctx, boss, high.ID)
		if err != nil || r.Tier != "medium" || r.PrevTier != "high" {
			t.Fatalf("step-down: %+v %v", r, err)
		}
		// Medium after high: 3 more days from 02-17 (confirmed 02-16 01:00).
		props, _ = s.app.ProposeStepDowns(s.ctx, boss)
		for _, p := range props {
			if p.AreaID == high.ID && (p.To != "low" || !p.Due.Equal(day(20))) {
				t.Errorf("medium after high: %+v", p)
			}
		}
		if got := s.audit(cordon.AuditFilter{Action: "riskarea.step_down"}); len(got) != 1 || got[0].Detail != "high -> medium" {
			t.Errorf("step-down audit: %+v", got)
		}
		if len(s.audit(cordon.AuditFilter{Action: "riskarea.declare"})) != 2 {
			t.Error("declarations not audited")
		}

		// Lifting needs a reason, and a lifted area is gone from the public list.
		if err := s.app.LiftRiskArea(s.ctx, boss, medium.ID, ""); cordon.ErrorCode(err) != "riskarea.reason_required" {
			t.Errorf("lift without reason: %v", err)
		}
		if err := s.app.LiftRiskArea(s.ctx, boss, medium.ID, "全域解封"); err != nil {
			t.Fatal(err)
		}
		if err := s.app.LiftRiskArea(s.ctx, boss, medium.ID, "全域解封"); cordon.ErrorCode(err) != "riskarea.lifted" {
			t.Errorf("lifted twice: %v", err)
		}
		if pub, _ := s.app.PublicRiskAreas(s.ctx); len(pub) != 1 || pub[0].ID != high.ID {
			t.Errorf("public after lifting: %+v", pub)
		}
		if all, _ := s.app.RiskAreas(s.ctx, boss, cordon.RiskAreaFilter{Lifted: true}); len(all) != 2 {
			t.Errorf("with lifted: %d", len(all))
		}
	})
}

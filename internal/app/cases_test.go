package app_test

import (
	"strings"
	"testing"
	"time"

	"cordon"
	"cordon/internal/app"
)

// A positive single tube becomes a case in one step; the case carries the
// person, the sampling date and the area, meets the report clock when it
// opens and runs the others from the positive.
func TestOpenCaseFromPositive(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		member := s.person(livingAt(debao, s.grid.Code))
		s.register(cordon.SampleInput{Key: "x", RoundID: s.round.ID, PointID: s.point.ID, Tube: "S1", PoolSize: 1, Group: cordon.GroupKey, PersonID: member.ID})
		s.results(cordon.LabResultInput{Barcode: "S1", Outcome: cordon.OutcomePositive, CtORF1ab: 22})
		ps, err := s.app.Positives(s.ctx, app.System, 0, 10)
		if err != nil || len(ps) != 1 {
			t.Fatalf("positives: %+v %v", ps, err)
		}
		epi := s.account(cordon.RoleEpidemiologist, debao).Actor()
		s.clock.Advance(time.Hour)
		c, err := s.app.OpenCase(s.ctx, epi, cordon.CaseInput{PositiveID: ps[0].ID, Classification: cordon.Asymptomatic})
		if err != nil {
			t.Fatal(err)
		}
		if c.PersonID != member.ID || c.Jurisdiction != s.grid.Code || c.SamplingDate != "2022-02-08" || c.Origin != cordon.Local || c.IDNumber != member.IDNumber {
			t.Errorf("case: %+v", c)
		}
		if len(c.Clocks) != 3 || c.Clocks[0].DoneAt.IsZero() || c.Clocks[0].Overdue || !c.Clocks[1].Due.Equal(ps[0].DetectedAt.Add(4*time.Hour)) {
			t.Errorf("clocks: %+v", c.Clocks)
		}
		// One click twice opens nothing new.
		_, err = s.app.OpenCase(s.ctx, epi, cordon.CaseInput{PositiveID: ps[0].ID, Classification: cordon.Asymptomatic})
		if e, ok := err.(*cordon.Error); !ok || e.Code != "case.exists" || e.Extra["id"] != c.ID {
			t.Errorf("second opening: %v", err)
		}
		// Five hours after the positive the trajectory is overdue; once
		// submitted late it stays flagged.
		s.clock.Advance(4 * time.Hour)
		got, err := s.app.Case(s.ctx, epi, c.ID, "流调")
		if err != nil || !got.Clocks[1].Overdue || got.Clocks[2].Overdue {
			t.Fatalf("clocks after 5 h: %+v %v", got.Clocks, err)
		}
		got, err = s.app.MarkCaseStep(s.ctx, epi, c.ID, "trajectory")
		if err != nil || got.TrajectoryAt.IsZero() || !got.Clocks[1].Overdue {
			t.Errorf("late trajectory: %+v %v", got.Clocks, err)
		}
		// Reclassified with sequencing: kept as history.
		got, err = s.app.UpdateCase(s.ctx, epi, c.ID, cordon.CaseInput{Classification: cordon.Confirmed, Severity: cordon.Mild,
			OnsetDate: "2022-02-08", Variant: "Omicron", Lineage: "BA.1", Version: got.Version})
		if err != nil {
			t.Fatal(err)
		}
		if got.Classification != cordon.Confirmed || len(got.History) != 3 || got.History[0].From != "asymptomatic" || got.History[0].To != "confirmed" {
			t.Errorf("history: %+v", got.History)
		}
		if _, err := s.app.UpdateCase(s.ctx, epi, c.ID, cordon.CaseInput{Classification: cordon.Confirmed, Version: 1}); cordon.ErrorCode(err) != "case.changed" {
			t.Errorf("stale version: %v", err)
		}
		// A commander reads it masked; Nanning does not see it; a grid
		// worker may not read cases at all.
		cmd := s.account(cordon.RoleCommander, baise).Actor()
		if got, err := s.app.Case(s.ctx, cmd, c.ID, ""); err != nil || !strings.Contains(got.IDNumber, "*") {
			t.Errorf("commander: %q %v", got.IDNumber, err)
		}
		if _, err := s.app.Case(s.ctx, s.account(cordon.RoleEpidemiologist, nanning).Actor(), c.ID, ""); cordon.ErrorKind(err) != cordon.KindNotFound {
			t.Errorf("Nanning reading a Debao case: %v", err)
		}
		if _, err := s.app.Cases(s.ctx, s.account(cordon.RoleGridWorker, s.grid.Code).Actor(), cordon.CaseFilter{}); cordon.ErrorKind(err) != cordon.KindForbidden {
			t.Errorf("grid worker listing cases: %v", err)
		}
		if len(s.audit(cordon.AuditFilter{Action: "case.read"})) == 0 {
			t.Error("reads of a case are audited")
		}
	})
}

func TestCaseInputValidation(t *testing.T) {
	now := time.Date(2022, 2, 8, 9, 0, 0, 0, cordon.ChinaTime)
	cases := []struct {
		in   cordon.CaseInput
		code string
	}{
		{cordon.CaseInput{Classification: "mild"}, "case.classification_invalid"},
		{cordon.CaseInput{Classification: cordon.Asymptomatic, Severity: cordon.Mild}, "case.severity_invalid"},
		{cordon.CaseInput{Classification: cordon.Asymptomatic, OnsetDate: "2022-02-01"}, "case.onset_asymptomatic"},
		{cordon.CaseInput{Classification: cordon.Confirmed, OnsetDate: "2022-02-30"}, "case.date_invalid"},
		{cordon.CaseInput{Classification: cordon.Confirmed, OnsetDate: "2022-03-01"}, "case.date_invalid"},
		{cordon.CaseInput{Classification: cordon.Confirmed, Lineage: "BA.1<script>"}, "case.lineage_invalid"},
		{cordon.CaseInput{Classification: cordon.Confirmed, Origin: "mars"}, "case.origin_invalid"},
		{cordon.CaseInput{Classification: cordon.Confirmed, Outcome: "gone"}, "case.outcome_invalid"},
		{cordon.CaseInput{Classification: cordon.Confirmed, Severity: cordon.Severe, OnsetDate: "2022-02-07", Lineage: "BA.1.1"}, ""},
	}
	for _, c := range cases {
		err := c.in.Validate(now)
		if got := cordon.ErrorCode(err); err == nil && c.code != "" || err != nil && got != c.code {
			t.Errorf("%+v: %v, want %q", c.in, err, c.code)
		}
	}
}

func TestOpenCaseByHand(t *testing.T) {
	s := newTestingSetup(t)
	p := s.person(livingAt(debao, chengdong))
	epi := s.account(cordon.RoleEpidemiologist, debao).Actor()
	c, err := s.app.OpenCase(s.ctx, epi, cordon.CaseInput{PersonID: p.ID, Classification: cordon.Suspected})
	if err != nil || c.Jurisdiction != chengdong || !c.DetectedAt.Equal(c.ReportedAt) {
		t.Fatalf("case by hand: %+v %v", c, err)
	}
	if _, err := s.app.OpenCase(s.ctx, epi, cordon.CaseInput{Classification: cordon.Suspected}); cordon.ErrorCode(err) != "case.source_required" {
		t.Errorf("no source: %v", err)
	}
	if _, err := s.app.OpenCase(s.ctx, s.account(cordon.RoleCommander, debao).Actor(), cordon.CaseInput{PersonID: p.ID, Classification: cordon.Suspected}); cordon.ErrorKind(err) != cordon.KindForbidden {
		t.Errorf("a commander opening a case: %v", err)
	}
	if _, err := s.app.OpenCase(s.ctx, s.account(cordon.RoleEpidemiologist, nanning).Actor(), cordon.CaseInput{PersonID: p.ID, Classification: cordon.Suspected}); cordon.ErrorKind(err) != cordon.KindNotFound {
		t.Errorf("Nanning opening a case for a Debao person: %v", err)
	}
}

// The Debao index case infects a banquet guest, who infects a household
// member: one cluster of three generations; a link back to the index case
// is refused, and a link to a Nanning case is not the Debao team's to make.
func TestLinksAndChains(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		epi := s.account(cordon.RoleEpidemiologist, debao).Actor()
		var ids []int64
		for range 4 {
			c, err := s.app.OpenCase(s.ctx, epi, cordon.CaseInput{PersonID: s.person(livingAt(debao, chengdong)).ID, Classification: cordon.Confirmed})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, c.ID)
		}
		link := func(from, to int64, evidence string) error {
			return s.app.LinkCases(s.ctx, epi, cordon.Link{From: from, To: to, Evidence: evidence, Confidence: cordon.LinkProbable})
		}
		if err := link(ids[0], ids[1], "宴席 2022-01-29"); err != nil {
			t.Fatal(err)
		}
		if err := link(ids[1], ids[2], "同住"); err != nil {
			t.Fatal(err)
		}
		if err := link(ids[2], ids[0], "同住"); cordon.ErrorCode(err) != "chain.cycle" {
			t.Errorf("a link that closes a cycle: %v", err)
		}
		if err := link(ids[0], ids[1], "again"); cordon.ErrorCode(err) != "chain.link_exists" {
			t.Errorf("the same link twice: %v", err)
		}
		nn := s.account(cordon.RoleEpidemiologist, nanning).Actor()
		far, err := s.app.OpenCase(s.ctx, nn, cordon.CaseInput{PersonID: s.person(livingAt(nanning, xingningC)).ID, Classification: cordon.Confirmed})
		if err != nil {
			t.Fatal(err)
		}
		if err := link(ids[0], far.ID, "路过"); cordon.ErrorKind(err) != cordon.KindNotFound {
			t.Errorf("linking to a Nanning case from Debao: %v", err)
		}
		v, err := s.app.Chains(s.ctx, epi)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Nodes) != 4 || len(v.Links) != 2 || len(v.Clusters) != 2 {
			t.Fatalf("chains: %d nodes, %d links, %d clusters", len(v.Nodes), len(v.Links), len(v.Clusters))
		}
		if c, ok := v.Case(ids[2]); !ok || c.Generation != 2 || c.Cluster != ids[0] {
			t.Errorf("the household case: %+v", c)
		}
		if _, err := s.app.Chains(s.ctx, s.account(cordon.RoleGridWorker, s.grid.Code).Actor()); cordon.ErrorKind(err) != cordon.KindForbidden {
			t.Errorf("grid worker reading chains: %v", err)
		}
	})
}

// One open case per person, a person with a positive in cordon has their
// case opened from it, and an edit must say which version it read.
func TestCaseOpeningRules(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		epi := s.account(cordon.RoleEpidemiologist, debao).Actor()
		p := s.person(livingAt(debao, chengdong))
		c, err := s.app.OpenCase(s.ctx, epi, cordon.CaseInput{PersonID: p.ID, Classification: cordon.Suspected})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.app.OpenCase(s.ctx, epi, cordon.CaseInput{PersonID: p.ID, Classification: cordon.Confirmed})
		if e, ok := err.(*cordon.Error); !ok || e.Code != "case.exists" || e.Extra["id"] != c.ID {
			t.Errorf("a second open case for the person: %v", err)
		}
		if _, err := s.app.UpdateCase(s.ctx, epi, c.ID, cordon.CaseInput{Classification: cordon.Confirmed}); cordon.ErrorCode(err) != "case.version_required" {
			t.Errorf("an edit without the version read: %v", err)
		}
		// Someone sampled in cordon and positive there.
		q := s.person(livingAt(debao, s.grid.Code))
		s.register(cordon.SampleInput{Key: "q", RoundID: s.round.ID, PointID: s.point.ID, Tube: "Q1", PoolSize: 1, Group: cordon.GroupKey, PersonID: q.ID})
		s.results(cordon.LabResultInput{Barcode: "Q1", Outcome: cordon.OutcomePositive})
		_, err = s.app.OpenCase(s.ctx, epi, cordon.CaseInput{PersonID: q.ID, Classification: cordon.Confirmed})
		if e, ok := err.(*cordon.Error); !ok || e.Code != "case.positive_exists" || e.Extra["positive_id"] == nil {
			t.Errorf("opening by hand past a positive: %v", err)
		}
	})
}

// Opening the same positive from four browsers at once gives one case and
// three answers naming it; two links that would close a cycle together are
// not both stored.
func TestConcurrentCaseWork(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		epi := s.account(cordon.RoleEpidemiologist, debao).Actor()
		x := s.sample("Z1", 1)
		x.Group = cordon.GroupKey
		s.register(x)
		s.results(cordon.LabResultInput{Barcode: "Z1", Outcome: cordon.OutcomePositive})
		ps, _ := s.app.Positives(s.ctx, epi, 0, 10)
		errs := make(chan error, 4)
		for range 4 {
			go func() {
				_, err := s.app.OpenCase(s.ctx, epi, cordon.CaseInput{PositiveID: ps[0].ID, Classification: cordon.Asymptomatic})
				errs <- err
			}()
		}
		opened := 0
		for range 4 {
			switch err := <-errs; {
			case err == nil:
				opened++
			case cordon.ErrorCode(err) != "case.exists":
				t.Errorf("concurrent opening: %v", err)
			}
		}
		if opened != 1 {
			t.Errorf("%d cases opened for one positive", opened)
		}
		a, err := s.app.OpenCase(s.ctx, epi, cordon.CaseInput{PersonID: s.person(livingAt(debao, chengdong)).ID, Classification: cordon.Confirmed})
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.app.OpenCase(s.ctx, epi, cordon.CaseInput{PersonID: s.person(livingAt(debao, chengdong)).ID, Classification: cordon.Confirmed})
		if err != nil {
			t.Fatal(err)
		}
		for range 5 {
			done := make(chan error, 2)
			for _, l := range []cordon.Link{{From: a.ID, To: b.ID, Evidence: "同桌", Confidence: cordon.LinkPossible}, {From: b.ID, To: a.ID, Evidence: "同桌", Confidence: cordon.LinkPossible}} {
				go func() { done <- s.app.LinkCases(s.ctx, epi, l) }()
			}
			<-done
			<-done
		}
		v, err := s.app.Chains(s.ctx, epi)
		if err != nil || len(v.Cycles) != 0 || len(v.Links) != 1 {
			t.Errorf("links stored: %+v, cycles %v, %v", v.Links, v.Cycles, err)
		}
	})
}

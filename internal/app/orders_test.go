package app_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"cordon"
	"cordon/internal/app"
	"cordon/internal/testtool"
)

// until moves the fixture clock forward to t.
func (s *testingSetup) until(t time.Time) {
	s.tb.Helper()
	d := t.Sub(s.clock.Now())
	if d < 0 {
		s.tb.Fatalf("the clock is at %v, past %v", s.clock.Now(), t)
	}
	s.clock.Advance(d)
}

// tested samples a person single-tube now, by ID number as a sampling
// table does, and results the tube unless the outcome is empty. It
// returns the tube.
func (s *testingSetup) tested(p cordon.Person, outcome cordon.Outcome) string {
	s.tb.Helper()
	tube := fmt.Sprintf("Q%07d", s.next())
	in := cordon.SampleInput{Key: "k" + tube, RoundID: s.round.ID, PointID: s.point.ID, Tube: tube, PoolSize: 1,
		Group: cordon.GroupQuarantined, IDNumber: p.IDNumber, Name: p.Name}
	if acks := s.register(in); acks[0].Status != cordon.SampleStored {
		s.tb.Fatalf("register: %+v", acks[0])
	}
	if outcome != "" {
		if up := s.results(cordon.LabResultInput{Barcode: tube, Outcome: outcome}); up.Matched != 1 {
			s.tb.Fatalf("results: %+v", up)
		}
	}
	return tube
}

// orders lists a person's orders as the epidemiologist reads them.
func (c *contactSetup) orders(p int64) []cordon.ControlOrder {
	c.tb.Helper()
	out, err := c.app.PersonOrders(c.ctx, c.epi, p, "")
	if err != nil {
		c.tb.Fatalf("PersonOrders: %v", err)
	}
	return out
}

// active returns the person's only active order.
func (c *contactSetup) active(p int64) cordon.ControlOrder {
	c.tb.Helper()
	var out []cordon.ControlOrder
	for _, o := range c.orders(p) {
		if o.Status == cordon.OrderActive {
			out = append(out, o)
		}
	}
	if len(out) != 1 {
		c.tb.Fatalf("person %d has %d active orders: %+v", p, len(out), out)
	}
	return out[0]
}

type phaseWant struct {
	typ         cordon.OrderType
	first, last string
	tests       []string
}

func phasesOf(o cordon.ControlOrder) []phaseWant {
	var out []phaseWant
	for _, ph := range o.Phases {
		out = append(out, phaseWant{ph.Type, ph.FirstDay, ph.LastDay, ph.TestDays})
	}
	return out
}

// A contact gets the order of the edition in force, from the day after
// the last exposure, exactly as RULES.md tables it.
func TestContactOrdersFollowTheEdition(t *testing.T) {
	for _, tc := range []struct {
		edition string
		want    []phaseWant
	}{
		{"cn-9", []phaseWant{
			{cordon.CentralisedQuarantine, "2022-02-08", "2022-02-14", []string{"2022-02-08", "2022-02-09", "2022-02-10", "2022-02-12", "2022-02-14"}},
			{cordon.HomeMonitoring, "2022-02-15", "2022-02-17", []string{"2022-02-17"}}}},
		{"cn-8", []phaseWant{
			{cordon.CentralisedQuarantine, "2022-02-08", "2022-02-21", []string{"2022-02-08", "2022-02-11", "2022-02-14", "2022-02-21"}},
			{cordon.HomeMonitoring, "2022-02-22", "2022-02-28", []string{"2022-02-23", "2022-02-28"}}}},
		{"cn-20", []phaseWant{
			{cordon.CentralisedQuarantine, "2022-02-08", "2022-02-12", []string{"2022-02-08", "2022-02-09", "2022-02-10", "2022-02-12"}},
			{cordon.HomeQuarantine, "2022-02-13", "2022-02-15", []string{"2022-02-13", "2022-02-15"}}}},
	} {
		t.Run(tc.edition, func(t *testing.T) {
			onBothDatabases(t, func(t *testing.T, s *testingSetup) {
				c := newContactSetup(t, s, tc.edition)
				p := s.person(named("黄同住"))
				r := c.add(closeTo(p.ID, c.index.ID, cordon.SituationHousehold, cst("2022-02-07 20:00")))
				o := c.active(p.ID)
				if got := phasesOf(o); !reflect.DeepEqual(got, tc.want) {
					t.Fatalf("phases:\n got %+v\nwant %+v", got, tc.want)
				}
				if o.Basis != cordon.BasisContact || o.ContactID != r.ID || o.Edition != tc.edition || o.Population != cordon.PopulationCloseContact ||
					o.Jurisdiction != chengdong || o.StartsOn != "2022-02-08" || o.EndsOn != tc.want[1].last || o.Type != cordon.CentralisedQuarantine ||
					!o.LastExposure.Equal(cst("2022-02-07 20:00")) || o.CreatedBy != c.epi.Username {
					t.Errorf("order: %+v", o)
				}
				// Red A4 through the centralised days; at home yellow B6 in
				// health monitoring, red still in home quarantine (cn-20).
				home := cordon.ReasonYellowOther
				if tc.want[1].typ == cordon.HomeQuarantine {
					home = cordon.ReasonContact
				}
				facts := o.CodeFacts()
				if len(facts) != 2 || facts[0].Reason != cordon.ReasonContact || !facts[0].From.Equal(cst("2022-02-08 00:00")) ||
					facts[1].Reason != home || !facts[1].Until.Equal(cst(tc.want[1].last+" 00:00").AddDate(0, 0, 1)) {
					t.Errorf("facts: %+v", facts)
				}
				if n := len(s.audit(cordon.AuditFilter{Action: "order.create", Record: "order:" + itoa(o.ID)})); n != 1 {
					t.Errorf("%d order.create entries", n)
				}
			})
		})
	}
}

// A cn-9 secondary contact is isolated at home for 7 days, linked to the
// close contact whose tests its release waits for.
func TestSecondaryContactOrder(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		c := newContactSetup(t, s, "cn-9")
		b := c.add(closeTo(s.person().ID, c.index.ID, cordon.SituationHousehold, cst("2022-02-07 20:00")))
		dp := s.person(named("黄次密"))
		c.add(cordon.ContactInput{ContactIdentity: cordon.ContactIdentity{PersonID: dp.ID},
			Exposure: cordon.ExposureInput{SourceContact: b.ID, Situation: cordon.SituationWorkplace, LastAt: cst("2022-02-07 19:00")}})
		o := c.active(dp.ID)
		want := []phaseWant{{cordon.HomeQuarantine, "2022-02-08", "2022-02-14", []string{"2022-02-08", "2022-02-11", "2022-02-14"}}}
		if got := phasesOf(o); !reflect.DeepEqual(got, want) || o.LinkedContact != b.ID || o.LinkedTests != 2 || o.Population != cordon.PopulationSecondaryContact {
			t.Errorf("secondary order: %+v", o)
		}
	})
}

// A new exposure moves the whole plan to the new last exposure: the same
// order, extended, audited; an earlier one never shortens it.
func TestNewExposureExtendsOrder(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		c := newContactSetup(t, s, "cn-9")
		p := s.person()
		r := c.add(closeTo(p.ID, c.index.ID, cordon.SituationHousehold, cst("2022-02-07 20:00")))
		first := c.active(p.ID)
		second := c.openCase(s.person(), "2022-02-07")
		if _, err := s.app.AddExposure(s.ctx, c.epi, r.ID, cordon.ExposureInput{SourceCase: second.ID, Situation: cordon.SituationMeal, LastAt: cst("2022-02-08 08:00")}); err != nil {
			t.Fatal(err)
		}
		o := c.active(p.ID)
		if o.ID != first.ID || o.StartsOn != "2022-02-09" || o.EndsOn != "2022-02-18" || o.Phases[0].TestDays[0] != "2022-02-09" ||
			o.Phases[1].TestDays[0] != "2022-02-18" || o.Version != first.Version+1 || !o.LastExposure.Equal(cst("2022-02-08 08:00")) {
			t.Errorf("extended: %+v", o)
		}
		ext := s.audit(cordon.AuditFilter{Action: "order.extend", Record: "order:" + itoa(o.ID)})
		if len(ext) != 1 || !strings.Contains(ext[0].Detail, "2022-02-09 to 2022-02-18") || !strings.Contains(ext[0].Detail, "was close_contact 2022-02-08 to 2022-02-17") {
			t.Errorf("audited: %+v", ext)
		}
		// The task list follows: nothing due on 02-08 any more.
		tasks, err := s.app.OrderTasks(s.ctx, c.epi)
		if err != nil || len(tasks.Due) != 0 {
			t.Errorf("tasks on 02-08: %+v %v", tasks.Due, err)
		}
		third := c.openCase(s.person(), "2022-02-05")
		if _, err := s.app.AddExposure(s.ctx, c.epi, r.ID, cordon.ExposureInput{SourceCase: third.ID, Situation: cordon.SituationVisitor, LastAt: cst("2022-02-05 08:00")}); err != nil {
			t.Fatal(err)
		}
		if again := c.active(p.ID); again.EndsOn != "2022-02-18" {
			t.Errorf("an earlier exposure changed the order: %+v", again)
		}
	})
}

// A contact who turns positive becomes a case: their order is converted
// into hospital isolation, linked both ways; under cn-9 their secondary
// contact's order becomes a close contact's.
func TestPositiveContactConvertsOrder(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		c := newContactSetup(t, s, "cn-9")
		bp := s.person(named("黄阳转"))
		b := c.add(closeTo(bp.ID, c.index.ID, cordon.SituationHousehold, cst("2022-02-07 20:00")))
		dp := s.person()
		c.add(cordon.ContactInput{ContactIdentity: cordon.ContactIdentity{PersonID: dp.ID},
			Exposure: cordon.ExposureInput{SourceContact: b.ID, Situation: cordon.SituationMeal, LastAt: cst("2022-02-07 19:00")}})
		before := c.active(bp.ID)
		secondary := c.active(dp.ID)
		s.until(cst("2022-02-09 15:00"))
		bc := c.openCase(bp, "2022-02-09")

		all := c.orders(bp.ID)
		if len(all) != 2 {
			t.Fatalf("orders after the case: %+v", all)
		}
		old, h := all[0], all[1]
		if old.ID != before.ID || old.Status != cordon.OrderConverted || old.ConvertedTo != h.ID || !old.ReleasedAt.Equal(s.clock.Now()) {
			t.Errorf("converted: %+v", old)
		}
		if h.Status != cordon.OrderActive || h.Basis != cordon.BasisCase || h.CaseID != bc.ID || h.ContactID != b.ID ||
			h.Type != cordon.HospitalIsolation || h.StartsOn != "2022-02-09" || h.EndsOn != "" {
			t.Errorf("hospital isolation: %+v", h)
		}
		// The contact's red ends at the conversion, the case's begins.
		if f := old.CodeFacts(); len(f) != 1 || !f[0].Until.Equal(s.clock.Now()) {
			t.Errorf("converted facts: %+v", f)
		}
		if f := h.CodeFacts(); len(f) != 1 || f[0].Reason != cordon.ReasonInfection || !f[0].Until.IsZero() {
			t.Errorf("hospital facts: %+v", f)
		}
		if n := len(s.audit(cordon.AuditFilter{Action: "order.convert", Record: "order:" + itoa(old.ID)})); n != 1 {
			t.Errorf("%d conversions audited", n)
		}
		up := c.active(dp.ID)
		want := []phaseWant{
			{cordon.CentralisedQuarantine, "2022-02-08", "2022-02-14", []string{"2022-02-08", "2022-02-09", "2022-02-10", "2022-02-12", "2022-02-14"}},
			{cordon.HomeMonitoring, "2022-02-15", "2022-02-17", []string{"2022-02-17"}}}
		if up.ID != secondary.ID || up.Population != cordon.PopulationCloseContact || up.LinkedTests != 0 || !reflect.DeepEqual(phasesOf(up), want) {
			t.Errorf("the secondary contact's order after the upgrade: %+v", up)
		}
		// Opening the case again does nothing more.
		if _, err := s.app.OpenCase(s.ctx, c.epi, cordon.CaseInput{PersonID: bp.ID, Classification: cordon.Confirmed, OnsetDate: "2022-02-09"}); err == nil {
			if n := len(c.orders(bp.ID)); n != 2 {
				t.Errorf("%d orders after a second opening", n)
			}
		}
	})
}

// Release waits for the last day and a negative test on every test day;
// the refusal names what is missing; then the order and the contact are
// released.
func TestReleaseWhenTestsNegative(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		c := newContactSetup(t, s, "cn-9")
		p := s.person(named("黄隔离"))
		r := c.add(closeTo(p.ID, c.index.ID, cordon.SituationHousehold, cst("2022-02-07 20:00")))
		o := c.active(p.ID)
		s.until(cst("2022-02-08 10:00"))
		s.tested(p, cordon.OutcomeNegative)
		_, err := s.app.ReleaseOrder(s.ctx, c.epi, o.ID, app.ReleaseInput{})
		e := wantError(t, err, cordon.KindConflict, "order.release_conditions_unmet")
		missing, _ := e.Extra["missing"].([]cordon.ReleaseCondition)
		codes := map[string]int{}
		for _, m := range missing {
			codes[m.Code]++
		}
		if codes["order.period_running"] != 1 || codes["order.test_missing"] != 5 || len(missing) != 6 {
			t.Errorf("missing on day 1: %+v", missing)
		}
		for _, day := range []string{"2022-02-09", "2022-02-10", "2022-02-12", "2022-02-14", "2022-02-17"} {
			s.until(cst(day + " 10:00"))
			tube := s.tested(p, "")
			if day == "2022-02-17" {
				// The last result is not in yet.
				_, err := s.app.ReleaseOrder(s.ctx, c.epi, o.ID, app.ReleaseInput{})
				e := wantError(t, err, cordon.KindConflict, "order.release_conditions_unmet")
				if m, _ := e.Extra["missing"].([]cordon.ReleaseCondition); len(m) != 1 || m[0].Code != "order.test_pending" || m[0].Day != day {
					t.Errorf("pending: %+v", m)
				}
			}
			s.results(cordon.LabResultInput{Barcode: tube, Outcome: cordon.OutcomeNegative})
		}
		v, err := s.app.Order(s.ctx, c.epi, o.ID, "")
		if err != nil || !v.Release.Ready || len(v.Release.Tests) != 6 || v.Release.Tests[5].State != cordon.TestNegative || v.Release.Tests[5].DayNumber != 10 {
			t.Fatalf("before release: %+v %v", v.Release, err)
		}
		got, err := s.app.ReleaseOrder(s.ctx, c.epi, o.ID, app.ReleaseInput{Version: v.Version})
		if err != nil || got.Status != cordon.OrderReleased || got.ReleaseKind != cordon.ReleaseConditions || got.ReleaseReason == "" ||
			!got.ReleasedAt.Equal(s.clock.Now()) || got.ReleasedBy != c.epi.Username {
			t.Fatalf("release: %+v %v", got, err)
		}
		ct, err := s.app.Contact(s.ctx, c.epi, r.ID, "")
		if err != nil || ct.Status != cordon.ContactReleased {
			t.Errorf("the contact after the release: %+v %v", ct.Status, err)
		}
		if n := len(s.audit(cordon.AuditFilter{Action: "order.release", Record: "order:" + itoa(o.ID)})); n != 1 {
			t.Errorf("%d releases audited", n)
		}
		_, err = s.app.ReleaseOrder(s.ctx, c.epi, o.ID, app.ReleaseInput{})
		wantError(t, err, cordon.KindConflict, "order.not_active")
	})
}

// A cn-9 secondary contact with every test negative still waits for the
// linked close contact's first two tests.
func TestSecondaryReleaseWaitsForLinkedCloseContact(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		c := newContactSetup(t, s, "cn-9")
		bp := s.person(named("黄密接"))
		b := c.add(closeTo(bp.ID, c.index.ID, cordon.SituationHousehold, cst("2022-02-07 20:00")))
		dp := s.person(named("黄次密"))
		c.add(cordon.ContactInput{ContactIdentity: cordon.ContactIdentity{PersonID: dp.ID},
			Exposure: cordon.ExposureInput{SourceContact: b.ID, Situation: cordon.SituationWorkplace, LastAt: cst("2022-02-07 19:00")}})
		d := c.active(dp.ID)
		s.until(cst("2022-02-08 10:00"))
		s.tested(dp, cordon.OutcomeNegative)
		s.tested(bp, cordon.OutcomeNegative)
		s.until(cst("2022-02-09 10:00"))
		second := s.tested(bp, "") // the close contact's day 2: no result yet
		for _, day := range []string{"2022-02-11", "2022-02-14"} {
			s.until(cst(day + " 10:00"))
			s.tested(dp, cordon.OutcomeNegative)
		}
		_, err := s.app.ReleaseOrder(s.ctx, c.epi, d.ID, app.ReleaseInput{})
		e := wantError(t, err, cordon.KindConflict, "order.release_conditions_unmet")
		if m, _ := e.Extra["missing"].([]cordon.ReleaseCondition); len(m) != 1 || m[0].Code != "order.linked_tests" {
			t.Fatalf("missing: %+v", m)
		}
		s.results(cordon.LabResultInput{Barcode: second, Outcome: cordon.OutcomeNegative})
		if got, err := s.app.ReleaseOrder(s.ctx, c.epi, d.ID, app.ReleaseInput{}); err != nil || got.Status != cordon.OrderReleased {
			t.Errorf("release after the close contact's second negative: %+v %v", got.Status, err)
		}
	})
}

// An early release is a commander's, with a reason, audited with it.
func TestEarlyRelease(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		c := newContactSetup(t, s, "cn-9")
		p := s.person()
		c.add(closeTo(p.ID, c.index.ID, cordon.SituationHousehold, cst("2022-02-07 20:00")))
		o := c.active(p.ID)
		_, err := s.app.ReleaseOrder(s.ctx, c.epi, o.ID, app.ReleaseInput{Early: true, Reason: "专家研判"})
		wantError(t, err, cordon.KindForbidden, "auth.forbidden")
		cmd := s.account(cordon.RoleCommander, baise).Actor()
		_, err = s.app.ReleaseOrder(s.ctx, cmd, o.ID, app.ReleaseInput{Early: true, Reason: "  "})
		wantError(t, err, cordon.KindInvalid, "order.reason_required")
		// A commander may not release on the conditions: that is order.write.
		_, err = s.app.ReleaseOrder(s.ctx, cmd, o.ID, app.ReleaseInput{})
		wantError(t, err, cordon.KindForbidden, "auth.forbidden")
		got, err := s.app.ReleaseOrder(s.ctx, cmd, o.ID, app.ReleaseInput{Early: true, Reason: "经专家研判，暴露风险低"})
		if err != nil || got.Status != cordon.OrderReleased || got.ReleaseKind != cordon.ReleaseEarly || got.ReleaseReason != "经专家研判，暴露风险低" || !got.Masked {
			t.Fatalf("early release: %+v %v", got, err)
		}
		entries := s.audit(cordon.AuditFilter{Action: "order.release_early", Record: "order:" + itoa(o.ID)})
		if len(entries) != 1 || entries[0].Reason != "经专家研判，暴露风险低" || entries[0].Username != cmd.Username {
			t.Errorf("audited: %+v", entries)
		}
		// Released on day 1: the red ends then, the home phase never begins.
		if f := got.CodeFacts(); len(f) != 1 || !f[0].Until.Equal(s.clock.Now()) {
			t.Errorf("facts after an early release: %+v", f)
		}
	})
}

// Orders made by hand take the edition's plan; dates that contradict it
// are refused naming the rule.
func TestManualOrders(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		c := newContactSetup(t, s, "cn-9")
		p := s.person()
		in := cordon.OrderInput{PersonID: p.ID, Population: cordon.PopulationCloseContact, LastExposure: cst("2022-02-07 20:00"),
			Phases: []cordon.ControlPhase{
				{Type: cordon.CentralisedQuarantine, FirstDay: "2022-02-08", LastDay: "2022-02-12", TestDays: []string{"2022-02-08", "2022-02-09", "2022-02-10", "2022-02-12"}},
				{Type: cordon.HomeMonitoring, FirstDay: "2022-02-13", LastDay: "2022-02-15", TestDays: []string{"2022-02-15"}}}}
		_, before := s.written()
		_, err := s.app.CreateOrder(s.ctx, c.epi, in)
		e := wantError(t, err, cordon.KindInvalid, "order.contradicts_edition")
		if !strings.Contains(e.Message, "cn-9: close contacts 7 days centralised + 3 days home monitoring") || e.Extra["edition"] != "cn-9" || e.Fields["phases"] != "order.contradicts_edition" {
			t.Errorf("refusal: %q %v", e.Message, e.Extra)
		}
		in.Phases = []cordon.ControlPhase{
			{Type: cordon.CentralisedQuarantine, FirstDay: "2022-02-08", LastDay: "2022-02-14", TestDays: []string{"2022-02-08", "2022-02-09", "2022-02-10", "2022-02-12", "2022-02-14"}},
			{Type: cordon.HomeMonitoring, FirstDay: "2022-02-15", LastDay: "2022-02-17", TestDays: []string{"2022-02-17", "2022-02-19"}}}
		_, err = s.app.CreateOrder(s.ctx, c.epi, in)
		if e := wantError(t, err, cordon.KindInvalid, "order.contradicts_edition"); !strings.Contains(e.Message, "2022-02-19 lies outside") {
			t.Errorf("a test day outside: %q", e.Message)
		}
		if _, after := s.written(); after != before {
			t.Errorf("refusals wrote %d audit entries", after-before)
		}
		in.Phases = nil
		in.Note = "依据德保县指挥部通知"
		v, err := s.app.CreateOrder(s.ctx, c.epi, in)
		if err != nil || v.Basis != cordon.BasisManual || v.Edition != "cn-9" || v.EndsOn != "2022-02-17" || v.Note != "依据德保县指挥部通知" || len(v.Release.Tests) != 6 {
			t.Fatalf("the edition's plan: %+v %v", v, err)
		}
		// By document, without a population: red A8.
		doc, err := s.app.CreateOrder(s.ctx, c.epi, cordon.OrderInput{PersonID: s.person().ID,
			Phases: []cordon.ControlPhase{{Type: cordon.HomeQuarantine, FirstDay: "2022-02-08", LastDay: "2022-02-10", TestDays: []string{"2022-02-10"}}}})
		if err != nil || doc.Edition != "" || doc.CodeFacts()[0].Reason != cordon.ReasonRedOther {
			t.Errorf("by document: %+v %v", doc, err)
		}
		gw := s.account(cordon.RoleGridWorker, s.grid.Code).Actor()
		_, err = s.app.CreateOrder(s.ctx, gw, in)
		wantError(t, err, cordon.KindForbidden, "auth.forbidden")
		nn := s.account(cordon.RoleEpidemiologist, nanning).Actor()
		_, err = s.app.CreateOrder(s.ctx, nn, in)
		wantError(t, err, cordon.KindNotFound, "person.not_found")
	})
}

// Orders are read only inside the reader's subtree, masked by role, and
// every read is audited.
func TestOrdersConfinedToScope(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		c := newContactSetup(t, s, "cn-9")
		p := s.person()
		c.add(closeTo(p.ID, c.index.ID, cordon.SituationHousehold, cst("2022-02-07 20:00")))
		o := c.active(p.ID)
		nn := s.account(cordon.RoleEpidemiologist, nanning).Actor()
		if _, err := s.app.Order(s.ctx, nn, o.ID, ""); cordon.ErrorKind(err) != cordon.KindNotFound {
			t.Errorf("Nanning reading a Debao order: %v", err)
		}
		if _, err := s.app.OrderDocument(s.ctx, nn, o.ID, ""); cordon.ErrorKind(err) != cordon.KindNotFound {
			t.Errorf("Nanning printing a Debao order: %v", err)
		}
		if list, err := s.app.Orders(s.ctx, nn, cordon.OrderFilter{}); err != nil || len(list) != 0 {
			t.Errorf("Nanning's list: %+v %v", list, err)
		}
		if _, err := s.app.PersonOrders(s.ctx, nn, p.ID, ""); cordon.ErrorKind(err) != cordon.KindNotFound {
			t.Errorf("Nanning reading a Debao person's orders: %v", err)
		}
		if _, err := s.app.ReleaseOrder(s.ctx, s.account(cordon.RoleEpidemiologist, nanning).Actor(), o.ID, app.ReleaseInput{}); cordon.ErrorKind(err) != cordon.KindNotFound {
			t.Errorf("Nanning releasing: %v", err)
		}
		gw := s.account(cordon.RoleGridWorker, s.grid.Code).Actor()
		if tasks, err := s.app.OrderTasks(s.ctx, gw); err != nil || len(tasks.Due) != 0 {
			t.Errorf("a 福记村 grid worker's tasks: %+v %v", tasks, err)
		}
		// A Debao sampler sees the day's test, masked; a lab sees nothing.
		smp := s.account(cordon.RoleSampler, debao).Actor()
		tasks, err := s.app.OrderTasks(s.ctx, smp)
		if err != nil || len(tasks.Due) != 1 || tasks.Due[0].Order.ID != o.ID || !tasks.Due[0].Order.Masked || tasks.Due[0].Test.State != cordon.TestDue {
			t.Errorf("a sampler's tasks: %+v %v", tasks, err)
		}
		if _, err := s.app.OrderTasks(s.ctx, s.labber); cordon.ErrorKind(err) != cordon.KindForbidden {
			t.Errorf("a lab's tasks: %v", err)
		}
		if _, err := s.app.Orders(s.ctx, smp, cordon.OrderFilter{}); cordon.ErrorKind(err) != cordon.KindForbidden {
			t.Errorf("a sampler's list: %v", err)
		}
		cmd := s.account(cordon.RoleCommander, baise).Actor()
		v, err := s.app.Order(s.ctx, cmd, o.ID, "调度")
		if err != nil || !v.Masked || v.IDNumber != cordon.MaskDocNumber(p.IDNumber) || v.Phone != cordon.MaskPhone(p.Phone) {
			t.Errorf("a commander's read: %+v %v", v.ControlOrder, err)
		}
		if full, _ := s.app.Order(s.ctx, c.epi, o.ID, ""); full.Masked || full.IDNumber != p.IDNumber {
			t.Errorf("an epidemiologist's read: %+v", full.ControlOrder)
		}
		reads := s.audit(cordon.AuditFilter{Action: "order.read", Record: "order:" + itoa(o.ID)})
		if len(reads) != 2 || reads[1].Reason != "调度" {
			t.Errorf("audited reads: %+v", reads)
		}
		if n := len(s.audit(cordon.AuditFilter{Action: "order.tasks", Username: smp.Username})); n != 1 {
			t.Errorf("%d task reads audited", n)
		}
	})
}

// Today's tests are due; a past test day without a sample is missed, in
// the task list and in the overdue filter; a sample taken shows with its
// result.
func TestMissedTestFlagged(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		c := newContactSetup(t, s, "cn-9")
		p := s.person()
		c.add(closeTo(p.ID, c.index.ID, cordon.SituationHousehold, cst("2022-02-07 20:00")))
		o := c.active(p.ID)
		s.tested(p, cordon.OutcomeNegative)
		s.until(cst("2022-02-10 09:00"))
		tasks, err := s.app.OrderTasks(s.ctx, c.epi)
		if err != nil {
			t.Fatal(err)
		}
		if tasks.Day != "2022-02-10" || len(tasks.Due) != 1 || tasks.Due[0].Test.Day != "2022-02-10" || tasks.Due[0].Test.State != cordon.TestDue {
			t.Errorf("due: %+v", tasks.Due)
		}
		if len(tasks.Missed) != 1 || tasks.Missed[0].Test.Day != "2022-02-09" || tasks.Missed[0].Test.State != cordon.TestMissed || tasks.Missed[0].Test.DayNumber != 2 {
			t.Errorf("missed: %+v", tasks.Missed)
		}
		overdue, err := s.app.Orders(s.ctx, c.epi, cordon.OrderFilter{Overdue: true})
		if err != nil || len(overdue) != 1 || overdue[0].ID != o.ID {
			t.Errorf("overdue: %+v %v", overdue, err)
		}
		due, err := s.app.Orders(s.ctx, c.epi, cordon.OrderFilter{Due: true})
		if err != nil || len(due) != 1 {
			t.Errorf("due today: %+v %v", due, err)
		}
		// Sampled today: the task shows the tube, pending.
		tube := s.tested(p, "")
		tasks, _ = s.app.OrderTasks(s.ctx, c.epi)
		if len(tasks.Due) != 1 || tasks.Due[0].Test.State != cordon.TestPending || tasks.Due[0].Test.Result == nil || tasks.Due[0].Test.Result.Tube != tube {
			t.Errorf("sampled: %+v", tasks.Due)
		}
		if list, _ := s.app.Orders(s.ctx, c.epi, cordon.OrderFilter{Type: cordon.HomeMonitoring}); len(list) != 0 {
			t.Errorf("type filter: %+v", list)
		}
	})
}

// A positive pool holds its registered people at home under the
// pending-retest order; a negative single-tube retest releases it.
func TestPendingRetestOrder(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		p := s.person(named("黄混管"))
		in := []cordon.SampleInput{s.sample("P0001", 10), s.sample("P0001", 10)}
		in[0].IDNumber, in[0].Name = p.IDNumber, p.Name
		s.register(in...)
		s.results(cordon.LabResultInput{Barcode: "P0001", Outcome: cordon.OutcomePositive})
		epi := s.account(cordon.RoleEpidemiologist, debao).Actor()
		orders, err := s.app.PersonOrders(s.ctx, epi, p.ID, "")
		if err != nil || len(orders) != 1 {
			t.Fatalf("orders after the positive pool: %+v %v", orders, err)
		}
		o := orders[0]
		if o.Basis != cordon.BasisRetest || o.Type != cordon.PendingRetest || o.HoldID == 0 || o.Status != cordon.OrderActive || o.StartsOn != "2022-02-08" {
			t.Errorf("pending retest: %+v", o)
		}
		if f := o.CodeFacts(); len(f) != 1 || f[0].Reason != cordon.ReasonYellowOther || !f[0].Until.IsZero() {
			t.Errorf("facts: %+v", f)
		}
		s.clock.Advance(2 * time.Hour)
		retest := s.sample("R0001", 1)
		retest.IDNumber, retest.Name = p.IDNumber, p.Name
		s.register(retest)
		if v, err := s.app.Order(s.ctx, epi, o.ID, ""); err != nil || v.Release.Ready {
			t.Errorf("before the retest's result: %+v %v", v.Release, err)
		}
		s.results(cordon.LabResultInput{Barcode: "R0001", Outcome: cordon.OutcomeNegative})
		v, err := s.app.Order(s.ctx, epi, o.ID, "")
		if err != nil || v.Status != cordon.OrderReleased || v.ReleaseKind != cordon.ReleaseConditions || !v.ReleasedAt.Equal(s.clock.Now()) {
			t.Errorf("after a negative retest: %+v %v", v.ControlOrder, err)
		}
	})
}

// The printable notice names the person as the reader may see them.
func TestOrderDocument(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		c := newContactSetup(t, s, "cn-9")
		p := s.person(named("黄告知"))
		c.add(closeTo(p.ID, c.index.ID, cordon.SituationHousehold, cst("2022-02-07 20:00")))
		o := c.active(p.ID)
		cmd := s.account(cordon.RoleCommander, baise).Actor()
		data, err := s.app.OrderDocument(s.ctx, cmd, o.ID, "打印")
		if err != nil || !bytes.HasPrefix(data, []byte("%PDF-")) {
			t.Fatalf("document: %v", err)
		}
		file := filepath.Join(t.TempDir(), "order.pdf")
		if err := os.WriteFile(file, data, 0o600); err != nil {
			t.Fatal(err)
		}
		text := strings.Join(strings.Fields(testtool.Run(t, "pdftotext", "-enc", "UTF-8", file, "-")), "")
		for _, want := range []string{"隔离管控告知书", "黄告知", cordon.MaskDocNumber(p.IDNumber), "2022-02-08至2022-02-14", "广西壮族自治区百色市德保县"} {
			if !strings.Contains(text, want) {
				t.Errorf("the notice lacks %q: %s", want, text)
			}
		}
		if strings.Contains(text, p.IDNumber) {
			t.Error("the commander's notice shows the ID number in full")
		}
		if n := len(s.audit(cordon.AuditFilter{Action: "order.document", Record: "order:" + itoa(o.ID)})); n != 1 {
			t.Errorf("%d prints audited", n)
		}
	})
}

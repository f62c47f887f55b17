package cordon

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// cn9Close is a cn-9 close contact's order from a last exposure on
// 2022-02-04 evening, made on 02-05: days 02-05..02-11 centralised, tests
// 05, 06, 07, 09, 11; 02-12..02-14 home monitoring, test 14.
func cn9Close(t *testing.T) ControlOrder {
	t.Helper()
	p, _ := Edition("cn-9")
	plan, err := ControlPlan(p, PopulationCloseContact, bjt("2022-02-04 20:00"))
	if err != nil {
		t.Fatal(err)
	}
	o := ControlOrder{ID: 7, Basis: BasisContact, Status: OrderActive, Population: PopulationCloseContact, Edition: "cn-9", RequiredFrom: "2022-02-05"}
	o.SetPhases(plan)
	return o
}

func negative(day string) TestResult {
	return TestResult{Day: day, CollectedAt: bjt(day + " 09:00"), Tube: "T" + day, PoolSize: 1, Outcome: OutcomeNegative}
}

func TestOrderCodeFacts(t *testing.T) {
	o := cn9Close(t)
	got := o.CodeFacts()
	want := []CodeFact{
		{Reason: ReasonContact, From: bjt("2022-02-05 00:00"), Until: bjt("2022-02-12 00:00"), Cause: "order:7"},
		{Reason: ReasonYellowOther, From: bjt("2022-02-12 00:00"), Until: bjt("2022-02-15 00:00"), Cause: "order:7"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("facts:\n got %+v\nwant %+v", got, want)
	}
	// Released early on day 3: the red phase ends then, the yellow one never begins.
	o.Status, o.ReleasedAt = OrderReleased, bjt("2022-02-07 15:00")
	got = o.CodeFacts()
	if len(got) != 1 || !got[0].Until.Equal(bjt("2022-02-07 15:00")) {
		t.Errorf("released early: %+v", got)
	}
	o.Status = OrderCancelled
	if f := o.CodeFacts(); f != nil {
		t.Errorf("a cancelled order gives facts: %+v", f)
	}
	// Reasons by basis; hospital isolation open-ended; the retest hold yellow.
	for basis, reason := range map[OrderBasis]CodeReason{BasisCase: ReasonInfection, BasisArrival: ReasonArrivalQuarantine, BasisManual: ReasonRedOther} {
		h := ControlOrder{ID: 1, Basis: basis, Status: OrderActive}
		h.SetPhases([]ControlPhase{{Type: HospitalIsolation, FirstDay: "2022-02-08"}})
		f := h.CodeFacts()
		if len(f) != 1 || f[0].Reason != reason || !f[0].Until.IsZero() || !f[0].Covers(bjt("2022-03-01 00:00")) {
			t.Errorf("%s: %+v", basis, f)
		}
	}
	r := ControlOrder{ID: 2, Basis: BasisRetest, Status: OrderActive}
	r.SetPhases([]ControlPhase{{Type: PendingRetest, FirstDay: "2022-02-08"}})
	if f := r.CodeFacts(); len(f) != 1 || f[0].Reason != ReasonYellowOther || f[0].Reason.Color() != Yellow {
		t.Errorf("retest: %+v", f)
	}
	if ph, ok := cn9Close(t).Phase(bjt("2022-02-13 10:00")); !ok || ph.Type != HomeMonitoring {
		t.Errorf("phase on 02-13: %+v %v", ph, ok)
	}
	if _, ok := cn9Close(t).Phase(bjt("2022-02-15 10:00")); ok {
		t.Error("a phase after the order ended")
	}
}

func TestReleaseCheck(t *testing.T) {
	o := cn9Close(t)
	days := o.TestDays()
	if want := []string{"2022-02-05", "2022-02-06", "2022-02-07", "2022-02-09", "2022-02-11", "2022-02-14"}; !reflect.DeepEqual(days, want) {
		t.Fatalf("test days %v", days)
	}
	// On day 10 with every test but the last negative and day 5 missed.
	var results []TestResult
	for _, d := range []string{"2022-02-05", "2022-02-06", "2022-02-07", "2022-02-11"} {
		results = append(results, negative(d))
	}
	st := o.ReleaseCheck(bjt("2022-02-14 08:00"), results, nil)
	codes := map[string]string{}
	for _, m := range st.Missing {
		codes[m.Day] = m.Code
	}
	if st.Ready || codes["2022-02-09"] != "order.test_missing" || codes["2022-02-14"] != "order.test_missing" || len(codes) != 2 {
		t.Errorf("missing %+v", st.Missing)
	}
	states := map[string]TestState{}
	for _, td := range st.Tests {
		states[td.Day] = td.State
	}
	if states["2022-02-09"] != TestMissed || states["2022-02-14"] != TestDue || states["2022-02-05"] != TestNegative {
		t.Errorf("states %v", states)
	}
	if st.Tests[3].DayNumber != 5 || st.Tests[5].DayNumber != 10 {
		t.Errorf("day numbers %+v", st.Tests)
	}
	// Before the last day, the period itself is missing.
	if st := o.ReleaseCheck(bjt("2022-02-13 08:00"), results, nil); !hasCode(st, "order.period_running") {
		t.Errorf("02-13: %+v", st.Missing)
	}
	// A pending result and a positive pool are not negative.
	results = append(results, TestResult{Day: "2022-02-09", CollectedAt: bjt("2022-02-09 09:00"), PoolSize: 10})
	results = append(results, TestResult{Day: "2022-02-14", CollectedAt: bjt("2022-02-14 09:00"), PoolSize: 10, Outcome: OutcomePositive})
	st = o.ReleaseCheck(bjt("2022-02-14 20:00"), results, nil)
	if !hasCode(st, "order.test_pending") || !hasCode(st, "order.test_positive") || st.Ready {
		t.Errorf("pending and pooled positive: %+v", st.Missing)
	}
	// The pool's single-tube retest is negative and the pending result came in.
	results[4].Outcome = OutcomeNegative
	results = append(results, negative("2022-02-14"))
	if st := o.ReleaseCheck(bjt("2022-02-14 20:00"), results, nil); !st.Ready {
		t.Errorf("all negative: %+v", st.Missing)
	}
	// Made on day 3: days 1 and 2 are not owed unless sampled.
	late := cn9Close(t)
	late.RequiredFrom = "2022-02-07"
	var rest []TestResult
	for _, d := range []string{"2022-02-07", "2022-02-09", "2022-02-11", "2022-02-14"} {
		rest = append(rest, negative(d))
	}
	if st := late.ReleaseCheck(bjt("2022-02-14 20:00"), rest, nil); !st.Ready || st.Tests[0].State != TestBeforeOrder {
		t.Errorf("made late: %+v %+v", st.Missing, st.Tests)
	}
}

func hasCode(st ReleaseStatus, code string) bool {
	for _, m := range st.Missing {
		if m.Code == code {
			return true
		}
	}
	return false
}

// A cn-9 secondary contact is released on day 7 with its own tests
// negative only once the linked close contact's first two tests are.
func TestReleaseWaitsForLinkedCloseContact(t *testing.T) {
	p, _ := Edition("cn-9")
	if p.Measures[PopulationSecondaryContact].LinkedNegativeTests != 2 {
		t.Fatal("cn-9 should make secondary contacts wait for two tests of their close contact")
	}
	plan, _ := ControlPlan(p, PopulationSecondaryContact, bjt("2022-02-04 20:00"))
	o := ControlOrder{ID: 8, Basis: BasisContact, Status: OrderActive, Population: PopulationSecondaryContact, RequiredFrom: "2022-02-05",
		LinkedContact: 3, LinkedTests: 2}
	o.SetPhases(plan)
	own := []TestResult{negative("2022-02-05"), negative("2022-02-08"), negative("2022-02-11")}
	at := bjt("2022-02-11 20:00")
	if st := o.ReleaseCheck(at, own, nil); !hasCode(st, "order.linked_unknown") {
		t.Errorf("no linked order: %+v", st.Missing)
	}
	closeOrder := cn9Close(t)
	linked := &LinkedTests{Order: closeOrder, Results: []TestResult{negative("2022-02-05")}}
	if st := o.ReleaseCheck(at, own, linked); st.Ready || !hasCode(st, "order.linked_tests") {
		t.Errorf("one linked negative: %+v", st.Missing)
	}
	linked.Results = append(linked.Results, negative("2022-02-06"))
	if st := o.ReleaseCheck(at, own, linked); !st.Ready {
		t.Errorf("two linked negatives: %+v", st.Missing)
	}
	// cn-8 secondary contacts do not wait.
	cn8, _ := Edition("cn-8")
	if cn8.Measures[PopulationSecondaryContact].LinkedNegativeTests != 0 {
		t.Error("cn-8 secondary contacts wait for their close contact")
	}
}

func TestReleaseOfHoldsAndHospital(t *testing.T) {
	r := ControlOrder{Status: OrderActive, RequiredFrom: "2022-02-08"}
	r.SetPhases([]ControlPhase{{Type: PendingRetest, FirstDay: "2022-02-08"}})
	at := bjt("2022-02-09 12:00")
	if st := r.ReleaseCheck(at, []TestResult{{Day: "2022-02-08", PoolSize: 10, Outcome: OutcomeNegative}}, nil); !hasCode(st, "order.retest_missing") {
		t.Errorf("pool alone: %+v", st.Missing)
	}
	if st := r.ReleaseCheck(at, []TestResult{negative("2022-02-09")}, nil); !st.Ready {
		t.Errorf("negative retest: %+v", st.Missing)
	}
	h := ControlOrder{Status: OrderActive, RequiredFrom: "2022-02-08"}
	h.SetPhases([]ControlPhase{{Type: HospitalIsolation, FirstDay: "2022-02-08"}})
	pos := TestResult{Day: "2022-02-10", CollectedAt: bjt("2022-02-10 09:00"), PoolSize: 1, Outcome: OutcomePositive}
	later := TestResult{Day: "2022-02-11", CollectedAt: bjt("2022-02-11 15:00"), PoolSize: 1, Outcome: OutcomePositive}
	same := negative("2022-02-12")
	same.CollectedAt = same.CollectedAt.Add(time.Hour)
	for _, c := range []struct {
		results []TestResult
		ready   bool
	}{
		{[]TestResult{negative("2022-02-11")}, false},
		{[]TestResult{negative("2022-02-12"), same}, false},
		{[]TestResult{negative("2022-02-11"), later, negative("2022-02-12")}, false},
		{[]TestResult{pos, negative("2022-02-11"), negative("2022-02-12")}, true},
	} {
		if st := h.ReleaseCheck(bjt("2022-02-13 12:00"), c.results, nil); st.Ready != c.ready {
			t.Errorf("hospital %+v: %+v", c.results, st.Missing)
		}
	}
}

func TestPlanOrder(t *testing.T) {
	cn9, _ := Edition("cn-9")
	last := bjt("2022-02-04 20:00")
	in := OrderInput{PersonID: 1, Population: PopulationCloseContact, LastExposure: last}
	plan, err := PlanOrder(cn9, in)
	if err != nil || len(plan) != 2 || plan[1].LastDay != "2022-02-14" {
		t.Fatalf("plan %+v %v", plan, err)
	}
	// Longer than the edition, with an extra test: kept.
	longer := []ControlPhase{
		{Type: CentralisedQuarantine, FirstDay: "2022-02-05", LastDay: "2022-02-12", TestDays: []string{"2022-02-05", "2022-02-06", "2022-02-07", "2022-02-09", "2022-02-11", "2022-02-12"}},
		{Type: HomeMonitoring, FirstDay: "2022-02-13", LastDay: "2022-02-15", TestDays: []string{"2022-02-15"}},
	}
	in.Phases = longer
	if got, err := PlanOrder(cn9, in); err != nil || got[1].DayNumber != 9 {
		t.Errorf("longer: %+v %v", got, err)
	}
	rule := "cn-9: close contacts 7 days centralised + 3 days home monitoring"
	for name, phases := range map[string][]ControlPhase{
		"five days centralised": {
			{Type: CentralisedQuarantine, FirstDay: "2022-02-05", LastDay: "2022-02-09", TestDays: []string{"2022-02-05", "2022-02-06", "2022-02-07", "2022-02-09"}},
			{Type: HomeMonitoring, FirstDay: "2022-02-10", LastDay: "2022-02-12", TestDays: []string{"2022-02-12"}}},
		"test day outside": {
			{Type: CentralisedQuarantine, FirstDay: "2022-02-05", LastDay: "2022-02-11", TestDays: []string{"2022-02-05", "2022-02-06", "2022-02-07", "2022-02-09", "2022-02-11"}},
			{Type: HomeMonitoring, FirstDay: "2022-02-12", LastDay: "2022-02-14", TestDays: []string{"2022-02-14", "2022-02-20"}}},
		"home instead of centralised": {
			{Type: HomeQuarantine, FirstDay: "2022-02-05", LastDay: "2022-02-11", TestDays: []string{"2022-02-05", "2022-02-06", "2022-02-07", "2022-02-09", "2022-02-11"}},
			{Type: HomeMonitoring, FirstDay: "2022-02-12", LastDay: "2022-02-14", TestDays: []string{"2022-02-14"}}},
		"a test left out": {
			{Type: CentralisedQuarantine, FirstDay: "2022-02-05", LastDay: "2022-02-11", TestDays: []string{"2022-02-05", "2022-02-07", "2022-02-09", "2022-02-11"}},
			{Type: HomeMonitoring, FirstDay: "2022-02-12", LastDay: "2022-02-14", TestDays: []string{"2022-02-14"}}},
		"starting late": {
			{Type: CentralisedQuarantine, FirstDay: "2022-02-06", LastDay: "2022-02-12", TestDays: []string{"2022-02-06", "2022-02-07", "2022-02-08", "2022-02-10", "2022-02-12"}},
			{Type: HomeMonitoring, FirstDay: "2022-02-13", LastDay: "2022-02-15", TestDays: []string{"2022-02-15"}}},
	} {
		in.Phases = phases
		_, err := PlanOrder(cn9, in)
		var e *Error
		if ErrorCode(err) != "order.contradicts_edition" || !strings.HasPrefix(err.(*Error).Message, rule) {
			t.Errorf("%s: %v", name, err)
			continue
		}
		e = err.(*Error)
		if e.Extra["edition"] != "cn-9" || !strings.HasPrefix(e.Extra["rule"].(string), rule) {
			t.Errorf("%s: extra %v", name, e.Extra)
		}
	}
	// Without a population only the shape is checked.
	doc := OrderInput{PersonID: 1, Phases: []ControlPhase{{Type: HomeQuarantine, FirstDay: "2022-02-08", LastDay: "2022-02-10", TestDays: []string{"2022-02-11"}}}}
	if _, err := PlanOrder(cn9, doc); ErrorCode(err) != "order.phases_invalid" {
		t.Errorf("test day outside, no population: %v", err)
	}
	doc.Phases[0].TestDays = []string{"2022-02-10"}
	if _, err := PlanOrder(cn9, doc); err != nil {
		t.Errorf("by document: %v", err)
	}
	doc.Phases = append(doc.Phases, ControlPhase{Type: HomeMonitoring, FirstDay: "2022-02-12", LastDay: "2022-02-13"})
	if _, err := PlanOrder(cn9, doc); ErrorCode(err) != "order.phases_invalid" {
		t.Errorf("a gap between phases: %v", err)
	}
}

func TestMeasureRule(t *testing.T) {
	for _, c := range []struct{ edition, population, want string }{
		{"cn-9", PopulationCloseContact, "cn-9: close contacts 7 days centralised + 3 days home monitoring; tests on days 1, 2, 3, 5, 7; at home on day 3"},
		{"cn-9", PopulationSecondaryContact, "cn-9: secondary contacts 7 days home quarantine; tests on days 1, 4, 7; released after the linked close contact's first 2 tests are negative"},
		{"cn-8", PopulationCloseContact, "cn-8: close contacts 14 days centralised + 7 days home monitoring; tests on days 1, 4, 7, 14; at home on days 2, 7"},
		{"cn-20", PopulationCloseContact, "cn-20: close contacts 5 days centralised + 3 days home quarantine; tests on days 1, 2, 3, 5; at home on days 1, 3"},
		{"cn-20", PopulationSecondaryContact, "cn-20: no measure for secondary contacts"},
	} {
		p, _ := Edition(c.edition)
		if got := MeasureRule(p, c.population); got != c.want {
			t.Errorf("%s %s:\n got %q\nwant %q", c.edition, c.population, got, c.want)
		}
	}
}

func TestOrderInputValidate(t *testing.T) {
	now := bjt("2022-02-08 09:00")
	for _, c := range []struct {
		in   OrderInput
		code string
	}{
		{OrderInput{PersonID: 1, Population: "nobody", LastExposure: now}, "order.population_invalid"},
		{OrderInput{PersonID: 1, Population: PopulationCloseContact}, "order.last_exposure_required"},
		{OrderInput{PersonID: 1, Population: PopulationCloseContact, LastExposure: now.Add(time.Hour)}, "order.last_exposure_in_future"},
		{OrderInput{PersonID: 1}, "order.phases_required"},
		{OrderInput{PersonID: 1, Basis: BasisCase, Population: PopulationCloseContact, LastExposure: now}, "order.basis_invalid"},
	} {
		if err := c.in.Validate(now); ErrorCode(err) != c.code {
			t.Errorf("%+v: %v, want %s", c.in, err, c.code)
		}
	}
	in := OrderInput{PersonID: 1, Population: PopulationCloseContact, LastExposure: now}
	if err := in.Validate(now); err != nil || in.Basis != BasisManual {
		t.Errorf("valid: %v %+v", err, in)
	}
}

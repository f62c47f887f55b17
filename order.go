package cordon

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Control orders (管控措施) put a person under a measure: centralised
// quarantine, home quarantine, home health monitoring, hospital isolation,
// or the hold at home after a positive pool. An order is made from a
// contact, a case, a hold or (later) an arrival, or by hand; it starts at
// the last exposure and takes its phases and test days from the policy
// edition in force (ControlPlan). Its phases are what a health code reads
// (CodeFacts), its test days are the sampling tasks, and it is released
// only when its conditions hold (ReleaseCheck), or early by a commander
// with a reason.

// OrderTypes lists the order types in the order pages show them.
var OrderTypes = []OrderType{CentralisedQuarantine, HomeQuarantine, HomeMonitoring, HospitalIsolation, PendingRetest}

// Valid reports whether t is a known order type.
func (t OrderType) Valid() bool { return slices.Contains(OrderTypes, t) }

// OrderBasis is why an order was made.
type OrderBasis string

const (
	BasisContact OrderBasis = "contact" // a close or secondary contact
	BasisCase    OrderBasis = "case"    // an infection: hospital isolation
	BasisRetest  OrderBasis = "retest"  // held at home after a positive pool
	BasisArrival OrderBasis = "arrival" // an arrival from a risk area
	BasisManual  OrderBasis = "manual"  // by hand, on a document
)

// OrderBases lists the bases.
var OrderBases = []OrderBasis{BasisContact, BasisCase, BasisRetest, BasisArrival, BasisManual}

// Valid reports whether b is a known basis.
func (b OrderBasis) Valid() bool { return slices.Contains(OrderBases, b) }

// OrderStatus is where an order stands.
type OrderStatus string

const (
	OrderActive    OrderStatus = "active"
	OrderReleased  OrderStatus = "released"
	OrderConverted OrderStatus = "converted" // replaced by another order: the person turned positive
	OrderCancelled OrderStatus = "cancelled" // never applied: its contact record was merged into another
)

// OrderStatuses lists the statuses.
var OrderStatuses = []OrderStatus{OrderActive, OrderReleased, OrderConverted, OrderCancelled}

// Valid reports whether s is a known status.
func (s OrderStatus) Valid() bool { return slices.Contains(OrderStatuses, s) }

// ReleaseKind is how an order was released.
type ReleaseKind string

const (
	ReleaseConditions ReleaseKind = "conditions" // the period ended and the tests were negative
	ReleaseEarly      ReleaseKind = "early"      // by a commander, with a reason
)

// Populations lists the populations an order can be made for by hand.
var Populations = []string{PopulationCloseContact, PopulationSecondaryContact, PopulationHighRiskArea, PopulationMediumRiskArea,
	PopulationRiskAreaArrival, PopulationRiskCountyArrival, PopulationCaseCityArrival}

// ControlOrder is one measure on one person.
type ControlOrder struct {
	ID       int64 `json:"id"`
	PersonID int64 `json:"person_id"`
	// Name, IDNumber and Phone are the person's, masked unless the reader's
	// role reads them in full.
	Name     string `json:"name"`
	IDNumber string `json:"id_number,omitempty"`
	Phone    string `json:"phone,omitempty"`
	Masked   bool   `json:"masked"`
	// Type is the type of the phase in force when read, else the first's.
	Type      OrderType  `json:"type"`
	Basis     OrderBasis `json:"basis"`
	ContactID int64      `json:"contact_id,omitempty"`
	CaseID    int64      `json:"case_id,omitempty"`
	HoldID    int64      `json:"hold_id,omitempty"`
	// LinkedContact is the close contact a secondary contact's release
	// waits for, LinkedTests how many of their tests must be negative.
	LinkedContact int64          `json:"linked_contact_id,omitempty"`
	LinkedTests   int            `json:"linked_tests,omitempty"`
	Population    string         `json:"population,omitempty"`
	Edition       string         `json:"edition,omitempty"`
	LastExposure  time.Time      `json:"last_exposure,omitzero"`
	Phases        []ControlPhase `json:"phases"`
	StartsOn      string         `json:"starts_on"`         // the first day, YYYY-MM-DD China time
	EndsOn        string         `json:"ends_on,omitempty"` // the last day; empty while open-ended
	// RequiredFrom is the day the order was made: a test day before it
	// is owed only if a sample was taken then.
	RequiredFrom  string      `json:"required_from"`
	Status        OrderStatus `json:"status"`
	ReleaseKind   ReleaseKind `json:"release_kind,omitempty"`
	ReleaseReason string      `json:"release_reason,omitempty"`
	// ReleasedAt is when the order ended: released, converted or cancelled.
	ReleasedAt   time.Time `json:"released_at,omitzero"`
	ReleasedBy   string    `json:"released_by,omitempty"`
	ConvertedTo  int64     `json:"converted_to,omitempty"` // the order that replaced it
	Jurisdiction string    `json:"jurisdiction"`           // the person's current place when made
	Note         string    `json:"note,omitempty"`
	CreatedBy    string    `json:"created_by,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	Version      int       `json:"version"`
}

// Mask replaces the identity number and phone with their masked forms.
func (o *ControlOrder) Mask() {
	if o.Masked {
		return
	}
	o.IDNumber = MaskDocNumber(o.IDNumber)
	o.Phone = MaskPhone(o.Phone)
	o.Masked = true
}

// dayOf is the date of t in China, YYYY-MM-DD.
func dayOf(t time.Time) string { return t.In(ChinaTime).Format(time.DateOnly) }

// dayStart is 00:00 China time of a YYYY-MM-DD day.
func dayStart(day string) (time.Time, bool) {
	t, err := time.ParseInLocation(time.DateOnly, day, ChinaTime)
	return t, err == nil
}

// addDays is the day n days after day.
func addDays(day string, n int) string {
	t, _ := dayStart(day)
	return t.AddDate(0, 0, n).Format(time.DateOnly)
}

// daysBetween is the number of days from a to b.
func daysBetween(a, b string) int {
	ta, _ := dayStart(a)
	tb, _ := dayStart(b)
	return int(tb.Sub(ta).Hours()+12) / 24
}

// SetPhases sets the phases, the first and last day and the type.
func (o *ControlOrder) SetPhases(phases []ControlPhase) {
	o.Phases = phases
	o.StartsOn, o.EndsOn = "", ""
	if len(phases) > 0 {
		o.Type = phases[0].Type
		o.StartsOn = phases[0].FirstDay
		o.EndsOn = phases[len(phases)-1].LastDay
	}
}

// Phase is the phase in force at t, if any.
func (o ControlOrder) Phase(at time.Time) (ControlPhase, bool) {
	day := dayOf(at)
	for _, ph := range o.Phases {
		if ph.FirstDay <= day && (ph.LastDay == "" || day <= ph.LastDay) {
			return ph, true
		}
	}
	return ControlPhase{}, false
}

// TestDays lists every test day of the order, in order.
func (o ControlOrder) TestDays() []string {
	var out []string
	for _, ph := range o.Phases {
		out = append(out, ph.TestDays...)
	}
	return out
}

// redReason is the red reason of the order's quarantine and hospital
// phases, by its basis.
func (o ControlOrder) redReason() CodeReason {
	switch o.Basis {
	case BasisContact:
		return ReasonContact
	case BasisCase:
		return ReasonInfection
	case BasisArrival:
		return ReasonArrivalQuarantine
	}
	return ReasonRedOther
}

// CodeFacts are the facts the order gives a health code: each phase from
// its first day 00:00 China time to the day after its last (open while it
// has none), cut at the end of an order that was released or converted.
// Quarantine and hospital phases are red with the basis's reason (contact
// A4, case A2, arrival A6, otherwise A8); home health monitoring and the
// pending-retest hold are yellow B6. A cancelled order never applied.
func (o ControlOrder) CodeFacts() []CodeFact {
	if o.Status == OrderCancelled {
		return nil
	}
	var end time.Time
	if o.Status != OrderActive {
		end = o.ReleasedAt
	}
	cause := "order:" + strconv.FormatInt(o.ID, 10)
	var out []CodeFact
	for _, ph := range o.Phases {
		from, ok := dayStart(ph.FirstDay)
		if !ok {
			continue
		}
		var until time.Time
		if last, ok := dayStart(ph.LastDay); ok {
			until = last.AddDate(0, 0, 1)
		}
		if !end.IsZero() {
			if !end.After(from) {
				break // the order ended before this phase began
			}
			if until.IsZero() || end.Before(until) {
				until = end
			}
		}
		reason := o.redReason()
		if ph.Type == HomeMonitoring || ph.Type == PendingRetest {
			reason = ReasonYellowOther
		}
		out = append(out, CodeFact{Reason: reason, From: from, Until: until, Cause: cause})
	}
	return out
}

// TestResult is one sample of a person with its tube's result: what a
// test day of an order is judged by.
type TestResult struct {
	Day         string    `json:"day"` // of the sampling, China time
	CollectedAt time.Time `json:"collected_at"`
	Tube        string    `json:"tube"`
	PoolSize    int       `json:"pool_size"`
	Outcome     Outcome   `json:"result,omitempty"` // empty until resulted
	ResultedAt  time.Time `json:"resulted_at,omitzero"`
}

// Pooled reports whether the sample went into a pooled tube.
func (r TestResult) Pooled() bool { return r.PoolSize > 1 }

// TestState is where one test day of an order stands.
type TestState string

const (
	TestNegative    TestState = "negative"
	TestPositive    TestState = "positive" // a positive single tube, or a positive pool awaiting its retest
	TestPending     TestState = "pending"  // sampled, no (valid) result yet
	TestDue         TestState = "due"      // today, not sampled yet
	TestUpcoming    TestState = "upcoming"
	TestMissed      TestState = "missed"       // past, not sampled
	TestBeforeOrder TestState = "before_order" // past before the order was made, not sampled: not owed
)

// TestDay is one test day of an order with its state and the sample that
// decides it.
type TestDay struct {
	Day       string      `json:"day"`
	DayNumber int         `json:"day_number"` // of the order, day 1 its first day
	Phase     OrderType   `json:"phase"`
	State     TestState   `json:"state"`
	Result    *TestResult `json:"sample,omitempty"`
}

// dayState judges a day by the samples taken on it: a positive single
// tube, else a negative single tube, else a positive pool (held for its
// retest), else a negative pool, else pending.
func dayState(results []TestResult, day string) (TestState, *TestResult) {
	var best *TestResult
	rank := 0
	for i := range results {
		r := &results[i]
		if r.Day != day {
			continue
		}
		n := 1 // pending
		switch {
		case r.Outcome == OutcomePositive && !r.Pooled():
			n = 5
		case r.Outcome == OutcomeNegative && !r.Pooled():
			n = 4
		case r.Outcome == OutcomePositive:
			n = 3
		case r.Outcome == OutcomeNegative:
			n = 2
		}
		if n > rank {
			best, rank = r, n
		}
	}
	switch rank {
	case 0:
		return "", nil
	case 5, 3:
		return TestPositive, best
	case 4, 2:
		return TestNegative, best
	}
	return TestPending, best
}

// Tests lists the order's test days with their states at a time, judged
// by the person's samples.
func (o ControlOrder) Tests(at time.Time, results []TestResult) []TestDay {
	today := dayOf(at)
	var out []TestDay
	for _, ph := range o.Phases {
		for _, day := range ph.TestDays {
			td := TestDay{Day: day, DayNumber: daysBetween(o.StartsOn, day) + 1, Phase: ph.Type}
			td.State, td.Result = dayState(results, day)
			if td.State == "" {
				switch {
				case day > today:
					td.State = TestUpcoming
				case day == today:
					td.State = TestDue
				case day < o.RequiredFrom:
					td.State = TestBeforeOrder
				default:
					td.State = TestMissed
				}
			}
			out = append(out, td)
		}
	}
	return out
}

// ReleaseCondition is a condition of release that does not hold yet.
type ReleaseCondition struct {
	Code    string `json:"code"` // order.test_missing, order.period_running, ...
	Day     string `json:"day,omitempty"`
	Message string `json:"message"`
}

// ReleaseStatus says whether an order may be released, what is missing,
// and where each test day stands.
type ReleaseStatus struct {
	Ready   bool               `json:"ready"`
	Missing []ReleaseCondition `json:"missing,omitempty"`
	Tests   []TestDay          `json:"tests"`
}

// LinkedTests is what a secondary contact's release waits for: the
// order of the close contact they are linked to, and that person's
// samples.
type LinkedTests struct {
	Order   ControlOrder
	Results []TestResult
}

// ReleaseCheck says whether the conditions of release hold at a time:
// the order's last day has come; each test day is negative (a day before
// the order was made counts only if sampled); the pending-retest hold has
// a negative single-tube retest; hospital isolation ends with the last two
// tests, on two days, negative; and a secondary contact whose edition says
// so (cn-9) waits for the first tests of the linked close contact to be
// negative. Missing names each condition that does not hold.
func (o ControlOrder) ReleaseCheck(at time.Time, results []TestResult, linked *LinkedTests) ReleaseStatus {
	st := ReleaseStatus{Tests: o.Tests(at, results)}
	miss := func(code, day, format string, args ...any) {
		st.Missing = append(st.Missing, ReleaseCondition{Code: code, Day: day, Message: fmt.Sprintf(format, args...)})
	}
	if o.Status != OrderActive {
		miss("order.not_active", "", "the order is %s", o.Status)
	}
	if today := dayOf(at); o.EndsOn != "" && today < o.EndsOn {
		miss("order.period_running", o.EndsOn, "the order runs until %s", o.EndsOn)
	}
	for _, td := range st.Tests {
		switch td.State {
		case TestNegative, TestBeforeOrder:
		case TestPending:
			miss("order.test_pending", td.Day, "day %d (%s): the result is not in", td.DayNumber, td.Day)
		case TestPositive:
			miss("order.test_positive", td.Day, "day %d (%s): the test was positive", td.DayNumber, td.Day)
		default:
			miss("order.test_missing", td.Day, "day %d (%s): no sample", td.DayNumber, td.Day)
		}
	}
	since := func(rs []TestResult, day string) []TestResult {
		var out []TestResult
		for _, r := range rs {
			if r.Day >= day {
				out = append(out, r)
			}
		}
		slices.SortFunc(out, func(a, b TestResult) int { return a.CollectedAt.Compare(b.CollectedAt) })
		return out
	}
	var kind OrderType
	if len(o.Phases) > 0 {
		kind = o.Phases[0].Type
	}
	switch kind {
	case PendingRetest:
		ok := false
		for _, r := range since(results, o.StartsOn) {
			ok = ok || r.Outcome == OutcomeNegative && !r.Pooled()
		}
		if !ok {
			miss("order.retest_missing", "", "no negative single-tube retest since %s", o.StartsOn)
		}
	case HospitalIsolation:
		// The latest results, newest first, until two days of negatives.
		rs := since(results, o.StartsOn)
		var days []string
		for i := len(rs) - 1; i >= 0 && len(days) < 2; i-- {
			r := rs[i]
			if r.Outcome == "" || r.Outcome == OutcomeInvalid {
				continue
			}
			if r.Outcome != OutcomeNegative {
				break
			}
			if len(days) == 0 || days[len(days)-1] != r.Day {
				days = append(days, r.Day)
			}
		}
		if len(days) < 2 {
			miss("order.discharge_tests", "", "the last two tests, on two days, must be negative")
		}
	}
	if o.LinkedTests > 0 {
		if linked == nil {
			miss("order.linked_unknown", "", "the linked close contact (contact %d) has no order to wait for", o.LinkedContact)
		} else {
			negative := 0
			for _, td := range linked.Order.Tests(at, linked.Results) {
				if td.State == TestBeforeOrder {
					continue
				}
				if td.State != TestNegative || negative == o.LinkedTests {
					break
				}
				negative++
			}
			if negative < o.LinkedTests {
				miss("order.linked_tests", "", "the linked close contact (contact %d) has %d of the first %d tests negative", o.LinkedContact, negative, o.LinkedTests)
			}
		}
	}
	st.Ready = len(st.Missing) == 0
	return st
}

// populationNames are the populations as rules name them.
var populationNames = map[string]string{
	PopulationCloseContact:     "close contacts",
	PopulationSecondaryContact: "secondary contacts",
	PopulationHighRiskArea:     "stays in a high-risk area",
	PopulationMediumRiskArea:   "stays in a medium-risk area",
}

// MeasureRule states an edition's measure for a population the way an
// order's refusal names it: "cn-9: close contacts 7 days centralised + 3
// days home monitoring; tests on days 1, 2, 3, 5, 7; at home on day 3".
func MeasureRule(p Policy, population string) string {
	m := p.Measures[population]
	name := populationNames[population]
	if name == "" {
		name = population
	}
	if m == nil || m.CentralisedDays == 0 && m.HomeDays == 0 {
		return fmt.Sprintf("%s: no measure for %s", p.Key, name)
	}
	days := func(ds []int) string {
		s := make([]string, len(ds))
		for i, d := range ds {
			s[i] = strconv.Itoa(d)
		}
		if len(ds) == 1 {
			return "day " + s[0]
		}
		return "days " + strings.Join(s, ", ")
	}
	var parts []string
	if m.CentralisedDays > 0 {
		parts = append(parts, fmt.Sprintf("%d days centralised", m.CentralisedDays))
	}
	home := "home monitoring"
	if m.Home == "isolation" {
		home = "home quarantine"
	}
	if m.HomeDays > 0 {
		parts = append(parts, fmt.Sprintf("%d days %s", m.HomeDays, home))
	}
	rule := fmt.Sprintf("%s: %s %s", p.Key, name, strings.Join(parts, " + "))
	tests, homeTests := m.Tests, m.HomeTests
	if m.CentralisedDays == 0 && len(homeTests) == 0 {
		homeTests = tests
	}
	if m.CentralisedDays > 0 && len(tests) > 0 {
		rule += "; tests on " + days(tests)
	}
	if m.HomeDays > 0 && len(homeTests) > 0 {
		if m.CentralisedDays > 0 {
			rule += "; at home on " + days(homeTests)
		} else {
			rule += "; tests on " + days(homeTests)
		}
	}
	if m.LinkedNegativeTests > 0 {
		rule += fmt.Sprintf("; released after the linked close contact's first %d tests are negative", m.LinkedNegativeTests)
	}
	return rule
}

// OrderInput makes an order by hand: for a population from the last
// exposure (or the arrival), with the edition's plan or phases given and
// checked against it; or, without a population, with the phases given
// (an order on a document).
type OrderInput struct {
	PersonID     int64          `json:"person_id"`
	Basis        OrderBasis     `json:"basis,omitempty"` // manual (the default) or arrival
	Population   string         `json:"population,omitempty"`
	LastExposure time.Time      `json:"last_exposure,omitzero"`
	Phases       []ControlPhase `json:"phases,omitempty"`
	Note         string         `json:"note,omitempty"`
}

// Validate normalises the input and checks it on its own; PlanOrder
// checks it against the edition.
func (in *OrderInput) Validate(now time.Time) error {
	var v Invalid
	v.Code = "order.invalid"
	if in.PersonID <= 0 {
		v.Add("person_id", "person.not_found")
	}
	if in.Basis == "" {
		in.Basis = BasisManual
	}
	if in.Basis != BasisManual && in.Basis != BasisArrival {
		v.Add("basis", "order.basis_invalid")
	}
	in.Population = strings.TrimSpace(in.Population)
	switch {
	case in.Population != "" && !slices.Contains(Populations, in.Population):
		v.Add("population", "order.population_invalid")
	case in.Population != "" && in.LastExposure.IsZero():
		v.Add("last_exposure", "order.last_exposure_required")
	case in.Population != "" && in.LastExposure.After(now):
		v.Add("last_exposure", "order.last_exposure_in_future")
	case in.Population == "" && len(in.Phases) == 0:
		v.Add("phases", "order.phases_required")
	}
	in.Note = strings.TrimSpace(in.Note)
	if !freeText(in.Note, maxNote) {
		v.Add("note", "order.note_invalid")
	}
	if len(in.Phases) > 4 {
		v.Add("phases", "order.phases_invalid")
	}
	return v.Err()
}

// phasesInvalid refuses phases that cannot be an order at all.
func phasesInvalid(format string, args ...any) error {
	return Errorf(KindInvalid, "order.phases_invalid", format, args...).WithField("phases", "order.phases_invalid")
}

// checkPhases checks the shape of phases given by hand: known types, real
// days, each phase after the one before it, only the last open-ended
// (hospital isolation or the pending-retest hold), test days real days.
func checkPhases(phases []ControlPhase) error {
	for i, ph := range phases {
		if !ph.Type.Valid() {
			return phasesInvalid("phase %d: unknown type %q", i+1, ph.Type)
		}
		if _, ok := dayStart(ph.FirstDay); !ok {
			return phasesInvalid("phase %d: the first day is not a date", i+1)
		}
		if ph.LastDay == "" {
			if i != len(phases)-1 || ph.Type != HospitalIsolation && ph.Type != PendingRetest {
				return phasesInvalid("phase %d: only a last phase of hospital isolation or the retest hold is open-ended", i+1)
			}
		} else if _, ok := dayStart(ph.LastDay); !ok || ph.LastDay < ph.FirstDay {
			return phasesInvalid("phase %d: the last day is not a date on or after the first", i+1)
		}
		if i > 0 && ph.FirstDay != addDays(phases[i-1].LastDay, 1) {
			return phasesInvalid("phase %d must begin the day after phase %d ends", i+1, i)
		}
		for _, d := range ph.TestDays {
			if _, ok := dayStart(d); !ok {
				return phasesInvalid("phase %d: test day %q is not a date", i+1, d)
			}
		}
	}
	return nil
}

// PlanOrder is the phases of an order made by hand under the edition in
// force: the edition's plan for the population when no phases are given;
// phases given are kept if they agree with the plan — the same phases,
// each at least as long, beginning on day 1, with every test day of the
// edition and none outside its phase — and refused otherwise with
// order.contradicts_edition, naming the rule. Without a population the
// phases given are only checked for shape.
func PlanOrder(p Policy, in OrderInput) ([]ControlPhase, error) {
	phases := slices.Clone(in.Phases)
	for i := range phases {
		phases[i].TestDays = slices.Clone(phases[i].TestDays)
		slices.Sort(phases[i].TestDays)
		phases[i].TestDays = slices.Compact(phases[i].TestDays)
	}
	if err := checkPhases(phases); err != nil {
		return nil, err
	}
	number := func() {
		for i := range phases {
			phases[i].DayNumber = daysBetween(phases[0].FirstDay, phases[i].FirstDay) + 1
		}
	}
	if in.Population == "" {
		for i, ph := range phases {
			for _, d := range ph.TestDays {
				if d < ph.FirstDay || ph.LastDay != "" && d > ph.LastDay {
					return nil, phasesInvalid("phase %d: test day %s lies outside the phase", i+1, d)
				}
			}
		}
		number()
		return phases, nil
	}
	plan, err := ControlPlan(p, in.Population, in.LastExposure)
	if err != nil {
		return nil, err
	}
	if len(phases) == 0 {
		return plan, nil
	}
	rule := MeasureRule(p, in.Population)
	contradicts := func(format string, args ...any) error {
		e := Errorf(KindInvalid, "order.contradicts_edition", "%s: %s", rule, fmt.Sprintf(format, args...)).WithField("phases", "order.contradicts_edition")
		e.Extra = map[string]any{"edition": p.Key, "rule": rule}
		return e
	}
	if len(phases) != len(plan) {
		return nil, contradicts("the edition prescribes %d phase(s), the order has %d", len(plan), len(phases))
	}
	if phases[0].FirstDay != plan[0].FirstDay {
		return nil, contradicts("the order begins on %s, day 1 after the last exposure is %s", phases[0].FirstDay, plan[0].FirstDay)
	}
	for i, ph := range phases {
		want := plan[i]
		if ph.Type != want.Type {
			return nil, contradicts("phase %d is %s, the edition prescribes %s", i+1, ph.Type, want.Type)
		}
		got, need := daysBetween(ph.FirstDay, ph.LastDay)+1, daysBetween(want.FirstDay, want.LastDay)+1
		if ph.LastDay == "" || got < need {
			return nil, contradicts("phase %d (%s) lasts %d days, fewer than %d", i+1, ph.Type, got, need)
		}
		for _, d := range ph.TestDays {
			if d < ph.FirstDay || d > ph.LastDay {
				return nil, contradicts("test day %s lies outside phase %d (%s to %s)", d, i+1, ph.FirstDay, ph.LastDay)
			}
		}
		for _, d := range want.TestDays {
			n := daysBetween(want.FirstDay, d)
			if !slices.Contains(ph.TestDays, addDays(ph.FirstDay, n)) {
				return nil, contradicts("phase %d lacks the test on its day %d", i+1, n+1)
			}
		}
	}
	number()
	return phases, nil
}

// OrderFilter selects orders for a list.
type OrderFilter struct {
	Status    OrderStatus `json:"status,omitempty"`
	Type      OrderType   `json:"type,omitempty"` // the order's first phase
	PersonID  int64       `json:"person_id,omitempty"`
	ContactID int64       `json:"contact_id,omitempty"`
	// Due keeps orders with a test day on Day; Overdue those with a test
	// day before Day that was owed and has no sample. Day is set by app
	// (today, China time).
	Due     bool   `json:"due,omitempty"`
	Overdue bool   `json:"overdue,omitempty"`
	Day     string `json:"-"`
	After   int64  `json:"after,omitempty"`
	Limit   int    `json:"limit,omitempty"`
}

// Validate checks the filter's values.
func (f *OrderFilter) Validate() error {
	var v Invalid
	v.Code = "order.filter_invalid"
	if f.Status != "" && !f.Status.Valid() {
		v.Add("status", "order.filter_invalid")
	}
	if f.Type != "" && !f.Type.Valid() {
		v.Add("type", "order.filter_invalid")
	}
	if f.PersonID < 0 || f.ContactID < 0 {
		v.Add("person_id", "order.filter_invalid")
	}
	return v.Err()
}

// OrderTask is one test day of an order as a sampling task: due today,
// or missed.
type OrderTask struct {
	Order ControlOrder `json:"order"`
	Test  TestDay      `json:"test"`
}

// OrderTasks is the task list of a day: the tests due that day and the
// test days missed before it.
type OrderTasks struct {
	Day    string      `json:"day"`
	Due    []OrderTask `json:"due"`
	Missed []OrderTask `json:"missed"`
}

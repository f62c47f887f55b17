package cordon

import (
	"slices"
	"testing"
	"time"
)

func TestMatchArrival(t *testing.T) {
	gx, _ := Edition("gx-2022-01")
	cn9, _ := Edition("cn-9")
	day := func(d int) time.Time { return time.Date(2022, 2, d, 0, 0, 0, 0, ChinaTime) }
	sealed := RiskArea{ID: 1, Edition: "gx-2022-01", Tier: "sealed", Jurisdiction: "451024200202", From: day(6), Since: day(1)}
	controlled := RiskArea{ID: 2, Edition: "gx-2022-01", Tier: "controlled", Jurisdiction: "451024200", From: day(6)}
	lifted := RiskArea{ID: 3, Edition: "cn-9", Tier: "high", Jurisdiction: "451002100", From: day(1), LiftedAt: day(3)}
	x := NewArrivalPlaces([]RiskArea{controlled, sealed, lifted}, map[string][]time.Time{"451081": {day(2)}})
	trip := func(stops ...TravelStop) Trip {
		return Trip{ArrivedAt: day(8).Add(10 * time.Hour), Travel: stops}
	}
	for _, tc := range []struct {
		name  string
		p     Policy
		trip  Trip
		pop   string
		tier  string
		areas []int64
	}{
		{"a hamlet inside both zones: both listed, the sealed first", gx,
			trip(TravelStop{Place: "451024200202", From: "2022-02-03", To: "2022-02-07"}), ArrivalRiskArea, "sealed", []int64{1, 2}},
		{"the look-back reaches a stay before the declaration", gx,
			trip(TravelStop{Place: "451024200202", From: "2022-02-02", To: "2022-02-04"}), ArrivalRiskArea, "sealed", []int64{1}},
		{"the county of the zones, not inside them", gx,
			trip(TravelStop{Place: "451024", From: "2022-02-06", To: "2022-02-07"}), ArrivalRiskCounty, "", nil},
		{"a city with a case two days before the stay", gx,
			trip(TravelStop{Place: "451081", From: "2022-02-03", To: "2022-02-05"}), ArrivalCaseCity, "", nil},
		{"travel older than the look-back", gx,
			trip(TravelStop{Place: "451024200202", From: "2022-01-20", To: "2022-01-22"}), ArrivalOrdinary, "", nil},
		{"a lifted area counts for a stay while it was in force", cn9,
			trip(TravelStop{Place: "451002100", From: "2022-02-02", To: "2022-02-02"}), ArrivalRiskArea, "high", []int64{3}},
		{"and not for a stay after it was lifted", cn9,
			trip(TravelStop{Place: "451002100", From: "2022-02-04", To: "2022-02-05"}), ArrivalOrdinary, "", nil},
		{"cn-9 has no population for sealed zones: the county rule applies", cn9,
			trip(TravelStop{Place: "451024200202", From: "2022-02-06", To: "2022-02-07"}), ArrivalRiskCounty, "", []int64{1, 2}},
	} {
		m := MatchArrival(tc.p, x, tc.trip)
		if m.Population.Key != tc.pop || m.Tier != tc.tier || !slices.Equal(m.Areas, tc.areas) {
			t.Errorf("%s: %s %q %v, want %s %q %v", tc.name, m.Population.Key, m.Tier, m.Areas, tc.pop, tc.tier, tc.areas)
		}
	}
	// The obligations of a population: gx-2022-01's zone is an order, the
	// ordinary arrival a test due 24 h after arriving, advised.
	m := MatchArrival(gx, x, trip(TravelStop{Place: "440306", From: "2022-02-01", To: "2022-02-08"}))
	obs := m.Obligations(day(8))
	if len(obs) != 1 || obs[0].Kind != ObligationTest || obs[0].Mandatory || !obs[0].DueAt.Equal(day(9)) {
		t.Errorf("ordinary arrival under gx-2022-01: %+v", obs)
	}
	m = MatchArrival(gx, x, trip(TravelStop{Place: "451024200202", From: "2022-02-06", To: "2022-02-07"}))
	if obs := m.Obligations(day(8)); len(obs) != 1 || obs[0].Kind != ObligationOrder || obs[0].Measure != "risk_area_arrival" {
		t.Errorf("arrival from a zone: %+v", obs)
	}
	// Reports of one trip merge their travel.
	got := MergeTravel([]TravelStop{{Place: "451024", From: "2022-02-03", To: "2022-02-05"}},
		[]TravelStop{{Place: "451024", From: "2022-02-01", To: "2022-02-04"}, {Place: "450102", From: "2022-02-06", To: "2022-02-06"}})
	if len(got) != 2 || got[0].From != "2022-02-01" || got[0].To != "2022-02-05" {
		t.Errorf("merged travel: %+v", got)
	}
}

func TestObligationCodeFacts(t *testing.T) {
	due := time.Date(2022, 2, 9, 10, 0, 0, 0, ChinaTime)
	o := Obligation{ID: 4, Kind: ObligationTest, Mandatory: true, Status: ObligationOpen, DueAt: due}
	if f := o.CodeFacts(); len(f) != 1 || f[0].Reason != ReasonYellowOther || !f[0].From.Equal(due) || !f[0].Until.IsZero() {
		t.Errorf("overdue mandatory test: %+v", f)
	}
	o.Status, o.MetAt = ObligationMet, due.Add(3*time.Hour)
	if f := o.CodeFacts(); len(f) != 1 || !f[0].Until.Equal(o.MetAt) {
		t.Errorf("taken late: %+v", f)
	}
	o.MetAt = due.Add(-time.Hour)
	if f := o.CodeFacts(); len(f) != 0 {
		t.Errorf("taken in time: %+v", f)
	}
	o.Mandatory, o.Status = false, ObligationOpen
	if f := o.CodeFacts(); len(f) != 0 {
		t.Errorf("an advised test colours nothing: %+v", f)
	}
}

func TestStrongerTellsTiersApart(t *testing.T) {
	cn9, _ := Edition("cn-9")
	r := cn9.Arrivals
	if !r.Stronger(ArrivalRiskArea, "high", ArrivalRiskArea, "medium") || r.Stronger(ArrivalRiskArea, "medium", ArrivalRiskArea, "high") {
		t.Errorf("cn-9: a high area must rank above a medium one")
	}
	if !r.Stronger(ArrivalRiskCounty, "", ArrivalOrdinary, "") || !r.Stronger(ArrivalOrdinary, "", "", "") {
		t.Errorf("the county above the ordinary, and anything above an arrival still expected")
	}
}

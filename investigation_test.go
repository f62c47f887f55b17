package cordon

import (
	"slices"
	"testing"
	"time"
)

func cst(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, ChinaTime)
	if err != nil {
		panic(err)
	}
	return t
}

func TestInvestigationWindow(t *testing.T) {
	found := cst("2022-02-04 20:00")
	cases := []struct {
		name         string
		c            Case
		control      string
		anchor, kind string
		from, to     string
		days         int
		lookback     int
	}{
		{"onset", Case{OnsetDate: "2022-02-03", SamplingDate: "2022-02-04", DetectedAt: found}, "", "2022-02-03", "onset", "2022-01-20", "2022-02-04", 16, 14},
		{"asymptomatic: sampling", Case{Classification: Asymptomatic, SamplingDate: "2022-02-04", DetectedAt: found}, "", "2022-02-04", "sampling", "2022-01-21", "2022-02-04", 15, 14},
		{"neither: detection", Case{DetectedAt: found}, "", "2022-02-04", "detected", "2022-01-21", "2022-02-04", 15, 14},
		{"controlled later", Case{SamplingDate: "2022-02-04", DetectedAt: found}, "2022-02-05", "2022-02-04", "sampling", "2022-01-21", "2022-02-05", 16, 14},
		{"another look-back", Case{SamplingDate: "2022-02-04", DetectedAt: found}, "", "2022-02-04", "sampling", "2022-01-28", "2022-02-04", 8, 7},
		// Detected 20:00 UTC is the next morning in China.
		{"China day", Case{DetectedAt: time.Date(2022, 2, 4, 20, 0, 0, 0, time.UTC)}, "", "2022-02-05", "detected", "2022-01-22", "2022-02-05", 15, 14},
	}
	for _, c := range cases {
		w := InvestigationWindow(c.c, c.control, c.lookback, "cn-8")
		if w.Anchor != c.anchor || w.AnchorKind != c.kind || w.From != c.from || w.To != c.to || len(w.Days()) != c.days || w.Policy != "cn-8" {
			t.Errorf("%s: %+v, %d days", c.name, w, len(w.Days()))
		}
	}
	w := InvestigationWindow(Case{SamplingDate: "2022-02-04", DetectedAt: found}, "", 14, "")
	from, to := w.Bounds()
	if !from.Equal(cst("2022-01-21 00:00")) || !to.Equal(cst("2022-02-05 00:00")) {
		t.Errorf("bounds %v %v", from, to)
	}
}

func TestNormalizeVehicle(t *testing.T) {
	cases := []struct {
		mode, in, out string
		ok            bool
	}{
		{ModeTrain, "g1234", "G1234", true},
		{ModeTrain, "D 3825次", "D3825", true},
		{ModeTrain, "K21", "K21", true},
		{ModeTrain, "不记得", "不记得", false},
		{ModePlane, "cz3456", "CZ3456", true},
		{ModePlane, "3U8888", "3U8888", true},
		{ModeCar, "桂L12345", "桂L·12345", true},
		{ModeCar, "桂l 12345", "桂L·12345", true},
		{ModeCar, "桂L·12345", "桂L·12345", true},
		{ModeCar, "粤B-D12345", "粤B·D12345", true}, // new energy
		{ModeTaxi, "桂A·T1234", "桂A·T1234", true},
		{ModeCar, "桂L·123", "桂L·123", false},
		{ModeBus, "12路", "12路", true},
		{ModeOther, "", "", true},
	}
	for _, c := range cases {
		out, ok := NormalizeVehicle(c.mode, c.in)
		if out != c.out || ok != c.ok {
			t.Errorf("NormalizeVehicle(%s, %q) = %q, %v; want %q, %v", c.mode, c.in, out, ok, c.out, c.ok)
		}
	}
}

// An itinerary over a five-day window: warnings for an entry outside it,
// overlaps and uncovered days; completeness for a submission.
func TestItineraryChecks(t *testing.T) {
	now := cst("2022-02-05 09:00")
	c := Case{ID: 1, SamplingDate: "2022-02-04", DetectedAt: cst("2022-02-04 20:00")}
	w := InvestigationWindow(c, "", 4, "test") // 2022-01-31 .. 2022-02-04
	inv := Investigation{
		Itinerary: []ItineraryEntry{
			{From: cst("2022-02-01 22:00"), To: cst("2022-02-02 08:00"), Place: "酒店"},
			{From: cst("2022-01-31 09:00"), To: cst("2022-01-31 10:00"), Place: "市场"},
			{From: cst("2022-02-02 07:00"), To: cst("2022-02-02 07:30"), Place: "早餐店"}, // inside the hotel night
			{From: cst("2022-02-02 08:00"), To: cst("2022-02-02 09:00"), Place: "车站"},  // starts as the night ends: no overlap
			{From: cst("2022-01-20 09:00"), To: cst("2022-01-20 09:00"), Place: "深圳"},  // long before
		},
		HomeDays: []string{"2022-02-04", "2022-01-01"},
	}
	if err := inv.Validate(InvestigationFacts{Now: now, CaseID: 1}); err != nil {
		t.Fatal(err)
	}
	inv.SortItinerary()
	if inv.Itinerary[0].Place != "深圳" || inv.Itinerary[1].Place != "市场" || inv.Itinerary[4].Place != "车站" {
		t.Fatalf("not sorted: %+v", inv.Itinerary)
	}
	got := inv.Warn(w)
	want := []Warning{
		{Code: WarnOutsideWindow, Entry: 1},
		{Code: WarnOverlap, Entry: 4, Other: 3},
		{Code: WarnOutsideWindow, Date: "2022-01-01"},
		{Code: WarnDayMissing, Date: "2022-02-03"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("warnings\n got %v\nwant %v", got, want)
	}
	cov := inv.Covered(w)
	if !slices.Equal(cov["2022-02-01"], []int{3}) || !slices.Equal(cov["2022-02-02"], []int{3, 4, 5}) {
		t.Errorf("covered: %v", cov)
	}

	err := inv.Complete(w, PartTrajectory)
	if e, ok := err.(*Error); !ok || e.Code != "investigation.incomplete" || len(e.Fields) != 1 || e.Fields["itinerary.day.2022-02-03"] != WarnDayMissing {
		t.Errorf("trajectory: %v", err)
	}
	inv.HomeDays = append(inv.HomeDays, "2022-02-03")
	if err := inv.Complete(w, PartTrajectory); err != nil {
		t.Errorf("a covered trajectory: %v", err)
	}
	err = inv.Complete(w, PartReport)
	if e, ok := err.(*Error); !ok || e.Fields["source.kind"] != "source.required" || e.Fields["investigators"] == "" || e.Fields["source.reasoning"] == "" {
		t.Errorf("report: %v", err)
	}
	inv.Investigators, inv.Source = "李某", Source{Kind: SourceImported, Reasoning: "深圳返乡"}
	if e, ok := inv.Complete(w, PartReport).(*Error); !ok || e.Fields["source.origin"] != "source.origin_required" {
		t.Errorf("imported without origin: %v", e)
	}
	inv.Source.Origin = "深圳市"
	if err := inv.Complete(w, PartReport); err != nil {
		t.Errorf("complete: %v", err)
	}
}

// A changed conclusion keeps nothing of the old one.
func TestSourceKeepsItsKind(t *testing.T) {
	inv := Investigation{Source: Source{Kind: SourceEnvironment, CaseID: 4, Origin: "深圳", Environment: "冷链", Reasoning: "外包装阳性"}}
	if err := inv.Validate(InvestigationFacts{Now: time.Now(), CaseID: 1}); err != nil {
		t.Fatal(err)
	}
	if inv.Source != (Source{Kind: SourceEnvironment, Environment: "冷链", Reasoning: "外包装阳性"}) {
		t.Errorf("source: %+v", inv.Source)
	}
}

func TestHouseholdMask(t *testing.T) {
	id := "451024199001011234"
	id = id[:17] + string(CitizenIDCheck(id[:17]))
	inv := Investigation{Household: []HouseholdMember{{Name: "黄某", IDNumber: id, Phone: "13900001111"}}}
	stored := inv
	stored.Household = slices.Clone(inv.Household)
	inv.Mask()
	inv.Mask() // once only
	if m := inv.Household[0]; m.IDNumber != MaskDocNumber(id) || m.Phone != "139****1111" || !inv.Masked {
		t.Fatalf("masked: %+v", m)
	}
	inv.KeepMasked(stored)
	if m := inv.Household[0]; m.IDNumber != id || m.Phone != "13900001111" {
		t.Errorf("kept: %+v", m)
	}
}

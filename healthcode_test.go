package cordon

import (
	"slices"
	"testing"
	"time"
)

func TestHealthCode(t *testing.T) {
	close, secondary := CloseContact, SecondaryContact
	for name, c := range map[string]struct {
		f       CodeFacts
		color   CodeColor
		reasons []CodeReason
	}{
		"nothing":            {CodeFacts{}, Green, nil},
		"confirmed":          {CodeFacts{Case: &Case{Classification: Confirmed}}, Red, []CodeReason{"A2"}},
		"asymptomatic":       {CodeFacts{Case: &Case{Classification: Asymptomatic}}, Red, []CodeReason{"A2"}},
		"suspected":          {CodeFacts{Case: &Case{Classification: Suspected}}, Red, []CodeReason{"A3"}},
		"recovered":          {CodeFacts{Case: &Case{Classification: Confirmed, Outcome: Recovered}, PostDischarge: true}, Yellow, []CodeReason{"B2"}},
		"close contact":      {CodeFacts{Contact: &close}, Red, []CodeReason{"A4"}},
		"secondary contact":  {CodeFacts{Contact: &secondary}, Red, []CodeReason{"A4"}},
		"companion":          {CodeFacts{Companion: true}, Yellow, []CodeReason{"B3"}},
		"companion, contact": {CodeFacts{Companion: true, Contact: &close}, Red, []CodeReason{"A4"}},
		"pending retest":     {CodeFacts{PendingRetest: true}, Yellow, []CodeReason{"B6"}},
		// Debao, 2022-02-09: every resident yellow by an area measure; a
		// close contact among them is red for both reasons.
		"area measure":           {CodeFacts{Reasons: []CodeReason{ReasonYellowOther}}, Yellow, []CodeReason{"B6"}},
		"area and contact":       {CodeFacts{Contact: &close, Reasons: []CodeReason{ReasonYellowOther, ReasonHighRiskArea}}, Red, []CodeReason{"A4", "A7", "B6"}},
		"unknown reason ignored": {CodeFacts{Reasons: []CodeReason{"C9", ""}}, Green, nil},
	} {
		color, reasons := HealthCode(c.f)
		if color != c.color || !slices.Equal(reasons, c.reasons) {
			t.Errorf("%s: %s %v, want %s %v", name, color, reasons, c.color, c.reasons)
		}
	}
	start := bjt("2022-02-10 08:00")
	if _, end, err := CodeWindow(start, 24); err != nil || !end.Equal(start.Add(24*time.Hour)) {
		t.Errorf("24 h window: %v %v", end, err)
	}
	for _, h := range []int{0, 25} {
		if _, _, err := CodeWindow(start, h); ErrorCode(err) != "healthcode.window_invalid" {
			t.Errorf("%d h window: %v", h, err)
		}
	}
}

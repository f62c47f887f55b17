package cordon

import (
	"slices"
	"time"
)

// CodeColor is a health code's colour.
type CodeColor string

const (
	Green  CodeColor = "green"
	Yellow CodeColor = "yellow"
	Red    CodeColor = "red"
)

// CodeReason is a Guangxi reason code for a colour (RULES.md): A1–A8 make
// a code red, B1–B6 yellow.
type CodeReason string

const (
	ReasonNationalHigh      CodeReason = "A1" // national platform: high risk
	ReasonInfection         CodeReason = "A2" // confirmed or asymptomatic infection
	ReasonSuspected         CodeReason = "A3" // suspected case
	ReasonContact           CodeReason = "A4" // close or secondary contact
	ReasonInboundQuarantine CodeReason = "A5" // inbound arrival who must complete centralised quarantine
	ReasonArrivalQuarantine CodeReason = "A6" // domestic arrival who must complete centralised quarantine
	ReasonHighRiskArea      CodeReason = "A7" // from or in a high-risk area (or a sealed zone)
	ReasonRedOther          CodeReason = "A8" // other, by document
	ReasonNationalMedium    CodeReason = "B1" // national platform: medium risk
	ReasonPostDischarge     CodeReason = "B2" // post-discharge health monitoring
	ReasonCompanion         CodeReason = "B3" // spatio-temporal companion
	ReasonMediumRiskArea    CodeReason = "B4" // medium-risk area
	ReasonSameVehicle       CodeReason = "B5" // same vehicle as a positive, not a contact
	ReasonYellowOther       CodeReason = "B6" // other (a required test not taken, an area measure, by hand)
)

// Color is the colour a reason makes.
func (r CodeReason) Color() CodeColor {
	switch {
	case len(r) == 2 && r[0] == 'A' && r[1] >= '1' && r[1] <= '8':
		return Red
	case len(r) == 2 && r[0] == 'B' && r[1] >= '1' && r[1] <= '6':
		return Yellow
	}
	return Green
}

// CodeFacts are what a person's health code is computed from at a time:
// the person's own facts and the area measures that cover them.
type CodeFacts struct {
	Case          *Case        // the person's open case, if any
	Contact       *ContactKind // the kind of an open contact record, if any
	Companion     bool         // a spatio-temporal companion not (yet) a contact
	PendingRetest bool         // held at home for a single-tube retest after a positive pool
	PostDischarge bool         // in health monitoring after discharge
	Reasons       []CodeReason // from control orders, areas and measures, set by whoever knows them
}

// HealthCode computes a colour and its reasons from facts: red when any
// reason is red, else yellow when any is yellow, else green. The reasons
// come sorted, each once. Nothing here is stored: the colour follows the
// facts, and reverts when they end.
func HealthCode(f CodeFacts) (CodeColor, []CodeReason) {
	var reasons []CodeReason
	add := func(r CodeReason) {
		if !slices.Contains(reasons, r) {
			reasons = append(reasons, r)
		}
	}
	if c := f.Case; c != nil && c.Outcome == "" {
		if c.Classification == Suspected {
			add(ReasonSuspected)
		} else {
			add(ReasonInfection)
		}
	}
	if f.Contact != nil {
		add(ReasonContact)
	}
	if f.Companion && f.Contact == nil {
		add(ReasonCompanion)
	}
	if f.PendingRetest {
		add(ReasonYellowOther)
	}
	if f.PostDischarge {
		add(ReasonPostDischarge)
	}
	for _, r := range f.Reasons {
		if r.Color() != Green {
			add(r)
		}
	}
	slices.Sort(reasons)
	color := Green
	for _, r := range reasons {
		if r.Color() == Red {
			return Red, reasons
		}
		color = Yellow
	}
	return color, reasons
}

// CodeWindow is the one-time window a yellow-code holder may obtain to
// travel home: 1 to 24 hours from its start.
func CodeWindow(start time.Time, hours int) (time.Time, time.Time, error) {
	if hours < 1 || hours > 24 {
		return time.Time{}, time.Time{}, Errorf(KindInvalid, "healthcode.window_invalid", "a travel window lasts 1 to 24 hours").WithField("hours", "healthcode.window_invalid")
	}
	return start, start.Add(time.Duration(hours) * time.Hour), nil
}

// CodeFact is one cause of a colour over a time interval: an open case, a
// contact under management, a control order's phase, a hold for a retest,
// a mark, an area measure, a colour set by hand. A person's colour at a time
// is HealthCode over the facts that cover it, and the history of colour
// changes is a sweep over their ends: nothing about a colour is stored but
// its causes.
type CodeFact struct {
	Reason CodeReason `json:"reason"`
	From   time.Time  `json:"from"`
	Until  time.Time  `json:"until,omitzero"` // exclusive; zero while it lasts
	Cause  string     `json:"cause"`          // the record behind it: "case:12", "order:7", "measure:3"
	// Force, on a colour set by hand, is the colour it sets whatever the
	// other facts say; empty on every other fact.
	Force CodeColor `json:"force,omitempty"`
}

// Covers reports whether the fact holds at t.
func (f CodeFact) Covers(t time.Time) bool {
	return !t.Before(f.From) && (f.Until.IsZero() || t.Before(f.Until))
}

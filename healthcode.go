package cordon

import (
	"slices"
	"strconv"
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

// CodeWindowGrant is a person's one-time travel window: while it lasts a
// yellow code shows green so that the holder can travel home.
type CodeWindowGrant struct {
	From  time.Time `json:"from"`
	Until time.Time `json:"until"`
}

// CodeMark is a fact about a person's code that only codes know: a colour
// set by hand (Force, with a reason and an expiry), a companion flagged
// from a case's companion search (B3), a red or yellow code by document.
type CodeMark struct {
	ID         int64      `json:"id"`
	PersonID   int64      `json:"person_id"`
	Reason     CodeReason `json:"reason,omitempty"`
	Force      CodeColor  `json:"force,omitempty"`
	Note       string     `json:"note"`
	Source     string     `json:"source"`
	From       time.Time  `json:"from"`
	Until      time.Time  `json:"until"`
	RevokedAt  time.Time  `json:"revoked_at,omitzero"`
	RevokeNote string     `json:"revoke_note,omitempty"`
	CreatedBy  int64      `json:"created_by,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
}

// MaxMark is the longest a mark set by hand may last before it must be
// renewed.
const MaxMark = 30 * 24 * time.Hour

// Validate checks a mark set by hand at now: a colour or a reason, a
// written note, and an expiry in the future no further than MaxMark.
func (m CodeMark) Validate(now time.Time) error {
	switch {
	case m.Force != "" && m.Force != Green && m.Force != Yellow && m.Force != Red:
		return invalidField("color", "healthcode.color_invalid", "the colour must be green, yellow or red")
	case m.Reason != "" && m.Reason.Color() == Green:
		return invalidField("reason_code", "healthcode.reason_invalid", "a reason code is A1–A8 or B1–B6")
	case m.Force == "" && m.Reason == "":
		return invalidField("color", "healthcode.color_invalid", "give a colour or a reason code")
	case m.Force != "" && m.Reason != "" && m.Reason.Color() != m.Force:
		return invalidField("reason_code", "healthcode.reason_invalid", "the reason code gives another colour")
	case len([]rune(m.Note)) < 2:
		return invalidField("reason", "healthcode.reason_required", "say why the colour is set by hand")
	case m.Until.IsZero():
		return invalidField("until", "healthcode.expiry_required", "a colour set by hand needs an expiry")
	case !m.Until.After(now) || m.Until.Sub(now) > MaxMark:
		return invalidField("until", "healthcode.expiry_invalid", "the expiry must lie within 30 days from now")
	}
	return nil
}

// invalidField is a refusal of one field's value with its stable code.
func invalidField(field, code, msg string) error {
	return Errorf(KindInvalid, code, "%s", msg).WithField(field, code)
}

// AreaMeasure is one record on a jurisdiction that colours the code of
// everyone living there, e.g. "all residents of 451024 yellow from
// 2022-02-09 until three negative rounds". It is applied when a code is
// computed, never written into person rows, and reverts by itself: at
// Until, or once Rounds closed rounds over the area found no positive.
type AreaMeasure struct {
	ID           int64      `json:"id"`
	Jurisdiction string     `json:"jurisdiction"`
	Reason       CodeReason `json:"reason"`
	Note         string     `json:"note"`
	From         time.Time  `json:"from"`
	Until        time.Time  `json:"until,omitzero"`
	Rounds       int        `json:"rounds,omitempty"`
	EndedAt      time.Time  `json:"ended_at,omitzero"`
	EndNote      string     `json:"end_note,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	Name         string     `json:"jurisdiction_name,omitempty"`
}

// Validate checks a new measure.
func (m AreaMeasure) Validate() error {
	switch {
	case m.Reason.Color() == Green:
		return invalidField("reason_code", "healthcode.reason_invalid", "a reason code is A1–A8 or B1–B6")
	case len([]rune(m.Note)) < 2:
		return invalidField("note", "healthcode.reason_required", "say why the measure is taken")
	case m.From.IsZero():
		return invalidField("from", "measure.from_required", "a measure needs a start")
	case !m.Until.IsZero() && !m.Until.After(m.From):
		return invalidField("until", "measure.until_invalid", "a measure ends after it starts")
	case m.Rounds < 0 || m.Rounds > 10:
		return invalidField("rounds", "measure.rounds_invalid", "a measure ends after 1 to 10 negative rounds")
	case m.Until.IsZero() && m.Rounds == 0:
		return invalidField("until", "measure.end_required", "a measure needs an end: a date or a number of negative rounds")
	}
	return nil
}

// Fact is the measure as a fact of the code of a person living inside it.
func (m AreaMeasure) Fact() CodeFact {
	until := m.Until
	if !m.EndedAt.IsZero() && (until.IsZero() || m.EndedAt.Before(until)) {
		until = m.EndedAt
	}
	return CodeFact{Reason: m.Reason, From: m.From, Until: until, Cause: "measure:" + strconv.FormatInt(m.ID, 10)}
}

// CodeAt is the colour and reasons the facts give at t, with the facts
// that hold then. A fact that forces a colour (the latest made, if
// several) decides the colour; its reason and the others are still listed.
func CodeAt(facts []CodeFact, t time.Time) (CodeColor, []CodeReason, []CodeFact) {
	var in []CodeFact
	var reasons []CodeReason
	var force *CodeFact
	for i, f := range facts {
		if !f.Covers(t) {
			continue
		}
		in = append(in, f)
		if f.Force != "" {
			if force == nil || f.From.After(force.From) {
				force = &facts[i]
			}
			continue
		}
		reasons = append(reasons, f.Reason)
	}
	color, reasons := HealthCode(CodeFacts{Reasons: reasons})
	if force == nil {
		return color, reasons, in
	}
	// The colour set by hand weighed the facts of its time; a fact that
	// began after it is news, and makes the code worse if it is worse.
	var news []CodeReason
	for _, f := range in {
		if f.Force == "" && f.From.After(force.From) {
			news = append(news, f.Reason)
		}
	}
	later, _ := HealthCode(CodeFacts{Reasons: news})
	color = force.Force
	if colorRank[later] > colorRank[color] {
		color = later
	}
	if force.Reason != "" && !slices.Contains(reasons, force.Reason) {
		reasons = append(reasons, force.Reason)
		slices.Sort(reasons)
	}
	return color, reasons, in
}

var colorRank = map[CodeColor]int{Green: 0, Yellow: 1, Red: 2}

// CodeChange is one change of colour or reasons in a code's history.
type CodeChange struct {
	At      time.Time    `json:"at"`
	Color   CodeColor    `json:"color"`
	Reasons []CodeReason `json:"reasons"`
	Began   []string     `json:"began,omitempty"` // the causes that began then
	Ended   []string     `json:"ended,omitempty"` // the causes that ended then
}

// CodeHistory sweeps the facts' ends up to now and lists each change of
// colour or reasons with its causes, oldest first. The first entry is the
// first fact's start; before it the code was green.
func CodeHistory(facts []CodeFact, now time.Time) []CodeChange {
	var times []time.Time
	for _, f := range facts {
		times = append(times, f.From)
		if !f.Until.IsZero() {
			times = append(times, f.Until)
		}
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	times = slices.CompactFunc(times, func(a, b time.Time) bool { return a.Equal(b) })
	var out []CodeChange
	color, reasons := Green, []CodeReason(nil)
	for _, t := range times {
		if t.After(now) {
			break
		}
		c, r, _ := CodeAt(facts, t)
		if c == color && slices.Equal(r, reasons) {
			continue
		}
		ch := CodeChange{At: t, Color: c, Reasons: r}
		for _, f := range facts {
			if f.From.Equal(t) {
				ch.Began = append(ch.Began, f.Cause)
			}
			if f.Until.Equal(t) {
				ch.Ended = append(ch.Ended, f.Cause)
			}
		}
		out = append(out, ch)
		color, reasons = c, r
	}
	return out
}

// HealthCodeStatus is a person's code at a time: what
// GET /api/v1/persons/{id}/health-code answers.
type HealthCodeStatus struct {
	PersonID int64            `json:"person_id"`
	Color    CodeColor        `json:"color"`
	Reasons  []CodeReason     `json:"reasons"`
	Since    time.Time        `json:"since,omitzero"` // when the colour and reasons became what they are
	Causes   []CodeFact       `json:"causes,omitempty"`
	Window   *CodeWindowGrant `json:"window,omitempty"` // the travel window, once granted
	InWindow bool             `json:"in_window,omitempty"`
	At       time.Time        `json:"at"`
}

// CodeFacts are what a risk area gives the code of everyone whose place
// lies in it: its tier's reason (A7 high or sealed, B4 medium or
// controlled; none for low) from its declaration, or from its step-down for
// the current tier, until it ends or is lifted.
func (r RiskArea) CodeFacts(p Policy) []CodeFact {
	end := r.To
	if !r.LiftedAt.IsZero() && (end.IsZero() || r.LiftedAt.Before(end)) {
		end = r.LiftedAt
	}
	cause := "riskarea:" + strconv.FormatInt(r.ID, 10)
	var out []CodeFact
	add := func(tier string, from, until time.Time) {
		t, ok := p.RiskTier(tier)
		if ok && t.Reason != "" && (until.IsZero() || until.After(from)) {
			out = append(out, CodeFact{Reason: t.Reason, From: from, Until: until, Cause: cause})
		}
	}
	since := r.From
	if r.PrevTier != "" && r.TierSince.After(r.From) {
		since = r.TierSince
		until := since
		if !end.IsZero() && end.Before(until) {
			until = end
		}
		add(r.PrevTier, r.From, until)
	}
	if end.IsZero() || end.After(since) {
		add(r.Tier, since, end)
	}
	return out
}

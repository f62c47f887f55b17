package cordon

import (
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Round is one round of mass nucleic-acid testing (核酸检测轮次) over a
// jurisdiction or a set of areas inside it.
type Round struct {
	ID           int64     `json:"id"`
	Name         string    `json:"name"`
	Jurisdiction string    `json:"jurisdiction"`    // the node that owns the round
	Areas        []string  `json:"areas,omitempty"` // the covered areas; the whole jurisdiction when empty
	StartsAt     time.Time `json:"starts_at"`
	Deadline     time.Time `json:"deadline"`
	Expected     int       `json:"expected"` // the population expected to be sampled
	Modes        Modes     `json:"modes"`    // pool size by population group
	Closed       bool      `json:"closed"`
	CreatedAt    time.Time `json:"created_at"`
}

// Covers reports whether a jurisdiction code lies inside the round's area.
func (r Round) Covers(code string) bool {
	if len(r.Areas) == 0 {
		return Within(code, r.Jurisdiction)
	}
	for _, a := range r.Areas {
		if Within(code, a) {
			return true
		}
	}
	return false
}

// Group is a population group with its own sampling mode.
type Group string

const (
	GroupGeneral     Group = "general"     // everyone else: pooled
	GroupKey         Group = "key"         // key groups (重点人群): single tube
	GroupQuarantined Group = "quarantined" // people under quarantine or home isolation: single tube
)

// Groups lists the population groups in display order.
var Groups = []Group{GroupGeneral, GroupKey, GroupQuarantined}

// Valid reports whether g is a known group.
func (g Group) Valid() bool {
	for _, x := range Groups {
		if g == x {
			return true
		}
	}
	return false
}

// Modes gives the pool size (1 = single tube, 5, 10 or 20) per population group.
type Modes map[Group]int

// DefaultModes is the 2022 practice: 10-in-1 for the general population,
// single tubes for key groups and quarantined people.
func DefaultModes() Modes {
	return Modes{GroupGeneral: 10, GroupKey: 1, GroupQuarantined: 1}
}

// PoolSizes are the sampling modes the guide allows.
var PoolSizes = []int{1, 5, 10, 20}

// ValidPoolSize reports whether n is one of PoolSizes.
func ValidPoolSize(n int) bool {
	for _, k := range PoolSizes {
		if n == k {
			return true
		}
	}
	return false
}

// DefaultRoundHours is the deadline the 2022 regional-testing guide sets for
// an area round.
const DefaultRoundHours = 24

// RoundInput creates a round.
type RoundInput struct {
	Name         string    `json:"name"`
	Jurisdiction string    `json:"jurisdiction"`
	Areas        []string  `json:"areas,omitempty"`
	StartsAt     time.Time `json:"starts_at,omitzero"` // now when zero
	Deadline     time.Time `json:"deadline,omitzero"`  // StartsAt + 24 h when zero
	Expected     int       `json:"expected,omitempty"` // the registered population of the area when 0
	Modes        Modes     `json:"modes,omitempty"`    // DefaultModes when empty; missing groups take the defaults
}

// Validate normalises the input and checks it; whether the jurisdictions
// exist and lie in the caller's scope is checked by internal/app.
func (in *RoundInput) Validate(now time.Time) (Round, error) {
	var v Invalid
	v.Code = "round.invalid"
	in.Name = strings.TrimSpace(in.Name)
	if n := utf8.RuneCountInString(in.Name); n == 0 || n > 100 || strings.ContainsAny(in.Name, "<>\x00") {
		v.Add("name", "round.name_invalid")
	}
	if _, ok := LevelOf(in.Jurisdiction); !ok {
		v.Add("jurisdiction", "jurisdiction.unknown")
	}
	areas := make([]string, 0, len(in.Areas))
	for _, a := range in.Areas {
		a = strings.TrimSpace(a)
		if _, ok := LevelOf(a); !ok || !Within(a, in.Jurisdiction) {
			v.Add("areas", "round.area_invalid")
			continue
		}
		areas = append(areas, a)
	}
	sort.Strings(areas)
	if len(areas) > 1000 {
		v.Add("areas", "round.area_invalid")
	}
	if in.StartsAt.IsZero() {
		in.StartsAt = now
	}
	if in.Deadline.IsZero() {
		in.Deadline = in.StartsAt.Add(DefaultRoundHours * time.Hour)
	}
	if !in.Deadline.After(in.StartsAt) || in.Deadline.Sub(in.StartsAt) > 14*24*time.Hour {
		v.Add("deadline", "round.deadline_invalid")
	}
	if in.Expected < 0 || in.Expected > 100_000_000 {
		v.Add("expected", "round.expected_invalid")
	}
	modes := DefaultModes()
	for g, k := range in.Modes {
		if !g.Valid() {
			v.Add("modes", "round.group_invalid")
			continue
		}
		if !ValidPoolSize(k) {
			v.Add("modes", "round.pool_size_invalid")
			continue
		}
		modes[g] = k
	}
	r := Round{Name: in.Name, Jurisdiction: in.Jurisdiction, Areas: areas, StartsAt: in.StartsAt.UTC(),
		Deadline: in.Deadline.UTC(), Expected: in.Expected, Modes: modes}
	return r, v.Err()
}

// Tally is what a round has done in one area: the numbers that progress
// reports, summed up the jurisdiction tree.
type Tally struct {
	Expected      int `json:"expected"`
	Sampled       int `json:"sampled"`    // distinct people sampled
	Duplicates    int `json:"duplicates"` // further samples of people already sampled in the round
	Tubes         int `json:"tubes"`
	TubesSent     int `json:"tubes_sent"`
	TubesReceived int `json:"tubes_received"`
	TubesResulted int `json:"tubes_resulted"`
	PositiveTubes int `json:"positive_tubes"`
	Positives     int `json:"positives"` // people positive in a single tube
}

// Add adds o to t.
func (t *Tally) Add(o Tally) {
	t.Expected += o.Expected
	t.Sampled += o.Sampled
	t.Duplicates += o.Duplicates
	t.Tubes += o.Tubes
	t.TubesSent += o.TubesSent
	t.TubesReceived += o.TubesReceived
	t.TubesResulted += o.TubesResulted
	t.PositiveTubes += o.PositiveTubes
	t.Positives += o.Positives
}

// Progress is a round's tally for one node of the tree and its children.
type Progress struct {
	Code     string     `json:"code"`
	Name     string     `json:"name,omitempty"`
	Tally               // the node's totals
	Children []Progress `json:"children,omitempty"`
}

// Cadence is the advice on when an area tests next (2nd-edition guide):
// daily where cases appeared in the last three rounds, every other day
// where cases appeared within 14 days but not in the last three rounds,
// every five days otherwise; stop after three clean rounds and one more
// three days later.
type Cadence struct {
	IntervalDays int       `json:"interval_days"` // 0 when testing may stop
	Next         time.Time `json:"next,omitzero"`
	Stop         bool      `json:"stop"`
	Reason       string    `json:"reason"` // a stable code: cadence.cases_recent_rounds, cadence.cases_14_days, cadence.clean, cadence.final_round, cadence.done, cadence.no_rounds
}

// RoundOutcome is what cadence advice needs of a past round.
type RoundOutcome struct {
	StartsAt  time.Time
	Positives int
}

// AdviseCadence applies the cadence rules to an area's rounds (any order)
// and the time of its latest case (zero when none).
func AdviseCadence(rounds []RoundOutcome, lastCase, now time.Time) Cadence {
	if len(rounds) == 0 {
		return Cadence{IntervalDays: 1, Next: now, Reason: "cadence.no_rounds"}
	}
	rs := append([]RoundOutcome(nil), rounds...)
	sort.Slice(rs, func(i, j int) bool { return rs[i].StartsAt.After(rs[j].StartsAt) })
	last := rs[0].StartsAt
	day := 24 * time.Hour
	for i := 0; i < 3 && i < len(rs); i++ {
		if rs[i].Positives > 0 {
			return Cadence{IntervalDays: 1, Next: last.Add(day), Reason: "cadence.cases_recent_rounds"}
		}
	}
	// Clean rounds in a row, newest first.
	clean := 0
	for _, r := range rs {
		if r.Positives > 0 {
			break
		}
		clean++
	}
	if clean >= 4 && rs[0].StartsAt.Sub(rs[1].StartsAt) >= 3*day {
		return Cadence{Stop: true, Reason: "cadence.done"}
	}
	if clean >= 3 {
		return Cadence{IntervalDays: 3, Next: last.Add(3 * day), Reason: "cadence.final_round"}
	}
	if !lastCase.IsZero() && now.Sub(lastCase) <= 14*day {
		return Cadence{IntervalDays: 2, Next: last.Add(2 * day), Reason: "cadence.cases_14_days"}
	}
	return Cadence{IntervalDays: 5, Next: last.Add(5 * day), Reason: "cadence.clean"}
}

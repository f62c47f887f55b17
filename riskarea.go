package cordon

import (
	"encoding/json"
	"strings"
	"time"
)

// Risk areas. A commander declares an area at any granularity from a
// township down (a hamlet, a hotel, a building: a code plus a free-text
// name, optionally a polygon); its tier comes from the edition in force,
// and it steps down tier by tier once the edition's days pass without a
// new infection, each step confirmed by a commander. Risk areas are public
// information and hold no personal data.

// RiskTier is one tier of an edition: its rank (higher is riskier), the
// code reason it gives the health codes of people in or from the area,
// and its step-down rule.
type RiskTier struct {
	Code   string     `json:"code"`
	Name   string     `json:"name"`
	NameEN string     `json:"name_en"`
	Rank   int        `json:"rank"`
	Reason CodeReason `json:"reason,omitempty"` // empty: the tier colours no code
	// StepDownTo is the next tier down; empty for the lowest.
	StepDownTo string `json:"step_down_to,omitempty"`
	// ClearDays: whole days with no new infection, counted from the later
	// of the day after the last infection and the day the tier began.
	ClearDays int `json:"clear_days,omitempty"`
	// StandaloneDays replaces ClearDays for an area declared at this tier
	// rather than stepped down into it (cn-9: a medium area on its own).
	StandaloneDays int `json:"standalone_days,omitempty"`
}

// RiskTier returns the edition's tier by code.
func (p Policy) RiskTier(code string) (RiskTier, bool) {
	for _, t := range p.RiskTiers {
		if t.Code == code {
			return t, true
		}
	}
	return RiskTier{}, false
}

// RiskArea is a declared risk area.
type RiskArea struct {
	ID           int64  `json:"id"`
	Edition      string `json:"edition"` // the edition whose tiers apply, fixed at declaration
	Tier         string `json:"tier"`
	Jurisdiction string `json:"jurisdiction"` // township level or deeper
	Name         string `json:"name"`
	GeoJSON      string `json:"geojson,omitempty"` // a Polygon or MultiPolygon geometry
	Reason       string `json:"reason,omitempty"`
	// From and To bound the declaration; a zero To runs until lifted.
	From time.Time `json:"from"`
	To   time.Time `json:"to,omitzero"`
	// Since is the notice's look-back ("stayed there since date X"):
	// travellers who stayed in the area from then on count as having
	// stayed in it, though the area was declared later. Zero means From.
	Since time.Time `json:"since,omitzero"`
	// TierSince is when the current tier began; PrevTier is the tier it
	// stepped down from, empty for the declared tier.
	TierSince  time.Time `json:"tier_since"`
	PrevTier   string    `json:"prev_tier,omitempty"`
	DeclaredBy int64     `json:"declared_by,omitempty"`
	DeclaredAt time.Time `json:"declared_at"`
	LiftedAt   time.Time `json:"lifted_at,omitzero"`
	LiftReason string    `json:"lift_reason,omitempty"`

	JurisdictionName string `json:"jurisdiction_name,omitempty"`
}

// RiskAreaFilter narrows a risk-area list. A zero At lists every area not
// lifted; Lifted adds the lifted ones.
type RiskAreaFilter struct {
	At     time.Time
	Tier   string
	Lifted bool
}

// ActiveAt tells whether the area is in force at t.
func (r RiskArea) ActiveAt(t time.Time) bool {
	return !t.Before(r.From) && (r.To.IsZero() || t.Before(r.To)) && (r.LiftedAt.IsZero() || t.Before(r.LiftedAt))
}

// Validate checks a declaration against the edition in force.
func (r RiskArea) Validate(p Policy) error {
	var v Invalid
	v.Code = "riskarea.invalid"
	if _, ok := p.RiskTier(r.Tier); !ok {
		codes := make([]string, len(p.RiskTiers))
		for i, t := range p.RiskTiers {
			codes[i] = t.Code
		}
		return Errorf(KindInvalid, "riskarea.tier_invalid", "%s has the tiers %s", p.Key, strings.Join(codes, ", ")).
			WithField("tier", "riskarea.tier_invalid")
	}
	switch lvl, ok := LevelOf(r.Jurisdiction); {
	case !ok:
		v.Add("jurisdiction", "riskarea.jurisdiction_invalid")
	case lvl == LevelProvince || lvl == LevelCity || lvl == LevelCounty:
		v.Add("jurisdiction", "riskarea.jurisdiction_too_coarse")
	}
	if n := len([]rune(strings.TrimSpace(r.Name))); n == 0 || n > 200 {
		v.Add("name", "riskarea.name_required")
	}
	if r.GeoJSON != "" && !validGeoJSON(r.GeoJSON) {
		v.Add("geojson", "riskarea.geojson_invalid")
	}
	if r.From.IsZero() || (!r.To.IsZero() && !r.To.After(r.From)) {
		v.Add("to", "riskarea.dates_invalid")
	}
	if !r.Since.IsZero() && (r.Since.After(r.From) || r.Since.Before(r.From.AddDate(0, 0, -28))) {
		v.Add("since", "riskarea.since_invalid")
	}
	return v.Err()
}

// validGeoJSON accepts a Polygon or MultiPolygon geometry whose rings are
// closed, have at least four positions, and stay in lon/lat ranges.
func validGeoJSON(s string) bool {
	var g struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	}
	if json.Unmarshal([]byte(s), &g) != nil {
		return false
	}
	var polys [][][][]float64
	switch g.Type {
	case "Polygon":
		var p [][][]float64
		if json.Unmarshal(g.Coordinates, &p) != nil {
			return false
		}
		polys = [][][][]float64{p}
	case "MultiPolygon":
		if json.Unmarshal(g.Coordinates, &polys) != nil {
			return false
		}
	default:
		return false
	}
	if len(polys) == 0 {
		return false
	}
	for _, p := range polys {
		if len(p) == 0 {
			return false
		}
		for _, ring := range p {
			if len(ring) < 4 {
				return false
			}
			for _, pos := range ring {
				if len(pos) < 2 || pos[0] < -180 || pos[0] > 180 || pos[1] < -90 || pos[1] > 90 {
					return false
				}
			}
			first, last := ring[0], ring[len(ring)-1]
			if first[0] != last[0] || first[1] != last[1] {
				return false
			}
		}
	}
	return true
}

// StepDownProposal is the next tier an area may step down to, and from
// when. Due is a midnight, China time.
type StepDownProposal struct {
	AreaID        int64     `json:"area_id"`
	Name          string    `json:"name"`
	Jurisdiction  string    `json:"jurisdiction"`
	From          string    `json:"from"`
	To            string    `json:"to"`
	Due           time.Time `json:"due"`
	LastInfection time.Time `json:"last_infection,omitzero"`
	Ready         bool      `json:"ready"` // due has passed: a commander may confirm
}

// StepDown proposes the area's next tier down under its edition: after
// the tier's clear days, counted from the later of the day after the last
// infection in the area (zero: none) and the day the current tier began.
// It reports false for the lowest tier and for an area no longer active.
func StepDown(area RiskArea, lastInfection, now time.Time, p Policy) (StepDownProposal, bool) {
	t, ok := p.RiskTier(area.Tier)
	if !ok || t.StepDownTo == "" || !area.LiftedAt.IsZero() || (!area.To.IsZero() && !now.Before(area.To)) {
		return StepDownProposal{}, false
	}
	days := t.ClearDays
	if area.PrevTier == "" && t.StandaloneDays > 0 {
		days = t.StandaloneDays
	}
	clear := ceilDay(area.TierSince)
	if !lastInfection.IsZero() {
		if after := floorDay(lastInfection).AddDate(0, 0, 1); after.After(clear) {
			clear = after
		}
	}
	due := clear.AddDate(0, 0, days)
	return StepDownProposal{AreaID: area.ID, Name: area.Name, Jurisdiction: area.Jurisdiction, From: area.Tier, To: t.StepDownTo, Due: due,
		LastInfection: lastInfection, Ready: !now.Before(due)}, true
}

func floorDay(t time.Time) time.Time {
	y, m, d := t.In(ChinaTime).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, ChinaTime)
}

func ceilDay(t time.Time) time.Time {
	f := floorDay(t)
	if f.Equal(t) {
		return f
	}
	return f.AddDate(0, 0, 1)
}

// HighestRiskArea resolves overlapping areas: every one stays declared,
// and the one whose tier ranks highest under its own edition wins (the
// earlier declaration on a tie). It reports false for no areas.
func HighestRiskArea(areas []RiskArea) (RiskArea, bool) {
	best, rank := RiskArea{}, -1
	for _, a := range areas {
		p, _ := Edition(a.Edition)
		t, _ := p.RiskTier(a.Tier)
		if t.Rank > rank || (t.Rank == rank && a.ID < best.ID) {
			best, rank = a, t.Rank
		}
	}
	return best, rank >= 0
}

package cordon

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Arrivals (来返人员): people arriving in a jurisdiction, from whatever
// channel heard of them first — their own report on the public portal,
// a checkpoint passage, station sampling, a big-data list — merged into
// one arrival per person and trip. Each arrival's travel is matched
// against the risk areas and the places with local cases, and the edition
// in force at the destination turns the match into obligations: a test
// within hours of arrival, a number of tests within days, or a control
// order (centralised quarantine, home monitoring) with its own test days.

// ArrivalChannel is how cordon heard of an arrival.
type ArrivalChannel string

const (
	ChannelSelfReport ArrivalChannel = "self_report" // 本人报备
	ChannelCheckpoint ArrivalChannel = "checkpoint"  // 卡点通行
	ChannelStation    ArrivalChannel = "station"     // 车站落地检
	ChannelBigData    ArrivalChannel = "big_data"    // 大数据推送
	ChannelDoor       ArrivalChannel = "door"        // 入户排查
)

// ArrivalChannels lists the channels in the order forms offer them.
var ArrivalChannels = []ArrivalChannel{ChannelSelfReport, ChannelCheckpoint, ChannelStation, ChannelBigData, ChannelDoor}

// TripWindow bounds one trip: reports of the same person arriving within
// this long of each other, in the same county, are one arrival.
const TripWindow = 48 * time.Hour

// TravelStop is a place the traveller stayed: a division code (county or
// deeper), an optional free-text name, and the days, YYYY-MM-DD China
// time, both inclusive.
type TravelStop struct {
	Place string `json:"place"`
	Name  string `json:"name,omitempty"`
	From  string `json:"from"`
	To    string `json:"to"`

	PlaceName string `json:"place_name,omitempty"`
}

// ArrivalSource is one channel's report of an arrival.
type ArrivalSource struct {
	Channel ArrivalChannel `json:"channel"`
	At      time.Time      `json:"at"`            // when cordon heard it
	Ref     string         `json:"ref,omitempty"` // "passage:12", "import:3", a list's name
	By      string         `json:"by,omitempty"`  // the account, empty for the public
}

// Trip is one person's arrival on one trip: the arrival record that
// every channel's report of it merges into.
type Trip struct {
	ID       int64  `json:"id"`
	PersonID int64  `json:"person_id"`
	Name     string `json:"name"`
	IDNumber string `json:"id_number,omitempty"`
	Phone    string `json:"phone,omitempty"`
	Masked   bool   `json:"masked"`
	// Destination is where the person arrives: a county or deeper, down
	// to the grid; Address the street address there.
	Destination string    `json:"destination"`
	Address     string    `json:"address,omitempty"`
	ArrivedAt   time.Time `json:"arrived_at"`
	// Origin is where the trip began; Travel every place stayed in the
	// look-back, the origin included.
	Origin    string          `json:"origin"`
	Travel    []TravelStop    `json:"travel"`
	Transport string          `json:"transport,omitempty"` // plate, train or flight
	Sources   []ArrivalSource `json:"sources"`
	// ReportedAt is the traveller's own first report, if any: on time
	// when made before the arrival or within the edition's hours after.
	ReportedAt time.Time `json:"reported_at,omitzero"`
	// The match: the population the edition put the arrival in, the risk
	// areas its travel met (highest tier first), and the edition.
	Population string       `json:"population"`
	Tier       string       `json:"tier,omitempty"`
	Areas      []int64      `json:"areas,omitempty"`
	MatchNote  string       `json:"match_note,omitempty"` // the place and days that decided it
	Edition    string       `json:"edition"`
	CreatedAt  time.Time    `json:"created_at"`
	UpdatedAt  time.Time    `json:"updated_at"`
	Version    int          `json:"version"`
	Obligation []Obligation `json:"obligations,omitempty"`

	DestinationName string `json:"destination_name,omitempty"`
	OriginName      string `json:"origin_name,omitempty"`
}

// County is the county of the destination.
func (a Trip) County() string { return CountyOf(a.Destination) }

// TripReport records an arrival from one channel.
type TripReport struct {
	PersonID    int64          `json:"person_id,omitempty"`
	Name        string         `json:"name,omitempty"`
	IDNumber    string         `json:"id_number,omitempty"`
	Phone       string         `json:"phone,omitempty"`
	Destination string         `json:"destination"`
	Address     string         `json:"address,omitempty"`
	ArrivedAt   time.Time      `json:"arrived_at"`
	Origin      string         `json:"origin"`
	Travel      []TravelStop   `json:"travel,omitempty"`
	Transport   string         `json:"transport,omitempty"`
	Channel     ArrivalChannel `json:"channel"`
	Ref         string         `json:"ref,omitempty"`
}

// MaxTravelStops bounds the places of one arrival.
const MaxTravelStops = 30

// Validate normalises and checks an arrival report on its own: now is the
// time it is received. A self-report may announce an arrival up to 7 days
// ahead; every other channel reports arrivals that happened.
func (in *TripReport) Validate(now time.Time) error {
	var v Invalid
	v.Code = "arrival.invalid"
	for _, s := range []*string{&in.Name, &in.IDNumber, &in.Phone, &in.Destination, &in.Address, &in.Origin, &in.Transport, &in.Ref} {
		*s = strings.TrimSpace(*s)
	}
	if !slices.Contains(ArrivalChannels, in.Channel) {
		v.Add("channel", "arrival.channel_invalid")
	}
	if in.PersonID == 0 {
		if in.IDNumber == "" {
			v.Add("id_number", "arrival.id_number_required")
		} else if id, err := ParseCitizenID(in.IDNumber, nil, now); err != nil {
			v.Add("id_number", "person.id_number_invalid")
		} else {
			in.IDNumber = id.Number
		}
		if in.Name == "" || !freeText(in.Name, 50) {
			v.Add("name", "arrival.name_required")
		}
	}
	if in.Phone == "" && in.Channel == ChannelSelfReport {
		v.Add("phone", "arrival.phone_required") // the proof of who reports
	}
	if in.Phone != "" {
		if p, ok := NormalizePhone(in.Phone); !ok {
			v.Add("phone", "person.phone_invalid")
		} else {
			in.Phone = p
		}
	}
	if l, ok := LevelOf(in.Destination); !ok || l == LevelProvince || l == LevelCity {
		v.Add("destination", "arrival.destination_invalid")
	}
	if _, ok := LevelOf(in.Origin); !ok {
		v.Add("origin", "arrival.origin_invalid")
	}
	if !freeText(in.Address, 200) {
		v.Add("address", "arrival.address_invalid")
	}
	if !freeText(in.Transport, 50) || !freeText(in.Ref, 100) {
		v.Add("transport", "arrival.transport_invalid")
	}
	ahead := time.Duration(0)
	if in.Channel == ChannelSelfReport {
		ahead = 7 * 24 * time.Hour
	}
	switch {
	case in.ArrivedAt.IsZero():
		v.Add("arrived_at", "arrival.time_required")
	case in.ArrivedAt.After(now.Add(ahead + 5*time.Minute)):
		v.Add("arrived_at", "arrival.time_in_future")
	case in.ArrivedAt.Before(now.AddDate(0, 0, -60)):
		v.Add("arrived_at", "arrival.time_too_old")
	}
	in.ArrivedAt = in.ArrivedAt.Truncate(time.Second)
	if len(in.Travel) > MaxTravelStops {
		v.Add("travel", "arrival.travel_too_long")
	}
	arrival := in.ArrivedAt.In(ChinaTime).Format(time.DateOnly)
	for i := range in.Travel {
		s := &in.Travel[i]
		s.Place, s.Name, s.From, s.To = strings.TrimSpace(s.Place), strings.TrimSpace(s.Name), strings.TrimSpace(s.From), strings.TrimSpace(s.To)
		if s.To == "" {
			s.To = arrival
		}
		if s.From == "" {
			s.From = s.To
		}
		_, okF := dayStart(s.From)
		_, okT := dayStart(s.To)
		if _, ok := LevelOf(s.Place); !ok {
			v.Add("travel", "arrival.travel_place_invalid")
		} else if !okF || !okT || s.To < s.From || s.To > arrival || !freeText(s.Name, 100) {
			v.Add("travel", "arrival.travel_days_invalid")
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	// The origin is a stop too: the day before the arrival and the day of
	// it, unless the travel already names it.
	if !slices.ContainsFunc(in.Travel, func(s TravelStop) bool { return s.Place == in.Origin }) {
		in.Travel = append(in.Travel, TravelStop{Place: in.Origin, From: addDays(arrival, -1), To: arrival})
	}
	sortTravel(in.Travel)
	return nil
}

// sortTravel orders stops by their first day, then place.
func sortTravel(t []TravelStop) {
	sort.SliceStable(t, func(i, j int) bool {
		if t[i].From != t[j].From {
			return t[i].From < t[j].From
		}
		return t[i].Place < t[j].Place
	})
}

// MergeTravel joins the stops of two reports of one trip: a stop reported
// twice (same place) keeps the wider days.
func MergeTravel(a, b []TravelStop) []TravelStop {
	out := slices.Clone(a)
	for _, s := range b {
		i := slices.IndexFunc(out, func(o TravelStop) bool { return o.Place == s.Place })
		if i < 0 {
			out = append(out, s)
			continue
		}
		out[i].From, out[i].To = min(out[i].From, s.From), max(out[i].To, s.To)
		if out[i].Name == "" {
			out[i].Name = s.Name
		}
	}
	sortTravel(out)
	return out
}

// The populations of arrivals, strongest first in an edition's rules;
// ordinary is every other arrival.
const (
	ArrivalRiskArea   = "risk_area"   // stayed in a risk area of a listed tier
	ArrivalRiskCounty = "risk_county" // stayed in a county with a risk area
	ArrivalCaseCity   = "case_city"   // stayed in a city with local cases
	ArrivalOrdinary   = "ordinary"
)

// ArrivalPopulation is one population of an edition's traveller rules:
// who is in it, and what they owe — a control order of a measure, or a
// number of tests within hours of the arrival.
type ArrivalPopulation struct {
	Key         string   `json:"key"`
	Tiers       []string `json:"tiers,omitempty"`   // risk_area: the tiers it covers
	Measure     string   `json:"measure,omitempty"` // the Measures key of the order it makes
	Tests       int      `json:"tests,omitempty"`
	WithinHours int      `json:"within_hours,omitempty"`
	Mandatory   bool     `json:"mandatory,omitempty"` // an unmet test turns the code yellow
}

// Populations are the edition's populations, strongest first, ending with
// the ordinary arrival's test when the edition asks one.
func (r ArrivalRules) populations() []ArrivalPopulation {
	out := slices.Clone(r.Populations)
	if r.OrdinaryTestHours > 0 {
		out = append(out, ArrivalPopulation{Key: ArrivalOrdinary, Tests: 1, WithinHours: r.OrdinaryTestHours, Mandatory: r.OrdinaryTestMandatory})
	}
	return out
}

// ArrivalPlaces is what arrivals are matched against: the risk areas,
// with the rank of their tier, and the days of local cases by city.
type ArrivalPlaces struct {
	areas     map[string][]placedArea // by the area's jurisdiction
	counties  map[string][]placedArea // by county
	caseDays  map[string][]string     // city (4 digits) -> sorted days of detection
	areaCount int
}

type placedArea struct {
	RiskArea
	rank int
	from string // first day, China time
	to   string // last day; "" while in force
}

// NewArrivalPlaces indexes risk areas (any edition; lifted ones keep their
// days) and the days cases were detected, by the case's place.
func NewArrivalPlaces(areas []RiskArea, cases map[string][]time.Time) *ArrivalPlaces {
	x := &ArrivalPlaces{areas: map[string][]placedArea{}, counties: map[string][]placedArea{}, caseDays: map[string][]string{}, areaCount: len(areas)}
	for _, a := range areas {
		since := a.From
		if !a.Since.IsZero() && a.Since.Before(since) {
			since = a.Since
		}
		pa := placedArea{RiskArea: a, from: since.In(ChinaTime).Format(time.DateOnly)}
		end := a.To
		if !a.LiftedAt.IsZero() && (end.IsZero() || a.LiftedAt.Before(end)) {
			end = a.LiftedAt
		}
		if !end.IsZero() {
			pa.to = end.In(ChinaTime).Format(time.DateOnly)
		}
		if p, ok := Edition(a.Edition); ok {
			if t, ok := p.RiskTier(a.Tier); ok {
				pa.rank = t.Rank
			}
		}
		x.areas[a.Jurisdiction] = append(x.areas[a.Jurisdiction], pa)
		if c := CountyOf(a.Jurisdiction); c != "" {
			x.counties[c] = append(x.counties[c], pa)
		}
	}
	for place, ts := range cases {
		if len(place) < 4 {
			continue
		}
		city := place[:4]
		for _, t := range ts {
			x.caseDays[city] = append(x.caseDays[city], t.In(ChinaTime).Format(time.DateOnly))
		}
	}
	for city := range x.caseDays {
		slices.Sort(x.caseDays[city])
	}
	return x
}

// Areas is how many risk areas the index holds.
func (x *ArrivalPlaces) Areas() int { return x.areaCount }

// overlaps reports whether a stop's days meet an area's.
func (a placedArea) overlaps(s TravelStop) bool {
	return s.To >= a.from && (a.to == "" || s.From <= a.to)
}

// ArrivalMatch is what an arrival's travel met and the population it puts
// the arrival in under an edition.
type ArrivalMatch struct {
	Population ArrivalPopulation
	Tier       string
	Areas      []int64 // every risk area met, highest tier first
	Note       string  // the stop that decided the population
}

// MatchArrival matches an arrival's travel in the edition's look-back
// against the places. A stop meets a risk area when the stop is the area's
// place or inside it and their days overlap, counted from the area's
// look-back ("stayed there since", RiskArea.Since) or its first day. A
// stop in a county with an area above the lowest tier, and not inside an
// area of a tier the edition treats apart, meets the county. A stop in a
// city where a case was detected from 14 days before the stop to the
// arrival meets the city. The strongest population of the edition that
// the travel meets wins; overlapping areas are all listed, the highest
// tier first.
func MatchArrival(p Policy, x *ArrivalPlaces, a Trip) ArrivalMatch {
	pops := p.Arrivals.populations()
	day := a.ArrivedAt.In(ChinaTime).Format(time.DateOnly)
	since := day
	if p.Arrivals.LookbackDays > 0 {
		since = addDays(day, -p.Arrivals.LookbackDays)
	}
	var m ArrivalMatch
	best := len(pops)
	note := func(i int, s TravelStop) {
		if i < best {
			best, m.Note = i, s.Place+" "+s.From+"~"+s.To
		}
	}
	var met []placedArea
	for _, s := range a.Travel {
		if s.To < since {
			continue
		}
		inArea := false
		for code := s.Place; len(code) >= 9; code = ParentCode(code) {
			for _, ar := range x.areas[code] {
				if !ar.overlaps(s) {
					continue
				}
				if !slices.ContainsFunc(met, func(o placedArea) bool { return o.ID == ar.ID }) {
					met = append(met, ar)
				}
				for i, pop := range pops {
					if pop.Key == ArrivalRiskArea && slices.Contains(pop.Tiers, ar.Tier) {
						inArea = true
						note(i, s)
						if i == best {
							m.Tier = higherTier(m.Tier, ar)
						}
					}
				}
			}
		}
		if c := CountyOf(s.Place); !inArea {
			for _, ar := range x.counties[c] {
				if ar.overlaps(s) && ar.rank > 1 {
					if i := slices.IndexFunc(pops, func(p ArrivalPopulation) bool { return p.Key == ArrivalRiskCounty }); i >= 0 {
						note(i, s)
					}
				}
			}
		}
		if len(s.Place) >= 4 {
			days := x.caseDays[s.Place[:4]]
			j, _ := slices.BinarySearch(days, addDays(s.From, -14))
			if j < len(days) && days[j] <= day {
				if i := slices.IndexFunc(pops, func(p ArrivalPopulation) bool { return p.Key == ArrivalCaseCity }); i >= 0 {
					note(i, s)
				}
			}
		}
	}
	slices.SortStableFunc(met, func(a, b placedArea) int { return b.rank - a.rank })
	for _, ar := range met {
		m.Areas = append(m.Areas, ar.ID)
	}
	if best < len(pops) {
		m.Population = pops[best]
		return m
	}
	if i := slices.IndexFunc(pops, func(p ArrivalPopulation) bool { return p.Key == ArrivalOrdinary }); i >= 0 {
		m.Population = pops[i]
	} else {
		m.Population = ArrivalPopulation{Key: ArrivalOrdinary}
	}
	return m
}

// higherTier keeps the tier of higher rank.
func higherTier(tier string, a placedArea) string {
	if tier == "" {
		return a.Tier
	}
	if p, ok := Edition(a.Edition); ok {
		if t, ok := p.RiskTier(tier); ok && t.Rank >= a.rank {
			return tier
		}
	}
	return a.Tier
}

// Stronger reports whether population a (with the tier met, for a risk
// area) ranks above b in the edition: cn-9's high and medium areas are
// both risk_area populations, told apart by their tiers. A population the
// edition does not name ranks below every other; none ("", an arrival
// still expected) below them all.
func (r ArrivalRules) Stronger(a, aTier, b, bTier string) bool {
	rank := func(k, tier string) int {
		if k == "" {
			return 1 << 21
		}
		i := slices.IndexFunc(r.populations(), func(p ArrivalPopulation) bool {
			return p.Key == k && (len(p.Tiers) == 0 || slices.Contains(p.Tiers, tier))
		})
		if i < 0 {
			return 1 << 20
		}
		return i
	}
	return rank(a, aTier) < rank(b, bTier)
}

// ObligationKind is what an arrival owes.
type ObligationKind string

const (
	ObligationTest  ObligationKind = "test"  // Tests tests, on different days, by DueAt
	ObligationOrder ObligationKind = "order" // a control order of a measure
)

// ObligationStatus is where an obligation stands.
type ObligationStatus string

const (
	ObligationOpen       ObligationStatus = "open"
	ObligationMet        ObligationStatus = "met"
	ObligationSuperseded ObligationStatus = "superseded" // a stronger one replaced it
)

// Obligation is one thing an arrival owes under the edition.
type Obligation struct {
	ID           int64            `json:"id"`
	ArrivalID    int64            `json:"arrival_id"`
	PersonID     int64            `json:"person_id"`
	Kind         ObligationKind   `json:"kind"`
	Population   string           `json:"population"`
	Measure      string           `json:"measure,omitempty"`
	Tests        int              `json:"tests,omitempty"`
	Taken        int              `json:"taken"` // tests taken so far, on different days
	DueAt        time.Time        `json:"due_at,omitzero"`
	Mandatory    bool             `json:"mandatory"`
	OrderID      int64            `json:"order_id,omitempty"`
	Status       ObligationStatus `json:"status"`
	MetAt        time.Time        `json:"met_at,omitzero"`
	MetBy        string           `json:"met_by,omitempty"` // "sample" or the account that marked it, with a note
	Jurisdiction string           `json:"jurisdiction"`     // the arrival's destination
	Edition      string           `json:"edition"`
	CreatedAt    time.Time        `json:"created_at"`

	// For lists: the person, masked by role, and whether it is overdue.
	Name     string `json:"name,omitempty"`
	Phone    string `json:"phone,omitempty"`
	Overdue  bool   `json:"overdue"`
	ArriveAt string `json:"arrived_at,omitempty"`
}

// IsOverdue reports whether an open test obligation is past its due time.
func (o Obligation) IsOverdue(now time.Time) bool {
	return o.Status == ObligationOpen && o.Kind == ObligationTest && !o.DueAt.IsZero() && now.After(o.DueAt)
}

// CodeFacts: a mandatory test not taken by its due time turns the code
// yellow (B6) from then until it is taken. Orders colour codes themselves.
func (o Obligation) CodeFacts() []CodeFact {
	if o.Kind != ObligationTest || !o.Mandatory || o.Status == ObligationSuperseded || o.DueAt.IsZero() {
		return nil
	}
	if o.Status == ObligationMet && !o.MetAt.After(o.DueAt) {
		return nil
	}
	f := CodeFact{Reason: ReasonYellowOther, From: o.DueAt, Cause: "obligation:" + strconv.FormatInt(o.ID, 10)}
	if o.Status == ObligationMet {
		f.Until = o.MetAt
	}
	return []CodeFact{f}
}

// Obligations are what an arrival in a population owes.
func (m ArrivalMatch) Obligations(arrived time.Time) []Obligation {
	pop := m.Population
	var out []Obligation
	if pop.Measure != "" {
		out = append(out, Obligation{Kind: ObligationOrder, Population: pop.Key, Measure: pop.Measure, Mandatory: true})
	}
	if pop.Tests > 0 && pop.WithinHours > 0 {
		out = append(out, Obligation{Kind: ObligationTest, Population: pop.Key, Tests: pop.Tests, Mandatory: pop.Mandatory,
			DueAt: arrived.Add(time.Duration(pop.WithinHours) * time.Hour)})
	}
	return out
}

// ObligationFilter selects obligations for a task list.
type ObligationFilter struct {
	Status  ObligationStatus `json:"status,omitempty"`
	Overdue bool             `json:"overdue,omitempty"`
	After   int64            `json:"after,omitempty"`
	Limit   int              `json:"limit,omitempty"`
}

// ArrivalFilter selects arrivals for a list.
type ArrivalFilter struct {
	Population string    `json:"population,omitempty"`
	Since      time.Time `json:"since,omitzero"`
	PersonID   int64     `json:"person_id,omitempty"`
	After      int64     `json:"after,omitempty"`
	Limit      int       `json:"limit,omitempty"`
}

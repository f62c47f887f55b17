package demo

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"cordon"
	"cordon/internal/app"
)

// Venues and scan-ins. The index case drove home from Shenzhen through the
// night of 26-27 January, stopping at two highway service areas, and over
// the holiday went to the market, a banquet, a hotel, a supermarket and
// the cinema. Each of those places has its venue code, and the scan-ins of
// the people who were there at the same time make them his companions
// (时空伴随者); everyone else's scan-ins at the county's venues are the
// background the companion search looks through.
//
// 维也纳国际酒店(德保腾飞广场店) is the hotel of the published risk areas
// (medium risk from 2022-02-06) and 德保汽车站 and 百色站 are the stations
// of the scenario. The service areas are plausible stops on the way from
// Shenzhen (广昆高速 G80 through 田东, then the road to 德保); the market,
// the supermarket, the cinema and the banquet restaurant are invented, as
// are every responsible person and phone number. Coordinates are
// approximate (GCJ-02).

// Venues by the key the demo knows them by.
const (
	vHotel       = "hotel"
	vTiandongSA  = "tiandong-sa"
	vDebaoSA     = "debao-sa"
	vMarket      = "market"
	vSupermarket = "supermarket"
	vCinema      = "cinema"
	vRestaurant  = "restaurant"
	vBusStation  = "bus-station"
	vHospital    = "hospital"
	vDuanMarket  = "duan-market"
	vLongyi      = "longyi"
	vBaiseRail   = "baise-station"
)

// HotelName is the hotel of the published risk areas.
const HotelName = "维也纳国际酒店(德保腾飞广场店)"

// Debao's county seat, 城关镇.
const Chengguan = "451024100"

func coords(lat, lng float64) (*float64, *float64) { return &lat, &lng }

func venue(name string, cat cordon.VenueCategory, place, address, contact, phone string, lat, lng float64) cordon.VenueInput {
	in := cordon.VenueInput{Name: name, Category: cat, Jurisdiction: place, Address: address, ContactName: contact, ContactPhone: phone}
	if lat != 0 {
		in.Lat, in.Lng = coords(lat, lng)
	}
	return in
}

// venuePlans are the demo's venues, in the order they are registered.
var venuePlans = []struct {
	key string
	in  cordon.VenueInput
}{
	{vHotel, venue(HotelName, cordon.VenueHotel, Chengguan, "德保县城关镇 腾飞广场", "黄经理", "13977600101", 23.3262, 106.6148)},
	{vDebaoSA, venue("德保服务区", cordon.VenueServiceArea, Debao, "德保县 高速公路德保服务区（双向）", "梁站长", "13977600102", 23.3551, 106.6322)},
	{vTiandongSA, venue("广昆高速田东服务区", cordon.VenueServiceArea, "451022", "田东县 广昆高速（G80）田东服务区", "陆站长", "13977600103", 23.6018, 107.1374)},
	{vMarket, venue("德保县城关农贸市场", cordon.VenueMarket, Chengguan, "德保县城关镇 城东社区", "农主任", "13977600104", 23.3228, 106.6190)},
	{vSupermarket, venue("德保县惠民超市", cordon.VenueMall, Chengguan, "德保县城关镇 隆盛社区", "李店长", "13977600105", 23.3207, 106.6131)},
	{vCinema, venue("德保县星光影城", cordon.VenueCinema, Chengguan, "德保县城关镇 腾飞广场三楼", "罗经理", "13977600106", 23.3259, 106.6152)},
	{vRestaurant, venue("德保县鸿福酒家", cordon.VenueRestaurant, Chengguan, "德保县城关镇 南隆社区", "韦老板", "13977600107", 23.3190, 106.6170)},
	{vBusStation, venue("德保汽车站", cordon.VenueStation, Chengguan, "德保县城关镇 德保汽车站", "陈站长", "13977600108", 23.3301, 106.6095)},
	{vHospital, venue("德保县人民医院", cordon.VenueMedical, Chengguan, "德保县城关镇 德保县人民医院", "莫主任", "13977600109", 23.3240, 106.6102)},
	{vDuanMarket, venue("都安乡圩场", cordon.VenueMarket, Duan, "德保县都安乡 都安街", "覃主任", "13977600110", 0, 0)},
	{vLongyi, venue("陇意屯村口", cordon.VenueCommunity, Fuji, "德保县都安乡福记村陇意屯 村口卡点", "陇意屯网格员", "13977600111", 0, 0)},
	{vBaiseRail, venue("百色站", cordon.VenueStation, "451002", "百色市右江区 百色站", "杨站长", "13977600112", 23.8806, 106.6489)},
}

func jan(day, hour, minute int) time.Time {
	return time.Date(2022, 1, day, hour, minute, 0, 0, cordon.ChinaTime)
}

// Scan-ins begin with the drive home and stop when the county closes its
// venues after the second round begins.
var (
	scansFrom = jan(26, 0, 0)
	scansTo   = feb(6, 12, 0)
)

// stay is one scan-in of the demo, in scenario time.
type stay struct {
	venue  string
	person *cordon.Person
	at     time.Time
	leave  time.Time // zero: nobody checked out
	source cordon.ScanSource
}

// indexStays are the index case's own scan-ins: the two service areas
// on the drive home, then the holiday in the county seat.
var indexStays = []stay{
	{venue: vTiandongSA, at: jan(27, 4, 5), source: cordon.ScanByPerson},
	{venue: vDebaoSA, at: jan(27, 6, 15), source: cordon.ScanByPerson},
	{venue: vMarket, at: jan(28, 9, 10), source: cordon.ScanByPerson},
	{venue: vRestaurant, at: jan(29, 11, 25), leave: jan(29, 14, 30), source: cordon.ScanByPerson},
	{venue: vHotel, at: jan(29, 20, 10), leave: jan(30, 9, 30), source: cordon.ScanReverse},
	{venue: vSupermarket, at: jan(30, 10, 20), source: cordon.ScanByPerson},
	{venue: vCinema, at: feb(1, 19, 20), leave: feb(1, 21, 40), source: cordon.ScanByPerson},
}

// companionPlan is a group of people at one of the index case's venues:
// those whose stays overlap his, and those who were there at other
// times. Travellers come from the places listed; the others live in
// 德保县.
type companionPlan struct {
	venue   string
	overlap []stay // person left empty: a new synthetic person
	apart   []stay
	from    []string // residences of the travellers, in turn; empty: 德保县
}

func at(t time.Time, leave ...time.Time) stay {
	s := stay{at: t, source: cordon.ScanByPerson}
	if len(leave) > 0 {
		s.leave = leave[0]
	}
	return s
}

// companionPlans: the banquet's diners are added to the restaurant's by
// the tracing (they are residents the register already has).
var companionPlans = []companionPlan{
	{venue: vTiandongSA, from: []string{"451022", "451002", "451081", "451003", "450103"},
		overlap: []stay{at(jan(27, 3, 40)), at(jan(27, 3, 55)), at(jan(27, 4, 10)), at(jan(27, 4, 20)), at(jan(27, 4, 35))},
		apart:   []stay{at(jan(26, 23, 0)), at(jan(27, 2, 30)), at(jan(27, 5, 30))}},
	{venue: vDebaoSA,
		overlap: []stay{at(jan(27, 5, 50)), at(jan(27, 6, 5)), at(jan(27, 6, 20)), at(jan(27, 6, 30)), at(jan(27, 6, 45))},
		apart:   []stay{at(jan(26, 21, 0)), at(jan(27, 4, 40)), at(jan(27, 8, 30))}},
	{venue: vMarket,
		overlap: []stay{at(jan(28, 8, 40)), at(jan(28, 9, 0)), at(jan(28, 9, 15)), at(jan(28, 9, 30)), at(jan(28, 9, 45)), at(jan(28, 9, 55))},
		apart:   []stay{at(jan(28, 7, 0)), at(jan(28, 11, 30)), at(jan(29, 9, 10))}},
	{venue: vRestaurant,
		overlap: []stay{at(jan(29, 12, 0), jan(29, 13, 10)), at(jan(29, 12, 5), jan(29, 13, 20)), at(jan(29, 12, 20), jan(29, 13, 30)), at(jan(29, 12, 30), jan(29, 13, 40))},
		apart:   []stay{at(jan(29, 17, 30), jan(29, 19, 0)), at(jan(29, 18, 0), jan(29, 19, 30)), at(jan(28, 12, 0), jan(28, 13, 30))}},
	{venue: vHotel, from: []string{"", "", "", "451081", "", "", "451081", ""},
		overlap: []stay{at(jan(29, 18, 0), jan(30, 8, 0)), at(jan(29, 18, 40), jan(30, 9, 0)), at(jan(29, 19, 30), jan(30, 10, 0)), at(jan(29, 20, 30), jan(30, 8, 30)),
			at(jan(29, 21, 15), jan(30, 11, 0)), at(jan(29, 22, 0), jan(30, 9, 40)), at(jan(29, 22, 30), jan(30, 7, 30)), at(jan(29, 23, 0), jan(30, 10, 30))},
		apart: []stay{at(jan(28, 15, 0), jan(29, 12, 0)), at(jan(29, 14, 0), jan(29, 19, 30)), at(jan(30, 14, 0), jan(31, 10, 0))}},
	{venue: vSupermarket,
		overlap: []stay{at(jan(30, 10, 0)), at(jan(30, 10, 10)), at(jan(30, 10, 25)), at(jan(30, 10, 40)), at(jan(30, 10, 55))},
		apart:   []stay{at(jan(30, 8, 30)), at(jan(30, 12, 30))}},
	{venue: vCinema,
		overlap: []stay{at(feb(1, 19, 5), feb(1, 21, 40)), at(feb(1, 19, 8), feb(1, 21, 40)), at(feb(1, 19, 10), feb(1, 21, 41)), at(feb(1, 19, 12), feb(1, 21, 42)),
			at(feb(1, 19, 15), feb(1, 21, 40)), at(feb(1, 19, 16), feb(1, 21, 43)), at(feb(1, 19, 18), feb(1, 21, 40)), at(feb(1, 19, 21), feb(1, 21, 44)),
			at(feb(1, 19, 24), feb(1, 21, 40)), at(feb(1, 19, 25), feb(1, 21, 45))},
		apart: []stay{at(feb(1, 16, 30), feb(1, 18, 40)), at(feb(1, 16, 32), feb(1, 18, 40)), at(feb(1, 16, 35), feb(1, 18, 41)), at(feb(1, 16, 40), feb(1, 18, 40))}},
}

// backgroundScans is about how many scan-ins the residents make at the
// venues over the days of the scenario, besides the index case's
// companions: enough for the companion search to have something to look
// through, few enough to load in a moment.
const backgroundScans = 2400

// hours are when each venue is visited, and how long people stay when
// they check out (zero: they do not).
var venueHours = map[string]struct {
	open, close int // hours of the day; close may pass midnight (> 24)
	stay        time.Duration
	weight      int
}{
	vHotel:       {14, 24, 16 * time.Hour, 2},
	vDebaoSA:     {0, 24, 0, 3},
	vTiandongSA:  {0, 24, 0, 1},
	vMarket:      {6, 12, 0, 6},
	vSupermarket: {8, 22, 0, 5},
	vCinema:      {13, 22, 2*time.Hour + 10*time.Minute, 2},
	vRestaurant:  {11, 21, 90 * time.Minute, 3},
	vBusStation:  {6, 19, 0, 3},
	vHospital:    {8, 17, 0, 2},
	vDuanMarket:  {7, 12, 0, 3},
	vLongyi:      {6, 22, 0, 3},
	vBaiseRail:   {7, 22, 0, 1},
}

// opening is when the demo's register, accounts, policies and venues
// come into being, on the scenario's clock.
var opening = jan(17, 9, 0)

// prepare registers the venues, picks the chain's people, plans the
// scan-ins and the tracing, and plays the days before the index case is
// found: the drive home and the holiday, whose scan-ins the venues'
// devices send every evening.
func (s *screening) prepare() error {
	s.planned, s.people = map[int64]string{}, map[int64]*cordon.Person{}
	dir := s.a.Directory()
	for _, t := range dir.Children(Debao) {
		if t.Code != Duan && len(dir.Children(t.Code)) > 0 {
			s.towns = append(s.towns, t)
		}
	}
	s.at(opening.Add(time.Hour))
	if err := s.registerVenues(); err != nil {
		return err
	}
	s.chooseCast()
	if err := s.planScans(); err != nil {
		return err
	}
	s.scheduleTracing()
	return s.runEvents(dawn)
}

// registerVenues puts the policy editions in force and registers the
// venues: the region's edition from 18 January, Nanning's mandatory
// arrival test, and the venue codes of the scenario's places.
func (s *screening) registerVenues() error {
	if err := s.setPolicies(); err != nil {
		return err
	}
	s.venues = map[string]cordon.Venue{}
	for _, vp := range venuePlans {
		v, err := s.a.CreateVenue(s.ctx, app.System, vp.in)
		if err != nil {
			return fmt.Errorf("venue %s: %w", vp.in.Name, err)
		}
		s.venues[vp.key] = v
	}
	s.trace.Venues = len(s.venues)
	s.trace.Hotel = s.venues[vHotel]
	return nil
}

// setPolicies assigns gx-2022-01 to 广西 and Nanning's override.
func (s *screening) setPolicies() error {
	for _, p := range []cordon.PolicyAssignment{
		{Jurisdiction: Guangxi, From: "2022-01-18", Edition: "gx-2022-01", Reason: "广西2022年春运返乡人员管控规定"},
		{Jurisdiction: Nanning, From: "2022-01-18", Overrides: map[string]json.RawMessage{"arrivals.ordinary_test_mandatory": json.RawMessage("true")},
			Reason: "南宁市：返邕人员抵达后24小时内核酸检测为必须"},
	} {
		if err := s.a.SetPolicy(s.ctx, app.System, p); err != nil {
			return fmt.Errorf("policy of %s: %w", p.Jurisdiction, err)
		}
	}
	return nil
}

// keepScans, when the demo is loaded on the scenario's clock to be
// served on real time, keeps the scan-ins of 2022 from the purge that
// would otherwise remove them at the server's first start: from the day
// after the replay, 百色市 keeps scan-ins for ten years. During the
// scenario the 28 days of the edition apply.
func (s *screening) keepScans() error {
	return s.a.SetPolicy(s.ctx, app.System, cordon.PolicyAssignment{Jurisdiction: Baise, From: "2022-02-07",
		Overrides: map[string]json.RawMessage{"scan_ins.retention_days": json.RawMessage("3650")},
		Reason:    "演示回放：保留2022年2月的场所扫码记录供查看"})
}

// planScans draws every scan-in of the scenario: the index case's, his
// companions' (new synthetic people, and the diners of the banquet), and
// the residents' at all the venues. Residents' scan-ins never overlap the
// index case's stays at the same venue, so that his companions are the
// people planned as such.
func (s *screening) planScans() error {
	rules := mustEdition("gx-2022-01").Companions
	var scans []stay
	if s.cast.index != nil {
		for _, st := range indexStays {
			st.person = s.cast.index
			scans = append(scans, st)
		}
		// The banquet: the diners sat down at 11:15-11:40 and left with
		// the index case.
		for i, d := range s.cast.diners {
			scans = append(scans, stay{venue: vRestaurant, person: d, source: cordon.ScanByPerson,
				at: jan(29, 11, 15).Add(time.Duration(i*97%25) * time.Minute), leave: jan(29, 14, 20).Add(time.Duration(i*53%20) * time.Minute)})
		}
	}
	// Companions and people at the same places at other times.
	for _, cp := range companionPlans {
		groups := [][]stay{cp.overlap, cp.apart}
		for g, group := range groups {
			for i, st := range group {
				home := ""
				if i < len(cp.from) && g == 0 {
					home = cp.from[i]
				}
				p, err := s.companion(home)
				if err != nil {
					return err
				}
				st.venue, st.person = cp.venue, p
				if cp.venue == vHotel {
					st.source = cordon.ScanReverse // the front desk reads the ID card
				}
				scans = append(scans, st)
				if g == 0 {
					s.planned[p.ID] = cp.venue
				}
			}
		}
	}
	// The background: residents of 德保县 at the venues, spread over the
	// days, none overlapping the index case's stays at the same venue.
	byVenue := map[string][]cordon.Visit{}
	for _, st := range indexStays {
		byVenue[st.venue] = append(byVenue[st.venue], cordon.Visit{From: st.at, To: st.leave})
	}
	for _, v := range indexVisitsOnly {
		byVenue[v.venue] = append(byVenue[v.venue], cordon.Visit{From: v.from, To: v.to})
	}
	var keys []string
	for _, vp := range venuePlans {
		for range venueHours[vp.key].weight {
			keys = append(keys, vp.key)
		}
	}
	if len(s.residents) > 0 {
		days := int(scansTo.Sub(scansFrom) / (24 * time.Hour))
		for n := 0; n < backgroundScans; {
			key := keys[s.rng.IntN(len(keys))]
			h := venueHours[key]
			day := scansFrom.AddDate(0, 0, s.rng.IntN(days+1))
			t := day.Add(time.Duration(h.open)*time.Hour + time.Duration(s.rng.Int64N(int64(time.Duration(h.close-h.open)*time.Hour)))).Truncate(time.Second)
			if t.Before(scansFrom) || !t.Before(scansTo) {
				continue
			}
			if (key == vCinema || key == vRestaurant) && !t.Before(round1Start) {
				continue // closed once the index case was found
			}
			who := &s.residents[s.rng.IntN(len(s.residents))]
			if s.cast.index != nil && who.ID == s.cast.index.ID {
				continue // the index case's scan-ins are his own
			}
			st := stay{venue: key, person: who, at: t, source: cordon.ScanByPerson}
			if h.stay > 0 {
				st.leave = t.Add(h.stay/2 + time.Duration(s.rng.Int64N(int64(h.stay/2)))).Truncate(time.Minute)
			}
			if key == vHotel {
				st.source = cordon.ScanReverse
			}
			a, b := cordon.ScanIn{At: st.at, Leave: st.leave}.Stay(rules)
			near := false
			for _, v := range byVenue[key] {
				x, y := v.Interval(rules)
				near = near || cordon.Overlap(a, b, x, y) > 0
			}
			if near {
				continue
			}
			scans = append(scans, st)
			n++
		}
	}
	slices.SortStableFunc(scans, func(x, y stay) int { return x.at.Compare(y.at) })
	s.scans = scans
	// The devices sync every evening; what is left goes when the county
	// closes its venues.
	for d := scansFrom; d.Before(scansTo); d = d.AddDate(0, 0, 1) {
		flush := d.Add(23*time.Hour + 30*time.Minute)
		if flush.After(scansTo) {
			flush = scansTo
		}
		s.schedule(flush, func() error { return s.recordScans(flush) })
	}
	s.schedule(scansTo, func() error { return s.recordScans(scansTo) })
	return nil
}

// indexVisitsOnly are stays of the index case that his investigation
// records at registered venues without a scan-in of his: the returnees'
// screening at the bus station, and his admission to hospital.
var indexVisitsOnly = []struct {
	venue    string
	from, to time.Time
}{
	{vBusStation, feb(3, 8, 30), feb(3, 9, 0)},
	{vHospital, feb(4, 7, 40), feb(4, 9, 0)},
}

// recordScans sends the scan-ins made before t, a batch per device sync,
// and checks that each was stored.
func (s *screening) recordScans(t time.Time) error {
	var due []stay
	rest := s.scans[:0]
	for _, st := range s.scans {
		if st.at.Before(t) && (st.leave.IsZero() || !st.leave.After(t)) {
			due = append(due, st)
		} else {
			rest = append(rest, st)
		}
	}
	s.scans = rest
	for len(due) > 0 {
		n := min(len(due), app.MaxScanInBatch)
		items := make([]app.ScanInItem, n)
		for i, st := range due[:n] {
			v := s.venues[st.venue]
			items[i] = app.ScanInItem{VenueCode: v.Code, At: s.app(st.at), Source: st.source}
			if !st.leave.IsZero() {
				items[i].Leave = s.app(st.leave)
			}
			if st.source == cordon.ScanReverse {
				items[i].IDNumber = st.person.IDNumber
			} else {
				items[i].PersonID = st.person.ID
			}
		}
		s.batches++
		res, err := s.a.RecordScanIns(s.ctx, app.System, fmt.Sprintf("demo-%s-%d", t.Format("0102-1504"), s.batches), items)
		if err != nil {
			return fmt.Errorf("scan-ins: %w", err)
		}
		if res.Stored != n {
			for _, r := range res.Results {
				if r.Status != "stored" {
					return fmt.Errorf("scan-in %+v: %s %s", items[r.Index], r.Status, r.Code)
				}
			}
		}
		s.trace.ScanIns += res.Stored
		due = due[n:]
	}
	return nil
}

// companion finds a person for a planned stay: a new synthetic person
// from home (a county code), or a resident of 德保县 outside 都安乡 who is
// not one of the chain's people nor lives with one; new ones when there are
// no more.
func (s *screening) companion(home string) (*cordon.Person, error) {
	if home != "" {
		return s.newPerson(home)
	}
	if s.idle == nil {
		busy := map[string]bool{}
		for _, p := range append(append([]*cordon.Person{s.cast.index}, s.cast.household...), s.cast.diners...) {
			if p != nil {
				busy[p.Residence+p.Address] = true
			}
		}
		others := s.others()
		for i := len(others) - 1; i >= 0; i-- {
			if !busy[others[i].Residence+others[i].Address] {
				s.idle = append(s.idle, others[i])
			}
		}
		s.idle = append(s.idle, nil) // made: the pool is empty, not unset
	}
	if p := s.idle[0]; p != nil {
		s.idle = s.idle[1:]
		s.people[p.ID] = p
		return p, nil
	}
	return s.newPerson("")
}

// newPerson registers a synthetic person living at home (a county code),
// or in 德保县 outside 都安乡 when home is empty.
func (s *screening) newPerson(home string) (*cordon.Person, error) {
	residence, addrCode := home, home
	address := ""
	if home == "" {
		town := s.towns[s.rng.IntN(len(s.towns))]
		villages := s.a.Directory().Children(town.Code)
		residence, addrCode = villages[s.rng.IntN(len(villages))].Code, Debao
		address = fmt.Sprintf("%s%d号", s.a.Directory().Path(residence)[len(s.a.Directory().Path(Debao)):], 1+s.rng.IntN(120))
	}
	p, err := s.a.CreatePerson(s.ctx, app.System, s.gen.person(residence, address, addrCode))
	if err != nil {
		return nil, fmt.Errorf("demo person: %w", err)
	}
	s.newPersons++
	s.people[p.ID] = &p
	return &p, nil
}

func mustEdition(key string) cordon.Policy {
	p, ok := cordon.Edition(key)
	if !ok {
		panic("demo: no policy edition " + key)
	}
	return p
}

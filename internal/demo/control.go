package demo

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"cordon"
	"cordon/internal/app"
)

// Control after the first days, on the scenario's clock only. The county's
// quarantine hotel takes the close contacts, and a centre apart from them
// the secondary contacts, a household at a time, on the day they are put
// under control (the rules would room a secondary contact's household with
// the close contact it shares an address with). Their staff take everyone's
// temperature twice a day (the index case's family report theirs in the
// afternoon through their self-report links), and one fever raises an
// alert that the county's epidemiologist takes up. Every morning the
// sampler works through the day's test days of the control orders, in
// single tubes (in Baise's first round while it lasts, then in a standing
// round of the county's key groups): at the hotel, or at home in an
// order's home phase. Orders whose conditions hold are released (the
// secondary contacts on 02-11, after their 7 days); people whose
// centralised phase is over go home to the order's home health monitoring,
// reporting through their link, and the 陇意屯 grid worker checks the one
// in his grid. The three banquet guests leave for hospital when they are
// found positive.
//
// 德保县康宁宾馆 and 德保县城北集中隔离点, their addresses, rooms and
// manager are invented.

// Control is what the control after the first days created.
type Control struct {
	Site           cordon.Site // the quarantine hotel, as at the end
	Centre         cordon.Site // the centre of the secondary contacts
	Arrivals       int         // stays opened at the hotel and the centre
	Checks         int         // health checks: staff, grid worker and self-reports
	SelfReports    int
	GridChecks     int
	Alerts         int // raised by checks
	Acknowledged   int
	TestDays       int // single tubes taken on the orders' test days
	OrdersReleased int // released when their conditions held
	HomeMonitoring int // people who left the hotel for their order's home phase
	Hospital       int // people who left the hotel for hospital
	Measure        cordon.AreaMeasure
	MeasureRounds  []cordon.Round
	CodesFeb10     map[cordon.CodeColor]int // 德保县's codes while the measure held
	CodesAtEnd     map[cordon.CodeColor]int
	Marked         int // companions turned yellow (B3) from the index case's companion search
}

// The isolation sites.
const (
	SiteName      = "德保县康宁宾馆（集中隔离点）"
	siteAddress   = "德保县城关镇 康宁路18号"
	CentreName    = "德保县城北集中隔离点"
	centreAddress = "德保县城关镇 城北路6号"
)

// control is the state of the control after the first days.
type control struct {
	manager   cordon.Actor // the sites' manager
	commander cordon.Actor // 德保县's command
	grid      cordon.Actor // the 陇意屯 grid worker
	site      cordon.Site  // the hotel, for close contacts
	centre    cordon.Site  // for secondary contacts
	point     *site        // the hotel's sampling point
	keyRound  int          // index in screening.rounds of the key groups' round; 0, the first round, until it opens
	stays     map[int64]int64
	links     map[int64]string // self-report tokens, by person
	self      map[int64]bool   // who report their own afternoon check at the hotel
	home      map[int64]bool   // at home in their order's home phase
	fever     int64            // the person whose check raises the alert
	crowd     []draw           // people not in the register, sampled in each area round
	sum       Control
}

// siteRooms are a site's rooms: floors of perFloor, the first and last of
// each a family room of three, three single rooms, the rest twin.
func siteRooms(floors, perFloor int) []cordon.RoomInput {
	var out []cordon.RoomInput
	for floor := 2; floor < 2+floors; floor++ {
		for n := 1; n <= perFloor; n++ {
			beds := 2
			switch {
			case n == 1 || n == perFloor:
				beds = 3
			case n <= 4:
				beds = 1
			}
			out = append(out, cordon.RoomInput{Number: fmt.Sprintf("%d%02d", floor, n), Floor: floor, Beds: beds})
		}
	}
	return out
}

// scheduleControl puts the control after the first days and the county
// measure (measure.go) on the scenario's timeline.
func (s *screening) scheduleControl() {
	c := &s.ctl
	c.stays, c.links, c.self, c.home = map[int64]int64{}, map[int64]string{}, map[int64]bool{}, map[int64]bool{}
	s.schedule(feb(4, 9, 0), s.openSites)
	s.schedule(feb(4, 11, 45), s.markCompanions)
	for _, at := range []time.Time{feb(4, 11, 30), feb(4, 18, 0), feb(4, 19, 30), feb(5, 9, 30), feb(5, 10, 0), feb(6, 19, 0)} {
		s.schedule(at, s.admit)
	}
	s.schedule(feb(4, 20, 0), s.openHotelPoint)
	s.schedule(feb(6, 9, 0), s.openKeyRound)
	s.schedule(feb(5, 13, 30), s.toHospital)
	s.schedule(feb(6, 18, 0), s.controlLate)
	for d := feb(5, 0, 0); d.Before(final); d = d.AddDate(0, 0, 1) {
		s.schedule(d.Add(7*time.Hour), func() error { return s.takeTests(d.Add(7*time.Hour+30*time.Minute), false) })
		s.schedule(d.Add(8*time.Hour+30*time.Minute), func() error { return s.staffChecks(d.Add(8*time.Hour), true) })
		s.schedule(d.Add(9*time.Hour), s.goHome)
		s.schedule(d.Add(10*time.Hour+30*time.Minute), s.homeChecks)
		s.schedule(d.Add(15*time.Hour+30*time.Minute), func() error { return s.staffChecks(d.Add(15*time.Hour), false) })
		s.schedule(d.Add(16*time.Hour), func() error { return s.takeTests(d.Add(16*time.Hour+30*time.Minute), true) })
		s.schedule(d.Add(16*time.Hour+30*time.Minute), s.releaseDue)
		s.schedule(d.Add(18*time.Hour), s.homeChecks)
	}
	s.schedule(feb(7, 15, 40), s.takeUpAlert)
	s.scheduleMeasure()
	s.scheduleArrivals()
}

// openSites registers the hotel and the centre with their rooms, their
// manager as staff.
func (s *screening) openSites() error {
	c := &s.ctl
	for _, x := range []struct {
		site          *cordon.Site
		name, address string
		kind          cordon.SiteKind
		floors, rooms int
	}{
		{&c.site, SiteName, siteAddress, cordon.SiteHotel, 3, 16},
		{&c.centre, CentreName, centreAddress, cordon.SiteCentre, 2, 10},
	} {
		site, err := s.a.CreateSite(s.ctx, c.manager, cordon.SiteInput{Name: x.name, Kind: x.kind, Jurisdiction: Chengguan,
			Address: x.address, ManagerName: "黄某某", ManagerPhone: "13977600201", Staff: []string{c.manager.Username}})
		if err != nil {
			return fmt.Errorf("isolation site: %w", err)
		}
		if _, err := s.a.AddRooms(s.ctx, c.manager, site.ID, siteRooms(x.floors, x.rooms)); err != nil {
			return fmt.Errorf("rooms: %w", err)
		}
		*x.site = site
	}
	return nil
}

// admit takes the contacts under control who are at no site yet, in one
// arrival at each site: the rules keep each household together.
func (s *screening) admit() error {
	c := &s.ctl
	orders, err := s.activeOrders()
	if err != nil {
		return err
	}
	cs, err := s.a.Contacts(s.ctx, s.epi, cordon.ContactFilter{Status: cordon.ContactControlled, Limit: 500})
	if err != nil {
		return err
	}
	in := map[int64]*cordon.Arrivals{c.site.ID: {}, c.centre.ID: {}}
	for _, ct := range cs {
		if _, there := c.stays[ct.PersonID]; there || ct.PersonID == 0 || ct.MergedInto != 0 {
			continue
		}
		to := c.site.ID
		if ct.Kind == cordon.SecondaryContact {
			to = c.centre.ID
		}
		in[to].People = append(in[to].People, cordon.ArrivalInput{PersonID: ct.PersonID, OrderID: orders[ct.PersonID].ID})
	}
	for _, id := range []int64{c.site.ID, c.centre.ID} {
		if len(in[id].People) == 0 {
			continue
		}
		stays, err := s.a.Arrive(s.ctx, c.manager, id, *in[id])
		if err != nil {
			return fmt.Errorf("arrival at site %d: %w", id, err)
		}
		for _, st := range stays {
			c.stays[st.PersonID] = st.ID
			c.sum.Arrivals++
		}
	}
	// The index case's family report their own afternoon check.
	for _, p := range s.cast.household {
		if _, there := c.stays[p.ID]; there && c.links[p.ID] == "" {
			if err := s.giveLink(p.ID); err != nil {
				return err
			}
			c.self[p.ID] = true
		}
	}
	return nil
}

// activeOrders maps each person to their active contact order.
func (s *screening) activeOrders() (map[int64]cordon.ControlOrder, error) {
	os, err := s.a.Orders(s.ctx, s.ctl.manager, cordon.OrderFilter{Status: cordon.OrderActive, Limit: 500})
	if err != nil {
		return nil, err
	}
	out := map[int64]cordon.ControlOrder{}
	for _, o := range os {
		if o.Basis == cordon.BasisContact {
			out[o.PersonID] = o
		}
	}
	return out, nil
}

// giveLink has the hotel make a person's self-report link.
func (s *screening) giveLink(personID int64) error {
	l, err := s.a.HealthCheckLink(s.ctx, s.ctl.manager, personID)
	if err != nil {
		return fmt.Errorf("self-report link: %w", err)
	}
	s.ctl.links[personID] = l.Token
	return nil
}

// depart ends a person's stay at the hotel.
func (s *screening) depart(personID int64, reason cordon.DepartureReason) error {
	id, ok := s.ctl.stays[personID]
	if !ok {
		return nil
	}
	if _, err := s.a.Depart(s.ctx, s.ctl.manager, id, cordon.Departure{Reason: reason}); err != nil {
		return fmt.Errorf("departure: %w", err)
	}
	delete(s.ctl.stays, personID)
	return nil
}

// toHospital sends the banquet guests found positive to hospital.
func (s *screening) toHospital() error {
	for _, p := range s.cast.guests {
		if _, there := s.ctl.stays[p.ID]; there {
			if err := s.depart(p.ID, cordon.DepartHospital); err != nil {
				return err
			}
			s.ctl.sum.Hospital++
		}
	}
	return nil
}

// controlLate puts under control, overdue, the contacts still waiting:
// the one not found at home on 02-05.
func (s *screening) controlLate() error {
	cs, err := s.a.Contacts(s.ctx, s.epi, cordon.ContactFilter{Status: cordon.ContactIdentified, Limit: 100})
	if err != nil {
		return err
	}
	var ids []int64
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	return s.control(ids)
}

// openHotelPoint opens the hotel's sampling point: its single tubes go
// into Baise's first round while it lasts, then into the key groups'.
func (s *screening) openHotelPoint() error {
	p, err := s.a.CreatePoint(s.ctx, s.ctl.commander, cordon.SamplingPointInput{Name: "康宁宾馆隔离点采样点", Jurisdiction: Chengguan,
		Address: siteAddress, AllDay: true, Tables: 1, Staff: 2})
	if err != nil {
		return fmt.Errorf("hotel sampling point: %w", err)
	}
	s.ctl.point = &site{SamplingPoint: p, prefix: "GL", lab: s.labs[1], open: map[int64]*tube{}}
	s.sites = append(s.sites, s.ctl.point)
	return nil
}

// openKeyRound opens, as the first round ends, the standing round of the
// county's key groups, in which the orders' test days are taken in single
// tubes.
func (s *screening) openKeyRound() error {
	r, err := s.a.CreateRound(s.ctx, s.ctl.commander, cordon.RoundInput{Name: "德保县重点人群核酸检测（隔离点及居家健康监测）", Jurisdiction: Debao,
		StartsAt: round1End, Deadline: feb(18, 24, 0), Expected: 60})
	if err != nil {
		return fmt.Errorf("key groups' round: %w", err)
	}
	s.rounds = append(s.rounds, r)
	s.ctl.keyRound = len(s.rounds) - 1
	return nil
}

// pointOf is the sampling point of a prefix.
func (s *screening) pointOf(prefix string) *site {
	for _, st := range s.sites {
		if st.prefix == prefix {
			return st
		}
	}
	return nil
}

// takeTests plans the single tubes of the day's test days, from the
// sampler's task list: at the hotel for those staying there, at home for
// those in their order's home phase. The afternoon pass takes those who
// arrived during the day. The banquet guests' tests of 02-05 were taken by
// the hospital, which found them positive: they are outside the rounds.
func (s *screening) takeTests(at time.Time, afternoon bool) error {
	c := &s.ctl
	tasks, err := s.a.OrderTasks(s.ctx, s.sampler)
	if err != nil {
		return err
	}
	n := 0
	for _, t := range tasks.Due {
		p := s.personByID(t.Order.PersonID)
		if p == nil || t.Test.State != cordon.TestDue || slices.Contains(s.cast.guests, p) {
			continue
		}
		d := draw{at: at.Add(time.Duration(n) * 2 * time.Minute), round: c.keyRound, person: p, group: cordon.GroupQuarantined}
		switch _, there := c.stays[p.ID]; {
		case there:
			d.site = c.point
		case c.home[p.ID]:
			d.site, d.group = s.pointOf(homeSite(p.Residence, 1)), cordon.GroupKey
		case afternoon:
			return fmt.Errorf("test day of %s: neither at the hotel nor at home", p.Name)
		default:
			continue // arrives today
		}
		s.pending = append(s.pending, d)
		c.sum.TestDays++
		n++
	}
	return nil
}

// temperature is a normal reading.
func (s *screening) temperature() float64 {
	return 36.2 + float64(s.rng.IntN(8))/10
}

// staffChecks are the hotel staff's round of the rooms from at, entered
// half an hour later: everyone in the morning, those without a link in the
// afternoon, when the others report their own. On 02-07 a cinema companion
// has a fever and a cough.
func (s *screening) staffChecks(at time.Time, morning bool) error {
	c := &s.ctl
	ids := slices.Sorted(maps.Keys(c.stays))
	if c.fever == 0 && at.Day() == 7 && !morning {
		for _, id := range ids {
			if s.planned[id] == vCinema {
				c.fever = id
				break
			}
		}
	}
	now, selves := s.clock.Now(), 0
	for i, id := range ids {
		in := cordon.HealthCheckInput{PersonID: id, Temperature: s.temperature()}
		if id == c.fever && at.Day() == 7 && !morning {
			in.Temperature, in.Symptoms = 37.8, []cordon.CheckSymptom{cordon.SymptomCough}
		}
		if c.self[id] && !morning {
			s.at(now.Add(time.Duration(selves) * time.Minute))
			selves++
			if _, err := s.a.SelfReportHealthCheck(s.ctx, c.links[id], in); err != nil {
				return fmt.Errorf("self-report: %w", err)
			}
			c.sum.SelfReports++
		} else {
			in.At = at.Add(time.Duration(i) * 30 * time.Second)
			if _, err := s.a.RecordHealthCheck(s.ctx, c.manager, in); err != nil {
				return fmt.Errorf("health check: %w", err)
			}
		}
		c.sum.Checks++
	}
	return nil
}

// takeUpAlert: the county's epidemiologist acknowledges the fever alert
// and has the person sampled in a single tube at once.
func (s *screening) takeUpAlert() error {
	c := &s.ctl
	if c.fever == 0 {
		return nil
	}
	alerts, err := s.a.Alerts(s.ctx, s.epi, cordon.AlertFilter{Open: true, Person: c.fever})
	if err != nil {
		return err
	}
	for _, x := range alerts {
		if _, err := s.a.AcknowledgeAlert(s.ctx, s.epi, x.ID); err != nil {
			return fmt.Errorf("alert: %w", err)
		}
		c.sum.Acknowledged++
	}
	s.pending = append(s.pending, draw{at: feb(7, 16, 0), round: c.keyRound, site: c.point, person: s.personByID(c.fever), group: cordon.GroupQuarantined})
	return nil
}

// goHome sends home, in the morning, those whose order is in its home
// phase today: the centralised phase is over, the order goes on with home
// health monitoring, and each takes a self-report link along.
func (s *screening) goHome() error {
	c := &s.ctl
	orders, err := s.activeOrders()
	if err != nil {
		return err
	}
	for _, id := range slices.Sorted(maps.Keys(c.stays)) {
		if o, ok := orders[id]; !ok || o.Type != cordon.HomeMonitoring {
			continue
		}
		if err := s.giveLink(id); err != nil {
			return err
		}
		if err := s.depart(id, cordon.DepartReleased); err != nil {
			return err
		}
		c.home[id] = true
		c.sum.HomeMonitoring++
	}
	return nil
}

// homeChecks are the checks of the people at home in health monitoring:
// the grid worker visits those of his grid, the others report through
// their link.
func (s *screening) homeChecks() error {
	c := &s.ctl
	ids := slices.Sorted(maps.Keys(c.home))
	start := s.clock.Now()
	for i, id := range ids {
		in := cordon.HealthCheckInput{PersonID: id, Temperature: s.temperature()}
		s.at(start.Add(time.Duration(i) * 3 * time.Minute))
		if p := s.personByID(id); p != nil && cordon.Within(p.Residence, c.grid.Jurisdiction) {
			if _, err := s.a.RecordHealthCheck(s.ctx, c.grid, in); err != nil {
				return fmt.Errorf("grid worker's check: %w", err)
			}
			c.sum.GridChecks++
		} else {
			if _, err := s.a.SelfReportHealthCheck(s.ctx, c.links[id], in); err != nil {
				return fmt.Errorf("self-report at home: %w", err)
			}
			c.sum.SelfReports++
		}
		c.sum.Checks++
	}
	return nil
}

// releaseDue releases, in the afternoon, the contact orders whose
// conditions hold, and the people they held leave the hotel.
func (s *screening) releaseDue() error {
	c := &s.ctl
	orders, err := s.activeOrders()
	if err != nil {
		return err
	}
	ids := slices.Sorted(maps.Keys(orders))
	day := s.clock.Now().In(cordon.ChinaTime).Format(time.DateOnly)
	for _, id := range ids {
		if orders[id].EndsOn > day {
			continue // the period runs on
		}
		v, err := s.a.Order(s.ctx, c.manager, orders[id].ID, "解除隔离审核")
		if err != nil {
			return err
		}
		if !v.Release.Ready {
			continue
		}
		if _, err := s.a.ReleaseOrder(s.ctx, c.manager, v.ID, app.ReleaseInput{Reason: "隔离期满，解除隔离", Version: v.Version}); err != nil {
			return fmt.Errorf("release of order %d: %w", v.ID, err)
		}
		c.sum.OrdersReleased++
		delete(c.home, id)
		if err := s.depart(id, cordon.DepartReleased); err != nil {
			return err
		}
	}
	return nil
}

// finishControl reads back what the control left at the end.
func (s *screening) finishControl() error {
	c := &s.ctl
	var err error
	if c.sum.Site, err = s.a.SiteInfo(s.ctx, c.manager, c.site.ID); err != nil {
		return err
	}
	if c.sum.Centre, err = s.a.SiteInfo(s.ctx, c.manager, c.centre.ID); err != nil {
		return err
	}
	alerts, err := s.a.Alerts(s.ctx, s.epi, cordon.AlertFilter{Limit: 100})
	if err != nil {
		return err
	}
	c.sum.Alerts = len(alerts)
	if c.sum.CodesAtEnd, err = s.a.CodeCounts(s.ctx, c.commander, Debao); err != nil {
		return err
	}
	return nil
}

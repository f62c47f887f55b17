package demo

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"cordon"
	"cordon/internal/app"
	"cordon/internal/hl7"
	"cordon/internal/labfile"
)

// Baise's published figures for its first round (SCENARIO.md). The demo's
// round is scaled down to a thousand or so samples so that it loads in
// seconds; these are shown beside it.
const (
	PublishedSampled   = 207_506 // sampled by 2022-02-06 noon
	PublishedNegative  = 207_321
	PublishedPositives = 98 // initial positives
	PublishedRecheck   = 87 // awaiting re-check
	// DebaoPopulation is the population a round over 德保县 expects:
	// about 360,000 registered residents.
	DebaoPopulation = 360_000
)

func feb(day, hour, minute int) time.Time {
	return time.Date(2022, 2, day, hour, minute, 0, 0, cordon.ChinaTime)
}

// The scenario's timeline, in China time.
var (
	dawn        = feb(4, 6, 0)  // the returnees' screening reports the index case
	round1Start = feb(4, 12, 0) // the index case is found; Baise opens its first round
	round1End   = feb(6, 12, 0) // 48 hours: "207,506 sampled by 02-06 noon"
	round2Open  = feb(6, 8, 0)  // 德保县 announces its second round, from round1End
	end         = feb(6, 16, 0) // the second round is four hours in
	// final is where the replay ends on the scenario's clock: the county
	// measure has ended, the close contacts of the banquet are at home.
	final = feb(14, 20, 0)
)

// Testing is what Load's mass testing created: Baise's first round over
// 德保县 and the county's second; on the scenario's clock also the three
// rounds of the county measure and the single tubes of the key groups.
type Testing struct {
	Round         cordon.Round // Baise's first round
	Rounds        int
	Points        int
	Labs          int
	Samples       int // registrations stored, retests included
	Tubes         int
	Boxes         int
	MissingTubes  int // handed over, not found at the lab
	PositivePools int
	Held          int // people held at home for a retest after a positive pool
	Released      int // holds released by a negative single-tube retest
	StillHeld     int // holds that wait for a retest at the end
	Positives     int // positive single tubes, raised to the epidemiologists
	Inbox         int // results kept in the lab inbox
	Cases         int // opened: from the positive single tubes, and by hand for the index case and banquet guests
	Links         int // transmission links between the cases
	Uploads       []Upload
}

// Upload is a file a lab sent, and what the platform made of it.
type Upload struct {
	Lab         string
	ContentType string
	At          time.Time
	Data        []byte
	Result      cordon.LabUpload
}

// The labs, by the username of their account.
const (
	cdcLab      = "bscdc"
	hospitalLab = "dbyy"
)

// labPlans are the labs: the city CDC exports Excel sheets every four
// hours from midnight; the county hospital's laboratory system sends HL7
// batches every four hours from 03:00.
var labPlans = []struct {
	account string
	in      cordon.LabInput
	format  string
	hour    int
	courier string
}{
	{cdcLab, cordon.LabInput{Name: "百色市疾控中心实验室", Jurisdiction: Baise, Capacity: 20000}, labfile.XLSX, 0, "百色市疾控标本转运车"},
	{hospitalLab, cordon.LabInput{Name: "德保县人民医院检测实验室", Jurisdiction: Debao, Capacity: 6000}, labfile.HL7, 3, "德保县人民医院转运车"},
}

// pointPlans are the sampling points: at the bus station and Baise's
// railway station for returnees, around the clock; in the county seat and
// two townships; in 都安乡 and in 福记村, home of 陇意屯.
var pointPlans = []struct {
	prefix  string // of its tube barcodes
	in      cordon.SamplingPointInput
	typedIn int // people whose ID numbers are typed in: returnees, people not in the register
	lab     string
}{
	{"KY", cordon.SamplingPointInput{Name: "德保汽车站采样点", Jurisdiction: "451024100", Address: "德保县城关镇 德保汽车站", AllDay: true, Tables: 4, Staff: 12}, 150, cdcLab},
	{"BSZ", cordon.SamplingPointInput{Name: "百色站出站口采样点", Jurisdiction: "451002", Address: "百色市右江区 百色站", AllDay: true, Tables: 3, Staff: 9}, 90, cdcLab},
	{"CD", cordon.SamplingPointInput{Name: "城东社区采样点", Jurisdiction: "451024100001", Address: "德保县城关镇城东社区", Opens: "07:00", Closes: "22:00", Tables: 8, Staff: 20}, 420, cdcLab},
	{"MA", cordon.SamplingPointInput{Name: "马隘镇卫生院采样点", Jurisdiction: "451024104", Opens: "08:00", Closes: "20:00", Tables: 3, Staff: 8}, 120, cdcLab},
	{"JD", cordon.SamplingPointInput{Name: "敬德镇卫生院采样点", Jurisdiction: "451024103", Opens: "08:00", Closes: "20:00", Tables: 3, Staff: 8}, 120, cdcLab},
	{"DA", cordon.SamplingPointInput{Name: "都安乡人民政府采样点", Jurisdiction: Duan, Address: "德保县都安乡人民政府", Opens: "07:30", Closes: "21:30", Tables: 4, Staff: 10}, 100, hospitalLab},
	{"FJ", cordon.SamplingPointInput{Name: "福记村委会采样点", Jurisdiction: Fuji, Address: "德保县都安乡福记村委会", Opens: "07:00", Closes: "23:00", Tables: 2, Staff: 6}, 40, hospitalLab},
}

// strayBarcode is a tube label the hospital lab misread: its result goes
// to the inbox.
const strayBarcode = "DA990017"

// Cycle thresholds (ORF1ab, N) of the positive pool and of the two
// positive retests.
var (
	poolCt   = [2]float64{29.6, 28.1}
	retestCt = [][2]float64{{24.3, 23.1}, {31.8, 30.2}}
	noCt     = [2]float64{}
)

// sampleStep is how often the scenario moves on: the devices at the tables
// send what they registered every hour.
const sampleStep = time.Hour

// screening replays the mass testing hour by hour: samples are registered
// as the tables send them, tubes close when full or when a point closes,
// boxes leave every three hours and reach the lab an hour later, labs
// upload every four hours, and a positive pool sends the sampler door to
// door for single-tube retests.
type screening struct {
	ctx       context.Context
	a         *app.App
	rng       *rand.Rand
	gen       *people
	clock     *Clock
	shift     time.Duration // scenario time to the application's time
	grid      string
	commander cordon.Actor // creates rounds, points and labs
	sampler   cordon.Actor // registers samples and hands boxes over
	epi       cordon.Actor // opens a case for each positive single tube
	residents []cordon.Person

	rounds     []cordon.Round
	sites      []*site
	labs       []*labSite
	pending    []draw // samples not yet taken
	tubes      map[string]*tube
	pool       []draw // the people of the positive pool, grid residents first
	missingBox bool   // one box has lost a tube
	strayDone  bool   // the misread label has been reported
	sum        Testing
	chainCases chainCases

	// The tracing around the index case (venues.go, contacts.go).
	events     []event
	towns      []cordon.Jurisdiction // of 德保县 but 都安乡, for new people
	venues     map[string]cordon.Venue
	scans      []stay // planned, not yet recorded
	batches    int
	planned    map[int64]string         // companions planned, by person: the venue
	people     map[int64]*cordon.Person // the companions and the people created for the scan-ins
	idle       []*cordon.Person         // residents who may be companions
	newPersons int
	cast       cast
	tr         tracer
	trace      Tracing

	// Control and codes after the first days (control.go, measure.go).
	ctl control

	// Risk areas, arrivals and checkpoints (arrivals.go).
	nanningEpi  cordon.Actor // imports Nanning's big-data list
	bamaOfficer cordon.Actor // checks travellers at 巴马's checkpoints
	bama        []cordon.Checkpoint
	reported    []cordon.TripReport // Nanning's self-reports, on its big-data list too
	arrivals    Arrivals
}

// event is something that happens at a time of the scenario.
type event struct {
	at time.Time
	do func() error
}

// schedule puts something on the scenario's timeline.
func (s *screening) schedule(at time.Time, do func() error) {
	s.events = append(s.events, event{at, do})
}

// runEvents does, in time order and each at its time, what is scheduled
// up to t.
func (s *screening) runEvents(t time.Time) error {
	for {
		slices.SortStableFunc(s.events, func(a, b event) int { return a.at.Compare(b.at) })
		if len(s.events) == 0 || s.events[0].at.After(t) {
			return nil
		}
		ev := s.events[0]
		s.events = s.events[1:]
		s.at(ev.at)
		if err := ev.do(); err != nil {
			return fmt.Errorf("%s: %w", ev.at.Format("01-02 15:04"), err)
		}
	}
}

// site is a sampling point with the tubes it is filling and has closed.
type site struct {
	cordon.SamplingPoint
	prefix         string
	lab            *labSite
	open           map[int64]*tube // the tube being filled, by round
	closed         []string        // closed, not handed over
	tubes, singles int             // tubes opened, for barcodes
	boxes          int
}

// labSite is a lab with its account, the boxes on their way and the tubes
// on its bench.
type labSite struct {
	cordon.Lab
	actor   cordon.Actor
	format  string
	hour    int
	courier string
	transit []box
	bench   []*tube
}

type box struct {
	barcode string
	tubes   []string
	sent    time.Time
}

// tube is a tube as the demo follows it; times are the scenario's.
type tube struct {
	barcode   string
	round     int64
	site      *site
	table     int
	pool      int
	filled    int
	collected time.Time
	received  time.Time
	person    *draw // the person of a single tube
	ct        [2]float64
}

// draw is one sample to take: a registered person or an ID number typed in.
type draw struct {
	at     time.Time // scenario time
	round  int       // index into screening.rounds
	site   *site
	person *cordon.Person
	typed  cordon.PersonInput
	retest bool
	group  cordon.Group // of a single tube for a person under a control order
	ct     [2]float64   // cycle thresholds when the virus is in the sample
}

// single is the group of a sample that goes into a tube of its own: a
// retest (key group) or a test day of a control order; "" for a sample
// that goes into the point's pool.
func (d draw) single() cordon.Group {
	if d.retest {
		return cordon.GroupKey
	}
	return d.group
}

func (d draw) name() string {
	if d.person != nil {
		return d.person.Name
	}
	return d.typed.Name
}

func (d draw) idNumber() string {
	if d.person != nil {
		return d.person.IDNumber
	}
	return d.typed.IDNumber
}

// at moves the application's clock to a time of the scenario, when Load
// runs the application on one.
func (s *screening) at(t time.Time) {
	if s.clock != nil {
		s.clock.set(t)
	}
}

// app gives a time of the scenario in the application's time.
func (s *screening) app(t time.Time) time.Time { return t.Add(s.shift) }

func (s *screening) run(labActors map[string]cordon.Actor) error {
	s.tubes = map[string]*tube{}
	s.at(round1Start.Add(-5 * time.Hour))
	if err := s.openIndex(); err != nil {
		return err
	}
	r, err := s.a.CreateRound(s.ctx, s.commander, cordon.RoundInput{Name: "百色市第一轮全员核酸检测", Jurisdiction: Debao,
		StartsAt: s.app(round1Start), Deadline: s.app(round1End), Expected: DebaoPopulation})
	if err != nil {
		return fmt.Errorf("round: %w", err)
	}
	s.rounds = append(s.rounds, r)
	s.sum.Round = r
	labs := map[string]*labSite{}
	for _, lp := range labPlans {
		l, err := s.a.CreateLab(s.ctx, s.commander, lp.in)
		if err != nil {
			return fmt.Errorf("lab %s: %w", lp.in.Name, err)
		}
		labs[lp.account] = &labSite{Lab: l, actor: labActors[lp.account], format: lp.format, hour: lp.hour, courier: lp.courier}
		s.labs = append(s.labs, labs[lp.account])
	}
	for _, pp := range pointPlans {
		in := pp.in
		if !r.Covers(in.Jurisdiction) {
			in.Rounds = []int64{r.ID} // 百色站 serves the 德保县 round
		}
		p, err := s.a.CreatePoint(s.ctx, s.commander, in)
		if err != nil {
			return fmt.Errorf("point %s: %w", in.Name, err)
		}
		s.sites = append(s.sites, &site{SamplingPoint: p, prefix: pp.prefix, lab: labs[pp.lab], open: map[int64]*tube{}})
	}
	s.plan()
	last := end
	if s.clock != nil {
		// On the scenario's clock the replay goes on to the county
		// measure's end; on real time it stops with the second round,
		// as checks and arrivals cannot be dated days back.
		last = final
		s.scheduleControl()
	}
	for t := round1Start.Add(sampleStep); !t.After(last); t = t.Add(sampleStep) {
		if err := s.runEvents(t); err != nil {
			return err
		}
		s.at(t)
		if t.Equal(round2Open) {
			r2, err := s.a.CreateRound(s.ctx, s.commander, cordon.RoundInput{Name: "德保县第二轮全员核酸检测", Jurisdiction: Debao,
				StartsAt: s.app(round1End), Expected: DebaoPopulation})
			if err != nil {
				return fmt.Errorf("second round: %w", err)
			}
			s.rounds = append(s.rounds, r2)
		}
		if err := s.step(t); err != nil {
			return fmt.Errorf("%s: %w", t.Format("01-02 15:04"), err)
		}
		if t.Equal(guestsOpen) {
			if err := s.openGuests(); err != nil {
				return err
			}
		}
		if err := s.settle(); err != nil {
			return fmt.Errorf("%s: %w", t.Format("01-02 15:04"), err)
		}
	}
	if err := s.linkFamily(); err != nil {
		return err
	}
	if err := s.countLinks(); err != nil {
		return err
	}
	if err := s.countContacts(); err != nil {
		return err
	}
	if s.clock != nil {
		if err := s.finishControl(); err != nil {
			return err
		}
	}
	s.sum.Rounds, s.sum.Points, s.sum.Labs = len(s.rounds), len(s.sites), len(s.labs)
	s.sum.StillHeld = s.sum.Held - s.sum.Released - s.sum.Positives
	return nil
}

// step is one hour of the scenario, ending at t.
func (s *screening) step(t time.Time) error {
	if err := s.receive(t); err != nil {
		return err
	}
	if err := s.upload(t); err != nil {
		return err
	}
	if err := s.register(t); err != nil {
		return err
	}
	for _, st := range s.sites {
		closing := st.OpenAt(t.Add(-sampleStep)) && !st.OpenAt(t)
		if t.Equal(round1End) {
			if err := s.closeTube(st, s.rounds[0].ID); err != nil {
				return err
			}
		}
		if closing {
			for _, r := range s.rounds {
				if err := s.closeTube(st, r.ID); err != nil {
					return err
				}
			}
		}
		if closing || t.Hour()%3 == 0 {
			if err := s.handOver(st, t); err != nil {
				return err
			}
		}
	}
	if t.Equal(round1End) {
		if err := s.a.CloseRound(s.ctx, s.commander, s.rounds[0].ID); err != nil {
			return fmt.Errorf("closing the first round: %w", err)
		}
	}
	return nil
}

// plan draws who is sampled where and when. The first ten samples at
// 福记村 are people of 都安乡, residents of the 陇意屯 grid first: the
// pool that will be positive.
func (s *screening) plan() {
	bySite := map[string]*site{}
	for _, st := range s.sites {
		bySite[st.prefix] = st
	}
	var duan []*cordon.Person
	for i := range s.residents {
		if s.residents[i].Residence == s.grid {
			duan = append(duan, &s.residents[i])
		}
	}
	for i := range s.residents {
		if p := &s.residents[i]; cordon.Within(p.Residence, Duan) && p.Residence != s.grid {
			duan = append(duan, p)
		}
	}
	inPool := map[int64]bool{}
	for i := range 10 {
		d := draw{at: round1Start.Add(time.Duration(i) * 4 * time.Minute), site: bySite["FJ"], ct: poolCt}
		if i < len(duan) {
			d.person = duan[i]
			inPool[duan[i].ID] = true
		} else {
			d.typed = s.gen.person(Fuji, "", Debao)
		}
		s.pool = append(s.pool, d)
	}
	s.pending = append(s.pending, s.pool...)
	from := round1Start.Add(time.Hour)
	for i := range s.residents {
		p := &s.residents[i]
		if inPool[p.ID] {
			continue
		}
		st := bySite[homeSite(p.Residence, i)]
		if i%8 != 7 { // one in eight is not sampled yet: the grid worker's list
			s.pending = append(s.pending, draw{at: s.when(st, from, round1End.Add(-sampleStep)), site: st, person: p})
		}
		if i%3 == 0 { // the first hours of the second round
			if st.prefix == "BSZ" {
				st = bySite["CD"]
			}
			s.pending = append(s.pending, draw{at: s.when(st, round1End, end), round: 1, site: st, person: p})
		}
	}
	for i, pp := range pointPlans {
		st := s.sites[i]
		for range pp.typedIn {
			s.pending = append(s.pending, draw{at: s.when(st, from, round1End.Add(-sampleStep)), site: st, typed: s.gen.person(Debao, "", Debao)})
		}
	}
	for _, prefix := range []string{"CD", "CD", "KY"} {
		st := bySite[prefix]
		for range 50 {
			s.pending = append(s.pending, draw{at: s.when(st, round1End, end), round: 1, site: st, typed: s.gen.person(Debao, "", Debao)})
		}
	}
}

// homeSite is where a resident goes to be sampled: the point of their
// village or township, else the county seat's; a few come home by train
// and are sampled at 百色站, a few at the bus station.
func homeSite(residence string, i int) string {
	switch {
	case cordon.Within(residence, Fuji):
		return "FJ"
	case cordon.Within(residence, Duan):
		return "DA"
	case cordon.Within(residence, "451024104"):
		return "MA"
	case cordon.Within(residence, "451024103"):
		return "JD"
	case i%20 == 3:
		return "BSZ"
	case i%5 == 0:
		return "KY"
	}
	return "CD"
}

// when draws a time in [from, to) at which the point is open.
func (s *screening) when(st *site, from, to time.Time) time.Time {
	for {
		t := from.Add(time.Duration(s.rng.Int64N(int64(to.Sub(from))))).Truncate(time.Second)
		if st.OpenAt(t) {
			return t
		}
	}
}

// register sends the samples taken in the hour before t in one batch, as
// the sampler's devices sync them.
func (s *screening) register(t time.Time) error {
	var due []draw
	rest := s.pending[:0]
	for _, d := range s.pending {
		if d.at.Before(t) {
			due = append(due, d)
		} else {
			rest = append(rest, d)
		}
	}
	s.pending = rest
	if len(due) == 0 {
		return nil
	}
	slices.SortStableFunc(due, func(a, b draw) int { return a.at.Compare(b.at) })
	in := make([]cordon.SampleInput, len(due))
	for i, d := range due {
		tb := s.tubeFor(d)
		tb.filled++
		if tb.filled == 1 {
			tb.collected = d.at
		}
		if d.ct != noCt {
			tb.ct = d.ct
		}
		in[i] = cordon.SampleInput{Key: fmt.Sprintf("%s-%d", tb.barcode, tb.filled), RoundID: tb.round, PointID: d.site.ID,
			Table: tb.table, Tube: tb.barcode, PoolSize: tb.pool, CollectedAt: s.app(d.at)}
		if g := d.single(); g != "" {
			in[i].Group = g
			tb.person = &d
		}
		if d.person != nil {
			in[i].PersonID = d.person.ID
		} else {
			in[i].IDNumber, in[i].Name = d.typed.IDNumber, d.typed.Name
		}
		if tb.filled == tb.pool {
			delete(d.site.open, tb.round)
			d.site.closed = append(d.site.closed, tb.barcode)
		}
	}
	acks, err := s.a.RegisterSamples(s.ctx, s.sampler, in)
	if err != nil {
		return fmt.Errorf("samples: %w", err)
	}
	for i, ack := range acks {
		if ack.Status != cordon.SampleStored {
			return fmt.Errorf("sample %s: %s %v", in[i].Key, ack.Status, ack.Error)
		}
		if ack.Closed != (ack.Filled == s.tubes[ack.Tube].pool) {
			return fmt.Errorf("tube %s: closed %v at %d of %d", ack.Tube, ack.Closed, ack.Filled, s.tubes[ack.Tube].pool)
		}
	}
	s.sum.Samples += len(acks)
	return nil
}

// tubeFor finds the tube a sample goes into, opening one when needed.
// Barcodes are pre-printed per point: KY000001, ...; single tubes KYS00001.
func (s *screening) tubeFor(d draw) *tube {
	st, round, single := d.site, s.rounds[d.round], d.single()
	if single == "" {
		if tb := st.open[round.ID]; tb != nil {
			return tb
		}
	}
	tb := &tube{round: round.ID, site: st, pool: round.Modes[cordon.GroupGeneral]}
	if single != "" {
		st.singles++
		tb.barcode, tb.pool = fmt.Sprintf("%sS%05d", st.prefix, st.singles), round.Modes[single]
	} else {
		st.tubes++
		tb.barcode = fmt.Sprintf("%s%06d", st.prefix, st.tubes)
		st.open[round.ID] = tb
	}
	tb.table = 1 + (st.tubes+st.singles)%st.Tables
	s.tubes[tb.barcode] = tb
	s.sum.Tubes++
	return tb
}

// closeTube closes a point's partly filled tube of a round.
func (s *screening) closeTube(st *site, round int64) error {
	tb := st.open[round]
	if tb == nil {
		return nil
	}
	if _, err := s.a.CloseTube(s.ctx, s.sampler, tb.barcode); err != nil {
		return fmt.Errorf("closing %s: %w", tb.barcode, err)
	}
	delete(st.open, round)
	st.closed = append(st.closed, tb.barcode)
	return nil
}

// handOver sends a point's closed tubes to its lab in a box.
func (s *screening) handOver(st *site, t time.Time) error {
	if len(st.closed) == 0 {
		return nil
	}
	st.boxes++
	b := box{barcode: fmt.Sprintf("BOX-%s-%03d", st.prefix, st.boxes), tubes: st.closed, sent: t}
	if _, err := s.a.HandOver(s.ctx, s.sampler, cordon.BoxInput{Barcode: b.barcode, PointID: st.ID, LabID: st.lab.ID,
		Courier: st.lab.courier, Tubes: slices.Clone(b.tubes)}); err != nil {
		return fmt.Errorf("box %s: %w", b.barcode, err)
	}
	st.closed = nil
	st.lab.transit = append(st.lab.transit, b)
	s.sum.Boxes++
	return nil
}

// receive scans the boxes that reached their lab. One box from the bus
// station arrives a tube short.
func (s *screening) receive(t time.Time) error {
	for _, l := range s.labs {
		keep := l.transit[:0]
		for _, b := range l.transit {
			if t.Sub(b.sent) < time.Hour {
				keep = append(keep, b)
				continue
			}
			scanned := b.tubes
			if !s.missingBox && len(b.tubes) > 1 && s.tubes[b.tubes[0]].site.prefix == "KY" {
				scanned, s.missingBox = b.tubes[:len(b.tubes)-1], true
			}
			got, err := s.a.ReceiveBox(s.ctx, l.actor, b.barcode, slices.Clone(scanned))
			if err != nil {
				return fmt.Errorf("receiving %s: %w", b.barcode, err)
			}
			if got.Received != len(scanned) || len(got.Missing) != len(b.tubes)-len(scanned) {
				return fmt.Errorf("box %s: %d received, %v missing", b.barcode, got.Received, got.Missing)
			}
			s.sum.MissingTubes += len(got.Missing)
			for _, code := range scanned {
				tb := s.tubes[code]
				tb.received = t
				l.bench = append(l.bench, tb)
			}
		}
		l.transit = keep
	}
	return nil
}

// upload sends a lab's results for the tubes it has run: pooled tubes two
// hours after receipt, single tubes one hour.
func (s *screening) upload(t time.Time) error {
	for _, l := range s.labs {
		if t.Hour()%4 != l.hour {
			continue
		}
		var ready []*tube
		keep := l.bench[:0]
		for _, tb := range l.bench {
			wait := 2 * time.Hour
			if tb.pool == 1 {
				wait = time.Hour
			}
			if t.Sub(tb.received) >= wait {
				ready = append(ready, tb)
			} else {
				keep = append(keep, tb)
			}
		}
		l.bench = keep
		if len(ready) == 0 {
			continue
		}
		observed := t.Add(-20 * time.Minute)
		var data []byte
		stray := 0
		switch l.format {
		case labfile.XLSX:
			rows := make([]labfile.Row, len(ready))
			for i, tb := range ready {
				rows[i] = labfile.Row{Barcode: tb.barcode, Outcome: hl7.Negative, CtORF1ab: tb.ct[0], CtN: tb.ct[1], Observed: s.app(observed)}
				if tb.ct != noCt {
					rows[i].Outcome = hl7.Positive
				}
			}
			var buf bytes.Buffer
			if err := labfile.WriteXLSX(&buf, rows); err != nil {
				return err
			}
			data = buf.Bytes()
		case labfile.HL7:
			w := &oruBatch{app: "DBRMYY-LIS", facility: l.Name, at: s.app(t)}
			for _, tb := range ready {
				w.add(s.report(tb, observed))
			}
			if !s.strayDone {
				w.add(labReport{Barcode: strayBarcode, Pool: 10, Outcome: cordon.OutcomeNegative,
					Collected: s.app(ready[0].collected), Observed: s.app(observed)})
				s.strayDone, stray = true, 1
			}
			data = w.bytes()
		}
		up, err := s.a.UploadLabFile(s.ctx, l.actor, l.format, data)
		if err != nil {
			return fmt.Errorf("%s upload: %w", l.Name, err)
		}
		if up.Matched != len(ready) || up.Inbox != stray || up.Rejected != 0 {
			return fmt.Errorf("%s upload: %d matched of %d, %d in the inbox, %d rejected: %+v", l.Name, up.Matched, len(ready), up.Inbox, up.Rejected, up.Errors)
		}
		s.sum.Uploads = append(s.sum.Uploads, Upload{Lab: l.Name, ContentType: l.format, At: s.app(t), Data: data, Result: up})
		fx := up.Effects
		s.sum.PositivePools += fx.PositivePools
		s.sum.Held += fx.Held
		s.sum.Released += fx.Released
		s.sum.Positives += fx.Positives
		s.sum.Inbox += up.Inbox
		if fx.PositivePools > 0 {
			s.recall(t)
		}
		if fx.Positives > 0 {
			if err := s.openCases(); err != nil {
				return err
			}
		}
	}
	return nil
}

// openCases opens, at once, a case for each positive single tube without
// one: the online report within its 2 hours. Sequencing of the first two
// cases found Omicron (reported 02-07; the demo records it with the case).
func (s *screening) openCases() error {
	ps, err := s.a.Positives(s.ctx, s.epi, 0, 100)
	if err != nil {
		return err
	}
	for i, p := range ps {
		in := cordon.CaseInput{PositiveID: p.ID, Classification: cordon.Asymptomatic, Variant: "Omicron", Lineage: "BA.1"}
		if i%2 == 0 {
			in.Classification, in.Severity = cordon.Confirmed, cordon.Mild
			in.OnsetDate = p.DetectedAt.In(cordon.ChinaTime).AddDate(0, 0, -1).Format(time.DateOnly)
		}
		_, err := s.a.OpenCase(s.ctx, s.epi, in)
		switch {
		case cordon.ErrorCode(err) == "case.exists":
		case err != nil:
			return fmt.Errorf("case: %w", err)
		default:
			s.sum.Cases++
		}
	}
	return nil
}

// report is a tube's HL7 report.
func (s *screening) report(tb *tube, observed time.Time) labReport {
	r := labReport{Barcode: tb.barcode, Pool: tb.filled, Outcome: cordon.OutcomeNegative, CtORF1ab: tb.ct[0], CtN: tb.ct[1],
		Collected: s.app(tb.collected), Observed: s.app(observed)}
	if tb.ct != noCt {
		r.Outcome = cordon.OutcomePositive
	}
	if tb.person != nil {
		r.Name, r.IDNumber = tb.person.name(), tb.person.idNumber()
	}
	return r
}

// recall sends the sampler door to door in 陇意屯 after the pool's result:
// single tubes for everyone in it but the first, who is away from home and
// stays on the grid worker's list. Two retests are positive.
func (s *screening) recall(t time.Time) {
	for i, d := range s.pool[1:] {
		d.at, d.retest, d.ct = t.Add(30*time.Minute+time.Duration(i)*6*time.Minute), true, noCt
		if i < len(retestCt) {
			d.ct = retestCt[i]
		}
		s.pending = append(s.pending, d)
	}
}

package demo

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"cordon"
	"cordon/internal/app"
)

// Risk areas, arrivals and checkpoints (SCENARIO.md): Baise's zoning of
// 02-06 and 都安乡 sealed as a whole on 02-09; returnees reaching 都安乡
// before the outbreak was found, some of them overdue for their 24 h test;
// people with recent Baise travel arriving in Nanning, by their own report
// and by a big-data list, whose codes turn yellow (home monitoring for a
// city with local cases) or red (a stay in a zone); and checkpoints on the
// four roads into 巴马 from 凌云, 田阳, 田东 and 平果, whose passages join
// arrivals.

const (
	Bama      = "451227" // 巴马瑶族自治县
	youjiang  = "451002"
	tianyang  = "451003"
	jingxi    = "451081"
	longlin   = "451031"
	lingyun   = "451027"
	tiandong  = "451022"
	pingguo   = "451082"
	chengguan = "451024100" // 德保县城关镇
)

// Arrivals says what the demo's arrivals part made.
type Arrivals struct {
	RiskAreas   int // declared
	Returnees   int // arrivals in 都安乡 before the outbreak was found
	Overdue     int // of them, still owing their 24 h test at the end
	Nanning     int // arrivals in Nanning with recent Baise travel, reported and listed
	Checkpoints int
	Passages    int
}

// zoning is Baise's published zoning of 2022-02-06: sealed and controlled
// zones per county (drawn from its villages, 德保县's named as published)
// and precaution zones (a county's townships, or as many as published).
var zoning = []struct {
	county                          string
	sealed, controlled, precautions int // precautions < 0: every township
}{
	{Debao, 3, 3, -1}, {youjiang, 2, 10, -1}, {tianyang, 1, 2, -1}, {jingxi, 11, 4, -1}, {longlin, 2, 1, 6},
}

// scheduleArrivals puts this part on the scenario's timeline.
func (s *screening) scheduleArrivals() {
	s.schedule(feb(4, 8, 0), s.returnees)
	s.schedule(feb(5, 20, 0), s.nanningReports)
	s.schedule(feb(6, 12, 0), s.declareZoning)
	s.schedule(feb(6, 15, 0), s.nanningList)
	s.schedule(feb(7, 8, 0), s.openBamaCheckpoints)
	for d := 7; d <= 10; d++ {
		for _, h := range []int{9, 13, 17} {
			s.schedule(feb(d, h, 20), s.bamaPassages)
		}
	}
	s.schedule(feb(9, 8, 0), s.sealDuan)
	s.schedule(feb(14, 19, 0), s.countArrivals)
}

// declareZoning declares Baise's zones of 02-06, looking back to 01-27,
// when the index case came home.
func (s *screening) declareZoning() error {
	dir := s.a.Directory()
	since := feb(0, 0, 0).AddDate(0, 0, -4) // 01-27
	declare := func(tier, code, name string) error {
		_, err := s.a.DeclareRiskArea(s.ctx, s.commander, cordon.RiskArea{Tier: tier, Jurisdiction: code, Name: name,
			Reason: "2022年2月6日百色市疫情风险区域划分", From: s.app(feb(6, 12, 0)), Since: s.app(since)})
		if err == nil {
			s.arrivals.RiskAreas++
		}
		return err
	}
	short := func(code string) string { return strings.TrimPrefix(dir.Path(code), dir.Path(Baise)) }
	for _, z := range zoning {
		var villages, towns []string
		for _, t := range dir.Children(z.county) {
			towns = append(towns, t.Code)
			for _, v := range dir.Children(t.Code) {
				villages = append(villages, v.Code)
			}
		}
		pick := func() string { return villages[s.rng.IntN(len(villages))] }
		for i := 0; i < z.sealed; i++ {
			code, name := pick(), ""
			if z.county == Debao && i == 0 {
				code, name = Fuji, "德保县都安乡福记村陇意屯"
			}
			if name == "" {
				name = short(code)
			}
			if err := declare("sealed", code, name); err != nil {
				return err
			}
		}
		for i := 0; i < z.controlled; i++ {
			code, name := pick(), ""
			if z.county == Debao && i == 0 {
				code, name = chengguan, "维也纳国际酒店(德保腾飞广场店)"
			}
			if name == "" {
				name = short(code)
			}
			if err := declare("controlled", code, name); err != nil {
				return err
			}
		}
		n := z.precautions
		if n < 0 || n > len(towns) {
			n = len(towns)
		}
		for _, t := range towns[:n] {
			if err := declare("precaution", t, short(t)+"（防范区）"); err != nil {
				return err
			}
		}
	}
	_, err := s.a.RematchArrivals(s.ctx)
	return err
}

// sealDuan seals 都安乡 as a whole on 02-09.
func (s *screening) sealDuan() error {
	if _, err := s.a.DeclareRiskArea(s.ctx, s.commander, cordon.RiskArea{Tier: "sealed", Jurisdiction: Duan, Name: "德保县都安乡全域",
		Reason: "都安乡全域封控", From: s.app(feb(9, 8, 0)), Since: s.app(feb(0, 0, 0).AddDate(0, 0, -4))}); err != nil {
		return err
	}
	s.arrivals.RiskAreas++
	_, err := s.a.RematchArrivals(s.ctx)
	return err
}

// returnees: people coming home to 都安乡 for the holiday from Guangdong,
// reported by themselves or found door to door, each owing a test within
// 24 h (advised in Guangxi); some took it elsewhere, some never did.
func (s *screening) returnees() error {
	origins := []string{"440306", "440106", "440307", "441900"} // 宝安区, 天河区, 龙岗区, 东莞市
	for i := 0; i < 12; i++ {
		in := s.gen.person(s.grid, fmt.Sprintf("福记村陇意屯%d号", 1+s.rng.IntN(80)), Debao)
		at := s.app(feb(2, 10, 0).Add(time.Duration(s.rng.IntN(40)) * time.Hour))
		origin := origins[s.rng.IntN(len(origins))]
		r := cordon.TripReport{Name: in.Name, IDNumber: in.IDNumber, Phone: in.Phone, Destination: s.grid, Address: in.Address,
			ArrivedAt: at, Origin: origin, Transport: "自驾",
			Travel: []cordon.TravelStop{{Place: origin, From: "2022-01-10", To: at.In(cordon.ChinaTime).Format(time.DateOnly)}}}
		var v app.TripView
		var err error
		if i%3 == 0 || in.Phone == "" { // a child without a phone is found door to door
			r.Channel = cordon.ChannelDoor
			v, err = s.a.RecordArrival(s.ctx, s.ctl.grid, r)
		} else {
			v, err = s.a.ReportArrival(s.ctx, r, "")
		}
		if err != nil {
			return fmt.Errorf("returnee: %w", err)
		}
		s.newPersons++
		s.arrivals.Returnees++
		if i%4 == 1 {
			for _, o := range v.Obligation {
				if o.Kind == cordon.ObligationTest {
					if _, err := s.a.MeetObligation(s.ctx, s.ctl.grid, o.ID, "已在百色站落地检采样"); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// baiseTraveller is a person of Nanning who stayed in Baise before coming
// home: in 田东, 平果 or 凌云, or in 德保县's 都安乡 or 城关镇.
func (s *screening) baiseTraveller(i int) (cordon.PersonInput, cordon.TripReport) {
	county := []string{"450102", "450103", "450105", "450107"}[s.rng.IntN(4)]
	in := s.gen.person(county, "南宁市某小区", county)
	if in.Phone == "" { // a child reports with a parent's phone
		in.Phone = fmt.Sprintf("139%08d", s.rng.IntN(100000000))
	}
	// Most stayed in counties of Baise without a zone (yellow: a city
	// with local cases); some in 德保县's zones' county or town (red).
	stay := []string{tiandong, pingguo, Duan, lingyun, chengguan}[i%5]
	at := s.app(feb(5, 8, 0).Add(time.Duration(s.rng.IntN(20)) * time.Hour))
	r := cordon.TripReport{Name: in.Name, IDNumber: in.IDNumber, Phone: in.Phone, Destination: county, ArrivedAt: at, Origin: stay,
		Transport: "自驾", Travel: []cordon.TravelStop{{Place: stay, From: "2022-01-29", To: "2022-02-05"}}}
	return in, r
}

// nanningReports are the self-reports of people back in Nanning from Baise.
func (s *screening) nanningReports() error {
	for i := 0; i < 10; i++ {
		_, r := s.baiseTraveller(i)
		if _, err := s.a.ReportArrival(s.ctx, r, ""); err != nil {
			return fmt.Errorf("nanning report: %w", err)
		}
		s.reported = append(s.reported, r)
		s.newPersons++
		s.arrivals.Nanning++
	}
	return nil
}

// nanningList is the big-data push of Baise travellers Nanning imports:
// some of the people reported themselves already and merge.
func (s *screening) nanningList() error {
	var b bytes.Buffer
	b.WriteString("姓名,证件号码,联系电话,目的地,抵达时间,出发地,旅居史,交通方式,来源渠道,推送批次\n")
	for i := 0; i < 15; i++ {
		r := cordon.TripReport{}
		if i < len(s.reported) {
			r = s.reported[i]
			r.ArrivedAt = r.ArrivedAt.Add(time.Duration(s.rng.IntN(120)-60) * time.Minute) // the list's time differs a little
		} else {
			_, r = s.baiseTraveller(i)
		}
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%s,%s %s~%s,%s,大数据推送,桂大数据〔2022〕0206\n", r.Name, r.IDNumber, r.Phone, r.Destination,
			r.ArrivedAt.In(cordon.ChinaTime).Format("2006-01-02 15:04"), r.Origin, r.Travel[0].Place, r.Travel[0].From, r.Travel[0].To, r.Transport)
	}
	job, err := s.a.StartImport(s.ctx, s.nanningEpi, "arrivals", app.ImportFile{Name: "大数据推送-百色旅居史-0206.csv", Format: "csv", Data: b.Bytes()})
	if err != nil {
		return err
	}
	for job.Status == app.ImportRunning {
		time.Sleep(10 * time.Millisecond)
		if job, _, err = s.a.Import(s.ctx, s.nanningEpi, job.ID, 0, 1); err != nil {
			return err
		}
	}
	if job.Failed > 0 || job.Stored != 15 {
		return fmt.Errorf("nanning list: %d stored, %d failed", job.Stored, job.Failed)
	}
	s.newPersons += 15 - len(s.reported)
	s.arrivals.Nanning += 15 - len(s.reported)
	return nil
}

// bamaRoads are the four roads into 巴马 (the road numbers are plausible,
// not published).
var bamaRoads = []struct{ name, location, from string }{
	{"凌云—巴马卡点", "G323国道 巴马县界", lingyun},
	{"田阳—巴马卡点", "S208省道 那社乡", tianyang},
	{"田东—巴马卡点", "X762县道 所略乡", tiandong},
	{"平果—巴马卡点", "S60高速 巴马出口", pingguo},
}

// openBamaCheckpoints registers the four checkpoints.
func (s *screening) openBamaCheckpoints() error {
	for _, r := range bamaRoads {
		cp, err := s.a.CreateCheckpoint(s.ctx, app.System, cordon.CheckpointInput{Name: r.name, Kind: cordon.CheckpointCountyBorder,
			Jurisdiction: Bama, Location: r.location, InLabel: "进巴马", OutLabel: "出巴马", Staff: []string{"bama"}})
		if err != nil {
			return err
		}
		s.bama = append(s.bama, cp)
		s.arrivals.Checkpoints++
	}
	return nil
}

// bamaPassages: a few travellers at each checkpoint, most coming in, each
// checked by ID number; unregistered travellers are named by hand.
func (s *screening) bamaPassages() error {
	for i, cp := range s.bama {
		for n := 0; n < 2; n++ {
			from := bamaRoads[i].from
			dir := s.a.Directory()
			in := s.gen.person(from, dir.Path(from)[len(dir.Path(Baise)):]+"某村", from)
			if from == pingguo {
				in.Residence = pingguo
			}
			p, err := s.a.CreatePerson(s.ctx, app.System, in)
			if err != nil {
				return err
			}
			s.newPersons++
			dirn := cordon.DirectionIn
			if n == 1 && s.rng.IntN(3) == 0 {
				dirn = cordon.DirectionOut
			}
			plate := fmt.Sprintf("桂L%05d", s.rng.IntN(100000))
			if _, err := s.a.RecordPassage(s.ctx, s.bamaOfficer, cp.ID, app.PassageInput{IDNumber: p.IDNumber, Direction: dirn, Plate: plate}); err != nil {
				return fmt.Errorf("passage: %w", err)
			}
			s.arrivals.Passages++
		}
	}
	return nil
}

// countArrivals counts who still owes a test in 都安乡.
func (s *screening) countArrivals() error {
	tasks, err := s.a.ArrivalTasks(s.ctx, s.ctl.grid, cordon.ObligationFilter{Overdue: true})
	s.arrivals.Overdue = len(tasks)
	return err
}

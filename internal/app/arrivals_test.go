package app_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"cordon"
	"cordon/internal/app"
)

const (
	guangxi     = "450000"
	baiseCounty = "451022" // 田东县, in Baise, no risk area
)

// arrivalSetup puts gx-2022-01 in force in Guangxi from 2022-01-18, with
// Nanning's mandatory 24 h test, and a sealed zone in 都安乡 that covers
// stays since 02-03.
func arrivalSetup(t *testing.T, s *testingSetup) (sealed cordon.RiskArea) {
	t.Helper()
	if err := s.app.SetPolicy(s.ctx, app.System, cordon.PolicyAssignment{Jurisdiction: guangxi, From: "2022-01-18", Edition: "gx-2022-01"}); err != nil {
		t.Fatal(err)
	}
	if err := s.app.SetPolicy(s.ctx, app.System, cordon.PolicyAssignment{Jurisdiction: nanning, From: "2022-01-18",
		Overrides: map[string]json.RawMessage{"arrivals.ordinary_test_mandatory": json.RawMessage("true")}}); err != nil {
		t.Fatal(err)
	}
	boss := s.account(cordon.RoleCommander, debao).Actor()
	from := time.Date(2022, 2, 3, 0, 0, 0, 0, cordon.ChinaTime)
	sealed, err := s.app.DeclareRiskArea(s.ctx, boss, cordon.RiskArea{Tier: "sealed", Jurisdiction: duan, Name: "德保县都安乡全域", From: from})
	if err != nil {
		t.Fatal(err)
	}
	return sealed
}

func report(id, dest, origin string, at time.Time, stops ...cordon.TravelStop) cordon.TripReport {
	return cordon.TripReport{Name: "黄某", IDNumber: id, Phone: "13900000001", Destination: dest, Origin: origin, ArrivedAt: at, Travel: stops}
}

func TestArrivalsMatchAndOblige(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		sealed := arrivalSetup(t, s)
		now := s.clock.Now()
		nn := s.account(cordon.RoleEpidemiologist, nanning).Actor()
		xingningG := s.fixture.grid(xingningC, "兴宁一网格").Code
		gw := s.account(cordon.RoleGridWorker, xingningG).Actor()

		// From the sealed zone: 14 days' centralised quarantine, red A6.
		fromDuan := report(idNumber(debao, s.next()), xingningG, fuji, now.Add(-2*time.Hour),
			cordon.TravelStop{Place: fuji, From: "2022-02-01", To: "2022-02-07"})
		v, err := s.app.ReportArrival(s.ctx, fromDuan, "")
		if err != nil {
			t.Fatal(err)
		}
		if !v.Created || v.Population != cordon.ArrivalRiskArea || v.Tier != "sealed" || !slices.Equal(v.Areas, []int64{sealed.ID}) {
			t.Fatalf("from the sealed zone: %+v", v.Trip)
		}
		if len(v.Obligation) != 1 || v.Obligation[0].Kind != cordon.ObligationOrder || v.Obligation[0].OrderID == 0 {
			t.Fatalf("obligations: %+v", v.Obligation)
		}
		if v.OnTime == nil || !*v.OnTime {
			t.Errorf("a report 2 h after arriving is on time under gx-2022-01's 12 h")
		}
		code, err := s.app.HealthCode(s.ctx, nn, v.PersonID, "")
		if err != nil || code.Color != cordon.Red || !slices.Contains(code.Reasons, cordon.ReasonArrivalQuarantine) {
			t.Fatalf("code of an arrival from the sealed zone: %+v %v", code, err)
		}
		orders, err := s.app.PersonOrders(s.ctx, nn, v.PersonID, "")
		if err != nil || len(orders) != 1 || orders[0].Population != cordon.PopulationRiskAreaArrival || len(orders[0].Phases) != 2 {
			t.Fatalf("order: %+v %v", orders, err)
		}
		if ph := orders[0].Phases[0]; ph.Type != cordon.CentralisedQuarantine || ph.FirstDay != "2022-02-09" || ph.LastDay != "2022-02-22" {
			t.Errorf("centralised phase: %+v", ph)
		}

		// A controlled zone over the same village: both kept, listed highest
		// tier first, and the sealed zone decides.
		controlled, err := s.app.DeclareRiskArea(s.ctx, s.account(cordon.RoleCommander, debao).Actor(),
			cordon.RiskArea{Tier: "controlled", Jurisdiction: fuji, Name: "福记村", Since: sealed.From})
		if err != nil {
			t.Fatal(err)
		}
		both := report(idNumber(debao, s.next()), xingningG, fuji, now.Add(-time.Hour), cordon.TravelStop{Place: fuji, From: "2022-02-04", To: "2022-02-07"})
		if v, err := s.app.ReportArrival(s.ctx, both, ""); err != nil || v.Tier != "sealed" || !slices.Equal(v.Areas, []int64{sealed.ID, controlled.ID}) {
			t.Fatalf("two areas over one stay: %+v %v", v.Trip, err)
		}

		// A stay that ended before the zone's first day does not count.
		early := report(idNumber(debao, s.next()), xingning, nanning, now.Add(-time.Hour),
			cordon.TravelStop{Place: fuji, From: "2022-01-28", To: "2022-02-02"})
		if v, err := s.app.ReportArrival(s.ctx, early, ""); err != nil || v.Population != cordon.ArrivalRiskCounty && v.Population != cordon.ArrivalOrdinary {
			t.Fatalf("a stay before the zone: %+v %v", v.Trip, err)
		} else if v.Population == cordon.ArrivalRiskCounty {
			t.Fatalf("a stay before the zone met its county: %+v", v.Trip)
		}

		// An ordinary arrival in Nanning owes a test within 24 h; overdue,
		// the code turns yellow, and the test taken turns it back.
		plain := report(idNumber(nanning, s.next()), xingningG, "440300", now.Add(-time.Hour))
		v, err = s.app.ReportArrival(s.ctx, plain, "")
		if err != nil {
			t.Fatal(err)
		}
		if v.Population != cordon.ArrivalOrdinary || len(v.Obligation) != 1 || v.Obligation[0].Kind != cordon.ObligationTest || !v.Obligation[0].Mandatory {
			t.Fatalf("ordinary arrival in Nanning: %+v", v.Trip)
		}
		person := v.PersonID
		if c, _ := s.app.HealthCode(s.ctx, nn, person, ""); c.Color != cordon.Green {
			t.Errorf("before the due time: %+v", c)
		}
		s.clock.Advance(24 * time.Hour)
		if c, _ := s.app.HealthCode(s.ctx, nn, person, ""); c.Color != cordon.Yellow || !slices.Contains(c.Reasons, cordon.ReasonYellowOther) {
			t.Errorf("overdue: %+v", c)
		}
		tasks, err := s.app.ArrivalTasks(s.ctx, gw, cordon.ObligationFilter{Overdue: true})
		if err != nil || len(tasks) != 1 || tasks[0].PersonID != person || !tasks[0].Overdue || tasks[0].Name == "" {
			t.Fatalf("Nanning's overdue list: %+v %v", tasks, err)
		}
		if tasks, _ := s.app.ArrivalTasks(s.ctx, s.account(cordon.RoleEpidemiologist, debao).Actor(), cordon.ObligationFilter{Overdue: true}); len(tasks) != 0 {
			t.Errorf("Debao sees Nanning's tasks: %+v", tasks)
		}
		p, err := s.app.Person(s.ctx, app.System, person, "")
		if err != nil {
			t.Fatal(err)
		}
		s.tested(p, "")
		if n, err := s.app.SettleObligations(s.ctx); err != nil || n != 1 {
			t.Fatalf("settle: %d %v", n, err)
		}
		if c, _ := s.app.HealthCode(s.ctx, nn, person, ""); c.Color != cordon.Green {
			t.Errorf("after the test: %+v", c)
		}
		if tasks, _ := s.app.ArrivalTasks(s.ctx, gw, cordon.ObligationFilter{Overdue: true}); len(tasks) != 0 {
			t.Errorf("still overdue after the test: %+v", tasks)
		}
		if n := len(s.audit(cordon.AuditFilter{Action: "obligation.list"})); n != 3 {
			t.Errorf("task-list reads audited %d times, want 3", n)
		}
	})
}

func TestArrivalsMergeAndRematch(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		arrivalSetup(t, s)
		now := s.clock.Now()
		worker := s.account(cordon.RoleEpidemiologist, nanning).Actor()
		xingningG := xingningC
		id := idNumber(baiseCounty, s.next())

		// A big-data list and the traveller's own report are one arrival.
		bd := report(id, xingningG, baiseCounty, now.Add(-3*time.Hour))
		bd.Channel = cordon.ChannelBigData
		first, err := s.app.RecordArrival(s.ctx, worker, bd)
		if err != nil {
			t.Fatal(err)
		}
		self := report(id, xingningG, baiseCounty, now.Add(-90*time.Minute), cordon.TravelStop{Place: "451022100", From: "2022-02-02", To: "2022-02-07"})
		second, err := s.app.ReportArrival(s.ctx, self, "")
		if err != nil {
			t.Fatal(err)
		}
		if second.Created || second.ID != first.ID || len(second.Sources) != 2 || len(second.Travel) != 2 {
			t.Fatalf("merged: %+v", second.Trip)
		}
		if second.Population != cordon.ArrivalOrdinary {
			t.Fatalf("before any area in 田东: %+v", second.Trip)
		}
		// 田东 gets a controlled zone whose look-back reaches the stay: the
		// rematch finds the arrival and gives it the zone's quarantine.
		boss := s.account(cordon.RoleCommander, baise).Actor()
		// It is declared now, but looks back to 02-05: "stayed there since".
		if _, err := s.app.DeclareRiskArea(s.ctx, boss, cordon.RiskArea{Tier: "controlled", Jurisdiction: "451022100", Name: "平马镇",
			Since: time.Date(2022, 2, 5, 0, 0, 0, 0, cordon.ChinaTime)}); err != nil {
			t.Fatal(err)
		}
		// A precaution zone over the same town without a look-back: the
		// stay, which ended yesterday, is not in it.
		if _, err := s.app.DeclareRiskArea(s.ctx, boss, cordon.RiskArea{Tier: "precaution", Jurisdiction: "451022100", Name: "平马镇防范区"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.app.DeclareRiskArea(s.ctx, boss, cordon.RiskArea{Tier: "precaution", Jurisdiction: "451022100", Name: "x",
			Since: time.Date(2022, 1, 1, 0, 0, 0, 0, cordon.ChinaTime)}); cordon.ErrorCode(err) != "riskarea.since_invalid" {
			t.Errorf("a look-back of more than 28 days: %v", err)
		}
		res, err := s.app.RematchArrivals(s.ctx)
		if err != nil || res.Stronger != 1 || res.Arrivals != 1 {
			t.Fatalf("rematch: %+v %v", res, err)
		}
		got, err := s.app.Arrival(s.ctx, worker, first.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if got.Population != cordon.ArrivalRiskArea || got.Tier != "controlled" || len(got.Areas) != 1 {
			t.Fatalf("after the rematch: %+v", got)
		}
		var open, superseded int
		for _, o := range got.Obligation {
			switch o.Status {
			case cordon.ObligationOpen:
				open++
			case cordon.ObligationSuperseded:
				superseded++
			}
		}
		if open != 1 || superseded != 1 {
			t.Errorf("obligations after the rematch: %+v", got.Obligation)
		}
		if res, _ := s.app.RematchArrivals(s.ctx); res.Stronger != 0 {
			t.Errorf("a second rematch changed %d arrivals", res.Stronger)
		}
		if got.IDNumber != id || got.Masked {
			t.Errorf("an epidemiologist reads the ID number in full: %q", got.IDNumber)
		}
		if n := len(s.audit(cordon.AuditFilter{Action: "arrival.read"})); n != 1 {
			t.Errorf("arrival reads audited %d times, want 1", n)
		}
	})
}

func TestArrivalsBadInput(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		arrivalSetup(t, s)
		now := s.clock.Now()
		debaoWorker := s.account(cordon.RoleEpidemiologist, debao).Actor()
		xingningG := xingningC
		good := report(idNumber(debao, s.next()), fuji, nanning, now.Add(-time.Hour))
		good.Channel = cordon.ChannelDoor
		for _, tc := range []struct {
			edit func(*cordon.TripReport)
			code string
		}{
			{func(r *cordon.TripReport) { r.IDNumber = "45102419900101123" }, "person.id_number_invalid"},
			{func(r *cordon.TripReport) { r.Destination = "451024999" }, "arrival.destination_unknown"},
			{func(r *cordon.TripReport) { r.Origin = "abc" }, "arrival.origin_invalid"},
			{func(r *cordon.TripReport) { r.ArrivedAt = now.Add(3 * time.Hour) }, "arrival.time_in_future"},
			{func(r *cordon.TripReport) {
				r.Travel = []cordon.TravelStop{{Place: fuji, From: "2022-02-07", To: "2022-02-01"}}
			}, "arrival.travel_days_invalid"},
			{func(r *cordon.TripReport) {
				r.Travel = []cordon.TravelStop{{Place: "451024999", From: "2022-02-01", To: "2022-02-02"}}
			}, "arrival.travel_place_unknown"},
			{func(r *cordon.TripReport) { r.Destination = xingningG }, "arrival.outside_jurisdiction"},
			{func(r *cordon.TripReport) { r.Channel = cordon.ChannelSelfReport }, "arrival.channel_invalid"},
		} {
			in := good
			tc.edit(&in)
			if _, err := s.app.RecordArrival(s.ctx, debaoWorker, in); cordon.ErrorCode(err) != tc.code {
				t.Errorf("%+v: %v, want %s", in, err, tc.code)
			}
		}
		if _, err := s.app.RecordArrival(s.ctx, debaoWorker, good); err != nil {
			t.Fatalf("the good report: %v", err)
		}
		if _, err := s.app.RecordArrival(s.ctx, s.account(cordon.RoleViewer, debao).Actor(), good); cordon.ErrorKind(err) != cordon.KindForbidden {
			t.Errorf("a viewer recording an arrival: %v", err)
		}
	})
}

func TestPassageJoinsArrival(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		arrivalSetup(t, s)
		admin := s.account(cordon.RoleAdmin, debao).Actor()
		cp, err := s.app.CreateCheckpoint(s.ctx, admin, cordon.CheckpointInput{Name: "G324 卡点", Kind: cordon.CheckpointCountyBorder, Jurisdiction: debao})
		if err != nil {
			t.Fatal(err)
		}
		p := s.person(livingAt(xingningC, xingningC))
		officer := s.account(cordon.RoleCheckpoint, debao).Actor()
		res, err := s.app.RecordPassage(s.ctx, officer, cp.ID, app.PassageInput{IDNumber: p.IDNumber, Direction: cordon.DirectionIn, Plate: "桂A12345"})
		if err != nil {
			t.Fatal(err)
		}
		if res.ArrivalID == 0 {
			t.Fatalf("an identified traveller passing in made no arrival: %+v", res)
		}
		got, err := s.app.Arrival(s.ctx, admin, res.ArrivalID, "")
		if err != nil {
			t.Fatal(err)
		}
		if got.Destination != debao || got.Origin != xingningC || got.Transport != "桂A12345" || got.Sources[0].Channel != cordon.ChannelCheckpoint {
			t.Errorf("arrival from a passage: %+v", got)
		}
	})
}

func TestImportArrivals(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		arrivalSetup(t, s)
		epi := s.account(cordon.RoleEpidemiologist, nanning).Actor()
		twice := idNumber(baiseCounty, s.next())
		sealedOne := idNumber(debao, s.next())
		csv := "姓名,证件号码,联系电话,目的地,抵达时间,出发地,旅居史,交通方式,来源渠道\n" +
			"韦一," + twice + ",13900000011,兴宁区,2022-02-07 18:00,田东县,,桂L12345,大数据推送\n" +
			"韦一," + twice + ",13900000011,南宁市兴宁区,2022-02-07 20:30,田东县,田东县 2022-02-03~2022-02-07,,车站\n" +
			"韦二," + sealedOne + ",,兴宁区,2022-02-07 10:00,德保县,德保县都安乡 2022-02-04~2022-02-06,,\n" +
			"韦三,45102419900101123,,兴宁区,2022-02-07 10:00,德保县,,,\n" +
			"韦四," + idNumber(debao, s.next()) + ",,不存在区,2022-02-07 10:00,德保县,,,\n" +
			"韦五," + idNumber(debao, s.next()) + ",,兴宁区,2022-02-07 10:00,火星,,,\n"
		job, err := s.app.StartImport(s.ctx, epi, "arrivals", app.ImportFile{Name: "大数据推送0207.csv", Format: "csv", Data: []byte(csv)})
		if err != nil {
			t.Fatal(err)
		}
		job = s.waitImport(epi, job.ID)
		if job.Stored != 3 || job.Failed != 3 {
			t.Fatalf("job: %+v", job)
		}
		errs := s.importErrors(epi, job.ID)
		want := map[int]string{5: "person.id_number_invalid", 6: "import.place_unknown", 7: "arrival.origin_unknown"}
		for _, e := range errs {
			if want[e.Line] != e.Code {
				t.Errorf("line %d: %s under %s, want %s", e.Line, e.Code, e.Column, want[e.Line])
			}
		}
		list, err := s.app.Arrivals(s.ctx, epi, cordon.ArrivalFilter{})
		if err != nil || len(list) != 2 {
			t.Fatalf("arrivals: %d %v", len(list), err)
		}
		for _, a := range list {
			switch a.IDNumber {
			case twice:
				if len(a.Sources) != 2 || a.Sources[1].Channel != cordon.ChannelStation || a.Transport != "桂L12345" {
					t.Errorf("the person twice in the list: %+v", a)
				}
			case sealedOne:
				if a.Population != cordon.ArrivalRiskArea || a.Tier != "sealed" {
					t.Errorf("from the sealed zone: %+v", a)
				}
			default:
				t.Errorf("unexpected arrival %+v", a)
			}
		}
		// The same file again adds no arrival: every row merges.
		job2, err := s.app.StartImport(s.ctx, epi, "arrivals", app.ImportFile{Name: "again.csv", Format: "csv", Data: []byte(csv)})
		if err != nil {
			t.Fatal(err)
		}
		s.waitImport(epi, job2.ID)
		if list, _ := s.app.Arrivals(s.ctx, epi, cordon.ArrivalFilter{}); len(list) != 2 {
			t.Errorf("after importing the file twice: %d arrivals", len(list))
		}
	})
}

// Nobody can report a trip in another person's name: a registered number
// needs its registered phone, and wrong phones lock the number out.
func TestArrivalSelfReportIdentity(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		arrivalSetup(t, s)
		p := s.person(livingAt(chengdong, chengdong))
		r := report(p.IDNumber, xingningC, fuji, s.clock.Now().Add(-time.Hour), cordon.TravelStop{Place: fuji, From: "2022-02-04", To: "2022-02-07"})
		r.Phone = "13700000000"
		for i := 0; i < 5; i++ {
			if _, err := s.app.ReportArrival(s.ctx, r, ""); cordon.ErrorCode(err) != "arrival.identity_mismatch" {
				t.Fatalf("try %d with another phone: %v", i, err)
			}
		}
		r.Phone = p.Phone
		if _, err := s.app.ReportArrival(s.ctx, r, ""); cordon.ErrorCode(err) != "healthcode.identity_locked" {
			t.Errorf("after five wrong phones: %v", err)
		}
		got, err := s.app.Person(s.ctx, app.System, p.ID, "")
		if err != nil || got.Current != chengdong {
			t.Errorf("the person was moved by reports in their name: %+v %v", got, err)
		}
		if orders, _ := s.app.PersonOrders(s.ctx, app.System, p.ID, ""); len(orders) != 0 {
			t.Errorf("orders made by reports in their name: %+v", orders)
		}
		s.clock.Advance(16 * time.Minute)
		if v, err := s.app.ReportArrival(s.ctx, r, ""); err != nil || v.PersonID != p.ID {
			t.Errorf("the traveller's own report: %+v %v", v.Trip, err)
		}
		r.Phone = ""
		if _, err := s.app.ReportArrival(s.ctx, r, ""); cordon.ErrorCode(err) != "arrival.phone_required" {
			t.Errorf("a report without a phone: %v", err)
		}
	})
}

// A report ahead of the trip moves nobody and owes nothing until the
// arrival is due; a stronger match then converts the weaker order.
func TestExpectedArrivalAndUpgrade(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		arrivalSetup(t, s)
		now := s.clock.Now()
		p := s.person(livingAt(xingningC, xingningC))
		// From 田东 (a Baise county with a case: home monitoring), due tomorrow.
		epi := s.account(cordon.RoleEpidemiologist, baise).Actor()
		if _, err := s.app.OpenCase(s.ctx, epi, cordon.CaseInput{PersonID: s.person(livingAt("451022100", "451022100")).ID,
			Classification: cordon.Confirmed, OnsetDate: "2022-02-06"}); err != nil {
			t.Fatal(err)
		}
		r := report(p.IDNumber, xingningC, "451022", now.Add(26*time.Hour), cordon.TravelStop{Place: "451022", From: "2022-02-05", To: "2022-02-09"})
		r.Phone = p.Phone
		v, err := s.app.ReportArrival(s.ctx, r, "")
		if err != nil {
			t.Fatal(err)
		}
		if v.Population != cordon.ArrivalCaseCity || len(v.Obligation) != 1 || v.Obligation[0].ID != 0 {
			t.Fatalf("the answer to a report ahead says what will be owed: %+v", v.Trip)
		}
		nn := s.account(cordon.RoleEpidemiologist, nanning).Actor()
		if orders, _ := s.app.PersonOrders(s.ctx, nn, p.ID, ""); len(orders) != 0 {
			t.Fatalf("an order before the trip: %+v", orders)
		}
		if c, _ := s.app.HealthCode(s.ctx, nn, p.ID, ""); c.Color != cordon.Green {
			t.Errorf("the code before the trip: %+v", c)
		}
		s.clock.Advance(27 * time.Hour)
		if res, err := s.app.RematchArrivals(s.ctx); err != nil || res.Stronger != 1 {
			t.Fatalf("the rematch once due: %+v %v", res, err)
		}
		orders, err := s.app.PersonOrders(s.ctx, nn, p.ID, "")
		if err != nil || len(orders) != 1 || orders[0].Population != cordon.PopulationCaseCityArrival {
			t.Fatalf("orders once arrived: %+v %v", orders, err)
		}
		// 田东's town becomes a controlled zone looking back over the stay:
		// the home monitoring is converted into centralised quarantine.
		boss := s.account(cordon.RoleCommander, baise).Actor()
		if _, err := s.app.DeclareRiskArea(s.ctx, boss, cordon.RiskArea{Tier: "controlled", Jurisdiction: "451022100", Name: "平马镇",
			Since: now.Add(-48 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		// The stay is at county level: the county rule (7 days centralised).
		if res, err := s.app.RematchArrivals(s.ctx); err != nil || res.Stronger != 1 {
			t.Fatalf("rematch after the zone: %+v %v", res, err)
		}
		orders, _ = s.app.PersonOrders(s.ctx, nn, p.ID, "")
		active, converted := 0, 0
		for _, o := range orders {
			switch o.Status {
			case cordon.OrderActive:
				active++
				if o.Population != cordon.PopulationRiskCountyArrival {
					t.Errorf("the active order: %+v", o)
				}
			case cordon.OrderConverted:
				converted++
			}
		}
		if active != 1 || converted != 1 {
			t.Errorf("after the upgrade: %d active, %d converted", active, converted)
		}
	})
}

// A staff report by person id reaches only people of the actor's subtree;
// a traveller identified at a checkpoint may be anyone, but a local coming
// home with no travel outside makes no arrival.
func TestArrivalScopeAndLocals(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		arrivalSetup(t, s)
		stranger := s.person(livingAt(xingningC, xingningC))
		worker := s.account(cordon.RoleEpidemiologist, debao).Actor()
		in := cordon.TripReport{PersonID: stranger.ID, Destination: fuji, Origin: nanning, ArrivedAt: s.clock.Now().Add(-time.Hour), Channel: cordon.ChannelDoor}
		if _, err := s.app.RecordArrival(s.ctx, worker, in); cordon.ErrorKind(err) != cordon.KindNotFound {
			t.Errorf("a Debao account moving a Nanning person by id: %v", err)
		}
		admin := s.account(cordon.RoleAdmin, debao).Actor()
		cp, err := s.app.CreateCheckpoint(s.ctx, admin, cordon.CheckpointInput{Name: "城关卡点", Kind: cordon.CheckpointRoad, Jurisdiction: debao})
		if err != nil {
			t.Fatal(err)
		}
		local := s.person(livingAt(chengdong, chengdong))
		res, err := s.app.RecordPassage(s.ctx, s.account(cordon.RoleCheckpoint, debao).Actor(), cp.ID, app.PassageInput{IDNumber: local.IDNumber, Direction: cordon.DirectionIn})
		if err != nil || res.Passage == nil || res.ArrivalID != 0 {
			t.Errorf("a local coming home: %+v %v", res, err)
		}
		// A station sampler records but does not read arrivals: the answer
		// leaves out the travel and the sources.
		station := report(idNumber(debao, s.next()), fuji, "440306", s.clock.Now().Add(-time.Hour), cordon.TravelStop{Place: "440306", From: "2022-02-01", To: "2022-02-07"})
		station.Channel = cordon.ChannelStation
		v, err := s.app.RecordArrival(s.ctx, s.sampler, station)
		if err != nil || v.ID == 0 || len(v.Travel) != 0 || len(v.Sources) != 0 || len(v.Obligation) != 1 {
			t.Errorf("a sampler's answer: %+v %v", v.Trip, err)
		}
	})
}

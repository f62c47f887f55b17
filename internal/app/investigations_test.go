package app_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"cordon"
	"cordon/internal/app"
	"cordon/internal/store"
)

// investigationSetup is a Debao case under investigation: a confirmed
// case with onset on 7 February, opened on the morning of the 8th, so that
// its window runs from 24 January to 8 February; a hotel registered in
// Debao and one in Nanning, which Debao's epidemiologists do not see.
type investigationSetup struct {
	*testingSetup
	epi       cordon.Actor
	c         cordon.Case
	member    cordon.Person // lives with the case
	hotel     cordon.Venue
	farHotel  cordon.Venue
	otherCase cordon.Case
}

func newInvestigationSetup(t *testing.T, s *testingSetup) *investigationSetup {
	t.Helper()
	is := &investigationSetup{testingSetup: s, epi: s.account(cordon.RoleEpidemiologist, debao).Actor()}
	var err error
	is.c, err = s.app.OpenCase(s.ctx, is.epi, cordon.CaseInput{PersonID: s.person(livingAt(debao, fuji)).ID, Classification: cordon.Confirmed, OnsetDate: "2022-02-07"})
	if err != nil {
		t.Fatal(err)
	}
	is.otherCase, err = s.app.OpenCase(s.ctx, is.epi, cordon.CaseInput{PersonID: s.person(livingAt(debao, fuji)).ID, Classification: cordon.Confirmed})
	if err != nil {
		t.Fatal(err)
	}
	is.member = s.person(livingAt(debao, fuji))
	is.hotel, err = s.app.CreateVenue(s.ctx, app.System, cordon.VenueInput{Name: "维也纳国际酒店(德保腾飞广场店)", Category: cordon.VenueHotel, Jurisdiction: debao})
	if err != nil {
		t.Fatal(err)
	}
	is.farHotel, err = s.app.CreateVenue(s.ctx, app.System, cordon.VenueInput{Name: "南宁某酒店", Category: cordon.VenueHotel, Jurisdiction: xingning})
	if err != nil {
		t.Fatal(err)
	}
	return is
}

// at is a time in Beijing.
func at(day, hm string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", day+" "+hm, cordon.ChinaTime)
	if err != nil {
		panic(err)
	}
	return t
}

// draft is a first draft of the investigation: the household, a symptom,
// a test, and three days of the itinerary.
func (is *investigationSetup) draft() cordon.Investigation {
	return cordon.Investigation{
		Investigators: "德保县疾控中心 李某、韦某",
		Occupation:    "司机",
		VaccineDoses:  2,
		Household: []cordon.HouseholdMember{
			{Name: is.member.Name, Relation: "配偶", IDNumber: is.member.IDNumber, Phone: "13900001111", Tested: true, PersonID: is.member.ID},
			{Name: "黄小某", Relation: "女儿", Age: 6},
		},
		Symptoms: []cordon.Symptom{{Code: "fever", Since: "2022-02-07"}},
		Tests:    []cordon.TestRecord{{Date: "2022-01-25", Place: "深圳市宝安区石岩街道", Result: "negative"}},
		Itinerary: []cordon.ItineraryEntry{
			// Given out of order: saved by time.
			{From: at("2022-01-29", "11:30"), To: at("2022-01-29", "14:00"), Place: "都安乡福记村", Activity: "宴席",
				Companions: []cordon.ItineraryCompanion{{Name: "韦某"}, {PersonID: is.member.ID}}},
			{From: at("2022-01-27", "08:00"), To: at("2022-01-27", "20:30"), Place: "广昆高速服务区", Jurisdiction: "440306",
				Transport: cordon.Transport{Mode: cordon.ModeCar, Vehicle: "桂l 12345"}},
			{From: at("2022-01-27", "20:00"), To: at("2022-01-28", "08:00"), VenueID: is.hotel.ID, Activity: "住宿"},
		},
		Exposures: []cordon.Exposure{{Kind: "risk_area", Date: "2022-01-26", Description: "自深圳市宝安区返回"}},
	}
}

func warningCodes(ws []cordon.Warning) map[string]int {
	out := map[string]int{}
	for _, w := range ws {
		out[w.Code]++
	}
	return out
}

func TestInvestigationDraftAndSubmit(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		is := newInvestigationSetup(t, s)
		ctx, epi, id := s.ctx, is.epi, is.c.ID

		// Before anything is saved: an empty draft with the window of the
		// policy in force, every day missing.
		_, inv, err := s.app.Investigation(ctx, epi, id, "流调")
		if err != nil {
			t.Fatal(err)
		}
		w := inv.Window
		if inv.Version != 0 || inv.Status != cordon.InvestigationDraft || w.Anchor != "2022-02-07" || w.AnchorKind != "onset" ||
			w.LookbackDays != 14 || w.From != "2022-01-24" || w.To != "2022-02-08" || w.Policy == "" {
			t.Fatalf("empty investigation: %+v", inv)
		}
		if n := warningCodes(inv.Warnings)[cordon.WarnDayMissing]; n != 16 {
			t.Errorf("%d days missing, want 16: %v", n, inv.Warnings)
		}

		// The first save creates it.
		in := is.draft()
		saved, err := s.app.SaveInvestigation(ctx, epi, id, in)
		if err != nil {
			t.Fatal(err)
		}
		if saved.Version != 1 || len(saved.Itinerary) != 3 || saved.UpdatedBy != epi.Username {
			t.Fatalf("saved: %+v", saved)
		}
		first, hotel := saved.Itinerary[0], saved.Itinerary[1]
		if first.Place != "广昆高速服务区" || first.Transport.Vehicle != "桂L·12345" || !first.From.Equal(at("2022-01-27", "08:00")) {
			t.Errorf("first entry: %+v", first)
		}
		if hotel.VenueID != is.hotel.ID || hotel.Place != is.hotel.Name || hotel.VenueName != is.hotel.Name {
			t.Errorf("the hotel entry takes the venue's name: %+v", hotel)
		}
		// The hotel night overlaps the drive home.
		if !slices.Contains(saved.Warnings, cordon.Warning{Code: cordon.WarnOverlap, Entry: 2, Other: 1}) {
			t.Errorf("overlap not warned: %v", saved.Warnings)
		}
		if n := warningCodes(saved.Warnings)[cordon.WarnDayMissing]; n != 13 {
			t.Errorf("%d days missing after three days of itinerary, want 13", n)
		}
		if saved.Household[0].IDNumber != is.member.IDNumber || saved.Household[0].Phone != "13900001111" {
			t.Errorf("the epidemiologist reads the household in full: %+v", saved.Household[0])
		}

		// The companion search reads the stays at venues.
		var visits []cordon.Visit
		err = s.db.Read(ctx, func(tx *store.Tx) error {
			visits, err = tx.InvestigationVisits(ctx, id)
			return err
		})
		if err != nil || len(visits) != 1 || visits[0].VenueID != is.hotel.ID || !visits[0].From.Equal(at("2022-01-27", "20:00")) ||
			!visits[0].To.Equal(at("2022-01-28", "08:00")) {
			t.Errorf("InvestigationVisits: %+v %v", visits, err)
		}

		// Saving from the version read before is a conflict.
		if _, err := s.app.SaveInvestigation(ctx, epi, id, in); cordon.ErrorCode(err) != "investigation.changed" {
			t.Errorf("a stale save: %v", err)
		}

		// Submitting now: the days not covered and the missing source.
		_, err = s.app.SubmitInvestigation(ctx, epi, id, saved.Version, "")
		e, ok := err.(*cordon.Error)
		if !ok || e.Code != "investigation.incomplete" || e.Fields["itinerary.day.2022-01-24"] != cordon.WarnDayMissing ||
			e.Fields["source.kind"] != "source.required" || e.Fields["itinerary.day.2022-01-27"] != "" {
			t.Fatalf("an incomplete submission: %v %+v", err, e)
		}

		// The rest of the days at home: the trajectory can go.
		next := saved
		for _, d := range w.Days() {
			if d < "2022-01-27" || d > "2022-01-29" {
				next.HomeDays = append(next.HomeDays, d)
			}
		}
		next.HomeDays = append(next.HomeDays, "2022-01-28") // the morning at the hotel, then home
		saved, err = s.app.SaveInvestigation(ctx, epi, id, next)
		if err != nil {
			t.Fatal(err)
		}
		if len(saved.Warnings) != 1 || saved.Warnings[0].Code != cordon.WarnOverlap {
			t.Errorf("warnings of a whole itinerary: %v", saved.Warnings)
		}
		sub, err := s.app.SubmitInvestigation(ctx, epi, id, saved.Version, cordon.PartTrajectory)
		if err != nil {
			t.Fatal(err)
		}
		if sub.Status != cordon.InvestigationDraft || sub.TrajectoryAt.IsZero() || sub.Version != saved.Version+1 {
			t.Errorf("after the trajectory: %+v", sub)
		}
		c, err := s.app.Case(ctx, epi, id, "")
		if err != nil || c.TrajectoryAt.IsZero() || !c.InitialAt.IsZero() {
			t.Errorf("the trajectory clock: %+v %v", c, err)
		}

		// The report still needs a source.
		if _, err := s.app.SubmitInvestigation(ctx, epi, id, sub.Version, cordon.PartReport); cordon.ErrorCode(err) != "investigation.incomplete" {
			t.Errorf("a report without a source: %v", err)
		}
		sub.Source = cordon.Source{Kind: cordon.SourceCase, CaseID: is.otherCase.ID, Reasoning: "1月29日同桌共餐"}
		saved, err = s.app.SaveInvestigation(ctx, epi, id, sub)
		if err != nil {
			t.Fatal(err)
		}
		s.clock.Advance(time.Hour)
		sub, err = s.app.SubmitInvestigation(ctx, epi, id, saved.Version, cordon.PartReport)
		if err != nil {
			t.Fatal(err)
		}
		if sub.Status != cordon.InvestigationSubmitted || sub.SubmittedBy != epi.Username || sub.SubmittedAt.IsZero() || sub.Source.CaseID != is.otherCase.ID {
			t.Errorf("submitted: %+v", sub)
		}
		c, err = s.app.Case(ctx, epi, id, "")
		if err != nil || c.InitialAt.IsZero() || !c.TrajectoryAt.Before(c.InitialAt) {
			t.Errorf("the initial-report clock: %+v %v", c, err)
		}

		// An amendment keeps it submitted, and complete.
		amend := sub
		amend.Source = cordon.Source{}
		if _, err := s.app.SaveInvestigation(ctx, epi, id, amend); cordon.ErrorCode(err) != "investigation.incomplete" {
			t.Errorf("an amendment dropping the source: %v", err)
		}
		amend = sub
		amend.Workplace = "德保县某物流公司"
		amended, err := s.app.SaveInvestigation(ctx, epi, id, amend)
		if err != nil || amended.Status != cordon.InvestigationSubmitted || amended.Workplace != "德保县某物流公司" {
			t.Errorf("amended: %+v %v", amended, err)
		}
		for _, action := range []string{"investigation.read", "investigation.save", "investigation.submit", "investigation.amend"} {
			if len(s.audit(cordon.AuditFilter{Action: action})) == 0 {
				t.Errorf("no %s in the audit log", action)
			}
		}

		// The report is a PDF, and generating it is an audited read.
		pdf, err := s.app.InvestigationReport(ctx, epi, id, "")
		if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Errorf("report: %.20q %v", pdf, err)
		}
		if len(s.audit(cordon.AuditFilter{Action: "investigation.report"})) != 1 {
			t.Error("the report is not audited")
		}
	})
}

// What cannot be right is refused with the field at fault, and nothing is
// written; references must exist in the actor's jurisdiction.
func TestInvestigationRefusals(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		is := newInvestigationSetup(t, s)
		ctx, epi, id := s.ctx, is.epi, is.c.ID
		cases := []struct {
			name  string
			edit  func(*cordon.Investigation)
			field string
			code  string
		}{
			{"future", func(in *cordon.Investigation) { in.Itinerary[0].To = s.clock.Now().Add(time.Hour) }, "itinerary.1.to", "itinerary.future"},
			{"to before from", func(in *cordon.Investigation) { in.Itinerary[1].To = in.Itinerary[1].From.Add(-time.Minute) }, "itinerary.2.to", "itinerary.order"},
			{"no time", func(in *cordon.Investigation) { in.Itinerary[0].From = time.Time{} }, "itinerary.1.from", "itinerary.time_required"},
			{"no place", func(in *cordon.Investigation) { in.Itinerary[0].Place = " " }, "itinerary.1.place", "itinerary.place_required"},
			{"mode", func(in *cordon.Investigation) { in.Itinerary[1].Transport.Mode = "horse" }, "itinerary.2.transport.mode", "itinerary.mode_invalid"},
			{"unknown venue", func(in *cordon.Investigation) { in.Itinerary[2].VenueID = 999999 }, "itinerary.3.venue_id", "itinerary.venue_not_found"},
			{"venue not visible", func(in *cordon.Investigation) { in.Itinerary[2].VenueID = is.farHotel.ID }, "itinerary.3.venue_id", "itinerary.venue_not_found"},
			{"jurisdiction", func(in *cordon.Investigation) { in.Itinerary[1].Jurisdiction = "459999" }, "itinerary.2.jurisdiction", "jurisdiction.unknown"},
			{"id number", func(in *cordon.Investigation) { in.Household[0].IDNumber = "451024199001011230" }, "household.1.id_number", "investigation.id_number_invalid"},
			{"phone", func(in *cordon.Investigation) { in.Household[1].Phone = "call me" }, "household.2.phone", "investigation.phone_invalid"},
			{"person", func(in *cordon.Investigation) { in.Household[1].PersonID = 999999 }, "household.2.person_id", "person.not_found"},
			{"markup", func(in *cordon.Investigation) { in.Workplace = "<b>厂</b>" }, "workplace", "investigation.text_invalid"},
			{"symptom", func(in *cordon.Investigation) { in.Symptoms[0].Code = "sneezing" }, "symptoms.1.code", "investigation.symptom_invalid"},
			{"test result", func(in *cordon.Investigation) { in.Tests[0].Result = "maybe" }, "tests.1.result", "investigation.result_invalid"},
			{"self source", func(in *cordon.Investigation) { in.Source = cordon.Source{Kind: cordon.SourceCase, CaseID: id} }, "source.case_id", "source.case_self"},
			{"source kind", func(in *cordon.Investigation) { in.Source = cordon.Source{Kind: "bats"} }, "source.kind", "source.kind_invalid"},
			{"exposure case", func(in *cordon.Investigation) { in.Exposures[0].CaseID = 999999 }, "exposures.1.case_id", "case.not_found"},
			{"home day", func(in *cordon.Investigation) { in.HomeDays = []string{"2022-02-30"} }, "home_days", "investigation.date_invalid"},
		}
		for _, c := range cases {
			in := is.draft()
			c.edit(&in)
			_, err := s.app.SaveInvestigation(ctx, epi, id, in)
			e, ok := err.(*cordon.Error)
			if !ok || e.Kind != cordon.KindInvalid || e.Fields[c.field] != c.code {
				t.Errorf("%s: %v, want %s at %s", c.name, err, c.code, c.field)
			}
		}
		_, inv, err := s.app.Investigation(ctx, epi, id, "")
		if err != nil || inv.Version != 0 || len(inv.Itinerary) != 0 {
			t.Errorf("something was written: %+v %v", inv, err)
		}

		// Warned, not refused: an entry before the window, an odd plate.
		in := is.draft()
		in.Itinerary = append(in.Itinerary, cordon.ItineraryEntry{From: at("2022-01-10", "09:00"), To: at("2022-01-10", "10:00"), Place: "深圳",
			Transport: cordon.Transport{Mode: cordon.ModeTrain, Vehicle: "车次不记得"}})
		saved, err := s.app.SaveInvestigation(ctx, epi, id, in)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(saved.Warnings, cordon.Warning{Code: cordon.WarnOutsideWindow, Entry: 1}) ||
			!slices.Contains(saved.Warnings, cordon.Warning{Code: cordon.WarnVehicleUnusual, Entry: 1}) {
			t.Errorf("warnings: %v", saved.Warnings)
		}
		if _, err := s.app.SubmitInvestigation(ctx, epi, id, saved.Version, "everything"); cordon.ErrorCode(err) != "investigation.part_invalid" {
			t.Errorf("unknown part: %v", err)
		}
		if _, err := s.app.SubmitInvestigation(ctx, epi, id, 0, ""); cordon.ErrorCode(err) != "investigation.version_required" {
			t.Errorf("no version: %v", err)
		}
	})
}

// A commander reads the investigation with the household masked and may
// not change it; another city does not see it; a grid worker may not read
// investigations at all.
func TestInvestigationAccess(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		is := newInvestigationSetup(t, s)
		ctx, id := s.ctx, is.c.ID
		saved, err := s.app.SaveInvestigation(ctx, is.epi, id, is.draft())
		if err != nil {
			t.Fatal(err)
		}
		cmd := s.account(cordon.RoleCommander, baise).Actor()
		_, inv, err := s.app.Investigation(ctx, cmd, id, "")
		if err != nil {
			t.Fatal(err)
		}
		m := inv.Household[0]
		if !inv.Masked || m.IDNumber != cordon.MaskDocNumber(is.member.IDNumber) || !strings.Contains(m.Phone, "*") || m.Name != is.member.Name {
			t.Errorf("the commander's household: %+v", m)
		}
		pdf, err := s.app.InvestigationReport(ctx, cmd, id, "")
		if err != nil || bytes.Contains(pdf, []byte(is.member.IDNumber)) {
			t.Errorf("the commander's report: %v", err)
		}
		if _, err := s.app.SaveInvestigation(ctx, cmd, id, saved); cordon.ErrorKind(err) != cordon.KindForbidden {
			t.Errorf("a commander saving: %v", err)
		}
		if _, err := s.app.SubmitInvestigation(ctx, cmd, id, saved.Version, ""); cordon.ErrorKind(err) != cordon.KindForbidden {
			t.Errorf("a commander submitting: %v", err)
		}
		nn := s.account(cordon.RoleEpidemiologist, nanning).Actor()
		if _, _, err := s.app.Investigation(ctx, nn, id, ""); cordon.ErrorKind(err) != cordon.KindNotFound {
			t.Errorf("Nanning reading: %v", err)
		}
		if _, err := s.app.SaveInvestigation(ctx, nn, id, saved); cordon.ErrorKind(err) != cordon.KindNotFound {
			t.Errorf("Nanning saving: %v", err)
		}
		gw := s.account(cordon.RoleGridWorker, s.grid.Code).Actor()
		if _, _, err := s.app.Investigation(ctx, gw, id, ""); cordon.ErrorKind(err) != cordon.KindForbidden {
			t.Errorf("a grid worker reading: %v", err)
		}

		// An epidemiologist who saves a form filled from a masked read
		// keeps the numbers stored.
		masked := inv
		masked.Occupation = "货车司机"
		again, err := s.app.SaveInvestigation(ctx, is.epi, id, masked)
		if err != nil || again.Household[0].IDNumber != is.member.IDNumber || again.Household[0].Phone != "13900001111" {
			t.Errorf("masked numbers sent back: %+v %v", again.Household, err)
		}
	})
}

package app_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"cordon"
	"cordon/internal/app"
	"cordon/internal/store"
)

// venue registers a venue in a jurisdiction as the system.
func (s *testingSetup) venue(name string, cat cordon.VenueCategory, where string) cordon.Venue {
	s.tb.Helper()
	v, err := s.app.CreateVenue(s.ctx, app.System, cordon.VenueInput{Name: name, Category: cat, Jurisdiction: where})
	if err != nil {
		s.tb.Fatalf("CreateVenue: %v", err)
	}
	return v
}

func TestVenueCodes(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		grid := s.account(cordon.RoleAdmin, debao).Actor()
		lat, lng := 23.32, 106.62
		v, err := s.app.CreateVenue(s.ctx, grid, cordon.VenueInput{Name: "德保县城东农贸市场", Category: cordon.VenueMarket,
			Jurisdiction: debao, Address: "城关镇", Lat: &lat, Lng: &lng, ContactName: "黄经理", ContactPhone: "13907760001"})
		if err != nil {
			t.Fatal(err)
		}
		if v.ContactPhone != "13907760001" || !strings.HasPrefix(v.Code, "CV1.") || v.CodeSerial != 1 {
			t.Errorf("venue: %+v", v)
		}
		id, serial, err := cordon.OpenVenueCode(s.app.VenueCodeKey(), "https://cordon.example/s/"+v.Code)
		if err != nil || id != v.ID || serial != 1 {
			t.Fatalf("code opens to %d/%d %v", id, serial, err)
		}
		// A code changed in one character, or signed with another key, is forged.
		forged := v.Code[:len(v.Code)-3] + "AAA"
		if _, _, err := cordon.OpenVenueCode(s.app.VenueCodeKey(), forged); cordon.ErrorCode(err) != "scanin.venue_code_invalid" {
			t.Errorf("forged code: %v", err)
		}
		// Outside the subtree: refused; out of China: refused.
		_, err = s.app.CreateVenue(s.ctx, grid, cordon.VenueInput{Name: "南宁站", Category: cordon.VenueStation, Jurisdiction: "450102"})
		wantError(t, err, cordon.KindForbidden, "jurisdiction.outside_scope")
		far := 10.0
		_, err = s.app.CreateVenue(s.ctx, grid, cordon.VenueInput{Name: "X", Category: cordon.VenueMall, Jurisdiction: debao, Lat: &far, Lng: &far})
		wantError(t, err, cordon.KindInvalid, "venue.coordinates_invalid")
		// A commander reads the phone masked.
		cmd := s.account(cordon.RoleCommander, baise).Actor()
		got, err := s.app.Venue(s.ctx, cmd, v.ID)
		if err != nil || got.ContactPhone == "13907760001" {
			t.Errorf("commander sees %q %v", got.ContactPhone, err)
		}
		// A city administrator's change that leaves out the jurisdiction
		// keeps the venue in its county.
		city := s.account(cordon.RoleAdmin, baise).Actor()
		moved, err := s.app.UpdateVenue(s.ctx, city, v.ID, cordon.VenueInput{Name: v.Name + "（东门）", Category: v.Category, Version: v.Version})
		if err != nil || moved.Jurisdiction != debao {
			t.Fatalf("update without jurisdiction: %+v %v", moved, err)
		}
		v = moved
		// Reissuing revokes the printed code.
		nv, err := s.app.ReissueVenueCode(s.ctx, grid, v.ID, "海报被复制")
		if err != nil || nv.CodeSerial != 2 || nv.Code == v.Code {
			t.Fatalf("reissue: %+v %v", nv, err)
		}
		p := s.person(livingAt(debao, debao), withPhone("13912345678"))
		_, err = s.app.ScanInPublic(s.ctx, app.PublicScanInput{Code: v.Code, IDNumber: p.IDNumber, Phone: "13912345678"})
		wantError(t, err, cordon.KindInvalid, "scanin.venue_code_revoked")
		res, err := s.app.ScanInPublic(s.ctx, app.PublicScanInput{Code: nv.Code, IDNumber: p.IDNumber, Phone: "13912345678"})
		if err != nil || res.Venue != v.Name || res.Again || strings.Contains(res.Name, p.Name[len(p.Name)-3:]) && len([]rune(p.Name)) == 2 {
			t.Fatalf("public scan: %+v %v", res, err)
		}
		// The same scan in the same second is the same scan-in.
		res, err = s.app.ScanInPublic(s.ctx, app.PublicScanInput{Code: nv.Code, IDNumber: p.IDNumber, Phone: "13912345678"})
		if err != nil || !res.Again {
			t.Errorf("public scan again: %+v %v", res, err)
		}
		// A wrong phone reads exactly like an unknown person.
		_, err = s.app.ScanInPublic(s.ctx, app.PublicScanInput{Code: nv.Code, IDNumber: p.IDNumber, Phone: "13912345679"})
		wantError(t, err, cordon.KindNotFound, "scanin.identity_unknown")
		_, err = s.app.ScanInPublic(s.ctx, app.PublicScanInput{Code: nv.Code, IDNumber: idNumber("451024", 999), Phone: "13912345678"})
		wantError(t, err, cordon.KindNotFound, "scanin.identity_unknown")
		_, err = s.app.ScanInPublic(s.ctx, app.PublicScanInput{Code: nv.Code, IDNumber: "451024199001011234", Phone: "13912345678"})
		wantError(t, err, cordon.KindInvalid, "person.id_number_invalid")
		scans, err := s.app.Itinerary(s.ctx, app.System, p.ID, outbreakStart.Add(-time.Hour), outbreakStart.Add(time.Hour))
		if err != nil || len(scans) != 1 || scans[0].Source != cordon.ScanByPerson || scans[0].VenueID != v.ID {
			t.Errorf("itinerary: %+v %v", scans, err)
		}
	})
}

// A bulk batch: each item is answered alone, bad ones are rejected with
// their codes, good ones stored once, and a resend answers replayed.
func TestRecordScanIns(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		dev := s.account(cordon.RoleCheckpoint, debao).Actor()
		hotel := s.venue("德保县某酒店", cordon.VenueHotel, debao)
		nanning := s.venue("南宁东站", cordon.VenueStation, "450102")
		closed := s.venue("停业网吧", cordon.VenueEntertainment, debao)
		inactive := false
		if _, err := s.app.UpdateVenue(s.ctx, app.System, closed.ID, cordon.VenueInput{Name: closed.Name, Category: closed.Category, Jurisdiction: debao, Active: &inactive, Version: closed.Version}); err != nil {
			t.Fatal(err)
		}
		a := s.person(livingAt(debao, debao))
		b := s.person(livingAt(debao, debao))
		now := outbreakStart
		items := []app.ScanInItem{
			{VenueCode: hotel.Code, PersonID: a.ID, At: now.Add(-2 * time.Hour), Leave: now.Add(-time.Hour)},
			{VenueID: hotel.ID, IDNumber: b.IDNumber, At: now.Add(-90 * time.Minute), Source: cordon.ScanReverse},
			{VenueCode: hotel.Code + "x", PersonID: a.ID, At: now},
			{VenueID: nanning.ID, PersonID: a.ID, At: now},
			{VenueID: hotel.ID, PersonID: a.ID, At: now.Add(time.Hour)},
			{VenueID: hotel.ID, PersonID: 99999999, At: now},
			{VenueID: hotel.ID, PersonID: a.ID, At: now.Add(-time.Hour), Leave: now.Add(-2 * time.Hour)},
			{VenueID: closed.ID, PersonID: a.ID, At: now},
			{VenueID: hotel.ID, PersonID: a.ID, At: now.AddDate(0, 0, -40)},
			{VenueID: hotel.ID, IDNumber: idNumber("451024", 777), At: now},
			{VenueCode: hotel.Code, PersonID: a.ID, At: now.Add(-2 * time.Hour), Leave: now.Add(-time.Hour)}, // the first, twice
		}
		sum, err := s.app.RecordScanIns(s.ctx, dev, "dev-1/1", items)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"stored", "stored", "scanin.venue_code_invalid", "scanin.venue_unknown", "scanin.time_future",
			"scanin.person_unknown", "scanin.leave_before_entry", "scanin.venue_closed", "scanin.time_too_old", "scanin.person_unknown", "stored"}
		check := func(sum app.ScanInSummary, want []string) {
			t.Helper()
			for i, w := range want {
				got := sum.Results[i].Status
				if got == "rejected" {
					got = sum.Results[i].Code
				}
				if got != w {
					t.Errorf("item %d: %s, want %s", i, got, w)
				}
			}
		}
		check(sum, want)
		if sum.Stored != 3 || sum.Replayed != 0 || sum.Rejected != 8 {
			t.Errorf("summary %+v", sum)
		}
		// Sent again under its key (the answer was lost): the good items
		// answer replayed and nothing is stored twice.
		sum, err = s.app.RecordScanIns(s.ctx, dev, "dev-1/1", items)
		if err != nil || sum.Replayed != 3 || sum.Stored != 0 || sum.Rejected != 8 {
			t.Errorf("resend: %+v %v", sum, err)
		}
		// A later batch brings b's check-out.
		late := items[1]
		late.Leave = now.Add(-30 * time.Minute)
		if sum, err = s.app.RecordScanIns(s.ctx, dev, "dev-1/2", []app.ScanInItem{late}); err != nil || sum.Stored != 1 {
			t.Fatalf("check-out: %+v %v", sum, err)
		}
		for _, moved := range []bool{false, true} {
			if moved {
				if _, err := s.db.CompactScanIns(s.ctx); err != nil {
					t.Fatal(err)
				}
			}
			scans, err := s.app.Itinerary(s.ctx, app.System, b.ID, now.Add(-3*time.Hour), now)
			if err != nil || len(scans) != 1 || !scans[0].Leave.Equal(now.Add(-30*time.Minute)) || scans[0].Source != cordon.ScanReverse {
				t.Errorf("b's itinerary (compacted %v): %+v %v", moved, scans, err)
			}
			scans, err = s.app.Itinerary(s.ctx, app.System, a.ID, now.Add(-3*time.Hour), now)
			if err != nil || len(scans) != 1 || !scans[0].Leave.Equal(now.Add(-time.Hour)) {
				t.Errorf("a's itinerary (compacted %v): %+v %v", moved, scans, err)
			}
		}
		// A person merged into another takes no more scan-ins, though
		// known as live a moment before.
		dup := s.person(livingAt(debao, debao))
		if sum, err := s.app.RecordScanIns(s.ctx, dev, "", []app.ScanInItem{{VenueID: hotel.ID, PersonID: dup.ID, At: now.Add(-5 * time.Minute)}}); err != nil || sum.Stored != 1 {
			t.Fatalf("before the merge: %+v %v", sum, err)
		}
		if err := s.app.MergePersons(s.ctx, app.System, a.ID, dup.ID, "同一人"); err != nil {
			t.Fatal(err)
		}
		sum, err = s.app.RecordScanIns(s.ctx, dev, "", []app.ScanInItem{{VenueID: hotel.ID, PersonID: dup.ID, At: now.Add(-4 * time.Minute)}})
		if err != nil || sum.Rejected != 1 || sum.Results[0].Code != "scanin.person_unknown" {
			t.Errorf("after the merge: %+v %v", sum, err)
		}
		// Roles without the permission cannot send scan-ins.
		_, err = s.app.RecordScanIns(s.ctx, s.account(cordon.RoleViewer, debao).Actor(), "", items[:1])
		wantError(t, err, cordon.KindForbidden, "auth.forbidden")
		big := make([]app.ScanInItem, app.MaxScanInBatch+1)
		_, err = s.app.RecordScanIns(s.ctx, dev, "", big)
		wantError(t, err, cordon.KindTooLarge, "scanin.batch_too_large")
	})
}

// The companions of a case: overlapping stays at the same venue during the
// infectious window, ranked by overlap, with the default dwell where
// nobody checked out and intervals half open.
func TestCompanionSearch(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		dev := s.account(cordon.RoleCheckpoint, debao).Actor()
		epi := s.account(cordon.RoleEpidemiologist, debao).Actor()
		hotel := s.venue("德保县某酒店", cordon.VenueHotel, debao)
		area := s.venue("G7512 服务区", cordon.VenueServiceArea, debao)
		idx := s.person(livingAt(debao, debao), named("黄某"))
		long := s.person(livingAt(debao, debao), named("甲"))
		short := s.person(livingAt(debao, debao), named("乙"))
		touch := s.person(livingAt(debao, debao), named("丙"))
		early := s.person(livingAt(debao, debao), named("丁"))
		other := s.person(livingAt(debao, debao), named("戊"))
		day := time.Date(2022, 2, 5, 0, 0, 0, 0, cordon.ChinaTime)
		at := func(h, m int) time.Time { return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
		items := []app.ScanInItem{
			// The case: the hotel 19:00–21:00, the service area 14:00 (no check-out: 60 min dwell).
			{VenueID: hotel.ID, PersonID: idx.ID, At: at(19, 0), Leave: at(21, 0)},
			{VenueID: area.ID, PersonID: idx.ID, At: at(14, 0)},
			// 甲: the whole evening at the hotel, and the service area at 14:30 (30 min overlap).
			{VenueID: hotel.ID, PersonID: long.ID, At: at(18, 0), Leave: at(23, 0)},
			{VenueID: area.ID, PersonID: long.ID, At: at(14, 30)},
			// 乙: 5 minutes at the hotel: under the 10-minute minimum.
			{VenueID: hotel.ID, PersonID: short.ID, At: at(20, 55), Leave: at(21, 30)},
			// 丙: left the hotel exactly when the case came: half-open, no overlap.
			{VenueID: hotel.ID, PersonID: touch.ID, At: at(17, 0), Leave: at(19, 0)},
			// 丁: at the service area at 12:50, no check-out: 60 min dwell ends 13:50.
			{VenueID: area.ID, PersonID: early.ID, At: at(12, 50)},
			// 戊: another day at the hotel.
			{VenueID: hotel.ID, PersonID: other.ID, At: at(19, 0).AddDate(0, 0, 1)},
		}
		if sum, err := s.app.RecordScanIns(s.ctx, dev, "", items); err != nil || sum.Stored != len(items) {
			t.Fatalf("scan-ins: %+v %v", sum, err)
		}
		c, err := s.app.OpenCase(s.ctx, epi, cordon.CaseInput{PersonID: idx.ID, Classification: cordon.Confirmed, OnsetDate: "2022-02-07", SamplingDate: "2022-02-07"})
		if err != nil {
			t.Fatal(err)
		}
		res, err := s.app.Companions(s.ctx, epi, app.CompanionQuery{CaseID: c.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Itinerary) != 2 || res.Edition != "cn-8" || res.From.Format(time.DateOnly) != "2022-02-05" {
			t.Errorf("itinerary %+v from %s edition %s", res.Itinerary, res.From, res.Edition)
		}
		if len(res.Companions) != 1 || res.Companions[0].PersonID != long.ID || res.Companions[0].Seconds != int64((2*time.Hour+30*time.Minute)/time.Second) || len(res.Companions[0].Stays) != 2 {
			t.Fatalf("companions: %+v", res.Companions)
		}
		// A 2-minute minimum takes in 乙; a 15-minute buffer takes in 丙 and 丁.
		two, fifteen := 2, 15
		res, _ = s.app.Companions(s.ctx, epi, app.CompanionQuery{CaseID: c.ID, MinOverlapMinutes: &two})
		if len(res.Companions) != 2 || res.Companions[1].PersonID != short.ID {
			t.Errorf("min overlap 2: %+v", res.Companions)
		}
		res, _ = s.app.Companions(s.ctx, epi, app.CompanionQuery{CaseID: c.ID, BufferMinutes: &fifteen})
		if len(res.Companions) != 3 {
			t.Errorf("buffer 15: %+v", res.Companions)
		}
		// Under cn-9 (4-day window) the window starts on 2 February;
		// Guangxi's returnee rules also say 4 days.
		if err := s.app.SetPolicy(s.ctx, app.System, cordon.PolicyAssignment{Jurisdiction: "450000", From: "2022-01-18", Edition: "gx-2022-01"}); err != nil {
			t.Fatal(err)
		}
		res, _ = s.app.Companions(s.ctx, epi, app.CompanionQuery{CaseID: c.ID})
		if res.Edition != "gx-2022-01" || res.From.Format(time.DateOnly) != "2022-02-03" {
			t.Errorf("gx window from %s (%s)", res.From, res.Edition)
		}
		// Identity numbers are masked for a commander; the search is audited.
		s.account(cordon.RoleCommander, debao)
		found := s.audit(cordon.AuditFilter{Action: "companion.search"})
		if len(found) == 0 || !strings.Contains(found[0].Detail, "persons") {
			t.Errorf("audit: %+v", found)
		}
		// One action turns the companion into a close contact of the case,
		// with the overlap as the exposure; a non-companion cannot be.
		res0, err := s.app.CompanionToContact(s.ctx, epi, c.ID, long.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !res0.Created || res0.Kind != cordon.CloseContact || res0.PersonID != long.ID || len(res0.Exposures) != 1 ||
			res0.Exposures[0].Situation != cordon.SituationCompanion || res0.Exposures[0].VenueID != hotel.ID {
			t.Errorf("companion → contact: %+v", res0)
		}
		_, err = s.app.CompanionToContact(s.ctx, epi, c.ID, other.ID)
		wantError(t, err, cordon.KindNotFound, "companion.not_found")
		// The search now says who is a contact of the case already.
		if res, _ := s.app.Companions(s.ctx, epi, app.CompanionQuery{CaseID: c.ID}); len(res.Companions) == 0 || res.Companions[0].ContactID != res0.ID {
			t.Errorf("the companion made a contact: %+v", res.Companions)
		}
		// An explicit itinerary (from an investigation).
		res, err = s.app.Companions(s.ctx, epi, app.CompanionQuery{Visits: []cordon.Visit{{VenueID: hotel.ID, From: at(19, 0).AddDate(0, 0, 1)}}})
		if err != nil || len(res.Companions) != 1 || res.Companions[0].PersonID != other.ID {
			t.Errorf("explicit itinerary: %+v %v", res.Companions, err)
		}
		_, err = s.app.Companions(s.ctx, epi, app.CompanionQuery{Visits: []cordon.Visit{{VenueID: hotel.ID, From: at(19, 0).AddDate(1, 0, 0)}}})
		wantError(t, err, cordon.KindInvalid, "companion.visit_invalid")
	})
}

// Scan-ins older than the retention period go, unless an exposure holds them.
func TestPurgeScanIns(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		dev := s.account(cordon.RoleCheckpoint, debao).Actor()
		hotel := s.venue("德保县某酒店", cordon.VenueHotel, debao)
		nanning := s.venue("南宁东站", cordon.VenueStation, "450102")
		p := s.person(livingAt(debao, debao))
		q := s.person(livingAt(debao, debao))
		start := outbreakStart
		_, err := s.app.RecordScanIns(s.ctx, app.System, "", []app.ScanInItem{
			{VenueID: hotel.ID, PersonID: p.ID, At: start.Add(-time.Hour)},
			{VenueID: hotel.ID, PersonID: q.ID, At: start.Add(-time.Hour)},
			{VenueID: nanning.ID, PersonID: p.ID, At: start.Add(-time.Hour)},
		})
		if err != nil {
			t.Fatal(err)
		}
		_ = dev
		// Nanning keeps scan-ins 60 days.
		if err := s.app.SetPolicy(s.ctx, app.System, cordon.PolicyAssignment{Jurisdiction: "450100", From: "2022-01-01",
			Overrides: map[string]json.RawMessage{"scan_ins.retention_days": json.RawMessage("60")}}); err != nil {
			t.Fatal(err)
		}
		if err := s.db.Transact(s.ctx, func(tx *store.Tx) error {
			return tx.HoldScanIns(s.ctx, "exposure", cordon.ScanIn{VenueID: hotel.ID, PersonID: q.ID, At: start.Add(-time.Hour)})
		}); err != nil {
			t.Fatal(err)
		}
		s.clock.Advance(27 * 24 * time.Hour)
		if n, err := s.app.PurgeScanIns(s.ctx); err != nil || n != 0 {
			t.Fatalf("purge after 27 days: %d %v", n, err)
		}
		s.clock.Advance(2 * 24 * time.Hour)
		if n, err := s.app.PurgeScanIns(s.ctx); err != nil || n != 1 {
			t.Fatalf("purge after 29 days: %d %v", n, err)
		}
		left, _ := s.app.Itinerary(s.ctx, app.System, p.ID, start.Add(-2*time.Hour), start)
		if len(left) != 1 || left[0].VenueID != nanning.ID {
			t.Errorf("p keeps %+v", left)
		}
		held, _ := s.app.Itinerary(s.ctx, app.System, q.ID, start.Add(-2*time.Hour), start)
		if len(held) != 1 {
			t.Errorf("the held scan-in went: %+v", held)
		}
		if got := s.audit(cordon.AuditFilter{Action: "scanin.purge"}); len(got) != 1 || got[0].Detail != "1" {
			t.Errorf("purge audit: %+v", got)
		}
	})
}

package app_test

import (
	"sync"
	"testing"

	"cordon"
	"cordon/internal/app"
)

const youjiang = "451002" // 百色市右江区

// siteSetup is the testing setup with a Debao isolation-site manager and
// the quarantine hotel 维也纳国际酒店 in 德保县: floor 3 has a triple 301
// and singles 302–305, floor 4 a double 401.
type siteSetup struct {
	*testingSetup
	manager cordon.Actor
	hotel   cordon.Site
	rooms   map[string]int64 // number → id
}

func newSiteSetup(t *testing.T, s *testingSetup) *siteSetup {
	t.Helper()
	ss := &siteSetup{testingSetup: s, manager: s.account(cordon.RoleIsolationSite, debao).Actor()}
	ss.hotel = ss.site("维也纳国际酒店(德保腾飞广场店)", debao)
	ss.rooms = ss.addRooms(ss.hotel.ID, []cordon.RoomInput{{Number: "301", Floor: 3, Beds: 3}, {Number: "302", Floor: 3, Beds: 1},
		{Number: "303", Floor: 3, Beds: 1}, {Number: "304", Floor: 3, Beds: 1}, {Number: "305", Floor: 3, Beds: 1}, {Number: "401", Floor: 4, Beds: 2}})
	return ss
}

func (s *siteSetup) site(name, jurisdiction string) cordon.Site {
	s.tb.Helper()
	site, err := s.app.CreateSite(s.ctx, app.System, cordon.SiteInput{Name: name, Kind: cordon.SiteHotel, Jurisdiction: jurisdiction,
		ManagerName: "黄经理", ManagerPhone: "13977001234"})
	if err != nil {
		s.tb.Fatalf("CreateSite: %v", err)
	}
	return site
}

func (s *siteSetup) addRooms(site int64, in []cordon.RoomInput) map[string]int64 {
	s.tb.Helper()
	rooms, err := s.app.AddRooms(s.ctx, app.System, site, in)
	if err != nil {
		s.tb.Fatalf("AddRooms: %v", err)
	}
	out := map[string]int64{}
	for _, r := range rooms {
		out[r.Number] = r.ID
	}
	return out
}

func (s *siteSetup) arrive(site int64, people ...cordon.ArrivalInput) []cordon.Stay {
	s.tb.Helper()
	stays, err := s.app.Arrive(s.ctx, s.manager, site, cordon.Arrivals{People: people})
	if err != nil {
		s.tb.Fatalf("Arrive: %v", err)
	}
	return stays
}

func (s *siteSetup) occupied(site int64) int {
	s.tb.Helper()
	v, err := s.app.Site(s.ctx, app.System, site, "")
	if err != nil {
		s.tb.Fatalf("Site: %v", err)
	}
	return v.Occupied
}

// occupants lists the people staying at a site, room by room.
func occupants(s cordon.Site) []cordon.Stay {
	var out []cordon.Stay
	for _, r := range s.Rooms {
		out = append(out, r.Occupants...)
	}
	return out
}

func roomOf(stays []cordon.Stay) map[int64]string {
	out := map[int64]string{}
	for _, s := range stays {
		out[s.PersonID] = s.RoomNumber
	}
	return out
}

func TestArrivalsKeepHouseholdsTogether(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, ts *testingSetup) {
		s := newSiteSetup(t, ts)
		c := newContactSetup(t, ts, "cn-9")
		// Three close contacts of one household, labelled by contact
		// management; the caller's household is overruled by it.
		var family []cordon.Person
		for range 4 {
			p := s.person()
			in := closeTo(p.ID, c.index.ID, cordon.SituationHousehold, cst("2022-02-07 20:00"))
			in.Household = "城东社区云山路1号"
			c.add(in)
			family = append(family, p)
		}
		alone := s.person()
		stays := s.arrive(s.hotel.ID, cordon.ArrivalInput{PersonID: alone.ID},
			cordon.ArrivalInput{PersonID: family[0].ID, Household: "ignored"},
			cordon.ArrivalInput{IDNumber: family[1].IDNumber}, cordon.ArrivalInput{PersonID: family[2].ID})
		rooms := roomOf(stays)
		for _, p := range family[:3] {
			if rooms[p.ID] != "301" {
				t.Errorf("household member %d is in %q, want 301: %v", p.ID, rooms[p.ID], rooms)
			}
		}
		if rooms[alone.ID] != "302" {
			t.Errorf("the person alone is in %q, want 302", rooms[alone.ID])
		}
		for _, st := range stays {
			if st.PersonID != alone.ID && st.Household != "城东社区云山路1号" {
				t.Errorf("stay %d has household %q", st.ID, st.Household)
			}
		}
		// The fourth member arrives later: 301 is full, so the nearest
		// empty room on its floor, 303 (302 holds a stranger).
		late := s.arrive(s.hotel.ID, cordon.ArrivalInput{PersonID: family[3].ID})
		if late[0].RoomNumber != "303" {
			t.Errorf("the late member is in %s, want 303", late[0].RoomNumber)
		}
		// A couple without contact records, grouped by the caller.
		a, b := s.person(), s.person()
		stays = s.arrive(s.hotel.ID, cordon.ArrivalInput{PersonID: a.ID, Household: "福记村8号"}, cordon.ArrivalInput{PersonID: b.ID, Household: "福记村8号"})
		if rooms := roomOf(stays); rooms[a.ID] != "401" || rooms[b.ID] != "401" {
			t.Errorf("the couple: %v", rooms)
		}
	})
}

func TestArrivalsNeverOverfill(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, ts *testingSetup) {
		s := newSiteSetup(t, ts)
		small := s.site("福记村隔离点", fuji)
		rooms := s.addRooms(small.ID, []cordon.RoomInput{{Number: "1", Floor: 1, Beds: 1}, {Number: "2", Floor: 1, Beds: 1}})
		p1, p2, p3 := s.person(), s.person(), s.person()
		_, err := s.app.Arrive(s.ctx, s.manager, small.ID, cordon.Arrivals{People: []cordon.ArrivalInput{{PersonID: p1.ID}, {PersonID: p2.ID}, {PersonID: p3.ID}}})
		wantError(t, err, cordon.KindConflict, "site.full")
		if n := s.occupied(small.ID); n != 0 {
			t.Fatalf("a refused arrival left %d people in", n)
		}
		s.arrive(small.ID, cordon.ArrivalInput{PersonID: p1.ID, RoomID: rooms["1"]})
		_, err = s.app.Arrive(s.ctx, s.manager, small.ID, cordon.Arrivals{People: []cordon.ArrivalInput{{PersonID: p2.ID, RoomID: rooms["1"]}}})
		wantError(t, err, cordon.KindConflict, "site.room_full")
		s.arrive(small.ID, cordon.ArrivalInput{PersonID: p2.ID})
		_, err = s.app.Arrive(s.ctx, s.manager, small.ID, cordon.Arrivals{People: []cordon.ArrivalInput{{PersonID: p3.ID}}})
		wantError(t, err, cordon.KindConflict, "site.full")

		// Two managers fill the last bed at once: one gets it.
		last := s.site("都安乡隔离点", duan)
		s.addRooms(last.ID, []cordon.RoomInput{{Number: "1", Floor: 1, Beds: 1}})
		q1, q2 := s.person(), s.person()
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, p := range []cordon.Person{q1, q2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = s.app.Arrive(s.ctx, s.manager, last.ID, cordon.Arrivals{People: []cordon.ArrivalInput{{PersonID: p.ID}}})
			}()
		}
		wg.Wait()
		if failed := errs[0]; (errs[0] == nil) == (errs[1] == nil) || cordon.ErrorCode(failed) != "site.full" && cordon.ErrorCode(errs[1]) != "site.full" {
			t.Errorf("concurrent arrivals into one bed: %v, %v", errs[0], errs[1])
		}
		if n := s.occupied(last.ID); n != 1 {
			t.Errorf("%d people in one bed", n)
		}

		// A closed site takes nobody.
		closed := false
		if _, err := s.app.UpdateSite(s.ctx, s.manager, last.ID, cordon.SiteInput{Name: last.Name, Kind: last.Kind, Open: &closed, Version: last.Version}); err != nil {
			t.Fatal(err)
		}
		_, err = s.app.Arrive(s.ctx, s.manager, last.ID, cordon.Arrivals{People: []cordon.ArrivalInput{{PersonID: p3.ID}}})
		wantError(t, err, cordon.KindConflict, "site.closed")
	})
}

func TestDoubleAssignmentRefused(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, ts *testingSetup) {
		s := newSiteSetup(t, ts)
		other := s.site("德保县集中隔离点", chengdong)
		s.addRooms(other.ID, []cordon.RoomInput{{Number: "101", Floor: 1, Beds: 2}, {Number: "102", Floor: 1, Beds: 2}})
		p := s.person()
		s.arrive(s.hotel.ID, cordon.ArrivalInput{PersonID: p.ID})
		for _, site := range []int64{s.hotel.ID, other.ID} {
			_, err := s.app.Arrive(s.ctx, s.manager, site, cordon.Arrivals{People: []cordon.ArrivalInput{{PersonID: p.ID}}})
			wantError(t, err, cordon.KindConflict, "site.already_assigned")
		}
		q := s.person()
		_, err := s.app.Arrive(s.ctx, s.manager, other.ID, cordon.Arrivals{People: []cordon.ArrivalInput{{PersonID: q.ID}, {IDNumber: q.IDNumber}}})
		wantError(t, err, cordon.KindConflict, "site.already_assigned")

		// The same person sent to two sites at once: one stay.
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, site := range []int64{s.hotel.ID, other.ID} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = s.app.Arrive(s.ctx, s.manager, site, cordon.Arrivals{People: []cordon.ArrivalInput{{PersonID: q.ID}}})
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else if cordon.ErrorCode(err) != "site.already_assigned" {
				t.Errorf("the second assignment: %v", err)
			}
		}
		if ok != 1 || s.occupied(s.hotel.ID)+s.occupied(other.ID) != 2 {
			t.Errorf("%d assignments of one person succeeded", ok)
		}
	})
}

func TestTransferIsAtomic(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, ts *testingSetup) {
		s := newSiteSetup(t, ts)
		centre := s.site("德保县集中隔离点", chengdong)
		rooms := s.addRooms(centre.ID, []cordon.RoomInput{{Number: "101", Floor: 1, Beds: 1}})
		p, q := s.person(), s.person()
		from := s.arrive(s.hotel.ID, cordon.ArrivalInput{PersonID: p.ID})[0]

		next, err := s.app.Transfer(s.ctx, s.manager, from.ID, cordon.TransferInput{SiteID: centre.ID})
		if err != nil {
			t.Fatal(err)
		}
		if next.SiteID != centre.ID || next.RoomID != rooms["101"] || !next.Current() || next.PersonID != p.ID {
			t.Errorf("the new stay: %+v", next)
		}
		v, err := s.app.Site(s.ctx, app.System, s.hotel.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if v.Occupied != 0 || len(v.Departed) != 1 || v.Departed[0].DepartureReason != cordon.DepartTransferred || v.Departed[0].TransferredTo != next.ID {
			t.Errorf("the old stay: occupied %d, departed %+v", v.Occupied, v.Departed)
		}

		// The centre is full now: a transfer there changes nothing.
		other := s.arrive(s.hotel.ID, cordon.ArrivalInput{PersonID: q.ID})[0]
		_, err = s.app.Transfer(s.ctx, s.manager, other.ID, cordon.TransferInput{SiteID: centre.ID})
		wantError(t, err, cordon.KindConflict, "site.full")
		if s.occupied(s.hotel.ID) != 1 || s.occupied(centre.ID) != 1 {
			t.Errorf("a refused transfer moved someone")
		}
		// An ended stay cannot move again; the same room is no move.
		_, err = s.app.Transfer(s.ctx, s.manager, from.ID, cordon.TransferInput{SiteID: s.hotel.ID})
		wantError(t, err, cordon.KindConflict, "stay.departed")
		_, err = s.app.Transfer(s.ctx, s.manager, other.ID, cordon.TransferInput{SiteID: s.hotel.ID, RoomID: other.RoomID})
		wantError(t, err, cordon.KindInvalid, "stay.same_room")
		// Within the site, to a room chosen by hand.
		moved, err := s.app.Transfer(s.ctx, s.manager, other.ID, cordon.TransferInput{SiteID: s.hotel.ID, RoomID: s.rooms["305"]})
		if err != nil || moved.RoomNumber != "305" {
			t.Errorf("a move inside the site: %+v %v", moved, err)
		}

		// Departure: released, and not twice.
		gone, err := s.app.Depart(s.ctx, s.manager, next.ID, cordon.Departure{Reason: cordon.DepartReleased})
		if err != nil || gone.Current() || gone.DepartureReason != cordon.DepartReleased {
			t.Errorf("depart: %+v %v", gone, err)
		}
		_, err = s.app.Depart(s.ctx, s.manager, next.ID, cordon.Departure{Reason: cordon.DepartReleased})
		wantError(t, err, cordon.KindConflict, "stay.departed")
		_, err = s.app.Depart(s.ctx, s.manager, moved.ID, cordon.Departure{Reason: cordon.DepartTransferred})
		wantError(t, err, cordon.KindInvalid, "stay.reason_invalid")
		// Released, the person may arrive again.
		s.arrive(centre.ID, cordon.ArrivalInput{PersonID: p.ID})
	})
}

func TestOccupancyCounts(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, ts *testingSetup) {
		s := newSiteSetup(t, ts) // 德保: 6 rooms, 9 beds
		yj := s.site("右江区隔离酒店", youjiang)
		s.addRooms(yj.ID, []cordon.RoomInput{{Number: "1", Floor: 1, Beds: 2}, {Number: "2", Floor: 1, Beds: 2}})
		s.arrive(s.hotel.ID, cordon.ArrivalInput{PersonID: s.person().ID}, cordon.ArrivalInput{PersonID: s.person().ID, Household: "h"},
			cordon.ArrivalInput{PersonID: s.person().ID, Household: "h"})
		commander := s.account(cordon.RoleCommander, baise).Actor()
		rep, err := s.app.Occupancy(s.ctx, commander, "")
		if err != nil {
			t.Fatal(err)
		}
		if rep.Total != (cordon.Occupancy{RoomCount: 8, Beds: 13, Occupied: 3, Free: 10, FreeRooms: 6}) {
			t.Errorf("total %+v", rep.Total)
		}
		counties := map[string]cordon.AreaOccupancy{}
		for _, c := range rep.Counties {
			counties[c.Jurisdiction] = c
		}
		if d := counties[debao]; d.Name != "德保县" || d.Sites != 1 || d.Occupancy != (cordon.Occupancy{RoomCount: 6, Beds: 9, Occupied: 3, Free: 6, FreeRooms: 4}) {
			t.Errorf("德保县 %+v", d)
		}
		if y := counties[youjiang]; y.Sites != 1 || y.Beds != 4 || y.Occupied != 0 || y.FreeRooms != 2 {
			t.Errorf("右江区 %+v", y)
		}
		// Debao's manager sees Debao alone; a county outside is refused.
		rep, err = s.app.Occupancy(s.ctx, s.manager, "")
		if err != nil || len(rep.Sites) != 1 || rep.Total.Beds != 9 {
			t.Errorf("Debao's view: %+v %v", rep, err)
		}
		_, err = s.app.Occupancy(s.ctx, s.manager, youjiang)
		wantError(t, err, cordon.KindForbidden, "jurisdiction.outside_scope")
	})
}

func TestSitesConfinedToScope(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, ts *testingSetup) {
		s := newSiteSetup(t, ts)
		stay := s.arrive(s.hotel.ID, cordon.ArrivalInput{PersonID: s.person().ID})[0]
		nanningSite := s.account(cordon.RoleIsolationSite, nanning).Actor()
		_, err := s.app.Site(s.ctx, nanningSite, s.hotel.ID, "")
		wantError(t, err, cordon.KindNotFound, "site.not_found")
		_, err = s.app.Arrive(s.ctx, nanningSite, s.hotel.ID, cordon.Arrivals{People: []cordon.ArrivalInput{{PersonID: s.person().ID}}})
		wantError(t, err, cordon.KindNotFound, "site.not_found")
		_, err = s.app.Depart(s.ctx, nanningSite, stay.ID, cordon.Departure{Reason: cordon.DepartReleased})
		wantError(t, err, cordon.KindNotFound, "stay.not_found")
		_, err = s.app.AddRooms(s.ctx, nanningSite, s.hotel.ID, []cordon.RoomInput{{Number: "999", Floor: 9, Beds: 1}})
		wantError(t, err, cordon.KindNotFound, "site.not_found")
		_, err = s.app.CreateSite(s.ctx, nanningSite, cordon.SiteInput{Name: "x", Kind: cordon.SiteHotel, Jurisdiction: debao})
		wantError(t, err, cordon.KindForbidden, "jurisdiction.outside_scope")
		if list, err := s.app.Sites(s.ctx, nanningSite, cordon.SiteFilter{}); err != nil || len(list) != 0 {
			t.Errorf("Nanning lists %d sites: %v", len(list), err)
		}
		// A person of Nanning cannot be brought into Debao's site by its manager.
		np := s.person(livingAt(xingning, xingning))
		_, err = s.app.Arrive(s.ctx, s.manager, s.hotel.ID, cordon.Arrivals{People: []cordon.ArrivalInput{{PersonID: np.ID}}})
		wantError(t, err, cordon.KindNotFound, "person.not_found")
		// Staff must be accounts of the jurisdiction.
		nanningEpi := s.account(cordon.RoleEpidemiologist, nanning)
		_, err = s.app.CreateSite(s.ctx, s.manager, cordon.SiteInput{Name: "x", Kind: cordon.SiteCentre, Jurisdiction: debao, Staff: []string{nanningEpi.Username}})
		wantError(t, err, cordon.KindInvalid, "site.staff_unknown")
		// Roles: a grid worker registers no site, a sampler reads none.
		_, err = s.app.CreateSite(s.ctx, s.account(cordon.RoleGridWorker, s.grid.Code).Actor(), cordon.SiteInput{Name: "x", Kind: cordon.SiteHotel})
		wantError(t, err, cordon.KindForbidden, "auth.forbidden")
		_, err = s.app.Sites(s.ctx, s.sampler, cordon.SiteFilter{})
		wantError(t, err, cordon.KindForbidden, "auth.forbidden")
	})
}

func TestSiteReadsAuditedAndMasked(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, ts *testingSetup) {
		s := newSiteSetup(t, ts)
		p := s.person()
		s.arrive(s.hotel.ID, cordon.ArrivalInput{PersonID: p.ID})
		commander := s.account(cordon.RoleCommander, baise)
		v, err := s.app.Site(s.ctx, commander.Actor(), s.hotel.ID, "日报")
		if err != nil {
			t.Fatal(err)
		}
		occ := occupants(v)
		if len(occ) != 1 || occ[0].IDNumber != cordon.MaskDocNumber(p.IDNumber) || v.ManagerPhone != "139****1234" {
			t.Errorf("a commander reads %+v, phone %s", occ, v.ManagerPhone)
		}
		full, err := s.app.Site(s.ctx, s.manager, s.hotel.ID, "")
		if err != nil || len(occupants(full)) != 1 || occupants(full)[0].IDNumber != p.IDNumber || full.ManagerPhone != "13977001234" {
			t.Errorf("the manager reads %+v %v", occupants(full), err)
		}
		reads := s.audit(cordon.AuditFilter{Username: commander.Username, Action: "site.read"})
		if len(reads) != 1 || reads[0].Reason != "日报" || reads[0].Record != "site:"+itoa(s.hotel.ID) {
			t.Errorf("the read's audit: %+v", reads)
		}
		if n := len(s.audit(cordon.AuditFilter{Record: "person:" + itoa(p.ID), Action: "stay.arrive"})); n != 1 {
			t.Errorf("%d arrival entries", n)
		}
	})
}

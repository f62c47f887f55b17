package app

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"cordon"
	"cordon/internal/store"
)

// Isolation sites: registration, rooms, arrivals, departures and
// transfers. Every operation is authorise → validate → one transaction →
// audit; a site's page lists the people in it, so reading it is a read of
// personal data, audited and masked by role. Arrivals and transfers lock
// the site they fill before counting its free beds.

func siteRecord(id int64) string { return "site:" + strconv.FormatInt(id, 10) }
func stayRecord(id int64) string { return "stay:" + strconv.FormatInt(id, 10) }

// maxArrivals bounds the people of one arrival: a bus.
const maxArrivals = 200

// departedShown is how many ended stays a site's page lists.
const departedShown = 20

// presentSite masks the manager's phone and the identity numbers of the
// people in the site unless the actor reads them in full.
func (a *App) presentSite(actor cordon.Actor, s *cordon.Site) {
	if actor.Can(cordon.PermPersonReadFull) {
		return
	}
	s.ManagerPhone = cordon.MaskPhone(s.ManagerPhone)
	for i := range s.Rooms {
		maskStays(actor, s.Rooms[i].Occupants)
	}
	maskStays(actor, s.Departed)
}

func maskStays(actor cordon.Actor, stays []cordon.Stay) {
	if actor.Can(cordon.PermPersonReadFull) {
		return
	}
	for i := range stays {
		stays[i].IDNumber = cordon.MaskDocNumber(stays[i].IDNumber)
	}
}

func outsideScope(field string) error {
	return cordon.Errorf(cordon.KindForbidden, "jurisdiction.outside_scope", "the jurisdiction is outside yours").WithField(field, "jurisdiction.outside_scope")
}

// checkSiteInput validates a site and resolves its staff to accounts
// inside the actor's subtree.
func (a *App) checkSiteInput(ctx context.Context, tx *store.Tx, actor cordon.Actor, in *cordon.SiteInput) ([]int64, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if !actor.Sees(in.Jurisdiction) {
		return nil, outsideScope("jurisdiction")
	}
	if !a.exists(ctx, tx, in.Jurisdiction) {
		return nil, cordon.Errorf(cordon.KindInvalid, "jurisdiction.unknown", "no such jurisdiction").WithField("jurisdiction", "jurisdiction.unknown")
	}
	var staff []int64
	for _, u := range in.Staff {
		acct, _, err := tx.AccountByUsername(ctx, u)
		if err == nil && !actor.Sees(acct.Jurisdiction) {
			err = cordon.Errorf(cordon.KindNotFound, "account.not_found", "no such account")
		}
		if cordon.ErrorKind(err) == cordon.KindNotFound {
			return nil, cordon.Errorf(cordon.KindInvalid, "site.staff_unknown", "no account %q in your jurisdiction", u).WithField("staff", "site.staff_unknown")
		}
		if err != nil {
			return nil, err
		}
		staff = append(staff, acct.ID)
	}
	return staff, nil
}

// CreateSite registers an isolation site in the actor's subtree, open.
func (a *App) CreateSite(ctx context.Context, actor cordon.Actor, in cordon.SiteInput) (cordon.Site, error) {
	if err := authorize(actor, cordon.PermSiteManage); err != nil {
		return cordon.Site{}, err
	}
	if in.Jurisdiction == "" {
		in.Jurisdiction = actor.Jurisdiction
	}
	var s cordon.Site
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		staff, err := a.checkSiteInput(ctx, tx, actor, &in)
		if err != nil {
			return err
		}
		s = cordon.Site{Name: in.Name, Kind: in.Kind, Jurisdiction: in.Jurisdiction, Address: in.Address, ManagerName: in.ManagerName,
			ManagerPhone: in.ManagerPhone, Open: in.Open == nil || *in.Open}
		if err := tx.CreateSite(ctx, &s, staff, actor.AccountID); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "site.create", siteRecord(s.ID), "", s.Name)
	})
	if err != nil {
		return cordon.Site{}, err
	}
	return a.siteOnly(ctx, actor, s.ID)
}

// UpdateSite changes a site (open false closes it to arrivals), guarded by
// the version read.
func (a *App) UpdateSite(ctx context.Context, actor cordon.Actor, id int64, in cordon.SiteInput) (cordon.Site, error) {
	if err := authorize(actor, cordon.PermSiteManage); err != nil {
		return cordon.Site{}, err
	}
	if in.Version == 0 {
		return cordon.Site{}, cordon.Errorf(cordon.KindInvalid, "site.version_required", "send the version you read").WithField("version", "site.version_required")
	}
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		s, err := tx.Site(ctx, store.ScopeOf(actor), id)
		if err != nil {
			return err
		}
		if in.Jurisdiction == "" {
			in.Jurisdiction = s.Jurisdiction
		}
		staff, err := a.checkSiteInput(ctx, tx, actor, &in)
		if err != nil {
			return err
		}
		s.Name, s.Kind, s.Jurisdiction, s.Address = in.Name, in.Kind, in.Jurisdiction, in.Address
		s.ManagerName, s.ManagerPhone = in.ManagerName, in.ManagerPhone
		if in.Open != nil {
			s.Open = *in.Open
		}
		if err := tx.UpdateSite(ctx, s, staff, in.Version); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "site.update", siteRecord(id), "", s.Name)
	})
	if err != nil {
		return cordon.Site{}, err
	}
	return a.siteOnly(ctx, actor, id)
}

// SiteInfo reads a site of the actor's subtree without the people in it
// (for its edit form): no personal data but the manager's phone, masked by
// role.
func (a *App) SiteInfo(ctx context.Context, actor cordon.Actor, id int64) (cordon.Site, error) {
	if err := authorize(actor, cordon.PermSiteRead); err != nil {
		return cordon.Site{}, err
	}
	return a.siteOnly(ctx, actor, id)
}

func (a *App) siteOnly(ctx context.Context, actor cordon.Actor, id int64) (cordon.Site, error) {
	var s cordon.Site
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		s, err = tx.Site(ctx, store.ScopeOf(actor), id)
		return err
	})
	a.presentSite(actor, &s)
	return s, err
}

// Site reads a site of the actor's subtree with its rooms, the people in
// each and their health check of today, and the latest departures: the
// site manager's view. The read is audited; identity numbers are masked by
// role.
func (a *App) Site(ctx context.Context, actor cordon.Actor, id int64, reason string) (cordon.Site, error) {
	if err := authorize(actor, cordon.PermSiteRead); err != nil {
		return cordon.Site{}, err
	}
	var s cordon.Site
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		if s, err = tx.Site(ctx, store.ScopeOf(actor), id); err != nil {
			return err
		}
		if s.Rooms, err = tx.Rooms(ctx, id); err != nil {
			return err
		}
		var persons []int64
		for _, r := range s.Rooms {
			for _, o := range r.Occupants {
				persons = append(persons, o.PersonID)
			}
		}
		today, err := tx.LatestChecks(ctx, persons, cordon.ChinaDay(a.now()))
		if err != nil {
			return err
		}
		for i := range s.Rooms {
			for j, o := range s.Rooms[i].Occupants {
				if c, ok := today[o.PersonID]; ok {
					s.Rooms[i].Occupants[j].Today = &c
				}
			}
		}
		all, err := tx.SiteStays(ctx, id, departedShown)
		for _, st := range all {
			if !st.Current() {
				s.Departed = append(s.Departed, st)
			}
		}
		return err
	})
	if err != nil {
		return cordon.Site{}, err
	}
	if err := a.recordRead(ctx, actor, "site.read", siteRecord(id), reason, fmt.Sprintf("%d staying", s.Occupied)); err != nil {
		return cordon.Site{}, err
	}
	a.presentSite(actor, &s)
	return s, nil
}

// Sites lists the sites of the actor's subtree, newest first, with their
// occupancy (counts only: no personal data).
func (a *App) Sites(ctx context.Context, actor cordon.Actor, f cordon.SiteFilter) ([]cordon.Site, error) {
	if err := authorize(actor, cordon.PermSiteRead); err != nil {
		return nil, err
	}
	if f.Within != "" && !actor.Sees(f.Within) {
		return nil, outsideScope("jurisdiction")
	}
	var out []cordon.Site
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Sites(ctx, store.ScopeOf(actor), f)
		return err
	})
	for i := range out {
		a.presentSite(actor, &out[i])
	}
	return out, err
}

// Occupancy is the commanders' overview of an area inside the actor's
// subtree (their own when within is ""): capacity, occupied and free beds
// per site, per county and in all.
func (a *App) Occupancy(ctx context.Context, actor cordon.Actor, within string) (cordon.OccupancyReport, error) {
	if err := authorize(actor, cordon.PermSiteRead); err != nil {
		return cordon.OccupancyReport{}, err
	}
	if within == "" {
		within = actor.Jurisdiction
	}
	if !actor.Sees(within) {
		return cordon.OccupancyReport{}, outsideScope("jurisdiction")
	}
	rep := cordon.OccupancyReport{Within: within, Sites: []cordon.Site{}, Counties: []cordon.AreaOccupancy{}}
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		rep.Sites, err = tx.AllSites(ctx, store.ScopeOf(actor), within)
		return err
	})
	if err != nil {
		return rep, err
	}
	slices.SortStableFunc(rep.Sites, func(x, y cordon.Site) int {
		return cmp.Or(strings.Compare(x.Jurisdiction, y.Jurisdiction), cmp.Compare(x.ID, y.ID))
	})
	at := map[string]int{}
	for i := range rep.Sites {
		s := &rep.Sites[i]
		a.presentSite(actor, s)
		county := cordon.CountyOf(s.Jurisdiction)
		k, ok := at[county]
		if !ok {
			k = len(rep.Counties)
			at[county] = k
			j, _ := a.dir.Lookup(county)
			rep.Counties = append(rep.Counties, cordon.AreaOccupancy{Jurisdiction: county, Name: j.Name})
		}
		rep.Counties[k].Sites++
		rep.Counties[k].Add(s.Occupancy)
		rep.Total.Add(s.Occupancy)
	}
	return rep, nil
}

// AddRooms adds rooms to a site of the actor's subtree.
func (a *App) AddRooms(ctx context.Context, actor cordon.Actor, siteID int64, rooms []cordon.RoomInput) ([]cordon.Room, error) {
	if err := authorize(actor, cordon.PermSiteManage); err != nil {
		return nil, err
	}
	if err := cordon.ValidateRooms(rooms); err != nil {
		return nil, err
	}
	var out []cordon.Room
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		if _, err := tx.Site(ctx, store.ScopeOf(actor), siteID); err != nil {
			return err
		}
		var err error
		if out, err = tx.CreateRooms(ctx, siteID, rooms); err != nil {
			return err
		}
		beds := 0
		for _, r := range out {
			beds += r.Beds
		}
		return audit(ctx, tx, actor, "site.rooms", siteRecord(siteID), "", fmt.Sprintf("%d rooms, %d beds", len(out), beds))
	})
	return out, err
}

// stayTime checks the time of an arrival, departure or transfer: now when
// zero, never in the future, and not before since.
func (a *App) stayTime(at, since time.Time) (time.Time, error) {
	now := a.now()
	if at.IsZero() {
		at = now
	}
	if at.After(now.Add(5*time.Minute)) || at.Before(since) || at.Before(now.AddDate(0, 0, -60)) {
		return at, cordon.Errorf(cordon.KindInvalid, "stay.time_invalid", "the time is in the future, more than 60 days ago or before the arrival").WithField("at", "stay.time_invalid")
	}
	return at.UTC().Truncate(time.Second), nil
}

// arrivalPerson finds the registered person of an arrival inside the
// actor's subtree, by id or citizen ID number.
func arrivalPerson(ctx context.Context, tx *store.Tx, actor cordon.Actor, in cordon.ArrivalInput, field string) (cordon.Person, error) {
	var p cordon.Person
	var err error
	switch {
	case in.PersonID > 0:
		p, err = tx.Person(ctx, store.ScopeOf(actor), in.PersonID)
	case in.IDNumber != "":
		p, err = tx.PersonByDocument(ctx, store.ScopeOf(actor), cordon.DocCitizenID, cordon.NormalizeDocNumber(in.IDNumber))
	default:
		return p, cordon.Errorf(cordon.KindInvalid, "stay.person_required", "name the person by person_id or id_number").WithField(field, "stay.person_required")
	}
	if cordon.ErrorKind(err) == cordon.KindNotFound || err == nil && p.MergedInto != 0 {
		return p, cordon.Errorf(cordon.KindNotFound, "person.not_found", "no such person in your jurisdiction").WithField(field, "person.not_found")
	}
	return p, err
}

// Arrive records people arriving at a site of the actor's subtree and
// gives each a room: a contact's household from contact management, else
// the household given, kept together (cordon.PlaceArrivals). A person
// staying anywhere already is refused, and so is the whole arrival when
// the site cannot take it: nothing is stored unless everyone has a bed.
func (a *App) Arrive(ctx context.Context, actor cordon.Actor, siteID int64, in cordon.Arrivals) ([]cordon.Stay, error) {
	if err := authorize(actor, cordon.PermSiteManage); err != nil {
		return nil, err
	}
	if len(in.People) == 0 || len(in.People) > maxArrivals {
		return nil, cordon.Errorf(cordon.KindInvalid, "stay.arrivals_invalid", "send 1 to %d people", maxArrivals).WithField("people", "stay.arrivals_invalid")
	}
	at, err := a.stayTime(in.At, time.Time{})
	if err != nil {
		return nil, err
	}
	var out []cordon.Stay
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		site, err := tx.Site(ctx, store.ScopeOf(actor), siteID)
		if err != nil {
			return err
		}
		if !site.Open {
			return cordon.Errorf(cordon.KindConflict, "site.closed", "the site is closed to arrivals")
		}
		if err := tx.LockSite(ctx, siteID); err != nil {
			return err
		}
		arrivals := make([]cordon.Arrival, len(in.People))
		orders := map[int64]int64{}
		ids := make([]int64, len(in.People))
		for i, x := range in.People {
			field := fmt.Sprintf("people[%d]", i)
			p, err := arrivalPerson(ctx, tx, actor, x, field+".person_id")
			if err != nil {
				return err
			}
			household, err := a.householdOf(ctx, tx, p.ID, x.Household)
			if err != nil {
				return err
			}
			if x.OrderID < 0 {
				return cordon.Errorf(cordon.KindInvalid, "stay.order_invalid", "order_id must be positive").WithField(field+".order_id", "stay.order_invalid")
			}
			arrivals[i] = cordon.Arrival{PersonID: p.ID, Household: household, RoomID: x.RoomID}
			orders[p.ID], ids[i] = x.OrderID, p.ID
		}
		staying, err := tx.CurrentStays(ctx, ids)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if _, ok := staying[id]; ok {
				return cordon.AlreadyAssigned(id)
			}
		}
		placed, err := a.place(ctx, tx, siteID, 0, arrivals)
		if err != nil {
			return err
		}
		households := map[int64]string{}
		for _, x := range arrivals {
			households[x.PersonID] = x.Household
		}
		for _, pl := range placed {
			s := cordon.Stay{PersonID: pl.PersonID, SiteID: siteID, RoomID: pl.RoomID, Household: households[pl.PersonID],
				OrderID: orders[pl.PersonID], ArrivedAt: at}
			if err := tx.CreateStay(ctx, &s, actor.AccountID); err != nil {
				return err
			}
			if err := audit(ctx, tx, actor, "stay.arrive", personRecord(s.PersonID), "", fmt.Sprintf("%s at %s room %d", stayRecord(s.ID), siteRecord(siteID), s.RoomID)); err != nil {
				return err
			}
			out = append(out, s)
		}
		return a.refreshStays(ctx, tx, out)
	})
	if err != nil {
		return nil, err
	}
	maskStays(actor, out)
	return out, nil
}

// householdOf is the household key of a person arriving: the household of
// their open contact record, else the one given.
func (a *App) householdOf(ctx context.Context, tx *store.Tx, person int64, given string) (string, error) {
	_, household, err := tx.ContactOf(ctx, person)
	if err != nil || household != "" {
		return household, err
	}
	return cordon.CheckHousehold(given)
}

// place chooses rooms at a site for arrivals, leaving out the stay of
// skip (a person moving inside the site).
func (a *App) place(ctx context.Context, tx *store.Tx, siteID, skip int64, arrivals []cordon.Arrival) ([]cordon.Placement, error) {
	rooms, err := tx.Rooms(ctx, siteID)
	if err != nil {
		return nil, err
	}
	var current []cordon.Stay
	for _, r := range rooms {
		for _, o := range r.Occupants {
			if o.ID != skip {
				current = append(current, o)
			}
		}
	}
	for i := range rooms {
		rooms[i].Occupants = nil
	}
	return cordon.PlaceArrivals(rooms, current, arrivals)
}

// refreshStays reads stays again with their names, rooms and sites.
func (a *App) refreshStays(ctx context.Context, tx *store.Tx, stays []cordon.Stay) error {
	for i, s := range stays {
		fresh, err := tx.Stay(ctx, store.Everywhere, s.ID)
		if err != nil {
			return err
		}
		stays[i] = fresh
	}
	return nil
}

// Depart ends a stay at a site of the actor's subtree: released, to
// hospital or otherwise (a transfer is Transfer).
func (a *App) Depart(ctx context.Context, actor cordon.Actor, stayID int64, in cordon.Departure) (cordon.Stay, error) {
	if err := authorize(actor, cordon.PermSiteManage); err != nil {
		return cordon.Stay{}, err
	}
	if in.Reason == cordon.DepartTransferred || !slices.Contains(cordon.DepartureReasons, in.Reason) {
		return cordon.Stay{}, cordon.Errorf(cordon.KindInvalid, "stay.reason_invalid", "give released, hospital or other; a transfer has its own action").WithField("reason", "stay.reason_invalid")
	}
	var s cordon.Stay
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if s, err = tx.Stay(ctx, store.ScopeOf(actor), stayID); err != nil {
			return err
		}
		if !s.Current() {
			return cordon.Errorf(cordon.KindConflict, "stay.departed", "the person left this room already")
		}
		at, err := a.stayTime(in.At, s.ArrivedAt)
		if err != nil {
			return err
		}
		if err := tx.EndStay(ctx, s, at, in.Reason, actor.AccountID); err != nil {
			return err
		}
		if err := audit(ctx, tx, actor, "stay.depart", personRecord(s.PersonID), "", fmt.Sprintf("%s %s", stayRecord(s.ID), in.Reason)); err != nil {
			return err
		}
		s, err = tx.Stay(ctx, store.Everywhere, s.ID)
		return err
	})
	if err != nil {
		return cordon.Stay{}, err
	}
	maskStays(actor, []cordon.Stay{s})
	return s, err
}

// Transfer moves a person to another room or site of the actor's subtree
// in one transaction: the stay ends as transferred and a stay at the
// target opens, in the chosen room or one the rules choose (keeping the
// household with its members there). It returns the new stay.
func (a *App) Transfer(ctx context.Context, actor cordon.Actor, stayID int64, in cordon.TransferInput) (cordon.Stay, error) {
	if err := authorize(actor, cordon.PermSiteManage); err != nil {
		return cordon.Stay{}, err
	}
	var next cordon.Stay
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		s, err := tx.Stay(ctx, store.ScopeOf(actor), stayID)
		if err != nil {
			return err
		}
		if !s.Current() {
			return cordon.Errorf(cordon.KindConflict, "stay.departed", "the person left this room already")
		}
		at, err := a.stayTime(in.At, s.ArrivedAt)
		if err != nil {
			return err
		}
		target, err := tx.Site(ctx, store.ScopeOf(actor), in.SiteID)
		if cordon.ErrorKind(err) == cordon.KindNotFound {
			return cordon.Errorf(cordon.KindNotFound, "site.not_found", "no such site in your jurisdiction").WithField("site_id", "site.not_found")
		}
		if err != nil {
			return err
		}
		if !target.Open {
			return cordon.Errorf(cordon.KindConflict, "site.closed", "the site is closed to arrivals").WithField("site_id", "site.closed")
		}
		if err := tx.LockSite(ctx, target.ID); err != nil {
			return err
		}
		placed, err := a.place(ctx, tx, target.ID, s.ID, []cordon.Arrival{{PersonID: s.PersonID, Household: s.Household, RoomID: in.RoomID}})
		if err != nil {
			return err
		}
		if placed[0].RoomID == s.RoomID {
			return cordon.Errorf(cordon.KindInvalid, "stay.same_room", "the person is in this room already").WithField("room_id", "stay.same_room")
		}
		if err := tx.EndStay(ctx, s, at, cordon.DepartTransferred, actor.AccountID); err != nil {
			return err
		}
		next = cordon.Stay{PersonID: s.PersonID, SiteID: target.ID, RoomID: placed[0].RoomID, Household: s.Household, OrderID: s.OrderID, ArrivedAt: at}
		if err := tx.CreateStay(ctx, &next, actor.AccountID); err != nil {
			return err
		}
		if err := tx.LinkTransfer(ctx, s.ID, next.ID); err != nil {
			return err
		}
		if err := audit(ctx, tx, actor, "stay.transfer", personRecord(s.PersonID), "",
			fmt.Sprintf("%s to %s at %s room %d", stayRecord(s.ID), stayRecord(next.ID), siteRecord(target.ID), next.RoomID)); err != nil {
			return err
		}
		next, err = tx.Stay(ctx, store.Everywhere, next.ID)
		return err
	})
	if err != nil {
		return cordon.Stay{}, err
	}
	maskStays(actor, []cordon.Stay{next})
	return next, nil
}

// MissingHealthChecks lists the people staying now at sites of an area
// inside the actor's subtree (their own when within is "") who have not
// reported a health check today (China time). Audited.
func (a *App) MissingHealthChecks(ctx context.Context, actor cordon.Actor, within string) ([]cordon.Stay, error) {
	if err := authorize(actor, cordon.PermSiteRead); err != nil {
		return nil, err
	}
	if within == "" {
		within = actor.Jurisdiction
	}
	if !actor.Sees(within) {
		return nil, outsideScope("jurisdiction")
	}
	var out []cordon.Stay
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.MissingChecks(ctx, store.Inside(within), cordon.ChinaDay(a.now()), store.MaxLimit)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := a.recordRead(ctx, actor, "healthcheck.missing", "", "", fmt.Sprintf("%s: %d", within, len(out))); err != nil {
		return nil, err
	}
	maskStays(actor, out)
	return out, nil
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"cordon"
)

// Isolation sites, their rooms and staff, and the stays of the people in
// them. Every write of a stay touches the person: where they stay is a
// fact of their health code.

const siteColumns = `s.id,
	s.name,
	s.kind,
	s.jurisdiction,
	s.address,
	s.manager_name,
	s.manager_cipher,
	s.open,
	s.version,
	(SELECT COUNT(*) FROM rooms r WHERE r.site_id = s.id),
	(SELECT COALESCE(SUM(r.beds), 0) FROM rooms r WHERE r.site_id = s.id),
	(SELECT COUNT(*) FROM stays t WHERE t.site_id = s.id AND t.departed_at IS NULL),
	(SELECT COUNT(*) FROM rooms r WHERE r.site_id = s.id
		AND NOT EXISTS (SELECT 1 FROM stays t WHERE t.room_id = r.id AND t.departed_at IS NULL))`

func (tx *Tx) scanSite(sc interface{ Scan(...any) error }) (cordon.Site, error) {
	var s cordon.Site
	var phone []byte
	err := sc.Scan(&s.ID, &s.Name, &s.Kind, &s.Jurisdiction, &s.Address, &s.ManagerName, &phone, &s.Open, &s.Version,
		&s.Occupancy.RoomCount, &s.Occupancy.Beds, &s.Occupancy.Occupied, &s.Occupancy.FreeRooms)
	if err != nil {
		return s, err
	}
	s.Occupancy.Free = s.Occupancy.Beds - s.Occupancy.Occupied
	if len(phone) > 0 {
		s.ManagerPhone, err = tx.db.vault.Open(fieldPhone, phone)
	}
	return s, err
}

// CreateSite stores a site with its staff (account ids) and sets its id.
func (tx *Tx) CreateSite(ctx context.Context, s *cordon.Site, staff []int64, by int64) error {
	id, err := tx.insert(ctx, `INSERT INTO sites (
		name,
		kind,
		jurisdiction,
		address,
		manager_name,
		manager_cipher,
		open,
		created_by,
		created_at,
		updated_at
	) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.Name, s.Kind, s.Jurisdiction, s.Address, s.ManagerName, tx.sealPhone(s.ManagerPhone), s.Open, nullID(by), ts(tx.Now), ts(tx.Now))
	if err != nil {
		return err
	}
	s.ID, s.Version = id, 1
	return tx.setSiteStaff(ctx, id, staff)
}

// UpdateSite replaces a site's fields and staff if its version is still
// version.
func (tx *Tx) UpdateSite(ctx context.Context, s cordon.Site, staff []int64, version int) error {
	res, err := tx.exec(ctx, `UPDATE sites SET
		name = ?,
		kind = ?,
		jurisdiction = ?,
		address = ?,
		manager_name = ?,
		manager_cipher = ?,
		open = ?,
		updated_at = ?,
		version = version + 1
	WHERE id = ? AND version = ?`,
		s.Name, s.Kind, s.Jurisdiction, s.Address, s.ManagerName, tx.sealPhone(s.ManagerPhone), s.Open, ts(tx.Now), s.ID, version)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return cordon.Errorf(cordon.KindConflict, "site.changed", "the site was changed by someone else; reload it")
	}
	return tx.setSiteStaff(ctx, s.ID, staff)
}

func (tx *Tx) setSiteStaff(ctx context.Context, site int64, staff []int64) error {
	if _, err := tx.exec(ctx, "DELETE FROM site_staff WHERE site_id = ?", site); err != nil {
		return err
	}
	for _, a := range staff {
		if _, err := tx.exec(ctx, "INSERT INTO site_staff (site_id, account_id) VALUES (?, ?)", site, a); err != nil {
			return err
		}
	}
	return nil
}

// LockSite makes concurrent changes to a site's stays wait for each
// other: on PostgreSQL the row lock of the update lasts until the
// transaction ends (SQLite has a single writer anyway). Arrivals and
// transfers take it before they count free beds.
func (tx *Tx) LockSite(ctx context.Context, id int64) error {
	_, err := tx.exec(ctx, "UPDATE sites SET updated_at = ? WHERE id = ?", ts(tx.Now), id)
	return err
}

// Site reads a site inside the scope, with its staff and occupancy.
func (tx *Tx) Site(ctx context.Context, scope Scope, id int64) (cordon.Site, error) {
	w, args := scope.where("s.jurisdiction")
	s, err := tx.scanSite(tx.queryRow(ctx, "SELECT "+siteColumns+" FROM sites s WHERE s.id = ? AND "+w, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return s, notFound("site")
	}
	if err != nil {
		return s, err
	}
	rows, err := tx.query(ctx, `SELECT a.id, a.username, a.display_name FROM site_staff f JOIN accounts a ON a.id = f.account_id
		WHERE f.site_id = ? ORDER BY a.username`, id)
	if err != nil {
		return s, err
	}
	defer rows.Close()
	for rows.Next() {
		var m cordon.SiteStaff
		if err := rows.Scan(&m.AccountID, &m.Username, &m.DisplayName); err != nil {
			return s, err
		}
		s.Staff = append(s.Staff, m)
	}
	return s, rows.Err()
}

// Sites lists the sites inside the scope (and under f.Within), newest
// first, with their occupancy.
func (tx *Tx) Sites(ctx context.Context, scope Scope, f cordon.SiteFilter) ([]cordon.Site, error) {
	f.Limit = clampLimit(f.Limit)
	return tx.sites(ctx, scope, f)
}

// maxOccupancySites bounds the sites of one occupancy overview: a
// province's quarantine hotels and centres.
const maxOccupancySites = 5000

// AllSites lists every site inside the scope and under within, for the
// occupancy overview.
func (tx *Tx) AllSites(ctx context.Context, scope Scope, within string) ([]cordon.Site, error) {
	return tx.sites(ctx, scope, cordon.SiteFilter{Within: within, Limit: maxOccupancySites})
}

func (tx *Tx) sites(ctx context.Context, scope Scope, f cordon.SiteFilter) ([]cordon.Site, error) {
	w, args := scope.where("s.jurisdiction")
	q := "SELECT " + siteColumns + " FROM sites s WHERE " + w
	if f.Within != "" {
		w2, a2 := Inside(f.Within).where("s.jurisdiction")
		q += " AND " + w2
		args = append(args, a2...)
	}
	if f.After > 0 {
		q += " AND s.id < ?"
		args = append(args, f.After)
	}
	q += " ORDER BY s.id DESC LIMIT ?"
	args = append(args, f.Limit)
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cordon.Site
	for rows.Next() {
		s, err := tx.scanSite(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// CreateRooms adds rooms to a site; a number the site has already is a
// Conflict.
func (tx *Tx) CreateRooms(ctx context.Context, site int64, in []cordon.RoomInput) ([]cordon.Room, error) {
	out := make([]cordon.Room, 0, len(in))
	for _, r := range in {
		id, err := tx.insert(ctx, "INSERT INTO rooms (site_id, number, floor, beds, created_at) VALUES (?, ?, ?, ?, ?)",
			site, r.Number, r.Floor, r.Beds, ts(tx.Now))
		if cordon.ErrorKind(err) == cordon.KindConflict {
			return nil, cordon.Errorf(cordon.KindConflict, "room.duplicate", "the site has a room %s already", r.Number).WithField("number", "room.duplicate")
		}
		if err != nil {
			return nil, err
		}
		out = append(out, cordon.Room{ID: id, SiteID: site, Number: r.Number, Floor: r.Floor, Beds: r.Beds})
	}
	return out, nil
}

// Rooms lists a site's rooms by floor and number, each with the people in
// it now.
func (tx *Tx) Rooms(ctx context.Context, site int64) ([]cordon.Room, error) {
	rows, err := tx.query(ctx, "SELECT id, site_id, number, floor, beds FROM rooms WHERE site_id = ?", site)
	if err != nil {
		return nil, err
	}
	var out []cordon.Room
	for rows.Next() {
		var r cordon.Room
		if err := rows.Scan(&r.ID, &r.SiteID, &r.Number, &r.Floor, &r.Beds); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b cordon.Room) int {
		if a.Floor != b.Floor {
			return a.Floor - b.Floor
		}
		return cordon.CompareRoomNumbers(a.Number, b.Number)
	})
	stays, err := tx.stays(ctx, "t.site_id = ? AND t.departed_at IS NULL ORDER BY t.id", site)
	if err != nil {
		return nil, err
	}
	at := map[int64]int{}
	for i, r := range out {
		at[r.ID] = i
	}
	for _, s := range stays {
		if i, ok := at[s.RoomID]; ok {
			out[i].Occupants = append(out[i].Occupants, s)
		}
	}
	return out, nil
}

const stayColumns = `t.id,
	t.person_id,
	p.name,
	p.doc_cipher,
	t.site_id,
	s.name,
	s.jurisdiction,
	t.room_id,
	r.number,
	r.floor,
	t.household,
	t.order_id,
	t.arrived_at,
	t.departed_at,
	t.departure_reason,
	t.transferred_to`

const stayFrom = ` FROM stays t
	JOIN persons p ON p.id = t.person_id
	JOIN sites s ON s.id = t.site_id
	JOIN rooms r ON r.id = t.room_id`

// stays lists the stays matching a condition on t (stays), p (persons),
// s (sites) and r (rooms).
func (tx *Tx) stays(ctx context.Context, where string, args ...any) ([]cordon.Stay, error) {
	rows, err := tx.query(ctx, "SELECT "+stayColumns+stayFrom+" WHERE "+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cordon.Stay
	for rows.Next() {
		var s cordon.Stay
		var doc []byte
		var order, to sql.NullInt64
		err := rows.Scan(&s.ID, &s.PersonID, &s.Name, &doc, &s.SiteID, &s.SiteName, &s.Jurisdiction, &s.RoomID, &s.RoomNumber, &s.Floor, &s.Household,
			&order, timeCol{&s.ArrivedAt}, timeCol{&s.DepartedAt}, &s.DepartureReason, &to)
		if err != nil {
			return nil, err
		}
		s.OrderID, s.TransferredTo = order.Int64, to.Int64
		if s.IDNumber, err = tx.db.vault.Open(fieldDoc, doc); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Stay reads a stay at a site inside the scope.
func (tx *Tx) Stay(ctx context.Context, scope Scope, id int64) (cordon.Stay, error) {
	w, args := scope.where("s.jurisdiction")
	out, err := tx.stays(ctx, "t.id = ? AND "+w, append([]any{id}, args...)...)
	if err != nil {
		return cordon.Stay{}, err
	}
	if len(out) == 0 {
		return cordon.Stay{}, notFound("stay")
	}
	return out[0], nil
}

// CurrentStays returns the stays of the persons that have not ended,
// wherever they are, by person.
func (tx *Tx) CurrentStays(ctx context.Context, persons []int64) (map[int64]cordon.Stay, error) {
	out := map[int64]cordon.Stay{}
	for len(persons) > 0 {
		n := min(len(persons), 500)
		args := make([]any, n)
		for i, id := range persons[:n] {
			args[i] = id
		}
		stays, err := tx.stays(ctx, "t.departed_at IS NULL AND t.person_id IN ("+placeholders(n)+")", args...)
		if err != nil {
			return nil, err
		}
		for _, s := range stays {
			out[s.PersonID] = s
		}
		persons = persons[n:]
	}
	return out, nil
}

// SiteStays lists the stays of a site, the current ones first by room,
// then up to limit of the ended ones, latest departure first.
func (tx *Tx) SiteStays(ctx context.Context, site int64, ended int) ([]cordon.Stay, error) {
	out, err := tx.stays(ctx, "t.site_id = ? AND t.departed_at IS NULL ORDER BY r.floor, r.number, t.id", site)
	if err != nil {
		return nil, err
	}
	gone, err := tx.stays(ctx, "t.site_id = ? AND t.departed_at IS NOT NULL ORDER BY t.departed_at DESC, t.id DESC LIMIT ?", site, ended)
	return append(out, gone...), err
}

// CreateStay opens a stay and sets its id. A person with a current stay
// anywhere is refused (site.already_assigned), even when two servers try
// at once.
func (tx *Tx) CreateStay(ctx context.Context, s *cordon.Stay, by int64) error {
	id, err := tx.insert(ctx, `INSERT INTO stays (
		person_id,
		site_id,
		room_id,
		household,
		order_id,
		arrived_at,
		created_by
	) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		s.PersonID, s.SiteID, s.RoomID, s.Household, nullID(s.OrderID), ts(s.ArrivedAt), nullID(by))
	if cordon.ErrorKind(err) == cordon.KindConflict {
		return cordon.AlreadyAssigned(s.PersonID)
	}
	if err != nil {
		return err
	}
	s.ID = id
	tx.TouchPerson(s.PersonID)
	return nil
}

// EndStay ends a current stay; one that ended already is a Conflict.
func (tx *Tx) EndStay(ctx context.Context, s cordon.Stay, at time.Time, reason cordon.DepartureReason, by int64) error {
	res, err := tx.exec(ctx, `UPDATE stays SET departed_at = ?, departure_reason = ?, departed_by = ? WHERE id = ? AND departed_at IS NULL`,
		ts(at), reason, nullID(by), s.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return cordon.Errorf(cordon.KindConflict, "stay.departed", "the person left this room already")
	}
	tx.TouchPerson(s.PersonID)
	return nil
}

// LinkTransfer records the stay that a transfer opened on the one it
// ended.
func (tx *Tx) LinkTransfer(ctx context.Context, from, to int64) error {
	_, err := tx.exec(ctx, "UPDATE stays SET transferred_to = ? WHERE id = ?", to, from)
	return err
}

// StayingInScope reports whether the person stays now at a site inside
// the scope: site staff look after the people in their rooms, wherever
// those live.
func (tx *Tx) StayingInScope(ctx context.Context, scope Scope, person int64) (bool, error) {
	w, args := scope.where("s.jurisdiction")
	var one int
	err := tx.queryRow(ctx, `SELECT 1 FROM stays t JOIN sites s ON s.id = t.site_id WHERE t.person_id = ? AND t.departed_at IS NULL AND `+w,
		append([]any{person}, args...)...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// ContactOf returns the jurisdiction and household of the person's open
// contact record, newest first; "" for both when they are no contact.
func (tx *Tx) ContactOf(ctx context.Context, person int64) (jurisdiction, household string, err error) {
	err = tx.queryRow(ctx, `SELECT jurisdiction, household FROM contacts
		WHERE person_id = ? AND merged_into IS NULL AND status IN ('identified', 'controlled')
		ORDER BY id DESC LIMIT 1`, person).Scan(&jurisdiction, &household)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil
	}
	return jurisdiction, household, err
}

// MissingChecks lists the people staying now at sites inside the scope who
// have no health check on day (YYYY-MM-DD), by site and room.
func (tx *Tx) MissingChecks(ctx context.Context, scope Scope, day string, limit int) ([]cordon.Stay, error) {
	w, args := scope.where("s.jurisdiction")
	return tx.stays(ctx, "t.departed_at IS NULL AND "+w+` AND NOT EXISTS (SELECT 1 FROM health_checks h WHERE h.person_id = t.person_id AND h.day = ?)
		ORDER BY s.id, r.floor, r.number, t.id LIMIT ?`, append(args, day, limit)...)
}

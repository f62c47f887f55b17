package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"cordon"
)

// Control orders. An order's phases are kept as JSON, its test days also
// one row each for the day's task list, and the samples of persons under
// an active order are copied aside by a trigger as they are registered
// (the migration says why): what an order's test days are judged by.

const orderColumns = `o.id, o.person_id, p.name, p.doc_cipher, p.phone_cipher, o.type, o.basis, o.contact_id, o.case_id, o.hold_id,
	o.linked_contact, o.linked_tests, o.population, o.edition, o.last_exposure, o.phases, o.starts_on, o.ends_on, o.required_from,
	o.status, o.release_kind, o.release_reason, o.released_at, o.released_by, o.converted_to, o.jurisdiction, o.note,
	o.created_name, o.created_at, o.updated_at, o.version`

const orderFrom = " FROM control_orders o JOIN persons p ON p.id = o.person_id"

func (tx *Tx) scanOrder(sc interface{ Scan(...any) error }) (cordon.ControlOrder, error) {
	var o cordon.ControlOrder
	var doc, phone []byte
	var contact, kase, hold, linked, converted sql.NullInt64
	var phases string
	err := sc.Scan(&o.ID, &o.PersonID, &o.Name, &doc, &phone, &o.Type, &o.Basis, &contact, &kase, &hold,
		&linked, &o.LinkedTests, &o.Population, &o.Edition, timeCol{&o.LastExposure}, &phases, &o.StartsOn, &o.EndsOn, &o.RequiredFrom,
		&o.Status, &o.ReleaseKind, &o.ReleaseReason, timeCol{&o.ReleasedAt}, &o.ReleasedBy, &converted, &o.Jurisdiction, &o.Note,
		&o.CreatedBy, timeCol{&o.CreatedAt}, timeCol{&o.UpdatedAt}, &o.Version)
	if err != nil {
		return o, err
	}
	o.ContactID, o.CaseID, o.HoldID, o.LinkedContact, o.ConvertedTo = contact.Int64, kase.Int64, hold.Int64, linked.Int64, converted.Int64
	if err := json.Unmarshal([]byte(phases), &o.Phases); err != nil {
		return o, err
	}
	if o.IDNumber, err = tx.db.vault.Open(fieldDoc, doc); err != nil {
		return o, err
	}
	o.Phone, err = tx.db.vault.Open(fieldPhone, phone)
	return o, err
}

// orders runs a query of orderColumns and reads every row before
// returning, so that the caller may query again in the transaction.
func (tx *Tx) orders(ctx context.Context, q string, args ...any) ([]cordon.ControlOrder, error) {
	rows, err := tx.query(ctx, "SELECT "+orderColumns+orderFrom+" WHERE "+q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cordon.ControlOrder
	for rows.Next() {
		o, err := tx.scanOrder(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// CreateOrder stores a new order, made now by createdBy, and sets its id,
// times and version.
func (tx *Tx) CreateOrder(ctx context.Context, o *cordon.ControlOrder, createdBy int64, createdName string) error {
	phases, err := json.Marshal(o.Phases)
	if err != nil {
		return err
	}
	o.CreatedAt, o.UpdatedAt, o.Version, o.CreatedBy = tx.Now, tx.Now, 1, createdName
	if o.RequiredFrom == "" {
		o.RequiredFrom = tx.Now.In(cordon.ChinaTime).Format("2006-01-02")
	}
	tx.TouchPerson(o.PersonID)
	o.ID, err = tx.insert(ctx, `INSERT INTO control_orders (
		person_id,
		type,
		basis,
		contact_id,
		case_id,
		hold_id,
		linked_contact,
		linked_tests,
		population,
		edition,
		last_exposure,
		phases,
		starts_on,
		ends_on,
		required_from,
		status,
		jurisdiction,
		note,
		created_by,
		created_name,
		created_at,
		updated_at,
		version
	) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
		o.PersonID, o.Type, o.Basis, nullID(o.ContactID), nullID(o.CaseID), nullID(o.HoldID), nullID(o.LinkedContact), o.LinkedTests,
		o.Population, o.Edition, ts(o.LastExposure), string(phases), o.StartsOn, o.EndsOn, o.RequiredFrom, o.Status,
		o.Jurisdiction, o.Note, nullID(createdBy), createdName, ts(tx.Now), ts(tx.Now))
	if err != nil {
		return err
	}
	return tx.setTestDays(ctx, *o)
}

// setTestDays replaces the order's rows of test days.
func (tx *Tx) setTestDays(ctx context.Context, o cordon.ControlOrder) error {
	if _, err := tx.exec(ctx, "DELETE FROM order_test_days WHERE order_id = ?", o.ID); err != nil {
		return err
	}
	for _, d := range o.TestDays() {
		if _, err := tx.exec(ctx, "INSERT INTO order_test_days (order_id, day) VALUES (?, ?) ON CONFLICT DO NOTHING", o.ID, d); err != nil {
			return err
		}
	}
	return nil
}

// UpdateOrder replaces what changes in an order's life: its plan (an
// extension), its status and release, the order that replaced it. A
// non-zero version makes the update happen only if nobody changed the
// order meanwhile.
func (tx *Tx) UpdateOrder(ctx context.Context, o cordon.ControlOrder, version int) error {
	phases, err := json.Marshal(o.Phases)
	if err != nil {
		return err
	}
	tx.TouchPerson(o.PersonID)
	q := `UPDATE control_orders SET
		type = ?,
		linked_contact = ?,
		linked_tests = ?,
		population = ?,
		edition = ?,
		last_exposure = ?,
		phases = ?,
		starts_on = ?,
		ends_on = ?,
		status = ?,
		release_kind = ?,
		release_reason = ?,
		released_at = ?,
		released_by = ?,
		converted_to = ?,
		note = ?,
		updated_at = ?,
		version = version + 1
	WHERE id = ?`
	args := []any{o.Type, nullID(o.LinkedContact), o.LinkedTests, o.Population, o.Edition, ts(o.LastExposure), string(phases),
		o.StartsOn, o.EndsOn, o.Status, o.ReleaseKind, o.ReleaseReason, ts(o.ReleasedAt), o.ReleasedBy, nullID(o.ConvertedTo),
		o.Note, ts(tx.Now), o.ID}
	if version > 0 {
		q += " AND version = ?"
		args = append(args, version)
	}
	res, err := tx.exec(ctx, q, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return cordon.Errorf(cordon.KindConflict, "order.changed", "the order was changed meanwhile; reload it").WithField("version", "order.changed")
	}
	return tx.setTestDays(ctx, o)
}

// Order reads one order whose jurisdiction lies in the scope.
func (tx *Tx) Order(ctx context.Context, scope Scope, id int64) (cordon.ControlOrder, error) {
	w, args := scope.where("o.jurisdiction")
	out, err := tx.orders(ctx, "o.id = ? AND "+w, append([]any{id}, args...)...)
	if err != nil {
		return cordon.ControlOrder{}, err
	}
	if len(out) == 0 {
		return cordon.ControlOrder{}, notFound("order")
	}
	return out[0], nil
}

// Orders lists the orders whose jurisdiction lies in the scope, newest
// first, by the filter. Due and Overdue are judged on f.Day.
func (tx *Tx) Orders(ctx context.Context, scope Scope, f cordon.OrderFilter) ([]cordon.ControlOrder, error) {
	w, args := scope.where("o.jurisdiction")
	where := []string{w}
	add := func(cond string, v ...any) {
		where, args = append(where, cond), append(args, v...)
	}
	if f.Status != "" {
		add("o.status = ?", f.Status)
	}
	if f.Type != "" {
		add("o.type = ?", f.Type)
	}
	if f.PersonID > 0 {
		add("o.person_id = ?", f.PersonID)
	}
	if f.ContactID > 0 {
		add("o.contact_id = ?", f.ContactID)
	}
	if f.Due {
		add("o.id IN (SELECT d.order_id FROM order_test_days d WHERE d.day = ?)", f.Day)
	}
	if f.Overdue {
		add(`EXISTS (SELECT 1 FROM order_test_days d WHERE d.order_id = o.id AND d.day < ? AND d.day >= o.required_from
			AND NOT EXISTS (SELECT 1 FROM order_samples s WHERE s.person_id = o.person_id AND s.day = d.day))`, f.Day)
	}
	if f.After > 0 {
		add("o.id < ?", f.After)
	}
	args = append(args, clampLimit(f.Limit))
	return tx.orders(ctx, strings.Join(where, " AND ")+" ORDER BY o.id DESC LIMIT ?", args...)
}

// PersonOrders lists every order of a person, whatever its status and
// wherever it is, oldest first: what the person's health code is computed
// from ((cordon.ControlOrder).CodeFacts) and what the person's pages show.
func (tx *Tx) PersonOrders(ctx context.Context, personID int64) ([]cordon.ControlOrder, error) {
	return tx.orders(ctx, "o.person_id = ? ORDER BY o.id", personID)
}

// ContactOrders lists the orders made for a contact record, oldest first.
func (tx *Tx) ContactOrders(ctx context.Context, contactID int64) ([]cordon.ControlOrder, error) {
	return tx.orders(ctx, "o.contact_id = ? ORDER BY o.id", contactID)
}

// PersonTests lists the samples of a person taken from day from to day to
// (China time, both included) while the person was under an active
// order, each with its tube's result, oldest first.
func (tx *Tx) PersonTests(ctx context.Context, personID int64, from, to string) ([]cordon.TestResult, error) {
	m, err := tx.PersonsTests(ctx, []int64{personID}, from, to)
	return m[personID], err
}

// PersonsTests is PersonTests for many persons at once, by person.
func (tx *Tx) PersonsTests(ctx context.Context, personIDs []int64, from, to string) (map[int64][]cordon.TestResult, error) {
	out := map[int64][]cordon.TestResult{}
	ids := make([]any, len(personIDs))
	for i, id := range personIDs {
		ids[i] = id
	}
	err := tx.queryIn(ctx, `SELECT s.person_id, s.day, s.collected_at, t.barcode, t.pool_size, t.result, t.resulted_at
		FROM order_samples s JOIN tubes t ON t.id = s.tube_id
		WHERE s.day >= ? AND s.day <= ? AND s.person_id IN (%s) ORDER BY s.person_id, s.collected_at`, []any{from, to}, ids,
		func(rows *sql.Rows) error {
			var id int64
			var r cordon.TestResult
			if err := rows.Scan(&id, &r.Day, timeCol{&r.CollectedAt}, &r.Tube, &r.PoolSize, &r.Outcome, timeCol{&r.ResultedAt}); err != nil {
				return err
			}
			out[id] = append(out[id], r)
			return nil
		})
	return out, err
}

// HeldPerson is a registered person a positive pool put on a retest
// hold, with no order for the hold yet.
type HeldPerson struct {
	HoldID   int64
	PersonID int64
	Current  string // the person's current place
	PlacedAt string // the day the hold began, China time
}

// HoldsWithoutOrder lists the active retest holds of registered persons
// placed in this transaction that have no order yet.
func (tx *Tx) HoldsWithoutOrder(ctx context.Context) ([]HeldPerson, error) {
	rows, err := tx.query(ctx, `SELECT h.id, h.person_id, p.current FROM holds h JOIN persons p ON p.id = h.person_id
		WHERE h.status = ? AND h.kind = ? AND h.placed_at = ?
		AND NOT EXISTS (SELECT 1 FROM control_orders o WHERE o.hold_id = h.id) ORDER BY h.id`, cordon.HoldActive, cordon.HoldRetest, ts(tx.Now))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []HeldPerson
	day := tx.Now.In(cordon.ChinaTime).Format("2006-01-02")
	for rows.Next() {
		h := HeldPerson{PlacedAt: day}
		if err := rows.Scan(&h.HoldID, &h.PersonID, &h.Current); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// EndedHoldOrders lists the active orders whose retest hold a negative
// single tube released in this transaction.
func (tx *Tx) EndedHoldOrders(ctx context.Context) ([]cordon.ControlOrder, error) {
	return tx.orders(ctx, `o.status = ? AND o.hold_id IN (SELECT h.id FROM holds h WHERE h.status = ? AND h.closed_at = ?) ORDER BY o.id`,
		cordon.OrderActive, cordon.HoldReleased, ts(tx.Now))
}

// OrderPerson reads what an order needs of a person inside the scope: the
// current place. A merged record is a Conflict naming the survivor.
func (tx *Tx) OrderPerson(ctx context.Context, scope Scope, id int64) (current string, err error) {
	w, args := scope.whereAny("residence", "current")
	var merged sql.NullInt64
	err = tx.queryRow(ctx, "SELECT current, merged_into FROM persons WHERE id = ? AND "+w, append([]any{id}, args...)...).Scan(&current, &merged)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", notFound("person")
	case err == nil && merged.Valid:
		e := cordon.Errorf(cordon.KindConflict, "person.merged", "person %d was merged into %d", id, merged.Int64).WithField("person_id", "person.merged")
		e.Extra = map[string]any{"id": merged.Int64}
		return "", e
	}
	return current, err
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"cordon"
)

// Field names bound into ciphertexts and blind indexes.
const (
	fieldDoc   = "id_number"
	fieldPhone = "phone"
)

// docIndex indexes a document by type and number, so that equal numbers on
// different documents never collide.
func (db *DB) docIndex(t cordon.DocType, number string) []byte {
	return db.vault.Index(fieldDoc, string(t)+":"+number)
}

const personColumns = `id,
	name,
	doc_type,
	doc_cipher,
	phone_cipher,
	sex,
	birth_date,
	residence,
	address,
	current,
	merged_into,
	created_at,
	updated_at,
	version`

func (tx *Tx) scanPerson(sc interface{ Scan(...any) error }) (cordon.Person, error) {
	var p cordon.Person
	var doc, phone []byte
	var merged sql.NullInt64
	err := sc.Scan(&p.ID, &p.Name, &p.DocType, &doc, &phone, &p.Sex, &p.BirthDate,
		&p.Residence, &p.Address, &p.Current, &merged, timeCol{&p.CreatedAt}, timeCol{&p.UpdatedAt}, &p.Version)
	if err != nil {
		return p, err
	}
	p.MergedInto = merged.Int64
	if p.IDNumber, err = tx.db.vault.Open(fieldDoc, doc); err != nil {
		return p, err
	}
	if p.Phone, err = tx.db.vault.Open(fieldPhone, phone); err != nil {
		return p, err
	}
	return p, nil
}

// CreatePerson inserts a validated person and sets its id and times. A
// document already registered is a Conflict whose Extra["id"] names the
// existing person, found without regard to scope so that no one registers
// the same person twice in two jurisdictions.
func (tx *Tx) CreatePerson(ctx context.Context, p *cordon.Person, createdBy int64) error {
	idx := tx.db.docIndex(p.DocType, p.IDNumber)
	p.CreatedAt, p.UpdatedAt, p.Version = tx.Now, tx.Now, 1
	defer func() { tx.TouchPerson(p.ID) }() // a case or hold filed under the document may await them
	var id int64
	err := tx.queryRow(ctx, `INSERT INTO persons (
		name,
		doc_type,
		doc_cipher,
		doc_index,
		phone_cipher,
		phone_index,
		sex,
		birth_date,
		residence,
		address,
		current,
		created_by,
		created_at,
		updated_at,
		version
	) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
	ON CONFLICT (doc_index) DO NOTHING
	RETURNING id`,
		p.Name, p.DocType, tx.db.vault.Seal(fieldDoc, p.IDNumber), idx,
		tx.db.vault.Seal(fieldPhone, p.Phone), tx.db.vault.Index(fieldPhone, p.Phone),
		p.Sex, p.BirthDate, p.Residence, p.Address, p.Current, nullID(createdBy), ts(tx.Now), ts(tx.Now)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		// The document is registered already, live or merged away: the
		// insert did nothing, and the transaction stays usable on both
		// databases.
		if id, err = tx.personIDByIndex(ctx, idx); err != nil {
			return tx.db.mapErr(err)
		}
		return duplicatePerson(id)
	}
	if err != nil {
		return tx.db.mapErr(err)
	}
	p.ID = id
	return nil
}

func duplicatePerson(id int64) error {
	e := cordon.Errorf(cordon.KindConflict, "person.duplicate", "a person with this identity document exists already").WithField("id_number", "person.duplicate")
	e.Extra = map[string]any{"id": id}
	return e
}

// personIDByIndex finds the person registered with a document index: the
// record itself, or the survivor it was merged into.
func (tx *Tx) personIDByIndex(ctx context.Context, idx []byte) (int64, error) {
	var id int64
	var merged sql.NullInt64
	err := tx.queryRow(ctx, "SELECT id, merged_into FROM persons WHERE doc_index = ?", idx).Scan(&id, &merged)
	for hops := 0; err == nil && merged.Valid; hops++ {
		if hops == maxMergeHops {
			return 0, fmt.Errorf("store: person %d: merge chain longer than %d", id, maxMergeHops)
		}
		id = merged.Int64
		err = tx.queryRow(ctx, "SELECT merged_into FROM persons WHERE id = ?", id).Scan(&merged)
	}
	return id, err
}

// maxMergeHops bounds a walk along merged records. MergePersons refuses to
// merge a merged record, so a chain cannot loop; a bug must not hang a read.
const maxMergeHops = 32

// Person reads one person inside the scope.
func (tx *Tx) Person(ctx context.Context, scope Scope, id int64) (cordon.Person, error) {
	w, args := scope.whereAny("residence", "current")
	p, err := tx.scanPerson(tx.queryRow(ctx, "SELECT "+personColumns+" FROM persons WHERE id = ? AND "+w, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return p, notFound("person")
	}
	return p, err
}

// PersonByDocument finds a person by document type and number inside the
// scope, through the blind index. A merged record leads to its survivor.
func (tx *Tx) PersonByDocument(ctx context.Context, scope Scope, t cordon.DocType, number string) (cordon.Person, error) {
	w, args := scope.whereAny("residence", "current")
	p, err := tx.scanPerson(tx.queryRow(ctx, "SELECT "+personColumns+" FROM persons WHERE doc_index = ? AND "+w,
		append([]any{tx.db.docIndex(t, number)}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return p, notFound("person")
	}
	// Follow the merges to the record that survives in the end: a survivor
	// may have been merged into another record later.
	for hops := 0; err == nil && p.MergedInto != 0; hops++ {
		if hops == maxMergeHops {
			return cordon.Person{}, fmt.Errorf("store: person %d: merge chain longer than %d", p.ID, maxMergeHops)
		}
		p, err = tx.Person(ctx, scope, p.MergedInto)
	}
	return p, err
}

// Persons lists persons in the scope matching the filter, newest first.
func (tx *Tx) Persons(ctx context.Context, scope Scope, f cordon.PersonFilter) ([]cordon.Person, error) {
	w, args := scope.whereAny("residence", "current")
	var b strings.Builder
	b.WriteString("SELECT " + personColumns + " FROM persons WHERE merged_into IS NULL AND " + w)
	if f.Jurisdiction != "" {
		jw, ja := Inside(f.Jurisdiction).whereAny("residence", "current")
		b.WriteString(" AND " + jw)
		args = append(args, ja...)
	}
	if f.IDNumber != "" {
		b.WriteString(" AND doc_index = ?")
		args = append(args, tx.db.docIndex(cordon.DocCitizenID, f.IDNumber))
	}
	if f.Phone != "" {
		b.WriteString(" AND phone_index = ?")
		args = append(args, tx.db.vault.Index(fieldPhone, f.Phone))
	}
	if f.Query != "" {
		// A name prefix: a byte range, which both databases answer from the
		// name index (PostgreSQL compares in the C collation).
		b.WriteString(" AND name >= ? AND name < ?")
		args = append(args, f.Query, f.Query+"\U0010FFFF")
	}
	if f.After > 0 {
		b.WriteString(" AND id < ?")
		args = append(args, f.After)
	}
	b.WriteString(" ORDER BY id DESC LIMIT ?")
	args = append(args, clampLimit(f.Limit))
	return tx.persons(ctx, b.String(), args...)
}

// CountPersons counts live persons in the scope.
func (tx *Tx) CountPersons(ctx context.Context, scope Scope) (int, error) {
	w, args := scope.whereAny("residence", "current")
	var n int
	err := tx.queryRow(ctx, "SELECT COUNT(*) FROM persons WHERE merged_into IS NULL AND "+w, args...).Scan(&n)
	return n, err
}

// UpdatePerson replaces a person's fields. With a non-zero version the
// update happens only if nobody changed the record meanwhile.
func (tx *Tx) UpdatePerson(ctx context.Context, scope Scope, p *cordon.Person, version int) error {
	tx.TouchPerson(p.ID)
	idx := tx.db.docIndex(p.DocType, p.IDNumber)
	var other int64
	switch err := tx.queryRow(ctx, "SELECT id FROM persons WHERE doc_index = ? AND id <> ?", idx, p.ID).Scan(&other); {
	case err == nil:
		// Another record, live or merged away, holds the document.
		if id, err := tx.personIDByIndex(ctx, idx); err == nil {
			other = id
		}
		return duplicatePerson(other)
	case !errors.Is(err, sql.ErrNoRows):
		return tx.db.mapErr(err)
	}
	w, args := scope.whereAny("residence", "current")
	q := `UPDATE persons SET
		name = ?,
		doc_type = ?,
		doc_cipher = ?,
		doc_index = ?,
		phone_cipher = ?,
		phone_index = ?,
		sex = ?,
		birth_date = ?,
		residence = ?,
		address = ?,
		current = ?,
		updated_at = ?,
		version = version + 1
	WHERE id = ? AND merged_into IS NULL AND ` + w
	a := []any{p.Name, p.DocType, tx.db.vault.Seal(fieldDoc, p.IDNumber), idx,
		tx.db.vault.Seal(fieldPhone, p.Phone), tx.db.vault.Index(fieldPhone, p.Phone),
		p.Sex, p.BirthDate, p.Residence, p.Address, p.Current, ts(tx.Now), p.ID}
	a = append(a, args...)
	if version > 0 {
		q += " AND version = ?"
		a = append(a, version)
	}
	res, err := tx.exec(ctx, q, a...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := tx.Person(ctx, scope, p.ID); err != nil {
			return err
		}
		return cordon.Errorf(cordon.KindConflict, "person.version_conflict", "the person was changed meanwhile; reload and try again")
	}
	*p, err = tx.Person(ctx, scope, p.ID)
	return err
}

// MergePersons marks drop as the same person as keep. Both records stay, so
// both histories stay; drop points to keep and no longer lists or matches.
func (tx *Tx) MergePersons(ctx context.Context, scope Scope, keep, drop int64) error {
	tx.TouchPerson(keep, drop)
	if keep == drop {
		return cordon.Errorf(cordon.KindInvalid, "person.merge_self", "a person cannot be merged into itself")
	}
	for _, id := range []int64{keep, drop} {
		p, err := tx.Person(ctx, scope, id)
		if err != nil {
			return err
		}
		if p.MergedInto != 0 {
			return cordon.Errorf(cordon.KindConflict, "person.merged_already", "person %d was merged already", id)
		}
	}
	_, err := tx.exec(ctx, "UPDATE persons SET merged_into = ?, updated_at = ?, version = version + 1 WHERE id = ?", keep, ts(tx.Now), drop)
	return err
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// resealPersons re-encrypts, in transactions of batch persons, every identity
// number and phone that is not sealed with the vault's current data key,
// so that an old key can be retired after a rotation (docs/keys.md). The
// blind indexes do not change. It returns how many persons it re-sealed.
func (db *DB) resealPersons(ctx context.Context, batch int) (int, error) {
	if batch <= 0 {
		batch = 1000
	}
	type sealed struct {
		id         int64
		doc, phone []byte
	}
	total := 0
	var after int64
	for {
		var rows []sealed
		err := db.Transact(ctx, func(tx *Tx) error {
			rs, err := tx.query(ctx, "SELECT id, doc_cipher, phone_cipher FROM persons WHERE id > ? ORDER BY id LIMIT ?", after, batch)
			if err != nil {
				return err
			}
			for rs.Next() {
				var s sealed
				if err := rs.Scan(&s.id, &s.doc, &s.phone); err != nil {
					rs.Close()
					return err
				}
				rows = append(rows, s)
			}
			rs.Close()
			if err := rs.Err(); err != nil {
				return err
			}
			for _, s := range rows {
				if db.vault.Current(s.doc) && db.vault.Current(s.phone) {
					continue
				}
				doc, err := db.vault.Open(fieldDoc, s.doc)
				if err != nil {
					return fmt.Errorf("person %d: %w", s.id, err)
				}
				phone, err := db.vault.Open(fieldPhone, s.phone)
				if err != nil {
					return fmt.Errorf("person %d: %w", s.id, err)
				}
				if _, err := tx.exec(ctx, "UPDATE persons SET doc_cipher = ?, phone_cipher = ? WHERE id = ?",
					db.vault.Seal(fieldDoc, doc), db.vault.Seal(fieldPhone, phone), s.id); err != nil {
					return err
				}
				total++
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		if len(rows) < batch {
			return total, nil
		}
		after = rows[len(rows)-1].id
	}
}

// Reseal re-encrypts, in transactions of batch rows, every identity number
// and phone not sealed with the vault's current data key: in persons, and
// in the copies that samples, holds, positives, cases, passages and assist
// requests keep of a document or a phone; and the envelopes waiting in the
// outbox to peers. It returns how many rows it changed; after it, the old data
// keys can be retired.
func (db *DB) Reseal(ctx context.Context, batch int) (int, error) {
	if batch <= 0 {
		batch = 1000
	}
	total, err := db.resealPersons(ctx, batch)
	if err != nil {
		return total, err
	}
	for _, t := range []struct {
		table, column, field string
		keys                 []string
	}{
		{"samples", "doc_cipher", fieldDoc, []string{"tube_id", "slot"}},
		{"holds", "doc_cipher", fieldDoc, []string{"id"}},
		{"positives", "doc_cipher", fieldDoc, []string{"id"}},
		{"cases", "doc_cipher", fieldDoc, []string{"id"}},
		{"venues", "contact_cipher", fieldPhone, []string{"id"}},
		{"sites", "manager_cipher", fieldPhone, []string{"id"}},
		{"passages", "phone_cipher", fieldPhone, []string{"id"}},
		{"assist_people", "doc_cipher", fieldDoc, []string{"id"}},
		{"assist_people", "phone_cipher", fieldPhone, []string{"id"}},
		{"peer_outbox", "envelope", fieldPeerEnvelope, []string{"seq"}},
	} {
		n, err := db.resealDocs(ctx, t.table, t.column, t.field, t.keys, batch)
		total += n
		if err != nil {
			return total, fmt.Errorf("%s: %w", t.table, err)
		}
	}
	n, err := db.resealInvestigations(ctx, batch)
	total += n
	if err != nil {
		return total, fmt.Errorf("investigations: %w", err)
	}
	return total, nil
}

// resealDocs re-encrypts a sealed column of a table (an identity number
// or a phone, as field says), walking it in key order; empty cells stay.
func (db *DB) resealDocs(ctx context.Context, table, column, field string, keys []string, batch int) (int, error) {
	cols := strings.Join(keys, ", ")
	marks := placeholders(len(keys))
	var where []string
	for _, k := range keys {
		where = append(where, k+" = ?")
	}
	total := 0
	var after []any
	for {
		type row struct {
			key []any
			doc []byte
		}
		var rows []row
		err := db.Transact(ctx, func(tx *Tx) error {
			q := "SELECT " + cols + ", " + column + " FROM " + table + " WHERE " + column + " IS NOT NULL"
			args := []any{}
			if after != nil {
				q += " AND (" + cols + ") > (" + marks + ")"
				args = append(args, after...)
			}
			rs, err := tx.query(ctx, q+" ORDER BY "+cols+" LIMIT ?", append(args, batch)...)
			if err != nil {
				return err
			}
			for rs.Next() {
				r := row{key: make([]any, len(keys))}
				ptrs := make([]any, len(keys)+1)
				ints := make([]int64, len(keys))
				for i := range keys {
					ptrs[i] = &ints[i]
				}
				ptrs[len(keys)] = &r.doc
				if err := rs.Scan(ptrs...); err != nil {
					rs.Close()
					return err
				}
				for i := range ints {
					r.key[i] = ints[i]
				}
				rows = append(rows, r)
			}
			rs.Close()
			if err := rs.Err(); err != nil {
				return err
			}
			for _, r := range rows {
				if len(r.doc) == 0 || db.vault.Current(r.doc) {
					continue
				}
				doc, err := db.vault.Open(field, r.doc)
				if err != nil {
					return fmt.Errorf("%v: %w", r.key, err)
				}
				if _, err := tx.exec(ctx, "UPDATE "+table+" SET "+column+" = ? WHERE "+strings.Join(where, " AND "),
					append([]any{db.vault.Seal(field, doc)}, r.key...)...); err != nil {
					return err
				}
				total++
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		if len(rows) < batch {
			return total, nil
		}
		after = rows[len(rows)-1].key
	}
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"cordon"
)

// contactsLock serialises the transactions that write contacts on
// PostgreSQL, so that the search for a person's existing record and the
// insert of a new one are one step, as they are under SQLite's single
// writer. Opening a case takes the cases lock first, then this one, then
// the links lock; nothing takes them in another order.
const contactsLock = 0x636f72646f6e10 // "cordon" 0x10

// LockContacts makes the transaction wait for any other that writes
// contacts.
func (tx *Tx) LockContacts(ctx context.Context) error {
	return tx.db.dialect.serialize(ctx, tx, contactsLock)
}

// ContactKey is who a contact is, sealed for storage and indexed for
// lookup: a registered person, or the name, document and phone entered.
type ContactKey struct {
	PersonID    int64
	Name        string
	DocType     cordon.DocType
	Current     string // the registered person's current place
	docIndex    []byte
	docCipher   []byte
	phoneIndex  []byte
	phoneCipher []byte
}

// HasDocument reports whether the key holds an identity document.
func (k ContactKey) HasDocument() bool { return len(k.docIndex) > 0 }

// HasPhone reports whether the key holds a phone.
func (k ContactKey) HasPhone() bool { return len(k.phoneIndex) > 0 }

// ContactKey seals an identity entered without a registered person.
func (db *DB) ContactKey(id cordon.ContactIdentity) ContactKey {
	k := ContactKey{Name: id.Name, DocType: id.DocType}
	if id.IDNumber != "" {
		k.docIndex, k.docCipher = db.docIndex(id.DocType, id.IDNumber), db.vault.Seal(fieldDoc, id.IDNumber)
	}
	if id.Phone != "" {
		k.phoneIndex, k.phoneCipher = db.vault.Index(fieldPhone, id.Phone), db.vault.Seal(fieldPhone, id.Phone)
	}
	return k
}

// PersonContactKey reads the key of a registered person inside the scope.
// A merged record is a Conflict naming the survivor.
func (tx *Tx) PersonContactKey(ctx context.Context, scope Scope, id int64) (ContactKey, error) {
	w, args := scope.whereAny("residence", "current")
	k := ContactKey{}
	var merged sql.NullInt64
	err := tx.queryRow(ctx, `SELECT id, name, doc_type, doc_index, doc_cipher, phone_index, phone_cipher, current, merged_into
		FROM persons WHERE id = ? AND `+w, append([]any{id}, args...)...).
		Scan(&k.PersonID, &k.Name, &k.DocType, &k.docIndex, &k.docCipher, &k.phoneIndex, &k.phoneCipher, &k.Current, &merged)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return k, notFound("person")
	case err != nil:
		return k, err
	case merged.Valid:
		e := cordon.Errorf(cordon.KindConflict, "person.merged", "person %d was merged into %d", id, merged.Int64).WithField("person_id", "person.merged")
		e.Extra = map[string]any{"id": merged.Int64}
		return k, e
	}
	return k, nil
}

// keyArgs are the values that find a key's records: the person, the
// document, and the phone with the name (nil where the key has none, which
// matches nothing).
func (k ContactKey) keyArgs() (person, doc, phone, name any) {
	if k.PersonID != 0 {
		person = k.PersonID
	}
	if len(k.docIndex) > 0 {
		doc = k.docIndex
	}
	if len(k.phoneIndex) > 0 {
		phone, name = k.phoneIndex, k.Name
	}
	return
}

// ContactsOf lists the ids of the contact records of an identity inside
// the scope, merged records left out: the person's records, records with
// the same document, and unmatched records with the same phone and name.
// Records of the person come first.
func (tx *Tx) ContactsOf(ctx context.Context, scope Scope, k ContactKey) ([]int64, error) {
	w, args := scope.where("jurisdiction")
	person, doc, phone, name := k.keyArgs()
	return tx.ids(ctx, `SELECT id FROM contacts WHERE merged_into IS NULL AND `+w+` AND (person_id = ? OR doc_index = ?
		OR (person_id IS NULL AND phone_index = ? AND name = ?))
		ORDER BY CASE WHEN person_id = ? THEN 0 WHEN doc_index = ? THEN 1 ELSE 2 END, id`,
		append(args, person, doc, phone, name, person, doc)...)
}

func (tx *Tx) ids(ctx context.Context, q string, args ...any) ([]int64, error) {
	return column[int64](tx, ctx, q, args...)
}

// OpenCaseOf finds the open case (no outcome yet) of an identity; 0 when
// there is none. An identity known by phone and name only has none.
func (tx *Tx) OpenCaseOf(ctx context.Context, k ContactKey) (int64, error) {
	person, doc, _, _ := k.keyArgs()
	var id int64
	err := tx.queryRow(ctx, "SELECT id FROM cases WHERE outcome = '' AND (person_id = ? OR doc_index = ?) ORDER BY id LIMIT 1", person, doc).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// IsCasePerson reports whether the identity is the person of the case.
func (tx *Tx) IsCasePerson(ctx context.Context, caseID int64, k ContactKey) (bool, error) {
	person, doc, _, _ := k.keyArgs()
	var one int
	err := tx.queryRow(ctx, "SELECT 1 FROM cases WHERE id = ? AND (person_id = ? OR doc_index = ?)", caseID, person, doc).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// IsContactPerson reports whether the identity is the person of the
// contact record.
func (tx *Tx) IsContactPerson(ctx context.Context, contactID int64, k ContactKey) (bool, error) {
	person, doc, phone, name := k.keyArgs()
	var one int
	err := tx.queryRow(ctx, `SELECT 1 FROM contacts WHERE id = ? AND (person_id = ? OR doc_index = ?
		OR (phone_index = ? AND name = ?))`, contactID, person, doc, phone, name).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// CreateContact stores a new contact, identified now, for the key; the
// caller adds its first exposure and refreshes it.
func (tx *Tx) CreateContact(ctx context.Context, c *cordon.Contact, k ContactKey, createdBy int64) error {
	c.Status, c.IdentifiedAt, c.CreatedAt, c.UpdatedAt, c.Version = cordon.ContactIdentified, tx.Now, tx.Now, tx.Now, 1
	c.PersonID, c.Name, c.DocType = k.PersonID, k.Name, k.DocType
	tx.TouchPerson(k.PersonID)
	var err error
	c.ID, err = tx.insert(ctx, `INSERT INTO contacts (
		person_id,
		name,
		doc_type,
		doc_cipher,
		doc_index,
		phone_cipher,
		phone_index,
		kind,
		status,
		jurisdiction,
		household,
		note,
		identified_at,
		created_by,
		created_at,
		updated_at,
		version
	) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
		nullID(k.PersonID), k.Name, string(k.DocType), k.docCipher, k.docIndex, k.phoneCipher, k.phoneIndex,
		c.Kind, c.Status, c.Jurisdiction, c.Household, c.Note, ts(tx.Now), nullID(createdBy), ts(tx.Now), ts(tx.Now))
	return err
}

// LinkContactPerson links an unmatched contact to a registered person,
// copying the person's sealed identity so that a case opened for the
// person finds the contact by document as well.
func (tx *Tx) LinkContactPerson(ctx context.Context, id int64, k ContactKey) error {
	tx.TouchPerson(k.PersonID)
	res, err := tx.exec(ctx, `UPDATE contacts SET
		person_id = ?,
		name = ?,
		doc_type = ?,
		doc_cipher = ?,
		doc_index = ?,
		phone_cipher = COALESCE(?, phone_cipher),
		phone_index = COALESCE(?, phone_index),
		updated_at = ?,
		version = version + 1
	WHERE id = ? AND person_id IS NULL AND merged_into IS NULL`,
		k.PersonID, k.Name, string(k.DocType), k.docCipher, k.docIndex, k.phoneCipher, k.phoneIndex, ts(tx.Now), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return cordon.Errorf(cordon.KindConflict, "contact.matched_already", "the contact is linked to a person already")
	}
	return nil
}

// SetContactIdentity replaces the identity of an unmatched contact.
func (tx *Tx) SetContactIdentity(ctx context.Context, id int64, k ContactKey) error {
	_, err := tx.exec(ctx, `UPDATE contacts SET
		name = ?,
		doc_type = ?,
		doc_cipher = ?,
		doc_index = ?,
		phone_cipher = ?,
		phone_index = ?
	WHERE id = ? AND person_id IS NULL`, k.Name, string(k.DocType), k.docCipher, k.docIndex, k.phoneCipher, k.phoneIndex, id)
	return err
}

// UpdateContact writes a contact's own fields (jurisdiction, household,
// note) if nobody changed the record since version was read (0 skips the
// check).
func (tx *Tx) UpdateContact(ctx context.Context, c cordon.Contact, version int) error {
	q := `UPDATE contacts SET
		jurisdiction = ?,
		household = ?,
		note = ?,
		updated_at = ?,
		version = version + 1
	WHERE id = ? AND merged_into IS NULL`
	args := []any{c.Jurisdiction, c.Household, c.Note, ts(tx.Now), c.ID}
	tx.TouchPerson(c.PersonID)
	if version > 0 {
		q += " AND version = ?"
		args = append(args, version)
	}
	res, err := tx.exec(ctx, q, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return contactChanged()
	}
	return nil
}

func contactChanged() error {
	return cordon.Errorf(cordon.KindConflict, "contact.changed", "the contact was changed meanwhile; reload it").WithField("version", "contact.changed")
}

// SetContactState writes a contact's status and its times if nobody
// changed the record since version was read (0 skips the check).
func (tx *Tx) SetContactState(ctx context.Context, c cordon.Contact, version int) error {
	q := `UPDATE contacts SET
		status = ?,
		identified_at = ?,
		controlled_at = ?,
		released_at = ?,
		case_id = ?,
		became_case_at = ?,
		updated_at = ?,
		version = version + 1
	WHERE id = ? AND merged_into IS NULL`
	args := []any{c.Status, ts(c.IdentifiedAt), ts(c.ControlledAt), ts(c.ReleasedAt), nullID(c.CaseID), ts(c.BecameCaseAt), ts(tx.Now), c.ID}
	tx.TouchPerson(c.PersonID)
	if version > 0 {
		q += " AND version = ?"
		args = append(args, version)
	}
	res, err := tx.exec(ctx, q, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return contactChanged()
	}
	return nil
}

// MarkContactMerged records that drop is the same contact as keep. The
// record stays, pointing to keep; it no longer lists or matches.
func (tx *Tx) MarkContactMerged(ctx context.Context, drop, keep int64) error {
	if err := tx.touchContacts(ctx, drop, keep); err != nil {
		return err
	}
	res, err := tx.exec(ctx, "UPDATE contacts SET merged_into = ?, updated_at = ?, version = version + 1 WHERE id = ? AND merged_into IS NULL", keep, ts(tx.Now), drop)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return cordon.Errorf(cordon.KindConflict, "contact.merged_already", "contact %d was merged already", drop)
	}
	// Secondary contacts traced to the dropped record are traced to the
	// kept one now.
	_, err = tx.exec(ctx, "UPDATE contact_exposures SET source_contact = ?, updated_at = ? WHERE source_contact = ?", keep, ts(tx.Now), drop)
	return err
}

// RefreshContact recomputes what a contact's exposures decide: its kind
// (close when any active exposure is close) and its first and last
// exposure.
func (tx *Tx) RefreshContact(ctx context.Context, id int64) error {
	_, err := tx.exec(ctx, `UPDATE contacts SET
		kind = CASE WHEN EXISTS (SELECT 1 FROM contact_exposures e WHERE e.contact_id = contacts.id
			AND e.superseded_at IS NULL AND e.kind = 'close') THEN 'close' ELSE 'secondary' END,
		first_exposure = (SELECT MIN(e.first_at) FROM contact_exposures e WHERE e.contact_id = contacts.id AND e.superseded_at IS NULL),
		last_exposure = (SELECT MAX(e.last_at) FROM contact_exposures e WHERE e.contact_id = contacts.id AND e.superseded_at IS NULL),
		updated_at = ?,
		version = version + 1
	WHERE id = ?`, ts(tx.Now), id)
	return err
}

// AddExposure stores an exposure of a contact and sets its id and times.
func (tx *Tx) AddExposure(ctx context.Context, e *cordon.ContactExposure, byID int64, by string) error {
	e.CreatedAt, e.UpdatedAt, e.CreatedBy = tx.Now, tx.Now, by
	var err error
	e.ID, err = tx.insert(ctx, `INSERT INTO contact_exposures (
		contact_id,
		kind,
		source_case,
		source_contact,
		situation,
		venue_id,
		overlap_from,
		overlap_to,
		first_at,
		last_at,
		note,
		outside_window,
		moved_from,
		created_by,
		created_name,
		created_at,
		updated_at
	) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ContactID, e.Kind, nullID(e.SourceCase), nullID(e.SourceContact), e.Situation, nullID(e.VenueID), ts(e.OverlapFrom), ts(e.OverlapTo),
		ts(e.FirstAt), ts(e.LastAt), e.Note, e.OutsideWindow, nullID(e.MovedFrom), nullID(byID), by, ts(tx.Now), ts(tx.Now))
	return err
}

// UpdateExposure replaces what an exposure says: the situation, the times,
// the venue's overlap, the note and the window flag.
func (tx *Tx) UpdateExposure(ctx context.Context, e cordon.ContactExposure) error {
	_, err := tx.exec(ctx, `UPDATE contact_exposures SET
		situation = ?,
		overlap_from = ?,
		overlap_to = ?,
		first_at = ?,
		last_at = ?,
		note = ?,
		outside_window = ?,
		updated_at = ?
	WHERE id = ?`, e.Situation, ts(e.OverlapFrom), ts(e.OverlapTo), ts(e.FirstAt), ts(e.LastAt), e.Note, e.OutsideWindow, ts(tx.Now), e.ID)
	return err
}

// SupersedeExposure keeps an exposure as history, replaced by another
// (0 when none replaces it).
func (tx *Tx) SupersedeExposure(ctx context.Context, id, by int64) error {
	_, err := tx.exec(ctx, "UPDATE contact_exposures SET superseded_at = ?, superseded_by = ?, updated_at = ? WHERE id = ? AND superseded_at IS NULL",
		ts(tx.Now), nullID(by), ts(tx.Now), id)
	return err
}

// MoveExposure moves an exposure to another contact record, remembering
// the one it came from.
func (tx *Tx) MoveExposure(ctx context.Context, id, to, from int64) error {
	_, err := tx.exec(ctx, "UPDATE contact_exposures SET contact_id = ?, moved_from = ?, updated_at = ? WHERE id = ?", to, from, ts(tx.Now), id)
	return err
}

const contactColumns = `c.id,
	c.person_id,
	COALESCE(p.name, c.name),
	COALESCE(p.doc_type, c.doc_type),
	COALESCE(p.doc_cipher, c.doc_cipher),
	COALESCE(p.phone_cipher, c.phone_cipher),
	c.kind,
	c.status,
	c.jurisdiction,
	c.household,
	c.note,
	c.first_exposure,
	c.last_exposure,
	c.identified_at,
	c.controlled_at,
	c.released_at,
	c.case_id,
	c.became_case_at,
	c.merged_into,
	c.created_at,
	c.updated_at,
	c.version`

// A matched contact shows the registered person's identity.
const contactFrom = " FROM contacts c LEFT JOIN persons p ON p.id = c.person_id"

func (tx *Tx) scanContact(sc interface{ Scan(...any) error }) (cordon.Contact, error) {
	var c cordon.Contact
	var person, caseID, merged sql.NullInt64
	var doc, phone []byte
	err := sc.Scan(&c.ID, &person, &c.Name, &c.DocType, &doc, &phone, &c.Kind, &c.Status, &c.Jurisdiction, &c.Household, &c.Note,
		timeCol{&c.FirstExposure}, timeCol{&c.LastExposure}, timeCol{&c.IdentifiedAt}, timeCol{&c.ControlledAt}, timeCol{&c.ReleasedAt},
		&caseID, timeCol{&c.BecameCaseAt}, &merged, timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt}, &c.Version)
	if err != nil {
		return c, err
	}
	c.PersonID, c.CaseID, c.MergedInto = person.Int64, caseID.Int64, merged.Int64
	if c.IDNumber, err = tx.db.vault.Open(fieldDoc, doc); err != nil {
		return c, err
	}
	c.Phone, err = tx.db.vault.Open(fieldPhone, phone)
	return c, err
}

const exposureColumns = `id,
	contact_id,
	kind,
	source_case,
	source_contact,
	situation,
	venue_id,
	overlap_from,
	overlap_to,
	first_at,
	last_at,
	note,
	outside_window,
	superseded_at,
	superseded_by,
	moved_from,
	created_name,
	created_at,
	updated_at`

func scanExposure(sc interface{ Scan(...any) error }) (cordon.ContactExposure, error) {
	var e cordon.ContactExposure
	var sourceCase, sourceContact, venue, supersededBy, moved sql.NullInt64
	err := sc.Scan(&e.ID, &e.ContactID, &e.Kind, &sourceCase, &sourceContact, &e.Situation, &venue, timeCol{&e.OverlapFrom}, timeCol{&e.OverlapTo},
		timeCol{&e.FirstAt}, timeCol{&e.LastAt}, &e.Note, &e.OutsideWindow, timeCol{&e.SupersededAt}, &supersededBy, &moved, &e.CreatedBy,
		timeCol{&e.CreatedAt}, timeCol{&e.UpdatedAt})
	e.SourceCase, e.SourceContact, e.VenueID, e.SupersededBy, e.MovedFrom = sourceCase.Int64, sourceContact.Int64, venue.Int64, supersededBy.Int64, moved.Int64
	return e, err
}

// Contact reads a contact inside the scope with its exposures, oldest
// first. A merged record reads too: MergedInto names the survivor.
func (tx *Tx) Contact(ctx context.Context, scope Scope, id int64) (cordon.Contact, error) {
	w, args := scope.where("c.jurisdiction")
	c, err := tx.scanContact(tx.queryRow(ctx, "SELECT "+contactColumns+contactFrom+" WHERE c.id = ? AND "+w, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return c, notFound("contact")
	}
	if err != nil {
		return c, err
	}
	cs := []cordon.Contact{c}
	if err := tx.loadExposures(ctx, cs); err != nil {
		return c, err
	}
	return cs[0], nil
}

// loadExposures fills in the exposures of the contacts, in one query.
func (tx *Tx) loadExposures(ctx context.Context, cs []cordon.Contact) error {
	if len(cs) == 0 {
		return nil
	}
	at := make(map[int64]int, len(cs))
	args := make([]any, len(cs))
	for i := range cs {
		at[cs[i].ID] = i
		args[i] = cs[i].ID
		cs[i].Exposures = []cordon.ContactExposure{}
	}
	rows, err := tx.query(ctx, "SELECT "+exposureColumns+" FROM contact_exposures WHERE contact_id IN ("+placeholders(len(args))+") ORDER BY contact_id, id", args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanExposure(rows)
		if err != nil {
			return err
		}
		i := at[e.ContactID]
		cs[i].Exposures = append(cs[i].Exposures, e)
	}
	return rows.Err()
}

// Contacts lists the contacts of jurisdictions inside the scope matching
// the filter, newest first, with their exposures. Merged records are left
// out.
func (tx *Tx) Contacts(ctx context.Context, scope Scope, f cordon.ContactFilter) ([]cordon.Contact, error) {
	w, args := scope.where("c.jurisdiction")
	where := []string{"c.merged_into IS NULL", w}
	if f.CaseID > 0 {
		where = append(where, "c.id IN (SELECT e.contact_id FROM contact_exposures e WHERE e.source_case = ? AND e.superseded_at IS NULL)")
		args = append(args, f.CaseID)
	}
	if f.SourceContact > 0 {
		where = append(where, "c.id IN (SELECT e.contact_id FROM contact_exposures e WHERE e.source_contact = ? AND e.superseded_at IS NULL)")
		args = append(args, f.SourceContact)
	}
	if f.PersonID > 0 {
		where, args = append(where, "c.person_id = ?"), append(args, f.PersonID)
	}
	if f.Kind != "" {
		where, args = append(where, "c.kind = ?"), append(args, f.Kind)
	}
	if f.Status != "" {
		where, args = append(where, "c.status = ?"), append(args, f.Status)
	}
	if f.Household != "" {
		where, args = append(where, "c.household = ?"), append(args, f.Household)
	}
	if f.Unmatched {
		where = append(where, "c.person_id IS NULL")
	}
	if f.After > 0 {
		where, args = append(where, "c.id < ?"), append(args, f.After)
	}
	args = append(args, clampLimit(f.Limit))
	rows, err := tx.query(ctx, "SELECT "+contactColumns+contactFrom+" WHERE "+strings.Join(where, " AND ")+" ORDER BY c.id DESC LIMIT ?", args...)
	if err != nil {
		return nil, err
	}
	var out []cordon.Contact
	for rows.Next() {
		c, err := tx.scanContact(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, tx.loadExposures(ctx, out)
}

// PersonContacts lists every contact record of a registered person,
// merged ones left out, newest first, without regard to scope: what the
// rules about the person (a health code, a control order) need to know.
func (tx *Tx) PersonContacts(ctx context.Context, personID int64) ([]cordon.Contact, error) {
	return tx.Contacts(ctx, Everywhere, cordon.ContactFilter{PersonID: personID, Limit: MaxLimit})
}

// ContactsOfCaseIdentity lists the ids of the contact records, not yet
// a case and not merged, of the identity a new case was opened for: by the
// person (or a record merged into them) and by the identity document.
func (tx *Tx) ContactsOfCaseIdentity(ctx context.Context, who CaseIdentity) ([]int64, error) {
	var person any
	if who.PersonID != 0 {
		person = who.PersonID
	}
	return tx.ids(ctx, `SELECT id FROM contacts WHERE merged_into IS NULL AND status <> ? AND (person_id = ? OR doc_index = ?
		OR person_id IN (SELECT id FROM persons WHERE merged_into = ?)) ORDER BY id`, cordon.ContactBecameCase, person, who.index, person)
}

// UnmatchedContact is what matching needs of a contact not yet linked to a
// person: its id and the keys to look the person up by.
type UnmatchedContact struct {
	ID         int64
	Name       string
	docIndex   []byte
	phoneIndex []byte
}

// UnmatchedFor is the matching view of a contact whose identity key was
// just built.
func UnmatchedFor(id int64, name string, k ContactKey) UnmatchedContact {
	return UnmatchedContact{ID: id, Name: name, docIndex: k.docIndex, phoneIndex: k.phoneIndex}
}

// UnmatchedContacts lists up to limit unmatched contacts inside the scope,
// oldest first, from after on.
func (tx *Tx) UnmatchedContacts(ctx context.Context, scope Scope, after int64, limit int) ([]UnmatchedContact, error) {
	w, args := scope.where("jurisdiction")
	rows, err := tx.query(ctx, "SELECT id, name, doc_index, phone_index FROM contacts WHERE person_id IS NULL AND merged_into IS NULL AND id > ? AND "+w+
		" ORDER BY id LIMIT ?", append(append([]any{after}, args...), limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []UnmatchedContact
	for rows.Next() {
		var u UnmatchedContact
		if err := rows.Scan(&u.ID, &u.Name, &u.docIndex, &u.phoneIndex); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// PersonCandidates finds the registered persons inside the scope that an
// unmatched contact may be: the holder of its identity document (the
// survivor, if that record was merged), else the live persons with its
// phone and exactly its name. by says which key found them.
func (tx *Tx) PersonCandidates(ctx context.Context, scope Scope, u UnmatchedContact) (ids []int64, by string, err error) {
	w, args := scope.whereAny("residence", "current")
	if len(u.docIndex) > 0 {
		id, err := tx.personIDByIndex(ctx, u.docIndex)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return nil, "", err
		default:
			ids, err := tx.ids(ctx, "SELECT id FROM persons WHERE id = ? AND "+w, append([]any{id}, args...)...)
			if err != nil || len(ids) > 0 {
				return ids, "id_number", err
			}
		}
	}
	if len(u.phoneIndex) == 0 {
		return nil, "", nil
	}
	ids, err = tx.ids(ctx, "SELECT id FROM persons WHERE phone_index = ? AND name = ? AND merged_into IS NULL AND "+w+" ORDER BY id LIMIT 10",
		append([]any{u.phoneIndex, u.Name}, args...)...)
	return ids, "phone_name", err
}

// ContactEdges lists the close contacts traced to the cases inside the
// scope, as edges of the transmission chains: one per active close
// exposure, wherever the contact is (a case's tracing counts its contacts
// sent to other jurisdictions too). Exposures of merged records were
// moved to the survivor, so each person counts once.
func (tx *Tx) ContactEdges(ctx context.Context, scope Scope) ([]cordon.ContactEdge, error) {
	w, args := scope.where("jurisdiction")
	rows, err := tx.query(ctx, `SELECT source_case, contact_id FROM contact_exposures
		WHERE superseded_at IS NULL AND kind = 'close' AND source_case IN (SELECT id FROM cases WHERE `+w+`)
		ORDER BY source_case, contact_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cordon.ContactEdge
	for rows.Next() {
		var e cordon.ContactEdge
		if err := rows.Scan(&e.Source, &e.Contact); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Households lists the household labels of the contacts inside the scope
// traced to a case, for the forms that group them.
func (tx *Tx) Households(ctx context.Context, scope Scope, caseID int64) ([]string, error) {
	w, args := scope.where("c.jurisdiction")
	return column[string](tx, ctx, `SELECT DISTINCT c.household FROM contacts c WHERE c.household <> '' AND c.merged_into IS NULL AND `+w+`
		AND c.id IN (SELECT e.contact_id FROM contact_exposures e WHERE e.source_case = ?) ORDER BY c.household LIMIT 200`, append(args, caseID)...)
}

// CaseForContacts reads a case without regard to scope, for the rules a
// contact's exposure is judged by: its window and its person. It holds no
// personal data the caller shows.
func (tx *Tx) CaseForContacts(ctx context.Context, id int64) (cordon.Case, error) {
	var c cordon.Case
	var pid sql.NullInt64
	err := tx.queryRow(ctx, `SELECT id, person_id, classification, onset_date, sampling_date, jurisdiction, detected_at, reported_at
		FROM cases WHERE id = ?`, id).Scan(&c.ID, &pid, &c.Classification, &c.OnsetDate, &c.SamplingDate, &c.Jurisdiction,
		timeCol{&c.DetectedAt}, timeCol{&c.ReportedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return c, notFound("case")
	}
	c.PersonID = pid.Int64
	return c, err
}

// HoldCompanionScanIns keeps, past the retention period, the scan-ins at a
// venue of the given persons whose stays may overlap [from, to]: the stays
// a companion exposure rests on.
func (tx *Tx) HoldCompanionScanIns(ctx context.Context, venueID int64, from, to time.Time, reason string, persons ...int64) error {
	for _, p := range persons {
		if p == 0 {
			continue
		}
		// A stay that overlaps began at most 72 hours (the longest stay a
		// policy allows) before the overlap.
		scans, err := tx.ScanInsOf(ctx, p, from.Add(-72*time.Hour), to.Add(time.Second))
		if err != nil {
			return err
		}
		for _, s := range scans {
			if s.VenueID == venueID {
				if err := tx.HoldScanIns(ctx, reason, s); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// touchContacts tells the health-code cache that the persons of contacts
// change.
func (tx *Tx) touchContacts(ctx context.Context, ids ...int64) error {
	for _, id := range ids {
		var person sql.NullInt64
		if err := tx.queryRow(ctx, "SELECT person_id FROM contacts WHERE id = ?", id).Scan(&person); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		tx.TouchPerson(person.Int64)
	}
	return nil
}

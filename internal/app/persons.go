package app

import (
	"context"
	"iter"
	"strconv"
	"strings"

	"cordon"
	"cordon/internal/store"
)

func personRecord(id int64) string { return "person:" + strconv.FormatInt(id, 10) }

// personRules gives validation the directory's address codes and today.
func (a *App) personRules() cordon.PersonRules {
	return cordon.PersonRules{KnownAddress: a.dir.KnownAddressCode, Now: a.now()}
}

// checkPlaces makes sure the residence and current jurisdictions exist and
// that at least one lies in the actor's subtree: a record that would leave
// the subtree is a transfer, which goes through an assist request instead.
func (a *App) checkPlaces(ctx context.Context, tx *store.Tx, actor cordon.Actor, p cordon.Person) error {
	var v cordon.Invalid
	v.Code = "jurisdiction.unknown"
	if !a.exists(ctx, tx, p.Residence) {
		v.Add("residence", "jurisdiction.unknown")
	}
	if !a.exists(ctx, tx, p.Current) {
		v.Add("current", "jurisdiction.unknown")
	}
	if err := v.Err(); err != nil {
		return err
	}
	if !actor.Sees(p.Residence) && !actor.Sees(p.Current) {
		return cordon.Errorf(cordon.KindForbidden, "person.outside_jurisdiction", "the person's residence or current place must lie in your jurisdiction").WithField("residence", "person.outside_jurisdiction")
	}
	return nil
}

// present prepares a person for the actor: masked unless the role needs the
// full values, with display names for the places.
func (a *App) present(actor cordon.Actor, p *cordon.Person) {
	if !actor.Can(cordon.PermPersonReadFull) {
		p.Mask()
	}
	p.ResidenceName = a.dir.Path(p.Residence)
	p.CurrentName = a.dir.Path(p.Current)
}

// recordRead writes the audit entry of a read of personal data, through
// group commit. The data is shown only once the entry is committed: an
// unrecorded read does not happen.
func (a *App) recordRead(ctx context.Context, actor cordon.Actor, action, record, reason, detail string) error {
	return a.db.BatchAppend(ctx, func(tx *store.Tx) error {
		readAudit(tx, actor, action, record, reason, detail)
		return nil
	})
}

// readAudit records an audited read in the transaction.
func readAudit(tx *store.Tx, actor cordon.Actor, action, record, reason, detail string) {
	tx.AuditRead(cordon.AuditEntry{AccountID: actor.AccountID, Username: actor.Username, Action: action, Record: record,
		Jurisdiction: actor.Jurisdiction, Reason: reason, Detail: detail, RequestID: actor.RequestID, Remote: actor.Remote})
}

// CreatePerson registers a person. A document number registered already
// returns a Conflict naming the existing person's id.
func (a *App) CreatePerson(ctx context.Context, actor cordon.Actor, in cordon.PersonInput) (cordon.Person, error) {
	if err := authorize(actor, cordon.PermPersonWrite); err != nil {
		return cordon.Person{}, err
	}
	p, err := in.Validate(a.personRules())
	if err != nil {
		return p, err
	}
	err = a.db.Batch(ctx, func(tx *store.Tx) error {
		if err := a.checkPlaces(ctx, tx, actor, p); err != nil {
			return err
		}
		if err := tx.CreatePerson(ctx, &p, actor.AccountID); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "person.create", personRecord(p.ID), "", "")
	})
	if err != nil {
		return cordon.Person{}, err
	}
	a.present(actor, &p)
	return p, nil
}

// Person reads one person inside the actor's subtree, recording the read.
// reason is the purpose the reader gave, if any.
func (a *App) Person(ctx context.Context, actor cordon.Actor, id int64, reason string) (cordon.Person, error) {
	if err := authorize(actor, cordon.PermPersonRead); err != nil {
		return cordon.Person{}, err
	}
	var p cordon.Person
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		p, err = tx.Person(ctx, store.ScopeOf(actor), id)
		return err
	})
	if err == nil {
		err = a.recordRead(ctx, actor, "person.read", personRecord(p.ID), reason, "")
	}
	if err != nil {
		return cordon.Person{}, err
	}
	a.present(actor, &p)
	return p, nil
}

// PersonByDocument finds a person by identity document inside the actor's
// subtree; a merged record leads to the surviving one.
func (a *App) PersonByDocument(ctx context.Context, actor cordon.Actor, t cordon.DocType, number, reason string) (cordon.Person, error) {
	if err := authorize(actor, cordon.PermPersonRead); err != nil {
		return cordon.Person{}, err
	}
	if t == "" {
		t = cordon.DocCitizenID
	}
	if !t.Valid() {
		return cordon.Person{}, cordon.Errorf(cordon.KindInvalid, "person.doc_type_invalid", "unknown document type").WithField("doc_type", "person.doc_type_invalid")
	}
	number = cordon.NormalizeDocNumber(number)
	if number == "" || len(number) > 32 {
		return cordon.Person{}, cordon.Errorf(cordon.KindInvalid, "person.id_number_invalid", "give an identity document number").WithField("id_number", "person.id_number_invalid")
	}
	var p cordon.Person
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		p, err = tx.PersonByDocument(ctx, store.ScopeOf(actor), t, number)
		return err
	})
	if err == nil {
		err = a.recordRead(ctx, actor, "person.lookup", personRecord(p.ID), reason, "by document")
	}
	if err != nil {
		return cordon.Person{}, err
	}
	a.present(actor, &p)
	return p, nil
}

// Persons lists persons inside the actor's subtree, newest first. Every
// listed person counts as read: the audit entry names them all.
func (a *App) Persons(ctx context.Context, actor cordon.Actor, f cordon.PersonFilter) ([]cordon.Person, error) {
	if err := authorize(actor, cordon.PermPersonRead); err != nil {
		return nil, err
	}
	f.Query = strings.TrimSpace(f.Query)
	if len(f.Query) > 64 {
		return nil, cordon.Errorf(cordon.KindInvalid, "person.query_invalid", "the search is too long").WithField("q", "person.query_invalid")
	}
	// A query that is a document number or a phone is an exact lookup
	// through the blind index, not a name search.
	if q := cordon.NormalizeDocNumber(f.Query); citizenIDShaped(q) && f.IDNumber == "" {
		f.IDNumber, f.Query = q, ""
	} else if ph, ok := cordon.NormalizePhone(f.Query); ok && f.Phone == "" {
		f.Phone, f.Query = ph, ""
	}
	f.IDNumber = cordon.NormalizeDocNumber(f.IDNumber)
	if f.Phone != "" {
		ph, ok := cordon.NormalizePhone(f.Phone)
		if !ok {
			return nil, cordon.Errorf(cordon.KindInvalid, "person.phone_invalid", "not a mobile number").WithField("phone", "person.phone_invalid")
		}
		f.Phone = ph
	}
	if f.Jurisdiction != "" {
		if _, ok := cordon.LevelOf(f.Jurisdiction); !ok {
			return nil, cordon.Errorf(cordon.KindInvalid, "jurisdiction.unknown", "unknown jurisdiction").WithField("jurisdiction", "jurisdiction.unknown")
		}
	}
	var out []cordon.Person
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Persons(ctx, store.ScopeOf(actor), f)
		return err
	})
	if err == nil && len(out) > 0 {
		ids := make([]int64, len(out))
		for i, p := range out {
			ids[i] = p.ID
		}
		err = a.recordRead(ctx, actor, "person.list", "", "", "persons "+joinIDs(ids))
	}
	if err != nil {
		return nil, err
	}
	for i := range out {
		a.present(actor, &out[i])
	}
	return out, err
}

// citizenIDShaped reports whether a search looks like a citizen ID number:
// 17 digits and a digit or X. Length alone is not enough: a six-character
// Chinese name is 18 bytes too.
func citizenIDShaped(q string) bool {
	if len(q) != 18 {
		return false
	}
	for i := 0; i < 17; i++ {
		if q[i] < '0' || q[i] > '9' {
			return false
		}
	}
	return q[17] == 'X' || q[17] >= '0' && q[17] <= '9'
}

// UpdatePerson replaces a person's fields. in.Version, when set, guards
// against overwriting a change made meanwhile.
func (a *App) UpdatePerson(ctx context.Context, actor cordon.Actor, id int64, in cordon.PersonInput) (cordon.Person, error) {
	if err := authorize(actor, cordon.PermPersonWrite); err != nil {
		return cordon.Person{}, err
	}
	var p cordon.Person
	err := a.db.Batch(ctx, func(tx *store.Tx) error {
		scope := store.ScopeOf(actor)
		old, err := tx.Person(ctx, scope, id)
		if err != nil {
			return err
		}
		keepMasked(&in, old)
		if p, err = in.Validate(a.personRules()); err != nil {
			return err
		}
		p.ID = id
		if err := a.checkPlaces(ctx, tx, actor, p); err != nil {
			return err
		}
		if err := tx.UpdatePerson(ctx, scope, &p, in.Version); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "person.update", personRecord(id), "", "")
	})
	if err != nil {
		return cordon.Person{}, err
	}
	a.present(actor, &p)
	return p, nil
}

// keepMasked lets a reader who sees masked values edit a person without
// retyping what they cannot see: an ID number or phone sent back in its
// masked form (or left empty, for the phone shown masked) keeps the stored
// value.
func keepMasked(in *cordon.PersonInput, old cordon.Person) {
	if in.IDNumber == "" || in.IDNumber == cordon.MaskDocNumber(old.IDNumber) {
		if in.DocType == "" || in.DocType == old.DocType {
			in.IDNumber, in.DocType = old.IDNumber, old.DocType
		}
	}
	if old.Phone != "" && in.Phone == cordon.MaskPhone(old.Phone) {
		in.Phone = old.Phone
	}
}

// MergePersons records that drop is the same person as keep. Both records
// and their histories stay; drop points to keep from now on.
func (a *App) MergePersons(ctx context.Context, actor cordon.Actor, keep, drop int64, reason string) error {
	if err := authorize(actor, cordon.PermPersonMerge); err != nil {
		return err
	}
	if strings.TrimSpace(reason) == "" {
		return cordon.Errorf(cordon.KindInvalid, "person.merge_reason_required", "say why the two records are the same person").WithField("reason", "person.merge_reason_required")
	}
	// The merged record no longer takes scan-ins.
	defer a.livePersons.forget(drop)
	return a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.MergePersons(ctx, store.ScopeOf(actor), keep, drop); err != nil {
			return err
		}
		if err := audit(ctx, tx, actor, "person.merge", personRecord(keep), reason, "merged "+personRecord(drop)); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "person.merge", personRecord(drop), reason, "merged into "+personRecord(keep))
	})
}

// CountPersons counts the persons in the actor's subtree, for the home page.
func (a *App) CountPersons(ctx context.Context, actor cordon.Actor) (int, error) {
	if err := authorize(actor, cordon.PermPersonRead); err != nil {
		return 0, err
	}
	var n int
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.CountPersons(ctx, store.ScopeOf(actor))
		return err
	})
	return n, err
}

// PersonHistory lists the audit entries about a person, for its detail page:
// every entry for roles that may read the audit log, the changes for others.
func (a *App) PersonHistory(ctx context.Context, actor cordon.Actor, id int64) ([]cordon.AuditEntry, error) {
	if err := authorize(actor, cordon.PermPersonRead); err != nil {
		return nil, err
	}
	var out []cordon.AuditEntry
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		if _, err := tx.Person(ctx, store.ScopeOf(actor), id); err != nil {
			return err
		}
		var err error
		out, err = tx.AuditLog(ctx, store.Everywhere, cordon.AuditFilter{Record: personRecord(id), Limit: 100})
		return err
	})
	if err != nil || actor.Can(cordon.PermAuditRead) {
		return out, err
	}
	// Who read a person, and why, is for those who may read the audit log;
	// everyone else sees the record's changes.
	changes := out[:0]
	for _, e := range out {
		if !e.Read && e.Action != "person.read" && e.Action != "person.lookup" && e.Action != "person.list" {
			changes = append(changes, e)
		}
	}
	return changes, nil
}

// ImportBatch is how many persons an import writes per transaction.
const ImportBatch = 1000

// ImportPersons registers many persons in transactions of ImportBatch, each
// validated and scope-checked like CreatePerson and audited once per batch.
// It stops at the first invalid or duplicate person; the batches before it
// stay committed and the count says how many.
func (a *App) ImportPersons(ctx context.Context, actor cordon.Actor, persons iter.Seq[cordon.PersonInput]) (int, error) {
	if err := authorize(actor, cordon.PermPersonWrite); err != nil {
		return 0, err
	}
	n := 0
	batch := make([]cordon.Person, 0, ImportBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := a.db.Transact(ctx, func(tx *store.Tx) error {
			for i := range batch {
				if err := a.checkPlaces(ctx, tx, actor, batch[i]); err != nil {
					return err
				}
				if err := tx.CreatePerson(ctx, &batch[i], actor.AccountID); err != nil {
					return err
				}
			}
			return audit(ctx, tx, actor, "person.import", personRecord(batch[0].ID), "", "persons "+strconv.Itoa(len(batch))+" up to "+personRecord(batch[len(batch)-1].ID))
		})
		if err == nil {
			n += len(batch)
		}
		batch = batch[:0]
		return err
	}
	for in := range persons {
		p, err := in.Validate(a.personRules())
		if err != nil {
			return n, err
		}
		if batch = append(batch, p); len(batch) == ImportBatch {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	return n, flush()
}

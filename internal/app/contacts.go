package app

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"cordon"
	"cordon/internal/linelist"
	"cordon/internal/store"
)

// Close and secondary contacts. Every operation here is authorise →
// validate → one transaction → audit, like the rest of app; reads of
// contacts are reads of personal data, audited and masked by role. The
// numbers (windows, clocks, whether secondary contacts exist, whether they
// are upgraded) come from the policy edition in force.

func contactRecord(id int64) string { return "contact:" + strconv.FormatInt(id, 10) }

// WarnOutsideWindow is the code of the warning on an exposure outside the
// window of the edition in force.
const WarnOutsideWindow = "contact.exposure_outside_window"

// presentContacts computes each contact's transfer clock and expected
// control under the policy in force where and when it was identified, and
// masks the identity unless the actor reads it in full.
func (a *App) presentContacts(ctx context.Context, tx *store.Tx, actor cordon.Actor, cs []cordon.Contact) error {
	policies := map[string]cordon.Policy{}
	now := a.now()
	for i := range cs {
		c := &cs[i]
		key := c.Jurisdiction + "@" + c.IdentifiedAt.In(cordon.ChinaTime).Format(time.DateOnly)
		p, ok := policies[key]
		if !ok {
			var err error
			if p, err = policyIn(ctx, tx, c.Jurisdiction, c.IdentifiedAt); err != nil {
				return err
			}
			policies[key] = p
		}
		c.Transfer = cordon.ContactTransferClock(p, *c, now)
		c.Control = cordon.ContactControl(p, c.Kind, c.LastExposure)
		if !actor.Can(cordon.PermPersonReadFull) {
			c.Mask()
		}
	}
	return nil
}

// exposureSource is what the source of an exposure decides: the window
// the exposure should lie in, and the jurisdiction a contact defaults to.
type exposureSource struct {
	from, to     time.Time
	jurisdiction string
	edition      string
	casePerson   int64 // the source case's registered person
}

// sourceOf checks the source of an exposure for the identity k: a case in
// the actor's subtree that is not k's own, or a close contact there that
// is not k, under an edition that identifies secondary contacts. A source
// contact merged into another is replaced by the survivor.
func (a *App) sourceOf(ctx context.Context, tx *store.Tx, actor cordon.Actor, in *cordon.ExposureInput, k store.ContactKey) (exposureSource, error) {
	var src exposureSource
	if in.Kind == cordon.CloseContact {
		c, err := tx.CaseForContacts(ctx, in.SourceCase)
		if err == nil && !actor.Sees(c.Jurisdiction) {
			err = cordon.Errorf(cordon.KindNotFound, "case.not_found", "case not found")
		}
		if err != nil {
			if cordon.ErrorKind(err) == cordon.KindNotFound {
				return src, cordon.Errorf(cordon.KindNotFound, "case.not_found", "the source case was not found").WithField("source_case_id", "case.not_found")
			}
			return src, err
		}
		own, err := tx.IsCasePerson(ctx, c.ID, k)
		if err != nil {
			return src, err
		}
		if own {
			return src, cordon.Errorf(cordon.KindInvalid, "contact.is_source_case", "a case is not a contact of itself").WithField("person_id", "contact.is_source_case")
		}
		p, err := policyIn(ctx, tx, c.Jurisdiction, tx.Now)
		if err != nil {
			return src, err
		}
		src.from, src.to = p.ContactWindow(c, cordon.CaseUnderControlAt(c))
		src.jurisdiction, src.edition, src.casePerson = c.Jurisdiction, p.Key, c.PersonID
		return src, nil
	}
	sc, err := tx.Contact(ctx, store.ScopeOf(actor), in.SourceContact)
	if err == nil && sc.MergedInto != 0 {
		sc, err = tx.Contact(ctx, store.ScopeOf(actor), sc.MergedInto)
	}
	if err != nil {
		if cordon.ErrorKind(err) == cordon.KindNotFound {
			return src, cordon.Errorf(cordon.KindNotFound, "contact.not_found", "the source contact was not found").WithField("source_contact_id", "contact.not_found")
		}
		return src, err
	}
	p, err := policyIn(ctx, tx, sc.Jurisdiction, tx.Now)
	if err != nil {
		return src, err
	}
	if !p.Contacts.Secondary {
		e := cordon.Errorf(cordon.KindInvalid, "contact.secondary_not_identified", "the rules in force (%s) identify no secondary contacts", p.Key).WithField("kind", "contact.secondary_not_identified")
		e.Extra = map[string]any{"edition": p.Key}
		return src, e
	}
	if sc.Kind != cordon.CloseContact {
		return src, cordon.Errorf(cordon.KindInvalid, "contact.source_not_close", "contact %d is not a close contact: only a close contact has secondary contacts", sc.ID).WithField("source_contact_id", "contact.source_not_close")
	}
	own, err := tx.IsContactPerson(ctx, sc.ID, k)
	if err != nil {
		return src, err
	}
	if own {
		return src, cordon.Errorf(cordon.KindInvalid, "contact.is_source_contact", "a contact is not a secondary contact of itself").WithField("person_id", "contact.is_source_contact")
	}
	in.SourceContact = sc.ID
	src.from, src.to = cordon.SecondaryWindow(sc)
	src.jurisdiction, src.edition = sc.Jurisdiction, p.Key
	return src, nil
}

// sameExposure reports whether an active exposure records the same
// exposure as the input: same kind and source and, for a companion, the
// same venue and start of the overlap.
func sameExposure(e cordon.ContactExposure, in cordon.ExposureInput) bool {
	return e.Active() && e.Kind == in.Kind && e.Situation == in.Situation && e.SourceCase == in.SourceCase && e.SourceContact == in.SourceContact &&
		e.VenueID == in.VenueID && e.OverlapFrom.Equal(in.OverlapFrom)
}

// AddContact puts a person under contact management with an exposure: a
// registered person (PersonID) or a name with a phone or an ID number. The
// same person with the same source again updates that exposure instead of
// adding a second contact; a person who is a contact already gets the
// exposure added to their open record. An exposure outside the window of
// the edition in force is accepted with the warning
// contact.exposure_outside_window. The companion search turns a companion
// into a contact with AddContact(…, ContactInput{ContactIdentity:
// {PersonID: p}, Exposure: cordon.CompanionExposure(case, venue, from, to)}).
func (a *App) AddContact(ctx context.Context, actor cordon.Actor, in cordon.ContactInput) (cordon.ContactResult, error) {
	if err := authorize(actor, cordon.PermContactWrite); err != nil {
		return cordon.ContactResult{}, err
	}
	if err := in.Validate(a.personRules()); err != nil {
		return cordon.ContactResult{}, err
	}
	var res cordon.ContactResult
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.LockContacts(ctx); err != nil {
			return err
		}
		k := a.db.ContactKey(in.ContactIdentity)
		if in.PersonID != 0 {
			var err error
			if k, err = tx.PersonContactKey(ctx, store.ScopeOf(actor), in.PersonID); err != nil {
				if cordon.ErrorCode(err) == "person.not_found" {
					return cordon.Errorf(cordon.KindNotFound, "person.not_found", "person not found").WithField("person_id", "person.not_found")
				}
				return err
			}
		}
		var err error
		res, err = a.recordExposure(ctx, tx, actor, nil, k, in)
		return err
	})
	return res, err
}

// AddExposure records another exposure of a contact: to another case, or
// to a close contact (a secondary exposure). The same source again
// updates its exposure. A released contact or one who became a case takes
// no new exposure: add the person as a contact again instead.
func (a *App) AddExposure(ctx context.Context, actor cordon.Actor, contactID int64, in cordon.ExposureInput) (cordon.ContactResult, error) {
	if err := authorize(actor, cordon.PermContactWrite); err != nil {
		return cordon.ContactResult{}, err
	}
	if err := in.Validate(a.now()); err != nil {
		return cordon.ContactResult{}, err
	}
	var res cordon.ContactResult
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.LockContacts(ctx); err != nil {
			return err
		}
		c, err := a.liveContact(ctx, tx, actor, contactID)
		if err != nil {
			return err
		}
		if !c.Status.Open() {
			e := cordon.Errorf(cordon.KindConflict, "contact.closed", "contact management of this contact has ended (%s): add the person as a contact again", c.Status)
			e.Extra = map[string]any{"id": c.ID}
			return e
		}
		k, err := a.keyOf(ctx, tx, c)
		if err != nil {
			return err
		}
		res, err = a.recordExposure(ctx, tx, actor, &c, k, cordon.ContactInput{Exposure: in})
		return err
	})
	return res, err
}

// liveContact reads a contact of the actor's subtree that was not merged
// away; a merged record is a Conflict naming the survivor.
func (a *App) liveContact(ctx context.Context, tx *store.Tx, actor cordon.Actor, id int64) (cordon.Contact, error) {
	c, err := tx.Contact(ctx, store.ScopeOf(actor), id)
	if err != nil {
		return c, err
	}
	if c.MergedInto != 0 {
		e := cordon.Errorf(cordon.KindConflict, "contact.merged", "contact %d was merged into %d", id, c.MergedInto)
		e.Extra = map[string]any{"id": c.MergedInto}
		return c, e
	}
	return c, nil
}

// keyOf is the identity key of a stored contact: its person's, or the
// values entered.
func (a *App) keyOf(ctx context.Context, tx *store.Tx, c cordon.Contact) (store.ContactKey, error) {
	if c.PersonID != 0 {
		return tx.PersonContactKey(ctx, store.Everywhere, c.PersonID)
	}
	return a.db.ContactKey(cordon.ContactIdentity{Name: c.Name, DocType: c.DocType, IDNumber: c.IDNumber, Phone: c.Phone}), nil
}

// recordExposure is AddContact and AddExposure after the checks of the
// input: the source, the places, the person's standing, then the
// exposure joins target (AddExposure), the person's record with the same
// exposure, the person's open record, or a new record.
func (a *App) recordExposure(ctx context.Context, tx *store.Tx, actor cordon.Actor, target *cordon.Contact, k store.ContactKey, in cordon.ContactInput) (cordon.ContactResult, error) {
	var res cordon.ContactResult
	x := in.Exposure
	src, err := a.sourceOf(ctx, tx, actor, &x, k)
	if err != nil {
		return res, err
	}
	if x.VenueID != 0 {
		venues, err := tx.VenueKeys(ctx, []int64{x.VenueID})
		if err != nil {
			return res, err
		}
		if _, ok := venues[x.VenueID]; !ok {
			return res, cordon.Errorf(cordon.KindNotFound, "venue.not_found", "venue not found").WithField("venue_id", "venue.not_found")
		}
	}
	if target == nil {
		if id, err := tx.OpenCaseOf(ctx, k); err != nil {
			return res, err
		} else if id != 0 {
			e := cordon.Errorf(cordon.KindConflict, "contact.person_is_case", "the person is case %d: a case is not put under contact management", id).WithField("person_id", "contact.person_is_case")
			e.Extra = map[string]any{"id": id}
			return res, e
		}
	}
	outside := cordon.ExposureOutside(x.FirstAt, x.LastAt, src.from, src.to)
	if outside {
		res.Warnings = append(res.Warnings, cordon.ContactWarning{Code: WarnOutsideWindow, Field: "last_exposure",
			Message: fmt.Sprintf("the exposure lies outside the window of the rules in force (%s): %s to %s", src.edition, windowEnd(src.from), windowEnd(src.to))})
	}
	// The records the exposure may join.
	var records []cordon.Contact
	if target != nil {
		records = []cordon.Contact{*target}
	} else {
		ids, err := tx.ContactsOf(ctx, store.ScopeOf(actor), k)
		if err != nil {
			return res, err
		}
		for _, id := range ids {
			c, err := tx.Contact(ctx, store.ScopeOf(actor), id)
			if err != nil {
				return res, err
			}
			records = append(records, c)
		}
	}
	var c *cordon.Contact
	var same *cordon.ContactExposure
	for i := range records {
		for j := range records[i].Exposures {
			if sameExposure(records[i].Exposures[j], x) {
				c, same = &records[i], &records[i].Exposures[j]
				break
			}
		}
		if same != nil {
			break
		}
	}
	if c == nil {
		for i := range records {
			if records[i].Status.Open() {
				c = &records[i]
				break
			}
		}
	}
	action := "contact.exposure"
	if c == nil {
		// Where the contact is: the place given, else a registered
		// person's current place (outside the subtree, that is a refusal:
		// the contact goes out as an assist request), else the source's.
		j := strings.TrimSpace(in.Jurisdiction)
		if j == "" {
			j = k.Current
		}
		if j == "" {
			j = src.jurisdiction
		}
		if !a.exists(ctx, tx, j) {
			return res, unknownJurisdiction(j)
		}
		if !actor.Sees(j) {
			return res, cordon.Errorf(cordon.KindForbidden, "contact.outside_jurisdiction",
				"the contact is outside your jurisdiction: send an assist request to the jurisdiction where they are").WithField("jurisdiction", "contact.outside_jurisdiction")
		}
		c = &cordon.Contact{Kind: x.Kind, Jurisdiction: j, Household: in.Household, Note: in.Note}
		if err := tx.CreateContact(ctx, c, k, actor.AccountID); err != nil {
			return res, err
		}
		res.Created, action = true, "contact.create"
	} else {
		if c.PersonID == 0 && k.PersonID != 0 {
			// The person entered now is who the unmatched record was.
			if err := tx.LinkContactPerson(ctx, c.ID, k); err != nil {
				return res, err
			}
		}
		if in.Household != "" && in.Household != c.Household || in.Note != "" && c.Note == "" {
			u := *c
			if in.Household != "" {
				u.Household = in.Household
			}
			if c.Note == "" {
				u.Note = in.Note
			}
			if err := tx.UpdateContact(ctx, u, 0); err != nil {
				return res, err
			}
		}
		if x.Kind == cordon.CloseContact && c.Kind == cordon.SecondaryContact && c.Status == cordon.ContactIdentified {
			// Identified anew as a close contact: the shorter clock runs
			// from now.
			u := *c
			u.IdentifiedAt = tx.Now
			if err := tx.SetContactState(ctx, u, 0); err != nil {
				return res, err
			}
		}
	}
	e := cordon.ContactExposure{ContactID: c.ID, Kind: x.Kind, SourceCase: x.SourceCase, SourceContact: x.SourceContact, Situation: x.Situation,
		VenueID: x.VenueID, OverlapFrom: x.OverlapFrom, OverlapTo: x.OverlapTo, FirstAt: x.FirstAt, LastAt: x.LastAt, Note: x.Note, OutsideWindow: outside}
	if same != nil {
		e.ID = same.ID
		if err := tx.UpdateExposure(ctx, e); err != nil {
			return res, err
		}
	} else if err := tx.AddExposure(ctx, &e, actor.AccountID, actor.Username); err != nil {
		return res, err
	}
	if err := tx.RefreshContact(ctx, c.ID); err != nil {
		return res, err
	}
	// The contact's control order follows the exposure (orders.go).
	if err := a.contactOrder(ctx, tx, actor, c.ID); err != nil {
		return res, err
	}
	if x.VenueID != 0 {
		// The stays the companion exposure rests on outlive the retention
		// of scan-ins.
		if err := tx.HoldCompanionScanIns(ctx, x.VenueID, x.OverlapFrom, x.OverlapTo, contactRecord(c.ID), k.PersonID, src.casePerson); err != nil {
			return res, err
		}
	}
	source := fmt.Sprintf("case %d", x.SourceCase)
	if x.Kind == cordon.SecondaryContact {
		source = fmt.Sprintf("contact %d", x.SourceContact)
	}
	detail := fmt.Sprintf("%s exposure %d to %s (%s)", x.Kind, e.ID, source, x.Situation)
	if outside {
		detail += "; outside the window"
	}
	if err := audit(ctx, tx, actor, action, contactRecord(c.ID), "", detail); err != nil {
		return res, err
	}
	saved, err := tx.Contact(ctx, store.Everywhere, c.ID)
	if err != nil {
		return res, err
	}
	cs := []cordon.Contact{saved}
	if err := a.presentContacts(ctx, tx, actor, cs); err != nil {
		return res, err
	}
	res.Contact = cs[0]
	return res, nil
}

// windowEnd shows one end of a window for a warning: open when zero.
func windowEnd(t time.Time) string {
	if t.IsZero() {
		return "open"
	}
	return t.In(cordon.ChinaTime).Format("2006-01-02 15:04")
}

// Contact reads a contact of the actor's subtree with its exposures, its
// transfer clock and its expected control; the read is audited. A merged
// record reads too, naming the record it was merged into.
func (a *App) Contact(ctx context.Context, actor cordon.Actor, id int64, reason string) (cordon.Contact, error) {
	if err := authorize(actor, cordon.PermContactRead); err != nil {
		return cordon.Contact{}, err
	}
	var c cordon.Contact
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		if c, err = tx.Contact(ctx, store.ScopeOf(actor), id); err != nil {
			return err
		}
		cs := []cordon.Contact{c}
		err = a.presentContacts(ctx, tx, actor, cs)
		c = cs[0]
		return err
	})
	if err != nil {
		return cordon.Contact{}, err
	}
	if err := a.recordRead(ctx, actor, "contact.read", contactRecord(id), reason, ""); err != nil {
		return cordon.Contact{}, err
	}
	return c, nil
}

// Contacts lists the contacts of the actor's subtree matching the filter,
// newest first; every contact listed counts as read in the audit log.
func (a *App) Contacts(ctx context.Context, actor cordon.Actor, f cordon.ContactFilter) ([]cordon.Contact, error) {
	if err := authorize(actor, cordon.PermContactRead); err != nil {
		return nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	var out []cordon.Contact
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		if out, err = tx.Contacts(ctx, store.ScopeOf(actor), f); err != nil {
			return err
		}
		return a.presentContacts(ctx, tx, actor, out)
	})
	if err != nil {
		return nil, err
	}
	if len(out) > 0 {
		ids := make([]int64, len(out))
		for i, c := range out {
			ids[i] = c.ID
		}
		if err := a.recordRead(ctx, actor, "contact.list", "", "", "contacts "+joinIDs(ids)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CaseContacts lists the contacts of the actor's subtree traced to a case:
// an active exposure has the case as its source.
func (a *App) CaseContacts(ctx context.Context, actor cordon.Actor, caseID int64, after int64, limit int) ([]cordon.Contact, error) {
	return a.Contacts(ctx, actor, cordon.ContactFilter{CaseID: caseID, After: after, Limit: limit})
}

// ContactHouseholds lists the household labels already given to contacts
// of a case, for the forms that group new contacts with them.
func (a *App) ContactHouseholds(ctx context.Context, actor cordon.Actor, caseID int64) ([]string, error) {
	if err := authorize(actor, cordon.PermContactRead); err != nil {
		return nil, err
	}
	var out []string
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Households(ctx, store.ScopeOf(actor), caseID)
		return err
	})
	return out, err
}

// PersonContactStanding says where a registered person of the actor's
// subtree stands in contact management (under it or not, close or
// secondary, controlled or not), over all their contact records wherever
// they are: what a health code (red, A4) and a control order depend on.
// The read is audited.
func (a *App) PersonContactStanding(ctx context.Context, actor cordon.Actor, personID int64, reason string) (cordon.ContactStanding, error) {
	if err := authorize(actor, cordon.PermContactRead); err != nil {
		return cordon.ContactStanding{}, err
	}
	var s cordon.ContactStanding
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		if _, err := tx.PersonContactKey(ctx, store.ScopeOf(actor), personID); err != nil {
			return err
		}
		var err error
		s, err = contactStanding(ctx, tx, personID)
		return err
	})
	if err != nil {
		return s, err
	}
	if err := a.recordRead(ctx, actor, "contact.standing", personRecord(personID), reason, ""); err != nil {
		return cordon.ContactStanding{}, err
	}
	return s, nil
}

// contactStanding is a person's standing in contact management, read in a
// transaction of the caller's: the rules of health codes and control
// orders call it where they decide.
func contactStanding(ctx context.Context, tx *store.Tx, personID int64) (cordon.ContactStanding, error) {
	records, err := tx.PersonContacts(ctx, personID)
	if err != nil {
		return cordon.ContactStanding{}, err
	}
	return cordon.StandingOf(personID, records), nil
}

// ControlContact records that a contact was put under control at at (now
// when zero), stopping the transfer clock.
func (a *App) ControlContact(ctx context.Context, actor cordon.Actor, id int64, at time.Time) (cordon.Contact, error) {
	return a.changeContactState(ctx, actor, id, "contact.control", func(c *cordon.Contact, now time.Time) error {
		return c.PutUnderControl(at, now)
	})
}

// ReleaseContact records that contact management of a contact under
// control ended at at (now when zero).
func (a *App) ReleaseContact(ctx context.Context, actor cordon.Actor, id int64, at time.Time) (cordon.Contact, error) {
	return a.changeContactState(ctx, actor, id, "contact.release", func(c *cordon.Contact, now time.Time) error {
		return c.Release(at, now)
	})
}

func (a *App) changeContactState(ctx context.Context, actor cordon.Actor, id int64, action string, change func(*cordon.Contact, time.Time) error) (cordon.Contact, error) {
	if err := authorize(actor, cordon.PermContactWrite); err != nil {
		return cordon.Contact{}, err
	}
	var out cordon.Contact
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		c, err := a.liveContact(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		version := c.Version
		if err := change(&c, tx.Now); err != nil {
			return err
		}
		if err := tx.SetContactState(ctx, c, version); err != nil {
			return err
		}
		if err := audit(ctx, tx, actor, action, contactRecord(id), "", string(c.Status)); err != nil {
			return err
		}
		if out, err = tx.Contact(ctx, store.Everywhere, id); err != nil {
			return err
		}
		cs := []cordon.Contact{out}
		err = a.presentContacts(ctx, tx, actor, cs)
		out = cs[0]
		return err
	})
	return out, err
}

// UpdateContact replaces a contact's own fields: jurisdiction (inside the
// actor's subtree), household and note, and, while the contact is not
// matched to a registered person, its name, ID number and phone. An ID
// number or phone sent back in its masked form keeps the stored value; an
// ID number added matches the contact to the person holding it at once.
func (a *App) UpdateContact(ctx context.Context, actor cordon.Actor, id int64, in cordon.ContactUpdate) (cordon.Contact, error) {
	if err := authorize(actor, cordon.PermContactWrite); err != nil {
		return cordon.Contact{}, err
	}
	if err := in.Validate(); err != nil {
		return cordon.Contact{}, err
	}
	var out cordon.Contact
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.LockContacts(ctx); err != nil {
			return err
		}
		old, err := a.liveContact(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if old.Version != in.Version {
			return cordon.Errorf(cordon.KindConflict, "contact.changed", "the contact was changed meanwhile; reload it").WithField("version", "contact.changed")
		}
		if !a.exists(ctx, tx, in.Jurisdiction) {
			return unknownJurisdiction(in.Jurisdiction)
		}
		if !actor.Sees(in.Jurisdiction) {
			return cordon.Errorf(cordon.KindForbidden, "contact.outside_jurisdiction", "the contact is outside your jurisdiction").WithField("jurisdiction", "contact.outside_jurisdiction")
		}
		ident := cordon.ContactIdentity{Name: in.Name, DocType: in.DocType, IDNumber: in.IDNumber, Phone: in.Phone}
		if ident.IDNumber == cordon.MaskDocNumber(old.IDNumber) && (ident.DocType == "" || ident.DocType == old.DocType) {
			ident.IDNumber, ident.DocType = old.IDNumber, old.DocType
		}
		if old.Phone != "" && ident.Phone == cordon.MaskPhone(old.Phone) {
			ident.Phone = old.Phone
		}
		matched := ""
		if old.PersonID != 0 {
			if ident.Name != "" && ident.Name != old.Name || ident.IDNumber != "" && ident.IDNumber != old.IDNumber || ident.Phone != "" && ident.Phone != old.Phone {
				return cordon.Errorf(cordon.KindInvalid, "contact.identity_from_person", "the contact is a registered person: change the person instead").WithField("name", "contact.identity_from_person")
			}
		} else if ident.Name != old.Name || ident.IDNumber != old.IDNumber || ident.Phone != old.Phone || ident.DocType != old.DocType {
			if err := ident.Validate(a.personRules()); err != nil {
				return err
			}
			k := a.db.ContactKey(ident)
			if err := tx.SetContactIdentity(ctx, id, k); err != nil {
				return err
			}
			if ident.IDNumber != "" && ident.IDNumber != old.IDNumber {
				// Matched by the ID number as soon as it is known.
				ids, by, err := tx.PersonCandidates(ctx, store.ScopeOf(actor), store.UnmatchedFor(id, ident.Name, k))
				if err != nil {
					return err
				}
				if by == "id_number" && len(ids) == 1 {
					pk, err := tx.PersonContactKey(ctx, store.Everywhere, ids[0])
					if err != nil {
						return err
					}
					if err := tx.LinkContactPerson(ctx, id, pk); err != nil {
						return err
					}
					matched = fmt.Sprintf("; matched to person %d by id_number", ids[0])
				}
			}
		}
		u := old
		u.Jurisdiction, u.Household, u.Note = in.Jurisdiction, in.Household, in.Note
		// The version was checked above, under the lock.
		if err := tx.UpdateContact(ctx, u, 0); err != nil {
			return err
		}
		if err := a.contactOrder(ctx, tx, actor, id); err != nil {
			return err
		}
		if err := audit(ctx, tx, actor, "contact.update", contactRecord(id), "", "jurisdiction "+in.Jurisdiction+matched); err != nil {
			return err
		}
		if out, err = tx.Contact(ctx, store.Everywhere, id); err != nil {
			return err
		}
		cs := []cordon.Contact{out}
		err = a.presentContacts(ctx, tx, actor, cs)
		out = cs[0]
		return err
	})
	return out, err
}

// MaxMatch bounds the unmatched contacts one matching run looks at; run it
// again for more.
const MaxMatch = 10_000

// MatchContacts links the unmatched contacts of the actor's subtree to
// registered persons: by ID number, else by phone and exact name. A
// contact with exactly one candidate is linked; one with several is
// reported for a choice by hand (LinkContactPerson); a person who now has
// two open contact records is reported for a merge.
func (a *App) MatchContacts(ctx context.Context, actor cordon.Actor) (cordon.ContactMatch, error) {
	if err := authorize(actor, cordon.PermContactWrite); err != nil {
		return cordon.ContactMatch{}, err
	}
	out := cordon.ContactMatch{Matched: []cordon.ContactPersonLink{}, Ambiguous: []cordon.ContactCandidates{}}
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.LockContacts(ctx); err != nil {
			return err
		}
		scope := store.ScopeOf(actor)
		var after int64
		for seen := 0; seen < MaxMatch; {
			page, err := tx.UnmatchedContacts(ctx, scope, after, min(500, MaxMatch-seen))
			if err != nil {
				return err
			}
			for _, u := range page {
				ids, by, err := tx.PersonCandidates(ctx, scope, u)
				if err != nil {
					return err
				}
				switch len(ids) {
				case 0:
					out.Unmatched++
				case 1:
					link, err := a.linkPerson(ctx, tx, actor, u.ID, ids[0], by)
					if err != nil {
						return err
					}
					out.Matched = append(out.Matched, link)
					if link.Other != 0 {
						out.Duplicates = append(out.Duplicates, link)
					}
				default:
					out.Ambiguous = append(out.Ambiguous, cordon.ContactCandidates{ContactID: u.ID, Persons: ids})
				}
			}
			seen += len(page)
			if len(page) < 500 {
				break
			}
			after = page[len(page)-1].ID
		}
		return nil
	})
	return out, err
}

// linkPerson links an unmatched contact to a person and audits it; the
// link names another open record of the person, if there is one.
func (a *App) linkPerson(ctx context.Context, tx *store.Tx, actor cordon.Actor, contactID, personID int64, by string) (cordon.ContactPersonLink, error) {
	link := cordon.ContactPersonLink{ContactID: contactID, PersonID: personID, By: by}
	k, err := tx.PersonContactKey(ctx, store.ScopeOf(actor), personID)
	if err != nil {
		return link, err
	}
	if err := tx.LinkContactPerson(ctx, contactID, k); err != nil {
		return link, err
	}
	if err := a.contactOrder(ctx, tx, actor, contactID); err != nil {
		return link, err
	}
	others, err := tx.ContactsOf(ctx, store.ScopeOf(actor), k)
	if err != nil {
		return link, err
	}
	for _, id := range others {
		if id == contactID {
			continue
		}
		if c, err := tx.Contact(ctx, store.Everywhere, id); err != nil {
			return link, err
		} else if c.Status.Open() {
			link.Other = id
			break
		}
	}
	return link, audit(ctx, tx, actor, "contact.match", contactRecord(contactID), "", fmt.Sprintf("person %d by %s", personID, by))
}

// LinkContactPerson links an unmatched contact to a registered person
// chosen by hand, when matching found several or none.
func (a *App) LinkContactPerson(ctx context.Context, actor cordon.Actor, contactID, personID int64) (cordon.ContactPersonLink, error) {
	if err := authorize(actor, cordon.PermContactWrite); err != nil {
		return cordon.ContactPersonLink{}, err
	}
	var link cordon.ContactPersonLink
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.LockContacts(ctx); err != nil {
			return err
		}
		c, err := a.liveContact(ctx, tx, actor, contactID)
		if err != nil {
			return err
		}
		if c.PersonID != 0 {
			return cordon.Errorf(cordon.KindConflict, "contact.matched_already", "the contact is linked to a person already").WithField("person_id", "contact.matched_already")
		}
		if _, err := tx.PersonContactKey(ctx, store.ScopeOf(actor), personID); err != nil {
			if cordon.ErrorCode(err) == "person.not_found" {
				return cordon.Errorf(cordon.KindNotFound, "person.not_found", "person not found").WithField("person_id", "person.not_found")
			}
			return err
		}
		link, err = a.linkPerson(ctx, tx, actor, contactID, personID, "hand")
		return err
	})
	return link, err
}

// MergeContacts records that the contact drop is the same person as the
// contact keep: drop's exposures move to keep (an exposure keep has too
// widens keep's and stays on record as superseded), secondary contacts
// traced to drop are traced to keep, keep takes the furthest state of the
// two, and drop points to keep from then on. Both records stay; the merge
// is audited on both with the reason.
func (a *App) MergeContacts(ctx context.Context, actor cordon.Actor, keep, drop int64, reason string) (cordon.Contact, error) {
	if err := authorize(actor, cordon.PermContactWrite); err != nil {
		return cordon.Contact{}, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || len([]rune(reason)) > 200 {
		return cordon.Contact{}, cordon.Errorf(cordon.KindInvalid, "contact.merge_reason_required", "say why the two records are the same person").WithField("reason", "contact.merge_reason_required")
	}
	if keep == drop {
		return cordon.Contact{}, cordon.Errorf(cordon.KindInvalid, "contact.merge_self", "a contact cannot be merged into itself").WithField("drop", "contact.merge_self")
	}
	var out cordon.Contact
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.LockContacts(ctx); err != nil {
			return err
		}
		k, err := a.liveContact(ctx, tx, actor, keep)
		if err != nil {
			return err
		}
		d, err := a.liveContact(ctx, tx, actor, drop)
		if err != nil {
			if cordon.ErrorKind(err) == cordon.KindNotFound {
				return cordon.Errorf(cordon.KindNotFound, "contact.not_found", "contact not found").WithField("drop", "contact.not_found")
			}
			return err
		}
		if k.PersonID != 0 && d.PersonID != 0 && k.PersonID != d.PersonID {
			return cordon.Errorf(cordon.KindConflict, "contact.merge_different_persons", "the two contacts are different registered persons").WithField("drop", "contact.merge_different_persons")
		}
		if k.PersonID == 0 && d.PersonID != 0 {
			pk, err := tx.PersonContactKey(ctx, store.Everywhere, d.PersonID)
			if err != nil {
				return err
			}
			if err := tx.LinkContactPerson(ctx, keep, pk); err != nil {
				return err
			}
		}
		for _, e := range d.Exposures {
			if err := tx.MoveExposure(ctx, e.ID, keep, drop); err != nil {
				return err
			}
			if !e.Active() {
				continue
			}
			for _, ke := range k.Exposures {
				if ke.Active() && ke.Kind == e.Kind && ke.SourceCase == e.SourceCase && ke.SourceContact == e.SourceContact &&
					ke.VenueID == e.VenueID && ke.OverlapFrom.Equal(e.OverlapFrom) {
					if e.FirstAt.Before(ke.FirstAt) {
						ke.FirstAt = e.FirstAt
					}
					if e.LastAt.After(ke.LastAt) {
						ke.LastAt = e.LastAt
					}
					ke.OutsideWindow = ke.OutsideWindow && e.OutsideWindow
					if err := tx.UpdateExposure(ctx, ke); err != nil {
						return err
					}
					if err := tx.SupersedeExposure(ctx, e.ID, ke.ID); err != nil {
						return err
					}
					break
				}
			}
		}
		u := k
		if u.Household == "" {
			u.Household = d.Household
		}
		if u.Note == "" {
			u.Note = d.Note
		}
		if err := tx.UpdateContact(ctx, u, 0); err != nil {
			return err
		}
		if err := tx.SetContactState(ctx, cordon.MergeState(k, d), 0); err != nil {
			return err
		}
		if err := tx.MarkContactMerged(ctx, drop, keep); err != nil {
			return err
		}
		// An exposure of keep to drop, or of drop to keep, would now make
		// the contact a secondary contact of itself.
		merged, err := tx.Contact(ctx, store.Everywhere, keep)
		if err != nil {
			return err
		}
		for _, e := range merged.Exposures {
			if e.Active() && e.SourceContact == keep {
				if err := tx.SupersedeExposure(ctx, e.ID, 0); err != nil {
					return err
				}
			}
		}
		if err := tx.RefreshContact(ctx, keep); err != nil {
			return err
		}
		if err := a.cancelContactOrders(ctx, tx, actor, drop, keep); err != nil {
			return err
		}
		if err := a.contactOrder(ctx, tx, actor, keep); err != nil {
			return err
		}
		if err := audit(ctx, tx, actor, "contact.merge", contactRecord(keep), reason, "merged "+contactRecord(drop)); err != nil {
			return err
		}
		if err := audit(ctx, tx, actor, "contact.merge", contactRecord(drop), reason, "merged into "+contactRecord(keep)); err != nil {
			return err
		}
		if out, err = tx.Contact(ctx, store.Everywhere, keep); err != nil {
			return err
		}
		cs := []cordon.Contact{out}
		err = a.presentContacts(ctx, tx, actor, cs)
		out = cs[0]
		return err
	})
	return out, err
}

// contactsBecomeCase is OpenCase's follow-up in its transaction: the
// contact records of the new case's person become the case, each close
// exposure with a known source case becomes a probable transmission link
// from that case (unless it would close a cycle), and, where the edition
// in force upgrades secondary contacts (cn-9), the open secondary
// contacts of those records become close contacts of the new case, their
// secondary exposure kept as history.
func (a *App) contactsBecomeCase(ctx context.Context, tx *store.Tx, actor cordon.Actor, c cordon.Case, who store.CaseIdentity) error {
	if err := tx.LockContacts(ctx); err != nil {
		return err
	}
	ids, err := tx.ContactsOfCaseIdentity(ctx, who)
	if err != nil || len(ids) == 0 {
		return err
	}
	p, err := policyIn(ctx, tx, c.Jurisdiction, tx.Now)
	if err != nil {
		return err
	}
	var links []cordon.Link
	for _, id := range ids {
		ct, err := tx.Contact(ctx, store.Everywhere, id)
		if err != nil {
			return err
		}
		if err := ct.BecomeCase(c.ID, tx.Now); err != nil {
			return err
		}
		if err := tx.SetContactState(ctx, ct, 0); err != nil {
			return err
		}
		if err := audit(ctx, tx, actor, "contact.became_case", contactRecord(id), "", caseRecord(c.ID)); err != nil {
			return err
		}
		for _, e := range ct.Exposures {
			if e.Active() && e.Kind == cordon.CloseContact && e.SourceCase != 0 && e.SourceCase != c.ID {
				links = append(links, cordon.Link{From: e.SourceCase, To: c.ID, Confidence: cordon.LinkProbable,
					Evidence: fmt.Sprintf("密接 #%d：%s，末次暴露 %s", id, e.Situation.Chinese(), e.LastAt.In(cordon.ChinaTime).Format(time.DateOnly))})
			}
		}
		if p.Contacts.UpgradeSecondary {
			if err := a.upgradeSecondary(ctx, tx, actor, ct.ID, c); err != nil {
				return err
			}
		}
	}
	if len(links) == 0 {
		return nil
	}
	if err := tx.LockLinks(ctx); err != nil {
		return err
	}
	existing, err := tx.CaseLinks(ctx)
	if err != nil {
		return err
	}
	for _, l := range links {
		dup := false
		for _, x := range existing {
			dup = dup || x.From == l.From && x.To == l.To
		}
		if dup || cordon.ValidateLinks(existing, l) != nil {
			// Known already, or the investigators recorded a chain this
			// link would contradict: theirs stands.
			continue
		}
		if err := tx.AddCaseLink(ctx, l, actor.AccountID); err != nil {
			return err
		}
		existing = append(existing, l)
		if err := audit(ctx, tx, actor, "case.link", caseRecord(l.To), "", fmt.Sprintf("from case %d: %s", l.From, l.Evidence)); err != nil {
			return err
		}
	}
	return nil
}

// upgradeSecondary makes the open secondary contacts of a close contact
// who became case c close contacts of c.
func (a *App) upgradeSecondary(ctx context.Context, tx *store.Tx, actor cordon.Actor, source int64, c cordon.Case) error {
	// Every one of them, page after page (newest first, by id).
	var secondary []cordon.Contact
	for after := int64(0); ; {
		page, err := tx.Contacts(ctx, store.Everywhere, cordon.ContactFilter{SourceContact: source, After: after, Limit: store.MaxLimit})
		if err != nil {
			return err
		}
		secondary = append(secondary, page...)
		if len(page) < store.MaxLimit {
			break
		}
		after = page[len(page)-1].ID
	}
	pol, err := policyIn(ctx, tx, c.Jurisdiction, tx.Now)
	if err != nil {
		return err
	}
	from, to := pol.ContactWindow(c, cordon.CaseUnderControlAt(c))
	for _, s := range secondary {
		if !s.Status.Open() {
			continue
		}
		for _, e := range s.Exposures {
			if !e.Active() || e.Kind != cordon.SecondaryContact || e.SourceContact != source {
				continue
			}
			up := cordon.ContactExposure{ContactID: s.ID, Kind: cordon.CloseContact, SourceCase: c.ID, Situation: e.Situation,
				FirstAt: e.FirstAt, LastAt: e.LastAt, Note: strings.TrimSpace("升级自次密接 " + e.Note),
				OutsideWindow: cordon.ExposureOutside(e.FirstAt, e.LastAt, from, to)}
			if err := tx.AddExposure(ctx, &up, actor.AccountID, actor.Username); err != nil {
				return err
			}
			if err := tx.SupersedeExposure(ctx, e.ID, up.ID); err != nil {
				return err
			}
		}
		if s.Kind == cordon.SecondaryContact && s.Status == cordon.ContactIdentified {
			s.IdentifiedAt = tx.Now
			if err := tx.SetContactState(ctx, s, 0); err != nil {
				return err
			}
		}
		if err := tx.RefreshContact(ctx, s.ID); err != nil {
			return err
		}
		if err := a.contactOrder(ctx, tx, actor, s.ID); err != nil {
			return err
		}
		if err := audit(ctx, tx, actor, "contact.upgrade", contactRecord(s.ID), "", fmt.Sprintf("close contact of %s: contact %d became that case", caseRecord(c.ID), source)); err != nil {
			return err
		}
	}
	return nil
}

// contactEdges lists the close contacts traced to the cases of the
// actor's subtree as edges of the chains: counts, no personal data.
func contactEdges(ctx context.Context, tx *store.Tx, actor cordon.Actor) ([]cordon.ContactEdge, error) {
	return tx.ContactEdges(ctx, store.ScopeOf(actor))
}

// ContactLineList writes the contacts of the actor's subtree matching the
// filter as a line list in CSV or XLSX with Chinese headings, ID numbers
// and phones masked unless the role reads them in full. The export is
// audited with the contacts it holds.
func (a *App) ContactLineList(ctx context.Context, actor cordon.Actor, f cordon.ContactFilter, format string, w io.Writer) error {
	if err := authorize(actor, cordon.PermContactRead); err != nil {
		return err
	}
	if format != linelist.CSV && format != linelist.XLSX {
		return cordon.Errorf(cordon.KindInvalid, "linelist.format", "the format is csv or xlsx").WithField("format", "linelist.format")
	}
	if err := f.Validate(); err != nil {
		return err
	}
	var all []cordon.Contact
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		f.Limit = store.MaxLimit
		for len(all) < MaxLineList {
			page, err := tx.Contacts(ctx, store.ScopeOf(actor), f)
			if err != nil {
				return err
			}
			all = append(all, page...)
			if len(page) < store.MaxLimit {
				break
			}
			f.After = page[len(page)-1].ID
		}
		return a.presentContacts(ctx, tx, actor, all)
	})
	if err != nil {
		return err
	}
	ids := make([]int64, len(all))
	for i := range all {
		ids[i] = all[i].ID
	}
	if err := a.recordRead(ctx, actor, "contact.line_list", "", "", format+": contacts "+joinIDs(ids)); err != nil {
		return err
	}
	return linelist.WriteContacts(w, format, all, func(code string) string { return a.dir.Path(code) })
}

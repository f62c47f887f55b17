package app

import (
	"context"
	"strings"

	"cordon"
	"cordon/internal/linelist"
	"cordon/internal/store"
)

// contactImport imports contact line lists: one contact a row, with the
// source (病例#12, 密接#5, or a case number), how (接触方式) and when. A row
// is added as AddContact adds a contact, in the row's own savepoint: a
// registered person with the row's ID number is that person, anyone else
// is entered by name with the phone or ID number for matching later; the
// same person and source again updates the exposure, so a file imported
// twice adds nothing twice. A cell of several sources ("病例#3；病例#7")
// with as many situations gives the contact one exposure each. The rules
// of the edition in force apply as to a contact added by hand; exposures
// outside the window are stored (the contact's page flags them).
func contactImport() ImportKind {
	return ImportKind{
		Name:        "contacts",
		Action:      "contact.import",
		Permissions: []cordon.Permission{cordon.PermContactWrite},
		Columns:     linelist.ContactColumns,
		Start: func(a *App, actor cordon.Actor) RowHandler {
			return &contactRows{a: a, actor: actor, places: placeNames{a: a, actor: actor}}
		},
	}
}

// contactRows is the handler of one job's contact rows.
type contactRows struct {
	a      *App
	actor  cordon.Actor
	places placeNames
}

// contactColumnOf names the column of a field of ContactInput's validation.
var contactColumnOf = map[string]string{
	"person_id": "name", "source_case_id": "source", "source_contact_id": "source", "kind": "kind",
	"venue_id": "situation", "overlap_from": "situation",
}

// contactColumns puts an error's fields under the file's columns.
func contactColumns(err error) error {
	e := asCordonError(err)
	if e == nil || len(e.Fields) == 0 {
		return err
	}
	moved := *e
	moved.Fields = map[string]string{}
	for f, code := range e.Fields {
		if c, ok := contactColumnOf[f]; ok {
			f = c
		}
		moved.Fields[f] = code
	}
	return &moved
}

func (h *contactRows) Check(ctx context.Context, row linelist.Row) (RowWrite, error) {
	now := h.a.now()
	var v cordon.Invalid
	v.Code = "import.row_invalid"
	id := row.Value("id_number")
	switch {
	case strings.Contains(id, "*"):
		v.Add("id_number", "import.id_number_masked")
	case strings.Contains(strings.ToUpper(id), "E+"):
		v.Add("id_number", "import.id_number_as_number")
	}
	area, err := h.places.code(ctx, row.Value("jurisdiction"))
	if err != nil {
		v.Add("jurisdiction", cordon.ErrorCode(err))
	}
	sources, ok := linelist.ContactSources(row.Value("source"))
	if !ok {
		v.Add("source", "contact.source_unreadable")
	}
	situations := linelist.Situations(row.Value("situation"))
	if len(situations) != 1 && len(situations) != len(sources) {
		v.Add("situation", "contact.situations_mismatch")
	}
	kind := linelist.ContactKindOf(row.Value("kind"))
	first, last := row.Value("first_exposure"), row.Value("last_exposure")
	in := cordon.ContactInput{ContactIdentity: cordon.ContactIdentity{Name: row.Value("name"), DocType: cordon.DocType(linelist.Code(row.Value("doc_type"))),
		IDNumber: id, Phone: row.Value("phone")}, Jurisdiction: area, Household: row.Value("household"), Note: row.Value("note")}
	for field, s := range map[string]string{"first_exposure": first, "last_exposure": last} {
		if s == "" {
			continue
		}
		t, ok := linelist.Time(s)
		if !ok {
			v.Add(field, "import.date_unreadable")
			continue
		}
		if field == "first_exposure" {
			in.Exposure.FirstAt = t
		} else {
			in.Exposure.LastAt = t
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	// One input a source, each validated as AddContact validates it.
	var inputs []cordon.ContactInput
	for i, src := range sources {
		x := in
		x.Exposure.Kind, x.Exposure.SourceCase, x.Exposure.SourceContact = kind, src.Case, src.Contact
		if kind == cordon.CloseContact && src.Contact != 0 || kind == cordon.SecondaryContact && src.Case != 0 {
			// 类别 says one thing, the source another: say so under 类别.
			return nil, cordon.Errorf(cordon.KindInvalid, "contact.kind_mismatch", "the kind does not fit the source").WithField("kind", "contact.kind_mismatch")
		}
		x.Exposure.Situation = situations[min(i, len(situations)-1)]
		if err := x.Validate(cordon.PersonRules{KnownAddress: h.a.dir.KnownAddressCode, Now: now}); err != nil {
			return nil, contactColumns(err)
		}
		inputs = append(inputs, x)
	}
	if area != "" && !h.actor.Sees(area) {
		return nil, cordon.Errorf(cordon.KindForbidden, "contact.outside_jurisdiction", "the contact is outside your jurisdiction").WithField("jurisdiction", "contact.outside_jurisdiction")
	}
	return func(ctx context.Context, tx *store.Tx) ([]string, error) {
		return h.write(ctx, tx, inputs)
	}, nil
}

// write stores one checked row: the person is the registered holder of
// the ID number in the importer's subtree, or who the row says; each
// source adds its exposure.
func (h *contactRows) write(ctx context.Context, tx *store.Tx, inputs []cordon.ContactInput) ([]string, error) {
	if err := tx.LockContacts(ctx); err != nil {
		return nil, err
	}
	in := inputs[0]
	k := h.a.db.ContactKey(in.ContactIdentity)
	if in.IDNumber != "" {
		p, err := tx.PersonByDocument(ctx, store.ScopeOf(h.actor), in.DocType, in.IDNumber)
		switch {
		case err == nil:
			if k, err = tx.PersonContactKey(ctx, store.ScopeOf(h.actor), p.ID); err != nil {
				return nil, err
			}
		case cordon.ErrorKind(err) != cordon.KindNotFound:
			return nil, err
		}
	}
	var records []string
	for _, x := range inputs {
		res, err := h.a.recordExposure(ctx, tx, h.actor, nil, k, x)
		if err != nil {
			return nil, contactColumns(err)
		}
		if rec := contactRecord(res.ID); len(records) == 0 || records[len(records)-1] != rec {
			records = append(records, rec)
		}
	}
	return records, nil
}

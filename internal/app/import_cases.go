package app

import (
	"context"
	"strings"
	"time"

	"cordon"
	"cordon/internal/linelist"
	"cordon/internal/store"
)

// caseImport imports case line lists: the person's identity (name,
// document, phone, where they live) and the case fields of the export. A
// row's person is the registered person with its document number, or is
// registered from the row; then the case is opened by hand for them, as
// OpenCase does, with its clocks running from 发现时间 (from the import when
// the row has none).
//
// A person has one case by import: a row whose person has a case already,
// open or closed, is refused (import.case_exists, naming the case). So a
// file imported twice stores nothing the second time, and a reinfection is
// opened by hand.
func caseImport() ImportKind {
	return ImportKind{
		Name:        "cases",
		Action:      "case.import",
		Permissions: []cordon.Permission{cordon.PermCaseWrite, cordon.PermPersonWrite},
		Columns:     linelist.CaseColumns,
		Start: func(a *App, actor cordon.Actor) RowHandler {
			return &caseRows{a: a, actor: actor, places: placeNames{a: a, actor: actor}}
		},
	}
}

// caseRows is the handler of one job's case rows.
type caseRows struct {
	a      *App
	actor  cordon.Actor
	places placeNames
}

// personFields are the fields of a person's validation, by the columns
// that hold them.
var personFields = map[string]string{"residence": "place", "current": "place"}

func (h *caseRows) Check(ctx context.Context, row linelist.Row) (RowWrite, error) {
	now := h.a.now()
	var v cordon.Invalid
	v.Code = "import.row_invalid"
	add := func(err error) error {
		e := asCordonError(err)
		if e == nil || e.Kind == cordon.KindInternal {
			return err
		}
		if len(e.Fields) == 0 {
			v.Add("", e.Code)
		}
		for f, code := range e.Fields {
			if c, ok := personFields[f]; ok {
				f = c
			}
			v.Add(f, code)
		}
		return nil
	}

	id := row.Value("id_number")
	switch {
	case strings.Contains(id, "*"):
		v.Add("id_number", "import.id_number_masked")
	case strings.Contains(strings.ToUpper(id), "E+"):
		v.Add("id_number", "import.id_number_as_number")
	}
	caseArea, err := h.places.code(ctx, row.Value("jurisdiction"))
	if err != nil {
		v.Add("jurisdiction", cordon.ErrorCode(err))
	}
	place, err := h.places.code(ctx, row.Value("place"))
	if err != nil {
		v.Add("place", cordon.ErrorCode(err))
	}
	if place == "" && err == nil {
		// Where the person lives: the place named, else the best the
		// address says, else the case's jurisdiction, else the importer's.
		if place = h.places.prefixOf(ctx, row.Value("address")); place == "" {
			place = caseArea
		}
		if place == "" && h.actor.Jurisdiction != cordon.Nationwide {
			place = h.actor.Jurisdiction
		}
		if place == "" {
			v.Add("place", "import.place_required")
		}
	}
	person := cordon.PersonInput{Name: row.Value("name"), DocType: cordon.DocType(linelist.Code(row.Value("doc_type"))), IDNumber: id,
		Phone: row.Value("phone"), Residence: place, Current: place, Address: row.Value("address")}
	p, err := person.Validate(h.a.personRules())
	if err := add(err); err != nil {
		return nil, err
	}

	in := cordon.CaseInput{Classification: cordon.Classification(linelist.Code(row.Value("classification"))),
		Severity: cordon.Severity(linelist.Code(row.Value("severity"))), Variant: row.Value("variant"), Lineage: row.Value("lineage"),
		Hospital: row.Value("hospital"), Outcome: cordon.CaseOutcome(linelist.Code(row.Value("outcome"))),
		Origin: cordon.Origin(linelist.Code(row.Value("origin"))), Jurisdiction: caseArea}
	in.OnsetDate = readDate(&v, now, "onset_date", row.Value("onset_date"))
	in.SamplingDate = readDate(&v, now, "sampling_date", row.Value("sampling_date"))
	if s := row.Value("detected_at"); s != "" {
		t, ok := linelist.Time(s)
		switch {
		case !ok:
			v.Add("detected_at", "import.date_unreadable")
		case t.After(now):
			v.Add("detected_at", "import.date_future")
		default:
			in.DetectedAt = t
		}
	}
	if err := add(in.Validate(now)); err != nil {
		return nil, err
	}
	if caseArea != "" && !h.actor.Sees(caseArea) {
		v.Add("jurisdiction", "case.outside_jurisdiction")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return func(ctx context.Context, tx *store.Tx) ([]string, error) {
		return h.write(ctx, tx, p, in)
	}, nil
}

// readDate reads a date column into YYYY-MM-DD, adding the error of one
// that cannot be read or lies in the future.
func readDate(v *cordon.Invalid, now time.Time, field, s string) string {
	if s == "" {
		return ""
	}
	d, ok := linelist.Date(s)
	switch {
	case !ok:
		v.Add(field, "import.date_unreadable")
	case d > now.In(cordon.ChinaTime).Format(time.DateOnly):
		v.Add(field, "import.date_future")
	}
	return d
}

// write stores one checked row: the person, found by document or
// registered, then their case.
func (h *caseRows) write(ctx context.Context, tx *store.Tx, p cordon.Person, in cordon.CaseInput) ([]string, error) {
	var records []string
	found, err := tx.PersonByDocument(ctx, store.Everywhere, p.DocType, p.IDNumber)
	switch {
	case err == nil:
		if !h.actor.Sees(found.Current) {
			return nil, cordon.Errorf(cordon.KindForbidden, "import.person_elsewhere", "the person is registered in another jurisdiction: ask it to open the case").WithField("id_number", "import.person_elsewhere")
		}
		if found.Name != p.Name {
			return nil, cordon.Errorf(cordon.KindConflict, "import.name_mismatch", "the document number is registered under another name").WithField("name", "import.name_mismatch")
		}
		p = found
	case cordon.ErrorKind(err) == cordon.KindNotFound:
		if err := h.a.checkPlaces(ctx, tx, h.actor, p); err != nil {
			return nil, placeFields(err)
		}
		if err := tx.CreatePerson(ctx, &p, h.actor.AccountID); err != nil {
			return nil, err
		}
		records = append(records, personRecord(p.ID))
	default:
		return nil, err
	}
	who, current := tx.IdentityOf(p), p.Current
	if id, err := tx.CaseOf(ctx, who); err != nil || id != 0 {
		if err != nil {
			return nil, err
		}
		e := cordon.Errorf(cordon.KindConflict, "import.case_exists", "the person has a case already")
		e.Extra = map[string]any{"id": id, "record": caseRecord(id)}
		return nil, e
	}
	c := cordon.Case{Classification: in.Classification, Severity: in.Severity, OnsetDate: in.OnsetDate, SamplingDate: in.SamplingDate,
		Variant: in.Variant, Lineage: in.Lineage, Hospital: in.Hospital, Outcome: in.Outcome, Origin: in.Origin,
		Jurisdiction: in.Jurisdiction, DetectedAt: in.DetectedAt}
	if c.DetectedAt.IsZero() {
		c.DetectedAt = tx.Now
	}
	if c.Jurisdiction == "" {
		c.Jurisdiction = current
	}
	if !h.actor.Sees(c.Jurisdiction) {
		return nil, cordon.Errorf(cordon.KindForbidden, "case.outside_jurisdiction", "a case is opened in your jurisdiction").WithField("place", "case.outside_jurisdiction")
	}
	if err := tx.CreateCase(ctx, &c, who, h.actor.AccountID); err != nil {
		return nil, err
	}
	// A contact who is imported as a case becomes one, as when the case
	// is opened by hand: the link to the source, cn-9's upgrade.
	if err := h.a.contactsBecomeCase(ctx, tx, h.actor, c, who); err != nil {
		return nil, err
	}
	if err := h.a.caseOrder(ctx, tx, h.actor, c); err != nil {
		return nil, err
	}
	return append(records, caseRecord(c.ID)), nil
}

// placeFields puts the residence and current place of a person's error
// under the place column.
func placeFields(err error) error {
	e := asCordonError(err)
	if e == nil || len(e.Fields) == 0 {
		return err
	}
	moved := *e
	moved.Fields = map[string]string{}
	for f, code := range e.Fields {
		if c, ok := personFields[f]; ok {
			f = c
		}
		moved.Fields[f] = code
	}
	return &moved
}

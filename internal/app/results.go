package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"cordon"
	"cordon/internal/hl7"
	"cordon/internal/labfile"
	"cordon/internal/store"
)

func labRecord(id int64) string { return "lab:" + strconv.FormatInt(id, 10) }

// CreateLab registers a lab.
func (a *App) CreateLab(ctx context.Context, actor cordon.Actor, in cordon.LabInput) (cordon.Lab, error) {
	if err := authorize(actor, cordon.PermTestingManage); err != nil {
		return cordon.Lab{}, err
	}
	l, err := in.Validate()
	if err != nil {
		return l, err
	}
	if !actor.Sees(l.Jurisdiction) {
		return l, cordon.ErrForbidden
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if !a.exists(ctx, tx, l.Jurisdiction) {
			return unknownJurisdiction(l.Jurisdiction)
		}
		if err := tx.CreateLab(ctx, &l, actor.AccountID); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "lab.create", labRecord(l.ID), "", l.Name)
	})
	return l, err
}

// Labs lists the labs inside the actor's subtree with their load.
func (a *App) Labs(ctx context.Context, actor cordon.Actor) ([]cordon.LabStatus, error) {
	if err := authorize(actor, cordon.PermTestingRead); err != nil {
		return nil, err
	}
	var out []cordon.LabStatus
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		ls, err := tx.Labs(ctx, store.ScopeOf(actor))
		if err != nil {
			return err
		}
		for _, l := range ls {
			s, err := tx.LabStatus(ctx, l)
			if err != nil {
				return err
			}
			out = append(out, s)
		}
		return nil
	})
	return out, err
}

// LabStatus is one lab's load with its overdue tubes.
func (a *App) LabStatus(ctx context.Context, actor cordon.Actor, id int64) (cordon.LabStatus, []cordon.Tube, error) {
	if err := authorize(actor, cordon.PermTestingRead); err != nil {
		return cordon.LabStatus{}, nil, err
	}
	var s cordon.LabStatus
	var overdue []cordon.Tube
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		l, err := tx.Lab(ctx, id)
		if err != nil {
			return err
		}
		if !actor.Sees(l.Jurisdiction) {
			return cordon.Errorf(cordon.KindNotFound, "lab.not_found", "lab not found")
		}
		if s, err = tx.LabStatus(ctx, l); err != nil {
			return err
		}
		overdue, err = tx.OverdueTubes(ctx, id, 100)
		return err
	})
	return s, overdue, err
}

// MaxResultRows bounds one upload: it is applied in one transaction, all or
// nothing.
const MaxResultRows = 200_000

// UploadResults applies a batch of lab results in one transaction and
// reports, per row, what went to the inbox or was refused.
func (a *App) UploadResults(ctx context.Context, actor cordon.Actor, format string, rows []cordon.LabResultInput) (cordon.LabUpload, error) {
	if err := authorize(actor, cordon.PermLabWrite); err != nil {
		return cordon.LabUpload{}, err
	}
	if len(rows) > MaxResultRows {
		return cordon.LabUpload{}, cordon.Errorf(cordon.KindInvalid, "labresult.too_many", "send at most %d results at a time", MaxResultRows)
	}
	for i := range rows {
		r := &rows[i]
		// The raw text is kept only for the inbox; the identity in it is
		// not needed to resolve a result and is not kept.
		r.Raw = labfile.Redact(r.Raw)
		if r.Unreadable != nil {
			continue
		}
		r.Unreadable = r.Check()
	}
	sub := store.Submission{Format: format, AccountID: actor.AccountID, Username: actor.Username,
		Jurisdiction: actor.Jurisdiction, Scope: store.ScopeOf(actor)}
	var up cordon.LabUpload
	err := a.db.TransactSynced(ctx, func(tx *store.Tx) error {
		var err error
		if up, err = tx.ApplyResults(ctx, sub, rows); err != nil {
			return err
		}
		// Holds begin and end pending-retest orders (orders.go).
		if err := a.holdOrders(ctx, tx, actor, up.Effects); err != nil {
			return err
		}
		fx := up.Effects
		return audit(ctx, tx, actor, "labresult.upload", "", "", fmt.Sprintf("%s: %d received, %d matched, %d inbox, %d rejected; %d positive pools, %d held, %d released, %d positives",
			format, up.Received, up.Matched, up.Inbox, up.Rejected, fx.PositivePools, fx.Held, fx.Released, fx.Positives))
	})
	if err != nil {
		return cordon.LabUpload{}, err
	}
	if up.Effects.PositivePools > 0 || up.Effects.Positives > 0 {
		a.log.Warn("positive results", "pools", up.Effects.PositivePools, "held", up.Effects.Held, "positives", up.Effects.Positives, "by", actor.Username)
	}
	return up, nil
}

// UploadLabFile reads a lab's upload in any supported format, chosen by its
// content type, and applies it. A file that cannot be read at all is an
// error; rows that cannot be read go to the inbox with their raw text.
func (a *App) UploadLabFile(ctx context.Context, actor cordon.Actor, contentType string, data []byte) (cordon.LabUpload, error) {
	if err := authorize(actor, cordon.PermLabWrite); err != nil {
		return cordon.LabUpload{}, err
	}
	format, ok := labfile.FormatOf(contentType)
	if !ok {
		return cordon.LabUpload{}, cordon.Errorf(cordon.KindUnsupported, "labresult.format", "send JSON, CSV, XLSX or HL7 v2 (got %q)", contentType)
	}
	rows, err := labfile.Parse(format, data)
	if err != nil {
		return cordon.LabUpload{}, err
	}
	in := make([]cordon.LabResultInput, len(rows))
	for i, r := range rows {
		in[i] = cordon.LabResultInput{Line: r.Line, Barcode: r.Barcode, CtORF1ab: r.CtORF1ab, CtN: r.CtN, Observed: r.Observed, Raw: r.Raw}
		switch r.Outcome {
		case hl7.Positive, hl7.PooledPositive:
			in[i].Outcome = cordon.OutcomePositive
		case hl7.Negative, hl7.PooledNegative:
			in[i].Outcome = cordon.OutcomeNegative
		case hl7.Invalid:
			in[i].Outcome = cordon.OutcomeInvalid
		}
		if r.Err != nil {
			e := cordon.Errorf(cordon.KindInvalid, r.Err.Code, "%s", r.Err.Message)
			if r.Err.Field != "" {
				e = e.WithField(r.Err.Field, r.Err.Code)
			}
			in[i].Unreadable = e
		} else if in[i].Outcome == "" {
			in[i].Unreadable = cordon.Errorf(cordon.KindInvalid, "labfile.bad_result", "the result cannot be read").WithField("result", "labfile.bad_result")
		}
	}
	return a.UploadResults(ctx, actor, shortFormat(format), in)
}

func shortFormat(f string) string {
	switch f {
	case labfile.JSON:
		return "json"
	case labfile.CSV:
		return "csv"
	case labfile.XLSX:
		return "xlsx"
	case labfile.HL7:
		return "hl7"
	}
	return f
}

// Inbox lists the results waiting for a person, kept under the actor's
// subtree.
func (a *App) Inbox(ctx context.Context, actor cordon.Actor, after int64, limit int) ([]cordon.InboxItem, error) {
	if err := authorize(actor, cordon.PermLabWrite); err != nil {
		return nil, err
	}
	var out []cordon.InboxItem
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Inbox(ctx, store.ScopeOf(actor), after, limit)
		return err
	})
	if err == nil && len(out) > 0 {
		err = a.recordRead(ctx, actor, "inbox.list", "", "", fmt.Sprintf("%d inbox items", len(out)))
	}
	return out, err
}

// InboxResolution says how an inbox item is settled: applied as a result
// (with the barcode and result a person read from the raw text), or
// dismissed with a note.
type InboxResolution struct {
	Barcode  string         `json:"barcode,omitempty"`
	Outcome  cordon.Outcome `json:"result,omitempty"`
	CtORF1ab float64        `json:"ct_orf1ab,omitempty"`
	CtN      float64        `json:"ct_n,omitempty"`
	Dismiss  bool           `json:"dismiss,omitempty"`
	Note     string         `json:"note,omitempty"`
}

// ResolveInbox settles an inbox item. Applying it runs the result through
// the same path as an upload, in the same transaction as the resolution.
func (a *App) ResolveInbox(ctx context.Context, actor cordon.Actor, id int64, res InboxResolution) (cordon.LabUpload, error) {
	if err := authorize(actor, cordon.PermLabWrite); err != nil {
		return cordon.LabUpload{}, err
	}
	res.Note = strings.TrimSpace(res.Note)
	if len(res.Note) > 500 {
		return cordon.LabUpload{}, cordon.Errorf(cordon.KindInvalid, "inbox.note_invalid", "the note is too long").WithField("note", "inbox.note_invalid")
	}
	if res.Dismiss && res.Note == "" {
		return cordon.LabUpload{}, cordon.Errorf(cordon.KindInvalid, "inbox.note_required", "say why the result is dismissed").WithField("note", "inbox.note_required")
	}
	var up cordon.LabUpload
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		it, err := tx.InboxItem(ctx, store.ScopeOf(actor), id)
		if err != nil {
			return err
		}
		how := "dismissed: " + res.Note
		if !res.Dismiss {
			row := cordon.LabResultInput{Line: 1, Barcode: res.Barcode, Outcome: res.Outcome, CtORF1ab: res.CtORF1ab, CtN: res.CtN, Raw: it.Raw}
			if e := row.Check(); e != nil {
				return e
			}
			up, err = tx.ApplyResults(ctx, store.Submission{Format: "inbox", AccountID: actor.AccountID, Username: actor.Username,
				Jurisdiction: actor.Jurisdiction, Scope: store.ScopeOf(actor)}, []cordon.LabResultInput{row})
			if err != nil {
				return err
			}
			if up.Matched != 1 {
				e := up.Errors[0]
				return cordon.Errorf(cordon.KindConflict, e.Code, "%s", e.Message).WithField("barcode", e.Code)
			}
			if err := a.holdOrders(ctx, tx, actor, up.Effects); err != nil {
				return err
			}
			how = fmt.Sprintf("applied to %s as %s", row.Barcode, row.Outcome)
			if res.Note != "" {
				how += ": " + res.Note
			}
		}
		if err := tx.ResolveInbox(ctx, id, actor.AccountID, how); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "inbox.resolve", "inbox:"+strconv.FormatInt(id, 10), "", how)
	})
	return up, err
}

// Recalls lists the people recalled inside an area: held at home for a
// single-tube retest after a positive pool, or to be sampled again after an
// invalid result. It is the grid worker's task list; the read is audited.
func (a *App) Recalls(ctx context.Context, actor cordon.Actor, area string, f cordon.HoldFilter) ([]cordon.Hold, error) {
	if err := authorize(actor, cordon.PermRecallRead); err != nil {
		return nil, err
	}
	if area == "" {
		area = actor.Jurisdiction
	}
	if !actor.Sees(area) {
		return nil, cordon.ErrForbidden
	}
	var out []cordon.Hold
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Holds(ctx, store.Inside(area), f)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(out) > 0 {
		if err := a.recordRead(ctx, actor, "recall.list", "", "", fmt.Sprintf("%d holds in %s", len(out), area)); err != nil {
			return nil, err
		}
	}
	if !actor.Can(cordon.PermPersonReadFull) {
		for i := range out {
			out[i].IDNumber = cordon.MaskDocNumber(out[i].IDNumber)
		}
	}
	return out, nil
}

// Positives lists the positive single tubes inside the actor's subtree,
// newest first, for the epidemiologists. The read is audited.
func (a *App) Positives(ctx context.Context, actor cordon.Actor, after int64, limit int) ([]cordon.Positive, error) {
	if err := authorize(actor, cordon.PermPositiveRead); err != nil {
		return nil, err
	}
	var out []cordon.Positive
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Positives(ctx, store.ScopeOf(actor), after, limit)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(out) > 0 {
		if err := a.recordRead(ctx, actor, "positive.list", "", "", fmt.Sprintf("%d positives", len(out))); err != nil {
			return nil, err
		}
	}
	if !actor.Can(cordon.PermPersonReadFull) {
		for i := range out {
			out[i].IDNumber = cordon.MaskDocNumber(out[i].IDNumber)
		}
	}
	return out, nil
}

// PersonHeld reports whether a person is held at home for a retest after a
// positive pool: a fact the health code reads.
func (a *App) PersonHeld(ctx context.Context, personID int64) (bool, error) {
	var held bool
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		held, err = tx.PersonHeld(ctx, personID)
		return err
	})
	return held, err
}

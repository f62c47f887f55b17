package app

import (
	"bytes"
	"context"
	"slices"
	"strconv"

	"cordon"
	"cordon/internal/report"
	"cordon/internal/store"
)

// Investigation reads the epidemiological investigation of a case with
// the case itself: an empty draft when none was saved yet. The window
// comes from the policy edition in force where the case is, its warnings
// are computed afresh, household ID numbers and phones are masked for
// roles that do not read them in full, and the read is audited: the
// investigation holds the personal data of the case's household.
func (a *App) Investigation(ctx context.Context, actor cordon.Actor, caseID int64, reason string) (cordon.Case, cordon.Investigation, error) {
	return a.readInvestigation(ctx, actor, caseID, reason, "investigation.read", "")
}

func (a *App) readInvestigation(ctx context.Context, actor cordon.Actor, caseID int64, reason, action, detail string) (cordon.Case, cordon.Investigation, error) {
	if err := authorize(actor, cordon.PermCaseRead); err != nil {
		return cordon.Case{}, cordon.Investigation{}, err
	}
	var c cordon.Case
	var inv cordon.Investigation
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		c, inv, err = a.investigationIn(ctx, tx, actor, caseID)
		return err
	})
	if err != nil {
		return c, inv, err
	}
	if err := a.recordRead(ctx, actor, action, caseRecord(caseID), reason, detail); err != nil {
		return cordon.Case{}, cordon.Investigation{}, err
	}
	a.presentCase(actor, &c)
	presentInvestigation(actor, &inv)
	return c, inv, nil
}

// investigationIn reads a case and its investigation (an empty draft when
// there is none) with the window of the policy in force.
func (a *App) investigationIn(ctx context.Context, tx *store.Tx, actor cordon.Actor, caseID int64) (cordon.Case, cordon.Investigation, error) {
	c, err := tx.Case(ctx, store.ScopeOf(actor), caseID)
	if err != nil {
		return c, cordon.Investigation{}, err
	}
	inv, err := tx.Investigation(ctx, store.ScopeOf(actor), caseID)
	if cordon.ErrorCode(err) == "investigation.not_found" {
		inv, err = cordon.Investigation{CaseID: caseID, Status: cordon.InvestigationDraft}, nil
	}
	if err != nil {
		return c, inv, err
	}
	inv.Window, err = windowOf(ctx, tx, c, inv.ControlDate)
	return c, inv, err
}

// windowOf is the itinerary window of a case under the policy edition in
// force in its jurisdiction when it was found.
func windowOf(ctx context.Context, tx *store.Tx, c cordon.Case, control string) (cordon.Window, error) {
	p, err := policyIn(ctx, tx, c.Jurisdiction, c.DetectedAt)
	if err != nil {
		return cordon.Window{}, err
	}
	return cordon.InvestigationWindow(c, control, p.Investigation.LookbackDays, p.Key), nil
}

// presentInvestigation computes the warnings and masks the household for
// the actor; empty lists are shown as empty rather than null.
func presentInvestigation(actor cordon.Actor, inv *cordon.Investigation) {
	inv.Warnings = inv.Warn(inv.Window)
	if !actor.Can(cordon.PermPersonReadFull) {
		inv.Mask()
	}
	if inv.Warnings == nil {
		inv.Warnings = []cordon.Warning{}
	}
	if inv.HomeDays == nil {
		inv.HomeDays = []string{}
	}
	if inv.Household == nil {
		inv.Household = []cordon.HouseholdMember{}
	}
	if inv.Symptoms == nil {
		inv.Symptoms = []cordon.Symptom{}
	}
	if inv.Tests == nil {
		inv.Tests = []cordon.TestRecord{}
	}
	if inv.Itinerary == nil {
		inv.Itinerary = []cordon.ItineraryEntry{}
	}
	if inv.Exposures == nil {
		inv.Exposures = []cordon.Exposure{}
	}
}

// SaveInvestigation saves the investigation of a case: created at version
// 0, replaced at the version read otherwise (investigation.changed when
// someone saved meanwhile). What cannot be right is refused with the field
// at fault and nothing is written; what may be wrong comes back as
// warnings. Venues must be registered and visible to the actor, persons
// and cases referred to must be in the actor's jurisdiction. A submitted
// investigation stays submitted: a save amends it, and must keep it
// complete.
func (a *App) SaveInvestigation(ctx context.Context, actor cordon.Actor, caseID int64, in cordon.Investigation) (cordon.Investigation, error) {
	if err := authorize(actor, cordon.PermCaseWrite); err != nil {
		return cordon.Investigation{}, err
	}
	if in.Version < 0 {
		return cordon.Investigation{}, cordon.Errorf(cordon.KindInvalid, "investigation.version_required", "send the version of the investigation you read").WithField("version", "investigation.version_required")
	}
	version := in.Version
	var out cordon.Investigation
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		c, old, err := a.investigationIn(ctx, tx, actor, caseID)
		if err != nil {
			return err
		}
		if old.Version != version {
			return cordon.Errorf(cordon.KindConflict, "investigation.changed", "the investigation was changed meanwhile; reload it")
		}
		// A form filled from a masked read sends the masked numbers back:
		// they mean "unchanged".
		in.CaseID = caseID
		in.KeepMasked(old)
		if err := in.Validate(cordon.InvestigationFacts{Now: a.now(), CaseID: caseID}); err != nil {
			return err
		}
		if err := a.checkReferences(ctx, tx, actor, &in); err != nil {
			return err
		}
		in.SortItinerary()
		if old.Status == cordon.InvestigationSubmitted {
			w, err := windowOf(ctx, tx, c, in.ControlDate)
			if err != nil {
				return err
			}
			if err := in.Complete(w, cordon.PartReport); err != nil {
				return err
			}
		}
		if err := tx.SaveInvestigation(ctx, &in, version, actor.AccountID, actor.Username); err != nil {
			return err
		}
		action := "investigation.save"
		if old.Status == cordon.InvestigationSubmitted {
			action = "investigation.amend"
		}
		if err := audit(ctx, tx, actor, action, caseRecord(caseID), "", "version "+strconv.Itoa(in.Version)); err != nil {
			return err
		}
		_, out, err = a.investigationIn(ctx, tx, actor, caseID)
		return err
	})
	if err != nil {
		return cordon.Investigation{}, err
	}
	presentInvestigation(actor, &out)
	return out, nil
}

// checkReferences checks what an investigation refers to: venues that
// exist and that the actor sees (a stay at one takes its name as the place
// when none is given), jurisdictions that exist, registered persons and
// cases inside the actor's jurisdiction. Every fault is reported at once.
func (a *App) checkReferences(ctx context.Context, tx *store.Tx, actor cordon.Actor, inv *cordon.Investigation) error {
	scope := store.ScopeOf(actor)
	var v cordon.Invalid
	v.Code = "investigation.invalid"
	row := func(list string, i int, field string) string { return list + "." + strconv.Itoa(i+1) + "." + field }

	var venueIDs []int64
	for _, e := range inv.Itinerary {
		if e.VenueID != 0 && !slices.Contains(venueIDs, e.VenueID) {
			venueIDs = append(venueIDs, e.VenueID)
		}
	}
	keys, err := tx.VenueKeys(ctx, venueIDs)
	if err != nil {
		return err
	}
	venues := map[int64]string{} // the venues the actor sees, by name
	for id, k := range keys {
		if actor.Sees(k.Jurisdiction) {
			venues[id] = k.Name
		}
	}
	persons := map[int64]bool{}
	person := func(id int64) (bool, error) {
		if ok, seen := persons[id]; seen {
			return ok, nil
		}
		_, err := tx.Person(ctx, scope, id)
		if err != nil && cordon.ErrorKind(err) != cordon.KindNotFound {
			return false, err
		}
		persons[id] = err == nil
		return err == nil, nil
	}
	caseExists := func(id int64) (bool, error) {
		_, err := tx.Case(ctx, scope, id)
		if err != nil && cordon.ErrorKind(err) != cordon.KindNotFound {
			return false, err
		}
		return err == nil, nil
	}
	// need marks field when a reference is given and names nothing.
	need := func(field string, id int64, exists func(int64) (bool, error), code string) error {
		if id == 0 {
			return nil
		}
		ok, err := exists(id)
		if err == nil && !ok {
			v.Add(field, code)
		}
		return err
	}
	for i := range inv.Itinerary {
		e := &inv.Itinerary[i]
		if e.VenueID != 0 {
			name, ok := venues[e.VenueID]
			if !ok {
				v.Add(row("itinerary", i, "venue_id"), "itinerary.venue_not_found")
			} else if e.Place == "" {
				e.Place = name
			}
		}
		if e.Jurisdiction != "" && !a.exists(ctx, tx, e.Jurisdiction) {
			v.Add(row("itinerary", i, "jurisdiction"), "jurisdiction.unknown")
		}
		for _, c := range e.Companions {
			if err := need(row("itinerary", i, "companions"), c.PersonID, person, "person.not_found"); err != nil {
				return err
			}
		}
	}
	for i, m := range inv.Household {
		if err := need(row("household", i, "person_id"), m.PersonID, person, "person.not_found"); err != nil {
			return err
		}
	}
	for i, x := range inv.Exposures {
		if err := need(row("exposures", i, "case_id"), x.CaseID, caseExists, "case.not_found"); err != nil {
			return err
		}
	}
	if err := need("source.case_id", inv.Source.CaseID, caseExists, "case.not_found"); err != nil {
		return err
	}
	return v.Err()
}

// SubmitInvestigation submits the investigation of a case as it stands at
// version: the trajectory (the itinerary alone: every day of the window
// has an entry or is a day at home) or the initial report (also the
// investigators and the probable source with the reasoning). Submitting
// stops the case's reporting clocks in the same transaction: the
// trajectory clock at the first submission of either part, the
// initial-report clock with the report.
func (a *App) SubmitInvestigation(ctx context.Context, actor cordon.Actor, caseID int64, version int, part string) (cordon.Investigation, error) {
	if err := authorize(actor, cordon.PermCaseWrite); err != nil {
		return cordon.Investigation{}, err
	}
	if part == "" {
		part = cordon.PartReport
	}
	if part != cordon.PartReport && part != cordon.PartTrajectory {
		return cordon.Investigation{}, cordon.Errorf(cordon.KindInvalid, "investigation.part_invalid", "the part is trajectory or initial_report").WithField("part", "investigation.part_invalid")
	}
	if version < 1 {
		return cordon.Investigation{}, cordon.Errorf(cordon.KindInvalid, "investigation.version_required", "send the version of the investigation you read").WithField("version", "investigation.version_required")
	}
	var out cordon.Investigation
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		_, inv, err := a.investigationIn(ctx, tx, actor, caseID)
		if err != nil {
			return err
		}
		if inv.Version == 0 {
			return cordon.Errorf(cordon.KindNotFound, "investigation.not_found", "save the investigation before submitting it")
		}
		if inv.Version != version {
			return cordon.Errorf(cordon.KindConflict, "investigation.changed", "the investigation was changed meanwhile; reload it")
		}
		if err := inv.Complete(inv.Window, part); err != nil {
			return err
		}
		if _, err := tx.SubmitInvestigation(ctx, caseID, version, part, actor.AccountID, actor.Username); err != nil {
			return err
		}
		if err := tx.MarkCaseStep(ctx, caseID, "trajectory"); err != nil {
			return err
		}
		if part == cordon.PartReport {
			if err := tx.MarkCaseStep(ctx, caseID, "initial_report"); err != nil {
				return err
			}
		}
		if err := audit(ctx, tx, actor, "investigation.submit", caseRecord(caseID), "", part); err != nil {
			return err
		}
		_, out, err = a.investigationIn(ctx, tx, actor, caseID)
		return err
	})
	if err != nil {
		return cordon.Investigation{}, err
	}
	presentInvestigation(actor, &out)
	return out, nil
}

// InvestigationReport renders the investigation of a case as its printable
// report (PDF, Chinese, A4), masked for the actor's role. Generating it is
// an audited read.
func (a *App) InvestigationReport(ctx context.Context, actor cordon.Actor, caseID int64, reason string) ([]byte, error) {
	c, inv, err := a.readInvestigation(ctx, actor, caseID, reason, "investigation.report", "PDF")
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	err = report.WriteInvestigation(&buf, report.InvestigationData{
		Case:          c,
		Investigation: inv,
		Place:         func(code string) string { return a.PathName(ctx, code) },
		Generated:     a.now(),
		GeneratedBy:   actor.Username,
	})
	return buf.Bytes(), err
}

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"cordon"
)

// fieldInvestigation binds the sealed investigation documents.
const fieldInvestigation = "investigation"

// investigationDoc is the sealed part of an investigation: everything but
// the itinerary, which has its own table, and the status and times, which
// are columns.
type investigationDoc struct {
	Investigators string                   `json:"investigators,omitempty"`
	Occupation    string                   `json:"occupation,omitempty"`
	Workplace     string                   `json:"workplace,omitempty"`
	VaccineDoses  int                      `json:"vaccine_doses,omitempty"`
	LastDoseDate  string                   `json:"last_dose_date,omitempty"`
	Household     []cordon.HouseholdMember `json:"household,omitempty"`
	Symptoms      []cordon.Symptom         `json:"symptoms,omitempty"`
	Tests         []cordon.TestRecord      `json:"tests,omitempty"`
	HomeDays      []string                 `json:"home_days,omitempty"`
	Exposures     []cordon.Exposure        `json:"exposures,omitempty"`
	Source        cordon.Source            `json:"source"`
}

// Investigation reads the investigation of a case inside the scope; a
// case without one is investigation.not_found. Outside a transaction the
// document and its itinerary are read by separate statements, so the
// version is read again after the itinerary: an itinerary saved meanwhile
// makes it read again.
func (tx *Tx) Investigation(ctx context.Context, scope Scope, caseID int64) (cordon.Investigation, error) {
	for range 5 {
		inv, err := tx.investigation(ctx, scope, caseID)
		if err != nil {
			return inv, err
		}
		var version int
		if err := tx.queryRow(ctx, "SELECT version FROM investigations WHERE case_id = ?", caseID).Scan(&version); err != nil {
			return inv, err
		}
		if version == inv.Version {
			return inv, nil
		}
	}
	return cordon.Investigation{}, cordon.Errorf(cordon.KindUnavailable, "investigation.busy", "the investigation is being saved; try again")
}

func (tx *Tx) investigation(ctx context.Context, scope Scope, caseID int64) (cordon.Investigation, error) {
	w, args := scope.where("c.jurisdiction")
	inv := cordon.Investigation{CaseID: caseID}
	var sealed []byte
	err := tx.queryRow(ctx, `SELECT i.status, i.control_date, i.doc_cipher, i.trajectory_at, i.submitted_at, i.submitted_name,
		i.updated_at, i.updated_name, i.version
		FROM investigations i JOIN cases c ON c.id = i.case_id WHERE i.case_id = ? AND `+w, append([]any{caseID}, args...)...).
		Scan(&inv.Status, &inv.ControlDate, &sealed, timeCol{&inv.TrajectoryAt}, timeCol{&inv.SubmittedAt}, &inv.SubmittedBy,
			timeCol{&inv.UpdatedAt}, &inv.UpdatedBy, &inv.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return inv, notFound("investigation")
	}
	if err != nil {
		return inv, err
	}
	plain, err := tx.db.vault.Open(fieldInvestigation, sealed)
	if err != nil {
		return inv, fmt.Errorf("investigation of case %d: %w", caseID, err)
	}
	var doc investigationDoc
	if err := json.Unmarshal([]byte(plain), &doc); err != nil {
		return inv, fmt.Errorf("investigation of case %d: %w", caseID, err)
	}
	inv.Investigators, inv.Occupation, inv.Workplace = doc.Investigators, doc.Occupation, doc.Workplace
	inv.VaccineDoses, inv.LastDoseDate = doc.VaccineDoses, doc.LastDoseDate
	inv.Household, inv.Symptoms, inv.Tests = doc.Household, doc.Symptoms, doc.Tests
	inv.HomeDays, inv.Exposures, inv.Source = doc.HomeDays, doc.Exposures, doc.Source

	rows, err := tx.query(ctx, `SELECT v.from_at, v.to_at, v.venue_id, COALESCE(ve.name, ''), v.jurisdiction, v.place, v.activity,
		v.mode, v.vehicle, v.seat, v.companions, v.notes
		FROM investigation_visits v LEFT JOIN venues ve ON ve.id = v.venue_id WHERE v.case_id = ? ORDER BY v.seq`, caseID)
	if err != nil {
		return inv, err
	}
	defer rows.Close()
	for rows.Next() {
		var e cordon.ItineraryEntry
		var from, to int64
		var venue sql.NullInt64
		var companions string
		if err := rows.Scan(&from, &to, &venue, &e.VenueName, &e.Jurisdiction, &e.Place, &e.Activity, &e.Transport.Mode,
			&e.Transport.Vehicle, &e.Transport.Seat, &companions, &e.Notes); err != nil {
			return inv, err
		}
		e.From, e.To, e.VenueID = time.Unix(from, 0).UTC(), time.Unix(to, 0).UTC(), venue.Int64
		if err := json.Unmarshal([]byte(companions), &e.Companions); err != nil {
			return inv, fmt.Errorf("companions of case %d: %w", caseID, err)
		}
		inv.Itinerary = append(inv.Itinerary, e)
	}
	return inv, rows.Err()
}

// SaveInvestigation writes an investigation that app validated: created
// when version is 0, replaced when the stored one is still at version
// (investigation.changed otherwise), its itinerary rewritten. It sets the
// new version and who saved it when.
func (tx *Tx) SaveInvestigation(ctx context.Context, inv *cordon.Investigation, version int, byID int64, by string) error {
	doc, err := json.Marshal(investigationDoc{
		Investigators: inv.Investigators, Occupation: inv.Occupation, Workplace: inv.Workplace,
		VaccineDoses: inv.VaccineDoses, LastDoseDate: inv.LastDoseDate, Household: inv.Household, Symptoms: inv.Symptoms,
		Tests: inv.Tests, HomeDays: inv.HomeDays, Exposures: inv.Exposures, Source: inv.Source,
	})
	if err != nil {
		return err
	}
	sealed := tx.db.vault.Seal(fieldInvestigation, string(doc))
	changed := cordon.Errorf(cordon.KindConflict, "investigation.changed", "the investigation was changed meanwhile; reload it")
	var res sql.Result
	if version == 0 {
		inv.Status = cordon.InvestigationDraft
		res, err = tx.exec(ctx, `INSERT INTO investigations (case_id, status, control_date, source_kind, source_case, doc_cipher,
			created_by, created_at, updated_by, updated_name, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
			ON CONFLICT (case_id) DO NOTHING`,
			inv.CaseID, inv.Status, inv.ControlDate, inv.Source.Kind, nullID(inv.Source.CaseID), sealed,
			nullID(byID), ts(tx.Now), nullID(byID), by, ts(tx.Now))
	} else {
		res, err = tx.exec(ctx, `UPDATE investigations SET control_date = ?, source_kind = ?, source_case = ?, doc_cipher = ?,
			updated_by = ?, updated_name = ?, updated_at = ?, version = version + 1 WHERE case_id = ? AND version = ?`,
			inv.ControlDate, inv.Source.Kind, nullID(inv.Source.CaseID), sealed, nullID(byID), by, ts(tx.Now), inv.CaseID, version)
	}
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return changed
	}
	inv.Version, inv.UpdatedAt, inv.UpdatedBy = version+1, tx.Now, by
	if _, err := tx.exec(ctx, "DELETE FROM investigation_visits WHERE case_id = ?", inv.CaseID); err != nil {
		return err
	}
	for i, e := range inv.Itinerary {
		companions, err := json.Marshal(e.Companions)
		if err != nil {
			return err
		}
		if e.Companions == nil {
			companions = []byte("[]")
		}
		if _, err := tx.exec(ctx, `INSERT INTO investigation_visits (case_id, seq, from_at, to_at, venue_id, jurisdiction, place,
			activity, mode, vehicle, seat, companions, notes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			inv.CaseID, i+1, e.From.Unix(), e.To.Unix(), nullID(e.VenueID), e.Jurisdiction, e.Place, e.Activity,
			e.Transport.Mode, e.Transport.Vehicle, e.Transport.Seat, string(companions), e.Notes); err != nil {
			return err
		}
	}
	return nil
}

// SubmitInvestigation records a submission of the investigation at
// version: the trajectory (the itinerary alone) or the initial report,
// which also counts as the trajectory and makes the status submitted. The
// first time of each is kept. It returns the new version.
func (tx *Tx) SubmitInvestigation(ctx context.Context, caseID int64, version int, part string, byID int64, by string) (int, error) {
	q := `UPDATE investigations SET trajectory_at = COALESCE(trajectory_at, ?), updated_at = ?, version = version + 1`
	args := []any{ts(tx.Now), ts(tx.Now)}
	if part == cordon.PartReport {
		q += `, status = ?, submitted_at = COALESCE(submitted_at, ?), submitted_by = COALESCE(submitted_by, ?),
			submitted_name = CASE WHEN submitted_at IS NULL THEN ? ELSE submitted_name END`
		args = append(args, cordon.InvestigationSubmitted, ts(tx.Now), nullID(byID), by)
	}
	res, err := tx.exec(ctx, q+" WHERE case_id = ? AND version = ?", append(args, caseID, version)...)
	if err != nil {
		return 0, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, cordon.Errorf(cordon.KindConflict, "investigation.changed", "the investigation was changed meanwhile; reload it")
	}
	return version + 1, nil
}

// InvestigationVisits lists the itinerary entries of a case's
// investigation that name a venue, in time order: what the companion
// search compares with the venues' scan-ins. Drafts count, so that the
// search can run while the investigation goes on. The caller checks that
// the case is in its scope; a case without an investigation has none.
func (tx *Tx) InvestigationVisits(ctx context.Context, caseID int64) ([]cordon.Visit, error) {
	rows, err := tx.query(ctx, `SELECT venue_id, from_at, to_at FROM investigation_visits
		WHERE case_id = ? AND venue_id IS NOT NULL ORDER BY seq`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cordon.Visit
	for rows.Next() {
		var v cordon.Visit
		var from, to int64
		if err := rows.Scan(&v.VenueID, &from, &to); err != nil {
			return nil, err
		}
		v.From, v.To = time.Unix(from, 0).UTC(), time.Unix(to, 0).UTC()
		out = append(out, v)
	}
	return out, rows.Err()
}

// resealInvestigations re-encrypts, in transactions of batch rows, the
// investigation documents not sealed with the vault's current data key;
// Reseal calls it with the other sealed columns.
func (db *DB) resealInvestigations(ctx context.Context, batch int) (int, error) {
	total := 0
	var after int64
	for {
		n, last, more := 0, after, false
		err := db.Transact(ctx, func(tx *Tx) error {
			rows, err := tx.query(ctx, "SELECT case_id, doc_cipher FROM investigations WHERE case_id > ? ORDER BY case_id LIMIT ?", after, batch)
			if err != nil {
				return err
			}
			type row struct {
				id  int64
				doc []byte
			}
			var rs []row
			for rows.Next() {
				var r row
				if err := rows.Scan(&r.id, &r.doc); err != nil {
					rows.Close()
					return err
				}
				rs = append(rs, r)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			more = len(rs) == batch
			for _, r := range rs {
				last = r.id
				if db.vault.Current(r.doc) {
					continue
				}
				plain, err := db.vault.Open(fieldInvestigation, r.doc)
				if err != nil {
					return fmt.Errorf("investigation of case %d: %w", r.id, err)
				}
				if _, err := tx.exec(ctx, "UPDATE investigations SET doc_cipher = ? WHERE case_id = ?", db.vault.Seal(fieldInvestigation, plain), r.id); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total += n
		if !more {
			return total, nil
		}
		after = last
	}
}

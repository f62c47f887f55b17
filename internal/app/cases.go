package app

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"cordon"
	"cordon/internal/fhir"
	"cordon/internal/linelist"
	"cordon/internal/store"
)

func caseRecord(id int64) string { return "case:" + strconv.FormatInt(id, 10) }

// presentCase masks the identity for the actor and computes the clocks.
func (a *App) presentCase(actor cordon.Actor, c *cordon.Case) {
	if !actor.Can(cordon.PermPersonReadFull) {
		c.IDNumber = cordon.MaskDocNumber(c.IDNumber)
	}
	c.Clocks = cordon.CaseClocks(*c, a.now())
}

// OpenCase opens a case: from a positive result (one click from the
// positives list; the person, sampling date and area come from it) or by
// hand for a registered person. Opening is the online report, so the
// report clock is met when the case opens; the trajectory and initial
// report clocks run from the positive.
func (a *App) OpenCase(ctx context.Context, actor cordon.Actor, in cordon.CaseInput) (cordon.Case, error) {
	if err := authorize(actor, cordon.PermCaseWrite); err != nil {
		return cordon.Case{}, err
	}
	now := a.now()
	if err := in.Validate(now); err != nil {
		return cordon.Case{}, err
	}
	if (in.PositiveID == 0) == (in.PersonID == 0) {
		return cordon.Case{}, cordon.Errorf(cordon.KindInvalid, "case.source_required", "open a case from a positive result or for a registered person").WithField("positive_id", "case.source_required")
	}
	c := cordon.Case{Classification: in.Classification, Severity: in.Severity, OnsetDate: in.OnsetDate, SamplingDate: in.SamplingDate,
		Variant: in.Variant, Lineage: in.Lineage, Hospital: in.Hospital, Outcome: in.Outcome, Origin: in.Origin,
		Jurisdiction: in.Jurisdiction, PositiveID: in.PositiveID}
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		var who store.CaseIdentity
		var area string
		if in.PositiveID != 0 {
			var detected, sampled time.Time
			var err error
			if who, area, detected, sampled, err = tx.PositiveForCase(ctx, in.PositiveID); err != nil {
				return err
			}
			if !actor.Sees(area) {
				return cordon.Errorf(cordon.KindNotFound, "positive.not_found", "positive not found")
			}
			c.DetectedAt = detected
			if c.SamplingDate == "" && !sampled.IsZero() {
				c.SamplingDate = sampled.In(cordon.ChinaTime).Format(time.DateOnly)
			}
		} else {
			var err error
			if who, area, err = tx.PersonForCase(ctx, in.PersonID); err != nil {
				return err
			}
			if !actor.Sees(area) {
				return cordon.Errorf(cordon.KindNotFound, "person.not_found", "person not found")
			}
			// Found positive outside cordon: the clocks run from then.
			c.DetectedAt = tx.Now
			if !in.DetectedAt.IsZero() {
				c.DetectedAt = in.DetectedAt.UTC()
			}
		}
		if c.Jurisdiction == "" {
			c.Jurisdiction = area
		}
		if !a.exists(ctx, tx, c.Jurisdiction) {
			return unknownJurisdiction(c.Jurisdiction)
		}
		if !actor.Sees(c.Jurisdiction) {
			return cordon.Errorf(cordon.KindForbidden, "case.outside_jurisdiction", "a case is opened in your jurisdiction").WithField("jurisdiction", "case.outside_jurisdiction")
		}
		if err := tx.CreateCase(ctx, &c, who, actor.AccountID); err != nil {
			return err
		}
		// A contact who tests positive becomes this case (contacts.go).
		if err := a.contactsBecomeCase(ctx, tx, actor, c, who); err != nil {
			return err
		}
		// The case goes into hospital isolation (orders.go).
		if err := a.caseOrder(ctx, tx, actor, c); err != nil {
			return err
		}
		how := fmt.Sprintf("%s from positive %d", c.Classification, c.PositiveID)
		if c.PositiveID == 0 {
			how = fmt.Sprintf("%s for person %d", c.Classification, c.PersonID)
		}
		return audit(ctx, tx, actor, "case.open", caseRecord(c.ID), "", how)
	})
	if err != nil {
		return cordon.Case{}, err
	}
	a.presentCase(actor, &c)
	return c, nil
}

// Case reads a case inside the actor's subtree; the read is audited.
func (a *App) Case(ctx context.Context, actor cordon.Actor, id int64, reason string) (cordon.Case, error) {
	if err := authorize(actor, cordon.PermCaseRead); err != nil {
		return cordon.Case{}, err
	}
	var c cordon.Case
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		c, err = tx.Case(ctx, store.ScopeOf(actor), id)
		return err
	})
	if err != nil {
		return c, err
	}
	if err := a.recordRead(ctx, actor, "case.read", caseRecord(id), reason, ""); err != nil {
		return cordon.Case{}, err
	}
	a.presentCase(actor, &c)
	return c, nil
}

// Cases lists the cases inside the actor's subtree, newest first; the read
// is audited.
func (a *App) Cases(ctx context.Context, actor cordon.Actor, f cordon.CaseFilter) ([]cordon.Case, error) {
	if err := authorize(actor, cordon.PermCaseRead); err != nil {
		return nil, err
	}
	if f.Classification != "" && !f.Classification.Valid() {
		return nil, cordon.Errorf(cordon.KindInvalid, "case.classification_invalid", "unknown classification").WithField("classification", "case.classification_invalid")
	}
	var out []cordon.Case
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Cases(ctx, store.ScopeOf(actor), f)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(out) > 0 {
		ids := make([]int64, len(out))
		for i, c := range out {
			ids[i] = c.ID
		}
		if err := a.recordRead(ctx, actor, "case.list", "", "", "cases "+joinIDs(ids)); err != nil {
			return nil, err
		}
	}
	for i := range out {
		a.presentCase(actor, &out[i])
	}
	return out, nil
}

// UpdateCase replaces a case's clinical fields (reclassification, severity,
// sequencing, outcome); changes of classification, severity, lineage and
// outcome are kept as history.
func (a *App) UpdateCase(ctx context.Context, actor cordon.Actor, id int64, in cordon.CaseInput) (cordon.Case, error) {
	if err := authorize(actor, cordon.PermCaseWrite); err != nil {
		return cordon.Case{}, err
	}
	if err := in.Validate(a.now()); err != nil {
		return cordon.Case{}, err
	}
	if in.Version < 1 {
		// Every field is replaced: the caller must have read the case.
		return cordon.Case{}, cordon.Errorf(cordon.KindInvalid, "case.version_required", "send the version of the case you read").WithField("version", "case.version_required")
	}
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		old, err := tx.Case(ctx, store.ScopeOf(actor), id)
		if err != nil {
			return err
		}
		c := old
		c.Classification, c.Severity, c.OnsetDate, c.SamplingDate = in.Classification, in.Severity, in.OnsetDate, in.SamplingDate
		c.Variant, c.Lineage, c.Hospital, c.Outcome, c.Origin = in.Variant, in.Lineage, in.Hospital, in.Outcome, in.Origin
		if in.Jurisdiction != "" && in.Jurisdiction != old.Jurisdiction {
			return cordon.Errorf(cordon.KindInvalid, "case.jurisdiction_fixed", "a case changes jurisdiction by transfer, not by edit").WithField("jurisdiction", "case.jurisdiction_fixed")
		}
		if err := tx.UpdateCase(ctx, old, c, in.Version, actor.AccountID, actor.Username); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "case.update", caseRecord(id), "", string(c.Classification))
	})
	if err != nil {
		return cordon.Case{}, err
	}
	return a.Case(ctx, actor, id, "")
}

// MarkCaseStep records that the trajectory or the initial investigation
// report of a case was submitted, stopping its clock.
func (a *App) MarkCaseStep(ctx context.Context, actor cordon.Actor, id int64, step string) (cordon.Case, error) {
	if err := authorize(actor, cordon.PermCaseWrite); err != nil {
		return cordon.Case{}, err
	}
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		if _, err := tx.Case(ctx, store.ScopeOf(actor), id); err != nil {
			return err
		}
		if err := tx.MarkCaseStep(ctx, id, step); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "case."+step, caseRecord(id), "", "")
	})
	if err != nil {
		return cordon.Case{}, err
	}
	return a.Case(ctx, actor, id, "")
}

// CaseFHIR exports a case as a FHIR R4 Bundle (Patient, Condition, the
// Observation of its positive result, the Encounter at its hospital). The
// identity number is in full only for roles that read it in full; the
// export is audited as a read.
func (a *App) CaseFHIR(ctx context.Context, actor cordon.Actor, id int64, reason string) ([]byte, error) {
	c, err := a.Case(ctx, actor, id, reason)
	if err != nil {
		return nil, err
	}
	var subj fhir.Subject
	var res *fhir.Result
	err = a.db.Read(ctx, func(tx *store.Tx) error {
		if c.PersonID != 0 {
			p, err := tx.Person(ctx, store.Everywhere, c.PersonID)
			if err != nil {
				return err
			}
			subj = fhir.Subject{Sex: p.Sex, BirthDate: p.BirthDate, Address: strings.TrimSpace(a.PathName(ctx, p.Current) + " " + p.Address)}
			if !actor.Can(cordon.PermPersonReadFull) {
				subj.BirthDate = ""
			}
		}
		if c.PositiveID != 0 {
			r := fhir.Result{}
			var err error
			if r.Tube, r.Sampled, r.Detected, r.CtORF1ab, r.CtN, err = tx.PositiveResult(ctx, c.PositiveID); err != nil {
				return err
			}
			res = &r
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := a.recordRead(ctx, actor, "case.export", caseRecord(id), reason, "FHIR R4"); err != nil {
		return nil, err
	}
	return fhir.CaseBundle(c, subj, res, a.now())
}

// LinkCases records that one case infected another, with the evidence.
// Both cases must lie in the actor's subtree; a link that would make a
// case its own ancestor is refused.
func (a *App) LinkCases(ctx context.Context, actor cordon.Actor, l cordon.Link) error {
	if err := authorize(actor, cordon.PermCaseWrite); err != nil {
		return err
	}
	l.Evidence = strings.TrimSpace(l.Evidence)
	return a.db.Transact(ctx, func(tx *store.Tx) error {
		for _, id := range []int64{l.From, l.To} {
			if _, err := tx.Case(ctx, store.ScopeOf(actor), id); err != nil {
				return err
			}
		}
		if err := tx.LockLinks(ctx); err != nil {
			return err
		}
		existing, err := tx.CaseLinks(ctx)
		if err != nil {
			return err
		}
		if err := cordon.ValidateLinks(existing, l); err != nil {
			// The chain it would close may pass through cases the actor
			// does not see; their numbers are not theirs to learn.
			if e, ok := err.(*cordon.Error); ok && e.Extra != nil {
				if path, ok := e.Extra["path"].([]int64); ok {
					for _, id := range path {
						if _, err := tx.Case(ctx, store.ScopeOf(actor), id); err != nil {
							delete(e.Extra, "path")
							break
						}
					}
				}
			}
			return err
		}
		if err := tx.AddCaseLink(ctx, l, actor.AccountID); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "case.link", caseRecord(l.To), "", fmt.Sprintf("from case %d: %s", l.From, l.Evidence))
	})
}

// ChainView is the transmission chains of the actor's subtree: the cases
// as nodes (no personal data), the links among them, and the chains,
// clusters and superspreading flags built from them.
type ChainView struct {
	Nodes []cordon.ChainNode `json:"nodes"`
	Links []cordon.Link      `json:"links"`
	cordon.Chains
}

// Chains builds the transmission chains of the cases in the actor's
// subtree, counting the close contacts traced to each case. Links to cases
// outside it are left out.
func (a *App) Chains(ctx context.Context, actor cordon.Actor) (ChainView, error) {
	if err := authorize(actor, cordon.PermCaseRead); err != nil {
		return ChainView{}, err
	}
	var v ChainView
	var contacts []cordon.ContactEdge
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		if v.Nodes, err = tx.ChainNodes(ctx, store.ScopeOf(actor)); err != nil {
			return err
		}
		all, err := tx.CaseLinks(ctx)
		if err != nil {
			return err
		}
		in := make(map[int64]bool, len(v.Nodes))
		for _, n := range v.Nodes {
			in[n.ID] = true
		}
		for _, l := range all {
			if in[l.From] && in[l.To] {
				v.Links = append(v.Links, l)
			}
		}
		contacts, err = contactEdges(ctx, tx, actor)
		return err
	})
	if err != nil {
		return v, err
	}
	cases := make([]cordon.ChainCase, len(v.Nodes))
	for i, n := range v.Nodes {
		cases[i] = cordon.ChainCase{ID: n.ID, Detected: n.DetectedAt}
	}
	v.Chains = cordon.BuildChains(cases, v.Links, contacts, 0)
	if v.Nodes == nil {
		v.Nodes = []cordon.ChainNode{}
	}
	if v.Links == nil {
		v.Links = []cordon.Link{}
	}
	return v, nil
}

// MaxLineList bounds a case line list.
const MaxLineList = 100_000

// CaseLineList writes the cases of the actor's subtree as a line list in
// CSV or XLSX, ID numbers masked unless the role reads them in full. The
// export is audited with the cases it holds.
func (a *App) CaseLineList(ctx context.Context, actor cordon.Actor, format string, w io.Writer) error {
	if err := authorize(actor, cordon.PermCaseRead); err != nil {
		return err
	}
	if format != linelist.CSV && format != linelist.XLSX {
		return cordon.Errorf(cordon.KindInvalid, "linelist.format", "the format is csv or xlsx").WithField("format", "linelist.format")
	}
	var all []cordon.Case
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var after int64
		for len(all) < MaxLineList {
			page, err := tx.Cases(ctx, store.ScopeOf(actor), cordon.CaseFilter{After: after, Limit: store.MaxLimit})
			if err != nil {
				return err
			}
			all = append(all, page...)
			if len(page) < store.MaxLimit {
				return nil
			}
			after = page[len(page)-1].ID
		}
		return nil
	})
	if err != nil {
		return err
	}
	ids := make([]int64, len(all))
	for i := range all {
		ids[i] = all[i].ID
		a.presentCase(actor, &all[i])
	}
	if err := a.recordRead(ctx, actor, "case.line_list", "", "", format+": cases "+joinIDs(ids)); err != nil {
		return err
	}
	return linelist.WriteCases(w, format, all, a.pathNamer(ctx))
}

// ChainExport writes one cluster of the actor's chains (named by its
// smallest case id) as a table: each case with its generation, its
// infectors with confidence and evidence, its secondary cases and traced
// contacts. The chain carries no personal data.
func (a *App) ChainExport(ctx context.Context, actor cordon.Actor, cluster int64, format string, w io.Writer) error {
	v, err := a.Chains(ctx, actor)
	if err != nil {
		return err
	}
	nodes := make(map[int64]cordon.ChainNode, len(v.Nodes))
	for _, n := range v.Nodes {
		nodes[n.ID] = n
	}
	into := map[int64][]cordon.Link{}
	for _, l := range v.Links {
		into[l.To] = append(into[l.To], l)
	}
	var rows []linelist.ChainCase
	for _, c := range v.Cases {
		if c.Cluster == cluster {
			rows = append(rows, linelist.ChainCase{Node: nodes[c.ID], Place: c, Infectors: into[c.ID]})
		}
	}
	if len(rows) == 0 {
		return cordon.Errorf(cordon.KindNotFound, "chain.not_found", "no such cluster in your jurisdiction")
	}
	slices.SortStableFunc(rows, func(x, y linelist.ChainCase) int { return cmp.Compare(x.Place.Generation, y.Place.Generation) })
	return linelist.WriteChain(w, format, rows, a.pathNamer(ctx))
}

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

// Risk areas are public information: reading them is not audited and
// needs only jurisdiction.read (the public page needs nothing). Declaring,
// stepping down and lifting are commanders' acts, audited. Health codes
// and itinerary cards read the areas through RiskAreasAt.

// DeclareRiskArea declares an area inside the actor's subtree under the
// edition in force there at its start.
func (a *App) DeclareRiskArea(ctx context.Context, actor cordon.Actor, r cordon.RiskArea) (cordon.RiskArea, error) {
	if err := authorize(actor, cordon.PermRiskAreaManage); err != nil {
		return r, err
	}
	if r.From.IsZero() {
		r.From = a.now()
	}
	r.Name, r.Reason, r.GeoJSON = strings.TrimSpace(r.Name), strings.TrimSpace(r.Reason), strings.TrimSpace(r.GeoJSON)
	r.TierSince, r.PrevTier, r.DeclaredBy = r.From, "", actor.AccountID
	if _, ok := cordon.LevelOf(r.Jurisdiction); ok && !actor.Sees(r.Jurisdiction) {
		return r, cordon.ErrForbidden
	}
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		p, err := policyIn(ctx, tx, r.Jurisdiction, r.From)
		if err != nil {
			return err
		}
		r.Edition = p.Key
		if err := r.Validate(p); err != nil {
			return err
		}
		if err := a.venuePlaceExists(ctx, tx, r.Jurisdiction); err != nil {
			return err
		}
		if err := tx.CreateRiskArea(ctx, &r); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "riskarea.declare", riskAreaRecord(r.ID), r.Reason,
			fmt.Sprintf("%s %s %s", r.Jurisdiction, r.Edition, r.Tier))
	})
	if err != nil {
		return r, err
	}
	r.JurisdictionName = a.PathName(ctx, r.Jurisdiction)
	return r, a.riskAreasChanged(ctx) // the codes of the people in it change now
}

// RiskAreas lists the areas inside the actor's subtree.
func (a *App) RiskAreas(ctx context.Context, actor cordon.Actor, f cordon.RiskAreaFilter) ([]cordon.RiskArea, error) {
	if err := authorize(actor, cordon.PermJurisdictionRead); err != nil {
		return nil, err
	}
	return a.listRiskAreas(ctx, store.ScopeOf(actor), f)
}

// PublicRiskAreas lists every area in force now, for the public page and
// API: no sign-in, since the areas are published anyway.
func (a *App) PublicRiskAreas(ctx context.Context) ([]cordon.RiskArea, error) {
	out, err := a.listRiskAreas(ctx, store.Everywhere, cordon.RiskAreaFilter{At: a.now()})
	for i := range out {
		out[i].DeclaredBy = 0
	}
	return out, err
}

func (a *App) listRiskAreas(ctx context.Context, scope store.Scope, f cordon.RiskAreaFilter) ([]cordon.RiskArea, error) {
	var out []cordon.RiskArea
	err := a.db.Read(ctx, func(tx *store.Tx) (err error) {
		out, err = tx.RiskAreas(ctx, scope, f)
		return err
	})
	for i := range out {
		out[i].JurisdictionName = a.PathName(ctx, out[i].Jurisdiction)
	}
	return out, err
}

// RiskArea reads one area inside the actor's subtree.
func (a *App) RiskArea(ctx context.Context, actor cordon.Actor, id int64) (cordon.RiskArea, error) {
	if err := authorize(actor, cordon.PermJurisdictionRead); err != nil {
		return cordon.RiskArea{}, err
	}
	var r cordon.RiskArea
	err := a.db.Read(ctx, func(tx *store.Tx) (err error) {
		r, err = tx.RiskArea(ctx, store.ScopeOf(actor), id)
		return err
	})
	r.JurisdictionName = a.PathName(ctx, r.Jurisdiction)
	return r, err
}

// RiskAreasAt lists the areas in force at a time that a place lies in:
// those declared on its code or an ancestor's. Overlapping areas are all
// returned; cordon.HighestRiskArea picks the one that counts. It is system
// work with no actor, for health codes and itinerary cards.
func (a *App) RiskAreasAt(ctx context.Context, jurisdiction string, at time.Time) ([]cordon.RiskArea, error) {
	var codes []string
	for c := jurisdiction; c != ""; c = cordon.ParentCode(c) {
		if _, ok := cordon.LevelOf(c); !ok {
			break
		}
		codes = append(codes, c)
	}
	var out []cordon.RiskArea
	err := a.db.Read(ctx, func(tx *store.Tx) (err error) {
		out, err = tx.RiskAreasOver(ctx, codes, at)
		return err
	})
	return out, err
}

// ProposeStepDowns computes the next tier of every active area in the
// actor's subtree from the last infection in it, with the date it is due.
func (a *App) ProposeStepDowns(ctx context.Context, actor cordon.Actor) ([]cordon.StepDownProposal, error) {
	if err := authorize(actor, cordon.PermJurisdictionRead); err != nil {
		return nil, err
	}
	now := a.now()
	out := []cordon.StepDownProposal{}
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		areas, err := tx.RiskAreas(ctx, store.ScopeOf(actor), cordon.RiskAreaFilter{At: now})
		if err != nil {
			return err
		}
		for _, r := range areas {
			p, ok, err := proposeStepDown(ctx, tx, r, now)
			if err != nil {
				return err
			}
			if ok {
				out = append(out, p)
			}
		}
		return nil
	})
	return out, err
}

func proposeStepDown(ctx context.Context, tx *store.Tx, r cordon.RiskArea, now time.Time) (cordon.StepDownProposal, bool, error) {
	p, ok := cordon.Edition(r.Edition)
	if !ok {
		return cordon.StepDownProposal{}, false, nil
	}
	last, err := tx.LastInfection(ctx, r.Jurisdiction, now)
	if err != nil {
		return cordon.StepDownProposal{}, false, err
	}
	sd, ok := cordon.StepDown(r, last, now, p)
	return sd, ok, nil
}

// ConfirmStepDown moves an area to its proposed tier, once due.
func (a *App) ConfirmStepDown(ctx context.Context, actor cordon.Actor, id int64) (cordon.RiskArea, error) {
	if err := authorize(actor, cordon.PermRiskAreaManage); err != nil {
		return cordon.RiskArea{}, err
	}
	now := a.now()
	var r cordon.RiskArea
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if r, err = tx.RiskArea(ctx, store.ScopeOf(actor), id); err != nil {
			return err
		}
		p, ok, err := proposeStepDown(ctx, tx, r, now)
		if err != nil {
			return err
		}
		if !ok {
			return cordon.Errorf(cordon.KindConflict, "riskarea.no_step_down", "the area has no lower tier or is no longer in force")
		}
		if !p.Ready {
			return cordon.Errorf(cordon.KindConflict, "riskarea.step_down_not_due", "the step-down is due on %s",
				p.Due.In(cordon.ChinaTime).Format(time.DateOnly))
		}
		if err := tx.StepDownRiskArea(ctx, id, p.From, p.To, now); err != nil {
			return err
		}
		r.PrevTier, r.Tier, r.TierSince = p.From, p.To, now
		return audit(ctx, tx, actor, "riskarea.step_down", riskAreaRecord(id), "", p.From+" -> "+p.To)
	})
	if err != nil {
		return r, err
	}
	r.JurisdictionName = a.PathName(ctx, r.Jurisdiction)
	return r, a.riskAreasChanged(ctx)
}

// LiftRiskArea ends an area now, with a reason.
func (a *App) LiftRiskArea(ctx context.Context, actor cordon.Actor, id int64, reason string) error {
	if err := authorize(actor, cordon.PermRiskAreaManage); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) < 2 {
		return cordon.Errorf(cordon.KindInvalid, "riskarea.reason_required", "say why").WithField("reason", "riskarea.reason_required")
	}
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		if _, err := tx.RiskArea(ctx, store.ScopeOf(actor), id); err != nil {
			return err
		}
		if err := tx.LiftRiskArea(ctx, id, a.now(), reason); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "riskarea.lift", riskAreaRecord(id), reason, "")
	})
	if err != nil {
		return err
	}
	return a.riskAreasChanged(ctx)
}

func riskAreaRecord(id int64) string { return "riskarea:" + strconv.FormatInt(id, 10) }

// RiskAreaExport writes the areas of the actor's subtree, lifted ones
// included, as a line list.
func (a *App) RiskAreaExport(ctx context.Context, actor cordon.Actor, format string, w io.Writer) error {
	if format != linelist.CSV && format != linelist.XLSX {
		return cordon.Errorf(cordon.KindInvalid, "linelist.format", "the format is csv or xlsx").WithField("format", "linelist.format")
	}
	areas, err := a.RiskAreas(ctx, actor, cordon.RiskAreaFilter{Lifted: true})
	if err != nil {
		return err
	}
	return linelist.WriteRiskAreas(w, format, areas, func(code string) string { return a.PathName(ctx, code) })
}

package app

import (
	"context"
	"time"

	"cordon"
	"cordon/internal/store"
)

// Policy returns the rules in force in a jurisdiction at a time: the
// edition an administrator assigned to it or its nearest ancestor (the
// national edition of the day where none did), with the local overrides
// of the jurisdiction and its ancestors. Operations read every number of
// the rules from here.
func (a *App) Policy(ctx context.Context, jurisdiction string, at time.Time) (cordon.Policy, error) {
	var p cordon.Policy
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		p, err = policyIn(ctx, tx, jurisdiction, at)
		return err
	})
	return p, err
}

// policyIn is Policy inside a transaction.
func policyIn(ctx context.Context, tx *store.Tx, jurisdiction string, at time.Time) (cordon.Policy, error) {
	as, err := tx.Policies(ctx, jurisdiction, false)
	if err != nil {
		return cordon.Policy{}, err
	}
	return cordon.PolicyInForce(jurisdiction, at, as)
}

// policyBook resolves the policy in force at one time for many
// jurisdictions from the assignments read once: for work that meets many
// places in one go (a batch of scan-ins, the purge).
func (a *App) policyBook(ctx context.Context, at time.Time) (func(jurisdiction string) (cordon.Policy, error), error) {
	var as []cordon.PolicyAssignment
	err := a.db.Read(ctx, func(tx *store.Tx) (err error) {
		as, err = tx.Policies(ctx, cordon.Nationwide, true)
		return err
	})
	if err != nil {
		return nil, err
	}
	memo := map[string]cordon.Policy{}
	return func(j string) (cordon.Policy, error) {
		if p, ok := memo[j]; ok {
			return p, nil
		}
		p, err := cordon.PolicyInForce(j, at, as)
		if err == nil {
			memo[j] = p
		}
		return p, err
	}, nil
}

// PolicyView is what the policy page and API show a jurisdiction.
type PolicyView struct {
	Jurisdiction string                    `json:"jurisdiction"`
	At           time.Time                 `json:"at"`
	InForce      cordon.Policy             `json:"in_force"`
	Assignments  []cordon.PolicyAssignment `json:"assignments"` // of the jurisdiction, its ancestors and its subtree
	Editions     []cordon.Policy           `json:"editions"`
	Overridable  []string                  `json:"overridable"`
}

// Policies shows the policy in force in a jurisdiction of the actor's
// subtree, and the assignments that bear on it.
func (a *App) Policies(ctx context.Context, actor cordon.Actor, jurisdiction string, at time.Time) (PolicyView, error) {
	if err := authorize(actor, cordon.PermJurisdictionRead); err != nil {
		return PolicyView{}, err
	}
	if jurisdiction == "" {
		jurisdiction = actor.Jurisdiction
	}
	if !actor.Sees(jurisdiction) {
		return PolicyView{}, cordon.Errorf(cordon.KindNotFound, "jurisdiction.not_found", "jurisdiction not found")
	}
	if at.IsZero() {
		at = a.now()
	}
	v := PolicyView{Jurisdiction: jurisdiction, At: at, Editions: cordon.Editions(), Overridable: cordon.Overridable()}
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		as, err := tx.Policies(ctx, jurisdiction, true)
		if err != nil {
			return err
		}
		v.Assignments = as
		v.InForce, err = cordon.PolicyInForce(jurisdiction, at, as)
		return err
	})
	return v, err
}

// SetPolicy puts an edition in force in a jurisdiction of the actor's
// subtree from a day, or overrides values there. Administrators only;
// audited with the assignment.
func (a *App) SetPolicy(ctx context.Context, actor cordon.Actor, in cordon.PolicyAssignment) error {
	if err := authorize(actor, cordon.PermPolicyManage); err != nil {
		return err
	}
	if err := in.Validate(); err != nil {
		return err
	}
	if !actor.Sees(in.Jurisdiction) {
		return cordon.Errorf(cordon.KindNotFound, "jurisdiction.not_found", "jurisdiction not found")
	}
	return a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.SetPolicy(ctx, in, actor.AccountID); err != nil {
			return err
		}
		// The result must resolve everywhere below: an override valid on
		// its own may not fit an edition assigned further down.
		as, err := tx.Policies(ctx, in.Jurisdiction, true)
		if err != nil {
			return err
		}
		for _, x := range as {
			if !cordon.Within(x.Jurisdiction, in.Jurisdiction) {
				continue
			}
			at, _ := time.ParseInLocation(time.DateOnly, x.From, cordon.ChinaTime)
			if _, err := cordon.PolicyInForce(x.Jurisdiction, at.Add(12*time.Hour), as); err != nil {
				return cordon.Errorf(cordon.KindInvalid, "policy.override_invalid", "%v", err)
			}
		}
		return audit(ctx, tx, actor, "policy.set", "jurisdiction:"+in.Jurisdiction, "", in.From+" "+in.Edition)
	})
}

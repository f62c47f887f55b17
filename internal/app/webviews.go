package app

import (
	"context"

	"cordon"
	"cordon/internal/store"
)

// HandOverLabs lists the labs a sampler may send a box of tubes to: every
// lab in the actor's province. Tubes travel up to a city or regional lab
// that lies outside a county sampler's subtree, so Labs, which keeps to the
// subtree, would show them none. Labs hold no personal data; the read is
// not audited.
func (a *App) HandOverLabs(ctx context.Context, actor cordon.Actor) ([]cordon.Lab, error) {
	if err := authorize(actor, cordon.PermSampleWrite); err != nil {
		return nil, err
	}
	scope := store.Everywhere
	if actor.Jurisdiction != cordon.Nationwide && len(actor.Jurisdiction) >= 2 {
		scope = store.Inside(actor.Jurisdiction[:2] + "0000")
	}
	var out []cordon.Lab
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Labs(ctx, scope)
		return err
	})
	return out, err
}

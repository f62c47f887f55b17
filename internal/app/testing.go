package app

import (
	"context"

	"cordon"
)

// PoolAdvice gives the pool size that needs the fewest tests at a
// prevalence (Dorfman's two-stage model), within the 20-in-1 limit, with the
// 10-in-1 and 20-in-1 practice for comparison. Any signed-in account may ask.
func (a *App) PoolAdvice(ctx context.Context, actor cordon.Actor, prevalence float64) (cordon.PoolAdvice, error) {
	if actor.AccountID == 0 {
		return cordon.PoolAdvice{}, cordon.ErrUnauthorized
	}
	return cordon.AdvisePoolSize(prevalence, cordon.MaxPoolSize)
}

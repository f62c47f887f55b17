package app

import (
	"context"
	"time"
)

// PurgeEvery is how often the server purges scan-ins past their retention.
const PurgeEvery = time.Hour

// SettleEvery is how often the server ends area measures whose negative
// rounds are in.
const SettleEvery = time.Minute

// RematchEvery is how often the server matches recent arrivals again
// against the risk areas and case places, besides after every change of
// risk areas.
const RematchEvery = 10 * time.Minute

// RunSchedule runs cordon's scheduled work until ctx ends: the purge of
// scan-ins older than the retention period of their place (policy value,
// 28 days by default), at start and then every purgeEvery; and the
// settling of area measures (SettleMeasures) and of arrivals' tests
// (SettleObligations) every SettleEvery; the rematch of recent arrivals
// (RematchArrivals) after risk areas change and every RematchEvery; and
// the delivery of messages to peers (runPeerDelivery) beside them.
func (a *App) RunSchedule(ctx context.Context, purgeEvery time.Duration) {
	purge := time.NewTicker(purgeEvery)
	defer purge.Stop()
	settle := time.NewTicker(SettleEvery)
	defer settle.Stop()
	rematch := time.NewTicker(RematchEvery)
	defer rematch.Stop()
	peersDone := make(chan struct{})
	go func() { defer close(peersDone); a.runPeerDelivery(ctx) }()
	defer func() { <-peersDone }()
	a.purge(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-purge.C:
			a.purge(ctx)
		case <-settle.C:
			ended, err := a.SettleMeasures(ctx)
			switch {
			case err != nil && ctx.Err() == nil:
				a.log.Error("settle area measures", "err", err)
			case len(ended) > 0:
				a.log.Info("area measures ended by negative rounds", "measures", ended)
			}
			if n, err := a.SettleObligations(ctx); err != nil && ctx.Err() == nil {
				a.log.Error("settle arrivals' tests", "err", err)
			} else if n > 0 {
				a.log.Info("arrivals' tests taken", "obligations", n)
			}
		case <-rematch.C:
			a.rematch(ctx)
		case <-a.arrivals.rematch:
			a.rematch(ctx)
		}
	}
}

func (a *App) purge(ctx context.Context) {
	start := time.Now()
	n, err := a.PurgeScanIns(ctx)
	switch {
	case err != nil && ctx.Err() == nil:
		a.log.Error("scan-in purge", "err", err)
	case n > 0:
		a.log.Info("purged scan-ins past retention", "deleted", n, "took", time.Since(start).Round(time.Millisecond))
	}
}

func (a *App) rematch(ctx context.Context) {
	res, err := a.RematchArrivals(ctx)
	switch {
	case err != nil && ctx.Err() == nil:
		a.log.Error("rematch arrivals", "err", err)
	case res.Stronger > 0:
		a.log.Info("arrivals met risk areas", "arrivals", res.Arrivals, "stronger", res.Stronger, "took", res.Took.Round(time.Millisecond))
	}
}

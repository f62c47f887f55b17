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

// RunSchedule runs cordon's scheduled work until ctx ends: the purge of
// scan-ins older than the retention period of their place (policy value,
// 28 days by default), at start and then every purgeEvery; and the
// settling of area measures (SettleMeasures) every SettleEvery; and the
// delivery of messages to peers (runPeerDelivery) beside them.
func (a *App) RunSchedule(ctx context.Context, purgeEvery time.Duration) {
	purge := time.NewTicker(purgeEvery)
	defer purge.Stop()
	settle := time.NewTicker(SettleEvery)
	defer settle.Stop()
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

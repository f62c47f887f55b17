package app

import (
	"context"
	"time"
)

// PurgeEvery is how often the server purges scan-ins past their retention.
const PurgeEvery = time.Hour

// RunSchedule runs cordon's scheduled work until ctx ends: the purge of
// scan-ins older than the retention period of their place (policy value,
// 28 days by default), at start and then every PurgeEvery.
func (a *App) RunSchedule(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		start := time.Now()
		n, err := a.PurgeScanIns(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			a.log.Error("scan-in purge", "err", err)
		case n > 0:
			a.log.Info("purged scan-ins past retention", "deleted", n, "took", time.Since(start).Round(time.Millisecond))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

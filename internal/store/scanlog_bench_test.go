package store_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"cordon"
	"cordon/internal/store"
)

// BenchmarkCompactScanIns moves logged scan-ins into the venue-clustered
// table, 250,000 at a time (a compaction step), onto a table that already
// holds as many per step before it, spread over 5,000 venues and 200,000
// persons in one day.
func BenchmarkCompactScanIns(b *testing.B) {
	db := openSQLite(b, store.Options{})
	r := rand.New(rand.NewPCG(5, 6))
	day := time.Date(2022, 2, 5, 0, 0, 0, 0, cordon.ChinaTime)
	const step = 250_000
	b.ResetTimer()
	for moved := 0; moved < b.N; moved += step {
		b.StopTimer()
		rows := make([]cordon.ScanIn, step)
		for i := range rows {
			rows[i] = cordon.ScanIn{VenueID: 1 + int64(r.IntN(5000)), PersonID: 1 + int64(r.IntN(200_000)),
				At: day.Add(time.Duration(r.IntN(86400)) * time.Second), Source: cordon.ScanByDevice}
		}
		if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.AppendScanIns(ctx, rows) }); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := db.CompactScanIns(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "scan-ins/s")
}

package store_test

import (
	"context"
	"testing"

	"cordon"
	"cordon/internal/store"
)

// BenchmarkAuditRead appends the audit entries of reads from many readers
// at once, as a busy lookup API does: group commit, no savepoint each.
func BenchmarkAuditRead(b *testing.B) {
	db := openSQLite(b, store.Options{})
	ctx := context.Background()
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			err := db.BatchAppend(ctx, func(tx *store.Tx) error {
				tx.AuditRead(cordon.AuditEntry{AccountID: 1, Username: "bench", Action: "healthcode.read", Record: "person:123456", Jurisdiction: "451024"})
				return nil
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}

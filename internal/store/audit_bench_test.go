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

// Two processes on one SQLite file (a server and `cordon user add`) take
// audit ids from the same sequence: rows and packed reads never share one.
func TestAuditIDsAcrossHandles(t *testing.T) {
	path := t.TempDir() + "/shared.db"
	dbs := []*store.DB{openSQLiteAt(t, path), openSQLiteAt(t, path)}
	ctx := context.Background()
	for i := range 6 {
		db := dbs[i%2]
		err := db.Transact(ctx, func(tx *store.Tx) error {
			e := cordon.AuditEntry{Username: "u", Action: "person.read", Record: "person:1", Jurisdiction: "451024"}
			if i%3 == 0 {
				e.Action = "person.create"
				return tx.Audit(ctx, e)
			}
			tx.AuditRead(e)
			tx.AuditRead(e)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	var all []cordon.AuditEntry
	err := dbs[0].Read(ctx, func(tx *store.Tx) error {
		var err error
		all, err = tx.AuditLog(ctx, store.Everywhere, cordon.AuditFilter{})
		return err
	})
	seen := map[int64]bool{}
	for _, e := range all {
		if seen[e.ID] {
			t.Errorf("id %d twice", e.ID)
		}
		seen[e.ID] = true
	}
	if err != nil || len(all) != 10 {
		t.Errorf("%d entries, want 10: %v", len(all), err)
	}
}

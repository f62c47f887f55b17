package app_test

import (
	"math/rand/v2"
	"testing"

	"cordon"
)

// BenchmarkHealthCode looks up codes of 10,000 persons from many clients at
// once, as the code API does: the book in memory, the read audited.
func BenchmarkHealthCode(b *testing.B) {
	f := newFixture(b)
	epi := f.account(cordon.RoleEpidemiologist, debao).Actor()
	var ids []int64
	for range 10_000 {
		ids = append(ids, f.person().ID)
	}
	if _, err := f.app.HealthCode(f.ctx, epi, ids[0], ""); err != nil {
		b.Fatal(err)
	}
	b.SetParallelism(benchClients())
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := f.app.HealthCode(f.ctx, epi, ids[rand.IntN(len(ids))], ""); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
}

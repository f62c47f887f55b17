package app_test

import (
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"cordon"
	"cordon/internal/store"
)

// BenchmarkCreatePerson registers persons one after another through
// app.CreatePerson: validation, the directory check, the vault (two seals,
// two blind indexes), the duplicate check, the insert and the audit entry,
// one SQLite transaction each.
func BenchmarkCreatePerson(b *testing.B) {
	f := newFixture(b)
	epi := f.account(cordon.RoleEpidemiologist, baise).Actor()
	for b.Loop() {
		if _, err := f.app.CreatePerson(f.ctx, epi, f.personInput()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "persons/s")
}

// BenchmarkCreatePersonParallel is BenchmarkCreatePerson with many clients
// at once, as at a busy registration desk: 4 per CPU.
func BenchmarkCreatePersonParallel(b *testing.B) {
	f := newFixture(b)
	epi := f.account(cordon.RoleEpidemiologist, baise).Actor()
	// Concurrent clients (sampling tables, registration devices), as
	// CORDON_BENCH_CLIENTS per CPU; group commit shares commits among them.
	b.SetParallelism(benchClients())
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := f.app.CreatePerson(f.ctx, epi, f.personInput()); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "persons/s")
}

// benchAddress is the address code of the seeded persons' ID numbers
// (田东县), so that they never collide with the fixture's own.
const benchAddress = "451022"

// benchPersons is the number of persons to seed: CORDON_BENCH_PERSONS, or
// 100,000.
func benchPersons(b *testing.B) int {
	s := os.Getenv("CORDON_BENCH_PERSONS")
	if s == "" {
		return 100_000
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		b.Fatalf("CORDON_BENCH_PERSONS=%q: want a positive number", s)
	}
	return n
}

// seedPersons writes n persons straight through the store, many to a
// transaction, spread over some villages of Debao.
func seedPersons(b *testing.B, f *fixture, n int) {
	villages := []string{chengdong, fuji, "451024100002", "451024100200", "451024101200"}
	const batch = 5000
	for lo := 0; lo < n; lo += batch {
		err := f.db.Transact(f.ctx, func(tx *store.Tx) error {
			for k := lo; k < min(lo+batch, n); k++ {
				id := idNumber(benchAddress, int64(k))
				v := villages[k%len(villages)]
				p := cordon.Person{
					Name:      "黄" + strconv.Itoa(k),
					DocType:   cordon.DocCitizenID,
					IDNumber:  id,
					Phone:     phoneNumber(int64(k)),
					Sex:       map[bool]cordon.Sex{true: cordon.SexMale, false: cordon.SexFemale}[(id[16]-'0')%2 == 1],
					BirthDate: id[6:10] + "-" + id[10:12] + "-" + id[12:14],
					Residence: v,
					Current:   v,
				}
				if err := tx.CreatePerson(f.ctx, &p, 0); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPersonByDocument looks up random persons by ID number in a
// database of CORDON_BENCH_PERSONS persons, through app.PersonByDocument
// (scope, blind index, decryption and the audit entry), and reports the
// median and 99th percentile latency.
func BenchmarkPersonByDocument(b *testing.B) {
	n := benchPersons(b)
	f := newFixture(b)
	epi := f.account(cordon.RoleEpidemiologist, baise).Actor()
	start := time.Now()
	seedPersons(b, f, n)
	took := time.Since(start)
	b.Logf("seeded %d persons in %v (%.0f persons/s)", n, took.Round(time.Millisecond), float64(n)/took.Seconds())

	rng := rand.New(rand.NewPCG(2022, 2))
	lat := make([]time.Duration, 0, 1<<16)
	for b.Loop() {
		k := rng.Int64N(int64(n))
		t0 := time.Now()
		p, err := f.app.PersonByDocument(f.ctx, epi, cordon.DocCitizenID, idNumber(benchAddress, k), "bench")
		lat = append(lat, time.Since(t0))
		if err != nil || p.Name != "黄"+strconv.FormatInt(k, 10) {
			b.Fatalf("lookup %d: %q, %v", k, p.Name, err)
		}
	}
	slices.Sort(lat)
	pct := func(q float64) float64 {
		return float64(lat[int(q*float64(len(lat)-1))].Nanoseconds()) / 1e3
	}
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
}

// benchClients is the number of concurrent clients per CPU in the parallel
// benchmarks: CORDON_BENCH_CLIENTS, default 16.
func benchClients() int {
	if n, err := strconv.Atoi(os.Getenv("CORDON_BENCH_CLIENTS")); err == nil && n > 0 {
		return n
	}
	return 16
}

// BenchmarkRegisterSamples registers batches of 1,000 samples (100 tubes
// of 10, typed-in ID numbers) through app.RegisterSamples, as the bulk API
// does: validation, the duplicate check, tubes opened and closed, tallies,
// one audit entry and one durable commit per batch.
func BenchmarkRegisterSamples(b *testing.B) {
	s := newTestingSetup(b)
	var n int64
	batch := make([]cordon.SampleInput, 1000)
	for b.Loop() {
		for i := range batch {
			n++
			batch[i] = cordon.SampleInput{Key: strconv.FormatInt(n, 36), RoundID: s.round.ID, PointID: s.point.ID,
				Tube: "B" + strconv.FormatInt((n-1)/10, 10), PoolSize: 10, IDNumber: idNumber(benchAddress, n)}
		}
		acks, err := s.app.RegisterSamples(s.ctx, s.sampler, batch)
		if err != nil {
			b.Fatal(err)
		}
		if acks[len(acks)-1].Status != cordon.SampleStored {
			b.Fatalf("%+v", acks[len(acks)-1])
		}
	}
	b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "samples/s")
}

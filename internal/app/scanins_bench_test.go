package app_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"cordon"
	"cordon/internal/app"
	"cordon/internal/store"
)

// BenchmarkRecordScanIns sends batches of 5,000 scan-ins through
// app.RecordScanIns, as the bulk API does after decoding: checks, the
// venue and person lookups, the synced group commit into the staging log,
// and the compactions that move the log into the venue-clustered table.
func BenchmarkRecordScanIns(b *testing.B) {
	f := newFixture(b)
	const venues, persons = 2000, 20000
	var firstVenue, firstPerson int64
	for i := range venues {
		v, err := f.app.CreateVenue(f.ctx, app.System, cordon.VenueInput{Name: fmt.Sprint("场所", i), Category: cordon.VenueMall, Jurisdiction: baise})
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			firstVenue = v.ID
		}
	}
	if _, err := f.app.ImportPersons(f.ctx, app.System, func(yield func(cordon.PersonInput) bool) {
		for i := range persons {
			if !yield(cordon.PersonInput{Name: "测试", IDNumber: idNumber(benchAddress, int64(i)), Residence: baise}) {
				return
			}
		}
	}); err != nil {
		b.Fatal(err)
	}
	first, err := f.app.PersonByDocument(f.ctx, app.System, cordon.DocCitizenID, idNumber(benchAddress, 0), "")
	if err != nil {
		b.Fatal(err)
	}
	firstPerson = first.ID
	dev := f.account(cordon.RoleAdmin, baise).Actor()
	r := rand.New(rand.NewPCG(1, 2))
	batch := make([]app.ScanInItem, app.MaxScanInBatch)
	now := f.clock.Now()
	b.ResetTimer()
	sent := 0
	for sent < b.N {
		for i := range batch {
			batch[i] = app.ScanInItem{VenueID: firstVenue + int64(r.IntN(venues)), PersonID: firstPerson + int64(r.IntN(persons)),
				At: now.Add(-time.Duration(r.IntN(3600)) * time.Second)}
		}
		sum, err := f.app.RecordScanIns(f.ctx, dev, "", batch)
		if err != nil || sum.Stored != len(batch) {
			b.Fatalf("%+v %v", sum.Results[0], err)
		}
		sent += len(batch)
	}
	b.ReportMetric(float64(sent)/b.Elapsed().Seconds(), "scan-ins/s")
}

// BenchmarkCompanionSearch times the companion search of a 20-visit
// itinerary over CORDON_BENCH_SCANINS scan-ins (200,000 by default; `cordon
// bench --suite scanins --scanins-stored 50000000` measures the design
// target) at 2,000 venues over 27 days.
func BenchmarkCompanionSearch(b *testing.B) {
	f := newFixture(b)
	n := 200_000
	if s := os.Getenv("CORDON_BENCH_SCANINS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	const venues, persons, days = 2000, 100_000, 27
	now := f.clock.Now()
	r := rand.New(rand.NewPCG(3, 4))
	row := func() cordon.ScanIn {
		day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, cordon.ChinaTime).AddDate(0, 0, -1-r.IntN(days))
		at := day.Add(7*time.Hour + time.Duration(r.IntN(15*3600))*time.Second)
		s := cordon.ScanIn{VenueID: 1 + int64(r.IntN(venues)), PersonID: 1 + int64(r.IntN(persons)), At: at, Source: cordon.ScanByDevice}
		if r.IntN(3) == 0 {
			s.Leave = at.Add(time.Duration(10+r.IntN(170)) * time.Minute)
		}
		return s
	}
	for done := 0; done < n; {
		chunk := make([]cordon.ScanIn, min(100_000, n-done))
		for i := range chunk {
			chunk[i] = row()
		}
		if err := f.db.Transact(f.ctx, func(tx *store.Tx) error { return tx.AppendScanIns(f.ctx, chunk) }); err != nil {
			b.Fatal(err)
		}
		if _, err := f.db.CompactScanIns(f.ctx); err != nil {
			b.Fatal(err)
		}
		done += len(chunk)
	}
	for i := range venues {
		if _, err := f.app.CreateVenue(f.ctx, app.System, cordon.VenueInput{Name: fmt.Sprint("场所", i), Category: cordon.VenueMall, Jurisdiction: baise}); err != nil {
			b.Fatal(err)
		}
	}
	found := 0
	b.ResetTimer()
	for b.Loop() {
		visits := make([]cordon.Visit, 20)
		for i := range visits {
			s := row()
			visits[i] = cordon.Visit{VenueID: s.VenueID, From: s.At, To: s.Leave}
		}
		res, err := f.app.Companions(f.ctx, app.System, app.CompanionQuery{Visits: visits})
		if err != nil {
			b.Fatal(err)
		}
		found += len(res.Companions)
	}
	b.ReportMetric(float64(found)/float64(b.N), "companions/search")
}

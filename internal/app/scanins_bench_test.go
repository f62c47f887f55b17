package app_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"cordon"
	"cordon/internal/app"
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

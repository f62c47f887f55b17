package store_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cordon"
	"cordon/internal/store"
)

// A check-out sent after its check-in moved out of the log updates the
// stored scan-in; repeats stay one row; a crash leaves the log to be read
// again at the next start.
func TestScanInLog(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		at := time.Date(2022, 2, 5, 19, 0, 0, 0, cordon.ChinaTime)
		in := cordon.ScanIn{VenueID: 7, PersonID: 9, At: at, Source: cordon.ScanByDevice}
		other := cordon.ScanIn{VenueID: 7, PersonID: 10, At: at.Add(time.Minute), Source: cordon.ScanReverse}
		appendScans := func(s ...cordon.ScanIn) {
			t.Helper()
			if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.AppendScanIns(ctx, s) }); err != nil {
				t.Fatal(err)
			}
		}
		atVenue := func() []cordon.ScanIn {
			t.Helper()
			var out []cordon.ScanIn
			read(t, db, func(tx *store.Tx) (err error) {
				out, err = tx.ScanInsAt(ctx, 7, at.Add(-time.Hour), at.Add(time.Hour))
				return err
			})
			return out
		}
		appendScans(in, in, other)
		if got := atVenue(); len(got) != 2 {
			t.Fatalf("logged: %+v", got)
		}
		if _, err := db.CompactScanIns(ctx); err != nil {
			t.Fatal(err)
		}
		out := in
		out.Leave = at.Add(90 * time.Minute)
		appendScans(out, other)
		for _, step := range []string{"logged", "moved"} {
			if step == "moved" {
				if _, err := db.CompactScanIns(ctx); err != nil {
					t.Fatal(err)
				}
			}
			got := atVenue()
			if len(got) != 2 {
				t.Fatalf("%s: %+v", step, got)
			}
			for _, s := range got {
				if s.PersonID == 9 && !s.Leave.Equal(out.Leave) || s.PersonID == 10 && (!s.Leave.IsZero() || s.Source != cordon.ScanReverse) {
					t.Errorf("%s: %+v", step, s)
				}
			}
		}
		var itinerary []cordon.ScanIn
		read(t, db, func(tx *store.Tx) (err error) {
			itinerary, err = tx.ScanInsOf(ctx, 9, at.AddDate(0, 0, -1), at.AddDate(0, 0, 1))
			return err
		})
		if len(itinerary) != 1 || !itinerary[0].Leave.Equal(out.Leave) {
			t.Errorf("itinerary: %+v", itinerary)
		}
	})
}

// The log survives a restart: rows appended and not yet moved are read
// back into memory when the database opens again.
func TestScanInLogReopens(t *testing.T) {
	path := t.TempDir() + "/c.db"
	at := time.Date(2022, 2, 5, 19, 0, 0, 0, cordon.ChinaTime)
	db := openSQLiteAt(t, path)
	if err := db.Transact(ctx, func(tx *store.Tx) error {
		return tx.AppendScanIns(ctx, []cordon.ScanIn{{VenueID: 3, PersonID: 4, At: at, Leave: at.Add(time.Hour), Source: cordon.ScanByDevice}})
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = openSQLiteAt(t, path)
	defer db.Close()
	var got []cordon.ScanIn
	read(t, db, func(tx *store.Tx) (err error) {
		got, err = tx.ScanInsOf(ctx, 4, at.Add(-time.Hour), at.Add(time.Hour))
		return err
	})
	if len(got) != 1 || got[0].VenueID != 3 || !got[0].Leave.Equal(at.Add(time.Hour)) {
		t.Fatalf("after reopening: %+v", got)
	}
	if n, err := db.CompactScanIns(ctx); err != nil || n != 1 {
		t.Fatalf("compaction moved %d: %v", n, err)
	}
}

func openSQLiteAt(t *testing.T, path string) *store.DB {
	t.Helper()
	return openMigrated(t, "sqlite:"+path, store.Options{})
}

// A read must see every scan-in committed before it started, even while
// the log is being compacted.
func TestScanInReadsDuringMoves(t *testing.T) {
	db := openSQLiteAt(t, t.TempDir()+"/c.db")
	defer db.Close()
	at := time.Date(2022, 2, 5, 19, 0, 0, 0, cordon.ChinaTime)
	var committed atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // writer
		defer wg.Done()
		p := int64(1)
		for {
			select {
			case <-stop:
				return
			default:
			}
			batch := make([]cordon.ScanIn, 200)
			for i := range batch {
				batch[i] = cordon.ScanIn{VenueID: 7, PersonID: p, At: at.Add(time.Duration(p) * time.Millisecond * 10), Source: cordon.ScanByDevice}
				p++
			}
			if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.AppendScanIns(ctx, batch) }); err != nil {
				t.Error(err)
				return
			}
			committed.Add(int64(len(batch)))
		}
	}()
	go func() { // compactor
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := db.CompactScanIns(ctx); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	misses := 0
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		before := committed.Load()
		var got []cordon.ScanIn
		if err := db.Read(ctx, func(tx *store.Tx) (err error) {
			got, err = tx.ScanInsAt(ctx, 7, at.Add(-time.Hour), at.Add(24*time.Hour))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if int64(len(got)) < before {
			misses++
			if misses < 4 {
				t.Logf("read %d scan-ins, %d were committed before the read", len(got), before)
			}
		}
	}
	close(stop)
	wg.Wait()
	if misses > 0 {
		t.Errorf("%d reads missed committed scan-ins", misses)
	}
}

package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"cordon"
	"cordon/internal/app"
	"cordon/internal/auth"
	"cordon/internal/store"
)

// scanInBench measures the scan-in targets: ingestion through the bulk API
// of a separate `cordon serve` on SQLite, each batch answered only once
// durable, against a raw batched insert of the same rows into the same
// schema (the engine's limit); the size on disk of a store of many
// scan-ins; and companion searches of 20-visit itineraries over it.
type scanInBench struct {
	ingest   int // scan-ins sent through the API
	stored   int // scan-ins in the store for size and search (50,000,000 for the design target)
	persons  int
	venues   int
	batch    int
	clients  int
	searches int
	dir      string
	out, log io.Writer

	http        *http.Client
	base, token string
	pid         int
	firstPerson int64
	firstVenue  int64
	days        int // the scan-ins spread over this many days before now
}

// scanRow is the i-th synthetic scan-in: a person and a venue at random
// and a time between 7:00 and 22:00. The scan-ins sent through the API
// are the live ones, of the last day in time order, as devices send them;
// the rest are the history of the days before, day after day.
func (b *scanInBench) scanRow(i int, now time.Time) cordon.ScanIn {
	r := rand.New(rand.NewPCG(uint64(i), 0x5ca1ab1e))
	person := b.firstPerson + int64(r.IntN(b.persons))
	venue := b.firstVenue + int64(r.IntN(b.venues))
	var at time.Time
	if i < b.ingest {
		at = now.Add(-24 * time.Hour).Add(time.Duration(float64(24*time.Hour) * float64(i) / float64(b.ingest)))
		at = at.Add(-time.Duration(r.IntN(600)) * time.Second)
	} else {
		day := 1 + (i-b.ingest)*(b.days-1)/max(1, b.stored-b.ingest)
		midnight := now.Add(-time.Duration(day+1) * 24 * time.Hour).Truncate(24 * time.Hour).Add(-8 * time.Hour) // China time
		at = midnight.Add(7*time.Hour + time.Duration(r.IntN(15*3600))*time.Second)
	}
	s := cordon.ScanIn{VenueID: venue, PersonID: person, At: at.Truncate(time.Second), Source: cordon.ScanByDevice}
	if r.IntN(3) == 0 {
		s.Leave = s.At.Add(time.Duration(10+r.IntN(170)) * time.Minute)
	}
	return s
}

func (b *scanInBench) run(ctx context.Context) error {
	dbPath := filepath.Join(b.dir, "scanins.db")
	// 1. Ingestion through the bulk API of a separate server.
	srv, err := startBenchServer(ctx, dbPath, b.clients, b.log, func(a *app.App) error { return b.seed(ctx, a) })
	if err != nil {
		return err
	}
	defer srv.stop()
	tb := srv.client
	b.pid = srv.pid
	now := time.Now()
	apiRate, err := b.send(ctx, tb, now)
	if err != nil {
		return err
	}
	fmt.Fprintf(b.out, "server peak memory after scan-in ingestion: %s\n", peakMemory(b.pid))
	srv.stop()

	// 2. The engine's limit: the same rows, same schema, raw batched inserts.
	rawRate, err := b.raw(ctx, filepath.Join(b.dir, "raw.db"), now, false)
	if err != nil {
		return err
	}
	fmt.Fprintf(b.out, "raw batched SQLite insert of the same rows, a row each into a plain table: %.0f scan-ins/s; API/raw = %.2f\n", rawRate, apiRate/rawRate)
	clusteredRate, err := b.raw(ctx, filepath.Join(b.dir, "raw-clustered.db"), now, true)
	if err != nil {
		return err
	}
	fmt.Fprintf(b.out, "raw batched SQLite insert straight into the venue-clustered table and person index: %.0f scan-ins/s\n", clusteredRate)

	// 3. Fill the store and measure its size and the companion search.
	acfg := app.DefaultConfig
	acfg.PasswordParams = auth.TestParams
	c := config{DB: "sqlite:" + dbPath, ReadConns: 8, LogLevel: "info", LogFormat: "text"}
	db, a, err := c.open(ctx, slog.New(slog.DiscardHandler), acfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := b.fill(ctx, db, now); err != nil {
		return err
	}
	if err := b.search(ctx, a, now); err != nil {
		return err
	}
	return nil
}

// seed registers the venues and persons the scan-ins name.
func (b *scanInBench) seed(ctx context.Context, a *app.App) error {
	start := time.Now()
	for i := range b.venues {
		v, err := a.CreateVenue(ctx, app.System, cordon.VenueInput{Name: "基准场所" + strconv.Itoa(i), Category: cordon.VenueCategories[i%len(cordon.VenueCategories)], Jurisdiction: benchCity})
		if err != nil {
			return err
		}
		if i == 0 {
			b.firstVenue = v.ID
		}
	}
	fmt.Fprintf(b.out, "seeded %d venues in %v\n", b.venues, time.Since(start).Round(time.Millisecond))
	first := 0
	n, err := a.ImportPersons(ctx, app.System, func(yield func(cordon.PersonInput) bool) {
		for i := range b.persons {
			if !yield(cordon.PersonInput{Name: "测试", IDNumber: benchIDNumber(first + i), Residence: "451002"}) {
				return
			}
		}
	})
	if err != nil {
		return err
	}
	p, err := a.PersonByDocument(ctx, app.System, cordon.DocCitizenID, benchIDNumber(0), "")
	if err != nil {
		return err
	}
	b.firstPerson = p.ID
	fmt.Fprintf(b.out, "seeded %d venues and %d persons in %v\n", b.venues, n, time.Since(start).Round(time.Millisecond))
	return nil
}

// send posts the first b.ingest scan-ins through POST /api/v1/scan-ins from
// b.clients devices at once and returns the rate.
func (b *scanInBench) send(ctx context.Context, tb *testingBench, now time.Time) (float64, error) {
	// The devices are other machines: their encoding is done before the
	// clock starts, so that it does not take this machine's cores.
	bodies := make(map[int][]byte, b.ingest/b.batch+1)
	for first := 0; first < b.ingest; first += b.batch {
		var buf bytes.Buffer
		b.encode(&buf, first, now)
		bodies[first] = buf.Bytes()
	}
	cpu0 := processCPU(b.pid)
	took, lat, err := sendBatches(ctx, b.clients, b.ingest, b.batch, b.log, "scan-ins", func(first int) (int, error) {
		n := min(b.batch, b.ingest-first)
		var sum app.ScanInSummary
		err := tb.send(ctx, "POST", "/api/v1/scan-ins", "application/json", bytes.NewReader(bodies[first]), &sum)
		if err == nil && sum.Stored+sum.Replayed != n {
			for _, r := range sum.Results {
				if r.Status == "rejected" {
					return n, fmt.Errorf("bench: batch at %d: %d of %d stored (item %d: %s)", first, sum.Stored+sum.Replayed, n, r.Index, r.Code)
				}
			}
		}
		return n, err
	})
	if err != nil {
		return 0, err
	}
	cpu := processCPU(b.pid) - cpu0
	rate := float64(b.ingest) / took.Seconds()
	fmt.Fprintf(b.out, "server CPU per scan-in: %.1f µs (%.0f%% of one core)\n", float64(cpu.Microseconds())/float64(b.ingest), 100*cpu.Seconds()/took.Seconds())
	fmt.Fprintf(b.out, "scan-in ingestion (bulk API, SQLite, durable, %d clients, %d per request): %.0f scan-ins/s (%d in %v; request p50 %v p99 %v)\n",
		b.clients, b.batch, rate, b.ingest, took.Round(time.Millisecond), lat[len(lat)/2].Round(time.Millisecond), lat[len(lat)*99/100].Round(time.Millisecond))
	return rate, nil
}

// encode writes a batch's JSON by hand: the devices' encoding is not what
// is measured.
func (b *scanInBench) encode(buf *bytes.Buffer, first int, now time.Time) int {
	n := min(b.batch, b.ingest-first)
	fmt.Fprintf(buf, `{"key":"bench-%d","scan_ins":[`, first)
	for i := range n {
		s := b.scanRow(first+i, now)
		if i > 0 {
			buf.WriteByte(',')
		}
		fmt.Fprintf(buf, `{"venue_id":%d,"person_id":%d,"at":"%s"`, s.VenueID, s.PersonID, s.At.Format(time.RFC3339))
		if !s.Leave.IsZero() {
			fmt.Fprintf(buf, `,"leave":"%s"`, s.Leave.Format(time.RFC3339))
		}
		buf.WriteByte('}')
	}
	buf.WriteString(`]}`)
	return n
}

// raw inserts the same rows through the same driver with nothing of
// cordon around them, 500 rows a statement and a synced commit every
// batch: a row per scan-in into a plain table (the engine's limit for
// storing them durably) and, for comparison, straight into the
// venue-clustered table with its person index (what cordon avoids with its
// staging log).
func (b *scanInBench) raw(ctx context.Context, path string, now time.Time, clustered bool) (float64, error) {
	os.Remove(path)
	db, err := sql.Open("sqlite", store.SQLiteURI(path, false))
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	schema := []string{"PRAGMA synchronous = FULL",
		`CREATE TABLE scan_rows (seq INTEGER NOT NULL PRIMARY KEY, day INTEGER NOT NULL, venue_id INTEGER NOT NULL, at INTEGER NOT NULL,
			person_id INTEGER NOT NULL, leave INTEGER, source INTEGER NOT NULL)`}
	table := "scan_rows"
	if clustered {
		schema = []string{"PRAGMA synchronous = FULL",
			`CREATE TABLE scan_ins (day INTEGER NOT NULL, venue_id INTEGER NOT NULL, at INTEGER NOT NULL, person_id INTEGER NOT NULL,
			leave INTEGER, source INTEGER NOT NULL, PRIMARY KEY (day, venue_id, at, person_id)) WITHOUT ROWID`,
			"CREATE INDEX scan_ins_person ON scan_ins (day, person_id, at)"}
		table = "scan_ins"
	}
	for _, q := range schema {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return 0, err
		}
	}
	const per = 500
	stmt := "INSERT INTO " + table + " (day, venue_id, at, person_id, leave, source) VALUES " + strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?), ", per), ", ")
	if clustered {
		stmt += " ON CONFLICT DO NOTHING"
	}
	n := b.ingest
	if clustered {
		n = min(n, 200_000) // slow: a sample is enough
	}
	rows := make([]cordon.ScanIn, n)
	for i := range rows {
		rows[i] = b.scanRow(i, now)
	}
	start := time.Now()
	for first := 0; first < len(rows); first += b.batch {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return 0, err
		}
		st, err := tx.PrepareContext(ctx, stmt)
		if err != nil {
			tx.Rollback()
			return 0, err
		}
		end := min(len(rows), first+b.batch)
		for i := first; i+per <= end; i += per {
			args := make([]any, 0, 6*per)
			for _, s := range rows[i : i+per] {
				var leave any
				if !s.Leave.IsZero() {
					leave = s.Leave.Unix()
				}
				args = append(args, cordon.ScanDay(s.At), s.VenueID, s.At.Unix(), s.PersonID, leave, int(s.Source))
			}
			if _, err := st.ExecContext(ctx, args...); err != nil {
				tx.Rollback()
				return 0, err
			}
		}
		if err := tx.Commit(); err != nil {
			return 0, err
		}
	}
	return float64(n/per*per) / time.Since(start).Seconds(), nil
}

// fill brings the store to b.stored scan-ins through the store's insert in
// large transactions, then reports its size on disk.
func (b *scanInBench) fill(ctx context.Context, db *store.DB, now time.Time) error {
	start := time.Now()
	const chunk = 100_000
	rows := make([]cordon.ScanIn, 0, chunk)
	for first := b.ingest; first < b.stored; first += chunk {
		rows = rows[:0]
		for i := first; i < min(b.stored, first+chunk); i++ {
			rows = append(rows, b.scanRow(i, now))
		}
		if err := db.Transact(ctx, func(tx *store.Tx) error {
			return tx.AppendScanIns(ctx, rows)
		}); err != nil {
			return err
		}
		if first+chunk >= b.stored || (first/chunk)%10 == 9 {
			if _, err := db.CompactScanIns(ctx); err != nil {
				return err
			}
		}
		if (first/chunk)%50 == 0 {
			fmt.Fprintf(b.log, "  filled %d scan-ins (%.0f/s)\n", first+len(rows), float64(first+len(rows)-b.ingest)/time.Since(start).Seconds())
		}
	}
	if b.stored > b.ingest {
		fmt.Fprintf(b.out, "filled to %d scan-ins in %v\n", b.stored, time.Since(start).Round(time.Second))
	}
	if _, err := db.CompactScanIns(ctx); err != nil {
		return err
	}
	if err := db.Checkpoint(ctx); err != nil {
		return err
	}
	var size int64
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if fi, err := os.Stat(filepath.Join(b.dir, "scanins.db"+suffix)); err == nil {
			size += fi.Size()
		}
	}
	fmt.Fprintf(b.out, "store with %d scan-ins (and %d persons): %.2f GB on disk, %.0f bytes a scan-in\n",
		b.stored, b.persons, float64(size)/1e9, float64(size)/float64(b.stored))
	return nil
}

// search times companion searches of 20-visit itineraries over the store,
// twice over the same itineraries: first as they come (the blocks may
// have to come from disk), then again with the store in the page cache,
// as on a server that has been answering for a while.
func (b *scanInBench) search(ctx context.Context, a *app.App, now time.Time) error {
	for _, pass := range []string{"first pass", "second pass"} {
		lat := make([]time.Duration, 0, b.searches)
		found := 0
		for n := range b.searches {
			visits := make([]cordon.Visit, 20)
			for i := range visits {
				s := b.scanRow((n*7919+i*104729)%b.stored, now)
				visits[i] = cordon.Visit{VenueID: s.VenueID, From: s.At, To: s.Leave}
			}
			t0 := time.Now()
			res, err := a.Companions(ctx, app.System, app.CompanionQuery{Visits: visits})
			if err != nil {
				return err
			}
			lat = append(lat, time.Since(t0))
			found += len(res.Companions)
		}
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		fmt.Fprintf(b.out, "companion search, 20-visit itinerary over %d scan-ins (%d searches, %s, %.0f companions each, audited): p50 %v p99 %v max %v\n",
			b.stored, b.searches, pass, float64(found)/float64(b.searches), lat[len(lat)/2].Round(time.Microsecond), lat[len(lat)*99/100].Round(time.Microsecond), lat[len(lat)-1].Round(time.Microsecond))
	}
	return nil
}

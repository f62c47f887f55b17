package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"time"

	"cordon"
	"cordon/internal/app"
	"cordon/internal/auth"
)

// runBench measures the foundation's targets on this machine: start-up on
// an empty database, person creation through internal/app (encryption and
// audit included), and lookup by ID number.
func runBench(ctx context.Context, env *environment, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	creates := fs.Int("creates", 20000, "persons to create through internal/app for the creation rate")
	clients := fs.Int("clients", 32, "concurrent clients creating persons (registration devices, sampling tables)")
	stored := fs.Int("persons", 100000, "persons stored before measuring lookups (1000000 for the design target)")
	lookups := fs.Int("lookups", 20000, "lookups by ID number to time")
	dirFlag := fs.String("dir", "", "working directory for the benchmark database (default: a temporary one)")
	suite := fs.String("suite", "all", "what to measure: persons, testing, scanins, codes, arrivals, assist or all")
	cb := codeBench{out: env.stdout, log: env.stderr}
	fs.IntVar(&cb.persons, "code-persons", 1_000_000, "registered persons whose codes are looked up")
	fs.IntVar(&cb.measureN, "measure-residents", 350_000, "of them, residents of 德保县 under the area measure")
	fs.IntVar(&cb.tokens, "code-tokens", 200_000, "distinct tokens to verify (each verifies once)")
	fs.IntVar(&cb.clients, "code-clients", 32, "concurrent HTTP clients for lookups and verifications")
	fs.DurationVar(&cb.duration, "code-duration", 10*time.Second, "how long each load runs")
	sb := scanInBench{out: env.stdout, log: env.stderr, days: 27}
	fs.IntVar(&sb.ingest, "scanins", 1_000_000, "scan-ins to send through the bulk API")
	fs.IntVar(&sb.stored, "scanins-stored", 0, "scan-ins in the store for the size and companion search figures (default --scanins; 50000000 for the design target)")
	fs.IntVar(&sb.persons, "scan-persons", 1_000_000, "registered persons the scan-ins name")
	fs.IntVar(&sb.venues, "venues", 20_000, "venues the scan-ins name")
	fs.IntVar(&sb.batch, "scan-batch", 5000, "scan-ins per request")
	fs.IntVar(&sb.clients, "scan-clients", 8, "venue devices sending at once")
	fs.IntVar(&sb.searches, "searches", 200, "companion searches to time")
	tb := testingBench{out: env.stdout, log: env.stderr}
	fs.IntVar(&tb.samples, "samples", 1_000_000, "samples to register through the bulk API (10000000 for the design target)")
	fs.IntVar(&tb.pool, "pool", 10, "samples per tube")
	fs.IntVar(&tb.batch, "batch", 1000, "registrations per request")
	fs.IntVar(&tb.clients, "devices", 4, "registration devices sending at once")
	fs.IntVar(&tb.points, "points", 2000, "sampling points, one per village of the city")
	fs.IntVar(&tb.positive, "positive-one-in", 100, "one tube in this many is positive")
	ab := arrivalBench{out: env.stdout, log: env.stderr}
	fs.IntVar(&ab.arrivals, "arrivals", 1_000_000, "arrivals stored before the rematch against the risk areas")
	fs.IntVar(&ab.persons, "arrival-persons", 200_000, "the travellers the arrivals belong to")
	fs.IntVar(&ab.areas, "risk-areas", 5000, "risk areas the arrivals are matched against")
	fs.IntVar(&ab.importRows, "import-rows", 100_000, "rows of the arrival list imported from XLSX")
	assistPeople := fs.Int("assist-people", 10_000, "people in the assist request fanned out to their counties")
	trivialAddr := fs.String("serve-trivial", "", "serve the trivial handler the codes suite compares with, on this address, until stopped (the suite starts it)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *trivialAddr != "" {
		return serveTrivial(ctx, *trivialAddr)
	}
	if *suite != "all" && *suite != "persons" && *suite != "testing" && *suite != "scanins" && *suite != "codes" && *suite != "arrivals" && *suite != "assist" {
		return usageError{"--suite must be persons, testing, scanins, codes, arrivals, assist or all"}
	}
	if *assistPeople < 1 {
		return usageError{"bench: --assist-people must be positive"}
	}
	if ab.arrivals < 1 || ab.persons < 1 || ab.areas < 1 || ab.importRows < 1 || ab.importRows > app.MaxImportRows {
		return usageError{"bench: --arrivals, --arrival-persons and --risk-areas must be positive, --import-rows 1 to 100000"}
	}
	if cb.persons < 1 || cb.measureN < 0 || cb.measureN > cb.persons || cb.tokens < 1 || cb.tokens > cb.persons || cb.clients < 1 || cb.duration <= 0 {
		return usageError{"bench: --code-persons, --code-tokens (at most --code-persons), --code-clients and --code-duration must be positive, --measure-residents at most --code-persons"}
	}
	if sb.stored < sb.ingest {
		sb.stored = sb.ingest
	}
	if sb.ingest < 1 || sb.persons < 1 || sb.venues < 1 || sb.batch < 1 || sb.batch > app.MaxScanInBatch || sb.clients < 1 || sb.searches < 1 {
		return usageError{"bench: --scanins, --scan-persons, --venues, --scan-clients and --searches must be positive, --scan-batch 1 to 5000"}
	}
	if tb.samples < 1 || tb.pool < 1 || tb.batch < 1 || tb.batch > app.MaxSampleBatch || tb.clients < 1 || tb.points < 1 || tb.positive < 1 {
		return usageError{"bench: --samples, --pool, --devices, --points and --positive-one-in must be positive, --batch 1 to 5000"}
	}
	dir := *dirFlag
	if dir == "" {
		d, err := os.MkdirTemp("", "cordon-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	if *suite == "codes" || *suite == "all" {
		cb.dir = dir
		if err := cb.run(ctx); err != nil {
			return err
		}
		if *suite == "codes" {
			return nil
		}
	}
	if *suite == "assist" || *suite == "all" {
		if err := benchAssist(ctx, env.stdout, dir, *assistPeople); err != nil {
			return err
		}
		if *suite == "assist" {
			return nil
		}
	}
	if *suite == "arrivals" || *suite == "all" {
		ab.dir = dir
		if err := ab.run(ctx); err != nil {
			return err
		}
		if *suite == "arrivals" {
			return nil
		}
	}
	if *suite == "scanins" || *suite == "all" {
		sb.dir = dir
		if err := sb.run(ctx); err != nil {
			return err
		}
		if *suite == "scanins" {
			return nil
		}
	}
	if *suite != "persons" {
		tb.dir = dir
		if err := tb.run(ctx); err != nil {
			return err
		}
		if *suite == "testing" {
			return nil
		}
	}
	log := slog.New(slog.DiscardHandler)
	acfg := app.DefaultConfig
	acfg.PasswordParams = auth.TestParams

	// 1. Ready on an empty database: open, migrate, load the directory.
	c := config{DB: "sqlite:" + filepath.Join(dir, "ready.db"), ReadConns: 8, LogLevel: "info", LogFormat: "text"}
	start := time.Now()
	db, _, err := c.open(ctx, log, acfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "ready on an empty database:   %v\n", time.Since(start).Round(time.Millisecond))
	db.Close()

	// 2. Person creation through the app.
	c.DB = "sqlite:" + filepath.Join(dir, "bench.db")
	db, a, err := c.open(ctx, log, acfg)
	if err != nil {
		return err
	}
	defer db.Close()
	actor, err := a.CreateAccount(ctx, app.System, cordon.AccountInput{Username: "bench", Role: cordon.RoleEpidemiologist, Jurisdiction: "451024", Password: "bench-password"})
	if err != nil {
		return err
	}
	seq := 0
	person := func(n int) cordon.PersonInput {
		first := fmt.Sprintf("451024%s%03d", time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n/1000).Format("20060102"), n%1000)
		return cordon.PersonInput{Name: "测试", IDNumber: first + string(cordon.CitizenIDCheck(first)), Phone: fmt.Sprintf("138%08d", n), Residence: "451024200202"}
	}
	next := func() cordon.PersonInput {
		seq++
		return person(seq)
	}
	for _, n := range []int{1, *clients} {
		if n < 1 {
			continue
		}
		work := make(chan cordon.PersonInput)
		errc := make(chan error, n)
		start = time.Now()
		for range n {
			go func() {
				var err error
				for in := range work {
					if err == nil {
						_, err = a.CreatePerson(ctx, actor.Actor(), in)
					}
				}
				errc <- err
			}()
		}
		for i := 0; i < *creates; i++ {
			work <- next()
		}
		close(work)
		for range n {
			if err := <-errc; err != nil {
				return err
			}
		}
		took := time.Since(start)
		fmt.Fprintf(env.stdout, "person creation (app, SQLite, %2d clients): %.0f persons/s (%d in %v)\n", n, float64(*creates)/took.Seconds(), *creates, took.Round(time.Millisecond))
	}

	// 3. Lookup by ID number with many persons stored.
	fmt.Fprintf(env.stderr, "seeding %d persons...\n", max(0, *stored-seq))
	start = time.Now()
	if _, err := a.ImportPersons(ctx, actor.Actor(), func(yield func(cordon.PersonInput) bool) {
		for seq < *stored {
			if !yield(next()) {
				return
			}
		}
	}); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "seeding to %d persons:        %v\n", *stored, time.Since(start).Round(time.Millisecond))
	lat := make([]time.Duration, *lookups)
	for i := range lat {
		n := 1 + (i*7919)%seq
		first := fmt.Sprintf("451024%s%03d", time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n/1000).Format("20060102"), n%1000)
		t0 := time.Now()
		if _, err := a.PersonByDocument(ctx, actor.Actor(), cordon.DocCitizenID, first+string(cordon.CitizenIDCheck(first)), ""); err != nil {
			return err
		}
		lat[i] = time.Since(t0)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	fmt.Fprintf(env.stdout, "lookup by ID number (%d stored, audited): p50 %v  p99 %v  max %v\n", seq, lat[len(lat)/2], lat[len(lat)*99/100], lat[len(lat)-1])
	return nil
}

// Package apptest builds a real cordon application for tests: a fresh
// SQLite database in the test's temporary directory, migrated, with the
// embedded jurisdiction directory, a real vault, cheap password hashes and
// no pause after failed logins. It also finds Chromium for browser tests.
// It exists so that the tests of app, api, web and the command build the
// application one way.
package apptest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"cordon/internal/app"
	"cordon/internal/auth"
	"cordon/internal/division"
	"cordon/internal/store"
	"cordon/internal/vault"
)

// Options adjust the application; the zero value is the usual test set-up.
type Options struct {
	Now    func() time.Time                     // the clock of store and app; time.Now when nil
	Log    *slog.Logger                         // discarded when nil
	Config func(*app.Config)                    // changes to app.DefaultConfig (cheap hashes already set)
	Sleep  func(context.Context, time.Duration) // the pause after a failed login; none when nil
	// Postgres runs on a fresh schema of the test server (PostgresDSN)
	// instead of SQLite.
	Postgres bool
}

// Env is a running application and its database.
type Env struct {
	App *app.App
	DB  *store.DB
}

var (
	dirOnce sync.Once
	dir     *division.Directory
	dirErr  error
)

// Directory loads the jurisdiction tree once per test binary; it is
// read-only, so every test shares it.
func Directory(tb testing.TB) *division.Directory {
	tb.Helper()
	dirOnce.Do(func() { dir, dirErr = division.Load() })
	if dirErr != nil {
		tb.Fatalf("division.Load: %v", dirErr)
	}
	return dir
}

// Vault returns a vault with fresh random keys.
func Vault(tb testing.TB) *vault.Vault {
	tb.Helper()
	dk, err := vault.ParseKey(vault.NewKey())
	if err != nil {
		tb.Fatal(err)
	}
	ik, err := vault.ParseKey(vault.NewKey())
	if err != nil {
		tb.Fatal(err)
	}
	v, err := vault.New(dk, nil, ik)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// New opens a fresh database and builds the application on it; both are
// closed when the test ends.
func New(tb testing.TB, opt Options) *Env {
	tb.Helper()
	ctx := context.Background()
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	if opt.Sleep == nil {
		opt.Sleep = func(context.Context, time.Duration) {}
	}
	dsn := "sqlite:" + filepath.Join(tb.TempDir(), "cordon.db")
	if opt.Postgres {
		dsn = PostgresSchema(tb)
	}
	db, err := store.Open(ctx, dsn, store.Options{Vault: Vault(tb), Now: opt.Now})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	cfg := app.DefaultConfig
	cfg.PasswordParams = auth.TestParams
	if opt.Config != nil {
		opt.Config(&cfg)
	}
	a := app.New(db, Directory(tb), cfg, opt.Log, app.WithClock(opt.Now), app.WithSleep(opt.Sleep))
	return &Env{App: a, DB: db}
}

// PostgresEnv names the test server's DSN.
const PostgresEnv = "CORDON_TEST_POSTGRES"

// PostgresDSN returns the DSN of the test server. Without one the test is
// skipped, loudly, or fails under CI, where PostgreSQL is mandatory.
func PostgresDSN(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv(PostgresEnv)
	if dsn != "" {
		return dsn
	}
	const how = "start one with: eval \"$(scripts/pgtest.sh start)\""
	if os.Getenv("CI") == "true" {
		tb.Fatalf("!!! %s is not set: PostgreSQL tests are MANDATORY under CI (CI=true); %s", PostgresEnv, how)
	}
	tb.Skipf("!!! SKIPPING THE POSTGRESQL HALF: %s is not set; only SQLite was tested; %s", PostgresEnv, how)
	return ""
}

// PostgresSchema creates an empty schema on the test server, dropped when
// the test ends, and returns a DSN whose search_path is that schema.
func PostgresSchema(tb testing.TB) string {
	tb.Helper()
	dsn := PostgresDSN(tb)
	ctx := context.Background()
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { admin.Close() })
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatal(err)
	}
	schema := "s_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("create schema on %s: %v", PostgresEnv, err)
	}
	tb.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + "search_path=" + schema
}

// Chromium finds the browser for browser tests: CORDON_CHROMIUM, or
// chromium on the PATH. Without one the test skips loudly, except under CI
// (CI=true), where it fails: there the browser tests must run.
func Chromium(tb testing.TB) string {
	tb.Helper()
	path := os.Getenv("CORDON_CHROMIUM")
	if path == "" {
		path, _ = exec.LookPath("chromium")
	}
	if path == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal("CI=true but no Chromium: install it (apt-get install chromium) or set CORDON_CHROMIUM")
		}
		tb.Skip("!!! SKIPPING the browser test: no Chromium found (apt-get install chromium, or set CORDON_CHROMIUM) !!!")
	}
	return path
}

// Clock is a settable clock for Options.Now and store.Options.Now, safe for
// the concurrent handlers and batches that read it.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now tells the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

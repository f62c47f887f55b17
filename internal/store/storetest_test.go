package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"cordon"
	"cordon/internal/apptest"
	"cordon/internal/store"
	"cordon/internal/vault"
)

// eachDB runs fn as a subtest on a fresh, migrated SQLite file and, when
// CORDON_TEST_POSTGRES is set, on a fresh PostgreSQL schema.
func eachDB(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	eachDBWith(t, store.Options{}, fn)
}

// eachDBWith is eachDB with options, such as a fake clock. A nil vault is
// filled with a fresh one.
func eachDBWith(t *testing.T, opt store.Options, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, openSQLite(t, opt)) })
	t.Run("postgres", func(t *testing.T) { fn(t, openPostgres(t, opt)) })
}

// testVault returns a vault with fresh random keys.
func testVault(t testing.TB) *vault.Vault {
	t.Helper()
	dk, err := vault.ParseKey(vault.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	ik, err := vault.ParseKey(vault.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	v, err := vault.New(dk, nil, ik)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// openSQLite opens and migrates a fresh database file in t.TempDir().
func openSQLite(t testing.TB, opt store.Options) *store.DB {
	t.Helper()
	return openMigrated(t, "sqlite:"+filepath.Join(t.TempDir(), "cordon.db"), opt)
}

// postgresDSN returns the DSN of the test server, or skips (fails under CI).
func postgresDSN(t testing.TB) string { return apptest.PostgresDSN(t) }

// openPostgres opens and migrates a fresh schema on the test server; the
// schema is dropped when the test ends.
func openPostgres(t testing.TB, opt store.Options) *store.DB {
	t.Helper()
	return openMigrated(t, postgresSchema(t), opt)
}

// postgresSchema creates a fresh schema on the test server for one test.
func postgresSchema(t testing.TB) string { return apptest.PostgresSchema(t) }

func openMigrated(t testing.TB, dsn string, opt store.Options) *store.DB {
	t.Helper()
	db := openUnmigrated(t, dsn, opt)
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return db
}

// openUnmigrated opens dsn and closes it when the test ends.
func openUnmigrated(t testing.TB, dsn string, opt store.Options) *store.DB {
	t.Helper()
	if opt.Vault == nil {
		opt.Vault = testVault(t)
	}
	db, err := store.Open(context.Background(), dsn, opt)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// newClock is the fake clock of the store tests, stopped at 2022-04-01.
func newClock() *apptest.Clock {
	return apptest.NewClock(time.Date(2022, 4, 1, 8, 0, 0, 0, time.UTC))
}

// Fixture jurisdictions: Debao county (德保县) in Baise (百色市), and Nanning
// (南宁市) elsewhere in Guangxi.
const (
	addressCode = "451024"       // the county, also the address code of fixture ID numbers
	village     = "451024100001" // a village in it
	nanning     = "450100"
)

// citizenID returns the n-th fixture citizen ID number: address code 451024,
// a birth date from 1950-01-01 on, a sequence number and the check
// character. Different n give different numbers up to 999 * 20,000.
func citizenID(n int) string {
	birth := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n/999)
	first17 := fmt.Sprintf("%s%s%03d", addressCode, birth.Format("20060102"), n%999+1)
	return first17 + string(cordon.CitizenIDCheck(first17))
}

// personOption adjusts a fixture person's input.
type personOption func(*cordon.PersonInput)

func withName(name string) personOption {
	return func(in *cordon.PersonInput) { in.Name = name }
}

func withPhone(phone string) personOption {
	return func(in *cordon.PersonInput) { in.Phone = phone }
}

func withResidence(code string) personOption {
	return func(in *cordon.PersonInput) { in.Residence = code }
}

func withCurrent(code string) personOption {
	return func(in *cordon.PersonInput) { in.Current = code }
}

func withDocument(t cordon.DocType, number string) personOption {
	return func(in *cordon.PersonInput) { in.DocType, in.IDNumber = t, number }
}

// newPerson builds the n-th fixture person, valid per PersonInput.Validate:
// residing in the fixture county, no phone, unless options say otherwise.
func newPerson(t testing.TB, n int, opts ...personOption) cordon.Person {
	t.Helper()
	p, err := buildPerson(n, opts...)
	if err != nil {
		t.Fatalf("fixture person %d is invalid: %v", n, err)
	}
	return p
}

// buildPerson is newPerson for goroutines that must not call t.Fatal.
func buildPerson(n int, opts ...personOption) (cordon.Person, error) {
	in := cordon.PersonInput{
		Name:      fmt.Sprintf("测试%d", n),
		IDNumber:  citizenID(n),
		Residence: addressCode,
	}
	for _, o := range opts {
		o(&in)
	}
	return in.Validate(cordon.PersonRules{Now: time.Now()})
}

// createPerson stores the n-th fixture person and returns it as stored.
func createPerson(t testing.TB, db *store.DB, n int, opts ...personOption) cordon.Person {
	t.Helper()
	p := newPerson(t, n, opts...)
	if err := db.Transact(context.Background(), func(tx *store.Tx) error {
		return tx.CreatePerson(context.Background(), &p, 0)
	}); err != nil {
		t.Fatalf("CreatePerson %d: %v", n, err)
	}
	return p
}

// createAccount stores an account bound to jurisdiction.
func createAccount(t testing.TB, db *store.DB, username, jurisdiction string) cordon.Account {
	t.Helper()
	a := cordon.Account{Username: username, DisplayName: username, Role: cordon.RoleGridWorker, Jurisdiction: jurisdiction}
	if err := db.Transact(context.Background(), func(tx *store.Tx) error {
		return tx.CreateAccount(context.Background(), &a, "hash-of-"+username)
	}); err != nil {
		t.Fatalf("CreateAccount %s: %v", username, err)
	}
	return a
}

// read runs fn in a read transaction and fails the test on an error.
func read(t testing.TB, db *store.DB, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := db.Read(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// write runs fn in a write transaction and fails the test on an error.
func write(t testing.TB, db *store.DB, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := db.Transact(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// wantKind fails unless err is of the kind and, when code is not empty,
// has that code.
func wantKind(t testing.TB, err error, kind cordon.Kind, code string) {
	t.Helper()
	if got := cordon.ErrorKind(err); got != kind || err == nil {
		t.Fatalf("error = %v (kind %v), want kind %v", err, got, kind)
	}
	if code != "" && cordon.ErrorCode(err) != code {
		t.Fatalf("error code = %q, want %q (%v)", cordon.ErrorCode(err), code, err)
	}
}

// Package store keeps cordon's records in SQLite (embedded, the default) or
// PostgreSQL (production). All SQL lives here; the differences between the
// two databases live in dialect.go alone. The store maps rows to the domain
// types of package cordon, seals personal data with the vault, and confines
// every query to the scope it is given; it never decides policy.
package store

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"cordon"
	"cordon/internal/vault"
)

// DB is an open database: for SQLite a single-connection write pool and a
// read pool on the same file, for PostgreSQL one pool for both.
type DB struct {
	dialect dialect
	write   *sql.DB
	read    *sql.DB
	vault   *vault.Vault
	now     func() time.Time
	dsn     string

	batch *batcher
	// personsChanged hears the persons each commit touched (TouchPerson).
	personsChanged func([]int64)
	// stopMaintenance ends background work such as SQLite checkpoints.
	stopMaintenance func()
	closeOnce       sync.Once
	// people is who was sampled in each round, on SQLite (people.go).
	people *peopleSets
	// scanLog stages bulk scan-ins on SQLite (scanlog.go).
	scanLog       *scanLog
	stopCompactor func()
	readStmts     struct {
		sync.Mutex
		m map[string]*sql.Stmt
	}
	// writeStmts are statements kept prepared on SQLite's one write
	// connection across transactions; wanted are those to prepare once the
	// connection is free.
	writeStmts struct {
		sync.Mutex
		m      map[string]*sql.Stmt
		wanted []string
		closed bool
	}
}

// Options tune Open.
type Options struct {
	// Vault seals identity numbers and phones. Required.
	Vault *vault.Vault
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// ReadConns bounds the read pool (SQLite) or the whole pool (PostgreSQL).
	ReadConns int
}

// Open connects to the database named by dsn: "sqlite:PATH" or a
// "postgres://" URL. It does not migrate; call Migrate.
func Open(ctx context.Context, dsn string, opt Options) (*DB, error) {
	if opt.Vault == nil {
		return nil, errors.New("store: a vault is required")
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.ReadConns <= 0 {
		opt.ReadConns = 8
	}
	d, err := dialectFor(dsn)
	if err != nil {
		return nil, err
	}
	db := &DB{dialect: d, vault: opt.Vault, now: opt.Now, dsn: dsn}
	db.write, db.read, db.stopMaintenance, err = d.open(ctx, dsn, opt.ReadConns)
	if err != nil {
		return nil, err
	}
	if d.name() == "sqlite" {
		db.people = &peopleSets{}
		db.scanLog = &scanLog{}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go db.compactor(stop, &wg)
		db.stopCompactor = func() { close(stop); wg.Wait() }
	}
	db.startBatcher()
	return db, nil
}

// Close stops the background work and closes the pools. Calling it again
// does nothing.
func (db *DB) Close() error {
	var err error
	db.closeOnce.Do(func() {
		db.stopBatcher()
		if db.stopCompactor != nil {
			db.stopCompactor()
		}
		db.stopMaintenance()
		db.readStmts.Lock()
		for _, st := range db.readStmts.m {
			st.Close()
		}
		db.readStmts.Unlock()
		db.writeStmts.Lock()
		for _, st := range db.writeStmts.m {
			st.Close()
		}
		db.writeStmts.m, db.writeStmts.closed = nil, true
		db.writeStmts.Unlock()
		err = db.write.Close()
		if db.read != db.write {
			err = errors.Join(err, db.read.Close())
		}
	})
	return err
}

// Kind names the database: "sqlite" or "postgres".
func (db *DB) Kind() string { return db.dialect.name() }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// Tx is one transaction. It carries one "now" for everything it writes.
type Tx struct {
	tx    *sql.Tx
	db    *DB
	stmts map[string]*sql.Stmt
	Now   time.Time
	// undo takes back in-memory changes made for the transaction when it
	// rolls back.
	undo []func()
	// reads are the audited reads to write as one pack at the commit.
	reads []cordon.AuditEntry
	// touched are the persons whose health-code facts the transaction
	// changed; the DB's OnPersonsChanged hook hears them after the commit.
	touched []int64
}

// TouchPerson records that the transaction changes a fact a person's
// health code is computed from (a case, a contact, an order, a hold, a
// mark, the person's place). Every store write of such a fact calls it.
func (tx *Tx) TouchPerson(ids ...int64) { tx.touched = append(tx.touched, ids...) }

// OnPersonsChanged sets the function told, after each commit and before
// the committing call returns, which persons' code facts it changed. A
// rolled-back savepoint may still name a person: the hook must treat the
// list as "may have changed".
func (db *DB) OnPersonsChanged(f func(ids []int64)) { db.personsChanged = f }

// Transact runs fn in a write transaction, committing if fn returns nil and
// rolling back on an error or a panic.
func (db *DB) Transact(ctx context.Context, fn func(*Tx) error) error {
	return db.run(ctx, fn)
}

// Read runs fn on the read pool, outside a transaction: each statement
// sees the latest committed data (reads that need one snapshot across
// several statements belong in Transact). Statements are prepared once per
// pool and reused, which saves the SQLite driver most of a point read.
func (db *DB) Read(ctx context.Context, fn func(*Tx) error) error {
	return fn(&Tx{db: db, Now: db.now().UTC().Truncate(time.Microsecond)})
}

// run runs fn in a transaction on the write pool.
func (db *DB) run(ctx context.Context, fn func(*Tx) error) (err error) {
	return db.runOn(ctx, db.write.BeginTx, fn)
}

// TransactSynced is Transact for the bulk ingestion paths (sample
// registrations, lab results), whose answers promise that the data is on
// disk: on SQLite the write-ahead log is synced at this commit, which also
// covers every commit before it. Other commits are safe from a crash of
// cordon at once and from a power cut once the next synced commit or the
// checkpoint (every second) has run. PostgreSQL syncs every commit.
func (db *DB) TransactSynced(ctx context.Context, fn func(*Tx) error) error {
	if db.dialect.name() != "sqlite" {
		return db.run(ctx, fn)
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return db.mapErr(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA synchronous = FULL"); err != nil {
		return db.mapErr(err)
	}
	defer conn.ExecContext(context.Background(), "PRAGMA synchronous = NORMAL")
	return db.runOn(ctx, conn.BeginTx, fn)
}

func (db *DB) runOn(ctx context.Context, begin func(context.Context, *sql.TxOptions) (*sql.Tx, error), fn func(*Tx) error) (err error) {
	sqlTx, err := begin(ctx, nil)
	if err != nil {
		return db.mapErr(err)
	}
	tx := &Tx{tx: sqlTx, db: db, Now: db.now().UTC().Truncate(time.Microsecond)}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			tx.rollBackMemory()
			panic(p)
		}
		if err != nil {
			_ = sqlTx.Rollback()
			tx.rollBackMemory()
			return
		}
		if cerr := sqlTx.Commit(); cerr != nil {
			err = db.mapErr(cerr)
			tx.rollBackMemory()
			return
		}
		if len(tx.touched) > 0 && db.personsChanged != nil {
			db.personsChanged(tx.touched)
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	if len(tx.reads) > 0 {
		return tx.flushReads(ctx)
	}
	return nil
}

func (tx *Tx) rollBackMemory() {
	for i := len(tx.undo) - 1; i >= 0; i-- {
		tx.undo[i]()
	}
}

// prepared returns the statement for q: prepared in this transaction, so
// that work repeated inside one transaction (a group commit, an import)
// parses each statement once, or, outside a transaction, prepared once on
// the read pool. The SQLite driver otherwise parses every statement on
// every call. database/sql closes transaction statements with the
// transaction.
func (tx *Tx) prepared(ctx context.Context, q string) (*sql.Stmt, error) {
	if tx.tx == nil {
		return tx.db.readStmt(ctx, q)
	}
	if s, ok := tx.stmts[q]; ok {
		return s, nil
	}
	if len(tx.stmts) >= maxStmts {
		return nil, nil
	}
	var s *sql.Stmt
	if ws := tx.db.writeStmt(q); ws != nil {
		s = tx.tx.StmtContext(ctx, ws)
	} else {
		var err error
		if s, err = tx.tx.PrepareContext(ctx, q); err != nil {
			return nil, err
		}
	}
	if tx.stmts == nil {
		tx.stmts = map[string]*sql.Stmt{}
	}
	tx.stmts[q] = s
	return s, nil
}

// writeStmt returns the statement for q kept prepared on SQLite's write
// connection, or nil; a statement not yet there is prepared after the
// transaction (prepareWanted), when the connection is free, so that small
// transactions (a group commit of a few audited reads) do not parse their
// statements again each time.
func (db *DB) writeStmt(q string) *sql.Stmt {
	if db.dialect.name() != "sqlite" {
		return nil
	}
	db.writeStmts.Lock()
	defer db.writeStmts.Unlock()
	if s, ok := db.writeStmts.m[q]; ok {
		return s
	}
	if !db.writeStmts.closed && keepPrepared(q) && len(db.writeStmts.m)+len(db.writeStmts.wanted) < maxReadStmts &&
		!slices.Contains(db.writeStmts.wanted, q) {
		db.writeStmts.wanted = append(db.writeStmts.wanted, q)
		if len(db.writeStmts.wanted) == 1 {
			go db.prepareWanted()
		}
	}
	return nil
}

// keepPrepared reports whether a statement may be kept prepared: not a
// PRAGMA, whose value SQLite fixes when it prepares it.
func keepPrepared(q string) bool {
	for _, p := range []string{"INSERT", "UPDATE", "DELETE", "SELECT", "WITH", "SAVEPOINT", "RELEASE", "ROLLBACK TO"} {
		if len(q) >= len(p) && strings.EqualFold(q[:len(p)], p) {
			return true
		}
	}
	return false
}

// prepareWanted prepares the write statements wanted, on its own
// goroutine: it waits for the write connection to be free (a second at
// most; a statement not prepared then is prepared in each transaction).
func (db *DB) prepareWanted() {
	time.Sleep(time.Millisecond) // let the transaction that wanted them end
	db.writeStmts.Lock()
	wanted := db.writeStmts.wanted
	db.writeStmts.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	for _, q := range wanted {
		s, err := db.write.PrepareContext(ctx, q)
		db.writeStmts.Lock()
		switch {
		case err != nil:
		case db.writeStmts.closed:
			s.Close()
		default:
			if db.writeStmts.m == nil {
				db.writeStmts.m = map[string]*sql.Stmt{}
			}
			db.writeStmts.m[q] = s
		}
		db.writeStmts.Unlock()
	}
	db.writeStmts.Lock()
	db.writeStmts.wanted = slices.DeleteFunc(db.writeStmts.wanted, func(q string) bool { return slices.Contains(wanted, q) })
	if len(db.writeStmts.wanted) > 0 && !db.writeStmts.closed {
		go db.prepareWanted()
	}
	db.writeStmts.Unlock()
}

// readStmt returns the read pool's prepared statement for q. Preparing
// outside any transaction cannot wait on a connection the caller holds.
func (db *DB) readStmt(ctx context.Context, q string) (*sql.Stmt, error) {
	db.readStmts.Lock()
	defer db.readStmts.Unlock()
	if s, ok := db.readStmts.m[q]; ok {
		return s, nil
	}
	if len(db.readStmts.m) >= maxReadStmts {
		return nil, nil
	}
	s, err := db.read.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if db.readStmts.m == nil {
		db.readStmts.m = map[string]*sql.Stmt{}
	}
	db.readStmts.m[q] = s
	return s, nil
}

// querier is what a statement runs on: a transaction, or the read pool.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (tx *Tx) conn() querier {
	if tx.tx == nil {
		return tx.db.read
	}
	return tx.tx
}

// maxReadStmts bounds the read pool's statements; queries built from
// filters have few shapes.
const maxReadStmts = 256

// maxStmts bounds the statements one transaction keeps prepared.
const maxStmts = 64

func (tx *Tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	q := tx.db.dialect.rebind(query)
	s, err := tx.prepared(ctx, q)
	if err != nil {
		return nil, tx.db.mapErr(err)
	}
	var r sql.Result
	if s != nil {
		r, err = s.ExecContext(ctx, args...)
	} else {
		r, err = tx.conn().ExecContext(ctx, q, args...)
	}
	return r, tx.db.mapErr(err)
}

func (tx *Tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	q := tx.db.dialect.rebind(query)
	s, err := tx.prepared(ctx, q)
	if err != nil {
		return nil, tx.db.mapErr(err)
	}
	var r *sql.Rows
	if s != nil {
		r, err = s.QueryContext(ctx, args...)
	} else {
		r, err = tx.conn().QueryContext(ctx, q, args...)
	}
	return r, tx.db.mapErr(err)
}

// row is a single-row result whose error may come from preparing.
type row struct {
	r   *sql.Row
	err error
}

func (r row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return r.r.Scan(dest...)
}

func (tx *Tx) queryRow(ctx context.Context, query string, args ...any) row {
	q := tx.db.dialect.rebind(query)
	s, err := tx.prepared(ctx, q)
	if err != nil {
		return row{err: tx.db.mapErr(err)}
	}
	if s != nil {
		return row{r: s.QueryRowContext(ctx, args...)}
	}
	return row{r: tx.conn().QueryRowContext(ctx, q, args...)}
}

// insert runs an INSERT ... RETURNING id and returns the id.
func (tx *Tx) insert(ctx context.Context, query string, args ...any) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, query+" RETURNING id", args...).Scan(&id)
	return id, tx.db.mapErr(err)
}

// ts formats a time for storage: UTC with microseconds, the same text on
// both databases (PostgreSQL parses it into TIMESTAMPTZ).
func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(timeLayout)
}

const timeLayout = "2006-01-02T15:04:05.000000Z07:00"

// timeCol scans a stored time from either database.
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.t = time.Time{}
	case time.Time:
		*c.t = v.UTC()
	case string:
		return c.parse(v)
	case []byte:
		return c.parse(string(v))
	default:
		return fmt.Errorf("store: cannot scan %T into a time", src)
	}
	return nil
}

func (c timeCol) parse(s string) error {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("store: bad stored time %q: %w", s, err)
	}
	*c.t = t.UTC()
	return nil
}

// Scope confines a query to a jurisdiction subtree. The zero Scope matches
// nothing; use Everywhere for system work that has no actor.
type Scope struct {
	lo, hi string
	all    bool
}

// Everywhere is the scope of system work (migrations, login, demo loading).
var Everywhere = Scope{all: true}

// Inside returns the scope of the subtree rooted at the jurisdiction code.
func Inside(code string) Scope {
	if code == cordon.Nationwide {
		return Everywhere
	}
	p := cordon.ScopePrefix(code)
	if p == "" {
		return Scope{}
	}
	return Scope{lo: p, hi: p[:len(p)-1] + string(p[len(p)-1]+1)}
}

// ScopeOf is the scope of an actor.
func ScopeOf(a cordon.Actor) Scope { return Inside(a.Jurisdiction) }

// Contains reports whether a jurisdiction code lies in the scope.
func (s Scope) Contains(code string) bool {
	if s.all {
		return true
	}
	return s.lo != "" && code >= s.lo && code < s.hi
}

// where returns a condition that column lies in the scope, and its args.
func (s Scope) where(column string) (string, []any) {
	switch {
	case s.all:
		return "1=1", nil
	case s.lo == "":
		return "1=0", nil
	}
	return "(" + column + " >= ? AND " + column + " < ?)", []any{s.lo, s.hi}
}

// whereAny returns a condition that any of the columns lies in the scope.
func (s Scope) whereAny(columns ...string) (string, []any) {
	if s.all || s.lo == "" {
		return s.where("")
	}
	var parts []string
	var args []any
	for _, c := range columns {
		w, a := s.where(c)
		parts = append(parts, w)
		args = append(args, a...)
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

func notFound(what string) error {
	return cordon.Errorf(cordon.KindNotFound, what+".not_found", "%s not found", what)
}

// Limits for list queries.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

func clampLimit(n int) int {
	switch {
	case n <= 0:
		return DefaultLimit
	case n > MaxLimit:
		return MaxLimit
	}
	return n
}

// placeholders returns "?, ?, ?" for n parameters.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// SigningKey is the vault's Ed25519 key for a purpose (venue codes, health
// codes).
func (db *DB) SigningKey(purpose string) ed25519.PrivateKey { return db.vault.SigningKey(purpose) }

// column runs a query of one column and returns its values.
func column[T any](tx *Tx, ctx context.Context, q string, args ...any) ([]T, error) {
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

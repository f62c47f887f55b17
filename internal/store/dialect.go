package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"cordon"
)

// dialect holds every difference between SQLite and PostgreSQL. Nothing
// outside this file asks which database it is talking to.
type dialect interface {
	name() string
	// open returns the pools and a function that stops any background
	// maintenance it started.
	open(ctx context.Context, dsn string, readConns int) (write, read *sql.DB, stop func(), err error)
	rebind(query string) string
	// errorKind maps a driver error to a kind by its code, never its text.
	errorKind(err error) (cordon.Kind, bool)
	// backup writes a consistent copy of the live database to path.
	backup(ctx context.Context, db *sql.DB, path string) error
	// columns lists table -> column names of the user schema.
	columnsQuery() string
	// serialize makes the transaction wait for any other that takes the
	// same lock: what SQLite's single writer gives for free.
	serialize(ctx context.Context, tx *Tx, lock int64) error
}

func (sqliteDialect) serialize(context.Context, *Tx, int64) error { return nil }

// Advisory lock keys of the transactions that read, decide in memory and
// write back.
const (
	tubesLock = 0x636f72646f6e01 // "cordon" 1: tubes (registration, results, boxes)
	linksLock = 0x636f72646f6e02 // "cordon" 2: transmission links (the cycle check)
	casesLock = 0x636f72646f6e03 // "cordon" 3: opening cases (one per person)
)

// serialize takes a transaction-scoped advisory lock. Registration and
// results read a tube, decide in memory and write it back; on PostgreSQL
// two such transactions (two devices, or one resending while the first is
// still in flight; the same results by file and by MLLP) would otherwise
// both take the same slot or both apply a result. It serialises them
// across every server sharing the database.
func (postgresDialect) serialize(ctx context.Context, tx *Tx, lock int64) error {
	_, err := tx.exec(ctx, "SELECT pg_advisory_xact_lock(?)", lock)
	return err
}

func dialectFor(dsn string) (dialect, error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		return sqliteDialect{}, nil
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return postgresDialect{}, nil
	}
	return nil, fmt.Errorf("store: database %q: want sqlite:PATH or postgres://...", redactDSN(dsn))
}

// redactDSN hides a password in a DSN for messages.
func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// SQLite, through modernc.org/sqlite (pure Go; see README for the measured
// comparison with mattn/go-sqlite3).
type sqliteDialect struct{}

func (sqliteDialect) name() string { return "sqlite" }

// sqlitePragmas come in this order on every connection: busy_timeout first so
// that nothing after it fails on a locked file.
var sqlitePragmas = []string{
	"busy_timeout(10000)",
	"journal_mode(WAL)",
	// NORMAL: a commit survives a crash of cordon at once; the log is
	// synced at checkpoints (every second) and at the commits of
	// TransactSynced, which the bulk ingestion paths use.
	"synchronous(NORMAL)",
	"wal_autocheckpoint(0)", // the checkpointer goroutine does it

	"foreign_keys(ON)",
	"temp_store(MEMORY)",
}

// SQLiteURI builds the driver DSN for a database file; readOnly pools refuse
// writes so that a bug cannot write around the single writer.
func SQLiteURI(path string, readOnly bool) string {
	q := url.Values{}
	for _, p := range sqlitePragmas {
		q.Add("_pragma", p)
	}
	// The writer keeps the hot pages of a city's round in a large cache
	// (256 MiB); readers, of which there are several, keep 32 MiB each.
	if readOnly {
		q.Add("_pragma", "cache_size(-32768)")
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_pragma", "cache_size(-262144)")
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

func (sqliteDialect) open(ctx context.Context, dsn string, readConns int) (*sql.DB, *sql.DB, func(), error) {
	path := strings.TrimPrefix(dsn, "sqlite:")
	if path == "" {
		return nil, nil, nil, errors.New("store: sqlite: empty path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, nil, nil, fmt.Errorf("store: sqlite: %w", err)
		}
	}
	write, err := sql.Open("sqlite", SQLiteURI(path, false))
	if err != nil {
		return nil, nil, nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, nil, nil, fmt.Errorf("store: sqlite %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", SQLiteURI(path, true))
	if err != nil {
		write.Close()
		return nil, nil, nil, err
	}
	read.SetMaxOpenConns(readConns)
	read.SetMaxIdleConns(readConns)
	read.SetConnMaxIdleTime(0)
	stop, err := checkpointer(ctx, path, write)
	if err != nil {
		write.Close()
		read.Close()
		return nil, nil, nil, err
	}
	return write, read, stop, nil
}

// checkpointInterval is how often the background checkpointer copies the
// write-ahead log into the database file.
const checkpointInterval = time.Second

// walLimit is the write-ahead log size past which the checkpointer empties it.
const walLimit = 64 << 20

// checkpointer moves WAL checkpoints off the write path. The writer's
// automatic checkpoint (every 1,000 pages) would otherwise stall whichever
// request commits at that moment while pages are copied and synced; a
// passive checkpoint on a connection of its own runs beside the writer.
func checkpointer(ctx context.Context, path string, write *sql.DB) (func(), error) {
	db, err := sql.Open("sqlite", SQLiteURI(path, false))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer db.Close()
		t := time.NewTicker(checkpointInterval)
		defer t.Stop()
		for {
			select {
			case <-stop:
				_, _ = db.Exec("PRAGMA wal_checkpoint(PASSIVE)")
				return
			case <-t.C:
				_, _ = db.Exec("PRAGMA wal_checkpoint(PASSIVE)")
				// Under a steady stream of writes and reads the log is never
				// free to start over, and grows without end: every read then
				// searches a bigger log index. Past walLimit, a truncating
				// checkpoint waits for the readers of the moment, holds
				// writers back while it copies what the passive one left,
				// and empties the log.
				// It runs on the writers' own connection, so that it waits its
				// turn among them instead of being starved by them.
				if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > walLimit {
					_, _ = write.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
				}
			}
		}
	}()
	return func() { close(stop); <-done }, nil
}

func (sqliteDialect) rebind(q string) string { return q }

func (sqliteDialect) errorKind(err error) (cordon.Kind, bool) {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return 0, false
	}
	switch e.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return cordon.KindConflict, true
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY, sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
		return cordon.KindInvalid, true
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return cordon.KindUnavailable, true
	}
	return 0, false
}

func (sqliteDialect) backup(ctx context.Context, db *sql.DB, path string) error {
	_, err := db.ExecContext(ctx, "VACUUM INTO ?", path)
	return err
}

func (sqliteDialect) columnsQuery() string {
	return `SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.name`
}

// PostgreSQL, through pgx's database/sql driver.
type postgresDialect struct{}

func (postgresDialect) name() string { return "postgres" }

func (postgresDialect) open(ctx context.Context, dsn string, conns int) (*sql.DB, *sql.DB, func(), error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("store: postgres %s: %w", redactDSN(dsn), err)
	}
	db.SetMaxOpenConns(conns + 4)
	db.SetMaxIdleConns(conns + 4)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, nil, nil, fmt.Errorf("store: postgres %s: %w", redactDSN(dsn), err)
	}
	return db, db, func() {}, nil
}

func (postgresDialect) rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

func (postgresDialect) errorKind(err error) (cordon.Kind, bool) {
	var e *pgconn.PgError
	if !errors.As(err, &e) {
		return 0, false
	}
	switch e.Code {
	case "23505":
		return cordon.KindConflict, true
	case "23503", "23514", "23502", "22001", "22P02":
		return cordon.KindInvalid, true
	case "40001", "40P01", "53300", "57P03":
		return cordon.KindUnavailable, true
	}
	return 0, false
}

func (postgresDialect) backup(context.Context, *sql.DB, string) error {
	return cordon.Errorf(cordon.KindInvalid, "backup.postgres", "back up PostgreSQL with pg_dump (see docs/operations.md)")
}

func (postgresDialect) columnsQuery() string {
	return `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() ORDER BY table_name, column_name`
}

// mapErr turns driver errors with a known code into domain errors of that
// kind, keeping the driver error as the cause for logs.
func (db *DB) mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return err
	}
	var ce *cordon.Error
	if errors.As(err, &ce) {
		return err
	}
	if k, ok := db.dialect.errorKind(err); ok {
		code := map[cordon.Kind]string{cordon.KindConflict: "store.conflict", cordon.KindInvalid: "store.constraint", cordon.KindUnavailable: "store.busy"}[k]
		return &cordon.Error{Kind: k, Code: code, Message: "the database refused the change", Err: err}
	}
	return err
}

// Backup writes a consistent copy of a running database to path (SQLite:
// VACUUM INTO, safe while cordon serves). The file must not exist.
func (db *DB) Backup(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup: %s exists; choose a new file", path)
	}
	return db.dialect.backup(ctx, db.write, path)
}

// Columns lists "table.column" for every table of the schema, sorted; the
// schema test compares them across databases.
func (db *DB) Columns(ctx context.Context) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, db.dialect.columnsQuery())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			return nil, err
		}
		out = append(out, t+"."+c)
	}
	return out, rows.Err()
}

// Checkpoint copies the SQLite write-ahead log into the database file and
// empties it (nothing on PostgreSQL), so that the file's size is the
// data's.
func (db *DB) Checkpoint(ctx context.Context) error {
	if db.dialect.name() != "sqlite" {
		return nil
	}
	_, err := db.write.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	return err
}

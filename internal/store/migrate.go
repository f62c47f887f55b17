package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Migrations are embedded, forward-only and numbered; each database has its
// own directory with the same file names, applied one transaction each.
//
//go:embed migrations
var migrations embed.FS

// Migration is one embedded schema change.
type Migration struct {
	Version string // file name without .sql, e.g. 0001_foundation
	SQL     string
}

func (db *DB) migrationList() ([]Migration, error) {
	dir := path.Join("migrations", db.dialect.name())
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		b, err := migrations.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: strings.TrimSuffix(e.Name(), ".sql"), SQL: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// Migrate applies the migrations not yet applied and returns their versions.
// On PostgreSQL an advisory lock keeps servers that start together from
// racing.
func (db *DB) Migrate(ctx context.Context) ([]string, error) {
	list, err := db.migrationList()
	if err != nil {
		return nil, err
	}
	err = db.Transact(ctx, func(tx *Tx) error {
		if err := db.lockMigrations(ctx, tx); err != nil {
			return err
		}
		_, err := tx.tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    TEXT NOT NULL PRIMARY KEY,
			applied_at TEXT NOT NULL
		)`)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	var applied []string
	for _, m := range list {
		done := false
		err := db.Transact(ctx, func(tx *Tx) error {
			if err := db.lockMigrations(ctx, tx); err != nil {
				return err
			}
			var n int
			if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?", m.Version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				done = true
				return nil
			}
			if _, err := tx.tx.ExecContext(ctx, m.SQL); err != nil {
				return fmt.Errorf("migration %s: %w", m.Version, err)
			}
			_, err := tx.exec(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", m.Version, ts(tx.Now))
			return err
		})
		if err != nil {
			return applied, err
		}
		if !done {
			applied = append(applied, m.Version)
		}
	}
	return applied, nil
}

// lockMigrations keeps PostgreSQL servers that start together from
// migrating at once: a transaction-scoped advisory lock. SQLite's single
// writer needs none.
func (db *DB) lockMigrations(ctx context.Context, tx *Tx) error {
	if db.dialect.name() != "postgres" {
		return nil
	}
	_, err := tx.tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(4242001)")
	return err
}

// SchemaVersion returns the newest applied migration, "" on an empty database.
func (db *DB) SchemaVersion(ctx context.Context) (string, error) {
	var v string
	err := db.read.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), '') FROM schema_migrations").Scan(&v)
	return v, err
}

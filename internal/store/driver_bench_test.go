package store_test

// The SQLite driver comparison behind the choice of modernc.org/sqlite (pure
// Go) over github.com/mattn/go-sqlite3 (cgo). Both drivers get the same
// schema subset, the same pragmas and the same pool shape as the store: one
// writer connection with BEGIN IMMEDIATE, a read pool with query_only.
//
//	go test -run '^$' -bench Driver -benchtime 2s ./internal/store/
//
// Without cgo (CGO_ENABLED=0) the mattn half is skipped.

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/url"
	"path/filepath"
	"testing"

	_ "github.com/mattn/go-sqlite3" // registers "sqlite3"
	_ "modernc.org/sqlite"          // registers "sqlite"
)

// benchPragmas are the store's pragmas that matter to these workloads, in
// the store's order: busy_timeout first.
var benchPragmas = []struct{ name, value string }{
	{"busy_timeout", "10000"},
	{"journal_mode", "WAL"},
	{"synchronous", "NORMAL"},
	{"foreign_keys", "ON"},
	{"cache_size", "-32000"},
}

// sqliteDriver names a database/sql SQLite driver and spells its DSN.
type sqliteDriver struct {
	name   string // the sub-benchmark's name
	driver string // the database/sql driver name
	dsn    func(path string, readOnly bool) string
}

var sqliteDrivers = []sqliteDriver{
	{"modernc", "sqlite", func(path string, readOnly bool) string {
		q := url.Values{}
		for _, p := range benchPragmas {
			q.Add("_pragma", p.name+"("+p.value+")")
		}
		if readOnly {
			q.Add("_pragma", "query_only(1)")
		} else {
			q.Set("_txlock", "immediate")
		}
		return "file:" + path + "?" + q.Encode()
	}},
	{"mattn", "sqlite3", func(path string, readOnly bool) string {
		q := url.Values{}
		for _, p := range benchPragmas {
			q.Set("_"+p.name, p.value)
		}
		if readOnly {
			q.Set("_query_only", "1")
		} else {
			q.Set("_txlock", "immediate")
		}
		return "file:" + path + "?" + q.Encode()
	}},
}

const benchSchema = `
CREATE TABLE persons (
	id          INTEGER NOT NULL PRIMARY KEY,
	name        TEXT    NOT NULL,
	doc_type    TEXT    NOT NULL,
	doc_cipher  BLOB    NOT NULL,
	doc_index   BLOB    NOT NULL,
	phone_cipher BLOB,
	residence   TEXT    NOT NULL,
	current     TEXT    NOT NULL,
	merged_into INTEGER REFERENCES persons (id),
	created_at  TEXT    NOT NULL,
	updated_at  TEXT    NOT NULL,
	version     INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX persons_doc_index ON persons (doc_index);
CREATE INDEX persons_residence ON persons (residence, id);
CREATE INDEX persons_current ON persons (current, id);
CREATE INDEX persons_name ON persons (name);
`

const benchInsert = `INSERT INTO persons (
	name,
	doc_type,
	doc_cipher,
	doc_index,
	phone_cipher,
	residence,
	current,
	created_at,
	updated_at
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`

// benchDB is one driver's database: a single writer and a read pool with
// its statements prepared once, as the store keeps them.
type benchDB struct {
	write, read  *sql.DB
	lookup, scan *sql.Stmt
}

const (
	benchLookup = `SELECT id, name, doc_cipher, phone_cipher, residence, current, merged_into, created_at
		FROM persons WHERE doc_index = ?`
	benchScan = `SELECT id, name, doc_cipher, phone_cipher, residence, current, merged_into, created_at
		FROM persons WHERE residence = ? AND merged_into IS NULL AND id < ? ORDER BY id DESC LIMIT 50`
)

func openBenchDB(b *testing.B, d sqliteDriver) benchDB {
	b.Helper()
	path := filepath.Join(b.TempDir(), d.name+".db")
	w, err := sql.Open(d.driver, d.dsn(path, false))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { w.Close() })
	w.SetMaxOpenConns(1)
	if err := w.Ping(); err != nil {
		b.Skipf("%s: %v", d.name, err) // mattn without cgo
	}
	if _, err := w.Exec(benchSchema); err != nil {
		b.Fatal(err)
	}
	var mode string
	if err := w.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		b.Fatalf("%s: journal_mode = %q, %v; the pragmas did not apply", d.name, mode, err)
	}
	r, err := sql.Open(d.driver, d.dsn(path, true))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { r.Close() })
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	db := benchDB{write: w, read: r}
	if db.lookup, err = r.Prepare(benchLookup); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.lookup.Close() })
	if db.scan, err = r.Prepare(benchScan); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.scan.Close() })
	return db
}

// Row i of a benchmark table: its blind index and a ciphertext-sized blob.
func benchIndex(i int) []byte {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(i))
	s := sha256.Sum256(b[:])
	return s[:16]
}

func benchCipher(i int) []byte {
	s := sha256.Sum256(benchIndex(i))
	return append(append([]byte{1, 7}, s[:]...), s[:16]...) // version, key id, 48 bytes
}

var benchResidences = []string{"451024", "451002", "451081", "450102", "450103", "450105", "450107", "450108", "450109", "450110"}

func benchArgs(i int) []any {
	res := benchResidences[i%len(benchResidences)]
	return []any{fmt.Sprintf("测试%d", i), "citizen_id", benchCipher(i), benchIndex(i), benchCipher(-i),
		res, res, "2022-04-01T08:00:00.000000Z", "2022-04-01T08:00:00.000000Z"}
}

// seed inserts rows [from, from+n) in one transaction.
func (db benchDB) seed(b *testing.B, from, n int) {
	b.Helper()
	tx, err := db.write.Begin()
	if err != nil {
		b.Fatal(err)
	}
	st, err := tx.Prepare(benchInsert)
	if err != nil {
		b.Fatal(err)
	}
	for i := from; i < from+n; i++ {
		if _, err := st.Exec(benchArgs(i)...); err != nil {
			b.Fatal(err)
		}
	}
	st.Close()
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

// benchSeeded is how many rows the lookup and scan benchmarks search.
const benchSeeded = 100_000

// BenchmarkDriver runs every workload on one table of benchSeeded rows per
// driver; the write workloads add rows under keys of their own, and batch1000
// deletes its rows again (off the clock) so that every batch meets a table of
// the same size.
func BenchmarkDriver(b *testing.B) {
	for _, d := range sqliteDrivers {
		b.Run(d.name, func(b *testing.B) {
			db := openBenchDB(b, d)
			db.seed(b, 0, benchSeeded)
			next := 10 * benchSeeded // the next free key for the write workloads

			b.Run("lookup", func(b *testing.B) {
				rng := rand.New(rand.NewPCG(1, 2))
				for b.Loop() {
					db.get(b, rng.IntN(benchSeeded))
				}
			})

			b.Run("lookup-parallel", func(b *testing.B) {
				b.RunParallel(func(pb *testing.PB) {
					rng := rand.New(rand.NewPCG(rand.Uint64(), 2))
					for pb.Next() {
						db.get(b, rng.IntN(benchSeeded))
					}
				})
			})

			// scan50 is one page of a person list: 50 rows of a jurisdiction
			// below a cursor, from the (residence, id) index.
			b.Run("scan50", func(b *testing.B) {
				rng := rand.New(rand.NewPCG(3, 4))
				for b.Loop() {
					res := benchResidences[rng.IntN(len(benchResidences))]
					rows, err := db.scan.Query(res, benchSeeded/2+rng.IntN(benchSeeded/2))
					if err != nil {
						b.Fatal(err)
					}
					n := 0
					for rows.Next() {
						if _, err := scanBenchRow(rows); err != nil {
							b.Fatal(err)
						}
						n++
					}
					if err := rows.Err(); err != nil || n != 50 {
						b.Fatalf("scan: %d rows, %v", n, err)
					}
					rows.Close()
				}
			})

			// insert is the person-creation path: one write transaction
			// whose insert checks for a duplicate through the unique blind
			// index (ON CONFLICT DO NOTHING) and returns the new id.
			b.Run("insert", func(b *testing.B) {
				ctx := context.Background()
				for b.Loop() {
					i := next
					next++
					tx, err := db.write.BeginTx(ctx, nil)
					if err != nil {
						b.Fatal(err)
					}
					var id int64
					if err := tx.QueryRow(benchInsert+" ON CONFLICT (doc_index) DO NOTHING RETURNING id", benchArgs(i)...).Scan(&id); err != nil {
						b.Fatal(err)
					}
					if err := tx.Commit(); err != nil {
						b.Fatal(err)
					}
				}
			})

			// batch1000 is an import: 1,000 rows in one transaction.
			b.Run("batch1000", func(b *testing.B) {
				for b.Loop() {
					db.seed(b, next, 1000)
					b.StopTimer()
					// With foreign keys on, every deleted row costs a scan for
					// rows whose merged_into points at it (no index there).
					for _, q := range []string{
						"PRAGMA foreign_keys = OFF",
						"DELETE FROM persons WHERE id > (SELECT MAX(id) FROM persons) - 1000",
						"PRAGMA foreign_keys = ON",
					} {
						if _, err := db.write.Exec(q); err != nil {
							b.Fatal(err)
						}
					}
					next += 1000
					b.StartTimer()
				}
				b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "rows/s")
			})
		})
	}
}

// get looks row i up by its blind index, as PersonByDocument does.
func (db benchDB) get(b *testing.B, i int) {
	r, err := scanBenchRow(db.lookup.QueryRow(benchIndex(i)))
	if err != nil || r.id != int64(i+1) {
		b.Errorf("lookup %d: id %d, %v", i, r.id, err)
	}
}

type benchRow struct {
	id                       int64
	mergedInto               sql.NullInt64
	name, residence, current string
	created                  string
	doc, phone               []byte
}

func scanBenchRow(sc interface{ Scan(...any) error }) (benchRow, error) {
	var r benchRow
	err := sc.Scan(&r.id, &r.name, &r.doc, &r.phone, &r.residence, &r.current, &r.mergedInto, &r.created)
	return r, err
}

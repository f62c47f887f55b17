package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"cordon"
)

// The scan-in log and blocks (SQLite). Bulk scan-ins are appended to
// scan_in_log, a packed block per batch, and mirrored in memory by venue
// and by person so that reads see them at once. When the log holds
// compactRows scan-ins, or its oldest is compactAge old, one transaction
// moves it into packed blocks: one per day and venue (scan_venue_blocks,
// what the companion search reads) and one per day and 64 consecutive
// persons (scan_person_blocks, itineraries). A move writes a few thousand
// blocks however many scan-ins it carries, where a row per scan-in in a
// venue-clustered table with a person index cost a B-tree insert each
// (10 µs a scan-in here). Readers decode the blocks of the days they need
// and merge repeats. PostgreSQL takes scan-ins into scan_ins rows
// directly. The writer connection is single, so appends and moves never
// run at once; readers see the log in memory, the scan-ins being moved
// until their move commits, and the blocks.

const (
	compactRows = 250_000
	compactAge  = 5 * time.Minute
)

// personBucket groups persons into the blocks of scan_person_blocks.
func personBucket(id int64) int64 { return id >> 6 }

type scanLog struct {
	mu     sync.RWMutex
	loaded bool
	cur    *scanGen // appended since the last compaction
	moving *scanGen // being moved into scan_ins, until that commits
}

// scanGen is a generation of logged scan-ins with their indexes.
type scanGen struct {
	rows     []cordon.ScanIn
	byVenue  map[int64][]int32
	byPerson map[int64][]int32
	first    time.Time // when the first row was appended
}

func newScanGen() *scanGen {
	return &scanGen{byVenue: map[int64][]int32{}, byPerson: map[int64][]int32{}}
}

func (g *scanGen) add(s cordon.ScanIn) {
	i := int32(len(g.rows))
	g.rows = append(g.rows, s)
	g.byVenue[s.VenueID] = append(g.byVenue[s.VenueID], i)
	g.byPerson[s.PersonID] = append(g.byPerson[s.PersonID], i)
}

// packScanIns encodes scan-ins as one block of the log: per row the venue,
// the person, the time, the stay (0: no check-out) and the source.
func packScanIns(rows []cordon.ScanIn) []byte {
	b := make([]byte, 0, 20*len(rows))
	for _, s := range rows {
		b = binary.AppendUvarint(b, uint64(s.VenueID))
		b = binary.AppendUvarint(b, uint64(s.PersonID))
		b = binary.AppendVarint(b, s.At.Unix())
		var stay uint64
		if !s.Leave.IsZero() {
			stay = uint64(s.Leave.Unix()-s.At.Unix()) + 1
		}
		b = binary.AppendUvarint(b, stay)
		b = append(b, byte(s.Source))
	}
	return b
}

func unpackScanIns(b []byte, out []cordon.ScanIn) ([]cordon.ScanIn, error) {
	bad := errors.New("store: a damaged block in the scan-in log")
	for len(b) > 0 {
		var s cordon.ScanIn
		var vals [4]uint64
		var at int64
		for i := range vals {
			if i == 2 {
				v, n := binary.Varint(b)
				if n <= 0 {
					return nil, bad
				}
				at, b = v, b[n:]
				continue
			}
			v, n := binary.Uvarint(b)
			if n <= 0 {
				return nil, bad
			}
			vals[i], b = v, b[n:]
		}
		if len(b) == 0 {
			return nil, bad
		}
		s.VenueID, s.PersonID, s.At, s.Source = int64(vals[0]), int64(vals[1]), time.Unix(at, 0).UTC(), cordon.ScanSource(b[0])
		if vals[3] > 0 {
			s.Leave = time.Unix(at+int64(vals[3])-1, 0).UTC()
		}
		b = b[1:]
		out = append(out, s)
	}
	return out, nil
}

// load reads the log into memory once per process, before anything else
// touches it. Every later write to the log goes through append.
func (l *scanLog) load(ctx context.Context, q querier) error {
	l.mu.RLock()
	done := l.loaded
	l.mu.RUnlock()
	if done {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.loaded {
		return nil
	}
	rows, err := q.QueryContext(ctx, "SELECT rows FROM scan_in_log ORDER BY seq")
	if err != nil {
		return err
	}
	defer rows.Close()
	var scans []cordon.ScanIn
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return err
		}
		if scans, err = unpackScanIns(b, scans); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	l.cur = newScanGen()
	for _, s := range scans {
		l.cur.add(s)
	}
	if len(scans) > 0 {
		l.cur.first = time.Now()
	}
	l.loaded = true
	return nil
}

// AppendScanIns stores scan-ins: on SQLite into the log (and its mirror),
// on PostgreSQL into scan_ins. A scan-in stored before (the same person at
// the same venue in the same second) stays one row, taking a check-out it
// lacked.
func (tx *Tx) AppendScanIns(ctx context.Context, in []cordon.ScanIn) error {
	l := tx.db.scanLog
	if l == nil {
		_, err := tx.InsertScanIns(ctx, in)
		return err
	}
	if len(in) == 0 {
		return nil
	}
	if err := l.load(ctx, tx.conn()); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, "INSERT INTO scan_in_log (rows) VALUES (?)", packScanIns(in)); err != nil {
		return err
	}
	// Mirror the rows; a rollback takes them back out.
	l.mu.Lock()
	g := l.cur
	n := len(g.rows)
	if n == 0 {
		g.first = time.Now()
	}
	venues := make(map[int64]int, 64)
	persons := make(map[int64]int, len(in))
	for _, s := range in {
		if _, ok := venues[s.VenueID]; !ok {
			venues[s.VenueID] = len(g.byVenue[s.VenueID])
		}
		if _, ok := persons[s.PersonID]; !ok {
			persons[s.PersonID] = len(g.byPerson[s.PersonID])
		}
		g.add(s)
	}
	l.mu.Unlock()
	tx.undo = append(tx.undo, func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		for v, k := range venues {
			g.byVenue[v] = g.byVenue[v][:k]
		}
		for p, k := range persons {
			g.byPerson[p] = g.byPerson[p][:k]
		}
		g.rows = g.rows[:n]
	})
	return nil
}

// logged returns the scan-ins in the log that match, from both
// generations.
func (l *scanLog) logged(venue, person int64, from, to time.Time) []cordon.ScanIn {
	l.mu.RLock()
	defer l.mu.RUnlock()
	var out []cordon.ScanIn
	for _, g := range []*scanGen{l.cur, l.moving} {
		if g == nil {
			continue
		}
		list := g.byVenue[venue]
		if person != 0 {
			list = g.byPerson[person]
		}
		for _, i := range list {
			if s := g.rows[i]; !s.At.Before(from) && s.At.Before(to) {
				out = append(out, s)
			}
		}
	}
	return out
}

// loggedFirst returns the logged scan-ins that match. Readers take them
// before they read the blocks: a move that commits in between then shows
// its scan-ins twice (merged) rather than not at all.
func (tx *Tx) loggedFirst(ctx context.Context, venue, person int64, from, to time.Time) ([]cordon.ScanIn, error) {
	l := tx.db.scanLog
	if l == nil {
		return nil, nil
	}
	if err := l.load(ctx, tx.conn()); err != nil {
		return nil, err
	}
	return l.logged(venue, person, from, to), nil
}

// CompactScanIns moves the scan-in log into scan_ins now and returns how
// many logged scan-ins it moved (SQLite; nothing to do on PostgreSQL). The
// rows are sorted and merged here, a repeat taking the check-out any copy
// has, and inserted in key order, so that each page of scan_ins is found
// in the cache and written once.
func (db *DB) CompactScanIns(ctx context.Context) (int, error) {
	l := db.scanLog
	if l == nil {
		return 0, nil
	}
	moved := 0
	var g *scanGen
	err := db.run(ctx, func(tx *Tx) error {
		if err := l.load(ctx, tx.conn()); err != nil {
			return err
		}
		l.mu.Lock()
		g = l.cur
		if len(g.rows) == 0 {
			l.mu.Unlock()
			return nil
		}
		l.cur, l.moving = newScanGen(), g
		l.mu.Unlock()
		tx.undo = append(tx.undo, func() {
			l.mu.Lock()
			l.cur, l.moving = g, nil
			l.mu.Unlock()
		})
		if err := tx.writeBlocks(ctx, g.rows); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, "DELETE FROM scan_in_log"); err != nil {
			return err
		}
		moved = len(g.rows)
		return nil
	})
	l.mu.Lock()
	if err == nil && g != nil && l.moving == g {
		l.moving = nil
	}
	l.mu.Unlock()
	return moved, err
}

// writeBlocks packs scan-ins into a block per day and venue and a block
// per day and person bucket, each in time order.
func (tx *Tx) writeBlocks(ctx context.Context, rows []cordon.ScanIn) error {
	if err := tx.writeBlocksOf(ctx, "scan_venue_blocks", rows); err != nil {
		return err
	}
	return tx.writeBlocksOf(ctx, "scan_person_blocks", rows)
}

// writeBlocksOf writes the blocks of one of the two block tables.
func (tx *Tx) writeBlocksOf(ctx context.Context, table string, rows []cordon.ScanIn) error {
	type key struct{ day, id int64 }
	column, of := "venue_id", func(s cordon.ScanIn) int64 { return s.VenueID }
	if table == "scan_person_blocks" {
		column, of = "bucket", func(s cordon.ScanIn) int64 { return personBucket(s.PersonID) }
	}
	blocks := map[key][]cordon.ScanIn{}
	for _, s := range rows {
		k := key{cordon.ScanDay(s.At), of(s)}
		blocks[k] = append(blocks[k], s)
	}
	keys := make([]key, 0, len(blocks))
	for k := range blocks {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b key) int {
		if c := cmp.Compare(a.day, b.day); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	for len(keys) > 0 {
		n := min(len(keys), 300)
		args := make([]any, 0, 3*n)
		for _, k := range keys[:n] {
			b := blocks[k]
			slices.SortFunc(b, func(x, y cordon.ScanIn) int { return x.At.Compare(y.At) })
			args = append(args, k.day, k.id, packScanIns(b))
		}
		st, err := tx.prepared(ctx, "INSERT INTO "+table+" (day, "+column+", rows) VALUES "+rowMarks(n, 3))
		if err != nil {
			return err
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return tx.db.mapErr(err)
		}
		keys = keys[n:]
	}
	return nil
}

// blockScanIns reads the blocks of the days of [from, to) under one key
// and returns their scan-ins in [from, to) that match.
func (tx *Tx) blockScanIns(ctx context.Context, table, column string, id int64, from, to time.Time, match func(cordon.ScanIn) bool) ([]cordon.ScanIn, error) {
	days := daysIn(from, to)
	if len(days) == 0 {
		return nil, nil
	}
	rows, err := tx.query(ctx, "SELECT rows FROM "+table+" WHERE day IN ("+placeholders(len(days))+") AND "+column+" = ? ORDER BY id",
		append(days, id)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var all, out []cordon.ScanIn
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		if all, err = unpackScanIns(b, all[:0]); err != nil {
			return nil, err
		}
		for _, s := range all {
			if !s.At.Before(from) && s.At.Before(to) && match(s) {
				out = append(out, s)
			}
		}
	}
	return out, rows.Err() // repeats are merged by the caller, with the log
}

// mergeRepeats keeps one of each scan-in (person, venue, second): the
// first check-out recorded stays (as PostgreSQL's key keeps it), a later
// copy bringing one only where none was; the lowest source. Readers merge
// the blocks with it, and the blocks with the log.
func mergeRepeats(in []cordon.ScanIn) []cordon.ScanIn {
	if len(in) < 2 {
		return in
	}
	seen := make(map[scanKey]int, len(in))
	out := in[:0]
	for _, s := range in {
		k := scanKey{s.VenueID, s.At.Unix(), s.PersonID}
		if i, ok := seen[k]; ok {
			if out[i].Leave.IsZero() {
				out[i].Leave = s.Leave
			}
			out[i].Source = min(out[i].Source, s.Source)
			continue
		}
		seen[k] = len(out)
		out = append(out, s)
	}
	return out
}

func unixOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Unix()
}

// rowMarks is "(?, ?), (?, ?)" for rows of cols parameters.
func rowMarks(rows, cols int) string {
	one := "(" + placeholders(cols) + ")"
	b := make([]byte, 0, rows*(len(one)+2))
	for i := range rows {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, one...)
	}
	return string(b)
}

// compactor moves the log into scan_ins when it is big or old enough.
func (db *DB) compactor(stop <-chan struct{}, done *sync.WaitGroup) {
	defer done.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		l := db.scanLog
		l.mu.RLock()
		due := l.loaded && len(l.cur.rows) > 0 && (len(l.cur.rows) >= compactRows || time.Since(l.cur.first) >= compactAge)
		l.mu.RUnlock()
		if due {
			if _, err := db.CompactScanIns(context.Background()); err != nil {
				slog.Error("scan-in log compaction", "err", err)
			}
		}
	}
}

// ScanBatch reports whether a bulk batch was stored before under its key,
// and how many of its scan-ins were stored then.
func (tx *Tx) ScanBatch(ctx context.Context, key string) (int, bool, error) {
	var n int
	err := tx.queryRow(ctx, "SELECT stored FROM scan_in_batches WHERE key = ?", key).Scan(&n)
	if err == sql.ErrNoRows {
		return 0, false, nil
	}
	return n, err == nil, err
}

// RecordScanBatch remembers a bulk batch's key.
func (tx *Tx) RecordScanBatch(ctx context.Context, key string, account int64, stored int) error {
	_, err := tx.exec(ctx, "INSERT INTO scan_in_batches (key, account_id, stored, at) VALUES (?, ?, ?, ?)", key, account, stored, ts(tx.Now))
	return err
}

package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"cordon"
)

// scanInsPerStatement bounds the rows of one INSERT (6 parameters each,
// under every driver's parameter limit).
const scanInsPerStatement = 500

type scanKey struct {
	venue, at, person int64
}

// InsertScanIns stores scan-ins and reports, for each, whether it was new
// (or brought a check-out the stored scan-in lacked). A scan-in already
// stored, the same person at the same venue in the same second, is a
// replay: the bulk API is idempotent without a key of its own.
func (tx *Tx) InsertScanIns(ctx context.Context, in []cordon.ScanIn) ([]bool, error) {
	stored := make([]bool, len(in))
	for start := 0; start < len(in); start += scanInsPerStatement {
		chunk := in[start:min(len(in), start+scanInsPerStatement)]
		var q strings.Builder
		q.WriteString("INSERT INTO scan_ins (day, venue_id, at, person_id, leave, source) VALUES ")
		args := make([]any, 0, 6*len(chunk))
		// A statement may not touch a row twice (PostgreSQL refuses it): a
		// scan-in repeated within the chunk goes in once, taking a check-out
		// any of its copies has, and its copies answer replayed.
		first := make(map[scanKey]int, len(chunk))
		rowOf := make(map[scanKey]int, len(chunk))
		for i, s := range chunk {
			k := scanKey{s.VenueID, s.At.Unix(), s.PersonID}
			if r, ok := rowOf[k]; ok {
				if args[6*r+4] == nil && !s.Leave.IsZero() {
					args[6*r+4] = s.Leave.Unix()
				}
				continue
			}
			rowOf[k] = len(args) / 6
			first[k] = start + i
			if len(args) > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?, ?, ?, ?)")
			var leave any
			if !s.Leave.IsZero() {
				leave = s.Leave.Unix()
			}
			args = append(args, cordon.ScanDay(s.At), s.VenueID, s.At.Unix(), s.PersonID, leave, int(s.Source))
		}
		q.WriteString(` ON CONFLICT (day, venue_id, at, person_id) DO UPDATE SET leave = excluded.leave
			WHERE scan_ins.leave IS NULL AND excluded.leave IS NOT NULL RETURNING venue_id, at, person_id`)
		st, err := tx.prepared(ctx, tx.db.dialect.rebind(q.String()))
		if err != nil {
			return nil, err
		}
		rows, err := st.QueryContext(ctx, args...)
		if err != nil {
			return nil, tx.db.mapErr(err)
		}
		for rows.Next() {
			var k scanKey
			if err := rows.Scan(&k.venue, &k.at, &k.person); err != nil {
				rows.Close()
				return nil, err
			}
			stored[first[k]] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, tx.db.mapErr(err)
		}
	}
	return stored, nil
}

// ExistingPersons returns which of ids are registered persons not merged
// away.
func (tx *Tx) ExistingPersons(ctx context.Context, ids []int64) (map[int64]bool, error) {
	out := make(map[int64]bool, len(ids))
	err := tx.eachIn(ctx, "SELECT id FROM persons WHERE merged_into IS NULL AND id IN (%s)", ids, func(rows *sql.Rows) error {
		var id int64
		err := rows.Scan(&id)
		out[id] = true
		return err
	})
	return out, err
}

// LivePersonIDs hands every registered person id not merged away to fn.
func (tx *Tx) LivePersonIDs(ctx context.Context, fn func(int64)) error {
	rows, err := tx.query(ctx, "SELECT id FROM persons WHERE merged_into IS NULL")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		fn(id)
	}
	return rows.Err()
}

// eachIn runs a query whose %s takes a list of ids, 500 at a time, and
// hands each row to scan.
func (tx *Tx) eachIn(ctx context.Context, q string, ids []int64, scan func(*sql.Rows) error) error {
	for len(ids) > 0 {
		n := min(len(ids), 500)
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		rows, err := tx.query(ctx, strings.Replace(q, "%s", placeholders(n), 1), args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			if err := scan(rows); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// daysIn lists the scan-in day numbers that [from, to) touches.
func daysIn(from, to time.Time) []any {
	var days []any
	for d := cordon.ScanDay(from); d <= cordon.ScanDay(to.Add(-time.Second)); d++ {
		days = append(days, d)
	}
	return days
}

func scanScanIns(rows *sql.Rows) ([]cordon.ScanIn, error) {
	defer rows.Close()
	var out []cordon.ScanIn
	for rows.Next() {
		var s cordon.ScanIn
		var at int64
		var leave sql.NullInt64
		if err := rows.Scan(&s.VenueID, &at, &s.PersonID, &leave, &s.Source); err != nil {
			return nil, err
		}
		s.At = time.Unix(at, 0).UTC()
		if leave.Valid {
			s.Leave = time.Unix(leave.Int64, 0).UTC()
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// ScanInsOf returns a person's scan-ins made in [from, to), in time order.
func (tx *Tx) ScanInsOf(ctx context.Context, personID int64, from, to time.Time) ([]cordon.ScanIn, error) {
	logged, err := tx.loggedFirst(ctx, 0, personID, from, to)
	if err != nil {
		return nil, err
	}
	var out []cordon.ScanIn
	if tx.db.scanLog != nil {
		out, err = tx.blockScanIns(ctx, "scan_person_blocks", "bucket", personBucket(personID), from, to,
			func(s cordon.ScanIn) bool { return s.PersonID == personID })
	} else {
		out, err = tx.rowScanIns(ctx, "person_id", personID, from, to)
	}
	if err != nil {
		return nil, err
	}
	out = mergeRepeats(append(out, logged...))
	slices.SortFunc(out, func(a, b cordon.ScanIn) int { return a.At.Compare(b.At) })
	return out, nil
}

// ScanInsAt returns the scan-ins at a venue made in [from, to).
func (tx *Tx) ScanInsAt(ctx context.Context, venueID int64, from, to time.Time) ([]cordon.ScanIn, error) {
	logged, err := tx.loggedFirst(ctx, venueID, 0, from, to)
	if err != nil {
		return nil, err
	}
	var out []cordon.ScanIn
	if tx.db.scanLog != nil {
		out, err = tx.blockScanIns(ctx, "scan_venue_blocks", "venue_id", venueID, from, to, func(cordon.ScanIn) bool { return true })
	} else {
		out, err = tx.rowScanIns(ctx, "venue_id", venueID, from, to)
	}
	if err != nil {
		return nil, err
	}
	return mergeRepeats(append(out, logged...)), nil
}

// rowScanIns reads scan_ins rows (PostgreSQL) by venue or person.
func (tx *Tx) rowScanIns(ctx context.Context, column string, id int64, from, to time.Time) ([]cordon.ScanIn, error) {
	days := daysIn(from, to)
	if len(days) == 0 {
		return nil, nil
	}
	rows, err := tx.query(ctx, `SELECT venue_id, at, person_id, leave, source FROM scan_ins
		WHERE day IN (`+placeholders(len(days))+`) AND `+column+` = ? AND at >= ? AND at < ?`,
		append(days, id, from.Unix(), to.Unix())...)
	if err != nil {
		return nil, err
	}
	return scanScanIns(rows)
}

// RecordScanIn stores one scan-in (a person's own scan) and reports
// whether the same scan-in was stored before.
func (tx *Tx) RecordScanIn(ctx context.Context, s cordon.ScanIn) (again bool, err error) {
	if tx.db.scanLog == nil {
		stored, err := tx.InsertScanIns(ctx, []cordon.ScanIn{s})
		return err == nil && !stored[0], err
	}
	before, err := tx.ScanInsAt(ctx, s.VenueID, s.At, s.At.Add(time.Second))
	if err != nil {
		return false, err
	}
	for _, b := range before {
		if b.PersonID == s.PersonID {
			return true, nil
		}
	}
	return false, tx.AppendScanIns(ctx, []cordon.ScanIn{s})
}

// HoldScanIns keeps scan-ins past the retention period because an
// exposure rests on them.
func (tx *Tx) HoldScanIns(ctx context.Context, reason string, scans ...cordon.ScanIn) error {
	for _, s := range scans {
		if _, err := tx.exec(ctx, "INSERT INTO scan_in_holds (person_id, venue_id, at, reason) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
			s.PersonID, s.VenueID, s.At.Unix(), reason); err != nil {
			return err
		}
	}
	return nil
}

// OldestScanDay is the day of the oldest stored scan-in, or false when
// there is none.
func (tx *Tx) OldestScanDay(ctx context.Context) (int64, bool, error) {
	table := "scan_ins"
	if tx.db.scanLog != nil {
		table = "scan_venue_blocks"
	}
	var d sql.NullInt64
	err := tx.queryRow(ctx, "SELECT MIN(day) FROM "+table).Scan(&d)
	return d.Int64, d.Valid, err
}

// ScanDayVenues lists the venues that have scan-ins on a day, with their
// jurisdictions.
func (tx *Tx) ScanDayVenues(ctx context.Context, day int64) (map[int64]string, error) {
	table := "scan_ins"
	if tx.db.scanLog != nil {
		table = "scan_venue_blocks"
	}
	rows, err := tx.query(ctx, `SELECT v.id, v.jurisdiction FROM venues v
		WHERE v.id IN (SELECT DISTINCT venue_id FROM `+table+` WHERE day = ?)`, day)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var j string
		if err := rows.Scan(&id, &j); err != nil {
			return nil, err
		}
		out[id] = j
	}
	return out, rows.Err()
}

// PurgeScanIns deletes the scan-ins of a day at the venues, except those
// held for an exposure, and returns how many went.
func (tx *Tx) PurgeScanIns(ctx context.Context, day int64, venues []int64) (int64, error) {
	if tx.db.scanLog != nil {
		return tx.purgeBlocks(ctx, day, venues)
	}
	args := make([]any, 0, len(venues)+1)
	args = append(args, day)
	for _, v := range venues {
		args = append(args, v)
	}
	if len(venues) > 30000 {
		return 0, fmt.Errorf("store: purge of %d venues at once", len(venues))
	}
	res, err := tx.exec(ctx, `DELETE FROM scan_ins WHERE day = ? AND venue_id IN (`+placeholders(len(venues))+`)
		AND NOT EXISTS (SELECT 1 FROM scan_in_holds h WHERE h.person_id = scan_ins.person_id AND h.venue_id = scan_ins.venue_id AND h.at = scan_ins.at)`, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// purgeBlocks is PurgeScanIns over the blocks of SQLite: the day's blocks
// of the venues go, and the held scan-ins among them come back as new
// blocks; the day's person blocks are rewritten without what went.
func (tx *Tx) purgeBlocks(ctx context.Context, day int64, venues []int64) (int64, error) {
	due := make(map[int64]bool, len(venues))
	args := []any{day}
	for _, v := range venues {
		due[v] = true
		args = append(args, v)
	}
	held := map[scanKey]bool{}
	rows, err := tx.query(ctx, `SELECT person_id, venue_id, at FROM scan_in_holds WHERE at >= ? AND at < ?`, day*86400-8*3600, (day+1)*86400-8*3600)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var k scanKey
		if err := rows.Scan(&k.person, &k.venue, &k.at); err != nil {
			rows.Close()
			return 0, err
		}
		held[k] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	keep := func(s cordon.ScanIn) bool {
		return !due[s.VenueID] || held[scanKey{s.VenueID, s.At.Unix(), s.PersonID}]
	}
	var gone int64
	for _, t := range []struct{ table, column string }{{"scan_venue_blocks", "venue_id"}, {"scan_person_blocks", "bucket"}} {
		q := "SELECT id, rows FROM " + t.table + " WHERE day = ?"
		qargs := []any{day}
		if t.table == "scan_venue_blocks" {
			q += " AND venue_id IN (" + placeholders(len(venues)) + ")"
			qargs = args
		}
		rows, err := tx.query(ctx, q, qargs...)
		if err != nil {
			return 0, err
		}
		var ids []int64
		var kept []cordon.ScanIn
		for rows.Next() {
			var id int64
			var b []byte
			if err := rows.Scan(&id, &b); err != nil {
				rows.Close()
				return 0, err
			}
			all, err := unpackScanIns(b, nil)
			if err != nil {
				rows.Close()
				return 0, err
			}
			k := 0
			for _, s := range all {
				if keep(s) {
					kept = append(kept, s)
					k++
				}
			}
			if k < len(all) {
				ids = append(ids, id)
				if t.table == "scan_venue_blocks" {
					gone += int64(len(all) - k)
				}
			} else {
				kept = kept[:len(kept)-k]
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, err
		}
		for len(ids) > 0 {
			n := min(len(ids), 500)
			del := make([]any, n)
			for i, id := range ids[:n] {
				del[i] = id
			}
			if _, err := tx.exec(ctx, "DELETE FROM "+t.table+" WHERE id IN ("+placeholders(n)+")", del...); err != nil {
				return 0, err
			}
			ids = ids[n:]
		}
		if len(kept) > 0 {
			if err := tx.writeBlocksOf(ctx, t.table, kept); err != nil {
				return 0, err
			}
		}
	}
	return gone, nil
}

// PersonBrief is the name and identity number of a person, for lists.
type PersonBrief struct {
	Name     string
	IDNumber string
}

// PersonBriefs reads the names and identity numbers of persons.
func (tx *Tx) PersonBriefs(ctx context.Context, ids []int64) (map[int64]PersonBrief, error) {
	out := make(map[int64]PersonBrief, len(ids))
	err := tx.eachIn(ctx, "SELECT id, name, doc_cipher FROM persons WHERE id IN (%s)", ids, func(rows *sql.Rows) error {
		var id int64
		var b PersonBrief
		var doc []byte
		if err := rows.Scan(&id, &b.Name, &doc); err != nil {
			return err
		}
		var err error
		b.IDNumber, err = tx.db.vault.Open(fieldDoc, doc)
		out[id] = b
		return err
	})
	return out, err
}

package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"strings"
	"sync"

	"cordon"
)

// peopleSets remembers, for each round, who has been sampled in it, by the
// first eight bytes of their document's blind index. On SQLite it replaces
// an index on (round, document): such an index takes its keys in random
// order, so at a city's scale nearly every sample dirties a page of its own
// and the commit writes it, which caps registration well below a round's
// peak. A set in memory costs about 16 bytes a person and is rebuilt from
// the samples on first use after a start. PostgreSQL, where several
// servers may share the database, keeps the index instead.
//
// Only the single SQLite writer adds to a set, inside its transaction, and
// takes the additions back if the transaction rolls back; a collision of
// eight-byte keys (about one in 10^12 pairs) would at worst flag a sample
// as a repeat.
type peopleSets struct {
	mu     sync.Mutex
	rounds map[int64]map[uint64]struct{}
}

func docKey(index []byte) uint64 { return binary.BigEndian.Uint64(index[:8]) }

// round returns the set of a round, loading it on first use. The caller
// holds ps.mu.
func (ps *peopleSets) round(ctx context.Context, tx *Tx, round int64) (map[uint64]struct{}, error) {
	if set, ok := ps.rounds[round]; ok {
		return set, nil
	}
	set := map[uint64]struct{}{}
	rows, err := tx.query(ctx, `SELECT s.doc_index FROM tubes t JOIN samples s ON s.tube_id = t.id WHERE t.round_id = ?`, round)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var idx []byte
		if err := rows.Scan(&idx); err != nil {
			return nil, err
		}
		set[docKey(idx)] = struct{}{}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if ps.rounds == nil {
		ps.rounds = map[int64]map[uint64]struct{}{}
	}
	ps.rounds[round] = set
	return set, nil
}

// forget drops a round's set (a closed round takes no more samples; it is
// rebuilt on demand should it be needed).
func (ps *peopleSets) forget(round int64) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	delete(ps.rounds, round)
}

// sampledBefore finds which of the batch's people were sampled earlier in
// the same round, keyed by document index and round.
func (tx *Tx) sampledBefore(ctx context.Context, regs []Registration) (map[roundDoc]bool, error) {
	out := map[roundDoc]bool{}
	if ps := tx.db.people; ps != nil {
		ps.mu.Lock()
		defer ps.mu.Unlock()
		for i := range regs {
			idx := regs[i].who.index
			if idx == nil {
				continue
			}
			set, err := ps.round(ctx, tx, regs[i].RoundID)
			if err != nil {
				return nil, err
			}
			if _, ok := set[docKey(idx)]; ok {
				out[roundDoc{regs[i].RoundID, string(idx)}] = true
			}
		}
		return out, nil
	}
	byRound := map[int64][]any{}
	for i := range regs {
		if idx := regs[i].who.index; idx != nil {
			byRound[regs[i].RoundID] = append(byRound[regs[i].RoundID], idx)
		}
	}
	for round, idx := range byRound {
		err := tx.queryIn(ctx, "SELECT doc_index FROM samples WHERE round_id = ? AND doc_index IN (%s)", []any{round}, idx,
			func(rows *sql.Rows) error {
				var b []byte
				if err := rows.Scan(&b); err != nil {
					return err
				}
				out[roundDoc{round, string(b)}] = true
				return nil
			})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// rememberSampled adds the stored samples' people to their rounds' sets,
// to be taken back if the transaction rolls back.
func (tx *Tx) rememberSampled(rows []newSample) {
	ps := tx.db.people
	if ps == nil || len(rows) == 0 {
		return
	}
	type added struct {
		round int64
		key   uint64
	}
	var adds []added
	ps.mu.Lock()
	for _, s := range rows {
		set := ps.rounds[s.reg.RoundID] // loaded by sampledBefore
		k := docKey(s.person.index)
		if _, ok := set[k]; !ok && set != nil {
			set[k] = struct{}{}
			adds = append(adds, added{s.reg.RoundID, k})
		}
	}
	ps.mu.Unlock()
	tx.undo = append(tx.undo, func() {
		ps.mu.Lock()
		defer ps.mu.Unlock()
		for _, a := range adds {
			delete(ps.rounds[a.round], a.key)
		}
	})
}

// Unsampled lists the registered people whose current area lies in the
// scope and who have no sample in the round yet, by id.
func (tx *Tx) Unsampled(ctx context.Context, scope Scope, roundID, after int64, limit int) ([]cordon.Person, error) {
	limit = clampLimit(limit)
	w, args := scope.where("current")
	if tx.db.people == nil {
		args = append([]any{roundID}, args...)
		args = append(args, after, limit)
		return tx.persons(ctx, "SELECT "+personColumns+` FROM persons WHERE NOT EXISTS (
			SELECT 1 FROM samples s WHERE s.round_id = ? AND s.doc_index = persons.doc_index)
			AND merged_into IS NULL AND `+w+" AND id > ? ORDER BY id LIMIT ?", args...)
	}
	// Walk the area's people in id order and keep those not in the set.
	// The set is loaded first, and rows are read and closed before it is
	// consulted: holding the lock with a read connection open while others
	// wait for it (and the loader for a connection) would deadlock.
	ps := tx.db.people
	ps.mu.Lock()
	_, err := ps.round(ctx, tx, roundID)
	ps.mu.Unlock()
	if err != nil {
		return nil, err
	}
	type candidate struct {
		id  int64
		key uint64
	}
	var ids []string
	var idArgs []any
	for len(ids) < limit {
		rows, err := tx.query(ctx, "SELECT id, doc_index FROM persons WHERE merged_into IS NULL AND "+w+" AND id > ? ORDER BY id LIMIT 500",
			append(append([]any{}, args...), after)...)
		if err != nil {
			return nil, err
		}
		var page []candidate
		for rows.Next() {
			var c candidate
			var idx []byte
			if err := rows.Scan(&c.id, &idx); err != nil {
				rows.Close()
				return nil, err
			}
			c.key = docKey(idx)
			page = append(page, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		ps.mu.Lock()
		set := ps.rounds[roundID]
		for _, c := range page {
			if _, ok := set[c.key]; !ok && len(ids) < limit {
				ids, idArgs = append(ids, "?"), append(idArgs, c.id)
			}
		}
		ps.mu.Unlock()
		if len(page) < 500 {
			break
		}
		after = page[len(page)-1].id
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return tx.persons(ctx, "SELECT "+personColumns+" FROM persons WHERE id IN ("+strings.Join(ids, ", ")+") ORDER BY id", idArgs...)
}

// persons runs a query of personColumns.
func (tx *Tx) persons(ctx context.Context, q string, args ...any) ([]cordon.Person, error) {
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cordon.Person
	for rows.Next() {
		p, err := tx.scanPerson(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"cordon"
)

const roundColumns = `id, name, jurisdiction, areas, starts_at, deadline, expected, modes, closed, created_at`

func scanRound(sc interface{ Scan(...any) error }) (cordon.Round, error) {
	var r cordon.Round
	var areas, modes string
	err := sc.Scan(&r.ID, &r.Name, &r.Jurisdiction, &areas, timeCol{&r.StartsAt}, timeCol{&r.Deadline},
		&r.Expected, &modes, &r.Closed, timeCol{&r.CreatedAt})
	if err != nil {
		return r, err
	}
	r.Areas = strings.Fields(areas)
	if err := json.Unmarshal([]byte(modes), &r.Modes); err != nil {
		return r, err
	}
	return r, nil
}

// CreateRound stores a validated round and counts the registered population
// of each area it covers, which progress reports as expected.
func (tx *Tx) CreateRound(ctx context.Context, r *cordon.Round, createdBy int64) error {
	modes, err := json.Marshal(r.Modes)
	if err != nil {
		return err
	}
	r.CreatedAt = tx.Now
	r.ID, err = tx.insert(ctx, `INSERT INTO test_rounds (
		name,
		jurisdiction,
		areas,
		starts_at,
		deadline,
		expected,
		modes,
		closed,
		created_by,
		created_at,
		updated_at
	) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Name, r.Jurisdiction, strings.Join(r.Areas, " "), ts(r.StartsAt), ts(r.Deadline), r.Expected,
		string(modes), false, nullID(createdBy), ts(tx.Now), ts(tx.Now))
	if err != nil {
		return err
	}
	areas := r.Areas
	if len(areas) == 0 {
		areas = []string{r.Jurisdiction}
	}
	for _, a := range areas {
		w, args := Inside(a).where("current")
		_, err := tx.exec(ctx, `INSERT INTO round_expected (round_id, area, expected)
			SELECT ?, current, COUNT(*) FROM persons
			WHERE merged_into IS NULL AND `+w+` GROUP BY current`, append([]any{r.ID}, args...)...)
		if err != nil {
			return err
		}
	}
	return nil
}

// Round reads a round by id, wherever it is; the caller checks that the
// actor may see it.
func (tx *Tx) Round(ctx context.Context, id int64) (cordon.Round, error) {
	r, err := scanRound(tx.queryRow(ctx, "SELECT "+roundColumns+" FROM test_rounds WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, notFound("round")
	}
	return r, tx.db.mapErr(err)
}

// RoundFilter selects rounds.
type RoundFilter struct {
	// Overlapping keeps rounds run inside this node's subtree or by one of
	// its ancestors (a township sees its county's round).
	Overlapping string
	OpenOnly    bool
	After       int64 // cursor: rounds with a smaller id
	Limit       int
}

// Rounds lists rounds newest first.
func (tx *Tx) Rounds(ctx context.Context, f RoundFilter) ([]cordon.Round, error) {
	where := []string{"1=1"}
	var args []any
	if f.Overlapping != "" {
		w, a := Inside(f.Overlapping).where("jurisdiction")
		var anc []string
		for c := cordon.ParentCode(f.Overlapping); c != ""; c = cordon.ParentCode(c) {
			anc = append(anc, "?")
			a = append(a, c)
		}
		if len(anc) > 0 {
			w = "(" + w + " OR jurisdiction IN (" + strings.Join(anc, ",") + "))"
		}
		where = append(where, w)
		args = append(args, a...)
	}
	if f.OpenOnly {
		where = append(where, "closed = ?")
		args = append(args, false)
	}
	if f.After > 0 {
		where = append(where, "id < ?")
		args = append(args, f.After)
	}
	args = append(args, clampLimit(f.Limit))
	rows, err := tx.query(ctx, "SELECT "+roundColumns+" FROM test_rounds WHERE "+strings.Join(where, " AND ")+" ORDER BY id DESC LIMIT ?", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cordon.Round
	for rows.Next() {
		r, err := scanRound(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CloseRound ends a round: no more samples are registered in it.
func (tx *Tx) CloseRound(ctx context.Context, id int64) error {
	_, err := tx.exec(ctx, "UPDATE test_rounds SET closed = ?, updated_at = ? WHERE id = ?", true, ts(tx.Now), id)
	if err == nil && tx.db.people != nil {
		tx.db.people.forget(id)
	}
	return err
}

// AreaTally is a round's tally in one area, as stored.
type AreaTally struct {
	Area string
	cordon.Tally
}

// RoundTallies reads a round's tallies and expected counts, one row per
// area that has either.
func (tx *Tx) RoundTallies(ctx context.Context, roundID int64) ([]AreaTally, error) {
	byArea := map[string]*AreaTally{}
	var order []string
	get := func(a string) *AreaTally {
		t, ok := byArea[a]
		if !ok {
			t = &AreaTally{Area: a}
			byArea[a] = t
			order = append(order, a)
		}
		return t
	}
	rows, err := tx.query(ctx, `SELECT area, sampled, duplicates, tubes, tubes_sent, tubes_received,
		tubes_resulted, positive_tubes, positives FROM round_tallies WHERE round_id = ?`, roundID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var a string
		var t cordon.Tally
		if err := rows.Scan(&a, &t.Sampled, &t.Duplicates, &t.Tubes, &t.TubesSent, &t.TubesReceived,
			&t.TubesResulted, &t.PositiveTubes, &t.Positives); err != nil {
			rows.Close()
			return nil, err
		}
		get(a).Add(t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = tx.query(ctx, "SELECT area, expected FROM round_expected WHERE round_id = ?", roundID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var a string
		var n int
		if err := rows.Scan(&a, &n); err != nil {
			return nil, err
		}
		get(a).Expected += n
	}
	out := make([]AreaTally, 0, len(order))
	for _, a := range order {
		out = append(out, *byArea[a])
	}
	return out, rows.Err()
}

// tallies accumulates changes to round_tallies within a transaction and
// writes them in one statement per area.
type tallies map[roundArea]*cordon.Tally

type roundArea struct {
	round int64
	area  string
}

func (t tallies) at(roundID int64, area string) *cordon.Tally {
	k := roundArea{roundID, area}
	x, ok := t[k]
	if !ok {
		x = &cordon.Tally{}
		t[k] = x
	}
	return x
}

func (tx *Tx) flushTallies(ctx context.Context, t tallies) error {
	for k, d := range t {
		_, err := tx.exec(ctx, `INSERT INTO round_tallies (round_id, area, sampled, duplicates, tubes, tubes_sent,
			tubes_received, tubes_resulted, positive_tubes, positives) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (round_id, area) DO UPDATE SET
				sampled = round_tallies.sampled + excluded.sampled,
				duplicates = round_tallies.duplicates + excluded.duplicates,
				tubes = round_tallies.tubes + excluded.tubes,
				tubes_sent = round_tallies.tubes_sent + excluded.tubes_sent,
				tubes_received = round_tallies.tubes_received + excluded.tubes_received,
				tubes_resulted = round_tallies.tubes_resulted + excluded.tubes_resulted,
				positive_tubes = round_tallies.positive_tubes + excluded.positive_tubes,
				positives = round_tallies.positives + excluded.positives`,
			k.round, k.area, d.Sampled, d.Duplicates, d.Tubes, d.TubesSent, d.TubesReceived, d.TubesResulted, d.PositiveTubes, d.Positives)
		if err != nil {
			return err
		}
	}
	return nil
}

// RoundPositives returns, for the rounds overlapping an area, when each
// started and how many positives it found inside the area, for cadence
// advice.
func (tx *Tx) RoundPositives(ctx context.Context, area string, limit int) ([]cordon.RoundOutcome, error) {
	rounds, err := tx.Rounds(ctx, RoundFilter{Overlapping: area, Limit: limit})
	if err != nil {
		return nil, err
	}
	w, args := Inside(area).where("area")
	out := make([]cordon.RoundOutcome, 0, len(rounds))
	for _, r := range rounds {
		var n sql.NullInt64
		if err := tx.queryRow(ctx, "SELECT SUM(positives) FROM round_tallies WHERE round_id = ? AND "+w,
			append([]any{r.ID}, args...)...).Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, cordon.RoundOutcome{StartsAt: r.StartsAt, Positives: int(n.Int64)})
	}
	return out, nil
}

// LastPositive is when the latest positive single tube inside the scope was
// detected, zero when none.
func (tx *Tx) LastPositive(ctx context.Context, scope Scope) (time.Time, error) {
	w, args := scope.where("area")
	var t time.Time
	err := tx.queryRow(ctx, "SELECT MAX(detected_at) FROM positives WHERE "+w, args...).Scan(timeCol{&t})
	return t, err
}

// Sampled counts the people sampled and positive inside the scope over the
// rounds that started since a time, for the observed prevalence.
func (tx *Tx) Sampled(ctx context.Context, scope Scope, since time.Time) (sampled, positives int, err error) {
	w, args := scope.where("t.area")
	var s, p sql.NullInt64
	err = tx.queryRow(ctx, `SELECT SUM(t.sampled), SUM(t.positives) FROM round_tallies t
		JOIN test_rounds r ON r.id = t.round_id WHERE r.starts_at >= ? AND `+w,
		append([]any{ts(since)}, args...)...).Scan(&s, &p)
	return int(s.Int64), int(p.Int64), err
}

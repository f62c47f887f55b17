package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"cordon"
)

// Arrivals and their obligations. An obligation to test colours the code
// (a mandatory one, once overdue), so its writes touch the person.

const tripColumns = `a.id, a.person_id, a.destination, a.address, a.arrived_at, a.origin, a.travel, a.transport, a.sources,
	a.reported_at, a.population, a.tier, a.areas, a.match_note, a.edition, a.created_at, a.updated_at, a.version`

func scanTrip(sc interface{ Scan(...any) error }) (cordon.Trip, error) {
	var t cordon.Trip
	var travel, sources, areas string
	err := sc.Scan(&t.ID, &t.PersonID, &t.Destination, &t.Address, timeCol{&t.ArrivedAt}, &t.Origin, &travel, &t.Transport, &sources,
		timeCol{&t.ReportedAt}, &t.Population, &t.Tier, &areas, &t.MatchNote, &t.Edition, timeCol{&t.CreatedAt}, timeCol{&t.UpdatedAt}, &t.Version)
	if err != nil {
		return t, err
	}
	if err := json.Unmarshal([]byte(travel), &t.Travel); err != nil {
		return t, err
	}
	if err := json.Unmarshal([]byte(sources), &t.Sources); err != nil {
		return t, err
	}
	t.Areas = parseIDs(areas)
	return t, nil
}

func parseIDs(s string) []int64 {
	var out []int64
	for _, f := range strings.Split(s, ",") {
		if id, err := strconv.ParseInt(f, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

// CreateTrip stores an arrival and sets its id.
func (tx *Tx) CreateTrip(ctx context.Context, t *cordon.Trip) error {
	travel, _ := json.Marshal(t.Travel)
	sources, _ := json.Marshal(t.Sources)
	id, err := tx.insert(ctx, `INSERT INTO arrivals (person_id, destination, address, arrived_at, origin, travel, transport, sources,
		reported_at, population, tier, areas, match_note, edition, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.PersonID, t.Destination, t.Address, ts(t.ArrivedAt), t.Origin, string(travel), t.Transport, string(sources),
		ts(t.ReportedAt), t.Population, t.Tier, joinIDs(t.Areas), t.MatchNote, t.Edition, ts(tx.Now), ts(tx.Now))
	if err != nil {
		return err
	}
	t.ID, t.Version, t.CreatedAt, t.UpdatedAt = id, 1, tx.Now, tx.Now
	return nil
}

// UpdateTrip stores an arrival's merged reports and its match.
func (tx *Tx) UpdateTrip(ctx context.Context, t *cordon.Trip) error {
	travel, _ := json.Marshal(t.Travel)
	sources, _ := json.Marshal(t.Sources)
	res, err := tx.exec(ctx, `UPDATE arrivals SET destination = ?, address = ?, arrived_at = ?, origin = ?, travel = ?, transport = ?,
		sources = ?, reported_at = ?, population = ?, tier = ?, areas = ?, match_note = ?, edition = ?, updated_at = ?, version = version + 1
		WHERE id = ? AND version = ?`,
		t.Destination, t.Address, ts(t.ArrivedAt), t.Origin, string(travel), t.Transport, string(sources), ts(t.ReportedAt),
		t.Population, t.Tier, joinIDs(t.Areas), t.MatchNote, t.Edition, ts(tx.Now), t.ID, t.Version)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return cordon.Errorf(cordon.KindConflict, "arrival.version_conflict", "the arrival changed meanwhile")
	}
	t.Version++
	t.UpdatedAt = tx.Now
	return nil
}

// TripNear reads the person's arrival into the county closest to at
// within the trip window, if any.
func (tx *Tx) TripNear(ctx context.Context, personID int64, at time.Time, county string) (cordon.Trip, error) {
	rows, err := tx.query(ctx, "SELECT "+tripColumns+" FROM arrivals a WHERE a.person_id = ? AND a.arrived_at >= ? AND a.arrived_at <= ?",
		personID, ts(at.Add(-cordon.TripWindow)), ts(at.Add(cordon.TripWindow)))
	if err != nil {
		return cordon.Trip{}, err
	}
	defer rows.Close()
	var best cordon.Trip
	for rows.Next() {
		t, err := scanTrip(rows)
		if err != nil {
			return best, err
		}
		if t.County() != county {
			continue
		}
		if best.ID == 0 || absDur(t.ArrivedAt.Sub(at)) < absDur(best.ArrivedAt.Sub(at)) {
			best = t
		}
	}
	if err := rows.Err(); err != nil {
		return best, err
	}
	if best.ID == 0 {
		return best, notFound("arrival")
	}
	return best, nil
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// Trip reads an arrival whose destination lies in the scope.
func (tx *Tx) Trip(ctx context.Context, scope Scope, id int64) (cordon.Trip, error) {
	w, args := scope.where("a.destination")
	t, err := scanTrip(tx.queryRow(ctx, "SELECT "+tripColumns+" FROM arrivals a WHERE a.id = ? AND "+w, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return t, notFound("arrival")
	}
	return t, err
}

// Trips lists the arrivals into the scope, newest arrival first.
func (tx *Tx) Trips(ctx context.Context, scope Scope, f cordon.ArrivalFilter) ([]cordon.Trip, error) {
	w, args := scope.where("a.destination")
	var b strings.Builder
	b.WriteString("SELECT " + tripColumns + " FROM arrivals a WHERE " + w)
	if f.Population != "" {
		b.WriteString(" AND a.population = ?")
		args = append(args, f.Population)
	}
	if f.PersonID != 0 {
		b.WriteString(" AND a.person_id = ?")
		args = append(args, f.PersonID)
	}
	if !f.Since.IsZero() {
		b.WriteString(" AND a.arrived_at >= ?")
		args = append(args, ts(f.Since))
	}
	if f.After > 0 {
		b.WriteString(" AND a.id < ?")
		args = append(args, f.After)
	}
	b.WriteString(" ORDER BY a.id DESC LIMIT ?")
	args = append(args, clampLimit(f.Limit))
	rows, err := tx.query(ctx, b.String(), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []cordon.Trip{}
	for rows.Next() {
		t, err := scanTrip(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// EachTrip calls fn for every arrival at or after since, in id order, with
// what matching needs (no sources, address or transport): the rematch of
// arrivals against new risk areas.
func (tx *Tx) EachTrip(ctx context.Context, since time.Time, fn func(cordon.Trip) error) error {
	rows, err := tx.query(ctx, `SELECT id, person_id, destination, arrived_at, travel, population, tier, areas, version
		FROM arrivals WHERE arrived_at >= ? ORDER BY id`, ts(since))
	if err != nil {
		return err
	}
	defer rows.Close()
	var travel, areas string
	for rows.Next() {
		var t cordon.Trip
		if err := rows.Scan(&t.ID, &t.PersonID, &t.Destination, timeCol{&t.ArrivedAt}, &travel, &t.Population, &t.Tier, &areas, &t.Version); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(travel), &t.Travel); err != nil {
			return err
		}
		t.Areas = parseIDs(areas)
		if err := fn(t); err != nil {
			return err
		}
	}
	return rows.Err()
}

// RematchTrip stores an arrival's new match if its version is still the
// one matched.
func (tx *Tx) RematchTrip(ctx context.Context, t *cordon.Trip) error {
	res, err := tx.exec(ctx, `UPDATE arrivals SET population = ?, tier = ?, areas = ?, match_note = ?, edition = ?, updated_at = ?, version = version + 1
		WHERE id = ? AND version = ?`, t.Population, t.Tier, joinIDs(t.Areas), t.MatchNote, t.Edition, ts(tx.Now), t.ID, t.Version)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return cordon.Errorf(cordon.KindConflict, "arrival.version_conflict", "the arrival changed meanwhile")
	}
	t.Version++
	return nil
}

// CaseDays lists when each case was detected, by the case's place, for
// cases detected at or after since.
func (tx *Tx) CaseDays(ctx context.Context, since time.Time) (map[string][]time.Time, error) {
	rows, err := tx.query(ctx, `SELECT jurisdiction, detected_at FROM cases WHERE detected_at >= ? AND classification <> 'suspected'`, ts(since))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]time.Time{}
	for rows.Next() {
		var place string
		var at time.Time
		if err := rows.Scan(&place, timeCol{&at}); err != nil {
			return nil, err
		}
		out[place] = append(out[place], at)
	}
	return out, rows.Err()
}

// MovePerson records that a person is now in a place.
func (tx *Tx) MovePerson(ctx context.Context, id int64, current string) error {
	_, err := tx.exec(ctx, "UPDATE persons SET current = ?, updated_at = ?, version = version + 1 WHERE id = ? AND current <> ?",
		current, ts(tx.Now), id, current)
	tx.TouchPerson(id)
	return err
}

const obligationColumns = `o.id, o.arrival_id, o.person_id, o.kind, o.population, o.measure, o.tests, o.taken, o.due_at, o.mandatory,
	o.order_id, o.status, o.met_at, o.met_by, o.jurisdiction, o.edition, o.created_at`

func scanObligation(sc interface{ Scan(...any) error }, extra ...any) (cordon.Obligation, error) {
	var o cordon.Obligation
	var order sql.NullInt64
	err := sc.Scan(append([]any{&o.ID, &o.ArrivalID, &o.PersonID, &o.Kind, &o.Population, &o.Measure, &o.Tests, &o.Taken, timeCol{&o.DueAt},
		&o.Mandatory, &order, &o.Status, timeCol{&o.MetAt}, &o.MetBy, &o.Jurisdiction, &o.Edition, timeCol{&o.CreatedAt}}, extra...)...)
	o.OrderID = order.Int64
	return o, err
}

// CreateObligation stores an obligation and sets its id.
func (tx *Tx) CreateObligation(ctx context.Context, o *cordon.Obligation) error {
	if o.Status == "" {
		o.Status = cordon.ObligationOpen
	}
	id, err := tx.insert(ctx, `INSERT INTO arrival_obligations (arrival_id, person_id, kind, population, measure, tests, taken, due_at,
		mandatory, order_id, status, met_at, met_by, jurisdiction, edition, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.ArrivalID, o.PersonID, o.Kind, o.Population, o.Measure, o.Tests, o.Taken, ts(o.DueAt), o.Mandatory, nullID(o.OrderID),
		o.Status, ts(o.MetAt), o.MetBy, o.Jurisdiction, o.Edition, ts(tx.Now))
	if err != nil {
		return err
	}
	o.ID, o.CreatedAt = id, tx.Now
	tx.TouchPerson(o.PersonID)
	return nil
}

// ObligationsOf lists the obligations of arrivals, by arrival.
func (tx *Tx) ObligationsOf(ctx context.Context, arrivalIDs ...int64) (map[int64][]cordon.Obligation, error) {
	out := map[int64][]cordon.Obligation{}
	for len(arrivalIDs) > 0 {
		n := min(len(arrivalIDs), 500)
		chunk := arrivalIDs[:n]
		arrivalIDs = arrivalIDs[n:]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := tx.query(ctx, "SELECT "+obligationColumns+" FROM arrival_obligations o WHERE o.arrival_id IN ("+placeholders(len(chunk))+") ORDER BY o.id", args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			o, err := scanObligation(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out[o.ArrivalID] = append(out[o.ArrivalID], o)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Obligation reads one obligation in the scope.
func (tx *Tx) Obligation(ctx context.Context, scope Scope, id int64) (cordon.Obligation, error) {
	w, args := scope.where("o.jurisdiction")
	o, err := scanObligation(tx.queryRow(ctx, "SELECT "+obligationColumns+" FROM arrival_obligations o WHERE o.id = ? AND "+w, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return o, notFound("obligation")
	}
	return o, err
}

// Obligations lists the test obligations in the scope, earliest due first,
// with the arrival time: the task list. Overdue
// keeps those open past their due time at now.
func (tx *Tx) Obligations(ctx context.Context, scope Scope, f cordon.ObligationFilter, now time.Time) ([]cordon.Obligation, error) {
	w, args := scope.where("o.jurisdiction")
	var b strings.Builder
	b.WriteString("SELECT " + obligationColumns + ", a.arrived_at FROM arrival_obligations o JOIN arrivals a ON a.id = o.arrival_id WHERE o.kind = 'test' AND " + w)
	if f.Status != "" {
		b.WriteString(" AND o.status = ?")
		args = append(args, f.Status)
	}
	if f.Overdue {
		b.WriteString(" AND o.status = 'open' AND o.due_at < ?")
		args = append(args, ts(now))
	}
	if f.After > 0 {
		b.WriteString(" AND o.id > ?")
		args = append(args, f.After)
	}
	b.WriteString(" ORDER BY o.due_at, o.id LIMIT ?")
	args = append(args, clampLimit(f.Limit))
	rows, err := tx.query(ctx, b.String(), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []cordon.Obligation{}
	for rows.Next() {
		var arrived time.Time
		o, err := scanObligation(rows, timeCol{&arrived})
		if err != nil {
			return nil, err
		}
		o.ArriveAt = arrived.Format(time.RFC3339)
		out = append(out, o)
	}
	return out, rows.Err()
}

// SupersedeObligations ends the open obligations of an arrival: a stronger
// population replaced them.
func (tx *Tx) SupersedeObligations(ctx context.Context, arrivalID, personID int64) error {
	_, err := tx.exec(ctx, "UPDATE arrival_obligations SET status = 'superseded' WHERE arrival_id = ? AND status = 'open'", arrivalID)
	tx.TouchPerson(personID)
	return err
}

// MeetObligation records that an obligation was met at at, by whom.
func (tx *Tx) MeetObligation(ctx context.Context, o cordon.Obligation, taken int, at time.Time, by string) error {
	_, err := tx.exec(ctx, "UPDATE arrival_obligations SET status = 'met', taken = ?, met_at = ?, met_by = ? WHERE id = ? AND status = 'open'",
		taken, ts(at), by, o.ID)
	tx.TouchPerson(o.PersonID)
	return err
}

// CountTaken records the tests taken so far towards an open obligation.
func (tx *Tx) CountTaken(ctx context.Context, id int64, taken int) error {
	_, err := tx.exec(ctx, "UPDATE arrival_obligations SET taken = ? WHERE id = ? AND status = 'open'", taken, id)
	return err
}

// ObligationSample is a sample taken by a person who owes tests, on or
// after the day of their arrival.
type ObligationSample struct {
	Obligation cordon.Obligation
	Arrived    time.Time
	Day        string
	At         time.Time
}

// ObligationSamples lists the samples of persons with open test
// obligations, taken on or after the day they arrived, by obligation and
// day.
func (tx *Tx) ObligationSamples(ctx context.Context) ([]ObligationSample, error) {
	rows, err := tx.query(ctx, `SELECT `+obligationColumns+`, a.arrived_at, s.day, MIN(s.collected_at)
		FROM arrival_obligations o JOIN arrivals a ON a.id = o.arrival_id JOIN order_samples s ON s.person_id = o.person_id
		WHERE o.status = 'open' AND o.kind = 'test'
		GROUP BY `+obligationColumns+`, a.arrived_at, s.day ORDER BY o.id, s.day`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ObligationSample
	for rows.Next() {
		var s ObligationSample
		o, err := scanObligation(rows, timeCol{&s.Arrived}, &s.Day, timeCol{&s.At})
		if err != nil {
			return nil, err
		}
		s.Obligation = o
		if s.Day >= s.Arrived.In(cordon.ChinaTime).Format(time.DateOnly) {
			out = append(out, s)
		}
	}
	return out, rows.Err()
}

package app

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"cordon"
	"cordon/internal/store"
)

func roundRecord(id int64) string { return "round:" + strconv.FormatInt(id, 10) }

// roundVisible reports whether the actor may see a round: one run inside
// their subtree, or by an ancestor over an area that reaches into it.
func roundVisible(actor cordon.Actor, r cordon.Round) bool {
	if actor.Sees(r.Jurisdiction) {
		return true
	}
	if !cordon.Within(actor.Jurisdiction, r.Jurisdiction) {
		return false
	}
	if len(r.Areas) == 0 {
		return true
	}
	for _, a := range r.Areas {
		if actor.Sees(a) || cordon.Within(actor.Jurisdiction, a) {
			return true
		}
	}
	return false
}

// CreateRound opens a round of mass testing over the actor's jurisdiction
// or part of it.
func (a *App) CreateRound(ctx context.Context, actor cordon.Actor, in cordon.RoundInput) (cordon.Round, error) {
	if err := authorize(actor, cordon.PermTestingManage); err != nil {
		return cordon.Round{}, err
	}
	r, err := in.Validate(a.now())
	if err != nil {
		return r, err
	}
	if !actor.Sees(r.Jurisdiction) {
		return r, cordon.ErrForbidden
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		for _, c := range append([]string{r.Jurisdiction}, r.Areas...) {
			if !a.exists(ctx, tx, c) {
				return unknownJurisdiction(c)
			}
		}
		if err := tx.CreateRound(ctx, &r, actor.AccountID); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "round.create", roundRecord(r.ID), "", r.Name)
	})
	return r, err
}

// Round reads a round the actor may see.
func (a *App) Round(ctx context.Context, actor cordon.Actor, id int64) (cordon.Round, error) {
	if err := authorize(actor, cordon.PermTestingRead); err != nil {
		return cordon.Round{}, err
	}
	var r cordon.Round
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		r, err = tx.Round(ctx, id)
		return err
	})
	if err == nil && !roundVisible(actor, r) {
		return cordon.Round{}, cordon.Errorf(cordon.KindNotFound, "round.not_found", "round not found")
	}
	return r, err
}

// Rounds lists the rounds the actor may see, newest first.
func (a *App) Rounds(ctx context.Context, actor cordon.Actor, openOnly bool, after int64, limit int) ([]cordon.Round, error) {
	if err := authorize(actor, cordon.PermTestingRead); err != nil {
		return nil, err
	}
	limit = max(1, min(limit, store.MaxLimit))
	var out []cordon.Round
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		// The store's candidates include rounds of ancestors over areas
		// elsewhere; read on until the page is full or the rounds end, so
		// that a short page means the end.
		for len(out) < limit {
			rs, err := tx.Rounds(ctx, store.RoundFilter{Overlapping: actor.Jurisdiction, OpenOnly: openOnly, After: after, Limit: limit})
			if err != nil {
				return err
			}
			for _, r := range rs {
				if roundVisible(actor, r) && len(out) < limit {
					out = append(out, r)
				}
			}
			if len(rs) < limit {
				return nil
			}
			after = rs[len(rs)-1].ID
		}
		return nil
	})
	return out, err
}

// CloseRound ends a round; samples are no longer registered in it.
func (a *App) CloseRound(ctx context.Context, actor cordon.Actor, id int64) error {
	if err := authorize(actor, cordon.PermTestingManage); err != nil {
		return err
	}
	r, err := a.Round(ctx, actor, id)
	if err != nil {
		return err
	}
	if !actor.Sees(r.Jurisdiction) {
		return cordon.ErrForbidden
	}
	return a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CloseRound(ctx, id); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "round.close", roundRecord(id), "", "")
	})
}

// RoundProgress sums a round's tallies up the jurisdiction tree and returns
// the node at code (the actor's own node, or the round's, when empty) with
// its descendants depth levels down. The round's expected population, when
// given, replaces the count from the register at the round's own node.
func (a *App) RoundProgress(ctx context.Context, actor cordon.Actor, id int64, code string, depth int) (cordon.Progress, error) {
	r, err := a.Round(ctx, actor, id)
	if err != nil {
		return cordon.Progress{}, err
	}
	if code == "" {
		code = r.Jurisdiction
		if cordon.Within(actor.Jurisdiction, code) {
			code = actor.Jurisdiction
		}
	}
	if !actor.Sees(code) {
		return cordon.Progress{}, cordon.ErrForbidden
	}
	if depth <= 0 {
		depth = 1
	}
	depth = min(depth, 6)
	var rows []store.AreaTally
	if err := a.db.Read(ctx, func(tx *store.Tx) error {
		rows, err = tx.RoundTallies(ctx, id)
		return err
	}); err != nil {
		return cordon.Progress{}, err
	}
	nodes := map[string]*cordon.Progress{code: {Code: code}}
	kids := map[string]map[string]bool{}
	for _, row := range rows {
		if !cordon.Within(row.Area, code) {
			continue
		}
		// Walk from the area up to code, adding at every node on the way.
		var chain []string
		for c := row.Area; c != "" && c != code; c = cordon.ParentCode(c) {
			chain = append(chain, c)
		}
		nodes[code].Add(row.Tally)
		parent := code
		for i := len(chain) - 1; i >= 0 && len(chain)-i <= depth; i-- {
			c := chain[i]
			n, ok := nodes[c]
			if !ok {
				n = &cordon.Progress{Code: c}
				nodes[c] = n
				if kids[parent] == nil {
					kids[parent] = map[string]bool{}
				}
				kids[parent][c] = true
			}
			n.Add(row.Tally)
			parent = c
		}
	}
	if code == r.Jurisdiction && r.Expected > 0 {
		nodes[code].Expected = r.Expected
	}
	// Divisions are named from the directory; the grids among the nodes
	// in one lookup.
	var grids []string
	for c := range nodes {
		if _, ok := a.dir.Lookup(c); !ok {
			grids = append(grids, c)
		}
	}
	gridNames := map[string]string{}
	if len(grids) > 0 {
		if err := a.db.Read(ctx, func(tx *store.Tx) error {
			gridNames, err = tx.GridNames(ctx, grids)
			return err
		}); err != nil {
			return cordon.Progress{}, err
		}
	}
	name := func(c string) string {
		if j, ok := a.dir.Lookup(c); ok {
			return j.Name
		}
		if n, ok := gridNames[c]; ok {
			return n
		}
		return c
	}
	var build func(c string) cordon.Progress
	build = func(c string) cordon.Progress {
		n := *nodes[c]
		n.Name = name(c)
		cs := make([]string, 0, len(kids[c]))
		for k := range kids[c] {
			cs = append(cs, k)
		}
		sort.Strings(cs)
		for _, k := range cs {
			n.Children = append(n.Children, build(k))
		}
		return n
	}
	return build(code), nil
}

// Unsampled lists the registered people of an area (a grid, for its grid
// worker) not yet sampled in the round. The read is audited.
func (a *App) Unsampled(ctx context.Context, actor cordon.Actor, roundID int64, area string, after int64, limit int) ([]cordon.Person, error) {
	if err := authorize(actor, cordon.PermPersonRead); err != nil {
		return nil, err
	}
	if area == "" {
		area = actor.Jurisdiction
	}
	if !actor.Sees(area) {
		return nil, cordon.ErrForbidden
	}
	r, err := a.Round(ctx, actor, roundID)
	if err != nil {
		return nil, err
	}
	if !r.Covers(area) {
		return nil, cordon.Errorf(cordon.KindInvalid, "round.area_outside", "the area is outside the round").WithField("area", "round.area_outside")
	}
	var out []cordon.Person
	err = a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Unsampled(ctx, store.Inside(area), roundID, after, limit)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(out) > 0 {
		if err := a.recordRead(ctx, actor, "round.unsampled", roundRecord(roundID), "", fmt.Sprintf("%d persons in %s", len(out), area)); err != nil {
			return nil, err
		}
	}
	for i := range out {
		a.present(actor, &out[i])
	}
	return out, nil
}

// Cadence advises when an area should be tested next, from the rounds that
// covered it and its latest positive.
func (a *App) Cadence(ctx context.Context, actor cordon.Actor, area string) (cordon.Cadence, error) {
	if err := authorize(actor, cordon.PermTestingRead); err != nil {
		return cordon.Cadence{}, err
	}
	if area == "" {
		area = actor.Jurisdiction
	}
	if !actor.Sees(area) {
		return cordon.Cadence{}, cordon.ErrForbidden
	}
	var rounds []cordon.RoundOutcome
	var last time.Time
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		if rounds, err = tx.RoundPositives(ctx, area, 20); err != nil {
			return err
		}
		last, err = tx.LastPositive(ctx, store.Inside(area))
		return err
	})
	if err != nil {
		return cordon.Cadence{}, err
	}
	return cordon.AdviseCadence(rounds, last, a.now()), nil
}

// ObservedPrevalence is the share of people positive in the rounds of the
// last 14 days inside an area, with the number sampled (0 when none).
func (a *App) ObservedPrevalence(ctx context.Context, actor cordon.Actor, area string) (float64, int, error) {
	if err := authorize(actor, cordon.PermTestingRead); err != nil {
		return 0, 0, err
	}
	if !actor.Sees(area) {
		return 0, 0, cordon.ErrForbidden
	}
	var sampled, positives int
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		sampled, positives, err = tx.Sampled(ctx, store.Inside(area), a.now().Add(-14*24*time.Hour))
		return err
	})
	if err != nil || sampled == 0 {
		return 0, sampled, err
	}
	return float64(positives) / float64(sampled), sampled, nil
}

func pointRecord(id int64) string { return "point:" + strconv.FormatInt(id, 10) }

// checkPoint validates a point's place and rounds for the actor.
func (a *App) checkPoint(ctx context.Context, tx *store.Tx, actor cordon.Actor, p cordon.SamplingPoint) error {
	if !a.exists(ctx, tx, p.Jurisdiction) {
		return unknownJurisdiction(p.Jurisdiction)
	}
	if !actor.Sees(p.Jurisdiction) {
		return cordon.ErrForbidden
	}
	for _, id := range p.Rounds {
		r, err := tx.Round(ctx, id)
		if err != nil {
			return err
		}
		if !roundVisible(actor, r) {
			return cordon.Errorf(cordon.KindNotFound, "round.not_found", "round not found")
		}
	}
	return nil
}

// CreatePoint registers a sampling point.
func (a *App) CreatePoint(ctx context.Context, actor cordon.Actor, in cordon.SamplingPointInput) (cordon.SamplingPoint, error) {
	if err := authorize(actor, cordon.PermTestingManage); err != nil {
		return cordon.SamplingPoint{}, err
	}
	p, err := in.Validate()
	if err != nil {
		return p, err
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := a.checkPoint(ctx, tx, actor, p); err != nil {
			return err
		}
		if err := tx.CreatePoint(ctx, &p, actor.AccountID); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "point.create", pointRecord(p.ID), "", p.Name)
	})
	return p, err
}

// UpdatePoint replaces a sampling point's details.
func (a *App) UpdatePoint(ctx context.Context, actor cordon.Actor, id int64, in cordon.SamplingPointInput) (cordon.SamplingPoint, error) {
	if err := authorize(actor, cordon.PermTestingManage); err != nil {
		return cordon.SamplingPoint{}, err
	}
	p, err := in.Validate()
	if err != nil {
		return p, err
	}
	p.ID = id
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		old, err := tx.Point(ctx, id)
		if err != nil {
			return err
		}
		if !actor.Sees(old.Jurisdiction) {
			return cordon.Errorf(cordon.KindNotFound, "point.not_found", "point not found")
		}
		if err := a.checkPoint(ctx, tx, actor, p); err != nil {
			return err
		}
		if err := tx.UpdatePoint(ctx, &p); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "point.update", pointRecord(id), "", p.Name)
	})
	if err != nil {
		return p, err
	}
	return a.Point(ctx, actor, id)
}

// Point reads a sampling point inside the actor's subtree.
func (a *App) Point(ctx context.Context, actor cordon.Actor, id int64) (cordon.SamplingPoint, error) {
	if err := authorize(actor, cordon.PermTestingRead); err != nil {
		return cordon.SamplingPoint{}, err
	}
	var p cordon.SamplingPoint
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		if p, err = tx.Point(ctx, id); err != nil {
			return err
		}
		ps := []cordon.SamplingPoint{p}
		err = tx.PointWaits(ctx, ps)
		p = ps[0]
		return err
	})
	if err == nil && !actor.Sees(p.Jurisdiction) {
		return cordon.SamplingPoint{}, cordon.Errorf(cordon.KindNotFound, "point.not_found", "point not found")
	}
	return p, err
}

// Points lists the sampling points inside an area of the actor's subtree.
func (a *App) Points(ctx context.Context, actor cordon.Actor, area string, f cordon.PointFilter) ([]cordon.SamplingPoint, error) {
	if err := authorize(actor, cordon.PermTestingRead); err != nil {
		return nil, err
	}
	if area == "" {
		area = actor.Jurisdiction
	}
	if !actor.Sees(area) {
		return nil, cordon.ErrForbidden
	}
	var out []cordon.SamplingPoint
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		if out, err = tx.Points(ctx, store.Inside(area), f); err != nil {
			return err
		}
		return tx.PointWaits(ctx, out)
	})
	return out, err
}

// PublicPoints lists, for anyone, the active sampling points inside an
// area, open ones first, with their hours and waiting estimate. An area
// without points falls back to its parent's, up to the prefecture.
func (a *App) PublicPoints(ctx context.Context, area string) ([]cordon.SamplingPoint, error) {
	if _, ok := cordon.LevelOf(area); !ok || area == cordon.Nationwide {
		return nil, cordon.Errorf(cordon.KindInvalid, "jurisdiction.unknown", "choose a jurisdiction").WithField("jurisdiction", "jurisdiction.unknown")
	}
	var out []cordon.SamplingPoint
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		for c := area; c != ""; c = cordon.ParentCode(c) {
			ps, err := tx.Points(ctx, store.Inside(c), cordon.PointFilter{ActiveOnly: true, Limit: store.MaxLimit})
			if err != nil {
				return err
			}
			if len(ps) > 0 {
				out = ps
				return tx.PointWaits(ctx, out)
			}
			if l, _ := cordon.LevelOf(c); l == cordon.LevelCity || l == cordon.LevelProvince {
				return nil
			}
		}
		return nil
	})
	now := a.now()
	sort.SliceStable(out, func(i, j int) bool { return out[i].OpenAt(now) && !out[j].OpenAt(now) })
	for i := range out {
		out[i].Staff, out[i].Rounds = 0, nil // not public
	}
	return out, err
}

// ReportQueue records how many people wait at a point, for the public
// waiting estimate.
func (a *App) ReportQueue(ctx context.Context, actor cordon.Actor, id int64, queue int) error {
	if err := authorize(actor, cordon.PermSampleWrite); err != nil {
		return err
	}
	if queue < 0 || queue > 100000 {
		return cordon.Errorf(cordon.KindInvalid, "point.queue_invalid", "the queue must be 0 to 100000").WithField("queue", "point.queue_invalid")
	}
	p, err := a.Point(ctx, actor, id)
	if err != nil {
		return err
	}
	return a.db.Batch(ctx, func(tx *store.Tx) error {
		if err := tx.SetQueue(ctx, p.ID, queue); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "point.queue", pointRecord(id), "", strconv.Itoa(queue))
	})
}

// Capacity sizes sampling for an area by the guide and compares the plan
// with the points, tables and staff registered there. The population is
// the register's when 0.
func (a *App) Capacity(ctx context.Context, actor cordon.Actor, area string, population, deadlineHours int) (cordon.CapacityCheck, error) {
	if err := authorize(actor, cordon.PermTestingRead); err != nil {
		return cordon.CapacityCheck{}, err
	}
	if area == "" {
		area = actor.Jurisdiction
	}
	if !actor.Sees(area) {
		return cordon.CapacityCheck{}, cordon.ErrForbidden
	}
	var points, tables, staff int
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		if population == 0 {
			if population, err = tx.CountPersons(ctx, store.Inside(area)); err != nil {
				return err
			}
		}
		points, tables, staff, err = tx.PointCapacity(ctx, store.Inside(area))
		return err
	})
	if err != nil {
		return cordon.CapacityCheck{}, err
	}
	plan, err := cordon.PlanCapacity(population, deadlineHours)
	if err != nil {
		return cordon.CapacityCheck{}, err
	}
	c := cordon.CheckCapacity(plan, points, tables, staff)
	c.Jurisdiction = area
	return c, nil
}

// joinIDs formats ids for an audit detail.
func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ",")
}

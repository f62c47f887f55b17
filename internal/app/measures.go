package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"cordon"
	"cordon/internal/store"
)

// Area measures colour the codes of everyone living in a jurisdiction: one
// row, read into memory, that every code computed consults. Taking one
// over a county of 350,000 residents writes nothing per person.

// AreaMeasures lists the measures over or inside the actor's subtree,
// newest first, with each one's state.
func (a *App) AreaMeasures(ctx context.Context, actor cordon.Actor) ([]cordon.AreaMeasure, error) {
	if err := authorize(actor, cordon.PermHealthCodeRead); err != nil {
		return nil, err
	}
	if err := a.loadCodes(ctx); err != nil {
		return nil, err
	}
	b := a.book
	b.mu.RLock()
	all := b.measures
	b.mu.RUnlock()
	out := []cordon.AreaMeasure{}
	for _, m := range all {
		if actor.Sees(m.Jurisdiction) || cordon.Within(actor.Jurisdiction, m.Jurisdiction) {
			m.Name = a.PathName(ctx, m.Jurisdiction)
			out = append(out, m)
		}
	}
	return out, nil
}

// TakeAreaMeasure records a measure on a jurisdiction inside the actor's
// subtree; it takes effect for every lookup from the commit on.
func (a *App) TakeAreaMeasure(ctx context.Context, actor cordon.Actor, m cordon.AreaMeasure) (cordon.AreaMeasure, error) {
	if err := authorize(actor, cordon.PermMeasureManage); err != nil {
		return m, err
	}
	if m.From.IsZero() {
		m.From = a.now()
	}
	if err := m.Validate(); err != nil {
		return m, err
	}
	if !actor.Sees(m.Jurisdiction) {
		return m, cordon.ErrForbidden
	}
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := a.venuePlaceExists(ctx, tx, m.Jurisdiction); err != nil {
			return err
		}
		if err := tx.CreateAreaMeasure(ctx, &m, actor.AccountID); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "measure.take", measureRecord(m.ID), m.Note,
			fmt.Sprintf("%s %s rounds=%d", m.Jurisdiction, m.Reason, m.Rounds))
	})
	if err != nil {
		return m, err
	}
	m.Name = a.PathName(ctx, m.Jurisdiction)
	return m, a.reloadMeasures(ctx)
}

// EndAreaMeasure lifts a measure now, by hand, with a reason.
func (a *App) EndAreaMeasure(ctx context.Context, actor cordon.Actor, id int64, note string) error {
	if err := authorize(actor, cordon.PermMeasureManage); err != nil {
		return err
	}
	if len([]rune(note)) < 2 {
		return cordon.Errorf(cordon.KindInvalid, "healthcode.reason_required", "say why").WithField("reason", "healthcode.reason_required")
	}
	m, err := a.measure(ctx, id)
	if err != nil {
		return err
	}
	if !actor.Sees(m.Jurisdiction) {
		return cordon.ErrForbidden
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.EndAreaMeasure(ctx, id, tx.Now, note); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "measure.end", measureRecord(id), note, "")
	})
	if err != nil {
		return err
	}
	return a.reloadMeasures(ctx)
}

func (a *App) measure(ctx context.Context, id int64) (cordon.AreaMeasure, error) {
	if err := a.loadCodes(ctx); err != nil {
		return cordon.AreaMeasure{}, err
	}
	a.book.mu.RLock()
	defer a.book.mu.RUnlock()
	for _, m := range a.book.measures {
		if m.ID == id {
			return m, nil
		}
	}
	return cordon.AreaMeasure{}, cordon.Errorf(cordon.KindNotFound, "measure.not_found", "no such measure")
}

// reloadMeasures reads the measures and risk areas again after a change of
// either; reloads run one at a time, so the last installed is the newest
// read.
func (a *App) reloadMeasures(ctx context.Context) error {
	a.book.reloadMu.Lock()
	defer a.book.reloadMu.Unlock()
	var ms []cordon.AreaMeasure
	var areas []cordon.RiskArea
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		ms, areas, err = readPlaceFacts(ctx, tx)
		return err
	})
	if err != nil {
		return err
	}
	a.book.mu.Lock()
	a.book.measures, a.book.areas = ms, riskAreaFacts(areas)
	a.book.measureGen++
	a.book.mu.Unlock()
	return nil
}

// SettleMeasures ends the measures whose condition is met: those that end
// after a number of negative rounds end when that many closed rounds over
// their area, started on or after the measure's first day, have every tube
// from the area resulted and none positive; the end is the last result of
// the last of them. It runs on the schedule and returns the measures it
// ended.
func (a *App) SettleMeasures(ctx context.Context) ([]int64, error) {
	if err := a.loadCodes(ctx); err != nil {
		return nil, err
	}
	a.book.mu.RLock()
	all := a.book.measures
	a.book.mu.RUnlock()
	var ended []int64
	var errs []error
	for _, m := range all {
		if m.Rounds == 0 || !m.EndedAt.IsZero() {
			continue
		}
		f := m.From.In(cordon.ChinaTime)
		from := time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, cordon.ChinaTime)
		err := a.db.Transact(ctx, func(tx *store.Tx) error {
			rounds, err := tx.MeasureRounds(ctx, m.Jurisdiction, from)
			if err != nil {
				return err
			}
			clean, last := 0, time.Time{}
			var names []string
			for _, r := range rounds {
				if r.Tubes == 0 || r.LastAt.Before(m.From) {
					continue // no one of the area sampled, or all found before the measure
				}
				if r.Pending > 0 {
					break // rounds count in order: wait for this one
				}
				if r.Positive > 0 {
					clean, names = 0, nil // a positive round starts the count again
					continue
				}
				clean++
				names = append(names, r.Round.Name)
				last = r.LastAt
				if clean == m.Rounds {
					break
				}
			}
			if clean < m.Rounds {
				return nil
			}
			note := fmt.Sprintf("连续%d轮核酸检测阴性：%s", clean, strings.Join(names, "、"))
			if err := tx.EndAreaMeasure(ctx, m.ID, last, note); err != nil {
				return err
			}
			ended = append(ended, m.ID)
			return tx.Audit(ctx, cordon.AuditEntry{Username: "system", Action: "measure.end", Record: measureRecord(m.ID),
				Jurisdiction: m.Jurisdiction, Reason: note})
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("measure %d: %w", m.ID, err))
		}
	}
	if len(ended) > 0 {
		errs = append(errs, a.reloadMeasures(ctx))
	}
	return ended, errors.Join(errs...)
}

func measureRecord(id int64) string { return "measure:" + strconv.FormatInt(id, 10) }

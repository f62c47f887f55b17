package app

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"cordon"
	"cordon/internal/report"
	"cordon/internal/store"
)

// Control orders. Most are made by what happens elsewhere, in the same
// transaction: a contact gets the order of the edition in force from its
// last exposure (a new exposure extends it, an upgrade to close contact
// replans it), a case gets hospital isolation and converts the person's
// active orders into it, a positive pool's hold gets the pending-retest
// hold that a negative single tube ends. Orders are also made by hand,
// checked against the edition. Release needs the conditions to hold, or a
// commander's reason. Reads are audited and masked by role.

func orderRecord(id int64) string { return "order:" + strconv.FormatInt(id, 10) }

// OrderView is an order with where its test days and its release stand.
type OrderView struct {
	cordon.ControlOrder
	Release cordon.ReleaseStatus `json:"release"`
}

// presentOrder masks the identity for the actor and names the type of
// the phase in force.
func presentOrder(actor cordon.Actor, o *cordon.ControlOrder, now time.Time) {
	if ph, ok := o.Phase(now); ok {
		o.Type = ph.Type
	}
	if !actor.Can(cordon.PermPersonReadFull) {
		o.Mask()
	}
}

// today is the day in China at t.
func today(t time.Time) string { return t.In(cordon.ChinaTime).Format(time.DateOnly) }

// releaseStatus judges an order's release at now by the person's samples
// and, for a secondary contact, the linked close contact's.
func (a *App) releaseStatus(ctx context.Context, tx *store.Tx, o cordon.ControlOrder, now time.Time) (cordon.ReleaseStatus, error) {
	to := max(today(now), o.EndsOn)
	results, err := tx.PersonTests(ctx, o.PersonID, o.StartsOn, to)
	if err != nil {
		return cordon.ReleaseStatus{}, err
	}
	var linked *cordon.LinkedTests
	if o.LinkedTests > 0 && o.LinkedContact != 0 {
		orders, err := tx.ContactOrders(ctx, o.LinkedContact)
		if err != nil {
			return cordon.ReleaseStatus{}, err
		}
		// The close contact's latest order that applied.
		for i := len(orders) - 1; i >= 0; i-- {
			if lo := orders[i]; lo.Basis == cordon.BasisContact && lo.Status != cordon.OrderCancelled {
				rs, err := tx.PersonTests(ctx, lo.PersonID, lo.StartsOn, max(today(now), lo.EndsOn))
				if err != nil {
					return cordon.ReleaseStatus{}, err
				}
				linked = &cordon.LinkedTests{Order: lo, Results: rs}
				break
			}
		}
	}
	return o.ReleaseCheck(now, results, linked), nil
}

// view is an order as the actor sees it, with its release status.
func (a *App) view(ctx context.Context, tx *store.Tx, actor cordon.Actor, o cordon.ControlOrder) (OrderView, error) {
	now := a.now()
	st, err := a.releaseStatus(ctx, tx, o, now)
	if err != nil {
		return OrderView{}, err
	}
	presentOrder(actor, &o, now)
	return OrderView{ControlOrder: o, Release: st}, nil
}

// contactOrder keeps the order of a contact in step with it, in the
// caller's transaction: a matched, open contact gets the plan of the
// edition in force where it is, from its last exposure; a later exposure
// or an upgrade from secondary to close contact replans the active order
// (never shortening it); a contact whose order ended gets a new one only
// for an exposure after the last one the order counted from. The actor's
// action made it, so the actor is recorded, whatever their role.
func (a *App) contactOrder(ctx context.Context, tx *store.Tx, actor cordon.Actor, contactID int64) error {
	c, err := tx.Contact(ctx, store.Everywhere, contactID)
	if err != nil {
		return err
	}
	if c.PersonID == 0 || c.MergedInto != 0 || !c.Status.Open() || c.LastExposure.IsZero() {
		return nil
	}
	orders, err := tx.ContactOrders(ctx, contactID)
	if err != nil {
		return err
	}
	var cur, last *cordon.ControlOrder
	for i := range orders {
		if orders[i].Basis != cordon.BasisContact {
			continue
		}
		last = &orders[i]
		if orders[i].Status == cordon.OrderActive {
			cur = &orders[i]
		}
	}
	p, err := policyIn(ctx, tx, c.Jurisdiction, tx.Now)
	if err != nil {
		return err
	}
	population := c.Kind.Population()
	plan, err := cordon.ControlPlan(p, population, c.LastExposure)
	if cordon.ErrorCode(err) == "control.population_not_identified" {
		return nil // the edition has no measure for the kind
	}
	if err != nil {
		return err
	}
	var linked int64
	var tests int
	if c.Kind == cordon.SecondaryContact {
		tests = p.Measures[population].LinkedNegativeTests
		for _, e := range c.ActiveExposures() {
			if e.Kind == cordon.SecondaryContact {
				linked = e.SourceContact
				break
			}
		}
	}
	if cur == nil {
		if last != nil && !c.LastExposure.After(last.LastExposure) {
			return nil
		}
		current, err := tx.OrderPerson(ctx, store.Everywhere, c.PersonID)
		if err != nil {
			return err
		}
		if current == "" {
			current = c.Jurisdiction
		}
		o := cordon.ControlOrder{PersonID: c.PersonID, Basis: cordon.BasisContact, ContactID: c.ID, LinkedContact: linked, LinkedTests: tests,
			Population: population, Edition: p.Key, LastExposure: c.LastExposure, Status: cordon.OrderActive, Jurisdiction: current}
		o.SetPhases(plan)
		if err := tx.CreateOrder(ctx, &o, actor.AccountID, actor.Username); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "order.create", orderRecord(o.ID), "",
			fmt.Sprintf("%s for %s of contact %d under %s: %s to %s", o.Type, population, c.ID, p.Key, o.StartsOn, o.EndsOn))
	}
	o := *cur
	end := plan[len(plan)-1].LastDay
	same := o.Population == population && o.LastExposure.Equal(c.LastExposure) && o.LinkedContact == linked && o.LinkedTests == tests
	if same || o.Population == population && end < o.EndsOn {
		return nil
	}
	was := fmt.Sprintf("%s %s to %s", o.Population, o.StartsOn, o.EndsOn)
	o.Population, o.Edition, o.LastExposure, o.LinkedContact, o.LinkedTests = population, p.Key, c.LastExposure, linked, tests
	o.SetPhases(plan)
	if err := tx.UpdateOrder(ctx, o, 0); err != nil {
		return err
	}
	return audit(ctx, tx, actor, "order.extend", orderRecord(o.ID), "",
		fmt.Sprintf("last exposure %s under %s: %s, was %s", c.LastExposure.In(cordon.ChinaTime).Format("2006-01-02 15:04"), p.Key,
			population+" "+o.StartsOn+" to "+o.EndsOn, was))
}

// cancelContactOrders cancels the active orders of a contact record that
// was merged into another: the survivor's order stands for both.
func (a *App) cancelContactOrders(ctx context.Context, tx *store.Tx, actor cordon.Actor, contactID, into int64) error {
	orders, err := tx.ContactOrders(ctx, contactID)
	if err != nil {
		return err
	}
	for _, o := range orders {
		if o.Status != cordon.OrderActive {
			continue
		}
		o.Status, o.ReleasedAt, o.ReleasedBy = cordon.OrderCancelled, tx.Now, actor.Username
		o.ReleaseReason = fmt.Sprintf("密接记录 #%d 已并入 #%d", contactID, into)
		if err := tx.UpdateOrder(ctx, o, 0); err != nil {
			return err
		}
		if err := audit(ctx, tx, actor, "order.cancel", orderRecord(o.ID), "", fmt.Sprintf("contact %d merged into %d", contactID, into)); err != nil {
			return err
		}
	}
	return nil
}

// caseOrder is OpenCase's follow-up in its transaction: the case's person
// is put in hospital isolation from today, and their active orders (a
// contact's, a retest hold's, any other) are converted into it, the new
// order linked to the contact it came from.
func (a *App) caseOrder(ctx context.Context, tx *store.Tx, actor cordon.Actor, c cordon.Case) error {
	if c.PersonID == 0 {
		return nil
	}
	orders, err := tx.PersonOrders(ctx, c.PersonID)
	if err != nil {
		return err
	}
	h := cordon.ControlOrder{PersonID: c.PersonID, Basis: cordon.BasisCase, CaseID: c.ID, Status: cordon.OrderActive}
	var convert []cordon.ControlOrder
	for _, o := range orders {
		if o.Status != cordon.OrderActive {
			continue
		}
		if o.Basis == cordon.BasisCase && o.CaseID == c.ID {
			return nil // isolated already
		}
		if h.ContactID == 0 {
			h.ContactID = o.ContactID
		}
		convert = append(convert, o)
	}
	if h.Jurisdiction, err = tx.OrderPerson(ctx, store.Everywhere, c.PersonID); err != nil {
		return err
	}
	if h.Jurisdiction == "" {
		h.Jurisdiction = c.Jurisdiction
	}
	h.SetPhases([]cordon.ControlPhase{{Type: cordon.HospitalIsolation, FirstDay: today(tx.Now), DayNumber: 1}})
	if err := tx.CreateOrder(ctx, &h, actor.AccountID, actor.Username); err != nil {
		return err
	}
	if err := audit(ctx, tx, actor, "order.create", orderRecord(h.ID), "", fmt.Sprintf("hospital_isolation for %s", caseRecord(c.ID))); err != nil {
		return err
	}
	for _, o := range convert {
		o.Status, o.ConvertedTo, o.ReleasedAt, o.ReleasedBy = cordon.OrderConverted, h.ID, tx.Now, actor.Username
		o.ReleaseReason = fmt.Sprintf("转为病例 #%d，隔离治疗", c.ID)
		if err := tx.UpdateOrder(ctx, o, 0); err != nil {
			return err
		}
		if err := audit(ctx, tx, actor, "order.convert", orderRecord(o.ID), "", fmt.Sprintf("into %s: %s", orderRecord(h.ID), caseRecord(c.ID))); err != nil {
			return err
		}
	}
	return nil
}

// holdOrders is a result upload's follow-up in its transaction: each
// registered person a positive pool held gets the pending-retest order,
// and each such order whose hold a negative single tube released is
// released with it. A positive retest leaves the order to the case it
// leads to, which converts it.
func (a *App) holdOrders(ctx context.Context, tx *store.Tx, actor cordon.Actor, fx cordon.LabEffects) error {
	if fx.Held > 0 {
		held, err := tx.HoldsWithoutOrder(ctx)
		if err != nil {
			return err
		}
		for _, h := range held {
			o := cordon.ControlOrder{PersonID: h.PersonID, Basis: cordon.BasisRetest, HoldID: h.HoldID, Status: cordon.OrderActive, Jurisdiction: h.Current}
			o.SetPhases([]cordon.ControlPhase{{Type: cordon.PendingRetest, FirstDay: h.PlacedAt, DayNumber: 1}})
			if err := tx.CreateOrder(ctx, &o, actor.AccountID, actor.Username); err != nil {
				return err
			}
			if err := audit(ctx, tx, actor, "order.create", orderRecord(o.ID), "", fmt.Sprintf("pending_retest for hold %d", h.HoldID)); err != nil {
				return err
			}
		}
	}
	if fx.Released > 0 {
		ended, err := tx.EndedHoldOrders(ctx)
		if err != nil {
			return err
		}
		for _, o := range ended {
			o.Status, o.ReleaseKind, o.ReleasedAt, o.ReleasedBy = cordon.OrderReleased, cordon.ReleaseConditions, tx.Now, actor.Username
			o.ReleaseReason = "单管复核阴性"
			if err := tx.UpdateOrder(ctx, o, 0); err != nil {
				return err
			}
			if err := audit(ctx, tx, actor, "order.release", orderRecord(o.ID), "", fmt.Sprintf("hold %d released by a negative single tube", o.HoldID)); err != nil {
				return err
			}
		}
	}
	return nil
}

// CreateOrder makes an order by hand for a registered person of the
// actor's subtree: for a population from the last exposure (or arrival),
// the plan of the edition in force where the person is, or phases given
// that agree with it (else order.contradicts_edition, naming the rule);
// without a population, the phases given (an order on a document).
func (a *App) CreateOrder(ctx context.Context, actor cordon.Actor, in cordon.OrderInput) (OrderView, error) {
	if err := authorize(actor, cordon.PermOrderWrite); err != nil {
		return OrderView{}, err
	}
	if err := in.Validate(a.now()); err != nil {
		return OrderView{}, err
	}
	var out OrderView
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		current, err := tx.OrderPerson(ctx, store.ScopeOf(actor), in.PersonID)
		if cordon.ErrorCode(err) == "person.not_found" {
			return cordon.Errorf(cordon.KindNotFound, "person.not_found", "person not found").WithField("person_id", "person.not_found")
		}
		if err != nil {
			return err
		}
		if !actor.Sees(current) {
			return cordon.Errorf(cordon.KindForbidden, "order.outside_jurisdiction",
				"the person is now outside your jurisdiction: send an assist request to where they are").WithField("person_id", "order.outside_jurisdiction")
		}
		p, err := policyIn(ctx, tx, current, tx.Now)
		if err != nil {
			return err
		}
		phases, err := cordon.PlanOrder(p, in)
		if err != nil {
			return err
		}
		o := cordon.ControlOrder{PersonID: in.PersonID, Basis: in.Basis, Population: in.Population, LastExposure: in.LastExposure,
			Status: cordon.OrderActive, Jurisdiction: current, Note: in.Note}
		if in.Population != "" {
			o.Edition = p.Key
		}
		o.SetPhases(phases)
		if err := tx.CreateOrder(ctx, &o, actor.AccountID, actor.Username); err != nil {
			return err
		}
		what := "by hand"
		if o.Edition != "" {
			what = fmt.Sprintf("by hand for %s under %s", o.Population, o.Edition)
		}
		if err := audit(ctx, tx, actor, "order.create", orderRecord(o.ID), "", fmt.Sprintf("%s %s: %s to %s", o.Type, what, o.StartsOn, o.EndsOn)); err != nil {
			return err
		}
		out, err = a.view(ctx, tx, actor, o)
		return err
	})
	return out, err
}

// ReleaseInput releases an order: when its conditions hold, or early
// (a commander's override) with a reason.
type ReleaseInput struct {
	Early   bool   `json:"early,omitempty"`
	Reason  string `json:"reason,omitempty"`
	Version int    `json:"version,omitempty"` // the version read; 0 skips the check
}

// ReleaseOrder ends an active order of the actor's subtree. A release
// needs the order's conditions to hold (ReleaseCheck), else it is refused
// with order.release_conditions_unmet listing what is missing; the
// reason, if given, is recorded. An early release needs order.override
// and a reason (order.reason_required), audited with it. A contact's
// contact management ends with its order.
func (a *App) ReleaseOrder(ctx context.Context, actor cordon.Actor, id int64, in ReleaseInput) (OrderView, error) {
	perm := cordon.PermOrderWrite
	if in.Early {
		perm = cordon.PermOrderOverride
	}
	if err := authorize(actor, perm); err != nil {
		return OrderView{}, err
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if len([]rune(in.Reason)) > 200 || strings.ContainsAny(in.Reason, "<>\x00") {
		return OrderView{}, cordon.Errorf(cordon.KindInvalid, "order.reason_invalid", "the reason is at most 200 characters, without angle brackets").WithField("reason", "order.reason_invalid")
	}
	if in.Early && in.Reason == "" {
		return OrderView{}, cordon.Errorf(cordon.KindInvalid, "order.reason_required", "an early release needs a reason").WithField("reason", "order.reason_required")
	}
	var out OrderView
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		o, err := tx.Order(ctx, store.ScopeOf(actor), id)
		if err != nil {
			return err
		}
		if o.Status != cordon.OrderActive {
			return cordon.Errorf(cordon.KindConflict, "order.not_active", "the order is %s already", o.Status)
		}
		if in.Version != 0 && in.Version != o.Version {
			return cordon.Errorf(cordon.KindConflict, "order.changed", "the order was changed meanwhile; reload it").WithField("version", "order.changed")
		}
		action, kind, reason := "order.release", cordon.ReleaseConditions, in.Reason
		if in.Early {
			action, kind = "order.release_early", cordon.ReleaseEarly
		} else {
			st, err := a.releaseStatus(ctx, tx, o, tx.Now)
			if err != nil {
				return err
			}
			if !st.Ready {
				msgs := make([]string, len(st.Missing))
				for i, m := range st.Missing {
					msgs[i] = m.Message
				}
				e := cordon.Errorf(cordon.KindConflict, "order.release_conditions_unmet", "the conditions of release do not hold: %s", strings.Join(msgs, "; "))
				e.Extra = map[string]any{"missing": st.Missing}
				return e
			}
			if reason == "" {
				reason = "管控期满，检测均为阴性"
			}
		}
		version := o.Version
		o.Status, o.ReleaseKind, o.ReleaseReason, o.ReleasedAt, o.ReleasedBy = cordon.OrderReleased, kind, reason, tx.Now, actor.Username
		if err := tx.UpdateOrder(ctx, o, version); err != nil {
			return err
		}
		if err := audit(ctx, tx, actor, action, orderRecord(id), reason, string(kind)); err != nil {
			return err
		}
		if err := a.releaseContact(ctx, tx, actor, o); err != nil {
			return err
		}
		o.Version++
		out, err = a.view(ctx, tx, actor, o)
		return err
	})
	return out, err
}

// releaseContact ends contact management of a released order's contact,
// unless another order of it is still active: a contact never recorded as
// under control is recorded as controlled from the order's making.
func (a *App) releaseContact(ctx context.Context, tx *store.Tx, actor cordon.Actor, o cordon.ControlOrder) error {
	if o.Basis != cordon.BasisContact || o.ContactID == 0 {
		return nil
	}
	orders, err := tx.ContactOrders(ctx, o.ContactID)
	if err != nil {
		return err
	}
	for _, x := range orders {
		if x.ID != o.ID && x.Status == cordon.OrderActive {
			return nil
		}
	}
	c, err := tx.Contact(ctx, store.Everywhere, o.ContactID)
	if err != nil || !c.Status.Open() || c.MergedInto != 0 {
		return err
	}
	if c.Status == cordon.ContactIdentified {
		at := o.CreatedAt
		if at.After(tx.Now) {
			at = tx.Now
		}
		if err := c.PutUnderControl(at, tx.Now); err != nil {
			return err
		}
	}
	if err := c.Release(tx.Now, tx.Now); err != nil {
		return err
	}
	if err := tx.SetContactState(ctx, c, 0); err != nil {
		return err
	}
	return audit(ctx, tx, actor, "contact.release", contactRecord(c.ID), "", "with "+orderRecord(o.ID))
}

// Order reads an order of the actor's subtree with its test days and
// release status; the read is audited.
func (a *App) Order(ctx context.Context, actor cordon.Actor, id int64, reason string) (OrderView, error) {
	if err := authorize(actor, cordon.PermOrderRead); err != nil {
		return OrderView{}, err
	}
	var out OrderView
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		o, err := tx.Order(ctx, store.ScopeOf(actor), id)
		if err != nil {
			return err
		}
		out, err = a.view(ctx, tx, actor, o)
		return err
	})
	if err != nil {
		return OrderView{}, err
	}
	if err := a.recordRead(ctx, actor, "order.read", orderRecord(id), reason, ""); err != nil {
		return OrderView{}, err
	}
	return out, nil
}

// Orders lists the orders of the actor's subtree by the filter, newest
// first; due and overdue are judged today. Every order listed counts as
// read in the audit log.
func (a *App) Orders(ctx context.Context, actor cordon.Actor, f cordon.OrderFilter) ([]cordon.ControlOrder, error) {
	if err := authorize(actor, cordon.PermOrderRead); err != nil {
		return nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	now := a.now()
	f.Day = today(now)
	var out []cordon.ControlOrder
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Orders(ctx, store.ScopeOf(actor), f)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(out) > 0 {
		ids := make([]int64, len(out))
		for i := range out {
			ids[i] = out[i].ID
			presentOrder(actor, &out[i], now)
		}
		if err := a.recordRead(ctx, actor, "order.list", "", "", "orders "+joinIDs(ids)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// PersonOrders lists every order of a person of the actor's subtree,
// oldest first, for the person's and the contact's pages; the read is
// audited.
func (a *App) PersonOrders(ctx context.Context, actor cordon.Actor, personID int64, reason string) ([]cordon.ControlOrder, error) {
	if err := authorize(actor, cordon.PermOrderRead); err != nil {
		return nil, err
	}
	now := a.now()
	var out []cordon.ControlOrder
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		if _, err := tx.OrderPerson(ctx, store.ScopeOf(actor), personID); err != nil && cordon.ErrorCode(err) != "person.merged" {
			return err
		}
		var err error
		out, err = tx.PersonOrders(ctx, personID)
		return err
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		presentOrder(actor, &out[i], now)
	}
	if len(out) > 0 {
		if err := a.recordRead(ctx, actor, "order.list", personRecord(personID), reason, fmt.Sprintf("%d orders", len(out))); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// MaxTasks bounds each half of a task list; a jurisdiction with more
// narrows it to a smaller area.
const MaxTasks = store.MaxLimit

// OrderTasks is today's sampling task list of the actor's subtree (China
// time): the active orders' tests due today, with the sample and result
// if one was taken, and every test day missed before today (owed, no
// sample). Samplers and grid workers work from it; the read is audited.
func (a *App) OrderTasks(ctx context.Context, actor cordon.Actor) (cordon.OrderTasks, error) {
	if actor.AccountID == 0 {
		return cordon.OrderTasks{}, cordon.ErrUnauthorized
	}
	if !actor.Can(cordon.PermOrderRead) && !actor.Can(cordon.PermSampleWrite) {
		return cordon.OrderTasks{}, cordon.ErrForbidden
	}
	now := a.now()
	day := today(now)
	out := cordon.OrderTasks{Day: day, Due: []cordon.OrderTask{}, Missed: []cordon.OrderTask{}}
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		scope := store.ScopeOf(actor)
		due, err := tx.Orders(ctx, scope, cordon.OrderFilter{Status: cordon.OrderActive, Due: true, Day: day, Limit: MaxTasks})
		if err != nil {
			return err
		}
		missed, err := tx.Orders(ctx, scope, cordon.OrderFilter{Status: cordon.OrderActive, Overdue: true, Day: day, Limit: MaxTasks})
		if err != nil {
			return err
		}
		var persons []int64
		from := day
		for _, o := range append(due, missed...) {
			persons = append(persons, o.PersonID)
			from = min(from, o.StartsOn)
		}
		results, err := tx.PersonsTests(ctx, persons, from, day)
		if err != nil {
			return err
		}
		add := func(list *[]cordon.OrderTask, orders []cordon.ControlOrder, keep func(cordon.TestDay) bool) {
			for _, o := range orders {
				tests := o.Tests(now, results[o.PersonID])
				presentOrder(actor, &o, now)
				for _, td := range tests {
					if keep(td) {
						*list = append(*list, cordon.OrderTask{Order: o, Test: td})
					}
				}
			}
		}
		add(&out.Due, due, func(td cordon.TestDay) bool { return td.Day == day })
		add(&out.Missed, missed, func(td cordon.TestDay) bool { return td.State == cordon.TestMissed })
		return nil
	})
	if err != nil {
		return out, err
	}
	if n := len(out.Due) + len(out.Missed); n > 0 {
		if err := a.recordRead(ctx, actor, "order.tasks", "", "", fmt.Sprintf("%s: %d due, %d missed", day, len(out.Due), len(out.Missed))); err != nil {
			return cordon.OrderTasks{}, err
		}
	}
	return out, nil
}

// OrderDocument is the printable notice of an order (隔离管控告知书) as a
// Chinese A4 PDF, masked by role; the read is audited.
func (a *App) OrderDocument(ctx context.Context, actor cordon.Actor, id int64, reason string) ([]byte, error) {
	if err := authorize(actor, cordon.PermOrderRead); err != nil {
		return nil, err
	}
	var o cordon.ControlOrder
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		o, err = tx.Order(ctx, store.ScopeOf(actor), id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := a.recordRead(ctx, actor, "order.document", orderRecord(id), reason, "PDF"); err != nil {
		return nil, err
	}
	presentOrder(actor, &o, a.now())
	edition, _ := cordon.Edition(o.Edition)
	var buf bytes.Buffer
	err = report.WriteOrder(&buf, report.OrderData{Order: o, Edition: edition, Generated: a.now(), GeneratedBy: actor.Username,
		Place: func(code string) string { return a.PathName(ctx, code) }})
	return buf.Bytes(), err
}

package app

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"cordon"
	"cordon/internal/store"
)

// Arrivals: every channel's report of a person arriving is merged into one
// arrival per person and trip (cordon.TripWindow, same county), matched
// against the risk areas and the cities with local cases, and given the
// obligations of the edition in force at the destination. A test
// obligation is met by the samples the person gives (found every minute
// by SettleObligations) or by hand; a measure's obligation is a control
// order, made at once. When risk areas change, RematchArrivals finds the
// recent arrivals whose travel now meets a stronger population.

func arrivalRecord(id int64) string    { return "arrival:" + strconv.FormatInt(id, 10) }
func obligationRecord(id int64) string { return "obligation:" + strconv.FormatInt(id, 10) }

// ArrivalLookback is how far back RematchArrivals looks: no edition's
// look-back is longer.
const ArrivalLookback = 28 * 24 * time.Hour

// placesTTL is how long the index of risk areas and case places serves
// before it is read again; a risk-area change forgets it at once.
const placesTTL = time.Minute

// arrivalPlaces caches the index arrivals are matched against.
type arrivalPlaces struct {
	mu sync.Mutex
	at time.Time
	x  *cordon.ArrivalPlaces
	// rematch asks the schedule to match recent arrivals again.
	rematch chan struct{}
}

// places returns the index of risk areas and case places, read again when
// older than placesTTL.
func (a *App) places(ctx context.Context) (*cordon.ArrivalPlaces, error) {
	a.arrivals.mu.Lock()
	defer a.arrivals.mu.Unlock()
	now := a.now()
	if a.arrivals.x != nil && now.Sub(a.arrivals.at) < placesTTL && !now.Before(a.arrivals.at) {
		return a.arrivals.x, nil
	}
	var areas []cordon.RiskArea
	var cases map[string][]time.Time
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		if areas, err = tx.RiskAreas(ctx, store.Everywhere, cordon.RiskAreaFilter{Lifted: true}); err != nil {
			return err
		}
		cases, err = tx.CaseDays(ctx, now.Add(-ArrivalLookback-14*24*time.Hour))
		return err
	})
	if err != nil {
		return nil, err
	}
	a.arrivals.x, a.arrivals.at = cordon.NewArrivalPlaces(areas, cases), now
	return a.arrivals.x, nil
}

// riskAreasChanged follows a change of risk areas: the codes of the people
// in them change now, and the next scheduled turn matches the recent
// arrivals again.
func (a *App) riskAreasChanged(ctx context.Context) error {
	a.forgetPlaces()
	select {
	case a.arrivals.rematch <- struct{}{}:
	default:
	}
	return a.reloadMeasures(ctx)
}

// forgetPlaces makes the next match read the risk areas again.
func (a *App) forgetPlaces() {
	a.arrivals.mu.Lock()
	a.arrivals.x = nil
	a.arrivals.mu.Unlock()
}

// errNoTrip stands for a person without a trip near the arrival.
var errNoTrip = cordon.Errorf(cordon.KindNotFound, "arrival.not_found", "arrival not found")

// TripView is an arrival as a page or the API shows it.
type TripView struct {
	cordon.Trip
	// Created is false when the report merged into an arrival already known.
	Created bool `json:"created"`
	// OnTime: the traveller's own report came before the arrival or within
	// the edition's hours after it; nil without one.
	OnTime *bool `json:"on_time,omitempty"`
}

// RecordArrival records a staff channel's report of an arrival into the
// actor's subtree (a checkpoint officer, a station sampler, a grid
// worker's door-to-door round).
func (a *App) RecordArrival(ctx context.Context, actor cordon.Actor, in cordon.TripReport) (TripView, error) {
	if err := authorize(actor, cordon.PermArrivalWrite); err != nil {
		return TripView{}, err
	}
	if in.Channel == cordon.ChannelSelfReport {
		return TripView{}, cordon.Errorf(cordon.KindInvalid, "arrival.channel_invalid", "a self-report comes from the traveller").WithField("channel", "arrival.channel_invalid")
	}
	return a.recordArrival(ctx, actor, in)
}

// ReportArrival is the traveller's own report on the public portal, before
// the arrival or after it. It answers what the traveller owes.
//
// The traveller proves who they are as on the code page: a registered
// identity number must come with the phone registered with it, else the
// report is refused (arrival.identity_mismatch) and counts as a wrong try;
// after five, the number is locked out for 15 minutes. So nobody can move
// another person or put them under an order by reporting a trip in their
// name. An unregistered number is registered with the phone given.
func (a *App) ReportArrival(ctx context.Context, in cordon.TripReport, remote string) (TripView, error) {
	in.Channel, in.PersonID = cordon.ChannelSelfReport, 0
	key := passKey(in.IDNumber)
	if a.passTries.locked(key, a.now()) {
		return TripView{}, cordon.Errorf(cordon.KindRateLimited, "healthcode.identity_locked", "too many wrong tries for this identity number: wait 15 minutes")
	}
	v, err := a.recordArrival(ctx, cordon.Actor{Username: "public", Jurisdiction: cordon.Nationwide, Remote: remote}, in)
	if cordon.ErrorCode(err) == "arrival.identity_mismatch" {
		a.passTries.fail(key, a.now())
	}
	return v, err
}

func (a *App) recordArrival(ctx context.Context, actor cordon.Actor, in cordon.TripReport) (TripView, error) {
	now := a.now()
	if err := in.Validate(now); err != nil {
		return TripView{}, err
	}
	if actor.AccountID != 0 && !actor.Sees(in.Destination) {
		return TripView{}, cordon.Errorf(cordon.KindForbidden, "arrival.outside_jurisdiction",
			"the destination is outside your jurisdiction: send an assist request").WithField("destination", "arrival.outside_jurisdiction")
	}
	places, err := a.places(ctx)
	if err != nil {
		return TripView{}, err
	}
	var out TripView
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		var err error
		out, err = a.mergeTrip(ctx, tx, actor, in, tripContext{places: places})
		return err
	})
	if err != nil {
		return TripView{}, err
	}
	if actor.AccountID != 0 && !actor.Can(cordon.PermArrivalRead) {
		// A role that records but does not read arrivals (a checkpoint
		// officer, a sampler) learns the arrival and what is owed, not the
		// travel and sources merged from other channels.
		t := out.Trip
		out.Trip = cordon.Trip{ID: t.ID, PersonID: t.PersonID, Destination: t.Destination, ArrivedAt: t.ArrivedAt, Population: t.Population,
			Tier: t.Tier, Edition: t.Edition, Version: t.Version, Obligation: t.Obligation}
	}
	a.presentTrip(&out.Trip)
	return out, nil
}

// checkArrivalPlaces refuses division codes the directory does not know.
func (a *App) checkArrivalPlaces(ctx context.Context, tx *store.Tx, in cordon.TripReport) error {
	var v cordon.Invalid
	v.Code = "arrival.invalid"
	if !a.exists(ctx, tx, in.Destination) {
		v.Add("destination", "arrival.destination_unknown")
	}
	if !a.exists(ctx, tx, in.Origin) {
		v.Add("origin", "arrival.origin_unknown")
	}
	for _, s := range in.Travel {
		if !a.exists(ctx, tx, s.Place) {
			v.Add("travel", "arrival.travel_place_unknown")
			break
		}
	}
	return v.Err()
}

// tripContext is what a report is stored with besides itself.
type tripContext struct {
	places *cordon.ArrivalPlaces
	// quiet: no audit entry of its own (an import, whose chunks are
	// audited with the arrivals they wrote).
	quiet bool
	// policy, when set, resolves the edition of a destination (an import
	// resolves them once for the job); else it is read in the transaction.
	policy func(string) (cordon.Policy, error)
	// seen: the traveller was identified in person by their code (a
	// checkpoint passage), so may be anyone's; a person id given otherwise
	// must lie in the actor's subtree.
	seen bool
}

// mergeTrip stores one report: the person found by document or
// registered, moved to the destination, the report merged into the
// arrival of the same trip or a new one, matched, and its obligations
// made when the match is new or stronger.
func (a *App) mergeTrip(ctx context.Context, tx *store.Tx, actor cordon.Actor, in cordon.TripReport, c tripContext) (TripView, error) {
	var out TripView
	if err := a.checkArrivalPlaces(ctx, tx, in); err != nil {
		return out, err
	}
	personID, created, err := a.arrivingPerson(ctx, tx, actor, in, c.seen)
	if err != nil {
		return out, err
	}
	src := cordon.ArrivalSource{Channel: in.Channel, At: tx.Now, Ref: in.Ref, By: actor.Username}
	if actor.AccountID == 0 {
		src.By = ""
	}
	// A person registered just now lives at the destination and has made
	// no trip yet.
	// An arrival still expected (a report ahead of the trip) moves nobody
	// and owes nothing yet: the rematch after it is due does both.
	expected := in.ArrivedAt.After(tx.Now)
	var t cordon.Trip
	err = errNoTrip
	if !created {
		if !expected {
			if err := tx.MovePerson(ctx, personID, in.Destination); err != nil {
				return out, err
			}
		}
		// A trip into another county, or one the actor does not see, is
		// another arrival.
		t, err = tx.TripNear(ctx, personID, in.ArrivedAt, cordon.Trip{Destination: in.Destination}.County())
		if err == nil && actor.AccountID != 0 && !actor.Sees(t.Destination) {
			err = errNoTrip
		}
	}
	switch {
	case err == nil:
		// The same trip: keep the first report's time unless this one saw
		// the arrival itself (a checkpoint, a station), and the most
		// precise destination.
		if in.Channel == cordon.ChannelCheckpoint || in.Channel == cordon.ChannelStation {
			t.ArrivedAt = in.ArrivedAt
		}
		if len(in.Destination) > len(t.Destination) {
			t.Destination = in.Destination
		}
		t.Address = cmp.Or(t.Address, in.Address)
		t.Transport = cmp.Or(t.Transport, in.Transport)
		t.Travel = cordon.MergeTravel(t.Travel, in.Travel)
		if !slices.ContainsFunc(t.Sources, func(s cordon.ArrivalSource) bool {
			return s.Channel == src.Channel && s.Ref == src.Ref && s.Ref != ""
		}) {
			t.Sources = append(t.Sources, src) // a list imported twice adds nothing
		}
	case err == nil || cordon.ErrorKind(err) == cordon.KindNotFound:
		t = cordon.Trip{PersonID: personID, Destination: in.Destination, Address: in.Address, ArrivedAt: in.ArrivedAt, Origin: in.Origin,
			Travel: in.Travel, Transport: in.Transport, Sources: []cordon.ArrivalSource{src}}
		out.Created = true
	default:
		return out, err
	}
	if in.Channel == cordon.ChannelSelfReport && t.ReportedAt.IsZero() {
		t.ReportedAt = tx.Now
	}
	var pol cordon.Policy
	if c.policy != nil {
		pol, err = c.policy(t.Destination)
	} else {
		pol, err = policyIn(ctx, tx, t.Destination, t.ArrivedAt)
	}
	if err != nil {
		return out, err
	}
	oldPop, oldTier := t.Population, t.Tier
	m := cordon.MatchArrival(pol, c.places, t)
	t.Areas, t.MatchNote = m.Areas, m.Note
	stronger := !expected && (out.Created || pol.Arrivals.Stronger(m.Population.Key, m.Tier, oldPop, oldTier))
	if stronger {
		t.Population, t.Tier, t.Edition = m.Population.Key, m.Tier, pol.Key
	}
	if out.Created {
		err = tx.CreateTrip(ctx, &t)
	} else {
		err = tx.UpdateTrip(ctx, &t)
	}
	if err != nil {
		return out, err
	}
	detail := fmt.Sprintf("%s %s from %s: %s", in.Channel, t.Destination, t.Origin, t.Population)
	if created {
		detail += " (person registered)"
	}
	if !c.quiet {
		if err := audit(ctx, tx, actor, "arrival.record", arrivalRecord(t.ID), "", detail); err != nil {
			return out, err
		}
	}
	if stronger {
		if err := a.oblige(ctx, tx, actor, &t, pol, m, c.quiet, !out.Created); err != nil {
			return out, err
		}
	}
	if c.quiet {
		out.Trip = t
		return out, nil
	}
	obs, err := tx.ObligationsOf(ctx, t.ID)
	if err != nil {
		return out, err
	}
	t.Obligation = obs[t.ID]
	if expected {
		// What the traveller will owe on arriving, for the answer; stored
		// when the arrival is due.
		t.Population, t.Tier = m.Population.Key, m.Tier
		for _, o := range m.Obligations(t.ArrivedAt) {
			o.Status, o.Jurisdiction, o.Edition = cordon.ObligationOpen, t.Destination, pol.Key
			t.Obligation = append(t.Obligation, o)
		}
	}
	if !t.ReportedAt.IsZero() {
		onTime := !t.ReportedAt.After(t.ArrivedAt.Add(time.Duration(pol.Arrivals.ReportAfterHours) * time.Hour))
		out.OnTime = &onTime
	}
	out.Trip = t
	return out, nil
}

// arrivingPerson finds the traveller by id or document, or registers them
// living at the destination.
func (a *App) arrivingPerson(ctx context.Context, tx *store.Tx, actor cordon.Actor, in cordon.TripReport, seen bool) (int64, bool, error) {
	if in.PersonID != 0 {
		p, err := tx.Person(ctx, store.Everywhere, in.PersonID)
		if err != nil {
			return 0, false, err
		}
		if actor.AccountID != 0 && !seen && !actor.Sees(p.Current) && !actor.Sees(p.Residence) {
			return 0, false, cordon.Errorf(cordon.KindNotFound, "person.not_found", "person not found").WithField("person_id", "person.not_found")
		}
		return p.ID, false, nil
	}
	p, err := tx.PersonByDocument(ctx, store.Everywhere, cordon.DocCitizenID, in.IDNumber)
	if err == nil {
		if actor.AccountID == 0 && (p.Phone == "" || p.Phone != in.Phone) {
			return 0, false, cordon.Errorf(cordon.KindForbidden, "arrival.identity_mismatch",
				"this identity number is registered with another phone: ask your community (grid worker) to record the arrival").WithField("phone", "arrival.identity_mismatch")
		}
		return p.ID, false, nil
	}
	if cordon.ErrorKind(err) != cordon.KindNotFound {
		return 0, false, err
	}
	pin := cordon.PersonInput{Name: in.Name, IDNumber: in.IDNumber, Phone: in.Phone, Residence: in.Destination, Current: in.Destination, Address: in.Address}
	np, err := pin.Validate(cordon.PersonRules{KnownAddress: a.dir.KnownAddressCode, Now: tx.Now})
	if err != nil {
		return 0, false, err
	}
	if err := tx.CreatePerson(ctx, &np, actor.AccountID); err != nil {
		return 0, false, err
	}
	return np.ID, true, nil
}

// oblige replaces the open obligations of an arrival with those of its
// population: a test by a due time, or a control order of the measure,
// made at once from the day after the arrival.
func (a *App) oblige(ctx context.Context, tx *store.Tx, actor cordon.Actor, t *cordon.Trip, pol cordon.Policy, m cordon.ArrivalMatch, quiet, replace bool) error {
	// The open obligations it replaces, and their orders, which the new
	// order converts.
	var replaced []int64
	if replace {
		obs, err := tx.ObligationsOf(ctx, t.ID)
		if err != nil {
			return err
		}
		for _, o := range obs[t.ID] {
			if o.Status == cordon.ObligationOpen && o.OrderID != 0 {
				replaced = append(replaced, o.OrderID)
			}
		}
		if err := tx.SupersedeObligations(ctx, t.ID, t.PersonID); err != nil {
			return err
		}
	}
	for _, o := range m.Obligations(t.ArrivedAt) {
		o.ArrivalID, o.PersonID, o.Jurisdiction, o.Edition = t.ID, t.PersonID, t.Destination, pol.Key
		if o.Kind == cordon.ObligationOrder {
			phases, err := cordon.ControlPlan(pol, o.Measure, t.ArrivedAt)
			if err != nil {
				return err
			}
			ord := cordon.ControlOrder{PersonID: t.PersonID, Basis: cordon.BasisArrival, Population: o.Measure, LastExposure: t.ArrivedAt,
				Status: cordon.OrderActive, Jurisdiction: t.Destination, Edition: pol.Key, Note: "arrival " + strconv.FormatInt(t.ID, 10) + ": " + t.MatchNote}
			ord.SetPhases(phases)
			if err := tx.CreateOrder(ctx, &ord, actor.AccountID, actor.Username); err != nil {
				return err
			}
			if err := audit(ctx, tx, actor, "order.create", orderRecord(ord.ID), "",
				fmt.Sprintf("%s for %s under %s: %s to %s", ord.Type, o.Measure, pol.Key, ord.StartsOn, ord.EndsOn)); err != nil {
				return err
			}
			o.OrderID = ord.ID
			if err := a.convertArrivalOrders(ctx, tx, actor, replaced, ord.ID); err != nil {
				return err
			}
			replaced = nil
		}
		if err := tx.CreateObligation(ctx, &o); err != nil {
			return err
		}
		if quiet {
			continue
		}
		if err := audit(ctx, tx, actor, "obligation.create", obligationRecord(o.ID), "", fmt.Sprintf("%s %s", o.Kind, o.Population)); err != nil {
			return err
		}
	}
	return nil
}

// convertArrivalOrders ends the active orders of an arrival's replaced
// obligations: the order of a stronger population takes over from now.
func (a *App) convertArrivalOrders(ctx context.Context, tx *store.Tx, actor cordon.Actor, ids []int64, into int64) error {
	for _, id := range ids {
		o, err := tx.Order(ctx, store.Everywhere, id)
		if err != nil {
			return err
		}
		if o.Status != cordon.OrderActive {
			continue
		}
		o.Status, o.ReleasedAt, o.ReleasedBy, o.ConvertedTo = cordon.OrderConverted, tx.Now, actor.Username, into
		o.ReleaseReason = fmt.Sprintf("来返人员风险升级，转为管控令 #%d", into)
		if err := tx.UpdateOrder(ctx, o, 0); err != nil {
			return err
		}
		if err := audit(ctx, tx, actor, "order.convert", orderRecord(o.ID), "", fmt.Sprintf("arrival population stronger: into order %d", into)); err != nil {
			return err
		}
	}
	return nil
}

// presentTrip names the places of an arrival and flags overdue tests;
// the traveller is masked where read (tripPeople).
func (a *App) presentTrip(t *cordon.Trip) {
	t.DestinationName, t.OriginName = a.dir.Path(t.Destination), a.dir.Path(t.Origin)
	for i := range t.Travel {
		t.Travel[i].PlaceName = a.dir.Path(t.Travel[i].Place)
	}
	if t.Obligation == nil {
		t.Obligation = []cordon.Obligation{}
	}
	now := a.now()
	for i := range t.Obligation {
		t.Obligation[i].Overdue = t.Obligation[i].IsOverdue(now)
	}
}

// Arrival reads one arrival into the actor's subtree, with the traveller
// masked by role and the obligations; the read is audited.
func (a *App) Arrival(ctx context.Context, actor cordon.Actor, id int64, reason string) (cordon.Trip, error) {
	if err := authorize(actor, cordon.PermArrivalRead); err != nil {
		return cordon.Trip{}, err
	}
	var t cordon.Trip
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if t, err = tx.Trip(ctx, store.ScopeOf(actor), id); err != nil {
			return err
		}
		if err := a.tripPeople(ctx, tx, actor, []*cordon.Trip{&t}); err != nil {
			return err
		}
		readAudit(tx, actor, "arrival.read", arrivalRecord(id), reason, personRecord(t.PersonID))
		return nil
	})
	if err != nil {
		return t, err
	}
	a.presentTrip(&t)
	return t, nil
}

// Arrivals lists the arrivals into the actor's subtree, newest first,
// masked by role; the read is audited.
func (a *App) Arrivals(ctx context.Context, actor cordon.Actor, f cordon.ArrivalFilter) ([]cordon.Trip, error) {
	if err := authorize(actor, cordon.PermArrivalRead); err != nil {
		return nil, err
	}
	var out []cordon.Trip
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if out, err = tx.Trips(ctx, store.ScopeOf(actor), f); err != nil {
			return err
		}
		ptrs := make([]*cordon.Trip, len(out))
		for i := range out {
			ptrs[i] = &out[i]
		}
		if err := a.tripPeople(ctx, tx, actor, ptrs); err != nil {
			return err
		}
		ids := make([]int64, len(out))
		for i := range out {
			ids[i] = out[i].ID
		}
		readAudit(tx, actor, "arrival.list", "", "", "arrivals "+joinIDs(ids))
		return nil
	})
	for i := range out {
		a.presentTrip(&out[i])
	}
	return out, err
}

// tripPeople fills in the travellers, masked by role, and the obligations.
func (a *App) tripPeople(ctx context.Context, tx *store.Tx, actor cordon.Actor, ts []*cordon.Trip) error {
	ids := make([]int64, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	obs, err := tx.ObligationsOf(ctx, ids...)
	if err != nil {
		return err
	}
	for _, t := range ts {
		p, err := tx.Person(ctx, store.Everywhere, t.PersonID)
		if err != nil {
			return err
		}
		a.present(actor, &p)
		t.Name, t.IDNumber, t.Phone, t.Masked = p.Name, p.IDNumber, p.Phone, p.Masked
		t.Obligation = obs[t.ID]
	}
	return nil
}

// ArrivalTasks is the task list of arrivals' tests in the actor's subtree:
// open ones, earliest due first, or only the overdue ones; each with the
// traveller masked by role. The read is audited.
func (a *App) ArrivalTasks(ctx context.Context, actor cordon.Actor, f cordon.ObligationFilter) ([]cordon.Obligation, error) {
	if err := authorize(actor, cordon.PermArrivalRead); err != nil {
		return nil, err
	}
	if f.Status == "" && !f.Overdue {
		f.Status = cordon.ObligationOpen
	}
	if f.Status != "" && !slices.Contains([]cordon.ObligationStatus{cordon.ObligationOpen, cordon.ObligationMet, cordon.ObligationSuperseded}, f.Status) {
		return nil, cordon.Errorf(cordon.KindInvalid, "obligation.filter_invalid", "status is open, met or superseded").WithField("status", "obligation.filter_invalid")
	}
	now := a.now()
	var out []cordon.Obligation
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if out, err = tx.Obligations(ctx, store.ScopeOf(actor), f, now); err != nil {
			return err
		}
		for i := range out {
			p, err := tx.Person(ctx, store.Everywhere, out[i].PersonID)
			if err != nil {
				return err
			}
			a.present(actor, &p)
			out[i].Name, out[i].Phone = p.Name, p.Phone
			out[i].Overdue = out[i].IsOverdue(now)
		}
		ids := make([]int64, len(out))
		for i := range out {
			ids[i] = out[i].PersonID
		}
		readAudit(tx, actor, "obligation.list", "", "", "persons "+joinIDs(ids))
		return nil
	})
	return out, err
}

// MeetObligation marks a test obligation met by hand (a test taken where
// cordon does not see it, say in another province), with a note.
func (a *App) MeetObligation(ctx context.Context, actor cordon.Actor, id int64, note string) (cordon.Obligation, error) {
	if err := authorize(actor, cordon.PermArrivalWrite); err != nil {
		return cordon.Obligation{}, err
	}
	note = strings.TrimSpace(note)
	if note == "" || utf8.RuneCountInString(note) > 200 {
		return cordon.Obligation{}, cordon.Errorf(cordon.KindInvalid, "obligation.note_required", "say where the test was taken").WithField("note", "obligation.note_required")
	}
	var o cordon.Obligation
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if o, err = tx.Obligation(ctx, store.ScopeOf(actor), id); err != nil {
			return err
		}
		if o.Kind != cordon.ObligationTest || o.Status != cordon.ObligationOpen {
			return cordon.Errorf(cordon.KindConflict, "obligation.not_open", "only an open test obligation can be met")
		}
		if err := tx.MeetObligation(ctx, o, max(o.Taken, o.Tests), tx.Now, actor.Username+": "+note); err != nil {
			return err
		}
		o.Status, o.MetAt, o.MetBy = cordon.ObligationMet, tx.Now, actor.Username+": "+note
		return audit(ctx, tx, actor, "obligation.meet", obligationRecord(o.ID), note, personRecord(o.PersonID))
	})
	return o, err
}

// SettleObligations counts the samples of persons with open test
// obligations (kept aside as they are registered) and marks met those
// whose tests are taken, at the sample that completed them. It runs on
// the schedule and returns how many it met.
func (a *App) SettleObligations(ctx context.Context) (int, error) {
	met := 0
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		samples, err := tx.ObligationSamples(ctx)
		if err != nil {
			return err
		}
		for i := 0; i < len(samples); {
			o := samples[i].Obligation
			j := i
			for j < len(samples) && samples[j].Obligation.ID == o.ID {
				j++
			}
			days := samples[i:j] // one a day, in day order
			i = j
			switch {
			case len(days) >= o.Tests:
				at := days[o.Tests-1].At
				if err := tx.MeetObligation(ctx, o, len(days), at, "sample"); err != nil {
					return err
				}
				met++
				if err := tx.Audit(ctx, cordon.AuditEntry{Username: "system", Action: "obligation.meet", Record: obligationRecord(o.ID),
					Jurisdiction: o.Jurisdiction, Detail: fmt.Sprintf("%d test(s) taken", len(days))}); err != nil {
					return err
				}
			case len(days) > o.Taken:
				if err := tx.CountTaken(ctx, o.ID, len(days)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return met, err
}

// RematchResult is what a rematch of arrivals did.
type RematchResult struct {
	Arrivals int `json:"arrivals"` // matched again
	Areas    int `json:"areas"`    // risk areas they were matched against
	Stronger int `json:"stronger"` // moved to a stronger population, with new obligations
	Changed  int `json:"changed"`  // stored again: stronger, or the same with other areas met
	// Matched is how long reading and matching took, Took the whole,
	// storing the changes included.
	Matched time.Duration `json:"matched"`
	Took    time.Duration `json:"took"`
}

// RematchArrivals matches every arrival of the last ArrivalLookback again
// against the risk areas and case places as they are now: an area
// declared today with an earlier first day reaches travellers who arrived
// before it. An arrival whose population is now stronger gets the new
// population's obligations; a weaker match changes nothing (obligations
// made stand). It runs after risk areas change and on the schedule.
func (a *App) RematchArrivals(ctx context.Context) (RematchResult, error) {
	start := time.Now()
	a.forgetPlaces()
	places, err := a.places(ctx)
	if err != nil {
		return RematchResult{}, err
	}
	now := a.now()
	book, err := a.policyBook(ctx, now)
	if err != nil {
		return RematchResult{}, err
	}
	res := RematchResult{Areas: places.Areas()}
	type change struct {
		t   cordon.Trip
		pol cordon.Policy
		m   cordon.ArrivalMatch
	}
	var changes []change
	// The database is read in this goroutine and the matching done in
	// another, in batches: on two cores, reading and matching overlap.
	type item struct {
		t   cordon.Trip
		pol cordon.Policy
	}
	batches := make(chan []item, 4)
	matched := make(chan []change)
	go func() {
		var out []change
		for batch := range batches {
			for _, it := range batch {
				if it.t.ArrivedAt.After(now) {
					continue // still expected
				}
				m := cordon.MatchArrival(it.pol, places, it.t)
				if it.pol.Arrivals.Stronger(m.Population.Key, m.Tier, it.t.Population, it.t.Tier) || m.Population.Key == it.t.Population && !slices.Equal(m.Areas, it.t.Areas) {
					out = append(out, change{it.t, it.pol, m})
				}
			}
		}
		matched <- out
	}()
	batch := make([]item, 0, 1024)
	err = a.db.Read(ctx, func(tx *store.Tx) error {
		return tx.EachTrip(ctx, now.Add(-ArrivalLookback), func(t cordon.Trip) error {
			res.Arrivals++
			pol, err := book(t.Destination)
			if err != nil {
				return err
			}
			if batch = append(batch, item{t, pol}); len(batch) == cap(batch) {
				batches <- batch
				batch = make([]item, 0, 1024)
			}
			return nil
		})
	})
	batches <- batch
	close(batches)
	changes = <-matched
	if err != nil {
		return res, err
	}
	res.Matched, res.Changed = time.Since(start), len(changes)
	system := cordon.Actor{Username: "system", Jurisdiction: cordon.Nationwide}
	for len(changes) > 0 {
		n := min(len(changes), 500)
		err := a.db.Transact(ctx, func(tx *store.Tx) error {
			for _, c := range changes[:n] {
				t, stronger := c.t, c.pol.Arrivals.Stronger(c.m.Population.Key, c.m.Tier, c.t.Population, c.t.Tier)
				if t.Population == "" { // was expected, has arrived
					if err := tx.MovePerson(ctx, t.PersonID, t.Destination); err != nil {
						return err
					}
				}
				t.Areas, t.MatchNote = c.m.Areas, c.m.Note
				if stronger {
					t.Population, t.Tier, t.Edition = c.m.Population.Key, c.m.Tier, c.pol.Key
				}
				if err := tx.RematchTrip(ctx, &t); err != nil {
					if cordon.ErrorCode(err) == "arrival.version_conflict" {
						continue // changed by a report meanwhile, which matched it
					}
					return err
				}
				if !stronger {
					continue
				}
				res.Stronger++
				if err := audit(ctx, tx, system, "arrival.rematch", arrivalRecord(t.ID), "", t.Population+" "+t.MatchNote); err != nil {
					return err
				}
				if err := a.oblige(ctx, tx, system, &t, c.pol, c.m, true, true); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return res, err
		}
		changes = changes[n:]
	}
	res.Took = time.Since(start)
	return res, nil
}

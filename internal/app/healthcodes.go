package app

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"cordon"
	"cordon/internal/store"
)

// Health codes (健康码) are computed, never stored: a person's colour is
// cordon.CodeAt over the facts of the person (cases, contacts, orders,
// holds, marks) and the area measures over where they live. The facts sit
// in memory, in codeBook, loaded once and reloaded for a person after any
// commit that touched them (store.Tx.TouchPerson), so that a lookup reads
// no database and a measure over a county's 350,000 residents is one row
// that every lookup consults.

// factHorizon bounds the facts kept in memory: those that ended longer ago
// change no colour and no "since" worth showing.
const factHorizon = 60 * 24 * time.Hour

// codePlace is where a person lives and is now, as indexes into the
// interned jurisdiction codes. The zero value is a person not yet known.
type codePlace struct{ residence, current uint32 }

type codeBook struct {
	loadMu sync.Mutex
	loaded bool

	mu       sync.RWMutex
	places   []codePlace // by person id
	names    []string    // masked, by person id: what a verifier shows
	codes    []string    // interned jurisdiction codes; 0 is none
	codeIdx  map[string]uint32
	facts    map[int64][]cordon.CodeFact
	windows  map[int64]cordon.CodeWindowGrant
	merged   map[int64]int64
	stale    map[int64]uint64 // person → the epoch of their last change
	epoch    uint64
	measures []cordon.AreaMeasure
	areas    []placeFact // of risk areas
	// measureGen counts installs of measures and risk areas, so that a load that read
	// them earlier does not overwrite a newer list; reloadMu orders reloads.
	measureGen uint64
	reloadMu   sync.Mutex
	ready      atomic.Bool // loaded: lookups skip loadMu
}

func newCodeBook() *codeBook {
	return &codeBook{codes: []string{""}, codeIdx: map[string]uint32{"": 0}, facts: map[int64][]cordon.CodeFact{},
		windows: map[int64]cordon.CodeWindowGrant{}, merged: map[int64]int64{}, stale: map[int64]uint64{}}
}

// changed is the store's OnPersonsChanged hook: the persons' entries are
// read again on their next lookup.
func (b *codeBook) changed(ids []int64) {
	b.mu.Lock()
	b.epoch++
	for _, id := range ids {
		if id > 0 {
			b.stale[id] = b.epoch
		}
	}
	b.mu.Unlock()
}

func (b *codeBook) intern(code string) uint32 {
	if i, ok := b.codeIdx[code]; ok {
		return i
	}
	b.codes = append(b.codes, code)
	i := uint32(len(b.codes) - 1)
	b.codeIdx[code] = i
	return i
}

// put installs one person's entry; the caller holds b.mu.
func (b *codeBook) put(h store.PersonHome, facts []cordon.CodeFact, w *cordon.CodeWindowGrant) {
	for int64(len(b.places)) <= h.ID {
		n := max(len(b.places), 1024)
		b.places = append(b.places, make([]codePlace, n)...)
		b.names = append(b.names, make([]string, n)...)
	}
	b.places[h.ID] = codePlace{b.intern(h.Residence), b.intern(h.Current)}
	b.names[h.ID] = cordon.MaskName(h.Name)
	if len(facts) > 0 {
		b.facts[h.ID] = facts
	} else {
		delete(b.facts, h.ID)
	}
	if w != nil {
		b.windows[h.ID] = *w
	} else {
		delete(b.windows, h.ID)
	}
	if h.MergedInto != 0 {
		b.merged[h.ID] = h.MergedInto
	} else {
		delete(b.merged, h.ID)
	}
}

// placeFact is a fact of everyone whose place lies in a jurisdiction.
type placeFact struct {
	jurisdiction string
	fact         cordon.CodeFact
}

// factsOver lists the facts of the measures and risk areas over a place;
// the caller holds b.mu.
func (b *codeBook) factsOver(place string) []cordon.CodeFact {
	var out []cordon.CodeFact
	for _, m := range b.measures {
		if cordon.Within(place, m.Jurisdiction) {
			out = append(out, m.Fact())
		}
	}
	for _, a := range b.areas {
		if cordon.Within(place, a.jurisdiction) {
			out = append(out, a.fact)
		}
	}
	return out
}

// readPlaceFacts reads what colours codes by place: every area measure and
// every risk area, ended and lifted ones included (for "since" and history).
func readPlaceFacts(ctx context.Context, tx *store.Tx) ([]cordon.AreaMeasure, []cordon.RiskArea, error) {
	measures, err := tx.AreaMeasures(ctx)
	if err != nil {
		return nil, nil, err
	}
	areas, err := tx.RiskAreas(ctx, store.Everywhere, cordon.RiskAreaFilter{Lifted: true})
	return measures, areas, err
}

// riskAreaFacts turns risk areas into the facts of the places in them,
// each by the tiers of its own edition.
func riskAreaFacts(areas []cordon.RiskArea) []placeFact {
	var out []placeFact
	for _, r := range areas {
		p, ok := cordon.Edition(r.Edition)
		if !ok {
			continue
		}
		for _, f := range r.CodeFacts(p) {
			out = append(out, placeFact{r.Jurisdiction, f})
		}
	}
	return out
}

// codeEntry is what a person's code is computed from.
type codeEntry struct {
	id                 int64
	name               string // masked
	residence, current string
	facts              []cordon.CodeFact
	window             *cordon.CodeWindowGrant
}

// loadCodes fills the book on first use: everyone's places, the facts in
// force within factHorizon, and the measures.
func (a *App) loadCodes(ctx context.Context) error {
	b := a.book
	if b.ready.Load() {
		return nil
	}
	b.loadMu.Lock()
	defer b.loadMu.Unlock()
	if b.loaded {
		return nil
	}
	b.mu.Lock()
	epoch, gen := b.epoch, b.measureGen
	b.mu.Unlock()
	homes := make([]store.PersonHome, 0, 1024)
	facts := map[int64][]cordon.CodeFact{}
	windows := map[int64]cordon.CodeWindowGrant{}
	var measures []cordon.AreaMeasure
	var areas []cordon.RiskArea
	since := a.now().Add(-factHorizon)
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		err := tx.PersonHomes(ctx, func(h store.PersonHome) error {
			homes = append(homes, h)
			return nil
		})
		if err != nil {
			return err
		}
		err = tx.AllCodeFacts(ctx, since, func(id int64, f cordon.CodeFact) { facts[id] = append(facts[id], f) },
			func(id int64, w cordon.CodeWindowGrant) { windows[id] = w })
		if err != nil {
			return err
		}
		measures, areas, err = readPlaceFacts(ctx, tx)
		return err
	})
	if err != nil {
		return err
	}
	// Facts filed under a record merged into another are the survivor's.
	mergedInto := map[int64]int64{}
	for _, h := range homes {
		if h.MergedInto != 0 {
			mergedInto[h.ID] = h.MergedInto
		}
	}
	for id, fs := range facts {
		to := id
		for hops := 0; hops < 8 && mergedInto[to] != 0; hops++ {
			to = mergedInto[to]
		}
		if to != id {
			facts[to] = append(facts[to], fs...)
			delete(facts, id)
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, h := range homes {
		if b.stale[h.ID] > epoch {
			continue // changed while loading: read again on lookup
		}
		var w *cordon.CodeWindowGrant
		if g, ok := windows[h.ID]; ok {
			w = &g
		}
		b.put(h, facts[h.ID], w)
		delete(b.stale, h.ID)
	}
	if b.measureGen == gen {
		b.measures, b.areas = measures, riskAreaFacts(areas)
		b.measureGen++
	}
	b.loaded = true
	b.ready.Store(true)
	return nil
}

// codeEntry returns what a person's code is computed from, from memory
// or, for a person changed since, from the database.
func (a *App) codeEntry(ctx context.Context, id int64) (codeEntry, error) {
	if err := a.loadCodes(ctx); err != nil {
		return codeEntry{}, err
	}
	b := a.book
	for hops := 0; hops < 4; hops++ {
		b.mu.RLock()
		_, stale := b.stale[id]
		if !stale && id > 0 && id < int64(len(b.places)) && b.places[id] != (codePlace{}) {
			if to, ok := b.merged[id]; ok {
				b.mu.RUnlock()
				id = to
				continue
			}
			p := b.places[id]
			e := codeEntry{id: id, name: b.names[id], residence: b.codes[p.residence], current: b.codes[p.current], facts: b.facts[id]}
			if w, ok := b.windows[id]; ok {
				e.window = &w
			}
			b.mu.RUnlock()
			return e, nil
		}
		epoch := b.epoch
		b.mu.RUnlock()
		e, merged, err := a.readCodeEntry(ctx, id, epoch)
		if err != nil || merged == 0 {
			return e, err
		}
		id = merged
	}
	return codeEntry{}, cordon.Errorf(cordon.KindNotFound, "person.not_found", "person not found")
}

// readCodeEntry reads one person's entry and installs it unless the person
// changed again since epoch.
func (a *App) readCodeEntry(ctx context.Context, id int64, epoch uint64) (codeEntry, int64, error) {
	var h store.PersonHome
	var facts []cordon.CodeFact
	var w *cordon.CodeWindowGrant
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		if h, err = tx.PersonHomeOf(ctx, id); err != nil {
			return err
		}
		facts, w, err = a.personCodeFacts(ctx, tx, id, a.now().Add(-factHorizon))
		return err
	})
	if err != nil {
		return codeEntry{}, 0, err
	}
	b := a.book
	b.mu.Lock()
	if b.stale[id] <= epoch {
		b.put(h, facts, w)
		delete(b.stale, id)
	}
	b.mu.Unlock()
	return codeEntry{id: id, name: cordon.MaskName(h.Name), residence: h.Residence, current: h.Current, facts: facts, window: w}, h.MergedInto, nil
}

// personCodeFacts reads a person's facts that ended at or after since
// (all of them when since is zero).
func (a *App) personCodeFacts(ctx context.Context, tx *store.Tx, id int64, since time.Time) ([]cordon.CodeFact, *cordon.CodeWindowGrant, error) {
	facts, w, err := tx.CodeFactsOf(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	facts = slices.DeleteFunc(facts, func(f cordon.CodeFact) bool { return !f.Until.IsZero() && f.Until.Before(since) })
	return facts, w, nil
}

// measuresOver lists the facts of the measures and risk areas over a
// place.
func (a *App) measuresOver(place string) []cordon.CodeFact {
	a.book.mu.RLock()
	defer a.book.mu.RUnlock()
	return a.book.factsOver(place)
}

// codeOf computes a person's code at now from their entry.
func (a *App) codeOf(e codeEntry, now time.Time) cordon.HealthCodeStatus {
	facts := append(slices.Clip(e.facts), a.measuresOver(e.current)...)
	color, reasons, in := cordon.CodeAt(facts, now)
	s := cordon.HealthCodeStatus{PersonID: e.id, Color: color, Reasons: reasons, Causes: in, At: now}
	if s.Reasons == nil {
		s.Reasons = []cordon.CodeReason{}
	}
	if h := cordon.CodeHistory(facts, now); len(h) > 0 {
		s.Since = h[len(h)-1].At
	}
	if s.Window = e.window; inWindow(color, e.window, now) {
		s.Color, s.InWindow = cordon.Green, true
	}
	return s
}

// inWindow reports whether a yellow code is inside its travel window,
// where it shows green.
func inWindow(color cordon.CodeColor, w *cordon.CodeWindowGrant, now time.Time) bool {
	return w != nil && color == cordon.Yellow && !now.Before(w.From) && now.Before(w.Until)
}

// HealthCode is a person's code now, for staff: colour, reasons and their
// causes, since when. A read of personal data: confined to the reader's
// subtree and audited.
func (a *App) HealthCode(ctx context.Context, actor cordon.Actor, personID int64, reason string) (cordon.HealthCodeStatus, error) {
	if err := authorize(actor, cordon.PermHealthCodeRead); err != nil {
		return cordon.HealthCodeStatus{}, err
	}
	e, err := a.visibleCodeEntry(ctx, actor, personID)
	if err != nil {
		return cordon.HealthCodeStatus{}, err
	}
	s := a.codeOf(e, a.now())
	return s, a.recordRead(ctx, actor, "healthcode.read", personRecord(e.id), reason, string(s.Color))
}

func (a *App) visibleCodeEntry(ctx context.Context, actor cordon.Actor, personID int64) (codeEntry, error) {
	e, err := a.codeEntry(ctx, personID)
	if err == nil && !actor.Sees(e.residence) && !actor.Sees(e.current) {
		err = cordon.Errorf(cordon.KindNotFound, "person.not_found", "person not found")
	}
	return e, err
}

// HealthCodeHistory lists the changes of a person's code with their
// causes, read from all the person's facts (not only those in memory).
func (a *App) HealthCodeHistory(ctx context.Context, actor cordon.Actor, personID int64, reason string) ([]cordon.CodeChange, error) {
	if err := authorize(actor, cordon.PermHealthCodeRead); err != nil {
		return nil, err
	}
	e, err := a.visibleCodeEntry(ctx, actor, personID)
	if err != nil {
		return nil, err
	}
	var facts []cordon.CodeFact
	err = a.db.Read(ctx, func(tx *store.Tx) error {
		facts, _, err = a.personCodeFacts(ctx, tx, e.id, time.Time{})
		return err
	})
	if err != nil {
		return nil, err
	}
	out := cordon.CodeHistory(append(facts, a.measuresOver(e.current)...), a.now())
	if out == nil {
		out = []cordon.CodeChange{}
	}
	return out, a.recordRead(ctx, actor, "healthcode.history", personRecord(e.id), reason, "")
}

// SetHealthCode sets a person's colour by hand (a mark forcing the colour,
// or adding a reason) with a written reason and an expiry: an
// administrator's correction, audited. Green reverts a colour by hand.
func (a *App) SetHealthCode(ctx context.Context, actor cordon.Actor, personID int64, m cordon.CodeMark) (cordon.CodeMark, error) {
	if err := authorize(actor, cordon.PermHealthCodeManage); err != nil {
		return m, err
	}
	now := a.now()
	m.PersonID, m.Source, m.From = personID, "manual", now
	if err := m.Validate(now); err != nil {
		return m, err
	}
	e, err := a.visibleCodeEntry(ctx, actor, personID)
	if err != nil {
		return m, err
	}
	m.PersonID = e.id // a record merged away: its survivor
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreateCodeMark(ctx, &m, actor.AccountID); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "healthcode.set", personRecord(m.PersonID), m.Note, string(m.Force)+" "+string(m.Reason))
	})
	return m, err
}

// markCode adds a reason to a person's code from a record that knows it
// (a companion search: B3), inside the caller's transaction.
func markCode(ctx context.Context, tx *store.Tx, actor cordon.Actor, m *cordon.CodeMark) error {
	if err := tx.CreateCodeMark(ctx, m, actor.AccountID); err != nil {
		return err
	}
	return audit(ctx, tx, actor, "healthcode.mark", personRecord(m.PersonID), m.Note, string(m.Reason)+" "+m.Source)
}

// RevokeCodeMark ends a mark before its expiry, with a reason.
func (a *App) RevokeCodeMark(ctx context.Context, actor cordon.Actor, id int64, note string) error {
	if err := authorize(actor, cordon.PermHealthCodeManage); err != nil {
		return err
	}
	if len([]rune(note)) < 2 {
		return cordon.Errorf(cordon.KindInvalid, "healthcode.reason_required", "say why").WithField("reason", "healthcode.reason_required")
	}
	return a.db.Transact(ctx, func(tx *store.Tx) error {
		m, err := tx.CodeMark(ctx, id)
		if err != nil {
			return err
		}
		if _, err := tx.Person(ctx, store.ScopeOf(actor), m.PersonID); err != nil {
			return err
		}
		if err := tx.RevokeCodeMark(ctx, m, actor.AccountID, note); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "healthcode.revoke", personRecord(m.PersonID), note, "mark:"+strconv.FormatInt(m.ID, 10))
	})
}

// CodeMarks lists a person's marks, for the page that revokes them.
func (a *App) CodeMarks(ctx context.Context, actor cordon.Actor, personID int64) ([]cordon.CodeMark, error) {
	if err := authorize(actor, cordon.PermHealthCodeRead); err != nil {
		return nil, err
	}
	var out []cordon.CodeMark
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		if _, err := tx.Person(ctx, store.ScopeOf(actor), personID); err != nil {
			return err
		}
		var err error
		out, err = tx.CodeMarksOf(ctx, personID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, a.recordRead(ctx, actor, "healthcode.marks", personRecord(personID), "", "")
}

// GrantCodeWindow gives a yellow-code holder the one-time window of 1–24 h
// to travel home, from now. Staff grant it (actor), or the person asks on
// their own code page (OwnCodeWindow).
func (a *App) GrantCodeWindow(ctx context.Context, actor cordon.Actor, personID int64, hours int) (cordon.HealthCodeStatus, error) {
	if err := authorize(actor, cordon.PermHealthCodeManage); err != nil {
		return cordon.HealthCodeStatus{}, err
	}
	if _, err := a.visibleCodeEntry(ctx, actor, personID); err != nil {
		return cordon.HealthCodeStatus{}, err
	}
	return a.grantWindow(ctx, actor, personID, hours)
}

func (a *App) grantWindow(ctx context.Context, actor cordon.Actor, personID int64, hours int) (cordon.HealthCodeStatus, error) {
	now := a.now()
	from, until, err := cordon.CodeWindow(now, hours)
	if err != nil {
		return cordon.HealthCodeStatus{}, err
	}
	e, err := a.codeEntry(ctx, personID)
	if err != nil {
		return cordon.HealthCodeStatus{}, err
	}
	if e.window != nil {
		return cordon.HealthCodeStatus{}, cordon.Errorf(cordon.KindConflict, "healthcode.window_used", "the one-time travel window was granted already")
	}
	if s := a.codeOf(e, now); s.Color != cordon.Yellow {
		return s, cordon.Errorf(cordon.KindConflict, "healthcode.window_not_yellow", "only a yellow code may have a travel window")
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.GrantCodeWindow(ctx, e.id, cordon.CodeWindowGrant{From: from, Until: until}, actor.AccountID); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "healthcode.window", personRecord(e.id), "", strconv.Itoa(hours)+"h")
	})
	if err != nil {
		return cordon.HealthCodeStatus{}, err
	}
	e, err = a.codeEntry(ctx, e.id)
	if err != nil {
		return cordon.HealthCodeStatus{}, err
	}
	return a.codeOf(e, a.now()), nil
}

// CodeCounts counts the codes of everyone living in a jurisdiction
// inside the actor's subtree, by colour: the command center's figure. It
// reads the book only, and shows no one's code.
func (a *App) CodeCounts(ctx context.Context, actor cordon.Actor, jurisdiction string) (map[cordon.CodeColor]int, error) {
	if err := authorize(actor, cordon.PermHealthCodeRead); err != nil {
		return nil, err
	}
	if jurisdiction == "" {
		jurisdiction = actor.Jurisdiction
	}
	if !actor.Sees(jurisdiction) {
		return nil, cordon.ErrForbidden
	}
	if err := a.loadCodes(ctx); err != nil {
		return nil, err
	}
	now := a.now()
	b := a.book
	counts := map[cordon.CodeColor]int{cordon.Green: 0, cordon.Yellow: 0, cordon.Red: 0}
	// Per interned place: inside the jurisdiction, and the measures over it.
	var inside []bool
	var over [][]cordon.CodeFact
	places := func() {
		for i := len(inside); i < len(b.codes); i++ {
			code := b.codes[i]
			in := code != "" && cordon.Within(code, jurisdiction)
			var facts []cordon.CodeFact
			if in {
				facts = b.factsOver(code)
			}
			inside, over = append(inside, in), append(over, facts)
		}
	}
	// In chunks, so that commits (which mark persons changed) and lookups
	// are not held up behind a count of a whole city.
	const chunk = 1 << 16
	var stale []int64
	for start := 0; ; start += chunk {
		b.mu.RLock()
		if start >= len(b.places) {
			for id := range b.stale {
				stale = append(stale, id)
			}
			b.mu.RUnlock()
			break
		}
		places()
		for id := start; id < min(start+chunk, len(b.places)); id++ {
			p := b.places[id]
			pid := int64(id)
			if _, ok := b.stale[pid]; ok || p == (codePlace{}) || !inside[p.current] {
				continue // changed persons are counted below, once
			}
			if _, merged := b.merged[pid]; merged {
				continue
			}
			facts := b.facts[pid]
			if len(facts) == 0 && len(over[p.current]) == 0 {
				counts[cordon.Green]++
				continue
			}
			color, _, _ := cordon.CodeAt(append(slices.Clip(facts), over[p.current]...), now)
			if w, ok := b.windows[pid]; ok && inWindow(color, &w, now) {
				color = cordon.Green
			}
			counts[color]++
		}
		b.mu.RUnlock()
	}
	for _, id := range stale {
		e, err := a.codeEntry(ctx, id)
		if cordon.ErrorKind(err) == cordon.KindNotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		if e.id == id && cordon.Within(e.current, jurisdiction) { // a merged record counts as its survivor
			counts[a.codeOf(e, now).Color]++
		}
	}
	return counts, nil
}

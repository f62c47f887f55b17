package app

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"cordon"
	"cordon/internal/store"
)

// MaxItinerary bounds the visits of one companion search.
const MaxItinerary = 200

// CompanionQuery asks for the companions of a case over its infectious
// window, or of an explicit itinerary (the venues of an investigation).
// MinOverlapMinutes and BufferMinutes, when set, replace the policy's.
type CompanionQuery struct {
	CaseID            int64          `json:"case_id,omitempty"`
	Visits            []cordon.Visit `json:"visits,omitempty"`
	MinOverlapMinutes *int           `json:"min_overlap_minutes,omitempty"`
	BufferMinutes     *int           `json:"buffer_minutes,omitempty"`
}

// CompanionSearch is the answer: the window and rules searched, the
// itinerary and the companions ranked by overlap.
type CompanionSearch struct {
	CaseID     int64                 `json:"case_id,omitempty"`
	From       time.Time             `json:"from,omitzero"`
	To         time.Time             `json:"to,omitzero"`
	Edition    string                `json:"edition"`
	Rules      cordon.CompanionRules `json:"rules"`
	Itinerary  []ItineraryVisit      `json:"itinerary"`
	Companions []cordon.Companion    `json:"companions"`
}

// ItineraryVisit is a searched visit with its venue's name.
type ItineraryVisit struct {
	cordon.Visit
	VenueName string `json:"venue_name"`
	Source    string `json:"source"` // scan_in or investigation or query
}

// Companions finds the spatio-temporal companions (时空伴随者) of a case:
// everyone whose scan-ins overlap the case's stays at the same venue
// during its infectious window, from the policy edition in force where the
// case is (onset, or sampling if asymptomatic, minus the contact window,
// until the case was put under control). The case's stays are its own
// scan-ins and the venues of its investigation's itinerary; a query may
// instead give the visits itself. Companions are personal data: the
// search is audited with the people it found, and identity numbers are
// masked by role.
func (a *App) Companions(ctx context.Context, actor cordon.Actor, q CompanionQuery) (CompanionSearch, error) {
	if err := authorize(actor, cordon.PermScanInRead); err != nil {
		return CompanionSearch{}, err
	}
	if len(q.Visits) > MaxItinerary {
		return CompanionSearch{}, cordon.Errorf(cordon.KindTooLarge, "companion.itinerary_too_long", "at most %d visits", MaxItinerary)
	}
	if q.CaseID == 0 && len(q.Visits) == 0 {
		return CompanionSearch{}, cordon.Errorf(cordon.KindInvalid, "companion.itinerary_required", "give a case or the visits to search").WithField("visits", "companion.itinerary_required")
	}
	now := a.now()
	out := CompanionSearch{CaseID: q.CaseID}
	var self int64
	place := actor.Jurisdiction
	var c cordon.Case
	if q.CaseID != 0 {
		if err := authorize(actor, cordon.PermCaseRead); err != nil {
			return CompanionSearch{}, err
		}
		err := a.db.Read(ctx, func(tx *store.Tx) (err error) {
			c, err = tx.Case(ctx, store.ScopeOf(actor), q.CaseID)
			return err
		})
		if err != nil {
			return CompanionSearch{}, err
		}
		self, place = c.PersonID, c.Jurisdiction
	}
	p, err := a.Policy(ctx, place, now)
	if err != nil {
		return CompanionSearch{}, err
	}
	rules := p.Companions
	var bad cordon.Invalid
	bad.Code = "companion.invalid"
	if q.MinOverlapMinutes != nil {
		if *q.MinOverlapMinutes < 0 || *q.MinOverlapMinutes > 24*60 {
			bad.Add("min_overlap_minutes", "companion.min_overlap_invalid")
		}
		rules.MinOverlapMinutes = *q.MinOverlapMinutes
	}
	if q.BufferMinutes != nil {
		if *q.BufferMinutes < 0 || *q.BufferMinutes > 24*60 {
			bad.Add("buffer_minutes", "companion.buffer_invalid")
		}
		rules.BufferMinutes = *q.BufferMinutes
	}
	for i, v := range q.Visits {
		if v.VenueID <= 0 || v.From.IsZero() || v.From.After(now) || !v.To.IsZero() && !v.To.After(v.From) {
			bad.Add("visits["+strconv.Itoa(i)+"]", "companion.visit_invalid")
		}
	}
	if err := bad.Err(); err != nil {
		return CompanionSearch{}, err
	}
	out.Edition, out.Rules = p.Key, rules
	var itinerary []ItineraryVisit
	for _, v := range q.Visits {
		itinerary = append(itinerary, ItineraryVisit{Visit: v, Source: "query"})
	}
	var found []cordon.Companion
	err = a.db.Read(ctx, func(tx *store.Tx) error {
		if q.CaseID != 0 && len(q.Visits) == 0 {
			out.From, out.To = p.ContactWindow(c, c.ReportedAt)
			if out.To.IsZero() || out.To.After(now) {
				out.To = now
			}
			if self != 0 {
				scans, err := tx.ScanInsOf(ctx, self, out.From, out.To)
				if err != nil {
					return err
				}
				for _, s := range scans {
					itinerary = append(itinerary, ItineraryVisit{Visit: cordon.Visit{VenueID: s.VenueID, From: s.At, To: s.Leave}, Source: "scan_in"})
				}
			}
			visits, err := caseInvestigationVisits(ctx, tx, q.CaseID)
			if err != nil {
				return err
			}
			for _, v := range visits {
				if v.From.Before(out.To) && !v.From.Before(out.From) {
					itinerary = append(itinerary, ItineraryVisit{Visit: v, Source: "investigation"})
				}
			}
		}
		visits := make([]cordon.Visit, len(itinerary))
		ids := make([]int64, len(itinerary))
		for i, v := range itinerary {
			visits[i], ids[i] = v.Visit, v.VenueID
		}
		names, err := tx.VenueKeys(ctx, ids)
		if err != nil {
			return err
		}
		// Only venues the actor sees; others are named by number alone
		// and not searched (they belong to another jurisdiction's
		// investigation: an assist request).
		var searchErr error
		found = cordon.FindCompanions(visits, rules, self, func(i int) []cordon.ScanIn {
			v := visits[i]
			k, ok := names[v.VenueID]
			if !ok || !actor.Sees(k.Jurisdiction) || searchErr != nil {
				return nil
			}
			from, to := v.CandidateRange(rules)
			scans, err := tx.ScanInsAt(ctx, v.VenueID, from, to)
			if err != nil {
				searchErr = err
			}
			return scans
		})
		if searchErr != nil {
			return searchErr
		}
		for i := range itinerary {
			if k, ok := names[itinerary[i].VenueID]; ok && actor.Sees(k.Jurisdiction) {
				itinerary[i].VenueName = k.Name
			}
		}
		for i := range found {
			for j := range found[i].Stays {
				found[i].Stays[j].VenueName = names[found[i].Stays[j].VenueID].Name
			}
		}
		people := make([]int64, len(found))
		for i, f := range found {
			people[i] = f.PersonID
		}
		who, err := tx.PersonBriefs(ctx, people)
		if err != nil {
			return err
		}
		// Those already contacts of the case say so.
		if q.CaseID != 0 && actor.Can(cordon.PermContactRead) && len(found) > 0 {
			contactOf := map[int64]int64{}
			for after := int64(0); ; {
				cs, err := tx.Contacts(ctx, store.Everywhere, cordon.ContactFilter{CaseID: q.CaseID, After: after, Limit: store.MaxLimit})
				if err != nil {
					return err
				}
				for _, c := range cs {
					if c.PersonID != 0 {
						contactOf[c.PersonID] = c.ID
					}
				}
				if len(cs) < store.MaxLimit {
					break
				}
				after = cs[len(cs)-1].ID
			}
			for i := range found {
				found[i].ContactID = contactOf[found[i].PersonID]
			}
		}
		for i := range found {
			b := who[found[i].PersonID]
			found[i].Name, found[i].IDNumber = b.Name, b.IDNumber
			if !actor.Can(cordon.PermPersonReadFull) {
				found[i].IDNumber = cordon.MaskDocNumber(b.IDNumber)
			}
		}
		return nil
	})
	if err != nil {
		return CompanionSearch{}, err
	}
	out.Itinerary, out.Companions = itinerary, found
	if out.Companions == nil {
		out.Companions = []cordon.Companion{}
	}
	record := "itinerary"
	if q.CaseID != 0 {
		record = caseRecord(q.CaseID)
	}
	ids := make([]string, 0, len(found))
	for _, f := range found {
		ids = append(ids, strconv.FormatInt(f.PersonID, 10))
	}
	return out, a.recordRead(ctx, actor, "companion.search", record, "", "persons "+strings.Join(ids, ","))
}

// caseInvestigationVisits is the itinerary of a case's investigation
// that names venues.
func caseInvestigationVisits(ctx context.Context, tx *store.Tx, caseID int64) ([]cordon.Visit, error) {
	return tx.InvestigationVisits(ctx, caseID)
}

// CompanionToContact turns a companion of a case into a close contact of
// it in one action, the exposure being their longest overlap (venue and
// shared time), and holds the scan-ins it rests on past the retention
// period (AddContact does, with the contact). The companion is found again by the same search, so the
// exposure is what the search shows.
func (a *App) CompanionToContact(ctx context.Context, actor cordon.Actor, caseID, personID int64) (cordon.ContactResult, error) {
	if err := authorize(actor, cordon.PermContactWrite); err != nil {
		return cordon.ContactResult{}, err
	}
	found, err := a.Companions(ctx, actor, CompanionQuery{CaseID: caseID})
	if err != nil {
		return cordon.ContactResult{}, err
	}
	var comp *cordon.Companion
	for i := range found.Companions {
		if found.Companions[i].PersonID == personID {
			comp = &found.Companions[i]
		}
	}
	if comp == nil {
		return cordon.ContactResult{}, cordon.Errorf(cordon.KindNotFound, "companion.not_found", "this person is not a companion of the case")
	}
	best := comp.Stays[0]
	for _, st := range comp.Stays {
		if st.Seconds > best.Seconds {
			best = st
		}
	}
	// The contact's exposure holds the scan-ins it rests on, the case's
	// and the companion's, in the contact's own transaction.
	return a.AddContact(ctx, actor, cordon.ContactInput{ContactIdentity: cordon.ContactIdentity{PersonID: personID},
		Exposure: cordon.CompanionExposure(caseID, best.VenueID, best.From, best.To)})
}

// CompanionMarkDays is how long a companion's yellow code (B3) lasts: the
// 3 days of "3 days, 2 tests" after the shared time and margin for the
// results; an epidemiologist or administrator revokes it sooner when the
// tests are done, or makes the companion a contact.
const CompanionMarkDays = 7

// MarkCompanions turns the companions of a case yellow (B3, 时空伴随者):
// each named person must be among the case's companions now; one mark
// each, from now for CompanionMarkDays, citing the case. A person marked
// already by the same case is left as is. It returns the marks made.
func (a *App) MarkCompanions(ctx context.Context, actor cordon.Actor, caseID int64, personIDs []int64) ([]cordon.CodeMark, error) {
	if err := authorize(actor, cordon.PermContactWrite); err != nil {
		return nil, err
	}
	found, err := a.Companions(ctx, actor, CompanionQuery{CaseID: caseID})
	if err != nil {
		return nil, err
	}
	companions := map[int64]bool{}
	for _, c := range found.Companions {
		companions[c.PersonID] = true
	}
	for _, id := range personIDs {
		if !companions[id] {
			return nil, cordon.Errorf(cordon.KindNotFound, "companion.not_found", "person %d is not a companion of the case", id)
		}
	}
	now := a.now()
	source := caseRecord(caseID)
	var out []cordon.CodeMark
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		for _, id := range personIDs {
			marks, err := tx.CodeMarksOf(ctx, id)
			if err != nil {
				return err
			}
			if slices.ContainsFunc(marks, func(m cordon.CodeMark) bool {
				return m.Source == source && m.RevokedAt.IsZero() && m.Until.After(now)
			}) {
				continue
			}
			m := cordon.CodeMark{PersonID: id, Reason: cordon.ReasonCompanion, Note: "时空伴随者", Source: source,
				From: now, Until: now.AddDate(0, 0, CompanionMarkDays)}
			if err := markCode(ctx, tx, actor, &m); err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	return out, err
}

package app

import (
	"context"
	"slices"
	"time"

	"cordon"
	"cordon/internal/store"
)

// The three-code check (三码联查): at a venue or checkpoint, staff scan a
// person's health code (or type the identity number of someone without
// one) and see the colour with its reasons, the itinerary card of the
// places the person was in the last 7 or 14 days, and the scan-in recorded
// at the venue.

// CheckInput is one check.
type CheckInput struct {
	Token     string    `json:"token,omitempty"`     // the scanned health code
	IDNumber  string    `json:"id_number,omitempty"` // typed instead, for someone without a code
	VenueCode string    `json:"venue_code"`          // the venue or checkpoint's own code
	Days      int       `json:"days,omitempty"`      // 7 or 14 (default)
	ScannedAt time.Time `json:"scanned_at,omitzero"` // a scan queued while offline
}

// ItineraryPlace is one county on the itinerary card, starred when it held
// a risk area while the person was there.
type ItineraryPlace struct {
	Jurisdiction string    `json:"jurisdiction"`
	Name         string    `json:"name"`
	First        time.Time `json:"first"`
	Last         time.Time `json:"last"`
	Risk         bool      `json:"risk"`
	Sources      []string  `json:"sources"` // scanin, checkpoint (arrivals join them)
}

// ItineraryCard is the places of the last Days days, the latest first.
type ItineraryCard struct {
	Days   int              `json:"days"`
	From   time.Time        `json:"from"`
	Places []ItineraryPlace `json:"places"`
}

// CheckResult answers a check.
type CheckResult struct {
	Code      CodeVerification `json:"code"`
	Itinerary *ItineraryCard   `json:"itinerary,omitempty"`
	Venue     string           `json:"venue,omitempty"`
	ScanInAt  time.Time        `json:"scan_in_at,omitzero"`
	Again     bool             `json:"again,omitempty"` // the same scan-in was recorded before
}

// Check runs the three-code check. The colour is today's, computed, not
// the token's; a bad token answers Valid false and records nothing.
func (a *App) Check(ctx context.Context, actor cordon.Actor, in CheckInput) (CheckResult, error) {
	if err := authorize(actor, cordon.PermCodeCheck); err != nil {
		return CheckResult{}, err
	}
	days := in.Days
	switch days {
	case 0:
		days = 14
	case 7, 14:
	default:
		return CheckResult{}, cordon.Errorf(cordon.KindInvalid, "check.days_invalid", "the itinerary covers 7 or 14 days").WithField("days", "check.days_invalid")
	}
	venueID, venue, err := a.usableVenue(ctx, in.VenueCode)
	if err != nil {
		return CheckResult{}, err
	}
	now := a.now()
	if err := checkScanTime(in.ScannedAt, now); err != nil {
		return CheckResult{}, err
	}
	at := now
	if !in.ScannedAt.IsZero() {
		at = in.ScannedAt
	}
	var out CheckResult
	var e codeEntry
	switch {
	case in.Token != "":
		if out.Code, e, err = a.verifyCode(ctx, in.Token, in.ScannedAt); err != nil || !out.Code.Valid {
			return out, err
		}
	case in.IDNumber != "":
		if out.Code, e, err = a.codeByDocument(ctx, in.IDNumber); err != nil {
			return out, err
		}
	default:
		return out, cordon.Errorf(cordon.KindInvalid, "check.person_required", "scan the person's code or type the identity number").WithField("token", "check.person_required")
	}
	card, err := a.itineraryCard(ctx, e.id, at, days)
	if err != nil {
		return out, err
	}
	out.Itinerary, out.Venue = &card, venue.Name
	out.ScanInAt = at.Truncate(time.Second)
	err = a.db.BatchSynced(ctx, func(tx *store.Tx) error {
		out.Again, err = tx.RecordScanIn(ctx, cordon.ScanIn{VenueID: venueID, PersonID: e.id, At: out.ScanInAt, Source: cordon.ScanReverse})
		if err != nil {
			return err
		}
		action := "check.scan"
		if !in.ScannedAt.IsZero() {
			action = "check.queued"
		}
		tx.AuditRead(cordon.AuditEntry{AccountID: actor.AccountID, Username: actor.Username, Action: action, Record: personRecord(e.id),
			Jurisdiction: actor.Jurisdiction, Detail: venueRecord(venueID) + " " + string(out.Code.Color), RequestID: actor.RequestID, Remote: actor.Remote})
		return nil
	})
	return out, err
}

// codeByDocument computes the code of the person with a citizen identity
// number typed at a check.
func (a *App) codeByDocument(ctx context.Context, number string) (CodeVerification, codeEntry, error) {
	var p cordon.Person
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		p, err = tx.PersonByDocument(ctx, store.Everywhere, cordon.DocCitizenID, number)
		return err
	})
	if err != nil {
		return CodeVerification{}, codeEntry{}, err
	}
	e, err := a.codeEntry(ctx, p.ID)
	if err != nil {
		return CodeVerification{}, e, err
	}
	st := a.codeOf(e, a.now())
	return CodeVerification{Valid: true, Color: st.Color, Reasons: st.Reasons, Since: st.Since, InWindow: st.InWindow,
		PersonID: e.id, Name: cordon.MaskName(p.Name)}, e, nil
}

// itineraryCard gathers the counties a person was in during the days
// before at, from their scan-ins and checkpoint passages, and stars those
// that held a risk area (or a measure) over or inside them at the time.
func (a *App) itineraryCard(ctx context.Context, personID int64, at time.Time, days int) (ItineraryCard, error) {
	card := ItineraryCard{Days: days, From: at.AddDate(0, 0, -days), Places: []ItineraryPlace{}}
	var scans []cordon.ScanIn
	var passages []cordon.Passage
	checkpoints := map[int64]string{} // checkpoint → its jurisdiction
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		if scans, err = tx.ScanInsOf(ctx, personID, card.From, at.Add(time.Second)); err != nil {
			return err
		}
		if passages, err = tx.PassagesOf(ctx, personID, card.From, at.Add(time.Second)); err != nil {
			return err
		}
		for _, p := range passages {
			if _, ok := checkpoints[p.CheckpointID]; !ok {
				c, err := tx.Checkpoint(ctx, store.Everywhere, p.CheckpointID)
				if err != nil {
					return err
				}
				checkpoints[p.CheckpointID] = c.Jurisdiction
			}
		}
		return nil
	})
	if err != nil {
		return card, err
	}
	ids := make([]int64, 0, len(scans))
	for _, s := range scans {
		ids = append(ids, s.VenueID)
	}
	keys, err := a.venueKeys(ctx, ids)
	if err != nil {
		return card, err
	}
	byCounty := map[string]*ItineraryPlace{}
	visit := func(place string, t time.Time, source string) {
		if len(place) < 6 {
			return
		}
		county := place[:6]
		p := byCounty[county]
		if p == nil {
			p = &ItineraryPlace{Jurisdiction: county, First: t, Last: t}
			byCounty[county] = p
		}
		p.First, p.Last = minTime(p.First, t), maxTime(p.Last, t)
		p.Risk = p.Risk || a.riskAt(county, t)
		if !slices.Contains(p.Sources, source) {
			p.Sources = append(p.Sources, source)
		}
	}
	for _, s := range scans {
		if v, ok := keys[s.VenueID]; ok {
			visit(v.Jurisdiction, s.At, "scanin")
		}
	}
	for _, p := range passages {
		visit(checkpoints[p.CheckpointID], p.At, "checkpoint")
	}
	for _, p := range byCounty {
		p.Name = a.PathName(ctx, p.Jurisdiction)
		card.Places = append(card.Places, *p)
	}
	slices.SortFunc(card.Places, func(x, y ItineraryPlace) int { return y.Last.Compare(x.Last) })
	return card, nil
}

// riskAt reports whether a place held a risk area at t: a risk area or a
// measure on the place, inside it or around it, with a red or yellow
// reason.
func (a *App) riskAt(place string, t time.Time) bool {
	a.book.mu.RLock()
	defer a.book.mu.RUnlock()
	for _, m := range a.book.measures {
		if (cordon.Within(m.Jurisdiction, place) || cordon.Within(place, m.Jurisdiction)) && m.Fact().Covers(t) {
			return true
		}
	}
	for _, r := range a.book.areas {
		if (cordon.Within(r.jurisdiction, place) || cordon.Within(place, r.jurisdiction)) && r.fact.Covers(t) {
			return true
		}
	}
	return false
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

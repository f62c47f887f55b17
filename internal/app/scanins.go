package app

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"cordon"
	"cordon/internal/store"
)

// MaxScanInBatch bounds the scan-ins of one bulk request.
const MaxScanInBatch = 5000

// scanInFuture is how far ahead of the server's clock a device's clock may
// run before its scan-ins are refused.
const scanInFuture = 5 * time.Minute

// ScanInItem is one scan-in sent by a venue device or a reverse-scanning
// officer: the venue by its code (as scanned) or id, the person by id or
// identity-document number, the time of entry and, when known, of leaving.
type ScanInItem struct {
	VenueCode string            `json:"venue_code,omitempty"`
	VenueID   int64             `json:"venue_id,omitempty"`
	PersonID  int64             `json:"person_id,omitempty"`
	IDNumber  string            `json:"id_number,omitempty"`
	At        time.Time         `json:"at"`
	Leave     time.Time         `json:"leave,omitzero"`
	Source    cordon.ScanSource `json:"source,omitempty"` // device (2) unless reverse (3)
}

// ScanInResult answers one item: stored, replayed (stored before) or
// rejected with a stable code.
type ScanInResult struct {
	Index  int    `json:"index"`
	Status string `json:"status"`
	Code   string `json:"code,omitempty"`
}

// ScanInSummary counts a batch's answers.
type ScanInSummary struct {
	Stored   int            `json:"stored"`
	Replayed int            `json:"replayed"`
	Rejected int            `json:"rejected"`
	Results  []ScanInResult `json:"results"`
}

// RecordScanIns stores a batch of scan-ins. Each item is checked alone: a
// bad one is rejected with its code and the others go on. The batch is
// answered only after the shared transaction that carries it has synced
// to disk (group commit with other concurrent batches), so an item
// answered stored is not lost. A batch sent again under the same key (the
// sender's, unique per account) answers its good items replayed and
// stores nothing; a scan-in stored twice by other means (the same person
// at the same venue in the same second) stays one scan-in.
func (a *App) RecordScanIns(ctx context.Context, actor cordon.Actor, key string, items []ScanInItem) (ScanInSummary, error) {
	if err := authorize(actor, cordon.PermScanInWrite); err != nil {
		return ScanInSummary{}, err
	}
	if key = strings.TrimSpace(key); len(key) > 100 {
		return ScanInSummary{}, cordon.Errorf(cordon.KindInvalid, "scanin.key_invalid", "a batch key is at most 100 characters").WithField("key", "scanin.key_invalid")
	}
	if len(items) > MaxScanInBatch {
		return ScanInSummary{}, cordon.Errorf(cordon.KindTooLarge, "scanin.batch_too_large", "at most %d scan-ins a request", MaxScanInBatch)
	}
	sum := ScanInSummary{Results: make([]ScanInResult, len(items))}
	reject := func(i int, code string) {
		sum.Results[i] = ScanInResult{Index: i, Status: "rejected", Code: code}
	}
	now := a.now()
	known := a.personRules().KnownAddress
	scans := make([]cordon.ScanIn, len(items))
	ok := make([]bool, len(items))
	var venueIDs, personIDs []int64
	serials := make([]int, len(items))
	for i, it := range items {
		sum.Results[i].Index = i
		s := cordon.ScanIn{VenueID: it.VenueID, PersonID: it.PersonID, At: it.At.Truncate(time.Second), Leave: it.Leave.Truncate(time.Second), Source: it.Source}
		serials[i] = -1
		if it.VenueCode != "" {
			id, serial, err := a.openVenueCode(it.VenueCode)
			if err != nil {
				reject(i, cordon.ErrorCode(err))
				continue
			}
			if it.VenueID != 0 && it.VenueID != id {
				reject(i, "scanin.venue_mismatch")
				continue
			}
			s.VenueID, serials[i] = id, serial
		}
		if code := checkScanIn(&s, it, known, now); code != "" {
			reject(i, code)
			continue
		}
		scans[i], ok[i] = s, true
		venueIDs = append(venueIDs, s.VenueID)
		if s.PersonID != 0 {
			personIDs = append(personIDs, s.PersonID)
		}
	}
	venues, err := a.venueKeys(ctx, venueIDs)
	if err != nil {
		return ScanInSummary{}, err
	}
	a.livePersons.preload.Do(func() { go a.loadLivePersons(context.WithoutCancel(ctx)) })
	persons := make(map[int64]bool, len(personIDs))
	var unknown []int64
	for _, id := range personIDs {
		if a.livePersons.has(id) {
			persons[id] = true
		} else {
			unknown = append(unknown, id)
		}
	}
	err = a.db.Read(ctx, func(tx *store.Tx) error {
		if len(unknown) > 0 {
			found, err := tx.ExistingPersons(ctx, unknown)
			if err != nil {
				return err
			}
			for id := range found {
				persons[id] = true
				a.livePersons.add(id)
			}
		}
		// Identity numbers, as a reverse scan of an ID card gives them.
		for i, it := range items {
			if !ok[i] || scans[i].PersonID != 0 {
				continue
			}
			p, err := tx.PersonByDocument(ctx, store.Everywhere, cordon.DocCitizenID, strings.ToUpper(strings.TrimSpace(it.IDNumber)))
			if cordon.ErrorKind(err) == cordon.KindNotFound {
				continue
			}
			if err != nil {
				return err
			}
			scans[i].PersonID = p.ID
			persons[p.ID] = true
		}
		return nil
	})
	if err != nil {
		return ScanInSummary{}, err
	}
	retention := map[string]time.Time{}
	var policy func(string) (cordon.Policy, error) // read once, when a batch needs it
	var good []cordon.ScanIn
	var goodAt []int
	for i := range items {
		if !ok[i] {
			continue
		}
		s := scans[i]
		v, known := venues[s.VenueID]
		switch {
		case !known || !actor.Sees(v.Jurisdiction):
			reject(i, "scanin.venue_unknown")
			continue
		case serials[i] >= 0 && serials[i] != v.Serial:
			reject(i, "scanin.venue_code_revoked")
			continue
		case !v.Active:
			reject(i, "scanin.venue_closed")
			continue
		case s.PersonID == 0 || !persons[s.PersonID]:
			reject(i, "scanin.person_unknown")
			continue
		}
		// A scan-in older than the retention of its venue's place would
		// be purged at once: refuse it rather than acknowledge it.
		cutoff, seen := retention[v.Jurisdiction]
		if !seen {
			if policy == nil {
				if policy, err = a.policyBook(ctx, now); err != nil {
					return ScanInSummary{}, err
				}
			}
			p, err := policy(v.Jurisdiction)
			if err != nil {
				return ScanInSummary{}, err
			}
			cutoff = now.AddDate(0, 0, -p.ScanIns.RetentionDays)
			retention[v.Jurisdiction] = cutoff
		}
		if s.At.Before(cutoff) {
			reject(i, "scanin.time_too_old")
			continue
		}
		good = append(good, s)
		goodAt = append(goodAt, i)
	}
	if len(good) > 0 {
		err = a.db.BatchSynced(ctx, func(tx *store.Tx) error {
			status := "stored"
			if key != "" {
				_, seen, err := tx.ScanBatch(ctx, batchKey(actor, key))
				if err != nil {
					return err
				}
				if seen {
					status = "replayed"
				} else if err := tx.RecordScanBatch(ctx, batchKey(actor, key), actor.AccountID, len(good)); err != nil {
					return err
				}
			}
			for _, i := range goodAt {
				sum.Results[i].Status = status
			}
			if status == "replayed" {
				return nil
			}
			if err := tx.AppendScanIns(ctx, good); err != nil {
				return err
			}
			return audit(ctx, tx, actor, "scanin.record", "", "", strconv.Itoa(len(good))+" stored of "+strconv.Itoa(len(items)))
		})
		if err != nil {
			return ScanInSummary{}, err
		}
	}
	for _, r := range sum.Results {
		switch r.Status {
		case "stored":
			sum.Stored++
		case "replayed":
			sum.Replayed++
		default:
			sum.Rejected++
		}
	}
	return sum, nil
}

// batchKey makes a sender's batch key unique across accounts.
func batchKey(actor cordon.Actor, key string) string {
	return strconv.FormatInt(actor.AccountID, 10) + ":" + key
}

// checkScanIn checks what an item says on its own and returns the code of
// the first fault.
func checkScanIn(s *cordon.ScanIn, it ScanInItem, known func(string) bool, now time.Time) string {
	switch {
	case s.VenueID <= 0:
		return "scanin.venue_required"
	case s.PersonID < 0 || s.PersonID == 0 && strings.TrimSpace(it.IDNumber) == "":
		return "scanin.person_required"
	case s.At.IsZero():
		return "scanin.time_required"
	case s.At.After(now.Add(scanInFuture)):
		return "scanin.time_future"
	case !s.Leave.IsZero() && !s.Leave.After(s.At):
		return "scanin.leave_before_entry"
	case !s.Leave.IsZero() && s.Leave.Sub(s.At) > 72*time.Hour:
		return "scanin.stay_too_long"
	}
	if s.Source == 0 {
		s.Source = cordon.ScanByDevice
	}
	if s.Source != cordon.ScanByDevice && s.Source != cordon.ScanReverse && s.Source != cordon.ScanByPerson {
		return "scanin.source_invalid"
	}
	if s.PersonID == 0 {
		if _, err := cordon.ParseCitizenID(strings.ToUpper(strings.TrimSpace(it.IDNumber)), known, now); err != nil {
			return "person.id_number_invalid"
		}
	}
	return ""
}

// PublicScanIn is what the public scan-in page shows after a scan.
type PublicScanIn struct {
	Venue string    `json:"venue"`
	Place string    `json:"place"`
	Name  string    `json:"name"` // masked: 张*三
	At    time.Time `json:"at"`
	Again bool      `json:"again"` // the same scan was recorded before
}

// PublicScanInput is what a person types on the public page after scanning
// a venue's code with a phone.
type PublicScanInput struct {
	Code     string `json:"code"`
	IDNumber string `json:"id_number"`
	Phone    string `json:"phone"`
}

// PublicVenue is what the public scan-in page shows of a venue code
// before anyone types: the venue's name and place, or why the code does
// not work (forged, revoked, closed).
func (a *App) PublicVenue(ctx context.Context, code string) (PublicScanIn, error) {
	_, v, err := a.usableVenue(ctx, code)
	if err != nil {
		return PublicScanIn{}, err
	}
	return PublicScanIn{Venue: v.Name, Place: a.PathName(ctx, v.Jurisdiction)}, nil
}

// usableVenue opens a venue code and checks that it names a venue, with
// the current code serial, that is open.
func (a *App) usableVenue(ctx context.Context, code string) (int64, store.VenueKey, error) {
	venueID, serial, err := a.openVenueCode(code)
	if err != nil {
		return 0, store.VenueKey{}, err
	}
	keys, err := a.venueKeys(ctx, []int64{venueID})
	if err != nil {
		return 0, store.VenueKey{}, err
	}
	v, ok := keys[venueID]
	switch {
	case !ok:
		return 0, v, cordon.Errorf(cordon.KindNotFound, "scanin.venue_unknown", "no such venue")
	case v.Serial != serial:
		return 0, v, cordon.Errorf(cordon.KindInvalid, "scanin.venue_code_revoked", "this venue code was replaced by a new one")
	case !v.Active:
		return 0, v, cordon.Errorf(cordon.KindInvalid, "scanin.venue_closed", "this venue is closed")
	}
	return venueID, v, nil
}

// ScanInPublic records a person's own scan of a venue code. The person is
// identified by identity number and phone, both of which must match the
// register (a wrong pair answers the same as an unknown person, so the
// page cannot be used to learn who is registered). Nobody is signed in;
// the audit log records the venue and the person.
func (a *App) ScanInPublic(ctx context.Context, in PublicScanInput) (PublicScanIn, error) {
	venueID, v, err := a.usableVenue(ctx, in.Code)
	if err != nil {
		return PublicScanIn{}, err
	}
	now := a.now().Truncate(time.Second)
	if _, err := a.checkPublicIdentity("scanin", in.IDNumber, in.Phone); err != nil {
		return PublicScanIn{}, err
	}
	var out PublicScanIn
	err = a.db.BatchSynced(ctx, func(tx *store.Tx) error {
		p, err := a.publicPerson(ctx, tx, "scanin", in.IDNumber, in.Phone)
		if err != nil {
			return err
		}
		again, err := tx.RecordScanIn(ctx, cordon.ScanIn{VenueID: venueID, PersonID: p.ID, At: now, Source: cordon.ScanByPerson})
		if err != nil {
			return err
		}
		out = PublicScanIn{Venue: v.Name, Name: cordon.MaskName(p.Name), At: now, Again: again}
		return tx.Audit(ctx, cordon.AuditEntry{Username: "public", Action: "scanin.self", Record: personRecord(p.ID), Jurisdiction: v.Jurisdiction, Detail: venueRecord(venueID)})
	})
	if err != nil {
		return PublicScanIn{}, err
	}
	out.Place = a.PathName(ctx, v.Jurisdiction)
	return out, nil
}

// checkPublicIdentity checks the form of the identity number and phone a
// person types on a public page; area prefixes the error codes.
func (a *App) checkPublicIdentity(area, idNumber, phone string) (string, error) {
	number := strings.ToUpper(strings.TrimSpace(idNumber))
	var bad cordon.Invalid
	bad.Code = area + ".identity_invalid"
	if _, err := cordon.ParseCitizenID(number, a.personRules().KnownAddress, a.now()); err != nil {
		bad.Add("id_number", "person.id_number_invalid")
	}
	if _, ok := cordon.NormalizePhone(phone); !ok {
		bad.Add("phone", "person.phone_invalid")
	}
	return number, bad.Err()
}

// publicPerson finds the registered person with the identity number and
// phone typed on a public page. A wrong pair answers the same as an
// unknown person, so that the page cannot be used to learn who is
// registered.
func (a *App) publicPerson(ctx context.Context, tx *store.Tx, area, idNumber, phone string) (cordon.Person, error) {
	number, err := a.checkPublicIdentity(area, idNumber, phone)
	if err != nil {
		return cordon.Person{}, err
	}
	unknown := cordon.Errorf(cordon.KindNotFound, area+".identity_unknown", "no registered person with this identity number and phone")
	p, err := tx.PersonByDocument(ctx, store.Everywhere, cordon.DocCitizenID, number)
	if cordon.ErrorKind(err) == cordon.KindNotFound {
		return p, unknown
	}
	if err != nil {
		return p, err
	}
	if normalized, _ := cordon.NormalizePhone(phone); p.Phone != normalized {
		return p, unknown
	}
	return p, nil
}

// Itinerary lists a person's scan-ins in [from, to), for the actor's
// investigation of them. A read of personal data: audited.
func (a *App) Itinerary(ctx context.Context, actor cordon.Actor, personID int64, from, to time.Time) ([]cordon.ScanIn, error) {
	if err := authorize(actor, cordon.PermScanInRead); err != nil {
		return nil, err
	}
	var out []cordon.ScanIn
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		if _, err := tx.Person(ctx, store.ScopeOf(actor), personID); err != nil {
			return err
		}
		var err error
		out, err = tx.ScanInsOf(ctx, personID, from, to)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, a.recordRead(ctx, actor, "scanin.itinerary", personRecord(personID), "", "")
}

// PurgeScanIns deletes the scan-ins older than the retention period of
// their venue's jurisdiction (policy value, 28 days by default), except
// those held because an exposure rests on them. It works a day at a time,
// so that ingestion waits at most for one day's rewrite, and returns how
// many it deleted.
func (a *App) PurgeScanIns(ctx context.Context) (int64, error) {
	// Staged scan-ins first join the others (SQLite), so that the purge
	// sees every scan-in.
	if _, err := a.db.CompactScanIns(ctx); err != nil {
		return 0, err
	}
	now := a.now()
	var oldest int64
	var any bool
	err := a.db.Read(ctx, func(tx *store.Tx) (err error) {
		oldest, any, err = tx.OldestScanDay(ctx)
		return err
	})
	if err != nil || !any {
		return 0, err
	}
	today := cordon.ScanDay(now)
	policy, err := a.policyBook(ctx, now)
	if err != nil {
		return 0, err
	}
	retention := map[string]int64{}
	var total int64
	// Days before purgeFrom hold nothing but held scan-ins: they were
	// purged whole by an earlier run of this process.
	a.purgeMu.Lock()
	defer a.purgeMu.Unlock()
	settled := true
	for day := max(oldest, a.purgeFrom); day < today; day++ {
		var venues map[int64]string
		if err := a.db.Read(ctx, func(tx *store.Tx) (err error) {
			venues, err = tx.ScanDayVenues(ctx, day)
			return err
		}); err != nil {
			return total, err
		}
		var due []int64
		for id, j := range venues {
			days, ok := retention[j]
			if !ok {
				p, err := policy(j)
				if err != nil {
					return total, err
				}
				days = int64(p.ScanIns.RetentionDays)
				retention[j] = days
			}
			// A day is purged once all of it is older than the period.
			if day+days < today {
				due = append(due, id)
			}
		}
		if settled && len(due) == len(venues) {
			a.purgeFrom = day + 1
		} else {
			settled = false
		}
		if len(due) == 0 {
			continue
		}
		// A day at a time: the venues' blocks and the day's person
		// blocks are rewritten once.
		slices.Sort(due)
		err := a.db.Transact(ctx, func(tx *store.Tx) error {
			k, err := tx.PurgeScanIns(ctx, day, due)
			total += k
			return err
		})
		if err != nil {
			return total, err
		}
	}
	if total > 0 {
		err = a.db.Transact(ctx, func(tx *store.Tx) error {
			return tx.Audit(ctx, cordon.AuditEntry{Username: "system", Action: "scanin.purge", Detail: strconv.FormatInt(total, 10)})
		})
	}
	return total, err
}

// loadLivePersons fills the set of live persons from the register in one
// pass, so that the scan-ins of a city's people need no lookups once the
// first batch has come. Ids merged away meanwhile stay out.
func (a *App) loadLivePersons(ctx context.Context) {
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		return tx.LivePersonIDs(ctx, a.livePersons.add)
	})
	if err != nil && ctx.Err() == nil {
		a.log.Warn("loading live person ids", "err", err)
	}
}

// idSet is a growing bit set of positive ids, safe for concurrent use: a
// city's ten million persons take 1.25 MB. An id forgotten (a person merged
// away) is never added again.
type idSet struct {
	mu        sync.RWMutex
	bits      []uint64
	forgotten map[int64]bool
	preload   sync.Once
}

func (s *idSet) has(id int64) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	i := uint64(id) / 64
	return id > 0 && i < uint64(len(s.bits)) && s.bits[i]&(1<<(uint64(id)%64)) != 0
}

func (s *idSet) add(id int64) {
	if id <= 0 || id > 1<<34 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.forgotten[id] {
		return
	}
	i := uint64(id) / 64
	if i >= uint64(len(s.bits)) {
		s.bits = append(s.bits, make([]uint64, int(i)+1-len(s.bits)+len(s.bits)/4)...)
	}
	s.bits[i] |= 1 << (uint64(id) % 64)
}

func (s *idSet) forget(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.forgotten == nil {
		s.forgotten = map[int64]bool{}
	}
	s.forgotten[id] = true
	if i := uint64(id) / 64; id > 0 && i < uint64(len(s.bits)) {
		s.bits[i] &^= 1 << (uint64(id) % 64)
	}
}

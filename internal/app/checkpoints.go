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

// Road checkpoints (卡点): registration by commanders, and the passages
// officers record there. A passage runs the same three-code check as a
// venue (verifyCode, codeByDocument, itineraryCard) and stores the colour
// it found; reading passages is a read of personal data, audited and
// masked by role.

func checkpointRecord(id int64) string { return "checkpoint:" + strconv.FormatInt(id, 10) }
func passageRecord(id int64) string    { return "passage:" + strconv.FormatInt(id, 10) }

// CreateCheckpoint registers a checkpoint in the actor's subtree, active
// unless said otherwise.
func (a *App) CreateCheckpoint(ctx context.Context, actor cordon.Actor, in cordon.CheckpointInput) (cordon.Checkpoint, error) {
	if err := authorize(actor, cordon.PermCheckpointManage); err != nil {
		return cordon.Checkpoint{}, err
	}
	var c cordon.Checkpoint
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := a.checkCheckpointInput(ctx, tx, actor, &in); err != nil {
			return err
		}
		c = checkpointOf(in, 0, true)
		if err := tx.CreateCheckpoint(ctx, &c, actor.AccountID); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "checkpoint.create", checkpointRecord(c.ID), "", c.Name)
	})
	return c, err
}

// UpdateCheckpoint changes a checkpoint (active false closes it),
// guarded by the version read.
func (a *App) UpdateCheckpoint(ctx context.Context, actor cordon.Actor, id int64, in cordon.CheckpointInput) (cordon.Checkpoint, error) {
	if err := authorize(actor, cordon.PermCheckpointManage); err != nil {
		return cordon.Checkpoint{}, err
	}
	if in.Version == 0 {
		return cordon.Checkpoint{}, cordon.Errorf(cordon.KindInvalid, "checkpoint.version_required", "send the version you read").WithField("version", "checkpoint.version_required")
	}
	var c cordon.Checkpoint
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		old, err := tx.Checkpoint(ctx, store.ScopeOf(actor), id)
		if err != nil {
			return err
		}
		if in.Jurisdiction == "" {
			in.Jurisdiction = old.Jurisdiction
		}
		if err := a.checkCheckpointInput(ctx, tx, actor, &in); err != nil {
			return err
		}
		c = checkpointOf(in, id, old.Active)
		if err := tx.UpdateCheckpoint(ctx, c, in.Version); err != nil {
			return err
		}
		c.Version = in.Version + 1
		return audit(ctx, tx, actor, "checkpoint.update", checkpointRecord(id), "", c.Name)
	})
	return c, err
}

func checkpointOf(in cordon.CheckpointInput, id int64, active bool) cordon.Checkpoint {
	if in.Active != nil {
		active = *in.Active
	}
	return cordon.Checkpoint{ID: id, Name: in.Name, Kind: in.Kind, Jurisdiction: in.Jurisdiction, Location: in.Location, InLabel: in.InLabel,
		OutLabel: in.OutLabel, Staff: in.Staff, Opens: in.Opens, Closes: in.Closes, Active: active}
}

func (a *App) checkCheckpointInput(ctx context.Context, tx *store.Tx, actor cordon.Actor, in *cordon.CheckpointInput) error {
	if in.Jurisdiction == "" {
		in.Jurisdiction = actor.Jurisdiction
	}
	if err := in.Validate(); err != nil {
		return err
	}
	if !actor.Sees(in.Jurisdiction) {
		return outsideScope("jurisdiction")
	}
	if !a.exists(ctx, tx, in.Jurisdiction) {
		return cordon.Errorf(cordon.KindInvalid, "jurisdiction.unknown", "no such jurisdiction").WithField("jurisdiction", "jurisdiction.unknown")
	}
	return nil
}

// mayWorkCheckpoints lets those who manage checkpoints and the officers
// who record passages read them.
func mayWorkCheckpoints(actor cordon.Actor) error {
	if actor.Can(cordon.PermPassageWrite) {
		return nil
	}
	return authorize(actor, cordon.PermCheckpointManage)
}

// Checkpoints lists the checkpoints in the actor's subtree.
func (a *App) Checkpoints(ctx context.Context, actor cordon.Actor) ([]cordon.Checkpoint, error) {
	if err := mayWorkCheckpoints(actor); err != nil {
		return nil, err
	}
	var out []cordon.Checkpoint
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Checkpoints(ctx, store.ScopeOf(actor))
		return err
	})
	return out, err
}

// Checkpoint reads one checkpoint in the actor's subtree.
func (a *App) Checkpoint(ctx context.Context, actor cordon.Actor, id int64) (cordon.Checkpoint, error) {
	if err := mayWorkCheckpoints(actor); err != nil {
		return cordon.Checkpoint{}, err
	}
	var c cordon.Checkpoint
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		c, err = tx.Checkpoint(ctx, store.ScopeOf(actor), id)
		return err
	})
	return c, err
}

// PassageInput is one traveller passing: their scanned code, or a typed
// identity number, or for someone without either a name and phone.
type PassageInput struct {
	Token     string           `json:"token,omitempty"`
	IDNumber  string           `json:"id_number,omitempty"`
	Name      string           `json:"name,omitempty"`
	Phone     string           `json:"phone,omitempty"`
	Plate     string           `json:"plate,omitempty"`
	Direction cordon.Direction `json:"direction"`
	Key       string           `json:"key,omitempty"`       // the sender's key; a passage sent twice is stored once
	Days      int              `json:"days,omitempty"`      // of the itinerary card: 7 or 14 (default)
	ScannedAt time.Time        `json:"scanned_at,omitzero"` // a passage queued while offline
}

// PassageResult answers a passage. A bad token answers Code.Valid false
// and stores nothing.
type PassageResult struct {
	Code      CodeVerification `json:"code"`
	Itinerary *ItineraryCard   `json:"itinerary,omitempty"`
	Passage   *cordon.Passage  `json:"passage,omitempty"`
	Again     bool             `json:"again,omitempty"` // the key was stored before
	// ArrivalID is the arrival a traveller identified passing in joined.
	ArrivalID int64 `json:"arrival_id,omitempty"`
	// Warnings are codes the officer should see, though the passage is
	// stored all the same: checkpoint.outside_hours, checkpoint.not_on_staff.
	Warnings []string `json:"warnings,omitempty"`
}

// passageWarnings says why a passage at the checkpoint by the actor at t
// deserves a second look, without refusing it: t outside the checkpoint's
// hours (roads do not close when a shift ends), or an actor whose username
// the staff list does not name (the list is a roster, not a lock: it holds
// names of officers without accounts, and relief arrives unannounced; who
// recorded each passage is kept and audited).
func passageWarnings(cp cordon.Checkpoint, actor cordon.Actor, t time.Time) []string {
	var out []string
	if cp.Opens != "" {
		now := t.In(cordon.ChinaTime).Format("15:04")
		open := cp.Opens <= now && now < cp.Closes
		if cp.Opens > cp.Closes { // a night shift, across midnight
			open = now >= cp.Opens || now < cp.Closes
		}
		if !open {
			out = append(out, "checkpoint.outside_hours")
		}
	}
	if len(cp.Staff) > 0 && !slices.Contains(cp.Staff, actor.Username) {
		out = append(out, "checkpoint.not_on_staff")
	}
	return out
}

// PassageWarnings are the warnings a passage by the actor would carry now,
// for the page before the first traveller.
func (a *App) PassageWarnings(cp cordon.Checkpoint, actor cordon.Actor) []string {
	return passageWarnings(cp, actor, a.now())
}

// RecordPassage runs the three-code check on a traveller at a checkpoint
// and stores the passage with the colour found.
func (a *App) RecordPassage(ctx context.Context, actor cordon.Actor, checkpointID int64, in PassageInput) (PassageResult, error) {
	var out PassageResult
	if err := authorize(actor, cordon.PermPassageWrite); err != nil {
		return out, err
	}
	days := in.Days
	switch days {
	case 0:
		days = 14
	case 7, 14:
	default:
		return out, cordon.Errorf(cordon.KindInvalid, "check.days_invalid", "the itinerary covers 7 or 14 days").WithField("days", "check.days_invalid")
	}
	cp, err := a.Checkpoint(ctx, actor, checkpointID)
	if err != nil {
		return out, err
	}
	if !cp.Active {
		return out, cordon.Errorf(cordon.KindConflict, "checkpoint.inactive", "the checkpoint is closed")
	}
	now := a.now()
	if err := checkScanTime(in.ScannedAt, now); err != nil {
		return out, err
	}
	p := cordon.Passage{CheckpointID: cp.ID, At: now, Direction: in.Direction, Plate: in.Plate, Key: in.Key, Source: cordon.PassageTyped}
	if !in.ScannedAt.IsZero() {
		p.At = in.ScannedAt
	}
	p.At = p.At.Truncate(time.Second)
	// Check the passage's own fields before the code: a scanned token is
	// spent once seen, so a typo in the plate must not cost it.
	probe := p
	if in.Token != "" || in.IDNumber != "" {
		probe.PersonID = -1 // found by the check below
	} else {
		probe.Name, probe.Phone = in.Name, in.Phone
	}
	if err := probe.Validate(); err != nil {
		return out, err
	}
	if p.Key != "" {
		// A queue sent twice: answer with what was stored, without
		// checking the token again (it would read as a replay).
		var again cordon.Passage
		err := a.db.Read(ctx, func(tx *store.Tx) error {
			var err error
			again, err = tx.PassageByKey(ctx, cp.ID, p.Key)
			return err
		})
		if err == nil {
			presentPassage(actor, &again)
			return PassageResult{Code: CodeVerification{Valid: true, Color: again.Color, PersonID: again.PersonID}, Passage: &again, Again: true}, nil
		}
		if cordon.ErrorKind(err) != cordon.KindNotFound {
			return out, err
		}
	}
	var e codeEntry
	switch {
	case in.Token != "":
		if out.Code, e, err = a.verifyCode(ctx, in.Token, in.ScannedAt); err != nil || !out.Code.Valid {
			return out, err
		}
		p.Source = cordon.PassageScan
	case in.IDNumber != "":
		if out.Code, e, err = a.codeByDocument(ctx, in.IDNumber); err != nil {
			return out, err
		}
	default:
		p.Name, p.Phone = in.Name, in.Phone
	}
	p.PersonID, p.Color = e.id, out.Code.Color
	if err := p.Validate(); err != nil { // normalises the plate and phone
		return out, err
	}
	if p.PersonID != 0 {
		card, err := a.itineraryCard(ctx, p.PersonID, p.At, days)
		if err != nil {
			return out, err
		}
		out.Itinerary = &card
	}
	var places *cordon.ArrivalPlaces
	if p.PersonID != 0 && p.Direction == cordon.DirectionIn && actor.Can(cordon.PermArrivalWrite) {
		if places, err = a.places(ctx); err != nil {
			return out, err
		}
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if out.Again, err = tx.RecordPassage(ctx, &p, actor.AccountID); err != nil || out.Again {
			return err
		}
		record := passageRecord(p.ID)
		if p.PersonID != 0 {
			record = personRecord(p.PersonID)
		}
		if err := audit(ctx, tx, actor, "passage.record", record, "", checkpointRecord(cp.ID)+" "+string(p.Direction)+" "+string(p.Color)); err != nil {
			return err
		}
		if places == nil {
			return nil
		}
		// The arrival is the passage's consequence, not its condition: a
		// report that cannot be made (say, a county's override that makes
		// the edition name no measure) is left out and the passage kept.
		trip, ok, err := a.passageArrival(ctx, tx, cp, p, out.Itinerary)
		if err != nil || !ok {
			return err
		}
		err = tx.Savepoint(ctx, func() error {
			v, err := a.mergeTrip(ctx, tx, actor, trip, tripContext{places: places, seen: true})
			out.ArrivalID = v.ID
			return err
		})
		if k := cordon.ErrorKind(err); k == cordon.KindInvalid || k == cordon.KindForbidden || k == cordon.KindConflict {
			a.log.Warn("passage without an arrival", "passage", p.ID, "err", err)
			out.ArrivalID, err = 0, nil
		}
		return err
	})
	if err != nil {
		return out, err
	}
	presentPassage(actor, &p)
	out.Passage = &p
	out.Warnings = passageWarnings(cp, actor, p.At)
	return out, nil
}

// passageArrival is the arrival report of a traveller identified passing
// in: into the checkpoint's place (or the person's place inside it, if
// more precise), from the counties of the itinerary card outside it (the
// latest is the origin), else from where the person was registered as
// being. With neither, the traveller is coming home from nowhere known:
// no arrival (ok false).
func (a *App) passageArrival(ctx context.Context, tx *store.Tx, cp cordon.Checkpoint, p cordon.Passage, card *ItineraryCard) (cordon.TripReport, bool, error) {
	person, err := tx.Person(ctx, store.Everywhere, p.PersonID)
	if err != nil {
		return cordon.TripReport{}, false, err
	}
	county := cp.Jurisdiction[:6]
	in := cordon.TripReport{PersonID: p.PersonID, Destination: cp.Jurisdiction, ArrivedAt: p.At, Transport: p.Plate,
		Channel: cordon.ChannelCheckpoint, Ref: passageRecord(p.ID)}
	if strings.HasPrefix(person.Current, cp.Jurisdiction) && len(person.Current) > len(cp.Jurisdiction) {
		in.Destination = person.Current
	}
	if card != nil {
		for _, pl := range card.Places {
			if strings.HasPrefix(pl.Jurisdiction, county) {
				continue
			}
			if in.Origin == "" {
				in.Origin = pl.Jurisdiction
			}
			if len(in.Travel) < cordon.MaxTravelStops-1 { // the latest ones; the card is latest first
				in.Travel = append(in.Travel, cordon.TravelStop{Place: pl.Jurisdiction,
					From: pl.First.In(cordon.ChinaTime).Format(time.DateOnly), To: pl.Last.In(cordon.ChinaTime).Format(time.DateOnly)})
			}
		}
	}
	switch {
	case in.Origin != "":
	case person.Current != "" && !strings.HasPrefix(person.Current, county):
		in.Origin = person.Current
	default:
		return in, false, nil
	}
	return in, true, in.Validate(p.At)
}

// presentPassage masks the name and phone of an unidentified traveller
// unless the actor reads them in full.
func presentPassage(actor cordon.Actor, p *cordon.Passage) {
	if !actor.Can(cordon.PermPersonReadFull) {
		p.Name, p.Phone = cordon.MaskName(p.Name), cordon.MaskPhone(p.Phone)
	}
}

// chinaDay parses a Beijing day, "" meaning today.
func (a *App) chinaDay(day string) (time.Time, error) {
	if day == "" {
		day = a.now().In(cordon.ChinaTime).Format(time.DateOnly)
	}
	t, err := time.ParseInLocation(time.DateOnly, day, cordon.ChinaTime)
	if err != nil {
		return t, cordon.Errorf(cordon.KindInvalid, "checkpoint.day_invalid", "the day is YYYY-MM-DD").WithField("day", "checkpoint.day_invalid")
	}
	return t, nil
}

// CheckpointCounts counts a checkpoint's passages per hour of a Beijing
// day ("" for today), in and out. Counts name nobody: not audited.
func (a *App) CheckpointCounts(ctx context.Context, actor cordon.Actor, id int64, day string) ([]cordon.PassageCount, error) {
	start, err := a.chinaDay(day)
	if err != nil {
		return nil, err
	}
	if _, err := a.Checkpoint(ctx, actor, id); err != nil {
		return nil, err
	}
	var out []cordon.PassageCount
	err = a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.PassageCounts(ctx, id, start)
		return err
	})
	return out, err
}

// CheckpointPassages lists a checkpoint's passages of a Beijing day ("" for
// today), the latest first, at most limit: audited and masked by role.
func (a *App) CheckpointPassages(ctx context.Context, actor cordon.Actor, id int64, day string, limit int) ([]cordon.Passage, error) {
	start, err := a.chinaDay(day)
	if err != nil {
		return nil, err
	}
	if _, err := a.Checkpoint(ctx, actor, id); err != nil {
		return nil, err
	}
	var out []cordon.Passage
	err = a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Passages(ctx, id, start, start.Add(24*time.Hour), limit)
		return err
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		presentPassage(actor, &out[i])
	}
	return out, a.recordRead(ctx, actor, "passage.list", checkpointRecord(id), "", start.Format(time.DateOnly))
}

package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"cordon"
	"cordon/internal/store"
)

// MaxSampleBatch bounds one registration request.
const MaxSampleBatch = 5000

// RegisterSamples stores a batch of registrations from a sampling table or a
// registration device and answers each one, only after the batch is on
// disk. A registration that fails validation is rejected on its own; the
// rest are stored. A key seen before (a resend after a lost answer) is
// answered as the first time and stores nothing. A person sampled twice in
// a round is stored, flagged and counted once.
func (a *App) RegisterSamples(ctx context.Context, actor cordon.Actor, in []cordon.SampleInput) ([]cordon.SampleAck, error) {
	if err := authorize(actor, cordon.PermSampleWrite); err != nil {
		return nil, err
	}
	if len(in) == 0 || len(in) > MaxSampleBatch {
		return nil, cordon.Errorf(cordon.KindInvalid, "sample.batch_size", "send 1 to %d registrations at a time", MaxSampleBatch)
	}
	acks := make([]cordon.SampleAck, len(in))
	regs := make([]store.Registration, 0, len(in))
	index := make([]int, 0, len(in)) // regs[i] answers acks[index[i]]
	rounds := map[int64]*cordon.Round{}
	points := map[int64]*cordon.SamplingPoint{}
	roundIDs := map[int64]bool{}
	now := a.now()
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		for i := range in {
			s := &in[i]
			r, p, err := a.checkSample(ctx, tx, actor, s, now, rounds, points)
			if err != nil {
				if e, ok := err.(*cordon.Error); ok {
					acks[i] = cordon.SampleAck{Key: s.Key, Tube: s.Tube, Status: cordon.SampleRejected, Error: e}
					continue
				}
				return err
			}
			if s.PoolSize == 0 {
				s.PoolSize = r.Modes[s.Group]
			}
			roundIDs[r.ID] = true
			regs = append(regs, store.Registration{SampleInput: *s, PointArea: p.Jurisdiction, CreatedBy: actor.AccountID})
			index = append(index, i)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(regs) == 0 {
		return acks, nil
	}
	if err := a.db.Read(ctx, func(tx *store.Tx) error { return tx.IdentifySamples(ctx, regs) }); err != nil {
		return nil, err
	}
	// A batch is one transaction of its own: it is big enough to carry its
	// commit, and group commit's savepoints would cost it more than they save.
	stored := make([]cordon.SampleAck, len(regs))
	err = a.db.TransactSynced(ctx, func(tx *store.Tx) error {
		if err := tx.RegisterSamples(ctx, regs, stored, a.cfg.Turnaround); err != nil {
			return err
		}
		var n, dup, replay, rej int
		for _, s := range stored {
			switch s.Status {
			case cordon.SampleStored:
				n++
				if s.Duplicate {
					dup++
				}
			case cordon.SampleReplayed:
				replay++
			default:
				rej++
			}
		}
		ids := make([]int64, 0, len(roundIDs))
		for id := range roundIDs {
			ids = append(ids, id)
		}
		return audit(ctx, tx, actor, "sample.register", "", "", fmt.Sprintf("rounds %s: %d stored (%d duplicate), %d replayed, %d rejected",
			joinIDs(ids), n, dup, replay, rej+len(in)-len(regs)))
	})
	if err != nil {
		return nil, err
	}
	for i, s := range stored {
		acks[index[i]] = s
	}
	return acks, nil
}

// checkSample validates one registration and finds its round and point,
// caching both for the rest of the batch.
func (a *App) checkSample(ctx context.Context, tx *store.Tx, actor cordon.Actor, s *cordon.SampleInput, now time.Time,
	rounds map[int64]*cordon.Round, points map[int64]*cordon.SamplingPoint) (*cordon.Round, *cordon.SamplingPoint, error) {
	var v cordon.Invalid
	v.Code = "sample.invalid"
	s.Key = strings.TrimSpace(s.Key)
	if s.Key == "" || len(s.Key) > 64 {
		v.Add("key", "sample.key_invalid")
	}
	s.Tube = strings.TrimSpace(s.Tube)
	if !cordon.ValidBarcode(s.Tube) {
		v.Add("tube", "sample.tube_invalid")
	}
	if s.Group == "" {
		s.Group = cordon.GroupGeneral
	}
	if !s.Group.Valid() {
		v.Add("group", "round.group_invalid")
	}
	if s.PoolSize != 0 && !cordon.ValidPoolSize(s.PoolSize) {
		v.Add("pool_size", "round.pool_size_invalid")
	}
	if s.Table < 0 || s.Table > 1000 {
		v.Add("table", "sample.table_invalid")
	}
	if s.PersonID == 0 {
		if s.DocType == "" {
			s.DocType = cordon.DocCitizenID
		}
		if !s.DocType.Valid() {
			v.Add("doc_type", "person.doc_type_invalid")
		} else if s.DocType == cordon.DocCitizenID {
			id, err := cordon.ParseCitizenID(s.IDNumber, a.dir.KnownAddressCode, now)
			if err != nil {
				v.Add("id_number", "person.id_number_invalid")
			}
			s.IDNumber = id.Number
		} else {
			s.IDNumber = cordon.NormalizeDocNumber(s.IDNumber)
			if !cordon.ValidDocNumber(s.IDNumber) {
				v.Add("id_number", "person.id_number_invalid")
			}
		}
		s.Name = strings.TrimSpace(s.Name)
		if utf8.RuneCountInString(s.Name) > 64 || strings.ContainsAny(s.Name, "<>\"'&;\\\x00\r\n\t") {
			v.Add("name", "person.name_invalid")
		}
	} else if s.PersonID < 0 {
		v.Add("person_id", "person.not_found")
	} else if _, err := tx.Person(ctx, store.ScopeOf(actor), s.PersonID); err != nil {
		// A registered person is chosen by id only inside the sampler's
		// jurisdiction; anyone else is registered by their document.
		if cordon.ErrorKind(err) != cordon.KindNotFound {
			return nil, nil, err
		}
		v.Add("person_id", "person.not_found")
	}
	if s.CollectedAt.IsZero() {
		s.CollectedAt = now
	}
	if s.CollectedAt.After(now.Add(10*time.Minute)) || s.CollectedAt.Before(now.Add(-14*24*time.Hour)) {
		v.Add("collected_at", "sample.time_invalid")
	}
	if err := v.Err(); err != nil {
		return nil, nil, err
	}
	r, ok := rounds[s.RoundID]
	if !ok {
		rr, err := tx.Round(ctx, s.RoundID)
		if err != nil && cordon.ErrorKind(err) != cordon.KindNotFound {
			return nil, nil, err
		}
		if err == nil {
			r = &rr
		}
		rounds[s.RoundID] = r
	}
	if r == nil || !roundVisible(actor, *r) {
		return nil, nil, cordon.Errorf(cordon.KindNotFound, "round.not_found", "round %d not found", s.RoundID).WithField("round_id", "round.not_found")
	}
	if r.Closed {
		return nil, nil, cordon.Errorf(cordon.KindConflict, "round.closed", "round %d is closed", s.RoundID).WithField("round_id", "round.closed")
	}
	p, ok := points[s.PointID]
	if !ok {
		pp, err := tx.Point(ctx, s.PointID)
		if err != nil && cordon.ErrorKind(err) != cordon.KindNotFound {
			return nil, nil, err
		}
		if err == nil {
			p = &pp
		}
		points[s.PointID] = p
	}
	if p == nil || !actor.Sees(p.Jurisdiction) {
		return nil, nil, cordon.Errorf(cordon.KindNotFound, "point.not_found", "sampling point %d not found", s.PointID).WithField("point_id", "point.not_found")
	}
	if !r.Covers(p.Jurisdiction) && !servesRound(*p, r.ID) {
		return nil, nil, cordon.Errorf(cordon.KindConflict, "point.not_in_round", "point %d does not serve round %d", p.ID, r.ID).WithField("point_id", "point.not_in_round")
	}
	return r, p, nil
}

func servesRound(p cordon.SamplingPoint, round int64) bool {
	for _, r := range p.Rounds {
		if r == round {
			return true
		}
	}
	return false
}

func tubeRecord(barcode string) string { return "tube:" + barcode }

// TubeDetail is a tube with the people in it.
type TubeDetail struct {
	cordon.Tube
	Samples []cordon.TubeSample `json:"samples"`
}

// Tube reads a tube and its samples; identity numbers are masked unless the
// role reads them in full, and the read is audited.
func (a *App) Tube(ctx context.Context, actor cordon.Actor, barcode string) (TubeDetail, error) {
	if err := authorize(actor, cordon.PermTestingRead); err != nil {
		return TubeDetail{}, err
	}
	var d TubeDetail
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		if d.Tube, err = tx.Tube(ctx, barcode); err != nil {
			return err
		}
		if !actor.Sees(d.Area) {
			return cordon.Errorf(cordon.KindNotFound, "tube.not_found", "tube not found")
		}
		d.Samples, err = tx.TubeSamples(ctx, d.ID)
		return err
	})
	if err != nil {
		return d, err
	}
	d.Overdue = !d.Due.IsZero() && d.Status != cordon.TubeResulted && a.now().After(d.Due)
	if err := a.recordRead(ctx, actor, "tube.read", tubeRecord(barcode), "", ""); err != nil {
		return d, err
	}
	if !actor.Can(cordon.PermPersonReadFull) {
		for i := range d.Samples {
			d.Samples[i].IDNumber = cordon.MaskDocNumber(d.Samples[i].IDNumber)
		}
	}
	return d, nil
}

// CloseTube closes a partly filled tube (the end of a shift).
func (a *App) CloseTube(ctx context.Context, actor cordon.Actor, barcode string) (cordon.Tube, error) {
	if err := authorize(actor, cordon.PermSampleWrite); err != nil {
		return cordon.Tube{}, err
	}
	var t cordon.Tube
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if t, err = tx.CloseTube(ctx, store.ScopeOf(actor), barcode, a.cfg.Turnaround); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "tube.close", tubeRecord(barcode), "", "")
	})
	return t, err
}

func boxRecord(id int64) string { return "box:" + strconv.FormatInt(id, 10) }

// HandOver records a box of tubes leaving a sampling point for a lab.
func (a *App) HandOver(ctx context.Context, actor cordon.Actor, in cordon.BoxInput) (cordon.Box, error) {
	if err := authorize(actor, cordon.PermSampleWrite); err != nil {
		return cordon.Box{}, err
	}
	if err := in.Validate(); err != nil {
		return cordon.Box{}, err
	}
	b := cordon.Box{Barcode: in.Barcode, PointID: in.PointID, LabID: in.LabID, Courier: in.Courier}
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		p, err := tx.Point(ctx, in.PointID)
		if err != nil || !actor.Sees(p.Jurisdiction) {
			return cordon.Errorf(cordon.KindNotFound, "point.not_found", "sampling point not found").WithField("point_id", "point.not_found")
		}
		if _, err := tx.Lab(ctx, in.LabID); err != nil {
			return cordon.Errorf(cordon.KindNotFound, "lab.not_found", "lab not found").WithField("lab_id", "lab.not_found")
		}
		if err := tx.CreateBox(ctx, &b, in.Tubes, a.cfg.Turnaround, actor.AccountID); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "box.hand_over", boxRecord(b.ID), "", fmt.Sprintf("%s: %d tubes to lab %d", b.Barcode, b.TubeCount, b.LabID))
	})
	return b, err
}

// ReceiveBox records a lab's receipt of a box, from the tubes it scanned
// out of it, and reports missing and extra tubes.
func (a *App) ReceiveBox(ctx context.Context, actor cordon.Actor, barcode string, scanned []string) (cordon.Box, error) {
	if err := authorize(actor, cordon.PermLabWrite); err != nil {
		return cordon.Box{}, err
	}
	if len(scanned) > cordon.MaxBoxTubes {
		return cordon.Box{}, cordon.Errorf(cordon.KindInvalid, "box.tubes_invalid", "too many tubes").WithField("tubes", "box.tubes_invalid")
	}
	for i, t := range scanned {
		scanned[i] = strings.TrimSpace(t)
		if !cordon.ValidBarcode(scanned[i]) {
			return cordon.Box{}, cordon.Errorf(cordon.KindInvalid, "box.tubes_invalid", "not a tube barcode: %q", t).WithField("tubes", "box.tubes_invalid")
		}
	}
	var b cordon.Box
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		id, err := tx.BoxByBarcode(ctx, barcode)
		if err != nil {
			return err
		}
		if b, err = tx.Box(ctx, id); err != nil {
			return err
		}
		l, err := tx.Lab(ctx, b.LabID)
		if err != nil {
			return err
		}
		if !actor.Sees(l.Jurisdiction) {
			return cordon.Errorf(cordon.KindNotFound, "box.not_found", "box not found")
		}
		if err := tx.ReceiveBox(ctx, &b, scanned); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "box.receive", boxRecord(b.ID), "", fmt.Sprintf("%d received, %d missing, %d extra", b.Received, len(b.Missing), len(b.Extra)))
	})
	return b, err
}

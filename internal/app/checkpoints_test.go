package app_test

import (
	"testing"
	"time"

	"cordon"
	"cordon/internal/app"
	"cordon/internal/store"
)

// A commander registers a checkpoint in their county; an officer records
// passages: a scanned code and a typed identity number store the colour,
// a forged or replayed token stores nothing, a queued passage sent twice
// is stored once, and the counts per hour add them up.
func TestCheckpointPassages(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		commander := s.account(cordon.RoleCommander, debao).Actor()
		officer := s.account(cordon.RoleCheckpoint, debao).Actor()
		elsewhere := s.account(cordon.RoleCheckpoint, nanning).Actor()
		in := cordon.CheckpointInput{Name: "那甲卡点", Kind: cordon.CheckpointRoad, Jurisdiction: debao, Location: "G324 国道",
			InLabel: "进德保", OutLabel: "出德保", Staff: []string{officer.Username}}
		if _, err := s.app.CreateCheckpoint(s.ctx, officer, in); cordon.ErrorKind(err) != cordon.KindForbidden {
			t.Errorf("an officer registers no checkpoint: %v", err)
		}
		outside := in
		outside.Jurisdiction = "450102"
		if _, err := s.app.CreateCheckpoint(s.ctx, commander, outside); cordon.ErrorCode(err) != "jurisdiction.outside_scope" {
			t.Errorf("a checkpoint outside the commander's county: %v", err)
		}
		cp, err := s.app.CreateCheckpoint(s.ctx, commander, in)
		if err != nil || !cp.Active || cp.Version != 1 {
			t.Fatalf("create: %+v %v", cp, err)
		}
		in.Version, in.Opens, in.Closes = 1, "06:00", "22:00"
		if cp, err = s.app.UpdateCheckpoint(s.ctx, commander, cp.ID, in); err != nil || cp.Opens != "06:00" || cp.Version != 2 {
			t.Fatalf("update: %+v %v", cp, err)
		}
		if _, err := s.app.UpdateCheckpoint(s.ctx, commander, cp.ID, in); cordon.ErrorCode(err) != "checkpoint.changed" {
			t.Errorf("a stale version: %v", err)
		}
		if n := len(s.audit(cordon.AuditFilter{Action: "checkpoint.update"})); n != 1 {
			t.Errorf("updates audited: %d", n)
		}
		if _, err := s.app.RecordPassage(s.ctx, elsewhere, cp.ID, app.PassageInput{IDNumber: "x", Direction: cordon.DirectionIn}); cordon.ErrorKind(err) != cordon.KindNotFound {
			t.Errorf("a checkpoint outside the officer's area: %v", err)
		}
		if _, err := s.app.RecordPassage(s.ctx, commander, cp.ID, app.PassageInput{IDNumber: "x", Direction: cordon.DirectionIn}); cordon.ErrorKind(err) != cordon.KindForbidden {
			t.Errorf("a commander records no passage: %v", err)
		}

		yellow := s.person(livingAt(chengdong, chengdong))
		if _, err := s.app.TakeAreaMeasure(s.ctx, commander, cordon.AreaMeasure{Jurisdiction: debao, Reason: cordon.ReasonYellowOther, Note: "全县赋黄码", Rounds: 3}); err != nil {
			t.Fatal(err)
		}
		green := s.person(livingAt(xingningC, xingningC))
		pass, err := s.app.PersonPass(s.ctx, green.IDNumber, green.Phone)
		if err != nil {
			t.Fatal(err)
		}
		tok, _ := s.app.OwnCode(s.ctx, pass)
		if _, err := s.app.RecordPassage(s.ctx, officer, cp.ID, app.PassageInput{Token: tok.Token, Direction: cordon.DirectionIn, Plate: "桂L12"}); cordon.ErrorCode(err) != "passage.plate_invalid" {
			t.Fatalf("a bad plate: %v", err)
		}
		r, err := s.app.RecordPassage(s.ctx, officer, cp.ID, app.PassageInput{Token: tok.Token, Direction: cordon.DirectionIn, Plate: "桂l·12345"})
		if err != nil || !r.Code.Valid || r.Passage == nil || r.Passage.Color != cordon.Green || r.Passage.Source != cordon.PassageScan ||
			r.Passage.Plate != "桂L12345" || r.Itinerary == nil || r.Passage.PersonID != green.ID {
			t.Fatalf("a scanned passage (the plate's typo kept the token usable): %+v %v", r, err)
		}
		if again, err := s.app.RecordPassage(s.ctx, officer, cp.ID, app.PassageInput{Token: tok.Token, Direction: cordon.DirectionIn}); err != nil || again.Code.Valid || again.Passage != nil {
			t.Errorf("a replayed token stores nothing: %+v %v", again, err)
		}
		forged := tok.Token[:len(tok.Token)-4] + "AAAA"
		if bad, err := s.app.RecordPassage(s.ctx, officer, cp.ID, app.PassageInput{Token: forged, Direction: cordon.DirectionIn}); err != nil || bad.Code.Valid || bad.Passage != nil {
			t.Errorf("a forged token stores nothing: %+v %v", bad, err)
		}

		s.clock.Advance(time.Hour)
		queued := app.PassageInput{IDNumber: yellow.IDNumber, Direction: cordon.DirectionOut, Key: "phone-1:7", ScannedAt: s.clock.Now().Add(-10 * time.Minute)}
		r, err = s.app.RecordPassage(s.ctx, officer, cp.ID, queued)
		if err != nil || r.Passage == nil || r.Passage.Color != cordon.Yellow || r.Passage.Source != cordon.PassageTyped || r.Again {
			t.Fatalf("a typed passage: %+v %v", r, err)
		}
		first := r.Passage.ID
		r, err = s.app.RecordPassage(s.ctx, officer, cp.ID, queued)
		if err != nil || !r.Again || r.Passage.ID != first {
			t.Errorf("the same key again: %+v %v", r, err)
		}
		queued.Key, queued.ScannedAt = "phone-1:8", s.clock.Now().Add(-7*time.Hour)
		if _, err := s.app.RecordPassage(s.ctx, officer, cp.ID, queued); cordon.ErrorCode(err) != "healthcode.scan_time_invalid" {
			t.Errorf("a passage queued 7 hours ago: %v", err)
		}
		r, err = s.app.RecordPassage(s.ctx, officer, cp.ID, app.PassageInput{Name: "黄某某", Phone: "13907760001", Direction: cordon.DirectionIn, Plate: "桂AD12345"})
		if err != nil || r.Passage.PersonID != 0 || r.Passage.Color != "" || r.Passage.Name == "黄某某" {
			t.Errorf("an unidentified traveller, masked: %+v %v", r.Passage, err)
		}

		day := s.clock.Now().In(cordon.ChinaTime).Format(time.DateOnly)
		counts, err := s.app.CheckpointCounts(s.ctx, commander, cp.ID, day)
		if err != nil || len(counts) != 24 {
			t.Fatalf("counts: %v %v", counts, err)
		}
		in2, out2 := 0, 0
		for _, c := range counts {
			in2, out2 = in2+c.In, out2+c.Out
		}
		if in2 != 2 || out2 != 1 {
			t.Errorf("counts per hour: in %d out %d, %+v", in2, out2, counts)
		}
		if _, err := s.app.CheckpointCounts(s.ctx, commander, cp.ID, "28/11"); cordon.ErrorCode(err) != "checkpoint.day_invalid" {
			t.Errorf("a bad day: %v", err)
		}
		list, err := s.app.CheckpointPassages(s.ctx, commander, cp.ID, day, 0)
		if err != nil || len(list) != 3 {
			t.Errorf("passages: %+v %v", list, err)
		}
		if n := len(s.audit(cordon.AuditFilter{Action: "passage.list"})); n != 1 {
			t.Errorf("the list is audited: %d", n)
		}
		if n := len(s.audit(cordon.AuditFilter{Action: "passage.record"})); n != 3 {
			t.Errorf("passages audited: %d", n)
		}
		var byPerson int
		err = s.db.Read(s.ctx, func(tx *store.Tx) error {
			ps, err := tx.PassagesOf(s.ctx, green.ID, s.clock.Now().Add(-24*time.Hour), s.clock.Now())
			byPerson = len(ps)
			return err
		})
		if err != nil || byPerson != 1 {
			t.Errorf("passages of a person: %d %v", byPerson, err)
		}
	})
}

package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"cordon"
	"cordon/internal/store"
	"cordon/internal/vault"
)

// TestResealRetiresAnOldKey rotates the data key: persons sealed under the
// old key stay readable with it as an old key, Reseal re-encrypts them, and
// afterwards a vault without the old key reads every one, found through the
// unchanged blind index.
func TestResealRetiresAnOldKey(t *testing.T) {
	ctx := context.Background()
	oldKey, newKey, vaultOf := keyRotation(t)
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "cordon.db")

	db := openMigrated(t, dsn, store.Options{Vault: vaultOf(oldKey)})
	const n = 25
	for i := 1; i <= n; i++ {
		createPerson(t, db, i, withPhone(phoneOf(i)))
	}
	db.Close()

	db = openMigrated(t, dsn, store.Options{Vault: vaultOf(newKey, oldKey)})
	createPerson(t, db, n+1, withPhone(phoneOf(n+1))) // sealed with the new key already
	got, err := db.Reseal(ctx, 10)
	if err != nil || got != n {
		t.Fatalf("Reseal = %d, %v; want %d", got, err, n)
	}
	if again, err := db.Reseal(ctx, 10); err != nil || again != 0 {
		t.Fatalf("second Reseal = %d, %v; want 0", again, err)
	}
	db.Close()

	db = openMigrated(t, dsn, store.Options{Vault: vaultOf(newKey)})
	for i := 1; i <= n+1; i++ {
		want := newPerson(t, i, withPhone(phoneOf(i)))
		err := db.Read(ctx, func(tx *store.Tx) error {
			p, err := tx.PersonByDocument(ctx, store.Everywhere, want.DocType, want.IDNumber)
			if err == nil && (p.IDNumber != want.IDNumber || p.Phone != want.Phone) {
				t.Errorf("person %d reads %q %q", i, p.IDNumber, p.Phone)
			}
			return err
		})
		if err != nil {
			t.Fatalf("person %d after the old key was retired: %v", i, err)
		}
	}
}

func phoneOf(i int) string {
	return "1390000" + string(rune('0'+i/1000%10)) + string(rune('0'+i/100%10)) + string(rune('0'+i/10%10)) + string(rune('0'+i%10))
}

// The copies of a document that mass testing and cases keep (samples,
// holds, positives, cases) are resealed too: after the old key is retired
// they all still read.
func TestResealCoversTestingAndCases(t *testing.T) {
	ctx := context.Background()
	oldKey, newKey, vaultOf := keyRotation(t)
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "cordon.db")
	db := openMigrated(t, dsn, store.Options{Vault: vaultOf(oldKey)})
	var round cordon.Round
	var point cordon.SamplingPoint
	write(t, db, func(tx *store.Tx) error {
		round = cordon.Round{Name: "r", Jurisdiction: "451024", Modes: cordon.DefaultModes(), StartsAt: tx.Now, Deadline: tx.Now.Add(time.Hour)}
		if err := tx.CreateRound(ctx, &round, 0); err != nil {
			return err
		}
		point = cordon.SamplingPoint{Name: "p", Jurisdiction: "451024", AllDay: true, Tables: 1, Active: true}
		return tx.CreatePoint(ctx, &point, 0)
	})
	var regs []store.Registration
	for i := range 12 { // a positive pool of 10 and a positive single tube
		tube, pool := "P1", 10
		if i >= 10 {
			tube, pool = fmt.Sprintf("S%d", i), 1
		}
		regs = append(regs, store.Registration{SampleInput: cordon.SampleInput{Key: fmt.Sprint(i), RoundID: round.ID, PointID: point.ID,
			Tube: tube, PoolSize: pool, Group: cordon.GroupGeneral, DocType: cordon.DocCitizenID, IDNumber: citizenID(7000 + i)}, PointArea: "451024"})
	}
	read(t, db, func(tx *store.Tx) error { return tx.IdentifySamples(ctx, regs) })
	write(t, db, func(tx *store.Tx) error {
		if err := tx.RegisterSamples(ctx, regs, make([]cordon.SampleAck, len(regs)), cordon.DefaultTurnaround); err != nil {
			return err
		}
		_, err := tx.ApplyResults(ctx, store.Submission{Format: "json", Scope: store.Everywhere}, []cordon.LabResultInput{
			{Barcode: "P1", Outcome: cordon.OutcomePositive}, {Barcode: "S10", Outcome: cordon.OutcomePositive}})
		return err
	})
	var positiveID int64
	read(t, db, func(tx *store.Tx) error {
		ps, err := tx.Positives(ctx, store.Everywhere, 0, 10)
		if err == nil && len(ps) == 1 {
			positiveID = ps[0].ID
		}
		return err
	})
	write(t, db, func(tx *store.Tx) error {
		who, area, detected, _, err := tx.PositiveForCase(ctx, positiveID)
		if err != nil {
			return err
		}
		c := cordon.Case{Classification: cordon.Confirmed, Origin: cordon.Local, Jurisdiction: area, PositiveID: positiveID, DetectedAt: detected}
		return tx.CreateCase(ctx, &c, who, 0)
	})
	db.Close()

	db = openMigrated(t, dsn, store.Options{Vault: vaultOf(newKey, oldKey)})
	// 12 samples, 10 holds, 1 positive, 1 case.
	if got, err := db.Reseal(ctx, 5); err != nil || got != 24 {
		t.Fatalf("Reseal = %d, %v; want 24", got, err)
	}
	db.Close()

	db = openMigrated(t, dsn, store.Options{Vault: vaultOf(newKey)})
	read(t, db, func(tx *store.Tx) error {
		tube, err := tx.Tube(ctx, "P1")
		if err != nil {
			return err
		}
		if ss, err := tx.TubeSamples(ctx, tube.ID); err != nil || len(ss) != 10 || ss[0].IDNumber != citizenID(7000) {
			t.Errorf("samples after the old key was retired: %v", err)
		}
		if hs, err := tx.Holds(ctx, store.Everywhere, cordon.HoldFilter{}); err != nil || len(hs) != 10 {
			t.Errorf("holds: %d %v", len(hs), err)
		}
		if ps, err := tx.Positives(ctx, store.Everywhere, 0, 10); err != nil || len(ps) != 1 || ps[0].IDNumber != citizenID(7010) {
			t.Errorf("positives: %v", err)
		}
		if cs, err := tx.Cases(ctx, store.Everywhere, cordon.CaseFilter{}); err != nil || len(cs) != 1 || cs[0].IDNumber != citizenID(7010) {
			t.Errorf("cases: %v", err)
		}
		return nil
	})
}

// keyRotation makes an old and a new data key and a function that builds a
// vault of a current key and old ones, all sharing one index key.
func keyRotation(t *testing.T) (oldKey, newKey []byte, vaultOf func(current []byte, old ...[]byte) *vault.Vault) {
	t.Helper()
	key := func() []byte {
		k, err := vault.ParseKey(vault.NewKey())
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	indexKey := key()
	oldKey, newKey = key(), key()
	// Key ids are one byte: two random keys share one once in 256 draws.
	for vault.KeyID(newKey) == vault.KeyID(oldKey) {
		newKey = key()
	}
	return oldKey, newKey, func(current []byte, old ...[]byte) *vault.Vault {
		v, err := vault.New(current, old, indexKey)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// The phones of checkpoint passages, the documents and phones of assist
// requests and the envelopes waiting for a peer are resealed too.
func TestResealCoversPassagesAssistAndOutbox(t *testing.T) {
	ctx := context.Background()
	oldKey, newKey, vaultOf := keyRotation(t)
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "cordon.db")
	db := openMigrated(t, dsn, store.Options{Vault: vaultOf(oldKey)})
	var cp cordon.Checkpoint
	var req cordon.AssistRequest
	var peer cordon.Peer
	write(t, db, func(tx *store.Tx) error {
		cp = cordon.Checkpoint{Name: "卡点", Kind: cordon.CheckpointRoad, Jurisdiction: "451227", Active: true}
		if err := tx.CreateCheckpoint(ctx, &cp, 0); err != nil {
			return err
		}
		if _, err := tx.RecordPassage(ctx, &cordon.Passage{CheckpointID: cp.ID, At: tx.Now, Direction: cordon.DirectionIn,
			Name: "韦某", Phone: "13900000001", Source: cordon.PassageTyped}, 0); err != nil {
			return err
		}
		req = cordon.AssistRequest{Number: "德保协查〔2022〕第0001号", Sender: "451024", Target: "450102", Reason: "r", Source: cordon.AssistSource("manual"), CreatedAt: tx.Now}
		if err := tx.CreateAssistRequest(ctx, &req, 0, 2022, 1); err != nil {
			return err
		}
		if err := tx.AddAssistPeople(ctx, req.ID, []cordon.AssistPerson{{Pos: 1, Name: "黄某", DocType: cordon.DocCitizenID,
			IDNumber: citizenID(9001), Phone: "13900000002", Status: cordon.AssistStatus("pending"), DueAt: tx.Now}}); err != nil {
			return err
		}
		peer = cordon.Peer{Name: "广东省", BaseURL: "https://gd.example", PublicKey: make([]byte, 32), KeyID: "k", Divisions: []string{"44"}, Active: true}
		if err := tx.CreatePeer(ctx, &peer, 0); err != nil {
			return err
		}
		return tx.QueuePeerMessage(ctx, peer.ID, "m1", "assist.request", []byte(`{"id":"m1"}`))
	})
	db.Close()

	db = openMigrated(t, dsn, store.Options{Vault: vaultOf(newKey, oldKey)})
	if got, err := db.Reseal(ctx, 5); err != nil || got != 4 {
		t.Fatalf("Reseal = %d, %v; want 4 (a passage's phone, a document and a phone, an envelope)", got, err)
	}
	db.Close()

	db = openMigrated(t, dsn, store.Options{Vault: vaultOf(newKey)})
	read(t, db, func(tx *store.Tx) error {
		ps, err := tx.Passages(ctx, cp.ID, tx.Now.Add(-24*time.Hour), tx.Now.Add(24*time.Hour), 10)
		if err != nil || len(ps) != 1 || ps[0].Phone != "13900000001" {
			t.Errorf("passages after the old key was retired: %+v %v", ps, err)
		}
		people, err := tx.AssistPeople(ctx, req.ID)
		if err != nil || len(people) != 1 || people[0].IDNumber != citizenID(9001) || people[0].Phone != "13900000002" {
			t.Errorf("assist people: %+v %v", people, err)
		}
		m, ok, err := tx.NextPeerMessage(ctx, peer.ID)
		if err != nil || !ok || string(m.Envelope) != `{"id":"m1"}` {
			t.Errorf("outbox: %+v %v %v", m, ok, err)
		}
		return nil
	})
}

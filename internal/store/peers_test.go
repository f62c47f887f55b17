package store_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"testing"
	"time"

	"cordon"
	"cordon/internal/store"
)

// The outbox keeps a peer's messages in order, opens the sealed envelope
// it was given, retries at the time given, forgets the content once
// acknowledged; the inbox tells a first receipt from a replay.
func TestPeerOutboxAndInbox(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		pub, _, _ := ed25519.GenerateKey(rand.Reader)
		p := cordon.Peer{Name: "广东省", BaseURL: "https://gd.example", PublicKey: pub, KeyID: cordon.PeerKeyID(pub), Divisions: []string{"44"}, Active: true}
		env := []byte(`{"id":"m1","body":{"id_number":"45102419850201001X"}}`)
		var first store.OutgoingPeerMessage
		err := db.Transact(ctx, func(tx *store.Tx) error {
			if err := tx.CreatePeer(ctx, &p, 0); err != nil {
				return err
			}
			if err := tx.QueuePeerMessage(ctx, p.ID, "m1", "test", env); err != nil {
				return err
			}
			if err := tx.QueuePeerMessage(ctx, p.ID, "m2", "test", []byte(`{}`)); err != nil {
				return err
			}
			var ok bool
			var err error
			if first, ok, err = tx.NextPeerMessage(ctx, p.ID); err != nil || !ok {
				t.Fatalf("next: %v %v", ok, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if first.ID != "m1" || string(first.Envelope) != string(env) {
			t.Fatalf("head %s %q", first.ID, first.Envelope)
		}
		later := time.Now().Add(time.Hour)
		err = db.Transact(ctx, func(tx *store.Tx) error {
			if err := tx.PeerMessageFailed(ctx, "m1", "HTTP 503", later); err != nil {
				return err
			}
			if due, err := tx.PeersWithPending(ctx, time.Now()); err != nil || len(due) != 1 {
				t.Errorf("due peers %v %v (m2 is due)", due, err)
			}
			if m, _, _ := tx.NextPeerMessage(ctx, p.ID); m.ID != "m1" || m.Attempts != 1 || !m.NextAt.After(time.Now()) {
				t.Errorf("the failed head must stay first and wait: %+v", m.PeerMessage)
			}
			if err := tx.PeerMessageAcknowledged(ctx, "m1"); err != nil {
				return err
			}
			if m, _, _ := tx.NextPeerMessage(ctx, p.ID); m.ID != "m2" {
				t.Errorf("next after the ack: %s", m.ID)
			}
			for i, want := range []bool{true, false} {
				if got, err := tx.ReceivePeerMessage(ctx, p.ID, "x1", "test"); err != nil || got != want {
					t.Errorf("receipt %d: first=%v %v", i, got, err)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		counts := map[int64]cordon.PeerOutbox{}
		err = db.Read(ctx, func(tx *store.Tx) (err error) {
			counts, err = tx.PeerOutboxCounts(ctx)
			return err
		})
		if err != nil || counts[p.ID] != (cordon.PeerOutbox{Pending: 1, Acknowledged: 1}) {
			t.Errorf("counts %v %v", counts, err)
		}
	})
}

package app

import (
	"context"
	"encoding/json"

	"cordon"
	"cordon/internal/store"
)

// TestNoteKind is a kind of peer message that only the tests take: its
// handler writes an audit entry "test.note" with the note's text, or
// refuses the note as invalid (422) when asked to.
const TestNoteKind = "test.note"

// TestNote is the body of a TestNoteKind message.
type TestNote struct {
	Text    string `json:"text"`
	Invalid bool   `json:"invalid,omitempty"`
}

func init() {
	peerHandlers[TestNoteKind] = func(a *App, ctx context.Context, tx *store.Tx, from cordon.Peer, body json.RawMessage) error {
		var n TestNote
		if err := json.Unmarshal(body, &n); err != nil {
			return err
		}
		if n.Invalid {
			return cordon.Errorf(cordon.KindInvalid, "test.note_invalid", "the note asked to be refused")
		}
		return audit(ctx, tx, peerActor(from), "test.note", peerRecord(from.ID), "", n.Text)
	}
}

// SendToPeer queues a message to a peer in a transaction of its own, as a
// feature's operation would inside its own.
func (a *App) SendToPeer(ctx context.Context, peerID int64, kind string, body any) (id string, err error) {
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		id, err = a.sendToPeer(ctx, tx, peerID, kind, body)
		return err
	})
	return id, err
}

// PeerForCode is PeerFor in a read of its own.
func (a *App) PeerForCode(ctx context.Context, code string) (p cordon.Peer, ok bool, err error) {
	err = a.db.Read(ctx, func(tx *store.Tx) error {
		p, ok, err = a.PeerFor(ctx, tx, code)
		return err
	})
	return p, ok, err
}

package app

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"cordon"
	"cordon/internal/store"
)

// Assist requests between instances. A request to a county a peer serves
// is kept here as sent to that peer and queued to it as "assist.request";
// the peer creates the incoming request (received at once, its people
// matched to its records) and answers its receipt, then each outcome it
// records, as "assist.status" with the person's whole state, which updates
// the sender's copy. The inbox makes a replayed message a no-op; the
// handlers are idempotent besides: a request already received is not
// created again, and a state older than the one held is not applied.

func init() {
	peerHandlers["assist.request"] = receiveAssistRequest
	peerHandlers["assist.status"] = receiveAssistStatus
}

// assistRequestMessage is a letter as sent to a peer.
type assistRequestMessage struct {
	ID         int64                 `json:"id"` // the sender's request id
	Number     string                `json:"number"`
	Year       int                   `json:"year"`
	Seq        int                   `json:"seq"`
	Sender     string                `json:"sender"`
	SenderName string                `json:"sender_name"`
	SentBy     string                `json:"sent_by"`
	Target     string                `json:"target"`
	Reason     string                `json:"reason"`
	Source     cordon.AssistSource   `json:"source"`
	Contact    string                `json:"contact,omitempty"`
	CreatedAt  time.Time             `json:"created_at"`
	People     []assistPersonMessage `json:"people"`
}

type assistPersonMessage struct {
	Pos       int            `json:"pos"`
	Name      string         `json:"name"`
	DocType   cordon.DocType `json:"doc_type"`
	IDNumber  string         `json:"id_number"`
	Phone     string         `json:"phone,omitempty"`
	Residence string         `json:"residence,omitempty"`
	Current   string         `json:"current,omitempty"`
	Places    string         `json:"places,omitempty"`
	Note      string         `json:"note,omitempty"`
}

// assistStatusMessage reports to the sender: the receipt of its request
// (Pos 0), or the whole state of one person.
type assistStatusMessage struct {
	ID              int64               `json:"id"` // the sender's request id
	ReceivedAt      time.Time           `json:"received_at,omitzero"`
	Number          string              `json:"number,omitempty"`
	Pos             int                 `json:"pos,omitempty"`
	Status          cordon.AssistStatus `json:"status,omitempty"`
	Grid            string              `json:"grid,omitempty"`
	Note            string              `json:"note,omitempty"`
	By              string              `json:"by,omitempty"`
	LocatedAt       time.Time           `json:"located_at,omitzero"`
	ContactedAt     time.Time           `json:"contacted_at,omitzero"`
	TestedAt        time.Time           `json:"tested_at,omitzero"`
	ControlledAt    time.Time           `json:"controlled_at,omitzero"`
	ClosedAt        time.Time           `json:"closed_at,omitzero"`
	ForwardedTarget string              `json:"forwarded_target,omitempty"`
}

// assistPeer tells whether a county is served by a peer, and which.
func (a *App) assistPeer(ctx context.Context, tx *store.Tx, county string) (id int64, name string, remote bool, err error) {
	p, ok, err := a.PeerFor(ctx, tx, county)
	if err != nil || !ok {
		return 0, "", false, err
	}
	return p.ID, p.Name, true, nil
}

// peerName names a peer for a list, "" if it cannot be read.
func (a *App) peerName(ctx context.Context, id int64) string {
	var p cordon.Peer
	_ = a.db.Read(ctx, func(tx *store.Tx) (err error) {
		p, err = tx.Peer(ctx, id)
		return err
	})
	return p.Name
}

// sendAssistRequest queues a stored request to its peer.
func (a *App) sendAssistRequest(ctx context.Context, tx *store.Tx, r cordon.AssistRequest, people []cordon.AssistPerson, year, seq int) error {
	m := assistRequestMessage{ID: r.ID, Number: r.Number, Year: year, Seq: seq, Sender: r.Sender, SenderName: r.SenderName, SentBy: r.SentBy,
		Target: r.Target, Reason: r.Reason, Source: r.Source, Contact: r.Contact, CreatedAt: r.CreatedAt}
	for _, p := range people {
		m.People = append(m.People, assistPersonMessage{Pos: p.Pos, Name: p.Name, DocType: p.DocType, IDNumber: p.IDNumber, Phone: p.Phone,
			Residence: p.Residence, Current: p.Current, Places: p.Places, Note: p.Note})
	}
	_, err := a.sendToPeer(ctx, tx, r.PeerID, "assist.request", m)
	return err
}

// reportAssist sends a person's state back to the peer a request came
// from; a request from here needs no report (the sender reads it).
func (a *App) reportAssist(ctx context.Context, tx *store.Tx, r cordon.AssistRequest, p cordon.AssistPerson) error {
	if r.OriginPeerID == 0 {
		return nil
	}
	_, err := a.sendToPeer(ctx, tx, r.OriginPeerID, "assist.status", assistStatusMessage{ID: r.RemoteID, Pos: p.Pos, Status: p.Status,
		Grid: p.Grid, Note: p.StatusNote, By: p.UpdatedBy, LocatedAt: p.LocatedAt, ContactedAt: p.ContactedAt, TestedAt: p.TestedAt,
		ControlledAt: p.ControlledAt, ClosedAt: p.ClosedAt, ForwardedTarget: p.ForwardedTarget})
	return err
}

func badAssistMessage(format string, args ...any) error {
	return cordon.Errorf(cordon.KindInvalid, "assist.message_invalid", format, args...)
}

// receiveAssistRequest creates the request a peer sent, received now.
func receiveAssistRequest(a *App, ctx context.Context, tx *store.Tx, from cordon.Peer, body json.RawMessage) error {
	var m assistRequestMessage
	if err := json.Unmarshal(body, &m); err != nil || m.ID <= 0 || m.Seq <= 0 || len(m.People) == 0 || len(m.People) > cordon.MaxAssistPeople {
		return badAssistMessage("the assist request cannot be read")
	}
	if _, ok := cordon.PeerServing([]cordon.Peer{from}, m.Sender); !ok {
		return badAssistMessage("the sender %s is not served by %s", m.Sender, from.Name)
	}
	if l, _ := cordon.LevelOf(m.Target); l != cordon.LevelCounty || !a.knownDivision(m.Target) {
		return badAssistMessage("the target %s is not a county", m.Target)
	}
	if _, _, remote, err := a.assistPeer(ctx, tx, m.Target); err != nil {
		return err
	} else if remote {
		return badAssistMessage("the target %s is served elsewhere", m.Target)
	}
	if _, err := tx.AssistRequestByRemote(ctx, from.ID, m.ID); err == nil || cordon.ErrorKind(err) != cordon.KindNotFound {
		return err // received before
	}
	r := cordon.AssistRequest{Number: m.Number, Sender: m.Sender, SenderName: m.SenderName, SentBy: m.SentBy, Target: m.Target,
		Reason: m.Reason, Source: m.Source, Contact: m.Contact, OriginPeerID: from.ID, RemoteID: m.ID, CreatedAt: m.CreatedAt}
	people := make([]cordon.AssistPerson, len(m.People))
	for i, p := range m.People {
		if p.Pos != i+1 {
			return badAssistMessage("the people are not numbered in order")
		}
		people[i] = cordon.AssistPerson{Name: p.Name, DocType: p.DocType, IDNumber: p.IDNumber, Phone: p.Phone, Residence: p.Residence,
			Current: p.Current, Places: p.Places, Note: p.Note}
	}
	if err := a.openAssist(ctx, tx, &r, 0, people, m.Year, m.Seq); err != nil {
		return err
	}
	if _, err := a.sendToPeer(ctx, tx, from.ID, "assist.status", assistStatusMessage{ID: m.ID, ReceivedAt: r.ReceivedAt, Number: r.Number}); err != nil {
		return err
	}
	return audit(ctx, tx, peerActor(from), "assist.receive", assistRecord(r.ID), "", r.Number)
}

// receiveAssistStatus updates the sender's copy of a request it sent to
// the peer: its receipt, or one person's state unless an older one.
func receiveAssistStatus(a *App, ctx context.Context, tx *store.Tx, from cordon.Peer, body json.RawMessage) error {
	var m assistStatusMessage
	if err := json.Unmarshal(body, &m); err != nil || m.ID <= 0 {
		return badAssistMessage("the assist status cannot be read")
	}
	r, err := tx.AssistRequest(ctx, store.Everywhere, m.ID)
	if cordon.ErrorKind(err) == cordon.KindNotFound || err == nil && r.PeerID != from.ID {
		return badAssistMessage("no request %d was sent to %s", m.ID, from.Name)
	}
	if err != nil {
		return err
	}
	if m.Pos == 0 {
		if m.ReceivedAt.IsZero() {
			return badAssistMessage("a receipt without its time")
		}
		if err := tx.SetAssistReceived(ctx, r.ID, m.ReceivedAt); err != nil {
			return err
		}
		return audit(ctx, tx, peerActor(from), "assist.status", assistRecord(r.ID), "", r.Number+" received")
	}
	p, err := tx.AssistPerson(ctx, r.ID, m.Pos)
	if cordon.ErrorKind(err) == cordon.KindNotFound {
		return badAssistMessage("request %d has no person %d", m.ID, m.Pos)
	}
	if err != nil {
		return err
	}
	if m.Status.Rank() < 0 {
		return badAssistMessage("unknown status %q", m.Status)
	}
	if m.Status.Rank() < p.Status.Rank() || p.Status.Final() && m.Status != p.Status {
		return nil // an older state than the one held
	}
	p.Status, p.Grid, p.StatusNote, p.UpdatedBy = m.Status, m.Grid, m.Note, "peer:"+from.Name+"/"+m.By
	p.LocatedAt, p.ContactedAt, p.TestedAt, p.ControlledAt, p.ClosedAt = m.LocatedAt, m.ContactedAt, m.TestedAt, m.ControlledAt, m.ClosedAt
	p.ForwardedTarget = m.ForwardedTarget
	if err := tx.UpdateAssistPerson(ctx, p); err != nil {
		return err
	}
	return audit(ctx, tx, peerActor(from), "assist.status", assistRecord(r.ID), "", r.Number+" "+strconv.Itoa(m.Pos)+" "+string(m.Status))
}

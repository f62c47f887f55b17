package app

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"cordon"
	"cordon/internal/store"
)

// Messages between cordon instances (one per province). This instance
// signs what it sends with an Ed25519 key derived from the database vault
// and names itself by its instance name; administrators exchange the two
// (GET /.well-known/cordon/instance) and register each other as peers.
// A message is queued in the outbox inside the sender's transaction
// (sendToPeer), then delivered in order per peer and retried with capped
// backoff until acknowledged; a peer answering 422 has refused it for
// good. A message received is checked (key, signature, peer, recipient,
// kind) and handled in one transaction with its inbox row, so that a
// replay is acknowledged without being handled again.

// DefaultInstanceName is the instance name unless the server is told
// another (cordon serve --instance-name).
const DefaultInstanceName = "广西壮族自治区"

// PeerDeliverEvery is how often the outbox is looked at without a wake-up.
const PeerDeliverEvery = 15 * time.Second

// peerKeyPurpose names the vault key that signs messages to peers.
const peerKeyPurpose = "peer messages"

// PeerPoster carries a signed message to a peer's endpoint and answers the
// HTTP status and the reply's body. internal/api provides the one that
// speaks HTTP; app does not.
type PeerPoster func(ctx context.Context, url string, header map[string]string, body []byte) (status int, reply []byte, err error)

// peerState is this instance's name, how it posts to peers, and the
// wake-up of the delivery loop.
type peerState struct {
	name    string
	post    PeerPoster
	once    sync.Once
	wake    chan struct{}
	deliver sync.Mutex // one delivery pass at a time, so that each peer's order holds
}

func (p *peerState) wakeup() chan struct{} {
	p.once.Do(func() { p.wake = make(chan struct{}, 1) })
	return p.wake
}

// SetInstanceName names this instance to its peers, e.g. 广东省. Call it
// before serving.
func (a *App) SetInstanceName(name string) { a.peers.name = name }

// SetPeerPoster sets how messages reach peers. Call it before serving;
// without one nothing is delivered.
func (a *App) SetPeerPoster(p PeerPoster) { a.peers.post = p }

func (a *App) instanceName() string {
	if a.peers.name == "" {
		return DefaultInstanceName
	}
	return a.peers.name
}

func (a *App) peerKey() ed25519.PrivateKey { return a.db.SigningKey(peerKeyPurpose) }

// Instance is this instance's name and public key, published for the
// administrators of other instances.
func (a *App) Instance() cordon.Instance {
	pub := a.peerKey().Public().(ed25519.PublicKey)
	return cordon.Instance{Name: a.instanceName(), PublicKey: base64.StdEncoding.EncodeToString(pub), KeyID: cordon.PeerKeyID(pub)}
}

func peerRecord(id int64) string { return "peer:" + strconv.FormatInt(id, 10) }

// PeerView is a peer with the counts of its outbox.
type PeerView struct {
	cordon.Peer
	Outbox cordon.PeerOutbox `json:"outbox"`
}

// CreatePeer registers another instance, active unless said otherwise.
func (a *App) CreatePeer(ctx context.Context, actor cordon.Actor, in cordon.PeerInput) (cordon.Peer, error) {
	if err := authorize(actor, cordon.PermPeerManage); err != nil {
		return cordon.Peer{}, err
	}
	p, err := a.peerOf(in, 0, true)
	if err != nil {
		return p, err
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreatePeer(ctx, &p, actor.AccountID); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "peer.create", peerRecord(p.ID), "", p.Name+" "+p.KeyID)
	})
	return p, err
}

// UpdatePeer changes a peer (active false stops delivery to it and
// refuses its messages), guarded by the version read.
func (a *App) UpdatePeer(ctx context.Context, actor cordon.Actor, id int64, in cordon.PeerInput) (cordon.Peer, error) {
	if err := authorize(actor, cordon.PermPeerManage); err != nil {
		return cordon.Peer{}, err
	}
	if in.Version == 0 {
		return cordon.Peer{}, cordon.Errorf(cordon.KindInvalid, "peer.version_required", "send the version you read").WithField("version", "peer.version_required")
	}
	var p cordon.Peer
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		old, err := tx.Peer(ctx, id)
		if err != nil {
			return err
		}
		if p, err = a.peerOf(in, id, old.Active); err != nil {
			return err
		}
		if err := tx.UpdatePeer(ctx, p, in.Version); err != nil {
			return err
		}
		p.Version = in.Version + 1
		return audit(ctx, tx, actor, "peer.update", peerRecord(id), "", fmt.Sprintf("%s %s active=%t", p.Name, p.KeyID, p.Active))
	})
	if err == nil && p.Active {
		a.wakePeerDelivery()
	}
	return p, err
}

func (a *App) peerOf(in cordon.PeerInput, id int64, active bool) (cordon.Peer, error) {
	if err := in.Validate(); err != nil {
		return cordon.Peer{}, err
	}
	key, _ := cordon.ParsePeerKey(in.PublicKey)
	if key.Equal(a.peerKey().Public()) {
		return cordon.Peer{}, cordon.Errorf(cordon.KindInvalid, "peer.key_own", "this is this instance's own key").WithField("public_key", "peer.key_own")
	}
	if in.Active != nil {
		active = *in.Active
	}
	return cordon.Peer{ID: id, Name: in.Name, BaseURL: in.BaseURL, PublicKey: key, KeyID: cordon.PeerKeyID(key), Divisions: in.Divisions, Active: active}, nil
}

// Peers lists the peers with the counts of their outboxes.
func (a *App) Peers(ctx context.Context, actor cordon.Actor) ([]PeerView, error) {
	if err := authorize(actor, cordon.PermPeerManage); err != nil {
		return nil, err
	}
	var out []PeerView
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		peers, err := tx.Peers(ctx)
		if err != nil {
			return err
		}
		counts, err := tx.PeerOutboxCounts(ctx)
		if err != nil {
			return err
		}
		out = make([]PeerView, len(peers))
		for i, p := range peers {
			out[i] = PeerView{Peer: p, Outbox: counts[p.ID]}
		}
		return nil
	})
	return out, err
}

// Peer reads one peer.
func (a *App) Peer(ctx context.Context, actor cordon.Actor, id int64) (cordon.Peer, error) {
	if err := authorize(actor, cordon.PermPeerManage); err != nil {
		return cordon.Peer{}, err
	}
	var p cordon.Peer
	err := a.db.Read(ctx, func(tx *store.Tx) (err error) {
		p, err = tx.Peer(ctx, id)
		return err
	})
	return p, err
}

// PeerMessages lists a peer's outgoing messages of a status ("" for all),
// newest first.
func (a *App) PeerMessages(ctx context.Context, actor cordon.Actor, id int64, status cordon.PeerMessageStatus, limit int) ([]cordon.PeerMessage, error) {
	if err := authorize(actor, cordon.PermPeerManage); err != nil {
		return nil, err
	}
	switch status {
	case "", cordon.PeerPending, cordon.PeerAcknowledged, cordon.PeerFailed:
	default:
		return nil, cordon.Errorf(cordon.KindInvalid, "peer.status_invalid", "status is pending, acknowledged or failed").WithField("status", "peer.status_invalid")
	}
	var out []cordon.PeerMessage
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		if _, err := tx.Peer(ctx, id); err != nil {
			return err
		}
		var err error
		out, err = tx.PeerMessages(ctx, id, status, limit)
		return err
	})
	return out, err
}

// RetryPeerMessage makes a pending or failed message due now and wakes the
// delivery.
func (a *App) RetryPeerMessage(ctx context.Context, actor cordon.Actor, peerID int64, msgID string) error {
	if err := authorize(actor, cordon.PermPeerManage); err != nil {
		return err
	}
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.RetryPeerMessage(ctx, peerID, msgID); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "peer.retry", peerRecord(peerID), "", msgID)
	})
	if err == nil {
		a.wakePeerDelivery()
	}
	return err
}

// PingKind is a message that does nothing but prove, once acknowledged,
// that the two instances have each other's keys and names right.
const PingKind = "peer.ping"

func init() {
	peerHandlers[PingKind] = func(*App, context.Context, *store.Tx, cordon.Peer, json.RawMessage) error { return nil }
}

// PingPeer queues a ping to a peer and returns its message id; the outbox
// shows when it is acknowledged.
func (a *App) PingPeer(ctx context.Context, actor cordon.Actor, peerID int64) (string, error) {
	if err := authorize(actor, cordon.PermPeerManage); err != nil {
		return "", err
	}
	var id string
	err := a.db.Transact(ctx, func(tx *store.Tx) (err error) {
		if id, err = a.sendToPeer(ctx, tx, peerID, PingKind, map[string]string{"by": actor.Username}); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "peer.ping", peerRecord(peerID), "", id)
	})
	return id, err
}

// PeerFor returns the active peer that serves a division code (longest
// prefix match); ok is false when this instance serves it itself.
func (a *App) PeerFor(ctx context.Context, tx *store.Tx, code string) (cordon.Peer, bool, error) {
	peers, err := tx.Peers(ctx)
	if err != nil {
		return cordon.Peer{}, false, err
	}
	p, ok := cordon.PeerServing(peers, code)
	return p, ok, nil
}

// sendToPeer queues a message to a peer inside the caller's transaction;
// it is signed and delivered after the commit and retried with backoff
// until the peer acknowledges it. It returns the message id (a UUID).
func (a *App) sendToPeer(ctx context.Context, tx *store.Tx, peerID int64, kind string, body any) (string, error) {
	p, err := tx.Peer(ctx, peerID)
	if err != nil {
		return "", err
	}
	if !p.Active {
		return "", cordon.Errorf(cordon.KindConflict, "peer.inactive", "the peer %s is not active", p.Name)
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return "", err
	}
	id := newUUID()
	env, err := json.Marshal(cordon.PeerEnvelope{ID: id, From: a.instanceName(), To: p.Name, Kind: kind, SentAt: tx.Now, Body: raw})
	if err != nil {
		return "", err
	}
	if err := tx.QueuePeerMessage(ctx, peerID, id, kind, env); err != nil {
		return "", err
	}
	if err := audit(ctx, tx, System, "peer.message_queued", peerRecord(peerID), "", kind+" "+id); err != nil {
		return "", err
	}
	a.wakePeerDelivery()
	return id, nil
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// wakePeerDelivery tells the delivery loop there may be work.
func (a *App) wakePeerDelivery() {
	select {
	case a.peers.wakeup() <- struct{}{}:
	default:
	}
}

// peerHandlers receive messages by kind. Each runs inside one transaction
// that also records the message in the inbox, so a replayed message is
// acknowledged without running the handler again. A handler returning a
// *cordon.Error of kind Invalid makes the receiver answer 422 and the
// sender stops retrying that message (marked failed, visible to admins);
// any other error is answered 5xx and retried. Handlers are registered in
// init functions and never changed afterwards.
var peerHandlers = map[string]func(a *App, ctx context.Context, tx *store.Tx, from cordon.Peer, body json.RawMessage) error{}

// ReceivePeerMessage checks a message from a peer (its key id, the
// signature over the exact body, the peer, the recipient, the kind) and
// hands it to its kind's handler in one transaction with its inbox row. A
// message received before is acknowledged as replayed and not handled
// again.
func (a *App) ReceivePeerMessage(ctx context.Context, keyID, signature string, body []byte) (cordon.PeerReceipt, error) {
	if keyID == "" || signature == "" {
		return cordon.PeerReceipt{}, cordon.Errorf(cordon.KindUnauthorized, "peer.unsigned", "the message carries no key id or signature")
	}
	if len(body) > cordon.MaxPeerMessage {
		return cordon.PeerReceipt{}, cordon.Errorf(cordon.KindTooLarge, "peer.too_large", "the message is over %d bytes", cordon.MaxPeerMessage)
	}
	var p cordon.Peer
	err := a.db.Read(ctx, func(tx *store.Tx) (err error) {
		p, err = tx.PeerByKey(ctx, keyID)
		return err
	})
	if cordon.ErrorKind(err) == cordon.KindNotFound {
		return cordon.PeerReceipt{}, cordon.Errorf(cordon.KindUnauthorized, "peer.unknown", "no peer has this key")
	}
	if err != nil {
		return cordon.PeerReceipt{}, err
	}
	sig, err := base64.StdEncoding.DecodeString(signature)
	if err != nil || !ed25519.Verify(p.PublicKey, body, sig) {
		return cordon.PeerReceipt{}, cordon.Errorf(cordon.KindUnauthorized, "peer.signature_invalid", "the signature does not match the body and the peer's key")
	}
	if !p.Active {
		return cordon.PeerReceipt{}, cordon.Errorf(cordon.KindForbidden, "peer.inactive", "the peer %s is not active here", p.Name)
	}
	var env cordon.PeerEnvelope
	if err := json.Unmarshal(body, &env); err != nil || env.ID == "" || len(env.ID) > 64 || env.Kind == "" || len(env.Body) == 0 {
		return cordon.PeerReceipt{}, cordon.Errorf(cordon.KindInvalid, "peer.malformed", "the message is not an envelope with id, from, to, kind and body")
	}
	if env.From != p.Name {
		return cordon.PeerReceipt{}, cordon.Errorf(cordon.KindInvalid, "peer.from_mismatch", "the message says it is from %q, the key is %s's", env.From, p.Name)
	}
	if env.To != a.instanceName() {
		return cordon.PeerReceipt{}, cordon.Errorf(cordon.KindInvalid, "peer.wrong_recipient", "the message is for %q, this is %s", env.To, a.instanceName())
	}
	handle, ok := peerHandlers[env.Kind]
	if !ok {
		return cordon.PeerReceipt{}, cordon.Errorf(cordon.KindInvalid, "peer.kind_unknown", "no messages of kind %q are taken here", env.Kind)
	}
	receipt := cordon.PeerReceipt{ID: env.ID}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		first, err := tx.ReceivePeerMessage(ctx, p.ID, env.ID, env.Kind)
		if err != nil || !first {
			receipt.Replayed = !first
			return err
		}
		if err := handle(a, ctx, tx, p, env.Body); err != nil {
			return err
		}
		return audit(ctx, tx, peerActor(p), "peer.message_received", peerRecord(p.ID), "", env.Kind+" "+env.ID)
	})
	return receipt, err
}

// peerActor is a peer as the author of what its messages change.
func peerActor(p cordon.Peer) cordon.Actor {
	return cordon.Actor{AccountID: -1, Username: "peer:" + p.Name, Role: cordon.RoleAdmin, Jurisdiction: cordon.Nationwide}
}

// DeliverPeerMessages sends what is due in the outbox now, in order per
// peer, and returns how many messages the peers acknowledged. A peer that
// cannot be reached or answers an error other than 422 keeps its head
// message pending with a growing wait (PeerBackoff); a 422 marks that
// message failed and delivery goes on with the next.
func (a *App) DeliverPeerMessages(ctx context.Context) (int, error) {
	if a.peers.post == nil {
		return 0, errors.New("app: no peer poster set")
	}
	a.peers.deliver.Lock()
	defer a.peers.deliver.Unlock()
	var ids []int64
	err := a.db.Read(ctx, func(tx *store.Tx) (err error) {
		ids, err = tx.PeersWithPending(ctx, a.now())
		return err
	})
	if err != nil {
		return 0, err
	}
	acked := 0
	for _, id := range ids {
		n, err := a.deliverTo(ctx, id)
		acked += n
		if err != nil {
			return acked, err
		}
	}
	return acked, nil
}

// deliverTo sends a peer's due messages in order until one is refused for
// now or none is due.
func (a *App) deliverTo(ctx context.Context, peerID int64) (int, error) {
	key := a.peerKey()
	keyID := cordon.PeerKeyID(key.Public().(ed25519.PublicKey))
	acked := 0
	for {
		var p cordon.Peer
		var m store.OutgoingPeerMessage
		var ok bool
		err := a.db.Read(ctx, func(tx *store.Tx) (err error) {
			if p, err = tx.Peer(ctx, peerID); err != nil {
				return err
			}
			m, ok, err = tx.NextPeerMessage(ctx, peerID)
			return err
		})
		if err != nil || !ok || !p.Active || m.NextAt.After(a.now()) {
			return acked, err
		}
		header := map[string]string{
			cordon.PeerKeyHeader:       keyID,
			cordon.PeerSignatureHeader: base64.StdEncoding.EncodeToString(ed25519.Sign(key, m.Envelope)),
		}
		status, reply, postErr := a.peers.post(ctx, p.BaseURL+"/api/v1/peer/messages", header, m.Envelope)
		if ctx.Err() != nil {
			return acked, ctx.Err()
		}
		err = a.db.Transact(ctx, func(tx *store.Tx) error {
			switch {
			case postErr == nil && status == 200:
				if err := tx.PeerMessageAcknowledged(ctx, m.ID); err != nil {
					return err
				}
				return audit(ctx, tx, System, "peer.message_delivered", peerRecord(peerID), "", m.Kind+" "+m.ID)
			case postErr == nil && status == 422:
				if err := tx.PeerMessageFailed(ctx, m.ID, peerAnswer(status, reply), time.Time{}); err != nil {
					return err
				}
				return audit(ctx, tx, System, "peer.message_failed", peerRecord(peerID), "", m.Kind+" "+m.ID+" "+peerAnswer(status, reply))
			case postErr != nil:
				return tx.PeerMessageFailed(ctx, m.ID, postErr.Error(), tx.Now.Add(cordon.PeerBackoff(m.Attempts+1)))
			default:
				return tx.PeerMessageFailed(ctx, m.ID, peerAnswer(status, reply), tx.Now.Add(cordon.PeerBackoff(m.Attempts+1)))
			}
		})
		if err != nil {
			return acked, err
		}
		switch {
		case postErr == nil && status == 200:
			acked++
		case postErr != nil || status != 422:
			return acked, nil
		}
	}
}

// peerAnswer is an error answer from a peer as a line for the outbox: the
// status and the problem's code.
func peerAnswer(status int, reply []byte) string {
	var p struct {
		Code string `json:"code"`
	}
	_ = json.Unmarshal(reply, &p)
	if p.Code == "" {
		return "HTTP " + strconv.Itoa(status)
	}
	return "HTTP " + strconv.Itoa(status) + " " + p.Code
}

// runPeerDelivery delivers the outbox until ctx ends: on a wake-up from a
// send or a retry, and every PeerDeliverEvery. The wake-up comes from
// inside the sender's transaction, so the loop waits a moment for the
// commit; a longer transaction is caught by the ticker.
func (a *App) runPeerDelivery(ctx context.Context) {
	if a.peers.post == nil {
		return
	}
	tick := time.NewTicker(PeerDeliverEvery)
	defer tick.Stop()
	for {
		n, err := a.DeliverPeerMessages(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			a.log.Error("peer delivery", "err", err)
		case n > 0:
			a.log.Info("peer messages acknowledged", "messages", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-a.peers.wakeup():
			sleepCtx(ctx, 200*time.Millisecond)
		}
	}
}

package cordon

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"strings"
	"time"
)

// Peers: other cordon instances (one per province) that this one exchanges
// messages with, such as assist requests. Each instance signs what it
// sends with its Ed25519 key; administrators exchange public keys and
// register each other as peers. A message is queued in the sender's
// outbox inside the transaction that decided to send it, delivered in
// order and retried until the peer acknowledges it, and recorded in the
// receiver's inbox together with the work it caused, so that a replay is
// acknowledged without doing the work twice.

// Peer is another cordon instance this one exchanges messages with.
type Peer struct {
	ID        int64    `json:"id"`
	Name      string   `json:"name"`     // the peer's instance name, e.g. 广东省
	BaseURL   string   `json:"base_url"` // e.g. https://cordon.gd.example
	PublicKey []byte   `json:"public_key"`
	KeyID     string   `json:"key_id"`
	Divisions []string `json:"divisions"` // division-code prefixes it serves, e.g. ["44"]
	Active    bool     `json:"active"`
	Version   int      `json:"version"`
}

// PeerInput registers or changes a peer. PublicKey is the base64 text the
// peer publishes at /.well-known/cordon/instance.
type PeerInput struct {
	Name      string   `json:"name"`
	BaseURL   string   `json:"base_url"`
	PublicKey string   `json:"public_key"`
	Divisions []string `json:"divisions"`
	Active    *bool    `json:"active,omitempty"` // default true
	Version   int      `json:"version,omitempty"`
}

// Validate normalises and checks a peer: an https base URL without query
// (plain http only to this machine), a 32-byte Ed25519 key in base64, and
// division-code prefixes of 2 to 12 digits.
func (in *PeerInput) Validate() error {
	var v Invalid
	v.Code = "peer.invalid"
	in.Name = strings.TrimSpace(in.Name)
	in.BaseURL = strings.TrimRight(strings.TrimSpace(in.BaseURL), "/")
	in.PublicKey = strings.TrimSpace(in.PublicKey)
	if in.Name == "" || !freeText(in.Name, 100) {
		v.Add("name", "peer.name_invalid")
	}
	u, err := url.Parse(in.BaseURL)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.Scheme != "https" && !(u.Scheme == "http" && loopback(u.Hostname())) {
		v.Add("base_url", "peer.url_invalid")
	}
	if _, err := ParsePeerKey(in.PublicKey); err != nil {
		v.Add("public_key", "peer.key_invalid")
	}
	var divs []string
	for _, d := range in.Divisions {
		for _, d := range strings.FieldsFunc(d, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '，' }) {
			if len(d) < 2 || len(d) > 12 || !allDigits(d) {
				v.Add("divisions", "peer.division_invalid")
			}
			divs = append(divs, d)
		}
	}
	if len(divs) == 0 {
		v.Add("divisions", "peer.division_invalid")
	}
	in.Divisions = divs
	return v.Err()
}

// loopback tells whether a host is this machine, the one place plain HTTP
// is allowed: messages carry identity numbers and phones.
func loopback(host string) bool {
	return host == "localhost" || host == "::1" || strings.HasPrefix(host, "127.")
}

// ParsePeerKey reads a base64 Ed25519 public key (standard or URL
// alphabet, padded or not).
func ParsePeerKey(s string) (ed25519.PublicKey, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "=")
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		b, err = base64.RawURLEncoding.DecodeString(s)
	}
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, Errorf(KindInvalid, "peer.key_invalid", "the public key is not a base64 Ed25519 key")
	}
	return ed25519.PublicKey(b), nil
}

// PeerKeyID names a public key in message headers: the first 8 bytes of
// its SHA-256, in hex.
func PeerKeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// PeerServing picks the active peer serving a division code by the longest
// matching prefix; ok is false when none does.
func PeerServing(peers []Peer, code string) (Peer, bool) {
	var best Peer
	n := 0
	for _, p := range peers {
		if !p.Active {
			continue
		}
		for _, d := range p.Divisions {
			if len(d) > n && strings.HasPrefix(code, d) {
				best, n = p, len(d)
			}
		}
	}
	return best, n > 0
}

// Instance is this cordon instance as its peers know it, published at
// /.well-known/cordon/instance for administrators to exchange.
type Instance struct {
	Name      string `json:"name"`
	PublicKey string `json:"public_key"` // base64 Ed25519
	KeyID     string `json:"key_id"`
}

// PeerEnvelope is the signed body of every message between instances; the
// Ed25519 signature covers its exact bytes as sent.
type PeerEnvelope struct {
	ID     string          `json:"id"` // a UUID, unique per sender
	From   string          `json:"from"`
	To     string          `json:"to"`
	Kind   string          `json:"kind"` // e.g. assist.request
	SentAt time.Time       `json:"sent_at"`
	Body   json.RawMessage `json:"body"`
}

// The headers of a message between instances.
const (
	PeerKeyHeader       = "Cordon-Key-Id"    // the sender's key id (PeerKeyID)
	PeerSignatureHeader = "Cordon-Signature" // base64 Ed25519 signature of the body
)

// MaxPeerMessage bounds a message's body in bytes.
const MaxPeerMessage = 1 << 20

// PeerMessageStatus is where an outgoing message stands.
type PeerMessageStatus string

const (
	PeerPending      PeerMessageStatus = "pending"      // waiting for delivery or a retry
	PeerAcknowledged PeerMessageStatus = "acknowledged" // the peer took it
	PeerFailed       PeerMessageStatus = "failed"       // the peer refused it as invalid (422); not retried
)

// PeerMessage is a message in the outbox.
type PeerMessage struct {
	ID          string            `json:"id"`
	PeerID      int64             `json:"peer_id"`
	Kind        string            `json:"kind"`
	Status      PeerMessageStatus `json:"status"`
	Attempts    int               `json:"attempts"`
	LastError   string            `json:"last_error,omitempty"`
	QueuedAt    time.Time         `json:"queued_at"`
	NextAt      time.Time         `json:"next_attempt_at,omitzero"`
	DeliveredAt time.Time         `json:"delivered_at,omitzero"`
}

// PeerOutbox counts a peer's outgoing messages by status.
type PeerOutbox struct {
	Pending      int `json:"pending"`
	Acknowledged int `json:"acknowledged"`
	Failed       int `json:"failed"`
}

// PeerReceipt answers a message received: acknowledged, and whether it had
// been received before (a replay, not acted on again).
type PeerReceipt struct {
	ID       string `json:"id"`
	Replayed bool   `json:"replayed"`
}

// PeerBackoff is the wait before the attempt after the given number of
// failed ones: 30 s doubling to at most an hour.
func PeerBackoff(attempts int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < attempts && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

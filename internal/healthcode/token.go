// Package healthcode signs and checks health-code tokens: what a person's
// code QR carries. A token holds no name and no identity number: a
// pseudonymous person reference (the person id encrypted with a key only
// cordon holds), the colour, when it was issued and until when it is
// valid, a nonce, and the id of the key that signed it, all signed with
// Ed25519. Anyone with the public keys checks a token offline; only cordon
// makes one, and only cordon can tell whose it is.
//
// Layout (95 bytes, 127 characters of unpadded base64url after "HC1."):
//
//	version 1 | key id 1 | person ref 16 | colour 1 | issued 4 | expires 4 | nonce 4 | signature 64
//
// The colour byte's high bit marks a printed code: one that lasts long and
// is scanned many times, so a verifier does not refuse it as a replay.
package healthcode

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strings"
	"sync"
	"time"

	"cordon"
)

const (
	prefix  = "HC1."
	version = 1
	bodyLen = 1 + 1 + 16 + 1 + 4 + 4 + 4
)

// Skew is how far a verifier's clock may be from the signer's.
const Skew = 2 * time.Minute

var colors = []cordon.CodeColor{cordon.Green, cordon.Yellow, cordon.Red}

// Token is a checked token's content.
type Token struct {
	KeyID    byte
	PersonID int64 // only the signer (who holds the reference key) learns it
	Color    cordon.CodeColor
	Issued   time.Time
	Expires  time.Time
	Printed  bool
	nonce    uint32
	ref      [16]byte
}

// Key is one signing key generation.
type Key struct {
	ID      byte
	Private ed25519.PrivateKey // nil on a verifier
	Public  ed25519.PublicKey
}

// Signer makes and checks tokens with its keys (the current one signs;
// older ones still verify) and the reference key.
type Signer struct {
	keys map[byte]Key
	cur  byte
	ref  cipher.Block

	mu     sync.Mutex
	seen   map[[20]byte]time.Time   // tokens already presented, until they expire
	issued map[tokenBytes]time.Time // dynamic tokens made here, until they expire
	calls  int
}

// tokenBytes is a whole token, body and signature.
type tokenBytes [bodyLen + ed25519.SignatureSize]byte

// maxIssued bounds the tokens a signer remembers making; past it, tokens
// are checked by signing them again.
const maxIssued = 500_000

// NewSigner builds a signer. current must hold a private key; older keys
// may be public only. refKey is 16, 24 or 32 bytes.
func NewSigner(current Key, older []Key, refKey []byte) (*Signer, error) {
	if current.Private == nil {
		return nil, errors.New("healthcode: the current key must be able to sign")
	}
	block, err := aes.NewCipher(refKey)
	if err != nil {
		return nil, err
	}
	s := &Signer{keys: map[byte]Key{current.ID: current}, cur: current.ID, ref: block, seen: map[[20]byte]time.Time{}, issued: map[tokenBytes]time.Time{}}
	for _, k := range older {
		if _, dup := s.keys[k.ID]; dup {
			return nil, errors.New("healthcode: two keys share an id")
		}
		s.keys[k.ID] = k
	}
	return s, nil
}

// PublicKeys lists the keys that verify, by id.
func (s *Signer) PublicKeys() map[byte]ed25519.PublicKey {
	out := make(map[byte]ed25519.PublicKey, len(s.keys))
	for id, k := range s.keys {
		out[id] = k.Public
	}
	return out
}

// printedBit marks a printed code in the colour byte.
const printedBit = 0x80

// Sign makes a token for a person's colour valid from issued for ttl;
// printed marks a code to print, scanned many times.
func (s *Signer) Sign(personID int64, color cordon.CodeColor, issued time.Time, ttl time.Duration, printed bool) (string, error) {
	ci := slicesIndex(colors, color)
	if ci < 0 || personID <= 0 || ttl <= 0 {
		return "", errors.New("healthcode: bad token content")
	}
	b := make([]byte, bodyLen, bodyLen+ed25519.SignatureSize)
	b[0], b[1] = version, s.cur
	var id [16]byte
	binary.BigEndian.PutUint64(id[8:], uint64(personID))
	s.ref.Encrypt(b[2:18], id[:])
	b[18] = byte(ci)
	if printed {
		b[18] |= printedBit
	}
	binary.BigEndian.PutUint32(b[19:], uint32(issued.Unix()))
	binary.BigEndian.PutUint32(b[23:], uint32(issued.Add(ttl).Unix()))
	if _, err := rand.Read(b[27:31]); err != nil {
		return "", err
	}
	b = append(b, ed25519.Sign(s.keys[s.cur].Private, b)...)
	if !printed {
		var key tokenBytes
		copy(key[:], b)
		s.mu.Lock()
		s.sweep(issued)
		if len(s.issued) < maxIssued {
			s.issued[key] = issued.Add(ttl)
		}
		s.mu.Unlock()
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// Parse checks a token's form and signature against the public keys and
// its validity at now, without learning whose it is: what an offline
// verifier does.
func Parse(keys map[byte]ed25519.PublicKey, token string, now time.Time) (Token, error) {
	return parse(token, now, func(kid byte, body, sig []byte) error {
		pub, ok := keys[kid]
		if !ok {
			return bad("healthcode.key_unknown", "signed with a key cordon does not know")
		}
		if !ed25519.Verify(pub, body, sig) {
			return bad("healthcode.signature_invalid", "the token was changed or forged")
		}
		return nil
	})
}

func bad(code, msg string) error { return cordon.Errorf(cordon.KindInvalid, code, "%s", msg) }

// parse reads a token, has its signature checked by authentic, and checks
// its times at now.
func parse(token string, now time.Time, authentic func(kid byte, body, sig []byte) error) (Token, error) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(token[strings.LastIndex(token, "/")+1:]), prefix)
	if !ok {
		return Token{}, bad("healthcode.token_invalid", "not a health-code token")
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(rest) // one text per token
	if err != nil || len(b) != bodyLen+ed25519.SignatureSize || b[0] != version || int(b[18]&^printedBit) >= len(colors) {
		return Token{}, bad("healthcode.token_invalid", "not a health-code token")
	}
	if err := authentic(b[1], b[:bodyLen], b[bodyLen:]); err != nil {
		return Token{}, err
	}
	t := Token{KeyID: b[1], Color: colors[b[18]&^printedBit], Printed: b[18]&printedBit != 0, Issued: time.Unix(int64(binary.BigEndian.Uint32(b[19:])), 0),
		Expires: time.Unix(int64(binary.BigEndian.Uint32(b[23:])), 0), nonce: binary.BigEndian.Uint32(b[27:])}
	copy(t.ref[:], b[2:18])
	switch {
	case now.Add(Skew).Before(t.Issued):
		return t, bad("healthcode.not_yet_valid", "issued in the future: check the clock")
	case now.Add(-Skew).After(t.Expires):
		return t, bad("healthcode.expired", "the code expired: refresh it")
	}
	return t, nil
}

// authentic checks a signature as only the signer can: a token it issued
// and still remembers is compared with what it issued; any other token of
// a key whose private half it holds is signed again and compared (Ed25519
// signatures are deterministic, and signing costs less than half of
// verifying); a key it only has the public half of is verified.
func (s *Signer) authentic(kid byte, body, sig []byte) error {
	k, ok := s.keys[kid]
	if !ok {
		return bad("healthcode.key_unknown", "signed with a key cordon does not know")
	}
	var key tokenBytes
	copy(key[copy(key[:], body):], sig)
	s.mu.Lock()
	_, issued := s.issued[key]
	s.mu.Unlock()
	switch {
	case issued: // byte for byte a token it made
		return nil
	case k.Private != nil:
		if subtle.ConstantTimeCompare(ed25519.Sign(k.Private, body), sig) != 1 {
			return bad("healthcode.signature_invalid", "the token was changed or forged")
		}
	case !ed25519.Verify(k.Public, body, sig):
		return bad("healthcode.signature_invalid", "the token was changed or forged")
	}
	return nil
}

// Verify is Parse by the signer, which also learns whose token it is and
// refuses a dynamic token presented before (a screenshot passed on).
func (s *Signer) Verify(token string, now time.Time) (Token, error) {
	return s.VerifyAt(token, now, now)
}

// Remember is how long past its expiry the signer remembers a dynamic
// token it has seen, so that a scan queued by an offline verifier and sent
// later cannot present it again.
const Remember = 6 * time.Hour

// VerifyAt is Verify of a token scanned at `at` (before now) by a verifier
// that was offline: its validity is judged at the scan, its replay against
// every presentation seen.
func (s *Signer) VerifyAt(token string, at, now time.Time) (Token, error) {
	t, err := parse(token, at, s.authentic)
	if err != nil {
		return t, err
	}
	if t, err = s.Owner(t); err != nil {
		return t, err
	}
	if t.Printed {
		return t, nil
	}
	var key [20]byte
	copy(key[:], t.ref[:])
	binary.BigEndian.PutUint32(key[16:], t.nonce)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep(now)
	if _, again := s.seen[key]; again {
		return t, cordon.Errorf(cordon.KindConflict, "healthcode.replayed", "this code was shown before: refresh it")
	}
	s.seen[key] = t.Expires.Add(Skew + Remember)
	return t, nil
}

// sweep forgets, now and then rather than on every call, the tokens that
// no longer matter; the caller holds s.mu.
func (s *Signer) sweep(now time.Time) {
	if s.calls++; s.calls%4096 != 0 {
		return
	}
	for k, until := range s.seen {
		if now.After(until) {
			delete(s.seen, k)
		}
	}
	for k, until := range s.issued {
		if now.After(until.Add(Skew)) {
			delete(s.issued, k)
		}
	}
}

// Adopt takes over the tokens another signer has seen: a new key
// generation must not forget the presentations of the old.
func (s *Signer) Adopt(old *Signer) {
	if old == nil || old == s {
		return
	}
	old.mu.Lock()
	defer old.mu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range old.seen {
		s.seen[k] = v
	}
}

// Owner learns whose a parsed token is, without the replay check: for a
// scan a verifier queued while offline and sends later.
func (s *Signer) Owner(t Token) (Token, error) {
	var id [16]byte
	s.ref.Decrypt(id[:], t.ref[:])
	t.PersonID = int64(binary.BigEndian.Uint64(id[8:]))
	if binary.BigEndian.Uint64(id[:8]) != 0 || t.PersonID <= 0 {
		return t, cordon.Errorf(cordon.KindInvalid, "healthcode.token_invalid", "not a health-code token")
	}
	return t, nil
}

func slicesIndex(s []cordon.CodeColor, c cordon.CodeColor) int {
	for i, x := range s {
		if x == c {
			return i
		}
	}
	return -1
}

// Package vault seals personal data at rest. Identity numbers and phones are
// encrypted with AES-256-GCM under a rotating data key, and indexed with a
// keyed HMAC-SHA256 blind index so that exact lookups and duplicate checks
// work without decrypting anything. The index key does not rotate with the
// data key: changing it means re-indexing every row (see docs/keys.md).
package vault

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the length of every key in bytes.
const KeySize = 32

const version = 1

// Vault holds the keys. It is safe for concurrent use.
type Vault struct {
	current  byte // id of the key that seals
	aeads    map[byte]cipher.AEAD
	indexKey []byte
}

// KeyID derives the one-byte id under which ciphertexts name their key.
func KeyID(key []byte) byte {
	s := sha256.Sum256(append([]byte("cordon key id\x00"), key...))
	return s[0]
}

// New builds a vault from the current data key, any older data keys that
// existing rows may still be sealed with, and the blind-index key.
func New(dataKey []byte, oldDataKeys [][]byte, indexKey []byte) (*Vault, error) {
	if len(dataKey) != KeySize {
		return nil, fmt.Errorf("data key must be %d bytes, got %d", KeySize, len(dataKey))
	}
	if len(indexKey) != KeySize {
		return nil, fmt.Errorf("index key must be %d bytes, got %d", KeySize, len(indexKey))
	}
	v := &Vault{aeads: map[byte]cipher.AEAD{}, indexKey: append([]byte(nil), indexKey...)}
	add := func(k []byte) error {
		if len(k) != KeySize {
			return fmt.Errorf("old data key must be %d bytes, got %d", KeySize, len(k))
		}
		id := KeyID(k)
		if _, dup := v.aeads[id]; dup {
			return fmt.Errorf("two data keys share key id %d: generate a new key", id)
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return err
		}
		v.aeads[id] = aead
		return nil
	}
	if err := add(dataKey); err != nil {
		return nil, err
	}
	v.current = KeyID(dataKey)
	for _, k := range oldDataKeys {
		if err := add(k); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// Seal encrypts plaintext; the field name is bound in as associated data so
// that a phone ciphertext cannot be passed off as an ID number. An empty
// plaintext seals to nil.
func (v *Vault) Seal(field, plaintext string) []byte {
	if plaintext == "" {
		return nil
	}
	aead := v.aeads[v.current]
	out := make([]byte, 2, 2+aead.NonceSize()+len(plaintext)+aead.Overhead())
	out[0], out[1] = version, v.current
	nonce := out[2 : 2+aead.NonceSize()]
	out = out[:2+aead.NonceSize()]
	if _, err := rand.Read(nonce); err != nil {
		panic("vault: no randomness: " + err.Error())
	}
	return aead.Seal(out, nonce, []byte(plaintext), []byte(field))
}

// ErrKey is returned when a ciphertext names a key the vault does not hold or
// fails authentication.
var ErrKey = errors.New("vault: ciphertext cannot be opened with the configured keys")

// Open decrypts a ciphertext made by Seal.
func (v *Vault) Open(field string, sealed []byte) (string, error) {
	if len(sealed) == 0 {
		return "", nil
	}
	if len(sealed) < 2 || sealed[0] != version {
		return "", ErrKey
	}
	aead, ok := v.aeads[sealed[1]]
	if !ok || len(sealed) < 2+aead.NonceSize() {
		return "", ErrKey
	}
	n := 2 + aead.NonceSize()
	pt, err := aead.Open(nil, sealed[2:n], sealed[n:], []byte(field))
	if err != nil {
		return "", ErrKey
	}
	return string(pt), nil
}

// Current reports whether a ciphertext is sealed with the current data key,
// so that a re-key job can skip rows already done.
func (v *Vault) Current(sealed []byte) bool {
	return len(sealed) < 2 || sealed[1] == v.current
}

// Index computes the blind index of a value: HMAC-SHA256 under the index key,
// truncated to 16 bytes, with the field name mixed in so that equal phone
// and ID strings index differently. An empty value indexes to nil.
func (v *Vault) Index(field, value string) []byte {
	if value == "" {
		return nil
	}
	m := hmac.New(sha256.New, v.indexKey)
	m.Write([]byte(field))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return m.Sum(nil)[:16]
}

// SigningKey derives an Ed25519 key for signing codes that cordon hands
// out (venue codes, health codes), one per purpose. It comes from the index
// key, which every server sharing a database holds and which does not
// rotate with the data key, so codes printed once stay valid; a leak of the
// index key means reissuing them (docs/keys.md).
func (v *Vault) SigningKey(purpose string) ed25519.PrivateKey {
	m := hmac.New(sha256.New, v.indexKey)
	m.Write([]byte("cordon signing key\x00" + purpose))
	return ed25519.NewKeyFromSeed(m.Sum(nil))
}

// NewKey returns a fresh random key, base64-encoded for configuration.
func NewKey() string {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		panic("vault: no randomness: " + err.Error())
	}
	return base64.StdEncoding.EncodeToString(k)
}

// ParseKey decodes a base64 (standard or URL alphabet) key of KeySize bytes.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil {
			if len(k) != KeySize {
				return nil, fmt.Errorf("key must decode to %d bytes, got %d", KeySize, len(k))
			}
			return k, nil
		}
	}
	return nil, errors.New("key is not base64")
}

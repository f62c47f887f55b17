package app

import (
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
	"time"

	"cordon"
	"cordon/internal/healthcode"
	"cordon/internal/store"
)

// Lifetimes of health-code tokens. A phone shows a dynamic code that
// refreshes every CodeRefresh and lasts CodeTokenTTL, so a screenshot is
// soon worthless; a printed code (for children and the elderly without a
// phone) lasts PrintedCodeTTL and is scanned many times.
const (
	CodeRefresh    = time.Minute
	CodeTokenTTL   = 2 * time.Minute
	PrintedCodeTTL = 30 * 24 * time.Hour
	// queuedCheckAge is how old a check queued by a verifier without a
	// network may be when it is sent: as long as the server remembers the
	// tokens it has seen.
	queuedCheckAge = healthcode.Remember
)

// codeSigner holds the signer, built on first use from the key
// generations in the database.
type codeSigner struct {
	mu      sync.Mutex
	s       *healthcode.Signer
	keys    []CodeKey
	retired *healthcode.Signer // replaced by a rotation; its seen tokens pass on
}

// CodeKey is a published key that verifies health-code tokens, at
// /.well-known/cordon/keys.
type CodeKey struct {
	ID          byte      `json:"kid"`
	Alg         string    `json:"alg"`
	PublicKey   string    `json:"x"` // the raw 32-byte key, unpadded base64url (RFC 8037)
	Created     time.Time `json:"created"`
	Retired     time.Time `json:"retired,omitzero"`
	VerifyUntil time.Time `json:"verify_until,omitzero"` // a retired key verifies until its last token expires
}

func codeKeyPurpose(gen int) string { return fmt.Sprintf("health code %d", gen) }

// signer returns the health-code signer, making the first key generation
// when there is none.
func (a *App) signer(ctx context.Context) (*healthcode.Signer, error) {
	cs := &a.codeSigner
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.s != nil {
		return cs.s, nil
	}
	var gens []store.CodeKeyGen
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if gens, err = tx.CodeKeyGens(ctx); err != nil || len(gens) > 0 {
			return err
		}
		if _, err := tx.AddCodeKeyGen(ctx); err != nil {
			return err
		}
		gens, err = tx.CodeKeyGens(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	now := a.now()
	var cur healthcode.Key
	var older []healthcode.Key
	var keys []CodeKey
	for _, g := range gens {
		priv := a.db.SigningKey(codeKeyPurpose(g.ID))
		k := healthcode.Key{ID: byte(g.ID), Private: priv, Public: priv.Public().(ed25519.PublicKey)}
		pub := CodeKey{ID: k.ID, Alg: "Ed25519", PublicKey: base64.RawURLEncoding.EncodeToString(k.Public), Created: g.CreatedAt, Retired: g.RetiredAt}
		if g.RetiredAt.IsZero() {
			cur = k
		} else {
			pub.VerifyUntil = g.RetiredAt.Add(PrintedCodeTTL + healthcode.Skew)
			if now.After(pub.VerifyUntil) {
				continue
			}
			older = append(older, k) // private too: the server checks by signing again
		}
		keys = append(keys, pub)
	}
	s, err := healthcode.NewSigner(cur, older, a.db.SigningKey("health code person reference").Seed())
	if err != nil {
		return nil, err
	}
	s.Adopt(cs.retired)
	cs.s, cs.keys, cs.retired = s, keys, nil
	return s, nil
}

// CodeKeys lists the keys that verify tokens now, for verifiers.
func (a *App) CodeKeys(ctx context.Context) ([]CodeKey, error) {
	if _, err := a.signer(ctx); err != nil {
		return nil, err
	}
	a.codeSigner.mu.Lock()
	defer a.codeSigner.mu.Unlock()
	return a.codeSigner.keys, nil
}

// RotateCodeKey starts a new key generation: new tokens are signed with
// it; the old key goes on verifying until the last token it signed (a
// printed code) expires.
func (a *App) RotateCodeKey(ctx context.Context, actor cordon.Actor) ([]CodeKey, error) {
	if err := authorize(actor, cordon.PermHealthCodeManage); err != nil {
		return nil, err
	}
	if actor.Role != cordon.RoleAdmin {
		return nil, cordon.ErrForbidden // the keys serve the whole instance
	}
	if _, err := a.signer(ctx); err != nil {
		return nil, err
	}
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		gen, err := tx.AddCodeKeyGen(ctx)
		if err != nil {
			return err
		}
		return audit(ctx, tx, actor, "healthcode.rotate", fmt.Sprintf("codekey:%d", gen), "", "")
	})
	if err != nil {
		return nil, err
	}
	a.codeSigner.mu.Lock()
	a.codeSigner.retired, a.codeSigner.s = a.codeSigner.s, nil
	a.codeSigner.mu.Unlock()
	return a.CodeKeys(ctx)
}

// CodeToken is a signed token for a person's code and what it carries.
type CodeToken struct {
	Token     string                  `json:"token"`
	Code      cordon.HealthCodeStatus `json:"code"`
	IssuedAt  time.Time               `json:"issued_at"`
	ExpiresAt time.Time               `json:"expires_at"`
	RefreshAt time.Time               `json:"refresh_at,omitzero"`
	Printed   bool                    `json:"printed,omitempty"`
	Name      string                  `json:"name,omitempty"` // masked, for a printed card
}

// signCode signs a person's code at now.
func (a *App) signCode(ctx context.Context, e codeEntry, printed bool) (CodeToken, error) {
	s, err := a.signer(ctx)
	if err != nil {
		return CodeToken{}, err
	}
	st := a.codeOf(e, a.now())
	now := st.At.Truncate(time.Second) // tokens carry whole seconds
	ttl := CodeTokenTTL
	if printed {
		ttl = PrintedCodeTTL
	}
	tok, err := s.Sign(e.id, st.Color, now, ttl, printed)
	if err != nil {
		return CodeToken{}, err
	}
	out := CodeToken{Token: tok, Code: st, IssuedAt: now, ExpiresAt: now.Add(ttl), Printed: printed}
	if !printed {
		out.RefreshAt = now.Add(CodeRefresh)
	}
	return out, nil
}

// PrintedCode signs a code to print for a person without a phone; staff
// hand it over, audited.
func (a *App) PrintedCode(ctx context.Context, actor cordon.Actor, personID int64) (CodeToken, error) {
	if err := authorize(actor, cordon.PermHealthCodeManage); err != nil {
		return CodeToken{}, err
	}
	var p cordon.Person
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		p, err = tx.Person(ctx, store.ScopeOf(actor), personID)
		return err
	})
	if err != nil {
		return CodeToken{}, err
	}
	e, err := a.codeEntry(ctx, p.ID)
	if err != nil {
		return CodeToken{}, err
	}
	t, err := a.signCode(ctx, e, true)
	if err != nil {
		return t, err
	}
	t.Name = cordon.MaskName(p.Name)
	return t, a.recordRead(ctx, actor, "healthcode.print", personRecord(p.ID), "", string(t.Code.Color))
}

// CodeVerification answers a scanned token: whether it is genuine and in
// date, and the person's colour now (which may differ from the colour the
// token was signed with, most of all on a printed code).
type CodeVerification struct {
	Valid      bool                `json:"valid"`
	Error      string              `json:"error,omitempty"` // the stable code of why not
	Message    string              `json:"message,omitempty"`
	Color      cordon.CodeColor    `json:"color,omitempty"`
	Reasons    []cordon.CodeReason `json:"reasons,omitempty"`
	Since      time.Time           `json:"since,omitzero"`
	InWindow   bool                `json:"in_window,omitempty"`
	TokenColor cordon.CodeColor    `json:"token_color,omitempty"`
	Printed    bool                `json:"printed,omitempty"`
	IssuedAt   time.Time           `json:"issued_at,omitzero"`
	ExpiresAt  time.Time           `json:"expires_at,omitzero"`
	KeyID      byte                `json:"kid,omitempty"`
	PersonID   int64               `json:"person_id,omitempty"`
	Name       string              `json:"name,omitempty"` // masked
}

// VerifyCode checks a scanned token at now, or at scannedAt for a scan a
// verifier queued while offline (up to a day old; a replay is not checked
// then, since the token was seen before it could be sent). A forged,
// expired or replayed token answers Valid false with its code. The
// verification reads a person's code: audited.
func (a *App) VerifyCode(ctx context.Context, actor cordon.Actor, token string, scannedAt time.Time) (CodeVerification, error) {
	if !actor.Can(cordon.PermCodeCheck) {
		if err := authorize(actor, cordon.PermHealthCodeRead); err != nil {
			return CodeVerification{}, err
		}
	}
	v, e, err := a.verifyCode(ctx, token, scannedAt)
	if err != nil || !v.Valid {
		return v, err
	}
	return v, a.recordRead(ctx, actor, "healthcode.verify", personRecord(e.id), "", string(v.Color))
}

func (a *App) verifyCode(ctx context.Context, token string, scannedAt time.Time) (CodeVerification, codeEntry, error) {
	s, err := a.signer(ctx)
	if err != nil {
		return CodeVerification{}, codeEntry{}, err
	}
	now := a.now()
	if err := checkScanTime(scannedAt, now); err != nil {
		return CodeVerification{Error: cordon.ErrorCode(err), Message: err.Error()}, codeEntry{}, nil
	}
	if scannedAt.IsZero() {
		scannedAt = now
	}
	t, err := s.VerifyAt(token, scannedAt, now)
	if err != nil {
		if cordon.ErrorKind(err) == cordon.KindInternal {
			return CodeVerification{}, codeEntry{}, err
		}
		return CodeVerification{Error: cordon.ErrorCode(err), Message: err.Error()}, codeEntry{}, nil
	}
	e, err := a.codeEntry(ctx, t.PersonID)
	if cordon.ErrorKind(err) == cordon.KindNotFound {
		return CodeVerification{Error: "healthcode.person_unknown", Message: "the token names no registered person"}, e, nil
	}
	if err != nil {
		return CodeVerification{}, e, err
	}
	st := a.codeOf(e, now)
	return CodeVerification{Valid: true, Color: st.Color, Reasons: st.Reasons, Since: st.Since, InWindow: st.InWindow,
		TokenColor: t.Color, Printed: t.Printed, IssuedAt: t.Issued, ExpiresAt: t.Expires, KeyID: t.KeyID,
		PersonID: e.id, Name: e.name}, e, nil
}

// checkScanTime checks the time a verifier says it scanned a code while
// offline (zero: now).
func checkScanTime(at, now time.Time) error {
	if !at.IsZero() && (at.After(now.Add(healthcode.Skew)) || now.Sub(at) > queuedCheckAge) {
		return cordon.Errorf(cordon.KindInvalid, "healthcode.scan_time_invalid", "a queued scan is sent within 6 hours of scanning").WithField("scanned_at", "healthcode.scan_time_invalid")
	}
	return nil
}

// Own codes. A person opens their code by identity number and phone on
// the public portal and keeps a pass (a cookie) that names them, signed by
// cordon; with it their phone fetches a fresh token every minute.

// passTTL is how long a person's pass lasts on their phone.
const passTTL = 30 * 24 * time.Hour

func (a *App) passMAC(body []byte) []byte {
	m := hmac.New(sha256.New, a.db.SigningKey("person pass").Seed())
	m.Write(body)
	return m.Sum(nil)[:16]
}

// PersonPass checks a person's identity number and phone against the
// register and returns the pass that opens their own code. A wrong pair
// reads exactly like an unknown person.
func (a *App) PersonPass(ctx context.Context, idNumber, phone string) (string, error) {
	key := passKey(idNumber)
	if a.passTries.locked(key, a.now()) {
		return "", cordon.Errorf(cordon.KindRateLimited, "healthcode.identity_locked", "too many wrong tries for this identity number: wait 15 minutes")
	}
	var id int64
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		p, err := a.publicPerson(ctx, tx, "healthcode", idNumber, phone)
		id = p.ID
		return err
	})
	if cordon.ErrorKind(err) == cordon.KindNotFound {
		a.passTries.fail(key, a.now())
	}
	if err != nil {
		return "", err
	}
	err = a.db.BatchAppend(ctx, func(tx *store.Tx) error {
		tx.AuditRead(cordon.AuditEntry{Username: "public", Action: "healthcode.pass", Record: personRecord(id)})
		return nil
	})
	if err != nil {
		return "", err
	}
	body := make([]byte, 16)
	binary.BigEndian.PutUint64(body, uint64(id))
	binary.BigEndian.PutUint64(body[8:], uint64(a.now().Add(passTTL).Unix()))
	return base64.RawURLEncoding.EncodeToString(append(body, a.passMAC(body)...)), nil
}

// passKey is what passTries counts wrong tries under: a digest of the
// identity number, so that the map holds no numbers.
func passKey(idNumber string) string {
	sum := sha256.Sum256([]byte(strings.ToUpper(strings.TrimSpace(idNumber))))
	return string(sum[:])
}

// passTries counts wrong identity-number-and-phone pairs per identity
// number: after passMaxTries within passLockout, that number is refused
// for passLockout, so that the 10,000 phones a masked 138****1234 leaves
// cannot be tried.
type passTries struct {
	mu sync.Mutex
	m  map[string]passTry
}

type passTry struct {
	n     int
	first time.Time
}

const (
	passMaxTries = 5
	passLockout  = 15 * time.Minute
)

func (p *passTries) locked(key string, now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	t, ok := p.m[key]
	return ok && t.n >= passMaxTries && now.Sub(t.first) < passLockout
}

func (p *passTries) fail(key string, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil || len(p.m) > 100000 {
		p.m = map[string]passTry{}
	}
	t := p.m[key]
	if now.Sub(t.first) >= passLockout {
		t = passTry{first: now}
	}
	t.n++
	p.m[key] = t
}

// passPerson opens a pass.
func (a *App) passPerson(pass string) (int64, error) {
	b, err := base64.RawURLEncoding.Strict().DecodeString(strings.TrimSpace(pass))
	bad := cordon.Errorf(cordon.KindUnauthorized, "healthcode.pass_invalid", "open your code again with your identity number and phone")
	if err != nil || len(b) != 32 || !hmac.Equal(b[16:], a.passMAC(b[:16])) {
		return 0, bad
	}
	if a.now().Unix() > int64(binary.BigEndian.Uint64(b[8:16])) {
		return 0, bad
	}
	return int64(binary.BigEndian.Uint64(b[:8])), nil
}

// OwnCode is a person's own code with a fresh token, for their phone.
func (a *App) OwnCode(ctx context.Context, pass string) (CodeToken, error) {
	id, err := a.passPerson(pass)
	if err != nil {
		return CodeToken{}, err
	}
	e, err := a.codeEntry(ctx, id)
	if err != nil {
		return CodeToken{}, err
	}
	t, err := a.signCode(ctx, e, false)
	t.Name = e.name
	return t, err
}

// OwnCodeWindow is the person asking for their one-time travel window.
func (a *App) OwnCodeWindow(ctx context.Context, pass string, hours int) (cordon.HealthCodeStatus, error) {
	id, err := a.passPerson(pass)
	if err != nil {
		return cordon.HealthCodeStatus{}, err
	}
	return a.grantWindow(ctx, cordon.Actor{Username: "public"}, id, hours)
}

package app

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"cordon"
	"cordon/internal/auth"
	"cordon/internal/store"
)

func accountRecord(id int64) string { return "account:" + strconv.FormatInt(id, 10) }

// System is the actor of work that no person does: the CLI run by the
// server's operator, and the demo loader. It is an administrator of the
// whole country.
var System = cordon.Actor{AccountID: -1, Username: "system", Role: cordon.RoleAdmin, Jurisdiction: cordon.Nationwide}

// CreateAccount adds a staff account bound to a jurisdiction inside the
// actor's subtree; a grid worker must be bound to an existing grid.
func (a *App) CreateAccount(ctx context.Context, actor cordon.Actor, in cordon.AccountInput) (cordon.Account, error) {
	if err := authorize(actor, cordon.PermAccountManage); err != nil {
		return cordon.Account{}, err
	}
	if err := in.Validate(); err != nil {
		return cordon.Account{}, err
	}
	if !actor.Sees(in.Jurisdiction) {
		return cordon.Account{}, cordon.Errorf(cordon.KindForbidden, "account.outside_jurisdiction", "an account can only be bound inside your jurisdiction").WithField("jurisdiction", "account.outside_jurisdiction")
	}
	acct := cordon.Account{Username: in.Username, DisplayName: in.DisplayName, Role: in.Role, Jurisdiction: in.Jurisdiction}
	hash := auth.HashPassword(in.Password, a.cfg.PasswordParams)
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		if !a.exists(ctx, tx, in.Jurisdiction) {
			return cordon.Errorf(cordon.KindInvalid, "jurisdiction.unknown", "no jurisdiction with code %q", in.Jurisdiction).WithField("jurisdiction", "jurisdiction.unknown")
		}
		if err := tx.CreateAccount(ctx, &acct, hash); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "account.create", accountRecord(acct.ID), "", string(acct.Role)+"@"+acct.Jurisdiction)
	})
	return acct, err
}

// Accounts lists the accounts bound inside the actor's subtree.
func (a *App) Accounts(ctx context.Context, actor cordon.Actor) ([]cordon.Account, error) {
	if err := authorize(actor, cordon.PermAccountManage); err != nil {
		return nil, err
	}
	var out []cordon.Account
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Accounts(ctx, store.ScopeOf(actor))
		return err
	})
	return out, err
}

// AccountByUsername finds an account inside the actor's subtree.
func (a *App) AccountByUsername(ctx context.Context, actor cordon.Actor, username string) (cordon.Account, error) {
	if err := authorize(actor, cordon.PermAccountManage); err != nil {
		return cordon.Account{}, err
	}
	var acct cordon.Account
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		acct, _, err = tx.AccountByUsername(ctx, strings.ToLower(strings.TrimSpace(username)))
		if err == nil && !actor.Sees(acct.Jurisdiction) {
			return cordon.Errorf(cordon.KindNotFound, "account.not_found", "account not found")
		}
		return err
	})
	return acct, err
}

// managedAccount loads an account the actor may manage.
func (a *App) managedAccount(ctx context.Context, tx *store.Tx, actor cordon.Actor, id int64) (cordon.Account, error) {
	return tx.Account(ctx, store.ScopeOf(actor), id)
}

// SetAccountDisabled disables an account (ending its sessions and tokens)
// or enables it again. Nobody disables their own account.
func (a *App) SetAccountDisabled(ctx context.Context, actor cordon.Actor, id int64, disabled bool) error {
	if err := authorize(actor, cordon.PermAccountManage); err != nil {
		return err
	}
	if id == actor.AccountID {
		return cordon.Errorf(cordon.KindInvalid, "account.self", "you cannot disable your own account")
	}
	action := "account.enable"
	if disabled {
		action = "account.disable"
	}
	defer a.tokens.forget()
	return a.db.Transact(ctx, func(tx *store.Tx) error {
		if _, err := a.managedAccount(ctx, tx, actor, id); err != nil {
			return err
		}
		if err := tx.SetAccountDisabled(ctx, id, disabled); err != nil {
			return err
		}
		return audit(ctx, tx, actor, action, accountRecord(id), "", "")
	})
}

// ResetPassword sets a new password for an account the actor manages,
// ending its sessions and tokens.
func (a *App) ResetPassword(ctx context.Context, actor cordon.Actor, id int64, password string) error {
	if err := authorize(actor, cordon.PermAccountManage); err != nil {
		return err
	}
	if err := cordon.CheckPassword(password); err != nil {
		return err
	}
	hash := auth.HashPassword(password, a.cfg.PasswordParams)
	defer a.tokens.forget()
	return a.db.Transact(ctx, func(tx *store.Tx) error {
		if _, err := a.managedAccount(ctx, tx, actor, id); err != nil {
			return err
		}
		if err := tx.SetPassword(ctx, id, hash); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "account.reset_password", accountRecord(id), "", "")
	})
}

// SetLanguage stores the actor's page language.
func (a *App) SetLanguage(ctx context.Context, actor cordon.Actor, lang string) error {
	if actor.AccountID <= 0 {
		return cordon.ErrUnauthorized
	}
	return a.db.Transact(ctx, func(tx *store.Tx) error { return tx.SetLanguage(ctx, actor.AccountID, lang) })
}

// Credentials are what a person types to sign in.
type Credentials struct {
	Username string
	Password string
	Remote   string // client address, for the audit log
}

// dummyHash is verified against when the username is unknown, so that a
// wrong username costs as much time as a wrong password.
var dummyHash = auth.HashPassword("no such account", auth.DefaultParams)

// verify checks credentials with the growing delay and the lockout, and
// returns the account when they are right.
func (a *App) verify(ctx context.Context, c Credentials) (cordon.Account, error) {
	username := strings.ToLower(strings.TrimSpace(c.Username))
	if username == "" || c.Password == "" || len(username) > 64 || len(c.Password) > 256 {
		return cordon.Account{}, cordon.Errorf(cordon.KindUnauthorized, "auth.invalid_credentials", "wrong username or password")
	}
	var acct cordon.Account
	var hash string
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		acct, hash, err = tx.AccountByUsername(ctx, username)
		return err
	})
	if cordon.ErrorKind(err) == cordon.KindNotFound {
		_, _ = auth.VerifyPassword(c.Password, dummyHash)
		a.sleep(ctx, a.cfg.FailureDelay)
		_ = a.db.Transact(ctx, func(tx *store.Tx) error {
			return tx.Audit(ctx, cordon.AuditEntry{Username: username, Action: "login.fail", Detail: "unknown username", Remote: c.Remote})
		})
		return cordon.Account{}, cordon.Errorf(cordon.KindUnauthorized, "auth.invalid_credentials", "wrong username or password")
	}
	if err != nil {
		return cordon.Account{}, err
	}
	now := a.now()
	if acct.LockedUntil.After(now) {
		return cordon.Account{}, &cordon.Error{Kind: cordon.KindRateLimited, Code: "auth.locked",
			Message: "too many wrong passwords; the account is locked for a while",
			Extra:   map[string]any{"retry_after": int(acct.LockedUntil.Sub(now).Seconds()) + 1}}
	}
	ok, err := auth.VerifyPassword(c.Password, hash)
	if err != nil {
		return cordon.Account{}, err
	}
	if !ok {
		var failures int
		if err := a.db.Transact(ctx, func(tx *store.Tx) error {
			var err error
			if failures, err = tx.RecordLoginFailure(ctx, acct.ID); err != nil {
				return err
			}
			if failures >= a.cfg.LockoutAfter {
				until := now.Add(grow(a.cfg.LockoutBase, failures-a.cfg.LockoutAfter, a.cfg.LockoutMax))
				if err := tx.LockAccount(ctx, acct.ID, until); err != nil {
					return err
				}
			}
			return tx.Audit(ctx, cordon.AuditEntry{AccountID: acct.ID, Username: acct.Username, Action: "login.fail",
				Record: accountRecord(acct.ID), Jurisdiction: acct.Jurisdiction, Detail: "wrong password " + strconv.Itoa(failures), Remote: c.Remote})
		}); err != nil {
			return cordon.Account{}, err
		}
		a.sleep(ctx, grow(a.cfg.FailureDelay, failures-1, a.cfg.FailureDelayMax))
		return cordon.Account{}, cordon.Errorf(cordon.KindUnauthorized, "auth.invalid_credentials", "wrong username or password")
	}
	if acct.Disabled {
		return cordon.Account{}, cordon.Errorf(cordon.KindUnauthorized, "auth.disabled", "this account is disabled")
	}
	return acct, nil
}

// grow doubles base n times, capped at max.
func grow(base time.Duration, n int, max time.Duration) time.Duration {
	d := base
	for i := 0; i < n && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	return d
}

// SignIn checks credentials and opens a browser session. It returns the
// session secret for the cookie and the session's CSRF token.
func (a *App) SignIn(ctx context.Context, c Credentials) (acct cordon.Account, secret, csrf string, err error) {
	acct, err = a.verify(ctx, c)
	if err != nil {
		return acct, "", "", err
	}
	secret, csrf = auth.NewSecret(""), auth.NewSecret("")
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.RecordLoginSuccess(ctx, acct.ID); err != nil {
			return err
		}
		if err := tx.CreateSession(ctx, auth.SecretHash(secret), store.Session{AccountID: acct.ID, CSRFToken: csrf, ExpiresAt: tx.Now.Add(a.cfg.SessionTTL)}); err != nil {
			return err
		}
		actor := acct.Actor()
		actor.Remote = c.Remote
		return audit(ctx, tx, actor, "login", accountRecord(acct.ID), "", "session")
	})
	return acct, secret, csrf, err
}

// Session resolves a session cookie to its account and CSRF token.
func (a *App) Session(ctx context.Context, secret string) (cordon.Account, string, error) {
	if secret == "" || len(secret) > 100 {
		return cordon.Account{}, "", cordon.ErrUnauthorized
	}
	var acct cordon.Account
	var s store.Session
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		s, acct, err = tx.SessionAccount(ctx, auth.SecretHash(secret))
		return err
	})
	if cordon.ErrorKind(err) == cordon.KindNotFound {
		return acct, "", cordon.ErrUnauthorized
	}
	return acct, s.CSRFToken, err
}

// SignOut ends a session.
func (a *App) SignOut(ctx context.Context, actor cordon.Actor, secret string) error {
	return a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteSession(ctx, auth.SecretHash(secret)); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "logout", accountRecord(actor.AccountID), "", "")
	})
}

// TokenPrefix starts every API token, so that leaked tokens are easy to spot.
const TokenPrefix = "cdn_"

// IssueToken checks credentials and issues an API bearer token. ttl of zero
// means the configured default; it is capped at the configured maximum.
func (a *App) IssueToken(ctx context.Context, c Credentials, name string, ttl time.Duration) (string, cordon.Token, error) {
	acct, err := a.verify(ctx, c)
	if err != nil {
		return "", cordon.Token{}, err
	}
	if ttl <= 0 {
		ttl = a.cfg.TokenTTL
	}
	if ttl > a.cfg.MaxTokenTTL {
		ttl = a.cfg.MaxTokenTTL
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = "api"
	}
	if len(name) > 64 {
		name = name[:64]
	}
	secret := auth.NewSecret(TokenPrefix)
	t := cordon.Token{AccountID: acct.ID, Name: name}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.RecordLoginSuccess(ctx, acct.ID); err != nil {
			return err
		}
		t.ExpiresAt = tx.Now.Add(ttl)
		if err := tx.CreateToken(ctx, auth.SecretHash(secret), &t); err != nil {
			return err
		}
		actor := acct.Actor()
		actor.Remote = c.Remote
		return audit(ctx, tx, actor, "token.create", "token:"+strconv.FormatInt(t.ID, 10), "", name)
	})
	return secret, t, err
}

// Token resolves a bearer token to its account.
func (a *App) Token(ctx context.Context, secret string) (cordon.Account, error) {
	if !strings.HasPrefix(secret, TokenPrefix) || len(secret) > 100 {
		return cordon.Account{}, cordon.ErrUnauthorized
	}
	hash := auth.SecretHash(secret)
	now := a.now()
	acct, gen, ok := a.tokens.get(hash, now)
	if ok {
		return acct, nil
	}
	var tok cordon.Token
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		tok, acct, err = tx.TokenAccount(ctx, hash)
		return err
	})
	if cordon.ErrorKind(err) == cordon.KindNotFound {
		return acct, cordon.ErrUnauthorized
	}
	if err == nil {
		until := now.Add(tokenCacheTTL)
		if !tok.ExpiresAt.IsZero() && tok.ExpiresAt.Before(until) {
			until = tok.ExpiresAt
		}
		a.tokens.put(hash, acct, until, gen)
	}
	return acct, err
}

// tokenCacheTTL is how long a resolved API token is remembered: bulk
// clients (scan-in devices, verifiers) send thousands of requests a second
// with one token. Revoking a token or disabling an account forgets them
// all at once.
const tokenCacheTTL = 5 * time.Second

type tokenCache struct {
	mu  sync.Mutex
	m   map[string]cachedToken
	gen uint64 // counts forgets: a token read before one is not kept
}

type cachedToken struct {
	acct  cordon.Account
	until time.Time
}

func (c *tokenCache) get(hash []byte, now time.Time) (cordon.Account, uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.m[string(hash)]
	if !ok || !now.Before(t.until) {
		return cordon.Account{}, c.gen, false
	}
	return t.acct, c.gen, true
}

func (c *tokenCache) put(hash []byte, acct cordon.Account, until time.Time, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return // revoked or disabled meanwhile: read it again next time
	}
	if c.m == nil || len(c.m) > 10000 {
		c.m = map[string]cachedToken{}
	}
	c.m[string(hash)] = cachedToken{acct, until}
}

func (c *tokenCache) forget() {
	c.mu.Lock()
	c.m = nil
	c.gen++
	c.mu.Unlock()
}

// Tokens lists the actor's own tokens.
func (a *App) Tokens(ctx context.Context, actor cordon.Actor) ([]cordon.Token, error) {
	if actor.AccountID <= 0 {
		return nil, cordon.ErrUnauthorized
	}
	var out []cordon.Token
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Tokens(ctx, actor.AccountID)
		return err
	})
	return out, err
}

// RevokeToken revokes one of the actor's own tokens.
func (a *App) RevokeToken(ctx context.Context, actor cordon.Actor, id int64) error {
	if actor.AccountID <= 0 {
		return cordon.ErrUnauthorized
	}
	defer a.tokens.forget()
	return a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.RevokeToken(ctx, actor.AccountID, id); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "token.revoke", "token:"+strconv.FormatInt(id, 10), "", "")
	})
}

// AuditLog lets an administrator browse the entries made by accounts inside
// their subtree.
func (a *App) AuditLog(ctx context.Context, actor cordon.Actor, f cordon.AuditFilter) ([]cordon.AuditEntry, error) {
	if err := authorize(actor, cordon.PermAuditRead); err != nil {
		return nil, err
	}
	var out []cordon.AuditEntry
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.AuditLog(ctx, store.ScopeOf(actor), f)
		return err
	})
	return out, err
}

// ResealPersonalData re-encrypts every identity number and phone that is
// still sealed with an older data key, so that the key can be retired after
// a rotation (docs/keys.md). Only the operator at the command line (the
// System actor) may run it; the run is audited with its count.
func (a *App) ResealPersonalData(ctx context.Context, actor cordon.Actor) (int, error) {
	if actor != System {
		return 0, cordon.ErrForbidden
	}
	n, err := a.db.Reseal(ctx, ImportBatch)
	if aerr := a.db.Transact(ctx, func(tx *store.Tx) error {
		return audit(ctx, tx, actor, "vault.reseal", "", "", "persons "+strconv.Itoa(n))
	}); err == nil {
		err = aerr
	}
	return n, err
}

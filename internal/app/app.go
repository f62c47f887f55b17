// Package app is where every change and every read of personal data happens.
// Each operation authorises the actor (role and jurisdiction subtree),
// validates the input, runs one store transaction, and writes the audit log
// in that same transaction. The API, the pages and the CLI call app; none of
// them touches the store.
package app

import (
	"context"
	"crypto/ed25519"
	"log/slog"
	"sync"
	"time"

	"cordon"
	"cordon/internal/auth"
	"cordon/internal/division"
	"cordon/internal/store"
)

// Config tunes the application's policies.
type Config struct {
	SessionTTL     time.Duration // a signed-in browser lasts this long
	TokenTTL       time.Duration // default lifetime of an API token
	MaxTokenTTL    time.Duration
	PasswordParams auth.Params
	// LockoutAfter failed logins lock the account for LockoutBase, doubling
	// with each further failure up to LockoutMax.
	LockoutAfter int
	LockoutBase  time.Duration
	LockoutMax   time.Duration
	// FailureDelay is the pause after the first wrong password; it doubles
	// with each further failure up to FailureDelayMax.
	FailureDelay    time.Duration
	FailureDelayMax time.Duration
	// Turnaround is the clock a lab has to result a tube after it closes.
	Turnaround cordon.Turnaround
}

// DefaultConfig is what cordon serves with unless told otherwise.
var DefaultConfig = Config{
	SessionTTL:      12 * time.Hour,
	TokenTTL:        30 * 24 * time.Hour,
	MaxTokenTTL:     365 * 24 * time.Hour,
	PasswordParams:  auth.DefaultParams,
	LockoutAfter:    5,
	LockoutBase:     15 * time.Minute,
	LockoutMax:      24 * time.Hour,
	FailureDelay:    250 * time.Millisecond,
	FailureDelayMax: 4 * time.Second,
	Turnaround:      cordon.DefaultTurnaround,
}

// App is cordon's application layer.
type App struct {
	db    *store.DB
	dir   *division.Directory
	cfg   Config
	log   *slog.Logger
	now   func() time.Time
	sleep func(context.Context, time.Duration)
	// knownGrids remembers grid codes seen to exist (grids are never deleted).
	knownGrids sync.Map
	// venueKey signs venue codes; venues caches what scan-ins check.
	venueKey ed25519.PrivateKey
	venues   venueCache
	// livePersons remembers person ids known to exist and not merged away.
	livePersons idSet
	// book holds what health codes are computed from; codeSigner signs
	// and checks their tokens (healthcodes.go, codetokens.go).
	book       *codeBook
	codeSigner codeSigner
	passTries  passTries
	// tokens remembers resolved API tokens for a few seconds.
	tokens tokenCache
	// purgeFrom is the first scan-in day the purge has not settled.
	purgeMu   sync.Mutex
	purgeFrom int64
	// peers is this instance's name and its outbox's delivery (peers.go).
	peers peerState
	// arrivals caches the risk areas and case places arrivals are matched
	// against (arrivals.go).
	arrivals arrivalPlaces
}

// Option adjusts an App at construction.
type Option func(*App)

// WithClock sets the clock (tests).
func WithClock(now func() time.Time) Option { return func(a *App) { a.now = now } }

// WithSleep replaces the pause after failed logins (tests record it).
func WithSleep(f func(context.Context, time.Duration)) Option { return func(a *App) { a.sleep = f } }

// New builds the application over an open, migrated database.
func New(db *store.DB, dir *division.Directory, cfg Config, log *slog.Logger, opts ...Option) *App {
	a := &App{db: db, dir: dir, cfg: cfg, log: log, now: time.Now, sleep: sleepCtx, venueKey: db.SigningKey("venue code")}
	for _, o := range opts {
		o(a)
	}
	a.book = newCodeBook()
	a.arrivals.rematch = make(chan struct{}, 1)
	db.OnPersonsChanged(a.book.changed)
	return a
}

// Directory is the jurisdiction tree the app validates against.
func (a *App) Directory() *division.Directory { return a.dir }

// SessionTTL is how long a browser session lasts, for the cookie's Max-Age.
func (a *App) SessionTTL() time.Duration { return a.cfg.SessionTTL }

// Ping reports whether the database answers, for /healthz.
func (a *App) Ping(ctx context.Context) error { return a.db.Ping(ctx) }

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// authorize checks that the actor is signed in and that the role grants p.
func authorize(actor cordon.Actor, p cordon.Permission) error {
	if actor.AccountID == 0 {
		return cordon.ErrUnauthorized
	}
	if !actor.Can(p) {
		return cordon.ErrForbidden
	}
	return nil
}

// audit writes an audit entry for the actor in the transaction.
func audit(ctx context.Context, tx *store.Tx, actor cordon.Actor, action, record, reason, detail string) error {
	return tx.Audit(ctx, cordon.AuditEntry{
		AccountID:    actor.AccountID,
		Username:     actor.Username,
		Action:       action,
		Record:       record,
		Jurisdiction: actor.Jurisdiction,
		Reason:       reason,
		Detail:       detail,
		RequestID:    actor.RequestID,
		Remote:       actor.Remote,
	})
}

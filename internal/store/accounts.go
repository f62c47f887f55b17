package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"cordon"
)

const accountColumns = `id,
	username,
	display_name,
	role,
	jurisdiction,
	disabled,
	language,
	failed_logins,
	locked_until,
	last_login_at,
	created_at`

func scanAccount(sc interface{ Scan(...any) error }) (cordon.Account, error) {
	var a cordon.Account
	err := sc.Scan(&a.ID, &a.Username, &a.DisplayName, &a.Role, &a.Jurisdiction, &a.Disabled, &a.Language,
		&a.FailedLogins, timeCol{&a.LockedUntil}, timeCol{&a.LastLoginAt}, timeCol{&a.CreatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return a, notFound("account")
	}
	return a, err
}

// CreateAccount inserts an account with its password hash.
func (tx *Tx) CreateAccount(ctx context.Context, a *cordon.Account, passwordHash string) error {
	a.CreatedAt = tx.Now
	id, err := tx.insert(ctx, `INSERT INTO accounts (
		username,
		display_name,
		role,
		jurisdiction,
		password_hash,
		disabled,
		language,
		created_at,
		updated_at
	) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.Username, a.DisplayName, a.Role, a.Jurisdiction, passwordHash, a.Disabled, a.Language, ts(tx.Now), ts(tx.Now))
	if cordon.ErrorKind(err) == cordon.KindConflict {
		return cordon.Errorf(cordon.KindConflict, "account.username_taken", "the username is taken").WithField("username", "account.username_taken")
	}
	a.ID = id
	return err
}

// Account reads an account inside the scope (by where it is bound).
func (tx *Tx) Account(ctx context.Context, scope Scope, id int64) (cordon.Account, error) {
	w, args := scope.where("jurisdiction")
	return scanAccount(tx.queryRow(ctx, "SELECT "+accountColumns+" FROM accounts WHERE id = ? AND "+w, append([]any{id}, args...)...))
}

// AccountByUsername reads an account and its password hash, for sign-in.
func (tx *Tx) AccountByUsername(ctx context.Context, username string) (cordon.Account, string, error) {
	var hash string
	row := tx.queryRow(ctx, "SELECT "+accountColumns+", password_hash FROM accounts WHERE username = ?", username)
	var a cordon.Account
	err := row.Scan(&a.ID, &a.Username, &a.DisplayName, &a.Role, &a.Jurisdiction, &a.Disabled, &a.Language,
		&a.FailedLogins, timeCol{&a.LockedUntil}, timeCol{&a.LastLoginAt}, timeCol{&a.CreatedAt}, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return a, "", notFound("account")
	}
	return a, hash, err
}

// Accounts lists the accounts bound inside the scope, by username.
func (tx *Tx) Accounts(ctx context.Context, scope Scope) ([]cordon.Account, error) {
	w, args := scope.where("jurisdiction")
	rows, err := tx.query(ctx, "SELECT "+accountColumns+" FROM accounts WHERE "+w+" ORDER BY username", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cordon.Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// SetAccountDisabled disables or re-enables an account; disabling also ends
// its sessions and revokes its tokens.
func (tx *Tx) SetAccountDisabled(ctx context.Context, id int64, disabled bool) error {
	if _, err := tx.exec(ctx, "UPDATE accounts SET disabled = ?, updated_at = ? WHERE id = ?", disabled, ts(tx.Now), id); err != nil {
		return err
	}
	if disabled {
		return tx.endAccountAccess(ctx, id)
	}
	return nil
}

// SetPassword replaces the password hash, clears the lockout, and ends the
// account's sessions and tokens.
func (tx *Tx) SetPassword(ctx context.Context, id int64, hash string) error {
	if _, err := tx.exec(ctx, "UPDATE accounts SET password_hash = ?, failed_logins = 0, locked_until = NULL, updated_at = ? WHERE id = ?", hash, ts(tx.Now), id); err != nil {
		return err
	}
	return tx.endAccountAccess(ctx, id)
}

// SetLanguage stores the account's preferred page language.
func (tx *Tx) SetLanguage(ctx context.Context, id int64, lang string) error {
	_, err := tx.exec(ctx, "UPDATE accounts SET language = ? WHERE id = ?", lang, id)
	return err
}

func (tx *Tx) endAccountAccess(ctx context.Context, id int64) error {
	if _, err := tx.exec(ctx, "DELETE FROM sessions WHERE account_id = ?", id); err != nil {
		return err
	}
	_, err := tx.exec(ctx, "UPDATE api_tokens SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL", ts(tx.Now), id)
	return err
}

// RecordLoginFailure counts one more failed login and returns the new
// count. The increment happens in the database, so that concurrent
// failures all count.
func (tx *Tx) RecordLoginFailure(ctx context.Context, id int64) (int, error) {
	var failures int
	err := tx.queryRow(ctx, "UPDATE accounts SET failed_logins = failed_logins + 1 WHERE id = ? RETURNING failed_logins", id).Scan(&failures)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, notFound("account")
	}
	return failures, tx.db.mapErr(err)
}

// LockAccount refuses sign-in to the account until the time.
func (tx *Tx) LockAccount(ctx context.Context, id int64, until time.Time) error {
	_, err := tx.exec(ctx, "UPDATE accounts SET locked_until = ? WHERE id = ?", ts(until), id)
	return err
}

// RecordLoginSuccess clears the failure count and notes the time.
func (tx *Tx) RecordLoginSuccess(ctx context.Context, id int64) error {
	_, err := tx.exec(ctx, "UPDATE accounts SET failed_logins = 0, locked_until = NULL, last_login_at = ? WHERE id = ?", ts(tx.Now), id)
	return err
}

// Session is a signed-in browser.
type Session struct {
	AccountID int64
	CSRFToken string
	ExpiresAt time.Time
}

// CreateSession stores a session under the hash of its secret id.
func (tx *Tx) CreateSession(ctx context.Context, idHash []byte, s Session) error {
	_, err := tx.exec(ctx, `INSERT INTO sessions (
		id_hash,
		account_id,
		csrf_token,
		created_at,
		expires_at
	) VALUES (?, ?, ?, ?, ?)`, idHash, s.AccountID, s.CSRFToken, ts(tx.Now), ts(s.ExpiresAt))
	return err
}

// SessionAccount finds the live session with the id hash and its account.
func (tx *Tx) SessionAccount(ctx context.Context, idHash []byte) (Session, cordon.Account, error) {
	var s Session
	row := tx.queryRow(ctx, `SELECT s.account_id, s.csrf_token, s.expires_at, `+prefixed("a.", accountColumns)+`
		FROM sessions s JOIN accounts a ON a.id = s.account_id
		WHERE s.id_hash = ? AND s.expires_at > ? AND NOT a.disabled`, idHash, ts(tx.Now))
	var a cordon.Account
	err := row.Scan(&s.AccountID, &s.CSRFToken, timeCol{&s.ExpiresAt}, &a.ID, &a.Username, &a.DisplayName, &a.Role,
		&a.Jurisdiction, &a.Disabled, &a.Language, &a.FailedLogins, timeCol{&a.LockedUntil}, timeCol{&a.LastLoginAt}, timeCol{&a.CreatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return s, a, notFound("session")
	}
	return s, a, err
}

// DeleteSession ends a session.
func (tx *Tx) DeleteSession(ctx context.Context, idHash []byte) error {
	_, err := tx.exec(ctx, "DELETE FROM sessions WHERE id_hash = ?", idHash)
	return err
}

// DeleteExpiredSessions removes sessions past their expiry.
func (tx *Tx) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	res, err := tx.exec(ctx, "DELETE FROM sessions WHERE expires_at <= ?", ts(tx.Now))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// CreateToken stores a token hash.
func (tx *Tx) CreateToken(ctx context.Context, hash []byte, t *cordon.Token) error {
	t.CreatedAt = tx.Now
	id, err := tx.insert(ctx, `INSERT INTO api_tokens (
		account_id,
		name,
		token_hash,
		created_at,
		expires_at
	) VALUES (?, ?, ?, ?, ?)`, t.AccountID, t.Name, hash, ts(tx.Now), ts(t.ExpiresAt))
	t.ID = id
	return err
}

// TokenAccount finds the unexpired, unrevoked token with the hash and its
// enabled account.
func (tx *Tx) TokenAccount(ctx context.Context, hash []byte) (cordon.Token, cordon.Account, error) {
	var t cordon.Token
	var a cordon.Account
	row := tx.queryRow(ctx, `SELECT t.id, t.account_id, t.name, t.created_at, t.expires_at, `+prefixed("a.", accountColumns)+`
		FROM api_tokens t JOIN accounts a ON a.id = t.account_id
		WHERE t.token_hash = ? AND t.revoked_at IS NULL AND t.expires_at > ? AND NOT a.disabled`, hash, ts(tx.Now))
	err := row.Scan(&t.ID, &t.AccountID, &t.Name, timeCol{&t.CreatedAt}, timeCol{&t.ExpiresAt}, &a.ID, &a.Username, &a.DisplayName, &a.Role,
		&a.Jurisdiction, &a.Disabled, &a.Language, &a.FailedLogins, timeCol{&a.LockedUntil}, timeCol{&a.LastLoginAt}, timeCol{&a.CreatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return t, a, notFound("token")
	}
	return t, a, err
}

// Tokens lists an account's tokens, newest first.
func (tx *Tx) Tokens(ctx context.Context, accountID int64) ([]cordon.Token, error) {
	rows, err := tx.query(ctx, "SELECT id, account_id, name, created_at, expires_at, revoked_at FROM api_tokens WHERE account_id = ? ORDER BY id DESC", accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cordon.Token
	for rows.Next() {
		var t cordon.Token
		if err := rows.Scan(&t.ID, &t.AccountID, &t.Name, timeCol{&t.CreatedAt}, timeCol{&t.ExpiresAt}, timeCol{&t.RevokedAt}); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken revokes one of an account's tokens.
func (tx *Tx) RevokeToken(ctx context.Context, accountID, tokenID int64) error {
	res, err := tx.exec(ctx, "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND account_id = ? AND revoked_at IS NULL", ts(tx.Now), tokenID, accountID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("token")
	}
	return nil
}

func prefixed(p, columns string) string {
	out := []byte{}
	start := true
	for i := 0; i < len(columns); i++ {
		c := columns[i]
		if start && c != ' ' && c != '\t' && c != '\n' {
			out = append(out, p...)
			start = false
		}
		out = append(out, c)
		if c == ',' {
			start = true
		}
	}
	return string(out)
}

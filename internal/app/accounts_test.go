package app_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"cordon"
	"cordon/internal/app"
)

// signIn signs in with the password and fails the test on an error.
func (f *fixture) signIn(username, password string) (secret string) {
	f.tb.Helper()
	_, secret, _, err := f.app.SignIn(f.ctx, app.Credentials{Username: username, Password: password})
	if err != nil {
		f.tb.Fatalf("SignIn(%s): %v", username, err)
	}
	return secret
}

// issueToken issues a token with the default password and lifetime.
func (f *fixture) issueToken(username string) string {
	f.tb.Helper()
	secret, _, err := f.app.IssueToken(f.ctx, app.Credentials{Username: username, Password: defaultPassword}, "test", 0)
	if err != nil {
		f.tb.Fatalf("IssueToken(%s): %v", username, err)
	}
	return secret
}

// TestSignInDelayAndLockout walks one account through wrong passwords: each
// costs a longer pause, the fifth locks the account even against the right
// password, and the lock lifts when its time has passed, doubling if the
// next password is wrong again.
func TestSignInDelayAndLockout(t *testing.T) {
	f := newFixture(t)
	acct := f.account(cordon.RoleEpidemiologist, baise, withUsername("wei.epi"))
	const wrong = "wrong password!"
	steps := []struct {
		name       string
		advance    time.Duration
		password   string
		code       string // "" for success
		sleep      time.Duration
		retryAfter int // for auth.locked
	}{
		{name: "1st wrong", password: wrong, code: "auth.invalid_credentials", sleep: 250 * time.Millisecond},
		{name: "2nd wrong", password: wrong, code: "auth.invalid_credentials", sleep: 500 * time.Millisecond},
		{name: "3rd wrong", password: wrong, code: "auth.invalid_credentials", sleep: time.Second},
		{name: "4th wrong", password: wrong, code: "auth.invalid_credentials", sleep: 2 * time.Second},
		{name: "5th wrong locks", password: wrong, code: "auth.invalid_credentials", sleep: 4 * time.Second},
		{name: "right while locked", password: defaultPassword, code: "auth.locked", retryAfter: 15*60 + 1},
		{name: "wrong while locked", password: wrong, code: "auth.locked", retryAfter: 15*60 + 1},
		{name: "right a second early", advance: 15*time.Minute - time.Second, password: defaultPassword, code: "auth.locked", retryAfter: 2},
		{name: "6th wrong after the lock locks longer", advance: 2 * time.Second, password: wrong, code: "auth.invalid_credentials", sleep: 4 * time.Second},
		{name: "right while locked again", password: defaultPassword, code: "auth.locked", retryAfter: 30*60 + 1},
		{name: "right after 16 minutes", advance: 16 * time.Minute, password: defaultPassword, code: "auth.locked", retryAfter: 14*60 + 1},
		{name: "right after the lock", advance: 14*time.Minute + time.Second, password: defaultPassword},
		{name: "wrong again starts over", password: wrong, code: "auth.invalid_credentials", sleep: 250 * time.Millisecond},
	}
	f.sleeps.take()
	for _, s := range steps {
		f.clock.Advance(s.advance)
		got, secret, _, err := f.app.SignIn(f.ctx, app.Credentials{Username: "wei.epi", Password: s.password, Remote: "10.0.0.7"})
		var want []time.Duration
		if s.sleep > 0 {
			want = []time.Duration{s.sleep}
		}
		if slept := f.sleeps.take(); !slices.Equal(slept, want) {
			t.Errorf("%s: slept %v, want %v", s.name, slept, want)
		}
		switch s.code {
		case "":
			if err != nil || got.ID != acct.ID || secret == "" {
				t.Fatalf("%s: %+v, %v", s.name, got, err)
			}
		case "auth.locked":
			e := wantError(t, err, cordon.KindRateLimited, s.code)
			if e.Extra["retry_after"] != any(s.retryAfter) {
				t.Errorf("%s: retry_after %v, want %d", s.name, e.Extra["retry_after"], s.retryAfter)
			}
		default:
			wantError(t, err, cordon.KindUnauthorized, s.code)
		}
	}
	// Every wrong password is in the audit log; a locked attempt is not a
	// failure of the password.
	if es := f.audit(cordon.AuditFilter{Action: "login.fail", Username: "wei.epi"}); len(es) != 7 || es[0].Remote != "10.0.0.7" {
		t.Errorf("%d login.fail entries (%+v), want 7", len(es), es)
	}
}

func TestSignInUnknownUsername(t *testing.T) {
	f := newFixture(t)
	f.account(cordon.RoleViewer, baise, withUsername("wei.viewer"))
	tests := []struct {
		name     string
		username string
		password string
		sleep    []time.Duration
	}{
		{"unknown username", "nobody", defaultPassword, []time.Duration{250 * time.Millisecond}},
		{"unknown again: the delay does not grow", "nobody", defaultPassword, []time.Duration{250 * time.Millisecond}},
		{"another unknown", "wei.viewer2", "anything at all", []time.Duration{250 * time.Millisecond}},
		{"no username", "", defaultPassword, nil},
		{"no password", "wei.viewer", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, _, err := f.app.SignIn(f.ctx, app.Credentials{Username: tc.username, Password: tc.password, Remote: "10.0.0.9"})
			wantError(t, err, cordon.KindUnauthorized, "auth.invalid_credentials")
			if got := f.sleeps.take(); !slices.Equal(got, tc.sleep) {
				t.Errorf("slept %v, want %v", got, tc.sleep)
			}
		})
	}
	if es := f.audit(cordon.AuditFilter{Action: "login.fail", Username: "nobody"}); len(es) != 2 || es[0].Detail != "unknown username" || es[0].Remote != "10.0.0.9" {
		t.Errorf("login.fail entries for an unknown username: %+v", es)
	}
	// The existing account was not charged for the attempts.
	f.signIn("wei.viewer", defaultPassword)
	if got := f.sleeps.take(); len(got) != 0 {
		t.Errorf("a right password slept %v", got)
	}
}

func TestSessions(t *testing.T) {
	f := newFixture(t)
	acct := f.account(cordon.RoleCommander, debao, withUsername("huang.cmd"))

	got, secret, csrf, err := f.app.SignIn(f.ctx, app.Credentials{Username: " Huang.CMD ", Password: defaultPassword})
	if err != nil || got.ID != acct.ID || secret == "" || csrf == "" || secret == csrf {
		t.Fatalf("SignIn: %+v %q %q %v", got, secret, csrf, err)
	}
	signedIn := f.clock.Now()
	byCookie, gotCSRF, err := f.app.Session(f.ctx, secret)
	if err != nil || byCookie.ID != acct.ID || gotCSRF != csrf || !byCookie.LastLoginAt.Equal(signedIn) {
		t.Fatalf("Session: %+v %q %v", byCookie, gotCSRF, err)
	}
	for _, bad := range []string{"", "x", secret + "x", csrf, strings.Repeat("a", 200)} {
		_, _, err := f.app.Session(f.ctx, bad)
		wantError(t, err, cordon.KindUnauthorized, "auth.unauthorized")
	}

	// A session lasts SessionTTL.
	f.clock.Advance(f.cfg.SessionTTL - time.Second)
	if _, _, err := f.app.Session(f.ctx, secret); err != nil {
		t.Errorf("a second before expiry: %v", err)
	}
	f.clock.Advance(time.Second)
	_, _, err = f.app.Session(f.ctx, secret)
	wantError(t, err, cordon.KindUnauthorized, "auth.unauthorized")

	// Signing out ends one session and leaves the others.
	first, second := f.signIn("huang.cmd", defaultPassword), f.signIn("huang.cmd", defaultPassword)
	if err := f.app.SignOut(f.ctx, acct.Actor(), first); err != nil {
		t.Fatal(err)
	}
	_, _, err = f.app.Session(f.ctx, first)
	wantError(t, err, cordon.KindUnauthorized, "auth.unauthorized")
	if _, _, err := f.app.Session(f.ctx, second); err != nil {
		t.Errorf("the other session ended too: %v", err)
	}
	for _, action := range []string{"login", "logout"} {
		if es := f.audit(cordon.AuditFilter{Action: action, Username: "huang.cmd"}); len(es) == 0 || es[0].AccountID != acct.ID {
			t.Errorf("no %s entry: %+v", action, es)
		}
	}
}

func TestDisabledAccount(t *testing.T) {
	f := newFixture(t)
	admin := f.account(cordon.RoleAdmin, baise)
	acct := f.account(cordon.RoleSampler, debao, withUsername("lan.sampler"))
	session := f.signIn("lan.sampler", defaultPassword)
	token := f.issueToken("lan.sampler")

	wantError(t, f.app.SetAccountDisabled(f.ctx, admin.Actor(), admin.ID, true), cordon.KindInvalid, "account.self")
	if err := f.app.SetAccountDisabled(f.ctx, admin.Actor(), acct.ID, true); err != nil {
		t.Fatal(err)
	}
	_, _, err := f.app.Session(f.ctx, session)
	wantError(t, err, cordon.KindUnauthorized, "auth.unauthorized")
	_, err = f.app.Token(f.ctx, token)
	wantError(t, err, cordon.KindUnauthorized, "auth.unauthorized")
	_, _, _, err = f.app.SignIn(f.ctx, app.Credentials{Username: "lan.sampler", Password: defaultPassword})
	wantError(t, err, cordon.KindUnauthorized, "auth.disabled")
	_, _, err = f.app.IssueToken(f.ctx, app.Credentials{Username: "lan.sampler", Password: defaultPassword}, "", 0)
	wantError(t, err, cordon.KindUnauthorized, "auth.disabled")
	// A wrong password on a disabled account says only that it is wrong.
	_, _, _, err = f.app.SignIn(f.ctx, app.Credentials{Username: "lan.sampler", Password: "not the password"})
	wantError(t, err, cordon.KindUnauthorized, "auth.invalid_credentials")
	if es := f.audit(cordon.AuditFilter{Action: "account.disable"}); len(es) != 1 || es[0].Username != admin.Username || es[0].Record != fmt.Sprintf("account:%d", acct.ID) {
		t.Errorf("account.disable entries: %+v", es)
	}

	// Enabling it again lets it sign in anew; what it had stays ended.
	if err := f.app.SetAccountDisabled(f.ctx, admin.Actor(), acct.ID, false); err != nil {
		t.Fatal(err)
	}
	f.signIn("lan.sampler", defaultPassword)
	_, _, err = f.app.Session(f.ctx, session)
	wantError(t, err, cordon.KindUnauthorized, "auth.unauthorized")
	_, err = f.app.Token(f.ctx, token)
	wantError(t, err, cordon.KindUnauthorized, "auth.unauthorized")
	tokens, err := f.app.Tokens(f.ctx, acct.Actor())
	if err != nil || len(tokens) != 1 || tokens[0].RevokedAt.IsZero() {
		t.Errorf("the token after disabling: %+v, %v", tokens, err)
	}
}

func TestTokens(t *testing.T) {
	f := newFixture(t)
	acct := f.account(cordon.RoleLab, debao, withUsername("lab.debao"))
	other := f.account(cordon.RoleLab, debao, withUsername("lab.other"))
	creds := app.Credentials{Username: "lab.debao", Password: defaultPassword}
	tests := []struct {
		name     string
		ttl      time.Duration
		wantLife time.Duration
		tokName  string
		wantName string
	}{
		{"default lifetime", 0, f.cfg.TokenTTL, "hl7 feed", "hl7 feed"},
		{"asked lifetime", time.Hour, time.Hour, "", "api"},
		{"capped lifetime", 10 * 365 * 24 * time.Hour, f.cfg.MaxTokenTTL, strings.Repeat("n", 100), strings.Repeat("n", 64)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			now := f.clock.Now()
			secret, tok, err := f.app.IssueToken(f.ctx, creds, tc.tokName, tc.ttl)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(secret, app.TokenPrefix) || tok.AccountID != acct.ID || tok.Name != tc.wantName ||
				!tok.ExpiresAt.Equal(now.Add(tc.wantLife)) {
				t.Errorf("token %q %+v, want %s expiring at %v", secret, tok, tc.wantName, now.Add(tc.wantLife))
			}
			got, err := f.app.Token(f.ctx, secret)
			if err != nil || got.ID != acct.ID {
				t.Errorf("Token: %+v, %v", got, err)
			}
			// The token works until the moment it expires.
			f.clock.Advance(tc.wantLife - time.Second)
			if _, err := f.app.Token(f.ctx, secret); err != nil {
				t.Errorf("a second before expiry: %v", err)
			}
			f.clock.Advance(time.Second)
			_, err = f.app.Token(f.ctx, secret)
			wantError(t, err, cordon.KindUnauthorized, "auth.unauthorized")
		})
	}

	secret, tok, err := f.app.IssueToken(f.ctx, creds, "to revoke", 0)
	if err != nil {
		t.Fatal(err)
	}
	list, err := f.app.Tokens(f.ctx, acct.Actor())
	if err != nil || len(list) != 4 || list[0].ID != tok.ID || list[0].Name != "to revoke" {
		t.Fatalf("Tokens: %+v, %v", list, err)
	}
	if theirs, err := f.app.Tokens(f.ctx, other.Actor()); err != nil || len(theirs) != 0 {
		t.Errorf("another account lists %d tokens, %v", len(theirs), err)
	}
	// Only its owner revokes a token.
	wantError(t, f.app.RevokeToken(f.ctx, other.Actor(), tok.ID), cordon.KindNotFound, "token.not_found")
	if _, err := f.app.Token(f.ctx, secret); err != nil {
		t.Fatalf("another account's revocation took: %v", err)
	}
	if err := f.app.RevokeToken(f.ctx, acct.Actor(), tok.ID); err != nil {
		t.Fatal(err)
	}
	_, err = f.app.Token(f.ctx, secret)
	wantError(t, err, cordon.KindUnauthorized, "auth.unauthorized")
	wantError(t, f.app.RevokeToken(f.ctx, acct.Actor(), tok.ID), cordon.KindNotFound, "token.not_found")
	if list, _ := f.app.Tokens(f.ctx, acct.Actor()); list[0].RevokedAt.IsZero() {
		t.Errorf("the revoked token is listed as live: %+v", list[0])
	}

	for _, bad := range []string{"", "cdn_", "not-a-token", strings.TrimPrefix(secret, app.TokenPrefix), app.TokenPrefix + strings.Repeat("a", 200)} {
		_, err := f.app.Token(f.ctx, bad)
		wantError(t, err, cordon.KindUnauthorized, "auth.unauthorized")
	}
	_, _, err = f.app.IssueToken(f.ctx, app.Credentials{Username: "lab.debao", Password: "wrong password"}, "", 0)
	wantError(t, err, cordon.KindUnauthorized, "auth.invalid_credentials")
	_, err = f.app.Tokens(f.ctx, cordon.Actor{})
	wantError(t, err, cordon.KindUnauthorized, "auth.unauthorized")
}

func TestResetPassword(t *testing.T) {
	f := newFixture(t)
	admin := f.account(cordon.RoleAdmin, debao)
	nanningAdmin := f.account(cordon.RoleAdmin, nanning)
	acct := f.account(cordon.RoleGridWorker, f.grid(fuji, "陇意屯网格").Code, withUsername("lu.grid"))
	session := f.signIn("lu.grid", defaultPassword)
	token := f.issueToken("lu.grid")
	// Lock the account, as a forgotten password does.
	for range f.cfg.LockoutAfter {
		f.app.SignIn(f.ctx, app.Credentials{Username: "lu.grid", Password: "forgotten it"})
	}

	wantError(t, f.app.ResetPassword(f.ctx, admin.Actor(), acct.ID, "short"), cordon.KindInvalid, "account.password_weak")
	wantError(t, f.app.ResetPassword(f.ctx, nanningAdmin.Actor(), acct.ID, "new password 2022"), cordon.KindNotFound, "account.not_found")
	if _, _, err := f.app.Session(f.ctx, session); err != nil {
		t.Fatalf("a refused reset ended the session: %v", err)
	}
	if err := f.app.ResetPassword(f.ctx, admin.Actor(), acct.ID, "new password 2022"); err != nil {
		t.Fatal(err)
	}
	_, _, err := f.app.Session(f.ctx, session)
	wantError(t, err, cordon.KindUnauthorized, "auth.unauthorized")
	_, err = f.app.Token(f.ctx, token)
	wantError(t, err, cordon.KindUnauthorized, "auth.unauthorized")
	_, _, _, err = f.app.SignIn(f.ctx, app.Credentials{Username: "lu.grid", Password: defaultPassword})
	wantError(t, err, cordon.KindUnauthorized, "auth.invalid_credentials")
	// The reset lifted the lock: the new password works at once.
	f.signIn("lu.grid", "new password 2022")
	if es := f.audit(cordon.AuditFilter{Action: "account.reset_password"}); len(es) != 1 || es[0].Username != admin.Username {
		t.Errorf("account.reset_password entries: %+v", es)
	}
}

func TestCreateAccountValidates(t *testing.T) {
	f := newFixture(t)
	admin := f.account(cordon.RoleAdmin, baise).Actor()
	grid := f.grid(fuji, "陇意屯网格")
	f.account(cordon.RoleViewer, debao, withUsername("taken"))
	input := func(username string, role cordon.Role, jurisdiction string) cordon.AccountInput {
		return cordon.AccountInput{Username: username, Role: role, Jurisdiction: jurisdiction, Password: defaultPassword}
	}
	tests := []struct {
		name   string
		in     cordon.AccountInput
		kind   cordon.Kind
		code   string
		fields map[string]string
	}{
		{"grid worker at a county", input("gw1", cordon.RoleGridWorker, debao),
			cordon.KindInvalid, "account.grid_worker_needs_grid", map[string]string{"jurisdiction": "account.grid_worker_needs_grid"}},
		{"grid worker at a village", input("gw2", cordon.RoleGridWorker, fuji),
			cordon.KindInvalid, "account.grid_worker_needs_grid", map[string]string{"jurisdiction": "account.grid_worker_needs_grid"}},
		{"grid worker at a grid never created", input("gw3", cordon.RoleGridWorker, fuji+"009"),
			cordon.KindInvalid, "jurisdiction.unknown", map[string]string{"jurisdiction": "jurisdiction.unknown"}},
		{"county not in the directory", input("x1", cordon.RoleSampler, "451099"),
			cordon.KindInvalid, "jurisdiction.unknown", map[string]string{"jurisdiction": "jurisdiction.unknown"}},
		{"malformed jurisdiction", input("x2", cordon.RoleSampler, "45x"),
			cordon.KindInvalid, "jurisdiction.unknown", map[string]string{"jurisdiction": "jurisdiction.unknown"}},
		{"the whole country", input("x3", cordon.RoleAdmin, cordon.Nationwide),
			cordon.KindInvalid, "jurisdiction.unknown", map[string]string{"jurisdiction": "jurisdiction.unknown"}},
		{"outside the admin's city", input("x4", cordon.RoleSampler, xingning),
			cordon.KindForbidden, "account.outside_jurisdiction", map[string]string{"jurisdiction": "account.outside_jurisdiction"}},
		{"above the admin's city", input("x5", cordon.RoleAdmin, "450000"),
			cordon.KindForbidden, "account.outside_jurisdiction", map[string]string{"jurisdiction": "account.outside_jurisdiction"}},
		{"unknown role", input("x6", "superuser", debao),
			cordon.KindInvalid, "account.role_invalid", map[string]string{"role": "account.role_invalid"}},
		{"username with a space", input("wei li", cordon.RoleSampler, debao),
			cordon.KindInvalid, "account.username_invalid", map[string]string{"username": "account.username_invalid"}},
		{"weak password", cordon.AccountInput{Username: "x7", Role: cordon.RoleSampler, Jurisdiction: debao, Password: "1234567"},
			cordon.KindInvalid, "account.password_weak", map[string]string{"password": "account.password_weak"}},
		{"display name with markup", cordon.AccountInput{Username: "x8", DisplayName: "<b>韦</b>", Role: cordon.RoleSampler, Jurisdiction: debao, Password: defaultPassword},
			cordon.KindInvalid, "account.display_name_invalid", map[string]string{"display_name": "account.display_name_invalid"}},
		{"taken username, typed in capitals", input(" TAKEN ", cordon.RoleSampler, debao),
			cordon.KindConflict, "account.username_taken", map[string]string{"username": "account.username_taken"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := f.app.Accounts(f.ctx, app.System)
			_, entries := f.written()
			_, err := f.app.CreateAccount(f.ctx, admin, tc.in)
			e := wantError(t, err, tc.kind, tc.code)
			if !maps.Equal(e.Fields, tc.fields) {
				t.Errorf("Fields = %v, want %v", e.Fields, tc.fields)
			}
			after, _ := f.app.Accounts(f.ctx, app.System)
			if _, a := f.written(); len(after) != len(before) || a != entries {
				t.Errorf("a refused account wrote %d accounts and %d audit entries", len(after)-len(before), a-entries)
			}
		})
	}

	acct, err := f.app.CreateAccount(f.ctx, admin, cordon.AccountInput{Username: " Lu.Grid ", Role: cordon.RoleGridWorker, Jurisdiction: grid.Code, Password: defaultPassword})
	if err != nil || acct.Username != "lu.grid" || acct.DisplayName != "lu.grid" || acct.Jurisdiction != grid.Code {
		t.Fatalf("a grid worker at a grid: %+v, %v", acct, err)
	}
	if es := f.audit(cordon.AuditFilter{Action: "account.create", Record: fmt.Sprintf("account:%d", acct.ID)}); len(es) != 1 ||
		es[0].Username != admin.Username || es[0].Detail != "grid_worker@"+grid.Code {
		t.Errorf("account.create entries: %+v", es)
	}
	found, err := f.app.AccountByUsername(f.ctx, admin, "LU.GRID")
	if err != nil || found.ID != acct.ID {
		t.Errorf("AccountByUsername: %+v, %v", found, err)
	}
	nanningAdmin := f.account(cordon.RoleAdmin, nanning).Actor()
	_, err = f.app.AccountByUsername(f.ctx, nanningAdmin, "lu.grid")
	wantError(t, err, cordon.KindNotFound, "account.not_found")
}

// TestConcurrentWrongPasswordsLock sends a burst of wrong passwords at once,
// as a guessing script would: however they interleave, the account must be
// locked afterwards, so that parallel guesses earn no more tries than
// sequential ones.
//
// It fails today, most runs: verify reads the failure count, checks the
// password and writes count+1, so concurrent failures overwrite each other
// (20 wrong passwords record 3 or 4). Remove the skip with the fix proposed
// in the report (an atomic increment in the store).
func TestConcurrentWrongPasswordsLock(t *testing.T) {
	f := newFixture(t)
	f.account(cordon.RoleViewer, baise, withUsername("target"))
	const burst = 20
	var wg sync.WaitGroup
	for i := range burst {
		wg.Go(func() {
			f.app.SignIn(f.ctx, app.Credentials{Username: "target", Password: fmt.Sprintf("guess %d", i)})
		})
	}
	wg.Wait()
	acct, err := f.app.AccountByUsername(f.ctx, app.System, "target")
	if err != nil {
		t.Fatal(err)
	}
	_, _, _, err = f.app.SignIn(f.ctx, app.Credentials{Username: "target", Password: defaultPassword})
	if cordon.ErrorCode(err) != "auth.locked" {
		t.Errorf("after %d concurrent wrong passwords: %v (failed logins recorded: %d), want auth.locked", burst, err, acct.FailedLogins)
	}
}

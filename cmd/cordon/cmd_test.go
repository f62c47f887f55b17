package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cordon"
	"cordon/internal/app"
	"cordon/internal/auth"
	"cordon/internal/vault"
)

func env(vars map[string]string) *environment {
	return &environment{getenv: func(k string) string { return vars[k] }, stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}
}

func TestConfigFromFlagsAndEnvironment(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "data.key")
	os.WriteFile(keyFile, []byte("  c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=\n"), 0o600)
	var c config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.bindDB(fs)
	c.bindServe(fs, "127.0.0.1:8080")
	err := c.parse(fs, []string{"--addr", "127.0.0.1:9999"}, env(map[string]string{
		"CORDON_ADDR":          "0.0.0.0:1", // the flag wins
		"CORDON_DB":            "postgres://u@h/db",
		"CORDON_SESSION_TTL":   "2h",
		"CORDON_DATA_KEY_FILE": keyFile,
		"CORDON_INDEX_KEY":     "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9999" || c.DB != "postgres://u@h/db" || c.SessionTTL != 2*time.Hour || c.DataKey != "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=" {
		t.Fatalf("config %+v", c)
	}
}

func TestInvalidConfigurationFailsClearly(t *testing.T) {
	cases := []struct {
		args []string
		vars map[string]string
		want string
	}{
		{[]string{"--db", "mysql://x"}, nil, "want sqlite:PATH or postgres://"},
		{[]string{"--addr", "8080"}, nil, "want HOST:PORT"},
		{[]string{"--tls-cert", "a.pem"}, nil, "--tls-cert and --tls-key go together"},
		{[]string{"--log-level", "loud"}, nil, "--log-level"},
		{nil, map[string]string{"CORDON_SESSION_TTL": "soon"}, "CORDON_SESSION_TTL"},
		{nil, map[string]string{"CORDON_DATA_KEY_FILE": "/nonexistent/key"}, "CORDON_DATA_KEY_FILE"},
		{[]string{"--data-key", "abc"}, nil, "--data-key and --index-key go together"},
		{[]string{"--no-such-flag"}, nil, "flag provided but not defined"},
		{nil, map[string]string{"CORDON_TURNAROUND_POOLED": "10s"}, "--turnaround-single and --turnaround-pooled must be at least 1m"},
		{[]string{"--mllp-addr", "127.0.0.1:2575"}, nil, "--mllp-addr and --mllp-token go together"},
	}
	for _, c := range cases {
		var stderr bytes.Buffer
		e := env(c.vars)
		e.stderr = &stderr
		err := run(context.Background(), append([]string{"serve"}, c.args...), e.getenv, e.stdin, io.Discard, &stderr)
		if err == nil {
			t.Errorf("%v %v: started", c.args, c.vars)
			continue
		}
		if msg := err.Error() + stderr.String(); !strings.Contains(msg, c.want) {
			t.Errorf("%v %v: message %q lacks %q", c.args, c.vars, msg, c.want)
		}
		if exitCode(err) != 2 && !strings.Contains(c.want, "flag provided") {
			t.Errorf("%v: exit code %d, want 2", c.args, exitCode(err))
		}
	}
	if err := run(context.Background(), []string{"frobnicate"}, env(nil).getenv, nil, io.Discard, io.Discard); err == nil {
		t.Error("unknown command accepted")
	}
}

func TestHelpDocumentsEveryOption(t *testing.T) {
	for _, cmd := range []string{"serve", "demo"} {
		var out bytes.Buffer
		if err := run(context.Background(), []string{cmd, "--help"}, env(nil).getenv, nil, &out, &out); err != nil {
			t.Fatal(err)
		}
		for _, opt := range []string{"-db", "-data-key", "-old-data-keys", "-index-key", "-addr", "-tls-cert", "-tls-key", "-secure-cookies", "-session-ttl", "-token-ttl", "-max-body", "-max-in-flight", "-log-level", "-log-format", "-read-conns", "-turnaround-single", "-turnaround-pooled", "-mllp-addr", "-mllp-token"} {
			if !strings.Contains(out.String(), opt) {
				t.Errorf("%s --help lacks %s", cmd, opt)
			}
		}
	}
}

// startMain starts a whole server on port 0 with a temporary database.
func startMain(t *testing.T, dbPath string) *Main {
	t.Helper()
	return startMainWith(t, dbPath, func(*config) {})
}

// startMainWith is startMain with changes to the configuration.
func startMainWith(t *testing.T, dbPath string, change func(*config)) *Main {
	t.Helper()
	cfg := app.DefaultConfig
	cfg.PasswordParams = auth.TestParams
	m := &Main{
		Config:    config{DB: "sqlite:" + dbPath, Addr: "127.0.0.1:0", ReadConns: 4, SessionTTL: time.Hour, TokenTTL: time.Hour, MaxBody: 1 << 20, MaxInFlight: 64},
		Log:       slog.New(slog.DiscardHandler),
		AppConfig: &cfg,
	}
	change(&m.Config)
	ctx, cancel := context.WithCancel(context.Background())
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- m.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return m
}

func TestServeStartsOnEmptyDatabase(t *testing.T) {
	dir := t.TempDir()
	m := startMain(t, filepath.Join(dir, "cordon.db"))
	resp, err := http.Get(m.URL() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("healthz %d", resp.StatusCode)
	}
	if _, err := os.Stat(filepath.Join(dir, "cordon.keys")); err != nil {
		t.Fatalf("no key file created beside the SQLite database: %v", err)
	}
	v, err := m.DB.SchemaVersion(context.Background())
	if err != nil || v == "" {
		t.Fatalf("schema version %q %v", v, err)
	}
}

func TestUserCommands(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "c.db")
	vars := map[string]string{"CORDON_DB": db}
	var out bytes.Buffer
	do := func(stdin string, args ...string) error {
		out.Reset()
		return run(context.Background(), args, func(k string) string { return vars[k] }, strings.NewReader(stdin), &out, io.Discard)
	}
	if err := do("a-long-password\n", "user", "add", "--username", "debao2", "--role", "epidemiologist", "--jurisdiction", "451024", "--password-stdin"); err != nil {
		t.Fatal(err)
	}
	if err := do("", "user", "add", "--username", "bad", "--role", "grid_worker", "--jurisdiction", "451024"); err == nil || !strings.Contains(err.Error(), "account.grid_worker_needs_grid") {
		t.Fatalf("grid worker bound to a county: %v", err)
	}
	if err := do("", "user", "list"); err != nil || !strings.Contains(out.String(), "debao2") || !strings.Contains(out.String(), "德保县") {
		t.Fatalf("list: %v\n%s", err, out.String())
	}
	if err := do("", "user", "disable", "debao2"); err != nil {
		t.Fatal(err)
	}
	if err := do("", "user", "list"); err != nil || !strings.Contains(out.String(), "disabled") {
		t.Fatalf("list after disable: %v\n%s", err, out.String())
	}
	if err := do("", "user", "reset-password", "debao2"); err != nil || !strings.Contains(out.String(), "password: ") {
		t.Fatalf("reset: %v %s", err, out.String())
	}
	if err := do("", "user", "disable", "nobody"); err == nil {
		t.Fatal("disabling an unknown user succeeded")
	}
	backup := filepath.Join(t.TempDir(), "b.db")
	if err := do("", "backup", backup); err != nil {
		t.Fatal(err)
	}
	vars["CORDON_DB"] = "sqlite:" + backup
	os.Rename(filepath.Join(filepath.Dir(strings.TrimPrefix(db, "sqlite:")), "cordon.keys"), filepath.Join(filepath.Dir(backup), "cordon.keys"))
	if err := do("", "user", "list"); err != nil || !strings.Contains(out.String(), "debao2") {
		t.Fatalf("restored backup lacks the account: %v\n%s", err, out.String())
	}
}

// TestRekeyCommand rotates the data key from the command line: persons
// sealed with the old key are readable with only the new key afterwards.
func TestRekeyCommand(t *testing.T) {
	ctx := context.Background()
	db := "sqlite:" + filepath.Join(t.TempDir(), "c.db")
	oldKey, newKey, indexKey := vault.NewKey(), vault.NewKey(), vault.NewKey()
	log := slog.New(slog.DiscardHandler)
	acfg := app.DefaultConfig
	acfg.PasswordParams = auth.TestParams
	open := func(data, old string) (*app.App, func()) {
		c := config{DB: db, DataKey: data, OldDataKeys: old, IndexKey: indexKey, ReadConns: 2}
		d, a, err := c.open(ctx, log, acfg)
		if err != nil {
			t.Fatal(err)
		}
		return a, func() { d.Close() }
	}
	a, done := open(oldKey, "")
	first := "45102419900101002"
	id := first + string(cordon.CitizenIDCheck(first))
	if _, err := a.CreatePerson(ctx, app.System, cordon.PersonInput{Name: "黄丽", IDNumber: id, Phone: "13800001234", Residence: "451024"}); err != nil {
		t.Fatal(err)
	}
	done()

	vars := map[string]string{"CORDON_DB": db, "CORDON_DATA_KEY": newKey, "CORDON_OLD_DATA_KEYS": oldKey, "CORDON_INDEX_KEY": indexKey}
	var out bytes.Buffer
	if err := run(ctx, []string{"rekey"}, func(k string) string { return vars[k] }, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "1 persons re-sealed") {
		t.Fatalf("rekey said %q", out.String())
	}

	a, done = open(newKey, "")
	defer done()
	p, err := a.PersonByDocument(ctx, app.System, cordon.DocCitizenID, id, "")
	if err != nil || p.Phone != "13800001234" {
		t.Fatalf("after the rotation: %+v %v", p, err)
	}
}

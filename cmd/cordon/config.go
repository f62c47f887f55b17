package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"cordon"
	"cordon/internal/app"
	"cordon/internal/division"
	"cordon/internal/store"
	"cordon/internal/vault"
)

// config is every option of the commands that open the database. Each flag
// --some-name also reads CORDON_SOME_NAME; secrets also read
// CORDON_SOME_NAME_FILE.
type config struct {
	DB            string
	DataKey       string
	OldDataKeys   string
	IndexKey      string
	LogLevel      string
	LogFormat     string
	Addr          string
	TLSCert       string
	TLSKey        string
	SecureCookies bool
	SessionTTL    time.Duration
	TokenTTL      time.Duration
	Turnaround    cordon.Turnaround
	MLLPAddr      string
	MLLPToken     string
	MaxBody       int64
	MaxInFlight   int
	ReadConns     int
	InstanceName  string
}

const defaultDB = "sqlite:./cordon-data/cordon.db"

// secrets are the flags that also accept a _FILE variant.
var secrets = map[string]bool{"data-key": true, "old-data-keys": true, "index-key": true, "mllp-token": true}

func (c *config) bindDB(fs *flag.FlagSet) {
	fs.StringVar(&c.DB, "db", defaultDB, "database: sqlite:PATH or postgres://USER:PASS@HOST/DB")
	fs.StringVar(&c.DataKey, "data-key", "", "base64 key that encrypts ID numbers and phones (AES-256-GCM); see `cordon keygen`. On SQLite without keys, a key file beside the database is created")
	fs.StringVar(&c.OldDataKeys, "old-data-keys", "", "comma-separated earlier data keys, still accepted for reading during a key rotation")
	fs.StringVar(&c.IndexKey, "index-key", "", "base64 key of the blind index used for exact lookups of ID numbers and phones")
	fs.StringVar(&c.LogLevel, "log-level", "info", "log level: debug, info, warn, error")
	fs.StringVar(&c.LogFormat, "log-format", "text", "log format: text or json")
	fs.IntVar(&c.ReadConns, "read-conns", 8, "connections in the read pool")
}

func (c *config) bindServe(fs *flag.FlagSet, defaultAddr string) {
	fs.StringVar(&c.Addr, "addr", defaultAddr, "address to listen on, HOST:PORT")
	fs.StringVar(&c.TLSCert, "tls-cert", "", "TLS certificate file (PEM); with --tls-key, serve HTTPS")
	fs.StringVar(&c.TLSKey, "tls-key", "", "TLS private key file (PEM)")
	fs.BoolVar(&c.SecureCookies, "secure-cookies", false, "mark cookies Secure (implied by --tls-cert; set it behind a TLS proxy)")
	fs.DurationVar(&c.SessionTTL, "session-ttl", app.DefaultConfig.SessionTTL, "how long a browser session lasts")
	fs.DurationVar(&c.TokenTTL, "token-ttl", app.DefaultConfig.TokenTTL, "default lifetime of API tokens")
	fs.DurationVar(&c.Turnaround.Single, "turnaround-single", cordon.DefaultTurnaround.Single, "time a lab has to result a single tube after it closes")
	fs.DurationVar(&c.Turnaround.Pooled, "turnaround-pooled", cordon.DefaultTurnaround.Pooled, "time a lab has to result a pooled tube after it closes")
	fs.StringVar(&c.MLLPAddr, "mllp-addr", "", "also take HL7 v2 lab results over MLLP on this address, HOST:PORT (off when empty)")
	fs.StringVar(&c.MLLPToken, "mllp-token", "", "API token of the lab account that MLLP results are stored as (needed with --mllp-addr)")
	fs.Int64Var(&c.MaxBody, "max-body", 32<<20, "largest request body in bytes (lab result files are the largest)")
	fs.IntVar(&c.MaxInFlight, "max-in-flight", 512, "requests served at once before answering 503")
	fs.StringVar(&c.InstanceName, "instance-name", app.DefaultInstanceName, "this instance's name for the other cordon instances it exchanges messages with, e.g. 广东省")
}

// parse parses args, then fills every flag not given on the command line
// from CORDON_* variables, then validates.
func (c *config) parse(fs *flag.FlagSet, args []string, env *environment) error {
	fs.SetOutput(env.stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] {
			return
		}
		name := "CORDON_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		v, from := env.getenv(name), name
		if v == "" && secrets[f.Name] {
			if path := env.getenv(name + "_FILE"); path != "" {
				b, err := os.ReadFile(path)
				if err != nil {
					errs = append(errs, fmt.Errorf("%s_FILE: %w", name, err))
					return
				}
				v, from = strings.TrimSpace(string(b)), name+"_FILE"
			}
		}
		if v == "" {
			return
		}
		if err := fs.Set(f.Name, v); err != nil {
			errs = append(errs, fmt.Errorf("%s: %v", from, err))
		}
	})
	if err := errors.Join(errs...); err != nil {
		return usageError{err.Error()}
	}
	return c.validate()
}

func (c *config) validate() error {
	var errs []string
	switch {
	case strings.HasPrefix(c.DB, "sqlite:"):
		if path := strings.TrimPrefix(c.DB, "sqlite:"); path == "" {
			errs = append(errs, "--db sqlite: needs a file path")
		} else if strings.ContainsAny(path, "?#%") {
			errs = append(errs, fmt.Sprintf("--db %q: a SQLite path cannot contain ?, # or %%", c.DB))
		}
	case strings.HasPrefix(c.DB, "postgres://"), strings.HasPrefix(c.DB, "postgresql://"):
	default:
		errs = append(errs, fmt.Sprintf("--db %q: want sqlite:PATH or postgres://...", c.DB))
	}
	if l := strings.ToLower(c.LogLevel); l != "debug" && l != "info" && l != "warn" && l != "error" {
		errs = append(errs, fmt.Sprintf("--log-level %q: want debug, info, warn or error", c.LogLevel))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Sprintf("--log-format %q: want text or json", c.LogFormat))
	}
	if c.ReadConns < 1 || c.ReadConns > 256 {
		errs = append(errs, "--read-conns must be 1 to 256")
	}
	if c.Addr != "" {
		if _, port, err := net.SplitHostPort(c.Addr); err != nil || port == "" {
			errs = append(errs, fmt.Sprintf("--addr %q: want HOST:PORT, e.g. 127.0.0.1:8080", c.Addr))
		}
		if (c.TLSCert == "") != (c.TLSKey == "") {
			errs = append(errs, "--tls-cert and --tls-key go together")
		}
		if (c.MLLPAddr == "") != (c.MLLPToken == "") {
			errs = append(errs, "--mllp-addr and --mllp-token go together")
		}
		if c.Turnaround.Single < time.Minute || c.Turnaround.Pooled < time.Minute {
			errs = append(errs, "--turnaround-single and --turnaround-pooled must be at least 1m")
		}
		if c.SessionTTL < time.Minute || c.TokenTTL < time.Minute {
			errs = append(errs, "--session-ttl and --token-ttl must be at least 1m")
		}
		if c.MaxBody < 1024 {
			errs = append(errs, "--max-body must be at least 1024 bytes")
		}
		if c.MaxInFlight < 1 {
			errs = append(errs, "--max-in-flight must be at least 1")
		}
	}
	if (c.DataKey == "") != (c.IndexKey == "") {
		errs = append(errs, "--data-key and --index-key go together")
	}
	if len(errs) > 0 {
		return usageError{"invalid configuration:\n  " + strings.Join(errs, "\n  ")}
	}
	return nil
}

func (c *config) logger(w io.Writer) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(c.LogLevel))
	opts := &slog.HandlerOptions{Level: lvl}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// vault builds the personal-data vault. Without configured keys, a SQLite
// database gets a key file beside it (created on first use, mode 0600);
// PostgreSQL needs the keys configured, since several servers share them.
func (c *config) vault(log *slog.Logger) (*vault.Vault, error) {
	dataKey, indexKey := c.DataKey, c.IndexKey
	if dataKey == "" {
		if !strings.HasPrefix(c.DB, "sqlite:") {
			return nil, usageError{"PostgreSQL needs --data-key and --index-key (or CORDON_DATA_KEY[_FILE] and CORDON_INDEX_KEY[_FILE]); make them with `cordon keygen`"}
		}
		path := filepath.Join(filepath.Dir(strings.TrimPrefix(c.DB, "sqlite:")), "cordon.keys")
		var created bool
		var err error
		dataKey, indexKey, created, err = keyFile(path)
		if err != nil {
			return nil, err
		}
		if created {
			log.Warn("created a key file beside the database; keep a copy apart from the backups", "path", path)
		}
	}
	dk, err := vault.ParseKey(dataKey)
	if err != nil {
		return nil, usageError{"data key: " + err.Error()}
	}
	ik, err := vault.ParseKey(indexKey)
	if err != nil {
		return nil, usageError{"index key: " + err.Error()}
	}
	var old [][]byte
	for _, s := range strings.Split(c.OldDataKeys, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		k, err := vault.ParseKey(s)
		if err != nil {
			return nil, usageError{"old data key: " + err.Error()}
		}
		old = append(old, k)
	}
	return vault.New(dk, old, ik)
}

// keyFile reads or creates a file of two lines: data_key=... and index_key=...
func keyFile(path string) (dataKey, indexKey string, created bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		dataKey, indexKey = vault.NewKey(), vault.NewKey()
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return "", "", false, err
		}
		content := "# cordon keys: losing them makes ID numbers and phones unreadable.\ndata_key=" + dataKey + "\nindex_key=" + indexKey + "\n"
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			return "", "", false, err
		}
		return dataKey, indexKey, true, nil
	}
	if err != nil {
		return "", "", false, err
	}
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for sc.Scan() {
		k, v, _ := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		switch k {
		case "data_key":
			dataKey = v
		case "index_key":
			indexKey = v
		}
	}
	if dataKey == "" || indexKey == "" {
		return "", "", false, fmt.Errorf("key file %s lacks data_key or index_key", path)
	}
	return dataKey, indexKey, false, nil
}

// open opens and migrates the database and builds the app.
func (c *config) open(ctx context.Context, log *slog.Logger, acfg app.Config) (*store.DB, *app.App, error) {
	v, err := c.vault(log)
	if err != nil {
		return nil, nil, err
	}
	db, err := store.Open(ctx, c.DB, store.Options{Vault: v, ReadConns: c.ReadConns})
	if err != nil {
		return nil, nil, err
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	if len(applied) > 0 {
		log.Info("migrated", "db", db.Kind(), "applied", strings.Join(applied, ","))
	}
	dir, err := division.Load()
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, app.New(db, dir, acfg, log), nil
}

// withApp opens the database and the app for a command, runs fn, and
// closes the database again.
func (c *config) withApp(ctx context.Context, log *slog.Logger, fn func(*app.App) error) error {
	db, a, err := c.open(ctx, log, app.DefaultConfig)
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(a)
}

package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"cordon"
	"cordon/internal/api"
	"cordon/internal/app"
	"cordon/internal/mllp"
	"cordon/internal/server"
	"cordon/internal/store"
	"cordon/internal/web"
)

// Main is a running cordon server: database, application and listener. An
// end-to-end test starts one on port 0 with a temporary database.
type Main struct {
	Config config
	Log    *slog.Logger
	// AppConfig overrides app.DefaultConfig (tests use cheap password hashes).
	AppConfig *app.Config

	DB  *store.DB
	App *app.App

	ln   net.Listener
	mllp net.Listener // HL7 over MLLP, when --mllp-addr is set
	srv  *http.Server
	tls  bool
}

// Open opens and migrates the database, builds the handler and starts
// listening; Serve then serves.
func (m *Main) Open(ctx context.Context) error {
	acfg := app.DefaultConfig
	if m.AppConfig != nil {
		acfg = *m.AppConfig
	}
	if m.Config.SessionTTL > 0 {
		acfg.SessionTTL = m.Config.SessionTTL
	}
	if m.Config.TokenTTL > 0 {
		acfg.TokenTTL = m.Config.TokenTTL
	}
	if m.Config.Turnaround.Single > 0 && m.Config.Turnaround.Pooled > 0 {
		acfg.Turnaround = m.Config.Turnaround
	}
	var err error
	m.DB, m.App, err = m.Config.open(ctx, m.Log, acfg)
	if err != nil {
		return err
	}
	m.App.SetInstanceName(m.Config.InstanceName)
	m.App.SetPeerPoster(api.PeerPoster(nil))
	tlsOn := m.Config.TLSCert != ""
	m.tls = tlsOn
	pages, err := web.New(m.App, web.Options{Secure: tlsOn || m.Config.SecureCookies, Log: m.Log, Version: version})
	if err != nil {
		m.DB.Close()
		return err
	}
	h := server.Handler(m.App, pages, server.Options{Log: m.Log, MaxBody: m.Config.MaxBody, MaxInFlight: m.Config.MaxInFlight, TLS: tlsOn})
	m.srv = &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(m.Log.Handler(), slog.LevelWarn),
	}
	if tlsOn {
		cert, err := tls.LoadX509KeyPair(m.Config.TLSCert, m.Config.TLSKey)
		if err != nil {
			m.DB.Close()
			return usageError{"TLS: " + err.Error()}
		}
		m.srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	m.ln, err = net.Listen("tcp", m.Config.Addr)
	if err != nil {
		m.DB.Close()
		return fmt.Errorf("listen on %s: %w", m.Config.Addr, err)
	}
	if m.Config.MLLPAddr != "" {
		acct, err := m.App.Token(ctx, m.Config.MLLPToken)
		if err == nil && !acct.Role.Can(cordon.PermLabWrite) {
			err = cordon.ErrForbidden
		}
		if err != nil {
			m.ln.Close()
			m.DB.Close()
			return usageError{"--mllp-token: not the token of an active account that may upload lab results (" + cordon.ErrorCode(err) + ")"}
		}
		if m.mllp, err = net.Listen("tcp", m.Config.MLLPAddr); err != nil {
			m.ln.Close()
			m.DB.Close()
			return fmt.Errorf("listen on %s: %w", m.Config.MLLPAddr, err)
		}
	}
	return nil
}

// MLLPAddr is where HL7 over MLLP is taken, or "" when it is not.
func (m *Main) MLLPAddr() string {
	if m.mllp == nil {
		return ""
	}
	return m.mllp.Addr().String()
}

// URL is where the server listens.
func (m *Main) URL() string {
	scheme := "http"
	if m.tls {
		scheme = "https"
	}
	return scheme + "://" + m.ln.Addr().String()
}

// Serve serves until ctx ends, then shuts down gracefully.
func (m *Main) Serve(ctx context.Context) error {
	errc := make(chan error, 1)
	mllpDone := make(chan error, 1)
	mctx, stopMLLP := context.WithCancel(context.Background())
	if m.mllp != nil {
		ms := &mllp.Server{Handler: mllpResults(m.App, m.Config.MLLPToken, time.Now, m.Log), Log: m.Log}
		go func() { mllpDone <- ms.Serve(mctx, m.mllp) }()
		m.Log.Info("taking HL7 over MLLP", "addr", m.mllp.Addr().String())
	} else {
		mllpDone <- nil
	}
	scheduled := make(chan struct{})
	go func() {
		defer close(scheduled)
		m.App.RunSchedule(mctx, app.PurgeEvery)
	}()
	go func() {
		if m.tls {
			errc <- m.srv.ServeTLS(m.ln, "", "")
		} else {
			errc <- m.srv.Serve(m.ln)
		}
	}()
	select {
	case err := <-errc:
		stopMLLP()
		<-mllpDone
		<-scheduled
		m.DB.Close()
		return err
	case <-ctx.Done():
	}
	m.Log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err := m.srv.Shutdown(sctx)
	stopMLLP() // each connection finishes the message it is storing; the schedule stops
	err = errors.Join(err, <-mllpDone)
	<-scheduled
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && serr != nil {
		err = errors.Join(err, serr)
	}
	return errors.Join(err, m.DB.Close())
}

func runServe(ctx context.Context, env *environment, args []string) error {
	var m Main
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	m.Config.bindDB(fs)
	m.Config.bindServe(fs, "127.0.0.1:8080")
	if err := m.Config.parse(fs, args, env); err != nil {
		return err
	}
	m.Log = m.Config.logger(env.stderr)
	start := time.Now()
	if err := m.Open(ctx); err != nil {
		return err
	}
	m.Log.Info("cordon is serving", "url", m.URL(), "db", m.DB.Kind(), "version", version, "ready_in", time.Since(start).Round(time.Millisecond))
	return m.Serve(ctx)
}

// Package server composes cordon's HTTP surfaces: the JSON API under
// /api/v1, the pages, /healthz and /metrics, behind one list of middleware
// (request id, access log, recover, security headers, body limit, load
// shedding).
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"cordon/internal/api"
	"cordon/internal/app"
)

// Options configure the handler.
type Options struct {
	Log *slog.Logger
	// MaxBody bounds every request body; endpoints may bound lower.
	MaxBody int64
	// MaxInFlight requests are served at once; more get 503 + Retry-After.
	MaxInFlight int
	// TLS tells the security headers to add HSTS.
	TLS bool
}

// Handler builds the whole HTTP handler around the app and the pages.
func Handler(a *app.App, pages http.Handler, opt Options) http.Handler {
	if opt.MaxBody <= 0 {
		opt.MaxBody = 8 << 20
	}
	if opt.MaxInFlight <= 0 {
		opt.MaxInFlight = 512
	}
	m := newMetrics()
	mux := http.NewServeMux()
	apiHandler := api.New(a, opt.Log)
	mux.Handle("/api/", apiHandler)
	mux.Handle("GET /.well-known/cordon/keys", apiHandler)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := a.Ping(ctx); err != nil {
			http.Error(w, "database unavailable", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.Handle("GET /metrics", m)
	if pages != nil {
		mux.Handle("/", pages)
	}
	chain := []func(http.Handler) http.Handler{
		requestID,
		m.observe,
		accessLog(opt.Log),
		recoverer(opt.Log),
		securityHeaders(opt.TLS),
		bodyLimit(opt.MaxBody),
		shed(opt.MaxInFlight),
	}
	var h http.Handler = mux
	for i := len(chain) - 1; i >= 0; i-- {
		h = chain[i](h)
	}
	return h
}

// requestID gives every request an id (or keeps a sane one from a proxy),
// puts it on the request for the layers below and on the response.
func requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if len(id) == 0 || len(id) > 64 || strings.ContainsFunc(id, func(c rune) bool { return c < '!' || c > '~' }) {
			b := make([]byte, 8)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		r.Header.Set("X-Request-Id", id)
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r)
	})
}

// statusWriter remembers the status for logs and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += int64(n)
	return n, err
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// accessLog logs one line per request: identifiers and figures, never
// query strings (they may hold ID numbers or phones).
func accessLog(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			sw := &statusWriter{ResponseWriter: w}
			next.ServeHTTP(sw, r)
			log.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("id", r.Header.Get("X-Request-Id")),
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.Int("status", sw.status),
				slog.Int64("bytes", sw.bytes),
				slog.Duration("took", time.Since(start)))
		})
	}
}

// recoverer turns a panic into a 500 and a log line with the stack.
func recoverer(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if p := recover(); p != nil {
					if p == http.ErrAbortHandler {
						panic(p)
					}
					log.Error("panic", "request_id", r.Header.Get("X-Request-Id"), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
					http.Error(w, "internal error", http.StatusInternalServerError)
				}
			}()
			next.ServeHTTP(w, r)
		})
	}
}

// securityHeaders sets a strict content security policy and friends.
func securityHeaders(tls bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Referrer-Policy", "same-origin")
			h.Set("Permissions-Policy", "geolocation=(), microphone=(), camera=(self)")
			if tls {
				h.Set("Strict-Transport-Security", "max-age=31536000")
			}
			next.ServeHTTP(w, r)
		})
	}
}

// bodyLimit caps every request body.
func bodyLimit(n int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ContentLength > n {
				w.Header().Set("Content-Type", "application/problem+json")
				w.WriteHeader(http.StatusRequestEntityTooLarge)
				fmt.Fprintf(w, `{"type":"https://cordon.invalid/problems/request.too_large","title":"Request Entity Too Large","status":413,"code":"request.too_large","detail":"the body is over %d bytes"}`+"\n", n)
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, n)
			next.ServeHTTP(w, r)
		})
	}
}

// shed answers 503 with Retry-After once too many requests are in flight,
// rather than letting every request slow down together.
func shed(max int) func(http.Handler) http.Handler {
	slots := make(chan struct{}, max)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case slots <- struct{}{}:
				defer func() { <-slots }()
				next.ServeHTTP(w, r)
			default:
				w.Header().Set("Retry-After", "1")
				w.Header().Set("Content-Type", "application/problem+json")
				w.WriteHeader(http.StatusServiceUnavailable)
				fmt.Fprintln(w, `{"type":"https://cordon.invalid/problems/server.busy","title":"Service Unavailable","status":503,"code":"server.busy","detail":"the server is busy; retry shortly"}`)
			}
		})
	}
}

package server

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// chain wraps h in the middleware that Handler uses, outermost first.
func chain(h http.Handler, opt Options) http.Handler {
	opt.Log = slog.New(slog.DiscardHandler)
	ms := []func(http.Handler) http.Handler{requestID, recoverer(opt.Log), securityHeaders(opt.TLS), bodyLimit(opt.MaxBody), shed(opt.MaxInFlight)}
	for i := len(ms) - 1; i >= 0; i-- {
		h = ms[i](h)
	}
	return h
}

func TestMiddleware(t *testing.T) {
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/panic" {
			panic("boom")
		}
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
			return
		}
		w.Header().Set("X-Seen-Request-Id", r.Header.Get("X-Request-Id"))
		w.Write(b)
	})
	srv := httptest.NewServer(chain(echo, Options{MaxBody: 16, MaxInFlight: 4, TLS: true}))
	defer srv.Close()

	resp, err := http.Post(srv.URL, "text/plain", strings.NewReader("short"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	id := resp.Header.Get("X-Request-Id")
	if resp.StatusCode != 200 || len(id) != 16 || resp.Header.Get("X-Seen-Request-Id") != id {
		t.Fatalf("request id: %d %q %q", resp.StatusCode, id, resp.Header.Get("X-Seen-Request-Id"))
	}
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Strict-Transport-Security"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("header %s missing", h)
		}
	}
	if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Errorf("CSP allows inline scripts: %q", resp.Header.Get("Content-Security-Policy"))
	}

	// A body over the limit: refused by its declared length, or while read.
	resp, _ = http.Post(srv.URL, "text/plain", strings.NewReader(strings.Repeat("x", 17)))
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("POST", srv.URL, io.NopCloser(strings.NewReader(strings.Repeat("x", 40))))
	req.ContentLength = -1 // chunked: the limit applies while reading
	resp, _ = http.DefaultClient.Do(req)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized chunked body: %d", resp.StatusCode)
	}

	// A panic is a 500, and the server goes on.
	resp, _ = http.Get(srv.URL + "/panic")
	resp.Body.Close()
	if resp.StatusCode != 500 {
		t.Errorf("panic: %d", resp.StatusCode)
	}
}

// TestShedding answers 503 with Retry-After once MaxInFlight requests are
// being served, instead of queueing without bound.
func TestShedding(t *testing.T) {
	release := make(chan struct{})
	var started sync.WaitGroup
	started.Add(2)
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started.Done()
		<-release
	})
	srv := httptest.NewServer(chain(slow, Options{MaxBody: 1024, MaxInFlight: 2}))
	defer srv.Close()
	var done sync.WaitGroup
	for range 2 {
		done.Add(1)
		go func() {
			defer done.Done()
			if resp, err := http.Get(srv.URL); err == nil {
				resp.Body.Close()
			}
		}()
	}
	started.Wait()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	close(release)
	done.Wait()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("third request while two are served: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

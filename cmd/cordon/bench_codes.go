package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"cordon"
	"cordon/internal/app"
)

// codeBench measures the health-code targets over HTTP against a separate
// `cordon serve` on SQLite with many persons: code lookups and token
// verifications, each with its latency, against a trivial net/http
// handler driven by the same client in the same run; and an area measure
// over a county's residents, from the request until every one of them is
// counted yellow.
type codeBench struct {
	persons  int // registered persons; measureN of them live in the measure's county
	measureN int
	tokens   int // distinct tokens to verify
	clients  int
	duration time.Duration
	dir      string
	out, log io.Writer

	first int64 // the first person's id
}

// measureCounty is 德保县, whose residents turned yellow on 2022-02-09.
const measureCounty = "451024"

func (b *codeBench) run(ctx context.Context) error {
	var passes []string
	srv, err := startBenchServer(ctx, filepath.Join(b.dir, "codes.db"), b.clients, b.log, func(a *app.App) error {
		var err error
		passes, err = b.seed(ctx, a)
		return err
	})
	if err != nil {
		return err
	}
	defer srv.stop()
	c := srv.client
	c.http = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: b.clients + 4, MaxConnsPerHost: b.clients + 4}, Timeout: time.Minute}

	// Tokens as phones fetch them, before the clock starts: the phones are
	// other machines.
	fmt.Fprintf(b.log, "fetching %d tokens...\n", len(passes))
	tokens := make([][]byte, len(passes))
	for i, pass := range passes {
		req, _ := http.NewRequestWithContext(ctx, "GET", c.base+"/api/v1/public/health-code", nil)
		req.Header.Set("X-Cordon-Pass", pass)
		resp, err := c.http.Do(req)
		if err != nil {
			return err
		}
		var t app.CodeToken
		err = json.NewDecoder(resp.Body).Decode(&t)
		resp.Body.Close()
		if err != nil || t.Token == "" {
			return fmt.Errorf("bench: token %d: %v", i, err)
		}
		tokens[i], _ = json.Marshal(map[string]string{"token": t.Token})
	}

	// A trivial handler in a process of its own, like the server, driven
	// by the same client.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := ln.Addr().String()
	ln.Close()
	self, err := os.Executable()
	if err != nil {
		return err
	}
	trivial := exec.CommandContext(ctx, self, "bench", "--serve-trivial", addr)
	trivial.Stderr = b.log
	if err := trivial.Start(); err != nil {
		return err
	}
	defer func() { trivial.Process.Signal(os.Interrupt); trivial.Wait() }()
	// It answers every path, /healthz included.
	if err := (&testingBench{base: "http://" + addr, http: c.http}).waitReady(ctx); err != nil {
		return err
	}
	trivialRate, tlat := b.load(ctx, func(i int) (*http.Request, error) {
		return http.NewRequestWithContext(ctx, "GET", "http://"+addr+"/x", nil)
	}, c.http, 0)
	fmt.Fprintf(b.out, "trivial net/http handler (own process): %.0f requests/s, p50 %v p99 %v (%d clients)\n", trivialRate, pct(tlat, 50), pct(tlat, 99), b.clients)

	cpu0 := processCPU(srv.pid)
	lookupRate, llat := b.load(ctx, func(i int) (*http.Request, error) {
		id := b.first + int64(rand.IntN(b.persons))
		req, err := http.NewRequestWithContext(ctx, "GET", c.base+"/api/v1/persons/"+strconv.FormatInt(id, 10)+"/health-code", nil)
		if err == nil {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		return req, err
	}, c.http, http.StatusOK)
	cpu := processCPU(srv.pid) - cpu0
	fmt.Fprintf(b.out, "health-code lookups (%d persons, audited): %.0f/s, p50 %v p99 %v; ratio to the trivial handler %.2f; server CPU %v per lookup\n",
		b.persons, lookupRate, pct(llat, 50), pct(llat, 99), lookupRate/trivialRate, cpuPer(cpu, lookupRate, b.duration))

	var next atomic.Int64
	cpu0 = processCPU(srv.pid)
	verifyRate, vlat := b.load(ctx, func(i int) (*http.Request, error) {
		n := int(next.Add(1)-1) % len(tokens)
		req, err := http.NewRequestWithContext(ctx, "POST", c.base+"/api/v1/health-codes/verify", bytes.NewReader(tokens[n]))
		if err == nil {
			req.Header.Set("Authorization", "Bearer "+c.token)
			req.Header.Set("Content-Type", "application/json")
		}
		return req, err
	}, c.http, http.StatusOK)
	cpu = processCPU(srv.pid) - cpu0
	fmt.Fprintf(b.out, "token verifications (Ed25519, replay check, audited; %d distinct tokens): %.0f/s, p50 %v p99 %v; ratio to the trivial handler %.2f; server CPU %v per verification\n",
		len(tokens), verifyRate, pct(vlat, 50), pct(vlat, 99), verifyRate/trivialRate, cpuPer(cpu, verifyRate, b.duration))
	if int(next.Load()) > len(tokens) {
		fmt.Fprintf(b.out, "  (tokens were sent more than once: %d sent; the repeats were answered as replays)\n", next.Load())
	}
	fmt.Fprintf(b.out, "server peak memory: %s\n", peakMemory(srv.pid))

	// An area measure over the county: from the request until every
	// resident is counted yellow.
	start := time.Now()
	var m cordon.AreaMeasure
	err = c.call(ctx, "POST", "/api/v1/measures", map[string]any{"jurisdiction": measureCounty, "reason": "B6", "note": "全县赋黄码（基准）", "rounds": 3}, &m)
	if err != nil {
		return err
	}
	var counts map[cordon.CodeColor]int
	if err := c.call(ctx, "GET", "/api/v1/health-codes/counts?jurisdiction="+measureCounty, nil, &counts); err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Fprintf(b.out, "area measure over %s: %d residents yellow %v after the request (counts %v)\n", measureCounty, counts[cordon.Yellow], took.Round(time.Millisecond), counts)
	if counts[cordon.Yellow] != b.measureN {
		return fmt.Errorf("bench: %d residents yellow, want %d", counts[cordon.Yellow], b.measureN)
	}
	return nil
}

// seed registers the persons (with phones, so that they can open their
// own codes) and returns passes for the first b.tokens of them.
func (b *codeBench) seed(ctx context.Context, a *app.App) ([]string, error) {
	start := time.Now()
	n, err := a.ImportPersons(ctx, app.System, func(yield func(cordon.PersonInput) bool) {
		for i := range b.persons {
			place := "451002"
			if i%b.persons < b.measureN {
				place = measureCounty + "100001" // 城关镇城东社区
			}
			id := benchIDNumber(i)
			if !yield(cordon.PersonInput{Name: "测试", IDNumber: id, Phone: fmt.Sprintf("138%08d", i), Residence: place, Current: place}) {
				return
			}
		}
	})
	if err != nil {
		return nil, err
	}
	p, err := a.PersonByDocument(ctx, app.System, cordon.DocCitizenID, benchIDNumber(0), "")
	if err != nil {
		return nil, err
	}
	b.first = p.ID
	fmt.Fprintf(b.out, "seeded %d persons (%d in %s) in %v\n", n, b.measureN, measureCounty, time.Since(start).Round(time.Millisecond))
	passes := make([]string, b.tokens)
	for i := range passes {
		k := i * (b.persons / b.tokens)
		if passes[i], err = a.PersonPass(ctx, benchIDNumber(k), fmt.Sprintf("138%08d", k)); err != nil {
			return nil, err
		}
	}
	return passes, nil
}

// load sends requests from b.clients clients for b.duration and returns
// the rate and the latencies; a status other than want (when set) fails.
func (b *codeBench) load(ctx context.Context, build func(i int) (*http.Request, error), client *http.Client, want int) (float64, []time.Duration) {
	var mu sync.Mutex
	var all []time.Duration
	var failed atomic.Int64
	var firstErr atomic.Value
	deadline := time.Now().Add(b.duration)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range b.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, 1<<16)
			for i := w; time.Now().Before(deadline) && ctx.Err() == nil; i += b.clients {
				req, err := build(i)
				if err != nil {
					failed.Add(1)
					continue
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if want != 0 && resp.StatusCode != want {
						err = fmt.Errorf("status %s", resp.Status)
					}
				}
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			all = append(all, lat...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	took := time.Since(start)
	if n := failed.Load(); n > 0 {
		fmt.Fprintf(b.out, "  %d requests failed (first: %v)\n", n, firstErr.Load())
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	return float64(len(all)) / took.Seconds(), all
}

func pct(lat []time.Duration, p int) time.Duration {
	if len(lat) == 0 {
		return 0
	}
	return lat[min(len(lat)-1, len(lat)*p/100)].Round(10 * time.Microsecond)
}

func cpuPer(cpu time.Duration, rate float64, d time.Duration) time.Duration {
	if rate <= 0 {
		return 0
	}
	return (cpu / time.Duration(rate*d.Seconds())).Round(100 * time.Nanosecond)
}

// serveTrivial serves a constant JSON answer on addr until ctx ends: the
// yardstick of the codes suite.
func serveTrivial(ctx context.Context, addr string) error {
	srv := &http.Server{Addr: addr, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"color":"green","reasons":[]}`)
	})}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		return err
	}
	return nil
}

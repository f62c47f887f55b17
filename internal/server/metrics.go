package server

import (
	"fmt"
	"net/http"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// metrics counts requests by route class and status and times them, and
// writes them in the Prometheus text exposition format.
type metrics struct {
	start    time.Time
	inFlight atomic.Int64
	mu       sync.Mutex
	requests map[[2]string]uint64 // {class, code} -> count
	buckets  []float64
	hist     map[string]*histogram
}

type histogram struct {
	counts []uint64
	sum    float64
	count  uint64
}

func newMetrics() *metrics {
	return &metrics{
		start:    time.Now(),
		requests: map[[2]string]uint64{},
		buckets:  []float64{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5},
		hist:     map[string]*histogram{},
	}
}

// class groups paths without ids so that label values stay few.
func class(path string) string {
	switch {
	case strings.HasPrefix(path, "/api/v1/"):
		seg, _, _ := strings.Cut(strings.TrimPrefix(path, "/api/v1/"), "/")
		return "api_" + seg
	case strings.HasPrefix(path, "/static/"):
		return "static"
	case path == "/healthz" || path == "/metrics":
		return strings.TrimPrefix(path, "/")
	}
	return "page"
}

func (m *metrics) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.inFlight.Add(1)
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			m.inFlight.Add(-1)
			took := time.Since(start).Seconds()
			c := class(r.URL.Path)
			m.mu.Lock()
			m.requests[[2]string{c, strconv.Itoa(sw.status)}]++
			h := m.hist[c]
			if h == nil {
				h = &histogram{counts: make([]uint64, len(m.buckets))}
				m.hist[c] = h
			}
			for i, b := range m.buckets {
				if took <= b {
					h.counts[i]++
				}
			}
			h.sum += took
			h.count++
			m.mu.Unlock()
		}()
		next.ServeHTTP(sw, r)
	})
}

func (m *metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(w, "# HELP cordon_up Whether cordon is serving.\n# TYPE cordon_up gauge\ncordon_up 1\n")
	fmt.Fprintf(w, "# HELP cordon_uptime_seconds Seconds since start.\n# TYPE cordon_uptime_seconds gauge\ncordon_uptime_seconds %g\n", time.Since(m.start).Seconds())
	fmt.Fprintf(w, "# HELP cordon_http_in_flight Requests being served.\n# TYPE cordon_http_in_flight gauge\ncordon_http_in_flight %d\n", m.inFlight.Load())
	fmt.Fprintf(w, "# HELP go_goroutines Goroutines.\n# TYPE go_goroutines gauge\ngo_goroutines %d\n", runtime.NumGoroutine())
	fmt.Fprintf(w, "# HELP go_memstats_heap_alloc_bytes Heap bytes in use.\n# TYPE go_memstats_heap_alloc_bytes gauge\ngo_memstats_heap_alloc_bytes %d\n", ms.HeapAlloc)
	m.mu.Lock()
	defer m.mu.Unlock()
	keys := make([][2]string, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+keys[i][1] < keys[j][0]+keys[j][1] })
	fmt.Fprintf(w, "# HELP cordon_http_requests_total Requests served, by route class and status.\n# TYPE cordon_http_requests_total counter\n")
	for _, k := range keys {
		fmt.Fprintf(w, "cordon_http_requests_total{class=%q,code=%q} %d\n", k[0], k[1], m.requests[k])
	}
	classes := make([]string, 0, len(m.hist))
	for c := range m.hist {
		classes = append(classes, c)
	}
	sort.Strings(classes)
	fmt.Fprintf(w, "# HELP cordon_http_request_duration_seconds Request latency.\n# TYPE cordon_http_request_duration_seconds histogram\n")
	for _, c := range classes {
		h := m.hist[c]
		for i, b := range m.buckets {
			fmt.Fprintf(w, "cordon_http_request_duration_seconds_bucket{class=%q,le=%q} %d\n", c, strconv.FormatFloat(b, 'g', -1, 64), h.counts[i])
		}
		fmt.Fprintf(w, "cordon_http_request_duration_seconds_bucket{class=%q,le=\"+Inf\"} %d\n", c, h.count)
		fmt.Fprintf(w, "cordon_http_request_duration_seconds_sum{class=%q} %g\n", c, h.sum)
		fmt.Fprintf(w, "cordon_http_request_duration_seconds_count{class=%q} %d\n", c, h.count)
	}
}

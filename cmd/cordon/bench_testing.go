package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"cordon"
	"cordon/internal/app"
	"cordon/internal/auth"
)

// testingBench is the mass-testing benchmark: a separate `cordon serve`
// process on SQLite takes a city's round through its public API, so that
// the figures include HTTP, JSON, authentication and durable commits, and
// the server's own peak memory can be read from /proc.
type testingBench struct {
	samples  int // samples to register (10,000,000 for the design target)
	pool     int // samples per tube
	batch    int // registrations per request
	clients  int // concurrent registration devices
	points   int // sampling points, spread over the city's villages
	positive int // one tube in this many is positive
	dir      string
	out      io.Writer
	log      io.Writer

	base, token string
	round, lab  int64
	pointIDs    []int64
	http        *http.Client
	pid         int // the server's
}

// benchCity is where the benchmark's round runs: 百色市, at the size of a
// city of ten million.
const benchCity = "451000"

func (b *testingBench) run(ctx context.Context) error {
	srv, err := startBenchServer(ctx, filepath.Join(b.dir, "testing.db"), b.clients, b.log, nil)
	if err != nil {
		return err
	}
	defer srv.stop()
	b.base, b.http, b.token = srv.client.base, srv.client.http, srv.client.token
	if err := b.setUp(ctx); err != nil {
		return err
	}
	b.pid = srv.pid
	if err := b.register(ctx); err != nil {
		return err
	}
	fmt.Fprintf(b.out, "server peak memory after registration: %s\n", peakMemory(srv.pid))
	if err := b.results(ctx); err != nil {
		return err
	}
	if err := b.progress(ctx); err != nil {
		return err
	}
	fmt.Fprintf(b.out, "server peak memory overall: %s\n", peakMemory(srv.pid))
	return nil
}

// benchServer is a `cordon serve` process on a benchmark's SQLite file,
// with a client signed in as the benchmark's administrator.
type benchServer struct {
	client  *testingBench // its base, http and token only
	pid     int
	stopped bool
	cmd     *exec.Cmd
}

// startBenchServer makes the benchmark's administrator (and whatever
// prepare adds) directly in the database, starts the server on it and
// signs in over the API: everything after goes through the API.
func startBenchServer(ctx context.Context, dbPath string, clients int, log io.Writer, prepare func(*app.App) error) (*benchServer, error) {
	acfg := app.DefaultConfig
	acfg.PasswordParams = auth.TestParams
	c := config{DB: "sqlite:" + dbPath, ReadConns: 8, LogLevel: "info", LogFormat: "text"}
	db, a, err := c.open(ctx, slog.New(slog.DiscardHandler), acfg)
	if err != nil {
		return nil, err
	}
	const user, password = "bench-admin", "bench-password-1"
	_, err = a.CreateAccount(ctx, app.System, cordon.AccountInput{Username: user, Role: cordon.RoleAdmin, Jurisdiction: benchCity, Password: password})
	if err == nil && prepare != nil {
		err = prepare(a)
	}
	db.Close()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self, "serve", "--db", "sqlite:"+dbPath, "--addr", addr, "--log-level", "warn")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &benchServer{cmd: cmd, pid: cmd.Process.Pid, client: &testingBench{base: "http://" + addr,
		http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients + 4}, Timeout: 5 * time.Minute}}}
	var tok struct {
		Token string `json:"token"`
	}
	if err := s.client.waitReady(ctx); err == nil {
		err = s.client.call(ctx, "POST", "/api/v1/tokens", map[string]any{"username": user, "password": password, "name": "bench"}, &tok)
	}
	if err != nil {
		s.stop()
		return nil, err
	}
	s.client.token = tok.Token
	return s, nil
}

// stop ends the server and waits for it; stopping again does nothing.
func (s *benchServer) stop() {
	if !s.stopped {
		s.stopped = true
		_ = s.cmd.Process.Signal(os.Interrupt)
		_ = s.cmd.Wait()
	}
}

func (b *testingBench) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := b.http.Get(b.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("bench: the server did not start")
}

// call sends a JSON request and decodes the JSON answer into out.
func (b *testingBench) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(data)
	}
	return b.send(ctx, method, path, "application/json", body, out)
}

func (b *testingBench) send(ctx context.Context, method, path, ctype string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, b.base+path, body)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", ctype)
	}
	if b.token != "" {
		req.Header.Set("Authorization", "Bearer "+b.token)
	}
	resp, err := b.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("bench: %s %s: %s: %s", method, path, resp.Status, data)
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// setUp opens the round over the city, its points in as many villages, and
// a lab.
func (b *testingBench) setUp(ctx context.Context) error {
	var round cordon.Round
	if err := b.call(ctx, "POST", "/api/v1/rounds", cordon.RoundInput{Name: "全员核酸检测（基准）", Jurisdiction: benchCity, Expected: b.samples}, &round); err != nil {
		return err
	}
	b.round = round.ID
	var lab cordon.Lab
	if err := b.call(ctx, "POST", "/api/v1/labs", cordon.LabInput{Name: "基准实验室", Jurisdiction: benchCity, Capacity: b.samples / b.pool}, &lab); err != nil {
		return err
	}
	b.lab = lab.ID
	villages, err := b.villages(ctx, benchCity, b.points)
	if err != nil {
		return err
	}
	for i, v := range villages {
		var p cordon.SamplingPoint
		if err := b.call(ctx, "POST", "/api/v1/sampling-points", cordon.SamplingPointInput{Name: fmt.Sprintf("采样点%d", i+1), Jurisdiction: v, AllDay: true, Tables: 4, Staff: 10}, &p); err != nil {
			return err
		}
		b.pointIDs = append(b.pointIDs, p.ID)
	}
	fmt.Fprintf(b.out, "round over %s with %d sampling points in as many villages\n", benchCity, len(b.pointIDs))
	return nil
}

// villages lists up to n village codes under code, breadth first through
// the API.
func (b *testingBench) villages(ctx context.Context, code string, n int) ([]string, error) {
	queue, out := []string{code}, []string{}
	for len(queue) > 0 && len(out) < n {
		c := queue[0]
		queue = queue[1:]
		var kids struct {
			Items []cordon.Jurisdiction `json:"items"`
		}
		if err := b.call(ctx, "GET", "/api/v1/jurisdictions/"+c+"/children", nil, &kids); err != nil {
			return nil, err
		}
		for _, k := range kids.Items {
			if k.Level == cordon.LevelVillage {
				out = append(out, k.Code)
			} else if k.Level != cordon.LevelGrid {
				queue = append(queue, k.Code)
			}
		}
	}
	return out[:min(n, len(out))], nil
}

// benchIDNumber is the n-th synthetic citizen ID number of the city.
func benchIDNumber(n int) string {
	birth := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n/1000)
	first := "451002" + birth.Format("20060102") + fmt.Sprintf("%03d", n%1000)
	return first + string(cordon.CitizenIDCheck(first))
}

func tubeCode(t int) string { return "T" + strconv.Itoa(10_000_000+t) }

// register sends the samples through POST /api/v1/samples from many
// devices at once and times them.
func (b *testingBench) register(ctx context.Context) error {
	cpu0 := processCPU(b.pid)
	took, lat, err := sendBatches(ctx, b.clients, b.samples, b.batch, b.log, "samples registered", func(first int) (int, error) {
		var w bytes.Buffer
		n := b.encodeBatch(&w, first)
		var acks struct {
			Stored   int `json:"stored"`
			Rejected int `json:"rejected"`
		}
		err := b.send(ctx, "POST", "/api/v1/samples", "application/json", bytes.NewReader(w.Bytes()), &acks)
		if err == nil && acks.Stored != n {
			err = fmt.Errorf("bench: batch at %d: %d of %d stored", first, acks.Stored, n)
		}
		return n, err
	})
	if err != nil {
		return err
	}
	cpu := processCPU(b.pid) - cpu0
	fmt.Fprintf(b.out, "server CPU per sample: %.1f µs (%.0f%% of one core)\n", float64(cpu.Microseconds())/float64(b.samples), 100*cpu.Seconds()/took.Seconds())
	fmt.Fprintf(b.out, "sample registration (bulk API, SQLite, %d clients, %d per request, %d-in-1): %.0f samples/s (%d samples in %d tubes in %v; request p50 %v p99 %v)\n",
		b.clients, b.batch, b.pool, float64(b.samples)/took.Seconds(), b.samples, (b.samples+b.pool-1)/b.pool, took.Round(time.Second),
		lat[len(lat)/2].Round(time.Millisecond), lat[len(lat)*99/100].Round(time.Millisecond))
	return nil
}

// sendBatches posts total items in batches from clients at once, each
// batch by post(first item), and returns the time it all took and the
// requests' latencies, sorted. The first error stops the sending.
func sendBatches(ctx context.Context, clients, total, batch int, log io.Writer, what string, post func(first int) (int, error)) (time.Duration, []time.Duration, error) {
	batches := make(chan int)
	var done atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	lat := make([]time.Duration, 0, total/batch+1)
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for first := range batches {
				t0 := time.Now()
				n, err := post(first)
				d := time.Since(t0)
				mu.Lock()
				lat = append(lat, d)
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
				if done.Add(int64(n))%(int64(total)/10+1) < int64(n) {
					fmt.Fprintf(log, "  %d %s (%.0f/s)\n", done.Load(), what, float64(done.Load())/time.Since(start).Seconds())
				}
			}
		}()
	}
	for first := 0; first < total; first += batch {
		mu.Lock()
		failed := firstErr != nil
		mu.Unlock()
		if failed {
			break
		}
		batches <- first
	}
	close(batches)
	wg.Wait()
	took := time.Since(start)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return took, lat, firstErr
}

// encodeBatch writes the JSON of the batch starting at sample first and
// returns its length. It is written by hand: the devices' encoding is not
// what is measured.
func (b *testingBench) encodeBatch(buf *bytes.Buffer, first int) int {
	n := min(b.batch, b.samples-first)
	buf.WriteString(`{"samples":[`)
	for i := range n {
		s := first + i
		tube := s / b.pool
		if i > 0 {
			buf.WriteByte(',')
		}
		fmt.Fprintf(buf, `{"key":"%d","round_id":%d,"point_id":%d,"table":%d,"tube":"%s","pool_size":%d,"id_number":"%s"}`,
			s, b.round, b.pointIDs[tube%len(b.pointIDs)], 1+tube%4, tubeCode(tube), b.pool, benchIDNumber(s))
	}
	buf.WriteString(`]}`)
	return n
}

// results uploads every tube's result as lab CSV exports of 100,000 rows,
// one tube in b.positive positive, and times ingestion with the holds of
// every positive pool.
func (b *testingBench) results(ctx context.Context) error {
	tubes := (b.samples + b.pool - 1) / b.pool
	const perFile = 100_000
	var held, pools, matched int
	cpu0 := processCPU(b.pid)
	start := time.Now()
	for first := 0; first < tubes; first += perFile {
		var buf bytes.Buffer
		w := bufio.NewWriter(&buf)
		w.WriteString("条码,检测结果,ORF1ab基因Ct值,N基因Ct值,检测时间\n")
		for t := first; t < min(first+perFile, tubes); t++ {
			if t%b.positive == b.positive/2 {
				fmt.Fprintf(w, "%s,阳性,28.5,27.9,2022-02-05 08:00:00\n", tubeCode(t))
			} else {
				fmt.Fprintf(w, "%s,阴性,,,2022-02-05 08:00:00\n", tubeCode(t))
			}
		}
		w.Flush()
		var up cordon.LabUpload
		if err := b.send(ctx, "POST", "/api/v1/lab-results", "text/csv", &buf, &up); err != nil {
			return err
		}
		if up.Inbox+up.Rejected > 0 {
			return fmt.Errorf("bench: results: %d to the inbox, %d rejected: %+v", up.Inbox, up.Rejected, up.Errors[:min(3, len(up.Errors))])
		}
		matched += up.Matched
		held += up.Effects.Held
		pools += up.Effects.PositivePools
	}
	took := time.Since(start)
	fmt.Fprintf(b.out, "server CPU per result: %.1f µs\n", float64((processCPU(b.pid)-cpu0).Microseconds())/float64(tubes))
	fmt.Fprintf(b.out, "lab results (CSV, %d rows a file): %d tubes resulted, %d positive pools, %d people held, in %v (%.0f results/s)\n",
		perFile, matched, pools, held, took.Round(time.Millisecond), float64(matched)/took.Seconds())
	return nil
}

// progress times the round's progress over the whole city tree.
func (b *testingBench) progress(ctx context.Context) error {
	var lat []time.Duration
	var p cordon.Progress
	for range 30 {
		t0 := time.Now()
		if err := b.call(ctx, "GET", fmt.Sprintf("/api/v1/rounds/%d/progress?depth=6", b.round), nil, &p); err != nil {
			return err
		}
		lat = append(lat, time.Since(t0))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	nodes := 0
	var count func(cordon.Progress)
	count = func(n cordon.Progress) {
		nodes++
		for _, c := range n.Children {
			count(c)
		}
	}
	count(p)
	fmt.Fprintf(b.out, "round progress (%s, every level, %d nodes, %d sampled): p50 %v  max %v\n",
		benchCity, nodes, p.Sampled, lat[len(lat)/2].Round(time.Microsecond), lat[len(lat)-1].Round(time.Microsecond))
	return nil
}

// peakMemory reads a process's peak resident memory (VmHWM) from /proc.
func peakMemory(pid int) string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.Atoi(strings.Fields(line)[1])
			return fmt.Sprintf("%d MB", kb/1024)
		}
	}
	return "unknown"
}

// processCPU is the user and system CPU time a process has used so far,
// from /proc (0 where there is none).
func processCPU(pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name may hold spaces; fields count from after its ')'.
	f := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+s) * time.Second / 100 // clock ticks of 1/100 s (USER_HZ)
}

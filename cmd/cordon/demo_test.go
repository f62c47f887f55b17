package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cordon"
	"cordon/internal/app"
	"cordon/internal/demo"
)

// TestDemoLoadsOnTheScenarioClock loads the demo as `cordon demo` does,
// through an application whose clock walks through February 2022, and
// reads it back through the server's application on real time.
func TestDemoLoadsOnTheScenarioClock(t *testing.T) {
	ctx := context.Background()
	m := startMain(t, filepath.Join(t.TempDir(), "demo.db"))
	start := time.Now()
	sum, err := loadDemo(ctx, m, demo.Options{Password: "demo-password", Residents: 120, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("demo loaded in %v", time.Since(start).Round(time.Millisecond))

	china := func(s string) time.Time {
		tm, _ := time.ParseInLocation("2006-01-02 15:04", s, cordon.ChinaTime)
		return tm
	}
	r, err := m.App.Round(ctx, app.System, sum.Round.ID)
	if err != nil || !r.StartsAt.Equal(china("2022-02-04 12:00")) || !r.Deadline.Equal(china("2022-02-06 12:00")) || !r.Closed {
		t.Fatalf("the served app reads the first round as %+v %v", r, err)
	}
	if r.CreatedAt.Year() != 2022 {
		t.Errorf("the round was created %v, not on the scenario's clock", r.CreatedAt)
	}
	ps, err := m.App.Positives(ctx, app.System, 0, 10)
	if err != nil || len(ps) != 2 || ps[0].DetectedAt.After(china("2022-02-06 16:00")) {
		t.Fatalf("positives: %+v %v", ps, err)
	}
	hs, err := m.App.Recalls(ctx, app.System, demo.Duan, cordon.HoldFilter{})
	if err != nil || len(hs) != 1 {
		t.Errorf("still held in 都安乡: %+v %v", hs, err)
	}

	// The county measure ended on 02-13: a resident whose code it alone
	// coloured is green now on real time, and was yellow on 02-10.
	ms, err := m.App.AreaMeasures(ctx, app.System)
	if err != nil || len(ms) != 1 || ms[0].Jurisdiction != demo.Debao || ms[0].EndedAt.In(cordon.ChinaTime).Day() != 13 {
		t.Fatalf("the served app reads the measures as %+v %v", ms, err)
	}
	persons, err := m.App.Persons(ctx, app.System, cordon.PersonFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	checked := false
	for _, p := range persons {
		h, err := m.App.HealthCodeHistory(ctx, app.System, p.ID, "test")
		if err != nil || !cordon.Within(p.Residence, demo.Debao) || len(h) != 2 {
			continue
		}
		code, err := m.App.HealthCode(ctx, app.System, p.ID, "test")
		if err != nil || code.Color != cordon.Green {
			t.Errorf("%s's code now: %+v %v", p.Name, code, err)
		}
		feb10 := china("2022-02-10 12:00")
		if h[0].Color != cordon.Yellow || h[0].At.After(feb10) || h[1].Color != cordon.Green || !h[1].At.Equal(ms[0].EndedAt) {
			t.Errorf("%s's code history: %+v", p.Name, h)
		}
		checked = true
		break
	}
	if !checked {
		t.Error("no resident's code history is the measure's alone")
	}

	var out bytes.Buffer
	printDemo(ctx, &out, m, sum, "demo-password", "demo.db")
	for _, want := range []string{"百色市第一轮全员核酸检测", "德保县", "2022-02-04 12:00", "360,000", "207,506", "1 positive pool: 10 held", "caiyang", "dbyy",
		"kangning", "dbzh", demo.SiteName, "德保县 yellow (B6", "ended 02-13", "德保县第五轮全员核酸检测 02-13"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the demo's output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1560: "1,560", 207506: "207,506", 360000: "360,000", 1234567: "1,234,567", -1500: "-1,500"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

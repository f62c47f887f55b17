package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"cordon"
	"cordon/internal/app"
	"cordon/internal/auth"
)

// benchAssist measures the assist target: one request of people typed by
// name, identity number, phone and place, spread over 100 counties, fanned
// out into one letter per county, each person matched to or registered as
// a person record of the receiving county, in one transaction (≤ 5 s for
// 10,000 people). It runs on SQLite in dir.
func benchAssist(ctx context.Context, w io.Writer, dir string, people int) error {
	acfg := app.DefaultConfig
	acfg.PasswordParams = auth.TestParams
	c := config{DB: "sqlite:" + filepath.Join(dir, "assist.db"), ReadConns: 8, LogLevel: "info", LogFormat: "text"}
	db, a, err := c.open(ctx, slog.New(slog.DiscardHandler), acfg)
	if err != nil {
		return err
	}
	defer db.Close()
	const sender = "451002" // 右江区
	acct, err := a.CreateAccount(ctx, app.System, cordon.AccountInput{Username: "bench_assist", Role: cordon.RoleEpidemiologist,
		Jurisdiction: sender, Password: "bench-assist-password"})
	if err != nil {
		return err
	}
	var counties []string
	for _, province := range []string{"450000", "440000", "530000", "520000", "430000"} {
		for _, city := range a.Directory().Children(province) {
			for _, county := range a.Directory().Children(city.Code) {
				if county.Level == cordon.LevelCounty && county.Code != sender && len(counties) < 100 {
					counties = append(counties, county.Code)
				}
			}
		}
	}
	list := func(from, n int) cordon.AssistInput {
		in := cordon.AssistInput{Reason: "大数据推送：与确诊病例时空伴随", Source: cordon.AssistBigData, People: make([]cordon.AssistPersonInput, n)}
		birth := time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := range in.People {
			county, k := counties[(from+i)%len(counties)], from+i
			first17 := county + birth.AddDate(0, 0, k/1000).Format("20060102") + fmt.Sprintf("%03d", k%1000)
			in.People[i] = cordon.AssistPersonInput{Name: fmt.Sprintf("韦%d", k), IDNumber: first17 + string(cordon.CitizenIDCheck(first17)),
				Phone: fmt.Sprintf("139%08d", k), Current: county, Note: "时空伴随"}
		}
		return in
	}
	// A small request first, as a running server has sent before: its
	// statements are then prepared, as they would be.
	if _, err := a.CreateAssist(ctx, acct.Actor(), list(0, len(counties))); err != nil {
		return err
	}
	start := time.Now()
	out, err := a.CreateAssist(ctx, acct.Actor(), list(len(counties), people))
	took := time.Since(start)
	if err != nil {
		return err
	}
	if len(out.Errors) != 0 {
		return fmt.Errorf("bench: %d rows refused, the first %+v", len(out.Errors), out.Errors[0])
	}
	fmt.Fprintf(w, "assist fan-out: %d people over %d counties -> %d letters in %.2f s (%.0f people/s; target 10,000 in ≤ 5 s)\n",
		people, len(counties), len(out.Requests), took.Seconds(), float64(people)/took.Seconds())
	return nil
}

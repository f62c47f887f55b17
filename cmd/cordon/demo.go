package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"cordon"
	"cordon/internal/app"
	"cordon/internal/demo"
	"cordon/internal/store"
)

const defaultDemoPassword = "cordon2022"

func runDemo(ctx context.Context, env *environment, args []string) error {
	var m Main
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	m.Config.bindDB(fs)
	m.Config.bindServe(fs, "127.0.0.1:8080")
	password := fs.String("password", defaultDemoPassword, "password of every demo account")
	residents := fs.Int("residents", 300, "synthetic Debao residents to create")
	fs.Lookup("db").DefValue = "sqlite:./cordon-data/demo.db"
	_ = fs.Set("db", "sqlite:./cordon-data/demo.db")
	if err := m.Config.parse(fs, args, env); err != nil {
		return err
	}
	if !strings.HasPrefix(m.Config.DB, "sqlite:") {
		return usageError{"the demo runs on a fresh SQLite file; --db must be sqlite:PATH"}
	}
	if len(*password) < 8 {
		return usageError{"--password must be at least 8 characters"}
	}
	path := strings.TrimPrefix(m.Config.DB, "sqlite:")
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(path + suffix); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	m.Log = m.Config.logger(env.stderr)
	if err := m.Open(ctx); err != nil {
		return err
	}
	start := time.Now()
	sum, err := loadDemo(ctx, &m, demo.Options{Password: *password, Residents: *residents, Seed: 1})
	if err != nil {
		m.DB.Close()
		return err
	}
	m.Log.Info("demo loaded", "persons", sum.Persons, "samples", sum.Samples, "took", time.Since(start).Round(time.Millisecond))
	printDemo(ctx, env.stdout, &m, sum, *password, path)
	return m.Serve(ctx)
}

// loadDemo loads the scenario through a second application on the same
// database whose clock (and its store's) walks through 17 January to 14
// February 2022,
// so that rounds, tubes, results and the audit log carry the dates they had
// in Debao. The server then serves on real time: what it shows of those
// days is history, which is what a replay is.
func loadDemo(ctx context.Context, m *Main, opt demo.Options) (demo.Summary, error) {
	v, err := m.Config.vault(m.Log)
	if err != nil {
		return demo.Summary{}, err
	}
	clock := demo.NewClock()
	db, err := store.Open(ctx, m.Config.DB, store.Options{Vault: v, Now: clock.Now, ReadConns: 2})
	if err != nil {
		return demo.Summary{}, err
	}
	defer db.Close()
	acfg := app.DefaultConfig
	if m.AppConfig != nil {
		acfg = *m.AppConfig
	}
	opt.Clock = clock
	return demo.Load(ctx, app.New(db, m.App.Directory(), acfg, m.Log, app.WithClock(clock.Now)), opt)
}

// printDemo tells the user where to go, who to sign in as and what the
// demo holds, beside the figures Baise published.
func printDemo(ctx context.Context, w io.Writer, m *Main, sum demo.Summary, password, path string) {
	fmt.Fprintf(w, "\ncordon demo — Debao, February 2022\n\n  open %s\n\n", m.URL())
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  USERNAME\tPASSWORD\tROLE\tJURISDICTION")
	for _, a := range sum.Accounts {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s %s\n", a.Username, password, a.Role, a.Jurisdiction, m.App.PathName(ctx, a.Jurisdiction))
	}
	tw.Flush()
	r := sum.Round
	fmt.Fprintf(w, "\n  %d synthetic people; database %s\n", sum.Persons, path)
	fmt.Fprintf(w, "\n  %s, %s, %s to %s (China time), expecting %s people\n", r.Name, m.App.PathName(ctx, r.Jurisdiction),
		r.StartsAt.In(cordon.ChinaTime).Format("2006-01-02 15:04"), r.Deadline.In(cordon.ChinaTime).Format("01-02 15:04"), thousands(r.Expected))
	fmt.Fprintf(w, "    %d rounds, %d sampling points, %d labs; %s samples in %s tubes, %d boxes (%d tube missing)\n",
		sum.Rounds, sum.Points, sum.Labs, thousands(sum.Samples), thousands(sum.Tubes), sum.Boxes, sum.MissingTubes)
	fmt.Fprintf(w, "    %d positive pool: %d held for a single-tube retest, %d released, %d positive, %d still held\n",
		sum.PositivePools, sum.Held, sum.Released, sum.Positives, sum.StillHeld)
	fmt.Fprintf(w, "    %d lab uploads (Excel and HL7 v2); %d result in the lab inbox\n", len(sum.Uploads), sum.Inbox)
	fmt.Fprintf(w, "    %d cases (the index case, banquet guests, the pool's positives; Omicron BA.1), %d transmission links\n", sum.Cases, sum.Links)
	fmt.Fprintf(w, "    Baise published %s sampled by 02-06 noon, %s negative, %d initial positives, %d awaiting re-check;\n"+
		"    the demo's sampling is scaled down so that it loads in seconds\n\n",
		thousands(demo.PublishedSampled), thousands(demo.PublishedNegative), demo.PublishedPositives, demo.PublishedRecheck)
	fmt.Fprintf(w, "  policy gx-2022-01 in force in 广西 from 2022-01-18; 南宁市 makes the 24-hour arrival test mandatory\n")
	fmt.Fprintf(w, "    %d venues with signed codes (%s, two highway service areas, market, cinema...); %s scan-ins from 01-26\n",
		sum.Venues, sum.Hotel.Name, thousands(sum.ScanIns))
	if c := sum.IndexCase; c.ID != 0 {
		report := "in progress"
		if sum.Investigated {
			report = fmt.Sprintf("report submitted, %s/cases/%d/investigation/report.pdf", m.URL(), c.ID)
		}
		fmt.Fprintf(w, "    the index case, back from 深圳 on 01-27, found 02-04: investigation %s\n", report)
		fmt.Fprintf(w, "    %d companions from scan-ins (%s/cases/%d/companions), %d made close contacts\n", sum.Companions, m.URL(), c.ID, sum.CompanionContacts)
		fmt.Fprintf(w, "    %d contacts: %d close (household, banquet 共同就餐, companions), %d secondary; %d under control, %d released, %d became cases\n",
			sum.Contacts, sum.CloseContacts, sum.SecondaryContacts, sum.Controlled, sum.ReleasedContacts, sum.BecameCases)
	}
	if c := sum.Control; c.Site.ID != 0 {
		day := func(t time.Time) string { return t.In(cordon.ChinaTime).Format("01-02 15:04") }
		fmt.Fprintf(w, "\n  to 2022-02-14: control orders of gx-2022-01 (%s/orders), isolation sites (invented, %s/sites)\n", m.URL(), m.URL())
		fmt.Fprintf(w, "    %s: %d rooms, %d beds, %d staying on 02-14; %s for the secondary contacts; %d arrivals\n",
			c.Site.Name, c.Site.RoomCount, c.Site.Beds, c.Site.Occupied, c.Centre.Name, c.Arrivals)
		fmt.Fprintf(w, "    %d health checks (%d self-reported through links, %d by the grid worker at home), %d fever alert acknowledged; %d test days sampled\n",
			c.Checks, c.SelfReports, c.GridChecks, c.Acknowledged, c.TestDays)
		fmt.Fprintf(w, "    %d orders released on their conditions (secondary contacts, 7 days); %d close contacts gone home to health monitoring; %d to hospital\n",
			c.OrdersReleased, c.HomeMonitoring, c.Hospital)
		if ms := c.Measure; ms.ID != 0 {
			fmt.Fprintf(w, "  德保县 yellow (%s, %s) from %s until %d negative rounds (%s/measures): ended %s\n",
				ms.Reason, ms.Note, day(ms.From), ms.Rounds, m.URL(), day(ms.EndedAt))
			var rounds []string
			for _, r := range c.MeasureRounds {
				rounds = append(rounds, r.Name+" "+day(r.StartsAt)[:5])
			}
			fmt.Fprintf(w, "    %s\n", strings.Join(rounds, ", "))
			fmt.Fprintf(w, "    德保县 residents' codes on 02-10: %d green, %d yellow, %d red; %d companions yellow (B3) from the companion search\n",
				c.CodesFeb10[cordon.Green], c.CodesFeb10[cordon.Yellow], c.CodesFeb10[cordon.Red], c.Marked)
		}
	}
	if x := sum.Arrivals; x.RiskAreas > 0 {
		fmt.Fprintf(w, "\n  risk areas (%s/risk-areas): %d, Baise's zoning of 02-06 (陇意屯 sealed, the Vienna hotel controlled...) and 都安乡 sealed on 02-09\n",
			m.URL(), x.RiskAreas)
		fmt.Fprintf(w, "    arrivals (%s/arrivals): %d returnees in 都安乡, %d still overdue for their 24 h test (%s/arrivals/tasks as duan)\n",
			m.URL(), x.Returnees, x.Overdue, m.URL())
		fmt.Fprintf(w, "    %d people back in 南宁 from Baise, self-reported and on a big-data list (as nnjk), yellow or red for their stay\n", x.Nanning)
		fmt.Fprintf(w, "    %d checkpoints on the roads into 巴马 from 凌云, 田阳, 田东 and 平果 (road numbers invented), %d passages (as bama)\n",
			x.Checkpoints, x.Passages)
	}
	fmt.Fprintln(w)
}

// thousands writes n with thousands separators, as the published figures
// are written.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"cordon/internal/demo"
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
	sum, err := demo.Load(ctx, m.App, demo.Options{Password: *password, Residents: *residents, Seed: 1})
	if err != nil {
		m.DB.Close()
		return err
	}
	m.Log.Info("demo loaded", "persons", sum.Persons, "took", time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(env.stdout, "\ncordon demo — Debao, February 2022\n\n  open %s\n\n", m.URL())
	tw := tabwriter.NewWriter(env.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  USERNAME\tPASSWORD\tROLE\tJURISDICTION")
	for _, a := range sum.Accounts {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s %s\n", a.Username, *password, a.Role, a.Jurisdiction, m.App.PathName(ctx, a.Jurisdiction))
	}
	tw.Flush()
	fmt.Fprintf(env.stdout, "\n  %d synthetic residents; database %s\n\n", sum.Persons, path)
	return m.Serve(ctx)
}

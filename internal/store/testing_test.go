package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"cordon"
	"cordon/internal/store"
)

// The mass-testing statements on both databases: set-wise registration
// (IN lists, multi-row inserts with RETURNING, upserts of tallies), the
// results with their holds and positives, and the reads behind progress.
func TestTestingOnBothDatabases(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const county, village = "451024", "451024200202"
		member := createPerson(t, db, 1, withResidence(county), withCurrent(village))
		var round cordon.Round
		var point cordon.SamplingPoint
		var lab cordon.Lab
		write(t, db, func(tx *store.Tx) error {
			round = cordon.Round{Name: "r", Jurisdiction: county, Modes: cordon.DefaultModes(), StartsAt: tx.Now, Deadline: tx.Now.Add(24 * 60 * 60 * 1e9)}
			if err := tx.CreateRound(ctx, &round, 0); err != nil {
				return err
			}
			point = cordon.SamplingPoint{Name: "p", Jurisdiction: village, AllDay: true, Tables: 1, Active: true, Rounds: []int64{round.ID}}
			if err := tx.CreatePoint(ctx, &point, 0); err != nil {
				return err
			}
			lab = cordon.Lab{Name: "l", Jurisdiction: "451000", Capacity: 100}
			return tx.CreateLab(ctx, &lab, 0)
		})
		// 250 samples in 10-in-1 tubes: more than one IN chunk and one
		// insert chunk. The member is sampled twice.
		var regs []store.Registration
		for i := range 250 {
			in := cordon.SampleInput{Key: fmt.Sprint(i), RoundID: round.ID, PointID: point.ID, Tube: fmt.Sprintf("T%03d", i/10),
				PoolSize: 10, Group: cordon.GroupGeneral, DocType: cordon.DocCitizenID, IDNumber: citizenID(1000 + i)}
			if i == 0 || i == 11 {
				in.IDNumber = ""
				in.PersonID = member.ID
			}
			regs = append(regs, store.Registration{SampleInput: in, PointArea: village})
		}
		read(t, db, func(tx *store.Tx) error { return tx.IdentifySamples(ctx, regs) })
		acks := make([]cordon.SampleAck, len(regs))
		write(t, db, func(tx *store.Tx) error { return tx.RegisterSamples(ctx, regs, acks, cordon.DefaultTurnaround) })
		for i, a := range acks {
			if a.Status != cordon.SampleStored || a.Slot != i%10+1 || a.Tube != regs[i].Tube {
				t.Fatalf("ack %d: %+v", i, a)
			}
		}
		if !acks[11].Duplicate || acks[0].Duplicate {
			t.Errorf("the member's second sample must be flagged: %+v %+v", acks[0], acks[11])
		}
		// Resending the whole batch stores nothing and answers the same ids.
		again := make([]cordon.SampleAck, len(regs))
		write(t, db, func(tx *store.Tx) error { return tx.RegisterSamples(ctx, regs, again, cordon.DefaultTurnaround) })
		for i := range again {
			if again[i].Status != cordon.SampleReplayed || again[i].Slot != acks[i].Slot {
				t.Fatalf("resend %d: %+v, want replay of %+v", i, again[i], acks[i])
			}
		}
		var up cordon.LabUpload
		write(t, db, func(tx *store.Tx) error {
			var err error
			up, err = tx.ApplyResults(ctx, store.Submission{Format: "json", Jurisdiction: "451000", Scope: store.Inside("451000")}, []cordon.LabResultInput{
				{Barcode: "T000", Outcome: cordon.OutcomePositive, CtORF1ab: 30.5},
				{Barcode: "T001", Outcome: cordon.OutcomeNegative},
				{Barcode: "NONE", Outcome: cordon.OutcomeNegative, Raw: "NONE,neg"},
			})
			return err
		})
		if up.Matched != 2 || up.Inbox != 1 || up.Effects.Held != 10 || up.Effects.PositivePools != 1 {
			t.Fatalf("results: %+v", up)
		}
		read(t, db, func(tx *store.Tx) error {
			held, err := tx.PersonHeld(ctx, member.ID)
			if err != nil || !held {
				t.Errorf("member held: %v %v", held, err)
			}
			hs, err := tx.Holds(ctx, store.Inside(village), cordon.HoldFilter{})
			if err != nil || len(hs) != 10 || hs[0].Tube != "T000" {
				t.Errorf("holds: %d %v", len(hs), err)
			}
			tallies, err := tx.RoundTallies(ctx, round.ID)
			if err != nil {
				return err
			}
			var sum cordon.Tally
			for _, a := range tallies {
				sum.Add(a.Tally)
			}
			if sum.Sampled != 249 || sum.Duplicates != 1 || sum.Tubes != 25 || sum.TubesResulted != 2 || sum.PositiveTubes != 1 || sum.Expected != 1 {
				t.Errorf("tallies: %+v", sum)
			}
			left, err := tx.Unsampled(ctx, store.Inside(county), round.ID, 0, 10)
			if err != nil || len(left) != 0 {
				t.Errorf("the only registered person was sampled: %d left, %v", len(left), err)
			}
			items, err := tx.Inbox(ctx, store.Inside("451000"), 0, 10)
			if err != nil || len(items) != 1 || items[0].Raw != "NONE,neg" {
				t.Errorf("inbox: %+v %v", items, err)
			}
			ps, err := tx.Points(ctx, store.Inside(county), cordon.PointFilter{RoundID: round.ID})
			if err == nil {
				err = tx.PointWaits(ctx, ps)
			}
			if err != nil || len(ps) != 1 || ps[0].Throughput != 250 {
				t.Errorf("points: %+v %v", ps, err)
			}
			return nil
		})
	})
}

// On SQLite who was sampled in a round is kept in memory: it must survive
// a restart (rebuilt from the samples) and forget what a rolled-back
// transaction added.
func TestSampledSetRestartAndRollback(t *testing.T) {
	ctx := context.Background()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "cordon.db")
	opt := store.Options{Vault: testVault(t)}
	db := openMigrated(t, dsn, opt)
	var round cordon.Round
	var point cordon.SamplingPoint
	write(t, db, func(tx *store.Tx) error {
		round = cordon.Round{Name: "r", Jurisdiction: "451024", Modes: cordon.DefaultModes(), StartsAt: tx.Now, Deadline: tx.Now.Add(time.Hour)}
		if err := tx.CreateRound(ctx, &round, 0); err != nil {
			return err
		}
		point = cordon.SamplingPoint{Name: "p", Jurisdiction: "451024", AllDay: true, Tables: 1, Active: true}
		return tx.CreatePoint(ctx, &point, 0)
	})
	reg := func(db *store.DB, key, tube string, n int) []store.Registration {
		regs := []store.Registration{{SampleInput: cordon.SampleInput{Key: key, RoundID: round.ID, PointID: point.ID, Tube: tube,
			PoolSize: 10, Group: cordon.GroupGeneral, DocType: cordon.DocCitizenID, IDNumber: citizenID(n)}, PointArea: "451024"}}
		read(t, db, func(tx *store.Tx) error { return tx.IdentifySamples(ctx, regs) })
		return regs
	}
	register := func(db *store.DB, regs []store.Registration) cordon.SampleAck {
		acks := make([]cordon.SampleAck, len(regs))
		write(t, db, func(tx *store.Tx) error { return tx.RegisterSamples(ctx, regs, acks, cordon.DefaultTurnaround) })
		return acks[0]
	}
	if a := register(db, reg(db, "a", "T1", 1)); a.Duplicate {
		t.Fatalf("first sample flagged: %+v", a)
	}
	// A transaction that registers person 2 and then fails.
	failed := errors.New("later step failed")
	regs := reg(db, "b", "T1", 2)
	err := db.Transact(ctx, func(tx *store.Tx) error {
		acks := make([]cordon.SampleAck, 1)
		if err := tx.RegisterSamples(ctx, regs, acks, cordon.DefaultTurnaround); err != nil {
			return err
		}
		return failed
	})
	if !errors.Is(err, failed) {
		t.Fatal(err)
	}
	if a := register(db, reg(db, "c", "T2", 2)); a.Duplicate {
		t.Errorf("a rolled-back sample made person 2 a repeat: %+v", a)
	}
	db.Close()
	db = openMigrated(t, dsn, opt)
	for _, n := range []int{1, 2} {
		if a := register(db, reg(db, fmt.Sprint("after", n), "T3", n)); !a.Duplicate {
			t.Errorf("person %d sampled before the restart is not flagged: %+v", n, a)
		}
	}
	read(t, db, func(tx *store.Tx) error {
		tallies, err := tx.RoundTallies(ctx, round.ID)
		if err != nil || len(tallies) != 1 || tallies[0].Sampled != 2 || tallies[0].Duplicates != 2 {
			t.Errorf("tallies %+v %v", tallies, err)
		}
		return nil
	})
}

// The bulk ingestion paths commit with the log synced (synchronous=FULL,
// 2); every other transaction, before and after, keeps NORMAL (1).
func TestTransactSyncedSyncsOnlyItsCommit(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t, store.Options{Vault: testVault(t)})
	mode := func(synced bool) string {
		var got string
		run := db.Transact
		if synced {
			run = db.TransactSynced
		}
		if err := run(ctx, func(tx *store.Tx) error {
			var err error
			got, err = tx.QueryStringInTx(ctx, "PRAGMA synchronous")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return got
	}
	for i, c := range []struct {
		synced bool
		want   string
	}{{false, "1"}, {true, "2"}, {false, "1"}, {true, "2"}} {
		if got := mode(c.synced); got != c.want {
			t.Errorf("transaction %d (synced %v): synchronous = %s, want %s", i, c.synced, got, c.want)
		}
	}
}

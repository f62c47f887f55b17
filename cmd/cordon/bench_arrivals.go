package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"cordon"
	"cordon/internal/app"
	"cordon/internal/auth"
	"cordon/internal/store"
)

// arrivalBench measures the arrival targets: matching every arrival of the
// look-back against the risk areas (the rematch a new risk area sets off),
// and importing a big-data list from XLSX through the import job.
type arrivalBench struct {
	out, log   io.Writer
	dir        string
	arrivals   int // arrivals stored before the rematch
	persons    int // the travellers they belong to
	areas      int // risk areas declared
	importRows int // rows of the imported list
}

func (b *arrivalBench) run(ctx context.Context) error {
	acfg := app.DefaultConfig
	acfg.PasswordParams = auth.TestParams
	c := config{DB: "sqlite:" + filepath.Join(b.dir, "arrivals.db"), ReadConns: 8, LogLevel: "info", LogFormat: "text"}
	db, a, err := c.open(ctx, slog.New(slog.DiscardHandler), acfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := a.SetPolicy(ctx, app.System, cordon.PolicyAssignment{Jurisdiction: "450000", From: "2022-01-18", Edition: "gx-2022-01"}); err != nil {
		return err
	}
	// Guangxi's villages are where people travel and where areas lie.
	var villages []string
	var walk func(code string)
	walk = func(code string) {
		for _, j := range a.Directory().Children(code) {
			if j.Level == cordon.LevelVillage {
				villages = append(villages, j.Code)
			} else {
				walk(j.Code)
			}
		}
	}
	walk("450000")
	if len(villages) == 0 {
		return fmt.Errorf("bench: the directory has no villages in Guangxi")
	}
	rng := rand.New(rand.NewPCG(6, 2))
	now := time.Now()
	day := func(back int) string { return now.AddDate(0, 0, -back).In(cordon.ChinaTime).Format(time.DateOnly) }

	fmt.Fprintf(b.log, "arrivals: storing %d persons, %d arrivals and %d risk areas over %d villages...\n", b.persons, b.arrivals, b.areas, len(villages))
	start := time.Now()
	ids := make([]int64, 0, b.persons)
	for done := 0; done < b.persons; {
		n := min(b.persons-done, 20_000)
		err := db.Transact(ctx, func(tx *store.Tx) error {
			for i := done; i < done+n; i++ {
				v := villages[i%len(villages)]
				p := cordon.Person{Name: "旅客", DocType: cordon.DocCitizenID, IDNumber: benchID("450102", i), Residence: v, Current: v}
				if err := tx.CreatePerson(ctx, &p, 0); err != nil {
					return err
				}
				ids = append(ids, p.ID)
			}
			return nil
		})
		if err != nil {
			return err
		}
		done += n
	}
	// Areas, as in an outbreak: in the villages of one city (百色市), several
	// to a village (hamlets, buildings); mostly precaution zones, some
	// controlled, a few sealed, all looking back 10 days.
	var baise []string
	for _, v := range villages {
		if strings.HasPrefix(v, "4510") {
			baise = append(baise, v)
		}
	}
	err = db.Transact(ctx, func(tx *store.Tx) error {
		for i := range b.areas {
			tier := "precaution"
			switch {
			case i%100 == 0:
				tier = "sealed"
			case i%10 == 0:
				tier = "controlled"
			}
			r := cordon.RiskArea{Edition: "gx-2022-01", Tier: tier, Jurisdiction: baise[rng.IntN(len(baise))], Name: "风险区", From: now.AddDate(0, 0, -10)}
			if err := tx.CreateRiskArea(ctx, &r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(b.log, "arrivals: persons and areas stored in %v\n", time.Since(start).Round(time.Millisecond))

	// The import: a big-data list of importRows rows in XLSX.
	var file bytes.Buffer
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	head := []any{"姓名", "证件号码", "联系电话", "目的地", "抵达时间", "出发地", "旅居史", "交通方式"}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	for i := range b.importRows {
		dest := villages[rng.IntN(len(villages))]
		from := villages[rng.IntN(len(villages))]
		at := now.Add(-time.Duration(rng.IntN(72)) * time.Hour).In(cordon.ChinaTime)
		row := []any{"返乡人员", benchID("451024", 5_000_000+i), fmt.Sprintf("139%08d", i), dest, at.Format("2006-01-02 15:04"), from,
			fmt.Sprintf("%s %s~%s", from, at.AddDate(0, 0, -3).Format(time.DateOnly), at.Format(time.DateOnly)), "自驾"}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	if err := f.Write(&file); err != nil {
		return err
	}
	acct, err := a.CreateAccount(ctx, app.System, cordon.AccountInput{Username: "bench-arrivals", Role: cordon.RoleEpidemiologist, Jurisdiction: "450000", Password: "bench-password"})
	if err != nil {
		return err
	}
	actor := acct.Actor()
	start = time.Now()
	job, err := a.StartImport(ctx, actor, "arrivals", app.ImportFile{Name: "bench.xlsx", Format: "xlsx", Data: file.Bytes()})
	if err != nil {
		return err
	}
	for job.Status == app.ImportRunning {
		time.Sleep(200 * time.Millisecond)
		if job, _, err = a.Import(ctx, actor, job.ID, 0, 1); err != nil {
			return err
		}
	}
	took := time.Since(start)
	fmt.Fprintf(b.out, "import of a %d-row XLSX list (%.1f MB) beside %d persons and %d risk areas: %v, %d stored, %d refused, %.0f rows/s\n",
		b.importRows, float64(file.Len())/1e6, b.persons, b.areas, took.Round(time.Millisecond), job.Stored, job.Failed, float64(job.Done)/took.Seconds())
	if job.Status != app.ImportDone {
		return fmt.Errorf("bench: the import ended %s: %s", job.Status, job.Error)
	}

	// Then the arrivals of the look-back, matched again against the areas.
	start = time.Now()
	for done := 0; done < b.arrivals; {
		n := min(b.arrivals-done, 20_000)
		err := db.Transact(ctx, func(tx *store.Tx) error {
			for i := done; i < done+n; i++ {
				back := rng.IntN(20)
				at := now.Add(-time.Duration(back)*24*time.Hour - time.Duration(rng.IntN(86400))*time.Second)
				from := villages[rng.IntN(len(villages))]
				via := villages[rng.IntN(len(villages))]
				t := cordon.Trip{PersonID: ids[i%len(ids)], Destination: villages[rng.IntN(len(villages))], ArrivedAt: at, Origin: from,
					Travel:  []cordon.TravelStop{{Place: via, From: day(back + 6), To: day(back + 3)}, {Place: from, From: day(back + 2), To: day(back)}},
					Sources: []cordon.ArrivalSource{{Channel: cordon.ChannelBigData, At: at}}, Population: cordon.ArrivalOrdinary, Edition: "gx-2022-01"}
				if err := tx.CreateTrip(ctx, &t); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		done += n
	}
	fmt.Fprintf(b.log, "arrivals: %d stored in %v\n", b.arrivals, time.Since(start).Round(time.Millisecond))

	res, err := a.RematchArrivals(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(b.out, "rematch of %d arrivals against %d risk areas: read and matched in %v; %d stored again (%d to a stronger population, with obligations and orders); %v in all\n",
		res.Arrivals, res.Areas, res.Matched.Round(time.Millisecond), res.Changed, res.Stronger, res.Took.Round(time.Millisecond))

	return nil
}

// benchID is the n-th citizen ID number with the address code.
func benchID(address string, n int) string {
	first := fmt.Sprintf("%s%s%03d", address, time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n/1000).Format("20060102"), n%1000)
	return first + string(cordon.CitizenIDCheck(first))
}

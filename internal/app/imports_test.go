package app_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"cordon"
	"cordon/internal/app"
	"cordon/internal/linelist"
	"cordon/internal/store"
)

// caseCSV writes a case line list as CSV with the headings and rows given.
func caseCSV(tb testing.TB, headings []string, rows ...[]string) []byte {
	tb.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.Write(headings); err != nil {
		tb.Fatal(err)
	}
	if err := w.WriteAll(rows); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

var importHeadings = []string{"姓名", "证件号码", "手机号码", "现住辖区", "病例分类", "临床分型", "发病日期", "采样日期", "毒株", "分支", "收治医院", "转归", "感染来源", "责任辖区", "发现时间"}

// importCases imports a file and waits for its job to end.
func (f *fixture) importCases(actor cordon.Actor, name string, format string, data []byte) app.ImportJob {
	f.tb.Helper()
	job, err := f.app.StartImport(f.ctx, actor, "cases", app.ImportFile{Name: name, Format: format, Data: data})
	if err != nil {
		f.tb.Fatalf("StartImport: %v", err)
	}
	return f.waitImport(actor, job.ID)
}

// waitImport polls a job until it ends. The deadline only keeps a broken
// import from hanging the test.
func (f *fixture) waitImport(actor cordon.Actor, id int64) app.ImportJob {
	f.tb.Helper()
	for deadline := time.Now().Add(5 * time.Minute); ; {
		job, _, err := f.app.Import(f.ctx, actor, id, 0, 1)
		if err != nil {
			f.tb.Fatalf("Import(%d): %v", id, err)
		}
		if job.Status != store.ImportRunning {
			return job
		}
		if time.Now().After(deadline) {
			f.tb.Fatalf("import %d still running: %+v", id, job)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// importErrors reads every row error of a job, a page of 7 at a time.
func (f *fixture) importErrors(actor cordon.Actor, id int64) []app.ImportError {
	f.tb.Helper()
	var all []app.ImportError
	var after int64
	for {
		_, page, err := f.app.Import(f.ctx, actor, id, after, 7)
		if err != nil {
			f.tb.Fatal(err)
		}
		all = append(all, page...)
		if len(page) < 7 {
			return all
		}
		after = page[len(page)-1].ID
	}
}

// casesByID lists every case the actor sees, by ID number.
func (f *fixture) casesByID(actor cordon.Actor) map[string]cordon.Case {
	f.tb.Helper()
	cs, err := f.app.Cases(f.ctx, actor, cordon.CaseFilter{Limit: store.MaxLimit})
	if err != nil {
		f.tb.Fatal(err)
	}
	out := map[string]cordon.Case{}
	for _, c := range cs {
		out[c.IDNumber] = c
	}
	return out
}

// Exported from one county's cordon, imported into another: the same
// cases come back, from CSV and from XLSX, and the second import of the
// same cases stores nothing.
func TestImportCasesRoundTrip(t *testing.T) {
	for _, db := range []struct {
		name string
		opts []fixtureOption
	}{{"sqlite", nil}, {"postgres", []fixtureOption{withPostgres()}}} {
		t.Run(db.name, func(t *testing.T) {
			from := newFixture(t, db.opts...)
			fromEpi := from.account(cordon.RoleEpidemiologist, debao).Actor()
			ins := []cordon.CaseInput{
				{Classification: cordon.Confirmed, Severity: cordon.Mild, OnsetDate: "2022-02-06", SamplingDate: "2022-02-07", Variant: "Omicron", Lineage: "BA.1", Hospital: "百色市人民医院"},
				{Classification: cordon.Asymptomatic, SamplingDate: "2022-02-07", Origin: cordon.Imported, Jurisdiction: chengdong},
				{Classification: cordon.Suspected, DetectedAt: outbreakStart.Add(-26 * time.Hour)},
				{Classification: cordon.Confirmed, Severity: cordon.Severe, OnsetDate: "2022-01-30", Outcome: cordon.Recovered},
			}
			for i, in := range ins {
				p := from.person(named(fmt.Sprintf("韦%d", i)), livingAt(debao, []string{debao, chengdong, fuji, debao}[i]))
				in.PersonID = p.ID
				if _, err := from.app.OpenCase(from.ctx, fromEpi, in); err != nil {
					t.Fatalf("OpenCase %d: %v", i, err)
				}
			}
			want := from.casesByID(fromEpi)
			files := map[string][]byte{}
			for _, format := range []string{linelist.CSV, linelist.XLSX} {
				var b bytes.Buffer
				if err := from.app.CaseLineList(from.ctx, fromEpi, format, &b); err != nil {
					t.Fatal(err)
				}
				files[format] = b.Bytes()
			}

			for _, format := range []string{linelist.CSV, linelist.XLSX} {
				t.Run(format, func(t *testing.T) {
					to := newFixture(t, db.opts...)
					epi := to.account(cordon.RoleEpidemiologist, debao).Actor()
					job := to.importCases(epi, "病例一览表."+format, format, files[format])
					if job.Status != store.ImportDone || job.Total != 4 || job.Done != 4 || job.Stored != 4 || job.Failed != 0 || job.FileName != "病例一览表."+format {
						t.Fatalf("job: %+v %+v", job, to.importErrors(epi, job.ID))
					}
					got := to.casesByID(epi)
					for id, w := range want {
						g, ok := got[id]
						if !ok {
							t.Errorf("case of %s did not come back", id)
							continue
						}
						if g.Name != w.Name || g.Classification != w.Classification || g.Severity != w.Severity || g.OnsetDate != w.OnsetDate ||
							g.SamplingDate != w.SamplingDate || g.Variant != w.Variant || g.Lineage != w.Lineage || g.Hospital != w.Hospital ||
							g.Outcome != w.Outcome || g.Origin != w.Origin || g.Jurisdiction != w.Jurisdiction ||
							!g.DetectedAt.Equal(w.DetectedAt.Truncate(time.Minute)) {
							t.Errorf("case of %s:\n got %+v\nwant %+v", id, g, w)
						}
						p, err := to.app.Person(to.ctx, epi, g.PersonID, "")
						if err != nil || p.Name != w.Name || p.Current != w.Jurisdiction {
							t.Errorf("person of %s: %+v %v", id, p, err)
						}
					}
					if len(got) != len(want) {
						t.Errorf("%d cases, want %d", len(got), len(want))
					}
					// Imported again: each row is answered with the case it
					// has, and nothing is stored twice.
					again := to.importCases(epi, "again."+format, format, files[format])
					errs := to.importErrors(epi, again.ID)
					if again.Status != store.ImportDone || again.Stored != 0 || again.Failed != 4 || len(errs) != 4 {
						t.Fatalf("again: %+v %+v", again, errs)
					}
					for _, e := range errs {
						if e.Code != "import.case_exists" || !strings.HasPrefix(e.Record, "case:") || e.Line < 2 {
							t.Errorf("again: %+v", e)
						}
					}
					if n := len(to.casesByID(epi)); n != 4 {
						t.Errorf("%d cases after the second import", n)
					}
					// Audited: the job, its chunk with the records it wrote, its end.
					if len(to.audit(cordon.AuditFilter{Action: "import.start", Record: fmt.Sprintf("import:%d", job.ID)})) != 1 ||
						len(to.audit(cordon.AuditFilter{Action: "import.finish", Record: fmt.Sprintf("import:%d", job.ID)})) != 1 {
						t.Error("the job is audited")
					}
					chunks := to.audit(cordon.AuditFilter{Action: "case.import", Record: fmt.Sprintf("import:%d", job.ID)})
					if len(chunks) != 1 || strings.Count(chunks[0].Detail, "case:") != 4 || strings.Count(chunks[0].Detail, "person:") != 4 || chunks[0].Username != epi.Username {
						t.Errorf("chunk audit: %+v", chunks)
					}
				})
			}
		})
	}
}

// A bad row among good ones: the good are stored, each bad one is refused
// with its line, its column and a stable code, and leaves nothing behind.
func TestImportCasesRowErrors(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		epi := s.account(cordon.RoleEpidemiologist, debao).Actor()
		// A registered person with an open case; one registered under
		// another name; one with a positive result and no case yet.
		withCase := s.person(named("黄有病例"), livingAt(debao, debao))
		if _, err := s.app.OpenCase(s.ctx, epi, cordon.CaseInput{PersonID: withCase.ID, Classification: cordon.Asymptomatic}); err != nil {
			t.Fatal(err)
		}
		other := s.person(named("黄登记"), livingAt(debao, debao))
		positive := s.sample("P1", 1)
		positive.Group = cordon.GroupKey
		s.register(positive)
		s.results(cordon.LabResultInput{Barcode: "P1", Outcome: cordon.OutcomePositive})
		elsewhere := s.person(named("黄南宁"), livingAt(nanning, xingning))

		good := func(name string) []string {
			return []string{name, idNumber(debao, s.next()), "", "", "确诊病例", "轻型", "2022-02-05", "", "", "", "", "", "", "", ""}
		}
		badID := good("韦校验")
		badID[1] = badID[1][:17] + string("0123456789X"[(strings.IndexByte("0123456789X", badID[1][17])+1)%11])
		unknownClass := good("韦分类")
		unknownClass[4] = "确诊了"
		future := good("韦未来")
		future[6] = "2022-02-09"
		outside := good("韦外地")
		outside[13] = nanning
		masked := good("韦脱敏")
		masked[1] = cordon.MaskDocNumber(masked[1])
		twoFaults := good("韦两错")
		twoFaults[5], twoFaults[7] = "重", "昨天"
		hasCase := good(withCase.Name)
		hasCase[1] = withCase.IDNumber
		mismatch := good("黄不是")
		mismatch[1] = other.IDNumber
		fromPositive := good(positive.Name)
		fromPositive[1] = positive.IDNumber
		notOurs := good(elsewhere.Name)
		notOurs[1] = elsewhere.IDNumber
		livesOutside := good("韦兴宁")
		livesOutside[3] = xingning
		place := good("韦城东")
		place[3] = "德保县城关镇城东社区居委会"

		persons, _ := s.written()
		job := s.importCases(epi, "list.csv", linelist.CSV, caseCSV(t, importHeadings, good("韦一"), badID, unknownClass, future,
			outside, masked, twoFaults, hasCase, mismatch, fromPositive, notOurs, livesOutside, place, good("韦末")))
		if job.Status != store.ImportDone || job.Total != 14 || job.Done != 14 || job.Stored != 3 || job.Failed != 11 {
			t.Fatalf("job: %+v", job)
		}
		type at struct {
			line         int
			column, code string
		}
		var got []at
		for _, e := range s.importErrors(epi, job.ID) {
			got = append(got, at{e.Line, e.Column, e.Code})
		}
		want := []at{
			{3, "证件号码", "person.id_number_invalid"},
			{4, "病例分类", "case.classification_invalid"},
			{4, "临床分型", "case.severity_invalid"}, // a clinical type is for confirmed cases
			{5, "发病日期", "import.date_future"},
			{6, "责任辖区", "case.outside_jurisdiction"},
			{7, "证件号码", "import.id_number_masked"},
			{8, "采样日期", "import.date_unreadable"},
			{8, "临床分型", "case.severity_invalid"},
			{9, "", "import.case_exists"},
			{10, "姓名", "import.name_mismatch"},
			{11, "", "case.positive_exists"},
			{12, "证件号码", "import.person_elsewhere"},
			{13, "现住辖区", "person.outside_jurisdiction"},
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("errors:\n got %v\nwant %v", got, want)
		}
		// Three persons registered (the rows that failed registered no
		// one, the positive's row included), three cases opened.
		if n, _ := s.written(); n != persons+3 {
			t.Errorf("%d persons registered, want 3", n-persons)
		}
		cs := s.casesByID(epi)
		if len(cs) != 4 {
			t.Errorf("%d cases, want 4", len(cs))
		}
		for _, c := range cs {
			if c.Name == "韦城东" && c.Jurisdiction != chengdong {
				t.Errorf("a place named in full: %+v", c)
			}
		}
	})
}

// English headings, in another order, a title row above them; places by
// code; words as cordon's codes.
func TestImportCasesEnglish(t *testing.T) {
	f := newFixture(t)
	epi := f.account(cordon.RoleEpidemiologist, debao).Actor()
	file := "Debao line list 2022-02-08\n" + string(caseCSV(t, []string{"Classification", "Name", "ID Number", "Place", "Onset date", "Detected at", "Origin", "Phone"},
		[]string{"confirmed", "Wei Yi", idNumber(debao, 1), chengdong, "2022/2/6", "2022-02-08 07:30", "imported", "13907760001"},
		[]string{"asymptomatic", "Wei Er", idNumber(debao, 2), "", "", "", "", ""}))
	job := f.importCases(epi, "cases.csv", linelist.CSV, []byte(file))
	if job.Stored != 2 || job.Failed != 0 {
		t.Fatalf("job: %+v %+v", job, f.importErrors(epi, job.ID))
	}
	cs := f.casesByID(epi)
	one := cs[idNumber(debao, 1)]
	if one.Classification != cordon.Confirmed || one.OnsetDate != "2022-02-06" || one.Origin != cordon.Imported || one.Jurisdiction != chengdong ||
		!one.DetectedAt.Equal(time.Date(2022, 2, 7, 23, 30, 0, 0, time.UTC)) || !one.Clocks[1].Due.Equal(one.DetectedAt.Add(cordon.TrajectoryWithin)) {
		t.Errorf("case: %+v", one)
	}
	// No place: the importer's jurisdiction; no detected time: the import.
	two := cs[idNumber(debao, 2)]
	if two.Jurisdiction != debao || !two.DetectedAt.Equal(f.clock.Now()) {
		t.Errorf("case: %+v", two)
	}
	p, err := f.app.Person(f.ctx, epi, one.PersonID, "")
	if err != nil || p.Phone != "13907760001" || p.Current != chengdong || p.Residence != chengdong {
		t.Errorf("person: %+v %v", p, err)
	}
}

// Files that cannot be read are refused at once, and nothing starts.
func TestImportRefusesFiles(t *testing.T) {
	f := newFixture(t)
	epi := f.account(cordon.RoleEpidemiologist, debao).Actor()
	good := caseCSV(t, importHeadings, []string{"韦一", idNumber(debao, 1), "", "", "确诊病例"})
	for _, c := range []struct {
		name   string
		actor  cordon.Actor
		kind   string
		file   app.ImportFile
		kindOf cordon.Kind
		code   string
	}{
		{"a PDF", epi, "cases", app.ImportFile{Name: "x.pdf", Data: []byte("%PDF-1.4")}, cordon.KindUnsupported, "import.format"},
		{"CSV sent as XLSX", epi, "cases", app.ImportFile{Format: linelist.XLSX, Data: good}, cordon.KindInvalid, "linelist.bad_xlsx"},
		{"an empty file", epi, "cases", app.ImportFile{Format: linelist.CSV}, cordon.KindInvalid, "linelist.empty"},
		{"headings only", epi, "cases", app.ImportFile{Format: linelist.CSV, Data: caseCSV(t, importHeadings)}, cordon.KindInvalid, "linelist.no_rows"},
		{"no classification column", epi, "cases", app.ImportFile{Format: linelist.CSV, Data: []byte("姓名,证件号码\n韦一,1\n")}, cordon.KindInvalid, "linelist.missing_column"},
		{"GBK", epi, "cases", app.ImportFile{Format: linelist.CSV, Data: []byte("\xd0\xd5\xc3\xfb\n")}, cordon.KindInvalid, "linelist.encoding"},
		{"an unknown kind", epi, "vaccinations", app.ImportFile{Format: linelist.CSV, Data: good}, cordon.KindInvalid, "import.kind_unknown"},
		{"a commander", f.account(cordon.RoleCommander, debao).Actor(), "cases", app.ImportFile{Format: linelist.CSV, Data: good}, cordon.KindForbidden, "auth.forbidden"},
		{"signed out", cordon.Actor{}, "cases", app.ImportFile{Format: linelist.CSV, Data: good}, cordon.KindUnauthorized, "auth.unauthorized"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.app.StartImport(f.ctx, c.actor, c.kind, c.file)
			wantError(t, err, c.kindOf, c.code)
		})
	}
	if jobs, err := f.app.Imports(f.ctx, epi, 0, 10); err != nil || len(jobs) != 0 {
		t.Errorf("jobs: %+v %v", jobs, err)
	}
	if n := len(f.audit(cordon.AuditFilter{Action: "import.start"})); n != 0 {
		t.Errorf("%d imports started", n)
	}
}

// A file of 5,000 rows runs as a job after StartImport returns; its
// progress reaches the end with the counts right, and its errors page.
func TestImportFiveThousandRows(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		epi := s.account(cordon.RoleEpidemiologist, debao).Actor()
		rows := make([][]string, 5000)
		for i := range rows {
			rows[i] = []string{fmt.Sprintf("韦%d", i), idNumber(debao, s.next()), "", "", "无症状感染者", "", "", "2022-02-07"}
			if i%100 == 99 {
				rows[i][4] = "?"
			}
		}
		job, err := s.app.StartImport(s.ctx, epi, "cases", app.ImportFile{Name: "big.csv", Format: linelist.CSV, Data: caseCSV(t, importHeadings, rows...)})
		if err != nil {
			t.Fatal(err)
		}
		if job.Status != store.ImportRunning || job.Total != 5000 || job.Done != 0 {
			t.Fatalf("a big file is a job: %+v", job)
		}
		job = s.waitImport(epi, job.ID)
		if job.Status != store.ImportDone || job.Done != 5000 || job.Stored != 4950 || job.Failed != 50 || job.FinishedAt.IsZero() {
			t.Fatalf("job: %+v", job)
		}
		errs := s.importErrors(epi, job.ID)
		if len(errs) != 50 || errs[0].Line != 101 || errs[49].Line != 5001 || errs[0].Column != "病例分类" {
			t.Fatalf("%d errors: %+v", len(errs), errs[:min(3, len(errs))])
		}
		if n := len(s.audit(cordon.AuditFilter{Action: "case.import"})); n != 10 {
			t.Errorf("%d chunks audited, want 10", n)
		}
		jobs, err := s.app.Imports(s.ctx, epi, 0, 10)
		if err != nil || len(jobs) != 1 || jobs[0].ID != job.ID || jobs[0].Stored != 4950 {
			t.Errorf("jobs: %+v %v", jobs, err)
		}
	})
}

// A job whose server stopped under it is failed when next read, with what
// it stored counted; jobs are read by their importer and by colleagues
// who could have imported them, no one else.
func TestImportInterruptedAndWhoReads(t *testing.T) {
	f := newFixture(t)
	epi := f.account(cordon.RoleEpidemiologist, debao).Actor()
	job := app.ImportJob{Kind: "cases", Jurisdiction: debao, AccountID: epi.AccountID, Username: epi.Username, FileName: "x.csv", Format: "csv", Total: 1200}
	err := f.db.Transact(f.ctx, func(tx *store.Tx) error {
		if err := tx.CreateImport(f.ctx, &job); err != nil {
			return err
		}
		return tx.ImportProgress(f.ctx, job.ID, 500, 498, 2, []store.ImportError{{Line: 7, Code: "import.case_exists"}, {Line: 9, Code: "import.case_exists"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Minute)
	if got, _, err := f.app.Import(f.ctx, epi, job.ID, 0, 10); err != nil || got.Status != store.ImportRunning {
		t.Fatalf("a minute without progress is not yet a stop: %+v %v", got, err)
	}
	f.clock.Advance(app.ImportStale)
	got, errs, err := f.app.Import(f.ctx, epi, job.ID, 0, 10)
	if err != nil || got.Status != store.ImportFailed || got.Error != "import.interrupted" || got.Done != 500 || got.Stored != 498 || len(errs) != 2 {
		t.Fatalf("interrupted: %+v %+v %v", got, errs, err)
	}
	if e := f.audit(cordon.AuditFilter{Action: "import.finish"}); len(e) != 1 || !strings.Contains(e[0].Detail, "498 stored") || e[0].Username != epi.Username {
		t.Errorf("audit: %+v", e)
	}
	// A progress that comes late is refused: the job stays failed.
	err = f.db.Transact(f.ctx, func(tx *store.Tx) error { return tx.ImportProgress(f.ctx, job.ID, 500, 500, 0, nil) })
	wantError(t, err, cordon.KindConflict, "import.interrupted")

	colleague := f.account(cordon.RoleEpidemiologist, debao).Actor()
	if _, _, err := f.app.Import(f.ctx, colleague, job.ID, 0, 10); err != nil {
		t.Errorf("a colleague: %v", err)
	}
	for _, who := range []cordon.Actor{f.account(cordon.RoleEpidemiologist, nanning).Actor(), f.account(cordon.RoleCommander, debao).Actor()} {
		if _, _, err := f.app.Import(f.ctx, who, job.ID, 0, 10); cordon.ErrorKind(err) != cordon.KindNotFound {
			t.Errorf("%s: %v", who.Username, err)
		}
	}
	if _, _, err := f.app.Import(f.ctx, cordon.Actor{}, job.ID, 0, 10); cordon.ErrorKind(err) != cordon.KindUnauthorized {
		t.Errorf("signed out: %v", err)
	}
	if jobs, err := f.app.Imports(f.ctx, colleague, 0, 10); err != nil || len(jobs) != 0 {
		t.Errorf("the list is one's own: %+v %v", jobs, err)
	}
}

// BenchmarkImportCases imports a line list of 10,000 cases of new persons
// on SQLite, as one file through StartImport: reading the CSV, checking
// every row, registering each person, opening each case, committed in
// chunks with the job's progress and audited.
func BenchmarkImportCases(b *testing.B) {
	f := newFixture(b)
	epi := f.account(cordon.RoleEpidemiologist, debao).Actor()
	const rows = 10_000
	for b.Loop() {
		b.StopTimer()
		list := make([][]string, rows)
		for i := range list {
			list[i] = []string{fmt.Sprintf("韦%d", i), idNumber(debao, f.next()), phoneNumber(f.next()), chengdong, "确诊病例", "轻型",
				"2022-02-05", "2022-02-07", "Omicron", "BA.1", "德保县人民医院", "", "本土", "", "2022-02-08 07:30"}
		}
		data := caseCSV(b, importHeadings, list...)
		b.StartTimer()
		job := f.importCases(epi, "bench.csv", linelist.CSV, data)
		if job.Stored != rows {
			b.Fatalf("job: %+v", job)
		}
	}
	b.ReportMetric(float64(b.N*rows)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/10k-rows")
}

// A contact imported as a case becomes one, as when the case is opened by
// hand: the contact record says so and the source case is linked.
func TestImportedCaseOfAContact(t *testing.T) {
	f := newFixture(t)
	epi := f.account(cordon.RoleEpidemiologist, debao).Actor()
	src := f.person(livingAt(debao, debao))
	source, err := f.app.OpenCase(f.ctx, epi, cordon.CaseInput{PersonID: src.ID, Classification: cordon.Confirmed, OnsetDate: "2022-02-06"})
	if err != nil {
		t.Fatal(err)
	}
	mate := f.person(livingAt(debao, debao), named("韦同住"))
	contact, err := f.app.AddContact(f.ctx, epi, cordon.ContactInput{ContactIdentity: cordon.ContactIdentity{PersonID: mate.ID},
		Exposure: cordon.ExposureInput{SourceCase: source.ID, Situation: cordon.SituationHousehold, LastAt: f.clock.Now().Add(-time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	job := f.importCases(epi, "cases.csv", linelist.CSV, caseCSV(t, []string{"病例分类", "姓名", "证件号码"},
		[]string{"无症状感染者", mate.Name, mate.IDNumber}))
	if job.Stored != 1 {
		t.Fatalf("job: %+v %+v", job, f.importErrors(epi, job.ID))
	}
	got, err := f.app.Contact(f.ctx, epi, contact.ID, "")
	if err != nil || got.Status != cordon.ContactBecameCase || got.CaseID == 0 {
		t.Fatalf("the contact after the import: %+v %v", got, err)
	}
	v, err := f.app.Chains(f.ctx, epi)
	if err != nil || len(v.Links) != 1 || v.Links[0].From != source.ID || v.Links[0].To != got.CaseID {
		t.Errorf("links: %+v %v", v.Links, err)
	}
}

package app_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"cordon"
	"cordon/internal/app"
)

// BenchmarkImportArrivals imports a big-data list of 10,000 arrivals from
// CSV into Nanning under gx-2022-01, the travellers new, their travel in
// Baise (a city with a sealed zone and cases): persons registered,
// arrivals matched, orders and tests made.
func BenchmarkImportArrivals(b *testing.B) {
	f := newTestingSetup(b)
	arrivalSetupB(b, f)
	epi := f.account(cordon.RoleEpidemiologist, nanning).Actor()
	const rows = 10_000
	for b.Loop() {
		b.StopTimer()
		var sb strings.Builder
		sb.WriteString("姓名,证件号码,联系电话,目的地,抵达时间,出发地,旅居史\n")
		for i := range rows {
			stay := []string{"德保县都安乡", "田东县", "靖西市", "深圳市宝安区"}[i%4]
			fmt.Fprintf(&sb, "韦%d,%s,%s,兴宁区,2022-02-07 %02d:00,%s,%s 2022-02-01~2022-02-06\n", i, idNumber(nanning, f.next()), phoneNumber(f.next()), i%24, stay, stay)
		}
		b.StartTimer()
		job, err := f.app.StartImport(f.ctx, epi, "arrivals", app.ImportFile{Name: "bench.csv", Format: "csv", Data: []byte(sb.String())})
		if err != nil {
			b.Fatal(err)
		}
		if job = f.waitImport(epi, job.ID); job.Stored != rows {
			b.Fatalf("job: %+v", job)
		}
	}
	b.ReportMetric(float64(b.N*rows)/b.Elapsed().Seconds(), "rows/s")
}

// arrivalSetupB is arrivalSetup for a benchmark.
func arrivalSetupB(b *testing.B, s *testingSetup) {
	if err := s.app.SetPolicy(s.ctx, app.System, cordon.PolicyAssignment{Jurisdiction: guangxi, From: "2022-01-18", Edition: "gx-2022-01"}); err != nil {
		b.Fatal(err)
	}
	boss := s.account(cordon.RoleCommander, debao).Actor()
	if _, err := s.app.DeclareRiskArea(s.ctx, boss, cordon.RiskArea{Tier: "sealed", Jurisdiction: duan, Name: "德保县都安乡全域",
		From: time.Date(2022, 2, 3, 0, 0, 0, 0, cordon.ChinaTime)}); err != nil {
		b.Fatal(err)
	}
}

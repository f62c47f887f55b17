package linelist

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"cordon"
)

func sample() []cordon.Case {
	return []cordon.Case{{ID: 3, Name: "韦某", IDNumber: "4510**********002X", Classification: cordon.Confirmed, Severity: cordon.Mild,
		OnsetDate: "2022-02-03", Variant: "Omicron", Lineage: "BA.1", Origin: cordon.Local, Jurisdiction: "451024",
		DetectedAt: time.Date(2022, 2, 3, 22, 0, 0, 0, time.UTC), ReportedAt: time.Date(2022, 2, 3, 23, 0, 0, 0, time.UTC)}}
}

func place(code string) string { return map[string]string{"451024": "德保县"}[code] }

func TestCSV(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCases(&b, CSV, sample(), place); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "\uFEFF病例编号,") {
		t.Errorf("no byte order mark or headings: %q", b.String()[:20])
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), "\uFEFF"))).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("%v %v", rows, err)
	}
	want := []string{"3", "韦某", "4510**********002X", "确诊病例", "轻型", "2022-02-03", "", "Omicron", "BA.1", "", "", "本土", "德保县", "2022-02-04 06:00", "2022-02-04 07:00"}
	for i := range want {
		if rows[1][i] != want[i] {
			t.Errorf("column %s = %q, want %q", rows[0][i], rows[1][i], want[i])
		}
	}
}

func TestXLSX(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCases(&b, XLSX, sample(), place); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("病例一览表")
	if err != nil || len(rows) != 2 || rows[0][0] != "病例编号" || rows[1][1] != "韦某" || rows[1][12] != "德保县" {
		t.Errorf("workbook rows: %v %v", rows, err)
	}
	if err := WriteCases(&b, "pdf", nil, place); cordon.ErrorCode(err) != "linelist.format" {
		t.Errorf("unknown format: %v", err)
	}
}

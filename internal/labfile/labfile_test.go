package labfile

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"cordon"
	"cordon/internal/hl7"
)

// testdata is where the shared HL7 samples live, relative to this package.
const testdata = "../../../shared/testdata/hl7"

func readTestdata(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(testdata, name))
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// cst returns a China-time wall clock as the UTC instant Parse gives.
func cst(year int, month time.Month, day, hour, min, sec int) time.Time {
	return time.Date(year, month, day, hour, min, sec, 0, time.FixedZone("UTC+8", 8*60*60)).UTC()
}

// want is what a test expects of a row; Raw is checked only when set.
type want struct {
	line     int
	barcode  string
	outcome  hl7.Outcome
	orf, n   float64
	observed time.Time
	code     string // RowError code, "" for a good row
	field    string // RowError field, checked when code is set
	raw      string
}

func checkRows(t *testing.T, got []Row, wants []want) {
	t.Helper()
	if len(got) != len(wants) {
		t.Fatalf("got %d rows, want %d:\n%s", len(got), len(wants), dump(got))
	}
	for i, w := range wants {
		g := got[i]
		if g.Line != w.line || g.Barcode != w.barcode || g.Outcome != w.outcome || g.CtORF1ab != w.orf || g.CtN != w.n ||
			!g.Observed.Equal(w.observed) {
			t.Errorf("row %d:\n got line %d %q %q ct %v/%v %v\nwant line %d %q %q ct %v/%v %v",
				i, g.Line, g.Barcode, g.Outcome, g.CtORF1ab, g.CtN, g.Observed, w.line, w.barcode, w.outcome, w.orf, w.n, w.observed)
		}
		if !g.Observed.IsZero() && g.Observed.Location() != time.UTC {
			t.Errorf("row %d: Observed %v is not UTC", i, g.Observed)
		}
		switch {
		case w.code == "" && g.Err != nil:
			t.Errorf("row %d: unexpected error %+v", i, *g.Err)
		case w.code != "" && g.Err == nil:
			t.Errorf("row %d: no error, want %s", i, w.code)
		case w.code != "" && (g.Err.Code != w.code || g.Err.Field != w.field):
			t.Errorf("row %d: error %+v, want %s at %q", i, *g.Err, w.code, w.field)
		}
		if g.Err != nil && g.Err.Message == "" {
			t.Errorf("row %d: error %s has no message", i, g.Err.Code)
		}
		if w.raw != "" && g.Raw != w.raw {
			t.Errorf("row %d: Raw = %q, want %q", i, g.Raw, w.raw)
		}
	}
}

func dump(rows []Row) string {
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "  %d %q %q %v %v %v", r.Line, r.Barcode, r.Outcome, r.CtORF1ab, r.CtN, r.Observed)
		if r.Err != nil {
			fmt.Fprintf(&b, " %+v", *r.Err)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func mustParse(t *testing.T, format string, data []byte) []Row {
	t.Helper()
	rows, err := Parse(format, data)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return rows
}

func TestFormatOf(t *testing.T) {
	tests := []struct {
		contentType string
		want        string
	}{
		{"application/json", JSON},
		{"application/json; charset=utf-8", JSON},
		{"Application/JSON", JSON},
		{"text/csv", CSV},
		{"text/csv; charset=UTF-8; header=present", CSV},
		{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", XLSX},
		{"application/hl7-v2", HL7},
		{"application/hl7-v2+er7; charset=utf-8", HL7},
		{"x-application/hl7-v2+er7", HL7},
		{"application/vnd.ms-excel", ""},
		{"text/plain", ""},
		{"application/octet-stream", ""},
		{"", ""},
		{";", ""},
	}
	for _, tt := range tests {
		got, ok := FormatOf(tt.contentType)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("FormatOf(%q) = %q, %v; want %q", tt.contentType, got, ok, tt.want)
		}
	}
}

func TestParseJSON(t *testing.T) {
	array := `[
		{"barcode": "T0001", "result": "positive", "ct_orf1ab": 24.5, "ct_n": "26.1", "time": "2022-04-01T02:30:00Z"},
		{"tube": " T0002 ", "result": "阴性", "time": "2022-04-01 10:30:00", "operator": "张三"},
		{"specimen_id": "T0003", "result": "Not detected", "ct_orf1ab": null, "ct_n": "-", "time": "2022-04-01T10:30:00"},
		{"barcode": "T0004", "result": "POOLED_POSITIVE", "ct_orf1ab": "N/A", "ct_n": "无"},
		{"Barcode": "T0005", "Result": "pooled_negative", "time": "2022-04-01T10:30:00+08:00"},
		{"barcode": 12345678, "result": "无效"}
	]`
	wants := []want{
		{line: 1, barcode: "T0001", outcome: hl7.Positive, orf: 24.5, n: 26.1, observed: cst(2022, 4, 1, 10, 30, 0),
			raw: `{"barcode": "T0001", "result": "positive", "ct_orf1ab": 24.5, "ct_n": "26.1", "time": "2022-04-01T02:30:00Z"}`},
		{line: 2, barcode: "T0002", outcome: hl7.Negative, observed: cst(2022, 4, 1, 10, 30, 0)},
		{line: 3, barcode: "T0003", outcome: hl7.Negative, observed: cst(2022, 4, 1, 10, 30, 0)},
		{line: 4, barcode: "T0004", outcome: hl7.PooledPositive},
		{line: 5, barcode: "T0005", outcome: hl7.PooledNegative, observed: cst(2022, 4, 1, 10, 30, 0)},
		{line: 6, barcode: "12345678", outcome: hl7.Invalid},
	}
	t.Run("array", func(t *testing.T) {
		checkRows(t, mustParse(t, JSON, []byte(array)), wants)
	})
	t.Run("results object", func(t *testing.T) {
		checkRows(t, mustParse(t, JSON, []byte(`{"lab": "X", "results": `+array+`}`)), wants)
	})
	t.Run("empty array", func(t *testing.T) {
		if rows := mustParse(t, JSON, []byte(` [] `)); len(rows) != 0 {
			t.Errorf("got %d rows", len(rows))
		}
	})
}

func TestParseJSONBadRows(t *testing.T) {
	data := `[
		{"barcode": "T0001", "result": "positive"},
		42,
		null,
		{"result": "negative"},
		{"barcode": "T 0005", "result": "negative"},
		{"barcode": "T0006", "result": "maybe"},
		{"barcode": "T0007", "result": ""},
		{"barcode": "T0008", "result": "negative", "ct_orf1ab": "abc"},
		{"barcode": "T0009", "result": "negative", "ct_n": -1},
		{"barcode": "T0010", "result": "negative", "time": "yesterday"},
		{"barcode": {"id": "T0011"}, "result": "negative"},
		{"barcode": "T0012", "result": true},
		{"tube": "T0013", "result": "negative"}
	]`
	checkRows(t, mustParse(t, JSON, []byte(data)), []want{
		{line: 1, barcode: "T0001", outcome: hl7.Positive},
		{line: 2, code: CodeBadRow, raw: "42"},
		{line: 3, code: CodeBadRow, raw: "null"},
		{line: 4, outcome: hl7.Negative, code: CodeMissingBarcode, field: "barcode"},
		{line: 5, barcode: "T 0005", outcome: hl7.Negative},
		{line: 6, barcode: "T0006", code: CodeBadResult, field: "result"},
		{line: 7, barcode: "T0007", code: CodeBadResult, field: "result"},
		{line: 8, barcode: "T0008", outcome: hl7.Negative, code: CodeBadCt, field: "ct_orf1ab"},
		{line: 9, barcode: "T0009", outcome: hl7.Negative, code: CodeBadCt, field: "ct_n"},
		{line: 10, barcode: "T0010", outcome: hl7.Negative, code: CodeBadTime, field: "time"},
		{line: 11, outcome: hl7.Negative, code: CodeBadBarcode, field: "barcode"},
		{line: 12, barcode: "T0012", code: CodeBadResult, field: "result"},
		{line: 13, barcode: "T0013", outcome: hl7.Negative},
	})
}

func TestParseCSV(t *testing.T) {
	tests := []struct {
		name  string
		data  string
		wants []want
	}{
		{
			name: "English headings",
			data: "barcode,result,ct_orf1ab,ct_n,time\n" +
				"T0001,positive,24.5,26.1,2022-04-01 10:30:00\n" +
				"T0002,negative,,,2022-04-01T02:30:00Z\n",
			wants: []want{
				{line: 2, barcode: "T0001", outcome: hl7.Positive, orf: 24.5, n: 26.1, observed: cst(2022, 4, 1, 10, 30, 0), raw: "T0001,positive,24.5,26.1,2022-04-01 10:30:00"},
				{line: 3, barcode: "T0002", outcome: hl7.Negative, observed: cst(2022, 4, 1, 10, 30, 0)},
			},
		},
		{
			// A UTF-8 export from Excel: BOM, CRLF, a title row and a blank
			// line above the header, the columns in the lab's order, rows of
			// empty cells, a short row, quoted text.
			name: "Chinese lab export",
			data: "\uFEFF某某医学检验实验室核酸检测结果,,,,,\r\n" +
				"\r\n" +
				"序号,试管条码,ORF1ab基因Ct值,N基因Ct值,检测结果,报告时间\r\n" +
				"1,T0001,24.5,26.1,阳性,2022/4/1 10:30\r\n" +
				"2,T0002,-,无,阴性,2022-04-01 10:31:05\r\n" +
				",,,,,\r\n" +
				"3,\"T0003\",N/A,,\"混管阴性\"\r\n" +
				"4,T0004\r\n",
			wants: []want{
				{line: 4, barcode: "T0001", outcome: hl7.Positive, orf: 24.5, n: 26.1, observed: cst(2022, 4, 1, 10, 30, 0)},
				{line: 5, barcode: "T0002", outcome: hl7.Negative, observed: cst(2022, 4, 1, 10, 31, 5)},
				{line: 7, barcode: "T0003", outcome: hl7.PooledNegative, raw: `3,"T0003",N/A,,"混管阴性"`},
				{line: 8, barcode: "T0004", code: CodeBadResult, field: "检测结果"},
			},
		},
		{
			name: "heading aliases and case",
			data: "Tube , RESULT,ORF1ab Ct,N Ct,Result_Time\nT0001,Detected,30,31.5,2022-04-01T10:30:00+08:00\n",
			wants: []want{
				{line: 2, barcode: "T0001", outcome: hl7.Positive, orf: 30, n: 31.5, observed: cst(2022, 4, 1, 10, 30, 0)},
			},
		},
		{
			name: "tab separated",
			data: "条码\t结果\tN基因\nT0001\t阳性\t28\n",
			wants: []want{
				{line: 2, barcode: "T0001", outcome: hl7.Positive, n: 28},
			},
		},
		{
			name: "header only",
			data: "条码号,检测结果\n\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkRows(t, mustParse(t, CSV, []byte(tt.data)), tt.wants)
		})
	}
}

func TestParseCSVBadRows(t *testing.T) {
	data := "条码,结果,ORF1ab,N基因,检测时间\n" +
		"T0001,阳性,20,21,2022-04-01 10:30:00\n" +
		",阴性,,,\n" +
		"T0003,阴,,,\n" +
		"T0004,阴性,二十,,\n" +
		"T0005,阴性,,NaN,\n" +
		"T0006,阴性,,,2022-13-01 10:30:00\n" +
		"T0007,阴性,,,2022-04-01 10:30:00 extra\n" +
		"T\"0008,阴性\n" +
		"T0009,可疑,35,,\n" +
		"T0010,阴性,,,\n"
	checkRows(t, mustParse(t, CSV, []byte(data)), []want{
		{line: 2, barcode: "T0001", outcome: hl7.Positive, orf: 20, n: 21, observed: cst(2022, 4, 1, 10, 30, 0)},
		{line: 3, outcome: hl7.Negative, code: CodeMissingBarcode, field: "条码"},
		{line: 4, barcode: "T0003", code: CodeBadResult, field: "结果"},
		{line: 5, barcode: "T0004", outcome: hl7.Negative, code: CodeBadCt, field: "ORF1ab"},
		{line: 6, barcode: "T0005", outcome: hl7.Negative, code: CodeBadCt, field: "N基因"},
		{line: 7, barcode: "T0006", outcome: hl7.Negative, code: CodeBadTime, field: "检测时间"},
		{line: 8, barcode: "T0007", outcome: hl7.Negative, code: CodeBadTime, field: "检测时间"},
		{line: 9, code: CodeBadRow, raw: "T\"0008,阴性"},
		{line: 10, barcode: "T0009", orf: 35, code: CodeBadResult, field: "结果"},
		{line: 11, barcode: "T0010", outcome: hl7.Negative},
	})
}

func TestParseFileErrors(t *testing.T) {
	tests := []struct {
		name   string
		format string
		data   string
		code   string
	}{
		{"unknown format", "text/plain", "x", CodeUnsupportedFormat},
		{"empty CSV", CSV, "", CodeEmpty},
		{"blank CSV", CSV, "\uFEFF \r\n\n", CodeEmpty},
		{"CSV of empty cells", CSV, ",,,\n,,\n", CodeEmpty},
		{"GBK CSV", CSV, "\xcc\xf5\xc2\xeb,\xbd\xe1\xb9\xfb\nT0001,\xd1\xf4\xd0\xd4\n", CodeEncoding},
		{"no barcode column", CSV, "姓名,结果\n张三,阴性\n", CodeNoBarcodeColumn},
		{"header too far down", CSV, strings.Repeat("title\n", maxTitleRows+1) + "条码,结果\n", CodeNoBarcodeColumn},
		{"no result column", CSV, "条码,ORF1ab\nT0001,20\n", CodeNoResultColumn},
		{"empty JSON", JSON, "  ", CodeEmpty},
		{"JSON string", JSON, `"results"`, CodeBadJSON},
		{"JSON syntax", JSON, `[{"barcode": "T1"`, CodeBadJSON},
		{"JSON object without results", JSON, `{"barcode": "T1", "result": "阴性"}`, CodeBadJSON},
		{"JSON results not an array", JSON, `{"results": {"barcode": "T1"}}`, CodeBadJSON},
		{"not an xlsx", XLSX, "条码,结果\nT0001,阴性\n", CodeBadXLSX},
		{"empty xlsx", XLSX, "", CodeEmpty},
		{"HL7 without MSH", HL7, "条码,结果\nT0001,阴性\n", CodeNoHL7Message},
		{"HL7 envelope only", HL7, "FHS|^~\\&|X\nBHS|^~\\&|X\nBTS|0\nFTS|1\n", CodeNoHL7Message},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := Parse(tt.format, []byte(tt.data))
			var e *cordon.Error
			if !errors.As(err, &e) {
				t.Fatalf("got rows %v, error %v; want a *cordon.Error", rows, err)
			}
			if e.Code != tt.code || e.Kind != cordon.KindInvalid || e.Message == "" {
				t.Errorf("error = %s (%v) %q, want %s", e.Code, e.Kind, e.Message, tt.code)
			}
		})
	}
}

func TestOutcomeWords(t *testing.T) {
	tests := []struct {
		word string
		want hl7.Outcome // "" when not recognised
	}{
		{"positive", hl7.Positive}, {"POSITIVE", hl7.Positive}, {"Detected", hl7.Positive}, {"阳性", hl7.Positive}, {"阳性（+）", hl7.Positive},
		{"negative", hl7.Negative}, {"NEGATIVE", hl7.Negative}, {"Not detected", hl7.Negative}, {"NOT_DETECTED", hl7.Negative},
		{"not  detected", hl7.Negative}, {"阴性", hl7.Negative}, {"阴性(-)", hl7.Negative}, {"未检出", hl7.Negative},
		{"pooled_positive", hl7.PooledPositive}, {"Pooled Positive", hl7.PooledPositive}, {"混管阳性", hl7.PooledPositive},
		{"pooled_negative", hl7.PooledNegative}, {"混采阴性", hl7.PooledNegative},
		{"invalid", hl7.Invalid}, {"INVALID", hl7.Invalid}, {"无效", hl7.Invalid},
		{"可疑", ""}, {"unknown", ""}, {"+", ""}, {"阳", ""},
	}
	for _, tt := range tests {
		got, ok := parseOutcome(tt.word)
		if ok != (tt.want != "") || got != tt.want {
			t.Errorf("parseOutcome(%q) = %q, %v; want %q", tt.word, got, ok, tt.want)
		}
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time // zero when the text is not a time
	}{
		{"2022-04-01 10:30:00", cst(2022, 4, 1, 10, 30, 0)},
		{"2022-04-01 10:30:00.250", cst(2022, 4, 1, 10, 30, 0).Add(250 * time.Millisecond)},
		{"2022-4-1 9:05:00", cst(2022, 4, 1, 9, 5, 0)},
		{"2022-04-01T10:30:00", cst(2022, 4, 1, 10, 30, 0)},
		{"2022/04/01 10:30:00", cst(2022, 4, 1, 10, 30, 0)},
		{"2022/4/1 10:30", cst(2022, 4, 1, 10, 30, 0)},
		{"2022-04-01 10:30", cst(2022, 4, 1, 10, 30, 0)},
		{"2022-04-01", cst(2022, 4, 1, 0, 0, 0)},
		{"2022-04-01T02:30:00Z", cst(2022, 4, 1, 10, 30, 0)},
		{"2022-04-01T10:30:00+08:00", cst(2022, 4, 1, 10, 30, 0)},
		{"2022-03-31T21:30:00-05:00", cst(2022, 4, 1, 10, 30, 0)},
		{"2022-04-01 10:30:00+08:00", cst(2022, 4, 1, 10, 30, 0)},
		{"2022-04-01 10:30:00+08", time.Time{}},
		{"2022-02-30 10:30:00", time.Time{}},
		{"01/04/2022 10:30", time.Time{}},
		{"20220401103000", time.Time{}},
		{"44652.4375", time.Time{}}, // an Excel serial only counts in a date cell
		{"yesterday", time.Time{}},
	}
	for _, tt := range tests {
		got, ok := parseTime(tt.in)
		if ok != !tt.want.IsZero() || !got.Equal(tt.want) || ok && got.Location() != time.UTC {
			t.Errorf("parseTime(%q) = %v, %v; want %v", tt.in, got, ok, tt.want)
		}
	}
}

// xlsxFile builds a workbook whose first sheet holds rows; a float64 in the
// time column is written as a date cell, the way Excel stores dates.
func xlsxFile(t *testing.T, date1904 bool, rows ...[]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if date1904 {
		if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &date1904}); err != nil {
			t.Fatal(err)
		}
	}
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 22})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
		for j, v := range r {
			if _, ok := v.(float64); ok && j == 4 {
				cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
				if err := f.SetCellStyle("Sheet1", cell, cell, dateStyle); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	f.NewSheet("第二页") // only the first sheet is read
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestParseXLSX(t *testing.T) {
	// 44652.4375 is 2022-04-01 10:30 in Excel's 1900 date system.
	data := xlsxFile(t, false,
		[]any{"XX检测中心 核酸检测结果"},
		[]any{},
		[]any{"条码", "检测结果", "ORF1ab基因Ct值", "N基因Ct值", "检测时间"},
		[]any{"T0001", "阳性", 24.5, 26, 44652.4375},
		[]any{"T0002", "阴性", "-", nil, "2022-04-01 10:31:00"},
		[]any{},
		[]any{12345678901, "Negative", nil, nil, 44652.0},
		[]any{"T0004", "阴性", "abc"},
		[]any{"T0005", "阴性", nil, nil, -3.0},
		[]any{nil, "阴性"},
	)
	checkRows(t, mustParse(t, XLSX, data), []want{
		{line: 4, barcode: "T0001", outcome: hl7.Positive, orf: 24.5, n: 26, observed: cst(2022, 4, 1, 10, 30, 0),
			raw: "T0001\t阳性\t24.5\t26\t2022-04-01 10:30:00"},
		{line: 5, barcode: "T0002", outcome: hl7.Negative, observed: cst(2022, 4, 1, 10, 31, 0)},
		{line: 7, barcode: "12345678901", outcome: hl7.Negative, observed: cst(2022, 4, 1, 0, 0, 0)},
		{line: 8, barcode: "T0004", outcome: hl7.Negative, code: CodeBadCt, field: "ORF1ab基因Ct值"},
		{line: 9, barcode: "T0005", outcome: hl7.Negative, code: CodeBadTime, field: "检测时间"},
		{line: 10, outcome: hl7.Negative, code: CodeMissingBarcode, field: "条码"},
	})
}

func TestParseXLSXDate1904(t *testing.T) {
	// The same instant as above, counted from 1904 as old Mac workbooks do.
	data := xlsxFile(t, true,
		[]any{"条码", "检测结果", "ORF1ab基因Ct值", "N基因Ct值", "检测时间"},
		[]any{"T0001", "阳性", nil, nil, 44652.4375 - 1462},
	)
	checkRows(t, mustParse(t, XLSX, data), []want{
		{line: 2, barcode: "T0001", outcome: hl7.Positive, observed: cst(2022, 4, 1, 10, 30, 0)},
	})
}

func TestWriteXLSXRoundTrip(t *testing.T) {
	rows := []Row{
		{Barcode: "T0001", Outcome: hl7.Positive, CtORF1ab: 24.5, CtN: 26.25, Observed: cst(2022, 4, 1, 10, 30, 15)},
		{Barcode: "T0002", Outcome: hl7.Negative, Observed: time.Date(2022, 4, 1, 23, 59, 59, 0, time.UTC)},
		{Barcode: "T0003", Outcome: hl7.PooledPositive, CtORF1ab: 33},
		{Barcode: "T0004", Outcome: hl7.PooledNegative},
		{Barcode: "T0005", Outcome: hl7.Invalid, Observed: cst(2022, 4, 2, 0, 0, 0)},
		{Barcode: "T0006", Outcome: hl7.Unknown},
	}
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, rows); err != nil {
		t.Fatal(err)
	}
	got := mustParse(t, XLSX, buf.Bytes())
	var wants []want
	for i, r := range rows {
		w := want{line: i + 2, barcode: r.Barcode, outcome: r.Outcome, orf: r.CtORF1ab, n: r.CtN, observed: r.Observed}
		if r.Outcome == hl7.Unknown {
			w.outcome, w.code, w.field = "", CodeBadResult, "检测结果"
		}
		wants = append(wants, w)
	}
	checkRows(t, got, wants)
}

func TestParseHL7Testdata(t *testing.T) {
	tests := []struct {
		file  string
		wants []want
	}{
		{"sample_IL_20240802-0001.hl7", []want{
			{line: 1, barcode: "0bab3f94-feb4-4915-939d-1adc5da201f3", outcome: hl7.Positive, observed: time.Date(2024, 6, 5, 18, 39, 58, 0, time.UTC)},
		}},
		{"FLFHospital-SARSCOV2-20200317-0001.hl7", []want{
			{line: 1, barcode: "2107662558", outcome: hl7.Negative, observed: cst(2021, 3, 17, 11, 50, 59)}, // no offset: the sender's local time, China's here
		}},
		{"CA-20211001-sully.hl7", []want{
			{line: 1, barcode: "445c148beb2f4a", outcome: hl7.Positive, observed: cst(2021, 1, 11, 0, 0, 0)},
		}},
		// Rapid antigen results: read, but not a tube's result.
		{"batch_message.hl7", []want{
			{line: 1, barcode: "0cba76f5-35e0-4a28-803a-2f31308aae9b", outcome: hl7.Negative, observed: time.Date(2021, 2, 9, 6, 0, 0, 0, time.UTC),
				code: CodeNotNucleicAcid, field: "OBX-3"},
			{line: 2, barcode: "b518ef23-1d9a-40c1-ac4b-ed7b438dfc4b", outcome: hl7.Negative, observed: time.Date(2021, 2, 9, 6, 0, 0, 0, time.UTC),
				code: CodeNotNucleicAcid, field: "OBX-3"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rows := mustParse(t, HL7, readTestdata(t, tt.file))
			checkRows(t, rows, tt.wants)
			for _, r := range rows {
				if !strings.HasPrefix(r.Raw, "MSH|") || strings.Contains(r.Raw, "BHS|") {
					t.Errorf("line %d: Raw is not the message: %.40q", r.Line, r.Raw)
				}
			}
		})
	}
	// Every sample, including any added later, reads without failing.
	files, err := filepath.Glob(filepath.Join(testdata, "*.hl7"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no samples in %s: %v", testdata, err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if rows, err := Parse(HL7, data); err != nil || len(rows) == 0 {
			t.Errorf("%s: %d rows, %v", filepath.Base(name), len(rows), err)
		}
	}
}

const msh = "MSH|^~\\&|LAB|F|||20240101||ORU^R01^ORU_R01|%d|P|2.5.1\rPID|1||P1||Li^Lei\r"

func TestParseHL7Batch(t *testing.T) {
	good := fmt.Sprintf(msh, 1) +
		"OBR|1||T0001|94531-1^Panel^LN\r" +
		"OBX|1|CWE|94500-6^RNA^LN||260373001^Detected^SCT||||||F|||20220401103000+0800\r" +
		"OBX|2|NM|ORF^ORF1ab Ct value^L||24.5\r" +
		"OBX|3|NM|NCT^N gene cycle threshold^L||26\r"
	brokenHeader := "MSH|^~|LAB|F|||20240101||ORU^R01|2|P|2.5.1\rPID|1||P2\r"
	brokenSegment := fmt.Sprintf(msh, 3) + "OBR|1||T0003\rBAD!|x\r"
	notReport := "MSH|^~\\&|LAB|F|||20240101||ADT^A01|4|P|2.5.1\r"
	noResult := fmt.Sprintf(msh, 5) + "OBR|1||T0005|94531-1^Panel^LN\rOBX|1|NM|30525-0^Age^LN||34\r"
	unreadable := fmt.Sprintf(msh, 6) + "OBR|1||T0006\rOBX|1|ST|94500-6^RNA^LN||see note\r"
	noSpecimen := fmt.Sprintf(msh, 7) + "OBR|1\rOBX|1|ST|94500-6^RNA^LN||NEGATIVE\r"
	twoOrders := fmt.Sprintf(msh, 8) +
		"ORC|RE\rOBR|1||T0008A\rOBX|1|ST|94500-6^RNA^LN||NEGATIVE\r" +
		"ORC|RE\rOBR|2||T0008B\rOBX|1|ST|94500-6^RNA^LN||POSITIVE\r"
	data := "FHS|^~\\&|SENDER\rBHS|^~\\&|SENDER\r" + good + brokenHeader + brokenSegment + notReport + noResult + unreadable +
		noSpecimen + twoOrders + "BTS|8\rFTS|1\r"

	rows := mustParse(t, HL7, []byte(data))
	checkRows(t, rows, []want{
		{line: 1, barcode: "T0001", outcome: hl7.Positive, orf: 24.5, n: 26, observed: cst(2022, 4, 1, 10, 30, 0), raw: strings.TrimSuffix(good, "\r")},
		{line: 2, code: CodeHL7Parse, field: "MSH-2", raw: strings.TrimSuffix(brokenHeader, "\r")},
		{line: 3, code: CodeHL7Parse, field: "segment 4"},
		{line: 4, code: CodeNoResult, field: "MSH-9"},
		{line: 5, code: CodeNoResult, field: "OBX"},
		{line: 6, barcode: "T0006", code: CodeBadResult, field: "OBX-5"},
		{line: 7, outcome: hl7.Negative, code: CodeMissingBarcode, field: "SPM-2"},
		{line: 8, barcode: "T0008A", outcome: hl7.Negative},
		{line: 8, barcode: "T0008B", outcome: hl7.Positive},
	})
	if msg := rows[1].Err.Message; !strings.Contains(msg, "encoding characters") {
		t.Errorf("message = %q, want the parser's reason", msg)
	}
}

// FuzzParse feeds every format arbitrary bytes: Parse must not panic, must
// fail only with a file error, and every row it calls good must be usable.
func FuzzParse(f *testing.F) {
	formats := []string{JSON, CSV, XLSX, HL7}
	f.Add(uint8(0), []byte(`[{"barcode":"T1","result":"阳性","ct_orf1ab":"24.5","time":"2022-04-01 10:30:00"},42,{"tube":{}}]`))
	f.Add(uint8(0), []byte(`{"results":[{"Barcode":"T1","Result":"pooled_negative","ct_n":null,"time":"2022-04-01T10:30:00+08:00"}]}`))
	f.Add(uint8(1), []byte("\uFEFF标题\n条码,检测结果,ORF1ab,N基因,检测时间\nT1,阳性,20,-,2022/4/1 10:30\n,,\nT\"2,阴性\n"))
	f.Add(uint8(1), []byte("barcode\tresult\ttime\nT1\tNot detected\t2022-04-01T10:30:00Z\n"))
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, []Row{{Barcode: "T1", Outcome: hl7.Positive, CtN: 20, Observed: cst(2022, 4, 1, 10, 30, 0)}}); err != nil {
		f.Fatal(err)
	}
	f.Add(uint8(2), buf.Bytes())
	for _, name := range []string{"sample_IL_20240802-0001.hl7", "CA-20211001-sully.hl7", "batch_message.hl7"} {
		f.Add(uint8(3), readTestdata(f, name))
	}
	f.Add(uint8(3), []byte("MSH|^~|X\rMSH|^~\\&|A|B|||1||ORU^R01|1|P|2.5.1\rOBR|1||T1\rOBX|1|ST|94500-6^RNA^LN||NEG\r"))
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		rows, err := Parse(formats[int(which)%len(formats)], data)
		if err != nil {
			var e *cordon.Error
			if !errors.As(err, &e) || !strings.HasPrefix(e.Code, "labfile.") || rows != nil {
				t.Fatalf("error %T %v with %d rows", err, err, len(rows))
			}
			return
		}
		for _, r := range rows {
			if r.Line < 1 {
				t.Errorf("row line %d", r.Line)
			}
			if r.Err != nil {
				if !strings.HasPrefix(r.Err.Code, "labfile.") || r.Err.Message == "" {
					t.Errorf("row error %+v", *r.Err)
				}
				continue
			}
			if r.Barcode == "" || r.Barcode != strings.TrimSpace(r.Barcode) || r.CtORF1ab < 0 || r.CtN < 0 || !r.Observed.IsZero() && r.Observed.Location() != time.UTC {
				t.Errorf("good row %+v", r)
			}
			switch r.Outcome {
			case hl7.Positive, hl7.Negative, hl7.PooledPositive, hl7.PooledNegative, hl7.Invalid:
			default:
				t.Errorf("good row with outcome %q", r.Outcome)
			}
		}
	})
}

// benchRows makes n results of a day's run.
func benchRows(n int) []Row {
	outcomes := []hl7.Outcome{hl7.Negative, hl7.Negative, hl7.Negative, hl7.PooledNegative, hl7.Positive, hl7.Invalid}
	start := cst(2022, 4, 1, 8, 0, 0)
	rows := make([]Row, n)
	for i := range rows {
		rows[i] = Row{
			Barcode:  fmt.Sprintf("T%010d", i),
			Outcome:  outcomes[i%len(outcomes)],
			Observed: start.Add(time.Duration(i) * time.Second),
		}
		if rows[i].Outcome == hl7.Positive {
			rows[i].CtORF1ab, rows[i].CtN = 24.5, 26.25
		}
	}
	return rows
}

const benchRowCount = 100_000

func BenchmarkParseCSV(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("\uFEFF条码,检测结果,ORF1ab基因Ct值,N基因Ct值,检测时间\r\n")
	words := map[hl7.Outcome]string{hl7.Negative: "阴性", hl7.PooledNegative: "混管阴性", hl7.Positive: "阳性", hl7.Invalid: "无效"}
	for _, r := range benchRows(benchRowCount) {
		fmt.Fprintf(&buf, "%s,%s,%v,%v,%s\r\n", r.Barcode, words[r.Outcome], r.CtORF1ab, r.CtN, r.Observed.In(time.FixedZone("UTC+8", 8*60*60)).Format(time.DateTime))
	}
	benchmarkParse(b, CSV, buf.Bytes())
}

func BenchmarkParseXLSX(b *testing.B) {
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, benchRows(benchRowCount)); err != nil {
		b.Fatal(err)
	}
	benchmarkParse(b, XLSX, buf.Bytes())
}

func benchmarkParse(b *testing.B, format string, data []byte) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		rows, err := Parse(format, data)
		if err != nil || len(rows) != benchRowCount || rows[0].Err != nil {
			b.Fatalf("%d rows, %v", len(rows), err)
		}
	}
	b.ReportMetric(float64(b.N*benchRowCount)/b.Elapsed().Seconds(), "rows/s")
}

func TestRedact(t *testing.T) {
	in := "MSH|^~\\&|LIS\rPID|1||45102419900101002X^^^^PI||韦^某||19900101|F|||德保县^13812345678\rOBR|1||T1\r" +
		"T2,阳性,45102419900101002X,13812345678\n"
	got := Redact(in)
	for _, gone := range []string{"45102419900101002X", "13812345678", "韦", "19900101|F"} {
		if strings.Contains(got, gone) {
			t.Errorf("Redact kept %q: %q", gone, got)
		}
	}
	for _, kept := range []string{"MSH|^~\\&|LIS\r", "PID|1|(redacted)\r", "OBR|1||T1\r", "T2,阳性,"} {
		if !strings.Contains(got, kept) {
			t.Errorf("Redact lost %q: %q", kept, got)
		}
	}
}

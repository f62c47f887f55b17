package linelist

import (
	"bytes"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"cordon"
)

// What the export writes, the import reads: every heading, every word.
func TestReadWhatWriteCasesWrites(t *testing.T) {
	for _, format := range []string{CSV, XLSX} {
		t.Run(format, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteCases(&b, format, sample(), place); err != nil {
				t.Fatal(err)
			}
			tab, err := Read(format, b.Bytes(), CaseColumns)
			if err != nil {
				t.Fatal(err)
			}
			if len(tab.Rows) != 1 {
				t.Fatalf("rows: %+v", tab.Rows)
			}
			r := tab.Rows[0]
			want := map[string]string{"name": "韦某", "id_number": "4510**********002X", "classification": "确诊病例", "severity": "轻型",
				"onset_date": "2022-02-03", "variant": "Omicron", "lineage": "BA.1", "origin": "本土", "jurisdiction": "德保县",
				"detected_at": "2022-02-04 06:00", "phone": ""}
			for k, v := range want {
				if got := r.Value(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if r.Line != 2 || r.Err != nil || r.Heading("classification") != "病例分类" || r.Heading("phone") != "手机号码" {
				t.Errorf("row %d %v %q %q", r.Line, r.Err, r.Heading("classification"), r.Heading("phone"))
			}
			if Code(r.Value("classification")) != "confirmed" || Code(r.Value("severity")) != "mild" || Code(r.Value("origin")) != "local" {
				t.Errorf("words: %s %s %s", Code(r.Value("classification")), Code(r.Value("severity")), Code(r.Value("origin")))
			}
		})
	}
	// Every heading the export writes is read, except the case's own
	// number and its report time.
	for _, h := range CaseHeadings {
		known := h == "病例编号" || h == "报告时间"
		for _, c := range CaseColumns {
			known = known || c.Headings[0] == h
		}
		if !known {
			t.Errorf("the export's heading %s is not read", h)
		}
	}
}

func TestReadCSV(t *testing.T) {
	cases := []struct {
		name, file string
		code       string // of the file's error
		rows       int
		check      func(t *testing.T, tab *Table)
	}{
		{name: "English headings in another order, a title row, a blank line and a blank row",
			file: "Cases of Debao\n\nClassification,ID Number,NAME,Onset date\nasymptomatic,451024199001011234,Wei,\n,,,\nconfirmed,\"45102419900101123X\",Huang,2022/2/3\n",
			rows: 2, check: func(t *testing.T, tab *Table) {
				r := tab.Rows[1]
				if r.Line != 6 || r.Value("name") != "Huang" || r.Value("id_number") != "45102419900101123X" || r.Heading("name") != "NAME" || r.Value("hospital") != "" {
					t.Errorf("row: %d %q %q %q", r.Line, r.Value("name"), r.Value("id_number"), r.Heading("name"))
				}
				if d, ok := Date(r.Value("onset_date")); !ok || d != "2022-02-03" {
					t.Errorf("date %q %v", d, ok)
				}
			}},
		{name: "tab separated", file: "姓名\t证件号码\t病例分类\n韦某\t451024199001011234\t疑似\n", rows: 1, check: func(t *testing.T, tab *Table) {
			if Code(tab.Rows[0].Value("classification")) != "suspected" {
				t.Errorf("row: %+v", tab.Rows[0])
			}
		}},
		{name: "a line that is not CSV among good ones", file: "姓名,证件号码,病例分类\n韦某,1,确诊\n\"黄,2,确诊\n", rows: 1, check: func(t *testing.T, tab *Table) {
			if cordon.ErrorCode(tab.Rows[len(tab.Rows)-1].Err) != CodeBadRow {
				t.Errorf("rows: %+v", tab.Rows)
			}
		}},
		{name: "a short row", file: "姓名,证件号码,病例分类,收治医院\n韦某,1\n", rows: 1, check: func(t *testing.T, tab *Table) {
			if r := tab.Rows[0]; r.Value("id_number") != "1" || r.Value("classification") != "" || r.Value("hospital") != "" {
				t.Errorf("row: %+v", r)
			}
		}},
		{name: "empty", file: "\uFEFF \n", code: CodeEmpty},
		{name: "blank rows only", file: ",,\n,,\n", code: CodeEmpty},
		{name: "headings only", file: "姓名,证件号码,病例分类\n", code: CodeNoRows},
		{name: "a required column missing", file: "姓名,证件号码,发病日期\n韦某,1,2022-02-03\n", code: CodeMissingColumn},
		{name: "no headings", file: "a,b\n1,2\n3,4\n5,6\n7,8\n9,10\n11,12\n13,14\n15,16\n17,18\n19,20\n21,22\n", code: CodeNoHeadings},
		{name: "GBK", file: "\xd0\xd5\xc3\xfb,x\n", code: CodeEncoding},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tab, err := Read(CSV, []byte(c.file), CaseColumns)
			if c.code != "" {
				if cordon.ErrorCode(err) != c.code || cordon.ErrorKind(err) != cordon.KindInvalid {
					t.Fatalf("got %v, want %s", err, c.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(tab.Rows) < c.rows {
				t.Fatalf("rows: %+v", tab.Rows)
			}
			c.check(t, tab)
		})
	}
	if _, err := Read(CSV, []byte("姓名,证件号码,发病日期\n韦某,1,2022-02-03\n"), CaseColumns); cordon.ErrorCode(err) != CodeMissingColumn {
		t.Fatal(err)
	} else if e := err.(*cordon.Error); e.Fields["classification"] != CodeMissingColumn {
		t.Errorf("the missing column is named: %+v", e.Fields)
	}
	if _, err := Read("pdf", []byte("x"), CaseColumns); cordon.ErrorCode(err) != CodeFormat {
		t.Errorf("pdf: %v", err)
	}
}

// A workbook made by hand: a title row, dates as date cells, an ID number
// typed as a number (which Excel keeps to 15 digits).
func TestReadXLSX(t *testing.T) {
	f := excelize.NewFile()
	sheet := f.GetSheetName(0)
	style, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	set := func(cell string, v any) {
		if err := f.SetCellValue(sheet, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	set("A1", "德保县病例一览表")
	for i, h := range []string{"姓名", "证件号码", "病例分类", "发病日期", "发现时间"} {
		cell, _ := excelize.CoordinatesToCellName(i+1, 3)
		set(cell, h)
	}
	set("A4", "韦某")
	set("B4", 451024199001011234.0) // as Excel keeps it: a float
	set("C4", "确诊病例")
	set("D4", time.Date(2022, 2, 3, 0, 0, 0, 0, time.UTC))
	set("E4", time.Date(2022, 2, 4, 6, 30, 0, 0, time.UTC))
	_ = f.SetCellStyle(sheet, "D4", "E4", style)
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	tab, err := Read(XLSX, b.Bytes(), CaseColumns)
	if err != nil {
		t.Fatal(err)
	}
	r := tab.Rows[0]
	if r.Line != 4 || r.Value("onset_date") != "2022-02-03" || r.Value("detected_at") != "2022-02-04 06:30:00" || r.Value("id_number") == "451024199001011234" {
		t.Errorf("row %d: %q %q %q", r.Line, r.Value("onset_date"), r.Value("detected_at"), r.Value("id_number"))
	}
	if _, err := Read(XLSX, []byte("姓名,证件号码,病例分类\n"), CaseColumns); cordon.ErrorCode(err) != CodeBadXLSX {
		t.Errorf("CSV as XLSX: %v", err)
	}
}

func TestValues(t *testing.T) {
	for in, want := range map[string]string{"2022-02-03": "2022-02-03", "2022/2/3": "2022-02-03", "2022年2月3日": "2022-02-03",
		"20220203": "2022-02-03", "2022-02-03 00:00:00": "2022-02-03", "3/2/2022": "", "": ""} {
		if got, ok := Date(in); got != want || ok != (want != "") {
			t.Errorf("Date(%q) = %q %v", in, got, ok)
		}
	}
	want := time.Date(2022, 2, 3, 22, 0, 0, 0, time.UTC)
	for _, in := range []string{"2022-02-04 06:00", "2022/2/4 06:00:00", "2022-02-03T22:00:00Z", "2022-02-04T06:00:00+08:00"} {
		if got, ok := Time(in); !ok || !got.Equal(want) {
			t.Errorf("Time(%q) = %v %v", in, got, ok)
		}
	}
	if _, ok := Time("yesterday"); ok {
		t.Error("a word is not a time")
	}
	for in, want := range map[string]string{"确诊病例": "confirmed", "Confirmed": "confirmed", "无症状": "asymptomatic", "境外输入": "imported",
		"治愈": "recovered", "危重型": "critical", "护照": "passport", "maybe": "maybe"} {
		if got := Code(in); got != want {
			t.Errorf("Code(%q) = %q", in, got)
		}
	}
	for ct, want := range map[string]string{"text/csv; charset=utf-8": CSV, ContentType(XLSX): XLSX, "application/vnd.ms-excel": "", "application/pdf": ""} {
		if got, ok := FormatOf(ct); got != want || ok != (want != "") {
			t.Errorf("FormatOf(%q) = %q", ct, got)
		}
	}
	for name, want := range map[string]string{"cases.CSV": CSV, "病例.xlsx": XLSX, "cases.xls": "", "x.pdf": ""} {
		if got, ok := FormatOfName(name); got != want || ok != (want != "") {
			t.Errorf("FormatOfName(%q) = %q", name, got)
		}
	}
}

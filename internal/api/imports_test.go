package api_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"cordon/internal/app"
	"cordon/internal/linelist"
)

// caseRows is a case line list of n Debao persons sampled yesterday, every
// tenth row with a classification no one knows.
func caseRows(n int) string {
	yesterday := time.Now().AddDate(0, 0, -1).Format(time.DateOnly)
	var b strings.Builder
	b.WriteString("name,id_number,classification,sampling_date\n")
	for i := range n {
		class := "asymptomatic"
		if i%10 == 9 {
			class = "unknown"
		}
		fmt.Fprintf(&b, "Wei %d,%s,%s,%s\n", i, citizenID(fmt.Sprintf("4510241980010%d%03d", 1+i/1000, i%1000)), class, yesterday)
	}
	return b.String()
}

type importDetail struct {
	app.ImportJob
	Errors struct {
		Items []app.ImportError `json:"items"`
		Next  string            `json:"next_cursor"`
	} `json:"errors"`
}

func TestImportAPI(t *testing.T) {
	f := newFixture(t)
	tok := f.token("debao")

	// A small file is imported before the answer: 201 and the outcome.
	var job app.ImportJob
	resp := f.post("/api/v1/imports?kind=cases&name=small.csv", tok, "text/csv; charset=utf-8", []byte(caseRows(10)), &job)
	if resp.StatusCode != 201 || job.Status != "done" || job.Stored != 9 || job.Failed != 1 || job.FileName != "small.csv" ||
		resp.Header.Get("Location") != fmt.Sprintf("/api/v1/imports/%d", job.ID) {
		t.Fatalf("small: %d %+v %q", resp.StatusCode, job, resp.Header.Get("Location"))
	}

	// A workbook of 600 rows from a form: 202, then the job runs on.
	var rows [][]string
	for _, line := range strings.Split(strings.TrimSpace(caseRows(610)), "\n")[11:] {
		rows = append(rows, strings.Split(line, ","))
	}
	var xlsx bytes.Buffer
	{
		var form bytes.Buffer
		if err := writeXLSX(&xlsx, rows); err != nil {
			t.Fatal(err)
		}
		mw := multipart.NewWriter(&form)
		fw, _ := mw.CreateFormFile("file", "big.xlsx")
		fw.Write(xlsx.Bytes())
		mw.Close()
		resp = f.post("/api/v1/imports?kind=cases", tok, mw.FormDataContentType(), form.Bytes(), &job)
	}
	if resp.StatusCode != 202 || job.Status != "running" || job.Total != 600 || job.FileName != "big.xlsx" || job.Format != linelist.XLSX {
		t.Fatalf("big: %d %+v", resp.StatusCode, job)
	}
	var d importDetail
	for deadline := time.Now().Add(5 * time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if r := f.do("GET", fmt.Sprintf("/api/v1/imports/%d?limit=50", job.ID), tok, nil, &d); r.StatusCode != 200 {
			t.Fatalf("get: %d", r.StatusCode)
		}
		if d.Status != "running" || time.Now().After(deadline) {
			break
		}
	}
	if d.Status != "done" || d.Done != 600 || d.Stored != 540 || d.Failed != 60 || len(d.Errors.Items) != 50 || d.Errors.Next == "" ||
		d.Errors.Items[0].Line != 11 || d.Errors.Items[0].Column != "classification" || d.Errors.Items[0].Code != "case.classification_invalid" {
		t.Fatalf("big job: %+v %+v", d.ImportJob, d.Errors.Items[:min(2, len(d.Errors.Items))])
	}
	var rest importDetail
	f.do("GET", fmt.Sprintf("/api/v1/imports/%d?limit=50&cursor=%s", job.ID, d.Errors.Next), tok, nil, &rest)
	if len(rest.Errors.Items) != 10 || rest.Errors.Next != "" || rest.Errors.Items[9].Line != 601 {
		t.Errorf("second page: %+v", rest.Errors)
	}

	var list struct {
		Items []app.ImportJob `json:"items"`
	}
	if r := f.do("GET", "/api/v1/imports", tok, nil, &list); r.StatusCode != 200 || len(list.Items) != 2 || list.Items[0].ID != job.ID {
		t.Errorf("list: %d %+v", r.StatusCode, list)
	}

	// Refused files, refused people.
	for _, c := range []struct {
		name, token, path, contentType string
		body                           []byte
		status                         int
		code                           string
	}{
		{"a PDF", tok, "/api/v1/imports?kind=cases", "application/pdf", []byte("%PDF-1.4"), 415, "import.format"},
		{"empty", tok, "/api/v1/imports?kind=cases", "text/csv", nil, 422, "linelist.empty"},
		{"CSV as XLSX", tok, "/api/v1/imports?kind=cases", linelist.ContentType(linelist.XLSX), []byte(caseRows(1)), 422, "linelist.bad_xlsx"},
		{"no kind", tok, "/api/v1/imports", "text/csv", []byte(caseRows(1)), 422, "import.kind_unknown"},
		{"a commander", f.token("baise"), "/api/v1/imports?kind=cases", "text/csv", []byte(caseRows(1)), 403, "auth.forbidden"},
		{"signed out", "x", "/api/v1/imports?kind=cases", "text/csv", []byte(caseRows(1)), 401, "auth.unauthorized"},
	} {
		var p problem
		if r := f.post(c.path, c.token, c.contentType, c.body, &p); r.StatusCode != c.status || p.Code != c.code {
			t.Errorf("%s: %d %+v", c.name, r.StatusCode, p)
		}
	}
	var p problem
	if r := f.do("GET", fmt.Sprintf("/api/v1/imports/%d", job.ID), f.token("nanningepi"), nil, &p); r.StatusCode != 404 || p.Code != "import.not_found" {
		t.Errorf("another city's epidemiologist: %d %+v", r.StatusCode, p)
	}
}

// writeXLSX writes a workbook of rows under English headings.
func writeXLSX(w io.Writer, rows [][]string) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	head := []any{"name", "id_number", "classification", "sampling_date"}
	if err := f.SetSheetRow(sheet, "A1", &head); err != nil {
		return err
	}
	for i, r := range rows {
		cells := make([]any, len(r))
		for k, c := range r {
			cells[k] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := f.SetSheetRow(sheet, cell, &cells); err != nil {
			return err
		}
	}
	return f.Write(w)
}

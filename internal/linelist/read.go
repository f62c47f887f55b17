package linelist

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"cordon"
)

// Reading. A line list comes back as people exchange it: CSV from any
// spreadsheet (UTF-8, with or without a byte order mark, comma or tab
// separated) or the first sheet of an XLSX workbook, a few title rows
// perhaps above the headings, Chinese or English headings in any order.
// Read finds the heading row, maps each heading to one of the columns the
// caller asks for, and returns every data row with its line number, so that
// an importer can answer each row on its own: a row that cannot be read
// comes back with Err set instead of failing the file. Only a file that
// cannot be read at all (not CSV or XLSX, no heading row, a required column
// missing, no rows) fails as a whole, with a *cordon.Error of kind Invalid
// whose code is one of the Code... constants below.

// Column is a column a line list may have.
type Column struct {
	// Key is how a row handler asks for the value, and the field name that
	// a validation error of the value uses, so that the error can be shown
	// under the file's own heading.
	Key string
	// Headings are the names that mean the column, the one the export
	// writes first. Case, white space, '_' and '-' do not count, so
	// "ID number", "id_number" and "ID-Number" are one heading.
	Headings []string
	// Required columns must be in the file; a file without one is refused.
	Required bool
	// Date marks a date or a time: in a workbook, a number in it is a date
	// serial and is read as the date (and time) Excel shows.
	Date bool
}

// Table is a line list as read: which column of the file holds each of the
// caller's columns, and the data rows.
type Table struct {
	Columns []Column
	// Headings holds, for each of Columns, the heading the file gives it,
	// or "" when the file does not have the column.
	Headings []string
	Rows     []Row
	keys     map[string]int // Column.Key -> index into Columns
}

// Row is one data row of a line list.
type Row struct {
	// Line tells a person where the row is: the line of a CSV file or the
	// row of a sheet as an editor numbers them (the heading row is line 1
	// when it is the first).
	Line int
	// Err is set, as a *cordon.Error, when the row cannot be read at all.
	Err    error
	values []string // one per column of the table
	table  *Table
}

// Value is the row's value of the column with the key, trimmed; "" when the
// file has no such column or the cell is empty.
func (r Row) Value(key string) string {
	if i, ok := r.table.keys[key]; ok && i < len(r.values) {
		return strings.TrimSpace(r.values[i])
	}
	return ""
}

// Heading is what the file calls the column with the key, for pointing a
// person at a cell; the column's first heading when the file lacks it.
func (r Row) Heading(key string) string {
	i, ok := r.table.keys[key]
	switch {
	case !ok:
		return key
	case r.table.Headings[i] != "":
		return r.table.Headings[i]
	}
	return r.table.Columns[i].Headings[0]
}

// Codes of the *cordon.Error that Read returns for a file it cannot read,
// and of Row.Err.
const (
	CodeFormat        = "linelist.format"         // not a format Read takes
	CodeEmpty         = "linelist.empty"          // nothing in the file
	CodeEncoding      = "linelist.encoding"       // CSV that is not UTF-8 (Excel's "CSV" on Chinese Windows is GBK)
	CodeBadXLSX       = "linelist.bad_xlsx"       // not a workbook, or a damaged one
	CodeNoHeadings    = "linelist.no_headings"    // no row of headings near the top
	CodeMissingColumn = "linelist.missing_column" // a required column is missing; Fields names it
	CodeNoRows        = "linelist.no_rows"        // headings and nothing under them
	CodeBadRow        = "linelist.bad_row"        // a line that is not valid CSV, a row the workbook cannot give
)

// FormatOf is the format of an upload from its Content-Type, parameters
// such as charset ignored. application/vnd.ms-excel is not XLSX: it is an
// old .xls file, or a .csv file from a Windows browser.
func FormatOf(contentType string) (string, bool) {
	mediaType, _, _ := strings.Cut(contentType, ";")
	switch strings.ToLower(strings.TrimSpace(mediaType)) {
	case "text/csv", "application/csv", "text/tab-separated-values":
		return CSV, true
	case ContentType(XLSX):
		return XLSX, true
	}
	return "", false
}

// FormatOfName is the format of a file from its name: .csv or .xlsx.
func FormatOfName(name string) (string, bool) {
	switch strings.ToLower(path.Ext(name)) {
	case ".csv", ".tsv", ".txt":
		return CSV, true
	case ".xlsx":
		return XLSX, true
	}
	return "", false
}

// maxTitleRows is how many rows may stand above the headings: exported
// lists often open with a title ("德保县新冠肺炎病例一览表") and a date.
const maxTitleRows = 10

// maxUnzipped bounds what a workbook may unpack to: a sheet of 100,000
// cases is about 60 MB of XML.
const maxUnzipped = 256 << 20

// Read reads a line list in a format (CSV or XLSX) with the columns.
func Read(format string, data []byte, cols []Column) (*Table, error) {
	t := &Table{Columns: cols, Headings: make([]string, len(cols)), keys: make(map[string]int, len(cols))}
	for i, c := range cols {
		t.keys[c.Key] = i
	}
	if format != XLSX {
		data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fileError(CodeEmpty, "the file is empty")
	}
	r := reader{table: t}
	var err error
	switch format {
	case CSV:
		err = r.csv(data)
	case XLSX:
		err = r.xlsx(data)
	default:
		return nil, fileError(CodeFormat, "a line list is CSV or XLSX")
	}
	if err != nil {
		return nil, err
	}
	switch {
	case r.index == nil && r.skipped == 0:
		return nil, fileError(CodeEmpty, "the file has no rows")
	case r.index == nil:
		return nil, fileError(CodeNoHeadings, "no row near the top of the file has the headings of a line list")
	case len(t.Rows) == 0:
		return nil, fileError(CodeNoRows, "the file has headings but no rows under them")
	}
	return t, nil
}

// reader finds the heading row among the first rows and turns the rows
// after it into the table's rows.
type reader struct {
	table   *Table
	index   []int // for each column, its index among the file's cells; nil until the headings are found
	skipped int   // non-blank rows above the headings
}

// add takes one row of cells. dates, when not nil, turns a date column's
// cell into text (workbooks hold dates as numbers).
func (r *reader) add(line int, cells []string, dates func(string) string) error {
	if blank(cells) {
		return nil
	}
	if r.index == nil {
		return r.headings(cells)
	}
	values := make([]string, len(r.index))
	for i, at := range r.index {
		if at < 0 || at >= len(cells) {
			continue
		}
		values[i] = cells[at]
		if dates != nil && r.table.Columns[i].Date {
			values[i] = dates(values[i])
		}
	}
	r.table.Rows = append(r.table.Rows, Row{Line: line, values: values, table: r.table})
	return nil
}

// headings reads a row that may be the headings. It is when it names every
// required column; a row that names two or more columns but not every
// required one is a heading row with a column missing; any other row is a
// title above the headings.
func (r *reader) headings(cells []string) error {
	at := make([]int, len(r.table.Columns))
	for i := range at {
		at[i] = -1
	}
	named := 0
	for k, cell := range cells {
		i, ok := r.column(cell)
		if !ok || at[i] >= 0 {
			continue // an unknown heading, or a second column of the same meaning: the first counts
		}
		at[i], r.table.Headings[i] = k, strings.TrimSpace(cell)
		named++
	}
	for i, c := range r.table.Columns {
		if c.Required && at[i] < 0 {
			if named >= 2 {
				return fileError(CodeMissingColumn, "the file has no column %s", c.Headings[0]).WithField(c.Key, CodeMissingColumn)
			}
			clear(r.table.Headings)
			if r.skipped++; r.skipped > maxTitleRows {
				return fileError(CodeNoHeadings, "no row near the top of the file has the headings of a line list")
			}
			return nil
		}
	}
	r.index = at
	return nil
}

// column finds the column a heading names.
func (r *reader) column(heading string) (int, bool) {
	h := normalizeHeading(heading)
	if h == "" {
		return 0, false
	}
	for i, c := range r.table.Columns {
		for _, name := range c.Headings {
			if normalizeHeading(name) == h {
				return i, true
			}
		}
	}
	return 0, false
}

// normalizeHeading lets "ID number", "id_number" and "ID-NUMBER" match:
// case, white space (full-width too), '_' and '-' do not count.
func normalizeHeading(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '_' || r == '-' {
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}

// csv reads a CSV file. Blank lines and rows of empty cells are skipped.
func (r *reader) csv(data []byte) error {
	if !utf8.Valid(data) {
		return fileError(CodeEncoding, "the file is not UTF-8 text: in Excel, save it as \"CSV UTF-8\"")
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = ','
	if first, _, _ := bytes.Cut(data, []byte("\n")); bytes.Contains(first, []byte("\t")) && !bytes.Contains(first, []byte(",")) {
		cr.Comma = '\t' // Excel's "text (tab delimited)"
	}
	cr.FieldsPerRecord = -1
	for {
		cells, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		var perr *csv.ParseError
		if errors.As(err, &perr) {
			if r.index == nil {
				return fileError(CodeNoHeadings, "the top of the file is not valid CSV")
			}
			r.table.Rows = append(r.table.Rows, Row{Line: perr.StartLine, table: r.table,
				Err: cordon.Errorf(cordon.KindInvalid, CodeBadRow, "the line is not valid CSV: %v", perr.Err)})
			continue
		}
		if err != nil {
			return err // a bytes.Reader does not fail: this does not happen
		}
		line, _ := cr.FieldPos(0)
		if err := r.add(line, cells, nil); err != nil {
			return err
		}
	}
}

// xlsx reads the first sheet of a workbook, streamed, cells raw rather than
// as their number format shows them, which depends on the locale.
func (r *reader) xlsx(data []byte) error {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true, UnzipSizeLimit: maxUnzipped})
	if err != nil {
		return badXLSX()
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return badXLSX()
	}
	props, err := f.GetWorkbookProps()
	if err != nil {
		return badXLSX()
	}
	date1904 := props.Date1904 != nil && *props.Date1904
	dates := func(cell string) string { return excelDate(cell, date1904) }
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return badXLSX()
	}
	defer rows.Close()
	// Next is called once per row number, gaps included, so counting the
	// calls gives the row number Excel shows.
	for line := 1; rows.Next(); line++ {
		cells, err := rows.Columns()
		if err != nil {
			if r.index == nil {
				return badXLSX()
			}
			r.table.Rows = append(r.table.Rows, Row{Line: line, table: r.table,
				Err: cordon.Errorf(cordon.KindInvalid, CodeBadRow, "the row cannot be read from the workbook")})
			continue
		}
		if err := r.add(line, cells, dates); err != nil {
			return err
		}
	}
	if rows.Error() != nil {
		return badXLSX()
	}
	return nil
}

func badXLSX() error {
	return fileError(CodeBadXLSX, "the file is not an Excel workbook (.xlsx) or is damaged; an old .xls file must be saved as .xlsx first")
}

// excelDate turns a date cell, a serial number of days, into the text
// Excel shows: a date, or a date and time when the serial has a fraction.
// Text cells stay as they are.
func excelDate(cell string, date1904 bool) string {
	serial, err := strconv.ParseFloat(strings.TrimSpace(cell), 64)
	if err != nil || !(serial >= 1 && serial < 2958466) { // 9999-12-31, the last date Excel shows
		return cell
	}
	t, err := excelize.ExcelDateToTime(serial, date1904)
	if err != nil {
		return cell
	}
	if t.Equal(t.Truncate(24 * time.Hour)) {
		return t.Format(time.DateOnly)
	}
	return t.Format("2006-01-02 15:04:05")
}

// blank reports a row of empty cells, which spreadsheets leave behind.
func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func fileError(code, format string, args ...any) *cordon.Error {
	return cordon.Errorf(cordon.KindInvalid, code, format, args...)
}

package labfile

import (
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"
)

// parseCSV reads a CSV export: a header row (possibly under a few title
// rows), then one result per line. Excel on Chinese Windows saves "CSV" in
// GBK, which is refused with a hint rather than read as mojibake.
func parseCSV(data []byte) ([]Row, error) {
	if !utf8.Valid(data) {
		return nil, fileError(CodeEncoding, "the file is not UTF-8 text: in Excel, save it as \"CSV UTF-8\"")
	}
	text := string(data)
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = separator(text)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	var (
		rows   = make([]Row, 0, strings.Count(text, "\n")) // one row a line, give or take the header
		header headerSearch
		start  int64
	)
	for {
		cells, err := r.Read()
		if err == io.EOF {
			break
		}
		// The row's text is cut from the input so the inbox shows exactly
		// what the lab sent; blank lines the reader skipped are trimmed off.
		end := r.InputOffset()
		raw := strings.Trim(text[start:end], "\r\n")
		start = end
		if err != nil {
			var perr *csv.ParseError
			if !errors.As(err, &perr) {
				return nil, err // the reader reads a string: this does not happen
			}
			if !header.found {
				if err := header.skip(); err != nil {
					return nil, err
				}
				continue
			}
			rows = append(rows, Row{Line: perr.StartLine, Raw: raw, Err: &RowError{
				Code:    CodeBadRow,
				Message: "the line is not valid CSV: " + perr.Err.Error(),
			}})
			continue
		}
		if blank(cells) {
			continue
		}
		isData, err := header.next(cells)
		if err != nil {
			return nil, err
		}
		if isData {
			line, _ := r.FieldPos(0)
			rec := header.cols.record(cells, line, raw)
			rows = append(rows, rec.row())
		}
	}
	if err := header.end(); err != nil {
		return nil, err
	}
	return rows, nil
}

// separator is a tab for files whose first line has tabs and no commas
// (Excel's "text (tab delimited)"), and a comma otherwise.
func separator(text string) rune {
	first, _, _ := strings.Cut(text, "\n")
	if strings.Contains(first, "\t") && !strings.Contains(first, ",") {
		return '\t'
	}
	return ','
}

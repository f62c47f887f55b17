package labfile

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"cordon"
	"cordon/internal/hl7"
)

// field is one of the values a result row carries in the tabular formats
// (CSV, Excel) and in JSON.
type field int

const (
	barcodeField field = iota
	resultField
	ctORF1abField
	ctNField
	timeField
	fieldCount
)

// fieldAliases are the names a lab may give each field: column headings of
// Chinese lab exports and the JSON field names. An earlier alias is preferred
// when a file has several for the same field.
var fieldAliases = [fieldCount][]string{
	barcodeField:  {"barcode", "tube", "specimen_id", "条码", "条码号", "条形码", "试管条码", "样本条码", "管码", "样本编号", "标本编号"},
	resultField:   {"result", "结果", "检测结果"},
	ctORF1abField: {"ct_orf1ab", "ORF1ab", "ORF1ab Ct", "ORF1ab基因", "ORF1ab基因Ct值"},
	ctNField:      {"ct_n", "N Ct", "N基因", "N基因Ct值"},
	timeField:     {"time", "result_time", "检测时间", "报告时间"},
}

// alias is a field and how strongly a name means it (0 is the first alias).
type alias struct {
	field field
	rank  int
}

// aliases maps a normalised name to its field. It is built once and only
// read afterwards.
var aliases = func() map[string]alias {
	m := map[string]alias{}
	for f, names := range fieldAliases {
		for rank, name := range names {
			m[normalizeName(name)] = alias{field(f), rank}
		}
	}
	return m
}()

// normalizeName lets "ORF1ab Ct", "orf1ab_ct" and "ORF1AB-CT" match: case,
// white space (full-width too), '_' and '-' do not count.
func normalizeName(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '_' || r == '-' {
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}

// lookupField returns the field a column heading or JSON name stands for.
func lookupField(name string) (alias, bool) {
	a, ok := aliases[normalizeName(name)]
	return a, ok
}

// record is one row as the lab wrote it, before its values are read.
type record struct {
	line   int
	raw    string
	values [fieldCount]string
	names  [fieldCount]string // what the lab called each field, for RowError.Field
	// notScalar marks JSON values that are objects, arrays or booleans, which
	// no field can hold.
	notScalar [fieldCount]bool
}

// row reads the record's values. The first failure becomes the row's error,
// and every value that can be read is kept for the inbox either way.
func (rec *record) row() Row {
	r := Row{Line: rec.line, Raw: rec.raw}
	fail := func(f field, code, message string) {
		if r.Err == nil {
			r.Err = &RowError{Code: code, Field: rec.names[f], Message: message}
		}
	}
	for f := range fieldCount {
		if rec.notScalar[f] {
			fail(f, fieldCodes[f], "the value must be text or a number, not a JSON object, array or boolean")
		}
	}

	if r.Barcode = strings.TrimSpace(rec.values[barcodeField]); r.Barcode == "" {
		fail(barcodeField, CodeMissingBarcode, "the row has no tube barcode")
	}

	if v := strings.TrimSpace(rec.values[resultField]); v == "" {
		fail(resultField, CodeBadResult, "the row has no result")
	} else if o, ok := parseOutcome(v); ok {
		r.Outcome = o
	} else {
		fail(resultField, CodeBadResult, "the result must be positive, negative, pooled positive, pooled negative or invalid (阳性, 阴性, 混管阳性, 混管阴性, 无效)")
	}

	var ok bool
	if r.CtORF1ab, ok = parseCt(rec.values[ctORF1abField]); !ok {
		fail(ctORF1abField, CodeBadCt, "a Ct value must be a number, or -, N/A or 无 when there is none")
	}
	if r.CtN, ok = parseCt(rec.values[ctNField]); !ok {
		fail(ctNField, CodeBadCt, "a Ct value must be a number, or -, N/A or 无 when there is none")
	}

	if v := strings.TrimSpace(rec.values[timeField]); v != "" {
		if r.Observed, ok = parseTime(v); !ok {
			fail(timeField, CodeBadTime, "the time must read like 2022-04-01 15:04:05 (China time) or 2022-04-01T07:04:05Z")
		}
	}
	return r
}

// fieldCodes is the code for a value of the wrong kind in each field.
var fieldCodes = [fieldCount]string{
	barcodeField:  CodeBadBarcode,
	resultField:   CodeBadResult,
	ctORF1abField: CodeBadCt,
	ctNField:      CodeBadCt,
	timeField:     CodeBadTime,
}

// outcomes maps the result words labs use, normalised by normalizeOutcome,
// to an outcome. 可疑 (one gene detected) is left out on purpose: whether to
// retest or to treat it as positive is a person's call, so it goes to the
// inbox.
var outcomes = map[string]hl7.Outcome{
	"positive": hl7.Positive, "pos": hl7.Positive, "detected": hl7.Positive,
	"阳性": hl7.Positive, "阳性(+)": hl7.Positive, "检出": hl7.Positive,
	"negative": hl7.Negative, "neg": hl7.Negative, "not detected": hl7.Negative, "undetected": hl7.Negative,
	"阴性": hl7.Negative, "阴性(-)": hl7.Negative, "未检出": hl7.Negative,
	"pooled positive": hl7.PooledPositive, "detected in pooled specimen": hl7.PooledPositive,
	"混管阳性": hl7.PooledPositive, "混采阳性": hl7.PooledPositive,
	"pooled negative": hl7.PooledNegative, "not detected in pooled specimen": hl7.PooledNegative,
	"混管阴性": hl7.PooledNegative, "混采阴性": hl7.PooledNegative,
	"invalid": hl7.Invalid, "inconclusive": hl7.Invalid, "indeterminate": hl7.Invalid, "无效": hl7.Invalid,
}

func parseOutcome(s string) (hl7.Outcome, bool) {
	if o, ok := outcomes[s]; ok {
		return o, true
	}
	o, ok := outcomes[normalizeOutcome(s)]
	return o, ok
}

// normalizeOutcome makes "Not_Detected", "not  detected" and "NOT DETECTED"
// one key, and full-width parentheses half-width ("阴性（-）").
func normalizeOutcome(s string) string {
	s = outcomeReplacer.Replace(strings.ToLower(s))
	return strings.Join(strings.Fields(s), " ")
}

var outcomeReplacer = strings.NewReplacer("_", " ", "（", "(", "）", ")")

// noCt are the ways labs write "no Ct value": blank, dashes, N/A, 无 (none),
// 未检出 (not detected) and Undetermined (QuantStudio's export).
var noCt = map[string]bool{
	"": true, "-": true, "--": true, "—": true, "/": true,
	"n/a": true, "na": true, "无": true, "未检出": true, "undetermined": true,
}

// parseCt reads a cycle threshold; 0 means none was given.
func parseCt(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if noCt[s] || noCt[strings.ToLower(s)] {
		return 0, true
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return 0, false
	}
	return v, true
}

// localLayouts are the ways lab exports write a time without an offset; such
// a time is China time, which is what a Chinese lab's clock shows. A date
// alone is taken as its midnight.
var localLayouts = []string{
	"2006-1-2 15:04:05",
	"2006-1-2T15:04:05",
	"2006/1/2 15:04:05",
	"2006-1-2 15:04",
	"2006/1/2 15:04",
	"2006-1-2",
	"2006/1/2",
}

// offsetLayouts are RFC 3339 and the same with a space for the T, as
// databases print it.
var offsetLayouts = []string{time.RFC3339, "2006-01-02 15:04:05Z07:00"}

// parseTime reads a time with a UTC offset in one of offsetLayouts, and one
// without in one of localLayouts, and returns it in UTC.
func parseTime(s string) (time.Time, bool) {
	if hasOffset(s) {
		for _, layout := range offsetLayouts {
			if t, err := time.Parse(layout, s); err == nil {
				return t.UTC(), true
			}
		}
		return time.Time{}, false
	}
	for _, layout := range localLayouts {
		if t, err := time.ParseInLocation(layout, s, cordon.ChinaTime); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// hasOffset reports a time that ends in Z or in an offset such as +08:00,
// looking past the date so that the dashes of 2022-04-01 do not count.
func hasOffset(s string) bool {
	if len(s) <= len("2006-01-02") {
		return false
	}
	clock := s[len("2006-01-02"):]
	return strings.HasSuffix(clock, "Z") || strings.HasSuffix(clock, "z") || strings.ContainsAny(clock, "+-")
}

// columns maps each field to its column in a CSV file or a sheet.
type columns struct {
	index [fieldCount]int // -1 when there is no such column
	names [fieldCount]string
}

// findColumns reads a header row. It reports false when the row has no
// barcode column, which is how a title row above the header is told apart.
func findColumns(header []string) (columns, bool) {
	var c columns
	var rank [fieldCount]int
	for f := range fieldCount {
		c.index[f] = -1
	}
	for i, name := range header {
		a, ok := lookupField(name)
		if !ok || c.index[a.field] >= 0 && rank[a.field] <= a.rank {
			continue
		}
		c.index[a.field], c.names[a.field], rank[a.field] = i, strings.TrimSpace(name), a.rank
	}
	return c, c.index[barcodeField] >= 0
}

// record picks the fields out of one row's cells; a short row leaves the
// missing fields blank.
func (c *columns) record(cells []string, line int, raw string) record {
	rec := record{line: line, raw: raw, names: c.names}
	for f, i := range c.index {
		if i >= 0 && i < len(cells) {
			rec.values[f] = cells[i]
		}
	}
	return rec
}

// maxTitleRows is how many rows may come before the header: Chinese lab
// exports often open with a title ("XX检测中心核酸检测结果") and a date.
const maxTitleRows = 10

// headerSearch finds the header row among the first rows of a CSV file or a
// sheet and turns the rows after it into records.
type headerSearch struct {
	cols    columns
	found   bool
	skipped int // non-blank rows before the header
}

// next takes a row. It returns true when the row is a data row to be read
// with cols; false for the header and the rows above it, or with an error
// when the header was not found in time or has no result column.
func (h *headerSearch) next(cells []string) (bool, error) {
	if h.found {
		return true, nil
	}
	cols, ok := findColumns(cells)
	if !ok {
		return false, h.skip()
	}
	if cols.index[resultField] < 0 {
		return false, fileError(CodeNoResultColumn, "the file has no result column (结果, 检测结果 or result)")
	}
	h.cols, h.found = cols, true
	return false, nil
}

// skip counts a row above the header, and fails when there are too many to
// believe the file has a header at all.
func (h *headerSearch) skip() error {
	h.skipped++
	if h.skipped > maxTitleRows {
		return noBarcodeColumn()
	}
	return nil
}

// end reports a file that ended before its header was found.
func (h *headerSearch) end() error {
	switch {
	case h.found:
		return nil
	case h.skipped == 0:
		return fileError(CodeEmpty, "the file has no rows")
	}
	return noBarcodeColumn()
}

func noBarcodeColumn() error {
	return fileError(CodeNoBarcodeColumn, "no column heading names the tube barcode (条码, 条码号, 试管条码, 样本编号, barcode...)")
}

// blank reports a row of empty cells, which spreadsheets leave behind and
// which is skipped like a blank line.
func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

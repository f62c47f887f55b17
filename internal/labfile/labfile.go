// Package labfile reads a laboratory's result upload (JSON, CSV, Excel or
// HL7 v2) into rows that the platform matches against sample tubes.
//
// Labs export results in whatever their instruments and information systems
// produce: CSV and Excel files with Chinese column headings and local times,
// JSON from newer systems, HL7 ORU^R01 messages from hospital laboratories.
// Parse takes all four to the same Row, and it reads every row it can: a row
// that cannot be used comes back with a RowError and its text as received, so
// that it lands in the lab-result inbox where a person resolves it, instead of
// holding up the rest of the upload. Only a file that cannot be read at all
// (not Excel, not JSON, no barcode column) fails as a whole.
//
// The package has no state of its own; every function works on its arguments.
package labfile

import (
	"bytes"
	"strings"
	"time"

	"cordon"
	"cordon/internal/hl7"
)

// The formats Parse reads, named by their media types because the format of
// an upload is chosen from its Content-Type.
const (
	JSON = "application/json"
	CSV  = "text/csv"
	XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	HL7  = "application/hl7-v2"
)

// FormatOf returns the format of an upload from its Content-Type header,
// parameters such as charset ignored. The legacy Excel type
// application/vnd.ms-excel is not XLSX: it is an .xls file, or a .csv file
// from a Windows browser, and Parse reads neither under the XLSX format.
func FormatOf(contentType string) (string, bool) {
	mediaType, _, _ := strings.Cut(contentType, ";")
	switch strings.ToLower(strings.TrimSpace(mediaType)) {
	case JSON:
		return JSON, true
	case CSV:
		return CSV, true
	case XLSX:
		return XLSX, true
	case HL7, "application/hl7-v2+er7", "x-application/hl7-v2+er7":
		return HL7, true
	}
	return "", false
}

// Row is one result of an upload, in the terms tubes are matched on. A row
// with Err set cannot be used as it is; its other fields hold whatever could
// be read, for the person who resolves it in the inbox.
type Row struct {
	// Line tells a person where the row is: the line of a CSV file or the row
	// of a spreadsheet as an editor numbers them (the header is line 1 when
	// it is the first line), the 1-based position in a JSON array, or the
	// 1-based number of an HL7 message (several rows when a message holds
	// several results).
	Line     int
	Barcode  string      // tube barcode, trimmed
	Outcome  hl7.Outcome // empty when the result could not be read
	CtORF1ab float64     // 0 when not given
	CtN      float64     // 0 when not given
	// Observed is when the lab reported the result, in UTC, or zero when the
	// file does not say: the caller then uses the time of receipt.
	Observed time.Time
	// Raw is the row as received (a CSV line, the cells of a spreadsheet row
	// joined by tabs, a JSON object, an HL7 message), so the inbox can show
	// what the lab sent. It holds results: show it, never log it.
	Raw string
	Err *RowError // nil when the row was read
}

// RowError says why a row cannot be used. Code is stable, for translations
// and for code that treats some failures differently; Field points a person
// at the spot to correct.
type RowError struct {
	Code    string
	Field   string // a column heading, a JSON field, or an HL7 position such as "OBX-5"
	Message string // English; it never quotes the row's values
}

// Codes of RowError, stable keys for translations ("error." + code).
const (
	CodeMissingBarcode = "labfile.missing_barcode"  // no tube barcode in the row
	CodeBadBarcode     = "labfile.bad_barcode"      // a JSON barcode that is an object, array or boolean
	CodeBadResult      = "labfile.bad_result"       // no result, or a value that is not one we know
	CodeBadCt          = "labfile.bad_ct"           // a Ct value that is not a non-negative number
	CodeBadTime        = "labfile.bad_time"         // a time in no format we read
	CodeBadRow         = "labfile.bad_row"          // a CSV line that is not valid CSV, a JSON element that is not an object
	CodeHL7Parse       = "labfile.hl7_parse"        // an HL7 message that cannot be read
	CodeNoResult       = "labfile.no_result"        // an HL7 message with no SARS-CoV-2 result, or not a lab report
	CodeNotNucleicAcid = "labfile.not_nucleic_acid" // an antigen result, which does not count as a tube's result
)

// Codes of the *cordon.Error that Parse returns for a file it cannot read at
// all, all of kind cordon.KindInvalid.
const (
	CodeUnsupportedFormat = "labfile.unsupported_format"
	CodeEmpty             = "labfile.empty"
	CodeEncoding          = "labfile.encoding"
	CodeBadJSON           = "labfile.bad_json"
	CodeBadXLSX           = "labfile.bad_xlsx"
	CodeNoBarcodeColumn   = "labfile.no_barcode_column"
	CodeNoResultColumn    = "labfile.no_result_column"
	CodeNoHL7Message      = "labfile.hl7_no_message"
)

// Parse reads a whole upload in one of the formats above. Every row comes
// back in the order of the file, good or bad; Parse fails only when the file
// cannot be read at all, with a *cordon.Error whose code is one of the file
// codes above.
func Parse(format string, data []byte) ([]Row, error) {
	if format != XLSX {
		// Windows editors start UTF-8 text with a byte order mark.
		data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fileError(CodeEmpty, "the file is empty")
	}
	switch format {
	case JSON:
		return parseJSON(data)
	case CSV:
		return parseCSV(data)
	case XLSX:
		return parseXLSX(data)
	case HL7:
		return parseHL7(data)
	}
	return nil, fileError(CodeUnsupportedFormat, "results can be uploaded as JSON, CSV, Excel (.xlsx) or HL7 v2")
}

func fileError(code, message string) *cordon.Error {
	return &cordon.Error{Kind: cordon.KindInvalid, Code: code, Message: message}
}

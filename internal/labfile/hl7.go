package labfile

import (
	"errors"
	"strconv"
	"strings"

	"cordon"
	"cordon/internal/hl7"
)

// antigenTest is the LOINC code of the SARS-CoV-2 rapid antigen test, whose
// result does not stand for a nucleic-acid test of a tube.
const antigenTest = "94558-4"

// parseHL7 reads HL7 v2 messages: each result of each message is a row, and
// a message that yields no usable result is a bad row carrying the message's
// text. A broken batch envelope (FHS, BHS) is passed over, since the messages
// inside it still read.
func parseHL7(data []byte) ([]Row, error) {
	b := hl7.ParseBatch(data)
	var broken []*hl7.MessageError
	for _, err := range b.Errors {
		var merr *hl7.MessageError
		if errors.As(err, &merr) {
			broken = append(broken, merr)
		}
	}
	if !holdsMessage(b.Messages, broken) {
		return nil, fileError(CodeNoHL7Message, "the file holds no HL7 message (no line starts with MSH)")
	}
	var rows []Row
	// Messages and errors are each in input order; an error's Index tells
	// where it goes, and the messages that read fill the numbers between.
	read := b.Messages
	for n := 1; len(read) > 0 || len(broken) > 0; n++ {
		if len(broken) > 0 && (broken[0].Index == n || len(read) == 0) {
			rows = append(rows, brokenMessageRow(broken[0]))
			broken = broken[1:]
			continue
		}
		rows = appendMessageRows(rows, n, read[0])
		read = read[1:]
	}
	return rows, nil
}

// holdsMessage tells an HL7 file from something else sent under the HL7
// type, which would otherwise become one bad "message" holding the whole file.
func holdsMessage(read []hl7.Message, broken []*hl7.MessageError) bool {
	if len(read) > 0 {
		return true
	}
	for _, merr := range broken {
		if strings.HasPrefix(merr.Raw, "MSH") {
			return true
		}
	}
	return false
}

func brokenMessageRow(merr *hl7.MessageError) Row {
	field := ""
	var perr *hl7.ParseError
	if errors.As(merr.Err, &perr) {
		field = location(perr)
	}
	return Row{Line: merr.Index, Raw: merr.Raw, Err: &RowError{
		Code:    CodeHL7Parse,
		Field:   field,
		Message: "the message cannot be read: " + strings.TrimPrefix(merr.Err.Error(), "hl7: "),
	}}
}

// location writes where a parse error is the way HL7 documents do: "MSH-2",
// "OBX" for a whole segment, "segment 3" when even the id is unreadable.
func location(perr *hl7.ParseError) string {
	switch {
	case perr.Segment == "" && perr.Index > 0:
		return "segment " + strconv.Itoa(perr.Index)
	case perr.Field > 0:
		return perr.Segment + "-" + strconv.Itoa(perr.Field)
	}
	return perr.Segment
}

func appendMessageRows(rows []Row, n int, m hl7.Message) []Row {
	results, err := hl7.ResultsIn(m, cordon.ChinaTime)
	if err != nil {
		return append(rows, Row{Line: n, Raw: m.Raw, Err: &RowError{
			Code:    CodeNoResult,
			Field:   "MSH-9",
			Message: "the message is not a lab report (ORU^R01)",
		}})
	}
	if len(results) == 0 {
		return append(rows, Row{Line: n, Raw: m.Raw, Err: &RowError{
			Code:    CodeNoResult,
			Field:   "OBX",
			Message: "the message holds no SARS-CoV-2 result",
		}})
	}
	for _, res := range results {
		rows = append(rows, resultRow(n, m.Raw, res))
	}
	return rows
}

func resultRow(n int, raw string, res hl7.LabResult) Row {
	r := Row{
		Line:     n,
		Barcode:  strings.TrimSpace(res.SpecimenID),
		Outcome:  res.Outcome,
		CtORF1ab: res.Ct["ORF1ab"],
		CtN:      res.Ct["N"],
		Observed: res.Observed.UTC(),
		Raw:      raw,
	}
	switch {
	case res.Test == antigenTest:
		r.Err = &RowError{Code: CodeNotNucleicAcid, Field: "OBX-3", Message: "an antigen test result is not a nucleic-acid result"}
	case r.Barcode == "":
		r.Err = &RowError{Code: CodeMissingBarcode, Field: "SPM-2", Message: "the message names no specimen (SPM-2, OBR-3 or OBR-2)"}
	case r.Outcome == hl7.Unknown:
		r.Outcome = ""
		r.Err = &RowError{Code: CodeBadResult, Field: "OBX-5", Message: "the result value is not one we recognise"}
	}
	return r
}

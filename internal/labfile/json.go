package labfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// parseJSON reads an array of result objects, bare or as {"results": [...]}.
// Each element is read on its own, so a malformed one becomes a bad row and
// the others still count; the document as a whole must be valid JSON.
func parseJSON(data []byte) ([]Row, error) {
	if !utf8.Valid(data) {
		return nil, fileError(CodeEncoding, "the file is not UTF-8 text")
	}
	var elems []json.RawMessage
	switch data = bytes.TrimSpace(data); data[0] {
	case '[':
		if err := json.Unmarshal(data, &elems); err != nil {
			return nil, badJSON(err)
		}
	case '{':
		var doc struct {
			Results *[]json.RawMessage `json:"results"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			return nil, badJSON(err)
		}
		if doc.Results == nil {
			return nil, fileError(CodeBadJSON, `the JSON object has no "results" array`)
		}
		elems = *doc.Results
	default:
		return nil, fileError(CodeBadJSON, `the file must be a JSON array of results, or an object with a "results" array`)
	}
	rows := make([]Row, len(elems))
	for i, e := range elems {
		rows[i] = jsonRow(i+1, e)
	}
	return rows, nil
}

func badJSON(err error) error {
	var serr *json.SyntaxError
	if errors.As(err, &serr) {
		return fileError(CodeBadJSON, fmt.Sprintf("the file is not valid JSON (at byte %d): %v", serr.Offset, err))
	}
	return fileError(CodeBadJSON, `the file must be a JSON array of results, or an object with a "results" array`)
}

// jsonRow reads one element. Field names are matched like column headings
// (case and '_' do not count, the Chinese ones work too); unknown fields are
// ignored, so labs can send more than we read.
func jsonRow(line int, elem json.RawMessage) Row {
	raw := string(elem)
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(elem, &obj); err != nil || obj == nil {
		return Row{Line: line, Raw: raw, Err: &RowError{Code: CodeBadRow, Message: "the element is not a JSON object"}}
	}
	rec := record{line: line, raw: raw}
	for f := range fieldCount {
		rec.names[f] = fieldAliases[f][0]
	}
	var rank [fieldCount]int
	var seen [fieldCount]bool
	for name, value := range obj {
		value = bytes.TrimSpace(value)
		a, ok := lookupField(name)
		if !ok || len(value) == 0 || seen[a.field] && rank[a.field] <= a.rank {
			continue
		}
		seen[a.field], rank[a.field], rec.names[a.field] = true, a.rank, name
		rec.values[a.field], rec.notScalar[a.field] = "", false
		switch value[0] {
		case '"':
			var s string
			if err := json.Unmarshal(value, &s); err != nil {
				rec.notScalar[a.field] = true // not reached: the document was checked as a whole
			}
			rec.values[a.field] = s
		case 'n': // null: not given
		case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			rec.values[a.field] = string(value)
		default: // object, array, true, false
			rec.notScalar[a.field] = true
		}
	}
	return rec.row()
}

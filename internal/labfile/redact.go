package labfile

import (
	"regexp"
	"strings"

	"cordon"
)

var (
	citizenIDs = regexp.MustCompile(`\b[0-9]{17}[0-9Xx]\b`)
	mobiles    = regexp.MustCompile(`\b1[3-9][0-9]{9}\b`)
)

// Redact removes the personal data a lab row or message may carry before it
// is kept for a person to resolve: an HL7 PID segment keeps only its set
// id, and anything shaped like a citizen ID number or a mobile number is
// masked. What resolving needs (the barcode, the result, the time) stays.
func Redact(raw string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(raw, "\r") {
		for _, part := range strings.SplitAfter(line, "\n") {
			b.WriteString(redactPID(part))
		}
	}
	s := citizenIDs.ReplaceAllStringFunc(b.String(), cordon.MaskDocNumber)
	return mobiles.ReplaceAllStringFunc(s, cordon.MaskPhone)
}

// redactPID keeps "PID|1" of a PID segment, with its line end.
func redactPID(line string) string {
	if len(line) < 4 || line[:3] != "PID" {
		return line
	}
	sep := line[3]
	body := strings.TrimRight(line, "\r\n")
	end := line[len(body):]
	fields := strings.Split(body, string(sep))
	if len(fields) <= 2 {
		return line
	}
	return fields[0] + string(sep) + fields[1] + string(sep) + "(redacted)" + end
}

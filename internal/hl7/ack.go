package hl7

import (
	"strings"
	"time"
)

// Acknowledgement codes of MSA-1 (original mode).
const (
	AckAccept = "AA" // accepted: the results are stored (in the inbox if they could not be applied)
	AckError  = "AE" // not stored: the sender should send the message again
	AckReject = "AR" // refused: sending it again will not help
)

// Ack builds the acknowledgement of a received message: an ACK whose MSH
// swaps the sending and receiving application and facility and whose MSA
// carries the code and the message's control id (MSH-10). A message too
// broken to read is acknowledged with empty ids. The answer uses the
// standard delimiters; text is escaped.
func Ack(received []byte, code, text, controlID string, now time.Time) []byte {
	var m Message
	if b := ParseBatch(received); len(b.Messages) > 0 {
		m = b.Messages[0]
	}
	msh, _ := m.Segment("MSH")
	standard := m.Delims == Delimiters{Field: '|', Component: '^', Repetition: '~', Escape: '\\', SubComponent: '&', Truncation: m.Delims.Truncation}
	// A field is copied as sent when the sender uses the standard
	// delimiters, so that its components survive; otherwise its first
	// component is re-escaped.
	f := func(n int) string {
		if standard {
			return msh.Raw(n)
		}
		return Escape(msh.Get(n, 1, 0))
	}
	version := m.Value("MSH-12")
	if version == "" {
		version = "2.5.1"
	}
	seg := []string{
		strings.Join([]string{"MSH", `^~\&`, f(5), f(6), f(3), f(4),
			now.UTC().Format("20060102150405") + "+0000", "", "ACK^" + Escape(m.Value("MSH-9.2")) + "^ACK",
			Escape(controlID), "P", Escape(version)}, "|"),
		strings.Join([]string{"MSA", code, Escape(m.Value("MSH-10")), Escape(text)}, "|"),
	}
	return []byte(strings.Join(seg, "\r") + "\r")
}

// escaper escapes text for the standard delimiters |^~\& (HL7 v2.5.1
// section 2.7): the escape character first, so that it is not escaped twice.
var escaper = strings.NewReplacer(`\`, `\E\`, "|", `\F\`, "^", `\S\`, "&", `\T\`, "~", `\R\`, "\r", `\X0D\`, "\n", `\.br\`)

// Escape writes text for a field with the standard delimiters.
func Escape(s string) string { return escaper.Replace(s) }

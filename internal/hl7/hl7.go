// Package hl7 reads HL7 v2 messages in their pipe-and-hat (ER7) encoding and
// extracts SARS-CoV-2 nucleic-acid results from ORU^R01 lab reports.
//
// Laboratories send results as single messages, as several messages back to
// back, or as FHS/BHS batches, sometimes inside MLLP frames. ParseBatch keeps
// going past a broken message so that one unreadable result does not hold up
// the rest: each failure comes back with the message's number and raw text,
// ready for the lab-result inbox where a person resolves it. Values are kept
// escaped as received and unescaped only when read, so a message can always be
// shown exactly as it arrived.
//
// The package has no state of its own; every function works on its arguments.
package hl7

import (
	"fmt"
	"strconv"
	"strings"
)

// Delimiters are the separators a message declares in MSH-1 and MSH-2 (or a
// batch header in FHS-1/2 and BHS-1/2). They are read from each message rather
// than assumed because senders are free to choose them.
type Delimiters struct {
	Field        byte
	Component    byte
	Repetition   byte
	Escape       byte
	SubComponent byte
	// Truncation is the HL7 2.7+ truncation character, or 0 when MSH-2 has
	// only four characters.
	Truncation byte
}

// ParseError reports where a message could not be read. Segment and Field let
// the inbox point a person at the offending spot instead of at the whole
// message.
type ParseError struct {
	Segment string // segment id, such as "MSH", when it could be read
	Index   int    // 1-based segment number within the message (or batch envelope)
	Field   int    // 1-based HL7 field number, or 0 when the whole segment is at fault
	Msg     string
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString("hl7: ")
	if e.Index > 0 {
		b.WriteString("segment " + strconv.Itoa(e.Index))
		if e.Segment != "" {
			b.WriteString(" (" + e.Segment + ")")
		}
		if e.Field > 0 {
			b.WriteString(" field " + strconv.Itoa(e.Field))
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// MessageError is a failure to read one message of a batch or of a stream of
// messages. It keeps the message's raw text so that the result is not lost:
// a person can read it in the inbox and enter it by hand.
type MessageError struct {
	Index int    // 1-based position of the message in the input
	Raw   string // the message's text exactly as received
	Err   error  // usually a *ParseError
}

func (e *MessageError) Error() string {
	return fmt.Sprintf("hl7: message %d: %s", e.Index, strings.TrimPrefix(e.Err.Error(), "hl7: "))
}

func (e *MessageError) Unwrap() error { return e.Err }

// Segment is one line of a message. Fields are numbered as in the HL7
// standard: for MSH (and FHS, BHS) field 1 is the field separator itself and
// field 2 the encoding characters, so MSH-9 is Field(9) as the specifications
// say.
type Segment struct {
	ID     string
	fields []string // fields[0] is the id; fields[n] is field n, still escaped
	delims Delimiters
}

// NumFields is the highest field number present, so callers can tell an empty
// field from an absent one when that matters.
func (s Segment) NumFields() int { return len(s.fields) - 1 }

// Raw returns field n exactly as sent, escapes and separators included.
func (s Segment) Raw(n int) string {
	if n < 1 || n >= len(s.fields) {
		return ""
	}
	return s.fields[n]
}

// isHeader reports whether field 1 and 2 are the separators themselves, which
// must never be split or unescaped.
func (s Segment) isHeader(n int) bool {
	return (n == 1 || n == 2) && (s.ID == "MSH" || s.ID == "FHS" || s.ID == "BHS")
}

// Repetitions reports how many repetitions field n has (0 when empty).
func (s Segment) Repetitions(n int) int {
	raw := s.Raw(n)
	if raw == "" {
		return 0
	}
	if s.isHeader(n) {
		return 1
	}
	return strings.Count(raw, string(s.delims.Repetition)) + 1
}

// Field returns the first repetition of field n, unescaped. It is the common
// case: most fields neither repeat nor have components.
func (s Segment) Field(n int) string { return s.GetRep(n, 1, 0, 0) }

// Get returns component comp, sub-component sub of the first repetition of
// field n, unescaped. A comp or sub of 0 means the whole of the enclosing
// part. Positions that are not present read as "".
func (s Segment) Get(n, comp, sub int) string { return s.GetRep(n, 1, comp, sub) }

// GetRep is Get for repetition rep (1-based) of field n.
func (s Segment) GetRep(n, rep, comp, sub int) string {
	raw := s.Raw(n)
	if raw == "" {
		return ""
	}
	if s.isHeader(n) {
		if rep == 1 && comp <= 1 && sub <= 1 {
			return raw
		}
		return ""
	}
	d := s.delims
	part, ok := nth(raw, d.Repetition, rep)
	if !ok {
		return ""
	}
	if comp > 0 {
		if part, ok = nth(part, d.Component, comp); !ok {
			return ""
		}
		if sub > 0 {
			if part, ok = nth(part, d.SubComponent, sub); !ok {
				return ""
			}
		}
	}
	return Unescape(part, d)
}

// Value reads a position written the way HL7 documents write it, relative to
// this segment: "5", "5.1", "5.1.2", or "18(2).1" for the second repetition.
// It returns "" for a malformed path, as for an absent position.
func (s Segment) Value(path string) string {
	n, rep, comp, sub, ok := parsePath(path)
	if !ok {
		return ""
	}
	return s.GetRep(n, rep, comp, sub)
}

// nth returns the i-th (1-based) part of s split on sep without allocating a
// slice, because field access happens for every OBX of every message.
func nth(s string, sep byte, i int) (string, bool) {
	if i < 1 {
		return "", false
	}
	for ; i > 1; i-- {
		j := strings.IndexByte(s, sep)
		if j < 0 {
			return "", false
		}
		s = s[j+1:]
	}
	if j := strings.IndexByte(s, sep); j >= 0 {
		s = s[:j]
	}
	return s, true
}

// parsePath reads "F[(R)][.C[.S]]".
func parsePath(p string) (n, rep, comp, sub int, ok bool) {
	rep = 1
	parts := strings.Split(p, ".")
	if len(parts) > 3 || parts[0] == "" {
		return 0, 0, 0, 0, false
	}
	f := parts[0]
	if i := strings.IndexByte(f, '('); i >= 0 {
		if !strings.HasSuffix(f, ")") {
			return 0, 0, 0, 0, false
		}
		r, err := strconv.Atoi(f[i+1 : len(f)-1])
		if err != nil || r < 1 {
			return 0, 0, 0, 0, false
		}
		rep, f = r, f[:i]
	}
	nums := []*int{&n, &comp, &sub}
	parts[0] = f
	for i, s := range parts {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			return 0, 0, 0, 0, false
		}
		*nums[i] = v
	}
	return n, rep, comp, sub, true
}

// Message is one HL7 message: the MSH segment and everything up to the next
// MSH or batch trailer.
type Message struct {
	// Raw is the message's text exactly as received, for the inbox and for
	// audit; it does not include any MLLP framing or batch envelope.
	Raw      string
	Delims   Delimiters
	segments []Segment
}

// All returns every segment in order.
func (m Message) All() []Segment { return m.segments }

// Segments returns the segments with the given id, in order.
func (m Message) Segments(id string) []Segment {
	var out []Segment
	for _, s := range m.segments {
		if s.ID == id {
			out = append(out, s)
		}
	}
	return out
}

// Segment returns the first segment with the given id.
func (m Message) Segment(id string) (Segment, bool) {
	for _, s := range m.segments {
		if s.ID == id {
			return s, true
		}
	}
	return Segment{}, false
}

// Value reads a position in the first segment with that id, written as HL7
// documents write it: "MSH-9.1", "SPM-2.2.1", "OBX-18(2).1".
func (m Message) Value(path string) string {
	id, rest, ok := strings.Cut(path, "-")
	if !ok {
		return ""
	}
	s, ok := m.Segment(id)
	if !ok {
		return ""
	}
	return s.Value(rest)
}

// Type returns MSH-9 as "ORU^R01" (message code and trigger event).
func (m Message) Type() string {
	s, _ := m.Segment("MSH")
	return s.Get(9, 1, 0) + "^" + s.Get(9, 2, 0)
}

package hl7

import (
	"fmt"
	"strings"
)

// Batch is what a lab's upload contains: zero or more messages, possibly
// wrapped in a file and batch envelope. Messages holds every message that
// could be read; Errors holds one entry per message that could not, so a caller
// can report "message 2: ..." and still file the others.
type Batch struct {
	FileHeader  *Segment // FHS, when the input is a batch file
	BatchHeader *Segment // BHS, when the input is a batch
	Messages    []Message
	// Errors are *MessageError for a broken message and *ParseError for a
	// broken envelope segment (FHS, BHS) or for input with no message at all.
	// An envelope error's Index counts the non-blank lines of the whole input.
	Errors []error
}

// line is one segment's text with its byte span in the input, so a message's
// raw text can be cut from the input unchanged.
type line struct {
	text       string
	start, end int
}

// Parse reads one or more messages and fails on the first broken one. It suits
// callers that take a single message at a time, such as an MLLP listener that
// must NAK a bad message; batch uploads should use ParseBatch instead. The
// messages read before the failure are returned with the error.
func Parse(data []byte) ([]Message, error) {
	b := ParseBatch(data)
	if len(b.Errors) > 0 {
		return b.Messages, b.Errors[0]
	}
	return b.Messages, nil
}

// ParseBatch reads a single message, several concatenated messages or an
// FHS/BHS batch, with or without MLLP framing and with any mix of CR, LF and
// CRLF segment ends. It never gives up part-way: each message stands or falls
// on its own.
func ParseBatch(data []byte) Batch {
	var b Batch
	lines := splitLines(string(data))
	var cur []line
	msgNo := 0
	flush := func() {
		if len(cur) == 0 {
			return
		}
		msgNo++
		raw := string(data[cur[0].start:cur[len(cur)-1].end])
		m, err := parseMessage(cur, raw)
		if err != nil {
			b.Errors = append(b.Errors, &MessageError{Index: msgNo, Raw: raw, Err: err})
		} else {
			b.Messages = append(b.Messages, m)
		}
		cur = nil
	}
	for i, l := range lines {
		switch segmentKind(l.text) {
		case "MSH":
			flush()
			cur = []line{l}
		case "FHS", "BHS":
			flush()
			seg, _, err := parseHeader(l.text, i+1)
			if err != nil {
				b.Errors = append(b.Errors, err)
				continue
			}
			if seg.ID == "FHS" {
				b.FileHeader = &seg
			} else {
				b.BatchHeader = &seg
			}
		case "BTS", "FTS":
			// Trailers only carry counts, which we do not trust over what we
			// actually read; they end the current message.
			flush()
		default:
			cur = append(cur, l)
		}
	}
	flush()
	if len(b.Messages) == 0 && len(b.Errors) == 0 {
		b.Errors = append(b.Errors, &ParseError{Msg: "no MSH segment: input holds no message"})
	}
	return b
}

// segmentKind returns the id of a line that starts or ends a message or
// batch, or "" for any other line. Header ids are followed by the field
// separator, which may be any character, so only the first three bytes count.
func segmentKind(s string) string {
	if len(s) < 3 {
		return ""
	}
	switch id := s[:3]; id {
	case "MSH", "FHS", "BHS":
		return id
	case "BTS", "FTS":
		if len(s) == 3 || !isAlnum(s[3]) {
			return id
		}
	}
	return ""
}

// splitLines cuts the input into non-blank segments. CR and LF both end a
// segment so that CR, LF, CRLF and mixtures all work; the MLLP start and end
// bytes (0x0B, 0x1C) are treated the same way, which strips framing wherever
// it appears, including several framed messages in one read.
func splitLines(s string) []line {
	var out []line
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) {
			switch s[i] {
			case '\r', '\n', 0x0B, 0x1C:
			default:
				continue
			}
		}
		end := i
		for end > start && (s[end-1] == ' ' || s[end-1] == '\t') {
			end--
		}
		if end > start {
			out = append(out, line{text: s[start:end], start: start, end: end})
		}
		start = i + 1
	}
	return out
}

// parseMessage reads the segments of one message, the first of which must be
// MSH.
func parseMessage(lines []line, raw string) (Message, error) {
	if id := lines[0].text; !strings.HasPrefix(id, "MSH") {
		if len(id) > 3 {
			id = id[:3]
		}
		return Message{}, &ParseError{Segment: id, Index: 1, Msg: "message does not start with MSH"}
	}
	msh, d, err := parseHeader(lines[0].text, 1)
	if err != nil {
		return Message{}, err
	}
	m := Message{Raw: raw, Delims: d, segments: make([]Segment, 0, len(lines))}
	m.segments = append(m.segments, msh)
	for i, l := range lines[1:] {
		seg, err := parseSegment(l.text, d, i+2)
		if err != nil {
			return Message{}, err
		}
		m.segments = append(m.segments, seg)
	}
	return m, nil
}

// parseHeader reads an MSH, FHS or BHS segment, which declares its own
// delimiters in fields 1 and 2.
func parseHeader(text string, index int) (Segment, Delimiters, error) {
	id := text[:3]
	fail := func(field int, format string, args ...any) (Segment, Delimiters, error) {
		return Segment{}, Delimiters{}, &ParseError{Segment: id, Index: index, Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	if len(text) < 4 {
		return fail(1, "segment too short: no field separator")
	}
	var d Delimiters
	d.Field = text[3]
	if !isDelimiter(d.Field) {
		return fail(1, "field separator %q is not a printable non-alphanumeric character", d.Field)
	}
	enc, rest, found := strings.Cut(text[4:], string(d.Field))
	if len(enc) != 4 && len(enc) != 5 {
		return fail(2, "encoding characters %q: want 4 or 5 characters", enc)
	}
	seen := map[byte]bool{d.Field: true}
	for i := 0; i < len(enc); i++ {
		c := enc[i]
		if !isDelimiter(c) {
			return fail(2, "encoding character %q is not a printable non-alphanumeric character", c)
		}
		if seen[c] {
			return fail(2, "encoding characters %q repeat a delimiter (%q)", enc, c)
		}
		seen[c] = true
	}
	d.Component, d.Repetition, d.Escape, d.SubComponent = enc[0], enc[1], enc[2], enc[3]
	if len(enc) == 5 {
		d.Truncation = enc[4]
	}
	fields := []string{id, string(d.Field), enc}
	if found {
		fields = append(fields, strings.Split(rest, string(d.Field))...)
	}
	return Segment{ID: id, fields: fields, delims: d}, d, nil
}

// parseSegment reads any segment other than a header.
func parseSegment(text string, d Delimiters, index int) (Segment, error) {
	id, _, _ := strings.Cut(text, string(d.Field))
	if len(id) != 3 || !isAlnum(id[0]) || !isAlnum(id[1]) || !isAlnum(id[2]) {
		return Segment{}, &ParseError{Index: index, Msg: fmt.Sprintf("segment id %q is not 3 letters or digits", segID(id))}
	}
	return Segment{ID: id, fields: strings.Split(text, string(d.Field)), delims: d}, nil
}

// segID shortens a would-be segment id for an error message, so a line of
// binary garbage does not end up whole in a log.
func segID(s string) string {
	if len(s) > 8 {
		return s[:8] + "…"
	}
	return s
}

func isAlnum(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}

func isDelimiter(c byte) bool {
	return c > ' ' && c < 0x7f && !isAlnum(c)
}

// Unescape replaces HL7 escape sequences with the text they stand for:
// \F\ \S\ \T\ \R\ \E\ \P\ for the delimiters, \.br\ for a line break and
// \Xhh...\ for raw bytes. Sequences it does not know (highlighting, character
// set switches) and unterminated ones are kept as sent, because dropping them
// would silently change what the lab wrote.
func Unescape(s string, d Delimiters) string {
	esc := d.Escape
	if esc == 0 || strings.IndexByte(s, esc) < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for {
		i := strings.IndexByte(s, esc)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.IndexByte(s[i+1:], esc)
		if j < 0 {
			b.WriteString(s)
			return b.String()
		}
		j += i + 1
		b.WriteString(s[:i])
		seq := s[i+1 : j]
		switch {
		case seq == "F":
			b.WriteByte(d.Field)
		case seq == "S":
			b.WriteByte(d.Component)
		case seq == "T":
			b.WriteByte(d.SubComponent)
		case seq == "R":
			b.WriteByte(d.Repetition)
		case seq == "E":
			b.WriteByte(d.Escape)
		case seq == "P" && d.Truncation != 0:
			b.WriteByte(d.Truncation)
		case seq == ".br":
			b.WriteByte('\n')
		case len(seq) > 1 && seq[0] == 'X' && len(seq)%2 == 1 && isHex(seq[1:]):
			for k := 1; k < len(seq); k += 2 {
				b.WriteByte(unhex(seq[k])<<4 | unhex(seq[k+1]))
			}
		default:
			// Keep the escape character and read on from the next byte: the
			// closing character may really open the next, valid sequence.
			b.WriteByte(esc)
			s = s[i+1:]
			continue
		}
		s = s[j+1:]
	}
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if unhex(s[i]) == 0xff {
			return false
		}
	}
	return true
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10
	}
	return 0xff
}

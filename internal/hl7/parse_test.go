package hl7

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testdata is where the shared ReportStream samples live, relative to this
// package; they are read in place, never copied.
const testdata = "../../../shared/testdata/hl7"

func readTestdata(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(testdata, name))
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

func mustParseOne(t *testing.T, s string) Message {
	t.Helper()
	msgs, err := Parse([]byte(s))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(msgs) != 1 {
		t.Fatalf("Parse: got %d messages, want 1", len(msgs))
	}
	return msgs[0]
}

func TestDelimiters(t *testing.T) {
	tests := []struct {
		name  string
		msg   string
		want  Delimiters
		path  string
		value string
	}{
		{
			name:  "default",
			msg:   "MSH|^~\\&|LAB^Site|F|||20240101||ORU^R01|1|P|2.5.1\rPID|1||ID1||Wang^Fang~Alias^X",
			want:  Delimiters{Field: '|', Component: '^', Repetition: '~', Escape: '\\', SubComponent: '&'},
			path:  "PID-5.2",
			value: "Fang",
		},
		{
			name:  "alternative characters",
			msg:   "MSH$%*!@$LAB%Site$F$$$20240101$$ORU%R01$1$P$2.5.1\rPID$1$$ID1$$Wang%Fang*Alias%X$!S!",
			want:  Delimiters{Field: '$', Component: '%', Repetition: '*', Escape: '!', SubComponent: '@'},
			path:  "PID-5(2).1",
			value: "Alias",
		},
		{
			name:  "truncation character 2.7",
			msg:   "MSH|^~\\&#|LAB|F|||20240101||ORU^R01|1|P|2.7\rNTE|1||a\\P\\b",
			want:  Delimiters{Field: '|', Component: '^', Repetition: '~', Escape: '\\', SubComponent: '&', Truncation: '#'},
			path:  "NTE-3",
			value: "a#b",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustParseOne(t, tt.msg)
			if m.Delims != tt.want {
				t.Errorf("Delims = %+v, want %+v", m.Delims, tt.want)
			}
			if got := m.Value(tt.path); got != tt.value {
				t.Errorf("Value(%q) = %q, want %q", tt.path, got, tt.value)
			}
			if got := m.Type(); got != "ORU^R01" {
				t.Errorf("Type() = %q", got)
			}
		})
	}
	// The alternative escape character must unescape its own sequences.
	m := mustParseOne(t, tests[1].msg)
	if got := m.Value("PID-6"); got != "%" {
		t.Errorf("escaped component separator = %q, want %%", got)
	}
}

func TestLineEndings(t *testing.T) {
	segs := []string{"MSH|^~\\&|LAB|F|||20240101||ORU^R01|1|P|2.5.1", "PID|1||ID1", "OBR|1||F1", "OBX|1|ST|X^Y^LN||NEGATIVE"}
	tests := []struct {
		name string
		data string
	}{
		{"CR", strings.Join(segs, "\r")},
		{"LF", strings.Join(segs, "\n")},
		{"CRLF", strings.Join(segs, "\r\n") + "\r\n"},
		{"mixed", segs[0] + "\r" + segs[1] + "\n" + segs[2] + "\r\n" + segs[3] + "\n"},
		{"blank lines and trailing whitespace", "\n\n" + segs[0] + "  \r\n\r\n" + segs[1] + "\t\n\n" + segs[2] + " \r" + segs[3] + "   \n\n\n"},
		{"MLLP frame", "\x0b" + strings.Join(segs, "\r") + "\r\x1c\r"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustParseOne(t, tt.data)
			var ids []string
			for _, s := range m.All() {
				ids = append(ids, s.ID)
			}
			if got := strings.Join(ids, ","); got != "MSH,PID,OBR,OBX" {
				t.Errorf("segments = %s", got)
			}
			if got := m.Value("OBX-5"); got != "NEGATIVE" {
				t.Errorf("OBX-5 = %q (trailing whitespace must go)", got)
			}
			if strings.ContainsAny(m.Raw, "\x0b\x1c") || !strings.HasPrefix(m.Raw, "MSH|") || !strings.HasSuffix(m.Raw, "NEGATIVE") {
				t.Errorf("Raw = %q", m.Raw)
			}
		})
	}
}

func TestMLLPSeveralFrames(t *testing.T) {
	one := "MSH|^~\\&|LAB|F|||20240101||ORU^R01|1|P|2.5.1\rPID|1||A"
	two := "MSH|^~\\&|LAB|F|||20240101||ORU^R01|2|P|2.5.1\rPID|1||B"
	msgs, err := Parse([]byte("\x0b" + one + "\r\x1c\r\x0b" + two + "\r\x1c\r"))
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 || msgs[0].Value("MSH-10") != "1" || msgs[1].Value("PID-3") != "B" {
		t.Fatalf("got %d messages", len(msgs))
	}
}

func TestFieldAccess(t *testing.T) {
	m := mustParseOne(t, "MSH|^~\\&|APP^1.2.3^ISO|FAC|||20240101||ORU^R01^ORU_R01|1|P|2.5.1\r"+
		"SPM|1|P1&LAB&1.2&ISO^F1&LAB2&3.4&ISO||swab^Swab^SCT~nose^Nose^SCT||||")
	msh, _ := m.Segment("MSH")
	spm, _ := m.Segment("SPM")
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"MSH-1 is the field separator", msh.Field(1), "|"},
		{"MSH-2 is the encoding characters", msh.Field(2), "^~\\&"},
		{"MSH-3 component", msh.Get(3, 2, 0), "1.2.3"},
		{"MSH-9 whole", msh.Field(9), "ORU^R01^ORU_R01"},
		{"MSH-9.3 by path", m.Value("MSH-9.3"), "ORU_R01"},
		{"MSH-12", msh.Value("12"), "2.5.1"},
		{"sub-component", spm.Get(2, 2, 1), "F1"},
		{"sub-component by path", m.Value("SPM-2.1.4"), "ISO"},
		{"second repetition", spm.GetRep(4, 2, 2, 0), "Nose"},
		{"repetition by path", spm.Value("4(2).1"), "nose"},
		{"absent field", spm.Field(30), ""},
		{"absent component", spm.Get(4, 9, 0), ""},
		{"absent repetition", spm.GetRep(4, 3, 1, 0), ""},
		{"absent segment", m.Value("OBX-5"), ""},
		{"bad path", m.Value("SPM-x.1"), ""},
		{"bad repetition path", m.Value("SPM-4(0)"), ""},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
	if n := spm.Repetitions(4); n != 2 {
		t.Errorf("Repetitions(4) = %d, want 2", n)
	}
	if n := len(m.Segments("SPM")); n != 1 {
		t.Errorf("Segments(SPM) = %d", n)
	}
}

func TestUnescape(t *testing.T) {
	d := Delimiters{Field: '|', Component: '^', Repetition: '~', Escape: '\\', SubComponent: '&', Truncation: '#'}
	tests := []struct{ in, want string }{
		{`plain`, `plain`},
		{`a\F\b`, `a|b`},
		{`a\S\b`, `a^b`},
		{`a\T\b`, `a&b`},
		{`a\R\b`, `a~b`},
		{`a\E\b`, `a\b`},
		{`a\P\b`, `a#b`},
		{`one\.br\two`, "one\ntwo"},
		{`\.br\\.br\`, "\n\n"},
		{`\X41424344\`, `ABCD`},
		{`\Xe4b8ad\`, "中"[:3]},
		{`\X4\`, `\X4\`},
		{`\XZZ\`, `\XZZ\`},
		{`\H\bold\N\`, `\H\bold\N\`},
		{`unknown \Q\ kept`, `unknown \Q\ kept`},
		{`unterminated \F`, `unterminated \F`},
		{`\zz \F\`, `\zz |`},
		{`\\`, `\\`},
	}
	for _, tt := range tests {
		if got := Unescape(tt.in, d); got != tt.want {
			t.Errorf("Unescape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	d.Truncation = 0
	if got := Unescape(`\P\`, d); got != `\P\` {
		t.Errorf("\\P\\ without a truncation character = %q, want it kept", got)
	}
}

func TestMalformed(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		segment string
		index   int
		field   int
		text    string
	}{
		{"empty", "", "", 0, 0, "no MSH"},
		{"only whitespace", " \r\n\n", "", 0, 0, "no MSH"},
		{"no MSH", "PID|1||X\rOBX|1", "PID", 1, 0, "does not start with MSH"},
		{"MSH alone", "MSH", "MSH", 1, 1, "no field separator"},
		{"alphanumeric field separator", "MSHA^~\\&A", "MSH", 1, 1, "field separator"},
		{"encoding too short", "MSH|^~|X", "MSH", 1, 2, "want 4 or 5"},
		{"encoding too long", "MSH|^~\\&#!|X", "MSH", 1, 2, "want 4 or 5"},
		{"encoding repeats", "MSH|^^\\&|X", "MSH", 1, 2, "repeat"},
		{"encoding repeats field separator", "MSH|^~|&|X", "MSH", 1, 2, "4 or 5"},
		{"alphanumeric encoding", "MSH|^~\\A|X", "MSH", 1, 2, "not a printable"},
		{"short segment id", "MSH|^~\\&|X\rPI|1", "", 2, 0, `"PI"`},
		{"long segment id", "MSH|^~\\&|X\rPIDX|1", "", 2, 0, `"PIDX"`},
		{"punctuation in id", "MSH|^~\\&|X\rPID|1\rO-X|1", "", 3, 0, "3 letters or digits"},
		{"bad FHS", "FHS|^~|X\rMSH|^~\\&|X", "FHS", 1, 2, "4 or 5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.data))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v (%T), want *ParseError", err, err)
			}
			if pe.Segment != tt.segment || pe.Index != tt.index || pe.Field != tt.field {
				t.Errorf("got segment %q index %d field %d, want %q %d %d (%v)", pe.Segment, pe.Index, pe.Field, tt.segment, tt.index, tt.field, err)
			}
			if !strings.Contains(err.Error(), tt.text) {
				t.Errorf("err = %q, want it to mention %q", err, tt.text)
			}
		})
	}
	_, err := Parse([]byte("MSH|^~|X"))
	if got, want := err.Error(), `hl7: message 1: segment 1 (MSH) field 2: encoding characters "^~": want 4 or 5 characters`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestBatchWithBrokenMessage(t *testing.T) {
	data := "FHS|^~\\&|SENDER\nBHS|^~\\&|SENDER\n" +
		"MSH|^~\\&|LAB|F|||20240101||ORU^R01|A|P|2.5.1\nPID|1||P1\n" +
		"MSH|^~|LAB|F|||20240101||ORU^R01|B|P|2.5.1\nPID|1||P2\n" +
		"MSH|^~\\&|LAB|F|||20240101||ORU^R01|C|P|2.5.1\nPID|1||P3\nBAD!|x\n" +
		"MSH|^~\\&|LAB|F|||20240101||ORU^R01|D|P|2.5.1\nPID|1||P4\n" +
		"BTS|4\nFTS|1\n"
	b := ParseBatch([]byte(data))
	if b.FileHeader == nil || b.BatchHeader == nil || b.FileHeader.Field(3) != "SENDER" {
		t.Errorf("headers = %v, %v", b.FileHeader, b.BatchHeader)
	}
	var ids []string
	for _, m := range b.Messages {
		ids = append(ids, m.Value("MSH-10"))
	}
	if got := strings.Join(ids, ","); got != "A,D" {
		t.Errorf("messages = %s, want A,D", got)
	}
	if len(b.Errors) != 2 {
		t.Fatalf("errors = %v", b.Errors)
	}
	wants := []struct {
		index int
		text  string
		raw   string
	}{
		{2, "hl7: message 2: segment 1 (MSH) field 2:", "MSH|^~|LAB|F|||20240101||ORU^R01|B|P|2.5.1\nPID|1||P2"},
		{3, "hl7: message 3: segment 3: segment id", "MSH|^~\\&|LAB|F|||20240101||ORU^R01|C|P|2.5.1\nPID|1||P3\nBAD!|x"},
	}
	for i, w := range wants {
		var me *MessageError
		if !errors.As(b.Errors[i], &me) {
			t.Fatalf("error %d is %T", i, b.Errors[i])
		}
		if me.Index != w.index || me.Raw != w.raw || !strings.HasPrefix(me.Error(), w.text) {
			t.Errorf("error %d = %d %q %q", i, me.Index, me.Error(), me.Raw)
		}
		var pe *ParseError
		if !errors.As(me, &pe) {
			t.Errorf("error %d does not wrap a *ParseError", i)
		}
	}
	// Without the trailers the batch reads the same.
	b2 := ParseBatch([]byte(strings.TrimSuffix(data, "BTS|4\nFTS|1\n")))
	if len(b2.Messages) != 2 || len(b2.Errors) != 2 {
		t.Errorf("without trailers: %d messages, %d errors", len(b2.Messages), len(b2.Errors))
	}
}

func TestTestdataParses(t *testing.T) {
	tests := []struct {
		file     string
		messages int
		ids      []string // MSH-10 of each message
		batch    bool
	}{
		{"sample_IL_20240802-0001.hl7", 1, []string{"0bab3f94-feb4-4915-939d-1adc5da201f3"}, false},
		{"FLFHospital-SARSCOV2-20200317-0001.hl7", 1, []string{"04903212"}, false},
		{"CA-20211001-sully.hl7", 1, []string{"6bd0e4ab-63e4-4df9-9832-214c5fa84804"}, false},
		{"batch_message.hl7", 2, []string{"371784", "612092"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b := ParseBatch(readTestdata(t, tt.file))
			if len(b.Errors) > 0 {
				t.Fatalf("errors: %v", b.Errors)
			}
			if len(b.Messages) != tt.messages {
				t.Fatalf("got %d messages, want %d", len(b.Messages), tt.messages)
			}
			for i, m := range b.Messages {
				if got := m.Value("MSH-10"); got != tt.ids[i] {
					t.Errorf("message %d MSH-10 = %q, want %q", i+1, got, tt.ids[i])
				}
				if !strings.HasPrefix(m.Raw, "MSH|") {
					t.Errorf("message %d Raw starts %q", i+1, m.Raw[:10])
				}
			}
			if (b.FileHeader != nil) != tt.batch || (b.BatchHeader != nil) != tt.batch {
				t.Errorf("batch headers present = %v, %v", b.FileHeader != nil, b.BatchHeader != nil)
			}
		})
	}
}

func TestTestdataFLFNoteUnescaped(t *testing.T) {
	msgs, err := Parse(readTestdata(t, "FLFHospital-SARSCOV2-20200317-0001.hl7"))
	if err != nil {
		t.Fatal(err)
	}
	note := msgs[0].Value("NTE-3")
	if strings.Contains(note, `\.br\`) {
		t.Errorf("NTE-3 still escaped: %q", note)
	}
	want := "clinical observations, patient history, and epidemiological information.\n\nThis test has been authorized by FDA"
	if !strings.Contains(note, want) {
		t.Errorf("NTE-3 = %q, want it to contain %q", note, want)
	}
	if raw := msgs[0].Segments("NTE")[0].Raw(3); !strings.Contains(raw, `\.br\\.br\`) {
		t.Errorf("Raw(3) lost the escapes: %q", raw)
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"sample_IL_20240802-0001.hl7", "FLFHospital-SARSCOV2-20200317-0001.hl7", "CA-20211001-sully.hl7", "batch_message.hl7"} {
		f.Add(readTestdata(f, name))
	}
	f.Add([]byte("MSH|^~\\&#|A\rNTE|1||\\X41\\\\.br\\\\P\\"))
	f.Add([]byte("\x0bMSH$%*!@$A\r\x1c\r"))
	f.Fuzz(func(t *testing.T, data []byte) {
		b := ParseBatch(data)
		if len(b.Messages) == 0 && len(b.Errors) == 0 {
			t.Fatal("no messages and no errors")
		}
		for _, err := range b.Errors {
			_ = err.Error()
		}
		for _, m := range b.Messages {
			for _, s := range m.All() {
				for n := 0; n <= s.NumFields()+1; n++ {
					for r := 1; r <= s.Repetitions(n)+1; r++ {
						_ = s.GetRep(n, r, 1, 1)
						_ = s.GetRep(n, r, 2, 0)
					}
				}
			}
			_ = m.Value("OBX-5.1")
			_, _ = Results(m)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	data := readTestdata(b, "sample_IL_20240802-0001.hl7")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		msgs, err := Parse(data)
		if err != nil || len(msgs) != 1 {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

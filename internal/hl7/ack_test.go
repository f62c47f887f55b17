package hl7

import (
	"strings"
	"testing"
	"time"
)

func TestAck(t *testing.T) {
	msg := "MSH|^~\\&|LIS|百色疾控^4510|CORDON|GXCDC|20220205080000+0800||ORU^R01^ORU_R01|MSG0042|P|2.5.1\rPID|1\r"
	now := time.Date(2022, 2, 5, 1, 0, 0, 0, time.UTC)
	ack := Ack([]byte(msg), AckAccept, "1 received | 1 matched", "CDN1", now)
	ms, err := Parse(ack)
	if err != nil || len(ms) != 1 {
		t.Fatalf("the acknowledgement does not parse: %v\n%s", err, ack)
	}
	m := ms[0]
	for path, want := range map[string]string{
		"MSH-3": "CORDON", "MSH-4": "GXCDC", "MSH-5": "LIS", "MSH-6.1": "百色疾控", "MSH-6.2": "4510",
		"MSH-9.1": "ACK", "MSH-9.2": "R01", "MSH-10": "CDN1", "MSH-12": "2.5.1",
		"MSA-1": "AA", "MSA-2": "MSG0042", "MSA-3": "1 received | 1 matched",
	} {
		if got := m.Value(path); got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
	// A message too broken to read still gets an answer.
	nak := string(Ack([]byte("garbage"), AckError, "unreadable", "CDN2", now))
	if !strings.HasPrefix(nak, "MSH|^~\\&|") || !strings.Contains(nak, "\rMSA|AE||unreadable\r") {
		t.Errorf("answer to garbage: %q", nak)
	}
}

func TestEscapeRoundTrip(t *testing.T) {
	d := Delimiters{Field: '|', Component: '^', Repetition: '~', Escape: '\\', SubComponent: '&'}
	for _, s := range []string{`a|b^c~d\e&f`, "plain", `\E\ literal`} {
		if got := Unescape(Escape(s), d); got != s {
			t.Errorf("Unescape(Escape(%q)) = %q", s, got)
		}
	}
}

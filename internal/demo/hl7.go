package demo

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"cordon"
	"cordon/internal/hl7"
)

// labReport is one tube's result as a hospital laboratory's information
// system reports it: the specimen is the tube, named by its barcode; the
// patient is the person of a single tube, or the pool for a pooled tube.
type labReport struct {
	Barcode       string
	Pool          int            // people in the tube
	Name          string         // the person of a single tube
	IDNumber      string         // their citizen ID number
	Outcome       cordon.Outcome // positive or negative
	CtORF1ab, CtN float64        // cycle thresholds, 0 when not amplified
	Collected     time.Time
	Observed      time.Time
}

// oruBatch writes lab reports as an HL7 v2.5.1 batch file: FHS and BHS, one
// ORU^R01 message per tube (MSH, PID, ORC, OBR, the result OBX, an NM OBX
// per Ct value, SPM), then BTS and FTS. Segments end in CR as the standard
// says; text is escaped, so a name holding a delimiter cannot break a field.
type oruBatch struct {
	app, facility string    // the sender: MSH-3 and MSH-4
	at            time.Time // when the batch was written
	body          strings.Builder
	messages      int
}

// The receiver of every report: cordon at the Baise command.
const (
	hl7Receiver         = "CORDON"
	hl7ReceiverFacility = "百色市疫情防控指挥部"
)

// The codes of a SARS-CoV-2 nucleic-acid report (LOINC, SNOMED CT).
var (
	loincPanel  = []string{"94531-1", "SARS-CoV-2 RNA Pnl Resp NAA+probe", "LN"}
	loincResult = []string{"94500-6", "SARS-CoV-2 RNA Resp Ql NAA+probe", "LN"}
	loincCt     = map[string][]string{
		"ORF1ab": {"94511-3", "SARS-CoV-2 ORF1ab Ct Spec Qn NAA+probe", "LN"},
		"N":      {"94510-5", "SARS-CoV-2 N gene Ct Spec Qn NAA+probe", "LN"},
	}
	snomedDetected    = []string{"260373001", "Detected", "SCT"}
	snomedNotDetected = []string{"260415000", "Not detected", "SCT"}
	snomedThroatSwab  = []string{"258529004", "Throat swab", "SCT"}
)

// text escapes one value for the standard delimiters.
func text(s string) string { return hl7.Escape(s) }

// comps joins components, each escaped, with ^.
func comps(parts ...string) string {
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = text(p)
	}
	return strings.Join(out, "^")
}

// hl7Time writes a time the way HL7 DTM does, with its offset from UTC in
// China time.
func hl7Time(t time.Time) string { return t.In(cordon.ChinaTime).Format("20060102150405-0700") }

// segment writes one segment of fields that are already encoded.
func segment(b *strings.Builder, id string, fields ...string) {
	b.WriteString(id)
	for _, f := range fields {
		b.WriteByte('|')
		b.WriteString(f)
	}
	b.WriteByte('\r')
}

// header writes MSH, FHS or BHS, whose first field is the encoding
// characters themselves.
func (w *oruBatch) header(b *strings.Builder, id string, rest ...string) {
	fields := append([]string{`^~\&`, text(w.app), text(w.facility), hl7Receiver, text(hl7ReceiverFacility), hl7Time(w.at)}, rest...)
	segment(b, id, fields...)
}

// add writes one tube's report as an ORU^R01 message.
func (w *oruBatch) add(r labReport) {
	w.messages++
	b := &w.body
	control := fmt.Sprintf("%s%04d", w.at.In(cordon.ChinaTime).Format("20060102150405"), w.messages)
	w.header(b, "MSH", "", comps("ORU", "R01", "ORU_R01"), control, "P", "2.5.1", "", "", "NE", "NE", "CHN", "UNICODE UTF-8")

	// The patient: the person of a single tube, named by their citizen ID;
	// for a pooled tube, the pool, named by the tube.
	if r.Pool <= 1 && r.IDNumber != "" {
		name := []rune(r.Name)
		family, given := "", ""
		if len(name) > 0 {
			family, given = string(name[:1]), string(name[1:])
		}
		birth, sex := "", "F"
		if len(r.IDNumber) == 18 {
			birth = r.IDNumber[6:14]
			if (r.IDNumber[16]-'0')%2 == 1 {
				sex = "M"
			}
		}
		segment(b, "PID", "1", "", comps(r.IDNumber, "", "", "CHN", "NI"), "", comps(family, given, "", "", "", "", "L"), "", birth, sex)
	} else {
		segment(b, "PID", "1", "", comps(r.Barcode, "", "", w.facility, "PI"), "", comps("混采", strconv.Itoa(r.Pool)+"人"))
	}
	accession := "A" + control
	segment(b, "ORC", "RE", text(r.Barcode), text(accession))
	obr := make([]string, 25)
	obr[0], obr[1], obr[2], obr[3] = "1", text(r.Barcode), text(accession), comps(loincPanel...)
	obr[6], obr[21], obr[24] = hl7Time(r.Collected), hl7Time(r.Observed), "F"
	segment(b, "OBR", obr...)

	value, flag := snomedNotDetected, "N"
	if r.Outcome == cordon.OutcomePositive {
		value, flag = snomedDetected, "A"
	}
	observed := hl7Time(r.Observed)
	obx := func(set int, valueType string, code []string, value, units, flag string) {
		segment(b, "OBX", strconv.Itoa(set), valueType, comps(code...), "", value, units, "", flag, "", "", "F", "", "", observed)
	}
	obx(1, "CWE", loincResult, comps(value...), "", flag)
	set := 1
	for _, ct := range []struct {
		target string
		value  float64
	}{{"ORF1ab", r.CtORF1ab}, {"N", r.CtN}} {
		if ct.value > 0 {
			set++
			obx(set, "NM", loincCt[ct.target], strconv.FormatFloat(ct.value, 'f', -1, 64), comps("{Ct_value}", "", "UCUM"), "")
		}
	}
	spm := make([]string, 17)
	spm[0], spm[1], spm[3], spm[16] = "1", comps(r.Barcode, r.Barcode), comps(snomedThroatSwab...), hl7Time(r.Collected)
	segment(b, "SPM", spm...)
}

// bytes returns the batch file.
func (w *oruBatch) bytes() []byte {
	var b strings.Builder
	w.header(&b, "FHS")
	w.header(&b, "BHS")
	b.WriteString(w.body.String())
	segment(&b, "BTS", strconv.Itoa(w.messages))
	segment(&b, "FTS", "1")
	return []byte(b.String())
}

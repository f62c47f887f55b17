package hl7

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Outcome is what a SARS-CoV-2 test found, reduced to the few values the
// platform acts on whatever vocabulary the lab used (SNOMED CT, plain text).
type Outcome string

const (
	Positive       Outcome = "positive"
	Negative       Outcome = "negative"
	PooledPositive Outcome = "pooled_positive" // detected in a pooled specimen: every member needs a retest
	PooledNegative Outcome = "pooled_negative"
	Invalid        Outcome = "invalid" // the lab could not give a result (invalid, inconclusive, unsatisfactory specimen)
	Unknown        Outcome = "unknown" // a result row whose value we cannot read: a person must look
)

// LabResult is one SARS-CoV-2 result taken from an ORU^R01 message, in the
// terms the platform matches against tubes and persons.
type LabResult struct {
	SpecimenID string // SPM-2 (filler-assigned, else placer-assigned), else OBR-3, else OBR-2
	Test       string // LOINC code, or the sender's local code when it gives no LOINC
	TestName   string
	Outcome    Outcome
	ValueText  string // OBX-5 as sent (unescaped), for the inbox and audit
	// Observed is OBX-14, else OBR-7, else SPM-17. A time without a UTC
	// offset is taken as UTC: the platform stores UTC and senders that omit
	// the offset give no reliable way to know theirs.
	Observed    time.Time
	Ct          map[string]float64 // cycle thresholds by target gene (ORF1ab, N, E, RdRp, S) or by code; nil if none
	PatientName string             // PID-5 as "family given", for display only
}

// resultCodes are LOINC codes whose OBX rows are results even when the value
// is unreadable (which then yields Unknown rather than dropping the row).
var resultCodes = map[string]bool{
	"94500-6": true, // SARS-CoV-2 RNA presence, NAA with probe detection
	"94309-2": true, // SARS-CoV-2 RNA presence, NAA (unspecified specimen)
	"94533-7": true, // SARS-CoV-2 N gene presence, NAA
	"94534-5": true, // SARS-CoV-2 RdRp gene presence, NAA
	"94502-2": true, // SARS-related coronavirus RNA presence, NAA
	"94558-4": true, // SARS-CoV-2 antigen presence, rapid immunoassay
}

// panelCodes are order codes whose results are reported in child OBX rows, so
// the OBR itself never carries an outcome.
var panelCodes = map[string]bool{
	"94531-1": true, // SARS-CoV-2 RNA panel
}

// askAtOrderEntry are LOINC codes of questions asked when the test was
// ordered (employment, symptoms, pregnancy...). Their answers are not results
// even when an answer happens to read like one.
var askAtOrderEntry = map[string]bool{
	"95418-0": true, "95417-2": true, "95419-8": true, "95420-6": true, "95421-4": true,
	"65222-2": true, "11368-8": true, "77974-4": true, "82810-3": true, "75325-1": true,
	"75617-1": true, "86947-9": true, "30525-0": true, "21612-7": true,
}

// snomedOutcomes maps the SNOMED CT result concepts ELR senders use.
var snomedOutcomes = map[string]Outcome{
	"260373001":       Positive,       // Detected
	"10828004":        Positive,       // Positive
	"260415000":       Negative,       // Not detected
	"260385009":       Negative,       // Negative
	"462371000124108": PooledPositive, // Detected in pooled specimen
	"895231008":       PooledNegative, // Not detected in pooled specimen
	"455371000124106": Invalid,        // Invalid result
	"419984006":       Invalid,        // Inconclusive
	"82334004":        Invalid,        // Indeterminate
	"125154007":       Invalid,        // Specimen unsatisfactory for evaluation
}

// textOutcomes maps the plain-text values older senders put in ST rows or in
// the text of a CWE without a code, after upper-casing and collapsing spaces.
var textOutcomes = map[string]Outcome{
	"POSITIVE": Positive, "DETECTED": Positive, "POS": Positive,
	"NEGATIVE": Negative, "NOT DETECTED": Negative, "UNDETECTED": Negative, "NEG": Negative,
	"DETECTED IN POOLED SPECIMEN":     PooledPositive,
	"NOT DETECTED IN POOLED SPECIMEN": PooledNegative,
	"INVALID":                         Invalid, "INCONCLUSIVE": Invalid, "INDETERMINATE": Invalid,
}

// Results extracts the SARS-CoV-2 results of an ORU^R01 message. Rows that are
// not results (order-entry questions, specimen observations, notes) are
// skipped rather than reported, because every real-world sender adds some.
// It fails only when the message is not a lab report at all. Times without a
// UTC offset are taken as UTC; ResultsIn takes them in the senders' zone.
func Results(m Message) ([]LabResult, error) { return ResultsIn(m, time.UTC) }

// ResultsIn is Results for senders whose times without an offset are in
// the zone local (HL7 v2 reads such a time as the sender's local time).
func ResultsIn(m Message, local *time.Location) ([]LabResult, error) {
	if t := m.Type(); t != "ORU^R01" {
		return nil, fmt.Errorf("hl7: message type %q is not ORU^R01", t)
	}
	var (
		patient string
		out     []LabResult
		g       *order
	)
	finish := func() {
		if g != nil {
			out = appendResults(out, g, patient, local)
		}
		g = nil
	}
	for _, s := range m.All() {
		switch s.ID {
		case "PID":
			patient = strings.TrimSpace(s.Get(5, 1, 1) + " " + s.Get(5, 2, 0))
		case "ORC":
			finish()
		case "OBR":
			if g != nil && g.obr.ID != "" {
				finish()
			}
			if g == nil {
				g = &order{}
			}
			g.obr = s
		case "SPM":
			if g == nil {
				g = &order{}
			}
			if g.spm.ID == "" {
				g.spm = s
			}
			g.inSpecimen = true
		case "OBX":
			// OBX rows after SPM belong to the specimen group: in ELR 2.5.1
			// that is where ask-at-order-entry answers go.
			if g == nil || g.inSpecimen {
				continue
			}
			g.obx = append(g.obx, s)
		}
	}
	finish()
	return out, nil
}

// order is one OBR group: the order, its observations and its specimen.
type order struct {
	obr, spm   Segment
	obx        []Segment
	inSpecimen bool
}

func appendResults(out []LabResult, g *order, patient string, local *time.Location) []LabResult {
	specimen := firstNonEmpty(g.spm.Get(2, 2, 1), g.spm.Get(2, 1, 1), g.obr.Get(3, 1, 0), g.obr.Get(2, 1, 0))
	var ct map[string]float64
	start := len(out)
	for _, x := range g.obx {
		if strings.EqualFold(strings.TrimSpace(x.Field(29)), "QST") {
			continue
		}
		code, name := observationCode(x)
		if askAtOrderEntry[code] || panelCodes[code] {
			continue
		}
		valueType := strings.TrimSpace(x.Field(2))
		if valueType == "NM" && isCt(name) {
			v, err := strconv.ParseFloat(strings.TrimSpace(x.Field(5)), 64)
			if err != nil {
				continue
			}
			if ct == nil {
				ct = map[string]float64{}
			}
			ct[ctTarget(name, code)] = v
			continue
		}
		outcome, recognised := valueOutcome(x)
		if !resultCodes[code] && !recognised {
			continue
		}
		observed, ok := parseTime(x.Get(14, 1, 0), local)
		if !ok {
			observed, ok = parseTime(g.obr.Get(7, 1, 0), local)
		}
		if !ok {
			observed, _ = parseTime(g.spm.Get(17, 1, 0), local)
		}
		r := LabResult{
			SpecimenID:  specimen,
			Test:        code,
			TestName:    name,
			Outcome:     outcome,
			ValueText:   x.Field(5),
			Observed:    observed,
			PatientName: patient,
		}
		if !containsResult(out[start:], r) {
			out = append(out, r)
		}
	}
	// Ct rows qualify the result rows of the same order; one map is shared
	// because they describe the same amplification run.
	for i := start; i < len(out); i++ {
		out[i].Ct = ct
	}
	return out
}

// containsResult reports a row the lab sent twice (duplicate OBX set ids are
// common), so it is reported once.
func containsResult(rs []LabResult, r LabResult) bool {
	for _, o := range rs {
		if o.SpecimenID == r.SpecimenID && o.Test == r.Test && o.ValueText == r.ValueText && o.Observed.Equal(r.Observed) {
			return true
		}
	}
	return false
}

// observationCode returns the LOINC code of OBX-3, looking in the alternate
// identifier (components 4-6) when the primary one is a local code, as
// hospital systems send it.
func observationCode(x Segment) (code, name string) {
	id, text, sys := strings.TrimSpace(x.Get(3, 1, 0)), strings.TrimSpace(x.Get(3, 2, 0)), x.Get(3, 3, 0)
	altID, altText, altSys := strings.TrimSpace(x.Get(3, 4, 0)), strings.TrimSpace(x.Get(3, 5, 0)), x.Get(3, 6, 0)
	if !isLOINC(sys) && isLOINC(altSys) && altID != "" {
		return altID, firstNonEmpty(altText, text)
	}
	return id, firstNonEmpty(text, altText)
}

func isLOINC(system string) bool {
	s := strings.ToUpper(strings.TrimSpace(system))
	return s == "LN" || s == "LOINC"
}

// valueOutcome reads OBX-5: a SNOMED CT code first, then the text.
func valueOutcome(x Segment) (Outcome, bool) {
	if o, ok := snomedOutcomes[strings.TrimSpace(x.Get(5, 1, 0))]; ok {
		return o, true
	}
	if o, ok := snomedOutcomes[strings.TrimSpace(x.Get(5, 4, 0))]; ok {
		return o, true
	}
	for _, t := range []string{x.Get(5, 2, 0), x.Get(5, 1, 0)} {
		if o, ok := textOutcomes[strings.Join(strings.Fields(strings.ToUpper(t)), " ")]; ok {
			return o, true
		}
	}
	return Unknown, false
}

func isCt(name string) bool {
	n := strings.ToUpper(name)
	if strings.Contains(n, "CYCLE THRESHOLD") {
		return true
	}
	for _, w := range strings.FieldsFunc(name, func(r rune) bool { return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') }) {
		if w == "Ct" || w == "CT" {
			return true
		}
	}
	return false
}

// ctTarget names the gene a Ct row measures, so "ORF1ab Ct" and
// "SARS-CoV-2 N gene Ct value" end up under the keys people read on a
// lab report; anything else keeps its code.
func ctTarget(name, code string) string {
	words := strings.FieldsFunc(strings.ToUpper(name), func(r rune) bool {
		return !('A' <= r && r <= 'Z' || '0' <= r && r <= '9')
	})
	for _, w := range words {
		switch w {
		case "ORF1AB", "ORF1", "ORF1A", "ORF1B":
			return "ORF1ab"
		case "N", "N1", "N2":
			return "N"
		case "E":
			return "E"
		case "RDRP":
			return "RdRp"
		case "S":
			return "S"
		}
	}
	return code
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// parseTime reads an HL7 DTM: YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ].
// Missing parts take their lowest value; a time without an offset is UTC.
func parseTime(s string, local *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	loc := local
	if i := strings.IndexAny(s, "+-"); i >= 0 {
		z := s[i+1:]
		if len(z) != 4 || !allDigits(z) {
			return time.Time{}, false
		}
		h, _ := strconv.Atoi(z[:2])
		mi, _ := strconv.Atoi(z[2:])
		off := h*3600 + mi*60
		if s[i] == '-' {
			off = -off
		}
		loc = time.FixedZone("", off)
		if off == 0 {
			loc = time.UTC
		}
		s = s[:i]
	}
	main, frac, hasFrac := strings.Cut(s, ".")
	if len(main) < 4 || len(main) > 14 || len(main)%2 != 0 || !allDigits(main) {
		return time.Time{}, false
	}
	if hasFrac && (len(main) != 14 || len(frac) < 1 || len(frac) > 4 || !allDigits(frac)) {
		return time.Time{}, false
	}
	parts := []int{0, 1, 1, 0, 0, 0}
	parts[0], _ = strconv.Atoi(main[:4])
	for i, k := 4, 1; i < len(main); i, k = i+2, k+1 {
		parts[k], _ = strconv.Atoi(main[i : i+2])
	}
	ns := 0
	if hasFrac {
		ns, _ = strconv.Atoi((frac + "000000000")[:9])
	}
	if parts[1] < 1 || parts[1] > 12 || parts[2] < 1 || parts[2] > 31 || parts[3] > 23 || parts[4] > 59 || parts[5] > 59 {
		return time.Time{}, false
	}
	t := time.Date(parts[0], time.Month(parts[1]), parts[2], parts[3], parts[4], parts[5], ns, loc)
	if t.Day() != parts[2] {
		return time.Time{}, false // 31 February and the like
	}
	return t, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

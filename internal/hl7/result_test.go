package hl7

import (
	"strings"
	"testing"
	"time"
)

func TestResultsTestdata(t *testing.T) {
	tests := []struct {
		file string
		want []LabResult
	}{
		{
			// Panel 94531-1: the result is the 94500-6 child row.
			file: "sample_IL_20240802-0001.hl7",
			want: []LabResult{{
				SpecimenID: "0bab3f94-feb4-4915-939d-1adc5da201f3", Test: "94500-6", Outcome: Positive,
				ValueText: "260373001^Detected^SCT", Observed: time.Date(2024, 6, 5, 18, 39, 58, 0, time.UTC),
				PatientName: "Granger Hermione",
			}},
		},
		{
			// Local code SARS2 with LOINC as alternate; plain-text NEGATIVE;
			// no SPM in 2.3, so the filler order number identifies the specimen.
			file: "FLFHospital-SARSCOV2-20200317-0001.hl7",
			want: []LabResult{{
				SpecimenID: "2107662558", Test: "94500-6", Outcome: Negative, ValueText: "NEGATIVE",
				Observed: time.Date(2021, 3, 17, 11, 50, 59, 0, time.UTC), PatientName: "X7TEST DONOTUSE",
			}},
		},
		{
			// The AOE rows after SPM, duplicates included, are not results.
			file: "CA-20211001-sully.hl7",
			want: []LabResult{{
				SpecimenID: "445c148beb2f4a", Test: "94500-6", Outcome: Positive, ValueText: "260373001^DETECTED^SCT",
				Observed: time.Date(2021, 1, 11, 0, 0, 0, 0, time.UTC), PatientName: "Meree Joseph",
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			msgs, err := Parse(readTestdata(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := Results(msgs[0])
			if err != nil {
				t.Fatal(err)
			}
			checkResults(t, got, tt.want)
		})
	}
}

func TestResultsBatchTestdata(t *testing.T) {
	msgs, err := Parse(readTestdata(t, "batch_message.hl7"))
	if err != nil {
		t.Fatal(err)
	}
	cst := time.FixedZone("", -6*3600)
	want := [][]LabResult{
		{{SpecimenID: "0cba76f5-35e0-4a28-803a-2f31308aae9b", Test: "94558-4", Outcome: Negative, ValueText: "260415000^Not detected^SCT",
			Observed: time.Date(2021, 2, 9, 0, 0, 0, 0, cst), PatientName: "Buckridge Kareem"}},
		{{SpecimenID: "b518ef23-1d9a-40c1-ac4b-ed7b438dfc4b", Test: "94558-4", Outcome: Negative, ValueText: "260415000^Not detected^SCT",
			Observed: time.Date(2021, 2, 9, 0, 0, 0, 0, cst), PatientName: "Keeling Tyson"}},
	}
	if len(msgs) != len(want) {
		t.Fatalf("got %d messages", len(msgs))
	}
	for i, m := range msgs {
		got, err := Results(m)
		if err != nil {
			t.Fatal(err)
		}
		checkResults(t, got, want[i])
	}
}

// checkResults compares everything but TestName (long and free text) and Ct.
func checkResults(t *testing.T, got, want []LabResult) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d results %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.SpecimenID != w.SpecimenID || g.Test != w.Test || g.Outcome != w.Outcome || g.ValueText != w.ValueText ||
			!g.Observed.Equal(w.Observed) || g.PatientName != w.PatientName {
			t.Errorf("result %d:\n got %+v\nwant %+v", i, g, w)
		}
		if g.TestName == "" {
			t.Errorf("result %d has no test name", i)
		}
	}
}

const msh = "MSH|^~\\&|LAB|F|||20240101||ORU^R01^ORU_R01|1|P|2.5.1\rPID|1||P1||Li^Lei\r"

func TestResultsOutcomes(t *testing.T) {
	tests := []struct {
		name string
		obx  string
		want Outcome // "" for no result
	}{
		{"SNOMED detected", "OBX|1|CWE|94309-2^SARS-CoV-2 RNA^LN||260373001^Detected^SCT", Positive},
		{"SNOMED not detected", "OBX|1|CWE|94533-7^N gene^LN||260415000^Not detected^SCT", Negative},
		{"SNOMED pooled positive", "OBX|1|CWE|94534-5^RdRp gene^LN||462371000124108^Detected in pooled specimen^SCT", PooledPositive},
		{"SNOMED pooled negative", "OBX|1|CWE|94500-6^RNA^LN||895231008^Not detected in pooled specimen^SCT", PooledNegative},
		{"plain POSITIVE", "OBX|1|ST|94500-6^RNA^LN||POSITIVE", Positive},
		{"plain lower case, trailing spaces", "OBX|1|ST|94500-6^RNA^LN||not  detected   ", Negative},
		{"plain Detected on a local code", "OBX|1|ST|COV^Covid PCR^L||Detected", Positive},
		{"invalid", "OBX|1|ST|94500-6^RNA^LN||Invalid", Invalid},
		{"known code, unreadable value", "OBX|1|ST|94500-6^RNA^LN||see note", Unknown},
		{"AOE question", "OBX|1|CWE|95418-0^Employed in healthcare^LN||Y^Yes^HL70136", ""},
		{"AOE code whose answer reads like a result", "OBX|1|ST|11368-8^Illness onset^LN||POSITIVE", ""},
		{"QST observation type", "OBX|1|CWE|12345-6^Prior test^LN||260373001^Detected^SCT||||||F||||||||||||||||||QST", ""},
		{"unknown code, unknown value", "OBX|1|NM|30525-0^Age^LN||34", ""},
		{"panel row", "OBX|1|CWE|94531-1^Panel^LN||260373001^Detected^SCT", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustParseOne(t, msh+"OBR|1||F1|94531-1^Panel^LN|||20240102\r"+tt.obx)
			got, err := Results(m)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == "" {
				if len(got) != 0 {
					t.Errorf("got %+v, want no result", got)
				}
				return
			}
			if len(got) != 1 || got[0].Outcome != tt.want {
				t.Fatalf("got %+v, want one %s", got, tt.want)
			}
			if got[0].SpecimenID != "F1" || got[0].PatientName != "Li Lei" {
				t.Errorf("specimen %q patient %q", got[0].SpecimenID, got[0].PatientName)
			}
		})
	}
}

func TestResultsCtAndDuplicates(t *testing.T) {
	m := mustParseOne(t, msh+
		"OBR|1||F1|94531-1^Panel^LN|||20240102\r"+
		"OBX|1|CWE|94500-6^RNA^LN||260373001^Detected^SCT||||||F|||20240103101500+0800\r"+
		"OBX|1|CWE|94500-6^RNA^LN||260373001^Detected^SCT||||||F|||20240103101500+0800\r"+
		"OBX|2|NM|ORF^ORF1ab Ct value^L||24.5\r"+
		"OBX|3|NM|NCT^N gene cycle threshold^L||26\r"+
		"OBX|4|NM|XCT^Internal control Ct^L||30.1\r"+
		"SPM|1|P9^F9|||||||||||||||20240101\r"+
		"OBX|5|CWE|94500-6^RNA^LN||260415000^Not detected^SCT")
	got, err := Results(m)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("got %d results %+v, want 1 (duplicate and specimen-group rows dropped)", len(got), got)
	}
	r := got[0]
	if r.SpecimenID != "F9" {
		t.Errorf("SpecimenID = %q, want filler-assigned F9", r.SpecimenID)
	}
	if want := time.Date(2024, 1, 3, 2, 15, 0, 0, time.UTC); !r.Observed.Equal(want) {
		t.Errorf("Observed = %v, want %v", r.Observed, want)
	}
	wantCt := map[string]float64{"ORF1ab": 24.5, "N": 26, "XCT": 30.1}
	if len(r.Ct) != len(wantCt) {
		t.Errorf("Ct = %v, want %v", r.Ct, wantCt)
	}
	for k, v := range wantCt {
		if r.Ct[k] != v {
			t.Errorf("Ct[%s] = %v, want %v", k, r.Ct[k], v)
		}
	}
}

func TestResultsObservedFallback(t *testing.T) {
	tests := []struct {
		name string
		data string
		want time.Time
	}{
		{"OBR-7", msh + "OBR|1||F1|94500-6^RNA^LN|||202401021030\rOBX|1|ST|94500-6^RNA^LN||NEGATIVE", time.Date(2024, 1, 2, 10, 30, 0, 0, time.UTC)},
		{"SPM-17", msh + "OBR|1||F1\rOBX|1|ST|94500-6^RNA^LN||NEGATIVE\rSPM|1|S1|||||||||||||||20240105-0500^20240106", time.Date(2024, 1, 5, 5, 0, 0, 0, time.UTC)},
		{"fraction", msh + "OBR|1||F1\rOBX|1|ST|94500-6^RNA^LN||NEGATIVE||||||F|||20240102103000.25", time.Date(2024, 1, 2, 10, 30, 0, 250e6, time.UTC)},
		{"none", msh + "OBR|1||F1\rOBX|1|ST|94500-6^RNA^LN||NEGATIVE||||||F|||2024-01-02", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Results(mustParseOne(t, tt.data))
			if err != nil || len(got) != 1 {
				t.Fatalf("got %+v, %v", got, err)
			}
			if !got[0].Observed.Equal(tt.want) {
				t.Errorf("Observed = %v, want %v", got[0].Observed, tt.want)
			}
		})
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2024", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"202406", time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), true},
		{"20240605183958+0000", time.Date(2024, 6, 5, 18, 39, 58, 0, time.UTC), true},
		{"20240605183958+0800", time.Date(2024, 6, 5, 10, 39, 58, 0, time.UTC), true},
		{"20240230", time.Time{}, false},
		{"2024060", time.Time{}, false},
		{"20240605+08", time.Time{}, false},
		{"", time.Time{}, false},
	}
	for _, tt := range tests {
		got, ok := parseTime(tt.in, time.UTC)
		if ok != tt.ok || !got.Equal(tt.want) {
			t.Errorf("parseTime(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestResultsRejectsOtherTypes(t *testing.T) {
	_, err := Results(mustParseOne(t, "MSH|^~\\&|A|B|||20240101||ADT^A01|1|P|2.5.1"))
	if err == nil || !strings.Contains(err.Error(), "ADT^A01") {
		t.Errorf("err = %v", err)
	}
}

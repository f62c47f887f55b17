package cordon

import (
	"encoding/json"
	"testing"
	"time"
)

func TestEditionsShipped(t *testing.T) {
	for _, key := range []string{"cn-8", "cn-9", "cn-20", "cn-10new", "gx-2022-01"} {
		if _, ok := Edition(key); !ok {
			t.Errorf("edition %s missing", key)
		}
	}
	gx, _ := Edition("gx-2022-01")
	// Guangxi amends cn-8: its own contact window, cn-8's measures.
	if gx.Contacts.WindowDays != 4 || !gx.Contacts.Secondary || gx.Measures["close_contact"].CentralisedDays != 14 {
		t.Errorf("gx-2022-01 = %+v", gx)
	}
	if gx.National || gx.Arrivals.ReportBeforeHours != 24 {
		t.Errorf("gx-2022-01 national %v arrivals %+v", gx.National, gx.Arrivals)
	}
	cn20, _ := Edition("cn-20")
	if cn20.Contacts.Secondary || cn20.Measures["secondary_contact"] != nil || cn20.Measures["medium_risk_area"] != nil {
		t.Errorf("cn-20 still identifies secondary contacts or medium areas: %+v", cn20)
	}
	if got := cn20.Measures["close_contact"]; got.CentralisedDays != 5 || len(got.Tests) != 4 {
		t.Errorf("cn-20 close contact = %+v", got)
	}
	cn9, _ := Edition("cn-9")
	if !cn9.Contacts.UpgradeSecondary || cn9.Contacts.WindowDays != 4 || cn9.ScanIns.RetentionDays != 28 {
		t.Errorf("cn-9 = %+v", cn9)
	}
}

func TestNationalEdition(t *testing.T) {
	for day, want := range map[string]string{
		"2022-02-04": "cn-8", "2022-06-27": "cn-8", "2022-06-28": "cn-9", "2022-11-11": "cn-20",
		"2022-12-07": "cn-10new", "2020-01-01": "cn-8",
	} {
		at, _ := time.ParseInLocation(time.DateOnly, day, ChinaTime)
		if got := NationalEdition(at.Add(time.Hour)).Key; got != want {
			t.Errorf("%s: %s, want %s", day, got, want)
		}
	}
}

func TestPolicyInForce(t *testing.T) {
	raw := func(s string) json.RawMessage { return json.RawMessage(s) }
	as := []PolicyAssignment{
		{Jurisdiction: "450000", From: "2022-01-18", Edition: "gx-2022-01"},
		{Jurisdiction: "450100", From: "2022-01-18", Overrides: map[string]json.RawMessage{"arrivals.ordinary_test_mandatory": raw("true")}},
		{Jurisdiction: "451000", From: "2022-02-01", Overrides: map[string]json.RawMessage{"scan_ins.retention_days": raw("60")}},
		{Jurisdiction: "451000", From: "2022-03-01", Overrides: map[string]json.RawMessage{"scan_ins.retention_days": raw("14")}},
	}
	day := func(s string) time.Time {
		d, _ := time.ParseInLocation(time.DateOnly, s, ChinaTime)
		return d.Add(12 * time.Hour)
	}
	nanning, err := PolicyInForce("450102", day("2022-02-05"), as)
	if err != nil || nanning.Key != "gx-2022-01" || !nanning.Arrivals.OrdinaryTestMandatory {
		t.Fatalf("Nanning: %+v %v", nanning.Arrivals, err)
	}
	debao, _ := PolicyInForce("451024", day("2022-02-05"), as)
	if debao.Arrivals.OrdinaryTestMandatory || debao.ScanIns.RetentionDays != 60 {
		t.Errorf("Debao: %+v %+v", debao.Arrivals, debao.ScanIns)
	}
	if later, _ := PolicyInForce("451024", day("2022-03-05"), as); later.ScanIns.RetentionDays != 14 {
		t.Errorf("the later assignment of Baise did not replace the earlier: %d", later.ScanIns.RetentionDays)
	}
	if before, _ := PolicyInForce("451024", day("2022-01-10"), as); before.Key != "cn-8" {
		t.Errorf("before the Guangxi rules: %s", before.Key)
	}
	if elsewhere, _ := PolicyInForce("110101", day("2022-02-05"), as); elsewhere.Key != "cn-8" || elsewhere.Contacts.WindowDays != 2 {
		t.Errorf("Beijing: %s window %d", elsewhere.Key, elsewhere.Contacts.WindowDays)
	}
}

// The deepest assignment's edition wins whatever the order of the input,
// and a later override-only assignment keeps its place's edition.
func TestPolicyInForceDepth(t *testing.T) {
	raw := func(s string) map[string]json.RawMessage {
		return map[string]json.RawMessage{"scan_ins.retention_days": json.RawMessage(s)}
	}
	as := []PolicyAssignment{
		{Jurisdiction: "451000", From: "2022-01-01", Edition: "cn-20", Overrides: raw("20")},
		{Jurisdiction: Nationwide, From: "2022-01-01", Edition: "cn-9", Overrides: raw("40")},
		{Jurisdiction: "450000", From: "2022-01-01", Edition: "cn-8", Overrides: raw("30")},
		{Jurisdiction: "450000", From: "2022-02-01", Overrides: raw("35")},
	}
	at := time.Date(2022, 2, 5, 12, 0, 0, 0, ChinaTime)
	for range 50 {
		for i := range as {
			j := (i * 7) % len(as)
			as[i], as[j] = as[j], as[i]
		}
		p, err := PolicyInForce("451024", at, as)
		if err != nil || p.Key != "cn-20" || p.ScanIns.RetentionDays != 20 {
			t.Fatalf("Debao: %s retention %d %v", p.Key, p.ScanIns.RetentionDays, err)
		}
		p, _ = PolicyInForce("450102", at, as)
		if p.Key != "cn-8" || p.ScanIns.RetentionDays != 35 {
			t.Fatalf("Nanning: %s retention %d", p.Key, p.ScanIns.RetentionDays)
		}
		p, _ = PolicyInForce("110101", at, as)
		if p.Key != "cn-9" || p.ScanIns.RetentionDays != 40 {
			t.Fatalf("Beijing: %s retention %d", p.Key, p.ScanIns.RetentionDays)
		}
	}
}

func TestOverride(t *testing.T) {
	cn8, _ := Edition("cn-8")
	got, err := cn8.Override(map[string]json.RawMessage{"contacts.window_days": json.RawMessage("4")})
	if err != nil || got.Contacts.WindowDays != 4 || cn8.Contacts.WindowDays != 2 {
		t.Fatalf("override: %d %v (edition now %d)", got.Contacts.WindowDays, err, cn8.Contacts.WindowDays)
	}
	for name, vals := range map[string]map[string]json.RawMessage{
		"not a choice":  {"contacts.window_days": json.RawMessage("3")},
		"unknown path":  {"measures.close_contact": json.RawMessage("{}")},
		"wrong type":    {"scan_ins.retention_days": json.RawMessage(`"a month"`)},
		"out of range":  {"scan_ins.retention_days": json.RawMessage("0")},
		"negative hour": {"clocks.report_hours": json.RawMessage("-1")},
	} {
		if _, err := cn8.Override(vals); ErrorCode(err) == "" {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestContactWindow(t *testing.T) {
	cn9, _ := Edition("cn-9")
	c := Case{Classification: Confirmed, OnsetDate: "2022-02-03", SamplingDate: "2022-02-04"}
	from, _ := cn9.ContactWindow(c, time.Time{})
	if got := from.Format(time.DateOnly); got != "2022-01-30" {
		t.Errorf("symptomatic window from %s", got)
	}
	c.Classification, c.OnsetDate = Asymptomatic, ""
	if from, _ = cn9.ContactWindow(c, time.Time{}); from.Format(time.DateOnly) != "2022-01-31" {
		t.Errorf("asymptomatic window from %s", from.Format(time.DateOnly))
	}
}

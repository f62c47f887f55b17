// Package fhir writes cordon's records as HL7 FHIR R4 JSON, for the systems
// that take case reports in FHIR: a case becomes a Bundle of the Patient,
// the Condition, the Observation of the positive result and, when the
// hospital is known, the Encounter with its Organization.
package fhir

import (
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"cordon"
)

// Code systems and identifiers used.
const (
	// ChineseResidentID is the OID of the resident identity card number in
	// Chinese health information standards (WS 363).
	ChineseResidentID = "urn:oid:2.16.156.10011.1.3"
	snomed            = "http://snomed.info/sct"
	loinc             = "http://loinc.org"
	conditionClinical = "http://terminology.hl7.org/CodeSystem/condition-clinical"
	conditionVerify   = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
	conditionCategory = "http://terminology.hl7.org/CodeSystem/condition-category"
	observationCat    = "http://terminology.hl7.org/CodeSystem/observation-category"
	actCode           = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
	// CaseSystem identifies cordon's case numbers.
	CaseSystem = "urn:cordon:case"
	// DocumentSystem identifies a document number other than a resident
	// ID card (passport, permit) whose type the record does not keep.
	DocumentSystem = "urn:cordon:document"
)

// Result is the positive result a case was opened from.
type Result struct {
	Tube     string
	Sampled  time.Time
	Detected time.Time
	CtORF1ab float64
	CtN      float64
}

// Subject is what FHIR needs of the case's person beyond the case itself.
type Subject struct {
	Sex       cordon.Sex // may be empty
	BirthDate string     // YYYY-MM-DD, may be empty
	Address   string     // full place name, may be empty
}

// CaseBundle builds the Bundle of a case, stamped now. The identity number
// is written only when the case carries it in full (the caller masks it
// for readers who may not have it): a resident ID number under its OID,
// another document under cordon's own system.
func CaseBundle(c cordon.Case, s Subject, r *Result, now time.Time) ([]byte, error) {
	ref := func(kind string) string { return uuidURN(fmt.Sprintf("cordon:case:%d:%s", c.ID, kind)) }
	var entries []any
	add := func(kind string, resource map[string]any) {
		resource["resourceType"] = kind
		resource["id"] = strings.TrimPrefix(ref(kind), "urn:uuid:")
		entries = append(entries, map[string]any{"fullUrl": ref(kind), "resource": resource})
	}

	patient := map[string]any{"name": []any{map[string]any{"text": c.Name}}}
	if n := c.IDNumber; n != "" && !strings.Contains(n, "*") {
		system := DocumentSystem
		if len(n) == 18 && n[17] == cordon.CitizenIDCheck(n[:17]) {
			system = ChineseResidentID
		}
		patient["identifier"] = []any{map[string]any{"system": system, "value": n}}
	}
	if c.Outcome == cordon.Deceased {
		patient["deceasedBoolean"] = true
	}
	switch s.Sex {
	case cordon.SexMale:
		patient["gender"] = "male"
	case cordon.SexFemale:
		patient["gender"] = "female"
	default:
		patient["gender"] = "unknown"
	}
	if s.BirthDate != "" {
		patient["birthDate"] = s.BirthDate
	}
	if s.Address != "" {
		patient["address"] = []any{map[string]any{"text": s.Address, "country": "CN"}}
	}
	add("Patient", patient)

	clinical := "active"
	switch c.Outcome {
	case cordon.Recovered:
		clinical = "resolved"
	case cordon.Deceased:
		clinical = "inactive"
	}
	verification := "confirmed"
	if c.Classification == cordon.Suspected {
		verification = "provisional"
	}
	condition := map[string]any{
		"identifier":         []any{map[string]any{"system": CaseSystem, "value": fmt.Sprint(c.ID)}},
		"clinicalStatus":     concept(conditionClinical, clinical, ""),
		"verificationStatus": concept(conditionVerify, verification, ""),
		"category":           []any{concept(conditionCategory, "encounter-diagnosis", "Encounter Diagnosis")},
		"code": map[string]any{
			"coding": []any{coding(snomed, "840539006", "Disease caused by SARS-CoV-2")},
			"text":   classificationText[c.Classification],
		},
		"subject":      map[string]any{"reference": ref("Patient")},
		"recordedDate": instant(c.ReportedAt),
	}
	if sev, ok := severityCodes[c.Severity]; ok {
		condition["severity"] = concept(snomed, sev[0], sev[1])
	}
	if c.OnsetDate != "" {
		condition["onsetDateTime"] = c.OnsetDate
	}
	var notes []any
	if c.Variant != "" || c.Lineage != "" {
		notes = append(notes, map[string]any{"text": strings.TrimSpace("Variant " + c.Variant + " " + c.Lineage)})
	}
	if c.Origin == cordon.Imported {
		notes = append(notes, map[string]any{"text": "Imported case (境外输入)"})
	}
	if len(notes) > 0 {
		condition["note"] = notes
	}
	if r != nil {
		condition["evidence"] = []any{map[string]any{"detail": []any{map[string]any{"reference": ref("Observation")}}}}
	}
	add("Condition", condition)

	if r != nil {
		obs := map[string]any{
			"status":               "final",
			"category":             []any{concept(observationCat, "laboratory", "Laboratory")},
			"code":                 concept(loinc, "94500-6", "SARS-CoV-2 RNA [Presence] in Respiratory specimen by NAA with probe detection"),
			"subject":              map[string]any{"reference": ref("Patient")},
			"valueCodeableConcept": concept(snomed, "260373001", "Detected"),
			"identifier":           []any{map[string]any{"system": "urn:cordon:tube", "value": r.Tube}},
		}
		if !r.Sampled.IsZero() {
			obs["effectiveDateTime"] = instant(r.Sampled)
		}
		if !r.Detected.IsZero() {
			obs["issued"] = instant(r.Detected)
		}
		var comps []any
		ct := func(code, display string, v float64) {
			if v > 0 {
				comps = append(comps, map[string]any{"code": concept(loinc, code, display),
					"valueQuantity": map[string]any{"value": v, "unit": "{Ct_value}", "system": "http://unitsofmeasure.org", "code": "{Ct_value}"}})
			}
		}
		ct("94511-3", "SARS-CoV-2 ORF1ab region [Cycle Threshold #] in Respiratory specimen by NAA with probe detection", r.CtORF1ab)
		ct("94510-5", "SARS-CoV-2 N gene [Cycle Threshold #] in Respiratory specimen by NAA with probe detection", r.CtN)
		if len(comps) > 0 {
			obs["component"] = comps
		}
		add("Observation", obs)
	}

	if c.Hospital != "" {
		add("Organization", map[string]any{"name": c.Hospital})
		status := "in-progress"
		if c.Outcome != "" {
			status = "finished"
		}
		add("Encounter", map[string]any{
			"status":          status,
			"class":           coding(actCode, "IMP", "inpatient encounter"),
			"subject":         map[string]any{"reference": ref("Patient")},
			"serviceProvider": map[string]any{"reference": ref("Organization")},
			"reasonReference": []any{map[string]any{"reference": ref("Condition")}},
		})
	}
	return json.MarshalIndent(map[string]any{
		"resourceType": "Bundle",
		"id":           strings.TrimPrefix(ref("Bundle"), "urn:uuid:"),
		"type":         "collection",
		"timestamp":    instant(now),
		"entry":        entries,
	}, "", " ")
}

var classificationText = map[cordon.Classification]string{
	cordon.Confirmed:    "COVID-19, confirmed case (确诊病例)",
	cordon.Asymptomatic: "SARS-CoV-2 asymptomatic infection (无症状感染者)",
	cordon.Suspected:    "COVID-19, suspected case (疑似病例)",
}

// severityCodes are the SNOMED CT severities of the clinical types.
var severityCodes = map[cordon.Severity][2]string{
	cordon.Mild:     {"255604002", "Mild"},
	cordon.Moderate: {"6736007", "Moderate"},
	cordon.Severe:   {"24484000", "Severe"},
	cordon.Critical: {"442452003", "Life threatening severity"},
}

func coding(system, code, display string) map[string]any {
	m := map[string]any{"system": system, "code": code}
	if display != "" {
		m["display"] = display
	}
	return m
}

func concept(system, code, display string) map[string]any {
	return map[string]any{"coding": []any{coding(system, code, display)}}
}

func instant(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// uuidURN derives a stable name-based UUID (version 5 layout) from s, so
// that exporting a case twice gives the same resource ids.
func uuidURN(s string) string {
	h := sha1.Sum([]byte(s))
	h[6] = h[6]&0x0f | 0x50
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

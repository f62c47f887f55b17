package cordon_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"cordon"
)

func TestHealthCheckAlerts(t *testing.T) {
	for _, c := range []struct {
		temp     float64
		symptoms []cordon.CheckSymptom
		other    string
		want     []string
	}{
		{36.5, nil, "", nil},
		{37.2, nil, "", nil},
		{37.2, nil, "头痛", nil}, // typed text alone raises none
		{37.3, nil, "", []string{"fever"}},
		{38.6, []cordon.CheckSymptom{cordon.SymptomCough}, "", []string{"fever", "symptom_cough"}},
		{36.8, []cordon.CheckSymptom{cordon.SymptomTasteSmell}, "", []string{"symptom_smell_taste"}},
	} {
		in := cordon.HealthCheckInput{PersonID: 1, Temperature: c.temp, Symptoms: c.symptoms, Other: c.other}
		if err := in.Validate(); err != nil {
			t.Fatalf("%v: %v", c.temp, err)
		}
		got := cordon.HealthCheck{Temperature: in.Temperature, Symptoms: in.Symptoms}.AlertReasons()
		if !slices.Equal(got, c.want) {
			t.Errorf("%.1f %v: alert %v, want %v", c.temp, c.symptoms, got, c.want)
		}
	}
}

func TestHealthCheckValidation(t *testing.T) {
	for _, temp := range []float64{33.9, 43.1, 0, 370} {
		in := cordon.HealthCheckInput{Temperature: temp}
		e, _ := in.Validate().(*cordon.Error)
		if e == nil || e.Code != "healthcheck.temperature_invalid" {
			t.Errorf("%v °C: %v", temp, e)
		}
	}
	for _, temp := range []float64{34.0, 43.0} {
		in := cordon.HealthCheckInput{Temperature: temp}
		if err := in.Validate(); err != nil {
			t.Errorf("%v °C refused: %v", temp, err)
		}
	}
	in := cordon.HealthCheckInput{Temperature: 37.26, Symptoms: []cordon.CheckSymptom{"cough", "fever", "cough"}}
	if err := in.Validate(); err != nil || in.Temperature != 37.3 || !slices.Equal(in.Symptoms, []cordon.CheckSymptom{"fever", "cough"}) {
		t.Errorf("normalised: %v %+v", err, in)
	}
	in = cordon.HealthCheckInput{Temperature: 36.5, Symptoms: []cordon.CheckSymptom{"sneezing"}, Other: strings.Repeat("咳", 101), Source: "robot"}
	e, _ := in.Validate().(*cordon.Error)
	if e == nil || e.Fields["symptoms"] != "healthcheck.symptom_invalid" || e.Fields["other"] != "healthcheck.other_invalid" || e.Fields["source"] != "healthcheck.source_invalid" {
		t.Errorf("bad input: %+v", e)
	}
}

func TestCheckLink(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	now := time.Date(2022, 2, 8, 9, 0, 0, 0, cordon.ChinaTime)
	token := cordon.SignCheckLink(key, 4242, now.AddDate(0, 0, cordon.CheckLinkDays))
	if len(token) != 38 {
		t.Errorf("token %q is %d characters", token, len(token))
	}
	id, until, err := cordon.OpenCheckLink(key, token, now)
	if err != nil || id != 4242 || until.Format(time.DateOnly) != "2022-03-10" {
		t.Fatalf("open: %d %v %v", id, until, err)
	}
	// The last day still works, the next does not.
	if _, _, err := cordon.OpenCheckLink(key, token, time.Date(2022, 3, 10, 23, 59, 0, 0, cordon.ChinaTime)); err != nil {
		t.Errorf("on its last day: %v", err)
	}
	_, _, err = cordon.OpenCheckLink(key, token, time.Date(2022, 3, 11, 0, 0, 1, 0, cordon.ChinaTime))
	wantCode(t, err, "healthcheck.link_expired")

	// Any changed character, a truncation, another key: refused.
	for i := range token {
		c := byte('A')
		if token[i] == 'A' {
			c = 'B'
		}
		tampered := token[:i] + string(c) + token[i+1:]
		if _, _, err := cordon.OpenCheckLink(key, tampered, now); cordon.ErrorCode(err) != "healthcheck.link_invalid" {
			t.Errorf("tampered at %d: %v", i, err)
		}
	}
	for _, bad := range []string{token[:37], "", token + "A", cordon.SignCheckLink([]byte("another key"), 4242, now)} {
		if _, _, err := cordon.OpenCheckLink(key, bad, now); cordon.ErrorCode(err) != "healthcheck.link_invalid" {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

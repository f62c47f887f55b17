package api_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"cordon"
	"cordon/internal/app"
)

func TestInvestigationAPI(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	epi := f.token("debao")
	person, err := f.app.CreatePerson(ctx, app.System, cordon.PersonInput{Name: "黄流调", IDNumber: citizenID("45102419900101123"),
		Residence: "451024", Current: "451024"})
	if err != nil {
		t.Fatal(err)
	}
	var c cordon.Case
	if resp := f.do("POST", "/api/v1/cases", epi, cordon.CaseInput{PersonID: person.ID, Classification: cordon.Asymptomatic}, &c); resp.StatusCode != 201 {
		t.Fatalf("open case: %d", resp.StatusCode)
	}
	path := "/api/v1/cases/" + itoa(c.ID) + "/investigation"

	var inv cordon.Investigation
	if resp := f.do("GET", path, epi, nil, &inv); resp.StatusCode != 200 || inv.Version != 0 || inv.Window.LookbackDays != 14 ||
		len(inv.Window.Days()) != 15 || len(inv.Warnings) != 15 || inv.Itinerary == nil {
		t.Fatalf("empty investigation: %d %+v", resp.StatusCode, inv)
	}

	// Times relative to now: the test runs on the real clock.
	yesterday := time.Now().In(cordon.ChinaTime).AddDate(0, 0, -1)
	day := func(d time.Time, h int) time.Time {
		return time.Date(d.Year(), d.Month(), d.Day(), h, 0, 0, 0, cordon.ChinaTime)
	}
	in := cordon.Investigation{
		Household: []cordon.HouseholdMember{{Name: "黄妻", Relation: "配偶", IDNumber: citizenID("45102419910202124"), Phone: "13911112222"}},
		Itinerary: []cordon.ItineraryEntry{
			{From: day(yesterday, 10), To: day(yesterday, 11), Place: "德保县城关镇农贸市场", Transport: cordon.Transport{Mode: cordon.ModeWalk}},
			{From: day(yesterday, 15), To: day(yesterday, 14), Place: "德保县人民医院"},
		},
	}
	var p problem
	if resp := f.do("PUT", path, epi, in, &p); resp.StatusCode != 422 || p.Code != "itinerary.order" || p.Fields["itinerary.2.to"] != "itinerary.order" {
		t.Errorf("to before from: %d %+v", resp.StatusCode, p)
	}
	in.Itinerary[1].To = day(yesterday, 16)
	if resp := f.do("PUT", path, epi, in, &inv); resp.StatusCode != 200 || inv.Version != 1 || len(inv.Itinerary) != 2 {
		t.Fatalf("save: %d %+v", resp.StatusCode, inv)
	}
	p = problem{}
	if resp := f.do("PUT", path, epi, in, &p); resp.StatusCode != 409 || p.Code != "investigation.changed" {
		t.Errorf("stale save: %d %+v", resp.StatusCode, p)
	}
	p = problem{}
	if resp := f.do("PUT", path, epi, `{"version": 1, "itinerary": [], "flights": []}`, &p); resp.StatusCode != 422 || p.Code != "request.unknown_field" {
		t.Errorf("unknown field: %d %+v", resp.StatusCode, p)
	}
	p = problem{}
	if resp := f.do("POST", path+"/submit", epi, map[string]any{"version": 1}, &p); resp.StatusCode != 422 || p.Code != "investigation.incomplete" ||
		p.Fields["source.kind"] != "source.required" || p.Fields["itinerary.day."+yesterday.Format(time.DateOnly)] != "" {
		t.Errorf("incomplete submission: %d %+v", resp.StatusCode, p)
	}

	// What GET answers can be sent back as it is.
	inv.Investigators = "德保县疾控中心"
	for _, w := range inv.Warnings {
		if w.Code == cordon.WarnDayMissing {
			inv.HomeDays = append(inv.HomeDays, w.Date)
		}
	}
	inv.Source = cordon.Source{Kind: cordon.SourceUnknown, Reasoning: "无外出旅居史，未发现与已知病例的关联。"}
	if resp := f.do("PUT", path, epi, inv, &inv); resp.StatusCode != 200 || inv.Version != 2 {
		t.Fatalf("second save: %d %+v", resp.StatusCode, inv)
	}
	if resp := f.do("POST", path+"/submit", epi, map[string]any{"version": 2}, &inv); resp.StatusCode != 200 || inv.Status != cordon.InvestigationSubmitted {
		t.Fatalf("submit: %d %+v", resp.StatusCode, inv)
	}
	var got cordon.Case
	f.do("GET", "/api/v1/cases/"+itoa(c.ID), epi, nil, &got)
	if got.TrajectoryAt.IsZero() || got.InitialAt.IsZero() {
		t.Errorf("clocks after submission: %+v", got.Clocks)
	}

	resp := f.do("GET", path+"/report.pdf", epi, nil, nil)
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(raw, []byte("%PDF-")) {
		t.Errorf("report: %d %s %.20q", resp.StatusCode, resp.Header.Get("Content-Type"), raw)
	}

	// A commander reads it masked and changes nothing; Nanning does not
	// see it; without a token nothing.
	cmd := f.token("baise")
	var masked cordon.Investigation
	if resp := f.do("GET", path, cmd, nil, &masked); resp.StatusCode != 200 || !masked.Masked || !strings.Contains(masked.Household[0].IDNumber, "*") {
		t.Errorf("commander: %d %+v", resp.StatusCode, masked.Household)
	}
	p = problem{}
	if resp := f.do("PUT", path, cmd, masked, &p); resp.StatusCode != 403 || p.Code != "auth.forbidden" {
		t.Errorf("commander saving: %d %+v", resp.StatusCode, p)
	}
	p = problem{}
	if resp := f.do("GET", path, f.token("nanningepi"), nil, &p); resp.StatusCode != 404 || p.Code != "case.not_found" {
		t.Errorf("Nanning: %d %+v", resp.StatusCode, p)
	}
	if resp := f.do("GET", path+"/report.pdf", f.token("nanningepi"), nil, nil); resp.StatusCode != 404 {
		t.Errorf("Nanning's report: %d", resp.StatusCode)
	}
	if resp := f.do("GET", path, "", nil, nil); resp.StatusCode != 401 {
		t.Errorf("no token: %d", resp.StatusCode)
	}
	p = problem{}
	if resp := f.do("POST", path+"/submit", epi, map[string]any{"version": 3, "part": "lunch"}, &p); resp.StatusCode != 422 || p.Code != "investigation.part_invalid" {
		t.Errorf("unknown part: %d %+v", resp.StatusCode, p)
	}
}

package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"cordon"
	"cordon/internal/app"
)

// arrivalRules puts gx-2022-01 in force in Guangxi with Nanning's mandatory
// 24 h test, and seals 城关镇 of Debao from five days ago.
func arrivalRules(t *testing.T, f *fixture) {
	t.Helper()
	ctx := context.Background()
	if err := f.app.SetPolicy(ctx, app.System, cordon.PolicyAssignment{Jurisdiction: "450000", From: "2022-01-18", Edition: "gx-2022-01"}); err != nil {
		t.Fatal(err)
	}
	if err := f.app.SetPolicy(ctx, app.System, cordon.PolicyAssignment{Jurisdiction: "450100", From: "2022-01-18",
		Overrides: map[string]json.RawMessage{"arrivals.ordinary_test_mandatory": json.RawMessage("true")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.DeclareRiskArea(ctx, app.System, cordon.RiskArea{Tier: "sealed", Jurisdiction: "451024100", Name: "德保县城关镇",
		From: time.Now().Add(-5 * 24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
}

// The arrival endpoints: the public report answers what is owed without
// echoing records; staff record from their channels, list in scope and
// masked by role, read one, see the overdue test and mark it met.
func TestArrivalsAPI(t *testing.T) {
	f := newFixture(t)
	arrivalRules(t, f)
	epi, boss, debao := f.token("nanningepi"), f.token("nanning"), f.token("debao")
	now := time.Now()
	today := now.In(cordon.ChinaTime).Format(time.DateOnly)
	problemOf := func(method, path, token string, body any, status int, code string, field string) {
		t.Helper()
		var p problem
		resp := f.do(method, path, token, body, &p)
		if resp.StatusCode != status || p.Code != code || field != "" && p.Fields[field] == "" {
			t.Errorf("%s %s: %d %+v, want %d %s on %q", method, path, resp.StatusCode, p, status, code, field)
		}
	}

	// From the sealed town: a control order of centralised quarantine.
	sealedID := citizenID("45102419900101003")
	fromSealed := map[string]any{"name": "黄小明", "id_number": sealedID, "phone": "13900000001", "destination": "450103",
		"origin": "451024", "arrived_at": now.Add(-2 * time.Hour), "address": "青秀区民族大道1号",
		"travel": []map[string]string{{"place": "451024100", "from": today, "to": today}}}
	var ans app.ArrivalAnswer
	resp := f.do("POST", "/api/v1/public/arrivals", "", fromSealed, &ans)
	if resp.StatusCode != 201 || ans.Population != cordon.ArrivalRiskArea || ans.Tier != "sealed" || !ans.OnTime {
		t.Fatalf("public report from the sealed town: %d %+v", resp.StatusCode, ans)
	}
	if len(ans.Duties) != 1 || ans.Duties[0].Kind != cordon.ObligationOrder || ans.Duties[0].CentralisedDays != 14 {
		t.Errorf("owed: %+v", ans.Duties)
	}
	raw, _ := json.Marshal(ans)
	for _, leak := range []string{sealedID, "13900000001", "黄小明", "person_id", "sources", "民族大道"} {
		if strings.Contains(string(raw), leak) {
			t.Errorf("the public answer echoes %q: %s", leak, raw)
		}
	}
	if ans.Name != "黄*明" || ans.IDNumber != cordon.MaskDocNumber(sealedID) {
		t.Errorf("masked: %q %q", ans.Name, ans.IDNumber)
	}

	// An ordinary arrival in Nanning owes one test within 24 h, mandatory.
	plain := map[string]any{"name": "李四", "id_number": citizenID("45010319900101002"), "phone": "13900000002", "destination": "450103", "origin": "440300",
		"arrived_at": now.Add(-30 * time.Hour)}
	resp = f.do("POST", "/api/v1/public/arrivals", "", plain, &ans)
	if resp.StatusCode != 201 || ans.Population != cordon.ArrivalOrdinary || len(ans.Duties) != 1 || ans.Duties[0].Kind != cordon.ObligationTest ||
		ans.Duties[0].WithinHours != 24 || !ans.Duties[0].Mandatory {
		t.Fatalf("ordinary: %d %+v", resp.StatusCode, ans)
	}
	if ans.OnTime {
		t.Errorf("a report 30 h after arriving is late under gx-2022-01's 12 h")
	}

	// Bad input: each with its stable code and field.
	bad := func(change func(m map[string]any)) map[string]any {
		m := map[string]any{"name": "王五", "id_number": citizenID("45010319900101010"), "phone": "13900000003", "destination": "450103", "origin": "440300", "arrived_at": now.Add(-time.Hour)}
		change(m)
		return m
	}
	problemOf("POST", "/api/v1/public/arrivals", "", bad(func(m map[string]any) { delete(m, "id_number") }), 422, "arrival.id_number_required", "id_number")
	problemOf("POST", "/api/v1/public/arrivals", "", bad(func(m map[string]any) { delete(m, "phone") }), 422, "arrival.phone_required", "phone")
	problemOf("POST", "/api/v1/public/arrivals", "", bad(func(m map[string]any) { m["destination"] = "450100" }), 422, "arrival.destination_invalid", "destination")
	problemOf("POST", "/api/v1/public/arrivals", "", bad(func(m map[string]any) { m["origin"] = "999999" }), 422, "arrival.invalid", "origin")
	problemOf("POST", "/api/v1/public/arrivals", "", bad(func(m map[string]any) { m["arrived_at"] = now.Add(10 * 24 * time.Hour) }), 422, "arrival.time_in_future", "arrived_at")
	problemOf("POST", "/api/v1/public/arrivals", "", bad(func(m map[string]any) {
		m["travel"] = []map[string]string{{"place": "451024100", "from": today, "to": "2000-01-01"}}
	}), 422, "arrival.travel_days_invalid", "travel")
	problemOf("POST", "/api/v1/public/arrivals", "", bad(func(m map[string]any) { m["person_id"] = "x" }), 422, "request.wrong_type", "person_id")
	problemOf("POST", "/api/v1/public/arrivals", "", bad(func(m map[string]any) { delete(m, "name"); delete(m, "arrived_at") }), 422, "arrival.invalid", "arrived_at")

	// Staff channels: a checkpoint's report of the same person merges.
	staff := map[string]any{"id_number": sealedID, "name": "黄小明", "destination": "450103", "origin": "451024", "arrived_at": now.Add(-2 * time.Hour), "channel": "checkpoint", "ref": "passage:1"}
	var v app.TripView
	resp = f.do("POST", "/api/v1/arrivals", epi, staff, &v)
	if resp.StatusCode != 200 || v.Created || len(v.Sources) != 2 || v.Sources[1].Channel != cordon.ChannelCheckpoint || resp.Header.Get("Location") != "/api/v1/arrivals/"+itoa(v.ID) {
		t.Fatalf("checkpoint report merged: %d %+v", resp.StatusCode, v)
	}
	staff["channel"] = "self_report"
	problemOf("POST", "/api/v1/arrivals", epi, staff, 422, "arrival.channel_invalid", "channel")
	staff["channel"], staff["id_number"] = "door", citizenID("45102419900101011")
	problemOf("POST", "/api/v1/arrivals", debao, staff, 403, "arrival.outside_jurisdiction", "destination")
	problemOf("POST", "/api/v1/arrivals", boss, staff, 403, "auth.forbidden", "")
	resp = f.do("POST", "/api/v1/arrivals", epi, staff, &v)
	if resp.StatusCode != 201 || !v.Created {
		t.Fatalf("door: %d %+v", resp.StatusCode, v)
	}

	// The list, in scope, masked for the commander, filtered by population.
	var list struct {
		Items []cordon.Trip
		Next  string `json:"next_cursor"`
	}
	if resp := f.do("GET", "/api/v1/arrivals", boss, nil, &list); resp.StatusCode != 200 || len(list.Items) != 3 {
		t.Fatalf("list: %d %+v", resp.StatusCode, list)
	}
	for _, a := range list.Items {
		if !a.Masked || strings.Contains(a.IDNumber, "19900101") {
			t.Errorf("a commander reads %q unmasked", a.IDNumber)
		}
	}
	if f.do("GET", "/api/v1/arrivals?population=risk_area", epi, nil, &list); len(list.Items) != 1 || list.Items[0].IDNumber != sealedID {
		t.Errorf("risk_area arrivals for the epidemiologist: %+v", list.Items)
	}
	if f.do("GET", "/api/v1/arrivals?limit=2", epi, nil, &list); len(list.Items) != 2 || list.Next == "" {
		t.Errorf("first page: %+v", list)
	} else if f.do("GET", "/api/v1/arrivals?limit=2&cursor="+list.Next, epi, nil, &list); len(list.Items) != 1 {
		t.Errorf("second page: %+v", list)
	}
	if f.do("GET", "/api/v1/arrivals", debao, nil, &list); len(list.Items) != 0 {
		t.Errorf("Debao sees Nanning's arrivals: %+v", list.Items)
	}
	problemOf("GET", "/api/v1/arrivals?since=yesterday", epi, nil, 422, "request.query_invalid", "since")
	if f.do("GET", "/api/v1/arrivals?since="+today, epi, nil, &list); len(list.Items) == 0 {
		t.Errorf("since today: none")
	}

	// One arrival; another county's reader does not find it.
	var got cordon.Trip
	if resp := f.do("GET", "/api/v1/arrivals/"+itoa(v.ID), epi, nil, &got); resp.StatusCode != 200 || got.Name != "黄小明" || got.DestinationName == "" {
		t.Errorf("get: %d %+v", resp.StatusCode, got)
	}
	problemOf("GET", "/api/v1/arrivals/"+itoa(v.ID), debao, nil, 404, "arrival.not_found", "")

	// The overdue test of the ordinary arrival, and meeting it by hand.
	var tasks struct{ Items []cordon.Obligation }
	if resp := f.do("GET", "/api/v1/arrival-tasks?overdue=1", epi, nil, &tasks); resp.StatusCode != 200 || len(tasks.Items) != 1 || !tasks.Items[0].Overdue || tasks.Items[0].Name != "李四" {
		t.Fatalf("overdue: %d %+v", resp.StatusCode, tasks)
	}
	problemOf("GET", "/api/v1/arrival-tasks?status=late", epi, nil, 422, "obligation.filter_invalid", "status")
	problemOf("GET", "/api/v1/arrival-tasks?overdue=yes", epi, nil, 422, "obligation.filter_invalid", "overdue")
	meet := "/api/v1/obligations/" + itoa(tasks.Items[0].ID) + "/meet"
	problemOf("POST", meet, epi, map[string]string{"note": " "}, 422, "obligation.note_required", "note")
	problemOf("POST", meet, debao, map[string]string{"note": "深圳已检"}, 404, "obligation.not_found", "")
	var o cordon.Obligation
	if resp := f.do("POST", meet, epi, map[string]string{"note": "深圳已检"}, &o); resp.StatusCode != 200 || o.Status != cordon.ObligationMet || !strings.Contains(o.MetBy, "深圳已检") {
		t.Errorf("meet: %d %+v", resp.StatusCode, o)
	}
	problemOf("POST", meet, epi, map[string]string{"note": "again"}, 409, "obligation.not_open", "")
	if f.do("GET", "/api/v1/arrival-tasks?overdue=1", epi, nil, &tasks); len(tasks.Items) != 0 {
		t.Errorf("still overdue after meeting: %+v", tasks.Items)
	}
}

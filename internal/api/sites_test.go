package api_test

import (
	"context"
	"fmt"
	"testing"

	"cordon"
	"cordon/internal/app"
)

// The site and health-check endpoints: a site with rooms, an arrival of a
// household, the refusals as problem+json with their codes, a transfer,
// the occupancy overview, checks with their alert and the self-report link.
func TestSitesAPI(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.app.CreateAccount(ctx, app.System, cordon.AccountInput{Username: "hotel", Role: cordon.RoleIsolationSite,
		Jurisdiction: "451024", Password: "password-hotel"}); err != nil {
		t.Fatal(err)
	}
	mgr, epi, baise, nanning := f.token("hotel"), f.token("debao"), f.token("baise"), f.token("nanning")
	var people []cordon.Person
	for i := range 4 {
		p, err := f.app.CreatePerson(ctx, app.System, cordon.PersonInput{Name: fmt.Sprintf("黄%d", i), IDNumber: citizenID(fmt.Sprintf("4510241985020100%d", i)),
			Phone: fmt.Sprintf("1390776%04d", i), Residence: "451024100001"})
		if err != nil {
			t.Fatal(err)
		}
		people = append(people, p)
	}
	problemOf := func(method, path, token string, body any, status int, code string) {
		t.Helper()
		var p problem
		resp := f.do(method, path, token, body, &p)
		if resp.StatusCode != status || p.Code != code || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s %s: %d %+v, want %d %s", method, path, resp.StatusCode, p, status, code)
		}
	}

	var site cordon.Site
	resp := f.do("POST", "/api/v1/sites", mgr, cordon.SiteInput{Name: "维也纳国际酒店", Kind: cordon.SiteHotel, Jurisdiction: "451024",
		ManagerName: "黄经理", ManagerPhone: "13977001234", Staff: []string{"hotel"}}, &site)
	if resp.StatusCode != 201 || resp.Header.Get("Location") != "/api/v1/sites/"+itoa(site.ID) || len(site.Staff) != 1 || site.Staff[0].Username != "hotel" {
		t.Fatalf("create site: %d %+v", resp.StatusCode, site)
	}
	problemOf("POST", "/api/v1/sites", mgr, map[string]any{"name": "", "kind": "tent"}, 422, "site.invalid")
	problemOf("POST", "/api/v1/sites", epi, cordon.SiteInput{Name: "x", Kind: cordon.SiteHotel}, 403, "auth.forbidden")
	sitePath := "/api/v1/sites/" + itoa(site.ID)

	var rooms []cordon.Room
	if resp := f.do("POST", sitePath+"/rooms", mgr, map[string]any{"rooms": []cordon.RoomInput{{Number: "301", Floor: 3, Beds: 2},
		{Number: "302", Floor: 3, Beds: 1}}}, &rooms); resp.StatusCode != 201 || len(rooms) != 2 {
		t.Fatalf("rooms: %d %+v", resp.StatusCode, rooms)
	}
	problemOf("POST", sitePath+"/rooms", mgr, map[string]any{"rooms": []cordon.RoomInput{{Number: "301", Floor: 3, Beds: 1}}}, 409, "room.duplicate")

	var stays []cordon.Stay
	resp = f.do("POST", sitePath+"/arrivals", mgr, cordon.Arrivals{People: []cordon.ArrivalInput{
		{PersonID: people[0].ID, Household: "云山路1号"}, {IDNumber: people[1].IDNumber, Household: "云山路1号"}}}, &stays)
	if resp.StatusCode != 201 || len(stays) != 2 || stays[0].RoomNumber != "301" || stays[1].RoomNumber != "301" || stays[0].IDNumber != people[0].IDNumber {
		t.Fatalf("arrivals: %d %+v", resp.StatusCode, stays)
	}
	problemOf("POST", sitePath+"/arrivals", mgr, cordon.Arrivals{People: []cordon.ArrivalInput{{PersonID: people[0].ID}}}, 409, "site.already_assigned")
	problemOf("POST", sitePath+"/arrivals", mgr, cordon.Arrivals{People: []cordon.ArrivalInput{{PersonID: people[2].ID}, {PersonID: people[3].ID}}}, 409, "site.full")
	problemOf("POST", sitePath+"/arrivals", mgr, cordon.Arrivals{People: []cordon.ArrivalInput{{PersonID: people[2].ID, RoomID: rooms[0].ID}}}, 409, "site.room_full")

	// Occupancy for Baise's commander; Nanning's sees nothing of Debao.
	var rep cordon.OccupancyReport
	if resp := f.do("GET", "/api/v1/sites/occupancy", baise, nil, &rep); resp.StatusCode != 200 || rep.Total.Beds != 3 || rep.Total.Occupied != 2 ||
		len(rep.Counties) != 1 || rep.Counties[0].Jurisdiction != "451024" || len(rep.Sites) != 1 || rep.Sites[0].RoomCount != 2 {
		t.Errorf("occupancy: %d %+v", resp.StatusCode, rep)
	}
	problemOf("GET", sitePath, nanning, nil, 404, "site.not_found")
	var read cordon.Site
	if resp := f.do("GET", sitePath, baise, nil, &read); resp.StatusCode != 200 || read.Occupied != 2 || len(read.Rooms) != 2 ||
		len(read.Rooms[0].Occupants) != 2 || read.Rooms[0].Occupants[0].IDNumber != cordon.MaskDocNumber(people[0].IDNumber) {
		t.Errorf("the site for a commander: %d %+v", resp.StatusCode, read)
	}

	// A second site and a transfer to it.
	var centre cordon.Site
	f.do("POST", "/api/v1/sites", mgr, cordon.SiteInput{Name: "集中隔离点", Kind: cordon.SiteCentre, Jurisdiction: "451024"}, &centre)
	f.do("POST", "/api/v1/sites/"+itoa(centre.ID)+"/rooms", mgr, map[string]any{"rooms": []cordon.RoomInput{{Number: "1", Floor: 1, Beds: 1}}}, nil)
	var next cordon.Stay
	resp = f.do("POST", "/api/v1/stays/"+itoa(stays[1].ID)+"/transfer", mgr, cordon.TransferInput{SiteID: centre.ID}, &next)
	if resp.StatusCode != 201 || next.SiteID != centre.ID || !next.Current() {
		t.Errorf("transfer: %d %+v", resp.StatusCode, next)
	}
	problemOf("POST", "/api/v1/stays/"+itoa(stays[1].ID)+"/depart", mgr, cordon.Departure{Reason: cordon.DepartReleased}, 409, "stay.departed")
	var gone cordon.Stay
	if resp := f.do("POST", "/api/v1/stays/"+itoa(next.ID)+"/depart", mgr, cordon.Departure{Reason: cordon.DepartHospital}, &gone); resp.StatusCode != 200 ||
		gone.DepartureReason != cordon.DepartHospital {
		t.Errorf("depart: %d %+v", resp.StatusCode, gone)
	}

	// Health checks: staff record, the alert reaches Debao's epidemiologist.
	var c cordon.HealthCheck
	resp = f.do("POST", "/api/v1/health-checks", mgr, map[string]any{"person_id": people[0].ID, "temperature": 38.2, "symptoms": []string{"cough"}}, &c)
	if resp.StatusCode != 201 || !c.Alert || c.Source != cordon.CheckByStaff {
		t.Fatalf("check: %d %+v", resp.StatusCode, c)
	}
	problemOf("POST", "/api/v1/health-checks", mgr, map[string]any{"person_id": people[0].ID, "temperature": 44}, 422, "healthcheck.temperature_invalid")
	var cs []cordon.HealthCheck
	if resp := f.do("GET", "/api/v1/persons/"+itoa(people[0].ID)+"/health-checks", epi, nil, &cs); resp.StatusCode != 200 || len(cs) != 1 || cs[0].Temperature != 38.2 {
		t.Errorf("checks: %d %+v", resp.StatusCode, cs)
	}
	var alerts listPage[cordon.Alert]
	if resp := f.do("GET", "/api/v1/alerts?open=true", epi, nil, &alerts); resp.StatusCode != 200 || len(alerts.Items) != 1 || alerts.Items[0].CheckID != c.ID {
		t.Fatalf("alerts: %d %+v", resp.StatusCode, alerts)
	}
	var acked cordon.Alert
	if resp := f.do("POST", "/api/v1/alerts/"+itoa(alerts.Items[0].ID)+"/ack", epi, nil, &acked); resp.StatusCode != 200 || acked.AckedBy != "debao" {
		t.Errorf("ack: %d %+v", resp.StatusCode, acked)
	}
	problemOf("POST", "/api/v1/alerts/"+itoa(alerts.Items[0].ID)+"/ack", epi, nil, 409, "alert.acknowledged")
	problemOf("GET", "/api/v1/alerts?open=maybe", epi, nil, 422, "request.bad_parameter")

	var link app.CheckLink
	if resp := f.do("GET", "/api/v1/persons/"+itoa(people[0].ID)+"/health-check-link", mgr, nil, &link); resp.StatusCode != 200 || link.Path != "/h/"+link.Token {
		t.Errorf("link: %d %+v", resp.StatusCode, link)
	}
	problemOf("GET", "/api/v1/persons/"+itoa(people[0].ID)+"/health-check-link", baise, nil, 403, "auth.forbidden")

	// Who has not reported today: the person checked is not listed.
	var missing []cordon.Stay
	if resp := f.do("GET", "/api/v1/health-checks/missing?jurisdiction=451024", mgr, nil, &missing); resp.StatusCode != 200 || len(missing) != 0 {
		t.Errorf("missing: %d %+v", resp.StatusCode, missing)
	}
	f.do("POST", sitePath+"/arrivals", mgr, cordon.Arrivals{People: []cordon.ArrivalInput{{PersonID: people[2].ID}}}, nil)
	if resp := f.do("GET", "/api/v1/health-checks/missing", mgr, nil, &missing); resp.StatusCode != 200 || len(missing) != 1 || missing[0].PersonID != people[2].ID {
		t.Errorf("missing after an arrival: %d %+v", resp.StatusCode, missing)
	}
	problemOf("GET", "/api/v1/health-checks/missing?jurisdiction=450100", mgr, nil, 403, "jurisdiction.outside_scope")
}

// listPage is a page of a list answer.
type listPage[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next_cursor"`
}

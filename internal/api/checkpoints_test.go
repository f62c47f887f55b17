package api_test

import (
	"context"
	"testing"

	"cordon"
	"cordon/internal/app"
)

// The checkpoint endpoints: a commander registers one, an officer records
// passages (typed ID number, a bad plate, a key sent twice), counts and
// the passage list; the refusals as problem+json with their codes.
func TestCheckpointsAPI(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.app.CreateAccount(ctx, app.System, cordon.AccountInput{Username: "naja", Role: cordon.RoleCheckpoint,
		Jurisdiction: "451024", Password: "password-naja"}); err != nil {
		t.Fatal(err)
	}
	p, err := f.app.CreatePerson(ctx, app.System, cordon.PersonInput{Name: "黄一", IDNumber: citizenID("45102419850201001"),
		Phone: "13907760001", Residence: "451024100001"})
	if err != nil {
		t.Fatal(err)
	}
	cmd, officer, epi, nanning := f.token("baise"), f.token("naja"), f.token("debao"), f.token("nanning")
	problemOf := func(method, path, token string, body any, status int, code string) {
		t.Helper()
		var p problem
		resp := f.do(method, path, token, body, &p)
		if resp.StatusCode != status || p.Code != code || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s %s: %d %+v, want %d %s", method, path, resp.StatusCode, p, status, code)
		}
	}

	var cp cordon.Checkpoint
	in := cordon.CheckpointInput{Name: "那甲卡点", Kind: cordon.CheckpointCountyBorder, Jurisdiction: "451024", InLabel: "进德保", OutLabel: "出德保"}
	resp := f.do("POST", "/api/v1/checkpoints", cmd, in, &cp)
	if resp.StatusCode != 201 || resp.Header.Get("Location") != "/api/v1/checkpoints/"+itoa(cp.ID) || !cp.Active {
		t.Fatalf("create: %d %+v", resp.StatusCode, cp)
	}
	path := "/api/v1/checkpoints/" + itoa(cp.ID)
	problemOf("POST", "/api/v1/checkpoints", cmd, map[string]any{"name": "x", "kind": "airport", "jurisdiction": "451024"}, 422, "checkpoint.kind_invalid")
	problemOf("POST", "/api/v1/checkpoints", epi, in, 403, "auth.forbidden")
	problemOf("GET", path, nanning, nil, 404, "checkpoint.not_found")
	in.Version, in.Opens, in.Closes = 1, "07:00", "23:00"
	if resp := f.do("PUT", path, cmd, in, &cp); resp.StatusCode != 200 || cp.Version != 2 || cp.Closes != "23:00" {
		t.Errorf("update: %d %+v", resp.StatusCode, cp)
	}
	problemOf("PUT", path, cmd, in, 409, "checkpoint.changed")
	var list []cordon.Checkpoint
	if resp := f.do("GET", "/api/v1/checkpoints", officer, nil, &list); resp.StatusCode != 200 || len(list) != 1 {
		t.Errorf("list: %d %+v", resp.StatusCode, list)
	}

	problemOf("POST", path+"/passages", officer, app.PassageInput{IDNumber: p.IDNumber, Direction: "in", Plate: "桂123"}, 422, "passage.plate_invalid")
	problemOf("POST", path+"/passages", cmd, app.PassageInput{IDNumber: p.IDNumber, Direction: "in"}, 403, "auth.forbidden")
	var res app.PassageResult
	body := app.PassageInput{IDNumber: p.IDNumber, Direction: "in", Plate: "桂L 12345", Key: "k1"}
	resp = f.do("POST", path+"/passages", officer, body, &res)
	if resp.StatusCode != 201 || res.Passage == nil || res.Passage.Color != cordon.Green || res.Passage.Plate != "桂L12345" || res.Itinerary == nil {
		t.Fatalf("passage: %d %+v", resp.StatusCode, res)
	}
	res = app.PassageResult{}
	if resp := f.do("POST", path+"/passages", officer, body, &res); resp.StatusCode != 200 || !res.Again {
		t.Errorf("the same key again: %d %+v", resp.StatusCode, res)
	}
	res = app.PassageResult{}
	if resp := f.do("POST", path+"/passages", officer, app.PassageInput{Token: "not-a-token", Direction: "out"}, &res); resp.StatusCode != 200 || res.Code.Valid || res.Passage != nil {
		t.Errorf("a forged token: %d %+v", resp.StatusCode, res)
	}
	var counts []cordon.PassageCount
	if resp := f.do("GET", path+"/counts", cmd, nil, &counts); resp.StatusCode != 200 || len(counts) != 24 {
		t.Fatalf("counts: %d %+v", resp.StatusCode, counts)
	}
	n := 0
	for _, c := range counts {
		n += c.In + c.Out
	}
	if n != 1 {
		t.Errorf("counted %d passages, want 1", n)
	}
	problemOf("GET", path+"/counts?day=yesterday", cmd, nil, 422, "checkpoint.day_invalid")
	var ps []cordon.Passage
	if resp := f.do("GET", path+"/passages", cmd, nil, &ps); resp.StatusCode != 200 || len(ps) != 1 || ps[0].PersonID != p.ID {
		t.Errorf("passages: %d %+v", resp.StatusCode, ps)
	}
}

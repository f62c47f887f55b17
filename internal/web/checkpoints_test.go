package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"cordon"
	"cordon/internal/app"
)

// A commander registers a checkpoint through the form; an officer records
// a passage by typed identity number with a plate, sees the colour and the
// itinerary card, is told of a bad plate, records a traveller without a
// code; the counts per hour show them.
func TestCheckpointPages(t *testing.T) {
	e := newTestingEnv(t)
	e.account("baise", cordon.RoleCommander, "451000")
	e.account("naja", cordon.RoleCheckpoint, "451024")
	ctx := context.Background()
	p, err := e.app.CreatePerson(ctx, app.System, cordon.PersonInput{Name: "黄一", IDNumber: citizenID("45102419850201001"),
		Phone: "13907760001", Residence: "451024100001"})
	if err != nil {
		t.Fatal(err)
	}
	cmd := e.signedIn("baise")
	if home := cmd.get("/"); !strings.Contains(home.body, `href="/checkpoints"`) {
		t.Error("the navigation lacks the checkpoints")
	}
	cmd.get("/checkpoints")
	r := cmd.post("/checkpoints", url.Values{"name": {"那甲卡点"}, "kind": {"road"}, "jurisdiction": {"451000"}, "opens": {"08:00"}})
	must(t, r, http.StatusUnprocessableEntity, `id="jurisdiction-error"`, "卡点所在辖区须为县级或以下")
	r = cmd.post("/checkpoints", url.Values{"name": {"那甲卡点"}, "kind": {"county_border"}, "jurisdiction": {"451024"}, "location": {"G324 国道"},
		"in_label": {"进德保"}, "out_label": {"出德保"}, "staff": {"naja"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", r.status, r.body)
	}
	must(t, cmd.follow(r), http.StatusOK, "卡点已登记", "那甲卡点", "县界卡点", "全天", "naja")
	cps, err := e.app.Checkpoints(ctx, app.System)
	if err != nil || len(cps) != 1 {
		t.Fatalf("checkpoints: %v %v", cps, err)
	}
	pass := "/checkpoints/" + strconv.FormatInt(cps[0].ID, 10) + "/pass"
	if r := cmd.get(pass); r.status != http.StatusForbidden {
		t.Errorf("a commander records no passage: %d", r.status)
	}

	o := e.signedIn("naja")
	must(t, o.get(pass), http.StatusOK, "那甲卡点", "进德保", "出德保", `name="plate"`)
	r = o.post(pass, url.Values{"direction": {"in"}, "code": {p.IDNumber}, "plate": {"桂L12"}})
	must(t, r, http.StatusUnprocessableEntity, `id="plate-error"`, "车牌号无效")
	r = o.post(pass, url.Values{"direction": {"in"}, "code": {p.IDNumber}, "plate": {"桂l12345"}})
	must(t, r, http.StatusOK, `code-badge big code-green`, `id="check-card"`, "通行已登记 · 桂L12345")
	r = o.post(pass, url.Values{"direction": {"out"}, "code": {""}, "name": {"韦某某"}, "phone": {"13907760002"}})
	must(t, r, http.StatusOK, "无码人员", "通行已登记")
	r = o.post(pass, url.Values{"direction": {"out"}, "code": {"HC1.forged"}})
	if r.status != http.StatusOK || strings.Contains(r.body, "通行已登记") {
		t.Errorf("a forged token records nothing: %d\n%s", r.status, r.body)
	}

	r = cmd.get("/checkpoints?counts=" + strconv.FormatInt(cps[0].ID, 10))
	must(t, r, http.StatusOK, `id="checkpoint-counts"`, "<td>1</td>") // one in, one out (maybe in two hours)
}

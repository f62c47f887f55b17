package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"cordon"
	"cordon/internal/app"
)

// A contact's order from the list to its page, its refused release, a
// commander's early release, the notice, the day's tasks, the sections
// on the person and contact pages, and an order made by hand.
func TestOrderPages(t *testing.T) {
	e := newCasesEnv(t)
	e.setEdition("cn-9")
	ctx := context.Background()
	epi := e.signedIn("debao")
	casePage := e.openFromPositives(epi, "confirmed").location
	caseID := regexpValue(t, casePage, `/cases/(\d+)`)
	p, err := e.app.CreatePerson(ctx, app.System, cordon.PersonInput{Name: "黄隔离", DocType: cordon.DocCitizenID, IDNumber: ids(90, 1)[0],
		Phone: "13907768101", Residence: "451024", Current: e.grid.Code})
	if err != nil {
		t.Fatal(err)
	}
	// Last exposed yesterday at 20:00: day 1 is today, a test day.
	y, m, d := time.Now().In(chinaTime).Date()
	last := time.Date(y, m, d, 0, 0, 0, 0, chinaTime).Add(-4 * time.Hour)
	source, _ := strconv.ParseInt(caseID, 10, 64)
	c, err := e.app.AddContact(ctx, app.System, cordon.ContactInput{ContactIdentity: cordon.ContactIdentity{PersonID: p.ID},
		Exposure: cordon.ExposureInput{SourceCase: source, Situation: cordon.SituationHousehold, LastAt: last}})
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(chinaTime).Format(time.DateOnly)

	list := epi.get("/orders?status=active")
	must(t, list, http.StatusOK, `id="orders"`, "黄隔离", "集中隔离", "管控中", today)
	page := "/orders/" + regexpValue(t, list.body, `href="/orders/(\d+)">#`)
	r := epi.get(page)
	must(t, r, http.StatusOK, `id="phases"`, "居家健康监测", `id="test-days"`, "第1天", "今日应检", "第10天", "未到", "cn-9",
		`id="order-release"`, `id="release-missing"`, "检测日未采样", "管控期未满", `href="/contacts/`+itoa(c.ID)+`"`, "/document.pdf")
	if strings.Contains(r.body, `id="order-early"`) {
		t.Error("an epidemiologist is offered the early release")
	}
	r = epi.post(page+"/release", url.Values{"version": {"1"}})
	must(t, r, http.StatusConflict, "解除条件尚未满足", "检测日未采样")

	tasks := epi.get("/orders/tasks")
	must(t, tasks, http.StatusOK, `id="tasks-due"`, "黄隔离", "第1天", "今日应检", "无漏检")
	smp := e.signedIn("sampler")
	r = smp.get("/orders/tasks")
	must(t, r, http.StatusOK, "黄隔离", cordon.MaskDocNumber(p.IDNumber))
	if strings.Contains(r.body, p.IDNumber) || strings.Contains(r.body, `">黄隔离</a>`) {
		t.Errorf("a sampler sees an ID number in full or links to orders:\n%s", r.body)
	}
	must(t, smp.get("/orders"), http.StatusForbidden)
	must(t, e.signedIn("gw").get("/orders/tasks"), http.StatusOK, "黄隔离")
	must(t, e.signedIn("nanning").get(page), http.StatusNotFound)

	r = epi.get(page + "/document.pdf")
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(r.body, "%PDF-") {
		t.Errorf("document: %d %s", r.status, r.header.Get("Content-Type"))
	}
	must(t, epi.get("/persons/"+itoa(p.ID)), http.StatusOK, `id="person-orders"`, `href="`+page+`"`, `href="/orders/new?person=`+itoa(p.ID)+`"`)
	must(t, epi.get("/contacts/"+itoa(c.ID)), http.StatusOK, `id="contact-orders"`, `href="`+page+`"`, "本密接")

	// The commander releases early, with a reason.
	cmd := e.signedIn("baise")
	r = cmd.get(page)
	must(t, r, http.StatusOK, `id="order-early"`, cordon.MaskDocNumber(p.IDNumber))
	if strings.Contains(r.body, `id="order-release"`) {
		t.Error("a commander is offered the release on conditions")
	}
	must(t, cmd.post(page+"/release", url.Values{"early": {"1"}, "version": {"1"}}), http.StatusUnprocessableEntity, `id="reason-error"`, "提前解除须填写理由")
	r = cmd.post(page+"/release", url.Values{"early": {"1"}, "version": {"1"}, "reason": {"经专家研判提前解除"}})
	if r.status != http.StatusSeeOther || r.location != page {
		t.Fatalf("early release: %d %q\n%s", r.status, r.location, r.body)
	}
	must(t, cmd.follow(r), http.StatusOK, "已解除管控。", `id="order-ended"`, "提前解除", "经专家研判提前解除")
	must(t, e.signedIn("admin").get("/audit?action=order.release_early"), http.StatusOK, "经专家研判提前解除")

	// An order by hand: refused without the last exposure, then made.
	must(t, epi.get("/orders/new?person="+itoa(p.ID)), http.StatusOK, `id="order-new"`, `value="`+itoa(p.ID)+`"`)
	must(t, epi.post("/orders", url.Values{"person_id": {itoa(p.ID)}, "population": {"close_contact"}}), http.StatusUnprocessableEntity,
		`id="last_exposure-error"`, "请填写末次暴露")
	r = epi.post("/orders", url.Values{"person_id": {itoa(p.ID)}, "population": {"close_contact"}, "last_exposure": {last.Format("2006-01-02T15:04")}, "note": {"指挥部通知"}})
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/orders/") || r.location == page {
		t.Fatalf("order by hand: %d %q\n%s", r.status, r.location, r.body)
	}
	must(t, epi.follow(r), http.StatusOK, "管控措施已下达。", "研判", "指挥部通知")

	// In English.
	epi.follow(epi.post("/lang", url.Values{"lang": {"en"}, "next": {"/"}}))
	must(t, epi.get(page), http.StatusOK, "Centralised quarantine", "Released", "Home health monitoring")
	must(t, epi.get("/orders/tasks"), http.StatusOK, "Sampling tasks", "Due today")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

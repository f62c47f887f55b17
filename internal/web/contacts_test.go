package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"cordon"
	"cordon/internal/app"
)

var contactLink = regexp.MustCompile(`^/contacts/(\d+)$`)

// localInput is the datetime-local value of an instant d from now.
func localInput(d time.Duration) string {
	return time.Now().Add(d).In(chinaTime).Format("2006-01-02T15:04")
}

// setEdition puts an edition in force in 德保县.
func (e *casesEnv) setEdition(key string) {
	e.t.Helper()
	if err := e.app.SetPolicy(context.Background(), app.System, cordon.PolicyAssignment{Jurisdiction: "451024", From: "2021-01-01", Edition: key}); err != nil {
		e.t.Fatal(err)
	}
}

// From the case page to a household of contacts, a secondary contact,
// control and matching; what other roles see of it.
func TestContactPages(t *testing.T) {
	e := newCasesEnv(t)
	e.setEdition("cn-9")
	epi := e.signedIn("debao")
	casePage := e.openFromPositives(epi, "asymptomatic").location
	caseID := strings.TrimPrefix(casePage, "/cases/")
	must(t, epi.get(casePage), http.StatusOK, `id="case-contacts"`, `action="`+casePage+`/contacts"`, `hx-get="/contacts?case=`+caseID+`"`, "添加密接")

	add := func(v url.Values) response {
		t.Helper()
		return epi.post(casePage+"/contacts", v)
	}
	r := add(url.Values{"name": {"黄同住"}, "phone": {"13907768001"}, "situation": {"household"}, "last_exposure": {localInput(-3 * time.Hour)},
		"household": {"陇意屯12号"}})
	if r.status != http.StatusSeeOther || !contactLink.MatchString(r.location) {
		t.Fatalf("add contact: %d %q\n%s", r.status, r.location, r.body)
	}
	first := r.location
	must(t, epi.follow(r), http.StatusOK, "密接已添加", "黄同住", "密切接触者", "已判定", "转运管控", "判定后 8 小时内转运管控",
		"集中隔离 7 天", "居家健康监测 3 天", "陇意屯12号", `id="contact-secondary"`, "第九版防控方案")
	add(url.Values{"name": {"黄同户"}, "phone": {"13907768002"}, "situation": {"household"}, "last_exposure": {localInput(-2 * time.Hour)}, "household": {"陇意屯12号"}})
	r = add(url.Values{"name": {"韦宴席"}, "phone": {"13907768003"}, "situation": {"shared_meal"}, "last_exposure": {localInput(-10 * 24 * time.Hour)}})
	must(t, epi.follow(r), http.StatusOK, "不在现行方案的判定时间窗内", "超出时间窗")

	// Refusals come back on the full form, fields marked.
	must(t, add(url.Values{"name": {"无电话"}, "situation": {"lift"}, "last_exposure": {localInput(-time.Hour)}}), http.StatusUnprocessableEntity,
		`id="contact-form"`, `id="phone-error"`, `value="无电话"`)
	must(t, add(url.Values{"name": {"未来"}, "phone": {"13907768004"}, "situation": {"lift"}, "last_exposure": {localInput(3 * time.Hour)}}), http.StatusUnprocessableEntity,
		`id="last_exposure-error"`, "暴露时间不能晚于现在")
	must(t, add(url.Values{"name": {"外地"}, "phone": {"13907768005"}, "situation": {"lift"}, "last_exposure": {localInput(-time.Hour)}, "jurisdiction": {"450102"}}),
		http.StatusForbidden, `id="jurisdiction-error"`, "请向其所在地发协查函")

	// The case's contacts, grouped by household.
	list := epi.get("/contacts?case=" + caseID)
	must(t, list, http.StatusOK, "同户：陇意屯12号", "2 人", "未分户", "黄同住", "黄同户", "韦宴席", `href="/contacts/export?case=`+caseID+`&amp;format=csv"`)
	if strings.Index(list.body, "同户：陇意屯12号") > strings.Index(list.body, "未分户") {
		t.Error("the household without a label comes first")
	}
	must(t, epi.get("/contacts?case=abc"), http.StatusUnprocessableEntity, `id="case-error"`)

	// A secondary contact from the close contact's page.
	r = epi.post(first+"/secondary", url.Values{"name": {"黄同事"}, "phone": {"13907768006"}, "situation": {"workplace"}, "last_exposure": {localInput(-time.Hour)}})
	if r.status != http.StatusSeeOther || r.location == first {
		t.Fatalf("secondary: %d %q\n%s", r.status, r.location, r.body)
	}
	second := r.location
	must(t, epi.follow(r), http.StatusOK, "黄同事", "密接的密接", "判定后 12 小时内转运管控", "居家隔离 7 天")
	must(t, epi.get(first), http.StatusOK, `id="secondaries"`, "黄同事")
	must(t, epi.post(second+"/secondary", url.Values{"name": {"再次"}, "phone": {"13907768007"}, "situation": {"workplace"}, "last_exposure": {localInput(-time.Hour)}}),
		http.StatusUnprocessableEntity, "只有密切接触者才有次密接")

	// Control, then release.
	r = epi.post(first+"/state", url.Values{"step": {"control"}})
	must(t, epi.follow(r), http.StatusOK, "已记录转为管控", "已管控", `value="release"`)
	must(t, epi.post(first+"/state", url.Values{"step": {"control"}}), http.StatusConflict, "只有已判定、尚未管控的密接才能转为管控")

	// Matching: 黄同户 is registered meanwhile with the same phone.
	if _, err := e.app.CreatePerson(context.Background(), app.System, cordon.PersonInput{Name: "黄同户", IDNumber: ids(70, 1)[0], Phone: "13907768002",
		Residence: "451024", Current: fuji}); err != nil {
		t.Fatal(err)
	}
	must(t, epi.post("/contacts/match", url.Values{}), http.StatusOK, "已匹配 1 人", "手机号码和姓名")

	// A commander reads masked and changes nothing; a sampler does not
	// reach contacts; Nanning does not see them.
	cmd := e.signedIn("baise")
	r = cmd.get("/contacts?case=" + caseID)
	must(t, r, http.StatusOK, "黄同住", "139****8001")
	if strings.Contains(r.body, "13907768001") || strings.Contains(r.body, `id="contact-match"`) {
		t.Errorf("the commander sees a phone in full or the match button:\n%s", r.body)
	}
	if r := cmd.get(first); r.status != http.StatusOK || strings.Contains(r.body, `id="contact-edit"`) || strings.Contains(r.body, `id="contact-state"`) {
		t.Errorf("the commander is offered changes: %d\n%s", r.status, r.body)
	}
	must(t, cmd.post(casePage+"/contacts", url.Values{"name": {"x"}}), http.StatusForbidden)
	must(t, e.signedIn("sampler").get("/contacts"), http.StatusForbidden)
	must(t, e.signedIn("nanning").get(first), http.StatusNotFound)
	r = epi.get("/contacts/export?format=csv&case=" + caseID)
	if r.status != http.StatusOK || !strings.Contains(r.body, "密接编号") || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
		t.Errorf("export: %d %s", r.status, r.body)
	}
	must(t, e.signedIn("admin").get("/audit?action=contact.create"), http.StatusOK, "添加密接")

	// Under the 20 measures the close contact's page offers no secondary
	// contacts and says why.
	e.setEdition("cn-20")
	r = epi.get(first)
	must(t, r, http.StatusOK, `id="no-secondary"`)
	if strings.Contains(r.body, `id="contact-secondary"`) {
		t.Error("cn-20 offers a secondary contact")
	}
}

// TestContactPagesEveryLanguage renders the contact pages in both
// languages; a missing translation fails the test in newEnv's cleanup.
func TestContactPagesEveryLanguage(t *testing.T) {
	e := newCasesEnv(t)
	e.setEdition("cn-9")
	epi := e.signedIn("debao")
	casePage := e.openFromPositives(epi, "asymptomatic").location
	first := epi.post(casePage+"/contacts", url.Values{"name": {"黄同住"}, "phone": {"13907768001"}, "situation": {"household"},
		"last_exposure": {localInput(-3 * time.Hour)}, "household": {"陇意屯12号"}}).location
	epi.post(first+"/secondary", url.Values{"name": {"黄同事"}, "phone": {"13907768006"}, "situation": {"workplace"}, "last_exposure": {localInput(-time.Hour)}})
	paths := []string{"/contacts", "/contacts?case=" + strings.TrimPrefix(casePage, "/cases/"), "/contacts?kind=secondary&status=identified&unmatched=1",
		first, first + "/secondary/new", casePage + "/contacts/new", casePage}
	want := map[string]string{"zh-CN": "密切接触者", "en": "Close contact"}
	for _, user := range []string{"debao", "baise", "admin"} {
		b := e.signedIn(user)
		for _, lang := range []string{"zh-CN", "en"} {
			b.follow(b.post("/lang", url.Values{"lang": {lang}, "next": {"/"}}))
			for _, p := range paths {
				if user == "baise" && strings.HasSuffix(p, "/new") {
					continue
				}
				r := b.get(p)
				if r.status != http.StatusOK || !strings.Contains(r.body, `<html lang="`+lang+`">`) {
					t.Errorf("%s %s %s: %d\n%s", user, lang, p, r.status, r.body)
				}
			}
			if r := b.get(first); !strings.Contains(r.body, want[lang]) {
				t.Errorf("%s %s: the contact page lacks %q", user, lang, want[lang])
			}
		}
		if r := b.post("/contacts/match", url.Values{}); user != "baise" && r.status != http.StatusOK {
			t.Errorf("%s match: %d", user, r.status)
		}
	}
	if strings.Contains(e.logs.String(), "level=ERROR") {
		t.Errorf("errors logged:\n%s", e.logs.String())
	}
}

// A registered person's page says whether they are under contact
// management, and links their contact records.
func TestPersonContactStanding(t *testing.T) {
	e := newCasesEnv(t)
	epi := e.signedIn("debao")
	casePage := e.openFromPositives(epi, "asymptomatic").location
	caseID, _ := strconv.ParseInt(strings.TrimPrefix(casePage, "/cases/"), 10, 64)
	ctx := context.Background()
	p, err := e.app.CreatePerson(ctx, app.System, cordon.PersonInput{Name: "黄同住", DocType: cordon.DocCitizenID, IDNumber: ids(81, 1)[0],
		Residence: "451024", Current: e.grid.Code})
	if err != nil {
		t.Fatal(err)
	}
	page := "/persons/" + strconv.FormatInt(p.ID, 10)
	if r := epi.get(page); r.status != http.StatusOK || strings.Contains(r.body, `id="contact-standing"`) {
		t.Fatalf("before: %d", r.status)
	}
	res, err := e.app.AddContact(ctx, app.System, cordon.ContactInput{ContactIdentity: cordon.ContactIdentity{PersonID: p.ID},
		Exposure: cordon.ExposureInput{SourceCase: caseID, Situation: cordon.SituationHousehold, LastAt: time.Now().Add(-time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	must(t, epi.get(page), http.StatusOK, `id="contact-standing"`, "密接管理", fmt.Sprintf(`href="/contacts/%d"`, res.ID), "密切接触者", "已判定")
}

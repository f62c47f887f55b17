package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"cordon"
	"cordon/internal/app"
)

// visitor registers a person of 福记村 with a phone, as the public page
// identifies people by both.
func (e *testingEnv) visitor(name string, n int, phone string) cordon.Person {
	e.t.Helper()
	p, err := e.app.CreatePerson(context.Background(), app.System, cordon.PersonInput{Name: name, DocType: cordon.DocCitizenID,
		IDNumber: ids(n, 1)[0], Phone: phone, Residence: "451024", Current: fuji})
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// scansOf lists a person's scan-ins of the last day.
func (e *testingEnv) scansOf(personID int64) []cordon.ScanIn {
	e.t.Helper()
	now := time.Now()
	scans, err := e.app.Itinerary(context.Background(), app.System, personID, now.Add(-24*time.Hour), now.Add(time.Hour))
	if err != nil {
		e.t.Fatal(err)
	}
	return scans
}

func TestScanInPublic(t *testing.T) {
	e := newTestingEnv(t)
	v := e.venue("福记村宴席酒家", cordon.VenueRestaurant)
	p := e.visitor("黄文华", 200, "13977001234")
	page := "/s/" + v.Code

	// No sign-in: the form, with the pre-session CSRF token.
	b := e.browser()
	r := b.get(page)
	must(t, r, http.StatusOK, "场所扫码登记", `action="`+page+`"`, `name="id_number"`, `name="phone"`, `name="csrf"`, `src="/static/scanin.`)
	if strings.Contains(r.body, `id="nav"`) {
		t.Error("the public page shows the staff navigation")
	}

	// Wrong fields come back marked, what was typed kept.
	r = b.post(page, url.Values{"id_number": {wrongCheck(ids(200, 1)[0][:17])}, "phone": {"123"}})
	must(t, r, http.StatusUnprocessableEntity, `id="id_number-error"`, `id="phone-error"`, `value="123"`)
	// A pair that matches nobody says so, without telling which is wrong.
	r = b.post(page, url.Values{"id_number": {p.IDNumber}, "phone": {"13977009999"}})
	must(t, r, http.StatusUnprocessableEntity, "未找到与该身份证号和手机号相符的登记人员")
	if n := len(e.scansOf(p.ID)); n != 0 {
		t.Fatalf("%d scan-ins recorded by refused posts", n)
	}

	// The right pair: a big result with the venue, the time and the masked name.
	before := time.Now().Add(-time.Second)
	r = b.post(page, url.Values{"id_number": {strings.ToLower(p.IDNumber)}, "phone": {" 13977001234 "}})
	must(t, r, http.StatusOK, "登记成功", `id="scanin-result"`, "福记村宴席酒家", "德保县都安乡福记村", "登记人：黄*华",
		time.Now().In(chinaTime).Format("2006-01-02"))
	if strings.Contains(r.body, "黄文华") || strings.Contains(r.body, p.IDNumber) {
		t.Error("the result shows the full name or the ID number")
	}
	scans := e.scansOf(p.ID)
	if len(scans) != 1 || scans[0].VenueID != v.ID || scans[0].Source != cordon.ScanByPerson || scans[0].At.Before(before.Truncate(time.Second)) {
		t.Fatalf("scan-ins stored: %+v", scans)
	}

	// Without the form's token, or from another site, nothing is recorded.
	must(t, b.post(page, url.Values{"id_number": {p.IDNumber}, "phone": {"13977001234"}, "csrf": {"X"}}), http.StatusForbidden)
	other := e.browser()
	other.get(page)
	other.header.Set("Sec-Fetch-Site", "cross-site")
	must(t, other.post(page, url.Values{"id_number": {p.IDNumber}, "phone": {"13977001234"}}), http.StatusForbidden)
	if n := len(e.scansOf(p.ID)); n != 1 {
		t.Errorf("%d scan-ins after refused posts, want 1", n)
	}
}

func TestScanInForgedRevokedClosed(t *testing.T) {
	e := newTestingEnv(t)
	v := e.venue("福记村宴席酒家", cordon.VenueRestaurant)
	p := e.visitor("黄文华", 200, "13977001234")
	identity := url.Values{"id_number": {p.IDNumber}, "phone": {"13977001234"}}
	b := e.browser()

	// A forged code: one character changed, or not a code at all. The form
	// is not even offered.
	forged := []byte(v.Code)
	if forged[20] == 'A' {
		forged[20] = 'B'
	} else {
		forged[20] = 'A'
	}
	for _, code := range []string{string(forged), "CV1.AAAA", "hello"} {
		r := b.get("/s/" + code)
		must(t, r, http.StatusNotFound, "这不是有效的场所码", `id="scanin-problem"`)
		if strings.Contains(r.body, `name="id_number"`) {
			t.Errorf("the form is offered for the forged code %s", code)
		}
	}
	// A good code: the venue's name above the form.
	must(t, b.get("/s/"+v.Code), http.StatusOK, `id="scanin-venue"`, html.EscapeString(v.Name), `name="id_number"`)
	r := b.post("/s/CV1.AAAA", identity)
	must(t, r, http.StatusUnprocessableEntity, "这不是有效的场所码")

	// A revoked code: the form shows (its signature is good) but the post
	// says to scan the new one.
	if _, err := e.app.ReissueVenueCode(context.Background(), app.System, v.ID, "翻拍"); err != nil {
		t.Fatal(err)
	}
	// The page says so at once, before anyone types.
	must(t, b.get("/s/"+v.Code), http.StatusUnprocessableEntity, "此场所码已作废，请扫描场所张贴的最新场所码", `id="scanin-problem"`)
	must(t, b.post("/s/"+v.Code, identity), http.StatusUnprocessableEntity, "此场所码已作废，请扫描场所张贴的最新场所码", `id="scanin-problem"`)
	fresh, err := e.app.Venue(context.Background(), app.System, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	must(t, b.post("/s/"+fresh.Code, identity), http.StatusOK, "登记成功")

	// A closed venue.
	active := false
	if _, err := e.app.UpdateVenue(context.Background(), app.System, v.ID, cordon.VenueInput{Name: v.Name, Category: v.Category,
		Jurisdiction: v.Jurisdiction, Active: &active, Version: fresh.Version}); err != nil {
		t.Fatal(err)
	}
	must(t, b.post("/s/"+fresh.Code, identity), http.StatusUnprocessableEntity, "该场所已停用，无需扫码登记")
	if n := len(e.scansOf(p.ID)); n != 1 {
		t.Errorf("%d scan-ins, want the one made with the good code", n)
	}
	if strings.Contains(e.logs.String(), "level=ERROR") {
		t.Errorf("errors logged:\n%s", e.logs.String())
	}
}

package web

import (
	"context"
	"cordon/internal/testtool"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cordon"
	"cordon/internal/app"
	"cordon/internal/apptest"
)

// venue registers a venue of 福记村 through app, as another page or the API
// would.
func (e *testingEnv) venue(name string, category cordon.VenueCategory) cordon.Venue {
	e.t.Helper()
	v, err := e.app.CreateVenue(context.Background(), app.System, cordon.VenueInput{Name: name, Category: category,
		Jurisdiction: fuji, Address: "福记村陇意屯 8 号"})
	if err != nil {
		e.t.Fatal(err)
	}
	return v
}

// account adds a staff account to the environment.
func (e *testingEnv) account(username string, role cordon.Role, jurisdiction string) {
	e.t.Helper()
	if _, err := e.app.CreateAccount(context.Background(), app.System, cordon.AccountInput{Username: username, DisplayName: username,
		Role: role, Jurisdiction: jurisdiction, Password: password}); err != nil {
		e.t.Fatal(err)
	}
}

var venueLink = regexpMust(`^/venues/(\d+)$`)

func TestVenueCreateListShow(t *testing.T) {
	e := newTestingEnv(t)
	b := e.signedIn("admin")
	if home := b.get("/"); !strings.Contains(home.body, `href="/venues"`) || !strings.Contains(home.body, `href="/policies"`) {
		t.Error("the navigation lacks the venues or the policies")
	}
	r := b.get("/venues/new")
	must(t, r, http.StatusOK, `name="category"`, `value="450000"`, `list="places"`)
	for _, c := range []string{"农贸市场", "商场超市", "车站码头机场", "高速服务区", "影剧院", "歌舞厅网吧等娱乐场所", "宾馆酒店", "餐饮",
		"医疗机构", "学校托幼", "机关企业", "宗教场所", "小区村屯出入口", "其他"} {
		if !strings.Contains(r.body, ">"+c+"</option>") {
			t.Errorf("the category list lacks %s", c)
		}
	}

	// Wrong fields come back marked, with what was typed.
	r = b.post("/venues", url.Values{"name": {""}, "category": {"market"}, "jurisdiction": {"451024"}, "lat": {"23.3"}, "lng": {""},
		"contact_phone": {"12345"}})
	must(t, r, http.StatusUnprocessableEntity, `id="name-error"`, `id="category-error"`, `id="lat-error"`, `id="contact_phone-error"`,
		"请填写场所名称", "经纬度须同时填写", `value="23.3"`)
	r = b.post("/venues", url.Values{"name": {"市场"}, "category": {"mall"}, "jurisdiction": {"451024"}, "lat": {"北纬"}, "lng": {"106"}})
	must(t, r, http.StatusUnprocessableEntity, `id="lat-error"`, "请填写数字")

	r = b.post("/venues", url.Values{"name": {"德保县城关镇农贸市场"}, "category": {"farmers_market"}, "jurisdiction": {"451024100"},
		"address": {"城关镇云山路 18 号"}, "lat": {"23.3239"}, "lng": {"106.6153"}, "contact_name": {"黄经理"}, "contact_phone": {"13977001234"}})
	if r.status != http.StatusSeeOther || !venueLink.MatchString(r.location) {
		t.Fatalf("create venue: %d %q\n%s", r.status, r.location, r.body)
	}
	page := r.location
	r = b.follow(r)
	must(t, r, http.StatusOK, "场所已登记", "德保县城关镇农贸市场", "农贸市场", "德保县城关镇", "城关镇云山路 18 号", "23.3239, 106.6153",
		"黄经理", "13977001234", "第 1 版场所码", "<svg", `viewBox="0 0 `, e.srv.URL+"/s/CV1.", `href="`+page+`/poster.pdf"`,
		"打印场所码", `action="`+page+`/code"`, "已打印的场所码全部作废")
	id := strings.TrimPrefix(page, "/venues/")
	v, err := e.app.Venue(context.Background(), app.System, mustInt64(t, id))
	if err != nil {
		t.Fatal(err)
	}
	must(t, r, http.StatusOK, e.srv.URL+"/s/"+v.Code)

	// The list, its search and its category filter.
	e.venue("福记村宴席酒家", cordon.VenueRestaurant)
	r = b.get("/venues")
	must(t, r, http.StatusOK, `href="`+page+`"`, "德保县城关镇农贸市场", "福记村宴席酒家", "在用")
	r = b.get("/venues?q=" + url.QueryEscape("宴席"))
	must(t, r, http.StatusOK, "福记村宴席酒家")
	if strings.Contains(r.body, "农贸市场</a>") {
		t.Error("the name search did not narrow the list")
	}
	must(t, b.get("/venues?q="+url.QueryEscape("云山路")), http.StatusOK, "德保县城关镇农贸市场")
	r = b.get("/venues?category=restaurant")
	must(t, r, http.StatusOK, "福记村宴席酒家", `value="restaurant" selected`)
	if strings.Contains(r.body, "农贸市场</a>") {
		t.Error("the category filter did not narrow the list")
	}
	must(t, b.get("/venues?category=hotel"), http.StatusOK, "没有符合条件的场所")
	must(t, b.get("/venues?category=bogus"), http.StatusUnprocessableEntity, `id="category-error"`)

	// A page holds 50; the next link carries the filter and the cursor.
	for i := range pageSize {
		e.venue(fmt.Sprintf("福记村小卖部 %02d", i), cordon.VenueMall)
	}
	r = b.get("/venues?category=mall")
	must(t, r, http.StatusOK, `rel="next"`, "福记村小卖部 49")
	next := regexpValue(t, r.body, `href="(/venues\?[^"]+)" rel="next"`)
	if !strings.Contains(next, "category=mall") || !strings.Contains(next, "after=") {
		t.Errorf("next page link: %s", next)
	}
	r = b.get(strings.ReplaceAll(next, "&amp;", "&"))
	must(t, r, http.StatusOK, "没有符合条件的场所")
}

func TestVenueEditAndReissue(t *testing.T) {
	e := newTestingEnv(t)
	v := e.venue("福记村宴席酒家", cordon.VenueRestaurant)
	page := venuePath(v.ID)
	b := e.signedIn("admin")
	r := b.get(page + "/edit")
	must(t, r, http.StatusOK, `value="福记村宴席酒家"`, `value="restaurant" selected`, `name="version" value="1"`, `name="active" value="on" checked`)
	edit := url.Values{"name": {"福记村宴席酒家（新址）"}, "category": {"restaurant"}, "jurisdiction": {fuji}, "address": {"陇意屯 9 号"},
		"lat": {"23.32"}, "lng": {"106.61"}, "active": {"on"}, "version": {"1"}}
	r = b.post(page, edit)
	if r.status != http.StatusSeeOther || r.location != page {
		t.Fatalf("edit: %d %q\n%s", r.status, r.location, r.body)
	}
	must(t, b.follow(r), http.StatusOK, "场所信息已保存", "福记村宴席酒家（新址）", "陇意屯 9 号", "23.32, 106.61")
	// The same version again is stale, and so is none.
	must(t, b.post(page, edit), http.StatusConflict, "场所已被他人修改", `value="福记村宴席酒家（新址）"`)
	edit.Del("version")
	must(t, b.post(page, edit), http.StatusConflict, "场所已被他人修改")
	// Outside the account's jurisdiction the venue is not there, whatever
	// the form says.
	gw := e.signedIn("gw")
	must(t, gw.get(page+"/edit"), http.StatusNotFound)
	r = gw.post(page, url.Values{"name": {"酒家"}, "category": {"restaurant"}, "jurisdiction": {"451024100"}, "active": {"on"}, "version": {"2"}})
	must(t, r, http.StatusNotFound)
	r = gw.post(page, url.Values{"name": {"酒家"}, "category": {"restaurant"}, "jurisdiction": {e.grid.Code}, "active": {"on"}, "version": {"2"}})
	must(t, r, http.StatusNotFound)

	// Reissuing asks for a reason and a confirmation, then revokes the old code.
	b.get(page)
	must(t, b.post(page+"/code", url.Values{"reason": {" "}}), http.StatusUnprocessableEntity, `id="reason-error"`, "请填写重新生成的原因")
	r = b.post(page+"/code", url.Values{"reason": {"场所码被翻拍转发"}})
	if r.status != http.StatusSeeOther || r.location != page {
		t.Fatalf("reissue: %d %q\n%s", r.status, r.location, r.body)
	}
	r = b.follow(r)
	must(t, r, http.StatusOK, "已生成新场所码，原场所码已作废", "第 2 版场所码", `data-confirm="重新生成后，已张贴的场所码将全部失效`)
	if strings.Contains(r.body, "/s/"+v.Code) {
		t.Error("the page still shows the revoked code")
	}
	must(t, b.get("/audit?action=venue.reissue_code"), http.StatusOK, "重新生成场所码", "场所码被翻拍转发")

	// Closing the venue.
	b.get(page + "/edit")
	r = b.post(page, url.Values{"name": {"福记村宴席酒家"}, "category": {"restaurant"}, "jurisdiction": {fuji}, "version": {"3"}})
	must(t, b.follow(r), http.StatusOK, "已停用", "场所已停用，扫描此码不会登记")
}

func TestVenuePermissions(t *testing.T) {
	e := newTestingEnv(t)
	v := e.venue("福记村宴席酒家", cordon.VenueRestaurant)
	page := venuePath(v.ID)
	e.account("baise", cordon.RoleCommander, "451000")

	// A commander reads venues and their codes, and may not change them.
	cmd := e.signedIn("baise")
	must(t, cmd.get("/venues"), http.StatusOK, "福记村宴席酒家")
	r := cmd.get(page)
	must(t, r, http.StatusOK, "福记村宴席酒家", "<svg")
	for _, s := range []string{"/edit", "poster.pdf", `action="` + page + `/code"`, `href="/venues/new"`} {
		if strings.Contains(r.body, s) {
			t.Errorf("a commander is offered %s", s)
		}
	}
	must(t, cmd.get("/venues/new"), http.StatusForbidden)
	must(t, cmd.get(page+"/edit"), http.StatusForbidden)
	must(t, cmd.get(page+"/poster.pdf"), http.StatusForbidden)
	must(t, cmd.post(page+"/code", url.Values{"reason": {"x"}}), http.StatusForbidden)
	must(t, cmd.post("/venues", url.Values{"name": {"x"}, "category": {"other"}, "jurisdiction": {"451024"}}), http.StatusForbidden)

	// A sampler has no venues at all.
	s := e.signedIn("sampler")
	if home := s.get("/"); strings.Contains(home.body, `href="/venues"`) {
		t.Error("a sampler is offered the venues")
	}
	must(t, s.get("/venues"), http.StatusForbidden)
	must(t, s.get(page), http.StatusForbidden)

	// Outside the venue's jurisdiction it does not exist.
	must(t, e.signedIn("nanning").get(page), http.StatusNotFound)
	must(t, e.signedIn("nanning").get("/venues"), http.StatusOK, "辖区内还没有登记场所")
	must(t, e.signedIn("admin").get("/venues/999999"), http.StatusNotFound)

	// The grid worker registers the venues of the grid.
	gw := e.signedIn("gw")
	gw.get("/venues/new")
	r = gw.post("/venues", url.Values{"name": {"陇意屯小卖部"}, "category": {"mall"}, "jurisdiction": {e.grid.Code}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("grid worker creates a venue: %d\n%s", r.status, r.body)
	}
	r = gw.post("/venues", url.Values{"name": {"都安乡街"}, "category": {"mall"}, "jurisdiction": {"451024200"}})
	must(t, r, http.StatusForbidden, `id="jurisdiction-error"`)
}

// TestVenuePosterDecodes prints the poster the page serves and reads its QR
// code back: the exact scan-in URL of the venue's code on this site.
func TestVenuePosterDecodes(t *testing.T) {
	testtool.Path(t, "pdftoppm")
	testtool.Path(t, "zbarimg")
	e := newTestingEnv(t)
	v := e.venue("德保县城关镇农贸市场", cordon.VenueMarket)
	b := e.signedIn("admin")
	r := b.get(venuePath(v.ID) + "/poster.pdf")
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(r.body, "%PDF-") {
		t.Fatalf("poster: %d %s", r.status, r.header.Get("Content-Type"))
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "poster.pdf")
	if err := os.WriteFile(file, []byte(r.body), 0o600); err != nil {
		t.Fatal(err)
	}
	testtool.Run(t, "pdftoppm", "-r", "100", "-png", "-singlefile", file, filepath.Join(dir, "page"))
	out := testtool.Run(t, "zbarimg", "--quiet", "--raw", filepath.Join(dir, "page.png"))
	if got, want := strings.TrimSuffix(out, "\n"), e.srv.URL+"/s/"+v.Code; got != want {
		t.Fatalf("the poster's QR code reads %q, want %q", got, want)
	}
}

// TestVenuePagesEveryLanguage renders the venue, companion and policy
// pages in both languages; a missing translation fails in newEnv's cleanup.
func TestVenuePagesEveryLanguage(t *testing.T) {
	e := newTestingEnv(t)
	v := e.venue("福记村宴席酒家", cordon.VenueRestaurant)
	b := e.signedIn("admin")
	paths := []string{"/venues", "/venues?q=x", "/venues/new", venuePath(v.ID), venuePath(v.ID) + "/edit", "/policies",
		"/policies?jurisdiction=450100&at=2022-02-05"}
	for _, lang := range []string{"zh-CN", "en"} {
		b.follow(b.post("/lang", url.Values{"lang": {lang}, "next": {"/"}}))
		for _, p := range paths {
			r := b.get(p)
			if r.status != http.StatusOK || !strings.Contains(r.body, `<html lang="`+lang+`">`) {
				t.Errorf("%s %s: %d\n%s", lang, p, r.status, r.body)
			}
		}
	}
	must(t, b.get(venuePath(v.ID)), http.StatusOK, "Venue code", "Restaurant", "Reissue the code")
	anon := e.browser()
	anon.header.Set("Accept-Language", "en")
	must(t, anon.get("/s/"+v.Code), http.StatusOK, `<html lang="en">`, "Venue scan-in", "ID card number")
	if strings.Contains(e.logs.String(), "level=ERROR") {
		t.Errorf("errors logged:\n%s", e.logs.String())
	}
}

// TestVenueGoKeys fails when a key the venue, scan-in, companion and policy
// handlers name in Go is missing from a catalog.
func TestVenueGoKeys(t *testing.T) {
	s := templateServer(t)
	keys := []string{"venues.title", "venue.title", "venue.new_title", "venue.edit_title", "scanin.title", "scanin.done_title",
		"companions.title", "policies.title", "notice.venue.created", "notice.venue.updated", "notice.venue.code_reissued",
		"notice.policy.set", "error.venue.reason_required", "error.venue.category_invalid", "error.venue.changed",
		"error.form.day_invalid", "error.jurisdiction.not_found", "error.policy.reason_required", "error.scanin.identity_unknown",
		"policy.yes", "policy.no", "policy.test_days", "policy.day_sep", "policy.comma", "policy.then", "policy.centralised",
		"policy.home_isolation", "policy.home_monitoring", "policy.daily_test", "policy.no_measure"}
	for _, p := range scanInProblems {
		keys = append(keys, p)
	}
	for _, c := range cordon.VenueCategories {
		keys = append(keys, "venue.category_"+string(c))
	}
	for _, p := range populations {
		keys = append(keys, "population."+p)
	}
	for _, p := range cordon.Overridable() {
		keys = append(keys, "policy.path."+p)
	}
	for _, src := range []string{"scan_in", "investigation", "query"} {
		keys = append(keys, "companions.source_"+src)
	}
	for _, k := range keys {
		for _, lang := range s.cat.Languages() {
			if !s.cat.Has(lang, k) {
				t.Errorf("%s lacks %q", lang, k)
			}
		}
	}
}

func mustInt64(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestVenuePagesOnPostgres runs the venue list, the public scan-in and
// the policy page on PostgreSQL, where the list's search (LIKE with
// escapes) and the scan-in's write are SQL of their own. Without
// CORDON_TEST_POSTGRES it skips, except under CI.
func TestVenuePagesOnPostgres(t *testing.T) {
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a := apptest.New(t, apptest.Options{Log: log, Postgres: true}).App
	ctx := context.Background()
	for _, in := range testAccounts {
		in.Password = password
		if _, err := a.CreateAccount(ctx, app.System, in); err != nil {
			t.Fatal(err)
		}
	}
	h, err := New(a, Options{Log: log, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	e := &testingEnv{testEnv: &testEnv{t: t, app: a, srv: srv, logs: logs}}

	v := e.venue("福记村宴席酒家_100%", cordon.VenueRestaurant)
	e.venue("福记村小卖部", cordon.VenueMall)
	b := e.signedIn("admin")
	r := b.get("/venues?q=" + url.QueryEscape("_100%"))
	must(t, r, http.StatusOK, "福记村宴席酒家_100%")
	if strings.Contains(r.body, "福记村小卖部") {
		t.Error("the search took _ and % as wildcards")
	}

	// A person scans in on the public page.
	p := e.visitor("黄文华", 200, "13977001234")
	anon := e.browser()
	anon.get("/s/" + v.Code)
	must(t, anon.post("/s/"+v.Code, url.Values{"id_number": {p.IDNumber}, "phone": {"13977001234"}}), http.StatusOK, "登记成功", "黄*华")
	must(t, anon.post("/s/CV1.AAAA", url.Values{"id_number": {p.IDNumber}, "phone": {"13977001234"}}), http.StatusUnprocessableEntity, "这不是有效的场所码")
	if n := len(e.scansOf(p.ID)); n != 1 {
		t.Errorf("%d scan-ins stored, want 1", n)
	}

	// The policy page and an assignment.
	b.get("/policies")
	r = b.post("/policies", url.Values{"jurisdiction": {"450000"}, "from": {"2022-01-18"}, "edition": {"gx-2022-01"}, "reason": {"春运"}})
	must(t, b.follow(r), http.StatusOK, "防控方案设置已保存", "广西2022年春运返乡人员管控规定")
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("errors logged:\n%s", logs.String())
	}
}

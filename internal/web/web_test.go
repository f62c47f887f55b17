package web

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"cordon"
	"cordon/internal/app"
	"cordon/internal/apptest"
)

// testEnv is a real app over a fresh SQLite database, served by New.
type testEnv struct {
	t    *testing.T
	app  *app.App
	srv  *httptest.Server
	logs *syncBuffer
}

// syncBuffer collects log output from concurrent handlers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// The accounts every test gets. Passwords are long enough for the policy.
const password = "correct horse battery"

var testAccounts = []cordon.AccountInput{
	{Username: "admin", DisplayName: "区管理员", Role: cordon.RoleAdmin, Jurisdiction: "450000"},
	{Username: "debao", DisplayName: "德保流调", Role: cordon.RoleEpidemiologist, Jurisdiction: "451024"},
	{Username: "nanning", DisplayName: "南宁指挥部", Role: cordon.RoleCommander, Jurisdiction: "450100"},
	{Username: "sampler", DisplayName: "德保采样", Role: cordon.RoleSampler, Jurisdiction: "451024"},
}

func newEnv(t *testing.T) *testEnv {
	t.Helper()
	ctx := context.Background()
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a := apptest.New(t, apptest.Options{Log: log}).App
	for _, in := range testAccounts {
		in.Password = password
		if _, err := a.CreateAccount(ctx, app.System, in); err != nil {
			t.Fatalf("account %s: %v", in.Username, err)
		}
	}
	h, err := New(a, Options{Log: log, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	e := &testEnv{t: t, app: a, srv: srv, logs: logs}
	t.Cleanup(func() {
		if strings.Contains(logs.String(), "missing translation") {
			t.Errorf("a page used a key no catalog has:\n%s", logs.String())
		}
	})
	return e
}

// browser is one person's browser: a cookie jar, no automatic redirects,
// and the CSRF token of the last page it loaded.
type browser struct {
	t      *testing.T
	env    *testEnv
	client *http.Client
	csrf   string
	header http.Header // sent with every request
}

func (e *testEnv) browser() *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return &browser{t: e.t, env: e, header: http.Header{}, client: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// response is what a request returned.
type response struct {
	status   int
	body     string
	location string
	header   http.Header
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *browser) do(req *http.Request) response {
	b.t.Helper()
	for k, v := range b.header {
		req.Header[k] = v
	}
	res, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	if m := csrfField.FindSubmatch(body); m != nil {
		b.csrf = html.UnescapeString(string(m[1]))
	}
	return response{status: res.StatusCode, body: string(body), location: res.Header.Get("Location"), header: res.Header}
}

func (b *browser) get(path string) response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.env.srv.URL+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// post submits a form with the browser's CSRF token, unless the form sets
// its own csrf field.
func (b *browser) post(path string, form url.Values) response {
	b.t.Helper()
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", b.csrf)
	}
	req, err := http.NewRequest(http.MethodPost, b.env.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// follow loads where a redirect points.
func (b *browser) follow(r response) response {
	b.t.Helper()
	if r.status != http.StatusSeeOther && r.status != http.StatusFound {
		b.t.Fatalf("want a redirect, got %d:\n%s", r.status, r.body)
	}
	return b.get(r.location)
}

// login signs in and returns the home page.
func (b *browser) login(username string) response {
	b.t.Helper()
	b.get("/login")
	r := b.post("/login", url.Values{"username": {username}, "password": {password}})
	if r.status != http.StatusSeeOther || r.location != "/" {
		b.t.Fatalf("login %s: %d %q\n%s", username, r.status, r.location, r.body)
	}
	home := b.get("/")
	if home.status != http.StatusOK {
		b.t.Fatalf("home after login: %d\n%s", home.status, home.body)
	}
	return home
}

func (e *testEnv) signedIn(username string) *browser {
	b := e.browser()
	b.login(username)
	return b
}

func must(t *testing.T, r response, status int, contains ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d:\n%s", r.status, status, r.body)
	}
	for _, s := range contains {
		if !strings.Contains(r.body, s) {
			t.Errorf("response lacks %q:\n%s", s, r.body)
		}
	}
}

// citizenID completes 17 digits with the check character.
func citizenID(first17 string) string {
	return first17 + string(cordon.CitizenIDCheck(first17))
}

// wrongCheck completes 17 digits with a check character that does not match.
func wrongCheck(first17 string) string {
	c := cordon.CitizenIDCheck(first17)
	if c == '0' {
		return first17 + "1"
	}
	return first17 + "0"
}

var personLink = regexp.MustCompile(`^/persons/(\d+)`)

// createPerson registers a person through the form and returns its page path.
func (b *browser) createPerson(name, id, residence string) string {
	b.t.Helper()
	b.get("/persons/new")
	r := b.post("/persons", url.Values{"name": {name}, "doc_type": {"citizen_id"}, "id_number": {id}, "phone": {"13800138000"}, "residence": {residence}})
	if r.status != http.StatusSeeOther {
		b.t.Fatalf("create person: %d\n%s", r.status, r.body)
	}
	m := personLink.FindStringSubmatch(r.location)
	if m == nil {
		b.t.Fatalf("create person redirected to %q", r.location)
	}
	return "/persons/" + m[1]
}

func TestLogin(t *testing.T) {
	e := newEnv(t)
	b := e.browser()

	r := b.get("/persons")
	if r.status != http.StatusSeeOther || r.location != "/login?next=%2Fpersons" {
		t.Fatalf("signed-out /persons: %d %q", r.status, r.location)
	}
	must(t, b.follow(r), http.StatusOK, `<html lang="zh-CN">`, "登录", `name="next" value="/persons"`)

	r = b.post("/login", url.Values{"username": {"debao"}, "password": {"wrong password"}, "next": {"/persons"}})
	must(t, r, http.StatusUnauthorized, "用户名或密码错误", `aria-invalid="true"`, `value="debao"`)

	r = b.post("/login", url.Values{"username": {"debao"}, "password": {password}, "next": {"/persons"}})
	if r.status != http.StatusSeeOther || r.location != "/persons" {
		t.Fatalf("login: %d %q\n%s", r.status, r.location, r.body)
	}
	var session *http.Cookie
	for _, c := range r.header.Values("Set-Cookie") {
		if strings.HasPrefix(c, sessionCookie+"=") {
			session, _ = http.ParseSetCookie(c)
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Path != "/" {
		t.Fatalf("session cookie: %+v", session)
	}
	must(t, b.get("/"), http.StatusOK, "德保流调", "流调队员", "德保县", "451024")

	// Signing out ends the session.
	r = b.post("/logout", url.Values{})
	if r.status != http.StatusSeeOther || r.location != "/login" {
		t.Fatalf("logout: %d %q", r.status, r.location)
	}
	if r := b.get("/"); r.status != http.StatusSeeOther {
		t.Fatalf("home after logout: %d", r.status)
	}
}

func TestLoginRedirectStaysOnSite(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.get("/login")
	for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"} {
		b.get("/login")
		r := b.post("/login", url.Values{"username": {"debao"}, "password": {password}, "next": {next}})
		if r.status != http.StatusSeeOther || r.location != "/" {
			t.Errorf("next=%q redirected to %q", next, r.location)
		}
		b.post("/logout", url.Values{})
	}
}

func TestLoginLockout(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.get("/login")
	var r response
	for range 6 {
		r = b.post("/login", url.Values{"username": {"debao"}, "password": {"wrong password"}})
	}
	must(t, r, http.StatusTooManyRequests, "账号已暂时锁定", "请稍后再试")
	if r.header.Get("Retry-After") == "" {
		t.Error("no Retry-After on a locked account")
	}
	// Even the right password waits for the lock.
	r = b.post("/login", url.Values{"username": {"debao"}, "password": {password}})
	must(t, r, http.StatusTooManyRequests, "账号已暂时锁定")
}

func TestPersonCreateListShow(t *testing.T) {
	e := newEnv(t)
	b := e.signedIn("debao")
	id := citizenID("45102419900101002")
	page := b.createPerson("黄德保", id, "451024")

	r := b.get(page)
	must(t, r, http.StatusOK, "黄德保", id, "13800138000", "人员已登记", "德保县", "女", "1990-01-01")
	if r := b.get(page); strings.Contains(r.body, "人员已登记") {
		t.Error("the notice shows again on reload")
	}

	must(t, b.get("/persons"), http.StatusOK, "黄德保", `href="`+page+`"`)
	must(t, b.get("/persons?q="+url.QueryEscape("黄")), http.StatusOK, "黄德保")
	must(t, b.get("/persons?q="+id), http.StatusOK, "黄德保")
	must(t, b.get("/persons?q=138+0013+8000"), http.StatusOK, "黄德保")
	r = b.get("/persons?q=" + url.QueryEscape("李"))
	must(t, r, http.StatusOK, "没有找到符合条件的人员")

	// The reason given on the detail page lands in the person's history,
	// which shows reads to those who may read the audit log.
	must(t, b.get(page+"?reason="+url.QueryEscape("流调核实")), http.StatusOK)
	must(t, e.signedIn("admin").get(page), http.StatusOK, "流调核实", "查看人员")

	// A sampler reads masked values and cannot merge.
	s := e.signedIn("sampler")
	r = s.get(page)
	must(t, r, http.StatusOK, "4510**********", "138****8000")
	if strings.Contains(r.body, id) || strings.Contains(r.body, "/merge") {
		t.Errorf("sampler sees the full ID number or the merge form:\n%s", r.body)
	}
}

func TestPersonFormErrors(t *testing.T) {
	e := newEnv(t)
	b := e.signedIn("debao")
	b.get("/persons/new")
	const script = `<script>alert(1)</script>`
	r := b.post("/persons", url.Values{
		"name":      {script},
		"doc_type":  {"citizen_id"},
		"id_number": {wrongCheck("45102419900101002")},
		"phone":     {"12345"},
		"residence": {"451024"},
	})
	must(t, r, http.StatusUnprocessableEntity,
		`id="name" name="name" value="&lt;script&gt;alert(1)&lt;/script&gt;"`,
		`aria-describedby="name-error"`, `id="name-error"`,
		`aria-describedby="id_number-error"`, `id="id_number-error"`,
		`aria-describedby="phone-error"`, `id="phone-error"`,
		"证件号码无效", "请填写 11 位手机号", "请修改下面标出的内容")
	if strings.Contains(r.body, script) {
		t.Errorf("the raw script came back:\n%s", r.body)
	}
	if strings.Contains(r.body, `aria-describedby="residence-error"`) {
		t.Errorf("residence marked though it was right")
	}

	// A single bad field: the alert names it.
	r = b.post("/persons", url.Values{"name": {"王五"}, "id_number": {citizenID("45102419900101003")}, "residence": {"459999"}})
	must(t, r, http.StatusUnprocessableEntity, `id="residence-error"`, "没有这个区划代码")

	// The same document number twice: a link to the existing person.
	id := citizenID("45102419900101004")
	page := b.createPerson("王五", id, "451024")
	b.get("/persons/new")
	r = b.post("/persons", url.Values{"name": {"王五二"}, "id_number": {id}, "residence": {"451024"}})
	must(t, r, http.StatusConflict, `href="`+page+`"`, "打开已有记录")

	// Outside the jurisdiction: the residence field says so.
	r = b.post("/persons", url.Values{"name": {"南宁人"}, "id_number": {citizenID("45010219900101005")}, "residence": {"450102"}})
	must(t, r, http.StatusForbidden, `id="residence-error"`, "须在您的辖区内")
}

func TestPersonEditAndConflict(t *testing.T) {
	e := newEnv(t)
	b := e.signedIn("debao")
	id := citizenID("45102419900101006")
	page := b.createPerson("覃六", id, "451024")
	r := b.get(page + "/edit")
	must(t, r, http.StatusOK, `value="覃六"`, `value="`+id+`"`, `name="version" value="1"`)
	form := url.Values{"name": {"覃六六"}, "doc_type": {"citizen_id"}, "id_number": {id}, "residence": {"451024"}, "current": {"451024100"}, "version": {"1"}}
	r = b.post(page, form)
	if r.status != http.StatusSeeOther {
		t.Fatalf("update: %d\n%s", r.status, r.body)
	}
	must(t, b.follow(r), http.StatusOK, "覃六六", "城关镇", "人员信息已保存")
	// The same version again is stale now.
	r = b.post(page, form)
	must(t, r, http.StatusConflict, "该记录已被他人修改")

	// A role that reads masked values edits without seeing them: the masked
	// values go back unchanged and the stored ones are kept.
	s := e.signedIn("sampler")
	r = s.get(page + "/edit")
	masked := cordon.MaskDocNumber(id)
	must(t, r, http.StatusOK, "保持不变即保留原值", `value="`+masked+`"`)
	if strings.Contains(r.body, id) {
		t.Errorf("the edit form shows the sampler the full ID number:\n%s", r.body)
	}
	r = s.post(page, url.Values{"name": {"覃七"}, "doc_type": {"citizen_id"}, "id_number": {masked}, "residence": {"451024"}, "version": {"2"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("masked update: %d\n%s", r.status, r.body)
	}
	must(t, b.get(page), http.StatusOK, "覃七", id)
}

func TestPersonMerge(t *testing.T) {
	e := newEnv(t)
	b := e.signedIn("debao")
	keep := b.createPerson("甲", citizenID("45102419900101007"), "451024")
	drop := b.createPerson("甲乙", citizenID("45102419900101008"), "451024")
	keepID := strings.TrimPrefix(keep, "/persons/")

	b.get(drop)
	r := b.post(drop+"/merge", url.Values{"keep": {keepID}})
	must(t, r, http.StatusUnprocessableEntity, `id="reason-error"`, "请说明为什么两条记录是同一人")
	r = b.post(drop+"/merge", url.Values{"keep": {"999999"}, "reason": {"同一人"}})
	must(t, r, http.StatusUnprocessableEntity, `id="keep-error"`)
	r = b.post(drop+"/merge", url.Values{"keep": {keepID}, "reason": {"同一人"}})
	if r.status != http.StatusSeeOther || r.location != keep {
		t.Fatalf("merge: %d %q\n%s", r.status, r.location, r.body)
	}
	must(t, b.get(drop), http.StatusOK, "该记录已合并到", `href="`+keep+`"`)
}

func TestCSRF(t *testing.T) {
	e := newEnv(t)
	b := e.signedIn("debao")
	form := url.Values{"name": {"赵七"}, "id_number": {citizenID("45102419900101009")}, "residence": {"451024"}}
	form.Set("csrf", "")
	must(t, b.post("/persons", form), http.StatusForbidden, "表单已过期")
	form.Set("csrf", "AAAAAAAAAAAAAAAAAAAAAAAAAA")
	must(t, b.post("/persons", form), http.StatusForbidden)
	// The pre-session token of another browser does not sign anyone in.
	other := e.browser()
	other.get("/login")
	stranger := e.browser()
	must(t, stranger.post("/login", url.Values{"username": {"debao"}, "password": {password}, "csrf": {other.csrf}}), http.StatusForbidden)
	// A cross-site browser post is refused before the token is looked at.
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/logout", strings.NewReader("csrf="+b.csrf))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	must(t, b.do(req), http.StatusForbidden)
}

func TestJurisdictionScope(t *testing.T) {
	e := newEnv(t)
	b := e.signedIn("debao")
	page := b.createPerson("德保人", citizenID("45102419900101010"), "451024")
	n := e.signedIn("nanning")
	must(t, n.get(page), http.StatusNotFound, "找不到")
	must(t, n.get(page+"/edit"), http.StatusForbidden) // a commander does not write
	r := n.get("/persons")
	must(t, r, http.StatusOK)
	if strings.Contains(r.body, "德保人") {
		t.Error("the Nanning commander lists a Debao person")
	}
	// What the role lacks is not offered.
	if strings.Contains(r.body, `href="/persons/new"`) || strings.Contains(r.body, `href="/accounts"`) {
		t.Errorf("commander offered links the role lacks:\n%s", r.body)
	}
	must(t, n.get("/accounts"), http.StatusForbidden, "您的角色或辖区无权进行此操作")
	must(t, n.get("/audit"), http.StatusForbidden)
}

func TestLanguage(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	must(t, b.get("/login"), http.StatusOK, `<html lang="zh-CN">`, "登录", `lang="en"`, "English")

	r := b.post("/lang", url.Values{"lang": {"en"}, "next": {"/login"}})
	if r.status != http.StatusSeeOther || r.location != "/login" {
		t.Fatalf("lang: %d %q\n%s", r.status, r.location, r.body)
	}
	must(t, b.get("/login"), http.StatusOK, `<html lang="en">`, "Sign in", "Username")
	b.login("debao")
	must(t, b.get("/persons"), http.StatusOK, `<html lang="en">`, "Persons", "Epidemiologist")

	// Signed in, the choice is stored with the account and follows it to a
	// new browser.
	must(t, b.follow(b.post("/lang", url.Values{"lang": {"zh-CN"}, "next": {"/persons"}})), http.StatusOK, `<html lang="zh-CN">`)
	must(t, b.follow(b.post("/lang", url.Values{"lang": {"en"}, "next": {"/"}})), http.StatusOK, `<html lang="en">`)
	fresh := e.browser()
	must(t, fresh.login("debao"), http.StatusOK, `<html lang="en">`, "Sign out")

	// Accept-Language decides when nothing else does.
	a := e.browser()
	a.header.Set("Accept-Language", "en-GB,en;q=0.9")
	must(t, a.get("/login"), http.StatusOK, `<html lang="en">`)
	must(t, b.post("/lang", url.Values{"lang": {"fr"}}), http.StatusBadRequest)
}

func TestGridsAndAccounts(t *testing.T) {
	e := newEnv(t)
	b := e.signedIn("admin")
	b.get("/grids")
	r := b.post("/grids", url.Values{"parent": {"451024200202"}, "name": {"一网格"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("create grid: %d\n%s", r.status, r.body)
	}
	must(t, b.follow(r), http.StatusOK, "一网格", "451024200202001", "网格已创建")
	r = b.post("/grids", url.Values{"parent": {"451024"}, "name": {"<b>"}})
	must(t, r, http.StatusUnprocessableEntity, `id="parent-error"`, `id="name-error"`)
	r = b.post("/grids/451024200202001", url.Values{"name": {"福记一网格"}, "within": {"451024200202"}})
	must(t, b.follow(r), http.StatusOK, "福记一网格", "网格已改名")
	must(t, b.get("/jurisdictions/451024200202"), http.StatusOK, "福记一网格", "福记村委会", "都安乡")

	b.get("/accounts")
	r = b.post("/accounts", url.Values{"username": {"gw1"}, "role": {"grid_worker"}, "jurisdiction": {"451024"}, "password": {"short"}})
	must(t, r, http.StatusUnprocessableEntity, `id="jurisdiction-error"`, `id="password-error"`, "网格员账号必须绑定到网格")
	if strings.Contains(r.body, `value="short"`) {
		t.Error("the password came back in the form")
	}
	r = b.post("/accounts", url.Values{"username": {"gw1"}, "display_name": {"网格员一"}, "role": {"grid_worker"}, "jurisdiction": {"451024200202001"}, "password": {password}})
	must(t, b.follow(r), http.StatusOK, "网格员一", "账号已创建")
	var gwID string
	for _, a := range mustAccounts(t, e) {
		if a.Username == "gw1" {
			gwID = fmt.Sprint(a.ID)
		}
	}
	gw := e.signedIn("gw1")
	must(t, b.follow(b.post("/accounts/"+gwID+"/disable", url.Values{})), http.StatusOK, "账号已停用")
	if r := gw.get("/"); r.status != http.StatusSeeOther {
		t.Errorf("a disabled account's session still works: %d", r.status)
	}
	must(t, b.follow(b.post("/accounts/"+gwID+"/enable", url.Values{})), http.StatusOK, "账号已启用")
	must(t, b.post("/accounts/"+gwID+"/password", url.Values{"password": {"short"}}), http.StatusUnprocessableEntity, "密码至少需要 8 个字符")
	must(t, b.follow(b.post("/accounts/"+gwID+"/password", url.Values{"password": {"another good one"}})), http.StatusOK, "密码已重置")

	r = b.get("/audit?action=account.create")
	must(t, r, http.StatusOK, "新建账号", "admin")
	must(t, b.get("/audit?since=2020-13-01"), http.StatusUnprocessableEntity, `id="since-error"`)
}

func mustAccounts(t *testing.T, e *testEnv) []cordon.Account {
	accts, err := e.app.Accounts(context.Background(), app.System)
	if err != nil {
		t.Fatal(err)
	}
	return accts
}

// TestEveryPage renders every page in every language and fails on a
// template error, a missing translation or a wrong status.
func TestEveryPage(t *testing.T) {
	e := newEnv(t)
	b := e.signedIn("admin")
	page := b.createPerson("页面测试", citizenID("45102419900101011"), "451024")
	b.get("/grids")
	b.post("/grids", url.Values{"parent": {"451024200202"}, "name": {"测试网格"}})
	signedIn := []struct {
		path   string
		status int
	}{
		{"/", 200},
		{"/persons", 200},
		{"/persons?q=%E9%A1%B5", 200},
		{"/persons/new", 200},
		{page, 200},
		{page + "/edit", 200},
		{"/jurisdictions", 303},
		{"/jurisdictions/450000", 200},
		{"/jurisdictions/451024200202", 200},
		{"/jurisdictions/451024200202001", 200},
		{"/jurisdictions?q=%E5%BE%B7%E4%BF%9D&within=450000", 200},
		{"/jurisdictions?q=zzzz", 200},
		{"/jurisdictions/999999", 404},
		{"/grids", 200},
		{"/grids?within=451024200202", 200},
		{"/accounts", 200},
		{"/audit", 200},
		{"/audit?username=admin&since=2020-01-01&until=2099-12-31", 200},
		{"/persons/999999", 404},
		{"/persons/abc", 404},
		{"/no/such/page", 404},
		{"/login", 303},
	}
	for _, lang := range []string{"zh-CN", "en"} {
		b.follow(b.post("/lang", url.Values{"lang": {lang}, "next": {"/"}}))
		for _, p := range signedIn {
			r := b.get(p.path)
			if r.status != p.status {
				t.Errorf("%s %s: status %d, want %d\n%s", lang, p.path, r.status, p.status, r.body)
				continue
			}
			if r.status != 303 && !strings.Contains(r.body, `<html lang="`+lang+`">`) {
				t.Errorf("%s %s: wrong or no html lang", lang, p.path)
			}
		}
		anon := e.browser()
		anon.header.Set("Accept-Language", lang)
		for _, path := range []string{"/login", "/no/such/page"} {
			r := anon.get(path)
			if r.status >= 500 || !strings.Contains(r.body, `<html lang="`+lang+`">`) {
				t.Errorf("signed out %s %s: %d\n%s", lang, path, r.status, r.body)
			}
		}
	}
	if strings.Contains(e.logs.String(), "level=ERROR") {
		t.Errorf("errors logged:\n%s", e.logs.String())
	}
}

func TestStaticAssets(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	r := b.get("/login")
	css := regexp.MustCompile(`href="(/static/app\.[0-9a-f]{8}\.css)"`).FindStringSubmatch(r.body)
	js := regexp.MustCompile(`src="(/static/app\.[0-9a-f]{8}\.js)"`).FindStringSubmatch(r.body)
	if css == nil || js == nil {
		t.Fatalf("no hashed asset links:\n%s", r.body)
	}
	for _, path := range []string{css[1], js[1]} {
		res := b.get(path)
		if res.status != 200 || res.header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("%s: %d %q", path, res.status, res.header.Get("Cache-Control"))
		}
		if len(res.header.Values("Set-Cookie")) > 0 {
			t.Errorf("%s sets a cookie", path)
		}
	}
	if ct := b.get(css[1]).header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
		t.Errorf("css served as %q", ct)
	}
	must(t, b.get("/static/app.css"), http.StatusNotFound)
	must(t, b.get("/static/app.00000000.css"), http.StatusNotFound)
	// No page carries an inline script, so script-src 'self' holds.
	if regexp.MustCompile(`<script>|<script [^>]*>[^<]`).MatchString(r.body) || strings.Contains(r.body, " on") && regexp.MustCompile(`\son[a-z]+=`).MatchString(r.body) {
		t.Errorf("inline script or handler in the page:\n%s", r.body)
	}
	// The htmx bundle is linked when scripts/assets.sh has built it.
	if _, ok := e.assetsHave("vendor/htmx.min.js"); ok && !strings.Contains(r.body, "/static/vendor/htmx.min.") {
		t.Error("htmx is built but not linked")
	}
}

func (e *testEnv) assetsHave(name string) (string, bool) {
	a, err := loadAssets()
	if err != nil {
		e.t.Fatal(err)
	}
	h, ok := a.byName[name]
	return h, ok
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"":                 "/",
		"/persons?q=1":     "/persons?q=1",
		"//evil.example":   "/",
		"/\\evil.example":  "/",
		"https://x.test/":  "/",
		"persons":          "/",
		"/a\r\nSet-Cookie": "/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

package web

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"cordon"
	"cordon/internal/app"
	"cordon/internal/testtool"
)

// codeEnv is the testing environment with a Debao resident who has a
// phone, a venue, a checkpoint officer and a Debao commander.
type codeEnv struct {
	*testingEnv
	person cordon.Person
	phone  string
	venue  cordon.Venue
}

func newCodeEnv(t *testing.T) *codeEnv {
	t.Helper()
	e := &codeEnv{testingEnv: newTestingEnv(t), phone: "13977001234"}
	e.person = e.visitor("黄文华", 300, e.phone)
	e.venue = e.testingEnv.venue("德保县城关镇农贸市场", cordon.VenueMarket)
	e.account("officer", cordon.RoleCheckpoint, "451024")
	e.account("cmd", cordon.RoleCommander, "451024")
	return e
}

// token is a fresh own-code token of the resident.
func (e *codeEnv) token() string {
	e.t.Helper()
	ctx := context.Background()
	pass, err := e.app.PersonPass(ctx, e.person.IDNumber, e.phone)
	if err != nil {
		e.t.Fatal(err)
	}
	t, err := e.app.OwnCode(ctx, pass)
	if err != nil {
		e.t.Fatal(err)
	}
	return t.Token
}

// yellow colours every Debao resident yellow, from an hour ago until
// three negative rounds.
func (e *codeEnv) yellow() cordon.AreaMeasure {
	e.t.Helper()
	m, err := e.app.TakeAreaMeasure(context.Background(), app.System, cordon.AreaMeasure{Jurisdiction: "451024",
		Reason: cordon.ReasonYellowOther, Note: "全县赋黄码", Rounds: 3, From: time.Now().Add(-time.Hour)})
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// verified checks a token as the officer would, through app.
func (e *codeEnv) verified(token string) app.CodeVerification {
	e.t.Helper()
	officer, err := e.app.AccountByUsername(context.Background(), app.System, "officer")
	if err != nil {
		e.t.Fatal(err)
	}
	v, err := e.app.VerifyCode(context.Background(), officer.Actor(), token, time.Time{})
	if err != nil {
		e.t.Fatal(err)
	}
	return v
}

// altered changes one character of a token into another base64url one:
// the token still reads, its signature no longer holds.
func altered(token string, i int) string {
	c := byte('A')
	if token[i] == 'A' {
		c = 'B'
	}
	return token[:i] + string(c) + token[i+1:]
}

// ajax posts a form as the pages' scripts do: asking for JSON, with the
// CSRF token in a header.
func (b *browser) ajax(path string, form url.Values) response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.env.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-CSRF-Token", b.csrf)
	return b.do(req)
}

func decodeJSON[T any](t *testing.T, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(r.body), &v); err != nil {
		t.Fatalf("%d %s: %v", r.status, r.body, err)
	}
	return v
}

var pageToken = regexp.MustCompile(`data-token="(HC1\.[A-Za-z0-9_-]+)"`)
var pageQR = regexp.MustCompile(`src="data:image/png;base64,([^"]+)"`)

// decodeQR reads a PNG's QR code with zbarimg.
func decodeQR(t *testing.T, png []byte) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "code.png")
	if err := os.WriteFile(file, png, 0o600); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(testtool.Run(t, "zbarimg", "--quiet", "--raw", file), "\n")
}

// openOwnCode opens the resident's code on a phone and returns its page.
func (e *codeEnv) openOwnCode(b *browser) response {
	e.t.Helper()
	b.get("/me")
	r := b.post("/me", url.Values{"id_number": {e.person.IDNumber}, "phone": {e.phone}})
	if r.status != http.StatusSeeOther || r.location != "/me/code" {
		e.t.Fatalf("open own code: %d %q\n%s", r.status, r.location, r.body)
	}
	return b.follow(r)
}

func TestOwnCodePages(t *testing.T) {
	e := newCodeEnv(t)
	b := e.browser()
	must(t, b.get("/me"), http.StatusOK, `<html lang="zh-CN">`, "我的健康码", `name="id_number"`, `name="phone"`, `name="csrf"`)
	// A pair that matches nobody reads like an unknown person.
	r := b.post("/me", url.Values{"id_number": {e.person.IDNumber}, "phone": {"13900000000"}})
	must(t, r, http.StatusUnprocessableEntity, "未找到该身份证号和手机号对应的登记人员")
	if strings.Contains(strings.Join(r.header.Values("Set-Cookie"), ";"), passCookie+"=") {
		t.Error("a refused pair sets a pass")
	}
	must(t, b.post("/me", url.Values{"id_number": {e.person.IDNumber}, "phone": {e.phone}, "csrf": {"X"}}), http.StatusForbidden)

	// The right pair: the pass is a strict, script-proof cookie.
	r = b.post("/me", url.Values{"id_number": {strings.ToLower(e.person.IDNumber)}, "phone": {e.phone}})
	if r.status != http.StatusSeeOther || r.location != "/me/code" {
		t.Fatalf("open: %d %q", r.status, r.location)
	}
	var pass *http.Cookie
	for _, c := range r.header.Values("Set-Cookie") {
		if strings.HasPrefix(c, passCookie+"=") {
			pass, _ = http.ParseSetCookie(c)
		}
	}
	if pass == nil || !pass.HttpOnly || pass.SameSite != http.SameSiteStrictMode || pass.Path != "/me" || pass.MaxAge < 86400 || pass.Secure {
		t.Fatalf("pass cookie: %+v", pass)
	}
	if r := b.get("/me"); r.status != http.StatusSeeOther || r.location != "/me/code" {
		t.Errorf("/me with a pass: %d %q", r.status, r.location)
	}

	// The code: masked name, green frame, the QR as a PNG, a refresh
	// without script, and no identity in the page.
	r = b.get("/me/code")
	must(t, r, http.StatusOK, "黄*华", `class="code-frame code-green"`, "绿码", `<noscript><meta http-equiv="refresh" content="60"></noscript>`,
		`id="code-qr" src="data:image/png;base64,`, "在本机退出", `src="/static/owncode.`)
	if strings.Contains(r.body, "黄文华") || strings.Contains(r.body, e.person.IDNumber) || strings.Contains(r.body, e.phone) {
		t.Error("the code page shows the full name, ID number or phone")
	}
	if strings.Contains(r.body, `id="owncode-window"`) {
		t.Error("a green code is offered the travel window")
	}
	m := pageToken.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("no token on the page:\n%s", r.body)
	}
	if v := e.verified(m[1]); !v.Valid || v.PersonID != e.person.ID || v.Color != cordon.Green {
		t.Errorf("the page's token: %+v", v)
	}

	// The script's JSON: a fresh token each time, with a QR of it.
	j := decodeJSON[ownCodeJSON](t, b.get("/me/code.json"))
	j2 := decodeJSON[ownCodeJSON](t, b.get("/me/code.json"))
	if j.Token == m[1] || j.Token == j2.Token || j.Color != "green" || j.ColorText != "绿码" || j.Name != "黄*华" || !strings.HasPrefix(j.QR, "data:image/png;base64,") || j.Status == "" {
		t.Errorf("code.json: %+v then %+v", j, j2)
	}
	if !j.RefreshAt.After(time.Now().Add(30*time.Second)) || !j.ExpiresAt.After(j.RefreshAt) {
		t.Errorf("refresh at %v, expires at %v", j.RefreshAt, j.ExpiresAt)
	}

	// English.
	en := e.browser()
	en.header.Set("Accept-Language", "en")
	e.openOwnCode(en)
	must(t, en.get("/me/code"), http.StatusOK, `<html lang="en">`, "My health code", "Green", "Sign out on this phone")
	if j := decodeJSON[ownCodeJSON](t, en.get("/me/code.json")); j.ColorText != "Green" {
		t.Errorf("English JSON: %+v", j)
	}

	// Signing out forgets the pass.
	r = b.post("/me/signout", url.Values{})
	if r.status != http.StatusSeeOther || r.location != "/me" {
		t.Fatalf("sign out: %d %q", r.status, r.location)
	}
	must(t, b.get("/me"), http.StatusOK, `name="id_number"`)
	if r := b.get("/me/code"); r.status != http.StatusSeeOther || r.location != "/me" {
		t.Errorf("the code after signing out: %d %q", r.status, r.location)
	}
}

// A pass altered on the phone opens nothing: the page goes back to /me
// and the cookie is cleared; the script's JSON answers 401.
func TestOwnCodeTamperedPass(t *testing.T) {
	e := newCodeEnv(t)
	b := e.browser()
	e.openOwnCode(b)
	u, _ := url.Parse(e.srv.URL + "/me")
	var pass string
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == passCookie {
			pass = c.Value
		}
	}
	if pass == "" {
		t.Fatal("no pass in the jar")
	}
	last := "A"
	if strings.HasSuffix(pass, "A") {
		last = "B"
	}
	for _, bad := range []string{pass[:len(pass)-1] + last, "nonsense", pass[:20]} {
		b.client.Jar.SetCookies(u, []*http.Cookie{{Name: passCookie, Value: bad, Path: "/me"}})
		r := b.get("/me/code.json")
		if r.status != http.StatusUnauthorized || !strings.Contains(r.body, "healthcode.pass_invalid") {
			t.Errorf("code.json with pass %q: %d %s", bad, r.status, r.body)
		}
		b.client.Jar.SetCookies(u, []*http.Cookie{{Name: passCookie, Value: bad, Path: "/me"}})
		r = b.get("/me/code")
		if r.status != http.StatusSeeOther || r.location != "/me" || !strings.Contains(strings.Join(r.header.Values("Set-Cookie"), ";"), passCookie+"=;") {
			t.Errorf("code with pass %q: %d %q %v", bad, r.status, r.location, r.header.Values("Set-Cookie"))
		}
		must(t, b.get("/me"), http.StatusOK, `name="id_number"`)
	}
}

// A yellow-code holder sees the travel-window form and gets the window
// once: the code shows green meanwhile.
func TestOwnCodeTravelWindow(t *testing.T) {
	e := newCodeEnv(t)
	e.yellow()
	b := e.browser()
	r := e.openOwnCode(b)
	must(t, r, http.StatusOK, `class="code-frame code-yellow"`, "黄码", "B6", "其他（未按要求检测、区域赋码、人工赋码等）", `id="owncode-window"`, "自 ")
	r = b.post("/me/window", url.Values{"hours": {"25"}})
	must(t, r, http.StatusUnprocessableEntity, "出行时段为 1 至 24 小时")
	r = b.post("/me/window", url.Values{"hours": {"6"}})
	if r.status != http.StatusSeeOther || r.location != "/me/code" {
		t.Fatalf("window: %d %q\n%s", r.status, r.location, r.body)
	}
	r = b.follow(r)
	// (The page's token is signed at the whole second before the window
	// began, so its frame may still be yellow; a check is green.)
	must(t, r, http.StatusOK, "返乡时段已开始", "返乡时段：")
	if strings.Contains(r.body, `id="owncode-window"`) {
		t.Error("the window is offered again")
	}
	must(t, b.post("/me/window", url.Values{"hours": {"6"}}), http.StatusConflict, "一次性返乡时段已申请过")
	if v := e.verified(pageToken.FindStringSubmatch(b.get("/me/code").body)[1]); v.Color != cordon.Green || !v.InWindow {
		t.Errorf("a check in the window: %+v", v)
	}
}

// The QR code of the page, read back with zbarimg, is the token, and it
// verifies.
func TestOwnCodeQRDecodes(t *testing.T) {
	testtool.Path(t, "zbarimg")
	e := newCodeEnv(t)
	b := e.browser()
	r := e.openOwnCode(b)
	m, q := pageToken.FindStringSubmatch(r.body), pageQR.FindStringSubmatch(r.body)
	if m == nil || q == nil {
		t.Fatalf("no token or QR on the page:\n%s", r.body)
	}
	png, err := base64.StdEncoding.DecodeString(html.UnescapeString(q[1]))
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeQR(t, png); got != m[1] {
		t.Fatalf("zbarimg read %q, want the page's token %q", got, m[1])
	}
	if v := e.verified(m[1]); !v.Valid || v.PersonID != e.person.ID {
		t.Errorf("the decoded token: %+v", v)
	}
	// And the JSON's QR: its own token.
	j := decodeJSON[ownCodeJSON](t, b.get("/me/code.json"))
	png, err = base64.StdEncoding.DecodeString(strings.TrimPrefix(j.QR, "data:image/png;base64,"))
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeQR(t, png); got != j.Token {
		t.Fatalf("zbarimg read %q from the JSON's QR, want %q", got, j.Token)
	}
}

// The printed code: a PDF card whose QR reads back as a printed token that
// verifies, with the masked name, the colour at print time and today's
// rule; only staff who manage codes print it.
func TestPrintedCodeCard(t *testing.T) {
	testtool.Path(t, "pdftoppm")
	testtool.Path(t, "zbarimg")
	e := newCodeEnv(t)
	path := personPath(e.person.ID)
	admin := e.signedIn("admin")
	must(t, admin.get(path), http.StatusOK, `href="`+path+`/health-code.pdf"`)
	r := admin.get(path + "/health-code.pdf")
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(r.body, "%PDF-") {
		t.Fatalf("card: %d %s\n%.300s", r.status, r.header.Get("Content-Type"), r.body)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "card.pdf")
	if err := os.WriteFile(file, []byte(r.body), 0o600); err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(testtool.Run(t, "pdftotext", "-enc", "UTF-8", file, "-")), " ")
	for _, want := range []string{"健康码", "黄*华", "打印时码色：绿码", "有效期至 ", "查验时以扫码显示的当日码色为准"} {
		if !strings.Contains(text, want) {
			t.Errorf("the card lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "黄文华") || strings.Contains(text, e.person.IDNumber) {
		t.Error("the card shows the full name or the ID number")
	}
	testtool.Run(t, "pdftoppm", "-r", "150", "-png", "-singlefile", file, filepath.Join(dir, "page"))
	token := strings.TrimSuffix(testtool.Run(t, "zbarimg", "--quiet", "--raw", filepath.Join(dir, "page.png")), "\n")
	v := e.verified(token)
	if !v.Valid || !v.Printed || v.PersonID != e.person.ID || v.ExpiresAt.Sub(v.IssuedAt) != app.PrintedCodeTTL {
		t.Fatalf("the printed token %q: %+v", token, v)
	}
	// A printed code is scanned many times.
	if v := e.verified(token); !v.Valid {
		t.Errorf("a second scan of the printed code: %+v", v)
	}
	// A role that reads codes but does not manage them neither sees the
	// button nor gets the card.
	epi := e.signedIn("debao")
	if strings.Contains(epi.get(path).body, "/health-code.pdf") {
		t.Error("the print button shows to an epidemiologist")
	}
	must(t, epi.get(path+"/health-code.pdf"), http.StatusForbidden)
}

func TestPersonCodeSection(t *testing.T) {
	e := newCodeEnv(t)
	path := personPath(e.person.ID)
	epi := e.signedIn("debao")
	r := epi.get(path)
	must(t, r, http.StatusOK, `id="health-code"`, "码色变更记录", `class="code-badge code-green"`, "无赋码原因", "码色未变更过")
	if strings.Contains(r.body, `id="health-code-set"`) {
		t.Error("an epidemiologist is offered the form that sets colours")
	}
	// A lab reads persons but not codes: no section.
	if strings.Contains(e.signedIn("lab").get(path).body, `id="health-code"`) {
		t.Error("a lab account sees the health-code section")
	}

	// An area measure: yellow, the measure linked, the travel-window form
	// for those who manage codes.
	m := e.yellow()
	admin := e.signedIn("admin")
	r = admin.get(path)
	must(t, r, http.StatusOK, `class="code-badge code-yellow"`, "B6", fmt.Sprintf(`href="/measures#measure-%d"`, m.ID), `id="health-code-set"`,
		`id="health-code-window"`, "准予返乡时段")

	// A colour by hand: refused without a reason, then set.
	until := time.Now().Add(48 * time.Hour).In(chinaTime).Format(localTimeLayout)
	r = admin.post(path+"/health-code", url.Values{"color": {"red"}, "reason_code": {"A8"}, "reason": {""}, "until": {until}})
	must(t, r, http.StatusUnprocessableEntity, `id="reason-error"`, "请填写原因", `value="`+until+`"`)
	r = admin.post(path+"/health-code", url.Values{"color": {"red"}, "reason_code": {"B6"}, "reason": {"协查函要求"}, "until": {until}})
	must(t, r, http.StatusUnprocessableEntity, "原因代码须为A1–A8或B1–B6，且与码色一致")
	r = admin.post(path+"/health-code", url.Values{"color": {"red"}, "reason_code": {"A8"}, "reason": {"协查函要求"}, "until": {"tomorrow"}})
	must(t, r, http.StatusUnprocessableEntity, `id="until-error"`)
	r = admin.post(path+"/health-code", url.Values{"color": {"red"}, "reason_code": {"A8"}, "reason": {"协查函要求"}, "until": {until}})
	if r.status != http.StatusSeeOther || r.location != path+"#health-code" {
		t.Fatalf("set: %d %q\n%s", r.status, r.location, r.body)
	}
	r = admin.follow(r)
	must(t, r, http.StatusOK, "已赋码", `id="health-code-color">红码`, "A8", "协查函要求", `id="health-code-marks"`, "生效中", "/revoke",
		"人工设为红码")
	markID := regexp.MustCompile(`id="mark-(\d+)"`).FindStringSubmatch(r.body)
	if markID == nil {
		t.Fatal("no mark row")
	}
	if got := decodeJSON[app.CodeVerification](t, e.signedIn("officer").ajax("/verify", url.Values{"token": {e.token()}})); got.Color != cordon.Red {
		t.Errorf("a check after the colour was set: %+v", got)
	}
	// The epidemiologist cannot set colours, whatever the page shows.
	epi.get(path)
	must(t, epi.post(path+"/health-code", url.Values{"color": {"green"}, "reason": {"误判"}, "until": {until}}), http.StatusForbidden)

	// Revoking the mark: the reason is required, then yellow again.
	revoke := "/health-code-marks/" + markID[1] + "/revoke"
	must(t, admin.post(revoke, url.Values{"person": {fmt.Sprint(e.person.ID)}, "reason": {""}}), http.StatusUnprocessableEntity, "请填写原因")
	r = admin.post(revoke, url.Values{"person": {fmt.Sprint(e.person.ID)}, "reason": {"复核后撤销"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("revoke: %d\n%s", r.status, r.body)
	}
	r = admin.follow(r)
	must(t, r, http.StatusOK, "已撤销", `id="health-code-color">黄码`, "复核后撤销")
	// The history lists the changes with their causes, latest first.
	hist := r.body[strings.Index(r.body, `id="health-code-history"`):]
	hist = hist[:strings.Index(hist, "</table>")]
	if !strings.Contains(hist, "赋码记录 #"+markID[1]) || !strings.Contains(hist, "区域措施 #") || strings.Index(hist, "code-yellow") > strings.Index(hist, "code-red") {
		t.Errorf("history:\n%s", hist)
	}

	// The staff's travel window.
	r = admin.post(path+"/health-code/window", url.Values{"hours": {"4"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("window: %d\n%s", r.status, r.body)
	}
	must(t, admin.follow(r), http.StatusOK, "返乡时段已开始", `id="health-code-color">绿码 · 返乡时段内`)
	must(t, admin.post(path+"/health-code/window", url.Values{"hours": {"4"}}), http.StatusConflict, "一次性返乡时段已申请过")

	// English.
	admin.follow(admin.post("/lang", url.Values{"lang": {"en"}, "next": {"/"}}))
	must(t, admin.get(path), http.StatusOK, "Colour history", "Set the colour by hand", "Other (a required test not taken, an area measure, set by hand)")
}

func TestMeasuresPage(t *testing.T) {
	e := newCodeEnv(t)
	cmd := e.signedIn("cmd")
	must(t, cmd.get("/measures"), http.StatusOK, "区域赋码措施", "暂无区域措施", `id="measure-take"`, `list="places"`, `href="/measures" aria-current="page"`)
	// No end: refused with the rule.
	r := cmd.post("/measures", url.Values{"jurisdiction": {"451024"}, "reason_code": {"B6"}, "note": {"全县赋黄码"}})
	must(t, r, http.StatusUnprocessableEntity, "区域措施须有结束条件", `value="全县赋黄码"`)
	// Outside the commander's county.
	r = cmd.post("/measures", url.Values{"jurisdiction": {"450100"}, "reason_code": {"B6"}, "note": {"全市赋黄码"}, "rounds": {"3"}})
	must(t, r, http.StatusForbidden, `id="jurisdiction-error"`)
	r = cmd.post("/measures", url.Values{"jurisdiction": {"451024"}, "reason_code": {"B6"}, "note": {"全县赋黄码，三轮核酸阴性后转绿"}, "rounds": {"3"}})
	if r.status != http.StatusSeeOther || r.location != "/measures" {
		t.Fatalf("take: %d %q\n%s", r.status, r.location, r.body)
	}
	r = cmd.follow(r)
	must(t, r, http.StatusOK, "区域措施已生效", "德保县", "451024", "全县赋黄码，三轮核酸阴性后转绿", "连续 3 轮核酸阴性后", "生效中", "/end")
	if s, err := e.app.HealthCode(context.Background(), app.System, e.person.ID, ""); err != nil || s.Color != cordon.Yellow {
		t.Errorf("a resident's code under the measure: %+v %v", s, err)
	}
	id := regexp.MustCompile(`id="measure-(\d+)"`).FindStringSubmatch(r.body)[1]

	// An epidemiologist reads the list without the forms; a lab not at all.
	epi := e.signedIn("debao")
	r = epi.get("/measures")
	must(t, r, http.StatusOK, "全县赋黄码，三轮核酸阴性后转绿")
	if strings.Contains(r.body, `id="measure-take"`) || strings.Contains(r.body, "/end") {
		t.Error("an epidemiologist is offered the measure forms")
	}
	must(t, epi.post("/measures/"+id+"/end", url.Values{"reason": {"解除"}}), http.StatusForbidden)
	must(t, e.signedIn("lab").get("/measures"), http.StatusForbidden)

	// Lifting it needs a reason.
	must(t, cmd.post("/measures/"+id+"/end", url.Values{"reason": {""}}), http.StatusUnprocessableEntity, "请填写原因")
	r = cmd.post("/measures/"+id+"/end", url.Values{"reason": {"三轮核酸阴性，提前解除"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("end: %d\n%s", r.status, r.body)
	}
	must(t, cmd.follow(r), http.StatusOK, "区域措施已解除", "结束：三轮核酸阴性，提前解除")
	must(t, cmd.post("/measures/"+id+"/end", url.Values{"reason": {"再次解除"}}), http.StatusConflict, "该区域措施已结束")
	if s, _ := e.app.HealthCode(context.Background(), app.System, e.person.ID, ""); s.Color != cordon.Green {
		t.Errorf("a resident's code after the measure ended: %+v", s)
	}
	cmd.follow(cmd.post("/lang", url.Values{"lang": {"en"}, "next": {"/"}}))
	must(t, cmd.get("/measures"), http.StatusOK, "Area measures", "after 3 negative rounds", "Take an area measure")
}

func TestVerifyPage(t *testing.T) {
	e := newCodeEnv(t)
	officer := e.signedIn("officer")
	must(t, officer.get("/verify"), http.StatusOK, "健康码核验", `data-keys="/.well-known/cordon/keys"`, `src="/static/codeverify.`,
		`src="/static/verify.`, `data-texts="{`, `href="/verify" aria-current="page"`)

	// The script's post: today's colour and reasons, then a replay.
	e.yellow()
	token := e.token()
	a := decodeJSON[codeAnswer](t, officer.ajax("/verify", url.Values{"token": {token}}))
	if !a.Valid || a.State != "valid" || a.StateText != "有效" || a.ColorText != "黄码" || a.Name != "黄*华" || len(a.ReasonText) != 1 || a.ReasonText[0].Code != "B6" || a.PersonID != e.person.ID {
		t.Errorf("verify: %+v", a)
	}
	a = decodeJSON[codeAnswer](t, officer.ajax("/verify", url.Values{"token": {token}}))
	if a.Valid || a.State != "replayed" || a.StateText != "重复出示" {
		t.Errorf("a replay: %+v", a)
	}
	if a := decodeJSON[codeAnswer](t, officer.ajax("/verify", url.Values{"token": {altered(e.token(), 40)}})); a.Valid || a.State != "forged" {
		t.Errorf("a forged token: %+v", a)
	}
	if a := decodeJSON[codeAnswer](t, officer.ajax("/verify", url.Values{"token": {"hello"}})); a.Valid || a.State != "invalid" || a.ErrorText != "不是有效的健康码" {
		t.Errorf("not a token: %+v", a)
	}

	// Without script: the form posts and the page answers.
	officer.get("/verify")
	r := officer.post("/verify", url.Values{"token": {e.token()}})
	must(t, r, http.StatusOK, `id="verify-state">有效`, "黄码", "黄*华", "联网核验（当日码色）")
	if strings.Contains(r.body, "黄文华") {
		t.Error("the verifier shows the full name")
	}
	// Without the CSRF token nothing is checked.
	must(t, officer.post("/verify", url.Values{"token": {e.token()}, "csrf": {"X"}}), http.StatusForbidden)
	// A lab neither checks codes nor reads them.
	lab := e.signedIn("lab")
	must(t, lab.get("/verify"), http.StatusForbidden)
	r = lab.ajax("/verify", url.Values{"token": {e.token()}})
	if r.status != http.StatusForbidden || !strings.Contains(r.body, "auth.forbidden") {
		t.Errorf("a lab's post: %d %s", r.status, r.body)
	}
	officer.follow(officer.post("/lang", url.Values{"lang": {"en"}, "next": {"/"}}))
	must(t, officer.get("/verify"), http.StatusOK, "Verify a health code", `&#34;forged&#34;:&#34;Forged or altered&#34;`)
}

func TestCheckPage(t *testing.T) {
	e := newCodeEnv(t)
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(e.logs.String())
		}
	})
	officer := e.signedIn("officer")
	// No venue yet: the chooser, with the venues to pick from.
	r := officer.get("/check")
	must(t, r, http.StatusOK, "三码联查", `id="check-venue-form"`, `id="check-venue-pick"`, html.EscapeString(e.venue.Name), `value="`+e.venue.Code+`"`)
	must(t, officer.get("/check?venue=CV1.AAAA"), http.StatusUnprocessableEntity, "这不是有效的场所码", `id="check-venue-form"`)
	// The venue chosen: the check form carries its code.
	page := "/check?venue=" + url.QueryEscape(e.venue.Code)
	r = officer.get(page)
	must(t, r, http.StatusOK, `id="check-venue">`+html.EscapeString(e.venue.Name), `name="venue_code" value="`+e.venue.Code+`"`,
		`src="/static/vendor/idb-keyval.`, `src="/static/check.`, `data-keys="/.well-known/cordon/keys"`)

	// Without script: an ID number typed for someone without a phone.
	e.yellow()
	r = officer.post("/check", url.Values{"venue_code": {e.venue.Code}, "code": {strings.ToLower(e.person.IDNumber)}, "days": {"14"}})
	must(t, r, http.StatusOK, `id="check-state">有效`, `id="check-color">黄码`, "B6", "近 14 天途经地", "已在 "+html.EscapeString(e.venue.Name)+" 登记")
	if strings.Contains(r.body, e.person.IDNumber) {
		t.Error("the result keeps the ID number in the form")
	}
	// The script's post of a scanned token: the itinerary card now holds
	// the county of the first check, starred for the measure over it.
	a := decodeJSON[checkAnswer](t, officer.ajax("/check", url.Values{"venue_code": {e.venue.Code}, "code": {e.token()}, "days": {"7"}}))
	if !a.Code.Valid || a.Code.ColorText != "黄码" || a.Days != 7 || a.CardTitle != "近 7 天途经地" || len(a.Places) != 1 || !a.Places[0].Risk ||
		a.Places[0].Name == "" || !strings.Contains(a.ScanInText, e.venue.Name) {
		t.Errorf("check: %+v places %+v", a, a.Places)
	}
	// A check queued offline a minute ago is recorded at its scan time;
	// the same queued check sent again is a replay and records nothing.
	queued := time.Now().Add(-time.Minute).Truncate(time.Second)
	tok := e.token()
	for i := range 2 {
		a = decodeJSON[checkAnswer](t, officer.ajax("/check", url.Values{"venue_code": {e.venue.Code}, "code": {tok}, "days": {"14"},
			"scanned_at": {queued.Format(time.RFC3339)}}))
		if i == 0 && (!a.Code.Valid || !a.ScanInAt.Equal(queued)) || i == 1 && (a.Code.Valid || a.Code.Error != "healthcode.replayed") {
			t.Errorf("queued check %d: %+v %+v", i, a, a.Code)
		}
	}
	// The checks of this minute (one scan-in when they fell in the same
	// second) and the queued one.
	scans := e.scansOf(e.person.ID)
	atQueued := 0
	for _, s := range scans {
		if s.VenueID != e.venue.ID || s.Source != cordon.ScanReverse {
			t.Errorf("scan-in: %+v", s)
		}
		if s.At.Equal(queued) {
			atQueued++
		}
	}
	if atQueued != 1 || len(scans) < 2 || len(scans) > 3 {
		t.Errorf("scan-ins after the checks, one at the queued time %v: %+v", queued, scans)
	}
	// Refusals: a forged venue code, no person, a bad scan time.
	r = officer.ajax("/check", url.Values{"venue_code": {"CV1.AAAA"}, "code": {e.token()}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "scanin.venue_code_invalid") {
		t.Errorf("forged venue: %d %s", r.status, r.body)
	}
	r = officer.post("/check", url.Values{"venue_code": {e.venue.Code}, "code": {""}})
	must(t, r, http.StatusUnprocessableEntity, `id="code-error"`, "请扫描健康码或输入身份证号")
	r = officer.ajax("/check", url.Values{"venue_code": {e.venue.Code}, "code": {e.token()}, "scanned_at": {"yesterday"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "healthcode.scan_time_invalid") {
		t.Errorf("bad scan time: %d %s", r.status, r.body)
	}
	// An epidemiologist does not run checks.
	epi := e.signedIn("debao")
	must(t, epi.get(page), http.StatusForbidden)
	if strings.Contains(epi.get("/").body, `href="/check"`) {
		t.Error("the check page is in an epidemiologist's navigation")
	}
	officer.follow(officer.post("/lang", url.Values{"lang": {"en"}, "next": {"/"}}))
	must(t, officer.get(page), http.StatusOK, "Three-code check", "Health code or ID number", "Change venue")
	must(t, officer.get("/check"), http.StatusOK, "Choose the venue")
}

// TestHealthCodeGoKeys fails when a key the health-code handlers name in
// Go is missing from a catalog.
func TestHealthCodeGoKeys(t *testing.T) {
	s := templateServer(t)
	keys := []string{"notice.healthcode.set", "notice.healthcode.window", "notice.healthcode.revoked", "notice.measure.taken",
		"notice.measure.ended", "owncode.open_title", "owncode.title", "owncode.since", "owncode.valid_until", "owncode.in_window",
		"measures.title", "verify.title", "check.title", "check.scan_in", "check.scan_in_again", "check.itinerary",
		"codecard.title", "codecard.color", "codecard.valid_until", "codecard.today", "codecard.printed",
		"verify.state_valid", "verify.state_invalid", "error.healthcode.pass_invalid", "error.jurisdiction.outside_scope"}
	for _, k := range codeTextKeys {
		keys = append(keys, k)
	}
	for _, st := range codeStates {
		keys = append(keys, "verify.state_"+st)
	}
	for _, p := range venueProblems {
		keys = append(keys, p)
	}
	for _, r := range allReasons {
		keys = append(keys, "healthcode.reason_"+string(r))
	}
	for _, c := range []string{"green", "yellow", "red"} {
		keys = append(keys, "healthcode.color_"+c)
	}
	for _, c := range []string{"case", "contact", "order", "hold", "mark", "measure"} {
		keys = append(keys, "healthcode.cause_"+c)
	}
	for _, k := range keys {
		for _, lang := range s.cat.Languages() {
			if !s.cat.Has(lang, k) {
				t.Errorf("%s lacks %q", lang, k)
			}
		}
	}
}

func TestCauseLinks(t *testing.T) {
	for cause, href := range map[string]string{"case:12": "/cases/12", "contact:7": "/contacts/7", "order:3": "/orders/3",
		"measure:2": "/measures#measure-2", "mark:5": "#mark-5", "hold:9": "/recalls", "later:1": ""} {
		if got := causeOf(cause); got.Href != href || got.ID == "" {
			t.Errorf("causeOf(%q) = %+v, want a link to %q", cause, got, href)
		}
	}
}

package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"cordon"
	"cordon/internal/api"
	"cordon/internal/app"
	"cordon/internal/apptest"
	"cordon/internal/server"
)

type fixture struct {
	t   testing.TB
	srv *httptest.Server
	app *app.App
	api *api.Server
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	a := apptest.New(t, apptest.Options{}).App
	for _, u := range []cordon.AccountInput{
		{Username: "debao", Role: cordon.RoleEpidemiologist, Jurisdiction: "451024"},
		{Username: "baise", Role: cordon.RoleCommander, Jurisdiction: "451000"},
		{Username: "nanning", Role: cordon.RoleCommander, Jurisdiction: "450100"},
		{Username: "nanningepi", Role: cordon.RoleEpidemiologist, Jurisdiction: "450100"},
		{Username: "admin", Role: cordon.RoleAdmin, Jurisdiction: "450000"},
	} {
		u.Password = "password-" + u.Username
		if _, err := a.CreateAccount(ctx, app.System, u); err != nil {
			t.Fatal(err)
		}
	}
	f := &fixture{t: t, app: a, api: api.New(a, log)}
	f.srv = httptest.NewServer(server.Handler(a, nil, server.Options{Log: log, MaxBody: 1 << 20}))
	t.Cleanup(f.srv.Close)
	return f
}

// do sends a request and decodes a JSON answer into out (if not nil).
func (f *fixture) do(method, path, token string, body any, out any) *http.Response {
	f.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, f.srv.URL+path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			f.t.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, raw, err)
		}
	}
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	return resp
}

func (f *fixture) token(username string) string {
	f.t.Helper()
	var out struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	resp := f.do("POST", "/api/v1/tokens", "", map[string]string{"username": username, "password": "password-" + username}, &out)
	if resp.StatusCode != 201 || out.Token == "" || out.ExpiresAt.IsZero() {
		f.t.Fatalf("token for %s: %d %+v", username, resp.StatusCode, out)
	}
	return out.Token
}

func citizenID(first17 string) string { return first17 + string(cordon.CitizenIDCheck(first17)) }

type problem struct {
	Status int               `json:"status"`
	Code   string            `json:"code"`
	Detail string            `json:"detail"`
	Fields map[string]string `json:"fields"`
	ID     int64             `json:"id"`
}

func TestContract(t *testing.T) {
	f := newFixture(t)
	if resp := f.do("GET", "/healthz", "", nil, nil); resp.StatusCode != 200 {
		t.Fatalf("healthz %d", resp.StatusCode)
	}
	tok := f.token("debao")

	var j cordon.Jurisdiction
	if resp := f.do("GET", "/api/v1/jurisdictions/451024", tok, nil, &j); resp.StatusCode != 200 || j.Name != "德保县" || j.Level != cordon.LevelCounty || j.Parent != "451000" {
		t.Fatalf("jurisdiction: %d %+v", resp.StatusCode, j)
	}
	var kids api.Page[cordon.Jurisdiction]
	f.do("GET", "/api/v1/jurisdictions/451024/children", tok, nil, &kids)
	found := false
	for _, k := range kids.Items {
		found = found || (k.Code == "451024200" && k.Name == "都安乡")
	}
	if !found {
		t.Fatalf("都安乡 not among the children of 德保县: %+v", kids.Items)
	}

	idn := citizenID("45102419900101002")
	var p cordon.Person
	resp := f.do("POST", "/api/v1/persons", tok, map[string]string{"name": "黄丽", "id_number": idn, "phone": "13800001234", "residence": "451024200202", "address": "陇意屯1号"}, &p)
	if resp.StatusCode != 201 || p.ID == 0 || p.IDNumber != idn || p.Sex != cordon.SexFemale {
		t.Fatalf("create: %d %+v", resp.StatusCode, p)
	}
	var got cordon.Person
	if resp := f.do("GET", "/api/v1/persons/"+itoa(p.ID), tok, nil, &got); resp.StatusCode != 200 || got.Name != "黄丽" || got.Phone != "13800001234" {
		t.Fatalf("get: %d %+v", resp.StatusCode, got)
	}
	var list api.Page[cordon.Person]
	if f.do("GET", "/api/v1/persons?id_number="+idn, tok, nil, &list); len(list.Items) != 1 || list.Items[0].ID != p.ID {
		t.Fatalf("lookup by id number: %+v", list)
	}
	var dup problem
	resp = f.do("POST", "/api/v1/persons", tok, map[string]string{"name": "黄丽", "id_number": idn, "residence": "451024"}, &dup)
	if resp.StatusCode != 409 || dup.ID != p.ID || dup.Code != "person.duplicate" {
		t.Fatalf("duplicate: %d %+v", resp.StatusCode, dup)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("problem content type %q", ct)
	}

	// The commander of Baise reads it masked; Nanning cannot read it at all.
	var masked cordon.Person
	f.do("GET", "/api/v1/persons/"+itoa(p.ID), f.token("baise"), nil, &masked)
	if masked.IDNumber != cordon.MaskDocNumber(idn) || masked.Phone != "138****1234" || !masked.Masked {
		t.Fatalf("masked read %+v", masked)
	}
	nt := f.token("nanning")
	var pr problem
	if resp := f.do("GET", "/api/v1/persons/"+itoa(p.ID), nt, nil, &pr); resp.StatusCode != 404 {
		t.Fatalf("nanning read: %d %+v", resp.StatusCode, pr)
	}
	list = api.Page[cordon.Person]{}
	if f.do("GET", "/api/v1/persons?id_number="+idn, nt, nil, &list); len(list.Items) != 0 {
		t.Fatalf("nanning found the person by ID number: %+v", list)
	}
	list = api.Page[cordon.Person]{}
	if f.do("GET", "/api/v1/persons?q="+"%E9%BB%84", nt, nil, &list); len(list.Items) != 0 {
		t.Fatalf("nanning found the person by name: %+v", list)
	}
	if resp := f.do("PUT", "/api/v1/persons/"+itoa(p.ID), f.token("nanningepi"), map[string]string{"name": "改名", "id_number": idn, "residence": "450102"}, &pr); resp.StatusCode != 404 {
		t.Fatalf("nanning changed the person: %d %+v", resp.StatusCode, pr)
	}

	// Without a token, or with a revoked one, nothing.
	if resp := f.do("GET", "/api/v1/persons/"+itoa(p.ID), "", nil, &pr); resp.StatusCode != 401 || pr.Code != "auth.unauthorized" {
		t.Fatalf("anonymous: %d %+v", resp.StatusCode, pr)
	}
	var toks struct {
		Items []struct{ ID int64 } `json:"items"`
	}
	f.do("GET", "/api/v1/tokens", nt, nil, &toks)
	if resp := f.do("DELETE", "/api/v1/tokens/"+itoa(toks.Items[0].ID), nt, nil, nil); resp.StatusCode != 204 {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	if resp := f.do("GET", "/api/v1/me", nt, nil, nil); resp.StatusCode != 401 {
		t.Fatalf("revoked token still works: %d", resp.StatusCode)
	}
	var bad problem
	if resp := f.do("POST", "/api/v1/tokens", "", map[string]string{"username": "debao", "password": "wrong"}, &bad); resp.StatusCode != 401 || bad.Code != "auth.invalid_credentials" {
		t.Fatalf("wrong password: %d %+v", resp.StatusCode, bad)
	}
}

func TestBadInput(t *testing.T) {
	f := newFixture(t)
	tok := f.token("debao")
	valid := citizenID("45102419900101002")
	wrongCheck := valid[:17] + map[bool]string{true: "1", false: "0"}[valid[17] == '0']
	big := `{"name":"` + strings.Repeat("a", 70<<10) + `"}`
	cases := []struct {
		name, body string
		status     int
		code       string
		field      string
	}{
		{"malformed JSON", `{"name": "x",`, 422, "request.malformed_json", ""},
		{"not JSON", `name=x`, 422, "request.malformed_json", ""},
		{"empty body", ``, 422, "request.empty", ""},
		{"wrong type", `{"name": 12, "id_number": "` + valid + `", "residence": "451024"}`, 422, "request.wrong_type", "name"},
		{"unknown field", `{"name": "x", "id_number": "` + valid + `", "residence": "451024", "admin": true}`, 422, "request.unknown_field", "admin"},
		{"two objects", `{"name":"x"}{"name":"y"}`, 422, "request.trailing_data", ""},
		{"body over the limit", big, 413, "request.too_large", ""},
		{"invalid ID number", `{"name": "黄丽", "id_number": "` + wrongCheck + `", "residence": "451024"}`, 422, "person.id_number_invalid", "id_number"},
		{"invalid phone", `{"name": "黄丽", "id_number": "` + valid + `", "phone": "12345", "residence": "451024"}`, 422, "person.phone_invalid", "phone"},
		{"unknown jurisdiction", `{"name": "黄丽", "id_number": "` + valid + `", "residence": "451099"}`, 422, "jurisdiction.unknown", "residence"},
		{"SQL in the name", `{"name": "x'); DROP TABLE persons;--", "id_number": "` + valid + `", "residence": "451024"}`, 422, "person.name_invalid", "name"},
		{"HTML in the name", `{"name": "<script>alert(1)</script>", "id_number": "` + valid + `", "residence": "451024"}`, 422, "person.name_invalid", "name"},
		{"outside the jurisdiction", `{"name": "黄丽", "id_number": "` + valid + `", "residence": "450102"}`, 403, "person.outside_jurisdiction", "residence"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var pr problem
			resp := f.do("POST", "/api/v1/persons", tok, c.body, &pr)
			if resp.StatusCode != c.status || pr.Code != c.code {
				t.Fatalf("got %d %+v, want %d %s", resp.StatusCode, pr, c.status, c.code)
			}
			if c.field != "" && pr.Fields[c.field] == "" {
				t.Fatalf("field %s not marked: %+v", c.field, pr)
			}
			raw, _ := io.ReadAll(resp.Body)
			if bytes.Contains(raw, []byte("<script>")) {
				t.Fatalf("response echoes HTML unescaped: %s", raw)
			}
		})
	}
	// Nothing was written by any of them.
	var list api.Page[cordon.Person]
	f.do("GET", "/api/v1/persons", f.token("admin"), nil, &list)
	if len(list.Items) != 0 {
		t.Fatalf("bad input wrote %d persons", len(list.Items))
	}
	var pr problem
	if resp := f.do("GET", "/api/v1/persons?cursor=bogus", tok, nil, &pr); resp.StatusCode != 422 || pr.Code != "request.bad_cursor" {
		t.Fatalf("bad cursor: %d %+v", resp.StatusCode, pr)
	}
	if resp := f.do("GET", "/api/v1/persons/abc", tok, nil, &pr); resp.StatusCode != 404 {
		t.Fatalf("non-numeric id: %d", resp.StatusCode)
	}
	if resp := f.do("GET", "/api/v1/jurisdictions/999999", tok, nil, &pr); resp.StatusCode != 404 || pr.Code != "jurisdiction.unknown" {
		t.Fatalf("unknown jurisdiction: %d %+v", resp.StatusCode, pr)
	}
}

func TestPagination(t *testing.T) {
	f := newFixture(t)
	tok := f.token("debao")
	for i := 0; i < 7; i++ {
		in := map[string]string{"name": "韦" + string(rune('一'+i)), "id_number": citizenID("4510241990010100" + string(rune('0'+i))), "residence": "451024"}
		if resp := f.do("POST", "/api/v1/persons", tok, in, nil); resp.StatusCode != 201 {
			t.Fatalf("create %d: %d", i, resp.StatusCode)
		}
	}
	seen := map[int64]bool{}
	cursor := ""
	pages := 0
	for {
		var page api.Page[cordon.Person]
		f.do("GET", "/api/v1/persons?limit=3&cursor="+cursor, tok, nil, &page)
		for _, p := range page.Items {
			if seen[p.ID] {
				t.Fatalf("person %d on two pages", p.ID)
			}
			seen[p.ID] = true
		}
		pages++
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	if len(seen) != 7 || pages != 3 {
		t.Fatalf("saw %d persons on %d pages", len(seen), pages)
	}
}

// TestOpenAPIMatchesRoutes fails when a route is registered without being
// documented, or documented without being served.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	f := newFixture(t)
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
		Comps   struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if resp := f.do("GET", "/api/v1/openapi.json", "", nil, &doc); resp.StatusCode != 200 || !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi: %d %q", resp.StatusCode, doc.OpenAPI)
	}
	var documented []string
	for path, ops := range doc.Paths {
		for method, op := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
			for _, ref := range refs(op) {
				if _, ok := doc.Comps.Schemas[ref]; !ok {
					t.Errorf("%s %s refers to missing schema %s", method, path, ref)
				}
			}
		}
	}
	served := f.api.Patterns()
	sort.Strings(documented)
	sort.Strings(served)
	if strings.Join(documented, "\n") != strings.Join(served, "\n") {
		t.Fatalf("documented:\n%s\nserved:\n%s", strings.Join(documented, "\n"), strings.Join(served, "\n"))
	}
	// Every served route answers something other than the catch-all 404.
	for _, p := range served {
		method, path, _ := strings.Cut(p, " ")
		path = strings.NewReplacer("{id}", "1", "{code}", "451024").Replace(path)
		var pr problem
		f.do(method, path, "", nil, &pr)
		if pr.Code == "request.no_route" {
			t.Errorf("%s is documented but not routed", p)
		}
	}
}

func refs(raw json.RawMessage) []string {
	var out []string
	s := string(raw)
	for {
		i := strings.Index(s, `"$ref":"#/components/schemas/`)
		if i < 0 {
			return out
		}
		s = s[i+len(`"$ref":"#/components/schemas/`):]
		out = append(out, s[:strings.IndexByte(s, '"')])
	}
}

func TestMetrics(t *testing.T) {
	f := newFixture(t)
	f.do("GET", "/healthz", "", nil, nil)
	resp := f.do("GET", "/metrics", "", nil, nil)
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") ||
		!strings.Contains(string(raw), `cordon_http_requests_total{class="healthz",code="200"} 1`) ||
		!strings.Contains(string(raw), "# TYPE cordon_http_request_duration_seconds histogram") {
		t.Fatalf("metrics: %d %s", resp.StatusCode, raw)
	}
}

func itoa(n int64) string {
	return strings.TrimSpace(strings.Replace(string(must(json.Marshal(n))), `"`, "", -1))
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func TestPoolAdvice(t *testing.T) {
	f := newFixture(t)
	tok := f.token("debao")
	var a cordon.PoolAdvice
	if resp := f.do("GET", "/api/v1/testing/pool-advice?prevalence=0.01", tok, nil, &a); resp.StatusCode != 200 || a.PoolSize != 11 || a.TestsPerPerson < 0.19 || a.TestsPerPerson > 0.2 {
		t.Fatalf("pool advice at 1%%: %d %+v", resp.StatusCode, a)
	}
	var pr problem
	for _, q := range []string{"", "abc", "1.5", "-1"} {
		if resp := f.do("GET", "/api/v1/testing/pool-advice?prevalence="+q, tok, nil, &pr); resp.StatusCode != 422 || pr.Code != "testing.prevalence_invalid" {
			t.Errorf("prevalence %q: %d %+v", q, resp.StatusCode, pr)
		}
	}
}

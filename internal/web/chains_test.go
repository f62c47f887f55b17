package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cordon"
	"cordon/internal/app"
)

// openCases opens n confirmed cases in 福记村 through app, for people
// registered without a test, and returns their ids.
func (e *testingEnv) openCases(n int) []int64 {
	e.t.Helper()
	ctx := context.Background()
	var out []int64
	for i := range n {
		p, err := e.app.CreatePerson(ctx, app.System, cordon.PersonInput{Name: fmt.Sprintf("链病例%d", i), DocType: cordon.DocCitizenID,
			IDNumber: ids(200+i, 1)[0], Residence: "451024", Current: fuji})
		if err != nil {
			e.t.Fatal(err)
		}
		c, err := e.app.OpenCase(ctx, app.System, cordon.CaseInput{PersonID: p.ID, Classification: cordon.Confirmed, Origin: cordon.Local})
		if err != nil {
			e.t.Fatal(err)
		}
		out = append(out, c.ID)
	}
	return out
}

// link records a transmission link through app.
func (e *testingEnv) link(from, to int64, evidence string, conf cordon.Confidence) {
	e.t.Helper()
	if err := e.app.LinkCases(context.Background(), app.System, cordon.Link{From: from, To: to, Evidence: evidence, Confidence: conf}); err != nil {
		e.t.Fatal(err)
	}
}

// chainEnv is four cases in 福记村: the first infected the second at a
// banquet, the second the third at home; the fourth is sporadic.
func chainEnv(t *testing.T) (*casesEnv, []int64) {
	e := newCasesEnv(t)
	cs := e.openCases(4)
	e.link(cs[0], cs[1], "宴席 2022-01-29", cordon.LinkProbable)
	e.link(cs[1], cs[2], "同住", cordon.LinkConfirmed)
	return e, cs
}

func TestChainsPage(t *testing.T) {
	e, cs := chainEnv(t)
	epi := e.signedIn("debao")
	if home := epi.get("/"); !strings.Contains(home.body, `href="/chains"`) {
		t.Error("an epidemiologist is not offered the chains")
	}
	r := epi.get("/chains")
	must(t, r, http.StatusOK, "传播链", `id="chain-graph"`, `data-src="/chains.json"`, `data-node="病例 #{id}"`, "/static/chains.",
		"/static/vendor/echarts.min.", fmt.Sprintf(`id="cluster-%d"`, cs[0]), fmt.Sprintf("聚集 #%d", cs[0]),
		fmt.Sprintf(`<a href="/cases/%d">病例 #%d</a>`, cs[2], cs[2]), fmt.Sprintf(`id="case-%d"`, cs[3]), "散发",
		"另有散发病例 1 例", "平均续发病例数", "超级传播阈值", "续发 ≥ ", "新增 3 例，累计 3 例")
	// The case rows: generation and secondary cases of the middle case.
	row := r.body[strings.Index(r.body, fmt.Sprintf(`id="case-%d"`, cs[1])):]
	row = row[:strings.Index(row, "</tr>")]
	for _, want := range []string{"确诊病例", fmt.Sprintf(`href="#cluster-%d"`, cs[0]), `data-label="代数">1<`, `data-label="续发病例">1<`} {
		if !strings.Contains(row, want) {
			t.Errorf("the row of case %d lacks %q: %s", cs[1], want, row)
		}
	}
	for _, personal := range []string{"链病例", e.person.IDNumber} {
		if strings.Contains(r.body, personal) {
			t.Errorf("the chains page shows personal data %q", personal)
		}
	}

	r = epi.get("/chains.json")
	must(t, r, http.StatusOK)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("chains.json is %q", ct)
	}
	var v app.ChainView
	if err := json.Unmarshal([]byte(r.body), &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Nodes) != 4 || len(v.Links) != 2 || len(v.Clusters) != 2 || v.Threshold < 1 {
		t.Fatalf("chains.json: %d nodes, %d links, %d clusters, threshold %d", len(v.Nodes), len(v.Links), len(v.Clusters), v.Threshold)
	}
	if p, ok := v.Case(cs[2]); !ok || p.Generation != 2 || p.Cluster != cs[0] {
		t.Errorf("the household case: %+v", p)
	}
	if k, ok := v.Cluster(cs[0]); !ok || k.Size != 3 || len(k.Roots) != 1 || k.Roots[0] != cs[0] || k.MaxGeneration != 2 {
		t.Errorf("the banquet cluster: %+v", k)
	}
	if l := v.Links[0]; l.Evidence == "" || !l.Confidence.Valid() {
		t.Errorf("a link without evidence or confidence: %+v", l)
	}
	if strings.Contains(r.body, "链病例") {
		t.Error("chains.json carries names")
	}

	// The banquet cluster as a table: its three cases by generation, the
	// infector with confidence and evidence, no names.
	r = epi.get(fmt.Sprintf("/chains/%d/export?format=csv", cs[0]))
	must(t, r, http.StatusOK, "病例编号,病例分类,责任辖区,发现时间,代际,传染来源")
	lines := strings.Split(strings.TrimSpace(r.body), "\r\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[1], fmt.Sprintf("\uFEFF%d,", cs[0])) && !strings.HasPrefix(lines[1], fmt.Sprintf("%d,", cs[0])) ||
		!strings.Contains(lines[2], fmt.Sprintf("病例%d（很可能）", cs[0])) || strings.Contains(r.body, "链病例") {
		t.Errorf("chain export:\n%s", r.body)
	}
	if x := epi.get(fmt.Sprintf("/chains/%d/export", cs[0])); x.status != http.StatusOK || !strings.HasPrefix(x.body, "PK") {
		t.Errorf("XLSX chain export: %d", x.status)
	}
	must(t, epi.get("/chains/999999/export"), http.StatusNotFound)
	must(t, e.signedIn("nanning").get(fmt.Sprintf("/chains/%d/export", cs[0])), http.StatusNotFound)

	// English.
	epi.follow(epi.post("/lang", url.Values{"lang": {"en"}, "next": {"/"}}))
	must(t, epi.get("/chains"), http.StatusOK, "Transmission chains", `data-node="Case #{id}"`, fmt.Sprintf("Cluster #%d", cs[0]),
		"Mean secondary cases", "Superspreading threshold", "1 sporadic cases besides", "3 new, 3 in all")

	// A grid worker neither sees nor reaches the chains; signed out, the
	// JSON leads to the login page.
	gw := e.signedIn("gw")
	if home := gw.get("/"); strings.Contains(home.body, `href="/chains"`) {
		t.Error("a grid worker is offered the chains")
	}
	must(t, gw.get("/chains"), http.StatusForbidden)
	r = gw.get("/chains.json")
	must(t, r, http.StatusForbidden, `"code":"auth.forbidden"`)
	if strings.Contains(r.body, "nodes") {
		t.Errorf("a grid worker gets chains: %s", r.body)
	}
	if r := e.browser().get("/chains.json"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/login") {
		t.Errorf("signed out chains.json: %d %q", r.status, r.location)
	}
	// Outside the subtree there are no such cases.
	r = e.signedIn("nanning").get("/chains.json")
	must(t, r, http.StatusOK, `"nodes":[]`)
}

func TestChainsPageEmpty(t *testing.T) {
	e := newTestingEnv(t)
	b := e.signedIn("debao")
	for lang, want := range map[string][]string{"zh-CN": {"尚无聚集性疫情", "辖区内没有病例"}, "en": {"No clusters yet", "No cases in your jurisdiction."}} {
		b.follow(b.post("/lang", url.Values{"lang": {lang}, "next": {"/"}}))
		r := b.get("/chains")
		must(t, r, http.StatusOK, append(want, `<html lang="`+lang+`">`)...)
		if strings.Contains(r.body, `id="chain-graph"`) {
			t.Errorf("%s: a graph box without links", lang)
		}
	}
}

func TestCaseLinkForm(t *testing.T) {
	e := newCasesEnv(t)
	cs := e.openCases(3)
	epi := e.signedIn("debao")
	page := func(id int64) string { return fmt.Sprintf("/cases/%d", id) }
	links := func(id int64) string { return page(id) + "/links" }
	must(t, epi.get(page(cs[1])), http.StatusOK, `id="case-link"`, "记录传染来源", `action="`+links(cs[1])+`"`,
		`<option value="probable">很可能</option>`, fmt.Sprintf(`href="/chains#case-%d"`, cs[1]))

	r := epi.post(links(cs[1]), url.Values{"from": {fmt.Sprint(cs[0])}, "evidence": {" 宴席 2022-01-29 "}, "confidence": {"probable"}})
	if r.status != http.StatusSeeOther || r.location != page(cs[1]) {
		t.Fatalf("link: %d %q\n%s", r.status, r.location, r.body)
	}
	must(t, epi.follow(r), http.StatusOK, "传播关系已记录")
	// "#id", as the pages write case numbers, works too.
	r = epi.post(links(cs[2]), url.Values{"from": {fmt.Sprintf("#%d", cs[1])}, "evidence": {"同住"}, "confidence": {"confirmed"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("link with #: %d\n%s", r.status, r.body)
	}

	// The link that would close the cycle is refused with the chain it
	// would close, and the form keeps what was typed.
	cycle := url.Values{"from": {fmt.Sprint(cs[2])}, "evidence": {"同一单元"}, "confidence": {"possible"}}
	r = epi.post(links(cs[0]), cycle)
	must(t, r, http.StatusConflict, "该关系会使病例成为自己的传染源。", `id="from-error"`, `id="link-cycle"`, "已记录的传播链：",
		fmt.Sprintf(`<a href="/cases/%d">病例 #%d</a> → <a href="/cases/%d">病例 #%d</a> → <a href="/cases/%d">病例 #%d</a>`, cs[0], cs[0], cs[1], cs[1], cs[2], cs[2]),
		`value="同一单元"`, `<option value="possible" selected>`)
	epi.follow(epi.post("/lang", url.Values{"lang": {"en"}, "next": {"/"}}))
	r = epi.post(links(cs[0]), cycle)
	must(t, r, http.StatusConflict, "This link would make a case its own ancestor.", "The chain already recorded:", "Record infector",
		fmt.Sprintf("Case #%d</a> → ", cs[0]))
	epi.follow(epi.post("/lang", url.Values{"lang": {"zh-CN"}, "next": {"/"}}))

	for _, tc := range []struct {
		name   string
		form   url.Values
		status int
		want   []string
	}{
		{"no number", url.Values{"from": {"abc"}, "evidence": {"同住"}, "confidence": {"probable"}}, http.StatusUnprocessableEntity,
			[]string{`id="from-error"`, "请填写传染来源的病例编号", `value="abc"`}},
		{"itself", url.Values{"from": {fmt.Sprint(cs[1])}, "evidence": {"同住"}, "confidence": {"probable"}}, http.StatusUnprocessableEntity,
			[]string{`id="from-error"`, "病例不能传染给自己。"}},
		{"no evidence or confidence", url.Values{"from": {fmt.Sprint(cs[2])}, "evidence": {" "}, "confidence": {"sure"}}, http.StatusUnprocessableEntity,
			[]string{`id="evidence-error"`, `id="confidence-error"`, "可信度须为确认、很可能或可能。"}},
		{"unknown infector", url.Values{"from": {"999999"}, "evidence": {"同住"}, "confidence": {"probable"}}, http.StatusUnprocessableEntity,
			[]string{`id="from-error"`, "您的辖区内没有这个编号的病例。"}},
		{"twice", url.Values{"from": {fmt.Sprint(cs[0])}, "evidence": {"再次"}, "confidence": {"probable"}}, http.StatusConflict,
			[]string{"该传播关系已经记录。"}},
	} {
		r := epi.post(links(cs[1]), tc.form)
		if r.status != tc.status {
			t.Errorf("%s: status %d, want %d\n%s", tc.name, r.status, tc.status, r.body)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(r.body, w) {
				t.Errorf("%s: lacks %q", tc.name, w)
			}
		}
	}
	must(t, epi.post(links(999999), url.Values{"from": {fmt.Sprint(cs[0])}, "evidence": {"同住"}, "confidence": {"probable"}}), http.StatusNotFound)

	// The chains show what the form recorded.
	must(t, epi.get("/chains"), http.StatusOK, fmt.Sprintf("聚集 #%d", cs[0]), `data-label="规模">3<`)
	must(t, e.signedIn("admin").get("/audit?action=case.link"), http.StatusOK, "记录传播关系", "debao")

	// A commander reads the chains but records no link; a grid worker
	// reaches neither.
	cmd := e.signedIn("baise")
	r = cmd.get(page(cs[1]))
	must(t, r, http.StatusOK, `href="/chains#case-`)
	if strings.Contains(r.body, `id="case-link"`) {
		t.Error("a commander is offered the link form")
	}
	must(t, cmd.get("/chains"), http.StatusOK, fmt.Sprintf("聚集 #%d", cs[0]))
	must(t, cmd.post(links(cs[1]), url.Values{"from": {fmt.Sprint(cs[2])}, "evidence": {"x"}, "confidence": {"possible"}}), http.StatusForbidden)
	must(t, e.signedIn("gw").post(links(cs[1]), url.Values{"from": {"x"}}), http.StatusForbidden)
}

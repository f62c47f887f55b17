package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// importLine is a row of a case line list of a Debao person, sampled
// yesterday.
func importLine(name string, n int, classification string) string {
	yesterday := time.Now().In(chinaTime).AddDate(0, 0, -1).Format(time.DateOnly)
	return fmt.Sprintf("%s,%s,%s,,%s\n", name, citizenID(fmt.Sprintf("4510241990010%d%03d", 1+n/1000, n%1000)), classification, yesterday)
}

const importHead = "姓名,证件号码,病例分类,临床分型,采样日期\n"

var importLink = regexp.MustCompile(`^/imports/(\d+)$`)

func TestImportPages(t *testing.T) {
	e := newEnv(t)
	epi := e.signedIn("debao")
	must(t, epi.get("/cases"), http.StatusOK, `href="/imports/new?kind=cases"`, "导入")
	must(t, epi.get("/imports"), http.StatusOK, "您还没有导入过文件")
	must(t, epi.get("/imports/new?kind=cases"), http.StatusOK, `action="/imports"`, `name="kind" value="cases"`, `type="file"`, "病例分类")

	// A small file: imported before the answer, the page shows the end.
	file := importHead + importLine("韦一", 1, "无症状感染者") + importLine("韦二", 2, "确诊了") + importLine("韦三", 3, "疑似病例")
	r := epi.postFile("/imports", "德保病例.csv", []byte(file))
	if r.status != http.StatusSeeOther || !importLink.MatchString(r.location) {
		t.Fatalf("upload: %d %q\n%s", r.status, r.location, r.body)
	}
	page := r.location
	r = epi.get(page)
	must(t, r, http.StatusOK, "德保病例.csv", `data-status="done"`, `<progress id="job-progress" value="3" max="3">`,
		`<span class="stat-number" id="job-stored">2</span>`, `<span class="stat-number" id="job-failed">1</span>`,
		"<td data-label=\"行\">3</td>", "<td data-label=\"列\">病例分类</td>", "病例分类须为")
	if strings.Contains(r.body, "hx-trigger") {
		t.Error("a finished job does not poll")
	}
	must(t, epi.get("/cases"), http.StatusOK, "韦一", "韦三")
	must(t, epi.get("/imports"), http.StatusOK, `href="`+page+`"`, "德保病例.csv", "2 / 3")

	// The same file again: each row answered with the case it has.
	r = epi.follow(epi.postFile("/imports", "again.csv", []byte(file)))
	must(t, r, http.StatusOK, `id="job-stored">0</span>`, "该人员已有病例", `href="/cases/`)

	// Files that cannot be read stay on the form with the reason.
	epi.get("/imports/new?kind=cases")
	must(t, epi.postFile("/imports", "list.pdf", []byte("%PDF-1.4")), http.StatusUnsupportedMediaType, "请上传 CSV 或 Excel")
	must(t, epi.postFile("/imports", "empty.csv", nil), http.StatusUnprocessableEntity, "文件是空的")
	must(t, epi.postFile("/imports", "cases.xlsx", []byte(file)), http.StatusUnprocessableEntity, "不是有效的 Excel")
	must(t, epi.post("/imports", url.Values{"kind": {"cases"}}), http.StatusUnprocessableEntity, "请选择要导入的文件")

	// In English.
	epi.follow(epi.post("/lang", url.Values{"lang": {"en"}, "next": {"/"}}))
	must(t, epi.get(page), http.StatusOK, `<html lang="en">`, "Done", "Rows not imported", "The classification must be")
	must(t, epi.get("/imports/new?kind=cases"), http.StatusOK, "Import a case line list", "English headings")

	// Only those who may open cases import them; a job is not everyone's.
	nanning := e.signedIn("nanning")
	must(t, nanning.get("/imports/new?kind=cases"), http.StatusForbidden)
	must(t, nanning.get(page), http.StatusNotFound)
	must(t, nanning.get(page+"/progress"), http.StatusOK, "找不到该导入记录")
	must(t, epi.get("/imports/999999"), http.StatusNotFound)
	must(t, epi.get("/imports/new?kind=vaccinations"), http.StatusUnprocessableEntity)
	if strings.Contains(e.logs.String(), "level=ERROR") {
		t.Errorf("errors logged:\n%s", e.logs.String())
	}
}

// A file larger than one chunk is a job: the page polls its progress every
// second while it runs, and a reload without scripts shows the same; at
// the end the fragment stops polling.
func TestImportProgressPolls(t *testing.T) {
	e := newEnv(t)
	epi := e.signedIn("debao")
	epi.get("/imports/new?kind=cases")
	var b strings.Builder
	b.WriteString(importHead)
	for i := range 1200 {
		b.WriteString(importLine(fmt.Sprintf("韦%d", i), i, "无症状感染者"))
	}
	r := epi.postFile("/imports", "big.csv", []byte(b.String()))
	if r.status != http.StatusSeeOther {
		t.Fatalf("upload: %d\n%s", r.status, r.body)
	}
	page := r.location
	r = epi.get(page)
	must(t, r, http.StatusOK, `<progress id="job-progress"`, `max="1200"`)
	if strings.Contains(r.body, `data-status="running"`) {
		must(t, r, http.StatusOK, `hx-get="`+page+`/progress"`, `hx-trigger="every 1s"`, `href="`+page+`"`)
	}
	for deadline := time.Now().Add(5 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
		r = epi.get(page + "/progress")
		must(t, r, http.StatusOK, `id="job"`)
		if strings.Contains(r.body, "<html") {
			t.Fatal("the poll answers the fragment alone")
		}
		if !strings.Contains(r.body, `data-status="running"`) {
			break
		}
		if !strings.Contains(r.body, `hx-trigger="every 1s"`) {
			t.Fatalf("a running job polls:\n%s", r.body)
		}
		if time.Now().After(deadline) {
			t.Fatal("the import did not end")
		}
	}
	must(t, r, http.StatusOK, `data-status="done"`, `value="1200" max="1200"`, `id="job-stored">1200</span>`, "所有行均已导入")
	if strings.Contains(r.body, "hx-get") {
		t.Error("a finished job does not poll")
	}
	must(t, epi.get(page), http.StatusOK, `data-status="done"`, `id="job-stored">1200</span>`)
}

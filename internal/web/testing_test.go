package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"cordon"
	"cordon/internal/app"
)

// testingEnv is a round of mass testing over 德保县 (5-in-1 for the general
// population), a 24 h sampling point in 福记村, a lab in 百色, a grid in
// 福记村 with its grid worker (gw), and a lab account (lab) in 百色.
type testingEnv struct {
	*testEnv
	round cordon.Round
	point cordon.SamplingPoint
	lab   cordon.Lab
	grid  cordon.Grid
}

const fuji = "451024200202" // 德保县都安乡福记村

func newTestingEnv(t *testing.T) *testingEnv {
	t.Helper()
	e := &testingEnv{testEnv: newEnv(t)}
	ctx := context.Background()
	var err error
	if e.grid, err = e.app.CreateGrid(ctx, app.System, fuji, "陇意屯网格"); err != nil {
		t.Fatal(err)
	}
	e.round, err = e.app.CreateRound(ctx, app.System, cordon.RoundInput{Name: "德保县第一轮", Jurisdiction: "451024",
		Expected: 100, Modes: cordon.Modes{cordon.GroupGeneral: 5}})
	if err != nil {
		t.Fatal(err)
	}
	e.point, err = e.app.CreatePoint(ctx, app.System, cordon.SamplingPointInput{Name: "福记村委会采样点", Jurisdiction: fuji,
		Address: "福记村委会门前", AllDay: true, Tables: 2, Staff: 4})
	if err != nil {
		t.Fatal(err)
	}
	if e.lab, err = e.app.CreateLab(ctx, app.System, cordon.LabInput{Name: "百色市疾控中心实验室", Jurisdiction: "451000", Capacity: 20000}); err != nil {
		t.Fatal(err)
	}
	for _, in := range []cordon.AccountInput{
		{Username: "lab", DisplayName: "百色检测", Role: cordon.RoleLab, Jurisdiction: "451000"},
		{Username: "gw", DisplayName: "陇意屯网格员", Role: cordon.RoleGridWorker, Jurisdiction: e.grid.Code},
	} {
		in.Password = password
		if _, err := e.app.CreateAccount(ctx, app.System, in); err != nil {
			t.Fatalf("account %s: %v", in.Username, err)
		}
	}
	return e
}

// register stores registrations through app, as a device on the API would.
func (e *testingEnv) register(tube string, pool int, ids ...string) {
	e.t.Helper()
	var in []cordon.SampleInput
	for _, id := range ids {
		in = append(in, cordon.SampleInput{Key: tube + "-" + id, RoundID: e.round.ID, PointID: e.point.ID, Tube: tube, PoolSize: pool, IDNumber: id})
	}
	acks, err := e.app.RegisterSamples(context.Background(), app.System, in)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, a := range acks {
		if a.Status != cordon.SampleStored {
			e.t.Fatalf("register %s: %+v", tube, a)
		}
	}
}

// ids makes n Debao citizen ID numbers.
func ids(from, n int) []string {
	var out []string
	for i := from; i < from+n; i++ {
		out = append(out, citizenID(fmt.Sprintf("45102419800101%03d", i)))
	}
	return out
}

func (e *testingEnv) roundPath() string { return fmt.Sprintf("/rounds/%d", e.round.ID) }

// postJSON posts a JSON body as the sampler page's script does.
func (b *browser) postJSON(path string, body any, csrf string) response {
	b.t.Helper()
	data, err := json.Marshal(body)
	if err != nil {
		b.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, b.env.srv.URL+path, bytes.NewReader(data))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-CSRF-Token", csrf)
	return b.do(req)
}

// postFile posts a multipart form with one file, as the upload form does.
func (b *browser) postFile(path, name string, content []byte) response {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf", b.csrf)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		b.t.Fatal(err)
	}
	_, _ = fw.Write(content)
	_ = mw.Close()
	req, err := http.NewRequest(http.MethodPost, b.env.srv.URL+path, &buf)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

func TestRoundCreateAndList(t *testing.T) {
	e := newTestingEnv(t)
	b := e.signedIn("admin")
	must(t, b.get("/rounds/new"), http.StatusOK, `name="mode_general"`, `value="10" selected`, `type="datetime-local"`)
	r := b.post("/rounds", url.Values{"name": {"都安乡加测"}, "jurisdiction": {"451024200"}, "starts_at": {"2022-02-06T08:00"},
		"deadline": {"2022-02-07T08:00"}, "expected": {"1200"}, "mode_general": {"20"}, "mode_key": {"1"}, "mode_quarantined": {"1"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("create round: %d\n%s", r.status, r.body)
	}
	must(t, b.follow(r), http.StatusOK, "都安乡加测", "检测轮次已开始", "2022-02-06 08:00", "2022-02-07 08:00", "1200", "20 合 1")
	must(t, b.get("/rounds"), http.StatusOK, "都安乡加测", "德保县第一轮", "进行中")

	// Wrong input comes back marked.
	r = b.post("/rounds", url.Values{"name": {""}, "jurisdiction": {"451024"}, "starts_at": {"2022-02-06T08:00"}, "deadline": {"2022-02-05T08:00"}})
	must(t, r, http.StatusUnprocessableEntity, `id="name-error"`, `id="deadline-error"`, "截止时间须晚于开始时间")
	r = b.post("/rounds", url.Values{"name": {"x"}, "jurisdiction": {"451024"}, "starts_at": {"tomorrow"}, "expected": {"many"}})
	must(t, r, http.StatusUnprocessableEntity, `id="starts_at-error"`, `id="expected-error"`, "请填写数字")
	r = b.post("/rounds", url.Values{"name": {"x"}, "jurisdiction": {"451024"}, "areas": {"450102"}})
	must(t, r, http.StatusUnprocessableEntity, `id="areas-error"`)

	// Only roles that manage testing open rounds; others outside the area
	// do not see them.
	s := e.signedIn("sampler")
	must(t, s.get("/rounds/new"), http.StatusForbidden)
	must(t, s.post("/rounds", url.Values{"name": {"x"}, "jurisdiction": {"451024"}}), http.StatusForbidden)
	if r := s.get("/rounds"); strings.Contains(r.body, `href="/rounds/new"`) {
		t.Error("a sampler is offered the new-round form")
	}
	must(t, e.signedIn("nanning").get(e.roundPath()), http.StatusNotFound)
}

func TestRoundProgressAndAdvice(t *testing.T) {
	e := newTestingEnv(t)
	e.register("T0001", 5, ids(1, 3)...)
	b := e.signedIn("admin")
	r := b.get(e.roundPath())
	must(t, r, http.StatusOK, "德保县第一轮", `id="progress"`, `hx-trigger="every 10s"`,
		"都安乡", fmt.Sprintf(`href="/rounds/%d?at=451024200"`, e.round.ID), "<progress", "检测频次建议", "混采建议",
		"近 14 天本区域阳性率 0%（共采样 3 人）", "建议 20 合 1")
	// Drilling down: the node's row and the crumbs back up.
	r = b.get(e.roundPath() + "?at=451024200")
	must(t, r, http.StatusOK, fmt.Sprintf(`href="/rounds/%d?at=451024"`, e.round.ID), "福记村")
	// The fragment htmx polls is the table alone.
	r = b.get(e.roundPath() + "/progress?at=451024200")
	must(t, r, http.StatusOK, `id="progress"`, "福记村", "<strong>3</strong>")
	if strings.Contains(r.body, "<html") {
		t.Errorf("the progress fragment carries the layout:\n%s", r.body)
	}
	// A typed positivity: pooling helps at 0.5 %, not at 50 %.
	must(t, b.get(e.roundPath()+"?prevalence=0.5"), http.StatusOK, "按输入的阳性率 0.5%", "建议 15 合 1")
	must(t, b.get(e.roundPath()+"?prevalence=50"), http.StatusOK, "混采不能减少检测次数")
	must(t, b.get(e.roundPath()+"?prevalence=abc"), http.StatusUnprocessableEntity, `id="prevalence-error"`)
	must(t, b.get(e.roundPath()+"?prevalence=150"), http.StatusUnprocessableEntity, "0 至 100")

	// Closing ends the polling.
	r = b.post(e.roundPath()+"/close", url.Values{})
	r = b.follow(r)
	must(t, r, http.StatusOK, "检测轮次已结束", "已结束")
	if strings.Contains(r.body, "every 10s") {
		t.Error("a closed round still polls")
	}
	must(t, e.signedIn("debao").post(e.roundPath()+"/close", url.Values{}), http.StatusForbidden)
	must(t, b.get("/rounds/999999"), http.StatusNotFound)
}

func TestRoundUnsampledForGridWorker(t *testing.T) {
	e := newTestingEnv(t)
	ctx := context.Background()
	ps := ids(10, 2)
	for i, id := range ps {
		if _, err := e.app.CreatePerson(ctx, app.System, cordon.PersonInput{Name: []string{"农甲", "农乙"}[i], DocType: cordon.DocCitizenID,
			IDNumber: id, Residence: "451024", Current: e.grid.Code}); err != nil {
			t.Fatal(err)
		}
	}
	e.register("T0010", 5, ps[0])
	gw := e.signedIn("gw")
	r := gw.get(e.roundPath())
	must(t, r, http.StatusOK, "本网格未采样人员", "农乙", ps[1])
	if strings.Contains(r.body, "农甲") {
		t.Errorf("a sampled person is on the unsampled list:\n%s", r.body)
	}
	must(t, gw.get(e.roundPath()+"/unsampled"), http.StatusOK, "农乙")
	// The read is audited.
	must(t, e.signedIn("admin").get("/audit?action=round.unsampled"), http.StatusOK, "gw", "查看未采样人员")
	// Outside the grid worker's grid: refused.
	must(t, gw.get(e.roundPath()+"/unsampled?area=451024"), http.StatusForbidden)
}

func TestSamplingPointPages(t *testing.T) {
	e := newTestingEnv(t)
	b := e.signedIn("admin")
	must(t, b.get("/sampling-points"), http.StatusOK, "福记村委会采样点", "24 小时开放", "正在开放", "等候时间未知", `href="/sampling-points/new"`)
	must(t, b.get("/sampling-points/new"), http.StatusOK, `name="all_day"`, "德保县第一轮")
	r := b.post("/sampling-points", url.Values{"name": {"城关镇夜间采样点"}, "jurisdiction": {"451024100"}, "opens": {"20:00"}, "closes": {"02:00"},
		"tables": {"3"}, "staff": {"6"}, "active": {"on"}, "round": {strconv.FormatInt(e.round.ID, 10)}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("create point: %d\n%s", r.status, r.body)
	}
	must(t, b.follow(r), http.StatusOK, "城关镇夜间采样点", "20:00–02:00 次日", "采样点已登记")
	r = b.post("/sampling-points", url.Values{"name": {""}, "jurisdiction": {"451024"}, "opens": {"25:00"}, "closes": {"08:00"}, "tables": {"0"}})
	must(t, r, http.StatusUnprocessableEntity, `id="name-error"`, `id="opens-error"`, `id="tables-error"`)

	edit := fmt.Sprintf("/sampling-points/%d", e.point.ID)
	must(t, b.get(edit+"/edit"), http.StatusOK, `value="福记村委会采样点"`, `name="all_day" value="on" checked`)
	r = b.post(edit, url.Values{"name": {"福记村采样点"}, "jurisdiction": {fuji}, "all_day": {"on"}, "tables": {"4"}, "staff": {"8"}, "active": {"on"}})
	must(t, b.follow(r), http.StatusOK, "福记村采样点", "采样点已保存")

	// The planner: 10,000 people in 24 hours need 28 samplers; two points
	// with 7 tables and 14 staff fall short.
	r = b.get("/sampling-points/capacity?jurisdiction=451024&population=10000&deadline_hours=24")
	must(t, r, http.StatusOK, "人口 10000 人，24 小时内完成", "<td data-label=\"需要\">28</td>", "缺 14", `class="short"`)
	must(t, b.get("/sampling-points/capacity?jurisdiction=451024&population=abc"), http.StatusUnprocessableEntity, `id="population-error"`)
	must(t, b.get("/sampling-points/capacity"), http.StatusOK, `name="population"`)

	// A lab account reads points but does not manage them.
	l := e.signedIn("lab")
	must(t, l.get("/sampling-points/new"), http.StatusForbidden)
	must(t, l.get(edit+"/edit"), http.StatusForbidden)
	if r := e.signedIn("sampler").get("/sampling-points"); strings.Contains(r.body, "/sampling-points/new") || r.status != 200 {
		t.Errorf("sampler's point list: %d, offers the new-point form: %v", r.status, strings.Contains(r.body, "/sampling-points/new"))
	}
}

func TestPublicSamplingPoints(t *testing.T) {
	e := newTestingEnv(t)
	if err := e.app.ReportQueue(context.Background(), app.System, e.point.ID, 12); err != nil {
		t.Fatal(err)
	}
	anon := e.browser()
	r := anon.get("/public/sampling-points?jurisdiction=451024200")
	must(t, r, http.StatusOK, "福记村委会采样点", "24 小时开放", "正在开放", "福记村委会门前", "排队 12 人", "都安乡附近的采样点")
	if strings.Contains(r.body, `href="/persons"`) {
		t.Error("the public page shows the staff navigation")
	}
	// A township without points of its own falls back to its county's.
	must(t, anon.get("/public/sampling-points?jurisdiction=451024100"), http.StatusOK, "福记村委会采样点")
	must(t, anon.get("/public/sampling-points"), http.StatusOK, "选择省份", "广西壮族自治区")
	must(t, anon.get("/public/sampling-points?q="+url.QueryEscape("德保")), http.StatusOK, `href="/public/sampling-points?jurisdiction=451024"`)
	must(t, anon.get("/public/sampling-points?jurisdiction=459999"), http.StatusNotFound, "没有这个区划代码")
	must(t, anon.get("/public/sampling-points?jurisdiction=450102"), http.StatusOK, "附近暂无开放的采样点")
	anon.header.Set("Accept-Language", "en")
	must(t, anon.get("/public/sampling-points?jurisdiction=451024"), http.StatusOK, `<html lang="en">`, "Open 24 hours", "Open now")
	must(t, e.browser().get("/login"), http.StatusOK, `href="/public/sampling-points"`)
}

func TestSamplingWithoutScript(t *testing.T) {
	e := newTestingEnv(t)
	s := e.signedIn("sampler")
	r := s.get("/sampling")
	must(t, r, http.StatusOK, "德保县第一轮", "福记村委会采样点", `data-general="5"`, `name="key"`, `data-csrf="`, "/static/sampling.")
	key := regexpValue(t, r.body, `name="key" value="([^"]+)"`)
	id := ids(20, 1)[0]
	form := url.Values{"round": {strconv.FormatInt(e.round.ID, 10)}, "point": {strconv.FormatInt(e.point.ID, 10)}, "table": {"2"},
		"group": {"general"}, "doc_type": {"citizen_id"}, "id_number": {id}, "tube": {"NS0001"}, "key": {key}}
	r = s.post("/sampling", form)
	must(t, r, http.StatusOK, "已登记：试管 NS0001 第 1 位（1/5）", `id="tube" name="tube" value="NS0001"`)
	// Posting the same form again stores nothing new.
	must(t, s.post("/sampling", form), http.StatusOK, "该登记已保存过")
	form.Set("key", "other")
	form.Set("id_number", wrongCheck("45102419800101021"))
	must(t, s.post("/sampling", form), http.StatusUnprocessableEntity, `id="id_number-error"`, "证件号码无效")
	tube, err := e.app.Tube(context.Background(), app.System, "NS0001")
	if err != nil || tube.Filled != 1 {
		t.Fatalf("tube after the form: %+v %v", tube.Tube, err)
	}
	must(t, e.signedIn("lab").get("/sampling"), http.StatusForbidden)
}

func regexpValue(t *testing.T, body, pattern string) string {
	t.Helper()
	m := regexpMust(pattern).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s in:\n%s", pattern, body)
	}
	return m[1]
}

func TestSamplingBatchEndpoint(t *testing.T) {
	e := newTestingEnv(t)
	s := e.signedIn("sampler")
	s.get("/sampling")
	csrf := s.csrf
	people := ids(30, 2)
	batch := map[string]any{"samples": []cordon.SampleInput{
		{Key: "k1", RoundID: e.round.ID, PointID: e.point.ID, Tube: "JS0001", PoolSize: 5, IDNumber: people[0]},
		{Key: "k2", RoundID: e.round.ID, PointID: e.point.ID, Tube: "JS0001", PoolSize: 5, IDNumber: people[1]},
		{Key: "k3", RoundID: e.round.ID, PointID: e.point.ID, Tube: "JS0001", PoolSize: 10, IDNumber: ids(32, 1)[0]},
	}}
	var acks cordon.SampleAnswers
	r := s.postJSON("/sampling/samples", batch, csrf)
	must(t, r, http.StatusOK)
	if err := json.Unmarshal([]byte(r.body), &acks); err != nil {
		t.Fatal(err)
	}
	if acks.Stored != 2 || acks.Rejected != 1 || acks.Results[1].Filled != 2 || acks.Results[2].Error.Code != "sample.pool_size_mismatch" ||
		acks.Results[2].Error.Message != "试管的混采数与登记不符。" {
		t.Fatalf("batch: %s", r.body)
	}
	// A resend of the same keys is answered as before and stores nothing.
	r = s.postJSON("/sampling/samples", batch, csrf)
	if err := json.Unmarshal([]byte(r.body), &acks); err != nil || acks.Replayed != 2 {
		t.Fatalf("resend: %s", r.body)
	}
	if tube, _ := e.app.Tube(context.Background(), app.System, "JS0001"); tube.Filled != 2 {
		t.Errorf("tube holds %d samples, want 2", tube.Filled)
	}
	// No CSRF header: refused before app.
	must(t, s.postJSON("/sampling/samples", batch, ""), http.StatusForbidden)
	// A role that may not register: a JSON refusal with the reason.
	l := e.signedIn("lab")
	r = l.postJSON("/sampling/samples", batch, l.csrf)
	must(t, r, http.StatusForbidden, `"code":"auth.forbidden"`, "无权")
	// Not JSON: refused.
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/sampling/samples", strings.NewReader("samples=1"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-CSRF-Token", csrf)
	must(t, s.do(req), http.StatusUnsupportedMediaType)
	// Signed out: the script sees a redirect, not a page that looks fine.
	if r := e.browser().postJSON("/sampling/samples", batch, "x"); r.status != http.StatusForbidden && r.status != http.StatusSeeOther {
		t.Errorf("signed-out batch: %d", r.status)
	}

	// Closing the tube by hand, as the script does and as a form does.
	req, _ = http.NewRequest(http.MethodPost, e.srv.URL+"/sampling/tubes/close", strings.NewReader("tube=JS0001"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-CSRF-Token", csrf)
	must(t, s.do(req), http.StatusOK, `"status":"closed"`)
	r = s.post("/sampling/tubes/close", url.Values{"tube": {"NOSUCH"}})
	must(t, r, http.StatusNotFound, `id="close_tube-error"`)
	e.register("JS0002", 5, ids(40, 1)...)
	must(t, s.follow(s.post("/sampling/tubes/close", url.Values{"tube": {"JS0002"}})), http.StatusOK, "试管已封管")

	// The queue report feeds the public page.
	r = s.post("/sampling/queue", url.Values{"point": {strconv.FormatInt(e.point.ID, 10)}, "queue": {"25"}})
	must(t, s.follow(r), http.StatusOK, "排队人数已上报")
	must(t, e.browser().get("/public/sampling-points?jurisdiction="+fuji), http.StatusOK, "排队 25 人")
	must(t, s.post("/sampling/queue", url.Values{"point": {strconv.FormatInt(e.point.ID, 10)}, "queue": {"-1"}}), http.StatusUnprocessableEntity, `id="queue-error"`)
}

func TestBoxesAndLabPages(t *testing.T) {
	e := newTestingEnv(t)
	e.register("B0001", 5, ids(50, 5)...)
	e.register("B0002", 5, ids(55, 2)...)
	s := e.signedIn("sampler")
	// The sampler in 德保 chooses a lab in 百色, outside their subtree.
	must(t, s.get("/boxes/new"), http.StatusOK, "百色市疾控中心实验室", `data-scan="tubes"`)
	r := s.post("/boxes", url.Values{"point": {strconv.FormatInt(e.point.ID, 10)}, "lab": {strconv.FormatInt(e.lab.ID, 10)},
		"barcode": {"BOX01"}, "courier": {"李师傅"}, "tubes": {"B0001\nB0002\n"}})
	must(t, s.follow(r), http.StatusOK, "转运箱已交接")
	r = s.post("/boxes", url.Values{"point": {strconv.FormatInt(e.point.ID, 10)}, "lab": {strconv.FormatInt(e.lab.ID, 10)}, "barcode": {"BOX01"}, "tubes": {"B0001"}})
	must(t, r, http.StatusConflict, `id="barcode-error"`)
	must(t, s.get("/boxes/receive"), http.StatusForbidden)

	l := e.signedIn("lab")
	must(t, l.get("/labs"), http.StatusOK, "百色市疾控中心实验室", "<td data-label=\"在途\">2</td>")
	must(t, l.get("/boxes/receive"), http.StatusOK, `name="tubes"`)
	r = l.post("/boxes/receive", url.Values{"barcode": {"BOX01"}, "tubes": {"B0001 X9999"}})
	must(t, r, http.StatusOK, "转运箱 BOX01 签收结果", "B0002", "X9999", "转运箱已签收")
	must(t, l.post("/boxes/receive", url.Values{"barcode": {"NOBOX"}, "tubes": {"B0001"}}), http.StatusNotFound, `id="barcode-error"`)
	must(t, l.get(fmt.Sprintf("/labs/%d", e.lab.ID)), http.StatusOK, "待检", "超时未出结果的试管")
	must(t, e.signedIn("nanning").get(fmt.Sprintf("/labs/%d", e.lab.ID)), http.StatusNotFound)

	// Upload: one matched, one unknown tube for the inbox.
	l.get("/lab/upload")
	r = l.postFile("/lab/upload", "results.csv", []byte("试管条码,检测结果\nB0001,阴性\nNOPE01,阴性\n"))
	must(t, r, http.StatusOK, "results.csv 的处理结果", "没有这个条码的试管", "NOPE01", `href="/lab/inbox"`)
	must(t, l.postFile("/lab/upload", "results.pdf", []byte("x")), http.StatusUnsupportedMediaType, "请上传 JSON、CSV")
	must(t, l.postFile("/lab/upload", "results.json", []byte("{")), http.StatusUnprocessableEntity, "文件不是有效的 JSON")
	must(t, s.get("/lab/upload"), http.StatusForbidden)

	r = l.get("/lab/inbox")
	must(t, r, http.StatusOK, "NOPE01,阴性", "应用", "作废")
	item := regexpValue(t, r.body, `action="/lab/inbox/(\d+)"`)
	must(t, l.post("/lab/inbox/"+item, url.Values{"action": {"dismiss"}}), http.StatusUnprocessableEntity, "作废结果时请说明原因")
	must(t, l.post("/lab/inbox/"+item, url.Values{"action": {"apply"}, "barcode": {"NOPE02"}, "result": {"negative"}}), http.StatusConflict, `id="barcode-error"`)
	r = l.post("/lab/inbox/"+item, url.Values{"action": {"apply"}, "barcode": {"B0002"}, "result": {"negative"}})
	must(t, r, http.StatusOK, "结果已应用", "没有待处理的结果")
	must(t, e.signedIn("lab").get("/labs"), http.StatusOK, "<td data-label=\"24 小时出结果\">2")

	// A commander registers a lab.
	a := e.signedIn("admin")
	a.get("/labs")
	must(t, a.follow(a.post("/labs", url.Values{"name": {"德保县人民医院实验室"}, "jurisdiction": {"451024"}, "capacity_per_day": {"3000"}})), http.StatusOK, "实验室已登记", "德保县人民医院实验室")
	must(t, a.post("/labs", url.Values{"name": {""}, "jurisdiction": {"451024"}, "capacity_per_day": {"x"}}), http.StatusUnprocessableEntity, `id="capacity_per_day-error"`)
	must(t, l.post("/labs", url.Values{"name": {"x"}, "jurisdiction": {"451000"}}), http.StatusForbidden)
}

func TestRecallsAndPositives(t *testing.T) {
	e := newTestingEnv(t)
	ctx := context.Background()
	member := ids(60, 1)[0]
	p, err := e.app.CreatePerson(ctx, app.System, cordon.PersonInput{Name: "黄复核", DocType: cordon.DocCitizenID, IDNumber: member, Residence: "451024", Current: e.grid.Code})
	if err != nil {
		t.Fatal(err)
	}
	acks, err := e.app.RegisterSamples(ctx, app.System, []cordon.SampleInput{{Key: "m", RoundID: e.round.ID, PointID: e.point.ID, Tube: "P0001", PoolSize: 5, PersonID: p.ID}})
	if err != nil || acks[0].Status != cordon.SampleStored {
		t.Fatal(acks, err)
	}
	e.register("P0001", 5, ids(61, 4)...)
	lab := e.signedIn("lab")
	lab.get("/lab/upload")
	must(t, lab.postFile("/lab/upload", "pos.csv", []byte("试管条码,检测结果,ORF1ab基因Ct值,N基因Ct值\nP0001,阳性,31.2,30.1\n")), http.StatusOK,
		"阳性混管 1 管", "5 人待复核")

	gw := e.signedIn("gw")
	r := gw.get("/recalls")
	must(t, r, http.StatusOK, "黄复核", member, "待复核", "P0001")
	must(t, gw.get("/positives"), http.StatusForbidden)
	// A commander reads the village's recalls masked.
	r = e.signedIn("nanning").get("/recalls")
	must(t, r, http.StatusOK, "没有需要召回的人员")
	admin := e.signedIn("admin")
	must(t, admin.get("/recalls?jurisdiction="+fuji+"&kind=retest"), http.StatusOK, "黄复核")
	must(t, e.signedIn("sampler").get("/recalls"), http.StatusForbidden)
	must(t, gw.get("/recalls?jurisdiction=451024"), http.StatusForbidden, `id="jurisdiction-error"`)

	// A single-tube retest comes back positive.
	retest := cordon.SampleInput{Key: "r", RoundID: e.round.ID, PointID: e.point.ID, Tube: "S0001", PoolSize: 1, Group: cordon.GroupKey, PersonID: p.ID}
	if _, err := e.app.RegisterSamples(ctx, app.System, []cordon.SampleInput{retest}); err != nil {
		t.Fatal(err)
	}
	must(t, lab.postFile("/lab/upload", "retest.csv", []byte("试管条码,检测结果\nS0001,阳性\n")), http.StatusOK, "单管阳性 1 人")
	r = e.signedIn("debao").get("/positives")
	must(t, r, http.StatusOK, "黄复核", member, "S0001", "复检自 P0001")
	must(t, admin.get("/audit?action=positive.list"), http.StatusOK, "debao")
}

// TestTestingPagesEveryLanguage renders each mass-testing page in both
// languages for a role that may see it, and fails on a missing translation
// (newEnv's cleanup) or an error.
func TestTestingPagesEveryLanguage(t *testing.T) {
	e := newTestingEnv(t)
	e.register("E0001", 5, ids(70, 2)...)
	pages := map[string][]string{
		"admin": {"/rounds", "/rounds/new", e.roundPath(), e.roundPath() + "?prevalence=1", e.roundPath() + "/unsampled?area=451024",
			"/sampling-points", "/sampling-points/new", fmt.Sprintf("/sampling-points/%d/edit", e.point.ID),
			"/sampling-points/capacity?jurisdiction=451024&population=5000", "/labs", fmt.Sprintf("/labs/%d", e.lab.ID),
			"/sampling", "/boxes/new", "/boxes/receive", "/lab/upload", "/lab/inbox", "/recalls", "/positives", "/public/sampling-points?jurisdiction=451024"},
		"gw": {e.roundPath(), "/recalls"},
	}
	for user, paths := range pages {
		b := e.signedIn(user)
		for _, lang := range []string{"zh-CN", "en"} {
			b.follow(b.post("/lang", url.Values{"lang": {lang}, "next": {"/"}}))
			for _, p := range paths {
				r := b.get(p)
				if r.status != http.StatusOK || !strings.Contains(r.body, `<html lang="`+lang+`">`) {
					t.Errorf("%s %s %s: %d\n%s", user, lang, p, r.status, r.body)
				}
			}
		}
	}
	if strings.Contains(e.logs.String(), "level=ERROR") {
		t.Errorf("errors logged:\n%s", e.logs.String())
	}
}

var regexps sync.Map

func regexpMust(pattern string) *regexp.Regexp {
	if re, ok := regexps.Load(pattern); ok {
		return re.(*regexp.Regexp)
	}
	re := regexp.MustCompile(pattern)
	regexps.Store(pattern, re)
	return re
}

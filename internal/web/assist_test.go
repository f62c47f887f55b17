package web

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"cordon"
	"cordon/internal/app"
)

// Youjiang sends an assist request about a person it chose, Debao's
// epidemiologist records outcomes through the forms (a step backwards is
// refused on the page), the sender's progress fragment counts them without
// naming anyone, the letter and list download, and Debao's commander sees
// the overdue count on the home page.
func TestAssistPages(t *testing.T) {
	e := newTestingEnv(t)
	e.account("yjepi", cordon.RoleEpidemiologist, "451002")
	e.account("dbepi", cordon.RoleEpidemiologist, "451024")
	e.account("dbcmd", cordon.RoleCommander, "451024")
	ctx := context.Background()
	p, err := e.app.CreatePerson(ctx, app.System, cordon.PersonInput{Name: "黄协查", IDNumber: citizenID("45100219850201001"),
		Phone: "13907760001", Residence: "451002", Current: "451024100001"})
	if err != nil {
		t.Fatal(err)
	}
	pid := strconv.FormatInt(p.ID, 10)
	yj := e.signedIn("yjepi")
	if home := yj.get("/"); !strings.Contains(home.body, `href="/assist"`) {
		t.Error("the navigation lacks assist requests")
	}
	must(t, yj.get("/assist/new?person="+pid), http.StatusOK, "黄协查", `name="note_`+pid+`"`)
	r := yj.post("/assist", url.Values{"person_id": {pid}, "reason": {""}, "source": {"bigdata"}})
	must(t, r, http.StatusUnprocessableEntity, `id="reason-error"`, "请填写协查事由")
	r = yj.post("/assist", url.Values{"person_id": {pid}, "note_" + pid: {"同车厢"}, "reason": {"与确诊病例同乘G5411次列车"}, "source": {"bigdata"}})
	must(t, r, http.StatusOK, `id="assist-result"`, "右江协查〔", "〕第0001号", "德保县")
	sent, err := e.app.AssistRequests(ctx, app.System, false, 0, 10)
	if err != nil || len(sent) != 1 {
		t.Fatalf("sent: %+v %v", sent, err)
	}
	path := "/assist/" + strconv.FormatInt(sent[0].ID, 10)
	must(t, yj.get("/assist?box=sent"), http.StatusOK, sent[0].Number, "0 / 1")

	db := e.signedIn("dbepi")
	must(t, db.get("/assist"), http.StatusOK, sent[0].Number, "右江区")
	must(t, db.get(path), http.StatusOK, "黄协查", "同车厢", `action="`+path+`/people/1/outcome"`, `hx-get="`+path+`/progress"`)
	r = db.post(path+"/people/1/outcome", url.Values{"status": {"located"}, "note": {"已电话联系本人"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("outcome: %d\n%s", r.status, r.body)
	}
	must(t, db.follow(r), http.StatusOK, "已记录。", "已落位", "已电话联系本人")
	must(t, db.post(path+"/people/1/outcome", url.Values{"status": {"located"}}), http.StatusConflict, "该人员已处于此状态或之后")
	must(t, db.post(path+"/people/1/grid", url.Values{"grid": {"450102001003001"}}), http.StatusUnprocessableEntity, "请选择协查县区内已有的网格")
	r = db.post(path+"/people/1/grid", url.Values{"grid": {e.grid.Code}})
	must(t, db.follow(r), http.StatusOK, "已分派网格。", e.grid.Code)
	if r := yj.post(path+"/people/1/outcome", url.Values{"status": {"controlled"}}); r.status != http.StatusForbidden {
		t.Errorf("the sender records no outcome: %d", r.status)
	}

	progress := yj.get(path + "/progress")
	must(t, progress, http.StatusOK, `id="count-located">1<`, `data-status="located"`)
	if strings.Contains(progress.body, "黄协查") || strings.Contains(progress.body, "<html") {
		t.Errorf("the fragment names someone or carries the layout:\n%s", progress.body)
	}
	if r := yj.get(path + "/letter.pdf"); r.status != http.StatusOK || r.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(r.body, "%PDF-") {
		t.Errorf("letter: %d %s", r.status, r.header.Get("Content-Type"))
	}
	if r := yj.get(path + "/export?format=xlsx"); r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "application/vnd.openxmlformats") {
		t.Errorf("export: %d", r.status)
	}
	cmd := e.signedIn("dbcmd")
	must(t, cmd.get("/"), http.StatusOK, `id="home-assist-overdue"`)
	must(t, cmd.get("/assist/overdue"), http.StatusOK, "没有超时的协查人员")
	if home := yj.get("/"); strings.Contains(home.body, `id="home-assist-overdue"`) {
		t.Error("the overdue count is for commanders")
	}
	// An uploaded list: one good row, one with a malformed ID number.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf", yj.csrf)
	_ = mw.WriteField("reason", "大数据推送")
	_ = mw.WriteField("source", "bigdata")
	fw, _ := mw.CreateFormFile("file", "名单.csv")
	_, _ = fw.Write([]byte("姓名,证件号码,现住辖区代码,协查原因\n韦一," + citizenID("45010219900101005") + ",450103,同车厢\n韦二,4501021990,450103,同车厢\n"))
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/assist", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	must(t, yj.do(req), http.StatusOK, `id="assist-result"`, "青秀区", `id="assist-errors"`, "assist.id_number_invalid")

	b := e.signedIn("dbepi")
	b.follow(b.post("/lang", url.Values{"lang": {"en"}, "next": {"/"}}))
	must(t, b.get(path), http.StatusOK, "Assist letter", "Located", `<html lang="en">`)
}

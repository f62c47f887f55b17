package api_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"cordon"
	"cordon/internal/app"
)

// The assist endpoints: Debao sends about a list with a bad row, Nanning
// receives, assigns nothing it may not, records outcomes and forwards;
// Debao sees the counts; the exports; the refusals as problem+json.
func TestAssistAPI(t *testing.T) {
	f := newFixture(t)
	epi, nanning, nanningEpi, baise := f.token("debao"), f.token("nanning"), f.token("nanningepi"), f.token("baise")
	problemOf := func(method, path, token string, body any, status int, code string) {
		t.Helper()
		var p problem
		resp := f.do(method, path, token, body, &p)
		if resp.StatusCode != status || p.Code != code || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s %s: %d %+v, want %d %s", method, path, resp.StatusCode, p, status, code)
		}
	}
	in := cordon.AssistInput{Reason: "与确诊病例同乘 G5411 次列车", Source: cordon.AssistBigData, People: []cordon.AssistPersonInput{
		{Name: "李某", IDNumber: citizenID("45010219900101001"), Current: "450102001003", Note: "同车厢"},
		{Name: "坏号", IDNumber: "450102199001010", Current: "450102"},
		{Name: "王某", IDNumber: citizenID("45102419900101003"), Residence: "451024100001", Note: "本县"},
	}}
	problemOf("POST", "/api/v1/assist-requests", epi, cordon.AssistInput{Reason: "", People: in.People}, 422, "assist.reason_required")
	problemOf("POST", "/api/v1/assist-requests", f.token("admin"), cordon.AssistInput{Reason: "x", Source: "rumour", People: in.People}, 422, "assist.source_invalid")
	var out app.AssistFanOut
	if resp := f.do("POST", "/api/v1/assist-requests", epi, in, &out); resp.StatusCode != 201 || len(out.Requests) != 1 || len(out.Errors) != 1 ||
		out.Errors[0].Code != "assist.id_number_invalid" || len(out.Own) != 1 {
		t.Fatalf("create: %d %+v", resp.StatusCode, out)
	}
	id := out.Requests[0].ID
	path := "/api/v1/assist-requests/" + itoa(id)

	var received struct{ Items []cordon.AssistRequest }
	if resp := f.do("GET", "/api/v1/assist-requests?box=received", nanningEpi, nil, &received); resp.StatusCode != 200 || len(received.Items) != 1 || received.Items[0].Counts.Pending != 1 {
		t.Errorf("Nanning's inbox: %d %+v", resp.StatusCode, received)
	}
	problemOf("GET", "/api/v1/assist-requests?box=lost", epi, nil, 422, "assist.box_invalid")
	problemOf("POST", path+"/people/1/outcome", epi, cordon.AssistOutcome{Status: cordon.AssistLocated}, 403, "assist.not_receiver")
	problemOf("POST", path+"/people/1/outcome", nanningEpi, cordon.AssistOutcome{Status: "lost"}, 422, "assist.status_invalid")
	problemOf("POST", path+"/people/9/outcome", nanningEpi, cordon.AssistOutcome{Status: cordon.AssistLocated}, 404, "assist_person.not_found")
	problemOf("POST", path+"/people/1/grid", nanningEpi, map[string]string{"grid": "451024200202001"}, 422, "assist.grid_invalid")
	if resp := f.do("GET", path, baise, nil, nil); resp.StatusCode != 200 {
		t.Errorf("Baise covers the sender: %d", resp.StatusCode)
	}
	var p cordon.AssistPerson
	if resp := f.do("POST", path+"/people/1/outcome", nanningEpi, cordon.AssistOutcome{Status: cordon.AssistTested}, &p); resp.StatusCode != 200 || p.Status != cordon.AssistTested {
		t.Errorf("outcome: %d %+v", resp.StatusCode, p)
	}
	problemOf("POST", path+"/people/1/outcome", nanningEpi, cordon.AssistOutcome{Status: cordon.AssistLocated}, 409, "assist.status_backwards")
	problemOf("POST", path+"/people/1/forward", nanningEpi, app.AssistForward{To: "450102001003"}, 422, "assist.forward_same")
	var next cordon.AssistRequest
	if resp := f.do("POST", path+"/people/1/forward", nanningEpi, app.AssistForward{To: "451024", Note: "已回德保"}, &next); resp.StatusCode != 201 || next.Target != "451024" || next.ParentID != id {
		t.Errorf("forward: %d %+v", resp.StatusCode, next)
	}
	var r cordon.AssistRequest
	if resp := f.do("GET", path, epi, nil, &r); resp.StatusCode != 200 || r.Counts.MovedOn != 1 || r.People[0].ForwardedTarget != "451024" {
		t.Errorf("the sender's view: %d %+v", resp.StatusCode, r)
	}
	var overdue []cordon.AssistOverdue
	if resp := f.do("GET", "/api/v1/assist-requests/overdue", nanning, nil, &overdue); resp.StatusCode != 200 || len(overdue) != 0 {
		t.Errorf("overdue: %d %+v", resp.StatusCode, overdue)
	}

	resp := f.do("GET", path+"/export?format=xlsx", epi, nil, nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/vnd.openxmlformats") {
		t.Errorf("export: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	resp = f.do("GET", path+"/letter.pdf", epi, nil, nil)
	var body bytes.Buffer
	body.ReadFrom(resp.Body)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(body.Bytes(), []byte("%PDF-")) {
		t.Errorf("letter: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	problemOf("GET", "/api/v1/assist-requests/999", epi, nil, 404, "assist.not_found")

	csv := "姓名,证件号码,现住辖区代码,协查原因\n张某," + citizenID("45010219900101005") + ",450103,同车厢\n"
	req, _ := http.NewRequest("POST", f.srv.URL+"/api/v1/assist-requests/upload?reason=大数据推送&source=bigdata", strings.NewReader(csv))
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Authorization", "Bearer "+epi)
	up, err := http.DefaultClient.Do(req)
	if err != nil || up.StatusCode != 201 {
		t.Errorf("upload: %v %v", up.StatusCode, err)
	}
}

package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cordon"
	"cordon/internal/labfile"
)

// massTesting opens a round over 德保县 with a point and a lab through the
// API, as the admin.
func (f *fixture) massTesting(admin string) (round, point int64) {
	f.t.Helper()
	var r cordon.Round
	if resp := f.do("POST", "/api/v1/rounds", admin, cordon.RoundInput{Name: "第一轮", Jurisdiction: "451024"}, &r); resp.StatusCode != 201 {
		f.t.Fatalf("create round: %d", resp.StatusCode)
	}
	var p cordon.SamplingPoint
	if resp := f.do("POST", "/api/v1/sampling-points", admin, cordon.SamplingPointInput{Name: "德保汽车站", Jurisdiction: "451024", AllDay: true, Tables: 4}, &p); resp.StatusCode != 201 {
		f.t.Fatalf("create point: %d", resp.StatusCode)
	}
	var l cordon.Lab
	if resp := f.do("POST", "/api/v1/labs", admin, cordon.LabInput{Name: "百色市疾控中心", Jurisdiction: "451000", Capacity: 1000}, &l); resp.StatusCode != 201 {
		f.t.Fatalf("create lab: %d", resp.StatusCode)
	}
	return r.ID, p.ID
}

func sampleBody(round, point int64, from, n int, tube func(i int) string) string {
	var b strings.Builder
	b.WriteString(`{"samples":[`)
	for i := from; i < from+n; i++ {
		if i > from {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"key":"k%d","round_id":%d,"point_id":%d,"tube":"%s","pool_size":10,"id_number":"%s"}`,
			i, round, point, tube(i), citizenID(fmt.Sprintf("451024199001%02d%03d", 1+i/1000%28, i%1000)))
	}
	b.WriteString(`]}`)
	return b.String()
}

type sampleAcks struct {
	Results []cordon.SampleAck `json:"results"`
	Stored  int                `json:"stored"`
	Replay  int                `json:"replayed"`
	Reject  int                `json:"rejected"`
}

func TestBulkSamples(t *testing.T) {
	f := newFixture(t)
	admin := f.token("admin")
	round, point := f.massTesting(admin)
	body := sampleBody(round, point, 0, 25, func(i int) string { return fmt.Sprintf("T%d", i/10) })
	var acks sampleAcks
	if resp := f.do("POST", "/api/v1/samples", admin, body, &acks); resp.StatusCode != 200 {
		t.Fatalf("POST samples: %d", resp.StatusCode)
	}
	if acks.Stored != 25 || len(acks.Results) != 25 || !acks.Results[9].Closed || acks.Results[24].Filled != 5 {
		t.Fatalf("acks: %+v", acks)
	}
	// The device lost the answer and sends the batch again.
	var again sampleAcks
	f.do("POST", "/api/v1/samples", admin, body, &again)
	if again.Replay != 25 || again.Stored != 0 || again.Results[3].Slot != acks.Results[3].Slot || again.Results[3].Tube != acks.Results[3].Tube {
		t.Errorf("resend: %+v", again)
	}
	// One bad item in a batch is refused on its own, with a stable code.
	bad := strings.Replace(sampleBody(round, point, 100, 2, func(int) string { return "T100" }), `"pool_size":10`, `"pool_size":7`, 1)
	var mixed sampleAcks
	f.do("POST", "/api/v1/samples", admin, bad, &mixed)
	if mixed.Stored != 1 || mixed.Reject != 1 || mixed.Results[0].Error == nil || mixed.Results[0].Error.Code != "round.pool_size_invalid" {
		t.Errorf("mixed batch: %+v", mixed)
	}
	var p problem
	if resp := f.do("POST", "/api/v1/samples", admin, `{"samples":[]}`, &p); resp.StatusCode != 422 || p.Code != "sample.batch_size" {
		t.Errorf("empty batch: %d %+v", resp.StatusCode, p)
	}
	if resp := f.do("POST", "/api/v1/samples", "", body, &p); resp.StatusCode != 401 {
		t.Errorf("no token: %d", resp.StatusCode)
	}
	var prog cordon.Progress
	f.do("GET", fmt.Sprintf("/api/v1/rounds/%d/progress?depth=2", round), admin, nil, &prog)
	if prog.Sampled != 26 || prog.Tubes != 4 {
		t.Errorf("progress: %+v", prog.Tally)
	}
}

// post sends raw bytes with a content type.
func (f *fixture) post(path, token, ctype string, body []byte, out any) *http.Response {
	f.t.Helper()
	req, _ := http.NewRequest("POST", f.srv.URL+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := jsonDecode(resp, out); err != nil {
			f.t.Fatal(err)
		}
	}
	return resp
}

// TestLabResultsEveryFormat sends results in the four formats the endpoint
// reads, chosen by Content-Type, and checks the counts it answers.
func TestLabResultsEveryFormat(t *testing.T) {
	f := newFixture(t)
	admin := f.token("admin")
	round, point := f.massTesting(admin)
	f.do("POST", "/api/v1/samples", admin, sampleBody(round, point, 0, 40, func(i int) string { return fmt.Sprintf("T%d", i/10) }), nil)
	for _, code := range []string{"T0", "T1", "T2", "T3"} {
		f.do("POST", "/api/v1/tubes/"+code+"/close", admin, nil, nil)
	}
	var xlsx bytes.Buffer
	if err := labfile.WriteXLSX(&xlsx, []labfile.Row{{Barcode: "T2", Outcome: "negative"}, {Barcode: "NOPE", Outcome: "negative"}}); err != nil {
		t.Fatal(err)
	}
	hl7, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "testdata", "hl7", "CA-20211001-sully.hl7"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		ctype string
		body  []byte
		want  cordon.LabUpload
	}{
		{"application/json", []byte(`[{"barcode":"T0","result":"阴性","ct_orf1ab":null},{"barcode":"T1","result":"maybe"}]`), cordon.LabUpload{Received: 2, Matched: 1, Inbox: 1}},
		{"text/csv; charset=utf-8", []byte("条码,检测结果,ORF1ab基因Ct值,N基因Ct值\nT1,阳性,30.1,29.8\n"), cordon.LabUpload{Received: 1, Matched: 1}},
		{labfile.XLSX, xlsx.Bytes(), cordon.LabUpload{Received: 2, Matched: 1, Inbox: 1}},
		// The sample message's specimen is no tube of ours: kept for a person.
		{"application/hl7-v2", hl7, cordon.LabUpload{Received: 1, Inbox: 1}},
	}
	for _, c := range cases {
		var up cordon.LabUpload
		if resp := f.post("/api/v1/lab-results", admin, c.ctype, c.body, &up); resp.StatusCode != 200 {
			t.Fatalf("%s: %d", c.ctype, resp.StatusCode)
		}
		if up.Received != c.want.Received || up.Matched != c.want.Matched || up.Inbox != c.want.Inbox || up.Rejected != 0 {
			t.Errorf("%s: %+v, want %+v", c.ctype, up, c.want)
		}
	}
	var inbox struct {
		Items []cordon.InboxItem `json:"items"`
	}
	f.do("GET", "/api/v1/lab-inbox", admin, nil, &inbox)
	if len(inbox.Items) != 3 {
		t.Fatalf("inbox: %+v", inbox.Items)
	}
	if !strings.HasPrefix(inbox.Items[2].Raw, "MSH|") || inbox.Items[0].Code != "labfile.bad_result" {
		t.Errorf("inbox items keep raw text and the reason: %+v", inbox.Items)
	}
	var p problem
	if resp := f.post("/api/v1/lab-results", admin, "application/pdf", []byte("%PDF"), &p); resp.StatusCode != 415 || p.Code != "labresult.format" {
		t.Errorf("unsupported type: %d %+v", resp.StatusCode, p)
	}
	if resp := f.post("/api/v1/lab-results", admin, "application/json", []byte(`{"oops"`), &p); resp.StatusCode != 422 || p.Code != "labfile.bad_json" {
		t.Errorf("broken JSON: %d %+v", resp.StatusCode, p)
	}
	// The positive pool's people are on the recall list.
	var recalls struct {
		Items []cordon.Hold `json:"items"`
	}
	f.do("GET", "/api/v1/recalls?jurisdiction=451024", admin, nil, &recalls)
	if len(recalls.Items) != 10 || recalls.Items[0].Tube != "T1" {
		t.Errorf("recalls: %d", len(recalls.Items))
	}
}

func TestPublicSamplingPoints(t *testing.T) {
	f := newFixture(t)
	admin := f.token("admin")
	f.massTesting(admin)
	var page struct {
		Items []cordon.SamplingPoint `json:"items"`
	}
	if resp := f.do("GET", "/api/v1/public/sampling-points?jurisdiction=451024200", "", nil, &page); resp.StatusCode != 200 {
		t.Fatalf("public points: %d", resp.StatusCode)
	}
	// 都安乡 has no point of its own: the county's are listed.
	if len(page.Items) != 1 || page.Items[0].Name != "德保汽车站" || !page.Items[0].AllDay {
		t.Errorf("public points: %+v", page.Items)
	}
	var p problem
	if resp := f.do("GET", "/api/v1/public/sampling-points?jurisdiction=abc", "", nil, &p); resp.StatusCode != 422 || p.Code != "jurisdiction.unknown" {
		t.Errorf("bad jurisdiction: %d %+v", resp.StatusCode, p)
	}
}

// BenchmarkSamplesAPI posts batches of 1,000 registrations through the
// whole HTTP stack: decoding, authentication, validation and the durable
// commit.
func BenchmarkSamplesAPI(b *testing.B) {
	f := newFixture(b)
	admin := f.token("admin")
	round, point := f.massTesting(admin)
	i := 0
	for b.Loop() {
		body := []byte(sampleBody(round, point, i, 1000, func(i int) string { return fmt.Sprintf("T%d", i/10) }))
		i += 1000
		var acks sampleAcks
		f.post("/api/v1/samples", admin, "application/json", body, &acks)
		if acks.Stored != 1000 {
			b.Fatalf("%d stored", acks.Stored)
		}
	}
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "samples/s")
}

func jsonDecode(resp *http.Response, out any) error {
	return json.NewDecoder(resp.Body).Decode(out)
}

// A positive result becomes a case through the API, once; the clocks come
// back with it.
func TestCasesAPI(t *testing.T) {
	f := newFixture(t)
	admin := f.token("admin")
	round, point := f.massTesting(admin)
	body := strings.Replace(sampleBody(round, point, 0, 1, func(int) string { return "S1" }), `"pool_size":10`, `"pool_size":1`, 1)
	f.do("POST", "/api/v1/samples", admin, body, nil)
	f.post("/api/v1/lab-results", admin, "text/csv", []byte("条码,检测结果\nS1,阳性\n"), nil)
	var ps struct {
		Items []cordon.Positive `json:"items"`
	}
	f.do("GET", "/api/v1/positives", admin, nil, &ps)
	if len(ps.Items) != 1 {
		t.Fatalf("positives: %+v", ps)
	}
	var c cordon.Case
	if resp := f.do("POST", "/api/v1/cases", admin, cordon.CaseInput{PositiveID: ps.Items[0].ID, Classification: cordon.Asymptomatic}, &c); resp.StatusCode != 201 {
		t.Fatalf("open case: %d", resp.StatusCode)
	}
	if len(c.Clocks) != 3 || c.Jurisdiction != "451024" {
		t.Errorf("case: %+v", c)
	}
	var p problem
	if resp := f.do("POST", "/api/v1/cases", admin, cordon.CaseInput{PositiveID: ps.Items[0].ID, Classification: cordon.Asymptomatic}, &p); resp.StatusCode != 409 || p.Code != "case.exists" || p.ID != c.ID {
		t.Errorf("second opening: %d %+v", resp.StatusCode, p)
	}
	var got cordon.Case
	f.do("POST", "/api/v1/cases/"+itoa(c.ID)+"/steps", admin, CaseStepBody{Step: "trajectory"}, &got)
	if got.TrajectoryAt.IsZero() {
		t.Errorf("trajectory step: %+v", got)
	}
	if resp := f.do("POST", "/api/v1/cases/"+itoa(c.ID)+"/steps", admin, CaseStepBody{Step: "lunch"}, &p); resp.StatusCode != 422 || p.Code != "case.step_invalid" {
		t.Errorf("unknown step: %d %+v", resp.StatusCode, p)
	}
	resp := f.do("GET", "/api/v1/cases/"+itoa(c.ID)+"/fhir", admin, nil, nil)
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/fhir+json") ||
		!strings.Contains(string(raw), `"resourceType": "Bundle"`) || !strings.Contains(string(raw), `"code": "94500-6"`) {
		t.Errorf("FHIR export: %d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), raw)
	}
	// A commander, who reads ID numbers masked, exports no identifier.
	resp = f.do("GET", "/api/v1/cases/"+itoa(c.ID)+"/fhir", f.token("baise"), nil, nil)
	raw, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || strings.Contains(string(raw), "urn:oid:2.16.156.10011.1.3") || !strings.Contains(string(raw), `"resourceType": "Patient"`) {
		t.Errorf("commander's FHIR export: %d\n%s", resp.StatusCode, raw)
	}
	// The line list, as CSV for the commander (ID numbers masked).
	resp = f.do("GET", "/api/v1/cases/export?format=csv", f.token("baise"), nil, nil)
	raw, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(string(raw), "病例编号") || !strings.Contains(string(raw), "无症状感染者") || !strings.Contains(string(raw), "*") {
		t.Errorf("line list: %d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), raw)
	}
	if resp := f.do("GET", "/api/v1/cases/export?format=pdf", admin, nil, &p); resp.StatusCode != 422 || p.Code != "linelist.format" {
		t.Errorf("line list as pdf: %d %+v", resp.StatusCode, p)
	}
	var list struct {
		Items []cordon.Case `json:"items"`
	}
	f.do("GET", "/api/v1/cases?classification=asymptomatic", f.token("nanning"), nil, &list)
	if len(list.Items) != 0 {
		t.Errorf("Nanning sees Debao cases: %+v", list.Items)
	}
}

// CaseStepBody is the body of POST /cases/{id}/steps.
type CaseStepBody struct {
	Step string `json:"step"`
}

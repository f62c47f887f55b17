package api_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"cordon"
	"cordon/internal/app"
	"cordon/internal/healthcode"
)

// The code API end to end: a person opens their code with ID number and
// phone, a checkpoint verifies the token once (a replay is answered
// valid=false with its code), the published keys verify it offline, and
// the staff read of the code names its colour and reasons.
func TestHealthCodeAPI(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p, err := f.app.CreatePerson(ctx, app.System, cordon.PersonInput{Name: "韦码", IDNumber: benchCitizenID(9999), Phone: "13907760011", Residence: "451024100001"})
	if err != nil {
		t.Fatal(err)
	}
	var pass struct{ Pass string }
	if resp := f.do("POST", "/api/v1/public/health-code/pass", "", map[string]string{"id_number": p.IDNumber, "phone": "13907760012"}, nil); resp.StatusCode != 404 {
		t.Errorf("a wrong phone: %d", resp.StatusCode)
	}
	if resp := f.do("POST", "/api/v1/public/health-code/pass", "", map[string]string{"id_number": p.IDNumber, "phone": p.Phone}, &pass); resp.StatusCode != 200 || pass.Pass == "" {
		t.Fatalf("pass: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("GET", f.srv.URL+"/api/v1/public/health-code", nil)
	req.Header.Set("X-Cordon-Pass", pass.Pass)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var own app.CodeToken
	err = json.NewDecoder(resp.Body).Decode(&own)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if own.Code.Color != cordon.Green || !strings.HasPrefix(own.Token, "HC1.") {
		t.Fatalf("own code: %+v", own)
	}

	// Offline, with the published keys only.
	var set struct {
		Keys []app.CodeKey `json:"keys"`
	}
	if resp := f.do("GET", "/.well-known/cordon/keys", "", nil, &set); resp.StatusCode != 200 || len(set.Keys) != 1 || set.Keys[0].Alg != "Ed25519" {
		t.Fatalf("keys: %d %+v", resp.StatusCode, set)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(set.Keys[0].PublicKey)
	tok, err := healthcode.Parse(map[byte]ed25519.PublicKey{set.Keys[0].ID: raw}, own.Token, time.Now())
	if err != nil || tok.Color != cordon.Green {
		t.Errorf("offline check with the published key: %+v %v", tok, err)
	}

	officer := f.token("baise")
	var v app.CodeVerification
	if resp := f.do("POST", "/api/v1/health-codes/verify", officer, map[string]string{"token": own.Token}, &v); resp.StatusCode != 200 || !v.Valid || v.Color != cordon.Green || v.PersonID != p.ID {
		t.Fatalf("verify: %d %+v", resp.StatusCode, v)
	}
	v = app.CodeVerification{}
	if resp := f.do("POST", "/api/v1/health-codes/verify", officer, map[string]string{"token": own.Token}, &v); resp.StatusCode != 200 || v.Valid || v.Error != "healthcode.replayed" {
		t.Errorf("replay: %d %+v", resp.StatusCode, v)
	}
	if resp := f.do("POST", "/api/v1/health-codes/verify", "", map[string]string{"token": own.Token}, nil); resp.StatusCode != 401 {
		t.Errorf("verify without a token: %d", resp.StatusCode)
	}

	var code cordon.HealthCodeStatus
	if resp := f.do("GET", "/api/v1/persons/"+strconv.FormatInt(p.ID, 10)+"/health-code", f.token("debao"), nil, &code); resp.StatusCode != 200 || code.Color != cordon.Green || code.Reasons == nil {
		t.Errorf("code: %d %+v", resp.StatusCode, code)
	}
	if resp := f.do("GET", "/api/v1/persons/"+strconv.FormatInt(p.ID, 10)+"/health-code", f.token("nanningepi"), nil, nil); resp.StatusCode != 404 {
		t.Errorf("outside the reader's subtree: %d", resp.StatusCode)
	}
	var prob struct{ Code string }
	admin := f.token("admin")
	if resp := f.do("POST", "/api/v1/persons/"+strconv.FormatInt(p.ID, 10)+"/health-code", admin, map[string]any{"color": "red", "until": time.Now().Add(time.Hour)}, &prob); resp.StatusCode != 422 || prob.Code != "healthcode.reason_required" {
		t.Errorf("a colour by hand without a reason: %d %+v", resp.StatusCode, prob)
	}
	var m cordon.AreaMeasure
	if resp := f.do("POST", "/api/v1/measures", f.token("baise"), map[string]any{"jurisdiction": "451024", "reason": "B6", "note": "全县赋黄码", "rounds": 3}, &m); resp.StatusCode != 201 || m.ID == 0 {
		t.Fatalf("measure: %d %+v", resp.StatusCode, m)
	}
	var counts map[string]int
	if resp := f.do("GET", "/api/v1/health-codes/counts?jurisdiction=451024", f.token("baise"), nil, &counts); resp.StatusCode != 200 || counts["yellow"] != 1 || counts["green"] != 0 {
		t.Errorf("counts: %d %v", resp.StatusCode, counts)
	}
	code = cordon.HealthCodeStatus{}
	if resp := f.do("GET", "/api/v1/persons/"+strconv.FormatInt(p.ID, 10)+"/health-code", f.token("debao"), nil, &code); resp.StatusCode != 200 || code.Color != cordon.Yellow || len(code.Reasons) != 1 || code.Reasons[0] != cordon.ReasonYellowOther {
		t.Errorf("code under the measure: %d %+v", resp.StatusCode, code)
	}
}

// BenchmarkHealthCodeHTTP looks codes up over HTTP from many clients, as
// the code API serves them (bearer token, audit, JSON).
func BenchmarkHealthCodeHTTP(b *testing.B) {
	f := newFixture(b)
	ctx := context.Background()
	var ids []int64
	for i := range 300 {
		p, err := f.app.CreatePerson(ctx, app.System, cordon.PersonInput{Name: "测试", IDNumber: benchCitizenID(i), Residence: "451024100001"})
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	tok := f.token("debao")
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var n atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := ids[int(n.Add(1))%len(ids)]
			req, _ := http.NewRequest("GET", f.srv.URL+"/api/v1/persons/"+strconv.FormatInt(id, 10)+"/health-code", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
}

func benchCitizenID(n int) string {
	first := "451024" + time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n).Format("20060102") + "001"
	return first + string(cordon.CitizenIDCheck(first))
}

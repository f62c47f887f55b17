package api_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"cordon"
	"cordon/internal/app"
)

// scanBody is a JSON batch of n scan-ins at a venue by consecutive persons.
func scanBody(key string, venue, firstPerson int64, n int, at time.Time) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"key":%q,"scan_ins":[`, key)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"venue_id":%d,"person_id":%d,"at":"%s"}`, venue, firstPerson+int64(i%1000), at.Add(time.Duration(i)*time.Second).Format(time.RFC3339))
	}
	b.WriteString("]}")
	return b.Bytes()
}

func TestScanInsAPI(t *testing.T) {
	f := newFixture(t)
	admin := f.token("admin")
	var v cordon.Venue
	if resp := f.do("POST", "/api/v1/venues", admin, cordon.VenueInput{Name: "维也纳国际酒店(德保腾飞广场店)", Category: cordon.VenueHotel, Jurisdiction: "451024"}, &v); resp.StatusCode != 201 || !strings.HasPrefix(v.Code, "CV1.") {
		t.Fatalf("venue: %d %+v", resp.StatusCode, v)
	}
	p, err := f.app.CreatePerson(context.Background(), app.System, cordon.PersonInput{Name: "黄某", IDNumber: citizenID("45102419900101001"), Phone: "13907761234", Residence: "451024"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Add(-time.Hour)
	var sum app.ScanInSummary
	body := fmt.Sprintf(`{"key":"d1","scan_ins":[{"venue_code":%q,"person_id":%d,"at":%q},{"venue_code":"CV1.forged","person_id":%d,"at":%q},{"venue_id":%d,"person_id":%d,"at":%q}]}`,
		v.Code, p.ID, now.Format(time.RFC3339), p.ID, now.Format(time.RFC3339), v.ID, p.ID, now.Add(48*time.Hour).Format(time.RFC3339))
	if resp := f.do("POST", "/api/v1/scan-ins", admin, body, &sum); resp.StatusCode != 200 || sum.Stored != 1 || sum.Rejected != 2 ||
		sum.Results[1].Code != "scanin.venue_code_invalid" || sum.Results[2].Code != "scanin.time_future" {
		t.Fatalf("batch: %d %+v", resp.StatusCode, sum)
	}
	if f.do("POST", "/api/v1/scan-ins", admin, body, &sum); sum.Replayed != 1 || sum.Stored != 0 {
		t.Errorf("resend: %+v", sum)
	}
	var pr problem
	if resp := f.do("POST", "/api/v1/scan-ins", admin, scanBody("big", v.ID, p.ID, app.MaxScanInBatch+1, now), &pr); resp.StatusCode != 413 || pr.Code != "scanin.batch_too_large" {
		t.Errorf("too large: %d %+v", resp.StatusCode, pr)
	}
	// Nanning's epidemiologist sees neither the venue nor its scan-ins.
	nn := f.token("nanningepi")
	if resp := f.do("GET", fmt.Sprintf("/api/v1/venues/%d", v.ID), nn, nil, &pr); resp.StatusCode != 404 {
		t.Errorf("venue outside the subtree: %d", resp.StatusCode)
	}
	// The public page's endpoint: ID number and phone must match.
	var done app.PublicScanIn
	if resp := f.do("POST", "/api/v1/public/scan-in", "", app.PublicScanInput{Code: v.Code, IDNumber: p.IDNumber, Phone: "13907761234"}, &done); resp.StatusCode != 201 || done.Venue != v.Name || done.Name != "黄*" {
		t.Errorf("public scan-in: %d %+v", resp.StatusCode, done)
	}
	if resp := f.do("POST", "/api/v1/public/scan-in", "", app.PublicScanInput{Code: v.Code, IDNumber: p.IDNumber, Phone: "13907760000"}, &pr); resp.StatusCode != 404 || pr.Code != "scanin.identity_unknown" {
		t.Errorf("wrong phone: %d %+v", resp.StatusCode, pr)
	}
	var key struct {
		Algorithm string `json:"algorithm"`
		PublicKey []byte `json:"public_key"`
	}
	if f.do("GET", "/api/v1/public/venue-code-key", "", nil, &key); key.Algorithm != "Ed25519" || len(key.PublicKey) != 32 {
		t.Errorf("public key: %+v", key)
	}
	// The itinerary and an explicit companion search.
	var scans []cordon.ScanIn
	path := fmt.Sprintf("/api/v1/persons/%d/scan-ins?from=%s&to=%s", p.ID, now.Add(-time.Hour).Format(time.RFC3339), time.Now().Add(time.Minute).Format(time.RFC3339))
	if resp := f.do("GET", path, admin, nil, &scans); resp.StatusCode != 200 || len(scans) != 2 {
		t.Errorf("itinerary: %d %+v", resp.StatusCode, scans)
	}
	var found app.CompanionSearch
	q := app.CompanionQuery{Visits: []cordon.Visit{{VenueID: v.ID, From: now.Add(-30 * time.Minute)}}}
	if resp := f.do("POST", "/api/v1/companions/search", admin, q, &found); resp.StatusCode != 200 || len(found.Companions) != 1 || found.Companions[0].PersonID != p.ID {
		t.Errorf("companions: %d %+v", resp.StatusCode, found)
	}
	if resp := f.do("POST", "/api/v1/companions/search", admin, app.CompanionQuery{}, &pr); resp.StatusCode != 422 || pr.Code != "companion.itinerary_required" {
		t.Errorf("empty search: %d %+v", resp.StatusCode, pr)
	}
	// Policies: the administrator assigns, anyone reads.
	if resp := f.do("PUT", "/api/v1/policies", admin, cordon.PolicyAssignment{Jurisdiction: "450000", From: "2022-01-18", Edition: "gx-2022-01"}, nil); resp.StatusCode != 204 {
		t.Errorf("set policy: %d", resp.StatusCode)
	}
	if resp := f.do("PUT", "/api/v1/policies", nn, cordon.PolicyAssignment{Jurisdiction: "450100", From: "2022-01-18", Edition: "cn-9"}, &pr); resp.StatusCode != 403 {
		t.Errorf("an epidemiologist set a policy: %d", resp.StatusCode)
	}
	var pv app.PolicyView
	if resp := f.do("GET", "/api/v1/policies?jurisdiction=451024&at=2022-02-06", nn, nil, &pv); resp.StatusCode != 404 {
		t.Errorf("policy outside the subtree: %d", resp.StatusCode)
	}
	if f.do("GET", "/api/v1/policies?at=2022-02-06", f.token("debao"), nil, &pv); pv.InForce.Key != "gx-2022-01" || pv.InForce.Contacts.WindowDays != 4 {
		t.Errorf("policy in force: %+v", pv.InForce)
	}
}

// BenchmarkScanInsAPI sends batches of 5,000 scan-ins through the HTTP
// stack from one client: JSON, checks, the synced group commit into the
// staging log and its moves.
func BenchmarkScanInsAPI(b *testing.B) {
	f := newFixture(b)
	admin := f.token("admin")
	var v cordon.Venue
	f.do("POST", "/api/v1/venues", admin, cordon.VenueInput{Name: "基准场所", Category: cordon.VenueMall, Jurisdiction: "451024"}, &v)
	var first int64
	for i := range 1000 {
		p, err := f.app.CreatePerson(context.Background(), app.System, cordon.PersonInput{Name: "测试", IDNumber: citizenID(fmt.Sprintf("451024199001%02d%03d", 1+i/1000, i%1000)), Residence: "451024"})
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			first = p.ID
		}
	}
	start := time.Now().Add(-400 * time.Hour)
	n := 0
	for b.Loop() {
		var sum app.ScanInSummary
		f.do("POST", "/api/v1/scan-ins", admin, scanBody("", v.ID, first, app.MaxScanInBatch, start.Add(time.Duration(n)*time.Second)), &sum)
		if sum.Stored != app.MaxScanInBatch {
			b.Fatalf("%d stored: %+v", sum.Stored, sum.Results[len(sum.Results)-1])
		}
		n += app.MaxScanInBatch
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "scan-ins/s")
}

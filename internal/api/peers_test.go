package api_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"cordon"
	"cordon/internal/app"
)

// The peer endpoints: an administrator registers Guangdong and queues a
// test message to it; the signed endpoint takes a message signed with
// Guangdong's key once, answers the same bytes again as a replay, and
// refuses unsigned and wrongly signed ones as problem+json.
func TestPeersAPI(t *testing.T) {
	f := newFixture(t)
	admin, epi := f.token("admin"), f.token("debao")
	var inst cordon.Instance
	if resp := f.do("GET", "/api/v1/peer/instance", "", nil, &inst); resp.StatusCode != 200 || inst != f.app.Instance() {
		t.Fatalf("instance: %d %+v", resp.StatusCode, inst)
	}
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	in := cordon.PeerInput{Name: "广东省", BaseURL: "https://gd.invalid", PublicKey: base64.StdEncoding.EncodeToString(pub), Divisions: []string{"44"}}
	var p problem
	if resp := f.do("POST", "/api/v1/peers", epi, in, &p); resp.StatusCode != 403 || p.Code != "auth.forbidden" {
		t.Errorf("an epidemiologist registered a peer: %d %+v", resp.StatusCode, p)
	}
	var peer cordon.Peer
	resp := f.do("POST", "/api/v1/peers", admin, in, &peer)
	if resp.StatusCode != 201 || resp.Header.Get("Location") != "/api/v1/peers/"+itoa(peer.ID) || peer.KeyID != cordon.PeerKeyID(pub) {
		t.Fatalf("create: %d %+v", resp.StatusCode, peer)
	}
	var ping cordon.PeerReceipt
	if resp := f.do("POST", "/api/v1/peers/"+itoa(peer.ID)+"/ping", admin, nil, &ping); resp.StatusCode != 202 || ping.ID == "" {
		t.Fatalf("ping: %d %+v", resp.StatusCode, ping)
	}
	var list []app.PeerView
	if resp := f.do("GET", "/api/v1/peers", admin, nil, &list); resp.StatusCode != 200 || len(list) != 1 || list[0].Outbox.Pending != 1 {
		t.Errorf("list: %d %+v", resp.StatusCode, list)
	}
	var ms []cordon.PeerMessage
	if resp := f.do("GET", "/api/v1/peers/"+itoa(peer.ID)+"/messages?status=pending", admin, nil, &ms); resp.StatusCode != 200 || len(ms) != 1 || ms[0].ID != ping.ID {
		t.Errorf("outbox: %d %+v", resp.StatusCode, ms)
	}
	if resp := f.do("GET", "/api/v1/peers/"+itoa(peer.ID)+"/messages?status=lost", admin, nil, &p); resp.StatusCode != 422 || p.Code != "peer.status_invalid" {
		t.Errorf("bad status: %d %+v", resp.StatusCode, p)
	}
	in.Version = peer.Version
	in.Divisions = []string{"44", "4401"}
	if resp := f.do("PUT", "/api/v1/peers/"+itoa(peer.ID), admin, in, &peer); resp.StatusCode != 200 || peer.Version != 2 || len(peer.Divisions) != 2 {
		t.Errorf("update: %d %+v", resp.StatusCode, peer)
	}

	post := func(header map[string]string, body []byte, out any) int {
		t.Helper()
		req, _ := http.NewRequest("POST", f.srv.URL+"/api/v1/peer/messages", bytes.NewReader(body))
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		_ = json.Unmarshal(raw, out)
		return resp.StatusCode
	}
	body := []byte(`{"id":"6f1c","from":"广东省","to":"` + inst.Name + `","kind":"peer.ping","sent_at":"2022-02-08T01:00:00Z","body":{}}`)
	signed := map[string]string{cordon.PeerKeyHeader: peer.KeyID, cordon.PeerSignatureHeader: base64.StdEncoding.EncodeToString(ed25519.Sign(priv, body))}
	for i, replayed := range []bool{false, true} {
		var rc cordon.PeerReceipt
		if status := post(signed, body, &rc); status != 200 || rc.ID != "6f1c" || rc.Replayed != replayed {
			t.Errorf("delivery %d: %d %+v", i, status, rc)
		}
	}
	for name, c := range map[string]struct {
		header map[string]string
		body   []byte
		status int
		code   string
	}{
		"unsigned":       {nil, body, 401, "peer.unsigned"},
		"wrongly signed": {signed, bytes.Replace(body, []byte("6f1c"), []byte("6f1d"), 1), 401, "peer.signature_invalid"},
	} {
		var p problem
		if status := post(c.header, c.body, &p); status != c.status || p.Code != c.code {
			t.Errorf("%s: %d %+v", name, status, p)
		}
	}
}

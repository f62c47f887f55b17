package cordon_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"slices"
	"testing"
	"time"

	"cordon"
)

func TestPeerKeys(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	for _, text := range []string{base64.StdEncoding.EncodeToString(pub), base64.RawURLEncoding.EncodeToString(pub), " " + base64.RawStdEncoding.EncodeToString(pub) + "\n"} {
		got, err := cordon.ParsePeerKey(text)
		if err != nil || !got.Equal(pub) {
			t.Errorf("ParsePeerKey(%q) = %v, %v", text, got, err)
		}
	}
	for _, text := range []string{"", "abc", base64.StdEncoding.EncodeToString(pub[:31]), base64.StdEncoding.EncodeToString(priv)} {
		if _, err := cordon.ParsePeerKey(text); cordon.ErrorCode(err) != "peer.key_invalid" {
			t.Errorf("ParsePeerKey(%q) took it: %v", text, err)
		}
	}
	other, _, _ := ed25519.GenerateKey(rand.Reader)
	if id := cordon.PeerKeyID(pub); len(id) != 16 || id == cordon.PeerKeyID(other) {
		t.Errorf("key ids %s %s", id, cordon.PeerKeyID(other))
	}
	body := []byte(`{"id":"1","kind":"assist.request"}`)
	sig := ed25519.Sign(priv, body)
	if !ed25519.Verify(pub, body, sig) || ed25519.Verify(pub, append(body[:len(body):len(body)], ' '), sig) || ed25519.Verify(other, body, sig) {
		t.Error("a signature checks out against another body or key")
	}
}

func TestPeerServing(t *testing.T) {
	peers := []cordon.Peer{
		{ID: 1, Name: "广东省", Divisions: []string{"44"}, Active: true},
		{ID: 2, Name: "广州市", Divisions: []string{"4401"}, Active: true},
		{ID: 3, Name: "海南省", Divisions: []string{"46"}, Active: false},
	}
	for code, want := range map[string]int64{"440106": 2, "440300": 1, "460100": 0, "451024": 0} {
		p, ok := cordon.PeerServing(peers, code)
		if ok != (want != 0) || p.ID != want {
			t.Errorf("PeerServing(%s) = %d %v, want %d", code, p.ID, ok, want)
		}
	}
}

func TestPeerInputValidate(t *testing.T) {
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	in := cordon.PeerInput{Name: " 广东省 ", BaseURL: "https://gd.example/cordon/", PublicKey: base64.StdEncoding.EncodeToString(pub), Divisions: []string{"44，4401", "46"}}
	if err := in.Validate(); err != nil {
		t.Fatal(err)
	}
	if in.Name != "广东省" || in.BaseURL != "https://gd.example/cordon" || !slices.Equal(in.Divisions, []string{"44", "4401", "46"}) {
		t.Fatalf("normalised %+v", in)
	}
	for field, bad := range map[string]cordon.PeerInput{
		"name":       {Name: "<b>", BaseURL: in.BaseURL, PublicKey: in.PublicKey, Divisions: in.Divisions},
		"base_url":   {Name: "x", BaseURL: "gd.example", PublicKey: in.PublicKey, Divisions: in.Divisions},
		"plain http": {Name: "x", BaseURL: "http://gd.example", PublicKey: in.PublicKey, Divisions: in.Divisions},
		"public_key": {Name: "x", BaseURL: in.BaseURL, PublicKey: "AAAA", Divisions: in.Divisions},
		"divisions":  {Name: "x", BaseURL: in.BaseURL, PublicKey: in.PublicKey, Divisions: []string{"4"}},
	} {
		var e *cordon.Error
		want := field
		if field == "plain http" {
			want = "base_url"
		}
		if err := bad.Validate(); err == nil || !errors.As(err, &e) || e.Fields[want] == "" {
			t.Errorf("%s: %v", field, err)
		}
	}
	none := in
	none.Divisions = nil
	if err := none.Validate(); cordon.ErrorCode(err) != "peer.division_invalid" {
		t.Errorf("no divisions: %v", err)
	}
	local := in
	local.BaseURL = "http://127.0.0.1:8081"
	if err := local.Validate(); err != nil {
		t.Errorf("plain http to this machine: %v", err)
	}
}

func TestPeerBackoff(t *testing.T) {
	want := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute}
	for i, w := range want {
		if got := cordon.PeerBackoff(i + 1); got != w {
			t.Errorf("PeerBackoff(%d) = %v, want %v", i+1, got, w)
		}
	}
	if got := cordon.PeerBackoff(100); got != time.Hour {
		t.Errorf("PeerBackoff(100) = %v, want the cap", got)
	}
}

package app_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cordon"
	"cordon/internal/api"
	"cordon/internal/app"
	"cordon/internal/apptest"
)

// peerSide is one of two cordon instances in a test: its own database,
// signing key and server answering the peer endpoint.
type peerSide struct {
	*fixture
	name string
	srv  *httptest.Server
	// other is the other instance as registered here: the peer to send to.
	other cordon.Peer
	// down makes the server answer 503 without handling anything.
	down atomic.Bool
	mu   sync.Mutex
	sent []postedMessage
}

// postedMessage is a request this side's outbox made, kept for replays.
type postedMessage struct {
	url    string
	header map[string]string
	body   []byte
}

// peerPair is two instances registered as each other's peer: Guangxi
// (prefix 45) and Guangdong (prefix 44).
type peerPair struct {
	gx, gd *peerSide
}

// newPeerPair builds Guangxi and Guangdong, each over a fresh database
// (SQLite, or PostgreSQL with withPostgres) with its own key and its own
// httptest server, and registers each as the other's peer. Messages go
// out when a side's app.DeliverPeerMessages is called; a side's fixture
// clock decides when a retry is due.
func newPeerPair(t *testing.T, opts ...fixtureOption) *peerPair {
	t.Helper()
	gx := newPeerSide(t, "广西壮族自治区", opts...)
	gd := newPeerSide(t, "广东省", opts...)
	gx.other = gx.register(gd, "44")
	gd.other = gd.register(gx, "45")
	return &peerPair{gx: gx, gd: gd}
}

func newPeerSide(t *testing.T, name string, opts ...fixtureOption) *peerSide {
	t.Helper()
	s := &peerSide{fixture: newFixture(t, opts...), name: name}
	s.app.SetInstanceName(name)
	h := api.New(s.app, slog.New(slog.DiscardHandler))
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(s.srv.Close)
	post := api.PeerPoster(s.srv.Client())
	s.app.SetPeerPoster(func(ctx context.Context, url string, header map[string]string, body []byte) (int, []byte, error) {
		s.mu.Lock()
		s.sent = append(s.sent, postedMessage{url: url, header: header, body: body})
		s.mu.Unlock()
		return post(ctx, url, header, body)
	})
	return s
}

// register records the other side as a peer here, serving the prefix.
func (s *peerSide) register(other *peerSide, prefix string) cordon.Peer {
	s.tb.Helper()
	p, err := s.app.CreatePeer(s.ctx, app.System, cordon.PeerInput{Name: other.name, BaseURL: other.srv.URL,
		PublicKey: other.app.Instance().PublicKey, Divisions: []string{prefix}})
	if err != nil {
		s.tb.Fatalf("CreatePeer: %v", err)
	}
	return p
}

// deliver runs this side's delivery now and returns how many messages
// were acknowledged.
func (s *peerSide) deliver() int {
	s.tb.Helper()
	n, err := s.app.DeliverPeerMessages(s.ctx)
	if err != nil {
		s.tb.Fatalf("DeliverPeerMessages: %v", err)
	}
	return n
}

// send queues a test note to the other side.
func (s *peerSide) send(note app.TestNote) string {
	s.tb.Helper()
	id, err := s.app.SendToPeer(s.ctx, s.other.ID, app.TestNoteKind, note)
	if err != nil {
		s.tb.Fatalf("SendToPeer: %v", err)
	}
	return id
}

// notes are the texts of the test notes this side has taken, oldest first.
func (s *peerSide) notes() []string {
	var out []string
	for _, e := range s.audit(cordon.AuditFilter{Action: "test.note"}) {
		out = append(out, e.Detail)
	}
	slices.Reverse(out)
	return out
}

// outbox is this side's outbox to the other, newest first.
func (s *peerSide) outbox() []cordon.PeerMessage {
	s.tb.Helper()
	ms, err := s.app.PeerMessages(s.ctx, app.System, s.other.ID, "", 0)
	if err != nil {
		s.tb.Fatalf("PeerMessages: %v", err)
	}
	return ms
}

// post sends a message to this side's peer endpoint as given, returning
// the status and the decoded answer.
func (s *peerSide) post(header map[string]string, body []byte) (int, map[string]any) {
	s.tb.Helper()
	req, _ := http.NewRequest("POST", s.srv.URL+"/api/v1/peer/messages", bytes.NewReader(body))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := s.srv.Client().Do(req)
	if err != nil {
		s.tb.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func onBothPeerPairs(t *testing.T, fn func(t *testing.T, p *peerPair)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, newPeerPair(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, newPeerPair(t, withPostgres())) })
}

func TestPeerDeliveryAndReplay(t *testing.T) {
	onBothPeerPairs(t, func(t *testing.T, p *peerPair) {
		id := p.gx.send(app.TestNote{Text: "德保县协查"})
		if got := p.gd.notes(); len(got) != 0 {
			t.Fatalf("delivered before delivery ran: %v", got)
		}
		if n := p.gx.deliver(); n != 1 {
			t.Fatalf("acknowledged %d, want 1", n)
		}
		if got := p.gd.notes(); !slices.Equal(got, []string{"德保县协查"}) {
			t.Fatalf("notes at Guangdong %v", got)
		}
		ob := p.gx.outbox()
		if len(ob) != 1 || ob[0].ID != id || ob[0].Status != cordon.PeerAcknowledged || ob[0].Attempts != 1 || ob[0].DeliveredAt.IsZero() {
			t.Fatalf("outbox %+v", ob)
		}
		if n := p.gx.deliver(); n != 0 {
			t.Fatalf("delivered again: %d", n)
		}
		if rec := p.gd.audit(cordon.AuditFilter{Action: "peer.message_received"}); len(rec) != 1 || rec[0].Username != "peer:广西壮族自治区" {
			t.Fatalf("receipt audit %+v", rec)
		}
		if sent := p.gx.audit(cordon.AuditFilter{Action: "peer.message_queued"}); len(sent) != 1 || !strings.Contains(sent[0].Detail, id) {
			t.Fatalf("sending audit %+v", sent)
		}

		// The same signed bytes again: acknowledged as a replay, not handled twice.
		m := p.gx.sent[0]
		status, ans := p.gd.post(m.header, m.body)
		if status != 200 || ans["replayed"] != true || ans["id"] != id {
			t.Fatalf("replay answered %d %v", status, ans)
		}
		if got := p.gd.notes(); len(got) != 1 {
			t.Fatalf("the replay ran the handler again: %v", got)
		}

		// One byte changed under the same signature; no signature at all.
		forged := bytes.Replace(m.body, []byte("test.note"), []byte("test.notf"), 1)
		if status, ans := p.gd.post(m.header, forged); status != 401 || ans["code"] != "peer.signature_invalid" {
			t.Fatalf("forged message answered %d %v", status, ans)
		}
		if status, ans := p.gd.post(map[string]string{"Content-Type": "application/json"}, m.body); status != 401 || ans["code"] != "peer.unsigned" {
			t.Fatalf("unsigned message answered %d %v", status, ans)
		}
		if got := p.gd.notes(); len(got) != 1 {
			t.Fatalf("a refused message was handled: %v", got)
		}
	})
}

func TestPeerDownThenUp(t *testing.T) {
	onBothPeerPairs(t, func(t *testing.T, p *peerPair) {
		p.gd.down.Store(true)
		p.gx.send(app.TestNote{Text: "一"})
		p.gx.send(app.TestNote{Text: "二"})
		if n := p.gx.deliver(); n != 0 {
			t.Fatalf("acknowledged %d while down", n)
		}
		ob := p.gx.outbox()
		if len(ob) != 2 || ob[1].Status != cordon.PeerPending || ob[1].Attempts != 1 || ob[1].LastError != "HTTP 503" || ob[0].Attempts != 0 {
			t.Fatalf("outbox after a failed attempt %+v", ob)
		}
		// Not due again until the backoff has passed; the second waits for the first.
		p.gd.down.Store(false)
		if n := p.gx.deliver(); n != 0 {
			t.Fatalf("retried before the backoff: %d", n)
		}
		p.gx.clock.Advance(cordon.PeerBackoff(1))
		if n := p.gx.deliver(); n != 2 {
			t.Fatalf("acknowledged %d after the peer came back, want 2", n)
		}
		if got := p.gd.notes(); !slices.Equal(got, []string{"一", "二"}) {
			t.Fatalf("notes %v, want both once, in order", got)
		}
		if n := p.gx.deliver(); n != 0 || len(p.gd.notes()) != 2 {
			t.Fatal("delivered twice")
		}
	})
}

func TestPeerRefusalMarksFailed(t *testing.T) {
	onBothPeerPairs(t, func(t *testing.T, p *peerPair) {
		bad := p.gx.send(app.TestNote{Text: "坏", Invalid: true})
		p.gx.send(app.TestNote{Text: "好"})
		if n := p.gx.deliver(); n != 1 {
			t.Fatalf("acknowledged %d, want the good one", n)
		}
		ob := p.gx.outbox()
		if ob[1].ID != bad || ob[1].Status != cordon.PeerFailed || ob[1].LastError != "HTTP 422 test.note_invalid" || !ob[1].NextAt.IsZero() {
			t.Fatalf("refused message %+v", ob[1])
		}
		if got := p.gd.notes(); !slices.Equal(got, []string{"好"}) {
			t.Fatalf("notes %v", got)
		}
		// A failed message is not retried by itself, only when asked.
		p.gx.clock.Advance(24 * time.Hour)
		p.gx.deliver()
		if ob := p.gx.outbox(); ob[1].Attempts != 1 {
			t.Fatalf("a failed message was retried: %+v", ob[1])
		}
		if err := p.gx.app.RetryPeerMessage(p.gx.ctx, app.System, p.gx.other.ID, bad); err != nil {
			t.Fatal(err)
		}
		p.gx.deliver()
		if ob := p.gx.outbox(); ob[1].Status != cordon.PeerFailed || ob[1].Attempts != 2 {
			t.Fatalf("after retry now %+v", ob[1])
		}
		if got := p.gx.audit(cordon.AuditFilter{Action: "peer.message_failed"}); len(got) != 2 {
			t.Fatalf("failures audited %d times, want 2", len(got))
		}
	})
}

// TestPeerMessagesRefused sends hand-made messages signed by a third
// instance that Guangdong knows.
func TestPeerMessagesRefused(t *testing.T) {
	p := newPeerPair(t)
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	third, err := p.gd.app.CreatePeer(p.gd.ctx, app.System, cordon.PeerInput{Name: "海南省", BaseURL: "https://hainan.invalid",
		PublicKey: base64.StdEncoding.EncodeToString(pub), Divisions: []string{"46"}})
	if err != nil {
		t.Fatal(err)
	}
	signed := func(priv ed25519.PrivateKey, body string) (map[string]string, []byte) {
		return map[string]string{
			cordon.PeerKeyHeader:       cordon.PeerKeyID(priv.Public().(ed25519.PublicKey)),
			cordon.PeerSignatureHeader: base64.StdEncoding.EncodeToString(ed25519.Sign(priv, []byte(body))),
		}, []byte(body)
	}
	envelope := func(from, to, kind string) string {
		return `{"id":"m-` + kind + to + `","from":"` + from + `","to":"` + to + `","kind":"` + kind + `","sent_at":"2022-02-08T01:00:00Z","body":{"text":"琼"}}`
	}
	_, stranger, _ := ed25519.GenerateKey(rand.Reader)
	for _, c := range []struct {
		name   string
		priv   ed25519.PrivateKey
		body   string
		status int
		code   string
	}{
		{"unknown key", stranger, envelope("海南省", "广东省", app.TestNoteKind), 401, "peer.unknown"},
		{"wrong recipient", priv, envelope("海南省", "广西壮族自治区", app.TestNoteKind), 422, "peer.wrong_recipient"},
		{"sender not the key's", priv, envelope("广西壮族自治区", "广东省", app.TestNoteKind), 422, "peer.from_mismatch"},
		{"unknown kind", priv, envelope("海南省", "广东省", "test.unheard"), 422, "peer.kind_unknown"},
		{"not an envelope", priv, `{"id":"x"}`, 422, "peer.malformed"},
		{"not JSON", priv, `hello`, 422, "peer.malformed"},
		{"taken", priv, envelope("海南省", "广东省", app.TestNoteKind), 200, ""},
	} {
		h, b := signed(c.priv, c.body)
		status, ans := p.gd.post(h, b)
		if status != c.status || (c.code != "" && ans["code"] != c.code) {
			t.Errorf("%s: answered %d %v, want %d %s", c.name, status, ans, c.status, c.code)
		}
	}
	big := strings.Repeat("x", cordon.MaxPeerMessage+1)
	if status, ans := p.gd.post(signed(priv, big)); status != 413 || ans["code"] != "peer.too_large" {
		t.Errorf("oversized: %d %v", status, ans)
	}
	off := false
	if _, err := p.gd.app.UpdatePeer(p.gd.ctx, app.System, third.ID, cordon.PeerInput{Name: third.Name, BaseURL: third.BaseURL,
		PublicKey: base64.StdEncoding.EncodeToString(pub), Divisions: third.Divisions, Active: &off, Version: third.Version}); err != nil {
		t.Fatal(err)
	}
	if status, ans := p.gd.post(signed(priv, envelope("海南省", "广东省", app.TestNoteKind))); status != 403 || ans["code"] != "peer.inactive" {
		t.Errorf("inactive peer: %d %v", status, ans)
	}
	if got := p.gd.notes(); !slices.Equal(got, []string{"琼"}) {
		t.Errorf("notes %v, want only the good one", got)
	}
}

func TestPeerRegistration(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		pub, _, _ := ed25519.GenerateKey(rand.Reader)
		in := cordon.PeerInput{Name: "广东省", BaseURL: "https://gd.example/", PublicKey: base64.RawURLEncoding.EncodeToString(pub), Divisions: []string{"44, 4401"}}
		epi := s.account(cordon.RoleEpidemiologist, debao).Actor()
		if _, err := s.app.CreatePeer(s.ctx, epi, in); cordon.ErrorCode(err) != "auth.forbidden" {
			t.Fatalf("an epidemiologist registered a peer: %v", err)
		}
		p, err := s.app.CreatePeer(s.ctx, app.System, in)
		if err != nil {
			t.Fatal(err)
		}
		if p.BaseURL != "https://gd.example" || !slices.Equal(p.Divisions, []string{"44", "4401"}) || !p.Active || p.KeyID != cordon.PeerKeyID(pub) {
			t.Fatalf("peer %+v", p)
		}
		if _, err := s.app.CreatePeer(s.ctx, app.System, in); cordon.ErrorCode(err) != "peer.taken" {
			t.Fatalf("registered twice: %v", err)
		}
		own := in
		own.Name, own.PublicKey = "自己", s.app.Instance().PublicKey
		wantError(t, func() error { _, err := s.app.CreatePeer(s.ctx, app.System, own); return err }(), cordon.KindInvalid, "peer.key_own")
		bad := in
		bad.PublicKey, bad.BaseURL, bad.Divisions = "abc", "ftp://x", []string{"4a"}
		e := wantError(t, func() error { _, err := s.app.CreatePeer(s.ctx, app.System, bad); return err }(), cordon.KindInvalid, "peer.invalid")
		if e.Fields["public_key"] != "peer.key_invalid" || e.Fields["base_url"] != "peer.url_invalid" || e.Fields["divisions"] != "peer.division_invalid" {
			t.Fatalf("fields %v", e.Fields)
		}
		for code, want := range map[string]bool{"440106": true, "450102": false} {
			got, ok, err := s.app.PeerForCode(s.ctx, code)
			if err != nil || ok != want || (ok && got.ID != p.ID) {
				t.Errorf("PeerFor(%s) = %v %v %v", code, got.Name, ok, err)
			}
		}
		upd := in
		upd.Version, upd.Divisions = p.Version, []string{"44"}
		if _, err := s.app.UpdatePeer(s.ctx, app.System, p.ID, upd); err != nil {
			t.Fatal(err)
		}
		if _, err := s.app.UpdatePeer(s.ctx, app.System, p.ID, upd); cordon.ErrorCode(err) != "peer.changed" {
			t.Fatalf("stale version: %v", err)
		}
		off := false
		upd.Version, upd.Active = p.Version+1, &off
		if _, err := s.app.UpdatePeer(s.ctx, app.System, p.ID, upd); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := s.app.PeerForCode(s.ctx, "440106"); ok {
			t.Error("an inactive peer still serves its divisions")
		}
		if _, err := s.app.SendToPeer(s.ctx, p.ID, app.TestNoteKind, app.TestNote{}); cordon.ErrorCode(err) != "peer.inactive" {
			t.Errorf("queued for an inactive peer: %v", err)
		}
		if got := s.audit(cordon.AuditFilter{Action: "peer.update"}); len(got) != 2 {
			t.Errorf("updates audited %d times", len(got))
		}
	})
}

// A message queued before a restart is delivered by the new process: the
// outbox is in the database, not in memory.
func TestPeerOutboxSurvivesRestart(t *testing.T) {
	p := newPeerPair(t)
	p.gd.down.Store(true)
	p.gx.send(app.TestNote{Text: "重启前"})
	p.gx.deliver()
	p.gd.down.Store(false)
	restarted := app.New(p.gx.db, apptest.Directory(t), p.gx.cfg, slog.New(slog.DiscardHandler), app.WithClock(p.gx.clock.Now))
	restarted.SetInstanceName(p.gx.name)
	restarted.SetPeerPoster(api.PeerPoster(p.gd.srv.Client()))
	p.gx.clock.Advance(cordon.PeerBackoff(1))
	if n, err := restarted.DeliverPeerMessages(p.gx.ctx); err != nil || n != 1 {
		t.Fatalf("after the restart: %d %v", n, err)
	}
	if got := p.gd.notes(); !slices.Equal(got, []string{"重启前"}) {
		t.Fatalf("notes %v", got)
	}
}

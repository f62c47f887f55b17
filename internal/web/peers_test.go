package web

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"cordon"
	"cordon/internal/app"
)

// An administrator reads this instance's key, registers Guangdong with
// its key, is told of a bad key, sends a test message and sees it pending
// in the outbox (nothing delivers in this test) with its "retry now", and
// deactivates the peer. Others do not see the page; the instance's key is
// public.
func TestPeerPages(t *testing.T) {
	e := newEnv(t)
	anon := e.browser()
	r := anon.get("/.well-known/cordon/instance")
	var inst cordon.Instance
	if r.status != http.StatusOK || json.Unmarshal([]byte(r.body), &inst) != nil || inst.PublicKey != e.app.Instance().PublicKey || inst.Name == "" {
		t.Fatalf("instance: %d %s", r.status, r.body)
	}

	b := e.signedIn("admin")
	if home := b.get("/"); !strings.Contains(home.body, `href="/peers"`) {
		t.Error("the navigation lacks the peers")
	}
	r = b.get("/peers")
	must(t, r, http.StatusOK, inst.KeyID, "尚未登记对方实例")
	if !strings.Contains(html.UnescapeString(r.body), inst.PublicKey) {
		t.Error("the page lacks this instance's public key")
	}
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	key := base64.StdEncoding.EncodeToString(pub)
	r = b.post("/peers", url.Values{"name": {"广东省"}, "base_url": {"https://gd.example"}, "public_key": {"abc"}, "divisions": {"44"}})
	must(t, r, http.StatusUnprocessableEntity, `id="public_key-error"`, "公钥须为 Base64 编码的 Ed25519 公钥")
	r = b.post("/peers", url.Values{"name": {"广东省"}, "base_url": {"https://gd.example"}, "public_key": {key}, "divisions": {"44, 4401"}})
	must(t, b.follow(r), http.StatusOK, "对方实例已登记", "广东省", "44, 4401", cordon.PeerKeyID(pub))

	ctx := context.Background()
	peers, err := e.app.Peers(ctx, app.System)
	if err != nil || len(peers) != 1 {
		t.Fatalf("peers %v %v", peers, err)
	}
	show := "/peers/" + strconv.FormatInt(peers[0].ID, 10)
	b.get(show)
	must(t, b.follow(b.post(show+"/ping", url.Values{})), http.StatusOK, "测试消息已排队发送")
	ms, err := e.app.PeerMessages(ctx, app.System, peers[0].ID, "", 0)
	if err != nil || len(ms) != 1 || ms[0].Kind != app.PingKind {
		t.Fatalf("outbox %v %v", ms, err)
	}
	id := ms[0].ID
	r = b.get(show)
	must(t, r, http.StatusOK, id, "peer.ping", "待发送", "立即重发", `name="version" value="1"`)
	must(t, b.follow(b.post(show+"/messages/"+id+"/retry", url.Values{})), http.StatusOK, "消息将立即重发")
	must(t, b.get(show+"?status=acknowledged"), http.StatusOK, "没有消息")
	if r := b.post(show+"/messages/nosuch/retry", url.Values{}); r.status != http.StatusNotFound {
		t.Errorf("retry of no message: %d", r.status)
	}

	r = b.post(show, url.Values{"name": {"广东省"}, "base_url": {"ftp://gd"}, "public_key": {key}, "divisions": {"44"}, "version": {"1"}, "active": {"on"}})
	must(t, r, http.StatusUnprocessableEntity, `id="base_url-error"`)
	must(t, b.follow(b.post(show+"/deactivate", url.Values{})), http.StatusOK, "对方实例已停用", "已停用")
	if p, _ := e.app.Peer(ctx, app.System, peers[0].ID); p.Active {
		t.Error("still active")
	}

	other := e.signedIn("debao")
	if r := other.get("/peers"); r.status != http.StatusForbidden || strings.Contains(r.body, inst.KeyID) {
		t.Errorf("an epidemiologist sees the peers: %d", r.status)
	}
}

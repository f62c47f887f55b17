package web

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"cordon"
	"cordon/internal/app"
)

// Peers: the other cordon instances this one exchanges signed messages
// with. /peers shows this instance's name and public key (to give to the
// other administrators), the peers with the counts of their outboxes and a
// form to register one; /peers/{id} changes or deactivates a peer and
// lists its outbox with the last error of each message and a "retry now".
// /.well-known/cordon/instance publishes the name and key as JSON.

// peersPage is the list (Peer nil) or one peer with its outbox.
type peersPage struct {
	page
	Form     form
	Instance cordon.Instance
	Peers    []app.PeerView
	Peer     *cordon.Peer
	Status   string
	Statuses []cordon.PeerMessageStatus
	Messages []cordon.PeerMessage
}

var peerFields = []string{"name", "base_url", "public_key", "divisions", "version", "active"}

func (s *server) instance(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(s.app.Instance())
}

func (s *server) peerListPage(r *http.Request, f form) (peersPage, error) {
	d := peersPage{page: s.newPage(r, "peers.title", "peers"), Form: f, Instance: s.app.Instance()}
	var err error
	d.Peers, err = s.app.Peers(r.Context(), s.visitOf(r).actor)
	return d, err
}

func (s *server) peerList(w http.ResponseWriter, r *http.Request) {
	d, err := s.peerListPage(r, form{})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "peers", d)
}

func peerInput(f form) cordon.PeerInput {
	version, _ := strconv.Atoi(f.Get("version"))
	active := f.Get("active") != ""
	return cordon.PeerInput{Name: f.Get("name"), BaseURL: f.Get("base_url"), PublicKey: f.Get("public_key"),
		Divisions: []string{f.Get("divisions")}, Version: version, Active: &active}
}

func (s *server) peerCreate(w http.ResponseWriter, r *http.Request) {
	f := formFrom(r, peerFields...)
	in := peerInput(f)
	in.Active = nil
	_, err := s.app.CreatePeer(r.Context(), s.visitOf(r).actor, in)
	if err == nil {
		s.done(w, r, "/peers", "peer.created")
		return
	}
	status, alert, ok := formFailure(err, &f)
	d, perr := s.peerListPage(r, f)
	if !ok || perr != nil {
		s.fail(w, r, err)
		return
	}
	d.Alert = alert
	s.render(w, r, status, "peers", d)
}

func (s *server) peerShowPage(r *http.Request, f *form) (peersPage, error) {
	v := s.visitOf(r)
	d := peersPage{page: s.newPage(r, "peers.title", "peers"), Status: r.URL.Query().Get("status"),
		Statuses: []cordon.PeerMessageStatus{cordon.PeerPending, cordon.PeerAcknowledged, cordon.PeerFailed}}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return d, cordon.Errorf(cordon.KindNotFound, "peer.not_found", "no such peer")
	}
	p, err := s.app.Peer(r.Context(), v.actor, id)
	if err != nil {
		return d, err
	}
	d.Peer = &p
	if f == nil {
		f = &form{Values: map[string]string{"name": p.Name, "base_url": p.BaseURL,
			"public_key": base64.StdEncoding.EncodeToString(p.PublicKey), "divisions": strings.Join(p.Divisions, ", "),
			"version": strconv.Itoa(p.Version)}}
		if p.Active {
			f.Values["active"] = "on"
		}
	}
	d.Form = *f
	d.Messages, err = s.app.PeerMessages(r.Context(), v.actor, id, cordon.PeerMessageStatus(d.Status), 100)
	return d, err
}

func (s *server) peerShow(w http.ResponseWriter, r *http.Request) {
	d, err := s.peerShowPage(r, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "peers", d)
}

func (s *server) peerUpdate(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	f := formFrom(r, peerFields...)
	_, err := s.app.UpdatePeer(r.Context(), s.visitOf(r).actor, id, peerInput(f))
	if err == nil {
		s.done(w, r, "/peers/"+strconv.FormatInt(id, 10), "peer.updated")
		return
	}
	status, alert, ok := formFailure(err, &f)
	d, perr := s.peerShowPage(r, &f)
	if !ok || perr != nil {
		s.fail(w, r, err)
		return
	}
	d.Alert = alert
	s.render(w, r, status, "peers", d)
}

// peerDeactivate stops delivery to a peer and refuses its messages, in
// one click.
func (s *server) peerDeactivate(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	p, err := s.app.Peer(r.Context(), v.actor, id)
	if err == nil {
		off := false
		_, err = s.app.UpdatePeer(r.Context(), v.actor, id, cordon.PeerInput{Name: p.Name, BaseURL: p.BaseURL,
			PublicKey: base64.StdEncoding.EncodeToString(p.PublicKey), Divisions: p.Divisions, Active: &off, Version: p.Version})
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.done(w, r, "/peers/"+strconv.FormatInt(id, 10), "peer.deactivated")
}

func (s *server) peerRetry(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err := s.app.RetryPeerMessage(r.Context(), s.visitOf(r).actor, id, r.PathValue("message")); err != nil {
		s.fail(w, r, err)
		return
	}
	s.done(w, r, "/peers/"+strconv.FormatInt(id, 10), "peer.retried")
}

func (s *server) peerPing(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if _, err := s.app.PingPeer(r.Context(), s.visitOf(r).actor, id); err != nil {
		s.fail(w, r, err)
		return
	}
	s.done(w, r, "/peers/"+strconv.FormatInt(id, 10), "peer.pinged")
}

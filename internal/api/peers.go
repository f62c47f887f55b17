package api

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"cordon"
	"cordon/internal/app"
)

// PeerPoster is how the app's outbox reaches other instances: a POST of
// the signed envelope with the signature headers, answering the status and
// at most 64 KiB of the reply. A peer that takes longer than the client's
// timeout counts as down.
func PeerPoster(client *http.Client) app.PeerPoster {
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	return func(ctx context.Context, url string, header map[string]string, body []byte) (int, []byte, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return 0, nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		reply, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		return resp.StatusCode, reply, nil
	}
}

// receivePeerMessage takes a message from another instance. It needs no
// token: the signature over the exact body bytes, checked against the
// registered peer's key, is the authentication.
func (s *Server) receivePeerMessage(w http.ResponseWriter, r *http.Request, _ cordon.Actor) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, cordon.MaxPeerMessage))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		s.writeError(w, r, cordon.Errorf(cordon.KindTooLarge, "peer.too_large", "the message is over %d bytes", cordon.MaxPeerMessage))
		return
	case err != nil:
		s.writeError(w, r, cordon.Errorf(cordon.KindInvalid, "peer.malformed", "the message could not be read"))
		return
	}
	receipt, err := s.app.ReceivePeerMessage(r.Context(), r.Header.Get(cordon.PeerKeyHeader), r.Header.Get(cordon.PeerSignatureHeader), body)
	s.reply(w, r, http.StatusOK, receipt, err)
}

func (s *Server) instance(w http.ResponseWriter, r *http.Request, _ cordon.Actor) {
	writeJSON(w, http.StatusOK, s.app.Instance())
}

func (s *Server) listPeers(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	peers, err := s.app.Peers(r.Context(), actor)
	s.reply(w, r, http.StatusOK, peers, err)
}

func (s *Server) createPeer(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in cordon.PeerInput
	if err := decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.app.CreatePeer(r.Context(), actor, in)
	if err == nil {
		w.Header().Set("Location", "/api/v1/peers/"+itoa(p.ID))
	}
	s.reply(w, r, http.StatusCreated, p, err)
}

func (s *Server) getPeer(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.app.Peer(r.Context(), actor, id)
	s.reply(w, r, http.StatusOK, p, err)
}

func (s *Server) updatePeer(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in cordon.PeerInput
	id, err := pathAndBody(w, r, &in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.app.UpdatePeer(r.Context(), actor, id, in)
	s.reply(w, r, http.StatusOK, p, err)
}

func (s *Server) peerMessages(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	limit, err := queryLimit(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ms, err := s.app.PeerMessages(r.Context(), actor, id, cordon.PeerMessageStatus(r.URL.Query().Get("status")), limit)
	s.reply(w, r, http.StatusOK, ms, err)
}

func (s *Server) retryPeerMessage(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.done(w, r, s.app.RetryPeerMessage(r.Context(), actor, id, r.PathValue("message")))
}

func (s *Server) pingPeer(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	msg, err := s.app.PingPeer(r.Context(), actor, id)
	s.reply(w, r, http.StatusAccepted, cordon.PeerReceipt{ID: msg}, err)
}

package demo

import (
	"context"
	"testing"

	"cordon"
	"cordon/internal/app"
)

// The demo's assist requests: a few dozen letters from Debao to Baise's
// other counties, Nanning and Guangdong; Guangdong's wait in the outbox
// for the peer; the receivers' outcomes recorded, a person forwarded to
// Nanning and controlled there, and one person in Nanning overdue.
func TestAssistRequestsDemo(t *testing.T) {
	ctx := context.Background()
	a, _, _ := loadedOn(t)
	sent, err := a.AssistRequests(ctx, actor(t, a, "debao"), false, 0, 500)
	if err != nil || len(sent) < 20 || len(sent) > 80 {
		t.Fatalf("Debao sent %d letters: %v", len(sent), err)
	}
	var toPeer, closed, baise, nanning int
	for _, r := range sent {
		switch {
		case r.PeerName == "广东省":
			toPeer++
			if !r.ReceivedAt.IsZero() {
				t.Errorf("%s was received by a peer that does not exist", r.Number)
			}
		case cordon.Within(r.Target, Baise):
			baise++
		case cordon.Within(r.Target, Nanning):
			nanning++
		}
		if r.Counts.Done() == r.Counts.Total {
			closed++
		}
	}
	if toPeer == 0 || baise == 0 || nanning == 0 || closed < len(sent)/2 {
		t.Errorf("letters: %d to Guangdong, %d in Baise, %d to Nanning, %d closed of %d", toPeer, baise, nanning, closed, len(sent))
	}
	peers, err := a.Peers(ctx, app.System)
	if err != nil || len(peers) != 1 {
		t.Fatalf("peers: %+v %v", peers, err)
	}
	if ms, err := a.PeerMessages(ctx, app.System, peers[0].ID, cordon.PeerPending, 100); err != nil || len(ms) != toPeer {
		t.Errorf("outbox: %d pending for %d letters, %v", len(ms), toPeer, err)
	}
	nanningCmd := actor(t, a, "nanning")
	if n, err := a.CountOverdueAssist(ctx, nanningCmd); err != nil || n != 1 {
		t.Errorf("Nanning's overdue: %d %v", n, err)
	}
	if n, err := a.CountOverdueAssist(ctx, actor(t, a, "baise")); err != nil || n != 0 {
		t.Errorf("Baise's overdue: %d %v", n, err)
	}
	received, err := a.AssistRequests(ctx, nanningCmd, true, 0, 500)
	if err != nil {
		t.Fatal(err)
	}
	forwarded := 0
	for _, r := range received {
		if r.Source == cordon.AssistForward && r.Counts.Controlled == 1 {
			forwarded++
		}
	}
	if forwarded != 1 {
		t.Errorf("forwarded to Nanning and controlled: %d", forwarded)
	}
}

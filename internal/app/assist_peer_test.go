package app_test

import (
	"testing"

	"cordon"
)

// A request from Guangxi to a Guangdong county goes as a signed message:
// Guangxi keeps it as sent to its peer, Guangdong creates the incoming
// request with its people matched to its records, answers the receipt,
// and each outcome it records flows back and updates Guangxi's view. The
// same signed bytes replayed change nothing.
func TestAssistBetweenInstances(t *testing.T) {
	onBothPeerPairs(t, func(t *testing.T, p *peerPair) {
		sender := p.gx.account(cordon.RoleEpidemiologist, youjiang).Actor()
		receiver := p.gd.account(cordon.RoleEpidemiologist, "440106").Actor()
		in := cordon.AssistInput{Reason: "与确诊病例同乘 G5411 次列车", Source: cordon.AssistBigData, Contact: "右江区疾控 0776-2822222", People: []cordon.AssistPersonInput{
			{Name: "陈某", IDNumber: idNumber("440106", p.gx.next()), Phone: "13800000001", Current: "440106", Note: "同车厢"},
			{Name: "黄某", IDNumber: idNumber(debao, p.gx.next()), Current: chengdong, Note: "同车厢"},
		}}
		out, err := p.gx.app.CreateAssist(p.gx.ctx, sender, in)
		if err != nil || len(out.Requests) != 2 {
			t.Fatalf("fan-out: %+v %v", out, err)
		}
		toGD := out.Requests[0]
		if toGD.Target != "440106" || toGD.PeerID != p.gx.other.ID || toGD.PeerName != "广东省" || !toGD.ReceivedAt.IsZero() {
			t.Fatalf("the letter to Guangdong: %+v", toGD)
		}
		if got, err := p.gx.app.AssistRequests(p.gx.ctx, p.gx.account(cordon.RoleCommander, "440000").Actor(), true, 0, 10); err == nil && len(got) != 0 {
			t.Errorf("a request sent to a peer is not received here: %+v", got)
		}
		if n := p.gx.deliver(); n != 1 {
			t.Fatalf("delivered %d", n)
		}
		inbox, err := p.gd.app.AssistRequests(p.gd.ctx, receiver, true, 0, 10)
		if err != nil || len(inbox) != 1 || inbox[0].Number != toGD.Number || inbox[0].Sender != youjiang || inbox[0].OriginPeerID == 0 {
			t.Fatalf("Guangdong's inbox: %+v %v", inbox, err)
		}
		r, err := p.gd.app.AssistRequest(p.gd.ctx, receiver, inbox[0].ID)
		if err != nil || len(r.People) != 1 || r.People[0].PersonID == 0 || r.People[0].Name != "陈某" || r.People[0].Phone != "13800000001" {
			t.Fatalf("the incoming request: %+v %v", r, err)
		}
		// The receipt comes back.
		if n := p.gd.deliver(); n != 1 {
			t.Fatalf("receipt delivered %d", n)
		}
		sent, err := p.gx.app.AssistProgress(p.gx.ctx, sender, toGD.ID)
		if err != nil || sent.ReceivedAt.IsZero() || !sent.People[0].DueAt.Equal(sent.ReceivedAt.Add(cordon.AssistDue)) {
			t.Errorf("the receipt: %+v %v", sent, err)
		}
		if _, err := p.gd.app.RecordAssistOutcome(p.gd.ctx, receiver, r.ID, 1, cordon.AssistOutcome{Status: cordon.AssistLocated}); err != nil {
			t.Fatal(err)
		}
		if _, err := p.gd.app.RecordAssistOutcome(p.gd.ctx, receiver, r.ID, 1, cordon.AssistOutcome{Status: cordon.AssistControlled, Note: "集中隔离"}); err != nil {
			t.Fatal(err)
		}
		if n := p.gd.deliver(); n != 2 {
			t.Fatalf("outcomes delivered %d", n)
		}
		sent, err = p.gx.app.AssistProgress(p.gx.ctx, sender, toGD.ID)
		if err != nil || sent.Counts.Controlled != 1 || sent.People[0].ControlledAt.IsZero() || sent.People[0].LocatedAt.IsZero() ||
			sent.People[0].UpdatedBy != "peer:广东省/"+receiver.Username {
			t.Errorf("Guangxi's view: %+v %+v %v", sent.Counts, sent.People, err)
		}
		if n := len(p.gx.audit(cordon.AuditFilter{Action: "assist.status"})); n != 3 {
			t.Errorf("status messages taken: %d", n)
		}
		// Replays: the request's signed bytes again, and an outcome again.
		p.gx.mu.Lock()
		first := p.gx.sent[0]
		p.gx.mu.Unlock()
		if status, ans := p.gd.post(first.header, first.body); status != 200 || ans["replayed"] != true {
			t.Errorf("the request replayed: %d %v", status, ans)
		}
		if got, _ := p.gd.app.AssistRequests(p.gd.ctx, receiver, true, 0, 10); len(got) != 1 {
			t.Errorf("a replay made another request: %d", len(got))
		}
		p.gd.mu.Lock()
		located := p.gd.sent[1]
		p.gd.mu.Unlock()
		if status, ans := p.gx.post(located.header, located.body); status != 200 || ans["replayed"] != true {
			t.Errorf("an outcome replayed: %d %v", status, ans)
		}
		if sent, _ = p.gx.app.AssistProgress(p.gx.ctx, sender, toGD.ID); sent.Counts.Controlled != 1 {
			t.Errorf("a replayed older outcome went back: %+v", sent.Counts)
		}
	})
}

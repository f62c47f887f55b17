package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"cordon"
	"cordon/internal/app"
)

// dua'an is 都安乡 of 德保县, where the positive pool of the demo was.
const duan = "451024200"

// testingSetup is a round over 德保县 with a point in 福记村, a lab in 百色,
// a sampler bound to 都安乡 and a lab account bound to 百色.
type testingSetup struct {
	*fixture
	round   cordon.Round
	point   cordon.SamplingPoint
	lab     cordon.Lab
	sampler cordon.Actor
	labber  cordon.Actor
	grid    cordon.Grid
}

func newTestingSetup(t testing.TB, opts ...fixtureOption) *testingSetup {
	t.Helper()
	f := newFixture(t, opts...)
	s := &testingSetup{fixture: f}
	s.grid = f.grid(fuji, "陇意屯网格")
	var err error
	s.round, err = f.app.CreateRound(f.ctx, app.System, cordon.RoundInput{Name: "德保县第一轮", Jurisdiction: debao})
	if err != nil {
		t.Fatalf("CreateRound: %v", err)
	}
	s.point, err = f.app.CreatePoint(f.ctx, app.System, cordon.SamplingPointInput{Name: "福记村委会", Jurisdiction: fuji, AllDay: true, Tables: 2, Staff: 4})
	if err != nil {
		t.Fatalf("CreatePoint: %v", err)
	}
	s.lab, err = f.app.CreateLab(f.ctx, app.System, cordon.LabInput{Name: "百色市疾控中心实验室", Jurisdiction: baise, Capacity: 20000})
	if err != nil {
		t.Fatalf("CreateLab: %v", err)
	}
	s.sampler = f.account(cordon.RoleSampler, duan).Actor()
	s.labber = f.account(cordon.RoleLab, baise).Actor()
	return s
}

// onBothDatabases runs a mass-testing test on SQLite and on PostgreSQL
// (which skips loudly without a test server, and fails under CI).
func onBothDatabases(t *testing.T, fn func(t *testing.T, s *testingSetup)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, newTestingSetup(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, newTestingSetup(t, withPostgres())) })
}

// sample builds a registration of a fresh Debao ID number into a tube.
func (s *testingSetup) sample(tube string, pool int) cordon.SampleInput {
	n := s.next()
	return cordon.SampleInput{Key: fmt.Sprintf("k%d", n), RoundID: s.round.ID, PointID: s.point.ID, Tube: tube, PoolSize: pool,
		IDNumber: idNumber(debao, n), Name: fmt.Sprintf("韦%d", n)}
}

func (s *testingSetup) register(in ...cordon.SampleInput) []cordon.SampleAck {
	s.tb.Helper()
	acks, err := s.app.RegisterSamples(s.ctx, s.sampler, in)
	if err != nil {
		s.tb.Fatalf("RegisterSamples: %v", err)
	}
	return acks
}

func (s *testingSetup) results(rows ...cordon.LabResultInput) cordon.LabUpload {
	s.tb.Helper()
	up, err := s.app.UploadResults(s.ctx, s.labber, "json", rows)
	if err != nil {
		s.tb.Fatalf("UploadResults: %v", err)
	}
	return up
}

func (s *testingSetup) progress() cordon.Progress {
	s.tb.Helper()
	p, err := s.app.RoundProgress(s.ctx, app.System, s.round.ID, debao, 6)
	if err != nil {
		s.tb.Fatalf("RoundProgress: %v", err)
	}
	return p
}

func TestTubeFillsAndCloses(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		var in []cordon.SampleInput
		for range 5 {
			in = append(in, s.sample("T0001", 5))
		}
		extra := s.sample("T0001", 5)
		acks := s.register(append(in, extra)...)
		for i, a := range acks[:5] {
			if a.Status != cordon.SampleStored || a.Slot != i+1 || a.Filled != i+1 {
				t.Errorf("sample %d: %+v, want stored in slot %d", i, a, i+1)
			}
		}
		if !acks[4].Closed {
			t.Errorf("the fifth sample should close the 5-in-1 tube: %+v", acks[4])
		}
		if a := acks[5]; a.Status != cordon.SampleRejected || a.Error == nil || a.Error.Code != "sample.tube_full" {
			t.Errorf("a sixth sample in a 5-in-1 tube: %+v, want rejected sample.tube_full", a)
		}
		// A later batch cannot add to it either.
		a := s.register(s.sample("T0001", 5))[0]
		if a.Status != cordon.SampleRejected || a.Error.Code != "sample.tube_full" {
			t.Errorf("later sample into the full tube: %+v", a)
		}
		tube, err := s.app.Tube(s.ctx, app.System, "T0001")
		if err != nil {
			t.Fatal(err)
		}
		if tube.Status != cordon.TubeClosed || tube.Filled != 5 || len(tube.Samples) != 5 || tube.Due.IsZero() {
			t.Errorf("tube after filling: %+v", tube.Tube)
		}
		if want := tube.ClosedAt.Add(24 * time.Hour); !tube.Due.Equal(want) {
			t.Errorf("a pooled tube is due 24 h after closing: due %v, want %v", tube.Due, want)
		}
		p := s.progress()
		if p.Sampled != 5 || p.Tubes != 1 {
			t.Errorf("progress: %+v, want 5 sampled in 1 tube", p.Tally)
		}
	})
}

func TestResendIsAnsweredOnce(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		in := []cordon.SampleInput{s.sample("T0002", 10), s.sample("T0002", 10)}
		first := s.register(in...)
		again := s.register(in...)
		for i := range in {
			if again[i].Status != cordon.SampleReplayed || again[i].Tube != first[i].Tube || again[i].Slot != first[i].Slot {
				t.Errorf("resend %d: %+v, want the first answer %+v replayed", i, again[i], first[i])
			}
		}
		// The same keys inside one batch: the second copy is the first's replay.
		dup := s.sample("T0003", 10)
		acks := s.register(dup, dup)
		if acks[0].Status != cordon.SampleStored || acks[1].Status != cordon.SampleReplayed || acks[1].Slot != acks[0].Slot {
			t.Errorf("same key twice in a batch: %+v", acks)
		}
		if p := s.progress(); p.Sampled != 3 {
			t.Errorf("sampled = %d, want 3: replays must not count", p.Sampled)
		}
	})
}

func TestPersonTwiceInRoundIsFlaggedNotCounted(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		a := s.sample("T0004", 10)
		b := a
		b.Key, b.Tube = "other", "T0005"
		acks := s.register(a)
		acks = append(acks, s.register(b)...)
		if acks[0].Duplicate || !acks[1].Duplicate || acks[1].Status != cordon.SampleStored {
			t.Errorf("second sample of a person in a round: %+v, want stored and flagged", acks[1])
		}
		p := s.progress()
		if p.Sampled != 1 || p.Duplicates != 1 {
			t.Errorf("progress %+v, want 1 sampled and 1 duplicate", p.Tally)
		}
	})
}

func TestRegistrationRejectsBadItemsAlone(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		good := s.sample("T0006", 10)
		badID := s.sample("T0006", 10)
		badID.IDNumber = badID.IDNumber[:17] + "0"
		if badID.IDNumber == good.IDNumber {
			t.Fatal("test set-up")
		}
		noRound := s.sample("T0007", 10)
		noRound.RoundID = 9999
		wrongSize := s.sample("T0006", 20)
		noKey := s.sample("T0008", 10)
		noKey.Key = ""
		acks := s.register(good, badID, noRound, wrongSize, noKey)
		want := []string{"", "person.id_number_invalid", "round.not_found", "sample.pool_size_mismatch", "sample.key_invalid"}
		for i, w := range want {
			got := ""
			if acks[i].Error != nil {
				got = acks[i].Error.Code
			}
			// A wrong check digit may still be a valid number by chance.
			if i == 1 && got == "" {
				continue
			}
			if got != w {
				t.Errorf("item %d: code %q, want %q (%+v)", i, got, w, acks[i])
			}
		}
		if acks[0].Status != cordon.SampleStored {
			t.Errorf("the good item must be stored beside the bad ones: %+v", acks[0])
		}
	})
}

func TestRegistrationScope(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		// A sampler in 南宁 cannot register at a 都安乡 point.
		other := s.account(cordon.RoleSampler, nanning).Actor()
		acks, err := s.app.RegisterSamples(s.ctx, other, []cordon.SampleInput{s.sample("T0009", 10)})
		if err != nil {
			t.Fatal(err)
		}
		if acks[0].Status != cordon.SampleRejected || acks[0].Error.Code != "round.not_found" && acks[0].Error.Code != "point.not_found" {
			t.Errorf("out-of-scope registration: %+v", acks[0])
		}
		// A lab account may not register samples at all.
		if _, err := s.app.RegisterSamples(s.ctx, s.labber, []cordon.SampleInput{s.sample("T0009", 10)}); cordon.ErrorKind(err) != cordon.KindForbidden {
			t.Errorf("lab registering samples: %v, want forbidden", err)
		}
	})
}

// TestPositivePoolChain follows the chain the platform exists for: a
// pooled tube is positive, its people are held and recalled, single-tube
// retests link back to the pool, a negative retest releases its hold and a
// positive one raises a positive for the epidemiologists.
func TestPositivePoolChain(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		// One member is registered in the grid of 陇意屯, the rest are typed in.
		member := s.person(livingAt(debao, s.grid.Code))
		in := []cordon.SampleInput{{Key: "m", RoundID: s.round.ID, PointID: s.point.ID, Tube: "P0001", PoolSize: 10, PersonID: member.ID}}
		for range 9 {
			in = append(in, s.sample("P0001", 10))
		}
		s.register(in...)
		if _, err := s.app.CloseTube(s.ctx, s.sampler, "P0001"); err != nil {
			t.Fatal(err)
		}
		b, err := s.app.HandOver(s.ctx, s.sampler, cordon.BoxInput{Barcode: "BOX1", PointID: s.point.ID, LabID: s.lab.ID, Courier: "李师傅", Tubes: []string{"P0001"}})
		if err != nil || b.TubeCount != 1 {
			t.Fatalf("HandOver: %+v %v", b, err)
		}
		b, err = s.app.ReceiveBox(s.ctx, s.labber, "BOX1", []string{"P0001", "X9999"})
		if err != nil {
			t.Fatal(err)
		}
		if b.Received != 1 || len(b.Missing) != 0 || len(b.Extra) != 1 || b.Extra[0] != "X9999" {
			t.Errorf("receipt: %+v, want 1 received and X9999 extra", b)
		}

		up := s.results(cordon.LabResultInput{Barcode: "P0001", Outcome: cordon.OutcomePositive, CtORF1ab: 31.2, CtN: 30.1})
		if up.Matched != 1 || up.Effects.PositivePools != 1 || up.Effects.Held != 10 {
			t.Fatalf("positive pool: %+v", up)
		}
		held, err := s.app.PersonHeld(s.ctx, member.ID)
		if err != nil || !held {
			t.Errorf("a member of a positive pool must be held: %v %v", held, err)
		}
		// The grid worker of 陇意屯 sees the registered member on the recall
		// list; the typed-in members are recalled at the point's village.
		gw := s.account(cordon.RoleGridWorker, s.grid.Code).Actor()
		hs, err := s.app.Recalls(s.ctx, gw, "", cordon.HoldFilter{})
		if err != nil || len(hs) != 1 || hs[0].PersonID != member.ID || hs[0].Tube != "P0001" {
			t.Fatalf("grid recall list: %+v %v", hs, err)
		}
		village, err := s.app.Recalls(s.ctx, app.System, fuji, cordon.HoldFilter{})
		if err != nil || len(village) != 10 {
			t.Fatalf("village recall list: %d %v, want 10", len(village), err)
		}
		// A commander reads them masked.
		cmd := s.account(cordon.RoleCommander, debao).Actor()
		hs, _ = s.app.Recalls(s.ctx, cmd, "", cordon.HoldFilter{})
		if len(hs) != 10 || !strings.Contains(hs[0].IDNumber, "*") {
			t.Errorf("commander's recall list must mask ID numbers: %+v", hs[:min(1, len(hs))])
		}

		// Retests: the registered member negative, one typed-in member positive.
		retestA := cordon.SampleInput{Key: "ra", RoundID: s.round.ID, PointID: s.point.ID, Tube: "S0001", PoolSize: 1, Group: cordon.GroupKey, PersonID: member.ID}
		retestB := in[3]
		retestB.Key, retestB.Tube, retestB.PoolSize, retestB.Group = "rb", "S0002", 1, cordon.GroupKey
		s.register(retestA, retestB)
		for _, code := range []string{"S0001", "S0002"} {
			tube, err := s.app.Tube(s.ctx, app.System, code)
			if err != nil || tube.RetestOf == 0 {
				t.Errorf("retest tube %s must link back to the pool: %+v %v", code, tube.Tube, err)
			}
			if want := tube.ClosedAt.Add(6 * time.Hour); !tube.Due.Equal(want) {
				t.Errorf("a single tube is due 6 h after closing: %v, want %v", tube.Due, want)
			}
		}
		up = s.results(
			cordon.LabResultInput{Barcode: "S0001", Outcome: cordon.OutcomeNegative},
			cordon.LabResultInput{Barcode: "S0002", Outcome: cordon.OutcomePositive, CtORF1ab: 24, CtN: 23.5},
		)
		if up.Effects.Released != 1 || up.Effects.Positives != 1 {
			t.Errorf("retest results: %+v, want 1 released and 1 positive", up.Effects)
		}
		if held, _ := s.app.PersonHeld(s.ctx, member.ID); held {
			t.Error("a negative retest must release the hold")
		}
		epi := s.account(cordon.RoleEpidemiologist, debao).Actor()
		ps, err := s.app.Positives(s.ctx, epi, 0, 50)
		if err != nil || len(ps) != 1 || ps[0].PooledTube != "P0001" || ps[0].Tube != "S0002" || ps[0].CtORF1ab != 24 {
			t.Fatalf("positives: %+v %v", ps, err)
		}
		if ps[0].IDNumber != retestB.IDNumber {
			t.Errorf("an epidemiologist reads the ID number in full: %q", ps[0].IDNumber)
		}
		if _, err := s.app.Positives(s.ctx, gw, 0, 50); cordon.ErrorKind(err) != cordon.KindForbidden {
			t.Errorf("a grid worker reading positives: %v, want forbidden", err)
		}
		p := s.progress()
		if p.PositiveTubes != 2 || p.Positives != 1 || p.TubesResulted != 3 || p.TubesSent != 1 || p.TubesReceived != 1 {
			t.Errorf("progress after results: %+v", p.Tally)
		}
		if len(s.audit(cordon.AuditFilter{Action: "positive.list"})) == 0 || len(s.audit(cordon.AuditFilter{Action: "recall.list"})) == 0 {
			t.Error("reads of positives and recalls must be audited")
		}
	})
}

func TestSinglePositiveAtFirstSampling(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		in := s.sample("S0100", 1)
		in.Group = cordon.GroupQuarantined
		s.register(in)
		up := s.results(cordon.LabResultInput{Barcode: "S0100", Outcome: cordon.OutcomePositive})
		if up.Effects.Positives != 1 || up.Effects.Held != 0 {
			t.Errorf("positive single tube at first sampling: %+v", up.Effects)
		}
		ps, _ := s.app.Positives(s.ctx, app.System, 0, 10)
		if len(ps) != 1 || ps[0].PooledTube != "" {
			t.Errorf("positives: %+v", ps)
		}
	})
}

func TestResultsInboxAndScope(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		s.register(s.sample("R0001", 10))
		// A lab account in 南宁 may not result a 德保 tube not sent to its lab.
		nn := s.account(cordon.RoleLab, nanning).Actor()
		up, err := s.app.UploadResults(s.ctx, nn, "json", []cordon.LabResultInput{{Barcode: "R0001", Outcome: cordon.OutcomeNegative}})
		if err != nil || up.Rejected != 1 || up.Errors[0].Code != "labresult.out_of_scope" {
			t.Fatalf("out of scope result: %+v %v", up, err)
		}
		up = s.results(
			cordon.LabResultInput{Barcode: "R0001", Outcome: cordon.OutcomeNegative},
			cordon.LabResultInput{Barcode: "NOPE", Outcome: cordon.OutcomeNegative, Raw: "NOPE,阴性"},
			cordon.LabResultInput{Barcode: "R0001", Outcome: cordon.OutcomePositive},
			cordon.LabResultInput{Barcode: "", Outcome: cordon.OutcomeNegative, Raw: ",阴性"},
		)
		if up.Received != 4 || up.Matched != 1 || up.Inbox != 3 || up.Rejected != 0 {
			t.Fatalf("counts %+v, want 4 received, 1 matched, 3 inbox", up)
		}
		codes := []string{up.Errors[0].Code, up.Errors[1].Code, up.Errors[2].Code}
		if codes[0] != "labresult.unknown_tube" || codes[1] != "labresult.conflict" || codes[2] != "labfile.missing_barcode" {
			t.Errorf("inbox codes %v", codes)
		}
		items, err := s.app.Inbox(s.ctx, s.labber, 0, 50)
		if err != nil || len(items) != 3 || items[0].Raw != "NOPE,阴性" {
			t.Fatalf("inbox: %+v %v", items, err)
		}
		// A person reads the raw row and applies it to the right tube.
		s.register(s.sample("R0002", 10))
		up, err = s.app.ResolveInbox(s.ctx, s.labber, items[0].ID, app.InboxResolution{Barcode: "R0002", Outcome: cordon.OutcomeNegative})
		if err != nil || up.Matched != 1 {
			t.Fatalf("ResolveInbox: %+v %v", up, err)
		}
		if _, err := s.app.ResolveInbox(s.ctx, s.labber, items[1].ID, app.InboxResolution{Dismiss: true}); cordon.ErrorCode(err) != "inbox.note_required" {
			t.Errorf("dismiss without a note: %v", err)
		}
		if _, err := s.app.ResolveInbox(s.ctx, s.labber, items[1].ID, app.InboxResolution{Dismiss: true, Note: "复核后以首次结果为准"}); err != nil {
			t.Fatal(err)
		}
		items, _ = s.app.Inbox(s.ctx, s.labber, 0, 50)
		if len(items) != 1 {
			t.Errorf("%d inbox items left, want 1", len(items))
		}
		// The same result again changes nothing.
		up = s.results(cordon.LabResultInput{Barcode: "R0001", Outcome: cordon.OutcomeNegative})
		if up.Matched != 1 || up.Inbox != 0 {
			t.Errorf("repeated result: %+v", up)
		}
		if p := s.progress(); p.TubesResulted != 2 {
			t.Errorf("resulted tubes %d, want 2 (a repeat does not count)", p.TubesResulted)
		}
	})
}

func TestInvalidResultRecallsForResampling(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		a, b := s.sample("V0001", 5), s.sample("V0001", 5)
		s.register(a, b)
		up := s.results(cordon.LabResultInput{Barcode: "V0001", Outcome: cordon.OutcomeInvalid})
		if up.Effects.Resample != 2 {
			t.Fatalf("invalid result: %+v", up.Effects)
		}
		hs, _ := s.app.Recalls(s.ctx, app.System, debao, cordon.HoldFilter{Kind: cordon.HoldResample})
		if len(hs) != 2 {
			t.Fatalf("resample recalls %d, want 2", len(hs))
		}
		// Sampled again into a pool that is negative: released.
		a.Key, a.Tube, b.Key, b.Tube = "a2", "V0002", "b2", "V0002"
		s.register(a, b)
		up = s.results(cordon.LabResultInput{Barcode: "V0002", Outcome: cordon.OutcomeNegative})
		if up.Effects.Released != 2 {
			t.Errorf("negative resample: %+v", up.Effects)
		}
	})
}

func TestProgressTreeAndUnsampled(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		// Three registered people of the grid; one is sampled.
		var ps []cordon.Person
		for range 3 {
			ps = append(ps, s.person(livingAt(debao, s.grid.Code)))
		}
		r, err := s.app.CreateRound(s.ctx, app.System, cordon.RoundInput{Name: "第二轮", Jurisdiction: debao, Expected: 1000})
		if err != nil {
			t.Fatal(err)
		}
		s.round = r
		s.register(cordon.SampleInput{Key: "x", RoundID: r.ID, PointID: s.point.ID, Tube: "U0001", PoolSize: 10, PersonID: ps[0].ID})
		p := s.progress()
		if p.Expected != 1000 || p.Sampled != 1 {
			t.Errorf("root: %+v", p.Tally)
		}
		// 德保县 > 都安乡 > 福记村 > 陇意屯网格, each with the one sample.
		node := p
		for _, code := range []string{duan, fuji, s.grid.Code} {
			if len(node.Children) != 1 || node.Children[0].Code != code {
				t.Fatalf("children of %s: %+v, want %s", node.Code, node.Children, code)
			}
			node = node.Children[0]
			if node.Sampled != 1 || node.Expected != 3 {
				t.Errorf("%s: %+v, want 1 of 3", code, node.Tally)
			}
		}
		if node.Name != "陇意屯网格" {
			t.Errorf("grid node name %q", node.Name)
		}
		gw := s.account(cordon.RoleGridWorker, s.grid.Code).Actor()
		left, err := s.app.Unsampled(s.ctx, gw, r.ID, "", 0, 50)
		if err != nil || len(left) != 2 || left[0].ID != ps[1].ID || left[1].ID != ps[2].ID {
			t.Fatalf("unsampled: %+v %v", left, err)
		}
		// A township account sees its own subtree of the county's round only.
		twp := s.account(cordon.RoleCommander, duan).Actor()
		tp, err := s.app.RoundProgress(s.ctx, twp, r.ID, "", 1)
		if err != nil || tp.Code != duan || tp.Sampled != 1 {
			t.Errorf("township progress: %+v %v", tp, err)
		}
		if _, err := s.app.RoundProgress(s.ctx, twp, r.ID, debao, 1); cordon.ErrorKind(err) != cordon.KindForbidden {
			t.Errorf("township reading the county node: %v", err)
		}
		nn := s.account(cordon.RoleCommander, nanning).Actor()
		if _, err := s.app.Round(s.ctx, nn, r.ID); cordon.ErrorKind(err) != cordon.KindNotFound {
			t.Errorf("南宁 reading a 德保 round: %v, want not found", err)
		}
	})
}

func TestLabStatusOverdue(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		s.register(s.sample("L0001", 10))
		if _, err := s.app.HandOver(s.ctx, s.sampler, cordon.BoxInput{Barcode: "B2", PointID: s.point.ID, LabID: s.lab.ID, Tubes: []string{"L0001"}}); err != nil {
			t.Fatal(err)
		}
		st, overdue, err := s.app.LabStatus(s.ctx, s.labber, s.lab.ID)
		if err != nil || st.InTransit != 1 || st.Overdue != 0 || len(overdue) != 0 {
			t.Fatalf("status: %+v %v", st, err)
		}
		s.clock.Advance(25 * time.Hour)
		st, overdue, _ = s.app.LabStatus(s.ctx, s.labber, s.lab.ID)
		if st.Overdue != 1 || len(overdue) != 1 || overdue[0].Barcode != "L0001" {
			t.Errorf("after 25 h: %+v %+v", st, overdue)
		}
		// A box cannot carry a tube twice.
		if _, err := s.app.HandOver(s.ctx, s.sampler, cordon.BoxInput{Barcode: "B3", PointID: s.point.ID, LabID: s.lab.ID, Tubes: []string{"L0001"}}); cordon.ErrorCode(err) != "box.tubes_unavailable" {
			t.Errorf("tube handed over twice: %v", err)
		}
	})
}

func TestCapacityAndPublicPoints(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		c, err := s.app.Capacity(s.ctx, app.System, debao, 360000, 24)
		if err != nil {
			t.Fatal(err)
		}
		if c.Samplers != 1000 || c.Points != 1 || c.PointsShortfall != c.PointsMin-1 || c.Tables != 2 {
			t.Errorf("capacity: %+v", c)
		}
		closed := false
		if _, err := s.app.CreatePoint(s.ctx, app.System, cordon.SamplingPointInput{Name: "城关镇夜间点", Jurisdiction: chengdong, Opens: "08:00", Closes: "20:00", Tables: 1, Staff: 2}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.app.CreatePoint(s.ctx, app.System, cordon.SamplingPointInput{Name: "停用点", Jurisdiction: chengdong, AllDay: true, Tables: 1, Active: &closed}); err != nil {
			t.Fatal(err)
		}
		ps, err := s.app.PublicPoints(s.ctx, debao)
		if err != nil || len(ps) != 2 {
			t.Fatalf("public points: %+v %v", ps, err)
		}
		// 30 samples in the last half hour and 15 waiting: a 15-minute wait.
		var in []cordon.SampleInput
		for i := range 30 {
			in = append(in, s.sample(fmt.Sprintf("W%04d", i/10), 10))
		}
		s.register(in...)
		if err := s.app.ReportQueue(s.ctx, s.sampler, s.point.ID, 15); err != nil {
			t.Fatal(err)
		}
		ps, _ = s.app.PublicPoints(s.ctx, fuji)
		if len(ps) != 1 || ps[0].Throughput != 30 || ps[0].WaitMinutes != 15 || ps[0].Staff != 0 {
			t.Errorf("public point with queue: %+v", ps)
		}
	})
}

func TestCadenceAdvice(t *testing.T) {
	day := 24 * time.Hour
	now := outbreakStart
	r := func(daysAgo, pos int) cordon.RoundOutcome {
		return cordon.RoundOutcome{StartsAt: now.Add(-time.Duration(daysAgo) * day), Positives: pos}
	}
	cases := []struct {
		name     string
		rounds   []cordon.RoundOutcome
		lastCase time.Time
		interval int
		stop     bool
	}{
		{"no rounds yet", nil, time.Time{}, 1, false},
		{"cases in the last three rounds", []cordon.RoundOutcome{r(1, 0), r(2, 3), r(3, 0)}, now.Add(-2 * day), 1, false},
		{"cases 10 days ago, two clean rounds since", []cordon.RoundOutcome{r(2, 0), r(4, 0), r(10, 5), r(11, 2)}, now.Add(-10 * day), 1, false},
		{"a case 10 days ago before the rounds", []cordon.RoundOutcome{r(1, 0), r(3, 0)}, now.Add(-10 * day), 2, false},
		{"three clean rounds: one more in three days", []cordon.RoundOutcome{r(1, 0), r(3, 0), r(5, 0), r(8, 4)}, now.Add(-8 * day), 3, false},
		{"three clean plus one three days later: stop", []cordon.RoundOutcome{r(0, 0), r(3, 0), r(5, 0), r(7, 0)}, now.Add(-20 * day), 0, true},
		{"no case in 14 days, few rounds", []cordon.RoundOutcome{r(1, 0)}, time.Time{}, 5, false},
	}
	for _, c := range cases {
		got := cordon.AdviseCadence(c.rounds, c.lastCase, now)
		if got.IntervalDays != c.interval || got.Stop != c.stop {
			t.Errorf("%s: %+v, want every %d days, stop %v", c.name, got, c.interval, c.stop)
		}
	}
}

// Two devices filling the same tubes at once, and the same results sent
// twice at once (a file and MLLP), on both databases: every registration
// gets a slot of its own and each tube takes one result.
func TestConcurrentRegistrationAndResults(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		const devices, each = 4, 10
		errs := make(chan error, devices)
		for d := range devices {
			go func() {
				var in []cordon.SampleInput
				for i := range each {
					x := s.sample(fmt.Sprintf("C%02d", i%5), 20)
					x.Key = fmt.Sprintf("d%d-%d", d, i)
					in = append(in, x)
				}
				acks, err := s.app.RegisterSamples(s.ctx, s.sampler, in)
				for _, a := range acks {
					if err == nil && a.Status != cordon.SampleStored {
						err = fmt.Errorf("%+v", a)
					}
				}
				errs <- err
			}()
		}
		for range devices {
			if err := <-errs; err != nil {
				t.Fatalf("concurrent registration: %v", err)
			}
		}
		for i := range 5 {
			tube, err := s.app.Tube(s.ctx, app.System, fmt.Sprintf("C%02d", i))
			if err != nil || tube.Filled != devices*each/5 || len(tube.Samples) != tube.Filled {
				t.Fatalf("tube C%02d: %+v %d samples %v", i, tube.Tube, len(tube.Samples), err)
			}
			for j, smp := range tube.Samples {
				if smp.Slot != j+1 {
					t.Errorf("tube C%02d slots %v", i, tube.Samples)
				}
			}
		}
		ups := make(chan cordon.LabUpload, 2)
		for _, o := range []cordon.Outcome{cordon.OutcomePositive, cordon.OutcomeNegative} {
			go func() {
				up, err := s.app.UploadResults(s.ctx, s.labber, "json", []cordon.LabResultInput{{Barcode: "C00", Outcome: o}})
				if err != nil {
					t.Error(err)
				}
				ups <- up
			}()
		}
		a, b := <-ups, <-ups
		if a.Matched+b.Matched != 1 || a.Inbox+b.Inbox != 1 {
			t.Errorf("two different results at once: %+v and %+v, want one applied and one in the inbox", a, b)
		}
		if p := s.progress(); p.TubesResulted != 1 {
			t.Errorf("resulted tubes %d, want 1", p.TubesResulted)
		}
	})
}

func TestRegistrationGuards(t *testing.T) {
	s := newTestingSetup(t)
	other, err := s.app.CreatePoint(s.ctx, app.System, cordon.SamplingPointInput{Name: "城东社区", Jurisdiction: chengdong, AllDay: true, Tables: 1})
	if err != nil {
		t.Fatal(err)
	}
	cd := s.account(cordon.RoleSampler, debao).Actor()
	x := s.sample("G1", 10)
	x.PointID = other.ID
	if _, err := s.app.RegisterSamples(s.ctx, cd, []cordon.SampleInput{x}); err != nil {
		t.Fatal(err)
	}
	// A tube opened at 城东社区 takes no sample at 福记村.
	if a := s.register(s.sample("G1", 10))[0]; a.Status != cordon.SampleRejected || a.Error.Code != "sample.tube_other_point" {
		t.Errorf("sample into another point's tube: %+v", a)
	}
	// A registered person outside the sampler's jurisdiction is not chosen
	// by id (their document still works).
	far := s.person(livingAt(nanning, xingningC))
	y := s.sample("G2", 10)
	y.IDNumber, y.PersonID = "", far.ID
	if a := s.register(y)[0]; a.Status != cordon.SampleRejected || a.Error.Code != "person.not_found" {
		t.Errorf("a Nanning person by id from 都安乡: %+v", a)
	}
}

// Many grid workers open their unsampled lists at once just after a start,
// while registration goes on: nothing waits forever.
func TestUnsampledUnderLoad(t *testing.T) {
	s := newTestingSetup(t)
	for range 3 {
		s.person(livingAt(debao, s.grid.Code))
	}
	gw := s.account(cordon.RoleGridWorker, s.grid.Code).Actor()
	ctx, cancel := context.WithTimeout(s.ctx, 30*time.Second)
	defer cancel()
	errs := make(chan error, 33)
	for range 32 {
		go func() {
			_, err := s.app.Unsampled(ctx, gw, s.round.ID, "", 0, 50)
			errs <- err
		}()
	}
	go func() {
		_, err := s.app.RegisterSamples(ctx, s.sampler, []cordon.SampleInput{s.sample("L1", 10)})
		errs <- err
	}()
	for range 33 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

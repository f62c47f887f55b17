package app_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"cordon"
	"cordon/internal/app"
	"cordon/internal/linelist"
)

// Youjiang sends assist requests about a list: bad rows are answered and
// left out, duplicates merged with their notes joined, its own people not
// sent, and the rest addressed to the county where they are now, else
// where they live, one numbered letter per county. Debao receives its
// letter with the people matched to (or registered as) its person
// records, assigns a grid, records outcomes forward only, and forwards a
// person who moved on; the sender sees the counts; a person still open
// 24 h after receipt is overdue for the commanders of the target.
func TestAssistFanOutAndWork(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		sender := s.account(cordon.RoleEpidemiologist, youjiang).Actor()
		worker := s.account(cordon.RoleEpidemiologist, debao).Actor()
		debaoCommander := s.account(cordon.RoleCommander, debao).Actor()
		nanningCommander := s.account(cordon.RoleCommander, nanning).Actor()
		own := s.person(livingAt(youjiang, youjiang))
		inNanning := s.person(livingAt(xingning, xingning))
		dup := idNumber(youjiang, s.next())
		in := cordon.AssistInput{Reason: "与确诊病例同乘 G5411 次列车", Source: cordon.AssistBigData, Contact: "右江区疾控 0776-2822222", People: []cordon.AssistPersonInput{
			{PersonID: own.ID, Note: "同车厢"},
			{Name: "黄某", IDNumber: dup, Phone: "13900000001", Current: chengdong, Note: "同车厢"},
			{Name: "黄某", IDNumber: dup, Current: chengdong, Note: "同住"},
			{Name: "李某", IDNumber: idNumber(xingning, s.next()), Residence: xingning, Note: "同车厢"},
			{Name: "坏号", IDNumber: "45102419900101123", Current: chengdong},
			{Name: "无码", IDNumber: idNumber(debao, s.next()), Current: "451099"},
			{IDNumber: inNanning.IDNumber, Name: inNanning.Name, Current: fuji, Note: "返乡"},
		}}
		if _, err := s.app.CreateAssist(s.ctx, s.sampler, in); cordon.ErrorKind(err) != cordon.KindForbidden {
			t.Errorf("a sampler sends no assist request: %v", err)
		}
		out, err := s.app.CreateAssist(s.ctx, sender, in)
		if err != nil {
			t.Fatal(err)
		}
		wantErrors := []cordon.AssistRowError{{Line: 5, Field: "id_number", Code: "assist.id_number_invalid"}, {Line: 6, Field: "current", Code: "assist.division_unknown"}}
		if len(out.Errors) != 2 || out.Errors[0] != wantErrors[0] || out.Errors[1] != wantErrors[1] {
			t.Errorf("row errors: %+v", out.Errors)
		}
		if out.Merged != 1 || len(out.Own) != 1 || out.Own[0].Line != 1 || out.Own[0].County != youjiang {
			t.Errorf("merged %d, own %+v", out.Merged, out.Own)
		}
		if len(out.Requests) != 2 {
			t.Fatalf("requests: %+v", out.Requests)
		}
		toDebao, toXingning := out.Requests[1], out.Requests[0]
		if toXingning.Target != xingning || toDebao.Target != debao || toXingning.Number != "右江协查〔2022〕第0001号" || toDebao.Number != "右江协查〔2022〕第0002号" {
			t.Errorf("letters: %+v %+v", toXingning, toDebao)
		}
		if toDebao.Counts.Total != 2 || toXingning.Counts.Total != 1 {
			t.Errorf("counts: %+v %+v", toDebao.Counts, toXingning.Counts)
		}

		received, err := s.app.AssistRequests(s.ctx, worker, true, 0, 10)
		if err != nil || len(received) != 1 || received[0].ID != toDebao.ID {
			t.Fatalf("Debao's inbox: %+v %v", received, err)
		}
		if sent, err := s.app.AssistRequests(s.ctx, worker, false, 0, 10); err != nil || len(sent) != 0 {
			t.Errorf("Debao sent nothing: %+v %v", sent, err)
		}
		r, err := s.app.AssistRequest(s.ctx, worker, toDebao.ID)
		if err != nil || len(r.People) != 2 {
			t.Fatalf("show: %+v %v", r, err)
		}
		huang, back := r.People[0], r.People[1]
		if huang.Note != "同车厢；同住" || huang.Phone != "13900000001" || huang.PersonID == 0 || huang.Masked {
			t.Errorf("the merged person: %+v", huang)
		}
		if !huang.DueAt.Equal(s.clock.Now().Add(24*time.Hour).Truncate(time.Second)) && huang.DueAt.Sub(s.clock.Now()) != 24*time.Hour {
			t.Errorf("due %v", huang.DueAt)
		}
		if back.PersonID != inNanning.ID {
			t.Errorf("matched to the existing record: %d, want %d", back.PersonID, inNanning.ID)
		}
		if p, err := s.app.Person(s.ctx, worker, inNanning.ID, ""); err != nil || p.Current != fuji {
			t.Errorf("the record moved to Debao, where the receiver works on it: %+v %v", p, err)
		}
		if p, err := s.app.Person(s.ctx, worker, huang.PersonID, ""); err != nil || p.Current != chengdong {
			t.Errorf("a new record registered in Debao: %+v %v", p, err)
		}
		if masked, err := s.app.AssistRequest(s.ctx, debaoCommander, toDebao.ID); err != nil || !masked.People[0].Masked || masked.People[0].IDNumber == dup {
			t.Errorf("a commander reads masked: %+v %v", masked.People, err)
		}
		if n := len(s.audit(cordon.AuditFilter{Action: "assist.read"})); n != 2 {
			t.Errorf("reads audited: %d", n)
		}

		if _, err := s.app.AssignAssistGrid(s.ctx, worker, r.ID, 1, "450102001003001"); cordon.ErrorCode(err) != "assist.grid_invalid" {
			t.Errorf("a grid outside the county: %v", err)
		}
		if p, err := s.app.AssignAssistGrid(s.ctx, worker, r.ID, 1, s.grid.Code); err != nil || p.Grid != s.grid.Code {
			t.Errorf("assign: %+v %v", p, err)
		}
		if _, err := s.app.RecordAssistOutcome(s.ctx, sender, r.ID, 1, cordon.AssistOutcome{Status: cordon.AssistLocated}); cordon.ErrorCode(err) != "assist.not_receiver" {
			t.Errorf("the sender records no outcome: %v", err)
		}
		s.clock.Advance(2 * time.Hour)
		p, err := s.app.RecordAssistOutcome(s.ctx, worker, r.ID, 1, cordon.AssistOutcome{Status: cordon.AssistLocated})
		if err != nil || p.Status != cordon.AssistLocated || p.LocatedAt.IsZero() || p.UpdatedBy != worker.Username {
			t.Fatalf("located: %+v %v", p, err)
		}
		if _, err := s.app.RecordAssistOutcome(s.ctx, worker, r.ID, 1, cordon.AssistOutcome{Status: cordon.AssistLocated}); cordon.ErrorCode(err) != "assist.status_backwards" {
			t.Errorf("again: %v", err)
		}
		if p, err = s.app.RecordAssistOutcome(s.ctx, worker, r.ID, 1, cordon.AssistOutcome{Status: cordon.AssistControlled, Note: "居家隔离"}); err != nil || p.ControlledAt.IsZero() {
			t.Fatalf("controlled: %+v %v", p, err)
		}
		if _, err := s.app.RecordAssistOutcome(s.ctx, worker, r.ID, 1, cordon.AssistOutcome{Status: cordon.AssistNotFound}); cordon.ErrorCode(err) != "assist.person_closed" {
			t.Errorf("after a final outcome: %v", err)
		}

		next, err := s.app.ForwardAssist(s.ctx, worker, r.ID, 2, app.AssistForward{To: "450103", Note: "已返回南宁青秀区"})
		if err != nil || next.Target != "450103" || next.Number != "德保协查〔2022〕第0001号" || next.ParentID != r.ID {
			t.Fatalf("forward: %+v %v", next, err)
		}
		r, _ = s.app.AssistRequest(s.ctx, worker, r.ID)
		if b := r.People[1]; b.Status != cordon.AssistMovedOn || b.ForwardedTo != next.ID || b.ForwardedTarget != "450103" {
			t.Errorf("the forwarded person's row: %+v", b)
		}
		progress, err := s.app.AssistProgress(s.ctx, sender, toDebao.ID)
		if err != nil || progress.Counts.Controlled != 1 || progress.Counts.MovedOn != 1 || progress.Counts.Done() != 2 {
			t.Errorf("the sender's view: %+v %v", progress.Counts, err)
		}

		s.clock.Advance(23 * time.Hour) // 25 h after the letters
		if n, err := s.app.CountOverdueAssist(s.ctx, debaoCommander); err != nil || n != 0 {
			t.Errorf("Debao closed both: %d %v", n, err)
		}
		if n, err := s.app.CountOverdueAssist(s.ctx, nanningCommander); err != nil || n != 1 {
			t.Errorf("Xingning's person is overdue, the forwarded one not yet: %d %v", n, err)
		}
		overdue, err := s.app.OverdueAssist(s.ctx, nanningCommander, 10)
		if err != nil || len(overdue) != 1 || overdue[0].Number != toXingning.Number || !overdue[0].Masked {
			t.Errorf("the escalation list: %+v %v", overdue, err)
		}
		if !app.Escalates(nanningCommander) || app.Escalates(worker) {
			t.Error("escalation goes to commanders")
		}
		s.clock.Advance(2 * time.Hour)
		if n, _ := s.app.CountOverdueAssist(s.ctx, nanningCommander); n != 2 {
			t.Errorf("the forwarded person is due 24 h after its own letter: %d", n)
		}

		var xlsx, pdf bytes.Buffer
		if err := s.app.AssistExport(s.ctx, worker, r.ID, linelist.XLSX, &xlsx); err != nil || xlsx.Len() == 0 {
			t.Errorf("export: %v", err)
		}
		if err := s.app.AssistLetter(s.ctx, worker, r.ID, &pdf); err != nil || !bytes.HasPrefix(pdf.Bytes(), []byte("%PDF")) {
			t.Errorf("letter: %v", err)
		}
		if _, err := s.app.AssistRequest(s.ctx, s.account(cordon.RoleEpidemiologist, "451081").Actor(), r.ID); cordon.ErrorKind(err) != cordon.KindNotFound {
			t.Errorf("a county neither sending nor receiving: %v", err)
		}
	})
}

// A list uploaded as CSV: rows that cannot be read are answered with
// their line, the rest sent.
func TestAssistFromFile(t *testing.T) {
	s := newTestingSetup(t)
	sender := s.account(cordon.RoleEpidemiologist, youjiang).Actor()
	csv := "姓名,证件号码,手机号码,现住辖区代码,户籍辖区代码,协查原因\n" +
		"黄一," + idNumber(debao, s.next()) + ",13900000002,451024100001,,同车厢\n" +
		"黄二,123,,451024100001,,同车厢\n" +
		"黄三," + idNumber(debao, s.next()) + ",,,450102,同住\n"
	out, err := s.app.CreateAssistFromFile(s.ctx, sender, cordon.AssistInput{Reason: "大数据推送", Source: cordon.AssistBigData},
		app.ImportFile{Name: "list.csv", Format: linelist.CSV, Data: []byte(csv)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Requests) != 2 || len(out.Errors) != 1 || out.Errors[0].Line != 3 || out.Errors[0].Code != "assist.id_number_invalid" {
		t.Errorf("fan-out: %+v", out)
	}
}

// A grid worker's letters go out under the name of the village the grid
// lies in; more people to one county than a letter holds go in several.
func TestAssistLetters(t *testing.T) {
	s := newTestingSetup(t)
	worker := s.account(cordon.RoleGridWorker, s.grid.Code).Actor()
	in := cordon.AssistInput{Reason: "排查", People: make([]cordon.AssistPersonInput, cordon.MaxAssistLetter+1)}
	for i := range in.People {
		in.People[i] = cordon.AssistPersonInput{Name: "韦某", IDNumber: idNumber(xingning, s.next()), Current: xingning}
	}
	out, err := s.app.CreateAssist(s.ctx, worker, in)
	if err != nil || len(out.Requests) != 2 || out.Requests[0].Counts.Total != cordon.MaxAssistLetter || out.Requests[1].Counts.Total != 1 {
		t.Fatalf("letters: %d %v", len(out.Requests), err)
	}
	if n := out.Requests[1].Number; !strings.HasPrefix(n, "福记协查") || !strings.HasSuffix(n, "第0002号") {
		t.Errorf("number: %s", n)
	}
	if sent, err := s.app.AssistRequests(s.ctx, worker, false, 0, 10); err != nil || len(sent) != 2 {
		t.Errorf("the worker's sent letters: %d %v", len(sent), err)
	}
}

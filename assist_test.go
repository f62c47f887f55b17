package cordon

import (
	"testing"
	"time"
)

func TestAssistNumberAndCounty(t *testing.T) {
	for name, want := range map[string]string{"百色市": "百色", "广西壮族自治区": "广西", "右江区": "右江", "德保县": "德保", "广东省": "广东", "北京市": "北京", "福记村委会": "福记", "城关镇": "城关"} {
		if got := ShortName(name); got != want {
			t.Errorf("ShortName(%s) = %s, want %s", name, got, want)
		}
	}
	if got := AssistNumber("百色市", 2022, 1); got != "百色协查〔2022〕第0001号" {
		t.Errorf("number: %s", got)
	}
	for _, c := range []struct{ current, residence, want string }{
		{"451024100001", "450102", "451024"}, // where they are now first
		{"", "450102", "450102"},
		{"451000", "450102001003", "450102"}, // a city says too little
		{"", "45", ""},
	} {
		if got := AssistCounty(c.current, c.residence); got != c.want {
			t.Errorf("AssistCounty(%q, %q) = %q, want %q", c.current, c.residence, got, c.want)
		}
	}
}

func TestAssistSteps(t *testing.T) {
	for _, c := range []struct {
		from, to AssistStatus
		code     string
	}{
		{AssistPending, AssistLocated, ""},
		{AssistPending, AssistControlled, ""}, // straight to control
		{AssistTested, AssistNotFound, ""},
		{AssistTested, AssistContacted, "assist.status_backwards"},
		{AssistLocated, AssistLocated, "assist.status_backwards"},
		{AssistControlled, AssistNotFound, "assist.person_closed"},
		{AssistPending, AssistMovedOn, "assist.status_invalid"}, // by forwarding only
		{AssistPending, "lost", "assist.status_invalid"},
	} {
		got := ""
		if err := CheckAssistStep(c.from, c.to); err != nil {
			got = ErrorCode(err)
		}
		if got != c.code {
			t.Errorf("%s -> %s: %q, want %q", c.from, c.to, got, c.code)
		}
	}
	now := time.Date(2022, 2, 5, 0, 0, 0, 0, time.UTC)
	p := AssistPerson{Status: AssistTested, DueAt: now.Add(-time.Minute)}
	if !p.Overdue(now) {
		t.Error("past due and open is overdue")
	}
	p.Status = AssistNotFound
	if p.Overdue(now) {
		t.Error("a final outcome is never overdue")
	}
}

func TestAssistMergeNotes(t *testing.T) {
	if got := MergeAssistNotes(MergeAssistNotes("同车厢", "同住"), "同车厢"); got != "同车厢；同住" {
		t.Errorf("merged: %s", got)
	}
}

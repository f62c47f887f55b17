package api_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"cordon"
	"cordon/internal/api"
	"cordon/internal/app"
)

// The order endpoints: a contact's order listed and read with its
// release status, a release refused with the missing conditions, an early
// release by a commander with a reason, a contradicting manual order
// refused with the rule, the PDF notice, the day's tasks.
func TestOrdersAPI(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.app.SetPolicy(ctx, app.System, cordon.PolicyAssignment{Jurisdiction: "451024", From: "2021-01-01", Edition: "cn-9"}); err != nil {
		t.Fatal(err)
	}
	n := 0
	person := func(name string) cordon.Person {
		n++
		p, err := f.app.CreatePerson(ctx, app.System, cordon.PersonInput{Name: name, IDNumber: citizenID(fmt.Sprintf("4510241980010100%d", n)),
			Phone: fmt.Sprintf("1390776%04d", n), Residence: "451024100001"})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	epi := f.token("debao")
	var index cordon.Case
	if resp := f.do("POST", "/api/v1/cases", epi, cordon.CaseInput{PersonID: person("韦指示").ID, Classification: cordon.Confirmed,
		OnsetDate: time.Now().AddDate(0, 0, -2).Format(time.DateOnly)}, &index); resp.StatusCode != 201 {
		t.Fatalf("open case: %d", resp.StatusCode)
	}
	last := time.Now().Add(-12 * time.Hour).UTC()
	b := person("黄同住")
	var r cordon.ContactResult
	if resp := f.do("POST", "/api/v1/contacts", epi, map[string]any{"person_id": b.ID,
		"exposure": map[string]any{"source_case_id": index.ID, "situation": "household", "last_exposure": last}}, &r); resp.StatusCode != 201 {
		t.Fatalf("add contact: %d", resp.StatusCode)
	}
	var list api.Page[cordon.ControlOrder]
	if resp := f.do("GET", "/api/v1/orders?person="+itoa(b.ID), epi, nil, &list); resp.StatusCode != 200 || len(list.Items) != 1 {
		t.Fatalf("list: %d %+v", resp.StatusCode, list)
	}
	o := list.Items[0]
	if o.ContactID != r.ID || o.Edition != "cn-9" || len(o.Phases) != 2 || o.IDNumber != b.IDNumber {
		t.Errorf("the contact's order: %+v", o)
	}
	var v app.OrderView
	if resp := f.do("GET", "/api/v1/orders/"+itoa(o.ID), epi, nil, &v); resp.StatusCode != 200 || v.Release.Ready || len(v.Release.Tests) != 6 {
		t.Fatalf("get: %d %+v", resp.StatusCode, v.Release)
	}
	problemOf := func(method, path, token string, body any, status int, code string) problem {
		t.Helper()
		var p problem
		resp := f.do(method, path, token, body, &p)
		if resp.StatusCode != status || p.Code != code || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("%s %s: %d %+v, want %d %s", method, path, resp.StatusCode, p, status, code)
		}
		return p
	}
	p := problemOf("POST", "/api/v1/orders/"+itoa(o.ID)+"/release", epi, nil, 409, "order.release_conditions_unmet")
	if !strings.Contains(p.Detail, "no sample") || !strings.Contains(p.Detail, "the order runs until "+o.EndsOn) {
		t.Errorf("the refusal says what is missing: %q", p.Detail)
	}
	problemOf("POST", "/api/v1/orders/"+itoa(o.ID)+"/release", epi, map[string]any{"early": true, "reason": "研判"}, 403, "auth.forbidden")
	cmd := f.token("baise")
	problemOf("POST", "/api/v1/orders/"+itoa(o.ID)+"/release", cmd, map[string]any{"early": true}, 422, "order.reason_required")
	problemOf("GET", "/api/v1/orders/"+itoa(o.ID), f.token("nanningepi"), nil, 404, "order.not_found")
	problemOf("GET", "/api/v1/orders?due=maybe", epi, nil, 422, "order.filter_invalid")

	// Today's tasks, then the PDF notice.
	var tasks cordon.OrderTasks
	if resp := f.do("GET", "/api/v1/order-tasks", epi, nil, &tasks); resp.StatusCode != 200 || tasks.Day != time.Now().In(cordon.ChinaTime).Format(time.DateOnly) {
		t.Errorf("tasks: %d %+v", resp.StatusCode, tasks)
	}
	resp := f.do("GET", "/api/v1/orders/"+itoa(o.ID)+"/document", epi, nil, nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("document: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	} else if body := must(io.ReadAll(resp.Body)); !bytes.HasPrefix(body, []byte("%PDF-")) {
		t.Errorf("document is not a PDF")
	}

	var released app.OrderView
	if resp := f.do("POST", "/api/v1/orders/"+itoa(o.ID)+"/release", cmd, map[string]any{"early": true, "reason": "经专家研判提前解除"}, &released); resp.StatusCode != 200 ||
		released.Status != cordon.OrderReleased || released.ReleaseKind != cordon.ReleaseEarly || !released.Masked {
		t.Errorf("early release: %d %+v", resp.StatusCode, released.ControlOrder)
	}

	// A manual order that shortens the edition's plan is refused naming the rule.
	cn9, _ := cordon.Edition("cn-9")
	plan, _ := cordon.ControlPlan(cn9, cordon.PopulationCloseContact, last)
	plan[0].LastDay = plan[0].TestDays[2]
	plan[0].TestDays = plan[0].TestDays[:3]
	plan[1].FirstDay = nextDay(plan[0].LastDay)
	p = problemOf("POST", "/api/v1/orders", epi, map[string]any{"person_id": person("黄手工").ID, "population": "close_contact", "last_exposure": last, "phases": plan},
		422, "order.contradicts_edition")
	if !strings.HasPrefix(p.Detail, "cn-9: close contacts 7 days centralised + 3 days home monitoring") || p.Fields["phases"] != "order.contradicts_edition" {
		t.Errorf("the refusal names the rule: %+v", p)
	}
	var made app.OrderView
	if resp := f.do("POST", "/api/v1/orders", epi, map[string]any{"person_id": person("黄手工二").ID, "population": "close_contact", "last_exposure": last}, &made); resp.StatusCode != 201 ||
		made.EndsOn != o.EndsOn || resp.Header.Get("Location") != "/api/v1/orders/"+itoa(made.ID) {
		t.Errorf("manual order: %d %+v", resp.StatusCode, made.ControlOrder)
	}
}

func nextDay(day string) string {
	t, _ := time.Parse(time.DateOnly, day)
	return t.AddDate(0, 0, 1).Format(time.DateOnly)
}

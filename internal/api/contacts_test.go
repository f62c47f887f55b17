package api_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"cordon"
	"cordon/internal/app"
)

// The contact endpoints: 201 for a new contact and 200 for the same one
// again, warnings in the answer, and each refusal as problem+json with its
// stable code.
func TestContactsAPI(t *testing.T) {
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
	body := map[string]any{"person_id": b.ID, "household": "云山路1号",
		"exposure": map[string]any{"source_case_id": index.ID, "situation": "household", "last_exposure": last}}
	var r cordon.ContactResult
	resp := f.do("POST", "/api/v1/contacts", epi, body, &r)
	if resp.StatusCode != 201 || !r.Created || r.Kind != cordon.CloseContact || resp.Header.Get("Location") != "/api/v1/contacts/"+itoa(r.ID) {
		t.Fatalf("add: %d %+v", resp.StatusCode, r)
	}
	var again cordon.ContactResult
	if resp := f.do("POST", "/api/v1/contacts", epi, body, &again); resp.StatusCode != 200 || again.Created || again.ID != r.ID {
		t.Errorf("the same contact again: %d %+v", resp.StatusCode, again)
	}
	var warned cordon.ContactResult
	resp = f.do("POST", "/api/v1/contacts", epi, map[string]any{"name": "韦宴席", "phone": "13907769999",
		"exposure": map[string]any{"source_case_id": index.ID, "situation": "shared_meal", "last_exposure": time.Now().AddDate(0, 0, -20).UTC()}}, &warned)
	if resp.StatusCode != 201 || len(warned.Warnings) != 1 || warned.Warnings[0].Code != "contact.exposure_outside_window" {
		t.Errorf("outside the window: %d %+v", resp.StatusCode, warned)
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
	exposure := func(source string, id int64, last time.Time) map[string]any {
		return map[string]any{source: id, "situation": "workplace", "last_exposure": last}
	}
	p := problemOf("POST", "/api/v1/contacts", epi, map[string]any{"person_id": b.ID, "exposure": exposure("source_case_id", index.ID, time.Now().Add(time.Hour))},
		422, "contact.exposure_in_future")
	if p.Fields["last_exposure"] != "contact.exposure_in_future" {
		t.Errorf("fields: %v", p.Fields)
	}
	problemOf("POST", "/api/v1/contacts", epi, map[string]any{"person_id": index.PersonID, "exposure": exposure("source_case_id", index.ID, last)}, 422, "contact.is_source_case")
	problemOf("POST", "/api/v1/contacts", epi, map[string]any{"person_id": person("外地").ID, "jurisdiction": "450102", "exposure": exposure("source_case_id", index.ID, last)},
		403, "contact.outside_jurisdiction")
	var sec cordon.ContactResult
	if resp := f.do("POST", "/api/v1/contacts", epi, map[string]any{"person_id": person("次密").ID, "exposure": exposure("source_contact_id", r.ID, time.Now().Add(-time.Hour))}, &sec); resp.StatusCode != 201 || sec.Kind != cordon.SecondaryContact {
		t.Fatalf("secondary: %d %+v", resp.StatusCode, sec)
	}
	problemOf("POST", "/api/v1/contacts", epi, map[string]any{"person_id": person("次次密").ID, "exposure": exposure("source_contact_id", sec.ID, time.Now().Add(-time.Hour))},
		422, "contact.source_not_close")
	problemOf("POST", "/api/v1/contacts", epi, map[string]any{"person_id": b.ID, "exposure": exposure("source_case_id", index.ID, last), "age": 3}, 422, "request.unknown_field")
	var other cordon.Case
	f.do("POST", "/api/v1/cases", epi, cordon.CaseInput{PersonID: person("韦另例").ID, Classification: cordon.Confirmed}, &other)
	if p := problemOf("POST", "/api/v1/contacts", epi, map[string]any{"person_id": other.PersonID, "exposure": exposure("source_case_id", index.ID, last)},
		409, "contact.person_is_case"); p.ID != other.ID {
		t.Errorf("the case is named: %+v", p)
	}
	problemOf("POST", "/api/v1/contacts", f.token("baise"), body, 403, "auth.forbidden")

	// Lists, one contact, the case's contacts, the filters.
	var list struct {
		Items []cordon.Contact `json:"items"`
		Next  string           `json:"next_cursor"`
	}
	f.do("GET", "/api/v1/contacts?case="+itoa(index.ID)+"&limit=1", epi, nil, &list)
	if len(list.Items) != 1 || list.Next == "" {
		t.Errorf("page of one: %+v", list)
	}
	f.do("GET", "/api/v1/contacts?case="+itoa(index.ID)+"&cursor="+list.Next, epi, nil, &list)
	if len(list.Items) != 1 || list.Items[0].ID != r.ID {
		t.Errorf("second page: %+v", list.Items)
	}
	f.do("GET", "/api/v1/contacts?unmatched=true", epi, nil, &list)
	if len(list.Items) != 1 || list.Items[0].ID != warned.ID {
		t.Errorf("unmatched: %+v", list.Items)
	}
	f.do("GET", "/api/v1/cases/"+itoa(index.ID)+"/contacts", epi, nil, &list)
	if len(list.Items) != 2 {
		t.Errorf("contacts of the case: %+v", list.Items)
	}
	problemOf("GET", "/api/v1/contacts?kind=distant", epi, nil, 422, "contact.kind_invalid")
	problemOf("GET", "/api/v1/contacts?unmatched=maybe", epi, nil, 422, "contact.filter_invalid")
	problemOf("GET", "/api/v1/contacts?case=abc", epi, nil, 422, "contact.filter_invalid")
	problemOf("GET", "/api/v1/contacts/"+itoa(r.ID), f.token("nanningepi"), nil, 404, "contact.not_found")
	var got cordon.Contact
	f.do("GET", "/api/v1/contacts/"+itoa(r.ID), f.token("baise"), nil, &got)
	if !got.Masked || got.IDNumber != cordon.MaskDocNumber(b.IDNumber) || len(got.Exposures) != 1 || got.Transfer.Step != "transfer" {
		t.Errorf("the commander's read: %+v", got)
	}

	// Edit, control, release.
	problemOf("PUT", "/api/v1/contacts/"+itoa(r.ID), epi, cordon.ContactUpdate{Jurisdiction: "451024100001", Household: "云山路2号", Version: 1}, 409, "contact.changed")
	f.do("GET", "/api/v1/contacts/"+itoa(r.ID), epi, nil, &got)
	if resp := f.do("PUT", "/api/v1/contacts/"+itoa(r.ID), epi, cordon.ContactUpdate{Jurisdiction: got.Jurisdiction, Household: "云山路2号", Version: got.Version}, &got); resp.StatusCode != 200 || got.Household != "云山路2号" {
		t.Errorf("edit: %d %+v", resp.StatusCode, got)
	}
	problemOf("POST", "/api/v1/contacts/"+itoa(r.ID)+"/release", epi, nil, 409, "contact.not_controlled")
	if resp := f.do("POST", "/api/v1/contacts/"+itoa(r.ID)+"/control", epi, nil, &got); resp.StatusCode != 200 || got.Status != cordon.ContactControlled || got.Transfer.DoneAt.IsZero() {
		t.Errorf("control: %d %+v", resp.StatusCode, got)
	}
	problemOf("POST", "/api/v1/contacts/"+itoa(r.ID)+"/control", epi, nil, 409, "contact.not_identified")
	problemOf("POST", "/api/v1/contacts/"+itoa(r.ID)+"/release", epi, ContactStepBody{At: time.Now().Add(time.Hour)}, 422, "contact.release_time_invalid")
	if resp := f.do("POST", "/api/v1/contacts/"+itoa(r.ID)+"/release", epi, ContactStepBody{At: time.Now()}, &got); resp.StatusCode != 200 || got.Status != cordon.ContactReleased {
		t.Errorf("release: %d %+v", resp.StatusCode, got)
	}
	problemOf("POST", "/api/v1/contacts/"+itoa(r.ID)+"/exposures", epi, exposure("source_case_id", index.ID, last), 409, "contact.closed")
	var st cordon.ContactStanding
	if resp := f.do("GET", "/api/v1/persons/"+itoa(sec.PersonID)+"/contact-standing", epi, nil, &st); resp.StatusCode != 200 || !st.Under || st.Kind != cordon.SecondaryContact {
		t.Errorf("standing: %d %+v", resp.StatusCode, st)
	}

	// Matching, by hand, merging.
	registered := person("韦宴席")
	var m cordon.ContactMatch
	f.do("POST", "/api/v1/contacts/match", epi, nil, &m)
	if len(m.Matched) != 0 || m.Unmatched != 1 {
		t.Errorf("match (another phone): %+v", m)
	}
	var link cordon.ContactPersonLink
	if resp := f.do("POST", "/api/v1/contacts/"+itoa(warned.ID)+"/person", epi, map[string]any{"person_id": registered.ID}, &link); resp.StatusCode != 200 || link.By != "hand" {
		t.Errorf("by hand: %d %+v", resp.StatusCode, link)
	}
	problemOf("POST", "/api/v1/contacts/"+itoa(warned.ID)+"/person", epi, map[string]any{"person_id": registered.ID}, 409, "contact.matched_already")
	problemOf("POST", "/api/v1/contacts/"+itoa(sec.ID)+"/merge", epi, map[string]any{"duplicate": warned.ID}, 422, "contact.merge_reason_required")
	problemOf("POST", "/api/v1/contacts/"+itoa(sec.ID)+"/merge", epi, map[string]any{"duplicate": warned.ID, "reason": "同一人"}, 409, "contact.merge_different_persons")

	// The 20 measures: no secondary contacts.
	if err := f.app.SetPolicy(ctx, app.System, cordon.PolicyAssignment{Jurisdiction: "451024", From: "2021-02-01", Edition: "cn-20"}); err != nil {
		t.Fatal(err)
	}
	var close2 cordon.ContactResult
	f.do("POST", "/api/v1/contacts", epi, map[string]any{"person_id": person("新密接").ID, "exposure": exposure("source_case_id", index.ID, last)}, &close2)
	problemOf("POST", "/api/v1/contacts", epi, map[string]any{"person_id": person("无次密").ID, "exposure": exposure("source_contact_id", close2.ID, time.Now().Add(-time.Hour))},
		422, "contact.secondary_not_identified")

	// The line list, masked for the commander.
	resp = f.do("GET", "/api/v1/contacts/export?format=csv&case="+itoa(index.ID), f.token("baise"), nil, nil)
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || !strings.Contains(string(raw), "密接编号") ||
		!strings.Contains(string(raw), "黄同住") || strings.Contains(string(raw), b.IDNumber) {
		t.Errorf("line list: %d\n%s", resp.StatusCode, raw)
	}
	problemOf("GET", "/api/v1/contacts/export?format=doc", epi, nil, 422, "linelist.format")
}

// ContactStepBody is the body of POST /contacts/{id}/control and /release.
type ContactStepBody struct {
	At time.Time `json:"at"`
}

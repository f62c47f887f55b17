package app_test

import (
	"bytes"
	"strings"
	"testing"

	"cordon"
	"cordon/internal/app"
	"cordon/internal/linelist"
	"cordon/internal/store"
)

func (c *contactSetup) importContacts(data []byte, format string) (app.ImportJob, []app.ImportError) {
	c.tb.Helper()
	job, err := c.app.StartImport(c.ctx, c.epi, "contacts", app.ImportFile{Name: "密接一览表." + format, Format: format, Data: data})
	if err != nil {
		c.tb.Fatalf("StartImport: %v", err)
	}
	job = c.waitImport(c.epi, job.ID)
	return job, c.importErrors(c.epi, job.ID)
}

// A contact line list: each row a contact of its source, the same rows
// again add nothing, bad rows are refused with the column at fault, and a
// list exported from cordon imports as it is.
func TestImportContacts(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		c := newContactSetup(t, s, "cn-9")
		second := c.openCase(s.person(), "2022-02-07")
		registered := s.person(named("黄登记"))
		heads := []string{"姓名", "证件号码", "联系电话", "暴露来源", "接触方式", "首次暴露时间", "末次暴露时间", "同户", "备注"}
		idx, sec := "病例#"+itoa(c.index.ID), itoa(second.ID)
		rows := [][]string{
			{"韦一", "", "13907769101", idx, "同住", "", "2022-02-07 20:00", "陇意屯12号", ""},
			{"黄登记", registered.IDNumber, "", idx, "共同就餐", "2022-02-06 18:00", "2022-02-06 21:00", "", "宴席"},
			{"韦二", "", "13907769102", idx + "；病例#" + sec, "同住；同电梯", "", "2022-02-07 08:00", "陇意屯12号", ""},
			{"韦三", "", "13907769103", "某人", "同住", "", "2022-02-07 08:00", "", ""},
			{"韦四", "", "13907769104", idx, "同住", "", "2022-03-07 08:00", "", ""},
			{"韦五", "4510****1234", "", idx, "同住", "", "2022-02-07 08:00", "", ""},
			{"韦六", "", "", idx, "同住", "", "2022-02-07 08:00", "", ""},
			{"韦七", "", "13907769107", idx, "跳舞", "", "2022-02-07 08:00", "", ""},
			{"韦八", "", "13907769108", "病例#999999", "同住", "", "2022-02-07 08:00", "", ""},
		}
		job, errs := c.importContacts(caseCSV(t, heads, rows...), linelist.CSV)
		if job.Status != store.ImportDone || job.Stored != 3 || job.Failed != 6 {
			t.Fatalf("job: %+v %+v", job, errs)
		}
		want := map[int]string{5: "暴露来源 contact.source_unreadable", 6: "末次暴露时间 contact.exposure_in_future", 7: "证件号码 import.id_number_masked",
			8: "联系电话 contact.phone_or_id_required", 9: "接触方式 contact.situation_invalid", 10: "暴露来源 case.not_found"}
		for _, e := range errs {
			if w, ok := want[e.Line]; !ok || w != e.Column+" "+e.Code {
				t.Errorf("line %d: %s %s, want %q", e.Line, e.Column, e.Code, w)
			}
		}
		list, err := s.app.Contacts(s.ctx, c.epi, cordon.ContactFilter{})
		if err != nil || len(list) != 3 {
			t.Fatalf("contacts: %+v %v", list, err)
		}
		byName := map[string]cordon.Contact{}
		for _, x := range list {
			byName[x.Name] = x
		}
		if x := byName["黄登记"]; x.PersonID != registered.ID || x.Exposures[0].Situation != cordon.SituationMeal {
			t.Errorf("a registered person: %+v", x)
		}
		if x := byName["韦二"]; len(x.Exposures) != 2 || x.Exposures[1].SourceCase != second.ID || x.Exposures[1].Situation != cordon.SituationLift || x.Household != "陇意屯12号" {
			t.Errorf("two sources: %+v", x)
		}

		// The same file again adds nothing.
		again, _ := c.importContacts(caseCSV(t, heads, rows...), linelist.CSV)
		if again.Stored != 3 {
			t.Errorf("again: %+v", again)
		}
		if list, _ := s.app.Contacts(s.ctx, c.epi, cordon.ContactFilter{}); len(list) != 3 {
			t.Errorf("%d contacts after importing twice", len(list))
		}
		// An export imports back to the same contacts, as CSV and XLSX.
		for _, format := range []string{linelist.CSV, linelist.XLSX} {
			var buf bytes.Buffer
			if err := s.app.ContactLineList(s.ctx, c.epi, cordon.ContactFilter{}, format, &buf); err != nil {
				t.Fatal(err)
			}
			job, errs := c.importContacts(buf.Bytes(), format)
			if job.Stored != 3 || job.Failed != 0 {
				t.Errorf("%s round trip: %+v %+v", format, job, errs)
			}
		}
		if list, _ := s.app.Contacts(s.ctx, c.epi, cordon.ContactFilter{}); len(list) != 3 {
			t.Errorf("%d contacts after the round trips", len(list))
		}
		if n := len(s.audit(cordon.AuditFilter{Action: "contact.import"})); n == 0 {
			t.Error("imports are audited")
		}
		// Only who may add contacts imports them.
		if _, err := s.app.StartImport(s.ctx, s.account(cordon.RoleCommander, debao).Actor(), "contacts",
			app.ImportFile{Name: "x.csv", Format: linelist.CSV, Data: caseCSV(t, heads, rows[0])}); cordon.ErrorKind(err) != cordon.KindForbidden {
			t.Errorf("a commander importing contacts: %v", err)
		}
		if strings.Contains(fmtErrs(errs), "internal") {
			t.Errorf("internal errors: %v", errs)
		}
	})
}

func fmtErrs(errs []app.ImportError) string {
	var b strings.Builder
	for _, e := range errs {
		b.WriteString(e.Code + " ")
	}
	return b.String()
}

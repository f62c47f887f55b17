package app_test

import (
	"fmt"
	"maps"
	"strconv"
	"strings"
	"testing"
	"time"

	"cordon"
	"cordon/internal/app"
)

// withCheck replaces the check character of a citizen ID number.
func withCheck(id string, c byte) string { return id[:17] + string(c) }

// wrongCheck returns the ID number with a check character that does not match.
func wrongCheck(id string) string {
	if id[17] == '0' {
		return withCheck(id, '1')
	}
	return withCheck(id, '0')
}

// citizenIDWithX finds a valid ID number whose check character is X.
func citizenIDWithX(address, birth string) string {
	for seq := 0; seq < 1000; seq++ {
		id := citizenID(address, birth, fmt.Sprintf("%03d", seq))
		if id[17] == 'X' {
			return id
		}
	}
	panic("no X check character for " + address + birth)
}

func TestCreatePersonValidates(t *testing.T) {
	f := newFixture(t)
	epi := f.account(cordon.RoleEpidemiologist, baise).Actor()
	tests := []struct {
		name   string
		opts   []personOption
		code   string
		fields map[string]string
	}{
		{"bad check character", []personOption{withDocument(cordon.DocCitizenID, wrongCheck(idNumber(debao, 1)))},
			"person.id_number_invalid", map[string]string{"id_number": "person.id_number_invalid"}},
		{"unknown address code", []personOption{withDocument(cordon.DocCitizenID, citizenID("451099", "19900101", "123"))},
			"person.id_number_invalid", map[string]string{"id_number": "person.id_number_invalid"}},
		{"birth date in the future", []personOption{withDocument(cordon.DocCitizenID, citizenID(debao, "20220301", "123"))},
			"person.id_number_invalid", map[string]string{"id_number": "person.id_number_invalid"}},
		{"no such birth date", []personOption{withDocument(cordon.DocCitizenID, citizenID(debao, "19900230", "123"))},
			"person.id_number_invalid", map[string]string{"id_number": "person.id_number_invalid"}},
		{"17 characters", []personOption{withDocument(cordon.DocCitizenID, idNumber(debao, 1)[:17])},
			"person.id_number_invalid", map[string]string{"id_number": "person.id_number_invalid"}},
		{"short passport number", []personOption{withDocument(cordon.DocPassport, "E12")},
			"person.id_number_invalid", map[string]string{"id_number": "person.id_number_invalid"}},
		{"unknown document", []personOption{withDocument("driving_licence", "E12345678")},
			"person.doc_type_invalid", map[string]string{"doc_type": "person.doc_type_invalid"}},
		{"bad phone", []personOption{withPhone("12345")},
			"person.phone_invalid", map[string]string{"phone": "person.phone_invalid"}},
		{"landline", []personOption{withPhone("0776-3822222")},
			"person.phone_invalid", map[string]string{"phone": "person.phone_invalid"}},
		{"HTML in the name", []personOption{named("<script>alert(1)</script>")},
			"person.name_invalid", map[string]string{"name": "person.name_invalid"}},
		{"quote in the name", []personOption{named(`黄"某`)},
			"person.name_invalid", map[string]string{"name": "person.name_invalid"}},
		{"no name", []personOption{named("  ")},
			"person.name_required", map[string]string{"name": "person.name_required"}},
		{"malformed residence", []personOption{livingAt("45102x", "")},
			"jurisdiction.unknown", map[string]string{"residence": "jurisdiction.unknown"}},
		{"several fields", []personOption{named("<b>黄</b>"), withPhone("110")},
			"person.invalid", map[string]string{"name": "person.name_invalid", "phone": "person.phone_invalid"}},
		// These pass the shape checks and fail on the directory, inside
		// the transaction, which must roll back.
		// The current place defaults to the residence, so both are flagged.
		{"residence not in the directory", []personOption{livingAt("451099", "")},
			"jurisdiction.unknown", map[string]string{"residence": "jurisdiction.unknown", "current": "jurisdiction.unknown"}},
		{"grid never created", []personOption{livingAt(fuji+"999", chengdong)},
			"jurisdiction.unknown", map[string]string{"residence": "jurisdiction.unknown"}},
		{"current not in the directory", []personOption{livingAt(chengdong, "451024100999")},
			"jurisdiction.unknown", map[string]string{"current": "jurisdiction.unknown"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			persons, entries := f.written()
			_, err := f.app.CreatePerson(f.ctx, epi, f.personInput(tc.opts...))
			e := wantError(t, err, cordon.KindInvalid, tc.code)
			if !maps.Equal(e.Fields, tc.fields) {
				t.Errorf("Fields = %v, want %v", e.Fields, tc.fields)
			}
			if p, a := f.written(); p != persons || a != entries {
				t.Errorf("bad input wrote %d persons and %d audit entries", p-persons, a-entries)
			}
		})
	}
}

func TestCreatePersonDerivesAndNormalises(t *testing.T) {
	f := newFixture(t)
	epi := f.account(cordon.RoleEpidemiologist, baise).Actor()
	withX := citizenIDWithX(debao, "19790923")
	tests := []struct {
		name            string
		opts            []personOption
		wantDoc         cordon.DocType
		wantNumber      string
		wantSex         cordon.Sex
		wantBirth       string
		wantPhone       string
		wantResidence   string
		wantCurrentName string
	}{
		{name: "odd sequence is male", opts: []personOption{withDocument("", citizenID(debao, "19850615", "123"))},
			wantDoc: cordon.DocCitizenID, wantNumber: citizenID(debao, "19850615", "123"), wantSex: cordon.SexMale, wantBirth: "1985-06-15"},
		{name: "even sequence is female", opts: []personOption{withDocument(cordon.DocCitizenID, citizenID(debao, "20000229", "124"))},
			wantDoc: cordon.DocCitizenID, wantNumber: citizenID(debao, "20000229", "124"), wantSex: cordon.SexFemale, wantBirth: "2000-02-29"},
		{name: "lower-case x and spaces", opts: []personOption{withDocument(cordon.DocCitizenID, " "+strings.ToLower(withX)+" ")},
			wantDoc: cordon.DocCitizenID, wantNumber: withX, wantSex: cordon.Sex(map[bool]string{true: "M", false: "F"}[(withX[16]-'0')%2 == 1]), wantBirth: "1979-09-23"},
		{name: "retired code of 田阳县", opts: []personOption{withDocument(cordon.DocCitizenID, citizenID("451021", "19620101", "011"))},
			wantDoc: cordon.DocCitizenID, wantNumber: citizenID("451021", "19620101", "011"), wantSex: cordon.SexMale, wantBirth: "1962-01-01"},
		{name: "retired code of 德保县 in 百色地区", opts: []personOption{withDocument(cordon.DocCitizenID, citizenID("452624", "19700505", "022"))},
			wantDoc: cordon.DocCitizenID, wantNumber: citizenID("452624", "19700505", "022"), wantSex: cordon.SexFemale, wantBirth: "1970-05-05"},
		{name: "born elsewhere, living in Debao", opts: []personOption{withDocument(cordon.DocCitizenID, citizenID(xingning, "19910101", "033"))},
			wantDoc: cordon.DocCitizenID, wantNumber: citizenID(xingning, "19910101", "033"), wantSex: cordon.SexMale, wantBirth: "1991-01-01"},
		{name: "passport", opts: []personOption{withDocument(cordon.DocPassport, " e1234-5678 ")},
			wantDoc: cordon.DocPassport, wantNumber: "E12345678"},
		{name: "HK and Macao permit with the same number", opts: []personOption{withDocument(cordon.DocHKMacaoPermit, "E12345678")},
			wantDoc: cordon.DocHKMacaoPermit, wantNumber: "E12345678"},
		{name: "phone with +86 and spaces", opts: []personOption{withPhone("+86 139 7766 0001")}, wantPhone: "13977660001"},
		{name: "current place defaults to residence", opts: []personOption{livingAt(" "+fuji+" ", "")},
			wantResidence: fuji, wantCurrentName: "广西壮族自治区百色市德保县都安乡福记村委会"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := f.app.CreatePerson(f.ctx, epi, f.personInput(tc.opts...))
			if err != nil {
				t.Fatal(err)
			}
			got, err := f.app.Person(f.ctx, epi, p.ID, "")
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range []cordon.Person{p, got} {
				if tc.wantDoc != "" && (q.DocType != tc.wantDoc || q.IDNumber != tc.wantNumber) {
					t.Errorf("document %s %q, want %s %q", q.DocType, q.IDNumber, tc.wantDoc, tc.wantNumber)
				}
				if tc.wantDoc != "" && (q.Sex != tc.wantSex || q.BirthDate != tc.wantBirth) {
					t.Errorf("sex %q birth %q, want %q %q", q.Sex, q.BirthDate, tc.wantSex, tc.wantBirth)
				}
				if tc.wantPhone != "" && q.Phone != tc.wantPhone {
					t.Errorf("phone %q, want %q", q.Phone, tc.wantPhone)
				}
				if tc.wantResidence != "" && (q.Residence != tc.wantResidence || q.Current != tc.wantResidence || q.CurrentName != tc.wantCurrentName) {
					t.Errorf("residence %q current %q (%s), want %q (%s)", q.Residence, q.Current, q.CurrentName, tc.wantResidence, tc.wantCurrentName)
				}
			}
			if tc.wantDoc == "" {
				return
			}
			// However it is typed, the document finds the person.
			for _, typed := range []string{tc.wantNumber, strings.ToLower(tc.wantNumber), " " + tc.wantNumber[:4] + " " + tc.wantNumber[4:]} {
				found, err := f.app.PersonByDocument(f.ctx, epi, tc.wantDoc, typed, "")
				if err != nil || found.ID != p.ID {
					t.Errorf("PersonByDocument(%s, %q) = %d, %v; want %d", tc.wantDoc, typed, found.ID, err, p.ID)
				}
			}
		})
	}
	// The same number on another document is another person.
	if _, err := f.app.PersonByDocument(f.ctx, epi, cordon.DocTaiwanPermit, "E12345678", ""); cordon.ErrorKind(err) != cordon.KindNotFound {
		t.Errorf("a Taiwan permit nobody holds: %v, want not found", err)
	}
}

func TestCreatePersonDuplicate(t *testing.T) {
	f := newFixture(t)
	epi := f.account(cordon.RoleEpidemiologist, baise).Actor()
	inDebao := f.person()
	inNanning := f.person(livingAt(xingning, ""))
	withX := f.person(withDocument(cordon.DocCitizenID, citizenIDWithX(debao, "19880808")))
	passport := f.person(withDocument(cordon.DocPassport, "G12345678"), livingAt(xingning, ""))
	tests := []struct {
		name     string
		doc      cordon.DocType
		number   string
		existing int64
	}{
		{"in the same jurisdiction", cordon.DocCitizenID, inDebao.IDNumber, inDebao.ID},
		// Registering someone twice in two jurisdictions is refused too,
		// naming the record the epidemiologist cannot read.
		{"in another jurisdiction", cordon.DocCitizenID, inNanning.IDNumber, inNanning.ID},
		{"typed with a lower-case x", cordon.DocCitizenID, strings.ToLower(withX.IDNumber), withX.ID},
		{"passport typed with spaces", cordon.DocPassport, "g 1234 5678", passport.ID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			persons, entries := f.written()
			_, err := f.app.CreatePerson(f.ctx, epi, f.personInput(withDocument(tc.doc, tc.number)))
			e := wantError(t, err, cordon.KindConflict, "person.duplicate")
			if e.Extra["id"] != any(tc.existing) {
				t.Errorf("Extra[id] = %v (%T), want %d", e.Extra["id"], e.Extra["id"], tc.existing)
			}
			if p, a := f.written(); p != persons || a != entries {
				t.Errorf("a duplicate wrote %d persons and %d audit entries", p-persons, a-entries)
			}
		})
	}
}

func TestUpdatePerson(t *testing.T) {
	f := newFixture(t)
	epi := f.account(cordon.RoleEpidemiologist, baise).Actor()
	p := f.person(named("黄旧名"))
	other := f.person()
	in := f.personInput(withDocument(p.DocType, p.IDNumber), named("黄新名"), livingAt(chengdong, fuji))
	in.Version = p.Version
	updated, err := f.app.UpdatePerson(f.ctx, epi, p.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if updated.Name != "黄新名" || updated.Current != fuji || updated.Version != p.Version+1 || updated.ID != p.ID {
		t.Fatalf("updated to %+v", updated)
	}

	stale := in
	stale.Name = "黄第三名"
	stale.Version = p.Version
	taken := f.personInput(withDocument(other.DocType, other.IDNumber))
	persons, entries := f.written()
	_, err = f.app.UpdatePerson(f.ctx, epi, p.ID, stale)
	wantError(t, err, cordon.KindConflict, "person.version_conflict")
	// Taking another person's document is a duplicate, naming that person.
	_, err = f.app.UpdatePerson(f.ctx, epi, p.ID, taken)
	if e := wantError(t, err, cordon.KindConflict, "person.duplicate"); e.Extra["id"] != any(other.ID) {
		t.Errorf("Extra[id] = %v, want %d", e.Extra["id"], other.ID)
	}
	if n, a := f.written(); n != persons || a != entries {
		t.Errorf("failed updates wrote %d persons and %d audit entries", n-persons, a-entries)
	}
	if got, _ := f.app.Person(f.ctx, app.System, p.ID, ""); got.Name != "黄新名" || got.Version != updated.Version {
		t.Errorf("failed updates changed the person to %q v%d", got.Name, got.Version)
	}

	// Version 0 skips the check.
	stale.Version = 0
	if got, err := f.app.UpdatePerson(f.ctx, epi, p.ID, stale); err != nil || got.Name != "黄第三名" || got.Version != updated.Version+1 {
		t.Errorf("unguarded update: %+v, %v", got, err)
	}
}

func TestMergePersons(t *testing.T) {
	f := newFixture(t)
	epi := f.account(cordon.RoleEpidemiologist, baise).Actor()
	// The same woman, registered once with her ID card at a checkpoint and
	// once with her passport at the station.
	keep := f.person(named("黄丽"), withPhone("13977660001"))
	drop := f.person(named("黄丽"), withDocument(cordon.DocPassport, "E99887766"), withPhone("13977660001"))
	before, _ := f.app.CountPersons(f.ctx, epi)

	for _, reason := range []string{"", "   "} {
		err := f.app.MergePersons(f.ctx, epi, keep.ID, drop.ID, reason)
		if e := wantError(t, err, cordon.KindInvalid, "person.merge_reason_required"); e.Fields["reason"] != "person.merge_reason_required" {
			t.Errorf("Fields = %v", e.Fields)
		}
	}
	wantError(t, f.app.MergePersons(f.ctx, epi, keep.ID, keep.ID, "self"), cordon.KindInvalid, "person.merge_self")
	if err := f.app.MergePersons(f.ctx, epi, keep.ID, drop.ID, "same photo and phone"); err != nil {
		t.Fatal(err)
	}

	// Both records stay; the dropped one points to the survivor.
	dropped, err := f.app.Person(f.ctx, epi, drop.ID, "")
	if err != nil || dropped.MergedInto != keep.ID || dropped.IDNumber != "E99887766" {
		t.Errorf("the dropped record: %+v, %v", dropped, err)
	}
	if kept, err := f.app.Person(f.ctx, epi, keep.ID, ""); err != nil || kept.MergedInto != 0 {
		t.Errorf("the kept record: %+v, %v", kept, err)
	}
	// Its document leads to the survivor.
	if p, err := f.app.PersonByDocument(f.ctx, epi, cordon.DocPassport, "E99887766", ""); err != nil || p.ID != keep.ID {
		t.Errorf("lookup by the dropped passport: %d, %v; want %d", p.ID, err, keep.ID)
	}
	// Lists and counts leave it out.
	for _, filter := range []cordon.PersonFilter{{}, {Query: "黄丽"}, {Query: "13977660001"}} {
		list, err := f.app.Persons(f.ctx, epi, filter)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := find(list, drop.ID); ok {
			t.Errorf("Persons(%+v) lists the dropped record", filter)
		}
		if _, ok := find(list, keep.ID); !ok {
			t.Errorf("Persons(%+v) leaves out the survivor", filter)
		}
	}
	if after, _ := f.app.CountPersons(f.ctx, epi); after != before-1 {
		t.Errorf("CountPersons = %d after a merge, want %d", after, before-1)
	}
	// A record merges once, and is not edited afterwards.
	third := f.person()
	wantError(t, f.app.MergePersons(f.ctx, epi, third.ID, drop.ID, "again"), cordon.KindConflict, "person.merged_already")
	wantError(t, f.app.MergePersons(f.ctx, epi, drop.ID, third.ID, "into a merged one"), cordon.KindConflict, "person.merged_already")
	in := f.personInput(withDocument(cordon.DocPassport, "E99887766"))
	if _, err := f.app.UpdatePerson(f.ctx, epi, drop.ID, in); cordon.ErrorKind(err) != cordon.KindConflict {
		t.Errorf("updating a merged record: %v, want a conflict", err)
	}
}

// TestMergeChain merges a survivor into a third record: the first dropped
// document must still lead to the record that survives in the end.
//
// It fails today: store.PersonByDocument follows one merge and stops at a
// survivor that was merged in turn. Remove the skip with the store fix.
func TestMergeChain(t *testing.T) {
	f := newFixture(t)
	epi := f.account(cordon.RoleEpidemiologist, baise).Actor()
	a := f.person(withDocument(cordon.DocPassport, "E10000001"))
	b := f.person(withDocument(cordon.DocHKMacaoPermit, "H10000001"))
	c := f.person()
	if err := f.app.MergePersons(f.ctx, epi, b.ID, a.ID, "same person"); err != nil {
		t.Fatal(err)
	}
	if err := f.app.MergePersons(f.ctx, epi, c.ID, b.ID, "same person"); err != nil {
		t.Fatal(err)
	}
	for _, doc := range []struct {
		t cordon.DocType
		n string
	}{{cordon.DocPassport, "E10000001"}, {cordon.DocHKMacaoPermit, "H10000001"}} {
		p, err := f.app.PersonByDocument(f.ctx, epi, doc.t, doc.n, "")
		if err != nil || p.ID != c.ID || p.MergedInto != 0 {
			t.Errorf("lookup by %s %s: person %d (merged into %d), %v; want %d", doc.t, doc.n, p.ID, p.MergedInto, err, c.ID)
		}
	}
}

func TestSearchPersons(t *testing.T) {
	f := newFixture(t)
	epi := f.account(cordon.RoleEpidemiologist, baise).Actor()
	withX := citizenIDWithX(debao, "19660606")
	aisin := f.person(named("爱新觉罗玄烨")) // six characters: 18 bytes, as long as an ID number
	huang := f.person(named("黄海"), withDocument(cordon.DocCitizenID, withX), withPhone("13877001234"))
	huangLi := f.person(named("黄丽"))
	tests := []struct {
		name  string
		query string
		want  []int64 // newest first
	}{
		{"name prefix", "黄", []int64{huangLi.ID, huang.ID}},
		{"whole name", "黄海", []int64{huang.ID}},
		{"six-character name", "爱新觉罗玄烨", []int64{aisin.ID}},
		{"name prefix with spaces around", " 爱新觉罗 ", []int64{aisin.ID}},
		{"ID number", withX, []int64{huang.ID}},
		{"ID number with a lower-case x", strings.ToLower(withX), []int64{huang.ID}},
		{"phone", "13877001234", []int64{huang.ID}},
		{"phone as typed", "+86 138-7700-1234", []int64{huang.ID}},
		{"nobody", "韦", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			list, err := f.app.Persons(f.ctx, epi, cordon.PersonFilter{Query: tc.query})
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, p := range list {
				got = append(got, p.ID)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("Persons(%q) = %v, want %v", tc.query, got, tc.want)
			}
		})
	}
	_, err := f.app.Persons(f.ctx, epi, cordon.PersonFilter{Query: strings.Repeat("黄", 30)})
	wantError(t, err, cordon.KindInvalid, "person.query_invalid")
}

// TestPersonAudit checks that every read and every change of a person is in
// the audit log with who, what, which record and why, as an administrator
// of the same city sees it.
func TestPersonAudit(t *testing.T) {
	f := newFixture(t)
	admin := f.account(cordon.RoleAdmin, baise).Actor()
	epi := f.account(cordon.RoleEpidemiologist, debao).Actor()
	ctx := f.ctx

	p, err := f.app.CreatePerson(ctx, epi, f.personInput(named("黄海")))
	if err != nil {
		t.Fatal(err)
	}
	twin := f.person(named("黄海"), withDocument(cordon.DocPassport, "E55555555"))
	record := "person:" + strconv.FormatInt(p.ID, 10)
	twinRecord := "person:" + strconv.FormatInt(twin.ID, 10)
	steps := []struct {
		name           string
		do             func() error
		action, record string
		reason         string
		detail         string // a part of the detail
	}{
		{"create", func() error { return nil }, "person.create", record, "", ""}, // done above
		{"read", func() error { _, err := f.app.Person(ctx, epi, p.ID, "流调核实"); return err },
			"person.read", record, "流调核实", ""},
		{"lookup", func() error {
			_, err := f.app.PersonByDocument(ctx, epi, cordon.DocCitizenID, p.IDNumber, "协查函 2022-017")
			return err
		}, "person.lookup", record, "协查函 2022-017", ""},
		{"list", func() error { _, err := f.app.Persons(ctx, epi, cordon.PersonFilter{Query: "黄海"}); return err },
			"person.list", "", "", strconv.FormatInt(p.ID, 10)},
		{"update", func() error {
			in := f.personInput(withDocument(p.DocType, p.IDNumber), named("黄海"), livingAt(chengdong, fuji))
			_, err := f.app.UpdatePerson(ctx, epi, p.ID, in)
			return err
		}, "person.update", record, "", ""},
		{"merge", func() error { return f.app.MergePersons(ctx, epi, p.ID, twin.ID, "同一人, 护照登记") },
			"person.merge", twinRecord, "同一人, 护照登记", "merged into " + record},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			defer f.clock.Advance(time.Second)
			if err := s.do(); err != nil {
				t.Fatal(err)
			}
			entries, err := f.app.AuditLog(ctx, admin, cordon.AuditFilter{Username: epi.Username, Limit: 1})
			if err != nil || len(entries) != 1 {
				t.Fatalf("AuditLog: %d entries, %v", len(entries), err)
			}
			e := entries[0]
			if e.AccountID != epi.AccountID || e.Username != epi.Username || e.Jurisdiction != debao ||
				e.Action != s.action || e.Record != s.record || e.Reason != s.reason ||
				!strings.Contains(e.Detail, s.detail) || !e.At.Equal(f.clock.Now()) {
				t.Errorf("entry %+v, want %s of %q by %s because %q at %v", e, s.action, s.record, epi.Username, s.reason, f.clock.Now())
			}
		})
	}
	// A merge records both records.
	if es := f.audit(cordon.AuditFilter{Action: "person.merge", Record: record}); len(es) != 1 || es[0].Reason != "同一人, 护照登记" {
		t.Errorf("the merge entry of the survivor: %+v", es)
	}
	// The person's history is its entries: all of them for an administrator,
	// who may read the audit log; only the changes for the epidemiologist,
	// who may not see who else read the person.
	for _, c := range []struct {
		actor cordon.Actor
		want  string
	}{
		{admin, "person.merge person.update person.lookup person.read person.create"},
		{epi, "person.merge person.update person.create"},
	} {
		h, err := f.app.PersonHistory(ctx, c.actor, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range h {
			actions = append(actions, e.Action)
		}
		if strings.Join(actions, " ") != c.want {
			t.Errorf("history for %s: %v, want %s", c.actor.Username, actions, c.want)
		}
	}
}

// TestFailedOperationsWriteNothing runs operations that fail for every kind
// of reason and checks that none of them left a person or an audit entry.
func TestFailedOperationsWriteNothing(t *testing.T) {
	f := newFixture(t)
	epi := f.account(cordon.RoleEpidemiologist, baise).Actor()
	commander := f.account(cordon.RoleCommander, baise).Actor()
	sampler := f.account(cordon.RoleSampler, baise).Actor()
	p := f.person()
	far := f.person(livingAt(xingning, ""))
	ctx := f.ctx
	tests := []struct {
		name string
		do   func() error
		kind cordon.Kind
	}{
		{"create: bad ID number", func() error {
			_, err := f.app.CreatePerson(ctx, epi, f.personInput(withDocument("", wrongCheck(idNumber(debao, 99)))))
			return err
		}, cordon.KindInvalid},
		{"create: unknown residence", func() error {
			_, err := f.app.CreatePerson(ctx, epi, f.personInput(livingAt("451099", "")))
			return err
		}, cordon.KindInvalid},
		{"create: outside the jurisdiction", func() error {
			_, err := f.app.CreatePerson(ctx, epi, f.personInput(livingAt(xingning, "")))
			return err
		}, cordon.KindForbidden},
		{"create: duplicate", func() error {
			_, err := f.app.CreatePerson(ctx, epi, f.personInput(withDocument("", p.IDNumber)))
			return err
		}, cordon.KindConflict},
		{"create: role without the right", func() error {
			_, err := f.app.CreatePerson(ctx, commander, f.personInput())
			return err
		}, cordon.KindForbidden},
		{"create: signed out", func() error {
			_, err := f.app.CreatePerson(ctx, cordon.Actor{}, f.personInput())
			return err
		}, cordon.KindUnauthorized},
		{"read: outside the jurisdiction", func() error { _, err := f.app.Person(ctx, epi, far.ID, "curious"); return err },
			cordon.KindNotFound},
		{"read: no such person", func() error { _, err := f.app.Person(ctx, epi, 1e9, ""); return err }, cordon.KindNotFound},
		{"lookup: outside the jurisdiction", func() error {
			_, err := f.app.PersonByDocument(ctx, epi, "", far.IDNumber, "")
			return err
		}, cordon.KindNotFound},
		{"lookup: unknown document type", func() error {
			_, err := f.app.PersonByDocument(ctx, epi, "driving_licence", p.IDNumber, "")
			return err
		}, cordon.KindInvalid},
		{"list: bad phone filter", func() error {
			_, err := f.app.Persons(ctx, epi, cordon.PersonFilter{Phone: "12"})
			return err
		}, cordon.KindInvalid},
		{"update: stale version", func() error {
			in := f.personInput(withDocument("", p.IDNumber))
			in.Version = p.Version + 5
			_, err := f.app.UpdatePerson(ctx, epi, p.ID, in)
			return err
		}, cordon.KindConflict},
		{"update: moving out of the jurisdiction", func() error {
			_, err := f.app.UpdatePerson(ctx, epi, p.ID, f.personInput(withDocument("", p.IDNumber), livingAt(xingning, "")))
			return err
		}, cordon.KindForbidden},
		{"update: bad phone", func() error {
			_, err := f.app.UpdatePerson(ctx, epi, p.ID, f.personInput(withDocument("", p.IDNumber), withPhone("1")))
			return err
		}, cordon.KindInvalid},
		{"update: sampler edits a person outside", func() error {
			_, err := f.app.UpdatePerson(ctx, sampler, far.ID, f.personInput(withDocument("", far.IDNumber)))
			return err
		}, cordon.KindNotFound},
		{"merge: no reason", func() error { return f.app.MergePersons(ctx, epi, p.ID, far.ID, "") }, cordon.KindInvalid},
		{"merge: one outside the jurisdiction", func() error { return f.app.MergePersons(ctx, epi, p.ID, far.ID, "same") },
			cordon.KindNotFound},
		{"merge: sampler", func() error { return f.app.MergePersons(ctx, sampler, p.ID, far.ID, "same") }, cordon.KindForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			persons, entries := f.written()
			err := tc.do()
			if cordon.ErrorKind(err) != tc.kind {
				t.Fatalf("got %v, want kind %s", err, tc.kind)
			}
			if n, a := f.written(); n != persons || a != entries {
				t.Errorf("wrote %d persons and %d audit entries", n-persons, a-entries)
			}
		})
	}
	if got, err := f.app.Person(ctx, app.System, p.ID, ""); err != nil || got.Version != p.Version || got.Residence != p.Residence {
		t.Errorf("failed updates changed the person: %+v, %v", got, err)
	}
}

// TestCreateWithMergedDocument registers a document again after its record
// was merged away: that person exists already, as the survivor.
//
// It fails today: the duplicate check looks at live records only, so a
// third record is created and the document's lookup leads to it instead of
// the survivor. Remove the skip with the store fix.
func TestCreateWithMergedDocument(t *testing.T) {
	f := newFixture(t)
	epi := f.account(cordon.RoleEpidemiologist, baise).Actor()
	keep := f.person()
	drop := f.person(withDocument(cordon.DocPassport, "E99887766"))
	if err := f.app.MergePersons(f.ctx, epi, keep.ID, drop.ID, "same person"); err != nil {
		t.Fatal(err)
	}
	_, err := f.app.CreatePerson(f.ctx, epi, f.personInput(withDocument(cordon.DocPassport, "E99887766")))
	if e := wantError(t, err, cordon.KindConflict, "person.duplicate"); e.Extra["id"] != any(keep.ID) {
		t.Errorf("Extra[id] = %v, want the survivor %d", e.Extra["id"], keep.ID)
	}
	if p, err := f.app.PersonByDocument(f.ctx, epi, cordon.DocPassport, "E99887766", ""); err != nil || p.ID != keep.ID {
		t.Errorf("lookup: %d, %v; want %d", p.ID, err, keep.ID)
	}
}

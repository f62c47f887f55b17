package app_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"cordon"
	"cordon/internal/app"
)

// contactSetup is the testing setup with an edition in force in 德保县, a
// Debao epidemiologist and the index case: a confirmed case of 城东社区
// with onset on 6 February, opened at 09:00 on the 8th.
type contactSetup struct {
	*testingSetup
	epi   cordon.Actor
	index cordon.Case
}

func newContactSetup(t *testing.T, s *testingSetup, edition string) *contactSetup {
	t.Helper()
	c := &contactSetup{testingSetup: s}
	c.edition(edition)
	c.epi = s.account(cordon.RoleEpidemiologist, debao).Actor()
	c.index = c.openCase(s.person(named("韦指示")), "2022-02-06")
	return c
}

// edition puts an edition in force in 德保县 from 1 January 2022.
func (c *contactSetup) edition(key string) {
	c.tb.Helper()
	if err := c.app.SetPolicy(c.ctx, app.System, cordon.PolicyAssignment{Jurisdiction: debao, From: "2022-01-01", Edition: key}); err != nil {
		c.tb.Fatalf("SetPolicy %s: %v", key, err)
	}
}

func (c *contactSetup) openCase(p cordon.Person, onset string) cordon.Case {
	c.tb.Helper()
	k, err := c.app.OpenCase(c.ctx, c.epi, cordon.CaseInput{PersonID: p.ID, Classification: cordon.Confirmed, OnsetDate: onset})
	if err != nil {
		c.tb.Fatalf("OpenCase: %v", err)
	}
	return k
}

// add adds a contact as the epidemiologist and fails the test on an error.
func (c *contactSetup) add(in cordon.ContactInput) cordon.ContactResult {
	c.tb.Helper()
	r, err := c.app.AddContact(c.ctx, c.epi, in)
	if err != nil {
		c.tb.Fatalf("AddContact: %v", err)
	}
	return r
}

// closeTo is the input of a registered person's close exposure to a case.
func closeTo(person, caseID int64, situation cordon.Situation, last time.Time) cordon.ContactInput {
	return cordon.ContactInput{ContactIdentity: cordon.ContactIdentity{PersonID: person},
		Exposure: cordon.ExposureInput{SourceCase: caseID, Situation: situation, LastAt: last}}
}

// cst reads a Beijing time "2006-01-02 15:04".
func cst(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, cordon.ChinaTime)
	if err != nil {
		panic(err)
	}
	return t
}

func warned(r cordon.ContactResult, code string) bool {
	for _, w := range r.Warnings {
		if w.Code == code {
			return true
		}
	}
	return false
}

// A close contact is added once per person and source; the rules of the
// edition in force judge the exposure; the refusals leave nothing behind.
func TestAddContact(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		c := newContactSetup(t, s, "cn-9")
		b := s.person(named("黄同住"))
		in := closeTo(b.ID, c.index.ID, cordon.SituationHousehold, cst("2022-02-07 20:00"))
		in.Exposure.FirstAt = cst("2021-12-01 00:00")
		in.Household = "城东社区云山路1号"
		r := c.add(in)
		if !r.Created || r.Kind != cordon.CloseContact || r.Status != cordon.ContactIdentified || r.Jurisdiction != chengdong ||
			r.PersonID != b.ID || r.Name != "黄同住" || r.IDNumber != b.IDNumber || r.Household != "城东社区云山路1号" || len(r.Warnings) != 0 {
			t.Fatalf("close contact: %+v", r)
		}
		if !r.Transfer.Due.Equal(r.IdentifiedAt.Add(8*time.Hour)) || r.Transfer.Overdue || !r.Transfer.DoneAt.IsZero() {
			t.Errorf("transfer clock: %+v", r.Transfer)
		}
		// cn-9: 7 days centralised and 3 at home, from the day after the
		// last exposure.
		if k := r.Control; k == nil || k.From != "2022-02-08" || k.CentralisedUntil != "2022-02-14" || k.Until != "2022-02-17" || k.Home != "monitoring" {
			t.Errorf("control: %+v", r.Control)
		}
		// The same person and source again updates the exposure.
		in.Exposure.LastAt = cst("2022-02-08 08:00")
		again := c.add(in)
		if again.Created || again.ID != r.ID || len(again.Exposures) != 1 || !again.LastExposure.Equal(cst("2022-02-08 08:00")) {
			t.Errorf("the same exposure again: %+v", again)
		}
		// A second case's exposure joins the open record.
		second := c.openCase(s.person(), "2022-02-07")
		more := c.add(closeTo(b.ID, second.ID, cordon.SituationMeal, cst("2022-02-06 19:00")))
		if more.Created || more.ID != r.ID || len(more.Exposures) != 2 {
			t.Errorf("a second source: %+v", more)
		}

		// Name and phone only; the banquet of 29 January lies before the
		// cn-9 window (4 days before onset): accepted, warned, flagged.
		u := c.add(cordon.ContactInput{ContactIdentity: cordon.ContactIdentity{Name: "韦宴席", Phone: "13907760001"},
			Exposure: cordon.ExposureInput{SourceCase: c.index.ID, Situation: cordon.SituationMeal, LastAt: cst("2022-01-29 21:00")}})
		if !u.Created || u.PersonID != 0 || u.Jurisdiction != c.index.Jurisdiction || !warned(u, app.WarnOutsideWindow) || !u.Exposures[0].OutsideWindow {
			t.Errorf("outside the window: %+v", u)
		}
		// After the case was put under control: warned too.
		s.clock.Advance(2 * time.Hour)
		late := c.add(closeTo(s.person().ID, c.index.ID, cordon.SituationCarer, cst("2022-02-08 10:30")))
		if !warned(late, app.WarnOutsideWindow) {
			t.Errorf("an exposure after the case's control: %+v", late.Warnings)
		}

		stranger := s.person()
		traveller := s.person(livingAt(chengdong, xingningC))
		_, before := s.written()
		refuse := func(in cordon.ContactInput, kind cordon.Kind, code string) {
			t.Helper()
			_, err := s.app.AddContact(s.ctx, c.epi, in)
			wantError(t, err, kind, code)
		}
		refuse(closeTo(b.ID, c.index.ID, cordon.SituationHousehold, s.clock.Now().Add(time.Hour)), cordon.KindInvalid, "contact.exposure_in_future")
		refuse(closeTo(c.index.PersonID, c.index.ID, cordon.SituationHousehold, cst("2022-02-07 20:00")), cordon.KindInvalid, "contact.is_source_case")
		refuse(closeTo(b.ID, 999999, cordon.SituationHousehold, cst("2022-02-07 20:00")), cordon.KindNotFound, "case.not_found")
		refuse(closeTo(second.PersonID, c.index.ID, cordon.SituationHousehold, cst("2022-02-07 20:00")), cordon.KindConflict, "contact.person_is_case")
		away := closeTo(stranger.ID, c.index.ID, cordon.SituationVehicle, cst("2022-02-07 20:00"))
		away.Jurisdiction = xingning
		refuse(away, cordon.KindForbidden, "contact.outside_jurisdiction")
		// A registered Debao resident who is in Nanning now.
		refuse(closeTo(traveller.ID, c.index.ID, cordon.SituationVehicle, cst("2022-02-07 20:00")), cordon.KindForbidden, "contact.outside_jurisdiction")
		refuse(cordon.ContactInput{ContactIdentity: cordon.ContactIdentity{Name: "无号码"}, Exposure: cordon.ExposureInput{SourceCase: c.index.ID,
			Situation: cordon.SituationLift, LastAt: cst("2022-02-07 20:00")}}, cordon.KindInvalid, "contact.phone_or_id_required")
		refuse(cordon.ContactInput{ContactIdentity: cordon.ContactIdentity{PersonID: b.ID}, Exposure: cordon.ExposureInput{SourceCase: c.index.ID,
			Situation: "dancing", LastAt: cst("2022-02-07 20:00")}}, cordon.KindInvalid, "contact.situation_invalid")
		wrongOrder := closeTo(b.ID, c.index.ID, cordon.SituationLift, cst("2022-02-07 20:00"))
		wrongOrder.Exposure.FirstAt = cst("2022-02-08 08:00")
		refuse(wrongOrder, cordon.KindInvalid, "contact.exposure_order")
		if _, after := s.written(); after != before {
			t.Errorf("refused additions wrote %d audit entries", after-before)
		}

		// Nanning neither sees the contact nor adds to a Debao case; a
		// sampler may not read contacts; the 福记村 grid worker does not
		// see a 城东社区 contact.
		nn := s.account(cordon.RoleEpidemiologist, nanning).Actor()
		if _, err := s.app.Contact(s.ctx, nn, r.ID, ""); cordon.ErrorKind(err) != cordon.KindNotFound {
			t.Errorf("Nanning reading a Debao contact: %v", err)
		}
		if _, err := s.app.AddContact(s.ctx, nn, closeTo(s.person(livingAt(nanning, xingningC)).ID, c.index.ID, cordon.SituationLift, cst("2022-02-07 20:00"))); cordon.ErrorCode(err) != "case.not_found" {
			t.Errorf("Nanning adding to a Debao case: %v", err)
		}
		if _, err := s.app.Contacts(s.ctx, s.sampler, cordon.ContactFilter{}); cordon.ErrorKind(err) != cordon.KindForbidden {
			t.Errorf("a sampler listing contacts: %v", err)
		}
		gw := s.account(cordon.RoleGridWorker, s.grid.Code).Actor()
		if _, err := s.app.Contact(s.ctx, gw, r.ID, ""); cordon.ErrorKind(err) != cordon.KindNotFound {
			t.Errorf("a grid worker reading a contact outside the grid: %v", err)
		}
		// A commander reads it masked, and the read is audited with the reason.
		cmd := s.account(cordon.RoleCommander, baise).Actor()
		got, err := s.app.Contact(s.ctx, cmd, r.ID, "调度")
		if err != nil || !got.Masked || got.IDNumber != cordon.MaskDocNumber(b.IDNumber) || got.Phone != cordon.MaskPhone(b.Phone) {
			t.Errorf("commander: %+v %v", got, err)
		}
		if _, err := s.app.AddContact(s.ctx, cmd, in); cordon.ErrorKind(err) != cordon.KindForbidden {
			t.Errorf("a commander adding a contact: %v", err)
		}
		reads := s.audit(cordon.AuditFilter{Action: "contact.read", Record: "contact:" + itoa(r.ID)})
		if len(reads) != 1 || reads[0].Reason != "调度" || reads[0].Username != cmd.Username {
			t.Errorf("audited reads: %+v", reads)
		}
		if n := len(s.audit(cordon.AuditFilter{Action: "contact.create"})); n != 3 {
			t.Errorf("%d contact.create entries, want 3", n)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Secondary contacts under cn-9, refused under cn-20; a secondary
// contact's source must be a close contact and not the person themselves.
func TestSecondaryContacts(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		c := newContactSetup(t, s, "cn-9")
		b := c.add(closeTo(s.person().ID, c.index.ID, cordon.SituationHousehold, cst("2022-02-07 20:00")))
		d := s.person(named("黄次密"))
		sec := cordon.ContactInput{ContactIdentity: cordon.ContactIdentity{PersonID: d.ID},
			Exposure: cordon.ExposureInput{SourceContact: b.ID, Situation: cordon.SituationWorkplace, LastAt: cst("2022-02-08 07:00")}}
		r := c.add(sec)
		if r.Kind != cordon.SecondaryContact || r.Exposures[0].Kind != cordon.SecondaryContact || r.Exposures[0].SourceContact != b.ID ||
			!r.Transfer.Due.Equal(r.IdentifiedAt.Add(12*time.Hour)) || len(r.Warnings) != 0 {
			t.Fatalf("secondary contact: %+v", r)
		}
		// cn-9: 7 days of isolation at home.
		if k := r.Control; k == nil || k.Population != "secondary_contact" || k.HomeDays != 7 || k.Until != "2022-02-15" {
			t.Errorf("control: %+v", r.Control)
		}
		// Before the close contact's first exposure: warned.
		early := sec
		early.ContactIdentity = cordon.ContactIdentity{PersonID: s.person().ID}
		early.Exposure.LastAt = cst("2022-02-01 12:00")
		if w := c.add(early); !warned(w, app.WarnOutsideWindow) {
			t.Errorf("before the close contact's exposure: %+v", w.Warnings)
		}
		third := sec
		third.ContactIdentity = cordon.ContactIdentity{PersonID: s.person().ID}
		third.Exposure.SourceContact = r.ID
		_, err := s.app.AddContact(s.ctx, c.epi, third)
		wantError(t, err, cordon.KindInvalid, "contact.source_not_close")
		self := sec
		self.ContactIdentity = cordon.ContactIdentity{PersonID: b.PersonID}
		_, err = s.app.AddContact(s.ctx, c.epi, self)
		wantError(t, err, cordon.KindInvalid, "contact.is_source_contact")
		mixed := sec
		mixed.Exposure.Kind = cordon.CloseContact
		_, err = s.app.AddContact(s.ctx, c.epi, mixed)
		wantError(t, err, cordon.KindInvalid, "contact.close_needs_case")

		// The 20 measures identify no secondary contacts.
		c.edition("cn-20")
		sec.ContactIdentity = cordon.ContactIdentity{PersonID: s.person().ID}
		_, err = s.app.AddContact(s.ctx, c.epi, sec)
		e := wantError(t, err, cordon.KindInvalid, "contact.secondary_not_identified")
		if e.Extra["edition"] != "cn-20" {
			t.Errorf("refusal names %v", e.Extra)
		}
		// A secondary contact found before the change has no control
		// measure under cn-20.
		got, err := s.app.Contact(s.ctx, c.epi, r.ID, "")
		if err != nil || got.Control != nil {
			t.Errorf("a secondary contact under cn-20: %+v %v", got.Control, err)
		}
	})
}

// A close contact who tests positive becomes a case with a probable link
// from their source case; under cn-9 their secondary contacts become
// close contacts of the new case, under cn-8 they stay secondary.
func TestContactBecomesCase(t *testing.T) {
	for _, tc := range []struct {
		edition string
		upgrade bool
	}{{"cn-8", false}, {"gx-2022-01", false}, {"cn-9", true}} {
		t.Run(tc.edition, func(t *testing.T) {
			onBothDatabases(t, func(t *testing.T, s *testingSetup) {
				c := newContactSetup(t, s, tc.edition)
				bp := s.person(named("黄阳转"))
				b := c.add(closeTo(bp.ID, c.index.ID, cordon.SituationHousehold, cst("2022-02-07 20:00")))
				d := c.add(cordon.ContactInput{ContactIdentity: cordon.ContactIdentity{PersonID: s.person().ID},
					Exposure: cordon.ExposureInput{SourceContact: b.ID, Situation: cordon.SituationMeal, LastAt: cst("2022-02-07 19:00")}})
				s.clock.Advance(3 * time.Hour)
				bc := c.openCase(bp, "2022-02-08")

				got, err := s.app.Contact(s.ctx, c.epi, b.ID, "")
				if err != nil || got.Status != cordon.ContactBecameCase || got.CaseID != bc.ID || got.BecameCaseAt.IsZero() {
					t.Fatalf("the contact who tested positive: %+v %v", got, err)
				}
				v, err := s.app.Chains(s.ctx, c.epi)
				if err != nil {
					t.Fatal(err)
				}
				var link *cordon.Link
				for i, l := range v.Links {
					if l.From == c.index.ID && l.To == bc.ID {
						link = &v.Links[i]
					}
				}
				if link == nil || link.Confidence != cordon.LinkProbable || !strings.Contains(link.Evidence, "同住") {
					t.Fatalf("links: %+v", v.Links)
				}
				if p, _ := v.Case(c.index.ID); p.Contacts != 1 || p.Secondary != 1 {
					t.Errorf("the index case in the chains: %+v", p)
				}
				sec, err := s.app.Contact(s.ctx, c.epi, d.ID, "")
				if err != nil {
					t.Fatal(err)
				}
				if !tc.upgrade {
					if sec.Kind != cordon.SecondaryContact || len(sec.Exposures) != 1 {
						t.Errorf("%s upgraded a secondary contact: %+v", tc.edition, sec)
					}
					if n := len(s.audit(cordon.AuditFilter{Action: "contact.upgrade"})); n != 0 {
						t.Errorf("%d upgrades audited", n)
					}
					return
				}
				if sec.Kind != cordon.CloseContact || len(sec.Exposures) != 2 || sec.Exposures[0].Active() || sec.Exposures[0].SupersededBy != sec.Exposures[1].ID ||
					sec.Exposures[1].SourceCase != bc.ID || sec.Exposures[1].Kind != cordon.CloseContact || !sec.Exposures[1].Active() {
					t.Fatalf("upgraded: %+v", sec.Exposures)
				}
				// Identified as a close contact at the opening: the 8 h
				// clock runs from then.
				if !sec.IdentifiedAt.Equal(bc.ReportedAt) || !sec.Transfer.Due.Equal(bc.ReportedAt.Add(8*time.Hour)) {
					t.Errorf("clock after the upgrade: %v %+v", sec.IdentifiedAt, sec.Transfer)
				}
				if n := len(s.audit(cordon.AuditFilter{Action: "contact.upgrade", Record: "contact:" + itoa(d.ID)})); n != 1 {
					t.Errorf("%d upgrades audited", n)
				}
				list, err := s.app.CaseContacts(s.ctx, c.epi, bc.ID, 0, 10)
				if err != nil || len(list) != 1 || list[0].ID != d.ID {
					t.Errorf("contacts of the new case: %+v %v", list, err)
				}
			})
		})
	}
}

// A contact entered by name and ID number before the person was
// registered becomes the case opened for that person; one entered by
// name and phone only does not, until matched.
func TestUnmatchedContactBecomesCase(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		c := newContactSetup(t, s, "cn-9")
		id := idNumber(debao, 900+s.next())
		u := c.add(cordon.ContactInput{ContactIdentity: cordon.ContactIdentity{Name: "韦未登记", IDNumber: id},
			Exposure: cordon.ExposureInput{SourceCase: c.index.ID, Situation: cordon.SituationEntertainment, LastAt: cst("2022-02-05 22:00")}})
		p := s.person(named("韦未登记"), withDocument(cordon.DocCitizenID, id))
		k := c.openCase(p, "2022-02-08")
		got, err := s.app.Contact(s.ctx, c.epi, u.ID, "")
		if err != nil || got.Status != cordon.ContactBecameCase || got.CaseID != k.ID {
			t.Errorf("matched by document at the opening: %+v %v", got, err)
		}
	})
}

// Matching links unmatched contacts by ID number, else phone and name;
// several candidates wait for a choice by hand; two records of one person
// merge, keeping both.
func TestMatchAndMergeContacts(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		c := newContactSetup(t, s, "cn-9")
		meal := func(id cordon.ContactIdentity, caseID int64) cordon.ContactResult {
			return c.add(cordon.ContactInput{ContactIdentity: id,
				Exposure: cordon.ExposureInput{SourceCase: caseID, Situation: cordon.SituationMeal, LastAt: cst("2022-02-06 19:00")}})
		}
		byPhone := meal(cordon.ContactIdentity{Name: "黄五", Phone: "13907761005"}, c.index.ID)
		idn := idNumber(debao, 800+s.next())
		byDoc := meal(cordon.ContactIdentity{Name: "李四", IDNumber: idn}, c.index.ID)
		twins := meal(cordon.ContactIdentity{Name: "王六", Phone: "13907761006"}, c.index.ID)
		nobody := meal(cordon.ContactIdentity{Name: "赵七", Phone: "13907761007"}, c.index.ID)
		p5 := s.person(named("黄五"), withPhone("13907761005"))
		p4 := s.person(named("李四改名"), withDocument(cordon.DocCitizenID, idn))
		w1 := s.person(named("王六"), withPhone("13907761006"))
		w2 := s.person(named("王六"), withPhone("13907761006"))
		s.person(named("赵七"), withPhone("13907761099")) // another phone: no candidate

		if _, err := s.app.MatchContacts(s.ctx, s.account(cordon.RoleCommander, debao).Actor()); cordon.ErrorKind(err) != cordon.KindForbidden {
			t.Errorf("a commander matching: %v", err)
		}
		m, err := s.app.MatchContacts(s.ctx, c.epi)
		if err != nil {
			t.Fatal(err)
		}
		matched := map[int64]cordon.ContactPersonLink{}
		for _, l := range m.Matched {
			matched[l.ContactID] = l
		}
		if l := matched[byPhone.ID]; l.PersonID != p5.ID || l.By != "phone_name" {
			t.Errorf("by phone and name: %+v", l)
		}
		if l := matched[byDoc.ID]; l.PersonID != p4.ID || l.By != "id_number" {
			t.Errorf("by ID number: %+v", l)
		}
		if len(m.Matched) != 2 || len(m.Ambiguous) != 1 || m.Ambiguous[0].ContactID != twins.ID || len(m.Ambiguous[0].Persons) != 2 || m.Unmatched != 1 {
			t.Fatalf("match: %+v", m)
		}
		got, _ := s.app.Contact(s.ctx, c.epi, byDoc.ID, "")
		if got.PersonID != p4.ID || got.Name != "李四改名" {
			t.Errorf("a matched contact shows the person: %+v", got)
		}
		// Run again: nothing new.
		if m, err := s.app.MatchContacts(s.ctx, c.epi); err != nil || len(m.Matched) != 0 || len(m.Ambiguous) != 1 {
			t.Errorf("second run: %+v %v", m, err)
		}
		// By hand.
		if l, err := s.app.LinkContactPerson(s.ctx, c.epi, twins.ID, w2.ID); err != nil || l.By != "hand" {
			t.Errorf("by hand: %+v %v", l, err)
		}
		_, err = s.app.LinkContactPerson(s.ctx, c.epi, twins.ID, w1.ID)
		wantError(t, err, cordon.KindConflict, "contact.matched_already")
		if n := len(s.audit(cordon.AuditFilter{Action: "contact.match"})); n != 3 {
			t.Errorf("%d matches audited, want 3", n)
		}
		// An ID number added later matches at once.
		got, _ = s.app.Contact(s.ctx, c.epi, nobody.ID, "")
		p7 := s.person(named("赵七"))
		got, err = s.app.UpdateContact(s.ctx, c.epi, nobody.ID, cordon.ContactUpdate{Name: got.Name, IDNumber: p7.IDNumber, Phone: got.Phone,
			Jurisdiction: got.Jurisdiction, Household: "赵家", Version: got.Version})
		if err != nil || got.PersonID != p7.ID || got.Household != "赵家" {
			t.Errorf("an ID number added: %+v %v", got, err)
		}
		_, err = s.app.UpdateContact(s.ctx, c.epi, nobody.ID, cordon.ContactUpdate{Jurisdiction: got.Jurisdiction, Version: 1})
		wantError(t, err, cordon.KindConflict, "contact.changed")
		_, err = s.app.UpdateContact(s.ctx, c.epi, nobody.ID, cordon.ContactUpdate{Name: "别名", Jurisdiction: got.Jurisdiction, Version: got.Version})
		wantError(t, err, cordon.KindInvalid, "contact.identity_from_person")

		// Two records of 黄五: the one matched, and one entered by name and
		// another phone for a second case, with the same banquet as well.
		second := c.openCase(s.person(), "2022-02-07")
		dup := meal(cordon.ContactIdentity{Name: "黄五", Phone: "13907761555"}, second.ID)
		dup = c.addExposure(dup.ID, cordon.ExposureInput{SourceCase: c.index.ID, Situation: cordon.SituationMeal,
			FirstAt: cst("2022-02-06 17:00"), LastAt: cst("2022-02-06 18:00")})
		_, err = s.app.MergeContacts(s.ctx, c.epi, byPhone.ID, dup.ID, "")
		wantError(t, err, cordon.KindInvalid, "contact.merge_reason_required")
		_, err = s.app.MergeContacts(s.ctx, c.epi, byPhone.ID, byPhone.ID, "同一人")
		wantError(t, err, cordon.KindInvalid, "contact.merge_self")
		_, err = s.app.MergeContacts(s.ctx, c.epi, byPhone.ID, byDoc.ID, "同一人")
		wantError(t, err, cordon.KindConflict, "contact.merge_different_persons")
		kept, err := s.app.MergeContacts(s.ctx, c.epi, byPhone.ID, dup.ID, "同一人，两个手机号")
		if err != nil {
			t.Fatal(err)
		}
		active := kept.ActiveExposures()
		if len(kept.Exposures) != 3 || len(active) != 2 || kept.PersonID != p5.ID {
			t.Fatalf("merged: %+v", kept.Exposures)
		}
		for _, e := range active {
			if e.SourceCase == c.index.ID && !e.FirstAt.Equal(cst("2022-02-06 17:00")) {
				t.Errorf("the shared exposure was not widened: %+v", e)
			}
		}
		dropped, err := s.app.Contact(s.ctx, c.epi, dup.ID, "")
		if err != nil || dropped.MergedInto != byPhone.ID {
			t.Errorf("the dropped record: %+v %v", dropped, err)
		}
		_, err = s.app.AddExposure(s.ctx, c.epi, dup.ID, cordon.ExposureInput{SourceCase: second.ID, Situation: cordon.SituationLift, LastAt: cst("2022-02-07 08:00")})
		if e := wantError(t, err, cordon.KindConflict, "contact.merged"); e.Extra["id"] != byPhone.ID {
			t.Errorf("merged refusal names %v", e.Extra)
		}
		list, _ := s.app.Contacts(s.ctx, c.epi, cordon.ContactFilter{CaseID: second.ID})
		if len(list) != 1 || list[0].ID != byPhone.ID {
			t.Errorf("the second case's contacts after the merge: %+v", list)
		}
		if n := len(s.audit(cordon.AuditFilter{Action: "contact.merge"})); n != 2 {
			t.Errorf("%d merge entries, want 2", n)
		}
	})
}

func (c *contactSetup) addExposure(id int64, in cordon.ExposureInput) cordon.ContactResult {
	c.tb.Helper()
	r, err := c.app.AddExposure(c.ctx, c.epi, id, in)
	if err != nil {
		c.tb.Fatalf("AddExposure: %v", err)
	}
	return r
}

// Control stops the transfer clock; release ends contact management, and
// a new exposure of the person then opens a new record.
func TestContactControlAndRelease(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		c := newContactSetup(t, s, "cn-9")
		p := s.person()
		r := c.add(closeTo(p.ID, c.index.ID, cordon.SituationCanteen, cst("2022-02-07 12:00")))
		s.clock.Advance(9 * time.Hour)
		got, _ := s.app.Contact(s.ctx, c.epi, r.ID, "")
		if !got.Transfer.Overdue || !got.Transfer.DoneAt.IsZero() {
			t.Errorf("9 h after identification: %+v", got.Transfer)
		}
		_, err := s.app.ReleaseContact(s.ctx, c.epi, r.ID, time.Time{})
		wantError(t, err, cordon.KindConflict, "contact.not_controlled")
		_, err = s.app.ControlContact(s.ctx, c.epi, r.ID, s.clock.Now().Add(time.Hour))
		wantError(t, err, cordon.KindInvalid, "contact.control_time_invalid")
		got, err = s.app.ControlContact(s.ctx, c.epi, r.ID, time.Time{})
		if err != nil || got.Status != cordon.ContactControlled || got.Transfer.DoneAt.IsZero() || !got.Transfer.Overdue {
			t.Fatalf("controlled late: %+v %v", got, err)
		}
		_, err = s.app.ControlContact(s.ctx, c.epi, r.ID, time.Time{})
		wantError(t, err, cordon.KindConflict, "contact.not_identified")
		st, err := s.app.PersonContactStanding(s.ctx, c.epi, p.ID, "")
		if err != nil || !st.Under || st.ContactID != r.ID || st.Kind != cordon.CloseContact || st.Status != cordon.ContactControlled {
			t.Errorf("standing: %+v %v", st, err)
		}
		s.clock.Advance(24 * time.Hour)
		if got, err = s.app.ReleaseContact(s.ctx, c.epi, r.ID, time.Time{}); err != nil || got.Status != cordon.ContactReleased {
			t.Fatalf("released: %+v %v", got, err)
		}
		_, err = s.app.AddExposure(s.ctx, c.epi, r.ID, cordon.ExposureInput{SourceCase: c.index.ID, Situation: cordon.SituationLift, LastAt: cst("2022-02-07 13:00")})
		wantError(t, err, cordon.KindConflict, "contact.closed")
		if st, _ := s.app.PersonContactStanding(s.ctx, c.epi, p.ID, ""); st.Under || len(st.Records) != 1 {
			t.Errorf("standing after release: %+v", st)
		}
		second := c.openCase(s.person(), "2022-02-09")
		again := c.add(closeTo(p.ID, second.ID, cordon.SituationLift, cst("2022-02-09 08:00")))
		if !again.Created || again.ID == r.ID {
			t.Errorf("a released contact exposed again: %+v", again)
		}
		if st, _ := s.app.PersonContactStanding(s.ctx, c.epi, p.ID, ""); !st.Under || st.ContactID != again.ID || len(st.Records) != 2 {
			t.Errorf("standing with a new record: %+v", st)
		}
		if len(s.audit(cordon.AuditFilter{Action: "contact.control"})) != 1 || len(s.audit(cordon.AuditFilter{Action: "contact.release"})) != 1 {
			t.Error("control and release are audited")
		}
	})
}

// Lists filter by case, kind, status, household and matching; every
// listed contact is audited; the chains count the close contacts.
func TestContactListsAndLineList(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		c := newContactSetup(t, s, "cn-9")
		home := func(p cordon.Person) cordon.ContactResult {
			in := closeTo(p.ID, c.index.ID, cordon.SituationHousehold, cst("2022-02-07 22:00"))
			in.Household = "陇意屯12号"
			return c.add(in)
		}
		h1, h2 := home(s.person()), home(s.person())
		meal := c.add(cordon.ContactInput{ContactIdentity: cordon.ContactIdentity{Name: "韦客人", Phone: "13907762001"},
			Exposure: cordon.ExposureInput{SourceCase: c.index.ID, Situation: cordon.SituationMeal, LastAt: cst("2022-02-06 20:00")}})
		sec := c.add(cordon.ContactInput{ContactIdentity: cordon.ContactIdentity{PersonID: s.person().ID},
			Exposure: cordon.ExposureInput{SourceContact: h1.ID, Situation: cordon.SituationWorkplace, LastAt: cst("2022-02-07 17:00")}})
		if _, err := s.app.ControlContact(s.ctx, c.epi, h2.ID, time.Time{}); err != nil {
			t.Fatal(err)
		}
		ids := func(f cordon.ContactFilter) []int64 {
			t.Helper()
			cs, err := s.app.Contacts(s.ctx, c.epi, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []int64
			for _, c := range cs {
				out = append(out, c.ID)
			}
			return out
		}
		eq := func(name string, got []int64, want ...int64) {
			t.Helper()
			if len(got) != len(want) {
				t.Errorf("%s: %v, want %v", name, got, want)
				return
			}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("%s: %v, want %v", name, got, want)
					return
				}
			}
		}
		eq("case", ids(cordon.ContactFilter{CaseID: c.index.ID}), meal.ID, h2.ID, h1.ID)
		eq("secondary of h1", ids(cordon.ContactFilter{SourceContact: h1.ID}), sec.ID)
		eq("kind", ids(cordon.ContactFilter{Kind: cordon.SecondaryContact}), sec.ID)
		eq("status", ids(cordon.ContactFilter{Status: cordon.ContactControlled}), h2.ID)
		eq("household", ids(cordon.ContactFilter{Household: "陇意屯12号"}), h2.ID, h1.ID)
		eq("unmatched", ids(cordon.ContactFilter{Unmatched: true}), meal.ID)
		eq("cursor", ids(cordon.ContactFilter{After: h2.ID, Limit: 1}), h1.ID)
		if _, err := s.app.Contacts(s.ctx, c.epi, cordon.ContactFilter{Kind: "distant"}); cordon.ErrorCode(err) != "contact.kind_invalid" {
			t.Errorf("unknown kind: %v", err)
		}
		if hs, err := s.app.ContactHouseholds(s.ctx, c.epi, c.index.ID); err != nil || len(hs) != 1 || hs[0] != "陇意屯12号" {
			t.Errorf("households: %v %v", hs, err)
		}
		if e := s.audit(cordon.AuditFilter{Action: "contact.list"}); len(e) == 0 || !strings.Contains(e[len(e)-1].Detail, itoa(meal.ID)) {
			t.Errorf("lists are audited: %+v", e)
		}
		v, err := s.app.Chains(s.ctx, c.epi)
		if err != nil {
			t.Fatal(err)
		}
		if p, _ := v.Case(c.index.ID); p.Contacts != 3 {
			t.Errorf("close contacts of the index case in the chains: %+v", p)
		}

		// The line list, masked for a commander, audited.
		var buf bytes.Buffer
		cmd := s.account(cordon.RoleCommander, baise).Actor()
		if err := s.app.ContactLineList(s.ctx, cmd, cordon.ContactFilter{CaseID: c.index.ID}, "csv", &buf); err != nil {
			t.Fatal(err)
		}
		csv := buf.String()
		if !strings.HasPrefix(csv, "\uFEFF密接编号,姓名,证件号码,联系电话,类别,状态") || !strings.Contains(csv, "韦客人") ||
			!strings.Contains(csv, "139****2001") || strings.Contains(csv, "13907762001") || !strings.Contains(csv, "已管控") ||
			!strings.Contains(csv, "陇意屯12号") || !strings.Contains(csv, "病例#"+itoa(c.index.ID)) || strings.Count(csv, "\r\n") != 4 {
			t.Errorf("line list:\n%s", csv)
		}
		buf.Reset()
		if err := s.app.ContactLineList(s.ctx, c.epi, cordon.ContactFilter{}, "xlsx", &buf); err != nil || !bytes.HasPrefix(buf.Bytes(), []byte("PK")) {
			t.Errorf("xlsx: %v", err)
		}
		if err := s.app.ContactLineList(s.ctx, c.epi, cordon.ContactFilter{}, "pdf", &buf); cordon.ErrorCode(err) != "linelist.format" {
			t.Errorf("pdf: %v", err)
		}
		if n := len(s.audit(cordon.AuditFilter{Action: "contact.line_list"})); n != 2 {
			t.Errorf("%d line lists audited", n)
		}
	})
}

// The companion search turns a companion into a close contact with one
// call; the same companion twice is the same exposure.
func TestCompanionBecomesContact(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		c := newContactSetup(t, s, "cn-9")
		hotel, err := s.app.CreateVenue(s.ctx, app.System, cordon.VenueInput{Name: "德保宾馆", Category: cordon.VenueHotel, Jurisdiction: chengdong})
		if err != nil {
			t.Fatal(err)
		}
		p := s.person()
		in := cordon.ContactInput{ContactIdentity: cordon.ContactIdentity{PersonID: p.ID},
			Exposure: cordon.CompanionExposure(c.index.ID, hotel.ID, cst("2022-02-05 20:00"), cst("2022-02-05 20:40"))}
		r := c.add(in)
		e := r.Exposures[0]
		if !r.Created || r.Kind != cordon.CloseContact || e.Situation != cordon.SituationCompanion || e.VenueID != hotel.ID ||
			!e.FirstAt.Equal(cst("2022-02-05 20:00")) || !e.LastAt.Equal(cst("2022-02-05 20:40")) {
			t.Fatalf("companion: %+v", r)
		}
		if again := c.add(in); again.Created || len(again.Exposures) != 1 {
			t.Errorf("the same companion twice: %+v", again)
		}
		in.Exposure.VenueID = 999999
		_, err = s.app.AddContact(s.ctx, c.epi, in)
		wantError(t, err, cordon.KindNotFound, "venue.not_found")
		in.Exposure = cordon.ExposureInput{SourceCase: c.index.ID, Situation: cordon.SituationCompanion, LastAt: cst("2022-02-05 20:00")}
		_, err = s.app.AddContact(s.ctx, c.epi, in)
		wantError(t, err, cordon.KindInvalid, "contact.invalid")
	})
}

// The contact permissions of each role.
func TestContactPermissions(t *testing.T) {
	for _, tc := range []struct {
		role        cordon.Role
		read, write bool
	}{
		{cordon.RoleAdmin, true, true},
		{cordon.RoleCommander, true, false},
		{cordon.RoleEpidemiologist, true, true},
		{cordon.RoleGridWorker, true, true},
		{cordon.RoleIsolationSite, true, false},
		{cordon.RoleSampler, false, false},
		{cordon.RoleLab, false, false},
		{cordon.RoleCheckpoint, false, false},
		{cordon.RoleViewer, false, false},
	} {
		if tc.role.Can(cordon.PermContactRead) != tc.read || tc.role.Can(cordon.PermContactWrite) != tc.write {
			t.Errorf("%s: read %v write %v, want %v %v", tc.role, tc.role.Can(cordon.PermContactRead), tc.role.Can(cordon.PermContactWrite), tc.read, tc.write)
		}
	}
}

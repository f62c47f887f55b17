package cordon

import (
	"testing"
	"time"
)

func bjt(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, ChinaTime)
	if err != nil {
		panic(err)
	}
	return t
}

func TestExposureInputValidate(t *testing.T) {
	now := bjt("2022-02-08 09:00")
	last := bjt("2022-02-07 20:00")
	cases := []struct {
		name string
		in   ExposureInput
		code string
		kind ContactKind
	}{
		{"close from a case", ExposureInput{SourceCase: 1, Situation: SituationHousehold, LastAt: last}, "", CloseContact},
		{"secondary from a contact", ExposureInput{SourceContact: 1, Situation: SituationMeal, LastAt: last}, "", SecondaryContact},
		{"no source", ExposureInput{Situation: SituationHousehold, LastAt: last}, "contact.source_required", ""},
		{"two sources", ExposureInput{SourceCase: 1, SourceContact: 2, Situation: SituationHousehold, LastAt: last}, "contact.source_ambiguous", ""},
		{"close from a contact", ExposureInput{Kind: CloseContact, SourceContact: 2, Situation: SituationHousehold, LastAt: last}, "contact.close_needs_case", ""},
		{"secondary from a case", ExposureInput{Kind: SecondaryContact, SourceCase: 2, Situation: SituationHousehold, LastAt: last}, "contact.secondary_needs_contact", ""},
		{"unknown situation", ExposureInput{SourceCase: 1, Situation: "dance", LastAt: last}, "contact.situation_invalid", ""},
		{"no last exposure", ExposureInput{SourceCase: 1, Situation: SituationLift}, "contact.last_exposure_required", ""},
		{"in the future", ExposureInput{SourceCase: 1, Situation: SituationLift, LastAt: now.Add(time.Minute)}, "contact.exposure_in_future", ""},
		{"too old", ExposureInput{SourceCase: 1, Situation: SituationLift, LastAt: now.AddDate(0, -4, 0)}, "contact.exposure_too_old", ""},
		{"first after last", ExposureInput{SourceCase: 1, Situation: SituationLift, FirstAt: now, LastAt: last}, "contact.exposure_order", ""},
		{"venue without companion", ExposureInput{SourceCase: 1, Situation: SituationLift, VenueID: 3, LastAt: last}, "contact.venue_companion_only", ""},
		{"companion without venue", ExposureInput{SourceCase: 1, Situation: SituationCompanion, OverlapFrom: last.Add(-time.Hour), OverlapTo: last}, "contact.venue_required", ""},
		{"companion", CompanionExposure(1, 3, last.Add(-time.Hour), last), "", CloseContact},
		{"note with markup", ExposureInput{SourceCase: 1, Situation: SituationLift, LastAt: last, Note: "<b>"}, "contact.note_invalid", ""},
	}
	for _, c := range cases {
		in := c.in
		err := in.Validate(now)
		if got := ErrorCode(err); err == nil && c.code != "" || err != nil && got != c.code {
			t.Errorf("%s: %v, want %q", c.name, err, c.code)
		}
		if c.kind != "" && in.Kind != c.kind {
			t.Errorf("%s: kind %q, want %q", c.name, in.Kind, c.kind)
		}
	}
	in := CompanionExposure(1, 3, last.Add(-time.Hour), last)
	if err := in.Validate(now); err != nil || !in.FirstAt.Equal(last.Add(-time.Hour)) || !in.LastAt.Equal(last) {
		t.Errorf("a companion's exposure is its overlap: %+v %v", in, err)
	}
}

func TestContactIdentityValidate(t *testing.T) {
	r := PersonRules{KnownAddress: func(string) bool { return true }, Now: bjt("2022-02-08 09:00")}
	id := "45102419800101001" + string(CitizenIDCheck("45102419800101001"))
	for _, c := range []struct {
		in   ContactIdentity
		code string
	}{
		{ContactIdentity{PersonID: 5}, ""},
		{ContactIdentity{PersonID: 5, Name: "黄"}, "contact.identity_twice"},
		{ContactIdentity{Name: "黄", Phone: "139 0776 1234"}, ""},
		{ContactIdentity{Name: "黄", IDNumber: id}, ""},
		{ContactIdentity{Name: "黄"}, "contact.phone_or_id_required"},
		{ContactIdentity{Phone: "13907761234"}, "person.name_required"},
		{ContactIdentity{Name: "黄", Phone: "12345"}, "person.phone_invalid"},
		{ContactIdentity{Name: "黄", IDNumber: "451024198001010010"}, "person.id_number_invalid"},
	} {
		in := c.in
		err := in.Validate(r)
		if got := ErrorCode(err); err == nil && c.code != "" || err != nil && got != c.code {
			t.Errorf("%+v: %v, want %q", c.in, err, c.code)
		}
	}
}

// The editions' control periods count from the day after the last
// exposure; cn-20 has none for secondary contacts.
func TestContactControl(t *testing.T) {
	last := bjt("2022-02-04 23:30")
	ed := func(k string) Policy {
		p, ok := Edition(k)
		if !ok {
			t.Fatalf("no edition %s", k)
		}
		return p
	}
	for _, c := range []struct {
		edition, kind         string
		from, central, until  string
		centralDays, homeDays int
	}{
		{"cn-8", "close", "2022-02-05", "2022-02-18", "2022-02-25", 14, 7},
		{"cn-8", "secondary", "2022-02-05", "2022-02-11", "2022-02-11", 7, 0},
		{"cn-9", "close", "2022-02-05", "2022-02-11", "2022-02-14", 7, 3},
		{"cn-9", "secondary", "2022-02-05", "", "2022-02-11", 0, 7},
		{"cn-20", "close", "2022-02-05", "2022-02-09", "2022-02-12", 5, 3},
	} {
		k := ContactControl(ed(c.edition), ContactKind(c.kind), last)
		if k == nil || k.From != c.from || k.CentralisedUntil != c.central || k.Until != c.until || k.CentralisedDays != c.centralDays || k.HomeDays != c.homeDays {
			t.Errorf("%s %s: %+v", c.edition, c.kind, k)
		}
	}
	if k := ContactControl(ed("cn-20"), SecondaryContact, last); k != nil {
		t.Errorf("cn-20 controls secondary contacts: %+v", k)
	}
	if k := ContactControl(ed("cn-9"), CloseContact, time.Time{}); k != nil {
		t.Errorf("no last exposure: %+v", k)
	}
}

func TestContactTransferClock(t *testing.T) {
	p, _ := Edition("cn-9")
	at := bjt("2022-02-08 09:00")
	c := Contact{Kind: CloseContact, Status: ContactIdentified, IdentifiedAt: at}
	if k := ContactTransferClock(p, c, at.Add(7*time.Hour)); k.Overdue || !k.Due.Equal(at.Add(8*time.Hour)) {
		t.Errorf("within 8 h: %+v", k)
	}
	if k := ContactTransferClock(p, c, at.Add(9*time.Hour)); !k.Overdue {
		t.Errorf("after 8 h: %+v", k)
	}
	c.Kind = SecondaryContact
	if k := ContactTransferClock(p, c, at.Add(9*time.Hour)); k.Overdue || !k.Due.Equal(at.Add(12*time.Hour)) {
		t.Errorf("a secondary contact after 9 h: %+v", k)
	}
	if err := c.PutUnderControl(at.Add(13*time.Hour), at.Add(14*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if k := ContactTransferClock(p, c, at.Add(20*time.Hour)); !k.Overdue || !k.DoneAt.Equal(at.Add(13*time.Hour)) {
		t.Errorf("controlled late: %+v", k)
	}
	// Controlled as a secondary contact within 12 h, upgraded to close
	// (cn-9) a day later: the clock was met.
	up := Contact{Kind: CloseContact, Status: ContactControlled, IdentifiedAt: at, ControlledAt: at.Add(10 * time.Hour),
		Exposures: []ContactExposure{{Kind: SecondaryContact, CreatedAt: at, SupersededAt: at.Add(24 * time.Hour)}, {Kind: CloseContact, CreatedAt: at.Add(24 * time.Hour)}}}
	if k := ContactTransferClock(p, up, at.Add(30*time.Hour)); k.Overdue || !k.Due.Equal(at.Add(12*time.Hour)) {
		t.Errorf("controlled before the upgrade: %+v", k)
	}
	// Upgraded 2 h after identification and not yet controlled: 8 h from
	// the upgrade end first.
	up.Status, up.ControlledAt = ContactIdentified, time.Time{}
	up.Exposures[1].CreatedAt = at.Add(2 * time.Hour)
	if k := ContactTransferClock(p, up, at.Add(11*time.Hour)); !k.Overdue || !k.Due.Equal(at.Add(10*time.Hour)) {
		t.Errorf("upgraded, uncontrolled: %+v", k)
	}
}

func TestContactTransitions(t *testing.T) {
	at := bjt("2022-02-08 09:00")
	c := Contact{Status: ContactIdentified, IdentifiedAt: at}
	if err := c.Release(at, at); ErrorCode(err) != "contact.not_controlled" {
		t.Errorf("release before control: %v", err)
	}
	if err := c.PutUnderControl(at.Add(2*time.Hour), at.Add(time.Hour)); ErrorCode(err) != "contact.control_time_invalid" {
		t.Errorf("control in the future: %v", err)
	}
	if err := c.PutUnderControl(time.Time{}, at.Add(time.Hour)); err != nil || !c.ControlledAt.Equal(at.Add(time.Hour)) {
		t.Errorf("control now: %+v %v", c, err)
	}
	if err := c.PutUnderControl(time.Time{}, at); ErrorCode(err) != "contact.not_identified" {
		t.Errorf("control twice: %v", err)
	}
	if err := c.Release(at, at.Add(2*time.Hour)); ErrorCode(err) != "contact.release_time_invalid" {
		t.Errorf("release before the control: %v", err)
	}
	if err := c.BecomeCase(7, at.Add(3*time.Hour)); err != nil || c.Status != ContactBecameCase || c.CaseID != 7 {
		t.Errorf("became a case: %+v %v", c, err)
	}
	if err := c.BecomeCase(8, at); ErrorCode(err) != "contact.became_case_already" {
		t.Errorf("a case twice: %v", err)
	}
}

func TestExposureWindows(t *testing.T) {
	p, _ := Edition("cn-9")
	k := Case{Classification: Confirmed, OnsetDate: "2022-02-06", ReportedAt: bjt("2022-02-08 09:00"), DetectedAt: bjt("2022-02-08 07:00")}
	from, to := p.ContactWindow(k, CaseUnderControlAt(k))
	if !from.Equal(bjt("2022-02-02 00:00")) || !to.Equal(bjt("2022-02-08 09:00")) {
		t.Fatalf("window %v..%v", from, to)
	}
	for _, c := range []struct {
		first, last string
		outside     bool
	}{
		{"2021-12-01 00:00", "2022-02-07 20:00", false}, // lived together for months
		{"2022-01-29 18:00", "2022-01-29 21:00", true},  // the banquet before the window
		{"2022-02-08 10:00", "2022-02-08 10:30", true},  // after the case's control
		{"2022-02-08 08:00", "2022-02-08 10:30", false},
	} {
		if got := ExposureOutside(bjt(c.first), bjt(c.last), from, to); got != c.outside {
			t.Errorf("%s..%s: outside %v", c.first, c.last, got)
		}
	}
	src := Contact{ControlledAt: bjt("2022-02-08 12:00"), Exposures: []ContactExposure{
		{Kind: CloseContact, FirstAt: bjt("2022-02-05 18:00"), LastAt: bjt("2022-02-05 21:00")},
		{Kind: CloseContact, FirstAt: bjt("2022-02-03 18:00"), LastAt: bjt("2022-02-03 21:00"), SupersededAt: bjt("2022-02-08 09:00")},
	}}
	if from, to := SecondaryWindow(src); !from.Equal(bjt("2022-02-05 18:00")) || !to.Equal(src.ControlledAt) {
		t.Errorf("secondary window %v..%v", from, to)
	}
}

func TestStandingAndMergeState(t *testing.T) {
	at := bjt("2022-02-08 09:00")
	records := []Contact{
		{ID: 1, Kind: CloseContact, Status: ContactReleased, LastExposure: at.AddDate(0, 0, -20)},
		{ID: 2, Kind: SecondaryContact, Status: ContactIdentified, LastExposure: at},
		{ID: 3, Kind: CloseContact, Status: ContactControlled, LastExposure: at.Add(-time.Hour)},
	}
	s := StandingOf(9, records)
	if !s.Under || s.ContactID != 3 || s.Kind != CloseContact || s.Status != ContactControlled || len(s.Records) != 3 || s.Records[0] != 3 {
		t.Errorf("standing: %+v", s)
	}
	if s := StandingOf(9, records[:1]); s.Under || len(s.Records) != 1 {
		t.Errorf("released only: %+v", s)
	}

	keep := Contact{Status: ContactReleased, IdentifiedAt: at, ControlledAt: at, ReleasedAt: at.Add(time.Hour)}
	drop := Contact{Status: ContactIdentified, IdentifiedAt: at.Add(-time.Hour)}
	m := MergeState(keep, drop)
	if m.Status != ContactIdentified || !m.IdentifiedAt.Equal(at.Add(-time.Hour)) || !m.ReleasedAt.IsZero() || !m.ControlledAt.IsZero() {
		t.Errorf("released + identified: %+v", m)
	}
	keep = Contact{Status: ContactControlled, IdentifiedAt: at, ControlledAt: at.Add(2 * time.Hour)}
	drop = Contact{Status: ContactControlled, IdentifiedAt: at, ControlledAt: at.Add(time.Hour)}
	if m := MergeState(keep, drop); m.Status != ContactControlled || !m.ControlledAt.Equal(at.Add(time.Hour)) {
		t.Errorf("both controlled: %+v", m)
	}
	drop = Contact{Status: ContactBecameCase, CaseID: 4, BecameCaseAt: at}
	if m := MergeState(keep, drop); m.Status != ContactBecameCase || m.CaseID != 4 {
		t.Errorf("a case wins: %+v", m)
	}
}

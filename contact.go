package cordon

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Contacts (密切接触者 and 密接的密接) are people under contact management
// because they were exposed to a case, or to a close contact of one. A
// contact is one record per person and episode, with one exposure per
// source: a household member who also ate at the banquet is one contact
// with two exposures. The record carries who the person is (a registered
// person, or a name and phone until matched to one), where they are (the
// responsible jurisdiction), their household, and where contact management
// stands: identified, under control, released, or turned into a case.

// ContactKind is how close a contact is to a case.
type ContactKind string

const (
	CloseContact     ContactKind = "close"     // 密切接触者: exposed to a case
	SecondaryContact ContactKind = "secondary" // 密接的密接: exposed to a close contact
)

// ContactKinds lists the kinds, closest first.
var ContactKinds = []ContactKind{CloseContact, SecondaryContact}

// Valid reports whether k is a known kind.
func (k ContactKind) Valid() bool { return slices.Contains(ContactKinds, k) }

// Population is the key of the kind's control measures in a policy
// edition (Policy.Measures).
func (k ContactKind) Population() string {
	if k == SecondaryContact {
		return "secondary_contact"
	}
	return "close_contact"
}

// ContactStatus is where contact management of a contact stands.
type ContactStatus string

const (
	ContactIdentified ContactStatus = "identified"  // 已判定: found, not yet under control
	ContactControlled ContactStatus = "controlled"  // 已管控: quarantined or isolated at home
	ContactReleased   ContactStatus = "released"    // 已解除
	ContactBecameCase ContactStatus = "became_case" // 转为病例: tested positive; CaseID names the case
)

// ContactStatuses lists the statuses in the order they are reached.
var ContactStatuses = []ContactStatus{ContactIdentified, ContactControlled, ContactReleased, ContactBecameCase}

// Valid reports whether s is a known status.
func (s ContactStatus) Valid() bool { return slices.Contains(ContactStatuses, s) }

// Open reports whether contact management is still running: the contact is
// identified or under control. A new exposure of the same person joins an
// open record; a released contact or a case starts a new one.
func (s ContactStatus) Open() bool { return s == ContactIdentified || s == ContactControlled }

// Situation is how an exposure happened (RULES.md, close contacts).
type Situation string

const (
	SituationHousehold     Situation = "household"     // 同住
	SituationCarer         Situation = "carer"         // 护理
	SituationWorkplace     Situation = "workplace"     // 同工作/学习场所: office, workshop, class
	SituationLift          Situation = "lift"          // 同电梯
	SituationCanteen       Situation = "canteen"       // 同食堂
	SituationMeal          Situation = "shared_meal"   // 共同就餐
	SituationEntertainment Situation = "entertainment" // 共同娱乐
	SituationVisitor       Situation = "visitor"       // 探视
	SituationVehicle       Situation = "vehicle"       // 同乘交通工具 (within 1 m)
	SituationEnvironment   Situation = "environment"   // 环境暴露: a contaminated environment
	SituationCompanion     Situation = "companion"     // 时空伴随: scan-ins at one venue overlapped
	SituationJudgement     Situation = "judgement"     // 研判: the investigator's judgement
)

// Situations lists the situations in the order forms offer them.
var Situations = []Situation{SituationHousehold, SituationCarer, SituationWorkplace, SituationLift, SituationCanteen, SituationMeal,
	SituationEntertainment, SituationVisitor, SituationVehicle, SituationEnvironment, SituationCompanion, SituationJudgement}

// Valid reports whether s is a known situation.
func (s Situation) Valid() bool { return slices.Contains(Situations, s) }

// situationNames are the situations as Chinese line lists and evidence
// texts write them.
var situationNames = map[Situation]string{
	SituationHousehold: "同住", SituationCarer: "护理", SituationWorkplace: "同工作/学习场所", SituationLift: "同电梯",
	SituationCanteen: "同食堂", SituationMeal: "共同就餐", SituationEntertainment: "共同娱乐", SituationVisitor: "探视",
	SituationVehicle: "同乘交通工具", SituationEnvironment: "环境暴露", SituationCompanion: "时空伴随", SituationJudgement: "研判",
}

// Chinese is the situation's name in the records people exchange (line
// lists, the evidence of a transmission link); pages translate it.
func (s Situation) Chinese() string {
	if n, ok := situationNames[s]; ok {
		return n
	}
	return string(s)
}

// ContactExposure is one exposure of a contact to one source: a case for a close
// exposure, a close contact for a secondary one. Exposures are never
// deleted: one replaced by another (a secondary exposure upgraded to a
// close one when its close contact turned positive, a duplicate folded in
// by a merge) is superseded and stays as history.
type ContactExposure struct {
	ID            int64       `json:"id"`
	ContactID     int64       `json:"contact_id"`
	Kind          ContactKind `json:"kind"`
	SourceCase    int64       `json:"source_case_id,omitempty"`    // close exposures
	SourceContact int64       `json:"source_contact_id,omitempty"` // secondary exposures
	Situation     Situation   `json:"situation"`
	VenueID       int64       `json:"venue_id,omitempty"` // companions: the venue where the stays overlapped
	OverlapFrom   time.Time   `json:"overlap_from,omitzero"`
	OverlapTo     time.Time   `json:"overlap_to,omitzero"`
	FirstAt       time.Time   `json:"first_exposure"`
	LastAt        time.Time   `json:"last_exposure"`
	Note          string      `json:"note,omitempty"`
	// OutsideWindow: the exposure lay outside the window of the rules in
	// force when it was recorded; it was accepted with a warning.
	OutsideWindow bool      `json:"outside_window,omitempty"`
	SupersededAt  time.Time `json:"superseded_at,omitzero"`
	SupersededBy  int64     `json:"superseded_by,omitempty"` // the exposure that replaced it
	MovedFrom     int64     `json:"moved_from,omitempty"`    // the contact record it belonged to before a merge
	CreatedBy     string    `json:"created_by,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// Active reports whether the exposure counts: it was not superseded.
func (e ContactExposure) Active() bool { return e.SupersededAt.IsZero() }

// Source is the id of the exposure's source, whichever kind it is.
func (e ContactExposure) Source() int64 {
	if e.Kind == SecondaryContact {
		return e.SourceContact
	}
	return e.SourceCase
}

// Contact is a person under contact management.
type Contact struct {
	ID       int64 `json:"id"`
	PersonID int64 `json:"person_id,omitempty"` // zero until matched to a registered person
	// Name, IDNumber and Phone are the registered person's once matched,
	// the values entered before. IDNumber and Phone are masked unless the
	// reader's role reads them in full.
	Name     string  `json:"name"`
	DocType  DocType `json:"doc_type,omitempty"`
	IDNumber string  `json:"id_number,omitempty"`
	Phone    string  `json:"phone,omitempty"`
	Masked   bool    `json:"masked"`
	// Kind is close when any active exposure is close.
	Kind         ContactKind   `json:"kind"`
	Status       ContactStatus `json:"status"`
	Jurisdiction string        `json:"jurisdiction"` // where the contact is, responsible for them
	// Household groups the contacts who live together (a label such as
	// "陇意屯12号"): lists group by it, control follows it.
	Household string `json:"household,omitempty"`
	Note      string `json:"note,omitempty"`
	// IdentifiedAt starts the transfer clock: the first exposure's
	// recording, or the upgrade of a secondary contact to a close one.
	IdentifiedAt  time.Time         `json:"identified_at"`
	ControlledAt  time.Time         `json:"controlled_at,omitzero"`
	ReleasedAt    time.Time         `json:"released_at,omitzero"`
	CaseID        int64             `json:"case_id,omitempty"` // the case the contact became
	BecameCaseAt  time.Time         `json:"became_case_at,omitzero"`
	MergedInto    int64             `json:"merged_into,omitempty"`
	FirstExposure time.Time         `json:"first_exposure,omitzero"` // over the active exposures
	LastExposure  time.Time         `json:"last_exposure,omitzero"`  // control periods count from it
	Exposures     []ContactExposure `json:"exposures"`
	// Transfer is the clock of the transfer to control (RULES.md: close
	// contacts within 8 h of identification, secondary contacts 12 h),
	// stopped by ControlledAt. Control is the control the edition in force
	// expects, counted from the last exposure; nil when the edition has no
	// measure for the kind.
	Transfer  Clock          `json:"transfer"`
	Control   *ControlPeriod `json:"control,omitempty"`
	CreatedAt time.Time      `json:"created_at"`
	UpdatedAt time.Time      `json:"updated_at"`
	Version   int            `json:"version"`
}

// Mask replaces the identity number and phone with their masked forms.
func (c *Contact) Mask() {
	if c.Masked {
		return
	}
	c.IDNumber = MaskDocNumber(c.IDNumber)
	c.Phone = MaskPhone(c.Phone)
	c.Masked = true
}

// ActiveExposures returns the exposures that count, oldest first.
func (c Contact) ActiveExposures() []ContactExposure {
	var out []ContactExposure
	for _, e := range c.Exposures {
		if e.Active() {
			out = append(out, e)
		}
	}
	return out
}

// Matched reports whether the contact is linked to a registered person.
func (c Contact) Matched() bool { return c.PersonID != 0 }

// ControlPeriod is the control a contact is expected to get under the
// edition in force, counted from the last exposure: day 1 is the day after
// it (China time).
type ControlPeriod struct {
	Population string `json:"population"` // close_contact or secondary_contact
	Measure
	From             string `json:"from"`                        // day 1, YYYY-MM-DD
	CentralisedUntil string `json:"centralised_until,omitempty"` // the last day of centralised quarantine
	Until            string `json:"until"`                       // the last day of control
}

// ContactControl is the control period of a contact of the kind whose last
// exposure was at last, under the policy; nil when the policy has no
// measure for the kind (cn-20 identifies no secondary contacts) or the last
// exposure is unknown.
func ContactControl(p Policy, kind ContactKind, last time.Time) *ControlPeriod {
	m := p.Measures[kind.Population()]
	if m == nil || last.IsZero() {
		return nil
	}
	y, mo, d := last.In(ChinaTime).Date()
	day0 := time.Date(y, mo, d, 0, 0, 0, 0, ChinaTime)
	out := &ControlPeriod{Population: kind.Population(), Measure: *m, From: day0.AddDate(0, 0, 1).Format(time.DateOnly)}
	if m.CentralisedDays > 0 {
		out.CentralisedUntil = day0.AddDate(0, 0, m.CentralisedDays).Format(time.DateOnly)
	}
	out.Until = day0.AddDate(0, 0, max(m.CentralisedDays+m.HomeDays, 1)).Format(time.DateOnly)
	return out
}

// ContactTransferClock is the clock of a contact's transfer to control:
// due ContactTransferHours (close) or SecondaryTransferHours (secondary)
// after identification, done when the contact was put under control.
// A contact who became a case before being controlled stops the clock
// then: the case's clocks take over.
func ContactTransferClock(p Policy, c Contact, now time.Time) Clock {
	closeH := time.Duration(p.Clocks.ContactTransferHours) * time.Hour
	secondaryH := time.Duration(p.Clocks.SecondaryTransferHours) * time.Hour
	due := c.IdentifiedAt.Add(closeH)
	if c.Kind == SecondaryContact {
		due = c.IdentifiedAt.Add(secondaryH)
	} else if closeSince := firstCloseExposure(c); closeSince.After(c.IdentifiedAt) {
		// Identified as a secondary contact and upgraded since: the 12 h
		// of a secondary contact ran until the upgrade, the 8 h of a close
		// one from it, whichever ends first.
		due = c.IdentifiedAt.Add(secondaryH)
		if d := closeSince.Add(closeH); d.Before(due) {
			due = d
		}
	}
	k := Clock{Step: "transfer", Due: due, DoneAt: c.ControlledAt}
	if k.DoneAt.IsZero() && !c.Status.Open() {
		// Released or a case without being recorded as controlled: the
		// clock no longer runs, but it was not met either.
		k.DoneAt = c.BecameCaseAt
		if k.DoneAt.IsZero() {
			k.DoneAt = c.ReleasedAt
		}
	}
	k.Overdue = k.DoneAt.IsZero() && now.After(k.Due) || !k.DoneAt.IsZero() && k.DoneAt.After(k.Due)
	return k
}

// firstCloseExposure is when the contact's first close exposure was
// recorded (zero when it has none).
func firstCloseExposure(c Contact) time.Time {
	var first time.Time
	for _, e := range c.Exposures {
		if e.Kind == CloseContact && (first.IsZero() || e.CreatedAt.Before(first)) {
			first = e.CreatedAt
		}
	}
	return first
}

// CaseUnderControlAt is when a case was put under control, which ends the
// exposure window of its close contacts. A case is isolated once reported:
// until control orders record the transfer itself, the online report (the
// case's opening in cordon) stands for it, or the detection when the
// report is unknown.
func CaseUnderControlAt(c Case) time.Time {
	if !c.ReportedAt.IsZero() {
		return c.ReportedAt
	}
	return c.DetectedAt
}

// SecondaryWindow is the exposure window of a close contact's secondary
// contacts (RULES.md): from the close contact's first exposure until the
// close contact was put under control; the end is zero while they are not.
func SecondaryWindow(source Contact) (from, to time.Time) {
	for _, e := range source.Exposures {
		if e.Active() && e.Kind == CloseContact && (from.IsZero() || e.FirstAt.Before(from)) {
			from = e.FirstAt
		}
	}
	return from, source.ControlledAt
}

// ExposureOutside reports whether an exposure from first to last lies
// wholly outside the window from..to: it ended before the window opened,
// or began after it closed (to zero: the window is still open). A
// household member who lived with the case for years is inside as long as
// the exposure reaches into the window.
func ExposureOutside(first, last, from, to time.Time) bool {
	return !from.IsZero() && last.Before(from) || !to.IsZero() && first.After(to)
}

// ContactWarning is something an operation accepted but the caller should know:
// an exposure outside the window of the edition in force. Code is stable
// like an error's ("contact.exposure_outside_window").
type ContactWarning struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// ExposureInput records an exposure. The kind follows from the source when
// it is left out: a source case makes a close exposure, a source contact a
// secondary one.
type ExposureInput struct {
	Kind          ContactKind `json:"kind,omitempty"`
	SourceCase    int64       `json:"source_case_id,omitempty"`
	SourceContact int64       `json:"source_contact_id,omitempty"`
	Situation     Situation   `json:"situation"`
	VenueID       int64       `json:"venue_id,omitempty"`
	OverlapFrom   time.Time   `json:"overlap_from,omitzero"`
	OverlapTo     time.Time   `json:"overlap_to,omitzero"`
	FirstAt       time.Time   `json:"first_exposure,omitzero"` // the last exposure when zero
	LastAt        time.Time   `json:"last_exposure,omitzero"`  // the overlap's end for a companion when zero
	Note          string      `json:"note,omitempty"`
}

// CompanionExposure is the exposure of a spatio-temporal companion (时空伴随)
// found by the companion search: their stay at the venue overlapped the
// case's from from to to. AddContact with it turns a companion into a close
// contact of the case.
func CompanionExposure(caseID, venueID int64, from, to time.Time) ExposureInput {
	return ExposureInput{Kind: CloseContact, SourceCase: caseID, Situation: SituationCompanion, VenueID: venueID, OverlapFrom: from, OverlapTo: to}
}

// MaxExposureAge bounds how far back an exposure may be recorded: well
// beyond any window, short enough to catch a mistyped year.
const MaxExposureAge = 90 * 24 * time.Hour

// maxNote bounds free-text notes, in characters.
const maxNote = 500

// Validate normalises the exposure and checks it on its own: the app
// checks the source, the window and the venue. Times in the future are
// refused; so is a first exposure after the last.
func (in *ExposureInput) Validate(now time.Time) error {
	var v Invalid
	v.Code = "contact.exposure_invalid"
	switch {
	case in.SourceCase != 0 && in.SourceContact != 0:
		v.Add("source_contact_id", "contact.source_ambiguous")
	case in.SourceCase == 0 && in.SourceContact == 0:
		v.Add("source_case_id", "contact.source_required")
	case in.Kind == "" && in.SourceCase != 0:
		in.Kind = CloseContact
	case in.Kind == "":
		in.Kind = SecondaryContact
	}
	switch {
	case in.Kind != "" && !in.Kind.Valid():
		v.Add("kind", "contact.kind_invalid")
	case in.Kind == CloseContact && in.SourceCase == 0 && in.SourceContact != 0:
		v.Add("source_case_id", "contact.close_needs_case")
	case in.Kind == SecondaryContact && in.SourceContact == 0 && in.SourceCase != 0:
		v.Add("source_contact_id", "contact.secondary_needs_contact")
	}
	if in.SourceCase < 0 || in.SourceContact < 0 {
		v.Add("source_case_id", "contact.source_required")
	}
	if !in.Situation.Valid() {
		v.Add("situation", "contact.situation_invalid")
	}
	if in.Situation == SituationCompanion {
		if in.VenueID <= 0 {
			v.Add("venue_id", "contact.venue_required")
		}
		if in.OverlapFrom.IsZero() || in.OverlapTo.IsZero() || !in.OverlapFrom.Before(in.OverlapTo) {
			v.Add("overlap_from", "contact.overlap_invalid")
		} else {
			if in.FirstAt.IsZero() {
				in.FirstAt = in.OverlapFrom
			}
			if in.LastAt.IsZero() {
				in.LastAt = in.OverlapTo
			}
		}
	} else if in.VenueID != 0 || !in.OverlapFrom.IsZero() || !in.OverlapTo.IsZero() {
		v.Add("venue_id", "contact.venue_companion_only")
	}
	firstGiven := !in.FirstAt.IsZero()
	if in.LastAt.IsZero() {
		v.Add("last_exposure", "contact.last_exposure_required")
	} else if !firstGiven {
		in.FirstAt = in.LastAt
	}
	in.FirstAt, in.LastAt = in.FirstAt.UTC(), in.LastAt.UTC()
	in.OverlapFrom, in.OverlapTo = in.OverlapFrom.UTC(), in.OverlapTo.UTC()
	for _, t := range []struct {
		field string
		at    time.Time
	}{{"first_exposure", in.FirstAt}, {"last_exposure", in.LastAt}, {"overlap_from", in.OverlapFrom}, {"overlap_to", in.OverlapTo}} {
		switch {
		case t.at.IsZero() || t.field == "first_exposure" && !firstGiven:
		case t.at.After(now):
			v.Add(t.field, "contact.exposure_in_future")
		case t.at.Before(now.Add(-MaxExposureAge)):
			v.Add(t.field, "contact.exposure_too_old")
		}
	}
	if !in.LastAt.IsZero() && in.FirstAt.After(in.LastAt) {
		v.Add("first_exposure", "contact.exposure_order")
	}
	in.Note = strings.TrimSpace(in.Note)
	if !freeText(in.Note, maxNote) {
		v.Add("note", "contact.note_invalid")
	}
	return v.Err()
}

// freeText reports whether s is acceptable free text of at most n
// characters: valid UTF-8, no markup brackets, no NUL.
func freeText(s string, n int) bool {
	return utf8.ValidString(s) && utf8.RuneCountInString(s) <= n && !strings.ContainsAny(s, "<>\x00")
}

// ContactIdentity is who a contact is, as entered: a registered person,
// or a name with a phone or an identity document until matched to one.
type ContactIdentity struct {
	PersonID int64   `json:"person_id,omitempty"`
	Name     string  `json:"name,omitempty"`
	DocType  DocType `json:"doc_type,omitempty"`
	IDNumber string  `json:"id_number,omitempty"`
	Phone    string  `json:"phone,omitempty"`
}

// Validate normalises and checks the identity: a person id alone, or a
// name with a phone or an ID number (the keys matching goes by later).
func (in *ContactIdentity) Validate(r PersonRules) error {
	var v Invalid
	v.Code = "contact.invalid"
	in.Name = strings.TrimSpace(in.Name)
	in.IDNumber = strings.TrimSpace(in.IDNumber)
	in.Phone = strings.TrimSpace(in.Phone)
	if in.PersonID != 0 {
		if in.PersonID < 0 {
			v.Add("person_id", "person.not_found")
		}
		if in.Name != "" || in.IDNumber != "" || in.Phone != "" {
			v.Add("person_id", "contact.identity_twice")
		}
		return v.Err()
	}
	switch n := utf8.RuneCountInString(in.Name); {
	case n == 0:
		v.Add("name", "person.name_required")
	case n > 64 || !utf8.ValidString(in.Name) || strings.ContainsAny(in.Name, "<>\"'&;\\\x00\r\n\t"):
		v.Add("name", "person.name_invalid")
	}
	if in.IDNumber != "" {
		if in.DocType == "" {
			in.DocType = DocCitizenID
		}
		switch {
		case !in.DocType.Valid():
			v.Add("doc_type", "person.doc_type_invalid")
		case in.DocType == DocCitizenID:
			id, err := ParseCitizenID(in.IDNumber, r.KnownAddress, r.Now)
			if err != nil {
				v.Add("id_number", "person.id_number_invalid")
			} else {
				in.IDNumber = id.Number
			}
		default:
			in.IDNumber = NormalizeDocNumber(in.IDNumber)
			if !ValidDocNumber(in.IDNumber) {
				v.Add("id_number", "person.id_number_invalid")
			}
		}
	} else {
		in.DocType = ""
	}
	if in.Phone != "" {
		ph, ok := NormalizePhone(in.Phone)
		if !ok {
			v.Add("phone", "person.phone_invalid")
		}
		in.Phone = ph
	}
	if in.IDNumber == "" && in.Phone == "" {
		v.Add("phone", "contact.phone_or_id_required")
	}
	return v.Err()
}

// ContactInput adds a contact: who, where, and the exposure that makes
// them one. The same person with the same source again updates that
// exposure instead of adding a second contact.
type ContactInput struct {
	ContactIdentity
	// Jurisdiction responsible for the contact: where they are. The
	// registered person's current place, else the source's, when empty.
	Jurisdiction string        `json:"jurisdiction,omitempty"`
	Household    string        `json:"household,omitempty"`
	Note         string        `json:"note,omitempty"`
	Exposure     ExposureInput `json:"exposure"`
}

// maxHousehold bounds a household label, in characters.
const maxHousehold = 64

// Validate normalises and checks the input on its own.
func (in *ContactInput) Validate(r PersonRules) error {
	var v Invalid
	v.Code = "contact.invalid"
	add := func(err error) {
		if e, ok := err.(*Error); ok {
			for f, c := range e.Fields {
				v.Add(f, c)
			}
		}
	}
	add(in.ContactIdentity.Validate(r))
	add(in.Exposure.Validate(r.Now))
	add(checkContactFields(&in.Jurisdiction, &in.Household, &in.Note))
	return v.Err()
}

// checkContactFields normalises and checks the fields a contact has
// besides its identity and exposures.
func checkContactFields(jurisdiction, household, note *string) error {
	var v Invalid
	v.Code = "contact.invalid"
	*jurisdiction = strings.TrimSpace(*jurisdiction)
	if *jurisdiction != "" {
		if _, ok := LevelOf(*jurisdiction); !ok {
			v.Add("jurisdiction", "jurisdiction.unknown")
		}
	}
	*household = strings.Join(strings.Fields(*household), " ")
	if !freeText(*household, maxHousehold) {
		v.Add("household", "contact.household_invalid")
	}
	*note = strings.TrimSpace(*note)
	if !freeText(*note, maxNote) {
		v.Add("note", "contact.note_invalid")
	}
	return v.Err()
}

// ContactUpdate replaces a contact's own fields. The identity can be
// changed only while the contact is not matched to a registered person
// (a matched contact's identity is the person's); an ID number added to an
// unmatched contact matches it at once when a person holds that number.
type ContactUpdate struct {
	Name         string  `json:"name,omitempty"`
	DocType      DocType `json:"doc_type,omitempty"`
	IDNumber     string  `json:"id_number,omitempty"`
	Phone        string  `json:"phone,omitempty"`
	Jurisdiction string  `json:"jurisdiction"`
	Household    string  `json:"household"`
	Note         string  `json:"note"`
	Version      int     `json:"version"` // the version read; required
}

// Validate normalises and checks the fields other than the identity.
func (in *ContactUpdate) Validate() error {
	var v Invalid
	v.Code = "contact.invalid"
	if err := checkContactFields(&in.Jurisdiction, &in.Household, &in.Note); err != nil {
		for f, c := range err.(*Error).Fields {
			v.Add(f, c)
		}
	}
	if in.Jurisdiction == "" {
		v.Add("jurisdiction", "jurisdiction.unknown")
	}
	if in.Version < 1 {
		v.Add("version", "contact.version_required")
	}
	return v.Err()
}

// ContactFilter selects contacts. Every filter is further confined to the
// caller's subtree by internal/app.
type ContactFilter struct {
	CaseID        int64         // traced to this case: an active exposure with it as the source
	SourceContact int64         // secondary contacts of this close contact
	PersonID      int64         // records of this registered person
	Kind          ContactKind   // close or secondary
	Status        ContactStatus // one status
	Household     string        // exact label
	Unmatched     bool          // not yet linked to a registered person
	After         int64         // cursor: contacts with a smaller id (newest first)
	Limit         int
}

// Validate checks the filter's values.
func (f *ContactFilter) Validate() error {
	var v Invalid
	v.Code = "contact.filter_invalid"
	if f.Kind != "" && !f.Kind.Valid() {
		v.Add("kind", "contact.kind_invalid")
	}
	if f.Status != "" && !f.Status.Valid() {
		v.Add("status", "contact.status_invalid")
	}
	f.Household = strings.Join(strings.Fields(f.Household), " ")
	if !freeText(f.Household, maxHousehold) {
		v.Add("household", "contact.household_invalid")
	}
	if f.CaseID < 0 || f.SourceContact < 0 || f.PersonID < 0 {
		v.Add("case", "contact.filter_invalid")
	}
	return v.Err()
}

// ContactResult is the answer to adding a contact or an exposure: the
// contact as it now stands, whether the record is new, and any warnings
// (an exposure outside the window is accepted but warned about).
type ContactResult struct {
	Contact
	Created  bool             `json:"created"`
	Warnings []ContactWarning `json:"warnings,omitempty"`
}

// ContactMatch is what a matching run did: the unmatched contacts linked
// to a person, those with several candidates, and how many found none.
type ContactMatch struct {
	Matched   []ContactPersonLink `json:"matched"`
	Ambiguous []ContactCandidates `json:"ambiguous"`
	Unmatched int                 `json:"unmatched"` // no candidate
	// Duplicates are contacts linked to a person who already had another
	// open contact record: candidates for a merge.
	Duplicates []ContactPersonLink `json:"duplicates,omitempty"`
}

// ContactPersonLink is a contact linked to a person, and how.
type ContactPersonLink struct {
	ContactID int64  `json:"contact_id"`
	PersonID  int64  `json:"person_id"`
	By        string `json:"by"` // id_number, phone_name, hand
	Other     int64  `json:"other_contact_id,omitempty"`
}

// ContactCandidates is an unmatched contact that more than one person fits.
type ContactCandidates struct {
	ContactID int64   `json:"contact_id"`
	Persons   []int64 `json:"person_ids"`
}

// ContactStanding is where a person stands in contact management, for the
// rules that depend on it (a red health code for a close or secondary
// contact, A4; control orders).
type ContactStanding struct {
	PersonID int64 `json:"person_id"`
	// Under: the person has an open contact record (identified or under
	// control); the fields below describe it.
	Under        bool          `json:"under"`
	ContactID    int64         `json:"contact_id,omitempty"`
	Kind         ContactKind   `json:"kind,omitempty"`
	Status       ContactStatus `json:"status,omitempty"`
	LastExposure time.Time     `json:"last_exposure,omitzero"`
	// CaseID is the case the person became through a contact record, when
	// one did.
	CaseID int64 `json:"case_id,omitempty"`
	// Records lists every contact record of the person, newest first.
	Records []int64 `json:"records"`
}

// StandingOf sums up a person's contact records: the open record of the
// closest kind (the latest last exposure among equals) stands for them.
func StandingOf(personID int64, records []Contact) ContactStanding {
	s := ContactStanding{PersonID: personID, Records: []int64{}}
	var best *Contact
	for i := range records {
		c := &records[i]
		s.Records = append(s.Records, c.ID)
		if c.Status == ContactBecameCase && s.CaseID == 0 {
			s.CaseID = c.CaseID
		}
		if !c.Status.Open() || c.MergedInto != 0 {
			continue
		}
		if best == nil || c.Kind == CloseContact && best.Kind != CloseContact ||
			c.Kind == best.Kind && c.LastExposure.After(best.LastExposure) {
			best = c
		}
	}
	slices.Sort(s.Records)
	slices.Reverse(s.Records)
	if best != nil {
		s.Under, s.ContactID, s.Kind, s.Status, s.LastExposure = true, best.ID, best.Kind, best.Status, best.LastExposure
	}
	return s
}

// ContactKindOf is a contact's kind from its exposures: close when any
// active exposure is close.
func ContactKindOf(exposures []ContactExposure) ContactKind {
	kind := SecondaryContact
	for _, e := range exposures {
		if e.Active() && e.Kind == CloseContact {
			return CloseContact
		}
	}
	return kind
}

// PutUnderControl records that the contact was transferred to control at
// at (quarantine, or isolation at home), which stops the transfer clock.
// Only an identified contact can be; at may not lie in the future nor
// before the contact was identified by more than a day (a contact already
// quarantined for another reason when traced).
func (c *Contact) PutUnderControl(at, now time.Time) error {
	if c.Status != ContactIdentified {
		return Errorf(KindConflict, "contact.not_identified", "only an identified contact can be put under control; this one is %s", c.Status)
	}
	if at.IsZero() {
		at = now
	}
	if at.After(now) || at.Before(c.IdentifiedAt.Add(-MaxExposureAge)) {
		return Errorf(KindInvalid, "contact.control_time_invalid", "the time of control is in the future or too far back").WithField("at", "contact.control_time_invalid")
	}
	c.Status, c.ControlledAt = ContactControlled, at.UTC()
	return nil
}

// Release records that contact management of a contact under control
// ended at at: the control period ran out with negative tests.
func (c *Contact) Release(at, now time.Time) error {
	if c.Status != ContactControlled {
		return Errorf(KindConflict, "contact.not_controlled", "only a contact under control can be released; this one is %s", c.Status)
	}
	if at.IsZero() {
		at = now
	}
	if at.After(now) || at.Before(c.ControlledAt) {
		return Errorf(KindInvalid, "contact.release_time_invalid", "the release is in the future or before the control began").WithField("at", "contact.release_time_invalid")
	}
	c.Status, c.ReleasedAt = ContactReleased, at.UTC()
	return nil
}

// BecomeCase records that the contact tested positive and is now the
// case caseID; the record stays, with the link to the case.
func (c *Contact) BecomeCase(caseID int64, at time.Time) error {
	if c.Status == ContactBecameCase {
		return Errorf(KindConflict, "contact.became_case_already", "the contact is case %d already", c.CaseID)
	}
	c.Status, c.CaseID, c.BecameCaseAt = ContactBecameCase, caseID, at.UTC()
	return nil
}

// MergeState is the state of a contact record that another record of the
// same person was merged into: the furthest of the two along contact
// management (a case, then under control, then identified, then
// released: a released record merged with an open one stays open, since
// the open one still needs control), with the earliest identification
// and control.
func MergeState(keep, drop Contact) Contact {
	rank := map[ContactStatus]int{ContactReleased: 0, ContactIdentified: 1, ContactControlled: 2, ContactBecameCase: 3}
	out := keep
	if rank[drop.Status] > rank[keep.Status] {
		out.Status, out.CaseID, out.BecameCaseAt, out.ControlledAt, out.ReleasedAt = drop.Status, drop.CaseID, drop.BecameCaseAt, drop.ControlledAt, drop.ReleasedAt
	}
	for _, x := range []Contact{keep, drop} {
		if out.Status == ContactControlled && !x.ControlledAt.IsZero() && x.ControlledAt.Before(out.ControlledAt) {
			out.ControlledAt = x.ControlledAt
		}
	}
	if !drop.IdentifiedAt.IsZero() && drop.IdentifiedAt.Before(out.IdentifiedAt) {
		out.IdentifiedAt = drop.IdentifiedAt
	}
	if out.Status.Open() {
		out.ReleasedAt = time.Time{}
	}
	if out.Status != ContactControlled && out.Status != ContactReleased && out.Status != ContactBecameCase {
		out.ControlledAt = time.Time{}
	}
	return out
}

package cordon

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Assist requests (协查): a jurisdiction that finds people of interest who
// are, or live, elsewhere sends each county concerned a letter listing them
// and why. The receiving county assigns each person to a grid, finds,
// contacts, tests and controls them, or reports them not found or moved on
// (and forwards them), within 24 hours of receipt.

// AssistDue is how long the receiver has to reach a final outcome for each
// person from receipt.
const AssistDue = 24 * time.Hour

// AssistStatus is where one person of a request stands.
type AssistStatus string

const (
	AssistPending    AssistStatus = "pending"    // 待核查
	AssistLocated    AssistStatus = "located"    // 已落位
	AssistContacted  AssistStatus = "contacted"  // 已联系
	AssistTested     AssistStatus = "tested"     // 已采样检测
	AssistControlled AssistStatus = "controlled" // 已管控 (final)
	AssistNotFound   AssistStatus = "not_found"  // 查无此人 (final)
	AssistMovedOn    AssistStatus = "moved_on"   // 已离开，转协查 (final)
)

// AssistStatuses lists the statuses in the order of the work.
var AssistStatuses = []AssistStatus{AssistPending, AssistLocated, AssistContacted, AssistTested, AssistControlled, AssistNotFound, AssistMovedOn}

// Final reports whether the status closes the person's clock.
func (s AssistStatus) Final() bool {
	return s == AssistControlled || s == AssistNotFound || s == AssistMovedOn
}

// Rank orders the statuses of the work; a recorded outcome moves forward.
func (s AssistStatus) Rank() int { return slices.Index(AssistStatuses, s) }

// CheckAssistStep says whether a person at status from may be recorded at
// to: forward only, and never past a final status. Moving on is recorded
// by forwarding, not here.
func CheckAssistStep(from, to AssistStatus) error {
	switch {
	case from.Final():
		return Errorf(KindConflict, "assist.person_closed", "this person's outcome is final")
	case to == AssistPending || to == AssistMovedOn || to.Rank() < 0:
		return Errorf(KindInvalid, "assist.status_invalid", "record located, contacted, tested, controlled or not found").WithField("status", "assist.status_invalid")
	case to != AssistNotFound && to.Rank() <= from.Rank():
		return Errorf(KindConflict, "assist.status_backwards", "the person is at %s already", from)
	}
	return nil
}

// AssistSource is the channel that found the people of a request.
type AssistSource string

const (
	AssistBigData       AssistSource = "bigdata"       // 大数据推送
	AssistSelfReport    AssistSource = "self_report"   // 自主申报
	AssistScreening     AssistSource = "screening"     // 基层排查
	AssistCheckpoint    AssistSource = "checkpoint"    // 卡点
	AssistHub           AssistSource = "hub"           // 交通场站
	AssistInvestigation AssistSource = "investigation" // 流调
	AssistForward       AssistSource = "forward"       // 转协查
)

// AssistSources lists the sources in the order forms offer them.
var AssistSources = []AssistSource{AssistInvestigation, AssistBigData, AssistSelfReport, AssistScreening, AssistCheckpoint, AssistHub, AssistForward}

// AssistCounts counts the people of a request by status; Overdue counts
// those past due without a final outcome.
type AssistCounts struct {
	Total      int `json:"total"`
	Pending    int `json:"pending"`
	Located    int `json:"located"`
	Contacted  int `json:"contacted"`
	Tested     int `json:"tested"`
	Controlled int `json:"controlled"`
	NotFound   int `json:"not_found"`
	MovedOn    int `json:"moved_on"`
	Overdue    int `json:"overdue"`
}

// Add counts one person at a status.
func (c *AssistCounts) Add(s AssistStatus, overdue bool) {
	c.Total++
	switch s {
	case AssistPending:
		c.Pending++
	case AssistLocated:
		c.Located++
	case AssistContacted:
		c.Contacted++
	case AssistTested:
		c.Tested++
	case AssistControlled:
		c.Controlled++
	case AssistNotFound:
		c.NotFound++
	case AssistMovedOn:
		c.MovedOn++
	}
	if overdue {
		c.Overdue++
	}
}

// Done counts the people with a final outcome.
func (c AssistCounts) Done() int { return c.Controlled + c.NotFound + c.MovedOn }

// AssistRequest is one letter to one county. A request to a county served
// by another cordon instance is kept here as sent to that peer (PeerID);
// one received from a peer has OriginPeerID and the sender's id RemoteID.
type AssistRequest struct {
	ID           int64          `json:"id"`
	Number       string         `json:"number"` // e.g. 百色协查〔2022〕第0001号
	Sender       string         `json:"sender"` // jurisdiction code
	SenderName   string         `json:"sender_name"`
	SentBy       string         `json:"sent_by"` // the sender's account
	Target       string         `json:"target"`  // county code
	TargetName   string         `json:"target_name,omitempty"`
	Reason       string         `json:"reason"`
	Source       AssistSource   `json:"source"`
	Contact      string         `json:"contact,omitempty"` // whom the receiver calls back
	ParentID     int64          `json:"parent_id,omitempty"`
	PeerID       int64          `json:"peer_id,omitempty"`
	PeerName     string         `json:"peer_name,omitempty"`
	OriginPeerID int64          `json:"origin_peer_id,omitempty"`
	RemoteID     int64          `json:"remote_id,omitempty"`
	CreatedAt    time.Time      `json:"created_at"`
	ReceivedAt   time.Time      `json:"received_at,omitzero"`
	Counts       AssistCounts   `json:"counts"`
	People       []AssistPerson `json:"people,omitempty"`
}

// AssistPerson is one person of a request and how far the receiver got.
// PersonID is the receiver's person record (zero on the sending side of a
// request to a peer).
type AssistPerson struct {
	ID              int64        `json:"id"`
	RequestID       int64        `json:"request_id"`
	Pos             int          `json:"pos"` // 1.. in the letter; names the person between instances
	PersonID        int64        `json:"person_id,omitempty"`
	Name            string       `json:"name"`
	DocType         DocType      `json:"doc_type"`
	IDNumber        string       `json:"id_number"`
	Phone           string       `json:"phone,omitempty"`
	Residence       string       `json:"residence,omitempty"`
	Current         string       `json:"current,omitempty"`
	Places          string       `json:"places,omitempty"` // where they were, as the sender wrote it
	Note            string       `json:"note,omitempty"`   // why they are listed
	Grid            string       `json:"grid,omitempty"`
	Status          AssistStatus `json:"status"`
	DueAt           time.Time    `json:"due_at"`
	LocatedAt       time.Time    `json:"located_at,omitzero"`
	ContactedAt     time.Time    `json:"contacted_at,omitzero"`
	TestedAt        time.Time    `json:"tested_at,omitzero"`
	ControlledAt    time.Time    `json:"controlled_at,omitzero"`
	ClosedAt        time.Time    `json:"closed_at,omitzero"` // not found or moved on
	StatusNote      string       `json:"status_note,omitempty"`
	UpdatedBy       string       `json:"updated_by,omitempty"`
	UpdatedAt       time.Time    `json:"updated_at,omitzero"`
	ForwardedTo     int64        `json:"forwarded_to,omitempty"` // the request it went on in
	ForwardedTarget string       `json:"forwarded_target,omitempty"`
	Masked          bool         `json:"masked"`
}

// Overdue reports whether the person is past due at now without a final
// outcome: the rule that escalates them to the target's commanders.
func (p AssistPerson) Overdue(now time.Time) bool {
	return !p.Status.Final() && !p.DueAt.IsZero() && now.After(p.DueAt)
}

// StatusAt is when the person reached a status, zero if not (yet).
func (p AssistPerson) StatusAt(s AssistStatus) time.Time {
	switch s {
	case AssistLocated:
		return p.LocatedAt
	case AssistContacted:
		return p.ContactedAt
	case AssistTested:
		return p.TestedAt
	case AssistControlled:
		return p.ControlledAt
	case AssistNotFound, AssistMovedOn:
		return p.ClosedAt
	}
	return time.Time{}
}

// Mask replaces the identity number and phone with their masked forms.
func (p *AssistPerson) Mask() {
	if !p.Masked {
		p.IDNumber, p.Phone, p.Masked = MaskDocNumber(p.IDNumber), MaskPhone(p.Phone), true
	}
}

// AssistInput asks for assist requests: the people and why. The people are
// addressed to counties by CreateAssist, one request per county.
type AssistInput struct {
	Reason  string              `json:"reason"`
	Source  AssistSource        `json:"source"`
	Contact string              `json:"contact,omitempty"`
	People  []AssistPersonInput `json:"people"`
}

// AssistPersonInput is one person to ask about: a person record by id, or
// a person typed by name, identity number, phone and places. Line is the
// row of an uploaded list, for its row errors.
type AssistPersonInput struct {
	PersonID  int64   `json:"person_id,omitempty"`
	Name      string  `json:"name,omitempty"`
	DocType   DocType `json:"doc_type,omitempty"`
	IDNumber  string  `json:"id_number,omitempty"`
	Phone     string  `json:"phone,omitempty"`
	Residence string  `json:"residence,omitempty"` // jurisdiction code of the household address
	Current   string  `json:"current,omitempty"`   // jurisdiction code where they are now, if known
	Places    string  `json:"places,omitempty"`
	Note      string  `json:"note,omitempty"`
	Line      int     `json:"line,omitempty"`
}

// AssistRowError is a person of the input that was left out: its row (the
// line of an uploaded list, else the position from 1), field and code.
type AssistRowError struct {
	Line  int    `json:"line"`
	Field string `json:"field,omitempty"`
	Code  string `json:"code"`
}

// Validate checks the request's own fields.
func (in *AssistInput) Validate() error {
	var v Invalid
	v.Code = "assist.invalid"
	in.Reason, in.Contact = strings.TrimSpace(in.Reason), strings.TrimSpace(in.Contact)
	if in.Reason == "" || !freeText(in.Reason, 500) {
		v.Add("reason", "assist.reason_required")
	}
	if !freeText(in.Contact, 100) {
		v.Add("contact", "assist.contact_invalid")
	}
	if in.Source == "" {
		in.Source = AssistInvestigation
	}
	if !slices.Contains(AssistSources, in.Source) {
		v.Add("source", "assist.source_invalid")
	}
	if len(in.People) == 0 {
		v.Add("people", "assist.people_required")
	}
	if len(in.People) > MaxAssistPeople {
		v.Add("people", "assist.too_many_people")
	}
	return v.Err()
}

// MaxAssistPeople bounds one fan-out.
const MaxAssistPeople = 20000

// MaxAssistLetter bounds the people of one letter: more to one county go
// in several letters, each small enough to travel as one message to a
// peer instance (MaxPeerMessage) and to print.
const MaxAssistLetter = 400

// Validate normalises a typed person and checks it: known reports whether
// a jurisdiction code exists. A person given by id is checked by whoever
// reads the record. The first fault found is returned as a row error code
// and its field.
func (in *AssistPersonInput) Validate(r PersonRules, known func(string) bool) (field, code string) {
	in.Note, in.Places = strings.TrimSpace(in.Note), strings.TrimSpace(in.Places)
	if !freeText(in.Note, 200) {
		return "note", "assist.note_invalid"
	}
	if !freeText(in.Places, 300) {
		return "places", "assist.places_invalid"
	}
	if in.PersonID != 0 {
		return "", ""
	}
	pi := PersonInput{Name: in.Name, DocType: in.DocType, IDNumber: in.IDNumber, Phone: in.Phone, Residence: in.Residence, Current: in.Current}
	if pi.Residence == "" {
		pi.Residence = in.Current // only where they are now is known
	}
	p, err := pi.Validate(r)
	if e, ok := err.(*Error); ok {
		for _, f := range []string{"name", "doc_type", "id_number", "phone", "residence", "current"} {
			if c, ok := e.Fields[f]; ok {
				if c == "jurisdiction.unknown" {
					c = "assist.division_unknown"
				}
				if f == "id_number" {
					c = "assist.id_number_invalid"
				}
				return f, c
			}
		}
		return "", e.Code
	}
	in.Name, in.DocType, in.IDNumber, in.Phone = p.Name, p.DocType, p.IDNumber, p.Phone
	in.Residence, in.Current = strings.TrimSpace(in.Residence), strings.TrimSpace(in.Current)
	for _, f := range []struct{ name, code string }{{"residence", in.Residence}, {"current", in.Current}} {
		if f.code != "" && !known(f.code) {
			return f.name, "assist.division_unknown"
		}
	}
	return "", ""
}

// Key is what makes two rows the same person: the document, else the
// person record.
func (in AssistPersonInput) Key() string {
	if in.IDNumber != "" {
		return string(in.DocType) + ":" + in.IDNumber
	}
	return fmt.Sprint("person:", in.PersonID)
}

// MergeAssistNotes joins the notes (or places) of duplicate rows, each once.
func MergeAssistNotes(a, b string) string {
	switch {
	case b == "" || strings.Contains(a, b):
		return a
	case a == "":
		return b
	}
	return a + "；" + b
}

// AssistCounty is the county a person is addressed to: that of where they
// are now when known, else of their residence; "" when neither names a
// county or deeper.
func AssistCounty(current, residence string) string {
	for _, c := range []string{current, residence} {
		if l, ok := LevelOf(c); ok && l != LevelProvince && l != LevelCity {
			return c[:6]
		}
	}
	return ""
}

// ShortName is how a letter number names its sender: the jurisdiction's
// name without the word for its level (百色市 → 百色, 广西壮族自治区 → 广西).
func ShortName(name string) string {
	for _, suffix := range []string{"壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "社区居委会", "街道办事处", "自治区", "自治州", "自治县",
		"村委会", "居委会", "地区", "新区", "街道", "省", "市", "县", "区", "旗", "盟", "镇", "乡"} {
		if s, ok := strings.CutSuffix(name, suffix); ok && utf8.RuneCountInString(s) >= 2 {
			return s
		}
	}
	return name
}

// AssistNumber is a letter's number: 百色协查〔2022〕第0001号.
func AssistNumber(senderName string, year, seq int) string {
	return fmt.Sprintf("%s协查〔%d〕第%04d号", ShortName(senderName), year, seq)
}

// AssistOutcome is one outcome recorded for a person: a status with an
// optional note, at a time (now when zero).
type AssistOutcome struct {
	Status AssistStatus `json:"status"`
	Note   string       `json:"note,omitempty"`
	At     time.Time    `json:"at,omitzero"`
}

// Validate checks an outcome's own fields.
func (o *AssistOutcome) Validate(now time.Time) error {
	o.Note = strings.TrimSpace(o.Note)
	if !freeText(o.Note, 200) {
		return Errorf(KindInvalid, "assist.note_invalid", "the note is too long").WithField("note", "assist.note_invalid")
	}
	if o.At.IsZero() {
		o.At = now
	}
	if o.At.After(now.Add(5 * time.Minute)) {
		return Errorf(KindInvalid, "assist.time_invalid", "the time is in the future").WithField("at", "assist.time_invalid")
	}
	o.At = o.At.UTC().Truncate(time.Second)
	return nil
}

// AssistOverdue is a person past due, with the request they belong to: a
// line of the escalation list.
type AssistOverdue struct {
	AssistPerson
	Number     string `json:"number"`
	Target     string `json:"target"`
	TargetName string `json:"target_name,omitempty"`
	SenderName string `json:"sender_name"`
}

package cordon

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Lab is a testing laboratory (检测机构) with its daily capacity in tubes.
type Lab struct {
	ID           int64     `json:"id"`
	Name         string    `json:"name"`
	Jurisdiction string    `json:"jurisdiction"`
	Capacity     int       `json:"capacity_per_day"`
	CreatedAt    time.Time `json:"created_at"`
}

// LabInput creates a lab.
type LabInput struct {
	Name         string `json:"name"`
	Jurisdiction string `json:"jurisdiction"`
	Capacity     int    `json:"capacity_per_day"`
}

// Validate normalises and checks the input.
func (in *LabInput) Validate() (Lab, error) {
	var v Invalid
	v.Code = "lab.invalid"
	in.Name = strings.TrimSpace(in.Name)
	if n := utf8.RuneCountInString(in.Name); n == 0 || n > 100 || strings.ContainsAny(in.Name, "<>\x00") {
		v.Add("name", "lab.name_invalid")
	}
	if _, ok := LevelOf(in.Jurisdiction); !ok {
		v.Add("jurisdiction", "jurisdiction.unknown")
	}
	if in.Capacity < 0 || in.Capacity > 10_000_000 {
		v.Add("capacity_per_day", "lab.capacity_invalid")
	}
	return Lab{Name: in.Name, Jurisdiction: in.Jurisdiction, Capacity: in.Capacity}, v.Err()
}

// LabStatus is a lab's load: what it received and has not resulted, what it
// resulted in the last 24 hours, and tubes past their turnaround clock.
type LabStatus struct {
	Lab
	Backlog     int     `json:"backlog"`      // received, not resulted
	InTransit   int     `json:"in_transit"`   // sent to the lab, not received
	Resulted24h int     `json:"resulted_24h"` // results in the last 24 hours
	Utilisation float64 `json:"utilisation"`  // Resulted24h / capacity (0 when no capacity given)
	Overdue     int     `json:"overdue"`      // received or in transit past their due time
}

// Turnaround holds the result clocks: single tubes 6 h, pooled 24 h by the
// 2022 guide.
type Turnaround struct {
	Single time.Duration
	Pooled time.Duration
}

// DefaultTurnaround is the guide's service level.
var DefaultTurnaround = Turnaround{Single: 6 * time.Hour, Pooled: 24 * time.Hour}

// For returns the clock of a tube of the given pool size.
func (t Turnaround) For(poolSize int) time.Duration {
	if poolSize <= 1 {
		return t.Single
	}
	return t.Pooled
}

// Box is a transport box of tubes handed from a sampling point to a courier
// and on to a lab.
type Box struct {
	ID         int64     `json:"id"`
	Barcode    string    `json:"barcode"`
	PointID    int64     `json:"point_id"`
	LabID      int64     `json:"lab_id"`
	Courier    string    `json:"courier,omitempty"`
	TubeCount  int       `json:"tube_count"` // tubes handed over
	SentAt     time.Time `json:"sent_at"`
	ReceivedAt time.Time `json:"received_at,omitzero"`
	Received   int       `json:"received,omitempty"` // tubes the lab scanned out of the box
	Missing    []string  `json:"missing,omitempty"`  // handed over, not found at the lab
	Extra      []string  `json:"extra,omitempty"`    // found at the lab, not handed over in this box
}

// BoxInput hands a box of closed tubes to a courier for a lab.
type BoxInput struct {
	Barcode string   `json:"barcode"`
	PointID int64    `json:"point_id"`
	LabID   int64    `json:"lab_id"`
	Courier string   `json:"courier,omitempty"`
	Tubes   []string `json:"tubes"`
}

// MaxBoxTubes bounds a box; a real one holds a few hundred tubes.
const MaxBoxTubes = 2000

// Validate normalises and checks the input.
func (in *BoxInput) Validate() error {
	var v Invalid
	v.Code = "box.invalid"
	in.Barcode = strings.TrimSpace(in.Barcode)
	if !ValidBarcode(in.Barcode) {
		v.Add("barcode", "box.barcode_invalid")
	}
	if in.PointID <= 0 {
		v.Add("point_id", "point.not_found")
	}
	if in.LabID <= 0 {
		v.Add("lab_id", "lab.not_found")
	}
	in.Courier = strings.TrimSpace(in.Courier)
	if utf8.RuneCountInString(in.Courier) > 100 || strings.ContainsAny(in.Courier, "<>\x00") {
		v.Add("courier", "box.courier_invalid")
	}
	if len(in.Tubes) == 0 || len(in.Tubes) > MaxBoxTubes {
		v.Add("tubes", "box.tubes_invalid")
	}
	seen := make(map[string]bool, len(in.Tubes))
	for i, t := range in.Tubes {
		t = strings.TrimSpace(t)
		in.Tubes[i] = t
		if !ValidBarcode(t) || seen[t] {
			v.Add("tubes", "box.tubes_invalid")
		}
		seen[t] = true
	}
	return v.Err()
}

// LabResultInput is one tube's result as a lab reports it, whatever the
// file format it came in.
type LabResultInput struct {
	Line     int       `json:"line,omitempty"` // the row or message it came from, for error reports
	Barcode  string    `json:"barcode"`
	Outcome  Outcome   `json:"result"`
	CtORF1ab float64   `json:"ct_orf1ab,omitempty"`
	CtN      float64   `json:"ct_n,omitempty"`
	Observed time.Time `json:"time,omitzero"`
	Raw      string    `json:"-"` // as received, kept in the inbox when it cannot be applied
	// Unreadable is why the row could not be read; it goes to the inbox.
	Unreadable *Error `json:"-"`
}

// Check trims the barcode and says what makes the result unusable, or nil.
func (r *LabResultInput) Check() *Error {
	r.Barcode = strings.TrimSpace(r.Barcode)
	switch {
	case !ValidBarcode(r.Barcode):
		return Errorf(KindInvalid, "labfile.missing_barcode", "no valid tube barcode").WithField("barcode", "labfile.missing_barcode")
	case r.Outcome != OutcomePositive && r.Outcome != OutcomeNegative && r.Outcome != OutcomeInvalid:
		return Errorf(KindInvalid, "labfile.bad_result", "result %q is not positive, negative or invalid", r.Outcome).WithField("result", "labfile.bad_result")
	case r.CtORF1ab < 0 || r.CtORF1ab > 60 || r.CtN < 0 || r.CtN > 60:
		return Errorf(KindInvalid, "labfile.bad_ct", "a Ct value must lie between 0 and 60").WithField("ct", "labfile.bad_ct")
	}
	return nil
}

// LabUpload is the answer to a batch of results.
type LabUpload struct {
	Received int            `json:"received"` // rows or results read
	Matched  int            `json:"matched"`  // applied to a tube
	Inbox    int            `json:"inbox"`    // kept for a person to resolve
	Rejected int            `json:"rejected"` // refused and not kept; Errors says why
	Errors   []LabRowError  `json:"errors,omitempty"`
	Effects  LabEffects     `json:"effects"`
	Formats  map[string]int `json:"-"`
}

// LabRowError names a row that went to the inbox or was refused.
type LabRowError struct {
	Line    int    `json:"line"`
	Barcode string `json:"barcode,omitempty"`
	Code    string `json:"code"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
	Inbox   int64  `json:"inbox_id,omitempty"` // the inbox item it became, when kept
}

// LabEffects counts what the results set off.
type LabEffects struct {
	PositivePools int `json:"positive_pools"`
	Held          int `json:"held"`      // people put on a pending-retest hold
	Released      int `json:"released"`  // holds released by a negative retest
	Positives     int `json:"positives"` // positive single tubes raised to epidemiologists
	Resample      int `json:"resample"`  // people to sample again after an invalid result
}

// InboxItem is a lab result that could not be applied: an unknown barcode,
// an unreadable row, a result that contradicts an earlier one.
type InboxItem struct {
	ID         int64     `json:"id"`
	ReceivedAt time.Time `json:"received_at"`
	Format     string    `json:"format"`
	Barcode    string    `json:"barcode,omitempty"`
	Code       string    `json:"code"`
	Message    string    `json:"message"`
	Raw        string    `json:"raw"`
	Submitter  string    `json:"submitter"`
	Resolved   bool      `json:"resolved"`
	Resolution string    `json:"resolution,omitempty"`
}

// HoldKind is why a person is recalled after a result.
type HoldKind string

const (
	HoldRetest   HoldKind = "retest"   // in a positive pool: stay home, single-tube retest (待复核)
	HoldResample HoldKind = "resample" // an invalid result: sample again
)

// HoldStatus is where a recall stands.
type HoldStatus string

const (
	HoldActive   HoldStatus = "held"
	HoldReleased HoldStatus = "released" // a negative single tube
	HoldPositive HoldStatus = "positive" // the single tube was positive
)

// Hold is a person recalled after a result: the grid's task, and for a
// positive pool a fact the health code reads.
type Hold struct {
	ID         int64      `json:"id"`
	Kind       HoldKind   `json:"kind"`
	Status     HoldStatus `json:"status"`
	PersonID   int64      `json:"person_id,omitempty"`
	Name       string     `json:"name"`
	IDNumber   string     `json:"id_number"` // masked unless the reader may see it in full
	Area       string     `json:"area"`      // the person's grid or area, else the sampling point's
	RoundID    int64      `json:"round_id"`
	Tube       string     `json:"tube"` // the pooled (or invalid) tube
	RetestTube string     `json:"retest_tube,omitempty"`
	PlacedAt   time.Time  `json:"placed_at"`
	ClosedAt   time.Time  `json:"closed_at,omitzero"`
}

// Positive is a positive single tube: a person for the epidemiologists (the
// start of a case).
type Positive struct {
	ID         int64     `json:"id"`
	PersonID   int64     `json:"person_id,omitempty"`
	Name       string    `json:"name"`
	IDNumber   string    `json:"id_number"`
	Area       string    `json:"area"`
	RoundID    int64     `json:"round_id"`
	Tube       string    `json:"tube"`
	PooledTube string    `json:"pooled_tube,omitempty"` // the positive pool it was recalled from
	CtORF1ab   float64   `json:"ct_orf1ab,omitempty"`
	CtN        float64   `json:"ct_n,omitempty"`
	DetectedAt time.Time `json:"detected_at"`
}

// HoldFilter selects holds.
type HoldFilter struct {
	Status HoldStatus // active holds when empty
	Kind   HoldKind   // any when empty
	After  int64      // cursor: holds with a larger id
	Limit  int
}

package cordon

import (
	"strings"
	"time"
	"unicode/utf8"
)

// SamplingPoint is a place where samples are taken (采样点), possibly open
// around the clock, serving one or more rounds.
type SamplingPoint struct {
	ID           int64     `json:"id"`
	Name         string    `json:"name"`
	Jurisdiction string    `json:"jurisdiction"`
	Address      string    `json:"address,omitempty"`
	Opens        string    `json:"opens,omitempty"`  // HH:MM, empty when open 24 h
	Closes       string    `json:"closes,omitempty"` // HH:MM; before Opens means past midnight
	AllDay       bool      `json:"all_day"`          // open 24 hours
	Tables       int       `json:"tables"`
	Staff        int       `json:"staff"`
	Rounds       []int64   `json:"rounds,omitempty"`
	Active       bool      `json:"active"`
	Queue        int       `json:"queue"` // people waiting, as last reported by the point
	QueueAt      time.Time `json:"queue_at,omitzero"`
	CreatedAt    time.Time `json:"created_at"`
	// Throughput is the samples taken in the last 30 minutes; WaitMinutes
	// is Queue at that pace (0 when unknown).
	Throughput  int `json:"throughput_30m"`
	WaitMinutes int `json:"wait_minutes"`
}

// OpenAt reports whether the point is open at t, read in China time.
func (p SamplingPoint) OpenAt(t time.Time) bool {
	if !p.Active {
		return false
	}
	if p.AllDay {
		return true
	}
	hm := t.In(ChinaTime).Format("15:04")
	if p.Opens <= p.Closes {
		return hm >= p.Opens && hm < p.Closes
	}
	return hm >= p.Opens || hm < p.Closes
}

// ChinaTime is UTC+8, the time every Chinese notice and opening hour uses.
var ChinaTime = time.FixedZone("CST", 8*3600)

// SamplingPointInput creates or replaces a sampling point.
type SamplingPointInput struct {
	Name         string  `json:"name"`
	Jurisdiction string  `json:"jurisdiction"`
	Address      string  `json:"address,omitempty"`
	Opens        string  `json:"opens,omitempty"`
	Closes       string  `json:"closes,omitempty"`
	AllDay       bool    `json:"all_day,omitempty"`
	Tables       int     `json:"tables"`
	Staff        int     `json:"staff"`
	Rounds       []int64 `json:"rounds,omitempty"`
	Active       *bool   `json:"active,omitempty"` // true when absent
}

func validClock(s string) bool {
	if len(s) != 5 || s[2] != ':' {
		return false
	}
	h, m := (int(s[0])-'0')*10+int(s[1])-'0', (int(s[3])-'0')*10+int(s[4])-'0'
	return allDigits(s[:2]) && allDigits(s[3:]) && h < 24 && m < 60
}

// Validate normalises and checks the input.
func (in *SamplingPointInput) Validate() (SamplingPoint, error) {
	var v Invalid
	v.Code = "point.invalid"
	in.Name = strings.TrimSpace(in.Name)
	if n := utf8.RuneCountInString(in.Name); n == 0 || n > 100 || strings.ContainsAny(in.Name, "<>\x00") {
		v.Add("name", "point.name_invalid")
	}
	if _, ok := LevelOf(in.Jurisdiction); !ok {
		v.Add("jurisdiction", "jurisdiction.unknown")
	}
	in.Address = strings.TrimSpace(in.Address)
	if utf8.RuneCountInString(in.Address) > 200 || strings.ContainsAny(in.Address, "\x00") {
		v.Add("address", "point.address_invalid")
	}
	if in.AllDay {
		in.Opens, in.Closes = "", ""
	} else {
		if !validClock(in.Opens) {
			v.Add("opens", "point.hours_invalid")
		}
		if !validClock(in.Closes) || in.Closes == in.Opens {
			v.Add("closes", "point.hours_invalid")
		}
	}
	if in.Tables < 1 || in.Tables > 1000 {
		v.Add("tables", "point.tables_invalid")
	}
	if in.Staff < 0 || in.Staff > 10000 {
		v.Add("staff", "point.staff_invalid")
	}
	active := in.Active == nil || *in.Active
	return SamplingPoint{Name: in.Name, Jurisdiction: in.Jurisdiction, Address: in.Address, Opens: in.Opens,
		Closes: in.Closes, AllDay: in.AllDay, Tables: in.Tables, Staff: in.Staff, Rounds: in.Rounds, Active: active}, v.Err()
}

// CapacityCheck compares the guide's plan for an area with the sampling
// points and tables registered there.
type CapacityCheck struct {
	CapacityPlan
	Jurisdiction     string `json:"jurisdiction"`
	Points           int    `json:"points"` // active points registered in the area
	Tables           int    `json:"tables"`
	Staff            int    `json:"staff"`
	PointsShortfall  int    `json:"points_shortfall"` // against PointsMin; 0 when enough
	TablesShortfall  int    `json:"tables_shortfall"`
	SamplersShortage int    `json:"samplers_shortfall"`
}

// CheckCapacity fills in the shortfalls of a plan against what exists.
func CheckCapacity(plan CapacityPlan, points, tables, staff int) CapacityCheck {
	short := func(need, have int) int { return max(0, need-have) }
	return CapacityCheck{CapacityPlan: plan, Points: points, Tables: tables, Staff: staff,
		PointsShortfall: short(plan.PointsMin, points), TablesShortfall: short(plan.TablesMin, tables),
		SamplersShortage: short(plan.Samplers, staff)}
}

// SampleInput is one registration at a sampling table: the person, the
// tube and where and when. A registration device or the offline sampler
// page sends many at once; Key makes resending one harmless.
type SampleInput struct {
	Key         string    `json:"key"` // client idempotency key, unique per tube
	RoundID     int64     `json:"round_id"`
	PointID     int64     `json:"point_id"`
	Table       int       `json:"table,omitempty"`
	Tube        string    `json:"tube"`                // tube barcode
	PoolSize    int       `json:"pool_size,omitempty"` // the round's mode for Group when 0
	Group       Group     `json:"group,omitempty"`     // general when empty
	PersonID    int64     `json:"person_id,omitempty"` // a registered person, or:
	DocType     DocType   `json:"doc_type,omitempty"`
	IDNumber    string    `json:"id_number,omitempty"` // typed or scanned, reconciled with the register later
	Name        string    `json:"name,omitempty"`
	CollectedAt time.Time `json:"collected_at,omitzero"` // the server's time when zero
}

// MaxTubeBarcode bounds barcodes; real ones are 8-20 characters.
const MaxTubeBarcode = 40

// ValidBarcode reports whether s can be a tube or box barcode: printable
// ASCII letters, digits and -_.
func ValidBarcode(s string) bool {
	if s == "" || len(s) > MaxTubeBarcode {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// SampleStatus is what became of one registration.
type SampleStatus string

const (
	SampleStored   SampleStatus = "stored"   // newly stored
	SampleReplayed SampleStatus = "replayed" // stored before under the same key; nothing changed
	SampleRejected SampleStatus = "rejected" // refused; Error says why
)

// SampleAck answers one registration; it is given only after the batch is
// durably stored.
type SampleAck struct {
	Key       string       `json:"key"`
	Status    SampleStatus `json:"status"`
	Tube      string       `json:"tube,omitempty"`
	Slot      int          `json:"slot,omitempty"`
	Filled    int          `json:"filled,omitempty"` // samples in the tube after this one
	PoolSize  int          `json:"pool_size,omitempty"`
	Closed    bool         `json:"tube_closed,omitempty"`
	Duplicate bool         `json:"duplicate,omitempty"` // the person was sampled before in this round; not counted twice
	Error     *Error       `json:"error,omitempty"`
}

// TubeStatus is where a tube is on its way from the table to a result.
type TubeStatus string

const (
	TubeOpen     TubeStatus = "open"     // taking samples
	TubeClosed   TubeStatus = "closed"   // full, or closed by hand
	TubeSent     TubeStatus = "sent"     // handed over in a box
	TubeReceived TubeStatus = "received" // at the lab
	TubeResulted TubeStatus = "resulted"
)

// Tube is a sample tube, single or pooled.
type Tube struct {
	ID         int64      `json:"id"`
	Barcode    string     `json:"barcode"`
	RoundID    int64      `json:"round_id"`
	PointID    int64      `json:"point_id"`
	Area       string     `json:"area"` // the sampling point's jurisdiction
	PoolSize   int        `json:"pool_size"`
	Filled     int        `json:"filled"`
	Status     TubeStatus `json:"status"`
	BoxID      int64      `json:"box_id,omitempty"`
	LabID      int64      `json:"lab_id,omitempty"`
	Result     Outcome    `json:"result,omitempty"`
	CtORF1ab   float64    `json:"ct_orf1ab,omitempty"`
	CtN        float64    `json:"ct_n,omitempty"`
	RetestOf   int64      `json:"retest_of,omitempty"` // the pooled tube this single tube retests
	OpenedAt   time.Time  `json:"opened_at"`
	ClosedAt   time.Time  `json:"closed_at,omitzero"`
	SentAt     time.Time  `json:"sent_at,omitzero"`
	ReceivedAt time.Time  `json:"received_at,omitzero"`
	ResultedAt time.Time  `json:"resulted_at,omitzero"`
	Due        time.Time  `json:"due,omitzero"` // when the result is due (turnaround clock from closing)
	Overdue    bool       `json:"overdue,omitempty"`
}

// Outcome is a test result as cordon acts on it.
type Outcome string

const (
	OutcomeNegative Outcome = "negative"
	OutcomePositive Outcome = "positive"
	OutcomeInvalid  Outcome = "invalid" // no result: the tube's people are sampled again
)

// PointFilter selects sampling points.
type PointFilter struct {
	RoundID    int64
	ActiveOnly bool
	After      int64 // cursor: points with a larger id
	Limit      int
}

// TubeSample is one person in a tube.
type TubeSample struct {
	Slot        int       `json:"slot"`
	PersonID    int64     `json:"person_id,omitempty"`
	Name        string    `json:"name"`
	DocType     DocType   `json:"doc_type"`
	IDNumber    string    `json:"id_number"` // masked unless the reader may see it in full
	Area        string    `json:"area"`
	Duplicate   bool      `json:"duplicate,omitempty"`
	CollectedAt time.Time `json:"collected_at"`
}

// SampleBatch is a batch of registrations, as a registration device or the
// sampler page sends it.
type SampleBatch struct {
	Samples []SampleInput `json:"samples"`
}

// SampleAnswers answers a batch: one answer per registration, in order,
// and how many were stored, replayed and rejected.
type SampleAnswers struct {
	Results  []SampleAck `json:"results"`
	Stored   int         `json:"stored"`
	Replayed int         `json:"replayed"`
	Rejected int         `json:"rejected"`
}

// AnswerSamples counts the answers of a batch.
func AnswerSamples(acks []SampleAck) SampleAnswers {
	out := SampleAnswers{Results: acks}
	for _, a := range acks {
		switch a.Status {
		case SampleStored:
			out.Stored++
		case SampleReplayed:
			out.Replayed++
		default:
			out.Rejected++
		}
	}
	return out
}

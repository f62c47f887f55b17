package cordon

import (
	"slices"
	"strings"
	"time"
)

// Road checkpoints (卡点): places on roads, county borders, stations and
// ports where officers run the three-code check on travellers passing in
// or out and note the vehicle. A passage is one traveller passing once.

// CheckpointKind is where a checkpoint stands.
type CheckpointKind string

const (
	CheckpointRoad         CheckpointKind = "road"          // 公路卡点
	CheckpointCountyBorder CheckpointKind = "county_border" // 县界卡点
	CheckpointStation      CheckpointKind = "station"       // 车站
	CheckpointPort         CheckpointKind = "port"          // 码头、口岸
)

// CheckpointKinds lists the kinds in the order forms offer them.
var CheckpointKinds = []CheckpointKind{CheckpointRoad, CheckpointCountyBorder, CheckpointStation, CheckpointPort}

// Checkpoint is a registered checkpoint. Hours are "HH:MM" in Beijing
// time; both empty means open all day.
type Checkpoint struct {
	ID           int64          `json:"id"`
	Name         string         `json:"name"`
	Kind         CheckpointKind `json:"kind"`
	Jurisdiction string         `json:"jurisdiction"`
	Location     string         `json:"location,omitempty"` // the road and place, e.g. G324 国道 K12
	InLabel      string         `json:"in_label,omitempty"` // e.g. 进德保
	OutLabel     string         `json:"out_label,omitempty"`
	Staff        []string       `json:"staff"` // usernames or names of the officers
	Opens        string         `json:"opens,omitempty"`
	Closes       string         `json:"closes,omitempty"`
	Active       bool           `json:"active"`
	Version      int            `json:"version"`
}

// CheckpointInput registers or changes a checkpoint.
type CheckpointInput struct {
	Name         string         `json:"name"`
	Kind         CheckpointKind `json:"kind"`
	Jurisdiction string         `json:"jurisdiction"`
	Location     string         `json:"location"`
	InLabel      string         `json:"in_label"`
	OutLabel     string         `json:"out_label"`
	Staff        []string       `json:"staff"`
	Opens        string         `json:"opens"`
	Closes       string         `json:"closes"`
	Active       *bool          `json:"active,omitempty"` // default true
	Version      int            `json:"version,omitempty"`
}

// Validate normalises and checks a checkpoint. Its jurisdiction is a
// county or deeper: a checkpoint stands somewhere.
func (in *CheckpointInput) Validate() error {
	var v Invalid
	v.Code = "checkpoint.invalid"
	for _, s := range []*string{&in.Name, &in.Location, &in.InLabel, &in.OutLabel, &in.Opens, &in.Closes} {
		*s = strings.TrimSpace(*s)
	}
	if in.Name == "" || !freeText(in.Name, 100) {
		v.Add("name", "checkpoint.name_invalid")
	}
	if !freeText(in.Location, 200) {
		v.Add("location", "checkpoint.location_invalid")
	}
	if !freeText(in.InLabel, 30) || !freeText(in.OutLabel, 30) {
		v.Add("in_label", "checkpoint.label_invalid")
	}
	if !slices.Contains(CheckpointKinds, in.Kind) {
		v.Add("kind", "checkpoint.kind_invalid")
	}
	if l, ok := LevelOf(in.Jurisdiction); !ok || l == LevelProvince || l == LevelCity {
		v.Add("jurisdiction", "checkpoint.jurisdiction_invalid")
	}
	if (in.Opens == "") != (in.Closes == "") || !clock(in.Opens) || !clock(in.Closes) || in.Opens != "" && in.Opens == in.Closes {
		v.Add("opens", "checkpoint.hours_invalid")
	}
	var staff []string
	for _, s := range in.Staff {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(staff, s) {
			if !freeText(s, 50) || strings.Contains(s, "\n") {
				v.Add("staff", "checkpoint.staff_invalid")
			}
			staff = append(staff, s)
		}
	}
	if len(staff) > 50 {
		v.Add("staff", "checkpoint.staff_invalid")
	}
	in.Staff = staff
	return v.Err()
}

// clock reports whether s is empty or a time of day "HH:MM".
func clock(s string) bool {
	if s == "" {
		return true
	}
	_, err := time.Parse("15:04", s)
	return err == nil && len(s) == 5
}

// Direction is which way a traveller passes a checkpoint.
type Direction string

const (
	DirectionIn  Direction = "in"
	DirectionOut Direction = "out"
)

// PassageSource is how the traveller was identified.
type PassageSource string

const (
	PassageScan  PassageSource = "scan"  // their health code was scanned
	PassageTyped PassageSource = "typed" // an identity number, or a name and phone, was typed
)

// Passage is one traveller passing a checkpoint once. PersonID is zero for
// a traveller who could not be identified: then Name and Phone say who,
// and Color is empty (no code was checked).
type Passage struct {
	ID           int64         `json:"id"`
	CheckpointID int64         `json:"checkpoint_id"`
	At           time.Time     `json:"at"`
	Direction    Direction     `json:"direction"`
	PersonID     int64         `json:"person_id,omitempty"`
	Name         string        `json:"name,omitempty"`  // masked unless the reader may see it in full
	Phone        string        `json:"phone,omitempty"` // masked likewise
	Plate        string        `json:"plate,omitempty"`
	Color        CodeColor     `json:"color,omitempty"`
	Source       PassageSource `json:"source"`
	Key          string        `json:"key,omitempty"` // the sender's key: a passage sent twice is stored once
	RecordedBy   string        `json:"recorded_by,omitempty"`
}

// Validate normalises and checks a passage's own fields (who passed is
// checked by the three-code check).
func (p *Passage) Validate() error {
	var v Invalid
	v.Code = "passage.invalid"
	if p.Direction != DirectionIn && p.Direction != DirectionOut {
		v.Add("direction", "passage.direction_invalid")
	}
	if p.Source != PassageScan && p.Source != PassageTyped {
		v.Add("source", "passage.source_invalid")
	}
	if p.Plate != "" {
		plate, ok := NormalizePlate(p.Plate)
		if !ok {
			v.Add("plate", "passage.plate_invalid")
		}
		p.Plate = plate
	}
	p.Key = strings.TrimSpace(p.Key)
	if len(p.Key) > 64 || !freeText(p.Key, 64) {
		v.Add("key", "passage.key_invalid")
	}
	if p.PersonID == 0 {
		p.Name = strings.TrimSpace(p.Name)
		if p.Name == "" || !freeText(p.Name, 50) {
			v.Add("name", "passage.name_required")
		}
		phone, ok := NormalizePhone(p.Phone)
		if !ok {
			v.Add("phone", "person.phone_invalid")
		}
		p.Phone = phone
	}
	return v.Err()
}

// plateProvinces are the first characters of Chinese vehicle plates.
const plateProvinces = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"

// NormalizePlate checks a Chinese vehicle plate and returns it upper-cased
// without spaces or separators: a province character, the letter of the
// issuing office, then 5 letters or digits (7 in all; the last may be 学,
// 警, 挂, 港, 澳 or 领) or, on a new-energy plate, 6 (8 in all).
func NormalizePlate(s string) (string, bool) {
	s = strings.ToUpper(strings.NewReplacer(" ", "", "·", "", "-", "", "•", "").Replace(strings.TrimSpace(s)))
	r := []rune(s)
	if len(r) != 7 && len(r) != 8 || !strings.ContainsRune(plateProvinces, r[0]) || r[1] < 'A' || r[1] > 'Z' {
		return s, false
	}
	for i, c := range r[2:] {
		alnum := c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !alnum && !(len(r) == 7 && i == 4 && strings.ContainsRune("学警挂港澳领", c)) {
			return s, false
		}
	}
	return s, true
}

// PassageCount counts the passages of one hour (Beijing time) of a day.
type PassageCount struct {
	Hour int `json:"hour"`
	In   int `json:"in"`
	Out  int `json:"out"`
}

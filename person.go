package cordon

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Person is someone cordon knows about: a resident, an arrival, a case. The
// identity number and phone are held in the clear only in memory; the store
// keeps them encrypted with a blind index for exact lookup.
type Person struct {
	ID            int64     `json:"id"`
	Name          string    `json:"name"`
	DocType       DocType   `json:"doc_type"`
	IDNumber      string    `json:"id_number"`
	Phone         string    `json:"phone,omitempty"`
	Sex           Sex       `json:"sex,omitempty"`
	BirthDate     string    `json:"birth_date,omitempty"` // YYYY-MM-DD, from a citizen ID number
	Residence     string    `json:"residence"`            // jurisdiction code of the household address
	Address       string    `json:"address,omitempty"`
	Current       string    `json:"current"` // jurisdiction code where the person is now
	MergedInto    int64     `json:"merged_into,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	Version       int       `json:"version"`
	Masked        bool      `json:"masked"` // IDNumber and Phone are masked for the reader's role
	ResidenceName string    `json:"residence_name,omitempty"`
	CurrentName   string    `json:"current_name,omitempty"`
}

// Mask replaces the identity number and phone with their masked forms.
func (p *Person) Mask() {
	if p.Masked {
		return
	}
	p.IDNumber = MaskDocNumber(p.IDNumber)
	p.Phone = MaskPhone(p.Phone)
	p.Masked = true
}

// PersonInput is what a caller supplies to create or replace a person.
type PersonInput struct {
	Name      string  `json:"name"`
	DocType   DocType `json:"doc_type,omitempty"`
	IDNumber  string  `json:"id_number"`
	Phone     string  `json:"phone,omitempty"`
	Residence string  `json:"residence"`
	Address   string  `json:"address,omitempty"`
	Current   string  `json:"current,omitempty"`
	// Version guards an update against a concurrent one; 0 skips the check.
	Version int `json:"version,omitempty"`
}

// PersonRules are the outside facts that validation needs: which
// jurisdiction and address codes exist, and today's date.
type PersonRules struct {
	KnownAddress func(code string) bool // 6-digit address codes, retired ones included
	Now          time.Time
}

// Validate normalises the input in place and checks every field, returning
// an *Error naming each field at fault. Whether the jurisdictions exist and
// lie in the caller's scope is checked by internal/app.
func (in *PersonInput) Validate(r PersonRules) (Person, error) {
	var v Invalid
	v.Code = "person.invalid"
	in.Name = strings.TrimSpace(in.Name)
	switch n := utf8.RuneCountInString(in.Name); {
	case n == 0:
		v.Add("name", "person.name_required")
	case n > 64 || !utf8.ValidString(in.Name) || strings.ContainsAny(in.Name, "<>\"'&;\\\x00\r\n\t"):
		v.Add("name", "person.name_invalid")
	}
	if in.DocType == "" {
		in.DocType = DocCitizenID
	}
	p := Person{Name: in.Name, DocType: in.DocType}
	if !in.DocType.Valid() {
		v.Add("doc_type", "person.doc_type_invalid")
	} else if in.DocType == DocCitizenID {
		id, err := ParseCitizenID(in.IDNumber, r.KnownAddress, r.Now)
		if err != nil {
			v.Add("id_number", "person.id_number_invalid")
		} else {
			p.IDNumber, p.Sex, p.BirthDate = id.Number, id.Sex, id.Birth.Format("2006-01-02")
		}
	} else {
		n := NormalizeDocNumber(in.IDNumber)
		if !ValidDocNumber(n) {
			v.Add("id_number", "person.id_number_invalid")
		}
		p.IDNumber = n
	}
	if strings.TrimSpace(in.Phone) != "" {
		ph, ok := NormalizePhone(in.Phone)
		if !ok {
			v.Add("phone", "person.phone_invalid")
		}
		p.Phone = ph
	}
	in.Residence = strings.TrimSpace(in.Residence)
	if _, ok := LevelOf(in.Residence); !ok {
		v.Add("residence", "jurisdiction.unknown")
	}
	in.Current = strings.TrimSpace(in.Current)
	if in.Current == "" {
		in.Current = in.Residence
	} else if _, ok := LevelOf(in.Current); !ok {
		v.Add("current", "jurisdiction.unknown")
	}
	in.Address = strings.TrimSpace(in.Address)
	if utf8.RuneCountInString(in.Address) > 200 || strings.ContainsAny(in.Address, "\x00") {
		v.Add("address", "person.address_invalid")
	}
	p.Residence, p.Current, p.Address = in.Residence, in.Current, in.Address
	return p, v.Err()
}

// PersonFilter selects persons for a list or search. Every filter is further
// confined to the caller's subtree by internal/app.
type PersonFilter struct {
	Query        string // name prefix, or an exact ID number or phone
	IDNumber     string // exact, through the blind index
	Phone        string // exact, through the blind index
	Jurisdiction string // residence or current within this subtree
	After        int64  // cursor: persons with a smaller id (newest first)
	Limit        int
}

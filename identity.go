package cordon

import (
	"strings"
	"time"
	"unicode"
)

// DocType is the kind of identity document a person is registered with.
type DocType string

// The identity documents cordon accepts. The citizen ID number is the
// default and the only one checked against GB 11643-1999.
const (
	DocCitizenID     DocType = "citizen_id"      // 居民身份证
	DocPassport      DocType = "passport"        // 护照
	DocHKMacaoPermit DocType = "hk_macao_permit" // 港澳居民来往内地通行证
	DocTaiwanPermit  DocType = "taiwan_permit"   // 台湾居民来往大陆通行证
)

// DocTypes lists the accepted documents in display order.
var DocTypes = []DocType{DocCitizenID, DocPassport, DocHKMacaoPermit, DocTaiwanPermit}

// Valid reports whether d is a known document type.
func (d DocType) Valid() bool {
	for _, x := range DocTypes {
		if d == x {
			return true
		}
	}
	return false
}

// Sex as recorded on a citizen ID number (odd sequence male, even female).
type Sex string

// The sexes a citizen ID number encodes; SexUnknown for other documents.
const (
	SexUnknown Sex = ""
	SexMale    Sex = "M"
	SexFemale  Sex = "F"
)

// CitizenID is a parsed, valid 18-character citizen identity number.
type CitizenID struct {
	Number      string    // normalised: upper-case X
	AddressCode string    // the first six digits, possibly a retired code
	Birth       time.Time // UTC midnight
	Sex         Sex
}

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idCheckChars = "10X98765432"

// CitizenIDCheck computes the ISO 7064 MOD 11-2 check character for the
// first 17 digits of a citizen ID number.
func CitizenIDCheck(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * idWeights[i]
	}
	return idCheckChars[sum%11]
}

// ParseCitizenID checks a citizen ID number per GB 11643-1999: 18 characters,
// a known address code (knownAddress decides, so that retired codes still
// count), a real birth date not in the future, and the check character. now
// bounds the birth date. Errors carry the code person.id_number_invalid.
func ParseCitizenID(s string, knownAddress func(string) bool, now time.Time) (CitizenID, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	bad := func(msg string) error {
		return (&Error{Kind: KindInvalid, Code: "person.id_number_invalid", Message: "citizen ID number: " + msg}).WithField("id_number", "person.id_number_invalid")
	}
	if len(s) != 18 {
		return CitizenID{}, bad("must be 18 characters")
	}
	if !allDigits(s[:17]) || !(s[17] == 'X' || unicode.IsDigit(rune(s[17]))) {
		return CitizenID{}, bad("must be 17 digits and a digit or X")
	}
	if CitizenIDCheck(s[:17]) != s[17] {
		return CitizenID{}, bad("check character does not match")
	}
	birth, err := time.Parse("20060102", s[6:14])
	if err != nil || birth.Year() < 1880 || birth.After(now) {
		return CitizenID{}, bad("birth date is not a real date")
	}
	if knownAddress != nil && !knownAddress(s[:6]) {
		return CitizenID{}, bad("unknown address code")
	}
	sex := SexFemale
	if (s[16]-'0')%2 == 1 {
		sex = SexMale
	}
	return CitizenID{Number: s, AddressCode: s[:6], Birth: birth, Sex: sex}, nil
}

// NormalizeDocNumber tidies a document number for storage and lookup: spaces
// removed and letters upper-cased, so that the blind index finds it however
// it was typed.
func NormalizeDocNumber(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsSpace(r) || r == '-' {
			continue
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

// ValidDocNumber checks the shape of a non-citizen document number: 5 to 20
// letters and digits.
func ValidDocNumber(s string) bool {
	if len(s) < 5 || len(s) > 20 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// NormalizePhone reduces a Chinese mobile number to its 11 digits, accepting
// spaces, dashes and a +86/86 prefix. It reports false unless the result is
// 11 digits starting with 1 and a second digit 3-9.
func NormalizePhone(s string) (string, bool) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '+' || r == '(' || r == ')':
		default:
			return "", false
		}
	}
	d := b.String()
	if len(d) == 13 && strings.HasPrefix(d, "86") {
		d = d[2:]
	}
	if len(d) != 11 || d[0] != '1' || d[1] < '3' {
		return "", false
	}
	return d, true
}

// MaskDocNumber hides the middle of a document number: a citizen ID number
// keeps its first four and last four characters (4510**********002X).
func MaskDocNumber(s string) string {
	n := len(s)
	switch {
	case n == 0:
		return ""
	case n >= 12:
		return s[:4] + strings.Repeat("*", n-8) + s[n-4:]
	case n > 4:
		return s[:1] + strings.Repeat("*", n-3) + s[n-2:]
	}
	return strings.Repeat("*", n)
}

// MaskPhone hides the middle four digits of a mobile number (138****1234).
func MaskPhone(s string) string {
	if len(s) != 11 {
		return MaskDocNumber(s)
	}
	return s[:3] + "****" + s[7:]
}

// MaskName hides a name but its first and, for names of three or more
// characters, its last character, as public pages show names: 张*, 张*三,
// 欧阳**锋.
func MaskName(name string) string {
	r := []rune(strings.TrimSpace(name))
	switch {
	case len(r) == 0:
		return ""
	case len(r) <= 2:
		return string(r[0]) + "*"
	}
	return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
}

package cordon

import (
	"testing"
	"time"
)

func known(code string) bool {
	return map[string]bool{"451024": true, "452624": true, "451021": true, "450102": true}[code]
}

func id(first17 string) string { return first17 + string(CitizenIDCheck(first17)) }

func TestParseCitizenID(t *testing.T) {
	now := time.Date(2022, 2, 4, 0, 0, 0, 0, time.UTC)
	good := id("45102419900101002")
	cases := []struct {
		name, in string
		ok       bool
		sex      Sex
	}{
		{"valid female", good, true, SexFemale},
		{"lower-case x normalised", "11010519491231002x", true, SexFemale},
		{"valid male", id("45102419850615003"), true, SexMale},
		{"retired Debao code from before 2002", id("45262419700101001"), true, SexMale},
		{"retired 田阳县 code", id("45102119900101001"), true, SexMale},
		{"wrong check character", good[:17] + string("10X98765432"[(indexOf(good[17])+1)%11]), false, ""},
		{"unknown address code", id("45109919900101001"), false, ""},
		{"impossible date", id("45102419900230001"), false, ""},
		{"birth in the future", id("45102420300101001"), false, ""},
		{"17 characters", good[:17], false, ""},
		{"letters", "45102419900101ABCD", false, ""},
		{"empty", "", false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			knownFn := known
			if c.name == "lower-case x normalised" {
				knownFn = nil
			}
			got, err := ParseCitizenID(c.in, knownFn, now)
			if (err == nil) != c.ok {
				t.Fatalf("ParseCitizenID(%q) error = %v, want ok=%v", c.in, err, c.ok)
			}
			if err != nil {
				if ErrorCode(err) != "person.id_number_invalid" || ErrorKind(err) != KindInvalid {
					t.Fatalf("error code %q kind %v", ErrorCode(err), ErrorKind(err))
				}
				return
			}
			if got.Sex != c.sex {
				t.Errorf("sex = %q, want %q", got.Sex, c.sex)
			}
		})
	}
	if got, _ := ParseCitizenID("11010519491231002x", nil, now); got.Number != "11010519491231002X" || got.Birth.Format("2006-01-02") != "1949-12-31" {
		t.Errorf("normalised %+v", got)
	}
}

func indexOf(c byte) int {
	for i := 0; i < 11; i++ {
		if "10X98765432"[i] == c {
			return i
		}
	}
	return -1
}

func TestPhoneAndMasks(t *testing.T) {
	for in, want := range map[string]string{"13800001234": "13800001234", "+86 138-0000-1234": "13800001234", "8613800001234": "13800001234"} {
		if got, ok := NormalizePhone(in); !ok || got != want {
			t.Errorf("NormalizePhone(%q) = %q, %v", in, got, ok)
		}
	}
	for _, bad := range []string{"1380000123", "12800001234", "23800001234", "138000012345", "138o0001234", "<script>"} {
		if _, ok := NormalizePhone(bad); ok {
			t.Errorf("NormalizePhone(%q) accepted", bad)
		}
	}
	if got := MaskDocNumber("45102419900101002X"); got != "4510**********002X" {
		t.Errorf("MaskDocNumber = %q", got)
	}
	if got := MaskPhone("13812341234"); got != "138****1234" {
		t.Errorf("MaskPhone = %q", got)
	}
	if got := MaskDocNumber("E12345678"); got == "E12345678" {
		t.Errorf("passport not masked: %q", got)
	}
}

func TestPersonInputValidate(t *testing.T) {
	rules := PersonRules{KnownAddress: known, Now: time.Date(2022, 2, 4, 0, 0, 0, 0, time.UTC)}
	in := PersonInput{Name: " 黄丽 ", IDNumber: id("45102419900101002"), Phone: "138 0000 1234", Residence: "451024200202"}
	p, err := in.Validate(rules)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "黄丽" || p.Current != "451024200202" || p.Sex != SexFemale || p.BirthDate != "1990-01-01" || p.Phone != "13800001234" || p.DocType != DocCitizenID {
		t.Fatalf("validated person %+v", p)
	}
	bad := PersonInput{Name: "<script>alert(1)</script>", IDNumber: "123", Phone: "abc", Residence: "45", Current: "x'; DROP TABLE persons;--"}
	_, err = bad.Validate(rules)
	e, ok := err.(*Error)
	if !ok || e.Kind != KindInvalid {
		t.Fatalf("want invalid, got %v", err)
	}
	for _, f := range []string{"name", "id_number", "phone", "residence", "current"} {
		if e.Fields[f] == "" {
			t.Errorf("field %s not marked: %v", f, e.Fields)
		}
	}
	pass := PersonInput{Name: "John Smith", DocType: DocPassport, IDNumber: "e 1234 5678", Residence: "451024"}
	if p, err := pass.Validate(rules); err != nil || p.IDNumber != "E12345678" || p.Sex != SexUnknown {
		t.Fatalf("passport: %+v %v", p, err)
	}
}

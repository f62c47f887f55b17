package cordon

import "testing"

func TestNormalizePlate(t *testing.T) {
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{"桂L12345", "桂L12345", true},
		{"桂l·a1234", "桂LA1234", true},
		{"桂L 1234学", "桂L1234学", true},
		{"桂AD12345", "桂AD12345", true}, // new energy
		{"桂L1234", "", false},
		{"XL12345", "", false},
		{"桂112345", "", false},
		{"桂L12学45", "", false},
		{"桂AD1234学", "", false},
		{"桂L123456789", "", false},
		{"", "", false},
	} {
		got, ok := NormalizePlate(c.in)
		if ok != c.ok || ok && got != c.want {
			t.Errorf("NormalizePlate(%q) = %q %v, want %q %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestCheckpointValidate(t *testing.T) {
	ok := CheckpointInput{Name: " 德保那甲卡点 ", Kind: CheckpointRoad, Jurisdiction: "451024", InLabel: "进德保", OutLabel: "出德保",
		Staff: []string{"a", " a", ""}, Opens: "08:00", Closes: "20:00"}
	if err := ok.Validate(); err != nil || ok.Name != "德保那甲卡点" || len(ok.Staff) != 1 {
		t.Fatalf("valid checkpoint: %v %+v", err, ok)
	}
	for code, f := range map[string]func(*CheckpointInput){
		"checkpoint.kind_invalid":         func(in *CheckpointInput) { in.Kind = "airport" },
		"checkpoint.jurisdiction_invalid": func(in *CheckpointInput) { in.Jurisdiction = "451000" },
		"checkpoint.hours_invalid":        func(in *CheckpointInput) { in.Closes = "" },
		"checkpoint.name_invalid":         func(in *CheckpointInput) { in.Name = "<b>" },
	} {
		in := ok
		f(&in)
		if err := in.Validate(); ErrorCode(err) != code {
			t.Errorf("%s: got %v", code, err)
		}
	}
}

func TestPassageValidate(t *testing.T) {
	p := Passage{Direction: DirectionIn, Source: PassageTyped, Name: "韦某", Phone: "13907761234", Plate: "桂l12345"}
	if err := p.Validate(); err != nil || p.Plate != "桂L12345" {
		t.Fatalf("unidentified traveller: %v %+v", err, p)
	}
	for code, q := range map[string]Passage{
		"passage.plate_invalid":     {PersonID: 1, Direction: DirectionIn, Source: PassageScan, Plate: "桂L1"},
		"passage.direction_invalid": {PersonID: 1, Direction: "up", Source: PassageScan},
		"passage.name_required":     {Direction: DirectionOut, Source: PassageTyped, Phone: "13907761234"},
		"person.phone_invalid":      {Direction: DirectionOut, Source: PassageTyped, Name: "韦某", Phone: "12"},
	} {
		if err := q.Validate(); ErrorCode(err) != code {
			t.Errorf("%s: got %v", code, err)
		}
	}
}

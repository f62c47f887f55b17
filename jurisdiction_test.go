package cordon

import "testing"

func TestLevelOfAndWithin(t *testing.T) {
	levels := []struct {
		code string
		want Level
		ok   bool
	}{
		{"450000", LevelProvince, true},
		{"451000", LevelCity, true},
		{"451024", LevelCounty, true},
		{"451024200", LevelTownship, true},
		{"441900003", LevelTownship, true}, // directly under a city without counties
		{"451024200202", LevelVillage, true},
		{"451024200202001", LevelGrid, true},
		{"000000", "", false},
		{"450000001", "", false},
		{"451024000001", "", false},
		{"45102", "", false},
		{"45102x", "", false},
		{"451024200202000", "", false},
		{"", "", false},
	}
	for _, c := range levels {
		got, ok := LevelOf(c.code)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("LevelOf(%q) = %q, %v; want %q, %v", c.code, got, ok, c.want, c.ok)
		}
	}
	within := []struct {
		code, anc string
		want      bool
	}{
		{"451024200202001", "450000", true},
		{"451024200202001", "451000", true},
		{"451024200202001", "451024200202001", true},
		{"451024200202002", "451024200202001", false},
		{"450100", "451000", false},
		{"451024", "451024200", false},
		{"452624", "451000", false},
		{"451024", "bogus", false},
		{"bogus", "450000", false},
	}
	for _, c := range within {
		if got := Within(c.code, c.anc); got != c.want {
			t.Errorf("Within(%q, %q) = %v", c.code, c.anc, got)
		}
	}
}

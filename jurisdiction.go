package cordon

import (
	"strings"
)

// Level is the rank of a jurisdiction in the GB/T 2260 tree, extended below
// villages by the grids (网格) that administrators create.
type Level string

// The levels of the jurisdiction tree, from the top.
const (
	LevelProvince Level = "province" // 省级: province, autonomous region, municipality
	LevelCity     Level = "city"     // 地级: prefecture-level city, prefecture, league
	LevelCounty   Level = "county"   // 县级: county, district, county-level city
	LevelTownship Level = "township" // 乡级: township, town, sub-district
	LevelVillage  Level = "village"  // 村级: village or residents' committee
	LevelGrid     Level = "grid"     // 网格: below a village or community
)

// Jurisdiction is one node of the tree. Its code is the materialised path: a
// GB/T 2260 code (6 digits for province, city and county, 9 for township, 12
// for village) or a 15-digit grid code made of the village code and a 3-digit
// number. Whether one node lies inside another is decided from the codes
// alone, without a query.
type Jurisdiction struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Level  Level  `json:"level"`
	Parent string `json:"parent,omitempty"`
}

// Nationwide is the code of the root above all provinces (中华人民共和国). Only
// the system actor of the command line and the demo loader is bound to it.
const Nationwide = "000000"

// LevelOf tells the level of a well-formed jurisdiction code.
func LevelOf(code string) (Level, bool) {
	if !allDigits(code) {
		return "", false
	}
	switch len(code) {
	case 6:
		switch {
		case code[:2] == "00":
			return "", false
		case code[2:] == "0000":
			return LevelProvince, true
		case code[2:4] == "00":
			return "", false
		case code[4:] == "00":
			return LevelCity, true
		default:
			return LevelCounty, true
		}
	case 9:
		up, ok := LevelOf(code[:6])
		return LevelTownship, ok && (up == LevelCounty || up == LevelCity) && code[6:] != "000"
	case 12:
		up, ok := LevelOf(code[:9])
		return LevelVillage, ok && up == LevelTownship && code[9:] != "000"
	case 15:
		up, ok := LevelOf(code[:12])
		return LevelGrid, ok && up == LevelVillage && code[12:] != "000"
	}
	return "", false
}

// ScopePrefix is the prefix that every code inside the jurisdiction starts
// with: "45" for 450000, "4510" for 451000, the code itself below city level.
// It returns "" for a malformed code, which matches nothing.
func ScopePrefix(code string) string {
	lvl, ok := LevelOf(code)
	if !ok {
		return ""
	}
	switch lvl {
	case LevelProvince:
		return code[:2]
	case LevelCity:
		return code[:4]
	}
	return code
}

// Within reports whether the jurisdiction code lies inside (or is) the
// jurisdiction ancestor. It is a prefix comparison: constant time, no query.
func Within(code, ancestor string) bool {
	if ancestor == Nationwide {
		_, ok := LevelOf(code)
		return ok
	}
	p := ScopePrefix(ancestor)
	if p == "" {
		return false
	}
	if _, ok := LevelOf(code); !ok {
		return false
	}
	return strings.HasPrefix(code, p)
}

// ParentCode derives the code of the parent level from a code's structure.
// The real parent may sit higher where a level is absent (a township directly
// under a prefecture-level city without counties); the jurisdiction directory
// resolves that.
func ParentCode(code string) string {
	lvl, ok := LevelOf(code)
	if !ok {
		return ""
	}
	switch lvl {
	case LevelCity:
		return code[:2] + "0000"
	case LevelCounty:
		return code[:4] + "00"
	case LevelTownship:
		return code[:6]
	case LevelVillage:
		return code[:9]
	case LevelGrid:
		return code[:12]
	}
	return ""
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

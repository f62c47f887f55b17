package pdf

import (
	"bytes"
	"compress/zlib"
	"cordon/internal/testtool"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// tool returns the path of a command-line tool the tests check the PDF
// with (poppler-utils, zbar-tools). Without it they skip loudly on a
// developer's machine and fail under CI, where scripts/setup.sh installs it.
func tool(t *testing.T, name string) string { return testtool.Path(t, name) }

// save writes d to a temporary file and returns its path.
func save(t *testing.T, d *Document) string {
	t.Helper()
	var b bytes.Buffer
	n, err := d.WriteTo(&b)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(b.Len()) {
		t.Fatalf("WriteTo returned %d, wrote %d bytes", n, b.Len())
	}
	file := filepath.Join(t.TempDir(), "out.pdf")
	if err := os.WriteFile(file, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

func run(t *testing.T, name string, args ...string) string { return testtool.Run(t, name, args...) }

// pageText is the text pdftotext extracts from page n, spaces collapsed.
func pageText(t *testing.T, file string, n int) string {
	t.Helper()
	out := run(t, "pdftotext", "-enc", "UTF-8", "-f", strconv.Itoa(n), "-l", strconv.Itoa(n), file, "-")
	return strings.Join(strings.Fields(out), " ")
}

func TestReportExtracts(t *testing.T) {
	tool(t, "pdftotext")
	d := report(60)
	file := save(t, d)

	info := run(t, "pdfinfo", file)
	for _, want := range []string{
		"Title:           德保县 流行病学调查报告",
		"Author:          德保县疾病预防控制中心",
		fmt.Sprintf("Pages:           %d", d.Pages()),
		"Page size:       595.28 x 841.89 pts (A4)",
		"PDF version:     1.7",
	} {
		if !strings.Contains(info, want+"\n") {
			t.Errorf("pdfinfo lacks %q:\n%s", want, info)
		}
	}
	if d.Pages() < 3 {
		t.Fatalf("the report has %d pages; the test wants a table over several", d.Pages())
	}
	// pdfinfo shows dates in local time: check the raw date instead.
	if raw := run(t, "pdfinfo", "-rawdates", file); !strings.Contains(raw, "CreationDate:    D:20220209153000+08'00'") {
		t.Errorf("pdfinfo -rawdates:\n%s", raw)
	}

	first := pageText(t, file, 1)
	for _, want := range []string{
		"德保县 流行病学调查报告",
		"广西壮族自治区百色市德保县都安乡福记村陇意屯",
		"451024********0021",
		"桂L·12345",
		"Omicron BA.2 variant",
		"序号 姓名 关系 末次接触 管控措施",
		"第 1 页 / 共 " + strconv.Itoa(d.Pages()) + " 页",
	} {
		if !strings.Contains(first, want) {
			t.Errorf("page 1 lacks %q:\n%s", want, first)
		}
	}
	last := pageText(t, file, d.Pages())
	for _, want := range []string{"四、处置措施", fmt.Sprintf("第 %d 页 / 共 %d 页", d.Pages(), d.Pages())} {
		if !strings.Contains(last, want) {
			t.Errorf("the last page lacks %q:\n%s", want, last)
		}
	}
}

// TestUncoveredCharacters checks that characters UniGB-UCS2-H cannot
// encode come out as '?' and leave the text around them intact (poppler
// reads an unmapped code as two one-byte codes, garbling what follows), and
// that the middle dot, written through U+30FB, extracts as itself.
func TestUncoveredCharacters(t *testing.T) {
	tool(t, "pdftotext")
	d := New()
	d.Text(100, 100, 12, "접촉자 목록 · 阿依古丽·买买提 😷 Ĉu")
	if got, want := pageText(t, save(t, d), 1), "??? ?? · 阿依古丽·买买提 ? ?u"; !strings.Contains(got, want) {
		t.Fatalf("pdftotext: %q, want %q", got, want)
	}
}

// TestUniGBTable checks the table of characters the font can encode
// against the UniGB-UCS2-H CMap that poppler-data ships.
func TestUniGBTable(t *testing.T) {
	const file = "/usr/share/poppler/cMap/Adobe-GB1/UniGB-UCS2-H"
	data := testtool.ReadFile(t, file)
	want := make([]bool, 0x10000)
	for _, block := range regexp.MustCompile(`(?s)begincid(range|char)(.*?)endcid`).FindAllStringSubmatch(string(data), -1) {
		for _, e := range regexp.MustCompile(`<([0-9a-fA-F]{4})>\s*(?:<([0-9a-fA-F]{4})>)?\s*\d+`).FindAllStringSubmatch(block[2], -1) {
			lo, _ := strconv.ParseUint(e[1], 16, 16)
			hi := lo
			if e[2] != "" {
				hi, _ = strconv.ParseUint(e[2], 16, 16)
			}
			for r := lo; r <= hi; r++ {
				want[r] = true
			}
		}
	}
	n := 0
	for r := rune(0x20); r < 0x10000; r++ {
		if mapped(r) != want[r] {
			t.Fatalf("U+%04X: mapped = %v, the CMap says %v", r, mapped(r), want[r])
		}
		if want[r] {
			n++
		}
	}
	if n < 28000 {
		t.Fatalf("only %d characters mapped: the CMap was not parsed", n)
	}
}

// TestTableBreaksPages checks that a long table continues on the next
// pages, each starting with the heading row, and that every row is printed
// exactly once, whole.
func TestTableBreaksPages(t *testing.T) {
	tool(t, "pdftotext")
	d := New()
	d.Heading(2, "密切接触者名单")
	rows := make([][]string, 120)
	for i := range rows {
		rows[i] = []string{fmt.Sprintf("R%03d", i+1), "黄某" + strconv.Itoa(i+1), fmt.Sprintf("德保县都安乡福记村陇意屯%d号", i+1)}
	}
	d.Table([]Column{{"编号", 1}, {"姓名", 2}, {"住址", 4}}, rows)
	file := save(t, d)
	if d.Pages() < 3 {
		t.Fatalf("120 rows fit on %d pages", d.Pages())
	}
	seen := map[string]int{}
	for p := 1; p <= d.Pages(); p++ {
		text := pageText(t, file, p)
		if !strings.Contains(text, "编号 姓名 住址") {
			t.Errorf("page %d does not repeat the heading row:\n%s", p, text)
		}
		ids := regexp.MustCompile(`R(\d{3}) 黄某(\d+) 德保县都安乡福记村陇意屯(\d+)号`).FindAllStringSubmatch(text, -1)
		if len(ids) == 0 {
			t.Errorf("page %d has no rows:\n%s", p, text)
		}
		for _, m := range ids {
			if n, _ := strconv.Atoi(m[1]); strconv.Itoa(n) != m[2] || m[2] != m[3] {
				t.Errorf("page %d: row cells disagree: %q", p, m[0])
			}
			seen[m[1]]++
		}
	}
	for i := 1; i <= len(rows); i++ {
		if id := fmt.Sprintf("%03d", i); seen[id] != 1 {
			t.Errorf("row %s printed %d times", id, seen[id])
		}
	}
}

func TestQRDecodesFromPrint(t *testing.T) {
	tool(t, "pdftoppm")
	tool(t, "zbarimg")
	const text = "https://cordon.example/v/451024-000123?k=7Q2X9"
	d, err := poster(text)
	if err != nil {
		t.Fatal(err)
	}
	file := save(t, d)
	prefix := filepath.Join(t.TempDir(), "page")
	run(t, "pdftoppm", "-r", "150", "-png", "-singlefile", file, prefix)
	got := strings.TrimSuffix(run(t, "zbarimg", "--quiet", "--raw", prefix+".png"), "\n")
	if got != text {
		t.Fatalf("zbarimg read %q, want %q", got, text)
	}
}

// TestXref parses the cross-reference table and checks that every offset
// points at its object, that startxref points at the table, and that every
// content stream inflates.
func TestXref(t *testing.T) {
	var b bytes.Buffer
	if _, err := report(40).WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	pdf := b.Bytes()
	if !bytes.HasPrefix(pdf, []byte("%PDF-1.7\n")) || !bytes.HasSuffix(pdf, []byte("%%EOF\n")) {
		t.Fatal("not framed as a PDF 1.7 file")
	}
	m := regexp.MustCompile(`startxref\n(\d+)\n%%EOF\n$`).FindSubmatch(pdf)
	if m == nil {
		t.Fatal("no startxref")
	}
	start, _ := strconv.Atoi(string(m[1]))
	rest := pdf[start:]
	head := regexp.MustCompile(`^xref\n0 (\d+)\n`).FindSubmatch(rest)
	if head == nil {
		t.Fatalf("startxref %d does not point at an xref table: %.20q", start, rest)
	}
	count, _ := strconv.Atoi(string(head[1]))
	entries := rest[len(head[0]):]
	if string(entries[:20]) != "0000000000 65535 f\r\n" {
		t.Fatalf("entry 0 is %q", entries[:20])
	}
	for n := 1; n < count; n++ {
		e := string(entries[20*n : 20*n+20])
		if !regexp.MustCompile(`^\d{10} 00000 n\r\n$`).MatchString(e) {
			t.Fatalf("entry %d is %q", n, e)
		}
		off, _ := strconv.Atoi(e[:10])
		if want := fmt.Sprintf("%d 0 obj\n", n); !bytes.HasPrefix(pdf[off:], []byte(want)) {
			t.Errorf("object %d: offset %d points at %.20q", n, off, pdf[off:])
		}
	}
	if tr := string(entries[20*count:]); !strings.HasPrefix(tr, fmt.Sprintf("trailer\n<< /Size %d /Root 1 0 R /Info 3 0 R", count)) {
		t.Errorf("trailer: %.80q", tr)
	}
	if got := bytes.Count(pdf, []byte(" 0 obj\n")); got != count-1 {
		t.Errorf("%d objects, xref lists %d", got, count-1)
	}

	streams := regexp.MustCompile(`(?s)<< /Length (\d+) /Filter /FlateDecode >>\nstream\n`).FindAllSubmatchIndex(pdf, -1)
	if len(streams) < 2 {
		t.Fatalf("%d streams", len(streams))
	}
	for _, s := range streams {
		n, _ := strconv.Atoi(string(pdf[s[2]:s[3]]))
		data := pdf[s[1] : s[1]+n]
		if !bytes.HasPrefix(pdf[s[1]+n:], []byte("\nendstream\n")) {
			t.Fatalf("stream at %d: /Length %d does not end at endstream", s[0], n)
		}
		r, err := zlib.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadAll(r); err != nil {
			t.Fatalf("stream at %d: %v", s[0], err)
		}
	}
}

func TestReproducible(t *testing.T) {
	var a, b bytes.Buffer
	d := report(30)
	if _, err := d.WriteTo(&a); err != nil {
		t.Fatal(err)
	}
	if _, err := d.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	var c bytes.Buffer
	if _, err := report(30).WriteTo(&c); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) || !bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Fatal("the same document wrote different bytes")
	}
}

func TestFontObjects(t *testing.T) {
	var b bytes.Buffer
	if _, err := New().WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"/Subtype /Type0 /BaseFont /STSong-Light-UniGB-UCS2-H /Encoding /UniGB-UCS2-H",
		"/Subtype /CIDFontType0 /BaseFont /STSong-Light",
		"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >>",
		"/DW 1000 /W [1 95 500]",
		"/Type /FontDescriptor /FontName /STSong-Light",
		"/ToUnicode 7 0 R",
		"/Count 1",
	} {
		if !bytes.Contains(b.Bytes(), []byte(want)) {
			t.Errorf("output lacks %q", want)
		}
	}
	if bytes.Contains(b.Bytes(), []byte("/CreationDate")) {
		t.Error("a zero Created time wrote a CreationDate")
	}

	cmap := toUnicode()
	if n := strings.Count(cmap, "beginbfrange"); n != 3 {
		t.Errorf("%d bfrange blocks", n)
	}
	lines := regexp.MustCompile(`(?m)^<([0-9A-F]{4})> <([0-9A-F]{4})> <([0-9A-F]{4})>$`).FindAllStringSubmatch(cmap, -1)
	covered := 0
	for _, l := range lines {
		lo, _ := strconv.ParseUint(l[1], 16, 16)
		hi, _ := strconv.ParseUint(l[2], 16, 16)
		if lo>>8 != hi>>8 {
			t.Errorf("bfrange %s–%s crosses a first byte", l[1], l[2])
		}
		covered += int(hi-lo) + 1
		if dst := l[3]; dst != l[1] && l[1]+dst != "30FB00B7" {
			t.Errorf("bfrange %s–%s maps to %s", l[1], l[2], dst)
		}
	}
	if !strings.Contains(cmap, "<30FB> <30FB> <00B7>\n") {
		t.Error("the ToUnicode map does not send 30FB back to the middle dot")
	}
	if covered != 0x10000-0x800 {
		t.Errorf("the ToUnicode map covers %d codes, want the BMP less the surrogates", covered)
	}
}

func TestEncode(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"德保A 1", "<5FB74FDD004100200031>"},
		{"a😷b", "<0061003F0062>"},        // outside the BMP
		{"a\tb\n", "<0061002000620020>"}, // control characters
		{"桂L·1", "<6842004C30FB0031>"},   // the middle dot goes through U+30FB
	} {
		if got := encode(c.in); got != c.want {
			t.Errorf("encode(%q) = %s, want %s", c.in, got, c.want)
		}
	}
	if got := textString("德A😷"); got != "<FEFF5FB70041D83DDE37>" {
		t.Errorf("textString = %s", got)
	}
	if got := pdfDate(time.Date(2022, 2, 9, 15, 30, 5, 0, time.FixedZone("", -(3*3600+30*60)))); got != "D:20220209153005-03'30'" {
		t.Errorf("pdfDate = %s", got)
	}
	if w := Width(10, "德保 A1😷"); w != 10+10+5+5+5+5 {
		t.Errorf("Width = %v", w)
	}
}

func TestWrap(t *testing.T) {
	const size = 10
	for _, c := range []struct {
		width float64
		in    string
		want  []string
	}{
		// Chinese breaks anywhere, but a closing mark never starts a line
		// and an opening one never ends one.
		{40, "德保县都安乡", []string{"德保县都", "安乡"}},
		{40, "德保县，都安", []string{"德保县，", "都安"}},
		{40, "德保（县）", []string{"德保", "（县）"}},
		// Latin words break at spaces, which are dropped at the break.
		{55, "close contact list", []string{"close", "contact", "list"}},
		{70, "德保 Debao county", []string{"德保 Debao", "county"}},
		// A word longer than a line is cut.
		{30, "ABCDEFGH", []string{"ABCDEF", "GH"}},
		{40, "a\n\nb", []string{"a", "", "b"}},
		{40, "", []string{""}},
	} {
		got := Wrap(size, c.width, c.in)
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("Wrap(%v, %q) = %q, want %q", c.width, c.in, got, c.want)
		}
	}
	long := strings.Repeat("病例于2022年1月28日至2月3日期间在德保县城关镇居住，其间多次前往农贸市场 and supermarkets。", 5)
	for _, line := range Wrap(size, 123, long) {
		if Width(size, line) > 123 {
			t.Errorf("line %q is %v wide", line, Width(size, line))
		}
	}
	if got := strings.Join(Wrap(size, 123, long), ""); strings.ReplaceAll(got, " ", "") != strings.ReplaceAll(long, " ", "") {
		t.Errorf("wrapping lost text:\n%s\n%s", got, long)
	}
}

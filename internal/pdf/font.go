package pdf

import (
	"fmt"
	"sort"
	"strings"
)

// ascent is the height of STSong-Light's em box above the baseline, in ems
// (the font descriptor's /Ascent 880); Text places the top of the em box.
const ascent = 0.88

// The font dictionaries: a Type0 font whose CMap turns 2-byte UCS-2 codes
// into Adobe-GB1 CIDs, its CIDFontType0 descendant, and a descriptor with
// STSong-Light's metrics, which readers use to pick and scale a substitute.
// %d are the object numbers of the descendant, the descriptor and the
// ToUnicode stream.
const (
	fontType0 = "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light-UniGB-UCS2-H" +
		" /Encoding /UniGB-UCS2-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>"
	fontCID = "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light" +
		" /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >>" +
		" /FontDescriptor %d 0 R /DW 1000 /W [1 95 500] >>"
	fontDescriptor = "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6" +
		" /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120" +
		" /CapHeight 880 /StemV 93 >>"
)

// toUnicode is the CMap that maps each 2-byte code to the same UTF-16 code
// unit: bfrange lines of 256 codes each (a bfrange may only vary the last
// byte), leaving out the surrogates D800–DFFF, which never occur because
// text outside the BMP is written as '?', and sending 30FB back to the
// middle dot (see code).
func toUnicode() string {
	var ranges []string
	for hi := 0; hi < 0x100; hi++ {
		if hi >= 0xd8 && hi <= 0xdf {
			continue
		}
		if hi == 0x30 { // 30FB is the middle dot, see code
			ranges = append(ranges, "<3000> <30FA> <3000>\n", "<30FB> <30FB> <00B7>\n", "<30FC> <30FF> <30FC>\n")
			continue
		}
		ranges = append(ranges, fmt.Sprintf("<%02X00> <%02XFF> <%02X00>\n", hi, hi, hi))
	}
	var b strings.Builder
	b.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n" +
		"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n" +
		"/CMapName /cordon-UCS2-UCS def\n/CMapType 2 def\n" +
		"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	for len(ranges) > 0 {
		n := min(100, len(ranges)) // at most 100 entries per block
		fmt.Fprintf(&b, "%d beginbfrange\n%sendbfrange\n", n, strings.Join(ranges[:n], ""))
		ranges = ranges[n:]
	}
	b.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	return b.String()
}

// glyph is the character that is actually written for r: control
// characters become spaces, and characters that UniGB-UCS2-H does not map
// to a CID become '?' — those outside the BMP, which UCS-2 cannot carry,
// and the BMP characters that Adobe-GB1 lacks (Hangul, most accented Latin
// letters). Readers would draw nothing for the latter, and poppler even
// reads such a code as two one-byte codes, so it could not be extracted
// either.
func glyph(r rune) rune {
	switch {
	case r < 0x20 || r == 0x7f:
		return ' '
	case r == 0xb7 || mapped(r):
		return r
	}
	return '?'
}

// mapped reports whether UniGB-UCS2-H maps r to a CID.
func mapped(r rune) bool {
	i := sort.Search(len(unigb), func(i int) bool { return rune(unigb[i][1]) >= r })
	return i < len(unigb) && rune(unigb[i][0]) <= r
}

// code is the 2-byte code written for r. The middle dot U+00B7 (桂L·12345,
// 阿依古丽·买买提) has no CID in UniGB-UCS2-H, which gives GB 2312's middle
// dot to the katakana middle dot U+30FB instead; it is written as 30FB and
// the ToUnicode map turns 30FB back into U+00B7, since Chinese text uses the
// katakana one almost never.
func code(r rune) rune {
	if r = glyph(r); r == 0xb7 {
		return 0x30fb
	}
	return r
}

// advance is the width of r in thousandths of an em: printable ASCII is half
// an em (the /W entry for CIDs 1–95), everything else a full em (/DW).
func advance(r rune) int {
	if r = code(r); r < 0x7f {
		return 500
	}
	return 1000
}

// Width is the advance width of s at size points, exactly as drawn.
func Width(size float64, s string) float64 {
	w := 0
	for _, r := range s {
		w += advance(r)
	}
	return float64(w) * size / 1000
}

// encode writes s as a PDF hex string of UCS-2 big-endian codes.
func encode(s string) string {
	var b strings.Builder
	b.WriteByte('<')
	for _, r := range s {
		fmt.Fprintf(&b, "%04X", code(r))
	}
	b.WriteByte('>')
	return b.String()
}

// textString encodes s as a PDF text string for the Info dictionary:
// UTF-16BE with a byte-order mark, in hex, which holds any Unicode text.
func textString(s string) string {
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			fmt.Fprintf(&b, "%04X%04X", 0xd800+(r>>10), 0xdc00+(r&0x3ff))
			continue
		}
		fmt.Fprintf(&b, "%04X", r)
	}
	b.WriteByte('>')
	return b.String()
}

// unigb are the runs of code points from U+0020 up that the UniGB-UCS2-H
// CMap maps to a CID, as [first, last] pairs in order (28,808 characters:
// GB 2312, GBK and GB 18030's CJK, Kangxi radicals, CJK Extension A, and
// symbols). TestUniGBTable checks it against the CMap in poppler-data.
var unigb = [...][2]uint16{
	{0x0020, 0x007E}, {0x00A4, 0x00A5}, {0x00A7, 0x00A8}, {0x00B0, 0x00B1}, {0x00D7, 0x00D7}, {0x00E0, 0x00E1},
	{0x00E8, 0x00EA}, {0x00EC, 0x00ED}, {0x00F2, 0x00F3}, {0x00F7, 0x00F7}, {0x00F9, 0x00FA}, {0x00FC, 0x00FC},
	{0x0101, 0x0101}, {0x0113, 0x0113}, {0x011B, 0x011B}, {0x012B, 0x012B}, {0x014D, 0x014D}, {0x016B, 0x016B},
	{0x01CE, 0x01CE}, {0x01D0, 0x01D0}, {0x01D2, 0x01D2}, {0x01D4, 0x01D4}, {0x01D6, 0x01D6}, {0x01D8, 0x01D8},
	{0x01DA, 0x01DA}, {0x01DC, 0x01DC}, {0x01F9, 0x01F9}, {0x02C7, 0x02C7}, {0x02C9, 0x02CB}, {0x02D9, 0x02D9},
	{0x0391, 0x03A1}, {0x03A3, 0x03A9}, {0x03B1, 0x03C1}, {0x03C3, 0x03C9}, {0x0401, 0x0401}, {0x0410, 0x044F},
	{0x0451, 0x0451}, {0x1E3F, 0x1E3F}, {0x2010, 0x2010}, {0x2013, 0x2016}, {0x2018, 0x2019}, {0x201C, 0x201D},
	{0x2025, 0x2026}, {0x2030, 0x2030}, {0x2032, 0x2033}, {0x2035, 0x2035}, {0x203B, 0x203B}, {0x20AC, 0x20AC},
	{0x2103, 0x2103}, {0x2105, 0x2105}, {0x2109, 0x2109}, {0x2116, 0x2116}, {0x2121, 0x2121}, {0x2160, 0x216B},
	{0x2170, 0x2179}, {0x2190, 0x2193}, {0x2196, 0x2199}, {0x2208, 0x2208}, {0x220F, 0x220F}, {0x2211, 0x2211},
	{0x2215, 0x2215}, {0x221A, 0x221A}, {0x221D, 0x2220}, {0x2223, 0x2223}, {0x2225, 0x2225}, {0x2227, 0x222B},
	{0x222E, 0x222E}, {0x2234, 0x2237}, {0x223D, 0x223D}, {0x2248, 0x2248}, {0x224C, 0x224C}, {0x2252, 0x2252},
	{0x2260, 0x2261}, {0x2264, 0x2267}, {0x226E, 0x226F}, {0x2295, 0x2295}, {0x2299, 0x2299}, {0x22A5, 0x22A5},
	{0x22BF, 0x22BF}, {0x22EF, 0x22EF}, {0x2312, 0x2312}, {0x2460, 0x2469}, {0x2474, 0x249B}, {0x2500, 0x254B},
	{0x2550, 0x2573}, {0x2581, 0x258F}, {0x2593, 0x2595}, {0x25A0, 0x25A1}, {0x25B2, 0x25B3}, {0x25BC, 0x25BD},
	{0x25C6, 0x25C7}, {0x25CB, 0x25CB}, {0x25CE, 0x25CF}, {0x25E2, 0x25E5}, {0x2605, 0x2606}, {0x2609, 0x2609},
	{0x2640, 0x2640}, {0x2642, 0x2642}, {0x2E80, 0x2E99}, {0x2E9B, 0x2EF3}, {0x2F00, 0x2FD5}, {0x2FF0, 0x2FFB},
	{0x3000, 0x3003}, {0x3005, 0x3017}, {0x301D, 0x301E}, {0x3021, 0x3029}, {0x3033, 0x3035}, {0x3038, 0x303A},
	{0x303E, 0x303F}, {0x3041, 0x3094}, {0x309B, 0x309E}, {0x30A1, 0x30FE}, {0x3105, 0x312C}, {0x31A0, 0x31B7},
	{0x3220, 0x3229}, {0x3231, 0x3231}, {0x32A3, 0x32A3}, {0x338E, 0x338F}, {0x339C, 0x339E}, {0x33A1, 0x33A1},
	{0x33C4, 0x33C4}, {0x33CE, 0x33CE}, {0x33D1, 0x33D2}, {0x33D5, 0x33D5}, {0x3400, 0x4DB5}, {0x4E00, 0x9FA5},
	{0xE816, 0xE818}, {0xE81E, 0xE81E}, {0xE826, 0xE826}, {0xE82B, 0xE82C}, {0xE831, 0xE832}, {0xE83B, 0xE83B},
	{0xE843, 0xE843}, {0xE854, 0xE855}, {0xE864, 0xE864}, {0xF92C, 0xF92C}, {0xFA0D, 0xFA0F}, {0xFA11, 0xFA11},
	{0xFA13, 0xFA14}, {0xFA18, 0xFA18}, {0xFA1F, 0xFA21}, {0xFA23, 0xFA24}, {0xFA27, 0xFA29}, {0xFE30, 0xFE30},
	{0xFE49, 0xFE52}, {0xFE54, 0xFE57}, {0xFE59, 0xFE66}, {0xFE68, 0xFE6B}, {0xFF01, 0xFF5E}, {0xFFE0, 0xFFE5},
}

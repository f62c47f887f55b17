package pdf

import (
	"strings"
)

// BodySize is the size of body text in points: 五号, the usual size of
// Chinese official documents.
const BodySize = 10.5

// TableSize is the size of the text in Table cells: 小五.
const TableSize = 9

// headingSizes are the sizes of headings of level 1 to 3: 小二, 四号, 小四.
var headingSizes = [...]float64{18, 14, 12}

// Y is the flow cursor: where the next Heading, Paragraph or table starts,
// from the top of the current page.
func (d *Document) Y() float64 { return d.y }

// SetY moves the flow cursor on the current page.
func (d *Document) SetY(y float64) {
	d.page()
	d.y = y
}

// Space moves the flow cursor down by h points, or to the top of a new
// page when it would pass the bottom margin.
func (d *Document) Space(h float64) {
	if !d.Fits(h) {
		d.AddPage()
		return
	}
	d.y += h
}

// Fits reports whether h points fit between the flow cursor and the bottom
// margin of the current page.
func (d *Document) Fits(h float64) bool {
	return len(d.pages) > 0 && d.y+h <= PageHeight-d.Margins.Bottom
}

// need starts a new page unless h points fit on the current one.
func (d *Document) need(h float64) {
	if !d.Fits(h) {
		d.AddPage()
	}
}

// Heading writes a heading of level 1 (the document title, centred), 2 or 3
// in a heavier face, keeping it on the same page as the next three lines
// of body text.
func (d *Document) Heading(level int, s string) {
	level = min(max(level, 1), len(headingSizes))
	size := headingSizes[level-1]
	lh := size * 1.4
	lines := Wrap(size, d.ContentWidth(), s)
	keep := float64(len(lines))*lh + 3*BodySize*1.6
	switch before := size * 0.6; {
	case len(d.pages) == 0:
		d.AddPage()
	case d.y <= d.Margins.Top: // no space before at the top of a page
	case d.Fits(before + keep):
		d.y += before
	default:
		d.AddPage()
	}
	for _, line := range lines {
		x := d.Margins.Left
		if level == 1 {
			x += (d.ContentWidth() - Width(size, line)) / 2
		}
		d.text(x, d.y+(lh-size)/2, size, line, true)
		d.y += lh
	}
	d.y += size * 0.4
}

// Paragraph writes body text wrapped to the margins, each paragraph
// (separated by "\n") with the customary two-character first-line indent,
// breaking pages between lines.
func (d *Document) Paragraph(s string) {
	for _, para := range strings.Split(s, "\n") {
		d.flow(BodySize, 2*BodySize, para)
	}
	d.y += BodySize * 0.4
}

// TextBlock writes s at size points wrapped to the margins, without indent,
// breaking pages between lines.
func (d *Document) TextBlock(size float64, s string) {
	for _, para := range strings.Split(s, "\n") {
		d.flow(size, 0, para)
	}
}

func (d *Document) flow(size, indent float64, s string) {
	lh := size * 1.6
	for i, line := range wrap(size, d.ContentWidth()-indent, d.ContentWidth(), s) {
		d.need(lh)
		x := d.Margins.Left
		if i == 0 {
			x += indent
		}
		d.text(x, d.y+(lh-size)/2, size, line, false)
		d.y += lh
	}
}

// Center writes s at size points, each wrapped line centred between the
// margins, breaking pages between lines.
func (d *Document) Center(size float64, s string) {
	lh := size * 1.6
	for _, line := range Wrap(size, d.ContentWidth(), s) {
		d.need(lh)
		d.text(d.Margins.Left+(d.ContentWidth()-Width(size, line))/2, d.y+(lh-size)/2, size, line, false)
		d.y += lh
	}
}

// Wrap breaks s into lines no wider than width at size points: between any
// two Chinese characters, at spaces between Latin words, and inside a Latin
// word only when it is longer than a line. Closing punctuation (，。）…)
// never starts a line and opening punctuation (（《“) never ends one. "\n"
// forces a break. An empty s is one empty line.
func Wrap(size, width float64, s string) []string {
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		lines = append(lines, wrap(size, width, width, para)...)
	}
	return lines
}

// wrap breaks one paragraph, the first line to first points, the others to
// width.
func wrap(size, first, width float64, s string) []string {
	var lines []string
	var cur strings.Builder
	w, limit := 0.0, first
	flush := func() {
		lines = append(lines, strings.TrimRight(cur.String(), " "))
		cur.Reset()
		w, limit = 0, width
	}
	for _, tok := range tokens(s) {
		tw := Width(size, tok)
		if tok == " " && w == 0 {
			continue
		}
		if w > 0 && w+tw > limit {
			flush()
			if tok == " " {
				continue
			}
		}
		if tw <= limit {
			cur.WriteString(tok)
			w += tw
			continue
		}
		for _, r := range tok { // longer than a line: break anywhere
			rw := float64(advance(r)) * size / 1000
			if w > 0 && w+rw > limit {
				flush()
			}
			cur.WriteRune(r)
			w += rw
		}
	}
	if cur.Len() > 0 || len(lines) == 0 {
		flush()
	}
	return lines
}

const (
	closing = "，。、；：？！）》」』】〕〉”’…—·%,.;:?!)]}"
	opening = "（《「『【〔〈“‘([{"
)

// tokens splits s into the pieces a line may break between: single spaces,
// Latin words, and single Chinese characters, with punctuation glued to
// its neighbour.
func tokens(s string) []string {
	var toks []string
	var cur strings.Builder
	open, wide := false, false
	end := func() {
		if cur.Len() > 0 {
			toks = append(toks, cur.String())
			cur.Reset()
		}
		open, wide = false, false
	}
	for _, r := range s {
		switch g := glyph(r); {
		case g == ' ':
			end()
			toks = append(toks, " ")
		case strings.ContainsRune(closing, g):
			if cur.Len() == 0 && len(toks) > 0 && toks[len(toks)-1] != " " {
				toks[len(toks)-1] += string(r)
			} else {
				cur.WriteRune(r)
			}
		default:
			w := advance(g) > 500
			if cur.Len() > 0 && !open && (w || wide) {
				end()
			}
			cur.WriteRune(r)
			open, wide = strings.ContainsRune(opening, g), w
		}
	}
	end()
	return toks
}

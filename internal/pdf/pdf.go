package pdf

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"cordon/internal/qrcode"
)

// A4 portrait, in points.
const (
	PageWidth  = 595.28
	PageHeight = 841.89
)

// mm is one millimetre in points.
const mm = 72 / 25.4

// Margins are the blank borders of each page, in points. The flow helpers
// stay inside them; page numbers sit in the bottom one.
type Margins struct {
	Top, Right, Bottom, Left float64
}

// Document is a PDF being built page by page. Set the exported fields
// before WriteTo; the zero value is not ready for use, call New.
type Document struct {
	Title   string    // Info /Title, shown by readers in the window title
	Author  string    // Info /Author
	Subject string    // Info /Subject
	Created time.Time // Info /CreationDate; the zero time leaves it out, so output is reproducible
	Margins Margins
	// PageNumbers prints "第 n 页 / 共 m 页" centred in the bottom margin of
	// every page.
	PageNumbers bool

	pages []*bytes.Buffer // content streams, uncompressed
	y     float64         // flow cursor on the last page
}

// New returns an empty document with 20 mm margins (25 mm at the top and
// bottom) and page numbers on.
func New() *Document {
	return &Document{
		Margins:     Margins{Top: 25 * mm, Right: 20 * mm, Bottom: 25 * mm, Left: 20 * mm},
		PageNumbers: true,
	}
}

// AddPage starts a new page; drawing and flowing go to it, and the flow
// cursor moves to its top margin.
func (d *Document) AddPage() {
	d.pages = append(d.pages, new(bytes.Buffer))
	d.y = d.Margins.Top
}

// Pages is the number of pages so far.
func (d *Document) Pages() int { return len(d.pages) }

// ContentWidth is the width between the left and right margins.
func (d *Document) ContentWidth() float64 {
	return PageWidth - d.Margins.Left - d.Margins.Right
}

// page is the content stream of the current page, starting one if there is
// none yet.
func (d *Document) page() *bytes.Buffer {
	if len(d.pages) == 0 {
		d.AddPage()
	}
	return d.pages[len(d.pages)-1]
}

// Text draws s on one line at size points, the top-left corner of its em
// box at (x, y). It does not wrap; see Wrap and Paragraph.
func (d *Document) Text(x, y, size float64, s string) {
	d.text(x, y, size, s, false)
}

// text draws s; bold fills and strokes the outlines with a thin line, the
// usual stand-in for a bold weight when a font has none.
func (d *Document) text(x, y, size float64, s string, bold bool) {
	if s == "" {
		return
	}
	p := d.page()
	if bold {
		fmt.Fprintf(p, "q %s w 2 Tr ", num(size*0.03))
	}
	fmt.Fprintf(p, "BT /F1 %s Tf %s %s Td %s Tj ET", num(size), num(x), num(PageHeight-y-ascent*size), encode(s))
	if bold {
		p.WriteString(" Q")
	}
	p.WriteByte('\n')
}

// Line draws a straight line of the given width in points, in black.
func (d *Document) Line(x1, y1, x2, y2, width float64) {
	fmt.Fprintf(d.page(), "q %s w %s %s m %s %s l S Q\n", num(width), num(x1), num(PageHeight-y1), num(x2), num(PageHeight-y2))
}

// Rect draws the outline of the rectangle whose top-left corner is (x, y),
// with lines of the given width.
func (d *Document) Rect(x, y, w, h, width float64) {
	fmt.Fprintf(d.page(), "q %s w %s %s %s %s re S Q\n", num(width), num(x), num(PageHeight-y-h), num(w), num(h))
}

// FillRect fills the rectangle whose top-left corner is (x, y) with a grey
// level from 0 (black) to 1 (white).
func (d *Document) FillRect(x, y, w, h, gray float64) {
	fmt.Fprintf(d.page(), "q %s g %s %s %s %s re f Q\n", num(gray), num(x), num(PageHeight-y-h), num(w), num(h))
}

// QR draws code as a square of side size whose top-left corner is (x, y).
// The square includes the quiet zone of qrcode.QuietZone modules, left
// unpainted, so the page behind it must be white. Dark modules are vector
// rectangles, one per horizontal run, and print crisp at any size.
func (d *Document) QR(x, y, size float64, code *qrcode.Code) {
	m := size / float64(code.Size+2*qrcode.QuietZone)
	p := d.page()
	p.WriteString("q 0 g\n")
	code.Runs(func(cx, cy, n int) {
		fmt.Fprintf(p, "%s %s %s %s re\n",
			num(x+float64(cx+qrcode.QuietZone)*m), num(PageHeight-y-float64(cy+qrcode.QuietZone+1)*m),
			num(float64(n)*m), num(m))
	})
	p.WriteString("f Q\n")
}

// num formats a length in points with at most 3 decimals, without
// trailing zeros.
func num(f float64) string {
	s := strconv.FormatFloat(f, 'f', 3, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" || s == "" {
		return "0"
	}
	return s
}

// footer draws the page number of page n (1-based) of m.
func (d *Document) footer(p *bytes.Buffer, n, m int) {
	const size = 9
	s := fmt.Sprintf("第 %d 页 / 共 %d 页", n, m)
	y := PageHeight - d.Margins.Bottom/2 - size/2
	fmt.Fprintf(p, "BT /F1 %d Tf %s %s Td %s Tj ET\n", size, num((PageWidth-Width(size, s))/2), num(PageHeight-y-ascent*size), encode(s))
}

// WriteTo writes the document as a PDF 1.7 file. A document without pages
// gets one blank page, since readers reject a file with none. Page numbers
// are added here, when the count is known; WriteTo may be called again
// and writes the same bytes.
func (d *Document) WriteTo(w io.Writer) (int64, error) {
	if len(d.pages) == 0 {
		d.AddPage()
	}
	var f file
	f.buf.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

	// Object numbers: 1 catalog, 2 page tree, 3 info, 4–7 the font, then a
	// page and its contents for each page.
	const catalog, tree, info, font, cidFont, descriptor, cmap, firstPage = 1, 2, 3, 4, 5, 6, 7, 8
	kids := make([]string, len(d.pages))
	for i := range d.pages {
		kids[i] = fmt.Sprintf("%d 0 R", firstPage+2*i)
	}
	f.object(catalog, fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", tree))
	f.object(tree, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(d.pages)))
	f.object(info, d.info())
	f.object(font, fmt.Sprintf(fontType0, cidFont, cmap))
	f.object(cidFont, fmt.Sprintf(fontCID, descriptor))
	f.object(descriptor, fontDescriptor)
	if err := f.stream(cmap, []byte(toUnicode())); err != nil {
		return 0, err
	}
	for i, content := range d.pages {
		page, contents := firstPage+2*i, firstPage+2*i+1
		f.object(page, fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s]"+
			" /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>",
			tree, num(PageWidth), num(PageHeight), font, contents))
		data := content.Bytes()
		if d.PageNumbers {
			var b bytes.Buffer
			b.Write(data)
			d.footer(&b, i+1, len(d.pages))
			data = b.Bytes()
		}
		if err := f.stream(contents, data); err != nil {
			return 0, err
		}
	}
	f.trailer(catalog, info)
	return f.buf.WriteTo(w)
}

// info is the document information dictionary.
func (d *Document) info() string {
	var b strings.Builder
	b.WriteString("<< /Producer (cordon)")
	for _, e := range []struct{ key, value string }{{"Title", d.Title}, {"Author", d.Author}, {"Subject", d.Subject}} {
		if e.value != "" {
			fmt.Fprintf(&b, " /%s %s", e.key, textString(e.value))
		}
	}
	if !d.Created.IsZero() {
		fmt.Fprintf(&b, " /CreationDate (%s)", pdfDate(d.Created))
	}
	b.WriteString(" >>")
	return b.String()
}

// pdfDate formats t as a PDF date, D:YYYYMMDDHHmmSS+HH'mm', keeping its zone.
func pdfDate(t time.Time) string {
	_, offset := t.Zone()
	sign := '+'
	if offset < 0 {
		sign, offset = '-', -offset
	}
	return fmt.Sprintf("D:%s%c%02d'%02d'", t.Format("20060102150405"), sign, offset/3600, offset/60%60)
}

// file accumulates the body of a PDF and the offset of each object.
type file struct {
	buf     bytes.Buffer
	offsets []int // by object number; 0 is the free head of the list
}

func (f *file) begin(n int) {
	for len(f.offsets) <= n {
		f.offsets = append(f.offsets, 0)
	}
	f.offsets[n] = f.buf.Len()
	fmt.Fprintf(&f.buf, "%d 0 obj\n", n)
}

func (f *file) object(n int, body string) {
	f.begin(n)
	f.buf.WriteString(body)
	f.buf.WriteString("\nendobj\n")
}

// stream writes data as an object compressed with FlateDecode.
func (f *file) stream(n int, data []byte) error {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	if _, err := zw.Write(data); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	f.begin(n)
	fmt.Fprintf(&f.buf, "<< /Length %d /Filter /FlateDecode >>\nstream\n", z.Len())
	f.buf.Write(z.Bytes())
	f.buf.WriteString("\nendstream\nendobj\n")
	return nil
}

// trailer writes the cross-reference table (entries of exactly 20 bytes)
// and the trailer. The file identifier is a hash of the body, so equal
// documents get equal files.
func (f *file) trailer(root, info int) {
	id := sha256.Sum256(f.buf.Bytes())
	xref := f.buf.Len()
	fmt.Fprintf(&f.buf, "xref\n0 %d\n0000000000 65535 f\r\n", len(f.offsets))
	for _, off := range f.offsets[1:] {
		fmt.Fprintf(&f.buf, "%010d 00000 n\r\n", off)
	}
	fmt.Fprintf(&f.buf, "trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%X> <%X>] >>\nstartxref\n%d\n%%%%EOF\n",
		len(f.offsets), root, info, id[:16], id[:16], xref)
}

// Package poster draws the printable poster of a venue code (场所码): one A4
// page that a venue posts at its entrance, carrying the QR code that people
// scan with a phone to record their visit. The poster is in Chinese only,
// as the notices it stands beside are.
package poster

import (
	"fmt"
	"io"
	"time"

	"cordon"
	"cordon/internal/pdf"
	"cordon/internal/qrcode"
)

// Poster is what one venue's poster shows.
type Poster struct {
	Venue    cordon.Venue
	Category string    // the category's Chinese name, 农贸市场
	Place    string    // the jurisdiction path, 广西壮族自治区百色市德保县城关镇
	URL      string    // what the QR code carries: the scan-in page of the code, {base}/s/{code}
	Printed  time.Time // shown as the print date, China time
}

// Sizes, in points. The QR code is 120 mm on a side, which a phone reads
// from two metres; it gives way (down to minQR) only when a long name and
// address leave less room, so that the poster stays one page.
const (
	mm        = 72 / 25.4
	qrSide    = 120 * mm
	minQR     = 80 * mm
	titleSize = 40
	nameSize  = 26
	longName  = 18 // a name of more than two lines at nameSize
	textSize  = 13
	callSize  = 16
	smallSize = 9
)

// Instructions are the lines under the code.
var instructions = []string{"请使用手机扫码登记", "进入场所请主动扫码，配合疫情防控"}

// Document lays the poster out: the title, the venue's name large, its
// category, address and place, the QR code, the instructions, and the code
// serial with the print date small at the foot.
func (p Poster) Document() (*pdf.Document, error) {
	code, err := qrcode.Encode(p.URL)
	if err != nil {
		return nil, err
	}
	d := pdf.New()
	d.Title = "场所码 " + p.Venue.Name
	d.Subject = "场所码"
	d.PageNumbers = false
	d.Margins.Top = 18 * mm
	d.Margins.Bottom = 15 * mm
	d.AddPage()

	d.Center(titleSize, "场所码")
	d.Space(4)
	size := float64(nameSize)
	if len(pdf.Wrap(size, d.ContentWidth(), p.Venue.Name)) > 2 {
		size = longName
	}
	d.Center(size, p.Venue.Name)
	if p.Category != "" {
		d.Center(textSize, p.Category)
	}
	if p.Venue.Address != "" {
		d.Center(textSize, p.Venue.Address)
	}
	if p.Place != "" {
		d.Center(textSize, p.Place)
	}
	d.Space(8)

	// What goes under the code, measured, so that the code takes what is
	// left of the page up to its full size.
	below := 8.0
	for _, s := range instructions {
		below += float64(len(pdf.Wrap(callSize, d.ContentWidth(), s))) * callSize * 1.6
	}
	below += 6 + smallSize*1.6
	side := min(qrSide, pdf.PageHeight-d.Margins.Bottom-d.Y()-below)
	side = max(side, minQR)
	top := d.Y()
	d.QR((pdf.PageWidth-side)/2, top, side, code)
	d.SetY(top + side + 8)
	for _, s := range instructions {
		d.Center(callSize, s)
	}
	d.Space(6)
	printed := p.Printed.In(cordon.ChinaTime).Format("2006-01-02")
	d.Center(smallSize, fmt.Sprintf("场所编号 %d · 场所码第 %d 版 · 打印日期 %s", p.Venue.ID, p.Venue.CodeSerial, printed))
	return d, nil
}

// WriteTo writes the poster as a PDF file.
func (p Poster) WriteTo(w io.Writer) (int64, error) {
	d, err := p.Document()
	if err != nil {
		return 0, err
	}
	return d.WriteTo(w)
}

package web

import (
	"bytes"
	"fmt"
	"net/http"

	"cordon"
	"cordon/internal/app"
	"cordon/internal/pdf"
	"cordon/internal/qrcode"
)

// The printed health code (纸质健康码) of someone without a phone — a child,
// an elderly person: an A6 card, drawn on an A4 sheet with its cut line,
// carrying a long-lived signed token. The colour printed on it is the one
// of the day it was printed; a check scans it and shows today's. Like the
// venue poster it speaks Chinese whatever the language of the pages.

// Card sizes, in points.
const (
	cardMM     = 72 / 25.4
	cardWidth  = 105 * cardMM
	cardHeight = 148 * cardMM
	cardTop    = 15 * cardMM
	cardQR     = 72 * cardMM
)

// codeCard lays the card out.
func (s *server) codeCard(t app.CodeToken) (*pdf.Document, error) {
	code, err := qrcode.Encode(t.Token)
	if err != nil {
		return nil, err
	}
	zh := func(key string, args ...any) string { return s.cat.T("zh-CN", key, args...) }
	d := pdf.New()
	d.Title = zh("codecard.title") + " " + t.Name
	d.Subject = zh("codecard.title")
	d.PageNumbers = false
	left := (pdf.PageWidth - cardWidth) / 2
	pad := 8 * cardMM
	d.Margins = pdf.Margins{Top: cardTop + pad, Bottom: pdf.PageHeight - cardTop - cardHeight, Left: left + pad, Right: left + pad}
	d.AddPage()
	d.Rect(left, cardTop, cardWidth, cardHeight, 0.5) // the cut line
	d.Rect(left+3*cardMM, cardTop+3*cardMM, cardWidth-6*cardMM, cardHeight-6*cardMM, 2)

	d.Center(20, zh("codecard.title"))
	d.Center(14, t.Name)
	d.Space(2)
	top := d.Y()
	d.QR((pdf.PageWidth-cardQR)/2, top, cardQR, code)
	d.SetY(top + cardQR + 2)
	d.Center(14, zh("codecard.color", zh("healthcode.color_"+string(t.Code.Color))))
	d.Center(10, zh("codecard.valid_until", t.ExpiresAt.In(chinaTime).Format("2006-01-02 15:04")))
	d.Center(10, zh("codecard.today"))
	d.Center(8, zh("codecard.printed", t.IssuedAt.In(chinaTime).Format("2006-01-02 15:04")))
	return d, nil
}

// printedCode answers a person's printed code as a PDF. Printing a code
// is managing codes (app checks it) and is audited as a read.
func (s *server) printedCode(w http.ResponseWriter, r *http.Request) {
	id, ok := personID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	t, err := s.app.PrintedCode(r.Context(), s.visitOf(r).actor, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.codeCard(t)
	var buf bytes.Buffer
	if err == nil {
		_, err = d.WriteTo(&buf)
	}
	if err != nil {
		s.fail(w, r, cordon.Errorf(cordon.KindInternal, "healthcode.card", "person %d: %v", id, err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", fmt.Sprintf(`inline; filename="person-%d-health-code.pdf"`, id))
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}

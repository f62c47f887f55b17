package web

import (
	"html/template"
	"net/http"
	"strings"
	"time"

	"cordon"
	"cordon/internal/app"
	"cordon/internal/qrcode"
)

// healthLinkPage shows a person's self-report link as a QR code to scan
// from the staff's screen and as text to send.
type healthLinkPage struct {
	page
	Link     app.CheckLink
	URL      string
	QR       template.HTML
	PersonID int64
	Until    string // the last day the link works
}

func (s *server) healthCheckLink(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	id, ok := pathInt64(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	link, err := s.app.HealthCheckLink(r.Context(), v.actor, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := healthLinkPage{page: s.newPage(r, "healthlink.title", "sites"), Link: link, PersonID: id, Until: link.Until.In(chinaTime).Format(time.DateOnly)}
	d.URL = strings.TrimSuffix(s.scanInURL(r, ""), "/s/") + link.Path
	svg, err := qrcode.SVG(d.URL)
	if err != nil {
		s.fail(w, r, cordon.Errorf(cordon.KindInternal, "healthcheck.qr", "person %d: %v", id, err))
		return
	}
	svg = strings.Replace(svg, "<svg ", `<svg width="240" height="240" `, 1)
	d.QR = template.HTML(svg) // drawn by qrcode from the URL alone
	s.render(w, r, http.StatusOK, "health_link", d)
}

package web

import (
	"bytes"
	"fmt"
	"net/http"

	"cordon"
	"cordon/internal/poster"
)

// venuePoster answers the A4 poster of a venue's current code as a PDF to
// print. Printing a code is managing the venue: a poster put up elsewhere
// records scan-ins at the wrong place.
func (s *server) venuePoster(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	id, ok := pathInt64(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	if !v.actor.Can(cordon.PermVenueManage) {
		s.fail(w, r, cordon.ErrForbidden)
		return
	}
	venue, err := s.app.Venue(r.Context(), v.actor, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The poster speaks Chinese whatever the language of the pages.
	p := poster.Poster{Venue: venue, Category: s.cat.T("zh-CN", "venue.category_"+string(venue.Category)),
		Place: s.app.PathName(r.Context(), venue.Jurisdiction), URL: s.scanInURL(r, venue.Code), Printed: s.opt.Now()}
	var buf bytes.Buffer
	if _, err := p.WriteTo(&buf); err != nil {
		s.fail(w, r, cordon.Errorf(cordon.KindInternal, "venue.poster", "venue %d: %v", id, err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", fmt.Sprintf(`inline; filename="venue-%d-code-%d.pdf"`, venue.ID, venue.CodeSerial))
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}

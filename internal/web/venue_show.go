package web

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"cordon"
	"cordon/internal/qrcode"
)

// venuePage is one venue: its facts, its code as a QR code of the public
// scan-in URL, the poster to print and the form that reissues the code.
type venuePage struct {
	page
	Venue cordon.Venue
	Place string
	// Coordinates are the latitude and longitude as typed, "" when unknown.
	Coordinates string
	ScanURL     string        // what the QR code carries
	QR          template.HTML // the QR code as inline SVG
	Reissue     form
}

// scanInURL is the public scan-in page of a venue code on the site the
// request reached: the URL a poster's QR code carries. Behind a proxy
// that ends TLS the site is https when cookies are marked Secure.
func (s *server) scanInURL(r *http.Request, code string) string {
	scheme := "http"
	if r.TLS != nil || s.opt.Secure {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/s/" + code
}

func (s *server) venueShow(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt64(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	s.showVenue(w, r, http.StatusOK, id, form{Values: map[string]string{}}, "")
}

// showVenue renders the venue page with the reissue form of a failed post
// shown again.
func (s *server) showVenue(w http.ResponseWriter, r *http.Request, status int, id int64, reissue form, alert string) {
	v := s.visitOf(r)
	venue, err := s.app.Venue(r.Context(), v.actor, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := venuePage{page: s.newPage(r, "venue.title", "venues"), Venue: venue, Place: s.app.PathName(r.Context(), venue.Jurisdiction),
		ScanURL: s.scanInURL(r, venue.Code), Reissue: reissue}
	d.Alert = alert
	if venue.Lat != nil && venue.Lng != nil {
		d.Coordinates = strconv.FormatFloat(*venue.Lat, 'f', -1, 64) + ", " + strconv.FormatFloat(*venue.Lng, 'f', -1, 64)
	}
	svg, err := qrcode.SVG(d.ScanURL)
	if err != nil {
		s.fail(w, r, cordon.Errorf(cordon.KindInternal, "venue.qr", "venue %d: %v", id, err))
		return
	}
	// A phone reads it from the screen at 240 CSS pixels; without a size
	// the symbol would fill a desktop's whole column.
	svg = strings.Replace(svg, "<svg ", `<svg width="240" height="240" `, 1)
	d.QR = template.HTML(svg) // drawn by qrcode from the URL alone: no markup of anyone else's
	s.render(w, r, status, "venue", d)
}

// maxReissueReason bounds the reason typed for a new code.
const maxReissueReason = 200

// venueReissue gives the venue a new code, revoking the printed posters,
// after the confirmation the page asks for.
func (s *server) venueReissue(w http.ResponseWriter, r *http.Request) {
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
	f := formFrom(r, "reason")
	reason := strings.TrimSpace(f.Get("reason"))
	if reason == "" || len([]rune(reason)) > maxReissueReason {
		f.fail("reason", "venue.reason_required")
		s.showVenue(w, r, http.StatusUnprocessableEntity, id, f, "error.venue.reason_required")
		return
	}
	if _, err := s.app.ReissueVenueCode(r.Context(), v.actor, id, reason); err != nil {
		s.fail(w, r, err)
		return
	}
	s.done(w, r, venuePath(id), "venue.code_reissued")
}

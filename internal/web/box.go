package web

import (
	"net/http"
	"strconv"
	"strings"

	"cordon"
)

// boxPage hands a box of tubes from a sampling point to a courier for a
// lab (samplers), or records its receipt at the lab (labs).
type boxPage struct {
	page
	Form   form
	Points []cordon.SamplingPoint
	Labs   []cordon.Lab
	// Box is the receipt just recorded, with its missing and extra tubes.
	Box *cordon.Box
}

var handOverFields = []string{"point", "lab", "barcode", "courier", "tubes"}

// tubeList splits the scanned tubes: one a line, or separated by spaces or
// commas, as a scanner in keyboard mode types them.
func tubeList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' || r == ';' })
}

func (s *server) boxForm(r *http.Request, f form) boxPage {
	v := s.visitOf(r)
	d := boxPage{page: s.newPage(r, "box.handover_title", "sampling"), Form: f}
	d.Scripts = []string{"scan.js"}
	d.Points, _ = s.app.Points(r.Context(), v.actor, "", cordon.PointFilter{ActiveOnly: true, Limit: 500})
	d.Labs, _ = s.app.HandOverLabs(r.Context(), v.actor)
	return d
}

func (s *server) boxNew(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	if !v.actor.Can(cordon.PermSampleWrite) {
		s.fail(w, r, cordon.ErrForbidden)
		return
	}
	f := form{Values: map[string]string{"point": r.URL.Query().Get("point")}}
	s.render(w, r, http.StatusOK, "box_handover", s.boxForm(r, f))
}

// boxHandOver records the box leaving the point.
func (s *server) boxHandOver(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	f := formFrom(r, handOverFields...)
	point, _ := intField(&f, "point")
	lab, _ := intField(&f, "lab")
	if len(f.Errors) > 0 {
		d := s.boxForm(r, f)
		d.Alert = "form.fix_fields"
		s.render(w, r, http.StatusUnprocessableEntity, "box_handover", d)
		return
	}
	in := cordon.BoxInput{Barcode: f.Get("barcode"), PointID: int64(point), LabID: int64(lab), Courier: f.Get("courier"), Tubes: tubeList(f.Get("tubes"))}
	b, err := s.app.HandOver(r.Context(), v.actor, in)
	if err != nil {
		d := s.boxForm(r, f)
		status, alert, ok := formFailure(err, &d.Form)
		if !ok {
			s.fail(w, r, err)
			return
		}
		for field, name := range map[string]string{"point_id": "point", "lab_id": "lab"} {
			if code, bad := d.Form.Errors[field]; bad {
				d.Form.Errors[name] = code
			}
		}
		d.Alert = alert
		s.render(w, r, status, "box_handover", d)
		return
	}
	s.setCookie(w, flashCookie, "box.handed_over", 60)
	seeOther(w, r, withQuery("/boxes/new", "point", strconv.FormatInt(b.PointID, 10)))
}

func (s *server) boxReceiveForm(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	if !v.actor.Can(cordon.PermLabWrite) {
		s.fail(w, r, cordon.ErrForbidden)
		return
	}
	d := boxPage{page: s.newPage(r, "box.receive_title", "results"), Form: form{Values: map[string]string{"barcode": r.URL.Query().Get("barcode")}}}
	d.Scripts = []string{"scan.js"}
	s.render(w, r, http.StatusOK, "box_receive", d)
}

// boxReceive records the tubes the lab scanned out of a box and shows
// which were missing and which were not handed over in it.
func (s *server) boxReceive(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	f := formFrom(r, "barcode", "tubes")
	d := boxPage{page: s.newPage(r, "box.receive_title", "results"), Form: f}
	d.Scripts = []string{"scan.js"}
	b, err := s.app.ReceiveBox(r.Context(), v.actor, strings.TrimSpace(f.Get("barcode")), tubeList(f.Get("tubes")))
	if err != nil {
		status, alert, ok := formFailure(err, &d.Form)
		if !ok {
			k := cordon.ErrorKind(err)
			if k != cordon.KindNotFound && k != cordon.KindConflict {
				s.fail(w, r, err)
				return
			}
			status, alert = k.HTTPStatus(), errorKey(err)
			d.Form.fail("barcode", cordon.ErrorCode(err))
		}
		d.Alert = alert
		s.render(w, r, status, "box_receive", d)
		return
	}
	d.Box = &b
	d.Form = form{Values: map[string]string{}}
	d.Notice = "notice.box.received"
	s.render(w, r, http.StatusOK, "box_receive", d)
}

package web

import (
	"net/http"
	"strings"

	"cordon"
)

// samplingCloseTube closes a partly filled tube, at the end of a shift or
// when the group changes. The script queues the close behind the tube's
// registrations and posts it asking for JSON; a form post comes back to
// the sampler page.
func (s *server) samplingCloseTube(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	barcode := strings.TrimSpace(r.PostFormValue("tube"))
	t, err := s.app.CloseTube(r.Context(), v.actor, barcode)
	if wantsJSON(r) {
		if err != nil {
			s.writeJSONError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]cordon.Tube{"tube": t})
		return
	}
	if err != nil {
		if e := asError(err); e != nil && e.Kind != cordon.KindInternal && e.Kind != cordon.KindUnauthorized {
			f := samplingFormFrom(r)
			f.fail("close_tube", e.Code)
			s.showSampling(w, r, e.Kind.HTTPStatus(), f, nil, errorKey(err))
			return
		}
		s.fail(w, r, err)
		return
	}
	s.done(w, r, withQuery("/sampling", "round", r.PostFormValue("round"), "point", r.PostFormValue("point"),
		"table", r.PostFormValue("table"), "group", r.PostFormValue("group")), "tube.closed")
}

// samplingQueue records how many people wait at the point, for the
// public waiting estimate.
func (s *server) samplingQueue(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	f := samplingFormFrom(r)
	f.Values["queue"] = r.PostFormValue("queue")
	point, okPoint := intField(&f, "point")
	queue, okQueue := intField(&f, "queue")
	var err error
	switch {
	case !okQueue:
		err = cordon.Errorf(cordon.KindInvalid, "point.queue_invalid", "the queue must be a number").WithField("queue", "point.queue_invalid")
	case !okPoint || point == 0:
		err = cordon.Errorf(cordon.KindInvalid, "point.not_found", "choose a point").WithField("point", "point.not_found")
	default:
		err = s.app.ReportQueue(r.Context(), v.actor, int64(point), queue)
	}
	if wantsJSON(r) {
		if err != nil {
			s.writeJSONError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]int{"queue": queue})
		return
	}
	if err != nil {
		status, alert, ok := formFailure(err, &f)
		if !ok {
			s.fail(w, r, err)
			return
		}
		s.showSampling(w, r, status, f, nil, alert)
		return
	}
	s.done(w, r, withQuery("/sampling", "round", f.Get("round"), "point", f.Get("point"), "table", f.Get("table"), "group", f.Get("group")), "point.queue_reported")
}

// samplingFormFrom keeps the sampler's setup from a posted form.
func samplingFormFrom(r *http.Request) form {
	return formFrom(r, samplingSetup...)
}

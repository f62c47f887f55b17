package web

import (
	"net/http"
	"strconv"
	"strings"

	"cordon"
)

// One arrival (/arrivals/{id}): the traveller masked by role, the travel
// with place names, the channels that reported it, the risk areas its
// travel met, and its obligations with the order they made and, for an
// open test, the form to mark it met by a test taken elsewhere.

type arrivalShowPage struct {
	page
	Arrival cordon.Trip
	Row     arrivalRow
	Areas   []matchedArea
	Match   string // the place and days that decided the population, named
	Meet    form   // the meet form posted with an error
	MeetID  int64
}

// matchedArea is a risk area the travel met: its name while it is in
// force, else only its number.
type matchedArea struct {
	ID   int64
	Name string
	Tier string
}

func (s *server) arrivalShow(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt64(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	s.showArrival(w, r, id, http.StatusOK, form{}, 0, "")
}

func (s *server) showArrival(w http.ResponseWriter, r *http.Request, id int64, status int, meet form, meetID int64, alert string) {
	v := s.visitOf(r)
	t, err := s.app.Arrival(r.Context(), v.actor, id, "")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := arrivalShowPage{page: s.newPage(r, "arrivals.show_title", "arrivals"), Arrival: t, Row: arrivalRowOf(t, s.opt.Now()), Meet: meet, MeetID: meetID}
	d.Alert = alert
	if len(t.Areas) > 0 {
		inForce, err := s.app.PublicRiskAreas(r.Context())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, id := range t.Areas {
			m := matchedArea{ID: id}
			for _, a := range inForce {
				if a.ID == id {
					m.Name, m.Tier = a.Name+" · "+a.JurisdictionName, a.Tier
				}
			}
			d.Areas = append(d.Areas, m)
		}
	}
	if place, days, ok := strings.Cut(t.MatchNote, " "); ok {
		d.Match = s.app.Directory().Path(place) + " " + days
	}
	s.render(w, r, status, "arrival", d)
}

// obligationMeet marks an open test obligation met by a test taken where
// cordon does not see it, with a note; back to the page it came from.
func (s *server) obligationMeet(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt64(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	// The arrival page's form names its arrival, to return there.
	f := formFrom(r, "note", "arrival")
	arrival, _ := strconv.ParseInt(f.Get("arrival"), 10, 64)
	_, err := s.app.MeetObligation(r.Context(), s.visitOf(r).actor, id, f.Get("note"))
	if err == nil {
		back := "/arrivals/tasks"
		if arrival > 0 {
			back = "/arrivals/" + strconv.FormatInt(arrival, 10)
		}
		s.done(w, r, back, "obligation.met")
		return
	}
	status, alert, ok := formFailure(err, &f)
	switch {
	case !ok:
		s.fail(w, r, err)
	case arrival > 0:
		s.showArrival(w, r, arrival, status, f, id, alert)
	default:
		s.showTasks(w, r, status, f, id, alert)
	}
}

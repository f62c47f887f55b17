package web

import (
	"net/http"
	"time"

	"cordon"
)

// The grid worker's arrival tasks (/arrivals/tasks), made for a phone:
// the open tests of arrivals in the reader's jurisdiction, overdue first,
// then by due time; each with the traveller's name, phone (masked by
// role), arrival and due times, and a form to mark the test taken
// elsewhere (已在外地检测) with a note.

type arrivalTasksPage struct {
	page
	Overdue []arrivalTask
	Due     []arrivalTask
	Meet    form // the meet form posted with an error
	MeetID  int64
}

type arrivalTask struct {
	cordon.Obligation
	Arrived time.Time
	Page    *arrivalTasksPage // for the token and the meet form of each task
}

func (s *server) arrivalTasks(w http.ResponseWriter, r *http.Request) {
	s.showTasks(w, r, http.StatusOK, form{}, 0, "")
}

func (s *server) showTasks(w http.ResponseWriter, r *http.Request, status int, meet form, meetID int64, alert string) {
	obs, err := s.app.ArrivalTasks(r.Context(), s.visitOf(r).actor, cordon.ObligationFilter{Status: cordon.ObligationOpen, Limit: 500})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := arrivalTasksPage{page: s.newPage(r, "arrival_tasks.title", "arrival_tasks"), Meet: meet, MeetID: meetID}
	d.Alert = alert
	for _, o := range obs {
		t := arrivalTask{Obligation: o, Page: &d}
		t.Arrived, _ = time.Parse(time.RFC3339, o.ArriveAt)
		if o.Overdue {
			d.Overdue = append(d.Overdue, t)
		} else {
			d.Due = append(d.Due, t)
		}
	}
	s.render(w, r, status, "arrival_tasks", d)
}

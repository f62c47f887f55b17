package web

import (
	"net/http"
	"strconv"

	"cordon"
)

// alertListPage lists the health-check alerts of the account's subtree:
// those nobody acknowledged, or all of them.
type alertListPage struct {
	page
	Alerts []cordon.Alert
	All    bool
	Next   string
}

func (s *server) alertList(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	q := r.URL.Query()
	d := alertListPage{page: s.newPage(r, "alerts.title", "alerts"), All: q.Get("all") != ""}
	after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
	alerts, err := s.app.Alerts(r.Context(), v.actor, cordon.AlertFilter{Open: !d.All, After: after, Limit: pageSize})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Alerts = alerts
	if len(alerts) == pageSize {
		all := ""
		if d.All {
			all = "1"
		}
		d.Next = withQuery("/alerts", "all", all, "after", strconv.FormatInt(alerts[pageSize-1].ID, 10))
	}
	s.render(w, r, http.StatusOK, "alerts", d)
}

// alertAck acknowledges an alert and returns to the list.
func (s *server) alertAck(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	id, ok := pathInt64(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	if _, err := s.app.AcknowledgeAlert(r.Context(), v.actor, id); err != nil {
		s.fail(w, r, err)
		return
	}
	s.done(w, r, "/alerts", "alert.acknowledged")
}

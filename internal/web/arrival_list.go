package web

import (
	"net/http"
	"strconv"
	"time"

	"cordon"
)

// The arrivals of the reader's jurisdiction (/arrivals): newest first,
// with the population, the channels that reported each, where its
// obligations stand and whether a test is overdue; filtered by
// population, a page at a time. Links lead to the record form, the list
// import and the task list.

type arrivalListPage struct {
	page
	Population  string
	Populations []string
	Arrivals    []arrivalRow
	Next        string // the link to the next page, "" on the last
}

// arrivalRow is one arrival with the counts the list shows.
type arrivalRow struct {
	cordon.Trip
	Channels []cordon.ArrivalChannel // each once, first report first
	Open     int
	Met      int
	Overdue  bool
}

// arrivalPopulations are the populations, strongest first.
var arrivalPopulations = []string{cordon.ArrivalRiskArea, cordon.ArrivalRiskCounty, cordon.ArrivalCaseCity, cordon.ArrivalOrdinary}

const arrivalPageSize = 50

func (s *server) arrivalList(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	q := r.URL.Query()
	f := cordon.ArrivalFilter{Population: q.Get("population"), Limit: arrivalPageSize}
	f.After, _ = strconv.ParseInt(q.Get("after"), 10, 64)
	trips, err := s.app.Arrivals(r.Context(), v.actor, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := arrivalListPage{page: s.newPage(r, "arrivals.title", "arrivals"), Population: f.Population, Populations: arrivalPopulations}
	now := s.opt.Now()
	for _, t := range trips {
		d.Arrivals = append(d.Arrivals, arrivalRowOf(t, now))
	}
	if len(trips) == arrivalPageSize {
		d.Next = withQuery("/arrivals", "population", f.Population, "after", strconv.FormatInt(trips[len(trips)-1].ID, 10))
	}
	s.render(w, r, http.StatusOK, "arrivals", d)
}

func arrivalRowOf(t cordon.Trip, now time.Time) arrivalRow {
	row := arrivalRow{Trip: t}
	for _, src := range t.Sources {
		seen := false
		for _, c := range row.Channels {
			seen = seen || c == src.Channel
		}
		if !seen {
			row.Channels = append(row.Channels, src.Channel)
		}
	}
	for _, o := range t.Obligation {
		switch o.Status {
		case cordon.ObligationOpen:
			row.Open++
		case cordon.ObligationMet:
			row.Met++
		}
		row.Overdue = row.Overdue || o.IsOverdue(now)
	}
	return row
}

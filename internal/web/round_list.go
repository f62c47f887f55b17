package web

import (
	"net/http"
	"strconv"

	"cordon"
)

// roundListPage lists the rounds over the account's jurisdiction.
type roundListPage struct {
	page
	Open   []roundRow
	Closed []roundRow
	Next   string
}

// roundRow is a round with its place name and, for open rounds on the
// first page, its overall progress.
type roundRow struct {
	cordon.Round
	Place    string
	Progress *cordon.Tally
}

// roundsWithProgress bounds how many open rounds the list sums progress
// for: each sum reads the round's tallies.
const roundsWithProgress = 10

// roundList shows open rounds first, then closed ones, newest first.
func (s *server) roundList(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	rounds, err := s.app.Rounds(r.Context(), v.actor, false, after, pageSize)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := roundListPage{page: s.newPage(r, "rounds.title", "rounds")}
	for _, rd := range rounds {
		row := roundRow{Round: rd, Place: s.placeName(rd.Jurisdiction)}
		if rd.Closed {
			d.Closed = append(d.Closed, row)
			continue
		}
		if after == 0 && len(d.Open) < roundsWithProgress {
			if p, err := s.app.RoundProgress(r.Context(), v.actor, rd.ID, "", 1); err == nil {
				row.Progress = &p.Tally
			}
		}
		d.Open = append(d.Open, row)
	}
	if len(rounds) == pageSize {
		d.Next = withQuery("/rounds", "after", strconv.FormatInt(rounds[len(rounds)-1].ID, 10))
	}
	s.render(w, r, http.StatusOK, "rounds", d)
}

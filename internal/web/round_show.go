package web

import (
	"net/http"
	"strconv"
	"time"

	"cordon"
)

// roundPage is one round: its facts, its progress at one node of the tree
// with the nodes below, the cadence and pool-size advice for that node, and
// for a grid worker the people of their grid not yet sampled.
type roundPage struct {
	page
	Round    cordon.Round
	Place    string
	Overdue  bool // the deadline passed and the round is still open
	CanClose bool
	Crumbs   []cordon.Jurisdiction // from the top node the account may see down to the node shown
	Progress progressView
	Cadence  *cordon.Cadence
	Advice   adviceView
	// Unsampled is the first page of the grid worker's list; UnsampledMore
	// says there are more on the full list.
	Unsampled     []cordon.Person
	UnsampledMore bool
	UnsampledErr  string // translation key when app refused the list
	GridWorker    bool
	Groups        []cordon.Group
}

// progressView is the part of the round page that htmx refreshes.
type progressView struct {
	RoundID int64
	Closed  bool
	Node    cordon.Progress
	Updated time.Time
	Alert   string
}

// adviceView is the pool-size advice: from a prevalence typed in (percent),
// else from the positivity of the node's rounds in the last 14 days.
type adviceView struct {
	Form     form
	Observed bool // Advice is from the rounds, not typed in
	Sampled  int  // people sampled in those rounds
	Advice   *cordon.PoolAdvice
}

// roundID reads the {id} of a round route.
func roundID(r *http.Request) (int64, bool) { return pathInt64(r, "id") }

func (s *server) roundShow(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	id, ok := roundID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	ctx, q := r.Context(), r.URL.Query()
	d := roundPage{page: s.newPage(r, "round.title", "rounds"), GridWorker: v.actor.Role == cordon.RoleGridWorker, Groups: cordon.Groups}
	d.Scripts = []string{"vendor/echarts.min.js", "rounds.js"}
	var err error
	if d.Round, err = s.app.Round(ctx, v.actor, id); err != nil {
		s.fail(w, r, err)
		return
	}
	d.Place = s.app.PathName(ctx, d.Round.Jurisdiction)
	d.Overdue = !d.Round.Closed && s.opt.Now().After(d.Round.Deadline)
	d.CanClose = !d.Round.Closed && v.actor.Can(cordon.PermTestingManage) && v.actor.Sees(d.Round.Jurisdiction)
	if d.Progress, err = s.progressOf(r, d.Round, q.Get("at")); err != nil {
		s.fail(w, r, err)
		return
	}
	at := d.Progress.Node.Code
	d.Crumbs = s.roundCrumbs(d.Round, v.actor, at)
	if c, err := s.app.Cadence(ctx, v.actor, at); err == nil {
		d.Cadence = &c
	}
	var status int
	d.Advice, status = s.poolAdvice(r, at)
	if d.GridWorker && !d.Round.Closed {
		people, err := s.app.Unsampled(ctx, v.actor, id, v.actor.Jurisdiction, 0, unsampledPreview+1)
		switch {
		case err == nil:
			d.UnsampledMore = len(people) > unsampledPreview
			d.Unsampled = people[:min(len(people), unsampledPreview)]
		case asError(err) != nil && cordon.ErrorKind(err) != cordon.KindInternal:
			d.UnsampledErr = errorKey(err)
		default:
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, status, "round", d)
}

// unsampledPreview is how many unsampled people the round page shows a
// grid worker; the full list pages on.
const unsampledPreview = 20

// roundProgress answers htmx's poll with the progress table alone.
func (s *server) roundProgress(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	id, ok := roundID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	rd, err := s.app.Round(r.Context(), v.actor, id)
	if err != nil {
		s.renderFragment(w, r, cordon.ErrorKind(err).HTTPStatus(), "round", "progress", progressView{RoundID: id, Alert: errorKey(err)})
		return
	}
	p, err := s.progressOf(r, rd, r.URL.Query().Get("at"))
	if err != nil {
		p.Alert = errorKey(err)
	}
	s.renderFragment(w, r, http.StatusOK, "round", "progress", p)
}

// progressOf sums the round's progress at a node (the default node when
// at is empty) with one level below.
func (s *server) progressOf(r *http.Request, rd cordon.Round, at string) (progressView, error) {
	v := s.visitOf(r)
	p := progressView{RoundID: rd.ID, Closed: rd.Closed, Updated: s.opt.Now()}
	var err error
	p.Node, err = s.app.RoundProgress(r.Context(), v.actor, rd.ID, at, 1)
	return p, err
}

// roundCrumbs lists the nodes from the highest one the account may open
// (the round's own, or the account's) down to at, at excluded.
func (s *server) roundCrumbs(rd cordon.Round, actor cordon.Actor, at string) []cordon.Jurisdiction {
	top := rd.Jurisdiction
	if !actor.Sees(top) {
		top = actor.Jurisdiction
	}
	var out []cordon.Jurisdiction
	for c := cordon.ParentCode(at); c != "" && cordon.Within(c, top); c = cordon.ParentCode(c) {
		out = append([]cordon.Jurisdiction{{Code: c, Name: s.placeName(c)}}, out...)
		if c == top {
			break
		}
	}
	return out
}

// poolAdvice works out the advice for the round page, with the status the
// page answers with (422 when the typed prevalence is wrong).
func (s *server) poolAdvice(r *http.Request, at string) (adviceView, int) {
	v := s.visitOf(r)
	ctx := r.Context()
	a := adviceView{Form: form{Values: map[string]string{"prevalence": r.URL.Query().Get("prevalence")}}}
	var p float64
	if a.Form.Get("prevalence") != "" {
		pct, ok := floatField(&a.Form, "prevalence")
		if ok && (pct < 0 || pct > 100) {
			a.Form.fail("prevalence", "form.percent_invalid")
			ok = false
		}
		if !ok {
			return a, http.StatusUnprocessableEntity
		}
		p = pct / 100
	} else {
		var err error
		if p, a.Sampled, err = s.app.ObservedPrevalence(ctx, v.actor, at); err != nil || a.Sampled == 0 {
			return a, http.StatusOK
		}
		a.Observed = true
	}
	adv, err := s.app.PoolAdvice(ctx, v.actor, p)
	if err != nil {
		a.Form.fail("prevalence", cordon.ErrorCode(err))
		return a, http.StatusUnprocessableEntity
	}
	a.Advice = &adv
	return a, http.StatusOK
}

// roundClose ends a round: no more registrations.
func (s *server) roundClose(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	id, ok := roundID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	if err := s.app.CloseRound(r.Context(), v.actor, id); err != nil {
		s.fail(w, r, err)
		return
	}
	s.done(w, r, "/rounds/"+strconv.FormatInt(id, 10), "round.closed")
}

package web

import (
	"net/http"
	"sort"
	"strings"

	"cordon"
)

// Risk areas (风险区): the public list of the areas in force, grouped by
// tier and city, open to anyone and readable without script; a signed-in
// commander sees below it the step-downs due and the forms to declare,
// step down and lift.

// riskAreasPage is the public list and the staff forms.
type riskAreasPage struct {
	page
	Tiers     []riskTierGroup
	Count     int
	Proposals []cordon.StepDownProposal
	Mine      []cordon.RiskArea // the areas of the reader's subtree, for the lift forms
	Form      form
	Lift      form
	LiftID    int64
	TierCodes []string // the tiers of the edition in force in the reader's jurisdiction
	Places    []cordon.Jurisdiction
}

type riskTierGroup struct {
	Tier   string
	Rank   int
	Cities []riskCityGroup
}

type riskCityGroup struct {
	Name  string
	Areas []cordon.RiskArea
}

var riskAreaFields = []string{"tier", "jurisdiction", "name", "reason", "geojson", "from", "to", "since"}

// groupRiskAreas groups areas by tier, highest first, then by city.
func (s *server) groupRiskAreas(areas []cordon.RiskArea) []riskTierGroup {
	var out []riskTierGroup
	for _, a := range areas {
		rank := 0
		if p, ok := cordon.Edition(a.Edition); ok {
			t, _ := p.RiskTier(a.Tier)
			rank = t.Rank
		}
		i := 0
		for i < len(out) && out[i].Tier != a.Tier {
			i++
		}
		if i == len(out) {
			out = append(out, riskTierGroup{Tier: a.Tier, Rank: rank})
		}
		g := &out[i]
		city := s.app.Directory().Path(cityOf(a.Jurisdiction))
		j := 0
		for j < len(g.Cities) && g.Cities[j].Name != city {
			j++
		}
		if j == len(g.Cities) {
			g.Cities = append(g.Cities, riskCityGroup{Name: city})
		}
		g.Cities[j].Areas = append(g.Cities[j].Areas, a)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Rank > out[j].Rank })
	for _, g := range out {
		sort.SliceStable(g.Cities, func(i, j int) bool { return g.Cities[i].Name < g.Cities[j].Name })
	}
	return out
}

// cityOf is the prefecture-level code above a township or deeper code.
func cityOf(code string) string {
	if len(code) < 4 {
		return code
	}
	return code[:4] + "00"
}

func (s *server) riskAreaList(w http.ResponseWriter, r *http.Request) {
	f := form{Values: map[string]string{"jurisdiction": s.visitOf(r).actor.Jurisdiction}}
	s.showRiskAreas(w, r, http.StatusOK, f, form{}, 0, "")
}

func (s *server) showRiskAreas(w http.ResponseWriter, r *http.Request, status int, f, lift form, liftID int64, alert string) {
	ctx := r.Context()
	areas, err := s.app.PublicRiskAreas(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := riskAreasPage{page: s.newPage(r, "riskareas.title", "riskareas"), Tiers: s.groupRiskAreas(areas), Count: len(areas),
		Form: f, Lift: lift, LiftID: liftID}
	actor := s.visitOf(r).actor
	if actor.Can(cordon.PermRiskAreaManage) {
		if d.Proposals, err = s.app.ProposeStepDowns(ctx, actor); err != nil {
			s.fail(w, r, err)
			return
		}
		if d.Mine, err = s.app.RiskAreas(ctx, actor, cordon.RiskAreaFilter{}); err != nil {
			s.fail(w, r, err)
			return
		}
		if p, err := s.app.Policy(ctx, actor.Jurisdiction, s.opt.Now()); err == nil {
			for _, t := range p.RiskTiers {
				d.TierCodes = append(d.TierCodes, t.Code)
			}
		}
		d.Places = s.places(r)
	}
	d.Alert = alert
	s.render(w, r, status, "riskareas", d)
}

// riskAreaDeclare declares an area.
func (s *server) riskAreaDeclare(w http.ResponseWriter, r *http.Request) {
	f := formFrom(r, riskAreaFields...)
	from, okFrom := timeField(&f, "from")
	to, okTo := timeField(&f, "to")
	since, okSince := timeField(&f, "since")
	if !okFrom || !okTo || !okSince {
		s.showRiskAreas(w, r, http.StatusUnprocessableEntity, f, form{}, 0, "form.fix_fields")
		return
	}
	actor := s.visitOf(r).actor
	_, err := s.app.DeclareRiskArea(r.Context(), actor, cordon.RiskArea{Tier: f.Get("tier"), Jurisdiction: strings.TrimSpace(f.Get("jurisdiction")),
		Name: f.Get("name"), Reason: f.Get("reason"), GeoJSON: f.Get("geojson"), From: from, To: to, Since: since})
	err = outsideScope(err, actor, cordon.PermRiskAreaManage)
	if err != nil {
		status, alert, ok := formFailure(err, &f)
		if !ok {
			s.fail(w, r, err)
			return
		}
		s.showRiskAreas(w, r, status, f, form{}, 0, alert)
		return
	}
	s.done(w, r, "/risk-areas", "riskarea.declared")
}

// riskAreaStepDown confirms a due step-down.
func (s *server) riskAreaStepDown(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt64(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	if _, err := s.app.ConfirmStepDown(r.Context(), s.visitOf(r).actor, id); err != nil {
		f := form{Values: map[string]string{}}
		status, alert, ok := formFailure(err, &f)
		if !ok {
			s.fail(w, r, err)
			return
		}
		s.showRiskAreas(w, r, status, f, form{}, 0, alert)
		return
	}
	s.done(w, r, "/risk-areas", "riskarea.stepped_down")
}

// riskAreaLift lifts an area now, with a reason.
func (s *server) riskAreaLift(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt64(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	lift := formFrom(r, "reason")
	if err := s.app.LiftRiskArea(r.Context(), s.visitOf(r).actor, id, lift.Get("reason")); err != nil {
		status, alert, ok := formFailure(err, &lift)
		if !ok {
			s.fail(w, r, err)
			return
		}
		s.showRiskAreas(w, r, status, form{Values: map[string]string{}}, lift, id, alert)
		return
	}
	s.done(w, r, "/risk-areas", "riskarea.lifted")
}

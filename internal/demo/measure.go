package demo

import (
	"fmt"
	"slices"
	"time"

	"cordon"
	"cordon/internal/app"
)

// The county measure, on the scenario's clock only. On 02-09 德保县's
// command turns every resident's health code yellow (B6) until three
// negative area-wide rounds: one record over 451024, no person written.
// The rounds of 02-09, 02-11 and 02-13 sample the residents at home (not
// those at the hotel, in hospital or held for a retest) and a crowd of
// people outside the register at the county's points, ten to a tube, from
// 07:00 to 15:00, and close at 16:00; the schedule's SettleMeasures, run
// every hour, ends the measure at the last result of the third. Before it,
// the second round, begun on 02-06, samples the rest of the county and
// closes at its deadline. On 02-04 the companions of the index case who
// live in 德保县 and did not become his contacts turn yellow (B3) from his
// companion search.

// crowdSize is how many people outside the register (returnees, people
// registered elsewhere) each later round samples, their ID numbers typed
// in: with the residents, about a thousand samples a round.
const crowdSize = 600

// MeasureNote is the reason of the county measure.
const MeasureNote = "全县赋黄码，三轮核酸阴性后转绿"

// areaRounds are the three rounds of the measure.
var areaRounds = []struct {
	name string
	day  int // of February
}{
	{"德保县第三轮全员核酸检测", 9},
	{"德保县第四轮全员核酸检测", 11},
	{"德保县第五轮全员核酸检测", 13},
}

// scheduleMeasure puts the rounds and the measure on the timeline.
func (s *screening) scheduleMeasure() {
	s.schedule(feb(6, 16, 30), func() error {
		return s.planRound(1, end.Add(time.Hour), feb(7, 11, 0), func(i int) bool { return i%3 == 0 }) // sampled on 02-06 already
	})
	s.schedule(feb(7, 12, 0), func() error { return s.closeRound(1, s.commander) })
	s.schedule(feb(9, 6, 0), s.takeMeasure)
	for _, ar := range areaRounds {
		var idx int
		s.schedule(feb(ar.day, 6, 30), func() error {
			r, err := s.a.CreateRound(s.ctx, s.ctl.commander, cordon.RoundInput{Name: ar.name, Jurisdiction: Debao,
				StartsAt: feb(ar.day, 7, 0), Expected: DebaoPopulation})
			if err != nil {
				return fmt.Errorf("round %s: %w", ar.name, err)
			}
			s.rounds = append(s.rounds, r)
			idx = len(s.rounds) - 1
			s.ctl.sum.MeasureRounds = append(s.ctl.sum.MeasureRounds, r)
			return s.planRound(idx, feb(ar.day, 7, 0), feb(ar.day, 15, 0), func(int) bool { return false })
		})
		s.schedule(feb(ar.day, 16, 0), func() error { return s.closeRound(idx, s.ctl.commander) })
	}
	s.schedule(feb(10, 12, 0), func() error {
		var err error
		s.ctl.sum.CodesFeb10, err = s.a.CodeCounts(s.ctx, s.ctl.commander, Debao)
		return err
	})
}

// planRound draws the samples of an area round between from and to: each
// resident at home, at the point of their place (those who came home by
// train, at the county seat's), but those skip leaves out, and the crowd.
func (s *screening) planRound(round int, from, to time.Time, skip func(i int) bool) error {
	away, err := s.away()
	if err != nil {
		return err
	}
	for i := range s.residents {
		p := &s.residents[i]
		if away[p.ID] || skip(i) {
			continue
		}
		st := s.pointOf(homeSite(p.Residence, i))
		if st.prefix == "BSZ" {
			st = s.pointOf("CD")
		}
		s.pending = append(s.pending, draw{at: s.when(st, from, to), round: round, site: st, person: p})
	}
	if s.ctl.crowd == nil {
		prefixes := []string{"CD", "CD", "CD", "CD", "KY", "KY", "MA", "MA", "JD", "JD", "DA", "FJ"}
		for range crowdSize {
			st := s.pointOf(prefixes[s.rng.IntN(len(prefixes))])
			s.ctl.crowd = append(s.ctl.crowd, draw{site: st, typed: s.gen.person(Debao, "", Debao)})
		}
	}
	for _, d := range s.ctl.crowd {
		d.at, d.round = s.when(d.site, from, to), round
		s.pending = append(s.pending, d)
	}
	return nil
}

// away are the residents no area round samples at home: at the hotel, in
// hospital, or held for a retest and away from home.
func (s *screening) away() (map[int64]bool, error) {
	out := map[int64]bool{}
	for id := range s.ctl.stays {
		out[id] = true
	}
	cases, err := s.a.Cases(s.ctx, s.epi, cordon.CaseFilter{Limit: 500})
	if err != nil {
		return nil, err
	}
	for _, c := range cases {
		out[c.PersonID] = true
	}
	if len(s.pool) > 0 && s.pool[0].person != nil {
		out[s.pool[0].person.ID] = true
	}
	return out, nil
}

// closeRound closes a round when its sampling is done: the points' open
// tubes of it close and leave for the labs, and the round closes.
func (s *screening) closeRound(round int, actor cordon.Actor) error {
	r := s.rounds[round]
	for _, st := range s.sites {
		if err := s.closeTube(st, r.ID); err != nil {
			return err
		}
		if err := s.handOver(st, s.clock.Now()); err != nil {
			return err
		}
	}
	if err := s.a.CloseRound(s.ctx, actor, r.ID); err != nil {
		return fmt.Errorf("closing %s: %w", r.Name, err)
	}
	return nil
}

// takeMeasure: every 德保县 resident's code yellow from now until three
// negative rounds.
func (s *screening) takeMeasure() error {
	m, err := s.a.TakeAreaMeasure(s.ctx, s.ctl.commander, cordon.AreaMeasure{Jurisdiction: Debao, Reason: cordon.ReasonYellowOther,
		Note: MeasureNote, Rounds: len(areaRounds)})
	if err != nil {
		return fmt.Errorf("county measure: %w", err)
	}
	s.ctl.sum.Measure = m
	return nil
}

// settle runs the schedule's settlement of measures while the county
// measure holds, as the server does, and keeps the measure as it ended.
func (s *screening) settle() error {
	m := &s.ctl.sum.Measure
	if m.ID == 0 || !m.EndedAt.IsZero() {
		return nil
	}
	ended, err := s.a.SettleMeasures(s.ctx)
	if err != nil || !slices.Contains(ended, m.ID) {
		return err
	}
	ms, err := s.a.AreaMeasures(s.ctx, s.ctl.commander)
	if err != nil {
		return err
	}
	for _, x := range ms {
		if x.ID == m.ID {
			*m = x
		}
	}
	return nil
}

// markCompanions turns yellow (B3) the index case's companions who live
// in 德保县 and were not made his contacts: the service area, the market,
// the supermarket.
func (s *screening) markCompanions() error {
	index := s.chainCases.index.ID
	if index == 0 {
		return nil
	}
	found, err := s.a.Companions(s.ctx, s.epi, app.CompanionQuery{CaseID: index})
	if err != nil {
		return err
	}
	var ids []int64
	for _, c := range found.Companions {
		if p := s.personByID(c.PersonID); c.ContactID == 0 && p != nil && cordon.Within(p.Residence, Debao) {
			ids = append(ids, c.PersonID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	marks, err := s.a.MarkCompanions(s.ctx, s.epi, index, ids)
	if err != nil {
		return fmt.Errorf("companions' codes: %w", err)
	}
	s.ctl.sum.Marked = len(marks)
	return nil
}

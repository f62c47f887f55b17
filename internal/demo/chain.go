package demo

import (
	"fmt"
	"time"

	"cordon"
)

// The index case, a returnee from Shenzhen, is found in the returnees'
// screening on the morning of 02-04, his sore throat having begun on
// 01-31; three guests of a banquet on 01-29 that he attended, close
// contacts under quarantine since 02-04, are found on 02-05. Found outside
// the rounds, their cases are opened by hand, each within its 2-hour
// report clock.
var (
	indexFound  = feb(4, 6, 0)
	indexOnset  = jan(31, 0, 0)
	guestsFound = []time.Time{feb(5, 11, 30), feb(5, 12, 0), feb(5, 12, 30)}
	guestsOpen  = feb(5, 13, 0) // one of the sampling hours
)

// chainCases are the index case and the banquet guests once opened.
type chainCases struct {
	index  cordon.Case
	guests []cordon.Case
}

// others are the demo's Debao residents outside 都安乡 (whose people make
// up the positive pool): the index case and the guests are drawn from them.
func (s *screening) others() []*cordon.Person {
	var out []*cordon.Person
	for i := range s.residents {
		if !cordon.Within(s.residents[i].Residence, Duan) {
			out = append(out, &s.residents[i])
		}
	}
	return out
}

// openByHand opens a case found outside the rounds.
func (s *screening) openByHand(p *cordon.Person, cl cordon.Classification, found, onset time.Time) (cordon.Case, error) {
	in := cordon.CaseInput{PersonID: p.ID, Classification: cl, DetectedAt: s.app(found), Variant: "Omicron", Lineage: "BA.1"}
	if cl == cordon.Confirmed {
		in.Severity = cordon.Mild
		in.OnsetDate = s.app(onset).In(cordon.ChinaTime).Format(time.DateOnly)
	}
	c, err := s.a.OpenCase(s.ctx, s.epi, in)
	if err == nil {
		s.sum.Cases++
	}
	return c, err
}

// openIndex opens the index case.
func (s *screening) openIndex() error {
	if s.cast.index == nil {
		return nil // a demo too small for the chain
	}
	c, err := s.openByHand(s.cast.index, cordon.Confirmed, indexFound, indexOnset)
	if err != nil {
		return fmt.Errorf("index case: %w", err)
	}
	s.chainCases.index = c
	s.trace.IndexCase = c
	return nil
}

// openGuests opens the banquet guests' cases. A guest who was traced as
// the index case's close contact becomes the case, and the link from the
// index case follows from the exposure; one who was not is linked by hand.
func (s *screening) openGuests() error {
	if s.cast.index == nil || s.chainCases.index.ID == 0 {
		return nil
	}
	for i, p := range s.cast.guests {
		cl := cordon.Confirmed
		if i == 2 {
			cl = cordon.Asymptomatic
		}
		g, err := s.openByHand(p, cl, guestsFound[i], feb(4, 0, 0))
		if err != nil {
			return fmt.Errorf("banquet guest: %w", err)
		}
		if !s.traced(p.ID) {
			if err := s.link(s.chainCases.index.ID, g.ID, "宴席 2022-01-29，同桌", cordon.LinkProbable); err != nil {
				return fmt.Errorf("banquet link: %w", err)
			}
		}
		s.chainCases.guests = append(s.chainCases.guests, g)
	}
	return nil
}

// linkFamily links, at the end, the first guest to the cases of the
// positive pool's family: the family dinner that took the virus to 都安乡.
func (s *screening) linkFamily() error {
	if len(s.chainCases.guests) == 0 {
		return nil
	}
	cases, err := s.a.Cases(s.ctx, s.epi, cordon.CaseFilter{Limit: 100})
	if err != nil {
		return err
	}
	for _, c := range cases {
		if c.PositiveID != 0 {
			if err := s.link(s.chainCases.guests[0].ID, c.ID, "家庭聚餐 2022-01-31，都安乡福记村", cordon.LinkPossible); err != nil {
				return fmt.Errorf("family link: %w", err)
			}
		}
	}
	return nil
}

func (s *screening) link(from, to int64, evidence string, confidence cordon.Confidence) error {
	return s.a.LinkCases(s.ctx, s.epi, cordon.Link{From: from, To: to, Evidence: evidence, Confidence: confidence})
}

// countLinks counts the transmission links among the county's cases: those
// recorded by hand and those that followed from contacts becoming cases.
func (s *screening) countLinks() error {
	v, err := s.a.Chains(s.ctx, s.epi)
	s.sum.Links = len(v.Links)
	return err
}

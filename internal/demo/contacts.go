package demo

import (
	"fmt"
	"slices"
	"time"

	"cordon"
	"cordon/internal/app"
)

// The tracing of the index case, on the morning he is found (02-04): his
// investigation (itinerary submitted within the 4-hour clock, the initial
// report in the evening), his household and the banquet's diners as close
// contacts, his companions at the hotel and the cinema made close contacts
// from the companion search, the households of some diners as secondary
// contacts, and control within the 8-hour (12-hour) transfer clocks, with
// a few late. Three diners test positive on 02-05: their contact records
// become their cases, which links them to the index case.

// Tracing is what the tracing around the index case created.
type Tracing struct {
	Venues            int // registered, each with its signed venue code
	ScanIns           int // stored
	Hotel             cordon.Venue
	IndexCase         cordon.Case
	Investigated      bool // the index case's initial investigation report was submitted: its PDF is available
	Companions        int  // found by 德保县's companion search for the index case
	CompanionContacts int  // companions made close contacts
	Contacts          int  // contact records
	CloseContacts     int
	SecondaryContacts int
	Controlled        int // under control at the end
	ReleasedContacts  int // released at the end: their control ended
	BecameCases       int // contacts who tested positive and became cases
}

// cast are the people of the chain.
type cast struct {
	index     *cordon.Person
	household []*cordon.Person // live with the index case
	guests    []*cordon.Person // diners who test positive on 02-05
	diners    []*cordon.Person // at the banquet: the guests, one of his family and others
}

// dinersAtTable is how many people shared the banquet with the index case
// at his table and the next.
const dinersAtTable = 15

// householdOf lists the residents who live with p: same place, same
// address.
func (s *screening) householdOf(p *cordon.Person) []*cordon.Person {
	var out []*cordon.Person
	for i := range s.residents {
		r := &s.residents[i]
		if r.ID != p.ID && r.Residence == p.Residence && r.Address == p.Address {
			out = append(out, r)
		}
	}
	return out
}

// chooseCast picks the chain's people among the residents outside 都安乡:
// the index case is the first man of working age who lives with at least
// two others (he works in Shenzhen and drives home for the holiday), the
// guests and diners the next ones.
func (s *screening) chooseCast() {
	others := s.others()
	if len(others) < 4 {
		return // a demo too small for the chain
	}
	c := cast{index: others[0]}
	for _, p := range others {
		if a := age(p, s.gen.now); a >= 22 && a <= 50 && p.Sex == cordon.SexMale && len(s.householdOf(p)) >= 2 {
			c.index = p
			break
		}
	}
	c.household = s.householdOf(c.index)
	// One diner from each family, as banquets invite them.
	taken := map[string]bool{c.index.Residence + c.index.Address: true}
	for _, p := range others {
		if len(c.diners) >= dinersAtTable-1 {
			break
		}
		if taken[p.Residence+p.Address] {
			continue
		}
		taken[p.Residence+p.Address] = true
		if len(c.guests) < 3 {
			c.guests = append(c.guests, p)
		}
		c.diners = append(c.diners, p)
	}
	if len(c.guests) < 3 {
		return
	}
	// The last seat went to a relative from the 陇意屯 grid of 都安乡, who
	// goes home to the grid worker's health monitoring after quarantine.
	if p := s.gridRelative(); p != nil && len(c.diners) == dinersAtTable-1 {
		c.diners[len(c.diners)-1] = p
	}
	if len(c.household) > 0 {
		c.diners = append(c.diners, c.household[0]) // one of the family came too
	}
	s.cast = c
}

// gridRelative is a resident of the 陇意屯 grid whose household has no
// one among the grid's first ten residents, who make up the positive pool
// (plan): the last such, or nil.
func (s *screening) gridRelative() *cordon.Person {
	var grid []*cordon.Person
	for i := range s.residents {
		if s.residents[i].Residence == s.grid {
			grid = append(grid, &s.residents[i])
		}
	}
	for i := len(grid) - 1; i >= 10; i-- {
		home := append(s.householdOf(grid[i]), grid[i])
		if !slices.ContainsFunc(grid[:10], func(p *cordon.Person) bool { return slices.Contains(home, p) }) {
			return grid[i]
		}
	}
	return nil
}

// tracer holds what the tracing has recorded so far.
type tracer struct {
	contactOf  map[int64]int64 // person → their contact record
	controlled map[int64]bool  // contact records put under control
	late       []int64         // contacts put under control after their clock
	secondary  []int64         // secondary contacts, in the order recorded
	guestHome  map[int64][]int64
	inv        cordon.Investigation
}

// scheduleTracing puts the tracing on the scenario's timeline.
func (s *screening) scheduleTracing() {
	if s.cast.index == nil {
		return
	}
	s.tr = tracer{contactOf: map[int64]int64{}, controlled: map[int64]bool{}}
	for _, e := range []struct {
		at time.Time
		do func() error
	}{
		{feb(4, 9, 20), s.investigate},
		{feb(4, 9, 40), func() error { return s.submitInvestigation(cordon.PartTrajectory) }},
		{feb(4, 10, 0), s.traceHousehold},
		{feb(4, 10, 40), func() error { return s.control(s.household()) }},
		{feb(4, 10, 50), s.traceCompanions},
		{feb(4, 11, 30), s.traceDiners},
		{feb(4, 17, 0), func() error { return s.control(s.contactsOf(s.cast.diners)) }},
		{feb(4, 18, 30), func() error { return s.control(s.onTime()) }},
		{feb(4, 20, 30), s.reportInvestigation},
		{feb(4, 21, 0), s.traceSecondary},
		{feb(5, 8, 30), func() error { return s.control(s.tr.secondary[:max(0, len(s.tr.secondary)-1)]) }},
		{feb(5, 9, 0), func() error { return s.control(s.tr.late) }},
	} {
		s.schedule(e.at, func() error {
			if s.chainCases.index.ID == 0 {
				return nil
			}
			return e.do()
		})
	}
}

func (s *screening) household() []int64 {
	return s.contactsOf(s.cast.household)
}

func (s *screening) contactsOf(ps []*cordon.Person) []int64 {
	var out []int64
	for _, p := range ps {
		if id := s.tr.contactOf[p.ID]; id != 0 && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// addContact records an exposure of a registered person.
func (s *screening) addContact(p *cordon.Person, x cordon.ExposureInput, household string) error {
	res, err := s.a.AddContact(s.ctx, s.epi, cordon.ContactInput{ContactIdentity: cordon.ContactIdentity{PersonID: p.ID}, Household: household, Exposure: x})
	if err != nil {
		return fmt.Errorf("contact %s: %w", p.Name, err)
	}
	if len(res.Warnings) > 0 {
		return fmt.Errorf("contact %s: %v", p.Name, res.Warnings)
	}
	s.tr.contactOf[p.ID] = res.ID
	return nil
}

// traceHousehold: everyone at home is a close contact, exposed from his
// return until he was taken to hospital.
func (s *screening) traceHousehold() error {
	for _, h := range s.cast.household {
		x := cordon.ExposureInput{SourceCase: s.chainCases.index.ID, Situation: cordon.SituationHousehold,
			FirstAt: s.app(jan(27, 7, 20)), LastAt: s.app(feb(4, 7, 0)), Note: "同住家人"}
		if err := s.addContact(h, x, s.cast.index.Address); err != nil {
			return err
		}
	}
	return nil
}

// traceDiners: the banquet's diners ate with him on 01-29 (共同就餐). The
// family member who came too is his household contact already: one
// exposure per source, the longer one.
func (s *screening) traceDiners() error {
	for _, d := range s.cast.diners {
		if s.tr.contactOf[d.ID] != 0 {
			continue
		}
		x := cordon.ExposureInput{SourceCase: s.chainCases.index.ID, Situation: cordon.SituationMeal,
			FirstAt: s.app(jan(29, 11, 25)), LastAt: s.app(jan(29, 14, 30)), Note: "1月29日德保县鸿福酒家亲友宴席，同桌或邻桌"}
		if err := s.addContact(d, x, d.Address); err != nil {
			return err
		}
	}
	return nil
}

// traceCompanions runs the companion search for the index case and makes
// the companions of the hotel night and the cinema who live in 德保县 close
// contacts; the others (the service areas, the market, the supermarket,
// guests from 靖西) are notified for testing, or are another county's to
// trace.
func (s *screening) traceCompanions() error {
	found, err := s.a.Companions(s.ctx, s.epi, app.CompanionQuery{CaseID: s.chainCases.index.ID})
	if err != nil {
		return fmt.Errorf("companion search: %w", err)
	}
	s.trace.Companions = len(found.Companions)
	for _, c := range found.Companions {
		venue := s.planned[c.PersonID]
		p := s.personByID(c.PersonID)
		if venue != vHotel && venue != vCinema || p == nil || !cordon.Within(p.Residence, Debao) {
			continue
		}
		res, err := s.a.CompanionToContact(s.ctx, s.epi, s.chainCases.index.ID, c.PersonID)
		if err != nil {
			return fmt.Errorf("companion %s: %w", c.Name, err)
		}
		s.tr.contactOf[c.PersonID] = res.ID
		s.trace.CompanionContacts++
		if venue == vCinema && s.trace.CompanionContacts%2 == 0 {
			s.tr.late = append(s.tr.late, res.ID) // the cinema's list came in late
		}
	}
	return nil
}

// onTime lists the open contacts not yet under control, but those who
// will be late.
func (s *screening) onTime() []int64 {
	var out []int64
	for _, id := range s.tr.contactOf {
		if !slices.Contains(s.tr.late, id) && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// control puts contacts under control now; those already are skipped.
func (s *screening) control(ids []int64) error {
	for _, id := range ids {
		if s.tr.controlled[id] {
			continue
		}
		if _, err := s.a.ControlContact(s.ctx, s.epi, id, time.Time{}); err != nil {
			return fmt.Errorf("control of contact %d: %w", id, err)
		}
		s.tr.controlled[id] = true
	}
	return nil
}

// secondaryHomes is how many diners have their households traced as
// secondary contacts.
const secondaryHomes = 3

// traceSecondary: the households of the first three diners who live with
// others are secondary contacts (密接的密接),
// exposed from the banquet until their diner was taken to quarantine; the
// index case's household is traced already.
func (s *screening) traceSecondary() error {
	homes := 0
	for _, d := range s.cast.diners {
		source := s.tr.contactOf[d.ID]
		if source == 0 || slices.Contains(s.cast.household, d) || len(s.householdOf(d)) == 0 || homes == secondaryHomes {
			continue
		}
		homes++
		for _, h := range s.householdOf(d) {
			if s.tr.contactOf[h.ID] != 0 || h.ID == s.cast.index.ID {
				continue
			}
			x := cordon.ExposureInput{SourceContact: source, Situation: cordon.SituationHousehold,
				FirstAt: s.app(jan(29, 15, 0)), LastAt: s.app(feb(4, 17, 0)), Note: "与密接同住"}
			if err := s.addContact(h, x, d.Address); err != nil {
				return err
			}
			s.tr.secondary = append(s.tr.secondary, s.tr.contactOf[h.ID])
		}
	}
	return nil
}

func (s *screening) personByID(id int64) *cordon.Person {
	if p := s.people[id]; p != nil {
		return p
	}
	for i := range s.residents {
		if s.residents[i].ID == id {
			return &s.residents[i]
		}
	}
	return nil
}

// traced reports whether a person is a contact the tracing recorded.
func (s *screening) traced(personID int64) bool {
	return s.tr.contactOf != nil && s.tr.contactOf[personID] != 0
}

// countContacts fills in the contact figures from the county's list.
func (s *screening) countContacts() error {
	var after int64
	for {
		cs, err := s.a.Contacts(s.ctx, s.epi, cordon.ContactFilter{After: after, Limit: 500})
		if err != nil {
			return err
		}
		for _, c := range cs {
			after = c.ID
			if c.MergedInto != 0 {
				continue
			}
			s.trace.Contacts++
			switch c.Kind {
			case cordon.CloseContact:
				s.trace.CloseContacts++
			case cordon.SecondaryContact:
				s.trace.SecondaryContacts++
			}
			switch c.Status {
			case cordon.ContactControlled:
				s.trace.Controlled++
			case cordon.ContactReleased:
				s.trace.ReleasedContacts++
			case cordon.ContactBecameCase:
				s.trace.BecameCases++
			}
		}
		if len(cs) < 500 {
			return nil
		}
	}
}

// The investigation of the index case.

// day is a date of the scenario as the application writes it.
func (s *screening) day(t time.Time) string {
	return s.app(t).In(cordon.ChinaTime).Format(time.DateOnly)
}

// relation names a household member from the index case's point of view,
// from the ages and sexes the ID numbers give.
func relation(index, m *cordon.Person, first bool) string {
	ib, _ := time.Parse(time.DateOnly, index.BirthDate)
	mb, _ := time.Parse(time.DateOnly, m.BirthDate)
	years := mb.Sub(ib).Hours() / 24 / 365
	switch {
	case years <= -18 && m.Sex == cordon.SexMale:
		return "父亲"
	case years <= -18:
		return "母亲"
	case years >= 18 && m.Sex == cordon.SexMale:
		return "儿子"
	case years >= 18:
		return "女儿"
	case first && m.Sex != index.Sex:
		return "配偶"
	case m.Sex == cordon.SexMale:
		return "兄弟"
	}
	return "姐妹"
}

func age(p *cordon.Person, on time.Time) int {
	b, err := time.Parse(time.DateOnly, p.BirthDate)
	if err != nil {
		return 0
	}
	y := on.Year() - b.Year()
	if on.YearDay() < b.YearDay() {
		y--
	}
	return max(y, 0)
}

// investigation is the index case's investigation as the county's team
// wrote it: the fourteen days before onset, from work in Shenzhen and the
// drive home to his transfer to hospital.
func (s *screening) investigation() cordon.Investigation {
	ix := s.cast.index
	v := func(key string) int64 { return s.venues[key].ID }
	var home []cordon.ItineraryCompanion
	for _, h := range s.cast.household {
		home = append(home, cordon.ItineraryCompanion{Name: h.Name, PersonID: h.ID})
	}
	var diners []cordon.ItineraryCompanion
	for _, d := range s.cast.diners {
		diners = append(diners, cordon.ItineraryCompanion{Name: d.Name, PersonID: d.ID})
	}
	address := "家中（德保县" + ix.Address + "）"
	plate := cordon.Transport{Mode: cordon.ModeCar, Vehicle: "桂L·3K276"}
	e := func(from, to time.Time, place string, venue int64, j, activity string, t cordon.Transport, with []cordon.ItineraryCompanion, notes string) cordon.ItineraryEntry {
		return cordon.ItineraryEntry{From: s.app(from), To: s.app(to), Place: place, VenueID: venue, Jurisdiction: j, Activity: activity,
			Transport: t, Companions: with, Notes: notes}
	}
	none := cordon.Transport{}
	inv := cordon.Investigation{
		Investigators: "德保县疾控中心流调组 黄某、农某",
		Occupation:    "电子厂工人",
		Workplace:     "深圳市宝安区石岩街道某电子厂",
		VaccineDoses:  2,
		LastDoseDate:  s.day(time.Date(2021, 8, 16, 12, 0, 0, 0, cordon.ChinaTime)),
		ControlDate:   s.day(feb(4, 12, 0)),
		Symptoms: []cordon.Symptom{
			{Code: "sore_throat", Since: s.day(jan(31, 12, 0))},
			{Code: "fatigue", Since: s.day(feb(1, 12, 0))},
			{Code: "fever", Note: "最高37.8℃，自服退烧药", Since: s.day(feb(2, 12, 0))},
		},
		Tests: []cordon.TestRecord{
			{Date: s.day(jan(25, 12, 0)), Place: "深圳市宝安区石岩街道核酸采样点", Result: "negative"},
			{Date: s.day(feb(3, 12, 0)), Place: "德保汽车站采样点（返乡人员筛查）", Result: "positive", CtORF1ab: 26.4, CtN: 25.1},
			{Date: s.day(feb(4, 12, 0)), Place: "德保县人民医院（复核）", Result: "positive", CtORF1ab: 25.8, CtN: 24.6},
		},
		Itinerary: []cordon.ItineraryEntry{
			e(jan(17, 0, 0), jan(26, 17, 30), "深圳市宝安区石岩街道 住处及工厂", 0, "440306", "务工", cordon.Transport{Mode: cordon.ModeWalk}, nil, "每日步行往返住处与工厂"),
			e(jan(26, 17, 30), jan(27, 4, 5), "自驾返乡：深圳—广州—广昆高速—南宁—田东", 0, "", "驾车", plate, nil, "独自驾车；途经广东境内服务区加油一次，未下车停留"),
			e(jan(27, 4, 5), jan(27, 4, 40), "广昆高速田东服务区（田东县）", 0, "451022", "休息、如厕、购买食品", none, nil, "已扫场所码；场所属田东县，时空伴随者由田东县排查"),
			e(jan(27, 4, 40), jan(27, 6, 15), "自驾：田东—百色—德保", 0, "", "驾车", plate, nil, ""),
			e(jan(27, 6, 15), jan(27, 6, 40), "", v(vDebaoSA), Debao, "休息、如厕", none, nil, ""),
			e(jan(27, 6, 40), jan(27, 7, 20), "自驾：德保服务区—家中", 0, "", "驾车", plate, nil, ""),
			e(jan(27, 7, 20), jan(28, 9, 0), address, 0, ix.Residence, "居家", none, home, ""),
			e(jan(28, 9, 10), jan(28, 9, 50), "", v(vMarket), Chengguan, "购买年货", none, nil, "步行"),
			e(jan(28, 10, 0), jan(29, 11, 0), address, 0, ix.Residence, "居家", none, home, ""),
			e(jan(29, 11, 25), jan(29, 14, 30), "", v(vRestaurant), Chengguan, "参加亲友宴席（两桌）", none, diners, "包厢用餐约3小时，未戴口罩"),
			e(jan(29, 14, 40), jan(29, 20, 0), "德保县城关镇 亲戚家", 0, Chengguan, "探亲、聊天", none, nil, ""),
			e(jan(29, 20, 10), jan(30, 9, 30), "", v(vHotel), Chengguan, "住宿", none, nil, "饮酒后未回家，在酒店住宿一晚"),
			e(jan(30, 10, 20), jan(30, 11, 0), "", v(vSupermarket), Chengguan, "购物", none, nil, ""),
			e(jan(30, 11, 20), feb(1, 19, 0), address, 0, ix.Residence, "居家过年", none, home, "1月31日起咽痛"),
			e(feb(1, 19, 20), feb(1, 21, 40), "", v(vCinema), Chengguan, "与家人观看春节档电影", none, home, ""),
			e(feb(1, 22, 0), feb(3, 8, 20), address, 0, ix.Residence, "居家", none, home, ""),
			e(feb(3, 8, 30), feb(3, 9, 0), "", v(vBusStation), Chengguan, "返乡人员核酸检测采样", none, nil, ""),
			e(feb(3, 9, 10), feb(4, 7, 0), address, 0, ix.Residence, "居家等待结果", none, home, ""),
			e(feb(4, 7, 0), feb(4, 7, 40), "负压救护车转运至德保县人民医院", 0, Chengguan, "转运", cordon.Transport{Mode: cordon.ModeOther, Vehicle: "120负压救护车"}, nil, ""),
			e(feb(4, 7, 40), feb(4, 9, 0), "", v(vHospital), Chengguan, "隔离收治", none, nil, ""),
		},
		HomeDays: []string{s.day(jan(31, 12, 0)), s.day(feb(2, 12, 0))},
		Exposures: []cordon.Exposure{
			{Kind: "other", Date: s.day(jan(26, 12, 0)), Description: "1月17日至26日在深圳市宝安区石岩街道务工生活；1月25日核酸检测阴性，26日傍晚自驾返乡"},
		},
		Source: cordon.Source{Kind: cordon.SourceImported, Origin: "广东省深圳市宝安区石岩街道",
			Reasoning: "发病（1月31日）前14天内，1月17日至26日在深圳市宝安区石岩街道务工生活，27日凌晨返抵德保；返乡后未接触已知病例，德保县此前无本土病例；同住家人、宴席同桌者在其后发病。判断为深圳输入。"},
	}
	for i, h := range s.cast.household {
		inv.Household = append(inv.Household, cordon.HouseholdMember{Name: h.Name, Relation: relation(ix, h, i == 0), Age: age(h, s.app(feb(4, 0, 0))),
			IDNumber: h.IDNumber, Phone: h.Phone, Tested: true, PersonID: h.ID})
	}
	return inv
}

// investigate saves the index case's investigation.
func (s *screening) investigate() error {
	saved, err := s.a.SaveInvestigation(s.ctx, s.epi, s.chainCases.index.ID, s.investigation())
	if err != nil {
		return fmt.Errorf("investigation: %w", err)
	}
	s.tr.inv = saved
	return nil
}

// submitInvestigation submits a part of the index case's investigation.
func (s *screening) submitInvestigation(part string) error {
	sub, err := s.a.SubmitInvestigation(s.ctx, s.epi, s.chainCases.index.ID, s.tr.inv.Version, part)
	if err != nil {
		return fmt.Errorf("investigation %s: %w", part, err)
	}
	s.tr.inv = sub
	return nil
}

// reportInvestigation records that the household was tested and submits
// the initial report.
func (s *screening) reportInvestigation() error {
	inv := s.tr.inv
	inv.Exposures = append(inv.Exposures, cordon.Exposure{Kind: "gathering", Date: s.day(jan(29, 12, 0)),
		Description: fmt.Sprintf("1月29日参加亲友宴席（德保县鸿福酒家），同桌及邻桌%d人已判定为密切接触者", len(s.cast.diners))})
	saved, err := s.a.SaveInvestigation(s.ctx, s.epi, s.chainCases.index.ID, inv)
	if err != nil {
		return fmt.Errorf("investigation: %w", err)
	}
	s.tr.inv = saved
	if err := s.submitInvestigation(cordon.PartReport); err != nil {
		return err
	}
	s.trace.Investigated = true
	return nil
}

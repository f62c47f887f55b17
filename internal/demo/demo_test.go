package demo

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"cordon"
	"cordon/internal/app"
	"cordon/internal/apptest"
	"cordon/internal/hl7"
	"cordon/internal/labfile"
)

// loaded is the demo loaded into a fresh application on the scenario's
// clock, as `cordon demo` loads it.
func loaded(t *testing.T) (*app.App, Summary) {
	t.Helper()
	a, sum, _ := loadedOn(t)
	return a, sum
}

// loadedOn is loaded with the scenario's clock, which a test may move on.
func loadedOn(t *testing.T) (*app.App, Summary, *Clock) {
	t.Helper()
	clock := NewClock()
	env := apptest.New(t, apptest.Options{Now: clock.Now})
	start := time.Now()
	sum, err := Load(context.Background(), env.App, Options{Password: "demo-password", Seed: 1, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("demo loaded in %v: %d persons, %d samples in %d tubes", time.Since(start).Round(time.Millisecond), sum.Persons, sum.Samples, sum.Tubes)
	return env.App, sum, clock
}

func actor(t *testing.T, a *app.App, username string) cordon.Actor {
	t.Helper()
	accts, err := a.Accounts(context.Background(), app.System)
	if err != nil {
		t.Fatal(err)
	}
	for _, acct := range accts {
		if acct.Username == username {
			return acct.Actor()
		}
	}
	t.Fatalf("no demo account %s", username)
	return cordon.Actor{}
}

func TestFirstRoundOfMassTesting(t *testing.T) {
	ctx := context.Background()
	a, sum := loaded(t)

	rounds, err := a.Rounds(ctx, app.System, false, 0, 10)
	if err != nil || len(rounds) != 6 {
		t.Fatalf("rounds: %+v %v", rounds, err)
	}
	byName := map[string]cordon.Round{}
	for _, r := range rounds {
		byName[r.Name] = r
	}
	r := sum.Round
	if r.Name != "百色市第一轮全员核酸检测" || r.Jurisdiction != Debao || r.Expected != DebaoPopulation ||
		!r.StartsAt.Equal(feb(4, 12, 0)) || r.Deadline.Sub(r.StartsAt) != 48*time.Hour {
		t.Errorf("first round: %+v", r)
	}
	if r, _ := a.Round(ctx, app.System, r.ID); !r.Closed {
		t.Error("the first round should be closed at its deadline")
	}
	if second := byName["德保县第二轮全员核酸检测"]; !second.Closed || !second.StartsAt.Equal(feb(6, 12, 0)) {
		t.Errorf("second round: %+v, want it begun at the first one's deadline and closed", second)
	}

	for _, code := range []string{Debao, Duan} {
		p, err := a.RoundProgress(ctx, app.System, r.ID, code, 1)
		if err != nil || p.Sampled == 0 || p.TubesResulted == 0 {
			t.Errorf("progress at %s: %+v %v", code, p.Tally, err)
		}
	}
	county, _ := a.RoundProgress(ctx, app.System, r.ID, Debao, 1)
	if county.Expected != DebaoPopulation || county.PositiveTubes != 3 || county.Positives != 2 {
		t.Errorf("county progress: %+v, want the real population, the pool and two positive retests", county.Tally)
	}

	points, err := a.Points(ctx, app.System, Baise, cordon.PointFilter{Limit: 100})
	if err != nil || len(points) != len(pointPlans)+1 { // and the quarantine hotel's
		t.Fatalf("points: %d %v", len(points), err)
	}
	names := map[string]cordon.SamplingPoint{}
	for _, p := range points {
		names[p.Name] = p
	}
	if p := names["德保汽车站采样点"]; !p.AllDay || !cordon.Within(p.Jurisdiction, Debao) {
		t.Errorf("bus station point: %+v", p)
	}
	if p := names["百色站出站口采样点"]; !p.AllDay || p.Jurisdiction != "451002" || len(p.Rounds) != 1 || p.Rounds[0] != r.ID {
		t.Errorf("railway station point: %+v, want 24 h in 右江区 serving the round", p)
	}
	if p := names["福记村委会采样点"]; p.AllDay || p.Opens == "" || p.Jurisdiction != Fuji {
		t.Errorf("福记村 point: %+v", p)
	}

	// The positive pool: ten people of 都安乡, all recalled, one still held
	// on the 陇意屯 grid worker's list.
	epi := actor(t, a, "debao")
	positives, err := a.Positives(ctx, epi, 0, 50)
	if err != nil || len(positives) != 2 {
		t.Fatalf("positives: %+v %v", positives, err)
	}
	pooled := positives[0].PooledTube
	if pooled == "" || positives[1].PooledTube != pooled {
		t.Fatalf("positives must come from the positive pool: %+v", positives)
	}
	// Each positive became a case, reported when it opened; with the index
	// case and three banquet guests, opened by hand, they form one chain.
	cases, err := a.Cases(ctx, epi, cordon.CaseFilter{})
	if err != nil || len(cases) != 6 || sum.Cases != 6 || sum.Links != 5 {
		t.Fatalf("cases: %d (summary %d, %d links) %v", len(cases), sum.Cases, sum.Links, err)
	}
	fromPositives := 0
	for _, c := range cases {
		if c.Lineage != "BA.1" || c.Clocks[0].DoneAt.IsZero() || c.Clocks[0].Overdue {
			t.Errorf("demo case reported late or without sequencing: %+v", c)
		}
		if c.PositiveID != 0 {
			fromPositives++
		}
	}
	if fromPositives != 2 {
		t.Errorf("%d cases from positives, want 2", fromPositives)
	}
	chains, err := a.Chains(ctx, epi)
	if err != nil || len(chains.Clusters) != 1 || chains.Clusters[0].Size != 6 || chains.Clusters[0].MaxGeneration != 2 {
		t.Errorf("the demo's chain: %+v %v", chains.Clusters, err)
	}
	tube, err := a.Tube(ctx, app.System, pooled)
	if err != nil || tube.Result != cordon.OutcomePositive || tube.PoolSize != 10 || len(tube.Samples) != 10 {
		t.Fatalf("pool %s: %+v %v", pooled, tube.Tube, err)
	}
	recalled := map[string]cordon.HoldStatus{}
	for _, status := range []cordon.HoldStatus{cordon.HoldActive, cordon.HoldReleased, cordon.HoldPositive} {
		hs, err := a.Recalls(ctx, app.System, Duan, cordon.HoldFilter{Status: status})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hs {
			if h.Tube == pooled {
				recalled[h.IDNumber] = h.Status
			}
		}
	}
	inGrid := 0
	for _, m := range tube.Samples {
		if _, ok := recalled[m.IDNumber]; !ok {
			t.Errorf("pool member %s is not on the recall list of 都安乡", m.Name)
		}
		if !cordon.Within(m.Area, Duan) {
			t.Errorf("pool member %s lives in %s, outside 都安乡", m.Name, m.Area)
		}
		if m.Area == sum.Grid.Code {
			inGrid++
		}
	}
	if inGrid == 0 {
		t.Error("no pool member lives in the 陇意屯 grid")
	}
	count := map[cordon.HoldStatus]int{}
	for _, s := range recalled {
		count[s]++
	}
	if count[cordon.HoldActive] != 1 || count[cordon.HoldReleased] != 7 || count[cordon.HoldPositive] != 2 {
		t.Errorf("holds %v, want 1 held, 7 released, 2 positive", count)
	}
	gridList, err := a.Recalls(ctx, actor(t, a, "duan"), "", cordon.HoldFilter{})
	if err != nil || len(gridList) != 1 || gridList[0].Tube != pooled {
		t.Errorf("the grid worker's recall list: %+v %v", gridList, err)
	}

	// The misread label waits in the inbox; a tube went missing in a box.
	inbox, err := a.Inbox(ctx, app.System, 0, 50)
	if err != nil || len(inbox) != 1 || inbox[0].Barcode != strayBarcode || inbox[0].Code != "labresult.unknown_tube" || inbox[0].Format != "hl7" {
		t.Errorf("inbox: %+v %v", inbox, err)
	}
	if sum.MissingTubes != 1 {
		t.Errorf("%d tubes missing, want 1", sum.MissingTubes)
	}
	labs, err := a.Labs(ctx, app.System)
	if err != nil || len(labs) != 2 {
		t.Fatalf("labs: %+v %v", labs, err)
	}

	want := Testing{Rounds: 6, Points: len(pointPlans) + 1, Labs: 2, PositivePools: 1, Held: 10, Released: 7, StillHeld: 1, Positives: 2, Inbox: 1}
	got := sum.Testing
	if got.Rounds != want.Rounds || got.Points != want.Points || got.Labs != want.Labs || got.PositivePools != want.PositivePools ||
		got.Held != want.Held || got.Released != want.Released || got.StillHeld != want.StillHeld || got.Positives != want.Positives || got.Inbox != want.Inbox {
		t.Errorf("summary %+v", got)
	}
	if first, _ := a.RoundProgress(ctx, app.System, r.ID, Debao, 1); first.Sampled < 1000 || first.Sampled > 2500 {
		t.Errorf("%d sampled in the first round, want a scaled-down round of one to two thousand", first.Sampled)
	}
	if got.Samples < 3000 || got.Samples > 8000 || got.Tubes == 0 || got.Tubes > 1000 {
		t.Errorf("%d samples in %d tubes, want five scaled-down rounds", got.Samples, got.Tubes)
	}
	// Everything happened on the scenario's dates.
	if tube.ClosedAt.Before(feb(4, 12, 0)) || tube.ResultedAt.After(end) {
		t.Errorf("pool closed %v, resulted %v: outside 4-6 February 2022", tube.ClosedAt, tube.ResultedAt)
	}
}

// TestDemoUploadsAreValid reads the labs' files back: every HL7 batch
// parses with no error, one message per result, each with its specimen;
// the Excel sheets read as the results they carried.
func TestDemoUploadsAreValid(t *testing.T) {
	_, sum := loaded(t)
	var formats = map[string]int{}
	for _, up := range sum.Uploads {
		formats[up.ContentType]++
		switch up.ContentType {
		case labfile.HL7:
			b := hl7.ParseBatch(up.Data)
			if len(b.Errors) != 0 || b.FileHeader == nil || b.BatchHeader == nil {
				t.Fatalf("HL7 batch of %v: errors %v", up.At, b.Errors)
			}
			if len(b.Messages) != up.Result.Received {
				t.Errorf("%d messages, %d results received", len(b.Messages), up.Result.Received)
			}
			for _, m := range b.Messages {
				rs, err := hl7.Results(m)
				if err != nil || len(rs) != 1 || rs[0].SpecimenID == "" || rs[0].Test != "94500-6" || rs[0].Observed.IsZero() {
					t.Fatalf("message %q: %+v %v", m.Raw, rs, err)
				}
				if rs[0].Outcome == hl7.Positive && (rs[0].Ct["ORF1ab"] == 0 || rs[0].Ct["N"] == 0) {
					t.Errorf("a positive result without Ct values: %+v", rs[0])
				}
			}
			if strings.Contains(string(up.Data), "\n") {
				t.Error("HL7 segments must end in CR alone")
			}
		case labfile.XLSX:
			rows, err := labfile.Parse(labfile.XLSX, up.Data)
			if err != nil || len(rows) != up.Result.Received {
				t.Fatalf("Excel sheet: %d rows, %v", len(rows), err)
			}
			for _, r := range rows {
				if r.Err != nil || r.Outcome != hl7.Negative {
					t.Errorf("sheet row %+v", r)
				}
			}
		default:
			t.Errorf("upload as %s", up.ContentType)
		}
	}
	if formats[labfile.HL7] == 0 || formats[labfile.XLSX] == 0 {
		t.Errorf("uploads by format: %v, want both HL7 and Excel", formats)
	}
}

// TestDemoOnRealTime loads a small demo into an application on real time,
// as the end-to-end test does: the scenario is replayed on the days before
// now, at the hours it had.
func TestDemoOnRealTime(t *testing.T) {
	ctx := context.Background()
	env := apptest.New(t, apptest.Options{})
	now := time.Now()
	sum, err := Load(ctx, env.App, Options{Password: "demo-password", Residents: 20, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	r := sum.Round
	if age := now.Sub(r.StartsAt); age < 52*time.Hour || age > 76*time.Hour || r.StartsAt.In(cordon.ChinaTime).Hour() != 12 {
		t.Errorf("round starts %v, want noon China time two to three days ago", r.StartsAt)
	}
	if sum.PositivePools != 1 || sum.Positives != 2 || sum.StillHeld != 1 || sum.Inbox != 1 {
		t.Errorf("summary %+v", sum.Testing)
	}
	hs, err := env.App.Recalls(ctx, actor(t, env.App, "duan"), "", cordon.HoldFilter{})
	if err != nil || len(hs) != 1 {
		t.Errorf("grid recall list with 20 residents: %+v %v", hs, err)
	}
}

// TestHL7Escaping writes a report whose texts hold every delimiter and
// reads them back unchanged.
func TestHL7Escaping(t *testing.T) {
	at := feb(5, 3, 0)
	w := &oruBatch{app: "LIS|1", facility: "德保县人民医院^检验科&PCR", at: at}
	w.add(labReport{Barcode: "FJS00001", Pool: 1, Name: `黄^丽&秀~英\|`, IDNumber: "451024199001010017", Outcome: cordon.OutcomePositive,
		CtORF1ab: 24.5, CtN: 23, Collected: at.Add(-3 * time.Hour), Observed: at.Add(-20 * time.Minute)})
	data := w.bytes()
	b := hl7.ParseBatch(data)
	if len(b.Errors) != 0 || len(b.Messages) != 1 {
		t.Fatalf("%v\n%q", b.Errors, data)
	}
	m := b.Messages[0]
	if got := m.Value("MSH-4.1"); got != "德保县人民医院^检验科&PCR" {
		t.Errorf("MSH-4 %q", got)
	}
	rs, err := hl7.Results(m)
	if err != nil || len(rs) != 1 {
		t.Fatalf("%+v %v", rs, err)
	}
	r := rs[0]
	if r.PatientName != `黄 ^丽&秀~英\|` || r.SpecimenID != "FJS00001" || r.Outcome != hl7.Positive ||
		r.Ct["ORF1ab"] != 24.5 || r.Ct["N"] != 23 || !r.Observed.Equal(at.Add(-20*time.Minute)) {
		t.Errorf("read back %+v", r)
	}
	pid, _ := m.Segment("PID")
	if pid.Value("7") != "19900101" || pid.Value("8") != "M" || pid.Value("3.1") != "451024199001010017" {
		t.Errorf("PID %q %q %q", pid.Value("3.1"), pid.Value("7"), pid.Value("8"))
	}
}

// TestTracingTheIndexCase reads back the tracing around the index case:
// the editions in force, the venues and their codes, his scan-ins on the
// drive home and at the hotel, his companions, his investigation, his close
// and secondary contacts, and the contacts who became cases.
func TestTracingTheIndexCase(t *testing.T) {
	ctx := context.Background()
	a, sum, clock := loadedOn(t)
	epi := actor(t, a, "debao")
	index := sum.IndexCase
	if index.ID == 0 || index.OnsetDate != "2022-01-31" || !index.DetectedAt.Equal(feb(4, 6, 0)) {
		t.Fatalf("index case %+v", index)
	}

	// The editions in force: Guangxi's returnee rules from 01-18, with
	// Nanning's mandatory arrival test.
	p, err := a.Policy(ctx, Debao, feb(4, 12, 0))
	if err != nil || p.Key != "gx-2022-01" || p.Contacts.WindowDays != 4 || p.Arrivals.OrdinaryTestMandatory || p.ScanIns.RetentionDays != 28 {
		t.Errorf("policy in 德保县 on 02-04: %+v %v", p, err)
	}
	if p, err := a.Policy(ctx, "450102", feb(4, 12, 0)); err != nil || p.Key != "gx-2022-01" || !p.Arrivals.OrdinaryTestMandatory {
		t.Errorf("policy in 南宁市兴宁区: %+v %v", p.Arrivals, err)
	}
	if p, _ := a.Policy(ctx, Debao, jan(17, 12, 0)); p.Key != "cn-8" {
		t.Errorf("policy before 01-18: %s, want the national cn-8", p.Key)
	}

	// The venues, each with a code that opens with cordon's key.
	all, err := a.Venues(ctx, app.System, cordon.VenueFilter{Limit: 100})
	if err != nil || len(all) != len(venuePlans) || sum.Venues != len(venuePlans) || len(all) < 12 {
		t.Fatalf("venues: %d (summary %d) %v", len(all), sum.Venues, err)
	}
	names := map[string]cordon.Venue{}
	for _, v := range all {
		names[v.Name] = v
		if id, serial, err := cordon.OpenVenueCode(a.VenueCodeKey(), v.Code); err != nil || id != v.ID || serial != v.CodeSerial || v.Address == "" {
			t.Errorf("venue %s: code %q opens as %d/%d %v", v.Name, v.Code, id, serial, err)
		}
	}
	hotel := names[HotelName]
	if hotel.ID == 0 || hotel.Category != cordon.VenueHotel || hotel.Jurisdiction != Chengguan || sum.Hotel.ID != hotel.ID {
		t.Errorf("the hotel: %+v", hotel)
	}
	area := names["德保服务区"]
	if area.Category != cordon.VenueServiceArea || !cordon.Within(area.Jurisdiction, Debao) {
		t.Errorf("the service area: %+v", area)
	}
	for _, cat := range []cordon.VenueCategory{cordon.VenueMarket, cordon.VenueMall, cordon.VenueCinema, cordon.VenueRestaurant, cordon.VenueStation} {
		found := false
		for _, v := range all {
			found = found || v.Category == cat && cordon.Within(v.Jurisdiction, Debao)
		}
		if !found {
			t.Errorf("no %s in 德保县", cat)
		}
	}

	// His scan-ins: the service areas on 01-27, the hotel on 01-29.
	if sum.ScanIns < 2000 || sum.ScanIns > 5000 {
		t.Errorf("%d scan-ins, want a few thousand", sum.ScanIns)
	}
	scans, err := a.Itinerary(ctx, epi, index.PersonID, jan(26, 0, 0), feb(6, 0, 0))
	if err != nil || len(scans) != len(indexStays) {
		t.Fatalf("the index case's scan-ins: %+v %v", scans, err)
	}
	at := map[int64]cordon.ScanIn{}
	for _, sc := range scans {
		at[sc.VenueID] = sc
	}
	if sc := at[area.ID]; !sc.At.Equal(jan(27, 6, 15)) {
		t.Errorf("at the service area: %+v", sc)
	}
	if sc := at[hotel.ID]; !sc.At.Equal(jan(29, 20, 10)) || !sc.Leave.Equal(jan(30, 9, 30)) || sc.Source != cordon.ScanReverse {
		t.Errorf("at the hotel: %+v", sc)
	}

	// His companions, found over the contact window of the edition.
	found, err := a.Companions(ctx, epi, app.CompanionQuery{CaseID: index.ID})
	if err != nil || found.Edition != "gx-2022-01" || !found.From.Equal(jan(27, 0, 0)) {
		t.Fatalf("companion search: %s from %v, %v", found.Edition, found.From, err)
	}
	if len(found.Companions) != sum.Companions || len(found.Companions) < 40 {
		t.Errorf("%d companions (summary %d), want the few dozen planned", len(found.Companions), sum.Companions)
	}
	byVenue := map[int64]int{}
	contacts := 0
	for _, c := range found.Companions {
		for _, st := range c.Stays {
			byVenue[st.VenueID]++
			if st.Seconds < 10*60 {
				t.Errorf("companion %s overlaps %ds, under the edition's 10 minutes", c.Name, st.Seconds)
			}
		}
		if c.ContactID != 0 {
			contacts++
		}
	}
	for venue, want := range map[string]int{"德保服务区": 5, HotelName: 6, "德保县城关农贸市场": 6, "德保县星光影城": 10, "德保县鸿福酒家": dinersAtTable} {
		if byVenue[names[venue].ID] < want {
			t.Errorf("%d companions at %s, want at least %d", byVenue[names[venue].ID], venue, want)
		}
	}
	if contacts == 0 || contacts < sum.CompanionContacts {
		t.Errorf("%d companions are contacts, the demo made %d", contacts, sum.CompanionContacts)
	}
	// The stop at 田东服务区 is on his itinerary, but 田东县's: 德保县 does
	// not search it; 广西's administrator does.
	unnamed := 0
	for _, v := range found.Itinerary {
		if v.VenueID == names["广昆高速田东服务区"].ID && v.VenueName == "" {
			unnamed++
		}
	}
	if unnamed == 0 {
		t.Errorf("the 田东 stop should be on the itinerary, unnamed for 德保县: %+v", found.Itinerary)
	}
	if wide, err := a.Companions(ctx, actor(t, a, "admin"), app.CompanionQuery{CaseID: index.ID}); err != nil || len(wide.Companions) <= len(found.Companions) {
		t.Errorf("the region's search: %d companions, 德保县's %d: %v", len(wide.Companions), len(found.Companions), err)
	}

	// His close contacts: household, banquet, companions.
	cs, err := a.CaseContacts(ctx, epi, index.ID, 0, 500)
	if err != nil {
		t.Fatal(err)
	}
	situations := map[cordon.Situation]int{}
	for _, c := range cs {
		for _, e := range c.ActiveExposures() {
			if e.SourceCase == index.ID {
				situations[e.Situation]++
				if e.OutsideWindow {
					t.Errorf("contact %s: exposure outside the window: %+v", c.Name, e)
				}
			}
		}
		if c.Household == "" && c.Exposures[0].Situation != cordon.SituationCompanion {
			t.Errorf("contact %s has no household", c.Name)
		}
	}
	if situations[cordon.SituationHousehold] < 2 || situations[cordon.SituationMeal] < dinersAtTable-2 ||
		situations[cordon.SituationCompanion] != sum.CompanionContacts || sum.CompanionContacts < 10 {
		t.Errorf("the index case's exposures by situation: %v (%d companions made contacts)", situations, sum.CompanionContacts)
	}

	// Secondary contacts: the households of diners.
	secondary, err := a.Contacts(ctx, epi, cordon.ContactFilter{Kind: cordon.SecondaryContact, Limit: 500})
	if err != nil || len(secondary) == 0 || len(secondary) != sum.SecondaryContacts {
		t.Fatalf("secondary contacts: %d (summary %d) %v", len(secondary), sum.SecondaryContacts, err)
	}
	for _, c := range secondary {
		e := c.ActiveExposures()
		if len(e) != 1 || e[0].SourceContact == 0 || e[0].Situation != cordon.SituationHousehold {
			t.Errorf("secondary contact %s: %+v", c.Name, e)
			continue
		}
		src, err := a.Contact(ctx, epi, e[0].SourceContact, "test")
		if err != nil || src.Kind != cordon.CloseContact {
			t.Errorf("the source of secondary contact %s: %+v %v", c.Name, src, err)
		}
	}

	// The three diners who tested positive became their cases, linked to
	// the index case by their exposure; under gx-2022-01 (cn-8) their
	// households stay secondary contacts.
	became, err := a.Contacts(ctx, epi, cordon.ContactFilter{Status: cordon.ContactBecameCase, Limit: 50})
	if err != nil || len(became) != 3 || sum.BecameCases != 3 {
		t.Fatalf("contacts who became cases: %+v %v", became, err)
	}
	chains, err := a.Chains(ctx, epi)
	if err != nil || len(chains.Clusters) != 1 {
		t.Fatalf("chains: %+v %v", chains.Clusters, err)
	}
	for _, c := range became {
		linked := false
		for _, l := range chains.Links {
			linked = linked || l.From == index.ID && l.To == c.CaseID && strings.HasPrefix(l.Evidence, "密接")
		}
		if !linked {
			t.Errorf("contact %s became case %d without the link from the index case: %+v", c.Name, c.CaseID, chains.Links)
		}
	}

	// Control: most on time, some late (the last on 02-06); by 02-14 the
	// secondary contacts are released.
	all2, err := a.Contacts(ctx, epi, cordon.ContactFilter{Limit: 500})
	if err != nil || len(all2) != sum.Contacts {
		t.Fatalf("contacts: %d (summary %d) %v", len(all2), sum.Contacts, err)
	}
	status := map[cordon.ContactStatus]int{}
	late := 0
	for _, c := range all2 {
		status[c.Status]++
		if c.Transfer.Overdue {
			late++
		}
	}
	if status[cordon.ContactControlled] != sum.Controlled || sum.Controlled < sum.Contacts/2 || status[cordon.ContactIdentified] != 0 ||
		status[cordon.ContactReleased] != sum.SecondaryContacts || sum.ReleasedContacts != sum.SecondaryContacts || late == 0 || late > sum.Contacts/4 {
		t.Errorf("contacts by status %v, %d late", status, late)
	}

	// The investigation, submitted within its clocks, with its report.
	c, inv, err := a.Investigation(ctx, epi, index.ID, "test")
	if err != nil || inv.Status != cordon.InvestigationSubmitted || inv.Source.Kind != cordon.SourceImported || !strings.Contains(inv.Source.Origin, "深圳") || !sum.Investigated {
		t.Fatalf("investigation: %s %+v %v", inv.Status, inv.Source, err)
	}
	for _, k := range c.Clocks {
		if k.DoneAt.IsZero() || k.Overdue {
			t.Errorf("the index case's %s clock: %+v", k.Step, k)
		}
	}
	if d := inv.MissingDays(inv.Window); len(d) != 0 || inv.Window.From != "2022-01-17" {
		t.Errorf("window %+v, days missing %v", inv.Window, d)
	}
	visited := map[int64]bool{}
	for _, e := range inv.Itinerary {
		visited[e.VenueID] = true
	}
	if !visited[hotel.ID] || !visited[area.ID] || !visited[names["德保县鸿福酒家"].ID] {
		t.Errorf("the itinerary misses the hotel, the service area or the banquet")
	}
	if len(inv.Household) != situations[cordon.SituationHousehold] {
		t.Errorf("%d household members, %d household contacts", len(inv.Household), situations[cordon.SituationHousehold])
	}
	for _, m := range inv.Household {
		if m.PersonID == 0 || m.Relation == "" {
			t.Errorf("household member %+v", m)
		}
	}
	pdf, err := a.InvestigationReport(ctx, epi, index.ID, "test")
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Errorf("report: %d bytes %v", len(pdf), err)
	}

	// The server runs on real time: its purge keeps the replay's scan-ins.
	clock.set(time.Now())
	if n, err := a.PurgeScanIns(ctx); err != nil || n != 0 {
		t.Errorf("the purge on real time removed %d scan-ins: %v", n, err)
	}
}

// TestQuarantineOrdersAndCodes reads back the days after 02-06: the
// contacts' orders under gx-2022-01, the quarantine hotel and the centre
// with their daily checks and the fever alert, the orders released on
// their conditions and those gone on to home health monitoring, the county
// measure that three negative rounds ended, and the codes it gave.
func TestQuarantineOrdersAndCodes(t *testing.T) {
	ctx := context.Background()
	a, sum, clock := loadedOn(t)
	c := sum.Control
	epi, manager, commander := actor(t, a, "debao"), actor(t, a, "kangning"), actor(t, a, "dbzh")
	if now := clock.Now(); !now.Equal(final) {
		t.Fatalf("the replay ends at %v, want %v", now, final)
	}

	// Every contact has its order, planned by the edition in force.
	gx := mustEdition("gx-2022-01")
	contacts, err := a.Contacts(ctx, epi, cordon.ContactFilter{Limit: 500})
	if err != nil || len(contacts) != sum.Contacts {
		t.Fatalf("contacts: %d %v", len(contacts), err)
	}
	orderOf := map[int64]cordon.ControlOrder{} // by person: the contact's order
	var became []int64                         // the persons who became cases
	for _, ct := range contacts {
		os, err := a.Orders(ctx, epi, cordon.OrderFilter{ContactID: ct.ID, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var o *cordon.ControlOrder
		for i := range os {
			if os[i].Basis == cordon.BasisContact {
				o = &os[i]
			}
		}
		if o == nil {
			t.Errorf("contact %s has no order", ct.Name)
			continue
		}
		plan, _ := cordon.ControlPlan(gx, ct.Kind.Population(), ct.LastExposure)
		if o.Edition != "gx-2022-01" || o.StartsOn != plan[0].FirstDay || o.EndsOn != plan[len(plan)-1].LastDay || len(o.Phases) != len(plan) {
			t.Errorf("contact %s (%s): order %s %s..%s, want the plan %+v", ct.Name, ct.Kind, o.Edition, o.StartsOn, o.EndsOn, plan)
		}
		if ct.Status == cordon.ContactBecameCase {
			became = append(became, ct.PersonID)
		}
		want := map[cordon.ContactStatus]cordon.OrderStatus{cordon.ContactControlled: cordon.OrderActive,
			cordon.ContactReleased: cordon.OrderReleased, cordon.ContactBecameCase: cordon.OrderConverted}[ct.Status]
		if o.Status != want {
			t.Errorf("contact %s is %s, its order %s", ct.Name, ct.Status, o.Status)
		}
		orderOf[ct.PersonID] = *o
	}

	// The hotel holds the close contacts still in their centralised
	// phase; the household together in one room.
	hotel, err := a.Site(ctx, manager, c.Site.ID, "test")
	if err != nil || hotel.Name != SiteName || hotel.RoomCount != 48 || hotel.Occupied != c.Site.Occupied {
		t.Fatalf("hotel: %+v %v", hotel.Occupancy, err)
	}
	staying := map[int64]cordon.Stay{}
	for _, r := range hotel.Rooms {
		for _, st := range r.Occupants {
			staying[st.PersonID] = st
		}
	}
	inCentralised := 0
	for person, o := range orderOf {
		ph, _ := o.Phase(final)
		if o.Status == cordon.OrderActive && ph.Type == cordon.CentralisedQuarantine {
			inCentralised++
			if _, ok := staying[person]; !ok {
				t.Errorf("%s is in centralised quarantine but not at the hotel", o.Name)
			}
		}
	}
	if len(staying) != inCentralised || inCentralised < 5 {
		t.Errorf("%d at the hotel, %d in centralised quarantine", len(staying), inCentralised)
	}
	_, inv, err := a.Investigation(ctx, epi, sum.IndexCase.ID, "test")
	if err != nil || len(inv.Household) < 2 {
		t.Fatalf("the index case's household: %+v %v", inv.Household, err)
	}
	var household []int64
	for _, m := range inv.Household {
		household = append(household, m.PersonID)
	}
	rooms := map[int64]bool{}
	for _, p := range household {
		rooms[staying[p].RoomID] = true
	}
	if len(rooms) != 1 || rooms[0] {
		t.Errorf("the index case's household is in rooms %v, want one", rooms)
	}
	for _, st := range hotel.Departed {
		if st.DepartureReason == cordon.DepartHospital && !slices.Contains(became, st.PersonID) {
			t.Errorf("%s left for hospital and is no case", st.Name)
		}
	}
	departures, err := a.AuditLog(ctx, app.System, cordon.AuditFilter{Action: "stay.depart", Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]int{}
	for _, e := range departures {
		reasons[e.Detail[strings.LastIndexByte(e.Detail, ' ')+1:]]++
	}
	if reasons["hospital"] != 3 || c.Hospital != 3 || reasons["released"] != c.HomeMonitoring+sum.SecondaryContacts || c.HomeMonitoring < 10 {
		t.Errorf("departures %v, %d gone home", reasons, c.HomeMonitoring)
	}
	centre, err := a.Site(ctx, manager, c.Centre.ID, "test")
	if err != nil || centre.Occupied != 0 || len(centre.Departed) != sum.SecondaryContacts {
		t.Errorf("the secondary contacts' centre: %+v, %d departed %v", centre.Occupancy, len(centre.Departed), err)
	}
	for _, st := range centre.Departed {
		if st.DepartureReason != cordon.DepartReleased || st.DepartedAt.In(cordon.ChinaTime).Day() != 11 {
			t.Errorf("departure from the centre: %+v", st)
		}
	}

	// Orders released on their conditions: the secondary contacts' 7
	// days, on their last day.
	released, err := a.Orders(ctx, epi, cordon.OrderFilter{Status: cordon.OrderReleased, Type: cordon.CentralisedQuarantine, Limit: 100})
	if err != nil || len(released) != sum.SecondaryContacts || c.OrdersReleased != len(released) {
		t.Fatalf("released orders: %d (summary %d) %v", len(released), c.OrdersReleased, err)
	}
	for _, o := range released {
		if o.Population != cordon.PopulationSecondaryContact || o.ReleaseKind != cordon.ReleaseConditions || cordon.ChinaDay(o.ReleasedAt) != o.EndsOn {
			t.Errorf("released order %+v", o)
		}
	}

	// The banquet's diners at home in their order's home phase: a test
	// day on 02-14 taken, the release refused until the phase ends.
	home := 0
	for _, o := range orderOf {
		if o.Status != cordon.OrderActive {
			continue
		}
		v, err := a.Order(ctx, epi, o.ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		for _, td := range v.Release.Tests {
			if td.Day < "2022-02-14" && td.State != cordon.TestNegative && td.State != cordon.TestBeforeOrder {
				t.Errorf("%s: test day %s is %s", o.Name, td.Day, td.State)
			}
		}
		if v.Type != cordon.HomeMonitoring {
			continue
		}
		home++
		if _, there := staying[o.PersonID]; there {
			t.Errorf("%s is at home and at the hotel", o.Name)
		}
		if _, err := a.ReleaseOrder(ctx, manager, o.ID, app.ReleaseInput{}); cordon.ErrorCode(err) != "order.release_conditions_unmet" {
			t.Errorf("release of %s in home monitoring: %v", o.Name, err)
		}
	}
	if home != c.HomeMonitoring {
		t.Errorf("%d orders in home monitoring, %d people went home", home, c.HomeMonitoring)
	}
	tasks, err := a.OrderTasks(ctx, actor(t, a, "caiyang"))
	if err != nil || len(tasks.Missed) != 0 || c.TestDays < 50 {
		t.Errorf("test days: %d missed %v; %d taken", len(tasks.Missed), err, c.TestDays)
	}

	// Health checks twice a day, some reported through the link, some by
	// the grid worker at home; one fever, acknowledged.
	if c.Checks < 500 || c.SelfReports == 0 || c.GridChecks == 0 {
		t.Errorf("%d checks, %d self-reports, %d by the grid worker", c.Checks, c.SelfReports, c.GridChecks)
	}
	sources := map[cordon.CheckSource]int{}
	for _, p := range household {
		checks, err := a.PersonHealthChecks(ctx, epi, p, "test")
		if err != nil || len(checks) < 2*10 {
			t.Errorf("checks of a household member: %d %v", len(checks), err)
		}
		for _, ch := range checks {
			sources[ch.Source]++
		}
	}
	if sources[cordon.CheckByStaff] == 0 || sources[cordon.CheckBySelf] == 0 {
		t.Errorf("the household's checks by source: %v", sources)
	}
	alerts, err := a.Alerts(ctx, epi, cordon.AlertFilter{})
	if err != nil || len(alerts) != 1 || c.Alerts != 1 || c.Acknowledged != 1 {
		t.Fatalf("alerts: %+v %v", alerts, err)
	}
	if x := alerts[0]; x.AckedBy != "debao" || !slices.Contains(x.Reasons, "fever") || x.SiteName != SiteName || x.Temperature < 37.3 {
		t.Errorf("the alert: %+v", x)
	}
	byGrid := 0
	for person := range orderOf {
		checks, err := a.PersonHealthChecks(ctx, actor(t, a, "duan"), person, "test")
		if err != nil {
			continue // outside the grid
		}
		for _, ch := range checks {
			if ch.Source == cordon.CheckByGrid && ch.RecordedBy == "duan" {
				byGrid++
			}
		}
	}
	if byGrid != c.GridChecks {
		t.Errorf("%d checks by the grid worker, summary %d", byGrid, c.GridChecks)
	}

	// The county measure: taken on 02-09, ended by its three negative
	// rounds at the last result of 02-13, audited with the rounds.
	ms, err := a.AreaMeasures(ctx, commander)
	if err != nil || len(ms) != 1 {
		t.Fatalf("measures: %+v %v", ms, err)
	}
	m := ms[0]
	if m.Jurisdiction != Debao || m.Reason != cordon.ReasonYellowOther || m.Rounds != 3 || m.Note != MeasureNote ||
		cordon.ChinaDay(m.From) != "2022-02-09" || cordon.ChinaDay(m.EndedAt) != "2022-02-13" || !m.EndedAt.Equal(c.Measure.EndedAt) {
		t.Errorf("the measure: %+v", m)
	}
	ends, err := a.AuditLog(ctx, app.System, cordon.AuditFilter{Action: "measure.end"})
	if err != nil || len(ends) != 1 || ends[0].Username != "system" || !strings.HasPrefix(ends[0].Reason, "连续3轮核酸检测阴性") {
		t.Fatalf("the measure's end in the audit log: %+v %v", ends, err)
	}
	for _, r := range c.MeasureRounds {
		if !strings.Contains(ends[0].Reason, r.Name) {
			t.Errorf("the audit reason %q does not name %s", ends[0].Reason, r.Name)
		}
		p, err := a.RoundProgress(ctx, app.System, r.ID, Debao, 1)
		if err != nil || p.Sampled < 500 || p.Tubes > 300 || p.TubesResulted != p.Tubes || p.PositiveTubes != 0 {
			t.Errorf("%s: %+v %v", r.Name, p.Tally, err)
		}
		if rr, _ := a.Round(ctx, app.System, r.ID); !rr.Closed {
			t.Errorf("%s is open", r.Name)
		}
	}
	// Its end is a lab upload's, after the third round closed.
	uploaded := false
	for _, up := range sum.Uploads {
		uploaded = uploaded || up.At.Equal(m.EndedAt)
	}
	if !uploaded || m.EndedAt.Before(feb(13, 16, 0)) {
		t.Errorf("the measure ended %v, not with a result of the third round", m.EndedAt)
	}
	// Residents of the sealed and controlled zones (都安乡 as a whole from
	// 02-09) are red or yellow for their zone; the measure makes everyone
	// else yellow, and green again at its end.
	if c.CodesFeb10[cordon.Green] != 0 || c.CodesFeb10[cordon.Yellow] < 150 || c.CodesAtEnd[cordon.Green] < 150 {
		t.Errorf("德保县's codes on 02-10 %v, at the end %v", c.CodesFeb10, c.CodesAtEnd)
	}

	// A resident with nothing else on their code: yellow from the
	// measure's start, green from its end; yellow on 02-10, green now.
	var resident int64
	for _, p := range residentsOf(t, a) {
		h, err := a.HealthCodeHistory(ctx, commander, p, "test")
		if err != nil {
			t.Fatal(err)
		}
		if len(h) == 2 {
			if h[0].Color != cordon.Yellow || !h[0].At.Equal(m.From) || h[1].Color != cordon.Green || !h[1].At.Equal(m.EndedAt) {
				t.Fatalf("a resident's code history: %+v", h)
			}
			resident = p
			break
		}
	}
	if resident == 0 {
		t.Fatal("no resident's code history is the measure's alone")
	}
	codeAt := func(at time.Time, person int64) cordon.HealthCodeStatus {
		t.Helper()
		clock.set(at)
		defer clock.set(final)
		code, err := a.HealthCode(ctx, commander, person, "test")
		if err != nil {
			t.Fatal(err)
		}
		return code
	}
	if code := codeAt(feb(10, 12, 0), resident); code.Color != cordon.Yellow || !slices.Equal(code.Reasons, []cordon.CodeReason{cordon.ReasonYellowOther}) {
		t.Errorf("the resident's code on 02-10: %+v", code)
	}
	if code := codeAt(time.Now(), resident); code.Color != cordon.Green {
		t.Errorf("the resident's code now: %+v", code)
	}

	// Companions of the index case, not his contacts, yellow (B3) from
	// his companion search.
	if c.Marked == 0 {
		t.Fatal("no companion marked")
	}
	found, err := a.Companions(ctx, epi, app.CompanionQuery{CaseID: sum.IndexCase.ID})
	if err != nil {
		t.Fatal(err)
	}
	marked := 0
	for _, cp := range found.Companions {
		marks, err := a.CodeMarks(ctx, epi, cp.PersonID)
		if err != nil || len(marks) == 0 {
			continue
		}
		marked++
		if cp.ContactID != 0 || marks[0].Reason != cordon.ReasonCompanion || marks[0].Source != fmt.Sprintf("case:%d", sum.IndexCase.ID) {
			t.Errorf("companion %s: contact %d, marks %+v", cp.Name, cp.ContactID, marks)
		}
		if code := codeAt(feb(5, 12, 0), cp.PersonID); code.Color != cordon.Yellow || !slices.Contains(code.Reasons, cordon.ReasonCompanion) {
			t.Errorf("companion %s on 02-05: %+v", cp.Name, code)
		}
	}
	if marked != c.Marked {
		t.Errorf("%d companions marked, summary %d", marked, c.Marked)
	}
}

// residentsOf lists the registered people of 德保县.
func residentsOf(t *testing.T, a *app.App) []int64 {
	t.Helper()
	ps, err := a.Persons(context.Background(), app.System, cordon.PersonFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	for _, p := range ps {
		if cordon.Within(p.Residence, Debao) {
			out = append(out, p.ID)
		}
	}
	return out
}

func TestArrivalsRiskAreasAndCheckpoints(t *testing.T) {
	ctx := context.Background()
	a, sum, clock := loadedOn(t)
	arr := sum.Arrivals
	if arr.RiskAreas < 50 || arr.Returnees != 12 || arr.Nanning != 15 || arr.Checkpoints != 4 || arr.Passages != 96 {
		t.Fatalf("arrivals part: %+v", arr)
	}
	// The published zones are there, 陇意屯 sealed and 都安乡 as a whole.
	areas, err := a.PublicRiskAreas(ctx)
	if err != nil {
		t.Fatal(err)
	}
	named := map[string]string{}
	for _, r := range areas {
		named[r.Name] = r.Tier
	}
	if named["德保县都安乡福记村陇意屯"] != "sealed" || named["德保县都安乡全域"] != "sealed" || named["维也纳国际酒店(德保腾飞广场店)"] != "controlled" {
		t.Errorf("published zones missing: %d areas", len(areas))
	}
	// Nanning: everyone back from Baise is yellow (home monitoring, a city
	// with local cases) or red (a stay in a zone); the list merged into
	// the self-reports of the same people.
	nn := actor(t, a, "nnjk")
	list, err := a.Arrivals(ctx, nn, cordon.ArrivalFilter{Limit: 100})
	if err != nil || len(list) != 15 {
		t.Fatalf("Nanning's arrivals: %d %v", len(list), err)
	}
	colours := map[cordon.CodeColor]int{}
	merged := 0
	clock.set(feb(8, 12, 0)) // within the 7 days of home monitoring
	defer clock.set(final)
	for _, x := range list {
		code, err := a.HealthCode(ctx, nn, x.PersonID, "test")
		if err != nil {
			t.Fatal(err)
		}
		colours[code.Color]++
		if len(x.Sources) > 1 {
			merged++
		}
		if x.Population != cordon.ArrivalCaseCity && x.Population != cordon.ArrivalRiskArea && x.Population != cordon.ArrivalRiskCounty {
			t.Errorf("a Baise traveller in Nanning is %s: %+v", x.Population, x.Travel)
		}
	}
	if colours[cordon.Green] != 0 || colours[cordon.Yellow] == 0 || colours[cordon.Red] == 0 || merged != 10 {
		t.Errorf("Nanning's Baise travellers on 02-08: codes %v, %d merged", colours, merged)
	}
	clock.set(final)
	// 都安乡: returnees still owing their test are on the grid worker's list.
	tasks, err := a.ArrivalTasks(ctx, actor(t, a, "duan"), cordon.ObligationFilter{Overdue: true})
	if err != nil || len(tasks) == 0 || len(tasks) != arr.Overdue || len(tasks) >= arr.Returnees {
		t.Errorf("都安乡's overdue tests: %d of %d (%v)", len(tasks), arr.Returnees, err)
	}
	// 巴马: the checkpoints' passages in made arrivals.
	officer := actor(t, a, "bama")
	cps, err := a.Checkpoints(ctx, officer)
	if err != nil || len(cps) != 4 {
		t.Fatalf("巴马's checkpoints: %d %v", len(cps), err)
	}
	bama, err := a.Arrivals(ctx, actor(t, a, "admin"), cordon.ArrivalFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	atBama := 0
	for _, x := range bama {
		if x.Destination == Bama && x.Sources[0].Channel == cordon.ChannelCheckpoint {
			atBama++
		}
	}
	if atBama == 0 {
		t.Errorf("no arrival in 巴马 from a checkpoint")
	}
}

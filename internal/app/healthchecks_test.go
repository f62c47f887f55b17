package app_test

import (
	"strings"
	"testing"
	"time"

	"cordon"
	"cordon/internal/app"
)

func TestHealthCheckAlerts(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, ts *testingSetup) {
		s := newSiteSetup(t, ts)
		epi := s.account(cordon.RoleEpidemiologist, debao).Actor()
		// A Nanning resident quarantined in Debao: the site's county is
		// responsible, and its staff reach them.
		p := s.person(livingAt(xingning, xingning))
		q := s.person()
		s.arrive(s.hotel.ID, cordon.ArrivalInput{PersonID: q.ID})
		if _, err := s.app.Arrive(s.ctx, app.System, s.hotel.ID, cordon.Arrivals{People: []cordon.ArrivalInput{{PersonID: p.ID}}}); err != nil {
			t.Fatal(err)
		}
		record := func(person int64, temp float64, symptoms ...cordon.CheckSymptom) cordon.HealthCheck {
			t.Helper()
			c, err := s.app.RecordHealthCheck(s.ctx, s.manager, cordon.HealthCheckInput{PersonID: person, Temperature: temp, Symptoms: symptoms})
			if err != nil {
				t.Fatalf("RecordHealthCheck: %v", err)
			}
			return c
		}
		if c := record(p.ID, 37.2); c.Alert || c.Source != cordon.CheckByStaff || c.Jurisdiction != debao || c.Day != "2022-02-08" {
			t.Errorf("37.2 °C without symptoms: %+v", c)
		}
		if open := s.openAlerts(epi); len(open) != 0 {
			t.Fatalf("alerts after 37.2: %+v", open)
		}
		fever := record(p.ID, 37.3)
		cough := record(q.ID, 36.6, cordon.SymptomCough)
		if !fever.Alert || !cough.Alert {
			t.Errorf("no alert on fever or cough: %+v %+v", fever, cough)
		}
		open := s.openAlerts(epi)
		if len(open) != 2 || open[1].CheckID != fever.ID || strings.Join(open[1].Reasons, ",") != "fever" || open[1].Temperature != 37.3 ||
			open[0].CheckID != cough.ID || strings.Join(open[0].Reasons, ",") != "symptom_cough" || open[1].SiteName != s.hotel.Name {
			t.Errorf("open alerts: %+v", open)
		}
		if n, err := s.app.CountOpenAlerts(s.ctx, epi); err != nil || n != 2 {
			t.Errorf("count %d %v", n, err)
		}
		// Nanning's epidemiologists do not see Debao's alerts, though the
		// person lives in Nanning; nor may they acknowledge one.
		nanningEpi := s.account(cordon.RoleEpidemiologist, nanning).Actor()
		if got := s.openAlerts(nanningEpi); len(got) != 0 {
			t.Errorf("Nanning sees %+v", got)
		}
		_, err := s.app.AcknowledgeAlert(s.ctx, nanningEpi, open[0].ID)
		wantError(t, err, cordon.KindNotFound, "alert.not_found")
		// A site manager records but does not acknowledge.
		_, err = s.app.AcknowledgeAlert(s.ctx, s.manager, open[0].ID)
		wantError(t, err, cordon.KindForbidden, "auth.forbidden")

		acked, err := s.app.AcknowledgeAlert(s.ctx, epi, open[0].ID)
		if err != nil || acked.AckedBy != epi.Username || acked.AckedAt.IsZero() {
			t.Fatalf("ack: %+v %v", acked, err)
		}
		_, err = s.app.AcknowledgeAlert(s.ctx, epi, open[0].ID)
		wantError(t, err, cordon.KindConflict, "alert.acknowledged")
		if got := s.openAlerts(epi); len(got) != 1 || got[0].ID != open[1].ID {
			t.Errorf("open after the ack: %+v", got)
		}
		if acks := s.audit(cordon.AuditFilter{Action: "alert.ack"}); len(acks) != 1 || acks[0].Username != epi.Username || acks[0].Record != "alert:"+itoa(open[0].ID) {
			t.Errorf("the ack's audit: %+v", acks)
		}

		// A grid worker checks people at home in the grid; the source
		// says so. Someone out of reach is refused.
		grid := s.account(cordon.RoleGridWorker, s.grid.Code).Actor()
		home := s.person(livingAt(s.grid.Code, s.grid.Code))
		c, err := s.app.RecordHealthCheck(s.ctx, grid, cordon.HealthCheckInput{PersonID: home.ID, Temperature: 36.4})
		if err != nil || c.Source != cordon.CheckByGrid || c.Jurisdiction != s.grid.Code {
			t.Errorf("grid check: %+v %v", c, err)
		}
		_, err = s.app.RecordHealthCheck(s.ctx, grid, cordon.HealthCheckInput{PersonID: q.ID, Temperature: 36.4})
		wantError(t, err, cordon.KindNotFound, "person.not_found")
		_, err = s.app.RecordHealthCheck(s.ctx, grid, cordon.HealthCheckInput{PersonID: home.ID, Temperature: 36.4, Source: cordon.CheckBySelf})
		wantError(t, err, cordon.KindInvalid, "healthcheck.source_invalid")
	})
}

func (s *siteSetup) openAlerts(actor cordon.Actor) []cordon.Alert {
	s.tb.Helper()
	out, err := s.app.Alerts(s.ctx, actor, cordon.AlertFilter{Open: true})
	if err != nil {
		s.tb.Fatalf("Alerts: %v", err)
	}
	return out
}

func TestHealthCheckTemperatureValidated(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, ts *testingSetup) {
		s := newSiteSetup(t, ts)
		p := s.person()
		for _, temp := range []float64{33.9, 43.1, 0} {
			_, err := s.app.RecordHealthCheck(s.ctx, s.manager, cordon.HealthCheckInput{PersonID: p.ID, Temperature: temp})
			e := wantError(t, err, cordon.KindInvalid, "healthcheck.temperature_invalid")
			if e.Fields["temperature"] != "healthcheck.temperature_invalid" {
				t.Errorf("%v: fields %v", temp, e.Fields)
			}
		}
		_, err := s.app.RecordHealthCheck(s.ctx, s.manager, cordon.HealthCheckInput{PersonID: p.ID, Temperature: 36.5, At: s.clock.Now().Add(time.Hour)})
		wantError(t, err, cordon.KindInvalid, "healthcheck.at_invalid")
		checks, err := s.app.PersonHealthChecks(s.ctx, s.manager, p.ID, "")
		if err != nil || len(checks) != 0 {
			t.Errorf("refused checks were stored: %+v %v", checks, err)
		}
		c, err := s.app.RecordHealthCheck(s.ctx, s.manager, cordon.HealthCheckInput{PersonID: p.ID, Temperature: 36.46})
		if err != nil || c.Temperature != 36.5 {
			t.Errorf("36.46 °C: %+v %v", c, err)
		}
		checks, err = s.app.PersonHealthChecks(s.ctx, s.manager, p.ID, "随访")
		if err != nil || len(checks) != 1 || checks[0].Temperature != 36.5 || checks[0].RecordedBy != s.manager.Username {
			t.Errorf("checks: %+v %v", checks, err)
		}
		if reads := s.audit(cordon.AuditFilter{Action: "healthcheck.list", Username: s.manager.Username}); len(reads) != 2 || reads[0].Reason != "随访" {
			t.Errorf("the reads' audit: %+v", reads)
		}
	})
}

func TestSelfReportLink(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, ts *testingSetup) {
		s := newSiteSetup(t, ts)
		epi := s.account(cordon.RoleEpidemiologist, debao).Actor()
		p := s.person(named("黄文华"))
		s.arrive(s.hotel.ID, cordon.ArrivalInput{PersonID: p.ID})
		link, err := s.app.HealthCheckLink(s.ctx, s.manager, p.ID)
		if err != nil || link.Path != "/h/"+link.Token || link.Until.Format(time.DateOnly) != "2022-03-10" {
			t.Fatalf("link: %+v %v", link, err)
		}
		who, err := s.app.CheckLinkPerson(s.ctx, link.Token)
		if err != nil || who.Name != "黄*华" {
			t.Errorf("the link's person: %+v %v", who, err)
		}
		out, err := s.app.SelfReportHealthCheck(s.ctx, link.Token, cordon.HealthCheckInput{Temperature: 38.1, Symptoms: []cordon.CheckSymptom{cordon.SymptomSoreThroat}})
		if err != nil || !out.Alert || out.Name != "黄*华" || out.Temperature != 38.1 {
			t.Fatalf("self-report: %+v %v", out, err)
		}
		checks, err := s.app.PersonHealthChecks(s.ctx, s.manager, p.ID, "")
		if err != nil || len(checks) != 1 || checks[0].Source != cordon.CheckBySelf || checks[0].RecordedBy != "" {
			t.Errorf("the self-reported check: %+v %v", checks, err)
		}
		if a := s.openAlerts(epi); len(a) != 1 || strings.Join(a[0].Reasons, ",") != "fever,symptom_sore_throat" {
			t.Errorf("the self-report's alert: %+v", a)
		}
		if e := s.audit(cordon.AuditFilter{Action: "healthcheck.self"}); len(e) != 1 || e[0].Username != "public" || e[0].Record != "person:"+itoa(p.ID) {
			t.Errorf("the self-report's audit: %+v", e)
		}
		if e := s.audit(cordon.AuditFilter{Action: "healthcheck.link"}); len(e) != 1 || e[0].Username != s.manager.Username {
			t.Errorf("the link's audit: %+v", e)
		}

		// A tampered link: another person's id with the old signature, a
		// changed character, a truncation. Nothing is stored.
		for _, bad := range []string{link.Token[:20] + flip(link.Token[20]) + link.Token[21:], link.Token[:30], flip(link.Token[0]) + link.Token[1:]} {
			_, err := s.app.SelfReportHealthCheck(s.ctx, bad, cordon.HealthCheckInput{Temperature: 36.5})
			wantError(t, err, cordon.KindNotFound, "healthcheck.link_invalid")
			_, err = s.app.CheckLinkPerson(s.ctx, bad)
			wantError(t, err, cordon.KindNotFound, "healthcheck.link_invalid")
		}
		_, err = s.app.SelfReportHealthCheck(s.ctx, link.Token, cordon.HealthCheckInput{Temperature: 45})
		wantError(t, err, cordon.KindInvalid, "healthcheck.temperature_invalid")
		if checks, _ := s.app.PersonHealthChecks(s.ctx, s.manager, p.ID, ""); len(checks) != 1 {
			t.Errorf("%d checks after refused reports", len(checks))
		}
		// The link is of no use to staff out of reach, and expires.
		_, err = s.app.HealthCheckLink(s.ctx, s.account(cordon.RoleIsolationSite, nanning).Actor(), p.ID)
		wantError(t, err, cordon.KindNotFound, "person.not_found")
		s.clock.Advance(31 * 24 * time.Hour)
		_, err = s.app.SelfReportHealthCheck(s.ctx, link.Token, cordon.HealthCheckInput{Temperature: 36.5})
		wantError(t, err, cordon.KindForbidden, "healthcheck.link_expired")
	})
}

func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}

func TestMissingHealthChecks(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, ts *testingSetup) {
		s := newSiteSetup(t, ts)
		p, q := s.person(), s.person()
		s.arrive(s.hotel.ID, cordon.ArrivalInput{PersonID: p.ID}, cordon.ArrivalInput{PersonID: q.ID})
		missing := func(actor cordon.Actor, within string) map[int64]bool {
			t.Helper()
			out, err := s.app.MissingHealthChecks(s.ctx, actor, within)
			if err != nil {
				t.Fatalf("MissingHealthChecks: %v", err)
			}
			m := map[int64]bool{}
			for _, x := range out {
				m[x.PersonID] = true
			}
			return m
		}
		if m := missing(s.manager, debao); !m[p.ID] || !m[q.ID] || len(m) != 2 {
			t.Errorf("before any check: %v", m)
		}
		if _, err := s.app.RecordHealthCheck(s.ctx, s.manager, cordon.HealthCheckInput{PersonID: p.ID, Temperature: 36.5}); err != nil {
			t.Fatal(err)
		}
		if m := missing(s.manager, ""); m[p.ID] || !m[q.ID] {
			t.Errorf("after p's check: %v", m)
		}
		// The next day everyone is due again.
		s.clock.Advance(24 * time.Hour)
		if m := missing(s.manager, debao); !m[p.ID] || !m[q.ID] {
			t.Errorf("the next day: %v", m)
		}
		v, err := s.app.Site(s.ctx, s.manager, s.hotel.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range occupants(v) {
			if o.Today != nil {
				t.Errorf("yesterday's check shows as today's: %+v", o.Today)
			}
		}
		if m := missing(s.account(cordon.RoleIsolationSite, xingning).Actor(), ""); len(m) != 0 {
			t.Errorf("Xingning sees %v", m)
		}
		_, err = s.app.MissingHealthChecks(s.ctx, s.manager, xingning)
		wantError(t, err, cordon.KindForbidden, "jurisdiction.outside_scope")
		if e := s.audit(cordon.AuditFilter{Action: "healthcheck.missing", Username: s.manager.Username}); len(e) != 3 {
			t.Errorf("%d audited reads of the missing list", len(e))
		}
	})
}

package app_test

import (
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"cordon"
	"cordon/internal/app"
)

// codeOf reads a person's code as a Debao epidemiologist.
func (c *contactSetup) codeOf(personID int64) cordon.HealthCodeStatus {
	c.tb.Helper()
	s, err := c.app.HealthCode(c.ctx, c.epi, personID, "")
	if err != nil {
		c.tb.Fatalf("HealthCode %d: %v", personID, err)
	}
	return s
}

func wantCode(t *testing.T, s cordon.HealthCodeStatus, color cordon.CodeColor, reasons ...cordon.CodeReason) {
	t.Helper()
	if reasons == nil {
		reasons = []cordon.CodeReason{}
	}
	if s.Color != color || !slices.Equal(s.Reasons, reasons) {
		t.Errorf("code of %d: %s %v, want %s %v (causes %+v)", s.PersonID, s.Color, s.Reasons, color, reasons, s.Causes)
	}
}

// A code follows the person's facts as they change, with no step between:
// a close contact is red (A4) from the moment the contact is recorded, and
// green again once released; a case is red (A2); the history lists each
// change with its cause.
func TestHealthCodeFollowsFacts(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		c := newContactSetup(t, s, "cn-9")
		p := s.person(named("韦密接"))
		wantCode(t, c.codeOf(p.ID), cordon.Green)

		r := c.add(closeTo(p.ID, c.index.ID, cordon.SituationHousehold, cst("2022-02-07 20:00")))
		orders, err := c.app.PersonOrders(c.ctx, c.epi, p.ID, "")
		if err != nil || len(orders) != 1 || orders[0].ContactID != r.ID {
			t.Fatalf("the contact's order: %+v %v", orders, err)
		}
		order := "order:" + itoa(orders[0].ID)
		got := c.codeOf(p.ID)
		wantCode(t, got, cordon.Red, cordon.ReasonContact)
		if len(got.Causes) != 1 || got.Causes[0].Cause != order || !got.Since.Equal(r.IdentifiedAt) {
			t.Errorf("the code should name the contact's order and start with it: %+v", got)
		}
		wantCode(t, c.codeOf(c.index.PersonID), cordon.Red, cordon.ReasonInfection)

		// cn-9: 7 days centralised from the day after the exposure, then
		// home health monitoring: yellow.
		s.clock.Advance(cst("2022-02-15 10:00").Sub(s.clock.Now()))
		wantCode(t, c.codeOf(p.ID), cordon.Yellow, cordon.ReasonYellowOther)

		commander := s.account(cordon.RoleCommander, debao).Actor()
		if _, err := c.app.ReleaseOrder(c.ctx, commander, orders[0].ID, app.ReleaseInput{Early: true, Reason: "核实为误判"}); err != nil {
			t.Fatalf("ReleaseOrder: %v", err)
		}
		wantCode(t, c.codeOf(p.ID), cordon.Green)
		h, err := c.app.HealthCodeHistory(c.ctx, c.epi, p.ID, "")
		if err != nil || len(h) != 3 || h[0].Color != cordon.Red || !slices.Contains(h[0].Began, order) ||
			h[1].Color != cordon.Yellow || !h[1].At.Equal(cst("2022-02-15 00:00")) || h[2].Color != cordon.Green || !slices.Contains(h[2].Ended, order) {
			t.Fatalf("history: %+v %v", h, err)
		}
		if reads := s.audit(cordon.AuditFilter{Action: "healthcode.read", Record: "person:" + itoa(p.ID)}); len(reads) < 3 {
			t.Errorf("every read of a code is audited: %d entries", len(reads))
		}
	})
}

// A code is confined to the reader's subtree like the person.
func TestHealthCodeScope(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		p := s.person()
		nn := s.account(cordon.RoleEpidemiologist, nanning).Actor()
		_, err := s.app.HealthCode(s.ctx, nn, p.ID, "")
		wantError(t, err, cordon.KindNotFound, "person.not_found")
		lab := s.account(cordon.RoleLab, baise).Actor()
		_, err = s.app.HealthCode(s.ctx, lab, p.ID, "")
		wantError(t, err, cordon.KindForbidden, "auth.forbidden")
	})
}

// negativeRound runs a closed round over 德保县 in which one Debao person
// is sampled single-tube and found negative.
func (s *testingSetup) negativeRound(name, tube string, p cordon.Person) {
	s.tb.Helper()
	r, err := s.app.CreateRound(s.ctx, app.System, cordon.RoundInput{Name: name, Jurisdiction: debao})
	if err != nil {
		s.tb.Fatalf("CreateRound: %v", err)
	}
	in := cordon.SampleInput{Key: "k" + tube, RoundID: r.ID, PointID: s.point.ID, Tube: tube, PoolSize: 1, Group: cordon.GroupKey, IDNumber: p.IDNumber, Name: p.Name}
	if acks := s.register(in); acks[0].Status != cordon.SampleStored {
		s.tb.Fatalf("register: %+v", acks)
	}
	if up := s.results(cordon.LabResultInput{Barcode: tube, Outcome: cordon.OutcomeNegative}); up.Matched != 1 {
		s.tb.Fatalf("results: %+v", up)
	}
	if err := s.app.CloseRound(s.ctx, app.System, r.ID); err != nil {
		s.tb.Fatalf("CloseRound: %v", err)
	}
}

// Debao, 2022-02-09: every resident yellow until three negative rounds.
// The measure is one record; it colours residents of the county and no
// one else, and ends by itself after the third negative round.
func TestAreaMeasureUntilNegativeRounds(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		c := newContactSetup(t, s, "gx-2022-01")
		resident := s.person()
		outsider := s.person(livingAt(xingningC, xingningC))
		s.round.Closed = true
		if err := s.app.CloseRound(s.ctx, app.System, s.round.ID); err != nil {
			t.Fatal(err)
		}
		commander := s.account(cordon.RoleCommander, debao).Actor()
		_, err := s.app.TakeAreaMeasure(s.ctx, commander, cordon.AreaMeasure{Jurisdiction: debao, Reason: cordon.ReasonYellowOther, Note: "x"})
		wantError(t, err, cordon.KindInvalid, "healthcode.reason_required")
		_, err = s.app.TakeAreaMeasure(s.ctx, commander, cordon.AreaMeasure{Jurisdiction: debao, Reason: cordon.ReasonYellowOther, Note: "全县赋黄码"})
		wantError(t, err, cordon.KindInvalid, "measure.end_required")
		_, err = s.app.TakeAreaMeasure(s.ctx, commander, cordon.AreaMeasure{Jurisdiction: nanning, Reason: cordon.ReasonYellowOther, Note: "全市赋黄码", Rounds: 3})
		wantError(t, err, cordon.KindForbidden, "auth.forbidden")

		s.clock.Advance(24 * time.Hour) // 2022-02-09 09:00
		m, err := s.app.TakeAreaMeasure(s.ctx, commander, cordon.AreaMeasure{Jurisdiction: debao, Reason: cordon.ReasonYellowOther, Note: "全县赋黄码，三轮核酸阴性后转绿", Rounds: 3})
		if err != nil {
			t.Fatalf("TakeAreaMeasure: %v", err)
		}
		wantCode(t, c.codeOf(resident.ID), cordon.Yellow, cordon.ReasonYellowOther)
		if got := c.codeOf(resident.ID); !got.Since.Equal(m.From) {
			t.Errorf("yellow since the measure: %v, want %v", got.Since, m.From)
		}
		wantCode(t, c.codeOf(c.index.PersonID), cordon.Red, cordon.ReasonInfection, cordon.ReasonYellowOther)
		counts, err := s.app.CodeCounts(s.ctx, commander, debao)
		if err != nil || counts[cordon.Red] != 1 || counts[cordon.Yellow] < 1 || counts[cordon.Green] != 0 {
			t.Errorf("counts under the measure: %v %v", counts, err)
		}
		// Someone registered after the codes were loaded counts too.
		s.person()
		if again, err := s.app.CodeCounts(s.ctx, commander, debao); err != nil || again[cordon.Yellow] != counts[cordon.Yellow]+1 {
			t.Errorf("counts after a new resident: %v, before %v (%v)", again, counts, err)
		}
		admin := s.account(cordon.RoleAdmin, "450000").Actor()
		if got, err := s.app.HealthCode(s.ctx, admin, outsider.ID, ""); err != nil || got.Color != cordon.Green {
			t.Errorf("a Nanning resident stays green: %+v %v", got, err)
		}

		// A round over one village does not count for the county.
		village, err := s.app.CreateRound(s.ctx, app.System, cordon.RoundInput{Name: "福记村加密轮", Jurisdiction: debao, Areas: []string{fuji}})
		if err != nil {
			t.Fatal(err)
		}
		if acks := s.register(cordon.SampleInput{Key: "kv", RoundID: village.ID, PointID: s.point.ID, Tube: "V0001", PoolSize: 1,
			Group: cordon.GroupKey, IDNumber: resident.IDNumber, Name: resident.Name}); acks[0].Status != cordon.SampleStored {
			t.Fatalf("register: %+v", acks)
		}
		s.results(cordon.LabResultInput{Barcode: "V0001", Outcome: cordon.OutcomeNegative})
		if err := s.app.CloseRound(s.ctx, app.System, village.ID); err != nil {
			t.Fatal(err)
		}
		for i, tube := range []string{"M0209", "M0211"} {
			s.negativeRound("第"+itoa(int64(i+2))+"轮", tube, resident)
			s.clock.Advance(48 * time.Hour)
		}
		if ended, err := s.app.SettleMeasures(s.ctx); err != nil || len(ended) != 0 {
			t.Fatalf("two negative rounds (and a village's) must not end the measure: %v %v", ended, err)
		}
		wantCode(t, c.codeOf(resident.ID), cordon.Yellow, cordon.ReasonYellowOther)
		s.negativeRound("第四轮", "M0213", resident)
		ended, err := s.app.SettleMeasures(s.ctx)
		if err != nil || !slices.Equal(ended, []int64{m.ID}) {
			t.Fatalf("the third negative round ends the measure: %v %v", ended, err)
		}
		wantCode(t, c.codeOf(resident.ID), cordon.Green)
		if counts, err := s.app.CodeCounts(s.ctx, commander, debao); err != nil || counts[cordon.Yellow] != 0 || counts[cordon.Red] != 1 {
			t.Errorf("counts after the measure: %v %v", counts, err)
		}
		h, err := s.app.HealthCodeHistory(s.ctx, c.epi, resident.ID, "")
		if err != nil || len(h) != 2 || h[0].Color != cordon.Yellow || h[1].Color != cordon.Green || !slices.Contains(h[1].Ended, "measure:"+itoa(m.ID)) {
			t.Errorf("history: %+v %v", h, err)
		}
	})
}

// A colour set by hand needs a reason and an expiry, is audited, wins over
// the facts while it lasts, and reverts by itself.
func TestHealthCodeByHand(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		c := newContactSetup(t, s, "cn-9")
		admin := s.account(cordon.RoleAdmin, debao).Actor()
		p := s.person()
		until := s.clock.Now().Add(48 * time.Hour)
		_, err := s.app.SetHealthCode(s.ctx, admin, p.ID, cordon.CodeMark{Force: cordon.Red, Until: until})
		wantError(t, err, cordon.KindInvalid, "healthcode.reason_required")
		_, err = s.app.SetHealthCode(s.ctx, admin, p.ID, cordon.CodeMark{Force: cordon.Red, Note: "协查函要求"})
		wantError(t, err, cordon.KindInvalid, "healthcode.expiry_required")
		_, err = s.app.SetHealthCode(s.ctx, c.epi, p.ID, cordon.CodeMark{Force: cordon.Red, Note: "协查函要求", Until: until})
		wantError(t, err, cordon.KindForbidden, "auth.forbidden")
		m, err := s.app.SetHealthCode(s.ctx, admin, p.ID, cordon.CodeMark{Force: cordon.Red, Reason: cordon.ReasonRedOther, Note: "协查函要求", Until: until})
		if err != nil {
			t.Fatalf("SetHealthCode: %v", err)
		}
		wantCode(t, c.codeOf(p.ID), cordon.Red, cordon.ReasonRedOther)
		if e := s.audit(cordon.AuditFilter{Action: "healthcode.set"}); len(e) != 1 || e[0].Reason != "协查函要求" {
			t.Errorf("audit: %+v", e)
		}
		s.clock.Advance(49 * time.Hour)
		wantCode(t, c.codeOf(p.ID), cordon.Green)

		// Green by hand over a contact's red, then revoked.
		q := s.person()
		c.add(closeTo(q.ID, c.index.ID, cordon.SituationHousehold, s.clock.Now().Add(-time.Hour)))
		g, err := s.app.SetHealthCode(s.ctx, admin, q.ID, cordon.CodeMark{Force: cordon.Green, Note: "误判，已核实", Until: s.clock.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if got := c.codeOf(q.ID); got.Color != cordon.Green || !slices.Contains(got.Reasons, cordon.ReasonContact) {
			t.Errorf("green by hand keeps the reasons listed: %+v", got)
		}
		if err := s.app.RevokeCodeMark(s.ctx, admin, g.ID, "复核后撤销"); err != nil {
			t.Fatal(err)
		}
		if got := c.codeOf(q.ID); got.Color != cordon.Red {
			t.Errorf("revoked: %+v", got)
		}
		wantError(t, s.app.RevokeCodeMark(s.ctx, admin, g.ID, "再次撤销"), cordon.KindConflict, "healthcode.mark_revoked")

		// A green by hand does not hide an infection found after it.
		r := s.person()
		if _, err := s.app.SetHealthCode(s.ctx, admin, r.ID, cordon.CodeMark{Force: cordon.Green, Note: "核实无风险", Until: s.clock.Now().Add(24 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		s.clock.Advance(time.Hour)
		c.openCase(r, "2022-02-10")
		if got := c.codeOf(r.ID); got.Color != cordon.Red {
			t.Errorf("a case after a green by hand: %+v", got)
		}
		_ = m
	})
}

// A yellow-code holder gets one window of 1–24 h to travel home; red
// holders none; a second is refused.
func TestCodeWindow(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		c := newContactSetup(t, s, "cn-9")
		admin := s.account(cordon.RoleAdmin, debao).Actor()
		commander := s.account(cordon.RoleCommander, debao).Actor()
		if _, err := s.app.TakeAreaMeasure(s.ctx, commander, cordon.AreaMeasure{Jurisdiction: debao, Reason: cordon.ReasonMediumRiskArea, Note: "中风险地区", Until: s.clock.Now().Add(7 * 24 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		p := s.person()
		_, err := s.app.GrantCodeWindow(s.ctx, admin, p.ID, 25)
		wantError(t, err, cordon.KindInvalid, "healthcode.window_invalid")
		got, err := s.app.GrantCodeWindow(s.ctx, admin, p.ID, 6)
		if err != nil || got.Color != cordon.Green || !got.InWindow || !slices.Equal(got.Reasons, []cordon.CodeReason{cordon.ReasonMediumRiskArea}) {
			t.Fatalf("in the window: %+v %v", got, err)
		}
		_, err = s.app.GrantCodeWindow(s.ctx, admin, p.ID, 6)
		wantError(t, err, cordon.KindConflict, "healthcode.window_used")
		s.clock.Advance(6 * time.Hour)
		wantCode(t, c.codeOf(p.ID), cordon.Yellow, cordon.ReasonMediumRiskArea)
		_, err = s.app.GrantCodeWindow(s.ctx, admin, c.index.PersonID, 6)
		wantError(t, err, cordon.KindConflict, "healthcode.window_not_yellow")
	})
}

// A person opens their own code by ID number and phone; the token it
// carries verifies once (a replay is refused), expires, and a forged or
// altered one is refused. A printed code verifies again and again and
// answers today's colour. After a key rotation old tokens still verify.
func TestCodeTokens(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		c := newContactSetup(t, s, "cn-9")
		admin := s.account(cordon.RoleAdmin, "450000").Actor()
		officer := s.account(cordon.RoleCheckpoint, baise).Actor()
		p := s.person()

		_, err := s.app.PersonPass(s.ctx, p.IDNumber, "13900000000")
		wantError(t, err, cordon.KindNotFound, "healthcode.identity_unknown")
		// Guessing the phone stops after five wrong tries, for 15 minutes.
		other := s.person()
		for i := range 5 {
			_, err = s.app.PersonPass(s.ctx, other.IDNumber, "1390000000"+itoa(int64(i)))
			wantError(t, err, cordon.KindNotFound, "healthcode.identity_unknown")
		}
		_, err = s.app.PersonPass(s.ctx, other.IDNumber, other.Phone)
		wantError(t, err, cordon.KindRateLimited, "healthcode.identity_locked")
		pass, err := s.app.PersonPass(s.ctx, strings.ToLower(p.IDNumber), p.Phone)
		if err != nil {
			t.Fatalf("PersonPass: %v", err)
		}
		tampered := []byte(pass)
		tampered[3] ^= 'A' ^ 'B' // another base64url letter
		_, err = s.app.OwnCode(s.ctx, string(tampered))
		wantError(t, err, cordon.KindUnauthorized, "healthcode.pass_invalid")
		own, err := s.app.OwnCode(s.ctx, pass)
		if err != nil || own.Code.Color != cordon.Green || !strings.HasPrefix(own.Token, "HC1.") || own.ExpiresAt.Sub(own.IssuedAt) != app.CodeTokenTTL {
			t.Fatalf("OwnCode: %+v %v", own, err)
		}
		if strings.Contains(own.Token, p.IDNumber) {
			t.Errorf("a token must not carry who it is")
		}
		v, err := s.app.VerifyCode(s.ctx, officer, own.Token, time.Time{})
		if err != nil || !v.Valid || v.PersonID != p.ID || v.Color != cordon.Green || v.Name == p.Name {
			t.Fatalf("verify: %+v %v", v, err)
		}
		v, _ = s.app.VerifyCode(s.ctx, officer, own.Token, time.Time{})
		if v.Valid || v.Error != "healthcode.replayed" {
			t.Errorf("a second presentation: %+v", v)
		}
		// The verifier answers today's colour, not the token's.
		tok, _ := s.app.OwnCode(s.ctx, pass)
		c.add(closeTo(p.ID, c.index.ID, cordon.SituationHousehold, s.clock.Now().Add(-time.Hour)))
		if v, _ := s.app.VerifyCode(s.ctx, officer, tok.Token, time.Time{}); !v.Valid || v.Color != cordon.Red || v.TokenColor != cordon.Green {
			t.Errorf("today's colour: %+v", v)
		}
		// Altered and expired tokens.
		tok, _ = s.app.OwnCode(s.ctx, pass)
		b := []byte(tok.Token)
		b[30] ^= 1
		if v, _ := s.app.VerifyCode(s.ctx, officer, string(b), time.Time{}); v.Valid || v.Error != "healthcode.signature_invalid" && v.Error != "healthcode.token_invalid" {
			t.Errorf("altered token: %+v", v)
		}
		if v, _ := s.app.VerifyCode(s.ctx, officer, tok.Token[:40], time.Time{}); v.Valid || v.Error != "healthcode.token_invalid" {
			t.Errorf("truncated token: %+v", v)
		}
		s.clock.Advance(app.CodeTokenTTL + 3*time.Minute)
		if v, _ := s.app.VerifyCode(s.ctx, officer, tok.Token, time.Time{}); v.Valid || v.Error != "healthcode.expired" {
			t.Errorf("expired token: %+v", v)
		}
		// Queued offline within a day: verified at its scan time.
		if v, _ := s.app.VerifyCode(s.ctx, officer, tok.Token, tok.IssuedAt.Add(time.Minute)); !v.Valid {
			t.Errorf("a queued scan: %+v", v)
		}
		// ... once: the same token queued again is a replay, and a scan
		// time outside the token's life or too old is refused.
		if v, _ := s.app.VerifyCode(s.ctx, officer, tok.Token, tok.IssuedAt.Add(90*time.Second)); v.Valid || v.Error != "healthcode.replayed" {
			t.Errorf("a queued scan sent twice: %+v", v)
		}
		late, _ := s.app.OwnCode(s.ctx, pass)
		if v, _ := s.app.VerifyCode(s.ctx, officer, late.Token, late.ExpiresAt.Add(time.Hour)); v.Valid || v.Error != "healthcode.scan_time_invalid" {
			t.Errorf("a scan time in the future: %+v", v)
		}
		s.clock.Advance(7 * time.Hour)
		if v, _ := s.app.VerifyCode(s.ctx, officer, late.Token, late.IssuedAt); v.Valid || v.Error != "healthcode.scan_time_invalid" {
			t.Errorf("a queued scan 7 hours old: %+v", v)
		}

		printed, err := s.app.PrintedCode(s.ctx, admin, p.ID)
		if err != nil || !printed.Printed || printed.ExpiresAt.Sub(printed.IssuedAt) != app.PrintedCodeTTL {
			t.Fatalf("PrintedCode: %+v %v", printed, err)
		}
		keys, err := s.app.RotateCodeKey(s.ctx, admin)
		if err != nil || len(keys) != 2 || keys[0].Retired.IsZero() || !keys[1].Retired.IsZero() {
			t.Fatalf("rotate: %+v %v", keys, err)
		}
		for i := range 3 {
			s.clock.Advance(24 * time.Hour)
			v, err := s.app.VerifyCode(s.ctx, officer, printed.Token, time.Time{})
			if err != nil || !v.Valid || !v.Printed || v.KeyID != keys[0].ID {
				t.Fatalf("printed scan %d after rotation: %+v %v", i, v, err)
			}
		}
		fresh, _ := s.app.OwnCode(s.ctx, pass)
		if v, _ := s.app.VerifyCode(s.ctx, officer, fresh.Token, time.Time{}); !v.Valid || v.KeyID != keys[1].ID {
			t.Errorf("new tokens are signed with the new key: %+v", v)
		}
		if n := len(s.audit(cordon.AuditFilter{Action: "healthcode.verify"})); n < 5 {
			t.Errorf("verifications are audited: %d", n)
		}
	})
}

// The three-code check: colour now, the itinerary card with a star on a
// county that held a risk area at the time, and the scan-in recorded.
func TestThreeCodeCheck(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		c := newContactSetup(t, s, "cn-9")
		market := s.venue("德保县农贸市场", cordon.VenueMarket, chengdong)
		station := s.venue("百色站", cordon.VenueStation, "451002")
		officer := s.account(cordon.RoleCheckpoint, baise).Actor()
		commander := s.account(cordon.RoleCommander, debao).Actor()
		if _, err := s.app.TakeAreaMeasure(s.ctx, commander, cordon.AreaMeasure{Jurisdiction: debao, Reason: cordon.ReasonYellowOther, Note: "全县赋黄码", Rounds: 3}); err != nil {
			t.Fatal(err)
		}
		p := s.person(livingAt(xingningC, xingningC))
		pass, err := s.app.PersonPass(s.ctx, p.IDNumber, p.Phone)
		if err != nil {
			t.Fatal(err)
		}
		tok, _ := s.app.OwnCode(s.ctx, pass)
		r, err := s.app.Check(s.ctx, officer, app.CheckInput{Token: tok.Token, VenueCode: market.Code})
		if err != nil || !r.Code.Valid || r.Code.Color != cordon.Green || r.Venue != market.Name || r.Again {
			t.Fatalf("check at the market: %+v %v", r, err)
		}
		s.clock.Advance(3 * time.Hour)
		r, err = s.app.Check(s.ctx, officer, app.CheckInput{IDNumber: p.IDNumber, VenueCode: station.Code, Days: 7})
		if err != nil || r.Itinerary == nil || r.Itinerary.Days != 7 {
			t.Fatalf("check at the station: %+v %v", r, err)
		}
		var counties []string
		for _, pl := range r.Itinerary.Places {
			counties = append(counties, pl.Jurisdiction)
			if pl.Jurisdiction == debao && !pl.Risk || pl.Jurisdiction == "451002" && pl.Risk {
				t.Errorf("risk star: %+v", pl)
			}
		}
		if !slices.Equal(counties, []string{debao}) {
			t.Errorf("itinerary counties before the station: %v", counties)
		}
		s.clock.Advance(time.Hour)
		r, err = s.app.Check(s.ctx, officer, app.CheckInput{IDNumber: p.IDNumber, VenueCode: market.Code})
		counties = nil
		for _, pl := range r.Itinerary.Places {
			counties = append(counties, pl.Jurisdiction)
		}
		if err != nil || !slices.Equal(counties, []string{"451002", debao}) {
			t.Errorf("itinerary counties, latest first: %v %v", counties, err)
		}
		if _, err := s.app.Check(s.ctx, officer, app.CheckInput{IDNumber: p.IDNumber, VenueCode: market.Code, Days: 3}); cordon.ErrorCode(err) != "check.days_invalid" {
			t.Errorf("days: %v", err)
		}
		for _, at := range []time.Time{s.clock.Now().Add(72 * time.Hour), s.clock.Now().AddDate(-3, 0, 0)} {
			if _, err := s.app.Check(s.ctx, officer, app.CheckInput{IDNumber: p.IDNumber, VenueCode: market.Code, ScannedAt: at}); cordon.ErrorCode(err) != "healthcode.scan_time_invalid" {
				t.Errorf("a typed check scanned at %v: %v", at, err)
			}
		}
		bad, err := s.app.Check(s.ctx, officer, app.CheckInput{Token: tok.Token, VenueCode: market.Code})
		if err != nil || bad.Code.Valid || bad.Itinerary != nil {
			t.Errorf("a replayed token records nothing: %+v %v", bad, err)
		}
		visits, err := s.app.Itinerary(s.ctx, app.System, p.ID, s.clock.Now().Add(-24*time.Hour), s.clock.Now().Add(time.Minute))
		if err != nil || len(visits) != 3 {
			t.Errorf("the checks recorded scan-ins: %+v %v", visits, err)
		}
		_ = c
	})
}

// Companions of a case turn yellow (B3) when the epidemiologist marks
// them; a person who is no companion is refused; marking twice makes one
// mark; the mark ends after CompanionMarkDays.
func TestCompanionsTurnYellow(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		dev := s.account(cordon.RoleCheckpoint, debao).Actor()
		epi := s.account(cordon.RoleEpidemiologist, debao).Actor()
		hotel := s.venue("德保县某酒店", cordon.VenueHotel, debao)
		idx := s.person(livingAt(debao, debao))
		comp := s.person(livingAt(debao, debao))
		stranger := s.person(livingAt(debao, debao))
		at := time.Date(2022, 2, 5, 19, 0, 0, 0, cordon.ChinaTime)
		items := []app.ScanInItem{{VenueID: hotel.ID, PersonID: idx.ID, At: at, Leave: at.Add(2 * time.Hour)},
			{VenueID: hotel.ID, PersonID: comp.ID, At: at.Add(-time.Hour), Leave: at.Add(3 * time.Hour)}}
		if sum, err := s.app.RecordScanIns(s.ctx, dev, "", items); err != nil || sum.Stored != 2 {
			t.Fatalf("scan-ins: %+v %v", sum, err)
		}
		c, err := s.app.OpenCase(s.ctx, epi, cordon.CaseInput{PersonID: idx.ID, Classification: cordon.Confirmed, OnsetDate: "2022-02-07", SamplingDate: "2022-02-07"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.app.MarkCompanions(s.ctx, epi, c.ID, []int64{comp.ID, stranger.ID})
		wantError(t, err, cordon.KindNotFound, "companion.not_found")
		marks, err := s.app.MarkCompanions(s.ctx, epi, c.ID, []int64{comp.ID})
		if err != nil || len(marks) != 1 || marks[0].ID == 0 || marks[0].Reason != cordon.ReasonCompanion {
			t.Fatalf("MarkCompanions: %+v %v", marks, err)
		}
		if again, err := s.app.MarkCompanions(s.ctx, epi, c.ID, []int64{comp.ID}); err != nil || len(again) != 0 {
			t.Errorf("marking twice: %+v %v", again, err)
		}
		got, err := s.app.HealthCode(s.ctx, epi, comp.ID, "")
		if err != nil || got.Color != cordon.Yellow || !slices.Equal(got.Reasons, []cordon.CodeReason{cordon.ReasonCompanion}) {
			t.Errorf("a marked companion: %+v %v", got, err)
		}
		s.clock.Advance(app.CompanionMarkDays * 24 * time.Hour)
		if got, _ := s.app.HealthCode(s.ctx, epi, comp.ID, ""); got.Color != cordon.Green {
			t.Errorf("after %d days: %+v", app.CompanionMarkDays, got)
		}
	})
}

// A merge keeps the facts of both records: a case filed under the record
// merged away still makes the survivor red.
func TestHealthCodeAfterMerge(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		c := newContactSetup(t, s, "cn-9")
		keep := s.person()
		wantCode(t, c.codeOf(keep.ID), cordon.Green)
		admin := s.account(cordon.RoleAdmin, debao).Actor()
		if err := s.app.MergePersons(s.ctx, admin, keep.ID, c.index.PersonID, "同一人"); err != nil {
			t.Fatalf("MergePersons: %v", err)
		}
		wantCode(t, c.codeOf(keep.ID), cordon.Red, cordon.ReasonInfection)
		// And after a restart, when the codes are loaded in bulk.
		fresh := app.New(s.db, s.app.Directory(), s.cfg, slog.New(slog.DiscardHandler), app.WithClock(s.clock.Now))
		got, err := fresh.HealthCode(s.ctx, c.epi, keep.ID, "")
		if err != nil || got.Color != cordon.Red {
			t.Errorf("loaded in bulk after the merge: %+v %v", got, err)
		}
	})
}

// A risk area colours the codes of those living in it by its tier (cn-9:
// high A7 red, medium B4 yellow, low none), follows its step-down and its
// lifting, and stars the county on the itinerary card.
func TestRiskAreasColourCodes(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		c := newContactSetup(t, s, "cn-9")
		boss := s.account(cordon.RoleCommander, debao).Actor()
		inside := s.person()                           // 城东社区
		outside := s.person(livingAt(fuji, fuji))      // 都安乡福记村
		wantCode(t, c.codeOf(inside.ID), cordon.Green) // loads the book first
		area, err := s.app.DeclareRiskArea(s.ctx, boss, cordon.RiskArea{Tier: "high", Jurisdiction: chengdong, Name: "城东社区", From: s.clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		wantCode(t, c.codeOf(inside.ID), cordon.Red, cordon.ReasonHighRiskArea)
		wantCode(t, c.codeOf(outside.ID), cordon.Green)
		if got := c.codeOf(inside.ID); len(got.Causes) != 1 || got.Causes[0].Cause != "riskarea:"+itoa(area.ID) {
			t.Errorf("the cause names the area: %+v", got.Causes)
		}
		s.clock.Advance(7 * 24 * time.Hour)
		if err := s.app.LiftRiskArea(s.ctx, boss, area.ID, "连续7天无新增"); err != nil {
			t.Fatal(err)
		}
		wantCode(t, c.codeOf(inside.ID), cordon.Green)
		h, err := s.app.HealthCodeHistory(s.ctx, c.epi, inside.ID, "")
		if err != nil || len(h) != 2 || h[0].Color != cordon.Red || h[1].Color != cordon.Green {
			t.Errorf("history: %+v %v", h, err)
		}
		// A medium area: yellow; and after a restart the book loads areas too.
		if _, err := s.app.DeclareRiskArea(s.ctx, boss, cordon.RiskArea{Tier: "medium", Jurisdiction: chengdong, Name: "城东农贸市场", From: s.clock.Now()}); err != nil {
			t.Fatal(err)
		}
		fresh := app.New(s.db, s.app.Directory(), s.cfg, slog.New(slog.DiscardHandler), app.WithClock(s.clock.Now))
		if got, err := fresh.HealthCode(s.ctx, c.epi, inside.ID, ""); err != nil || got.Color != cordon.Yellow || !slices.Equal(got.Reasons, []cordon.CodeReason{cordon.ReasonMediumRiskArea}) {
			t.Errorf("a medium area after a restart: %+v %v", got, err)
		}
	})
}

// The itinerary card counts checkpoint passages with scan-ins: the county
// of the checkpoint, starred when it held a risk area then.
func TestItineraryCardCountsPassages(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		commander := s.account(cordon.RoleCommander, debao).Actor()
		officer := s.account(cordon.RoleCheckpoint, debao).Actor()
		cp, err := s.app.CreateCheckpoint(s.ctx, commander, cordon.CheckpointInput{Name: "那甲卡点", Kind: cordon.CheckpointRoad, Jurisdiction: debao,
			Location: "G324 国道", InLabel: "进德保", OutLabel: "出德保"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.app.TakeAreaMeasure(s.ctx, commander, cordon.AreaMeasure{Jurisdiction: debao, Reason: cordon.ReasonYellowOther, Note: "全县赋黄码", Rounds: 3}); err != nil {
			t.Fatal(err)
		}
		p := s.person(livingAt(xingningC, xingningC))
		if _, err := s.app.RecordPassage(s.ctx, officer, cp.ID, app.PassageInput{IDNumber: p.IDNumber, Direction: cordon.DirectionIn, Key: "k1"}); err != nil {
			t.Fatal(err)
		}
		s.clock.Advance(time.Hour)
		r, err := s.app.RecordPassage(s.ctx, officer, cp.ID, app.PassageInput{IDNumber: p.IDNumber, Direction: cordon.DirectionOut, Key: "k2"})
		if err != nil || r.Itinerary == nil || len(r.Itinerary.Places) != 1 {
			t.Fatalf("card: %+v %v", r, err)
		}
		if pl := r.Itinerary.Places[0]; pl.Jurisdiction != debao || !slices.Equal(pl.Sources, []string{"checkpoint"}) || !pl.Risk {
			t.Errorf("the checkpoint's county: %+v", pl)
		}
	})
}

package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"cordon"
	"cordon/internal/store"
)

// Daily health checks: entered by site staff and grid workers for the
// people they look after, or by the person through a signed link with no
// sign-in. A fever or a listed symptom raises an alert in the jurisdiction
// responsible for the person, which its epidemiologists acknowledge.

func alertRecord(id int64) string { return "alert:" + strconv.FormatInt(id, 10) }

// checkLinkKey is the HMAC key of self-report links, derived from the
// vault's index key like the venue-code key: every server sharing the
// database makes and checks the same links.
func (a *App) checkLinkKey() []byte { return a.db.SigningKey("health check link").Seed() }

// personInReach reads a person the actor looks after: registered in the
// actor's subtree, or staying now at a site inside it.
func personInReach(ctx context.Context, tx *store.Tx, actor cordon.Actor, id int64) (cordon.Person, error) {
	p, err := tx.Person(ctx, store.ScopeOf(actor), id)
	if cordon.ErrorKind(err) == cordon.KindNotFound {
		var staying bool
		if staying, err = tx.StayingInScope(ctx, store.ScopeOf(actor), id); err == nil {
			if !staying {
				return p, cordon.Errorf(cordon.KindNotFound, "person.not_found", "no such person in your jurisdiction").WithField("person_id", "person.not_found")
			}
			p, err = tx.Person(ctx, store.Everywhere, id)
		}
	}
	return p, err
}

// responsibleFor is the jurisdiction responsible for a person's checks
// and alerts: their site's while they stay at one, else their open
// contact record's, else where they are now, else where they live.
func responsibleFor(ctx context.Context, tx *store.Tx, p cordon.Person) (string, error) {
	stays, err := tx.CurrentStays(ctx, []int64{p.ID})
	if err != nil {
		return "", err
	}
	if s, ok := stays[p.ID]; ok {
		return s.Jurisdiction, nil
	}
	j, _, err := tx.ContactOf(ctx, p.ID)
	if err != nil || j != "" {
		return j, err
	}
	if p.Current != "" {
		return p.Current, nil
	}
	return p.Residence, nil
}

// recordCheck stores a validated check of a person and raises its alert.
func recordCheck(ctx context.Context, tx *store.Tx, p cordon.Person, in cordon.HealthCheckInput, by int64, username string) (cordon.HealthCheck, error) {
	j, err := responsibleFor(ctx, tx, p)
	if err != nil {
		return cordon.HealthCheck{}, err
	}
	c := cordon.HealthCheck{PersonID: p.ID, Day: cordon.ChinaDay(in.At), At: in.At, Temperature: in.Temperature, Symptoms: in.Symptoms,
		Other: in.Other, Source: in.Source, RecordedBy: username, Jurisdiction: j}
	if c.Symptoms == nil {
		c.Symptoms = []cordon.CheckSymptom{}
	}
	if err := tx.CreateHealthCheck(ctx, &c, by); err != nil {
		return c, err
	}
	if reasons := c.AlertReasons(); len(reasons) > 0 {
		if _, err := tx.CreateAlert(ctx, c, reasons); err != nil {
			return c, err
		}
		c.Alert = true
	}
	return c, nil
}

// checkDetail is a check as the audit log records it: the values only.
func checkDetail(c cordon.HealthCheck) string {
	d := fmt.Sprintf("healthcheck:%d %.1f", c.ID, c.Temperature)
	if c.Alert {
		d += " alert " + strings.Join(c.AlertReasons(), ",")
	}
	return d
}

// RecordHealthCheck records a check of a person the actor looks after
// (registered in their subtree or staying at a site inside it). The
// source is the actor's: grid for grid workers, staff for others; a self
// report comes only through the person's link. At, if given, is when the
// check was taken: not in the future, at most seven days back.
func (a *App) RecordHealthCheck(ctx context.Context, actor cordon.Actor, in cordon.HealthCheckInput) (cordon.HealthCheck, error) {
	if err := authorize(actor, cordon.PermHealthCheckWrite); err != nil {
		return cordon.HealthCheck{}, err
	}
	if err := in.Validate(); err != nil {
		return cordon.HealthCheck{}, err
	}
	switch in.Source {
	case "":
		in.Source = cordon.CheckByStaff
		if actor.Role == cordon.RoleGridWorker {
			in.Source = cordon.CheckByGrid
		}
	case cordon.CheckBySelf:
		return cordon.HealthCheck{}, cordon.Errorf(cordon.KindInvalid, "healthcheck.source_invalid", "a self-report comes through the person's link").WithField("source", "healthcheck.source_invalid")
	}
	now := a.now()
	if in.At.IsZero() {
		in.At = now
	}
	if in.At.After(now.Add(5*time.Minute)) || in.At.Before(now.AddDate(0, 0, -7)) {
		return cordon.HealthCheck{}, cordon.Errorf(cordon.KindInvalid, "healthcheck.at_invalid", "a check is taken in the last seven days, not in the future").WithField("at", "healthcheck.at_invalid")
	}
	in.At = in.At.UTC().Truncate(time.Second)
	var c cordon.HealthCheck
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		p, err := personInReach(ctx, tx, actor, in.PersonID)
		if err != nil {
			return err
		}
		if c, err = recordCheck(ctx, tx, p, in, actor.AccountID, actor.Username); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "healthcheck.record", personRecord(p.ID), "", checkDetail(c))
	})
	return c, err
}

// CheckLink is a person's self-report link.
type CheckLink struct {
	PersonID int64     `json:"person_id"`
	Token    string    `json:"token"`
	Path     string    `json:"path"`  // /h/{token}, on the site's address
	Until    time.Time `json:"until"` // the link works until the end of this day (China time)
}

// HealthCheckLink makes the self-report link of a person the actor looks
// after, for staff to hand over (a QR code on the site page, a text
// message). Audited.
func (a *App) HealthCheckLink(ctx context.Context, actor cordon.Actor, personID int64) (CheckLink, error) {
	if err := authorize(actor, cordon.PermHealthCheckWrite); err != nil {
		return CheckLink{}, err
	}
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		p, err := personInReach(ctx, tx, actor, personID)
		if err != nil {
			return err
		}
		return audit(ctx, tx, actor, "healthcheck.link", personRecord(p.ID), "", "")
	})
	if err != nil {
		return CheckLink{}, err
	}
	until := a.now().AddDate(0, 0, cordon.CheckLinkDays)
	token := cordon.SignCheckLink(a.checkLinkKey(), personID, until)
	_, end, _ := cordon.OpenCheckLink(a.checkLinkKey(), token, a.now())
	return CheckLink{PersonID: personID, Token: token, Path: "/h/" + token, Until: end}, nil
}

// PublicCheck is what the self-report page shows: the person's masked
// name, how long the link works, and after a report what was recorded.
type PublicCheck struct {
	Name        string    `json:"name"`
	Until       time.Time `json:"until"`
	At          time.Time `json:"at,omitzero"`
	Temperature float64   `json:"temperature,omitempty"`
	Alert       bool      `json:"alert,omitempty"` // staff will call: a fever or a symptom
}

// checkLinkOwner opens a self-report token and reads the person it names (the
// survivor of a merge).
func (a *App) checkLinkOwner(ctx context.Context, tx *store.Tx, token string) (cordon.Person, time.Time, error) {
	id, until, err := cordon.OpenCheckLink(a.checkLinkKey(), token, a.now())
	if err != nil {
		return cordon.Person{}, until, err
	}
	p, err := tx.Person(ctx, store.Everywhere, id)
	if err == nil && p.MergedInto != 0 {
		p, err = tx.Person(ctx, store.Everywhere, p.MergedInto)
	}
	if cordon.ErrorKind(err) == cordon.KindNotFound {
		err = cordon.Errorf(cordon.KindNotFound, "healthcheck.link_invalid", "this is not a self-report link of cordon")
	}
	return p, until, err
}

// CheckLinkPerson checks a self-report link for its page: the masked name
// of the person, so that they know the link is theirs.
func (a *App) CheckLinkPerson(ctx context.Context, token string) (PublicCheck, error) {
	var out PublicCheck
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		p, until, err := a.checkLinkOwner(ctx, tx, token)
		out = PublicCheck{Name: cordon.MaskName(p.Name), Until: until}
		return err
	})
	return out, err
}

// SelfReportHealthCheck records a person's own check through their link,
// now: nobody is signed in; the audit log names the person. A tampered,
// truncated or expired link is refused.
func (a *App) SelfReportHealthCheck(ctx context.Context, token string, in cordon.HealthCheckInput) (PublicCheck, error) {
	in.Source, in.At = cordon.CheckBySelf, a.now().UTC().Truncate(time.Second)
	var out PublicCheck
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		p, until, err := a.checkLinkOwner(ctx, tx, token)
		if err != nil {
			return err
		}
		in.PersonID = p.ID
		if err := in.Validate(); err != nil {
			return err
		}
		c, err := recordCheck(ctx, tx, p, in, 0, "")
		if err != nil {
			return err
		}
		out = PublicCheck{Name: cordon.MaskName(p.Name), Until: until, At: c.At, Temperature: c.Temperature, Alert: c.Alert}
		return tx.Audit(ctx, cordon.AuditEntry{Username: "public", Action: "healthcheck.self", Record: personRecord(p.ID),
			Jurisdiction: c.Jurisdiction, Detail: checkDetail(c)})
	})
	return out, err
}

// canReadChecks: health data go to those who record checks, run sites or
// follow cases.
func canReadChecks(actor cordon.Actor) error {
	if actor.AccountID == 0 {
		return cordon.ErrUnauthorized
	}
	if actor.Can(cordon.PermHealthCheckWrite) || actor.Can(cordon.PermSiteRead) || actor.Can(cordon.PermCaseRead) {
		return nil
	}
	return cordon.ErrForbidden
}

// PersonHealthChecks lists the checks of a person the actor looks after,
// latest first. Audited.
func (a *App) PersonHealthChecks(ctx context.Context, actor cordon.Actor, personID int64, reason string) ([]cordon.HealthCheck, error) {
	if err := canReadChecks(actor); err != nil {
		return nil, err
	}
	var out []cordon.HealthCheck
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		if _, err := personInReach(ctx, tx, actor, personID); err != nil {
			return err
		}
		var err error
		out, err = tx.HealthChecksOf(ctx, personID, store.MaxLimit)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := a.recordRead(ctx, actor, "healthcheck.list", personRecord(personID), reason, fmt.Sprintf("%d checks", len(out))); err != nil {
		return nil, err
	}
	return out, nil
}

// Alerts lists the alerts of the actor's subtree, newest first (only those
// nobody acknowledged with f.Open). Every person listed counts as read.
func (a *App) Alerts(ctx context.Context, actor cordon.Actor, f cordon.AlertFilter) ([]cordon.Alert, error) {
	if err := authorize(actor, cordon.PermCaseRead); err != nil {
		return nil, err
	}
	var out []cordon.Alert
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Alerts(ctx, store.ScopeOf(actor), f)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(out) > 0 {
		ids := make([]int64, len(out))
		for i, x := range out {
			ids[i] = x.ID
		}
		if err := a.recordRead(ctx, actor, "alert.list", "", "", "alerts "+joinIDs(ids)); err != nil {
			return nil, err
		}
	}
	maskAlerts(actor, out)
	return out, nil
}

func maskAlerts(actor cordon.Actor, out []cordon.Alert) {
	if actor.Can(cordon.PermPersonReadFull) {
		return
	}
	for i := range out {
		out[i].IDNumber = cordon.MaskDocNumber(out[i].IDNumber)
	}
}

// CountOpenAlerts counts the alerts of the actor's subtree that nobody
// acknowledged, for the home page: a number, no personal data.
func (a *App) CountOpenAlerts(ctx context.Context, actor cordon.Actor) (int, error) {
	if err := authorize(actor, cordon.PermCaseRead); err != nil {
		return 0, err
	}
	var n int
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.CountOpenAlerts(ctx, store.ScopeOf(actor))
		return err
	})
	return n, err
}

// AcknowledgeAlert records that the actor took up an alert of their
// subtree (called the person, arranged a test). Audited.
func (a *App) AcknowledgeAlert(ctx context.Context, actor cordon.Actor, id int64) (cordon.Alert, error) {
	if err := authorize(actor, cordon.PermCaseWrite); err != nil {
		return cordon.Alert{}, err
	}
	var x cordon.Alert
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if x, err = tx.Alert(ctx, store.ScopeOf(actor), id); err != nil {
			return err
		}
		if err := tx.AckAlert(ctx, id, actor.AccountID); err != nil {
			return err
		}
		if err := audit(ctx, tx, actor, "alert.ack", alertRecord(id), "", personRecord(x.PersonID)); err != nil {
			return err
		}
		x, err = tx.Alert(ctx, store.Everywhere, id)
		return err
	})
	if err != nil {
		return cordon.Alert{}, err
	}
	maskAlerts(actor, []cordon.Alert{x})
	return x, nil
}

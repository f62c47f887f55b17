package app_test

import (
	"encoding/json"
	"testing"
	"time"

	"cordon"
	"cordon/internal/app"
)

// Administrators assign editions inside their subtree; an assignment that
// would leave a place with an impossible policy is refused, including a
// second one for a place that has one already.
func TestSetPolicy(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, s *testingSetup) {
		admin := s.account(cordon.RoleAdmin, baise).Actor()
		epi := s.account(cordon.RoleEpidemiologist, baise).Actor()
		raw := func(v string) map[string]json.RawMessage {
			return map[string]json.RawMessage{"contacts.window_days": json.RawMessage(v)}
		}
		if err := s.app.SetPolicy(s.ctx, app.System, cordon.PolicyAssignment{Jurisdiction: "450000", From: "2022-01-18", Edition: "gx-2022-01"}); err != nil {
			t.Fatal(err)
		}
		if err := s.app.SetPolicy(s.ctx, admin, cordon.PolicyAssignment{Jurisdiction: debao, From: "2022-02-01", Overrides: raw("2")}); err != nil {
			t.Fatal(err)
		}
		// cn-8's window may only be 2 or 4 days, also in a second assignment.
		err := s.app.SetPolicy(s.ctx, admin, cordon.PolicyAssignment{Jurisdiction: debao, From: "2022-02-05", Overrides: raw("3")})
		wantError(t, err, cordon.KindInvalid, "policy.override_invalid")
		// Outside the subtree, or without the permission: refused.
		err = s.app.SetPolicy(s.ctx, admin, cordon.PolicyAssignment{Jurisdiction: "450100", From: "2022-02-05", Overrides: raw("4")})
		wantError(t, err, cordon.KindNotFound, "jurisdiction.not_found")
		err = s.app.SetPolicy(s.ctx, epi, cordon.PolicyAssignment{Jurisdiction: debao, From: "2022-02-05", Overrides: raw("4")})
		wantError(t, err, cordon.KindForbidden, "auth.forbidden")
		v, err := s.app.Policies(s.ctx, epi, debao, time.Date(2022, 2, 8, 12, 0, 0, 0, cordon.ChinaTime))
		if err != nil || v.InForce.Key != "gx-2022-01" || v.InForce.Contacts.WindowDays != 2 || len(v.Assignments) != 2 {
			t.Errorf("policy of Debao: %s window %d, %d assignments, %v", v.InForce.Key, v.InForce.Contacts.WindowDays, len(v.Assignments), err)
		}
		if got := s.audit(cordon.AuditFilter{Action: "policy.set"}); len(got) != 2 {
			t.Errorf("%d policy.set entries, want 2", len(got))
		}
	})
}

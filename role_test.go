package cordon

import (
	"slices"
	"testing"
)

// AllPermissions must name every permission a role is granted, so that
// checks built on it (the templates' permission test) see them all.
func TestAllPermissionsComplete(t *testing.T) {
	for role, perms := range grants {
		for _, p := range perms {
			if !slices.Contains(AllPermissions, p) {
				t.Errorf("%s grants %s, missing from AllPermissions", role, p)
			}
		}
	}
	seen := map[Permission]bool{}
	for _, p := range AllPermissions {
		if seen[p] {
			t.Errorf("%s listed twice", p)
		}
		seen[p] = true
	}
}

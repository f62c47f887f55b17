package web

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"text/template/parse"

	"cordon"
	"cordon/internal/i18n"
)

// templateServer parses the templates the way New does.
func templateServer(t *testing.T) *server {
	t.Helper()
	cat, err := i18n.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	as, err := loadAssets()
	if err != nil {
		t.Fatal(err)
	}
	s := &server{cat: cat, assets: as, log: slog.New(slog.DiscardHandler)}
	if s.pages, err = s.parseTemplates(); err != nil {
		t.Fatal(err)
	}
	return s
}

// literalCalls collects the string literal first arguments of calls to the
// named function (t "key") or method (.Can "perm") in a template tree.
func literalCalls(node parse.Node, name string, out map[string]bool) {
	switch n := node.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			literalCalls(c, name, out)
		}
	case *parse.ActionNode:
		literalCalls(n.Pipe, name, out)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			literalCalls(c, name, out)
		}
	case *parse.CommandNode:
		if len(n.Args) >= 2 {
			var callee string
			switch f := n.Args[0].(type) {
			case *parse.IdentifierNode:
				callee = f.Ident
			case *parse.FieldNode:
				callee = "." + f.Ident[len(f.Ident)-1]
			case *parse.VariableNode:
				callee = "." + f.Ident[len(f.Ident)-1]
			}
			if s, ok := n.Args[1].(*parse.StringNode); ok && callee == name {
				out[s.Text] = true
			}
		}
		for _, a := range n.Args {
			literalCalls(a, name, out)
		}
	case *parse.IfNode:
		literalCalls(n.Pipe, name, out)
		literalCalls(n.List, name, out)
		literalCalls(n.ElseList, name, out)
	case *parse.RangeNode:
		literalCalls(n.Pipe, name, out)
		literalCalls(n.List, name, out)
		literalCalls(n.ElseList, name, out)
	case *parse.WithNode:
		literalCalls(n.Pipe, name, out)
		literalCalls(n.List, name, out)
		literalCalls(n.ElseList, name, out)
	case *parse.TemplateNode:
		literalCalls(n.Pipe, name, out)
	}
}

func templateLiterals(t *testing.T, s *server, name string) map[string]bool {
	out := map[string]bool{}
	for _, langs := range s.pages {
		for _, tmpl := range langs {
			for _, sub := range tmpl.Templates() {
				if sub.Tree != nil {
					literalCalls(sub.Tree.Root, name, out)
				}
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("found no %s calls in the templates; is the walk broken?", name)
	}
	return out
}

// TestTemplateKeys fails when a template translates a key that a catalog
// lacks.
func TestTemplateKeys(t *testing.T) {
	s := templateServer(t)
	keys := templateLiterals(t, s, "t")
	if !keys["persons.title"] || !keys["nav.logout"] {
		t.Fatalf("the walk missed known keys: %v", keys)
	}
	for key := range keys {
		for _, lang := range s.cat.Languages() {
			if !s.cat.Has(lang, key) {
				t.Errorf("%s lacks %q, which a template uses", lang, key)
			}
		}
	}
}

// TestTemplatePermissions fails when a template asks .Can about a
// permission that does not exist, which would hide a link for everyone.
func TestTemplatePermissions(t *testing.T) {
	s := templateServer(t)
	// The permissions some role holds: a permission no role holds would
	// hide its link from everyone too.
	var known []cordon.Permission
	for _, r := range cordon.Roles {
		for _, p := range cordon.AllPermissions {
			if r.Can(p) {
				known = append(known, p)
			}
		}
	}
	for perm := range templateLiterals(t, s, ".Can") {
		if !slices.Contains(known, cordon.Permission(perm)) {
			t.Errorf("templates ask .Can %q, which is no permission", perm)
		}
	}
}

// TestGoKeys fails when a key the Go code names (titles, notices, page
// errors, audit actions) is missing from a catalog.
func TestGoKeys(t *testing.T) {
	s := templateServer(t)
	keys := []string{
		"login.title", "home.title", "persons.title", "person.title", "person.new_title", "person.edit_title",
		"jurisdictions.title", "jurisdictions.search_title", "grids.title", "accounts.title", "audit.title",
		"error.title", "error.not_found_title", "error.page_not_found", "error.csrf", "error.bad_form", "error.internal",
		"error.audit.date_invalid", "form.fix_fields",
		"rounds.title", "round.title", "round.new_title", "unsampled.title", "points.title", "point.new_title", "point.edit_title",
		"capacity.title", "public.points_title", "sampling.title", "box.handover_title", "box.receive_title", "labs.title", "lab.title",
		"labupload.title", "inbox.title", "recalls.title", "positives.title", "cases.title", "case.title", "case.new_title",
		"error.form.number_invalid", "error.form.date_invalid", "error.form.percent_invalid", "error.request.json",
		"error.labupload.no_file", "error.too_large", "notice.box.received", "notice.inbox.applied",
		"chains.title", "error.chain.infector_invalid", "error.chain.infector_not_found",
	}
	for _, g := range cordon.Groups {
		keys = append(keys, "group."+string(g))
	}
	for _, n := range cordon.PoolSizes {
		keys = append(keys, fmt.Sprintf("pool.%d", n))
	}
	for _, st := range []cordon.TubeStatus{cordon.TubeOpen, cordon.TubeClosed, cordon.TubeSent, cordon.TubeReceived, cordon.TubeResulted} {
		keys = append(keys, "tube.status_"+string(st))
	}
	for _, o := range outcomes {
		keys = append(keys, "outcome."+string(o))
	}
	for _, h := range []string{"kind_retest", "kind_resample", "status_held", "status_released", "status_positive"} {
		keys = append(keys, "hold."+h)
	}
	for _, c := range cordon.Classifications {
		keys = append(keys, "classification."+string(c))
	}
	for _, sv := range cordon.Severities {
		keys = append(keys, "severity."+string(sv))
	}
	for _, k := range []string{"outcome_recovered", "outcome_deceased", "origin_local", "origin_imported",
		"classification", "severity", "outcome", "lineage", // history fields
		"clock_report", "clock_trajectory", "clock_initial_report", "clock_done", "clock_late", "clock_overdue", "clock_pending"} {
		keys = append(keys, "case."+k)
	}
	for _, c := range []string{"no_rounds", "cases_recent_rounds", "cases_14_days", "clean", "final_round", "done"} {
		keys = append(keys, "cadence."+c)
	}
	for _, n := range []string{"person.created", "person.updated", "grid.created", "grid.renamed",
		"account.created", "account.disabled", "account.enabled", "account.password_reset",
		"round.created", "round.closed", "point.created", "point.updated", "point.queue_reported", "tube.closed",
		"box.handed_over", "lab.created", "inbox.dismissed",
		"case.opened", "case.exists", "case.updated", "case.trajectory", "case.initial_report", "case.linked"} {
		keys = append(keys, "notice."+n)
	}
	for _, a := range auditActions {
		keys = append(keys, "action."+a)
	}
	for _, k := range keys {
		for _, lang := range s.cat.Languages() {
			if !s.cat.Has(lang, k) {
				t.Errorf("%s lacks %q", lang, k)
			}
		}
	}
}

func TestAssetURL(t *testing.T) {
	a := &assets{byName: map[string]string{"app.css": "app.12345678.css"}}
	if u, err := a.url("app.css"); err != nil || u != "/static/app.12345678.css" {
		t.Errorf("url(app.css) = %q, %v", u, err)
	}
	if u, err := a.url("vendor/htmx.min.js"); err != nil || u != "" {
		t.Errorf("an unbuilt vendor file should be empty, got %q, %v", u, err)
	}
	if _, err := a.url("nope.css"); err == nil {
		t.Error("an unknown own file should be an error")
	}
	if got := hashedName("vendor/htmx.min.js", "abcd0123"); got != "vendor/htmx.min.abcd0123.js" {
		t.Errorf("hashedName = %q", got)
	}
	if !strings.HasPrefix(hashedName("app.css", "00000000"), "app.") {
		t.Error("hashedName lost the name")
	}
}

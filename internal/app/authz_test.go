package app_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"cordon"
	"cordon/internal/app"
)

// caps is what a role may do. It is written out here rather than read from
// role.go, so that widening a role's grants fails the matrix until the
// matrix is changed on purpose too.
type caps struct {
	read  bool // person.read: see persons, masked
	full  bool // person.read_full: see ID numbers and phones in full
	write bool // person.write: create and edit persons
	merge bool // person.merge
	admin bool // account.manage, audit.read and grid.manage
	// Mass testing; testing.read is every role's.
	manageTesting bool // testing.manage: rounds, points, labs
	sample        bool // sample.write: registrations, boxes handed over
	lab           bool // lab.write: results, box receipts, the inbox
	recall        bool // recall.read: people held for a retest
	positive      bool // positive.read: positive single tubes
	caseRead      bool // case.read
	caseWrite     bool // case.write
}

var roleCaps = map[cordon.Role]caps{
	cordon.RoleAdmin:          {read: true, full: true, write: true, merge: true, admin: true, manageTesting: true, sample: true, lab: true, recall: true, positive: true, caseRead: true, caseWrite: true},
	cordon.RoleCommander:      {read: true, manageTesting: true, recall: true, positive: true, caseRead: true},
	cordon.RoleEpidemiologist: {read: true, full: true, write: true, merge: true, recall: true, positive: true, caseRead: true, caseWrite: true},
	cordon.RoleGridWorker:     {read: true, full: true, write: true, recall: true},
	cordon.RoleSampler:        {read: true, write: true, sample: true},
	cordon.RoleLab:            {read: true, lab: true},
	cordon.RoleCheckpoint:     {read: true, write: true},
	cordon.RoleIsolationSite:  {read: true, full: true, write: true},
	cordon.RoleViewer:         {read: true},
}

// TestRoleCapsMatchGrants keeps the matrix's own table of capabilities and
// role.go's grants in step, and makes sure every role has a row.
func TestRoleCapsMatchGrants(t *testing.T) {
	if len(roleCaps) != len(cordon.Roles) {
		t.Errorf("the matrix has %d roles, cordon.Roles %d", len(roleCaps), len(cordon.Roles))
	}
	for _, r := range cordon.Roles {
		c, ok := roleCaps[r]
		if !ok {
			t.Errorf("role %s has no row in the authorization matrix", r)
			continue
		}
		perms := []struct {
			p    cordon.Permission
			want bool
		}{
			{cordon.PermPersonRead, c.read},
			{cordon.PermPersonReadFull, c.full},
			{cordon.PermPersonWrite, c.write},
			{cordon.PermPersonMerge, c.merge},
			{cordon.PermAccountManage, c.admin},
			{cordon.PermAuditRead, c.admin},
			{cordon.PermGridManage, c.admin},
			{cordon.PermJurisdictionRead, true},
			{cordon.PermTestingRead, true},
			{cordon.PermTestingManage, c.manageTesting},
			{cordon.PermSampleWrite, c.sample},
			{cordon.PermLabWrite, c.lab},
			{cordon.PermRecallRead, c.recall},
			{cordon.PermPositiveRead, c.positive},
			{cordon.PermCaseRead, c.caseRead},
			{cordon.PermCaseWrite, c.caseWrite},
		}
		for _, p := range perms {
			if got := r.Can(p.p); got != p.want {
				t.Errorf("%s.Can(%s) = %v, the matrix says %v", r, p.p, got, p.want)
			}
		}
	}
}

// home is one of the matrix's two jurisdictions.
type home struct {
	name     string
	root     string // where its accounts are bound, grid workers excepted
	village  string // where its administrator may add a grid
	bindable string // inside root: where its administrator may bind an account
	own      string // the world place its every member sees
	away     string // a world place none of its members sees
}

var (
	homeBaise   = home{name: "baise", root: baise, village: fuji, bindable: debao, own: "grid", away: "nanning"}
	homeNanning = home{name: "nanning", root: nanning, village: xingningC, bindable: xingning, own: "nanning", away: "town"}
	homes       = []home{homeBaise, homeNanning}
)

// other returns the home that is not h.
func (h home) other() home {
	if h.name == homeBaise.name {
		return homeNanning
	}
	return homeBaise
}

// member is one row of the matrix: an account of a role at a home, or
// nobody signed in.
type member struct {
	label string
	home  home
	role  cordon.Role
	actor cordon.Actor
}

func (m member) signedOut() bool { return m.actor.AccountID == 0 }
func (m member) caps() caps      { return roleCaps[m.role] }

// sees tells, without asking the code under test, which places of the world
// the member sees: a Baise account sees the Debao grid and 城东社区 (a grid
// worker only the grid); a Nanning account sees the Nanning resident.
func (m member) sees(place string) bool {
	switch {
	case m.signedOut():
		return false
	case m.home.name == homeBaise.name:
		return place == "grid" || place == "town" && m.role != cordon.RoleGridWorker
	}
	return place == "nanning"
}

// place is where a person lives (residence) and is now (current).
type place struct{ residence, current string }

// world is the matrix's fixture: a grid in Debao and one in Nanning, an
// account per role in Baise and in Nanning, and a resident in each place.
type world struct {
	*fixture
	places    map[string]place
	placeList []string
	members   []member
	residents map[string]cordon.Person // by place, with full values
	prefixes  map[string]string        // a name prefix unique to each resident
}

func newWorld(t *testing.T) *world {
	t.Helper()
	f := newFixture(t)
	bg := f.grid(fuji, "陇意屯网格")
	ng := f.grid(xingningC, "兴宁一网格")
	w := &world{
		fixture: f,
		places: map[string]place{
			"grid":    {bg.Code, bg.Code},     // lives and stays in the Debao grid
			"town":    {chengdong, chengdong}, // Debao, outside the grid
			"nanning": {xingning, ng.Code},    // 兴宁区 resident, now in the Nanning grid
		},
		placeList: []string{"grid", "town", "nanning"},
		residents: map[string]cordon.Person{},
		prefixes:  map[string]string{"grid": "韦网格", "town": "韦城东", "nanning": "韦兴宁"},
	}
	grids := map[string]string{homeBaise.name: bg.Code, homeNanning.name: ng.Code}
	for _, h := range homes {
		for _, r := range cordon.Roles {
			j := h.root
			if r == cordon.RoleGridWorker {
				j = grids[h.name]
			}
			acct := f.account(r, j, withUsername(h.name+"."+string(r)))
			w.members = append(w.members, member{label: h.name + "/" + string(r), home: h, role: r, actor: acct.Actor()})
		}
	}
	w.members = append(w.members, member{label: "signed-out", home: homeBaise})
	for _, p := range w.placeList {
		w.residents[p] = f.person(named(w.prefixes[p]+"甲"), w.at(p))
	}
	// Every account reads once, so that each has audit entries.
	for _, m := range w.members {
		if !m.signedOut() {
			if _, err := f.app.Persons(f.ctx, m.actor, cordon.PersonFilter{}); err != nil {
				t.Fatalf("%s lists persons: %v", m.label, err)
			}
		}
	}
	return w
}

// at places a person in one of the world's places.
func (w *world) at(p string) personOption {
	return livingAt(w.places[p].residence, w.places[p].current)
}

// member returns the member of a home and role.
func (w *world) member(h home, r cordon.Role) member {
	for _, m := range w.members {
		if m.home.name == h.name && m.role == r && !m.signedOut() {
			return m
		}
	}
	panic("no member " + h.name + "/" + string(r))
}

// outcome is what an operation came to: success, a search that left the
// target out, or an error of a kind and code.
type outcome struct {
	kind   cordon.Kind
	code   string
	hidden bool
}

var (
	allowed      = outcome{}
	hidden       = outcome{hidden: true}
	unauthorized = outcome{cordon.KindUnauthorized, "auth.unauthorized", false}
	forbidden    = outcome{cordon.KindForbidden, "auth.forbidden", false}
	notFound     = outcome{cordon.KindNotFound, "person.not_found", false}
	outside      = outcome{cordon.KindForbidden, "person.outside_jurisdiction", false}
)

func (o outcome) String() string {
	switch {
	case o.hidden:
		return "hidden"
	case o.code == "":
		return "allowed"
	}
	return o.kind.String() + "/" + o.code
}

// result is what an operation did, for the harness to judge.
type result struct {
	err    error
	hidden bool           // a search succeeded but left the target out
	seen   *cordon.Person // a person as shown to the member
	truth  cordon.Person  // the same person's full values
}

func (r result) outcome() outcome {
	switch {
	case r.err != nil:
		return outcome{kind: cordon.ErrorKind(r.err), code: cordon.ErrorCode(r.err)}
	case r.hidden:
		return hidden
	}
	return allowed
}

// operation is one column of the matrix.
type operation struct {
	name string
	want func(m member) outcome
	do   func(t *testing.T, w *world, m member) result
}

// gate is the part of every expectation that comes before scope: signed
// in, and the role grants the capability.
func gate(m member, can bool, then outcome) outcome {
	switch {
	case m.signedOut():
		return unauthorized
	case !can:
		return forbidden
	}
	return then
}

// inScope is allowed when the member sees every place, else miss.
func inScope(m member, miss outcome, places ...string) outcome {
	for _, p := range places {
		if !m.sees(p) {
			return miss
		}
	}
	return allowed
}

// runMatrix runs every operation for every member (nine roles in each of
// two homes, and nobody signed in: 19 rows) in a world of its own, one
// subtest per cell.
func runMatrix(t *testing.T, ops []operation) {
	w := newWorld(t)
	for _, m := range w.members {
		for _, op := range ops {
			t.Run(m.label+"/"+op.name, func(t *testing.T) {
				want := op.want(m)
				r := op.do(t, w, m)
				if got := r.outcome(); got != want {
					t.Fatalf("got %v (%v), want %v", got, r.err, want)
				}
				if r.err == nil && r.seen != nil {
					checkShown(t, m, *r.seen, r.truth)
				}
			})
		}
	}
}

// checkShown checks that a person shown to the member is masked exactly
// when the role lacks person.read_full.
func checkShown(t *testing.T, m member, seen, truth cordon.Person) {
	t.Helper()
	if m.caps().full {
		if seen.Masked || seen.IDNumber != truth.IDNumber || seen.Phone != truth.Phone {
			t.Errorf("%s should see full values: got masked=%v %q %q, want %q %q", m.role, seen.Masked, seen.IDNumber, seen.Phone, truth.IDNumber, truth.Phone)
		}
		return
	}
	if !seen.Masked || !strings.Contains(seen.IDNumber, "*") || seen.IDNumber == truth.IDNumber ||
		!strings.Contains(seen.Phone, "*") || seen.Phone == truth.Phone {
		t.Errorf("%s should see masked values: got masked=%v %q %q", m.role, seen.Masked, seen.IDNumber, seen.Phone)
	}
}

// find returns the listed person with the id.
func find(list []cordon.Person, id int64) (cordon.Person, bool) {
	for _, p := range list {
		if p.ID == id {
			return p, true
		}
	}
	return cordon.Person{}, false
}

// searchResult judges a search for one target.
func searchResult(list []cordon.Person, err error, target cordon.Person) result {
	if err != nil {
		return result{err: err}
	}
	p, ok := find(list, target.ID)
	if !ok {
		return result{hidden: true}
	}
	return result{seen: &p, truth: target}
}

// TestAuthorizationRead runs every read path for every role at home and
// away: a person outside the member's subtree is not found by id, not found
// by document, and absent from every search and count.
func TestAuthorizationRead(t *testing.T) {
	var ops []operation
	for _, pl := range []string{"grid", "town", "nanning"} {
		ops = append(ops,
			operation{
				name: "read/" + pl,
				want: func(m member) outcome { return gate(m, m.caps().read, inScope(m, notFound, pl)) },
				do: func(t *testing.T, w *world, m member) result {
					p, err := w.app.Person(w.ctx, m.actor, w.residents[pl].ID, "matrix")
					return result{err: err, seen: &p, truth: w.residents[pl]}
				},
			},
			operation{
				name: "lookup/" + pl,
				want: func(m member) outcome { return gate(m, m.caps().read, inScope(m, notFound, pl)) },
				do: func(t *testing.T, w *world, m member) result {
					p, err := w.app.PersonByDocument(w.ctx, m.actor, cordon.DocCitizenID, w.residents[pl].IDNumber, "matrix")
					return result{err: err, seen: &p, truth: w.residents[pl]}
				},
			},
			operation{
				name: "history/" + pl,
				want: func(m member) outcome { return gate(m, m.caps().read, inScope(m, notFound, pl)) },
				do: func(t *testing.T, w *world, m member) result {
					h, err := w.app.PersonHistory(w.ctx, m.actor, w.residents[pl].ID)
					if err == nil && len(h) == 0 {
						t.Error("the history of a person has no entries, not even its creation")
					}
					return result{err: err}
				},
			},
			operation{
				name: "search-name/" + pl,
				want: func(m member) outcome { return gate(m, m.caps().read, inScope(m, hidden, pl)) },
				do: func(t *testing.T, w *world, m member) result {
					list, err := w.app.Persons(w.ctx, m.actor, cordon.PersonFilter{Query: w.prefixes[pl]})
					if len(list) > 1 {
						t.Errorf("the prefix %s matches %d persons, want at most 1", w.prefixes[pl], len(list))
					}
					return searchResult(list, err, w.residents[pl])
				},
			},
			operation{
				name: "search-id/" + pl,
				want: func(m member) outcome { return gate(m, m.caps().read, inScope(m, hidden, pl)) },
				do: func(t *testing.T, w *world, m member) result {
					list, err := w.app.Persons(w.ctx, m.actor, cordon.PersonFilter{Query: w.residents[pl].IDNumber})
					return searchResult(list, err, w.residents[pl])
				},
			},
			operation{
				name: "search-phone/" + pl,
				want: func(m member) outcome { return gate(m, m.caps().read, inScope(m, hidden, pl)) },
				do: func(t *testing.T, w *world, m member) result {
					list, err := w.app.Persons(w.ctx, m.actor, cordon.PersonFilter{Query: w.residents[pl].Phone})
					return searchResult(list, err, w.residents[pl])
				},
			},
		)
	}
	ops = append(ops,
		operation{
			name: "list",
			want: func(m member) outcome { return gate(m, m.caps().read, allowed) },
			do: func(t *testing.T, w *world, m member) result {
				list, err := w.app.Persons(w.ctx, m.actor, cordon.PersonFilter{Limit: 500})
				if err == nil {
					for _, pl := range w.placeList {
						if _, ok := find(list, w.residents[pl].ID); ok != m.sees(pl) {
							t.Errorf("the list has the %s resident: %v, want %v", pl, ok, m.sees(pl))
						}
					}
				}
				return result{err: err}
			},
		},
		operation{
			name: "count",
			want: func(m member) outcome { return gate(m, m.caps().read, allowed) },
			do: func(t *testing.T, w *world, m member) result {
				n, err := w.app.CountPersons(w.ctx, m.actor)
				want := 0
				for _, pl := range w.placeList {
					if m.sees(pl) {
						want++
					}
				}
				if err == nil && n != want {
					t.Errorf("CountPersons = %d, want %d", n, want)
				}
				return result{err: err}
			},
		},
		operation{
			name: "accounts",
			want: func(m member) outcome { return gate(m, m.caps().admin, allowed) },
			do: func(t *testing.T, w *world, m member) result {
				list, err := w.app.Accounts(w.ctx, m.actor)
				if err != nil {
					return result{err: err}
				}
				var names []string
				for _, a := range list {
					names = append(names, a.Username)
				}
				for _, o := range w.members {
					if o.signedOut() {
						continue
					}
					if listed, own := slices.Contains(names, o.actor.Username), o.home.name == m.home.name; listed != own {
						t.Errorf("account %s listed: %v, want %v", o.actor.Username, listed, own)
					}
				}
				return result{}
			},
		},
		operation{
			name: "audit",
			want: func(m member) outcome { return gate(m, m.caps().admin, allowed) },
			do: func(t *testing.T, w *world, m member) result {
				all, err := w.app.AuditLog(w.ctx, m.actor, cordon.AuditFilter{Limit: 500})
				if err != nil {
					return result{err: err}
				}
				for _, e := range all {
					if !strings.HasPrefix(e.Username, m.home.name+".") {
						t.Errorf("%s sees an audit entry of %s", m.label, e.Username)
					}
				}
				own := w.member(m.home, cordon.RoleCommander).actor.Username
				away := w.member(m.home.other(), cordon.RoleCommander).actor.Username
				if es, err := w.app.AuditLog(w.ctx, m.actor, cordon.AuditFilter{Username: own}); err != nil || len(es) == 0 {
					t.Errorf("the entries of %s: %d, %v; want some", own, len(es), err)
				}
				if es, err := w.app.AuditLog(w.ctx, m.actor, cordon.AuditFilter{Username: away}); err != nil || len(es) != 0 {
					t.Errorf("the entries of %s: %d, %v; want none", away, len(es), err)
				}
				return result{}
			},
		},
	)
	runMatrix(t, ops)
}

// TestAuthorizationWrite runs every change for every role at home and away.
// Each case makes its own targets, so that cases do not depend on each other.
func TestAuthorizationWrite(t *testing.T) {
	var ops []operation
	for _, pl := range []string{"grid", "town", "nanning"} {
		ops = append(ops,
			operation{
				name: "create/" + pl,
				want: func(m member) outcome { return gate(m, m.caps().write, inScope(m, outside, pl)) },
				do: func(t *testing.T, w *world, m member) result {
					in := w.personInput(w.at(pl))
					p, err := w.app.CreatePerson(w.ctx, m.actor, in)
					return result{err: err, seen: &p, truth: cordon.Person{IDNumber: in.IDNumber, Phone: in.Phone}}
				},
			},
			operation{
				name: "update/" + pl,
				want: func(m member) outcome { return gate(m, m.caps().write, inScope(m, notFound, pl)) },
				do: func(t *testing.T, w *world, m member) result {
					target := w.person(w.at(pl))
					in := w.personInput(withDocument(target.DocType, target.IDNumber), withPhone(target.Phone), w.at(pl))
					in.Version = target.Version
					p, err := w.app.UpdatePerson(w.ctx, m.actor, target.ID, in)
					return result{err: err, seen: &p, truth: target}
				},
			},
		)
	}
	// Moving a person's residence and current place both out of the subtree
	// is a transfer (an assist request), never an edit; moving one is fine.
	ops = append(ops,
		operation{
			name: "update/move-out",
			want: func(m member) outcome { return gate(m, m.caps().write, outside) },
			do: func(t *testing.T, w *world, m member) result {
				target := w.person(w.at(m.home.own))
				in := w.personInput(withDocument(target.DocType, target.IDNumber), w.at(m.home.away))
				_, err := w.app.UpdatePerson(w.ctx, m.actor, target.ID, in)
				if err != nil {
					if p, _ := w.app.Person(w.ctx, app.System, target.ID, ""); p.Residence != target.Residence || p.Version != target.Version {
						t.Errorf("a refused update changed the person: %+v", p)
					}
				}
				return result{err: err}
			},
		},
		operation{
			name: "update/move-residence",
			want: func(m member) outcome { return gate(m, m.caps().write, allowed) },
			do: func(t *testing.T, w *world, m member) result {
				target := w.person(w.at(m.home.own))
				in := w.personInput(withDocument(target.DocType, target.IDNumber),
					livingAt(w.places[m.home.away].residence, target.Current))
				_, err := w.app.UpdatePerson(w.ctx, m.actor, target.ID, in)
				return result{err: err}
			},
		},
	)
	for _, pair := range [][2]string{{"grid", "grid"}, {"grid", "town"}, {"nanning", "nanning"}, {"grid", "nanning"}, {"nanning", "town"}} {
		ops = append(ops, operation{
			name: "merge/" + pair[0] + "+" + pair[1],
			want: func(m member) outcome { return gate(m, m.caps().merge, inScope(m, notFound, pair[0], pair[1])) },
			do: func(t *testing.T, w *world, m member) result {
				keep, drop := w.person(w.at(pair[0])), w.person(w.at(pair[1]))
				return result{err: w.app.MergePersons(w.ctx, m.actor, keep.ID, drop.ID, "same person, two registrations")}
			},
		})
	}
	for _, away := range []bool{false, true} {
		where := func(m member) home {
			if away {
				return m.home.other()
			}
			return m.home
		}
		suffix := map[bool]string{false: "own", true: "other"}[away]
		ops = append(ops,
			operation{
				name: "account-create/" + suffix,
				want: func(m member) outcome {
					if away {
						return gate(m, m.caps().admin, outcome{cordon.KindForbidden, "account.outside_jurisdiction", false})
					}
					return gate(m, m.caps().admin, allowed)
				},
				do: func(t *testing.T, w *world, m member) result {
					_, err := w.app.CreateAccount(w.ctx, m.actor, cordon.AccountInput{
						Username:     fmt.Sprintf("new%d", w.next()),
						Role:         cordon.RoleViewer,
						Jurisdiction: where(m).bindable,
						Password:     defaultPassword,
					})
					return result{err: err}
				},
			},
			operation{
				name: "account-disable/" + suffix,
				want: func(m member) outcome {
					if away {
						return gate(m, m.caps().admin, outcome{cordon.KindNotFound, "account.not_found", false})
					}
					return gate(m, m.caps().admin, allowed)
				},
				do: func(t *testing.T, w *world, m member) result {
					target := w.account(cordon.RoleViewer, where(m).bindable)
					return result{err: w.app.SetAccountDisabled(w.ctx, m.actor, target.ID, true)}
				},
			},
			operation{
				name: "grid-create/" + suffix,
				want: func(m member) outcome {
					if away {
						return gate(m, m.caps().admin, forbidden)
					}
					return gate(m, m.caps().admin, allowed)
				},
				do: func(t *testing.T, w *world, m member) result {
					_, err := w.app.CreateGrid(w.ctx, m.actor, where(m).village, "新网格")
					return result{err: err}
				},
			},
		)
	}
	runMatrix(t, ops)
}

// TestAuthzMassTesting is the matrix for mass testing: who may open a
// round, register samples, upload results and read recalls and positives,
// and where. A registration or a result refused on its own (inside a batch
// that was accepted) counts as an error of its code.
func TestAuthzMassTesting(t *testing.T) {
	w := newWorld(t)
	ctx, a := w.ctx, w.app
	round, err := a.CreateRound(ctx, app.System, cordon.RoundInput{Name: "德保县第一轮", Jurisdiction: debao})
	if err != nil {
		t.Fatal(err)
	}
	point, err := a.CreatePoint(ctx, app.System, cordon.SamplingPointInput{Name: "福记村委会", Jurisdiction: fuji, AllDay: true, Tables: 1})
	if err != nil {
		t.Fatal(err)
	}
	tube := 0
	sample := func() cordon.SampleInput {
		tube++
		return cordon.SampleInput{Key: "k", RoundID: round.ID, PointID: point.ID, Tube: fmt.Sprintf("AZ%04d", tube), PoolSize: 10,
			IDNumber: idNumber(debao, 500000+int64(tube))}
	}
	ackErr := func(acks []cordon.SampleAck, err error) error {
		if err == nil && acks[0].Error != nil {
			return acks[0].Error
		}
		return err
	}
	baiseOnly := func(m member, miss outcome) outcome {
		if m.home.name == homeBaise.name && m.role != cordon.RoleGridWorker {
			return allowed
		}
		return miss
	}
	ops := []operation{
		{"round.create", func(m member) outcome {
			return gate(m, m.caps().manageTesting, baiseOnly(m, forbidden))
		}, func(t *testing.T, w *world, m member) result {
			_, err := a.CreateRound(ctx, m.actor, cordon.RoundInput{Name: "r", Jurisdiction: debao})
			return result{err: err}
		}},
		{"samples.register", func(m member) outcome {
			return gate(m, m.caps().sample, baiseOnly(m, outcome{cordon.KindNotFound, "round.not_found", false}))
		}, func(t *testing.T, w *world, m member) result {
			return result{err: ackErr(a.RegisterSamples(ctx, m.actor, []cordon.SampleInput{sample()}))}
		}},
		{"results.upload", func(m member) outcome {
			return gate(m, m.caps().lab, baiseOnly(m, outcome{cordon.KindForbidden, "labresult.out_of_scope", false}))
		}, func(t *testing.T, w *world, m member) result {
			s := sample()
			if _, err := a.RegisterSamples(ctx, app.System, []cordon.SampleInput{s}); err != nil {
				t.Fatal(err)
			}
			up, err := a.UploadResults(ctx, m.actor, "json", []cordon.LabResultInput{{Barcode: s.Tube, Outcome: cordon.OutcomeNegative}})
			if err == nil && up.Matched != 1 {
				err = cordon.Errorf(cordon.KindForbidden, up.Errors[0].Code, "%s", up.Errors[0].Message)
			}
			return result{err: err}
		}},
		{"recalls.list", func(m member) outcome {
			return gate(m, m.caps().recall, baiseOnly(m, forbidden))
		}, func(t *testing.T, w *world, m member) result {
			_, err := a.Recalls(ctx, m.actor, debao, cordon.HoldFilter{})
			return result{err: err}
		}},
		{"positives.list", func(m member) outcome {
			return gate(m, m.caps().positive, allowed)
		}, func(t *testing.T, w *world, m member) result {
			_, err := a.Positives(ctx, m.actor, 0, 10)
			return result{err: err}
		}},
		{"round.read", func(m member) outcome {
			if m.signedOut() {
				return unauthorized
			}
			// Every role reads rounds; a round of 德保县 is seen from Baise
			// (the grid worker's grid lies inside it), not from Nanning.
			if m.home.name == homeBaise.name {
				return allowed
			}
			return outcome{cordon.KindNotFound, "round.not_found", false}
		}, func(t *testing.T, w *world, m member) result {
			_, err := a.Round(ctx, m.actor, round.ID)
			return result{err: err}
		}},
	}
	for _, m := range w.members {
		for _, op := range ops {
			t.Run(m.label+"/"+op.name, func(t *testing.T) {
				if got, want := op.do(t, w, m).outcome(), op.want(m); got != want {
					t.Fatalf("got %v, want %v", got, want)
				}
			})
		}
	}
}

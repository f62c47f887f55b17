package app_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cordon"
	"cordon/internal/app"
	"cordon/internal/apptest"
	"cordon/internal/auth"
	"cordon/internal/store"
)

// Places of the Debao outbreak that the tests use.
const (
	baise     = "451000"       // 百色市
	debao     = "451024"       // 德保县
	chengdong = "451024100001" // 德保县城关镇城东社区, no grid of its own
	fuji      = "451024200202" // 德保县都安乡福记村, which gets the grid 陇意屯网格
	nanning   = "450100"       // 南宁市
	xingning  = "450102"       // 南宁市兴宁区
	xingningC = "450102001003" // 兴宁区民生街道兴宁社区, which gets a grid too
)

// defaultPassword is every fixture account's password unless told otherwise.
const defaultPassword = "correct horse battery"

// sleeps records the pauses the app asks for instead of sleeping.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(_ context.Context, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
}

// take returns the pauses recorded since the last take.
func (s *sleeps) take() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.d
	s.d = nil
	return out
}

// fixture is one application over a fresh SQLite database.
type fixture struct {
	tb     testing.TB
	ctx    context.Context
	app    *app.App
	db     *store.DB
	cfg    app.Config
	clock  *apptest.Clock
	sleeps *sleeps
	seq    atomic.Int64 // makes ID numbers, phones and usernames unique
}

type fixtureConfig struct {
	cfg      app.Config
	start    time.Time
	postgres bool
}

// withPostgres runs the fixture on a fresh PostgreSQL schema.
func withPostgres() fixtureOption {
	return func(c *fixtureConfig) { c.postgres = true }
}

// fixtureOption adjusts a fixture before it is built.
type fixtureOption func(*fixtureConfig)

// withConfig changes the application's configuration.
func withConfig(f func(*app.Config)) fixtureOption {
	return func(c *fixtureConfig) { f(&c.cfg) }
}

// outbreakStart is when the fixture clock starts: the morning the Debao
// index case was reported, 8 February 2022 (Beijing time).
var outbreakStart = time.Date(2022, 2, 8, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))

// newFixture opens and migrates a fresh SQLite database in a temporary
// directory and builds the app over it with a fake clock and a recorded
// sleep. The database is closed when the test ends.
func newFixture(tb testing.TB, opts ...fixtureOption) *fixture {
	tb.Helper()
	c := fixtureConfig{cfg: app.DefaultConfig, start: outbreakStart}
	c.cfg.PasswordParams = auth.TestParams
	for _, o := range opts {
		o(&c)
	}
	ctx := context.Background()
	clk := apptest.NewClock(c.start)
	s := &sleeps{}
	env := apptest.New(tb, apptest.Options{Now: clk.Now, Sleep: s.sleep, Config: func(cfg *app.Config) { *cfg = c.cfg }, Postgres: c.postgres})
	a, db := env.App, env.DB
	return &fixture{tb: tb, ctx: ctx, app: a, db: db, cfg: c.cfg, clock: clk, sleeps: s}
}

// next returns a number not returned before by this fixture.
func (f *fixture) next() int64 { return f.seq.Add(1) }

// citizenID builds a valid citizen ID number from an address code, a birth
// date (YYYYMMDD) and a three-digit sequence whose parity is the sex.
func citizenID(address, birth, seq string) string {
	first17 := address + birth + seq
	return first17 + string(cordon.CitizenIDCheck(first17))
}

// idNumber derives the n-th distinct citizen ID number with the address
// code: a thousand sequence numbers per birth date, from 1 January 1950.
func idNumber(address string, n int64) string {
	birth := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(n/1000))
	return citizenID(address, birth.Format("20060102"), fmt.Sprintf("%03d", n%1000))
}

// phoneNumber derives the n-th distinct mobile number.
func phoneNumber(n int64) string { return fmt.Sprintf("139%08d", n%100000000) }

// grid creates a grid under a village as the system actor.
func (f *fixture) grid(village, name string) cordon.Grid {
	f.tb.Helper()
	g, err := f.app.CreateGrid(f.ctx, app.System, village, name)
	if err != nil {
		f.tb.Fatalf("CreateGrid(%s, %s): %v", village, name, err)
	}
	return g
}

// accountOption adjusts an account before it is created.
type accountOption func(*cordon.AccountInput)

func withUsername(u string) accountOption {
	return func(in *cordon.AccountInput) { in.Username = u }
}

func withPassword(pw string) accountOption {
	return func(in *cordon.AccountInput) { in.Password = pw }
}

// account creates an account as the system actor; without withUsername it
// gets a unique username made of its role.
func (f *fixture) account(role cordon.Role, jurisdiction string, opts ...accountOption) cordon.Account {
	f.tb.Helper()
	in := cordon.AccountInput{
		Username:     fmt.Sprintf("%s%d", role, f.next()),
		Role:         role,
		Jurisdiction: jurisdiction,
		Password:     defaultPassword,
	}
	for _, o := range opts {
		o(&in)
	}
	acct, err := f.app.CreateAccount(f.ctx, app.System, in)
	if err != nil {
		f.tb.Fatalf("CreateAccount(%s@%s): %v", role, jurisdiction, err)
	}
	return acct
}

// personOption adjusts the input of a person before it is used.
type personOption func(*cordon.PersonInput)

// livingAt sets the residence and the current place.
func livingAt(residence, current string) personOption {
	return func(in *cordon.PersonInput) { in.Residence, in.Current = residence, current }
}

func named(name string) personOption {
	return func(in *cordon.PersonInput) { in.Name = name }
}

func withDocument(t cordon.DocType, number string) personOption {
	return func(in *cordon.PersonInput) { in.DocType, in.IDNumber = t, number }
}

func withPhone(phone string) personOption {
	return func(in *cordon.PersonInput) { in.Phone = phone }
}

// personInput builds a valid input: a Debao-born person with a fresh
// citizen ID number and phone, living in 城东社区, adjusted by opts.
func (f *fixture) personInput(opts ...personOption) cordon.PersonInput {
	n := f.next()
	in := cordon.PersonInput{
		Name:      fmt.Sprintf("黄%d", n),
		IDNumber:  idNumber(debao, n),
		Phone:     phoneNumber(n),
		Residence: chengdong,
		Address:   "城关镇云山路1号",
	}
	for _, o := range opts {
		o(&in)
	}
	return in
}

// person creates a person as the system actor, who sees every value in full.
func (f *fixture) person(opts ...personOption) cordon.Person {
	f.tb.Helper()
	p, err := f.app.CreatePerson(f.ctx, app.System, f.personInput(opts...))
	if err != nil {
		f.tb.Fatalf("CreatePerson: %v", err)
	}
	return p
}

// audit returns the audit entries matching the filter, newest first, read
// by the system actor so that nothing is out of scope.
func (f *fixture) audit(filter cordon.AuditFilter) []cordon.AuditEntry {
	f.tb.Helper()
	if filter.Limit == 0 {
		filter.Limit = store.MaxLimit
	}
	out, err := f.app.AuditLog(f.ctx, app.System, filter)
	if err != nil {
		f.tb.Fatalf("AuditLog: %v", err)
	}
	return out
}

// written counts the live persons and the audit entries, to show that a
// failed operation left both alone.
func (f *fixture) written() (persons, entries int) {
	f.tb.Helper()
	n, err := f.app.CountPersons(f.ctx, app.System)
	if err != nil {
		f.tb.Fatalf("CountPersons: %v", err)
	}
	all := f.audit(cordon.AuditFilter{})
	if len(all) == store.MaxLimit {
		f.tb.Fatalf("more than %d audit entries: count them another way", store.MaxLimit)
	}
	return n, len(all)
}

// wantError fails unless err is a cordon error of the kind and code.
func wantError(tb testing.TB, err error, kind cordon.Kind, code string) *cordon.Error {
	tb.Helper()
	var e *cordon.Error
	if !errors.As(err, &e) {
		tb.Fatalf("got error %v, want %s/%s", err, kind, code)
	}
	if e.Kind != kind || e.Code != code {
		tb.Fatalf("got %s/%s (%v), want %s/%s", e.Kind, e.Code, err, kind, code)
	}
	return e
}

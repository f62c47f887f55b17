// Package demo loads the Debao scenario of February 2022 (SCENARIO.md) into
// a fresh database: the demo accounts, a grid in 都安乡, synthetic residents
// with valid citizen ID numbers, the policy editions in force, the venues
// and their scan-ins from the index case's drive home on, Baise's first
// round of mass testing with its sampling points, labs, tubes, lab uploads
// (Excel and HL7), a positive pool, its retests and its positives, and the
// tracing around the index case: his investigation, his companions, close
// and secondary contacts, and the chain of cases. On the scenario's clock
// it goes on to 14 February: the contacts' quarantine hotel with its daily
// health checks, their control orders' tests, releases and home health
// monitoring, and the county-wide yellow code that three negative rounds
// end. Everything goes through internal/app, so the demo data is
// validated and audited like real data. Nothing in it is a real person.
package demo

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"cordon"
	"cordon/internal/app"
)

// Account is a demo login.
type Account struct {
	Username, Name string
	Role           cordon.Role
	Jurisdiction   string
}

// Places of the scenario.
const (
	Guangxi  = "450000"
	Nanning  = "450100"
	Baise    = "451000"
	Debao    = "451024"
	Duan     = "451024200"    // 都安乡
	Fuji     = "451024200202" // 福记村委会, home of 陇意屯
	oldDebao = "452624"       // Debao's address code before 2002, still on older ID cards
)

// Accounts returns the demo accounts; the grid worker's jurisdiction is the
// grid created by Load.
func Accounts(grid string) []Account {
	return []Account{
		{"admin", "区级管理员", cordon.RoleAdmin, Guangxi},
		{"baise", "百色市指挥部", cordon.RoleCommander, Baise},
		{"debao", "德保县流调队员", cordon.RoleEpidemiologist, Debao},
		{"duan", "都安乡陇意屯网格员", cordon.RoleGridWorker, grid},
		{"nanning", "南宁市指挥部", cordon.RoleCommander, Nanning},
		{"caiyang", "百色市核酸采样队", cordon.RoleSampler, Baise},
		{"bscdc", "百色市疾控中心实验室", cordon.RoleLab, Baise},
		{"dbyy", "德保县人民医院检测实验室", cordon.RoleLab, Debao},
		{"dbzh", "德保县疫情防控指挥部", cordon.RoleCommander, Debao},
		{"kangning", "德保县康宁宾馆集中隔离点", cordon.RoleIsolationSite, Debao},
		{"nnjk", "南宁市疾控中心流调队员", cordon.RoleEpidemiologist, Nanning},
		{"bama", "巴马县公路卡点执勤员", cordon.RoleCheckpoint, Bama},
	}
}

// Summary says what Load created.
type Summary struct {
	Accounts []Account
	Grid     cordon.Grid
	Persons  int
	Testing
	Tracing
	Control           // on the scenario's clock only
	Arrivals Arrivals // on the scenario's clock only
}

// Options size the demo.
type Options struct {
	Password  string
	Residents int    // Debao residents, default 300
	Seed      uint64 // for repeatable names and numbers
	// Now is when the load happens, for an application on real time: the
	// scenario's three days are then replayed on the days just before it,
	// at the hours of the day they had. Zero means time.Now.
	Now time.Time
	// Clock, when set, is the clock of the application (and its store):
	// Load moves it from 17 January through 14 February 2022, so that every
	// record carries the date it had in Debao, and replays the days after
	// 6 February too: the quarantine hotel, health checks, control orders
	// released or at home, and the county measure. Now is ignored then.
	Clock *Clock
}

// Clock is a clock that Load moves through the scenario's days. Give its
// Now to app.WithClock and to the store the application runs on.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock on 2022-01-17, where the scenario starts: the
// register, the accounts and the venues exist before the index case
// drives home.
func NewClock() *Clock { return &Clock{t: opening} }

// Now tells the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *Clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Load creates the scenario. It expects an empty database.
func Load(ctx context.Context, a *app.App, opt Options) (Summary, error) {
	if opt.Residents <= 0 {
		opt.Residents = 300
	}
	// shift takes a time of the scenario to the application's time: none
	// on the scenario's clock, else whole days, so that the scenario ends
	// at most a day before Now at the same hour of the day.
	var shift time.Duration
	if opt.Clock != nil {
		opt.Clock.set(opening)
		opt.Now = opening
	} else {
		if opt.Now.IsZero() {
			opt.Now = time.Now()
		}
		before := opt.Now.Sub(end)
		if shift = before.Truncate(24 * time.Hour); shift > before {
			shift -= 24 * time.Hour
		}
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 20220204))
	var sum Summary
	g, err := a.CreateGrid(ctx, app.System, Fuji, "陇意屯网格")
	if err != nil {
		return sum, fmt.Errorf("demo grid: %w", err)
	}
	sum.Grid = g
	sum.Accounts = Accounts(g.Code)
	actors := map[string]cordon.Actor{}
	for _, acct := range sum.Accounts {
		created, err := a.CreateAccount(ctx, app.System, cordon.AccountInput{
			Username: acct.Username, DisplayName: acct.Name, Role: acct.Role, Jurisdiction: acct.Jurisdiction, Password: opt.Password,
		})
		if err != nil {
			return sum, fmt.Errorf("demo account %s: %w", acct.Username, err)
		}
		actors[acct.Username] = created.Actor()
	}
	dir := a.Directory()
	var villages []cordon.Jurisdiction
	for _, t := range dir.Children(Debao) {
		villages = append(villages, dir.Children(t.Code)...)
	}
	gen := &people{rng: rng, now: opt.Now, seen: map[string]bool{}}
	var register []cordon.PersonInput
	add := func(residence, address, addrCode string) {
		register = append(register, gen.person(residence, address, addrCode))
	}
	// Households of 1 to 6 in Debao's villages; the first and about one in
	// six of the others in the 陇意屯 grid of 都安乡, where the outbreak
	// centred.
	for len(register) < opt.Residents {
		residence := villages[rng.IntN(len(villages))].Code
		address := fmt.Sprintf("%s%d号", dir.Path(residence)[len(dir.Path(Debao)):], 1+rng.IntN(120))
		if len(register) == 0 || rng.IntN(6) == 0 {
			residence, address = g.Code, fmt.Sprintf("福记村陇意屯%d号", 1+rng.IntN(80))
		}
		size := 1 + rng.IntN(6)
		for i := 0; i < size && len(register) < opt.Residents; i++ {
			add(residence, address, Debao)
		}
	}
	// A few Nanning residents, whom Debao accounts must never see.
	for i := 0; i < 30; i++ {
		county := []string{"450102", "450103", "450105", "450107"}[rng.IntN(4)]
		add(county, fmt.Sprintf("%s某小区%d栋", dir.Path(county)[len(dir.Path(Nanning)):], 1+rng.IntN(30)), county)
	}
	residents, err := importRegister(ctx, a, register)
	if err != nil {
		return sum, fmt.Errorf("demo persons: %w", err)
	}
	sum.Persons = len(register)
	t := &screening{ctx: ctx, a: a, rng: rng, gen: gen, clock: opt.Clock, shift: shift, grid: g.Code,
		commander: actors["baise"], sampler: actors["caiyang"], epi: actors["debao"], residents: residents,
		ctl:        control{manager: actors["kangning"], commander: actors["dbzh"], grid: actors["duan"]},
		nanningEpi: actors["nnjk"], bamaOfficer: actors["bama"]}
	if err := t.prepare(); err != nil {
		return sum, fmt.Errorf("demo venues: %w", err)
	}
	scheduleAssist(t, actors)
	if err := t.run(map[string]cordon.Actor{cdcLab: actors["bscdc"], hospitalLab: actors["dbyy"]}); err != nil {
		return sum, fmt.Errorf("demo testing: %w", err)
	}
	if opt.Clock != nil {
		if err := t.keepScans(); err != nil {
			return sum, fmt.Errorf("demo retention: %w", err)
		}
	}
	sum.Testing, sum.Tracing, sum.Control, sum.Arrivals = t.sum, t.trace, t.ctl.sum, t.arrivals
	sum.Persons += t.newPersons
	return sum, nil
}

// importRegister registers the synthetic people as a county imports its
// register, in one batch, and returns those of 德保县 in the order given.
func importRegister(ctx context.Context, a *app.App, register []cordon.PersonInput) ([]cordon.Person, error) {
	n, err := a.ImportPersons(ctx, app.System, slices.Values(register))
	if err != nil {
		return nil, err
	}
	var all []cordon.Person
	for after := int64(0); ; {
		page, err := a.Persons(ctx, app.System, cordon.PersonFilter{After: after, Limit: 500})
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(page) < 500 {
			break
		}
		after = page[len(page)-1].ID
	}
	if len(all) != n {
		return nil, fmt.Errorf("%d persons imported, %d read back", n, len(all))
	}
	slices.SortFunc(all, func(x, y cordon.Person) int { return cmp.Compare(x.ID, y.ID) })
	var out []cordon.Person
	for _, p := range all {
		if cordon.Within(p.Residence, Debao) {
			out = append(out, p)
		}
	}
	return out, nil
}

var (
	surnames = []rune("黄农李陆梁韦罗莫覃蒙王张刘陈杨赵吴周徐孙马朱胡林何郭廖谢宋唐许邓冯曾")
	given    = []string{"丽", "芳", "伟", "强", "敏", "静", "秀英", "桂兰", "志明", "建华", "海燕", "晓东", "春梅", "国庆", "玉兰", "文杰", "俊", "婷", "金凤", "永福", "光明", "家乐", "美玲", "子涵", "雨萱", "浩然", "明辉", "少华", "振宇", "彩云"}
)

// people invents plausible residents.
type people struct {
	rng  *rand.Rand
	now  time.Time
	seen map[string]bool
}

func (g *people) person(residence, address, addrCode string) cordon.PersonInput {
	name := string(surnames[g.rng.IntN(len(surnames))]) + given[g.rng.IntN(len(given))]
	birth := g.now.AddDate(-1-g.rng.IntN(85), 0, -g.rng.IntN(365))
	code := addrCode
	if addrCode == Debao && birth.Year() < 1995 && g.rng.IntN(3) == 0 {
		code = oldDebao // issued before 2002
	}
	var id string
	for {
		first := fmt.Sprintf("%s%s%03d", code, birth.Format("20060102"), g.rng.IntN(1000))
		id = first + string(cordon.CitizenIDCheck(first))
		if !g.seen[id] {
			g.seen[id] = true
			break
		}
	}
	in := cordon.PersonInput{Name: name, IDNumber: id, Residence: residence, Address: address}
	if g.now.Sub(birth) > 12*365*24*time.Hour {
		prefixes := []string{"130", "138", "139", "150", "177", "181", "186", "188", "199"}
		in.Phone = fmt.Sprintf("%s%08d", prefixes[g.rng.IntN(len(prefixes))], g.rng.IntN(100000000))
	}
	return in
}

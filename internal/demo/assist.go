package demo

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"time"

	"cordon"
	"cordon/internal/app"
)

// Assist requests (协查), 2022-02-04..10: Debao's epidemiologists send
// letters about the people the big-data pushes, door-to-door screening and
// checkpoints turned up: to the other counties of Baise, to Nanning, and to
// Guangdong, which runs its own instance (a peer configured here with a
// made-up address, so its letters wait in the outbox, undelivered). Baise's
// and Nanning's commanders record the outcomes a few hours later, one
// person moved on and forwarded; one person in Nanning is never reached
// and is overdue, escalated to Nanning's commanders. A few dozen letters,
// not the 1,973 of the real week.

// assistTargets are where the people of each day's lists are now: Baise's
// other counties, Nanning's districts and, every other day, Guangdong.
var (
	assistBaise     = []string{youjiang, tianyang, jingxi, longlin, lingyun, tiandong, pingguo, Bama}
	assistNanning   = []string{"450102", "450103", "450105", "450107"}
	assistGuangdong = []string{"440106", "440104", "440304"}
	assistSources   = []cordon.AssistSource{cordon.AssistBigData, cordon.AssistScreening, cordon.AssistCheckpoint, cordon.AssistSelfReport}
)

// scheduleAssist puts the assist requests on the scenario's timeline; on
// real time there is none, as outcomes cannot be dated days back.
func scheduleAssist(s *screening, actors map[string]cordon.Actor) {
	if s.clock == nil {
		return
	}
	// Its own random numbers, so that the other parts of the replay draw
	// what they drew before; the same register of ID numbers, so that no
	// one is made twice.
	rng := rand.New(rand.NewPCG(20220204, 12345))
	d := &assistDemo{s: s, rng: rng, gen: &people{rng: rng, now: s.gen.now, seen: s.gen.seen},
		sender: actors["debao"], baise: actors["baise"], nanning: actors["nanning"]}
	s.schedule(feb(4, 8, 30), d.registerGuangdong)
	for day := 4; day <= 10; day++ {
		s.schedule(feb(day, 10, 0), func() error { return d.send(day) })
	}
}

type assistDemo struct {
	s                      *screening
	rng                    *rand.Rand
	gen                    *people
	sender, baise, nanning cordon.Actor
	n                      int // letters sent
	forwarded, leftOverdue bool
}

// registerGuangdong configures Guangdong's instance as a peer serving 44,
// with a key derived from its name: the demo has no such server, so what
// is sent to it stays in the outbox.
func (d *assistDemo) registerGuangdong() error {
	seed := sha256.Sum256([]byte("cordon demo 广东省"))
	pub := ed25519.NewKeyFromSeed(seed[:]).Public().(ed25519.PublicKey)
	_, err := d.s.a.CreatePeer(d.s.ctx, app.System, cordon.PeerInput{Name: "广东省", BaseURL: "https://cordon.gd.example",
		PublicKey: base64.StdEncoding.EncodeToString(pub), Divisions: []string{"44"}})
	return err
}

// send sends the day's list: about a dozen people over four or five Baise
// counties, two Nanning districts and, on even days, Guangdong.
func (d *assistDemo) send(day int) error {
	s := d.s
	var people []cordon.AssistPersonInput
	add := func(county string, n int, note string) {
		for range n {
			p := d.gen.person(county, "", county)
			people = append(people, cordon.AssistPersonInput{Name: p.Name, IDNumber: p.IDNumber, Phone: p.Phone, Current: county,
				Places: fmt.Sprintf("02-%02d 德保县城关镇", day-2-d.rng.IntN(3)), Note: note})
		}
	}
	for i := range 4 + d.rng.IntN(2) {
		add(assistBaise[(day+i*3)%len(assistBaise)], 1+d.rng.IntN(3), "与德保县确诊病例时空伴随")
	}
	for i := range 2 {
		add(assistNanning[(day+i)%len(assistNanning)], 1+d.rng.IntN(2), "曾到访德保县都安乡")
	}
	if day%2 == 0 {
		add(assistGuangdong[day%len(assistGuangdong)], 1+d.rng.IntN(2), "与确诊病例同乘班车后返粤")
	}
	source := assistSources[day%len(assistSources)]
	out, err := s.a.CreateAssist(s.ctx, d.sender, cordon.AssistInput{Reason: "德保县新冠肺炎疫情流调排查", Source: source,
		Contact: "德保县疾控中心流调组 0776-3822120", People: people})
	if err != nil {
		return fmt.Errorf("assist %d: %w", day, err)
	}
	for _, r := range out.Requests {
		d.n++
		switch {
		case cordon.Within(r.Target, Baise):
			s.schedule(s.clock.Now().Add(3*time.Hour), func() error { return d.work(d.baise, r, day) })
		case cordon.Within(r.Target, Nanning):
			s.schedule(s.clock.Now().Add(5*time.Hour), func() error { return d.work(d.nanning, r, day) })
		}
	}
	return nil
}

// work records the receiver's outcomes of a letter: located within hours,
// tested, then controlled; one in ten not found; on 02-06 one person of
// Baise has moved on to Nanning and is forwarded; on the last day one
// person in Nanning is never reached.
func (d *assistDemo) work(actor cordon.Actor, r cordon.AssistRequest, day int) error {
	s := d.s
	for pos := 1; pos <= r.Counts.Total; pos++ {
		record := func(st cordon.AssistStatus, note string) error {
			_, err := s.a.RecordAssistOutcome(s.ctx, actor, r.ID, pos, cordon.AssistOutcome{Status: st, Note: note})
			return err
		}
		switch {
		case day == 10 && !d.leftOverdue && cordon.Within(r.Target, Nanning):
			d.leftOverdue = true // 电话未接通，上门未见
			continue
		case day == 6 && !d.forwarded && cordon.Within(r.Target, Baise):
			d.forwarded = true
			if _, err := s.a.ForwardAssist(s.ctx, actor, r.ID, pos, app.AssistForward{To: "450107", Note: "已于02-05返回南宁市西乡塘区"}); err != nil {
				return err
			}
			continue
		case d.rng.IntN(10) == 0:
			if err := record(cordon.AssistNotFound, "户籍地查无此人，电话空号"); err != nil {
				return err
			}
			continue
		}
		for _, st := range []cordon.AssistStatus{cordon.AssistLocated, cordon.AssistTested, cordon.AssistControlled} {
			if err := record(st, ""); err != nil {
				return err
			}
		}
	}
	// A letter forwarded to Nanning is worked like Nanning's own.
	if cordon.Within(r.Target, Baise) && d.forwarded {
		return d.workForwarded()
	}
	return nil
}

// workForwarded controls the people of letters forwarded to Nanning that
// nobody there has reached yet.
func (d *assistDemo) workForwarded() error {
	s := d.s
	rs, err := s.a.AssistRequests(s.ctx, d.nanning, true, 0, 50)
	if err != nil {
		return err
	}
	for _, r := range rs {
		if r.Source != cordon.AssistForward || r.Counts.Pending == 0 {
			continue
		}
		if _, err := s.a.RecordAssistOutcome(s.ctx, d.nanning, r.ID, 1, cordon.AssistOutcome{Status: cordon.AssistControlled, Note: "居家隔离"}); err != nil {
			return err
		}
	}
	return nil
}

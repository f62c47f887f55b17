package app

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"

	"cordon"
	"cordon/internal/store"
)

// Assist requests (协查). CreateAssist addresses each person to the county
// where they are now (else where they live) and sends one letter per
// county; people of the sender's own subtree are not sent. A county this
// instance serves receives the letter at once: its people are matched to
// local person records by identity document (or registered) so that the
// receiver's orders and tests apply, and each is due 24 h from receipt. A
// county served by a peer instance gets the letter as a signed message
// (assist_peer.go), and the outcomes come back the same way.

func assistRecord(id int64) string { return "assist:" + strconv.FormatInt(id, 10) }

// AssistFanOut answers CreateAssist: the letters sent, the people left
// out because the sender's own subtree covers them, the rows refused, and
// how many rows were merged into another row of the same person.
type AssistFanOut struct {
	Requests []cordon.AssistRequest  `json:"requests"`
	Own      []AssistOwn             `json:"own"`
	Errors   []cordon.AssistRowError `json:"errors"`
	Merged   int                     `json:"merged"`
}

// AssistOwn is a person not sent because the sender covers their county.
type AssistOwn struct {
	Line   int    `json:"line"`
	Name   string `json:"name"` // masked
	County string `json:"county"`
}

// knownDivision reports whether a code names a division: one the
// directory holds, or a township or deeper under a county whose lower
// levels the directory does not hold (other provinces).
func (a *App) knownDivision(code string) bool {
	if _, ok := a.dir.Lookup(code); ok {
		return true
	}
	l, ok := cordon.LevelOf(code)
	if !ok || l == cordon.LevelProvince || l == cordon.LevelCity || l == cordon.LevelCounty {
		return false
	}
	_, county := a.dir.Lookup(code[:6])
	return county && len(a.dir.Children(code[:6])) == 0
}

// CreateAssist sends assist requests about people: one letter per county
// they are addressed to. Rows in error are answered and left out; the rest
// are sent, all letters in one transaction.
func (a *App) CreateAssist(ctx context.Context, actor cordon.Actor, in cordon.AssistInput) (AssistFanOut, error) {
	out := AssistFanOut{Requests: []cordon.AssistRequest{}, Own: []AssistOwn{}, Errors: []cordon.AssistRowError{}}
	if err := authorize(actor, cordon.PermAssistWrite); err != nil {
		return out, err
	}
	if err := in.Validate(); err != nil {
		return out, err
	}
	rules := a.personRules()
	for i := range in.People {
		p := &in.People[i]
		if p.Line == 0 {
			p.Line = i + 1
		}
		if field, code := p.Validate(rules, a.knownDivision); code != "" {
			out.Errors = append(out.Errors, cordon.AssistRowError{Line: p.Line, Field: field, Code: code})
			p.Line = -p.Line // left out
		}
	}
	// A grid's letters go out under the name of the division it lies in.
	sender, ok := a.dir.Lookup(actor.Jurisdiction)
	for code := actor.Jurisdiction; !ok && code != ""; {
		code = cordon.ParentCode(code)
		sender, ok = a.dir.Lookup(code)
	}
	if !ok {
		return out, cordon.Errorf(cordon.KindInvalid, "assist.sender_unknown", "your jurisdiction is not a division that sends letters")
	}
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		people, err := a.assistPeople(ctx, tx, actor, in.People, &out)
		if err != nil {
			return err
		}
		byCounty := map[string][]cordon.AssistPerson{}
		for _, p := range people {
			county := cordon.AssistCounty(p.Current, p.Residence)
			if actor.Sees(county) {
				out.Own = append(out.Own, AssistOwn{Line: p.Pos, Name: cordon.MaskName(p.Name), County: county})
				continue
			}
			byCounty[county] = append(byCounty[county], p)
		}
		for _, county := range slices.Sorted(maps.Keys(byCounty)) {
			for people := range slices.Chunk(byCounty[county], cordon.MaxAssistLetter) {
				r := cordon.AssistRequest{Sender: actor.Jurisdiction, SenderName: sender.Name, SentBy: actor.Username, Target: county,
					Reason: in.Reason, Source: in.Source, Contact: in.Contact}
				if err := a.openAssist(ctx, tx, &r, actor.AccountID, people, 0, 0); err != nil {
					return err
				}
				if err := audit(ctx, tx, actor, "assist.create", assistRecord(r.ID), "", r.Number+" "+strconv.Itoa(r.Counts.Total)); err != nil {
					return err
				}
				r.TargetName = a.dir.Path(r.Target)
				out.Requests = append(out.Requests, r)
			}
		}
		return nil
	})
	slices.SortFunc(out.Errors, func(x, y cordon.AssistRowError) int { return cmp.Compare(x.Line, y.Line) })
	return out, err
}

// assistPeople reads the people given by id, merges rows of the same
// person (joining their notes) and returns them in order, Pos holding the
// row's line until openAssist numbers them.
func (a *App) assistPeople(ctx context.Context, tx *store.Tx, actor cordon.Actor, rows []cordon.AssistPersonInput, out *AssistFanOut) ([]cordon.AssistPerson, error) {
	var people []cordon.AssistPerson
	seen := map[string]int{}
	for _, in := range rows {
		if in.Line < 0 {
			continue
		}
		if in.PersonID != 0 {
			p, err := tx.Person(ctx, store.ScopeOf(actor), in.PersonID)
			if cordon.ErrorKind(err) == cordon.KindNotFound {
				out.Errors = append(out.Errors, cordon.AssistRowError{Line: in.Line, Field: "person_id", Code: "assist.person_unknown"})
				continue
			}
			if err != nil {
				return nil, err
			}
			in.Name, in.DocType, in.IDNumber, in.Phone = p.Name, p.DocType, p.IDNumber, p.Phone
			in.Residence, in.Current = p.Residence, cmp.Or(in.Current, p.Current)
		}
		if cordon.AssistCounty(in.Current, in.Residence) == "" {
			out.Errors = append(out.Errors, cordon.AssistRowError{Line: in.Line, Field: "current", Code: "assist.place_unknown"})
			continue
		}
		keys := []string{in.Key(), "person:" + strconv.FormatInt(in.PersonID, 10)}
		if i, ok := seen[keys[0]]; ok || in.PersonID != 0 && seen[keys[1]] > 0 {
			if !ok {
				i = seen[keys[1]]
			}
			p := &people[i-1]
			p.Note, p.Places = cordon.MergeAssistNotes(p.Note, in.Note), cordon.MergeAssistNotes(p.Places, in.Places)
			p.Phone = cmp.Or(p.Phone, in.Phone)
			out.Merged++
			continue
		}
		people = append(people, cordon.AssistPerson{Pos: in.Line, PersonID: in.PersonID, Name: in.Name, DocType: in.DocType, IDNumber: in.IDNumber,
			Phone: in.Phone, Residence: in.Residence, Current: in.Current, Places: in.Places, Note: in.Note})
		seen[keys[0]] = len(people)
		if in.PersonID != 0 {
			seen[keys[1]] = len(people)
		}
	}
	return people, nil
}

// openAssist stores a request and its people, numbering the letter (or
// keeping the number and seq of one received from a peer). A county served
// here receives it at once; one served by a peer is queued to it.
func (a *App) openAssist(ctx context.Context, tx *store.Tx, r *cordon.AssistRequest, by int64, people []cordon.AssistPerson, year, seq int) error {
	if r.CreatedAt.IsZero() {
		r.CreatedAt = tx.Now
	}
	if r.OriginPeerID == 0 {
		year = r.CreatedAt.In(cordon.ChinaTime).Year()
		var err error
		if seq, err = tx.NextAssistSeq(ctx, r.Sender, year); err != nil {
			return err
		}
		r.Number = cordon.AssistNumber(r.SenderName, year, seq)
	}
	peer, peerName, remote, err := a.assistPeer(ctx, tx, r.Target)
	if err != nil {
		return err
	}
	r.PeerID, r.PeerName = peer, peerName
	due := r.CreatedAt.Add(cordon.AssistDue) // until the peer says when it received it
	if !remote {
		r.ReceivedAt = tx.Now
		due = tx.Now.Add(cordon.AssistDue)
	}
	r.Counts = cordon.AssistCounts{}
	for i := range people {
		p := &people[i]
		p.Pos, p.Status, p.DueAt = i+1, cordon.AssistPending, due
		if remote {
			p.PersonID = 0
		} else if err := a.takeInAssistPerson(ctx, tx, r.Target, p); err != nil {
			return err
		}
		r.Counts.Add(p.Status, false)
	}
	if err := tx.CreateAssistRequest(ctx, r, by, year, seq); err != nil {
		return err
	}
	if err := tx.AddAssistPeople(ctx, r.ID, people); err != nil {
		return err
	}
	if remote {
		return a.sendAssistRequest(ctx, tx, *r, people, year, seq)
	}
	return nil
}

// takeInAssistPerson matches a person of a received request to the local
// record with their document, or registers them in the target county, and
// places them in the county when their record has them elsewhere.
func (a *App) takeInAssistPerson(ctx context.Context, tx *store.Tx, target string, p *cordon.AssistPerson) error {
	here := target
	if cordon.Within(p.Current, target) {
		here = p.Current
	}
	id, err := tx.PersonIDByDocument(ctx, p.DocType, p.IDNumber)
	if err != nil {
		return err
	}
	if id == 0 {
		in := cordon.PersonInput{Name: p.Name, DocType: p.DocType, IDNumber: p.IDNumber, Phone: p.Phone, Residence: cmp.Or(p.Residence, here), Current: here}
		rec, err := in.Validate(a.personRules())
		if err != nil {
			// A document the sender's rules took and ours do not (an
			// address code we lack): keep the person on the letter
			// without a record.
			return nil
		}
		if err := tx.CreatePerson(ctx, &rec, 0); err != nil {
			return err
		}
		p.PersonID = rec.ID
		return nil
	}
	p.PersonID = id
	rec, err := tx.Person(ctx, store.Everywhere, id)
	if err != nil {
		return err
	}
	if !cordon.Within(rec.Residence, target) && !cordon.Within(rec.Current, target) {
		return tx.MovePerson(ctx, id, here)
	}
	return nil
}

// receivedAssist reads a request addressed to the actor's subtree and
// served here, and one of its people.
func (a *App) receivedAssist(ctx context.Context, tx *store.Tx, actor cordon.Actor, id int64, pos int) (cordon.AssistRequest, cordon.AssistPerson, error) {
	r, err := tx.AssistRequest(ctx, store.ScopeOf(actor), id)
	if err != nil {
		return r, cordon.AssistPerson{}, err
	}
	if !actor.Sees(r.Target) || r.PeerID != 0 {
		return r, cordon.AssistPerson{}, cordon.Errorf(cordon.KindForbidden, "assist.not_receiver", "only the receiving jurisdiction records this")
	}
	p, err := tx.AssistPerson(ctx, r.ID, pos)
	return r, p, err
}

// RecordAssistOutcome records how far the receiver got with a person:
// located, contacted, tested, controlled or not found, at a time (now by
// default), by the actor.
func (a *App) RecordAssistOutcome(ctx context.Context, actor cordon.Actor, id int64, pos int, o cordon.AssistOutcome) (cordon.AssistPerson, error) {
	var p cordon.AssistPerson
	if err := authorize(actor, cordon.PermAssistWrite); err != nil {
		return p, err
	}
	if err := o.Validate(a.now()); err != nil {
		return p, err
	}
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		r, old, err := a.receivedAssist(ctx, tx, actor, id, pos)
		if err != nil {
			return err
		}
		if err := cordon.CheckAssistStep(old.Status, o.Status); err != nil {
			return err
		}
		p = old
		p.Status, p.StatusNote, p.UpdatedBy, p.UpdatedAt = o.Status, o.Note, actor.Username, tx.Now
		switch o.Status {
		case cordon.AssistLocated:
			p.LocatedAt = o.At
		case cordon.AssistContacted:
			p.ContactedAt = o.At
		case cordon.AssistTested:
			p.TestedAt = o.At
		case cordon.AssistControlled:
			p.ControlledAt = o.At
		case cordon.AssistNotFound:
			p.ClosedAt = o.At
		}
		if err := tx.UpdateAssistPerson(ctx, p); err != nil {
			return err
		}
		if err := a.reportAssist(ctx, tx, r, p); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "assist.outcome", assistRecord(r.ID), "", strconv.Itoa(pos)+" "+string(o.Status))
	})
	a.presentAssistPerson(actor, &p)
	return p, err
}

// AssignAssistGrid assigns a person of a received request to a grid under
// the target county.
func (a *App) AssignAssistGrid(ctx context.Context, actor cordon.Actor, id int64, pos int, grid string) (cordon.AssistPerson, error) {
	var p cordon.AssistPerson
	if err := authorize(actor, cordon.PermAssistWrite); err != nil {
		return p, err
	}
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		r, old, err := a.receivedAssist(ctx, tx, actor, id, pos)
		if err != nil {
			return err
		}
		if old.Status.Final() {
			return cordon.Errorf(cordon.KindConflict, "assist.person_closed", "this person's outcome is final")
		}
		if l, _ := cordon.LevelOf(grid); l != cordon.LevelGrid || !cordon.Within(grid, r.Target) || !actor.Sees(grid) {
			return cordon.Errorf(cordon.KindInvalid, "assist.grid_invalid", "choose a grid in the county").WithField("grid", "assist.grid_invalid")
		}
		if _, err := tx.Grid(ctx, grid); err != nil {
			return cordon.Errorf(cordon.KindInvalid, "assist.grid_invalid", "no such grid").WithField("grid", "assist.grid_invalid")
		}
		p = old
		p.Grid, p.UpdatedBy, p.UpdatedAt = grid, actor.Username, tx.Now
		if err := tx.UpdateAssistPerson(ctx, p); err != nil {
			return err
		}
		if err := a.reportAssist(ctx, tx, r, p); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "assist.assign", assistRecord(r.ID), "", strconv.Itoa(pos)+" "+grid)
	})
	a.presentAssistPerson(actor, &p)
	return p, err
}

// AssistForward is where a person moved on to: a division code (county or
// deeper) and what the receiver knows.
type AssistForward struct {
	To      string `json:"to"`
	Note    string `json:"note,omitempty"`
	Contact string `json:"contact,omitempty"`
}

// ForwardAssist records that a person moved on and sends a new request
// about them to the county they went to, linked to this one; the person's
// row names it.
func (a *App) ForwardAssist(ctx context.Context, actor cordon.Actor, id int64, pos int, in AssistForward) (cordon.AssistRequest, error) {
	var next cordon.AssistRequest
	if err := authorize(actor, cordon.PermAssistWrite); err != nil {
		return next, err
	}
	o := cordon.AssistOutcome{Note: in.Note}
	if err := o.Validate(a.now()); err != nil {
		return next, err
	}
	county := cordon.AssistCounty(in.To, "")
	if county == "" || !a.knownDivision(in.To) {
		return next, cordon.Errorf(cordon.KindInvalid, "assist.division_unknown", "give the county or place the person went to").WithField("to", "assist.division_unknown")
	}
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		r, p, err := a.receivedAssist(ctx, tx, actor, id, pos)
		if err != nil {
			return err
		}
		if p.Status.Final() {
			return cordon.Errorf(cordon.KindConflict, "assist.person_closed", "this person's outcome is final")
		}
		if county == r.Target {
			return cordon.Errorf(cordon.KindInvalid, "assist.forward_same", "the person is still in this county").WithField("to", "assist.forward_same")
		}
		from, _ := a.dir.Lookup(r.Target)
		next = cordon.AssistRequest{Sender: r.Target, SenderName: from.Name, SentBy: actor.Username, Target: county,
			Reason: r.Reason + "（转" + r.Number + "）", Source: cordon.AssistForward, Contact: in.Contact, ParentID: r.ID}
		moved := p
		moved.Current, moved.Note, moved.Grid = in.To, cordon.MergeAssistNotes(p.Note, in.Note), ""
		if err := a.openAssist(ctx, tx, &next, actor.AccountID, []cordon.AssistPerson{moved}, 0, 0); err != nil {
			return err
		}
		p.Status, p.ClosedAt, p.StatusNote, p.UpdatedBy, p.UpdatedAt = cordon.AssistMovedOn, o.At, o.Note, actor.Username, tx.Now
		p.ForwardedTo, p.ForwardedTarget = next.ID, county
		if err := tx.UpdateAssistPerson(ctx, p); err != nil {
			return err
		}
		if err := a.reportAssist(ctx, tx, r, p); err != nil {
			return err
		}
		if err := audit(ctx, tx, actor, "assist.forward", assistRecord(r.ID), "", strconv.Itoa(pos)+" "+next.Number); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "assist.create", assistRecord(next.ID), "", next.Number+" 1")
	})
	next.TargetName = a.dir.Path(next.Target)
	return next, err
}

// AssistRequests lists the requests sent from the actor's subtree, or
// received by it, newest first, with their counts. The list names no one.
func (a *App) AssistRequests(ctx context.Context, actor cordon.Actor, received bool, after int64, limit int) ([]cordon.AssistRequest, error) {
	if err := authorize(actor, cordon.PermAssistRead); err != nil {
		return nil, err
	}
	var out []cordon.AssistRequest
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.AssistRequests(ctx, store.ScopeOf(actor), received, a.now(), after, limit)
		return err
	})
	for i := range out {
		a.nameAssist(ctx, &out[i])
	}
	return out, err
}

func (a *App) nameAssist(ctx context.Context, r *cordon.AssistRequest) {
	r.TargetName = a.dir.Path(r.Target)
	if r.PeerID != 0 && r.PeerName == "" {
		r.PeerName = a.peerName(ctx, r.PeerID)
	}
}

// AssistRequest reads a request sent from or to the actor's subtree with
// its people: a read of personal data, audited and masked by role.
func (a *App) AssistRequest(ctx context.Context, actor cordon.Actor, id int64) (cordon.AssistRequest, error) {
	return a.readAssist(ctx, actor, id, "assist.read", "")
}

func (a *App) readAssist(ctx context.Context, actor cordon.Actor, id int64, action, detail string) (cordon.AssistRequest, error) {
	r, err := a.loadAssist(ctx, actor, id)
	if err == nil {
		err = a.recordRead(ctx, actor, action, assistRecord(id), "", strings.TrimSpace(r.Number+" "+detail))
	}
	if err != nil {
		return cordon.AssistRequest{}, err
	}
	a.nameAssist(ctx, &r)
	for i := range r.People {
		a.presentAssistPerson(actor, &r.People[i])
	}
	return r, nil
}

// AssistProgress reads a request's counts and where each person stands,
// by position, without who they are: the sender's page refreshes it, and
// as it names no one it is not audited.
func (a *App) AssistProgress(ctx context.Context, actor cordon.Actor, id int64) (cordon.AssistRequest, error) {
	r, err := a.loadAssist(ctx, actor, id)
	for i := range r.People {
		p := &r.People[i]
		*p = cordon.AssistPerson{ID: p.ID, RequestID: p.RequestID, Pos: p.Pos, Grid: p.Grid, Status: p.Status, DueAt: p.DueAt,
			LocatedAt: p.LocatedAt, ContactedAt: p.ContactedAt, TestedAt: p.TestedAt, ControlledAt: p.ControlledAt, ClosedAt: p.ClosedAt,
			UpdatedBy: p.UpdatedBy, UpdatedAt: p.UpdatedAt, ForwardedTo: p.ForwardedTo, ForwardedTarget: p.ForwardedTarget, Masked: true}
	}
	a.nameAssist(ctx, &r)
	return r, err
}

// loadAssist reads a request of the actor's subtree with its counts and
// people, as stored: the caller audits and masks.
func (a *App) loadAssist(ctx context.Context, actor cordon.Actor, id int64) (cordon.AssistRequest, error) {
	var r cordon.AssistRequest
	if err := authorize(actor, cordon.PermAssistRead); err != nil {
		return r, err
	}
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		if r, err = tx.AssistRequest(ctx, store.ScopeOf(actor), id); err != nil {
			return err
		}
		if err := tx.CountAssist(ctx, &r, a.now()); err != nil {
			return err
		}
		r.People, err = tx.AssistPeople(ctx, id)
		return err
	})
	return r, err
}

func (a *App) presentAssistPerson(actor cordon.Actor, p *cordon.AssistPerson) {
	if !actor.Can(cordon.PermPersonReadFull) {
		p.Mask()
	}
}

// OverdueAssist lists the people of requests received in the actor's
// subtree who are past due without a final outcome (cordon.AssistPerson
// Overdue): the escalation list of the target's commanders. Audited and
// masked by role.
func (a *App) OverdueAssist(ctx context.Context, actor cordon.Actor, limit int) ([]cordon.AssistOverdue, error) {
	if err := authorize(actor, cordon.PermAssistRead); err != nil {
		return nil, err
	}
	var out []cordon.AssistOverdue
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.OverdueAssist(ctx, store.ScopeOf(actor), a.now(), limit)
		return err
	})
	if err == nil && len(out) > 0 {
		err = a.recordRead(ctx, actor, "assist.overdue", "jurisdiction:"+actor.Jurisdiction, "", strconv.Itoa(len(out)))
	}
	if err != nil {
		return nil, err
	}
	for i := range out {
		a.presentAssistPerson(actor, &out[i].AssistPerson)
		out[i].TargetName = a.dir.Path(out[i].Target)
	}
	return out, nil
}

// CountOverdueAssist counts the people OverdueAssist lists.
func (a *App) CountOverdueAssist(ctx context.Context, actor cordon.Actor) (int, error) {
	if err := authorize(actor, cordon.PermAssistRead); err != nil {
		return 0, err
	}
	var n int
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.CountOverdueAssist(ctx, store.ScopeOf(actor), a.now())
		return err
	})
	return n, err
}

// Escalates reports whether the actor is one the overdue people escalate
// to: the commanders (and administrators) of the jurisdictions concerned.
func Escalates(actor cordon.Actor) bool {
	return actor.Can(cordon.PermAssistRead) && (actor.Role == cordon.RoleCommander || actor.Role == cordon.RoleAdmin)
}

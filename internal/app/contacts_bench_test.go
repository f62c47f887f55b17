package app_test

import (
	"fmt"
	"iter"
	"math/rand/v2"
	"testing"
	"time"

	"cordon"
	"cordon/internal/store"
)

// BenchmarkChainsWithContacts builds the chains of a county with 10,000
// cases, 5,000 links and 200,000 close contacts through app.Chains: the
// cases, links and contact exposures read from SQLite, then the clusters,
// generations and superspreaders (target ≤ 1 s).
func BenchmarkChainsWithContacts(b *testing.B) {
	const cases, links, contacts = 10_000, 5_000, 200_000
	f := newFixture(b)
	epi := f.account(cordon.RoleEpidemiologist, debao).Actor()
	seq := func(yield func(cordon.PersonInput) bool) {
		for i := range cases {
			if !yield(cordon.PersonInput{Name: fmt.Sprintf("韦%d", i), IDNumber: idNumber(benchAddress, int64(i)), Residence: chengdong}) {
				return
			}
		}
	}
	if _, err := f.app.ImportPersons(f.ctx, epi, iter.Seq[cordon.PersonInput](seq)); err != nil {
		b.Fatal(err)
	}
	var persons []cordon.Person
	err := f.db.Read(f.ctx, func(tx *store.Tx) error {
		var after int64
		for {
			page, err := tx.Persons(f.ctx, store.Everywhere, cordon.PersonFilter{After: after, Limit: store.MaxLimit})
			if err != nil || len(page) == 0 {
				return err
			}
			persons = append(persons, page...)
			after = page[len(page)-1].ID
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var ids []int64
	err = f.db.Transact(f.ctx, func(tx *store.Tx) error {
		for _, p := range persons {
			c := cordon.Case{Classification: cordon.Confirmed, Origin: cordon.Local, Jurisdiction: chengdong, DetectedAt: tx.Now.Add(-time.Duration(rng.IntN(600)) * time.Hour)}
			if err := tx.CreateCase(f.ctx, &c, tx.IdentityOf(p), 0); err != nil {
				return err
			}
			ids = append(ids, c.ID)
		}
		for range links {
			// Earlier cases infect later ones: no cycles.
			i, j := rng.IntN(len(ids)), rng.IntN(len(ids))
			if i == j {
				continue
			}
			if i > j {
				i, j = j, i
			}
			err := tx.AddCaseLink(f.ctx, cordon.Link{From: ids[i], To: ids[j], Evidence: "bench", Confidence: cordon.LinkProbable}, 0)
			if err != nil && cordon.ErrorCode(err) != "chain.link_exists" {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for start := 0; start < contacts; start += 20_000 {
		err = f.db.Transact(f.ctx, func(tx *store.Tx) error {
			for i := start; i < start+20_000; i++ {
				c := cordon.Contact{Kind: cordon.CloseContact, Jurisdiction: chengdong}
				k := f.db.ContactKey(cordon.ContactIdentity{Name: fmt.Sprintf("密%d", i), Phone: phoneNumber(int64(i))})
				if err := tx.CreateContact(f.ctx, &c, k, 0); err != nil {
					return err
				}
				e := cordon.ContactExposure{ContactID: c.ID, Kind: cordon.CloseContact, SourceCase: ids[rng.IntN(len(ids))], Situation: cordon.SituationMeal,
					FirstAt: tx.Now.Add(-48 * time.Hour), LastAt: tx.Now.Add(-24 * time.Hour)}
				if err := tx.AddExposure(f.ctx, &e, 0, "bench"); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		v, err := f.app.Chains(f.ctx, epi)
		if err != nil {
			b.Fatal(err)
		}
		if len(v.Nodes) != cases {
			b.Fatalf("%d nodes", len(v.Nodes))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/chains")
}

package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"cordon"
	"cordon/internal/store"
)

// TestBatch checks group commit: concurrent writers share transactions, one
// writer's failure or panic rolls back only its own work, and every
// acknowledged write is there afterwards.
func TestBatch(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const n = 200
		var wg sync.WaitGroup
		errs := make([]error, n)
		ids := make([]int64, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = db.Batch(ctx, func(tx *store.Tx) error {
					p := newPerson(t, i+1)
					if err := tx.CreatePerson(ctx, &p, 0); err != nil {
						return err
					}
					ids[i] = p.ID
					switch i % 10 {
					case 3: // fails after writing: its person must vanish
						return errors.New("writer gave up")
					case 7: // panics after writing: likewise
						panic("writer crashed")
					}
					return nil
				})
			}()
		}
		wg.Wait()
		for i, err := range errs {
			failed := i%10 == 3 || i%10 == 7
			if failed != (err != nil) {
				t.Fatalf("writer %d: err = %v", i, err)
			}
			// Ids of rolled-back rows are given out again, so look the
			// person up by document.
			want := newPerson(t, i+1)
			err = db.Read(ctx, func(tx *store.Tx) error {
				_, err := tx.PersonByDocument(ctx, store.Everywhere, want.DocType, want.IDNumber)
				return err
			})
			if failed && cordon.ErrorKind(err) != cordon.KindNotFound {
				t.Errorf("writer %d failed but its person %d is stored (%v)", i, ids[i], err)
			}
			if !failed && err != nil {
				t.Errorf("writer %d was acknowledged but its person %d is missing: %v", i, ids[i], err)
			}
		}
		// A duplicate inside a batch is a Conflict for that writer alone.
		p := newPerson(t, 1)
		err := db.Batch(ctx, func(tx *store.Tx) error { return tx.CreatePerson(ctx, &p, 0) })
		if cordon.ErrorKind(err) != cordon.KindConflict {
			t.Fatalf("duplicate in a batch: %v", err)
		}
	})
}

func TestBatchAfterClose(t *testing.T) {
	db := openSQLite(t, store.Options{Vault: testVault(t)})
	db.Close()
	if err := db.Batch(context.Background(), func(*store.Tx) error { return nil }); err == nil {
		t.Fatal("Batch after Close succeeded")
	}
}

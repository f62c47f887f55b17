package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"cordon/internal/store"
	"cordon/internal/vault"
)

// TestResealRetiresAnOldKey rotates the data key: persons sealed under the
// old key stay readable with it as an old key, Reseal re-encrypts them, and
// afterwards a vault without the old key reads every one, found through the
// unchanged blind index.
func TestResealRetiresAnOldKey(t *testing.T) {
	ctx := context.Background()
	key := func() []byte {
		k, err := vault.ParseKey(vault.NewKey())
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	oldKey, newKey, indexKey := key(), key(), key()
	vaultOf := func(current []byte, old ...[]byte) *vault.Vault {
		v, err := vault.New(current, old, indexKey)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "cordon.db")

	db := openMigrated(t, dsn, store.Options{Vault: vaultOf(oldKey)})
	const n = 25
	for i := 1; i <= n; i++ {
		createPerson(t, db, i, withPhone(phoneOf(i)))
	}
	db.Close()

	db = openMigrated(t, dsn, store.Options{Vault: vaultOf(newKey, oldKey)})
	createPerson(t, db, n+1, withPhone(phoneOf(n+1))) // sealed with the new key already
	got, err := db.Reseal(ctx, 10)
	if err != nil || got != n {
		t.Fatalf("Reseal = %d, %v; want %d", got, err, n)
	}
	if again, err := db.Reseal(ctx, 10); err != nil || again != 0 {
		t.Fatalf("second Reseal = %d, %v; want 0", again, err)
	}
	db.Close()

	db = openMigrated(t, dsn, store.Options{Vault: vaultOf(newKey)})
	for i := 1; i <= n+1; i++ {
		want := newPerson(t, i, withPhone(phoneOf(i)))
		err := db.Read(ctx, func(tx *store.Tx) error {
			p, err := tx.PersonByDocument(ctx, store.Everywhere, want.DocType, want.IDNumber)
			if err == nil && (p.IDNumber != want.IDNumber || p.Phone != want.Phone) {
				t.Errorf("person %d reads %q %q", i, p.IDNumber, p.Phone)
			}
			return err
		})
		if err != nil {
			t.Fatalf("person %d after the old key was retired: %v", i, err)
		}
	}
}

func phoneOf(i int) string {
	return "1390000" + string(rune('0'+i/1000%10)) + string(rune('0'+i/100%10)) + string(rune('0'+i/10%10)) + string(rune('0'+i%10))
}

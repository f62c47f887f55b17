package store_test

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cordon"
	"cordon/internal/store"
)

var ctx = context.Background()

func TestMigrate(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		// eachDB migrated once already: a second run applies nothing.
		applied, err := db.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != 0 {
			t.Errorf("second Migrate applied %v, want nothing", applied)
		}
		v, err := db.SchemaVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if v == "" {
			t.Error("SchemaVersion is empty after Migrate")
		}
	})
}

func TestMigrateFresh(t *testing.T) {
	test := func(t *testing.T, dsn string) {
		db := openUnmigrated(t, dsn, store.Options{})
		applied, err := db.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) == 0 || applied[0] != "0001_foundation" {
			t.Fatalf("first Migrate applied %v, want 0001_foundation first", applied)
		}
		v, err := db.SchemaVersion(ctx)
		if err != nil || v != applied[len(applied)-1] {
			t.Errorf("SchemaVersion = %q, %v; want %q", v, err, applied[len(applied)-1])
		}
		again, err := db.Migrate(ctx)
		if err != nil || len(again) != 0 {
			t.Errorf("second Migrate = %v, %v; want nothing", again, err)
		}
	}
	t.Run("sqlite", func(t *testing.T) { test(t, "sqlite:"+filepath.Join(t.TempDir(), "fresh.db")) })
	t.Run("postgres", func(t *testing.T) { test(t, postgresSchema(t)) })
}

// TestSchemasMatch holds the two migration directories together: both
// databases must end up with the same tables and columns.
func TestSchemasMatch(t *testing.T) {
	lite := openSQLite(t, store.Options{})
	pg := openPostgres(t, store.Options{})
	a, err := lite.Columns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := pg.Columns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) == 0 {
		t.Fatal("SQLite has no columns")
	}
	// Scan-ins are staged in a log and kept in packed blocks on SQLite,
	// in rows on PostgreSQL (scanlog.go).
	a = slices.DeleteFunc(a, func(c string) bool {
		return strings.HasPrefix(c, "scan_in_log.") || strings.HasPrefix(c, "scan_venue_blocks.") || strings.HasPrefix(c, "scan_person_blocks.")
	})
	b = slices.DeleteFunc(b, func(c string) bool { return strings.HasPrefix(c, "scan_ins.") })
	for _, c := range a {
		if !slices.Contains(b, c) {
			t.Errorf("%s is in SQLite only", c)
		}
	}
	for _, c := range b {
		if !slices.Contains(a, c) {
			t.Errorf("%s is in PostgreSQL only", c)
		}
	}
	if !slices.Equal(a, b) && !t.Failed() {
		t.Errorf("columns differ in order:\nsqlite:   %v\npostgres: %v", a, b)
	}
}

func TestPersonCreateReadUpdate(t *testing.T) {
	clk := newClock()
	eachDBWith(t, store.Options{Now: clk.Now}, func(t *testing.T, db *store.DB) {
		p := createPerson(t, db, 1, withName("张三"), withPhone("+86 138-0013-8000"), withCurrent(village))
		if p.ID == 0 || p.Version != 1 || !p.CreatedAt.Equal(clk.Now()) {
			t.Fatalf("created person = %+v, want an id, version 1, created now", p)
		}
		var got cordon.Person
		read(t, db, func(tx *store.Tx) (err error) {
			got, err = tx.Person(ctx, store.Everywhere, p.ID)
			return err
		})
		want := p
		if got != want {
			t.Fatalf("Person =\n%+v\nwant\n%+v", got, want)
		}
		if got.Phone != "13800138000" || got.Sex != cordon.SexFemale || got.BirthDate != "1950-01-01" {
			t.Errorf("stored phone, sex, birth = %q, %q, %q", got.Phone, got.Sex, got.BirthDate)
		}

		clk.Advance(time.Minute)
		upd := got
		upd.Name = "张叁"
		write(t, db, func(tx *store.Tx) error { return tx.UpdatePerson(ctx, store.Everywhere, &upd, 1) })
		if upd.Name != "张叁" || upd.Version != 2 || !upd.UpdatedAt.Equal(clk.Now()) || !upd.CreatedAt.Equal(p.CreatedAt) {
			t.Fatalf("updated person = %+v, want the new name, version 2, updated now", upd)
		}

		tests := []struct {
			name    string
			id      int64
			version int
			scope   store.Scope
			kind    cordon.Kind
			code    string
		}{
			{"stale version", p.ID, 1, store.Everywhere, cordon.KindConflict, "person.version_conflict"},
			{"current version", p.ID, 2, store.Everywhere, 0, ""},
			{"no version check", p.ID, 0, store.Everywhere, 0, ""},
			{"missing person", 0, 0, store.Everywhere, cordon.KindNotFound, "person.not_found"},
			{"outside the scope", p.ID, 0, store.Inside(nanning), cordon.KindNotFound, "person.not_found"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				q := upd
				if tt.id == 0 { // another document, so that no duplicate is found first
					q.ID, q.IDNumber = p.ID+1000, citizenID(500)
				}
				err := db.Transact(ctx, func(tx *store.Tx) error { return tx.UpdatePerson(ctx, tt.scope, &q, tt.version) })
				if tt.code == "" {
					if err != nil {
						t.Fatal(err)
					}
					return
				}
				wantKind(t, err, tt.kind, tt.code)
			})
		}
	})
}

func TestPersonDuplicateDocument(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		first := createPerson(t, db, 1, withResidence(nanning))
		other := createPerson(t, db, 2)

		tests := []struct {
			name string
			fn   func(tx *store.Tx) error
		}{
			{"create with a registered number, in another jurisdiction", func(tx *store.Tx) error {
				p := newPerson(t, 1, withName("另一个人"))
				return tx.CreatePerson(ctx, &p, 0)
			}},
			{"update to a registered number", func(tx *store.Tx) error {
				p := other
				p.IDNumber = first.IDNumber
				return tx.UpdatePerson(ctx, store.Everywhere, &p, 0)
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := db.Transact(ctx, tt.fn)
				wantKind(t, err, cordon.KindConflict, "person.duplicate")
				var ce *cordon.Error
				if !errors.As(err, &ce) || ce.Extra["id"] != first.ID {
					t.Fatalf("Extra = %v, want id %d", ce.Extra, first.ID)
				}
			})
		}

		// The same number on another document is another person.
		passport := createPerson(t, db, 3, withDocument(cordon.DocPassport, "E12345678"))
		hk := createPerson(t, db, 4, withDocument(cordon.DocHKMacaoPermit, "E12345678"))
		if passport.ID == hk.ID {
			t.Fatal("one number on two document types made one person")
		}
	})
}

func TestPersonByDocument(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		p := createPerson(t, db, 1)
		pp := createPerson(t, db, 2, withDocument(cordon.DocPassport, "e 1234-5678"))
		tests := []struct {
			name     string
			doc      cordon.DocType
			number   string
			wantID   int64
			notFound bool
		}{
			{"citizen ID", cordon.DocCitizenID, p.IDNumber, p.ID, false},
			{"passport, normalised", cordon.DocPassport, "E12345678", pp.ID, false},
			{"right number, wrong document", cordon.DocPassport, p.IDNumber, 0, true},
			{"unknown number", cordon.DocCitizenID, citizenID(99), 0, true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var got cordon.Person
				err := db.Read(ctx, func(tx *store.Tx) (err error) {
					got, err = tx.PersonByDocument(ctx, store.Everywhere, tt.doc, tt.number)
					return err
				})
				if tt.notFound {
					wantKind(t, err, cordon.KindNotFound, "person.not_found")
					return
				}
				if err != nil || got.ID != tt.wantID {
					t.Fatalf("PersonByDocument = %d, %v; want %d", got.ID, err, tt.wantID)
				}
			})
		}
	})
}

func TestPersonScope(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		inNanning := createPerson(t, db, 1, withResidence(nanning))
		visiting := createPerson(t, db, 2, withResidence(nanning), withCurrent(village))
		tests := []struct {
			name    string
			p       cordon.Person
			scope   store.Scope
			visible bool
		}{
			{"residence outside", inNanning, store.Inside("451000"), false},
			{"residence inside the province", inNanning, store.Inside("450000"), true},
			{"residence is the scope", inNanning, store.Inside(nanning), true},
			{"current inside, residence elsewhere", visiting, store.Inside(village), true},
			{"current inside the county", visiting, store.Inside(addressCode), true},
			{"current inside the city", visiting, store.Inside("451000"), true},
			{"neither inside", visiting, store.Inside("440000"), false},
			{"zero scope", inNanning, store.Scope{}, false},
			{"malformed code", inNanning, store.Inside("45"), false},
			{"everywhere", inNanning, store.Everywhere, true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				read(t, db, func(tx *store.Tx) error {
					_, err := tx.Person(ctx, tt.scope, tt.p.ID)
					checkVisible(t, "Person", err, tt.visible)
					_, err = tx.PersonByDocument(ctx, tt.scope, cordon.DocCitizenID, tt.p.IDNumber)
					checkVisible(t, "PersonByDocument", err, tt.visible)
					list, err := tx.Persons(ctx, tt.scope, cordon.PersonFilter{IDNumber: tt.p.IDNumber})
					if err != nil {
						return err
					}
					if listed := len(list) == 1; listed != tt.visible {
						t.Errorf("Persons lists it: %v, want %v", listed, tt.visible)
					}
					n, err := tx.CountPersons(ctx, tt.scope)
					if err != nil {
						return err
					}
					if n == 0 && tt.visible {
						t.Error("CountPersons = 0 for a visible person")
					}
					return nil
				})
			})
		}
	})
}

func checkVisible(t *testing.T, what string, err error, visible bool) {
	t.Helper()
	switch {
	case visible && err != nil:
		t.Errorf("%s: %v, want the person", what, err)
	case !visible && cordon.ErrorKind(err) != cordon.KindNotFound:
		t.Errorf("%s: %v, want not found", what, err)
	}
}

func TestPersonsList(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		zhang3 := createPerson(t, db, 1, withName("张三"), withPhone("13800138000"))
		zhang4 := createPerson(t, db, 2, withName("张四"), withResidence(nanning), withCurrent(village))
		li5 := createPerson(t, db, 3, withName("李五"), withPhone("13900139000"))
		zhangwei := createPerson(t, db, 4, withName("张伟"), withResidence(nanning))
		tests := []struct {
			name  string
			scope store.Scope
			f     cordon.PersonFilter
			want  []int64
		}{
			{"all, newest first", store.Everywhere, cordon.PersonFilter{}, []int64{zhangwei.ID, li5.ID, zhang4.ID, zhang3.ID}},
			{"name prefix", store.Everywhere, cordon.PersonFilter{Query: "张"}, []int64{zhangwei.ID, zhang4.ID, zhang3.ID}},
			{"full name", store.Everywhere, cordon.PersonFilter{Query: "张三"}, []int64{zhang3.ID}},
			{"name prefix in scope", store.Inside("451000"), cordon.PersonFilter{Query: "张"}, []int64{zhang4.ID, zhang3.ID}},
			{"no such name", store.Everywhere, cordon.PersonFilter{Query: "王"}, nil},
			{"phone", store.Everywhere, cordon.PersonFilter{Phone: "13900139000"}, []int64{li5.ID}},
			{"unknown phone", store.Everywhere, cordon.PersonFilter{Phone: "13700137000"}, nil},
			{"ID number", store.Everywhere, cordon.PersonFilter{IDNumber: zhang4.IDNumber}, []int64{zhang4.ID}},
			{"jurisdiction", store.Everywhere, cordon.PersonFilter{Jurisdiction: nanning}, []int64{zhangwei.ID, zhang4.ID}},
			{"jurisdiction outside the scope", store.Inside("451000"), cordon.PersonFilter{Jurisdiction: nanning}, []int64{zhang4.ID}},
			{"after", store.Everywhere, cordon.PersonFilter{After: li5.ID}, []int64{zhang4.ID, zhang3.ID}},
			{"limit", store.Everywhere, cordon.PersonFilter{Limit: 1}, []int64{zhangwei.ID}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var got []cordon.Person
				read(t, db, func(tx *store.Tx) (err error) {
					got, err = tx.Persons(ctx, tt.scope, tt.f)
					return err
				})
				if ids := personIDs(got); !slices.Equal(ids, tt.want) {
					t.Errorf("Persons = %v, want %v", ids, tt.want)
				}
			})
		}

		t.Run("cursor pagination", func(t *testing.T) {
			var all []int64
			f := cordon.PersonFilter{Limit: 3}
			for page := 0; ; page++ {
				if page > 10 {
					t.Fatal("pagination does not end")
				}
				var got []cordon.Person
				read(t, db, func(tx *store.Tx) (err error) {
					got, err = tx.Persons(ctx, store.Everywhere, f)
					return err
				})
				if len(got) == 0 {
					break
				}
				all = append(all, personIDs(got)...)
				f.After = got[len(got)-1].ID
			}
			want := []int64{zhangwei.ID, li5.ID, zhang4.ID, zhang3.ID}
			if !slices.Equal(all, want) {
				t.Errorf("pages = %v, want %v", all, want)
			}
		})
	})
}

func personIDs(ps []cordon.Person) []int64 {
	var ids []int64
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	return ids
}

func TestPersonMerge(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		keep := createPerson(t, db, 1, withName("王五"))
		drop := createPerson(t, db, 2, withName("王五"), withDocument(cordon.DocPassport, "E7654321"))
		write(t, db, func(tx *store.Tx) error { return tx.MergePersons(ctx, store.Inside(addressCode), keep.ID, drop.ID) })

		read(t, db, func(tx *store.Tx) error {
			got, err := tx.PersonByDocument(ctx, store.Everywhere, cordon.DocPassport, "E7654321")
			if err != nil || got.ID != keep.ID {
				t.Errorf("lookup of the dropped document = %d, %v; want the survivor %d", got.ID, err, keep.ID)
			}
			kept, err := tx.Person(ctx, store.Everywhere, keep.ID)
			if err != nil || kept.MergedInto != 0 {
				t.Errorf("survivor = %+v, %v", kept, err)
			}
			dropped, err := tx.Person(ctx, store.Everywhere, drop.ID)
			if err != nil || dropped.MergedInto != keep.ID || dropped.IDNumber != "E7654321" {
				t.Errorf("dropped record = %+v, %v; want it readable, merged into %d", dropped, err, keep.ID)
			}
			list, err := tx.Persons(ctx, store.Everywhere, cordon.PersonFilter{Query: "王五"})
			if ids := personIDs(list); err != nil || !slices.Equal(ids, []int64{keep.ID}) {
				t.Errorf("Persons = %v, %v; want only the survivor", ids, err)
			}
			if n, err := tx.CountPersons(ctx, store.Everywhere); err != nil || n != 1 {
				t.Errorf("CountPersons = %d, %v; want 1", n, err)
			}
			return nil
		})

		t.Run("dropped document registered again", func(t *testing.T) {
			err := db.Transact(ctx, func(tx *store.Tx) error {
				p := newPerson(t, 9, withDocument(cordon.DocPassport, "E7654321"))
				return tx.CreatePerson(ctx, &p, 0)
			})
			wantKind(t, err, cordon.KindConflict, "person.duplicate")
			var ce *cordon.Error
			if !errors.As(err, &ce) || ce.Extra["id"] != keep.ID {
				t.Errorf("Extra = %v, want the survivor %d", ce.Extra, keep.ID)
			}
		})

		third := createPerson(t, db, 3)
		tests := []struct {
			name       string
			keep, drop int64
			scope      store.Scope
			kind       cordon.Kind
			code       string
		}{
			{"into itself", keep.ID, keep.ID, store.Everywhere, cordon.KindInvalid, "person.merge_self"},
			{"dropped already", keep.ID, drop.ID, store.Everywhere, cordon.KindConflict, "person.merged_already"},
			{"into a dropped record", drop.ID, third.ID, store.Everywhere, cordon.KindConflict, "person.merged_already"},
			{"outside the scope", keep.ID, third.ID, store.Inside(nanning), cordon.KindNotFound, "person.not_found"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := db.Transact(ctx, func(tx *store.Tx) error { return tx.MergePersons(ctx, tt.scope, tt.keep, tt.drop) })
				wantKind(t, err, tt.kind, tt.code)
			})
		}
	})
}

// TestPersonEncryptedAtRest searches the SQLite files for the identity
// number and phone: they must be found nowhere, while the name, stored in
// the clear, must be found, which proves that the search works.
func TestPersonEncryptedAtRest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cordon.db")
	db := openMigrated(t, "sqlite:"+path, store.Options{})
	const phone = "13812345678"
	p := createPerson(t, db, 7, withName("赵明远"), withPhone("138 1234 5678"), withCurrent(village))
	if p.Phone != phone {
		t.Fatalf("phone normalised to %q", p.Phone)
	}
	if err := db.ExecForTest(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	var files [][]byte
	for _, name := range []string{path, path + "-wal", path + "-journal"} {
		b, err := os.ReadFile(name)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, b)
	}
	found := func(s string) bool {
		for _, b := range files {
			if bytes.Contains(b, []byte(s)) {
				return true
			}
		}
		return false
	}
	if !found(p.Name) {
		t.Fatal("the name is not in the database files: the search is broken")
	}
	for _, secret := range []string{p.IDNumber, p.IDNumber[:6] + p.IDNumber[14:], phone, "138 1234 5678", phone[3:]} {
		if found(secret) {
			t.Errorf("%q is in the database files in the clear", secret)
		}
	}
}

func TestAccounts(t *testing.T) {
	clk := newClock()
	eachDBWith(t, store.Options{Now: clk.Now}, func(t *testing.T, db *store.DB) {
		a := createAccount(t, db, "li.ming", village)
		if a.ID == 0 || !a.CreatedAt.Equal(clk.Now()) {
			t.Fatalf("account = %+v", a)
		}

		t.Run("username taken", func(t *testing.T) {
			dup := cordon.Account{Username: "li.ming", DisplayName: "x", Role: cordon.RoleViewer, Jurisdiction: nanning}
			err := db.Transact(ctx, func(tx *store.Tx) error { return tx.CreateAccount(ctx, &dup, "h") })
			wantKind(t, err, cordon.KindConflict, "account.username_taken")
		})

		t.Run("by username", func(t *testing.T) {
			read(t, db, func(tx *store.Tx) error {
				got, hash, err := tx.AccountByUsername(ctx, "li.ming")
				if err != nil {
					return err
				}
				if got != a || hash != "hash-of-li.ming" {
					t.Errorf("AccountByUsername = %+v, %q; want %+v", got, hash, a)
				}
				_, _, err = tx.AccountByUsername(ctx, "nobody")
				wantKind(t, err, cordon.KindNotFound, "account.not_found")
				return nil
			})
		})

		t.Run("scope", func(t *testing.T) {
			other := createAccount(t, db, "wang", nanning)
			read(t, db, func(tx *store.Tx) error {
				if _, err := tx.Account(ctx, store.Inside("451000"), a.ID); err != nil {
					t.Errorf("account in its city: %v", err)
				}
				_, err := tx.Account(ctx, store.Inside("451000"), other.ID)
				wantKind(t, err, cordon.KindNotFound, "account.not_found")
				list, err := tx.Accounts(ctx, store.Inside("450000"))
				if err != nil {
					return err
				}
				if len(list) != 2 || list[0].Username != "li.ming" || list[1].Username != "wang" {
					t.Errorf("Accounts = %+v, want li.ming and wang", list)
				}
				return nil
			})
		})

		t.Run("lockout", func(t *testing.T) {
			until := clk.Now().Add(15 * time.Minute)
			write(t, db, func(tx *store.Tx) error {
				for want := 1; want <= 5; want++ {
					n, err := tx.RecordLoginFailure(ctx, a.ID)
					if err != nil {
						return err
					}
					if n != want {
						t.Errorf("RecordLoginFailure = %d, want %d", n, want)
					}
				}
				return tx.LockAccount(ctx, a.ID, until)
			})
			got := account(t, db, a.ID)
			if got.FailedLogins != 5 || !got.LockedUntil.Equal(until) {
				t.Errorf("after failures: %d, locked until %v; want 5, %v", got.FailedLogins, got.LockedUntil, until)
			}
			clk.Advance(time.Hour)
			write(t, db, func(tx *store.Tx) error { return tx.RecordLoginSuccess(ctx, a.ID) })
			got = account(t, db, a.ID)
			if got.FailedLogins != 0 || !got.LockedUntil.IsZero() || !got.LastLoginAt.Equal(clk.Now()) {
				t.Errorf("after success: %d, locked until %v, last login %v", got.FailedLogins, got.LockedUntil, got.LastLoginAt)
			}
			write(t, db, func(tx *store.Tx) error {
				if _, err := tx.RecordLoginFailure(ctx, a.ID); err != nil {
					return err
				}
				return tx.LockAccount(ctx, a.ID, until)
			})
			write(t, db, func(tx *store.Tx) error { return tx.SetPassword(ctx, a.ID, "new-hash") })
			got = account(t, db, a.ID)
			if got.FailedLogins != 0 || !got.LockedUntil.IsZero() {
				t.Errorf("after a password reset: %d, locked until %v", got.FailedLogins, got.LockedUntil)
			}
		})

		t.Run("disable ends access", func(t *testing.T) {
			session, token := []byte("session-of-li"), []byte("token-of-li")
			write(t, db, func(tx *store.Tx) error {
				if err := tx.CreateSession(ctx, session, store.Session{AccountID: a.ID, CSRFToken: "c", ExpiresAt: clk.Now().Add(time.Hour)}); err != nil {
					return err
				}
				return tx.CreateToken(ctx, token, &cordon.Token{AccountID: a.ID, Name: "t", ExpiresAt: clk.Now().Add(time.Hour)})
			})
			write(t, db, func(tx *store.Tx) error { return tx.SetAccountDisabled(ctx, a.ID, true) })
			if got := account(t, db, a.ID); !got.Disabled {
				t.Error("account not disabled")
			}
			write(t, db, func(tx *store.Tx) error { return tx.SetAccountDisabled(ctx, a.ID, false) })
			read(t, db, func(tx *store.Tx) error {
				_, _, err := tx.SessionAccount(ctx, session)
				wantKind(t, err, cordon.KindNotFound, "session.not_found")
				_, _, err = tx.TokenAccount(ctx, token)
				wantKind(t, err, cordon.KindNotFound, "token.not_found")
				toks, err := tx.Tokens(ctx, a.ID)
				if err != nil {
					return err
				}
				if len(toks) != 1 || toks[0].RevokedAt.IsZero() {
					t.Errorf("Tokens = %+v, want one revoked token", toks)
				}
				return nil
			})
		})
	})
}

func account(t *testing.T, db *store.DB, id int64) cordon.Account {
	t.Helper()
	var a cordon.Account
	read(t, db, func(tx *store.Tx) (err error) {
		a, err = tx.Account(ctx, store.Everywhere, id)
		return err
	})
	return a
}

func TestSessions(t *testing.T) {
	clk := newClock()
	eachDBWith(t, store.Options{Now: clk.Now}, func(t *testing.T, db *store.DB) {
		a := createAccount(t, db, "zhao", village)
		short, long := []byte("short"), []byte("long")
		write(t, db, func(tx *store.Tx) error {
			if err := tx.CreateSession(ctx, short, store.Session{AccountID: a.ID, CSRFToken: "c1", ExpiresAt: clk.Now().Add(time.Hour)}); err != nil {
				return err
			}
			return tx.CreateSession(ctx, long, store.Session{AccountID: a.ID, CSRFToken: "c2", ExpiresAt: clk.Now().Add(8 * time.Hour)})
		})
		find := func(id []byte) (store.Session, cordon.Account, error) {
			var s store.Session
			var acct cordon.Account
			err := db.Read(ctx, func(tx *store.Tx) (err error) {
				s, acct, err = tx.SessionAccount(ctx, id)
				return err
			})
			return s, acct, err
		}

		s, got, err := find(short)
		if err != nil || s.CSRFToken != "c1" || got.ID != a.ID || !s.ExpiresAt.Equal(clk.Now().Add(time.Hour)) {
			t.Fatalf("SessionAccount = %+v, %+v, %v", s, got, err)
		}
		_, _, err = find([]byte("unknown"))
		wantKind(t, err, cordon.KindNotFound, "session.not_found")

		clk.Advance(time.Hour) // short expires now: expires_at > now no longer holds
		_, _, err = find(short)
		wantKind(t, err, cordon.KindNotFound, "session.not_found")
		if _, _, err := find(long); err != nil {
			t.Fatalf("long session: %v", err)
		}
		write(t, db, func(tx *store.Tx) error {
			n, err := tx.DeleteExpiredSessions(ctx)
			if n != 1 {
				t.Errorf("DeleteExpiredSessions = %d, want 1", n)
			}
			return err
		})
		write(t, db, func(tx *store.Tx) error { return tx.DeleteSession(ctx, long) })
		_, _, err = find(long)
		wantKind(t, err, cordon.KindNotFound, "session.not_found")
	})
}

func TestTokens(t *testing.T) {
	clk := newClock()
	eachDBWith(t, store.Options{Now: clk.Now}, func(t *testing.T, db *store.DB) {
		a := createAccount(t, db, "sun", village)
		b := createAccount(t, db, "qian", village)
		tok := cordon.Token{AccountID: a.ID, Name: "importer", ExpiresAt: clk.Now().Add(24 * time.Hour)}
		old := cordon.Token{AccountID: a.ID, Name: "old", ExpiresAt: clk.Now().Add(time.Hour)}
		write(t, db, func(tx *store.Tx) error {
			if err := tx.CreateToken(ctx, []byte("tok"), &tok); err != nil {
				return err
			}
			return tx.CreateToken(ctx, []byte("old"), &old)
		})
		find := func(hash []byte) (cordon.Token, cordon.Account, error) {
			var tk cordon.Token
			var acct cordon.Account
			err := db.Read(ctx, func(tx *store.Tx) (err error) {
				tk, acct, err = tx.TokenAccount(ctx, hash)
				return err
			})
			return tk, acct, err
		}

		got, acct, err := find([]byte("tok"))
		if err != nil || got != tok || acct.ID != a.ID {
			t.Fatalf("TokenAccount = %+v, %d, %v; want %+v", got, acct.ID, err, tok)
		}
		err = db.Transact(ctx, func(tx *store.Tx) error {
			return tx.CreateToken(ctx, []byte("tok"), &cordon.Token{AccountID: b.ID, Name: "dup", ExpiresAt: clk.Now().Add(time.Hour)})
		})
		wantKind(t, err, cordon.KindConflict, "store.conflict")

		clk.Advance(time.Hour)
		_, _, err = find([]byte("old"))
		wantKind(t, err, cordon.KindNotFound, "token.not_found")

		tests := []struct {
			name             string
			account, tokenID int64
			wantErr          bool
		}{
			{"another account's token", b.ID, tok.ID, true},
			{"own token", a.ID, tok.ID, false},
			{"revoked already", a.ID, tok.ID, true},
			{"no such token", a.ID, tok.ID + 100, true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := db.Transact(ctx, func(tx *store.Tx) error { return tx.RevokeToken(ctx, tt.account, tt.tokenID) })
				if tt.wantErr {
					wantKind(t, err, cordon.KindNotFound, "token.not_found")
				} else if err != nil {
					t.Fatal(err)
				}
			})
		}
		_, _, err = find([]byte("tok"))
		wantKind(t, err, cordon.KindNotFound, "token.not_found")
		read(t, db, func(tx *store.Tx) error {
			toks, err := tx.Tokens(ctx, a.ID)
			if err != nil {
				return err
			}
			if len(toks) != 2 || toks[0].ID != old.ID || toks[1].ID != tok.ID || !toks[1].RevokedAt.Equal(clk.Now()) || !toks[0].RevokedAt.IsZero() {
				t.Errorf("Tokens = %+v", toks)
			}
			return nil
		})
	})
}

func TestGrids(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		const elsewhere = "450102001001" // a village in Nanning
		var codes []string
		for _, parent := range []string{village, village, elsewhere, village} {
			g := cordon.Grid{Name: "网格", Parent: parent}
			write(t, db, func(tx *store.Tx) error { return tx.CreateGrid(ctx, &g, 0) })
			codes = append(codes, g.Code)
		}
		want := []string{village + "001", village + "002", elsewhere + "001", village + "003"}
		if !slices.Equal(codes, want) {
			t.Fatalf("grid codes = %v, want %v", codes, want)
		}
		for _, c := range codes {
			if lvl, ok := cordon.LevelOf(c); !ok || lvl != cordon.LevelGrid {
				t.Errorf("%s is not a grid code", c)
			}
		}

		tests := []struct {
			scope store.Scope
			want  []string
		}{
			{store.Inside(village), []string{village + "001", village + "002", village + "003"}},
			{store.Inside("451000"), []string{village + "001", village + "002", village + "003"}},
			{store.Inside(nanning), []string{elsewhere + "001"}},
			{store.Inside(village + "002"), []string{village + "002"}},
			{store.Inside("440000"), nil},
			{store.Everywhere, []string{elsewhere + "001", village + "001", village + "002", village + "003"}},
		}
		for _, tt := range tests {
			read(t, db, func(tx *store.Tx) error {
				gs, err := tx.Grids(ctx, tt.scope)
				var got []string
				for _, g := range gs {
					got = append(got, g.Code)
				}
				if !slices.Equal(got, tt.want) {
					t.Errorf("Grids(%+v) = %v, want %v", tt.scope, got, tt.want)
				}
				return err
			})
		}

		write(t, db, func(tx *store.Tx) error { return tx.RenameGrid(ctx, village+"002", "东区") })
		read(t, db, func(tx *store.Tx) error {
			g, err := tx.Grid(ctx, village+"002")
			if err != nil || g.Name != "东区" || g.Parent != village {
				t.Errorf("Grid = %+v, %v", g, err)
			}
			_, err = tx.Grid(ctx, village+"009")
			wantKind(t, err, cordon.KindNotFound, "grid.not_found")
			return nil
		})
		err := db.Transact(ctx, func(tx *store.Tx) error { return tx.RenameGrid(ctx, village+"009", "x") })
		wantKind(t, err, cordon.KindNotFound, "grid.not_found")
	})
}

func TestAudit(t *testing.T) {
	clk := newClock()
	eachDBWith(t, store.Options{Now: clk.Now}, func(t *testing.T, db *store.DB) {
		start := clk.Now()
		entries := []cordon.AuditEntry{
			{Username: "li", Action: "person.create", Record: "person:1", Jurisdiction: village, Reason: "入户排查"},
			{Username: "li", Action: "person.read", Record: "person:1", Jurisdiction: village},
			{Username: "wang", Action: "person.read", Record: "person:2", Jurisdiction: nanning, RequestID: "r-9", Remote: "10.0.0.9"},
			{Username: "system", Action: "jobs.purge"},
		}
		var ids []int64
		for _, e := range entries {
			write(t, db, func(tx *store.Tx) error {
				if e.Action == "person.read" {
					// Reads go into a pack written at the commit; the log
					// merges them with the rows.
					tx.AuditRead(e)
					return nil
				}
				return tx.Audit(ctx, e)
			})
			clk.Advance(time.Minute)
		}
		// A read in a batched write that fails is not recorded.
		err := db.Batch(ctx, func(tx *store.Tx) error {
			tx.AuditRead(cordon.AuditEntry{Username: "ghost", Action: "person.read", Record: "person:3", Jurisdiction: village})
			return errors.New("refused")
		})
		if err == nil {
			t.Fatal("the failing batch succeeded")
		}
		read(t, db, func(tx *store.Tx) error {
			all, err := tx.AuditLog(ctx, store.Everywhere, cordon.AuditFilter{})
			for _, e := range all {
				ids = append(ids, e.ID)
			}
			if len(all) != 4 || all[3].Reason != "入户排查" || !all[3].At.Equal(start) || all[1].Remote != "10.0.0.9" {
				t.Fatalf("AuditLog = %+v", all)
			}
			return err
		})
		// ids is newest first: ids[3] is entries[0].

		tests := []struct {
			name  string
			scope store.Scope
			f     cordon.AuditFilter
			want  []int64
		}{
			{"username", store.Everywhere, cordon.AuditFilter{Username: "li"}, []int64{ids[2], ids[3]}},
			{"action", store.Everywhere, cordon.AuditFilter{Action: "person.read"}, []int64{ids[1], ids[2]}},
			{"record", store.Everywhere, cordon.AuditFilter{Record: "person:1"}, []int64{ids[2], ids[3]}},
			{"since", store.Everywhere, cordon.AuditFilter{Since: start.Add(2 * time.Minute)}, []int64{ids[0], ids[1]}},
			{"until", store.Everywhere, cordon.AuditFilter{Until: start.Add(time.Minute)}, []int64{ids[3]}},
			{"before", store.Everywhere, cordon.AuditFilter{Before: ids[1]}, []int64{ids[2], ids[3]}},
			{"limit", store.Everywhere, cordon.AuditFilter{Limit: 1}, []int64{ids[0]}},
			{"scope", store.Inside("451000"), cordon.AuditFilter{}, []int64{ids[2], ids[3]}},
			{"scope and action", store.Inside("450000"), cordon.AuditFilter{Action: "person.read"}, []int64{ids[1], ids[2]}},
			{"zero scope", store.Scope{}, cordon.AuditFilter{}, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				read(t, db, func(tx *store.Tx) error {
					es, err := tx.AuditLog(ctx, tt.scope, tt.f)
					var got []int64
					for _, e := range es {
						got = append(got, e.ID)
					}
					if !slices.Equal(got, tt.want) {
						t.Errorf("AuditLog = %v, want %v", got, tt.want)
					}
					return err
				})
			})
		}

		t.Run("append only", func(t *testing.T) {
			// The hook itself works: other tables take updates.
			if err := db.ExecForTest(ctx, "UPDATE grids SET name = name"); err != nil {
				t.Fatalf("control update: %v", err)
			}
			for _, q := range []string{
				"UPDATE audit_log SET reason = 'tampered'",
				"UPDATE audit_log SET username = 'nobody' WHERE id = " + itoa(ids[0]),
				"DELETE FROM audit_log WHERE id = " + itoa(ids[0]),
				"DELETE FROM audit_log",
				"UPDATE audit_packs SET entries = entries",
				"DELETE FROM audit_packs",
			} {
				err := db.ExecForTest(ctx, q)
				if err == nil {
					t.Errorf("%s: no error", q)
				}
				t.Logf("%s: %v", q, err)
			}
			read(t, db, func(tx *store.Tx) error {
				all, err := tx.AuditLog(ctx, store.Everywhere, cordon.AuditFilter{})
				if len(all) != 4 || all[3].Reason != "入户排查" || all[0].Username != "system" {
					t.Errorf("audit log changed: %+v", all)
				}
				return err
			})
		})
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestBackup(t *testing.T) {
	dir := t.TempDir()
	v := testVault(t)
	db := openMigrated(t, "sqlite:"+filepath.Join(dir, "live.db"), store.Options{Vault: v})
	var before []cordon.Person
	for n := range 200 {
		before = append(before, createPerson(t, db, n))
	}

	// A writer keeps inserting while the backup runs.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var written int
	var werr error
	wg.Go(func() {
		for n := 1000; ; n++ {
			select {
			case <-stop:
				return
			default:
			}
			p, err := buildPerson(n)
			if err == nil {
				err = db.Transact(ctx, func(tx *store.Tx) error { return tx.CreatePerson(ctx, &p, 0) })
			}
			if err != nil {
				werr = err
				return
			}
			written++
		}
	})
	time.Sleep(20 * time.Millisecond)
	path := filepath.Join(dir, "backup.db")
	err := db.Backup(ctx, path)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if werr != nil {
		t.Fatalf("writer: %v", werr)
	}
	if written == 0 {
		t.Error("the writer wrote nothing while the backup ran")
	}
	t.Logf("the writer wrote %d persons around the backup", written)

	bk := openUnmigrated(t, "sqlite:"+path, store.Options{Vault: v})
	if s, err := bk.QueryStringForTest(ctx, "PRAGMA integrity_check"); err != nil || s != "ok" {
		t.Fatalf("integrity_check = %q, %v", s, err)
	}
	if applied, err := bk.Migrate(ctx); err != nil || len(applied) != 0 {
		t.Errorf("Migrate on the backup = %v, %v; want nothing to do", applied, err)
	}
	read(t, bk, func(tx *store.Tx) error {
		n, err := tx.CountPersons(ctx, store.Everywhere)
		if err != nil {
			return err
		}
		if n < len(before) || n > len(before)+written {
			t.Errorf("the backup holds %d persons, want %d to %d", n, len(before), len(before)+written)
		}
		for _, want := range before {
			got, err := tx.Person(ctx, store.Everywhere, want.ID)
			if err != nil {
				return err
			}
			if got != want {
				t.Fatalf("backup has %+v, want %+v", got, want)
			}
		}
		return nil
	})

	if err := db.Backup(ctx, path); err == nil {
		t.Error("Backup over an existing file: no error")
	}
}

func TestBackupPostgres(t *testing.T) {
	db := openPostgres(t, store.Options{})
	err := db.Backup(ctx, filepath.Join(t.TempDir(), "pg.db"))
	wantKind(t, err, cordon.KindInvalid, "backup.postgres")
}

// BenchmarkPersonLookupByDocument measures PersonByDocument, the lookup
// behind every ID-card scan and duplicate check, on SQLite with 1,000,000
// persons (CORDON_BENCH_PERSONS overrides the number). It seeds a fresh
// database on every run, which takes minutes, so it runs only when -bench
// selects it:
//
//	go test -run '^$' -bench PersonLookupByDocument -benchtime 20000x ./internal/store/
func BenchmarkPersonLookupByDocument(b *testing.B) {
	n := 1_000_000
	if s := os.Getenv("CORDON_BENCH_PERSONS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 1 {
			b.Fatalf("CORDON_BENCH_PERSONS=%q: want a positive number", s)
		}
	}
	db := openSQLite(b, store.Options{})
	start := time.Now()
	const chunk = 50_000
	for from := 0; from < n; from += chunk {
		write(b, db, func(tx *store.Tx) error {
			for i := from; i < min(from+chunk, n); i++ {
				p := newPerson(b, i, withPhone(strconv.Itoa(13800000000+i)))
				if err := tx.CreatePerson(ctx, &p, 0); err != nil {
					return err
				}
			}
			return nil
		})
	}
	b.Logf("seeded %d persons in %v", n, time.Since(start).Round(time.Second))

	b.Run("sqlite", func(b *testing.B) {
		rng := rand.New(rand.NewPCG(5, 6))
		scope := store.Inside("451000")
		lat := make([]time.Duration, 0, b.N)
		for b.Loop() {
			number := citizenID(rng.IntN(n))
			t0 := time.Now()
			var p cordon.Person
			err := db.Read(ctx, func(tx *store.Tx) (err error) {
				p, err = tx.PersonByDocument(ctx, scope, cordon.DocCitizenID, number)
				return err
			})
			lat = append(lat, time.Since(t0))
			if err != nil || p.IDNumber != number {
				b.Fatalf("PersonByDocument(%s) = %s, %v", number, p.IDNumber, err)
			}
		}
		slices.Sort(lat)
		pct := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))]) / float64(time.Microsecond) }
		b.ReportMetric(pct(0.50), "p50-µs")
		b.ReportMetric(pct(0.99), "p99-µs")
		b.ReportMetric(pct(0.999), "p99.9-µs")
	})
}

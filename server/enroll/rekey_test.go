package enroll_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aidledger/aidledger/server/enroll"
)

func otherKey(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

type sealedRow struct {
	ID         string
	WrappedKey []byte
	Personal   []byte
	NameKey    []byte
}

func sealedRows(t *testing.T, e *env) map[string]sealedRow {
	t.Helper()
	var rows []sealedRow
	if err := e.db.Table("beneficiaries").Select("id, wrapped_key, personal, name_key").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string]sealedRow{}
	for _, r := range rows {
		out[r.ID] = r
	}
	return out
}

func TestRekey_theNewKeysOpenEveryoneFindThemAndCatchTheirDuplicates(t *testing.T) {
	for _, tc := range []struct {
		name           string
		master, lookup bool
	}{
		{"master and lookup", true, true},
		{"master only", true, false},
		{"lookup only", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer enroll.SetRekeyBatch(7, nil)()
			e := newEnv(t, nil)
			var people []enroll.Beneficiary
			for i := range 20 {
				people = append(people, mustEnroll(t, e.svc, person(i)))
			}
			if _, err := e.svc.ErasePersonalData(ctx, people[5].ID); err != nil {
				t.Fatal(err)
			}
			before := sealedRows(t, e)

			from, to := testKeys(), testKeys()
			if tc.master {
				to.Master = otherKey(7)
			}
			if tc.lookup {
				to.Lookup = otherKey(8)
			}
			st, err := enroll.Rekey(ctx, e.db, from, to)
			if err != nil {
				t.Fatal(err)
			}
			if st.Resealed != 19 || st.Current != 0 || st.Erased != 1 {
				t.Errorf("stats %+v, want 19 resealed, 1 erased", st)
			}
			for id, r := range sealedRows(t, e) {
				b := before[id]
				if !bytes.Equal(r.Personal, b.Personal) {
					t.Errorf("%s: the personal data was sealed again; only its data key should be", id)
				}
				if id == people[5].ID {
					continue
				}
				if changed := !bytes.Equal(r.WrappedKey, b.WrappedKey); changed != tc.master {
					t.Errorf("%s: data key wrapped again: %v, want %v", id, changed, tc.master)
				}
				if changed := !bytes.Equal(r.NameKey, b.NameKey); changed != tc.lookup {
					t.Errorf("%s: name hash computed again: %v, want %v", id, changed, tc.lookup)
				}
			}

			e.cfg.Keys = from
			if _, err := enroll.New(e.db, e.p, e.cfg); !errors.Is(err, enroll.ErrKeysMismatch) {
				t.Fatalf("a service with the old keys started: %v", err)
			}
			e.cfg.Keys = to
			svc := e.start(t)
			for i, p := range people {
				got, err := svc.Get(ctx, p.ID)
				if err != nil {
					t.Fatalf("get %d: %v", i, err)
				}
				if i != 5 && (got.GivenName != p.GivenName || got.NationalID != p.NationalID || got.Phone != p.Phone) {
					t.Errorf("person %d reads back as %+v", i, got)
				}
			}
			for _, q := range []string{"Given3 Family", people[4].NationalID, people[6].Phone} {
				page, err := svc.List(ctx, q, 1, 10)
				if err != nil {
					t.Fatal(err)
				}
				if len(page.Items) != 1 {
					t.Errorf("search %q found %d, want 1", q, len(page.Items))
				}
			}
			for _, in := range []enroll.Input{person(7), func() enroll.Input { p := person(99); p.NationalID = people[8].NationalID; return p }()} {
				_, err := svc.Enroll(ctx, in)
				wantAPIErr(t, err, "duplicate_beneficiary", "")
			}
			if err := svc.VerifyPIN(ctx, people[9].ID, "1234"); err != nil {
				t.Errorf("the PIN no longer matches: %v", err)
			}
			fresh := mustEnroll(t, svc, person(100))
			if got, err := svc.Get(ctx, fresh.ID); err != nil || got.GivenName != fresh.GivenName {
				t.Errorf("a beneficiary enrolled under the new keys: %+v, %v", got, err)
			}
		})
	}
}

func TestRekey_aRotationCutShortIsFinishedByRunningItAgain(t *testing.T) {
	cut := errors.New("power cut")
	undo := enroll.SetRekeyBatch(4, func(done int) error {
		if done >= 8 {
			return cut
		}
		return nil
	})
	e := newEnv(t, nil)
	var ids []string
	for i := range 15 {
		ids = append(ids, mustEnroll(t, e.svc, person(i)).ID)
	}
	from, to := testKeys(), testKeys()
	to.Master, to.Lookup = otherKey(7), otherKey(8)
	if _, err := enroll.Rekey(ctx, e.db, from, to); !errors.Is(err, cut) {
		t.Fatalf("first run: %v, want the cut", err)
	}
	undo()
	st, err := enroll.Rekey(ctx, e.db, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if st.Current != 8 || st.Resealed != 7 {
		t.Errorf("second run %+v, want 8 already current and 7 resealed", st)
	}
	e.cfg.Keys = to
	svc := e.start(t)
	for _, id := range ids {
		if _, err := svc.Get(ctx, id); err != nil {
			t.Fatalf("get %s: %v", id, err)
		}
	}
	var lookups int64
	e.db.Table("beneficiary_lookups").Count(&lookups)
	if lookups != 15*3 {
		t.Errorf("%d lookup rows, want 45 (three per person, none left from the old key)", lookups)
	}
}

func TestRekey_refusesToChangeThePINKey(t *testing.T) {
	e := newEnv(t, nil)
	mustEnroll(t, e.svc, person(1))
	to := testKeys()
	to.PIN = otherKey(9)
	if _, err := enroll.Rekey(ctx, e.db, testKeys(), to); err == nil || !strings.Contains(err.Error(), "PIN") {
		t.Fatalf("rekey of the PIN key: %v", err)
	}
	if _, err := enroll.New(e.db, e.p, e.cfg); err != nil {
		t.Errorf("the refused rekey changed what the database records: %v", err)
	}
}

func TestNew_refusesKeysOtherThanThoseThatSealedTheDatabase(t *testing.T) {
	e := newEnv(t, nil)
	mustEnroll(t, e.svc, person(1))
	for _, tc := range []struct {
		key       string
		recorded  bool // the database records fingerprints (else: from before they were kept)
		mutate    func(*enroll.Keys)
		wantError bool
	}{
		{"pin", true, func(k *enroll.Keys) { k.PIN = otherKey(3) }, true},
		{"master", true, func(k *enroll.Keys) { k.Master = otherKey(3) }, true},
		{"lookup", true, func(k *enroll.Keys) { k.Lookup = otherKey(3) }, true},
		{"master", false, func(k *enroll.Keys) { k.Master = otherKey(3) }, true},
		{"lookup", false, func(k *enroll.Keys) { k.Lookup = otherKey(3) }, true},
		{"none", false, func(*enroll.Keys) {}, false},
	} {
		t.Run(fmt.Sprintf("%s recorded=%v", tc.key, tc.recorded), func(t *testing.T) {
			if !tc.recorded {
				if err := e.db.Exec("DELETE FROM enroll_key_fingerprints").Error; err != nil {
					t.Fatal(err)
				}
			}
			cfg := e.cfg
			cfg.Keys = testKeys()
			tc.mutate(&cfg.Keys)
			svc, err := enroll.New(e.db, e.p, cfg)
			if tc.wantError {
				if !errors.Is(err, enroll.ErrKeysMismatch) || !strings.Contains(err.Error(), tc.key) {
					t.Fatalf("New with another %s key: %v", tc.key, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			svc.Close()
			var n int64
			e.db.Table("enroll_key_fingerprints").Count(&n)
			if n != 3 {
				t.Errorf("%d fingerprints recorded, want 3", n)
			}
		})
	}
}

func TestRekey_refusesADatabaseSealedUnderOtherKeysAndChangesNothing(t *testing.T) {
	e := newEnv(t, nil)
	b := mustEnroll(t, e.svc, person(1))
	before := sealedRows(t, e)
	wrong, to := testKeys(), testKeys()
	wrong.Master = otherKey(5) // another data directory's secrets.json
	to.Master = otherKey(7)
	if _, err := enroll.Rekey(ctx, e.db, wrong, to); !errors.Is(err, enroll.ErrKeysMismatch) {
		t.Fatalf("rekey from keys the database was not sealed with: %v, want ErrKeysMismatch", err)
	}
	if after := sealedRows(t, e); !bytes.Equal(after[b.ID].WrappedKey, before[b.ID].WrappedKey) {
		t.Error("the refused rekey rewrote a row")
	}
	if _, err := enroll.New(e.db, e.p, e.cfg); err != nil {
		t.Errorf("the refused rekey changed the keys the database records: %v", err)
	}
}

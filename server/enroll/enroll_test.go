package enroll_test

import (
	"bytes"
	"database/sql"
	"image/png"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aidledger/aidledger/server/enroll"
)

func TestEnroll_GetReturnsWhatWasEnrolled(t *testing.T) {
	e := newEnv(t, nil)
	in := person(1)
	in.GivenName, in.NationalID, in.Phone = "  Amína   ", "ab-123 456", "+962 79 123 4567"
	b := mustEnroll(t, e.svc, in)
	if b.Status != enroll.StatusActive || b.ID == "" {
		t.Fatalf("enrolled %+v", b)
	}
	if !regexp.MustCompile(`^\d{4}-\d{4}-\d{3}$`).MatchString(b.CardNumber) {
		t.Fatalf("card number %q is not grouped 4-4-3", b.CardNumber)
	}
	if !regexp.MustCompile(`^0x[0-9a-f]{64}$`).MatchString(b.ChainID) {
		t.Fatalf("chain id %q is not 32 bytes of hex", b.ChainID)
	}
	got, err := e.svc.Get(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := enroll.Beneficiary{
		ID: b.ID, CardNumber: b.CardNumber, ChainID: b.ChainID, Status: enroll.StatusActive,
		GivenName: "Amína", FamilyName: "Family", DateOfBirth: "1990-01-02", NationalID: "AB123456",
		Phone: "+962791234567", HouseholdSize: 4, Location: "Zaatari camp, district 3",
	}
	got.CreatedAt, got.UpdatedAt = want.CreatedAt, want.UpdatedAt
	if got != want {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
}

func TestEnroll_EveryValidationErrorNamesItsField(t *testing.T) {
	e := newEnv(t, nil)
	cases := []struct {
		field  string
		mutate func(*enroll.Input)
		says   string // in the message, when set
	}{
		{"given_name", func(in *enroll.Input) { in.GivenName = "   " }, ""},
		{"given_name", func(in *enroll.Input) { in.GivenName = strings.Repeat("a", 101) }, ""},
		{"family_name", func(in *enroll.Input) { in.FamilyName = "" }, ""},
		{"family_name", func(in *enroll.Input) { in.FamilyName = "--" }, ""},
		{"date_of_birth", func(in *enroll.Input) { in.DateOfBirth = "02/01/1990" }, "must be written YYYY-MM-DD"},
		{"date_of_birth", func(in *enroll.Input) { in.DateOfBirth = "2999-01-01" }, "between"},
		{"date_of_birth", func(in *enroll.Input) { in.DateOfBirth = "" }, "required"},
		{"national_id", func(in *enroll.Input) { in.NationalID = "A1" }, ""},
		{"national_id", func(in *enroll.Input) { in.NationalID = "AB#123" }, ""},
		{"phone", func(in *enroll.Input) { in.Phone = "12345" }, ""},
		{"phone", func(in *enroll.Input) { in.Phone = "+1 555 CALL ME" }, ""},
		{"household_size", func(in *enroll.Input) { in.HouseholdSize = 0 }, ""},
		{"household_size", func(in *enroll.Input) { in.HouseholdSize = 101 }, ""},
		{"location", func(in *enroll.Input) { in.Location = " " }, ""},
		{"pin", func(in *enroll.Input) { in.PIN = "123" }, ""},
		{"pin", func(in *enroll.Input) { in.PIN = "123456789" }, ""},
		{"pin", func(in *enroll.Input) { in.PIN = "12a4" }, ""},
	}
	for _, c := range cases {
		t.Run(c.field, func(t *testing.T) {
			in := person(1)
			c.mutate(&in)
			_, err := e.svc.Enroll(ctx, in)
			if ae := wantAPIErr(t, err, "invalid_field", c.field); !strings.Contains(ae.Message, c.says) {
				t.Errorf("message %q, want it to say %q", ae.Message, c.says)
			}
		})
	}
}

func TestEnroll_OptionalIDAndPhoneMayBeLeftOut(t *testing.T) {
	e := newEnv(t, nil)
	in := person(1)
	in.NationalID, in.Phone = "", ""
	mustEnroll(t, e.svc, in)
	in2 := person(2)
	in2.NationalID, in2.Phone = "", ""
	mustEnroll(t, e.svc, in2) // no national id or phone is not a duplicate of another missing one
}

func TestEnroll_RefusesDuplicatesWithTheExistingID(t *testing.T) {
	e := newEnv(t, func(c *enroll.Config) { c.DefaultCountryCode = "962" })
	orig := enroll.Input{GivenName: "José María", FamilyName: "Núñez", DateOfBirth: "1985-07-14",
		NationalID: "9851234567", Phone: "+962 79 555 0101", HouseholdSize: 5, Location: "Irbid", PIN: "4321"}
	existing := mustEnroll(t, e.svc, orig)
	other := func(f func(*enroll.Input)) enroll.Input {
		in := enroll.Input{GivenName: "Other", FamilyName: "Person", DateOfBirth: "2000-01-01",
			NationalID: "X99999999", Phone: "+44 20 7946 0000", HouseholdSize: 1, Location: "Amman", PIN: "1111"}
		f(&in)
		return in
	}
	cases := []struct {
		name string
		in   enroll.Input
		rule string
	}{
		{"same national id", other(func(in *enroll.Input) { in.NationalID = "9851234567" }), "national_id"},
		{"national id with separators", other(func(in *enroll.Input) { in.NationalID = "985-123 4567" }), "national_id"},
		{"same phone", other(func(in *enroll.Input) { in.Phone = "+962795550101" }), "phone"},
		{"phone with 00 prefix", other(func(in *enroll.Input) { in.Phone = "00962 79-555-0101" }), "phone"},
		{"phone in national form", other(func(in *enroll.Input) { in.Phone = "079 555 0101" }), "phone"},
		{"national id in Arabic-Indic digits", other(func(in *enroll.Input) { in.NationalID = "٩٨٥١٢٣٤٥٦٧" }), "national_id"},
		{"phone in Arabic-Indic digits", other(func(in *enroll.Input) { in.Phone = "٠٧٩ ٥٥٥ ٠١٠١" }), "phone"},
		{"phone in Persian digits", other(func(in *enroll.Input) { in.Phone = "+۹۶۲۷۹۵۵۵۰۱۰۱" }), "phone"},
		{"same name and birth date", other(func(in *enroll.Input) {
			in.GivenName, in.FamilyName, in.DateOfBirth = "José María", "Núñez", "1985-07-14"
		}), "name_dob"},
		{"name without accents, other case, extra spaces", other(func(in *enroll.Input) {
			in.GivenName, in.FamilyName, in.DateOfBirth = "  JOSE   maria ", "nunez", "1985-07-14"
		}), "name_dob"},
		{"name decomposed (NFD)", other(func(in *enroll.Input) {
			in.GivenName, in.FamilyName, in.DateOfBirth = "Jose\u0301 Mari\u0301a", "Nu\u0303n\u0303ez", "1985-07-14"
		}), "name_dob"},
		{"given and family swapped", other(func(in *enroll.Input) {
			in.GivenName, in.FamilyName, in.DateOfBirth = "Nunez", "Jose Maria", "1985-07-14"
		}), "name_dob"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.svc.Enroll(ctx, c.in)
			if !isErr(err, enroll.ErrDuplicate) {
				t.Fatalf("got %v, want duplicate", err)
			}
			ae := wantAPIErr(t, err, "duplicate_beneficiary", "")
			if ae.Status != 409 || ae.Details["existing_id"] != existing.ID || ae.Details["rule"] != c.rule {
				t.Fatalf("details %v, want existing_id %s rule %s", ae.Details, existing.ID, c.rule)
			}
		})
	}
	t.Run("same name, other birth date is a different person", func(t *testing.T) {
		mustEnroll(t, e.svc, other(func(in *enroll.Input) { in.GivenName, in.FamilyName = "José María", "Núñez" }))
	})
}

func TestEnroll_ConcurrentEnrollmentsOfOnePersonCreateOne(t *testing.T) {
	e := newEnv(t, nil)
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.svc.Enroll(ctx, person(7))
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !isErr(err, enroll.ErrDuplicate):
			t.Fatalf("unexpected error %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d enrollments succeeded, want 1", ok)
	}
}

func TestEnroll_PersonalDataIsNotInTheDatabaseInPlaintext(t *testing.T) {
	e := newEnv(t, nil)
	in := person(1)
	in.GivenName, in.FamilyName, in.NationalID, in.Phone = "Zenobia", "Quixwright", "QZ7766554433", "+96277123987"
	mustEnroll(t, e.svc, in)
	var raw bytes.Buffer
	if strings.HasPrefix(e.path, "postgres") {
		// PostgreSQL: every column of every row, as the server stores it.
		for _, table := range []string{"beneficiaries", "beneficiary_lookups"} {
			rows, err := e.db.Raw("SELECT * FROM " + table).Rows()
			if err != nil {
				t.Fatal(err)
			}
			cols, _ := rows.Columns()
			for rows.Next() {
				vals := make([]sql.RawBytes, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				for _, v := range vals {
					raw.Write(v)
				}
			}
			rows.Close()
		}
	} else {
		// SQLite: the bytes of the database file and its write-ahead log.
		for _, p := range []string{e.path, e.path + "-wal"} {
			b, err := os.ReadFile(p)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			raw.Write(b)
		}
	}
	if raw.Len() == 0 {
		t.Fatal("read nothing from the database")
	}
	for _, secret := range []string{"Zenobia", "zenobia", "Quixwright", "quixwright", "QZ7766554433", "96277123987", "1990-01-02"} {
		if bytes.Contains(raw.Bytes(), []byte(secret)) {
			t.Errorf("database files contain %q in plaintext", secret)
		}
	}
}

func TestErasePersonalData_KeepsChainIDAndStatusButNotThePerson(t *testing.T) {
	e := newEnv(t, nil)
	b := mustEnroll(t, e.svc, person(1))
	if _, err := e.svc.Suspend(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	erased, err := e.svc.ErasePersonalData(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.Get(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range []enroll.Beneficiary{erased, got} {
		if !g.Erased || g.GivenName != "" || g.FamilyName != "" || g.DateOfBirth != "" || g.NationalID != "" || g.Phone != "" {
			t.Fatalf("after erasure: %+v", g)
		}
		if g.ChainID != b.ChainID || g.Status != enroll.StatusSuspended || g.CardNumber != b.CardNumber {
			t.Fatalf("erasure changed the pseudonymous record: %+v", g)
		}
	}
	var row struct {
		WrappedKey, Personal, NameKey []byte
	}
	e.db.Raw("SELECT wrapped_key, personal, name_key FROM beneficiaries WHERE id = ?", b.ID).Scan(&row)
	if row.WrappedKey != nil || row.Personal != nil || row.NameKey != nil {
		t.Fatal("erased row still holds its sealed data or keys")
	}
	var lookups int64
	e.db.Raw("SELECT count(*) FROM beneficiary_lookups WHERE beneficiary_id = ?", b.ID).Scan(&lookups)
	if lookups != 0 {
		t.Fatalf("%d lookup hashes survive erasure", lookups)
	}
	// The person can be enrolled again (the hashes are gone), and cannot be updated.
	mustEnroll(t, e.svc, person(1))
	name := "New"
	_, err = e.svc.Update(ctx, b.ID, enroll.Patch{GivenName: &name})
	wantAPIErr(t, err, "beneficiary_erased", "")
	c, err := e.svc.LookupCard(ctx, b.CardNumber)
	if err != nil || c.Initials != "" {
		t.Fatalf("card of erased beneficiary: %+v, %v", c, err)
	}
}

func TestUpdate_ChangesOnlyGivenFieldsAndDeduplicates(t *testing.T) {
	e := newEnv(t, nil)
	a := mustEnroll(t, e.svc, person(1))
	b := mustEnroll(t, e.svc, person(2))
	phone, size := "+962 79 000 1111", 6
	got, err := e.svc.Update(ctx, a.ID, enroll.Patch{Phone: &phone, HouseholdSize: &size})
	if err != nil {
		t.Fatal(err)
	}
	if got.Phone != "+962790001111" || got.HouseholdSize != 6 || got.GivenName != a.GivenName || got.NationalID != a.NationalID {
		t.Fatalf("after update: %+v", got)
	}
	// the old phone is free again, the new one is taken
	res, err := e.svc.List(ctx, person(1).Phone, 1, 10)
	if err != nil || res.Total != 0 {
		t.Fatalf("search by old phone: %+v %v", res, err)
	}
	_, err = e.svc.Update(ctx, b.ID, enroll.Patch{Phone: &phone})
	ae := wantAPIErr(t, err, "duplicate_beneficiary", "")
	if ae.Details["existing_id"] != a.ID {
		t.Fatalf("details %v", ae.Details)
	}
	bad := "nope"
	_, err = e.svc.Update(ctx, b.ID, enroll.Patch{DateOfBirth: &bad})
	wantAPIErr(t, err, "invalid_field", "date_of_birth")
}

func TestCardNumber_CheckDigitCatchesEverySingleErrorAndAdjacentTransposition(t *testing.T) {
	e := newEnv(t, nil)
	for i := 0; i < 20; i++ {
		b := mustEnroll(t, e.svc, person(i))
		c := strings.ReplaceAll(b.CardNumber, "-", "")
		if got, err := enroll.ParseCardNumber(c); err != nil || got != c {
			t.Fatalf("own card number %s does not parse: %v", c, err)
		}
		for pos := 0; pos < len(c); pos++ {
			for d := byte('0'); d <= '9'; d++ {
				if d == c[pos] {
					continue
				}
				typo := c[:pos] + string(d) + c[pos+1:]
				if _, err := enroll.ParseCardNumber(typo); !isErr(err, enroll.ErrInvalidCard) {
					t.Fatalf("single-digit error %s of %s accepted", typo, c)
				}
			}
			if pos+1 < len(c) && c[pos] != c[pos+1] {
				sw := c[:pos] + string(c[pos+1]) + string(c[pos]) + c[pos+2:]
				if _, err := enroll.ParseCardNumber(sw); !isErr(err, enroll.ErrInvalidCard) {
					t.Fatalf("transposition %s of %s accepted", sw, c)
				}
			}
		}
	}
}

func TestLookupCard_TellsATypoFromAnUnknownCard(t *testing.T) {
	e := newEnv(t, nil)
	in := person(1)
	in.GivenName, in.FamilyName = "Amina", "Khalil"
	b := mustEnroll(t, e.svc, in)
	for _, typed := range []string{b.CardNumber, strings.ReplaceAll(b.CardNumber, "-", ""), " " + strings.ReplaceAll(b.CardNumber, "-", " ") + " "} {
		c, err := e.svc.LookupCard(ctx, typed)
		if err != nil {
			t.Fatalf("lookup %q: %v", typed, err)
		}
		if c.ID != b.ID || c.Initials != "A. K." || c.HouseholdSize != 4 || c.Status != enroll.StatusActive || c.ChainID != b.ChainID {
			t.Fatalf("card %+v", c)
		}
		// ResolveCard is the same card without opening personal data.
		r, err := e.svc.ResolveCard(ctx, typed)
		c.Initials = ""
		if err != nil || r != c {
			t.Fatalf("resolved %+v, %v; want %+v", r, err, c)
		}
	}
	c := strings.ReplaceAll(b.CardNumber, "-", "")
	typo := c[:3] + string('0'+(c[3]-'0'+1)%10) + c[4:]
	_, err := e.svc.LookupCard(ctx, typo)
	if ae := wantAPIErr(t, err, "invalid_card_number", ""); ae.Status != 400 {
		t.Fatalf("status %d", ae.Status)
	}
	_, err = e.svc.LookupCard(ctx, "12AB")
	wantAPIErr(t, err, "invalid_card_number", "")
	// A well-formed number nobody holds: find one with a valid check digit.
	for i := 0; i < 10; i++ {
		unknown := "0000000001" + string(rune('0'+i))
		if _, err := enroll.ParseCardNumber(unknown); err == nil {
			_, err = e.svc.LookupCard(ctx, unknown)
			if ae := wantAPIErr(t, err, "not_found", ""); ae.Status != 404 {
				t.Fatalf("status %d", ae.Status)
			}
			return
		}
	}
	t.Fatal("no valid check digit found")
}

func TestCardPNG_IsAPrintableImage(t *testing.T) {
	e := newEnv(t, func(c *enroll.Config) { c.CardTitle = "Winter aid 2026" })
	b := mustEnroll(t, e.svc, person(1))
	data, err := e.svc.CardPNG(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() != 640 || img.Bounds().Dy() != 400 {
		t.Fatalf("card is %v", img.Bounds())
	}
	if _, err := e.svc.CardPNG(ctx, "no-such-id"); !isErr(err, errNotFound) {
		t.Fatalf("unknown id: %v", err)
	}
}

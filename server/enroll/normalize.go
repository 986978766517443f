package enroll

import (
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/aidledger/aidledger/server/apierr"
)

// Input is an enrollment, from the form or one CSV row. national_id and phone are optional (many
// beneficiaries have neither); the other fields are required.
type Input struct {
	GivenName     string `json:"given_name"`
	FamilyName    string `json:"family_name"`
	DateOfBirth   string `json:"date_of_birth"` // YYYY-MM-DD
	NationalID    string `json:"national_id"`
	Phone         string `json:"phone"`
	HouseholdSize int    `json:"household_size"`
	Location      string `json:"location"`
	PIN           string `json:"pin"` // 4 to 8 digits
}

// Field limits.
const (
	maxNameRunes     = 100
	maxLocationRunes = 200
	maxHousehold     = 100
)

// prepared is a validated input: what is sealed (already in the normalized forms the lookup
// hashes are computed from, see keys.lookups) and the fields kept in clear.
type prepared struct {
	personal  personal
	household int
	location  string
	pin       string
}

// prepare validates every field and reports every bad one (the CSV import lists them all; the
// API returns the first).
func (s *Service) prepare(in Input) (prepared, []*apierr.Error) {
	var p prepared
	var errs []*apierr.Error
	bad := func(e *apierr.Error) { errs = append(errs, e) }

	var ok bool
	if p.personal.GivenName, ok = cleanName(in.GivenName); !ok {
		bad(apierr.Invalid("given_name", "required, at most %d characters, with at least one letter", maxNameRunes))
	}
	if p.personal.FamilyName, ok = cleanName(in.FamilyName); !ok {
		bad(apierr.Invalid("family_name", "required, at most %d characters, with at least one letter", maxNameRunes))
	}
	if dob, err := parseDOB(in.DateOfBirth); err != nil {
		bad(err)
	} else {
		p.personal.DateOfBirth = dob
	}
	if strings.TrimSpace(in.NationalID) != "" {
		if id, ok := normalizeNationalID(in.NationalID); ok {
			p.personal.NationalID = id
		} else {
			bad(apierr.Invalid("national_id", "3 to 32 letters or digits (spaces, dashes, dots and slashes are ignored)"))
		}
	}
	if strings.TrimSpace(in.Phone) != "" {
		if ph, ok := normalizePhone(in.Phone, s.cfg.DefaultCountryCode); ok {
			p.personal.Phone = ph
		} else {
			bad(apierr.Invalid("phone", "6 to 15 digits, optionally with a leading + or 00 (spaces, dashes, dots and parentheses are ignored)"))
		}
	}
	if in.HouseholdSize < 1 || in.HouseholdSize > maxHousehold {
		bad(apierr.Invalid("household_size", "must be a whole number from 1 to %d", maxHousehold))
	}
	p.household = in.HouseholdSize
	loc := collapseSpaces(in.Location)
	if loc == "" || utf8.RuneCountInString(loc) > maxLocationRunes || hasControl(loc) {
		bad(apierr.Invalid("location", "required, at most %d characters", maxLocationRunes))
	}
	p.location = loc
	if !validPIN(in.PIN) {
		bad(apierr.Invalid("pin", "must be 4 to 8 digits"))
	}
	p.pin = in.PIN
	return p, errs
}

func validPIN(pin string) bool {
	pin = latinDigits(pin)
	return len(pin) >= 4 && len(pin) <= 8 && isDigits(pin)
}

// latinDigits maps Arabic-Indic (٠–٩) and Persian (۰–۹) digits to 0–9 and leaves the rest:
// Arabic phone keyboards type them, and a PIN typed "١٢٣٤" at a shop is the 1234 set at
// enrolment. PINs are hashed in this form, so hashes stored before are unchanged.
func latinDigits(s string) string {
	if isDigits(s) {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '\u0660' && r <= '\u0669':
			return '0' + r - '\u0660'
		case r >= '\u06f0' && r <= '\u06f9':
			return '0' + r - '\u06f0'
		}
		return r
	}, s)
}

// cleanName is the display form of a name: NFC, trimmed, inner whitespace collapsed.
func cleanName(raw string) (string, bool) {
	n := collapseSpaces(norm.NFC.String(raw))
	if n == "" || utf8.RuneCountInString(n) > maxNameRunes || hasControl(n) || len(foldTokens(n)) == 0 {
		return "", false
	}
	return n, true
}

func collapseSpaces(s string) string { return strings.Join(strings.Fields(s), " ") }

func hasControl(s string) bool {
	return strings.IndexFunc(s, unicode.IsControl) >= 0 || !utf8.ValidString(s)
}

// foldTokens is the comparison form of a name: compatibility-decomposed, combining marks
// (accents, Arabic harakat) removed, lower-cased, apostrophes dropped ("O'Brien" = "OBrien"),
// every other non-letter, non-digit a separator ("Jean-Paul" = "Jean Paul").
func foldTokens(s string) []string {
	var b strings.Builder
	for _, r := range norm.NFKD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == '\'' || r == '’' || r == '`':
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteByte(' ')
		}
	}
	return strings.Fields(b.String())
}

// nameKey is the order-insensitive comparison form of a full name: the folded words of given and
// family name, sorted. "Karim Ahmad" matches "Ahmad Karim", and "Ana María" / "Lopez" matches
// "ana" / "maria lopez".
func nameKey(given, family string) string {
	t := append(foldTokens(given), foldTokens(family)...)
	sort.Strings(t)
	return strings.Join(t, " ")
}

func parseDOB(raw string) (string, *apierr.Error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", apierr.Invalid("date_of_birth", "required, as YYYY-MM-DD")
	}
	d, err := time.Parse(time.DateOnly, raw)
	if err != nil {
		// A spreadsheet's 02/01/1990 is 2 January or 1 February depending on its locale, so it
		// is not guessed at: the message says what to write instead.
		return "", apierr.Invalid("date_of_birth", "must be written YYYY-MM-DD (year, month, day: 1990-01-02)")
	}
	if d.Year() < 1900 || d.After(time.Now().UTC()) {
		return "", apierr.Invalid("date_of_birth", "must be between 1900-01-01 and today")
	}
	return d.Format(time.DateOnly), nil
}

// normalizeNationalID upper-cases and drops separators: "ab-123 456" = "AB123456".
func normalizeNationalID(raw string) (string, bool) {
	var b strings.Builder
	// Arabic-Indic digits are the same id: typed either way, it must match itself.
	for _, r := range strings.ToUpper(latinDigits(strings.TrimSpace(raw))) {
		switch {
		case r == ' ' || r == '-' || r == '.' || r == '/':
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		default:
			return "", false
		}
	}
	n := b.String()
	c := utf8.RuneCountInString(n)
	return n, c >= 3 && c <= 32
}

// normalizePhone keeps digits and a leading "+" ("00" is read as "+"). With a default country
// code, a national number written with its trunk prefix 0 becomes international, so
// "079 123 4567" and "+962 79 123 4567" match; without one, numbers compare as written.
func normalizePhone(raw, countryCode string) (string, bool) {
	s := latinDigits(strings.TrimSpace(raw))
	plus := false
	if strings.HasPrefix(s, "+") {
		plus, s = true, s[1:]
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' || r == '/':
		default:
			return "", false
		}
	}
	d := b.String()
	// "00" is read after the separators go: "(00) 962…" is "+962…" as "00962…" is, so that the
	// output, normalized again, stays as it is.
	if !plus && strings.HasPrefix(d, "00") {
		plus, d = true, d[2:]
	}
	if !plus && countryCode != "" && strings.HasPrefix(d, "0") && !strings.HasPrefix(d, "00") {
		plus, d = true, countryCode+d[1:]
	}
	if len(d) < 6 || len(d) > 15 {
		return "", false
	}
	if plus {
		return "+" + d, true
	}
	return d, true
}

// parseHousehold reads a CSV household size; 0 (invalid) when it is not a number.
func parseHousehold(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0
	}
	return n
}

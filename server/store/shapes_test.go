package store

import (
	"slices"
	"testing"

	"github.com/libtnb/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
)

// dialectOnly is a *gorm.DB that names its dialect and connects to nothing; dry as a pipelined
// transaction's session (Pipelined.Dry) is.
func dialectOnly(d gorm.Dialector, dry bool) *gorm.DB {
	return &gorm.DB{Config: &gorm.Config{Dialector: d, DryRun: dry}}
}

var (
	pgOnly     = dialectOnly(postgres.New(postgres.Config{}), false)
	pgDry      = dialectOnly(postgres.New(postgres.Config{}), true)
	sqliteOnly = dialectOnly(sqlite.Open(":memory:"), false)
	sqliteDry  = dialectOnly(sqlite.Open(":memory:"), true)
)

func TestPadIn_LengthensAListToAPowerOfTwoWithItsLastValueOnPostgreSQLOnly(t *testing.T) {
	for _, c := range []struct {
		name string
		db   *gorm.DB
		in   []string
		want []string
	}{
		{"empty stays empty", pgOnly, nil, nil},
		{"one is a power of two", pgOnly, []string{"a"}, []string{"a"}},
		{"three become four", pgOnly, []string{"a", "b", "c"}, []string{"a", "b", "c", "c"}},
		{"five become eight", pgOnly, []string{"a", "b", "c", "d", "e"}, []string{"a", "b", "c", "d", "e", "e", "e", "e"}},
		{"eight stay eight", pgOnly, []string{"a", "b", "c", "d", "e", "f", "g", "h"}, []string{"a", "b", "c", "d", "e", "f", "g", "h"}},
		{"SQLite gets the list as it is", sqliteOnly, []string{"a", "b", "c"}, []string{"a", "b", "c"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := slices.Clone(c.in)
			if got := PadIn(c.db, in); !slices.Equal(got, c.want) {
				t.Errorf("PadIn(%q) = %q, want %q", c.in, got, c.want)
			}
			if !slices.Equal(in, c.in) {
				t.Errorf("PadIn changed its argument to %q", in)
			}
		})
	}
}

func TestChunks_SplitsRowsIntoPowersOfTwoLargestFirstOnlyForAPipelinedTransaction(t *testing.T) {
	for _, c := range []struct {
		name string
		db   *gorm.DB
		n    int
		want [][2]int
	}{
		{"none", pgDry, 0, nil},
		{"one", pgDry, 1, [][2]int{{0, 1}}},
		{"eight in one", pgDry, 8, [][2]int{{0, 8}}},
		{"thirteen as 8, 4 and 1", pgDry, 13, [][2]int{{0, 8}, {8, 12}, {12, 13}}},
		{"sixty-three as six", pgDry, 63, [][2]int{{0, 32}, {32, 48}, {48, 56}, {56, 60}, {60, 62}, {62, 63}}},
		{"a statement a round trip: in one", pgOnly, 13, [][2]int{{0, 13}}},
		{"SQLite in one", sqliteDry, 13, [][2]int{{0, 13}}},
		{"SQLite none", sqliteOnly, 0, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Chunks(c.db, c.n); !slices.Equal(got, c.want) {
				t.Errorf("Chunks(%d) = %v, want %v", c.n, got, c.want)
			}
		})
	}
}

package spreadsheet_test

import (
	"testing"

	"github.com/aidledger/aidledger/server/spreadsheet"
)

func TestText_DefusesCellsASpreadsheetWouldRunAndLeavesTheRestAlone(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`=HYPERLINK("http://x","y")`, `'=HYPERLINK("http://x","y")`},
		{"+1-555-0100", "'+1-555-0100"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tTab", "'\tTab"},
		{"\rCR", "'\rCR"},
		{"Grocer = good", "Grocer = good"},
		{"", ""},
		{"بقالة", "بقالة"},
	} {
		if got := spreadsheet.Text(tc.in); got != tc.want {
			t.Errorf("Text(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

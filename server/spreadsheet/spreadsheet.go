// Package spreadsheet keeps the CSV files the server hands out safe to open in a spreadsheet.
package spreadsheet

import "strings"

// Text keeps a spreadsheet from running a cell as a formula (a vendor named "=HYPERLINK(…)", a
// payout reference "+1-555…"): such a cell gets a leading apostrophe, which spreadsheets show as
// text and do not display.
func Text(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

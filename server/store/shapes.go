package store

import "gorm.io/gorm"

// pgx prepares each statement text once per connection and keeps the last statementCache of
// them; a text it no longer has costs a batch one more round trip (to prepare it) and
// PostgreSQL one more parse and plan. A statement with an IN list or a VALUES list is one text
// per length, and a group of acceptances makes eight such statements at whatever length its
// size gives: far more texts than the cache keeps. On PostgreSQL, PadIn and Chunks shape those
// lists to lengths from a short ladder (1, 2, 4, …), so that each statement is a handful of texts
// that stay prepared. SQLite parses every statement anyway, and gets the lists as they are.
// (Raising the cache instead kept every text of every size on each of 32 connections: a third
// of the live heap, see statementCache.)

// PadIn returns values for an IN list on db: on PostgreSQL, lengthened to the next power of two
// by repeating its last value (IN matches a value once however often it is listed); elsewhere,
// values itself. Empty stays empty.
func PadIn[T any](db *gorm.DB, values []T) []T {
	if DialectOf(db) != Postgres || len(values) == 0 {
		return values
	}
	n := ceilPow2(len(values))
	if n == len(values) {
		return values
	}
	out := make([]T, n)
	copy(out, values)
	for i := len(values); i < n; i++ {
		out[i] = values[len(values)-1]
	}
	return out
}

// Chunks splits n rows of a VALUES list into the ranges [from, to) of one statement each. On a
// pipelined transaction's session (Pipelined.Dry), where more statements cost no more round
// trips, it is one per power of two in n (13 rows are 8, 4 and 1: rows cannot repeat in an
// insert the way values repeat in an IN list), largest first; elsewhere, where each statement is
// a round trip or SQLite parses it anyway, one range of all n.
func Chunks(db *gorm.DB, n int) [][2]int {
	if n <= 0 {
		return nil
	}
	if DialectOf(db) != Postgres || !db.DryRun {
		return [][2]int{{0, n}}
	}
	var out [][2]int
	from := 0
	for size := ceilPow2(n); size > 0; size /= 2 {
		if n-from >= size {
			out = append(out, [2]int{from, from + size})
			from += size
		}
	}
	return out
}

// ceilPow2 is the least power of two not below n (n > 0).
func ceilPow2(n int) int {
	p := 1
	for p < n {
		p *= 2
	}
	return p
}

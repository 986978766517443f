package enroll

// SetRekeyBatch makes Rekey work in batches of n and call after (if not nil) after each one,
// for the duration of a test.
func SetRekeyBatch(n int, after func(done int) error) (undo func()) {
	oldN, oldAfter := rekeyBatch, afterRekeyBatch
	rekeyBatch, afterRekeyBatch = n, after
	return func() { rekeyBatch, afterRekeyBatch = oldN, oldAfter }
}

package report

// SetCSVPageSize makes WriteTransactionsCSV read n transactions at a time until the test ends.
func SetCSVPageSize(t interface{ Cleanup(func()) }, n int) {
	old := csvPageSize
	csvPageSize = n
	t.Cleanup(func() { csvPageSize = old })
}

package backup

// AfterChainCopied makes fn run in every Write between the chain's copy and the database's.
func AfterChainCopied(fn func()) (undo func()) {
	afterChainCopied = fn
	return func() { afterChainCopied = func() {} }
}

//go:build !unix

package dirlock

import "os"

// lock does nothing where flock(2) is missing: the directory is not guarded there.
func lock(*os.File) error { return nil }

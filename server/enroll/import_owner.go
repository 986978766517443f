package enroll

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/uuid"
)

// ImportOwnerFile, in the import directory, names that directory for good: every import
// records the name of the directory that holds its file. Replicas sharing one PostgreSQL keep
// their uploads in their own data directories, and a replica that starts must resume its own
// imports and leave the others' alone, rather than call them lost because it lacks their
// files. Backups carry it, so a restored server knows its imports as its own.
const ImportOwnerFile = ".owner"

// importOwner reads the import directory's name, creating it on first use.
func importOwner(dir string) (string, error) {
	path := filepath.Join(dir, ImportOwnerFile)
	for range 2 {
		b, err := os.ReadFile(path)
		if err == nil {
			id := strings.TrimSpace(string(b))
			if _, perr := uuid.Parse(id); perr != nil {
				return "", fmt.Errorf("%s does not hold a name (%q): remove it to name the directory again", path, id)
			}
			return id, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
		// O_EXCL: two processes starting on one directory keep the first name written.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		id := uuid.NewString()
		_, werr := f.WriteString(id + "\n")
		if serr := f.Sync(); werr == nil {
			werr = serr
		}
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		return id, werr
	}
	return "", fmt.Errorf("%s: cannot read or create it", path)
}

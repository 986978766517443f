package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aidledger/aidledger/server/audit"
	"github.com/aidledger/aidledger/server/dirlock"
	"github.com/aidledger/aidledger/server/enroll"
	"github.com/aidledger/aidledger/server/secrets"
	"github.com/aidledger/aidledger/server/store"
)

// Rotation is what RotateKeys did.
type Rotation struct {
	Keys    []string          // the keys replaced
	Resumed bool              // it finished a rotation an earlier run began
	Sealed  enroll.RekeyStats // the beneficiaries sealed again
}

// RotateKeys replaces the named keys (of secrets.Rotatable) of cfg's data directory with fresh
// ones and seals the database's personal data and lookup hashes under them. A rotation cut
// short (a crash, a full disk) stops servers from starting on the directory until it is run
// again, which finishes it with the same new keys.
//
// No server may use the data directory or the database meanwhile: it holds the directory's lock,
// so a server on this machine makes it fail with dirlock.ErrLocked; servers elsewhere sharing a
// PostgreSQL database must be stopped by hand (and refuse to start afterwards until they are
// given the new secrets.json).
func RotateKeys(ctx context.Context, cfg Config, names []string) (Rotation, error) {
	var out Rotation
	lock, err := lockDataDir(&cfg)
	if err != nil {
		if errors.Is(err, dirlock.ErrLocked) {
			return out, fmt.Errorf("%w: stop the server first", err)
		}
		return out, err
	}
	defer lock.Release()
	dir := cfg.DataDir
	r, resumed, err := secrets.BeginRotation(dir, names)
	if err != nil {
		return out, err
	}
	out.Keys, out.Resumed = r.Changed(), resumed
	db, err := OpenDB(ctx, cfg)
	if err != nil {
		return out, err
	}
	defer store.Close(db)
	if from, to := enrollKeys(r.From), enrollKeys(r.To); !slices.Equal(from.Master, to.Master) || !slices.Equal(from.Lookup, to.Lookup) {
		if out.Sealed, err = enroll.Rekey(ctx, db, from, to); err != nil {
			return out, fmt.Errorf("rotate keys: %w (run it again to finish)", err)
		}
	}
	detail := strings.Join(out.Keys, ",")
	if resumed {
		detail += " (finishing an earlier run)"
	}
	ev := audit.Event{Actor: audit.CommandLine, Action: "keys.rotate", Detail: detail}
	if err := audit.New(db).Record(ctx, ev); err != nil {
		return out, fmt.Errorf("rotate keys: %w (run it again to finish)", err)
	}
	if err := secrets.FinishRotation(dir, r); err != nil {
		return out, fmt.Errorf("rotate keys: %w (run it again to finish)", err)
	}
	return out, nil
}

func enrollKeys(s secrets.Secrets) enroll.Keys {
	return enroll.Keys{Master: s.Master, Lookup: s.Lookup, PIN: s.PIN}
}

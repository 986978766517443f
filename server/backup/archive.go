// Package backup copies a running aidledger's data directory into one archive without stopping
// it, and restores such an archive into a new data directory.
//
// An archive holds the operator keys, the secrets, the embedded chain's blocks (go-ethereum's
// export format, replayed on restore) and a copy of the SQLite database. The chain is copied
// first and the database after it, so the database may be ahead of the chain and never behind:
// on the restored system the transaction pipeline finds its transactions mined above the chain's
// head gone, and sends them again exactly as they were signed (the same path as a node that lost
// its last blocks), and the indexer rolls back the events of those blocks. The other order would
// leave redemptions on chain that the database never accepted.
package backup

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/chain/node"
	"github.com/aidledger/aidledger/server/enroll"
	"github.com/aidledger/aidledger/server/secrets"
	"github.com/aidledger/aidledger/server/store"
)

// FormatVersion is the archive layout this package writes and reads.
const FormatVersion = 1

// Names of the archive's entries, in the order they are written (Restore reads them in one
// pass: the manifest first, the genesis before the blocks).
const (
	manifestName = "manifest.json"
	genesisName  = "genesis.json"
	chainName    = "chain.rlp"
	databaseName = "aidledger.db"
	keysDir      = "keys"
	// importOwner names the data directory's uploads: the restored server resumes its
	// imports as its own (and, without their files, says to upload them again).
	importOwner = "imports/" + enroll.ImportOwnerFile
)

// Manifest describes an archive: its first entry.
type Manifest struct {
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	// Chain is "embedded" (its blocks are in the archive) or "external" (they live on the
	// network's nodes).
	Chain         string `json:"chain"`
	ChainID       uint64 `json:"chain_id,omitempty"`
	Genesis       string `json:"genesis,omitempty"`
	ChainHead     uint64 `json:"chain_head,omitempty"`
	ChainHeadHash string `json:"chain_head_hash,omitempty"`
	// Database is "sqlite" (in the archive) or "postgres" (not in it: pg_dump, taken after
	// this archive was written).
	Database string `json:"database"`
}

// Source is the running system to copy.
type Source struct {
	DataDir string
	DB      *gorm.DB
	Node    *node.Node // the embedded chain; nil on an external network
}

// afterChainCopied runs between the chain's copy and the database's: tests make sales there.
var afterChainCopied = func() {}

// Write writes an archive of src to w, using tmp (a directory on a disk with room for the chain
// and the database) for the copies it makes on the way.
func Write(ctx context.Context, w io.Writer, src Source, tmp string) (Manifest, error) {
	m := Manifest{Version: FormatVersion, CreatedAt: time.Now().UTC(), Chain: "external", Database: string(store.DialectOf(src.DB))}
	work, err := os.MkdirTemp(tmp, ".backup-")
	if err != nil {
		return m, err
	}
	defer os.RemoveAll(work)

	var genesis []byte
	if src.Node != nil {
		head := src.Node.Head()
		m.Chain, m.ChainID = "embedded", src.Node.ChainID().Uint64()
		m.Genesis, m.ChainHead, m.ChainHeadHash = src.Node.Genesis().Hex(), head.Number.Uint64(), head.Hash().Hex()
		spec, err := src.Node.GenesisSpec()
		if err != nil {
			return m, err
		}
		if genesis, err = json.Marshal(spec); err != nil {
			return m, fmt.Errorf("encode genesis: %w", err)
		}
		if err := writeFile(filepath.Join(work, chainName), func(f io.Writer) error {
			return src.Node.Export(ctx, f, m.ChainHead)
		}); err != nil {
			return m, err
		}
	}
	afterChainCopied()
	// After the chain: see the package comment.
	if m.Database == string(store.SQLite) {
		if err := store.Snapshot(ctx, src.DB, filepath.Join(work, databaseName)); err != nil {
			return m, err
		}
	}

	// The fastest compression: most of the bytes are encrypted profiles and signatures, which
	// do not compress, and the CPU is the shops'.
	gz, err := gzip.NewWriterLevel(w, gzip.BestSpeed)
	if err != nil {
		return m, err
	}
	tw := tar.NewWriter(gz)
	manifest, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return m, err
	}
	entries := []func() error{
		func() error { return addBytes(tw, manifestName, manifest) },
		func() error { return addFile(tw, secrets.FileName, filepath.Join(src.DataDir, secrets.FileName)) },
		func() error { return addDir(tw, keysDir, filepath.Join(src.DataDir, keysDir)) },
		func() error {
			path := filepath.Join(src.DataDir, filepath.FromSlash(importOwner))
			if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
				return nil // no upload ever
			}
			return addFile(tw, importOwner, path)
		},
	}
	if genesis != nil {
		entries = append(entries,
			func() error { return addBytes(tw, genesisName, genesis) },
			func() error { return addFile(tw, chainName, filepath.Join(work, chainName)) })
	}
	if m.Database == string(store.SQLite) {
		entries = append(entries, func() error { return addFile(tw, databaseName, filepath.Join(work, databaseName)) })
	}
	for _, add := range entries {
		if err := ctx.Err(); err != nil {
			return m, err
		}
		if err := add(); err != nil {
			return m, fmt.Errorf("write archive: %w", err)
		}
	}
	if err := tw.Close(); err != nil {
		return m, fmt.Errorf("write archive: %w", err)
	}
	return m, gz.Close()
}

// writeFile creates path (owner-only) and fills it with fill.
func writeFile(path string, fill func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if err := fill(newWriteBehind(f)); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func addBytes(tw *tar.Writer, name string, b []byte) error {
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: int64(len(b)), ModTime: time.Now(), Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	_, err := tw.Write(b)
	return err
}

func addFile(tw *tar.Writer, name, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: st.Size(), ModTime: st.ModTime(), Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	_, err = io.Copy(tw, f)
	return err
}

// addDir adds the regular files under dir (the operator keys: a keystore directory per lane
// and the generated passphrase) as name/….
func addDir(tw *tar.Writer, name, dir string) error {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || !e.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		return addFile(tw, name+"/"+filepath.ToSlash(rel), path)
	})
}

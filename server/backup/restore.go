package backup

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/ethereum/go-ethereum/core"

	"github.com/aidledger/aidledger/server/chain/node"
	"github.com/aidledger/aidledger/server/secrets"
)

// Restore unpacks the archive at file into dataDir, which must not exist or be empty, replaying
// the chain's blocks into a new embedded chain there. `serve --data-dir dataDir` then starts
// the system as it was when the archive was written; a PostgreSQL database must be restored
// from its pg_dump first. passphrase opens a sealed archive ("" for one that is not). On
// failure dataDir is left empty.
func Restore(ctx context.Context, file, dataDir, passphrase string, logger *slog.Logger) (m Manifest, err error) {
	if logger == nil {
		logger = slog.Default()
	}
	if err := emptyDir(dataDir); err != nil {
		return m, err
	}
	defer func() {
		if err != nil {
			cleanDir(dataDir)
		}
	}()
	tr, f, err := openArchive(file, passphraseKeys(passphrase))
	if err != nil {
		return m, err
	}
	defer f.Close()
	if m, err = nextManifest(tr, file); err != nil {
		return m, err
	}
	if m.Version != FormatVersion {
		return m, fmt.Errorf("archive format %d; this aidledger reads %d", m.Version, FormatVersion)
	}
	var genesis *core.Genesis
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return m, fmt.Errorf("read %s: %w", file, err)
		}
		switch {
		case h.Name == genesisName:
			genesis = new(core.Genesis)
			if err := json.NewDecoder(tr).Decode(genesis); err != nil {
				return m, fmt.Errorf("read genesis: %w", err)
			}
		case h.Name == chainName:
			if genesis == nil {
				return m, errors.New("the archive's blocks come before its genesis")
			}
			logger.Info("replaying the chain", "blocks", m.ChainHead)
			head, err := node.Import(ctx, node.Config{DataDir: filepath.Join(dataDir, "chain"), ChainID: m.ChainID, Logger: logger}, genesis, tr)
			if err != nil {
				return m, err
			}
			if head.Number.Uint64() != m.ChainHead || head.Hash().Hex() != m.ChainHeadHash {
				return m, fmt.Errorf("replayed chain ends at %d %s, the archive says %d %s", head.Number, head.Hash().Hex(), m.ChainHead, m.ChainHeadHash)
			}
		case h.Name == secrets.FileName || h.Name == databaseName || h.Name == importOwner || strings.HasPrefix(h.Name, keysDir+"/"):
			if err := unpack(tr, h, dataDir); err != nil {
				return m, err
			}
		default:
			return m, fmt.Errorf("unexpected entry %q in the archive", h.Name)
		}
	}
	if m.Chain == "embedded" && genesis == nil {
		return m, errors.New("the archive lacks its chain")
	}
	for _, need := range []string{secrets.FileName, keysDir} {
		if _, err := os.Stat(filepath.Join(dataDir, need)); err != nil {
			return m, fmt.Errorf("the archive lacks %s", need)
		}
	}
	return m, nil
}

// unpack writes entry h (owner-only) under dir. Names are checked: an archive must not write
// outside dir.
func unpack(r io.Reader, h *tar.Header, dir string) error {
	name := path.Clean(h.Name)
	if h.Typeflag != tar.TypeReg || name != h.Name || path.IsAbs(name) || strings.HasPrefix(name, "../") {
		return fmt.Errorf("unexpected entry %q in the archive", h.Name)
	}
	target := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
		return err
	}
	return writeFile(target, func(w io.Writer) error {
		_, err := io.Copy(w, r)
		return err
	})
}

// emptyDir makes sure dir exists (owner-only) and holds nothing.
func emptyDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("%s is not empty: restore into a new directory", dir)
	}
	return nil
}

// cleanDir empties dir after a failed restore, leaving dir itself.
func cleanDir(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		_ = os.RemoveAll(filepath.Join(dir, e.Name()))
	}
}

// ReadManifest reads an archive's manifest (its first entry) without reading the rest;
// passphrase opens a sealed archive.
func ReadManifest(file, passphrase string) (Manifest, error) {
	return readManifest(file, passphraseKeys(passphrase))
}

func readManifest(file string, keyFor func(salt []byte) []byte) (Manifest, error) {
	tr, f, err := openArchive(file, keyFor)
	if err != nil {
		return Manifest{}, err
	}
	defer f.Close()
	return nextManifest(tr, file)
}

// nextManifest reads the manifest, which must be the archive's first entry.
func nextManifest(tr *tar.Reader, file string) (Manifest, error) {
	var m Manifest
	if h, err := tr.Next(); err != nil || h.Name != manifestName {
		return m, fmt.Errorf("%s is not a backup archive", file)
	}
	if err := json.NewDecoder(tr).Decode(&m); err != nil {
		return m, fmt.Errorf("read the manifest of %s: %w", file, err)
	}
	return m, nil
}

// openArchive opens file as a gzipped tar, sealed or not (keyFor: see newSealReader); the
// caller closes the file.
func openArchive(file string, keyFor func(salt []byte) []byte) (*tar.Reader, io.Closer, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, nil, err
	}
	br := bufio.NewReader(f)
	var r io.Reader = br
	if isSealed(br) {
		if r, err = newSealReader(br, keyFor); err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("%s: %w", file, err)
		}
	}
	gz, err := gzip.NewReader(r)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("%s is not a backup archive: %w", file, err)
	}
	return tar.NewReader(gz), f, nil
}

package node

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/common"
)

// ErrWrongPassphrase is returned (wrapped) by LoadOrCreateKey when the keystore file exists but
// the passphrase does not decrypt it.
var ErrWrongPassphrase = errors.New("wrong passphrase for the operator key")

// keyFilePattern matches the files go-ethereum's keystore writes ("UTC--<time>--<address>"),
// so that the operator key directory stays readable by geth, clef and wallets.
const keyFilePattern = "UTC--*"

// LoadOrCreateKey returns the operator key kept in dir as a standard encrypted keystore file
// (scrypt with go-ethereum's standard parameters: about a second and 256 MB per call, which is
// the point — it makes guessing the passphrase of a stolen file expensive).
//
// The first call generates the key and writes it (dir 0700, file 0600); later calls decrypt it.
// A wrong passphrase returns an error wrapping ErrWrongPassphrase. More than one key file in dir
// is an error rather than a guess: signing with the wrong operator key would strand the
// contract's roles.
func LoadOrCreateKey(dir, passphrase string) (*ecdsa.PrivateKey, common.Address, error) {
	if dir == "" {
		return nil, common.Address{}, errors.New("operator key: directory is required")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, common.Address{}, fmt.Errorf("operator key: create %s: %w", dir, err)
	}
	// MkdirAll leaves an existing directory's mode alone; key files must not be listable by
	// other users either.
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, common.Address{}, fmt.Errorf("operator key: restrict %s: %w", dir, err)
	}
	files, err := filepath.Glob(filepath.Join(dir, keyFilePattern))
	if err != nil {
		return nil, common.Address{}, fmt.Errorf("operator key: list %s: %w", dir, err)
	}
	switch len(files) {
	case 0:
		return createKey(dir, passphrase)
	case 1:
		return loadKey(files[0], passphrase)
	default:
		return nil, common.Address{}, fmt.Errorf("operator key: %d key files in %s, expected one", len(files), dir)
	}
}

func createKey(dir, passphrase string) (*ecdsa.PrivateKey, common.Address, error) {
	// Light scrypt parameters: the key's protection is the passphrase, and in the embedded
	// single-machine mode that passphrase sits beside it in the data directory anyway; the
	// standard parameters would cost every start 256 MB and a second per lane for nothing.
	// Decryption reads the parameters from the file, so keys made elsewhere still load.
	acc, err := keystore.StoreKey(dir, passphrase, keystore.LightScryptN, keystore.LightScryptP)
	if err != nil {
		return nil, common.Address{}, fmt.Errorf("operator key: create in %s: %w", dir, err)
	}
	// StoreKey has already verified the file decrypts; it just does not return the key.
	key, addr, err := loadKey(acc.URL.Path, passphrase)
	if err != nil {
		return nil, common.Address{}, err
	}
	if addr != acc.Address {
		return nil, common.Address{}, fmt.Errorf("operator key: %s holds %s, expected %s", acc.URL.Path, addr, acc.Address)
	}
	return key, addr, nil
}

func loadKey(path, passphrase string) (*ecdsa.PrivateKey, common.Address, error) {
	blob, err := os.ReadFile(path)
	if err != nil {
		return nil, common.Address{}, fmt.Errorf("operator key: read %s: %w", path, err)
	}
	key, err := keystore.DecryptKey(blob, passphrase)
	if errors.Is(err, keystore.ErrDecrypt) {
		return nil, common.Address{}, fmt.Errorf("operator key %s: %w", path, ErrWrongPassphrase)
	}
	if err != nil {
		return nil, common.Address{}, fmt.Errorf("operator key: decrypt %s: %w", path, err)
	}
	return key.PrivateKey, key.Address, nil
}

// LoadKeyFile decrypts one keystore file (e.g. an operator account made with `geth account new`
// or `clef`), whatever scrypt parameters it was written with.
func LoadKeyFile(path, passphrase string) (*ecdsa.PrivateKey, error) {
	key, _, err := loadKey(path, passphrase)
	return key, err
}

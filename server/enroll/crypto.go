package enroll

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"sync"
)

// sealVersion prefixes every sealed blob, so a later key rotation or algorithm change can tell
// old blobs from new.
const sealVersion = 1

type keys struct {
	master cipher.AEAD
	lookup []byte
	pin    []byte
	// HMAC states are costly to set up; a pool keeps the import's per-row hashing cheap.
	lookupMACs sync.Pool
}

func newKeys(k Keys) (*keys, error) {
	for name, b := range map[string][]byte{"master": k.Master, "lookup": k.Lookup, "pin": k.PIN} {
		if len(b) != 32 {
			return nil, fmt.Errorf("%s key must be 32 bytes, got %d", name, len(b))
		}
	}
	m, err := newGCM(k.Master)
	if err != nil {
		return nil, err
	}
	lk := append([]byte(nil), k.Lookup...)
	return &keys{
		master: m, lookup: lk, pin: append([]byte(nil), k.PIN...),
		lookupMACs: sync.Pool{New: func() any { return hmac.New(sha256.New, lk) }},
	}, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

func seal(a cipher.AEAD, plain, aad []byte) []byte {
	out := make([]byte, 1+a.NonceSize(), 1+a.NonceSize()+len(plain)+a.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return a.Seal(out, out[1:1+a.NonceSize()], plain, aad)
}

func open(a cipher.AEAD, sealed, aad []byte) ([]byte, error) {
	if len(sealed) < 1+a.NonceSize() || sealed[0] != sealVersion {
		return nil, errors.New("sealed data has an unknown format")
	}
	return a.Open(nil, sealed[1:1+a.NonceSize()], sealed[1+a.NonceSize():], aad)
}

// personal is what is sealed per beneficiary. Short JSON names keep the blob small.
type personal struct {
	GivenName   string `json:"g"`
	FamilyName  string `json:"f"`
	DateOfBirth string `json:"d"`
	NationalID  string `json:"n,omitempty"`
	Phone       string `json:"p,omitempty"`
}

// The beneficiary id is bound into both seals as associated data, so a sealed blob copied onto
// another row does not open.
func dekAAD(id string) []byte      { return []byte("aidledger/enroll/dek/v1|" + id) }
func personalAAD(id string) []byte { return []byte("aidledger/enroll/personal/v1|" + id) }

// sealPersonal makes a fresh data key, seals p under it, and wraps the key with the master key.
func (k *keys) sealPersonal(id string, p personal) (wrapped, sealed []byte) {
	dek := make([]byte, 32)
	if _, err := rand.Read(dek); err != nil {
		panic(err)
	}
	a, err := newGCM(dek)
	if err != nil {
		panic(err) // 32-byte key: cannot fail
	}
	plain, _ := json.Marshal(p)
	return seal(k.master, dek, dekAAD(id)), seal(a, plain, personalAAD(id))
}

func (k *keys) openPersonal(id string, wrapped, sealed []byte) (personal, error) {
	var p personal
	dek, err := open(k.master, wrapped, dekAAD(id))
	if err != nil {
		return p, fmt.Errorf("unwrap data key of %s: %w", id, err)
	}
	a, err := newGCM(dek)
	if err != nil {
		return p, err
	}
	plain, err := open(a, sealed, personalAAD(id))
	if err != nil {
		return p, fmt.Errorf("open personal data of %s: %w", id, err)
	}
	if err := json.Unmarshal(plain, &p); err != nil {
		return p, fmt.Errorf("decode personal data of %s: %w", id, err)
	}
	return p, nil
}

// lookupHash is the server-keyed hash of one normalized value of one kind. The kind is part of
// the input, so equal strings of different kinds never collide.
func (k *keys) lookupHash(kind, normalized string) []byte {
	m := k.lookupMACs.Get().(hash.Hash)
	m.Reset()
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(normalized))
	out := m.Sum(nil)
	k.lookupMACs.Put(m)
	return out
}

// lookups are the deduplication hashes of one person's data, strongest rule first. The sealed
// fields are already normalized (prepare stores the forms it compares), so the hashes can be
// computed again from the sealed data alone, as a key rotation does.
func (k *keys) lookups(id string, p personal) []lookupRow {
	var out []lookupRow
	if p.NationalID != "" {
		out = append(out, lookupRow{Kind: lookupNationalID, Hash: k.lookupHash(lookupNationalID, p.NationalID), BeneficiaryID: id})
	}
	if p.Phone != "" {
		out = append(out, lookupRow{Kind: lookupPhone, Hash: k.lookupHash(lookupPhone, p.Phone), BeneficiaryID: id})
	}
	nameDOB := nameKey(p.GivenName, p.FamilyName) + "|" + p.DateOfBirth
	return append(out, lookupRow{Kind: lookupNameDOB, Hash: k.lookupHash(lookupNameDOB, nameDOB), BeneficiaryID: id})
}

// nameHash is the name-only lookup hash that search uses.
func (k *keys) nameHash(p personal) []byte {
	return k.lookupHash("name", nameKey(p.GivenName, p.FamilyName))
}

// pinHash is a keyed hash, not a slow one: a 4-digit PIN falls to offline guessing under any
// hash, so its protection is the key kept outside the database plus the attempt limit, and a
// fast hash keeps redemption throughput high. The beneficiary id makes equal PINs hash apart.
func (k *keys) pinHash(id, pin string) []byte {
	m := hmac.New(sha256.New, k.pin)
	m.Write([]byte(id))
	m.Write([]byte{0})
	m.Write([]byte(latinDigits(pin)))
	return m.Sum(nil)
}

func (k *keys) pinMatches(id, pin string, stored []byte) bool {
	return subtle.ConstantTimeCompare(k.pinHash(id, pin), stored) == 1
}

func randomChainID() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return "0x" + fmt.Sprintf("%x", b[:])
}

package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes, 1 lane). Logins are rare
// next to redemptions, and a low memory cost keeps a burst of logins from exhausting a small
// server.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns an argon2id hash in the PHC string format.
func HashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := idKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches hash; the parameters come from the hash, so
// hashes made with older parameters keep working.
func CheckPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errors.New("not an argon2id hash")
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, fmt.Errorf("argon2id parameters: %w", err)
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, err
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil {
		return false, err
	}
	got := idKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// hashers bounds the argon2id computations running at once. Each holds its memory cost (19 MiB)
// until it ends, and they are CPU-bound: more at once than there are CPUs ends none sooner, it
// only holds more memory. Unbounded, 200 shop phones logging in together held 171 MiB of heap
// (eight at once: the server runs four goroutine threads per CPU), which took a server with
// 1,000,000 beneficiaries past 512 MiB. Logins beyond the bound wait their turn.
var hashers = make(chan struct{}, max(1, runtime.NumCPU()))

func idKey(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
	hashers <- struct{}{}
	defer func() { <-hashers }()
	return argon2.IDKey(password, salt, time, memory, threads, keyLen)
}

// dummyHash is checked against when the email is unknown, so that an unknown account takes as
// long to refuse as a wrong password (no user enumeration by timing).
var dummyHash, _ = HashPassword("not a password anyone has")

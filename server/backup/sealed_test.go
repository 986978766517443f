package backup

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"testing"
)

func seal(t *testing.T, plain []byte, pass string) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := newSealWriter(&out, passphraseKeys(pass))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(plain); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func unseal(sealed []byte, pass string) ([]byte, error) {
	br := bufio.NewReader(bytes.NewReader(sealed))
	if !isSealed(br) {
		return nil, errors.New("not recognised as sealed")
	}
	r, err := newSealReader(br, passphraseKeys(pass))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

func TestSealed_RoundTripsAnyLengthAndHidesThePlainText(t *testing.T) {
	for _, n := range []int{0, 1, sealedChunk - 1, sealedChunk, sealedChunk + 1, 3*sealedChunk + 17} {
		plain := make([]byte, n)
		if _, err := rand.Read(plain); err != nil {
			t.Fatal(err)
		}
		copy(plain, "manifest.json secrets.json")
		sealed := seal(t, plain, "correct horse")
		if n > 26 && bytes.Contains(sealed, []byte("secrets.json")) {
			t.Errorf("%d bytes: the sealed archive shows its plain text", n)
		}
		got, err := unseal(sealed, "correct horse")
		if err != nil || !bytes.Equal(got, plain) {
			t.Errorf("%d bytes: unsealed %d bytes, %v", n, len(got), err)
		}
	}
}

func TestSealed_RefusesAWrongPassphraseAnAlteredByteAndACutOffEnd(t *testing.T) {
	plain := bytes.Repeat([]byte("aidledger "), 3*sealedChunk/10)
	sealed := seal(t, plain, "correct horse")
	head := len(sealedMagic) + saltLen + prefixLen
	altered := bytes.Clone(sealed)
	altered[head+4+100] ^= 1
	// The last chunk's header and body gone: what is left is whole chunks, none marked last.
	lastLen := len(sealed) - head
	for off := head; ; {
		n := int(uint32(sealed[off])<<24|uint32(sealed[off+1])<<16|uint32(sealed[off+2])<<8|uint32(sealed[off+3])) &^ sealedLastBit
		if off+4+n == len(sealed) {
			lastLen = off
			break
		}
		off += 4 + n
	}
	cases := []struct {
		name   string
		sealed []byte
		pass   string
	}{
		{"a wrong passphrase", sealed, "wrong horse"},
		{"no passphrase", sealed, ""},
		{"one byte altered", altered, "correct horse"},
		{"the last chunk cut off", sealed[:lastLen], "correct horse"},
		{"cut inside a chunk", sealed[:len(sealed)-10], "correct horse"},
		{"bytes after the end", append(bytes.Clone(sealed), 0), "correct horse"},
	}
	for _, c := range cases {
		if got, err := unseal(c.sealed, c.pass); err == nil {
			t.Errorf("%s: unsealed %d bytes without an error", c.name, len(got))
		}
	}
	if _, err := unseal(sealed, ""); !errors.Is(err, ErrSealed) {
		t.Errorf("no passphrase: %v, want ErrSealed", err)
	}
}

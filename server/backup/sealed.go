package backup

import (
	"bufio"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"golang.org/x/crypto/argon2"
)

// A sealed archive is an archive encrypted with a passphrase, for copies that leave the machine
// on a USB disk or another host: without the passphrase it gives away nothing, not even its
// manifest. Format (the STREAM construction of online authenticated encryption):
//
//	magic | salt (16) | nonce prefix (7) | chunks
//	chunk = length (4, big-endian; the top bit marks the last chunk) | AES-256-GCM sealed bytes
//
// Each chunk seals up to 64 KiB under the nonce prefix | chunk counter (4) | last (1), so chunks
// cannot be reordered, dropped or cut off at the end without the reader noticing. The key is
// argon2id of the passphrase and the salt.
const (
	sealedMagic   = "aidledger-backup-sealed-v1\n"
	sealedChunk   = 64 << 10
	sealedLastBit = 1 << 31
	saltLen       = 16
	prefixLen     = 7
)

// ErrSealed says an archive needs its passphrase.
var ErrSealed = errors.New("the archive is sealed: give its passphrase")

// errBadPassphrase says the passphrase does not open the archive (or the archive was altered).
var errBadPassphrase = errors.New("the passphrase does not open this archive, or the archive was altered")

// sealKey derives an archive's key: argon2id with 64 MiB and three passes, so guessing
// passphrases from a lost copy costs that for each guess.
func sealKey(passphrase string, salt []byte) []byte {
	return argon2.IDKey([]byte(passphrase), salt, 3, 64<<10, 1, 32)
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func chunkNonce(prefix []byte, n uint32, last bool) []byte {
	nonce := make([]byte, 12)
	copy(nonce, prefix)
	binary.BigEndian.PutUint32(nonce[prefixLen:], n)
	if last {
		nonce[11] = 1
	}
	return nonce
}

// sealWriter encrypts what is written to it; Close seals the last chunk (it does not close w).
type sealWriter struct {
	w      io.Writer
	aead   cipher.AEAD
	prefix []byte
	n      uint32
	buf    []byte
}

// newSealWriter writes the header to w; key comes from keyFor(salt) (the service caches keys).
func newSealWriter(w io.Writer, keyFor func(salt []byte) []byte) (io.WriteCloser, error) {
	head := make([]byte, saltLen+prefixLen)
	if _, err := rand.Read(head); err != nil {
		return nil, err
	}
	aead, err := newAEAD(keyFor(head[:saltLen]))
	if err != nil {
		return nil, err
	}
	if _, err := io.WriteString(w, sealedMagic); err != nil {
		return nil, err
	}
	if _, err := w.Write(head); err != nil {
		return nil, err
	}
	return &sealWriter{w: w, aead: aead, prefix: head[saltLen:], buf: make([]byte, 0, sealedChunk)}, nil
}

func (s *sealWriter) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		if len(s.buf) == sealedChunk {
			if err := s.flush(false); err != nil {
				return written, err
			}
		}
		k := copy(s.buf[len(s.buf):sealedChunk], p)
		s.buf = s.buf[:len(s.buf)+k]
		p, written = p[k:], written+k
	}
	return written, nil
}

func (s *sealWriter) flush(last bool) error {
	if s.n == ^uint32(0) {
		return errors.New("sealed archive too large")
	}
	ct := s.aead.Seal(nil, chunkNonce(s.prefix, s.n, last), s.buf, nil)
	length := uint32(len(ct))
	if last {
		length |= sealedLastBit
	}
	var hdr [4]byte
	binary.BigEndian.PutUint32(hdr[:], length)
	if _, err := s.w.Write(hdr[:]); err != nil {
		return err
	}
	if _, err := s.w.Write(ct); err != nil {
		return err
	}
	s.n++
	s.buf = s.buf[:0]
	return nil
}

func (s *sealWriter) Close() error { return s.flush(true) }

// isSealed reports whether r (buffered) starts like a sealed archive, without consuming it.
func isSealed(r *bufio.Reader) bool {
	b, err := r.Peek(len(sealedMagic))
	return err == nil && string(b) == sealedMagic
}

// sealReader decrypts a sealed archive, refusing it at the first chunk that does not open and
// at an end that comes before the last chunk.
type sealReader struct {
	r      io.Reader
	aead   cipher.AEAD
	prefix []byte
	n      uint32
	plain  []byte
	done   bool
}

// newSealReader reads a sealed archive's header from r; keyFor derives the key from the salt
// (nil: no passphrase was given).
func newSealReader(r io.Reader, keyFor func(salt []byte) []byte) (io.Reader, error) {
	head := make([]byte, len(sealedMagic)+saltLen+prefixLen)
	if _, err := io.ReadFull(r, head); err != nil || string(head[:len(sealedMagic)]) != sealedMagic {
		return nil, errors.New("not a sealed archive")
	}
	if keyFor == nil {
		return nil, ErrSealed
	}
	head = head[len(sealedMagic):]
	aead, err := newAEAD(keyFor(head[:saltLen]))
	if err != nil {
		return nil, err
	}
	return &sealReader{r: r, aead: aead, prefix: head[saltLen:]}, nil
}

func (s *sealReader) Read(p []byte) (int, error) {
	for len(s.plain) == 0 {
		if s.done {
			return 0, io.EOF
		}
		if err := s.next(); err != nil {
			return 0, err
		}
	}
	k := copy(p, s.plain)
	s.plain = s.plain[k:]
	return k, nil
}

func (s *sealReader) next() error {
	var hdr [4]byte
	if _, err := io.ReadFull(s.r, hdr[:]); err != nil {
		return fmt.Errorf("sealed archive cut short: %w", io.ErrUnexpectedEOF)
	}
	length := binary.BigEndian.Uint32(hdr[:])
	last := length&sealedLastBit != 0
	length &^= sealedLastBit
	if length > sealedChunk+uint32(s.aead.Overhead()) {
		return errBadPassphrase
	}
	ct := make([]byte, length)
	if _, err := io.ReadFull(s.r, ct); err != nil {
		return fmt.Errorf("sealed archive cut short: %w", io.ErrUnexpectedEOF)
	}
	plain, err := s.aead.Open(ct[:0], chunkNonce(s.prefix, s.n, last), ct, nil)
	if err != nil {
		return errBadPassphrase
	}
	s.n++
	s.plain, s.done = plain, last
	if last {
		if _, err := s.r.Read(hdr[:1]); err != io.EOF {
			return errors.New("data after the end of a sealed archive")
		}
	}
	return nil
}

// passphraseKeys derives keys from passphrase; nil when there is none.
func passphraseKeys(passphrase string) func(salt []byte) []byte {
	if passphrase == "" {
		return nil
	}
	return func(salt []byte) []byte { return sealKey(passphrase, salt) }
}

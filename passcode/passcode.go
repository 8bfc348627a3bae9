// Package passcode holds the pure part of aggregator passcodes (RULES P1):
// drawing an 8-digit code uniformly from a random source the caller
// supplies, checking a code typed at a front desk, and keeping codes out of
// storage in plain text: a keyed hash (HMAC-SHA256) finds the pass by its
// code, and an AES-GCM seal lets the holder's app show the code again.
//
// The package reads no clock and no global randomness: the random source
// and the host's key are arguments.
package passcode

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/passengine/passengine/field"
)

// Digits is the length of a passcode.
const Digits = 8

// Space is the number of distinct passcodes: 10^Digits.
const Space = 100_000_000

// limit is the largest multiple of Space that fits in 32 bits: a 32-bit
// draw below it, taken modulo Space, is uniform; draws at or above it are
// rejected (no modulo bias).
const limit = (1 << 32) / Space * Space

// MinKeyLen is the shortest host key accepted, in bytes.
const MinKeyLen = 32

// Errors of the package.
var (
	// ErrShortKey: the host key is shorter than MinKeyLen bytes.
	ErrShortKey = errors.New("passcode key shorter than 32 bytes")
	// ErrSealed: a sealed code does not open with the key for its pass
	// (another key, another pass, or tampered data).
	ErrSealed = errors.New("sealed passcode does not open")
)

// Draw returns a passcode of Digits digits (leading zeros kept) drawn
// uniformly from r: it reads 32-bit values and rejects those at or above
// the largest multiple of 10^8 below 2^32, so every code is equally likely.
// It returns r's error if r fails.
func Draw(r io.Reader) (string, error) {
	var b [4]byte
	for {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return "", fmt.Errorf("passcode: read random source: %w", err)
		}
		if v := binary.BigEndian.Uint32(b[:]); v < limit {
			return Format(v % Space), nil
		}
	}
}

// Format returns n (below Space) as a code of Digits digits with leading
// zeros.
func Format(n uint32) string {
	s := strconv.FormatUint(uint64(n), 10)
	if len(s) < Digits {
		s = strings.Repeat("0", Digits-len(s)) + s
	}
	return s
}

// Normalize returns the code a desk typed, without the spaces and hyphens
// people type to group digits ("1234 5678", "1234-5678"). It returns a
// *field.Error named "code" unless exactly Digits ASCII digits remain.
func Normalize(s string) (string, error) {
	var b strings.Builder
	b.Grow(Digits)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '-' || c == '\t':
		case c >= '0' && c <= '9':
			if b.Len() == Digits {
				return "", field.Invalid("code", "has more than %d digits", Digits)
			}
			b.WriteByte(c)
		default:
			return "", field.Invalid("code", "must be %d digits", Digits)
		}
	}
	if b.Len() != Digits {
		return "", field.Invalid("code", "must be %d digits, got %d", Digits, b.Len())
	}
	return b.String(), nil
}

// Keys are the keys derived from a host's secret: one to hash codes, one
// to seal them. Derive them once with NewKeys; a Keys is safe for
// concurrent use.
type Keys struct {
	hash  []byte
	check []byte
	aead  cipher.AEAD
}

// NewKeys derives the hashing and sealing keys, and the key of their check
// value, from the host's secret with HKDF-SHA256 (distinct labels, so no
// key reveals another). It
// returns ErrShortKey for a secret shorter than MinKeyLen bytes.
func NewKeys(secret []byte) (*Keys, error) {
	if len(secret) < MinKeyLen {
		return nil, ErrShortKey
	}
	hk, err := hkdf.Key(sha256.New, secret, nil, "passengine passcode hash v1", 32)
	if err != nil {
		return nil, err
	}
	sk, err := hkdf.Key(sha256.New, secret, nil, "passengine passcode seal v1", 32)
	if err != nil {
		return nil, err
	}
	ck, err := hkdf.Key(sha256.New, secret, nil, "passengine passcode key check v1", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(sk)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Keys{hash: hk, check: ck, aead: aead}, nil
}

// Hash returns the hex HMAC-SHA256 of code in network: the value stored as
// a pass's CodeHash and looked up when a desk enters a code. The same code
// hashes differently in different networks.
func (k *Keys) Hash(network, code string) string {
	m := hmac.New(sha256.New, k.hash)
	m.Write([]byte(network))
	m.Write([]byte{0})
	m.Write([]byte(code))
	return hex.EncodeToString(m.Sum(nil))
}

const sealPrefix = "v1."

// Seal encrypts code for pass passID of network with AES-256-GCM, the
// nonce read from r, and returns it as text ("v1." and base64url). The
// network and pass ID are authenticated, so a sealed code copied to
// another pass does not open. It returns r's error if r fails.
func (k *Keys) Seal(r io.Reader, network, passID, code string) (string, error) {
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(code)+k.aead.Overhead())
	if _, err := io.ReadFull(r, nonce); err != nil {
		return "", fmt.Errorf("passcode: read random source: %w", err)
	}
	out := k.aead.Seal(nonce, nonce, []byte(code), ad(network, passID))
	return sealPrefix + base64.RawURLEncoding.EncodeToString(out), nil
}

// Open returns the code that Seal sealed for pass passID of network. It
// returns an error wrapping ErrSealed if sealed is malformed, was sealed
// with another key or for another pass, or was altered.
func (k *Keys) Open(network, passID, sealed string) (string, error) {
	raw, ok := strings.CutPrefix(sealed, sealPrefix)
	if !ok {
		return "", fmt.Errorf("pass %s: unknown seal version: %w", passID, ErrSealed)
	}
	b, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil || len(b) < k.aead.NonceSize() {
		return "", fmt.Errorf("pass %s: malformed seal: %w", passID, ErrSealed)
	}
	n := k.aead.NonceSize()
	code, err := k.aead.Open(nil, b[:n], b[n:], ad(network, passID))
	if err != nil {
		return "", fmt.Errorf("pass %s: %w", passID, ErrSealed)
	}
	return string(code), nil
}

func ad(network, passID string) []byte { return []byte(network + "\x00" + passID) }

// Check returns a check value of the keys for network: an HMAC-SHA256
// under a key derived for it alone, in hex. A store keeps it beside the
// network's codes, so that keys derived from another secret are told
// apart before they are used (RULES S6); it reveals neither key.
func (k *Keys) Check(network string) string {
	m := hmac.New(sha256.New, k.check)
	m.Write([]byte(network))
	return hex.EncodeToString(m.Sum(nil))
}

package auth

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
)

// CryptoType is a CEPH_CRYPTO_* key type (src/include/ceph_fs.h).
type CryptoType uint16

const (
	CryptoNone CryptoType = 0
	CryptoAES  CryptoType = 1
)

func (t CryptoType) String() string {
	switch t {
	case CryptoNone:
		return "none"
	case CryptoAES:
		return "aes"
	}
	return fmt.Sprintf("crypto(%d)", uint16(t))
}

// AESKeyLen is the length of a cephx secret: Ceph uses AES-128.
const AESKeyLen = 16

// aesIV is CEPH_AES_IV: Ceph encrypts every cephx blob with AES-128-CBC
// under this fixed IV (src/auth/Crypto.cc).
var aesIV = []byte("cephsageyudagreg")

// ErrNoKey is returned when encrypting or decrypting with an empty key, as
// Ceph's CryptoKey does when it has no key handler.
var ErrNoKey = errors.New("auth: no key")

// CryptoKey is Ceph's CryptoKey: a typed secret with its creation stamp.
// Encoded (and so base64'd in keyrings) as u16 type, utime_t created, u16
// length and the secret bytes.
type CryptoKey struct {
	Type    CryptoType
	Created encoding.UTime
	Secret  []byte
}

// GenerateKey makes a new AES key as `ceph-authtool --gen-key` and the
// monitor's KeyServer do: 16 random bytes stamped with now.
func GenerateKey(rand io.Reader, now time.Time) (CryptoKey, error) {
	secret := make([]byte, AESKeyLen)
	if _, err := io.ReadFull(rand, secret); err != nil {
		return CryptoKey{}, fmt.Errorf("auth: generating key: %w", err)
	}
	return CryptoKey{Type: CryptoAES, Created: encoding.UTimeOf(now), Secret: secret}, nil
}

// IsZero reports whether k holds no secret (an entry with caps but no key).
func (k CryptoKey) IsZero() bool { return len(k.Secret) == 0 }

// Equal reports whether k and o are the same secret of the same type; the
// creation stamps are not compared.
func (k CryptoKey) Equal(o CryptoKey) bool {
	return k.Type == o.Type && subtle.ConstantTimeCompare(k.Secret, o.Secret) == 1
}

// validate applies CryptoKey::_set_secret's checks: an empty secret is
// always accepted (it makes an unusable key), otherwise the type must be
// known and an AES secret must hold at least 16 bytes.
func (k CryptoKey) validate() error {
	if len(k.Secret) == 0 {
		return nil
	}
	switch k.Type {
	case CryptoNone:
		return nil
	case CryptoAES:
		if len(k.Secret) < AESKeyLen {
			return fmt.Errorf("auth: AES secret of %d bytes, need %d", len(k.Secret), AESKeyLen)
		}
		return nil
	}
	return fmt.Errorf("auth: unsupported key type %d", uint16(k.Type))
}

// Encode appends k in CryptoKey's wire form.
func (k CryptoKey) Encode(e *encoding.Encoder) {
	e.U16(uint16(k.Type))
	e.UTime(k.Created)
	e.U16(uint16(len(k.Secret)))
	e.Raw(k.Secret)
}

// DecodeCryptoKey reads a CryptoKey; the secret is copied. An unknown type
// or a short AES secret fails as in Ceph ("malformed secret").
func DecodeCryptoKey(d *encoding.Decoder) CryptoKey {
	var k CryptoKey
	k.Type = CryptoType(d.U16())
	k.Created = d.UTime()
	n := d.U16()
	k.Secret = bytes.Clone(d.Raw(int(n)))
	if d.Err() != nil {
		return CryptoKey{}
	}
	if err := k.validate(); err != nil {
		d.Fail(fmt.Errorf("%w: %v", encoding.ErrMalformed, err))
		return CryptoKey{}
	}
	if k.Secret == nil {
		k.Secret = []byte{}
	}
	return k
}

// Bytes returns k's wire encoding.
func (k CryptoKey) Bytes() []byte {
	var e encoding.Encoder
	k.Encode(&e)
	return e.Bytes()
}

// String is the base64 of the encoded key, as keyrings and `ceph auth get`
// print it.
func (k CryptoKey) String() string { return base64.StdEncoding.EncodeToString(k.Bytes()) }

// ParseKey decodes the base64 form of a CryptoKey (a keyring's `key =`
// value, or the contents of a keyfile). Bytes after the encoded key are
// ignored as CryptoKey::decode_base64 ignores them.
func ParseKey(s string) (CryptoKey, error) {
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return CryptoKey{}, fmt.Errorf("auth: bad base64 key: %w", err)
	}
	d := encoding.NewDecoder(raw)
	k := DecodeCryptoKey(d)
	if err := d.Err(); err != nil {
		return CryptoKey{}, fmt.Errorf("auth: bad key: %w", err)
	}
	return k, nil
}

// block returns the AES cipher keyed with the first 16 bytes of the secret,
// which is all of it that Ceph's AES handler uses.
func (k CryptoKey) block() (cipher.Block, error) {
	if len(k.Secret) == 0 {
		return nil, ErrNoKey
	}
	if k.Type != CryptoAES {
		return nil, nil
	}
	if len(k.Secret) < AESKeyLen {
		return nil, fmt.Errorf("auth: AES secret of %d bytes", len(k.Secret))
	}
	return aes.NewCipher(k.Secret[:AESKeyLen])
}

// Encrypt encrypts in with AES-128-CBC under Ceph's fixed IV after
// PKCS#7-padding it to a whole number of blocks (always 1 to 16 bytes of
// padding), as CryptoAESKeyHandler::encrypt does. A CryptoNone key copies
// the input, as Ceph's CryptoNone does.
func (k CryptoKey) Encrypt(in []byte) ([]byte, error) {
	b, err := k.block()
	if err != nil {
		return nil, err
	}
	if b == nil {
		return bytes.Clone(in), nil
	}
	pad := aes.BlockSize - len(in)%aes.BlockSize
	out := make([]byte, len(in)+pad)
	copy(out, in)
	for i := len(in); i < len(out); i++ {
		out[i] = byte(pad)
	}
	cbcEncrypt(b, out)
	return out, nil
}

// ErrDecrypt is returned for ciphertext that is not a whole, non-empty
// number of AES blocks.
var ErrDecrypt = errors.New("auth: ciphertext is not a whole number of AES blocks")

// Decrypt reverses Encrypt. Like Ceph it strips min(last byte, 16) bytes of
// padding without checking them, so that a wrong key does not show up as a
// padding error (no padding oracle); callers detect a wrong key by the
// magic number inside the plaintext.
func (k CryptoKey) Decrypt(in []byte) ([]byte, error) {
	b, err := k.block()
	if err != nil {
		return nil, err
	}
	if b == nil {
		return bytes.Clone(in), nil
	}
	if len(in) == 0 || len(in)%aes.BlockSize != 0 {
		return nil, ErrDecrypt
	}
	out := make([]byte, len(in))
	cbcDecrypt(b, out, in)
	pad := min(int(out[len(out)-1]), aes.BlockSize)
	return out[:len(out)-pad], nil
}

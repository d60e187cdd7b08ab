package msgr2

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"sync"
)

// Connection secret layout (src/msg/async/crypto_onwire.cc,
// create_stream_handler_pair; kernel setup_crypto): a 16-byte AES-128 key,
// then the connecting side's receive nonce, then its transmit nonce. The
// accepting side uses them crossed.
const (
	gcmKeyLen   = 16
	gcmNonceLen = 12
	// SecureSecretLen is the connection secret secure mode needs.
	SecureSecretLen = gcmKeyLen + 2*gcmNonceLen
	// connSecretLen is how much connection secret the accepting side asks
	// its auth method for in secure mode, as Ceph does
	// (AuthConnectionMeta::get_connection_secret_length); AES-GCM uses the
	// first SecureSecretLen bytes.
	connSecretLen = 64
)

// errNonceExhausted refuses a GCM nonce that would repeat (CVE-2020-1759).
var errNonceExhausted = errors.New("msgr2: AES-GCM nonces exhausted, connection must be re-keyed")

// gcmHalf is one direction of secure mode, the counterpart of Ceph's
// AES128GCM_OnWire{Tx,Rx}Handler and crypto/tls's halfConn: a key and a
// 12-byte nonce that advances after every GCM operation. msgr2.0 counts in
// the first 4 bytes (little-endian u32), msgr2.1 in the last 8 (__le64); it
// refuses to use the initial nonce a second time, so it never wraps.
type gcmHalf struct {
	k       *gcmKey
	aead    cipher.AEAD  // while held: see hold and idle
	block   cipher.Block // msgr2.0 only, for peekRev0
	nonce   [gcmNonceLen]byte
	initial [gcmNonceLen]byte
	used    bool
	rev1    bool
}

// gcmKey is the AES-GCM state both halves of a session share. Go's
// AES-GCM keeps no state between calls, so one instance seals and opens
// at once; it is built when a half first needs it and dropped when
// neither does, so an idle session keeps its 16-byte key rather than
// three quarters of a KiB of round keys and GHASH tables.
type gcmKey struct {
	key   [gcmKeyLen]byte
	mu    sync.Mutex
	users int
	aead  cipher.AEAD
	block cipher.Block
}

func (k *gcmKey) acquire() (cipher.AEAD, cipher.Block, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.aead == nil {
		block, err := aes.NewCipher(k.key[:])
		if err != nil {
			return nil, nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, nil, err
		}
		k.aead, k.block = aead, block
	}
	k.users++
	return k.aead, k.block, nil
}

func (k *gcmKey) release() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.users--; k.users == 0 {
		k.aead, k.block = nil, nil
	}
}

func newGCMKey(key []byte) (*gcmKey, error) {
	if len(key) != gcmKeyLen {
		return nil, protoErr("AES-GCM key of %d bytes", len(key))
	}
	k := &gcmKey{}
	copy(k.key[:], key)
	return k, nil
}

func newGCMHalf(key, nonce []byte, rev1 bool) (*gcmHalf, error) {
	k, err := newGCMKey(key)
	if err != nil {
		return nil, err
	}
	return newGCMHalfOn(k, nonce, rev1), nil
}

func newGCMHalfOn(k *gcmKey, nonce []byte, rev1 bool) *gcmHalf {
	h := &gcmHalf{k: k, rev1: rev1}
	copy(h.nonce[:], nonce)
	h.initial = h.nonce
	return h
}

// hold makes sure the half holds the session's AES-GCM instance.
func (h *gcmHalf) hold() error {
	if h.aead != nil {
		return nil
	}
	aead, block, err := h.k.acquire()
	if err != nil {
		return err
	}
	h.aead = aead
	if !h.rev1 {
		h.block = block
	}
	return nil
}

// idle lets go of the AES-GCM instance until the half is used again.
func (h *gcmHalf) idle() {
	if h.aead != nil {
		h.aead, h.block = nil, nil
		h.k.release()
	}
}

// newSecurePair splits a connection secret into the rx and tx halves of the
// connecting (client) or accepting side.
func newSecurePair(secret []byte, client, rev1 bool) (rx, tx *gcmHalf, err error) {
	if len(secret) < SecureSecretLen {
		return nil, nil, protoErr("connection secret is %d bytes, secure mode needs %d", len(secret), SecureSecretLen)
	}
	a := secret[gcmKeyLen : gcmKeyLen+gcmNonceLen]
	b := secret[gcmKeyLen+gcmNonceLen : SecureSecretLen]
	if !client {
		a, b = b, a
	}
	k, err := newGCMKey(secret[:gcmKeyLen])
	if err != nil {
		return nil, nil, err
	}
	return newGCMHalfOn(k, a, rev1), newGCMHalfOn(k, b, rev1), nil
}

// take returns the nonce for the next operation and advances the counter.
func (h *gcmHalf) take() ([]byte, error) {
	if h.nonce == h.initial {
		if h.used {
			return nil, errNonceExhausted
		}
		h.used = true
	}
	n := h.nonce
	if h.rev1 {
		binary.LittleEndian.PutUint64(h.nonce[4:], binary.LittleEndian.Uint64(h.nonce[4:])+1)
	} else {
		binary.LittleEndian.PutUint32(h.nonce[:4], binary.LittleEndian.Uint32(h.nonce[:4])+1)
	}
	return n[:], nil
}

// seal encrypts plaintext in place (its capacity must hold the tag) and
// returns plaintext || tag.
func (h *gcmHalf) seal(plaintext []byte) ([]byte, error) {
	if err := h.hold(); err != nil {
		return nil, err
	}
	n, err := h.take()
	if err != nil {
		return nil, err
	}
	return h.aead.Seal(plaintext[:0], n, plaintext, nil), nil
}

// open decrypts ciphertext||tag in place and returns the plaintext.
func (h *gcmHalf) open(ct []byte) ([]byte, error) {
	if err := h.hold(); err != nil {
		return nil, err
	}
	n, err := h.take()
	if err != nil {
		return nil, err
	}
	pt, err := h.aead.Open(ct[:0], n, ct, nil)
	if err != nil {
		return nil, integrityErr("bad GCM auth tag")
	}
	return pt, nil
}

// peekRev0 decrypts, without authenticating, the first len(dst) bytes of a
// msgr2.0 secure frame whose nonce is the next one: msgr2.0 encrypts the
// whole frame under one tag, so its preamble must be read before the tag
// can be (the "decryption oracle" msgr2.1 removed). GCM encrypts block i of
// the plaintext with AES-CTR starting from nonce||be32(2).
func (h *gcmHalf) peekRev0(dst, src []byte) error {
	if err := h.hold(); err != nil {
		return err
	}
	var iv [16]byte
	copy(iv[:], h.nonce[:])
	binary.BigEndian.PutUint32(iv[12:], 2)
	cipher.NewCTR(h.block, iv[:]).XORKeyStream(dst, src)
	return nil
}

// cloneAt returns a copy of h whose nonce is delta operations from h's
// current one (tests use it to build a matching receiver).
func (h *gcmHalf) cloneAt(delta int) *gcmHalf {
	c := *h
	c.aead, c.block = nil, nil // the clone takes its own hold
	for ; delta < 0; delta++ {
		if c.rev1 {
			binary.LittleEndian.PutUint64(c.nonce[4:], binary.LittleEndian.Uint64(c.nonce[4:])-1)
		} else {
			binary.LittleEndian.PutUint32(c.nonce[:4], binary.LittleEndian.Uint32(c.nonce[:4])-1)
		}
	}
	c.used = false
	c.initial = [gcmNonceLen]byte{0xde, 0xad}
	return &c
}

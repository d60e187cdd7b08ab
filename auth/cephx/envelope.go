package cephx

import (
	"encoding/binary"
	"fmt"

	"github.com/kelp-ceph/kelp/auth"
	"github.com/kelp-ceph/kelp/encoding"
)

// AuthEncMagic is AUTH_ENC_MAGIC: every cephx plaintext starts with a
// struct_v byte and this u64, by which a receiver knows it used the right
// key (src/auth/cephx/CephxProtocol.h).
const AuthEncMagic uint64 = 0xff009cad8826aa55

// sealRaw encrypts the envelope {u8 1, u64 magic, body} under key
// (encode_encrypt_enc_bl): the result is the bare ciphertext.
func sealRaw(key auth.CryptoKey, body func(*encoding.Encoder)) ([]byte, error) {
	// Room for a ticket or a key blob up front, rather than growing the
	// buffer a few times per envelope.
	e := encoding.NewEncoder(make([]byte, 0, sealBufSize))
	e.U8(1)
	e.U64(AuthEncMagic)
	body(e)
	ct, err := key.Encrypt(e.Bytes())
	if err != nil {
		return nil, fmt.Errorf("cephx: encrypt: %w", err)
	}
	return ct, nil
}

// sealBufSize is the plaintext room sealRaw starts with.
const sealBufSize = 256

// seal appends the ciphertext of the envelope as a bufferlist (u32 length
// and bytes), as encode_encrypt does.
func seal(e *encoding.Encoder, key auth.CryptoKey, body func(*encoding.Encoder)) error {
	ct, err := sealRaw(key, body)
	if err != nil {
		return err
	}
	e.Blob(ct)
	return nil
}

// openRaw decrypts a bare ciphertext (decode_decrypt_enc_bl), checks the
// magic and returns a decoder positioned at the body. Bytes after the body
// are ignored as in Ceph.
func openRaw(key auth.CryptoKey, ct []byte) (*encoding.Decoder, error) {
	pt, err := key.Decrypt(ct)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadEnvelope, err)
	}
	if len(pt) < 9 || binary.LittleEndian.Uint64(pt[1:9]) != AuthEncMagic {
		return nil, ErrBadEnvelope
	}
	return encoding.NewDecoder(pt[9:]), nil
}

// open reads a bufferlist holding a ciphertext from d and opens it
// (decode_decrypt).
func open(d *encoding.Decoder, key auth.CryptoKey) (*encoding.Decoder, error) {
	ct := d.Blob()
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("cephx: encrypted block: %w", err)
	}
	return openRaw(key, ct)
}

// decodeOpened runs dec over an opened envelope and reports its error.
func decodeOpened[T any](d *encoding.Decoder, err error, dec func(*encoding.Decoder) T) (T, error) {
	var zero T
	if err != nil {
		return zero, err
	}
	v := dec(d)
	if err := d.Err(); err != nil {
		return zero, fmt.Errorf("cephx: decrypted body: %w", err)
	}
	return v, nil
}

// ClientServerChallenge computes the proof of key possession
// (cephx_calc_client_server_challenge): encrypt {server_challenge,
// client_challenge} in an envelope, take the bufferlist encoding (u32
// length and ciphertext) and XOR its whole little-endian u64 words.
func ClientServerChallenge(key auth.CryptoKey, serverChallenge, clientChallenge uint64) (uint64, error) {
	var e encoding.Encoder
	err := seal(&e, key, func(e *encoding.Encoder) {
		e.U64(serverChallenge)
		e.U64(clientChallenge)
	})
	if err != nil {
		return 0, err
	}
	b := e.Bytes()
	var k uint64
	for p := 0; p+8 <= len(b); p += 8 {
		k ^= binary.LittleEndian.Uint64(b[p:])
	}
	return k, nil
}

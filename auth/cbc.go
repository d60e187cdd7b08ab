package auth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
)

// cbcEncrypt encrypts buf, a whole number of blocks, in place with
// AES-CBC from Ceph's IV. crypto/cipher's CBC modes copy the key schedule
// into a new object on every call, which for the few short blobs of a
// cephx handshake cost more than the encryption itself.
func cbcEncrypt(b cipher.Block, buf []byte) {
	prev := aesIV
	for i := 0; i < len(buf); i += aes.BlockSize {
		blk := buf[i : i+aes.BlockSize]
		subtle.XORBytes(blk, blk, prev)
		b.Encrypt(blk, blk)
		prev = blk
	}
}

// cbcDecrypt decrypts src, a whole number of blocks, into dst (of the same
// length, not overlapping src) with AES-CBC from Ceph's IV.
func cbcDecrypt(b cipher.Block, dst, src []byte) {
	prev := aesIV
	for i := 0; i < len(src); i += aes.BlockSize {
		out := dst[i : i+aes.BlockSize]
		b.Decrypt(out, src[i:i+aes.BlockSize])
		subtle.XORBytes(out, out, prev)
		prev = src[i : i+aes.BlockSize]
	}
}

package msgr2

import (
	"crypto/hmac"
	"crypto/sha256"
)

// eopnotsupp and eacces are the negative errnos AUTH_BAD_METHOD carries.
const (
	eopnotsupp = -95
	eacces     = -13
)

// maxAuthAttempts bounds AUTH_REQUEST retries after AUTH_BAD_METHOD.
const maxAuthAttempts = 4

// authSignature is the AUTH_SIGNATURE payload: HMAC-SHA256 keyed with the
// session key over the pre-authentication bytes, or all zeros when the
// method yields no session key (auth none; ProtocolV2 and the kernel's
// hmac_sha256 do the same).
func authSignature(sessionKey, data []byte) [32]byte {
	var sig [32]byte
	if len(sessionKey) == 0 {
		return sig
	}
	m := hmac.New(sha256.New, sessionKey)
	m.Write(data)
	copy(sig[:], m.Sum(nil))
	return sig
}

// readExpected reads a frame and decodes it as cf.
func readExpected(f *Framer, cf controlFrame) error {
	fr, err := f.ReadFrame()
	if err != nil {
		return err
	}
	return decodeControl(fr, cf)
}

// checkSignature reads the peer's AUTH_SIGNATURE and compares it with the
// HMAC of what we sent.
func checkSignature(f *Framer, sessionKey, sent []byte) error {
	var sig AuthSignatureFrame
	if err := readExpected(f, &sig); err != nil {
		return err
	}
	want := authSignature(sessionKey, sent)
	if !hmac.Equal(sig.Sig[:], want[:]) {
		return integrityErr("bad auth signature")
	}
	return nil
}

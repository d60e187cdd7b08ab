package cephx

import (
	"errors"
	"fmt"
	"syscall"
)

// Errno is a negative-errno style result as Ceph's auth handlers return
// them; a server refusal carries one so that the messenger can put it in
// AUTH_BAD_METHOD (and the MAuth handler in MAuthReply), as a real monitor
// does. The value is positive (EACCES is 13); the wire carries it negated.
type Errno int32

const (
	EPERM      Errno = Errno(syscall.EPERM)
	ENOENT     Errno = Errno(syscall.ENOENT)
	EIO        Errno = Errno(syscall.EIO)
	EAGAIN     Errno = Errno(syscall.EAGAIN)
	EACCES     Errno = Errno(syscall.EACCES)
	EBUSY      Errno = Errno(syscall.EBUSY)
	EINVAL     Errno = Errno(syscall.EINVAL)
	EOPNOTSUPP Errno = Errno(syscall.EOPNOTSUPP)
)

func (e Errno) String() string {
	switch e {
	case EPERM:
		return "EPERM"
	case ENOENT:
		return "ENOENT"
	case EIO:
		return "EIO"
	case EAGAIN:
		return "EAGAIN"
	case EACCES:
		return "EACCES"
	case EBUSY:
		return "EBUSY"
	case EINVAL:
		return "EINVAL"
	case EOPNOTSUPP:
		return "EOPNOTSUPP"
	}
	return fmt.Sprintf("errno(%d)", int32(e))
}

// Error is a refusal with the errno a real Ceph daemon would report and a
// reason for logs (never sent to the peer).
type Error struct {
	Code   Errno
	Reason string
}

func (e *Error) Error() string { return "cephx: " + e.Reason + " (" + e.Code.String() + ")" }

// Errno returns the positive errno of the refusal. The messenger sends
// -Errno() as AUTH_BAD_METHOD's result.
func (e *Error) Errno() int32 { return int32(e.Code) }

func refuse(code Errno, format string, args ...any) error {
	return &Error{Code: code, Reason: fmt.Sprintf(format, args...)}
}

// ErrnoOf returns the errno an error carries, or EACCES for other errors
// (a malformed request is refused like a bad key).
func ErrnoOf(err error) Errno {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EACCES
}

// ErrBadEnvelope is returned when an encrypted blob does not decrypt to a
// cephx envelope: wrong key, tampered or truncated ciphertext.
var ErrBadEnvelope = errors.New("cephx: bad encrypted envelope")

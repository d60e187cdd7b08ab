package client

import (
	"errors"
	"fmt"
	"syscall"
)

// CommandError is a monitor command's negative result: the errno and the
// status string the monitor sent (MMonCommandAck's r and rs). errors.Is
// matches it against syscall errnos, so errors.Is(err, syscall.ENOENT)
// works.
type CommandError struct {
	Errno  syscall.Errno
	Status string
	// Prefix is the command's prefix, for messages.
	Prefix string
}

func (e *CommandError) Error() string {
	name := ErrnoName(e.Errno)
	if e.Prefix != "" {
		return fmt.Sprintf("mon command %q: %s: %s", e.Prefix, name, e.Status)
	}
	return fmt.Sprintf("mon command: %s: %s", name, e.Status)
}

// Unwrap returns the errno, so that errors.Is sees it.
func (e *CommandError) Unwrap() error { return e.Errno }

// MonError says which monitor failed and at which step of a session
// (connect, authenticate, monmap, ...).
type MonError struct {
	Mon  string // the monitor's name in the monmap or mon_host ("noname-a")
	Addr string
	Step string
	Err  error
}

func (e *MonError) Error() string {
	return fmt.Sprintf("mon.%s %s: %s: %v", e.Mon, e.Addr, e.Step, e.Err)
}

func (e *MonError) Unwrap() error { return e.Err }

// HuntError is returned by Connect when no monitor could be reached: one
// MonError per monitor tried (the last failure of each).
type HuntError struct {
	Errs []*MonError
	// Cause is why hunting stopped (the context's error, or the
	// refusal that ended it).
	Cause error
}

func (e *HuntError) Error() string {
	s := "client: no monitor session"
	if e.Cause != nil {
		s += " (" + e.Cause.Error() + ")"
	}
	for _, m := range e.Errs {
		s += "; " + m.Error()
	}
	return s
}

// Unwrap exposes the cause and every monitor's error to errors.Is.
func (e *HuntError) Unwrap() []error {
	out := []error{}
	if e.Cause != nil {
		out = append(out, e.Cause)
	}
	for _, m := range e.Errs {
		out = append(out, m)
	}
	return out
}

// ErrClosed is returned by calls on a closed Client.
var ErrClosed = errors.New("client: closed")

// errnoNames are the names Python's errno.errorcode gives (the ceph CLI
// prints "Error ENOENT: ..."), for the errnos monitors return.
var errnoNames = map[syscall.Errno]string{
	syscall.EPERM: "EPERM", syscall.ENOENT: "ENOENT", syscall.ESRCH: "ESRCH",
	syscall.EINTR: "EINTR", syscall.EIO: "EIO", syscall.ENXIO: "ENXIO",
	syscall.E2BIG: "E2BIG", syscall.EBADF: "EBADF", syscall.EAGAIN: "EAGAIN",
	syscall.ENOMEM: "ENOMEM", syscall.EACCES: "EACCES", syscall.EFAULT: "EFAULT",
	syscall.EBUSY: "EBUSY", syscall.EEXIST: "EEXIST", syscall.EXDEV: "EXDEV",
	syscall.ENODEV: "ENODEV", syscall.ENOTDIR: "ENOTDIR", syscall.EISDIR: "EISDIR",
	syscall.EINVAL: "EINVAL", syscall.ENFILE: "ENFILE", syscall.EMFILE: "EMFILE",
	syscall.ENOTTY: "ENOTTY", syscall.EFBIG: "EFBIG", syscall.ENOSPC: "ENOSPC",
	syscall.ESPIPE: "ESPIPE", syscall.EROFS: "EROFS", syscall.EMLINK: "EMLINK",
	syscall.EPIPE: "EPIPE", syscall.EDOM: "EDOM", syscall.ERANGE: "ERANGE",
	syscall.EDEADLK: "EDEADLOCK", syscall.ENAMETOOLONG: "ENAMETOOLONG",
	syscall.ENOLCK: "ENOLCK", syscall.ENOSYS: "ENOSYS", syscall.ENOTEMPTY: "ENOTEMPTY",
	syscall.ELOOP: "ELOOP", syscall.ENOMSG: "ENOMSG", syscall.EIDRM: "EIDRM",
	syscall.ENODATA: "ENODATA", syscall.ETIME: "ETIME", syscall.ENOLINK: "ENOLINK",
	syscall.EPROTO: "EPROTO", syscall.EBADMSG: "EBADMSG", syscall.EOVERFLOW: "EOVERFLOW",
	syscall.EILSEQ: "EILSEQ", syscall.EUSERS: "EUSERS", syscall.ENOTSOCK: "ENOTSOCK",
	syscall.EDESTADDRREQ: "EDESTADDRREQ", syscall.EMSGSIZE: "EMSGSIZE",
	syscall.EPROTOTYPE: "EPROTOTYPE", syscall.ENOPROTOOPT: "ENOPROTOOPT",
	syscall.EPROTONOSUPPORT: "EPROTONOSUPPORT", syscall.EOPNOTSUPP: "ENOTSUP",
	syscall.EAFNOSUPPORT: "EAFNOSUPPORT", syscall.EADDRINUSE: "EADDRINUSE",
	syscall.EADDRNOTAVAIL: "EADDRNOTAVAIL", syscall.ENETDOWN: "ENETDOWN",
	syscall.ENETUNREACH: "ENETUNREACH", syscall.ECONNABORTED: "ECONNABORTED",
	syscall.ECONNRESET: "ECONNRESET", syscall.ENOBUFS: "ENOBUFS",
	syscall.EISCONN: "EISCONN", syscall.ENOTCONN: "ENOTCONN",
	syscall.ESHUTDOWN: "ESHUTDOWN", syscall.ETIMEDOUT: "ETIMEDOUT",
	syscall.ECONNREFUSED: "ECONNREFUSED", syscall.EHOSTDOWN: "EHOSTDOWN",
	syscall.EHOSTUNREACH: "EHOSTUNREACH", syscall.EALREADY: "EALREADY",
	syscall.EINPROGRESS: "EINPROGRESS", syscall.ESTALE: "ESTALE",
	syscall.EDQUOT: "EDQUOT", syscall.ECANCELED: "ECANCELED",
	syscall.EKEYEXPIRED: "EKEYEXPIRED", syscall.EKEYREJECTED: "EKEYREJECTED",
	syscall.ENOTRECOVERABLE: "ENOTRECOVERABLE",
}

// ErrnoName is the symbolic name of an errno as the ceph CLI prints it
// ("ENOENT"), or "Unknown".
func ErrnoName(e syscall.Errno) string {
	if n, ok := errnoNames[e]; ok {
		return n
	}
	return "Unknown"
}

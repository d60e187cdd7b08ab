package msgr2

import (
	"errors"
	"fmt"
)

// Errors are split the way the kernel client splits them
// (net/ceph/messenger_v2.c: "integrity error" vs "protocol error"): an
// integrity failure means bytes were damaged or forged in transit (bad crc,
// bad GCM tag, bad signature); a protocol violation means a well-formed
// peer said something the protocol does not allow.
var (
	// ErrIntegrity is wrapped by every integrity failure.
	ErrIntegrity = errors.New("msgr2: integrity error")
	// ErrProtocol is wrapped by every protocol violation.
	ErrProtocol = errors.New("msgr2: protocol error")
	// ErrClosed is returned by operations on a closed Conn or Messenger.
	ErrClosed = errors.New("msgr2: closed")
)

func integrityErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrIntegrity, fmt.Sprintf(format, args...))
}

func protoErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrProtocol, fmt.Sprintf(format, args...))
}

package encoding

import (
	"errors"
	"fmt"
)

// ErrShort means the input ended before a value it announced (buffer::end_of_buffer
// in Ceph, -ERANGE in the kernel's decode.h).
var ErrShort = errors.New("encoding: short buffer")

// ErrMalformed means the input is well-framed but says something impossible
// (buffer::malformed_input in Ceph, -EINVAL in the kernel).
var ErrMalformed = errors.New("encoding: malformed input")

// IncompatError is returned when a versioned struct's compat version is
// newer than the version this code understands: DECODE_START's
// "struct_compat > v" failure.
type IncompatError struct {
	Struct    string // what was being decoded, when the caller said
	Supported uint8  // the newest version we decode
	Compat    uint8  // the oldest version that can read the input
}

func (e *IncompatError) Error() string {
	name := e.Struct
	if name == "" {
		name = "struct"
	}
	return fmt.Sprintf("encoding: %s needs decoder version >= %d, have %d", name, e.Compat, e.Supported)
}

// Malformedf wraps ErrMalformed with a description, for decoders that
// validate what they read.
func Malformedf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

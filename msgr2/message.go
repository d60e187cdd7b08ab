package msgr2

import (
	"fmt"
	"sync"
)

// Message is a Ceph message (class Message, src/msg/Message.h): a type, a
// header version and compat version, and a payload split into front,
// middle and data segments. Implementations embed MsgBase for the header.
type Message interface {
	// Header returns the message's header; Send fills in seq, type and
	// versions, the receiver finds tid, priority and source there.
	Header() *MsgHeader
	// Type is the CEPH_MSG_*/MSG_* type number.
	Type() uint16
	// Version returns HEAD_VERSION and COMPAT_VERSION.
	Version() (head, compat uint16)
	// EncodePayload encodes the message for a peer with features.
	EncodePayload(features uint64) (front, middle, data []byte)
	// DecodePayload decodes segments received from a peer with features;
	// Header().Version is the sender's version. The segments belong to
	// the message: it may keep them.
	DecodePayload(features uint64, front, middle, data []byte) error
}

// MsgBase carries a message's header; embed it to implement Header.
type MsgBase struct{ Hdr MsgHeader }

func (b *MsgBase) Header() *MsgHeader { return &b.Hdr }

// RawMessage holds a message of a type no one registered, undecoded.
type RawMessage struct {
	MsgBase
	Front, Middle, Data []byte
}

func (m *RawMessage) Type() uint16                            { return m.Hdr.Type }
func (m *RawMessage) Version() (uint16, uint16)               { return m.Hdr.Version, m.Hdr.CompatVersion }
func (m *RawMessage) EncodePayload(uint64) (f, mid, d []byte) { return m.Front, m.Middle, m.Data }
func (m *RawMessage) DecodePayload(_ uint64, f, mid, d []byte) error {
	m.Front, m.Middle, m.Data = f, mid, d
	return nil
}

// MessageType describes one registered message type.
type MessageType struct {
	Type uint16
	Name string // Ceph's get_type_name(), e.g. "mon_getmap"
	New  func() Message
}

// Registry maps message type numbers to constructors. Messages of types
// it does not know are logged and dropped by the receiving connection.
type Registry struct {
	mu    sync.RWMutex
	types map[uint16]MessageType
}

func NewRegistry() *Registry { return &Registry{types: map[uint16]MessageType{}} }

// Register adds t; registering a type number twice is a programming error.
func (r *Registry) Register(t MessageType) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.types[t.Type]; dup {
		panic(fmt.Sprintf("msgr2: message type %d registered twice", t.Type))
	}
	r.types[t.Type] = t
}

// Lookup returns the registration of a type number.
func (r *Registry) Lookup(typ uint16) (MessageType, bool) {
	if r == nil {
		return MessageType{}, false
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	t, ok := r.types[typ]
	return t, ok
}

// Name returns the registered name of a type, or "type(N)".
func (r *Registry) Name(typ uint16) string {
	if t, ok := r.Lookup(typ); ok {
		return t.Name
	}
	return fmt.Sprintf("type(%d)", typ)
}

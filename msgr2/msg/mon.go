package msg

import (
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/msgr2"
)

// Ping is MPing (CEPH_MSG_PING): no payload.
type Ping struct{ msgr2.MsgBase }

func (*Ping) Type() uint16                                       { return TypePing }
func (*Ping) Version() (uint16, uint16)                          { return 1, 0 }
func (*Ping) EncodePayload(uint64) ([]byte, []byte, []byte)      { return nil, nil, nil }
func (*Ping) DecodePayload(uint64, []byte, []byte, []byte) error { return nil }

// MonGetMap is MMonGetMap: asks a monitor for its MonMap; no payload.
type MonGetMap struct{ msgr2.MsgBase }

func (*MonGetMap) Type() uint16                                       { return TypeMonGetMap }
func (*MonGetMap) Version() (uint16, uint16)                          { return 1, 0 }
func (*MonGetMap) EncodePayload(uint64) ([]byte, []byte, []byte)      { return nil, nil, nil }
func (*MonGetMap) DecodePayload(uint64, []byte, []byte, []byte) error { return nil }

// MonMap is MMonMap: the front is the encoded MonMap as a bufferlist.
// MonMapBytes are the MonMap's own encoding (package maps/monmap decodes
// them).
type MonMap struct {
	msgr2.MsgBase
	MonMapBytes []byte
}

func (*MonMap) Type() uint16              { return TypeMonMap }
func (*MonMap) Version() (uint16, uint16) { return 1, 0 }
func (m *MonMap) EncodePayload(uint64) ([]byte, []byte, []byte) {
	var e encoding.Encoder
	e.Blob(m.MonMapBytes)
	return e.Bytes(), nil, nil
}
func (m *MonMap) DecodePayload(_ uint64, front, _, _ []byte) error {
	d := encoding.NewDecoder(front)
	m.MonMapBytes = d.Blob()
	return finish(d)
}

// SubscribeOnetime is CEPH_SUBSCRIBE_ONETIME: send one map, not every one.
const SubscribeOnetime = 1

// SubscribeItem is ceph_mon_subscribe_item: the first version wanted and
// flags.
type SubscribeItem struct {
	Start uint64
	Flags uint8
}

// MonSubscribe is MMonSubscribe (HEAD_VERSION 3, COMPAT_VERSION 1): what
// maps the sender wants, by name ("monmap", "osdmap", "config", ...), and
// its hostname.
type MonSubscribe struct {
	msgr2.MsgBase
	What     map[string]SubscribeItem
	Hostname string
}

func (*MonSubscribe) Type() uint16              { return TypeMonSubscribe }
func (*MonSubscribe) Version() (uint16, uint16) { return 3, 1 }
func (m *MonSubscribe) EncodePayload(uint64) ([]byte, []byte, []byte) {
	var e encoding.Encoder
	encoding.Map(&e, m.What, encoding.EncStr, func(e *encoding.Encoder, it SubscribeItem) {
		e.U64(it.Start)
		e.U8(it.Flags)
	})
	e.Str(m.Hostname)
	return e.Bytes(), nil, nil
}
func (m *MonSubscribe) DecodePayload(_ uint64, front, _, _ []byte) error {
	d := encoding.NewDecoder(front)
	if m.Hdr.Version < 2 {
		// ceph_mon_subscribe_item_old: the version the sender has and a
		// onetime bool.
		old := encoding.DecodeMap(d, 4+9, encoding.DecStr, func(d *encoding.Decoder) SubscribeItem {
			have, onetime := d.U64(), d.Bool()
			it := SubscribeItem{}
			if have != 0 {
				it.Start = have + 1
			}
			if onetime {
				it.Flags = SubscribeOnetime
			}
			return it
		})
		m.What = old
		return finish(d)
	}
	m.What = encoding.DecodeMap(d, 4+9, encoding.DecStr, func(d *encoding.Decoder) SubscribeItem {
		return SubscribeItem{Start: d.U64(), Flags: d.U8()}
	})
	if m.Hdr.Version >= 3 {
		m.Hostname = d.Str()
	}
	return finish(d)
}

// MonSubscribeAck is MMonSubscribeAck: the renewal interval (seconds) and
// the cluster fsid; only sent to peers without MON_STATEFUL_SUB.
type MonSubscribeAck struct {
	msgr2.MsgBase
	Interval uint32
	FSID     encoding.UUID
}

func (*MonSubscribeAck) Type() uint16              { return TypeMonSubscribeAck }
func (*MonSubscribeAck) Version() (uint16, uint16) { return 1, 0 }
func (m *MonSubscribeAck) EncodePayload(uint64) ([]byte, []byte, []byte) {
	var e encoding.Encoder
	e.U32(m.Interval)
	e.UUID(m.FSID)
	return e.Bytes(), nil, nil
}
func (m *MonSubscribeAck) DecodePayload(_ uint64, front, _, _ []byte) error {
	d := encoding.NewDecoder(front)
	m.Interval = d.U32()
	m.FSID = d.UUID()
	return finish(d)
}

// MonGetVersion is MMonGetVersion: asks for the newest and oldest versions
// of a map ("osdmap", "mdsmap", ...); Handle matches the reply.
type MonGetVersion struct {
	msgr2.MsgBase
	Handle uint64
	What   string
}

func (*MonGetVersion) Type() uint16              { return TypeMonGetVersion }
func (*MonGetVersion) Version() (uint16, uint16) { return 1, 0 }
func (m *MonGetVersion) EncodePayload(uint64) ([]byte, []byte, []byte) {
	var e encoding.Encoder
	e.U64(m.Handle)
	e.Str(m.What)
	return e.Bytes(), nil, nil
}
func (m *MonGetVersion) DecodePayload(_ uint64, front, _, _ []byte) error {
	d := encoding.NewDecoder(front)
	m.Handle = d.U64()
	m.What = d.Str()
	return finish(d)
}

// MonGetVersionReply is MMonGetVersionReply (HEAD_VERSION 2).
type MonGetVersionReply struct {
	msgr2.MsgBase
	Handle        uint64
	Latest        uint64
	OldestVersion uint64
}

func (*MonGetVersionReply) Type() uint16              { return TypeMonGetVersionReply }
func (*MonGetVersionReply) Version() (uint16, uint16) { return 2, 0 }
func (m *MonGetVersionReply) EncodePayload(uint64) ([]byte, []byte, []byte) {
	var e encoding.Encoder
	e.U64(m.Handle)
	e.U64(m.Latest)
	e.U64(m.OldestVersion)
	return e.Bytes(), nil, nil
}
func (m *MonGetVersionReply) DecodePayload(_ uint64, front, _, _ []byte) error {
	d := encoding.NewDecoder(front)
	m.Handle = d.U64()
	m.Latest = d.U64()
	if m.Hdr.Version >= 2 {
		m.OldestVersion = d.U64()
	}
	return finish(d)
}

// Config is MConfig (MSG_CONFIG, HEAD_VERSION 1): the configuration the
// monitor holds for the receiver.
type Config struct {
	msgr2.MsgBase
	Config map[string]string
}

func (*Config) Type() uint16              { return TypeConfig }
func (*Config) Version() (uint16, uint16) { return 1, 1 }
func (m *Config) EncodePayload(uint64) ([]byte, []byte, []byte) {
	var e encoding.Encoder
	encoding.Map(&e, m.Config, encoding.EncStr, encoding.EncStr)
	return e.Bytes(), nil, nil
}
func (m *Config) DecodePayload(_ uint64, front, _, _ []byte) error {
	d := encoding.NewDecoder(front)
	m.Config = encoding.DecodeMap(d, 8, encoding.DecStr, encoding.DecStr)
	return finish(d)
}

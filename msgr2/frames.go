package msgr2

import (
	"github.com/kelp-ceph/kelp/encoding"
)

// frameFeatures are the features control frames are encoded with, whatever
// the peer announced: ceph::msgr::v2::msgr2_frame_assumed (MSG_ADDR2 and
// SERVER_NAUTILUS), so addresses use the entity_addr_t v1 form and may be
// TYPE_ANY.
const frameFeatures = uint64(encoding.FeatureMsgAddr2 | encoding.FeatureServerNautilus)

// controlFrame is the payload of a one-segment frame (ControlFrame<...> in
// frames_v2.h). The field order of each type below is that of its Ceph
// counterpart.
type controlFrame interface {
	tag() Tag
	encode(e *encoding.Encoder)
	decode(d *encoding.Decoder)
}

func encodeControl(cf controlFrame) []byte {
	var e encoding.Encoder
	cf.encode(&e)
	return e.Bytes()
}

// decodeControl decodes fr into cf. Bytes after the known fields are
// ignored, as Ceph's decoders ignore what a newer peer appended.
func decodeControl(fr *Frame, cf controlFrame) error {
	if fr.Tag != cf.tag() {
		return protoErr("expected %s, got %s", cf.tag(), fr.Tag)
	}
	if fr.NumSegs != 1 {
		return protoErr("%s frame with %d segments", fr.Tag, fr.NumSegs)
	}
	d := encoding.NewDecoder(fr.Segments[0])
	cf.decode(d)
	if err := d.Err(); err != nil {
		return protoErr("decoding %s: %v", fr.Tag, err)
	}
	return nil
}

func encodeU32s(e *encoding.Encoder, v []uint32) {
	e.Count(len(v))
	for _, x := range v {
		e.U32(x)
	}
}

func decodeU32s(d *encoding.Decoder) []uint32 {
	return encoding.DecodeSlice(d, 4, encoding.DecU32)
}

// HelloFrame: the sender's entity type and the address it sees the peer at.
type HelloFrame struct {
	EntityType encoding.EntityType
	PeerAddr   encoding.EntityAddr
}

func (*HelloFrame) tag() Tag { return TagHello }
func (f *HelloFrame) encode(e *encoding.Encoder) {
	e.U8(uint8(f.EntityType))
	e.EntityAddr(f.PeerAddr, frameFeatures)
}
func (f *HelloFrame) decode(d *encoding.Decoder) {
	f.EntityType = encoding.EntityType(d.U8())
	f.PeerAddr = d.EntityAddr()
}

// AuthRequestFrame starts (or restarts) authentication.
type AuthRequestFrame struct {
	Method  uint32
	Modes   []uint32
	Payload []byte
}

func (*AuthRequestFrame) tag() Tag { return TagAuthRequest }
func (f *AuthRequestFrame) encode(e *encoding.Encoder) {
	e.U32(f.Method)
	encodeU32s(e, f.Modes)
	e.Blob(f.Payload)
}
func (f *AuthRequestFrame) decode(d *encoding.Decoder) {
	f.Method = d.U32()
	f.Modes = decodeU32s(d)
	f.Payload = d.Blob()
}

// AuthBadMethodFrame refuses the requested method and lists what is allowed.
type AuthBadMethodFrame struct {
	Method  uint32
	Result  int32
	Methods []uint32
	Modes   []uint32
}

func (*AuthBadMethodFrame) tag() Tag { return TagAuthBadMethod }
func (f *AuthBadMethodFrame) encode(e *encoding.Encoder) {
	e.U32(f.Method)
	e.I32(f.Result)
	encodeU32s(e, f.Methods)
	encodeU32s(e, f.Modes)
}
func (f *AuthBadMethodFrame) decode(d *encoding.Decoder) {
	f.Method = d.U32()
	f.Result = d.I32()
	f.Methods = decodeU32s(d)
	f.Modes = decodeU32s(d)
}

// AuthReplyMoreFrame and AuthRequestMoreFrame carry one more round of the
// auth method's exchange.
type AuthReplyMoreFrame struct{ Payload []byte }

func (*AuthReplyMoreFrame) tag() Tag                     { return TagAuthReplyMore }
func (f *AuthReplyMoreFrame) encode(e *encoding.Encoder) { e.Blob(f.Payload) }
func (f *AuthReplyMoreFrame) decode(d *encoding.Decoder) { f.Payload = d.Blob() }

type AuthRequestMoreFrame struct{ Payload []byte }

func (*AuthRequestMoreFrame) tag() Tag                     { return TagAuthRequestMore }
func (f *AuthRequestMoreFrame) encode(e *encoding.Encoder) { e.Blob(f.Payload) }
func (f *AuthRequestMoreFrame) decode(d *encoding.Decoder) { f.Payload = d.Blob() }

// AuthDoneFrame ends authentication with the global id and connection mode
// the server chose.
type AuthDoneFrame struct {
	GlobalID uint64
	ConMode  uint32
	Payload  []byte
}

func (*AuthDoneFrame) tag() Tag { return TagAuthDone }
func (f *AuthDoneFrame) encode(e *encoding.Encoder) {
	e.U64(f.GlobalID)
	e.U32(f.ConMode)
	e.Blob(f.Payload)
}
func (f *AuthDoneFrame) decode(d *encoding.Decoder) {
	f.GlobalID = d.U64()
	f.ConMode = d.U32()
	f.Payload = d.Blob()
}

// AuthSignatureFrame is an HMAC-SHA256 (sha256_digest_t, 32 raw bytes) of
// everything the sender received before authentication finished.
type AuthSignatureFrame struct{ Sig [32]byte }

func (*AuthSignatureFrame) tag() Tag                     { return TagAuthSignature }
func (f *AuthSignatureFrame) encode(e *encoding.Encoder) { e.Raw(f.Sig[:]) }
func (f *AuthSignatureFrame) decode(d *encoding.Decoder) {
	if b := d.Raw(32); b != nil {
		copy(f.Sig[:], b)
	}
}

// CompressionRequestFrame and CompressionDoneFrame negotiate on-wire
// compression (Quincy).
type CompressionRequestFrame struct {
	IsCompress bool
	Methods    []uint32
}

func (*CompressionRequestFrame) tag() Tag { return TagCompressionRequest }
func (f *CompressionRequestFrame) encode(e *encoding.Encoder) {
	e.Bool(f.IsCompress)
	encodeU32s(e, f.Methods)
}
func (f *CompressionRequestFrame) decode(d *encoding.Decoder) {
	f.IsCompress = d.Bool()
	f.Methods = decodeU32s(d)
}

type CompressionDoneFrame struct {
	IsCompress bool
	Method     uint32
}

func (*CompressionDoneFrame) tag() Tag { return TagCompressionDone }
func (f *CompressionDoneFrame) encode(e *encoding.Encoder) {
	e.Bool(f.IsCompress)
	e.U32(f.Method)
}
func (f *CompressionDoneFrame) decode(d *encoding.Decoder) {
	f.IsCompress = d.Bool()
	f.Method = d.U32()
}

// ClientIdentFrame identifies the client and the session it wants.
type ClientIdentFrame struct {
	Addrs     encoding.EntityAddrVec
	Target    encoding.EntityAddr
	GID       int64
	GlobalSeq uint64
	Features  uint64
	Required  uint64
	Flags     uint64
	Cookie    uint64
}

func (*ClientIdentFrame) tag() Tag { return TagClientIdent }
func (f *ClientIdentFrame) encode(e *encoding.Encoder) {
	e.EntityAddrVec(f.Addrs, frameFeatures)
	e.EntityAddr(f.Target, frameFeatures)
	e.I64(f.GID)
	e.U64(f.GlobalSeq)
	e.U64(f.Features)
	e.U64(f.Required)
	e.U64(f.Flags)
	e.U64(f.Cookie)
}
func (f *ClientIdentFrame) decode(d *encoding.Decoder) {
	f.Addrs = d.EntityAddrVec()
	f.Target = d.EntityAddr()
	f.GID = d.I64()
	f.GlobalSeq = d.U64()
	f.Features = d.U64()
	f.Required = d.U64()
	f.Flags = d.U64()
	f.Cookie = d.U64()
}

// ServerIdentFrame accepts a client ident.
type ServerIdentFrame struct {
	Addrs     encoding.EntityAddrVec
	GID       int64
	GlobalSeq uint64
	Features  uint64
	Required  uint64
	Flags     uint64
	Cookie    uint64
}

func (*ServerIdentFrame) tag() Tag { return TagServerIdent }
func (f *ServerIdentFrame) encode(e *encoding.Encoder) {
	e.EntityAddrVec(f.Addrs, frameFeatures)
	e.I64(f.GID)
	e.U64(f.GlobalSeq)
	e.U64(f.Features)
	e.U64(f.Required)
	e.U64(f.Flags)
	e.U64(f.Cookie)
}
func (f *ServerIdentFrame) decode(d *encoding.Decoder) {
	f.Addrs = d.EntityAddrVec()
	f.GID = d.I64()
	f.GlobalSeq = d.U64()
	f.Features = d.U64()
	f.Required = d.U64()
	f.Flags = d.U64()
	f.Cookie = d.U64()
}

// ReconnectFrame asks to resume an established session.
type ReconnectFrame struct {
	Addrs        encoding.EntityAddrVec
	ClientCookie uint64
	ServerCookie uint64
	GlobalSeq    uint64
	ConnectSeq   uint64
	MsgSeq       uint64
}

func (*ReconnectFrame) tag() Tag { return TagSessionReconnect }
func (f *ReconnectFrame) encode(e *encoding.Encoder) {
	e.EntityAddrVec(f.Addrs, frameFeatures)
	e.U64(f.ClientCookie)
	e.U64(f.ServerCookie)
	e.U64(f.GlobalSeq)
	e.U64(f.ConnectSeq)
	e.U64(f.MsgSeq)
}
func (f *ReconnectFrame) decode(d *encoding.Decoder) {
	f.Addrs = d.EntityAddrVec()
	f.ClientCookie = d.U64()
	f.ServerCookie = d.U64()
	f.GlobalSeq = d.U64()
	f.ConnectSeq = d.U64()
	f.MsgSeq = d.U64()
}

// ResetFrame (SESSION_RESET) tells the client its session is gone.
type ResetFrame struct{ Full bool }

func (*ResetFrame) tag() Tag                     { return TagSessionReset }
func (f *ResetFrame) encode(e *encoding.Encoder) { e.Bool(f.Full) }
func (f *ResetFrame) decode(d *encoding.Decoder) { f.Full = d.Bool() }

// u64Frame is the payload of the frames that carry one __le64.
type u64Frame struct {
	t Tag
	V uint64
}

func (f *u64Frame) tag() Tag                   { return f.t }
func (f *u64Frame) encode(e *encoding.Encoder) { e.U64(f.V) }
func (f *u64Frame) decode(d *encoding.Decoder) { f.V = d.U64() }

// RetryFrame (SESSION_RETRY) carries the server's connect_seq,
// RetryGlobalFrame its global_seq, ReconnectOKFrame its last received
// message seq, IdentMissingFeaturesFrame the features the client lacks and
// AckFrame a received message seq.
func retryFrame(v uint64) *u64Frame           { return &u64Frame{TagSessionRetry, v} }
func retryGlobalFrame(v uint64) *u64Frame     { return &u64Frame{TagSessionRetryGlobal, v} }
func reconnectOKFrame(v uint64) *u64Frame     { return &u64Frame{TagSessionReconnectOK, v} }
func missingFeaturesFrame(v uint64) *u64Frame { return &u64Frame{TagIdentMissingFeatures, v} }
func ackFrame(v uint64) *u64Frame             { return &u64Frame{TagAck, v} }

// WaitFrame tells a connecting peer to wait for the connection the server
// is making to it (a connection race the server won). It has no payload.
type WaitFrame struct{}

func (*WaitFrame) tag() Tag                 { return TagWait }
func (*WaitFrame) encode(*encoding.Encoder) {}
func (*WaitFrame) decode(*encoding.Decoder) {}

// KeepaliveFrame (KEEPALIVE2) and its ack carry a utime_t.
type KeepaliveFrame struct {
	t     Tag
	Stamp encoding.UTime
}

func (f *KeepaliveFrame) tag() Tag                   { return f.t }
func (f *KeepaliveFrame) encode(e *encoding.Encoder) { e.UTime(f.Stamp) }
func (f *KeepaliveFrame) decode(d *encoding.Decoder) { f.Stamp = d.UTime() }

// WriteControl writes a one-segment control frame.
func (f *Framer) writeControl(cf controlFrame) error {
	return f.WriteFrame(cf.tag(), encodeControl(cf))
}

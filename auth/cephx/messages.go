package cephx

import (
	"fmt"

	"github.com/kelp-ceph/kelp/auth"
	"github.com/kelp-ceph/kelp/encoding"
)

// RequestType is a cephx request type (CEPHX_GET_* in CephxProtocol.h).
type RequestType uint16

const (
	GetAuthSessionKey      RequestType = 0x0100
	GetPrincipalSessionKey RequestType = 0x0200
	GetRotatingKey         RequestType = 0x0400
)

func (t RequestType) String() string {
	switch t {
	case GetAuthSessionKey:
		return "CEPHX_GET_AUTH_SESSION_KEY"
	case GetPrincipalSessionKey:
		return "CEPHX_GET_PRINCIPAL_SESSION_KEY"
	case GetRotatingKey:
		return "CEPHX_GET_ROTATING_KEY"
	}
	return fmt.Sprintf("cephx_request(%#x)", uint16(t))
}

// RequestHeader starts every cephx request after the server challenge.
type RequestHeader struct {
	RequestType RequestType
}

func (h RequestHeader) Encode(e *encoding.Encoder) { e.U16(uint16(h.RequestType)) }

func DecodeRequestHeader(d *encoding.Decoder) RequestHeader {
	return RequestHeader{RequestType: RequestType(d.U16())}
}

// ResponseHeader starts every cephx response; Status is 0 or a negative
// errno.
type ResponseHeader struct {
	RequestType RequestType
	Status      int32
}

func (h ResponseHeader) Encode(e *encoding.Encoder) {
	e.U16(uint16(h.RequestType))
	e.I32(h.Status)
}

func DecodeResponseHeader(d *encoding.Decoder) ResponseHeader {
	return ResponseHeader{RequestType: RequestType(d.U16()), Status: d.I32()}
}

// ServerChallenge is the monitor's first reply: a random nonzero u64 the
// client must prove its key against.
type ServerChallenge struct {
	ServerChallenge uint64
}

func (c ServerChallenge) Encode(e *encoding.Encoder) {
	e.U8(1)
	e.U64(c.ServerChallenge)
}

func DecodeServerChallenge(d *encoding.Decoder) ServerChallenge {
	d.U8() // struct_v
	return ServerChallenge{ServerChallenge: d.U64()}
}

// TicketBlob is a ticket as the client holds it: opaque ciphertext
// (a ServiceTicketInfo under the service's rotating secret SecretID) that
// only the service can open. SecretID ^0 means the service's own key.
type TicketBlob struct {
	SecretID uint64
	Blob     []byte
}

func (t TicketBlob) Encode(e *encoding.Encoder) {
	e.U8(1)
	e.U64(t.SecretID)
	e.Blob(t.Blob)
}

func DecodeTicketBlob(d *encoding.Decoder) TicketBlob {
	d.U8() // struct_v
	return TicketBlob{SecretID: d.U64(), Blob: d.BlobCopy()}
}

// Authenticate is CEPHX_GET_AUTH_SESSION_KEY's body: the client's
// challenge, the proof, the previous auth ticket (for global_id reclaim)
// and the service tickets wanted at once (nautilus+).
type Authenticate struct {
	ClientChallenge uint64
	Key             uint64
	OldTicket       TicketBlob
	OtherKeys       uint32
	// OldTicketMayBeOmitted is set when decoding a struct_v < 3 request:
	// such legacy clients may reconnect without their old ticket.
	OldTicketMayBeOmitted bool
}

func (a Authenticate) Encode(e *encoding.Encoder) {
	e.U8(3)
	e.U64(a.ClientChallenge)
	e.U64(a.Key)
	a.OldTicket.Encode(e)
	e.U32(a.OtherKeys)
}

func DecodeAuthenticate(d *encoding.Decoder) Authenticate {
	v := d.U8()
	var a Authenticate
	a.ClientChallenge = d.U64()
	a.Key = d.U64()
	a.OldTicket = DecodeTicketBlob(d)
	if v >= 2 {
		a.OtherKeys = d.U32()
	}
	a.OldTicketMayBeOmitted = v < 3
	return a
}

// ServiceTicketRequest asks for tickets to the services in Keys (a mask of
// entity types).
type ServiceTicketRequest struct {
	Keys uint32
}

func (r ServiceTicketRequest) Encode(e *encoding.Encoder) {
	e.U8(1)
	e.U32(r.Keys)
}

func DecodeServiceTicketRequest(d *encoding.Decoder) ServiceTicketRequest {
	d.U8() // struct_v
	return ServiceTicketRequest{Keys: d.U32()}
}

// AuthorizeReply is the service's answer to an authorizer, sealed with the
// ticket's session key: the nonce plus one and, for msgr2, the connection
// secret.
type AuthorizeReply struct {
	NoncePlusOne     uint64
	ConnectionSecret []byte
}

func (r AuthorizeReply) Encode(e *encoding.Encoder) {
	if len(r.ConnectionSecret) > 0 {
		e.U8(2)
	} else {
		e.U8(1)
	}
	e.U64(r.NoncePlusOne)
	if len(r.ConnectionSecret) > 0 {
		e.Blob(r.ConnectionSecret)
	}
}

func DecodeAuthorizeReply(d *encoding.Decoder) AuthorizeReply {
	v := d.U8()
	r := AuthorizeReply{NoncePlusOne: d.U64()}
	if v >= 2 {
		r.ConnectionSecret = d.BlobCopy()
	}
	return r
}

// ServiceTicket ("A" in CephxProtocol.h) is sealed with the principal's
// key: the session key for one service and how long it is valid.
type ServiceTicket struct {
	SessionKey auth.CryptoKey
	Validity   encoding.UTime
}

func (t ServiceTicket) Encode(e *encoding.Encoder) {
	e.U8(1)
	t.SessionKey.Encode(e)
	e.UTime(t.Validity)
}

func DecodeServiceTicket(d *encoding.Decoder) ServiceTicket {
	d.U8() // struct_v
	return ServiceTicket{SessionKey: auth.DecodeCryptoKey(d), Validity: d.UTime()}
}

// ServiceTicketInfo ("B") is what a TicketBlob seals for the service: the
// AuthTicket and the session key the client was given.
type ServiceTicketInfo struct {
	Ticket     auth.AuthTicket
	SessionKey auth.CryptoKey
}

func (t ServiceTicketInfo) Encode(e *encoding.Encoder) {
	e.U8(1)
	t.Ticket.Encode(e)
	t.SessionKey.Encode(e)
}

func DecodeServiceTicketInfo(d *encoding.Decoder) ServiceTicketInfo {
	d.U8() // struct_v
	return ServiceTicketInfo{Ticket: auth.DecodeAuthTicket(d), SessionKey: auth.DecodeCryptoKey(d)}
}

// AuthorizeChallenge is a service's CEPHX_V2 challenge to an authorizer,
// sealed with the ticket's session key.
type AuthorizeChallenge struct {
	ServerChallenge uint64
}

func (c AuthorizeChallenge) Encode(e *encoding.Encoder) {
	e.U8(1)
	e.U64(c.ServerChallenge)
}

func DecodeAuthorizeChallenge(d *encoding.Decoder) AuthorizeChallenge {
	d.U8() // struct_v
	return AuthorizeChallenge{ServerChallenge: d.U64()}
}

// Authorize is the sealed part of an authorizer: the client's nonce and,
// answering a challenge, the challenge plus one.
type Authorize struct {
	Nonce                  uint64
	HaveChallenge          bool
	ServerChallengePlusOne uint64
}

func (a Authorize) Encode(e *encoding.Encoder) {
	e.U8(2)
	e.U64(a.Nonce)
	e.Bool(a.HaveChallenge)
	e.U64(a.ServerChallengePlusOne)
}

func DecodeAuthorize(d *encoding.Decoder) Authorize {
	v := d.U8()
	a := Authorize{Nonce: d.U64()}
	if v >= 2 {
		a.HaveChallenge = d.Bool()
		a.ServerChallengePlusOne = d.U64()
	}
	return a
}

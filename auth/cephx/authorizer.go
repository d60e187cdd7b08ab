package cephx

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"time"

	"github.com/kelp-ceph/kelp/auth"
	"github.com/kelp-ceph/kelp/encoding"
)

// Authorizer is what a client presents to a service (an OSD, MDS, mgr or
// monitor reached as a service): its ticket for that service and a nonce
// sealed with the ticket's session key (CephXAuthorizer). For msgr2 it is
// the AUTH_REQUEST payload after the auth-mode byte.
type Authorizer struct {
	SessionKey auth.CryptoKey
	Nonce      uint64
	// Payload is the authorizer as sent: u8 authorizer_v, u64 global_id,
	// u32 service_id, the ticket blob and the sealed Authorize.
	Payload []byte
	base    []byte
}

func randomU64(rand io.Reader) (uint64, error) {
	var b [8]byte
	if _, err := io.ReadFull(rand, b[:]); err != nil {
		return 0, fmt.Errorf("cephx: random: %w", err)
	}
	return binary.LittleEndian.Uint64(b[:]), nil
}

// BuildAuthorizer makes an authorizer for service from its ticket
// (CephXTicketHandler::build_authorizer).
func BuildAuthorizer(rand io.Reader, globalID uint64, service encoding.EntityType, ticket TicketBlob, sessionKey auth.CryptoKey) (*Authorizer, error) {
	nonce, err := randomU64(rand)
	if err != nil {
		return nil, err
	}
	var e encoding.Encoder
	e.U8(1)
	e.U64(globalID)
	e.U32(uint32(service))
	ticket.Encode(&e)
	a := &Authorizer{SessionKey: sessionKey, Nonce: nonce, base: bytes.Clone(e.Bytes())}
	if err := seal(&e, sessionKey, Authorize{Nonce: nonce}.Encode); err != nil {
		return nil, err
	}
	a.Payload = e.Bytes()
	return a, nil
}

// AddChallenge answers a service's CEPHX_V2 challenge (the bare sealed
// AuthorizeChallenge it replied with) by rebuilding Payload with the
// challenge plus one (CephXAuthorizer::add_challenge).
func (a *Authorizer) AddChallenge(challenge []byte) error {
	msg := Authorize{Nonce: a.Nonce}
	if len(challenge) > 0 {
		od, err := openRaw(a.SessionKey, challenge)
		ch, err := decodeOpened(od, err, DecodeAuthorizeChallenge)
		if err != nil {
			return fmt.Errorf("cephx: authorizer challenge: %w", err)
		}
		msg.HaveChallenge = true
		msg.ServerChallengePlusOne = ch.ServerChallenge + 1
	}
	e := encoding.NewEncoder(bytes.Clone(a.base))
	if err := seal(e, a.SessionKey, msg.Encode); err != nil {
		return err
	}
	a.Payload = e.Bytes()
	return nil
}

// VerifyReply checks the service's AuthorizeReply (a bufferlist-wrapped
// ciphertext) proves it opened our ticket, and returns the connection
// secret it chose (CephXAuthorizer::verify_reply).
func (a *Authorizer) VerifyReply(reply []byte) ([]byte, error) {
	d := encoding.NewDecoder(reply)
	od, err := open(d, a.SessionKey)
	r, err := decodeOpened(od, err, DecodeAuthorizeReply)
	if err != nil {
		return nil, fmt.Errorf("cephx: authorizer reply: %w", err)
	}
	if r.NoncePlusOne != a.Nonce+1 {
		return nil, fmt.Errorf("cephx: authorizer reply has nonce %#x, want %#x", r.NoncePlusOne, a.Nonce+1)
	}
	return r.ConnectionSecret, nil
}

// AuthorizerChallenge is a service's memory of the challenge it sent on
// one connection; the zero value means none was sent yet.
type AuthorizerChallenge struct {
	sent      bool
	challenge uint64
}

// AuthorizerVerdict is what VerifyAuthorizer concluded.
type AuthorizerVerdict int

const (
	// AuthorizerValid: the authorizer is good; Reply goes back in
	// AUTH_DONE.
	AuthorizerValid AuthorizerVerdict = iota
	// AuthorizerChallenged: a CEPHX_V2 challenge was issued; Reply goes
	// back in AUTH_REPLY_MORE and the client must answer it.
	AuthorizerChallenged
)

func (v AuthorizerVerdict) String() string {
	if v == AuthorizerChallenged {
		return "challenged"
	}
	return "valid"
}

// VerifiedAuthorizer is the outcome of a successful verification.
type VerifiedAuthorizer struct {
	Verdict          AuthorizerVerdict
	Info             ServiceTicketInfo
	Reply            []byte
	ConnectionSecret []byte
}

// AuthorizerVerifier holds what a service needs to check authorizers.
type AuthorizerVerifier struct {
	Keys KeyStore
	// Self is the service's own name, whose key opens tickets with
	// SecretIDOwnKey.
	Self encoding.EntityName
	Rand io.Reader
	Now  func() time.Time
}

// Verify checks an authorizer (cephx_verify_authorizer): it opens the
// ticket with the service's secret, checks the declared global_id and the
// ticket's expiry, opens the Authorize with the ticket's session key and,
// when ch is not nil, runs the CEPHX_V2 challenge: the first authorizer of
// a connection is answered with a fresh challenge, the next must carry it
// plus one. An authorizer replayed from another connection therefore
// fails. The reply seals nonce+1 and a fresh connection secret of
// secretLen bytes (none when secretLen is 0, or when connSecret is false
// as for CEPHX_GET_PRINCIPAL_SESSION_KEY).
func (v *AuthorizerVerifier) Verify(d *encoding.Decoder, secretLen int, connSecret bool, ch *AuthorizerChallenge) (VerifiedAuthorizer, error) {
	d.U8() // authorizer_v
	globalID := d.U64()
	service := encoding.EntityType(d.U32())
	blob := DecodeTicketBlob(d)
	if err := d.Err(); err != nil {
		return VerifiedAuthorizer{}, refuse(EACCES, "malformed authorizer: %v", err)
	}
	self := v.Self
	if blob.SecretID == SecretIDOwnKey {
		self = encoding.EntityName{Type: service}
	}
	info, err := DecodeTicket(v.Keys, self, service, blob)
	if err != nil {
		return VerifiedAuthorizer{}, err
	}
	if info.Ticket.GlobalID != globalID {
		return VerifiedAuthorizer{}, refuse(EACCES, "authorizer declares global_id %d, ticket has %d", globalID, info.Ticket.GlobalID)
	}
	now := encoding.UTimeOf(v.Now())
	if exp := info.Ticket.Expires; !exp.IsZero() && (exp.Sec < now.Sec || exp.Sec == now.Sec && exp.Nsec < now.Nsec) {
		return VerifiedAuthorizer{}, refuse(EACCES, "ticket for %s expired at %s", info.Ticket.Name, exp)
	}
	od, err := open(d, info.SessionKey)
	msg, err := decodeOpened(od, err, DecodeAuthorize)
	if err != nil {
		return VerifiedAuthorizer{}, refuse(EACCES, "cannot open authorize: %v", err)
	}
	if ch != nil {
		if !msg.HaveChallenge || !ch.sent {
			c, err := randomU64(v.Rand)
			if err != nil {
				return VerifiedAuthorizer{}, err
			}
			ch.sent, ch.challenge = true, c
			reply, err := sealRaw(info.SessionKey, AuthorizeChallenge{ServerChallenge: c}.Encode)
			if err != nil {
				return VerifiedAuthorizer{}, err
			}
			return VerifiedAuthorizer{Verdict: AuthorizerChallenged, Info: info, Reply: reply}, nil
		}
		if msg.ServerChallengePlusOne != ch.challenge+1 {
			return VerifiedAuthorizer{}, refuse(EACCES, "authorizer answers challenge %#x, want %#x", msg.ServerChallengePlusOne-1, ch.challenge)
		}
	}
	out := VerifiedAuthorizer{Verdict: AuthorizerValid, Info: info}
	r := AuthorizeReply{NoncePlusOne: msg.Nonce + 1}
	if connSecret && secretLen > 0 {
		r.ConnectionSecret = make([]byte, secretLen)
		if _, err := io.ReadFull(v.Rand, r.ConnectionSecret); err != nil {
			return VerifiedAuthorizer{}, fmt.Errorf("cephx: random: %w", err)
		}
		out.ConnectionSecret = r.ConnectionSecret
	} else if connSecret {
		out.ConnectionSecret = []byte{}
	}
	var e encoding.Encoder
	if err := seal(&e, info.SessionKey, r.Encode); err != nil {
		return VerifiedAuthorizer{}, err
	}
	out.Reply = e.Bytes()
	return out, nil
}

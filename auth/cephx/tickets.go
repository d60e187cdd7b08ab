package cephx

import (
	"fmt"
	"math"
	"time"

	"github.com/kelp-ceph/kelp/auth"
	"github.com/kelp-ceph/kelp/encoding"
)

// SecretIDOwnKey is the secret_id of a ticket sealed with the service's own
// key instead of a rotating secret (mon-to-mon tickets).
const SecretIDOwnKey = ^uint64(0)

// KeyStore is where a service finds the keys to open tickets (Ceph's
// KeyStore): its own key and its type's rotating secrets.
type KeyStore interface {
	Secret(name encoding.EntityName) (auth.CryptoKey, bool)
	ServiceSecret(service encoding.EntityType, secretID uint64) (auth.CryptoKey, bool)
}

// SessionAuthInfo is everything needed to issue one ticket
// (CephXSessionAuthInfo).
type SessionAuthInfo struct {
	ServiceID     encoding.EntityType
	SecretID      uint64
	Ticket        auth.AuthTicket
	SessionKey    auth.CryptoKey
	ServiceSecret auth.CryptoKey
	Validity      time.Duration
}

// utimeOfDuration is utime_t::set_from_double for a TTL.
func utimeOfDuration(d time.Duration) encoding.UTime {
	if d <= 0 {
		return encoding.UTime{}
	}
	sec := d / time.Second
	if sec > math.MaxUint32 {
		sec = math.MaxUint32
	}
	return encoding.UTime{Sec: uint32(sec), Nsec: uint32(d % time.Second)}
}

// BuildTicketBlob seals the ticket for the service
// (cephx_build_service_ticket_blob).
func BuildTicketBlob(info SessionAuthInfo) (TicketBlob, error) {
	if info.ServiceSecret.IsZero() {
		return TicketBlob{}, fmt.Errorf("cephx: no service secret for %s", info.ServiceID)
	}
	ct, err := sealRaw(info.ServiceSecret, ServiceTicketInfo{Ticket: info.Ticket, SessionKey: info.SessionKey}.Encode)
	if err != nil {
		return TicketBlob{}, err
	}
	return TicketBlob{SecretID: info.SecretID, Blob: ct}, nil
}

// EncodeServiceTicketReply appends tickets for the client
// (cephx_build_service_ticket_reply): for each service, its session key
// and validity sealed with principalSecret, and the ticket blob, itself
// sealed with ticketEncKey when encryptTicket is set (a renewed auth ticket
// is sealed with the previous ticket's session key).
func EncodeServiceTicketReply(e *encoding.Encoder, principalSecret auth.CryptoKey, infos []SessionAuthInfo, encryptTicket bool, ticketEncKey auth.CryptoKey) error {
	e.U8(1)
	e.U32(uint32(len(infos)))
	for _, info := range infos {
		e.U32(uint32(info.ServiceID))
		e.U8(1)
		st := ServiceTicket{SessionKey: info.SessionKey, Validity: utimeOfDuration(info.Validity)}
		if err := seal(e, principalSecret, st.Encode); err != nil {
			return err
		}
		blob, err := BuildTicketBlob(info)
		if err != nil {
			return err
		}
		var tb encoding.Encoder
		blob.Encode(&tb)
		e.Bool(encryptTicket)
		if encryptTicket {
			if err := seal(e, ticketEncKey, func(e *encoding.Encoder) { e.Blob(tb.Bytes()) }); err != nil {
				return err
			}
		} else {
			e.Blob(tb.Bytes())
		}
	}
	return nil
}

// ServiceTicketGrant is one service's entry of a ticket reply as the
// client reads it.
type ServiceTicketGrant struct {
	ServiceID  encoding.EntityType
	SessionKey auth.CryptoKey
	Validity   encoding.UTime
	Ticket     TicketBlob
}

// DecodeServiceTicketReply reads a ticket reply
// (CephXTicketManager::verify_service_ticket_reply), opening each entry
// with principalSecret; oldSessionKey gives the key a sealed ticket blob
// is opened with (the session key the client held for that service).
func DecodeServiceTicketReply(d *encoding.Decoder, principalSecret auth.CryptoKey, oldSessionKey func(encoding.EntityType) auth.CryptoKey) ([]ServiceTicketGrant, error) {
	d.U8() // service_ticket_reply_v
	// service id, v, two blob lengths and the flag at least.
	n := d.Count(14)
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("cephx: ticket reply: %w", err)
	}
	grants := make([]ServiceTicketGrant, 0, n)
	for range n {
		var g ServiceTicketGrant
		g.ServiceID = encoding.EntityType(d.U32())
		d.U8() // service_ticket_v
		od, err := open(d, principalSecret)
		st, err := decodeOpened(od, err, DecodeServiceTicket)
		if err != nil {
			return nil, fmt.Errorf("cephx: ticket reply for %s: %w", g.ServiceID, err)
		}
		g.SessionKey, g.Validity = st.SessionKey, st.Validity
		var tbl []byte
		if d.U8() != 0 {
			key := auth.CryptoKey{}
			if oldSessionKey != nil {
				key = oldSessionKey(g.ServiceID)
			}
			inner, err := open(d, key)
			if err != nil {
				return nil, fmt.Errorf("cephx: sealed ticket for %s: %w", g.ServiceID, err)
			}
			tbl = inner.Blob()
			if err := inner.Err(); err != nil {
				return nil, fmt.Errorf("cephx: sealed ticket for %s: %w", g.ServiceID, err)
			}
		} else {
			tbl = d.Blob()
		}
		if err := d.Err(); err != nil {
			return nil, fmt.Errorf("cephx: ticket reply: %w", err)
		}
		td := encoding.NewDecoder(tbl)
		g.Ticket = DecodeTicketBlob(td)
		if err := td.Err(); err != nil {
			return nil, fmt.Errorf("cephx: ticket blob for %s: %w", g.ServiceID, err)
		}
		grants = append(grants, g)
	}
	return grants, nil
}

// DecodeTicket opens a ticket blob for service with the matching key from
// keys (cephx_decode_ticket). self names the service itself, whose own key
// opens SecretIDOwnKey tickets.
func DecodeTicket(keys KeyStore, self encoding.EntityName, service encoding.EntityType, blob TicketBlob) (ServiceTicketInfo, error) {
	if len(blob.Blob) == 0 {
		return ServiceTicketInfo{}, refuse(EACCES, "empty ticket")
	}
	var key auth.CryptoKey
	var ok bool
	if blob.SecretID == SecretIDOwnKey {
		key, ok = keys.Secret(self)
	} else {
		key, ok = keys.ServiceSecret(service, blob.SecretID)
	}
	if !ok || key.IsZero() {
		return ServiceTicketInfo{}, refuse(EACCES, "no secret %d for service %s", blob.SecretID, service)
	}
	od, err := openRaw(key, blob.Blob)
	info, err := decodeOpened(od, err, DecodeServiceTicketInfo)
	if err != nil {
		return ServiceTicketInfo{}, refuse(EACCES, "cannot open ticket for %s: %v", service, err)
	}
	return info, nil
}

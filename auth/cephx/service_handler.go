package cephx

import (
	"io"

	"github.com/kelp-ceph/kelp/auth"
	"github.com/kelp-ceph/kelp/encoding"
)

// handleRequest serves one cephx request after the server challenge
// (CephxServiceHandler::handle_request). inHandshake says it came in the
// msgr2 handshake, where a connection secret is generated. ret is 1 when a
// GET_AUTH_SESSION_KEY succeeded (authentication is complete), 0 on
// success otherwise, or a negative errno that the reply header also
// carries. err is a refusal; reply may still hold what Ceph would send.
func (s *Session) handleRequest(payload []byte, inHandshake bool) (reply []byte, ret int32, err error) {
	d := encoding.NewDecoder(payload)
	hdr := DecodeRequestHeader(d)
	if d.Err() != nil {
		return nil, 0, refuse(EPERM, "malformed request header")
	}
	switch hdr.RequestType {
	case GetAuthSessionKey:
		return s.getAuthSessionKey(d, inHandshake)
	case GetPrincipalSessionKey:
		return s.getPrincipalSessionKey(d)
	case GetRotatingKey:
		var e encoding.Encoder
		ResponseHeader{RequestType: GetRotatingKey}.Encode(&e)
		if err := s.srv.Keys.RotatingEncrypted(&e, s.entity); err != nil {
			return e.Bytes(), 0, err
		}
		return e.Bytes(), 0, nil
	}
	return nil, 0, refuse(EINVAL, "unknown cephx request %s", hdr.RequestType)
}

func (s *Session) getAuthSessionKey(d *encoding.Decoder, inHandshake bool) ([]byte, int32, error) {
	ks := s.srv.Keys
	req := DecodeAuthenticate(d)
	if err := d.Err(); err != nil {
		return nil, 0, refuse(EPERM, "malformed authenticate: %v", err)
	}
	ent, ok := ks.Entity(s.entity)
	if !ok {
		return nil, 0, refuse(EACCES, "unknown entity %s", s.entity)
	}
	if s.challenge == 0 {
		return nil, 0, refuse(EACCES, "no server challenge sent")
	}
	want, err := ClientServerChallenge(ent.Key, s.challenge, req.ClientChallenge)
	if err != nil {
		return nil, 0, refuse(EACCES, "key of %s unusable: %v", s.entity, err)
	}
	if req.Key != want {
		return nil, 0, refuse(EACCES, "wrong key for %s", s.entity)
	}
	oldInfo, encTicket, err := s.verifyOldTicket(req)
	if err != nil {
		return nil, 0, err
	}

	ks.mu.Lock()
	secretID, secret, ttl, ok := ks.ticketSecret(encoding.EntityAuth)
	ks.mu.Unlock()
	if !ok {
		return nil, 0, refuse(EIO, "no rotating secret for the auth service")
	}
	info := SessionAuthInfo{ServiceID: encoding.EntityAuth, SecretID: secretID, ServiceSecret: secret, Validity: ttl}
	info.Ticket.Name = s.entity
	info.Ticket.GlobalID = s.globalID
	info.Ticket.InitTimestamps(ks.Now(), ttl)
	sk, err := ks.GenerateSecret()
	if err != nil {
		return nil, 0, err
	}
	info.SessionKey = sk

	// The reply (auth ticket, connection secret and service tickets) is
	// most of a KiB: start with room for it.
	e := encoding.NewEncoder(make([]byte, 0, 1024))
	ResponseHeader{RequestType: GetAuthSessionKey}.Encode(e)
	if err := EncodeServiceTicketReply(e, ent.Key, []SessionAuthInfo{info}, encTicket, oldInfo.SessionKey); err != nil {
		return nil, 0, refuse(EIO, "building ticket reply: %v", err)
	}

	caps, _ := ks.Caps(s.entity, "mon")
	if cs, ok := caps.CapString(); !ok || cs == "" {
		return nil, 0, refuse(EACCES, "%s has no mon caps", s.entity)
	}
	var connSecret []byte
	if req.OtherKeys != 0 {
		// Nautilus+ client: the connection secret and the service tickets
		// it asked for come with the auth ticket.
		cbl := encoding.NewEncoder(make([]byte, 0, 128))
		if inHandshake {
			connSecret = make([]byte, s.secretLen)
			if _, err := io.ReadFull(s.srv.rand(), connSecret); err != nil {
				return nil, 0, err
			}
			if err := seal(cbl, sk, func(e *encoding.Encoder) { e.Blob(connSecret) }); err != nil {
				return nil, 0, refuse(EACCES, "sealing connection secret: %v", err)
			}
		}
		e.Blob(cbl.Bytes())
		var extra []SessionAuthInfo
		for svc := uint32(1); svc != 0 && svc <= req.OtherKeys; svc <<= 1 {
			if req.OtherKeys&svc == 0 || svc == uint32(encoding.EntityAuth) {
				continue
			}
			si, err := ks.BuildSessionAuthInfo(encoding.EntityType(svc), info.Ticket)
			if err != nil {
				continue
			}
			extra = append(extra, si)
		}
		xe := encoding.NewEncoder(make([]byte, 0, 512))
		if len(extra) > 0 {
			if err := EncodeServiceTicketReply(xe, sk, extra, false, auth.CryptoKey{}); err != nil {
				return nil, 0, refuse(EIO, "building service tickets: %v", err)
			}
		}
		e.Blob(xe.Bytes())
	}
	s.caps = caps
	if inHandshake {
		s.sessionKey = sk
		s.connSecret = connSecret
		if s.connSecret == nil {
			s.connSecret = []byte{}
		}
	}
	return e.Bytes(), 1, nil
}

// verifyOldTicket applies the global_id reclaim rules
// (CephxServiceHandler::verify_old_ticket, CVE-2021-20288): a new
// global_id must come without a ticket; reclaiming one needs a valid auth
// ticket for that global_id, unless insecure reclaim is allowed and the
// client is a legacy one. A reclaimed ticket is sent back sealed with the
// old ticket's session key.
func (s *Session) verifyOldTicket(req Authenticate) (ServiceTicketInfo, bool, error) {
	if s.gidStatus == GlobalIDNewPending {
		if len(req.OldTicket.Blob) > 0 {
			return ServiceTicketInfo{}, false, refuse(EINVAL, "superfluous ticket presented with a new global_id")
		}
		if req.OldTicketMayBeOmitted {
			s.gidStatus = GlobalIDNewNotExposed
		} else {
			s.gidStatus = GlobalIDNewOK
		}
		return ServiceTicketInfo{}, false, nil
	}
	insecureOK := s.srv.Config.AllowInsecureGlobalIDReclaim && req.OldTicketMayBeOmitted
	if len(req.OldTicket.Blob) == 0 {
		if insecureOK {
			s.gidStatus = GlobalIDReclaimInsecure
			return ServiceTicketInfo{}, false, nil
		}
		return ServiceTicketInfo{}, false, refuse(EACCES, "reclaim of global_id %d without a ticket", s.globalID)
	}
	old, err := DecodeTicket(s.srv.Keys, s.srv.Self, encoding.EntityAuth, req.OldTicket)
	if err != nil {
		if insecureOK {
			s.gidStatus = GlobalIDReclaimInsecure
			return ServiceTicketInfo{}, false, nil
		}
		return ServiceTicketInfo{}, false, refuse(EACCES, "reclaim of global_id %d with a bad ticket", s.globalID)
	}
	if old.Ticket.GlobalID != s.globalID {
		if insecureOK {
			s.gidStatus = GlobalIDReclaimInsecure
			return ServiceTicketInfo{}, false, nil
		}
		return ServiceTicketInfo{}, false, refuse(EACCES, "reclaim of global_id %d with a ticket for %d", s.globalID, old.Ticket.GlobalID)
	}
	s.gidStatus = GlobalIDReclaimOK
	return old, true, nil
}

func (s *Session) getPrincipalSessionKey(d *encoding.Decoder) ([]byte, int32, error) {
	ks := s.srv.Keys
	v := &AuthorizerVerifier{Keys: ks, Self: s.srv.Self, Rand: s.srv.rand(), Now: ks.Now}
	res, err := v.Verify(d, 0, false, nil)
	if err != nil {
		return nil, 0, err
	}
	req := DecodeServiceTicketRequest(d)
	if err := d.Err(); err != nil {
		return nil, 0, refuse(EPERM, "malformed service ticket request: %v", err)
	}
	var infos []SessionAuthInfo
	var svcErr error
	for svc := uint32(1); svc != 0 && svc <= req.Keys; svc <<= 1 {
		if req.Keys&svc == 0 || svc == uint32(encoding.EntityAuth) {
			continue
		}
		si, err := ks.BuildSessionAuthInfo(encoding.EntityType(svc), res.Info.Ticket)
		if err != nil {
			svcErr = err
			continue
		}
		infos = append(infos, si)
	}
	var ret int32
	if len(infos) == 0 && svcErr != nil {
		ret = -int32(ErrnoOf(svcErr))
	}
	var e encoding.Encoder
	ResponseHeader{RequestType: GetPrincipalSessionKey, Status: ret}.Encode(&e)
	if err := EncodeServiceTicketReply(&e, res.Info.SessionKey, infos, false, auth.CryptoKey{}); err != nil {
		return nil, 0, refuse(EIO, "building service tickets: %v", err)
	}
	return e.Bytes(), ret, nil
}

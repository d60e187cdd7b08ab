package msgr2

import (
	"net"
	"net/netip"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
)

// msgr2Required are the Ceph features every msgr2 peer must have
// (ceph::msgr::v2::msgr2_required): entity_addrvec_t needs MSG_ADDR2.
const msgr2Required = uint64(encoding.FeatureMsgAddr2)

// accept runs an accepted TCP connection through the handshake and the
// session phase. Any failure closes this connection only, with the reason
// logged; the listener keeps serving. On success it returns the session
// and its transport, whose reader the caller runs: the goroutine that ran
// the handshake goes on reading, with the stack it has grown, until the
// session goes quiet.
func (m *Messenger) accept(nc net.Conn) (*Conn, *transport) {
	cfg := &m.cfg
	nc.SetDeadline(time.Now().Add(cfg.HandshakeTimeout))
	peer := encoding.EntityAddr{Type: encoding.AddrMsgr2}
	if ta, ok := nc.RemoteAddr().(*net.TCPAddr); ok {
		ap := ta.AddrPort()
		peer.Addr = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	drop := func(err error) {
		m.log.Info("msgr2: dropping incoming connection", "peer", peer.Addr, "err", err)
		nc.Close()
	}
	auth := cfg.AuthServer
	if auth == nil {
		auth = m.noneServer()
	}
	f := NewFramer(wrapRaw(nc))
	h := &serverHandshake{f: f, cfg: cfg, log: m.log, peerAddr: peer, auth: auth}
	if err := h.run(); err != nil {
		drop(err)
		return nil, nil
	}
	tr := newTransport(nc, f)
	for round := 0; round < maxSessionRounds; round++ {
		fr, err := f.ReadFrame()
		if err != nil {
			drop(err)
			return nil, nil
		}
		var c *Conn
		switch fr.Tag {
		case TagClientIdent:
			var ci ClientIdentFrame
			if err = decodeControl(fr, &ci); err == nil {
				c, err = m.acceptIdent(tr, h, &ci)
			}
		case TagSessionReconnect:
			var rc ReconnectFrame
			if err = decodeControl(fr, &rc); err == nil {
				c, err = m.acceptReconnect(tr, h, &rc)
			}
		default:
			err = protoErr("unexpected %s in session negotiation", fr.Tag)
		}
		if err != nil {
			drop(err)
			return nil, nil
		}
		if c != nil {
			return c, tr
		}
	}
	drop(protoErr("session negotiation did not converge in %d rounds", maxSessionRounds))
	return nil, nil
}

func (m *Messenger) noneServer() AuthServer {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.none == nil {
		m.none = &AuthNoneServer{}
	}
	return m.none
}

// isMine reports whether a CLIENT_IDENT target is one of our addresses.
// A nonce of 0 (an address parsed from mon_host) matches any nonce.
func (m *Messenger) isMine(t encoding.EntityAddr) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, a := range m.myAddrs {
		if a.Addr.Port() == t.Addr.Port() && (a.Addr.Addr() == t.Addr.Addr() || a.Addr.Addr().IsUnspecified()) &&
			(t.Nonce == 0 || t.Nonce == a.Nonce) {
			return true
		}
	}
	return false
}

// addrLess orders entity addresses, to break connection races the same
// way on both sides: the connection initiated by the lower address wins.
func addrLess(a, b encoding.EntityAddr) bool {
	if c := a.Addr.Compare(b.Addr); c != 0 {
		return c < 0
	}
	return a.Nonce < b.Nonce
}

// peerWinsLocked says whether an incoming connection from peer beats our
// own outgoing attempt to it.
func (m *Messenger) peerWins(peer encoding.EntityAddrVec) bool {
	mine := m.Addrs()
	if len(mine) == 0 {
		return true
	}
	return addrLess(peer.Front(), mine.Front())
}

func (m *Messenger) lookup(key string) *Conn {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.conns[key]
}

// acceptIdent answers a CLIENT_IDENT (ProtocolV2::handle_client_ident and
// handle_existing_connection). It returns the Conn once the connection
// carries its session, and the caller then runs its reader; nil after
// sending a frame the client must act on.
func (m *Messenger) acceptIdent(tr *transport, h *serverHandshake, ci *ClientIdentFrame) (*Conn, error) {
	cfg := &m.cfg
	f := tr.f
	if len(ci.Addrs) == 0 {
		return nil, protoErr("client ident without addresses")
	}
	if !m.isMine(ci.Target) {
		return nil, protoErr("peer is trying to reach %s, which is not us (%s)", ci.Target, m.Addrs())
	}
	if missing := (cfg.RequiredFeatures | msgr2Required) &^ ci.Features; missing != 0 {
		m.log.Info("msgr2: peer lacks required features", "peer", ci.Addrs, "missing", missing)
		return nil, f.writeControl(missingFeaturesFrame(missing))
	}
	policy := cfg.Policy(h.peerType, true)
	if ci.Flags&connectFlagLossy != 0 {
		policy.Lossy = true
	}
	key := addrKey(ci.Addrs.Front())
	var c *Conn
	if !policy.Lossy {
		// ProtocolV2::handle_existing_connection, case by case.
		if ex := m.lookup(key); ex != nil {
			ex.mu.Lock()
			switch {
			case ex.state == stateClosed:
			case ex.peerGlobal > ci.GlobalSeq:
				// ProtocolV2::handle_existing_connection stops such a
				// connection as stale. The peer restarted (its global_seq
				// starts over) while our session to it waits to
				// reconnect: reconnect now rather than at the end of the
				// backoff, so that the peer's reset of that session comes
				// in a round trip rather than seconds later.
				ex.wakeReconnectLocked()
				ex.mu.Unlock()
				return nil, protoErr("stale connection: global_seq %d, the session has %d", ci.GlobalSeq, ex.peerGlobal)
			case ex.serverCookie != 0 && ex.clientCookie != 0 && ex.clientCookie != ci.Cookie:
				// The peer reset (restarted): reuse the connection for
				// its new session.
				m.log.Info("msgr2: peer reset its session", "peer", ci.Addrs)
				if ex.policy.ResetCheck {
					ex.resetSessionLocked()
				}
				ex.notify(eventReset, false)
				c = ex
			case ex.clientCookie == ci.Cookie:
				// Establishment interrupted between CLIENT_IDENT and
				// SERVER_IDENT: continue it.
				c = ex
			case ex.state == stateOpen || ex.state == stateStandby:
				c = ex
			case m.peerWins(ci.Addrs) || ex.policy.Server:
				m.log.Debug("msgr2: connection race, peer's wins", "peer", ci.Addrs)
				c = ex
			default:
				ex.mu.Unlock()
				m.log.Debug("msgr2: connection race, ours wins", "peer", ci.Addrs)
				return nil, f.writeControl(&WaitFrame{})
			}
			if c == nil {
				ex.mu.Unlock()
			}
		}
	}
	if c == nil {
		c = newConn(m, h.peerType, policy, false)
		c.target = ci.Addrs.Front()
		c.mu.Lock()
		m.mu.Lock()
		if !policy.Lossy {
			m.conns[key] = c
		}
		m.all[c] = struct{}{}
		m.mu.Unlock()
	}
	// c.mu is held.
	defer c.mu.Unlock()
	c.attempt++ // abandon any connection attempt of ours
	c.outgoing = false
	c.peerAddrs = ci.Addrs
	c.clientCookie = ci.Cookie
	c.newSessionLocked()
	c.connectSeq = 0
	c.serverCookie = 0
	if !policy.Lossy {
		c.serverCookie = randU64()
	}
	c.peerGlobal = ci.GlobalSeq
	c.peerName = encoding.EntityNameT{Type: h.peerType, Num: ci.GID}
	if ci.GID < 0 && h.authResult.GlobalID != 0 {
		c.peerName.Num = int64(h.authResult.GlobalID)
	}
	c.features = ci.Features & cfg.Features
	c.conMode = h.conMode
	c.authServer = h.authResult
	var flags uint64
	if policy.Lossy {
		flags = connectFlagLossy
	}
	si := &ServerIdentFrame{Addrs: m.Addrs(), GID: cfg.Num, GlobalSeq: m.nextGlobalSeq(0), Features: cfg.Features,
		Required: cfg.RequiredFeatures | msgr2Required, Flags: flags, Cookie: c.serverCookie}
	if err := f.writeControl(si); err != nil {
		return nil, err
	}
	tr.nc.SetDeadline(time.Time{})
	// HandleAccept goes through the dispatch queue, ahead of the first
	// message (ms_handle_accept precedes dispatch); this goroutine goes
	// on to read the session (readNew).
	c.notify(eventAccept, true)
	c.attachLocked(tr, true)
	return c, nil
}

// acceptReconnect answers a SESSION_RECONNECT (ProtocolV2::handle_reconnect).
func (m *Messenger) acceptReconnect(tr *transport, h *serverHandshake, rc *ReconnectFrame) (*Conn, error) {
	f := tr.f
	if len(rc.Addrs) == 0 {
		return nil, protoErr("reconnect without addresses")
	}
	ex := m.lookup(addrKey(rc.Addrs.Front()))
	if ex == nil {
		m.log.Info("msgr2: reconnect to unknown session, resetting", "peer", rc.Addrs)
		return nil, f.writeControl(&ResetFrame{Full: true})
	}
	// ProtocolV2::handle_reconnect, in its order.
	ex.mu.Lock()
	reset := func(full bool, why string) (*Conn, error) {
		ex.mu.Unlock()
		m.log.Info("msgr2: resetting reconnecting peer", "peer", rc.Addrs, "reason", why, "full", full)
		return nil, f.writeControl(&ResetFrame{Full: full})
	}
	switch {
	case ex.state == stateClosed:
		return reset(true, "session closed")
	case ex.clientCookie != rc.ClientCookie:
		return reset(ex.policy.ResetCheck, "client cookie mismatch")
	case ex.serverCookie == 0:
		// We connected and never got SERVER_IDENT: the peer should
		// resume establishment.
		return reset(false, "session not established")
	case ex.peerGlobal > rc.GlobalSeq:
		g := ex.peerGlobal
		ex.mu.Unlock()
		return nil, f.writeControl(retryGlobalFrame(g))
	case ex.connectSeq > rc.ConnectSeq:
		cs := ex.connectSeq
		ex.mu.Unlock()
		return nil, f.writeControl(retryFrame(cs))
	case ex.connectSeq == rc.ConnectSeq && !m.peerWins(rc.Addrs) && !ex.policy.Server:
		// Reconnect race, and ours wins.
		ex.mu.Unlock()
		return nil, f.writeControl(&WaitFrame{})
	}
	defer ex.mu.Unlock()
	ex.attempt++
	ex.outgoing = false
	ex.connectSeq = rc.ConnectSeq
	ex.peerGlobal = rc.GlobalSeq
	ex.conMode = h.conMode
	ex.authServer = h.authResult
	ex.requeueSentLocked(rc.MsgSeq)
	ex.ackedIn = 0
	if err := f.writeControl(reconnectOKFrame(ex.inSeq)); err != nil {
		return nil, err
	}
	tr.nc.SetDeadline(time.Time{})
	m.log.Debug("msgr2: session resumed by peer", "peer", rc.Addrs, "peer_has", rc.MsgSeq, "replaying", len(ex.queue))
	ex.attachLocked(tr, true)
	return ex, nil
}

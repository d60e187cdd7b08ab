package msgr2

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
)

var (
	errSuperseded   = errors.New("msgr2: connection attempt superseded")
	errMissingFeats = errors.New("msgr2: peer requires features we lack")
)

// maxSessionRounds bounds RETRY/RETRY_GLOBAL/RESET rounds in one attempt.
const maxSessionRounds = 8

// connect makes one connection attempt: dial, handshake, then open a new
// session (CLIENT_IDENT) or resume the existing one (SESSION_RECONNECT).
func (c *Conn) connect(ctx context.Context, attempt uint64) error {
	cfg := &c.msgr.cfg
	d := net.Dialer{Timeout: cfg.HandshakeTimeout}
	if cfg.BindBeforeConnect {
		if ip := c.msgr.Addrs().Front().Addr.Addr(); ip.IsValid() && !ip.IsUnspecified() {
			d.LocalAddr = net.TCPAddrFromAddrPort(netip.AddrPortFrom(ip, 0))
		}
	}
	nc, err := d.DialContext(ctx, "tcp", c.target.Addr.String())
	if err != nil {
		return err
	}
	deadline := time.Now().Add(cfg.HandshakeTimeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	nc.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { nc.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	f := NewFramer(wrapRaw(nc))
	var auth AuthClient
	if cfg.NewAuthClient != nil {
		auth = cfg.NewAuthClient(c.peerType)
	} else {
		auth = &AuthNoneClient{Name: cfg.Name, ToMon: c.peerType == encoding.EntityMon}
	}
	h := &clientHandshake{f: f, cfg: cfg, log: c.log, peerType: c.peerType, target: c.target, auth: auth}
	if err := h.run(); err != nil {
		nc.Close()
		return err
	}
	tr := newTransport(nc, f)
	if err := c.openSession(tr, h, attempt); err != nil {
		tr.close()
		return err
	}
	return nil
}

// openSession runs the session phase of a connection attempt.
func (c *Conn) openSession(tr *transport, h *clientHandshake, attempt uint64) error {
	m := c.msgr
	cfg := &m.cfg
	f := tr.f
	myAddrs := m.myIdentAddrs(h.addrForMe)
	gs := m.nextGlobalSeq(0)

	c.mu.Lock()
	if c.attempt != attempt || c.state == stateClosed {
		c.mu.Unlock()
		return errSuperseded
	}
	c.globalSeq = gs
	reconnect := !c.policy.Lossy && c.serverCookie != 0
	// Every reconnect attempt bumps connect_seq (kernel
	// ceph_con_v2_try_write), so a retry after a lost RECONNECT_OK is not
	// mistaken for a reconnect race.
	if reconnect {
		c.connectSeq++
	}
	cs := c.connectSeq
	c.mu.Unlock()

	gid := cfg.Num
	if h.authResult.GlobalID != 0 && cfg.Name.Type == encoding.EntityClient {
		gid = int64(h.authResult.GlobalID)
	}
	for round := 0; round < maxSessionRounds; round++ {
		c.mu.Lock()
		if c.attempt != attempt || c.state == stateClosed {
			c.mu.Unlock()
			return errSuperseded
		}
		inSeq, cc, sc := c.inSeq, c.clientCookie, c.serverCookie
		lossy, target := c.policy.Lossy, c.target
		c.mu.Unlock()
		var err error
		if reconnect {
			err = f.writeControl(&ReconnectFrame{Addrs: myAddrs, ClientCookie: cc, ServerCookie: sc, GlobalSeq: gs, ConnectSeq: cs, MsgSeq: inSeq})
		} else {
			var flags uint64
			if lossy {
				flags = connectFlagLossy
			}
			err = f.writeControl(&ClientIdentFrame{Addrs: myAddrs, Target: target, GID: gid, GlobalSeq: gs,
				Features: cfg.Features, Required: cfg.RequiredFeatures, Flags: flags, Cookie: cc})
		}
		if err != nil {
			return err
		}
		fr, err := f.ReadFrame()
		if err != nil {
			return err
		}
		switch fr.Tag {
		case TagServerIdent:
			if reconnect {
				return protoErr("SERVER_IDENT in answer to SESSION_RECONNECT")
			}
			var si ServerIdentFrame
			if err := decodeControl(fr, &si); err != nil {
				return err
			}
			return c.established(tr, h, attempt, &si)
		case TagSessionReconnectOK:
			if !reconnect {
				return protoErr("SESSION_RECONNECT_OK in answer to CLIENT_IDENT")
			}
			ok := reconnectOKFrame(0)
			if err := decodeControl(fr, ok); err != nil {
				return err
			}
			return c.reconnected(tr, h, attempt, ok.V)
		case TagIdentMissingFeatures:
			mf := missingFeaturesFrame(0)
			if err := decodeControl(fr, mf); err != nil {
				return err
			}
			return errors.Join(errMissingFeats, protoErr("peer requires features %#x", mf.V))
		case TagWait:
			if err := decodeControl(fr, &WaitFrame{}); err != nil {
				return err
			}
			return errWait
		case TagSessionRetryGlobal:
			rg := retryGlobalFrame(0)
			if err := decodeControl(fr, rg); err != nil {
				return err
			}
			gs = m.nextGlobalSeq(rg.V)
		case TagSessionRetry:
			if !reconnect {
				return protoErr("SESSION_RETRY in answer to CLIENT_IDENT")
			}
			r := retryFrame(0)
			if err := decodeControl(fr, r); err != nil {
				return err
			}
			cs = r.V + 1
			c.mu.Lock()
			c.connectSeq = cs
			c.mu.Unlock()
		case TagSessionReset:
			if !reconnect {
				return protoErr("SESSION_RESET in answer to CLIENT_IDENT")
			}
			var rst ResetFrame
			if err := decodeControl(fr, &rst); err != nil {
				return err
			}
			c.log.Info("msgr2: peer reset our session", "peer", c.String(), "full", rst.Full)
			// A full reset drops the session and its messages; otherwise
			// they go out again on a new session under the same cookie
			// (ProtocolV2::handle_session_reset).
			c.mu.Lock()
			if rst.Full {
				c.resetSessionLocked()
				c.clientCookie = randU64()
			} else {
				c.newSessionLocked()
				c.serverCookie, c.connectSeq = 0, 0
			}
			c.mu.Unlock()
			if rst.Full {
				c.notify(eventReset, false)
			}
			reconnect = false
		default:
			return protoErr("unexpected %s in session negotiation", fr.Tag)
		}
	}
	return protoErr("session negotiation did not converge in %d rounds", maxSessionRounds)
}

// established opens a new session after SERVER_IDENT.
func (c *Conn) established(tr *transport, h *clientHandshake, attempt uint64, si *ServerIdentFrame) error {
	cfg := &c.msgr.cfg
	if missing := cfg.RequiredFeatures &^ si.Features; missing != 0 {
		return errors.Join(errMissingFeats, protoErr("peer lacks required features %#x", missing))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.attempt != attempt || c.state == stateClosed {
		return errSuperseded
	}
	c.peerName = encoding.EntityNameT{Type: c.peerType, Num: si.GID}
	if c.serverCookie != 0 && c.serverCookie != si.Cookie {
		c.newSessionLocked() // the server started a new session
	}
	c.peerGlobal = si.GlobalSeq
	c.features = si.Features & cfg.Features
	c.serverCookie = si.Cookie
	if si.Flags&connectFlagLossy != 0 {
		c.policy.Lossy = true
	}
	if len(si.Addrs) > 0 {
		c.peerAddrs = si.Addrs
	}
	c.conMode = h.conMode
	c.authClient = &h.authResult
	tr.nc.SetDeadline(time.Time{})
	c.log.Debug("msgr2: session established", "peer", c.String(), "mode", ConModeName(c.conMode), "rev1", tr.f.rev1)
	c.attachLocked(tr, false)
	return nil
}

// reconnected resumes the session after SESSION_RECONNECT_OK: messages
// the peer has (seq <= msgSeq) are dropped, the rest are sent again.
func (c *Conn) reconnected(tr *transport, h *clientHandshake, attempt, msgSeq uint64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.attempt != attempt || c.state == stateClosed {
		return errSuperseded
	}
	c.conMode = h.conMode
	c.authClient = &h.authResult
	c.requeueSentLocked(msgSeq)
	c.ackedIn = 0 // resend our ack: the last one may have been lost
	tr.nc.SetDeadline(time.Time{})
	c.log.Debug("msgr2: session resumed", "peer", c.String(), "peer_has", msgSeq, "replaying", len(c.queue))
	c.attachLocked(tr, false)
	return nil
}

// maxBackoff is the longest wait between connection attempts
// (ms_max_backoff); after WAIT the next attempt waits this long, giving
// the peer's winning connection time to arrive.
const maxBackoff = 15 * time.Second

// reconnectLoop retries a session's connection with backoff until it
// succeeds, is superseded (the peer's connection took over) or the Conn
// closes. delay is the wait before the first attempt.
func (c *Conn) reconnectLoop(attempt uint64, delay time.Duration) {
	cfg := &c.msgr.cfg
	backoff := cfg.ReconnectBackoff
	for {
		if delay > 0 && !c.backOff(delay) {
			return
		}
		c.mu.Lock()
		live := c.attempt == attempt && c.state == stateConnecting
		c.mu.Unlock()
		if !live {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), cfg.HandshakeTimeout)
		err := c.connect(ctx, attempt)
		cancel()
		switch {
		case err == nil, errors.Is(err, errSuperseded):
			return
		case errors.Is(err, errWait):
			// The peer is connecting to us and wins: stay connecting
			// (its connection supersedes this loop) and try again only
			// if it never comes.
			c.log.Debug("msgr2: peer asked us to wait", "peer", c.String())
			delay = maxBackoff
			continue
		case errors.Is(err, errMissingFeats):
			c.closeWith(err, true)
			return
		}
		c.log.Info("msgr2: reconnect failed", "peer", c.String(), "err", err, "retry_in", backoff)
		delay = backoff
		backoff = min(2*backoff, maxBackoff)
	}
}

// backOff waits delay before the next reconnect attempt, or less when
// wakeReconnectLocked ends the wait; false means the Conn closed.
func (c *Conn) backOff(delay time.Duration) bool {
	wake := make(chan struct{})
	c.mu.Lock()
	if c.woken {
		// Woken while the last attempt was under way: no wait.
		c.woken = false
		c.mu.Unlock()
		return true
	}
	c.wake = wake
	c.mu.Unlock()
	t := time.NewTimer(delay)
	defer t.Stop()
	defer func() {
		c.mu.Lock()
		if c.wake == wake {
			c.wake = nil
		}
		c.mu.Unlock()
	}()
	select {
	case <-c.Done():
		return false
	case <-t.C:
	case <-wake:
	}
	return true
}

// wakeReconnectLocked has a reconnect waiting out its backoff try now:
// the peer is evidently back. A reconnect in the middle of an attempt
// (one that will end in a WAIT from that same peer, say) skips its next
// backoff instead, so that the wake is not lost. The caller holds c.mu.
func (c *Conn) wakeReconnectLocked() {
	switch {
	case c.wake != nil:
		close(c.wake)
		c.wake = nil
	case c.state == stateConnecting:
		c.woken = true
	}
}

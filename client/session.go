package client

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/kelp-ceph/kelp/auth/cephx"
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/msgr2"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// session is one authenticated connection to one monitor, with its own
// Messenger (so that a hunt's losing connections close cleanly) and its
// own auth state (MonConnection).
type session struct {
	mon     monTarget
	m       *msgr2.Messenger
	conn    *msgr2.Conn
	auth    *monAuth
	started time.Time

	authPending bool // an MAuth renewal is in flight
	closeOnce   sync.Once
}

func (s *session) close() {
	s.closeOnce.Do(func() { s.m.Close() })
}

// monAuth adapts cephx.Client (or auth none) to msgr2.AuthClient for one
// monitor connection and remembers a refusal, to tell a bad key from a
// network failure.
type monAuth struct {
	cx      *cephx.Client
	none    *msgr2.AuthNoneClient
	refused bool
}

func (a *monAuth) Start(allowed []uint32) (uint32, []uint32, []byte, error) {
	if allowed != nil {
		a.refused = true
	}
	var (
		m     uint32
		modes []uint32
		p     []byte
		err   error
	)
	if a.none != nil {
		m, modes, p, err = a.none.Start(allowed)
	} else {
		m, modes, p, err = a.cx.Start(allowed)
	}
	if err != nil && a.refused {
		return 0, nil, nil, fmt.Errorf("%w (%w): %v", errAuthRefused, syscall.EACCES, err)
	}
	return m, modes, p, err
}

func (a *monAuth) More(p []byte) ([]byte, error) {
	if a.none != nil {
		return a.none.More(p)
	}
	return a.cx.More(p)
}

func (a *monAuth) Done(gid uint64, mode uint32, p []byte) (msgr2.AuthResult, error) {
	if a.none != nil {
		return a.none.Done(gid, mode, p)
	}
	r, err := a.cx.Done(gid, mode, p)
	return msgr2.AuthResult(r), err
}

func (c *Client) newAuth() *monAuth {
	if len(c.s.methods) == 1 && c.s.methods[0] == msgr2.AuthNone {
		return &monAuth{none: &msgr2.AuthNoneClient{Name: c.s.name, ToMon: true}}
	}
	cx := cephx.NewClient(c.s.name, c.s.key)
	cx.Methods = c.s.methods
	cx.Modes = c.s.modes
	c.mu.Lock()
	cx.CarryOver(c.lastAuth)
	c.mu.Unlock()
	return &monAuth{cx: cx}
}

// openSession connects and authenticates to one monitor.
func (c *Client) openSession(ctx context.Context, mon monTarget) (*session, *MonError) {
	s := &session{mon: mon, auth: c.newAuth()}
	cfg := msgr2.Config{
		Name:              c.s.name,
		Registry:          c.reg,
		Dispatcher:        msgr2.DispatcherFunc(func(_ *msgr2.Conn, m msgr2.Message) { c.dispatch(s, m) }),
		KeepaliveInterval: c.s.ping,
		MonClientModes:    c.s.modes,
		NewAuthClient:     func(encoding.EntityType) msgr2.AuthClient { return s.auth },
		Logger:            c.s.log,
	}
	if s.auth.none != nil {
		cfg.MonClientModes = []uint32{msgr2.ConModeCRC}
	}
	s.m = msgr2.NewMessenger(cfg)
	conn, err := s.m.Dial(ctx, mon.addrs, encoding.EntityMon)
	if err != nil {
		s.m.Close()
		return nil, &MonError{Mon: mon.name, Addr: mon.addrString(), Step: dialStep(err, s.auth), Err: err}
	}
	s.conn = conn
	s.started = time.Now()
	return s, nil
}

// dialStep names the step a failed Dial stopped at.
func dialStep(err error, a *monAuth) string {
	var op *net.OpError
	switch {
	case errors.Is(err, errAuthRefused) || a.refused:
		return "authenticate"
	case errors.As(err, &op) && op.Op == "dial":
		return "connect"
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
		return "connect/handshake (timed out)"
	}
	var ce *cephx.Error
	if errors.As(err, &ce) {
		return "authenticate"
	}
	return "handshake"
}

// candidates returns up to n monitors to try, in random order as
// MonClient::_add_conns picks them.
func (c *Client) candidates(n int) []monTarget {
	c.mu.Lock()
	all := c.mons
	if len(all) == 0 {
		all = c.s.mons
	}
	all = append([]monTarget(nil), all...)
	c.mu.Unlock()
	var usable []monTarget
	for _, m := range all {
		if _, ok := m.addrs.Of(encoding.AddrMsgr2); ok {
			usable = append(usable, m)
		} else if _, ok := m.addrs.Of(encoding.AddrAny); ok {
			usable = append(usable, m)
		}
	}
	rand.Shuffle(len(usable), func(i, j int) { usable[i], usable[j] = usable[j], usable[i] })
	if len(usable) > n {
		usable = usable[:n]
	}
	return usable
}

// hunt opens sessions to several monitors at once until one
// authenticates (MonClient::_reopen_session and _finish_hunting), backing
// off between rounds. With giveUp, a round in which every monitor refused
// authentication ends the hunt: a wrong key does not heal by retrying.
func (c *Client) hunt(ctx context.Context, giveUp bool) error {
	mult := 1.0
	last := map[string]*MonError{}
	var order []string
	for {
		cands := c.candidates(c.s.parallel)
		if len(cands) == 0 {
			return &HuntError{Cause: errors.New("no monitor has a msgr2 address (kelp speaks msgr2 only)")}
		}
		timeout := time.Duration(float64(c.s.interval) * mult)
		sess, errs := c.huntRound(ctx, cands, timeout)
		if sess != nil {
			if err := c.install(sess); err != nil {
				sess.close()
				return err
			}
			return nil
		}
		refused := 0
		for _, e := range errs {
			if _, ok := last[e.Mon]; !ok {
				order = append(order, e.Mon)
			}
			last[e.Mon] = e
			if e.Step == "authenticate" {
				refused++
			}
		}
		herr := func(cause error) error {
			h := &HuntError{Cause: cause}
			for _, n := range order {
				h.Errs = append(h.Errs, last[n])
			}
			return h
		}
		if giveUp && refused == len(errs) && refused > 0 {
			return herr(errAuthRefused)
		}
		if ctx.Err() != nil {
			return herr(ctx.Err())
		}
		mult = min(mult*c.s.backoff, c.s.maxMult)
		select {
		case <-ctx.Done():
			return herr(ctx.Err())
		case <-time.After(time.Duration(float64(100*time.Millisecond) * mult)):
		}
	}
}

// huntRound dials every candidate at once; the first session to
// authenticate wins and the others are closed.
func (c *Client) huntRound(ctx context.Context, cands []monTarget, timeout time.Duration) (*session, []*MonError) {
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	type result struct {
		s   *session
		err *MonError
	}
	results := make(chan result, len(cands))
	for _, m := range cands {
		go func() {
			s, err := c.openSession(rctx, m)
			results <- result{s, err}
		}()
	}
	var win *session
	var errs []*MonError
	for range cands {
		r := <-results
		switch {
		case r.s != nil && win == nil:
			win = r.s
			cancel() // stop the others
		case r.s != nil:
			r.s.close()
		default:
			if win == nil {
				errs = append(errs, r.err)
			}
		}
	}
	return win, errs
}

// install makes sess the client's session (MonClient::_finish_hunting):
// it subscribes, asks for tickets and re-sends what was waiting.
func (c *Client) install(sess *session) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return ErrClosed
	}
	c.sess = sess
	if sess.auth.cx != nil {
		c.lastAuth = sess.auth.cx
	}
	c.stats.Sessions++
	c.s.log.Info("client: session open", "mon", sess.mon.name, "addr", sess.mon.addrString(), "global_id", sess.conn.AuthResult().GlobalID)
	c.sendSubsLocked(nil)
	c.checkTicketsLocked(sess)
	for _, p := range c.cmds {
		c.sendCommandLocked(p)
	}
	for _, p := range c.versions {
		c.sendVersionLocked(p)
	}
	if c.monmap != nil {
		close(c.ready)
	}
	return nil
}

// sendSubsLocked sends the wanted subscriptions (all of them when only is
// nil) on the current session (MonClient::_renew_subs).
func (c *Client) sendSubsLocked(only []string) {
	if c.sess == nil {
		return
	}
	what := map[string]msg.SubscribeItem{}
	if only == nil {
		for k, v := range c.subs {
			what[k] = v
		}
	} else {
		for _, k := range only {
			what[k] = c.subs[k]
		}
	}
	c.sess.conn.Send(&msg.MonSubscribe{What: what, Hostname: c.s.hostname})
}

// checkTicketsLocked asks for cephx tickets that are missing or due
// (MonClient::_check_auth_tickets): the auth ticket is renewed against
// the session's challenge, service tickets with GET_PRINCIPAL_SESSION_KEY.
func (c *Client) checkTicketsLocked(sess *session) {
	cx := sess.auth.cx
	if cx == nil || sess.authPending || sess.conn.AuthResult().SessionKey == nil || len(sess.conn.AuthResult().SessionKey) == 0 {
		return
	}
	need := cx.Need()
	var payload []byte
	var err error
	switch {
	case need&uint32(encoding.EntityAuth) != 0:
		payload, err = cx.RenewRequest()
	case cx.NeedTickets():
		payload, err = cx.ServiceTicketRequest(need)
	default:
		return
	}
	if err != nil {
		c.s.log.Warn("client: cephx ticket request", "err", err)
		return
	}
	var epoch uint32
	if c.monmap != nil {
		epoch = c.monmap.Epoch
	}
	sess.authPending = true
	sess.conn.Send(&msg.Auth{Paxos: msg.NewPaxosHeader(0), Protocol: msgr2.AuthCephx, AuthPayload: payload, MonMapEpoch: epoch})
}

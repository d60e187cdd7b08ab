package mon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/kelp-ceph/kelp/auth"
	"github.com/kelp-ceph/kelp/auth/cephx"
	"github.com/kelp-ceph/kelp/auth/moncap"
	"github.com/kelp-ceph/kelp/conf"
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/monmap"
	"github.com/kelp-ceph/kelp/mon/commands"
	"github.com/kelp-ceph/kelp/mon/quorum"
	"github.com/kelp-ceph/kelp/mon/store"
	"github.com/kelp-ceph/kelp/msgr2"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// Options configure a monitor daemon.
type Options struct {
	// Name is the monitor's id: "a" for mon.a.
	Name string
	// DataDir holds the store (made by Mkfs).
	DataDir string
	// Bind overrides the addresses to listen on; by default those the
	// monmap gives this monitor.
	Bind encoding.EntityAddrVec
	// PublicBind, when set, is where the monitor listens while it
	// announces its monmap addresses, for a monitor reached through a
	// proxy or NAT (public_bind_addr): peers and clients dial the monmap's
	// address and must name it in CLIENT_IDENT.
	PublicBind encoding.EntityAddrVec
	// Messenger configures the messenger (modes, timeouts); Name, Num,
	// AuthServer and Dispatcher are filled in.
	Messenger msgr2.Config
	// Auth is the authentication policy (auth_*_required, modes).
	Auth cephx.ServerConfig
	// Keyring holds the monitors' own key (mon.), read from the data
	// directory's keyring file.
	Keyring *auth.KeyRing
	// NoWarnInsecureGlobalIDReclaim turns off the health warning for
	// allowing insecure global id reclaim
	// (mon_warn_on_insecure_global_id_reclaim_allowed = false).
	NoWarnInsecureGlobalIDReclaim bool
	// Conf is the daemon's configuration, which the admin socket shows
	// and changes; AdminSocket is the socket's path ("" for none).
	Conf        *conf.Config
	AdminSocket string
	Log         *slog.Logger
}

// Open opens the monitor's store and loads its state. The monitor serves
// once Run is called.
func Open(o Options) (*Monitor, error) {
	st, err := store.OpenLevelDB(storeDir(o.DataDir))
	if err != nil {
		return nil, fmt.Errorf("mon: opening store in %s: %w", o.DataDir, err)
	}
	if err := checkMagic(st); err != nil {
		st.Close()
		return nil, err
	}
	m := newMonitor(o.Name, st, o.Log)
	m.events = make(chan func(), 1024)
	m.opts = o
	if err := m.refreshAll(); err != nil {
		st.Close()
		return nil, err
	}
	m.cons = &soloPaxos{st: st, events: m.events, commit: m.onCommit}
	return m, nil
}

// onCommit takes Paxos's word on a proposal. A store that cannot commit
// leaves the monitor unable to make progress safely, so it stops.
func (m *Monitor) onCommit(v uint64, err error) {
	if err != nil {
		m.log.Error("commit failed; stopping", "version", v, "err", err)
		m.fatal(err)
		return
	}
	m.committed()
}

func (m *Monitor) fatal(err error) {
	if m.fatalErr == nil {
		m.fatalErr = err
	}
}

// Run brings the monitor up (a single monitor leads a quorum of itself),
// serves clients until ctx ends, and shuts down cleanly: it stops taking
// requests, lets the proposal in flight commit, and closes the store.
func (m *Monitor) Run(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	mm, err := m.startingMonmap()
	if err != nil {
		return err
	}
	m.runCtx = ctx
	joining := mm.Rank(m.name) < 0
	if joining && len(m.opts.Bind) == 0 {
		return fmt.Errorf("mon: mon.%s is not in the monmap and no address was given", m.name)
	}
	if joining {
		m.joiningNow.Store(true)
	} else if len(mm.Ranks) > 1 {
		q, err := newQuorumState(m, mm, mm.Rank(m.name))
		if err != nil {
			return err
		}
		m.setQuorum(q)
	} else if err := m.winElection(); err != nil {
		return err
	}
	bind := m.opts.Bind
	if len(bind) == 0 && mm != nil {
		if mi, ok := mm.Mons[m.name]; ok {
			bind = mi.PublicAddrs
		}
	}
	if len(bind) == 0 {
		return fmt.Errorf("mon: mon.%s is not in the monmap and no address was given", m.name)
	}
	cfg := m.opts.Messenger
	if len(m.opts.PublicBind) > 0 {
		cfg.PublicAddrs, bind = bind, m.opts.PublicBind
	}
	cfg.Name = encoding.EntityName{Type: encoding.EntityMon, ID: m.name}
	cfg.Num = int64(max(mm.Rank(m.name), 0))
	cfg.Dispatcher = m
	cfg.DispatchInline = true // Dispatch only queues for the loop
	if cfg.Registry == nil {
		cfg.Registry = msg.NewRegistry()
		msg.RegisterStatfs(cfg.Registry)
		msg.RegisterOSD(cfg.Registry)
	}
	m.auth.ks.Extra = m.opts.Keyring
	// A monitor alone speaks to peers too once `mon add` gives it some.
	quorum.RegisterMessages(cfg.Registry)
	cfg.AuthServer = m.newAuthServer(m.opts.Auth)
	cfg.NewAuthClient = m.peerAuthClient
	m.msgr = msgr2.NewMessenger(cfg)
	bound, err := m.msgr.Listen(bind)
	if err != nil {
		return fmt.Errorf("mon: listening on %s: %w", bind, err)
	}
	if err := m.serveAdminSocket(m.opts.AdminSocket); err != nil {
		m.msgr.Close()
		return err
	}
	m.log.Info("monitor serving", "name", m.name, "addrs", m.msgr.Addrs().String(), "bound", bound.String(), "fsid", mm.FSID.String())
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	if m.q != nil {
		m.q.dialPeers(ctx)
		m.q.bootstrap()
		m.q.afterEvent()
	}
	if joining {
		m.startJoining(ctx, mm, m.msgr.Addrs())
	}
	m.serving = true
	for m.fatalErr == nil {
		var timer <-chan time.Time // the quorum cores' next deadline
		if m.q != nil {
			timer = m.q.timer.C
		}
		m.mu.Unlock()
		select {
		case <-ctx.Done():
			m.mu.Lock()
			return m.shutdown()
		case fn := <-m.events:
			m.mu.Lock()
			fn()
		case <-tick.C:
			m.mu.Lock()
			if m.q == nil || m.q.state == stateLeader {
				m.tick()
			}
		case <-timer:
			m.mu.Lock()
			m.q.tick()
		}
		m.afterEvent()
	}
	m.serving = false
	m.msgr.Close()
	m.store.Close()
	return m.fatalErr
}

// afterEvent is what follows every event the monitor handles, on its
// loop or on a connection's reader: the quorum cores act on what changed,
// and what is pending is proposed.
func (m *Monitor) afterEvent() {
	if mm := m.monmap.current; m.q == nil && m.joining == nil && m.inflight == nil && mm != nil && len(mm.Ranks) > 1 {
		// A monitor alone committed a monmap with other monitors.
		m.enterQuorum(m.runCtx)
	}
	if m.q != nil {
		m.q.afterEvent()
	}
	m.maybePropose()
}

// shutdown stops the messenger, waits for the proposal in flight, and
// closes the store: nothing acknowledged is lost.
func (m *Monitor) shutdown() error {
	m.serving = false
	m.msgr.Close()
	if m.asok != nil {
		m.asok.Close()
		os.Remove(m.opts.AdminSocket)
	}
	deadline := time.After(30 * time.Second)
	for m.inflight != nil && m.fatalErr == nil {
		select {
		case fn := <-m.events:
			fn()
		case <-deadline:
			m.log.Error("shutdown: proposal did not commit in 30s")
			m.inflight = nil
		}
	}
	return errors.Join(m.fatalErr, m.store.Close())
}

// winElection makes this monitor the leader of a quorum of itself, and on
// a brand-new store has every service write its initial state as the
// first proposal, as Ceph's leader does after the first election.
func (m *Monitor) winElection() error {
	m.leader = max(m.rank(), 0)
	m.quorum = []int{m.leader}
	m.electionEpoch += 2
	m.quorumSince = time.Now()
	if m.monmap.current == nil {
		if err := m.createInitial(); err != nil {
			return err
		}
		m.leader, m.quorum = 0, []int{0}
		if err := m.settle(); err != nil {
			return err
		}
	}
	m.auth.startLeading()
	return m.settle()
}

// settle proposes what is pending and waits until it has committed, for
// start-up, before the monitor serves anyone.
func (m *Monitor) settle() error {
	m.maybePropose()
	for (m.inflight != nil || m.wantPropose) && m.fatalErr == nil {
		(<-m.events)()
		m.maybePropose()
	}
	return m.fatalErr
}

// startingMonmap is the committed monmap, or on a store no quorum has
// written to yet, the one mkfs stored.
func (m *Monitor) startingMonmap() (*monmap.MonMap, error) {
	if mm := m.monmap.current; mm != nil {
		return mm, nil
	}
	b, err := m.store.Get(mkfsPrefix, mkfsMonmapKey)
	if err != nil {
		return nil, fmt.Errorf("mon: no initial monmap from mkfs: %w", err)
	}
	return monmap.Decode(b)
}

// rank returns this monitor's rank in the current monmap, or -1.
func (m *Monitor) rank() int {
	if m.monmap.current == nil {
		return -1
	}
	return m.monmap.current.Rank(m.name)
}

// Dispatch is called by the messenger on a connection's reader, which
// handles the message itself under the monitor's lock: a request and its
// reply then pass through no other goroutine. A message that arrives
// before the monitor serves, or after it stopped, is dropped, as
// Monitor::ms_dispatch drops what comes while it shuts down.
func (m *Monitor) Dispatch(c *msgr2.Conn, mg msgr2.Message) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.serving {
		return
	}
	m.handle(c, mg)
	m.afterEvent()
	if m.fatalErr != nil {
		// The loop stops at its next event; make sure there is one.
		select {
		case m.events <- func() {}:
		default:
		}
	}
}

// HandleAccept and HandleReset track sessions (msgr2.ConnObserver).
func (m *Monitor) HandleAccept(c *msgr2.Conn) {}

func (m *Monitor) HandleReset(c *msgr2.Conn) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.q != nil {
		m.q.peerReset(c)
	}
	if s, ok := m.sessions[c]; ok {
		m.removeSession(c, s)
		m.perf.sessionRm++
	}
	if m.serving {
		m.afterEvent()
	}
}

// removeSession is Monitor::remove_session: the session's state goes,
// and so do the requests it had forwarded to the leader, which are not
// sent again after an election: their client resends on its new session
// if it still wants them, so a resend from here could apply one twice.
func (m *Monitor) removeSession(c *msgr2.Conn, s *Session) {
	delete(m.sessions, c)
	m.config.forget(s)
	if m.q != nil {
		m.q.fwd.forget(s)
	}
}

// session returns the session of a connection, creating it on the first
// message.
func (m *Monitor) session(c *msgr2.Conn) *Session {
	if s, ok := m.sessions[c]; ok {
		return s
	}
	r := c.AuthServerResult()
	s := &Session{Entity: r.Entity, GlobalID: r.GlobalID, Addrs: c.PeerAddrs(),
		Features: c.Features(), conn: c}
	if s.Entity.Type == 0 {
		s.Entity.Type = c.PeerType()
	}
	if info, ok := r.Info.(*cephx.PeerInfo); ok {
		s.authInfo = info
	}
	m.sessions[c] = s
	m.perf.sessionAdd++
	return s
}

func (m *Monitor) handle(c *msgr2.Conn, mg msgr2.Message) {
	if m.joining != nil {
		// Not a member yet: nothing to serve; only the probe replies
		// that may list this monitor matter.
		if p, ok := mg.(*msg.MonProbe); ok {
			m.joinReply(m.runCtx, p)
		}
		return
	}
	if m.q != nil {
		if m.q.handlePeer(c, mg) {
			return
		}
		if m.monmap.current == nil {
			return // no quorum has initialized the cluster yet
		}
	}
	m.dispatchSession(m.session(c), mg)
}

// dispatchSession handles a client's message for its session: a
// connection's own, or one standing in for a client of a peon that
// forwarded the request. On a monitor that is not the leader, requests
// that change state go to the leader.
func (m *Monitor) dispatchSession(s *Session, mg msgr2.Message) {
	if m.q != nil && m.q.state != stateLeader && needsLeader(mg) {
		m.q.forward(s, mg)
		return
	}
	switch mg := mg.(type) {
	case *msg.MonGetMap:
		m.sendMonmap(s)
	case *msg.MonSubscribe:
		m.handleSubscribe(s, mg)
	case *msg.MonCommand:
		m.handleCommand(s, mg)
	case *msg.MonGetVersion:
		m.handleGetVersion(s, mg)
	case *msg.Auth:
		m.handleAuth(s, mg)
	case *msg.Log:
		m.logm.handleLog(s, mg)
	case *msg.Statfs:
		m.handleStatfs(s, mg)
	case *msg.OSDBoot, *msg.OSDAlive, *msg.MonGetOSDMap, *msg.OSDMarkMeDown, *msg.OSDPGCreated,
		*msg.OSDBeacon, *msg.OSDFailure, *msg.OSDPGTemp:
		m.osd.dispatch(s, mg)
	case *msg.PoolOp:
		m.osd.handlePoolOp(s, mg)
	case *msg.Ping:
	default:
		m.log.Debug("dropping unhandled message", "type", mg.Type(), "from", s.Entity.String())
	}
}

func (m *Monitor) sendMonmap(s *Session) {
	mm := m.monmap.current
	s.send(&msg.MonMap{MonMapBytes: mm.Encode(s.featuresOr(encoding.FeaturesPacific))})
}

// handleSubscribe records and serves subscriptions (Monitor::handle_subscribe).
func (m *Monitor) handleSubscribe(s *Session, mg *msg.MonSubscribe) {
	for what, item := range mg.What {
		sub := &subscription{next: item.Start, onetime: item.Flags&msg.SubscribeOnetime != 0}
		s.subs.set(what, sub)
		m.checkSub(s, what)
	}
}

// subscriber is implemented by services that serve subscriptions: check
// sends a session what its subscription to what is owed now, and reports
// whether the service owns that subscription name.
type subscriber interface {
	checkSub(s *Session, what string) bool
}

// checkSub sends what a subscription is owed now (Monitor::handle_subscribe
// hands each name to the service that owns it).
func (m *Monitor) checkSub(s *Session, what string) {
	if s.subs.get(what) == nil {
		return
	}
	for _, svc := range m.services {
		if sub, ok := svc.(subscriber); ok && sub.checkSub(s, what) {
			return
		}
	}
}

// notifySubscribers re-checks every session's subscription to what, after
// a commit made a new version of it.
func (m *Monitor) notifySubscribers(what string) {
	for _, s := range m.sessions {
		m.checkSub(s, what)
	}
}

// advanceSub moves a subscription past what was sent, or ends a onetime one.
func (m *Monitor) advanceSub(s *Session, what string, next uint64) {
	if sub := s.subs.get(what); sub.onetime {
		s.subs.del(what)
	} else {
		sub.next = next
	}
}

func (m *Monitor) handleGetVersion(s *Session, mg *msg.MonGetVersion) {
	reply := &msg.MonGetVersionReply{Handle: mg.Handle}
	reply.Hdr.Tid = mg.Hdr.Tid
	what := mg.What
	if what == "fsmap" {
		what = "mdsmap" // Monitor::handle_get_version: both are the MDSMonitor's
	}
	if svc, ok := m.byName[what]; ok {
		v := versions{prefix: svc.name(), st: m.store}
		reply.Latest, _ = v.lastCommitted()
		reply.OldestVersion, _ = v.firstCommitted()
	}
	s.send(reply)
}

// handleCommand parses a command, matches it against the command table
// and routes it to the service that owns its prefix
// (Monitor::handle_command).
func (m *Monitor) handleCommand(s *Session, mg *msg.MonCommand) {
	m.handleCommandVia(s, mg, s.send)
}

// handleCommandVia handles a command whose reply is sent with send: to
// the session, or back to the peon that forwarded it.
func (m *Monitor) handleCommandVia(s *Session, mg *msg.MonCommand, send func(msgr2.Message)) {
	reply := func(r int, rs string, out []byte) {
		ack := &msg.MonCommandAck{Paxos: msg.NewPaxosHeader(0), R: int32(r), RS: rs, Cmd: mg.Cmd, OutBL: out}
		ack.Hdr.Tid = mg.Hdr.Tid
		send(ack)
	}
	fail := func(err error) {
		var ce *commands.Error
		if errors.As(err, &ce) {
			reply(-int(ce.Code), ce.Msg, nil)
			return
		}
		reply(errno(syscall.EINVAL), err.Error(), nil)
	}
	cm, err := commands.ParseCmdMap(mg.Cmd)
	if err != nil {
		fail(err)
		return
	}
	if cm["prefix"] == "get_command_descriptions" {
		reply(0, "", commands.TableDescriptions(s.featuresOr(encoding.FeaturesPacific)))
		return
	}
	cmd, args, err := commands.Match(cm)
	if err != nil {
		fail(err)
		return
	}
	if !m.allowed(s, cmd, cm) {
		reply(errno(syscall.EACCES), "access denied", nil)
		return
	}
	rc := cmd.RequiredCaps()
	if m.q != nil && m.q.state != stateLeader && (rc.Write || rc.Execute) {
		m.q.forward(s, mg)
		return
	}
	if m.q != nil && !m.q.readable() {
		// A read waits until this monitor may serve it: in quorum with a
		// valid lease, which a peon gives up when a proposal begins and
		// gets back after the commit (PaxosService::dispatch waits for
		// is_readable). Otherwise a read right after a write acknowledged
		// through another monitor could see the old value.
		m.q.holdRead(s, mg, send)
		return
	}
	if f, ok := cm["format"]; ok {
		args["format"] = f
	}
	m.perf.commands++
	req := &request{prefix: cmd.Prefix(), args: args, inbl: mg.InBL, session: s, reply: reply}
	if rc.Write || rc.Execute {
		if req.id = requestID(s, mg.Hdr.Tid); req.id != "" {
			req.cmdHash = commandHash(mg.Cmd, mg.InBL)
			if m.reqs.answerRepeat(req) {
				return
			}
		}
	}
	for _, svc := range m.services {
		if svc.command(req) {
			return
		}
	}
	req.respond(errno(syscall.EOPNOTSUPP), fmt.Sprintf("kelp-mon does not implement '%s' yet", cmd.Prefix()), nil)
}

// handleAuth serves cephx requests made over an established session:
// service tickets, rotating secrets for daemons, ticket renewal
// (AuthMonitor::prep_auth for an already-authenticated session).
func (m *Monitor) handleAuth(s *Session, mg *msg.Auth) {
	reply := &msg.AuthReply{Protocol: mg.Protocol, GlobalID: s.GlobalID}
	reply.Hdr.Tid = mg.Hdr.Tid
	if s.authInfo == nil || s.authInfo.Session == nil {
		reply.Result = -int32(syscall.EACCES)
		reply.ResultMsg = "no authenticated session"
		s.send(reply)
		return
	}
	reply.ResultBL, reply.Result = s.authInfo.Session.HandleMAuth(mg.AuthPayload)
	s.send(reply)
}

// allowed checks a command against the session's monitor caps
// (Monitor::_allowed_command): the command's module and perm, and its
// arguments as strings for "allow command ... with" grants.
func (m *Monitor) allowed(s *Session, cmd *commands.Command, cm commands.CmdMap) bool {
	caps := s.monCaps(m.log)
	req := cmd.RequiredCaps()
	params := map[string]string{}
	for k, v := range cm {
		if k == "prefix" {
			continue
		}
		switch v := v.(type) {
		case []string:
			params[k] = strings.Join(v, ",")
		default:
			params[k] = fmt.Sprint(v)
		}
	}
	var addr netip.Addr
	if a := s.Addrs.Front(); a.Addr.IsValid() {
		addr = a.Addr.Addr()
	}
	return caps.IsCapable(moncap.Request{Entity: s.Entity, Service: req.Service, Command: cmd.Prefix(),
		Args: params, Read: req.Read, Write: req.Write, Exec: req.Execute, Addr: addr})
}

// ticker is implemented by services with periodic work (PaxosService::tick).
type ticker interface{ tick() }

// tick runs every service's periodic work, as the monitor's timer does
// every mon_tick_interval (5s).
func (m *Monitor) tick() {
	for _, svc := range m.services {
		if t, ok := svc.(ticker); ok {
			t.tick()
		}
	}
}

// handleStatfs answers librados' cluster usage request from the manager's
// digest (MgrStatMonitor::preprocess_statfs). Until a manager reports,
// the digest is empty and the usage is zero, as with a mgr-less ceph-mon.
func (m *Monitor) handleStatfs(s *Session, mg *msg.Statfs) {
	// Version is the digest's version: none has been received.
	reply := &msg.StatfsReply{FSID: m.monmap.current.FSID}
	reply.Hdr.Tid = mg.Hdr.Tid
	s.send(reply)
}

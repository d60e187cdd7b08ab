package msgr2

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
)

// connState is where a Conn's session stands.
type connState uint8

const (
	stateConnecting connState = iota // an attempt to (re)connect is running
	stateOpen                        // a transport carries the session
	stateStandby                     // lossless, no transport: waiting for the peer
	stateClosed
)

func (s connState) String() string {
	return [...]string{"connecting", "open", "standby", "closed"}[s]
}

// CEPH_MSG_CONNECT_LOSSY (src/include/msgr.h) in CLIENT_IDENT/SERVER_IDENT.
const connectFlagLossy = 1

// outMsg is a message queued or sent on a session, encoded once so a
// replay after reconnect sends the same bytes under the same seq.
type outMsg struct {
	m                   Message
	hdr                 MsgHeader
	once                sync.Once // two writers may meet it across a reconnect
	front, middle, data []byte
}

// transport is one TCP connection carrying a session.
type transport struct {
	nc   net.Conn
	sock sockConn // what nc points to
	f    *Framer
	done chan struct{} // closed with the transport; made for keepalives only
	once sync.Once
	rc   syscall.RawConn // nil when the socket cannot be parked

	// writing says a writer runs for this transport; guarded by the
	// Conn's mu.
	writing bool
	// holding says the reader is handling a frame and dispatching it
	// inline, and will write what that queues itself (writeNoWait);
	// held says something was queued meanwhile. Guarded by the Conn's mu.
	holding, held bool

	pmu    sync.Mutex
	closed bool
	added  bool   // the socket is in the poller's epoll set
	parked uint64 // the poller's token while the reader is parked
}

func newTransport(nc net.Conn, f *Framer) *transport {
	tr := &transport{f: f}
	tr.sock = sockConn{nc, tr}
	tr.nc = &tr.sock
	if sc, ok := nc.(syscall.Conn); ok {
		tr.rc, _ = sc.SyscallConn()
	}
	return tr
}

func (t *transport) close() {
	t.once.Do(func() {
		if t.done != nil {
			close(t.done)
		}
		t.nc.Close()
	})
}

// sockConn is a transport's socket. Closing it, for whatever reason,
// wakes a parked reader, as closing a socket wakes a goroutine blocked
// reading it; the reader then finds the transport gone.
type sockConn struct {
	net.Conn
	tr *transport
}

func (s *sockConn) Close() error {
	err := s.Conn.Close()
	s.tr.pmu.Lock()
	s.tr.closed = true
	tok := s.tr.parked
	s.tr.parked = 0
	s.tr.pmu.Unlock()
	if tok != 0 {
		if resume := getPoller().take(tok); resume != nil {
			go resume()
		}
	}
	return err
}

// Conn is a session with one peer (AsyncConnection + ProtocolV2's session
// state). A lossless session outlives TCP connections: on a fault the
// connecting side reconnects and both sides replay what the other did not
// acknowledge. Messages are sent in order and dispatched in order.
type Conn struct {
	msgr     *Messenger
	log      *slog.Logger
	policy   Policy
	peerType encoding.EntityType

	mu       sync.Mutex
	state    connState
	outgoing bool                // we connect (and reconnect) this session
	kaDue    bool                // a KEEPALIVE2 is to be sent
	opened   bool                // the session has opened once
	woken    bool                // a reconnect attempt under way is to skip its next backoff
	conMode  uint32              // the small fields sit together: there is a Conn per session
	target   encoding.EntityAddr // address we dial
	tr       *transport
	attempt  uint64 // bumped when a connection attempt is superseded

	peerAddrs    encoding.EntityAddrVec
	peerName     encoding.EntityNameT
	features     uint64
	authServer   AuthServerResult
	authClient   *AuthResult // outgoing sessions only
	clientCookie uint64
	serverCookie uint64
	connectSeq   uint64
	globalSeq    uint64 // ours, for this connection attempt
	peerGlobal   uint64
	outSeq       uint64 // last seq assigned
	inSeq        uint64 // last seq received
	ackedIn      uint64 // last in seq acknowledged to the peer
	queue        []*outMsg
	sent         []*outMsg
	kaAcks       []encoding.UTime
	lastKaAck    int64 // Unix nanoseconds; 0 for never
	closeErr     error
	// closed and ready are made when first asked for (most sessions
	// never are): closed is closed when the Conn closes, ready the first
	// time the session opens.
	closed chan struct{}
	ready  chan struct{}
	// wake, while a reconnect waits out its backoff, is closed to end
	// the wait early (wakeReconnectLocked).
	wake chan struct{}

	priv atomic.Value // the layer above's per-connection state

	// The dispatch queue; a goroutine drains it while it is not empty.
	dmu         sync.Mutex
	dispatching bool
	dqueue      []dispatchItem
}

func newConn(m *Messenger, peerType encoding.EntityType, policy Policy, outgoing bool) *Conn {
	c := &Conn{
		msgr: m, policy: policy, peerType: peerType, outgoing: outgoing,
	}
	c.log = m.log
	return c
}

// PeerType is the peer's entity type.
func (c *Conn) PeerType() encoding.EntityType { return c.peerType }

// PeerName is the peer's entity_name_t: its type and the gid it announced.
func (c *Conn) PeerName() encoding.EntityNameT {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.peerName
}

// PeerAddrs are the addresses the peer announced.
func (c *Conn) PeerAddrs() encoding.EntityAddrVec {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.peerAddrs
}

// Features are the Ceph features both sides share.
func (c *Conn) Features() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.features
}

// ConMode is the negotiated connection mode.
func (c *Conn) ConMode() uint32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.conMode
}

// AuthServerResult describes the authenticated peer of an accepted
// connection: its global id, entity name and what the auth method knows.
func (c *Conn) AuthServerResult() AuthServerResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.authServer
}

// AuthResult is what authentication gave the connecting side (its global
// id and keys).
func (c *Conn) AuthResult() AuthResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.authClient == nil {
		return AuthResult{}
	}
	return *c.authClient
}

// LastKeepaliveAck is when the peer last acknowledged a KEEPALIVE2, by
// the timestamp it echoed.
func (c *Conn) LastKeepaliveAck() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lastKaAck == 0 {
		return time.Time{}
	}
	return time.Unix(0, c.lastKaAck)
}

// SetPriv attaches the layer above's state to the connection (Ceph's
// Connection::set_priv, which the monitor uses for its MonSession).
func (c *Conn) SetPriv(v any) { c.priv.Store(&v) }

// Priv returns what SetPriv attached, or nil.
func (c *Conn) Priv() any {
	if p, ok := c.priv.Load().(*any); ok {
		return *p
	}
	return nil
}

// Done is closed when the Conn is closed.
func (c *Conn) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.doneLocked()
}

func (c *Conn) doneLocked() chan struct{} {
	if c.closed == nil {
		c.closed = make(chan struct{})
		if c.state == stateClosed {
			close(c.closed)
		}
	}
	return c.closed
}

// readyChan returns a channel closed once the session has opened.
func (c *Conn) readyChan() chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ready == nil {
		c.ready = make(chan struct{})
		if c.opened {
			close(c.ready)
		}
	}
	return c.ready
}

// Err says why a closed Conn closed.
func (c *Conn) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closeErr
}

func (c *Conn) String() string {
	return c.peerType.String() + "@" + c.target.String()
}

// Send queues m. It is sent in order after the messages sent before it;
// on a lossless session it is retransmitted after a reconnect until the
// peer acknowledges it.
func (c *Conn) Send(m Message) error {
	h := m.Header()
	h.Type = m.Type()
	h.Version, h.CompatVersion = m.Version()
	if h.Priority == 0 {
		h.Priority = PrioDefault
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state == stateClosed {
		return ErrClosed
	}
	c.outSeq++
	h.Seq = c.outSeq
	c.queue = append(c.queue, &outMsg{m: m, hdr: *h})
	c.kickWriterLocked()
	c.wakeStandbyLocked()
	return nil
}

// wakeStandbyLocked reconnects a lossless session in standby that has
// something to send, unless this side is a server or the peer has no
// address to dial (AsyncConnection::_send_message leaving STANDBY).
func (c *Conn) wakeStandbyLocked() {
	if c.state != stateStandby || c.policy.Server || c.policy.Lossy || c.target.Addr.Port() == 0 {
		return
	}
	c.outgoing = true
	c.state = stateConnecting
	c.attempt++
	go c.reconnectLoop(c.attempt, 0)
}

// SendKeepalive sends a KEEPALIVE2 now.
func (c *Conn) SendKeepalive() {
	c.mu.Lock()
	c.kaDue = true
	c.kickWriterLocked()
	c.mu.Unlock()
}

// Close ends the session and its transport.
func (c *Conn) Close() error {
	c.closeWith(ErrClosed, false)
	return nil
}

// closeWith closes the Conn; reset says the dispatcher hears of it.
func (c *Conn) closeWith(err error, reset bool) { c.closeNotify(err, reset, false) }

// closeNotify is closeWith; byReader says the caller is the session's
// reader, which then delivers the reset itself (see notify).
func (c *Conn) closeNotify(err error, reset, byReader bool) {
	c.mu.Lock()
	if c.state == stateClosed {
		c.mu.Unlock()
		return
	}
	if reset {
		c.notify(eventReset, byReader)
	}
	c.state = stateClosed
	c.closeErr = err
	tr := c.tr
	c.tr = nil
	c.queue, c.sent = nil, nil
	if c.closed != nil {
		close(c.closed)
	}
	c.mu.Unlock()
	if tr != nil {
		tr.close()
	}
	c.msgr.forget(c)
}

// attach makes tr the session's transport and starts its writer and,
// unless callerReads, its reader (or parks the socket). The caller holds
// c.mu and has already sent the frame that opens the session (SERVER_IDENT
// or RECONNECT_OK) or received it; with callerReads it runs readLoop(tr)
// once it has released c.mu.
func (c *Conn) attachLocked(tr *transport, callerReads bool) {
	// Full segment limits only once the session is open: until then a
	// peer's frames stay small.
	tr.f.SetLimits(c.msgr.cfg.segmentLimits())
	if old := c.tr; old != nil && old != tr {
		old.close()
	}
	c.tr = tr
	c.state = stateOpen
	if !c.opened {
		c.opened = true
		if c.ready != nil {
			close(c.ready)
		}
	}
	if iv := c.msgr.cfg.KeepaliveInterval; iv > 0 {
		tr.done = make(chan struct{})
		go c.keepaliveLoop(tr, iv)
	}
	c.kickWriterLocked()
	if !tr.writing {
		tr.f.releaseWriteBufs() // the handshake's
	}
	if !callerReads && !c.park(tr) {
		go c.readLoop(tr)
	}
}

// requeueSentLocked puts sent-but-unacknowledged messages back in front of
// the queue, dropping those the peer says it has (seq <= acked).
func (c *Conn) requeueSentLocked(acked uint64) {
	var keep []*outMsg
	for _, om := range append(c.sent, c.queue...) {
		if om.hdr.Seq > acked {
			keep = append(keep, om)
		}
	}
	c.sent = nil
	c.queue = keep
}

// newSessionLocked starts numbering received messages afresh for a new
// session, as ProtocolV2::send_server_ident does when a connection is
// replaced: messages not yet acknowledged are sent again, under the seqs
// they already have (the peer tolerates the gap).
func (c *Conn) newSessionLocked() {
	c.requeueSentLocked(0)
	c.inSeq, c.ackedIn = 0, 0
}

// resetSessionLocked forgets the session: sequence numbers, cookies and
// every queued message (ProtocolV2::reset_session).
func (c *Conn) resetSessionLocked() {
	c.queue, c.sent = nil, nil
	c.outSeq, c.inSeq, c.ackedIn = 0, 0, 0
	c.connectSeq = 0
	c.serverCookie = 0
	c.clientCookie = 0
}

// fault handles the loss of transport tr: a lossy session ends; a
// lossless one keeps its messages and reconnects (or waits for the peer
// to).
func (c *Conn) fault(tr *transport, err error) { c.faultBy(tr, err, false) }

// faultBy is fault; byReader says the caller is tr's reader, which
// delivers the reset of a lossy session itself (see notify).
func (c *Conn) faultBy(tr *transport, err error, byReader bool) {
	tr.close()
	c.mu.Lock()
	if c.tr != tr || c.state == stateClosed {
		c.mu.Unlock()
		return
	}
	c.tr = nil
	if c.policy.Lossy {
		c.mu.Unlock()
		// A client hanging up is how lossy sessions end; only other
		// faults are worth an operator's attention.
		if errors.Is(err, io.EOF) {
			c.log.Debug("msgr2: lossy connection closed by peer", "peer", c.String())
		} else {
			c.log.Info("msgr2: lossy connection faulted", "peer", c.String(), "err", err)
		}
		c.closeNotify(err, true, byReader)
		return
	}
	c.requeueSentLocked(0)
	reconnect := c.outgoing && !c.policy.Server
	if reconnect {
		c.state = stateConnecting
		c.attempt++
	} else {
		c.state = stateStandby
	}
	attempt := c.attempt
	c.mu.Unlock()
	c.log.Info("msgr2: connection faulted", "peer", c.String(), "err", err, "reconnect", reconnect)
	if reconnect {
		go c.reconnectLoop(attempt, 0)
	}
}

// writerWorkLocked says whether there is something to write: messages,
// a keepalive, keepalive acks, or an ack of messages received.
func (c *Conn) writerWorkLocked() bool {
	return len(c.queue) > 0 || c.kaDue || len(c.kaAcks) > 0 || (!c.policy.Lossy && c.inSeq != c.ackedIn)
}

// kickWriterLocked starts a writer for the open transport when there is
// work and none runs: an idle session holds no writer goroutine.
func (c *Conn) kickWriterLocked() {
	tr := c.tr
	if tr == nil || c.state != stateOpen || tr.writing || !c.writerWorkLocked() {
		return
	}
	if tr.holding {
		tr.held = true
		return
	}
	tr.writing = true
	go c.writeLoop(tr)
}

// holdWrites has what the reader's handling of one frame queues wait
// for releaseWrites, so that a reply to a message dispatched inline goes
// out from the reader's goroutine: no writer goroutine is started, and
// no other thread is woken, for a request and its answer.
func (c *Conn) holdWrites(tr *transport) {
	c.mu.Lock()
	tr.holding = true
	c.mu.Unlock()
}

// releaseWrites writes what was held, on this goroutine when inline, or
// by a writer goroutine.
func (c *Conn) releaseWrites(tr *transport, inline bool) {
	c.mu.Lock()
	due := tr.held
	tr.holding, tr.held = false, false
	if !due || c.tr != tr || c.state != stateOpen || tr.writing || !c.writerWorkLocked() {
		c.mu.Unlock()
		return
	}
	tr.writing = true
	c.mu.Unlock()
	if inline {
		c.writeNoWait(tr)
	} else {
		go c.writeLoop(tr)
	}
}

// writeJob is what a writer sends in one go: the queued messages, and
// the acks and keepalives due.
type writeJob struct {
	batch    []*outMsg
	ackSeq   uint64
	sendAck  bool
	ka       bool
	kaAcks   []encoding.UTime
	features uint64
}

// takeJobLocked takes what there is to send on tr. With nothing (or when
// tr is no longer the open transport) it ends the writer's turn and
// returns false.
func (c *Conn) takeJobLocked(tr *transport) (writeJob, bool) {
	if c.tr != tr || c.state != stateOpen || !c.writerWorkLocked() {
		tr.writing = false
		// The framer's write side is the writer's until writing is
		// false, and the next writer starts only after it is.
		tr.f.releaseWriteBufs()
		return writeJob{}, false
	}
	j := writeJob{batch: c.queue, ackSeq: c.inSeq, ka: c.kaDue, kaAcks: c.kaAcks, features: c.features}
	c.queue = nil
	if !c.policy.Lossy {
		c.sent = append(c.sent, j.batch...)
	}
	j.sendAck = !c.policy.Lossy && c.inSeq != c.ackedIn && len(j.batch) == 0
	c.ackedIn = c.inSeq
	c.kaDue = false
	c.kaAcks = nil
	return j, true
}

// writeLoop sends queued messages, acks and keepalives on tr until there
// is nothing left to send, then gives its buffers back and exits. It
// first sends what writeNoWait left.
func (c *Conn) writeLoop(tr *transport) {
	if err := tr.f.flushOut(); err != nil {
		c.fault(tr, err)
		return
	}
	for {
		c.mu.Lock()
		j, ok := c.takeJobLocked(tr)
		c.mu.Unlock()
		if !ok || !c.sendJob(tr, &j) {
			return
		}
	}
}

// sendJob writes j's frames in one go, waiting while the socket is full;
// a failure faults tr, and sendJob reports whether it went.
func (c *Conn) sendJob(tr *transport, j *writeJob) bool {
	f := tr.f
	f.cork()
	err := c.writeJobFrames(f, j)
	if ferr := f.uncork(); err == nil {
		err = ferr
	}
	if err != nil {
		c.fault(tr, err)
		return false
	}
	return true
}

// noWaitLimit bounds what writeNoWait encodes on a reader's goroutine:
// far less than a socket's send buffer, and what a corked Framer holds.
const noWaitLimit = 16 << 10

// writeNoWait is writeLoop on the reader's goroutine, for what the reader
// held: it writes as much as the socket takes at once and hands the rest,
// and anything large, to a writer goroutine, so that the reader never
// waits for its peer to read.
func (c *Conn) writeNoWait(tr *transport) {
	for {
		c.mu.Lock()
		j, ok := c.takeJobLocked(tr)
		c.mu.Unlock()
		if !ok {
			return
		}
		if !j.small() {
			go c.writeLoopWith(tr, j)
			return
		}
		f := tr.f
		f.cork()
		err := c.writeJobFrames(f, &j)
		f.corked = false
		done := false
		if err == nil {
			done, err = f.tryFlushOut()
		}
		if err != nil {
			c.fault(tr, err)
			return
		}
		if !done {
			go c.writeLoop(tr)
			return
		}
	}
}

// writeLoopWith sends j and then goes on as writeLoop.
func (c *Conn) writeLoopWith(tr *transport, j writeJob) {
	if c.sendJob(tr, &j) {
		c.writeLoop(tr)
	}
}

// small says j's frames fit in noWaitLimit (encoding its messages, which
// writing them needs anyway).
func (j *writeJob) small() bool {
	n := 0
	for _, om := range j.batch {
		om.encode(j.features)
		n += header2Len + len(om.front) + len(om.middle) + len(om.data) + 128 // preamble, padding, tags
	}
	return n+64*(len(j.kaAcks)+2) <= noWaitLimit
}

func (om *outMsg) encode(features uint64) {
	om.once.Do(func() { om.front, om.middle, om.data = om.m.EncodePayload(features) })
}

func (c *Conn) writeJobFrames(f *Framer, j *writeJob) error {
	for _, st := range j.kaAcks {
		if err := f.writeControl(&KeepaliveFrame{t: TagKeepalive2Ack, Stamp: st}); err != nil {
			return err
		}
	}
	if j.ka {
		if err := f.writeControl(&KeepaliveFrame{t: TagKeepalive2, Stamp: encoding.UTimeOf(time.Now())}); err != nil {
			return err
		}
	}
	var hb [header2Len]byte
	for _, om := range j.batch {
		om.encode(j.features)
		hdr := appendHeader2(hb[:0], &om.hdr, j.ackSeq)
		if err := f.WriteFrame(TagMessage, hdr, om.front, om.middle, om.data); err != nil {
			return err
		}
	}
	if j.sendAck {
		return f.writeControl(ackFrame(j.ackSeq))
	}
	return nil
}

func (c *Conn) keepaliveLoop(tr *transport, iv time.Duration) {
	t := time.NewTicker(iv)
	defer t.Stop()
	for {
		select {
		case <-tr.done:
			return
		case <-t.C:
			c.SendKeepalive()
		}
	}
}

// handleAckLocked drops sent messages the peer has received.
func (c *Conn) handleAckLocked(seq uint64) {
	i := 0
	for i < len(c.sent) && c.sent[i].hdr.Seq <= seq {
		i++
	}
	c.sent = c.sent[i:]
}

// readLoop reads frames off tr until it fails, or until the peer has
// been quiet for a while and it parks the socket with the poller, which
// runs readLoop again when more comes.
func (c *Conn) readLoop(tr *transport) {
	inline := c.msgr.cfg.DispatchInline
	for {
		fr, err := tr.f.ReadFrame()
		if inline {
			c.holdWrites(tr)
		}
		if err == nil {
			err = c.handleFrame(tr, fr)
		}
		if inline {
			c.dispatchQueued()
			c.releaseWrites(tr, err == nil)
		}
		if err != nil {
			tr.f.releaseReader()
			c.faultBy(tr, err, true)
			if c.msgr.cfg.DispatchInline {
				c.dispatchQueued() // the reset
			}
			return
		}
		if c.lingerOrPark(tr) {
			return
		}
	}
}

var errNoPoller = errors.New("msgr2: no poller")

// unparked runs when the poller sees bytes (or a hang-up) on a parked
// socket.
func (c *Conn) unparked(tr *transport) {
	tr.pmu.Lock()
	tr.parked = 0
	tr.pmu.Unlock()
	c.readLoop(tr)
}

// linger is how long a reader waits for more from its peer before it
// parks the socket: a busy session keeps its reader (no system calls to
// park and wake it), one quiet for longer gives it up.
const linger = 10 * time.Millisecond

// lingerOrPark waits up to linger for the peer's next bytes unless some
// are buffered, and parks the socket when none come. It reports whether
// it parked; if not, the caller goes on reading.
func (c *Conn) lingerOrPark(tr *transport) bool {
	if r := tr.f.reader(); r.Buffered() == 0 {
		tr.nc.SetReadDeadline(time.Now().Add(linger))
		_, err := r.Peek(1)
		tr.nc.SetReadDeadline(time.Time{})
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return c.park(tr)
		}
	}
	return false
}

// readNew runs the reader of a session just accepted, on the goroutine
// that ran its handshake: peers send their first messages at once, and
// that goroutine has the stack for them.
func (c *Conn) readNew(tr *transport) {
	if c.msgr.cfg.DispatchInline {
		c.dispatchQueued() // the accept
	}
	if !c.lingerOrPark(tr) {
		c.readLoop(tr)
	}
}

// park hands tr's socket to the poller when nothing read is left
// unhandled, so that a session waiting for its peer holds neither a
// goroutine nor a read buffer. It returns false when the caller must go on
// reading itself.
func (c *Conn) park(tr *transport) bool {
	p := getPoller()
	if p == nil || tr.rc == nil || !tr.f.releaseReader() {
		return false
	}
	tr.pmu.Lock()
	defer tr.pmu.Unlock()
	if tr.closed {
		return false // the reader finds out
	}
	var tok uint64
	var err error
	if cerr := tr.rc.Control(func(fd uintptr) {
		tok, err = p.park(int(fd), tr.added, func() { c.unparked(tr) })
	}); cerr != nil || err != nil {
		return false
	}
	tr.added = true
	tr.parked = tok
	return true
}

func (c *Conn) handleFrame(tr *transport, fr *Frame) error {
	c.mu.Lock()
	stale := c.tr != tr
	c.mu.Unlock()
	if stale {
		return errSuperseded
	}
	switch fr.Tag {
	case TagMessage:
		return c.handleMessage(tr, fr)
	case TagAck:
		ack := ackFrame(0)
		if err := decodeControl(fr, ack); err != nil {
			return err
		}
		c.mu.Lock()
		c.handleAckLocked(ack.V)
		c.mu.Unlock()
	case TagKeepalive2:
		ka := &KeepaliveFrame{t: TagKeepalive2}
		if err := decodeControl(fr, ka); err != nil {
			return err
		}
		c.mu.Lock()
		c.kaAcks = append(c.kaAcks, ka.Stamp)
		c.kickWriterLocked()
		c.mu.Unlock()
	case TagKeepalive2Ack:
		ka := &KeepaliveFrame{t: TagKeepalive2Ack}
		if err := decodeControl(fr, ka); err != nil {
			return err
		}
		c.mu.Lock()
		c.lastKaAck = ka.Stamp.Time().UnixNano()
		c.mu.Unlock()
	default:
		return protoErr("unexpected %s on an open session", fr.Tag)
	}
	return nil
}

func (c *Conn) handleMessage(tr *transport, fr *Frame) error {
	if fr.NumSegs < 1 {
		return protoErr("message frame without header")
	}
	hdr, ackSeq, err := decodeHeader2(fr.Segments[0])
	if err != nil {
		return err
	}
	front, middle, data := fr.Segments[1], fr.Segments[2], fr.Segments[3]
	c.mu.Lock()
	features := c.features
	c.mu.Unlock()

	// Decode first; an unknown or undecodable message still takes its
	// seq, so the session stays in step.
	var m Message
	if mt, ok := c.msgr.cfg.Registry.Lookup(hdr.Type); !ok {
		c.log.Warn("msgr2: dropping message of unknown type", "peer", c.String(), "type", hdr.Type, "seq", hdr.Seq)
	} else {
		m = mt.New()
		*m.Header() = hdr
		if err := m.DecodePayload(features, front, middle, data); err != nil {
			c.log.Warn("msgr2: dropping undecodable message", "peer", c.String(), "type", mt.Name, "version", hdr.Version, "err", err)
			m = nil
		}
	}
	var size int64
	if m != nil {
		size = int64(len(front) + len(middle) + len(data))
		if !c.msgr.throttle.acquire(size) {
			return ErrClosed
		}
	}
	release := func() {
		if m != nil {
			c.msgr.throttle.release(size)
		}
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tr != tr {
		// A superseded transport's reader with frames still buffered:
		// the new transport replays whatever matters.
		release()
		return errSuperseded
	}
	c.handleAckLocked(ackSeq)
	if hdr.Seq <= c.inSeq {
		release()
		c.log.Debug("msgr2: dropping old message", "peer", c.String(), "seq", hdr.Seq, "in_seq", c.inSeq)
		return nil
	}
	if hdr.Seq > c.inSeq+1 {
		// Ceph lets seqs skip ahead (a replaced session resends under
		// the old numbers); ms_die_on_skipped_message is off by default.
		c.log.Warn("msgr2: missed messages", "peer", c.String(), "seq", hdr.Seq, "expected", c.inSeq+1)
	}
	c.inSeq = hdr.Seq
	c.kickWriterLocked() // on a lossless session, we owe an ack
	if m == nil {
		return nil
	}
	m.Header().Src = c.peerName
	// Queue for dispatch before releasing c.mu, so messages leave in seq
	// order even if two readers overlap during a reconnect. Inline, the
	// reader drains the queue once it holds no lock.
	c.enqueue(dispatchItem{m: m, size: size}, !c.msgr.cfg.DispatchInline)
	return nil
}

// enqueue queues an item for the Dispatcher and, if spawn, starts the
// goroutine that drains the queue unless one runs: the reader never waits
// for the Dispatcher, and an idle session holds no dispatch goroutine.
func (c *Conn) enqueue(it dispatchItem, spawn bool) {
	c.dmu.Lock()
	c.dqueue = append(c.dqueue, it)
	start := spawn && !c.dispatching
	if start {
		c.dispatching = true
	}
	c.dmu.Unlock()
	if start {
		go c.dispatchLoop()
	}
}

// dispatchQueued drains the dispatch queue on the calling goroutine
// unless another goroutine is draining it (Config.DispatchInline).
func (c *Conn) dispatchQueued() {
	c.dmu.Lock()
	start := !c.dispatching && len(c.dqueue) > 0
	if start {
		c.dispatching = true
	}
	c.dmu.Unlock()
	if start {
		c.dispatchLoop()
	}
}

// dispatchLoop hands queued messages to the Dispatcher in order, one at a
// time, until the queue is empty.
func (c *Conn) dispatchLoop() {
	for {
		c.dmu.Lock()
		if len(c.dqueue) == 0 {
			c.dqueue = nil
			c.dispatching = false
			c.dmu.Unlock()
			return
		}
		it := c.dqueue[0]
		c.dqueue[0] = dispatchItem{}
		c.dqueue = c.dqueue[1:]
		c.dmu.Unlock()
		d := c.msgr.cfg.Dispatcher
		if it.event != eventMessage {
			if o, ok := d.(ConnObserver); ok {
				if it.event == eventAccept {
					o.HandleAccept(c)
				} else {
					o.HandleReset(c)
				}
			}
			continue
		}
		if d != nil {
			d.Dispatch(c, it.m)
		}
		c.msgr.throttle.release(it.size)
	}
}

type dispatchItem struct {
	m     Message
	size  int64
	event connEvent
}

// connEvent is a ConnObserver notification queued in order with messages.
type connEvent int

const (
	eventMessage connEvent = iota
	eventAccept
	eventReset
)

// notify queues an observer event behind the messages already received.
// byReader says the caller is the session's reader, which with
// Config.DispatchInline delivers it itself, as it does messages;
// otherwise a goroutine does.
func (c *Conn) notify(ev connEvent, byReader bool) {
	c.enqueue(dispatchItem{event: ev}, !(byReader && c.msgr.cfg.DispatchInline))
}

var errWait = errors.New("msgr2: peer asked us to wait for its connection")

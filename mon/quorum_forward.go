package mon

import (
	"github.com/kelp-ceph/kelp/auth/cephx"
	"github.com/kelp-ceph/kelp/auth/moncap"
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/msgr2"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// forwarding is a peon's side of Monitor::forward_request_leader and
// handle_route: client requests that need the leader travel to it in
// MForward with the client's identity and caps, and the leader's reply
// comes back in MRoute under the same tid. Requests whose reply has not
// come back are sent again to the next leader
// (Monitor::resend_routed_requests), or handled here if this monitor
// becomes the leader.
type forwarding struct {
	next    uint64
	pending map[uint64]*routedRequest
}

type routedRequest struct {
	s  *Session
	mg msgr2.Message
}

func (f *forwarding) init() { f.pending = map[uint64]*routedRequest{} }

// forget drops the requests a closed session had forwarded.
func (f *forwarding) forget(s *Session) {
	for tid, r := range f.pending {
		if r.s == s {
			delete(f.pending, tid)
		}
	}
}

// needsLeader reports whether a client message changes state and so
// must be handled by the leader (the PaxosService prepare_* side).
func needsLeader(mg msgr2.Message) bool {
	switch mg.(type) {
	case *msg.OSDBoot, *msg.OSDAlive, *msg.OSDMarkMeDown, *msg.OSDPGCreated, *msg.OSDBeacon,
		*msg.OSDFailure, *msg.OSDPGTemp, *msg.PoolOp, *msg.Log:
		return true
	}
	return false
}

// routedReply reports whether the leader answers a forwarded message,
// so the peon keeps it until the answer comes back in MRoute and sends
// it again to the next leader otherwise. The rest (beacons, failure
// reports, created PGs) need no answer; a lost one is sent again by its
// daemon.
func routedReply(mg msgr2.Message) bool {
	switch mg := mg.(type) {
	case *msg.MonCommand, *msg.PoolOp, *msg.OSDBoot, *msg.OSDAlive, *msg.OSDPGTemp, *msg.Log:
		return true
	case *msg.OSDMarkMeDown:
		return mg.RequestAck
	}
	return false
}

// forward sends a client's request to the leader, now if there is one.
// Requests the leader answers are remembered until the answer is routed
// back.
//
// A request that was itself forwarded to this monitor is not forwarded
// again when this monitor stops leading before handling it (Ceph's
// forward_request_leader "won't double fwd"): the peon that sent it
// sends it again to the next leader.
func (q *quorumState) forward(s *Session, mg msgr2.Message) {
	if s.proxied {
		q.m.log.Debug("not forwarding a forwarded request again", "type", mg.Type(), "client", s.Entity.String())
		return
	}
	q.fwd.next++
	tid := q.fwd.next
	if routedReply(mg) {
		q.fwd.pending[tid] = &routedRequest{s: s, mg: mg}
	}
	q.m.log.Debug("forwarding to the leader", "tid", tid, "type", mg.Type(), "from", s.Entity.String(), "now", q.state == statePeon)
	if q.state == statePeon {
		q.sendForward(tid, s, mg)
	}
}

func (q *quorumState) sendForward(tid uint64, s *Session, mg msgr2.Message) {
	features := s.featuresOr(encoding.FeaturesPacific)
	src := encoding.EntityNameT{Type: s.Entity.Type, Num: int64(s.GlobalID)}
	f := &msg.Forward{Tid: tid, ClientType: s.Entity.Type, ClientAddrs: s.Addrs, ClientCaps: sessionCapsText(s),
		Msg: *msg.EncodeMessage(mg, features, src), ConFeatures: features, EntityName: s.Entity}
	if len(s.Addrs) > 0 {
		f.ClientSocketAddr = s.Addrs[0]
	}
	q.sendTo(q.m.leader, f)
}

// resend re-sends the requests still waiting after an election: to the
// new leader, or to this monitor's own handlers when it leads.
func (q *quorumState) resend() {
	pending := q.fwd.pending
	q.m.log.Debug("resending forwarded requests", "count", len(pending), "leader", q.m.leader)
	if q.state == stateLeader {
		q.fwd.pending = map[uint64]*routedRequest{}
		for _, r := range pending {
			q.m.dispatchSession(r.s, r.mg)
		}
		return
	}
	for tid, r := range pending {
		q.sendForward(tid, r.s, r.mg)
	}
}

// sessionCapsText is the monitor caps a session holds, as MForward
// carries them.
func sessionCapsText(s *Session) string {
	if s.authInfo == nil || s.authInfo.Method == cephx.MethodNone || s.authInfo.Caps.AllowAll {
		return "allow *"
	}
	str, _ := s.authInfo.Caps.CapString()
	return str
}

// handleForward is the leader's Monitor::handle_forward: the request is
// handled for a session standing in for the client, and whatever the
// leader answers it (a command's reply after the commit it acknowledges,
// a pool op's reply, the maps an OSD's boot earns, a log ack) goes back
// to the peon in MRoute under the request's tid (Monitor::send_reply
// through proxy_con).
func (q *quorumState) handleForward(from int, c *msgr2.Conn, f *msg.Forward) {
	if q.state != stateLeader {
		q.m.log.Debug("forwarded request while not leading; dropped", "tid", f.Tid)
		return
	}
	inner, err := f.Msg.Decode(q.m.msgr.Config().Registry, f.ConFeatures)
	if err != nil {
		q.m.log.Warn("undecodable forwarded request", "from", from, "err", err)
		return
	}
	caps, err := moncap.Parse(f.ClientCaps)
	if err != nil {
		caps = &moncap.MonCap{}
	}
	me := encoding.EntityNameT{Type: encoding.EntityMon, Num: int64(q.rank)}
	s := &Session{Entity: f.EntityName, GlobalID: uint64(max(f.Msg.Src.Num, 0)), Addrs: f.ClientAddrs,
		Features: f.ConFeatures, caps: caps, proxied: true,
		route: func(reply msgr2.Message) {
			q.sendTo(from, &msg.Route{SessionMonTid: f.Tid, Msg: msg.EncodeMessage(reply, f.ConFeatures, me)})
		}}
	q.m.log.Debug("forwarded request", "from", from, "tid", f.Tid, "type", inner.Type(), "client", f.EntityName.String())
	q.m.dispatchSession(s, inner)
}

// handleRoute is the peon's Monitor::handle_route: hand the leader's
// reply to the client that asked.
func (q *quorumState) handleRoute(rt *msg.Route) {
	r, ok := q.fwd.pending[rt.SessionMonTid]
	q.m.log.Debug("routed reply", "tid", rt.SessionMonTid, "pending", ok)
	if !ok {
		return
	}
	delete(q.fwd.pending, rt.SessionMonTid)
	if rt.Msg == nil {
		return
	}
	// The leader encoded the reply for the client's features: pass it
	// on undecoded (many reply types are never decoded by a monitor).
	r.s.send(rt.Msg.Raw())
}

package client

import (
	"github.com/kelp-ceph/kelp/maps/mgrmap"
	"github.com/kelp-ceph/kelp/maps/monmap"
	"github.com/kelp-ceph/kelp/msgr2"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// dispatch handles a message from a monitor (MonClient::ms_dispatch).
// Messages of sessions that are not (or no longer) the client's session
// are dropped, as MonClient drops those of connections it hunts with.
func (c *Client) dispatch(s *session, m msgr2.Message) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sess != s || c.closed {
		return
	}
	switch m.Type() {
	case msg.TypeMonMap:
		mm, ok := m.(*msg.MonMap)
		if ok {
			c.handleMonMapLocked(s, mm)
		}
	case msg.TypeMonCommandAck:
		if ack, ok := m.(*msg.MonCommandAck); ok {
			if p := c.cmds[ack.Hdr.Tid]; p != nil {
				delete(c.cmds, ack.Hdr.Tid)
				p.ack = ack
				close(p.done)
			}
		}
	case msg.TypeMonGetVersionReply:
		if r, ok := m.(*msg.MonGetVersionReply); ok {
			if p := c.versions[r.Handle]; p != nil {
				delete(c.versions, r.Handle)
				p.reply = r
				close(p.done)
			}
		}
	case msg.TypeAuthReply:
		if r, ok := m.(*msg.AuthReply); ok && s.auth.cx != nil {
			s.authPending = false
			if err := s.auth.cx.HandleMAuthReply(r.Result, r.ResultBL); err != nil {
				c.s.log.Warn("client: cephx reply", "err", err)
			}
		}
	case msg.TypeConfig:
		if cm, ok := m.(*msg.Config); ok {
			c.config = cm.Config
			c.deliverLocked(Update{What: "config", Map: cloneConfig(cm.Config)})
		}
	case msg.TypeOSDMap:
		om, ok := m.(*msg.OSDMap)
		if !ok {
			return
		}
		c.handleOSDMapLocked(om)
	case msg.TypeMgrMap:
		mgm, ok := m.(*msg.MgrMap)
		if !ok {
			return
		}
		mm, err := mgrmap.Decode(mgm.MapBytes)
		if err != nil {
			c.s.log.Warn("client: bad mgrmap", "err", err)
			return
		}
		c.mgrmap = mm
		c.subs["mgrmap"] = msg.SubscribeItem{Start: uint64(mm.Epoch) + 1}
		c.deliverLocked(Update{What: "mgrmap", Epoch: mm.Epoch, Map: mm})
	}
}

func (c *Client) handleMonMapLocked(s *session, m *msg.MonMap) {
	mm, err := monmap.Decode(m.MonMapBytes)
	if err != nil {
		c.s.log.Warn("client: bad monmap", "mon", s.mon.name, "err", err)
		return
	}
	if c.monmap != nil && mm.Epoch < c.monmap.Epoch {
		return
	}
	first := c.monmap == nil
	c.monmap = mm
	c.mons = c.mons[:0]
	for _, name := range mm.Ranks {
		if info := mm.Mons[name]; info != nil {
			c.mons = append(c.mons, monTarget{name: name, addrs: info.PublicAddrs})
		}
	}
	// Name the session's monitor as the monmap does.
	for _, t := range c.mons {
		if t.addrString() == s.mon.addrString() {
			s.mon.name = t.name
		}
	}
	c.subs["monmap"] = msg.SubscribeItem{Start: uint64(mm.Epoch) + 1}
	if first {
		close(c.ready)
	}
	c.deliverLocked(Update{What: "monmap", Epoch: mm.Epoch, Map: mm})
}

func (c *Client) handleOSDMapLocked(om *msg.OSDMap) {
	r := c.osd.handle(om)
	for _, m := range r.Maps {
		c.deliverLocked(Update{What: "osdmap", Epoch: m.Epoch, Map: m})
	}
	c.stats.OSDMapFull += r.Full
	c.stats.OSDMapInc += r.Inc
	if r.NeedFull {
		c.stats.OSDMapFallbacks++
		c.stats.LastFallback = r.Reason
		c.s.log.Warn("client: asking for a full osdmap", "why", r.Reason)
		// Subscribing from 0 makes the monitor send its newest full map
		// (OSDMonitor::check_osdmap_sub -> send_latest).
		c.subs["osdmap"] = msg.SubscribeItem{}
		c.sendSubsLocked([]string{"osdmap"})
		return
	}
	if c.osd.cur != nil {
		c.subs["osdmap"] = msg.SubscribeItem{Start: uint64(c.osd.cur.Epoch) + 1}
	}
}

func cloneConfig(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

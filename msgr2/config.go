package msgr2

import (
	"log/slog"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
)

// Policy is a connection's reliability contract (Messenger::Policy,
// src/msg/Policy.h). A lossy connection drops whatever was in flight when
// its transport fails and is closed; a lossless one keeps a session that
// survives reconnects, replaying unacknowledged messages. A server never
// reconnects: it waits for its peer to.
type Policy struct {
	Lossy  bool
	Server bool
	// ResetCheck drops queued messages when the peer turns out to have
	// lost its session (restarted); without it they are sent on the new
	// session. Ceph's lossless_peer and lossless_peer_reuse leave it off.
	ResetCheck bool
}

// DefaultPolicy is what Ceph daemons and clients set up (ceph_mon.cc,
// ceph_osd.cc, librados): monitors keep lossless sessions among themselves
// (lossless_peer_reuse) and serve everyone else statelessly
// (stateless_server), who talk to them as lossy clients; anything to or
// from a client is lossy; between other daemons (OSD to OSD) sessions are
// lossless peers.
func DefaultPolicy(me, peer encoding.EntityType, accepting bool) Policy {
	monish := func(t encoding.EntityType) bool { return t == encoding.EntityMon || t == encoding.EntityMgr }
	switch {
	case me == encoding.EntityMon && peer == encoding.EntityMon:
		return Policy{}
	case monish(me) || monish(peer), me == encoding.EntityClient, peer == encoding.EntityClient:
		return Policy{Lossy: true, Server: accepting}
	}
	return Policy{}
}

// Config configures a Messenger. Zero fields take Ceph's defaults.
type Config struct {
	// Name is this entity ("client.admin", "mon.a", "osd.0").
	Name encoding.EntityName
	// Num is the numeric part of this entity's entity_name_t, announced
	// as gid in SERVER_IDENT and CLIENT_IDENT (mon rank, osd id; a
	// client's is its global id and is taken from authentication).
	Num int64
	// Nonce tells apart incarnations of this entity at one address.
	Nonce uint32
	// Features are the Ceph features announced; FeaturesPacific if 0.
	Features uint64
	// RequiredFeatures are the Ceph features a peer must have.
	RequiredFeatures uint64

	// NewAuthClient returns the auth client for one outgoing handshake
	// to a peer of the given type. Nil means auth none for this Name.
	NewAuthClient func(peer encoding.EntityType) AuthClient
	// AuthServer authenticates accepted connections; nil means none.
	AuthServer AuthServer

	// Connection mode preferences, as Ceph's options (src/common/options):
	// ms_client_mode, ms_mon_client_mode, ms_cluster_mode,
	// ms_service_mode, ms_mon_cluster_mode, ms_mon_service_mode.
	ClientModes, MonClientModes, ClusterModes, ServiceModes, MonClusterModes, MonServiceModes []uint32

	// DisableRev1 makes this side speak msgr2.0 only (for tests).
	DisableRev1 bool
	// DisableCompression stops this side announcing the compression
	// feature, as a Pacific peer does.
	DisableCompression bool
	// CompressPeers lists the peer types this side asks to compress with
	// (Ceph compresses only osd<->osd traffic, ms_osd_compress_mode).
	CompressPeers []encoding.EntityType
	// CompressionMethods in preference order (ms_osd_compression_algorithm,
	// default snappy).
	CompressionMethods []CompressionMethod
	// CompressMinSize is the smallest frame compressed
	// (ms_osd_compress_min_size, 1024).
	CompressMinSize int
	// CompressSecure allows compression in secure mode (ms_compress_secure,
	// false: compressing before encrypting leaks through sizes).
	CompressSecure bool

	// Policy picks each connection's policy; DefaultPolicy if nil.
	Policy func(peer encoding.EntityType, accepting bool) Policy

	// PublicAddrs, when set, are the addresses this Messenger announces
	// (its "myaddrs": CLIENT_IDENT, the target a peer's CLIENT_IDENT must
	// name, connection races) in place of those Listen binds, for a
	// daemon known by an address that forwards to another, a proxy's or
	// a NAT's (AsyncMessenger::bindv's public_addrs; ceph-mon's
	// public_bind_addr). A port of 0 takes the port bound for the same
	// address type.
	PublicAddrs encoding.EntityAddrVec

	// BindBeforeConnect binds each outgoing socket to the IP of this
	// Messenger's first address (port 0) before connecting, so that
	// peers see connections come from that IP (ms_bind_before_connect;
	// AsyncConnection passes get_myaddrs().front() as connect_bind_addr
	// and NetHandler::generic_connect binds to it unless it is blank).
	BindBeforeConnect bool

	// HandshakeTimeout bounds a handshake (ms_connection_ready_timeout,
	// 10s); an idle peer mid-handshake is dropped after it.
	HandshakeTimeout time.Duration
	// KeepaliveInterval sends KEEPALIVE2 this often; 0 disables.
	KeepaliveInterval time.Duration
	// ReconnectBackoff is the first delay between reconnect attempts of a
	// lossless session (ms_initial_backoff 0.2s, doubling up to 15s).
	ReconnectBackoff time.Duration

	// ThrottleBytes bounds the payload bytes of received messages waiting
	// for or in dispatch on one connection (ms_dispatch_throttle_bytes,
	// 100 MiB).
	ThrottleBytes int64
	// Segment limits for messages (kernel CEPH_MSG_MAX_*_LEN).
	MaxFrontLen, MaxMiddleLen, MaxDataLen uint32

	Registry   *Registry
	Dispatcher Dispatcher
	// DispatchInline delivers a connection's messages on its reader's
	// goroutine instead of a goroutine of their own, saving a hand-off
	// per message. Only for a Dispatcher that returns quickly (the
	// monitor's queues the message for its loop): while it runs, the
	// connection reads nothing, acks and keepalives included.
	DispatchInline bool
	Logger         *slog.Logger
}

// Ceph's default mode lists: daemons and clients prefer crc between
// themselves, secure to and from monitors.
var (
	modesCRCFirst    = []uint32{ConModeCRC, ConModeSecure}
	modesSecureFirst = []uint32{ConModeSecure, ConModeCRC}
)

func (c *Config) setDefaults() {
	if c.Features == 0 {
		c.Features = encoding.FeaturesPacific
	}
	def := func(p *[]uint32, v []uint32) {
		if *p == nil {
			*p = v
		}
	}
	def(&c.ClientModes, modesCRCFirst)
	def(&c.MonClientModes, modesSecureFirst)
	def(&c.ClusterModes, modesCRCFirst)
	def(&c.ServiceModes, modesCRCFirst)
	def(&c.MonClusterModes, modesSecureFirst)
	def(&c.MonServiceModes, modesSecureFirst)
	if c.CompressionMethods == nil {
		c.CompressionMethods = []CompressionMethod{CompressSnappy}
	}
	if c.CompressMinSize == 0 {
		c.CompressMinSize = 1024
	}
	if c.Policy == nil {
		me := c.Name.Type
		c.Policy = func(peer encoding.EntityType, accepting bool) Policy { return DefaultPolicy(me, peer, accepting) }
	}
	if c.HandshakeTimeout == 0 {
		c.HandshakeTimeout = 10 * time.Second
	}
	if c.ReconnectBackoff == 0 {
		c.ReconnectBackoff = 200 * time.Millisecond
	}
	if c.ThrottleBytes == 0 {
		c.ThrottleBytes = 100 << 20
	}
	if c.MaxFrontLen == 0 {
		c.MaxFrontLen = 16 << 20
	}
	if c.MaxMiddleLen == 0 {
		c.MaxMiddleLen = 16 << 20
	}
	if c.MaxDataLen == 0 {
		c.MaxDataLen = 64 << 20
	}
	if c.Registry == nil {
		c.Registry = NewRegistry()
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// modesFor returns the connection modes this side accepts with a peer, as
// AuthRegistry::_get_supported_methods chooses among the option lists.
func (c *Config) modesFor(peer encoding.EntityType) []uint32 {
	isMon := func(t encoding.EntityType) bool { return t == encoding.EntityMon || t == encoding.EntityMgr }
	switch {
	case c.Name.Type == encoding.EntityClient:
		if isMon(peer) {
			return c.MonClientModes
		}
		return c.ClientModes
	case isMon(c.Name.Type):
		if isMon(peer) {
			return c.MonClusterModes
		}
		return c.MonServiceModes
	case isMon(peer):
		return c.MonClientModes
	case peer == encoding.EntityOSD || peer == encoding.EntityMDS:
		return c.ClusterModes
	}
	return c.ServiceModes
}

// msgr2Features is what this side announces in its banner.
func (c *Config) msgr2Features() uint64 {
	var f uint64
	if !c.DisableRev1 {
		f |= FeatureRevision1
	}
	if !c.DisableCompression {
		f |= FeatureCompression
	}
	return f
}

func (c *Config) compressWith(peer encoding.EntityType) bool {
	for _, t := range c.CompressPeers {
		if t == peer {
			return true
		}
	}
	return false
}

// segmentLimits are the read limits once a session is established.
func (c *Config) segmentLimits() [maxSegments]uint32 {
	return [maxSegments]uint32{preAuthLimits[0], c.MaxFrontLen, c.MaxMiddleLen, c.MaxDataLen}
}

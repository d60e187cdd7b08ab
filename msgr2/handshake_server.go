package msgr2

import (
	"log/slog"

	"github.com/kelp-ceph/kelp/encoding"
)

// serverHandshake is the accepting side's handshake up to the session
// phase (ProtocolV2's server states), as linear named steps.
type serverHandshake struct {
	f        *Framer
	cfg      *Config
	log      *slog.Logger
	peerAddr encoding.EntityAddr // the peer's socket address
	auth     AuthServer

	// Results.
	msgr2Features uint64
	peerType      encoding.EntityType
	conMode       uint32
	authResult    AuthServerResult
	comp          *compression
}

func (h *serverHandshake) run() error {
	h.f.startRecording()
	steps := []func() error{h.exchangeBanners, h.sendHello, h.readHello, h.authenticate, h.exchangeSignatures, h.negotiateCompression}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

func (h *serverHandshake) exchangeBanners() error {
	features, _, _, err := h.f.ExchangeBanners(h.cfg.msgr2Features())
	h.msgr2Features = features
	return err
}

func (h *serverHandshake) sendHello() error {
	return h.f.writeControl(&HelloFrame{EntityType: h.cfg.Name.Type, PeerAddr: h.peerAddr})
}

func (h *serverHandshake) readHello() error {
	var hello HelloFrame
	if err := readExpected(h.f, &hello); err != nil {
		return err
	}
	if _, ok := entityTypeNames[hello.EntityType]; !ok {
		return protoErr("hello from unknown entity type %d", hello.EntityType)
	}
	h.peerType = hello.EntityType
	return nil
}

var entityTypeNames = map[encoding.EntityType]bool{
	encoding.EntityMon: true, encoding.EntityMDS: true, encoding.EntityOSD: true,
	encoding.EntityClient: true, encoding.EntityMgr: true,
}

// allowedModes are the modes this side accepts from the peer for method:
// the configured list, narrowed by what the auth server allows; auth none
// only ever runs in crc mode.
func (h *serverHandshake) allowedModes(method uint32, authModes []uint32) []uint32 {
	var out []uint32
	for _, m := range h.cfg.modesFor(h.peerType) {
		if len(authModes) > 0 && !contains(authModes, m) {
			continue
		}
		if method == AuthNone && m != ConModeCRC {
			continue
		}
		out = append(out, m)
	}
	return out
}

// authenticate answers AUTH_REQUEST frames until one succeeds.
func (h *serverHandshake) authenticate() error {
	methods, authModes := h.auth.Methods(h.peerType)
	for attempt := 0; attempt < maxAuthAttempts; attempt++ {
		var req AuthRequestFrame
		if err := readExpected(h.f, &req); err != nil {
			return err
		}
		allowed := h.allowedModes(req.Method, authModes)
		bad := func(result int32, why string) error {
			h.log.Info("msgr2: refusing auth request", "peer", h.peerAddr, "method", AuthMethodName(req.Method), "modes", req.Modes, "reason", why)
			return h.f.writeControl(&AuthBadMethodFrame{Method: req.Method, Result: result, Methods: methods, Modes: h.allowedModes(AuthUnknown, authModes)})
		}
		if !contains(methods, req.Method) {
			if err := bad(eopnotsupp, "method not allowed"); err != nil {
				return err
			}
			continue
		}
		// The client's preference wins among the modes we allow
		// (AuthRegistry::pick_mode).
		mode := ConModeUnknown
		for _, m := range req.Modes {
			if contains(allowed, m) {
				mode = m
				break
			}
		}
		if mode == ConModeUnknown {
			if err := bad(eopnotsupp, "no acceptable connection mode"); err != nil {
				return err
			}
			continue
		}
		secretLen := 0
		if mode == ConModeSecure {
			secretLen = connSecretLen
		}
		sess, err := h.auth.NewSession(req.Method, h.peerType, mode, secretLen)
		if err != nil {
			if err := bad(eopnotsupp, err.Error()); err != nil {
				return err
			}
			continue
		}
		refused, err := h.exchange(sess, req.Payload, mode)
		if err != nil {
			return err
		}
		if refused != 0 {
			if err := bad(refused, "authentication failed"); err != nil {
				return err
			}
			continue
		}
		h.conMode = mode
		h.authResult = sess.Result()
		if mode == ConModeSecure && len(h.authResult.ConnectionSecret) < SecureSecretLen {
			return protoErr("auth method gave a %d-byte connection secret, secure mode needs %d", len(h.authResult.ConnectionSecret), SecureSecretLen)
		}
		return nil
	}
	return protoErr("peer failed authentication %d times", maxAuthAttempts)
}

// errnoer is implemented by auth errors that carry the errno a real
// monitor would put in AUTH_BAD_METHOD (auth/cephx's *Error does).
type errnoer interface{ Errno() int32 }

const ebusy = 16

// exchange runs one authentication to AUTH_DONE. A refusal returns the
// negative errno for AUTH_BAD_METHOD; EBUSY (no global id yet) closes the
// connection instead, as ProtocolV2::_handle_auth_request does, so the
// peer retries later.
func (h *serverHandshake) exchange(sess AuthServerSession, payload []byte, mode uint32) (int32, error) {
	for {
		reply, done, err := sess.Handle(payload)
		if err != nil {
			h.log.Info("msgr2: authentication failed", "peer", h.peerAddr, "err", err)
			code := int32(eacces)
			if e, ok := err.(errnoer); ok && e.Errno() > 0 {
				code = -e.Errno()
			}
			if code == -ebusy {
				return 0, err
			}
			return code, nil
		}
		if done {
			// AUTH_DONE leaves in one write with our AUTH_SIGNATURE,
			// which needs nothing more from the peer
			// (exchangeSignatures uncorks).
			h.f.cork()
			res := sess.Result()
			if err := h.f.writeControl(&AuthDoneFrame{GlobalID: res.GlobalID, ConMode: mode, Payload: reply}); err != nil {
				return 0, err
			}
			h.f.stopRecording()
			return 0, nil
		}
		if err := h.f.writeControl(&AuthReplyMoreFrame{Payload: reply}); err != nil {
			return 0, err
		}
		var more AuthRequestMoreFrame
		if err := readExpected(h.f, &more); err != nil {
			return 0, err
		}
		payload = more.Payload
	}
}

// exchangeSignatures switches to the chosen mode, sends our HMAC of what
// the client sent and checks the client's HMAC of what we sent.
func (h *serverHandshake) exchangeSignatures() error {
	if h.conMode == ConModeSecure {
		if err := h.f.startSecure(h.authResult.ConnectionSecret, false); err != nil {
			return err
		}
	}
	key := h.authResult.SessionKey
	if err := h.f.writeControl(&AuthSignatureFrame{Sig: authSignature(key, h.f.rec.rx)}); err != nil {
		return err
	}
	if err := h.f.uncork(); err != nil {
		return err
	}
	if err := checkSignature(h.f, key, h.f.rec.tx); err != nil {
		return err
	}
	h.f.rec = nil
	return nil
}

// negotiateCompression answers COMPRESSION_REQUEST when both banners
// announced compression: compress only if the client asks, we compress
// with that peer type, the mode allows it and we share a method (the
// client's preference wins).
func (h *serverHandshake) negotiateCompression() error {
	if h.msgr2Features&FeatureCompression == 0 {
		return nil
	}
	var req CompressionRequestFrame
	if err := readExpected(h.f, &req); err != nil {
		return err
	}
	done := &CompressionDoneFrame{}
	if req.IsCompress && h.cfg.compressWith(h.peerType) && (h.conMode == ConModeCRC || h.cfg.CompressSecure) {
		for _, m := range req.Methods {
			if cm := CompressionMethod(m); cm.supported() && contains(h.cfg.CompressionMethods, cm) {
				done.IsCompress, done.Method = true, m
				break
			}
		}
	}
	if err := h.f.writeControl(done); err != nil {
		return err
	}
	if done.IsCompress {
		h.comp = &compression{method: CompressionMethod(done.Method), minSize: h.cfg.CompressMinSize, tx: true, rx: true}
		h.f.comp = h.comp
	}
	return nil
}

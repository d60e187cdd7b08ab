package msgr2

import (
	"log/slog"

	"github.com/kelp-ceph/kelp/encoding"
)

// clientHandshake is the connecting side's handshake up to the session
// phase, as linear named steps (ProtocolV2's client states; kernel
// messenger_v2.c process_banner_payload .. process_auth_signature). Each
// step reads or writes one frame and checks it.
type clientHandshake struct {
	f        *Framer
	cfg      *Config
	log      *slog.Logger
	peerType encoding.EntityType
	target   encoding.EntityAddr
	auth     AuthClient

	// Results.
	msgr2Features uint64
	addrForMe     encoding.EntityAddr
	conMode       uint32
	authResult    AuthResult
	comp          *compression
}

func (h *clientHandshake) run() error {
	h.f.startRecording()
	steps := []func() error{h.exchangeBanners, h.sendHello, h.readHello, h.authenticate, h.exchangeSignatures, h.negotiateCompression}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

func (h *clientHandshake) exchangeBanners() error {
	features, psup, preq, err := h.f.ExchangeBanners(h.cfg.msgr2Features())
	if err != nil {
		return err
	}
	h.msgr2Features = features
	h.log.Debug("msgr2: banner", "peer_supported", psup, "peer_required", preq, "rev1", h.f.rev1)
	return nil
}

func (h *clientHandshake) sendHello() error {
	return h.f.writeControl(&HelloFrame{EntityType: h.cfg.Name.Type, PeerAddr: h.target})
}

func (h *clientHandshake) readHello() error {
	var hello HelloFrame
	if err := readExpected(h.f, &hello); err != nil {
		return err
	}
	if hello.EntityType != h.peerType {
		return protoErr("wrong peer at address: want %s, hello says %s", h.peerType, hello.EntityType)
	}
	h.addrForMe = hello.PeerAddr
	return nil
}

func (h *clientHandshake) authenticate() error {
	var allowed []uint32
	for attempt := 0; attempt < maxAuthAttempts; attempt++ {
		method, authModes, payload, err := h.auth.Start(allowed)
		if err != nil {
			return err
		}
		// Offer the configured modes (ms_mon_client_mode and friends) the
		// method can run in, in the configured order; none fits: refuse,
		// as MonConnection::get_auth_request does with -EACCES.
		var modes []uint32
		for _, m := range h.cfg.modesFor(h.peerType) {
			if contains(authModes, m) {
				modes = append(modes, m)
			}
		}
		if len(modes) == 0 {
			return protoErr("auth %s supports modes %v, configuration allows %v", AuthMethodName(method), authModes, h.cfg.modesFor(h.peerType))
		}
		if err := h.f.writeControl(&AuthRequestFrame{Method: method, Modes: modes, Payload: payload}); err != nil {
			return err
		}
		for {
			fr, err := h.f.ReadFrame()
			if err != nil {
				return err
			}
			switch fr.Tag {
			case TagAuthBadMethod:
				var bad AuthBadMethodFrame
				if err := decodeControl(fr, &bad); err != nil {
					return err
				}
				h.log.Debug("msgr2: auth bad method", "method", AuthMethodName(bad.Method), "result", bad.Result, "allowed", bad.Methods, "modes", bad.Modes)
				allowed = bad.Methods
				if allowed == nil {
					allowed = []uint32{}
				}
			case TagAuthReplyMore:
				var more AuthReplyMoreFrame
				if err := decodeControl(fr, &more); err != nil {
					return err
				}
				next, err := h.auth.More(more.Payload)
				if err != nil {
					return err
				}
				if err := h.f.writeControl(&AuthRequestMoreFrame{Payload: next}); err != nil {
					return err
				}
				continue
			case TagAuthDone:
				h.f.stopRecording()
				var done AuthDoneFrame
				if err := decodeControl(fr, &done); err != nil {
					return err
				}
				if !contains(modes, done.ConMode) {
					return protoErr("server chose %s mode, we offered %v", ConModeName(done.ConMode), modes)
				}
				h.conMode = done.ConMode
				if h.authResult, err = h.auth.Done(done.GlobalID, done.ConMode, done.Payload); err != nil {
					return err
				}
				return nil
			default:
				return protoErr("unexpected %s during authentication", fr.Tag)
			}
			break
		}
	}
	return protoErr("authentication refused %d times", maxAuthAttempts)
}

// exchangeSignatures switches to the negotiated mode and proves both sides
// saw the same pre-authentication bytes.
func (h *clientHandshake) exchangeSignatures() error {
	if h.conMode == ConModeSecure {
		if err := h.f.startSecure(h.authResult.ConnectionSecret, true); err != nil {
			return err
		}
	}
	key := h.authResult.SessionKey
	if err := h.f.writeControl(&AuthSignatureFrame{Sig: authSignature(key, h.f.rec.rx)}); err != nil {
		return err
	}
	if err := checkSignature(h.f, key, h.f.rec.tx); err != nil {
		return err
	}
	h.f.rec = nil
	return nil
}

// negotiateCompression runs when both banners announced compression.
func (h *clientHandshake) negotiateCompression() error {
	if h.msgr2Features&FeatureCompression == 0 {
		return nil
	}
	want := h.cfg.compressWith(h.peerType) && (h.conMode == ConModeCRC || h.cfg.CompressSecure)
	req := &CompressionRequestFrame{IsCompress: want}
	if want {
		for _, m := range h.cfg.CompressionMethods {
			req.Methods = append(req.Methods, uint32(m))
		}
	}
	if err := h.f.writeControl(req); err != nil {
		return err
	}
	var done CompressionDoneFrame
	if err := readExpected(h.f, &done); err != nil {
		return err
	}
	if !done.IsCompress {
		return nil
	}
	m := CompressionMethod(done.Method)
	if !want || !contains(h.cfg.CompressionMethods, m) {
		return protoErr("server chose compression %s we did not offer", m)
	}
	h.comp = &compression{method: m, minSize: h.cfg.CompressMinSize, tx: true, rx: true}
	h.f.comp = h.comp
	return nil
}

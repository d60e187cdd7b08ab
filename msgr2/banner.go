package msgr2

import "encoding/binary"

// The msgr2 banner (doc/dev/msgr2.rst "Banner"): "ceph v2\n", a __le16
// payload length, then __le64 supported and __le64 required msgr2 features.
const (
	bannerPrefix = "ceph v2\n"
	bannerLen    = len(bannerPrefix) + 2 + 16

	// legacyBanner is what a msgr1 peer sends; recognised only to say so.
	legacyBanner = "ceph v027"
)

// msgr2 feature bits (CEPH_MSGR2_FEATURE_* in src/msg/async/frames_v2.h and
// include/msgr.h): a namespace separate from Ceph's feature bits.
const (
	FeatureRevision1   uint64 = 1 << 0 // msgr2.1 frame layouts
	FeatureCompression uint64 = 1 << 1 // on-wire compression (Quincy)
)

// maxBannerPayload bounds the banner payload a peer may announce; Ceph's is
// 16 bytes and nothing larger has ever been defined.
const maxBannerPayload = 4096

// appendBanner appends a banner announcing supported and required features.
func appendBanner(b []byte, supported, required uint64) []byte {
	b = append(b, bannerPrefix...)
	b = binary.LittleEndian.AppendUint16(b, 16)
	b = binary.LittleEndian.AppendUint64(b, supported)
	return binary.LittleEndian.AppendUint64(b, required)
}

// readBanner reads a peer's banner through read (which may record the bytes
// for the auth signature) and returns its features.
func readBanner(read func([]byte) error) (supported, required uint64, err error) {
	var hdr [len(bannerPrefix) + 2]byte
	if err := read(hdr[:]); err != nil {
		return 0, 0, err
	}
	if string(hdr[:len(bannerPrefix)]) != bannerPrefix {
		if string(hdr[:len(legacyBanner)]) == legacyBanner {
			return 0, 0, protoErr("peer speaks msgr1")
		}
		return 0, 0, protoErr("bad banner %q", hdr[:len(bannerPrefix)])
	}
	n := int(binary.LittleEndian.Uint16(hdr[len(bannerPrefix):]))
	if n < 16 || n > maxBannerPayload {
		return 0, 0, protoErr("bad banner payload length %d", n)
	}
	payload := make([]byte, n)
	if err := read(payload); err != nil {
		return 0, 0, err
	}
	return binary.LittleEndian.Uint64(payload), binary.LittleEndian.Uint64(payload[8:]), nil
}

// negotiateFeatures checks both banners and returns the features in effect.
func negotiateFeatures(ourSupported, ourRequired, peerSupported, peerRequired uint64) (uint64, error) {
	if missing := ourRequired &^ peerSupported; missing != 0 {
		return 0, protoErr("peer lacks required msgr2 features %#x", missing)
	}
	if missing := peerRequired &^ ourSupported; missing != 0 {
		return 0, protoErr("peer requires msgr2 features %#x we lack", missing)
	}
	return ourSupported & peerSupported, nil
}

// ExchangeBanners sends this side's banner (supported features, none
// required), reads the peer's, negotiates the msgr2 features both sides
// use, and switches the framer to msgr2.1 framing when both support it.
// Both handshakes start with it.
func (f *Framer) ExchangeBanners(supported uint64) (negotiated, peerSupported, peerRequired uint64, err error) {
	if err := f.WriteBanner(supported, 0); err != nil {
		return 0, 0, 0, err
	}
	if peerSupported, peerRequired, err = f.ReadBanner(); err != nil {
		return 0, 0, 0, err
	}
	if negotiated, err = negotiateFeatures(supported, 0, peerSupported, peerRequired); err != nil {
		return 0, 0, 0, err
	}
	f.SetRev1(negotiated&FeatureRevision1 != 0)
	return negotiated, peerSupported, peerRequired, nil
}

package encoding

// AddrJSON is entity_addr_t as Ceph's Formatter dumps it.
type AddrJSON struct {
	Type  string `json:"type"`
	Addr  string `json:"addr"`
	Nonce uint32 `json:"nonce"`
}

// AddrVecJSON is entity_addrvec_t as Ceph's Formatter dumps it.
type AddrVecJSON struct {
	AddrVec []AddrJSON `json:"addrvec"`
}

// JSON returns a's Formatter dump.
func (a EntityAddr) JSON() AddrJSON {
	return AddrJSON{Type: a.Type.String(), Addr: a.SockAddrString(), Nonce: a.Nonce}
}

// JSON returns v's Formatter dump.
func (v EntityAddrVec) JSON() AddrVecJSON {
	out := AddrVecJSON{AddrVec: make([]AddrJSON, len(v))}
	for i, a := range v {
		out.AddrVec[i] = a.JSON()
	}
	return out
}

// LegacyOrFront returns the msgr1 address if there is one, else the first
// (entity_addrvec_t::legacy_or_front_addr).
func (v EntityAddrVec) LegacyOrFront() EntityAddr {
	if a, ok := v.Of(AddrLegacy); ok {
		return a
	}
	return v.Front()
}

// Command extract reads a pcap of monitors talking msgr2 in crc mode on
// loopback, reassembles each TCP stream, reads its frames with kelp's
// msgr2.Framer and writes the MESSAGE frames exchanged between monitors
// (HELLO entity type mon on both sides) as one line each:
//
//	FROM TO TYPE VERSION COMPAT FRONT-HEX MIDDLE-HEX DATA-HEX
//
// Monitors are named by listening port: PORTBASE is mon.a's v2 port,
// PORTBASE+2 mon.b's, and so on (capture.sh's layout). At most -max
// messages of each (type, first payload bytes) are kept so the file stays
// small.
package main

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"sort"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/msgr2"
)

type flowKey struct{ src, dst uint16 }

type stream struct {
	isn     uint32
	haveISN bool
	buf     []byte
	first   int // packet index of the SYN, for ordering
}

func main() {
	pcap := flag.String("pcap", "", "pcap file")
	base := flag.Int("ports", 0, "v2 port of mon.a")
	out := flag.String("out", "frames.txt", "output file")
	maxPer := flag.Int("max", 3, "messages kept per (type, op)")
	maxLen := flag.Int("maxlen", 16384, "largest front kept")
	flag.Parse()
	raw, err := os.ReadFile(*pcap)
	if err != nil {
		log.Fatal(err)
	}
	flows, order := readPcap(raw)
	name := func(port uint16) (string, bool) {
		d := int(port) - *base
		if d < 0 || d >= 8 || d%2 != 0 {
			return "", false
		}
		return "mon." + string(rune('a'+d/2)), true
	}
	var lines []string
	kept := map[string]int{}
	for _, k := range order {
		srv, ok := name(k.dst)
		if !ok {
			continue // server-to-client half: handled with its client half
		}
		c2s := flows[k]
		s2c := flows[flowKey{k.dst, k.src}]
		if s2c == nil {
			continue
		}
		cliType, cliAddrs, cmsgs := readStream(c2s.buf)
		srvType, _, smsgs := readStream(s2c.buf)
		if cliType != 1 || srvType != 1 { // CEPH_ENTITY_TYPE_MON
			continue
		}
		cli := "mon.?"
		for _, a := range cliAddrs {
			if n, ok := name(a.Addr.Port()); ok {
				cli = n
			}
		}
		emit := func(from, to string, ms []message) {
			for _, m := range ms {
				op := ""
				if len(m.front) > 0 {
					op = hex.EncodeToString(m.front[:min(len(m.front), 24)])
				}
				key := fmt.Sprintf("%d/%s", m.typ, opKey(m))
				_ = op
				if kept[key] >= *maxPer || len(m.front) > *maxLen {
					continue
				}
				kept[key]++
				lines = append(lines, fmt.Sprintf("%s %s %d %d %d %s %s %s", from, to, m.typ, m.version, m.compat,
					hexOrDash(m.front), hexOrDash(m.middle), hexOrDash(m.data)))
			}
		}
		emit(cli, srv, cmsgs)
		emit(srv, cli, smsgs)
	}
	var b bytes.Buffer
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	if err := os.WriteFile(*out, b.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("%d messages written to %s", len(lines), *out)
}

// opKey separates the ops of one message type: the op field sits at a
// known offset in each mon-to-mon message.
func opKey(m message) string {
	at := func(off, n int) string {
		if len(m.front) < off+n {
			return "short"
		}
		return hex.EncodeToString(m.front[off : off+n])
	}
	switch m.typ {
	case 65, 67: // election, probe: fsid then op
		return at(16, 4)
	case 66, 69: // paxos: epoch then op; sync: op first
		if m.typ == 66 {
			return at(4, 4)
		}
		return at(0, 4)
	case 0x609: // time_check2
		return at(0, 4)
	case 140, 0x60a:
		return at(0, 1)
	}
	return ""
}

func hexOrDash(b []byte) string {
	if len(b) == 0 {
		return "-"
	}
	return hex.EncodeToString(b)
}

type message struct {
	typ, version, compat uint16
	front, middle, data  []byte
}

type rw struct{ io.Reader }

func (rw) Write(p []byte) (int, error) { return 0, errors.New("read only") }

// readStream reads one direction of a msgr2 connection: banner, frames.
// It returns the entity type of the HELLO, the addresses of a
// CLIENT_IDENT, and the messages.
func readStream(b []byte) (entityType uint8, addrs encoding.EntityAddrVec, msgs []message) {
	f := msgr2.NewFramer(rw{bytes.NewReader(b)})
	if _, _, err := f.ReadBanner(); err != nil {
		return 0, nil, nil
	}
	f.SetRev1(true)
	f.SetLimits([4]uint32{1 << 30, 1 << 30, 1 << 30, 1 << 30})
	for {
		fr, err := f.ReadFrame()
		if err != nil {
			if os.Getenv("EXTRACT_DEBUG") != "" {
				log.Printf("stream of %d bytes: %d messages, stop: %v", len(b), len(msgs), err)
			}
			return
		}
		s0 := fr.Segments[0]
		switch fr.Tag {
		case msgr2.TagHello:
			if len(s0) > 0 {
				entityType = s0[0]
			}
		case msgr2.TagClientIdent:
			d := encoding.NewDecoder(s0)
			addrs = d.EntityAddrVec()
		case msgr2.TagMessage:
			if len(s0) != 41 {
				continue
			}
			msgs = append(msgs, message{
				typ:     binary.LittleEndian.Uint16(s0[16:]),
				version: binary.LittleEndian.Uint16(s0[20:]),
				compat:  binary.LittleEndian.Uint16(s0[37:]),
				front:   fr.Segments[1], middle: fr.Segments[2], data: fr.Segments[3],
			})
		}
	}
}

// readPcap reassembles every TCP stream of a pcap (loopback, IPv4).
func readPcap(raw []byte) (map[flowKey]*stream, []flowKey) {
	if len(raw) < 24 {
		log.Fatal("short pcap")
	}
	le := binary.LittleEndian
	if m := le.Uint32(raw); m != 0xa1b2c3d4 && m != 0xa1b23c4d {
		log.Fatalf("pcap magic %x", m)
	}
	link := le.Uint32(raw[20:])
	var l2 int
	switch link {
	case 1:
		l2 = 14
	case 113:
		l2 = 16
	case 276:
		l2 = 20
	case 0:
		l2 = 4
	default:
		log.Fatalf("link type %d", link)
	}
	flows := map[flowKey]*stream{}
	var order []flowKey
	off := 24
	for n := 0; off+16 <= len(raw); n++ {
		incl := int(le.Uint32(raw[off+8:]))
		pkt := raw[off+16 : min(off+16+incl, len(raw))]
		off += 16 + incl
		if len(pkt) < l2+20 {
			continue
		}
		ip := pkt[l2:]
		if ip[0]>>4 != 4 || ip[9] != 6 {
			continue
		}
		ihl := int(ip[0]&15) * 4
		total := int(binary.BigEndian.Uint16(ip[2:]))
		if total > len(ip) || ihl+20 > total {
			continue
		}
		tcp := ip[ihl:total]
		k := flowKey{binary.BigEndian.Uint16(tcp), binary.BigEndian.Uint16(tcp[2:])}
		seq := binary.BigEndian.Uint32(tcp[4:])
		flags := tcp[13]
		data := tcp[int(tcp[12]>>4)*4:]
		s := flows[k]
		if flags&0x02 != 0 { // SYN starts a new stream on these ports
			s = &stream{isn: seq + 1, haveISN: true, first: n}
			if _, seen := flows[k]; !seen {
				order = append(order, k)
			}
			flows[k] = s
			continue
		}
		if s == nil || !s.haveISN || len(data) == 0 {
			continue
		}
		pos := int(seq - s.isn)
		if pos < 0 || pos > 1<<30 {
			continue
		}
		if need := pos + len(data); need > len(s.buf) {
			s.buf = append(s.buf, make([]byte, need-len(s.buf))...)
		}
		copy(s.buf[pos:], data)
	}
	sort.SliceStable(order, func(i, j int) bool { return flows[order[i]].first < flows[order[j]].first })
	return flows, order
}

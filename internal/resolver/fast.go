package resolver

import (
	"encoding/binary"
	"net/netip"
)

// Wire constants of the fast path.
const (
	typeA    = 1
	typeAAAA = 28
	typeOPT  = 41
	classIN  = 1
)

// fastAnswer answers the common query — one question of type A or AAAA, no
// other records but an optional OPT — for a name the VPC answers itself,
// by writing the reply straight into out. It reports false when the query
// needs the general path (anything else, or a reply that would not fit).
// The reply is the one Resolve would give: same flags, TTL and records.
func fastAnswer(z *zone, pkt, out []byte, udp bool) ([]byte, bool) {
	if z == nil || !z.dnsSupport || len(pkt) < 12 {
		return nil, false
	}
	flags := binary.BigEndian.Uint16(pkt[2:])
	if flags&0x8000 != 0 || flags&0x7800 != 0 { // a response, or not QUERY
		return nil, false
	}
	if binary.BigEndian.Uint16(pkt[4:]) != 1 || binary.BigEndian.Uint16(pkt[6:]) != 0 || binary.BigEndian.Uint16(pkt[8:]) != 0 {
		return nil, false
	}
	arcount := binary.BigEndian.Uint16(pkt[10:])
	if arcount > 1 {
		return nil, false
	}
	var nameBuf [256]byte
	name, i, ok := questionName(pkt, nameBuf[:0])
	if !ok || i+4 > len(pkt) {
		return nil, false
	}
	qtype := binary.BigEndian.Uint16(pkt[i:])
	qclass := binary.BigEndian.Uint16(pkt[i+2:])
	qend := i + 4
	if qclass != classIN || (qtype != typeA && qtype != typeAAAA) {
		return nil, false
	}
	limit, edns, do := maxTCPSize, false, false
	if udp {
		limit = minUDPSize
	}
	if arcount == 1 {
		// The one additional record must be an OPT at the root.
		j := qend
		if j+11 > len(pkt) || pkt[j] != 0 || binary.BigEndian.Uint16(pkt[j+1:]) != typeOPT {
			return nil, false
		}
		size := int(binary.BigEndian.Uint16(pkt[j+3:]))
		do = pkt[j+7]&0x80 != 0
		rdlen := int(binary.BigEndian.Uint16(pkt[j+9:]))
		if j+11+rdlen != len(pkt) || pkt[j+5] != 0 { // extended rcode/version 0
			return nil, false
		}
		edns = true
		if udp {
			limit = max(minUDPSize, min(size, maxUDPSize))
		}
	} else if qend != len(pkt) {
		return nil, false
	}
	if len(z.rules) > 0 && z.rule(string(name)) != nil {
		return nil, false // a Resolver rule: the full path decides (or fastForward)
	}
	rec, ok := z.lookup(string(name)) // no allocation: map lookup by converted bytes
	if len(z.phz) > 0 {
		if pz := z.privateZone(string(name)); pz != nil && !(ok && rec.zone != "" && labels(rec.zone) >= labels(pz.Name)) {
			// A private hosted zone decides: its compiled address answers
			// are served here, anything else by the full path.
			rec, ok = z.phzFast[string(name)]
		}
	}
	if !ok {
		return nil, false
	}
	addrs, rrlen := rec.addrs, 16
	if qtype == typeAAAA {
		addrs, rrlen = rec.addrs6, 28
	}
	n := len(addrs)
	size := qend + n*rrlen
	if edns {
		size += 11
	}
	if size > limit || size > cap(out) {
		return nil, false
	}
	out = out[:qend]
	copy(out, pkt[:qend])
	// QR; RD and CD as asked; RA; AA off; rcode NOERROR.
	binary.BigEndian.PutUint16(out[2:], 0x8000|flags&0x0110|0x0080) // RD and CD echoed, as SetReply does
	binary.BigEndian.PutUint16(out[6:], uint16(n))
	binary.BigEndian.PutUint16(out[8:], 0)
	binary.BigEndian.PutUint16(out[10:], 0)
	for _, a := range addrs {
		if qtype == typeAAAA {
			b := a.As16()
			out = append(out, 0xc0, 12, 0, typeAAAA, 0, classIN, 0, 0, 0, TTL, 0, 16)
			out = append(out, b[:]...)
			continue
		}
		b := a.As4()
		out = append(out, 0xc0, 12, 0, typeA, 0, classIN, 0, 0, 0, TTL, 0, 4, b[0], b[1], b[2], b[3])
	}
	if edns {
		binary.BigEndian.PutUint16(out[10:], 1)
		var doBit byte
		if do {
			doBit = 0x80
		}
		out = append(out, 0, 0, typeOPT, byte(ourUDPSize>>8), byte(ourUDPSize&0xff), 0, 0, doBit, 0, 0, 0)
	}
	return out, true
}

// questionName reads the question's name from pkt, lowercased into dotted
// form (with the final dot) in buf, and returns it with the offset after
// it; names with escapes or odd bytes are left to the general path.
func questionName(pkt, buf []byte) ([]byte, int, bool) {
	if len(pkt) < 12 {
		return nil, 0, false
	}
	name := buf
	i := 12
	for {
		if i >= len(pkt) {
			return nil, 0, false
		}
		l := int(pkt[i])
		i++
		if l == 0 {
			break
		}
		if l > 63 || i+l > len(pkt) || len(name)+l+1 > 255 {
			return nil, 0, false
		}
		for _, c := range pkt[i : i+l] {
			switch {
			case 'A' <= c && c <= 'Z':
				c += 'a' - 'A'
			case c == '.' || c == '\\' || c <= ' ' || c >= 0x7f:
				return nil, 0, false // leave escapes to the general path
			}
			name = append(name, c)
		}
		name = append(name, '.')
		i += l
	}
	return name, i, len(name) > 0
}

// fastForward reports the inbound endpoint a query goes to when a
// Resolver rule of the zone decides its name and the rule's first target
// is an inbound endpoint vpce serves: the caller then answers it with that
// endpoint's zone (fastAnswer there), which is what the general path's
// in-process forward would answer.
func (z *zone) fastForward(pkt []byte) (netip.Addr, bool) {
	if z == nil || len(z.rules) == 0 || !z.dnsSupport {
		return netip.Addr{}, false
	}
	var nameBuf [256]byte
	name, _, ok := questionName(pkt, nameBuf[:0])
	if !ok {
		return netip.Addr{}, false
	}
	r := z.decidingRule(string(name))
	if r == nil || len(r.Targets) == 0 || r.Targets[0].Port() != 0 {
		return netip.Addr{}, false
	}
	return r.Targets[0].Addr(), true
}

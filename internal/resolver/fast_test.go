package resolver

import (
	"testing"

	"github.com/miekg/dns"
)

// sameReply compares two replies the way a client sees them.
func sameReply(t *testing.T, fast, slow []byte) {
	t.Helper()
	a, b := new(dns.Msg), new(dns.Msg)
	if err := a.Unpack(fast); err != nil {
		t.Fatalf("fast reply does not parse: %v", err)
	}
	if err := b.Unpack(slow); err != nil {
		t.Fatalf("general reply does not parse: %v", err)
	}
	if a.MsgHdr != b.MsgHdr {
		t.Errorf("headers differ:\nfast %+v\nslow %+v", a.MsgHdr, b.MsgHdr)
	}
	if a.String() != b.String() {
		t.Errorf("replies differ:\nfast %s\nslow %s", a, b)
	}
}

func TestFastAnswerMatchesGeneralPath(t *testing.T) {
	r := New(Config{Source: newFake()})
	z, err := r.zoneFor(t.Context(), vpcA)
	if err != nil {
		t.Fatal(err)
	}
	hit := 0
	for _, name := range []string{"ssm.us-east-1.amazonaws.com.", "SSM.US-east-1.amazonaws.com.", "x.s3.us-east-1.amazonaws.com.",
		"vpce-0aaaaaaaaaaaaaaaa-abcdefgh-us-east-1b.ssm.us-east-1.vpce.amazonaws.com.", "ip-10-0-1-10.ec2.internal.", "nothing.example."} {
		for _, qt := range []uint16{dns.TypeA, dns.TypeAAAA, dns.TypeMX} {
			for _, edns := range []bool{false, true} {
				req := new(dns.Msg)
				req.SetQuestion(name, qt)
				req.Id = 4242
				if edns {
					req.SetEdns0(1400, true)
				}
				pkt, _ := req.Pack()
				fast, ok := fastAnswer(z, pkt, make([]byte, 0, maxUDPSize), true)
				if !ok {
					continue
				}
				hit++
				sameReply(t, fast, r.Handle(t.Context(), vpcA, pkt, true))
			}
		}
	}
	if hit < 10 {
		t.Errorf("fast path took %d queries; it should take the common ones", hit)
	}
}

// FuzzFastAnswer: whenever the fast path answers, it answers exactly as
// the general path does.
func FuzzFastAnswer(f *testing.F) {
	for _, name := range []string{"ssm.us-east-1.amazonaws.com.", "a.s3.us-east-1.amazonaws.com."} {
		req := new(dns.Msg)
		req.SetQuestion(name, dns.TypeA)
		pkt, _ := req.Pack()
		f.Add(pkt)
		req.SetEdns0(4096, true)
		pkt, _ = req.Pack()
		f.Add(pkt)
	}
	r := New(Config{Source: newFake()})
	f.Fuzz(func(t *testing.T, pkt []byte) {
		z, err := r.zoneFor(t.Context(), vpcA)
		if err != nil {
			t.Fatal(err)
		}
		fast, ok := fastAnswer(z, pkt, make([]byte, 0, maxUDPSize), true)
		if !ok {
			return
		}
		slow := r.Handle(t.Context(), vpcA, pkt, true)
		if slow == nil {
			t.Fatalf("fast path answered %x, general path dropped it", pkt)
		}
		sameReply(t, fast, slow)
	})
}

func BenchmarkFastAnswer(b *testing.B) {
	r := New(Config{Source: newFake()})
	z, _ := r.zoneFor(b.Context(), vpcA)
	req := new(dns.Msg)
	req.SetQuestion("ssm.us-east-1.amazonaws.com.", dns.TypeA)
	pkt, _ := req.Pack()
	out := make([]byte, 0, maxUDPSize)
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := fastAnswer(z, pkt, out, true); !ok {
			b.Fatal("fast path refused")
		}
	}
}

func BenchmarkHandle(b *testing.B) {
	r := New(Config{Source: newFake()})
	req := new(dns.Msg)
	req.SetQuestion("ssm.us-east-1.amazonaws.com.", dns.TypeA)
	pkt, _ := req.Pack()
	b.ReportAllocs()
	for b.Loop() {
		if r.Handle(b.Context(), vpcA, pkt, true) == nil {
			b.Fatal("dropped")
		}
	}
}

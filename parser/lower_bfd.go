package parser

import (
	"net/netip"

	"github.com/keepalived-go/keepalived/config"
)

// BFD is not run by keepalived-go, but a bfd_instance, a track_bfd and a
// BFD_CHECK are checked as keepalived 2.2.7 checks them, so that `-t`
// gives keepalived's verdict (bfd/bfd_parser.c, bfd/bfd_data.c alloc_bfd
// and find_bfd_by_addr, vrrp/vrrp_track.c alloc_vrrp_tracked_bfd and
// alloc_track_bfd, check/check_bfd.c; the same in 2.4.3 but for
// `multihop`, which 2.3 added).
//
// keepalived parses the file once per process: the BFD process checks the
// session values and drops an instance without a neighbour; the VRRP and
// checker processes only record the instance's name (and the VRRP process
// its weight) for track_bfd and BFD_CHECK, whether or not the BFD process
// keeps it. Names are looked up when the reference is read, so a
// bfd_instance must come before the track_bfd that names it.

// BFD limits (keepalived's include/bfd.h).
const (
	bfdNameMax     = 32 // BFD_INAME_MAX, the terminating NUL included
	bfdTTLv4       = 255
	bfdHoplimitV6  = 64
	bfdIntervalMax = 1<<32 - 1 // UINT32_MAX / 1000 ms, in µs
)

// bfdSession is a bfd_instance the BFD process keeps, for the duplicate
// neighbour check.
type bfdSession struct {
	nbr, src netip.Addr
	multihop bool
}

// bfdState is what the lowering remembers of the bfd_instance blocks.
type bfdState struct {
	// forVRRP and forChecker hold the names the VRRP and the checker
	// process know (an instance with `vrrp` and/or `checker` is known to
	// those only).
	forVRRP, forChecker map[string]bool
	names               map[string]bool // every name the BFD process took
	sessions            []bfdSession
	// neighbour is keepalived's neighbor_str: once a `neighbour_ip` is
	// read, its messages say "neighbour" for the rest of the file.
	neighbour bool
}

func (b *bfdState) init() {
	if b.names == nil {
		b.forVRRP, b.forChecker, b.names = map[string]bool{}, map[string]bool{}, map[string]bool{}
	}
}

func (b *bfdState) nbrWord() string {
	if b.neighbour {
		return "neighbour"
	}
	return "neighbor"
}

// checkBFDInstance checks the values of a bfd_instance block (its
// keywords and argument counts are checked by checkBlock) and records its
// name for the processes that will know it.
func (l *lowerer) checkBFDInstance(n *Node) {
	b := &l.bfd
	b.init()
	if len(n.Args) != 1 {
		return // lowerChecked reports it
	}
	name := n.Args[0].Text
	if len(name) >= bfdNameMax {
		l.errorf(n.Args[0].Pos, "Configuration error: BFD instance %s name too long (maximum length is %d characters) - ignoring", name, bfdNameMax-1)
		return
	}
	if b.names[name] || b.forVRRP[name] || b.forChecker[name] {
		l.errorf(n.Args[0].Pos, "Configuration error: BFD instance %s already configured - ignoring", name)
		return
	}
	var s bfdSession
	ttl, maxHops := int64(0), int64(0)
	vrrp, checker := false, false
	dropped := false // a malformed neighbour: the BFD process skips the rest
	var nodes []*Node
	if n.Block != nil {
		nodes = n.Block.Nodes
	}
	for _, e := range nodes {
		if e == nil || len(e.Args) < lvsSchema[ctxBFD][e.Keyword].min {
			continue
		}
		if _, ok := lvsSchema[ctxBFD][e.Keyword]; !ok {
			continue
		}
		// The VRRP and checker processes read these whatever the BFD
		// process thinks of the instance.
		switch e.Keyword {
		case "vrrp":
			vrrp = true
			continue
		case "checker":
			checker = true
			continue
		case "weight":
			// Read by the VRRP process only.
			if _, msg := checkInt(e.Args[0].Text, -253, 253, true); msg != "" {
				l.errorf(e.Args[0].Pos, "Configuration error: BFD instance %s weight value %s not valid (must be in range [-253-253]), ignoring", name, e.Args[0].Text)
			}
			if len(e.Args) >= 2 && e.Args[1].Text != "reverse" {
				l.errorf(e.Args[1].Pos, "Configuration error: BFD instance %s unknown weight option %s", name, e.Args[1].Text)
			}
			continue
		}
		if dropped {
			continue
		}
		a := argText(e, 0)
		switch e.Keyword {
		case "neighbor_ip", "neighbour_ip":
			if e.Keyword == "neighbour_ip" {
				b.neighbour = true
			}
			ip, _, ok := parseSockIP(a)
			if !ok {
				l.errorf(e.Args[0].Pos, "Configuration error: BFD instance %s has malformed %s address %s, ignoring instance", name, b.nbrWord(), a)
				dropped = true
				continue
			}
			s.nbr = ip
		case "source_ip":
			ip, _, ok := parseSockIP(a)
			if !ok {
				l.errorf(e.Args[0].Pos, "Configuration error: BFD instance %s has malformed source address %s, ignoring", name, a)
				continue
			}
			s.src = ip
		case "min_rx", "min_tx", "idle_tx":
			lo := int64(1)
			if e.Keyword == "idle_tx" {
				lo = 1000
			}
			// Milliseconds with up to 3 decimal places.
			v, msg := parseDecimalShift(a, 3)
			if msg != "" && !isTooManyPlaces(msg) || v < lo*1000 || v > bfdIntervalMax/1000*1000 {
				l.errorf(e.Args[0].Pos, "Configuration error: BFD instance %s %s value %s is not valid (must be in range [%d-%d]), ignoring", name, e.Keyword, a, lo, int64(bfdIntervalMax/1000))
				continue
			}
			if msg != "" {
				l.warnf(e.Args[0].Pos, "%s", msg)
			}
		case "multiplier":
			if _, m := checkInt(a, 1, 255, false); m != "" {
				l.errorf(e.Args[0].Pos, "Configuration error: BFD instance %s multiplier value %s not valid (must be in range [1-255]), ignoring", name, a)
			}
		case "ttl", "hoplimit":
			v, m := checkInt(a, 1, 255, false)
			if m != "" {
				l.errorf(e.Args[0].Pos, "Configuration error: BFD instance %s ttl/hoplimit value %s not valid (must be in range [1-255]), ignoring", name, a)
				continue
			}
			ttl = v
		case "max_hops":
			v, m := checkInt(a, -1, 255, true)
			if m != "" {
				l.errorf(e.Args[0].Pos, "Configuration error: BFD instance %s max_hops value %s not valid (must be in range [-1-255]), ignoring", name, a)
				continue
			}
			maxHops = v
		case "multihop":
			l.newKeywordNotice(e)
			v, ok := true, true
			if len(e.Args) > 0 {
				v, ok = boolWord(a)
			}
			if !ok {
				l.errorf(e.Args[0].Pos, "Configuration error: BFD instance %s multihop setting not valid - %s", name, a)
				continue
			}
			s.multihop = v
		}
	}
	// The other processes know the name (alloc_vrrp_tracked_bfd and
	// bfd_checker_handler), as `vrrp` / `checker` say.
	if !vrrp && !checker {
		vrrp, checker = true, true
	}
	if vrrp {
		b.forVRRP[name] = true
	}
	if checker {
		b.forChecker[name] = true
	}
	if dropped {
		return
	}
	end := n.Pos
	if n.Block != nil && n.Block.Close != (config.Pos{}) {
		end = n.Block.Close
	}
	switch {
	case !s.nbr.IsValid():
		l.errorf(end, "Configuration error: BFD instance %s has no %s address set, disabling instance", name, b.nbrWord())
		return
	case s.src.IsValid() && s.src.Is4() != s.nbr.Is4():
		l.errorf(end, "Configuration error: BFD instance %s source address %s and %s address %s are not of the same family, disabling instance", name, s.src, b.nbrWord(), s.nbr)
		return
	}
	for _, o := range b.sessions {
		if o.nbr != s.nbr || o.multihop != s.multihop {
			continue
		}
		if o.src.IsValid() && s.src.IsValid() && o.src != s.src {
			continue
		}
		if s.src.IsValid() {
			l.errorf(end, "Configuration error: BFD instance %s has duplicate source/%s address %s/%s, ignoring instance", name, b.nbrWord(), s.src, s.nbr)
		} else {
			l.errorf(end, "Configuration error: BFD instance %s has duplicate %s address %s, ignoring instance", name, b.nbrWord(), s.nbr)
		}
		return
	}
	if ttl == 0 {
		ttl = bfdTTLv4
		if s.nbr.Is6() {
			ttl = bfdHoplimitV6
		}
	}
	if maxHops > ttl {
		l.errorf(end, "BFD instance %s: max_hops exceeds ttl/hoplimit - setting to ttl/hoplimit", name)
	}
	b.names[name] = true
	b.sessions = append(b.sessions, s)
}

// trackBFD checks a track_bfd block of a vrrp_instance or a sync group
// (alloc_track_bfd): `NAME [weight W [reverse|noreverse]]`, NAME a
// bfd_instance the VRRP process knows, defined before.
func (l *lowerer) trackBFD(n *Node, owner string) {
	seen := map[string]bool{}
	for _, e := range l.entries(n) {
		name := e.Keyword
		if !l.bfd.forVRRP[name] {
			l.errorf(e.Pos, "(%s) track bfd %s not found, ignoring...", owner, name)
			continue
		}
		if seen[name] {
			l.errorf(e.Pos, "(%s) duplicate track_bfd %s - ignoring", owner, name)
			continue
		}
		if len(e.Args) == 0 {
			seen[name] = true
			continue
		}
		if e.Args[0].Text != "weight" {
			l.errorf(e.Args[0].Pos, "(%s) unknown track bfd %s option %s - ignoring", owner, name, e.Args[0].Text)
			continue
		}
		if len(e.Args) == 1 {
			l.errorf(e.Args[0].Pos, "(%s) weight without value specified for track bfd %s - ignoring", owner, name)
			continue
		}
		if _, msg := checkInt(e.Args[1].Text, -253, 253, true); msg != "" {
			l.errorf(e.Args[1].Pos, "(%s) weight for track bfd %s must be in [-253..253] inclusive. Ignoring...", owner, name)
		}
		if len(e.Args) >= 3 && e.Args[2].Text != "reverse" && e.Args[2].Text != "noreverse" {
			l.errorf(e.Args[2].Pos, "(%s) unknown track bfd %s weight option %s - ignoring", owner, name, e.Args[2].Text)
			continue
		}
		seen[name] = true
	}
}

// checkBFDCheck checks the name of a BFD_CHECK (check_bfd.c): exactly one
// name, of a bfd_instance the checker process knows, defined before. rs
// names the real server as keepalived does ("[IP]:PROTO:PORT").
func (l *lowerer) checkBFDCheck(n *Node, rs string) {
	named := ""
	for _, e := range n.Block.Nodes {
		if e == nil || e.Keyword != "name" {
			continue
		}
		switch {
		case len(e.Args) != 1:
			l.errorf(e.Pos, "(%s) BFD_CHECK - No or too many names specified - skipping checker", rs)
			return
		case !l.bfd.forChecker[e.Args[0].Text]:
			l.errorf(e.Args[0].Pos, "(%s) BFD_CHECK - BFD %s not configured", rs, e.Args[0].Text)
			return
		case named != "":
			l.errorf(e.Args[0].Pos, "(%s) BFD_CHECK - BFD %s already specified as %s", rs, e.Args[0].Text, named)
			return
		}
		named = e.Args[0].Text
	}
	if named == "" {
		l.errorf(n.Pos, "(%s) No name has been specified for BFD_CHECKER - skipping", rs)
	}
}

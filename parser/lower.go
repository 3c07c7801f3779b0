package parser

import (
	"fmt"
	"iter"
	"sort"
	"strings"

	"github.com/keepalived-go/keepalived/config"
)

// Lower turns a parsed File into the typed, validated model, with
// keepalived 2.2.7's defaults and completion rules (reference sections 3-5,
// 8). Every finding is collected (never fail-fast) and returned in source
// order. The model is always returned; it must not be run when the findings
// hold an Error. Host facts (interfaces) are not checked: see
// config.CheckHost.
func Lower(f *File, opts Options) (*config.Config, config.Diagnostics) {
	l := newLowerer(opts)
	if f != nil {
		l.collectFiles(f.Nodes)
		for _, n := range f.Nodes {
			if n != nil && n.Keyword == "vrrp_instance" && len(n.Args) == 1 {
				l.instNames[n.Args[0].Text] = true
			}
		}
		l.lowerRoot(f.Nodes)
	}
	l.complete()
	return l.cfg, l.sorted()
}

// lowerer holds the state of one Lower call.
type lowerer struct {
	opts  Options
	cfg   *config.Config
	diags config.Diagnostics

	fileOrder map[string]int

	insts      []*instCtx
	groups     []*groupCtx
	scriptDefs map[string]config.Pos // every vrrp_script seen, kept or not
	globalCtx  globalCtx
	rawSeen    map[string]bool
	instSeen   map[string]bool

	// seq is the index of the root statement being lowered; defSeq holds
	// the seq of each tracked object ("script:NAME", "file:NAME",
	// "process:NAME"), to reproduce keepalived's define-before-use lookup.
	seq      int
	defSeq   map[string]int
	rulePref int
	// garpGroups counts garp_group blocks (keepalived numbers them from 0).
	garpGroups int
	// pendingUp holds the statements a misplaced block's `}` pushed out
	// of a block nested in a vrrp_instance (authentication): the
	// instance's walk reads them next, then ends (walkKnown).
	// reread marks the statements of a block read again at the top level
	// (rereadAtRoot): those that are not top-level keywords are ignored
	// without a finding of their own.
	reread       map[*Node]bool
	pendingUp    []*Node
	pendingUpSet bool
	// spill holds the statements a misplaced block's `}` pushed out of a
	// top-level block (known): lowerRoot reads them at the top level next.
	spill []*Node
	// bfd holds the bfd_instance names and sessions seen so far
	// (lower_bfd.go); curVS / curRS the virtual and real server whose
	// block is being checked, for the checkers' messages.
	bfd          bfdState
	curVS, curRS *Node
	// instNames are the names of every vrrp_instance, for hints.
	instNames map[string]bool
	// byName indexes what has been lowered (generated configurations may
	// hold thousands of objects: lookups must not be linear).
	byName struct {
		script map[string]*config.Script
		file   map[string]*config.TrackFile
		proc   map[string]*config.TrackProcess
		inst   map[string]*config.Instance
		group  map[string]*config.SyncGroup
	}
}

func newLowerer(opts Options) *lowerer {
	cfg := &config.Config{Global: config.DefaultGlobal()}
	l := &lowerer{
		opts:       opts,
		cfg:        cfg,
		fileOrder:  map[string]int{},
		scriptDefs: map[string]config.Pos{},
		rawSeen:    map[string]bool{},
		instSeen:   map[string]bool{},
		defSeq:     map[string]int{},
		instNames:  map[string]bool{},
	}
	l.byName.script = map[string]*config.Script{}
	l.byName.file = map[string]*config.TrackFile{}
	l.byName.proc = map[string]*config.TrackProcess{}
	l.byName.inst = map[string]*config.Instance{}
	l.byName.group = map[string]*config.SyncGroup{}
	return l
}

// collectFiles records the files in the order their lines appear, for
// Config.Files and for sorting findings.
func (l *lowerer) collectFiles(nodes []*Node) {
	for _, n := range nodes {
		if n == nil {
			continue
		}
		if f := n.Pos.File; f != "" {
			if _, ok := l.fileOrder[f]; !ok {
				l.fileOrder[f] = len(l.fileOrder)
				l.cfg.Files = append(l.cfg.Files, f)
			}
		}
		if n.Block != nil {
			l.collectFiles(n.Block.Nodes)
		}
	}
}

// sorted returns the findings in source order (file order of appearance,
// then line and column); findings without a position keep their order
// after the others.
func (l *lowerer) sorted() config.Diagnostics {
	ds := l.diags
	rank := func(p config.Pos) int {
		if p.File == "" && p.Line == 0 {
			return 1 << 30
		}
		if r, ok := l.fileOrder[p.File]; ok {
			return r
		}
		return len(l.fileOrder)
	}
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i].Pos, ds[j].Pos
		ra, rb := rank(a), rank(b)
		if ra != rb {
			return ra < rb
		}
		if ra == 1<<30 {
			return false
		}
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	return ds
}

// ---- findings ----

func (l *lowerer) add(pos config.Pos, sev config.Severity, class config.Class, format string, args ...any) {
	l.diags = append(l.diags, config.Diagnostic{Pos: pos, Severity: sev, Class: class, Msg: fmt.Sprintf(format, args...)})
}

// errorf reports a mistake keepalived also reports (exit 5 under -t).
func (l *lowerer) errorf(pos config.Pos, format string, args ...any) {
	l.add(pos, config.Error, config.ClassGeneral, format, args...)
}

// stopf reports a mistake on which keepalived 2.2.7 does not run the
// configuration at all (its VRRP completion fails, KEEPALIVED_EXIT_CONFIG
// at start); -t still exits 5 for it.
func (l *lowerer) stopf(pos config.Pos, format string, args ...any) {
	l.diags = append(l.diags, config.Diagnostic{Pos: pos, Severity: config.Error, Class: config.ClassGeneral,
		Msg: fmt.Sprintf(format, args...), Stops: true})
}

// warnf reports something keepalived reports and corrects (exit 5 under -t).
func (l *lowerer) warnf(pos config.Pos, format string, args ...any) {
	l.add(pos, config.Warning, config.ClassGeneral, format, args...)
}

// ourWarnf reports something keepalived does silently (no -t class).
func (l *lowerer) ourWarnf(pos config.Pos, format string, args ...any) {
	l.add(pos, config.Warning, config.ClassNone, format, args...)
}

// noticef is for information only (no -t class).
func (l *lowerer) noticef(pos config.Pos, format string, args ...any) {
	l.add(pos, config.Notice, config.ClassNone, format, args...)
}

// ---- argument helpers ----

// need reports keepalived's fatal "missing parameter" when n has fewer than
// count arguments (keepalived aborts the whole parse with exit 2).
func (l *lowerer) need(n *Node, count int) bool {
	if len(n.Args) >= count {
		return true
	}
	pos := n.Pos
	prev := n.Keyword
	if len(n.Args) > 0 {
		pos = n.Args[len(n.Args)-1].Pos
		prev = n.Args[len(n.Args)-1].Text
	}
	l.add(pos, config.Error, config.ClassMissingParameter,
		"*** Configuration line starting `%s` is missing a parameter after keyword `%s` at word position %d",
		n.Keyword, prev, len(n.Args)+2)
	return false
}

// argPos is the position of argument i (0-based), or of the keyword.
func argPos(n *Node, i int) config.Pos {
	if i >= 0 && i < len(n.Args) {
		return n.Args[i].Pos
	}
	return n.Pos
}

func argText(n *Node, i int) string {
	if i >= 0 && i < len(n.Args) {
		return n.Args[i].Text
	}
	return ""
}

// extra warns about arguments after the max-th that keepalived silently
// ignores. A second keyword on the line is called out as such, since that
// is how a whole setting gets lost (`interface eth0 virtual_router_id 5`).
func (l *lowerer) extra(n *Node, max int, ctx string) {
	if len(n.Args) <= max {
		return
	}
	rest := n.Args[max:]
	for i, w := range rest {
		if !w.Quoted && isKeyword(ctx, w.Text) && w.Text != n.Keyword {
			l.ourWarnf(w.Pos, "keepalived reads one keyword per line: `%s` after `%s` is silently ignored; put it on its own line",
				joinWords(rest[i:]), n.Keyword)
			return
		}
	}
	l.ourWarnf(rest[0].Pos, "extra argument%s `%s` after `%s` ignored (keepalived drops them silently)",
		plural(len(rest)), joinWords(rest), n.Keyword)
}

func joinWords(ws []Word) string {
	s := make([]string, len(ws))
	for i, w := range ws {
		s[i] = w.Text
	}
	return strings.Join(s, " ")
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// ---- blocks ----

// known yields the statements of a block that are keywords of ctx, in
// order, reporting each unknown one where it stands (nil entries, left by
// the parser's recovery, are skipped).
//
// A block where keepalived expects none (after an unknown keyword, or
// after a keyword that takes no block) is read the way keepalived 2.2.7
// reads it (lib/parser.c process_stream: an unknown keyword's `{` is
// part of its ignored line, and a `}` ends the current block), so that we
// run the configuration keepalived runs: its `{` is ignored, its lines are
// keywords of ctx, and its `}` ends the block of ctx. The statements after
// it belong to the block around ctx: for a top-level block they are read
// at the top level (spilled, see lowerRoot); for authentication and
// auth_hmac, the blocks nested in a vrrp_instance, they are read as
// vrrp_instance keywords, and the block's own `}` then ends the
// vrrp_instance (pendingUp, read by the instance's walk).
func (l *lowerer) known(nodes []*Node, ctx string) iter.Seq[*Node] {
	return func(yield func(*Node) bool) {
		l.walkKnown(nodes, ctx, yield)
	}
}

// nestedCtx reports whether ctx is a block nested in a vrrp_instance.
func nestedCtx(ctx string) bool { return ctx == ctxAuth || ctx == ctxHMAC }

// walkKnown is known's loop. ended reports that a misplaced block's `}`
// ended the block of ctx (the statements after it were handed to the
// enclosing block); stop that the consumer asked to stop.
func (l *lowerer) walkKnown(nodes []*Node, ctx string, yield func(*Node) bool) (ended, stop bool) {
	for i, n := range nodes {
		if n == nil {
			continue
		}
		kw := isKeyword(ctx, n.Keyword)
		misplaced := n.Block != nil && ctx != ctxRoot && (!kw || !blockKeyword(ctx, n.Keyword))
		if !kw {
			l.unknown(n, ctx)
			if !misplaced {
				continue
			}
		} else if misplaced {
			// The keyword itself applies; its block does not belong to it.
			flat := *n
			flat.Block = nil
			if !yield(&flat) {
				return false, true
			}
			l.errorf(n.Block.Open, "Unexpected '{' - `%s` takes no block: as keepalived does, its lines are read as %s keywords and its `}` ends the %s; %s", n.Keyword, ctx, ctx, afterEnd(ctx))
		} else {
			if !yield(n) {
				return false, true
			}
			// A nested block (authentication) ended early: the rest of
			// its lines are this block's, and its `}` ends this block.
			if l.pendingUpSet {
				up := l.pendingUp
				l.pendingUp, l.pendingUpSet = nil, false
				// If these end this block early too, their remainder is
				// spilled first, as it comes first in the file.
				if _, stop := l.walkKnown(up, ctx, yield); stop {
					return false, true
				}
				l.spill = append(l.spill, nodes[i+1:]...)
				return true, false
			}
		}
		if !misplaced {
			continue
		}
		innerEnded, stop := l.walkKnown(n.Block.Nodes, ctx, yield)
		if stop {
			return false, true
		}
		switch {
		case nestedCtx(ctx) && !innerEnded:
			// Read next in the vrrp_instance, whose block ends after them.
			l.pendingUp = append(l.pendingUp, nodes[i+1:]...)
			l.pendingUpSet = true
		case nestedCtx(ctx):
			// The inner `}` already ended this block and its remainder
			// went to the vrrp_instance; this block's `}` ended the
			// instance, so the rest is read at the top level.
			l.spill = append(l.spill, nodes[i+1:]...)
		default:
			l.spill = append(l.spill, nodes[i+1:]...)
		}
		return true, false
	}
	return false, false
}

// afterEnd says where keepalived reads what follows the `}` that ended a
// block of ctx early.
func afterEnd(ctx string) string {
	if nestedCtx(ctx) {
		return "what follows is read in the vrrp_instance, which its `}` ends"
	}
	return "what follows is read at the top level"
}

// unknown reports an unknown keyword of block kind ctx, once: the contents
// of an unknown block are not looked at.
func (l *lowerer) unknown(n *Node, ctx string) {
	msg := fmt.Sprintf("unknown keyword `%s` in %s", n.Keyword, ctx)
	if ctx == ctxRoot {
		msg = fmt.Sprintf("unknown keyword `%s` at the top level", n.Keyword)
	}
	if s := suggest(ctx, n.Keyword); s != "" {
		msg += fmt.Sprintf("; did you mean `%s`?", s)
	} else if h := homeOf(ctx, n.Keyword); h != "" {
		if h == ctxRoot {
			msg += fmt.Sprintf(" (`%s` is a top-level keyword: is a `}` missing before it?)", n.Keyword)
		} else {
			msg += fmt.Sprintf(" (`%s` belongs in %s)", n.Keyword, h)
		}
	}
	if n.Block != nil {
		sep := "; its"
		if strings.HasSuffix(msg, "?") {
			sep = " Its"
		}
		if ctx == ctxRoot {
			msg += sep + " lines are read as top-level keywords (the others are ignored) and its `}` is an unknown keyword there, as keepalived does"
		} else {
			msg += fmt.Sprintf("%s lines are read as %s keywords and its `}` ends the %s, as keepalived does; %s", sep, ctx, ctx, afterEnd(ctx))
		}
	}
	l.errorf(n.Pos, "%s", msg)
}

// needBlock checks that n opens a block; without one keepalived reports a
// missing '{' and ignores the keyword.
func (l *lowerer) needBlock(n *Node) bool {
	if n.Block != nil {
		return true
	}
	l.errorf(n.Pos, "Missing '{' at beginning of configuration block (`%s` needs a { } block)", n.Keyword)
	return false
}

// noBlock reports a block opened after a keyword that takes none; its
// contents are skipped.
func (l *lowerer) noBlock(n *Node) {
	if n.Block == nil {
		return
	}
	l.errorf(n.Block.Open, "Unexpected '{' - `%s` takes no block; the block is skipped (keepalived would read its lines as keywords of the enclosing block and end that block at its `}`)", n.Keyword)
}

// raw keeps a statement we do not run.
func (l *lowerer) raw(n *Node) config.RawStatement {
	args := make([]string, len(n.Args))
	for i, a := range n.Args {
		args[i] = a.Text
	}
	return config.RawStatement{Pos: n.Pos, Keyword: n.Keyword, Args: args}
}

// ---- root ----

func (l *lowerer) lowerRoot(nodes []*Node) {
	for i, n := range nodes {
		if n == nil {
			continue
		}
		l.seq = i
		l.rootStatement(n)
		// Statements a misplaced `}` pushed out of n's block are read at
		// the top level, as keepalived reads them, before the next one;
		// each `}` left over from the block is keepalived's "Unknown
		// keyword '}'" there.
		// They are read depth first: what one of them pushes out comes
		// before the statements after it.
		for len(l.spill) > 0 {
			m, rest := l.spill[0], l.spill[1:]
			l.spill = nil
			if m != nil {
				l.rootStatement(m)
			}
			l.spill = append(l.spill, rest...)
		}
	}
}

// rereadAtRoot hands the lines of n's block back to the top level, to be
// read next: at the top level keepalived takes a `{` after an unknown
// keyword, or after one that opens no block, as part of that line, so the
// block's lines are top-level statements (a vrrp_instance in them is
// run) and its `}` is an unknown keyword there.
//
// The lines that are not top-level keywords are not reported one by one
// (keepalived's cascade of "Unknown keyword" lines): the finding on n says
// what happens to them.
func (l *lowerer) rereadAtRoot(n *Node) {
	if l.reread == nil {
		l.reread = map[*Node]bool{}
	}
	for _, m := range n.Block.Nodes {
		l.reread[m] = true
	}
	l.spill = append(append([]*Node{}, n.Block.Nodes...), l.spill...)
}

// rootNoBlock reports a block after a top-level keyword that takes none.
// Its contents are skipped: these keywords (use_pid_dir, net_namespace,
// ...) are only active in keepalived's parent process, and the VRRP
// process skips the block of an inactive keyword whole (lib/parser.c
// process_stream, skip_sublevel), so no vrrp_instance or vrrp_script in
// it is run.
func (l *lowerer) rootNoBlock(n *Node) {
	if n.Block == nil {
		return
	}
	l.errorf(n.Block.Open, "Unexpected '{' - `%s` takes no block; the block is skipped, as keepalived's VRRP process skips it", n.Keyword)
}

// rootStatement lowers one top-level statement.
func (l *lowerer) rootStatement(n *Node) {
	{
		switch n.Keyword {
		case "global_defs":
			l.extra(n, 0, ctxRoot)
			if l.needBlock(n) {
				l.lowerGlobal(n.Block.Nodes)
			}
		case "vrrp_instance":
			l.lowerInstance(n)
		case "vrrp_sync_group":
			l.lowerSyncGroup(n)
		case "vrrp_script":
			l.lowerScript(n)
		case "track_file", "vrrp_track_file":
			l.lowerTrackFile(n)
		case "vrrp_track_process":
			l.lowerTrackProcess(n)
		case "garp_group":
			l.lowerGarpGroup(n)
		case "static_ipaddress":
			l.extra(n, 0, ctxRoot)
			if l.needBlock(n) {
				l.cfg.StaticAddresses = append(l.cfg.StaticAddresses, l.addressBlock(n, "", config.FamilyUnset, true)...)
			}
		case "static_routes":
			l.extra(n, 0, ctxRoot)
			if l.needBlock(n) {
				l.cfg.StaticRoutes = append(l.cfg.StaticRoutes, l.routeBlock(n, "")...)
			}
		case "static_rules":
			l.extra(n, 0, ctxRoot)
			if l.needBlock(n) {
				l.cfg.StaticRules = append(l.cfg.StaticRules, l.ruleBlock(n, "")...)
			}
		case "net_namespace", "instance":
			// Both name this keepalived once: a second one is an error.
			l.rootNoBlock(n)
			dst := &l.cfg.Global.NetNamespace
			if n.Keyword == "instance" {
				dst = &l.cfg.Global.InstanceName
			}
			if len(n.Args) == 0 {
				l.errorf(n.Pos, "%s name missing - ignoring", n.Keyword)
				return
			}
			if *dst != "" {
				l.errorf(n.Args[0].Pos, "Duplicate %s definition %s - ignoring", n.Keyword, n.Args[0].Text)
				return
			}
			*dst = n.Args[0].Text
			l.extra(n, 1, ctxRoot)
		case "net_namespace_ipvs", "namespace_with_ipsets":
			l.rootNoBlock(n)
			l.cfg.Global.Other = append(l.cfg.Global.Other, l.raw(n))
			what := "LVS / IPVS"
			if n.Keyword == "namespace_with_ipsets" {
				what = "the ipsets firewall"
			}
			l.noticef(n.Pos, "`%s` is accepted and not run (%s is not part of keepalived-go)", n.Keyword, what)
		case "use_pid_dir":
			l.rootNoBlock(n)
			l.cfg.Global.UsePidDir = true
			l.extra(n, 0, ctxRoot)
		case "child_wait_time":
			l.rootNoBlock(n)
			if l.need(n, 1) {
				if v, ok := l.uintArgMsg(n, 0, 0, 1<<31-1, "Invalid child_wait_time %s", n.Args[0].Text); ok {
					l.cfg.Global.ChildWaitTime = secs(v)
				}
				l.extra(n, 1, ctxRoot)
			}
		case "linkbeat_use_polling":
			l.rootNoBlock(n)
			l.cfg.Global.LinkbeatUsePolling = true
		default:
			if why, ok := rawRootBlocks[n.Keyword]; ok {
				l.lowerChecked(n, why)
				return
			}
			if !l.reread[n] {
				l.unknown(n, ctxRoot)
			}
			if n.Block != nil {
				l.rereadAtRoot(n)
			}
		}
	}
}

// keepRaw keeps a subsystem block we do not run, with one notice per kind.
func (l *lowerer) keepRaw(n *Node, why string) {
	l.cfg.Raw = append(l.cfg.Raw, l.rawTree(n))
	if l.rawSeen[n.Keyword] {
		return
	}
	l.rawSeen[n.Keyword] = true
	l.noticef(n.Pos, "`%s` is accepted and kept but not run (%s)", n.Keyword, why)
}

// blockName reads the one-word name of a named root block. keepalived
// skips the block when the name is missing (vrrp_instance, sync groups) or
// aborts (vrrp_script, track_file: missing parameter).
func (l *lowerer) blockName(n *Node, fatal bool) (string, bool) {
	if len(n.Args) == 0 {
		if fatal {
			l.need(n, 1)
		} else {
			l.errorf(n.Pos, "%s must have a name", n.Keyword)
		}
		return "", false
	}
	if len(n.Args) > 1 {
		l.extra(n, 1, ctxRoot)
	}
	return n.Args[0].Text, true
}

// checkVirtualServer reproduces the one finding keepalived's -t reports
// about an otherwise valid LVS block of the samples (check_parser.c): a
// protocol given for a fwmark virtual server is ignored.
func (l *lowerer) checkVirtualServer(n *Node) {
	if len(n.Args) < 2 || n.Args[0].Text != "fwmark" || n.Block == nil {
		return
	}
	for _, e := range n.Block.Nodes {
		if e != nil && e.Keyword == "protocol" {
			l.warnf(e.Pos, "Warning: Virtual server FWM %s: protocol specified for fwmark - protocol will be ignored", n.Args[1].Text)
		}
	}
}

// blockKeyword reports whether keyword kw of block kind ctx takes a { }
// block of its own.
func blockKeyword(ctx, kw string) bool {
	switch ctx {
	case ctxInstance:
		return instanceBlocks[kw]
	case ctxGlobal:
		return kw == "notification_email"
	case ctxGarpGroup:
		return kw == "interfaces"
	}
	return false
}

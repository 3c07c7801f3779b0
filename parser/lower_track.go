package parser

import (
	"strings"

	"github.com/keepalived-go/keepalived/config"
)

// vrrp_script, track_file, vrrp_track_process, vrrp_sync_group and
// garp_group blocks, and the track_* value blocks of instances and groups
// (keepalived vrrp_parser.c, vrrp_track.c, trackers/track_file.c).

// lowerScript lowers a vrrp_script block. A script without a `script` line
// is removed, as keepalived does; references to it are then "not found".
func (l *lowerer) lowerScript(n *Node) {
	name, ok := l.blockName(n, true)
	if !ok || !l.needBlock(n) {
		return
	}
	s := config.DefaultScript(name)
	s.Pos = n.Pos
	for e := range l.known(n.Block.Nodes, ctxScript) {
		l.noBlock(e)
		switch e.Keyword {
		case "script":
			if c := l.command(e, false); c != nil {
				s.Command = *c
			}
		case "interval", "timeout":
			if !l.need(e, 1) {
				continue
			}
			msg := "(%s): vrrp script interval '%s' must be between 1 and 4294 - ignoring"
			if e.Keyword == "timeout" {
				msg = "(%s): vrrp script timeout '%s' invalid - ignoring"
			}
			if strings.Contains(e.Args[0].Text, ".") {
				l.fractionalScriptTime(s, e)
				continue
			}
			v, ok := l.uintArgMsg(e, 0, 0, 4294, msg, name, e.Args[0].Text)
			if !ok {
				continue
			}
			if v == 0 {
				l.warnf(e.Args[0].Pos, "(%s): vrrp script %s must be greater than 0, setting to 1", name, e.Keyword)
				v = 1
			}
			if e.Keyword == "interval" {
				s.Interval = secs(v)
			} else {
				s.Timeout = secs(v)
			}
			l.extra(e, 1, ctxScript)
		case "weight":
			if !l.need(e, 1) {
				continue
			}
			v, msg := checkInt(e.Args[0].Text, -253, 253, true)
			if msg != "" {
				l.errorf(e.Args[0].Pos, "vrrp_script %s weight %s must be in [-253, 253]", name, e.Args[0].Text)
				if !strings.Contains(msg, "invalid number") {
					// 2.2.7 stores an out-of-range weight anyway.
					s.Weight = int(v)
				} else {
					s.Weight = 0
				}
			} else {
				s.Weight = int(v)
			}
			if len(e.Args) >= 2 {
				if e.Args[1].Text == "reverse" {
					s.Reverse = true
				} else {
					l.errorf(e.Args[1].Pos, "vrrp_script %s unknown weight option %s", name, e.Args[1].Text)
				}
			}
			l.extra(e, 2, ctxScript)
		case "rise", "fall":
			if !l.need(e, 1) {
				continue
			}
			v, ok := l.uintArgMsg(e, 0, 1, 1<<31-1, "(%s): vrrp script %s value '%s' invalid, defaulting to 1", name, e.Keyword, e.Args[0].Text)
			if !ok {
				v = 1
			}
			if e.Keyword == "rise" {
				s.Rise = int(v)
			} else {
				s.Fall = int(v)
			}
			l.extra(e, 1, ctxScript)
		case "user":
			if !l.need(e, 1) {
				continue
			}
			s.User = e.Args[0].Text
			s.Group = argText(e, 1)
			s.Command.User, s.Command.Group = s.User, s.Group
			l.extra(e, 2, ctxScript)
		case "init_fail":
			s.InitFail = true
		}
	}
	if prev, dup := l.scriptDefs[name]; dup {
		l.ourWarnf(n.Pos, "vrrp_script %s is defined twice (first at %s); keepalived's track_script uses the first", name, prev)
		return
	}
	l.scriptDefs[name] = n.Pos
	if len(s.Command.Argv) == 0 {
		l.errorf(n.Pos, "No script set for vrrp_script %s - removing", name)
		return
	}
	l.defSeq["script:"+name] = l.seq
	l.byName.script[name] = s
	l.cfg.Scripts = append(l.cfg.Scripts, s)
}

// lowerTrackFile lowers a track_file (vrrp_track_file) block.
func (l *lowerer) lowerTrackFile(n *Node) {
	name, ok := l.blockName(n, true)
	if !ok || !l.needBlock(n) {
		return
	}
	if n.Keyword == "vrrp_track_file" {
		l.noticef(n.Pos, "vrrp_track_file is a deprecated synonym of track_file")
	}
	t := config.DefaultTrackFile(name)
	t.Pos = n.Pos
	weightSet := false
	for e := range l.known(n.Block.Nodes, ctxTrackFile) {
		l.noBlock(e)
		switch e.Keyword {
		case "file":
			if len(e.Args) == 0 {
				l.errorf(e.Pos, "track file file name missing")
				continue
			}
			if t.Path != "" {
				l.errorf(e.Args[0].Pos, "File already set for track file %s - ignoring %s", name, e.Args[0].Text)
				continue
			}
			t.Path = e.Args[0].Text
			l.extra(e, 1, ctxTrackFile)
		case "weight":
			if len(e.Args) == 0 {
				l.errorf(e.Pos, "No weight specified for track file %s - ignoring", name)
				continue
			}
			if weightSet {
				l.errorf(e.Args[0].Pos, "Weight already set for track file %s - ignoring %s", name, e.Args[0].Text)
				continue
			}
			v, msg := checkInt(e.Args[0].Text, -254, 254, true)
			if msg != "" {
				l.errorf(e.Args[0].Pos, "Weight (%s) for track_file %s must be between [-254..254] inclusive. Ignoring...", e.Args[0].Text, name)
				continue
			}
			t.Weight, weightSet = int(v), true
			if len(e.Args) >= 2 {
				if e.Args[1].Text == "reverse" {
					t.Reverse = true
				} else {
					l.errorf(e.Args[1].Pos, "track_file %s unknown weight option %s", name, e.Args[1].Text)
				}
			}
		case "init_file":
			t.InitFile = true
			for _, a := range e.Args {
				if a.Text == "overwrite" {
					t.Overwrite = true
					continue
				}
				v, msg := checkInt(a.Text, -(1 << 31), 1<<31-1, true)
				if msg != "" {
					l.errorf(a.Pos, "Track file %s init value %s is invalid", name, a.Text)
					continue
				}
				t.InitValue = int(v)
			}
		}
	}
	if t.Path == "" {
		l.errorf(n.Pos, "No file set for track_file %s - ignoring", name)
		return
	}
	if l.byName.file[name] != nil {
		l.ourWarnf(n.Pos, "track_file %s is defined twice; the first is used", name)
		return
	}
	l.defSeq["file:"+name] = l.seq
	l.byName.file[name] = t
	l.cfg.TrackFiles = append(l.cfg.TrackFiles, t)
}

// lowerTrackProcess lowers a vrrp_track_process block (run by package
// procwatch).
func (l *lowerer) lowerTrackProcess(n *Node) {
	name, ok := l.blockName(n, true)
	if !ok || !l.needBlock(n) {
		return
	}
	t := config.DefaultTrackProcess(name)
	t.Pos = n.Pos
	for e := range l.known(n.Block.Nodes, ctxTrackProcess) {
		l.noBlock(e)
		switch e.Keyword {
		case "process":
			if !l.need(e, 1) {
				continue
			}
			if t.Process != "" {
				l.errorf(e.Pos, "Process already set for track process %s - ignoring %s", name, e.Args[0].Text)
				continue
			}
			t.Process = e.Args[0].Text
			for _, a := range e.Args[1:] {
				t.Args = append(t.Args, a.Text)
			}
		case "param_match":
			if len(e.Args) == 0 {
				t.ParamMatch = "exact" // keepalived: the arguments exactly
				continue
			}
			switch e.Args[0].Text {
			case "initial", "partial":
				t.ParamMatch = e.Args[0].Text
			default:
				l.errorf(e.Args[0].Pos, "Invalid param_match type %s - ignoring", e.Args[0].Text)
			}
		case "weight":
			if len(e.Args) == 0 {
				l.errorf(e.Pos, "No weight specified for track process %s - ignoring", name)
				continue
			}
			v, msg := checkInt(e.Args[0].Text, -254, 254, true)
			if msg != "" {
				l.errorf(e.Args[0].Pos, "Weight (%s) for vrrp_track_process %s must be between [-254..254] inclusive. Ignoring...", e.Args[0].Text, name)
				continue
			}
			t.Weight = int(v)
			if len(e.Args) >= 2 {
				if e.Args[1].Text == "reverse" {
					t.Reverse = true
				} else {
					l.errorf(e.Args[1].Pos, "vrrp_track_process %s unknown weight option %s", name, e.Args[1].Text)
				}
			}
		case "quorum":
			// vrrp_tprocess_quorum_handler: 1..65535, and not above
			// quorum_max as it stands when the line is read.
			if !l.need(e, 1) {
				continue
			}
			v, ok := l.uintArgMsg(e, 0, 1, 65535, "Quorum (%s) for vrrp_track_process %s must be between [1..65535] inclusive. Ignoring...", e.Args[0].Text, name)
			if !ok {
				continue
			}
			if t.QuorumMax != nil && int(v) > *t.QuorumMax {
				l.errorf(e.Args[0].Pos, "Quorum is greater than quorum_max - ignoring")
				continue
			}
			t.Quorum = int(v)
		case "quorum_max":
			// vrrp_tprocess_quorum_max_handler: 0 is allowed while quorum
			// is at most 1 and then sets quorum to 0 too (the block is up
			// while no such process runs); another value below quorum is
			// ignored; one above 0 lifts a quorum of 0 back to 1.
			if !l.need(e, 1) {
				continue
			}
			v, ok := l.uintArgMsg(e, 0, 0, 65535, "quorum_max (%s) for vrrp_track_process %s must be between [0..65535] inclusive. Ignoring...", e.Args[0].Text, name)
			if !ok {
				continue
			}
			max := int(v)
			if (max != 0 || t.Quorum > 1) && max < t.Quorum {
				l.errorf(e.Args[0].Pos, "quorum_max is less than quorum - ignoring")
				continue
			}
			t.QuorumMax = &max
			if max == 0 {
				t.Quorum = 0
			} else if t.Quorum == 0 {
				t.Quorum = 1
			}
		case "delay", "terminate_delay", "fork_delay":
			// vrrp_tprocess_delay_general: `delay` sets both delays as
			// it is read, so a later fork_delay / terminate_delay
			// overrides its half and an earlier one is overridden.
			if !l.need(e, 1) {
				continue
			}
			prefix := strings.TrimSuffix(e.Keyword, "delay")
			d, ok := l.decimalArgMsg(e, 0, 1, 3600*1000000, "%sdelay (%s) for vrrp_track_process %s must be between [0.000001..3600] inclusive. Ignoring...", prefix, e.Args[0].Text, name)
			if !ok {
				continue
			}
			if e.Keyword != "fork_delay" {
				t.TerminateDelay = d
			}
			if e.Keyword != "terminate_delay" {
				t.ForkDelay = d
			}
		case "full_command":
			t.FullCommand = true
		}
	}
	if t.Process == "" {
		l.errorf(n.Pos, "track process '%s' process name not specified", name)
		return
	}
	if l.byName.proc[name] != nil {
		l.ourWarnf(n.Pos, "vrrp_track_process %s is defined twice; the first is used", name)
		return
	}
	l.defSeq["process:"+name] = l.seq
	l.byName.proc[name] = t
	l.cfg.TrackProcesses = append(l.cfg.TrackProcesses, t)
}

// trackInterfaces lowers a track_interface value block.
func (l *lowerer) trackInterfaces(n *Node, owner string, dst *[]trackIfRef) {
	for _, e := range l.entries(n) {
		ws := entryWords(e)
		name := ws[0].Text
		dup := false
		for _, t := range *dst {
			if t.Name == name {
				l.errorf(e.Pos, "(%s) duplicate track_interface %s - ignoring", owner, name)
				dup = true
			}
		}
		if dup {
			continue
		}
		t := trackIfRef{TrackInterface: config.TrackInterface{Name: name, Pos: e.Pos}, pos: e.Pos}
		if len(ws) >= 2 {
			if ws[1].Text != "weight" {
				l.errorf(ws[1].Pos, "(%s) unknown track_interface %s option %s - ignoring", owner, name, ws[1].Text)
				continue
			}
			if len(ws) == 2 {
				l.errorf(ws[1].Pos, "(%s) weight without value specified for track_interface %s - ignoring", owner, name)
				continue
			}
			v, msg := checkInt(ws[2].Text, -254, 254, true)
			switch {
			case msg != "":
				l.errorf(ws[2].Pos, "(%s) weight %s for %s must be between [-253..253] inclusive. Ignoring...", owner, ws[2].Text, name)
				v = 0
			case v == 254 || v == -254:
				l.warnf(ws[2].Pos, "(%s) weight for %s cannot be +/-254. Setting to +/-253", owner, name)
				v = v / 254 * 253
			}
			t.Weight = int(v)
			if len(ws) >= 4 {
				if ws[3].Text == "reverse" {
					t.Reverse = true
				} else {
					l.errorf(ws[3].Pos, "(%s) unknown track_interace %s weight option %s - ignoring", owner, name, ws[3].Text)
				}
			}
			if len(ws) > 4 {
				l.ourWarnf(ws[4].Pos, "extra words `%s` ignored", joinWords(ws[4:]))
			}
		}
		*dst = append(*dst, t)
	}
}

// trackRefs lowers a track_script / track_file / track_process value
// block into unresolved references (resolution: resolveTrack).
func (l *lowerer) trackRefs(n *Node, owner, kind string) []trackRef {
	var out []trackRef
	for _, e := range l.entries(n) {
		ws := entryWords(e)
		r := trackRef{name: ws[0].Text, pos: e.Pos, seq: l.seq}
		what := map[string]string{"track_script": "track script", "track_file": "track file", "track_process": "track process"}[kind]
		if len(ws) >= 2 {
			if ws[1].Text != "weight" {
				l.errorf(ws[1].Pos, "(%s) unknown %s option %s - ignoring", owner, what, ws[1].Text)
				continue
			}
			if len(ws) == 2 {
				l.errorf(ws[1].Pos, "(%s) weight without value specified for %s %s - ignoring", owner, what, r.name)
				continue
			}
			v, msg := checkInt(ws[2].Text, -254, 254, true)
			switch {
			case msg != "":
				l.errorf(ws[2].Pos, "(%s) %s %s: weight must be between [-253..253] inclusive, ignoring...", owner, what, r.name)
			case v == 254 || v == -254:
				l.warnf(ws[2].Pos, "(%s) weight for %s cannot be +/-254. Setting to +/-253", owner, r.name)
				r.weight, r.weightGiven = int(v/254*253), true
			default:
				r.weight, r.weightGiven = int(v), true
			}
			if len(ws) >= 4 {
				switch ws[3].Text {
				case "reverse":
					r.reverse, r.reverseSet = true, true
				case "noreverse":
					r.reverse, r.reverseSet = false, true
				default:
					l.errorf(ws[3].Pos, "(%s) unknown %s %s weight option %s - ignoring", owner, kind, r.name, ws[3].Text)
				}
			}
		}
		out = append(out, r)
	}
	return out
}

// trackKind names one kind of tracked object in resolveTrack's messages.
type trackKind struct {
	seqKey  string // its defSeq key prefix: "script:", "file:", "process:"
	what    string // its name in keepalived's not-found message: "track script"
	keyword string // the reference keyword, for the duplicate message
	block   string // the block that defines it, for the hints
	// defined holds every block seen, kept or not (nil: a block is never
	// removed): a name in it that is not indexed was removed.
	defined map[string]config.Pos
}

// trackDef is what resolveTrack reads from a definition.
type trackDef struct {
	name    string
	pos     config.Pos
	weight  int
	reverse bool
}

// resolveTrack resolves references to one kind of tracked object, T, found
// in index (all lists them in order, for a did-you-mean; def reads one): it
// must be defined before the reference (keepalived looks it up while
// parsing), each is tracked once, and a reference's own weight and reverse
// override the object's.
func resolveTrack[T any](l *lowerer, owner string, refs []trackRef, k trackKind, index map[string]*T, all []*T, def func(*T) trackDef) []config.TrackFileRef {
	var out []config.TrackFileRef
	seen := map[string]bool{}
	for _, r := range refs {
		t := index[r.name]
		if t == nil || l.defSeq[k.seqKey+r.name] > r.seq {
			var at config.Pos
			if t != nil {
				at = def(t).pos
			}
			_, defined := k.defined[r.name]
			var names []string
			for _, d := range all {
				names = append(names, def(d).name)
			}
			l.trackNotFound(owner, k.what, r, at, defined && t == nil, k.block, names)
			continue
		}
		if seen[r.name] {
			l.errorf(r.pos, "(%s) duplicate %s %s - ignoring", owner, k.keyword, r.name)
			continue
		}
		seen[r.name] = true
		d := def(t)
		ref := config.TrackFileRef{Name: r.name, Weight: d.weight, Reverse: d.reverse}
		if r.weightGiven {
			ref.Weight = r.weight
		}
		if r.reverseSet {
			ref.Reverse = r.reverse
		}
		out = append(out, ref)
	}
	return out
}

// resolveScripts resolves track_script references to vrrp_script blocks.
func (l *lowerer) resolveScripts(owner string, refs []trackRef) []config.TrackScript {
	k := trackKind{seqKey: "script:", what: "track script", keyword: "track_script", block: "vrrp_script", defined: l.scriptDefs}
	var out []config.TrackScript
	for _, r := range resolveTrack(l, owner, refs, k, l.byName.script, l.cfg.Scripts, func(s *config.Script) trackDef {
		return trackDef{s.Name, s.Pos, s.Weight, s.Reverse}
	}) {
		out = append(out, config.TrackScript(r))
	}
	return out
}

// resolveFiles resolves track_file references to track_file blocks.
func (l *lowerer) resolveFiles(owner string, refs []trackRef) []config.TrackFileRef {
	k := trackKind{seqKey: "file:", what: "track file", keyword: "track_file", block: "track_file"}
	return resolveTrack(l, owner, refs, k, l.byName.file, l.cfg.TrackFiles, func(t *config.TrackFile) trackDef {
		return trackDef{t.Name, t.Pos, t.Weight, t.Reverse}
	})
}

// resolveProcs resolves track_process references to vrrp_track_process
// blocks.
func (l *lowerer) resolveProcs(owner string, refs []trackRef) []config.TrackFileRef {
	k := trackKind{seqKey: "process:", what: "track process", keyword: "track_process", block: "vrrp_track_process"}
	return resolveTrack(l, owner, refs, k, l.byName.proc, l.cfg.TrackProcesses, func(t *config.TrackProcess) trackDef {
		return trackDef{t.Name, t.Pos, t.Weight, t.Reverse}
	})
}

// trackNotFound reports a reference keepalived ignores (the instance runs
// without that tracker), as a warning: for a later definition (order
// matters to keepalived), a removed object (a vrrp_script without
// `script`, whose cause is reported where it is), or an object defined
// nowhere (with a did-you-mean). keepalived's -t counts it (exit 5).
func (l *lowerer) trackNotFound(owner, what string, r trackRef, laterAt config.Pos, removed bool, block string, names []string) {
	msg := "(" + owner + ") " + what + " " + r.name + " not found, ignoring..."
	switch {
	case laterAt != (config.Pos{}):
		l.warnf(r.pos, "%s (%s %s is defined at %s, after this reference: keepalived only sees objects defined before they are used, so it is not tracked; move the %s block up)", msg, block, r.name, laterAt, block)
		return
	case removed:
		l.warnf(r.pos, "%s (%s %s was removed: it has no script)", msg, block, r.name)
		return
	}
	best, bestD := "", 3
	for _, n := range names {
		if d := editDistance(r.name, n); d < bestD {
			best, bestD = n, d
		}
	}
	if best != "" {
		msg += "; did you mean `" + best + "`?"
	} else {
		msg += " (no " + block + " " + r.name + " is defined)"
	}
	l.warnf(r.pos, "%s", msg)
}

// groupCtx is a vrrp_sync_group while it is lowered.
type groupCtx struct {
	g        *config.SyncGroup
	node     *Node
	members  []Word
	groupSet bool
	trackIfs []trackIfRef
	scripts  []trackRef
	files    []trackRef
	procs    []trackRef
	smtp     *bool
	notifyPC *bool
}

var syncGroupBlocks = map[string]bool{"group": true, "track_interface": true, "track_script": true,
	"track_file": true, "track_process": true, "track_bfd": true}

// lowerSyncGroup lowers a vrrp_sync_group block; members are resolved at
// the end (they may be defined later).
func (l *lowerer) lowerSyncGroup(n *Node) {
	if len(n.Args) != 1 {
		l.errorf(n.Pos, "vrrp_sync_group must have a name - skipping")
		return
	}
	name := n.Args[0].Text
	if !l.needBlock(n) {
		return
	}
	for _, gc := range l.groups {
		if gc.g.Name == name {
			l.errorf(n.Args[0].Pos, "vrrp sync group %s already defined", name)
			return
		}
	}
	gc := &groupCtx{g: &config.SyncGroup{Pos: n.Pos, Name: name}, node: n}
	who := "vrrp group " + name + ":"
	for _, e := range n.Block.Nodes {
		if e == nil {
			continue
		}
		if !isKeyword(ctxSyncGroup, e.Keyword) {
			if l.instNames[e.Keyword] && len(e.Args) == 0 && e.Block == nil {
				l.errorf(e.Pos, "unknown keyword `%s` in vrrp_sync_group (instance names belong inside `group { ... }`)", e.Keyword)
				continue
			}
			l.unknown(e, ctxSyncGroup)
			continue
		}
		if syncGroupBlocks[e.Keyword] {
			l.extra(e, 0, ctxSyncGroup)
			if !l.needBlock(e) {
				continue
			}
		} else {
			l.noBlock(e)
		}
		switch e.Keyword {
		case "group":
			if gc.groupSet {
				l.errorf(e.Pos, "Group list already specified for sync group %s", name)
				continue
			}
			gc.groupSet = true
			ents := l.entries(e)
			if len(ents) == 0 {
				l.errorf(e.Pos, "Warning - sync group %s has empty group block", name)
			}
			for _, m := range ents {
				gc.members = append(gc.members, entryWords(m)...)
			}
		case "track_interface":
			l.trackInterfaces(e, name, &gc.trackIfs)
		case "track_script":
			gc.scripts = append(gc.scripts, l.trackRefs(e, name, "track_script")...)
		case "track_file":
			gc.files = append(gc.files, l.trackRefs(e, name, "track_file")...)
		case "track_process":
			gc.procs = append(gc.procs, l.trackRefs(e, name, "track_process")...)
		case "track_bfd":
			l.trackBFD(e, name)
			l.cfg.Raw = append(l.cfg.Raw, l.raw(e))
			l.noticef(e.Pos, "(%s) track_bfd is accepted but not run (BFD is not part of keepalived-go)", name)
		case "notify_backup", "notify_master", "notify_fault", "notify_stop", "notify":
			l.notify(e, who, &gc.g.Notify)
		case "smtp_alert":
			if v, ok := l.optBool(e, "Invalid vrrp_group smtp_alert parameter %s", argText(e, 0)); ok {
				gc.smtp = &v
			}
		case "global_tracking":
			l.warnf(e.Pos, "(%s) global_tracking is deprecated. Use track_interface/script/file on the sync group", name)
			gc.g.SyncGroupTrackingWeight = true
		case "sync_group_tracking_weight":
			gc.g.SyncGroupTrackingWeight = true
		case "notify_priority_changes":
			if v, ok := l.optBool(e, "(%s) Invalid value '%s' for sync group notify_priority_changes specified", name, argText(e, 0)); ok {
				gc.notifyPC = &v
			}
		}
	}
	for _, t := range gc.trackIfs {
		gc.g.TrackInterfaces = append(gc.g.TrackInterfaces, t.TrackInterface)
	}
	l.groups = append(l.groups, gc)
}

// lowerGarpGroup lowers a garp_group block.
func (l *lowerer) lowerGarpGroup(n *Node) {
	l.extra(n, 0, ctxRoot)
	if !l.needBlock(n) {
		return
	}
	gg := config.GarpGroup{Pos: n.Pos}
	defer func() { l.garpGroups++ }()
	for e := range l.known(n.Block.Nodes, ctxGarpGroup) {
		switch e.Keyword {
		case "garp_interval", "gna_interval":
			l.noBlock(e)
			if !l.need(e, 1) {
				continue
			}
			d, ok := l.decimalArgMsg(e, 0, 0, 1<<32-1, "garp_group %s '%s' invalid", e.Keyword, e.Args[0].Text)
			if !ok {
				continue
			}
			if e.Keyword == "garp_interval" {
				gg.GarpInterval = d
			} else {
				gg.GnaInterval = d
			}
		case "interface":
			l.noBlock(e)
			if !l.need(e, 1) {
				continue
			}
			gg.Interfaces = append(gg.Interfaces, e.Args[0].Text)
		case "interfaces":
			if !l.needBlock(e) {
				continue
			}
			ents := l.entries(e)
			if len(ents) == 0 {
				l.warnf(e.Pos, "Warning - empty garp_group interfaces block")
			}
			for _, x := range ents {
				for _, w := range entryWords(x) {
					gg.Interfaces = append(gg.Interfaces, w.Text)
				}
			}
		}
	}
	if gg.GarpInterval == 0 && gg.GnaInterval == 0 {
		l.errorf(n.Pos, "garp group %d does not have any delay set - removing", l.garpGroups)
		return
	}
	l.cfg.GarpGroups = append(l.cfg.GarpGroups, gg)
}

package parser

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/keepalived-go/keepalived/config"
)

// The preprocessor turns files into keepalived's logical lines, following
// lib/parser.c read_line(): physical lines are de-commented; `@id` lines
// are kept or dropped; `$NAME=` lines define parameters; ~SEQ / ~LST lines
// repeat their text; `$NAME` references are replaced; include lines splice
// in files; and `{` / `}` outside double quotes are split off into lines of
// their own. Every byte keeps its source position throughout.

// limits bound the work one configuration can cause, so that no input
// hangs the parser. Tests and the fuzzer lower them.
type limits struct {
	includeDepth  int   // files open at once (main file included)
	substitutions int   // replacements on one logical line
	lineBytes     int   // length of a line after substitution
	lines         int   // logical lines produced in total
	sourceDepth   int   // nested ~SEQ / ~LST / multi-line replays
	blockDepth    int   // nested { } blocks
	fileBytes     int64 // size of one file
	expandedBytes int   // bytes produced by substitution in total
	noIncludes    bool  // the fuzzer keeps to its input
}

var defaultLimits = limits{
	includeDepth:  32,
	substitutions: 100000,
	lineBytes:     16 << 20,
	lines:         1 << 20,
	sourceDepth:   256,
	blockDepth:    256,
	fileBytes:     64 << 20,
	expandedBytes: 64 << 20,
}

// maxRechecks bounds how often one line is substituted again because a `$`
// or a leading `@` remains (keepalived stops at its 1024-byte line limit).
const maxRechecks = 64

// keepalivedMaxLine is keepalived's MAXBUF: it reads lines with a 1024-byte
// buffer, so a longer line is split into several logical lines.
const keepalivedMaxLine = 1024

// lineKind tells a logical line from a brace.
type lineKind int

const (
	kindWords lineKind = iota + 1
	kindOpen
	kindClose
)

// logical is one logical line as the grammar sees it.
type logical struct {
	kind  lineKind
	raw   pline // the text (for kindWords)
	words []Word
}

// source produces raw lines for the preprocessor; sources form a stack.
type source interface {
	// next returns the next line; blank reports an empty physical line
	// (which ends a multi-line definition); ok is false when exhausted.
	next(p *preprocessor) (l pline, blank, ok bool)
}

type preprocessor struct {
	opts     Options
	lim      limits
	configID string
	cwd      string // the process's working directory, absolute
	rng      *rand.Rand

	diags config.Diagnostics
	files []string // every file read, in order

	defs    map[string]*definition
	collect *definition // multi-line definition being read

	stack   []source
	residue *pline // the rest of a line after a split-off brace

	includeCheck includeFlags
	curPos       config.Pos // position of the line being handled

	// brace context, to interpret include_check / random_seed in global_defs
	blockKw  []string
	lastKw   string
	produced int
	steps    int // lines handled + replacements made, against runaway expansion
	expanded int // bytes produced by substitution
	stopped  bool
	out      []logical
	wordSlab []Word
	// chunkFn receives the lines emitted so far, in chunks that end before
	// a top-level statement (nil: everything stays in out only).
	chunkFn    func([]logical)
	chunkStart int
	openFiles  []*fileSource
}

func newPreprocessor(opts Options, lim limits) *preprocessor {
	p := &preprocessor{opts: opts, lim: lim}
	p.configID = opts.ConfigID
	if p.configID == "" {
		p.configID = DefaultConfigID()
	}
	if wd, err := os.Getwd(); err == nil {
		p.cwd = wd
	}
	seed := uint64(time.Now().UnixNano())
	if opts.randomSeed != 0 {
		seed = opts.randomSeed
	}
	p.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	if opts.AllConfig {
		p.includeCheck = includeAll
	}
	p.setStdDefinitions()
	return p
}

// DefaultConfigID is keepalived's default config-id: the host name up to
// its first '.'.
func DefaultConfigID() string {
	h, err := os.Hostname()
	if err != nil {
		return ""
	}
	h, _, _ = strings.Cut(h, ".")
	return h
}

// absCurdir is ${_PWD}: the directory keepalived would have chdir()ed to.
func (p *preprocessor) absCurdir() string {
	dir := p.curdir()
	if filepath.IsAbs(dir) {
		return dir
	}
	return filepath.Join(p.cwd, dir)
}

// curdir is the directory relative includes resolve against: that of the
// innermost open file whose name has a '/', else the working directory.
func (p *preprocessor) curdir() string {
	if n := len(p.openFiles); n > 0 {
		return p.openFiles[n-1].dir
	}
	return "."
}

func (p *preprocessor) report(pos config.Pos, sev config.Severity, class config.Class, format string, args ...any) {
	p.diags = append(p.diags, config.Diagnostic{Pos: pos, Severity: sev, Class: class, Msg: fmt.Sprintf(format, args...)})
}

// errorf: a mistake keepalived reports (its -t exits 5).
func (p *preprocessor) errorf(pos config.Pos, format string, args ...any) {
	p.report(pos, config.Error, config.ClassGeneral, format, args...)
}

// warn: something keepalived only logs, or does silently (no -t class).
func (p *preprocessor) warn(pos config.Pos, format string, args ...any) {
	p.report(pos, config.Warning, config.ClassNone, format, args...)
}

// run reads every source to its end.
func (p *preprocessor) run() {
	for !p.stopped {
		if p.residue != nil {
			l := *p.residue
			p.residue = nil
			p.handle(l, true)
			continue
		}
		l, blank, ok := p.nextRaw()
		if !ok {
			break
		}
		if p.collect != nil {
			p.collectLine(l.text, blank)
			continue
		}
		if blank || l.text == "" {
			continue
		}
		p.handle(l, false)
	}
	if p.collect != nil {
		p.endCollect()
	}
}

// nextRaw returns the next line of the innermost source.
func (p *preprocessor) nextRaw() (pline, bool, bool) {
	for len(p.stack) > 0 {
		top := p.stack[len(p.stack)-1]
		l, blank, ok := top.next(p)
		if ok {
			return l, blank, true
		}
		// next() may have pushed a source (an include opening its next
		// file); only pop when top is still on top.
		if p.stack[len(p.stack)-1] == top {
			p.stack = p.stack[:len(p.stack)-1]
		}
	}
	return pline{}, false, false
}

func (p *preprocessor) push(s source) bool {
	if len(p.stack) >= p.lim.sourceDepth {
		p.errorf(p.curPos, "~SEQ, ~LST, multi-line definitions and includes nested deeper than %d: line ignored", p.lim.sourceDepth)
		return false
	}
	p.stack = append(p.stack, s)
	return true
}

// handle processes one raw line (read_line after the line is read).
// settled marks the residue of a line already substituted.
func (p *preprocessor) handle(l pline, settled bool) {
	p.curPos = l.posAt(0)
	if p.step(1) {
		return
	}
	var replays []replay
	substituted := false
	for iter := 0; ; iter++ {
		if iter > maxRechecks {
			p.errorf(l.posAt(0), "parameter substitution does not terminate: line ignored")
			return
		}
		s := l.text
		if s == "" {
			return
		}
		if s[0] == '@' {
			var keep bool
			l, keep = p.configIDLine(l)
			if !keep {
				return
			}
			s = l.text
		}
		if s[0] == '$' && p.checkDefinition(s) {
			return
		}
		if strings.HasPrefix(s, "~SEQ") || strings.HasPrefix(s, "~LST") {
			if s[1] == 'S' {
				p.addSeq(l)
			} else {
				p.addLst(l)
			}
			return
		}
		if s[0] == '~' || settled || strings.IndexByte(s, '$') < 0 {
			break
		}
		nl, changed, reps, err := p.substitute(l)
		if err != nil {
			p.errorf(l.posAt(strings.IndexByte(s, '$')), "%v: line ignored", err)
			return
		}
		if !changed {
			break
		}
		substituted = true
		p.expanded += len(nl.text)
		if p.expanded > p.lim.expandedBytes {
			p.errorf(l.posAt(0), "parameter substitution produces more than %d bytes in total: reading stopped", p.lim.expandedBytes)
			p.stopped = true
			return
		}
		replays = append(replays, reps...)
		l = p.decommentAgain(nl)
		if l.text == "" {
			break
		}
		if l.text[0] == '@' || strings.IndexByte(l.text, '$') >= 0 {
			continue
		}
		break
	}
	if substituted && len(l.text) >= keepalivedMaxLine {
		// Physical lines are checked when read.
		p.warn(l.posAt(0), "line is %d bytes long after parameter substitution: keepalived 2.2.7 gives up substituting at %d bytes", len(l.text), keepalivedMaxLine)
	}
	if l.text != "" {
		if !p.checkInclude(l) {
			p.splitBraces(l)
		}
	}
	// The rest of multi-line definitions is read before anything else
	// (keepalived's next_ptr); the last one referenced comes first.
	for _, r := range replays {
		if !p.push(&replaySource{lines: r.lines, pos: r.pos}) {
			break
		}
	}
}

// step counts work; past the budget it stops reading with one finding.
func (p *preprocessor) step(n int) bool {
	p.steps += n
	if p.steps > p.lim.lines*2 && !p.stopped {
		p.errorf(p.curPos, "configuration expands without end (definitions, ~SEQ or ~LST producing more than %d lines of work): reading stopped", p.lim.lines*2)
		p.stopped = true
	}
	return p.stopped
}

// decommentAgain de-comments a substituted line (keepalived does, so a `#`
// brought in by a value starts a comment) and reports a broken quote.
func (p *preprocessor) decommentAgain(l pline) pline {
	out, res := decomment(l)
	if res.unterminated {
		p.errorf(l.posAt(res.quotePos), "Unterminated quote '%s'", res.quoteText)
	}
	return out
}

// configIDLine handles `@ID rest` and `@^ID rest`.
func (p *preprocessor) configIDLine(l pline) (pline, bool) {
	s := l.text
	rev := len(s) > 1 && s[1] == '^'
	ofs := 1
	if rev {
		ofs = 2
	}
	sp := strings.IndexAny(s[ofs:], " \t")
	if sp < 0 {
		return pline{}, false // nothing after the id
	}
	id := s[ofs : ofs+sp]
	if (id == p.configID) == rev {
		return pline{}, false
	}
	rest := ofs + sp
	for rest < len(s) && isBlank(s[rest]) {
		rest++
	}
	return l.slice(rest, len(s)), true
}

// splitBraces emits l as logical lines, a `{` or `}` outside double quotes
// splitting it (only the first brace is split here; the rest of the line
// is handled again as a residue, as keepalived does).
func (p *preprocessor) splitBraces(l pline) {
	s := l.text
	at := -1
	if s[0] == '{' || s[0] == '}' {
		at = 0
	} else {
		i := 0
		for i < len(s) {
			j := strings.IndexAny(s[i:], "{}\"")
			if j < 0 {
				break
			}
			i += j
			if s[i] != '"' {
				at = i
				break
			}
			k := strings.IndexByte(s[i+1:], '"')
			if k < 0 {
				break // unterminated quote: no split
			}
			i += 1 + k + 1
		}
	}
	if at < 0 {
		p.emitWords(l.trimBlanks())
		return
	}
	var head, rest pline
	if at == 0 {
		head = l.slice(0, 1)
		r := 1
		for r < len(s) && isBlank(s[r]) {
			r++
		}
		rest = l.slice(r, len(s)).trimBlanks()
	} else {
		head = l.slice(0, at).trimBlanks()
		rest = l.slice(at, len(s)).trimBlanks()
	}
	if at == 0 {
		if s[0] == '{' {
			p.emit(logical{kind: kindOpen, raw: head})
		} else {
			p.emit(logical{kind: kindClose, raw: head})
		}
	} else if head.text != "" {
		p.emitWords(head)
	}
	if rest.text != "" {
		p.residue = &rest
	}
}

func (p *preprocessor) emitWords(l pline) {
	if l.text == "" {
		return
	}
	words := p.splitWords(l)
	if len(words) == 0 {
		return
	}
	p.emit(logical{kind: kindWords, raw: l, words: words})
}

func (p *preprocessor) emit(lg logical) {
	p.produced++
	if p.produced > p.lim.lines {
		if !p.stopped {
			p.errorf(lg.raw.posAt(0), "configuration expands to more than %d lines: reading stopped", p.lim.lines)
		}
		p.stopped = true
		return
	}
	switch lg.kind {
	case kindOpen:
		p.blockKw = append(p.blockKw, p.lastKw)
		p.lastKw = ""
	case kindClose:
		if n := len(p.blockKw); n > 0 {
			p.blockKw = p.blockKw[:n-1]
		}
		p.lastKw = ""
	case kindWords:
		if len(p.blockKw) == 0 && len(p.out)-p.chunkStart >= chunkLines {
			p.flushChunk()
		}
		p.lastKw = lg.words[0].Text
		if len(p.blockKw) == 1 && p.blockKw[0] == "global_defs" {
			switch p.lastKw {
			case "include_check":
				p.includeCheckSet(lg.words[1:])
			case "random_seed":
				if len(lg.words) > 1 {
					var seed uint64
					if _, err := fmt.Sscan(lg.words[1].Text, &seed); err == nil {
						p.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
					}
				}
			}
		}
	}
	p.out = append(p.out, lg)
}

// chunkLines is the least number of lines handed to the grammar at once.
const chunkLines = 512

// flushChunk hands the lines not yet handed over to chunkFn. A chunk only
// ends at the top level before a line of words, so it never splits a
// statement from its block (which must follow its line directly).
func (p *preprocessor) flushChunk() {
	if p.chunkFn == nil || len(p.out) == p.chunkStart {
		return
	}
	p.chunkFn(p.out[p.chunkStart:len(p.out):len(p.out)])
	p.chunkStart = len(p.out)
}

// splitWords is keepalived's alloc_strvec_r: words split on white space;
// a word starting with `"` runs to the next `"` (quotes removed, blanks
// kept); a `"` inside a word ends it. Single quotes are ordinary.
func (p *preprocessor) splitWords(l pline) []Word {
	s := l.text
	n := 1
	for i := 1; i < len(s); i++ {
		if isSpace(s[i]) && !isSpace(s[i-1]) {
			n++
		}
	}
	// words come from a shared slab: one allocation per few thousand
	if cap(p.wordSlab)-len(p.wordSlab) < n {
		p.wordSlab = make([]Word, 0, max(4096, n))
	}
	start := len(p.wordSlab)
	words := p.appendWords(p.wordSlab[start:start:start+n], l)
	p.wordSlab = p.wordSlab[:start+min(len(words), n)]
	return words[:len(words):len(words)] // appending must not reach the next line's words
}

// appendWords appends the words of l to words (alloc_strvec_r's rules).
func (p *preprocessor) appendWords(words []Word, l pline) []Word {
	s := l.text
	i := 0
	for {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i >= len(s) {
			break
		}
		start := i
		if s[i] == '"' {
			k := strings.IndexByte(s[i+1:], '"')
			if k < 0 {
				p.errorf(l.posAt(i), "Unmatched quote: '%s'", s)
				break
			}
			words = append(words, Word{Text: s[i+1 : i+1+k], Pos: l.posAt(start), Quoted: true})
			i += k + 2
			continue
		}
		for i < len(s) && !isSpace(s[i]) && s[i] != '"' {
			i++
		}
		words = append(words, Word{Text: s[start:i], Pos: l.posAt(start)})
	}
	return words
}

package parser

import (
	"bytes"
	"os"
	"strconv"
	"strings"

	"github.com/keepalived-go/keepalived/config"
)

// definition is one `$NAME=VALUE` parameter (lib/parser.c def_t).
type definition struct {
	name string
	// value of a one-line definition; for a multi-line one its lines
	// joined with '\n'.
	value     string
	multiline bool
	// fn computes the value of a predefined dynamic name at use time.
	fn        func(params string) string
	maxParams int
	// words: the parameters may be words, not only numbers, and exactly
	// maxParams of them are needed (keepalived 2.4's ${_ENV NAME}).
	words bool
}

// setStdDefinitions installs keepalived's predefined names.
func (p *preprocessor) setStdDefinitions() {
	p.defs = map[string]*definition{
		"_PWD":      {name: "_PWD", fn: func(string) string { return p.absCurdir() }},
		"_INSTANCE": {name: "_INSTANCE", fn: func(string) string { return p.configID }},
		"_RANDOM":   {name: "_RANDOM", fn: p.random, maxParams: 2},
		// keepalived 2.4.0: ${_ENV NAME} is the environment variable NAME
		// ("" when unset); keepalived 2.2.7 leaves the text as it is.
		"_ENV":  {name: "_ENV", fn: os.Getenv, maxParams: 1, words: true},
		"_HASH": {name: "_HASH", value: "#"},
		"_BANG": {name: "_BANG", value: "!"},
	}
}

// random is ${_RANDOM [MIN [MAX]]}: an integer in [MIN, MAX], by default
// [0, 32767].
func (p *preprocessor) random(params string) string {
	lo, hi := uint64(0), uint64(32767)
	f := strings.Fields(params)
	if len(f) > 0 {
		lo, _ = strconv.ParseUint(f[0], 10, 64)
	}
	if len(f) > 1 {
		hi, _ = strconv.ParseUint(f[1], 10, 64)
	}
	if len(f) > 2 {
		p.warn(p.curPos, "Too many parameters or extra text for ${_RANDOM %s}", params)
	}
	if hi < lo {
		// keepalived computes random() % (hi-lo+1): nonsense or a crash.
		lo, hi = hi, lo
	}
	span := hi - lo + 1
	var v uint64
	if span == 0 { // the whole uint64 range
		v = p.rng.Uint64()
	} else {
		v = lo + p.rng.Uint64N(span)
	}
	return strconv.FormatUint(v, 10)
}

// setDefinition sets NAME to a one-line value (as ~SEQ and ~LST do).
func (p *preprocessor) setDefinition(name, value string) {
	p.defs[name] = &definition{name: name, value: value}
}

// checkDefinition recognises `$NAME=VALUE` (no blank before '='; blanks
// after it skipped). A VALUE ending in `\` starts a multi-line definition,
// collected by p.collect.
func (p *preprocessor) checkDefinition(s string) bool {
	if len(s) < 2 || s[0] != '$' || !(isAlpha(s[1]) || s[1] == '_') {
		return false
	}
	i := 2
	for i < len(s) && s[i] != '=' {
		if !isAlnum(s[i]) && s[i] != '_' {
			return false
		}
		i++
	}
	if i >= len(s) {
		return false
	}
	name := s[1:i]
	v := s[i+1:]
	for len(v) > 0 && isBlank(v[0]) {
		v = v[1:]
	}
	d := &definition{name: name}
	if strings.HasSuffix(v, `\`) {
		v = strings.TrimRight(v[:len(v)-1], " \t")
		if v == "" {
			d.value = ""
		} else {
			d.value = v + "\n"
		}
		d.multiline = true
		p.collect = d
	} else {
		d.value = v
	}
	p.defs[name] = d
	return true
}

// collectLine adds one line to the multi-line definition being read.
// blank is a physical line that was empty: it ends the definition.
func (p *preprocessor) collectLine(s string, blank bool) {
	d := p.collect
	if blank {
		p.endCollect()
		return
	}
	more := strings.HasSuffix(s, `\`)
	if more {
		s = strings.TrimRight(s[:len(s)-1], " \t") + "\n"
	}
	if len(s) >= 2 || (len(s) > 0 && !more) {
		d.value += s
	}
	if !more {
		p.endCollect()
	}
}

func (p *preprocessor) endCollect() {
	d := p.collect
	p.collect = nil
	if d.value == "" {
		d.multiline = false
	}
	// a multi-line value never ends in its separator
	d.value = strings.TrimSuffix(d.value, "\n")
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlnum(c byte) bool { return isAlpha(c) || isDigit(c) }

// run is a stretch of todo bytes with one position rule (see span).
type run struct {
	n     int
	pos   config.Pos
	fixed bool
}

// todoStack holds the text still to be scanned by substitute, reversed so
// that putting a replacement in front of the rest costs only its length.
type todoStack struct {
	b    []byte
	runs []run
}

func (t *todoStack) pushLine(l pline) {
	for i := len(l.text) - 1; i >= 0; i-- {
		t.b = append(t.b, l.text[i])
	}
	end := len(l.text)
	spans := l.spanList()
	for k := len(spans) - 1; k >= 0; k-- {
		sp := spans[k]
		if n := end - sp.off; n > 0 {
			t.runs = append(t.runs, run{n: n, pos: sp.pos, fixed: sp.fixed})
		}
		end = sp.off
	}
}

func (t *todoStack) pushFixed(s string, pos config.Pos) {
	if s == "" {
		return
	}
	for i := len(s) - 1; i >= 0; i-- {
		t.b = append(t.b, s[i])
	}
	t.runs = append(t.runs, run{n: len(s), pos: pos, fixed: true})
}

func (t *todoStack) len() int { return len(t.b) }

// at is the k-th next byte (0 = next), or 0 past the end.
func (t *todoStack) at(k int) byte {
	if k >= len(t.b) {
		return 0
	}
	return t.b[len(t.b)-1-k]
}

func (t *todoStack) nextPos() config.Pos { return t.runs[len(t.runs)-1].pos }

// indexByte is the k of the next c, or -1.
func (t *todoStack) indexByte(c byte) int {
	i := bytes.LastIndexByte(t.b, c)
	if i < 0 {
		return -1
	}
	return len(t.b) - 1 - i
}

// move transfers the next n bytes to b (or drops them when b is nil).
func (t *todoStack) move(b *plineBuilder, n int) {
	for n > 0 {
		r := &t.runs[len(t.runs)-1]
		m := min(n, r.n)
		if b != nil {
			b.addSpan(r.pos, r.fixed)
			top := len(t.b)
			for k := 1; k <= m; k++ {
				b.buf = append(b.buf, t.b[top-k])
			}
		}
		t.b = t.b[:len(t.b)-m]
		if !r.fixed {
			r.pos.Col += m
		}
		r.n -= m
		if r.n == 0 {
			t.runs = t.runs[:len(t.runs)-1]
		}
		n -= m
	}
}

// replay is the rest of a multi-line definition referenced on a line: its
// lines are read next, each reporting the position of the reference.
type replay struct {
	lines []string
	pos   config.Pos
}

// ref is a `$NAME` / `${NAME}` / `${NAME params}` found at the head of todo.
type ref struct {
	def    *definition
	params string
	n      int // bytes of the reference, `$` included
}

// findRef applies find_definition's rules to the reference starting with
// the `$` at the head of t.
func (p *preprocessor) findRef(t *todoStack) (ref, bool) {
	braces := t.at(1) == '{'
	i := 1
	if braces {
		i = 2
	}
	if c := t.at(i); !(isAlpha(c) || c == '_') {
		return ref{}, false
	}
	j := i + 1
	for j < t.len() && (isAlnum(t.at(j)) || t.at(j) == '_') {
		j++
	}
	nameBytes := make([]byte, 0, j-i)
	for k := i; k < j; k++ {
		nameBytes = append(nameBytes, t.at(k))
	}
	name := string(nameBytes)
	params := ""
	end := j // bytes consumed
	if braces {
		ps, pe := -1, -1
		numeric, tab := true, false
		for j < t.len() && (t.at(j) == ' ' || t.at(j) == '\t' || isAlnum(t.at(j)) || t.at(j) == '_') {
			if c := t.at(j); c == '\t' {
				tab = true
			} else if c != ' ' && !isDigit(c) {
				numeric = false
			}
			if t.at(j) != ' ' && t.at(j) != '\t' {
				if ps < 0 {
					ps = j
				}
				pe = j
			}
			j++
		}
		if ps >= 0 && pe+1 != j {
			return ref{}, false
		}
		if ps < 0 && j != end {
			return ref{}, false // `${NAME }`: not a reference
		}
		if t.at(j) != '}' || j >= t.len() {
			return ref{}, false
		}
		if ps >= 0 {
			pb := make([]byte, 0, pe-ps+1)
			for k := ps; k <= pe; k++ {
				pb = append(pb, t.at(k))
			}
			params = string(pb)
		}
		if d := p.defs[name]; (!numeric || tab) && (d == nil || !d.words) {
			return ref{}, false // keepalived 2.2.7 reads only numbers here
		}
		end = j + 1
	} else if j < t.len() {
		if c := t.at(j); c != ' ' && c != '\t' && c != ',' && c != ')' {
			return ref{}, false
		}
	}
	d, ok := p.defs[name]
	if !ok {
		return ref{}, false
	}
	if d.multiline && end != t.len() {
		return ref{}, false
	}
	if d.words {
		if n := len(strings.Fields(params)); n != d.maxParams {
			p.report(t.nextPos(), config.Warning, config.ClassGeneral, "Definition %s requires between %d and %d parameters, %d specified.", name, d.maxParams, d.maxParams, n)
			return ref{}, false
		}
	}
	if params != "" && d.maxParams == 0 {
		return ref{}, false
	}
	return ref{def: d, params: params, n: end}, true
}

// errSubst is why a substitution was abandoned.
type errSubst string

func (e errSubst) Error() string { return string(e) }

// substitute is keepalived's replace_param: every `$NAME` reference that
// names a definition is replaced by its value, and the replacement is
// scanned again (so definitions may refer to others). A multi-line
// definition referenced at the end of the line contributes its first line
// here and its other lines as a replay. Scanning stops after a value that
// starts with `~` (a ~SEQ / ~LST line built from a definition).
func (p *preprocessor) substitute(l pline) (pline, bool, []replay, error) {
	var t todoStack
	t.pushLine(l)
	var b plineBuilder
	b.grow(len(l.text))
	changed := false
	var replays []replay
	count := 0
	for {
		k := t.indexByte('$')
		if k < 0 || k+1 >= t.len() {
			t.move(&b, t.len())
			break
		}
		t.move(&b, k)
		r, ok := p.findRef(&t)
		if !ok {
			t.move(&b, 1)
			continue
		}
		count++
		if p.step(1) {
			return l, false, nil, errSubst("configuration expands without end")
		}
		if count > p.lim.substitutions {
			return l, false, nil, errSubst("parameter substitution does not terminate (more than " + strconv.Itoa(p.lim.substitutions) + " replacements on one line)")
		}
		pos := t.nextPos()
		t.move(nil, r.n)
		changed = true
		d := r.def
		val := d.value
		if d.fn != nil {
			p.curPos = pos
			val = d.fn(r.params)
		}
		if d.multiline {
			first, rest, _ := strings.Cut(val, "\n")
			val = first
			if rest != "" {
				replays = append(replays, replay{lines: strings.Split(rest, "\n"), pos: pos})
			}
		}
		if len(b.buf)+t.len()+len(val) > p.lim.lineBytes {
			return l, false, nil, errSubst("parameter substitution makes the line longer than " + strconv.Itoa(p.lim.lineBytes) + " bytes")
		}
		t.pushFixed(val, pos)
		if strings.TrimLeft(val, " \t") != "" && strings.TrimLeft(val, " \t")[0] == '~' {
			t.move(&b, t.len())
			break
		}
	}
	if !changed {
		return l, false, nil, nil
	}
	return b.line(), true, replays, nil
}

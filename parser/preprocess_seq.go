package parser

import (
	"math"
	"strconv"
	"strings"

	"github.com/keepalived-go/keepalived/config"
)

// ~SEQ(VAR, [START, [STEP,]] END) TEXT and ~LST(VAR, V1, V2, ...) TEXT /
// ~LST({A,B}, {1,2}, {3,4}) TEXT repeat TEXT with VAR defined to each
// value in turn (lib/parser.c add_seq, add_lst). TEXT is one logical line
// and may itself start with ~SEQ / ~LST (the outer loop runs first).

// seqSource yields the text of a ~SEQ once per value.
type seqSource struct {
	varName         string
	cur, step, last int64
	hex             bool
	done            bool
	text            pline
}

func (s *seqSource) next(p *preprocessor) (pline, bool, bool) {
	if s.done {
		return pline{}, false, false
	}
	var v string
	if s.hex {
		v = strconv.FormatUint(uint64(s.cur), 16)
	} else {
		v = strconv.FormatInt(s.cur, 10)
	}
	p.setDefinition(s.varName, v)
	n := s.cur + s.step
	if (s.step > 0 && (n > s.last || n < s.cur)) || (s.step < 0 && (n < s.last || n > s.cur)) {
		s.done = true
	}
	s.cur = n
	return s.text, false, true
}

// lstSource yields the text of a ~LST once per value set.
type lstSource struct {
	vars []string
	sets [][]string
	idx  int
	text pline
}

func (s *lstSource) next(p *preprocessor) (pline, bool, bool) {
	if s.idx >= len(s.sets) {
		return pline{}, false, false
	}
	for i, name := range s.vars {
		p.setDefinition(name, s.sets[s.idx][i])
	}
	s.idx++
	return s.text, false, true
}

// replaySource yields the remaining lines of a multi-line definition.
type replaySource struct {
	lines []string
	pos   config.Pos
	idx   int
}

func (r *replaySource) next(p *preprocessor) (pline, bool, bool) {
	for r.idx < len(r.lines) {
		s := r.lines[r.idx]
		r.idx++
		if s == "" {
			continue
		}
		return fixedLine(s, r.pos), false, true
	}
	return pline{}, false, false
}

// strtol is C's strtol(s, &end, 0) from offset i: blanks, a sign, then a
// decimal, 0x hex or 0 octal number; it returns the value and the offset
// after it (i itself when there is no number). Overflow saturates.
func strtol(s string, i int) (int64, int) {
	start := i
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	base := uint64(10)
	if i+1 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') && i+2 < len(s) && isHex(s[i+2]) {
		base = 16
		i += 2
	} else if i < len(s) && s[i] == '0' {
		base = 8
	}
	digits := i
	var v uint64
	over := false
	for i < len(s) {
		d, ok := digitVal(s[i])
		if !ok || d >= base {
			break
		}
		if v > (math.MaxUint64-d)/base {
			over = true
		} else {
			v = v*base + d
		}
		i++
	}
	if i == digits {
		return 0, start
	}
	if neg {
		if over || v > 1<<63 {
			return math.MinInt64, i
		}
		return -int64(v), i
	}
	if over || v > math.MaxInt64 {
		return math.MaxInt64, i
	}
	return int64(v), i
}

func isHex(c byte) bool { _, ok := digitVal(c); return ok }

func digitVal(c byte) (uint64, bool) {
	switch {
	case c >= '0' && c <= '9':
		return uint64(c - '0'), true
	case c >= 'a' && c <= 'f':
		return uint64(c-'a') + 10, true
	case c >= 'A' && c <= 'F':
		return uint64(c-'A') + 10, true
	}
	return 0, false
}

func skipBlanks(s string, i int) int {
	for i < len(s) && isBlank(s[i]) {
		i++
	}
	return i
}

// addSeq handles a line starting with ~SEQ.
func (p *preprocessor) addSeq(l pline) {
	s := l.text
	pos := l.posAt(0)
	bad := func(format string) {
		p.errorf(pos, format, s)
	}
	i := 4
	hex := false
	if i < len(s) && s[i] == 'x' {
		hex = true
		i++
	}
	i = skipBlanks(s, i)
	if i >= len(s) || s[i] != '(' {
		bad("Invalid ~SEQ specification '%s'")
		return
	}
	i = skipBlanks(s, i+1)
	varStart := i
	for i < len(s) && strings.IndexByte(" \t,)", s[i]) < 0 {
		i++
	}
	varName := s[varStart:i]
	i = skipBlanks(s, i)
	if i >= len(s) || s[i] == ')' || varName == "" {
		bad("Invalid ~SEQ definition '%s'")
		return
	}
	i = skipBlanks(s, i+1) // keepalived skips the separator unchecked
	closeAt := strings.IndexByte(s[i:], ')')
	if closeAt < 0 {
		bad("Invalid ~SEQ definition '%s'")
		return
	}
	closeAt += i
	if closeAt+1-i+1 > 64 {
		bad("~SEQ parameter strings too long '%s'")
		return
	}
	params := l.slice(i, closeAt+1)
	if strings.IndexByte(params.text, '$') >= 0 {
		sub, _, reps, err := p.substitute(params)
		if err != nil || len(reps) > 0 {
			bad("~SEQ parameter is multiline definition '%s'")
			return
		}
		params = sub
	}
	ps := params.text
	var start, step, end int64
	one, j := strtol(ps, 0)
	j = skipBlanks(ps, j)
	switch {
	case j < len(ps) && ps[j] == ')':
		end = one
		step = 1
		if end < 1 {
			step = -1
		}
		start = 1
		if end < 0 {
			start = -1
		}
	case j < len(ps) && ps[j] == ',':
		two, k := strtol(ps, j+1)
		k = skipBlanks(ps, k)
		switch {
		case k < len(ps) && ps[k] == ')':
			start, end = one, two
			step = 1
			if start > end {
				step = -1
			}
		case k < len(ps) && ps[k] == ',':
			three, m := strtol(ps, k+1)
			m = skipBlanks(ps, m)
			if m >= len(ps) || ps[m] != ')' {
				bad("Invalid ~SEQ definition '%s'")
				return
			}
			start, step, end = one, two, three
			if step == 0 || (start < end && step < 0) || (start > end && step > 0) {
				bad("Invalid ~SEQ values '%s'")
				return
			}
		default:
			bad("Invalid ~SEQ definition '%s'")
			return
		}
	default:
		bad("Invalid ~SEQ definition '%s'")
		return
	}
	if hex && (start < 0 || end < 0) {
		bad("~SEQx is only valid for positive numbers '%s'")
		return
	}
	// iterations, computed without overflow
	span := seqCount(start, end, step)
	if span > uint64(p.lim.lines) {
		p.errorf(pos, "~SEQ would repeat its line %d times (more than %d): ignored", span, p.lim.lines)
		return
	}
	t := skipBlanks(s, closeAt+1)
	p.push(&seqSource{varName: varName, cur: start, step: step, last: end, hex: hex, text: l.slice(t, len(s))})
}

// seqCount is how many values start, start+step, ... up to end has.
func seqCount(start, end, step int64) uint64 {
	var d, st uint64
	if step > 0 {
		if end < start {
			return 1
		}
		d = uint64(end) - uint64(start)
		st = uint64(step)
	} else {
		if end > start {
			return 1
		}
		d = uint64(start) - uint64(end)
		st = uint64(-(step + 1)) + 1
	}
	return d/st + 1
}

// addLst handles a line starting with ~LST.
func (p *preprocessor) addLst(l pline) {
	s := l.text
	pos := l.posAt(0)
	invalid := func() { p.errorf(pos, "Invalid ~LST specification '%s'", s) }
	at := func(i int) byte {
		if i < len(s) {
			return s[i]
		}
		return 0
	}
	i := skipBlanks(s, 4)
	if at(i) != '(' {
		invalid()
		return
	}
	i = skipBlanks(s, i+1)
	endChar := byte(',')
	if at(i) == '{' {
		endChar = '}'
		i = skipBlanks(s, i+1)
	}
	var vars []string
	for {
		v := i
		for i < len(s) && strings.IndexByte(" \t,}", s[i]) < 0 {
			i++
		}
		vars = append(vars, s[v:i])
		i = skipBlanks(s, i)
		if at(i) == endChar {
			break
		}
		if at(i) != ',' {
			invalid()
			return
		}
		i = skipBlanks(s, i+1)
	}
	if at(i) == '}' {
		i = skipBlanks(s, i+1)
	}
	if at(i) != ',' {
		invalid()
		return
	}
	i = skipBlanks(s, i+1)
	var sets [][]string
	for {
		endChar = ','
		if at(i) == '{' {
			endChar = '}'
			i = skipBlanks(s, i+1)
		}
		var vals []string
		for {
			v := i
			for i < len(s) && strings.IndexByte(" \t,})", s[i]) < 0 {
				i++
			}
			vals = append(vals, s[v:i])
			i = skipBlanks(s, i)
			if at(i) == endChar || (at(i) == ')' && endChar == ',') {
				break
			}
			if at(i) != ',' {
				invalid()
				return
			}
			i = skipBlanks(s, i+1)
			if len(vals) > len(vars)-1 {
				p.errorf(pos, "~LST specification has too many values '%s'", s)
				return
			}
		}
		for len(vals) < len(vars) {
			vals = append(vals, "")
		}
		sets = append(sets, vals)
		if len(sets) > p.lim.lines {
			p.errorf(pos, "~LST has more than %d value sets: ignored", p.lim.lines)
			return
		}
		if at(i) == '}' && endChar == '}' {
			i = skipBlanks(s, i+1)
		}
		if at(i) == ')' {
			break
		}
		if at(i) != ',' {
			invalid()
			return
		}
		i = skipBlanks(s, i+1)
	}
	t := skipBlanks(s, i+1)
	if t > len(s) {
		t = len(s)
	}
	p.push(&lstSource{vars: vars, sets: sets, text: l.slice(t, len(s))})
}

package parser

import (
	"sort"
	"strings"

	"github.com/keepalived-go/keepalived/config"
)

// span maps the bytes of a pline from offset off on to source positions.
// In a plain span byte off+i sits at pos with Col advanced by i; in a fixed
// span (text that came from a $NAME substitution) every byte reports pos,
// the position of the `$` reference that produced it.
type span struct {
	off   int
	pos   config.Pos
	fixed bool
}

// pline is a line of text that remembers where each of its bytes came from,
// through comment removal, @id stripping, substitution and brace splitting.
//
// The common case, text straight from one line of a file, needs no span
// list: spans is nil and byte i sits at base with Col advanced by i.
type pline struct {
	text  string
	base  config.Pos
	spans []span // sorted by off; spans[0].off == 0 when text != ""
}

// physLine is a physical line of a file starting at line:col 1.
func physLine(file string, line int, text string) pline {
	return pline{text: text, base: config.Pos{File: file, Line: line, Col: 1}}
}

// spanList is l's spans, materialising the implicit one.
func (l pline) spanList() []span {
	if l.spans == nil {
		return []span{{off: 0, pos: l.base}}
	}
	return l.spans
}

// fixedLine is text that reports pos for every byte.
func fixedLine(text string, pos config.Pos) pline {
	return pline{text: text, spans: []span{{off: 0, pos: pos, fixed: true}}}
}

// spanAt returns the index of the span holding byte i.
func (l pline) spanAt(i int) int {
	k := sort.Search(len(l.spans), func(k int) bool { return l.spans[k].off > i }) - 1
	if k < 0 {
		k = 0
	}
	return k
}

// posAt is the source position of byte i (i may be len(text): the position
// just after the last byte).
func (l pline) posAt(i int) config.Pos {
	if l.spans == nil {
		p := l.base
		p.Col += i
		return p
	}
	if len(l.spans) == 0 {
		return config.Pos{}
	}
	sp := l.spans[l.spanAt(i)]
	p := sp.pos
	if !sp.fixed {
		p.Col += i - sp.off
	}
	return p
}

// slice returns bytes [i, j) with their positions.
func (l pline) slice(i, j int) pline {
	if l.spans == nil {
		return pline{text: l.text[i:j], base: l.posAt(i)}
	}
	var b plineBuilder
	b.grow(j - i)
	b.appendRange(l, i, j)
	return b.line()
}

// trimBlanks removes leading and trailing spaces and tabs.
func (l pline) trimBlanks() pline {
	i, j := 0, len(l.text)
	for i < j && isBlank(l.text[i]) {
		i++
	}
	for j > i && isBlank(l.text[j-1]) {
		j--
	}
	if i == 0 && j == len(l.text) {
		return l
	}
	return l.slice(i, j)
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

// isSpace is C's isspace in the C locale (keepalived's WHITE_SPACE).
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// plineBuilder assembles a pline piece by piece in linear time.
type plineBuilder struct {
	buf   []byte
	spans []span
}

func (b *plineBuilder) grow(n int) {
	if cap(b.buf)-len(b.buf) < n {
		nb := make([]byte, len(b.buf), len(b.buf)+n)
		copy(nb, b.buf)
		b.buf = nb
	}
}

// addSpan records that the bytes appended from now on start at pos,
// merging with the previous span when it simply continues.
func (b *plineBuilder) addSpan(pos config.Pos, fixed bool) {
	off := len(b.buf)
	if n := len(b.spans); n > 0 {
		last := b.spans[n-1]
		if last.off == off {
			b.spans[n-1] = span{off: off, pos: pos, fixed: fixed}
			return
		}
		if last.fixed == fixed && last.pos.File == pos.File && last.pos.Line == pos.Line {
			if fixed && last.pos.Col == pos.Col {
				return
			}
			if !fixed && last.pos.Col+(off-last.off) == pos.Col {
				return
			}
		}
	}
	b.spans = append(b.spans, span{off: off, pos: pos, fixed: fixed})
}

// appendRange appends bytes [i, j) of l.
func (b *plineBuilder) appendRange(l pline, i, j int) {
	if i >= j {
		return
	}
	if l.spans == nil {
		b.addSpan(l.posAt(i), false)
		b.buf = append(b.buf, l.text[i:j]...)
		return
	}
	for k := l.spanAt(i); k < len(l.spans) && l.spans[k].off < j; k++ {
		sp := l.spans[k]
		start := max(i, sp.off)
		end := j
		if k+1 < len(l.spans) && l.spans[k+1].off < end {
			end = l.spans[k+1].off
		}
		p := sp.pos
		if !sp.fixed {
			p.Col += start - sp.off
		}
		b.addSpan(p, sp.fixed)
		b.buf = append(b.buf, l.text[start:end]...)
	}
}

// appendFixed appends s, every byte of it reporting pos.
func (b *plineBuilder) appendFixed(s string, pos config.Pos) {
	if s == "" {
		return
	}
	b.addSpan(pos, true)
	b.buf = append(b.buf, s...)
}

func (b *plineBuilder) line() pline {
	if len(b.spans) == 1 && !b.spans[0].fixed {
		return pline{text: string(b.buf), base: b.spans[0].pos}
	}
	return pline{text: string(b.buf), spans: b.spans}
}

// decommentResult is what decomment found besides the text.
type decommentResult struct {
	unterminated bool   // an odd number of `"` before the comment
	quotePos     int    // offset in the input of the unterminated `"`
	escapes      bool   // a `\#` or `\!` outside quotes was unescaped
	quoteText    string // the line as keepalived quotes it in "Unterminated quote"
}

// decomment applies keepalived's decomment(): strip leading blanks, remove
// everything from the first `#` or `!` outside double quotes, turn `\#` and
// `\!` outside quotes into `#` and `!`, strip trailing blanks, and keep a
// final lone `\` (a continuation mark for multi-line definitions) glued to
// the text before it. A `\` is a two-byte escape everywhere, so `\"` does
// not toggle quoting.
func decomment(l pline) (pline, decommentResult) {
	var res decommentResult
	s := l.text
	if strings.IndexAny(s, "#!\"\\") < 0 {
		return l.trimBlanks(), res
	}
	start := 0
	for start < len(s) && isBlank(s[start]) {
		start++
	}
	var b plineBuilder
	b.grow(len(s) - start)
	quote := false
	quoteAt := -1
	skip := -1 // offset in the output where the comment starts
	cont := false
	runStart := start // start of the pending run of input to copy
	i := start
	for i < len(s) {
		c := s[i]
		switch c {
		case '"':
			if skip < 0 {
				quote = !quote
				if quote {
					quoteAt = i
				}
			}
			i++
		case '\\':
			if i+1 < len(s) {
				if !quote && (s[i+1] == '#' || s[i+1] == '!') {
					b.appendRange(l, runStart, i)
					runStart = i + 1
					if skip < 0 {
						res.escapes = true
					}
				}
				i += 2
				continue
			}
			// A final backslash: the line continues (definitions only).
			b.appendRange(l, runStart, i)
			runStart = len(s)
			cont = true
			i = len(s)
		case '#', '!':
			if !quote && skip < 0 {
				b.appendRange(l, runStart, i)
				runStart = i
				skip = len(b.buf)
			}
			i++
		default:
			i++
		}
	}
	if !cont {
		b.appendRange(l, runStart, len(s))
	}
	if quote {
		res.unterminated = true
		res.quotePos = quoteAt
		// keepalived prints the line as it is at this point: blanks
		// stripped, escapes removed, comment still present.
		res.quoteText = string(b.buf)
	}
	out := b.line()
	if skip >= 0 {
		out = cutLine(out, skip)
	}
	// trailing blanks
	j := len(out.text)
	for j > 0 && isBlank(out.text[j-1]) {
		j--
	}
	if j != len(out.text) {
		out = cutLine(out, j)
	}
	if cont {
		var b2 plineBuilder
		b2.appendRange(out, 0, len(out.text))
		p := l.posAt(len(s) - 1)
		b2.addSpan(p, false)
		b2.buf = append(b2.buf, '\\')
		out = b2.line()
	}
	return out, res
}

// cutLine truncates l to its first n bytes.
func cutLine(l pline, n int) pline {
	if n >= len(l.text) {
		return l
	}
	if l.spans == nil {
		return pline{text: l.text[:n], base: l.base}
	}
	k := 0
	for k < len(l.spans) && l.spans[k].off < n {
		k++
	}
	return pline{text: l.text[:n], spans: l.spans[:k:k]}
}

// hasPrefixWord reports whether s starts with word followed by a blank.
func hasPrefixWord(s, word string) bool {
	return len(s) > len(word) && strings.HasPrefix(s, word) && isSpace(s[len(word)])
}

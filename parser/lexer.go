package parser

import (
	"github.com/keepalived-go/keepalived/config"
)

// The preprocessor's logical lines become tokens: a Lines token per run of
// consecutive lines of words (its run indexes tokenStream.runs; the
// preprocessor has already split each line's words, with their
// positions), LBrace / RBrace tokens for split-off braces, and a Leaf
// token for a whole block that holds lines only (`{`, lines, `}`: a value
// block such as virtual_ipaddress, or a block of simple settings), which
// is lexically as plain as a quoted string. The nester (nest.go) then
// finds the blocks.

// tokKind is the kind of a token.
type tokKind uint8

const (
	tokLine tokKind = iota + 1
	tokLBrace
	tokRBrace
	tokLeaf
)

// token is one token of the stream: a brace at pos, or a run of lines
// (tokLine, tokLeaf) described by runs[run].
type token struct {
	kind tokKind
	pos  config.Pos
	run  int
}

// tokenStream is the tokens of one chunk of logical lines.
type tokenStream struct {
	toks []token
	runs []lineRun
}

// lineRun is a run of consecutive lines of words: lines[first:first+n]
// (n may be 0 for an empty leaf block). For a leaf block, close is the
// position of its `}`.
type lineRun struct {
	first, n int
	close    config.Pos
}

// tokenize turns logical lines into tokens. Blocks nested deeper than
// maxDepth are flattened (their braces dropped, with one finding), so the
// recursive nester cannot be driven into a stack overflow.
func tokenize(lines []logical, maxDepth int, diags *config.Diagnostics) *tokenStream {
	n := 0 // tokens: one per brace and per run of lines (an upper bound)
	for i, l := range lines {
		if l.kind != kindWords || i == 0 || lines[i-1].kind != kindWords {
			n++
		}
	}
	s := &tokenStream{toks: make([]token, 0, n)}
	depth, dropped := 0, 0
	reported := false
	skip := 0
	for i, l := range lines {
		if skip > 0 {
			skip--
			continue
		}
		switch l.kind {
		case kindOpen:
			if depth >= maxDepth {
				dropped++
				if !reported {
					reported = true
					*diags = append(*diags, config.Diagnostic{Pos: l.raw.posAt(0), Severity: config.Error, Class: config.ClassGeneral,
						Msg: "blocks nested deeper than the limit: the braces of the deeper blocks are ignored"})
				}
				continue
			}
			if n, ok := leafAt(lines, i); ok {
				closeLine := lines[i+1+n]
				s.toks = append(s.toks, token{kind: tokLeaf, pos: l.raw.posAt(0), run: len(s.runs)})
				s.runs = append(s.runs, lineRun{first: i + 1, n: n, close: closeLine.raw.posAt(0)})
				skip = n + 1
				continue
			}
			depth++
			s.toks = append(s.toks, token{kind: tokLBrace, pos: l.raw.posAt(0)})
		case kindClose:
			if dropped > 0 {
				dropped--
				continue
			}
			if depth > 0 {
				depth--
			}
			s.toks = append(s.toks, token{kind: tokRBrace, pos: l.raw.posAt(0)})
		case kindWords:
			// extend the run only when this line directly follows it (a
			// dropped brace in between breaks the run)
			if k := len(s.toks) - 1; k >= 0 && s.toks[k].kind == tokLine && i > 0 && lines[i-1].kind == kindWords {
				s.runs[s.toks[k].run].n++
				continue
			}
			s.toks = append(s.toks, token{kind: tokLine, pos: l.words[0].Pos, run: len(s.runs)})
			s.runs = append(s.runs, lineRun{first: i, n: 1})
		}
	}
	return s
}

// leafAt reports whether lines[i] (a `{`) opens a block of n lines of
// words and then its `}`.
func leafAt(lines []logical, i int) (int, bool) {
	for j := i + 1; j < len(lines); j++ {
		switch lines[j].kind {
		case kindClose:
			return j - i - 1, true
		case kindOpen:
			return 0, false
		}
	}
	return 0, false
}

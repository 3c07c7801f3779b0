package parser

import (
	"errors"
	"io"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/keepalived-go/keepalived/config"
)

// The lexer hands the preprocessor's logical lines to participle as
// tokens: a Lines token per run of consecutive lines of words (its
// Pos.Offset indexes tokenStream.runs; the preprocessor has already split
// each line's words, with their positions), LBrace / RBrace tokens for
// split-off braces, and a Leaf token for a whole block that holds lines
// only (`{`, lines, `}`: a value block such as virtual_ipaddress, or a
// block of simple settings), which is lexically as plain as a quoted
// string. A token per run of lines rather than per word, and per leaf
// block rather than per brace, keeps participle's reflective parsing cheap:
// only the nesting of blocks is left for the grammar to find.

// Token types of the stream.
const (
	tokLine lexer.TokenType = iota + 1
	tokLBrace
	tokRBrace
	tokLeaf
)

// tokenDef is the lexer.Definition participle builds the grammar against.
// Its Lex is never used: Parse feeds the preprocessed stream directly.
type tokenDef struct{}

func (tokenDef) Symbols() map[string]lexer.TokenType {
	return map[string]lexer.TokenType{
		"EOF":    lexer.EOF,
		"Lines":  tokLine,
		"Leaf":   tokLeaf,
		"LBrace": tokLBrace,
		"RBrace": tokRBrace,
	}
}

var errNoReader = errors.New("parser: the token definition lexes preprocessed lines only")

func (tokenDef) Lex(string, io.Reader) (lexer.Lexer, error) { return nil, errNoReader }

// tokenStream is a lexer.Lexer over a prepared token slice.
type tokenStream struct {
	toks []lexer.Token
	runs []lineRun
	i    int
	eof  lexer.Position
}

// lineRun is a run of consecutive lines of words: lines[first:first+n]
// (n may be 0 for an empty leaf block). For a leaf block, close is the
// position of its `}`.
type lineRun struct {
	first, n int
	close    config.Pos
}

func (s *tokenStream) Next() (lexer.Token, error) {
	if s.i >= len(s.toks) {
		return lexer.EOFToken(s.eof), nil
	}
	t := s.toks[s.i]
	s.i++
	return t, nil
}

func lexPos(p config.Pos) lexer.Position {
	return lexer.Position{Filename: p.File, Line: p.Line, Column: p.Col}
}

func cfgPos(p lexer.Position) config.Pos {
	return config.Pos{File: p.Filename, Line: p.Line, Col: p.Column}
}

// tokenize turns logical lines into tokens. Blocks nested deeper than
// maxDepth are flattened (their braces dropped, with one finding), so the
// recursive grammar cannot be driven into a stack overflow.
func tokenize(lines []logical, maxDepth int, diags *config.Diagnostics) *tokenStream {
	n := 0 // tokens: one per brace and per run of lines (an upper bound)
	for i, l := range lines {
		if l.kind != kindWords || i == 0 || lines[i-1].kind != kindWords {
			n++
		}
	}
	s := &tokenStream{toks: make([]lexer.Token, 0, n)}
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
				pos := lexPos(l.raw.posAt(0))
				pos.Offset = len(s.runs)
				closeLine := lines[i+1+n]
				s.runs = append(s.runs, lineRun{first: i + 1, n: n, close: closeLine.raw.posAt(0)})
				s.toks = append(s.toks, lexer.Token{Type: tokLeaf, Value: "{}", Pos: pos})
				skip = n + 1
				continue
			}
			depth++
			s.toks = append(s.toks, lexer.Token{Type: tokLBrace, Value: "{", Pos: lexPos(l.raw.posAt(0))})
		case kindClose:
			if dropped > 0 {
				dropped--
				continue
			}
			if depth > 0 {
				depth--
			}
			s.toks = append(s.toks, lexer.Token{Type: tokRBrace, Value: "}", Pos: lexPos(l.raw.posAt(0))})
		case kindWords:
			// extend the run only when this line directly follows it (a
			// dropped brace in between breaks the run)
			if k := len(s.toks) - 1; k >= 0 && s.toks[k].Type == tokLine && i > 0 && lines[i-1].kind == kindWords {
				s.runs[s.toks[k].Pos.Offset].n++
				continue
			}
			pos := lexPos(l.words[0].Pos)
			pos.Offset = len(s.runs)
			s.runs = append(s.runs, lineRun{first: i, n: 1})
			s.toks = append(s.toks, lexer.Token{Type: tokLine, Value: "lines", Pos: pos})
		}
	}
	if len(lines) > 0 {
		last := lines[len(lines)-1].raw
		s.eof = lexPos(last.posAt(len(last.text)))
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

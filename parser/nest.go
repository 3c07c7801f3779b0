package parser

import (
	"fmt"

	"github.com/keepalived-go/keepalived/config"
)

// The nester finds the blocks in the token stream. keepalived's grammar
// knows no keywords: a configuration is a list of statements, a statement
// is one logical line (its words split by the preprocessor with
// keepalived's alloc_strvec rules) optionally followed by a { } block of
// statements (the `{` may be on the same line or a later one: the
// preprocessor has split it off either way). A Lines token is a run of
// such lines, the block belonging to its last line; a block of lines only
// is one Leaf token. Every token sequence is accepted, so brace mistakes
// become findings, not parse failures:
//
//	File       = TopItem*
//	TopItem    = Item | ExtraClose
//	Item       = Lines (Leaf | Block)? | Stray
//	Block      = "{" Item* "}"?          (an unclosed block ends at EOF)
//	Stray      = Leaf | Block            (a block that follows no statement)
//	ExtraClose = "}"                     (only at the top level)
//
// Why a hand-written nester and not a parser generator (participle was
// used here before): with no keywords in the grammar, what is left once
// the preprocessor has split the words is matching braces with one token
// of lookahead. The generator added reflection, a token definition whose
// lexer was never called, and positions carried through its own type and
// back; the grammar above is three small functions here, with the
// positions the preprocessor made.

// nester builds the public AST from the tokens of one chunk at a time.
type nester struct {
	lines     []logical
	runs      []lineRun
	toks      []token
	i         int    // next token
	slab      []Node // nodes are allocated from here, 1024 at a time
	diags     config.Diagnostics
	unclosed  int        // blocks still open at the end of their chunk
	outermost config.Pos // the `{` of the first chain of unclosed blocks
	lastOpen  config.Pos // the `{` of the last unclosed block returned
}

func (c *nester) errorf(pos config.Pos, format string, args ...any) {
	c.diags = append(c.diags, config.Diagnostic{Pos: pos, Severity: config.Error, Class: config.ClassGeneral, Msg: fmt.Sprintf(format, args...)})
}

// file appends the nodes of the chunk's top-level items to nodes.
func (c *nester) file(nodes []*Node) []*Node {
	for c.i < len(c.toks) {
		if t := c.toks[c.i]; t.kind == tokRBrace {
			c.i++
			c.errorf(t.pos, "Extra '}' found")
			continue
		}
		before := c.unclosed
		nodes = c.item(nodes)
		if before == 0 && c.unclosed > 0 {
			// Unclosed blocks nest (each runs to EOF) and return innermost
			// first, so the last one returned is the outermost.
			c.outermost = c.lastOpen
		}
	}
	return nodes
}

// item appends the nodes of the item at the next token (not a `}`).
func (c *nester) item(nodes []*Node) []*Node {
	t := c.toks[c.i]
	c.i++
	switch t.kind {
	case tokLine:
		nodes = c.lineNodes(nodes, c.runs[t.run])
		var b *Block
		if c.i < len(c.toks) {
			switch next := c.toks[c.i]; next.kind {
			case tokLeaf:
				c.i++
				b = c.leaf(next)
			case tokLBrace:
				c.i++
				b = c.block(next)
			}
		}
		if b != nil {
			nodes[len(nodes)-1].Block = b
		}
		return nodes
	case tokLeaf:
		// keepalived ignores a `{` that follows no statement and reads what
		// follows at the enclosing level; we do the same with its contents
		// (but its `}` closes only it, so nothing after it is misplaced).
		c.errorf(t.pos, "Unexpected '{' - ignoring")
		return append(nodes, c.leaf(t).Nodes...)
	default: // tokLBrace
		c.errorf(t.pos, "Unexpected '{' - ignoring")
		return append(nodes, c.block(t).Nodes...)
	}
}

// lineNodes appends a node per line of the run.
func (c *nester) lineNodes(nodes []*Node, r lineRun) []*Node {
	for _, l := range c.lines[r.first : r.first+r.n] {
		if len(c.slab) == 0 {
			c.slab = make([]Node, 1024)
		}
		n := &c.slab[0]
		c.slab = c.slab[1:]
		*n = Node{Raw: l.raw.text, Pos: l.words[0].Pos, Keyword: l.words[0].Text}
		if len(l.words) > 1 {
			n.Args = l.words[1:]
		}
		nodes = append(nodes, n)
	}
	return nodes
}

// leaf is a block of lines only.
func (c *nester) leaf(t token) *Block {
	r := c.runs[t.run]
	return &Block{Open: t.pos, Close: r.close, Nodes: c.lineNodes(make([]*Node, 0, r.n), r)}
}

// block is the block opened by open, up to its `}` or the end of the chunk.
func (c *nester) block(open token) *Block {
	out := &Block{Open: open.pos}
	for c.i < len(c.toks) {
		if t := c.toks[c.i]; t.kind == tokRBrace {
			c.i++
			out.Close = t.pos
			return out
		}
		out.Nodes = c.item(out.Nodes)
	}
	c.unclosed++
	c.lastOpen = out.Open
	return out
}

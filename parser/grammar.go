package parser

import (
	"sync"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The grammar is keepalived's, which knows no keywords: a configuration is
// a list of statements, a statement is one logical line (its words split
// by the preprocessor with keepalived's alloc_strvec rules) optionally
// followed by a { } block of statements (the `{` may be on the same line or
// a later one: the preprocessor has split it off either way). The lexer
// hands over consecutive lines as one Lines token, so a Stmt here is such a
// run, the block belonging to its last line; and a block of lines only as
// one Leaf token. The grammar accepts every
// token sequence the lexer can produce, so brace mistakes become findings,
// not parse failures:
//
//	File      = TopItem*
//	TopItem   = Stmt | Stray | ExtraClose
//	Item      = Stmt | Stray
//	Stmt      = Lines Block?
//	Block     = Leaf | "{" Item* "}"?   (an unclosed block ends at EOF)
//	Stray     = Block                   (a "{" that follows no statement)
//	ExtraClose = "}"                    (only at the top level)
//
// (Stmt is written inline in TopItem and Item, and tokens are captured as
// lexer.Token, to keep participle's per-struct work down.)

type gFile struct {
	Items []*gTopItem `parser:"@@*"`
}

// gTopItem is a statement, a stray block or an extra `}` at the top level.
type gTopItem struct {
	Lines      *lexer.Token `parser:"  ( @Lines"`
	Leaf       *lexer.Token `parser:"    ( @Leaf"`
	Block      *gBlock      `parser:"    | @@ )? )"`
	StrayLeaf  *lexer.Token `parser:"| @Leaf"`
	StrayBlock *gBlock      `parser:"| @@"`
	Extra      *lexer.Token `parser:"| @RBrace"`
}

// gItem is a statement or a stray block inside a block.
type gItem struct {
	Lines      *lexer.Token `parser:"  ( @Lines"`
	Leaf       *lexer.Token `parser:"    ( @Leaf"`
	Block      *gBlock      `parser:"    | @@ )? )"`
	StrayLeaf  *lexer.Token `parser:"| @Leaf"`
	StrayBlock *gBlock      `parser:"| @@"`
}

// gBlock is a block that holds other blocks (a block of lines only is a
// Leaf token).
type gBlock struct {
	Open  lexer.Token  `parser:"@LBrace"`
	Items []*gItem     `parser:"@@*"`
	Close *lexer.Token `parser:"@RBrace?"`
}

var grammar = sync.OnceValues(func() (*participle.Parser[gFile], error) {
	return participle.Build[gFile](participle.Lexer(tokenDef{}))
})

package parser

import (
	"sync"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The grammar is keepalived's, which knows no keywords: a configuration is
// a list of statements, a statement is the words of one logical line
// optionally followed by a { } block of statements (the `{` may be on the
// same line or a later one: the preprocessor has split it off either way).
// It accepts every token sequence the lexer can produce, so brace mistakes
// become findings, not parse failures:
//
//	File      = TopItem*
//	TopItem   = Stmt | Stray | ExtraClose
//	Stmt      = (Word | Quoted)+ EOL Block?
//	Block     = "{" Item* "}"?          (an unclosed block ends at EOF)
//	Item      = Stmt | Stray
//	Stray     = Block                   (a "{" that follows no statement)
//	ExtraClose = "}"                    (only at the top level)

type gFile struct {
	Items []*gTopItem `parser:"@@*"`
}

type gTopItem struct {
	Stmt  *gStmt  `parser:"  @@"`
	Stray *gBlock `parser:"| @@"`
	Extra *gClose `parser:"| @@"`
}

type gItem struct {
	Stmt  *gStmt  `parser:"  @@"`
	Stray *gBlock `parser:"| @@"`
}

type gStmt struct {
	Words []*gWord `parser:"@@+"`
	Raw   string   `parser:"@EOL"`
	Block *gBlock  `parser:"@@?"`
}

type gWord struct {
	Pos    lexer.Position
	Plain  *string `parser:"  @Word"`
	Quoted *string `parser:"| @Quoted"`
}

type gBlock struct {
	Pos   lexer.Position
	Open  string   `parser:"@LBrace"`
	Items []*gItem `parser:"@@*"`
	Close *gClose  `parser:"@@?"`
}

type gClose struct {
	Pos lexer.Position
	Tok string `parser:"@RBrace"`
}

var grammar = sync.OnceValues(func() (*participle.Parser[gFile], error) {
	return participle.Build[gFile](participle.Lexer(tokenDef{}))
})

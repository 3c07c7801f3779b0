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
	Items []*gTopItem `@@*`
}

type gTopItem struct {
	Stmt  *gStmt  `  @@`
	Stray *gBlock `| @@`
	Extra *gClose `| @@`
}

type gItem struct {
	Stmt  *gStmt  `  @@`
	Stray *gBlock `| @@`
}

type gStmt struct {
	Words []*gWord `@@+`
	Raw   string   `@EOL`
	Block *gBlock  `@@?`
}

type gWord struct {
	Pos    lexer.Position
	Plain  *string `  @Word`
	Quoted *string `| @Quoted`
}

type gBlock struct {
	Pos   lexer.Position
	Open  string   `@LBrace`
	Items []*gItem `@@*`
	Close *gClose  `@@?`
}

type gClose struct {
	Pos lexer.Position
	Tok string `@RBrace`
}

var grammar = sync.OnceValues(func() (*participle.Parser[gFile], error) {
	return participle.Build[gFile](participle.Lexer(tokenDef{}))
})

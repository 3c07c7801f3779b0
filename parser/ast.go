package parser

import "github.com/keepalived-go/keepalived/config"

// The AST is deliberately generic: keepalived's grammar is "one keyword and
// its arguments per logical line, optionally opening a { } block". Which
// keywords exist and what their arguments mean is decided by the lowering
// step (lower*.go), so that an unknown or misspelt keyword yields one
// positioned finding instead of a parse failure.

// File is a whole configuration after preprocessing, all includes spliced in.
type File struct{ Nodes []*Node }

// Node is one logical line: a keyword, its arguments, and an optional block.
type Node struct {
	Pos     config.Pos // position of the keyword
	Keyword string
	Args    []Word
	// Raw is the logical line after preprocessing, before splitting (script
	// keywords re-tokenise it with keepalived's shell-like rules, see
	// SplitQuoted).
	Raw   string
	Block *Block // nil when the line opens no block
}

// Word is one argument of a Node, with its position. Quoted reports that the
// word was (at least partly) written between double quotes.
type Word struct {
	Text   string
	Pos    config.Pos
	Quoted bool
}

// Block is the `{ ... }` body of a Node: the positions of its braces and the
// logical lines inside it. Close is the zero Pos when the block was never
// closed (a "missing '}'" diagnostic is reported).
type Block struct {
	Open, Close config.Pos
	Nodes       []*Node
}

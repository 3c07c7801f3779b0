package parser

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/keepalived-go/keepalived/config"
)

// ErrConfigFile is wrapped by the error Parse returns when the main file
// cannot be used at all: missing, a directory, unreadable or empty.
// (keepalived 2.2.7 exits 0 from -t in these cases: a bug we do not copy.)
var ErrConfigFile = errors.New("parser: unusable configuration file")

// Parse reads path and its includes into a File. The findings are those of
// reading: quoting, braces, includes, definitions, ~SEQ / ~LST. The error
// is non-nil only when the main file cannot be used at all.
func Parse(path string, opts Options) (*File, config.Diagnostics, error) {
	return parse(path, nil, opts, defaultLimits)
}

// ParseString parses text as if it were the content of the file name
// (includes resolve against name's directory).
func ParseString(name, text string, opts Options) (*File, config.Diagnostics, error) {
	return parse(name, &text, opts, defaultLimits)
}

func parse(path string, text *string, opts Options, lim limits) (*File, config.Diagnostics, error) {
	p := newPreprocessor(opts, lim)
	if text != nil {
		if strings.TrimSpace(*text) == "" {
			return nil, nil, fmt.Errorf("%w: %s is empty", ErrConfigFile, path)
		}
		f := &fileSource{name: path, data: *text, dir: dirOf(path)}
		if fi, err := os.Stat(path); err == nil {
			f.info = fi
		}
		p.openFiles = append(p.openFiles, f)
		p.files = append(p.files, path)
		p.stack = append(p.stack, &globSource{cur: f})
		p.out = make([]logical, 0, strings.Count(*text, "\n")+1)
	} else {
		g, err := p.openMain(path)
		if err != nil {
			return nil, nil, err
		}
		p.stack = append(p.stack, g)
	}
	parser, err := grammar()
	if err != nil {
		return nil, nil, fmt.Errorf("parser: grammar: %w", err)
	}
	// The preprocessor runs in its own goroutine and hands over the lines
	// in chunks that end between two top-level statements; the grammar
	// parses each chunk as it comes (a pipeline over both cores).
	chunks := make(chan []logical, 8)
	p.chunkFn = func(ls []logical) { chunks <- ls }
	go func() {
		defer close(chunks)
		p.run()
		p.flushChunk()
	}()
	var c converter
	file := &File{}
	var perr error
	for ls := range chunks {
		if perr != nil {
			continue // drain
		}
		toks := tokenize(ls, lim.blockDepth, &c.diags)
		lex, err := lexer.Upgrade(toks)
		if err != nil {
			perr = err
			continue
		}
		g, err := parser.ParseFromLexer(lex)
		if err != nil {
			// The grammar accepts every token sequence the lexer makes.
			perr = err
			continue
		}
		c.lines, c.runs = ls, toks.runs
		for _, it := range g.Items {
			switch {
			case it.Lines != nil:
				file.Nodes = c.stmt(file.Nodes, it.Lines, it.Leaf, it.Block)
			case it.StrayLeaf != nil || it.StrayBlock != nil:
				file.Nodes = append(file.Nodes, c.stray(it.StrayLeaf, it.StrayBlock)...)
			case it.Extra != nil:
				c.errorf(cfgPos(it.Extra.Pos), "Extra '}' found")
			}
		}
	}
	// chunks is closed: the preprocessor is done with p.
	diags := append(p.diags, c.diags...)
	if perr != nil {
		return nil, diags, fmt.Errorf("parser: %w", perr)
	}
	if c.unclosed > 0 {
		diags = append(diags, config.Diagnostic{Pos: c.outermost, Severity: config.Error, Class: config.ClassGeneral,
			Msg: fmt.Sprintf("There are %d missing '}'s or extra '{'s", c.unclosed)})
	}
	return file, diags, nil
}

// dirOf is the directory relative includes of the file name resolve
// against (keepalived chdir()s there when the name has a '/').
func dirOf(name string) string {
	if strings.Contains(name, "/") {
		i := strings.LastIndexByte(name, '/')
		if i == 0 {
			return "/"
		}
		return name[:i]
	}
	return "."
}

// openMain checks the main configuration file. keepalived accepts a glob
// there too (reading every match, with a warning when there are several).
func (p *preprocessor) openMain(path string) (*globSource, error) {
	paths := []string{path}
	fi, err := os.Stat(path)
	if err != nil && (hasMeta(path) || hasBrace(path)) {
		res := globBrace(path, ".")
		if len(res.matches) > 0 {
			paths = res.matches
			if len(paths) > 1 {
				p.report(config.Pos{File: paths[0], Line: 1, Col: 1}, config.Warning, config.ClassGeneral,
					"WARNING, multiple configuration file matches of %s, starting with %s", path, paths[0])
			}
			fi, err = os.Stat(paths[0])
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrConfigFile, path, unwrapPathErr(err))
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("%w: %s is a directory", ErrConfigFile, paths[0])
	}
	data, err := readLimited(paths[0], p.lim.fileBytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrConfigFile, paths[0], unwrapPathErr(err))
	}
	if strings.TrimSpace(string(data)) == "" {
		return nil, fmt.Errorf("%w: %s is empty", ErrConfigFile, paths[0])
	}
	p.out = make([]logical, 0, bytes.Count(data, []byte{'\n'})+1)
	names := make([]string, len(paths))
	copy(names, paths)
	return &globSource{paths: paths, names: names, typ: includeR | includeM | includeW, main: true, preload: data}, nil
}

// converter builds the public AST from the grammar's tree.
type converter struct {
	lines     []logical
	runs      []lineRun
	slab      []Node // nodes are allocated from here, 1024 at a time
	diags     config.Diagnostics
	unclosed  int
	outermost config.Pos
}

func (c *converter) errorf(pos config.Pos, format string, args ...any) {
	c.diags = append(c.diags, config.Diagnostic{Pos: pos, Severity: config.Error, Class: config.ClassGeneral, Msg: fmt.Sprintf(format, args...)})
}

// stmt appends the nodes of a run of lines; the block is the last one's.
func (c *converter) stmt(nodes []*Node, lines, leaf *lexer.Token, block *gBlock) []*Node {
	r := c.runs[lines.Pos.Offset]
	var n *Node
	for _, l := range c.lines[r.first : r.first+r.n] {
		if len(c.slab) == 0 {
			c.slab = make([]Node, 1024)
		}
		n = &c.slab[0]
		c.slab = c.slab[1:]
		*n = Node{Raw: l.raw.text, Pos: l.words[0].Pos, Keyword: l.words[0].Text}
		if len(l.words) > 1 {
			n.Args = l.words[1:]
		}
		nodes = append(nodes, n)
	}
	switch {
	case leaf != nil:
		n.Block = c.leaf(leaf)
	case block != nil:
		n.Block = c.block(block)
	}
	return nodes
}

// leaf is a block of lines only.
func (c *converter) leaf(t *lexer.Token) *Block {
	r := c.runs[t.Pos.Offset]
	out := &Block{Open: cfgPos(t.Pos), Close: r.close}
	out.Nodes = c.stmt(make([]*Node, 0, r.n), t, nil, nil)
	return out
}

func (c *converter) block(b *gBlock) *Block {
	out := &Block{Open: cfgPos(b.Open.Pos)}
	if b.Close != nil {
		out.Close = cfgPos(b.Close.Pos)
	} else {
		// unclosed blocks form a chain from the outermost one down
		if c.unclosed == 0 {
			c.outermost = out.Open
		}
		c.unclosed++
	}
	out.Nodes = c.items(b.Items)
	return out
}

func (c *converter) items(items []*gItem) []*Node {
	var nodes []*Node
	for _, it := range items {
		if it.Lines != nil {
			nodes = c.stmt(nodes, it.Lines, it.Leaf, it.Block)
		} else if it.StrayLeaf != nil || it.StrayBlock != nil {
			nodes = append(nodes, c.stray(it.StrayLeaf, it.StrayBlock)...)
		}
	}
	return nodes
}

// stray handles a `{` that follows no statement: keepalived ignores it and
// reads what follows at the enclosing level; we do the same with its
// contents (but its `}` closes only it, so nothing after it is misplaced).
func (c *converter) stray(leaf *lexer.Token, b *gBlock) []*Node {
	if leaf != nil {
		c.errorf(cfgPos(leaf.Pos), "Unexpected '{' - ignoring")
		return c.leaf(leaf).Nodes
	}
	c.errorf(cfgPos(b.Open.Pos), "Unexpected '{' - ignoring")
	return c.block(b).Nodes
}

package parser

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

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
	// The preprocessor runs in its own goroutine and hands over the lines
	// in chunks that end between two top-level statements; the nester
	// builds each chunk's nodes as it comes (a pipeline over both cores).
	chunks := make(chan []logical, 8)
	p.chunkFn = func(ls []logical) { chunks <- ls }
	go func() {
		defer close(chunks)
		p.run()
		p.flushChunk()
	}()
	var c nester
	file := &File{}
	for ls := range chunks {
		toks := tokenize(ls, lim.blockDepth, &c.diags)
		c.lines, c.runs, c.toks, c.i = ls, toks.runs, toks.toks, 0
		file.Nodes = c.file(file.Nodes)
	}
	// chunks is closed: the preprocessor is done with p.
	diags := append(p.diags, c.diags...)
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

package parser

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/keepalived-go/keepalived/config"
)

// includeFlags are keepalived's include strictness bits (lib/parser.c
// include_t): each turns one kind of include problem into an error that
// stops the daemon (and makes -t fail).
type includeFlags uint8

const (
	includeR   includeFlags = 1 << iota // file unreadable, a directory, not regular
	includeM                            // a pattern without wildcards matched nothing
	includeW                            // a wildcard pattern matched nothing
	includeB                            // a brace alternative matched nothing
	includeAll = includeR | includeM | includeW | includeB
)

// fileSource reads the physical lines of one file.
type fileSource struct {
	name   string // as reported in positions
	dir    string // directory relative includes of this file resolve against
	info   os.FileInfo
	data   string
	off    int
	lineNo int
	saved  includeFlags // include_check to restore when the file ends
	closed bool
}

func (f *fileSource) next(p *preprocessor) (pline, bool, bool) {
	for f.off < len(f.data) {
		end := strings.IndexByte(f.data[f.off:], '\n')
		var raw string
		if end < 0 {
			raw = f.data[f.off:]
			f.off = len(f.data)
		} else {
			raw = f.data[f.off : f.off+end]
			f.off += end + 1
		}
		f.lineNo++
		if len(raw)+1 > keepalivedMaxLine { // fgets keeps room for the NUL
			p.warn(config.Pos{File: f.name, Line: f.lineNo, Col: keepalivedMaxLine},
				"line is %d bytes long: keepalived 2.2.7 reads lines in pieces of %d bytes and would split it here", len(raw), keepalivedMaxLine-1)
		}
		if i := strings.IndexByte(raw, 0); i >= 0 {
			raw = raw[:i] // C strings end at a NUL
		}
		for len(raw) > 0 && (raw[len(raw)-1] == '\r' || raw[len(raw)-1] == '\n') {
			raw = raw[:len(raw)-1]
		}
		if raw == "" {
			return pline{}, true, true
		}
		l := physLine(f.name, f.lineNo, raw)
		out, res := decomment(l)
		if res.unterminated {
			p.errorf(l.posAt(res.quotePos), "Unterminated quote '%s'", res.quoteText)
		}
		if res.escapes {
			// keepalived 2.2.7 writes the de-commented text to a copy that
			// its VRRP process de-comments again: there the `#` or `!` the
			// escape produced starts a comment after all.
			again, _ := decomment(out)
			if again.text != out.text {
				p.warn(l.posAt(strings.Index(raw, `\`)), "keepalived 2.2.7's VRRP process reads an escaped '#' or '!' as the start of a comment: the rest of the line is ignored; use double quotes to keep it")
			}
			out = again
		}
		if out.text == "" {
			continue
		}
		return out, false, true
	}
	return pline{}, false, false
}

// globSource reads the files one include matched, one after the other.
type globSource struct {
	paths []string // our paths (relative to the process's cwd, or absolute)
	names []string // as keepalived names them (relative to the includer's dir)
	typ   includeFlags
	idx   int
	cur   *fileSource
	saved includeFlags
	at    config.Pos // the include line
	main  bool
	// preload is the content of paths[0] when the caller already read it
	// (the main file, checked for emptiness first).
	preload []byte
}

func (g *globSource) next(p *preprocessor) (pline, bool, bool) {
	for {
		if g.cur != nil {
			if l, blank, ok := g.cur.next(p); ok {
				return l, blank, ok
			}
			p.closeFile(g.cur)
			p.includeCheck = g.cur.saved
			g.cur = nil
		}
		if g.idx >= len(g.paths) {
			return pline{}, false, false
		}
		i := g.idx
		g.idx++
		g.cur = p.openFile(g, i)
	}
}

// fileError reports an include problem: an error when the include's own
// type or the current include_check asks for that check, else a warning
// (keepalived prints it but carries on and -t is unaffected).
func (p *preprocessor) fileError(typ, kind includeFlags, pos config.Pos, format string, args ...any) {
	if (p.includeCheck|typ)&kind != 0 {
		p.report(pos, config.Error, config.ClassFileNotFound, format, args...)
		return
	}
	p.warn(pos, format, args...)
}

// openFile opens match i of g, or reports why it is skipped.
func (p *preprocessor) openFile(g *globSource, i int) *fileSource {
	path, name := g.paths[i], g.names[i]
	pos := g.at
	fi, err := os.Stat(path)
	switch {
	case err == nil && fi.IsDir():
		p.fileError(g.typ, includeR, pos, "Configuration file '%s' is a directory - skipping", strings.TrimSuffix(name, "/")+"/")
		return nil
	case err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 != 0:
		p.fileError(g.typ, includeR, pos, "Configuration file '%s' is not a regular non-executable file - skipping", name)
		return nil
	}
	for _, o := range p.openFiles {
		if os.SameFile(o.info, fi) {
			p.errorf(pos, "include cycle: '%s' is already being read (it includes itself, directly or through other files): skipped", name)
			return nil
		}
	}
	if len(p.openFiles) >= p.lim.includeDepth {
		p.errorf(pos, "includes nested deeper than %d files: '%s' skipped", p.lim.includeDepth, name)
		return nil
	}
	if fi.Size() > p.lim.fileBytes {
		p.errorf(pos, "Configuration file '%s' is larger than %d bytes - skipping", name, p.lim.fileBytes)
		return nil
	}
	data, err := g.preload, error(nil)
	g.preload = nil
	if data == nil {
		data, err = readLimited(path, p.lim.fileBytes)
	}
	if err != nil {
		p.fileError(g.typ, includeR, pos, "Configuration file '%s' open problem (%v) - skipping", name, unwrapPathErr(err))
		return nil
	}
	f := &fileSource{name: path, info: fi, data: string(data), saved: g.saved}
	f.dir = filepath.Dir(path)
	p.openFiles = append(p.openFiles, f)
	p.files = append(p.files, path)
	return f
}

func (p *preprocessor) closeFile(f *fileSource) {
	if n := len(p.openFiles); n > 0 && p.openFiles[n-1] == f {
		p.openFiles = p.openFiles[:n-1]
	}
}

// readLimited reads at most max bytes of path (a regular file can still
// lie about its size, as /proc files do).
func readLimited(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var buf bytes.Buffer
	if fi, err := f.Stat(); err == nil && fi.Size() > 0 && fi.Size() <= max {
		buf.Grow(int(fi.Size()) + 1)
	}
	_, err = buf.ReadFrom(io.LimitReader(f, max+1))
	data := buf.Bytes()
	if err == nil && int64(len(data)) > max {
		err = fmt.Errorf("larger than %d bytes", max)
	}
	return data, err
}

func unwrapPathErr(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// checkInclude recognises `include PATTERN` and its strict variants
// includer, includem, includew, includeb and includea, and opens the
// matching files. It reports whether l was an include line.
func (p *preprocessor) checkInclude(l pline) bool {
	s := l.text
	if !strings.HasPrefix(s, "include") || len(s) < 8 {
		return false
	}
	var typ includeFlags
	var rest int
	switch {
	case isSpace(s[7]):
		rest = 8
	case len(s) > 8 && isSpace(s[8]) && strings.IndexByte("rmwba", s[7]) >= 0:
		rest = 9
		switch s[7] {
		case 'r':
			typ = includeR
		case 'm':
			typ = includeR | includeM
		case 'w':
			typ = includeR | includeM | includeW
		case 'b':
			typ = includeR | includeB
		case 'a':
			typ = includeAll
		}
	default:
		return false
	}
	for rest < len(s) && isBlank(s[rest]) {
		rest++
	}
	pattern := s[rest:]
	if p.lim.noIncludes {
		p.warn(l.posAt(0), "include '%s' not read (includes disabled)", pattern)
		return true
	}
	p.include(pattern, typ, l.posAt(0), false)
	return true
}

// include globs pattern (relative patterns against the current file's
// directory) and pushes the files it matched.
func (p *preprocessor) include(pattern string, typ includeFlags, pos config.Pos, main bool) bool {
	dir := p.curdir()
	g := &globSource{typ: typ, saved: p.includeCheck, at: pos, main: main}
	res := globBrace(pattern, dir)
	switch {
	case len(res.matches) == 0:
		switch {
		case res.missing:
			kind := includeM
			if hasBrace(pattern) {
				kind = includeB
			}
			p.fileError(typ, kind, pos, "Config files missing '%s'.", pattern)
		case res.wildcards && (p.includeCheck|typ)&includeW != 0:
			p.fileError(typ, includeW, pos, "No config files matched '%s'.", pattern)
		default:
			// keepalived is silent here (an empty conf.d is common)
			p.report(pos, config.Notice, config.ClassNone, "No config files matched '%s'.", pattern)
		}
		return false
	case res.missing:
		p.fileError(typ, includeB, pos, "Some config files missing: \"%s\".", pattern)
		if (p.includeCheck|typ)&includeB != 0 {
			return false
		}
	}
	for _, m := range res.matches {
		g.names = append(g.names, m)
		path := m
		if !filepath.IsAbs(m) && dir != "." {
			path = filepath.Join(dir, m)
		}
		g.paths = append(g.paths, path)
	}
	return p.push(g)
}

// includeCheckSet is global_defs' `include_check [+|-]TYPE ...` (no type:
// all checks).
func (p *preprocessor) includeCheckSet(args []Word) {
	if len(args) == 0 {
		p.includeCheck = includeAll
		return
	}
	for i, w := range args {
		word := w.Text
		mode := 0
		switch {
		case strings.HasPrefix(word, "-"):
			mode, word = -1, word[1:]
		case strings.HasPrefix(word, "+"):
			mode, word = 1, word[1:]
		default:
			if i == 0 {
				p.includeCheck = 0
			} else {
				p.errorf(w.Pos, "Duplicate include_check '%s' specified - ignoring", word)
				continue
			}
		}
		var f includeFlags
		switch word {
		case "read":
			f = includeR
		case "match":
			f = includeM
		case "wildcard_match":
			f = includeW
		case "brace_match":
			f = includeB
		default:
			p.errorf(w.Pos, "Unknown include_check type '%s' - ignoring", word)
			continue
		}
		switch mode {
		case 0:
			p.includeCheck = includeR | f
		case 1:
			p.includeCheck |= f
		case -1:
			p.includeCheck &^= f
		}
	}
}

// globResult is what glob() with GLOB_BRACE found.
type globResult struct {
	matches   []string // as glob returns them (relative to dir when pattern is)
	missing   bool     // a literal path or a directory did not exist
	wildcards bool     // a directory was read for a wildcard
}

// hasBrace reports an unescaped '{' (keepalived's have_brace).
func hasBrace(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
		} else if s[i] == '{' {
			return true
		}
	}
	return false
}

// globBrace expands braces as glibc's GLOB_BRACE does, then globs each
// alternative in order, each alternative's matches sorted. Relative
// patterns are matched in dir. Directories get a trailing '/' (GLOB_MARK).
func globBrace(pattern, dir string) globResult {
	var res globResult
	if pattern == "" {
		res.missing = true
		return res
	}
	alts := braceExpand(pattern, 0)
	for _, a := range alts {
		full := a
		if !filepath.IsAbs(a) && dir != "." {
			full = filepath.Join(dir, a)
		}
		if !hasMeta(a) {
			fi, err := os.Stat(full)
			if err != nil {
				if _, lerr := os.Lstat(full); lerr != nil {
					res.missing = true
					continue
				}
			}
			m := unescapeGlob(a)
			if err == nil && fi.IsDir() && !strings.HasSuffix(m, "/") {
				m += "/"
			}
			res.matches = append(res.matches, m)
			continue
		}
		res.wildcards = true
		got, err := filepath.Glob(full)
		if err != nil {
			continue
		}
		if len(got) == 0 {
			if _, err := os.Stat(filepath.Dir(full)); err != nil {
				res.missing = true
			}
			continue
		}
		sort.Strings(got)
		for _, g := range got {
			m := g
			if full != a {
				// back to the name as keepalived sees it
				if r, err := filepath.Rel(dir, g); err == nil {
					m = r
				}
			}
			if fi, err := os.Stat(g); err == nil && fi.IsDir() {
				m += "/"
			}
			res.matches = append(res.matches, m)
		}
	}
	return res
}

func hasMeta(s string) bool { return strings.ContainsAny(s, `*?[\`) }

func unescapeGlob(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// braceExpand expands the first top-level {a,b,...} group of s and recurses
// (glibc: an unmatched '{' is literal; `\` escapes). depth bounds the
// recursion on hostile input.
func braceExpand(s string, depth int) []string {
	if depth > 16 {
		return []string{s}
	}
	open := -1
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if s[i] == '{' {
			open = i
			break
		}
	}
	if open < 0 {
		return []string{s}
	}
	// find the matching '}' and the top-level commas
	level := 0
	commas := []int{}
	closeAt := -1
	for i := open + 1; i < len(s) && closeAt < 0; i++ {
		switch s[i] {
		case '\\':
			i++
		case '{':
			level++
		case '}':
			if level == 0 {
				closeAt = i
			} else {
				level--
			}
		case ',':
			if level == 0 {
				commas = append(commas, i)
			}
		}
	}
	if closeAt < 0 {
		return []string{s}
	}
	prefix, suffix := s[:open], s[closeAt+1:]
	var out []string
	start := open + 1
	for _, c := range append(commas, closeAt) {
		alt := s[start:c]
		start = c + 1
		for _, e := range braceExpand(prefix+alt+suffix, depth+1) {
			out = append(out, e)
			if len(out) > 4096 {
				return out
			}
		}
	}
	return out
}

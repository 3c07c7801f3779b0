package parser

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// sharedCorpus is the project's shared corpus of real configurations; it is
// not part of the repository, so tests that read it skip when it is absent.
const sharedCorpus = "../../shared/corpus"

// fuzzLimits keep one fuzz input cheap: the fuzzer looks for panics and
// hangs, not for the cost of legitimately huge expansions.
var fuzzLimits = limits{
	includeDepth:  4,
	substitutions: 2000,
	lineBytes:     1 << 16,
	lines:         20000,
	sourceDepth:   32,
	blockDepth:    64,
	fileBytes:     1 << 20,
	expandedBytes: 1 << 22,
	noIncludes:    true,
}

// FuzzParse feeds arbitrary text through the whole front end: no input may
// panic or hang, and every node and word must carry a position.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"vrrp_instance VI_1{ state MASTER\n virtual_ipaddress { 10.0.0.1/24 }\n}\n",
		"$M=a { \\\n b $X \\\n}\n~SEQ(X, 3) $M\n~LST({A,B},{1,2},{3}) x ${A}${B}\n",
		"@h a\n@^h b\n$A=${_RANDOM 1 3}${_PWD}${_HASH}\n\"q\"x\"y\" '\\#\n}}}{{{\n",
		"include *.conf\n~SEQx(i,0x10) $i\n$A=$A\n$A\n",
	} {
		f.Add(s)
	}
	addSeeds243(f)
	_ = filepath.WalkDir(sharedCorpus, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if b, err := os.ReadFile(path); err == nil {
				f.Add(string(b))
			}
		}
		return nil
	})
	f.Fuzz(func(t *testing.T, in string) {
		type result struct {
			file *File
			err  error
		}
		done := make(chan result, 1)
		go func() {
			file, _, err := parse("fuzz.conf", &in, Options{ConfigID: "h", randomSeed: 1}, fuzzLimits)
			done <- result{file, err}
		}()
		var r result
		select {
		case r = <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("parse hangs on %q", in)
		}
		file, err := r.file, r.err
		if err != nil {
			if strings.TrimSpace(in) != "" {
				t.Fatalf("error for non-empty input: %v", err)
			}
			return
		}
		var walk func([]*Node)
		walk = func(ns []*Node) {
			for _, n := range ns {
				if n.Pos.Line < 1 || n.Pos.Col < 1 || n.Pos.File == "" {
					t.Fatalf("node %q without position: %+v", n.Keyword, n.Pos)
				}
				for _, a := range n.Args {
					if a.Pos.Line < 1 || a.Pos.Col < 1 {
						t.Fatalf("word %q without position: %+v", a.Text, a.Pos)
					}
				}
				_ = SplitQuoted(n.Raw)
				if n.Block != nil {
					walk(n.Block.Nodes)
				}
			}
		}
		walk(file.Nodes)
	})
}

// TestFuzzFindings keeps each input the fuzzer found trouble with, by name,
// and checks it now parses quickly with the default limits.
func TestFuzzFindings(t *testing.T) {
	for _, tc := range []struct{ name, in string }{
		// A definition whose value starts with `~` stops substitution; a
		// line that uses it after other text grew by the value on every
		// recheck: quadratic, and with the default limits a hang.
		{"tilde value rechecked", "inc\n$4b\xa8lude *.c\n$A=~SEQx(i,0xx() $ion\xa5a\xa2h\xd4R\xa5$A\n$A\nf\n$A\n]\xde$A\n"},
		// Multi-line definitions referring to themselves.
		{"self-referencing multi-line definition", "$M=\\\n$M \\\n$M\n$M\n"},
		{"multi-line definition starting with itself", "$M=$M \\\n$M\n$M\n"},
		// Nested ~SEQ whose text only defines: no output, all work.
		{"nested seq without output", "~SEQ(i,100000) ~SEQ(j,100000) $X=1\n"},
		// Exponential growth through definitions.
		{"exponential definitions", "$A=xxxxxxxxxxxxxxxx\n$B=$A $A $A $A\n$C=$B $B $B $B\n$D=$C $C $C $C\n$E=$D $D $D $D\n$F=$E $E $E $E\n$G=$F $F $F $F\n$H=$G $G $G $G\n$I=$H $H $H $H\n$J=$I $I $I $I\n" + strings.Repeat("a $J\n", 100)},
		{"deep braces", strings.Repeat("{", 100000) + strings.Repeat("}", 100000)},
		// A run of lines interrupted by braces dropped past the depth
		// limit was taken as contiguous: index out of range.
		{"lines around dropped braces", "$i=00$\xff\n~SEQ((X X,34)${[,34)${[j][j"},
		{"lines around dropped braces, plainly", strings.Repeat("a {\n", 300) + "b\n{\nc\n" + strings.Repeat("}\n", 300)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			_, _, err := ParseString("fuzz.conf", tc.in, Options{ConfigID: "h"})
			if err != nil {
				t.Fatal(err)
			}
			if el := time.Since(start); el > 15*time.Second {
				t.Errorf("took %v", el)
			}
		})
	}
}

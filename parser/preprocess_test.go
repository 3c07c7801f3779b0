package parser

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Reference section 1.6: definitions and substitution.
func TestPreprocessDefinitions(t *testing.T) {
	runLexCases(t, []lexCase{
		{name: "define and use", in: "$P=150\npriority $P\n", want: "2:1 priority 150@10\n"},
		{name: "braced use glued", in: "$N=1\nvirtual_router_id ${N}0\n", want: "2:1 virtual_router_id 10@19\n"},
		{name: "unbraced needs a terminator", in: "$N=1\na $Nx $N, $N)\n", want: "2:1 a $Nx@3 1,@7 1)@11\n"},
		{name: "blank before = is no definition", in: "$X = 1\n", want: "1:1 $X =@4 1@6\n"},
		{name: "blanks after = skipped, value may be empty", in: "$A=   x y\n$E=\na $A$E.\nb ${E}c\n",
			want: "3:1 a $A$E.@3\n4:1 b c@7\n"},
		{name: "undefined left alone (and its braces split)", in: "a $UNDEF ${UNDEF}\n", want: "1:1 a $UNDEF@3 $@10\n  1:12 UNDEF\n"},
		{name: "recursive at use time", in: "$A=$B x\n$B=1\na $A\n", want: "3:1 a 1@3 x@3\n"},
		{name: "redefinition", in: "$A=1\n$A=2\na $A\n", want: "3:1 a 2@3\n"},
		{name: "value with braces splits", in: "$B=b { c }\n$B\n", want: "2:1 b\n  2:1 c\n"},
		{name: "definition behind @id", in: "@h $P=1\n@x $P=2\na $P\n", want: "3:1 a 1@3\n"},
		{name: "reference expanding to @id", in: "$L=@x a\n$L\n$M=@h b\n$M\n", want: "4:1 b\n"},
		{name: "predefined names", in: "a ${_INSTANCE} $_BANG\n", want: "1:1 a h@3\n"},
		{name: "predefined overridden", in: "$_INSTANCE=z\na $_INSTANCE\n", want: "2:1 a z@3\n"},
		{name: "random in range", in: "a ${_RANDOM 7 7}\n", want: "1:1 a 7@3\n"},
		{name: "parameters only for _RANDOM", in: "$A=1\na ${A 2}\n", want: "2:1 a $@3\n  2:5 A 2@7\n"},
		{name: "self reference is bounded",
			in:    "$A=$A\na $A\nb\n",
			want:  "3:1 b\n",
			diags: []string{"2:3: error: parameter substitution does not terminate (more than 100000 replacements on one line): line ignored"}},
	}, Options{ConfigID: "h"})
}

// Reference section 1.6: multi-line definitions.
func TestPreprocessMultiline(t *testing.T) {
	runLexCases(t, []lexCase{
		{name: "block from a definition",
			in: "$I=vrrp_instance VI_$N { \\\n  priority $P \\\n\\\n}\n" +
				"$N=1\n$P=100\n$I\n$N=2\n$P=50\n$I\n",
			want: "7:1 vrrp_instance VI_1@1\n  7:1 priority 100@1\n" +
				"10:1 vrrp_instance VI_2@1\n  10:1 priority 50@1\n"},
		{name: "blank line ends it", in: "$M=a \\\nb \\\n\nc\n$M\n", want: "4:1 c\n5:1 a\n5:1 b\n"},
		{name: "comment lines inside are skipped", in: "$M=a \\\n# x\nb\n$M\n", want: "4:1 a\n4:1 b\n"},
		{name: "only at the end of a line", in: "$M=a \\\nb\nx $M y\nx $M\n", want: "3:1 x $M@3 y@6\n4:1 x a@3\n4:3 b\n"},
		{name: "nested multi-line", in: "$A=a1 \\\na2\n$B=b1 \\\n$A \\\nb3\n$B\n",
			want: "6:1 b1\n6:1 a1\n6:1 a2\n6:1 b3\n"},
		{name: "comment ending in backslash continues", in: "$M=a # c \\\nb\n$M\n", want: "3:1 a\n3:1 b\n"},
	}, Options{ConfigID: "h"})
}

// Reference section 1.7: @id and @^id lines.
func TestPreprocessConfigID(t *testing.T) {
	in := "@high priority 150\n@low priority 50\n@^high state BACKUP\n@high\nrouter_id x\n  @high  nested 1\n"
	for _, tc := range []struct{ id, want string }{
		{"high", "1:7 priority 150@16\n5:1 router_id x@11\n6:10 nested 1@17\n"},
		{"low", "2:6 priority 50@15\n3:8 state BACKUP@14\n5:1 router_id x@11\n"},
		{"other", "3:8 state BACKUP@14\n5:1 router_id x@11\n"},
		{"hig", "3:8 state BACKUP@14\n5:1 router_id x@11\n"},
	} {
		f, _, err := ParseString("k.conf", in, Options{ConfigID: tc.id})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, render(f.Nodes)); diff != "" {
			t.Errorf("config id %q (-want +got):\n%s", tc.id, diff)
		}
	}
	if DefaultConfigID() == "" || strings.Contains(DefaultConfigID(), ".") {
		t.Errorf("DefaultConfigID() = %q", DefaultConfigID())
	}
}

// Reference section 1.8: ~SEQ and ~LST.
func TestPreprocessSeq(t *testing.T) {
	runLexCases(t, []lexCase{
		{name: "end only", in: "~SEQ(i, 3) a $i\n", want: "1:12 a 1@14\n1:12 a 2@14\n1:12 a 3@14\n"},
		{name: "end only negative", in: "~SEQ(i,-2) a $i\n", want: "1:12 a -1@14\n1:12 a -2@14\n"},
		{name: "end zero counts down from 1", in: "~SEQ(i,0) a $i\n", want: "1:11 a 1@13\n1:11 a 0@13\n"},
		{name: "start end", in: "~SEQ(i, 5, 3) a $i\n", want: "1:15 a 5@17\n1:15 a 4@17\n1:15 a 3@17\n"},
		{name: "start step end", in: "~SEQ(i, 0, 5, 12) a $i\n", want: "1:19 a 0@21\n1:19 a 5@21\n1:19 a 10@21\n"},
		{name: "hex and C numbers", in: "~SEQx(i, 0x9, 0xb) a $i\n", want: "1:20 a 9@22\n1:20 a a@22\n1:20 a b@22\n"},
		{name: "parameters from definitions", in: "$E=2\n~SEQ(i, $E) a $i\n", want: "2:13 a 1@15\n2:13 a 2@15\n"},
		{name: "nested outer first", in: "~SEQ(i,2) ~SEQ(j,2) a ${i}${j} $i$j\n",
			want: "1:21 a 11@23 $i1@32\n1:21 a 12@23 $i2@32\n1:21 a 21@23 $i1@32\n1:21 a 22@23 $i2@32\n"},
		{name: "with a multi-line definition", in: "$B=b $i { \\\nc $i }\n~SEQ(i,2) $B\n",
			want: "3:11 b 1@11\n  3:11 c 1@11\n3:11 b 2@11\n  3:11 c 2@11\n"},
		{name: "wrong step", in: "~SEQ(i, 1, -1, 3) a\n", want: "",
			diags: []string{"1:1: error: Invalid ~SEQ values '~SEQ(i, 1, -1, 3) a'"}},
		{name: "zero step", in: "~SEQ(i, 1, 0, 3) a\n", want: "",
			diags: []string{"1:1: error: Invalid ~SEQ values '~SEQ(i, 1, 0, 3) a'"}},
		{name: "hex of negative", in: "~SEQx(i, -1, 3) a\n", want: "",
			diags: []string{"1:1: error: ~SEQx is only valid for positive numbers '~SEQx(i, -1, 3) a'"}},
		{name: "no parenthesis", in: "~SEQ i a\n", want: "",
			diags: []string{"1:1: error: Invalid ~SEQ specification '~SEQ i a'"}},
		{name: "no close", in: "~SEQ(i, 3 a\n", want: "",
			diags: []string{"1:1: error: Invalid ~SEQ definition '~SEQ(i, 3 a'"}},
		{name: "huge is refused", in: "~SEQ(i, 1, 1000000000000) a\n", want: "",
			diags: []string{"1:1: error: ~SEQ would repeat its line 1000000000000 times (more than 1048576): ignored"}},
		{name: "list", in: "~LST(v, a, b) x $v\n", want: "1:15 x a@17\n1:15 x b@17\n"},
		{name: "list of tuples", in: "~LST({A,B}, {1,2}, {3}) x ${A}-${B}. $A-\n",
			want: "1:25 x 1-2.@27 $A-@38\n1:25 x 3-.@27 $A-@38\n"},
		{name: "list too many values", in: "~LST({A}, {1,2}) x\n", want: "",
			diags: []string{"1:1: error: ~LST specification has too many values '~LST({A}, {1,2}) x'"}},
		{name: "list invalid", in: "~LST(v a) x\n", want: "",
			diags: []string{"1:1: error: Invalid ~LST specification '~LST(v a) x'"}},
		{name: "other tilde lines are not substituted", in: "$A=1\n~x $A\n", want: "2:1 ~x $A@4\n"},
	}, Options{ConfigID: "h"})
}

// writeTree creates files (path -> content) under a new temp dir.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// renderFiles is render with file names relative to dir.
func renderFiles(nodes []*Node, dir string) string {
	var b strings.Builder
	var walk func(ns []*Node, indent string)
	walk = func(ns []*Node, indent string) {
		for _, n := range ns {
			rel, err := filepath.Rel(dir, n.Pos.File)
			if err != nil || strings.HasPrefix(rel, "..") {
				rel = n.Pos.File
			}
			b.WriteString(indent + rel + ":" + itoa(n.Pos.Line) + " " + n.Keyword)
			for _, a := range n.Args {
				b.WriteString(" " + a.Text)
			}
			b.WriteString("\n")
			if n.Block != nil {
				walk(n.Block.Nodes, indent+"  ")
			}
		}
	}
	walk(nodes, "")
	return b.String()
}

func itoa(i int) string { return strconv.Itoa(i) }

// Reference section 1.9: include.
func TestPreprocessInclude(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"main.conf":      "a 1\ninclude sub/*.conf\nvrrp_instance X {\n  include inst.inc\n}\ninclude {b,c}.conf\ninclude nothing/*.conf\nz 9\n",
		"sub/01.conf":    "s1 ${_PWD}\ninclude rel.inc\n",
		"sub/02.conf":    "s2\n",
		"sub/rel.inc":    "in-sub\n",
		"sub/skip.txt":   "never\n",
		"inst.inc":       "priority 5\n",
		"b.conf":         "bee\n",
		"c.conf":         "cee\n",
		"loop/self.conf": "x\ninclude self.conf\n",
		"loop/a.conf":    "include b.conf\n",
		"loop/b.conf":    "include a.conf\n",
		"depth/d.conf":   "$N=1\ninclude e.conf\n",
		"depth/e.conf":   "include e.conf\n",
		"strict/m.conf":  "includem missing.conf\ninclude missing.conf\nincludew none*.conf\nincludeb {x,missing}.conf\n",
		"strict/x.conf":  "xx\n",
		"check/g.conf":   "global_defs {\n include_check match\n}\ninclude missing.conf\n",
		"dirs/main.conf": "include d\ninclude exe.conf\n",
		"dirs/d/f":       "",
		"dirs/exe.conf":  "e\n",
		"quoted/q.conf":  "include \"x.conf\"\n",
		"quoted/x.conf":  "x\n",
		"sorted/m.conf":  "include s/*\n",
		"sorted/s/b":     "b\n",
		"sorted/s/a":     "a\n",
		"sorted/s/a-b":   "ab\n",
		"subst/m.conf":   "$F=x.conf\ninclude $F\n",
		"subst/x.conf":   "fromvar\n",
	})
	if err := os.Chmod(filepath.Join(dir, "dirs/exe.conf"), 0o755); err != nil {
		t.Fatal(err)
	}
	parse := func(name string) (*File, []string) {
		t.Helper()
		f, diags, err := Parse(filepath.Join(dir, name), Options{ConfigID: "h"})
		if err != nil {
			t.Fatal(err)
		}
		var ds []string
		for _, d := range diags {
			rel, _ := filepath.Rel(dir, d.Pos.File)
			ds = append(ds, rel+":"+itoa(d.Pos.Line)+": "+d.Severity.String()+": "+strings.ReplaceAll(d.Msg, dir+"/", ""))
		}
		return f, ds
	}
	t.Run("glob, nesting, relative rule, braces", func(t *testing.T) {
		f, ds := parse("main.conf")
		want := "main.conf:1 a 1\n" +
			"sub/01.conf:1 s1 " + filepath.Join(dir, "sub") + "\n" +
			"sub/rel.inc:1 in-sub\n" +
			"sub/02.conf:1 s2\n" +
			"main.conf:3 vrrp_instance X\n" +
			"  inst.inc:1 priority 5\n" +
			"b.conf:1 bee\n" +
			"c.conf:1 cee\n" +
			"main.conf:8 z 9\n"
		if diff := cmp.Diff(want, renderFiles(f.Nodes, dir)); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"main.conf:7: warning: Config files missing 'nothing/*.conf'."}, ds); diff != "" {
			t.Errorf("findings (-want +got):\n%s", diff)
		}
	})
	t.Run("cycle to itself", func(t *testing.T) {
		f, ds := parse("loop/self.conf")
		if got := renderFiles(f.Nodes, dir); got != "loop/self.conf:1 x\n" {
			t.Errorf("got %q", got)
		}
		want := []string{"loop/self.conf:2: error: include cycle: 'self.conf' is already being read (it includes itself, directly or through other files): skipped"}
		if diff := cmp.Diff(want, ds); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("cycle through another file", func(t *testing.T) {
		_, ds := parse("loop/a.conf")
		want := []string{"loop/b.conf:1: error: include cycle: 'a.conf' is already being read (it includes itself, directly or through other files): skipped"}
		if diff := cmp.Diff(want, ds); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("strict variants", func(t *testing.T) {
		_, ds := parse("strict/m.conf")
		want := []string{
			"strict/m.conf:1: error: Config files missing 'missing.conf'.",
			"strict/m.conf:2: warning: Config files missing 'missing.conf'.",
			"strict/m.conf:3: error: No config files matched 'none*.conf'.",
			"strict/m.conf:4: error: Some config files missing: \"{x,missing}.conf\".",
		}
		if diff := cmp.Diff(want, ds); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("include_check in global_defs", func(t *testing.T) {
		_, ds := parse("check/g.conf")
		want := []string{"check/g.conf:4: error: Config files missing 'missing.conf'."}
		if diff := cmp.Diff(want, ds); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("directories and executables skipped", func(t *testing.T) {
		f, ds := parse("dirs/main.conf")
		if len(f.Nodes) != 0 {
			t.Errorf("nodes: %s", renderFiles(f.Nodes, dir))
		}
		want := []string{
			"dirs/main.conf:1: warning: Configuration file 'd/' is a directory - skipping",
			"dirs/main.conf:2: warning: Configuration file 'exe.conf' is not a regular non-executable file - skipping",
		}
		if diff := cmp.Diff(want, ds); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("quotes are part of the pattern", func(t *testing.T) {
		_, ds := parse("quoted/q.conf")
		want := []string{"quoted/q.conf:1: warning: Config files missing '\"x.conf\"'."}
		if diff := cmp.Diff(want, ds); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("glob order is sorted", func(t *testing.T) {
		f, _ := parse("sorted/m.conf")
		want := "sorted/s/a:1 a\nsorted/s/a-b:1 ab\nsorted/s/b:1 b\n"
		if diff := cmp.Diff(want, renderFiles(f.Nodes, dir)); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("substituted pattern", func(t *testing.T) {
		f, _ := parse("subst/m.conf")
		if got := renderFiles(f.Nodes, dir); got != "subst/x.conf:1 fromvar\n" {
			t.Errorf("got %q", got)
		}
	})
	t.Run("depth bound", func(t *testing.T) {
		chain := map[string]string{}
		for k := 0; k < 40; k++ {
			chain[fmt.Sprintf("c%02d.conf", k)] = fmt.Sprintf("l%d\ninclude c%02d.conf\n", k, k+1)
		}
		cdir := writeTree(t, chain)
		f, diags, err := Parse(filepath.Join(cdir, "c00.conf"), Options{ConfigID: "h"})
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Nodes) != 32 || f.Nodes[31].Keyword != "l31" {
			t.Errorf("read %d files, want 32", len(f.Nodes))
		}
		want := []string{"2:1: error: includes nested deeper than 32 files: 'c32.conf' skipped"}
		if diff := cmp.Diff(want, diagStrings(diags)); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
}

// The relative rule: a main file named without a '/' resolves includes
// against the working directory.
func TestPreprocessIncludeRelativeToCwd(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"top.conf":   "include inc/a.conf\n",
		"inc/a.conf": "include b.conf\n",
		"inc/b.conf": "b ${_PWD}\n",
	})
	t.Chdir(dir)
	f, diags, err := Parse("top.conf", Options{ConfigID: "h"})
	if err != nil {
		t.Fatal(err)
	}
	if len(diags) != 0 {
		t.Errorf("findings %v", diagStrings(diags))
	}
	want := "1:1 b " + filepath.Join(dir, "inc") + "@3\n"
	if diff := cmp.Diff(want, render(f.Nodes)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if f.Nodes[0].Pos.File != "inc/b.conf" {
		t.Errorf("file name %q", f.Nodes[0].Pos.File)
	}
}

func TestParseMainFileErrors(t *testing.T) {
	dir := writeTree(t, map[string]string{"empty.conf": "", "blank.conf": "\n \n", "comments.conf": "# only\n"})
	for _, name := range []string{"missing.conf", ".", "empty.conf", "blank.conf"} {
		if _, _, err := Parse(filepath.Join(dir, name), Options{}); err == nil {
			t.Errorf("Parse(%s): no error", name)
		}
	}
	if _, _, err := Parse(filepath.Join(dir, "comments.conf"), Options{}); err != nil {
		t.Errorf("a file of comments is a (empty) configuration: %v", err)
	}
}

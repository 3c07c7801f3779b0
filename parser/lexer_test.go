package parser

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// lexCase is one snippet and the tree (see render) and findings it gives.
type lexCase struct {
	name  string
	in    string
	want  string   // render() of the nodes
	diags []string // diagStrings() of the findings, nil for none
}

func runLexCases(t *testing.T, cases []lexCase, opts Options) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, diags, err := ParseString("k.conf", tc.in, opts)
			if err != nil {
				t.Fatalf("ParseString: %v", err)
			}
			if diff := cmp.Diff(strings.TrimLeft(tc.want, "\n"), render(f.Nodes)); diff != "" {
				t.Errorf("tree (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.diags, diagStrings(diags)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

// Reference section 1.2: comments.
func TestLexComments(t *testing.T) {
	runLexCases(t, []lexCase{
		{name: "hash line", in: "# c\nrouter_id a\n", want: "2:1 router_id a@11\n"},
		{name: "bang line", in: "! c\nrouter_id a\n", want: "2:1 router_id a@11\n"},
		{name: "glued bang", in: "interface eth0!x\n", want: "1:1 interface eth0@11\n"},
		{name: "glued hash", in: "virtual_router_id 51#x\n", want: "1:1 virtual_router_id 51@19\n"},
		{name: "comment after blanks", in: "  priority 100   # high\n", want: "1:3 priority 100@12\n"},
		{name: "hash inside double quotes", in: `script "/bin/a #1 !2"` + "\n", want: "1:1 script \"/bin/a #1 !2\"@8\n"},
		{name: "single quotes do not protect", in: "router_id 'a#b'\n", want: "1:1 router_id 'a@11\n"},
		{name: "commented-out keyword", in: "\t!nopreempt\n\tpriority 1\n", want: "2:2 priority 1@11\n"},
		{name: "escaped hash is a comment in 2.2.7's VRRP process",
			in:    "virtual_router_id 6\\#z\n",
			want:  "1:1 virtual_router_id 6@19\n",
			diags: []string{"1:20: warning: keepalived 2.2.7's VRRP process reads an escaped '#' or '!' as the start of a comment: the rest of the line is ignored; use double quotes to keep it"}},
		{name: "escaped hash inside quotes stays", in: `a "x\#y"` + "\n", want: "1:1 a \"x\\\\#y\"@3\n"},
		{name: "hash from _HASH truncates", in: "priority 5${_HASH}x\n", want: "1:1 priority 5@10\n"},
		{name: "CRLF line ends", in: "a b\r\nc d\r\n", want: "1:1 a b@3\n2:1 c d@3\n"},
		{name: "NUL ends the line", in: "a b\x00c\nd\n", want: "1:1 a b@3\n2:1 d\n"},
	}, Options{ConfigID: "h"})
}

// Reference section 1.2/1.3: quoting.
func TestLexQuotes(t *testing.T) {
	runLexCases(t, []lexCase{
		{name: "quoted word keeps blanks", in: `notify "/bin/x a  b"` + "\n", want: "1:1 notify \"/bin/x a  b\"@8\n"},
		{name: "quote inside a word ends it", in: `a ab"c d"e` + "\n", want: "1:1 a ab@3 \"c d\"@5 e@10\n"},
		{name: "empty quoted word", in: `a "" b` + "\n", want: "1:1 a \"\"@3 b@6\n"},
		{name: "quoted keyword", in: `"priority" 5` + "\n", want: "1:1 priority 5@12\n"},
		{name: "unterminated quote",
			in:   "script \"/bin/a b\nx\n",
			want: "1:1 script\n2:1 x\n",
			diags: []string{
				"1:8: error: Unterminated quote 'script \"/bin/a b'",
				"1:8: error: Unmatched quote: 'script \"/bin/a b'",
			}},
		{name: "quote opened in a comment is ignored", in: "a b # \"\n", want: "1:1 a b@3\n"},
	}, Options{ConfigID: "h"})
}

// Reference section 1.4: braces.
func TestLexBraces(t *testing.T) {
	runLexCases(t, []lexCase{
		{name: "glued open brace", in: "vrrp_instance VI_1{\n state MASTER\n}\n",
			want: "1:1 vrrp_instance VI_1@15\n  2:2 state MASTER@8\n"},
		{name: "brace on next line", in: "global_defs\n{\n router_id a\n}\n",
			want: "1:1 global_defs\n  3:2 router_id a@12\n"},
		{name: "one-line value block", in: "virtual_ipaddress { 10.0.0.1/24 }\n",
			want: "1:1 virtual_ipaddress\n  1:21 10.0.0.1/24\n"},
		{name: "one-line block with two entries split on braces only", in: "a { b c } d\n",
			want: "1:1 a\n  1:5 b c@7\n1:11 d\n"},
		{name: "brace inside quotes is text", in: `notify "/bin/x {a}"` + "\n", want: "1:1 notify \"/bin/x {a}\"@8\n"},
		{name: "nested", in: "a {\n b {\n  c\n }\n}\n", want: "1:1 a\n  2:2 b\n    3:3 c\n"},
		{name: "extra close", in: "a {\n}\n}\nb\n", want: "1:1 a\n4:1 b\n",
			diags: []string{"3:1: error: Extra '}' found"}},
		{name: "missing closes", in: "a {\n b {\n c\n", want: "1:1 a\n  2:2 b\n    3:2 c\n",
			diags: []string{"1:3: error: There are 2 missing '}'s or extra '{'s"}},
		{name: "stray open", in: "a {\n}\n{\n b\n}\nc\n", want: "1:1 a\n4:2 b\n6:1 c\n",
			diags: []string{"3:1: error: Unexpected '{' - ignoring"}},
		{name: "stray open at start", in: "{ b }\n", want: "1:3 b\n",
			diags: []string{"1:1: error: Unexpected '{' - ignoring"}},
		{name: "close then text on one line", in: "a {\nb } c\n", want: "1:1 a\n  2:1 b\n2:5 c\n"},
		{name: "empty block", in: "a {\n}\nb { }\n", want: "1:1 a\n3:1 b\n"},
		{name: "stray block holding a block", in: "{\n a {\n  b\n }\n}\n", want: "2:2 a\n  3:3 b\n",
			diags: []string{"1:1: error: Unexpected '{' - ignoring"}},
		{name: "unclosed block of lines", in: "a {\n b\n", want: "1:1 a\n  2:2 b\n",
			diags: []string{"1:3: error: There are 1 missing '}'s or extra '{'s"}},
	}, Options{ConfigID: "h"})
}

// Reference section 1.3: one keyword per line; the raw line is kept.
func TestLexRaw(t *testing.T) {
	f, _, err := ParseString("k.conf", "vrrp_script c {\n  script   \"/bin/x 'a b'\" u  # c\n}\n", Options{ConfigID: "h"})
	if err != nil {
		t.Fatal(err)
	}
	n := f.Nodes[0].Block.Nodes[0]
	if got, want := n.Raw, `script   "/bin/x 'a b'" u`; got != want {
		t.Errorf("Raw = %q, want %q", got, want)
	}
	if got := f.Nodes[0].Raw; got != "vrrp_script c" {
		t.Errorf("Raw of block line = %q", got)
	}
	if got := SplitQuoted(n.Raw); !cmp.Equal(got, []string{"script", "/bin/x 'a b'", "u"}) {
		t.Errorf("SplitQuoted(Raw) = %q", got)
	}
	b := f.Nodes[0].Block
	if b.Open.Line != 1 || b.Open.Col != 15 || b.Close.Line != 3 || b.Close.Col != 1 {
		t.Errorf("block braces at %v and %v", b.Open, b.Close)
	}
}

// Reference sections 1.3 and 4.5: keepalived's shell-like script tokenizer.
func TestSplitQuoted(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{`script "/bin/pidof haproxy"`, []string{"script", "/bin/pidof haproxy"}},
		{`a 'b c' "d e"`, []string{"a", "b c", "d e"}},
		{`ab"c d"e`, []string{"abc de"}},
		{`a"'"b`, []string{"a'b"}},
		{`'a"b'`, []string{`a"b`}},
		{`a\ b`, []string{"a b"}},
		{`"a\"b"`, []string{`a"b`}},
		{`\t\n\a\b\E\f\r\v`, []string{"\t\n\a\b\x1b\f\r\v"}},
		{`\101\0\7777`, []string{"A\x00\xff7"}},
		{`\x41\x4a4b`, []string{"AK"}}, // each hex digit shifts a C char: 0x4a4b wraps to 0x4b
		{`\xg`, []string{"xg"}},
		{`\cA\c[`, []string{"\x01\x1b"}},
		{`\q`, []string{"q"}},
		{`a "" b`, []string{"a", "", "b"}},
		{"  a \t b  ", []string{"a", "b"}},
		{"", nil},
		{`a "b`, nil},
		{`a 'b`, nil},
		{`a \`, nil},
	} {
		if got := SplitQuoted(tc.in); !cmp.Equal(got, tc.want) {
			t.Errorf("SplitQuoted(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// Lines longer than keepalived's buffer are read whole, with a warning.
func TestLexLongLine(t *testing.T) {
	long := strings.Repeat("x", 2000)
	f, diags, err := ParseString("k.conf", "a "+long+"\nb\n", Options{ConfigID: "h"})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Nodes) != 2 || f.Nodes[0].Args[0].Text != long {
		t.Fatalf("long line not kept whole: %s", render(f.Nodes))
	}
	want := []string{"1:1024: warning: line is 2002 bytes long: keepalived 2.2.7 reads lines in pieces of 1023 bytes and would split it here"}
	if diff := cmp.Diff(want, diagStrings(diags)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// 1022 bytes + newline fits keepalived's buffer: no warning
	_, diags, _ = ParseString("k.conf", "a "+strings.Repeat("y", 1020)+"\n", Options{ConfigID: "h"})
	if len(diags) != 0 {
		t.Errorf("unexpected findings %v", diagStrings(diags))
	}
}

func TestParseEmptyIsError(t *testing.T) {
	for _, in := range []string{"", "  \n\t\n"} {
		if _, _, err := ParseString("k.conf", in, Options{}); err == nil {
			t.Errorf("ParseString(%q): no error", in)
		}
	}
}

// Block brace positions survive the Leaf token (a block of lines only).
func TestLexBlockPositions(t *testing.T) {
	f, _, err := ParseString("k.conf", "a {\n b\n  }\nc {\n d {\n }\n}\n", Options{ConfigID: "h"})
	if err != nil {
		t.Fatal(err)
	}
	type pp struct{ open, close [2]int }
	got := []pp{}
	var walk func([]*Node)
	walk = func(ns []*Node) {
		for _, n := range ns {
			if n.Block != nil {
				b := n.Block
				got = append(got, pp{[2]int{b.Open.Line, b.Open.Col}, [2]int{b.Close.Line, b.Close.Col}})
				walk(b.Nodes)
			}
		}
	}
	walk(f.Nodes)
	want := []pp{{[2]int{1, 3}, [2]int{3, 3}}, {[2]int{4, 3}, [2]int{7, 1}}, {[2]int{5, 4}, [2]int{6, 2}}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(pp{})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

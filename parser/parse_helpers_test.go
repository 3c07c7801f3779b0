package parser

import (
	"fmt"
	"strings"

	"github.com/keepalived-go/keepalived/config"
)

// render prints nodes one per line as `L:C keyword arg "quoted"`, blocks
// indented, so tests compare a readable picture of the tree.
func render(nodes []*Node) string {
	var b strings.Builder
	var walk func(ns []*Node, indent string)
	walk = func(ns []*Node, indent string) {
		for _, n := range ns {
			fmt.Fprintf(&b, "%s%d:%d %s", indent, n.Pos.Line, n.Pos.Col, n.Keyword)
			for _, a := range n.Args {
				if a.Quoted {
					fmt.Fprintf(&b, " %q@%d", a.Text, a.Pos.Col)
				} else {
					fmt.Fprintf(&b, " %s@%d", a.Text, a.Pos.Col)
				}
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

// diagStrings formats findings as `LINE:COL: severity: message`.
func diagStrings(ds config.Diagnostics) []string {
	var out []string
	for _, d := range ds {
		out = append(out, fmt.Sprintf("%d:%d: %s: %s", d.Pos.Line, d.Pos.Col, d.Severity, d.Msg))
	}
	return out
}

package parser

// Keywords of keepalived-go's own, in keepalived's blocks. keepalived
// 2.2.7 reports each as an unknown keyword, skips it and runs, so a
// configuration that uses them still runs under keepalived.

// ourGlobalKeywords are our global_defs keywords.
var ourGlobalKeywords = []string{
	// keepalived_go_strict_config [BOOL]: refuse, at start, a
	// configuration with any error (as --strict-config does), instead of
	// running it with keepalived's corrections.
	"keepalived_go_strict_config",
}

func init() { globalKeywords = append(globalKeywords, ourGlobalKeywords...) }

// ourGlobal lowers one of ourGlobalKeywords; it reports whether n was one.
func (l *lowerer) ourGlobal(n *Node) bool {
	switch n.Keyword {
	case "keepalived_go_strict_config":
		if v, ok := l.optBool(n, "Invalid value '%s' for keepalived_go_strict_config: it takes no value, or one of yes|no|true|false|on|off", argText(n, 0)); ok {
			l.cfg.Global.StrictConfig = v
		}
		return true
	}
	return false
}

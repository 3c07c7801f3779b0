package parser

import (
	"regexp"
	"strings"

	"github.com/keepalived-go/keepalived/config"
)

// Script-bearing keywords (vrrp_script `script`, notify*, fifo scripts,
// startup/shutdown scripts) re-tokenise the raw line with keepalived's
// shell-like tokenizer, and only the second word is the command; it is
// tokenised again into argv (reference section 4.5). Words 3 and 4 of the
// notify-style keywords are USER and GROUP.

// userLike matches what can plausibly be a user or group name.
var userLike = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9._-]*\$?$`)

// command lowers a script-bearing line. withUser says whether words 3 and
// 4 are a user and group (notify*, fifo, startup/shutdown scripts) or are
// ignored (vrrp_script `script`).
func (l *lowerer) command(n *Node, withUser bool) *config.Command {
	words := SplitQuoted(n.Raw)
	if len(words) == 0 {
		// No raw line (a hand-built node): the parsed words will do.
		words = append(words, n.Keyword)
		for _, a := range n.Args {
			words = append(words, a.Text)
		}
	}
	// Raw holds the keyword itself first; tolerate a Raw without it.
	if len(words) > 0 && words[0] != n.Keyword && len(n.Args) > 0 && len(words) == len(n.Args) {
		words = append([]string{n.Keyword}, words...)
	}
	if len(words) < 2 || len(n.Args) == 0 {
		l.need(n, 1)
		return nil
	}
	cmdText := words[1]
	argv := SplitQuoted(cmdText)
	pos := argPos(n, 0)
	if len(argv) == 0 {
		l.errorf(pos, "empty command for `%s`", n.Keyword)
		return nil
	}
	c := &config.Command{Pos: pos, Raw: cmdText, Argv: argv}
	rest := words[2:]
	quoted := len(n.Args) > 0 && n.Args[0].Quoted
	restPos := argPos(n, 1)
	if !withUser {
		if len(rest) > 0 {
			l.ourWarnf(restPos, "keepalived runs only the second word of the line as the command: `%s` is silently dropped; quote the whole command: %s \"%s %s\"",
				strings.Join(rest, " "), n.Keyword, cmdText, strings.Join(rest, " "))
		}
		return c
	}
	if len(rest) >= 1 {
		c.User = rest[0]
		switch {
		case !quoted && len(argv) == 1 && !userLike.MatchString(rest[0]):
			l.ourWarnf(restPos, "`%s` is taken as the user to run `%s` as, not as an argument (keepalived drops the script when no such user exists); quote the command: %s \"%s %s\"",
				rest[0], cmdText, n.Keyword, cmdText, strings.Join(rest, " "))
		case !quoted && len(argv) == 1:
			l.noticef(restPos, "`%s` runs as user `%s`%s; if `%s` was meant as an argument, quote the command: %s \"%s %s\"",
				cmdText, rest[0], groupNote(rest), rest[0], n.Keyword, cmdText, strings.Join(rest, " "))
		}
	}
	if len(rest) >= 2 {
		c.Group = rest[1]
	}
	if len(rest) > 2 {
		l.ourWarnf(argPos(n, 3), "extra words `%s` after the user and group of `%s` are silently ignored",
			strings.Join(rest[2:], " "), n.Keyword)
	}
	return c
}

func groupNote(rest []string) string {
	if len(rest) >= 2 {
		return " and group `" + rest[1] + "`"
	}
	return ""
}

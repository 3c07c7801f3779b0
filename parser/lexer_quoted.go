package parser

import "strings"

// SplitQuoted splits a script line the way keepalived's
// alloc_strvec_quoted_escaped does (reference 1.3 and 4.5): words are
// separated by white space; both `"` and `'` quote, and quotes may be glued
// to other text (`ab"c d"e` is the one word `abc de`); a backslash escapes,
// inside quotes too: \a \b \E (ESC) \f \n \r \t \v, \NNN (up to three octal
// digits), \xHH... (all the hex digits that follow), \cC (control-C), and
// \<any other> for that character. It returns nil for a line keepalived
// rejects: an unterminated quote or a trailing lone backslash.
func SplitQuoted(s string) []string {
	var words []string
	i := 0
	var b strings.Builder
	for {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i >= len(s) {
			break
		}
		b.Reset()
		var quote byte
	word:
		for i < len(s) {
			c := s[i]
			switch {
			case c == '\\':
				i++
				if i >= len(s) {
					return nil // missing escape char at end
				}
				var ch byte
				ch, i = unescape(s, i)
				b.WriteByte(ch)
			case quote != 0:
				if c == quote {
					quote = 0
				} else {
					b.WriteByte(c)
				}
				i++
			case c == '"' || c == '\'':
				quote = c
				i++
			case isSpace(c):
				break word
			default:
				b.WriteByte(c)
				i++
			}
		}
		if quote != 0 {
			return nil // missing terminating quote
		}
		words = append(words, b.String())
	}
	return words
}

// unescape decodes the escape whose first byte (after the backslash) is
// s[i]; it returns the byte and the offset after the escape. Values wrap
// to a byte as C's char arithmetic does.
func unescape(s string, i int) (byte, int) {
	c := s[i]
	switch {
	case c == 'x' && i+1 < len(s) && isHex(s[i+1]):
		var v byte
		i++
		for i < len(s) && isHex(s[i]) {
			d, _ := digitVal(s[i])
			v = v<<4 | byte(d)
			i++
		}
		return v, i
	case c == 'c' && i+1 < len(s):
		return s[i+1] & 0x1f, i + 2
	case c >= '0' && c <= '7':
		v := c - '0'
		i++
		for k := 0; k < 2 && i < len(s) && s[i] >= '0' && s[i] <= '7'; k++ {
			v = v<<3 + (s[i] - '0')
			i++
		}
		return v, i
	}
	switch c {
	case 'a':
		c = '\a'
	case 'b':
		c = '\b'
	case 'E':
		c = 0x1b
	case 'f':
		c = '\f'
	case 'n':
		c = '\n'
	case 'r':
		c = '\r'
	case 't':
		c = '\t'
	case 'v':
		c = '\v'
	}
	return c, i + 1
}

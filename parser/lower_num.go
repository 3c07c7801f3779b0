package parser

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Numbers as keepalived 2.2.7 reads them under -t (lib/parser.c
// read_int_func, read_unsigned_func, read_decimal_unsigned_long_func):
// decimal only, no trailing junk, a leading '-' is "negative" for unsigned
// values, decimal seconds with up to 6 places (more are rounded with an
// error).

// numError is keepalived's message for a bad number, "" when it is fine.
func checkInt(s string, min, max int64, signed bool) (int64, string) {
	t := strings.TrimLeft(s, " \t")
	if !signed && strings.HasPrefix(t, "-") {
		return 0, fmt.Sprintf("negative number '%s'", s)
	}
	v, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, fmt.Sprintf("number '%s' outside range [%d, %d]", s, min, max)
		}
		return 0, fmt.Sprintf("invalid number '%s'", s)
	}
	if v < min || v > max {
		return v, fmt.Sprintf("number '%s' outside range [%d, %d]", s, min, max)
	}
	return v, ""
}

// parseDecimalMicro reads decimal seconds into microseconds.
func parseDecimalMicro(s string) (int64, string) {
	if strings.HasPrefix(s, "-") {
		return 0, fmt.Sprintf("negative number '%s'", s)
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	msg := ""
	roundUp := false
	if len(frac) > 6 {
		msg = fmt.Sprintf("number '%s' has too many decimal places", s)
		roundUp = frac[6] >= '5'
		frac = frac[:6]
	}
	if intPart == "" && (!hasDot || frac == "") {
		return 0, fmt.Sprintf("invalid number '%s'", s)
	}
	digits := intPart + frac + strings.Repeat("0", 6-len(frac))
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, fmt.Sprintf("invalid number '%s'", s)
		}
	}
	v, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || v > 1<<53 {
		return 0, fmt.Sprintf("number '%s' outside unsigned decimal range", s)
	}
	if roundUp {
		v++
	}
	return v, msg
}

func fmtMicro(v int64) string { return fmt.Sprintf("%d.%06d", v/1e6, v%1e6) }

func secs(v int64) time.Duration { return time.Duration(v) * time.Second }

func micro(v int64) time.Duration { return time.Duration(v) * time.Microsecond }

// uintArg reads argument i as an unsigned integer in [min, max], reporting
// keepalived's generic number error.
func (l *lowerer) uintArg(n *Node, i int, min, max int64) (int64, bool) {
	v, msg := checkInt(argText(n, i), min, max, false)
	if msg != "" {
		l.errorf(argPos(n, i), "%s", msg)
		return v, false
	}
	return v, true
}

// intArg reads argument i as a signed integer in [min, max].
func (l *lowerer) intArg(n *Node, i int, min, max int64) (int64, bool) {
	v, msg := checkInt(argText(n, i), min, max, true)
	if msg != "" {
		l.errorf(argPos(n, i), "%s", msg)
		return v, false
	}
	return v, true
}

// uintArgMsg is uintArg with the handler's own message in place of the
// generic one.
func (l *lowerer) uintArgMsg(n *Node, i int, min, max int64, format string, args ...any) (int64, bool) {
	v, msg := checkInt(argText(n, i), min, max, false)
	if msg != "" {
		l.errorf(argPos(n, i), format, args...)
		return v, false
	}
	return v, true
}

// decimalArg reads argument i as decimal seconds in [min, max] µs.
func (l *lowerer) decimalArg(n *Node, i int, min, max int64) (time.Duration, bool) {
	v, msg := parseDecimalMicro(argText(n, i))
	if msg != "" && !strings.Contains(msg, "too many decimal") {
		l.errorf(argPos(n, i), "%s", msg)
		return 0, false
	}
	if msg != "" {
		l.warnf(argPos(n, i), "%s", msg)
	}
	if v < min || v > max {
		l.errorf(argPos(n, i), "number '%s' outside range [%s, %s]", argText(n, i), fmtMicro(min), fmtMicro(max))
		return 0, false
	}
	return micro(v), true
}

// decimalArgMsg is decimalArg with the handler's own message.
func (l *lowerer) decimalArgMsg(n *Node, i int, min, max int64, format string, args ...any) (time.Duration, bool) {
	v, msg := parseDecimalMicro(argText(n, i))
	if (msg != "" && !strings.Contains(msg, "too many decimal")) || v < min || v > max {
		l.errorf(argPos(n, i), format, args...)
		return 0, false
	}
	if msg != "" {
		l.warnf(argPos(n, i), "%s", msg)
	}
	return micro(v), true
}

// boolWord is keepalived's check_true_false: lower case only.
func boolWord(s string) (bool, bool) {
	switch s {
	case "true", "on", "yes":
		return true, true
	case "false", "off", "no":
		return false, true
	}
	return false, false
}

// optBool reads an optional [BOOL] argument (no argument = true). On an
// invalid value it reports msg (keepalived's wording) and returns ok=false.
func (l *lowerer) optBool(n *Node, format string, args ...any) (bool, bool) {
	if len(n.Args) == 0 {
		return true, true
	}
	v, ok := boolWord(n.Args[0].Text)
	if !ok {
		l.errorf(n.Args[0].Pos, format, args...)
		return false, false
	}
	l.extra(n, 1, "")
	return v, true
}

// parseDecimalShift reads a decimal number with up to shift decimal
// places into an integer scaled by 10^shift, as keepalived's
// read_decimal_unsigned_func does (more places are rounded, with the
// "too many decimal places" message).
func parseDecimalShift(s string, shift int) (int64, string) {
	v, msg := parseDecimalMicro(s)
	if msg != "" && !isTooManyPlaces(msg) {
		return 0, msg
	}
	div := int64(1)
	for i := shift; i < 6; i++ {
		div *= 10
	}
	if _, frac, ok := strings.Cut(s, "."); ok && len(frac) > shift {
		// Round on the first dropped digit, as keepalived does.
		up := frac[shift] >= '5'
		v /= div
		if up {
			v++
		}
		return v, fmt.Sprintf("number '%s' has too many decimal places", s)
	}
	return v / div, ""
}

func isTooManyPlaces(msg string) bool { return strings.Contains(msg, "too many decimal places") }

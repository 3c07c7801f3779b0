package parser

// auth_hmac, keepalived 2.4's signed adverts (vrrp_parser.c
// vrrp_auth_hmac_*_handler, vrrp.c vrrp_complete_instance): the block's
// keywords, key values inline (ASCII or hex:) or in a file (file:), and
// the checks at the end of the instance. Key bytes go into config.Secret,
// which never prints; no finding quotes a key.

import (
	"io"
	"os"
	"strings"

	"github.com/keepalived-go/keepalived/config"
)

const ctxHMAC = "auth_hmac"

var hmacKeywords = []string{"key", "active_key", "time_window", "anti_replay", "mode"}

// hmacKeyFileMax is how much of a key file keepalived 2.4.3 reads (its
// buffer: a hex: prefix, two digits per byte of the longest key, 8 bytes of
// slack, less the NUL); a file that does not end before it is "too large".
const hmacKeyFileMax = 4 + config.HMACKeyMax*2 + 8 - 1

// authHMAC lowers an auth_hmac block. A second block adds to the first, as
// in keepalived (its handler keeps the state it already has).
func (l *lowerer) authHMAC(ic *instCtx, n *Node) {
	in := ic.in
	name := in.Name
	if in.AuthHMAC == nil {
		in.AuthHMAC = &config.AuthHMAC{Pos: n.Pos, Mode: config.HMACEnforce, AntiReplayTime: true}
	} else {
		l.ourWarnf(n.Pos, "(%s) auth_hmac given twice: keepalived merges the blocks into the first", name)
	}
	ah := in.AuthHMAC
	if n.Block == nil {
		return
	}
	for e := range l.known(n.Block.Nodes, ctxHMAC) {
		l.noBlock(e)
		switch e.Keyword {
		case "key":
			if len(e.Args) < 2 {
				l.errorf(e.Pos, "(%s) auth_hmac key needs an id and a value", name)
				continue
			}
			// read_unsigned_strvec reports the number first, then the handler.
			id, ok := l.uintArg(e, 0, 1, 255)
			if !ok {
				l.errorf(e.Args[0].Pos, "(%s) auth_hmac key id '%s' must be between 1 and 255", name, e.Args[0].Text)
				continue
			}
			l.extra(e, 2, ctxHMAC)
			v := e.Args[1]
			key := config.HMACKey{Pos: e.Pos, ID: uint8(id)}
			var data []byte
			ok = true
			if path, isFile := strings.CutPrefix(v.Text, "file:"); isFile {
				key.File = path
				data, ok = l.hmacKeyFile(v.Pos, name, path)
			} else {
				data = decodeHMACKey(v.Text)
			}
			if !ok {
				// keepalived reports the failed read, then a length of 0.
				data = nil
			}
			if len(data) < config.HMACKeyMin || len(data) > config.HMACKeyMax {
				l.errorf(v.Pos, "(%s) auth_hmac key %d length %d not in range [%d, %d]", name, id, len(data), config.HMACKeyMin, config.HMACKeyMax)
				continue
			}
			if ah.Key(uint8(id)) != nil {
				l.errorf(e.Args[0].Pos, "(%s) duplicate auth_hmac key id %d", name, id)
				continue
			}
			key.Len, key.Data = len(data), config.Secret(data)
			ah.Keys = append(ah.Keys, key)
		case "active_key":
			if !l.need(e, 1) {
				continue
			}
			id, ok := l.uintArg(e, 0, 1, 255)
			if !ok {
				l.errorf(e.Args[0].Pos, "(%s) auth_hmac active_key '%s' must be between 1 and 255", name, e.Args[0].Text)
				continue
			}
			l.extra(e, 1, ctxHMAC)
			ah.ActiveKey = uint8(id)
			ic.pos["auth_hmac.active_key"] = e.Pos
		case "time_window":
			if !l.need(e, 1) {
				continue
			}
			w, ok := l.uintArg(e, 0, config.HMACWindowMin, config.HMACWindowMax)
			if !ok {
				l.errorf(e.Args[0].Pos, "(%s) auth_hmac time_window '%s' must be between %d and %d seconds", name, e.Args[0].Text, config.HMACWindowMin, config.HMACWindowMax)
				continue
			}
			l.extra(e, 1, ctxHMAC)
			ah.TimeWindow = secs(w)
		case "anti_replay":
			if !l.need(e, 1) {
				continue
			}
			switch e.Args[0].Text {
			case "time":
				ah.AntiReplayTime = true
			case "monotonic":
				ah.AntiReplayTime = false
			default:
				l.errorf(e.Args[0].Pos, "(%s) auth_hmac anti_replay '%s' must be time or monotonic", name, e.Args[0].Text)
				continue
			}
			l.extra(e, 1, ctxHMAC)
		case "mode":
			if !l.need(e, 1) {
				continue
			}
			switch e.Args[0].Text {
			case "enforce":
				ah.Mode = config.HMACEnforce
			case "permissive":
				ah.Mode = config.HMACPermissive
			case "receive-only":
				ah.Mode = config.HMACReceiveOnly
			default:
				l.errorf(e.Args[0].Pos, "(%s) auth_hmac mode '%s' must be enforce, permissive or receive-only", name, e.Args[0].Text)
				continue
			}
			l.extra(e, 1, ctxHMAC)
			ic.pos["auth_hmac.mode"] = e.Pos
		}
	}
}

// decodeHMACKey is a key value: hex: then hex digits (keepalived's
// read_hex_str: one or two digits a byte, blanks between bytes allowed),
// otherwise the ASCII bytes themselves. Bad hex decodes to nothing, which
// the length check then reports.
func decodeHMACKey(s string) []byte {
	h, ok := strings.CutPrefix(s, "hex:")
	if !ok {
		return []byte(s)
	}
	var out []byte
	for i := 0; ; {
		for i < len(h) && (h[i] == ' ' || h[i] == '\t') {
			i++
		}
		if i == len(h) {
			break
		}
		hi, ok := hexNibble(h[i])
		if !ok {
			return nil
		}
		i++
		v := hi
		if i < len(h) && h[i] != ' ' {
			lo, ok := hexNibble(h[i])
			if !ok {
				return nil
			}
			i++
			v = hi<<4 | lo
		}
		out = append(out, v)
	}
	return out
}

func hexNibble(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// hmacKeyFile reads a file: key as keepalived 2.4.3 does: a security
// finding when group or others have any access, "too large" past
// hmacKeyFileMax bytes, trailing newlines dropped, then decoded as an
// inline value.
func (l *lowerer) hmacKeyFile(pos config.Pos, name, path string) ([]byte, bool) {
	f, err := os.Open(path)
	if err != nil {
		l.errorf(pos, "(%s) auth_hmac key file '%s' cannot be opened", name, path)
		return nil, false
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Mode().Perm()&0o077 != 0 {
		// keepalived reports it and runs with the key: a warning here too.
		l.add(pos, config.Warning, config.ClassSecurity, "(%s) auth_hmac key file '%s' is readable by group or others", name, path)
	}
	buf := make([]byte, hmacKeyFileMax)
	n, err := io.ReadFull(f, buf)
	if err == nil {
		l.errorf(pos, "(%s) auth_hmac key file '%s' is too large", name, path)
		return nil, false
	}
	if err != io.ErrUnexpectedEOF && err != io.EOF {
		l.errorf(pos, "(%s) auth_hmac key file '%s' cannot be opened", name, path)
		return nil, false
	}
	b := buf[:n]
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return decodeHMACKey(string(b)), true
}

// completeHMAC is vrrp_complete_instance's auth_hmac part, after the legacy
// authentication checks: auth_hmac replaces authentication and strict mode
// forces enforce (warnings: the result is what was meant), an undefined
// active key disables it (an error: the daemon will not run unsigned
// beside peers that may enforce), and an unset window is derived from
// advert_int.
func (l *lowerer) completeHMAC(ic *instCtx) {
	in := ic.in
	ah := in.AuthHMAC
	if ah == nil {
		return
	}
	if in.Auth.Type != config.AuthNone {
		l.warnf(ah.Pos, "(%s) auth_hmac cannot be combined with authentication, dropping legacy auth", in.Name)
		in.Auth = config.Auth{}
	}
	if ah.Key(ah.ActiveKey) == nil {
		p := ah.Pos
		if q, ok := ic.pos["auth_hmac.active_key"]; ok {
			p = q
		}
		l.errorf(p, "(%s) auth_hmac active_key %d is not defined, disabling extension", in.Name, ah.ActiveKey)
		in.AuthHMAC = nil
		return
	}
	if in.Strict && ah.Mode != config.HMACEnforce {
		p := ah.Pos
		if q, ok := ic.pos["auth_hmac.mode"]; ok {
			p = q
		}
		l.warnf(p, "(%s) strict mode requires auth_hmac mode enforce", in.Name)
		ah.Mode = config.HMACEnforce
	}
	if ah.AntiReplayTime && ah.TimeWindow == 0 {
		ah.TimeWindow = config.DerivedHMACWindow(in.AdvertInt)
	}
}

// hmacTrailerLen is the bytes the trailer adds to each advert (none in
// receive-only mode, which sends unsigned adverts).
func hmacTrailerLen(in *config.Instance) int {
	if in.AuthHMAC == nil || in.AuthHMAC.Mode == config.HMACReceiveOnly {
		return 0
	}
	return 28
}

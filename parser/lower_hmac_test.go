package parser

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keepalived-go/keepalived/config"
)

const (
	hmacHexKey   = "hex:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	hmacASCIIKey = "kge-secret-ascii-key-0123456789abc" // 34 bytes
)

// hmacInst is an instance with an auth_hmac block of the given lines.
func hmacInst(extra, block string) string {
	if extra != "" {
		extra += "\n"
	}
	return inst(extra + "    auth_hmac {\n" + block + "\n    }\n" + vip)
}

func TestLowerAuthHMACModel(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		want  *config.AuthHMAC // Pos and key Data/Pos are not compared
		diags []string
	}{
		{
			name: "every keyword",
			text: hmacInst("", "key 1 "+hmacHexKey+"\nkey 2 "+hmacASCIIKey+"\nactive_key 2\ntime_window 10\nanti_replay time\nmode permissive"),
			want: &config.AuthHMAC{Keys: []config.HMACKey{{ID: 1, Len: 32}, {ID: 2, Len: 34}}, ActiveKey: 2,
				Mode: config.HMACPermissive, AntiReplayTime: true, TimeWindow: 10 * time.Second},
		},
		{
			name: "defaults: enforce, time, window max(3 x advert_int, 5)",
			text: hmacInst("", "key 7 "+hmacASCIIKey+"\nactive_key 7"),
			want: &config.AuthHMAC{Keys: []config.HMACKey{{ID: 7, Len: 34}}, ActiveKey: 7, Mode: config.HMACEnforce,
				AntiReplayTime: true, TimeWindow: 5 * time.Second},
		},
		{
			name: "window derived from advert_int 4",
			text: hmacInst("    advert_int 4", "key 1 "+hmacASCIIKey+"\nactive_key 1"),
			want: &config.AuthHMAC{Keys: []config.HMACKey{{ID: 1, Len: 34}}, ActiveKey: 1, AntiReplayTime: true, TimeWindow: 12 * time.Second},
		},
		{
			name: "window derived from advert_int 200 is capped at 300",
			text: hmacInst("    advert_int 200", "key 1 "+hmacASCIIKey+"\nactive_key 1"),
			want: &config.AuthHMAC{Keys: []config.HMACKey{{ID: 1, Len: 34}}, ActiveKey: 1, AntiReplayTime: true, TimeWindow: 300 * time.Second},
		},
		{
			name: "monotonic has no window, receive-only",
			text: hmacInst("", "key 1 "+hmacASCIIKey+"\nactive_key 1\nanti_replay monotonic\nmode receive-only"),
			want: &config.AuthHMAC{Keys: []config.HMACKey{{ID: 1, Len: 34}}, ActiveKey: 1, Mode: config.HMACReceiveOnly},
		},
		{
			name:  "active key not defined disables the extension",
			text:  hmacInst("", "key 1 "+hmacASCIIKey+"\nactive_key 2"),
			diags: []string{"t.conf:6:1: error: (VI_1) auth_hmac active_key 2 is not defined, disabling extension"},
		},
		{
			name:  "no active key at all",
			text:  hmacInst("", "key 1 "+hmacASCIIKey),
			diags: []string{"t.conf:4:5: error: (VI_1) auth_hmac active_key 0 is not defined, disabling extension"},
		},
		{
			name: "bad values are reported where they stand and skipped",
			text: hmacInst("", "key 0 "+hmacASCIIKey+"\nkey 1 short\nkey 2 hex:00zz\nkey 3\nkey 4 "+hmacASCIIKey+"\nkey 4 "+hmacASCIIKey+
				"\nactive_key 4\nactive_key 256\ntime_window 0\ntime_window 301\nanti_replay sometimes\nmode lax"),
			want: &config.AuthHMAC{Keys: []config.HMACKey{{ID: 4, Len: 34}}, ActiveKey: 4, AntiReplayTime: true, TimeWindow: 5 * time.Second},
			diags: []string{
				"t.conf:5:5: error: number '0' outside range [1, 255]",
				"t.conf:5:5: error: (VI_1) auth_hmac key id '0' must be between 1 and 255",
				"t.conf:6:7: error: (VI_1) auth_hmac key 1 length 5 not in range [32, 64]",
				"t.conf:7:7: error: (VI_1) auth_hmac key 2 length 0 not in range [32, 64]",
				"t.conf:8:1: error: (VI_1) auth_hmac key needs an id and a value",
				"t.conf:10:5: error: (VI_1) duplicate auth_hmac key id 4",
				"t.conf:12:12: error: number '256' outside range [1, 255]",
				"t.conf:12:12: error: (VI_1) auth_hmac active_key '256' must be between 1 and 255",
				"t.conf:13:13: error: number '0' outside range [1, 300]",
				"t.conf:13:13: error: (VI_1) auth_hmac time_window '0' must be between 1 and 300 seconds",
				"t.conf:14:13: error: number '301' outside range [1, 300]",
				"t.conf:14:13: error: (VI_1) auth_hmac time_window '301' must be between 1 and 300 seconds",
				"t.conf:15:13: error: (VI_1) auth_hmac anti_replay 'sometimes' must be time or monotonic",
				"t.conf:16:6: error: (VI_1) auth_hmac mode 'lax' must be enforce, permissive or receive-only",
			},
		},
		{
			name:  "legacy authentication is dropped",
			text:  hmacInst("    authentication {\n        auth_type PASS\n        auth_pass abc\n    }", "key 1 "+hmacASCIIKey+"\nactive_key 1"),
			want:  &config.AuthHMAC{Keys: []config.HMACKey{{ID: 1, Len: 34}}, ActiveKey: 1, AntiReplayTime: true, TimeWindow: 5 * time.Second},
			diags: []string{"t.conf:8:5: warning: (VI_1) auth_hmac cannot be combined with authentication, dropping legacy auth"},
		},
		{
			name:  "strict mode forces enforce",
			text:  hmacInst("    strict_mode on", "key 1 "+hmacASCIIKey+"\nactive_key 1\nmode permissive"),
			want:  &config.AuthHMAC{Keys: []config.HMACKey{{ID: 1, Len: 34}}, ActiveKey: 1, AntiReplayTime: true, TimeWindow: 5 * time.Second},
			diags: []string{"t.conf:8:1: warning: (VI_1) strict mode requires auth_hmac mode enforce"},
		},
		{
			name:  "unknown keyword in the block",
			text:  hmacInst("", "key 1 "+hmacASCIIKey+"\nactive_key 1\nwindow 5"),
			want:  &config.AuthHMAC{Keys: []config.HMACKey{{ID: 1, Len: 34}}, ActiveKey: 1, AntiReplayTime: true, TimeWindow: 5 * time.Second},
			diags: []string{"unknown"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, lines := lowerText(t, tt.text)
			in := c.Instances[0]
			got := in.AuthHMAC
			if got != nil {
				g := *got
				g.Pos = config.Pos{}
				g.Keys = append([]config.HMACKey(nil), g.Keys...)
				for i := range g.Keys {
					g.Keys[i].Pos, g.Keys[i].Data = config.Pos{}, nil
				}
				got = &g
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("auth_hmac (-want +got):\n%s", diff)
			}
			if len(tt.diags) == 1 && tt.diags[0] == "unknown" {
				if len(lines) != 1 || !strings.Contains(lines[0], "window") {
					t.Errorf("want one finding about the unknown keyword, got %q", lines)
				}
				return
			}
			if diff := cmp.Diff(tt.diags, hmacLines(lines)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			if strings.Contains(tt.name, "legacy") && in.Auth.Type != config.AuthNone {
				t.Errorf("legacy auth kept: %v", in.Auth.Type)
			}
		})
	}
}

// hmacLines keeps the auth_hmac findings (the base instance has none of
// its own, but the host checks of other tests may add some).
func hmacLines(lines []string) []string {
	var out []string
	for _, l := range lines {
		if strings.Contains(l, "auth_hmac") || strings.Contains(l, "authentication") || strings.Contains(l, "outside range") {
			out = append(out, l)
		}
	}
	return out
}

func TestLowerAuthHMACKeyBytes(t *testing.T) {
	c, _, lines := lowerText(t, hmacInst("", "key 1 "+hmacHexKey+"\nkey 2 hex:00010203\nkey 3 "+hmacASCIIKey+"\nactive_key 1"))
	if len(lines) != 1 || !strings.Contains(lines[0], "auth_hmac key 2 length 4 not in range") {
		t.Fatalf("findings: %q", lines)
	}
	ah := c.Instances[0].AuthHMAC
	want := make([]byte, 32)
	for i := range want {
		want[i] = byte(i)
	}
	if got := []byte(ah.Key(1).Data); string(got) != string(want) {
		t.Errorf("hex key decoded to %x", got)
	}
	if got := string(ah.Key(3).Data); got != hmacASCIIKey {
		t.Errorf("ascii key decoded to %q", got)
	}
	if got := decodeHMACKey("hex:0 1 02 3"); string(got) != "\x00\x01\x02\x03" {
		t.Errorf("read_hex_str spacing: %x", got)
	}
}

func TestLowerAuthHMACKeyFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good", hmacHexKey+"\r\n", 0o600)
	ascii := write("ascii", hmacASCIIKey+"\n\n", 0o400)
	open := write("open", hmacASCIIKey, 0o640)
	large := write("large", strings.Repeat("a", hmacKeyFileMax), 0o600)
	justFits := write("fits", strings.Repeat("a", 40)+strings.Repeat("\n", hmacKeyFileMax-41), 0o600)
	tests := []struct {
		name, path string
		len        int // 0: no key kept
		diag       string
		class      config.Class
	}{
		{"hex with CRLF", good, 32, "", config.ClassNone},
		{"ascii with blank lines", ascii, 34, "", config.ClassNone},
		{"readable by group", open, 34, "warning: (VI_1) auth_hmac key file '" + open + "' is readable by group or others", config.ClassSecurity},
		{"too large", large, 0, "error: (VI_1) auth_hmac key file '" + large + "' is too large", config.ClassGeneral},
		{"one byte under the limit", justFits, 40, "", config.ClassNone},
		{"missing", filepath.Join(dir, "none"), 0, "error: (VI_1) auth_hmac key file '" + filepath.Join(dir, "none") + "' cannot be opened", config.ClassGeneral},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, diags, _ := lowerText(t, hmacInst("", "key 1 "+hmacASCIIKey+"\nkey 2 file:"+tt.path+"\nactive_key 1"))
			var got []config.Diagnostic
			for _, d := range diags {
				if strings.Contains(d.Msg, "key file") {
					got = append(got, d)
				}
			}
			if tt.diag == "" && len(got) != 0 {
				t.Errorf("unexpected findings %v", got)
			}
			if tt.diag != "" {
				if len(got) != 1 || !strings.HasSuffix(got[0].String(), tt.diag) || got[0].Class != tt.class {
					t.Errorf("findings %v, want one ending %q of class %v", got, tt.diag, tt.class)
				} else if got[0].Pos.Line != 6 || got[0].Pos.Col != 7 {
					t.Errorf("finding at %v, want t.conf:6:7", got[0].Pos)
				}
			}
			k := c.Instances[0].AuthHMAC.Key(2)
			switch {
			case tt.len == 0 && k != nil:
				t.Errorf("key 2 kept (%d bytes)", k.Len)
			case tt.len != 0 && (k == nil || k.Len != tt.len || k.File != tt.path):
				t.Errorf("key 2 = %+v, want %d bytes from %s", k, tt.len, tt.path)
			}
		})
	}
}

// TestAuthHMACKeysNeverPrinted: the key bytes appear in no finding, in the
// model's JSON (check-config --dump), in fmt's renderings of the model, nor
// in a reload plan.
func TestAuthHMACKeysNeverPrinted(t *testing.T) {
	text := hmacInst("", "key 1 "+hmacHexKey+"\nkey 2 "+hmacASCIIKey+"\nactive_key 1\nkey 3 short-but-secret")
	c, _, lines := lowerText(t, text)
	secrets := []string{"kge-secret", "short-but-secret", "000102030405", "\x00\x01\x02\x03\x04\x05", "[0 1 2 3 4 5", "0, 1, 2, 3"}
	j, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	in := c.Instances[0]
	outs := map[string]string{
		"findings": strings.Join(lines, "\n"),
		"json":     string(j),
		"%v":       fmt.Sprintf("%v", *in.AuthHMAC),
		"%+v":      fmt.Sprintf("%+v", *in.AuthHMAC),
		"%#v":      fmt.Sprintf("%#v", *in.AuthHMAC),
		"%x":       fmt.Sprintf("%x", in.AuthHMAC.Keys[0].Data),
		"%s":       fmt.Sprintf("%s", in.AuthHMAC.Keys[1].Data),
	}
	dump, err := config.DumpJSON(c)
	if err != nil {
		t.Fatal(err)
	}
	outs["check-config --dump"] = string(dump)
	if !strings.Contains(string(dump), `"auth_hmac": "HMAC-SHA256-128, keys 1 2, active 1, enforce, anti_replay time (window 5s)"`) {
		t.Errorf("check-config --dump lacks the auth_hmac summary:\n%s", dump)
	}
	c2, _, _ := lowerText(t, hmacInst("", "key 1 "+hmacHexKey+"\nkey 2 "+strings.Replace(hmacASCIIKey, "kge", "KGE", 1)+"\nactive_key 1"))
	outs["plan"] = config.Diff(c, c2).String()
	for what, out := range outs {
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("%s carries key material %q:\n%s", what, s, out)
			}
		}
	}
	if !strings.Contains(outs["json"], `"active_key":1`) || !strings.Contains(outs["json"], `"mode":"enforce"`) {
		t.Errorf("json lacks the non-secret settings: %s", outs["json"])
	}
	if !strings.Contains(outs["plan"], "auth_hmac") {
		t.Errorf("a key change is not in the reload plan:\n%s", outs["plan"])
	}
}

package parser

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/keepalived-go/keepalived/config"
)

// noopKeywordsFile lists the keywords keepalived acts on that keepalived-go
// accepts and, silently, does nothing with: block<TAB>keyword<TAB>why. It
// may only shrink (maxNoops): a keyword gets out of it by being acted on
// (its value reaches the model the daemon runs) or by a notice at start-up
// and in check-config saying it is not run.
const noopKeywordsFile = "testdata/noop-keywords.txt"

// maxNoops is the length of noopKeywordsFile. Lower it when a keyword
// leaves the list; raising it is adding a silent no-op, which the issue
// that made this test (13) forbids.
const maxNoops = 0

// notRunWords are what a notice says for a keyword that is not run.
var notRunWords = regexp.MustCompile(`not run|not implemented|no effect|not part of keepalived-go|not applicable`)

// extraArg gives keywords whose plausible argument (keywords243_test.go)
// is their default a value that changes something, so that a keyword
// acted on shows in the model.
var extraArg = map[string]string{
	"priority": "150", "advert_int": "2", "version": "3", "unicast_ttl": "64", "down_timer_adverts": "5",
	"garp_master_delay": "7", "garp_master_repeat": "3", "garp_master_refresh_repeat": "3", "garp_lower_prio_repeat": "3",
	"vrrp_garp_master_delay": "7", "vrrp_garp_master_repeat": "3", "vrrp_garp_master_refresh_repeat": "3",
	"vrrp_garp_lower_prio_repeat": "3", "vrrp_down_timer_adverts": "5", "weight": "-10", "rise": "3", "fall": "3",
	"interval": "3", "timeout": "3", "quorum": "2", "quorum_max": "3", "delay": "2", "terminate_delay": "2",
	"fork_delay": "2", "child_wait_time": "9", "vrrp_version": "3", "startup_script_timeout": "20",
	"shutdown_script_timeout": "20", "smtp_connect_timeout": "60", "garp_interval": "2", "gna_interval": "2",
	"interface": "eth1", "default_interface": "eth1", "max_auto_priority": "5", "min_auto_priority_delay": "500",
	"vrrp_garp_extra_if": "all 5", "garp_extra_if": "all 5", "vmac_garp_intvl": "all 5", "vrrp_vmac_garp_intvl": "all 5",
	"json_version": "2", "vrrp_startup_delay": "3", "state": "MASTER",
	"param_match": "partial", "vrrp_delay_after_boot": "4000000000", "data_use_instance": "",
	"process_monitor_rcv_bufs_force": "",
}

// instanceBody is a complete instance for the snippetOverride texts.
const instanceBody = "interface eth0\nvirtual_router_id 51\nvirtual_ipaddress {\n10.0.0.1\n}\n"

// snippetOverride are snippets for keywords whose effect needs more than
// their block around them (a unicast peer, an IPv6 address, priority
// 255...), or which are part of what their block requires.
var snippetOverride = map[string]string{
	"vrrp_instance\ttimer_expired_backup":     "vrrp_instance VI_1 {\n" + instanceBody + "nopreempt\ntimer_expired_backup 200\n}\n",
	"vrrp_instance\tthread_timer_expired":     "vrrp_instance VI_1 {\n" + instanceBody + "nopreempt\nthread_timer_expired 200\n}\n",
	"vrrp_instance\tunicast_ttl":              "vrrp_instance VI_1 {\n" + instanceBody + "unicast_peer {\n10.0.0.2\n}\nunicast_ttl 64\n}\n",
	"vrrp_instance\told_unicast_checksum":     "vrrp_instance VI_1 {\n" + instanceBody + "unicast_peer {\n10.0.0.2\n}\nold_unicast_checksum\n}\n",
	"vrrp_instance\towner_ignore_adverts":     "vrrp_instance VI_1 {\n" + instanceBody + "priority 255\nowner_ignore_adverts\n}\n",
	"vrrp_instance\ttrack_src_ip":             "vrrp_instance VI_1 {\n" + instanceBody + "mcast_src_ip 10.0.0.3\ntrack_src_ip\n}\n",
	"vrrp_instance\tvmac_xmit_base":           "vrrp_instance VI_1 {\n" + instanceBody + "use_vmac\nvmac_xmit_base\n}\n",
	"vrrp_instance\tauthentication":           "vrrp_instance VI_1 {\n" + instanceBody + "authentication {\nauth_type PASS\nauth_pass secret\n}\n}\n",
	"vrrp_instance/authentication\tauth_type": "vrrp_instance VI_1 {\n" + instanceBody + "authentication {\nauth_type AH\nauth_pass secret\n}\n}\n",
	"vrrp_instance/authentication\tauth_pass": "vrrp_instance VI_1 {\n" + instanceBody + "authentication {\nauth_type PASS\nauth_pass secret\n}\n}\n",
	"vrrp_sync_group\tgroup": "vrrp_instance VI_1 {\n" + instanceBody + "}\nvrrp_instance VI_2 {\ninterface eth0\nvirtual_router_id 52\nvirtual_ipaddress {\n10.0.0.2\n}\n}\n" +
		"vrrp_sync_group G9 {\ngroup {\nVI_1\nVI_2\n}\n}\n",
	"-\tvrrp_sync_group": "vrrp_instance VI_1 {\n" + instanceBody + "}\nvrrp_instance VI_2 {\ninterface eth0\nvirtual_router_id 52\nvirtual_ipaddress {\n10.0.0.2\n}\n}\n" +
		"vrrp_sync_group G9 {\ngroup {\nVI_1\nVI_2\n}\n}\n",
	"garp_group\tinterfaces":              "garp_group {\ngarp_interval 1\ninterfaces {\neth0\n}\n}\n",
	"garp_group\tinterface":               "garp_group {\ngarp_interval 1\ninterface eth0\n}\n",
	"-\tgarp_group":                       "garp_group {\ngarp_interval 1\ninterface eth0\n}\n",
	"global_defs\tenable_script_security": "global_defs {\nscript_user root\n}\nglobal_defs {\nenable_script_security\n}\n",
}

// notAnEffect are keywords keepalived 2.2.7 reads and acts on in a way a
// lowered model cannot show, or does nothing with itself; each says why,
// and where it is tested if it acts.
var notAnEffect = map[string]string{
	"-\tglobal_defs":                     "the block of the global keywords (each checked on its own)",
	"vrrp_instance\tpreempt":             "sets keepalived's default (it only clears nopreempt)",
	"vrrp_instance\taccept":              "keepalived's default outside strict mode (accept only matters against vrrp_strict)",
	"vrrp_instance\tdebug":               "keepalived 2.2.7 stores it and only prints it in the data dump",
	"global_defs\tvrrp_delay_after_boot": "counted from boot: on a host up for longer than its value it rightly changes nothing (startdelay tests)",
	"vrrp_instance\tnative_ipv6":         "sets the family and version an IPv6 address sets too (lower_test.go)",
	"global_defs\tinclude_check":         "acts while the file is read (the include checks: preprocess_test.go), not in the model",
}

// snippetObjects are the objects snippet appends for references.
const snippetObjects = "vrrp_script chk {\nscript /usr/bin/true\n}\ntrack_file tf {\nfile /tmp/f\n}\nvrrp_track_process tp {\nprocess nginx\n}\n"

// noopEntry is one line of noopKeywordsFile.
type noopEntry struct{ block, kw, why string }

func readNoops(t *testing.T) map[string]noopEntry {
	t.Helper()
	f, err := os.Open(noopKeywordsFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]noopEntry{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.SplitN(line, "\t", 3)
		if len(parts) != 3 || parts[2] == "" {
			t.Fatalf("%s:%d: want block<TAB>keyword<TAB>why, got %q", noopKeywordsFile, n, line)
		}
		out[parts[0]+"\t"+parts[1]] = noopEntry{parts[0], parts[1], parts[2]}
	}
	return out
}

// keywordSpan finds the keyword's own line in a snippet (its block too)
// and returns its byte range and line number.
func keywordSpan(text, block, kw string) (start, end, line int, ok bool) {
	from := 0
	if strings.HasPrefix(text, snippetHeader) {
		from = len(snippetHeader)
	}
	if block == "-" {
		start = from // see TestKeywordsActedOrListed
	} else {
		loc := regexp.MustCompile(`\n` + regexp.QuoteMeta(kw) + `[ \n{]`).FindStringIndex(text[from:])
		if loc == nil {
			return 0, 0, 0, false
		}
		start = from + loc[0] + 1
	}
	end = strings.IndexByte(text[start:], '\n') + start
	if strings.HasSuffix(text[start:end], "{") {
		depth := 0
	scan:
		for i := start; i < len(text); i++ {
			switch text[i] {
			case '{':
				depth++
			case '}':
				depth--
				if depth == 0 {
					end = i + 1
					break scan
				}
			}
		}
	}
	return start, end, strings.Count(text[:start], "\n") + 1, true
}

// modelJSON is the lowered model without what is kept and not run
// (Global.Other, Config.Raw).
func modelJSON(t *testing.T, cfg *config.Config) string {
	t.Helper()
	if cfg == nil {
		return ""
	}
	c := *cfg
	c.Raw = nil
	c.Global.Other = nil
	b, err := json.Marshal(&c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestKeywordsActedOrListed: every keyword keepalived 2.4.3 registers
// (testdata/keywords-2.4.3.txt, a superset of 2.2.7's) is, in a snippet
// of its block, either acted on (the model differs from the same snippet
// with the keyword's line blanked, Other and Raw aside), or reported by a
// notice on its line that says it is not run (or its whole block is a
// subsystem keepalived-go keeps and does not run, with one notice), or
// listed in testdata/noop-keywords.txt. A listed keyword that is now
// acted on or noticed must leave the list, and the list may not grow.
func TestKeywordsActedOrListed(t *testing.T) {
	noops := readNoops(t)
	if len(noops) > maxNoops {
		t.Errorf("%s has %d entries, more than maxNoops %d: the list of silent no-ops may only shrink", noopKeywordsFile, len(noops), maxNoops)
	}
	kws := readKeywords243(t)
	opens := map[string]bool{}
	for _, k := range kws {
		if k.block != "-" {
			opens[k.block] = true
		}
	}
	seen := map[string]bool{}
	var silent []string
	for _, k := range kws {
		key := k.block + "\t" + k.kw
		seen[key] = true
		root := strings.SplitN(k.block, "/", 2)[0]
		if _, raw := rawRootBlocks[root]; raw {
			continue // one notice for the whole block (keepRaw)
		}
		if _, raw := rawRootBlocks[k.kw]; raw && k.block == "-" {
			continue
		}
		if _, ok := notAnEffect[key]; ok {
			continue
		}
		saved, had := plausibleArg[k.kw]
		if a, ok := extraArg[k.kw]; ok {
			plausibleArg[k.kw] = a
		}
		text := snippet(k.block, k.kw, opens)
		if o, ok := snippetOverride[key]; ok {
			text = o
		}
		if (k.block == "-" || snippetOverride[key] != "") && key != "global_defs\tenable_script_security" {
			text = snippetHeader + text // never an empty file once blanked
		}
		// The objects a keyword may refer to go first: keepalived ignores a
		// reference to one defined later.
		if i := strings.Index(text, snippetObjects); i > 0 {
			text = snippetHeader + snippetObjects + text[len(snippetHeader):i] + text[i+len(snippetObjects):]
		}
		if had {
			plausibleArg[k.kw] = saved
		} else {
			delete(plausibleArg, k.kw)
		}
		start, end, line, ok := keywordSpan(text, k.block, k.kw)
		if !ok {
			t.Errorf("%s: keyword line not found in:\n%s", key, text)
			continue
		}
		blank := text[:start] + strings.Repeat("\n", strings.Count(text[start:end], "\n")) + text[end:]
		cfg, diags, _ := lowerText(t, text)
		base, _, _ := lowerText(t, blank)
		acted := modelJSON(t, cfg) != modelJSON(t, base)
		if os.Getenv("KGP_NOOP_DEBUG") == k.kw {
			_, _, l1 := lowerText(t, text)
			t.Logf("%s:\n%s\nfindings:\n%s\nmodel:\n%s\nblanked:\n%s", key, text, strings.Join(l1, "\n"), modelJSON(t, cfg), modelJSON(t, base))
		}
		noticed := false
		for _, d := range diags {
			if d.Severity == config.Notice && d.Pos.Line == line && notRunWords.MatchString(d.Msg) {
				noticed = true
			}
		}
		_, listed := noops[key]
		switch {
		case (acted || noticed) && listed:
			how := "acted on"
			if noticed {
				how = "reported as not run"
			}
			t.Errorf("%s is %s now: remove it from %s and lower maxNoops", key, how, noopKeywordsFile)
		case !acted && !noticed && !listed:
			silent = append(silent, key)
		}
	}
	sort.Strings(silent)
	for _, s := range silent {
		t.Errorf("%s is accepted and silently does nothing: act on it, report it with a notice, or (with a reason) list it in %s", s, noopKeywordsFile)
	}
	for key := range noops {
		if !seen[key] {
			t.Errorf("%s: %s is not a keyword of keepalived 2.4.3's table", noopKeywordsFile, key)
		}
	}
	if testing.Verbose() && len(silent) > 0 {
		fmt.Println(strings.Join(silent, "\n"))
	}
}

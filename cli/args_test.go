package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// S is the sentinel an optional argument given without a value becomes.
const S = optionalArgSentinel

func TestCanonicalize(t *testing.T) {
	tests := []struct {
		name     string
		in       []string
		wantArgs []string
		wantErrs []string
	}{
		{"empty", nil, nil, nil},
		{"cluster of flags", []string{"-nlD"}, []string{"--dont-fork", "--log-console", "--log-detail"}, nil},
		{"detail twice", []string{"-DD"}, []string{"--log-detail", "--log-detail"}, nil},
		{"required attached", []string{"-S7"}, []string{"--log-facility=7"}, nil},
		{"required next word", []string{"-f", "/x.conf"}, []string{"--use-file=/x.conf"}, nil},
		{"required next word looks like an option", []string{"-f", "-n"}, []string{"--use-file=-n"}, nil},
		{"required ends a cluster", []string{"-nf/x.conf"}, []string{"--dont-fork", "--use-file=/x.conf"}, nil},
		{"required with = is part of the value", []string{"-f=x"}, []string{"--use-file==x"}, nil},
		{"optional alone", []string{"-t"}, []string{"--config-test=" + S}, nil},
		{"optional never takes the next word", []string{"-t", "log"}, []string{"--config-test=" + S, "--", "log"}, nil},
		{"optional attached", []string{"-tlog"}, []string{"--config-test=log"}, nil},
		{"optional takes the rest of the cluster", []string{"-tn"}, []string{"--config-test=n"}, nil},
		{"optional after flags", []string{"-nt"}, []string{"--dont-fork", "--config-test=" + S}, nil},
		{"core dump pattern", []string{"-Mcore.%p"}, []string{"--core-dump-pattern=core.%p"}, nil},
		{"long optional with value", []string{"--config-test=/tmp/t.log"}, []string{"--config-test=/tmp/t.log"}, nil},
		{"long optional alone", []string{"--config-test"}, []string{"--config-test=" + S}, nil},
		{"long required next word", []string{"--use-file", "a.conf"}, []string{"--use-file=a.conf"}, nil},
		{"long required empty", []string{"--use-file="}, nil, []string{"Missing parameter for option --use-file"}},
		{"long required missing", []string{"--pid"}, nil, []string{"Missing parameter for option --pid"}},
		{"short required missing", []string{"-p"}, nil, []string{"Missing parameter for option -p"}},
		{"long abbreviation", []string{"--dont-f"}, []string{"--dont-fork"}, nil},
		{"ambiguous abbreviation", []string{"--dont"}, nil, []string{"Unknown option --dont"}},
		{"unknown long", []string{"--bogus"}, nil, []string{"Unknown option --bogus"}},
		{"unknown short in a cluster", []string{"-nZl"}, []string{"--dont-fork", "--log-console"}, []string{"Unknown option -Z"}},
		{"flag given an argument", []string{"--dont-fork=1"}, nil, []string{"Unknown option --dont-fork=1"}},
		{"signum", []string{"--signum=JSON"}, []string{"--signum=JSON"}, nil},
		{"underscore names", []string{"--vrrp_pid", "/v.pid", "--no_bfd"}, []string{"--vrrp_pid=/v.pid", "--no_bfd"}, nil},
		{"permutation", []string{"stray", "-n", "more"}, []string{"--dont-fork", "--", "stray", "more"}, nil},
		{"double dash ends options", []string{"-n", "--", "-l"}, []string{"--dont-fork", "--", "-l"}, nil},
		{"lone dash is positional", []string{"-"}, []string{"--", "-"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := canonicalize(tt.in, keepalivedOptions)
			if diff := cmp.Diff(tt.wantArgs, got.args); diff != "" {
				t.Errorf("args (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantErrs, got.errs); diff != "" {
				t.Errorf("errs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFirstWord(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{[]string{"check-config", "-f", "x"}, "check-config"},
		{[]string{"-f", "reload", "-n"}, ""},
		{[]string{"-n", "reload", "--plan"}, "reload"},
		{[]string{"-freload", "status"}, "status"},
		{[]string{"--use-file", "version"}, ""},
		{[]string{"--use-file=x", "version"}, "version"},
		{[]string{"-t", "version"}, "version"},
		{[]string{"--", "version"}, ""},
	}
	for _, tt := range tests {
		if got := firstWord(tt.in, keepalivedOptions); got != tt.want {
			t.Errorf("firstWord(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestEveryKeepalivedOption checks that the table holds every option of
// keepalived 2.2.7's --help (Debian build), with the same short letter and
// argument kind, so none is ever rejected.
func TestEveryKeepalivedOption(t *testing.T) {
	want := []optSpec{
		{'f', "use-file", argRequired, ""}, {'P', "vrrp", argNone, ""}, {'C', "check", argNone, ""},
		{'B', "no_bfd", argNone, ""}, {0, "all", argNone, ""}, {'l', "log-console", argNone, ""},
		{'D', "log-detail", argNone, ""}, {'S', "log-facility", argRequired, ""},
		{'G', "no-syslog", argNone, ""}, {'u', "umask", argRequired, ""}, {'X', "release-vips", argNone, ""},
		{'V', "dont-release-vrrp", argNone, ""}, {'I', "dont-release-ipvs", argNone, ""},
		{'R', "dont-respawn", argNone, ""}, {'n', "dont-fork", argNone, ""}, {'d', "dump-conf", argNone, ""},
		{'p', "pid", argRequired, ""}, {'r', "vrrp_pid", argRequired, ""}, {'T', "genhash", argNone, ""},
		{'c', "checkers_pid", argRequired, ""}, {'a', "address-monitoring", argNone, ""},
		{'b', "bfd_pid", argRequired, ""}, {'x', "snmp", argNone, ""}, {'A', "snmp-agent-socket", argRequired, ""},
		{'s', "namespace", argRequired, ""}, {'m', "core-dump", argNone, ""},
		{'M', "core-dump-pattern", argOptional, ""}, {'e', "all-config", argNone, ""},
		{'i', "config-id", argRequired, ""}, {0, "signum", argRequired, ""},
		{'t', "config-test", argOptional, ""}, {'v', "version", argNone, ""}, {'h', "help", argNone, ""},
	}
	for _, w := range want {
		got, ok := lookupLong(keepalivedOptions, w.long)
		if !ok || got.long != w.long {
			t.Errorf("--%s missing", w.long)
			continue
		}
		if got.short != w.short || got.arg != w.arg {
			t.Errorf("--%s: short %q arg %d, want %q %d", w.long, got.short, got.arg, w.short, w.arg)
		}
	}
}

// run is the whole command line in-process, for the options that answer
// without starting anything.
func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = newApp("keepalived", &out, &errb).run(args)
	return code, out.String(), errb.String()
}

func TestImmediateOptions(t *testing.T) {
	tests := []struct {
		args                 []string
		code                 int
		stdout, stderrPrefix string
	}{
		{[]string{"--signum=STOP"}, 0, "15\n", ""},
		{[]string{"--signum=RELOAD"}, 0, "1\n", ""},
		{[]string{"--signum=DATA"}, 0, "10\n", ""},
		{[]string{"--signum=STATS"}, 0, "12\n", ""},
		{[]string{"--signum=STATS_CLEAR"}, 0, "63\n", ""},
		{[]string{"--signum", "JSON"}, 0, "36\n", ""},
		{[]string{"--signum=stop"}, 1, "", "Unknown sigfunc stop\n"},
		{[]string{"--signum"}, 1, "", "Missing parameter for option --signum\n"},
		{[]string{"-Z"}, 1, "", "Unknown option -Z\n"},
		{[]string{"--bogus"}, 1, "", "Unknown option --bogus\n"},
		{[]string{"-f"}, 1, "", "Missing parameter for option -f\n"},
		{[]string{"-S", "9", "--signum=STOP"}, 0, "15\n", "Invalid log facility '9'\n"},
		{[]string{"-u", "0999", "--signum=STOP"}, 0, "15\n", "Invalid --umask option 0999"},
		{[]string{"-v"}, 0, "", "Keepalived v2.2.7 (01/16,2022)\nkeepalived-go "},
		{[]string{"-h"}, 0, "", "Usage: keepalived [OPTION...]\n"},
		{[]string{"--help"}, 0, "", "Usage: keepalived [OPTION...]\n"},
		{[]string{"-T"}, 1, "", "genhash mode (-T) is not available"},
		{[]string{"--log-format=xml"}, 1, "", "Invalid --log-format xml"},
		{[]string{"version"}, 0, "Keepalived v2.2.7 (01/16,2022), keepalived-go ", ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errs := run(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, errs)
			}
			if !strings.HasPrefix(out, tt.stdout) || (tt.stdout == "" && out != "") {
				t.Errorf("stdout %q, want prefix %q", out, tt.stdout)
			}
			if !strings.HasPrefix(errs, tt.stderrPrefix) || (tt.stderrPrefix == "" && errs != "") {
				t.Errorf("stderr %q, want prefix %q", errs, tt.stderrPrefix)
			}
		})
	}
}

func TestStrayArgumentsAreReported(t *testing.T) {
	// An unknown option makes it exit before starting anything, after
	// reporting the stray words on stdout as keepalived does.
	code, out, _ := run(t, "foo", "-Z", "bar")
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if out != "Unexpected argument(s): foo bar \n" {
		t.Errorf("stdout %q", out)
	}
}

func TestConfigTestDelegates(t *testing.T) {
	// -t hands the file, the config id and the log file to RunConfigTest;
	// a missing file is never exit 0.
	code, _, _ := run(t, "-t", "-f", "/nonexistent/kgx.conf", "-i", "node1")
	if code == 0 {
		t.Errorf("-t on a missing file exited 0")
	}
}

func TestParseUmask(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"022", 0o22, true}, {"0", 0, true}, {"18", 18, true}, {"0x12", 0x12, true},
		{"0777", 0o777, true}, {"01000", 0, false}, {"abc", 0, false}, {"-1", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseUmask(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseUmask(%q) = %o, %v; want %o, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

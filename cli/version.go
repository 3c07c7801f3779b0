package cli

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"

	"golang.org/x/sys/unix"
)

// Version is keepalived-go's own version; release builds set it with
// -ldflags "-X github.com/keepalived-go/keepalived/cli.Version=...".
var Version = "0.1.0-dev"

// compatVersion is the keepalived release whose behaviour we reproduce,
// and compatDate its release date as keepalived prints it.
const (
	compatVersion = "2.2.7"
	compatDate    = "01/16,2022"
)

// versionString is the banner keepalived logs at start-up ("Starting
// Keepalived v2.2.7 (01/16,2022)") with our name and version after it, as
// keepalived appends its git commit: its second word is the "v2.2.7" that
// tools parse (mehdy/keepalived-exporter takes the second word of the
// first line of `keepalived -v` and hands "2.2.7" to hashicorp/go-version;
// "2.2.7-compatible" was a pre-release there, older than 2.2.7).
func versionString() string {
	return fmt.Sprintf("Keepalived v%s (%s), %s", compatVersion, compatDate, ourVersion())
}

// ourVersion is "keepalived-go VERSION[, git commit REV]".
func ourVersion() string {
	return "keepalived-go " + Version + vcsSuffix()
}

// vcsSuffix is ", git commit XXXXXXX" when the binary was built from a Git
// checkout, as keepalived's own GIT_COMMIT suffix.
func vcsSuffix() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	var rev, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "-dirty"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev == "" {
		return ""
	}
	return ", git commit " + rev + dirty
}

// unameString is "Linux 6.1.0 #1 SMP ..." (sysname, release, version).
func unameString() string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return "Linux (uname failed)"
	}
	return fmt.Sprintf("%s %s %s", unix.ByteSliceToString(u.Sysname[:]),
		unix.ByteSliceToString(u.Release[:]), unix.ByteSliceToString(u.Version[:]))
}

// writeVersion prints the -v / --version text in keepalived's layout, to
// w (keepalived prints it on stderr): keepalived's own first line, then
// ours on a line of its own, then what it was built with and runs on, the
// `configure options` line (tools look for --enable-json there: mehdy's
// exporter refuses -ka.json without it), `Config options` and what we
// accept without running.
func writeVersion(w io.Writer) {
	fmt.Fprintf(w, "Keepalived v%s (%s)\n", compatVersion, compatDate)
	fmt.Fprintf(w, "%s: keepalived's VRRP side, written in Go\n\n", ourVersion())
	fmt.Fprintf(w, "Built with %s for %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(w, "Running on %s\n", unameString())
	if d := distro(); d != "" {
		fmt.Fprintf(w, "Distro: %s\n", d)
	}
	fmt.Fprintf(w, "\nconfigure options: %s\n", strings.Join(configureOptions, " "))
	fmt.Fprintf(w, "\nConfig options:  %s\n", strings.Join(configOptions, " "))
	fmt.Fprintf(w, "\nNot supported (options accepted, not acted on):  LVS BFD SNMP DBUS genhash\n")
}

// configureOptions are the ./configure switches of a keepalived build that
// does what we do: JSON dumps, a log file, systemd, and no LVS, BFD,
// iptables or nftables (VRRP, its authentication, VMACs, routes and the
// checksum compatibility are on by default there, so not listed).
var configureOptions = []string{"--disable-lvs", "--enable-json", "--enable-log-file",
	"--disable-iptables", "--disable-nftables", "--disable-libipset", "--with-init=systemd"}

// configOptions are keepalived's CONFIGURATION_OPTIONS words for what we
// implement.
var configOptions = []string{"VRRP", "VRRP_AUTH", "VRRP_VMAC", "JSON", "OLD_CHKSUM_COMPAT", "INIT=systemd", "SYSTEMD_NOTIFY"}

// distro is PRETTY_NAME of /etc/os-release, as keepalived's "Distro:" line.
func distro() string {
	b, err := os.ReadFile("/etc/os-release")
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "PRETTY_NAME="); ok {
			return strings.Trim(v, "\"'")
		}
	}
	return ""
}

// writeUsage prints the -h text in keepalived's shape.
func writeUsage(w io.Writer, prog string) {
	fmt.Fprintf(w, "Usage: %s [OPTION...]\n", prog)
	for _, o := range keepalivedOptions {
		var b strings.Builder
		b.WriteString("  ")
		if o.short != 0 {
			fmt.Fprintf(&b, "-%c, ", o.short)
		} else {
			b.WriteString("    ")
		}
		b.WriteString("--" + o.long)
		switch o.arg {
		case argRequired:
			b.WriteString("=" + argName(o))
		case argOptional:
			b.WriteString("[=" + argName(o) + "]")
		}
		lines := strings.Split(o.usage, "\n")
		head := b.String()
		if len(head) < 31 {
			head += strings.Repeat(" ", 31-len(head))
		} else {
			head += "\n" + strings.Repeat(" ", 31)
		}
		fmt.Fprintf(w, "%s%s\n", head, lines[0])
		for _, l := range lines[1:] {
			fmt.Fprintf(w, "%s%s\n", strings.Repeat(" ", 31), strings.TrimSpace(l))
		}
	}
	fmt.Fprintf(w, "\nCommands of keepalived-go (beside the options):\n")
	fmt.Fprintf(w, "  check-config [-f FILE]       lint the configuration (see check-config -h)\n")
	fmt.Fprintf(w, "  reload --plan [-f FILE]      show what a reload of the running daemon would do\n")
	fmt.Fprintf(w, "  status                       show the running daemon's state\n")
	fmt.Fprintf(w, "  version                      print the version\n")
}

func argName(o optSpec) string {
	switch o.long {
	case "use-file", "pid", "vrrp_pid", "checkers_pid", "bfd_pid", "snmp-agent-socket", "log-file":
		return "FILE"
	case "config-test":
		return "LOG_FILE"
	case "log-facility":
		return "FACILITY"
	case "umask":
		return "MASK"
	case "namespace":
		return "NAME"
	case "core-dump-pattern":
		return "PATN"
	case "config-id":
		return "id"
	case "signum":
		return "SIGFUNC"
	case "config-fd":
		return "FD"
	case "log-format":
		return "text|json"
	case "status-addr":
		return "ADDR"
	}
	return "ARG"
}

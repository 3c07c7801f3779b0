package cli

import (
	"fmt"
	"strings"
)

// argKind is whether an option takes an argument, as in getopt_long.
type argKind int

const (
	argNone argKind = iota
	argRequired
	argOptional
)

// optSpec is one of keepalived's options: its short letter (0 when it has
// none), its long name, and whether it takes an argument.
type optSpec struct {
	short byte
	long  string
	arg   argKind
	usage string
}

// keepalivedOptions is keepalived 2.2.7's getopt_long table
// (keepalived/core/main.c parse_cmdline), Debian build, plus --log-file and
// --flush-log-file (built only with --enable-log-file upstream; we always
// have them) and our own --log-format. The order is the order of `-h`.
var keepalivedOptions = []optSpec{
	{'f', "use-file", argRequired, "Use the specified configuration file\n default '/etc/keepalived/keepalived.conf'"},
	{'P', "vrrp", argNone, "Only run with VRRP subsystem"},
	{'C', "check", argNone, "Only run with Health-checker subsystem (not in keepalived-go)"},
	{'B', "no_bfd", argNone, "Don't run BFD subsystem"},
	{0, "all", argNone, "Force all child processes to run, even if have no configuration"},
	{'l', "log-console", argNone, "Log messages to local console"},
	{'D', "log-detail", argNone, "Detailed log messages"},
	{'S', "log-facility", argRequired, "([0-7]|local[0-7]|user|daemon)\nSet syslog facility to LOG_LOCAL[0-7], user or daemon (default)"},
	{'g', "log-file", argOptional, "Also log to FILE (default keepalived.log)"},
	{0, "flush-log-file", argNone, "Flush log file on write"},
	{'G', "no-syslog", argNone, "Don't log via syslog"},
	{'u', "umask", argRequired, "umask for file creation (in numeric form)"},
	{'X', "release-vips", argNone, "Drop VIP on transition from signal."},
	{'V', "dont-release-vrrp", argNone, "Don't remove VRRP VIPs and VROUTEs on daemon stop"},
	{'I', "dont-release-ipvs", argNone, "Don't remove IPVS topology on daemon stop"},
	{'R', "dont-respawn", argNone, "Don't respawn child processes"},
	{'n', "dont-fork", argNone, "Don't fork the daemon process"},
	{'d', "dump-conf", argNone, "Dump the configuration data"},
	{'p', "pid", argRequired, "Use specified pidfile for parent process"},
	{'r', "vrrp_pid", argRequired, "Use specified pidfile for VRRP child process"},
	{'T', "genhash", argNone, "Enter into genhash utility mode (not in keepalived-go)"},
	{'c', "checkers_pid", argRequired, "Use specified pidfile for checkers child process"},
	{'a', "address-monitoring", argNone, "Report all address additions/deletions notified via netlink"},
	{'b', "bfd_pid", argRequired, "Use specified pidfile for BFD child process"},
	{'x', "snmp", argNone, "Enable SNMP subsystem"},
	{'A', "snmp-agent-socket", argRequired, "Use the specified socket for master agent"},
	{'s', "namespace", argRequired, "Run in network namespace NAME (overrides config)"},
	{'m', "core-dump", argNone, "Produce core dump if terminate abnormally"},
	{'M', "core-dump-pattern", argOptional, "Also set /proc/sys/kernel/core_pattern to PATN (default 'core')"},
	{'e', "all-config", argNone, "Error if any configuration file missing (same as includet)"},
	{'i', "config-id", argRequired, "Skip any configuration lines beginning '@' that don't match id\n or any lines beginning @^ that do match.\n The config-id defaults to the node name if option not used"},
	{0, "signum", argRequired, "Return signal number for STOP, RELOAD, DATA, STATS, STATS_CLEAR, JSON"},
	{'t', "config-test", argOptional, "Check the configuration for obvious errors, output to\n stderr by default"},
	{0, "config-fd", argRequired, "(internal to keepalived; accepted and ignored)"},
	{0, "log-format", argRequired, "keepalived-go: log line format, text (default) or json"},
	{0, "status-addr", argRequired, "keepalived-go: serve HTTP /status and /metrics on ADDR"},
	{0, "strict-config", argNone, "keepalived-go: refuse to start with any configuration error\n (default: run what keepalived runs, with its corrections)"},
	{'v', "version", argNone, "Display the version number"},
	{'h', "help", argNone, "Display this help message"},
}

// optionalArgSentinel is the value pflag records for an optional-argument
// option given without its argument (pflag's NoOptDefVal must be
// non-empty); it cannot be typed on a command line by accident.
const optionalArgSentinel = "\x00"

// canonArgs is the result of reading a command line the way keepalived's
// getopt_long reads it.
type canonArgs struct {
	// args is the command line rewritten so that pflag cannot read it any
	// other way: every option as `--long` or `--long=value`, positional
	// arguments kept, in their original order.
	args []string
	// errs are keepalived's own messages for bad options ("Unknown option
	// -Z", "Missing parameter for option -f"), in command-line order.
	errs []string
}

// canonicalize reads args as GNU getopt_long does with keepalived's table:
// short options cluster (-nlD), a short option's required argument may be
// attached (-S7) or the next word, an optional argument must be attached
// (-tFILE, -Mcore, --config-test=FILE) and the next word is never taken,
// long options may be abbreviated to any unambiguous prefix, `--` ends the
// options, and options may follow positional arguments (permutation). An
// empty argument given to a long option with a required argument
// (--use-file=) is a missing parameter, as in keepalived.
func canonicalize(args []string, table []optSpec) canonArgs {
	var out canonArgs
	var positional []string
	byShort := map[byte]optSpec{}
	for _, o := range table {
		if o.short != 0 {
			byShort[o.short] = o
		}
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			positional = append(positional, args[i+1:]...)
			i = len(args)
		case strings.HasPrefix(a, "--"):
			name, val, hasVal := strings.Cut(a[2:], "=")
			o, ok := lookupLong(table, name)
			if !ok {
				// getopt_long reports an unknown or ambiguous name and an
				// argument given to a flag alike; keepalived then prints the
				// word as typed.
				out.errs = append(out.errs, "Unknown option "+a)
				continue
			}
			switch o.arg {
			case argNone:
				if hasVal {
					out.errs = append(out.errs, "Unknown option "+a)
					continue
				}
				out.args = append(out.args, "--"+o.long)
			case argOptional:
				if !hasVal {
					val = optionalArgSentinel
				}
				out.args = append(out.args, "--"+o.long+"="+val)
			case argRequired:
				if !hasVal {
					if i+1 >= len(args) {
						out.errs = append(out.errs, "Missing parameter for option --"+o.long)
						continue
					}
					i++
					val = args[i]
				} else if val == "" {
					out.errs = append(out.errs, "Missing parameter for option --"+o.long)
					continue
				}
				out.args = append(out.args, "--"+o.long+"="+val)
			}
		case len(a) > 1 && a[0] == '-':
		cluster:
			for j := 1; j < len(a); j++ {
				o, ok := byShort[a[j]]
				if !ok {
					out.errs = append(out.errs, fmt.Sprintf("Unknown option -%c", a[j]))
					continue
				}
				rest := a[j+1:]
				switch o.arg {
				case argNone:
					out.args = append(out.args, "--"+o.long)
				case argOptional:
					if rest == "" {
						rest = optionalArgSentinel
					}
					out.args = append(out.args, "--"+o.long+"="+rest)
					break cluster
				case argRequired:
					if rest == "" {
						if i+1 >= len(args) {
							out.errs = append(out.errs, fmt.Sprintf("Missing parameter for option -%c", o.short))
							break cluster
						}
						i++
						rest = args[i]
					}
					out.args = append(out.args, "--"+o.long+"="+rest)
					break cluster
				}
			}
		default:
			positional = append(positional, a)
		}
	}
	if len(positional) > 0 {
		// pflag stops reading options at `--`; everything after it is
		// positional, whatever it looks like.
		out.args = append(out.args, "--")
		out.args = append(out.args, positional...)
	}
	return out
}

// lookupLong finds a long option by its full name or an unambiguous prefix,
// as getopt_long does.
func lookupLong(table []optSpec, name string) (optSpec, bool) {
	var cands []optSpec
	for _, o := range table {
		if o.long == name {
			return o, true
		}
		if name != "" && strings.HasPrefix(o.long, name) {
			cands = append(cands, o)
		}
	}
	if len(cands) == 1 {
		return cands[0], true
	}
	return optSpec{}, false
}

// firstWord returns the first positional word of args as keepalived's
// getopt would see it (skipping options and the values they take), or ""
// when there is none. It decides whether a subcommand of ours was asked for.
func firstWord(args []string, table []optSpec) string {
	byShort := map[byte]optSpec{}
	for _, o := range table {
		if o.short != 0 {
			byShort[o.short] = o
		}
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return ""
		case strings.HasPrefix(a, "--"):
			name, _, hasVal := strings.Cut(a[2:], "=")
			if o, ok := lookupLong(table, name); ok && o.arg == argRequired && !hasVal {
				i++
			}
		case len(a) > 1 && a[0] == '-':
			for j := 1; j < len(a); j++ {
				o, ok := byShort[a[j]]
				if !ok || o.arg == argNone {
					continue
				}
				if o.arg == argRequired && j == len(a)-1 {
					i++
				}
				break
			}
		default:
			return a
		}
	}
	return ""
}

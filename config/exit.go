package config

// Exit statuses of `keepalived -t` (keepalived/core/main.c config_test_exit,
// lib/scheduler.h KEEPALIVED_EXIT_*).
const (
	ExitOK               = 0
	ExitMissingParameter = 2 // the parse was aborted (KEEPALIVED_EXIT_CONFIG)
	ExitCannotRun        = 4 // worst class: file not found, bad interface, fatal
	ExitConfigError      = 5 // any other reported class
	ExitSecurity         = 6 // SECURITY_ERROR (and strict include failures)
)

// Exit statuses of keepalived 2.2.7's daemon when it refuses a
// configuration at start-up (Diagnostics.StartExit).
const (
	ExitStartConfig   = 2 // KEEPALIVED_EXIT_CONFIG: the VRRP process could not complete it
	ExitStartIncludes = 6 // a strict include check failed: the parent stops before the VRRP process
)

// ConfigTestExit is the exit status keepalived 2.2.7's `-t` gives for these
// findings (reference section 2):
//
//   - a missing parameter aborts the parse: 2, whatever else was found;
//   - otherwise keepalived keeps the numerically largest class it has seen
//     (a quirk: the least severe "runs anyway" class beats BAD_IF, so a
//     missing interface, always reported with a general error beside it,
//     exits 5), and maps it: none 0; FILE_NOT_FOUND, BAD_IF, FATAL 4;
//     SECURITY 6; anything else 5.
//
// A failed strict include check (an Error of class FILE_NOT_FOUND: the
// preprocessor reports a missing include that way only when includem,
// includer, ... or include_check ask for it) sets keepalived's "config
// file error", and `-t` exits 6 whatever else it found (reference 1.9).
//
// Findings of ours that keepalived does not report (Class == ClassNone)
// never change the status.
func ConfigTestExit(diags Diagnostics) int {
	worst := ClassNone
	includeFailed := false
	for _, d := range diags {
		if d.Class == ClassMissingParameter {
			return ExitMissingParameter
		}
		if d.Class == ClassFileNotFound && d.Severity == Error {
			includeFailed = true
		}
		if d.Class > worst {
			worst = d.Class
		}
	}
	if includeFailed {
		return ExitSecurity
	}
	switch worst {
	case ClassNone:
		return ExitOK
	case ClassFileNotFound, ClassBadInterface, ClassFatal:
		return ExitCannotRun
	case ClassSecurity:
		return ExitSecurity
	}
	return ExitConfigError
}

package config

import "fmt"

// Severity orders findings. The zero value is invalid.
type Severity int

const (
	_ Severity = iota
	Notice
	Warning
	Error
)

func (s Severity) String() string {
	switch s {
	case Notice:
		return "notice"
	case Warning:
		return "warning"
	case Error:
		return "error"
	}
	return "invalid"
}

func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Class is keepalived's report_config_error class, which decides the exit
// status of `keepalived -t` (reference section 2). The zero value means "no
// keepalived class" (a finding of ours that keepalived does not report, such
// as a warning about a silently ignored word): it does not change the exit
// status.
type Class int

const (
	ClassNone Class = iota
	ClassFileNotFound
	ClassBadInterface // host check: an interface does not exist
	ClassFatal
	ClassGeneral // every "runs anyway" class: unknown keyword, bad number, ...
	ClassMissingParameter
	ClassSecurity
)

// Diagnostic is one finding about a configuration.
type Diagnostic struct {
	Pos      Pos      `json:"pos"`
	Severity Severity `json:"severity"`
	Class    Class    `json:"-"`
	Msg      string   `json:"message"`
	// Stops marks a finding on which keepalived 2.2.7 does not run the
	// configuration at all (its VRRP completion fails: vrrp_complete_init
	// returns false), where other Errors are corrected or skipped and the
	// rest runs. See StopsKeepalived.
	Stops bool `json:"-"`
}

// String formats the finding as `FILE:LINE:COL: severity: message`.
func (d Diagnostic) String() string {
	return fmt.Sprintf("%s: %s: %s", d.Pos, d.Severity, d.Msg)
}

// Diagnostics is a list of findings in source order.
type Diagnostics []Diagnostic

// HasErrors reports whether any finding is an Error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// StopsKeepalived reports whether keepalived 2.2.7 would refuse to run a
// configuration with this finding, rather than log it and run with its
// correction: a missing parameter (the parse is aborted), a strict include
// check that failed, an interface that does not exist (reference 2), or a
// failure of the VRRP completion phase (Diagnostic.Stops: no VRID, no
// interface, no VIP where one is required, a VRID conflict).
func (d Diagnostic) StopsKeepalived() bool {
	if d.Severity != Error {
		return false
	}
	switch d.Class {
	case ClassMissingParameter, ClassFileNotFound, ClassBadInterface, ClassFatal:
		return true
	}
	return d.Stops
}

// StartExit is the exit status keepalived 2.2.7's daemon ends with at
// start-up for these findings: 0 when it runs (every finding is logged and
// corrected), 6 when a strict include check failed (the parent refuses
// before it starts the VRRP process), else 2 (the VRRP process exits with
// KEEPALIVED_EXIT_CONFIG and the parent terminates with it).
func (ds Diagnostics) StartExit() int {
	code := ExitOK
	for _, d := range ds {
		if !d.StopsKeepalived() {
			continue
		}
		if d.Class == ClassFileNotFound {
			return ExitStartIncludes
		}
		code = ExitStartConfig
	}
	return code
}

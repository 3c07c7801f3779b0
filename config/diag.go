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

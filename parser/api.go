// Package parser reads keepalived.conf text the way keepalived's lexer does
// (comments anywhere, quoting, braces anywhere, include globs, $VAR, @id
// lines, ~SEQ / ~LST) into a positioned AST (a block nester, nest.go), then
// lowers it into the typed, validated config.Config.
//
// This file is the contract the rest of the project is written against.
package parser

import (
	"errors"

	"github.com/keepalived-go/keepalived/config"
)

// Options control how a configuration is read.
type Options struct {
	// ConfigID selects `@ID` lines (keepalived -i); empty means the host's
	// short name.
	ConfigID string
	// AllConfig makes every missing include an error (keepalived -e).
	AllConfig bool

	// randomSeed fixes ${_RANDOM} for tests (0: seeded from the clock).
	randomSeed uint64
}

// ErrNotImplemented was returned by LoadFile before the parser landed.
//
// Deprecated: LoadFile is implemented; kept so that callers still compile.
var ErrNotImplemented = errors.New("parser: not implemented")

// LoadFile reads, preprocesses, parses, lowers and validates the file at
// path and everything it includes. It returns the model (nil only when the
// file could not be read at all), every finding in source order, and an
// error only for I/O failures of the main file (missing, a directory,
// empty). A model with Error findings must not be run.
//
// Host facts (does an interface exist) are not checked here: see
// config.CheckHost.
func LoadFile(path string, opts Options) (*config.Config, config.Diagnostics, error) {
	f, diags, err := Parse(path, opts)
	if err != nil {
		return nil, diags, err
	}
	cfg, more := Lower(f, opts)
	return cfg, append(diags, more...), nil
}

// Package outcome owns what a run's outcome is made of: the kinds of failure (whose
// fault it is), the runner's exit codes, and an error that carries its kind, so that
// the drivers, the framework, the report and the runner decide by type, never by
// parsing a message.
//
// It depends on nothing of the project: drivers classify their errors with it, and
// the framework, reports and the runner read the classification back.
package outcome

import (
	"errors"
	"fmt"
)

// ExitCode is the runner's exit status, as the README documents it.
type ExitCode int

// The runner's exit codes.
const (
	// ExitPass: every selected spec that ran held.
	ExitPass ExitCode = 0
	// ExitContract: the platform broke its contract; environment failures beside a
	// contract failure do not soften it.
	ExitContract ExitCode = 1
	// ExitEnvironment: no contract failure, but the environment (network, platform
	// unavailable, browser) left part of the contract unverified; rerun after fixing it.
	ExitEnvironment ExitCode = 2
	// ExitConfig: a configuration mistake found before any spec ran, or a run in which
	// no spec ran at all (the label filter or brand list selected nothing).
	ExitConfig ExitCode = 3
	// ExitNoBrowser is the browser command's own code: a browser is needed and none is
	// installed, the one case in which make installs one. No other command uses it.
	ExitNoBrowser ExitCode = 4
)

// Kind says whose fault a failure is. Its string is what certification.json shows.
type Kind string

// The kinds of failure.
const (
	// Contract: the platform did not do what its documentation promises. Any failure
	// nobody classified otherwise is the contract's.
	Contract Kind = "contract"
	// Environment: the run could not find out (unreachable host, platform unavailable,
	// a browser that broke): part of the contract is unverified.
	Environment Kind = "environment"
	// Configuration: the user's setup is wrong (credentials, flags, variables).
	Configuration Kind = "configuration"
)

// ExitCode is the runner's exit code for a failure of kind k alone.
func (k Kind) ExitCode() ExitCode {
	switch k {
	case Environment:
		return ExitEnvironment
	case Configuration:
		return ExitConfig
	default:
		return ExitContract
	}
}

// Classified is an error that knows its kind. Error implements it; a driver's own
// error types may implement it too (oppwa's unavailable platform), so that KindOf
// finds them anywhere in a chain of wrapped errors.
type Classified interface {
	error
	OutcomeKind() Kind
}

// Error is an error of a known kind. Its message is Err's, unchanged: the kind travels
// as data.
type Error struct {
	Kind Kind
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }

// Unwrap returns the classified error.
func (e *Error) Unwrap() error { return e.Err }

// OutcomeKind returns e.Kind.
func (e *Error) OutcomeKind() Kind { return e.Kind }

// Wrap marks err as a failure of kind; nil stays nil.
func Wrap(kind Kind, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Kind: kind, Err: err}
}

// Errorf is fmt.Errorf marked as a failure of kind (%w wraps as usual).
func Errorf(kind Kind, format string, a ...any) error {
	return &Error{Kind: kind, Err: fmt.Errorf(format, a...)}
}

// EnvironmentError marks err as an environment failure; nil stays nil.
func EnvironmentError(err error) error { return Wrap(Environment, err) }

// KindOf is the kind of the outermost classified error in err's chain; an error
// nobody classified is a contract failure, and nil has no kind ("").
func KindOf(err error) Kind {
	if err == nil {
		return ""
	}
	var c Classified
	if errors.As(err, &c) {
		return c.OutcomeKind()
	}
	return Contract
}

// IsEnvironment reports whether err is an environment failure.
func IsEnvironment(err error) bool { return KindOf(err) == Environment }

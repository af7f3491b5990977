package outcome

import (
	"errors"
	"fmt"
	"io"
	"testing"
)

// unavailable stands for a driver's own error type that knows its kind.
type unavailable struct{}

func (unavailable) Error() string     { return "platform unavailable" }
func (unavailable) OutcomeKind() Kind { return Environment }

func TestKindOf(t *testing.T) {
	for name, tc := range map[string]struct {
		err  error
		want Kind
	}{
		"nil has no kind":                {nil, ""},
		"unclassified is the contract's": {errors.New("amount not echoed"), Contract},
		"marked environment":             {EnvironmentError(io.EOF), Environment},
		"marked configuration":           {Wrap(Configuration, errors.New("bad flag")), Configuration},
		"through %w":                     {fmt.Errorf("start sandbox: %w", EnvironmentError(io.EOF)), Environment},
		"through errors.Join":            {errors.Join(errors.New("x"), Errorf(Environment, "dial: %w", io.EOF)), Environment},
		"a driver's own type":            {fmt.Errorf("GET /v1/query: %w", unavailable{}), Environment},
		"outermost kind wins":            {Wrap(Contract, fmt.Errorf("journey: %w", EnvironmentError(io.EOF))), Contract},
	} {
		if got := KindOf(tc.err); got != tc.want {
			t.Errorf("%s: KindOf = %q, want %q", name, got, tc.want)
		}
		if got := IsEnvironment(tc.err); got != (tc.want == Environment) {
			t.Errorf("%s: IsEnvironment = %v", name, got)
		}
	}
}

func TestErrorKeepsMessageAndChain(t *testing.T) {
	err := fmt.Errorf("open browser context: %w", Errorf(Environment, "cdp: %w", io.ErrUnexpectedEOF))
	if err.Error() != "open browser context: cdp: unexpected EOF" {
		t.Errorf("message %q: the kind must travel as data, not as text", err)
	}
	var e *Error
	if !errors.As(err, &e) || e.Kind != Environment || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("errors.As/Is through the chain: %#v", e)
	}
	if Wrap(Environment, nil) != nil || EnvironmentError(nil) != nil {
		t.Error("wrapping nil must stay nil")
	}
}

func TestExitCodes(t *testing.T) {
	// The README's table: a test, because CI jobs and nightly scripts branch on them.
	want := map[ExitCode]int{ExitPass: 0, ExitContract: 1, ExitEnvironment: 2, ExitConfig: 3, ExitNoBrowser: 4}
	for c, n := range want {
		if int(c) != n {
			t.Errorf("exit code %d, want %d", c, n)
		}
	}
	for k, c := range map[Kind]ExitCode{Contract: ExitContract, Environment: ExitEnvironment, Configuration: ExitConfig} {
		if k.ExitCode() != c {
			t.Errorf("%s.ExitCode() = %d, want %d", k, k.ExitCode(), c)
		}
	}
}

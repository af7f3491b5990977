package framework

import "time"

// Exit codes of a run, documented in the README: contract failures and environment
// failures are told apart so that a nightly job can page the right people.
const (
	ExitPass        = 0
	ExitContract    = 1
	ExitEnvironment = 2
	ExitConfig      = 3
)

// SetupTimeout bounds suite setup (sandbox, receiver).
const SetupTimeout = 60 * time.Second

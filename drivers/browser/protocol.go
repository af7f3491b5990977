package browser

import (
	"fmt"

	"github.com/oppwa-conformance/oppwa-conformance/outcome"
)

// protocolError is err, a command the browser refused or could not carry out (a CDP
// error: a navigation, a click, an evaluation, a tab), named by what was being done
// and marked as the environment's failure: the browser broke, so whether the
// platform kept its promise is unknown. What a page shows or lacks is never one.
func protocolError(err error, format string, args ...any) error {
	return outcome.Errorf(outcome.Environment, "%s: %w", fmt.Sprintf(format, args...), err)
}

package browser

import (
	"errors"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/oppwa-conformance/oppwa-conformance/outcome"
)

// A browser that refuses a command, a method page that does not load and a page the
// driver has no script for leave the contract unverified; a page that offers no way
// for the action is the contract's.
func TestBrowserErrorsCarryTheirKind(t *testing.T) {
	for name, tc := range map[string]struct {
		err  error
		want outcome.Kind
	}{
		"a click CDP rejects":   {protocolError(errors.New("Input.dispatchMouseEvent: -32000"), "browser: click %s", "#go"), outcome.Environment},
		"a detached tab":        {protocolError(chromedp.ErrTargetDetached, "browser: tab closed at %s", "https://x/"), outcome.Environment},
		"a method page":         {&PreconditionError{Index: 1, URL: "https://acs/method", Reason: "no onload"}, outcome.Environment},
		"an unknown page":       {&PageError{URL: "https://bank/", Unknown: true, Reason: "no page script matches it"}, outcome.Environment},
		"no steps for a known":  {&PageError{URL: "https://acs/", Script: "3ds-challenge-form", Reason: "lists no steps for action frictionless"}, outcome.Contract},
		"wrapped by the caller": {fmt.Errorf("shopper journey: %w", protocolError(errors.New("eval"), "browser: open redirect POST %s", "https://x/")), outcome.Environment},
	} {
		if got := outcome.KindOf(tc.err); got != tc.want {
			t.Errorf("%s: kind %q, want %q (%v)", name, got, tc.want, tc.err)
		}
	}
	err := protocolError(chromedp.ErrTargetDetached, "browser: tab closed at %s", "https://x/")
	if !errors.Is(err, chromedp.ErrTargetDetached) || err.Error() != "browser: tab closed at https://x/: "+chromedp.ErrTargetDetached.Error() {
		t.Errorf("protocolError must keep the cause and add no marker: %v", err)
	}
}

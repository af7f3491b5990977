package browser

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/oppwa-conformance/oppwa-conformance/drivers/oppwa"
	"github.com/oppwa-conformance/oppwa-conformance/outcome"
)

// The documented values of a precondition's Origin and WaitUntil.
const (
	OriginHiddenIframe = "iframe#hidden"
	WaitIframeOnload   = "iframe#onload"
)

// PreconditionError says that a precondition did not load: an HTTP error status,
// a network error, or no onload within the timeout. It is the environment's
// failure (the platform's method page could not be reached), not a broken
// promise of the reply.
type PreconditionError struct {
	Index       int // 1-based, in the redirect's order
	URL         string
	Description string
	Reason      string
}

// OutcomeKind: a method page that does not load leaves the 3-D Secure flow
// unverified; the environment failed, not the reply's promise.
func (e *PreconditionError) OutcomeKind() outcome.Kind { return outcome.Environment }

func (e *PreconditionError) Error() string {
	return fmt.Sprintf("browser: redirect precondition %d (%q, %s) did not load in its hidden iframe: %s", e.Index, e.Description, e.URL, e.Reason)
}

// runPreconditions executes the redirect's preconditions (a request the merchant's
// page must make before it sends the shopper on: on the real platform the 3-D
// Secure 2 method call, POSTing threeDSMethodData to the ACS) in the tab's page, in
// order: each in a hidden iframe it loads URL into (POST or empty Method: a form
// with the parameters targeting the iframe; GET: the parameters appended to URL's
// own query), waiting for the iframe's onload, bounded by
// Options.PreconditionTimeout and Follow's ctx. The documented Origin is
// "iframe#hidden" and WaitUntil "iframe#onload"; other values are executed the same
// way and noted in the step.
func (f *flow) runPreconditions(ps oppwa.Preconditions) error {
	if len(ps) == 0 {
		return nil
	}
	if f.onOldPage {
		// The iframes live in a blank page, as in a new tab: their requests
		// carry no Origin or Referer of the previous flow's pages, which a
		// reset tab may have kept.
		if err := chromedp.Do(f.ctx, chromedp.Navigate("about:blank")); err != nil {
			return protocolError(err, "browser: open a blank page for the redirect preconditions")
		}
		f.onOldPage = false
	}
	for i, p := range ps {
		if err := f.runPrecondition(i+1, p); err != nil {
			return err
		}
	}
	return nil
}

// iframeLoad is what page.js's precondition answers.
type iframeLoad struct {
	Loaded bool `json:"loaded"`
}

// runPrecondition executes precondition n (1-based) and records it as a step.
func (f *flow) runPrecondition(n int, p oppwa.Precondition) error {
	method := strings.ToUpper(strings.TrimSpace(p.Method))
	target, params := p.URL, p.Parameters
	switch method {
	case "", "POST":
		method = "POST"
	case "GET":
		u, err := appendParams(p.URL, p.Parameters)
		if err != nil {
			return fmt.Errorf("browser: precondition %d: %w", n, err)
		}
		target, params = u, nil
	default:
		return fmt.Errorf("browser: precondition %d %s: unsupported method %q", n, p.URL, p.Method)
	}
	if params == nil {
		params = oppwa.Params{} // JSON [], not null
	}
	timeout := f.s.b.opts.PreconditionTimeout
	js, err := pageCall(f.s.b.lib, "precondition", fmt.Sprintf("oppwa-precondition-%d", n), method, target, params, timeout.Milliseconds())
	if err != nil {
		return fmt.Errorf("browser: precondition %d: %w", n, err)
	}
	lctx, stop := context.WithCancel(f.ctx)
	defer stop()
	w := &frameWatch{}
	if err := chromedp.Listen(lctx, w.on); err != nil {
		return protocolError(err, "browser: precondition %d: watch its iframe", n)
	}
	res, err := chromedp.Run(f.ctx, chromedp.Evaluate[iframeLoad](js, chromedp.EvalAwaitPromise))
	f.journey.Steps = append(f.journey.Steps, Step{Name: StepPrecondition, URL: p.URL, Title: p.Description, Note: preconditionNote(p), At: time.Now()})
	failed := func(reason string) error {
		return &PreconditionError{Index: n, URL: p.URL, Description: p.Description, Reason: reason}
	}
	switch {
	case err != nil && f.ctx.Err() != nil:
		return fmt.Errorf("%w (%w)", failed("no onload before the flow's deadline"), context.Cause(f.ctx))
	case err != nil:
		return protocolError(err, "browser: precondition %d %s", n, p.URL)
	case !res.Loaded:
		return failed(fmt.Sprintf("no onload within %s%s", timeout, w.pending()))
	}
	if reason := w.failure(); reason != "" {
		return failed(reason)
	}
	return nil
}

// preconditionNote names the undocumented values of a precondition, if any.
func preconditionNote(p oppwa.Precondition) string {
	var notes []string
	if p.Origin != OriginHiddenIframe {
		notes = append(notes, fmt.Sprintf("origin %q is not the documented %s; executed as %s", p.Origin, OriginHiddenIframe, OriginHiddenIframe))
	}
	if p.WaitUntil != WaitIframeOnload {
		notes = append(notes, fmt.Sprintf("waitUntil %q is not the documented %s; waited for %s", p.WaitUntil, WaitIframeOnload, WaitIframeOnload))
	}
	return strings.Join(notes, "; ")
}

// frameWatch records how the documents loaded while a precondition runs: the
// main frame stays on its blank page then, so they are the iframe's. Its on
// runs in the tab's reading loop (chromedp.Listen), so an event that arrives
// before the reply to the evaluation is recorded before that reply returns.
type frameWatch struct {
	mu       sync.Mutex
	url      string
	status   int64
	failText string
}

func (w *frameWatch) on(ev any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventResponseReceived:
		if e.Type == network.ResourceTypeDocument && e.Response != nil {
			w.url, w.status = e.Response.URL, e.Response.Status
		}
	case *network.EventLoadingFailed:
		if e.Type == network.ResourceTypeDocument && !e.Canceled {
			w.failText = e.ErrorText
		}
	}
}

// failure is why the iframe's document did not load, or "".
func (w *frameWatch) failure() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.failText != "":
		return "network error " + w.failText
	case w.status >= 400:
		return fmt.Sprintf("HTTP %d at %s", w.status, w.url)
	}
	return ""
}

// pending adds what is known of a document that never fired onload.
func (w *frameWatch) pending() string {
	if r := w.failure(); r != "" {
		return " (" + r + ")"
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.status != 0 {
		return fmt.Sprintf(" (HTTP %d at %s)", w.status, w.url)
	}
	return ""
}

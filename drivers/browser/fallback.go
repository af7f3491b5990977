package browser

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
)

// unknownPage handles a page no script matches, or one known only by sight (known: a
// script without actions; its name then titles the draft). An HTTP error status fails at once
// (the platform answered an error, a contract matter). For the actions the fallback
// serves (fixtures' fallback block), it fills the required fields and clicks the
// control most likely to go on, on at most maxPages pages per journey; a click the
// page does not act on is noticed within StallTimeout. Any other action waits
// StallTimeout for the page to move on by itself.
func (f *flow) unknownPage(st pageState, known *fixtures.PageScript) error {
	step, why, name := StepRedirect, "no page script matches it", ""
	if known != nil {
		step, name = known.Step, known.Name
		why = fmt.Sprintf("page script %q (%s) recognises it but knows none of its controls (%s)", known.Name, known.File, known.Note)
	}
	f.snap(f.ctx, step, st)
	if code := f.httpStatus(st.URL); code >= 400 {
		return fmt.Errorf("browser: HTTP %d at %s: %q", code, st.URL, st.Text)
	}
	fb := f.s.b.scripts.Fallback
	if fb == nil || !slices.Contains(fb.Actions, string(f.action)) {
		if ok, err := f.mark(st); err != nil || !ok {
			return nil // the page moved on already: the loop looks again
		}
		return f.awaitSelfMove(st, name, why, f.s.b.opts.StallTimeout)
	}
	if f.fallbacks >= fb.MaxPages {
		return pageError(st, name, true, "%s, and the fallback acted on %d pages of this journey already (its bound)", why, f.fallbacks)
	}
	f.fallbacks++
	navs := f.navCount()
	res, err := callPage[fallbackResult](f.ctx, f.s.b.lib, "fallback", st.ID)
	switch {
	case err != nil && f.here().ID == st.ID:
		// Still the same document: the fallback itself failed on this page.
		return pageError(st, name, true, "%s, and the fallback failed on it: %v", why, err)
	case err != nil:
		return nil // the page navigated away meanwhile: the loop looks again
	case res.Moved:
		return nil
	case res.None:
		return f.awaitSelfMove(st, name, why+", and it has no button or link the fallback recognises", f.s.b.opts.StallTimeout)
	case res.Blocked != "":
		return pageError(st, name, true, "%s, and the form's validation refuses what the fallback filled in: %s", why, res.Blocked)
	}
	if err := f.clickAt(res.clickPoint, res.Sel+" (fallback)"); err != nil {
		return err
	}
	if err := f.awaitEffect(st.ID, navs); err != nil {
		if errors.Is(err, errStalled) {
			return pageError(st, name, true, "%s, and the page did not act on the fallback's click on %s within %s%s",
				why, res.Sel, f.s.b.opts.StallTimeout, f.invalidFields())
		}
		return err
	}
	return nil
}

// fallbackResult is what page.js's fallback answers.
type fallbackResult struct {
	clickPoint
	None    bool   `json:"none"`
	Blocked string `json:"blocked"`
}

// awaitSelfMove gives a page the driver cannot act on StallTimeout to move on by
// itself (a script-driven redirect); a new page or the return URL is left to run's
// loop.
func (f *flow) awaitSelfMove(st pageState, script, why string, limit time.Duration) error {
	_, err := f.nextPage(limit)
	if !errors.Is(err, errStalled) {
		return err
	}
	return pageError(st, script, true, "%s, and it did not move on within %s: cannot %s (page text %q)", why, limit, f.action, st.Text)
}

// selfMoveTimeout bounds the wait for a page a script says moves on by itself: a
// self-submitting 3-D Secure page can take about 3.5 s (real-platform.md §2); one
// that has not moved in 15 s will not.
const selfMoveTimeout = 15 * time.Second

package browser

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	"github.com/oppwa-conformance/oppwa-conformance/outcome"
)

// loadScripts is the page knowledge of a browser: the user's scripts from dir
// (Options.ShopperPages; empty: none) on top of the built-in ones.
func loadScripts(dir string) (fixtures.PageScripts, error) {
	builtin, err := fixtures.BuiltinPageScripts()
	if err != nil {
		return builtin, fmt.Errorf("browser: built-in page scripts: %w", err)
	}
	if dir == "" {
		return builtin, nil
	}
	user, err := fixtures.ReadPageScripts(dir, "")
	if err != nil {
		return user, fmt.Errorf("browser: page scripts (OPPWA_SHOPPER_PAGES): %w", err)
	}
	return fixtures.MergePageScripts(user, builtin), nil
}

// pageMatcher is what page.js needs of a script to recognise its page.
type pageMatcher struct {
	Name     string `json:"name"`
	URL      string `json:"url,omitempty"`
	Selector string `json:"selector,omitempty"`
	Title    string `json:"title,omitempty"`
}

// pageConfig is the argument page.js's function takes: the scripts' matchers, in
// the order they are tried, and the fallback's words and test data.
type pageConfig struct {
	Matchers []pageMatcher         `json:"matchers"`
	Fallback fixtures.PageFallback `json:"fallback"`
}

// pageLib is the expression that installs page.js, configured with ps, in a
// document that lacks it and evaluates to it.
func pageLib(ps fixtures.PageScripts) (string, error) {
	cfg := pageConfig{Matchers: []pageMatcher{}}
	for _, s := range ps.Scripts {
		cfg.Matchers = append(cfg.Matchers, pageMatcher{Name: s.Name, URL: s.Match.URL, Selector: s.Match.Selector, Title: s.Match.Title})
	}
	if ps.Fallback != nil {
		cfg.Fallback = *ps.Fallback
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		return "", err
	}
	return "(globalThis.__oppwa ??= (" + pageJS + ")(" + string(b) + "))", nil
}

// PageError says the shopper could not go on from a page. Unknown marks what the
// driver does not know about the page (no script matched it and the fallback could
// not pass, or a script no longer fits it): the run's environment lacks page
// knowledge, and the journey's Stuck inventory holds a draft script to add. A page
// whose script lists no steps for the action is not Unknown: the page was not to be
// expected for that action.
type PageError struct {
	URL, Title string
	Script     string // the script that matched, if any
	Unknown    bool
	Reason     string
}

// OutcomeKind: what the driver does not know of a page (Unknown) is the run's
// environment, fixed by a page script; a page that offers no way for the action is
// the contract's.
func (e *PageError) OutcomeKind() outcome.Kind {
	if e.Unknown {
		return outcome.Environment
	}
	return outcome.Contract
}

func (e *PageError) Error() string {
	msg := fmt.Sprintf("browser: page %s (title %q): %s", e.URL, e.Title, e.Reason)
	switch {
	case e.Unknown && e.Script != "":
		msg += fmt.Sprintf(": fix page script %q with one of the same name in the directory OPPWA_SHOPPER_PAGES names (a draft is in the report)", e.Script)
	case e.Unknown:
		msg += ": add a page script for it to the directory OPPWA_SHOPPER_PAGES names (a draft is in the report)"
	}
	return msg
}

// pageError is a PageError at the page st.
func pageError(st pageState, script string, unknown bool, format string, args ...any) error {
	return &PageError{URL: st.URL, Title: st.Title, Script: script, Unknown: unknown, Reason: fmt.Sprintf(format, args...)}
}

// clickPoint is where page.js found the element to click (its point).
type clickPoint struct {
	Moved bool    `json:"moved"`
	Err   string  `json:"err"`
	X     float64 `json:"x"`
	Y     float64 `json:"y"`
	Hit   bool    `json:"hit"`
	Sel   string  `json:"sel"` // a selector that finds the element
}

// stepResult is what page.js's step answers.
type stepResult struct {
	clickPoint
	Wait bool   `json:"wait"`
	ID   string `json:"id"` // the document the step acted on
}

// runSteps takes a script's steps for the action, then waits until the page acts
// on them (see awaitEffect).
func (f *flow) runSteps(st pageState, sc fixtures.PageScript, steps []fixtures.PageStep) error {
	navs := f.navCount()
	last := st
	for i, s := range steps {
		what := fmt.Sprintf("page script %q, %s step %d (%s)", sc.Name, f.action, i+1, describeStep(s))
		if s.WaitNavigation {
			if err := f.awaitEffect(last.ID, navs); errors.Is(err, errStalled) {
				return pageError(last, sc.Name, true, "%s: the browser did not leave the page within %s", what, f.s.b.opts.StallTimeout)
			} else if err != nil {
				return err
			}
			continue
		}
		navs = f.navCount()
		cur, err := f.runStep(s, what)
		if pe := (*PageError)(nil); errors.As(err, &pe) {
			pe.Script = sc.Name
		}
		if err != nil {
			return err
		}
		if cur.ID != last.ID {
			last = f.here() // the steps moved on to another page: name it in errors
		}
	}
	if err := f.awaitEffect(last.ID, navs); err != nil {
		if errors.Is(err, errStalled) {
			return pageError(last, sc.Name, true, "page script %q: the page did not act on its %s steps within %s%s",
				sc.Name, f.action, f.s.b.opts.StallTimeout, f.invalidFields())
		}
		return err
	}
	return nil
}

// describeStep is a step as a script writes it.
func describeStep(s fixtures.PageStep) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// runStep takes one step on the current page, waiting up to StallTimeout for its
// element. It answers the page it acted on (only its ID when the step succeeded).
func (f *flow) runStep(s fixtures.PageStep, what string) (pageState, error) {
	deadline := time.Now().Add(f.s.b.opts.StallTimeout)
	for {
		res, err := callPage[stepResult](f.ctx, f.s.b.lib, "step", s)
		switch {
		case err != nil && f.ctx.Err() != nil:
			return pageState{}, fmt.Errorf("browser: %s: %w", what, context.Cause(f.ctx))
		case err != nil:
			// Mostly a navigation under way: look again.
		case res.Err != "":
			return f.here(), pageError(f.here(), "", true, "%s: %s", what, res.Err)
		case !res.Wait:
			cur := pageState{ID: res.ID}
			if s.Click != "" || s.ClickText != "" {
				return cur, f.clickAt(res.clickPoint, what)
			}
			return cur, nil
		}
		if time.Now().After(deadline) {
			st := f.here()
			return st, pageError(st, "", true, "%s: not found on the page within %s", what, f.s.b.opts.StallTimeout)
		}
		if err := f.pause(); err != nil {
			return pageState{}, err
		}
	}
}

// here probes the current page, for naming it in an error; zero when it cannot.
func (f *flow) here() pageState {
	ctx, cancel := context.WithTimeout(f.ctx, time.Second)
	defer cancel()
	st, err := f.probe(ctx)
	if err != nil {
		return pageState{URL: f.url}
	}
	return st
}

// pause waits for the next page event or the poll interval.
func (f *flow) pause() error {
	t := time.NewTimer(pollInterval)
	defer t.Stop()
	select {
	case <-f.ctx.Done():
		return context.Cause(f.ctx)
	case <-f.wake:
	case <-t.C:
	}
	return nil
}

// clickAt clicks at p as a shopper would: a trusted mouse click at its centre, or,
// when another element covers it (an overlay, a cookie banner), through the DOM.
func (f *flow) clickAt(p clickPoint, what string) error {
	var err error
	switch {
	case p.Err != "":
		return fmt.Errorf("browser: click %s: %s", what, p.Err)
	case !p.Hit:
		_, err = callPage[chromedp.Void](f.ctx, f.s.b.lib, "clickDOM", p.Sel)
	default:
		err = chromedp.Do(f.ctx, chromedp.MouseClickXY(p.X, p.Y))
	}
	if err != nil {
		// The browser refused the click itself (a CDP error), not the page: whether
		// the page keeps its promise is unknown.
		return protocolError(err, "browser: click %s", what)
	}
	return nil
}

// awaitEffect waits, up to StallTimeout, for a sign that the page acted on what the
// shopper did: a navigation started since navs, another document, or the document's
// content changed (page.js marks it unseen). errStalled when none came: the click
// was refused (form validation) or went nowhere.
func (f *flow) awaitEffect(id string, navs int) error {
	deadline := time.Now().Add(f.s.b.opts.StallTimeout)
	for {
		if f.navCount() > navs {
			return nil
		}
		pctx, cancel := context.WithTimeout(f.ctx, time.Second)
		st, err := f.probe(pctx)
		cancel()
		if err != nil || st.ID != id || !st.Seen {
			// An error is mostly "execution context was destroyed": the page is
			// going; run's loop waits for the next one.
			return nil
		}
		if time.Now().After(deadline) {
			return errStalled
		}
		if err := f.pause(); err != nil {
			return err
		}
	}
}

// invalidFields names the fields the page's form validation refuses, as ": the
// form's validation refuses ..."; empty when none (or the page cannot tell).
func (f *flow) invalidFields() string {
	ctx, cancel := context.WithTimeout(f.ctx, time.Second)
	defer cancel()
	s, err := callPage[string](ctx, f.s.b.lib, "invalidFields")
	if err != nil || s == "" {
		return ""
	}
	return ": the form's validation refuses " + s
}

// navCount is how many navigations the tab started during the flow.
func (f *flow) navCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.navs
}

// noteNavigation counts a navigation the tab started.
func (f *flow) noteNavigation() {
	f.mu.Lock()
	f.navs++
	f.mu.Unlock()
}

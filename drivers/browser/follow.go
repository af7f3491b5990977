package browser

import (
	"cmp"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/oppwa-conformance/oppwa-conformance/drivers/oppwa"
)

// Action is what the shopper does on the platform's pages.
//
// Page scripts (fixtures/pages/*.json, and the user's in Options.ShopperPages)
// say, per page, the steps of each action: the sandbox's checkout clicks
// #approve, #cancel or #fail, a 3-D Secure challenge page chooses the outcome
// Y, N or U by its visible text and submits. Where a script lists no steps for
// an action, its aliases stand in (Approve on an ACS page is ChallengeApprove).
// Frictionless acts on nothing: it only waits for pages that move on by
// themselves, and fails on a page whose script asks for a choice. A page no
// script matches gets the fallback (see Follow). A page with an HTTP error
// status that no script matches fails at once.
type Action string

const (
	Approve          Action = "approve"
	Cancel           Action = "cancel"
	Fail             Action = "fail"
	ChallengeApprove Action = "challenge:Y"
	ChallengeFail    Action = "challenge:N"
	ChallengeError   Action = "challenge:U"
	Frictionless     Action = "frictionless"
)

// Step is one page of a journey.
type Step struct {
	Name       string // precondition, shopperResultUrl, stuck, redirect, or the matching page script's step (checkout, acs, bank, method)
	URL        string
	Title      string // the page's title; a precondition's description
	Note       string // what was unusual about the step (a precondition's undocumented origin or waitUntil)
	Screenshot []byte // JPEG of the viewport; nil for self-submitting pages or if the capture failed
	At         time.Time
}

// Journey is what Follow saw.
type Journey struct {
	Steps    []Step
	FinalURL string
	// Stuck describes the page the shopper could not go on from, with a draft page
	// script for it; set when Follow failed with a *PageError.
	Stuck *Inventory
}

// Step names.
const (
	StepPrecondition = "precondition"
	StepCheckout     = "checkout"
	StepRedirect     = "redirect"
	StepReturn       = "shopperResultUrl"
	StepStuck        = "stuck"
)

// screenshotQuality is the JPEG quality of the step screenshots.
const screenshotQuality = 60

// pollInterval bounds the wait between two looks at the page when no load
// event wakes the loop earlier.
const pollInterval = 50 * time.Millisecond

// Follow first executes the redirect's preconditions (see runPreconditions),
// then sends the browser to the redirect (GET: parameters appended to the
// URL's own query; POST or empty method: the parameters form-encoded as a
// form sends them, in a POST the browser starts itself, see openPost, or
// after preconditions a form the page hosting them submits, see submitForm), acts
// as the shopper with action on every page it reaches, and returns when the
// location starts with returnURLPrefix, or a URL that does answered the top
// frame with no page (204, as drivers/shopper's receiver does). If
// returnURLPrefix ends inside a path segment's name (in a letter, digit or
// one of -._~%), the next character must end the segment ("?", "#", "/" or
// the end), so /return/k1 does not match /return/k10.
//
// On every page, the first page script that matches it (see Action) says what
// to do. On a page no script matches, Approve and ChallengeApprove fill its
// required fields with test data and click the control most likely to go on
// (the fallback, on a bounded number of pages); a click the page does not act
// on (refused by form validation, or nothing happened) fails within
// Options.StallTimeout. Such failures are a *PageError.
//
// ctx bounds the whole flow; the tab is not tied to it. On failure Follow
// returns the journey so far, with a "stuck" screenshot, and an error naming
// the page and what was missing; after a *PageError the journey's Stuck
// describes the page.
func (s *Session) Follow(ctx context.Context, r oppwa.Redirect, returnURLPrefix string, action Action) (*Journey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tracef("Follow")
	defer tracef("Follow end")

	run, stop := context.WithCancelCause(s.ctx)
	defer stop(nil)
	unhook := context.AfterFunc(ctx, func() { stop(context.Cause(ctx)) })
	defer unhook()

	f := &flow{
		s:       s,
		ctx:     run,
		prefix:  returnURLPrefix,
		action:  action,
		journey: &Journey{},
		wake:    make(chan struct{}, 1),
		status:  map[string]int64{},
		// A reset tab may have kept its last page, and a session's second
		// flow starts where its first ended.
		onOldPage: s.used || s.t.kept,
	}
	f.watchLoads()
	err := f.run(r)
	s.used = true
	if err != nil {
		if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
			err = fmt.Errorf("%w (%w)", err, context.Cause(ctx))
		}
		f.describeStuck(err)
		return f.journey, err
	}
	return f.journey, nil
}

// describeStuck adds the page the flow stopped on to the journey: a "stuck" step
// with its screenshot and, for a page the shopper could not get through, its
// inventory. Each part has a short context of its own: the caller's ctx may have
// expired, a capture of a page that is navigating never answers, and a slow
// capture must not cost the inventory.
func (f *flow) describeStuck(err error) {
	within := func(d time.Duration, do func(context.Context)) {
		ctx, cancel := context.WithTimeout(f.s.ctx, d)
		defer cancel()
		do(ctx)
	}
	if f.onOldPage {
		// The tab still shows a page from before this flow (a reset tab's kept
		// page, or an earlier flow's): its screenshot and address would be
		// another flow's evidence.
		f.addStep(StepStuck, pageState{URL: f.url}, nil)
		return
	}
	st := pageState{URL: f.url}
	within(time.Second, func(ctx context.Context) {
		if p, perr := f.probe(ctx); perr == nil {
			st = p
		}
	})
	within(2*time.Second, func(ctx context.Context) { f.snap(ctx, StepStuck, st) })
	if pe := (*PageError)(nil); errors.As(err, &pe) {
		within(2*time.Second, func(ctx context.Context) { f.journey.Stuck = f.inventory(ctx, pe) })
	}
}

type flow struct {
	s         *Session
	ctx       context.Context // the tab, cancelled with the caller's ctx
	prefix    string
	action    Action
	journey   *Journey
	wake      chan struct{}
	url       string // the last URL seen
	fallbacks int    // pages the fallback acted on
	onOldPage bool   // the tab shows a page from before this flow: not yet left

	mu        sync.Mutex
	status    map[string]int64 // document URL -> HTTP status
	loadError string           // why the last document that failed to load failed
	navs      int              // navigations the tab's top frame started
	returned  string           // the return URL, once it answered without a page to show
}

// httpStatus is the status of the document at u, or 0 if unknown.
func (f *flow) httpStatus(u string) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.status[u]
}

// pageState is what probe finds on the current document.
type pageState struct {
	ID    string `json:"id"` // set by probe on the document
	URL   string `json:"url"`
	Ready string `json:"ready"`
	Seen  bool   `json:"seen"`
	Title string `json:"title"`
	// Script is the index of the first page script that matches the document,
	// -1 for none; matched only on a parsed document not handled yet.
	Script    int    `json:"script"`
	Bad       string `json:"bad"` // a script whose matcher the page could not run
	ErrorCode string `json:"errorCode"`
	Text      string `json:"text"` // the start of the body text
}

//go:embed page.js
var pageJS string

// pageCall is the expression that calls the function fn of page.js with
// args, installing page.js (lib, see pageLib) first in a document that does
// not have it yet. The arguments are JSON: no value can break out of the script.
func pageCall(lib, fn string, args ...any) (string, error) {
	return pageExpr(lib, fn, args)
}

// missingPage is thrown by a call made without page.js in a document that lacks it.
const missingPage = "oppwa: page.js not installed"

// pageExpr is the expression that calls fn of the page.js object lib evaluates to.
func pageExpr(lib, fn string, args []any) (string, error) {
	var b strings.Builder
	b.WriteString(lib + "." + fn + "(")
	for i, a := range args {
		if i > 0 {
			b.WriteString(", ")
		}
		j, err := json.Marshal(a)
		if err != nil {
			return "", err
		}
		b.Write(j)
	}
	b.WriteString(")")
	return b.String(), nil
}

// callPage runs the function fn of page.js in the tab's page and returns its
// result. page.js (several KB) is sent along only when the document lacks it:
// the poll loop calls probe every few tens of milliseconds.
func callPage[T any](ctx context.Context, lib, fn string, args ...any) (T, error) {
	lean, err := pageExpr("(globalThis.__oppwa ?? (() => { throw new Error("+strconv.Quote(missingPage)+") })())", fn, args)
	if err != nil {
		var zero T
		return zero, err
	}
	res, err := chromedp.Run(ctx, chromedp.Evaluate[T](lean))
	if err == nil || !strings.Contains(err.Error(), missingPage) {
		return res, err
	}
	full, err := pageCall(lib, fn, args...)
	if err != nil {
		var zero T
		return zero, err
	}
	return chromedp.Run(ctx, chromedp.Evaluate[T](full))
}

// probe describes the tab's current document.
func (f *flow) probe(ctx context.Context) (pageState, error) {
	return callPage[pageState](ctx, f.s.b.lib, "probe")
}

// mark marks the probed document as handled. It reports false when the page
// changed since the probe (then nothing is marked and the loop looks again).
func (f *flow) mark(st pageState) (bool, error) {
	res, err := callPage[string](f.ctx, f.s.b.lib, "mark", st.ID)
	if err != nil {
		return false, err
	}
	return res == "", nil
}

// navigationError names why the browser shows its error page st: the
// network's reason (the headless error page is empty), else the page's.
func (f *flow) navigationError(st pageState) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.loadError != "" {
		return f.loadError
	}
	return st.ErrorCode
}

// watchLoads wakes the wait loop on every commit, load and DOMContentLoaded
// event of the tab, so waits mostly end on events and not on the poll
// interval. It also records the HTTP status of every document, why the last
// one that failed to load failed, and the return URL answering with no page.
func (f *flow) watchLoads() {
	notify := func() {
		select {
		case f.wake <- struct{}{}:
		default:
		}
	}
	onEach(f.ctx, network.ResponseReceived, func(ev network.EventResponseReceived) {
		if ev.Type != network.ResourceTypeDocument || ev.Response == nil {
			return
		}
		f.mu.Lock()
		f.status[ev.Response.URL] = ev.Response.Status
		if f.arrived(string(ev.FrameID), ev.Response) {
			f.returned = ev.Response.URL
		}
		f.mu.Unlock()
		notify()
	})
	onEach(f.ctx, network.LoadingFailed, func(ev network.EventLoadingFailed) {
		if ev.Type == network.ResourceTypeDocument {
			f.mu.Lock()
			f.loadError = ev.ErrorText
			f.mu.Unlock()
		}
	})
	onEach(f.ctx, page.FrameStartedNavigating, func(ev page.EventFrameStartedNavigating) {
		// The top frame's id is the tab's target id; a frame of the page
		// loading is not the page acting on a click.
		if string(ev.FrameID) == string(f.s.t.id) {
			f.noteNavigation()
			notify()
		}
	})
	onEach(f.ctx, page.FrameNavigated, func(page.EventFrameNavigated) { notify() })
	onEach(f.ctx, page.DomContentEventFired, func(page.EventDomContentEventFired) { notify() })
	onEach(f.ctx, page.LoadEventFired, func(page.EventLoadEventFired) { notify() })
}

// arrived reports whether a document response is the return URL answering the
// top frame with no page (204 or 205, as drivers/shopper does): the browser
// stays on the page it left, so no new document will show the arrival.
func (f *flow) arrived(frame string, r *network.Response) bool {
	return frame == string(f.s.t.id) && (r.Status == 204 || r.Status == 205) && f.isReturn(r.URL)
}

// returnedTo is the return URL the browser arrived at without a page, or "".
func (f *flow) returnedTo() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.returned
}

// onEach calls fn with every event ev of the tab, in a goroutine of its own,
// until ctx ends.
func onEach[E any](ctx context.Context, ev cdp.Event[E], fn func(E)) {
	evs := chromedp.Events(ctx, ev)
	go func() {
		for e, err := range evs {
			if err != nil {
				return
			}
			fn(e)
		}
	}()
}

func (f *flow) run(r oppwa.Redirect) error {
	if err := f.runPreconditions(r.Preconditions); err != nil {
		return err
	}
	if err := f.submitRedirect(r); err != nil {
		return err
	}
	f.onOldPage = false
	tracef("submitted")
	for {
		st, err := f.nextPage(0)
		tracef("next page %d %s %v", st.Script, st.URL, err)
		if err != nil {
			return err
		}
		if f.isReturn(st.URL) {
			// The shop only receives the browser (drivers/shopper shows no page):
			// the step and its URL are the evidence.
			f.passThrough(StepReturn, st)
			f.journey.FinalURL = st.URL
			return nil
		}
		if err := f.actOn(st); err != nil {
			return err
		}
	}
}

// submitRedirect opens the redirect as the merchant's page would.
func (f *flow) submitRedirect(r oppwa.Redirect) error {
	method := strings.ToUpper(strings.TrimSpace(r.Method))
	switch method {
	case "GET":
		u, err := appendParams(r.URL, r.Parameters)
		if err != nil {
			return err
		}
		f.url = u
		if len(r.Preconditions) > 0 {
			return f.fromHostPage(u, "assign", u) // see submitForm
		}
		if err := chromedp.Do(f.ctx, chromedp.Navigate(u)); err != nil {
			return protocolError(err, "browser: open redirect GET %s", u)
		}
		return nil
	case "", "POST":
		f.url = r.URL
		if len(r.Preconditions) > 0 {
			return f.submitForm(r.URL, r.Parameters)
		}
		return f.openPost(r.URL, r.Parameters)
	default:
		return fmt.Errorf("browser: redirect %s: unsupported method %q", r.URL, r.Method)
	}
}

// appendParams adds the parameters to the URL's own query, in order.
func appendParams(raw string, ps oppwa.Params) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("browser: redirect URL %q: %w", raw, err)
	}
	if len(ps) == 0 {
		return u.String(), nil
	}
	parts := make([]string, 0, len(ps)+1)
	if u.RawQuery != "" {
		parts = append(parts, u.RawQuery)
	}
	for _, p := range ps {
		parts = append(parts, url.QueryEscape(p.Name)+"="+url.QueryEscape(p.Value))
	}
	u.RawQuery = strings.Join(parts, "&")
	u.ForceQuery = false
	return u.String(), nil
}

// isReturn reports whether u is the return URL (see Follow).
func (f *flow) isReturn(u string) bool {
	if !strings.HasPrefix(u, f.prefix) || f.prefix == "" {
		return false
	}
	last := f.prefix[len(f.prefix)-1]
	if !isSegmentNameChar(last) || len(u) == len(f.prefix) {
		return true
	}
	return strings.ContainsRune("?#/", rune(u[len(f.prefix)]))
}

// isSegmentNameChar reports whether c can continue the name in a URL path
// segment: an unreserved character (RFC 3986) or the % of an escape.
func isSegmentNameChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' || c == '%'
}

// errStalled is returned by nextPage when limit passed without a new page.
var errStalled = errors.New("no navigation")

// nextPage waits for a document that Follow has not acted on yet and that has
// finished parsing, or for the return URL: fully loaded, or answered with no page
// (then the state holds its URL alone). limit > 0 bounds the wait (errStalled);
// the flow's ctx always does.
func (f *flow) nextPage(limit time.Duration) (pageState, error) {
	var deadline <-chan time.Time
	if limit > 0 {
		t := time.NewTimer(limit)
		defer t.Stop()
		deadline = t.C
	}
	tick := time.NewTimer(pollInterval)
	defer tick.Stop()
	var lastErr error
	for {
		if u := f.returnedTo(); u != "" {
			return pageState{URL: u}, nil
		}
		pctx, cancel := context.WithTimeout(f.ctx, 2*time.Second)
		st, err := f.probe(pctx)
		cancel()
		tracef("probe %s seen=%v %s %v", st.Ready, st.Seen, st.URL, err)
		if err == nil {
			lastErr = nil
			if done, err := f.settled(st); done || err != nil {
				return st, err
			}
		} else {
			if errors.Is(err, chromedp.ErrTargetDetached) {
				return st, protocolError(err, "browser: tab closed at %s", f.url)
			}
			// Mostly "execution context was destroyed" during a
			// navigation: look again.
			lastErr = err
		}
		tick.Reset(pollInterval)
		select {
		case <-f.ctx.Done():
			where := f.url
			if st.URL != "" && st.Ready != "" {
				where += " (document " + st.Ready + ")"
			}
			err := fmt.Errorf("browser: waiting at %s for the next page or %s: %w", where, f.prefix, context.Cause(f.ctx))
			if lastErr != nil {
				err = fmt.Errorf("%w (last probe error: %v)", err, lastErr)
			}
			return st, err
		case <-deadline:
			return st, errStalled
		case <-f.wake:
			tracef("wake")
		case <-tick.C:
			tracef("tick")
		}
	}
}

// settled says whether the probed page ends the wait: a failed navigation (an
// error), the return URL fully loaded, or a new page that has finished parsing.
func (f *flow) settled(st pageState) (bool, error) {
	if st.ErrorCode != "" {
		// f.url is still the page the browser tried to leave.
		return true, fmt.Errorf("browser: navigation failed (%s) after %s", f.navigationError(st), f.url)
	}
	if st.URL != "about:blank" {
		// A blank page (a new tab's, or the one preconditions run in) is ours,
		// not a page the platform sent the browser to.
		f.url = st.URL
	}
	if f.isReturn(st.URL) {
		return st.Ready == "complete", nil
	}
	return !st.Seen && st.Ready != "loading" && st.URL != "about:blank", nil
}

// actOn records the page as a step and acts on it as the first page script that
// matches it says; a page no script matches is unknownPage's.
func (f *flow) actOn(st pageState) error {
	if st.Script < 0 || st.Script >= len(f.s.b.scripts.Scripts) {
		if st.Bad != "" {
			// A broken matcher may be the one meant for this page: name it.
			return pageError(st, "", true, "no page script matches it, and one could not be tried: %s", st.Bad)
		}
		return f.unknownPage(st, nil)
	}
	sc := f.s.b.scripts.Scripts[st.Script]
	if sc.Wait {
		// The page moves on by itself: no screenshot (see snap).
		f.passThrough(sc.Step, st)
		if ok, err := f.mark(st); err != nil || !ok {
			// The page is moving on already, which is all that is waited for.
			return nil
		}
		return f.awaitSelfMove(st, sc.Name, fmt.Sprintf("page script %q (%s) waits for the page to move on by itself", sc.Name, sc.File), selfMoveTimeout)
	}
	if len(sc.Actions) == 0 {
		// A page known by sight only (its controls are not public): the fallback
		// tries it as it would an unknown page.
		return f.unknownPage(st, &sc)
	}
	f.snap(f.ctx, sc.Step, st)
	steps, ok := f.s.b.scripts.For(sc, string(f.action))
	if !ok {
		// A frictionless journey that meets a page asking for the shopper's choice
		// broke the platform's promise; any other action the script does not list
		// is what this tool does not know of the page (real-platform.md §2: most
		// pages' cancel and fail controls are not public).
		unknown := f.action != Frictionless
		return pageError(st, sc.Name, unknown, "page script %q (%s) lists no steps for action %s on this %s page",
			sc.Name, sc.File, f.action, sc.Step)
	}
	return f.runSteps(st, sc, steps)
}

// passThrough records a step of a page that only passes the browser on, without a
// screenshot.
func (f *flow) passThrough(name string, st pageState) { f.addStep(name, st, nil) }

// addStep records a step of the journey, at the page's URL or the last one seen.
func (f *flow) addStep(name string, st pageState, screenshot []byte) {
	f.journey.Steps = append(f.journey.Steps, Step{Name: name, URL: cmp.Or(st.URL, f.url), Title: st.Title,
		Screenshot: screenshot, At: time.Now()})
}

// snap records a step with a JPEG screenshot of the viewport. A page that
// moves on by itself (a wait script) is not snapped but passed through:
// Page.captureScreenshot on a page that is navigating away does not answer
// (measured: no reply within 5s), and the page is gone anyway.
func (f *flow) snap(ctx context.Context, name string, st pageState) {
	q, fast := int64(screenshotQuality), true
	t0 := time.Now()
	var img []byte
	cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	res, err := chromedp.Call(cctx, page.CaptureScreenshot, page.CaptureScreenshotParams{
		Format:           page.CaptureScreenshotFormatJpeg,
		Quality:          &q,
		OptimizeForSpeed: &fast,
	})
	cancel()
	if err == nil {
		img = res.Data
	}
	tracef("snap %s %s: %v %v", name, st.URL, time.Since(t0), err)
	f.addStep(name, st, img)
}

// debug turns on a timed trace of every step on stderr (BROWSER_DEBUG=1).
var debug = os.Getenv("BROWSER_DEBUG") != ""

// The trace quotes page URLs with their sessions: it is redacted as reports are.
func tracef(format string, args ...any) {
	if debug {
		fmt.Fprintln(os.Stderr, time.Now().Format("15:04:05.000 ")+oppwa.NewRedactor().Redact(fmt.Sprintf(format, args...)))
	}
}

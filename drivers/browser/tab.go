package browser

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// tab is one tab in an incognito browser context of its own. It serves one
// session at a time; between sessions it is reset or disposed of.
type tab struct {
	ctx       context.Context // the tab; no deadline
	cancel    context.CancelFunc
	id        target.ID
	contextID cdp.BrowserContextID

	// dirty marks a tab that must be disposed of, not reset and reused: it
	// may hold state the reset does not clear (another target attached, or
	// its session handed out Context()), or its browser wants a fresh
	// context per session.
	dirty atomic.Bool

	// kept: the tab shows not about:blank but the web page the last session
	// ended on (see reset). Written by reset, read by the next session's
	// flows; the pool's hand-off orders the two.
	kept bool

	mu      sync.Mutex
	origins map[string]bool // every origin the tab sent a request to
}

// openTab opens a new incognito browser context with one tab, attached, with
// the viewport set and watched for the origins it contacts. ctx bounds only
// the creation.
func (b *Browser) openTab(ctx context.Context) (*tab, error) {
	tctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	abort := context.AfterFunc(ctx, cancel)
	err := chromedp.Do(tctx, chromedp.EmulateViewport(int64(b.opts.ViewportWidth), int64(b.opts.ViewportHeight)))
	if !abort() {
		err = errors.Join(context.Cause(ctx), err)
	}
	if err != nil {
		cancel()
		return nil, protocolError(err, "browser: new session")
	}
	c := chromedp.FromContext(tctx)
	t := &tab{ctx: tctx, cancel: cancel, contextID: c.BrowserContextID, origins: map[string]bool{}}
	if c.Target != nil {
		t.id = c.Target.TargetID
	}
	t.watch()
	return t, nil
}

// watch records the origin of every request of the tab, and marks it dirty
// when another target (out-of-process frame, worker, popup) attaches to it.
func (t *tab) watch() {
	onEach(t.ctx, network.RequestWillBeSent, func(ev network.EventRequestWillBeSent) {
		if ev.Request != nil {
			t.noteOrigin(ev.Request.URL)
		}
		t.noteOrigin(ev.DocumentURL)
	})
	onEach(t.ctx, target.AttachedToTarget, func(target.EventAttachedToTarget) { t.dirty.Store(true) })
}

// noteOrigin records the origin of an http(s) URL the tab requested.
func (t *tab) noteOrigin(raw string) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return
	}
	o := u.Scheme + "://" + u.Host
	t.mu.Lock()
	t.origins[o] = true
	t.mu.Unlock()
}

// errDirty says a tab must be disposed of rather than reset (see tab.dirty).
var errDirty = errors.New("tab not to be reused")

// reset brings a used tab back to the state of a new one (see NewSession), or
// fails; then the tab must be disposed of.
func (t *tab) reset(b *Browser) error {
	if t.dirty.Load() || t.id == "" || t.contextID == "" {
		return errDirty
	}
	ctx, cancel := context.WithTimeout(t.ctx, 5*time.Second)
	defer cancel()
	if err := t.checkAlone(ctx); err != nil {
		return err
	}
	// Leave the page first unless nothing on it can act (page.js's keep, as
	// the platform's page a flow ends on when the shop's return answers with
	// no page): its scripts, timers and connections end with it, so nothing
	// writes state while it is cleared. A kept page is left by the next
	// flow's own navigation, which the browser starts (openPost), so it lends
	// that flow no Origin or Referer; keeping it saves a navigation, about
	// 25 ms of Chromium CPU per flow (make bench). A flow with preconditions
	// still opens about:blank for them.
	keep, err := callPage[bool](ctx, b.lib, "keep")
	t.kept = err == nil && keep
	acts := []chromedp.Action[chromedp.Void]{
		chromedp.Func(t.clearState),
		chromedp.EmulateViewport(int64(b.opts.ViewportWidth), int64(b.opts.ViewportHeight)),
	}
	if !t.kept {
		acts = append([]chromedp.Action[chromedp.Void]{chromedp.Navigate("about:blank")}, acts...)
	}
	if err := chromedp.Do(ctx, acts...); err != nil {
		return err
	}
	// Proof, not trust: the browser context has no cookie left.
	cs, err := chromedp.CallBrowser(ctx, storage.GetCookies, storage.GetCookiesParams{BrowserContextID: t.contextID})
	if err != nil {
		return err
	}
	if len(cs.Cookies) > 0 {
		return fmt.Errorf("%w: %d cookies left", errDirty, len(cs.Cookies))
	}
	return nil
}

// checkAlone fails when another target shares the tab's browser context (a
// popup, a worker): it holds state of its own.
func (t *tab) checkAlone(ctx context.Context) error {
	ts, err := chromedp.CallBrowser(ctx, target.GetTargets, target.GetTargetsParams{})
	if err != nil {
		return err
	}
	for _, ti := range ts.TargetInfos {
		if ti.BrowserContextID == t.contextID && ti.TargetID != t.id && ti.Type != "browser_ui" {
			return fmt.Errorf("%w: %s target %s", errDirty, ti.Type, ti.URL)
		}
	}
	return nil
}

// clearState clears the tab's history and window.name, the storage of every
// origin it contacted, and its browser context's cookies and HTTP cache.
func (t *tab) clearState(ctx context.Context, tt *chromedp.Target) error {
	t.mu.Lock()
	origins := slices.Collect(maps.Keys(t.origins))
	clear(t.origins)
	t.mu.Unlock()
	if _, err := cdp.Call(ctx, tt, page.ResetNavigationHistory, cdp.Empty{}); err != nil {
		return fmt.Errorf("reset history: %w", err)
	}
	// A browsing context's name survives navigations.
	if _, err := cdp.Call(ctx, tt, runtime.Evaluate, runtime.EvaluateParams{Expression: "window.name = ''"}); err != nil {
		return fmt.Errorf("clear window.name: %w", err)
	}
	for _, o := range origins {
		if _, err := cdp.Call(ctx, tt, storage.ClearDataForOrigin, storage.ClearDataForOriginParams{Origin: o, StorageTypes: "all"}); err != nil {
			return fmt.Errorf("clear data of %s: %w", o, err)
		}
	}
	if _, err := cdp.Call(ctx, tt, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		return fmt.Errorf("clear cookies: %w", err)
	}
	if _, err := cdp.Call(ctx, tt, network.ClearBrowserCache, cdp.Empty{}); err != nil {
		return fmt.Errorf("clear cache: %w", err)
	}
	return nil
}

// dispose closes the tab and disposes of its browser context, and waits for
// both.
func (t *tab) dispose() error {
	err := chromedp.Cancel(t.ctx)
	t.cancel()
	if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, chromedp.ErrInvalidContext) {
		return protocolError(err, "browser: close session")
	}
	return nil
}

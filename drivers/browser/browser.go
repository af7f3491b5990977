// Package browser drives a headless Chromium as the shopper in OPPWA's
// asynchronous workflow: it follows the redirect of an initial payment, acts
// on the checkout page or the 3-D Secure ACS page, and waits until the
// platform sends the browser back to the merchant's shopperResultUrl.
//
// One Browser per process (Start); one Session per spec (NewSession), each in
// its own incognito browser context. Sessions may be used from parallel
// goroutines; a single Session must not be shared between goroutines.
package browser

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/remote"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
)

// Candidates are the Chromium binaries FindExec tries, in order, when
// CHROME_BIN is not set. The headless shell comes first: the same engine
// without the desktop browser's services, it starts about three times faster
// (BenchmarkFollow/new-browser) and sends no background requests. A name
// without a slash is looked up in PATH; the absolute paths come first because
// Debian's /usr/bin entries are wrapper scripts around them.
var Candidates = []string{
	"/usr/lib/chromium/chromium-headless-shell",
	"chromium-headless-shell",
	"/usr/lib/chromium/chromium",
	"chromium",
}

// FindExec returns the Chromium binary to start: chromeBin (the value of
// CHROME_BIN) when it is set, else the first of Candidates that is an
// executable file. Its error, a *NotFoundError, says how to fix it.
func FindExec(chromeBin string) (string, error) {
	if chromeBin != "" {
		p, err := exec.LookPath(chromeBin)
		if err != nil {
			return "", &NotFoundError{ChromeBin: chromeBin}
		}
		return p, nil
	}
	for _, c := range Candidates {
		if p, err := exec.LookPath(c); err == nil {
			return p, nil
		}
	}
	return "", &NotFoundError{}
}

// NotFoundError reports a missing Chromium binary: the one CHROME_BIN names,
// or (ChromeBin empty) every one of Candidates.
type NotFoundError struct{ ChromeBin string }

func (e *NotFoundError) Error() string {
	if e.ChromeBin != "" {
		return fmt.Sprintf("chromium not found: CHROME_BIN=%s is not an executable file: point CHROME_BIN at a Chromium binary, or unset it to use the installed one", e.ChromeBin)
	}
	return fmt.Sprintf("chromium not found (tried %s): install Debian package chromium-headless-shell (apt-get install --no-install-recommends chromium-headless-shell) or set CHROME_BIN", strings.Join(Candidates, ", "))
}

// Options configure Start. The zero value starts the binary FindExec finds.
type Options struct {
	// ExecPath is the Chromium binary; callers set it from CHROME_BIN. Empty:
	// the first of Candidates that is installed. A name without a slash is
	// looked up in PATH.
	ExecPath string
	// RemoteURL, when set, connects to a running Chrome through its DevTools
	// websocket URL (e.g. from CHROME_WS_URL) instead of starting one.
	// ExecPath, Output and UserAgent are then ignored.
	RemoteURL string
	// Output receives Chromium's stdout and stderr (optional).
	Output io.Writer
	// ViewportWidth and ViewportHeight size every session's viewport
	// (default 800x600: the platform's pages fit, and a smaller viewport
	// makes every step's screenshot cheaper).
	ViewportWidth, ViewportHeight int
	// StallTimeout bounds how long Follow waits on a page it cannot act on
	// (no page script matches it and the fallback does not serve the action),
	// for a page script step's element, and for the page to act on the
	// shopper's last step or click (a navigation starts, or its content
	// changes) before it fails (default 5s: a self-submitting page can take
	// about 3.5 s, real-platform.md §2). Once the page acts, waits are bounded
	// only by Follow's ctx; a page a script says moves on by itself gets 15 s.
	StallTimeout time.Duration
	// PreconditionTimeout bounds the wait for each redirect precondition's
	// hidden iframe to load (default 10s); Follow's ctx always bounds it too.
	PreconditionTimeout time.Duration
	// UserAgent overrides the browser's user agent (optional; only for a
	// browser that Start launches).
	UserAgent string
	// ShopperPages is a directory of the user's page scripts (*.json,
	// OPPWA_SHOPPER_PAGES): tried before the built-in ones, and replacing a
	// built-in one of the same name. Empty: the built-in ones only.
	ShopperPages string
	// Prewarm is how many fresh sessions (each a new incognito browser
	// context with its tab open) the browser keeps ready in the background,
	// so that NewSession returns at once (default 1; negative: none, every
	// NewSession opens its context itself). A pre-warmed session has never
	// loaded a page, so isolation is the same as without it.
	Prewarm int

	// freshContexts disposes of every session's tab instead of resetting
	// it: with Prewarm -1, each session opens a new browser context. Only
	// BenchmarkFollow sets it, to weigh the reset tabs against that.
	freshContexts bool
}

func (o Options) withDefaults() Options {
	if o.ViewportWidth <= 0 {
		o.ViewportWidth = 800
	}
	if o.ViewportHeight <= 0 {
		o.ViewportHeight = 600
	}
	if o.Prewarm == 0 {
		o.Prewarm = 1
	}
	if o.StallTimeout <= 0 {
		o.StallTimeout = 5 * time.Second
	}
	if o.PreconditionTimeout <= 0 {
		o.PreconditionTimeout = 10 * time.Second
	}
	return o
}

// Browser is one running (or attached) Chromium.
type Browser struct {
	opts        Options
	allocCancel context.CancelFunc
	ctx         context.Context // the browser's first chromedp context; no deadline
	cancel      context.CancelFunc
	version     string
	// scripts are the page scripts Follow matches, in the order it tries them;
	// lib installs page.js configured with them (see pageLib).
	scripts fixtures.PageScripts
	lib     string

	pool pool

	closeOnce sync.Once
	closeErr  error
}

// allocatorOptions are chromedp's defaults (headless, no background
// networking) and flags that keep the browser off every network but the
// flow's: the machine has no internet, and a request the flow did not make
// would only cost time. The full browser still asks for component updates and
// Google accounts; gaia-url and component-updater point those requests at
// 127.0.0.1:9, a port Chrome refuses to connect to (net::ERR_UNSAFE_PORT in
// a net log). The headless shell makes none; it ignores the flags it has no
// use for.
func allocatorOptions(o Options) []chromedp.ExecAllocatorOption {
	opts := append([]chromedp.ExecAllocatorOption(nil), chromedp.DefaultExecAllocatorOptions[:]...)
	opts = append(opts,
		chromedp.ExecPath(o.ExecPath),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("disable-features", "Translate,BlinkGenPropertyTrees,OptimizationHints,MediaRouter,"+
			"DialMediaRouteProvider,AutofillServerCommunication,NetworkTimeServiceQuerying,"+
			"CertificateTransparencyComponentUpdater,InterestFeedContentSuggestions,AcceptCHFrame,"+
			// A redirect precondition's hidden iframe lives in a blank page; Local
			// Network Access would block it from loading a platform (or sandbox)
			// on a private or loopback address (net::ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS).
			"LocalNetworkAccessChecks"),
		chromedp.Flag("log-level", "3"),
		chromedp.Flag("gaia-url", "http://127.0.0.1:9"),
		chromedp.Flag("component-updater", "url-source=http://127.0.0.1:9/"),
		chromedp.WindowSize(o.ViewportWidth, o.ViewportHeight),
		// No --disable-frame-rate-limit: it saves a capture about 20 ms of
		// waiting for the next 60 Hz frame, but unthrottled frames cost the GPU
		// and browser processes a third of Chromium's CPU (make bench's CPU
		// budget), and on 2 cores that CPU is the wall time: the browser specs
		// took 12.5-12.9 s with it, 9.6-10.3 s without.
	)
	if o.Output != nil {
		opts = append(opts, chromedp.CombinedOutput(o.Output))
	}
	if o.UserAgent != "" {
		opts = append(opts, chromedp.UserAgent(o.UserAgent))
	}
	return opts
}

// Start launches Chromium (or attaches to Options.RemoteURL). ctx bounds only
// the start; the browser lives until Close.
func Start(ctx context.Context, opts Options) (*Browser, error) {
	opts = opts.withDefaults()
	scripts, err := loadScripts(opts.ShopperPages)
	if err != nil {
		return nil, err
	}
	lib, err := pageLib(scripts)
	if err != nil {
		return nil, fmt.Errorf("browser: page scripts: %w", err)
	}
	var allocCtx context.Context
	var allocCancel context.CancelFunc
	if opts.RemoteURL != "" {
		allocCtx, allocCancel = remote.NewAllocator(context.Background(), opts.RemoteURL)
	} else {
		p, err := FindExec(opts.ExecPath)
		if err != nil {
			return nil, err
		}
		opts.ExecPath = p
		allocCtx, allocCancel = chromedp.NewExecAllocator(context.Background(), allocatorOptions(opts)...)
	}
	// The first Do ties the browser's lifetime to the context it gets, so it
	// gets one without deadline; ctx can still abort the start.
	bctx, bcancel := chromedp.NewContext(allocCtx)
	abort := context.AfterFunc(ctx, bcancel)
	err = chromedp.Do(bctx)
	if !abort() {
		err = errors.Join(context.Cause(ctx), err)
	}
	var v browser.GetVersionResult
	if err == nil {
		v, err = chromedp.CallBrowser(bctx, browser.GetVersion, cdp.Empty{})
	}
	if err != nil {
		bcancel()
		allocCancel()
		where := opts.ExecPath
		if opts.RemoteURL != "" {
			where = opts.RemoteURL
		}
		return nil, fmt.Errorf("browser: start chromium (%s): %w", where, err)
	}
	b := &Browser{
		opts:        opts,
		allocCancel: allocCancel,
		ctx:         bctx,
		cancel:      bcancel,
		version:     v.Product,
		scripts:     scripts,
		lib:         lib,
	}
	b.pool.init(b, max(opts.Prewarm, 0))
	return b, nil
}

// Version is the browser's product string: "HeadlessChrome/156.0.8078.108"
// for the headless shell, "Chrome/156.0.8078.108" for the full browser.
func (b *Browser) Version() string { return b.version }

// ExecPath is the binary the browser runs; empty for a remote browser
// (Options.RemoteURL).
func (b *Browser) ExecPath() string {
	if b.opts.RemoteURL != "" {
		return ""
	}
	return b.opts.ExecPath
}

// Close stops the browser gracefully (Browser.close, bounded by ctx and at
// most 10s), then frees everything: no process and no temporary profile are
// left. For a remote browser it only closes this client's tabs. Safe to call
// more than once.
func (b *Browser) Close(ctx context.Context) error {
	b.closeOnce.Do(func() {
		// Pre-warmed and closing sessions first: on a remote browser they
		// would otherwise outlive this client.
		b.pool.close()
		cctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
		stop := context.AfterFunc(ctx, cancel)
		err := chromedp.Cancel(cctx)
		stop()
		cancel()
		b.cancel()
		b.allocCancel()
		if err != nil && !errors.Is(err, context.Canceled) {
			b.closeErr = fmt.Errorf("browser: close: %w", err)
		}
	})
	return b.closeErr
}

// Session is one shopper's tab in an incognito browser context of its own.
// Cookies, storage, cache and history are not shared with any other session:
// the tab is either new, or it was reset (see NewSession). Use a Session from
// one goroutine.
type Session struct {
	b      *Browser
	t      *tab
	ctx    context.Context // the tab; no deadline
	mu     sync.Mutex      // one Follow at a time
	used   bool            // a flow ran: the page is no longer the new tab's blank one
	closed atomic.Bool
}

// NewSession returns a session at once when the browser has a clean tab
// ready; when one is being opened or reset, it waits for that one; otherwise
// it opens a new incognito browser context with one tab (a new window and
// renderer process: the slow part of a session, see BenchmarkFollow). A tab
// is ready either because it was opened in the background (Options.Prewarm),
// or because an earlier session closed and its tab was reset: navigated to
// about:blank (or left on a page nothing on which can act, see tab.reset),
// history reset, every origin it contacted cleared of cookies,
// local and session storage, IndexedDB, cache storage and service workers,
// the browser context's cookies and HTTP cache cleared, and the viewport set
// again. A tab is never reset but disposed of when its session handed out
// Context(), opened another target (popup, out-of-process frame, worker), or
// any reset step failed. It is safe to call NewSession from parallel
// goroutines. ctx bounds only the creation.
func (b *Browser) NewSession(ctx context.Context) (*Session, error) {
	t0 := time.Now()
	defer func() { tracef("NewSession %v", time.Since(t0)) }()
	t, err := b.pool.take(ctx)
	if err != nil {
		return nil, err
	}
	if t == nil {
		if t, err = b.openTab(ctx); err != nil {
			return nil, err
		}
	}
	return &Session{b: b, t: t, ctx: t.ctx}, nil
}

// Close ends the session: the tab can no longer be used by it. Its reset (or
// disposal) happens in the background, off the caller's path; Browser.Close
// waits for it. Safe to call more than once.
func (s *Session) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	tracef("Session.Close")
	if s.b.opts.freshContexts {
		s.t.dirty.Store(true) // disposed of, not reset
	}
	s.b.pool.release(s.t)
	return nil
}

// Context is the session's chromedp context (the tab), for callers that need
// chromedp actions of their own. It has no deadline; derive a child for
// bounded actions. A session whose Context was asked for gets a new tab next
// time rather than a reset one, since its actions may leave state (emulation,
// permissions) that the reset does not know about.
func (s *Session) Context() context.Context {
	s.t.dirty.Store(true)
	return s.ctx
}

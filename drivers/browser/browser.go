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
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/remote"
)

// DefaultExecPath is the real Chromium binary of the Debian package. The
// /usr/bin/chromium wrapper script is avoided on purpose.
const DefaultExecPath = "/usr/lib/chromium/chromium"

// Options configure Start. The zero value starts DefaultExecPath.
type Options struct {
	// ExecPath is the Chromium binary (default DefaultExecPath). Callers
	// usually set it from CHROME_BIN. A name without a slash is looked up in
	// PATH.
	ExecPath string
	// RemoteURL, when set, connects to a running Chrome through its DevTools
	// websocket URL (e.g. from CHROME_WS_URL) instead of starting one.
	// ExecPath, Output and UserAgent are then ignored.
	RemoteURL string
	// Output receives Chromium's stdout and stderr (optional).
	Output io.Writer
	// ViewportWidth and ViewportHeight size every session's viewport
	// (default 1000x800).
	ViewportWidth, ViewportHeight int
	// StallTimeout bounds how long Follow waits on a page it cannot act on
	// (no checkout form, no challenge form, no auto-submit) before it fails
	// (default 3s). Waits after an action are bounded only by Follow's ctx.
	StallTimeout time.Duration
	// UserAgent overrides the browser's user agent (optional; only for a
	// browser that Start launches).
	UserAgent string
}

func (o Options) withDefaults() Options {
	if o.ExecPath == "" {
		o.ExecPath = DefaultExecPath
	}
	if o.ViewportWidth <= 0 {
		o.ViewportWidth = 1000
	}
	if o.ViewportHeight <= 0 {
		o.ViewportHeight = 800
	}
	if o.StallTimeout <= 0 {
		o.StallTimeout = 3 * time.Second
	}
	return o
}

// NotFoundError reports a missing Chromium binary.
type NotFoundError struct{ Path string }

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("chromium not found at %s: install Debian package chromium (apt-get install --no-install-recommends chromium) or set CHROME_BIN", e.Path)
}

// Browser is one running (or attached) Chromium.
type Browser struct {
	opts        Options
	allocCancel context.CancelFunc
	ctx         context.Context // the browser's first chromedp context; no deadline
	cancel      context.CancelFunc
	version     string

	closeOnce sync.Once
	closeErr  error
}

// allocatorOptions is the verified flag set of platform-notes §2.
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
			"CertificateTransparencyComponentUpdater,InterestFeedContentSuggestions,AcceptCHFrame"),
		chromedp.Flag("log-level", "3"),
		chromedp.Flag("gaia-url", "http://127.0.0.1:9"),
		chromedp.Flag("component-updater", "url-source=http://127.0.0.1:9/"),
		chromedp.WindowSize(o.ViewportWidth, o.ViewportHeight),
	)
	if o.Output != nil {
		opts = append(opts, chromedp.CombinedOutput(o.Output))
	}
	if o.UserAgent != "" {
		opts = append(opts, chromedp.UserAgent(o.UserAgent))
	}
	return opts
}

func resolveExec(path string) (string, error) {
	if !strings.Contains(path, "/") {
		p, err := exec.LookPath(path)
		if err != nil {
			return "", &NotFoundError{Path: path}
		}
		return p, nil
	}
	fi, err := os.Stat(path)
	if err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
		return "", &NotFoundError{Path: path}
	}
	return path, nil
}

// Start launches Chromium (or attaches to Options.RemoteURL). ctx bounds only
// the start; the browser lives until Close.
func Start(ctx context.Context, opts Options) (*Browser, error) {
	opts = opts.withDefaults()
	var allocCtx context.Context
	var allocCancel context.CancelFunc
	if opts.RemoteURL != "" {
		allocCtx, allocCancel = remote.NewAllocator(context.Background(), opts.RemoteURL)
	} else {
		p, err := resolveExec(opts.ExecPath)
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
	err := chromedp.Do(bctx)
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
	return &Browser{
		opts:        opts,
		allocCancel: allocCancel,
		ctx:         bctx,
		cancel:      bcancel,
		version:     v.Product,
	}, nil
}

// Version is the browser's product string, e.g. "HeadlessChrome/156.0.8078.79".
func (b *Browser) Version() string { return b.version }

// Close stops the browser gracefully (Browser.close, bounded by ctx and at
// most 10s), then frees everything: no process and no temporary profile are
// left. For a remote browser it only closes this client's tabs. Safe to call
// more than once.
func (b *Browser) Close(ctx context.Context) error {
	b.closeOnce.Do(func() {
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

// Session is one tab in its own incognito browser context. Cookies and storage
// are not shared with other sessions. Use a Session from one goroutine.
type Session struct {
	b      *Browser
	ctx    context.Context // the tab; no deadline
	cancel context.CancelFunc
	mu     sync.Mutex
	used   bool
}

// NewSession opens a fresh incognito browser context with one tab. It is safe
// to call from parallel goroutines. ctx bounds only the creation.
func (b *Browser) NewSession(ctx context.Context) (*Session, error) {
	tab, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	abort := context.AfterFunc(ctx, cancel)
	err := chromedp.Do(tab, chromedp.EmulateViewport(int64(b.opts.ViewportWidth), int64(b.opts.ViewportHeight)))
	if !abort() {
		err = errors.Join(context.Cause(ctx), err)
	}
	if err != nil {
		cancel()
		return nil, fmt.Errorf("browser: new session: %w", err)
	}
	return &Session{b: b, ctx: tab, cancel: cancel}, nil
}

// Close closes the tab and disposes of its browser context.
func (s *Session) Close() error {
	err := chromedp.Cancel(s.ctx)
	s.cancel()
	if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, chromedp.ErrInvalidContext) {
		return fmt.Errorf("browser: close session: %w", err)
	}
	return nil
}

// Context is the session's chromedp context (the tab), for callers that need
// chromedp actions of their own. It has no deadline; derive a child for
// bounded actions.
func (s *Session) Context() context.Context { return s.ctx }

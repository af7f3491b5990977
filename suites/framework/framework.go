// Package framework owns what every conformance spec shares: the configured target,
// the embedded sandbox when no platform is configured, the shopperResultUrl receiver,
// one browser per Ginkgo process, and each spec's isolation and evidence.
//
// Specs register in per-concern packages with var _ = Describe(...) and use Begin to
// get a Spec: a recording API client, unique merchant references and a fresh browser
// context. Nothing here keeps state between specs except what suite setup creates.
package framework

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL reads best unqualified.

	"github.com/oppwa-conformance/oppwa-conformance/config"
	"github.com/oppwa-conformance/oppwa-conformance/drivers/browser"
	"github.com/oppwa-conformance/oppwa-conformance/drivers/oppwa"
	"github.com/oppwa-conformance/oppwa-conformance/drivers/shopper"
	"github.com/oppwa-conformance/oppwa-conformance/drivers/webhook"
	"github.com/oppwa-conformance/oppwa-conformance/outcome"
	"github.com/oppwa-conformance/oppwa-conformance/sandbox"
)

// SetupTimeout bounds suite setup (sandbox, receivers).
const SetupTimeout = 60 * time.Second

// Env is the per-process state built by suite setup.
type Env struct {
	Target config.Target
	// Client acts as the configured merchant; specs use Spec.Client, which records.
	Client *oppwa.Client
	// Other acts as a second merchant; nil when the target has none configured.
	Other    *oppwa.Client
	Receiver *shopper.Receiver
	// WebhookKey is the key webhook notifications are decrypted with: the configured one,
	// or a random one the embedded sandbox is started with.
	WebhookKey string
	// Sandbox is the embedded sandbox; nil against a real platform.
	Sandbox *sandbox.Server
	// RunID prefixes every merchantTransactionId of this run.
	RunID string

	seq         atomic.Uint64
	browserOnce sync.Once
	browser     *browser.Browser
	browserErr  error
	hookOnce    sync.Once
	hooks       *webhook.Receiver
	hooksErr    error
}

// The configuration is read before the spec tree is built (brands decide which specs
// exist) and the Env in BeforeSuite; both are written once, by suite setup only.
var (
	configured config.Target
	env        *Env
)

// Configure reads the target for tree construction. The bootstrap test calls it before
// RunSpecs and stops with its one-line error if it fails.
func Configure() (config.Target, error) {
	wd, _ := os.Getwd()
	t, err := config.Load(os.LookupEnv, wd)
	if err != nil {
		return t, err
	}
	if !filepath.IsAbs(t.ReportDir) {
		root, _ := config.ModuleRoot(wd)
		t.ReportDir = filepath.Join(root, t.ReportDir)
	}
	configured = t
	return t, nil
}

// Config returns the target read by Configure.
func Config() config.Target { return configured }

// Shared returns the state this Ginkgo process shares between its specs (clients,
// receiver, browser, embedded sandbox); only valid inside specs.
func Shared() *Env { return env }

// RunID is shared by all Ginkgo processes of a run so that every payment of one run
// can be found by its merchantTransactionId prefix; the CLI passes it in the
// environment, and a lone process invents one.
func runID() string {
	if v := os.Getenv("OPPWA_RUN_ID"); v != "" {
		return v
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return "oc-" + time.Now().UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b)
}

// Setup builds the Env for this process. Cleanups are registered with DeferCleanup
// beside what they undo, so call it from BeforeSuite.
func Setup(ctx context.Context) error {
	t := configured
	// Servers live until the suite ends, not until BeforeSuite's context does.
	long := context.WithoutCancel(ctx)
	e := &Env{Target: t, RunID: runID()}
	// Registered first so that it runs last, after the embedded sandbox stopped
	// notifying; on a real target the receiver starts inside a spec, whose own
	// cleanups would close it before the next webhook spec.
	DeferCleanup(func(ctx SpecContext) error { return e.closeWebhooks(ctx) }, NodeTimeout(10*time.Second))
	base := t.BaseURL
	e.WebhookKey = t.WebhookKey
	if t.Embedded() {
		// The embedded sandbox notifies this process's own receiver, under a fresh key.
		hooks, err := e.startWebhooks(long, "127.0.0.1:0")
		if err != nil {
			return err
		}
		srv, err := sandbox.Start(long, "127.0.0.1:0", sandbox.Options{
			Defects: t.SandboxDefects, Latency: t.SandboxFaults.Latency, RetryAfter: t.SandboxFaults.RetryAfter,
			Fail503Share: t.SandboxFaults.Fail503Share, Fail429Share: t.SandboxFaults.Fail429Share, Brands: t.SandboxBrands,
			WebhookURL: hooks.URL(), WebhookKey: e.WebhookKey,
			Pages: t.SandboxPages, Twin: t.Twin,
		})
		if err != nil {
			return outcome.EnvironmentError(fmt.Errorf("start embedded sandbox: %w", err))
		}
		DeferCleanup(func(ctx SpecContext) error { return srv.Close(ctx) }, NodeTimeout(10*time.Second))
		e.Sandbox = srv
		base = srv.URL
		if t.OtherEntityID == "" {
			t.OtherEntityID, t.OtherAccessToken = sandbox.SecondaryCredentials.EntityID, sandbox.SecondaryCredentials.AccessToken
			e.Target = t
		}
	}
	c, err := oppwa.New(oppwa.Config{BaseURL: base, EntityID: t.EntityID, AccessToken: t.AccessToken, RatePerSecond: t.ProcessRate()})
	if err != nil {
		return err
	}
	e.Client = c
	if t.OtherEntityID != "" {
		e.Other = c.WithCredentials(t.OtherEntityID, t.OtherAccessToken)
	}
	rcv, err := shopper.Start(long, "127.0.0.1:0")
	if err != nil {
		return outcome.EnvironmentError(fmt.Errorf("start shopperResultUrl receiver: %w", err))
	}
	DeferCleanup(func(ctx SpecContext) error { return rcv.Close(ctx) }, NodeTimeout(10*time.Second))
	e.Receiver = rcv
	DeferCleanup(func(ctx SpecContext) error { return e.closeBrowser(ctx) }, NodeTimeout(15*time.Second))
	env = e
	return nil
}

// Browser returns the process's browser, starting it on first use so that runs without
// async specs need no Chromium at all.
func (e *Env) Browser(ctx context.Context) (*browser.Browser, error) {
	e.browserOnce.Do(func() {
		// The browser outlives every spec, so it must not inherit a spec's deadline.
		e.browser, e.browserErr = browser.Start(context.WithoutCancel(ctx), browser.Options{
			ExecPath: e.Target.ChromeBin, RemoteURL: e.Target.ChromeWSURL, ShopperPages: e.Target.ShopperPages,
		})
	})
	if e.browserErr != nil {
		return nil, outcome.EnvironmentError(e.browserErr)
	}
	return e.browser, nil
}

// startWebhooks starts the webhook receiver on addr, taking notifications at paths too
// (see webhook.Start), with a random key when none is configured. Setup's cleanup
// closes it when the suite ends.
func (e *Env) startWebhooks(ctx context.Context, addr string, paths ...string) (*webhook.Receiver, error) {
	e.hookOnce.Do(func() {
		if e.WebhookKey == "" {
			b := make([]byte, 32)
			_, _ = rand.Read(b)
			e.WebhookKey = hex.EncodeToString(b)
		}
		e.hooks, e.hooksErr = webhook.Start(ctx, addr, e.WebhookKey, paths...)
		if e.hooksErr != nil {
			e.hooksErr = outcome.EnvironmentError(fmt.Errorf("start webhook receiver: %w", e.hooksErr))
		}
	})
	return e.hooks, e.hooksErr
}

// Webhooks returns the process's webhook receiver. Against the embedded sandbox it
// started with the suite; on a real target it starts on first use at OPPWA_WEBHOOK_ADDR,
// taking notifications at OPPWA_WEBHOOK_URL's path (a tunnel or proxy forwards it
// unchanged) as well as at webhook.Path, so only the process that runs the (serial)
// webhook specs binds it. Callers check Config().Webhooks() first.
func (e *Env) Webhooks(ctx context.Context) (*webhook.Receiver, error) {
	var paths []string
	if u, err := url.Parse(e.Target.WebhookURL); err == nil && e.Target.WebhookURL != "" {
		paths = append(paths, u.Path)
	}
	return e.startWebhooks(context.WithoutCancel(ctx), e.Target.WebhookAddr, paths...)
}

// closeWebhooks closes the webhook receiver if this process started one.
func (e *Env) closeWebhooks(ctx context.Context) error {
	// Taking the once orders this after a start in a spec, and keeps any later start
	// from listening past the suite.
	e.hookOnce.Do(func() { e.hooksErr = outcome.EnvironmentError(errors.New("webhook receiver: the suite has ended")) })
	if e.hooks == nil {
		return nil
	}
	return e.hooks.Close(ctx)
}

// BrowserName names the browser for the report: its version and binary when this
// process started it, else the binary a start would use (another process may have
// been the one to drive it).
func (e *Env) BrowserName() string {
	switch {
	case e.browser != nil && e.browser.ExecPath() != "":
		return e.browser.Version() + " (" + e.browser.ExecPath() + ")"
	case e.browser != nil:
		return e.browser.Version() + " (remote)"
	case e.Target.ChromeWSURL != "":
		return "remote browser at CHROME_WS_URL"
	}
	if path, err := browser.FindExec(e.Target.ChromeBin); err == nil {
		return path
	}
	return ""
}

func (e *Env) closeBrowser(ctx context.Context) error {
	if e.browser == nil {
		return nil
	}
	return e.browser.Close(ctx)
}

// NextMerchantTransactionID is unique across processes, runs and nights: run id,
// Ginkgo process and a counter.
func (e *Env) NextMerchantTransactionID() string {
	return fmt.Sprintf("%s-p%d-%d", e.RunID, GinkgoParallelProcess(), e.seq.Add(1))
}

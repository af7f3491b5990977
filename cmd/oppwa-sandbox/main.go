// Command oppwa-sandbox serves the embedded OPPWA sandbox on a local port: an offline,
// stateful simulator of the OPPWA server-to-server payments API (/v1/payments).
//
// Every flag has an environment equivalent (the flag wins when both are set):
//
//	-addr             OPPWA_SANDBOX_ADDR          listen address (default 127.0.0.1:8080; ":0" picks a free port)
//	-no-status-limit  OPPWA_SANDBOX_NO_STATUS_LIMIT=true
//	-latency          OPPWA_SANDBOX_LATENCY       e.g. 50ms
//	-fail-503         OPPWA_SANDBOX_FAIL_503      share of API GETs answering 503 (0..1)
//	-fail-429         OPPWA_SANDBOX_FAIL_429      share of API GETs answering 429 (0..1)
//	-retry-after      OPPWA_SANDBOX_RETRY_AFTER   Retry-After of faults (default 1s)
//	-defect           OPPWA_SANDBOX_DEFECTS=a,b   defect, tolerated or variation mode (repeatable); -defect list prints them
//	-brands           OPPWA_SANDBOX_BRANDS=a,b    brands the account has enabled, in any case (default: every brand)
//	-credentials      OPPWA_SANDBOX_CREDENTIALS=entity:token,entity:token
//	-webhook-url      OPPWA_SANDBOX_WEBHOOK_URL   where webhook notifications are POSTed (default: none sent)
//	-webhook-key      OPPWA_SANDBOX_WEBHOOK_KEY   the webhook's AES-256 key, 64 hex characters
//	-pages            OPPWA_SANDBOX_PAGES         default or realistic (pages shaped after the real test system's)
//	-twin             OPPWA_SANDBOX_TWIN          a twin.json (or a report directory holding one): answer as that account did
//
// -webhook-url and -webhook-key go together. A -twin file that cannot be read or is no
// calibration exits 3, as a configuration error of the runner does. A command line the flags cannot be read
// from (an unknown flag, a malformed value, an extra argument, one webhook flag without
// the other) exits 2, as the flag package does; a value the sandbox refuses, or a port
// it cannot listen on, exits 1.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	"github.com/oppwa-conformance/oppwa-conformance/sandbox"
	"github.com/oppwa-conformance/oppwa-conformance/twin"
)

// The standalone sandbox's exit codes are a server's, not a conformance run's (see
// outcome for those): the flag package's convention.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
	// exitData: a fixture file that does not parse or a calibration that cannot be
	// read, a configuration error as in the runner.
	exitData = 3
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(exitOK)
		}
		fmt.Fprintln(os.Stderr, "oppwa-sandbox:", err)
		var usage usageError
		if errors.As(err, &usage) {
			os.Exit(exitUsage)
		}
		var data fixturesError
		if errors.As(err, &data) {
			os.Exit(exitData)
		}
		os.Exit(exitFailed)
	}
}

// fixturesError is embedded contract data that does not parse (an edited fixtures
// file): a configuration error, exit 3 as the conformance runner's.
type fixturesError struct{ error }

func (e fixturesError) Unwrap() error { return e.error }

// run parses the command line and serves until SIGINT or SIGTERM.
func run(args []string, stdout, stderr io.Writer) error {
	if err := fixtures.Check(); err != nil {
		// First: reading the flags (-brands) reads the contract.
		return fixturesError{err}
	}
	cfg, err := parseConfig(args, stderr)
	if err != nil {
		return err
	}
	if slices.Contains(cfg.defects, "list") {
		listModes(stdout)
		return nil
	}
	opts, err := cfg.options(stderr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := sandbox.Start(context.Background(), cfg.addr, opts)
	if err != nil {
		return err
	}
	printBanner(stdout, srv, cfg.defects)
	if opts.Twin != nil {
		fmt.Fprintf(stdout, "  twin of %s\n", opts.Twin.Label())
	}
	<-ctx.Done()
	fmt.Fprintln(stdout, "shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Close(sctx)
}

// usageError is a command line the flags cannot be read from.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

// config is the command line, after the environment filled in the flags not given.
type config struct {
	addr        string
	noLimit     bool
	latency     time.Duration
	f503, f429  float64
	retryAfter  time.Duration
	credentials string
	webhookURL  string
	webhookKey  string
	pages       string
	twin        string
	defects     listFlag
	brands      listFlag
}

// envNames are the environment equivalents of the flags.
var envNames = []struct{ flag, env string }{
	{"addr", "OPPWA_SANDBOX_ADDR"},
	{"no-status-limit", "OPPWA_SANDBOX_NO_STATUS_LIMIT"},
	{"latency", "OPPWA_SANDBOX_LATENCY"},
	{"fail-503", "OPPWA_SANDBOX_FAIL_503"},
	{"fail-429", "OPPWA_SANDBOX_FAIL_429"},
	{"retry-after", "OPPWA_SANDBOX_RETRY_AFTER"},
	{"defect", "OPPWA_SANDBOX_DEFECTS"},
	{"brands", "OPPWA_SANDBOX_BRANDS"},
	{"credentials", "OPPWA_SANDBOX_CREDENTIALS"},
	{"webhook-url", "OPPWA_SANDBOX_WEBHOOK_URL"},
	{"webhook-key", "OPPWA_SANDBOX_WEBHOOK_KEY"},
	{"pages", "OPPWA_SANDBOX_PAGES"},
	{"twin", "OPPWA_SANDBOX_TWIN"},
}

// parseConfig reads the command line, the environment filling in the flags not given;
// its errors, but flag.ErrHelp, are usageErrors.
func parseConfig(args []string, stderr io.Writer) (config, error) {
	c, err := readFlags(args, stderr)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		return c, usageError{err}
	}
	return c, err
}

func readFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("oppwa-sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "listen address (\":0\" picks a free port)")
	fs.BoolVar(&c.noLimit, "no-status-limit", false, "turn off the 2 status lookups per minute per transaction limit")
	fs.DurationVar(&c.latency, "latency", 0, "latency added to every API call")
	fs.Float64Var(&c.f503, "fail-503", 0, "share of API GETs answering 503")
	fs.Float64Var(&c.f429, "fail-429", 0, "share of API GETs answering 429")
	fs.DurationVar(&c.retryAfter, "retry-after", 0, "Retry-After of faults, default 1s")
	fs.StringVar(&c.credentials, "credentials", "", "extra entity:token pairs, comma-separated")
	fs.StringVar(&c.webhookURL, "webhook-url", "", "URL webhook notifications are POSTed to (default: none sent)")
	fs.StringVar(&c.webhookKey, "webhook-key", "", "the webhook's key: 64 hex characters (AES-256-GCM)")
	fs.StringVar(&c.pages, "pages", sandbox.PagesDefault, "shopper pages: default, or realistic (shaped after the real test system's)")
	fs.StringVar(&c.twin, "twin", "", "a twin.json, or the report directory of a run against a real target: answer as that account did")
	fs.Var(&c.defects, "defect", "defect, tolerated or variation mode, repeatable or comma-separated; \"list\" prints them")
	fs.Var(&c.brands, "brands", "brands the account has enabled, comma-separated (default: every brand); others answer 600.200.500")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for _, e := range envNames {
		if v := os.Getenv(e.env); v != "" && !given[e.flag] {
			if err := fs.Set(e.flag, v); err != nil {
				return c, fmt.Errorf("%s: invalid value %q", e.env, v)
			}
		}
	}
	return c, c.checkWebhook()
}

// checkWebhook refuses one webhook flag without the other: a URL alone could not be
// encrypted for, and a key alone would silently send nothing.
func (c config) checkWebhook() error {
	switch {
	case c.webhookKey != "" && c.webhookURL == "":
		return errors.New("-webhook-key (OPPWA_SANDBOX_WEBHOOK_KEY) is set without -webhook-url (OPPWA_SANDBOX_WEBHOOK_URL): give both to send notifications, or neither")
	case c.webhookURL != "" && c.webhookKey == "":
		return errors.New("-webhook-url (OPPWA_SANDBOX_WEBHOOK_URL) is set without -webhook-key (OPPWA_SANDBOX_WEBHOOK_KEY): give the webhook's key, 64 hex characters")
	}
	return nil
}

// options are the sandbox options of c; the request log goes to stderr.
func (c config) options(stderr io.Writer) (sandbox.Options, error) {
	extra, err := sandbox.ParseCredentials(c.credentials)
	if err != nil {
		return sandbox.Options{}, err
	}
	var cal *twin.Calibration
	if c.twin != "" {
		if cal, err = twin.Load(c.twin); err != nil {
			return sandbox.Options{}, fixturesError{fmt.Errorf("-twin: %w", err)}
		}
	}
	return sandbox.Options{
		Twin:              cal,
		Credentials:       extra,
		NoStatusRateLimit: c.noLimit,
		Latency:           c.latency,
		Fail503Share:      c.f503,
		Fail429Share:      c.f429,
		RetryAfter:        c.retryAfter,
		Defects:           c.defects,
		Brands:            c.brands,
		WebhookURL:        c.webhookURL,
		WebhookKey:        c.webhookKey,
		Pages:             c.pages,
		Logf:              log.New(stderr, "", log.LstdFlags|log.Lmicroseconds).Printf,
	}, err
}

// listFlag is a repeatable flag (-defect, -brands); each value may list several names.
type listFlag []string

func (m *listFlag) String() string { return strings.Join(*m, ",") }

func (m *listFlag) Set(v string) error {
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			*m = append(*m, x)
		}
	}
	return nil
}

func listModes(stdout io.Writer) {
	for _, m := range sandbox.DefectModes() {
		kind := "defect"
		switch {
		case m.Tolerated:
			kind = "tolerated"
		case m.Variation:
			kind = "variation"
		}
		fmt.Fprintf(stdout, "%-32s %-9s %s\n", m.Name, kind, m.Description)
	}
}

func printBanner(stdout io.Writer, srv *sandbox.Server, modes []string) {
	fmt.Fprintf(stdout, "OPPWA sandbox %s listening on %s\n", sandbox.Version, srv.URL)
	for i, c := range srv.Sandbox.Credentials() {
		token := c.AccessToken
		if i >= 2 {
			// The public and secondary test tokens are published; extra ones are the
			// user's own and are not echoed.
			token = token[:min(4, len(token))] + "***"
		}
		fmt.Fprintf(stdout, "  entityId=%s  Authorization: Bearer %s\n", c.EntityID, token)
	}
	if len(modes) > 0 {
		fmt.Fprintf(stdout, "  modes: %s\n", strings.Join(modes, ", "))
	}
	if srv.Sandbox.Realistic() {
		fmt.Fprintln(stdout, "  pages: realistic (sandbox/README.md, \"Realistic pages\")")
	}
	if b := srv.Sandbox.EnabledBrands(); b != nil {
		fmt.Fprintf(stdout, "  brands: %s (others answer 600.200.500)\n", strings.Join(b, ","))
	}
}

// Package config turns the user's environment and .env file into the one Target a run
// certifies: which platform, as which merchant, for which brands and currency, with
// which browser. Every mistake is reported as one line that names the fix.
package config

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/joho/godotenv"

	"github.com/oppwa-conformance/oppwa-conformance/drivers/oppwa"
	"github.com/oppwa-conformance/oppwa-conformance/drivers/webhook"
	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	"github.com/oppwa-conformance/oppwa-conformance/sandbox"
	"github.com/oppwa-conformance/oppwa-conformance/twin"
)

// Target is the configuration of one conformance run.
type Target struct {
	// BaseURL is the platform base ending in "/"; empty means the embedded sandbox.
	BaseURL     string
	EntityID    string
	AccessToken string
	// OtherEntityID and OtherAccessToken are a second merchant, used to prove that one
	// merchant cannot see or touch another's payments. Optional on a real platform.
	OtherEntityID    string
	OtherAccessToken string
	Brands           []string
	// BrandsDeclared is true when OPPWA_BRANDS names the brands; false when Brands is
	// the default set, which a real account rarely has in full.
	BrandsDeclared bool
	// Currency is OPPWA_CURRENCY, EUR when unset. When unset (CurrencySet false) each
	// brand pays in the currency of its test data.
	Currency    string
	CurrencySet bool
	ChromeBin   string
	// ChromeWSURL connects to a running Chrome over DevTools instead of starting one.
	ChromeWSURL string
	SpecTimeout time.Duration
	ReportDir   string
	// SandboxDefects are defect modes for the embedded sandbox (mutation self-tests).
	SandboxDefects []string
	// SandboxGraded holds the embedded sandbox to what public evidence fixes, as a real
	// account is, instead of to its own exact choices (make mutation's variation modes).
	SandboxGraded bool
	// SandboxBrands are the brands the embedded sandbox enables (OPPWA_SANDBOX_BRANDS);
	// empty: every brand.
	SandboxBrands []string
	// SandboxTwin is the calibration the embedded sandbox answers as (OPPWA_SANDBOX_TWIN):
	// a twin.json, or the report directory of a run against a real target. With it
	// the run takes the account's brands and capabilities from the calibration and is
	// graded like the account's. Twin is the calibration read.
	SandboxTwin string
	Twin        *twin.Calibration
	// SandboxPages is the embedded sandbox's shopper pages (OPPWA_SANDBOX_PAGES): "default"
	// (empty too) or "realistic", pages shaped after the real test system's.
	SandboxPages string
	// MaxRPS is the pace of the whole run in requests per second (OPPWA_MAX_RPS):
	// 5 on a real target and none (0) on the embedded sandbox unless set.
	MaxRPS float64
	// processRPS is this process's share of MaxRPS, set by the runner in
	// OPPWA_PROCESS_RPS for each parallel Ginkgo process; 0: not set.
	processRPS float64
	// SandboxFaults are the embedded sandbox's fault knobs, for robustness runs and
	// benchmarks: added latency per API call and shares of GETs answering 503 or 429.
	SandboxFaults Faults
	// WebhookURL is the public URL the platform's webhook notifications reach, forwarding
	// to the receiver at WebhookAddr; WebhookKey is the webhook's key (64 hex). Against
	// the embedded sandbox both are set by the suites themselves.
	WebhookURL, WebhookKey string
	// WebhookAddr is where the suites' webhook receiver listens (default 127.0.0.1:8089).
	WebhookAddr string
	// ShopperPages is the directory of the user's page scripts (OPPWA_SHOPPER_PAGES),
	// absolute; empty: only the built-in ones. Load has checked every script in it.
	ShopperPages string
	// EnvFile is the .env file that was read, if any.
	EnvFile string
	// capabilities are those the account declared; see Has.
	capabilities map[Capability]bool
}

// Faults are the embedded sandbox's fault knobs.
type Faults struct {
	Latency                    time.Duration
	Fail503Share, Fail429Share float64
	RetryAfter                 time.Duration
}

// Any reports whether a fault knob is set.
func (f Faults) Any() bool { return f != Faults{} }

// PaymentCurrency is the currency a test payment with b uses: OPPWA_CURRENCY when set,
// else the currency of b's test data.
func (t Target) PaymentCurrency(b fixtures.Brand) string {
	if t.CurrencySet {
		return b.PaymentCurrency(t.Currency)
	}
	return b.PaymentCurrency("")
}

// Embedded reports whether the run targets the in-process sandbox.
func (t Target) Embedded() bool { return t.BaseURL == "" }

// Host is the platform host, "embedded sandbox", or for a twin "embedded sandbox,
// twin of <account base URL>, run <id> of <date>".
func (t Target) Host() string {
	switch {
	case t.Twin != nil:
		return "embedded sandbox, twin of " + t.Twin.Label()
	case t.Embedded():
		return "embedded sandbox"
	}
	u, _ := url.Parse(t.BaseURL)
	return u.Host
}

// Variables documents every setting; .env.example and the README list the same.
var Variables = []struct{ Name, Doc string }{
	{"OPPWA_BASE_URL", "platform base URL, e.g. https://eu-test.oppwa.com/ (empty: the embedded sandbox)"},
	{"OPPWA_ENTITY_ID", "entity (channel) id, 32 hex characters"},
	{"OPPWA_ACCESS_TOKEN", "access token sent as Authorization: Bearer"},
	{"OPPWA_OTHER_ENTITY_ID", "optional second merchant's entity id, for isolation specs"},
	{"OPPWA_OTHER_ACCESS_TOKEN", "optional second merchant's access token"},
	{"OPPWA_BRANDS", "comma-separated brands the account has enabled (default: every documented brand)"},
	{"OPPWA_CURRENCY", "ISO 4217 currency of every test payment (default: each brand's test-data currency, EUR for most)"},
	{"OPPWA_MAX_RPS", "requests per second of a whole run, shared by its parallel processes (default 5 on a real target, none on the embedded sandbox; 0 or off: none)"},
	{"OPPWA_3DS", "set to yes when the account has 3-D Secure 2 on its channel (3DS specs are skipped otherwise)"},
	{"OPPWA_REPORTING", "set to yes when the account may read transaction reports, /v1/query (reporting specs are skipped otherwise)"},
	{"OPPWA_REGISTRATION", "set to yes when the channel may store registration tokens (registration and recurring specs are skipped otherwise)"},
	{"OPPWA_CREDIT", "set to yes when the channel may send credits, paymentType CD (CD specs are skipped otherwise)"},
	{"OPPWA_ALLOW_LIVE", "set to yes to allow a known production host (real money!)"},
	{"OPPWA_TEST_ENDPOINT", "set to yes to declare an unknown host a test endpoint"},
	{"OPPWA_SPEC_TIMEOUT", "per-spec timeout, e.g. 60s (default 60s)"},
	{"OPPWA_REPORT_DIR", "where reports go (default reports/latest)"},
	{"OPPWA_ENV_FILE", "environment only: the .env file to read (default: the first .env from the current folder up to the project root; /dev/null: none)"},
	{"CHROME_BIN", "browser binary (default: Debian's chromium-headless-shell, else chromium)"},
	{"CHROME_WS_URL", "DevTools websocket URL of a running Chrome to use instead of starting one"},
	{"OPPWA_WEBHOOK_URL", "public URL of your webhook that forwards to the suites' receiver at OPPWA_WEBHOOK_ADDR (webhook specs are skipped without it)"},
	{"OPPWA_WEBHOOK_KEY", "the webhook's decryption key, 64 hex characters, from its configuration"},
	{"OPPWA_WEBHOOK_ADDR", "where the suites' webhook receiver listens (default 127.0.0.1:8089)"},
	{"OPPWA_SHOPPER_PAGES", "directory of page scripts (*.json, see README \"Page scripts\") that add to or replace the built-in ones, tried first"},
	{"OPPWA_SANDBOX_DEFECTS", "embedded sandbox only: comma-separated defect modes (mutation self-tests)"},
	{"OPPWA_SANDBOX_GRADED", "embedded sandbox only: set to yes to assert only what public evidence fixes, as on a real account"},
	{"OPPWA_SANDBOX_BRANDS", "embedded sandbox only: the brands it enables, comma-separated (default: every brand); others answer 600.200.500"},
	{"OPPWA_SANDBOX_TWIN", "embedded sandbox only: a twin.json (or the report directory holding one) a run against your account wrote; the sandbox answers as that account did, and the run takes its brands and capabilities"},
	{"OPPWA_SANDBOX_PAGES", "embedded sandbox only: default or realistic, shopper pages shaped after the real test system's (3-D Secure method page and hops, multi-step test banks)"},
	{"OPPWA_SANDBOX_LATENCY", "embedded sandbox only: latency added to every API call, e.g. 150ms"},
	{"OPPWA_SANDBOX_FAIL_503", "embedded sandbox only: share (0..1) of API GETs answering 503 with Retry-After"},
	{"OPPWA_SANDBOX_FAIL_429", "embedded sandbox only: share (0..1) of API GETs answering 429 with Retry-After"},
	{"OPPWA_SANDBOX_RETRY_AFTER", "embedded sandbox only: Retry-After of those faults (default 1s)"},
}

// Known hosts. Production hosts are refused unless OPPWA_ALLOW_LIVE=yes; test hosts
// and loopback are allowed; anything else needs OPPWA_TEST_ENDPOINT=yes. The OPPWA
// hosts are the platform's own (HyperPay and other resellers use them too); Peach's
// pair is from its card API documentation and VR pay's from its integration guide.
var (
	LiveHosts = []string{"oppwa.com", "eu-prod.oppwa.com", "card.peachpayments.com", "vr-pay-ecommerce.de"}
	TestHosts = []string{"eu-test.oppwa.com", "test.oppwa.com", "sandbox-card.peachpayments.com", "test.vr-pay-ecommerce.de"}
)

var (
	currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)
	entityRE   = regexp.MustCompile(`^[0-9a-f]{32}$`)
)

// Load reads the .env file and builds the Target. The real environment wins over the
// file, an explicitly empty variable too: OPPWA_BASE_URL= make test runs the embedded
// sandbox while a .env names a real account. lookup is os.LookupEnv in production; dir
// is where the search for .env starts.
func Load(lookup func(string) (string, bool), dir string) (Target, error) {
	file, fileVals, err := readDotenv(lookup, dir)
	if err != nil {
		return Target{}, err
	}
	if err := CheckNames(slices.Sorted(maps.Keys(fileVals)), file); err != nil {
		return Target{}, err
	}
	get := func(k string) string {
		v, ok := lookup(k)
		if !ok {
			v = fileVals[k]
		}
		if v = strings.TrimSpace(v); k == "OPPWA_SANDBOX_TWIN" {
			// A relative path is the module root's, whichever folder a process starts in.
			return fromRoot(v, dir)
		}
		return v
	}
	t, err := build(get, file, embeddedChosen(lookup))
	if err != nil {
		return t, err
	}
	return t, t.readShopperPages(get("OPPWA_SHOPPER_PAGES"), dir)
}

// embeddedChosen reports whether the environment chooses the embedded sandbox on
// purpose: OPPWA_BASE_URL set and empty, with no credentials of its own, so the
// account .env names is left alone. Credentials in the environment beside an empty base
// URL (a CI secret that is missing) stay the forgotten-base-URL mistake.
func embeddedChosen(lookup func(string) (string, bool)) bool {
	nonEmpty := func(k string) bool { v, _ := lookup(k); return strings.TrimSpace(v) != "" }
	base, set := lookup("OPPWA_BASE_URL")
	return set && strings.TrimSpace(base) == "" && !nonEmpty("OPPWA_ENTITY_ID") && !nonEmpty("OPPWA_ACCESS_TOKEN")
}

// takeTwinProfile makes a twin run the account's: the calibration's brands (enabled in
// the sandbox, and paid with unless OPPWA_BRANDS names others), its declared
// capabilities, and grading as on a real account.
func (t *Target) takeTwinProfile(get func(string) string) error {
	if t.Twin == nil {
		return nil
	}
	if len(t.SandboxBrands) > 0 {
		return errors.New("OPPWA_SANDBOX_BRANDS and OPPWA_SANDBOX_TWIN both name the sandbox's brands: unset OPPWA_SANDBOX_BRANDS (the twin enables the account's)")
	}
	t.SandboxBrands = slices.Clone(t.Twin.Account.Brands)
	if get("OPPWA_BRANDS") == "" {
		t.Brands, t.BrandsDeclared = slices.Clone(t.Twin.Account.Brands), true
	}
	t.SandboxGraded = true
	return nil
}

// fromRoot is path v made absolute against the module root above dir; "" stays "".
func fromRoot(v, dir string) string {
	if v == "" || filepath.IsAbs(v) {
		return v
	}
	root, _ := ModuleRoot(dir)
	return filepath.Join(root, v)
}

// readShopperPages checks the user's page scripts now, so that a malformed one is a
// configuration error before any spec runs. A relative directory is the module
// root's, whichever folder a process starts in.
func (t *Target) readShopperPages(v, dir string) error {
	if v == "" {
		return nil
	}
	abs := fromRoot(v, dir)
	if _, err := fixtures.ReadPageScripts(abs, v); err != nil {
		return fmt.Errorf("OPPWA_SHOPPER_PAGES: %w", err)
	}
	t.ShopperPages = abs
	return nil
}

func build(get func(string) string, file string, embeddedChosen bool) (Target, error) {
	c := fixtures.Load()
	t := Target{
		EntityID: get("OPPWA_ENTITY_ID"), AccessToken: get("OPPWA_ACCESS_TOKEN"),
		OtherEntityID: get("OPPWA_OTHER_ENTITY_ID"), OtherAccessToken: get("OPPWA_OTHER_ACCESS_TOKEN"),
		Currency: get("OPPWA_CURRENCY"), ChromeBin: get("CHROME_BIN"), ChromeWSURL: get("CHROME_WS_URL"),
		ReportDir: get("OPPWA_REPORT_DIR"), EnvFile: file,
	}
	if err := t.readRunSettings(c, get); err != nil {
		return t, err
	}
	raw := get("OPPWA_BASE_URL")
	if raw == "" {
		if !embeddedChosen && len(t.SandboxDefects) == 0 && t.Twin == nil && (t.EntityID != "" || t.AccessToken != "") &&
			(t.EntityID != c.Credentials.EntityID || t.AccessToken != c.Credentials.AccessToken) {
			// Credentials for a real account with no base URL is almost always a
			// forgotten OPPWA_BASE_URL; running the sandbox would certify nothing.
			return t, errors.New("OPPWA_ENTITY_ID/OPPWA_ACCESS_TOKEN are set but OPPWA_BASE_URL is empty: set OPPWA_BASE_URL (e.g. https://eu-test.oppwa.com/) or unset them to use the embedded sandbox")
		}
		t.EntityID, t.AccessToken = c.Credentials.EntityID, c.Credentials.AccessToken
		return t, t.takeTwinProfile(get)
	}
	u, err := baseURL(raw)
	if err != nil {
		return t, err
	}
	t.BaseURL = u.String()
	if t.SandboxTwin != "" {
		// Typically the account's own .env beside a twin run.
		return t, errors.New("OPPWA_SANDBOX_TWIN runs the embedded sandbox as your account's twin, but OPPWA_BASE_URL is set (in the environment or .env): run the twin with OPPWA_BASE_URL= (empty), or unset OPPWA_SANDBOX_TWIN")
	}
	if len(t.SandboxDefects) > 0 || t.SandboxFaults.Any() || len(t.SandboxBrands) > 0 || t.SandboxGraded || t.SandboxPages != "" {
		return t, errors.New("OPPWA_SANDBOX_DEFECTS, OPPWA_SANDBOX_BRANDS, OPPWA_SANDBOX_PAGES and the OPPWA_SANDBOX_* fault knobs only apply to the embedded sandbox: unset it or unset OPPWA_BASE_URL")
	}
	if err := guardHost(u, get("OPPWA_ALLOW_LIVE"), get("OPPWA_TEST_ENDPOINT")); err != nil {
		return t, err
	}
	return t, t.checkCredentials()
}

// readRunSettings reads what every target has: currency, report directory, spec
// timeout, brands and the embedded sandbox's modes and fault knobs.
func (t *Target) readRunSettings(c *fixtures.Contract, get func(string) string) error {
	t.CurrencySet = t.Currency != ""
	if t.Currency == "" {
		t.Currency = "EUR"
	}
	if !currencyRE.MatchString(t.Currency) {
		return fmt.Errorf("OPPWA_CURRENCY=%q is not an ISO 4217 code: use three capital letters such as EUR", t.Currency)
	}
	if t.ReportDir == "" {
		t.ReportDir = "reports/latest"
	}
	t.SpecTimeout = 60 * time.Second
	if v := get("OPPWA_SPEC_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("OPPWA_SPEC_TIMEOUT=%q is not a duration: use a value such as 60s", v)
		}
		t.SpecTimeout = d
	}
	var err error
	t.Brands, t.BrandsDeclared = c.DefaultBrands(), get("OPPWA_BRANDS") != ""
	if t.BrandsDeclared {
		if t.Brands, err = parseBrands("OPPWA_BRANDS", get("OPPWA_BRANDS")); err != nil {
			return err
		}
		if err := payable(c, t.Brands); err != nil {
			return err
		}
	}
	if t.ChromeWSURL == "" { // a running browser at CHROME_WS_URL comes first; CHROME_BIN is unused then
		if err := checkChromeBin(t.ChromeBin); err != nil {
			return err
		}
	}
	if err := t.readSandboxSettings(get); err != nil {
		return err
	}
	if err := t.readPace(get); err != nil {
		return err
	}
	if err := t.readWebhook(get); err != nil {
		return err
	}
	return t.readCapabilities(get)
}

// readSandboxSettings reads the embedded sandbox's brands, modes, page mode and fault
// knobs (build refuses them on a real target).
func (t *Target) readSandboxSettings(get func(string) string) error {
	var err error
	if v := get("OPPWA_SANDBOX_BRANDS"); v != "" {
		if t.SandboxBrands, err = parseBrands("OPPWA_SANDBOX_BRANDS", v); err != nil {
			return err
		}
	}
	if v := get("OPPWA_SANDBOX_DEFECTS"); v != "" {
		if t.SandboxDefects, err = parseDefects(v); err != nil {
			return err
		}
	}
	if v := get("OPPWA_SANDBOX_GRADED"); v != "" {
		t.SandboxGraded = yes(v)
	}
	if v := get("OPPWA_SANDBOX_TWIN"); v != "" {
		t.SandboxTwin = v
		if t.Twin, err = twin.Load(v); err != nil {
			return fmt.Errorf("OPPWA_SANDBOX_TWIN: %w", err)
		}
	}
	if v := get("OPPWA_SANDBOX_PAGES"); v != "" {
		// The sandbox's page modes, sandbox.PagesDefault and sandbox.PagesRealistic.
		if t.SandboxPages = strings.ToLower(strings.TrimSpace(v)); t.SandboxPages != "default" && t.SandboxPages != "realistic" {
			return fmt.Errorf("OPPWA_SANDBOX_PAGES=%q is not a page mode: use default or realistic", v)
		}
	}
	t.SandboxFaults, err = parseFaults(get)
	return err
}

// readPace reads OPPWA_MAX_RPS, and the share of it the runner gave this process.
func (t *Target) readPace(get func(string) string) error {
	if get("OPPWA_BASE_URL") != "" {
		t.MaxRPS = 5
	}
	var err error
	if v := get("OPPWA_MAX_RPS"); v != "" {
		if t.MaxRPS, err = parseRate("OPPWA_MAX_RPS", v); err != nil {
			return err
		}
	}
	if v := get("OPPWA_PROCESS_RPS"); v != "" {
		t.processRPS, err = parseRate("OPPWA_PROCESS_RPS", v)
	}
	return err
}

// readWebhook reads the webhook's public URL, key and the receiver's address.
func (t *Target) readWebhook(get func(string) string) error {
	t.WebhookURL, t.WebhookKey, t.WebhookAddr = get("OPPWA_WEBHOOK_URL"), get("OPPWA_WEBHOOK_KEY"), get("OPPWA_WEBHOOK_ADDR")
	if t.WebhookAddr == "" {
		t.WebhookAddr = "127.0.0.1:8089"
	}
	if _, _, err := net.SplitHostPort(t.WebhookAddr); err != nil {
		return fmt.Errorf("OPPWA_WEBHOOK_ADDR=%q is not host:port: use a value such as 127.0.0.1:8089", t.WebhookAddr)
	}
	if t.WebhookKey != "" {
		if _, err := webhook.ParseKey(t.WebhookKey); err != nil {
			return errors.New("OPPWA_WEBHOOK_KEY is not 64 hex characters: copy the webhook's decryption key from its configuration")
		}
	}
	if t.WebhookURL != "" {
		u, err := url.Parse(t.WebhookURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("OPPWA_WEBHOOK_URL=%q is not an absolute http(s) URL: use the public URL your webhook is configured with", t.WebhookURL)
		}
	}
	if (t.WebhookURL == "") != (t.WebhookKey == "") {
		return errors.New("set both OPPWA_WEBHOOK_URL and OPPWA_WEBHOOK_KEY, or neither")
	}
	return nil
}

// Webhooks reports whether webhook notifications can be checked: the Webhook
// capability. Always against the embedded sandbox; on a twin when its account had a
// webhook (the sandbox notifies the suites' own receiver, as the embedded sandbox
// does); on a real target when the webhook's URL and key are set (Load takes both or
// neither).
func (t Target) Webhooks() bool { return t.Has(Webhook) }

// ProcessRate is the pace of this process's client in requests per second (0: none):
// its share of OPPWA_MAX_RPS when the runner split it between parallel Ginkgo
// processes, else all of it.
func (t Target) ProcessRate() float64 {
	if t.processRPS > 0 {
		return t.processRPS
	}
	return t.MaxRPS
}

// parseRate reads requests per second: a non-negative number, or off (0).
func parseRate(name, v string) (float64, error) {
	if strings.EqualFold(v, "off") {
		return 0, nil
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil || x < 0 || math.IsInf(x, 0) || math.IsNaN(x) {
		return 0, fmt.Errorf("%s=%q is not a number of requests per second: use a value such as 5, or off", name, v)
	}
	return x, nil
}

// checkCredentials checks a real target's merchant credentials.
func (t Target) checkCredentials() error {
	switch {
	case t.AccessToken == "":
		return errors.New("OPPWA_ACCESS_TOKEN is empty: set it to the access token of your test account (Authorization: Bearer)")
	case t.EntityID == "":
		return errors.New("OPPWA_ENTITY_ID is empty: set it to the entity (channel) id of your test account")
	case !entityRE.MatchString(t.EntityID):
		return fmt.Errorf("OPPWA_ENTITY_ID=%q is not 32 lowercase hex characters: copy the entity id from your account", t.EntityID)
	case (t.OtherEntityID == "") != (t.OtherAccessToken == ""):
		return errors.New("set both OPPWA_OTHER_ENTITY_ID and OPPWA_OTHER_ACCESS_TOKEN, or neither")
	}
	return nil
}

func parseFaults(get func(string) string) (Faults, error) {
	var f Faults
	for _, d := range []struct {
		name string
		dst  *time.Duration
	}{{"OPPWA_SANDBOX_LATENCY", &f.Latency}, {"OPPWA_SANDBOX_RETRY_AFTER", &f.RetryAfter}} {
		if v := get(d.name); v != "" {
			x, err := time.ParseDuration(v)
			if err != nil || x < 0 {
				return f, fmt.Errorf("%s=%q is not a duration: use a value such as 150ms", d.name, v)
			}
			*d.dst = x
		}
	}
	for _, s := range []struct {
		name string
		dst  *float64
	}{{"OPPWA_SANDBOX_FAIL_503", &f.Fail503Share}, {"OPPWA_SANDBOX_FAIL_429", &f.Fail429Share}} {
		if v := get(s.name); v != "" {
			var x float64
			if _, err := fmt.Sscanf(v, "%g", &x); err != nil || x < 0 || x > 1 {
				return f, fmt.Errorf("%s=%q is not a share between 0 and 1: use a value such as 0.2", s.name, v)
			}
			*s.dst = x
		}
	}
	return f, nil
}

// baseURL reads OPPWA_BASE_URL: the platform's root, over TLS unless the host is this
// machine. The client appends v1/payments itself, so a path such as /v1/ would send
// every request to /v1/v1/payments and blame the platform for the answer; plain http
// would send the access token readable to every hop.
func baseURL(raw string) (*url.URL, error) {
	u, err := oppwa.NormalizeBaseURL(raw)
	if err != nil {
		return nil, err
	}
	if strings.Trim(u.Path, "/") == "" {
		u.Path = "/" // a doubled trailing slash is a typo, not a path
	}
	if u.Path != "/" {
		root := *u
		root.Path = "/"
		return nil, fmt.Errorf("OPPWA_BASE_URL=%q has a path (%s): set it to the platform's root, %s (the suites add v1/... themselves)", raw, u.Path, root.String())
	}
	if u.Scheme == "http" && !loopback(u.Hostname()) {
		return nil, fmt.Errorf("OPPWA_BASE_URL=%q is plain http to another machine, so the access token would travel unencrypted: use https://%s/", raw, u.Host)
	}
	return u, nil
}

// loopback reports whether host names this machine.
func loopback(host string) bool {
	host = strings.ToLower(host)
	ip := net.ParseIP(host)
	return host == "localhost" || ip != nil && ip.IsLoopback()
}

func guardHost(u *url.URL, allowLive, declareTest string) error {
	host := strings.ToLower(u.Hostname())
	if loopback(host) {
		return nil
	}
	if slices.Contains(LiveHosts, host) {
		if yes(allowLive) {
			return nil
		}
		return fmt.Errorf("%s is a production host and test payments there move real money: point OPPWA_BASE_URL at a test host such as https://eu-test.oppwa.com/, or set OPPWA_ALLOW_LIVE=yes if you really mean it", host)
	}
	if slices.Contains(TestHosts, host) || yes(declareTest) {
		return nil
	}
	return fmt.Errorf("%s is not a known OPPWA test host: set OPPWA_TEST_ENDPOINT=yes to declare it a test endpoint", host)
}

func yes(v string) bool {
	switch strings.ToLower(v) {
	case "yes", "true", "1":
		return true
	}
	return false
}

// parseBrands reads the list of brand names v of a variable, as the sandbox reads its
// brands (fixtures.ParseBrands: upper-cased, each once).
func parseBrands(variable, v string) ([]string, error) {
	out, err := fixtures.Load().ParseBrands(splitList(v))
	if err != nil {
		return nil, fmt.Errorf("%s names %w", variable, err)
	}
	return out, nil
}

// parseDefects reads OPPWA_SANDBOX_DEFECTS: every name must be one of the sandbox's
// modes, or the mutation run it belongs to would fail at suite setup instead.
func parseDefects(v string) ([]string, error) {
	names := splitList(v)
	for _, n := range names {
		if !slices.ContainsFunc(sandbox.DefectModes(), func(m sandbox.Mode) bool { return m.Name == n }) {
			return nil, fmt.Errorf("OPPWA_SANDBOX_DEFECTS names unknown mode %q: go run ./cmd/oppwa-sandbox -defect list shows the modes", n)
		}
	}
	return names, nil
}

// checkChromeBin refuses a CHROME_BIN that names no program: the user meant a browser,
// and installing another one would hide the typo.
func checkChromeBin(bin string) error {
	if bin == "" {
		return nil
	}
	if _, err := exec.LookPath(bin); err != nil {
		return fmt.Errorf("CHROME_BIN=%q is not an executable program: point it at a Chromium or Chrome binary, or unset it", bin)
	}
	return nil
}

// payable refuses a brand the suites cannot pay with: one that is documented but has
// no public test card or account, whose specs would fail for want of test data and
// blame the platform for it.
func payable(c *fixtures.Contract, brands []string) error {
	for _, name := range brands {
		// The default brands are the verified ones.
		if b, ok := c.Brand(name); !ok || !b.Verified {
			return fmt.Errorf("OPPWA_BRANDS names %s, which the suites cannot pay with (no public test card or account for it, fixtures/brands.json): remove it; make discover lists the brands they can check", name)
		}
	}
	return nil
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// readDotenv finds .env (OPPWA_ENV_FILE, else the first .env from dir up to the module
// root) and parses it without touching the process environment.
func readDotenv(lookup func(string) (string, bool), dir string) (string, map[string]string, error) {
	path, _ := lookup("OPPWA_ENV_FILE")
	explicit := path != ""
	if !explicit {
		path = findUp(dir, ".env")
		if path == "" {
			return "", nil, nil
		}
	}
	vals, err := godotenv.Read(path)
	if err != nil {
		if os.IsNotExist(err) && !explicit {
			return "", nil, nil
		}
		return path, nil, fmt.Errorf("%s cannot be read (%v): fix the file (one KEY=value per line, see .env.example) or remove it", path, oneLine(err))
	}
	return path, vals, nil
}

// ModuleRoot is the nearest directory at or above dir that holds go.mod: where
// relative report paths and .env are resolved, whichever folder a test binary or the
// runner starts in. ok is false, and dir is returned, when there is none.
func ModuleRoot(dir string) (root string, ok bool) {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, true
		}
		if filepath.Dir(d) == d {
			return dir, false
		}
	}
}

func findUp(dir, name string) string {
	for d := dir; ; d = filepath.Dir(d) {
		p := filepath.Join(d, name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil || filepath.Dir(d) == d {
			return ""
		}
	}
}

func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }

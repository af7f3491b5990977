package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/oppwa-conformance/oppwa-conformance/config"
	"github.com/oppwa-conformance/oppwa-conformance/drivers/browser"
	"github.com/oppwa-conformance/oppwa-conformance/drivers/oppwa"
	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	"github.com/oppwa-conformance/oppwa-conformance/outcome"
	"github.com/oppwa-conformance/oppwa-conformance/reports"
)

type runOptions struct {
	labels, procs, shard string
	reportDir            string
	// baseline is the report directory or fingerprint.json the run is compared with.
	baseline string
	extraEnv []string
	// binary is the compiled suites (go test -c) to run: a command that runs them many
	// times builds them once; empty, suiteRun brings suitesBinary up to date.
	binary string
	quiet  bool
	// noBrowser leaves the browser check and the preflight to the browser command,
	// which makes them only when it would install a browser.
	noBrowser bool
}

func runSuites(ctx context.Context, args []string) error {
	o, err := parseRunFlags("run", args)
	if err != nil {
		return err
	}
	sum, err := suiteRun(ctx, o)
	if err != nil {
		return err
	}
	return sum.exit()
}

// parseRunFlags reads the flags of run (and of browser, which checks a run's setup)
// and checks those the configuration does not: a mistake in any is exit 3 before
// anything is built, installed or sent.
func parseRunFlags(name string, args []string) (runOptions, error) {
	fs := newFlagSet(name)
	var o runOptions
	fs.StringVar(&o.labels, "labels", "", "Ginkgo label filter, e.g. 'sync && brand:VISA'")
	fs.StringVar(&o.procs, "procs", "", "parallel Ginkgo processes (default: Ginkgo's choice)")
	fs.StringVar(&o.shard, "shard", "", "run shard I of N, e.g. 1/2")
	fs.StringVar(&o.baseline, "baseline", "", "report directory or fingerprint.json of an earlier run to compare with")
	if err := parseOnlyFlags(fs, args); err != nil {
		return o, err
	}
	if err := o.check(); err != nil {
		return o, &exitError{outcome.ExitConfig, err.Error()}
	}
	return o, nil
}

// check finds the mistakes in the flags that would otherwise surface as a confused
// Ginkgo (a malformed label filter stalls its parallel processes) or a late failure.
func (o runOptions) check() error {
	if _, err := types.ParseLabelFilter(o.labels); err != nil {
		return fmt.Errorf("LABELS (-labels) %q is not a label filter (%s): use Ginkgo's syntax, e.g. 'sync && brand:VISA'", o.labels, oneLine(labelError(err)))
	}
	if err := checkLabelNames(o.labels); err != nil {
		return err
	}
	if o.procs != "" {
		if n, err := strconv.Atoi(o.procs); err != nil || n < 1 {
			return fmt.Errorf("PROCS (-procs) %q is not a number of processes: use e.g. 2, or leave it empty", o.procs)
		}
	}
	if _, _, err := parseShard(o.shard); err != nil {
		return err
	}
	if _, err := reports.ParseDriftKinds(os.Getenv("FAIL_ON_DRIFT")); err != nil {
		return err
	}
	return nil
}

// labelName finds the brand: and flow: labels a filter names.
var labelName = regexp.MustCompile(`\b(brand|flow):([A-Za-z0-9_.-]+)`)

// labelRegexp is a regular expression in a label filter: from a slash to the next, as
// Ginkgo reads it (or to the end, unclosed).
var labelRegexp = regexp.MustCompile(`/[^/]*/?`)

// checkLabelNames refuses a brand or flow a filter names that no spec can carry: a typo
// (brand:VISSA) would otherwise select nothing and end as "no spec ran". A regular
// expression (/brand:VIS.*/) names no label: it is left alone.
func checkLabelNames(labels string) error {
	for _, m := range labelName.FindAllStringSubmatch(labelRegexp.ReplaceAllString(labels, " "), -1) {
		kind, name := m[1], m[2]
		if kind == "brand" {
			if _, ok := fixtures.Load().Brand(name); !ok {
				return fmt.Errorf("LABELS (-labels) names brand:%s, which is no documented brand: brand names are upper case, e.g. brand:VISA", name)
			}
		} else if !slices.Contains(reports.FlowOrder, name) {
			return fmt.Errorf("LABELS (-labels) names flow:%s, which no spec carries: use one of %s", name, strings.Join(reports.FlowOrder, ", "))
		}
	}
	return nil
}

// labelError is Ginkgo's complaint about a label filter without its source location.
func labelError(err error) string {
	var ge types.GinkgoError
	if errors.As(err, &ge) && ge.Message != "" {
		return ge.Message
	}
	return err.Error()
}

// summary is a finished run: the one certification the report package computed
// from Ginkgo's JSON report, and where the reports are.
type summary struct {
	reports.Certification
	reportDir string
	// ginkgo is the suite's report as Ginkgo wrote it, for figures the
	// certification does not carry (make bench).
	ginkgo types.Report
}

// exitMessages say what a user does next after each verdict's exit code.
var exitMessages = map[outcome.ExitCode]string{
	outcome.ExitContract:    "the platform broke its contract: see the contract failures above",
	outcome.ExitEnvironment: "environment failures: fix the environment and run again (the verdict on the contract is incomplete)",
	outcome.ExitConfig:      "no spec ran: check LABELS and OPPWA_BRANDS",
}

// exit prints the verdict line and the failures, and returns the verdict's exit code.
func (s summary) exit() error {
	c := s.Counts
	fmt.Printf("\nverdict: %s — %d specs run, %d passed, %d contract failures, %d environment failures, %d skipped, %d not selected\n%s\nreports: %s\n",
		s.Verdict, c.Ran, c.Passed, c.Contract, c.Environment, c.Skipped, c.NotSelected, s.Reason, s.reportDir)
	for _, kind := range []outcome.Kind{outcome.Contract, outcome.Environment} {
		for _, sp := range s.Specs {
			if sp.FailureKind == kind {
				fmt.Printf("  %-12s %s: %s\n", string(kind)+":", specName(sp), oneLine(sp.Message))
			}
		}
	}
	for _, nv := range s.NotVerified {
		fmt.Printf("  not verified: %s (%d specs skipped): %s\n", nv.Capability, nv.Specs, nv.Reason)
	}
	if n := observations(s.Certification); n > 0 {
		fmt.Printf("  %d observation(s): exact values where public evidence fixes only the documented group (see index.html)\n", n)
	}
	if s.Changes != nil {
		printChanges(*s.Changes)
	}
	if s.ExitCode == outcome.ExitPass {
		return nil
	}
	msg := exitMessages[s.ExitCode]
	if s.Counts.Drift != "" && s.Counts.Contract == 0 {
		msg = "FAIL_ON_DRIFT: the platform changed since the baseline (" + strings.ReplaceAll(s.Counts.Drift, ",", ", ") + ")"
	}
	return &exitError{s.ExitCode, msg}
}

func specName(sp reports.SpecResult) string {
	if sp.ID == "" && sp.Must == "" {
		return "suite setup" // a BeforeSuite has no text of its own
	}
	if sp.ID == "" {
		return sp.Must
	}
	return sp.ID
}

// suiteRun checks the configuration and environment, then runs Ginkgo and reads its
// JSON report back.
func suiteRun(ctx context.Context, o runOptions) (summary, error) {
	root, t, dir, err := prepareRun(ctx, o)
	if err != nil {
		return summary{}, err
	}
	if o.binary == "" {
		if o.binary, err = compileSuites(ctx, root, o.quiet); err != nil {
			return summary{}, err
		}
	}
	args, _, err := ginkgoArgs(o, t, dir, shardOf(ctx, root, o))
	if err != nil {
		return summary{}, err
	}
	// Screenshots of an earlier run would be mistaken for this run's evidence; the
	// other files are overwritten, and are kept if this run never starts.
	_ = os.RemoveAll(filepath.Join(dir, "screenshots"))
	baseline, err := absPath(o.baseline)
	if err != nil {
		return summary{}, &exitError{outcome.ExitConfig, err.Error()}
	}
	runID := newRunID()
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	cmd.Env = append(append(os.Environ(), o.extraEnv...), "OPPWA_RUN_ID="+runID, "OPPWA_REPORT_DIR="+dir,
		"OPPWA_COMMAND="+commandLine(), "OPPWA_PROCESS_RPS="+processRPS(t, o.procs), "OPPWA_BASELINE="+baseline)
	if !o.quiet {
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	}
	// Ginkgo's own exit code says only pass or fail; the JSON report says why.
	runErr := cmd.Run()
	sum, rerr := readSummary(filepath.Join(dir, "report.json"))
	sum.reportDir = dir
	if rerr != nil {
		if runErr != nil {
			return sum, &exitError{outcome.ExitEnvironment, fmt.Sprintf("the suites did not finish (%v) and left no report: run `go tool ginkgo ./suites` to see why", runErr)}
		}
		return sum, &exitError{outcome.ExitEnvironment, rerr.Error()}
	}
	if baseline != "" {
		withChanges(&sum, runID)
	}
	return sum, nil
}

// suitesBinary is where a run keeps the compiled suites, relative to the module root:
// in the suites' own directory, where Ginkgo would compile them, so that the spec
// processes start in the same directory as before (Ginkgo runs a compiled suite from
// the binary's directory); *.test is ignored by git.
var suitesBinary = filepath.Join("suites", "suites.test")

// compileSuites brings suitesBinary up to date and returns its absolute path. Ginkgo
// compiling ./suites itself deletes its binary after the run, so every warm run paid
// the link again (about 1.3 s of wall and 2 s of CPU on 2 cores); go test -c skips the
// link when the binary it would write is already the one it has.
func compileSuites(ctx context.Context, root string, quiet bool) (string, error) {
	return compileSuitesTo(ctx, root, filepath.Join(root, suitesBinary), quiet)
}

// compileSuitesTo compiles the suites into binary with the flags Ginkgo's own compile
// uses (-ldflags="-w -s"); a compile error is printed unless quiet.
func compileSuitesTo(ctx context.Context, root, binary string, quiet bool) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "test", "-c", "-ldflags=-w -s", "-o", binary, "./suites")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err == nil {
		return binary, nil
	}
	if !quiet {
		os.Stderr.Write(out)
	}
	return "", &exitError{outcome.ExitEnvironment, fmt.Sprintf("the suites did not compile (%v): %s", err, oneLine(string(out)))}
}

// prepareRun reads the configuration, makes sure the report directory is writable and
// checks the environment before any spec runs.
func prepareRun(ctx context.Context, o runOptions) (root string, t config.Target, dir string, err error) {
	if root, err = moduleRoot(); err != nil {
		return "", t, "", err
	}
	if t, err = loadTarget(root, o.extraEnv); err != nil {
		return "", t, "", &exitError{outcome.ExitConfig, err.Error()}
	}
	if !t.Embedded() && !t.BrandsDeclared {
		// A real account rarely has all the documented brands: running them all would
		// report every missing one as a failure.
		return "", t, "", &exitError{outcome.ExitConfig, "OPPWA_BRANDS is not set for a real account: run make discover to find the brands your account has, then put its .env block in .env"}
	}
	dir = reportDir(root, cmp.Or(o.reportDir, t.ReportDir))
	if err := writable(dir); err != nil {
		return "", t, "", &exitError{outcome.ExitConfig, err.Error()}
	}
	if o.noBrowser {
		// The browser command checks the network only when it would install a browser;
		// the run that follows makes the preflight itself.
		return root, t, dir, nil
	}
	if err := preflight(ctx, t); err != nil {
		return "", t, "", err
	}
	if t.ChromeWSURL == "" && needsBrowser(t, o.labels) {
		if _, err := browser.FindExec(t.ChromeBin); err != nil {
			return "", t, "", &exitError{outcome.ExitEnvironment, err.Error() + " (or run `make browser` as root)"}
		}
	}
	return root, t, dir, nil
}

// ginkgoArgs is the go command line that runs o.binary, the compiled suites, for o,
// and the label filter it applies; shardOf narrows that filter to the run's shard
// (nil: no shard).
func ginkgoArgs(o runOptions, t config.Target, dir string, shardOf func(string) (string, error)) (args []string, filter string, err error) {
	args = []string{"tool", "ginkgo", "--keep-going", "--timeout=80m", "--junit-report=junit.xml",
		"--json-report=report.json", "--output-dir=" + dir, "--silence-skips"}
	if o.quiet {
		args = append(args, "--succinct")
	}
	if o.procs != "" {
		args = append(args, "--procs="+o.procs)
	} else {
		args = append(args, "-p")
	}
	labels := o.labels
	if (!t.Embedded() || t.SandboxPages == "realistic" || t.Twin != nil) && !strings.Contains(labels, "simulator-only") {
		// Specs labelled simulator-only rely on pages or behaviour public sources do
		// not describe for the real platform (the sandbox's realistic pages lack them
		// too); name the label to run them anyway.
		labels = andFilter(labels, "!simulator-only")
	}
	filter = labels
	if shardOf != nil {
		if filter, err = shardOf(labels); err != nil {
			return nil, "", err
		}
	}
	if filter != "" {
		args = append(args, "--label-filter="+filter)
	}
	return append(args, o.binary), filter, nil
}

// commandLine is the command as the user typed it, argv whole (a label filter with
// spaces stays one argument), JSON-encoded for the suites' report. The runner binary
// is named by the script users call.
func commandLine() string {
	argv := append([]string{"./conformance"}, os.Args[1:]...)
	b, _ := json.Marshal(argv)
	return string(b)
}

// userTarget is the configuration the user's environment and .env describe; a
// mistake in it is a configuration error.
func userTarget() (config.Target, error) {
	root, err := moduleRoot()
	if err != nil {
		return config.Target{}, err
	}
	t, err := loadTarget(root, nil)
	if err != nil {
		return t, &exitError{outcome.ExitConfig, err.Error()}
	}
	return t, nil
}

func loadTarget(root string, extraEnv []string) (config.Target, error) {
	var names []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		names = append(names, name)
	}
	if err := config.CheckNames(names, "the environment"); err != nil {
		return config.Target{}, err
	}
	extra := map[string]string{}
	for _, kv := range extraEnv {
		k, v, _ := strings.Cut(kv, "=")
		extra[k] = v
	}
	return config.Load(func(k string) (string, bool) {
		if v, ok := extra[k]; ok {
			return v, true
		}
		return os.LookupEnv(k)
	}, root)
}

// readSummary reads Ginkgo's JSON report and lets the report package judge it, so the
// terminal says what certification.json and index.html say.
func readSummary(path string) (summary, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return summary{}, fmt.Errorf("no JSON report at %s: %w", path, err)
	}
	var rs []types.Report
	if err := json.Unmarshal(b, &rs); err != nil || len(rs) == 0 {
		return summary{}, fmt.Errorf("JSON report %s is unreadable (%v): run again, or `go tool ginkgo ./suites` to see why", path, err)
	}
	return summary{Certification: reports.Summarize(rs[0], reports.Meta{}), ginkgo: rs[0]}, nil
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// preflight catches, before any spec, what would fail every spec: a platform that
// cannot be reached (environment, exit 2) and credentials it refuses (configuration,
// exit 3), so that the user's mistake is never reported as the platform's.
func preflight(ctx context.Context, t config.Target) error {
	if t.Embedded() {
		return nil
	}
	u, _ := url.Parse(t.BaseURL)
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), map[string]string{"https": "443", "http": "80"}[u.Scheme])
	}
	d := net.Dialer{Timeout: 5 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return &exitError{outcome.ExitEnvironment, fmt.Sprintf("cannot reach %s (%v): check the network, proxy or VPN, and OPPWA_BASE_URL", host, shortNetErr(err))}
	}
	_ = conn.Close()
	if err := authenticate(ctx, t, t.EntityID, t.AccessToken, "OPPWA_ENTITY_ID and OPPWA_ACCESS_TOKEN"); err != nil {
		return err
	}
	if t.OtherAccessToken == "" {
		return nil
	}
	return authenticate(ctx, t, t.OtherEntityID, t.OtherAccessToken, "OPPWA_OTHER_ENTITY_ID and OPPWA_OTHER_ACCESS_TOKEN")
}

// authenticate sends one authenticated request that changes nothing, the status
// lookup of a payment that does not exist, and reads whether the platform accepted
// the merchant's credentials: any answer but a refusal (800.900.*, or HTTP 401/403
// without a result code) means it did.
func authenticate(ctx context.Context, t config.Target, entity, token, vars string) error {
	c, err := oppwa.New(oppwa.Config{BaseURL: t.BaseURL, EntityID: entity, AccessToken: token, RatePerSecond: t.MaxRPS})
	if err != nil {
		return &exitError{outcome.ExitConfig, err.Error()}
	}
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	r, err := c.Status(ctx, hex.EncodeToString(id))
	if err != nil && outcome.IsEnvironment(err) || r == nil {
		return &exitError{outcome.ExitEnvironment, fmt.Sprintf("the platform did not answer the credentials check (%s): fix the environment and run again", oneLine(c.Redactor().Redact(fmt.Sprint(err))))}
	}
	if refusedCredentials(r) {
		return &exitError{outcome.ExitConfig, fmt.Sprintf("the platform refused %s (HTTP %d %s %s): copy both from the same test account", vars, r.HTTPStatus, r.Payment.Result.Code, r.Payment.Result.Description)}
	}
	if err != nil {
		return &exitError{outcome.ExitConfig, fmt.Sprintf("%s did not answer a status lookup as the OPPWA API does (HTTP %d, %s): check OPPWA_BASE_URL", t.BaseURL, r.HTTPStatus, oneLine(err.Error()))}
	}
	return nil
}

// refusedCredentials reports whether a reply refuses the merchant's credentials: a code
// of the documented 800.900.* authorisation group, or HTTP 401/403 without a result
// code (a gateway in front of the platform).
func refusedCredentials(r *oppwa.Response) bool {
	code := r.Payment.Result.Code
	return strings.HasPrefix(code, "800.900.") || code == "" && (r.HTTPStatus == http.StatusUnauthorized || r.HTTPStatus == http.StatusForbidden)
}

func shortNetErr(err error) string {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return "host name not found"
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err.Error()
	}
	return err.Error()
}

// needsBrowser says whether the label filter can select a spec that drives Chromium.
func needsBrowser(t config.Target, labels string) bool {
	if strings.TrimSpace(labels) == "" {
		return true
	}
	filter, err := types.ParseLabelFilter(labels)
	if err != nil {
		return true
	}
	c := fixtures.Load()
	for _, name := range t.Brands {
		b, _ := c.Brand(name)
		// Label sets that a browser spec of this brand may carry; a filter that
		// selects one of them may select a browser spec.
		for _, extra := range [][]string{{"async", "flow:async-approve", "flow:async-cancel", "flow:reporting"}, {"3ds", "flow:3ds"}} {
			set := append([]string{"browser", "brand:" + name, string(b.Workflow)}, extra...)
			if filter(set) {
				return true
			}
		}
	}
	return false
}

// reportDir is report directory dir made absolute against the module root (against
// the working directory when root is "").
func reportDir(root, dir string) string {
	if filepath.IsAbs(dir) {
		return dir
	}
	return filepath.Join(root, dir)
}

func writable(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report directory %s cannot be created (%v): make it writable or set OPPWA_REPORT_DIR", dir, errors.Unwrap(err))
	}
	f, err := os.CreateTemp(dir, ".write-check-*")
	if err != nil {
		return fmt.Errorf("report directory %s is not writable: make it writable or set OPPWA_REPORT_DIR", dir)
	}
	_ = f.Close()
	return os.Remove(f.Name())
}

func moduleRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	root, ok := config.ModuleRoot(wd)
	if !ok {
		return "", &exitError{outcome.ExitConfig, "run from inside the conformance repository (no go.mod found above " + wd + ")"}
	}
	return root, nil
}

func newRunID() string {
	if v := os.Getenv("OPPWA_RUN_ID"); v != "" {
		return v
	}
	return fmt.Sprintf("oc-%s-%04x", time.Now().UTC().Format("20060102T150405"), os.Getpid()&0xffff)
}

// processRPS is each Ginkgo process's share of OPPWA_MAX_RPS, so that the processes
// together keep to it; "" when the run is not paced.
func processRPS(t config.Target, procs string) string {
	if t.MaxRPS <= 0 {
		return ""
	}
	n, err := strconv.Atoi(procs)
	if err != nil || n < 1 {
		// What ginkgo -p starts.
		n = types.CLIConfig{Parallel: true}.ComputedProcs()
	}
	return strconv.FormatFloat(t.MaxRPS/float64(n), 'g', -1, 64)
}

func andFilter(a, b string) string {
	if strings.TrimSpace(a) == "" {
		return b
	}
	return "(" + a + ") && " + b
}

// runBrowser checks a run's flags and configuration, then prints the browser binary the
// run would start, or that it needs none. When a browser is needed and missing it also
// checks the target's answer to the credentials, and exits outcome.ExitNoBrowser (4)
// only if that passes: make installs a browser then, and for any other failure stops
// with this command's line and code.
func runBrowser(ctx context.Context, args []string) error {
	o, err := parseRunFlags("browser", args)
	if err != nil {
		return err
	}
	o.noBrowser = true
	_, t, _, err := prepareRun(ctx, o)
	switch {
	case err != nil:
		return err
	case t.ChromeWSURL != "":
		fmt.Println("remote browser at CHROME_WS_URL")
		return nil
	case !needsBrowser(t, o.labels):
		fmt.Println("no browser needed: the label filter selects no browser spec")
		return nil
	}
	path, err := browser.FindExec(t.ChromeBin)
	if err == nil {
		fmt.Println(path)
		return nil
	}
	// Only a setup the platform accepts is worth a browser install.
	if err := preflight(ctx, t); err != nil {
		return err
	}
	return &exitError{outcome.ExitNoBrowser, err.Error()}
}

func observations(c reports.Certification) (n int) {
	for _, sp := range c.Specs {
		n += len(sp.Observations)
	}
	return n
}

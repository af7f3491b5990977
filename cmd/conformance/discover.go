package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/config"
	"github.com/oppwa-conformance/oppwa-conformance/drivers/oppwa"
	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	"github.com/oppwa-conformance/oppwa-conformance/outcome"
	"github.com/oppwa-conformance/oppwa-conformance/sandbox"
	"github.com/oppwa-conformance/oppwa-conformance/twin"
)

// discoverResultURL is the shopperResultUrl of discovery's async payments: no shopper
// ever reaches it, since discovery drives no browser. Everything else a discovery
// payment sends is the suites' own test data (fixtures.PaymentParams).
const discoverResultURL = "https://localhost/oppwa-conformance/discover"

// A brand's status on the account, as discovery found it.
const (
	brandEnabled       = "enabled"
	brandNotConfigured = "not configured"
	brandFailing       = "failing"
)

// probe is what one brand's discovery payment found.
type probe struct {
	brand      fixtures.Brand
	status     string
	code       string
	desc       string
	note       string
	mtid       string
	httpStatus int  // the reply's HTTP status
	answered   bool // the platform stored a payment under mtid
}

// discovery probes one account with one paced client.
type discovery struct {
	t        config.Target
	client   *oppwa.Client
	contract *fixtures.Contract
	prefix   string // of every merchantTransactionId
	out      io.Writer
}

// runDiscover is `conformance discover`: which documented brands and capabilities the
// configured account has, as a table and a ready .env block.
func runDiscover(ctx context.Context, args []string) error {
	fs := newFlagSet("discover")
	if err := parseOnlyFlags(fs, args); err != nil {
		return err
	}
	t, err := userTarget()
	if err != nil {
		return err
	}
	return discover(ctx, t, os.Stdout)
}

// discover probes t's account and prints what it found to out. It returns an exitError
// on a configuration or environment failure.
func discover(ctx context.Context, t config.Target, out io.Writer) error {
	base := t.BaseURL
	if t.Embedded() {
		srv, err := sandbox.Start(ctx, "127.0.0.1:0", sandbox.Options{Brands: t.SandboxBrands, Twin: t.Twin})
		if err != nil {
			return &exitError{outcome.ExitEnvironment, "start embedded sandbox: " + err.Error()}
		}
		defer srv.Close(context.WithoutCancel(ctx))
		base = srv.URL
	}
	if err := preflight(ctx, t); err != nil {
		return err
	}
	c, err := oppwa.New(oppwa.Config{BaseURL: base, EntityID: t.EntityID, AccessToken: t.AccessToken, RatePerSecond: t.MaxRPS})
	if err != nil {
		return &exitError{outcome.ExitConfig, err.Error()}
	}
	d := &discovery{t: t, client: c, contract: fixtures.Load(), out: out,
		prefix: fmt.Sprintf("discover-%s-%04x", time.Now().UTC().Format("20060102T150405"), os.Getpid()&0xffff)}
	d.header()
	probes, err := d.brands(ctx)
	if err != nil {
		return err
	}
	threeDS := d.threeDS(ctx, probes)
	reporting := d.reporting(ctx, probes)
	registration := d.registration(ctx)
	d.credit()
	d.envBlock(probes, threeDS.has, reporting.has, registration.has)
	d.keep(probes)
	for _, c := range []capability{threeDS, reporting, registration} {
		if !c.probed {
			return &exitError{outcome.ExitEnvironment, fmt.Sprintf("the %s probe got no answer (%s): the .env block says no; run make discover again", c.name, c.why)}
		}
	}
	return nil
}

// keep leaves, for a real account, what discovery found in the report directory
// (twin.DiscoveryFile): the next run's calibration adds the brands not configured.
func (d *discovery) keep(probes []probe) {
	if d.t.Embedded() {
		return
	}
	k := twin.Discovery{BaseURL: d.t.BaseURL, Date: time.Now().UTC(), Enabled: []string{}, NotConfigured: []twin.BrandRefusal{}}
	for _, p := range probes {
		switch p.status {
		case brandEnabled:
			k.Enabled = append(k.Enabled, p.brand.Name)
		case brandNotConfigured:
			k.NotConfigured = append(k.NotConfigured, twin.BrandRefusal{Brand: p.brand.Name, Code: p.code, HTTPStatus: p.httpStatus})
		}
	}
	b, _ := json.MarshalIndent(k, "", " ")
	root, _ := moduleRoot() // found by userTarget; without it, dir stays the working directory's
	dir := reportDir(root, d.t.ReportDir)
	path := filepath.Join(dir, twin.DiscoveryFile)
	err := os.MkdirAll(dir, 0o755)
	if err == nil {
		err = os.WriteFile(path, b, 0o644)
	}
	if err != nil {
		// The table and the .env block above are discovery's answer; the file only
		// feeds the twin, so a report directory that cannot be written costs that only.
		fmt.Fprintf(d.out, "\n# not kept for the account twin: %v (set OPPWA_REPORT_DIR to a writable directory)\n", err)
		return
	}
	fmt.Fprintf(d.out, "\n# kept in %s: the next run's account twin (twin.json) names the brands not configured\n", path)
}

// capability is what a capability probe found.
type capability struct {
	name   string
	has    bool
	probed bool // false: the platform gave no answer to judge
	why    string
}

func (d *discovery) header() {
	pace := "not paced"
	if d.t.MaxRPS > 0 {
		pace = fmt.Sprintf("paced at %g requests/s (OPPWA_MAX_RPS)", d.t.MaxRPS)
	}
	fmt.Fprintf(d.out, "discovering the brands of entity %s on %s in %s, %s\n", d.t.EntityID, d.t.Host(), d.t.Currency, pace)
	fmt.Fprintf(d.out, "every payment's merchantTransactionId starts with %s (search for it in the backoffice)\n\n", d.prefix)
	fmt.Fprintf(d.out, "%-22s %-8s %-15s %s\n", "BRAND", "WORKFLOW", "STATUS", "RESULT")
}

// brands probes every documented brand in turn, printing a line for each as it goes.
func (d *discovery) brands(ctx context.Context) ([]probe, error) {
	var probes []probe
	for _, name := range d.contract.DefaultBrands() {
		b, _ := d.contract.Brand(name)
		p, err := d.probeBrand(ctx, b)
		if err != nil {
			return probes, err
		}
		result := p.code
		if p.status != brandEnabled && p.desc != "" {
			result += " " + p.desc
		}
		if p.note != "" {
			result = strings.TrimSpace(result + " (" + p.note + ")")
		}
		fmt.Fprintf(d.out, "%-22s %-8s %-15s %s\n", b.Name, b.Workflow, p.status, d.client.Redactor().Redact(result))
		probes = append(probes, p)
	}
	return probes, nil
}

// probeBrand sends brand b's smallest payment: a PA (reversed at once when it
// succeeds) for a sync brand, the initial DB for an async one.
func (d *discovery) probeBrand(ctx context.Context, b fixtures.Brand) (probe, error) {
	p := probe{brand: b, mtid: d.prefix + "-" + b.Name}
	params, err := d.params(b, p.mtid)
	if err != nil {
		p.status, p.note = brandFailing, err.Error()
		return p, nil
	}
	pay := d.client.Preauthorize
	if b.Workflow == fixtures.Async {
		pay = d.client.Debit
	}
	r, err := pay(ctx, params)
	if err := d.callFailure(r, err, b.Name); err != nil {
		return p, err
	}
	p.answered = true
	p.code, p.desc, p.httpStatus = r.Payment.Result.Code, r.Payment.Result.Description, r.HTTPStatus
	if err != nil {
		p.status, p.note = brandFailing, "unreadable reply: "+err.Error()
		return p, nil
	}
	p.status = d.classify(b, r)
	if p.status == brandEnabled && b.Workflow == fixtures.Sync {
		p.note = d.reverse(ctx, r.Payment.ID, p.mtid)
	}
	return p, nil
}

// params are the suites' parameters for brand b (fixtures.PaymentParams, in the
// brand's currency as the suites pay it), with the reference and, for async brands,
// a shopperResultUrl.
func (d *discovery) params(b fixtures.Brand, mtid string) (url.Values, error) {
	v, _, err := d.contract.PaymentParams(b, d.t.PaymentCurrency(b))
	if err != nil {
		return nil, err
	}
	v.Set("merchantTransactionId", mtid)
	if b.Workflow == fixtures.Async {
		v.Set("shopperResultUrl", discoverResultURL)
	}
	return v, nil
}

// callFailure stops discovery when a call says nothing about the brand: the platform
// could not be reached or did not answer (exit 2), or refused the credentials (exit 3).
// A reply that cannot be decoded is the brand's failure, not discovery's.
func (d *discovery) callFailure(r *oppwa.Response, err error, what string) error {
	if err != nil && outcome.IsEnvironment(err) {
		return &exitError{outcome.ExitEnvironment, fmt.Sprintf("discovery stopped at %s: %s: fix the environment and run make discover again", what, oneLine(d.client.Redactor().Redact(err.Error())))}
	}
	if r == nil {
		return &exitError{outcome.ExitEnvironment, fmt.Sprintf("discovery stopped at %s: no reply: %v", what, err)}
	}
	// 800.900.301 (no rights) on a brand's payment means the account lacks the brand.
	code := r.Payment.Result.Code
	if refusedCredentials(r) && code != "800.900.301" {
		return &exitError{outcome.ExitConfig, fmt.Sprintf("the platform refused the credentials (HTTP %d, %s %s): check OPPWA_ENTITY_ID and OPPWA_ACCESS_TOKEN",
			r.HTTPStatus, code, r.Payment.Result.Description)}
	}
	return nil
}

// classify reads an initial payment's reply: enabled when it is what the brand's
// workflow promises, not configured when the account lacks the brand, else failing.
func (d *discovery) classify(b fixtures.Brand, r *oppwa.Response) string {
	code := r.Payment.Result.Code
	switch {
	case b.Workflow == fixtures.Sync && fixtures.Load().OutcomeOf(code) == fixtures.Success:
		return brandEnabled
	case b.Workflow == fixtures.Async && strings.HasPrefix(code, "000.200.") && r.Payment.Redirect != nil && r.Payment.Redirect.URL != "":
		return brandEnabled
	case notConfigured(code):
		return brandNotConfigured
	}
	return brandFailing
}

// notConfigured reports whether code says the account lacks what was asked for: the
// documented group of configuration rejections (600.2xx, 600.3xx, 500.1xx, 500.2xx,
// 800.121.xxx, with 600.200.500 "not configured for this currency or sub type (country
// or brand)"), missing rights, or a brand not enabled for the account.
func notConfigured(code string) bool {
	return fixtures.Load().GroupName(code) == "rejectedConfigurationValidation" || code == "800.900.301" || code == "100.395.102"
}

// reverse voids a discovery PA so that no money stays reserved, and says how it went.
func (d *discovery) reverse(ctx context.Context, id, mtid string) string {
	r, err := d.client.Reverse(ctx, id, url.Values{"merchantTransactionId": {mtid}})
	switch {
	case err != nil:
		return fmt.Sprintf("reversal failed (%s): void payment %s in the backoffice", oneLine(d.client.Redactor().Redact(err.Error())), id)
	case fixtures.Load().OutcomeOf(r.Payment.Result.Code) != fixtures.Success:
		return fmt.Sprintf("reversal answered %s %s: void payment %s in the backoffice", r.Payment.Result.Code, r.Payment.Result.Description, id)
	}
	return "reversed"
}

// threeDS probes 3-D Secure 2 with a DB of the documented frictionless VISA card and
// the enrolment switch: a redirect or a 000.* answer means the channel has it.
func (d *discovery) threeDS(ctx context.Context, probes []probe) capability {
	const name = "3-D Secure"
	card, ok := d.contract.Card("VISA", "3ds2-frictionless")
	visa, _ := d.contract.Brand("VISA")
	v, err := d.params(visa, d.prefix+"-3DS")
	if !ok || err != nil {
		return d.capability(name, false, "no documented frictionless test card")
	}
	for k, vs := range fixtures.CardParams(card) {
		v[k] = vs
	}
	v.Set("customParameters[3DS2_enrolled]", "true")
	v.Set("shopperResultUrl", discoverResultURL)
	r, err := d.client.Debit(ctx, v)
	if err != nil && (r == nil || outcome.IsEnvironment(err)) {
		return d.notProbed(name, err)
	}
	code, desc := r.Payment.Result.Code, r.Payment.Result.Description
	answer := fmt.Sprintf("a DB with the frictionless VISA test card answered %s %s", code, desc)
	switch {
	case r.Payment.Redirect != nil && r.Payment.Redirect.URL != "":
		return d.capability(name, true, "a DB with the frictionless VISA test card was redirected to authentication")
	case strings.HasPrefix(code, "000."):
		return d.capability(name, true, answer)
	case !enabled(probes, "VISA"):
		return d.capability(name, false, answer+"; VISA is not enabled, the 3-D Secure specs need it")
	}
	return d.capability(name, false, answer)
}

// reporting probes the right to read transaction reports with a query for one of the
// discovery payments.
func (d *discovery) reporting(ctx context.Context, probes []probe) capability {
	const name = "transaction reports"
	mtid := ""
	for _, p := range probes {
		if p.answered && mtid == "" || p.status == brandEnabled {
			mtid = p.mtid
		}
		if p.status == brandEnabled {
			break
		}
	}
	if mtid == "" {
		return d.capability(name, false, "no discovery payment to look up")
	}
	q, err := d.client.QueryByMerchantTransactionID(ctx, mtid)
	if q == nil || err != nil && outcome.IsEnvironment(err) {
		return d.notProbed(name, err)
	}
	answer := fmt.Sprintf("GET /v1/query?merchantTransactionId=%s answered HTTP %d %s %s", mtid, q.HTTPStatus, q.Payment.Result.Code, q.Payment.Result.Description)
	return d.capability(name, q.HTTPStatus == http.StatusOK, answer)
}

// registration probes tokenisation with a standalone registration of the documented
// VISA test card, then deletes the token again.
func (d *discovery) registration(ctx context.Context) capability {
	const name = "registration tokens"
	visa, _ := d.contract.Brand("VISA")
	v, _, err := d.contract.RegistrationParams(visa)
	if err != nil {
		return d.capability(name, false, "no documented VISA test card")
	}
	r, err := d.client.Register(ctx, v)
	if err != nil && (r == nil || outcome.IsEnvironment(err)) {
		return d.notProbed(name, err)
	}
	code, desc := r.Payment.Result.Code, r.Payment.Result.Description
	answer := fmt.Sprintf("POST /v1/registrations with the VISA test card answered %s %s", code, desc)
	if fixtures.Load().OutcomeOf(code) != fixtures.Success {
		return d.capability(name, false, answer)
	}
	if del, err := d.client.DeleteRegistration(ctx, r.Payment.ID); err != nil || fixtures.Load().OutcomeOf(del.Payment.Result.Code) != fixtures.Success {
		answer += "; deleting the token failed: delete it in the backoffice"
	} else {
		answer += "; the token was deleted again"
	}
	return d.capability(name, true, answer)
}

// credit prints why credits are not probed: a probe would pay money out.
func (d *discovery) credit() {
	fmt.Fprintf(d.out, "%-22s %-8s %-15s %s\n", "credits (CD)", "", "not probed",
		"a probe would pay out to a card: set OPPWA_CREDIT=yes if the channel may credit")
}

func enabled(probes []probe, brand string) bool {
	for _, p := range probes {
		if p.brand.Name == brand {
			return p.status == brandEnabled
		}
	}
	return false
}

// capability prints the line of a capability the probe could judge.
func (d *discovery) capability(name string, has bool, why string) capability {
	why = d.client.Redactor().Redact(strings.TrimSpace(why))
	fmt.Fprintf(d.out, "%-22s %-8s %-15s %s\n", name, "", yesNo(has), why)
	return capability{name: name, has: has, probed: true, why: why}
}

// notProbed prints the line of a capability whose probe got no answer.
func (d *discovery) notProbed(name string, err error) capability {
	why := oneLine(d.client.Redactor().Redact(fmt.Sprint(err)))
	fmt.Fprintf(d.out, "%-22s %-8s %-15s %s\n", name, "", "not probed", why)
	return capability{name: name, why: why}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// envBlock prints the second merchant's line and the .env block for the account.
func (d *discovery) envBlock(probes []probe, threeDS, reporting, registration bool) {
	other := "OPPWA_OTHER_ENTITY_ID and OPPWA_OTHER_ACCESS_TOKEN are set"
	switch {
	case d.t.Embedded():
		other = "the embedded sandbox has one"
	case d.t.OtherEntityID == "":
		other = "set OPPWA_OTHER_ENTITY_ID and OPPWA_OTHER_ACCESS_TOKEN to a second test merchant to run the isolation specs"
	}
	fmt.Fprintf(d.out, "%-22s %-8s %-15s %s\n", "second merchant", "", yesNo(d.t.Has(config.SecondMerchant)), other)
	var names []string
	counts := map[string]int{}
	for _, p := range probes {
		counts[p.status]++
		if p.status == brandEnabled {
			names = append(names, p.brand.Name)
		}
	}
	fmt.Fprintf(d.out, "\n%d enabled, %d not configured, %d failing\n", counts[brandEnabled], counts[brandNotConfigured], counts[brandFailing])
	fmt.Fprintln(d.out, "\n# the account's profile, found by make discover: put these lines in .env")
	if len(names) == 0 {
		fmt.Fprintf(d.out, "# no brand answered as enabled in %s: check OPPWA_CURRENCY and the account's configuration\n", d.t.Currency)
	}
	fmt.Fprintf(d.out, "OPPWA_BRANDS=%s\nOPPWA_3DS=%s\nOPPWA_REPORTING=%s\nOPPWA_REGISTRATION=%s\n",
		strings.Join(names, ","), yesNo(threeDS), yesNo(reporting), yesNo(registration))
}

package framework

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2" //nolint:revive

	"github.com/oppwa-conformance/oppwa-conformance/drivers/browser"
	"github.com/oppwa-conformance/oppwa-conformance/drivers/oppwa"
	"github.com/oppwa-conformance/oppwa-conformance/drivers/shopper"
	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	"github.com/oppwa-conformance/oppwa-conformance/outcome"
	"github.com/oppwa-conformance/oppwa-conformance/reports"
	"github.com/oppwa-conformance/oppwa-conformance/twin"
)

// Spec is one running spec's isolation and evidence.
type Spec struct {
	ctx context.Context
	// Client acts as the configured merchant and records the transcript.
	Client *oppwa.Client
	// Other acts as a second merchant (nil when none is configured); it records too.
	Other *oppwa.Client

	mu        sync.Mutex
	exchanges []oppwa.Exchange
	shots     []reports.Shot
	stuck     *reports.StuckPage
	payments  []reports.Payment
	// observations are exact values a real target answered where the evidence fixes
	// only a group.
	observations []reports.Observation
	// answers and returns are what a run against a real target calibrates a twin
	// from (twin.json): how the account answered each claim's situation, and the
	// parameters of each return to the shopperResultUrl.
	answers []twin.Answer
	returns [][]string
	session *browser.Session
}

// Begin starts a spec: call it first in every spec body. Its evidence is attached to
// the spec's report entry when the spec ends, passed or failed.
func Begin(ctx SpecContext) *Spec {
	e := Shared()
	if e == nil {
		FailEnvironment("suite setup did not run")
	}
	s := &Spec{ctx: ctx}
	s.Client = e.Client.WithRecorder(s.record)
	if e.Other != nil {
		s.Other = e.Other.WithRecorder(s.record)
	}
	DeferCleanup(s.finish)
	return s
}

func (s *Spec) record(x oppwa.Exchange) {
	s.mu.Lock()
	s.exchanges = append(s.exchanges, x)
	s.mu.Unlock()
}

func (s *Spec) finish() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.session != nil {
		_ = s.session.Close()
		s.session = nil
	}
	if len(s.exchanges) > 0 {
		AddReportEntry(reports.EntryTranscript, s.exchanges, ReportEntryVisibilityNever)
	}
	if len(s.shots) > 0 {
		AddReportEntry(reports.EntryScreenshots, s.shots, ReportEntryVisibilityNever)
	}
	if s.stuck != nil {
		AddReportEntry(reports.EntryStuckPage, s.stuck, ReportEntryVisibilityNever)
	}
	if len(s.payments) > 0 {
		AddReportEntry(reports.EntryPayments, s.payments, ReportEntryVisibilityNever)
	}
	if len(s.observations) > 0 {
		AddReportEntry(reports.EntryObservations, s.observations, ReportEntryVisibilityNever)
	}
	if len(s.answers) > 0 {
		AddReportEntry(reports.EntryAnswers, s.answers, ReportEntryVisibilityNever)
	}
	if len(s.returns) > 0 {
		AddReportEntry(reports.EntryReturns, s.returns, ReportEntryVisibilityNever)
	}
}

// MerchantTransactionID returns a reference unique to this run, process and call.
func (s *Spec) MerchantTransactionID() string { return Shared().NextMerchantTransactionID() }

// Note records a transaction the spec created, for the report.
func (s *Spec) Note(p oppwa.Payment) {
	if p.ID == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// A registration token is a transaction of its own but stands for a stored card:
	// the redactor masks it.
	s.payments = append(s.payments, reports.Payment{ID: s.Client.Redactor().Redact(p.ID), PaymentType: p.PaymentType, Brand: p.PaymentBrand,
		MerchantTransactionID: p.MerchantTransactionID, Code: p.Result.Code, Group: fixtures.Load().GroupName(p.Result.Code)})
}

// NoError fails the spec when err is set: as an environment failure when the platform
// could not be reached or the browser broke, as a contract failure otherwise.
func (s *Spec) NoError(err error, doing string) {
	GinkgoHelper()
	// The message may quote a page URL with its session (a shopper journey's error):
	// NoError redacts it.
	NoError(err, doing)
}

// Call checks an API call's error with NoError and notes the transaction it made, so a
// spec reads as its steps: cp := s.Call(s.Client.Capture(ctx, id, amount, currency, nil)).
// The error already names the method and URL.
func (s *Spec) Call(r *oppwa.Response, err error) *oppwa.Response {
	GinkgoHelper()
	s.NoError(err, "API call")
	s.Note(r.Payment)
	return r
}

// ShopperReturn is where the shopper's browser came back and what it brought.
type ShopperReturn = shopper.Return

// Shopper sends the shopper's browser through redirect with action and waits for the
// return to the shopperResultUrl made by ResultURL(key). Every page is screenshotted.
func (s *Spec) Shopper(key string, r oppwa.Redirect, action browser.Action) (ShopperReturn, error) {
	e := Shared()
	b, err := e.Browser(s.ctx)
	if err != nil {
		return ShopperReturn{}, err
	}
	s.mu.Lock()
	if s.session == nil {
		// A fresh incognito context per spec: no cookie or storage of one brand's
		// checkout can leak into another's.
		s.session, err = b.NewSession(s.ctx)
	}
	sess := s.session
	s.mu.Unlock()
	if err != nil {
		return ShopperReturn{}, outcome.EnvironmentError(fmt.Errorf("open browser context: %w", err))
	}
	j, ferr := sess.Follow(s.ctx, r, e.Receiver.Prefix(key), action)
	if j != nil {
		s.keepJourney(key, j)
	}
	if ferr != nil {
		// The driver's error carries its kind: a method page that did not load, a page
		// the tool lacks a script for, or a browser that refused a command is the
		// environment's; anything else the page did is the contract's.
		return ShopperReturn{}, fmt.Errorf("shopper journey: %w", ferr)
	}
	ret, err := e.Receiver.Await(s.ctx, key)
	if err != nil {
		return ret, fmt.Errorf("wait for the shopper at the shopperResultUrl: %w", err)
	}
	s.keepReturn(ret)
	return ret, nil
}

// keepReturn keeps the names of the parameters the platform added to the
// shopperResultUrl (the shop's own query left out), never their values, when the run
// calibrates a twin.
func (s *Spec) keepReturn(ret ShopperReturn) {
	if !calibrates() {
		return
	}
	own, _ := url.ParseQuery(shopper.ShopQuery)
	names := []string{}
	for name := range ret.Query {
		if !own.Has(name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	s.mu.Lock()
	s.returns = append(s.returns, names)
	s.mu.Unlock()
}

// calibrates says whether the run's reports calibrate an account twin: reports
// writes twin.json only for a target other than the embedded sandbox (a twin run is
// an embedded one), so elsewhere the answers and returns kept for it would never be
// read.
func calibrates() bool { return !Config().Embedded() }

// keepJourney keeps the journey's steps as screenshots and its stuck page, if any,
// for the spec's report.
func (s *Spec) keepJourney(key string, j *browser.Journey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	red := s.Client.Redactor()
	for _, st := range j.Steps {
		// A precondition runs in a hidden iframe: its step has no screenshot and
		// shows as a caption, with what was unusual about it.
		name := st.Name
		if st.Note != "" {
			name += " (" + st.Note + ")"
		}
		// The caption quotes what the platform sent (a precondition's values): redacted
		// as the URL is.
		shot := reports.Shot{Step: red.Redact(name), URL: red.Redact(st.URL), At: st.At}
		var err error
		shot.File, err = saveShot(key, len(s.shots), st.Name, st.Screenshot)
		if err != nil {
			GinkgoWriter.Printf("screenshot not kept: %v\n", err)
		}
		s.shots = append(s.shots, shot)
	}
	if j.Stuck != nil {
		s.stuck = stuckPage(j.Stuck, red)
		if n := len(s.shots); n > 0 && j.Steps[len(j.Steps)-1].Name == browser.StepStuck {
			s.stuck.File = s.shots[n-1].File
		}
	}
}

// stuckPage is the report's view of a stuck page, with every text redacted.
func stuckPage(inv *browser.Inventory, red *oppwa.Redactor) *reports.StuckPage {
	sp := &reports.StuckPage{URL: red.Redact(inv.URL), Title: red.Redact(inv.Title), Draft: red.Redact(inv.Draft)}
	for _, f := range inv.Forms {
		sp.Forms = append(sp.Forms, reports.StuckForm{Action: red.Redact(f.Action), Method: f.Method, Selector: red.Redact(f.Selector)})
	}
	// A selector may quote an attribute of the page (a link's href with its session).
	for _, in := range inv.Inputs {
		sp.Inputs = append(sp.Inputs, reports.StuckInput{Name: red.Redact(in.Name), Type: in.Type, Required: in.Required,
			Value: red.Redact(in.Value), Selector: red.Redact(in.Selector)})
	}
	for _, c := range inv.Controls {
		sp.Controls = append(sp.Controls, reports.StuckControl{Text: red.Redact(c.Text), Selector: red.Redact(c.Selector)})
	}
	return sp
}

// saveShot writes a screenshot under the report directory's screenshots folder.
func saveShot(key string, n int, step string, jpeg []byte) (string, error) {
	if len(jpeg) == 0 {
		return "", nil
	}
	if id := reports.MetaOf(CurrentSpecReport().Labels()).ID; id != "" {
		key = id
	}
	rel := filepath.Join("screenshots", fmt.Sprintf("%s-%02d-%s.jpg", safeName(key), n, safeName(step)))
	full := filepath.Join(Config().ReportDir, rel)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return "", fmt.Errorf("create screenshot folder: %w", err)
	}
	if err := os.WriteFile(full, jpeg, 0o644); err != nil {
		return "", fmt.Errorf("write screenshot: %w", err)
	}
	return rel, nil
}

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

// ResultURL returns a fresh shopperResultUrl key and URL for this spec.
func (s *Spec) ResultURL() (key, resultURL string) {
	key = Shared().NextMerchantTransactionID()
	return key, Shared().Receiver.URL(key)
}

// Meta is a conformance spec's typed metadata: ID, flow and brand, carried as labels.
type Meta = reports.SpecMeta

// Conformance declares a conformance spec: its metadata, the one-line MUST it checks,
// its other decorators and its body. The MUST is the spec's text; the metadata become
// its id:, flow: and brand: labels.
func Conformance(m Meta, must string, args ...any) bool {
	m = withEvidence(m)
	args = append(args, Label(m.Labels()...), SpecTimeout(Config().SpecTimeout), Offset(1))
	return It(must, args...)
}

// Case declares one conformance spec of a DescribeTable, as Conformance does for It;
// the table body receives the non-decorator args.
func Case(m Meta, must string, args ...any) TableEntry {
	GinkgoHelper() // the entry's location is its caller's, for the catalogue
	m = withEvidence(m)
	args = append(args, Label(m.Labels()...), SpecTimeout(Config().SpecTimeout))
	return Entry(must, args...)
}

// withEvidence fills the spec's evidence grade from fixtures/evidence.json; a spec
// missing there gets none, which the catalogue's check reports.
func withEvidence(m Meta) Meta {
	if ev, ok := fixtures.LoadEvidence().Spec(m.ID, m.Brand); ok && m.Evidence == "" {
		m.Evidence = string(ev.Grade)
	}
	return m
}

package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/oppwa-conformance/oppwa-conformance/drivers/oppwa"
	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	"github.com/oppwa-conformance/oppwa-conformance/outcome"
	"github.com/oppwa-conformance/oppwa-conformance/twin"
)

// Verdicts of a run for go-live.
const (
	// VerdictPass: specs ran, every one that ran passed.
	VerdictPass = "PASS"
	// VerdictFail: at least one contract failure; the integration is not conformant.
	VerdictFail = "FAIL"
	// VerdictInconclusive: no contract failure, but environment failures (or no spec
	// at all) left part of the contract unverified; rerun before deciding.
	VerdictInconclusive = "INCONCLUSIVE"
)

// Report entry names of a spec's evidence. The framework attaches them and this
// package reads them back; both use these names and the types below.
const (
	EntryTranscript  = "transcript"
	EntryScreenshots = "screenshots"
	EntryPayments    = "payments"
	// EntryObservations holds the exact values a real target answered where the
	// evidence fixes only the documented group.
	EntryObservations = "observations"
	// EntryAnswers holds how the target answered the situations of the claims a spec
	// checked ([]twin.Answer), and EntryReturns the parameter names of each return
	// to the shopperResultUrl ([][]string): what a run calibrates a twin from.
	EntryAnswers = "answers"
	EntryReturns = "returns"
	// EntryStuckPage describes the page a shopper's browser could not go on from.
	EntryStuckPage = "stuck-page"
	// EntrySandboxStats is added by each Ginkgo process's AfterSuite when it ran the
	// embedded sandbox; make bench reads it.
	EntrySandboxStats = "sandbox-stats"
	// EntryFailure records, with each failure the framework raises, whose fault it is
	// (a Failure): the kind travels as data, never inside the message.
	EntryFailure = "failure"
	// EntryNotDeclared records why a spec was skipped for a capability the account has
	// not declared (a NotDeclared); the verdict lists those as not verified.
	EntryNotDeclared = "not-declared"
)

// Failure is the EntryFailure entry: the kind of one failure and the message it was
// raised with, which tells it from the spec's other failures (a timeout Ginkgo
// raised itself has no entry, and is the contract's).
type Failure struct {
	Kind    outcome.Kind `json:"kind"`
	Message string       `json:"message"`
}

// NotDeclared is the EntryNotDeclared entry: the capability a spec needs and how to
// declare it.
type NotDeclared struct {
	Capability string `json:"capability"`
	Reason     string `json:"reason"`
}

// EnvironmentPrefix starts the message of an environment failure, for the human
// reading the console, junit.xml or a report: no code decides by it; the kind is in
// the spec's EntryFailure entry.
const EnvironmentPrefix = "[environment] "

// SandboxStats is one process's embedded sandbox load over a run.
type SandboxStats struct {
	Requests int64   `json:"requests"`
	BusyMs   float64 `json:"busyMs"`
}

// Certification is the content of certification.json.
type Certification struct {
	Meta    Meta   `json:"meta"`
	Verdict string `json:"verdict"`
	// Reason says in one line why the verdict is what it is.
	Reason string `json:"reason"`
	// ExitCode is the runner's exit code for this verdict.
	ExitCode outcome.ExitCode `json:"exitCode"`
	Counts   Counts           `json:"counts"`
	// BuildNumber is the buildNumber of the first reply found in the transcripts.
	BuildNumber string    `json:"buildNumber,omitempty"`
	Suite       string    `json:"suite"`
	Started     time.Time `json:"started"`
	Ended       time.Time `json:"ended"`
	DurationMs  int64     `json:"durationMs"`
	// NotVerified lists, per capability the account has not declared, how many specs
	// were skipped for it and how to declare it.
	NotVerified []NotVerified `json:"notVerified,omitempty"`
	// Changes is what changed since the baseline run, when one was given.
	Changes *Changes `json:"changes,omitempty"`
	// History is this run and those before it, carried from the baseline's report.
	History *History     `json:"history,omitempty"`
	Specs   []SpecResult `json:"specs"`
}

// NotVerified is a capability the run could not verify because the account did not
// declare it.
type NotVerified struct {
	Capability string `json:"capability"`
	Specs      int    `json:"specs"`
	Reason     string `json:"reason"`
}

// Counts counts the specs of a run by outcome. Failures of suite nodes (BeforeSuite,
// ...) count as failures of their kind but not as specs.
type Counts struct {
	// Specs is every spec the run knew; Ran those that ran (passed or failed).
	Specs int `json:"specs"`
	Ran   int `json:"ran"`
	// Passed, Contract and Environment count outcomes, suite node failures included.
	Passed      int `json:"passed"`
	Contract    int `json:"contractFailures"`
	Environment int `json:"environmentFailures"`
	// Skipped counts specs skipped for a reason they state (a capability the account
	// did not declare, a brand it lacks); NotSelected those the label filter left
	// out (LABELS, a shard, simulator-only on a real target).
	Skipped     int `json:"skipped"`
	NotSelected int `json:"notSelected"`
	// Setup names the suite setup node that failed (BeforeSuite...), if one did: no
	// spec ran then.
	Setup string `json:"setup,omitempty"`
	// Drift names, comma-separated, the kinds of change since the baseline that
	// FAIL_ON_DRIFT turns into a failure; Judge counts them as a contract failure.
	// A string keeps Counts comparable.
	Drift string `json:"drift,omitempty"`
}

// SpecResult is one spec in certification.json.
type SpecResult struct {
	// ID is the conformance ID, empty for specs that are not conformance specs.
	ID string `json:"id"`
	// Must is the MUST statement; the full spec text when there is no ID.
	Must   string   `json:"must"`
	Labels []string `json:"labels"`
	Brand  string   `json:"brand,omitempty"`
	Flow   string   `json:"flow,omitempty"`
	State  string   `json:"state"`
	// FailureKind is contract, environment or empty when the spec did not fail.
	FailureKind outcome.Kind `json:"failureKind"`
	Message     string       `json:"message"`
	DurationMs  int64        `json:"durationMs"`
	Payments    []Payment    `json:"payments"`
	// Evidence is the grade of what the spec asserts (recorded, documented,
	// simulator) and EvidenceSource where it comes from.
	Evidence       string `json:"evidence,omitempty"`
	EvidenceSource string `json:"evidenceSource,omitempty"`
	// Observations are exact values a real target answered where the evidence fixes
	// only the documented group.
	Observations []Observation `json:"observations,omitempty"`
	// notDeclared is the capability a skipped spec needed, from its EntryNotDeclared;
	// the run's NotVerified lists it.
	notDeclared *NotDeclared
}

// Observation is an exact value a real target answered where public evidence fixes only
// the documented group: the spec passed on the group, and a reader learns what this
// account does (the nightly comparison can watch it).
type Observation struct {
	Claim    string   `json:"claim"`
	Expected []string `json:"expected"`
	Seen     string   `json:"seen"`
	Grade    string   `json:"grade"`
	Source   string   `json:"source"`
	Note     string   `json:"note,omitempty"`
}

// Payment is a transaction a spec created: the payments entry, for a reviewer to find
// in the backoffice.
type Payment struct {
	ID                    string `json:"id"`
	PaymentType           string `json:"paymentType"`
	Brand                 string `json:"brand,omitempty"`
	MerchantTransactionID string `json:"merchantTransactionId,omitempty"`
	Code                  string `json:"code"`
	Group                 string `json:"group"`
}

// Shot is one browser screenshot of the screenshots entry. The image is a JPEG file
// relative to the report directory (File), kept beside the reports so that junit.xml
// and report.json stay small; JPEG holds it once loaded for the HTML.
type Shot struct {
	Step string    `json:"step"`
	URL  string    `json:"url"`
	At   time.Time `json:"at"`
	File string    `json:"file,omitempty"`
	JPEG []byte    `json:"jpeg,omitempty"`
}

// StuckPage is the page a shopper's browser could not go on from, as the report shows
// it to a user who adds its page script: the screenshot (File, relative to the report
// directory, as a Shot's), the page's forms, fields and controls, and a draft script.
type StuckPage struct {
	URL      string         `json:"url"`
	Title    string         `json:"title"`
	File     string         `json:"file,omitempty"`
	JPEG     []byte         `json:"jpeg,omitempty"`
	Forms    []StuckForm    `json:"forms,omitempty"`
	Inputs   []StuckInput   `json:"inputs,omitempty"`
	Controls []StuckControl `json:"controls,omitempty"`
	// Draft is a page scripts file (JSON) for the page.
	Draft string `json:"draft"`
}

// StuckForm is a form of a stuck page.
type StuckForm struct{ Action, Method, Selector string }

// StuckInput is a field of a stuck page; Value is empty for secret fields.
type StuckInput struct {
	Name, Type, Value, Selector string
	Required                    bool
}

// StuckControl is a button, link or clickable element of a stuck page.
type StuckControl struct{ Text, Selector string }

// specDetail is the evidence of one spec that only the HTML shows.
type specDetail struct {
	Anchor    string
	Node      string // non-empty for a suite node (BeforeSuite...) failure
	Location  string
	Started   time.Time
	Exchanges []oppwa.Exchange
	Shots     []Shot
	Stuck     *StuckPage
	// Answers and Returns are the spec's EntryAnswers and EntryReturns.
	Answers []twin.Answer
	Returns [][]string
	// Notes are evidence entries that could not be read; shown, never fatal.
	Notes []string
}

// build turns a Ginkgo report into the summary and the per-spec evidence.
func build(r types.Report, meta Meta) (Certification, []specDetail) {
	c := Certification{
		Meta: meta, Suite: r.SuiteDescription,
		Started: r.StartTime.UTC(), Ended: r.EndTime.UTC(), DurationMs: durationMs(r.RunTime),
		Specs: []SpecResult{},
	}
	var details []specDetail
	for _, sr := range r.SpecReports {
		isSpec := sr.LeafNodeType == types.NodeTypeIt
		if !isSpec && !sr.State.Is(types.SpecStateFailureStates) {
			continue // a passing BeforeSuite or ReportAfterSuite is no evidence
		}
		s, d := specOf(sr)
		if !isSpec {
			d.Node = sr.LeafNodeType.String()
		}
		c.Counts.add(s, isSpec, d.Node)
		c.Specs = append(c.Specs, s)
		details = append(details, d)
	}
	// Suite-level failures Ginkgo reports without a node (an interrupted run, a
	// program-wide timeout) still make the run unverified.
	if !r.SuiteSucceeded && c.Counts.Contract == 0 && c.Counts.Environment == 0 && len(r.SpecialSuiteFailureReasons) > 0 {
		s := SpecResult{Must: "suite", State: "failed", FailureKind: outcome.Environment,
			Message: EnvironmentPrefix + strings.Join(r.SpecialSuiteFailureReasons, "; "), Labels: []string{}, Payments: []Payment{}}
		c.Specs = append(c.Specs, s)
		details = append(details, specDetail{Node: "Suite"})
		c.Counts.Environment++
	}
	sortSpecs(c.Specs, details)
	assignAnchors(c.Specs, details)
	c.BuildNumber = firstBuildNumber(details)
	c.NotVerified = notVerified(c.Specs)
	c.Rejudge()
	return c, details
}

// add counts one spec or failed suite node.
func (c *Counts) add(s SpecResult, isSpec bool, node string) {
	switch {
	case s.State == types.SpecStatePassed.String():
		c.Passed++
	case s.FailureKind == outcome.Contract:
		c.Contract++
	case s.FailureKind == outcome.Environment:
		c.Environment++
	case s.Message == "":
		// Ginkgo reports a spec its label filter left out as skipped, without a reason.
		c.NotSelected++
	default:
		c.Skipped++
	}
	switch {
	case isSpec:
		c.Specs++
		if s.FailureKind != "" || s.State == types.SpecStatePassed.String() {
			c.Ran++
		}
	case strings.Contains(node, "BeforeSuite") && c.Setup == "":
		c.Setup = node
	}
}

// compareWithBaseline adds to c what changed since the baseline meta names, if any,
// and judges c again: kinds FAIL_ON_DRIFT names count against the verdict.
func compareWithBaseline(c *Certification, fp Fingerprint) {
	if c.Meta.Baseline == "" {
		return
	}
	ch := CompareWithBaseline(c.Meta.Baseline, fp)
	ch.Failing = ch.FailingKinds(c.Meta.FailOnDrift)
	c.Changes, c.Counts.Drift = &ch, strings.Join(ch.Failing, ",")
	c.Rejudge()
}

// Rejudge sets the verdict, reason and exit code from the counts (through Judge) and
// names what the account did not declare.
func (c *Certification) Rejudge() {
	c.Verdict, c.Reason, c.ExitCode = Judge(c.Counts)
	if len(c.NotVerified) > 0 {
		c.Reason += fmt.Sprintf("; not verified: %d capability(ies) the account did not declare", len(c.NotVerified))
	}
}

// Summarize is the certification of a Ginkgo report: the same counts, verdict and exit
// code that certification.json and index.html show, for the runner's terminal line.
func Summarize(r types.Report, meta Meta) Certification {
	c, _ := build(r, meta)
	return c
}

func specOf(sr types.SpecReport) (SpecResult, specDetail) {
	meta := MetaOf(sr.Labels())
	labels := sr.Labels()
	if labels == nil {
		labels = []string{}
	}
	s := SpecResult{
		ID: meta.ID, Must: sr.LeafNodeText, Labels: labels, Brand: meta.Brand, Evidence: meta.Evidence,
		State: sr.State.String(), DurationMs: durationMs(sr.RunTime), Payments: []Payment{},
	}
	if s.ID == "" {
		s.Must = strings.TrimSpace(strings.Join(append(slices.Clone(sr.ContainerHierarchyTexts), sr.LeafNodeText), " "))
	}
	if ev, ok := fixtures.LoadEvidence().Spec(meta.ID, meta.Brand); ok {
		s.EvidenceSource = ev.Source
	}
	if sr.LeafNodeType == types.NodeTypeIt {
		s.Flow = meta.Flow
		if s.Flow == "" {
			s.Flow = "other"
		}
	}
	if sr.State.Is(types.SpecStateFailureStates) {
		s.Message = sr.Failure.Message
		if s.Message == "" {
			s.Message = sr.State.String()
		}
	}
	if sr.State == types.SpecStateSkipped {
		// The skip's reason: why this spec verified nothing.
		s.Message = sr.Failure.Message
	}
	d := specDetail{Started: sr.StartTime}
	if sr.State.Is(types.SpecStateFailureStates) && sr.Failure.Location.FileName != "" {
		d.Location = fmt.Sprintf("%s:%d", sr.Failure.Location.FileName, sr.Failure.Location.LineNumber)
	}
	var failures []Failure
	for _, e := range sr.ReportEntries {
		if err := readEntry(e, &s, &d, &failures); err != nil {
			d.Notes = append(d.Notes, fmt.Sprintf("report entry %q is unreadable: %v", e.Name, err))
		}
	}
	if sr.State.Is(types.SpecStateFailureStates) {
		s.FailureKind = failureKind(sr, failures)
	}
	return s, d
}

// readEntry reads one of a spec's entries into its result, its details or the
// failures the framework recorded.
func readEntry(e types.ReportEntry, s *SpecResult, d *specDetail, failures *[]Failure) error {
	var err error
	switch e.Name {
	case EntryFailure:
		var f Failure
		if err = decodeEntry(e, &f); err == nil {
			*failures = append(*failures, f)
		}
	case EntryNotDeclared:
		var nd NotDeclared
		if err = decodeEntry(e, &nd); err == nil {
			s.notDeclared = &nd
		}
	case EntryTranscript:
		var xs []oppwa.Exchange
		if err = decodeEntry(e, &xs); err == nil {
			d.Exchanges = append(d.Exchanges, xs...)
		}
	case EntryScreenshots:
		var ss []Shot
		if err = decodeEntry(e, &ss); err == nil {
			d.Shots = append(d.Shots, ss...)
		}
	case EntryStuckPage:
		var sp StuckPage
		if err = decodeEntry(e, &sp); err == nil {
			d.Stuck = &sp
		}
	case EntryAnswers:
		var as []twin.Answer
		if err = decodeEntry(e, &as); err == nil {
			d.Answers = append(d.Answers, as...)
		}
	case EntryReturns:
		var rs [][]string
		if err = decodeEntry(e, &rs); err == nil {
			d.Returns = append(d.Returns, rs...)
		}
	case EntryObservations:
		var obs []Observation
		if err = decodeEntry(e, &obs); err == nil {
			s.Observations = append(s.Observations, obs...)
		}
	case EntryPayments:
		var ps []Payment
		if err = decodeEntry(e, &ps); err == nil {
			for _, p := range ps {
				if p.Group == "" && p.Code != "" {
					p.Group = fixtures.Load().GroupName(p.Code)
				}
				s.Payments = append(s.Payments, p)
			}
		}
	}
	return err
}

// failureKind tells whose fault a failed spec is: the kind the framework recorded
// with the failure Ginkgo kept as the spec's (see EntryFailure); an interrupted run is
// the environment's; anything else that failed (a Gomega assertion, a timeout) is the
// contract's. The report and the runner's exit code both use it.
func failureKind(sr types.SpecReport, recorded []Failure) outcome.Kind {
	if sr.State == types.SpecStateInterrupted {
		return outcome.Environment
	}
	for _, f := range recorded {
		if f.Message == sr.Failure.Message {
			return f.Kind
		}
	}
	return outcome.Contract
}

// decodeEntry decodes a report entry's value from its JSON form. Entries from other
// Ginkgo processes exist only as JSON; entries of this process were never encoded, so
// Ginkgo's own encoder is asked for the same JSON first.
func decodeEntry(e types.ReportEntry, v any) error {
	js := e.Value.AsJSON
	if js == "" {
		b, err := json.Marshal(e.Value)
		if err != nil {
			return err
		}
		var w struct{ AsJSON string }
		if err := json.Unmarshal(b, &w); err != nil {
			return err
		}
		js = w.AsJSON
	}
	return json.Unmarshal([]byte(js), v)
}

// flowTitles are the matrix's column titles; a flow without one shows its label.
var flowTitles = map[string]string{
	"workflow": "Workflow", "async-approve": "Async approve", "async-cancel": "Async cancel",
	"async-pending": "Async pending", "3ds": "3DS", "backoffice-refusal": "Backoffice refusal",
	"auth": "Auth", "format": "Format", "card-check": "Card check", "decline": "Decline",
	"reporting": "Reporting", "other": "Other", "registration": "Registration", "recurring": "Recurring",
}

var flowHints = map[string]string{
	"PA": "preauthorization", "DB": "debit", "CD": "credit", "CP": "capture", "RF": "refund", "RV": "reversal",
	"registration": "registration tokens", "recurring": "standing instructions (card on file)",
	"workflow": "the brand's documented workflow", "3ds": "3-D Secure",
}

func flowTitle(k string) string {
	if t, ok := flowTitles[k]; ok {
		return t
	}
	return k
}

// FlowOrder orders flows the way a payment's life runs, refusals and reports last;
// the matrix and the catalogue both use it.
var FlowOrder = []string{"PA", "DB", "CD", "CP", "RF", "RV", "registration", "recurring", "workflow", "async-approve",
	"async-cancel", "async-pending", "3ds", "webhook", "backoffice-refusal", "auth", "format", "card-check", "decline", "reporting"}

// FlowRank is a flow's place in FlowOrder; unknown flows come after.
func FlowRank(k string) int {
	if i := slices.Index(FlowOrder, k); i >= 0 {
		return i
	}
	return len(FlowOrder)
}

func sortSpecs(specs []SpecResult, details []specDetail) {
	idx := make([]int, len(specs))
	for i := range idx {
		idx[i] = i
	}
	// Suite node failures first (they explain everything after), then by ID, so the
	// report reads the same whatever order the randomized run took.
	key := func(i int) string {
		if details[i].Node != "" {
			return "0" + details[i].Node
		}
		if specs[i].ID == "" {
			return "2" + specs[i].Must
		}
		return "1" + specs[i].ID
	}
	sort.SliceStable(idx, func(a, b int) bool { return key(idx[a]) < key(idx[b]) })
	s2, d2 := slices.Clone(specs), slices.Clone(details)
	for i, j := range idx {
		specs[i], details[i] = s2[j], d2[j]
	}
}

// assignAnchors gives each spec its ID as anchor, so links like index.html#S2S-PA-VISA
// can be pasted into tickets; specs without an ID, and duplicates, get a numbered one.
func assignAnchors(specs []SpecResult, details []specDetail) {
	used := map[string]bool{}
	for i := range specs {
		a := specs[i].ID
		if a == "" || used[a] || strings.ContainsAny(a, " \t\n") {
			a = fmt.Sprintf("spec-%d", i+1)
		}
		used[a] = true
		details[i].Anchor = a
	}
}

// firstBuildNumber is the platform build the run saw: the buildNumber of the earliest
// reply in the transcripts.
func firstBuildNumber(details []specDetail) string {
	best, bestAt := "", time.Time{}
	for _, d := range details {
		for _, x := range d.Exchanges {
			if !bestAt.IsZero() && !x.Started.Before(bestAt) {
				continue
			}
			var v struct {
				BuildNumber string `json:"buildNumber"`
			}
			if json.Unmarshal([]byte(x.ResponseBody), &v) == nil && v.BuildNumber != "" {
				best, bestAt = v.BuildNumber, x.Started
				if bestAt.IsZero() {
					return best
				}
			}
		}
	}
	return best
}

// Judge turns a run's counts into its verdict, a one-line reason and the exit code.
// A broken promise is a FAIL whatever else happened; environment failures beside it
// are listed, not allowed to soften it. Drift that FAIL_ON_DRIFT names counts as a
// broken promise.
func Judge(c Counts) (verdict, reason string, exit outcome.ExitCode) {
	switch {
	case c.Contract > 0 || c.Drift != "":
		var parts []string
		if c.Contract > 0 {
			parts = append(parts, fmt.Sprintf("%d contract failure(s): the integration does not meet the documented contract", c.Contract))
		}
		if c.Drift != "" {
			parts = append(parts, "FAIL_ON_DRIFT: the platform changed since the baseline ("+strings.ReplaceAll(c.Drift, ",", ", ")+")")
		}
		if c.Environment > 0 {
			parts = append(parts, fmt.Sprintf("%d environment failure(s) left part of it unverified", c.Environment))
		}
		return VerdictFail, strings.Join(parts, "; "), outcome.ExitContract
	case c.Environment > 0 && c.Setup != "" && c.Ran == 0:
		return VerdictInconclusive, fmt.Sprintf("suite setup (%s) failed, so no spec ran: fix the environment and rerun", c.Setup), outcome.ExitEnvironment
	case c.Environment > 0:
		return VerdictInconclusive, fmt.Sprintf("%d environment failure(s): part of the contract was not verified; fix the environment and rerun", c.Environment), outcome.ExitEnvironment
	case c.Passed == 0:
		return VerdictInconclusive, "no spec ran: nothing was verified (check LABELS and OPPWA_BRANDS)", outcome.ExitConfig
	default:
		return VerdictPass, fmt.Sprintf("all %d specs that ran passed", c.Passed), outcome.ExitPass
	}
}

// maxBody bounds each body shown in the HTML; the full bodies stay in report.json.
const maxBody = 64 << 10

// prettyBody indents JSON and puts each form parameter on its own line.
func prettyBody(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	out := s
	var buf bytes.Buffer
	if (s[0] == '{' || s[0] == '[') && json.Indent(&buf, []byte(s), "", "  ") == nil {
		out = buf.String()
	} else if !strings.ContainsAny(s, " \n<") && strings.Contains(s, "=") {
		var lines []string
		for _, kv := range strings.Split(s, "&") {
			k, v, _ := strings.Cut(kv, "=")
			if uk, err := url.QueryUnescape(k); err == nil {
				k = uk
			}
			if uv, err := url.QueryUnescape(v); err == nil {
				v = uv
			}
			lines = append(lines, k+"="+v)
		}
		out = strings.Join(lines, "\n")
	}
	if len(out) > maxBody {
		out = strings.ToValidUTF8(out[:maxBody], "") + fmt.Sprintf("\n… %d more bytes, see report.json", len(out)-maxBody)
	}
	return out
}

// shellQuote renders the command line so it can be pasted back into a shell.
func shellQuote(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if a != "" && strings.Trim(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:=@%+,-") == "" {
			q[i] = a
		} else {
			q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(q, " ")
}

func fmtDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "0s"
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	default:
		return d.Round(10 * time.Millisecond).String()
	}
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// notVerified groups the specs skipped for an undeclared capability.
func notVerified(specs []SpecResult) []NotVerified {
	var out []NotVerified
	index := map[string]int{}
	for _, s := range specs {
		nd := s.notDeclared
		if nd == nil || s.State != "skipped" {
			continue
		}
		i, seen := index[nd.Capability]
		if !seen {
			i = len(out)
			index[nd.Capability] = i
			out = append(out, NotVerified{Capability: nd.Capability, Reason: nd.Reason})
		}
		out[i].Specs++
	}
	return out
}

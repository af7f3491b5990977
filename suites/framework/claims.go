package framework

import (
	"context"
	"fmt"
	"slices"

	. "github.com/onsi/ginkgo/v2" //nolint:revive
	. "github.com/onsi/gomega"    //nolint:revive

	"github.com/oppwa-conformance/oppwa-conformance/config"
	"github.com/oppwa-conformance/oppwa-conformance/drivers/oppwa"
	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	"github.com/oppwa-conformance/oppwa-conformance/reports"
	"github.com/oppwa-conformance/oppwa-conformance/twin"
)

// claim returns the named claim of fixtures/claims.json; a missing one is a defect of
// the suites, reported as such.
func claim(name string) fixtures.Claim {
	GinkgoHelper()
	c, ok := fixtures.LoadEvidence().Claim(name)
	if !ok {
		FailHandler(fmt.Sprintf("suite defect: claim %q is not in fixtures/claims.json", name))
	}
	return c
}

// strict says whether a claim's exact values apply: on an ungraded run (the embedded
// sandbox, so make mutation keeps its power), and wherever public evidence fixes them.
func strict(c fixtures.Claim) bool { return !Graded() || c.Grade.Fixes() }

// Graded says whether the run holds the target only to what public evidence fixes:
// a real account, or the embedded sandbox run as one.
func Graded() bool { return !Config().Embedded() || Config().SandboxGraded }

// required says whether field must be checked in reply m: when m carries it, when no
// shape claim is named or the claim does not list field, and where a claim graded
// simulator is held exactly (the sandbox shows the field by its own choice). A shape
// claim graded recorded fixes that the field may be absent, on any target: the embedded
// sandbox answers as recorded, so there too the field is checked only when present.
func required(m map[string]any, field, shape string) bool {
	GinkgoHelper()
	if _, ok := m[field]; ok || shape == "" {
		return true
	}
	c := claim(shape)
	if !slices.Contains(c.Fields, field) {
		return true
	}
	return !c.Grade.Fixes() && strict(c)
}

// ExpectClaim asserts r's result code as the named claim allows: one of its exact codes
// where strict, else a code of its documented group, the exact code seen then kept as
// an observation for the report. Either way the request must not have succeeded.
func (s *Spec) ExpectClaim(name string, r *oppwa.Response) {
	GinkgoHelper()
	c := claim(name)
	code := r.Payment.Result.Code
	s.answer(c, "", r)
	ExpectNoSuccess(r)
	if strict(c) {
		ExpectCode(code, c.Exact...)
		if len(c.HTTPStatus) > 0 {
			Expect(r.HTTPStatus).To(BeElementOf(c.HTTPStatus), "%s answers HTTP %v", c.Name, c.HTTPStatus)
		}
		return
	}
	Expect(c.MatchesGroup(code)).To(BeTrue(), "result.code %s (%s) is outside the documented %s for %s", code, fixtures.Load().GroupName(code), c.Group, c.Name)
	if !slices.Contains(c.Exact, code) {
		s.Observe(c, code, "")
	}
}

// ExpectParameterClaim asserts a format refusal naming param, as the named claim
// allows: where strict, HTTP 400, 200.300.404 and a parameterErrors entry for param;
// on a real target otherwise also a code of the claim's group, a parameter error naming
// one of its alternatives, or (when the claim says the parameter may be optional)
// an accepted payment, each kept as an observation.
func (s *Spec) ExpectParameterClaim(name string, r *oppwa.Response, param string) {
	GinkgoHelper()
	c := claim(name)
	code := r.Payment.Result.Code
	s.answer(c, param, r)
	if strict(c) {
		ExpectNoSuccess(r)
		ExpectParameterError(r, param)
		return
	}
	if c.MayBeAccepted && fixtures.Load().OutcomeOf(code) == fixtures.Success {
		s.Observe(c, code, "accepted without "+param+": the parameter is optional for this account")
		return
	}
	ExpectNoSuccess(r)
	Expect(c.MatchesGroup(code)).To(BeTrue(), "result.code %s (%s) is outside the documented %s for %s", code, fixtures.Load().GroupName(code), c.Group, c.Name)
	if code != ParameterErrorCode() {
		s.Observe(c, code, "")
		return
	}
	named := parameterNames(r)
	want := append([]string{param}, c.AlsoParameters...)
	Expect(named).To(ContainElement(BeElementOf(want)), "result.parameterErrors names %v, want one of %v", named, want)
	if !slices.Contains(named, param) {
		s.Observe(c, code, fmt.Sprintf("parameterErrors name %v instead of %s", named, param))
	}
}

// ExpectForcedCode asserts the answer to customParameters[forceResultCode]=code: that
// code on an ungraded run and for the forced codes a recording shows echoed; elsewhere
// a rejection, a different code being kept as an observation.
func (s *Spec) ExpectForcedCode(code string, r *oppwa.Response) {
	GinkgoHelper()
	c := claim("forced-result-code")
	got := r.Payment.Result.Code
	if !Graded() || slices.Contains(c.Exact, code) {
		Expect(got).To(Equal(code), "the forced result code was not answered")
		return
	}
	ExpectOutcome(got, fixtures.Rejected)
	if got != code {
		c.Exact = []string{code}
		s.Observe(c, got, "the forced code was not echoed")
	}
}

// ExpectForcedRejectionID asserts the id of a forced rejection as the claim
// forced-rejection-id allows: a 32-hex id when present. A recording shows a forced
// rejection without id (and the embedded sandbox answers so); the merchant then finds
// the payment by its merchantTransactionId (mtid) in the transaction reports, which
// must not show it as a success. An account that may not read them leaves that not
// verified, and says so.
func (s *Spec) ExpectForcedRejectionID(ctx context.Context, r *oppwa.Response, mtid string) {
	GinkgoHelper()
	const name = "forced-rejection-id"
	if required(r.JSON, "id", name) {
		Expect(r.JSON["id"]).To(BeAssignableToTypeOf(""), "id missing or not a string")
		Expect(r.JSON["id"]).To(MatchRegexp(oppwa.IDPattern.String()), "id is not 32 lowercase hex")
		return
	}
	c := claim(name)
	c.Exact = c.Fields
	if !Config().Has(config.Reporting) {
		s.Observe(c, "absent", "no id, as recorded: whether the payment was booked as a rejection is not verified without OPPWA_REPORTING=yes")
		return
	}
	q, err := s.Client.QueryByMerchantTransactionID(ctx, mtid)
	s.NoError(err, "GET /v1/query?merchantTransactionId= of the forced rejection")
	for _, p := range q.Payments {
		Expect(fixtures.Load().OutcomeOf(p.Result.Code)).NotTo(Equal(fixtures.Success),
			"the transaction report shows the forced rejection's payment %s as a success (%s)", p.ID, p.Result.Code)
	}
	if !Graded() {
		// The embedded sandbox keeps every payment it answered: its report must list
		// this one, so the lookup path a real account relies on stays proven.
		codes := make([]string, 0, len(q.Payments))
		for _, p := range q.Payments {
			codes = append(codes, p.Result.Code)
		}
		Expect(codes).To(ContainElement(r.Payment.Result.Code), "the transaction report for the forced rejection's merchantTransactionId does not list it")
		return
	}
	s.Observe(c, "absent", fmt.Sprintf("no id, as recorded: the transaction report lists %d payment(s) for its merchantTransactionId, none a success", len(q.Payments)))
}

// answer keeps how the target answered claim c's situation (about param, when the
// spec names one), for the account twin: code, description, HTTP status and the
// parameter errors' names and messages, never their values. The texts pass the
// redactor, as the transcripts do: a platform's message could quote what was sent.
// Only a run that calibrates a twin keeps them.
func (s *Spec) answer(c fixtures.Claim, param string, r *oppwa.Response) {
	if !calibrates() {
		return
	}
	res, red := r.Payment.Result, s.Client.Redactor()
	a := twin.Answer{Claim: c.Name, Param: param, Code: res.Code, Description: red.Redact(res.Description), HTTPStatus: r.HTTPStatus,
		Accepted: fixtures.Load().OutcomeOf(res.Code) == fixtures.Success}
	for _, pe := range res.ParameterErrors {
		a.ParameterErrors = append(a.ParameterErrors, twin.ParamError{Name: pe.Name, Message: red.Redact(pe.Message)})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answers = append(s.answers, a)
}

// Observe keeps, for the report, an exact value a real target answered where the
// evidence fixes only the group: not a failure, but worth a reader's eye.
func (s *Spec) Observe(c fixtures.Claim, seen, note string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := reports.Observation{Claim: c.Name, Expected: c.Exact, Seen: seen, Grade: string(c.Grade), Source: c.Source, Note: note}
	if cal := Config().Twin; cal != nil {
		if a, ok := cal.Answer(c.Name); ok && a.Code == seen {
			// The twin answered as its account did: this run's evidence is that run.
			o.Grade = "recorded (this account, " + cal.Run.Date.UTC().Format("2006-01-02") + ")"
			o.Source = "twin.json of " + cal.Label()
		}
	}
	s.observations = append(s.observations, o)
}

// ExpectNoSuccess asserts that a request the platform must refuse created no
// successful payment.
func ExpectNoSuccess(r *oppwa.Response) {
	GinkgoHelper()
	Expect(fixtures.Load().OutcomeOf(r.Payment.Result.Code)).NotTo(Equal(fixtures.Success),
		"a request the platform must refuse was answered with success (%s)", r.Payment.Result.Code)
}

func parameterNames(r *oppwa.Response) []string {
	names := make([]string, 0, len(r.Payment.Result.ParameterErrors))
	for _, pe := range r.Payment.Result.ParameterErrors {
		names = append(names, pe.Name)
	}
	return names
}

// Requires skips the spec when the account has not declared capability c; the report
// lists such specs as not verified, with how to declare it.
func Requires(c config.Capability) {
	if !Config().Has(c) {
		SkipNotDeclared(string(c), "the account has not declared it; set "+c.Declaration()+" if it has")
	}
}

// SkipNotDeclared skips the spec for a capability the run cannot check without more
// configuration; the verdict lists it under "not verified" with reason, read from the
// spec's EntryNotDeclared entry (the skip message is for humans only).
func SkipNotDeclared(capability, reason string) {
	GinkgoHelper()
	AddReportEntry(reports.EntryNotDeclared, reports.NotDeclared{Capability: capability, Reason: reason}, ReportEntryVisibilityNever)
	Skip("[not declared] " + capability + ": " + reason)
}

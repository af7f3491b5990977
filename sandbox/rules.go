package sandbox

import (
	"fmt"
	"slices"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	"github.com/oppwa-conformance/oppwa-conformance/sandbox/hook"
)

// The backoffice state machine as data: fixtures/rules.json names the rules, their
// order and codes; the checks below implement them.

// stateRule is one rule of the backoffice state machine: when refuses holds for
// operation op on reference ref (nil when unknown or another entity's), op is answered
// with code. An operation's rules are tried in order, so each may rely on the ones
// before it (a known, successful reference); the first refusal answers.
type stateRule struct {
	name    string
	code    string
	refuses func(outcomeOf func(string) fixtures.Outcome, op, ref *payment) bool
}

// The rules' names, by which modes waive a rule or change its code.
const (
	ruleCaptureNeedsKnownPA      = "capture needs a known PA"
	ruleReferenceFinal           = "the reference must be final"
	ruleCaptureNeedsSuccessfulPA = "capture needs a successful PA"
	ruleSameCurrency             = "same currency as the reference"
	ruleNoCaptureOfReversed      = hook.RuleNoCaptureOfReversed
	ruleCaptureWithinPA          = "captures stay within the PA's amount"
	rulePositiveAmount           = "a positive amount"
	ruleRefundNeedsKnown         = "refund needs a known payment"
	ruleRefundNeedsSuccessful    = "refund needs a successful CP, DB or PA.CP"
	ruleNoRefundOfReversed       = "a reversed payment cannot be refunded"
	ruleRefundWithinVolume       = hook.RuleRefundWithinVolume
	ruleReversalNeedsKnown       = "reversal needs a known payment"
	ruleReversalNeedsSuccessful  = "reversal needs a successful PA, DB, CP or PA.CP"
	ruleReverseOnce              = "no reversal once reversed, captured or refunded"
)

// backofficeChecks implement the checks fixtures/rules.json's backoffice rules name:
// each returns whether the rule refuses op on ref. The rules' order, names and codes
// are data; types are the rule's reference paymentTypes.
var backofficeChecks = map[string]func(types []string) func(outcomeOf func(string) fixtures.Outcome, op, ref *payment) bool{
	"reference-known": func([]string) func(func(string) fixtures.Outcome, *payment, *payment) bool { return noReference },
	"reference-final": func([]string) func(func(string) fixtures.Outcome, *payment, *payment) bool { return referencePending },
	"reference-successful": func(types []string) func(func(string) fixtures.Outcome, *payment, *payment) bool {
		return referenceNotSuccessful(types...)
	},
	"same-currency":          func([]string) func(func(string) fixtures.Outcome, *payment, *payment) bool { return currencyDiffers },
	"reference-not-reversed": func([]string) func(func(string) fixtures.Outcome, *payment, *payment) bool { return referenceReversed },
	"within-authorized":      func([]string) func(func(string) fixtures.Outcome, *payment, *payment) bool { return aboveAuthorized },
	"within-refundable":      func([]string) func(func(string) fixtures.Outcome, *payment, *payment) bool { return aboveRefundable },
	"reference-untouched":    func([]string) func(func(string) fixtures.Outcome, *payment, *payment) bool { return referenceTouched },
	"positive-amount":        func([]string) func(func(string) fixtures.Outcome, *payment, *payment) bool { return noAmount },
}

// backofficeRulesOf builds the state machine from the contract's backoffice rules, and
// the codes vary-refusal-codes answers by rule name.
func backofficeRulesOf(c *fixtures.Contract) (map[string][]stateRule, map[string]string, error) {
	rules := map[string][]stateRule{}
	varied := map[string]string{}
	for _, r := range c.Rules().Backoffice {
		check, ok := backofficeChecks[r.Check]
		if !ok {
			return nil, nil, fmt.Errorf("fixtures/rules.json: backoffice rule %q: the sandbox has no check %q", r.Rule, r.Check)
		}
		rules[r.Operation] = append(rules[r.Operation], stateRule{name: r.Rule, code: c.Code(r.Code), refuses: check(r.Types)})
		if r.VariedCode != "" {
			varied[r.Rule] = c.Code(r.VariedCode)
		}
	}
	return rules, varied, nil
}

func noReference(_ func(string) fixtures.Outcome, _, ref *payment) bool { return ref == nil }

func referencePending(outcomeOf func(string) fixtures.Outcome, _, ref *payment) bool {
	return outcomeOf(ref.code) == fixtures.Pending
}

func referenceNotSuccessful(types ...string) func(func(string) fixtures.Outcome, *payment, *payment) bool {
	return func(outcomeOf func(string) fixtures.Outcome, _, ref *payment) bool {
		return !slices.Contains(types, ref.paymentType) || outcomeOf(ref.code) != fixtures.Success
	}
}

func currencyDiffers(_ func(string) fixtures.Outcome, op, ref *payment) bool {
	return op.currency != ref.currency
}
func referenceReversed(_ func(string) fixtures.Outcome, _, ref *payment) bool { return ref.reversed }
func noAmount(_ func(string) fixtures.Outcome, op, _ *payment) bool           { return op.cents <= 0 }

func aboveAuthorized(_ func(string) fixtures.Outcome, op, ref *payment) bool {
	return ref.captured+op.cents > ref.cents
}
func aboveRefundable(_ func(string) fixtures.Outcome, op, ref *payment) bool {
	return ref.refunded+op.cents > ref.cents
}

// referenceTouched: a reversal is refused once the reference was reversed, captured
// or refunded.
func referenceTouched(_ func(string) fixtures.Outcome, _, ref *payment) bool {
	return ref.reversed || ref.refunded > 0 || ref.captured > 0
}

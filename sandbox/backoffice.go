package sandbox

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	"github.com/oppwa-conformance/oppwa-conformance/sandbox/hook"
)

// backoffice handles POST /v1/payments/{id}: capture (CP), refund (RF) and reversal
// (RV) of an earlier payment. Every attempt, accepted or not, is stored as its own
// transaction with a new id and referencedId pointing at the original, as the
// platform does.
func (s *Sandbox) backoffice(w http.ResponseWriter, entity, refID string, p params) {
	if perrs := validateBackoffice(p); len(perrs) > 0 {
		s.writeJSON(w, http.StatusBadRequest, s.errorBody(entity, codeParam, perrs))
		return
	}
	op := s.newPayment(entity, p)
	op.cents, op.riskScore, op.descriptor = -1, "0", backofficeDescriptor(op.descriptor)
	if a := p.get("amount"); a != "" {
		op.cents = parseAmount(a)
	}
	if cp := p.customParameters(); cp != nil {
		op.echo = document{{Key: "customParameters", Value: cp}}
	}

	var body document
	var code string
	s.store.update(func(tx *txn) {
		var ref *payment
		ref, op.referencedID = s.findPayment(tx, refID, entity)
		if ref != nil {
			s.expire(tx, ref)
		}
		if op.paymentType == "RV" && ref != nil {
			// A reversal voids the whole original: it echoes the original amount.
			op.cents, op.currency = ref.cents, ref.currency
		}
		natural := s.transition(tx, op, ref)
		op.code = natural
		if fc := p.custom("forceResultCode"); fc != "" {
			// A forced result changes the answer; the books move only when the state
			// machine allowed the operation and the forced answer is a success too.
			op.code = fc
		}
		if natural == codeSuccess && s.outcomeOf(op.code) == fixtures.Success {
			s.apply(tx, op, ref)
		}
		tx.put(op)
		body, code = s.renderPayment(tx, op, viewBackoffice, nil)
	})
	s.notifyPayment(s.writeJSON(w, s.httpStatus(code), body))
}

// stateRule is one rule of the backoffice state machine: when refuses holds for
// operation op on reference ref (nil when unknown or another entity's), op is answered
// with code. An operation's rules are tried in order, so each may rely on the ones
// before it (a known, successful reference); the first refusal answers.
type stateRule struct {
	name    string
	code    string
	refuses func(s *Sandbox, op, ref *payment) bool
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
var backofficeChecks = map[string]func(types []string) func(s *Sandbox, op, ref *payment) bool{
	"reference-known":        func([]string) func(*Sandbox, *payment, *payment) bool { return noReference },
	"reference-final":        func([]string) func(*Sandbox, *payment, *payment) bool { return referencePending },
	"reference-successful":   func(types []string) func(*Sandbox, *payment, *payment) bool { return referenceNotSuccessful(types...) },
	"same-currency":          func([]string) func(*Sandbox, *payment, *payment) bool { return currencyDiffers },
	"reference-not-reversed": func([]string) func(*Sandbox, *payment, *payment) bool { return referenceReversed },
	"within-authorized":      func([]string) func(*Sandbox, *payment, *payment) bool { return aboveAuthorized },
	"within-refundable":      func([]string) func(*Sandbox, *payment, *payment) bool { return aboveRefundable },
	"reference-untouched":    func([]string) func(*Sandbox, *payment, *payment) bool { return referenceTouched },
	"positive-amount":        func([]string) func(*Sandbox, *payment, *payment) bool { return noAmount },
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

func noReference(_ *Sandbox, _, ref *payment) bool { return ref == nil }

func referencePending(s *Sandbox, _, ref *payment) bool {
	return s.outcomeOf(ref.code) == fixtures.Pending
}

func referenceNotSuccessful(types ...string) func(*Sandbox, *payment, *payment) bool {
	return func(s *Sandbox, _, ref *payment) bool {
		return !slices.Contains(types, ref.paymentType) || s.outcomeOf(ref.code) != fixtures.Success
	}
}

func currencyDiffers(_ *Sandbox, op, ref *payment) bool  { return op.currency != ref.currency }
func referenceReversed(_ *Sandbox, _, ref *payment) bool { return ref.reversed }
func noAmount(_ *Sandbox, op, _ *payment) bool           { return op.cents <= 0 }

func aboveAuthorized(_ *Sandbox, op, ref *payment) bool { return ref.captured+op.cents > ref.cents }
func aboveRefundable(_ *Sandbox, op, ref *payment) bool { return ref.refunded+op.cents > ref.cents }

// referenceTouched: a reversal is refused once the reference was reversed, captured
// or refunded.
func referenceTouched(_ *Sandbox, _, ref *payment) bool {
	return ref.reversed || ref.refunded > 0 || ref.captured > 0
}

// transition returns the result code of op against ref by the backoffice rules; each
// refusal passes the backofficeRule hook point, which may waive it or change its code.
func (s *Sandbox) transition(tx *txn, op, ref *payment) string {
	for _, r := range s.stateRules[op.paymentType] {
		if !r.refuses(s, op, ref) {
			continue
		}
		decision := backofficeRule{Rule: r.name, Refused: true, Code: r.code, VariedCode: s.varied[r.name]}
		fire(s, &decision)
		if decision.Refused {
			return decision.Code
		}
	}
	return codeSuccess
}

// apply books a successful operation on its reference.
func (s *Sandbox) apply(tx *txn, op, ref *payment) {
	switch op.paymentType {
	case "CP":
		ref.captured += op.cents
	case "RF":
		ref.refunded += op.cents
	case "RV":
		ref.reversed = true
		if ref.paymentType == "CP" {
			// Reversing a capture gives its amount back to the authorisation.
			if pa := tx.byID[ref.referencedID]; pa != nil {
				pa.captured -= ref.cents
			}
		}
	}
}

// backofficeDescriptor is the descriptor of a capture, refund or reversal: recorded
// without the trailing space an initial payment's carries (real-platform.md §4).
func backofficeDescriptor(d string) string { return strings.TrimRight(d, " ") }

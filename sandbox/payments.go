package sandbox

import (
	"net/http"
	"slices"
	"strings"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
)

// createPayment handles POST /v1/payments: validate, decide the outcome, store, answer.
func (s *Sandbox) createPayment(w http.ResponseWriter, r *http.Request, entity string, p params) {
	if perrs := s.validateInitial(p); len(perrs) > 0 {
		s.writeJSON(w, http.StatusBadRequest, s.errorBody(entity, codeParam, perrs))
		return
	}
	brand, known := s.contract.Brand(p.get("paymentBrand"))
	pay := s.newPayment(entity, p)
	pay.brand = p.get("paymentBrand")
	pay.cents = parseAmount(p.get("amount"))
	pay.riskScore = "100"
	pay.resultURL = p.get("shopperResultUrl")
	if n := p.get("card.number"); n != "" && (!known || brand.Kind == "card") {
		pay.card = newCardView(p)
	}
	pay.echo = echoRequest(p)
	pay.tokenise = p.get("createRegistration") == "true"
	pay.siInitial = setsUpInitial(p)
	pay.code, pay.flow, pay.flowResult = s.decide(p, brand, known, pay)
	pay.forced = forcedCode(p, pay.code)
	if pay.flow != flowNone {
		if pay.resultURL == "" {
			// A redirect needs a way back to the shop; 3-D Secure cards ask for it only
			// here, since their brands list no shopperResultUrl.
			s.writeJSON(w, http.StatusBadRequest, s.errorBody(entity, codeParam,
				[]paramError{{Name: "shopperResultUrl", Message: msgEmpty}}))
			return
		}
		pay.session = newToken()
	}

	var body document
	var code string
	s.store.update(func(tx *txn) {
		tx.put(pay)
		s.tokenise(tx, pay)
		var redirect document
		if pay.flow != flowNone {
			redirect = s.redirectFor(r, pay, brand)
		}
		body, code = s.renderPayment(tx, pay, viewInitial, redirect)
	})
	sent := s.writeJSON(w, s.httpStatus(code), body)
	if pay.flow == flowNone {
		// A payment waiting for the shopper is notified when it ends (shopper.go).
		s.notifyPayment(sent)
	}
}

// decide returns the result of a well-formed initial payment, and the shopper flow it
// waits for when it is pending. The order mirrors the platform: request rules, card
// checks, the sandbox's forced result, then the brand's workflow and 3-D Secure.
func (s *Sandbox) decide(p params, brand fixtures.Brand, known bool, pay *payment) (code string, flow flowKind, flowResult string) {
	if c := amountRule(pay.cents, pay.currency); c != "" {
		return c, flowNone, ""
	}
	if needsInitial(p) {
		// A repeat with card data has no token holding its initial: it must name it.
		if c := s.refuseToken(ruleRepeatNeedsInitial, codeRegNoInitial); c != "" {
			return c, flowNone, ""
		}
	}
	if !known {
		if pay.card != nil {
			return codeBadBrand, flowNone, ""
		}
		return codeBadMethodBrand, flowNone, ""
	}
	if s.brands != nil && !s.brands[brand.Name] {
		// A documented brand the account has not enabled (Options.Brands).
		return codeNotConfigured, flowNone, ""
	}
	var card fixtures.Card
	documented := false
	if brand.Kind == "card" {
		card, documented = s.contract.CardByNumber(brand.Name, p.get("card.number"))
		if c := cardCheck(brand.Name, p, s.now(), documented); c != "" {
			return c, flowNone, ""
		}
	}
	if s.contract.Rules().ChecksIBAN(brand.Name) {
		if iban := p.get("bankAccount.iban"); iban != "" && !ibanValid(iban) {
			return codeLuhn, flowNone, ""
		}
	}
	if fc := p.custom("forceResultCode"); fc != "" {
		// A forced result is final, even a pending one: no redirect is offered.
		return fc, flowNone, ""
	}
	if pay.paymentType == "CD" {
		return codeSuccess, flowNone, ""
	}
	if brand.Workflow == fixtures.Async {
		return codePending, flowCheckout, ""
	}
	if brand.Kind == "card" {
		return threeDSDecision(p, card, documented)
	}
	return codeSuccess, flowNone, ""
}

// threeDSDecision applies the documented 3-D Secure simulator: its test cards and the
// sandbox switches customParameters[3DS2_enrolled], customParameters[3DS2_flow] and
// threeDSecure.challengeIndicator=4. The first row of fixtures/rules.json threeDSecure
// that matches decides the flow and its result.
func threeDSDecision(p params, card fixtures.Card, documented bool) (string, flowKind, string) {
	enrolled := strings.EqualFold(p.custom("3DS2_enrolled"), "true")
	forced := strings.ToLower(p.custom("3DS2_flow"))
	ci := p.get("threeDSecure.challengeIndicator")
	wantChallenge := forced == "challenge" || ci == "4" || ci == "04"
	wantFrictionless := forced == "frictionless"
	scenario := ""
	if documented {
		scenario = card.Scenario
	}
	c := fixtures.Load()
	for _, r := range c.Rules().ThreeDSecure {
		switch r.Match {
		case fixtures.Match3DSEnrolled:
			if !enrolled {
				continue
			}
		case fixtures.Match3DSScenario:
			if scenario == "" || !slices.Contains(r.Scenarios, scenario) {
				continue
			}
		case fixtures.Match3DSRequested:
			if !wantChallenge && !wantFrictionless && forced == "" {
				continue
			}
		}
		return threeDSFlow(r, c.Code(r.Result), wantChallenge, wantFrictionless)
	}
	return codeSuccess, flowNone, ""
}

// threeDSFlow is the decision of the matching row r: its flow, switched by the
// request when the row allows it, and the code it answers or ends in.
func threeDSFlow(r fixtures.ThreeDSRule, result string, wantChallenge, wantFrictionless bool) (string, flowKind, string) {
	flow := r.Flow
	if r.FlowSwitches {
		switch {
		case flow == fixtures.Flow3DSChallenge && wantFrictionless && !wantChallenge:
			flow = fixtures.Flow3DSFrictionless
		case flow == fixtures.Flow3DSFrictionless && wantChallenge:
			flow = fixtures.Flow3DSChallenge
		}
	}
	switch flow {
	case fixtures.Flow3DSChallenge:
		// The shopper's choice on the ACS page decides the result (shopper.go outcome).
		return codePending, flowChallenge, ""
	case fixtures.Flow3DSFrictionless:
		return codePending, flowFrictionless, result
	}
	return result, flowNone, ""
}

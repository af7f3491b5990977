package sandbox

import (
	"net/http"

	"github.com/oppwa-conformance/oppwa-conformance/sandbox/hook"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
)

// Result codes of registration tokens, from the documented rejectedRegistrationValidation
// group (100.150.*). Which one the platform answers in each case is not recorded: these
// are the codes whose documented descriptions fit (fixtures/codes.json).
var (
	codeRegLength    = codeOf(fixtures.CodeRegistrationLength)       // invalid length for specified registration id (must be 32 chars)
	codeRegUnknown   = codeOf(fixtures.CodeRegistrationUnknown)      // registration does not exist
	codeRegDeleted   = codeOf(fixtures.CodeRegistrationDeleted)      // registration is already deregistered
	codeRegRejected  = codeOf(fixtures.CodeRegistrationRejected)     // registration is not valid, probably initially rejected
	codeRegNoInitial = codeOf(fixtures.CodeRegistrationNeedsInitial) // payment only allowed with valid initial registration
)

const regInitialPayment = "INITIAL"

// The token rules, by which modes waive a rule (tokenRule hook point).
const (
	ruleTokenNotDeleted    = hook.RuleTokenNotDeleted
	ruleTokenValid         = "a rejected tokenisation does not pay"
	ruleRepeatNeedsInitial = hook.RuleRepeatNeedsInitial
)

// tokenRules are tried in order on a found token; the first refusal answers.
var tokenRules = []struct {
	name, code string
	refuses    func(s *Sandbox, reg *registration, p params) bool
}{
	{ruleTokenNotDeleted, codeRegDeleted, func(_ *Sandbox, reg *registration, _ params) bool { return reg.deleted }},
	{ruleTokenValid, codeRegRejected, func(s *Sandbox, reg *registration, _ params) bool {
		return s.outcomeOf(reg.code) != fixtures.Success
	}},
	{ruleRepeatNeedsInitial, codeRegNoInitial, func(_ *Sandbox, reg *registration, p params) bool {
		return needsInitial(p) && reg.initial == ""
	}},
}

// needsInitial says a payment repeats a standing instruction (mode REPEATED, or
// merchant-initiated) without naming its initial transaction itself.
func needsInitial(p params) bool {
	repeat := p.get("standingInstruction.mode") == "REPEATED" || p.get("standingInstruction.source") == "MIT"
	return repeat && p.get("standingInstruction.initialTransactionId") == ""
}

// setsUpInitial says a request sets up a standing instruction: mode INITIAL by the
// customer (source CIT, the documented default for an initial).
func setsUpInitial(p params) bool {
	return p.get("standingInstruction.mode") == regInitialPayment && p.get("standingInstruction.source") != "MIT"
}

// findRegistration looks up a token from the URL for entity, through the
// registrationLookup hook point, and returns it or the code refusing it. Another entity's token answers exactly like an unknown one.
func (s *Sandbox) findRegistration(tx *txn, id, entity string) (*registration, string) {
	if !validEntity(id) {
		return nil, codeRegLength
	}
	l := registrationLookup{}
	fire(s, &l)
	reg := tx.regs[id]
	if reg == nil || (reg.entity != entity && !l.AnyEntity) {
		return nil, codeRegUnknown
	}
	return reg, ""
}

// usable applies the token rules to a found token, each refusal passing the tokenRule
// hook point; it returns "" or the refusing code.
func (s *Sandbox) usable(tx *txn, reg *registration, p params) string {
	for _, r := range tokenRules {
		if r.refuses(s, reg, p) {
			if c := s.refuseToken(r.name, r.code); c != "" {
				return c
			}
		}
	}
	return ""
}

// refuseToken passes a token rule's refusal through the tokenRule hook point and
// returns the code it answers, or "" when a mode waived it.
func (s *Sandbox) refuseToken(rule, code string) string {
	d := tokenRule{Rule: rule, Refused: true, Code: code}
	fire(s, &d)
	if d.Refused {
		return d.Code
	}
	return ""
}

// createRegistration handles POST /v1/registrations: standalone tokenisation of the
// card (or account) data, no payment. The reply's id is the token.
func (s *Sandbox) createRegistration(w http.ResponseWriter, entity string, p params) {
	perrs, brand, known := s.checkInstrument(p, nil)
	perrs = checkCommon(p, checkStandingInstruction(p, perrs))
	if len(perrs) > 0 {
		s.writeJSON(w, http.StatusBadRequest, s.errorBody(entity, codeParam, perrs))
		return
	}
	reg := s.newRegistration(entity, p)
	reg.code = codeSuccess
	if !known {
		reg.code = codeBadBrand
	} else if brand.Kind == "card" {
		_, documented := s.contract.CardByNumber(brand.Name, p.get("card.number"))
		if c := cardCheck(brand.Name, p, s.now(), documented); c != "" {
			reg.code = c
		}
	}
	if fc := p.custom("forceResultCode"); fc != "" {
		reg.code = fc
	}
	if setsUpInitial(p) && s.outcomeOf(reg.code) == fixtures.Success {
		// The registration itself is the initial of the standing instruction.
		reg.initial = reg.id
	}
	var body document
	s.store.update(func(tx *txn) {
		tx.putRegistration(reg)
		body = s.renderRegistration(tx, reg, reg.code)
	})
	sent := s.writeJSON(w, s.httpStatus(reg.code), body)
	if s.outcomeOf(reg.code) == fixtures.Success {
		s.notify(NotifyRegistration, ActionCreated, sent)
	}
}

// newRegistration builds a token from a request's brand and card.
func (s *Sandbox) newRegistration(entity string, p params) *registration {
	now := s.now()
	reg := &registration{id: newID(), entity: entity, brand: p.get("paymentBrand"),
		echo: echoRequest(p), timestamp: replyTime(now), ndc: newNDC(entity)}
	if n := p.get("card.number"); n != "" {
		reg.card = newCardView(p)
	}
	return reg
}

// tokenise stores the token a successful payment with createRegistration=true asked
// for, once the payment is final.
func (s *Sandbox) tokenise(tx *txn, pay *payment) {
	if !pay.tokenise || pay.registrationID != "" || s.outcomeOf(pay.code) != fixtures.Success {
		return
	}
	reg := &registration{id: newID(), entity: pay.entity, brand: pay.brand, card: pay.card,
		code: codeSuccess, timestamp: pay.timestamp, ndc: pay.ndc}
	if pay.siInitial {
		reg.initial = pay.id
	}
	pay.registrationID = reg.id
	tx.putRegistration(reg)
	s.notify(NotifyRegistration, ActionCreated, s.finalJSON(s.renderRegistration(tx, reg, reg.code)))
}

// registrationGet handles GET /v1/registrations/{id}: the token as stored.
func (s *Sandbox) registrationGet(w http.ResponseWriter, entity, id string) {
	var body document
	code := ""
	s.store.update(func(tx *txn) {
		var reg *registration
		if reg, code = s.findRegistration(tx, id, entity); reg == nil {
			return
		}
		if reg.deleted {
			code = codeRegDeleted
			return
		}
		body = s.renderRegistration(tx, reg, reg.code)
	})
	if body == nil {
		s.writeJSON(w, s.httpStatus(code), s.errorBody(entity, code, nil))
		return
	}
	s.writeJSON(w, http.StatusOK, body)
}

// registrationDelete handles DELETE /v1/registrations/{id}: the token is deregistered
// and pays no more. The reply is a transaction of its own referencing the token.
func (s *Sandbox) registrationDelete(w http.ResponseWriter, entity, id string) {
	code := ""
	s.store.update(func(tx *txn) {
		reg, c := s.findRegistration(tx, id, entity)
		if reg == nil {
			code = c
			return
		}
		if reg.deleted {
			code = codeRegDeleted
			return
		}
		reg.deleted = true
	})
	if code != "" {
		s.writeJSON(w, s.httpStatus(code), s.errorBody(entity, code, nil))
		return
	}
	now := s.now()
	doc := document{{Key: "id", Value: newID()}, {Key: "referencedId", Value: id}, {Key: "result", Value: s.result(codeSuccess, nil)}}
	doc = s.shaped(fixtures.ReplyDeregistration, "success", s.trailer(doc, replyTime(now), newNDC(entity)))
	sent := s.writeJSON(w, http.StatusOK, doc)
	s.notify(NotifyRegistration, ActionDeleted, sent)
}

// renderRegistration builds the reply for a token showing code, through the
// registrationReply hook point.
func (s *Sandbox) renderRegistration(tx *txn, reg *registration, code string) document {
	doc := document{{Key: "id", Value: reg.id}}.
		WithString("paymentBrand", reg.brand).
		With("result", s.result(code, nil))
	if reg.card != nil {
		doc = doc.With("card", reg.card.replyBlock())
	}
	doc = append(doc, reg.echo...)
	outcome := "rejected"
	if s.outcomeOf(code) == fixtures.Success {
		outcome = "success"
	}
	r := registrationReply{Doc: s.shaped(fixtures.ReplyRegistration, outcome, s.trailer(doc, reg.timestamp, reg.ndc))}
	if reg.card != nil {
		r.PAN = reg.card.pan
	}
	fire(s, &r)
	return r.Doc
}

// registrationPayment handles POST /v1/registrations/{id}/payments: a payment with a
// stored token instead of card data, which then lives as any payment does (capture,
// refund, reversal and lookups by its own id).
func (s *Sandbox) registrationPayment(w http.ResponseWriter, entity, regID string, p params) {
	if perrs := validateTokenPayment(p); len(perrs) > 0 {
		s.writeJSON(w, http.StatusBadRequest, s.errorBody(entity, codeParam, perrs))
		return
	}
	pay := s.newPayment(entity, p)
	pay.cents = parseAmount(p.get("amount"))
	pay.riskScore = "100"
	pay.echo = echoRequest(p)
	var body document
	var code string
	s.store.update(func(tx *txn) {
		reg, refusal := s.findRegistration(tx, regID, entity)
		if reg != nil {
			refusal = s.usable(tx, reg, p)
		}
		pay.code = refusal
		if refusal == "" {
			pay.brand, pay.card = reg.brand, reg.card
			pay.code = tokenDecision(p, pay)
			pay.forced = forcedCode(p, pay.code)
			if setsUpInitial(p) && s.outcomeOf(pay.code) == fixtures.Success {
				reg.initial = pay.id
			}
		}
		tx.put(pay)
		body, code = s.renderPayment(tx, pay, viewInitial, nil)
	})
	s.notifyPayment(s.writeJSON(w, s.httpStatus(code), body))
}

// forcedCode says code is the one the request forced (customParameters[forceResultCode]).
func forcedCode(p params, code string) bool {
	fc := p.custom("forceResultCode")
	return fc != "" && code == fc
}

// tokenDecision is the result of a payment with a usable token: the amount rules, the
// sandbox's forced result, else success. The card was checked when it was tokenised,
// and a stored credential pays without the shopper (no 3-D Secure flow).
func tokenDecision(p params, pay *payment) string {
	if c := amountRule(pay.cents, pay.currency); c != "" {
		return c
	}
	if fc := p.custom("forceResultCode"); fc != "" {
		return fc
	}
	return codeSuccess
}

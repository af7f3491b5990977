package sandbox

import (
	"net/http"
	"strings"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
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

// transition returns the result code of op against ref by the backoffice rules; each
// refusal passes the backofficeRule hook point, which may waive it or change its code.
func (s *Sandbox) transition(tx *txn, op, ref *payment) string {
	for _, r := range s.stateRules[op.paymentType] {
		if !r.refuses(s.outcomeOf, op, ref) {
			continue
		}
		decision := backofficeRule{Operation: op.paymentType, Rule: r.name, Refused: true, Code: r.code, VariedCode: s.varied[r.name]}
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

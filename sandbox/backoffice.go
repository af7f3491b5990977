package sandbox

import (
	"net/http"

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
	now := s.now()
	op := &payment{
		id:           newID(),
		entity:       entity,
		paymentType:  p.get("paymentType"),
		referencedID: refID,
		cents:        -1,
		currency:     p.get("currency"),
		descriptor:   shortID() + " OPP_Channel ",
		mtxID:        p.get("merchantTransactionId"),
		invoiceID:    p.get("merchantInvoiceId"),
		riskScore:    "0",
		timestamp:    s.timestamp(now),
		ndc:          s.newNDC(entity),
		created:      now,
	}
	if a := p.get("amount"); a != "" {
		op.cents = parseAmount(a)
	}
	if cp := p.customParameters(); cp != nil {
		op.echo = s.json.freeze(obj{kx("customParameters", cp)})
	}

	var body obj
	var status int
	buf := s.getObj()
	s.locked(func() {
		ref := s.store.get(refID, entity, s.defects.on(DefectCrossEntityReadable))
		if ref != nil {
			s.expire(ref)
		}
		if op.paymentType == "RV" && ref != nil {
			// A reversal voids the whole original: it echoes the original amount.
			op.cents, op.currency = ref.cents, ref.currency
		}
		natural := s.transition(op, ref)
		op.code = natural
		if fc := p.custom("forceResultCode"); fc != "" {
			// A forced result changes the answer; the books move only when the state
			// machine allowed the operation and the forced answer is a success too.
			op.code = fc
		}
		if natural == codeSuccess && s.outcomeOf(op.code) == fixtures.Success {
			s.apply(op, ref)
		}
		s.store.put(op)
		body = s.renderPaymentInto(*buf, op, viewBackoffice, nil)
		status = s.statusFor(op, viewBackoffice)
	})
	s.writeJSON(w, status, body)
	s.putObj(buf, body)
}

// succeeded reports whether ref is a final success the platform lets you reference.
func (s *Sandbox) succeeded(ref *payment) bool {
	return s.outcomeOf(ref.code) == fixtures.Success
}

func (s *Sandbox) pending(ref *payment) bool {
	return s.outcomeOf(ref.code) == fixtures.Pending
}

// transition is the backoffice state machine: it returns the result code of op
// against ref (nil when unknown or another entity's). The caller holds s.store.mu.
func (s *Sandbox) transition(op, ref *payment) string {
	switch op.paymentType {
	case "CP":
		switch {
		case ref == nil:
			return codeCaptureNeedsPA
		case s.pending(ref):
			return codeRefPending
		case ref.paymentType != "PA" || !s.succeeded(ref):
			return codeCaptureNeedsPA
		case op.currency != ref.currency:
			return codeCurrencyMismatch
		case ref.reversed && !s.defects.on(DefectReversalLeavesCapture):
			return codeCannotCapture
		case ref.captured+op.cents > ref.cents:
			return codeCannotCapture
		case op.cents <= 0:
			return codeLowAmount
		}
	case "RF":
		switch {
		case ref == nil:
			return codeRefundNeedsCP
		case s.pending(ref):
			return codeRefPending
		case !refundable(ref.paymentType) || !s.succeeded(ref):
			return codeRefundNeedsCP
		case op.currency != ref.currency:
			return codeCurrencyMismatch
		case op.cents <= 0:
			return codeLowAmount
		case ref.reversed:
			return codeCannotRefund
		case ref.refunded+op.cents > ref.cents && !s.defects.on(DefectRefundAboveVolume):
			return codeCannotRefund
		}
	case "RV":
		switch {
		case ref == nil:
			return codeReversalNeeds
		case s.pending(ref):
			return codeRefPending
		case !reversible(ref.paymentType) || !s.succeeded(ref):
			return codeReversalNeeds
		case ref.reversed, ref.refunded > 0, ref.captured > 0:
			// Already reversed, or money has moved on (captured or refunded).
			return codeCannotReverse
		}
	}
	return codeSuccess
}

func refundable(t string) bool { return t == "CP" || t == "DB" || t == "PA.CP" }
func reversible(t string) bool { return t == "PA" || t == "DB" || t == "CP" || t == "PA.CP" }

// apply books a successful operation on its reference; the caller holds s.store.mu.
func (s *Sandbox) apply(op, ref *payment) {
	switch op.paymentType {
	case "CP":
		ref.captured += op.cents
	case "RF":
		ref.refunded += op.cents
	case "RV":
		ref.reversed = true
		if ref.paymentType == "CP" {
			// Reversing a capture gives its amount back to the authorisation.
			if pa := s.store.byID[ref.referencedID]; pa != nil {
				pa.captured -= ref.cents
			}
		}
	}
}

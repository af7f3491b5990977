package sandbox

import (
	"net/http"
	"strconv"

	"github.com/oppwa-conformance/oppwa-conformance/sandbox/hook"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
)

// Result codes the sandbox answers, by meaning: fixtures/codes.json says which code
// each is (and fixtures/claims.json names the same entries for the suites), so a
// recorded code changes in one place. Their descriptions come from fixtures too.
var (
	codeSuccess          = codeOf(fixtures.CodeSuccess)   // the sandbox's normal success (Integrator Test Mode)
	codeRequestOK        = codeOf(fixtures.CodeRequestOK) // "successful request": /v1/query lists
	codePending          = codeOf(fixtures.CodePending)
	codeParam            = codeOf(fixtures.CodeParameterError)
	codeBadMethod        = codeOf(fixtures.CodeInvalidHTTPMethod)
	codeStructure        = codeOf(fixtures.CodeInvalidRequest) // unknown route, body too large
	codeAuth             = codeOf(fixtures.CodeAuthenticationFailed)
	codeNoRights         = codeOf(fixtures.CodeInsufficientRights)
	codeThrottled        = codeOf(fixtures.CodeThrottled)
	codeDown             = codeOf(fixtures.CodeConnectorDown)
	codeUndefined        = codeOf(fixtures.CodeUndefinedError)
	codeNotFound         = codeOf(fixtures.CodeTransactionNotFound)
	codeBankDecline      = codeOf(fixtures.CodeBankDeclined)
	codeLuhn             = codeOf(fixtures.CodeInvalidAccountNumber) // Luhn, and an IBAN failing mod-97
	codeBadMonth         = codeOf(fixtures.CodeInvalidExpiryMonth)
	codeBadYear          = codeOf(fixtures.CodeInvalidExpiryYear)
	codeExpired          = codeOf(fixtures.CodeCardExpired)
	codeNoCVV            = codeOf(fixtures.CodeCVVMissing)
	codeBrandMismatch    = codeOf(fixtures.CodeCardBrandMismatch)
	codeBadBrand         = codeOf(fixtures.CodeInvalidBrand)
	codeBadMethodBrand   = codeOf(fixtures.CodeInvalidPaymentMethod)
	codeNotConfigured    = codeOf(fixtures.CodeBrandNotConfigured) // a brand the account has not enabled
	codeLowAmount        = codeOf(fixtures.CodeAmountTooLow)
	codeBadCurrency      = codeOf(fixtures.CodeInvalidCurrency)
	codeCancelled        = codeOf(fixtures.CodeShopperCancelled)
	codeShopperFailed    = codeOf(fixtures.CodeShopperFailed)
	codeTimedOut         = codeOf(fixtures.CodeCheckoutTimedOut)
	code3DSFailed        = codeOf(fixtures.Code3DSAuthenticationFailed)
	code3DSTechACS       = codeOf(fixtures.Code3DSTechnicalErrorACS)
	code3DSTechCard      = codeOf(fixtures.Code3DSTechnicalError)
	code3DSNotEnrolled   = codeOf(fixtures.Code3DSNotEnrolled)
	code3DSNotPart       = codeOf(fixtures.Code3DSNotParticipating)
	code3DSNotEnrolled2  = codeOf(fixtures.Code3DSCardNotListed)
	codeCaptureNeedsPA   = codeOf(fixtures.CodeCaptureNeedsPA)
	codeRefundNeedsCP    = codeOf(fixtures.CodeRefundNeedsPayment)
	codeReversalNeeds    = codeOf(fixtures.CodeReversalNeedsPayment)
	codeCannotCapture    = codeOf(fixtures.CodeCannotCapture)
	codeCannotRefund     = codeOf(fixtures.CodeCannotRefund)
	codeCannotReverse    = codeOf(fixtures.CodeCannotReverse)
	codeRefPending       = codeOf(fixtures.CodeReferencePending)
	codeCurrencyMismatch = codeOf(fixtures.CodeCurrencyMismatch)
)

// codeOf is the code of a meaning (fixtures.CodeOf); New refuses to start on a
// contract that does not parse.
var codeOf = fixtures.CodeOf

// result is a reply's result block: code, description and any parameter errors, after
// the resultBlock hook point.
func (s *Sandbox) result(code string, perrs []paramError) document {
	r := s.newResult(code, perrs)
	fire(s, &r)
	return resultDocument(r)
}

// newResult is the result block of code as documented, before any mode changes it.
func (s *Sandbox) newResult(code string, perrs []paramError) resultBlock {
	r := resultBlock{Code: code, Description: s.contract.Description(code), ParamErrors: perrs}
	if r.Description == "" {
		r.Description = "sandbox result " + code
	}
	return r
}

// resultDocument is the result block as a reply shows it.
func resultDocument(r resultBlock) document {
	doc := document{{Key: "code", Value: r.Code}, {Key: "description", Value: r.Description}}
	if len(r.ParamErrors) == 0 {
		return doc
	}
	list := make([]document, 0, len(r.ParamErrors))
	for _, e := range r.ParamErrors {
		var value any = e.Value
		if e.Value == "" {
			value = nil
		}
		list = append(list, document{{Key: "name", Value: e.Name}, {Key: "value", Value: value}, {Key: "message", Value: e.Message}})
	}
	return doc.With("parameterErrors", list)
}

// trailer appends the fields every reply ends with.
func (s *Sandbox) trailer(doc document, timestamp, ndc string) document {
	return doc.With("buildNumber", buildNumber).With("timestamp", timestamp).With("ndc", ndc)
}

// errorBody is the platform's envelope for replies that carry no transaction: a
// parameter error's shape for the parameter-error code, else the shape of errors.
func (s *Sandbox) errorBody(entity, code string, perrs []paramError) document {
	kind := fixtures.ReplyError
	if code == codeParam {
		kind = fixtures.ReplyParameterError
	}
	return s.errorReply(kind, entity, code, perrs)
}

// errorReply is the envelope of a reply without a transaction, in the shape of kind.
func (s *Sandbox) errorReply(kind fixtures.ReplyKind, entity, code string, perrs []paramError) document {
	doc := s.trailer(document{{Key: "result", Value: s.result(code, perrs)}}, replyTime(s.now()), newNDC(entity))
	return s.shaped(kind, "", doc)
}

// shaped drops the top-level fields of doc that the shape of kind and outcome does not
// list, keeping doc's order; a reply without a shape keeps every field. It runs on the
// truthful reply, before the modes' hooks, so a mode's additions are not dropped.
func (s *Sandbox) shaped(kind fixtures.ReplyKind, outcome string, doc document) document {
	return s.shapedFor(kind, outcome, "", doc)
}

// shapedFor is shaped for a reply of paymentType: the shape limited to it, else the
// kind's shape for every paymentType.
func (s *Sandbox) shapedFor(kind fixtures.ReplyKind, outcome, paymentType string, doc document) document {
	fields, ok := s.shapes[shapeKey{kind, outcome, paymentType}]
	if !ok {
		fields, ok = s.shapes[shapeKey{kind, outcome, ""}]
	}
	if !ok {
		return doc
	}
	out := doc[:0]
	for _, f := range doc {
		if fields[f.Key] {
			out = append(out, f)
		}
	}
	return out
}

// paymentShape is the shape a payment's reply in view v takes: by kind (the initial
// reply, a lookup, a backoffice operation) and the outcome of its result.
func (s *Sandbox) paymentShape(tx *txn, p *payment, v view) (fixtures.ReplyKind, string) {
	o := s.outcomeOf(p.code)
	if v == viewBackoffice {
		switch {
		case o == fixtures.Success:
			return fixtures.ReplyBackoffice, "success"
		case tx.get(p.referencedID, p.entity, false) == nil:
			// An operation that names no payment of its entity takes the shape recorded
			// for the capture of an unknown id.
			return fixtures.ReplyBackoffice, "refused-unknown"
		}
		return fixtures.ReplyBackoffice, "refused"
	}
	kind := fixtures.ReplyPayment
	if v == viewStatus {
		kind = fixtures.ReplyStatus
	}
	switch {
	case o == fixtures.Success || o == fixtures.Pending:
		return kind, string(o)
	case kind == fixtures.ReplyPayment && p.forced:
		return kind, "forced-rejected"
	}
	return kind, "rejected"
}

// httpStatus is the sandbox's one rule: 200 for success and pending, 400 for every
// rejection. Clients must classify by result.code; the status is a convenience.
func (s *Sandbox) httpStatus(code string) int {
	switch s.outcomeOf(code) {
	case fixtures.Success, fixtures.Pending:
		return http.StatusOK
	}
	return http.StatusBadRequest
}

// renderPayment builds the reply for a stored payment in view v and returns it with
// the result code it shows. The stored payment is the
// truth; the paymentReply hook point lets the modes change what the reply shows.
func (s *Sandbox) renderPayment(tx *txn, p *payment, v view, redirect document) (document, string) {
	kind, outcome := s.paymentShape(tx, p, v)
	r := paymentReply{Payment: s.hookPayment(tx, p), View: v, Code: p.code, Doc: s.shapedFor(kind, outcome, p.paymentType, s.paymentDocument(p, redirect))}
	fire(s, &r)
	if r.Code != p.code {
		r.Doc = r.Doc.Set("result", s.result(r.Code, nil))
	}
	return r.Doc, r.Code
}

// replyBlock is the card block of a reply: bin and last four digits, never the number.
func (c *cardView) replyBlock() document {
	return document{}.
		WithString("bin", c.bin).
		WithString("last4Digits", c.last4).
		WithString("holder", c.holder).
		WithString("expiryMonth", c.month).
		WithString("expiryYear", c.year)
}

// paymentDocument is the truthful reply for p, in the platform's key order.
func (s *Sandbox) paymentDocument(p *payment, redirect document) document {
	doc := make(document, 0, 24+len(p.echo)).
		WithString("id", p.id).
		WithString("registrationId", p.registrationID).
		WithString("referencedId", p.referencedID).
		WithString("paymentType", p.paymentType).
		WithString("paymentBrand", p.brand).
		WithString("amount", formatAmount(p.cents)).
		WithString("currency", p.currency).
		WithString("descriptor", p.descriptor).
		WithString("merchantTransactionId", p.mtxID).
		WithString("merchantInvoiceId", p.invoiceID).
		With("result", s.result(p.code, nil))
	if p.card != nil {
		doc = doc.With("card", p.card.replyBlock())
	}
	doc = append(doc, p.echo...)
	if p.riskScore != "" {
		doc = doc.With("risk", document{{Key: "score", Value: p.riskScore}})
	}
	if redirect != nil {
		doc = doc.With("redirect", redirect)
	}
	return s.trailer(doc, p.timestamp, p.ndc)
}

// hookPayment is what the paymentReply hook point tells the modes of p.
func (s *Sandbox) hookPayment(tx *txn, p *payment) hook.Payment {
	hp := hook.Payment{ID: p.id, Type: p.paymentType, ReferencedID: p.referencedID, Brand: p.brand,
		Async: p.flow != flowNone, ViaFlow: p.viaFlow, Outcome: s.outcomeOf(p.code)}
	if p.card != nil {
		hp.PAN = p.card.pan
	}
	if ref := tx.byID[p.referencedID]; ref != nil {
		hp.RefAmount, hp.HasRef = formatAmount(ref.cents), true
	}
	return hp
}

// writeJSON encodes a document, after the jsonReply and wireReply hook points, and
// writes it with its status. It returns the document after jsonReply alone: what a
// notification of the reply carries, which wireReply's edits for the wire must not reach.
func (s *Sandbox) writeJSON(w http.ResponseWriter, status int, doc document) document {
	doc = s.finalJSON(doc)
	reply := hook.WireReply{Status: status, Doc: doc}
	if rw, ok := w.(*requestWriter); ok {
		reply.Method, reply.Path = rw.method, rw.path
	}
	fire(s, &reply)
	writeDocument(w, status, reply.Doc)
	return doc
}

// writeDocument encodes a document as it is and writes it with its status.
func writeDocument(w http.ResponseWriter, status int, doc document) {
	// Documents hold only strings, bools, nil, raw JSON and documents: encoding cannot fail.
	b, _ := doc.MarshalJSON()
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// finalJSON is doc as a JSON reply shows it, after the jsonReply hook point: what the
// merchant receives and what a notification's payload carries.
func (s *Sandbox) finalJSON(doc document) document {
	reply := jsonReply{Doc: doc}
	fire(s, &reply)
	return reply.Doc
}

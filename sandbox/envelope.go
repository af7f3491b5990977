package sandbox

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
)

// Result codes the sandbox answers itself (their descriptions come from fixtures).
const (
	codeSuccess          = "000.100.110" // the sandbox's normal success (Integrator Test Mode)
	codeRequestOK        = "000.000.100" // "successful request": /v1/query lists
	codePending          = "000.200.000"
	codeParam            = "200.300.404"
	codeBadMethod        = "200.300.403"
	codeStructure        = "200.100.103" // unknown route, body too large
	codeAuth             = "800.900.300"
	codeNoRights         = "800.900.301"
	codeThrottled        = "800.120.100"
	codeDown             = "900.100.600"
	codeUndefined        = "999.999.999"
	codeNotFound         = "700.400.580"
	codeBankDecline      = "800.100.100"
	codeLuhn             = "100.100.101"
	codeBadMonth         = "100.100.201"
	codeBadYear          = "100.100.301"
	codeExpired          = "100.100.303"
	codeNoCVV            = "100.100.600"
	codeBrandMismatch    = "100.100.700"
	codeBadBrand         = "100.100.501"
	codeBadMethodBrand   = "600.200.100"
	codeNotConfigured    = "600.200.500" // a brand the account has not enabled
	codeLowAmount        = "100.550.300"
	codeBadCurrency      = "100.550.401"
	codeCancelled        = "100.396.101"
	codeShopperFailed    = "100.396.104"
	codeTimedOut         = "100.396.103"
	code3DSFailed        = "100.380.401"
	code3DSTechACS       = "100.390.112"
	code3DSTechCard      = "000.400.103"
	code3DSNotEnrolled   = "000.400.102"
	code3DSNotPart       = "000.400.101"
	code3DSNotEnrolled2  = "000.400.109"
	codeCaptureNeedsPA   = "700.400.510"
	codeRefundNeedsCP    = "700.400.520"
	codeReversalNeeds    = "700.400.530"
	codeCannotCapture    = "700.400.100"
	codeCannotRefund     = "700.400.200"
	codeCannotReverse    = "700.400.300"
	codeRefPending       = "700.400.570"
	codeCurrencyMismatch = "700.100.500"
)

// paramError is one entry of result.parameterErrors.
type paramError struct{ name, value, message string }

// view says which reply a payment is rendered for; some modes touch only one.
type view uint8

const (
	viewInitial    view = iota // the reply to POST /v1/payments
	viewStatus                 // status and query lookups
	viewBackoffice             // the reply to a capture, refund or reversal
)

// result is a reply's result block: code, description and any parameter errors, after
// the resultBlock hook point.
func (s *Sandbox) result(code string, perrs []paramError) document {
	r := s.newResult(code, perrs)
	fire(s, &r)
	return r.document()
}

// newResult is the result block of code as documented, before any mode changes it.
func (s *Sandbox) newResult(code string, perrs []paramError) resultBlock {
	r := resultBlock{code: code, description: s.contract.Description(code), paramErrors: perrs}
	if r.description == "" {
		r.description = "sandbox result " + code
	}
	return r
}

// document is the result block as a reply shows it.
func (r resultBlock) document() document {
	doc := document{{"code", r.code}, {"description", r.description}}
	if len(r.paramErrors) == 0 {
		return doc
	}
	list := make([]document, 0, len(r.paramErrors))
	for _, e := range r.paramErrors {
		var value any = e.value
		if e.value == "" {
			value = nil
		}
		list = append(list, document{{"name", e.name}, {"value", value}, {"message", e.message}})
	}
	return doc.with("parameterErrors", list)
}

// trailer appends the fields every reply ends with.
func (s *Sandbox) trailer(doc document, timestamp, ndc string) document {
	return doc.with("buildNumber", buildNumber).with("timestamp", timestamp).with("ndc", ndc)
}

// errorBody is the platform's envelope for replies that carry no transaction.
func (s *Sandbox) errorBody(entity, code string, perrs []paramError) document {
	return s.trailer(document{{"result", s.result(code, perrs)}}, timestamp(s.now()), newNDC(entity))
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

// formatAmount writes minor units as "92.00" ("" for -1, no amount).
func formatAmount(cents int64) string {
	if cents < 0 {
		return ""
	}
	return fmt.Sprintf("%d.%02d", cents/100, cents%100)
}

// parseAmount reads an amount that already passed the format check.
func parseAmount(s string) int64 {
	whole, frac, _ := strings.Cut(s, ".")
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return -1
	}
	f := int64(0)
	if frac != "" {
		f, _ = strconv.ParseInt(frac, 10, 64)
	}
	return w*100 + f
}

// renderPayment builds the reply for a stored payment in view v and returns it with
// the result code it shows; the caller holds s.store.mu. The stored payment is the
// truth; the paymentReply hook point lets the modes change what the reply shows.
func (s *Sandbox) renderPayment(p *payment, v view, redirect document) (document, string) {
	r := paymentReply{p: p, view: v, code: p.code, doc: s.paymentDocument(p, redirect)}
	fire(s, &r)
	if r.code != p.code {
		r.doc = r.doc.set("result", s.result(r.code, nil))
	}
	return r.doc, r.code
}

// document is the card block of a reply: bin and last four digits, never the number.
func (c *cardView) document() document {
	return document{}.
		withString("bin", c.bin).
		withString("last4Digits", c.last4).
		withString("holder", c.holder).
		withString("expiryMonth", c.month).
		withString("expiryYear", c.year)
}

// paymentDocument is the truthful reply for p, in the platform's key order.
func (s *Sandbox) paymentDocument(p *payment, redirect document) document {
	doc := make(document, 0, 24+len(p.echo)).
		withString("id", p.id).
		withString("registrationId", p.registrationID).
		withString("referencedId", p.referencedID).
		withString("paymentType", p.paymentType).
		withString("paymentBrand", p.brand).
		withString("amount", formatAmount(p.cents)).
		withString("currency", p.currency).
		withString("descriptor", p.descriptor).
		withString("merchantTransactionId", p.mtxID).
		withString("merchantInvoiceId", p.invoiceID).
		with("result", s.result(p.code, nil))
	if p.card != nil {
		doc = doc.with("card", p.card.document())
	}
	doc = append(doc, p.echo...)
	if p.riskScore != "" {
		doc = doc.with("risk", document{{"score", p.riskScore}})
	}
	if redirect != nil {
		doc = doc.with("redirect", redirect)
	}
	return s.trailer(doc, p.timestamp, p.ndc)
}

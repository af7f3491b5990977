package sandbox

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
)

// Result codes the sandbox answers itself (descriptions always come from fixtures).
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

// view says which reply a payment is rendered for; some defects touch only one.
type view uint8

const (
	viewInitial view = iota
	viewStatus
	viewBackoffice
)

func (s *Sandbox) description(code string) string {
	d := s.contract.Description(code)
	if d == "" {
		d = "sandbox result " + code
	}
	if s.defects.on(TolerateDescriptions) {
		return "Sandbox wording: " + strings.ToUpper(d[:1]) + d[1:] + "."
	}
	return d
}

func (s *Sandbox) result(code string, perrs []paramError) obj {
	r := make(obj, 2, 3)
	r[0], r[1] = kv("code", code), kv("description", s.description(code))
	if len(perrs) > 0 && !s.defects.on(DefectParamErrorsMissing) {
		list := make([]obj, 0, len(perrs))
		for _, e := range perrs {
			v := kv("value", e.value)
			if e.value == "" {
				v = kx("value", jsonNull{})
			}
			list = append(list, obj{kv("name", e.name), v, kv("message", e.message)})
		}
		r = r.with("parameterErrors", list)
	}
	return r
}

// trailer appends the fields every reply ends with.
func (s *Sandbox) trailer(o obj, timestamp, ndc string) obj {
	return append(o,
		kv("buildNumber", s.buildNumber),
		kv("timestamp", timestamp),
		kv("ndc", ndc))
}

// errorBody is the platform's envelope for replies that carry no transaction.
func (s *Sandbox) errorBody(entity, code string, perrs []paramError) obj {
	return s.trailer(obj{kx("result", s.result(code, perrs))}, s.timestamp(s.now()), s.newNDC(entity))
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

func formatAmount(cents int64) string {
	if cents < 0 {
		return ""
	}
	whole, frac := cents/100, cents%100
	b := strconv.AppendInt(make([]byte, 0, 16), whole, 10)
	b = append(b, '.', byte('0'+frac/10), byte('0'+frac%10))
	return string(b)
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

func swap(v, from, to, other string) string {
	if v == from {
		return to
	}
	return other
}

// renderPayment builds the JSON reply for a stored payment; the caller holds
// s.store.mu (payments change under it) and serialises the result after unlocking.
// Defect modes that change what a client reads are applied here, on the way out, so
// the stored state stays true and each defect breaks only the promise it names.
func (s *Sandbox) renderPayment(p *payment, v view, redirect obj) obj {
	return s.renderPaymentInto(make(obj, 0, 20+len(p.echo)), p, v, redirect)
}

// renderPaymentInto is renderPayment appending to o (a pooled buffer on the hot paths).
func (s *Sandbox) renderPaymentInto(o obj, p *payment, v view, redirect obj) obj {
	d := s.defects

	id := p.id
	if d.on(DefectIDMalformed) {
		id = strings.ToUpper(id)
	}
	if v == viewBackoffice && p.paymentType == "CP" && d.on(DefectCaptureNoNewID) {
		id = p.referencedID
	}
	if !(v == viewInitial && d.on(DefectIDMissing)) {
		o = o.add("id", id)
	}
	o = o.add("referencedId", p.referencedID)

	pt := p.paymentType
	if pt == "PA" && d.on(DefectPaymentTypeSwapped) {
		pt = "DB"
	}
	o = o.add("paymentType", pt)
	brand := p.brand
	if brand != "" && d.on(DefectBrandWrong) {
		brand = swap(brand, "VISA", "MASTER", "VISA")
	}
	o = o.add("paymentBrand", brand)

	cents := p.cents
	if v == viewBackoffice && p.paymentType == "CP" && d.on(DefectCaptureIgnoresAmount) {
		if ref := s.store.byID[p.referencedID]; ref != nil {
			cents = ref.cents
		}
	}
	if cents >= 0 && d.on(DefectAmountWrongValue) {
		cents += 100
	}
	amount := formatAmount(cents)
	if d.on(DefectAmountNotTwoDecimals) && amount != "" {
		amount = strings.TrimSuffix(strings.TrimRight(amount, "0"), ".")
	}
	o = o.add("amount", amount)
	cur := p.currency
	if cur != "" && d.on(DefectCurrencyWrong) {
		cur = swap(cur, "EUR", "USD", "EUR")
	}
	o = o.add("currency", cur)
	o = o.add("descriptor", p.descriptor)
	o = o.add("merchantTransactionId", p.mtxID)
	o = o.add("merchantInvoiceId", p.invoiceID)

	o = o.with("result", s.result(s.shownCode(p, v), nil))

	if c := p.card; c != nil {
		co := make(obj, 0, 6).add("bin", c.bin)
		if d.on(DefectPANEchoed) {
			co = co.add("number", c.pan)
		}
		co = co.add("last4Digits", c.last4).add("holder", c.holder).
			add("expiryMonth", c.month).add("expiryYear", c.year)
		o = o.with("card", co)
	}
	o = append(o, p.echo...)
	if p.riskScore != "" {
		o = o.with("risk", obj{kv("score", p.riskScore)})
	}
	if redirect != nil {
		o = o.with("redirect", redirect)
	}
	return s.trailer(o, p.timestamp, p.ndc)
}

// shownCode is the result code a reply shows for p, after the defects that misreport it.
func (s *Sandbox) shownCode(p *payment, v view) string {
	d := s.defects
	code := p.code
	outcome := s.outcomeOf(code)
	switch {
	case d.on(DefectDeclineAsSuccess) && isInitial(p.paymentType) && outcome == fixtures.Rejected:
		return codeSuccess
	case v == viewInitial && p.flow == flowNone && outcome == fixtures.Success && d.on(DefectSyncSuccessWrongGroup):
		return codeBankDecline
	case v == viewInitial && p.flow == flowNone && outcome == fixtures.Success && d.on(DefectSyncAnswersPending):
		return codePending
	case v == viewStatus && p.viaFlow && d.on(DefectStatusStuckPending):
		return codePending
	}
	return code
}

// statusFor is the HTTP status of a reply showing p.
func (s *Sandbox) statusFor(p *payment, v view) int {
	return s.httpStatus(s.shownCode(p, v))
}

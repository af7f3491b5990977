package sandbox

import (
	"slices"
	"testing"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
)

// The shapes the sandbox looks up must all be in fixtures/shapes.json: a missing one
// would silently keep every field.
func TestEveryReplyShapeIsData(t *testing.T) {
	c := fixtures.Load()
	for _, k := range []shapeKey{
		{fixtures.ReplyPayment, "success", ""}, {fixtures.ReplyPayment, "pending", ""},
		{fixtures.ReplyPayment, "rejected", ""}, {fixtures.ReplyPayment, "forced-rejected", ""},
		{fixtures.ReplyBackoffice, "success", "CP"}, {fixtures.ReplyBackoffice, "success", "RF"},
		{fixtures.ReplyBackoffice, "success", "RV"}, {fixtures.ReplyBackoffice, "refused", ""},
		{fixtures.ReplyBackoffice, "refused-unknown", "CP"}, {fixtures.ReplyBackoffice, "refused-unknown", ""},
		{fixtures.ReplyStatus, "success", ""}, {fixtures.ReplyStatus, "pending", ""}, {fixtures.ReplyStatus, "rejected", ""},
		{fixtures.ReplyRegistration, "success", ""}, {fixtures.ReplyRegistration, "rejected", ""},
		{fixtures.ReplyDeregistration, "success", ""},
		{fixtures.ReplyParameterError, "", ""}, {fixtures.ReplyAuthError, "", ""}, {fixtures.ReplyError, "", ""},
		{fixtures.ReplyReport, "", ""}, {fixtures.ReplyResultCodes, "", ""},
	} {
		if _, ok := c.Shape(k.kind, k.outcome, k.paymentType); !ok {
			t.Errorf("fixtures/shapes.json has no shape for %s %q", k.kind, k.outcome)
		}
	}
}

// A reply's fields are a matter of data: a field its shape does not list is dropped
// from the reply, and only from replies of that kind, outcome and paymentType.
func TestShapeDecidesTheReplysFields(t *testing.T) {
	h := start(t, Options{})
	shapes := h.srv.Sandbox.shapes
	delete(shapes[shapeKey{fixtures.ReplyPayment, "success", ""}], "amount")
	ok := h.pa()
	if ok.code() != codeSuccess || ok.get("amount") != nil || ok.get("id") == nil {
		t.Errorf("success without amount in its shape: code %s, amount %v, id %v", ok.code(), ok.get("amount"), ok.get("id"))
	}
	if st := h.status(ok.str("id")); st.str("amount") != "92.00" {
		t.Errorf("a lookup has its own shape and keeps the amount: %v", st.body)
	}
	shapes[shapeKey{fixtures.ReplyPayment, "rejected", ""}]["amount"] = true
	if luhn := h.post("/v1/payments", cardParams("VISA", "4200000000000001", "123")...); luhn.code() != codeLuhn || luhn.str("amount") != "92.00" {
		t.Errorf("rejection with amount in its shape: code %s, amount %v", luhn.code(), luhn.get("amount"))
	}
	// The refund's shape is its own (paymentTypes RF): the capture's is untouched.
	delete(shapes[shapeKey{fixtures.ReplyBackoffice, "success", "RF"}], "currency")
	pa := h.pa()
	cp := h.post("/v1/payments/"+byNDC(h, pa.str("ndc")).id, "paymentType", "CP", "amount", "50.00", "currency", "EUR")
	rf := h.post("/v1/payments/"+byNDC(h, cp.str("ndc")).id, "paymentType", "RF", "amount", "10.00", "currency", "EUR")
	if cp.str("currency") != "EUR" || rf.code() != codeSuccess || rf.get("currency") != nil {
		t.Errorf("capture currency %v, refund %s currency %v", cp.get("currency"), rf.code(), rf.get("currency"))
	}
}

// The rule names the modes key on (waivers, vary-refusal-codes) are those of
// fixtures/rules.json, and the sandbox implements every check the data may name.
func TestBackofficeRulesAreData(t *testing.T) {
	var names []string
	for _, r := range fixtures.Load().Rules().Backoffice {
		names = append(names, r.Rule)
	}
	for _, n := range []string{ruleCaptureNeedsKnownPA, ruleReferenceFinal, ruleCaptureNeedsSuccessfulPA,
		ruleSameCurrency, ruleNoCaptureOfReversed, ruleCaptureWithinPA, rulePositiveAmount, ruleRefundNeedsKnown,
		ruleRefundNeedsSuccessful, ruleNoRefundOfReversed, ruleRefundWithinVolume, ruleReversalNeedsKnown,
		ruleReversalNeedsSuccessful, ruleReverseOnce} {
		if !slices.Contains(names, n) {
			t.Errorf("rule %q is not in fixtures/rules.json", n)
		}
	}
	for _, c := range fixtures.BackofficeChecks {
		if backofficeChecks[c] == nil {
			t.Errorf("the sandbox implements no check %q", c)
		}
	}
}

// Every code the sandbox answers by name resolves: none is empty.
func TestCodesByNameResolve(t *testing.T) {
	for name, c := range map[string]string{"success": codeSuccess, "luhn": codeLuhn, "3ds-card-not-listed": code3DSNotEnrolled2,
		"registration-needs-initial": codeRegNoInitial, "currency-mismatch": codeCurrencyMismatch} {
		if !validCode(c) {
			t.Errorf("%s: code %q", name, c)
		}
	}
}

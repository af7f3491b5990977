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
		{fixtures.ReplyBackoffice, "success", ""}, {fixtures.ReplyBackoffice, "refused", ""},
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

// Switching a reply to its recorded shape is a change of data: a field the shape does
// not list is dropped from the reply, and only from replies of that kind and outcome.
func TestShapeDecidesTheReplysFields(t *testing.T) {
	h := start(t, Options{})
	rejected := shapeKey{fixtures.ReplyPayment, "rejected", ""}
	delete(h.srv.Sandbox.shapes[rejected], "amount")
	luhn := h.post("/v1/payments", cardParams("VISA", "4200000000000001", "123")...)
	if luhn.code() != codeLuhn || luhn.get("amount") != nil || luhn.get("id") == nil {
		t.Errorf("rejection without amount in its shape: code %s, amount %v, id %v", luhn.code(), luhn.get("amount"), luhn.get("id"))
	}
	if ok := h.pa(); ok.code() != codeSuccess || ok.str("amount") != "92.00" {
		t.Errorf("success keeps its amount: %s %q", ok.code(), ok.str("amount"))
	}
	if st := h.status(luhn.str("id")); st.str("amount") == "" {
		t.Errorf("a lookup has its own shape and keeps the amount: %v", st.body)
	}
	forced := shapeKey{fixtures.ReplyPayment, "forced-rejected", ""}
	delete(h.srv.Sandbox.shapes[forced], "id")
	f := h.post("/v1/payments", visa("customParameters[forceResultCode]", "800.100.151")...)
	if f.code() != "800.100.151" || f.get("id") != nil || f.str("amount") != "92.00" {
		t.Errorf("forced rejection without id in its shape: %s, id %v, amount %v", f.code(), f.get("id"), f.get("amount"))
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

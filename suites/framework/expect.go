package framework

import (
	"fmt"
	"net/url"
	"strings"

	. "github.com/onsi/ginkgo/v2" //nolint:revive
	. "github.com/onsi/gomega"    //nolint:revive

	"github.com/oppwa-conformance/oppwa-conformance/drivers/oppwa"
	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
)

// Sent is what a spec sent, for checking what the platform echoes. Empty fields are
// not checked.
type Sent struct {
	PaymentType           string
	Brand                 string
	Amount                string
	Currency              string
	MerchantTransactionID string
	// PAN is the full card number; the reply must show only its bin and last 4 digits.
	PAN string
}

// ExpectGroup asserts that code belongs to one of the named documented groups.
func ExpectGroup(code string, groups ...string) {
	GinkgoHelper()
	got := fixtures.Load().GroupName(code)
	Expect(groups).To(ContainElement(got), "result.code %q is in group %q, want one of %v", code, got, groups)
}

// ExpectOutcome asserts that code means outcome (success, pending, rejected).
func ExpectOutcome(code string, outcome fixtures.Outcome) {
	GinkgoHelper()
	Expect(code).To(MatchRegexp(`^\d{3}\.\d{3}\.\d{3}$`), "result.code %q is not of the form ddd.ddd.ddd", code)
	got := fixtures.Load().OutcomeOf(code)
	Expect(got).To(Equal(outcome), "result.code %q (%s) means %s, want %s", code, fixtures.Load().GroupName(code), got, outcome)
}

// ExpectTransaction asserts the shape every transaction reply promises and the echo of
// what was sent: id format, paymentType, brand, amount with two decimals, currency,
// timestamp, result code, and no full card number. On a rejection, amount and currency
// are held as the claim rejection-echoes allows: recordings show a rejection without
// them (and the embedded sandbox answers so), so they may be absent; when present they
// must still match.
func ExpectTransaction(r *oppwa.Response, sent Sent) {
	GinkgoHelper()
	Expect(r).NotTo(BeNil())
	m := r.JSON
	Expect(m).NotTo(BeNil(), "reply is not a JSON object (HTTP %d)", r.HTTPStatus)
	Expect(m["id"]).To(BeAssignableToTypeOf(""), "id missing or not a string")
	Expect(m["id"]).To(MatchRegexp(oppwa.IDPattern.String()), "id is not 32 lowercase hex")
	res, _ := m["result"].(map[string]any)
	Expect(res).NotTo(BeNil(), "result object missing")
	Expect(res["code"]).To(BeAssignableToTypeOf(""), "result.code missing")
	Expect(res["description"]).To(BeAssignableToTypeOf(""), "result.description missing")
	if ts, ok := m["timestamp"]; ok {
		Expect(ts).To(MatchRegexp(oppwa.TimestampPattern.String()), "timestamp not YYYY-MM-DD HH:MM:SS+0000")
	}
	if sent.PaymentType != "" {
		Expect(m["paymentType"]).To(Equal(sent.PaymentType), "paymentType not echoed as sent")
	}
	if sent.Brand != "" {
		Expect(m["paymentBrand"]).To(Equal(sent.Brand), "paymentBrand not echoed as sent")
	}
	expectEchoes(m, sent, fixtures.Load().OutcomeOf(r.Payment.Result.Code) == fixtures.Rejected)
	expectOptionalBlocks(m)
	if sent.MerchantTransactionID != "" {
		Expect(m["merchantTransactionId"]).To(Equal(sent.MerchantTransactionID), "merchantTransactionId not echoed")
	}
	if sent.PAN != "" {
		ExpectMaskedCard(r, sent.PAN)
	}
}

// expectEchoes asserts the echo of amount and currency; on a rejection each is checked
// only where the reply carries it (claim rejection-echoes).
func expectEchoes(m map[string]any, sent Sent, rejected bool) {
	GinkgoHelper()
	shape := ""
	if rejected {
		shape = "rejection-echoes"
	}
	if sent.Amount != "" && required(m, "amount", shape) {
		Expect(m["amount"]).To(BeAssignableToTypeOf(""), "amount missing or not a string")
		Expect(m["amount"]).To(MatchRegexp(oppwa.AmountPattern.String()), "amount is not a string with two decimals")
		Expect(m["amount"]).To(Equal(TwoDecimals(sent.Amount)), "amount not echoed as sent")
	}
	if sent.Currency != "" && required(m, "currency", shape) {
		Expect(m["currency"]).To(Equal(sent.Currency), "currency not echoed as sent")
	}
}

// expectOptionalBlocks checks the fields no reply promises but every one may carry:
// when present, descriptor is a non-empty string (with or without the trailing space
// recordings show on initial payments) and risk an object whose score is a string.
func expectOptionalBlocks(m map[string]any) {
	GinkgoHelper()
	if d, ok := m["descriptor"]; ok {
		Expect(d).To(And(BeAssignableToTypeOf(""), Not(BeEmpty())), "descriptor is not a non-empty string")
	}
	if rk, ok := m["risk"]; ok {
		risk, isObject := rk.(map[string]any)
		Expect(isObject).To(BeTrue(), "risk is not an object")
		if score, ok := risk["score"]; ok {
			Expect(score).To(BeAssignableToTypeOf(""), "risk.score is not a string")
		}
	}
}

// ExpectReferencedID asserts that a backoffice reply names the transaction it acts on,
// as the claim backoffice-referenced-id allows: required where held exactly, else
// checked when present (the recordings and a newer connector disagree on it).
func ExpectReferencedID(r *oppwa.Response, refID string) {
	GinkgoHelper()
	if required(r.JSON, "referencedId", "backoffice-referenced-id") {
		Expect(r.JSON["referencedId"]).To(Equal(refID), "referencedId missing or not the original transaction")
	}
}

// ExpectMaskedCard asserts that a reply never carries the full card number and, when
// it has a card block, shows the documented bin and last4Digits.
func ExpectMaskedCard(r *oppwa.Response, pan string) {
	GinkgoHelper()
	if strings.Contains(string(r.Body), pan) {
		// Say it without repeating the number: this message lands in reports.
		FailHandler(fmt.Sprintf("reply contains the full card number %s; the platform promises bin and last4Digits only", oppwa.MaskPAN(pan)))
	}
	card, ok := r.JSON["card"].(map[string]any)
	if !ok {
		return
	}
	Expect(card["bin"]).To(Equal(pan[:6]), "card.bin is not the first six digits")
	Expect(card["last4Digits"]).To(Equal(pan[len(pan)-4:]), "card.last4Digits is not the last four digits")
}

// ExpectRedirect asserts a well-formed async redirect: an absolute URL, a method that
// is GET, POST or absent, and parameters as name/value strings.
func ExpectRedirect(r *oppwa.Response) oppwa.Redirect {
	GinkgoHelper()
	red, ok := r.JSON["redirect"].(map[string]any)
	Expect(ok).To(BeTrue(), "pending async reply has no redirect object")
	raw, _ := red["url"].(string)
	u, err := url.Parse(raw)
	Expect(err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "").To(BeTrue(), "redirect.url %q is not an absolute http(s) URL", raw)
	if m, present := red["method"]; present {
		Expect(m).To(BeElementOf("GET", "POST"), "redirect.method must be GET or POST (or absent, meaning POST)")
	}
	expectRedirectParameters(red["parameters"])
	Expect(r.Payment.Redirect).NotTo(BeNil())
	return *r.Payment.Redirect
}

// expectRedirectParameters accepts the documented array of {name, value} strings, or
// null or absent; on a graded run also the object of name to string a recording shows.
// The typed reply already failed the call for any other shape, naming the field.
func expectRedirectParameters(ps any) {
	GinkgoHelper()
	switch v := ps.(type) {
	case nil:
	case []any:
		for _, p := range v {
			pm, ok := p.(map[string]any)
			Expect(ok).To(BeTrue(), "redirect parameter is not an object")
			Expect(pm["name"]).To(BeAssignableToTypeOf(""), "redirect parameter without a name")
			Expect(pm["value"]).To(BeAssignableToTypeOf(""), "redirect parameter %v without a string value", pm["name"])
		}
	case map[string]any:
		Expect(Graded()).To(BeTrue(), "redirect.parameters is an object, not the documented array of {name, value}")
		for name, value := range v {
			Expect(value).To(Or(BeNil(), BeAssignableToTypeOf("")), "redirect parameter %s is not a string", name)
		}
	default:
		FailHandler(fmt.Sprintf("redirect.parameters is neither an array nor an object but %T", ps))
	}
}

// ExpectNoRedirect asserts a sync reply: final, with no redirect.
func ExpectNoRedirect(r *oppwa.Response) {
	GinkgoHelper()
	Expect(r.JSON).NotTo(HaveKey("redirect"), "a sync brand's reply must not redirect the shopper")
}

// ExpectReturn asserts what the shopper brought back to the shopperResultUrl: the
// documented resourcePath=/v1/payments/{id}, and the payment's id beside it. The
// documentation promises resourcePath only, so on a real target id is checked only
// when present; the embedded sandbox always sends it and is held to it.
func ExpectReturn(ret ShopperReturn, paymentID string) {
	GinkgoHelper()
	Expect(ret.ResourcePath).To(MatchRegexp(oppwa.ResourcePathPattern.String()), "resourcePath %q is not /v1/payments/{32 hex}", ret.ResourcePath)
	Expect(ret.ResourcePath).To(HaveSuffix("/"+paymentID), "resourcePath does not name the payment the shopper paid")
	if ret.ID != "" || !Graded() {
		Expect(ret.ID).To(Equal(paymentID), "id at the shopperResultUrl is missing or not the payment's id")
	}
}

// ParameterErrorCode is the code of a format error (200.300.404, recorded), from the
// fixtures/codes.json entry the sandbox answers too.
func ParameterErrorCode() string { return fixtures.Load().Code(fixtures.CodeParameterError) }

// ExpectParameterError asserts a documented format error naming param.
func ExpectParameterError(r *oppwa.Response, param string) {
	GinkgoHelper()
	Expect(r.HTTPStatus).To(Equal(400), "format errors answer HTTP 400")
	want := ParameterErrorCode()
	Expect(r.Payment.Result.Code).To(Equal(want), "format errors answer %s", want)
	names := make([]string, 0, len(r.Payment.Result.ParameterErrors))
	for _, pe := range r.Payment.Result.ParameterErrors {
		names = append(names, pe.Name)
		if pe.Name == param {
			Expect(pe.Message).NotTo(BeEmpty(), "parameterErrors entry for %s has no message", param)
		}
	}
	Expect(names).To(ContainElement(param), "result.parameterErrors does not name %s", param)
}

// TwoDecimals renders an amount as the platform echoes it ("92" -> "92.00").
func TwoDecimals(a string) string {
	if !strings.Contains(a, ".") {
		return a + ".00"
	}
	return a
}

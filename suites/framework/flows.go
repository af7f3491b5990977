package framework

import (
	"context"
	"net/url"

	. "github.com/onsi/ginkgo/v2" //nolint:revive
	. "github.com/onsi/gomega"    //nolint:revive

	"github.com/oppwa-conformance/oppwa-conformance/drivers/oppwa"
	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
)

// CardBrand returns the first configured sync card brand, or skips the spec: flows that
// need any card (backoffice, negative) use it.
func CardBrand() fixtures.Brand {
	GinkgoHelper()
	for _, b := range Brands(fixtures.Sync) {
		if b.Kind == "card" {
			if _, ok := fixtures.Load().TestCardOf(b); ok {
				return b
			}
		}
	}
	Skip("no sync card brand configured in OPPWA_BRANDS")
	return fixtures.Brand{}
}

// AsyncBrand returns the first configured async brand, or skips the spec.
func AsyncBrand() fixtures.Brand {
	GinkgoHelper()
	bs := Brands(fixtures.Async)
	if len(bs) == 0 {
		Skip("no async brand configured in OPPWA_BRANDS")
	}
	return bs[0]
}

// CardPayment sends a successful-by-contract card payment of amount and asserts it
// succeeded; extra parameters override the defaults.
func (s *Spec) CardPayment(ctx context.Context, paymentType, amount string, extra url.Values) *oppwa.Response {
	GinkgoHelper()
	b := CardBrand()
	params, card, err := Payment(b, s.MerchantTransactionID(), "")
	Expect(err).NotTo(HaveOccurred())
	params.Set("paymentType", paymentType)
	params.Set("amount", amount)
	for k, vs := range extra {
		params[k] = vs
	}
	r, err := s.Client.Pay(ctx, params)
	s.NoError(err, "POST /v1/payments ("+paymentType+")")
	s.Note(r.Payment)
	ExpectTransaction(r, Sent{PaymentType: paymentType, Brand: b.Name, Amount: amount, Currency: params.Get("currency"), PAN: card.Number})
	ExpectOutcome(r.Payment.Result.Code, fixtures.Success)
	return r
}

// ExpectCode asserts that code is one of the documented codes for a case; where the
// documentation leaves room, the caller lists every documented candidate.
func ExpectCode(code string, documented ...string) {
	GinkgoHelper()
	Expect(documented).To(ContainElement(code), "result.code %s (%s) is not the documented %v", code, fixtures.Load().GroupName(code), documented)
}

// PendingAsyncPayment starts a DB with the first configured async brand and asserts it
// is pending: a payment waiting for its shopper, which specs then poke at.
func (s *Spec) PendingAsyncPayment(ctx context.Context) *oppwa.Response {
	GinkgoHelper()
	b := AsyncBrand()
	_, resultURL := s.ResultURL()
	params, _, err := Payment(b, s.MerchantTransactionID(), resultURL)
	Expect(err).NotTo(HaveOccurred())
	params.Set("paymentType", "DB")
	r := s.Call(s.Client.Pay(ctx, params))
	ExpectOutcome(r.Payment.Result.Code, fixtures.Pending)
	return r
}

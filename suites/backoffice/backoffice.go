// Package backoffice checks the life cycle of a payment after it was made: captures,
// refunds and reversals, and every documented refusal of an illegal transition.
package backoffice

import (
	"crypto/rand"
	"encoding/hex"

	. "github.com/onsi/ginkgo/v2" //nolint:revive
	. "github.com/onsi/gomega"    //nolint:revive

	"github.com/oppwa-conformance/oppwa-conformance/drivers/oppwa"
	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	fw "github.com/oppwa-conformance/oppwa-conformance/suites/framework"
)

// backofficeOK asserts an accepted backoffice reply: a new transaction of the operation's
// type, referencing the original.
func backofficeOK(r *oppwa.Response, op, amount, currency, refID string) {
	GinkgoHelper()
	fw.ExpectTransaction(r, fw.Sent{PaymentType: op, Amount: amount, Currency: currency})
	fw.ExpectOutcome(r.Payment.Result.Code, fixtures.Success)
	Expect(r.Payment.ID).NotTo(Equal(refID), "a %s is a new transaction with its own id", op)
	fw.ExpectReferencedID(r, refID)
}

// refused asserts a refusal as the named claim of fixtures/claims.json allows.
func refused(s *fw.Spec, r *oppwa.Response, claim string) {
	GinkgoHelper()
	fw.ExpectOutcome(r.Payment.Result.Code, fixtures.Rejected)
	s.ExpectClaim(claim, r)
}

// statusShows looks a transaction up and asserts its current result.
func statusShows(ctx SpecContext, s *fw.Spec, id, paymentType string, want fixtures.Outcome) *oppwa.Response {
	GinkgoHelper()
	st, err := s.Client.Status(ctx, id)
	s.NoError(err, "GET /v1/payments/{id}")
	Expect(st.Payment.ID).To(Equal(id), "status lookup answered for another transaction")
	Expect(st.Payment.PaymentType).To(Equal(paymentType), "status lookup shows another paymentType")
	fw.ExpectOutcome(st.Payment.Result.Code, want)
	return st
}

func unknownID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

var _ = Describe("Backoffice life cycle", Label("backoffice"), func() {
	fw.Conformance(fw.Meta{ID: "S2S-BO-001", Flow: "CP"}, "MUST accept several partial captures up to the PA amount and refuse a capture beyond it with a reference-validation code (700.*)", partialCapturesUpToThePA)
	fw.Conformance(fw.Meta{ID: "S2S-BO-002", Flow: "RF"}, "MUST accept partial and repeated refunds of a DB up to its amount and refuse a refund above the remaining volume with a reference-validation code (700.*)", partialRefundsUpToTheDebit)
	fw.Conformance(fw.Meta{ID: "S2S-BO-003", Flow: "RF"}, "MUST accept a refund after a capture and refuse one above the captured volume with a reference-validation code (700.*)", refundAfterCapture)
	fw.Conformance(fw.Meta{ID: "S2S-BO-004", Flow: "RV"}, "MUST reverse a PA, then refuse a capture of it and a second reversal", reversalEndsThePA)
	fw.Conformance(fw.Meta{ID: "S2S-BO-005", Flow: "CP"}, "MUST refuse a capture of a DB (capture needs a successful PA)", noCaptureOfADebit)
	fw.Conformance(fw.Meta{ID: "S2S-BO-006", Flow: "backoffice-refusal"}, "MUST refuse a capture, refund or reversal of an unknown reference with its documented 700.* code", unknownReferenceRefused)
	fw.Conformance(fw.Meta{ID: "S2S-BO-007", Flow: "CP"}, "MUST refuse a capture in another currency than the PA's with a reference-validation code (700.*)", captureInAnotherCurrencyRefused)
	fw.Conformance(fw.Meta{ID: "S2S-BO-008", Flow: "backoffice-refusal"}, "MUST refuse a capture or refund of a payment still pending in the async workflow with a reference-validation code (700.*)", Label("async"), pendingPaymentRefused)
	fw.Conformance(fw.Meta{ID: "S2S-BO-009", Flow: "backoffice-refusal"}, "MUST refuse a capture without a reference id (POST /v1/payments/) with HTTP 400, 200.300.404 and a parameterErrors entry for paymentType", emptyReferenceRefused)
})

func partialCapturesUpToThePA(ctx SpecContext) {
	s := fw.Begin(ctx)
	cur := fw.CurrencyOf(fw.CardBrand())
	pa := s.CardPayment(ctx, "PA", fw.Amount, nil)
	for _, amt := range []string{"30.00", "30.00", "32.00"} {
		By("capturing " + amt)
		cp := s.Call(s.Client.Capture(ctx, pa.Payment.ID, amt, cur, nil))
		backofficeOK(cp, "CP", amt, cur, pa.Payment.ID)
	}
	By("capturing 0.01 beyond the PA amount")
	over := s.Call(s.Client.Capture(ctx, pa.Payment.ID, "0.01", cur, nil))
	refused(s, over, "capture-beyond-authorized")
	statusShows(ctx, s, pa.Payment.ID, "PA", fixtures.Success)
}

func partialRefundsUpToTheDebit(ctx SpecContext) {
	s := fw.Begin(ctx)
	cur := fw.CurrencyOf(fw.CardBrand())
	db := s.CardPayment(ctx, "DB", fw.Amount, nil)
	var last *oppwa.Response
	for _, amt := range []string{"50.00", "42.00"} {
		By("refunding " + amt)
		rf := s.Call(s.Client.Refund(ctx, db.Payment.ID, amt, cur, nil))
		backofficeOK(rf, "RF", amt, cur, db.Payment.ID)
		last = rf
	}
	By("refunding 0.01 more than was debited")
	over := s.Call(s.Client.Refund(ctx, db.Payment.ID, "0.01", cur, nil))
	refused(s, over, "refund-beyond-volume")
	statusShows(ctx, s, last.Payment.ID, "RF", fixtures.Success)
}

func refundAfterCapture(ctx SpecContext) {
	s := fw.Begin(ctx)
	cur := fw.CurrencyOf(fw.CardBrand())
	pa := s.CardPayment(ctx, "PA", fw.Amount, nil)
	cp := s.Call(s.Client.Capture(ctx, pa.Payment.ID, "60.00", cur, nil))
	backofficeOK(cp, "CP", "60.00", cur, pa.Payment.ID)
	rf := s.Call(s.Client.Refund(ctx, cp.Payment.ID, "20.00", cur, nil))
	backofficeOK(rf, "RF", "20.00", cur, cp.Payment.ID)
	over := s.Call(s.Client.Refund(ctx, cp.Payment.ID, "40.01", cur, nil))
	refused(s, over, "refund-beyond-volume")
	statusShows(ctx, s, rf.Payment.ID, "RF", fixtures.Success)
}

func reversalEndsThePA(ctx SpecContext) {
	s := fw.Begin(ctx)
	cur := fw.CurrencyOf(fw.CardBrand())
	pa := s.CardPayment(ctx, "PA", fw.Amount, nil)
	rv := s.Call(s.Client.Reverse(ctx, pa.Payment.ID, nil))
	// A reversal voids the whole authorisation and echoes its amount.
	backofficeOK(rv, "RV", "", cur, pa.Payment.ID)
	By("capturing the reversed PA")
	cp := s.Call(s.Client.Capture(ctx, pa.Payment.ID, "10.00", cur, nil))
	// 700.400.100 reads "PA value exceeded or PA reverted"; 700.300.300 "already
	// ... reversed" is the documented neighbour.
	refused(s, cp, "capture-after-reversal")
	By("reversing it again")
	rv2 := s.Call(s.Client.Reverse(ctx, pa.Payment.ID, nil))
	refused(s, rv2, "second-reversal")
	statusShows(ctx, s, rv.Payment.ID, "RV", fixtures.Success)
}

func noCaptureOfADebit(ctx SpecContext) {
	s := fw.Begin(ctx)
	cur := fw.CurrencyOf(fw.CardBrand())
	db := s.CardPayment(ctx, "DB", fw.Amount, nil)
	cp := s.Call(s.Client.Capture(ctx, db.Payment.ID, "10.00", cur, nil))
	refused(s, cp, "capture-of-debit")
	statusShows(ctx, s, db.Payment.ID, "DB", fixtures.Success)
}

func unknownReferenceRefused(ctx SpecContext) {
	s := fw.Begin(ctx)
	cur := fw.CurrencyOf(fw.CardBrand())
	id := unknownID()
	cp, err := s.Client.Capture(ctx, id, "10.00", cur, nil)
	s.NoError(err, "capture of an unknown id")
	refused(s, cp, "capture-unknown-id")
	rf, err := s.Client.Refund(ctx, id, "10.00", cur, nil)
	s.NoError(err, "refund of an unknown id")
	refused(s, rf, "refund-unknown-id")
	rv, err := s.Client.Reverse(ctx, id, nil)
	s.NoError(err, "reversal of an unknown id")
	refused(s, rv, "reversal-unknown-id")
}

func captureInAnotherCurrencyRefused(ctx SpecContext) {
	s := fw.Begin(ctx)
	cur := fw.CurrencyOf(fw.CardBrand())
	pa := s.CardPayment(ctx, "PA", fw.Amount, nil)
	other := "USD"
	if cur == "USD" {
		other = "EUR"
	}
	cp := s.Call(s.Client.Capture(ctx, pa.Payment.ID, "10.00", other, nil))
	refused(s, cp, "capture-other-currency")
	statusShows(ctx, s, pa.Payment.ID, "PA", fixtures.Success)
}

func pendingPaymentRefused(ctx SpecContext) {
	s := fw.Begin(ctx)
	cur := fw.CurrencyOf(fw.CardBrand())
	r := s.PendingAsyncPayment(ctx)
	rf := s.Call(s.Client.Refund(ctx, r.Payment.ID, "10.00", cur, nil))
	refused(s, rf, "backoffice-on-pending")
	cp, err := s.Client.Capture(ctx, r.Payment.ID, "10.00", cur, nil)
	s.NoError(err, "capture of a pending payment")
	refused(s, cp, "backoffice-on-pending")
}

// emptyReferenceRefused sends a capture to /v1/payments/ with an empty id: recorded as
// a format error naming paymentType, the platform reading it as an initial payment,
// whose type cannot be CP (claim backoffice-empty-id).
func emptyReferenceRefused(ctx SpecContext) {
	s := fw.Begin(ctx)
	cp, err := s.Client.Capture(ctx, "", "10.00", fw.CurrencyOf(fw.CardBrand()), nil)
	s.NoError(err, "capture with an empty id (POST /v1/payments/)")
	s.ExpectParameterClaim("backoffice-empty-id", cp, "paymentType")
}

// Package registration checks what a merchant needs beyond the first payment: registration
// tokens (tokenisation during a payment and standalone, payments with a token, lookup,
// deletion, isolation between merchants), standing instructions (an initial
// customer-initiated payment, then merchant-initiated repeats) and credits (CD).
package registration

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"

	. "github.com/onsi/ginkgo/v2" //nolint:revive
	. "github.com/onsi/gomega"    //nolint:revive

	"github.com/oppwa-conformance/oppwa-conformance/config"
	"github.com/oppwa-conformance/oppwa-conformance/drivers/oppwa"
	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	fw "github.com/oppwa-conformance/oppwa-conformance/suites/framework"
)

// tokenAmount is what token payments charge: less than fw.Amount, so a capture and a
// refund of part of it read apart from the tokenising payment in the transcript.
const tokenAmount = "25.00"

var _ = Describe("Registration tokens", Label("registration"), func() {
	fw.Conformance(fw.Meta{ID: "S2S-REG-001", Flow: "registration"}, "MUST tokenise during a PA and a DB with createRegistration=true: the reply carries a registrationId of 32 lowercase hex, other than the payment's id", tokeniseDuringPayment)
	fw.Conformance(fw.Meta{ID: "S2S-REG-002", Flow: "registration"}, "MUST tokenise card data without a payment (POST /v1/registrations, no paymentType): the reply's id is the token, its card shows bin and last4Digits and never the full number", tokeniseStandalone)
	fw.Conformance(fw.Meta{ID: "S2S-REG-003", Flow: "registration"}, "MUST pay with a token as with card data (POST /v1/registrations/{id}/payments): a PA then its capture and refund, a DB then its refund, each a transaction of its own", payWithToken)
	fw.Conformance(fw.Meta{ID: "S2S-REG-004", Flow: "registration"}, "MUST delete a token (DELETE /v1/registrations/{id}) and then refuse payments with it with a registration-validation code (100.150.*)", deletedTokenRefused)
	fw.Conformance(fw.Meta{ID: "S2S-REG-005", Flow: "registration"}, "MUST keep a token invisible to another merchant: its lookup, payment and deletion are refused as for an unknown token, and the owner's token pays on", tokenIsolated)
	fw.Conformance(fw.Meta{ID: "S2S-REG-006", Flow: "registration"}, "MUST answer a token lookup (GET /v1/registrations/{id}) with the token and its masked card, never the full number",
		// The lookup's path is only in a secondary catalogue and its reply is not public.
		Label("simulator-only"), tokenLookup)
	fw.Conformance(fw.Meta{ID: "S2S-REG-007", Flow: "registration"}, "MUST refuse a payment with an unknown token with a registration-validation code (100.150.*)", unknownTokenRefused)
})

var _ = Describe("Standing instructions", Label("recurring"), func() {
	DescribeTable("an initial CIT payment that stores the token, then merchant-initiated repeats with it",
		initialThenRepeats,
		fw.Case(fw.Meta{ID: "S2S-REC-001", Flow: "recurring"}, "MUST accept an initial CIT payment (standingInstruction INITIAL, UNSCHEDULED, CIT) that stores a token, then a merchant-initiated REPEATED payment with the token", "UNSCHEDULED"),
		fw.Case(fw.Meta{ID: "S2S-REC-002", Flow: "recurring"}, "MUST accept an initial CIT payment (standingInstruction INITIAL, RECURRING, CIT) that stores a token, then a merchant-initiated REPEATED payment with the token", "RECURRING"),
		fw.Case(fw.Meta{ID: "S2S-REC-003", Flow: "recurring"}, "MUST accept an initial CIT payment (standingInstruction INITIAL, INSTALLMENT, CIT) that stores a token, then a merchant-initiated REPEATED payment with the token", "INSTALLMENT"),
	)
	fw.Conformance(fw.Meta{ID: "S2S-REC-004", Flow: "recurring"}, "MUST refuse a merchant-initiated REPEATED payment with a token no initial CIT payment set up, and without standingInstruction.initialTransactionId",
		// No public source says a real account refuses it: skipped there rather than a false red.
		Label("simulator-only"), repeatWithoutInitialRefused)
	fw.Conformance(fw.Meta{ID: "S2S-REC-005", Flow: "recurring"}, "MUST refuse a standingInstruction mode, type or source outside the documented values with a parameter error naming it",
		// That such a value is refused at all is the sandbox's choice.
		Label("simulator-only"), standingInstructionValuesChecked)
})

var _ = Describe("Credits", Label("CD"), func() {
	fw.Conformance(fw.Meta{ID: "S2S-CD-001", Flow: "CD"}, "MUST credit a card (paymentType CD) with a success code, echo the type, amount and currency, and show the same credit on its status lookup", creditToCard)
	fw.Conformance(fw.Meta{ID: "S2S-CD-002", Flow: "CD"}, "MUST refuse a credit to a card number that fails the Luhn check with an account-validation code (100.100.*)", creditLuhnRefused)
})

// cardData is the configured card brand's test card as request parameters, without a
// payment: what a standalone tokenisation sends.
func cardData(s *fw.Spec) (url.Values, fixtures.Card) {
	GinkgoHelper()
	p, card, err := fixtures.Load().RegistrationParams(fw.CardBrand())
	Expect(err).NotTo(HaveOccurred())
	p.Set("merchantTransactionId", s.MerchantTransactionID())
	return p, card
}

// register tokenises the test card standalone and asserts it succeeded; extra
// parameters are added to the request.
func register(ctx context.Context, s *fw.Spec, extra url.Values) (*oppwa.Response, fixtures.Card) {
	GinkgoHelper()
	p, card := cardData(s)
	for k, vs := range extra {
		p[k] = vs
	}
	r, err := s.Client.Register(ctx, p)
	s.NoError(err, "POST /v1/registrations")
	fw.ExpectOutcome(r.Payment.Result.Code, fixtures.Success)
	Expect(r.Payment.ID).To(MatchRegexp(oppwa.IDPattern.String()), "the token (id) is not 32 lowercase hex")
	fw.ExpectMaskedCard(r, card.Number)
	return r, card
}

// tokenPayment pays with token; extra parameters (standingInstruction.*) are added.
func tokenPayment(ctx context.Context, s *fw.Spec, token, paymentType string, extra url.Values) *oppwa.Response {
	GinkgoHelper()
	p := url.Values{"paymentType": {paymentType}, "amount": {tokenAmount},
		"currency": {fw.CurrencyOf(fw.CardBrand())}, "merchantTransactionId": {s.MerchantTransactionID()}}
	for k, vs := range extra {
		p[k] = vs
	}
	return s.Call(s.Client.PayWithToken(ctx, token, p))
}

// paidWithToken asserts an accepted token payment: a transaction of its own with the
// type, amount and currency sent.
func paidWithToken(r *oppwa.Response, paymentType, token string) {
	GinkgoHelper()
	fw.ExpectTransaction(r, fw.Sent{PaymentType: paymentType, Amount: tokenAmount, Currency: fw.CurrencyOf(fw.CardBrand())})
	fw.ExpectOutcome(r.Payment.Result.Code, fixtures.Success)
	Expect(r.Payment.ID).NotTo(Equal(token), "a payment with a token is a transaction of its own, not the token")
}

func unknownID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func tokeniseDuringPayment(ctx SpecContext) {
	s := fw.Begin(ctx)
	fw.Requires(config.Registration)
	for _, pt := range []string{"PA", "DB"} {
		By("a " + pt + " with createRegistration=true")
		r := s.CardPayment(ctx, pt, fw.Amount, url.Values{"createRegistration": {"true"}})
		Expect(r.Payment.RegistrationID).To(MatchRegexp(oppwa.IDPattern.String()), "registrationId missing or not 32 lowercase hex")
		Expect(r.Payment.RegistrationID).NotTo(Equal(r.Payment.ID), "registrationId is the payment's own id")
	}
}

func tokeniseStandalone(ctx SpecContext) {
	s := fw.Begin(ctx)
	fw.Requires(config.Registration)
	// register asserts the token's format and masked card; a card block must not
	// carry a number field at all, whatever it holds.
	r, _ := register(ctx, s, nil)
	if c, ok := r.JSON["card"].(map[string]any); ok {
		Expect(c).NotTo(HaveKey("number"), "the token's card block carries a number field")
	}
}

func payWithToken(ctx SpecContext) {
	s := fw.Begin(ctx)
	fw.Requires(config.Registration)
	cur := fw.CurrencyOf(fw.CardBrand())
	reg, card := register(ctx, s, nil)
	pa := tokenPayment(ctx, s, reg.Payment.ID, "PA", nil)
	paidWithToken(pa, "PA", reg.Payment.ID)
	fw.ExpectMaskedCard(pa, card.Number)
	By("capturing and refunding the token PA by its own id")
	cp := s.Call(s.Client.Capture(ctx, pa.Payment.ID, tokenAmount, cur, nil))
	fw.ExpectOutcome(cp.Payment.Result.Code, fixtures.Success)
	rf := s.Call(s.Client.Refund(ctx, cp.Payment.ID, "5.00", cur, nil))
	fw.ExpectOutcome(rf.Payment.Result.Code, fixtures.Success)
	By("a token DB and its refund")
	db := tokenPayment(ctx, s, reg.Payment.ID, "DB", nil)
	paidWithToken(db, "DB", reg.Payment.ID)
	rf2 := s.Call(s.Client.Refund(ctx, db.Payment.ID, tokenAmount, cur, nil))
	fw.ExpectOutcome(rf2.Payment.Result.Code, fixtures.Success)
}

func deletedTokenRefused(ctx SpecContext) {
	s := fw.Begin(ctx)
	fw.Requires(config.Registration)
	reg, _ := register(ctx, s, nil)
	paidWithToken(tokenPayment(ctx, s, reg.Payment.ID, "DB", nil), "DB", reg.Payment.ID)
	del, err := s.Client.DeleteRegistration(ctx, reg.Payment.ID)
	s.NoError(err, "DELETE /v1/registrations/{id}")
	fw.ExpectOutcome(del.Payment.Result.Code, fixtures.Success)
	By("paying with the deleted token")
	r := tokenPayment(ctx, s, reg.Payment.ID, "DB", nil)
	s.ExpectClaim("token-deleted", r)
}

func tokenIsolated(ctx SpecContext) {
	s := fw.Begin(ctx)
	fw.Requires(config.Registration)
	fw.Requires(config.SecondMerchant)
	reg, _ := register(ctx, s, nil)
	tok := reg.Payment.ID
	By("the other merchant looking the token up")
	got, err := s.Other.Registration(ctx, tok)
	s.NoError(err, "GET /v1/registrations/{id} as the other merchant")
	s.ExpectClaim("token-foreign", got)
	Expect(got.JSON).NotTo(HaveKey("card"), "the other merchant's lookup shows the token's card")
	By("the other merchant paying with it")
	p := url.Values{"paymentType": {"DB"}, "amount": {tokenAmount}, "currency": {fw.CurrencyOf(fw.CardBrand())}}
	pay, err := s.Other.PayWithToken(ctx, tok, p)
	s.NoError(err, "POST /v1/registrations/{id}/payments as the other merchant")
	s.ExpectClaim("token-foreign", pay)
	By("the other merchant deleting it")
	del, err := s.Other.DeleteRegistration(ctx, tok)
	s.NoError(err, "DELETE /v1/registrations/{id} as the other merchant")
	s.ExpectClaim("token-foreign", del)
	paidWithToken(tokenPayment(ctx, s, tok, "DB", nil), "DB", tok)
}

func tokenLookup(ctx SpecContext) {
	s := fw.Begin(ctx)
	fw.Requires(config.Registration)
	reg, card := register(ctx, s, nil)
	got, err := s.Client.Registration(ctx, reg.Payment.ID)
	s.NoError(err, "GET /v1/registrations/{id}")
	fw.ExpectOutcome(got.Payment.Result.Code, fixtures.Success)
	Expect(got.Payment.ID).To(Equal(reg.Payment.ID), "the lookup answered for another token")
	fw.ExpectMaskedCard(got, card.Number)
}

func unknownTokenRefused(ctx SpecContext) {
	s := fw.Begin(ctx)
	fw.Requires(config.Registration)
	r := tokenPayment(ctx, s, unknownID(), "DB", nil)
	s.ExpectClaim("token-unknown", r)
}

// standing returns the standingInstruction parameters of one payment. A RECURRING
// instruction also says which kind of recurring it is: Peach's card-on-file support
// article (support.peachpayments.com ... articles/47001209008, cited for S2S-REC-002
// in fixtures/evidence.json) names standingInstruction.recurringType, SUBSCRIPTION or
// STANDING_ORDER, for RECURRING; an account that requires it refuses a payment without.
func standing(mode, kind, source string) url.Values {
	v := url.Values{"standingInstruction.mode": {mode}, "standingInstruction.type": {kind}, "standingInstruction.source": {source}}
	if kind == "RECURRING" {
		v.Set("standingInstruction.recurringType", "SUBSCRIPTION")
	}
	return v
}

func initialThenRepeats(ctx SpecContext, kind string) {
	s := fw.Begin(ctx)
	fw.Requires(config.Registration)
	initial := standing("INITIAL", kind, "CIT")
	initial.Set("createRegistration", "true")
	By("the initial customer-initiated payment, storing the token")
	first := s.CardPayment(ctx, "DB", fw.Amount, initial)
	tok := first.Payment.RegistrationID
	Expect(tok).To(MatchRegexp(oppwa.IDPattern.String()), "the initial payment stored no token (registrationId)")
	for i := 1; i <= 2; i++ {
		By("a merchant-initiated repeat with the token")
		paidWithToken(tokenPayment(ctx, s, tok, "DB", standing("REPEATED", kind, "MIT")), "DB", tok)
	}
}

func repeatWithoutInitialRefused(ctx SpecContext) {
	s := fw.Begin(ctx)
	fw.Requires(config.Registration)
	reg, _ := register(ctx, s, nil)
	r := tokenPayment(ctx, s, reg.Payment.ID, "DB", standing("REPEATED", "UNSCHEDULED", "MIT"))
	s.ExpectClaim("repeat-without-initial", r)
}

func standingInstructionValuesChecked(ctx SpecContext) {
	s := fw.Begin(ctx)
	fw.Requires(config.Registration)
	for _, bad := range []struct{ param, value string }{
		{"standingInstruction.mode", "SOMETIMES"},
		{"standingInstruction.type", "WEEKLY"},
		{"standingInstruction.source", "BANK"},
	} {
		By(bad.param + "=" + bad.value)
		p, _, err := fw.Payment(fw.CardBrand(), s.MerchantTransactionID(), "")
		Expect(err).NotTo(HaveOccurred())
		p.Set("paymentType", "DB")
		for k, vs := range standing("INITIAL", "UNSCHEDULED", "CIT") {
			p[k] = vs
		}
		p.Set(bad.param, bad.value)
		r := s.Call(s.Client.Pay(ctx, p))
		s.ExpectParameterClaim("standing-instruction-value", r, bad.param)
	}
}

func creditToCard(ctx SpecContext) {
	s := fw.Begin(ctx)
	fw.Requires(config.Credit)
	cd := s.CardPayment(ctx, "CD", fw.Amount, nil)
	st, err := s.Client.Status(ctx, cd.Payment.ID)
	s.NoError(err, "GET /v1/payments/{id}")
	fw.ExpectTransaction(st, fw.Sent{PaymentType: "CD", Amount: fw.Amount, Currency: fw.CurrencyOf(fw.CardBrand())})
	Expect(st.Payment.ID).To(Equal(cd.Payment.ID), "status lookup answered for another transaction")
	fw.ExpectOutcome(st.Payment.Result.Code, fixtures.Success)
}

func creditLuhnRefused(ctx SpecContext) {
	s := fw.Begin(ctx)
	fw.Requires(config.Credit)
	p, card, err := fw.Payment(fw.CardBrand(), s.MerchantTransactionID(), "")
	Expect(err).NotTo(HaveOccurred())
	p.Set("paymentType", "CD")
	// The test card with its last digit changed: the Luhn check fails.
	n := card.Number
	p.Set("card.number", n[:len(n)-1]+string('0'+(n[len(n)-1]-'0'+1)%10))
	r := s.Call(s.Client.Pay(ctx, p))
	s.ExpectClaim("credit-luhn-failure", r)
}

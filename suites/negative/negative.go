// Package negative checks that every way a request can be wrong is answered the
// documented way: authentication, isolation between merchants, format errors, card
// checks, misplaced parameters and forced declines of every rejection group.
package negative

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive
	. "github.com/onsi/gomega"    //nolint:revive

	"github.com/oppwa-conformance/oppwa-conformance/config"
	"github.com/oppwa-conformance/oppwa-conformance/drivers/oppwa"
	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	fw "github.com/oppwa-conformance/oppwa-conformance/suites/framework"
)

// cardParams is a complete, valid card payment for the first configured card brand.
func cardParams(s *fw.Spec) (url.Values, fixtures.Card) {
	GinkgoHelper()
	b := fw.CardBrand()
	p, card, err := fw.Payment(b, s.MerchantTransactionID(), "")
	Expect(err).NotTo(HaveOccurred())
	p.Set("paymentType", "DB")
	return p, card
}

// authRefused asserts the answer to bad credentials as the named claim allows (code
// and HTTP status); a format refusal, recorded without credentials, names the
// parameter authentication.
func authRefused(s *fw.Spec, r *oppwa.Response, claim string) {
	GinkgoHelper()
	fw.ExpectNoSuccess(r)
	if r.Payment.Result.Code == fw.ParameterErrorCode() && fw.Graded() {
		// Recorded for a request without any credentials: a parameter error.
		s.ExpectParameterClaim(claim, r, "authentication")
		return
	}
	s.ExpectClaim(claim, r)
}

var _ = Describe("Authentication and isolation", Label("negative", "auth"), func() {
	fw.Conformance(fw.Meta{ID: "S2S-NEG-AUTH-001", Flow: "auth"}, "MUST refuse a payment without an access token (800.900.* with HTTP 401/403, or HTTP 400 naming authentication)", func(ctx SpecContext) {
		s := fw.Begin(ctx)
		p, _ := cardParams(s)
		r, err := s.Client.WithoutAuthorization().Pay(ctx, p)
		s.NoError(err, "POST without token")
		authRefused(s, r, "no-credentials")
	})

	fw.Conformance(fw.Meta{ID: "S2S-NEG-AUTH-002", Flow: "auth"}, "MUST refuse a payment with a wrong access token with 800.900.300 and HTTP 401/403", func(ctx SpecContext) {
		s := fw.Begin(ctx)
		p, _ := cardParams(s)
		r, err := s.Client.WithCredentials(fw.Shared().Target.EntityID, "T0tallyWr0ngT0kenT0tallyWr0ngT0ken=").Pay(ctx, p)
		s.NoError(err, "POST with a wrong token")
		authRefused(s, r, "wrong-token")
	})

	fw.Conformance(fw.Meta{ID: "S2S-NEG-AUTH-003", Flow: "auth"}, "MUST refuse a token used with an entity it does not own with an 800.900.* code", func(ctx SpecContext) {
		s := fw.Begin(ctx)
		fw.Requires(config.SecondMerchant)
		p, _ := cardParams(s)
		// The token authenticates, but the entity belongs to the other merchant.
		r, err := s.Client.WithCredentials(s.Other.EntityID(), fw.Shared().Target.AccessToken).Pay(ctx, p)
		s.NoError(err, "POST with another merchant's entity")
		// 800.900.301 "user has no sufficient rights" or the generic 800.900.300.
		authRefused(s, r, "foreign-entity")
	})

	fw.Conformance(fw.Meta{ID: "S2S-NEG-AUTH-004", Flow: "auth"}, "MUST NOT show a merchant's payment to another merchant, by status lookup or transaction report", func(ctx SpecContext) {
		s := fw.Begin(ctx)
		fw.Requires(config.SecondMerchant)
		fw.Requires(config.Reporting)
		db := s.CardPayment(ctx, "DB", fw.Amount, nil)
		st, err := s.Other.Status(ctx, db.Payment.ID)
		s.NoError(err, "status lookup as the other merchant")
		fw.ExpectNoSuccess(st)
		Expect(string(st.Body)).NotTo(ContainSubstring(db.Payment.ID), "the other merchant's status lookup shows the payment")
		q, err := s.Other.Query(ctx, db.Payment.ID)
		s.NoError(err, "transaction report as the other merchant")
		Expect(string(q.Body)).NotTo(ContainSubstring(db.Payment.ID), "the other merchant's transaction report shows the payment")
	})
})

var _ = Describe("Format errors", Label("negative", "format"), func() {
	type bad struct {
		id, what, param string
		mutate          func(url.Values)
		// claim, when set, names the claim of fixtures/claims.json that says what a
		// real target may answer instead (recordings differ for card data).
		claim string
	}
	set := func(k, v string) func(url.Values) { return func(p url.Values) { p.Set(k, v) } }
	del := func(k string) func(url.Values) { return func(p url.Values) { p.Del(k) } }
	cases := []bad{
		{"S2S-NEG-FMT-001", "an amount with one decimal (92.0)", "amount", set("amount", "92.0"), ""},
		{"S2S-NEG-FMT-002", "a negative amount (-1)", "amount", set("amount", "-1"), ""},
		{"S2S-NEG-FMT-003", "an amount with three decimals (1.005)", "amount", set("amount", "1.005"), ""},
		{"S2S-NEG-FMT-004", "a lowercase currency (eur)", "currency", set("currency", "eur"), ""},
		{"S2S-NEG-FMT-005", "a four-letter currency (EURO)", "currency", set("currency", "EURO"), ""},
		{"S2S-NEG-FMT-006", "a missing currency", "currency", del("currency"), ""},
		{"S2S-NEG-FMT-007", "an unknown paymentType", "paymentType", set("paymentType", "XX"), ""},
		{"S2S-NEG-FMT-008", "a missing paymentBrand", "paymentBrand", del("paymentBrand"), ""},
		{"S2S-NEG-FMT-009", "a missing card.number", "card.number", del("card.number"), "missing-card-number"},
		{"S2S-NEG-FMT-010", "a missing card.expiryMonth", "card.expiryMonth", del("card.expiryMonth"), "missing-card-expiry"},
		{"S2S-NEG-FMT-011", "a missing card.holder", "card.holder", del("card.holder"), "missing-card-holder"},
	}
	var entries []TableEntry
	for _, c := range cases {
		entries = append(entries, fw.Case(fw.Meta{ID: c.id, Flow: "format"}, "MUST refuse "+c.what+" with HTTP 400, 200.300.404 and a parameterErrors entry for "+c.param, c))
	}
	DescribeTable("parameter errors", func(ctx SpecContext, c bad) {
		s := fw.Begin(ctx)
		p, _ := cardParams(s)
		c.mutate(p)
		r, err := s.Client.Pay(ctx, p)
		s.NoError(err, "POST /v1/payments")
		if c.claim != "" {
			s.ExpectParameterClaim(c.claim, r, c.param)
			return
		}
		fw.ExpectNoSuccess(r)
		fw.ExpectParameterError(r, c.param)
	}, entries)
})

var _ = Describe("Card checks", Label("negative", "card"), func() {
	var cvvEntries []TableEntry
	for _, brand := range []string{"VISA", "MASTER", "AMEX"} {
		if fw.HasBrand(brand) {
			cvvEntries = append(cvvEntries, fw.Case(fw.Meta{ID: "S2S-NEG-CVV-" + brand, Flow: "card-check", Brand: brand},
				"MUST refuse a "+brand+" payment without CVV (100.100.600 or a card.cvv parameter error)", brand))
		}
	}
	DescribeTable("CVV required", cvvRequired, cvvEntries)

	fw.Conformance(fw.Meta{ID: "S2S-NEG-CARD-001", Flow: "card-check", Brand: "VISA"}, "MUST refuse the documented VISA test number that fails the Luhn check with 100.100.101", luhnFailureRefused)

	fw.Conformance(fw.Meta{ID: "S2S-NEG-CARD-002", Flow: "card-check"}, "MUST refuse an expired card (100.100.303, or the bank's 800.100.157 wrong expiry)", func(ctx SpecContext) {
		s := fw.Begin(ctx)
		p, card := cardParams(s)
		p.Set("card.expiryMonth", "01")
		p.Set("card.expiryYear", fmt.Sprint(time.Now().Year()-1))
		r, err := s.Client.Pay(ctx, p)
		s.NoError(err, "POST with an expired card")
		fw.ExpectNoSuccess(r)
		s.ExpectClaim("expired-card", r)
		fw.ExpectMaskedCard(r, card.Number)
	})

	fw.Conformance(fw.Meta{ID: "S2S-NEG-POST-001", Flow: "format"}, "MUST NOT process a payment whose parameters are sent in the URL of the POST instead of its body", func(ctx SpecContext) {
		s := fw.Begin(ctx)
		p, _ := cardParams(s)
		r, err := s.Client.Send(ctx, oppwa.Request{Method: http.MethodPost, Path: "v1/payments", Query: p, Form: url.Values{}})
		s.NoError(err, "POST with parameters in the URL")
		fw.ExpectNoSuccess(r)
		fw.ExpectOutcome(r.Payment.Result.Code, fixtures.Rejected)
	})
})

var _ = Describe("Forced declines", Label("negative", "decline"), func() {
	// One code of every rejection group: the sandbox switch forceResultCode answers it,
	// and the merchant must be told a rejection, never a success.
	c := fixtures.Load()
	var entries []TableEntry
	for _, g := range c.Groups {
		if g.Outcome != fixtures.Rejected {
			continue
		}
		code := forcibleCode(c, g.Name)
		if code == "" {
			continue
		}
		entries = append(entries, fw.Case(fw.Meta{ID: "S2S-NEG-DECLINE-" + strings.ToUpper(g.Name), Flow: "decline"},
			"MUST answer customParameters[forceResultCode]="+code+" with that "+g.Name+" code, a rejection", code))
	}
	DescribeTable("forceResultCode", func(ctx SpecContext, code string) {
		s := fw.Begin(ctx)
		p, card := cardParams(s)
		p.Set("customParameters[forceResultCode]", code)
		r := s.Call(s.Client.Pay(ctx, p))
		fw.ExpectNoSuccess(r)
		s.ExpectForcedRejectionID(ctx, r, p.Get("merchantTransactionId"))
		s.ExpectForcedCode(code, r)
		fw.ExpectOutcome(r.Payment.Result.Code, fixtures.Rejected)
		fw.ExpectMaskedCard(r, card.Number)
	}, entries)
})

var _ = Describe("Async refusals", Label("negative", "async"), func() {
	fw.Conformance(fw.Meta{ID: "S2S-NEG-ASYNC-001", Flow: "async-pending"}, "MUST report the initial answer's pending group (000.200, or 800.400.5 delayed) on a status lookup while the shopper has not finished", func(ctx SpecContext) {
		s := fw.Begin(ctx)
		r := s.PendingAsyncPayment(ctx)
		st, err := s.Client.Status(ctx, r.Payment.ID)
		s.NoError(err, "status lookup while pending")
		Expect(st.Payment.ID).To(Equal(r.Payment.ID))
		// Both documented pending groups are pending; a voucher brand may answer the
		// delayed one (real-platform.md §4), and the lookup must say the same.
		fw.ExpectGroup(st.Payment.Result.Code, fixtures.Load().GroupName(r.Payment.Result.Code))
	})
})

// cvvRequired sends brand's test payment without card.cvv.
func cvvRequired(ctx SpecContext, brand string) {
	s := fw.Begin(ctx)
	b, _ := fixtures.Load().Brand(brand)
	p, _, err := fw.Payment(b, s.MerchantTransactionID(), "")
	Expect(err).NotTo(HaveOccurred())
	p.Set("paymentType", "DB")
	p.Del("card.cvv")
	r, err := s.Client.Pay(ctx, p)
	s.NoError(err, "POST without CVV")
	fw.ExpectNoSuccess(r)
	if r.Payment.Result.Code == fw.ParameterErrorCode() {
		s.ExpectParameterClaim("missing-cvv", r, "card.cvv")
		return
	}
	s.ExpectClaim("missing-cvv", r)
}

// luhnFailureRefused sends the documented VISA number that fails the Luhn check.
func luhnFailureRefused(ctx SpecContext) {
	s := fw.Begin(ctx)
	if !fw.HasBrand("VISA") {
		Skip("VISA not configured")
	}
	card, _ := fixtures.Load().Card("VISA", "luhn")
	b, _ := fixtures.Load().Brand("VISA")
	p, _, err := fw.Payment(b, s.MerchantTransactionID(), "")
	Expect(err).NotTo(HaveOccurred())
	p.Set("paymentType", "DB")
	p.Set("card.number", card.Number)
	r, err := s.Client.Pay(ctx, p)
	s.NoError(err, "POST with a Luhn failure")
	fw.ExpectNoSuccess(r)
	s.ExpectClaim("luhn-failure", r)
	fw.ExpectMaskedCard(r, card.Number)
}

// forcibleCode is the code a forced-decline spec forces for group: its first code
// outside 000.*, which a public negative-testing guide says cannot be forced on the
// test system; the group's first code when it has no other.
func forcibleCode(c *fixtures.Contract, group string) string {
	first := ""
	for _, rc := range c.ResultCodes {
		if rc.Group != group {
			continue
		}
		if !strings.HasPrefix(rc.Code, "000.") {
			return rc.Code
		}
		if first == "" {
			first = rc.Code
		}
	}
	return first
}

// Package payments holds the sync workflow's conformance specs: PA and DB for every
// configured sync brand, and capture after PA with status lookups.
package payments

import (
	. "github.com/onsi/ginkgo/v2" //nolint:revive
	. "github.com/onsi/gomega"    //nolint:revive

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	fw "github.com/oppwa-conformance/oppwa-conformance/suites/framework"
)

var _ = Describe("Initial payments, sync workflow", Label("sync"), func() {
	type kind struct{ paymentType, what string }
	for _, k := range []kind{{"PA", "preauthorization"}, {"DB", "debit"}} {
		var entries []TableEntry
		for _, b := range fw.Brands(fixtures.Sync) {
			entries = append(entries, fw.Case(fw.Meta{ID: "S2S-" + k.paymentType + "-" + b.Name, Flow: k.paymentType, Brand: b.Name},
				"MUST answer a "+k.what+" ("+k.paymentType+") with "+b.Name+"'s documented test data with a final success, no redirect, that echoes type, brand, amount and currency, as the sync workflow promises", b))
		}
		DescribeTable(k.paymentType+" per sync brand", func(ctx SpecContext, b fixtures.Brand) {
			s := fw.Begin(ctx)
			params, card, err := fw.Payment(b, s.MerchantTransactionID(), "")
			Expect(err).NotTo(HaveOccurred())
			By("sending the " + k.paymentType + " server-to-server")
			params.Set("paymentType", k.paymentType)
			r := s.Call(s.Client.Pay(ctx, params))
			fw.ExpectTransaction(r, fw.Sent{PaymentType: k.paymentType, Brand: b.Name, Amount: params.Get("amount"),
				Currency: params.Get("currency"), MerchantTransactionID: params.Get("merchantTransactionId"), PAN: card.Number})
			// One spec for the result and the workflow: a sync brand's answer is final.
			Expect(fixtures.Load().OutcomeOf(r.Payment.Result.Code)).NotTo(Equal(fixtures.Pending),
				"sync brand %s answered pending (%s); the sync workflow's result is final", b.Name, r.Payment.Result.Code)
			fw.ExpectOutcome(r.Payment.Result.Code, fixtures.Success)
			fw.ExpectNoRedirect(r)
		}, entries)
	}
})

var _ = Describe("Capture after preauthorization", Label("sync", "backoffice"), func() {
	var brand fixtures.Brand
	BeforeEach(func() {
		bs := fw.Brands(fixtures.Sync)
		for _, b := range bs {
			if b.Kind == "card" {
				brand = b
				return
			}
		}
		Skip("no sync card brand configured in OPPWA_BRANDS")
	})

	preauthorize := func(ctx SpecContext, s *fw.Spec) (id string) {
		params, card, err := fw.Payment(brand, s.MerchantTransactionID(), "")
		Expect(err).NotTo(HaveOccurred())
		By("preauthorizing " + fw.Amount + " " + params.Get("currency") + " with " + brand.Name)
		r := s.Call(s.Client.Preauthorize(ctx, params))
		fw.ExpectTransaction(r, fw.Sent{PaymentType: "PA", Brand: brand.Name, Amount: fw.Amount, Currency: params.Get("currency"), PAN: card.Number})
		fw.ExpectOutcome(r.Payment.Result.Code, fixtures.Success)
		return r.Payment.ID
	}

	DescribeTable("capture amount", func(ctx SpecContext, amount string) {
		s := fw.Begin(ctx)
		cur := fw.CurrencyOf(brand)
		paID := preauthorize(ctx, s)

		By("capturing " + amount + " of the PA")
		cp := s.Call(s.Client.Capture(ctx, paID, amount, cur, nil))
		fw.ExpectTransaction(cp, fw.Sent{PaymentType: "CP", Amount: amount, Currency: cur})
		fw.ExpectOutcome(cp.Payment.Result.Code, fixtures.Success)
		Expect(cp.Payment.ID).NotTo(Equal(paID), "a capture is a new transaction with its own id")
		fw.ExpectReferencedID(cp, paID)

		By("looking up the PA: it keeps its own type and success")
		pa, err := s.Client.Status(ctx, paID)
		s.NoError(err, "GET /v1/payments/{PA id}")
		fw.ExpectTransaction(pa, fw.Sent{PaymentType: "PA", Brand: brand.Name, Amount: fw.Amount, Currency: cur})
		Expect(pa.Payment.ID).To(Equal(paID))
		fw.ExpectOutcome(pa.Payment.Result.Code, fixtures.Success)

		By("looking up the capture: it shows the captured amount")
		st, err := s.Client.Status(ctx, cp.Payment.ID)
		s.NoError(err, "GET /v1/payments/{CP id}")
		fw.ExpectTransaction(st, fw.Sent{PaymentType: "CP", Amount: amount, Currency: cur})
		Expect(st.Payment.ID).To(Equal(cp.Payment.ID))
		fw.ExpectOutcome(st.Payment.Result.Code, fixtures.Success)
	},
		fw.Case(fw.Meta{ID: "S2S-CP-001", Flow: "CP"}, "MUST capture the full amount of a successful PA as a new CP transaction, and status lookups MUST show the PA and the CP", fw.Amount),
		fw.Case(fw.Meta{ID: "S2S-CP-002", Flow: "CP"}, "MUST capture part of a successful PA as a new CP transaction of the partial amount, and status lookups MUST show both", "40.00"),
	)
})

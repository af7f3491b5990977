// Package reporting checks that the transaction reports (/v1/query) agree with the
// status lookup, for every kind of transaction.
package reporting

import (
	. "github.com/onsi/ginkgo/v2" //nolint:revive
	. "github.com/onsi/gomega"    //nolint:revive

	"github.com/oppwa-conformance/oppwa-conformance/config"
	"github.com/oppwa-conformance/oppwa-conformance/drivers/browser"
	"github.com/oppwa-conformance/oppwa-conformance/drivers/oppwa"
	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	fw "github.com/oppwa-conformance/oppwa-conformance/suites/framework"
)

// agree asserts that the report by id and by merchantTransactionId tell the same
// story as the status lookup.
func agree(ctx SpecContext, s *fw.Spec, p oppwa.Payment, mtid string) {
	GinkgoHelper()
	st, err := s.Client.Status(ctx, p.ID)
	s.NoError(err, "GET /v1/payments/{id}")
	Expect(st.Payment.ID).To(Equal(p.ID))

	q, err := s.Client.Query(ctx, p.ID)
	s.NoError(err, "GET /v1/query/{id}")
	Expect(q.Payments).NotTo(BeEmpty(), "the transaction report by id lists nothing")
	same(q.Payments[0], st.Payment)

	if mtid == "" {
		return
	}
	qm, err := s.Client.QueryByMerchantTransactionID(ctx, mtid)
	s.NoError(err, "GET /v1/query?merchantTransactionId=")
	var found *oppwa.Payment
	for i := range qm.Payments {
		if qm.Payments[i].ID == p.ID {
			found = &qm.Payments[i]
		}
	}
	Expect(found).NotTo(BeNil(), "the report by merchantTransactionId does not list the transaction")
	same(*found, st.Payment)
}

func same(got, want oppwa.Payment) {
	GinkgoHelper()
	Expect(got.ID).To(Equal(want.ID), "report and status lookup disagree on id")
	Expect(got.PaymentType).To(Equal(want.PaymentType), "report and status lookup disagree on paymentType")
	Expect(got.Amount).To(Equal(want.Amount), "report and status lookup disagree on amount")
	Expect(got.Currency).To(Equal(want.Currency), "report and status lookup disagree on currency")
	Expect(got.Result.Code).To(Equal(want.Result.Code), "report and status lookup disagree on result.code")
}

var _ = Describe("Transaction reports", Label("reporting"), func() {
	BeforeEach(func() { fw.Requires(config.Reporting) })
	fw.Conformance(fw.Meta{ID: "S2S-REP-001", Flow: "reporting"}, "MUST report a PA, its CP, RF and a reversed PA's RV by id and by merchantTransactionId as the status lookup shows them", func(ctx SpecContext) {
		s := fw.Begin(ctx)
		cur := fw.CurrencyOf(fw.CardBrand())
		pa := s.CardPayment(ctx, "PA", fw.Amount, nil)
		agree(ctx, s, pa.Payment, pa.Payment.MerchantTransactionID)
		mtid := s.MerchantTransactionID()
		cp := s.Call(s.Client.Capture(ctx, pa.Payment.ID, fw.Amount, cur, map[string][]string{"merchantTransactionId": {mtid}}))
		fw.ExpectOutcome(cp.Payment.Result.Code, fixtures.Success)
		agree(ctx, s, cp.Payment, mtid)
		rf := s.Call(s.Client.Refund(ctx, cp.Payment.ID, "10.00", cur, nil))
		fw.ExpectOutcome(rf.Payment.Result.Code, fixtures.Success)
		agree(ctx, s, rf.Payment, "")
		pa2 := s.CardPayment(ctx, "PA", fw.Amount, nil)
		rv := s.Call(s.Client.Reverse(ctx, pa2.Payment.ID, nil))
		fw.ExpectOutcome(rv.Payment.Result.Code, fixtures.Success)
		agree(ctx, s, rv.Payment, "")
	})

	fw.Conformance(fw.Meta{ID: "S2S-REP-002", Flow: "reporting"}, "MUST report a DB by id and by merchantTransactionId as the status lookup shows it", func(ctx SpecContext) {
		s := fw.Begin(ctx)
		db := s.CardPayment(ctx, "DB", fw.Amount, nil)
		agree(ctx, s, db.Payment, db.Payment.MerchantTransactionID)
	})

	fw.Conformance(fw.Meta{ID: "S2S-REP-003", Flow: "reporting"}, "MUST report an async payment after the shopper approved it as the status lookup shows it", Label("async", "browser"), func(ctx SpecContext) {
		s := fw.Begin(ctx)
		b := fw.AsyncBrand()
		key, resultURL := s.ResultURL()
		mtid := s.MerchantTransactionID()
		p, _, err := fw.Payment(b, mtid, resultURL)
		Expect(err).NotTo(HaveOccurred())
		p.Set("paymentType", "DB")
		r := s.Call(s.Client.Pay(ctx, p))
		red := fw.ExpectRedirect(r)
		_, err = s.Shopper(key, red, browser.Approve)
		s.NoError(err, "shopper redirect")
		agree(ctx, s, r.Payment, mtid)
	})
})

// Package brands checks each configured brand's declared workflow: a sync brand
// answers a final result with no redirect, an async brand answers pending with a
// well-formed redirect.
package brands

import (
	. "github.com/onsi/ginkgo/v2" //nolint:revive
	. "github.com/onsi/gomega"    //nolint:revive

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	fw "github.com/oppwa-conformance/oppwa-conformance/suites/framework"
)

var _ = Describe("Each brand's declared workflow", Label("workflow"), func() {
	var entries []TableEntry
	for _, name := range fw.Config().Brands {
		b, _ := fixtures.Load().Brand(name)
		must := "MUST answer a final result with no redirect, as a sync brand"
		if b.Workflow == fixtures.Async {
			must = "MUST answer pending (000.200) with a well-formed redirect, as an async brand"
		}
		entries = append(entries, Entry(fw.SpecText("S2S-WF-"+b.Name, b.Name+" "+must),
			Label(string(b.Workflow), "brand:"+b.Name), fw.Timeout(), b))
	}
	DescribeTable("workflow", func(ctx SpecContext, b fixtures.Brand) {
		s := fw.Begin(ctx)
		t := fw.Config()
		_, resultURL := s.ResultURL()
		params, card, err := fw.Payment(b, t.Currency, s.MerchantTransactionID(), resultURL)
		Expect(err).NotTo(HaveOccurred())
		params.Set("paymentType", "DB")
		r := s.Call(s.Client.Pay(ctx, params))
		fw.ExpectTransaction(r, fw.Sent{PaymentType: "DB", Brand: b.Name, Amount: fw.Amount, Currency: t.Currency, PAN: card.Number})
		if b.Workflow == fixtures.Sync {
			fw.ExpectNoRedirect(r)
			Expect(fixtures.Load().OutcomeOf(r.Payment.Result.Code)).NotTo(Equal(fixtures.Pending),
				"sync brand %s answered pending (%s); the sync workflow's result is final", b.Name, r.Payment.Result.Code)
			fw.ExpectOutcome(r.Payment.Result.Code, fixtures.Success)
			return
		}
		fw.ExpectGroup(r.Payment.Result.Code, "pending")
		fw.ExpectRedirect(r)
	}, entries)
})

// Package brands checks each configured async brand's declared workflow without a
// browser: the initial payment answers pending with a well-formed redirect. A sync
// brand's workflow is asserted by its PA and DB specs (package payments), which
// require a final result with no redirect.
package brands

import (
	. "github.com/onsi/ginkgo/v2" //nolint:revive
	. "github.com/onsi/gomega"    //nolint:revive

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	fw "github.com/oppwa-conformance/oppwa-conformance/suites/framework"
)

var _ = Describe("Each async brand's declared workflow", Label("workflow", "async"), func() {
	var entries []TableEntry
	for _, b := range fw.Brands(fixtures.Async) {
		entries = append(entries, fw.Case(fw.Meta{ID: "S2S-WF-" + b.Name, Flow: "workflow", Brand: b.Name},
			b.Name+" MUST answer pending (000.200) with a well-formed redirect, as an async brand", b))
	}
	DescribeTable("workflow", func(ctx SpecContext, b fixtures.Brand) {
		s := fw.Begin(ctx)
		_, resultURL := s.ResultURL()
		params, _, err := fw.Payment(b, s.MerchantTransactionID(), resultURL)
		Expect(err).NotTo(HaveOccurred())
		params.Set("paymentType", "DB")
		r := s.Call(s.Client.Pay(ctx, params))
		fw.ExpectTransaction(r, fw.Sent{PaymentType: "DB", Brand: b.Name, Amount: params.Get("amount"), Currency: params.Get("currency")})
		fw.ExpectGroup(r.Payment.Result.Code, "pending")
		fw.ExpectRedirect(r)
	}, entries)
})

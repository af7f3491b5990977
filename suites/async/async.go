// Package async holds the async workflow's conformance specs: the initial payment, the
// shopper's redirect through a real browser, the return to the shopperResultUrl and
// the final status read from baseUrl + resourcePath.
package async

import (
	"strings"

	. "github.com/onsi/ginkgo/v2" //nolint:revive
	. "github.com/onsi/gomega"    //nolint:revive

	"github.com/oppwa-conformance/oppwa-conformance/drivers/browser"
	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	fw "github.com/oppwa-conformance/oppwa-conformance/suites/framework"
)

var _ = Describe("Async workflow through the shopper's browser", Label("async", "browser"), func() {
	type outcome struct {
		name, must string
		action     browser.Action
		want       fixtures.Outcome
		// groups, when set, narrows the outcome to the documented groups.
		groups []string
		// labels mark what only the embedded sandbox's checkout page is known to offer.
		labels []string
	}
	outcomes := []outcome{
		{"APPROVE", "MUST end in success, read through baseUrl + resourcePath, when the shopper approves", browser.Approve, fixtures.Success, nil, nil},
		// The documentation names 100.396.101 "cancelled by user", but the async-workflow
		// group holds several cancellation codes; the group is what is promised.
		{"CANCEL", "MUST end in the documented async cancellation group (100.39x) when the shopper cancels", browser.Cancel, fixtures.Rejected, []string{"rejectedAsyncWorkflow"},
			// The real demo pages' cancel control is not publicly described.
			[]string{"simulator-only", "negative"}},
	}
	for _, o := range outcomes {
		var entries []TableEntry
		for _, b := range fw.Brands(fixtures.Async) {
			entries = append(entries, fw.Case(fw.Meta{ID: "S2S-ASYNC-" + b.Name + "-" + o.name, Flow: "async-" + strings.ToLower(o.name), Brand: b.Name},
				"for "+b.Name+", the async workflow "+o.must, Label(o.labels...), b))
		}
		DescribeTable("shopper "+o.name, func(ctx SpecContext, b fixtures.Brand) {
			s := fw.Begin(ctx)
			key, resultURL := s.ResultURL()
			params, _, err := fw.Payment(b, s.MerchantTransactionID(), resultURL)
			Expect(err).NotTo(HaveOccurred())
			params.Set("paymentType", "DB")

			By("sending the initial payment with the url-encoded shopperResultUrl")
			r := s.Call(s.Client.Pay(ctx, params))
			sent := fw.Sent{PaymentType: "DB", Brand: b.Name, Amount: params.Get("amount"), Currency: params.Get("currency")}
			fw.ExpectTransaction(r, sent)
			fw.ExpectOutcome(r.Payment.Result.Code, fixtures.Pending)
			red := fw.ExpectRedirect(r)

			By("redirecting the shopper with redirect.method " + red.EffectiveMethod() + ", who chooses " + string(o.action))
			ret, err := s.Shopper(key, red, o.action)
			s.NoError(err, "shopper redirect")
			fw.ExpectReturn(ret, r.Payment.ID)

			By("reading the final status at baseUrl + resourcePath")
			st := s.Call(s.Client.StatusAt(ctx, ret.ResourcePath))
			fw.ExpectTransaction(st, sent)
			Expect(st.Payment.ID).To(Equal(r.Payment.ID), "the status lookup must describe the payment the shopper paid")
			fw.ExpectOutcome(st.Payment.Result.Code, o.want)
			if o.groups != nil {
				fw.ExpectGroup(st.Payment.Result.Code, o.groups...)
			}
		}, entries)
	}
})

// Package threeds drives 3-D Secure through Chromium: frictionless cards, the ACS
// challenge page with each outcome, and the documented 3DS2 switches.
package threeds

import (
	"net/url"

	. "github.com/onsi/ginkgo/v2" //nolint:revive
	. "github.com/onsi/gomega"    //nolint:revive

	"github.com/oppwa-conformance/oppwa-conformance/config"
	"github.com/oppwa-conformance/oppwa-conformance/drivers/browser"
	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	fw "github.com/oppwa-conformance/oppwa-conformance/suites/framework"
)

// browserParams are the customer.browser.* fields a real merchant sends for 3DS2,
// taken from its shopper's browser.
func browserParams() url.Values {
	return url.Values{
		"customer.browser.acceptHeader":     {"text/html"},
		"customer.browser.language":         {"en"},
		"customer.browser.screenHeight":     {"800"},
		"customer.browser.screenWidth":      {"1000"},
		"customer.browser.timezone":         {"0"},
		"customer.browser.userAgent":        {"Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome"},
		"customer.browser.javaEnabled":      {"false"},
		"customer.browser.screenColorDepth": {"24"},
		"customer.browser.challengeWindow":  {"4"},
		"customer.ip":                       {"127.0.0.1"},
	}
}

// alsoSyncSuccessCard reports whether card's number is also documented as a sync success card.
func alsoSyncSuccessCard(c *fixtures.Contract, card fixtures.Card) bool {
	for _, other := range c.CardsWith("success") {
		if other.Number == card.Number {
			return true
		}
	}
	return false
}

type threeDSCase struct {
	card   fixtures.Card
	extra  url.Values
	action browser.Action
	want   fixtures.Outcome
	groups []string
}

func run(ctx SpecContext, c threeDSCase) {
	s := fw.Begin(ctx)
	b, _ := fixtures.Load().Brand(c.card.Brand)
	key, resultURL := s.ResultURL()
	p, _, err := fw.Payment(b, s.MerchantTransactionID(), "")
	Expect(err).NotTo(HaveOccurred())
	for k, vs := range fixtures.CardParams(c.card) {
		p[k] = vs
	}
	for k, vs := range browserParams() {
		p[k] = vs
	}
	for k, vs := range c.extra {
		p[k] = vs
	}
	p.Set("paymentType", "DB")
	p.Set("shopperResultUrl", resultURL)
	By("sending a card payment that 3-D Secure applies to")
	r := s.Call(s.Client.Pay(ctx, p))
	sent := fw.Sent{PaymentType: "DB", Brand: b.Name, Amount: p.Get("amount"), Currency: p.Get("currency"), PAN: c.card.Number}
	fw.ExpectTransaction(r, sent)
	fw.ExpectGroup(r.Payment.Result.Code, "pending")
	red := fw.ExpectRedirect(r)

	By("authenticating in the browser: " + string(c.action))
	ret, err := s.Shopper(key, red, c.action)
	s.NoError(err, "3-D Secure redirect")
	fw.ExpectReturn(ret, r.Payment.ID)

	st := s.Call(s.Client.StatusAt(ctx, ret.ResourcePath))
	fw.ExpectTransaction(st, sent)
	fw.ExpectOutcome(st.Payment.Result.Code, c.want)
	if c.groups != nil {
		fw.ExpectGroup(st.Payment.Result.Code, c.groups...)
	}
}

// The 3DS rejections sit in three documented groups depending on the docs' version.
var threeDSRejected = []string{"rejected3DSecure", "rejectedExternalRisk", "rejected3DSecureAndIntercardRisk", "rejectedCommunicationError"}

var _ = Describe("3-D Secure", Label("3ds", "browser"), func() {
	BeforeEach(func() { fw.Requires(config.ThreeDS) })
	c := fixtures.Load()
	var entries []TableEntry
	add := func(id, must string, tc threeDSCase, labels ...string) {
		if !fw.HasBrand(tc.card.Brand) {
			return
		}
		entries = append(entries, fw.Case(fw.Meta{ID: id, Flow: "3ds", Brand: tc.card.Brand}, must, Label(labels...), tc))
	}
	for _, card := range c.CardsWith("3ds2-frictionless") {
		if _, ambiguous := c.CardByNumber(card.Brand, card.Number); ambiguous && alsoSyncSuccessCard(c, card) {
			// The same number is documented as a plain sync success card too; whether
			// 3-D Secure applies then depends on the channel, not on the card.
			continue
		}
		last4 := card.Number[len(card.Number)-4:]
		add("S2S-3DS-FRICTIONLESS-"+card.Brand+"-"+last4, "MUST complete a frictionless 3DS2 payment with the documented "+card.Brand+" test card ending "+last4+" in success",
			threeDSCase{card: card, action: browser.Frictionless, want: fixtures.Success})
	}
	if card, ok := c.Card("VISA", "3ds2-challenge"); ok {
		add("S2S-3DS-CHALLENGE-APPROVE", "MUST end a 3DS2 challenge the shopper approves on the ACS page in success",
			threeDSCase{card: card, action: browser.ChallengeApprove, want: fixtures.Success})
		add("S2S-3DS-CHALLENGE-FAIL", "MUST end a 3DS2 challenge the shopper declines on the ACS page in a documented 3DS rejection (100.380.401 recorded)",
			// The shopper picks the option reading "Decline" (else value N; page script
			// 3ds-challenge-form); a recorded Decline answered 100.380.401, of the
			// rejectedExternalRisk group.
			threeDSCase{card: card, action: browser.ChallengeFail, want: fixtures.Rejected, groups: threeDSRejected})
		add("S2S-3DS-CHALLENGE-ERROR", "MUST end a 3DS2 challenge with a technical error on the ACS page in a documented 3DS rejection",
			threeDSCase{card: card, action: browser.ChallengeError, want: fixtures.Rejected, groups: threeDSRejected}, "simulator-only")
	}
	if card, ok := c.Card("VISA", "3ds2-technical-error"); ok {
		add("S2S-3DS-TECHNICAL-ERROR-VISA", "MUST end a payment with the documented VISA 3DS2 technical-error test card in a documented 3DS rejection",
			threeDSCase{card: card, action: browser.Frictionless, want: fixtures.Rejected, groups: threeDSRejected})
	}
	if card, ok := c.Card("MASTER", "3ds2-challenge"); ok {
		add("S2S-3DS-CHALLENGE-MASTER", "MUST end a MASTER 3DS2 challenge the shopper approves in success",
			threeDSCase{card: card, action: browser.ChallengeApprove, want: fixtures.Success})
	}
	if card, ok := c.Card("VISA", "success"); ok {
		add("S2S-3DS-SWITCH-ENROLLED-CHALLENGE", "MUST challenge any test card with customParameters[3DS2_enrolled]=true and [3DS2_flow]=challenge",
			threeDSCase{card: card, action: browser.ChallengeApprove, want: fixtures.Success,
				extra: url.Values{"customParameters[3DS2_enrolled]": {"true"}, "customParameters[3DS2_flow]": {"challenge"}}})
		add("S2S-3DS-SWITCH-ENROLLED-FRICTIONLESS", "MUST complete frictionless with customParameters[3DS2_enrolled]=true and [3DS2_flow]=frictionless",
			threeDSCase{card: card, action: browser.Frictionless, want: fixtures.Success,
				extra: url.Values{"customParameters[3DS2_enrolled]": {"true"}, "customParameters[3DS2_flow]": {"frictionless"}}})
		add("S2S-3DS-SWITCH-CHALLENGE-INDICATOR", "MUST challenge an enrolled card sent with threeDSecure.challengeIndicator=4",
			threeDSCase{card: card, action: browser.ChallengeApprove, want: fixtures.Success,
				extra: url.Values{"customParameters[3DS2_enrolled]": {"true"}, "threeDSecure.challengeIndicator": {"4"}}})
	}
	DescribeTable("through the browser", run, entries)

	fw.Conformance(fw.Meta{ID: "S2S-3DS-NOT-ENROLLED", Flow: "3ds", Brand: "VISA"}, "MUST answer 000.400.109, at once or in the final status, for a card missing from the 3DS2 simulator when 3-D Secure is requested", notEnrolledCard)
})

// notEnrolledCard asks for a 3DS2 challenge with a card the 3DS2 simulator lacks.
func notEnrolledCard(ctx SpecContext) {
	if !fw.HasBrand("VISA") {
		Skip("VISA not configured")
	}
	s := fw.Begin(ctx)
	b, _ := fixtures.Load().Brand("VISA")
	key, resultURL := s.ResultURL()
	p, card, err := fw.Payment(b, s.MerchantTransactionID(), "")
	Expect(err).NotTo(HaveOccurred())
	p.Set("paymentType", "DB")
	p.Set("shopperResultUrl", resultURL)
	p.Set("customParameters[3DS2_flow]", "challenge")
	r := s.Call(s.Client.Pay(ctx, p))
	fw.ExpectMaskedCard(r, card.Number)
	if fixtures.Load().OutcomeOf(r.Payment.Result.Code) == fixtures.Pending {
		// The documentation gives the code, not the moment: a platform may first send
		// the shopper through its 3-D Secure pages and answer it in the final status.
		By("following the 3-D Secure redirect to the final status")
		ret, err := s.Shopper(key, fw.ExpectRedirect(r), browser.Approve)
		s.NoError(err, "3-D Secure redirect")
		fw.ExpectReturn(ret, r.Payment.ID)
		r = s.Call(s.Client.StatusAt(ctx, ret.ResourcePath))
	}
	s.ExpectClaim("not-enrolled-3ds", r)
	fw.ExpectOutcome(r.Payment.Result.Code, fixtures.Rejected)
}

package sandbox

import (
	"fmt"
	"strings"
)

// Mode is a deliberate deviation the sandbox can be started with. Defect modes each
// break exactly one promise of the contract, so a conformance suite run against them
// must fail (mutation testing of the suites). Tolerated modes change only what the
// contract does not promise, so the suites must stay green under them.
type Mode struct {
	Name        string
	Description string
	Tolerated   bool
}

// Defect and tolerated mode names.
const (
	DefectSyncSuccessWrongGroup   = "sync-success-wrong-group"
	DefectSyncAnswersPending      = "sync-answers-pending"
	DefectIDMalformed             = "id-malformed"
	DefectIDMissing               = "id-missing"
	DefectAmountNotTwoDecimals    = "amount-not-two-decimals"
	DefectAmountWrongValue        = "amount-wrong-value"
	DefectCurrencyWrong           = "currency-wrong"
	DefectPaymentTypeSwapped      = "payment-type-swapped"
	DefectBrandWrong              = "brand-wrong"
	DefectRedirectNoURL           = "redirect-no-url"
	DefectRedirectParamsDropped   = "redirect-params-dropped"
	DefectReturnNoID              = "return-no-id"
	DefectReturnNoResourcePath    = "return-no-resource-path"
	DefectReturnWrongResourcePath = "return-wrong-resource-path"
	DefectStatusStuckPending      = "status-stuck-pending"
	DefectStatusOtherPayment      = "status-other-payment"
	DefectCaptureNoNewID          = "capture-no-new-id"
	DefectCaptureIgnoresAmount    = "capture-ignores-amount"
	DefectRefundAboveVolume       = "refund-above-volume-accepted"
	DefectReversalLeavesCapture   = "reversal-leaves-capturable"
	DefectBadTokenAccepted        = "bad-token-accepted"
	DefectCrossEntityReadable     = "cross-entity-readable"
	DefectDeclineAsSuccess        = "decline-as-success"
	DefectParamErrorsMissing      = "param-errors-missing"
	DefectPANEchoed               = "pan-echoed"

	TolerateExtraFields         = "tolerate-extra-fields"
	TolerateFieldOrder          = "tolerate-field-order"
	TolerateDescriptions        = "tolerate-descriptions"
	TolerateNoRedirectMethod    = "tolerate-no-redirect-method"
	TolerateExtraRedirectParams = "tolerate-extra-redirect-params"
	TolerateRetryAfter          = "tolerate-retry-after"
	TolerateLatency             = "tolerate-latency"
)

var modes = []Mode{
	{DefectSyncSuccessWrongGroup, "a sync success answers 800.100.100 (rejected group) while the payment behaves as a success", false},
	{DefectSyncAnswersPending, "a sync brand answers 000.200.000 pending without a redirect (the payment is in fact final)", false},
	{DefectIDMalformed, "the id in payment replies is not 32 lowercase hex (upper-cased and cut to 31 characters; lookups still accept it)", false},
	{DefectIDMissing, "initial payment replies carry no id", false},
	{DefectAmountNotTwoDecimals, "amounts are echoed without trailing zero decimals (92.00 -> \"92\", 92.50 -> \"92.5\")", false},
	{DefectAmountWrongValue, "amounts are echoed one unit higher than the stored amount", false},
	{DefectCurrencyWrong, "the currency is echoed as another currency (EUR -> USD, else EUR)", false},
	{DefectPaymentTypeSwapped, "a PA is echoed with paymentType DB (the stored payment is still a PA)", false},
	{DefectBrandWrong, "paymentBrand is echoed as another brand (VISA -> MASTER, else VISA)", false},
	{DefectRedirectNoURL, "async replies carry a redirect without url", false},
	{DefectRedirectParamsDropped, "async replies carry redirect.parameters [] although the checkout page still requires them", false},
	{DefectReturnNoID, "the shopper returns to shopperResultUrl without the payment's id", false},
	{DefectReturnNoResourcePath, "the shopper returns to shopperResultUrl without resourcePath", false},
	{DefectReturnWrongResourcePath, "the shopper returns with a resourcePath naming another payment's id", false},
	{DefectStatusStuckPending, "status lookups keep answering 000.200.000 after the shopper finished an async payment", false},
	{DefectStatusOtherPayment, "status lookups answer with another payment of the entity (other id and data)", false},
	{DefectCaptureNoNewID, "a capture reply reuses the PA's id instead of a new one", false},
	{DefectCaptureIgnoresAmount, "a capture reply echoes the PA amount whatever amount was captured", false},
	{DefectRefundAboveVolume, "a refund above the refundable volume succeeds", false},
	{DefectReversalLeavesCapture, "a reversed PA can still be captured", false},
	{DefectBadTokenAccepted, "an unknown access token is accepted (a missing one is still refused)", false},
	{DefectCrossEntityReadable, "payments of one entity can be read and referenced by another entity", false},
	{DefectDeclineAsSuccess, "declined and rejected payments are reported as 000.100.110 with HTTP 200", false},
	{DefectParamErrorsMissing, "format errors (200.300.404) answer without result.parameterErrors", false},
	{DefectPANEchoed, "card replies carry the full card number in card.number", false},

	{TolerateExtraFields, "unknown fields are added to every JSON object (top level, result, card, redirect, parameters...)", true},
	{TolerateFieldOrder, "the keys of every JSON object are in reverse order", true},
	{TolerateDescriptions, "result descriptions are reworded (codes unchanged)", true},
	{TolerateNoRedirectMethod, "redirect.method is omitted for every brand (clients must POST; the pages accept POST)", true},
	{TolerateExtraRedirectParams, "redirect.parameters carry extra parameters the pages ignore", true},
	{TolerateRetryAfter, "about 30% of API GETs answer 503 with Retry-After: 0 (never twice in a row for one path)", true},
	{TolerateLatency, "every API call is delayed by 20 ms", true},
}

// DefectModes lists every defect and tolerated mode with a one-line description.
func DefectModes() []Mode {
	return append([]Mode(nil), modes...)
}

// defectSet is the parsed Options.Defects; lookups are map reads on the request path.
type defectSet map[string]bool

func parseDefects(names []string) (defectSet, error) {
	known := make(map[string]bool, len(modes))
	for _, m := range modes {
		known[m.Name] = true
	}
	set := defectSet{}
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if !known[n] {
			return nil, fmt.Errorf("sandbox: unknown defect mode %q (see DefectModes)", n)
		}
		set[n] = true
	}
	return set, nil
}

func (d defectSet) on(name string) bool { return d[name] }

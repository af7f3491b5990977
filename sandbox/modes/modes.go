// Package modes holds the sandbox's defect, tolerated and variation modes: each entry
// owns its name, its description, the hooks it fills in (package hook) and the label
// filter of the specs that must react to it (make mutation runs them). The core
// imports this package; it depends only on hook, wire and fixtures.
package modes

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	"github.com/oppwa-conformance/oppwa-conformance/sandbox/hook"
)

// Mode is a deliberate deviation the sandbox can be started with. Defect modes each
// break exactly one promise of the contract, so a conformance suite run against them
// must fail (mutation testing of the suites). Tolerated modes change only what the
// contract does not promise, so the suites must stay green under them. Variation modes
// answer as the real platform is recorded or documented to answer where that differs
// from the sandbox's default.
type Mode struct {
	Name string
	// Description is the promise a defect breaks, or the change a tolerated or
	// variation mode makes (a variation also cites its source).
	Description string
	Tolerated   bool // the suites must pass under the mode
	// Variation marks a way the real platform is recorded or documented to answer
	// differently from the sandbox's default; the suites must pass when graded.
	Variation bool
	// Realistic marks a mode that acts on the realistic pages: it turns them on
	// (Options.Pages), so a run with the mode meets the pages it breaks.
	Realistic bool
	// Filter is the label filter of the specs that must react to the mode: make
	// mutation runs them (a variation's must meet it: its exact run proves they do).
	Filter string
}

// Defect, tolerated and variation mode names.
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
	DefectPreconditionsDropped    = "preconditions-dropped"
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
	DefectWebhookWrongTag         = "webhook-wrong-tag"
	DefectWebhookPayloadDisagrees = "webhook-payload-disagrees"
	DefectWebhookMissing          = "webhook-missing"
	DefectWebhookDuplicated       = "webhook-duplicated"
	DefectWebhookNotRetried       = "webhook-not-retried"
	DefectRegistrationIDMissing   = "registration-id-missing"
	DefectRegistrationExposesPAN  = "registration-exposes-pan"
	DefectRegistrationCrossEntity = "registration-cross-entity-readable"
	DefectTokenUsableAfterDelete  = "token-usable-after-delete"
	DefectMITWithoutInitial       = "mit-without-initial-accepted"
	DefectStandingInstrUnchecked  = "standing-instruction-unchecked"
	DefectCreditShownAsDebit      = "credit-shown-as-debit"
	DefectPreconditionNotRecorded = "precondition-not-recorded"
	DefectWizardStepSkipped       = "wizard-step-skipped"

	TolerateExtraFields         = "tolerate-extra-fields"
	TolerateFieldOrder          = "tolerate-field-order"
	TolerateDescriptions        = "tolerate-descriptions"
	TolerateNoRedirectMethod    = "tolerate-no-redirect-method"
	TolerateExtraRedirectParams = "tolerate-extra-redirect-params"
	TolerateRetryAfter          = "tolerate-retry-after"
	TolerateLatency             = "tolerate-latency"

	VaryRefusalCodes         = "vary-refusal-codes"
	VaryNoCredentials        = "vary-no-credentials"
	VaryCardErrorsOnBrand    = "vary-card-errors-on-brand"
	VaryHolderOptional       = "vary-holder-optional"
	VaryRedirectParamsObject = "vary-redirect-params-object"
	VaryReturnWithoutID      = "vary-return-without-id"
	VaryRecordedBackoffice   = "vary-recorded-backoffice"
)

// mode is one entry of the table: what List shows, and the hooks (package hook) that
// apply the mode.
type mode struct {
	Mode
	hooks []hook.Hook
}

// defect, tolerated and variation make one entry: name, the filter of the specs that
// must react, the description, then the hooks.
func defect(name, filter, breaks string, hooks ...hook.Hook) mode {
	return mode{Mode{Name: name, Description: breaks, Filter: filter}, hooks}
}

func tolerated(name, filter, change string, hooks ...hook.Hook) mode {
	return mode{Mode{Name: name, Description: change, Tolerated: true, Filter: filter}, hooks}
}

func variation(name, filter, change string, hooks ...hook.Hook) mode {
	return mode{Mode{Name: name, Description: change, Variation: true, Filter: filter}, hooks}
}

// onRealisticPages marks m as acting on the realistic pages.
func onRealisticPages(m mode) mode {
	m.Realistic = true
	return m
}

// List returns every defect, tolerated and variation mode, in table order.
func List() []Mode {
	out := make([]Mode, len(modes))
	for i, m := range modes {
		out[i] = m.Mode
	}
	return out
}

// Realistic reports whether a named mode acts on the realistic pages (unknown names
// are Hooks' to refuse).
func Realistic(names []string) bool {
	for _, m := range modes {
		if m.Realistic && slices.ContainsFunc(names, func(n string) bool { return strings.TrimSpace(n) == m.Name }) {
			return true
		}
	}
	return false
}

// Hooks returns the hooks of the named modes, in table order; an unknown name is an
// error.
func Hooks(names []string) ([]hook.Hook, error) {
	on := map[string]bool{}
	for _, n := range names {
		if n = strings.TrimSpace(n); n == "" {
			continue
		}
		if !slices.ContainsFunc(modes, func(m mode) bool { return m.Name == n }) {
			return nil, fmt.Errorf("sandbox: unknown defect mode %q (see DefectModes)", n)
		}
		on[n] = true
	}
	var hooks []hook.Hook
	for _, m := range modes {
		if on[m.Name] {
			hooks = append(hooks, m.hooks...)
		}
	}
	return hooks, nil
}

// broadFilter is what tolerated changes run against: every kind of flow for a few
// brands, so an over-strict check anywhere would show.
const broadFilter = "brand:VISA || brand:PAYPAL || brand:SOFORTUEBERWEISUNG || brand:GIROPAY || brand:DIRECTDEBIT_SEPA || backoffice || negative || flow:CP || 3ds"

// The codes the modes answer, from fixtures/codes.json as the core reads them.
var (
	codeSuccess     = code(fixtures.CodeSuccess)
	codePending     = code(fixtures.CodePending)
	codeParam       = code(fixtures.CodeParameterError)
	codeDown        = code(fixtures.CodeConnectorDown)
	codeBankDecline = code(fixtures.CodeBankDeclined)
)

// code is the code of a meaning (fixtures.CodeOf); the sandbox refuses to start on a
// contract that does not parse, naming the file.
var code = fixtures.CodeOf

func isInitial(t string) bool { return t == "PA" || t == "DB" || t == "CD" || t == "PA.CP" }

// newID returns 32 random lowercase hex characters, like a payment id.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
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
)

// mode is one entry of the table: what DefectModes shows, and the hooks (hooks.go)
// that apply the mode.
type mode struct {
	Mode
	hooks []hook
}

func defect(name, breaks string, hooks ...hook) mode {
	return mode{Mode{Name: name, Description: breaks}, hooks}
}

func tolerated(name, change string, hooks ...hook) mode {
	return mode{Mode{Name: name, Description: change, Tolerated: true}, hooks}
}

func variation(name, change string, hooks ...hook) mode {
	return mode{Mode{Name: name, Description: change, Variation: true}, hooks}
}

// onRealisticPages marks m as acting on the realistic pages.
func onRealisticPages(m mode) mode {
	m.Realistic = true
	return m
}

// modes is every defect, tolerated and variation mode. Enabled modes' hooks run in table order:
// where two of them change the same thing, the later one wins. Most touch only what a
// reply shows; the state, lookup and authentication hooks change what the sandbox
// decides.
var modes = []mode{
	// The result code a reply shows, and with it the HTTP status.
	defect(DefectStatusStuckPending, "status lookups keep answering 000.200.000 after the shopper finished an async payment",
		on(func(_ *Sandbox, r *paymentReply) {
			if r.view == viewStatus && r.p.viaFlow {
				r.code = codePending
			}
		})),
	defect(DefectSyncAnswersPending, "a sync brand answers 000.200.000 pending without a redirect (the payment is in fact final)",
		on(func(s *Sandbox, r *paymentReply) {
			if s.syncSuccess(r) {
				r.code = codePending
			}
		})),
	defect(DefectSyncSuccessWrongGroup, "a sync success answers 800.100.100 (rejected group) while the payment behaves as a success",
		on(func(s *Sandbox, r *paymentReply) {
			if s.syncSuccess(r) {
				r.code = codeBankDecline
			}
		})),
	defect(DefectDeclineAsSuccess, "declined and rejected payments are reported as 000.100.110 with HTTP 200",
		on(func(s *Sandbox, r *paymentReply) {
			if isInitial(r.p.paymentType) && s.outcomeOf(r.p.code) == fixtures.Rejected {
				r.code = codeSuccess
			}
		})),

	// The fields of payment replies.
	defect(DefectIDMalformed, "the id in payment replies is not 32 lowercase hex (upper-cased; lookups still accept it)",
		on(func(_ *Sandbox, r *paymentReply) { r.doc = r.doc.set("id", strings.ToUpper(r.p.id)) }),
		on(func(_ *Sandbox, l *paymentLookup) { l.id = strings.ToLower(l.id) })),
	defect(DefectCaptureNoNewID, "a capture reply reuses the PA's id instead of a new one",
		on(func(_ *Sandbox, r *paymentReply) {
			if isCaptureReply(r) {
				r.doc = r.doc.set("id", r.p.referencedID)
			}
		})),
	defect(DefectIDMissing, "initial payment replies carry no id",
		on(func(_ *Sandbox, r *paymentReply) {
			if r.view == viewInitial {
				r.doc = r.doc.without("id")
			}
		})),
	defect(DefectCaptureIgnoresAmount, "a capture reply echoes the PA amount whatever amount was captured",
		on(captureShowsAuthorisedAmount)),
	defect(DefectAmountWrongValue, "amounts are echoed one unit higher than the stored amount",
		on(func(_ *Sandbox, r *paymentReply) {
			r.doc = editString(r.doc, "amount", func(a string) string { return formatAmount(parseAmount(a) + 100) })
		})),
	defect(DefectAmountNotTwoDecimals, "amounts are echoed without trailing zero decimals (92.00 -> \"92\", 92.50 -> \"92.5\")",
		on(func(_ *Sandbox, r *paymentReply) {
			r.doc = editString(r.doc, "amount", func(a string) string { return strings.TrimSuffix(strings.TrimRight(a, "0"), ".") })
		})),
	defect(DefectCurrencyWrong, "the currency is echoed as another currency (EUR -> USD, else EUR)",
		on(func(_ *Sandbox, r *paymentReply) {
			r.doc = editString(r.doc, "currency", func(c string) string { return swap(c, "EUR", "USD", "EUR") })
		})),
	defect(DefectPaymentTypeSwapped, "a PA is echoed with paymentType DB (the stored payment is still a PA)",
		on(func(_ *Sandbox, r *paymentReply) {
			r.doc = editString(r.doc, "paymentType", func(t string) string { return swap(t, "PA", "DB", t) })
		})),
	defect(DefectBrandWrong, "paymentBrand is echoed as another brand (VISA -> MASTER, else VISA)",
		on(func(_ *Sandbox, r *paymentReply) {
			r.doc = editString(r.doc, "paymentBrand", func(b string) string { return swap(b, "VISA", "MASTER", "VISA") })
		})),
	defect(DefectPANEchoed, "card replies carry the full card number in card.number",
		on(func(_ *Sandbox, r *paymentReply) {
			r.doc = r.doc.edit("card", func(c document) document { return c.insertAfter("bin", "number", r.p.card.pan) })
		})),

	// The redirect of async replies and the way back to the shop.
	defect(DefectRedirectNoURL, "async replies carry a redirect without url",
		on(func(_ *Sandbox, r *paymentReply) {
			r.doc = r.doc.edit("redirect", func(d document) document { return d.without("url") })
		})),
	defect(DefectRedirectParamsDropped, "async replies carry redirect.parameters [] although the checkout page still requires them",
		on(func(_ *Sandbox, r *paymentReply) {
			r.doc = r.doc.edit("redirect", func(d document) document { return d.set("parameters", []document{}) })
		})),
	defect(DefectPreconditionsDropped, "3-D Secure replies carry no redirect.preconditions although the ACS still requires the 3-D Secure method call they name",
		on(func(_ *Sandbox, r *paymentReply) {
			r.doc = r.doc.edit("redirect", func(d document) document { return d.without("preconditions") })
		})),
	onRealisticPages(defect(DefectPreconditionNotRecorded, "realistic pages: the 3-D Secure method page loads and notifies, but the platform never records the method call, "+
		"so the ACS refuses an approved challenge (100.380.401)",
		on(func(_ *Sandbox, n *methodNotice) { n.recorded = false }))),
	onRealisticPages(defect(DefectWizardStepSkipped, "realistic pages: the test bank's wizard skips its final page and returns the shopper to the shop "+
		"before the payment is authorised (the status stays pending)",
		on(func(_ *Sandbox, b *bankWizard) {
			if b.p.flow == flowCheckout && len(b.w.pages) > 0 {
				b.w.pages, b.w.authorise = b.w.pages[:len(b.w.pages)-1], false
			}
		}))),
	defect(DefectReturnWrongResourcePath, "the shopper returns with a resourcePath naming another payment's id",
		on(func(s *Sandbox, r *shopperReturn) {
			other := newID()
			if o := s.store.other(r.p); o != nil {
				other = o.id
			}
			r.query.Set("resourcePath", "/v1/payments/"+other)
		})),
	defect(DefectReturnNoResourcePath, "the shopper returns to shopperResultUrl without resourcePath",
		on(func(_ *Sandbox, r *shopperReturn) { r.query.Del("resourcePath") })),
	defect(DefectReturnNoID, "the shopper returns to shopperResultUrl without the payment's id",
		on(returnWithoutID)),

	// Lookups, format errors, backoffice decisions and authentication.
	defect(DefectStatusOtherPayment, "status lookups answer with another payment of the entity (other id and data)",
		on(func(s *Sandbox, l *lookupReply) {
			if o := s.store.other(l.found); o != nil {
				l.shown = o
			}
		})),
	defect(DefectParamErrorsMissing, "format errors (200.300.404) answer without result.parameterErrors",
		on(func(_ *Sandbox, r *resultBlock) { r.paramErrors = nil })),
	defect(DefectRefundAboveVolume, "a refund above the refundable volume succeeds (and is booked)",
		on(func(_ *Sandbox, b *backofficeRule) { b.refused = b.refused && b.rule != ruleRefundWithinVolume })),
	defect(DefectReversalLeavesCapture, "a reversed PA can still be captured (and the capture is booked)",
		on(func(_ *Sandbox, b *backofficeRule) { b.refused = b.refused && b.rule != ruleNoCaptureOfReversed })),
	defect(DefectBadTokenAccepted, "an unknown access token is accepted for any entity (a missing one is still refused)",
		on(func(_ *Sandbox, t *tokenCheck) {
			if !t.known {
				t.known, t.anyEntity = true, true
			}
		})),
	defect(DefectCrossEntityReadable, "payments of one entity can be read and referenced by another entity",
		on(func(_ *Sandbox, l *paymentLookup) { l.anyEntity = true })),

	// Webhook notifications (webhook.go).
	defect(DefectWebhookWrongTag, "webhook notifications carry an X-Authentication-Tag that does not authenticate the body under the key",
		on(func(_ *Sandbox, n *webhookSealed) { n.tag = flipHex(n.tag) })),
	defect(DefectWebhookPayloadDisagrees, "webhook payloads show another result code than the reply and the status lookup (a success as 800.100.100, else 000.100.110)",
		on(func(s *Sandbox, n *webhookNotice) {
			n.payload = n.payload.edit("result", func(r document) document {
				code, _ := r.get("code").(string)
				other := codeSuccess
				if s.outcomeOf(code) == fixtures.Success {
					other = codeBankDecline
				}
				return r.set("code", other).set("description", s.contract.Description(other))
			})
		})),
	defect(DefectWebhookMissing, "captures (CP) and registration events are never notified",
		on(func(_ *Sandbox, n *webhookNotice) {
			if n.payload.get("paymentType") == "CP" || n.kind == NotifyRegistration {
				n.copies = 0
			}
		})),
	defect(DefectWebhookDuplicated, "every webhook notification is sent twice although the receiver acknowledged the first",
		on(func(_ *Sandbox, n *webhookNotice) { n.copies = 2 })),
	defect(DefectWebhookNotRetried, "a webhook notification the receiver did not acknowledge (non-2xx) is never sent again",
		on(func(_ *Sandbox, o *Options) { o.WebhookAttempts = 1 })),
	// Registration tokens, standing instructions and credits.
	defect(DefectRegistrationIDMissing, "a payment with createRegistration=true answers without registrationId (the token is stored all the same)",
		on(func(_ *Sandbox, r *paymentReply) { r.doc = r.doc.without("registrationId") })),
	defect(DefectRegistrationExposesPAN, "registration replies carry the full card number in card.number",
		on(func(_ *Sandbox, r *registrationReply) {
			if c := r.reg.card; c != nil {
				r.doc = r.doc.edit("card", func(d document) document { return d.insertAfter("bin", "number", c.pan) })
			}
		})),
	defect(DefectRegistrationCrossEntity, "a registration token of one entity can be read, used and deleted by another entity",
		on(func(_ *Sandbox, l *registrationLookup) { l.anyEntity = true })),
	defect(DefectTokenUsableAfterDelete, "a deleted registration token still pays",
		on(func(_ *Sandbox, t *tokenRule) { t.refused = t.refused && t.rule != ruleTokenNotDeleted })),
	defect(DefectMITWithoutInitial, "a repeated or merchant-initiated payment without a usable initial (no initial CIT on the token, no initialTransactionId) is accepted",
		on(func(_ *Sandbox, t *tokenRule) { t.refused = t.refused && t.rule != ruleRepeatNeedsInitial })),
	defect(DefectStandingInstrUnchecked, "standingInstruction values outside the documented sets (mode, type, source) are accepted on card payments",
		on(func(_ *Sandbox, f *initialFormat) {
			f.errs = slices.DeleteFunc(f.errs, func(e paramError) bool { return strings.HasPrefix(e.name, "standingInstruction.") })
		})),
	defect(DefectCreditShownAsDebit, "a credit (CD) is echoed and looked up with paymentType DB (the stored payment is still a CD)",
		on(func(_ *Sandbox, r *paymentReply) {
			r.doc = editString(r.doc, "paymentType", func(t string) string { return swap(t, "CD", "DB", t) })
		})),

	// Tolerated: what the contract leaves open. Field order comes before extra fields so
	// that, together, the added fields stay first and last.
	tolerated(TolerateFieldOrder, "the keys of every JSON object are in reverse order",
		on(func(_ *Sandbox, r *jsonReply) {
			r.doc = mapObjects(r.doc, func(d document) document { slices.Reverse(d); return d }).(document)
		})),
	tolerated(TolerateExtraFields, "unknown fields are added to every JSON object (top level, result, card, redirect, parameters...)",
		on(func(_ *Sandbox, r *jsonReply) { r.doc = mapObjects(r.doc, withUnknownFields).(document) })),
	tolerated(TolerateDescriptions, "result descriptions are reworded (codes unchanged)",
		on(func(_ *Sandbox, r *resultBlock) {
			r.description = "Sandbox wording: " + strings.ToUpper(r.description[:1]) + r.description[1:] + "."
		})),
	tolerated(TolerateNoRedirectMethod, "redirect.method is omitted for every brand (clients must POST; the pages accept POST)",
		on(func(_ *Sandbox, r *paymentReply) {
			r.doc = r.doc.edit("redirect", func(d document) document { return d.without("method") })
		})),
	tolerated(TolerateExtraRedirectParams, "redirect.parameters carry extra parameters the pages ignore",
		on(func(_ *Sandbox, r *paymentReply) { r.doc = r.doc.edit("redirect", withExtraParameters) })),
	tolerated(TolerateRetryAfter, "about 30% of API GETs answer 503 with Retry-After: 0 (never twice in a row for one path)",
		on(func(s *Sandbox, f *apiFault) {
			if s.alternating.fault(f.path) {
				f.status, f.code, f.retryAfter = 503, codeDown, "0"
			}
		})),
	tolerated(TolerateLatency, "every API call is delayed by 20 ms",
		on(func(_ *Sandbox, o *Options) { o.Latency = max(o.Latency, 20*time.Millisecond) })),

	// Variations: the real platform as recordings and documents show it where it
	// answers otherwise than the sandbox's default (real-platform.md).
	variation(VaryRefusalCodes, "backoffice refusals answer other codes of the documented reference-validation group ^700\\.[1345][05]0: "+
		"over-capture 700.100.300, over-refund 700.100.200, second reversal 700.300.700, capture of a reversed PA and refund or reversal of an unknown id 700.300.100, "+
		"capture of a DB 700.100.700, currency mismatch 700.100.400, pending reference 700.100.100; a capture of an unknown id keeps the recorded 700.400.510 "+
		"(real-platform.md §4: which exact 700.* code is not recorded)",
		on(func(s *Sandbox, b *backofficeRule) {
			// Each rule's variedCode in fixtures/rules.json: of the documented group, none
			// the sandbox's default (the capture of an unknown id, recorded as
			// 700.400.510, has none and keeps it).
			if c, ok := s.varied[b.rule]; ok {
				b.code = c
			}
		})),
	variation(VaryNoCredentials, "a request with no Authorization header answers HTTP 400, 200.300.404 and a parameter error "+
		"{name: authentication, value: null, message: may not be null} (real-platform.md §4, a 2018 recording)",
		on(func(_ *Sandbox, a *authRefusal) {
			if a.noCredentials {
				a.status, a.code = http.StatusBadRequest, codeParam
				a.paramErrors = []paramError{{"authentication", "", "may not be null"}}
			}
		})),
	variation(VaryCardErrorsOnBrand, "a card payment missing card.number, card.expiryMonth or card.expiryYear answers 200.300.404 with one "+
		"parameter error naming paymentBrand, \"card properties must be set\", instead of the card fields (real-platform.md §4, activemerchant recordings)",
		on(cardErrorsOnBrand)),
	variation(VaryHolderOptional, "a card payment without card.holder is accepted (real-platform.md §4: card.holder is optional in the vendor's mobile SDK)",
		on(func(_ *Sandbox, f *initialFormat) {
			if f.card {
				f.errs = slices.DeleteFunc(f.errs, func(e paramError) bool { return e.name == "card.holder" && e.message == msgEmpty })
			}
		})),
	variation(VaryRedirectParamsObject, "redirect.parameters is a JSON object of name to value instead of an array of {name, value}; "+
		"the pages still require the parameters (real-platform.md §1, a HyperPay recording)",
		on(func(_ *Sandbox, r *paymentReply) { r.doc = r.doc.edit("redirect", parametersAsObject) })),
	variation(VaryReturnWithoutID, "the shopper returns to shopperResultUrl with resourcePath only, no id "+
		"(the server-to-server documentation promises resourcePath only; real-platform.md §1 on the way back to the shop)",
		on(returnWithoutID)),
	// Recorded reply shapes (recorded.go; real-platform.md §4): the defaults follow the
	// recordings (fixtures/shapes.json) except where a newer source disagrees.
	variation(VaryRecordedBackoffice, "capture, refund and reversal replies carry no referencedId (real-platform.md §4: "+
		"AM CardProcess recordings, 2017-11-28, and the same library's newer OPP recordings; the sandbox's default referencedId follows HS-tx, 2020s)",
		on(recordedBackoffice)),
}

// cardErrorsOnBrand reports missing card number and expiry as one parameter error on
// paymentBrand, as activemerchant's recordings show.
func cardErrorsOnBrand(_ *Sandbox, f *initialFormat) {
	if !f.card {
		return
	}
	n := len(f.errs)
	f.errs = slices.DeleteFunc(f.errs, func(e paramError) bool {
		return e.message == msgEmpty && (e.name == "card.number" || e.name == "card.expiryMonth" || e.name == "card.expiryYear")
	})
	if len(f.errs) < n {
		f.errs = append(f.errs, paramError{"paymentBrand", "", msgCardProps})
	}
}

// returnWithoutID drops the payment's id from the shopper's return URL (a defect where
// the contract promises it, a variation where the documentation promises resourcePath
// only).
func returnWithoutID(_ *Sandbox, r *shopperReturn) { r.query.Del("id") }

// parametersAsObject turns redirect.parameters from an array of {name, value} into an
// object of name to value.
func parametersAsObject(redirect document) document {
	ps, ok := redirect.get("parameters").([]document)
	if !ok {
		return redirect
	}
	obj := make(document, 0, len(ps))
	for _, p := range ps {
		if name, ok := p.get("name").(string); ok {
			obj = obj.with(name, p.get("value"))
		}
	}
	return redirect.set("parameters", obj)
}

// syncSuccess reports whether r is the initial reply of a successful payment that did
// not wait for the shopper.
func (s *Sandbox) syncSuccess(r *paymentReply) bool {
	return r.view == viewInitial && r.p.flow == flowNone && s.outcomeOf(r.p.code) == fixtures.Success
}

func isCaptureReply(r *paymentReply) bool {
	return r.view == viewBackoffice && r.p.paymentType == "CP"
}

// captureShowsAuthorisedAmount shows the captured PA's amount in a capture reply.
func captureShowsAuthorisedAmount(s *Sandbox, r *paymentReply) {
	ref := s.store.byID[r.p.referencedID]
	if !isCaptureReply(r) || ref == nil {
		return
	}
	if a := formatAmount(ref.cents); a != "" {
		r.doc = r.doc.set("amount", a)
	} else {
		r.doc = r.doc.without("amount")
	}
}

// flipHex changes the first byte of a hex string (a tag that no longer authenticates).
func flipHex(h string) string {
	if len(h) < 2 {
		return "00"
	}
	if h[:2] == "00" {
		return "FF" + h[2:]
	}
	return "00" + h[2:]
}

// editString returns d with the string under key replaced by change(it).
func editString(d document, key string, change func(string) string) document {
	if v, ok := d.get(key).(string); ok {
		return d.set(key, change(v))
	}
	return d
}

func swap(v, from, to, other string) string {
	if v == from {
		return to
	}
	return other
}

// sandboxExtension is the unknown object tolerate-extra-fields adds; it is raw JSON so
// that no later change reaches inside it.
var sandboxExtension = json.RawMessage(`{"note":"unknown field a tolerant reader ignores","list":[1,2]}`)

func withUnknownFields(d document) document {
	out := append(document{{"sandboxExtension", sandboxExtension}}, d...)
	return out.with("x_sandbox_unknown", "ignore me")
}

func withExtraParameters(redirect document) document {
	ps, _ := redirect.get("parameters").([]document)
	ps = append(slices.Clip(ps),
		document{{"name", "locale"}, {"value", "en"}},
		document{{"name", "sandboxTrace"}, {"value", newID()}})
	return redirect.set("parameters", ps)
}

// DefectModes lists every defect, tolerated and variation mode with a one-line
// description.
func DefectModes() []Mode {
	out := make([]Mode, len(modes))
	for i, m := range modes {
		out[i] = m.Mode
	}
	return out
}

// realisticModes reports whether a named mode acts on the realistic pages (unknown
// names are enabledHooks' to refuse).
func realisticModes(names []string) bool {
	for _, m := range modes {
		if m.Realistic && slices.ContainsFunc(names, func(n string) bool { return strings.TrimSpace(n) == m.Name }) {
			return true
		}
	}
	return false
}

// enabledHooks returns the hooks of the named modes, in table order.
func enabledHooks(names []string) ([]hook, error) {
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
	var hooks []hook
	for _, m := range modes {
		if on[m.Name] {
			hooks = append(hooks, m.hooks...)
		}
	}
	return hooks, nil
}

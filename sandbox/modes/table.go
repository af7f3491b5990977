package modes

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	"github.com/oppwa-conformance/oppwa-conformance/sandbox/hook"
	"github.com/oppwa-conformance/oppwa-conformance/sandbox/wire"
)

// modes is every defect, tolerated and variation mode. Enabled modes' hooks run in table order:
// where two of them change the same thing, the later one wins. Most touch only what a
// reply shows; the state, lookup and authentication hooks change what the sandbox
// decides.
var modes = []mode{
	// The result code a reply shows, and with it the HTTP status.
	defect(DefectStatusStuckPending, "async && brand:PAYPAL", "status lookups keep answering 000.200.000 after the shopper finished an async payment",
		hook.On(func(r *hook.PaymentReply) {
			if r.View == hook.ViewStatus && r.Payment.ViaFlow {
				r.Code = codePending
			}
		})),
	defect(DefectSyncAnswersPending, "flow:DB && brand:VISA", "a sync brand answers 000.200.000 pending without a redirect (the payment is in fact final)",
		hook.On(func(r *hook.PaymentReply) {
			if syncSuccess(r) {
				r.Code = codePending
			}
		})),
	defect(DefectSyncSuccessWrongGroup, "flow:PA && brand:VISA", "a sync success answers 800.100.100 (rejected group) while the payment behaves as a success",
		hook.On(func(r *hook.PaymentReply) {
			if syncSuccess(r) {
				r.Code = codeBankDecline
			}
		})),
	defect(DefectDeclineAsSuccess, "(negative && !browser) || registration || recurring || CD", "declined and rejected payments are reported as 000.100.110 with HTTP 200",
		hook.On(func(r *hook.PaymentReply) {
			if isInitial(r.Payment.Type) && r.Payment.Outcome == fixtures.Rejected {
				r.Code = codeSuccess
			}
		})),

	// The fields of payment replies.
	defect(DefectIDMalformed, "flow:PA && brand:VISA", "the id in payment replies is not 32 lowercase hex (upper-cased; lookups still accept it)",
		hook.On(func(r *hook.PaymentReply) { r.Doc = r.Doc.Set("id", strings.ToUpper(r.Payment.ID)) }),
		hook.On(func(l *hook.PaymentLookup) { l.ID = strings.ToLower(l.ID) })),
	defect(DefectCaptureNoNewID, "flow:CP", "a capture reply reuses the PA's id instead of a new one",
		hook.On(func(r *hook.PaymentReply) {
			if isCaptureReply(r) {
				r.Doc = r.Doc.Set("id", r.Payment.ReferencedID)
			}
		})),
	defect(DefectIDMissing, "flow:PA && brand:VISA", "initial payment replies carry no id",
		hook.On(func(r *hook.PaymentReply) {
			if r.View == hook.ViewInitial {
				r.Doc = r.Doc.Without("id")
			}
		})),
	defect(DefectCaptureIgnoresAmount, "flow:CP", "a capture reply echoes the PA amount whatever amount was captured",
		hook.On(captureShowsAuthorisedAmount)),
	defect(DefectAmountWrongValue, "flow:PA && brand:VISA", "amounts are echoed one unit higher than the stored amount",
		hook.On(func(r *hook.PaymentReply) {
			r.Doc = editString(r.Doc, "amount", func(a string) string { return wire.FormatAmount(wire.ParseAmount(a) + 100) })
		})),
	defect(DefectAmountNotTwoDecimals, "flow:PA && brand:VISA", "amounts are echoed without trailing zero decimals (92.00 -> \"92\", 92.50 -> \"92.5\")",
		hook.On(func(r *hook.PaymentReply) {
			r.Doc = editString(r.Doc, "amount", func(a string) string { return strings.TrimSuffix(strings.TrimRight(a, "0"), ".") })
		})),
	defect(DefectCurrencyWrong, "flow:PA && brand:VISA", "the currency is echoed as another currency (EUR -> USD, else EUR)",
		hook.On(func(r *hook.PaymentReply) {
			r.Doc = editString(r.Doc, "currency", func(c string) string { return swap(c, "EUR", "USD", "EUR") })
		})),
	defect(DefectPaymentTypeSwapped, "flow:PA && brand:VISA", "a PA is echoed with paymentType DB (the stored payment is still a PA)",
		hook.On(func(r *hook.PaymentReply) {
			r.Doc = editString(r.Doc, "paymentType", func(t string) string { return swap(t, "PA", "DB", t) })
		})),
	defect(DefectBrandWrong, "flow:PA && brand:VISA", "paymentBrand is echoed as another brand (VISA -> MASTER, else VISA)",
		hook.On(func(r *hook.PaymentReply) {
			r.Doc = editString(r.Doc, "paymentBrand", func(b string) string { return swap(b, "VISA", "MASTER", "VISA") })
		})),
	defect(DefectPANEchoed, "flow:PA && brand:VISA", "card replies carry the full card number in card.number",
		hook.On(func(r *hook.PaymentReply) {
			r.Doc = r.Doc.Edit("card", func(c wire.Document) wire.Document { return c.InsertAfter("bin", "number", r.Payment.PAN) })
		})),

	// The redirect of async replies and the way back to the shop.
	defect(DefectRedirectNoURL, "flow:workflow && brand:PAYPAL", "async replies carry a redirect without url",
		hook.On(func(r *hook.PaymentReply) {
			r.Doc = r.Doc.Edit("redirect", func(d wire.Document) wire.Document { return d.Without("url") })
		})),
	defect(DefectRedirectParamsDropped, "async && (brand:PAYPAL || brand:SOFORTUEBERWEISUNG || brand:GIROPAY)", "async replies carry redirect.parameters [] although the checkout page still requires them",
		hook.On(func(r *hook.PaymentReply) {
			r.Doc = r.Doc.Edit("redirect", func(d wire.Document) wire.Document { return d.Set("parameters", []wire.Document{}) })
		})),
	defect(DefectPreconditionsDropped, "3ds && brand:VISA", "3-D Secure replies carry no redirect.preconditions although the ACS still requires the 3-D Secure method call they name",
		hook.On(func(r *hook.PaymentReply) {
			r.Doc = r.Doc.Edit("redirect", func(d wire.Document) wire.Document { return d.Without("preconditions") })
		})),
	onRealisticPages(defect(DefectPreconditionNotRecorded, "3ds && brand:VISA && !simulator-only", "realistic pages: the 3-D Secure method page loads and notifies, but the platform never records the method call, "+
		"so the ACS refuses an approved challenge (100.380.401)",
		hook.On(func(n *hook.MethodNotice) { n.Recorded = false }))),
	onRealisticPages(defect(DefectWizardStepSkipped, "flow:async-approve && (brand:PAYPAL || brand:SOFORTUEBERWEISUNG || brand:GIROPAY)", "realistic pages: the test bank's wizard skips its final page and returns the shopper to the shop "+
		"before the payment is authorised (the status stays pending)",
		hook.On(func(b *hook.BankWizard) {
			if b.Checkout && b.Pages > 0 {
				b.Pages, b.Authorise = b.Pages-1, false
			}
		}))),
	defect(DefectReturnWrongResourcePath, "async && brand:PAYPAL", "the shopper returns with a resourcePath naming another payment's id",
		hook.On(func(r *hook.ShopperReturn) { r.Query.Set("resourcePath", "/v1/payments/"+r.OtherID) })),
	defect(DefectReturnNoResourcePath, "async && brand:PAYPAL", "the shopper returns to shopperResultUrl without resourcePath",
		hook.On(func(r *hook.ShopperReturn) { r.Query.Del("resourcePath") })),
	defect(DefectReturnNoID, "async && brand:PAYPAL", "the shopper returns to shopperResultUrl without the payment's id",
		hook.On(returnWithoutID)),

	// Lookups, format errors, backoffice decisions and authentication.
	defect(DefectStatusOtherPayment, "flow:CP", "status lookups answer with another payment of the entity (other id and data)",
		hook.On(func(l *hook.LookupReply) { l.ShowOther = true })),
	defect(DefectParamErrorsMissing, "(negative && format) || id:S2S-BO-009", "format errors (200.300.404) answer without result.parameterErrors",
		hook.On(func(r *hook.ResultBlock) { r.ParamErrors = nil })),
	defect(DefectRefundAboveVolume, "flow:RF", "a refund above the refundable volume succeeds (and is booked)",
		hook.On(func(b *hook.BackofficeRule) { b.Refused = b.Refused && b.Rule != hook.RuleRefundWithinVolume })),
	defect(DefectReversalLeavesCapture, "flow:RV", "a reversed PA can still be captured (and the capture is booked)",
		hook.On(func(b *hook.BackofficeRule) { b.Refused = b.Refused && b.Rule != hook.RuleNoCaptureOfReversed })),
	defect(DefectBadTokenAccepted, "negative && auth", "an unknown access token is accepted for any entity (a missing one is still refused)",
		hook.On(func(t *hook.TokenCheck) {
			if !t.Known {
				t.Known, t.AnyEntity = true, true
			}
		})),
	defect(DefectCrossEntityReadable, "negative && auth", "payments of one entity can be read and referenced by another entity",
		hook.On(func(l *hook.PaymentLookup) { l.AnyEntity = true })),

	// Webhook notifications (webhook.go).
	defect(DefectWebhookWrongTag, "webhook", "webhook notifications carry an X-Authentication-Tag that does not authenticate the body under the key",
		hook.On(func(n *hook.WebhookSealed) { n.Tag = flipHex(n.Tag) })),
	defect(DefectWebhookPayloadDisagrees, "webhook", "webhook payloads show another result code than the reply and the status lookup (a success as 800.100.100, else 000.100.110)",
		hook.On(func(n *hook.WebhookNotice) {
			n.Payload = n.Payload.Edit("result", func(r wire.Document) wire.Document {
				code, _ := r.Get("code").(string)
				other := codeSuccess
				if fixtures.Load().OutcomeOf(code) == fixtures.Success {
					other = codeBankDecline
				}
				return r.Set("code", other).Set("description", fixtures.Load().Description(other))
			})
		})),
	defect(DefectWebhookMissing, "webhook", "captures (CP) and registration events are never notified",
		hook.On(func(n *hook.WebhookNotice) {
			if n.Payload.Get("paymentType") == "CP" || n.Kind == hook.KindRegistration {
				n.Copies = 0
			}
		})),
	defect(DefectWebhookDuplicated, "webhook", "every webhook notification is sent twice although the receiver acknowledged the first",
		hook.On(func(n *hook.WebhookNotice) { n.Copies = 2 })),
	defect(DefectWebhookNotRetried, "webhook", "a webhook notification the receiver did not acknowledge (non-2xx) is never sent again",
		hook.On(func(o *hook.Settings) { o.WebhookAttempts = 1 })),
	// Registration tokens, standing instructions and credits.
	defect(DefectRegistrationIDMissing, "registration || recurring", "a payment with createRegistration=true answers without registrationId (the token is stored all the same)",
		hook.On(func(r *hook.PaymentReply) { r.Doc = r.Doc.Without("registrationId") })),
	defect(DefectRegistrationExposesPAN, "registration", "registration replies carry the full card number in card.number",
		hook.On(func(r *hook.RegistrationReply) {
			// Edit changes nothing without a card block (a bank account's token).
			r.Doc = r.Doc.Edit("card", func(d wire.Document) wire.Document { return d.InsertAfter("bin", "number", r.PAN) })
		})),
	defect(DefectRegistrationCrossEntity, "registration", "a registration token of one entity can be read, used and deleted by another entity",
		hook.On(func(l *hook.RegistrationLookup) { l.AnyEntity = true })),
	defect(DefectTokenUsableAfterDelete, "registration", "a deleted registration token still pays",
		hook.On(func(t *hook.TokenRule) { t.Refused = t.Refused && t.Rule != hook.RuleTokenNotDeleted })),
	defect(DefectMITWithoutInitial, "recurring", "a repeated or merchant-initiated payment without a usable initial (no initial CIT on the token, no initialTransactionId) is accepted",
		hook.On(func(t *hook.TokenRule) { t.Refused = t.Refused && t.Rule != hook.RuleRepeatNeedsInitial })),
	defect(DefectStandingInstrUnchecked, "recurring", "standingInstruction values outside the documented sets (mode, type, source) are accepted on card payments",
		hook.On(func(f *hook.InitialFormat) {
			f.Errs = slices.DeleteFunc(f.Errs, func(e hook.ParamError) bool { return strings.HasPrefix(e.Name, "standingInstruction.") })
		})),
	defect(DefectCreditShownAsDebit, "CD", "a credit (CD) is echoed and looked up with paymentType DB (the stored payment is still a CD)",
		hook.On(func(r *hook.PaymentReply) {
			r.Doc = editString(r.Doc, "paymentType", func(t string) string { return swap(t, "CD", "DB", t) })
		})),

	// Tolerated: what the contract leaves open. Field order comes before extra fields so
	// that, together, the added fields stay first and last.
	tolerated(TolerateFieldOrder, broadFilter, "the keys of every JSON object are in reverse order",
		hook.On(func(r *hook.JSONReply) {
			r.Doc = wire.MapObjects(r.Doc, func(d wire.Document) wire.Document { slices.Reverse(d); return d }).(wire.Document)
		})),
	tolerated(TolerateExtraFields, broadFilter, "unknown fields are added to every JSON object (top level, result, card, redirect, parameters...)",
		hook.On(func(r *hook.JSONReply) { r.Doc = wire.MapObjects(r.Doc, withUnknownFields).(wire.Document) })),
	tolerated(TolerateDescriptions, broadFilter, "result descriptions are reworded (codes unchanged)",
		hook.On(func(r *hook.ResultBlock) {
			r.Description = "Sandbox wording: " + strings.ToUpper(r.Description[:1]) + r.Description[1:] + "."
		})),
	tolerated(TolerateNoRedirectMethod, broadFilter, "redirect.method is omitted for every brand (clients must POST; the pages accept POST)",
		hook.On(func(r *hook.PaymentReply) {
			r.Doc = r.Doc.Edit("redirect", func(d wire.Document) wire.Document { return d.Without("method") })
		})),
	tolerated(TolerateExtraRedirectParams, broadFilter, "redirect.parameters carry extra parameters the pages ignore",
		hook.On(func(r *hook.PaymentReply) { r.Doc = r.Doc.Edit("redirect", withExtraParameters) })),
	tolerated(TolerateRetryAfter, broadFilter, "about 30% of API GETs answer 503 with Retry-After: 0 (never twice in a row for one path)",
		hook.On(func(f *hook.APIFault) {
			if f.Alternate() {
				f.Status, f.Code, f.RetryAfter = 503, codeDown, "0"
			}
		})),
	tolerated(TolerateLatency, broadFilter, "every API call is delayed by 20 ms",
		hook.On(func(o *hook.Settings) { o.Latency = max(o.Latency, 20*time.Millisecond) })),

	// Variations: the real platform as recordings and documents show it where it
	// answers otherwise than the sandbox's default (real-platform.md).
	variation(VaryRefusalCodes, "flow:CP || flow:RF || flow:RV || flow:backoffice-refusal", "backoffice refusals answer other codes of the documented reference-validation group ^700\\.[1345][05]0: "+
		"over-capture 700.100.300, over-refund 700.100.200, second reversal 700.300.700, capture of a reversed PA and refund or reversal of an unknown id 700.300.100, "+
		"capture of a DB 700.100.700, currency mismatch 700.100.400, pending reference 700.100.100; a capture of an unknown id keeps the recorded 700.400.510 "+
		"(real-platform.md §4: which exact 700.* code is not recorded)",
		hook.On(func(b *hook.BackofficeRule) {
			// Each rule's variedCode in fixtures/rules.json: of the documented group, none
			// the sandbox's default (the capture of an unknown id, recorded as
			// 700.400.510, has none and keeps it).
			if b.VariedCode != "" {
				b.Code = b.VariedCode
			}
		})),
	variation(VaryNoCredentials, "flow:auth", "a request with no Authorization header answers HTTP 400, 200.300.404 and a parameter error "+
		"{name: authentication, value: null, message: may not be null} (real-platform.md §4, a 2018 recording)",
		hook.On(func(a *hook.AuthRefusal) {
			if a.NoCredentials {
				a.Status, a.Code = http.StatusBadRequest, codeParam
				a.ParamErrors = []hook.ParamError{{Name: "authentication", Message: "may not be null"}}
			}
		})),
	variation(VaryCardErrorsOnBrand, "flow:format", "a card payment missing card.number, card.expiryMonth or card.expiryYear answers 200.300.404 with one "+
		"parameter error naming paymentBrand, \"card properties must be set\", instead of the card fields (real-platform.md §4, activemerchant recordings)",
		hook.On(cardErrorsOnBrand)),
	variation(VaryHolderOptional, "flow:format", "a card payment without card.holder is accepted (real-platform.md §4: card.holder is optional in the vendor's mobile SDK)",
		hook.On(func(f *hook.InitialFormat) {
			if f.Card {
				f.Errs = slices.DeleteFunc(f.Errs, func(e hook.ParamError) bool { return e.Name == "card.holder" && e.Message == hook.MsgEmpty })
			}
		})),
	variation(VaryRedirectParamsObject, "(flow:async-approve && (brand:PAYPAL || brand:SOFORTUEBERWEISUNG || brand:GIROPAY)) || (flow:3ds && brand:VISA)", "redirect.parameters is a JSON object of name to value instead of an array of {name, value}; "+
		"the pages still require the parameters (real-platform.md §1, a HyperPay recording)",
		hook.On(func(r *hook.PaymentReply) { r.Doc = r.Doc.Edit("redirect", wire.ParametersAsObject) })),
	variation(VaryReturnWithoutID, "(flow:async-approve && (brand:PAYPAL || brand:SOFORTUEBERWEISUNG || brand:GIROPAY)) || (flow:3ds && brand:VISA)", "the shopper returns to shopperResultUrl with resourcePath only, no id "+
		"(the server-to-server documentation promises resourcePath only; real-platform.md §1 on the way back to the shop)",
		hook.On(returnWithoutID)),
	// Recorded reply shapes (recorded.go; real-platform.md §4): the defaults follow the
	// recordings (fixtures/shapes.json) except where a newer source disagrees.
	variation(VaryRecordedBackoffice, "flow:CP || flow:RF || flow:RV || flow:backoffice-refusal",
		"capture, refund and reversal replies carry no referencedId (real-platform.md §4: "+
			"AM CardProcess recordings, 2017-11-28, and the same library's newer OPP recordings; the sandbox's default referencedId follows HS-tx, 2020s)",
		hook.On(recordedBackoffice)),
}

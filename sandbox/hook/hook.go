// Package hook holds the hook points: the places where the sandbox's normal handling
// lets a defect, tolerated or variation mode (package modes) change what happens. Each
// point is an event type below: the core fills one in, fires it, and carries on with
// whatever the enabled modes left in it. The events carry values, never the core's
// state, so the modes depend on this package and package wire alone.
package hook

import (
	"net/url"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	"github.com/oppwa-conformance/oppwa-conformance/sandbox/wire"
)

// Point is every event type.
type Point interface {
	Settings | TokenCheck | AuthRefusal | InitialFormat | PaymentLookup | LookupReply |
		BackofficeRule | PaymentReply | ShopperReturn | ResultBlock | APIFault | JSONReply |
		WireReply | WebhookNotice | WebhookSealed | RegistrationLookup | TokenRule | RegistrationReply |
		BankWizard | MethodNotice
}

// Hook is one mode's function for one point: a func(*E) for an event type E.
type Hook struct{ fn any }

// On makes the hook for the point its function takes.
func On[E Point](fn func(*E)) Hook { return Hook{fn} }

// Fire runs the hooks for the point of e, in order.
func Fire[E Point](hooks []Hook, e *E) {
	for _, h := range hooks {
		if fn, ok := h.fn.(func(*E)); ok {
			fn(e)
		}
	}
}

// ParamError is one entry of result.parameterErrors.
type ParamError struct{ Name, Value, Message string }

// Parameter error messages the modes look for.
const (
	MsgEmpty     = "may not be empty"
	MsgCardProps = "card properties must be set"
)

// View says which reply a payment is rendered for; some modes touch only one.
type View uint8

// The views.
const (
	ViewInitial    View = iota // the reply to POST /v1/payments
	ViewStatus                 // status and query lookups
	ViewBackoffice             // the reply to a capture, refund or reversal
)

// Names of the rules (fixtures/rules.json and the token rules) that modes waive.
const (
	RuleNoCaptureOfReversed = "a reversed PA cannot be captured"
	RuleRefundWithinVolume  = "refunds stay within the refunded payment's amount"
	RuleTokenNotDeleted     = "a deleted token does not pay"
	RuleRepeatNeedsInitial  = "a repeat or merchant-initiated payment needs a usable initial"
)

// KindRegistration is the webhook kind of registration events.
const KindRegistration = "REGISTRATION"

// Settings: the options are settled when the sandbox is built.
type Settings struct {
	WebhookAttempts int
	Latency         time.Duration
}

// TokenCheck: a Bearer token is authenticated (before any validation).
type TokenCheck struct {
	Known     bool // the sandbox accepts the token; unknown tokens answer 403
	AnyEntity bool // the token may act for every entity, not only those it owns
}

// AuthRefusal: a request is refused for its credentials, before any validation.
// NoCredentials says it carried no Authorization header at all; Status, Code and
// ParamErrors make the reply.
type AuthRefusal struct {
	NoCredentials bool
	Entity        string
	Status        int
	Code          string
	ParamErrors   []ParamError
}

// InitialFormat: the format errors of an initial payment are settled; Errs is what the
// 200.300.404 reply lists, and with none the payment goes on. Card says the payment's
// brand is a card brand.
type InitialFormat struct {
	Card bool
	Errs []ParamError
}

// PaymentLookup: a payment id from the URL is looked up for an entity, by a status or
// query lookup or as the reference of a backoffice operation.
type PaymentLookup struct {
	ID        string
	AnyEntity bool // another entity's payment is found too
}

// LookupReply: a status or query lookup found a payment; ShowOther makes its reply show
// the entity's most recent other payment instead (when it has one).
type LookupReply struct{ ShowOther bool }

// BackofficeRule: a rule of the backoffice state machine refuses an operation with
// Code; clearing Refused lets the operation through to the next rule. VariedCode is
// the rule's code of the documented group that vary-refusal-codes answers ("" for none).
type BackofficeRule struct {
	Operation  string // the operation's paymentType: CP, RF or RV
	Rule       string
	Refused    bool
	Code       string
	VariedCode string
}

// Payment is what a reply's modes may know of the stored payment.
type Payment struct {
	ID, Type, ReferencedID string
	Brand                  string
	PAN                    string // the full card number ("" without a card)
	Async                  bool   // the payment waits (or waited) for a shopper page
	ViaFlow                bool   // its final result came from a shopper page
	Outcome                fixtures.Outcome
	// HasRef says the payment references a stored one (a backoffice operation), whose
	// amount RefAmount is ("" without one).
	HasRef    bool
	RefAmount string
}

// PaymentReply: a reply document is about to be written for View of Payment. Code is
// the result code the reply shows; its result block and HTTP status follow it.
type PaymentReply struct {
	Payment Payment
	View    View
	Doc     wire.Document
	Code    string
}

// ShopperReturn: the shopper's return URL is built; Query holds the parameters added
// to shopperResultUrl (id and resourcePath).
type ShopperReturn struct {
	Brand   string // the payment's brand
	Query   url.Values
	OtherID string // the id of the entity's most recent other payment (a fresh id if none)
}

// ResultBlock: the result block of a reply, or an entry of /v1/resultcodes, is built.
type ResultBlock struct {
	Code, Description string
	ParamErrors       []ParamError
}

// APIFault: an API GET may be answered with a fault instead (Status 0: no fault).
// Alternate reports whether the path is due a fault in the alternating pattern (about
// 30% of calls, never twice in a row for one path); it counts the call.
type APIFault struct {
	Path             string
	Status           int
	Code, RetryAfter string
	Alternate        func() bool
}

// RegistrationLookup: a registration token from the URL is looked up for an entity,
// to read, delete or pay with it.
type RegistrationLookup struct {
	AnyEntity bool // another entity's token is found too
}

// TokenRule: a token rule refuses a payment with a token (or a repeat without its
// initial) with Code; clearing Refused lets the payment through.
type TokenRule struct {
	Rule    string
	Refused bool
	Code    string
}

// RegistrationReply: a token's reply document is about to be written; PAN is the
// token's full card number ("" without a card).
type RegistrationReply struct {
	PAN string
	Doc wire.Document
}

// JSONReply: a JSON reply is about to be encoded. Doc is what the merchant receives
// and what a notification of the reply carries.
type JSONReply struct{ Doc wire.Document }

// WireReply: the JSON reply to a request is about to be written, after JSONReply.
// Method and Path are the request's (the path without doubled slashes), Status the
// reply's HTTP status. Doc goes to the wire only: a notification of the reply carries
// the document JSONReply left, so an edit here, such as a twin's field sets for API
// replies (package calibrated), never reaches a webhook payload.
type WireReply struct {
	Method, Path string
	Status       int
	Doc          wire.Document
}

// WebhookNotice: a webhook notification of Kind (PAYMENT, REGISTRATION) is about to be
// sealed; Payload is the reply it carries, Copies how many times it is sent (1).
type WebhookNotice struct {
	Kind    string
	Payload wire.Document
	Copies  int
}

// WebhookSealed: a notification was encrypted; Body, IV and Tag (hex) are what the
// delivery carries in its body and headers.
type WebhookSealed struct{ Body, IV, Tag string }

// BankWizard: the realistic pages of a payment are settled. Checkout says it is a
// test-bank wizard (not 3-D Secure); the shopper goes through its first Pages pages,
// and the hop after them authorises the payment when Authorise.
type BankWizard struct {
	Checkout  bool
	Pages     int
	Authorise bool
}

// MethodNotice: the notification of a 3-D Secure method call arrived on the realistic
// pages; Recorded says the platform records the call as made.
type MethodNotice struct{ Recorded bool }

package sandbox

import (
	"github.com/oppwa-conformance/oppwa-conformance/sandbox/hook"
	"github.com/oppwa-conformance/oppwa-conformance/sandbox/modes"
)

// The hook points are package hook's events, and the modes that fill them in are
// package modes' table; the core fires a point where its handling lets a mode change
// what happens. These names keep the core's code short.
type (
	tokenCheck         = hook.TokenCheck
	authRefusal        = hook.AuthRefusal
	initialFormat      = hook.InitialFormat
	paymentLookup      = hook.PaymentLookup
	lookupReply        = hook.LookupReply
	backofficeRule     = hook.BackofficeRule
	paymentReply       = hook.PaymentReply
	shopperReturn      = hook.ShopperReturn
	resultBlock        = hook.ResultBlock
	apiFault           = hook.APIFault
	jsonReply          = hook.JSONReply
	webhookNotice      = hook.WebhookNotice
	webhookSealed      = hook.WebhookSealed
	registrationLookup = hook.RegistrationLookup
	tokenRule          = hook.TokenRule
	registrationReply  = hook.RegistrationReply
	bankWizard         = hook.BankWizard
	methodNotice       = hook.MethodNotice
	paramError         = hook.ParamError
	view               = hook.View
)

const (
	viewInitial    = hook.ViewInitial
	viewStatus     = hook.ViewStatus
	viewBackoffice = hook.ViewBackoffice
)

// Mode is a deliberate deviation the sandbox can be started with (package modes).
type Mode = modes.Mode

// DefectModes lists every defect, tolerated and variation mode with a one-line
// description and the filter of the specs that must react to it.
func DefectModes() []Mode { return modes.List() }

package sandbox

import "net/url"

// Hook points are the places where the normal handling lets a defect, tolerated or
// variation mode change what happens. Each point is an event type below: the code at
// the point fills one in, fires it, and carries on with whatever the enabled modes left
// in it. The modes' table (defects.go) says which mode fills in which point; with no
// mode enabled, firing a point does nothing.
type hookPoint interface {
	Options | tokenCheck | authRefusal | initialFormat | paymentLookup | lookupReply |
		backofficeRule | paymentReply | shopperReturn | resultBlock | apiFault | jsonReply |
		webhookNotice | webhookSealed | registrationLookup | tokenRule | registrationReply |
		bankWizard | methodNotice
}

// Options is itself a hook point: the options are settled when New builds the sandbox.

// tokenCheck: a Bearer token is authenticated (before any validation).
type tokenCheck struct {
	known     bool // the sandbox accepts the token; unknown tokens answer 403
	anyEntity bool // the token may act for every entity, not only those it owns
}

// authRefusal: a request is refused for its credentials, before any validation.
// noCredentials says it carried no Authorization header at all; status, code and
// paramErrors make the reply.
type authRefusal struct {
	noCredentials bool
	entity        string
	status        int
	code          string
	paramErrors   []paramError
}

// initialFormat: the format errors of an initial payment are settled; errs is what the
// 200.300.404 reply lists, and with none the payment goes on. card says the payment's
// brand is a card brand.
type initialFormat struct {
	card bool
	errs []paramError
}

// paymentLookup: a payment id from the URL is looked up for an entity, by a status or
// query lookup or as the reference of a backoffice operation.
type paymentLookup struct {
	id        string
	anyEntity bool // another entity's payment is found too
}

// lookupReply: a status or query lookup found a payment; showOther makes its reply show
// the entity's most recent other payment instead (when it has one).
type lookupReply struct {
	showOther bool
}

// backofficeRule: a rule of the backoffice state machine refuses an operation with code;
// clearing refused lets the operation through to the next rule.
type backofficeRule struct {
	rule    string // the rule's name (backoffice.go)
	refused bool
	code    string // the result code the refusal answers
}

// paymentReply: a reply document is about to be written for view view of payment p.
// code is the result code the reply shows; its result block and HTTP status follow it.
type paymentReply struct {
	p *payment
	// hasRef says the payment references a stored one (a backoffice operation), whose
	// amount refAmount is ("" without one).
	hasRef    bool
	refAmount string
	view      view
	doc       document
	code      string
}

// shopperReturn: the shopper's return URL is built; query holds the parameters added
// to shopperResultUrl (id and resourcePath).
type shopperReturn struct {
	p       *payment
	query   url.Values
	otherID string // the id of the entity's most recent other payment (a fresh id if none)
}

// resultBlock: the result block of a reply, or an entry of /v1/resultcodes, is built.
type resultBlock struct {
	code, description string
	paramErrors       []paramError
}

// apiFault: an API GET may be answered with a fault instead (status 0: no fault).
type apiFault struct {
	path             string
	status           int
	code, retryAfter string
}

// registrationLookup: a registration token from the URL is looked up for an entity,
// to read, delete or pay with it.
type registrationLookup struct {
	anyEntity bool // another entity's token is found too
}

// tokenRule: a rule of registrations.go refuses a payment with a token (or a repeat
// without its initial) with code; clearing refused lets the payment through.
type tokenRule struct {
	rule    string // the rule's name (registrations.go)
	refused bool
	code    string
}

// registrationReply: a token's reply document is about to be written.
type registrationReply struct {
	reg *registration
	doc document
}

// jsonReply: a JSON reply is about to be encoded.
type jsonReply struct {
	doc document
}

// webhookNotice: a webhook notification of kind (PAYMENT, REGISTRATION) is about to be
// sealed; payload is the reply it carries, copies how many times it is sent (1).
type webhookNotice struct {
	kind    string
	payload document
	copies  int
}

// webhookSealed: a notification was encrypted; body, iv and tag (hex) are what the
// delivery carries in its body and headers.
type webhookSealed struct {
	body, iv, tag string
}

// bankWizard: the realistic pages of payment p are settled (wizards.go); w holds the
// pages the shopper goes through and whether the hop after them authorises.
type bankWizard struct {
	p *payment
	w *wizard
}

// methodNotice: the notification of a 3-D Secure method call arrived on the realistic
// pages; recorded says the platform records the call as made.
type methodNotice struct {
	p        *payment
	recorded bool
}

// hook is one mode's function for one point: a func(*Sandbox, *E) for an event type E.
type hook struct{ fn any }

// on makes the hook for the point its function takes.
func on[E hookPoint](fn func(*Sandbox, *E)) hook { return hook{fn} }

// fire runs the enabled modes' hooks for the point of e, in table order.
func fire[E hookPoint](s *Sandbox, e *E) {
	for _, h := range s.hooks {
		if fn, ok := h.fn.(func(*Sandbox, *E)); ok {
			fn(s, e)
		}
	}
}

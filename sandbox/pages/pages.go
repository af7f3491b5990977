// Package pages serves the sandbox's shopper pages: the default pages (the brand demo
// checkout, the 3-D Secure ACS and the method call) and the realistic pages (the test
// banks' wizards and the 3-D Secure pages shaped after the real test system's). It
// holds no payments: it reaches the payment a page names through Core, which the
// sandbox's core implements, one store transaction at a time.
package pages

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"

	"github.com/oppwa-conformance/oppwa-conformance/sandbox/hook"
)

// Page modes (the sandbox's Options.Pages).
const (
	Default   = "default"
	Realistic = "realistic"
)

// Core is the sandbox's core as the pages see it.
type Core interface {
	// Visit runs fn inside one store transaction with the stored payment id names;
	// p is nil when there is none. p is valid only during fn.
	Visit(id string, fn func(p Payment))
	// Hooks are the enabled modes' hooks (the bankWizard and methodNotice points).
	Hooks() []hook.Hook
	// Realistic reports whether the realistic pages are served.
	Realistic() bool
}

// Payment is a stored payment as its pages see it, inside one store transaction.
type Payment interface {
	// Summary is what the pages show and check of the payment.
	Summary() Summary
	// State is the pages' own bookkeeping, stored with the payment.
	State() *State
	// Expire closes the checkout when the shopper left it open longer than the
	// documented 30 minutes.
	Expire()
	// RecordMethodCall records that the 3-D Secure method call arrived.
	RecordMethodCall()
	// Settle ends the payment with the shopper's decision (a page's outcome value);
	// false when the decision is none the payment's page offers.
	Settle(choice string) bool
	// ReturnURL is the shop's shopperResultUrl the browser goes back to.
	ReturnURL() string
}

// Flow says which shopper page a payment waits for.
type Flow uint8

const (
	None         Flow = iota
	Checkout          // brand demo checkout page (approve / cancel / fail)
	Frictionless      // 3-D Secure page that submits itself
	Challenge         // 3-D Secure ACS challenge page
)

// Summary is what the pages show and check of a payment.
type Summary struct {
	ID, Brand, Amount, Currency string
	NDC, Session                string // the session redirect.parameters open
	Flow                        Flow
	Done                        bool // the shopper has acted; the pages refuse a second action
}

// State is what the realistic pages keep of a payment: Step counts the wizard's pages
// shown; MethodServed and MethodNotified say the method page was served and its
// notification arrived; Returning says the shopper was sent back to the shop.
type State struct {
	Step                                    int
	MethodServed, MethodNotified, Returning bool
}

// Request is one request to a page, as the sandbox's route table matched it.
type Request struct {
	W       http.ResponseWriter
	R       *http.Request // its form already parsed
	ID      string        // the payment the address names (its {id} or ;jsessionid=)
	Pattern string        // the route's pattern
	Query   url.Values    // realistic pages: the query string
}

// Redirect is the redirect block of a pending payment, for the pages served: method is
// the brand's redirect method (a 3-D Secure redirect is always a POST).
func Redirect(c Core, r *http.Request, p Summary, method string) document {
	if p.Flow != Checkout {
		method = http.MethodPost
	}
	if c.Realistic() {
		return realisticRedirect(c, r, p, method)
	}
	path := CheckoutPrefix
	if p.Flow != Checkout {
		path = ThreeDSPrefix
	}
	base := baseURL(r)
	d := document{}.
		WithString("url", base+strings.TrimPrefix(path, "/")+p.ID).
		WithString("method", method).
		With("parameters", sessionParameters(p))
	if p.Flow != Checkout {
		d = d.With("preconditions", preconditions(p, base+strings.TrimPrefix(MethodPath, "/"),
			base+strings.TrimPrefix(NotificationPath, "/")))
	}
	return d
}

// sessionParameters are the redirect parameters that open a payment's pages.
func sessionParameters(p Summary) []document {
	return []document{
		{{Key: "name", Value: "ndcid"}, {Key: "value", Value: p.NDC}},
		{{Key: "name", Value: "sessionToken"}, {Key: "value", Value: p.Session}},
	}
}

// baseURL is the absolute base ("https://host/") the client reached the sandbox on,
// honouring a reverse proxy's X-Forwarded-Proto and X-Forwarded-Host.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if fp := r.Header.Get("X-Forwarded-Proto"); fp != "" {
		fp = strings.ToLower(strings.TrimSpace(strings.Split(fp, ",")[0]))
		if fp == "http" || fp == "https" {
			scheme = fp
		}
	}
	host := r.Host
	if fh := r.Header.Get("X-Forwarded-Host"); fh != "" {
		host = strings.TrimSpace(strings.Split(fh, ",")[0])
	}
	if host == "" || strings.ContainsAny(host, "/?#@ ") {
		host = "localhost"
	}
	return scheme + "://" + host + "/"
}

// sessionProblem checks the session a page request carries (form's ndcid and
// sessionToken) against p: "" when it opens p's pages.
func sessionProblem(p Summary, form url.Values) string {
	ndcid, token := form.Get("ndcid"), form.Get("sessionToken")
	switch {
	case ndcid == "" || token == "":
		return "The checkout session parameters (ndcid, sessionToken) are missing. Submit redirect.parameters to redirect.url."
	case !equal(ndcid, p.NDC) || !equal(token, p.Session):
		return "The checkout session parameters are wrong."
	}
	return ""
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// waitsFor3DS reports whether p is a 3-D Secure payment the shopper has not finished.
func waitsFor3DS(p Payment) bool {
	if p == nil {
		return false
	}
	s := p.Summary()
	return (s.Flow == Challenge || s.Flow == Frictionless) && !s.Done
}

// validID is ^[a-f0-9]{32}$, a payment id.
func validID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// currentSummary expires p if its time is up and returns what the pages show of it; the
// zero Summary for no payment.
func currentSummary(p Payment) Summary {
	if p == nil {
		return Summary{}
	}
	p.Expire()
	return p.Summary()
}

package pages

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/oppwa-conformance/oppwa-conformance/sandbox/wire"
)

// The default pages stand in for the brands' demo checkouts and the 3-D Secure ACS.
// They are reached through redirect.url with redirect.parameters (ndcid and a session
// token). A client that drops the parameters gets a plain error page and never reaches
// the shop, so the suites catch it.

const (
	CheckoutPrefix = "/connectors/demo/checkout/"
	ThreeDSPrefix  = "/connectors/demo/threeds/"
)

type document = wire.Document

// ServePage answers the checkout and 3-D Secure pages: show the page (GET or POST with
// the session parameters), then take the shopper's one action and send the browser back
// to the shop.
func ServePage(c Core, q Request) {
	complete := strings.HasSuffix(q.Pattern, "/complete")
	threeds := strings.HasPrefix(q.Pattern, ThreeDSPrefix)
	var step pageStep
	c.Visit(q.ID, func(p Payment) { step = checkPage(p, complete, threeds, q.R.Form) })
	switch {
	case step.problem != "":
		ErrorPage(q.W, http.StatusBadRequest, "Checkout error", step.problem)
	case !complete:
		renderPage(q.W, step.flow, step.data)
	default:
		http.Redirect(q.W, q.R, step.target, http.StatusSeeOther)
	}
}

// pageStep is what a page request leads to: a problem shown on the error page, the page
// to show, or (for the shopper's action) the shop's URL to send the browser to.
type pageStep struct {
	problem string
	flow    Flow
	data    pageData
	target  string
}

// checkPage checks the session a page request carries and, for the shopper's action
// (complete), records the outcome.
func checkPage(p Payment, complete, threeds bool, form url.Values) pageStep {
	sum := currentSummary(p)
	switch {
	case sum.Flow == None: // no payment, or none with a page
		return pageStep{problem: "This checkout does not exist."}
	case (sum.Flow == Checkout) == threeds:
		return pageStep{problem: "This payment is not handled by this page."}
	}
	if problem := sessionProblem(sum, form); problem != "" {
		return pageStep{problem: problem}
	}
	switch {
	case sum.Done:
		return pageStep{problem: "This checkout has already been completed; it cannot be used twice."}
	case !complete:
		return pageStep{flow: sum.Flow, data: pageDataOf(sum)}
	}
	if !p.Settle(form.Get("outcome")) {
		return pageStep{problem: "Unknown outcome; choose one of the page's buttons."}
	}
	return pageStep{target: p.ReturnURL()}
}

type pageData struct {
	ID, Brand, Amount, Currency, Reference, NDC, Session string
}

// pageDataOf is what the pages of payment p show and carry.
func pageDataOf(p Summary) pageData {
	return pageData{ID: p.ID, Brand: p.Brand, Amount: p.Amount, Currency: p.Currency,
		Reference: p.ID[:4] + "************************" + p.ID[28:], NDC: p.NDC, Session: p.Session}
}

func renderPage(w http.ResponseWriter, flow Flow, data pageData) {
	t := checkoutPage
	switch flow {
	case Challenge:
		t = challengePage
	case Frictionless:
		t = frictionlessPage
	}
	writeHTML(w, http.StatusOK, t, data)
}

// ErrorPage is the plain page of a title and a message, with status: the pages' errors,
// and (with 200) the page the 3-D Secure method call's hidden iframe loads.
func ErrorPage(w http.ResponseWriter, status int, title, msg string) {
	writeHTML(w, status, errorPageT, struct{ Title, Message string }{title, msg})
}

package sandbox

import (
	"crypto/subtle"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
)

// The shopper pages stand in for the brands' demo checkouts and the 3-D Secure ACS.
// They are reached through redirect.url with redirect.parameters (ndcid and a session
// token). A client that drops the parameters gets a plain error page and never reaches
// the shop, so the suites catch it.

const (
	checkoutPrefix = "/connectors/demo/checkout/"
	threedsPrefix  = "/connectors/demo/threeds/"
	// sessionTTL is the documented 30-minute life of a checkout.
	sessionTTL = 30 * time.Minute
)

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

// redirectFor builds the redirect block of a pending payment.
func (s *Sandbox) redirectFor(tx *txn, r *http.Request, p *payment, brand fixtures.Brand) document {
	if s.realistic {
		return s.realisticRedirect(tx, r, p, brand)
	}
	path, method := checkoutPrefix, brand.SimulatorRedirectMethod
	if p.flow != flowCheckout {
		path, method = threedsPrefix, http.MethodPost
	}
	base := baseURL(r)
	d := document{}.
		WithString("url", base+strings.TrimPrefix(path, "/")+p.id).
		WithString("method", method).
		With("parameters", []document{
			{{Key: "name", Value: "ndcid"}, {Key: "value", Value: p.ndc}},
			{{Key: "name", Value: "sessionToken"}, {Key: "value", Value: p.session}},
		})
	if p.flow != flowCheckout {
		d = d.With("preconditions", preconditions(p, base+strings.TrimPrefix(threedsMethodPath, "/"),
			base+strings.TrimPrefix(threedsNotificationPath, "/")))
	}
	return d
}

// pageRequest is a parsed request to a shopper page.
type pageRequest struct {
	id       string
	complete bool
	threeds  bool
}

// servePage answers the checkout and 3-D Secure pages: show the page (GET or POST with
// the session parameters), then take the shopper's one action and send the browser back
// to the shop.
func (s *Sandbox) servePage(c *call) {
	w, r := c.w, c.r
	pr := pageRequest{id: c.id, complete: strings.HasSuffix(c.route.pattern, "/complete"),
		threeds: strings.HasPrefix(c.route.pattern, threedsPrefix)}
	var step pageStep
	s.store.update(func(tx *txn) { step = s.checkPage(tx, pr, r.Form) })
	switch {
	case step.problem != "":
		s.errorPage(w, http.StatusBadRequest, "Checkout error", step.problem)
	case !pr.complete:
		s.renderPage(w, step.flow, step.data)
	default:
		http.Redirect(w, r, step.target, http.StatusSeeOther)
	}
}

// pageStep is what a page request leads to: a problem shown on the error page, the page
// to show, or (for the shopper's action) the shop's URL to send the browser to.
type pageStep struct {
	problem string
	flow    flowKind
	data    pageData
	target  string
}

// checkPage checks the session a page request carries and, for the shopper's action,
// records the outcome.
func (s *Sandbox) checkPage(tx *txn, pr pageRequest, form url.Values) pageStep {
	ndcid, token := form.Get("ndcid"), form.Get("sessionToken")
	p := tx.byID[pr.id]
	if p != nil {
		s.expire(tx, p)
	}
	switch {
	case p == nil || p.flow == flowNone:
		return pageStep{problem: "This checkout does not exist."}
	case (p.flow == flowCheckout) == pr.threeds:
		return pageStep{problem: "This payment is not handled by this page."}
	case ndcid == "" || token == "":
		return pageStep{problem: "The checkout session parameters (ndcid, sessionToken) are missing. Submit redirect.parameters to redirect.url."}
	case !equal(ndcid, p.ndc) || !equal(token, p.session):
		return pageStep{problem: "The checkout session parameters are wrong."}
	case p.done:
		return pageStep{problem: "This checkout has already been completed; it cannot be used twice."}
	case !pr.complete:
		return pageStep{flow: p.flow, data: pageDataOf(p)}
	}
	code, ok := s.outcome(p, form.Get("outcome"))
	if !ok {
		return pageStep{problem: "Unknown outcome; choose one of the page's buttons."}
	}
	s.settle(tx, p, code)
	return pageStep{target: s.returnURL(tx, p)}
}

// settle ends a payment that waited for the shopper with code: the token it asked for
// is stored and its final state notified.
func (s *Sandbox) settle(tx *txn, p *payment, code string) {
	p.code, p.done, p.viaFlow = code, true, true
	s.tokenise(tx, p)
	s.notifyFinal(tx, p)
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// outcome maps the shopper's choice to the documented result code. A 3-D Secure
// payment whose method call (the reply's precondition) never arrived fails
// authentication whatever the choice.
func (s *Sandbox) outcome(p *payment, choice string) (string, bool) {
	switch p.flow {
	case flowCheckout:
		switch choice {
		case "approve":
			return codeSuccess, true
		case "cancel":
			return codeCancelled, true
		case "fail":
			return codeShopperFailed, true
		}
	case flowChallenge:
		switch choice {
		case "Y", "A":
			return afterMethodCall(p, codeSuccess), true
		case "N", "R":
			return code3DSFailed, true
		case "U":
			return afterMethodCall(p, code3DSTechACS), true
		}
	case flowFrictionless:
		// The directory server decided already; the page only carries the browser on.
		return afterMethodCall(p, p.flowResult), true
	}
	return "", false
}

// afterMethodCall is code when the 3-D Secure method call of p arrived, else
// 100.380.401 (authentication failed).
func afterMethodCall(p *payment, code string) string {
	if !p.methodCalled {
		return code3DSFailed
	}
	return code
}

// expire closes a checkout the shopper left open longer than the documented 30
// minutes.
func (s *Sandbox) expire(tx *txn, p *payment) {
	if p.flow != flowNone && !p.done && s.now().Sub(p.created) > sessionTTL {
		p.code, p.done, p.viaFlow = codeTimedOut, true, true
		s.notifyFinal(tx, p)
	}
}

// notifyFinal notifies the final state of an async payment as its status lookup shows
// it.
func (s *Sandbox) notifyFinal(tx *txn, p *payment) {
	if s.webhooks == nil {
		return
	}
	doc, _ := s.renderPayment(tx, p, viewStatus, nil)
	s.notifyPayment(s.finalJSON(doc))
}

// returnURL is the shop's shopperResultUrl with id and resourcePath added to its own
// query, through the shopperReturn hook point.
func (s *Sandbox) returnURL(tx *txn, p *payment) string {
	u, frag := p.resultURL, ""
	if i := strings.IndexByte(u, '#'); i >= 0 {
		u, frag = u[:i], u[i:]
	}
	ret := shopperReturn{Query: url.Values{"id": {p.id}, "resourcePath": {"/v1/payments/" + p.id}}, OtherID: newID()}
	if o := tx.other(p); o != nil {
		ret.OtherID = o.id
	}
	fire(s, &ret)
	if len(ret.Query) == 0 {
		return u + frag
	}
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
		if strings.HasSuffix(u, "?") || strings.HasSuffix(u, "&") {
			sep = ""
		}
	}
	return u + sep + ret.Query.Encode() + frag
}

type pageData struct {
	ID, Brand, Amount, Currency, Reference, NDC, Session string
}

// pageDataOf is what the pages of payment p show and carry.
func pageDataOf(p *payment) pageData {
	return pageData{ID: p.id, Brand: p.brand, Amount: formatAmount(p.cents), Currency: p.currency,
		Reference: p.id[:4] + "************************" + p.id[28:], NDC: p.ndc, Session: p.session}
}

func (s *Sandbox) renderPage(w http.ResponseWriter, flow flowKind, data pageData) {
	t := checkoutPage
	switch flow {
	case flowChallenge:
		t = challengePage
	case flowFrictionless:
		t = frictionlessPage
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_ = t.Execute(w, data)
}

// errorPage is the plain page of a title and a message, with status: the pages' errors,
// and (with 200) the page the 3-D Secure method call's hidden iframe loads.
func (s *Sandbox) errorPage(w http.ResponseWriter, status int, title, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = errorPageT.Execute(w, struct{ Title, Message string }{title, msg})
}

const pageStyle = `<style>
body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0;padding:2rem;color:#1d2330}
main{max-width:32rem;margin:0 auto;background:#fff;border-radius:8px;padding:1.5rem 2rem;box-shadow:0 1px 4px #0002}
h1{font-size:1.3rem}dl{display:grid;grid-template-columns:8rem 1fr;gap:.3rem}dt{color:#667}dd{margin:0;font-weight:600}
button{font-size:1rem;padding:.5rem 1rem;margin:.3rem .3rem 0 0;border-radius:4px;border:1px solid #889;cursor:pointer}
#approve{background:#1a7f37;color:#fff}.note{color:#667;font-size:.85rem}</style>`

// pageParts are what every shopper page shows and carries: the payment's summary
// and the session the redirect parameters opened.
const pageParts = `{{define "summary"}}<dl>
<dt>Brand</dt><dd id="brand">{{.Brand}}</dd>
<dt>Amount</dt><dd id="amount">{{.Amount}}</dd>
<dt>Currency</dt><dd id="currency">{{.Currency}}</dd>
<dt>Reference</dt><dd id="reference">{{.Reference}}</dd>
</dl>
{{end}}{{define "session"}}<input type="hidden" name="ndcid" value="{{.NDC}}">
<input type="hidden" name="sessionToken" value="{{.Session}}">
{{end}}`

var checkoutPage = template.Must(template.New("checkout").Parse(pageParts + `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>OPPWA sandbox demo checkout - {{.Brand}}</title>` + pageStyle + `</head>
<body><main>
<h1>Demo checkout: {{.Brand}}</h1>
{{template "summary" .}}
<form id="checkout" method="post" action="/connectors/demo/checkout/{{.ID}}/complete">
{{template "session" .}}
<button type="submit" id="approve" name="outcome" value="approve">Approve payment</button>
<button type="submit" id="cancel" name="outcome" value="cancel">Cancel</button>
<button type="submit" id="fail" name="outcome" value="fail">Fail</button>
</form>
<p class="note">Offline OPPWA sandbox: no money moves. Your choice returns you to the shop.</p>
</main></body></html>
`))

var challengePage = template.Must(template.New("challenge").Parse(pageParts + `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>3-D Secure challenge - ACS simulator</title>` + pageStyle + `</head>
<body><main>
<h1>3-D Secure authentication (ACS challenge)</h1>
{{template "summary" .}}
<form name="challengeForm" method="post" action="/connectors/demo/threeds/{{.ID}}/complete">
{{template "session" .}}
<label for="outcomeSelect">Authentication result</label>
<select id="outcomeSelect" name="outcome"><option value="Y">Approve</option><option value="N">Fail</option><option value="U">Technical error</option></select>
<button type="submit">Submit</button>
</form>
<p class="note">Offline OPPWA sandbox: simulated issuer ACS.</p>
</main></body></html>
`))

var frictionlessPage = template.Must(template.New("frictionless").Parse(pageParts + `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>3-D Secure - frictionless authentication</title>` + pageStyle + `</head>
<body onload="document.forms[0].submit()"><main>
<h1>3-D Secure: authenticating without a challenge</h1>
{{template "summary" .}}
<form name="frictionlessForm" method="post" action="/connectors/demo/threeds/{{.ID}}/complete">
{{template "session" .}}
<button type="submit" id="continue">Continue</button>
</form>
<p class="note">This page submits itself; press Continue if it does not.</p>
</main></body></html>
`))

var errorPageT = template.Must(template.New("error").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>` + pageStyle + `</head>
<body><main><h1 id="error">{{.Title}}</h1><p id="message">{{.Message}}</p></main></body></html>
`))

package sandbox

import (
	"context"
	"fmt"
	"github.com/oppwa-conformance/oppwa-conformance/sandbox/modes"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
)

// The realistic page mode serves the wizards of wizards.go at the platform's recorded
// addresses. Every page request carries the payment in the path's ;jsessionid= (its id,
// upper case, as a Java session id looks) and the session (ndcid, sessionToken) in its
// form, like the default pages. The server enforces the order of the pages and the
// required fields of each: a page is shown only after the one before it, and only
// when the form that leads to it carries that page's required fields; otherwise an
// error page with a 4xx status. The last page posts to the asyncresponse hop, which
// settles the payment and submits itself on to a second hop that sends the browser
// to the shopperResultUrl.

// Page modes (Options.Pages).
const (
	PagesDefault   = "default"
	PagesRealistic = "realistic"
)

// methodWait bounds how long the ACS waits for the notification of a 3-D Secure
// method call whose page was served: the browser may have left the merchant page (and
// its hidden iframe) just after the iframe loaded. EMV 3-D Secure gives the method
// call 10 s; the simulator waits at most this.
const methodWait = 5 * time.Second

// parsePages reads Options.Pages: realistic or not. A mode that acts on the realistic
// pages (Mode.Realistic) turns them on.
func parsePages(v string, names []string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", PagesDefault:
		return modes.Realistic(names), nil
	case PagesRealistic:
		return true, nil
	}
	return false, fmt.Errorf("sandbox: unknown pages mode %q: want %s or %s", v, PagesDefault, PagesRealistic)
}

// jsession is the ;jsessionid= of payment p's pages.
func jsession(p *payment) string { return strings.ToUpper(p.id) }

// splitJSession cuts ";jsessionid=…" off a path; id is the payment id it names.
func splitJSession(path string) (base, id string) {
	base, j, _ := strings.Cut(path, ";jsessionid=")
	return base, strings.ToLower(j)
}

// pageURL is where pg of payment p is; base is the baseURL, or "/" for a path-only URL.
func pageURL(base string, p *payment, pg page) string {
	u := base + strings.TrimPrefix(pg.path, "/") + ";jsessionid=" + jsession(p) + "?" + pg.query
	if pg.ndcInURL {
		u += "&ndcid=" + url.QueryEscape(p.ndc)
	}
	return u
}

// hopURL is the asyncresponse hop of payment p (base as for pageURL); kind "forward"
// is the second hop.
func hopURL(base string, p *payment, source, kind string) string {
	u := base + strings.TrimPrefix(asyncResponsePath, "/") + ";jsessionid=" + jsession(p) + "?asyncsource=" + url.QueryEscape(source)
	if kind != "" {
		u += "&type=" + kind
	}
	return u
}

// realisticRedirect is the redirect block of a pending payment in the realistic mode:
// the first page of its wizard (or the hop when the wizard has none).
func (s *Sandbox) realisticRedirect(tx *txn, r *http.Request, p *payment, brand fixtures.Brand) document {
	base := baseURL(r)
	w := s.wizardOf(p)
	u := hopURL(base, p, w.source, "")
	if len(w.pages) > 0 {
		u = pageURL(base, p, w.pages[0])
	}
	method := brand.SimulatorRedirectMethod
	if p.flow != flowCheckout {
		method = http.MethodPost
	}
	d := document{}.WithString("url", u).WithString("method", method).
		With("parameters", []document{
			{{Key: "name", Value: "ndcid"}, {Key: "value", Value: p.ndc}},
			{{Key: "name", Value: "sessionToken"}, {Key: "value", Value: p.session}},
		})
	if p.flow != flowCheckout {
		d = d.With("preconditions", preconditions(p,
			base+strings.TrimPrefix(demoSubmitPath, "/")+"?action="+acsAction+"&acsRequest=METHOD",
			base+strings.TrimPrefix(asyncSimulatorPath, "/")+"?asyncsource="+threeDSSource+"&type=methodNotification"))
	}
	return d
}

// pageOutcome is what a realistic page request leads to: an error page (status and
// problem), a page to render, or a redirect to target.
type pageOutcome struct {
	status  int
	problem string
	view    *realisticView
	target  string
}

func refuse(status int, format string, args ...any) pageOutcome {
	return pageOutcome{status: status, problem: fmt.Sprintf(format, args...)}
}

// answer writes o.
func (s *Sandbox) answer(w http.ResponseWriter, r *http.Request, o pageOutcome) {
	switch {
	case o.problem != "":
		s.errorPage(w, o.status, "Checkout error", o.problem)
	case o.view != nil:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		_ = realisticPageT.Execute(w, o.view)
	default:
		http.Redirect(w, r, o.target, http.StatusSeeOther)
	}
}

// serveWizardPage shows the page of a wizard the request names, after checking that
// the page before it was submitted with its required fields.
func (s *Sandbox) serveWizardPage(c *call) {
	var o pageOutcome
	s.store.update(func(tx *txn) { o = s.wizardStep(tx, c.route.pattern, c.id, c.query, c.r.Form) })
	s.answer(c.w, c.r, o)
}

// wizardStep checks and takes one step of a wizard.
func (s *Sandbox) wizardStep(tx *txn, path, id string, q, form url.Values) pageOutcome {
	p, o := s.realisticSession(tx, id, form, false)
	if p == nil {
		return o
	}
	wz := s.wizardOf(p)
	i := slices.IndexFunc(wz.pages, func(pg page) bool { return pg.path == path && pg.matches(q) })
	switch {
	case i < 0:
		return refuse(http.StatusNotFound, "There is no such page for this payment.")
	case p.step != i:
		return refuse(http.StatusConflict, "This is step %d of %d, but step %d comes next: the pages are submitted in order.", i+1, len(wz.pages), p.step+1)
	}
	if i > 0 {
		if name := wz.pages[i-1].missingField(form); name != "" {
			return refuse(http.StatusBadRequest, "The required field %s of step %d is missing or not one of its choices.", name, i)
		}
	}
	p.step = i + 1
	action := hopURL("/", p, wz.source, "")
	if i+1 < len(wz.pages) {
		action = pageURL("/", p, wz.pages[i+1])
	}
	return pageOutcome{view: s.viewOf(p, wz.pages[i], action)}
}

// realisticSession finds the payment a realistic page request names and checks its
// session, as the default pages do; done payments pass only when allowDone. With a
// nil payment, the outcome is the refusal.
func (s *Sandbox) realisticSession(tx *txn, id string, form url.Values, allowDone bool) (*payment, pageOutcome) {
	p := tx.byID[id]
	if p != nil {
		s.expire(tx, p)
	}
	ndcid, token := form.Get("ndcid"), form.Get("sessionToken")
	switch {
	case p == nil || p.flow == flowNone:
		return nil, refuse(http.StatusBadRequest, "This checkout does not exist.")
	case ndcid == "" || token == "":
		return nil, refuse(http.StatusBadRequest, "The checkout session parameters (ndcid, sessionToken) are missing. Submit redirect.parameters to redirect.url.")
	case !equal(ndcid, p.ndc) || !equal(token, p.session):
		return nil, refuse(http.StatusBadRequest, "The checkout session parameters are wrong.")
	case p.done && !allowDone:
		return nil, refuse(http.StatusBadRequest, "This checkout has already been completed; it cannot be used twice.")
	}
	return p, pageOutcome{}
}

// serveAsyncResponse answers the asyncresponse hops: the first settles the payment
// after the wizard's last page and submits itself on; the second (type=forward)
// sends the browser to the shopperResultUrl.
func (s *Sandbox) serveAsyncResponse(c *call) {
	w, r, id := c.w, c.r, c.id
	if c.query.Get("type") == "forward" {
		var o pageOutcome
		s.store.update(func(tx *txn) {
			p, refused := s.realisticSession(tx, id, r.Form, true)
			switch {
			case p == nil:
				o = refused
			case !p.returning:
				o = refuse(http.StatusConflict, "The payment's pages have not been completed.")
			default:
				o = pageOutcome{target: s.returnURL(tx, p)}
			}
		})
		s.answer(w, r, o)
		return
	}
	var o pageOutcome
	var p *payment
	s.store.update(func(tx *txn) { p, o = s.realisticSession(tx, id, r.Form, false) })
	if p == nil {
		// A request without the payment's session waits for nothing.
		s.answer(w, r, o)
		return
	}
	s.awaitNotification(r.Context(), id)
	s.store.update(func(tx *txn) { o = s.settleWizard(tx, id, r.Form) })
	s.answer(w, r, o)
}

// settleWizard checks that the wizard of the payment is complete, records its outcome and
// shows the hop that submits itself on.
func (s *Sandbox) settleWizard(tx *txn, id string, form url.Values) pageOutcome {
	p, o := s.realisticSession(tx, id, form, false)
	if p == nil {
		return o
	}
	wz := s.wizardOf(p)
	n := len(wz.pages)
	if p.step != n {
		return refuse(http.StatusConflict, "Step %d of %d comes next: the pages are submitted in order.", p.step+1, n)
	}
	if n > 0 {
		if name := wz.pages[n-1].missingField(form); name != "" {
			return refuse(http.StatusBadRequest, "The required field %s of step %d is missing or not one of its choices.", name, n)
		}
	}
	if wz.authorise {
		choice := form.Get("outcome")
		if p.flow == flowCheckout {
			choice = "approve"
		}
		code, ok := s.outcome(p, choice)
		if !ok {
			return refuse(http.StatusBadRequest, "Unknown outcome; choose one of the page's options.")
		}
		s.settle(tx, p, code)
	}
	p.returning = true
	hop := page{Title: "Redirecting", Heading: realisticHopHeading, Auto: true}
	return pageOutcome{view: s.viewOf(p, hop, hopURL("/", p, wz.source, "forward"))}
}

// awaitNotification waits, up to methodWait or the request's end, while the method
// page of payment id was served but its notification has not arrived.
func (s *Sandbox) awaitNotification(ctx context.Context, id string) {
	deadline := time.NewTimer(methodWait)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		waiting := false
		s.store.update(func(tx *txn) {
			p := tx.byID[id]
			waiting = p != nil && p.methodServed && !p.methodNotified && !p.done
		})
		if !waiting {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-deadline.C:
			return
		case <-tick.C:
		}
	}
}

// serveMethodPage answers the precondition's POST: the self-submitting method page,
// whose form notifies the threeDSMethodNotificationURL of threeDSMethodData.
func (s *Sandbox) serveMethodPage(c *call) {
	w, r := c.w, c.r
	raw := r.PostForm.Get("threeDSMethodData")
	d, ok := decodeMethodData(raw)
	s.store.update(func(tx *txn) {
		p := tx.byID[strings.ReplaceAll(d.TransID, "-", "")]
		ok = ok && waitsFor3DS(p)
		if ok {
			p.methodServed = true
		}
	})
	if !ok || !strings.HasPrefix(d.NotificationURL, "http") {
		s.errorPage(w, http.StatusBadRequest, "3-D Secure method error", "threeDSMethodData does not name a payment waiting for 3-D Secure.")
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_ = methodPageT.Execute(w, struct{ Action, Data string }{d.NotificationURL, raw})
}

// serveMethodNotification answers the method page's notification: the method call
// counts as done (after the methodNotice hook point).
func (s *Sandbox) serveMethodNotification(c *call) {
	w, r := c.w, c.r
	id, ok := methodPaymentID(r.PostForm.Get("threeDSMethodData"))
	s.store.update(func(tx *txn) {
		p := tx.byID[id]
		ok = ok && waitsFor3DS(p) && p.methodServed
		if !ok {
			return
		}
		p.methodNotified = true
		ev := methodNotice{Recorded: true}
		fire(s, &ev)
		p.methodCalled = p.methodCalled || ev.Recorded
	})
	if !ok {
		s.errorPage(w, http.StatusBadRequest, "3-D Secure method error", "threeDSMethodData does not name a payment whose method page was served.")
		return
	}
	s.errorPage(w, http.StatusOK, "3-D Secure method", "3-D Secure method notification received.")
}

// waitsFor3DS reports whether p is a 3-D Secure payment the shopper has not finished.
func waitsFor3DS(p *payment) bool {
	return p != nil && (p.flow == flowChallenge || p.flow == flowFrictionless) && !p.done
}

// realisticView is what the realistic page template shows.
type realisticView struct {
	Data   pageData
	Page   page
	Action string
}

func (s *Sandbox) viewOf(p *payment, pg page, action string) *realisticView {
	return &realisticView{Data: pageDataOf(p), Page: pg, Action: action}
}

var realisticPageT = template.Must(template.New("realistic").Parse(pageParts + `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Page.Title}}</title>` + pageStyle + `</head>
<body{{if .Page.Auto}} onload="document.forms[0].submit()"{{end}}><main>
<h1>{{.Page.Heading}}</h1>
{{if not .Page.Auto}}{{template "summary" .Data}}{{end}}
<form{{with .Page.FormName}} name="{{.}}"{{end}} method="post" action="{{.Action}}">
{{template "session" .Data}}{{range .Page.Fields}}{{$f := .}}<p>
{{- if eq .Kind "radio"}}<span>{{.Label}}</span>{{range .Options}}
<label><input type="radio" id="{{.ID}}" name="{{$f.Name}}" value="{{.Value}}"{{if $f.Required}} required{{end}}> {{.Text}}</label>{{end}}
{{- else if eq .Kind "select"}}<label for="{{.ID}}">{{.Label}}</label>
<select id="{{.ID}}" name="{{.Name}}"{{if .Required}} required{{end}}>{{with .Placeholder}}<option value="" disabled selected>{{.}}</option>{{end}}{{range .Options}}<option value="{{.Value}}">{{.Text}}</option>{{end}}</select>
{{- else}}<label for="{{.ID}}">{{.Label}}</label>
<input type="text" id="{{.ID}}" name="{{.Name}}"{{if .Required}} required{{end}}>{{end}}</p>
{{end}}{{if .Page.Go.Text}}{{with .Page.Go}}{{if .Input}}<input type="submit"{{with .ID}} id="{{.}}"{{end}}{{with .Class}} class="{{.}}"{{end}} value="{{.Text}}">{{else}}<button type="submit"{{with .ID}} id="{{.}}"{{end}}{{with .Class}} class="{{.}}"{{end}}>{{.Text}}</button>{{end}}{{end}}{{end}}
{{if .Page.Auto}}<noscript><button type="submit">Continue</button></noscript>{{end}}
</form>
{{with .Page.Note}}<p class="note">{{.}}</p>{{end}}
</main></body></html>
`))

// methodPageT is the 3-D Secure method page as recorded: form notificationForm,
// hidden threeDSMethodData, submitted on window.onload.
var methodPageT = template.Must(template.New("method").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>3-D Secure method</title></head>
<body>
<form name="notificationForm" method="POST" action="{{.Action}}">
<input type="hidden" name="threeDSMethodData" value="{{.Data}}">
</form>
<script>window.onload = function () { document.forms.notificationForm.submit(); };</script>
</body></html>
`))

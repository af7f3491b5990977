package pages

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/sandbox/hook"
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

// methodWait bounds how long the ACS waits for the notification of a 3-D Secure
// method call whose page was served: the browser may have left the merchant page (and
// its hidden iframe) just after the iframe loaded. EMV 3-D Secure gives the method
// call 10 s; the simulator waits at most this.
const methodWait = 5 * time.Second

// jsession is the ;jsessionid= of payment p's pages.
func jsession(p Summary) string { return strings.ToUpper(p.ID) }

// SplitJSession cuts ";jsessionid=…" off a path; id is the payment id it names.
func SplitJSession(path string) (base, id string) {
	base, j, _ := strings.Cut(path, ";jsessionid=")
	return base, strings.ToLower(j)
}

// pageURL is where pg of payment p is; base is the baseURL, or "/" for a path-only URL.
func pageURL(base string, p Summary, pg page) string {
	u := base + strings.TrimPrefix(pg.path, "/") + ";jsessionid=" + jsession(p) + "?" + pg.query
	if pg.ndcInURL {
		u += "&ndcid=" + url.QueryEscape(p.NDC)
	}
	return u
}

// hopURL is the asyncresponse hop of payment p (base as for pageURL); kind "forward"
// is the second hop.
func hopURL(base string, p Summary, source, kind string) string {
	u := base + strings.TrimPrefix(AsyncResponsePath, "/") + ";jsessionid=" + jsession(p) + "?asyncsource=" + url.QueryEscape(source)
	if kind != "" {
		u += "&type=" + kind
	}
	return u
}

// realisticRedirect is the redirect block of a pending payment in the realistic mode:
// the first page of its wizard (or the hop when the wizard has none).
func realisticRedirect(c Core, r *http.Request, p Summary, method string) document {
	base := baseURL(r)
	w := wizardOf(c, p)
	u := hopURL(base, p, w.source, "")
	if len(w.pages) > 0 {
		u = pageURL(base, p, w.pages[0])
	}
	d := document{}.WithString("url", u).WithString("method", method).
		With("parameters", sessionParameters(p))
	if p.Flow != Checkout {
		d = d.With("preconditions", preconditions(p,
			base+strings.TrimPrefix(DemoSubmitPath, "/")+"?action="+ACSAction+"&acsRequest=METHOD",
			base+strings.TrimPrefix(AsyncSimulatorPath, "/")+"?asyncsource="+threeDSSource+"&type=methodNotification"))
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
func answer(w http.ResponseWriter, r *http.Request, o pageOutcome) {
	switch {
	case o.problem != "":
		ErrorPage(w, o.status, "Checkout error", o.problem)
	case o.view != nil:
		writeHTML(w, http.StatusOK, realisticPageT, o.view)
	default:
		http.Redirect(w, r, o.target, http.StatusSeeOther)
	}
}

// ServeWizardPage shows the page of a wizard the request names, after checking that
// the page before it was submitted with its required fields.
func ServeWizardPage(c Core, q Request) {
	var o pageOutcome
	c.Visit(q.ID, func(p Payment) { o = wizardStep(c, p, q.Pattern, q.Query, q.R.Form) })
	answer(q.W, q.R, o)
}

// wizardStep checks and takes one step of a wizard.
func wizardStep(c Core, p Payment, path string, q, form url.Values) pageOutcome {
	sum, o := session(p, form, false)
	if p == nil || o.problem != "" {
		return o
	}
	st := p.State()
	wz := wizardOf(c, sum)
	i := slices.IndexFunc(wz.pages, func(pg page) bool { return pg.path == path && pg.matches(q) })
	switch {
	case i < 0:
		return refuse(http.StatusNotFound, "There is no such page for this payment.")
	case st.Step != i:
		return refuse(http.StatusConflict, "This is step %d of %d, but step %d comes next: the pages are submitted in order.", i+1, len(wz.pages), st.Step+1)
	}
	if i > 0 {
		if name := wz.pages[i-1].missingField(form); name != "" {
			return refuse(http.StatusBadRequest, "The required field %s of step %d is missing or not one of its choices.", name, i)
		}
	}
	st.Step = i + 1
	action := hopURL("/", sum, wz.source, "")
	if i+1 < len(wz.pages) {
		action = pageURL("/", sum, wz.pages[i+1])
	}
	return pageOutcome{view: viewOf(sum, wz.pages[i], action)}
}

// session checks the session of a realistic page request for payment p, as the
// default pages do; done payments pass only when allowDone. With a refusal, the
// outcome carries its problem.
func session(p Payment, form url.Values, allowDone bool) (Summary, pageOutcome) {
	sum := currentSummary(p)
	switch {
	case sum.Flow == None: // no payment, or none with a page
		return sum, refuse(http.StatusBadRequest, "This checkout does not exist.")
	}
	if problem := sessionProblem(sum, form); problem != "" {
		return sum, refuse(http.StatusBadRequest, "%s", problem)
	}
	if sum.Done && !allowDone {
		return sum, refuse(http.StatusBadRequest, "This checkout has already been completed; it cannot be used twice.")
	}
	return sum, pageOutcome{}
}

// ServeAsyncResponse answers the asyncresponse hops: the first settles the payment
// after the wizard's last page and submits itself on; the second (type=forward)
// sends the browser to the shopperResultUrl.
func ServeAsyncResponse(c Core, q Request) {
	w, r, id := q.W, q.R, q.ID
	var o pageOutcome
	if q.Query.Get("type") == "forward" {
		c.Visit(id, func(p Payment) {
			_, refused := session(p, r.Form, true)
			switch {
			case refused.problem != "":
				o = refused
			case !p.State().Returning:
				o = refuse(http.StatusConflict, "The payment's pages have not been completed.")
			default:
				o = pageOutcome{target: p.ReturnURL()}
			}
		})
		answer(w, r, o)
		return
	}
	c.Visit(id, func(p Payment) { _, o = session(p, r.Form, false) })
	if o.problem != "" {
		// A request without the payment's session waits for nothing.
		answer(w, r, o)
		return
	}
	awaitNotification(r.Context(), c, id)
	c.Visit(id, func(p Payment) { o = settleWizard(c, p, r.Form) })
	answer(w, r, o)
}

// settleWizard checks that the wizard of the payment is complete, records its outcome and
// shows the hop that submits itself on.
func settleWizard(c Core, p Payment, form url.Values) pageOutcome {
	sum, o := session(p, form, false)
	if o.problem != "" {
		return o
	}
	st := p.State()
	wz := wizardOf(c, sum)
	n := len(wz.pages)
	if st.Step != n {
		return refuse(http.StatusConflict, "Step %d of %d comes next: the pages are submitted in order.", st.Step+1, n)
	}
	if n > 0 {
		if name := wz.pages[n-1].missingField(form); name != "" {
			return refuse(http.StatusBadRequest, "The required field %s of step %d is missing or not one of its choices.", name, n)
		}
	}
	if wz.authorise {
		choice := form.Get("outcome")
		if sum.Flow == Checkout {
			choice = "approve"
		}
		if !p.Settle(choice) {
			return refuse(http.StatusBadRequest, "Unknown outcome; choose one of the page's options.")
		}
	}
	st.Returning = true
	hop := page{Title: "Redirecting", Heading: realisticHopHeading, Auto: true}
	return pageOutcome{view: viewOf(sum, hop, hopURL("/", sum, wz.source, "forward"))}
}

// awaitNotification waits, up to methodWait or the request's end, while the method
// page of payment id was served but its notification has not arrived.
func awaitNotification(ctx context.Context, c Core, id string) {
	deadline := time.NewTimer(methodWait)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		waiting := false
		c.Visit(id, func(p Payment) {
			waiting = p != nil && p.State().MethodServed && !p.State().MethodNotified && !p.Summary().Done
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

// ServeMethodPage answers the precondition's POST: the self-submitting method page,
// whose form notifies the threeDSMethodNotificationURL of threeDSMethodData.
func ServeMethodPage(c Core, q Request) {
	raw := q.R.PostForm.Get("threeDSMethodData")
	d, ok := decodeMethodData(raw)
	c.Visit(strings.ReplaceAll(d.TransID, "-", ""), func(p Payment) {
		ok = ok && waitsFor3DS(p)
		if ok {
			p.State().MethodServed = true
		}
	})
	if !ok || !strings.HasPrefix(d.NotificationURL, "http") {
		ErrorPage(q.W, http.StatusBadRequest, "3-D Secure method error", "threeDSMethodData does not name a payment waiting for 3-D Secure.")
		return
	}
	writeHTML(q.W, http.StatusOK, methodPageT, struct{ Action, Data string }{d.NotificationURL, raw})
}

// ServeMethodNotification answers the method page's notification: the method call
// counts as done (after the methodNotice hook point).
func ServeMethodNotification(c Core, q Request) {
	id, ok := methodPaymentID(q.R.PostForm.Get("threeDSMethodData"))
	c.Visit(id, func(p Payment) {
		ok = ok && waitsFor3DS(p) && p.State().MethodServed
		if !ok {
			return
		}
		p.State().MethodNotified = true
		ev := hook.MethodNotice{Recorded: true}
		hook.Fire(c.Hooks(), &ev)
		if ev.Recorded {
			p.RecordMethodCall()
		}
	})
	if !ok {
		ErrorPage(q.W, http.StatusBadRequest, "3-D Secure method error", "threeDSMethodData does not name a payment whose method page was served.")
		return
	}
	ErrorPage(q.W, http.StatusOK, "3-D Secure method", "3-D Secure method notification received.")
}

// realisticView is what the realistic page template shows.
type realisticView struct {
	Data   pageData
	Page   page
	Action string
}

func viewOf(p Summary, pg page, action string) *realisticView {
	return &realisticView{Data: pageDataOf(p), Page: pg, Action: action}
}

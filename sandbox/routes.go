package sandbox

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/oppwa-conformance/oppwa-conformance/sandbox/pages"
)

// The route table: every address the sandbox answers, in one place. A request is
// matched against the entries in order; the first pattern that matches names the
// resource, and the entries with that same pattern are the methods it answers. A
// pattern is a path, optionally with one {id} segment (any one segment on the API; a
// 32-hex payment id on the default pages), optionally followed by ?key=value, a query
// parameter the request must carry. The realistic pages are matched on the path
// before its ;jsessionid=, which names their payment (call.id).
var routes = []route{
	// The API: latency and faults first, then parameters and authentication (except
	// /v1/resultcodes, which is public); errors are JSON envelopes.
	{api, "POST", "/v1/payments", "", apiCreatePayment},
	{api, "GET", "/v1/payments/{id}", "", apiStatus},
	{api, "POST", "/v1/payments/{id}", "", apiBackoffice},
	{api, "GET", "/v1/query", "", apiQuery},
	{api, "GET", "/v1/query/{id}", "", apiQueryID},
	{apiPublic, "GET", "/v1/resultcodes", "", apiResultCodes},
	{api, "POST", "/v1/registrations", "", apiCreateRegistration},
	{api, "GET", "/v1/registrations/{id}", "", apiRegistrationGet},
	{api, "DELETE", "/v1/registrations/{id}", "", apiRegistrationDelete},
	{api, "POST", "/v1/registrations/{id}/payments", "", apiRegistrationPayment},

	// The realistic pages (Options.Pages = realistic only), checked before the default
	// pages: a method call, its notification, the hops, and the wizards' pages.
	{realisticPages, "POST", pages.DemoSubmitPath + "?acsRequest=METHOD", "The 3-D Secure method data is POSTed.", page(pages.ServeMethodPage)},
	{realisticPages, "POST", pages.AsyncSimulatorPath + "?type=methodNotification", "The 3-D Secure method notification is POSTed.", page(pages.ServeMethodNotification)},
	// GET too: a wizard with no pages sends the browser to the hop with redirect.method.
	{realisticPages, "GET POST", pages.AsyncResponsePath, "Use GET or POST.", page(pages.ServeAsyncResponse)},
	{realisticPages, "GET POST", pages.AsyncSimulatorPath, "Use GET or POST.", page(pages.ServeWizardPage)},
	{realisticPages, "GET POST", pages.DemoSubmitPath, "Use GET or POST.", page(pages.ServeWizardPage)},
	{realisticPages, "GET POST", pages.TestBankPath, "Use GET or POST.", page(pages.ServeWizardPage)},

	// The default pages: the 3-D Secure method call, the brand demo checkout and the
	// ACS, each shown (GET or POST with the session) and then acted on (POST).
	{defaultPages, "POST", pages.MethodPath, "The 3-D Secure method data is POSTed.", page(pages.ServeMethod)},
	{defaultPages, "POST", pages.NotificationPath, "The 3-D Secure method data is POSTed.", page(pages.ServeMethodNotice)},
	{defaultPages, "GET POST", pages.CheckoutPrefix + "{id}", "Use GET or POST.", page(pages.ServePage)},
	{defaultPages, "POST", pages.CheckoutPrefix + "{id}/complete", "The shopper's decision is POSTed.", page(pages.ServePage)},
	{defaultPages, "GET POST", pages.ThreeDSPrefix + "{id}", "Use GET or POST.", page(pages.ServePage)},
	{defaultPages, "POST", pages.ThreeDSPrefix + "{id}/complete", "The shopper's decision is POSTed.", page(pages.ServePage)},
}

// routeGroup says how a route's requests are read and how its errors are answered.
type routeGroup uint8

const (
	api            routeGroup = iota // JSON envelope; latency, faults, parameters, authentication
	apiPublic                        // like api, without parameters or authentication
	realisticPages                   // HTML error pages; served only with the realistic pages
	defaultPages                     // HTML error pages
)

// route is one entry of the route table.
type route struct {
	group   routeGroup
	methods string // space-separated
	pattern string
	hint    string // pages: what the 405 page tells the client
	serve   func(*Sandbox, *call)
}

// call is one matched request, with what the route's group read from it.
type call struct {
	w      http.ResponseWriter
	r      *http.Request
	route  *route
	id     string     // the {id} segment, or the payment of a realistic page's ;jsessionid=
	query  url.Values // realistic pages: the query string
	entity string     // api: the authenticated entity
	params params     // api: the request's parameters
}

// dispatch answers a request whose path is clean: it finds the route and runs the
// route group's steps before the handler.
func (s *Sandbox) dispatch(w http.ResponseWriter, r *http.Request, path string) {
	isAPI := path == "/v1" || strings.HasPrefix(path, "/v1/")
	if isAPI {
		s.delay(r.Context())
		if s.fault(w, r, path) {
			return
		}
	}
	c, allow := s.match(r, path)
	switch {
	case c == nil && strings.HasPrefix(path, "/connectors/demo/") && !isAPI:
		pages.ErrorPage(w, http.StatusNotFound, "Page not found", "There is no such checkout page.")
	case c == nil:
		s.writeJSON(w, http.StatusNotFound, s.errorBody("", codeStructure, nil))
	case allow != nil:
		w.Header().Set("Allow", strings.Join(allow, ", "))
		if c.route.group <= apiPublic {
			s.writeJSON(w, http.StatusMethodNotAllowed, s.errorBody("", codeBadMethod, nil))
		} else {
			pages.ErrorPage(w, http.StatusMethodNotAllowed, "Method not allowed", c.route.hint)
		}
	default:
		c.w = w
		if s.prepare(c) {
			c.route.serve(s, c)
		}
	}
}

// match finds the route of a request. It returns nil when no pattern matches, and the
// allowed methods when the pattern matches but not the method.
func (s *Sandbox) match(r *http.Request, path string) (*call, []string) {
	base, jsession := pages.SplitJSession(path)
	var query url.Values
	for i := range routes {
		rt := &routes[i]
		p := path
		if rt.group == realisticPages {
			if !s.realistic {
				continue
			}
			if query == nil {
				query = r.URL.Query()
			}
			p = base
		}
		id, ok := rt.match(p, query)
		if !ok {
			continue
		}
		if rt.group == realisticPages {
			id = jsession
		}
		var allow []string
		for j := i; j < len(routes); j++ {
			if routes[j].pattern != rt.pattern {
				continue
			}
			if slices.Contains(strings.Fields(routes[j].methods), r.Method) {
				return &call{r: r, route: &routes[j], id: id, query: query}, nil
			}
			allow = append(allow, strings.Fields(routes[j].methods)...)
		}
		return &call{r: r, route: rt}, allow
	}
	return nil, nil
}

// match reports whether path (and the query, for a pattern that names a parameter)
// fits the route's pattern, and the {id} segment.
func (rt *route) match(path string, query url.Values) (string, bool) {
	pattern, cond, _ := strings.Cut(rt.pattern, "?")
	if k, v, ok := strings.Cut(cond, "="); ok && query.Get(k) != v {
		return "", false
	}
	prefix, suffix, hasID := strings.Cut(pattern, "{id}")
	if !hasID {
		return "", path == pattern
	}
	rest, ok := strings.CutPrefix(path, prefix)
	if !ok {
		return "", false
	}
	id, ok := strings.CutSuffix(rest, suffix)
	if !ok || id == "" || strings.Contains(id, "/") {
		return "", false
	}
	if rt.group == defaultPages && !validEntity(id) {
		return "", false
	}
	return id, true
}

// prepare runs the route group's steps before the handler: the API reads parameters
// and authenticates, the pages parse their form within the body cap. It answers the
// error itself and returns false when the request goes no further.
func (s *Sandbox) prepare(c *call) bool {
	switch c.route.group {
	case apiPublic:
		return true
	case api:
		var ok bool
		if c.params, ok = s.readParams(c.w, c.r); !ok {
			return false
		}
		c.entity, ok = s.authenticate(c.w, c.r, c.params)
		return ok
	}
	c.r.Body = http.MaxBytesReader(c.w, c.r.Body, s.opts.MaxBodyBytes)
	if err := c.r.ParseForm(); err != nil {
		pages.ErrorPage(c.w, http.StatusBadRequest, "Bad request", "The request could not be read.")
		return false
	}
	return true
}

// The API handlers, adapted to the table.

func apiCreatePayment(s *Sandbox, c *call)      { s.createPayment(c.w, c.r, c.entity, c.params) }
func apiStatus(s *Sandbox, c *call)             { s.lookup(c.w, c.entity, c.id, true) }
func apiBackoffice(s *Sandbox, c *call)         { s.backoffice(c.w, c.entity, c.id, c.params) }
func apiQuery(s *Sandbox, c *call)              { s.queryByMerchantID(c.w, c.entity, c.params) }
func apiQueryID(s *Sandbox, c *call)            { s.lookup(c.w, c.entity, c.id, false) }
func apiResultCodes(s *Sandbox, c *call)        { s.resultCodes(c.w) }
func apiCreateRegistration(s *Sandbox, c *call) { s.createRegistration(c.w, c.entity, c.params) }
func apiRegistrationGet(s *Sandbox, c *call)    { s.registrationGet(c.w, c.entity, c.id) }
func apiRegistrationDelete(s *Sandbox, c *call) { s.registrationDelete(c.w, c.entity, c.id) }
func apiRegistrationPayment(s *Sandbox, c *call) {
	s.registrationPayment(c.w, c.entity, c.id, c.params)
}

// page adapts a page handler of package pages to the route table.
func page(serve func(pages.Core, pages.Request)) func(*Sandbox, *call) {
	return func(s *Sandbox, c *call) {
		serve(pageCore{s}, pages.Request{W: c.w, R: c.r, ID: c.id, Pattern: c.route.pattern, Query: c.query})
	}
}

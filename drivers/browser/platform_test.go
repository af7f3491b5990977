package browser_test

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/drivers/browser"
	"github.com/oppwa-conformance/oppwa-conformance/drivers/oppwa"
)

// platform is a miniature of the OPPWA pages: checkout, ACS challenge,
// frictionless auto-submit and a completion endpoint that 303-redirects to the
// shopperResultUrl with id and resourcePath.
type platform struct {
	*httptest.Server
	mu        sync.Mutex
	decisions map[string]string // ndc -> decision
	leaks     map[string]string // ndc -> cookie seen on the first request
	methods   map[string]string // ndc -> HTTP method of its 3DS method call
	seq       atomic.Int64
}

func newPlatform() *platform {
	p := &platform{decisions: map[string]string{}, leaks: map[string]string{}, methods: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/pay", p.pay)
	mux.HandleFunc("/acs", p.acs)
	mux.HandleFunc("/complete", p.complete)
	mux.HandleFunc("/method", p.method)
	p.Server = httptest.NewServer(mux)
	return p
}

func (p *platform) newNDC() string {
	return fmt.Sprintf("8ac7a4a1%08d", p.seq.Add(1))
}

func (p *platform) decision(ndc string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.decisions[ndc]
}

// leak is the shop_session cookie that the first request of payment ndc
// carried, if any.
func (p *platform) leak(ndc string) (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.leaks[ndc]
	return c, ok
}

var pages = template.Must(template.New("").Parse(`
{{define "checkout"}}<!doctype html><html><head><title>Checkout {{.NDC}}</title></head><body>
<h1>Pay {{.Amount}} EUR</h1>
<form id="checkout" method="post" action="/complete">
<input type="hidden" name="ndc" value="{{.NDC}}"><input type="hidden" name="ret" value="{{.Ret}}">
<button type="submit" id="approve" name="decision" value="approve">Approve</button>
<button type="submit" id="cancel" name="decision" value="cancel">Cancel</button>
<button type="submit" id="fail" name="decision" value="fail">Fail</button>
</form></body></html>{{end}}
{{define "challenge"}}<!doctype html><html><head><title>ACS {{.NDC}}</title></head><body>
<h1>3-D Secure challenge</h1>
<form name="challengeForm" method="post" action="/complete">
<input type="hidden" name="ndc" value="{{.NDC}}"><input type="hidden" name="ret" value="{{.Ret}}">
<select id="outcomeSelect" name="outcome"><option value="Y">Approve</option><option value="N">Fail</option><option value="U">Technical error</option></select>
<button type="submit">Submit</button>
</form></body></html>{{end}}
{{define "frictionless"}}<!doctype html><html><head><title>3DS method</title></head>
<body onload="document.forms[0].submit()"><p>Processing...</p>
<form method="post" action="{{.Next}}">
<input type="hidden" name="ndc" value="{{.NDC}}"><input type="hidden" name="ret" value="{{.Ret}}">
<input type="hidden" name="decision" value="frictionless"></form></body></html>{{end}}
{{define "noform"}}<!doctype html><html><head><title>Demo</title></head><body><p>Nothing to do here.</p></body></html>{{end}}
`))

type pageData struct{ NDC, Ret, Amount, Next string }

// pay is the redirect target. The query parameter "m" says which method the
// merchant must use; "flow" which page to show. Parameters: ndc, ret, amount.
func (p *platform) pay(w http.ResponseWriter, r *http.Request) {
	want := r.URL.Query().Get("m")
	if r.Method != want {
		http.Error(w, "method "+r.Method+" not allowed, want "+want, http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	var vals url.Values
	if want == http.MethodGet {
		vals = r.URL.Query()
		if vals.Get("own") != "kept" {
			http.Error(w, "redirect URL's own query lost", 400)
			return
		}
	} else {
		vals = r.PostForm
	}
	d := pageData{NDC: vals.Get("ndc"), Ret: vals.Get("ret"), Amount: vals.Get("amount"), Next: "/complete"}
	if d.NDC == "" || d.Ret == "" || d.Amount != "12.50" || vals.Get("tricky") != `a"b'<c>&d=e f` {
		http.Error(w, "missing or mangled parameters: "+vals.Encode(), 400)
		return
	}
	if r.URL.Query().Has("needMethod") && p.methodCall(d.NDC) == "" {
		http.Error(w, "3-D Secure method call for "+d.NDC+" never arrived", 400)
		return
	}
	if c, err := r.Cookie("shop_session"); err == nil {
		p.mu.Lock()
		p.leaks[d.NDC] = c.Value
		p.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: "shop_session", Value: d.NDC, Path: "/"})
	flow := r.URL.Query().Get("flow")
	switch flow {
	case "checkout", "challenge", "noform":
	case "frictionless":
	case "frictionless-challenge":
		d.Next = "/acs"
		flow = "frictionless"
	default:
		http.Error(w, "unknown flow", 400)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pages.ExecuteTemplate(w, flow, d)
}

// method is the 3-D Secure method URL a precondition loads into a hidden iframe:
// threeDSMethodData names the payment (its ndc). The query parameter "status"
// makes it answer that HTTP status, "hang" answer nothing for 2 seconds.
func (p *platform) method(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Has("hang") {
		// Longer than the precondition's timeout, short enough not to hold
		// the server's Close.
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
		return
	}
	if st := r.URL.Query().Get("status"); st != "" {
		code, _ := strconv.Atoi(st)
		http.Error(w, "method page failed", code)
		return
	}
	ndc := r.FormValue("threeDSMethodData")
	if ndc == "" {
		http.Error(w, "no threeDSMethodData", 400)
		return
	}
	p.mu.Lock()
	p.methods[ndc] = r.Method
	p.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(`<!doctype html><html><body>3DS method done</body></html>`))
}

// methodCall is the HTTP method of payment ndc's 3DS method call, "" if none came.
func (p *platform) methodCall(ndc string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.methods[ndc]
}

func (p *platform) acs(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	_ = r.ParseForm()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pages.ExecuteTemplate(w, "challenge", pageData{NDC: r.PostForm.Get("ndc"), Ret: r.PostForm.Get("ret")})
}

func (p *platform) complete(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	_ = r.ParseForm()
	ndc, ret := r.PostForm.Get("ndc"), r.PostForm.Get("ret")
	dec := r.PostForm.Get("decision")
	if o := r.PostForm.Get("outcome"); o != "" {
		dec = "challenge:" + o
	}
	if c, err := r.Cookie("shop_session"); err != nil || c.Value != ndc {
		dec += "!cookie"
	}
	p.mu.Lock()
	p.decisions[ndc] = dec
	p.mu.Unlock()
	u, err := url.Parse(ret)
	if err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	q := u.Query()
	q.Set("id", ndc)
	q.Set("resourcePath", "/v1/payments/"+ndc)
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}

// payment is one payment on the test platform: the redirect object the API
// would answer, and its ndc, which also names its shopperResultUrl.
type payment struct {
	ndc string
	r   oppwa.Redirect
}

// newPayment prepares a payment whose redirect the merchant opens with method
// (the platform insists on it) and that shows the pages of flow.
func newPayment(method, flow string) payment {
	ndc := plat.newNDC()
	ps := oppwa.Params{
		{Name: "ndc", Value: ndc}, {Name: "ret", Value: shop.URL(ndc)}, {Name: "amount", Value: "12.50"}, {Name: "tricky", Value: `a"b'<c>&d=e f`},
	}
	m := strings.ToUpper(method)
	if m == "" {
		m = http.MethodPost
	}
	u := plat.URL + "/pay?m=" + m + "&flow=" + flow
	if m == http.MethodGet {
		u += "&own=kept"
	}
	return payment{ndc: ndc, r: oppwa.Redirect{URL: u, Method: method, Parameters: ps}}
}

// prefix is the payment's returnURLPrefix.
func (p payment) prefix() string { return shop.Prefix(p.ndc) }

// follow follows the payment's redirect in s with action.
func (p payment) follow(ctx context.Context, s *browser.Session, action browser.Action) (*browser.Journey, error) {
	return s.Follow(ctx, p.r, p.prefix(), action)
}

// withMethod makes the payment's pages require its 3-D Secure method call, and
// adds the precondition that makes it (query: added to the method URL's).
func (p payment) withMethod(method, query string) payment {
	p.r.URL += "&needMethod=1"
	p.r.Preconditions = oppwa.Preconditions{{
		Origin: browser.OriginHiddenIframe, WaitUntil: browser.WaitIframeOnload,
		Description: "Hidden iframe post for 3D Secure 2.0", Method: method,
		URL: plat.URL + "/method?x=1" + query, Parameters: oppwa.Params{{Name: "threeDSMethodData", Value: p.ndc}},
	}}
	return p
}

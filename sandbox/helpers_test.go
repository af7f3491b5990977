package sandbox

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
)

var pub = PublicCredentials()

// harness is a sandbox on a real loopback listener plus a client that does not follow
// redirects, so tests can read Location headers.
type harness struct {
	t      *testing.T
	srv    *Server
	base   string
	client *http.Client
	cred   Credential
	retry  bool // retry 503/429 with Retry-After, as a tolerant client does
}

func start(t *testing.T, opts Options) *harness {
	t.Helper()
	srv, err := Start(context.Background(), "127.0.0.1:0", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Close(ctx)
	})
	return &harness{t: t, srv: srv, base: strings.TrimSuffix(srv.URL, "/"), cred: pub,
		client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type reply struct {
	status int
	header http.Header
	raw    string
	body   map[string]any
}

func (r reply) str(path string) string {
	v := r.get(path)
	s, _ := v.(string)
	return s
}

// get walks a dotted path (result.code, card.bin, redirect.parameters.0.name).
func (r reply) get(path string) any {
	var cur any = r.body
	for _, seg := range strings.Split(path, ".") {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[seg]
		case []any:
			i := 0
			for _, ch := range seg {
				i = i*10 + int(ch-'0')
			}
			if i >= len(c) {
				return nil
			}
			cur = c[i]
		default:
			return nil
		}
	}
	return cur
}

func (r reply) code() string { return r.str("result.code") }

func (h *harness) do(method, path, body string, hdr map[string]string) reply {
	h.t.Helper()
	req, err := http.NewRequest(method, h.base+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	if _, ok := hdr["Authorization"]; !ok {
		req.Header.Set("Authorization", "Bearer "+h.cred.AccessToken)
	}
	if hdr["Authorization"] == "-" {
		req.Header.Del("Authorization")
	}
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if h.retry && (resp.StatusCode == 503 || resp.StatusCode == 429) && resp.Header.Get("Retry-After") != "" {
		return h.do(method, path, body, hdr)
	}
	r := reply{status: resp.StatusCode, header: resp.Header, raw: string(b)}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(b, &r.body); err != nil {
			h.t.Fatalf("%s %s: bad JSON %v: %s", method, path, err, b)
		}
	}
	return r
}

// form encodes key/value pairs in order, adding the harness entity unless given.
func (h *harness) form(kv ...string) string {
	var b strings.Builder
	has := false
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i] == "entityId" {
			has = true
		}
	}
	if !has {
		kv = append([]string{"entityId", h.cred.EntityID}, kv...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(kv[i]) + "=" + url.QueryEscape(kv[i+1]))
	}
	return b.String()
}

func (h *harness) post(path string, kv ...string) reply {
	h.t.Helper()
	return h.do("POST", path, h.form(kv...), nil)
}

func (h *harness) status(id string) reply {
	h.t.Helper()
	return h.do("GET", "/v1/payments/"+id+"?entityId="+h.cred.EntityID, "", nil)
}

func (h *harness) query(id string) reply {
	h.t.Helper()
	return h.do("GET", "/v1/query/"+id+"?entityId="+h.cred.EntityID, "", nil)
}

func cardParams(brand, number, cvv string, extra ...string) []string {
	kv := []string{"amount", "92.00", "currency", "EUR", "paymentBrand", brand, "paymentType", "PA",
		"card.number", number, "card.holder", "Jane Jones", "card.expiryMonth", "05", "card.expiryYear", fixtures.ExpiryYear(), "card.cvv", cvv}
	return override(kv, extra...)
}

// override replaces or appends pairs.
func override(kv []string, extra ...string) []string {
	out := append([]string(nil), kv...)
outer:
	for i := 0; i+1 < len(extra); i += 2 {
		for j := 0; j+1 < len(out); j += 2 {
			if out[j] == extra[i] {
				out[j+1] = extra[i+1]
				continue outer
			}
		}
		out = append(out, extra[i], extra[i+1])
	}
	// An empty value means "leave the parameter out".
	var final []string
	for i := 0; i+1 < len(out); i += 2 {
		if out[i+1] != "\x00" {
			final = append(final, out[i], out[i+1])
		}
	}
	return final
}

const drop = "\x00"

func visa(extra ...string) []string { return cardParams("VISA", "4200000000000000", "123", extra...) }

func (h *harness) pa(extra ...string) reply {
	h.t.Helper()
	r := h.post("/v1/payments", visa(extra...)...)
	return r
}

func outcome(code string) fixtures.Outcome { return fixtures.Load().OutcomeOf(code) }

// redirectParams returns the redirect's parameters as url.Values.
func (r reply) redirectParams() url.Values {
	v := url.Values{}
	switch ps := r.get("redirect.parameters").(type) {
	case []any:
		for _, p := range ps {
			m, _ := p.(map[string]any)
			n, _ := m["name"].(string)
			val, _ := m["value"].(string)
			v.Set(n, val)
		}
	case map[string]any: // the object shape a variation mode sends
		for n, val := range ps {
			s, _ := val.(string)
			v.Set(n, s)
		}
	}
	return v
}

// page GETs or POSTs a shopper page with the given form.
func (h *harness) page(method, rawURL string, form url.Values) reply {
	h.t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		h.t.Fatal(err)
	}
	var req *http.Request
	if method == "GET" {
		q := u.Query()
		for k, vs := range form {
			q[k] = vs
		}
		u.RawQuery = q.Encode()
		req, _ = http.NewRequest("GET", u.String(), nil)
	} else {
		req, _ = http.NewRequest("POST", u.String(), strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, raw: string(b)}
}

// methodCall checks the 3-D Secure reply's one precondition and makes its method call,
// as the merchant's hidden iframe would.
func (h *harness) methodCall(r reply) reply {
	h.t.Helper()
	pre := "redirect.preconditions.0."
	if r.str(pre+"origin") != "iframe#hidden" || r.str(pre+"waitUntil") != "iframe#onload" || r.str(pre+"method") != "POST" ||
		r.str(pre+"url") != h.srv.URL+"connectors/demo/threeds/method" || r.str(pre+"parameters.0.name") != "threeDSMethodData" ||
		r.get("redirect.preconditions.1") != nil {
		h.t.Fatalf("want one precondition posting threeDSMethodData to the method URL: %s", r.raw)
	}
	data := r.str(pre + "parameters.0.value")
	b, err := base64.StdEncoding.DecodeString(data)
	var d struct{ ThreeDSServerTransID, ThreeDSMethodNotificationURL string }
	if err != nil || json.Unmarshal(b, &d) != nil || len(d.ThreeDSServerTransID) != 36 || !strings.HasPrefix(d.ThreeDSMethodNotificationURL, h.srv.URL) {
		h.t.Fatalf("threeDSMethodData %q: %s %v", data, b, err)
	}
	pg := h.page("POST", r.str(pre+"url"), url.Values{"threeDSMethodData": {data}})
	if pg.status != 200 {
		h.t.Fatalf("method call %d: %s", pg.status, pg.raw)
	}
	return pg
}

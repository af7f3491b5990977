package oppwa

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/outcome"
)

func TestNormalizeBaseURL(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{"https://eu-test.oppwa.com", "https://eu-test.oppwa.com/", ""},
		{"https://eu-test.oppwa.com/", "https://eu-test.oppwa.com/", ""},
		{"http://127.0.0.1:8080/base", "http://127.0.0.1:8080/base/", ""},
		{"eu-test.oppwa.com", "", "not an absolute http(s) URL"},
		{"ftp://x/", "", "not an absolute http(s) URL"},
		{"https://x/?a=b", "", "query or fragment"},
	} {
		u, err := NormalizeBaseURL(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "OPPWA_BASE_URL") {
				t.Errorf("%q: err %v, want %q naming OPPWA_BASE_URL", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || u.String() != tc.want {
			t.Errorf("%q: got %v %v, want %s", tc.in, u, err, tc.want)
		}
	}
}

func TestResolveNeverDoublesTheSlash(t *testing.T) {
	c, _ := New(Config{BaseURL: "http://h:1/base"})
	for _, p := range []string{"/v1/payments/x", "v1/payments/x", "//v1/payments/x"} {
		if got := c.Resolve(p); got != "http://h:1/base/v1/payments/x" {
			t.Errorf("Resolve(%q) = %s", p, got)
		}
	}
}

func TestRedaction(t *testing.T) {
	r := NewRedactor("OGE4Mjk0MTc0YjdlY2IyODAxNGI5Njk5MjIwMDE1Y2N8c3k2S0pzVDg=")
	in := `card.number=4200000000000001&x=1 card.number=4200000000000000&card.cvv=123&amount=92.00 Bearer OGE4Mjk0MTc0YjdlY2IyODAxNGI5Njk5MjIwMDE1Y2N8c3k2S0pzVDg= {"number":"377777777777770","cvv":"1234"} id 8a82944a5fe82704015fff6cf5e572b4 ts 20171127214051`
	out := r.Redact(in)
	for _, secret := range []string{"4200000000000001", "4200000000000000", "377777777777770", "OGE4Mjk0", "cvv=123", `"cvv":"1234"`} {
		if strings.Contains(out, secret) {
			t.Errorf("%q survived redaction: %s", secret, out)
		}
	}
	for _, keep := range []string{"420000******0000", "377777*****7770", "amount=92.00", "8a82944a5fe82704015fff6cf5e572b4", "20171127214051"} {
		if !strings.Contains(out, keep) {
			t.Errorf("%q lost in redaction: %s", keep, out)
		}
	}
	if got := MaskPAN("4822 0000 0000 0000 003"); got != "482200*********0003" {
		t.Errorf("MaskPAN = %s", got)
	}
}

func TestGETRetriesHonourRetryAfterAndPOSTNeverRetries(t *testing.T) {
	var gets, posts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			posts.Add(1)
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		if gets.Add(1) < 3 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte(`{"id":"8a82944a5fe82704015fff6cf5e572b4","result":{"code":"000.100.110"}}`))
	}))
	defer srv.Close()
	var xs []Exchange
	var mu sync.Mutex
	c, _ := New(Config{BaseURL: srv.URL, EntityID: "e", AccessToken: "secret-token-123", OnExchange: func(x Exchange) {
		mu.Lock()
		xs = append(xs, x)
		mu.Unlock()
	}})
	r, err := c.Status(context.Background(), "8a82944a5fe82704015fff6cf5e572b4")
	if err != nil || r.Payment.Result.Code != "000.100.110" || gets.Load() != 3 {
		t.Fatalf("status: %v %v gets=%d", r, err, gets.Load())
	}
	if xs[0].Attempts != 3 {
		t.Errorf("transcript shows %d attempts, want 3", xs[0].Attempts)
	}
	r, err = c.Debit(context.Background(), nil)
	var ue *UnavailableError
	if !errors.As(err, &ue) || !outcome.IsEnvironment(err) || r.HTTPStatus != 503 || posts.Load() != 1 {
		t.Fatalf("POST: status %v err %v posts=%d (must be exactly 1)", r, err, posts.Load())
	}
}

func TestRetryAfterBeyondTheCapEndsRetries(t *testing.T) {
	var gets atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gets.Add(1)
		w.Header().Set("Retry-After", "60")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	c, _ := New(Config{BaseURL: srv.URL, MaxRetryWait: time.Second})
	r, err := c.Status(context.Background(), "x")
	if !outcome.IsEnvironment(err) || r.HTTPStatus != 429 || gets.Load() != 1 {
		t.Fatalf("got %v %v after %d GETs", r, err, gets.Load())
	}
}

func TestLostPOSTIsReconciledNotRetried(t *testing.T) {
	var posts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			posts.Add(1)
			// The payment is made, then the connection dies before the answer.
			hj, _ := w.(http.Hijacker)
			conn, _, _ := hj.Hijack()
			_ = conn.Close()
			return
		}
		if r.URL.Path != "/v1/query" || r.URL.Query().Get("merchantTransactionId") != "run-1" {
			t.Errorf("unexpected reconciliation %s", r.URL)
		}
		_, _ = w.Write([]byte(`{"payments":[{"id":"8a82944a5fe82704015fff6cf5e572b4","paymentType":"DB","result":{"code":"000.100.110"}}]}`))
	}))
	defer srv.Close()
	c, _ := New(Config{BaseURL: srv.URL, EntityID: "e"})
	_, err := c.Debit(context.Background(), map[string][]string{"merchantTransactionId": {"run-1"}})
	var ue *UncertainError
	if !errors.As(err, &ue) || len(ue.Found) != 1 || posts.Load() != 1 {
		t.Fatalf("err %v, posts %d", err, posts.Load())
	}
}

func TestBodiesAreFormEncodedAndAuthIsBearer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery != "" {
			t.Errorf("POST carried a query: %s", r.URL.RawQuery)
		}
		if r.Header.Get("Authorization") != "Bearer tok-12345678" || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			t.Errorf("headers %v", r.Header)
		}
		_ = r.ParseForm()
		if r.PostForm.Get("customParameters[x]") != "1" || r.PostForm.Get("entityId") != "ent" || r.PostForm.Get("paymentType") != "PA" {
			t.Errorf("form %v", r.PostForm)
		}
		_, _ = w.Write([]byte(`{"unknown":{"x":1},"result":{"code":"000.100.110","extra":true}}`))
	}))
	defer srv.Close()
	c, _ := New(Config{BaseURL: srv.URL, EntityID: "ent", AccessToken: "tok-12345678"})
	r, err := c.Preauthorize(context.Background(), map[string][]string{"customParameters[x]": {"1"}})
	if err != nil || r.Payment.Result.Code != "000.100.110" || r.JSON["unknown"] == nil {
		t.Fatalf("%v %v", r, err)
	}
	if strings.Contains(r.Exchange.RequestHeaders.Get("Authorization"), "tok-12345678") {
		t.Error("token in transcript")
	}
}

func TestUnavailableReportIsAnEnvironmentErrorNotAnEmptyList(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"result":{"code":"900.100.300","description":"timeout"}}`))
	}))
	defer srv.Close()
	c, _ := New(Config{BaseURL: srv.URL, GETAttempts: 3})
	q, err := c.QueryByMerchantTransactionID(context.Background(), "m-1")
	var ue *UnavailableError
	if !errors.As(err, &ue) || !outcome.IsEnvironment(err) || ue.Attempts != 3 || !strings.Contains(err.Error(), "/v1/query") {
		t.Fatalf("err = %v, want an UnavailableError after 3 attempts naming the call", err)
	}
	if q == nil || len(q.Payments) != 0 || q.HTTPStatus != 503 {
		t.Fatalf("reply not kept: %+v", q)
	}
}

func TestUndecodableReplyIsAContractErrorNamingTheField(t *testing.T) {
	for body, field := range map[string]string{
		`<html>oops</html>`:                   "(body)",
		`{"amount": 92.00}`:                   "amount",
		`{"result": {"code": 100}}`:           "result.code",
		`{"redirect": {"parameters": "x=1"}}`: "redirect.parameters",
		`{"payments": {"id": "x"}}`:           "payments",
		`{"registrationId": 12}`:              "registrationId",
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(body)) }))
		c, _ := New(Config{BaseURL: srv.URL})
		_, err := c.Query(context.Background(), "x")
		srv.Close()
		var de *DecodeError
		if !errors.As(err, &de) || de.Field != field || outcome.IsEnvironment(err) {
			t.Errorf("%s: err = %v, want a DecodeError naming %s", body, err, field)
		}
	}
}

func TestRedirectParametersReadInEveryDocumentedShape(t *testing.T) {
	want := Params{{"b", "2"}, {"a", "1"}}
	for _, raw := range []string{
		`{"parameters":[{"name":"b","value":"2"},{"name":"a","value":"1"}]}`,
		`{"parameters":{"b":"2","a":"1"}}`,
	} {
		var r Redirect
		if err := json.Unmarshal([]byte(raw), &r); err != nil || !slices.Equal(r.Parameters, want) {
			t.Errorf("%s: %v %v", raw, r.Parameters, err)
		}
	}
	for _, raw := range []string{`{"parameters":null}`, `{}`} {
		var r Redirect
		if err := json.Unmarshal([]byte(raw), &r); err != nil || len(r.Parameters) != 0 {
			t.Errorf("%s: %v %v", raw, r.Parameters, err)
		}
	}
}

func TestRedirectPreconditionsRead(t *testing.T) {
	raw := `{"url":"https://acs/x","parameters":[{"name":"ndcid","value":"n"}],"preconditions":[
		{"origin":"iframe#hidden","waitUntil":"iframe#onload","description":"Hidden iframe post for 3D Secure 2.0",
		 "method":"POST","url":"https://acs/method","parameters":[{"name":"threeDSMethodData","value":"eyJ9"}]},
		{"url":"https://acs/method2","parameters":{"threeDSMethodData":"e30="}}]}`
	var r Redirect
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		t.Fatal(err)
	}
	want := Preconditions{
		{Origin: "iframe#hidden", WaitUntil: "iframe#onload", Description: "Hidden iframe post for 3D Secure 2.0", Method: "POST",
			URL: "https://acs/method", Parameters: Params{{"threeDSMethodData", "eyJ9"}}},
		{URL: "https://acs/method2", Parameters: Params{{"threeDSMethodData", "e30="}}},
	}
	if !reflect.DeepEqual(r.Preconditions, want) {
		t.Fatalf("got %+v", r.Preconditions)
	}
	for _, raw := range []string{`{"preconditions":null}`, `{}`} {
		var r Redirect
		if err := json.Unmarshal([]byte(raw), &r); err != nil || r.Preconditions != nil {
			t.Errorf("%s: %v %v", raw, r.Preconditions, err)
		}
	}
}

func TestUndecodablePreconditionsNameTheField(t *testing.T) {
	for body, field := range map[string]string{
		`{"redirect": {"preconditions": {"url": "x"}}}`:                    "redirect.preconditions",
		`{"redirect": {"preconditions": "x"}}`:                             "redirect.preconditions",
		`{"redirect": {"preconditions": ["x"]}}`:                           "redirect.preconditions[0]",
		`{"redirect": {"preconditions": [{}, {"url": 3}]}}`:                "redirect.preconditions[1].url",
		`{"redirect": {"preconditions": [{"parameters": "threeDS=1"}]}}`:   "redirect.preconditions[0].parameters",
		`{"redirect": {"preconditions": [{"parameters": [{"name": 1}]}]}}`: "redirect.preconditions[0].parameters",
	} {
		var r Response
		err := decodeInto([]byte(body), &r)
		var de *DecodeError
		if !errors.As(err, &de) || de.Field != field {
			t.Errorf("%s: err = %v, want a DecodeError naming %s", body, err, field)
		}
	}
}

// TestTokenCallsSendOnceAndLookupsRetry: tokenising, paying with a token and deleting
// one change state, so a 503 ends them at once; a token lookup is retried like any GET.
func TestTokenCallsSendOnceAndLookupsRetry(t *testing.T) {
	var mu sync.Mutex
	calls := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls[r.Method+" "+r.URL.Path]++
		n := calls[r.Method+" "+r.URL.Path]
		mu.Unlock()
		if r.Method != http.MethodGet || n < 2 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		if r.URL.Query().Get("entityId") != "e" {
			t.Errorf("lookup without entityId: %s", r.URL)
		}
		_, _ = w.Write([]byte(`{"id":"8a82944a5fe82704015fff6cf5e572b4","result":{"code":"000.100.110"}}`))
	}))
	defer srv.Close()
	c, _ := New(Config{BaseURL: srv.URL, EntityID: "e", AccessToken: "secret-token-123"})
	ctx := context.Background()
	tok := "8a82944a5fe82704015fff6cf5e572b4"
	if _, err := c.Register(ctx, nil); !outcome.IsEnvironment(err) {
		t.Errorf("register: %v", err)
	}
	if _, err := c.PayWithToken(ctx, tok, nil); !outcome.IsEnvironment(err) {
		t.Errorf("token payment: %v", err)
	}
	if _, err := c.DeleteRegistration(ctx, tok); !outcome.IsEnvironment(err) {
		t.Errorf("delete: %v", err)
	}
	r, err := c.Registration(ctx, tok)
	if err != nil || r.Payment.ID != tok {
		t.Fatalf("lookup: %v %v", r, err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := map[string]int{"POST /v1/registrations": 1, "POST /v1/registrations/" + tok + "/payments": 1,
		"DELETE /v1/registrations/" + tok: 1, "GET /v1/registrations/" + tok: 2}
	if !reflect.DeepEqual(calls, want) {
		t.Errorf("calls %v, want %v", calls, want)
	}
}

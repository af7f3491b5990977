package sandbox

import (
	"net/url"
	"strings"
	"testing"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
)

func asyncParams(brand string, extra ...string) []string {
	b, _ := fixtures.Load().Brand(brand)
	kv := []string{"amount", "15.99", "currency", "EUR", "paymentType", "DB", "paymentBrand", brand,
		"shopperResultUrl", "http://shop.example/return?order=7&lang=de"}
	for k, v := range b.Params {
		kv = append(kv, k, v)
	}
	if brand == "TRUSTLY" {
		kv = append(kv, "merchantTransactionId", "trustly-1")
	}
	return override(kv, extra...)
}

// checkReturn asserts the Location of the shopper's return.
func checkReturn(t *testing.T, r reply, id string) url.Values {
	t.Helper()
	if r.status != 303 && r.status != 302 {
		t.Fatalf("want a redirect to the shop, got %d: %.300s", r.status, r.raw)
	}
	loc, err := url.Parse(r.header.Get("Location"))
	if err != nil || loc.Host != "shop.example" || loc.Path != "/return" {
		t.Fatalf("Location %q", r.header.Get("Location"))
	}
	q := loc.Query()
	if q.Get("order") != "7" || q.Get("lang") != "de" || q.Get("id") != id || q.Get("resourcePath") != "/v1/payments/"+id {
		t.Fatalf("Location query %v", q)
	}
	return q
}

func TestAsyncCheckoutFlow(t *testing.T) {
	h := start(t, Options{NoStatusRateLimit: true})
	outcomes := map[string]string{"approve": codeSuccess, "cancel": codeCancelled, "fail": codeShopperFailed}
	for _, brand := range fixtures.Load().Brands {
		if brand.Workflow != fixtures.Async || !brand.Verified {
			continue
		}
		for choice, want := range outcomes {
			t.Run(brand.Name+"/"+choice, func(t *testing.T) {
				r := h.post("/v1/payments", asyncParams(brand.Name)...)
				if r.status != 200 || r.code() != codePending {
					t.Fatalf("%d %s", r.status, r.raw)
				}
				id := r.str("id")
				if got, _ := r.get("redirect.method").(string); got != brand.SimulatorRedirectMethod {
					t.Errorf("method %q, want %q", got, brand.SimulatorRedirectMethod)
				}
				if brand.SimulatorRedirectMethod == "" && r.get("redirect.method") != nil {
					t.Error("method should be omitted")
				}
				u := r.str("redirect.url")
				if !strings.HasPrefix(u, h.srv.URL+"connectors/demo/checkout/"+id) {
					t.Fatalf("url %q", u)
				}
				ps := r.redirectParams()
				if len(ps) < 2 || ps.Get("sessionToken") == "" || ps.Get("ndcid") == "" {
					t.Fatalf("parameters %v", ps)
				}
				if s := h.status(id); s.code() != codePending {
					t.Errorf("before the shopper acts: %s", s.raw)
				}
				method := brand.SimulatorRedirectMethod
				if method == "" {
					method = "POST"
				}
				pg := h.page(method, u, ps)
				for _, want := range []string{`<form id="checkout" method="post" action="/connectors/demo/checkout/` + id + `/complete">`,
					`<button type="submit" id="approve" name="outcome" value="approve">Approve payment</button>`,
					`<button type="submit" id="cancel" name="outcome" value="cancel">Cancel</button>`,
					`<button type="submit" id="fail" name="outcome" value="fail">Fail</button>`,
					brand.Name, "15.99", "EUR"} {
					if !strings.Contains(pg.raw, want) {
						t.Fatalf("page lacks %q:\n%s", want, pg.raw)
					}
				}
				if strings.Contains(pg.raw, id) && strings.Count(pg.raw, id) != 1 {
					t.Errorf("the reference should be masked; the id only appears in the form action")
				}
				form := url.Values{"outcome": {choice}}
				for k, v := range ps {
					form[k] = v
				}
				done := h.page("POST", h.srv.URL+"connectors/demo/checkout/"+id+"/complete", form)
				checkReturn(t, done, id)
				s := h.status(id)
				if s.code() != want || s.str("id") != id || s.str("paymentBrand") != brand.Name || s.str("amount") != "15.99" {
					t.Errorf("after %s: %s", choice, s.raw)
				}
				again := h.page("POST", h.srv.URL+"connectors/demo/checkout/"+id+"/complete", form)
				if again.status != 400 || again.header.Get("Location") != "" {
					t.Errorf("acting twice must be refused: %d", again.status)
				}
				if pg := h.page(method, u, ps); pg.status != 400 {
					t.Errorf("the used checkout page must be refused: %d", pg.status)
				}
			})
		}
	}
}

func TestCheckoutRefusesBadSessions(t *testing.T) {
	h := start(t, Options{})
	r := h.post("/v1/payments", asyncParams("PAYPAL")...)
	id, u, ps := r.str("id"), r.str("redirect.url"), r.redirectParams()
	complete := h.srv.URL + "connectors/demo/checkout/" + id + "/complete"
	with := func(k, v string) url.Values {
		f := url.Values{}
		for kk, vv := range ps {
			f[kk] = vv
		}
		if v == drop {
			f.Del(k)
		} else {
			f.Set(k, v)
		}
		return f
	}
	cases := []struct {
		name, method, url string
		form              url.Values
		status            int
	}{
		{"page without parameters", "GET", u, url.Values{}, 400},
		{"page without sessionToken", "GET", u, with("sessionToken", drop), 400},
		{"page without ndcid", "POST", u, with("ndcid", drop), 400},
		{"page with a wrong token", "GET", u, with("sessionToken", strings.Repeat("0", 32)), 400},
		{"complete without parameters", "POST", complete, url.Values{"outcome": {"approve"}}, 400},
		{"complete with unknown outcome", "POST", complete, with("outcome", "maybe"), 400},
		{"complete by GET", "GET", complete, with("outcome", "approve"), 405},
		{"3DS page for a checkout payment", "GET", h.srv.URL + "connectors/demo/threeds/" + id, ps, 400},
		{"unknown payment", "GET", h.srv.URL + "connectors/demo/checkout/0123456789abcdef0123456789abcdef", ps, 400},
		{"bad path", "GET", h.srv.URL + "connectors/demo/checkout/x/y/z", ps, 404},
		{"page works with both params by GET", "GET", u, ps, 200},
		{"page works by POST too", "POST", u, ps, 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pg := h.page(c.method, c.url, c.form)
			if pg.status != c.status || pg.header.Get("Location") != "" {
				t.Fatalf("got %d %q", pg.status, pg.header.Get("Location"))
			}
			if pg.header.Get(VersionHeader) != Version {
				t.Error("pages carry the version header too")
			}
			if c.status >= 400 && !strings.Contains(pg.header.Get("Content-Type"), "text/html") {
				t.Errorf("error pages are HTML: %v", pg.header)
			}
		})
	}
	if s := h.status(id); s.code() != codePending {
		t.Errorf("refused attempts leave the payment pending: %s", s.raw)
	}
}

func TestRedirectHonoursProxyHeaders(t *testing.T) {
	h := start(t, Options{})
	r := h.do("POST", "/v1/payments", h.form(asyncParams("PAYPAL")...), map[string]string{
		"X-Forwarded-Proto": "https", "X-Forwarded-Host": "sandbox.example.com"})
	if u := r.str("redirect.url"); !strings.HasPrefix(u, "https://sandbox.example.com/connectors/demo/checkout/") {
		t.Errorf("url %q", u)
	}
}

func TestThreeDSecure(t *testing.T) {
	c := fixtures.Load()
	type tc struct {
		name    string
		kv      []string
		flow    string // "challenge", "frictionless" or "" for sync
		sync    string // sync result
		outcome string // challenge choice
		final   string
	}
	card := func(scenario, brand string) []string {
		cd, ok := c.Card(brand, scenario)
		if !ok {
			t.Fatalf("no %s %s card", brand, scenario)
		}
		return cardParams(brand, cd.Number, cd.CVV, "shopperResultUrl", "http://shop.example/return?order=7&lang=de")
	}
	ret := "http://shop.example/return?order=7&lang=de"
	cases := []tc{
		{"challenge approve", card("3ds2-challenge", "VISA"), "challenge", "", "Y", codeSuccess},
		{"challenge fail", card("3ds2-challenge", "MASTER"), "challenge", "", "N", code3DSFailed},
		{"challenge technical error", card("3ds2-challenge", "AMEX"), "challenge", "", "U", code3DSTechACS},
		{"3DS1 card", card("3ds1", "VISA"), "challenge", "", "Y", codeSuccess},
		{"customer action card", card("3ds-customer-action", "MASTER"), "challenge", "", "Y", codeSuccess},
		{"frictionless", card("3ds2-frictionless", "VISA"), "frictionless", "", "", codeSuccess},
		{"frictionless attempt", card("3ds2-frictionless-attempt", "MASTER"), "frictionless", "", "", codeSuccess},
		{"frictionless card with challengeIndicator 4", override(card("3ds2-frictionless", "VISA"), "threeDSecure.challengeIndicator", "4"), "challenge", "", "Y", codeSuccess},
		{"challenge card with 3DS2_flow frictionless", override(card("3ds2-challenge", "VISA"), "customParameters[3DS2_flow]", "frictionless"), "frictionless", "", "", codeSuccess},
		{"technical error card", card("3ds2-technical-error", "VISA"), "frictionless", "", "", code3DSTechCard},
		{"not enrolled card", card("3ds2-not-enrolled", "VISA"), "", code3DSNotEnrolled, "", ""},
		{"not participating card", card("3ds2-not-participating", "AMEX"), "", code3DSNotPart, "", ""},
		{"enrolled switch", visa("shopperResultUrl", ret, "customParameters[3DS2_enrolled]", "true"), "challenge", "", "Y", codeSuccess},
		{"enrolled + frictionless switch", visa("shopperResultUrl", ret, "customParameters[3DS2_enrolled]", "true", "customParameters[3DS2_flow]", "frictionless"), "frictionless", "", "", codeSuccess},
		{"enrolled + challenge switch", visa("shopperResultUrl", ret, "customParameters[3DS2_enrolled]", "true", "customParameters[3DS2_flow]", "challenge"), "challenge", "", "N", code3DSFailed},
		{"unlisted card with challengeIndicator", visa("shopperResultUrl", ret, "threeDSecure.challengeIndicator", "4"), "", code3DSNotEnrolled2, "", ""},
		{"unlisted card with 3DS2_flow", visa("shopperResultUrl", ret, "customParameters[3DS2_flow]", "challenge"), "", code3DSNotEnrolled2, "", ""},
		{"plain success card stays sync", visa("shopperResultUrl", ret), "", codeSuccess, "", ""},
		{"DB with a challenge card", override(card("3ds2-challenge", "VISA"), "paymentType", "DB"), "challenge", "", "Y", codeSuccess},
	}
	h := start(t, Options{NoStatusRateLimit: true})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := h.post("/v1/payments", c.kv...)
			id := r.str("id")
			if c.flow == "" {
				if r.code() != c.sync || r.get("redirect") != nil {
					t.Fatalf("want sync %s: %s", c.sync, r.raw)
				}
				return
			}
			if r.status != 200 || r.code() != codePending || r.str("redirect.method") != "POST" {
				t.Fatalf("want pending with a POST redirect: %s", r.raw)
			}
			u := r.str("redirect.url")
			if u != h.srv.URL+"connectors/demo/threeds/"+id {
				t.Fatalf("url %q", u)
			}
			h.methodCall(r)
			ps := r.redirectParams()
			pg := h.page("POST", u, ps)
			if pg.status != 200 {
				t.Fatalf("page %d: %s", pg.status, pg.raw)
			}
			form := url.Values{}
			for k, v := range ps {
				form[k] = v
			}
			if c.flow == "challenge" {
				for _, want := range []string{
					`<form name="challengeForm" method="post" action="/connectors/demo/threeds/` + id + `/complete">`,
					`<select id="outcomeSelect" name="outcome"><option value="Y">Approve</option><option value="N">Fail</option><option value="U">Technical error</option></select>`,
					`<button type="submit">Submit</button>`, "3-D Secure", "ACS"} {
					if !strings.Contains(pg.raw, want) {
						t.Fatalf("challenge page lacks %q:\n%s", want, pg.raw)
					}
				}
				form.Set("outcome", c.outcome)
			} else {
				for _, want := range []string{`<body onload="document.forms[0].submit()">`, `action="/connectors/demo/threeds/` + id + `/complete"`, `type="submit"`} {
					if !strings.Contains(pg.raw, want) {
						t.Fatalf("frictionless page lacks %q:\n%s", want, pg.raw)
					}
				}
			}
			if s := h.status(id); s.code() != codePending {
				t.Errorf("pending until the page is submitted: %s", s.raw)
			}
			done := h.page("POST", h.srv.URL+"connectors/demo/threeds/"+id+"/complete", form)
			checkReturn(t, done, id)
			s := h.status(id)
			if s.code() != c.final || s.str("card.bin") == "" {
				t.Errorf("final %s, want %s: %s", s.code(), c.final, s.raw)
			}
			if again := h.page("POST", h.srv.URL+"connectors/demo/threeds/"+id+"/complete", form); again.status != 400 {
				t.Errorf("second submit: %d", again.status)
			}
		})
	}
	// 3-D Secure needs a way back to the shop.
	cd, _ := fixtures.Load().Card("VISA", "3ds2-challenge")
	r := h.post("/v1/payments", cardParams("VISA", cd.Number, cd.CVV)...)
	if r.code() != codeParam || r.str("result.parameterErrors.0.name") != "shopperResultUrl" {
		t.Errorf("3DS without shopperResultUrl: %s", r.raw)
	}
}

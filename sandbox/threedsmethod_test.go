package sandbox

import (
	"encoding/base64"
	"net/url"
	"testing"
)

// A 3-D Secure payment whose method call never arrived fails authentication whatever
// the shopper chooses; with the call it follows the shopper's choice. Checkout
// payments carry no precondition.
func TestThreeDSMethodCallRequired(t *testing.T) {
	h := start(t, Options{NoStatusRateLimit: true})
	ret := "http://shop.example/return?order=7&lang=de"
	for _, call := range []bool{true, false} {
		r := h.post("/v1/payments", visa("shopperResultUrl", ret, "customParameters[3DS2_enrolled]", "true")...)
		p := byNDC(h, r.str("ndc"))
		if call {
			h.methodCall(r)
		}
		form := url.Values{"ndcid": {p.ndc}, "sessionToken": {p.session}, "outcome": {"Y"}}
		checkReturn(t, h.page("POST", h.srv.URL+"connectors/demo/threeds/"+p.id+"/complete", form), p.id)
		want := codeSuccess
		if !call {
			want = code3DSFailed
		}
		if got := h.status(p.id).code(); got != want {
			t.Errorf("method call %v: final %s, want %s", call, got, want)
		}
	}
	if a := h.post("/v1/payments", asyncParams("PAYPAL")...); a.get("redirect.preconditions") != nil {
		t.Errorf("checkout with preconditions: %s", a.raw)
	}
}

func TestThreeDSMethodRefusals(t *testing.T) {
	h := start(t, Options{NoStatusRateLimit: true})
	r := h.post("/v1/payments", visa("shopperResultUrl", "http://shop.example/r", "customParameters[3DS2_enrolled]", "true")...)
	u := h.srv.URL + "connectors/demo/threeds/method"
	for name, c := range map[string]struct {
		method string
		data   string
		status int
	}{
		"GET":            {"GET", r.str("redirect.preconditions.0.parameters.0.value"), 405},
		"no data":        {"POST", "", 400},
		"not base64":     {"POST", "%%%", 400},
		"unknown id":     {"POST", base64.StdEncoding.EncodeToString([]byte(`{"threeDSServerTransID":"` + methodTransID(newID()) + `"}`)), 400},
		"not JSON":       {"POST", base64.StdEncoding.EncodeToString([]byte(`x`)), 400},
		"unpadded works": {"POST", base64.RawStdEncoding.EncodeToString([]byte(`{"threeDSServerTransID":"` + methodTransID(byNDC(h, r.str("ndc")).id) + `"}`)), 200},
	} {
		if pg := h.page(c.method, u, url.Values{"threeDSMethodData": {c.data}}); pg.status != c.status {
			t.Errorf("%s: %d, want %d: %s", name, pg.status, c.status, pg.raw)
		}
	}
	if pg := h.page("POST", h.srv.URL+"connectors/demo/threeds/method/notification", url.Values{}); pg.status != 200 {
		t.Errorf("notification: %d", pg.status)
	}
}

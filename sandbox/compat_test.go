package sandbox

import (
	"net/url"
	"strings"
	"testing"
)

// rawForm encodes pairs in the order given with encode for each key and value, as a
// client that builds its body by hand does.
func rawForm(encode func(string) string, kv ...string) string {
	var parts []string
	for i := 0; i+1 < len(kv); i += 2 {
		parts = append(parts, encode(kv[i])+"="+encode(kv[i+1]))
	}
	return strings.Join(parts, "&")
}

// pathEscape writes a space as %20, as clients that encode with a URI escaper do.
func pathEscape(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }

// Requests as common clients send them succeed: the entity under its older name in a
// body or a GET's query, form bodies with + or %20 for a space, parameters in any
// order, repeated custom parameters, a base URL with a trailing slash.
func TestClientsSendingRequestsTheirWay(t *testing.T) {
	h := start(t, Options{})
	card := visa("card.holder", "Jane Q Jones", "customParameters[SHOPPER_a]", "1", "customParameters[SHOPPER_b]", "two words")
	for name, body := range map[string]string{
		"legacy entity name, + for space": rawForm(url.QueryEscape, append([]string{"authentication.entityId", h.cred.EntityID}, card...)...),
		"both names agreeing, %20":        rawForm(pathEscape, append([]string{"entityId", h.cred.EntityID, "authentication.entityId", h.cred.EntityID}, card...)...),
		"reversed order":                  rawForm(url.QueryEscape, reversed(append([]string{"entityId", h.cred.EntityID}, card...))...),
	} {
		r := h.do("POST", "/v1/payments", body, nil)
		if outcome(r.code()) != "success" || r.str("card.holder") != "Jane Q Jones" || r.str("customParameters.SHOPPER_b") != "two words" {
			t.Errorf("%s: %d %s", name, r.status, r.raw)
		}
	}
	pa := h.pa()
	if r := h.do("GET", "/v1/payments/"+pa.str("id")+"?authentication.entityId="+h.cred.EntityID, "", nil); outcome(r.code()) != "success" {
		t.Errorf("status with the legacy entity name in the query: %d %s", r.status, r.raw)
	}
	if r := h.do("POST", "//v1/payments", h.form(visa()...), nil); outcome(r.code()) != "success" {
		t.Errorf("base URL with a trailing slash (//v1/payments): %d %s", r.status, r.raw)
	}
}

func reversed(kv []string) []string {
	out := make([]string, 0, len(kv))
	for i := len(kv) - 2; i >= 0; i -= 2 {
		out = append(out, kv[i], kv[i+1])
	}
	return out
}

// A request mixing entityId with a different authentication.entityId, an empty
// authentication.entityId, and the userId/password login each get one error reply,
// and nothing is stored for them.
func TestEntityAndLegacyLoginMistakes(t *testing.T) {
	h := start(t, Options{})
	other := SecondaryCredentials.EntityID
	for name, tc := range map[string]struct {
		body   string
		hdr    map[string]string
		status int
		code   string
		field  string
	}{
		"different entities":  {rawForm(url.QueryEscape, append([]string{"entityId", h.cred.EntityID, "authentication.entityId", other}, visa()...)...), nil, 400, codeParam, "authentication.entityId"},
		"empty legacy entity": {rawForm(url.QueryEscape, append([]string{"authentication.entityId", ""}, visa()...)...), nil, 400, codeParam, "authentication.entityId"},
		"userId and password": {rawForm(url.QueryEscape, append([]string{"authentication.userId", "u", "authentication.password", "p", "authentication.entityId", h.cred.EntityID}, visa()...)...),
			map[string]string{"Authorization": "-"}, 401, codeAuth, "authentication.userId"},
	} {
		r := h.do("POST", "/v1/payments", tc.body, tc.hdr)
		if r.status != tc.status || r.code() != tc.code || r.str("result.parameterErrors.0.name") != tc.field || r.str("id") != "" && tc.status == 401 {
			t.Errorf("%s: %d %s", name, r.status, r.raw)
		}
		if name == "userId and password" && !strings.Contains(r.str("result.parameterErrors.0.message"), "Authorization: Bearer") {
			t.Errorf("the legacy login's refusal does not name the access token: %s", r.raw)
		}
	}
	if n := h.srv.Sandbox.Stats().Payments; n != 0 {
		t.Errorf("%d payments stored for refused requests", n)
	}
}

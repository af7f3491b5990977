package oppwa

import (
	"strings"
	"testing"
)

func TestRegistrationTokensAreMasked(t *testing.T) {
	tok := "8ac7a4a18f1e1c2d018f2a3b4c5d6e7f"
	LearnTokens("v1/registrations", `{"id":"`+tok+`","result":{"code":"000.100.110"}}`)
	got := NewRedactor().Redact(`token ` + tok + ` used`)
	if strings.Contains(got, tok) || !strings.Contains(got, MaskToken(tok)) {
		t.Fatalf("learned token not masked: %s", got)
	}
	other := "0123456789abcdef0123456789abcdef"
	for _, in := range []string{"POST v1/registrations/" + other + "/payments", `{"registrationId":"` + other + `"}`} {
		if got := NewRedactor().Redact(in); strings.Contains(got, other) {
			t.Errorf("token named in %q not masked: %s", in, got)
		}
	}
	if got := NewRedactor().Redact(`{"id":"` + other + `"}`); !strings.Contains(got, other) {
		t.Errorf("a payment id that is no token was masked: %s", got)
	}
}

func TestShopperSessionsAreMasked(t *testing.T) {
	in := "http://h/connectors/demo/checkout/ab12?ndcid=n1&sessionToken=0c25d19336&x=1 and /asyncresponse;jsessionid=AB12CD?asyncsource=VISA"
	got := NewRedactor().Redact(in)
	for _, secret := range []string{"0c25d19336", "AB12CD"} {
		if strings.Contains(got, secret) {
			t.Errorf("%q not masked: %s", secret, got)
		}
	}
	if !strings.Contains(got, "ndcid=n1") || !strings.Contains(got, "sessionToken=****") || !strings.Contains(got, "asyncsource=VISA") {
		t.Errorf("masked too much or too little: %s", got)
	}
}

// TestShopperSessionsAreMaskedInEveryForm covers the forms a session value takes in
// what reaches a report: a URL in plain and JSON-escaped text, a redirect's
// parameters in a reply and printed as a Go value, and a form's hidden field.
func TestShopperSessionsAreMaskedInEveryForm(t *testing.T) {
	const secret = "0c25d19336a1b2c3d4e5f6a7b8c9d0e1"
	for name, in := range map[string]string{
		"query":              "browser: page http://h/checkout/1?ndcid=n1&sessionToken=" + secret + " (title \"x\")",
		"path parameter":     "/connectors/demo/testbank;jsessionid=" + secret + "?asyncsource=EPS&page=1",
		"quoted URL":         `waiting at "http://h/p?sessionToken=` + secret + `" for the next page`,
		"JSON-escaped query": `{"url":"http://h/p?ndcid=n1\u0026sessionToken=` + secret + `"}`,
		"escaped first":      `"http://h/p\u003fsessionToken=` + secret + `"`,
		"reply parameters":   `"parameters":[{"name":"ndcid","value":"n1"},{"name":"sessionToken","value":"` + secret + `"}]`,
		"spaced JSON":        `{"name": "sessionToken", "value": "` + secret + `"}`,
		"escaped JSON":       `{\"name\":\"sessionToken\",\"value\":\"` + secret + `\"}`,
		"Go value":           `Parameters: [{Name: "ndcid", Value: "n1"}, {Name: "sessionToken", Value: "` + secret + `"}]`,
		"hidden field":       `<input type="hidden" name="sessionToken" value="` + secret + `">`,
		"parameters object":  `"parameters":{"ndcid":"n1","sessionToken":"` + secret + `"}`,
		"escaped object":     `\"parameters\":{\"ndcid\":\"n1\",\"sessionToken\":\"` + secret + `\"}`,
	} {
		got := NewRedactor().Redact(in)
		if strings.Contains(got, secret) || !strings.Contains(got, "****") {
			t.Errorf("%s: not masked: %s", name, got)
		}
	}
}

// TestSessionMaskingKeepsOtherValues: the parameters around a session stay readable,
// and a field that only names a session parameter is left alone.
func TestSessionMaskingKeepsOtherValues(t *testing.T) {
	for in, want := range map[string]string{
		`{"name":"ndcid","value":"n1"},{"name":"sessionToken","value":"s1"}`: `{"name":"ndcid","value":"n1"},{"name":"sessionToken","value":"****"}`,
		`{"name":"sessionToken","type":"hidden","value":""}`:                 `{"name":"sessionToken","type":"hidden","value":""}`,
		`http://h/p?a=1\u0026sessionToken=s1\u0026b=2`:                       `http://h/p?a=1\u0026sessionToken=****\u0026b=2`,
		"session parameters (ndcid, sessionToken) are missing":               "session parameters (ndcid, sessionToken) are missing",
	} {
		if got := NewRedactor().Redact(in); got != want {
			t.Errorf("Redact(%s)\n got %s\nwant %s", in, got, want)
		}
	}
}

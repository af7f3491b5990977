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

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

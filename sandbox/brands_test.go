package sandbox

import (
	"strings"
	"testing"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
)

// An account with only some brands: the others answer what the platform answers for a
// brand the account lacks (inferred: 600.200.500, HTTP 400).
func TestOnlyEnabledBrandsPay(t *testing.T) {
	h := start(t, Options{Brands: []string{"VISA", "PAYPAL"}})
	if got := h.srv.Sandbox.EnabledBrands(); strings.Join(got, ",") != "PAYPAL,VISA" {
		t.Errorf("EnabledBrands = %v", got)
	}
	if r := h.post("/v1/payments", cardParams("VISA", "4200000000000000", "123")...); r.status != 200 || r.code() != codeSuccess {
		t.Errorf("VISA enabled: %d %s", r.status, r.code())
	}
	paypal := []string{"amount", "92.00", "currency", "EUR", "paymentType", "DB", "paymentBrand", "PAYPAL", "shopperResultUrl", "http://shop/"}
	if r := h.post("/v1/payments", paypal...); r.status != 200 || r.code() != codePending {
		t.Errorf("PAYPAL enabled: %d %s", r.status, r.code())
	}
	for _, kv := range [][]string{
		cardParams("MASTER", "5454545454545454", "123"),
		cardParams("MASTER", "5454545454545454", "123", "customParameters[forceResultCode]", "000.100.110"),
		{"amount", "92.00", "currency", "EUR", "paymentType", "DB", "paymentBrand", "SOFORTUEBERWEISUNG", "bankAccount.country", "DE", "shopperResultUrl", "http://shop/"},
	} {
		r := h.post("/v1/payments", kv...)
		want := "Invalid payment data. You are not configured for this currency or sub type (country or brand)"
		if r.status != 400 || r.code() != "600.200.500" || r.str("result.description") != want || r.get("redirect") != nil {
			t.Errorf("%v: %d %s %q, redirect %v", kv[5], r.status, r.code(), r.str("result.description"), r.get("redirect"))
		}
	}
	// A brand no document names stays an unknown brand, not a disabled one.
	if r := h.post("/v1/payments", "amount", "1.00", "currency", "EUR", "paymentType", "DB", "paymentBrand", "NOSUCH"); r.code() != codeBadMethodBrand {
		t.Errorf("unknown brand: %s", r.code())
	}
}

func TestEveryBrandByDefaultAndUnknownNamesRefused(t *testing.T) {
	s, err := New(Options{})
	if err != nil || s.EnabledBrands() != nil {
		t.Fatalf("default: %v %v", s.EnabledBrands(), err)
	}
	// Names are read as the configuration reads them: in any case, each brand once.
	s, err = New(Options{Brands: []string{"VISA", "visa", " paypal "}})
	if err != nil || strings.Join(s.EnabledBrands(), ",") != "PAYPAL,VISA" {
		t.Errorf("lower-case names: %v %v", s, err)
	}
	if _, err := New(Options{Brands: []string{"VISA", "nope"}}); err == nil || !strings.Contains(err.Error(), `unknown brand "NOPE"`) {
		t.Errorf("unknown name: %v", err)
	}
	if got, err := fixtures.Load().ParseBrands([]string{"visa", "Master", "VISA", ""}); err != nil || strings.Join(got, ",") != "VISA,MASTER" {
		t.Errorf("ParseBrands = %v %v", got, err)
	}
}

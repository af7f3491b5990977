package sandbox

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oppwa-conformance/oppwa-conformance/sandbox/modes"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
)

// FuzzParseForm feeds arbitrary bodies to the parameter parser and the echo builder:
// they must never panic, and what they produce must always be valid JSON.
func FuzzParseForm(f *testing.F) {
	for _, seed := range []string{
		"entityId=8a8294174b7ecb28014b9699220015ca&amount=92.00&currency=EUR&paymentBrand=VISA&paymentType=PA&card.number=4200000000000000",
		"customParameters[3DS2_enrolled]=true&customParameters[a.b]=%3Cx%3E",
		"cart.items[0].name=a&cart.items[1].name=b&cart.items[0].price=1.00&cart.items[x].y=z",
		"customer.browser.language=de&customer.browser=flat&customer=leaf",
		"billing.street1=Main+1&billing..city=x&billing[0]=y&billing.=z",
		"a=%zz&b=%&&&=&c",
		"cart.items[999999999999].name=big&cart.items[-1].name=neg&cart.items[01].name=lead",
		"shipping[[[]]]=1&shipping.a[0][1].b=2",
		"\xff\xfe=\x00&bankAccount.iban=DE89370400440532013000",
	} {
		f.Add(seed)
	}
	tolerant, err := New(Options{Defects: []string{modes.TolerateFieldOrder, modes.TolerateExtraFields}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body string) {
		p := parseForm(body)
		if len(p.keys) != len(p.vals) {
			t.Fatalf("keys %d vals %d", len(p.keys), len(p.vals))
		}
		for i, k := range p.keys {
			if j := p.find(k); j != i {
				t.Fatalf("key %q found at %d, stored at %d", k, j, i)
			}
		}
		// The encoder writeJSON uses, called directly: json.Marshal would check its
		// output itself, so json.Valid after it could never fail.
		doc := echoRequest(p)
		out, err := doc.MarshalJSON()
		if err != nil || !json.Valid(out) {
			t.Fatalf("invalid JSON %q from %q: %v", out, body, err)
		}
		reply := jsonReply{Doc: doc}
		fire(tolerant, &reply)
		if rev, err := reply.Doc.MarshalJSON(); err != nil || !json.Valid(rev) {
			t.Fatalf("invalid JSON (tolerated modes) %q: %v", rev, err)
		}
	})
}

// FuzzPaymentRequest sends arbitrary bodies through the whole handler: never a 500,
// always the JSON envelope.
func FuzzPaymentRequest(f *testing.F) {
	f.Add("amount=92.00&currency=EUR&paymentBrand=VISA&paymentType=PA&card.number=4200000000000000&card.holder=J&card.expiryMonth=05&card.expiryYear=" + fixtures.ExpiryYear() + "&card.cvv=123")
	f.Add("amount=1&currency=EUR&paymentBrand=PAYPAL&paymentType=DB&shopperResultUrl=http://x/")
	f.Add("paymentType=CP&amount=1.00&currency=EUR")
	f.Add("amount=0.00&currency=XYZ&paymentBrand=DIRECTDEBIT_SEPA&paymentType=DB&bankAccount.iban=X&bankAccount.holder=Y")
	sb, err := New(Options{NoStatusRateLimit: true, MaxPayments: 1000})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, path := range []string{"/v1/payments", "/v1/payments/0123456789abcdef0123456789abcdef"} {
			req := httptest.NewRequest("POST", path, strings.NewReader("entityId="+pub.EntityID+"&"+body))
			req.Header.Set("Authorization", "Bearer "+pub.AccessToken)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			rec := httptest.NewRecorder()
			sb.ServeHTTP(rec, req)
			if rec.Code >= http.StatusInternalServerError {
				t.Fatalf("%d for %q: %s", rec.Code, body, rec.Body)
			}
			var v map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
				t.Fatalf("invalid JSON for %q: %v", body, err)
			}
		}
	})
}

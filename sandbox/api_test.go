package sandbox

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
)

var (
	reID        = regexp.MustCompile(`^[0-9a-f]{32}$`)
	reTimestamp = regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\+0000$`)
	reBuild     = regexp.MustCompile(`^[0-9a-f]{40}@\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+0000$`)
	reNDC       = regexp.MustCompile(`^[0-9a-f]{32}_[0-9a-f]{32}$`)
	reDesc      = regexp.MustCompile(`^\d{4}\.\d{4}\.\d{4} OPP_Channel $`)
)

func TestAuthentication(t *testing.T) {
	extra := Credential{EntityID: "0123456789abcdef0123456789abcdef", AccessToken: "extra-token"}
	h := start(t, Options{Credentials: []Credential{extra}})
	body := func(entity string) string {
		return h.form(append([]string{"entityId", entity}, visa()...)...)
	}
	cases := []struct {
		name, auth, entity string
		status             int
		code               string
	}{
		{"public pair", "Bearer " + pub.AccessToken, pub.EntityID, 200, codeSuccess},
		{"secondary pair", "Bearer " + SecondaryCredentials.AccessToken, SecondaryCredentials.EntityID, 200, codeSuccess},
		{"extra pair from options", "Bearer extra-token", extra.EntityID, 200, codeSuccess},
		{"scheme is case-insensitive", "bearer " + pub.AccessToken, pub.EntityID, 200, codeSuccess},
		{"missing token", "-", pub.EntityID, 401, codeAuth},
		{"not a bearer token", "Basic abc", pub.EntityID, 401, codeAuth},
		{"wrong token", "Bearer nope", pub.EntityID, 403, codeAuth},
		{"token of another entity", "Bearer " + SecondaryCredentials.AccessToken, pub.EntityID, 403, codeNoRights},
		{"extra token on public entity", "Bearer extra-token", pub.EntityID, 403, codeNoRights},
		{"missing entityId", "Bearer " + pub.AccessToken, "", 400, codeParam},
		{"malformed entityId", "Bearer " + pub.AccessToken, "XYZ", 400, codeParam},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := h.do("POST", "/v1/payments", body(c.entity), map[string]string{"Authorization": c.auth})
			if r.status != c.status || r.code() != c.code {
				t.Fatalf("got %d %s, want %d %s: %s", r.status, r.code(), c.status, c.code, r.raw)
			}
			if c.code == codeAuth && r.str("result.description") != "invalid authentication information" {
				t.Errorf("description %q", r.str("result.description"))
			}
			if c.code == codeParam && r.str("result.parameterErrors.0.name") != "entityId" {
				t.Errorf("want an entityId parameter error: %s", r.raw)
			}
		})
	}
}

func TestCrossEntityIsolation(t *testing.T) {
	h := start(t, Options{})
	pa := h.pa("merchantTransactionId", "iso-1")
	id := pa.str("id")
	unknown := h.status("0123456789abcdef0123456789abcdef")

	other := *h
	other.cred = SecondaryCredentials
	for name, r := range map[string]reply{
		"status": other.status(id),
		"query":  other.query(id),
		"mtx":    other.do("GET", "/v1/query?entityId="+other.cred.EntityID+"&merchantTransactionId=iso-1", "", nil),
	} {
		if r.status != unknown.status || r.code() != unknown.code() || r.get("id") != nil {
			t.Errorf("%s: another entity's payment must look unknown, got %d %s", name, r.status, r.raw)
		}
	}
	cp := other.post("/v1/payments/"+id, "paymentType", "CP", "amount", "92.00", "currency", "EUR")
	if cp.code() != codeCaptureNeedsPA {
		t.Errorf("capture by another entity: %s", cp.raw)
	}
	if r := h.status(id); r.code() != codeSuccess {
		t.Errorf("owner still sees it: %s", r.raw)
	}
}

func TestValidation(t *testing.T) {
	h := start(t, Options{NoStatusRateLimit: true})
	type tc struct {
		name   string
		kv     []string
		status int
		code   string
		perr   string // expected parameterErrors[0].name for 200.300.404
		msg    string
	}
	cases := []tc{
		{"amount 92 passes", visa("amount", "92"), 200, codeSuccess, "", ""},
		{"amount 92.00 passes", visa(), 200, codeSuccess, "", ""},
		{"amount 92.0", visa("amount", "92.0"), 400, codeParam, "amount", msgAmount},
		{"amount -1", visa("amount", "-1"), 400, codeParam, "amount", msgAmount},
		{"amount 1.005", visa("amount", "1.005"), 400, codeParam, "amount", msgAmount},
		{"amount 13 digits", visa("amount", "1234567890123"), 400, codeParam, "amount", msgAmount},
		{"amount missing", visa("amount", drop), 400, codeParam, "amount", msgEmpty},
		{"amount zero", visa("amount", "0.00"), 400, codeLowAmount, "", ""},
		{"currency missing", visa("currency", drop), 400, codeParam, "currency", msgEmpty},
		{"currency lowercase", visa("currency", "eur"), 400, codeParam, "currency", msgCurrency},
		{"currency unknown", visa("currency", "XYZ"), 400, codeBadCurrency, "", ""},
		{"paymentType bad", visa("paymentType", "CP"), 400, codeParam, "paymentType", msgInitialType},
		{"paymentType missing", visa("paymentType", drop), 400, codeParam, "paymentType", msgEmpty},
		{"paymentType DB", visa("paymentType", "DB"), 200, codeSuccess, "", ""},
		{"paymentType CD", visa("paymentType", "CD"), 200, codeSuccess, "", ""},
		{"paymentType PA.CP", visa("paymentType", "PA.CP"), 200, codeSuccess, "", ""},
		{"brand missing with card", visa("paymentBrand", drop), 400, codeParam, "paymentBrand", msgCardProps},
		{"brand missing without card", []string{"amount", "1.00", "currency", "EUR", "paymentType", "DB"}, 400, codeParam, "paymentBrand", msgCardProps},
		{"card number missing", visa("card.number", drop), 400, codeParam, "card.number", msgEmpty},
		{"card holder missing", visa("card.holder", drop), 400, codeParam, "card.holder", msgEmpty},
		{"expiry month missing", visa("card.expiryMonth", drop), 400, codeParam, "card.expiryMonth", msgEmpty},
		{"expiry year missing", visa("card.expiryYear", drop), 400, codeParam, "card.expiryYear", msgEmpty},
		{"card number letters", visa("card.number", "4200abcd00000000"), 400, codeParam, "card.number", msgCardNumber},
		{"cvv letters", visa("card.cvv", "12a"), 400, codeParam, "card.cvv", msgCVV},
		{"cvv missing VISA", visa("card.cvv", drop), 400, codeNoCVV, "", ""},
		{"cvv missing MASTER", cardParams("MASTER", "5454545454545454", "", "card.cvv", drop), 400, codeNoCVV, "", ""},
		{"cvv missing AMEX", cardParams("AMEX", "377777777777770", "", "card.cvv", drop), 400, codeNoCVV, "", ""},
		{"cvv optional DINERS", cardParams("DINERS", "36961903000009", "", "card.cvv", drop), 200, codeSuccess, "", ""},
		{"luhn", visa("card.number", "4200000000000001"), 400, codeLuhn, "", ""},
		{"luhn undocumented", visa("card.number", "4111111111111112"), 400, codeLuhn, "", ""},
		{"expired", visa("card.expiryYear", "2019"), 400, codeExpired, "", ""},
		{"bad month", visa("card.expiryMonth", "13"), 400, codeBadMonth, "", ""},
		{"one-digit month", visa("card.expiryMonth", "5"), 400, codeBadMonth, "", ""},
		{"bad year", visa("card.expiryYear", "34"), 400, codeBadYear, "", ""},
		{"VISA with a MASTER number", visa("card.number", "5454545454545454"), 400, codeBrandMismatch, "", ""},
		{"MASTER with a VISA number", cardParams("MASTER", "4200000000000000", "123"), 400, codeBrandMismatch, "", ""},
		{"AMEX with a VISA number", cardParams("AMEX", "4200000000000000", "1234"), 400, codeBrandMismatch, "", ""},
		{"MASTER 2-series", cardParams("MASTER", "2223000048400011", "123"), 200, codeSuccess, "", ""},
		{"ASYACARD on a VISA number", cardParams("ASYACARD", "4200000000000000", "123"), 200, codeSuccess, "", ""},
		{"AXESS", cardParams("AXESS", "4200000000000000", "123"), 200, codeSuccess, "", ""},
		{"BONUS", cardParams("BONUS", "4200000000000000", "123"), 200, codeSuccess, "", ""},
		{"WORLD", cardParams("WORLD", "4200000000000000", "123"), 200, codeSuccess, "", ""},
		{"unknown card brand", cardParams("NOSUCHBRAND", "4200000000000000", "123"), 400, codeBadBrand, "", ""},
		{"unknown brand without card", []string{"amount", "1.00", "currency", "EUR", "paymentType", "DB", "paymentBrand", "NOSUCH"}, 400, codeBadMethodBrand, "", ""},
		{"brand lowercase", visa("paymentBrand", "visa"), 400, codeParam, "paymentBrand", msgBrand},
		{"async without shopperResultUrl", []string{"amount", "1.00", "currency", "EUR", "paymentType", "DB", "paymentBrand", "PAYPAL"}, 400, codeParam, "shopperResultUrl", msgEmpty},
		{"shopperResultUrl not a URL", []string{"amount", "1.00", "currency", "EUR", "paymentType", "DB", "paymentBrand", "PAYPAL", "shopperResultUrl", "not a url"}, 400, codeParam, "shopperResultUrl", msgURL},
		{"SOFORT needs bankAccount.country", []string{"amount", "1.00", "currency", "EUR", "paymentType", "DB", "paymentBrand", "SOFORTUEBERWEISUNG", "shopperResultUrl", "http://shop/"}, 400, codeParam, "bankAccount.country", msgEmpty},
		{"SEPA success", []string{"amount", "1.00", "currency", "EUR", "paymentType", "DB", "paymentBrand", "DIRECTDEBIT_SEPA", "bankAccount.holder", "Jane Jones", "bankAccount.iban", "DE89370400440532013000", "bankAccount.bic", "COBADEFFXXX", "bankAccount.country", "DE"}, 200, codeSuccess, "", ""},
		{"SEPA missing iban", []string{"amount", "1.00", "currency", "EUR", "paymentType", "DB", "paymentBrand", "DIRECTDEBIT_SEPA", "bankAccount.holder", "Jane Jones"}, 400, codeParam, "bankAccount.iban", msgEmpty},
		{"SEPA bad iban checksum", []string{"amount", "1.00", "currency", "EUR", "paymentType", "DB", "paymentBrand", "DIRECTDEBIT_SEPA", "bankAccount.holder", "Jane Jones", "bankAccount.iban", "DE89370400440532013001"}, 400, codeLuhn, "", ""},
		{"custom parameter name too short", visa("customParameters[ab]", "x"), 400, codeParam, "customParameters[ab]", msgCustomName},
		{"testMode INTERNAL", visa("testMode", "INTERNAL"), 200, codeSuccess, "", ""},
		{"testMode EXTERNAL", visa("testMode", "EXTERNAL"), 200, codeSuccess, "", ""},
		{"testMode bad", visa("testMode", "LIVE"), 400, codeParam, "testMode", msgTestMode},
		{"forceResultCode malformed", visa("customParameters[forceResultCode]", "abc"), 400, codeParam, "customParameters[forceResultCode]", msgForceCode},
		{"wallet brand sync", []string{"amount", "1.00", "currency", "EUR", "paymentType", "DB", "paymentBrand", "APPLEPAY"}, 200, codeSuccess, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := h.post("/v1/payments", c.kv...)
			if r.status != c.status || r.code() != c.code {
				t.Fatalf("got %d %s, want %d %s: %s", r.status, r.code(), c.status, c.code, r.raw)
			}
			if r.str("result.description") == "" {
				t.Errorf("no description: %s", r.raw)
			}
			switch {
			case c.code == codeParam:
				if r.get("id") != nil {
					t.Errorf("a format error has no id: %s", r.raw)
				}
				if got := r.str("result.parameterErrors.0.name"); got != c.perr {
					t.Errorf("parameterErrors[0].name = %q, want %q: %s", got, c.perr, r.raw)
				}
				if got := r.str("result.parameterErrors.0.message"); got != c.msg {
					t.Errorf("parameterErrors[0].message = %q, want %q", got, c.msg)
				}
				for _, k := range []string{"buildNumber", "timestamp", "ndc"} {
					if r.str(k) == "" {
						t.Errorf("missing %s", k)
					}
				}
			default:
				// Declines and successes are transactions: a full body, stored, visible.
				id := r.str("id")
				if !reID.MatchString(id) || r.str("paymentType") == "" || r.str("paymentBrand") == "" {
					t.Fatalf("want a transaction body: %s", r.raw)
				}
				if strings.HasPrefix(c.code, "100.100") && r.get("card.bin") == nil && r.get("bankAccount") == nil {
					t.Errorf("card decline without card block: %s", r.raw)
				}
				if s := h.status(id); s.code() != c.code || s.str("id") != id {
					t.Errorf("status lookup of a stored %s: %s", c.code, s.raw)
				}
			}
		})
	}
}

func TestResponseShape(t *testing.T) {
	h := start(t, Options{})
	r := h.post("/v1/payments", visa("amount", "92",
		"merchantTransactionId", "order-42", "merchantInvoiceId", "inv-42",
		"customParameters[SHOPPER_note]", "<hi & bye>",
		"billing.street1", "Main 1", "billing.city", "Berlin", "billing.country", "DE",
		"shipping.city", "Hamburg",
		"customer.givenName", "Jane", "customer.browser.language", "de", "customer.browser.screenWidth", "1920",
		"cart.items[1].name", "second", "cart.items[0].name", "first", "cart.items[0].price", "1.00")...)
	if r.status != 200 {
		t.Fatal(r.raw)
	}
	checks := map[string]string{
		"paymentType": "PA", "paymentBrand": "VISA", "amount": "92.00", "currency": "EUR",
		"merchantTransactionId": "order-42", "merchantInvoiceId": "inv-42",
		"result.code": codeSuccess, "result.description": "Request successfully processed in 'Merchant in Integrator Test Mode'",
		"card.bin": "420000", "card.last4Digits": "0000", "card.holder": "Jane Jones", "card.expiryMonth": "05", "card.expiryYear": fixtures.ExpiryYear(),
		"risk.score": "100", "customParameters.SHOPPER_note": "<hi & bye>",
		"billing.city": "Berlin", "shipping.city": "Hamburg", "customer.givenName": "Jane",
		"customer.browser.language": "de", "customer.browser.screenWidth": "1920",
		"cart.items.0.name": "first", "cart.items.0.price": "1.00", "cart.items.1.name": "second",
	}
	for path, want := range checks {
		if got := r.str(path); got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
	if !reID.MatchString(r.str("id")) || !reTimestamp.MatchString(r.str("timestamp")) ||
		!reBuild.MatchString(r.str("buildNumber")) || !reNDC.MatchString(r.str("ndc")) || !reDesc.MatchString(r.str("descriptor")) {
		t.Errorf("formats: %s", r.raw)
	}
	if !strings.HasPrefix(r.str("ndc"), pub.EntityID+"_") {
		t.Errorf("ndc should start with the entity: %s", r.str("ndc"))
	}
	if strings.Contains(r.raw, "4200000000000000") || strings.Contains(r.raw, `"123"`) || r.get("card.number") != nil || r.get("card.cvv") != nil {
		t.Errorf("the full card number or the CVV leaked: %s", r.raw)
	}
	if !strings.Contains(r.raw, `\u003chi \u0026 bye\u003e`) {
		t.Errorf("echoed input must be JSON-escaped HTML-safely: %s", r.raw)
	}
	if r.header.Get(VersionHeader) != Version || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Errorf("headers: %v", r.header)
	}
	// The SEPA account number is masked.
	s := h.post("/v1/payments", "amount", "1.00", "currency", "EUR", "paymentType", "DB", "paymentBrand", "DIRECTDEBIT_SEPA",
		"bankAccount.holder", "Jane Jones", "bankAccount.iban", "DE89370400440532013000", "bankAccount.country", "DE")
	if got := s.str("bankAccount.iban"); got != "DE8937************3000" || s.str("bankAccount.holder") != "Jane Jones" {
		t.Errorf("bankAccount: %s", s.raw)
	}
	if s.get("card") != nil {
		t.Errorf("no card block on SEPA: %s", s.raw)
	}
}

func TestRouting(t *testing.T) {
	h := start(t, Options{NoStatusRateLimit: true})
	id := h.pa().str("id")
	cases := []struct {
		name, method, path string
		body               string
		status             int
		code               string
	}{
		{"doubled slash status", "GET", "//v1/payments/" + id + "?entityId=" + pub.EntityID, "", 200, codeSuccess},
		{"doubled slash inside", "GET", "/v1//payments/" + id + "?entityId=" + pub.EntityID, "", 200, codeSuccess},
		{"doubled slash PA", "POST", "//v1/payments", h.form(visa()...), 200, codeSuccess},
		{"doubled slash capture", "POST", "//v1/payments/" + id, h.form("paymentType", "CP", "amount", "1.00", "currency", "EUR"), 200, codeSuccess},
		{"POST params in the URL are ignored", "POST", "/v1/payments?" + h.form(visa()...), "", 400, codeParam},
		{"unknown route", "GET", "/v2/payments", "", 404, codeStructure},
		{"unknown API route", "GET", "/v1/nope", "", 404, codeStructure},
		{"PUT on payments", "PUT", "/v1/payments", h.form(visa()...), 405, codeBadMethod},
		{"odd method", "POS", "/v1/payments", h.form(visa()...), 405, codeBadMethod},
		{"GET on collection", "GET", "/v1/payments?entityId=" + pub.EntityID, "", 405, codeBadMethod},
		{"unknown id", "GET", "/v1/payments/0123456789abcdef0123456789abcdef?entityId=" + pub.EntityID, "", 404, codeNotFound},
		{"malformed id", "GET", "/v1/payments/xyz?entityId=" + pub.EntityID, "", 404, codeNotFound},
		{"query by id", "GET", "/v1/query/" + id + "?entityId=" + pub.EntityID, "", 200, codeSuccess},
		{"resultcodes without auth", "GET", "/v1/resultcodes", "", 200, codeRequestOK},
		{"JSON body carries no parameters", "POST", "/v1/payments", `{"amount":"1.00"}`, 400, codeParam},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hdr := map[string]string{}
			if strings.HasPrefix(c.body, "{") {
				hdr["Content-Type"] = "application/json"
			}
			if c.name == "resultcodes without auth" {
				hdr["Authorization"] = "-"
			}
			r := h.do(c.method, c.path, c.body, hdr)
			if r.status != c.status || r.code() != c.code {
				t.Fatalf("got %d %s, want %d %s: %.300s", r.status, r.code(), c.status, c.code, r.raw)
			}
			if r.header.Get(VersionHeader) != Version {
				t.Error("missing version header")
			}
		})
	}
	// A POST with everything in the URL fails like one without parameters: the
	// entityId in the URL is not read either.
	r := h.do("POST", "/v1/payments?"+h.form(visa()...), "", nil)
	if r.str("result.parameterErrors.0.name") != "entityId" {
		t.Errorf("want an entityId error: %s", r.raw)
	}
}

func TestResultCodes(t *testing.T) {
	h := start(t, Options{})
	r := h.do("GET", "/v1/resultcodes", "", nil)
	list, _ := r.get("resultCodes").([]any)
	if len(list) < 500 {
		t.Fatalf("%d codes", len(list))
	}
	found := false
	for _, e := range list {
		m := e.(map[string]any)
		if m["code"] == "100.396.101" && m["description"] == "Cancelled by user" {
			found = true
		}
	}
	if !found || r.str("buildNumber") == "" || r.str("timestamp") == "" || r.str("ndc") == "" {
		t.Errorf("resultcodes: %.300s", r.raw)
	}
}

func TestQueryByMerchantTransactionID(t *testing.T) {
	h := start(t, Options{})
	a := h.pa("merchantTransactionId", "order-7")
	b := h.pa("merchantTransactionId", "order-7")
	h.pa("merchantTransactionId", "order-8")
	r := h.do("GET", "/v1/query?entityId="+pub.EntityID+"&merchantTransactionId=order-7", "", nil)
	if r.status != 200 || r.code() != codeRequestOK {
		t.Fatal(r.raw)
	}
	if r.str("payments.0.id") != a.str("id") || r.str("payments.1.id") != b.str("id") || r.get("payments.2") != nil {
		t.Errorf("want both order-7 payments, oldest first: %s", r.raw)
	}
	if st := h.srv.Sandbox.Stats(); st.DuplicateMerchantTransactionIDs != 1 || st.ByPaymentType["PA"] != 3 || st.Payments != 3 {
		t.Errorf("stats %+v", st)
	}
	none := h.do("GET", "/v1/query?entityId="+pub.EntityID+"&merchantTransactionId=nope", "", nil)
	if none.status != http.StatusNotFound || none.code() != codeNotFound {
		t.Errorf("no match: %s", none.raw)
	}
	missing := h.do("GET", "/v1/query?entityId="+pub.EntityID, "", nil)
	if missing.code() != codeParam {
		t.Errorf("missing merchantTransactionId: %s", missing.raw)
	}
}

func TestForceResultCode(t *testing.T) {
	h := start(t, Options{NoStatusRateLimit: true})
	cases := []struct {
		code   string
		status int
	}{
		{"800.100.151", 400}, {"600.200.100", 400}, {"000.100.110", 200}, {"000.000.000", 200}, {"000.200.000", 200}, {"800.400.500", 200},
	}
	for _, c := range cases {
		r := h.pa("customParameters[forceResultCode]", c.code)
		if r.status != c.status || r.code() != c.code || r.str("result.description") != h.srv.Sandbox.contract.Description(c.code) {
			t.Errorf("%s: %d %s", c.code, r.status, r.raw)
		}
		if r.get("redirect") != nil {
			t.Errorf("%s: a forced result never redirects: %s", c.code, r.raw)
		}
		if r.str("customParameters.forceResultCode") != c.code {
			t.Errorf("echo: %s", r.raw)
		}
		// A forced rejection answers without id, as recorded: find it by its ndc.
		if s := h.status(byNDC(h, r.str("ndc")).id); s.code() != c.code {
			t.Errorf("%s stored as %s", c.code, s.code())
		}
	}
	// Forced on an async brand: final at once.
	r := h.post("/v1/payments", "amount", "1.00", "currency", "EUR", "paymentType", "DB", "paymentBrand", "PAYPAL",
		"shopperResultUrl", "http://shop/", "customParameters[forceResultCode]", "000.100.110")
	if r.code() != codeSuccess || r.get("redirect") != nil {
		t.Errorf("forced on async: %s", r.raw)
	}
	// Forced on backoffice.
	pa := h.pa()
	cp := h.post("/v1/payments/"+pa.str("id"), "paymentType", "CP", "amount", "92.00", "currency", "EUR", "customParameters[forceResultCode]", "800.100.152")
	if cp.status != 400 || cp.code() != "800.100.152" {
		t.Errorf("forced capture decline: %s", cp.raw)
	}
	cp2 := h.post("/v1/payments/"+pa.str("id"), "paymentType", "CP", "amount", "92.00", "currency", "EUR")
	if cp2.code() != codeSuccess {
		t.Errorf("a forced decline moves no money; full capture still possible: %s", cp2.raw)
	}
}

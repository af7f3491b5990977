package sandbox

import (
	"strings"
	"sync"
	"testing"
)

// tokenParams are a standalone tokenisation's parameters: card data, no payment.
func tokenParams() []string {
	return override(visa(), "amount", drop, "currency", drop, "paymentType", drop)
}

func (h *harness) payWithToken(tok string, kv ...string) reply {
	h.t.Helper()
	return h.post("/v1/registrations/"+tok+"/payments", override([]string{"paymentType", "DB", "amount", "10.00", "currency", "EUR"}, kv...)...)
}

func (h *harness) deleteToken(tok string) reply {
	h.t.Helper()
	return h.do("DELETE", "/v1/registrations/"+tok+"?entityId="+h.cred.EntityID, "", nil)
}

func TestTokenisationDuringPayment(t *testing.T) {
	h := start(t, Options{NoStatusRateLimit: true})
	pa := h.pa("createRegistration", "true")
	tok := pa.str("registrationId")
	if !reID.MatchString(tok) || tok == pa.str("id") {
		t.Fatalf("registrationId %q of %s", tok, pa.raw)
	}
	if st := h.status(pa.str("id")); st.str("registrationId") != tok {
		t.Errorf("status lookup lost the registrationId: %s", st.raw)
	}
	if plain := h.pa(); plain.get("registrationId") != nil {
		t.Errorf("a payment without createRegistration carries a registrationId: %s", plain.raw)
	}
	tp := h.payWithToken(tok, "paymentType", "PA", "amount", "20.00")
	if tp.code() != codeSuccess || tp.str("paymentBrand") != "VISA" || tp.str("card.last4Digits") != "0000" {
		t.Fatalf("token PA: %s", tp.raw)
	}
	cp := h.post("/v1/payments/"+tp.str("id"), "paymentType", "CP", "amount", "20.00", "currency", "EUR")
	rf := h.post("/v1/payments/"+cp.str("id"), "paymentType", "RF", "amount", "5.00", "currency", "EUR")
	if cp.code() != codeSuccess || rf.code() != codeSuccess {
		t.Errorf("capture %s, refund %s of a token payment", cp.code(), rf.code())
	}
}

func TestStandaloneTokenLifeCycle(t *testing.T) {
	h := start(t, Options{})
	reg := h.post("/v1/registrations", tokenParams()...)
	tok := reg.str("id")
	if reg.status != 200 || reg.code() != codeSuccess || !reID.MatchString(tok) {
		t.Fatalf("registration: %d %s", reg.status, reg.raw)
	}
	if reg.str("card.bin") != "420000" || reg.str("card.last4Digits") != "0000" || strings.Contains(reg.raw, "4200000000000000") {
		t.Errorf("registration card block: %s", reg.raw)
	}
	if got := h.do("GET", "/v1/registrations/"+tok+"?entityId="+h.cred.EntityID, "", nil); got.str("id") != tok || got.str("card.bin") != "420000" {
		t.Errorf("lookup: %s", got.raw)
	}
	if db := h.payWithToken(tok); db.code() != codeSuccess {
		t.Fatalf("token DB: %s", db.raw)
	}
	if del := h.deleteToken(tok); del.status != 200 || del.code() != codeSuccess || del.str("referencedId") != tok {
		t.Fatalf("delete: %d %s", del.status, del.raw)
	}
	for name, r := range map[string]reply{
		"payment": h.payWithToken(tok),
		"delete":  h.deleteToken(tok),
		"lookup":  h.do("GET", "/v1/registrations/"+tok+"?entityId="+h.cred.EntityID, "", nil),
	} {
		if r.code() != codeRegDeleted || r.status != 400 {
			t.Errorf("%s after deletion: %d %s", name, r.status, r.raw)
		}
	}
	if r := h.payWithToken(newID()); r.code() != codeRegUnknown {
		t.Errorf("unknown token: %s", r.raw)
	}
	if r := h.payWithToken("abc"); r.code() != codeRegLength {
		t.Errorf("short token: %s", r.raw)
	}
	if r := h.post("/v1/registrations", override(tokenParams(), "card.number", "4200000000000001")...); r.code() != codeLuhn {
		t.Errorf("tokenising a Luhn failure: %s", r.raw)
	} else if p := h.payWithToken(r.str("id")); p.code() != codeRegRejected {
		t.Errorf("paying with a rejected token: %s", p.raw)
	}
}

func TestTokenInvisibleToAnotherEntity(t *testing.T) {
	h := start(t, Options{})
	tok := h.post("/v1/registrations", tokenParams()...).str("id")
	other := *h
	other.cred = SecondaryCredentials
	for name, r := range map[string]reply{
		"lookup":  other.do("GET", "/v1/registrations/"+tok+"?entityId="+other.cred.EntityID, "", nil),
		"payment": other.payWithToken(tok),
		"delete":  other.deleteToken(tok),
	} {
		if r.code() != codeRegUnknown || strings.Contains(r.raw, `"card"`) {
			t.Errorf("another entity's %s: %s", name, r.raw)
		}
	}
	if r := h.payWithToken(tok); r.code() != codeSuccess {
		t.Errorf("the owner's token stopped paying: %s", r.raw)
	}
}

func TestStandingInstructions(t *testing.T) {
	h := start(t, Options{})
	repeat := []string{"standingInstruction.mode", "REPEATED", "standingInstruction.type", "UNSCHEDULED", "standingInstruction.source", "MIT"}
	bare := h.post("/v1/registrations", tokenParams()...).str("id")
	if r := h.payWithToken(bare, repeat...); r.code() != codeRegNoInitial {
		t.Errorf("MIT on a token without an initial: %s", r.raw)
	}
	if r := h.payWithToken(bare, append(repeat, "standingInstruction.initialTransactionId", "123456789012345")...); r.code() != codeSuccess {
		t.Errorf("MIT naming its initial: %s", r.raw)
	}
	if r := h.pa(repeat...); r.code() != codeRegNoInitial {
		t.Errorf("MIT with card data and no initial: %s", r.raw)
	}
	initial := h.pa("createRegistration", "true", "standingInstruction.mode", "INITIAL",
		"standingInstruction.type", "UNSCHEDULED", "standingInstruction.source", "CIT")
	if initial.code() != codeSuccess || initial.str("standingInstruction.mode") != "INITIAL" {
		t.Fatalf("initial CIT: %s", initial.raw)
	}
	if r := h.payWithToken(initial.str("registrationId"), repeat...); r.code() != codeSuccess || r.str("standingInstruction.source") != "MIT" {
		t.Errorf("MIT after the initial CIT: %s", r.raw)
	}
	standalone := h.post("/v1/registrations", override(tokenParams(), "standingInstruction.mode", "INITIAL", "standingInstruction.source", "CIT")...)
	if r := h.payWithToken(standalone.str("id"), repeat...); r.code() != codeSuccess {
		t.Errorf("MIT on a token registered as the initial: %s", r.raw)
	}
	bad := h.pa("standingInstruction.type", "WEEKLY")
	if bad.code() != codeParam || bad.str("result.parameterErrors.0.name") != "standingInstruction.type" {
		t.Errorf("unknown standingInstruction.type: %s", bad.raw)
	}
}

func TestRequestLogMasksTokens(t *testing.T) {
	var mu sync.Mutex
	var lines []string
	h := start(t, Options{Logf: func(f string, a ...any) {
		mu.Lock()
		lines = append(lines, sprintf(f, a...))
		mu.Unlock()
	}})
	tok := h.post("/v1/registrations", tokenParams()...).str("id")
	h.payWithToken(tok)
	h.deleteToken(tok)
	mu.Lock()
	defer mu.Unlock()
	for _, l := range lines {
		if strings.Contains(l, tok) {
			t.Errorf("the request log shows a token: %s", l)
		}
	}
	if got := maskToken("/v1/registrations/" + tok + "/payments"); got != "/v1/registrations/"+maskMiddle(tok)+"/payments" {
		t.Errorf("maskToken: %s", got)
	}
}

package sandbox

import (
	"testing"
)

// op is one backoffice step in a scenario; ref names an earlier payment ("pa", "db",
// "cp1"...) or "unknown".
type op struct {
	name, ref, typ, amount, currency string
	want                             string
}

func TestBackofficeStateMachine(t *testing.T) {
	scenarios := []struct {
		name  string
		start string // "PA", "DB", "pending", "declined"
		ops   []op
	}{
		{"full capture then refund", "PA", []op{
			{"cp1", "pa", "CP", "92.00", "EUR", codeSuccess},
			{"rf1", "cp1", "RF", "92.00", "EUR", codeSuccess},
			{"rf2", "cp1", "RF", "0.01", "EUR", codeCannotRefund},
		}},
		{"several partial captures up to the PA", "PA", []op{
			{"cp1", "pa", "CP", "50.00", "EUR", codeSuccess},
			{"cp2", "pa", "CP", "42.00", "EUR", codeSuccess},
			{"cp3", "pa", "CP", "0.01", "EUR", codeCannotCapture},
		}},
		{"capture above the PA", "PA", []op{{"cp1", "pa", "CP", "92.01", "EUR", codeCannotCapture}}},
		{"capture in another currency", "PA", []op{{"cp1", "pa", "CP", "10.00", "USD", codeCurrencyMismatch}}},
		{"capture of zero", "PA", []op{{"cp1", "pa", "CP", "0.00", "EUR", codeLowAmount}}},
		{"partial refunds up to the capture", "PA", []op{
			{"cp1", "pa", "CP", "60.00", "EUR", codeSuccess},
			{"rf1", "cp1", "RF", "30.00", "EUR", codeSuccess},
			{"rf2", "cp1", "RF", "30.00", "EUR", codeSuccess},
			{"rf3", "cp1", "RF", "0.01", "EUR", codeCannotRefund},
		}},
		{"refund of a PA", "PA", []op{{"rf1", "pa", "RF", "1.00", "EUR", codeRefundNeedsCP}}},
		{"reversal of a PA", "PA", []op{
			{"rv1", "pa", "RV", "", "", codeSuccess},
			{"rv2", "pa", "RV", "", "", codeCannotReverse},
			{"cp1", "pa", "CP", "1.00", "EUR", codeCannotCapture},
		}},
		{"reversal after capture", "PA", []op{
			{"cp1", "pa", "CP", "10.00", "EUR", codeSuccess},
			{"rv1", "pa", "RV", "", "", codeCannotReverse},
		}},
		{"reversal of a capture frees the amount", "PA", []op{
			{"cp1", "pa", "CP", "92.00", "EUR", codeSuccess},
			{"rv1", "cp1", "RV", "", "", codeSuccess},
			{"rf1", "cp1", "RF", "1.00", "EUR", codeCannotRefund},
			{"cp2", "pa", "CP", "92.00", "EUR", codeSuccess},
		}},
		{"DB refunds", "DB", []op{
			{"rf1", "db", "RF", "50.00", "EUR", codeSuccess},
			{"rf2", "db", "RF", "42.01", "EUR", codeCannotRefund},
			{"rf3", "db", "RF", "42.00", "EUR", codeSuccess},
			{"rv1", "db", "RV", "", "", codeCannotReverse},
		}},
		{"DB refund in another currency", "DB", []op{{"rf1", "db", "RF", "1.00", "GBP", codeCurrencyMismatch}}},
		{"capture of a DB", "DB", []op{{"cp1", "db", "CP", "1.00", "EUR", codeCaptureNeedsPA}}},
		{"reversal of a DB", "DB", []op{
			{"rv1", "db", "RV", "", "", codeSuccess},
			{"rf1", "db", "RF", "1.00", "EUR", codeCannotRefund},
		}},
		{"unknown references", "PA", []op{
			{"cp1", "unknown", "CP", "1.00", "EUR", codeCaptureNeedsPA},
			{"rf1", "unknown", "RF", "1.00", "EUR", codeRefundNeedsCP},
			{"rv1", "unknown", "RV", "", "", codeReversalNeeds},
		}},
		{"pending reference", "pending", []op{
			{"cp1", "pa", "CP", "1.00", "EUR", codeRefPending},
			{"rv1", "pa", "RV", "", "", codeRefPending},
		}},
		{"declined reference", "declined", []op{
			{"cp1", "pa", "CP", "1.00", "EUR", codeCaptureNeedsPA},
			{"rv1", "pa", "RV", "", "", codeReversalNeeds},
		}},
		{"refund of a refund", "DB", []op{
			{"rf1", "db", "RF", "1.00", "EUR", codeSuccess},
			{"rf2", "rf1", "RF", "1.00", "EUR", codeRefundNeedsCP},
		}},
	}
	h := start(t, Options{NoStatusRateLimit: true})
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			ids := map[string]string{"unknown": "0123456789abcdef0123456789abcdef"}
			switch sc.start {
			case "PA":
				ids["pa"] = h.pa().str("id")
			case "DB":
				ids["db"] = h.pa("paymentType", "DB").str("id")
			case "pending":
				ids["pa"] = h.post("/v1/payments", asyncParams("PAYPAL", "paymentType", "PA")...).str("id")
			case "declined":
				ids["pa"] = h.pa("card.number", "4200000000000001").str("id")
			}
			for _, o := range sc.ops {
				kv := []string{"paymentType", o.typ}
				if o.amount != "" {
					kv = append(kv, "amount", o.amount, "currency", o.currency)
				}
				r := h.post("/v1/payments/"+ids[o.ref], kv...)
				if r.code() != o.want {
					t.Fatalf("%s (%s on %s): got %s, want %s: %s", o.name, o.typ, o.ref, r.code(), o.want, r.raw)
				}
				wantStatus := 200
				if o.want != codeSuccess {
					wantStatus = 400
				}
				id := r.str("id")
				if r.status != wantStatus || !reID.MatchString(id) || id == ids[o.ref] ||
					r.str("paymentType") != o.typ || r.get("card") != nil || !recordedBackofficeShape(r, o.typ, o.ref, ids[o.ref]) {
					t.Fatalf("%s: shape: %d %s", o.name, r.status, r.raw)
				}
				if o.amount != "" && o.ref != "unknown" && (r.str("amount") != o.amount || r.str("currency") != o.currency) {
					t.Errorf("%s: amount/currency echo: %s", o.name, r.raw)
				}
				if o.typ == "RV" && o.ref != "unknown" && r.str("amount") == "" {
					t.Errorf("%s: a reversal echoes the original amount: %s", o.name, r.raw)
				}
				// Every attempt is stored.
				if s := h.status(id); s.code() != o.want || s.str("referencedId") != ids[o.ref] {
					t.Errorf("%s: stored as %s", o.name, s.raw)
				}
				ids[o.name] = id
			}
			// The original keeps its own id, type and result.
			for _, k := range []string{"pa", "db"} {
				if id, ok := ids[k]; ok && sc.start != "pending" && sc.start != "declined" {
					s := h.status(id)
					if s.code() != codeSuccess || s.str("paymentType") != map[string]string{"pa": "PA", "db": "DB"}[k] {
						t.Errorf("original after operations: %s", s.raw)
					}
				}
			}
		})
	}
}

func TestBackofficeValidation(t *testing.T) {
	h := start(t, Options{})
	id := h.pa().str("id")
	cases := []struct {
		name string
		kv   []string
		perr string
	}{
		{"capture without amount", []string{"paymentType", "CP", "currency", "EUR"}, "amount"},
		{"capture with a bad amount", []string{"paymentType", "CP", "amount", "1.5", "currency", "EUR"}, "amount"},
		{"refund without currency", []string{"paymentType", "RF", "amount", "1.00"}, "currency"},
		{"initial type on a reference", []string{"paymentType", "PA", "amount", "1.00", "currency", "EUR"}, "paymentType"},
		{"no type", []string{"amount", "1.00", "currency", "EUR"}, "paymentType"},
	}
	for _, c := range cases {
		r := h.post("/v1/payments/"+id, c.kv...)
		if r.status != 400 || r.code() != codeParam || r.str("result.parameterErrors.0.name") != c.perr {
			t.Errorf("%s: %s", c.name, r.raw)
		}
	}
	if r := h.post("/v1/payments/"+id, "paymentType", "RV"); r.code() != codeSuccess || r.str("amount") != "92.00" || r.str("currency") != "EUR" {
		t.Errorf("RV needs neither amount nor currency and echoes the original's: %s", r.raw)
	}
	if st := h.srv.Sandbox.Stats(); st.ByPaymentType["RV"] != 1 || st.ByPaymentType["PA"] != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestAsyncPaymentThenBackoffice(t *testing.T) {
	h := start(t, Options{NoStatusRateLimit: true})
	r := h.post("/v1/payments", asyncParams("PAYPAL", "paymentType", "PA")...)
	id := r.str("id")
	form := r.redirectParams()
	form.Set("outcome", "approve")
	h.page("POST", h.srv.URL+"connectors/demo/checkout/"+id+"/complete", form)
	cp := h.post("/v1/payments/"+id, "paymentType", "CP", "amount", "15.99", "currency", "EUR")
	if cp.code() != codeSuccess {
		t.Fatalf("capture after approval: %s", cp.raw)
	}
	if s := h.status(id); s.str("paymentType") != "PA" || s.code() != codeSuccess {
		t.Errorf("the PA keeps paymentType PA after capture: %s", s.raw)
	}
}

// recordedBackofficeShape checks what real-platform.md §4 records of a backoffice reply:
// no paymentBrand; risk.score "0" except on a successful refund; for an unknown
// reference {id, paymentType, result, risk} and the trailer, no amount. referencedId
// names the original (HS-tx) wherever there is one.
func recordedBackofficeShape(r reply, typ, ref, refID string) bool {
	wantRisk := "0"
	if typ == "RF" && r.code() == codeSuccess {
		wantRisk = ""
	}
	if ref == "unknown" {
		return r.get("referencedId") == nil && r.get("amount") == nil && r.get("paymentBrand") == nil && r.str("risk.score") == wantRisk
	}
	return r.str("referencedId") == refID && r.get("paymentBrand") == nil && r.str("risk.score") == wantRisk
}

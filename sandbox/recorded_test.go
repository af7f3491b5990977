package sandbox

import (
	"strings"
	"testing"
)

// observeRecordedShapes records which fields the replies the recordings describe carry
// (real-platform.md §4): a declined payment and its lookup, a forced rejection, a
// capture, refund and reversal, and a capture of an unknown id. Only presence is
// recorded, so that modes changing values, order or extra fields leave it alone.
func observeRecordedShapes(o map[string]string, h *harness) {
	echoes := []string{"amount", "currency", "descriptor", "risk"}
	dec := h.pa("card.number", "4200000000000001")
	o["decline.echoes"] = present(dec, echoes...)
	o["decline.statusEchoes"] = present(h.status(byNDC(h, dec.str("ndc")).id), echoes...)
	forced := h.pa("customParameters[forceResultCode]", "800.100.151")
	o["decline.forcedEchoes"] = present(forced, echoes...)
	// Absence only, so that id-missing (no id on any initial reply) does not show here.
	o["decline.forcedNoID"] = yes(forced.get("id") == nil)

	pa := byNDC(h, h.pa().str("ndc")).id
	cp := h.post("/v1/payments/"+pa, "paymentType", "CP", "amount", "50.00", "currency", "EUR")
	rf := h.post("/v1/payments/"+byNDC(h, cp.str("ndc")).id, "paymentType", "RF", "amount", "10.00", "currency", "EUR")
	rv := h.post("/v1/payments/"+byNDC(h, h.pa().str("ndc")).id, "paymentType", "RV")
	o["bo.recordedShape"] = "ref=" + yes(cp.get("referencedId") != nil || rf.get("referencedId") != nil || rv.get("referencedId") != nil) +
		",brand=" + yes(cp.get("paymentBrand") != nil || rf.get("paymentBrand") != nil || rv.get("paymentBrand") != nil) +
		",cpRisk=" + yes(cp.get("risk") != nil) + ",rfRisk=" + yes(rf.get("risk") != nil) + ",rvRisk=" + yes(rv.get("risk") != nil) +
		",trailing=" + yes(strings.HasSuffix(cp.str("descriptor"), " "))
	unknown := h.post("/v1/payments/"+newID(), "paymentType", "CP", "amount", "1.00", "currency", "EUR")
	o["bo.unknownShape"] = present(unknown, "id", "paymentType", "result", "risk", "amount", "currency", "descriptor",
		"referencedId", "paymentBrand", "buildNumber", "timestamp", "ndc")
}

// present lists which of fields r carries, in the order given.
func present(r reply, fields ...string) string {
	var out []string
	for _, f := range fields {
		if r.get(f) != nil {
			out = append(out, f)
		}
	}
	return strings.Join(out, ",")
}

// By default the sandbox answers in the shapes activemerchant's CardProcess recordings
// show (real-platform.md §4), except referencedId on backoffice replies, which follows
// the newer HS-tx connector (vary-recorded-backoffice drops it). A rejection's lookup
// is not recorded and keeps the sandbox's fields.
func TestRecordedShapesAreTheDefault(t *testing.T) {
	o := map[string]string{}
	observeRecordedShapes(o, start(t, Options{NoStatusRateLimit: true}))
	for k, want := range map[string]string{
		"decline.echoes":       "",
		"decline.statusEchoes": "amount,currency,descriptor,risk",
		"decline.forcedEchoes": "",
		"decline.forcedNoID":   "true",
		"bo.recordedShape":     "ref=true,brand=false,cpRisk=true,rfRisk=false,rvRisk=true,trailing=false",
		"bo.unknownShape":      "id,paymentType,result,risk,buildNumber,timestamp,ndc",
	} {
		if o[k] != want {
			t.Errorf("%s = %q, want %q", k, o[k], want)
		}
	}
}

// A forced rejection answers without id, as recorded, but the payment is stored: the
// merchant finds it, rejected, by its merchantTransactionId in the transaction report.
func TestForcedRejectionFoundByMerchantTransactionID(t *testing.T) {
	h := start(t, Options{})
	mtid := "forced-" + newID()
	f := h.pa("customParameters[forceResultCode]", "800.100.151", "merchantTransactionId", mtid)
	if f.code() != "800.100.151" || f.get("id") != nil || f.str("merchantTransactionId") != mtid {
		t.Fatalf("forced rejection: code %s, id %v, merchantTransactionId %q", f.code(), f.get("id"), f.str("merchantTransactionId"))
	}
	q := h.do("GET", "/v1/query?entityId="+h.cred.EntityID+"&merchantTransactionId="+mtid, "", nil)
	if q.str("payments.0.result.code") != "800.100.151" || !reID.MatchString(q.str("payments.0.id")) || q.get("payments.1") != nil {
		t.Errorf("the report lists %v, want the one forced rejection with its id", q.get("payments"))
	}
}

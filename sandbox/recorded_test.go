package sandbox

import "strings"

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
	// Relative to a plain decline, so that id-missing (no id on any initial reply)
	// does not show here.
	o["decline.forcedIDLikeOthers"] = yes((forced.get("id") != nil) == (dec.get("id") != nil))

	pa := byNDC(h, h.pa().str("ndc")).id
	cp := h.post("/v1/payments/"+pa, "paymentType", "CP", "amount", "50.00", "currency", "EUR")
	rf := h.post("/v1/payments/"+byNDC(h, cp.str("ndc")).id, "paymentType", "RF", "amount", "10.00", "currency", "EUR")
	rv := h.post("/v1/payments/"+byNDC(h, h.pa().str("ndc")).id, "paymentType", "RV")
	o["bo.recordedShape"] = "ref=" + yes(cp.get("referencedId") != nil || rf.get("referencedId") != nil || rv.get("referencedId") != nil) +
		",brand=" + yes(cp.get("paymentBrand") != nil || rf.get("paymentBrand") != nil || rv.get("paymentBrand") != nil) +
		",cpRisk=" + yes(cp.get("risk") != nil) + ",rfRisk=" + yes(rf.get("risk") != nil) + ",rvRisk=" + yes(rv.get("risk") != nil) +
		",trailing=" + yes(strings.HasSuffix(cp.str("descriptor"), " "))
	unknown := h.post("/v1/payments/"+newID(), "paymentType", "CP", "amount", "1.00", "currency", "EUR")
	o["bo.unknownShape"] = present(unknown, "amount", "currency", "descriptor", "referencedId", "buildNumber", "ndc")
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

package sandbox

import "testing"

func TestSmoke(t *testing.T) {
	h := start(t, Options{})
	r := h.pa()
	t.Log(r.status, r.raw)
	s := h.status(r.str("id"))
	t.Log(s.status, s.raw)
	a := h.post("/v1/payments", "amount", "10", "currency", "EUR", "paymentBrand", "PAYPAL", "paymentType", "DB", "shopperResultUrl", "http://shop.example/return?x=1")
	t.Log(a.status, a.raw)
	e := h.post("/v1/payments", "amount", "92.0", "currency", "eur", "paymentType", "XX", "card.number", "4200000000000000")
	t.Log(e.status, e.raw)
}

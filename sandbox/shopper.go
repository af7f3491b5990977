package sandbox

import (
	"net/url"
	"strings"
	"time"
)

// What the core does when a shopper page acts on a payment that waits for the
// shopper (package pages asks through pageCore): end it with the shopper's decision,
// close it when it expired, notify its final state, and send the browser back to
// the shop.

// sessionTTL is the documented 30-minute life of a checkout.
const sessionTTL = 30 * time.Minute

// settle ends a payment that waited for the shopper with code: the token it asked for
// is stored and its final state notified.
func (s *Sandbox) settle(tx *txn, p *payment, code string) {
	p.code, p.done, p.viaFlow = code, true, true
	s.tokenise(tx, p)
	s.notifyFinal(tx, p)
}

// outcome maps the shopper's choice to the documented result code. A 3-D Secure
// payment whose method call (the reply's precondition) never arrived fails
// authentication whatever the choice.
func (s *Sandbox) outcome(p *payment, choice string) (string, bool) {
	switch p.flow {
	case flowCheckout:
		switch choice {
		case "approve":
			return codeSuccess, true
		case "cancel":
			return codeCancelled, true
		case "fail":
			return codeShopperFailed, true
		}
	case flowChallenge:
		switch choice {
		case "Y", "A":
			return afterMethodCall(p, codeSuccess), true
		case "N", "R":
			return code3DSFailed, true
		case "U":
			return afterMethodCall(p, code3DSTechACS), true
		}
	case flowFrictionless:
		// The directory server decided already; the page only carries the browser on.
		return afterMethodCall(p, p.flowResult), true
	}
	return "", false
}

// afterMethodCall is code when the 3-D Secure method call of p arrived, else
// 100.380.401 (authentication failed).
func afterMethodCall(p *payment, code string) string {
	if !p.methodCalled {
		return code3DSFailed
	}
	return code
}

// expire closes a checkout the shopper left open longer than the documented 30
// minutes.
func (s *Sandbox) expire(tx *txn, p *payment) {
	if p.flow != flowNone && !p.done && s.now().Sub(p.created) > sessionTTL {
		p.code, p.done, p.viaFlow = codeTimedOut, true, true
		s.notifyFinal(tx, p)
	}
}

// notifyFinal notifies the final state of an async payment as its status lookup shows
// it.
func (s *Sandbox) notifyFinal(tx *txn, p *payment) {
	if s.webhooks == nil {
		return
	}
	doc, _ := s.renderPayment(tx, p, viewStatus, nil)
	s.notifyPayment(s.finalJSON(doc))
}

// returnURL is the shop's shopperResultUrl with id and resourcePath added to its own
// query, through the shopperReturn hook point.
func (s *Sandbox) returnURL(tx *txn, p *payment) string {
	u, frag := p.resultURL, ""
	if i := strings.IndexByte(u, '#'); i >= 0 {
		u, frag = u[:i], u[i:]
	}
	ret := shopperReturn{Brand: p.brand, Query: url.Values{"id": {p.id}, "resourcePath": {"/v1/payments/" + p.id}}, OtherID: newID()}
	if o := tx.other(p); o != nil {
		ret.OtherID = o.id
	}
	fire(s, &ret)
	if len(ret.Query) == 0 {
		return u + frag
	}
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
		if strings.HasSuffix(u, "?") || strings.HasSuffix(u, "&") {
			sep = ""
		}
	}
	return u + sep + ret.Query.Encode() + frag
}

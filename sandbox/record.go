package sandbox

import (
	"strings"
)

// What the sandbox records of a request: the fields every stored transaction and
// token starts with, the card without its CVV, and the request blocks replies echo.

// echoBlocks are the request families the platform echoes in its replies, in the
// order they appear there.
var echoBlocks = [...]string{"bankAccount", "customer", "billing", "shipping", "cart", "threeDSecure", "standingInstruction"}

// newCardView keeps what the sandbox may keep of a request's card: never the CVV.
func newCardView(p params) *cardView {
	n := p.get("card.number")
	return &cardView{bin: n[:min(6, len(n))], last4: n[max(0, len(n)-4):], pan: n,
		holder: p.get("card.holder"), month: p.get("card.expiryMonth"), year: p.get("card.expiryYear")}
}

// newPayment starts a transaction with the fields every request sets the same way.
func (s *Sandbox) newPayment(entity string, p params) *payment {
	now := s.now()
	return &payment{
		id:          newID(),
		entity:      entity,
		paymentType: p.get("paymentType"),
		currency:    p.get("currency"),
		descriptor:  shortID() + " OPP_Channel ",
		mtxID:       p.get("merchantTransactionId"),
		invoiceID:   p.get("merchantInvoiceId"),
		timestamp:   replyTime(now),
		ndc:         newNDC(entity),
		created:     now,
	}
}

// echoRequest builds the request blocks replies echo (customParameters last, as the
// platform does). The IBAN is masked like a card number.
func echoRequest(p params) document {
	// One pass finds which families were sent, so absent ones cost nothing.
	var present [len(echoBlocks)]bool
	for _, k := range p.keys {
		top := k
		if i := strings.IndexAny(k, ".["); i >= 0 {
			top = k[:i]
		}
		for j, b := range echoBlocks {
			if top == b {
				present[j] = true
			}
		}
	}
	var o document
	for j, b := range echoBlocks {
		if !present[j] {
			continue
		}
		var mask func(string, string) string
		if b == "bankAccount" {
			mask = func(k, v string) string {
				if k == ".iban" || k == ".number" {
					return maskMiddle(v)
				}
				return v
			}
		}
		if blk := p.echoBlock(b, mask); blk != nil {
			o = o.With(b, blk)
		}
	}
	if cp := p.customParameters(); cp != nil {
		o = o.With("customParameters", cp)
	}
	return o
}

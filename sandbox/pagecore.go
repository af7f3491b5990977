package sandbox

import (
	"net/http"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	"github.com/oppwa-conformance/oppwa-conformance/sandbox/hook"
	"github.com/oppwa-conformance/oppwa-conformance/sandbox/pages"
)

// pageCore is the sandbox as package pages reaches it: the shopper pages look up
// the payment a page names, settle it with the shopper's decision and record a 3-D
// Secure method call through it, one store transaction at a time.
type pageCore struct{ s *Sandbox }

func (c pageCore) Visit(id string, fn func(p pages.Payment)) {
	c.s.store.update(func(tx *txn) {
		p := tx.byID[id]
		if p == nil {
			fn(nil)
			return
		}
		fn(pagePayment{c.s, tx, p})
	})
}

func (c pageCore) Hooks() []hook.Hook { return c.s.hooks }
func (c pageCore) Realistic() bool    { return c.s.realistic }

// pagePayment is a stored payment as its pages see it, within one transaction.
type pagePayment struct {
	s  *Sandbox
	tx *txn
	p  *payment
}

func (pp pagePayment) Summary() pages.Summary { return summaryOf(pp.p) }
func (pp pagePayment) State() *pages.State    { return &pp.p.shopper }
func (pp pagePayment) Expire()                { pp.s.expire(pp.tx, pp.p) }
func (pp pagePayment) RecordMethodCall()      { pp.p.methodCalled = true }
func (pp pagePayment) ReturnURL() string      { return pp.s.returnURL(pp.tx, pp.p) }

func (pp pagePayment) Settle(choice string) bool {
	code, ok := pp.s.outcome(pp.p, choice)
	if ok {
		pp.s.settle(pp.tx, pp.p, code)
	}
	return ok
}

// summaryOf is what the pages show and check of p.
func summaryOf(p *payment) pages.Summary {
	return pages.Summary{ID: p.id, Brand: p.brand, Amount: formatAmount(p.cents), Currency: p.currency,
		NDC: p.ndc, Session: p.session, Flow: p.flow, Done: p.done}
}

// redirectFor builds the redirect block of a pending payment.
func (s *Sandbox) redirectFor(r *http.Request, p *payment, brand fixtures.Brand) document {
	return pages.Redirect(pageCore{s}, r, summaryOf(p), brand.SimulatorRedirectMethod)
}

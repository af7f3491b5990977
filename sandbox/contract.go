package sandbox

import (
	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
)

// The contract, indexed once when the sandbox starts: the reply shapes and the
// outcome of every documented code.

// shapeKey names a reply shape: its kind, outcome and the paymentType it is limited
// to ("" for every other paymentType).
type shapeKey struct {
	kind        fixtures.ReplyKind
	outcome     string
	paymentType string
}

// replyShapes indexes fixtures/shapes.json: per kind, outcome and paymentType, the
// top-level fields the reply carries.
func replyShapes(c *fixtures.Contract) map[shapeKey]map[string]bool {
	out := map[shapeKey]map[string]bool{}
	for _, sh := range c.Shapes() {
		fields := make(map[string]bool, len(sh.Fields))
		for _, f := range sh.Fields {
			fields[f] = true
		}
		for _, t := range sh.PaymentTypes {
			out[shapeKey{sh.Kind, sh.Outcome, t}] = fields
		}
		if len(sh.PaymentTypes) == 0 {
			out[shapeKey{sh.Kind, sh.Outcome, ""}] = fields
		}
	}
	return out
}

// outcomeTable classifies result codes by the documented group regexes; documented
// codes come from a table built once, since the regexes would run on every reply.
type outcomeTable struct {
	contract *fixtures.Contract
	known    map[string]fixtures.Outcome
}

// newOutcomeTable classifies the contract's documented codes.
func newOutcomeTable(c *fixtures.Contract) outcomeTable {
	t := outcomeTable{contract: c, known: make(map[string]fixtures.Outcome, len(c.ResultCodes))}
	for _, rc := range c.ResultCodes {
		t.known[rc.Code] = c.OutcomeOf(rc.Code)
	}
	return t
}

// of is the outcome of code.
func (t outcomeTable) of(code string) fixtures.Outcome {
	if o, ok := t.known[code]; ok {
		return o
	}
	return t.contract.OutcomeOf(code)
}

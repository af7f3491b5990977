package oppwa

import "github.com/oppwa-conformance/oppwa-conformance/fixtures"

// Classify returns the documented result-code group of code; ok is false for the few
// documented codes no group regex matches.
func Classify(code string) (fixtures.Group, bool) { return fixtures.Load().Classify(code) }

// GroupName is Classify's group name, or "unclassified".
func GroupName(code string) string {
	if g, ok := Classify(code); ok {
		return g.Name
	}
	return "unclassified"
}

// OutcomeOf says whether code means success, pending, rejected or chargeback.
func OutcomeOf(code string) fixtures.Outcome { return fixtures.Load().OutcomeOf(code) }

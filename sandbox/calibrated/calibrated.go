// Package calibrated makes the sandbox an account's twin: from a calibration
// (package twin) it builds hooks that answer, wherever the calibration observed the
// account, as the account did (codes by brand and situation, refusals of credentials,
// format errors, backoffice refusals, redirects, the return URL) and give API replies
// the account's field sets and buildNumber. Everywhere else the sandbox answers as its
// own state machine does.
package calibrated

import (
	"slices"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	"github.com/oppwa-conformance/oppwa-conformance/sandbox/hook"
	"github.com/oppwa-conformance/oppwa-conformance/sandbox/wire"
	"github.com/oppwa-conformance/oppwa-conformance/twin"
)

// twinOf is a calibration read into the tables its hooks look up.
type twinOf struct {
	cal      *twin.Calibration
	contract *fixtures.Contract
	// situations are the account's answers by claims.json situation.
	situations map[string]twin.Answer
	// formats are the answers of format refusals, by the parameter they were about.
	formats map[string]twin.Answer
	// codes maps a code the sandbox answers in a claim's case to the account's.
	codes map[string]string
	// results are the account's codes per brand, payment type and outcome.
	results map[resultKey][]string
	// descriptions are the account's descriptions of the codes it answered.
	descriptions map[string]string
	// notConfigured is the account's code for each brand it has not configured, and
	// ownNotConfigured the sandbox's code for such a brand.
	notConfigured    map[string]string
	ownNotConfigured string
}

type resultKey struct {
	brand, paymentType string
	outcome            fixtures.Outcome
}

// Hooks are the hook functions that make the sandbox answer as cal's account did.
func Hooks(cal *twin.Calibration) []hook.Hook {
	t := read(cal)
	return []hook.Hook{
		hook.On(t.authRefusal), hook.On(t.initialFormat), hook.On(t.backofficeRule),
		hook.On(t.paymentReply), hook.On(t.resultBlock), hook.On(t.shopperReturn),
		hook.On(newShaper(cal).wireReply),
	}
}

// read builds the lookup tables of cal.
func read(cal *twin.Calibration) *twinOf {
	contract, evidence := fixtures.Load(), fixtures.LoadEvidence()
	t := &twinOf{cal: cal, contract: contract, situations: map[string]twin.Answer{}, formats: map[string]twin.Answer{},
		codes: map[string]string{}, results: map[resultKey][]string{}, descriptions: map[string]string{},
		notConfigured: map[string]string{}, ownNotConfigured: contract.Code(fixtures.CodeBrandNotConfigured)}
	ambiguous := map[string]bool{}
	for _, a := range cal.Answers {
		t.describe(a.Code, a.Description)
		c, ok := evidence.Claim(a.Claim)
		switch {
		case !ok:
		case len(c.Situations) > 0:
			for _, s := range c.Situations {
				t.situations[s] = a
			}
		case a.Param != "":
			t.formats[a.Param] = a
		case !a.Accepted && len(c.Codes) == 1:
			// The sandbox's code for the claim's case becomes the account's, unless two
			// claims answered alike by the sandbox were answered apart by the account.
			own := contract.Code(c.Codes[0])
			if prev, seen := t.codes[own]; seen && prev != a.Code {
				ambiguous[own] = true
			}
			t.codes[own] = a.Code
		}
	}
	for own := range ambiguous {
		delete(t.codes, own)
	}
	for _, r := range cal.Account.NotConfigured {
		t.notConfigured[r.Brand] = r.Code
	}
	for _, r := range cal.Results {
		k := resultKey{r.Brand, r.PaymentType, r.Outcome}
		t.results[k] = append(t.results[k], r.Code)
		t.describe(r.Code, r.Description)
	}
	return t
}

func (t *twinOf) describe(code, description string) {
	if code != "" && description != "" {
		t.descriptions[code] = description
	}
}

// authRefusal answers a refused credential as the account answered the situation.
func (t *twinOf) authRefusal(a *hook.AuthRefusal) {
	situation := fixtures.AuthUnknownToken
	switch {
	case a.NoCredentials:
		situation = fixtures.AuthNoCredentials
	case a.Entity != "":
		situation = fixtures.AuthForeignEntity
	case len(a.ParamErrors) > 0:
		return // a legacy login, which no claim names
	}
	ans, ok := t.situations[situation]
	if !ok {
		return
	}
	a.Status, a.Code, a.ParamErrors = ans.HTTPStatus, ans.Code, paramErrors(ans)
}

// initialFormat answers a format error about a parameter as the account answered it:
// accepted (the error goes), or with its parameter errors instead of the sandbox's.
func (t *twinOf) initialFormat(f *hook.InitialFormat) {
	var add []hook.ParamError
	f.Errs = slices.DeleteFunc(f.Errs, func(e hook.ParamError) bool {
		ans, ok := t.formats[e.Name]
		if !ok || (!ans.Accepted && len(ans.ParameterErrors) == 0) {
			return false
		}
		add = append(add, paramErrors(ans)...)
		return true
	})
	for _, e := range add {
		if !slices.ContainsFunc(f.Errs, func(o hook.ParamError) bool { return o.Name == e.Name }) {
			f.Errs = append(f.Errs, e)
		}
	}
}

func paramErrors(a twin.Answer) []hook.ParamError {
	var out []hook.ParamError
	for _, pe := range a.ParameterErrors {
		out = append(out, hook.ParamError{Name: pe.Name, Message: pe.Message})
	}
	return out
}

// backofficeRule answers a backoffice refusal with the account's code for its rule.
func (t *twinOf) backofficeRule(b *hook.BackofficeRule) {
	if ans, ok := t.situations[fixtures.BackofficeSituation(b.Operation, b.Rule)]; ok && b.Refused && !ans.Accepted {
		b.Code = ans.Code
	}
}

// paymentReply answers a payment with the account's code: for a brand it has not
// configured, its code for a claim's case, or the one code it answered for the brand,
// payment type and outcome (a success or a wait); and shapes a redirect as the account's for the brand.
func (t *twinOf) paymentReply(r *hook.PaymentReply) {
	outcome := t.contract.OutcomeOf(r.Code)
	if code, ok := t.notConfigured[r.Payment.Brand]; ok && r.Code == t.ownNotConfigured {
		r.Code = code
	} else if code, ok := t.codes[r.Code]; ok {
		r.Code = code
	} else if outcome == fixtures.Success || outcome == fixtures.Pending {
		codes := t.results[resultKey{r.Payment.Brand, r.Payment.Type, outcome}]
		if len(codes) == 1 && t.contract.OutcomeOf(codes[0]) == outcome {
			r.Code = codes[0]
		}
	}
	if red, ok := t.cal.Redirects[r.Payment.Brand]; ok {
		r.Doc = r.Doc.Edit("redirect", func(d wire.Document) wire.Document { return redirectAs(red, d) })
	}
}

// redirectAs gives a redirect the account's method and parameter encoding. Parameter
// names stay the sandbox's: its pages need them.
func redirectAs(red twin.Redirect, d wire.Document) wire.Document {
	switch {
	case red.Method == twin.MethodAbsent:
		d = d.Without("method")
	case d.Index("method") >= 0:
		d = d.Set("method", red.Method)
	default:
		d = d.InsertAfter("url", "method", red.Method)
	}
	if red.Encoding == twin.EncodingObject {
		d = wire.ParametersAsObject(d)
	}
	return d
}

// resultBlock describes a code as the account did.
func (t *twinOf) resultBlock(b *hook.ResultBlock) {
	if d, ok := t.descriptions[b.Code]; ok {
		b.Description = d
	}
}

// shopperReturn keeps only the parameters the account added to the shopperResultUrl
// for the brand.
func (t *twinOf) shopperReturn(r *hook.ShopperReturn) {
	names, ok := t.cal.Returns[r.Brand]
	if !ok {
		return
	}
	for name := range r.Query {
		if !slices.Contains(names, name) {
			r.Query.Del(name)
		}
	}
}

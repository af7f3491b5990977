package reports

import (
	"cmp"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"slices"

	"github.com/oppwa-conformance/oppwa-conformance/drivers/oppwa"
	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	"github.com/oppwa-conformance/oppwa-conformance/twin"
)

// calibrationOf is what a run against a real target saw of the account, for its
// twin (twin.json). It reads codes, names and shapes from the transcripts and the
// specs' answers, never a value that identifies anyone.
func calibrationOf(c Certification, details []specDetail, fp Fingerprint) twin.Calibration {
	declared, _ := c.Meta.DeclaredNames()
	cal := twin.Calibration{
		Format: twin.Format, Version: twin.Version,
		Target:  calibrationTarget(c.Meta),
		Run:     twin.Run{ID: c.Meta.RunID, Date: c.Started},
		Account: twin.Account{Brands: nonNil(c.Meta.Brands), Capabilities: nonNil(declared)},
		Results: []twin.Result{}, Answers: []twin.Answer{}, Errors: []twin.Refusal{},
		Fields: map[string][]twin.Field{}, Redirects: map[string]twin.Redirect{}, Returns: map[string][]string{},
		BuildNumbers: fp.BuildNumbers, Headers: []string{},
	}
	seen := newCalibrationSets()
	for i, s := range c.Specs {
		for _, x := range details[i].Exchanges {
			seen.exchange(&cal, x)
		}
		for _, a := range details[i].Answers {
			if !slices.ContainsFunc(cal.Answers, func(b twin.Answer) bool { return b.Claim == a.Claim && b.Param == a.Param }) {
				cal.Answers = append(cal.Answers, a)
			}
		}
		if _, ok := cal.Returns[s.Brand]; !ok && s.Brand != "" && len(details[i].Returns) > 0 {
			cal.Returns[s.Brand] = details[i].Returns[0]
		}
	}
	seen.finish(&cal)
	return cal
}

// addDiscovery adds to cal the brands make discover found not configured on the same
// target (dir's discovery.json), unless the run declared them; an unreadable file or
// one of another target adds nothing.
func addDiscovery(cal *twin.Calibration, dir string) {
	b, err := os.ReadFile(filepath.Join(dir, twin.DiscoveryFile))
	var d twin.Discovery
	if err != nil || json.Unmarshal(b, &d) != nil || (FPTarget{BaseURL: d.BaseURL}).key() != (FPTarget{BaseURL: cal.Target.BaseURL}).key() {
		return
	}
	for _, r := range d.NotConfigured {
		known := slices.ContainsFunc(cal.Account.NotConfigured, func(o twin.BrandRefusal) bool { return o.Brand == r.Brand })
		if !known && !slices.Contains(cal.Account.Brands, r.Brand) {
			cal.Account.NotConfigured = append(cal.Account.NotConfigured, r)
		}
	}
}

// calibrationTarget is the run's target as a calibration names it: the base URL
// without user, query or fragment.
func calibrationTarget(m Meta) twin.Target {
	t := twin.Target{BaseURL: m.BaseURL, Host: m.Target, Embedded: m.Embedded}
	if u, err := url.Parse(m.BaseURL); err == nil {
		u.User, u.RawQuery, u.Fragment = nil, "", ""
		t.BaseURL, t.Host = u.String(), u.Host
	}
	return t
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// calibrationSets gathers what a calibration keeps once, across exchanges.
type calibrationSets struct {
	results map[twin.Result]int
	fields  map[string]map[string]map[string]bool // kind -> path -> value kinds
	headers map[string]bool
}

func newCalibrationSets() *calibrationSets {
	return &calibrationSets{results: map[twin.Result]int{}, fields: map[string]map[string]map[string]bool{}, headers: map[string]bool{}}
}

// exchange reads one API exchange into the calibration and the sets.
func (cs *calibrationSets) exchange(cal *twin.Calibration, x oppwa.Exchange) {
	kind := twin.ReplyKind(x.Method, x.URL, x.Status)
	var reply map[string]any
	if kind == "" || json.Unmarshal([]byte(x.ResponseBody), &reply) != nil {
		return
	}
	for _, h := range x.ResponseHeaders {
		cs.headers[h] = true
	}
	if cs.fields[kind] == nil {
		cs.fields[kind] = map[string]map[string]bool{}
	}
	valueKinds("", reply, cs.fields[kind])
	var typed struct {
		Result oppwa.Result `json:"result"`
	}
	_ = json.Unmarshal([]byte(x.ResponseBody), &typed)
	res := typed.Result
	if kind == twin.ReplyError {
		cal.Errors = addRefusal(cal.Errors, x, res)
	}
	form, _ := url.ParseQuery(x.RequestBody)
	brand, ptype := form.Get("paymentBrand"), form.Get("paymentType")
	if twin.RouteKind(x.Method, x.URL) != twin.ReplyPayment || brand == "" || res.Code == "" {
		return
	}
	if notConfiguredCode(res.Code) && !slices.Contains(cal.Account.Brands, brand) {
		if !slices.ContainsFunc(cal.Account.NotConfigured, func(r twin.BrandRefusal) bool { return r.Brand == brand }) {
			cal.Account.NotConfigured = append(cal.Account.NotConfigured, twin.BrandRefusal{Brand: brand, Code: res.Code, HTTPStatus: x.Status})
		}
		return
	}
	if ptype != "" && form.Get("customParameters[forceResultCode]") == "" {
		cs.results[twin.Result{Brand: brand, PaymentType: ptype, Outcome: fixtures.Load().OutcomeOf(res.Code),
			Code: res.Code, Description: res.Description, HTTPStatus: x.Status}]++
	}
	if _, ok := cal.Redirects[brand]; !ok {
		if r, ok := redirectOf(x.ResponseBody); ok {
			cal.Redirects[brand] = r
		}
	}
}

// notConfiguredCode says whether code is of the documented group of configuration
// rejections: for a brand the run did not declare, the account lacks it.
func notConfiguredCode(code string) bool {
	return fixtures.Load().GroupName(code) == "rejectedConfigurationValidation"
}

// addRefusal adds an error reply's kind, status, code and parameter names once.
func addRefusal(rs []twin.Refusal, x oppwa.Exchange, res oppwa.Result) []twin.Refusal {
	r := twin.Refusal{Kind: twin.RouteKind(x.Method, x.URL), HTTPStatus: x.Status, Code: res.Code}
	for _, pe := range res.ParameterErrors {
		if !slices.Contains(r.Parameters, pe.Name) {
			r.Parameters = append(r.Parameters, pe.Name)
		}
	}
	slices.Sort(r.Parameters)
	for _, o := range rs {
		if o.Kind == r.Kind && o.HTTPStatus == r.HTTPStatus && o.Code == r.Code && slices.Equal(o.Parameters, r.Parameters) {
			return rs
		}
	}
	return append(rs, r)
}

// redirectOf is the shape of a payment reply's redirect: the fingerprint's
// (redirectShape) and the encoding of its parameters, which only the raw reply shows
// (the driver reads an array and an object alike). False without a redirect, or with
// one the driver cannot read.
func redirectOf(body string) (twin.Redirect, bool) {
	var typed struct {
		Redirect *oppwa.Redirect `json:"redirect"`
	}
	var raw struct {
		Redirect struct {
			Parameters json.RawMessage `json:"parameters"`
		} `json:"redirect"`
	}
	if json.Unmarshal([]byte(body), &typed) != nil || typed.Redirect == nil || json.Unmarshal([]byte(body), &raw) != nil {
		return twin.Redirect{}, false
	}
	shape := redirectShape(*typed.Redirect)
	r := twin.Redirect{Method: shape.Method, Parameters: shape.Parameters, Encoding: twin.EncodingArray, Preconditions: shape.Preconditions}
	if p := raw.Redirect.Parameters; len(p) > 0 && p[0] == '{' {
		r.Encoding = twin.EncodingObject
	}
	return r, true
}

// valueKinds adds, for every key under v, its dotted path (arrays as []) and the kind
// of value it holds.
func valueKinds(prefix string, v any, set map[string]map[string]bool) {
	walkFields(prefix, v, func(path string, value any) {
		if set[path] == nil {
			set[path] = map[string]bool{}
		}
		set[path][kindOf(value)] = true
	})
}

func kindOf(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	case nil:
		return "null"
	case []any:
		return "array"
	}
	return "object"
}

// finish moves the sets into the calibration, sorted.
func (cs *calibrationSets) finish(cal *twin.Calibration) {
	for r, n := range cs.results {
		r.Seen = n
		cal.Results = append(cal.Results, r)
	}
	slices.SortFunc(cal.Results, func(a, b twin.Result) int {
		return cmp.Or(cmp.Compare(a.Brand, b.Brand), cmp.Compare(a.PaymentType, b.PaymentType),
			cmp.Compare(a.Outcome, b.Outcome), cmp.Compare(a.Code, b.Code))
	})
	for kind, paths := range cs.fields {
		fs := make([]twin.Field, 0, len(paths))
		for _, p := range sortedKeys(paths) {
			fs = append(fs, twin.Field{Path: p, Kinds: sortedKeys(paths[p])})
		}
		cal.Fields[kind] = fs
	}
	cal.Headers = sortedKeys(cs.headers)
}

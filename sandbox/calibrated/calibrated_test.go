package calibrated

import (
	"net/http"
	"strings"
	"testing"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	"github.com/oppwa-conformance/oppwa-conformance/sandbox/hook"
	"github.com/oppwa-conformance/oppwa-conformance/sandbox/wire"
	"github.com/oppwa-conformance/oppwa-conformance/twin"
)

func calibration() *twin.Calibration {
	return &twin.Calibration{
		Account: twin.Account{Brands: []string{"VISA", "PAYPAL"}, NotConfigured: []twin.BrandRefusal{{Brand: "GIROPAY", Code: "500.100.201"}}},
		Answers: []twin.Answer{
			{Claim: "capture-beyond-authorized", Code: "700.100.300", Description: "invalid amount (probably too large)", HTTPStatus: 400},
			{Claim: "no-credentials", Code: "200.300.404", HTTPStatus: 400, ParameterErrors: []twin.ParamError{{Name: "authentication", Message: "may not be null"}}},
			{Claim: "missing-card-holder", Param: "card.holder", Accepted: true, Code: "000.100.110"},
			{Claim: "missing-card-number", Param: "card.number", Code: "200.300.404", ParameterErrors: []twin.ParamError{{Name: "paymentBrand", Message: "card properties must be set"}}},
		},
		Results: []twin.Result{
			{Brand: "VISA", PaymentType: "DB", Outcome: fixtures.Success, Code: "000.000.000", Description: "transaction succeeded"},
			{Brand: "VISA", PaymentType: "PA", Outcome: fixtures.Success, Code: "000.100.110"},
			{Brand: "VISA", PaymentType: "PA", Outcome: fixtures.Success, Code: "000.100.112"},
		},
		Redirects:    map[string]twin.Redirect{"PAYPAL": {Method: twin.MethodAbsent, Encoding: twin.EncodingObject}},
		Returns:      map[string][]string{"PAYPAL": {"resourcePath"}},
		Fields:       map[string][]twin.Field{twin.ReplyPayment: {{Path: "id"}, {Path: "result"}, {Path: "result.code"}, {Path: "redirect"}, {Path: "buildNumber"}}},
		BuildNumbers: []string{"b@1"},
	}
}

func TestHooksAnswerAsTheAccountWhereItWasObserved(t *testing.T) {
	hooks := Hooks(calibration())

	b := hook.BackofficeRule{Operation: "CP", Rule: "captures stay within the PA's amount", Refused: true, Code: "700.400.100"}
	hook.Fire(hooks, &b)
	other := hook.BackofficeRule{Operation: "RF", Rule: "refunds stay within the refunded payment's amount", Refused: true, Code: "700.400.100"}
	hook.Fire(hooks, &other)
	if b.Code != "700.100.300" || other.Code != "700.400.100" {
		t.Errorf("backoffice: observed rule answered %s, unobserved %s; want 700.100.300 and the sandbox's own", b.Code, other.Code)
	}

	a := hook.AuthRefusal{NoCredentials: true, Status: 401, Code: "800.900.300"}
	hook.Fire(hooks, &a)
	if a.Status != 400 || a.Code != "200.300.404" || len(a.ParamErrors) != 1 || a.ParamErrors[0].Name != "authentication" {
		t.Errorf("no credentials answered %+v", a)
	}

	f := hook.InitialFormat{Card: true, Errs: []hook.ParamError{{Name: "card.holder"}, {Name: "card.number"}, {Name: "card.cvv"}}}
	hook.Fire(hooks, &f)
	if names := errNames(f.Errs); names != "card.cvv,paymentBrand" {
		t.Errorf("format errors %s, want card.cvv,paymentBrand", names)
	}

	for _, tc := range []struct{ brand, ptype, code, want string }{
		{"VISA", "DB", "000.100.110", "000.000.000"}, // the one code seen
		{"VISA", "PA", "000.100.110", "000.100.110"}, // two seen: the sandbox's own
		{"MASTER", "DB", "000.100.110", "000.100.110"},
		{"GIROPAY", "DB", "600.200.500", "500.100.201"}, // not configured, as discovery found
		{"EPS", "DB", "600.200.500", "600.200.500"},
	} {
		r := hook.PaymentReply{Payment: hook.Payment{Brand: tc.brand, Type: tc.ptype}, Code: tc.code}
		hook.Fire(hooks, &r)
		if r.Code != tc.want {
			t.Errorf("%s %s answered %s, want %s", tc.brand, tc.ptype, r.Code, tc.want)
		}
	}

	r := hook.PaymentReply{Payment: hook.Payment{Brand: "PAYPAL", Type: "DB"}, Code: "000.200.000",
		Doc: wire.Document{{Key: "redirect", Value: wire.Document{{Key: "url", Value: "u"}, {Key: "method", Value: "POST"},
			{Key: "parameters", Value: []wire.Document{{{Key: "name", Value: "sessionToken"}, {Key: "value", Value: "s"}}}}}}}}
	hook.Fire(hooks, &r)
	if got, _ := r.Doc.MarshalJSON(); string(got) != `{"redirect":{"url":"u","parameters":{"sessionToken":"s"}}}` {
		t.Errorf("redirect %s", got)
	}
}

func errNames(es []hook.ParamError) string {
	var names []string
	for _, e := range es {
		names = append(names, e.Name)
	}
	return strings.Join(names, ",")
}

func TestShapeKeepsTheAccountsFieldsAndBuild(t *testing.T) {
	hooks := Hooks(calibration())
	for path, want := range map[string]string{
		"/v1/payments": `{"id":"x","result":{"code":"000.100.110"},"redirect":{"url":"u","extra":1},"buildNumber":"b@1"}`,
		// No status reply was observed: the sandbox's own fields, the account's build.
		"/v1/payments/x": `{"id":"x","referencedId":"y","result":{"code":"000.100.110","description":"d"},"redirect":{"url":"u","extra":1},"buildNumber":"b@1"}`,
	} {
		method := http.MethodPost
		if path != "/v1/payments" {
			method = http.MethodGet
		}
		r := hook.WireReply{Method: method, Path: path, Status: http.StatusOK, Doc: sandboxReply()}
		hook.Fire(hooks, &r)
		if got, _ := r.Doc.MarshalJSON(); string(got) != want {
			t.Errorf("%s %s\n got %s\nwant %s", method, path, got, want)
		}
	}
}

// sandboxReply is a reply as the sandbox builds it, every field the sandbox has.
func sandboxReply() wire.Document {
	return wire.Document{{Key: "id", Value: "x"}, {Key: "referencedId", Value: "y"},
		{Key: "result", Value: wire.Document{{Key: "code", Value: "000.100.110"}, {Key: "description", Value: "d"}}},
		{Key: "redirect", Value: wire.Document{{Key: "url", Value: "u"}, {Key: "extra", Value: 1}}},
		{Key: "buildNumber", Value: "own@2"}}
}

func TestShapeLeavesWhatAnswersNoAPIRequestAlone(t *testing.T) {
	hooks := Hooks(calibration())
	want, _ := sandboxReply().MarshalJSON()
	for _, r := range []hook.WireReply{
		{Method: http.MethodGet, Path: "/nowhere", Status: http.StatusNotFound}, // off the API
		{}, // no request: a reply written outside ServeHTTP
	} {
		r.Doc = sandboxReply()
		hook.Fire(hooks, &r)
		if got, _ := r.Doc.MarshalJSON(); string(got) != string(want) {
			t.Errorf("%s %q changed to %s", r.Method, r.Path, got)
		}
	}
	// The JSONReply point makes what a notification carries: no twin hook edits it.
	n := hook.JSONReply{Doc: sandboxReply()}
	hook.Fire(hooks, &n)
	if got, _ := n.Doc.MarshalJSON(); string(got) != string(want) {
		t.Errorf("a notification's payload changed to %s", got)
	}
}

func TestShapePrunesNestedListsWithoutTouchingTheStoredDocument(t *testing.T) {
	cal := calibration()
	cal.Fields[twin.ReplyError] = []twin.Field{{Path: "result"}, {Path: "result.parameterErrors"}, {Path: "result.parameterErrors[].name"}}
	stored := []wire.Document{{{Key: "name", Value: "card.cvv"}, {Key: "value", Value: nil}, {Key: "message", Value: "m"}}}
	r := hook.WireReply{Method: http.MethodPost, Path: "/v1/payments", Status: http.StatusBadRequest,
		Doc: wire.Document{{Key: "result", Value: wire.Document{{Key: "code", Value: "200.300.404"}, {Key: "parameterErrors", Value: stored}}},
			{Key: "ndc", Value: "n"}}}
	hook.Fire(Hooks(cal), &r)
	if got, _ := r.Doc.MarshalJSON(); string(got) != `{"result":{"parameterErrors":[{"name":"card.cvv"}]}}` {
		t.Errorf("error reply %s", got)
	}
	if len(stored[0]) != 3 {
		t.Errorf("the stored parameter error was changed: %v", stored[0])
	}
}

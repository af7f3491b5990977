package browser

import "testing"

func TestDraftPathPattern(t *testing.T) {
	cases := map[string][2]string{
		"/connectors/demo/checkout/3fd8c68c5331f5dc44e3c3b2a50ca5e4": {`/connectors/demo/checkout/[^/]+`, "bank-example-connectors-demo-checkout"},
		"/connectors/asyncresponse;jsessionid=AB12/x.y":              {`/connectors/[^/]+/x\.y`, "bank-example-connectors-x-y"},
		"/pay/20260101/step2": {`/pay/[^/]+/step2`, "bank-example-pay-step2"},
	}
	for path, want := range cases {
		if got := pathPattern(path); got != want[0] {
			t.Errorf("pathPattern(%s) = %s, want %s", path, got, want[0])
		}
		if got := slug("https://bank.example" + path); got != want[1] {
			t.Errorf("slug(%s) = %s, want %s", path, got, want[1])
		}
	}
}

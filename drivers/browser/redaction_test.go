package browser_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/drivers/browser"
	"github.com/oppwa-conformance/oppwa-conformance/drivers/oppwa"
)

// TestNavigationErrorSessionIsMasked: a navigation error names the URL the browser
// tried to leave, with its session; the redactor every failure message passes
// through (suites/framework.FailHandler) masks it, in the message and the journey.
// The runner's e2e test (TestShopperSessionsNeverReachTheReports) covers the page
// script, fallback and stall paths; a closed port is only reachable here.
func TestNavigationErrorSessionIsMasked(t *testing.T) {
	const secret = "5e55104a7d3b9c2e1f0a8b6c4d2e0f1a"
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	for _, method := range []string{"GET", "POST"} {
		ctx, s := newSession(t, br, 10*time.Second)
		r := oppwa.Redirect{URL: closed.URL + "/pay;jsessionid=" + strings.ToUpper(secret) + "?a=1&sessionToken=" + secret,
			Method: method, Parameters: oppwa.Params{{Name: "ndcid", Value: "n1"}}}
		j, err := s.Follow(ctx, r, shop.Prefix("never"), browser.Approve)
		if err == nil || !strings.Contains(err.Error(), "ERR_CONNECTION_REFUSED") {
			t.Fatalf("%s: want a navigation error, got %v", method, err)
		}
		texts := []string{err.Error()}
		for _, st := range j.Steps {
			texts = append(texts, st.Name, st.URL, st.Title, st.Note)
		}
		red := oppwa.NewRedactor()
		for _, txt := range texts {
			if got := red.Redact(txt); strings.Contains(strings.ToLower(got), secret) {
				t.Errorf("%s: session not masked: %s", method, got)
			}
		}
		if got := red.Redact(err.Error()); !strings.Contains(got, "jsessionid=****") || !strings.Contains(got, "sessionToken=****") {
			t.Errorf("%s: the message lost the session's names: %s", method, got)
		}
	}
}

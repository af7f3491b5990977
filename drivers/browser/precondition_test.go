package browser_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/drivers/browser"
)

// The platform's challenge page answers 400 unless the payment's 3-D Secure method
// call arrived first: Follow must execute the precondition before the redirect.
func TestFollowPreconditions(t *testing.T) {
	for _, m := range []string{"POST", "", "GET"} {
		t.Run("method="+m, func(t *testing.T) {
			ctx, s := newSession(t, br, 20*time.Second)
			p := newPayment("POST", "challenge").withMethod(m, "")
			j := mustFollow(t, ctx, s, p, browser.ChallengeApprove)
			checkJourney(t, j, "precondition", "acs", "shopperResultUrl")
			checkDecision(t, p, "challenge:Y")
			want := m
			if want == "" {
				want = "POST"
			}
			if got := plat.methodCall(p.ndc); got != want {
				t.Errorf("method call = %q, want %q", got, want)
			}
			st := j.Steps[0]
			if st.URL != p.r.Preconditions[0].URL || st.Title != "Hidden iframe post for 3D Secure 2.0" || st.Note != "" || st.Screenshot != nil {
				t.Errorf("precondition step = %+v", st)
			}
		})
	}
	t.Run("session reused", func(t *testing.T) {
		ctx, s := newSession(t, br, 20*time.Second)
		for range 2 {
			p := newPayment("GET", "checkout").withMethod("POST", "")
			checkJourney(t, mustFollow(t, ctx, s, p, browser.Approve), "precondition", "checkout", "shopperResultUrl")
			checkDecision(t, p, "approve")
		}
	})
}

// Without the precondition the same page refuses: the test platform really
// depends on it.
func TestFollowWithoutPreconditionRefused(t *testing.T) {
	ctx, s := newSession(t, br, 10*time.Second)
	p := newPayment("POST", "challenge").withMethod("POST", "")
	p.r.Preconditions = nil
	j, err := p.follow(ctx, s, browser.ChallengeApprove)
	checkFailure(t, ctx, j, err, []string{"redirect", "stuck"}, "HTTP 400", "never arrived")
}

// Undocumented origin and waitUntil values are executed the same way and noted.
func TestFollowPreconditionUndocumentedValues(t *testing.T) {
	ctx, s := newSession(t, br, 20*time.Second)
	p := newPayment("POST", "checkout").withMethod("POST", "")
	p.r.Preconditions[0].Origin, p.r.Preconditions[0].WaitUntil = "iframe#visible", ""
	j := mustFollow(t, ctx, s, p, browser.Approve)
	checkJourney(t, j, "precondition", "checkout", "shopperResultUrl")
	if n := j.Steps[0].Note; !strings.Contains(n, `origin "iframe#visible"`) || !strings.Contains(n, `waitUntil ""`) {
		t.Errorf("note = %q", n)
	}
}

// A precondition that does not load fails the flow before the redirect with a
// *browser.PreconditionError naming it.
func TestFollowPreconditionFails(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	slow := startBrowser(t, browser.Options{PreconditionTimeout: 500 * time.Millisecond, Prewarm: -1})
	cases := []struct {
		name, query string
		b           *browser.Browser
		url         string
		wants       []string
	}{
		{"http error", "&status=500", br, "", []string{"HTTP 500"}},
		{"not found", "&status=404", br, "", []string{"HTTP 404"}},
		{"network error", "", br, closed.URL + "/method", []string{"net::ERR_CONNECTION_REFUSED"}},
		{"timeout", "&hang=1", slow, "", []string{"no onload within 500ms"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, s := newSession(t, c.b, 10*time.Second)
			p := newPayment("POST", "challenge").withMethod("POST", c.query)
			if c.url != "" {
				p.r.Preconditions[0].URL = c.url
			}
			j, err := p.follow(ctx, s, browser.ChallengeApprove)
			checkFailure(t, ctx, j, err, []string{"precondition", "stuck"}, append(c.wants, p.r.Preconditions[0].URL, "precondition 1")...)
			var pe *browser.PreconditionError
			if !errors.As(err, &pe) || pe.URL != p.r.Preconditions[0].URL || pe.Index != 1 {
				t.Errorf("err = %#v, want a *browser.PreconditionError naming it", err)
			}
			if plat.decision(p.ndc) != "" {
				t.Errorf("the redirect was followed after a failed precondition")
			}
		})
	}
}

package browser_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/drivers/browser"
	"github.com/oppwa-conformance/oppwa-conformance/drivers/oppwa"
	"github.com/oppwa-conformance/oppwa-conformance/drivers/shopper"
)

var (
	br   *browser.Browser // shared by the tests that need no browser of their own
	shop *shopper.Receiver
	plat *platform
)

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var err error
	shop, err = shopper.Start(ctx, "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer shop.Close(context.Background())
	plat = newPlatform()
	defer plat.Close()

	br, err = browser.Start(ctx, options(browser.Options{StallTimeout: time.Second}))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Fprintln(os.Stderr, "browser:", br.Version(), br.ExecPath())
	code := m.Run()
	if err := br.Close(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return code
}

// options fills in the binary the tests run: CHROME_BIN, else what FindExec
// finds.
func options(o browser.Options) browser.Options {
	if o.ExecPath == "" && o.RemoteURL == "" {
		o.ExecPath = os.Getenv("CHROME_BIN")
	}
	return o
}

// startBrowser starts a browser of the test's own, closed when it ends.
func startBrowser(t testing.TB, o browser.Options) *browser.Browser {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := browser.Start(ctx, options(o))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := b.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return b
}

// newSession opens a session of b, closed when the test ends, and a context
// that bounds the test's flows.
func newSession(t testing.TB, b *browser.Browser, timeout time.Duration) (context.Context, *browser.Session) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	s, err := b.NewSession(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return ctx, s
}

// mustFollow follows p and fails the test, with the steps so far, if the flow
// does not reach the shop.
func mustFollow(t testing.TB, ctx context.Context, s *browser.Session, p payment, action browser.Action) *browser.Journey {
	t.Helper()
	j, err := p.follow(ctx, s, action)
	if err != nil {
		for _, st := range j.Steps {
			t.Logf("step %s %s %q", st.Name, st.URL, st.Title)
		}
		t.Fatal(err)
	}
	return j
}

func checkDecision(t testing.TB, p payment, want string) {
	t.Helper()
	if got := plat.decision(p.ndc); got != want {
		t.Errorf("platform decision = %q, want %q", got, want)
	}
}

var jpegMagic = []byte{0xFF, 0xD8, 0xFF}

// checkJourney checks the step names and that every step has a URL, a time
// and (unless the page submitted itself) a JPEG screenshot. A name ending in
// "?" marks an optional step: an auto-submitting page may be gone before
// the first look.
func checkJourney(t testing.TB, j *browser.Journey, names ...string) {
	t.Helper()
	if j == nil {
		t.Fatal("nil journey")
	}
	got := []string{}
	for _, s := range j.Steps {
		got = append(got, s.Name)
		// Pages that only pass the browser on (self-submitting, the shop's return) go
		// without a screenshot; every page where the shopper acts has one.
		passThrough := s.Name == "redirect" && strings.Contains(s.URL, "frictionless") || s.Name == browser.StepReturn || s.Name == browser.StepPrecondition
		if passThrough && s.Screenshot != nil && s.Name != "redirect" {
			t.Errorf("step %s: a pass-through page got a screenshot", s.Name)
		}
		if !(passThrough && s.Screenshot == nil) && !bytes.HasPrefix(s.Screenshot, jpegMagic) {
			t.Errorf("step %s (%s): screenshot is not a JPEG (%d bytes)", s.Name, s.URL, len(s.Screenshot))
		}
		if s.At.IsZero() || s.URL == "" {
			t.Errorf("step %s: missing URL or time: %+v", s.Name, s.URL)
		}
	}
	want := []string{}
	for _, n := range names {
		if opt, ok := strings.CutSuffix(n, "?"); ok {
			if len(got) > len(want) && got[len(want)] == opt {
				want = append(want, opt)
			}
			continue
		}
		want = append(want, n)
	}
	if !slices.Equal(got, want) {
		t.Errorf("steps = %v, want %v", got, want)
	}
}

// checkFlow runs one flow in a new session of b and checks the steps, the
// arrival at the shop and the decision the platform recorded.
func checkFlow(t *testing.T, b *browser.Browser, method, flow string, action browser.Action, decision string, steps ...string) {
	t.Helper()
	ctx, s := newSession(t, b, 20*time.Second)
	p := newPayment(method, flow)
	j := mustFollow(t, ctx, s, p, action)
	checkJourney(t, j, steps...)
	if !strings.HasPrefix(j.FinalURL, p.prefix()) {
		t.Errorf("final URL %s", j.FinalURL)
	}
	ret, err := shop.Await(ctx, p.ndc)
	if err != nil {
		t.Fatal(err)
	}
	if ret.ID != p.ndc || ret.ResourcePath != "/v1/payments/"+p.ndc || ret.Query.Get("shop") != "conformance" {
		t.Errorf("return = %+v", ret)
	}
	checkDecision(t, p, decision)
}

// checkFailure checks that a flow failed on its own (not because ctx ran
// out) with a one-line error naming every one of wants, and with steps.
func checkFailure(t *testing.T, ctx context.Context, j *browser.Journey, err error, steps []string, wants ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	t.Log(err)
	if ctx.Err() != nil {
		t.Errorf("failed only when ctx ran out")
	}
	for _, w := range wants {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error does not name %q", w)
		}
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error is not one line")
	}
	checkJourney(t, j, steps...)
}

func TestFollowMethods(t *testing.T) {
	for _, m := range []string{"POST", "GET", "", "post"} {
		t.Run("method="+m, func(t *testing.T) {
			checkFlow(t, br, m, "checkout", browser.Approve, "approve", "checkout", "shopperResultUrl")
		})
	}
}

func TestFollowActions(t *testing.T) {
	cases := []struct {
		flow     string
		action   browser.Action
		decision string
		steps    []string
	}{
		{"checkout", browser.Approve, "approve", []string{"checkout", "shopperResultUrl"}},
		{"checkout", browser.Cancel, "cancel", []string{"checkout", "shopperResultUrl"}},
		{"checkout", browser.Fail, "fail", []string{"checkout", "shopperResultUrl"}},
		{"challenge", browser.ChallengeApprove, "challenge:Y", []string{"acs", "shopperResultUrl"}},
		{"challenge", browser.ChallengeFail, "challenge:N", []string{"acs", "shopperResultUrl"}},
		{"challenge", browser.ChallengeError, "challenge:U", []string{"acs", "shopperResultUrl"}},
		{"frictionless", browser.Frictionless, "frictionless", []string{"redirect?", "shopperResultUrl"}},
		{"frictionless-challenge", browser.ChallengeApprove, "challenge:Y", []string{"redirect?", "acs", "shopperResultUrl"}},
		{"frictionless-challenge", browser.ChallengeFail, "challenge:N", []string{"redirect?", "acs", "shopperResultUrl"}},
	}
	for _, c := range cases {
		t.Run(c.flow+"/"+string(c.action), func(t *testing.T) {
			checkFlow(t, br, "POST", c.flow, c.action, c.decision, c.steps...)
		})
	}
}

// TestBinaries runs a flow in each installed candidate binary: the headless
// shell and the full browser take the same flags and act the same.
func TestBinaries(t *testing.T) {
	for _, c := range browser.Candidates {
		t.Run(c, func(t *testing.T) {
			path, err := exec.LookPath(c)
			if err != nil {
				t.Skipf("%s is not installed: %v", c, err)
			}
			b := startBrowser(t, browser.Options{ExecPath: c})
			if b.ExecPath() != path {
				t.Errorf("ExecPath() = %q, want %q", b.ExecPath(), path)
			}
			t.Log(b.Version())
			checkFlow(t, b, "POST", "frictionless-challenge", browser.ChallengeApprove, "challenge:Y", "redirect?", "acs", "shopperResultUrl")
		})
	}
}

func TestFollowNoForm(t *testing.T) {
	for _, a := range []browser.Action{browser.Approve, browser.Cancel} {
		t.Run(string(a), func(t *testing.T) {
			ctx, s := newSession(t, br, 10*time.Second)
			j, err := newPayment("POST", "noform").follow(ctx, s, a)
			checkFailure(t, ctx, j, err, []string{"redirect", "stuck"}, plat.URL+"/pay", "no page script matches it")
		})
	}
}

// A page with an HTTP error status fails at once, naming the status: here the
// merchant GETs a redirect that wants POST.
func TestFollowHTTPError(t *testing.T) {
	ctx, s := newSession(t, br, 10*time.Second)
	p := newPayment("POST", "checkout")
	p.r.Method = "GET"
	j, err := p.follow(ctx, s, browser.Approve)
	checkFailure(t, ctx, j, err, []string{"redirect", "stuck"}, "HTTP 405", "/pay?m=POST")
}

// A redirect to a closed port fails at once, on the browser's error page
// (page.js runs there too), naming the network's reason and the URL.
func TestFollowNavigationFailed(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	ctx, s := newSession(t, br, 10*time.Second)
	j, err := s.Follow(ctx, oppwa.Redirect{URL: closed.URL + "/pay"}, shop.Prefix("never"), browser.Approve)
	checkFailure(t, ctx, j, err, []string{"stuck"}, "navigation failed (net::ERR_CONNECTION_REFUSED) after "+closed.URL+"/pay")

	// A redirect URL the browser will not request fails at once, in one line.
	for _, u := range []string{"http://", "chrome://version"} {
		ctx, s := newSession(t, br, 10*time.Second)
		_, err := s.Follow(ctx, oppwa.Redirect{URL: u}, shop.Prefix("never"), browser.Approve)
		if err == nil || !strings.Contains(err.Error(), "open redirect POST "+u+": ") || strings.Contains(err.Error(), "\n") || ctx.Err() != nil {
			t.Errorf("redirect to %s: %q", u, err)
		}
	}
}

func TestFollowWrongAction(t *testing.T) {
	ctx, s := newSession(t, br, 10*time.Second)
	j, err := newPayment("POST", "challenge").follow(ctx, s, browser.Frictionless)
	checkFailure(t, ctx, j, err, []string{"acs", "stuck"}, `page script "3ds-challenge-form"`, "no steps for action frictionless")
}

func TestFollowDeadline(t *testing.T) {
	ctx, s := newSession(t, br, 10*time.Second)
	// A page that never finishes loading: the flow must end with ctx.
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html><body>loading"))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer hang.Close()
	fctx, fcancel := context.WithTimeout(ctx, 1500*time.Millisecond)
	defer fcancel()
	j, err := s.Follow(fctx, oppwa.Redirect{URL: hang.URL + "/slow"}, shop.Prefix("never"), browser.Approve)
	if err == nil {
		t.Fatal("no error")
	}
	t.Log(err)
	if ctx.Err() != nil {
		t.Errorf("Follow outlived its deadline and the test's")
	}
	if !strings.Contains(err.Error(), "deadline") {
		t.Errorf("error does not name the deadline: %v", err)
	}
	if len(j.Steps) == 0 || j.Steps[len(j.Steps)-1].Name != "stuck" {
		t.Errorf("no stuck step: %+v", j.Steps)
	}
	// The session survives a flow's deadline.
	mustFollow(t, ctx, s, newPayment("POST", "checkout"), browser.Approve)
}

func TestSessionReuse(t *testing.T) {
	ctx, s := newSession(t, br, 20*time.Second)
	for _, m := range []string{"POST", "GET", "POST"} {
		p := newPayment(m, "checkout")
		checkJourney(t, mustFollow(t, ctx, s, p, browser.Approve), "checkout", "shopperResultUrl")
		checkDecision(t, p, "approve")
	}
}

// TestParallelSessionsIsolated runs two flows in each of four parallel
// sessions: the first request of a session carries no cookie, the second
// flow's carries its own session's first cookie.
func TestParallelSessionsIsolated(t *testing.T) {
	for i := range 4 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			ctx, s := newSession(t, br, 30*time.Second)
			p1 := newPayment("POST", "checkout")
			mustFollow(t, ctx, s, p1, browser.Approve)
			if leak, ok := plat.leak(p1.ndc); ok {
				t.Errorf("first request of a fresh session carried cookie %q", leak)
			}
			p2 := newPayment("POST", "checkout")
			mustFollow(t, ctx, s, p2, browser.Approve)
			if leak, _ := plat.leak(p2.ndc); leak != p1.ndc {
				t.Errorf("second flow saw cookie %q, want the session's own first %q", leak, p1.ndc)
			}
			checkDecision(t, p1, "approve")
			checkDecision(t, p2, "approve")
		})
	}
}

func TestFindExec(t *testing.T) {
	p, err := browser.FindExec("")
	if err != nil {
		t.Fatal(err)
	}
	t.Log("found", p)

	notExec := filepath.Join(t.TempDir(), "chromium")
	if err := os.WriteFile(notExec, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, bin := range []string{"/nonexistent/chromium", notExec, "no-such-chromium"} {
		_, err := browser.FindExec(bin)
		want := "chromium not found: CHROME_BIN=" + bin + " is not an executable file: point CHROME_BIN at a Chromium binary, or unset it to use the installed one"
		if err == nil || err.Error() != want {
			t.Errorf("FindExec(%q) = %v, want %s", bin, err, want)
		}
	}

	saved := browser.Candidates
	defer func() { browser.Candidates = saved }()
	browser.Candidates = []string{"/nonexistent/chromium-headless-shell", "no-such-chromium"}
	_, err = browser.Start(context.Background(), browser.Options{})
	want := "chromium not found (tried /nonexistent/chromium-headless-shell, no-such-chromium): install Debian package chromium-headless-shell (apt-get install --no-install-recommends chromium-headless-shell) or set CHROME_BIN"
	if err == nil || err.Error() != want {
		t.Fatalf("Start without a binary: %v, want %s", err, want)
	}
}

// startRemoteChrome starts Chromium with a DevTools port and returns its
// websocket URL. Cleanup stops its whole process group and removes the
// profile.
func startRemoteChrome(t testing.TB) string {
	bin, err := browser.FindExec(os.Getenv("CHROME_BIN"))
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "remote-chrome-")
	if err != nil {
		t.Fatal(err)
	}
	// Chrome keeps its singleton socket folder in TMPDIR: give it a private
	// one inside dir, so that the cleanup removes it too.
	profile, tmp := dir+"/profile", dir+"/tmp"
	if err := os.Mkdir(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--headless", "--remote-debugging-port=0", "--no-sandbox",
		"--user-data-dir="+profile, "--disable-gpu", "--no-first-run", "--log-level=3", "about:blank")
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		_ = cmd.Wait()
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // stragglers of the group
		// Children can still be writing for a moment after the parent.
		deadline := time.Now().Add(5 * time.Second)
		for {
			err := os.RemoveAll(dir)
			if err == nil {
				return
			}
			if time.Now().After(deadline) {
				t.Errorf("remove profile: %v", err)
				return
			}
			time.Sleep(20 * time.Millisecond) // short poll on a condition
		}
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "DevTools listening on "); ok {
				found <- strings.TrimSpace(rest)
			}
		}
		close(found)
	}()
	select {
	case ws, ok := <-found:
		if !ok {
			t.Fatal("chromium exited without a DevTools URL")
		}
		return ws
	case <-time.After(15 * time.Second):
		t.Fatal("no DevTools URL from chromium within 15s")
	}
	return ""
}

func TestRemote(t *testing.T) {
	rb := startBrowser(t, browser.Options{RemoteURL: startRemoteChrome(t)})
	t.Log("remote:", rb.Version())
	if p := rb.ExecPath(); p != "" {
		t.Errorf("remote browser has ExecPath %q", p)
	}
	checkFlow(t, rb, "POST", "frictionless-challenge", browser.ChallengeApprove, "challenge:Y", "redirect?", "acs", "shopperResultUrl")
}

// BenchmarkFollow measures one checkout flow (NewSession, Follow,
// Session.Close) with the sessions the browser keeps ready (reset or
// pre-warmed tabs), with a new browser context per session, and with a new
// browser per flow. p50-ns/flow is the median flow.
func BenchmarkFollow(b *testing.B) {
	b.Run("pool", func(b *testing.B) {
		bb := startBrowser(b, browser.Options{})
		benchFlows(b, func() { benchFlow(b, bb) })
	})
	b.Run("fresh-context", func(b *testing.B) {
		bb := startBrowser(b, browser.FreshContexts(browser.Options{}))
		benchFlows(b, func() { benchFlow(b, bb) })
	})
	b.Run("new-browser", func(b *testing.B) {
		benchFlows(b, func() {
			bb, err := browser.Start(context.Background(), options(browser.Options{}))
			if err != nil {
				b.Fatal(err)
			}
			defer bb.Close(context.Background())
			benchFlow(b, bb)
		})
	})
}

// benchFlows measures flow, after three unmeasured runs: a browser's first
// pages are slower.
func benchFlows(b *testing.B, flow func()) {
	for range 3 {
		flow()
	}
	var ds []time.Duration
	for b.Loop() {
		t0 := time.Now()
		flow()
		ds = append(ds, time.Since(t0))
	}
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2].Nanoseconds()), "p50-ns/flow")
}

// benchFlow follows one checkout in a new session of bb.
func benchFlow(b *testing.B, bb *browser.Browser) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := bb.NewSession(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := newPayment("POST", "checkout").follow(ctx, s, browser.Approve); err != nil {
		b.Fatal(err)
	}
}

// TestFollowReturnWithAPage proves that a return URL answering with a page of
// its own (a merchant's real shop, not drivers/shopper's 204) ends the flow
// once that page has loaded.
func TestFollowReturnWithAPage(t *testing.T) {
	shopPage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<!doctype html><title>thank you</title><p>Thank you for your order.</p>")
	}))
	t.Cleanup(shopPage.Close)
	p := newPayment("POST", "checkout")
	prefix := shopPage.URL + "/return/" + p.ndc
	for i, ps := range p.r.Parameters {
		if ps.Name == "ret" {
			p.r.Parameters[i].Value = prefix + "?shop=own"
		}
	}
	ctx, s := newSession(t, br, 20*time.Second)
	j, err := s.Follow(ctx, p.r, prefix, browser.Approve)
	if err != nil {
		t.Fatal(err)
	}
	checkJourney(t, j, "checkout", "shopperResultUrl")
	if !strings.HasPrefix(j.FinalURL, prefix+"?") || !strings.Contains(j.FinalURL, "shop=own") {
		t.Errorf("final URL %s", j.FinalURL)
	}
}

// TestFollowPostThroughRedirects proves that the redirect's POST keeps its
// method and body through a 307 or 308 redirect, as a form's POST does.
func TestFollowPostThroughRedirects(t *testing.T) {
	for _, code := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		seen := make(chan string, 1)
		mux := http.NewServeMux()
		mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", "/pay")
			w.WriteHeader(code)
		})
		mux.HandleFunc("/pay", func(w http.ResponseWriter, r *http.Request) {
			_ = r.ParseForm()
			seen <- fmt.Sprintf("%s %s %s", r.Method, r.Header.Get("Content-Type"), r.PostForm.Get("n"))
			http.Redirect(w, r, r.PostForm.Get("ret"), http.StatusSeeOther)
		})
		site := httptest.NewServer(mux)
		key := fmt.Sprintf("%s-%d", t.Name(), code)
		ctx, s := newSession(t, br, 10*time.Second)
		r := oppwa.Redirect{URL: site.URL + "/moved", Parameters: oppwa.Params{{Name: "ret", Value: shop.URL(key)}, {Name: "n", Value: "a b"}}}
		if _, err := s.Follow(ctx, r, shop.Prefix(key), browser.Frictionless); err != nil {
			t.Errorf("%d: %v", code, err)
		} else if got, want := <-seen, "POST application/x-www-form-urlencoded a b"; got != want {
			t.Errorf("%d: the platform got %q, want %q", code, got, want)
		}
		site.Close()
	}
}

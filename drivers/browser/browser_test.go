package browser_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/drivers/browser"
	"github.com/oppwa-conformance/oppwa-conformance/drivers/shopper"
)

var (
	br   *browser.Browser
	shop *shopper.Receiver
	plat *platform
)

func execPath() string {
	if p := os.Getenv("CHROME_BIN"); p != "" {
		return p
	}
	return browser.DefaultExecPath
}

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

	br, err = browser.Start(ctx, browser.Options{ExecPath: execPath(), StallTimeout: time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Fprintln(os.Stderr, "browser:", br.Version())
	code := m.Run()
	t0 := time.Now()
	if err := br.Close(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Fprintln(os.Stderr, "browser closed in", time.Since(t0))
	return code
}

// platform is a miniature of the OPPWA pages: checkout, ACS challenge,
// frictionless auto-submit and a completion endpoint that 303-redirects to the
// shopperResultUrl with id and resourcePath.
type platform struct {
	*httptest.Server
	mu        sync.Mutex
	decisions map[string]string // ndc -> decision
	leaks     map[string]string // ndc -> cookie seen on the first request
	seq       atomic.Int64
}

func newPlatform() *platform {
	p := &platform{decisions: map[string]string{}, leaks: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/pay", p.pay)
	mux.HandleFunc("/acs", p.acs)
	mux.HandleFunc("/complete", p.complete)
	p.Server = httptest.NewServer(mux)
	return p
}

func (p *platform) newNDC() string {
	return fmt.Sprintf("8ac7a4a1%08d", p.seq.Add(1))
}

func (p *platform) decision(ndc string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.decisions[ndc]
}

var pages = template.Must(template.New("").Parse(`
{{define "checkout"}}<!doctype html><html><head><title>Checkout {{.NDC}}</title></head><body>
<h1>Pay {{.Amount}} EUR</h1>
<form id="checkout" method="post" action="/complete">
<input type="hidden" name="ndc" value="{{.NDC}}"><input type="hidden" name="ret" value="{{.Ret}}">
<button type="submit" id="approve" name="decision" value="approve">Approve</button>
<button type="submit" id="cancel" name="decision" value="cancel">Cancel</button>
<button type="submit" id="fail" name="decision" value="fail">Fail</button>
</form></body></html>{{end}}
{{define "challenge"}}<!doctype html><html><head><title>ACS {{.NDC}}</title></head><body>
<h1>3-D Secure challenge</h1>
<form name="challengeForm" method="post" action="/complete">
<input type="hidden" name="ndc" value="{{.NDC}}"><input type="hidden" name="ret" value="{{.Ret}}">
<select id="outcomeSelect" name="outcome"><option value="Y">Approve</option><option value="N">Fail</option><option value="U">Technical error</option></select>
<button type="submit">Submit</button>
</form></body></html>{{end}}
{{define "frictionless"}}<!doctype html><html><head><title>3DS method</title></head>
<body onload="document.forms[0].submit()"><p>Processing...</p>
<form method="post" action="{{.Next}}">
<input type="hidden" name="ndc" value="{{.NDC}}"><input type="hidden" name="ret" value="{{.Ret}}">
<input type="hidden" name="decision" value="frictionless"></form></body></html>{{end}}
{{define "noform"}}<!doctype html><html><head><title>Demo</title></head><body><p>Nothing to do here.</p></body></html>{{end}}
`))

type pageData struct{ NDC, Ret, Amount, Next string }

// pay is the redirect target. The query parameter "m" says which method the
// merchant must use; "flow" which page to show. Parameters: ndc, ret, amount.
func (p *platform) pay(w http.ResponseWriter, r *http.Request) {
	want := r.URL.Query().Get("m")
	if r.Method != want {
		http.Error(w, "method "+r.Method+" not allowed, want "+want, http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	var vals url.Values
	if want == http.MethodGet {
		vals = r.URL.Query()
		if vals.Get("own") != "kept" {
			http.Error(w, "redirect URL's own query lost", 400)
			return
		}
	} else {
		vals = r.PostForm
	}
	d := pageData{NDC: vals.Get("ndc"), Ret: vals.Get("ret"), Amount: vals.Get("amount"), Next: "/complete"}
	if d.NDC == "" || d.Ret == "" || d.Amount != "12.50" || vals.Get("tricky") != `a"b'<c>&d=e f` {
		http.Error(w, "missing or mangled parameters: "+vals.Encode(), 400)
		return
	}
	if c, err := r.Cookie("shop_session"); err == nil {
		p.mu.Lock()
		p.leaks[d.NDC] = c.Value
		p.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: "shop_session", Value: d.NDC, Path: "/"})
	flow := r.URL.Query().Get("flow")
	switch flow {
	case "checkout", "challenge", "noform":
	case "frictionless":
	case "frictionless-challenge":
		d.Next = "/acs"
		flow = "frictionless"
	default:
		http.Error(w, "unknown flow", 400)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pages.ExecuteTemplate(w, flow, d)
}

func (p *platform) acs(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	_ = r.ParseForm()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pages.ExecuteTemplate(w, "challenge", pageData{NDC: r.PostForm.Get("ndc"), Ret: r.PostForm.Get("ret")})
}

func (p *platform) complete(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	_ = r.ParseForm()
	ndc, ret := r.PostForm.Get("ndc"), r.PostForm.Get("ret")
	dec := r.PostForm.Get("decision")
	if o := r.PostForm.Get("outcome"); o != "" {
		dec = "challenge:" + o
	}
	if c, err := r.Cookie("shop_session"); err != nil || c.Value != ndc {
		dec += "!cookie"
	}
	p.mu.Lock()
	p.decisions[ndc] = dec
	p.mu.Unlock()
	u, err := url.Parse(ret)
	if err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	q := u.Query()
	q.Set("id", ndc)
	q.Set("resourcePath", "/v1/payments/"+ndc)
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}

// redirect builds the redirect object the API would answer.
func redirect(method, flow, ndc, key string) browser.Redirect {
	ps := []browser.Param{
		{"ndc", ndc}, {"ret", shop.URL(key)}, {"amount", "12.50"}, {"tricky", `a"b'<c>&d=e f`},
	}
	m := strings.ToUpper(method)
	if m == "" {
		m = http.MethodPost
	}
	u := plat.URL + "/pay?m=" + m + "&flow=" + flow
	if m == http.MethodGet {
		u += "&own=kept"
	}
	return browser.Redirect{URL: u, Method: method, Parameters: ps}
}

var jpegMagic = []byte{0xFF, 0xD8, 0xFF}

func checkJourney(t *testing.T, j *browser.Journey, names ...string) {
	t.Helper()
	if j == nil {
		t.Fatal("nil journey")
	}
	got := []string{}
	for _, s := range j.Steps {
		got = append(got, s.Name)
		if s.Screenshot == nil && s.Name == "redirect" && strings.Contains(s.URL, "frictionless") {
			// A self-submitting page gets no screenshot.
		} else if !bytes.HasPrefix(s.Screenshot, jpegMagic) {
			t.Errorf("step %s (%s): screenshot is not a JPEG (%d bytes)", s.Name, s.URL, len(s.Screenshot))
		}
		if s.At.IsZero() || s.URL == "" {
			t.Errorf("step %s: missing URL or time: %+v", s.Name, s.URL)
		}
	}
	// An auto-submitting page may be gone before the first look, so its
	// "redirect" step is optional when the wanted list marks it "redirect?".
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
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("steps = %v, want %v", got, want)
	}
}

// follow runs one flow in a fresh session and checks the arrival at the shop.
func follow(t *testing.T, method, flow string, action browser.Action, wantDecision string, steps ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := br.NewSession(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ndc, key := plat.newNDC(), t.Name()
	j, err := s.Follow(ctx, redirect(method, flow, ndc, key), shop.Prefix(key), action)
	if err != nil {
		for _, st := range j.Steps {
			t.Logf("step %s %s %q", st.Name, st.URL, st.Title)
		}
		t.Fatal(err)
	}
	checkJourney(t, j, steps...)
	if !strings.HasPrefix(j.FinalURL, shop.Prefix(key)) {
		t.Errorf("final URL %s", j.FinalURL)
	}
	ret, err := shop.Await(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if ret.ID != ndc || ret.ResourcePath != "/v1/payments/"+ndc || ret.Query.Get("shop") != "conformance" {
		t.Errorf("return = %+v", ret)
	}
	if got := plat.decision(ndc); got != wantDecision {
		t.Errorf("platform decision = %q, want %q", got, wantDecision)
	}
}

func TestFollowMethods(t *testing.T) {
	for _, m := range []string{"POST", "GET", "", "post"} {
		t.Run("method="+m, func(t *testing.T) {
			follow(t, m, "checkout", browser.Approve, "approve", "checkout", "shopperResultUrl")
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
			follow(t, "POST", c.flow, c.action, c.decision, c.steps...)
		})
	}
}

func TestFollowNoForm(t *testing.T) {
	for _, a := range []browser.Action{browser.Approve, browser.Cancel} {
		t.Run(string(a), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			s, err := br.NewSession(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			key := t.Name()
			t0 := time.Now()
			j, err := s.Follow(ctx, redirect("POST", "noform", plat.newNDC(), key), shop.Prefix(key), a)
			el := time.Since(t0)
			if err == nil {
				t.Fatal("no error")
			}
			t.Logf("after %v: %v", el, err)
			if ctx.Err() != nil {
				t.Errorf("error only after ctx expired")
			}
			if !strings.Contains(err.Error(), plat.URL+"/pay") || !strings.Contains(err.Error(), "neither") || strings.Contains(err.Error(), "\n") {
				t.Errorf("unclear error: %v", err)
			}
			checkJourney(t, j, "redirect", "stuck")
		})
	}
}

// A page with an HTTP error status fails at once, naming the status: here the
// merchant GETs a redirect that wants POST.
func TestFollowHTTPError(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := br.NewSession(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	key := t.Name()
	r := redirect("POST", "checkout", plat.newNDC(), key)
	r.Method = "GET"
	t0 := time.Now()
	j, err := s.Follow(ctx, r, shop.Prefix(key), browser.Approve)
	if err == nil || !strings.Contains(err.Error(), "HTTP 405") || !strings.Contains(err.Error(), "/pay?m=POST") {
		t.Fatalf("err = %v", err)
	}
	if el := time.Since(t0); el > 900*time.Millisecond {
		t.Errorf("took %v, want a fast failure", el)
	}
	t.Log(err)
	checkJourney(t, j, "redirect", "stuck")
}

func TestFollowWrongAction(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := br.NewSession(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	key := t.Name()
	j, err := s.Follow(ctx, redirect("POST", "challenge", plat.newNDC(), key), shop.Prefix(key), browser.Frictionless)
	if err == nil || !strings.Contains(err.Error(), "challenge page") {
		t.Fatalf("err = %v", err)
	}
	checkJourney(t, j, "acs", "stuck")
}

func TestFollowDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := br.NewSession(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
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
	t0 := time.Now()
	j, err := s.Follow(fctx, browser.Redirect{URL: hang.URL + "/slow"}, shop.Prefix("never"), browser.Approve)
	if err == nil {
		t.Fatal("no error")
	}
	if el := time.Since(t0); el > 3*time.Second {
		t.Errorf("Follow returned %v after the deadline", el)
	}
	t.Log(err)
	if !strings.Contains(err.Error(), "deadline") {
		t.Errorf("error does not name the deadline: %v", err)
	}
	if len(j.Steps) == 0 || j.Steps[len(j.Steps)-1].Name != "stuck" {
		t.Errorf("no stuck step: %+v", j.Steps)
	}
	// The session survives a flow's deadline.
	key := t.Name()
	if _, err := s.Follow(ctx, redirect("POST", "checkout", plat.newNDC(), key), shop.Prefix(key), browser.Approve); err != nil {
		t.Fatalf("session unusable after deadline: %v", err)
	}
}

func TestSessionReuse(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := br.NewSession(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i, m := range []string{"POST", "GET", "POST"} {
		key := fmt.Sprintf("%s-%d", t.Name(), i)
		ndc := plat.newNDC()
		j, err := s.Follow(ctx, redirect(m, "checkout", ndc, key), shop.Prefix(key), browser.Approve)
		if err != nil {
			t.Fatal(i, err)
		}
		checkJourney(t, j, "checkout", "shopperResultUrl")
		if d := plat.decision(ndc); d != "approve" {
			t.Errorf("%d: decision %q", i, d)
		}
	}
}

func TestParallelSessionsIsolated(t *testing.T) {
	var ndcs sync.Map
	for i := range 4 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			s, err := br.NewSession(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			for r := range 2 {
				ndc, key := plat.newNDC(), fmt.Sprintf("%s-%d", t.Name(), r)
				ndcs.Store(ndc, r)
				if _, err := s.Follow(ctx, redirect("POST", "checkout", ndc, key), shop.Prefix(key), browser.Approve); err != nil {
					t.Fatal(err)
				}
				if d := plat.decision(ndc); d != "approve" {
					t.Errorf("decision %q (cookie of another session?)", d)
				}
				plat.mu.Lock()
				leak, leaked := plat.leaks[ndc]
				plat.mu.Unlock()
				if r == 0 && leaked {
					t.Errorf("first request of a fresh session carried cookie %q", leak)
				}
				if r == 1 {
					if own, _ := ndcs.Load(leak); !leaked || own != 0 {
						t.Errorf("second flow saw cookie %q, want the session's own first", leak)
					}
				}
			}
		})
	}
}

func TestMissingExecPath(t *testing.T) {
	_, err := browser.Start(context.Background(), browser.Options{ExecPath: "/nonexistent/chromium"})
	want := "chromium not found at /nonexistent/chromium: install Debian package chromium (apt-get install --no-install-recommends chromium) or set CHROME_BIN"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v", err)
	}
}

// startRemoteChrome starts Chromium with a DevTools port and returns its
// websocket URL. Cleanup stops its whole process group and removes the
// profile.
func startRemoteChrome(t testing.TB) string {
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
	cmd := exec.Command(execPath(), "--headless", "--remote-debugging-port=0", "--no-sandbox",
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
	ws := startRemoteChrome(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	rb, err := browser.Start(ctx, browser.Options{RemoteURL: ws})
	if err != nil {
		t.Fatal(err)
	}
	defer rb.Close(context.Background())
	t.Log("remote:", rb.Version())
	s, err := rb.NewSession(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ndc, key := plat.newNDC(), t.Name()
	j, err := s.Follow(ctx, redirect("POST", "frictionless-challenge", ndc, key), shop.Prefix(key), browser.ChallengeApprove)
	if err != nil {
		t.Fatal(err)
	}
	checkJourney(t, j, "redirect?", "acs", "shopperResultUrl")
	if d := plat.decision(ndc); d != "challenge:Y" {
		t.Errorf("decision %q", d)
	}
	if err := s.Close(); err != nil {
		t.Error(err)
	}
	if err := rb.Close(ctx); err != nil {
		t.Error(err)
	}
}

func benchFlow(b *testing.B, bb *browser.Browser, i int) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := bb.NewSession(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	key := fmt.Sprintf("%s-%d", b.Name(), i)
	if _, err := s.Follow(ctx, redirect("POST", "checkout", plat.newNDC(), key), shop.Prefix(key), browser.Approve); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkFollowFreshContext: one browser, a new incognito session per flow.
func BenchmarkFollowFreshContext(b *testing.B) {
	i := 0
	for b.Loop() {
		benchFlow(b, br, i)
		i++
	}
}

// BenchmarkFollowNewBrowser: a new browser per flow (the baseline).
func BenchmarkFollowNewBrowser(b *testing.B) {
	i := 0
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		nb, err := browser.Start(ctx, browser.Options{ExecPath: execPath()})
		if err != nil {
			b.Fatal(err)
		}
		benchFlow(b, nb, i)
		if err := nb.Close(ctx); err != nil {
			b.Fatal(err)
		}
		cancel()
		i++
	}
}

package browser_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/drivers/browser"
	"github.com/oppwa-conformance/oppwa-conformance/drivers/oppwa"
)

// stateSite sets and reads every kind of state a checkout page could leave in
// the browser. /set stores it and goes on to the return URL; /check reads it
// and brings it to the return URL as the query parameter "state".
func stateSite(t *testing.T) (*httptest.Server, *atomic.Int64) {
	var cached atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/cached.js", func(w http.ResponseWriter, r *http.Request) {
		cached.Add(1)
		w.Header().Set("Content-Type", "text/javascript")
		w.Header().Set("Cache-Control", "max-age=3600")
		fmt.Fprint(w, "window.cachedLoaded = true;")
	})
	page := func(script string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Cache-Control", "no-store")
			if r.URL.Path == "/set" {
				http.SetCookie(w, &http.Cookie{Name: "srv", Value: "leak", Path: "/", MaxAge: 3600})
			}
			fmt.Fprintf(w, `<!doctype html><html><head><title>state</title><script src="/cached.js"></script></head><body><p>state</p>
<script>const ret = new URLSearchParams(location.search).get('ret');
(async () => { %s })().then(s => { const u = new URL(ret); if (s) u.searchParams.set('state', s); location.replace(u.href); });</script></body></html>`, script)
		}
	}
	mux.HandleFunc("/set", page(`
		document.cookie = 'js=leak; max-age=3600; path=/';
		localStorage.setItem('k', 'leak');
		sessionStorage.setItem('k', 'leak');
		window.name = 'leak';
		await new Promise((ok, ko) => { const r = indexedDB.open('leakdb', 1);
			r.onupgradeneeded = () => r.result.createObjectStore('s');
			r.onsuccess = () => { r.result.close(); ok(); }; r.onerror = ko; });
		await caches.open('leakcache').then(c => c.put('/x', new Response('leak')));
		return '';`))
	mux.HandleFunc("/check", page(`
		const dbs = (await indexedDB.databases()).map(d => d.name).join(',');
		const cs = (await caches.keys()).join(',');
		return JSON.stringify({cookie: document.cookie, local: localStorage.getItem('k'), session: sessionStorage.getItem('k'),
			name: window.name, history: history.length, idb: dbs, caches: cs});`))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, &cached
}

// TestResetTabIsolated proves that a reset tab is as clean as a new one:
// cookies (HTTP and script), local and session storage, IndexedDB, Cache
// Storage, the HTTP cache, window.name and history.
func TestResetTabIsolated(t *testing.T) {
	// No pre-warmed tabs: the second session must get the first one's tab.
	b := startBrowser(t, browser.Options{Prewarm: -1})
	ctx, fresh := newSession(t, b, 60*time.Second)
	site, cached := stateSite(t)

	run := func(s *browser.Session, path, key string) string {
		t.Helper()
		r := oppwa.Redirect{URL: site.URL + path, Method: "GET", Parameters: oppwa.Params{{Name: "ret", Value: shop.URL(key)}}}
		j, err := s.Follow(ctx, r, shop.Prefix(key), browser.Frictionless)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		u, _ := url.Parse(j.FinalURL)
		return u.Query().Get("state")
	}

	// A fresh tab's view, the reference.
	want := run(fresh, "/check", t.Name()+"-fresh")
	freshID := browser.TabID(fresh)
	fresh.Close()
	t.Logf("fresh tab: %s", want)

	for i := range 3 {
		s, err := b.NewSession(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if id := browser.TabID(s); id != freshID {
			t.Fatalf("round %d: got tab %s, want the reset tab %s", i, id, freshID)
		}
		before := cached.Load()
		got := run(s, "/check", fmt.Sprintf("%s-check%d", t.Name(), i))
		if got != want {
			t.Errorf("round %d: reset tab sees %s, a fresh tab %s", i, got, want)
		}
		if cached.Load() != before+1 {
			t.Errorf("round %d: /cached.js came from the HTTP cache of an earlier session", i)
		}
		run(s, "/set", fmt.Sprintf("%s-set%d", t.Name(), i))
		s.Close()
	}
}

// TestResetTabPostsAsANewTab proves that a reset tab kept on the web page the
// last flow ended on (see tab.reset) sends the redirect's POST exactly as a new
// tab does, a navigation the browser starts: no Origin, no Referer,
// Sec-Fetch-Site none, the form's body; and that a precondition's iframe still
// loads (its script runs) in a blank page of its own, which submits the
// redirect's form (Origin null, Sec-Fetch-Site cross-site).
func TestResetTabPostsAsANewTab(t *testing.T) {
	b := startBrowser(t, browser.Options{Prewarm: -1})
	seen := make(chan string, 4)
	mux := http.NewServeMux()
	mux.HandleFunc("/pay", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		seen <- fmt.Sprintf("%s origin=%q referer=%q site=%q type=%q form=%q", r.Method, r.Header.Get("Origin"), r.Header.Get("Referer"),
			r.Header.Get("Sec-Fetch-Site"), r.Header.Get("Content-Type"), r.PostForm.Get("n"))
		http.Redirect(w, r, r.PostForm.Get("ret"), http.StatusSeeOther)
	})
	mux.HandleFunc("/method", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<!doctype html><title>method</title><script>fetch('/ran')</script>")
	})
	mux.HandleFunc("/ran", func(w http.ResponseWriter, r *http.Request) { seen <- "method script ran" })
	site := httptest.NewServer(mux)
	t.Cleanup(site.Close)

	follow := func(key string, pre oppwa.Preconditions) (kept bool, requests []string) {
		t.Helper()
		ctx, s := newSession(t, b, 20*time.Second)
		defer s.Close()
		kept = browser.Kept(s)
		r := oppwa.Redirect{URL: site.URL + "/pay", Method: "POST", Preconditions: pre,
			Parameters: oppwa.Params{{Name: "ret", Value: shop.URL(key)}, {Name: "n", Value: "a b&c=é"}}}
		if _, err := s.Follow(ctx, r, shop.Prefix(key), browser.Frictionless); err != nil {
			t.Fatal(err)
		}
		for range 1 + len(pre) {
			select {
			case got := <-seen:
				requests = append(requests, got)
			case <-time.After(5 * time.Second):
				t.Fatalf("%s: the site saw %v, want %d requests", key, requests, 1+len(pre))
			}
		}
		return kept, requests
	}
	_, want := follow(t.Name()+"-fresh", nil)
	if w := `POST origin="" referer="" site="none" type="application/x-www-form-urlencoded" form="a b&c=é"`; want[0] != w {
		t.Errorf("a new tab's POST %s, want %s", want[0], w)
	}
	// End a flow on the test platform's checkout (a web page with no script):
	// the reset keeps it, and the next POST leaves it.
	ctx, s := newSession(t, b, 20*time.Second)
	mustFollow(t, ctx, s, newPayment("POST", "checkout"), browser.Approve)
	s.Close()
	kept, got := follow(t.Name()+"-reset", nil)
	if !kept {
		t.Fatal("the reset tab did not keep the checkout page the last flow ended on")
	}
	if !slices.Equal(got, want) {
		t.Errorf("reset tab's POST %v, a new tab's %v", got, want)
	}
	pre := oppwa.Preconditions{{Origin: browser.OriginHiddenIframe, WaitUntil: browser.WaitIframeOnload,
		Method: "GET", URL: site.URL + "/method"}}
	_, got = follow(t.Name()+"-pre", pre)
	if !slices.Contains(got, "method script ran") {
		t.Errorf("the precondition's page did not load in the reset tab: %v", got)
	}
	// With preconditions, the blank page hosting their iframes submits the form.
	if w := `POST origin="null" referer="" site="cross-site" type="application/x-www-form-urlencoded" form="a b&c=é"`; !slices.Contains(got, w) {
		t.Errorf("the POST after preconditions: %v, want %s", got, w)
	}
}

// TestResetKeepsOnlyAPageThatCannotAct proves that a reset tab keeps the page
// the last flow ended on only when nothing on it can act: the test platform's
// checkout (a form, no script) is kept, a page with a script is left for
// about:blank.
func TestResetKeepsOnlyAPageThatCannotAct(t *testing.T) {
	b := startBrowser(t, browser.Options{Prewarm: -1})
	site, _ := stateSite(t)
	ctx, s := newSession(t, b, 30*time.Second)
	mustFollow(t, ctx, s, newPayment("POST", "checkout"), browser.Approve)
	s.Close()

	ctx, s = newSession(t, b, 30*time.Second)
	if !browser.Kept(s) {
		t.Error("the checkout page (no script) was not kept")
	}
	key := t.Name() + "-scripted"
	r := oppwa.Redirect{URL: site.URL + "/check", Method: "GET", Parameters: oppwa.Params{{Name: "ret", Value: shop.URL(key)}}}
	if _, err := s.Follow(ctx, r, shop.Prefix(key), browser.Frictionless); err != nil {
		t.Fatal(err)
	}
	s.Close()

	_, s = newSession(t, b, 30*time.Second)
	if browser.Kept(s) {
		t.Error("a page with a script was kept")
	}
}

// TestPostBodyIsAForms proves that the redirect's POST the browser starts
// (openPost) carries byte for byte the body a form in the page sends (the path
// a redirect with preconditions takes), for values a form encodes with care.
func TestPostBodyIsAForms(t *testing.T) {
	bodies := make(chan string, 4)
	mux := http.NewServeMux()
	mux.HandleFunc("/pay", func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		bodies <- string(raw)
		q, _ := url.ParseQuery(string(raw))
		http.Redirect(w, r, q.Get("ret"), http.StatusSeeOther)
	})
	mux.HandleFunc("/method", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<!doctype html><title>m</title>") })
	site := httptest.NewServer(mux)
	t.Cleanup(site.Close)
	params := oppwa.Params{{Name: "odd name+[1]", Value: "line1\nline2\r\nline3\r~*-._ a&b=c/é€😀%2F"}, {Name: "PaReq", Value: "eJzV+/a="}}
	follow := func(key string, pre oppwa.Preconditions) string {
		t.Helper()
		ctx, s := newSession(t, br, 10*time.Second)
		r := oppwa.Redirect{URL: site.URL + "/pay", Preconditions: pre, Parameters: append(oppwa.Params{{Name: "ret", Value: shop.URL(key)}}, params...)}
		if _, err := s.Follow(ctx, r, shop.Prefix(key), browser.Frictionless); err != nil {
			t.Fatal(err)
		}
		return <-bodies
	}
	// The same length of key for both: the bodies differ only in its last letter.
	started := follow(t.Name()+"-a", nil)
	form := follow(t.Name()+"-b", oppwa.Preconditions{{Origin: browser.OriginHiddenIframe, WaitUntil: browser.WaitIframeOnload, Method: "GET", URL: site.URL + "/method"}})
	if strings.Replace(started, "-a%3F", "-b%3F", 1) != form {
		t.Errorf("the POST the browser starts sends\n%s\na form sends\n%s", started, form)
	}
	if got := string(browser.FormBody(params)); !strings.HasSuffix(form, got) {
		t.Errorf("FormBody = %s, the form's body ends %s", got, form[strings.Index(form, "&")+1:])
	}
}

// TestStuckOnAKeptPageShowsNothingOfIt proves that a flow that fails before its
// first page committed, in a tab that kept the last session's page, reports
// that page neither by screenshot nor by address.
func TestStuckOnAKeptPageShowsNothingOfIt(t *testing.T) {
	b := startBrowser(t, browser.Options{Prewarm: -1})
	ctx, s := newSession(t, b, 30*time.Second)
	mustFollow(t, ctx, s, newPayment("POST", "checkout"), browser.Approve)
	s.Close()

	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(hang.Close)
	ctx, s = newSession(t, b, 1500*time.Millisecond)
	if !browser.Kept(s) {
		t.Fatal("the checkout page was not kept")
	}
	j, err := s.Follow(ctx, oppwa.Redirect{URL: hang.URL + "/pay"}, shop.Prefix("never"), browser.Approve)
	if err == nil || len(j.Steps) == 0 {
		t.Fatalf("err %v, steps %v", err, j.Steps)
	}
	last := j.Steps[len(j.Steps)-1]
	if last.Name != browser.StepStuck || last.Screenshot != nil || last.URL != hang.URL+"/pay" {
		t.Errorf("stuck step %s at %s with a %d-byte screenshot; want %s at %s/pay without one", last.Name, last.URL, len(last.Screenshot), browser.StepStuck, hang.URL)
	}
}

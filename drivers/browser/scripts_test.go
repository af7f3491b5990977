package browser_test

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/drivers/browser"
	"github.com/oppwa-conformance/oppwa-conformance/drivers/oppwa"
	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
)

// bankPages are test pages no built-in script knows, and pages shaped after the
// real platform's test banks (real-platform.md §2) that built-in scripts know. Each
// carries the shop's return URL (ret) along; /done checks what the page sent and
// sends the browser to ret.
var bankPages = template.Must(template.New("").Parse(`
{{define "unknown"}}<!doctype html><html><head><title>Mystery bank</title></head><body>
<p>Pay with Mystery bank</p><div style="padding:8px;border:1px solid" onclick="location.href={{.Done}}">Proceed ▸</div>
</body></html>{{end}}
{{define "required"}}<!doctype html><html><head><title>Details</title></head><body>
<form action="/done" method="get"><input type="hidden" name="ret" value="{{.Ret}}">
<input name="customerName1" required><input type="email" name="mail" required><input name="zip" pattern="[0-9]{5}" required>
<select name="bank" required><option value="">choose</option><option value="b1">Bank one</option></select>
<input type="checkbox" name="terms" value="yes" required>
<button type="button">Zurück</button><button type="submit">Weiter</button>
<input type="hidden" name="want" value="customerName1,mail,zip,bank,terms"></form></body></html>{{end}}
{{define "blocked"}}<!doctype html><html><head><title>Strict</title></head><body>
<form action="/done" method="get"><input type="hidden" name="ret" value="{{.Ret}}">
<input name="ref" pattern="[A-Z]{2}-[0-9]{3}-Q" required><button type="submit">Pay</button></form></body></html>{{end}}
{{define "giropay"}}<!doctype html><html><head><title>giropay test bank</title></head><body>
<form action="/done" method="post"><input type="hidden" name="ret" value="{{.Ret}}">
<input name="sc" required><input name="extensionSc" required><input name="customerName1" required>
<input type="hidden" name="want" value="sc=10,extensionSc=4000,customerName1">
<input type="submit" value="Absenden"></form></body></html>{{end}}
{{define "przelewy"}}<!doctype html><html><head><title>Przelewy24 test</title></head><body>
<form action="/przelewy2" method="post"><input type="hidden" name="ret" value="{{.Ret}}">
<label><input type="radio" name="bank" id="pf31" value="31" required> Test bank</label>
<button class="btn btn-lg btn-info btn-block">Dalej</button></form></body></html>{{end}}
{{define "przelewy2"}}<!doctype html><html><head><title>Przelewy24 test</title></head><body>
<form action="/done" method="post"><input type="hidden" name="ret" value="{{.Ret}}">
<input type="hidden" name="want" value="bank=31"><input type="hidden" name="bank" value="{{.Bank}}">
<button class="btn btn-success btn-lg accept-button">Zapłać</button></form></body></html>{{end}}
{{define "badpattern"}}<!doctype html><html><head><title>Loose</title></head><body>
<form action="/done" method="get"><input type="hidden" name="ret" value="{{.Ret}}">
<input name="ref" pattern="[0-9 -]+" required><button type="submit">Pay</button></form></body></html>{{end}}
{{define "spa"}}<!doctype html><html><head><title>One page bank</title></head><body>
<p>Step one</p><button type="button" onclick="document.body.innerHTML='<p>Step two</p><a href=&quot;{{.Done}}&quot;>Continue</a>'">Weiter</button>
</body></html>{{end}}
{{define "secret"}}<!doctype html><html><head><title>Secret bank</title></head><body>
<form action="/done" method="get"><input type="hidden" name="ret" value="{{.Ret}}">
<input name="iban" value="DE89370400440532013000" required><input type="password" name="pin" value="hunter22" required>
<div onclick="this.form.submit()">Proceed ▸</div></form></body></html>{{end}}
`))

// newBankServer serves bankPages: GET /{page}?ret=... shows page; /done checks the
// fields "want" names (name or name=value) and 303-redirects to ret.
func newBankServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		ret := r.Form.Get("ret")
		if r.URL.Path == "/done" {
			for _, f := range strings.Split(r.Form.Get("want"), ",") {
				name, val, exact := strings.Cut(f, "=")
				if f != "" && (r.Form.Get(name) == "" || exact && r.Form.Get(name) != val) {
					http.Error(w, "field "+name+" missing or wrong", 400)
					return
				}
			}
			http.Redirect(w, r, ret, http.StatusSeeOther)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		d := map[string]string{"Ret": ret, "Bank": r.Form.Get("bank"), "Done": "/done?ret=" + ret}
		if err := bankPages.ExecuteTemplate(w, strings.TrimPrefix(r.URL.Path, "/"), d); err != nil {
			http.Error(w, err.Error(), 404)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// followBank opens page of srv as a GET redirect with action, returning at the shop.
func followBank(t *testing.T, b *browser.Browser, srv *httptest.Server, page string, action browser.Action) (context.Context, *browser.Journey, error) {
	t.Helper()
	ctx, s := newSession(t, b, 20*time.Second)
	ndc := plat.newNDC()
	r := oppwa.Redirect{URL: srv.URL + "/" + page, Method: "GET", Parameters: oppwa.Params{{Name: "ret", Value: shop.URL(ndc)}}}
	j, err := s.Follow(ctx, r, shop.Prefix(ndc), action)
	return ctx, j, err
}

// stuckOn checks that err is an unknown-page *PageError and the journey describes
// the page with a draft script that parses.
func stuckOn(t *testing.T, ctx context.Context, j *browser.Journey, err error, wants ...string) *browser.PageError {
	t.Helper()
	checkFailure(t, ctx, j, err, []string{"redirect", "stuck"}, wants...)
	var pe *browser.PageError
	if !errors.As(err, &pe) || !pe.Unknown {
		t.Fatalf("error is not an unknown-page *PageError: %T %v", err, err)
	}
	if j.Stuck == nil {
		t.Fatal("the journey carries no inventory of the stuck page")
	}
	if _, perr := fixtures.ParsePageScripts([]byte(j.Stuck.Draft)); perr != nil {
		t.Errorf("draft script does not parse: %v\n%s", perr, j.Stuck.Draft)
	}
	return pe
}

// TestUnknownPageDraftScriptPasses is the proof that a stuck page explains itself:
// a page with no script and no control the fallback recognises fails within the
// stall timeout with an inventory and a draft script, and the draft, saved into
// the user's scripts directory, makes the same journey pass.
func TestUnknownPageDraftScriptPasses(t *testing.T) {
	srv := newBankServer(t)
	ctx, j, err := followBank(t, br, srv, "unknown", browser.Approve)
	stuckOn(t, ctx, j, err, "no page script matches it", "OPPWA_SHOPPER_PAGES")
	inv := j.Stuck
	if inv.Title != "Mystery bank" || !strings.HasPrefix(inv.URL, srv.URL+"/unknown") {
		t.Errorf("inventory names %q at %s", inv.Title, inv.URL)
	}
	found := false
	for _, c := range inv.Controls {
		found = found || c.Text == "Proceed ▸" && c.Selector != ""
	}
	if !found {
		t.Errorf("inventory controls lack Proceed ▸: %+v", inv.Controls)
	}
	t.Logf("draft:\n%s", inv.Draft)

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "mystery.json"), []byte(inv.Draft), 0o644); err != nil {
		t.Fatal(err)
	}
	b := startBrowser(t, browser.Options{StallTimeout: time.Second, ShopperPages: dir})
	_, j, err = followBank(t, b, srv, "unknown", browser.Approve)
	if err != nil {
		t.Fatalf("with the draft script: %v", err)
	}
	checkJourney(t, j, "bank", "shopperResultUrl")
}

// The fallback fills required fields (name, email, pattern, select, checkbox) and
// clicks "Weiter", not "Zurück".
func TestFallbackFillsRequiredFields(t *testing.T) {
	_, j, err := followBank(t, br, newBankServer(t), "required", browser.Approve)
	if err != nil {
		t.Fatal(err)
	}
	checkJourney(t, j, "redirect", "shopperResultUrl")
}

// A field the fallback cannot satisfy: the form's validation refuses the click,
// and the flow fails at once naming the field.
func TestFallbackValidationRefused(t *testing.T) {
	ctx, j, err := followBank(t, br, newBankServer(t), "blocked", browser.Approve)
	stuckOn(t, ctx, j, err, "validation refuses", "ref")
}

// A script's click that the page's validation blocks (a required field the script
// does not fill) is noticed as stalled within the stall timeout, not the flow's.
func TestScriptClickBlockedIsStalled(t *testing.T) {
	dir := t.TempDir()
	script := `{"scripts":[{"name":"giropay-test-bank","source":"test","step":"bank","match":{"selector":"input[name=\"sc\"]"},
	  "actions":{"approve":[{"fill":"input[name=\"sc\"]","value":"10"},{"click":"input[value=\"Absenden\"]"}]}}]}`
	if err := os.WriteFile(filepath.Join(dir, "giropay.json"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	b := startBrowser(t, browser.Options{StallTimeout: time.Second, ShopperPages: dir})
	ctx, j, err := followBank(t, b, newBankServer(t), "giropay", browser.Approve)
	checkFailure(t, ctx, j, err, []string{"bank", "stuck"}, `page script "giropay-test-bank"`, "did not act", "validation refuses extensionSc")
}

// Built-in scripts of real-platform.md §2: giropay's required fields, and
// przelewy's steps across two pages in one action.
func TestBuiltinBankScripts(t *testing.T) {
	for page, steps := range map[string][]string{"giropay": {"bank", "shopperResultUrl"}, "przelewy": {"bank", "shopperResultUrl"}} {
		t.Run(page, func(t *testing.T) {
			_, j, err := followBank(t, br, newBankServer(t), page, browser.Approve)
			if err != nil {
				t.Fatal(err)
			}
			checkJourney(t, j, steps...)
		})
	}
}

// A user script with a built-in one's name replaces it: here the sandbox checkout's
// approve clicks #fail.
func TestUserScriptOverridesBuiltin(t *testing.T) {
	dir := t.TempDir()
	script := `{"scripts":[{"name":"sandbox-checkout","source":"test","step":"mine","match":{"selector":"form#checkout"},"actions":{"approve":[{"click":"#fail"}]}}]}`
	if err := os.WriteFile(filepath.Join(dir, "override.json"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	b := startBrowser(t, browser.Options{StallTimeout: time.Second, ShopperPages: dir})
	ctx, s := newSession(t, b, 20*time.Second)
	p := newPayment("POST", "checkout")
	checkJourney(t, mustFollow(t, ctx, s, p, browser.Approve), "mine", "shopperResultUrl")
	checkDecision(t, p, "fail")
}

// A malformed user script stops Start with the file and field.
func TestUserScriptMalformed(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "x.json"), []byte(`{"scripts":[{"name":"x","step":"bank","match":{}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := browser.Start(context.Background(), options(browser.Options{ShopperPages: dir}))
	want := fmt.Sprintf("%s: scripts[0].match: needs url, selector or title", filepath.Join(dir, "x.json"))
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Start: %v, want %s", err, want)
	}
}

// A script that knows a page by sight only (no actions: its controls are not public,
// as the KLARNA page's) hands it to the fallback; a page the fallback cannot pass
// then fails with the script named, and the draft takes its name so that, saved,
// it replaces the script.
func TestSightOnlyScriptFallsBack(t *testing.T) {
	dir := t.TempDir()
	scripts := `{"scripts":[
 {"name":"details-page","source":"test","step":"bank","note":"controls not public","match":{"title":"^Details$"}},
 {"name":"mystery-bank","source":"test","step":"bank","note":"controls not public","match":{"title":"^Mystery bank$"}}]}`
	if err := os.WriteFile(filepath.Join(dir, "sight.json"), []byte(scripts), 0o644); err != nil {
		t.Fatal(err)
	}
	b := startBrowser(t, browser.Options{StallTimeout: time.Second, ShopperPages: dir})
	srv := newBankServer(t)
	if _, _, err := followBank(t, b, srv, "required", browser.Approve); err != nil {
		t.Fatalf("the fallback did not pass a page known by sight: %v", err)
	}
	ctx, j, err := followBank(t, b, srv, "unknown", browser.Approve)
	checkFailure(t, ctx, j, err, []string{"bank", "stuck"}, `page script "mystery-bank"`, "knows none of its controls")
	var pe *browser.PageError
	if !errors.As(err, &pe) || !pe.Unknown || pe.Script != "mystery-bank" {
		t.Fatalf("not an unknown-page *PageError naming the script: %T %v", err, err)
	}
	if j.Stuck == nil || !strings.Contains(j.Stuck.Draft, `"name": "mystery-bank"`) {
		t.Errorf("the draft does not take the script's name: %+v", j.Stuck)
	}
}

// The fallback passes a page whose pattern the browser itself rejects (as no
// pattern), and a page that changes its content on a click without navigating.
func TestFallbackBadPatternAndContentChange(t *testing.T) {
	srv := newBankServer(t)
	for _, page := range []string{"badpattern", "spa"} {
		if _, _, err := followBank(t, br, srv, page, browser.Approve); err != nil {
			t.Errorf("%s: %v", page, err)
		}
	}
}

// A script of waits alone on a page that never moves fails within the stall
// timeout, without matching the page again and again.
func TestWaitOnlyScriptStalls(t *testing.T) {
	dir := t.TempDir()
	script := `{"scripts":[{"name":"waits","source":"test","step":"bank","match":{"title":"^Mystery bank$"},"actions":{"approve":[{"waitFor":"body"},{"waitNavigation":true}]}}]}`
	if err := os.WriteFile(filepath.Join(dir, "w.json"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	b := startBrowser(t, browser.Options{StallTimeout: time.Second, ShopperPages: dir})
	ctx, j, err := followBank(t, b, newBankServer(t), "unknown", browser.Approve)
	checkFailure(t, ctx, j, err, []string{"bank", "stuck"}, `page script "waits"`, "did not leave the page")
}

// Neither the inventory nor the draft of a stuck page carries what its secret
// fields hold.
func TestStuckPageKeepsSecrets(t *testing.T) {
	ctx, j, err := followBank(t, br, newBankServer(t), "secret", browser.Approve)
	stuckOn(t, ctx, j, err, "OPPWA_SHOPPER_PAGES")
	inv := *j.Stuck
	inv.Draft = ""
	all := fmt.Sprintf("%+v", inv) + j.Stuck.Draft
	for _, v := range []string{"DE89370400440532013000", "hunter22"} {
		if strings.Contains(all, v) {
			t.Errorf("the stuck page's inventory or draft carries %q:\n%s", v, all)
		}
	}
}

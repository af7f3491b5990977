package sandbox

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/oppwa-conformance/oppwa-conformance/sandbox/modes"
)

// pageForm is the first form of a page, as a browser reads it.
type pageForm struct {
	name, action string
	values       url.Values
}

// Tags and attributes of the sandbox's own pages (well-formed, double-quoted
// attributes), read as a browser submits a form.
var (
	formRE   = regexp.MustCompile(`(?s)<form([^>]*)>(.*?)</form>`)
	fieldRE  = regexp.MustCompile(`(?s)<input([^>]*)>|<select([^>]*)>(.*?)</select>`)
	optionRE = regexp.MustCompile(`<option([^>]*)>`)
	attrRE   = regexp.MustCompile(`([a-zA-Z-]+)(?:="([^"]*)")?`)
)

func attrs(tag string) map[string]string {
	a := map[string]string{}
	for _, m := range attrRE.FindAllStringSubmatch(tag, -1) {
		a[m[1]] = html.UnescapeString(m[2])
	}
	return a
}

// readForm reads a page's first form: hidden fields keep their value, text fields
// take fill[name], radios and selects take fill[name] or their first non-empty option.
func readForm(t *testing.T, body string, fill map[string]string) pageForm {
	t.Helper()
	m := formRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no form on page: %.400s", body)
	}
	fa := attrs(m[1])
	f := pageForm{name: fa["name"], action: fa["action"], values: url.Values{}}
	for _, fm := range fieldRE.FindAllStringSubmatch(m[2], -1) {
		a := attrs(fm[1] + fm[2])
		name, first := a["name"], ""
		if v, ok := fill[name]; ok {
			f.values.Set(name, v)
			continue
		}
		switch {
		case a["type"] == "hidden" || a["type"] == "radio":
			first = a["value"]
		case fm[2] != "":
			for _, o := range optionRE.FindAllStringSubmatch(fm[3], -1) {
				if v := attrs(o[1])["value"]; v != "" && first == "" {
					first = v
				}
			}
		}
		if first != "" && f.values.Get(name) == "" {
			f.values.Set(name, first)
		}
	}
	return f
}

// walk is a shopper on the realistic pages: it makes the reply's method call (when
// call), opens redirect.url and submits each page's form until the sandbox sends the
// browser to the shop; it returns the redirect to the shop and the pages' HTML.
func (h *harness) walk(r reply, call bool, fill map[string]string) (reply, []string) {
	h.t.Helper()
	if pre := r.str("redirect.preconditions.0.url"); pre != "" && call {
		mp := h.page("POST", pre, url.Values{"threeDSMethodData": {r.str("redirect.preconditions.0.parameters.0.value")}})
		f := readForm(h.t, mp.raw, nil)
		if n := h.page("POST", f.action, f.values); f.name != "notificationForm" || n.status != 200 {
			h.t.Fatalf("method page %s -> notification %d: %s", mp.raw, n.status, n.raw)
		}
	}
	method := r.str("redirect.method")
	if method == "" {
		method = "POST"
	}
	pg := h.page(method, r.str("redirect.url"), r.redirectParams())
	var pages []string
	for range 12 {
		if pg.status == 303 {
			return pg, pages
		}
		if pg.status != 200 {
			h.t.Fatalf("page %d: %.400s", pg.status, pg.raw)
		}
		pages = append(pages, pg.raw)
		f := readForm(h.t, pg.raw, fill)
		pg = h.page("POST", h.base+f.action, f.values)
	}
	h.t.Fatal("no way back to the shop after 12 pages")
	return pg, pages
}

var giropayFill = map[string]string{"sc": "10", "extensionSc": "4000", "customerName1": "Jane Jones"}

// Each brand family's test bank, walked page by page, shows the controls real-platform.md
// §2 records, passes the asyncresponse hop and ends at the shop with the payment approved.
func TestRealisticBankWizards(t *testing.T) {
	h := start(t, Options{NoStatusRateLimit: true, Pages: PagesRealistic})
	for brand, want := range map[string][]string{
		"IDEAL":              {`<input type="submit" value="Confirm Transaction">`},
		"EPS":                {`class="button-body button-short" value="Next"`, `class="button-body button-middle"`},
		"SOFORTUEBERWEISUNG": {`<button type="submit" class="large button primary expand form-submitter">`},
		"GIROPAY":            {`name="sc" required`, `name="extensionSc" required`, `name="customerName1" required`, `<input type="submit" value="Absenden">`},
		"PRZELEWY":           {`id="pf31" name="bank" value="31" required`, `class="btn btn-lg btn-info btn-block"`, `class="btn btn-success btn-lg accept-button"`},
		"ALIPAY":             {`id="submit-success"`},
		"INTERAC_ONLINE":     {`value="Continue payment"`, `value="Confirm"`},
		"KLARNA_INVOICE":     {`<title>Klarna</title>`, `>Continue</button>`},
		"PAYPAL":             {`<select id="bank" name="bank" required><option value="" disabled selected>Choose your bank</option><option value="SIMULATOR">SIMULATOR</option></select>`},
	} {
		r := h.post("/v1/payments", asyncParams(brand)...)
		if !strings.Contains(r.str("redirect.url"), "/connectors/demo/testbank;jsessionid=") {
			t.Fatalf("%s: redirect %s", brand, r.raw)
		}
		back, pages := h.walk(r, false, giropayFill)
		id := r.str("id")
		checkReturn(t, back, id)
		if n := bankPages(brand); len(pages) != n+1 {
			t.Errorf("%s: %d pages, want %d and the hop", brand, len(pages), n)
		}
		all := strings.Join(pages, "\n")
		for _, w := range want {
			if !strings.Contains(all, w) {
				t.Errorf("%s: pages lack %s", brand, w)
			}
		}
		hop := "/connectors/asyncresponse;jsessionid=" + strings.ToUpper(id) + "?asyncsource=" + brand
		if !strings.Contains(pages[len(pages)-1], `onload="document.forms[0].submit()"`) || !strings.Contains(all, `action="`+hop) {
			t.Errorf("%s: no self-submitting hop through %s", brand, hop)
		}
		if got := h.status(id).code(); got != codeSuccess {
			t.Errorf("%s: final %s", brand, got)
		}
	}
}

// realisticPage posts form to a wizard page of payment p.
func (h *harness) realisticPage(p *payment, pathQuery string, form url.Values) reply {
	h.t.Helper()
	form.Set("ndcid", p.ndc)
	form.Set("sessionToken", p.session)
	path, query, _ := strings.Cut(pathQuery, "?")
	return h.page("POST", h.base+path+";jsessionid="+strings.ToUpper(p.id)+"?"+query, form)
}

// A page submitted out of order or without a required field gets an error page with a
// 4xx status, and the payment stays pending.
func TestRealisticBankRefusals(t *testing.T) {
	h := start(t, Options{NoStatusRateLimit: true, Pages: PagesRealistic})
	newPay := func(brand string) *payment {
		r := h.post("/v1/payments", asyncParams(brand)...)
		return byNDC(h, r.str("ndc"))
	}
	bank := func(brand string, n string) string { return testBankPath + "?asyncsource=" + brand + "&page=" + n }
	hop := func(brand string) string { return asyncResponsePath + "?asyncsource=" + brand }
	type step struct {
		at     string
		form   url.Values
		status int
	}
	for name, c := range map[string]struct {
		brand string
		steps []step
	}{
		"giropay without name": {"GIROPAY", []step{{bank("GIROPAY", "1"), url.Values{}, 200},
			{hop("GIROPAY"), url.Values{"sc": {"10"}, "extensionSc": {"4000"}}, 400}}},
		"przelewy without bank": {"PRZELEWY", []step{{bank("PRZELEWY", "1"), url.Values{}, 200},
			{bank("PRZELEWY", "2"), url.Values{}, 400}}},
		"przelewy other bank": {"PRZELEWY", []step{{bank("PRZELEWY", "1"), url.Values{}, 200},
			{bank("PRZELEWY", "2"), url.Values{"bank": {"25"}}, 400}}},
		"paypal without bank": {"PAYPAL", []step{{bank("PAYPAL", "1"), url.Values{}, 200}, {hop("PAYPAL"), url.Values{}, 400}}},
		"sofort page skipped": {"SOFORTUEBERWEISUNG", []step{{bank("SOFORTUEBERWEISUNG", "1"), url.Values{}, 200},
			{bank("SOFORTUEBERWEISUNG", "3"), url.Values{}, 409}}},
		"sofort hop early": {"SOFORTUEBERWEISUNG", []step{{bank("SOFORTUEBERWEISUNG", "1"), url.Values{}, 200},
			{bank("SOFORTUEBERWEISUNG", "2"), url.Values{}, 200}, {hop("SOFORTUEBERWEISUNG"), url.Values{}, 409}}},
		"eps page twice": {"EPS", []step{{bank("EPS", "1"), url.Values{}, 200}, {bank("EPS", "1"), url.Values{}, 409}}},
		"no such page":   {"IDEAL", []step{{bank("IDEAL", "2"), url.Values{}, 404}}},
		"forward first":  {"IDEAL", []step{{hop("IDEAL") + "&type=forward", url.Values{}, 409}}},
	} {
		p := newPay(c.brand)
		for i, s := range c.steps {
			if got := h.realisticPage(p, s.at, s.form); got.status != s.status {
				t.Errorf("%s: step %d %s: %d, want %d: %.300s", name, i, s.at, got.status, s.status, got.raw)
			}
		}
		if got := h.status(p.id).code(); got != codePending {
			t.Errorf("%s: final %s, want pending", name, got)
		}
	}
	p := newPay("IDEAL")
	if got := h.page("POST", h.base+testBankPath+";jsessionid="+strings.ToUpper(p.id)+"?asyncsource=IDEAL&page=1", url.Values{}); got.status != 400 {
		t.Errorf("no session: %d", got.status)
	}
}

var (
	methodRedirectRE = regexp.MustCompile(`^http://127\.0\.0\.1:\d+/connectors/asyncresponse_simulator;jsessionid=[0-9A-F]{32}\?asyncsource=ACI_3DS_2&type=methodRedirect&cdkForward=true&ndcid=[0-9a-f]{32}_[0-9a-f]{32}$`)
	methodURLRE      = regexp.MustCompile(`^http://127\.0\.0\.1:\d+/connectors/demo/submit\?action=ACI3DS2AccessControlServer&acsRequest=METHOD$`)
)

// 3-D Secure on the realistic pages: the recorded redirect and precondition forms, the
// self-submitting method page, the ACS challenge page; the shopper's choice decides
// only when the method call's notification arrived.
func TestRealisticThreeDS(t *testing.T) {
	h := start(t, Options{NoStatusRateLimit: true, Pages: PagesRealistic})
	ret := "http://shop.example/return?order=7&lang=de"
	for _, c := range []struct {
		name  string
		extra []string
		call  bool
		fill  map[string]string
		want  string
		pages int
	}{
		{"approve", []string{"customParameters[3DS2_enrolled]", "true"}, true, nil, codeSuccess, 3},
		{"decline", []string{"customParameters[3DS2_enrolled]", "true"}, true, map[string]string{"outcome": "N"}, code3DSFailed, 3},
		{"no method call", []string{"customParameters[3DS2_enrolled]", "true"}, false, nil, code3DSFailed, 3},
		{"frictionless", []string{"customParameters[3DS2_enrolled]", "true", "customParameters[3DS2_flow]", "frictionless"}, true, nil, codeSuccess, 2},
	} {
		r := h.post("/v1/payments", visa(append([]string{"shopperResultUrl", ret}, c.extra...)...)...)
		if !methodRedirectRE.MatchString(r.str("redirect.url")) || !methodURLRE.MatchString(r.str("redirect.preconditions.0.url")) {
			t.Fatalf("%s: redirect %s", c.name, r.raw)
		}
		back, pages := h.walk(r, c.call, c.fill)
		checkReturn(t, back, r.str("id"))
		if len(pages) != c.pages {
			t.Errorf("%s: %d pages, want %d", c.name, len(pages), c.pages)
		}
		if !strings.Contains(pages[0], `onload="document.forms[0].submit()"`) {
			t.Errorf("%s: the method redirect page does not submit itself", c.name)
		}
		if c.pages == 3 {
			for _, w := range []string{`<form name="challengeForm" method="post"`, `<select id="outcomeSelect" name="outcome" required><option value="Y">Approve</option><option value="N">Decline</option>`, `<button type="submit">`} {
				if !strings.Contains(pages[1], w) {
					t.Errorf("%s: ACS page lacks %s", c.name, w)
				}
			}
		}
		if got := h.status(r.str("id")).code(); got != c.want {
			t.Errorf("%s: final %s, want %s", c.name, got, c.want)
		}
	}
}

// The method page is the recorded self-submitting notificationForm; the ACS page
// refuses a shopper who skipped the method-redirect hop.
func TestRealisticMethodPage(t *testing.T) {
	h := start(t, Options{NoStatusRateLimit: true, Pages: PagesRealistic})
	r := h.post("/v1/payments", visa("shopperResultUrl", "http://shop.example/r", "customParameters[3DS2_enrolled]", "true")...)
	mp := h.page("POST", r.str("redirect.preconditions.0.url"), url.Values{"threeDSMethodData": {r.str("redirect.preconditions.0.parameters.0.value")}})
	for _, w := range []string{`<form name="notificationForm" method="POST" action="http://127.0.0.1:`, `type=methodNotification`,
		`<input type="hidden" name="threeDSMethodData" value="`, `window.onload = function () { document.forms.notificationForm.submit(); };`} {
		if !strings.Contains(mp.raw, w) {
			t.Errorf("method page lacks %s: %s", w, mp.raw)
		}
	}
	p := byNDC(h, r.str("ndc"))
	if got := h.realisticPage(p, demoSubmitPath+"?action="+acsAction+"&acsRequest=CHALLENGE", url.Values{}); got.status != 409 {
		t.Errorf("ACS before the method redirect: %d", got.status)
	}
	if got := h.page("POST", h.base+asyncSimulatorPath+"?type=methodNotification", url.Values{"threeDSMethodData": {"x"}}); got.status != 400 {
		t.Errorf("bad notification: %d", got.status)
	}
}

// The two realistic defect modes turn the realistic pages on and break what they say.
func TestRealisticDefects(t *testing.T) {
	h := start(t, Options{NoStatusRateLimit: true, Defects: []string{modes.DefectPreconditionNotRecorded, modes.DefectWizardStepSkipped}})
	r := h.post("/v1/payments", visa("shopperResultUrl", "http://shop.example/return?order=7&lang=de", "customParameters[3DS2_enrolled]", "true")...)
	back, _ := h.walk(r, true, nil)
	checkReturn(t, back, r.str("id"))
	if got := h.status(r.str("id")).code(); got != code3DSFailed {
		t.Errorf("precondition-not-recorded: final %s", got)
	}
	a := h.post("/v1/payments", asyncParams("SOFORTUEBERWEISUNG")...)
	back, pages := h.walk(a, false, nil)
	checkReturn(t, back, a.str("id"))
	if len(pages) != 4 {
		t.Errorf("wizard-step-skipped: %d pages, want 3 and the hop", len(pages))
	}
	if got := h.status(a.str("id")).code(); got != codePending {
		t.Errorf("wizard-step-skipped: final %s", got)
	}
	one := h.post("/v1/payments", asyncParams("IDEAL")...)
	back, _ = h.walk(one, false, nil)
	checkReturn(t, back, one.str("id"))
	if got := h.status(one.str("id")).code(); got != codePending {
		t.Errorf("wizard-step-skipped, one page: final %s", got)
	}
}

// The default page mode is what it was: its own page addresses, and the realistic
// addresses are not served. A wrong mode name is refused.
func TestDefaultPagesUnchanged(t *testing.T) {
	for _, pages := range []string{"", PagesDefault} {
		h := start(t, Options{NoStatusRateLimit: true, Pages: pages})
		r := h.post("/v1/payments", asyncParams("SOFORTUEBERWEISUNG")...)
		if want := h.srv.URL + "connectors/demo/checkout/" + r.str("id"); r.str("redirect.url") != want {
			t.Errorf("%q: redirect %s, want %s", pages, r.str("redirect.url"), want)
		}
		if got := h.do("POST", testBankPath+";jsessionid=AB?asyncsource=EPS&page=1", "", nil); got.status != 404 || !strings.Contains(got.raw, "no such checkout page") {
			t.Errorf("%q: realistic page served: %d %s", pages, got.status, got.raw)
		}
	}
	if _, err := New(Options{Pages: "real"}); err == nil || !strings.Contains(err.Error(), "want default or realistic") {
		t.Errorf("bad pages mode: %v", err)
	}
}

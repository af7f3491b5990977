package pages

import (
	"net/url"
	"strconv"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	"github.com/oppwa-conformance/oppwa-conformance/sandbox/hook"
)

// The realistic pages (Options.Pages = PagesRealistic) as data: per brand family the
// pages a shopper goes through, their fields and the control that goes on. The test
// banks are fixtures/sandbox-pages.json, each with its source; the 3-D Secure pages are
// below. The selectors, field names and visible texts real-platform.md §2 records are
// used as recorded; everything else (headings, labels, other button texts, the page
// URLs) is the simulator's choice, listed in sandbox/README.md ("Realistic pages").

// control is the one control of a page that goes on: an <input type=submit> (value
// is its text) or a <button type=submit>.
type control struct {
	Input bool
	ID    string
	Class string
	Text  string
}

// option is one choice of a select or radio field.
type option struct{ ID, Value, Text string }

// input is one shopper input of a page. Required fields must be sent non-empty (and,
// with options, as one of their values) with the page's form, or the next page refuses.
type input struct {
	Kind        string // "text", "radio" or "select"
	Name, ID    string
	Label       string
	Placeholder string // a select's first, empty choice; none: the first option is chosen
	Options     []option
	Required    bool
}

// page is one page of a wizard. Auto pages submit themselves on load.
type page struct {
	Title, Heading, Note string
	FormName             string
	Auto                 bool
	Fields               []input
	Go                   control
	// path and query locate the page (query: the pairs, in URL order, that tell it
	// from the other pages on path); ndcInURL adds the payment's ndcid to the query.
	path     string
	query    string
	ndcInURL bool
}

// wizard is the sequence of pages of one payment before the asyncresponse hop.
// authorise says the hop authorises the payment (wizard-step-skipped clears it).
type wizard struct {
	source    string // asyncsource of the hops
	pages     []page
	authorise bool
}

const (
	AsyncResponsePath   = "/connectors/asyncresponse"
	AsyncSimulatorPath  = "/connectors/asyncresponse_simulator"
	DemoSubmitPath      = "/connectors/demo/submit"
	TestBankPath        = "/connectors/demo/testbank"
	ACSAction           = "ACI3DS2AccessControlServer"
	threeDSSource       = "ACI_3DS_2"
	realisticBankNote   = "OPPWA sandbox test bank (realistic pages): no money moves."
	realisticACSNote    = "OPPWA sandbox: simulated issuer ACS."
	realisticHopHeading = "Please wait, you are being redirected"
)

// submitButton is a page's going-on control, a <button type=submit>.
func submitButton(class, text string) control { return control{Class: class, Text: text} }

// pageOf is a test-bank page of fixtures/sandbox-pages.json as the sandbox serves it.
func pageOf(bp fixtures.BankPage) page {
	pg := page{Title: bp.Title, Heading: bp.Heading,
		Go: control{Input: bp.Control.Input, ID: bp.Control.ID, Class: bp.Control.Class, Text: bp.Control.Text}}
	for _, f := range bp.Fields {
		in := input{Kind: f.Kind, Name: f.Name, ID: f.ID, Label: f.Label, Placeholder: f.Placeholder, Required: f.Required}
		for _, o := range f.Options {
			in.Options = append(in.Options, option{ID: o.ID, Value: o.Value, Text: o.Text})
		}
		pg.Fields = append(pg.Fields, in)
	}
	return pg
}

// BankPages is the number of pages of a brand's test-bank wizard.
func BankPages(brand string) int { return len(bankWizardOf(brand).pages) }

// bankWizardOf is the test-bank wizard of a brand: its family's pages (KLARNA_* share
// KLARNA's) or the generic bank, each at TestBankPath with its page number.
func bankWizardOf(brand string) wizard {
	pages := fixtures.Load().TestBank(brand).Pages
	out := make([]page, len(pages))
	for i, bp := range pages {
		pg := pageOf(bp)
		pg.path = TestBankPath
		pg.query = "asyncsource=" + url.QueryEscape(brand) + "&page=" + strconv.Itoa(i+1)
		if pg.Title == "" {
			pg.Title = pg.Heading
		}
		pg.Note = realisticBankNote
		out[i] = pg
	}
	return wizard{source: brand, pages: out, authorise: true}
}

// methodRedirectPage is the 3-D Secure redirect's target as recorded
// (…/connectors/asyncresponse_simulator;jsessionid=…?asyncsource=ACI_3DS_2&type=methodRedirect&cdkForward=true&ndcid=…):
// a page that submits itself on to the ACS.
var methodRedirectPage = page{Title: "3-D Secure", Heading: realisticHopHeading, Auto: true, path: AsyncSimulatorPath,
	query: "asyncsource=" + threeDSSource + "&type=methodRedirect&cdkForward=true", ndcInURL: true}

// challengeRealistic is the ACS challenge page as recorded (HS-cy): form challengeForm,
// select#outcomeSelect with "Approve" = Y and a "Decline" option, button[type=submit].
// The values of Decline and Technical error, and the select's name, are the simulator's.
var challengeRealistic = page{Title: "3-D Secure challenge", Heading: "3-D Secure authentication", FormName: "challengeForm",
	Note: realisticACSNote, path: DemoSubmitPath, query: "action=" + ACSAction + "&acsRequest=CHALLENGE",
	Fields: []input{{Kind: "select", Name: "outcome", ID: "outcomeSelect", Label: "Authentication result", Required: true,
		Options: []option{{Value: "Y", Text: "Approve"}, {Value: "N", Text: "Decline"}, {Value: "U", Text: "Technical error"}}}},
	Go: submitButton("", "Submit")}

// threeDSWizardOf is the 3-D Secure wizard of a flow: the method-redirect hop, then the
// challenge page when the ACS challenges.
func threeDSWizardOf(flow Flow) wizard {
	pages := []page{methodRedirectPage}
	if flow == Challenge {
		pages = append(pages, challengeRealistic)
	}
	return wizard{source: threeDSSource, pages: pages, authorise: true}
}

// wizardOf is the wizard of payment p, after the bankWizard hook point.
func wizardOf(c Core, p Summary) wizard {
	var w wizard
	if p.Flow == Checkout {
		w = bankWizardOf(p.Brand)
	} else {
		w = threeDSWizardOf(p.Flow)
	}
	ev := hook.BankWizard{Checkout: p.Flow == Checkout, Pages: len(w.pages), Authorise: w.authorise}
	hook.Fire(c.Hooks(), &ev)
	w.pages, w.authorise = w.pages[:min(max(ev.Pages, 0), len(w.pages))], ev.Authorise
	return w
}

// missingField names the first required field of pg that form lacks (or carries with
// a value the field does not offer); "" when none.
func (pg page) missingField(form url.Values) string {
	for _, f := range pg.Fields {
		v := form.Get(f.Name)
		if !f.Required {
			continue
		}
		if v == "" || (len(f.Options) > 0 && !offers(f.Options, v)) {
			return f.Name
		}
	}
	return ""
}

func offers(opts []option, v string) bool {
	for _, o := range opts {
		if o.Value == v {
			return true
		}
	}
	return false
}

// matches reports whether a request's query names pg.
func (pg page) matches(q url.Values) bool {
	want, _ := url.ParseQuery(pg.query)
	for k, vs := range want {
		if q.Get(k) != vs[0] {
			return false
		}
	}
	return true
}

package sandbox

import (
	"net/url"
	"strconv"
	"strings"
)

// The realistic pages (Options.Pages = PagesRealistic) as data: per brand family the
// pages a shopper goes through, their fields and the control that goes on. The
// selectors, field names and visible texts real-platform.md §2 records are used as
// recorded; everything else (headings, labels, other button texts, the page URLs) is
// the simulator's choice, listed in sandbox/README.md ("Realistic pages").

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
	asyncResponsePath    = "/connectors/asyncresponse"
	asyncSimulatorPath   = "/connectors/asyncresponse_simulator"
	demoSubmitPath       = "/connectors/demo/submit"
	testBankPath         = "/connectors/demo/testbank"
	acsAction            = "ACI3DS2AccessControlServer"
	threeDSSource        = "ACI_3DS_2"
	simulatorBankChoice  = "SIMULATOR" // Peach notes: pay-by-bank test pages offer it
	realisticBankNote    = "OPPWA sandbox test bank (realistic pages): no money moves."
	realisticACSNote     = "OPPWA sandbox: simulated issuer ACS."
	realisticHopHeading  = "Please wait, you are being redirected"
	realisticBankHeading = "Test bank"
)

// submitInput and submitButton are a page's going-on control.
func submitInput(class, text string) control  { return control{Input: true, Class: class, Text: text} }
func submitButton(class, text string) control { return control{Class: class, Text: text} }

// bankPages are the test banks of the brand families real-platform.md §2 describes
// (HS-sel, HS-cy), page by page.
var bankPages = map[string][]page{
	"ALIPAY": {{Heading: "Alipay test wallet", Go: control{ID: "submit-success", Text: "Pay"}}},
	"IDEAL":  {{Heading: "iDEAL test bank", Go: submitInput("", "Confirm Transaction")}},
	"EPS": {
		{Heading: "eps test bank: log in", Go: submitInput("button-body button-short", "Next")},
		{Heading: "eps test bank: account", Go: submitInput("button-body button-short", "Next")},
		{Heading: "eps test bank: review", Go: submitInput("button-body button-short", "Next")},
		{Heading: "eps test bank: sign", Go: submitInput("button-body button-middle", "Confirm")},
	},
	"SOFORTUEBERWEISUNG": {
		{Heading: "Demo bank: country and bank", Go: submitButton(sofortClass, "Next")},
		{Heading: "Demo bank: log in", Go: submitButton(sofortClass, "Next")},
		{Heading: "Demo bank: account", Go: submitButton(sofortClass, "Next")},
		{Heading: "Demo bank: confirm", Go: submitButton(sofortClass, "Confirm")},
	},
	"GIROPAY": {{Heading: "giropay test bank", Fields: []input{
		{Kind: "text", Name: "sc", ID: "sc", Label: "sc", Required: true},
		{Kind: "text", Name: "extensionSc", ID: "extensionSc", Label: "extensionSc", Required: true},
		{Kind: "text", Name: "customerName1", ID: "customerName1", Label: "customerName1", Required: true},
	}, Go: submitInput("", "Absenden")}},
	"PRZELEWY": {
		{Heading: "Przelewy24 test bank: choose your bank", Fields: []input{
			{Kind: "radio", Name: "bank", Label: "Bank", Required: true, Options: []option{{ID: "pf31", Value: "31", Text: "Test bank 31"}}},
		}, Go: submitButton("btn btn-lg btn-info btn-block", "Continue")},
		{Heading: "Przelewy24 test bank: confirm", Go: submitButton("btn btn-success btn-lg accept-button", "Confirm payment")},
	},
	"INTERAC_ONLINE": {
		{Heading: "INTERAC Online test bank", Go: submitInput("", "Continue payment")},
		{Heading: "INTERAC Online test bank: confirm", Go: submitInput("", "Confirm")},
	},
	"KLARNA": {{Title: "Klarna", Heading: "Klarna", Go: submitButton("", "Continue")}},
}

const sofortClass = "large button primary expand form-submitter"

// genericBank is the test bank of brands real-platform.md does not describe: the
// simulator's choice, a required bank choice offering SIMULATOR and a Continue button.
var genericBank = []page{{Heading: realisticBankHeading, Fields: []input{
	{Kind: "select", Name: "bank", ID: "bank", Label: "Bank", Placeholder: "Choose your bank", Required: true,
		Options: []option{{Value: simulatorBankChoice, Text: simulatorBankChoice}}},
}, Go: submitButton("", "Continue")}}

// bankWizardOf is the test-bank wizard of a brand: its family's pages (KLARNA_* share
// KLARNA's) or the generic bank, each at testBankPath with its page number.
func bankWizardOf(brand string) wizard {
	pages, ok := bankPages[brand]
	if !ok && strings.HasPrefix(brand, "KLARNA") {
		pages = bankPages["KLARNA"]
	} else if !ok {
		pages = genericBank
	}
	out := make([]page, len(pages))
	for i, pg := range pages {
		pg.path = testBankPath
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
var methodRedirectPage = page{Title: "3-D Secure", Heading: realisticHopHeading, Auto: true, path: asyncSimulatorPath,
	query: "asyncsource=" + threeDSSource + "&type=methodRedirect&cdkForward=true", ndcInURL: true}

// challengeRealistic is the ACS challenge page as recorded (HS-cy): form challengeForm,
// select#outcomeSelect with "Approve" = Y and a "Decline" option, button[type=submit].
// The values of Decline and Technical error, and the select's name, are the simulator's.
var challengeRealistic = page{Title: "3-D Secure challenge", Heading: "3-D Secure authentication", FormName: "challengeForm",
	Note: realisticACSNote, path: demoSubmitPath, query: "action=" + acsAction + "&acsRequest=CHALLENGE",
	Fields: []input{{Kind: "select", Name: "outcome", ID: "outcomeSelect", Label: "Authentication result", Required: true,
		Options: []option{{Value: "Y", Text: "Approve"}, {Value: "N", Text: "Decline"}, {Value: "U", Text: "Technical error"}}}},
	Go: submitButton("", "Submit")}

// threeDSWizardOf is the 3-D Secure wizard of a flow: the method-redirect hop, then the
// challenge page when the ACS challenges.
func threeDSWizardOf(flow flowKind) wizard {
	pages := []page{methodRedirectPage}
	if flow == flowChallenge {
		pages = append(pages, challengeRealistic)
	}
	return wizard{source: threeDSSource, pages: pages, authorise: true}
}

// wizardOf is the wizard of payment p, after the bankWizard hook point.
func (s *Sandbox) wizardOf(p *payment) wizard {
	var w wizard
	if p.flow == flowCheckout {
		w = bankWizardOf(p.brand)
	} else {
		w = threeDSWizardOf(p.flow)
	}
	ev := bankWizard{p: p, w: &w}
	fire(s, &ev)
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

// Package twin holds the calibration of an account twin: what one run against a real
// target saw of the account (its brands and capabilities, the codes it answered per
// brand, payment type and situation, the fields of its replies, its redirects and
// return URLs), in a versioned file, twin.json, that the report writes beside its
// other files and the embedded sandbox can start from.
//
// A calibration holds names, codes, descriptions and shapes only: never a credential,
// a card number, a token, a payment id, a session parameter or any other value of a
// request or reply. It depends on the fixtures alone, so the report (which writes it),
// the configuration and the sandbox (which read it) can all use it.
package twin

import (
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
)

// File is the calibration's file name in a report directory.
const File = "twin.json"

// Format names the file's kind in its first field, so a stray JSON file is refused.
const Format = "oppwa-conformance account twin"

// Version is the calibration format this suite writes and reads; a newer file is
// refused with a line saying to update the suite.
const Version = 1

// Calibration is the content of twin.json.
type Calibration struct {
	Format  string    `json:"format"`
	Version int       `json:"version"`
	Target  Target    `json:"target"`
	Run     Run       `json:"run"`
	Account Account   `json:"account"`
	Results []Result  `json:"results"`
	Answers []Answer  `json:"answers"`
	Errors  []Refusal `json:"errors"`
	// Fields are the JSON field paths seen per reply kind (see ReplyKind), each with
	// the kinds of value it held.
	Fields map[string][]Field `json:"fields"`
	// Redirects is the redirect of each brand's payments (a card brand's is its 3-D
	// Secure redirect).
	Redirects map[string]Redirect `json:"redirects"`
	// Returns are the parameters the platform added to the shopperResultUrl, per brand.
	Returns map[string][]string `json:"returns"`
	// BuildNumbers are the distinct buildNumbers the replies carried.
	BuildNumbers []string `json:"buildNumbers"`
	// Headers are the names of the headers the platform's API replies carried.
	Headers []string `json:"headers"`
}

// Target is the platform a calibration was made against: its base URL without
// credentials, query or fragment, and its host.
type Target struct {
	BaseURL  string `json:"baseUrl"`
	Host     string `json:"host"`
	Embedded bool   `json:"embedded,omitempty"`
}

// Run names the run that made the calibration.
type Run struct {
	ID   string    `json:"id"`
	Date time.Time `json:"date"`
}

// Account is the account's profile as the run declared and saw it.
type Account struct {
	// Brands are the brands the run paid with (OPPWA_BRANDS, or the suite's default).
	Brands []string `json:"brands"`
	// NotConfigured are brands the account refused as not configured, with the answer.
	NotConfigured []BrandRefusal `json:"notConfigured,omitempty"`
	// Capabilities are those the run had declared (3ds, reporting, ...).
	Capabilities []string `json:"capabilities"`
}

// BrandRefusal is a brand the account answered as not configured.
type BrandRefusal struct {
	Brand      string `json:"brand"`
	Code       string `json:"code"`
	HTTPStatus int    `json:"httpStatus"`
}

// Result is a result code the account answered to initial payments of one brand and
// payment type, with the outcome it means and how often it was seen.
type Result struct {
	Brand       string           `json:"brand"`
	PaymentType string           `json:"paymentType"`
	Outcome     fixtures.Outcome `json:"outcome"`
	Code        string           `json:"code"`
	Description string           `json:"description"`
	HTTPStatus  int              `json:"httpStatus"`
	Seen        int              `json:"seen"`
}

// Answer is how the account answered a situation a claim of fixtures/claims.json
// names: a refusal's code, HTTP status and parameter errors, or that it accepted the
// request. Param is the parameter a format refusal was about, when the spec named one.
type Answer struct {
	Claim           string       `json:"claim"`
	Param           string       `json:"param,omitempty"`
	Accepted        bool         `json:"accepted,omitempty"`
	Code            string       `json:"code"`
	Description     string       `json:"description"`
	HTTPStatus      int          `json:"httpStatus"`
	ParameterErrors []ParamError `json:"parameterErrors,omitempty"`
}

// ParamError is a parameter error's name and message; never its value.
type ParamError struct {
	Name    string `json:"name"`
	Message string `json:"message"`
}

// Refusal is one kind of error reply: per kind of request (RouteKind), HTTP status
// and code, the parameter errors' names it carried.
type Refusal struct {
	Kind       string   `json:"kind"`
	HTTPStatus int      `json:"httpStatus"`
	Code       string   `json:"code"`
	Parameters []string `json:"parameters,omitempty"`
}

// Field is a JSON field path and the kinds of value seen at it (string, number,
// bool, null, object, array).
type Field struct {
	Path  string   `json:"path"`
	Kinds []string `json:"kinds"`
}

// Encodings of redirect.parameters.
const (
	EncodingArray  = "array"  // [{name, value}], as documented
	EncodingObject = "object" // {name: value}
)

// Redirect is the shape of a brand's redirect: its method ("absent" when the reply
// names none), its parameters' names and encoding, and whether it had preconditions.
type Redirect struct {
	Method        string   `json:"method"`
	Parameters    []string `json:"parameters"`
	Encoding      string   `json:"encoding"`
	Preconditions bool     `json:"preconditions"`
}

// MethodAbsent is a Redirect's Method when the reply names none.
const MethodAbsent = "absent"

// Label names the calibration's account for a report: "<base URL>, run <id> of <date>".
func (c *Calibration) Label() string {
	return c.Target.BaseURL + ", run " + c.Run.ID + " of " + c.Run.Date.UTC().Format("2006-01-02 15:04 UTC")
}

// Answer returns the account's answer for a claim; for a claim answered about several
// parameters, the first. ok is false when the run saw none.
func (c *Calibration) Answer(claim string) (Answer, bool) {
	i := slices.IndexFunc(c.Answers, func(a Answer) bool { return a.Claim == claim })
	if i < 0 {
		return Answer{}, false
	}
	return c.Answers[i], true
}

// Has says whether the account declared capability name.
func (c *Calibration) Has(name string) bool { return slices.Contains(c.Account.Capabilities, name) }

// FieldPaths are the field paths seen in replies of kind, as a set; nil when the run
// saw no reply of that kind.
func (c *Calibration) FieldPaths(kind string) map[string]bool {
	fs, ok := c.Fields[kind]
	if !ok {
		return nil
	}
	set := make(map[string]bool, len(fs))
	for _, f := range fs {
		set[f.Path] = true
	}
	return set
}

// Reply kinds of field sets, by the request a reply answers.
const (
	ReplyPayment    = "payment"    // POST /v1/payments
	ReplyBackoffice = "backoffice" // POST /v1/payments/{id}
	ReplyStatus     = "status"     // GET /v1/payments/{id} or a resourcePath
	ReplyReport     = "report"     // /v1/query
	ReplyError      = "error"      // any 4xx or 5xx reply
	ReplyOther      = "other"
)

// ReplyKind sorts a reply by the request it answers (RouteKind); ReplyError for any
// 4xx or 5xx, "" for no answer (status 0). The report's fingerprint and the twin's
// reply shapes both sort by it.
func ReplyKind(method, rawURL string, status int) string {
	switch {
	case status == 0:
		return ""
	case status >= 400:
		return ReplyError
	}
	return RouteKind(method, rawURL)
}

// RouteKind sorts a request by its method and URL alone: ReplyPayment, ReplyBackoffice,
// ReplyStatus, ReplyReport or ReplyOther, whatever the reply's status.
func RouteKind(method, rawURL string) string {
	path := rawURL
	if u, err := url.Parse(rawURL); err == nil {
		path = u.Path
	}
	path = strings.TrimSuffix(path, "/")
	switch {
	case strings.Contains(path, "/v1/query"):
		return ReplyReport
	case method == "POST" && strings.HasSuffix(path, "/v1/payments"):
		return ReplyPayment
	case method == "POST" && strings.Contains(path, "/v1/payments/"):
		return ReplyBackoffice
	case method == "GET" && strings.Contains(path, "/v1/"):
		return ReplyStatus
	}
	return ReplyOther
}

// DiscoveryFile is what `conformance discover` leaves in the report directory: the
// brands the account refused as not configured, which the next run's calibration
// adds to its account (the suites pay only with the declared brands).
const DiscoveryFile = "discovery.json"

// Discovery is the content of discovery.json.
type Discovery struct {
	BaseURL       string         `json:"baseUrl"`
	Date          time.Time      `json:"date"`
	Enabled       []string       `json:"enabled"`
	NotConfigured []BrandRefusal `json:"notConfigured"`
}

package oppwa

import (
	"regexp"
	"strings"
	"sync"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
)

// A card number is 12 to 19 digits, possibly split by spaces or dashes on pages and in
// free text; only runs that pass the Luhn check are masked so that amounts, timestamps
// and numeric references stay readable.
var panRun = regexp.MustCompile(`\d(?:[ -]?\d){11,18}`)

// cardNumberField catches the value of a card-number parameter whatever its digits,
// so that invalid numbers sent on purpose (a Luhn failure) are masked too.
var cardNumberField = regexp.MustCompile(`(?i)(card\.number=|"number"\s*:\s*")([0-9]{6,19})`)

// cvvField catches the value of a CVV parameter in form bodies, JSON and query strings.
var cvvField = regexp.MustCompile(`(?i)(card\.cvv=|"cvv"\s*:\s*"|\bcvv=)([0-9]*)`)

// tokenRef catches a registration token where it is named as one: in a registration
// path and in a registrationId field or parameter.
var tokenRef = regexp.MustCompile(`(registrations/|"registrationId"\s*:\s*"|registrationId=)([0-9a-fA-F]{16,64})`)

// sessionParam catches a shopper session's secret in a URL: a query or path
// parameter named like a session or a token (sessionToken, jsessionid). Such a URL
// opens the shopper's checkout while it lives, so a report shows its name only.
// A separator may also be JSON-escaped (\u0026, \u003f: a reply or page text quoted
// by an encoder that escapes HTML).
var sessionParam = regexp.MustCompile(`(?i)((?:[?&;]|\\u0026|\\u003f)` + sessionName + `)=([^&#;?"'\s<>\\]+)`)

// sessionName is the name of a session parameter: named like a session or a token.
const sessionName = `(?:[a-z_]*session[a-z_]*|[a-z_]*token)`

// sessionPair catches a session parameter's value where it is named apart from it: a
// redirect's parameters in a reply ({"name":"sessionToken","value":"…"}), the same
// printed as a Go value (Name: "sessionToken", Value: "…"), a form's hidden field
// (name="sessionToken" value="…"), and each of them inside JSON-escaped text. These
// open the shopper's checkout as the URL does.
var sessionPair = regexp.MustCompile(`(?i)(\bname\\?"?\s*[:=]\s*\\?"` + sessionName +
	`\\?"[\s,]*\\?"?value\\?"?\s*[:=]\s*\\?")([^"\\]*)`)

// sessionKey catches a session parameter's value keyed by its name: a redirect whose
// parameters are an object of name to value ({"sessionToken":"…"}, as a recording shows
// some accounts answer), plain or inside JSON-escaped text.
var sessionKey = regexp.MustCompile(`(?i)(\\?"` + sessionName + `\\?"\s*:\s*\\?")([^"\\]+)`)

// registrationID is the id of a standalone tokenisation's reply: the token itself.
var registrationID = regexp.MustCompile(`"id"\s*:\s*"([0-9a-fA-F]{16,64})"`)

// learned holds every registration token this process has seen. A token stands for a
// stored card, so, like a card number, it must not reach a report, wherever the text
// comes from: every Redactor masks the tokens any client learned.
var learned sync.Map

// LearnTokens remembers the registration tokens a reply to path names: its
// registrationId, and for a standalone tokenisation (v1/registrations) its id.
func LearnTokens(path, body string) {
	for _, m := range tokenRef.FindAllStringSubmatch(body, -1) {
		learned.Store(m[2], true)
	}
	if strings.HasSuffix(path, "v1/registrations") {
		if m := registrationID.FindStringSubmatch(body); m != nil {
			learned.Store(m[1], true)
		}
	}
}

// MaskToken shows a registration token as its first six and last four characters.
func MaskToken(t string) string {
	if len(t) < 12 {
		return strings.Repeat("*", len(t))
	}
	return t[:6] + strings.Repeat("*", len(t)-10) + t[len(t)-4:]
}

// MaskPAN shows a card number as its first six and last four digits, the form the
// platform itself uses (bin and last4Digits), so evidence stays traceable without being
// a card number.
func MaskPAN(pan string) string {
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, pan)
	if len(digits) < 12 {
		return strings.Repeat("*", len(digits))
	}
	return digits[:6] + strings.Repeat("*", len(digits)-10) + digits[len(digits)-4:]
}

// Redactor removes secrets from text that may end up in logs, reports or failure
// messages: the access token (and any other registered secret) and card numbers.
type Redactor struct {
	secrets []string
}

// NewRedactor returns a Redactor that also hides the given secrets verbatim.
func NewRedactor(secrets ...string) *Redactor {
	r := &Redactor{}
	for _, s := range secrets {
		// Short strings would redact ordinary words; real tokens are long.
		if len(s) >= 8 {
			r.secrets = append(r.secrets, s)
		}
	}
	return r
}

// Redact returns s with secrets replaced by [REDACTED], card numbers and registration
// tokens masked to first 6 / last 4, shopper session values shown as **** and CVV
// values removed.
func (r *Redactor) Redact(s string) string {
	if r != nil {
		for _, secret := range r.secrets {
			s = strings.ReplaceAll(s, secret, "[REDACTED]")
		}
	}
	learned.Range(func(k, _ any) bool {
		s = strings.ReplaceAll(s, k.(string), MaskToken(k.(string)))
		return true
	})
	s = sessionParam.ReplaceAllString(s, "$1=****")
	s = sessionPair.ReplaceAllStringFunc(s, func(m string) string {
		sub := sessionPair.FindStringSubmatch(m)
		if sub[2] == "" {
			return m // an empty field hides nothing
		}
		return sub[1] + "****"
	})
	s = sessionKey.ReplaceAllString(s, "${1}****")
	s = tokenRef.ReplaceAllStringFunc(s, func(m string) string {
		sub := tokenRef.FindStringSubmatch(m)
		return sub[1] + MaskToken(sub[2])
	})
	s = cardNumberField.ReplaceAllStringFunc(s, func(m string) string {
		sub := cardNumberField.FindStringSubmatch(m)
		return sub[1] + MaskPAN(sub[2])
	})
	s = panRun.ReplaceAllStringFunc(s, func(m string) string {
		if !fixtures.Luhn(m) {
			return m
		}
		return MaskPAN(m)
	})
	return cvvField.ReplaceAllStringFunc(s, func(m string) string {
		sub := cvvField.FindStringSubmatch(m)
		if sub[2] == "" {
			return m
		}
		return sub[1] + strings.Repeat("*", len(sub[2]))
	})
}

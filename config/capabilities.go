package config

import (
	"fmt"
	"strings"
)

// Capability is something a test account may lack: a spec that needs one the account
// has not declared is skipped with the reason, and the verdict lists it as not verified.
type Capability string

// The capabilities an account declares. The embedded sandbox has them all.
const (
	// ThreeDS is 3-D Secure 2 on the channel (OPPWA_3DS=yes).
	ThreeDS Capability = "3ds"
	// Reporting is the right to read transaction reports, /v1/query (OPPWA_REPORTING=yes).
	Reporting Capability = "reporting"
	// Registration is tokenisation on the channel: registration tokens and standing
	// instructions with them (OPPWA_REGISTRATION=yes).
	Registration Capability = "registration"
	// Credit is paymentType CD, a credit to a card (OPPWA_CREDIT=yes).
	Credit Capability = "credit"
	// SecondMerchant is a second test merchant for isolation specs
	// (OPPWA_OTHER_ENTITY_ID and OPPWA_OTHER_ACCESS_TOKEN).
	SecondMerchant Capability = "second-merchant"
	// Webhook is a webhook whose URL forwards to the suites' receiver
	// (OPPWA_WEBHOOK_URL and OPPWA_WEBHOOK_KEY).
	Webhook Capability = "webhook"
)

// Capabilities lists every capability, in the order reports show them: a report says
// of each whether the run had it, so a nightly narrower than the account shows.
var Capabilities = []Capability{ThreeDS, Reporting, Registration, Credit, SecondMerchant, Webhook}

// capabilityVars are the variables that declare a capability, with what to set.
var capabilityVars = []struct {
	cap  Capability
	name string
}{
	{ThreeDS, "OPPWA_3DS"},
	{Reporting, "OPPWA_REPORTING"},
	{Registration, "OPPWA_REGISTRATION"},
	{Credit, "OPPWA_CREDIT"},
}

// Declaration says how to declare c, for skip reasons and the verdict.
func (c Capability) Declaration() string {
	for _, v := range capabilityVars {
		if v.cap == c {
			return v.name + "=yes"
		}
	}
	if c == Webhook {
		return "OPPWA_WEBHOOK_URL and OPPWA_WEBHOOK_KEY"
	}
	return "OPPWA_OTHER_ENTITY_ID and OPPWA_OTHER_ACCESS_TOKEN"
}

// Has reports whether the target has c: always on the embedded sandbox, as the
// calibration says on a twin of an account, as declared on a real account.
func (t Target) Has(c Capability) bool {
	switch {
	case t.Twin != nil:
		return t.Twin.Has(string(c))
	case t.Embedded():
		return true
	}
	switch c {
	case SecondMerchant:
		return t.OtherEntityID != ""
	case Webhook:
		return t.WebhookURL != "" && t.WebhookKey != ""
	}
	return t.capabilities[c]
}

// readCapabilities reads the declared capabilities; a value other than yes or no is
// a configuration error naming the variable.
func (t *Target) readCapabilities(get func(string) string) error {
	t.capabilities = map[Capability]bool{}
	for _, v := range capabilityVars {
		switch val := strings.ToLower(get(v.name)); val {
		case "yes", "true", "1":
			t.capabilities[v.cap] = true
		case "", "no", "false", "0":
		default:
			return fmt.Errorf("%s=%q is not yes or no: declare whether the account has %s (run make discover to find out)", v.name, val, v.cap)
		}
	}
	return nil
}

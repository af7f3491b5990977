package framework

import (
	. "github.com/onsi/ginkgo/v2" //nolint:revive

	"github.com/oppwa-conformance/oppwa-conformance/drivers/oppwa"
)

// FailHandler fails the running spec with message redacted (see Redact). It is the
// one way a failure reaches Ginkgo: the bootstrap registers it as Gomega's fail
// handler, and the framework's own failures (NoError's above all, which carry the
// shopper journey's page URLs) call it, because Ginkgo's Fail, called directly, writes
// its message to the console, junit.xml, report.json and the certification as given.
func FailHandler(message string, callerSkip ...int) {
	skip := 1 // this function's own frame
	if len(callerSkip) > 0 {
		skip += callerSkip[0]
	}
	Fail(Redact(message), skip)
}

// Redact hides what must not reach a report: the access tokens of both merchants,
// card numbers, registration tokens and a shopper session's values.
func Redact(s string) string { return redactor().Redact(s) }

// redactor is the redactor of the merchant clients, which know both access tokens
// (also the embedded sandbox's second merchant's); before setup, the configured
// tokens'.
func redactor() *oppwa.Redactor {
	if e := Shared(); e != nil {
		switch {
		case e.Other != nil:
			return e.Other.Redactor()
		case e.Client != nil:
			return e.Client.Redactor()
		}
	}
	t := Config()
	return oppwa.NewRedactor(t.AccessToken, t.OtherAccessToken)
}

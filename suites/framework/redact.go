package framework

import (
	. "github.com/onsi/ginkgo/v2" //nolint:revive

	"github.com/oppwa-conformance/oppwa-conformance/drivers/oppwa"
	"github.com/oppwa-conformance/oppwa-conformance/outcome"
	"github.com/oppwa-conformance/oppwa-conformance/reports"
)

// FailHandler fails the running spec as a contract failure, with message redacted
// (see Redact). It and FailEnvironment are the one way a failure reaches Ginkgo: the
// bootstrap registers FailHandler as Gomega's fail handler, and the framework's own
// failures (NoError's above all, which carry the shopper journey's page URLs) go
// through failAs, because Ginkgo's Fail, called directly, writes its message to the
// console, junit.xml, report.json and the certification as given, and records no kind.
func FailHandler(message string, callerSkip ...int) {
	failAs(outcome.Contract, message, 1+firstOr0(callerSkip))
}

// FailEnvironment fails the running spec or suite node as an environment failure: the
// run could not find out whether the platform keeps its promise.
func FailEnvironment(message string, callerSkip ...int) {
	failAs(outcome.Environment, message, 1+firstOr0(callerSkip))
}

// failAs records the failure's kind as the node's EntryFailure entry, which the report
// matches to the failure Ginkgo keeps, then fails with the redacted message. skip
// counts the frames above failAs's caller, as Ginkgo's Fail does. An environment
// failure's message starts with reports.EnvironmentPrefix for the human reader only.
func failAs(kind outcome.Kind, message string, skip int) {
	msg := Redact(message)
	if kind == outcome.Environment {
		msg = reports.EnvironmentPrefix + msg
	}
	AddReportEntry(reports.EntryFailure, reports.Failure{Kind: kind, Message: msg}, ReportEntryVisibilityNever)
	Fail(msg, skip+1)
}

func firstOr0(callerSkip []int) int {
	if len(callerSkip) > 0 {
		return callerSkip[0]
	}
	return 0
}

// NoError fails the running spec or suite node when err is set, with err's kind (see
// outcome.KindOf): an environment failure when the platform could not be reached or
// the browser broke, a contract failure otherwise. doing says what failed.
func NoError(err error, doing string) {
	GinkgoHelper()
	if err == nil {
		return
	}
	failAs(outcome.KindOf(err), doing+": "+err.Error(), 1)
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

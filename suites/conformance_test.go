// The one conformance binary: it reads the target, then runs every suite package
// imported below, filtered by labels.
package suites_test

import (
	"fmt"
	"os"
	"testing"

	. "github.com/onsi/ginkgo/v2" //nolint:revive
	. "github.com/onsi/gomega"    //nolint:revive

	"github.com/oppwa-conformance/oppwa-conformance/outcome"
	"github.com/oppwa-conformance/oppwa-conformance/reports"
	fw "github.com/oppwa-conformance/oppwa-conformance/suites/framework"

	_ "github.com/oppwa-conformance/oppwa-conformance/suites/async"
	_ "github.com/oppwa-conformance/oppwa-conformance/suites/backoffice"
	_ "github.com/oppwa-conformance/oppwa-conformance/suites/brands"
	_ "github.com/oppwa-conformance/oppwa-conformance/suites/negative"
	_ "github.com/oppwa-conformance/oppwa-conformance/suites/payments"
	_ "github.com/oppwa-conformance/oppwa-conformance/suites/registration"
	_ "github.com/oppwa-conformance/oppwa-conformance/suites/reporting"
	_ "github.com/oppwa-conformance/oppwa-conformance/suites/threeds"
	_ "github.com/oppwa-conformance/oppwa-conformance/suites/webhook"
)

func TestConformance(t *testing.T) {
	if _, err := fw.Configure(); err != nil {
		// A configuration mistake is the user's to fix: one line, no stack.
		fmt.Fprintln(os.Stderr, "oppwa-conformance: "+err.Error())
		os.Exit(int(outcome.ExitConfig))
	}
	// Every failure message passes through the framework's redacting handler: a spec
	// may quote a reply that (wrongly) carries a card number, or a page URL with the
	// shopper's session, and neither must reach the report in full.
	RegisterFailHandler(fw.FailHandler)
	RunSpecs(t, "OPPWA server-to-server conformance")
}

var _ = BeforeSuite(func(ctx SpecContext) {
	// Through NoError, so that the failure records its kind (a sandbox or receiver that
	// cannot start is the environment's).
	fw.NoError(fw.Setup(ctx), "suite setup")
}, NodeTimeout(fw.SetupTimeout))

// A POST is never retried, so the sandbox must hold no second payment for any
// merchant reference, faults or not: the run's own proof that it charged nobody twice.
var _ = AfterSuite(func() {
	if e := fw.Shared(); e != nil && e.Sandbox != nil {
		st := e.Sandbox.Sandbox.Stats()
		// make bench reads each process's figures from report.json: the sandbox's share
		// of a run's wall time.
		AddReportEntry(reports.EntrySandboxStats, reports.SandboxStats{Requests: st.Requests, BusyMs: float64(st.Busy.Microseconds()) / 1000},
			ReportEntryVisibilityNever)
		dup := st.DuplicateMerchantTransactionIDs
		Expect(dup).To(BeZero(), "the embedded sandbox holds %d duplicate payments: a POST was sent twice", dup)
	}
})

var _ = ReportAfterSuite("certification report", func(r Report) {
	fw.WriteReports(r)
})

package framework

import (
	"encoding/json"
	"fmt"
	"os"

	. "github.com/onsi/ginkgo/v2" //nolint:revive

	"github.com/oppwa-conformance/oppwa-conformance/config"
	"github.com/oppwa-conformance/oppwa-conformance/reports"
	"github.com/oppwa-conformance/oppwa-conformance/sandbox"
)

// WriteReports writes the certification report beside Ginkgo's own JUnit and JSON
// reports. It runs in ReportAfterSuite, on process 1, with every process's specs.
func WriteReports(r Report) {
	t := Config()
	meta := reports.Meta{
		Target: t.Host(), BaseURL: t.BaseURL, Embedded: t.Embedded(), EntityID: t.EntityID,
		Brands: t.Brands, Currency: t.Currency, Args: os.Args,
	}
	for _, c := range config.Capabilities {
		meta.Capabilities = append(meta.Capabilities, reports.DeclaredCapability{Name: string(c), Declared: t.Has(c), How: c.Declaration()})
	}
	if e := Shared(); e != nil {
		meta.RunID = e.RunID
		meta.Browser = e.BrowserName()
		if e.Sandbox != nil {
			meta.SandboxVersion = "embedded sandbox " + sandbox.Version
			meta.BaseURL = e.Sandbox.URL
		}
	}
	if cal := t.Twin; cal != nil {
		meta.TwinOf = &reports.TwinOf{BaseURL: cal.Target.BaseURL, RunID: cal.Run.ID, Date: cal.Run.Date, File: t.SandboxTwin}
	}
	if cmd := os.Getenv("OPPWA_COMMAND"); cmd != "" {
		// The user's command (argv, JSON-encoded), passed down by the runner, says more
		// than the test binary's.
		var argv []string
		if json.Unmarshal([]byte(cmd), &argv) == nil {
			meta.Args = argv
		}
	}
	// The runner passes the baseline of -baseline and has checked FAIL_ON_DRIFT;
	// started directly, a FAIL_ON_DRIFT naming an unknown kind fails nothing.
	meta.Baseline = os.Getenv("OPPWA_BASELINE")
	if kinds, err := reports.ParseDriftKinds(os.Getenv("FAIL_ON_DRIFT")); err == nil {
		meta.FailOnDrift = kinds
	}
	if err := reports.Write(t.ReportDir, r, meta); err != nil {
		fmt.Fprintln(os.Stderr, "oppwa-conformance: "+reports.EnvironmentPrefix+err.Error())
	}
}

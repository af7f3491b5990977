package sandbox

import "github.com/oppwa-conformance/oppwa-conformance/sandbox/pages"

// The names of package pages the tests use (the realistic tests name a slice of
// pages "pages", so they reach the package through these).
const (
	testBankPath       = pages.TestBankPath
	asyncResponsePath  = pages.AsyncResponsePath
	asyncSimulatorPath = pages.AsyncSimulatorPath
	demoSubmitPath     = pages.DemoSubmitPath
	acsAction          = pages.ACSAction
)

var (
	methodTransID = pages.MethodTransID
	bankPages     = pages.BankPages
)

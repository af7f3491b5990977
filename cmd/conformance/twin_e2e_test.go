package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	"github.com/oppwa-conformance/oppwa-conformance/reports"
	"github.com/oppwa-conformance/oppwa-conformance/sandbox"
	"github.com/oppwa-conformance/oppwa-conformance/twin"
)

// twinAccountBrands are the brands of the account the twin test stands up: cards, 3-D
// Secure and async brands, as a real account enables a few of them.
const twinAccountBrands = "VISA,MASTER,AMEX,DINERS,PAYPAL,SOFORTUEBERWEISUNG,GIROPAY,EPS"

// driftKinds are the changes a faithful twin shows none of.
const driftKinds = "newly-failing,observations,fields-added,fields-removed,redirect"

// TestTwinAnswersAsTheAccountItWasCalibratedFrom stands up a model of a real account
// (the standalone sandbox with 8 brands, answering in every recorded variation), runs
// the suites against it as a real target, and then runs them against the embedded
// sandbox as that run's twin, compared with the run: nothing may have changed. The
// calibration must hold no credential, card number, payment id or session value, and
// discovery against the standalone twin must find exactly the account's brands.
func TestTwinAnswersAsTheAccountItWasCalibratedFrom(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the standalone sandbox and the suites twice")
	}
	base := startStandaloneSandbox(t, "-brands", twinAccountBrands, "-defect", strings.Join(variationModes(), ","))
	creds := sandbox.PublicCredentials()
	account := t.TempDir()
	r := runRunner(t, map[string]string{
		"OPPWA_BASE_URL": base, "OPPWA_ENTITY_ID": creds.EntityID, "OPPWA_ACCESS_TOKEN": creds.AccessToken,
		"OPPWA_OTHER_ENTITY_ID": sandbox.SecondaryCredentials.EntityID, "OPPWA_OTHER_ACCESS_TOKEN": sandbox.SecondaryCredentials.AccessToken,
		"OPPWA_BRANDS": twinAccountBrands, "OPPWA_3DS": "yes", "OPPWA_REPORTING": "yes", "OPPWA_REGISTRATION": "yes",
		"OPPWA_CREDIT": "yes", "OPPWA_MAX_RPS": "20", "OPPWA_REPORT_DIR": account,
	}, "run")
	if r.code != 0 {
		t.Fatalf("the account run exited %d, want 0: %s", r.code, tail(r.stdout))
	}
	calibration := filepath.Join(account, twin.File)
	checkNoSecrets(t, calibration)

	twinDir := t.TempDir()
	r = runRunner(t, map[string]string{"OPPWA_SANDBOX_TWIN": account, "FAIL_ON_DRIFT": driftKinds, "OPPWA_REPORT_DIR": twinDir},
		"run", "-baseline", account)
	if r.code != 0 {
		t.Fatalf("the twin run exited %d, want 0: %s", r.code, tail(r.stdout))
	}
	cert := readCertification(t, twinDir)
	ch := cert.Changes
	switch {
	case ch == nil || ch.NoComparison != "":
		t.Fatalf("the twin run was not compared with the account's: %+v", ch)
	case ch.Selection != "" || len(ch.NewlyFailing) > 0 || len(ch.Observations) > 0 || len(ch.FieldsAdded) > 0 ||
		len(ch.FieldsRemoved) > 0 || len(ch.Redirects) > 0:
		t.Errorf("the twin answered otherwise than the account: %+v", *ch)
	}
	if !strings.HasPrefix(cert.Meta.Target, "embedded sandbox, twin of "+base) {
		t.Errorf("the twin run's target is %q, want the twin of %s", cert.Meta.Target, base)
	}
	checkTwinEvidence(t, cert)

	standalone := startStandaloneSandbox(t, "-twin", calibration)
	d := runRunner(t, map[string]string{"OPPWA_BASE_URL": standalone, "OPPWA_ENTITY_ID": creds.EntityID,
		"OPPWA_ACCESS_TOKEN": creds.AccessToken, "OPPWA_MAX_RPS": "50"}, "discover")
	if want := "OPPWA_BRANDS=AMEX,DINERS,EPS,GIROPAY,MASTER,PAYPAL,SOFORTUEBERWEISUNG,VISA\n"; d.code != 0 || !strings.Contains(d.stdout, want) {
		t.Errorf("discovery against the standalone twin: exit %d, want the account's 8 brands (%q): %s", d.code, want, tail(d.stdout))
	}
}

// variationModes are the sandbox's variation modes: the real platform's recorded and
// documented ways of answering otherwise than the sandbox's default.
func variationModes() []string {
	var names []string
	for _, m := range sandbox.DefectModes() {
		if m.Variation {
			names = append(names, m.Name)
		}
	}
	return names
}

// checkNoSecrets fails when the calibration holds a credential, a full test card
// number or a 32-hex value: the sandbox's payment ids, registration tokens, entity
// ids and session tokens all are.
func checkNoSecrets(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the run against a real target left no calibration: %v", err)
	}
	text := string(b)
	secrets := []string{sandbox.PublicCredentials().AccessToken, sandbox.SecondaryCredentials.AccessToken}
	for _, c := range fixtures.Load().Cards {
		secrets = append(secrets, c.Number)
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("%s holds a secret (%.6s…)", path, s)
		}
	}
	if id := regexp.MustCompile(`(^|[^0-9a-f])[0-9a-f]{32}([^0-9a-f]|$)`).FindString(text); id != "" {
		t.Errorf("%s holds a 32-hex id: %q", path, id)
	}
}

// checkTwinEvidence requires the twin run's observations of claims the account
// answered to rest on the account's own run.
func checkTwinEvidence(t *testing.T, cert reports.Certification) {
	t.Helper()
	for _, s := range cert.Specs {
		for _, o := range s.Observations {
			if strings.HasPrefix(o.Grade, "recorded (this account, ") && strings.HasPrefix(o.Source, "twin.json of ") {
				return
			}
		}
	}
	t.Error("no observation of the twin run rests on the account's run (grade recorded (this account, date))")
}

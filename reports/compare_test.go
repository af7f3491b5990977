package reports

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/oppwa-conformance/oppwa-conformance/outcome"
	"github.com/oppwa-conformance/oppwa-conformance/twin"
)

func handMade() Fingerprint {
	return Fingerprint{
		Version: FingerprintVersion, RunID: "night-1", Date: t0,
		Target:       FPTarget{Host: "eu-test.oppwa.com", BaseURL: "https://eu-test.oppwa.com/", Embedded: false},
		BuildNumbers: []string{"b1"},
		Specs: []FPSpec{
			{ID: "S2S-PA-VISA", State: "passed"},
			{ID: "S2S-DB-VISA", State: "failed"},
			{ID: "S2S-NEG-AUTH-001", State: "passed", Observations: []FPObservation{{Claim: "no-token code", Seen: "800.900.300"}}},
			{ID: "S2S-WF-MASTER", State: "skipped"},
		},
		Fields: map[string][]string{
			twin.ReplyPayment: {"id", "result", "result.code"},
			twin.ReplyError:   {"result", "result.code", "result.parameterErrors", "result.parameterErrors[].name"},
		},
		Redirects: map[string]RedirectShape{"PAYPAL": {Method: "GET", Parameters: []string{"ndcid", "sessionToken"}}},
		FlowP50Ms: map[string]int64{"PA": 100, "DB": 100, "async-approve": 1000},
	}
}

func TestCompareListsEveryKindOfChange(t *testing.T) {
	base, now := handMade(), handMade()
	now.RunID, now.BuildNumbers = "night-2", []string{"b2"}
	now.Specs = []FPSpec{
		{ID: "S2S-PA-VISA", State: "failed"},
		{ID: "S2S-DB-VISA", State: "passed"},
		{ID: "S2S-NEG-AUTH-001", State: "passed", Observations: []FPObservation{{Claim: "no-token code", Seen: "200.300.404"}}},
		{ID: "S2S-WF-MASTER", State: "skipped"},
	}
	now.Fields = map[string][]string{
		twin.ReplyPayment: {"id", "result", "result.code", "result.extra"},
		twin.ReplyError:   {"result", "result.code"},
		twin.ReplyReport:  {"payments"}, // a kind only this run saw: the selection, not the platform
	}
	now.Redirects = map[string]RedirectShape{"PAYPAL": {Method: "absent", Parameters: []string{"ndcid", "sessionToken"}}}
	now.FlowP50Ms = map[string]int64{"PA": 400, "DB": 140, "async-approve": 1050}

	ch := Compare(base, now)
	if ch.NoComparison != "" || ch.Selection != "" || ch.Baseline.RunID != "night-1" {
		t.Fatalf("unexpected header: %+v", ch)
	}
	if !slices.Equal(ch.NewlyFailing, []string{"S2S-PA-VISA"}) || !slices.Equal(ch.NewlyPassing, []string{"S2S-DB-VISA"}) {
		t.Errorf("state flips: failing %v passing %v", ch.NewlyFailing, ch.NewlyPassing)
	}
	if len(ch.Observations) != 1 || ch.Observations[0].Before != "800.900.300" || ch.Observations[0].Now != "200.300.404" {
		t.Errorf("observations: %+v", ch.Observations)
	}
	if !slices.Equal(ch.FieldsAdded[twin.ReplyPayment], []string{"result.extra"}) || len(ch.FieldsAdded) != 1 {
		t.Errorf("fields added: %v", ch.FieldsAdded)
	}
	if !slices.Equal(ch.FieldsRemoved[twin.ReplyError], []string{"result.parameterErrors", "result.parameterErrors[].name"}) {
		t.Errorf("fields removed: %v", ch.FieldsRemoved)
	}
	if len(ch.Redirects) != 1 || ch.Redirects[0].Brand != "PAYPAL" || ch.Redirects[0].Now.Method != "absent" {
		t.Errorf("redirects: %+v", ch.Redirects)
	}
	// PA: ×4 and +300 ms; DB: +40 ms only; async-approve: +50 ms and ×1.05.
	if len(ch.SlowerFlows) != 1 || ch.SlowerFlows[0].Flow != "PA" || ch.SlowerFlows[0].NowMs != 400 {
		t.Errorf("slower flows: %+v", ch.SlowerFlows)
	}
	if ch.BuildNumber == nil || ch.BuildNumber.Now[0] != "b2" {
		t.Errorf("build number: %+v", ch.BuildNumber)
	}
	if !slices.Equal(ch.Kinds(), DriftKinds) {
		t.Errorf("kinds %v, want all of %v", ch.Kinds(), DriftKinds)
	}
	if got := ch.FailingKinds([]string{DriftRedirect, DriftFieldsRemoved}); !slices.Equal(got, []string{DriftFieldsRemoved, DriftRedirect}) {
		t.Errorf("failing kinds %v", got)
	}
	text := strings.Join(ch.Lines(), "\n")
	for _, want := range []string{"newly-failing: S2S-PA-VISA", "800.900.300 → 200.300.404", "payment reply: result.extra",
		"PAYPAL: method GET", "flow PA p50 100 ms → 400 ms (×4.0, +300 ms", "build-number: b1 → b2"} {
		if !strings.Contains(text, want) {
			t.Errorf("lines lack %q:\n%s", want, text)
		}
	}
}

func TestCompareSameRunIsNoChange(t *testing.T) {
	ch := Compare(handMade(), handMade())
	if len(ch.Kinds()) != 0 || len(ch.Lines()) != 0 || !strings.HasPrefix(ch.Title(), "Changes since night-1") {
		t.Fatalf("changes between equal fingerprints: %v %v", ch.Kinds(), ch.Lines())
	}
}

func TestCompareNotesADifferentSelection(t *testing.T) {
	now := handMade()
	now.Specs = now.Specs[:1]
	if ch := Compare(handMade(), now); !strings.Contains(ch.Selection, "2 only in the baseline, 0 only now") {
		t.Fatalf("selection note %q", ch.Selection)
	}
}

func TestCompareRefusesAnotherTargetOrFormat(t *testing.T) {
	embedded := handMade()
	embedded.Target = FPTarget{Host: "embedded sandbox", BaseURL: "http://127.0.0.1:4242/", Embedded: true}
	otherHost := handMade()
	otherHost.Target.BaseURL = "https://test.oppwa.com/"
	old := handMade()
	old.Version = 0
	for name, base := range map[string]Fingerprint{"embedded": embedded, "other host": otherHost, "old format": old} {
		ch := Compare(base, handMade())
		if !strings.HasPrefix(ch.NoComparison, "no comparison: ") || strings.Contains(ch.NoComparison, "\n") || len(ch.Kinds()) != 0 {
			t.Errorf("%s: %+v", name, ch)
		}
	}
	// The embedded sandbox listens on a new port each run: still the same target.
	again := embedded
	again.Target.BaseURL = "http://127.0.0.1:5353/"
	if ch := Compare(embedded, again); ch.NoComparison != "" {
		t.Errorf("embedded runs not compared: %s", ch.NoComparison)
	}
}

func TestParseDriftKinds(t *testing.T) {
	got, err := ParseDriftKinds(" fields-removed, newly-failing,,redirect,redirect ")
	if err != nil || !slices.Equal(got, []string{DriftFieldsRemoved, DriftNewlyFailing, DriftRedirect}) {
		t.Fatalf("got %v, %v", got, err)
	}
	if _, err := ParseDriftKinds("fields-removed,bogus"); err == nil || !strings.Contains(err.Error(), `"bogus"`) || !strings.Contains(err.Error(), "newly-failing, newly-passing") {
		t.Fatalf("unknown kind: %v", err)
	}
}

func TestJudgeCountsDriftAsAContractFailure(t *testing.T) {
	v, reason, exit := Judge(Counts{Specs: 3, Passed: 3, Drift: "fields-removed,redirect"})
	if v != VerdictFail || exit != outcome.ExitContract || !strings.Contains(reason, "fields-removed, redirect") {
		t.Fatalf("Judge = %s %d %q", v, exit, reason)
	}
}

func TestWriteFingerprintAndChanges(t *testing.T) {
	dir, _, _ := writeTestReport(t)
	fp, err := LoadFingerprint(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fp.RunID != "run1" || !slices.Equal(fp.BuildNumbers, []string{"sandbox-1.2.3@2025"}) || !fp.Target.Embedded {
		t.Errorf("fingerprint header: %+v", fp)
	}
	if !slices.Contains(fp.Fields[twin.ReplyPayment], "result.code") || !slices.Contains(fp.Fields[twin.ReplyPayment], "buildNumber") {
		t.Errorf("payment fields: %v", fp.Fields[twin.ReplyPayment])
	}
	if r := fp.Redirects["PAYPAL"]; r.Method != "no redirect" {
		t.Errorf("PAYPAL redirect: %+v", r)
	}
	if fp.FlowP50Ms["PA"] != 1500 {
		t.Errorf("flow p50: %v", fp.FlowP50Ms)
	}
	b, _ := os.ReadFile(filepath.Join(dir, FingerprintFile))
	if strings.Contains(string(b), "411111") || strings.Contains(string(b), "8ac7a4a1") {
		t.Errorf("fingerprint carries values: %s", b)
	}

	// A run compared with the directory it overwrites reads the baseline first.
	r := buildReport(t)
	r.SpecReports[1].ReportEntries[0] = entry("transcript", txn(`{"id":"x","result":{"code":"000.100.110","risk":"low"},"buildNumber":"sandbox-1.2.3@2025"}`))
	meta := testMeta
	meta.RunID, meta.Baseline, meta.FailOnDrift = "run2", dir, []string{DriftFieldsAdded}
	if err := Write(dir, roundTrip(t, r), meta); err != nil {
		t.Fatal(err)
	}
	c := readCert(t, dir)
	if c.Changes == nil || !slices.Contains(c.Changes.FieldsAdded[twin.ReplyPayment], "result.risk") || c.Counts.Drift != DriftFieldsAdded {
		t.Fatalf("changes: %+v, drift %q", c.Changes, c.Counts.Drift)
	}
	html, _ := os.ReadFile(filepath.Join(dir, HTMLFile))
	verdict, changes := strings.Index(string(html), `id="verdict"`), strings.Index(string(html), "Changes since run1")
	if verdict < 0 || changes < verdict || changes > strings.Index(string(html), `id="counts"`) {
		t.Errorf("the changes section is not right after the verdict (%d, %d)", verdict, changes)
	}
}

func TestLoadFingerprintSaysWhyInOneLine(t *testing.T) {
	tmp := t.TempDir()
	older := filepath.Join(tmp, "older")
	_ = os.MkdirAll(older, 0o755)
	_ = os.WriteFile(filepath.Join(older, CertificationFile), []byte(`{}`), 0o644)
	garbage := filepath.Join(tmp, "garbage.json")
	_ = os.WriteFile(garbage, []byte("{not json"), 0o644)
	noVersion := filepath.Join(tmp, "v0.json")
	_ = os.WriteFile(noVersion, []byte(`{"runId":"x"}`), 0o644)
	for path, want := range map[string]string{
		filepath.Join(tmp, "missing"): "does not exist",
		older:                         "older report format (no fingerprint.json)",
		garbage:                       "unreadable",
		noVersion:                     "another report format (fingerprint version 0",
	} {
		ch := CompareWithBaseline(path, handMade())
		if !strings.HasPrefix(ch.NoComparison, "no comparison: baseline "+path) || !strings.Contains(ch.NoComparison, want) || strings.Contains(ch.NoComparison, "\n") {
			t.Errorf("%s: %q, want one line with %q", path, ch.NoComparison, want)
		}
	}
}

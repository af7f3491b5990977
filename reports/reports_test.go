package reports

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/oppwa-conformance/oppwa-conformance/drivers/browser"
	"github.com/oppwa-conformance/oppwa-conformance/drivers/oppwa"
	"github.com/oppwa-conformance/oppwa-conformance/outcome"
)

var t0 = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

func testJPEG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 40))
	for x := range 64 {
		for y := range 40 {
			img.Set(x, y, color.RGBA{uint8(x * 4), 90, uint8(y * 6), 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 70}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// entry builds a report entry the way Ginkgo's AddReportEntry does: the value wrapped,
// AsJSON empty until the report is encoded.
func entry(name string, v any) types.ReportEntry {
	return types.ReportEntry{Name: name, Value: types.WrapEntryValue(v), Visibility: types.ReportEntryVisibilityNever, Time: t0}
}

// spec builds a spec report; text is "[ID] MUST ...", and the ID and the flow (the
// first of labels) become the id: and flow: labels, as framework.Conformance does.
func spec(text string, state types.SpecState, msg string, labels []string, line int, entries ...types.ReportEntry) types.SpecReport {
	if id, must, ok := strings.Cut(strings.TrimPrefix(text, "["), "] "); ok {
		text = must
		labels = append(SpecMeta{ID: id, Flow: labels[0]}.Labels(), labels[1:]...)
	}
	sr := types.SpecReport{
		ContainerHierarchyTexts: []string{"payments"},
		LeafNodeType:            types.NodeTypeIt,
		LeafNodeText:            text,
		LeafNodeLabels:          labels,
		LeafNodeLocation:        types.CodeLocation{FileName: "/src/suites/payments/payments.go", LineNumber: line},
		State:                   state,
		StartTime:               t0.Add(time.Duration(line) * time.Second),
		EndTime:                 t0.Add(time.Duration(line)*time.Second + 1500*time.Millisecond),
		RunTime:                 1500 * time.Millisecond,
		ReportEntries:           entries,
	}
	if state.Is(types.SpecStateFailureStates) || state == types.SpecStateSkipped && msg != "" {
		sr.Failure = types.Failure{Message: msg, Location: types.CodeLocation{FileName: "/src/suites/payments/payments.go", LineNumber: line + 5}}
	}
	return sr
}

// A spec the label filter left out is not selected; one skipped with a reason is
// skipped; a failed suite setup ran no spec and says which node failed.
func TestCountsTellSelectionSkipsAndSetup(t *testing.T) {
	r := types.Report{SpecReports: types.SpecReports{
		spec("[S2S-PA-VISA] MUST pay", types.SpecStatePassed, "", []string{"PA", "brand:VISA"}, 1),
		spec("[S2S-CD-001] MUST credit", types.SpecStateSkipped, "not declared: credit", []string{"CD"}, 2,
			entry(EntryNotDeclared, NotDeclared{Capability: "credit", Reason: "set OPPWA_CREDIT=yes"})),
		spec("[S2S-DB-VISA] MUST debit", types.SpecStateSkipped, "", []string{"DB", "brand:VISA"}, 3),
	}}
	c := Summarize(r, Meta{})
	if want := (Counts{Specs: 3, Ran: 1, Passed: 1, Skipped: 1, NotSelected: 1}); c.Counts != want {
		t.Errorf("counts = %+v, want %+v", c.Counts, want)
	}
	if len(c.NotVerified) != 1 || c.NotVerified[0] != (NotVerified{Capability: "credit", Specs: 1, Reason: "set OPPWA_CREDIT=yes"}) {
		t.Errorf("not verified = %+v, want credit from the spec's entry", c.NotVerified)
	}
	msg := EnvironmentPrefix + "suite setup: start embedded sandbox: listen: address in use"
	setup := types.Report{SpecReports: types.SpecReports{{
		LeafNodeType: types.NodeTypeBeforeSuite, State: types.SpecStateFailed,
		Failure:       types.Failure{Message: msg},
		ReportEntries: []types.ReportEntry{entry(EntryFailure, Failure{Kind: outcome.Environment, Message: msg})},
	}}}
	c = Summarize(setup, Meta{})
	if c.Counts.Ran != 0 || c.Counts.Setup != "BeforeSuite" || c.ExitCode != outcome.ExitEnvironment || !strings.Contains(c.Reason, "BeforeSuite") {
		t.Errorf("setup failure: counts %+v, exit %d, reason %q", c.Counts, c.ExitCode, c.Reason)
	}
}

func txn(body string) []oppwa.Exchange {
	return []oppwa.Exchange{{
		Method: "POST", URL: "https://sandbox.local/v1/payments",
		RequestHeaders: map[string][]string{"Authorization": {"Bearer ****"}},
		RequestBody:    "amount=92.00&currency=EUR&paymentBrand=VISA&card.number=411111******1111",
		Status:         200, ResponseBody: body, Started: t0.Add(time.Second), Duration: 42 * time.Millisecond, Attempts: 1,
	}}
}

// buildReport is a run with every outcome: passed with evidence, contract failure,
// environment failure, skipped, an unbranded spec and a hostile reply body.
func buildReport(t *testing.T) types.Report {
	okBody := `{"id":"8ac7a4a1","paymentType":"PA","result":{"code":"000.100.110","description":"Request successfully processed"},"buildNumber":"sandbox-1.2.3@2025"}`
	pay := []Payment{{ID: "8ac7a4a18f1e2b3c4d5e6f7a8b9c0d1e", PaymentType: "PA", Brand: "VISA", MerchantTransactionID: "run1-p1-1", Code: "000.100.110", Group: "success"}}
	shots := []Shot{{Step: "checkout page", URL: "https://sandbox.local/checkout/abc", At: t0, JPEG: testJPEG(t)}}
	stuck := StuckPage{URL: "https://bank.example/step2", Title: "Test bank <step 2>", JPEG: testJPEG(t),
		Forms:    []StuckForm{{Action: "/step3", Method: "POST", Selector: "#bankForm"}},
		Inputs:   []StuckInput{{Name: "sc", Type: "text", Required: true, Value: "10", Selector: `input[name="sc"]`}},
		Controls: []StuckControl{{Text: "Proceed ▸", Selector: "#go"}},
		Draft:    `{"scripts": [{"name": "draft-bank-example-step2"}]}`}
	return types.Report{
		SuitePath: "/src/suites", SuiteDescription: "OPPWA server-to-server conformance", SuiteSucceeded: false,
		StartTime: t0, EndTime: t0.Add(90 * time.Second), RunTime: 90 * time.Second,
		SpecReports: types.SpecReports{
			{LeafNodeType: types.NodeTypeBeforeSuite, State: types.SpecStatePassed},
			spec("[S2S-PA-VISA] MUST answer a preauthorization (PA) with VISA's test data", types.SpecStatePassed, "",
				[]string{"PA", "sync", "brand:VISA"}, 10, entry("transcript", txn(okBody)), entry("payments", pay)),
			spec("[S2S-DB-VISA] MUST answer a debit (DB) with VISA's test data", types.SpecStateFailed,
				"result.code: expected a success code, got 800.100.151", []string{"DB", "sync", "brand:VISA"}, 20,
				entry("transcript", txn(`{"result":{"code":"800.100.151"},"note":"<script>alert(1)</script>"}`))),
			spec("[S2S-PA-MASTER] MUST answer a preauthorization (PA) with MASTER's test data", types.SpecStateFailed,
				"[environment] send PA: dial tcp: connection refused", []string{"PA", "sync", "brand:MASTER"}, 30,
				entry("stuck-page", stuck), entry(EntryFailure, Failure{Kind: outcome.Environment, Message: "[environment] send PA: dial tcp: connection refused"})),
			spec("[S2S-WF-MASTER] MASTER MUST complete its documented workflow", types.SpecStateSkipped, "",
				[]string{"workflow", "brand:MASTER"}, 40),
			spec("[S2S-ASYNC-PAYPAL-APPROVE] for PAYPAL, the async workflow MUST end in success when the shopper approves",
				types.SpecStatePassed, "", []string{"async-approve", "async", "browser", "brand:PAYPAL"}, 50,
				entry("screenshots", shots), entry("transcript", txn(okBody))),
			spec("[S2S-CP-001] MUST capture the full amount of a successful PA", types.SpecStatePassed, "",
				[]string{"CP", "sync", "backoffice"}, 60),
		},
	}
}

// roundTrip encodes and decodes the report as Ginkgo does between processes, so that
// entry values exist only as AsJSON, as in ReportAfterSuite of a parallel run.
func roundTrip(t *testing.T, r types.Report) types.Report {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var out types.Report
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if out.SpecReports[1].ReportEntries[0].Value.AsJSON == "" {
		t.Fatal("round trip did not populate AsJSON")
	}
	return out
}

var testMeta = Meta{
	Target: "sandbox.local", BaseURL: "https://sandbox.local", Embedded: true, EntityID: "8a8294174b7ecb28014b9699220015ca",
	Brands: []string{"VISA", "MASTER", "PAYPAL", "AMEX"}, Currency: "EUR", Browser: "Chromium 156.0.8078.79",
	RunID: "run1", Args: []string{"/tmp/suites.test", "--ginkgo.label-filter=sync && brand:VISA"},
}

func readCert(t *testing.T, dir string) Certification {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, CertificationFile))
	if err != nil {
		t.Fatal(err)
	}
	var c Certification
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func writeTestReport(t *testing.T) (string, Certification, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "report")
	start := time.Now()
	if err := Write(dir, roundTrip(t, buildReport(t)), testMeta); err != nil {
		t.Fatal(err)
	}
	t.Logf("Write took %v", time.Since(start))
	html, err := os.ReadFile(filepath.Join(dir, HTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	return dir, readCert(t, dir), string(html)
}

func TestWriteCertification(t *testing.T) {
	_, c, _ := writeTestReport(t)
	want := Counts{Specs: 6, Ran: 5, Passed: 3, Contract: 1, Environment: 1, NotSelected: 1}
	if c.Counts != want {
		t.Errorf("counts = %+v, want %+v", c.Counts, want)
	}
	if c.Verdict != VerdictFail {
		t.Errorf("verdict = %s, want FAIL (a contract failure beats an environment one)", c.Verdict)
	}
	if c.BuildNumber != "sandbox-1.2.3@2025" {
		t.Errorf("buildNumber = %q", c.BuildNumber)
	}
	if c.Meta.RunID != "run1" || c.DurationMs != 90000 {
		t.Errorf("meta/duration not carried: %+v %d", c.Meta, c.DurationMs)
	}
	byID := map[string]SpecResult{}
	for _, s := range c.Specs {
		byID[s.ID] = s
	}
	if len(byID) != 6 {
		t.Fatalf("specs = %d (passing BeforeSuite must not appear): %+v", len(byID), c.Specs)
	}
	for id, w := range map[string]struct {
		kind        outcome.Kind
		flow, brand string
	}{
		"S2S-PA-VISA": {"", "PA", "VISA"}, "S2S-DB-VISA": {"contract", "DB", "VISA"},
		"S2S-PA-MASTER": {"environment", "PA", "MASTER"}, "S2S-ASYNC-PAYPAL-APPROVE": {"", "async-approve", "PAYPAL"},
		"S2S-WF-MASTER": {"", "workflow", "MASTER"}, "S2S-CP-001": {"", "CP", ""},
	} {
		s := byID[id]
		if s.FailureKind != w.kind || s.Flow != w.flow || s.Brand != w.brand {
			t.Errorf("%s: kind/flow/brand = %q/%q/%q, want %q/%q/%q", id, s.FailureKind, s.Flow, s.Brand, w.kind, w.flow, w.brand)
		}
	}
	pa := byID["S2S-PA-VISA"]
	if !strings.HasPrefix(pa.Must, "MUST answer") || pa.DurationMs != 1500 || len(pa.Payments) != 1 || pa.Payments[0].Code != "000.100.110" {
		t.Errorf("S2S-PA-VISA = %+v", pa)
	}
}

func TestWriteHTML(t *testing.T) {
	_, _, html := writeTestReport(t)
	for _, want := range []string{
		`<span class="v">FAIL</span>`,
		`id="matrix"`, `<tr data-brand="VISA">`, `<tr data-brand="MASTER">`, `<tr data-brand="PAYPAL">`,
		`<tr data-brand="AMEX"><th class="brand">AMEX</th><td class="none">—</td>`, // configured, no spec
		`>Async approve</th>`, `>Workflow</th>`,
		`href="#S2S-PA-VISA"`, `id="S2S-PA-VISA"`, `id="S2S-CP-001"`, `id="unbranded"`,
		`<img src="data:image/jpeg;base64,/9j/`, `checkout page`,
		`class="transcript"`, `POST https://sandbox.local/v1/payments`, `&#34;buildNumber&#34;: &#34;sandbox-1.2.3@2025&#34;`,
		`card.number=411111******1111`, `8ac7a4a18f1e2b3c4d5e6f7a8b9c0d1e`, `success`,
		`environment failure`, `contract failure`, `Chromium 156.0.8078.79`, `buildNumber sandbox-1.2.3@2025`,
		`&#39;--ginkgo.label-filter=sync &amp;&amp; brand:VISA&#39;`, `8a8294174b7ecb28014b9699220015ca`,
		`<summary>Stuck page: Test bank &lt;step 2&gt;</summary>`, `https://bank.example/step2`, `<code>#bankForm</code>`,
		`<td>sc</td><td>text</td><td>required</td><td>10</td>`, `<td>Proceed ▸</td><td><code>#go</code></td>`,
		`draft-bank-example-step2`, `save this as a .json file in the directory named by OPPWA_SHOPPER_PAGES`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("index.html lacks %q", want)
		}
	}
	if strings.Contains(html, "<script>alert") {
		t.Error("a reply body reached the HTML unescaped")
	}
	if strings.Contains(html, "ZgotmplZ") {
		t.Error("html/template rejected a value (data: URI or link)")
	}
	if strings.Contains(html, "http://") && strings.Contains(html, "<link") {
		t.Error("the report must not load anything from the network")
	}
}

// TestWriteSerialEntries covers the serial run: entries never encoded, AsJSON empty.
func TestWriteSerialEntries(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, buildReport(t), testMeta); err != nil {
		t.Fatal(err)
	}
	c := readCert(t, dir)
	if c.BuildNumber != "sandbox-1.2.3@2025" || c.Counts.Passed != 3 {
		t.Errorf("serial report lost its evidence: build %q counts %+v", c.BuildNumber, c.Counts)
	}
}

func TestJudgeGivesOneVerdictAndExitCode(t *testing.T) {
	for _, tc := range []struct {
		c    Counts
		want string
		exit outcome.ExitCode
	}{
		{Counts{Passed: 3}, VerdictPass, outcome.ExitPass},
		{Counts{Passed: 3, Environment: 1}, VerdictInconclusive, outcome.ExitEnvironment},
		{Counts{Passed: 3, Environment: 1, Contract: 1}, VerdictFail, outcome.ExitContract},
		{Counts{Passed: 3, Contract: 1}, VerdictFail, outcome.ExitContract},
		{Counts{Skipped: 4}, VerdictInconclusive, outcome.ExitConfig},
	} {
		got, reason, exit := Judge(tc.c)
		if got != tc.want || exit != tc.exit || reason == "" {
			t.Errorf("Judge(%+v) = %s, %d, %q; want %s, %d", tc.c, got, exit, reason, tc.want, tc.exit)
		}
	}
}

func TestSpecMetaRoundTripsThroughLabels(t *testing.T) {
	m := SpecMeta{ID: "S2S-ASYNC-PAYPAL-APPROVE", Flow: "async-approve", Brand: "PAYPAL"}
	labels := append([]string{"async", "browser"}, m.Labels()...)
	if got := MetaOf(labels); got != m {
		t.Errorf("MetaOf(%v) = %+v, want %+v", labels, got, m)
	}
	if got := (SpecMeta{ID: "S2S-CP-001"}).Labels(); len(got) != 1 || got[0] != "id:S2S-CP-001" {
		t.Errorf("empty fields must give no label: %v", got)
	}
}

// shard writes a shard's report.json and certification.json, as a CI job leaves them.
func shard(t *testing.T, dir string, r types.Report, m Meta) string {
	t.Helper()
	if err := Write(dir, r, m); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal([]types.Report{r})
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, JSONFile)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestMerge(t *testing.T) {
	full := buildReport(t)
	// Shard 1 ran VISA and the unbranded specs, shard 2 the rest; each reports the
	// other's specs as skipped, as a label filter does.
	s1, s2 := full, full
	s1.SpecReports, s2.SpecReports = nil, nil
	for _, sr := range full.SpecReports {
		skipped := sr
		skipped.State, skipped.Failure, skipped.ReportEntries = types.SpecStateSkipped, types.Failure{}, nil
		if sr.LeafNodeType != types.NodeTypeIt || slices.Contains(sr.Labels(), "brand:VISA") || slices.Contains(sr.Labels(), "id:S2S-CP-001") {
			s1.SpecReports, s2.SpecReports = append(s1.SpecReports, sr), append(s2.SpecReports, skipped)
		} else {
			s1.SpecReports, s2.SpecReports = append(s1.SpecReports, skipped), append(s2.SpecReports, sr)
		}
	}
	s2.StartTime, s2.EndTime = t0.Add(-time.Minute), t0.Add(2*time.Minute)
	root := t.TempDir()
	m1, m2 := testMeta, testMeta
	m1.Brands, m1.RunID = []string{"VISA"}, "run1"
	m2.Brands, m2.RunID = []string{"MASTER", "PAYPAL"}, "run2"
	p1 := shard(t, filepath.Join(root, "shard1"), s1, m1)
	p2 := shard(t, filepath.Join(root, "shard2"), s2, m2)

	out := filepath.Join(root, "merged")
	start := time.Now()
	if err := Merge(out, []string{p1, p2}, MergeOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Logf("Merge took %v", time.Since(start))
	c := readCert(t, out)
	want := Counts{Specs: 6, Ran: 5, Passed: 3, Contract: 1, Environment: 1, NotSelected: 1}
	if c.Counts != want {
		t.Errorf("merged counts = %+v, want %+v", c.Counts, want)
	}
	if strings.Join(c.Meta.Brands, ",") != "VISA,MASTER,PAYPAL" || c.Meta.RunID != "run1, run2" || len(c.Meta.Sources) != 2 {
		t.Errorf("merged meta = %+v", c.Meta)
	}
	if c.DurationMs != 180000 {
		t.Errorf("merged duration = %d ms, want the span of both shards", c.DurationMs)
	}
	var rs []types.Report
	b, err := os.ReadFile(filepath.Join(out, JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &rs); err != nil || len(rs) != 1 || len(rs[0].SpecReports) != 6 {
		t.Fatalf("merged report.json: %v, %d reports", err, len(rs))
	}
	junit, err := os.ReadFile(filepath.Join(out, JUnitFile))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(junit), "<testcase "); n != 6 {
		t.Errorf("junit.xml has %d testcases, want 6", n)
	}
	html, _ := os.ReadFile(filepath.Join(out, HTMLFile))
	if !strings.Contains(string(html), `<img src="data:image/jpeg;base64,`) || !strings.Contains(string(html), `data-brand="PAYPAL"`) {
		t.Error("merged index.html lost shard 2's evidence")
	}
}

func TestMergeErrors(t *testing.T) {
	if err := Merge(t.TempDir(), nil, MergeOptions{}); err == nil {
		t.Error("Merge of nothing must fail")
	}
	bad := filepath.Join(t.TempDir(), "report.json")
	_ = os.WriteFile(bad, []byte("{"), 0o644)
	if err := Merge(t.TempDir(), []string{bad}, MergeOptions{}); err == nil || !strings.Contains(err.Error(), "not a Ginkgo JSON report") {
		t.Errorf("Merge of a broken file: %v", err)
	}
}

func chromeBin() string {
	b, _ := browser.FindExec(os.Getenv("CHROME_BIN"))
	return b
}

// TestHTMLInChromium opens index.html in real headless Chromium from a file:// URL: the
// matrix must render with its brand rows and the screenshot must decode.
func TestHTMLInChromium(t *testing.T) {
	bin := chromeBin()
	if st, err := os.Stat(bin); err != nil || st.IsDir() {
		t.Skipf("Chromium not found at %s (install Debian package chromium or set CHROME_BIN)", bin)
	}
	dir, _, _ := writeTestReport(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.WindowSize(1280, 1000),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("log-level", "3"))
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()
	// Start the browser without a deadline (its lifetime follows the first ctx), then
	// bound the actions.
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	ctx, cancel := context.WithTimeout(bctx, 30*time.Second)
	defer cancel()

	start := time.Now()
	if err := chromedp.Do(ctx,
		chromedp.Navigate("file://"+filepath.Join(dir, HTMLFile)),
		chromedp.WaitVisible(chromedp.CSS("#matrix")),
	); err != nil {
		t.Fatalf("load report: %v", err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#matrix")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"VISA", "MASTER", "PAYPAL", "Async approve", "FAIL", "ENV", "pass"} {
		if !strings.Contains(text, want) {
			t.Errorf("rendered matrix lacks %q:\n%s", want, text)
		}
	}
	verdict, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#verdict")))
	if err != nil || !strings.Contains(verdict, "FAIL") {
		t.Errorf("verdict banner = %q, %v", verdict, err)
	}
	w, err := chromedp.Run(ctx, chromedp.Evaluate[int](`(async () => { const i = document.querySelector("section.spec img"); await i.decode(); return i.naturalWidth })()`,
		chromedp.EvalAwaitPromise))
	if err != nil || w != 64 {
		t.Errorf("screenshot image width = %d, %v; want the 64 px test JPEG decoded", w, err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Chromium load+checks+screenshot took %v", time.Since(start))
	for _, p := range []string{filepath.Join(t.TempDir(), "index-screenshot.png"), os.Getenv("REPORT_SCREENSHOT")} {
		if p == "" {
			continue
		}
		if err := os.WriteFile(p, png, 0o644); err != nil {
			t.Errorf("save screenshot: %v", err)
		} else {
			t.Logf("screenshot saved to %s (%d bytes)", p, len(png))
		}
	}
}

// The kind is the one the framework recorded with the failure Ginkgo kept: a message
// that merely reads "[environment]" decides nothing, a failure Ginkgo raised itself (a
// timeout) after an environment failure was recorded is the contract's, and an
// interrupted run is the environment's.
func TestFailureKindIsRecordedData(t *testing.T) {
	envEntry := entry(EntryFailure, Failure{Kind: outcome.Environment, Message: "[environment] API call: dial tcp: refused"})
	r := types.Report{SpecReports: types.SpecReports{
		spec("[S2S-A-1] MUST a", types.SpecStateFailed, "[environment] API call: dial tcp: refused", []string{"PA"}, 1, envEntry),
		spec("[S2S-A-2] MUST b", types.SpecStateFailed, "expected 000.100.110, got [environment] in a reply", []string{"PA"}, 2),
		spec("[S2S-A-3] MUST c", types.SpecStateTimedout, "A spec timeout occurred", []string{"PA"}, 3, envEntry),
		spec("[S2S-A-4] MUST d", types.SpecStateInterrupted, "interrupted by user", []string{"PA"}, 4),
	}}
	want := map[string]outcome.Kind{"S2S-A-1": outcome.Environment, "S2S-A-2": outcome.Contract, "S2S-A-3": outcome.Contract, "S2S-A-4": outcome.Environment}
	for _, s := range Summarize(r, Meta{}).Specs {
		if s.FailureKind != want[s.ID] {
			t.Errorf("%s: kind %q, want %q", s.ID, s.FailureKind, want[s.ID])
		}
	}
}

// A spec one shard skipped for a capability the account did not declare, and the
// other shard did not select, stays skipped with its reason in the merged report.
func TestMergeKeepsASkipsReason(t *testing.T) {
	reason := "[not declared] webhook: OPPWA_WEBHOOK_URL and OPPWA_WEBHOOK_KEY are not set"
	skipped := spec("[S2S-WH-001] MUST notify", types.SpecStateSkipped, reason, []string{"webhook"}, 1,
		entry(EntryNotDeclared, NotDeclared{Capability: "webhook", Reason: "set OPPWA_WEBHOOK_URL"}))
	skipped.Failure.Message = reason
	notSelected := spec("[S2S-WH-001] MUST notify", types.SpecStateSkipped, "", []string{"webhook"}, 1)
	root := t.TempDir()
	r1, r2 := types.Report{StartTime: t0, EndTime: t0}, types.Report{StartTime: t0, EndTime: t0}
	r1.SpecReports, r2.SpecReports = types.SpecReports{notSelected}, types.SpecReports{skipped}
	p1 := shard(t, filepath.Join(root, "s1"), r1, testMeta)
	p2 := shard(t, filepath.Join(root, "s2"), r2, testMeta)
	out := filepath.Join(root, "merged")
	if err := Merge(out, []string{p1, p2}, MergeOptions{}); err != nil {
		t.Fatal(err)
	}
	c := readCert(t, out)
	if c.Counts.Skipped != 1 || c.Counts.NotSelected != 0 || len(c.NotVerified) != 1 {
		t.Errorf("merged counts %+v, not verified %+v: want the spec skipped for webhook", c.Counts, c.NotVerified)
	}
}

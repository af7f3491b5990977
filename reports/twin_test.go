package reports

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/oppwa-conformance/oppwa-conformance/drivers/oppwa"
	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	"github.com/oppwa-conformance/oppwa-conformance/twin"
)

// The values a calibration must never hold, though the transcripts carry them.
const (
	twinPaymentID = "8ac7a4a18f1e2b3c4d5e6f7a8b9c0d1e"
	twinSession   = "0c25d19336a1b2c3d4e5f6a7b8c9d0e1"
	twinEntity    = "8a8294174b7ecb28014b9699220015ca"
)

// accountReport is a run against an account: a PAYPAL payment whose redirect carries
// its parameters as an object, a VISA debit, a refused capture and the shopper's return.
func accountReport() types.Report {
	paypal := oppwa.Exchange{Method: "POST", URL: "https://eu-test.oppwa.com/v1/payments", Status: 200,
		RequestBody:     "entityId=" + twinEntity + "&paymentBrand=PAYPAL&paymentType=DB&amount=92.00",
		ResponseHeaders: []string{"Content-Type", "X-Request-Id"},
		ResponseBody: `{"id":"` + twinPaymentID + `","result":{"code":"000.200.000","description":"transaction pending"},` +
			`"redirect":{"url":"https://eu-test.oppwa.com/connectors/pp","parameters":{"sessionToken":"` + twinSession + `"}},"buildNumber":"abc@2026"}`}
	visa := oppwa.Exchange{Method: "POST", URL: "https://eu-test.oppwa.com/v1/payments", Status: 200,
		RequestBody:  "entityId=" + twinEntity + "&paymentBrand=VISA&paymentType=DB&card.number=420000******0000",
		ResponseBody: `{"id":"` + twinPaymentID + `","result":{"code":"000.000.000","description":"succeeded"},"card":{"bin":"420000","last4Digits":"0000"}}`}
	refused := oppwa.Exchange{Method: "POST", URL: "https://eu-test.oppwa.com/v1/payments/" + twinPaymentID, Status: 400,
		ResponseBody: `{"result":{"code":"700.100.300","description":"invalid amount","parameterErrors":[{"name":"amount","value":"99.00","message":"too large"}]}}`}
	answer := twin.Answer{Claim: "capture-beyond-authorized", Code: "700.100.300", Description: "invalid amount", HTTPStatus: 400}
	return types.Report{SuiteDescription: "OPPWA", StartTime: t0, EndTime: t0, SpecReports: types.SpecReports{
		spec("[S2S-ASYNC-PAYPAL-APPROVE] for PAYPAL, approve", types.SpecStatePassed, "", []string{"async-approve", "brand:PAYPAL"}, 1,
			entry(EntryTranscript, []oppwa.Exchange{paypal}), entry(EntryReturns, [][]string{{"resourcePath"}})),
		spec("[S2S-DB-VISA] debit", types.SpecStatePassed, "", []string{"DB", "brand:VISA"}, 2, entry(EntryTranscript, []oppwa.Exchange{visa})),
		spec("[S2S-BO-002] over-capture", types.SpecStatePassed, "", []string{"CP"}, 3,
			entry(EntryTranscript, []oppwa.Exchange{refused}), entry(EntryAnswers, []twin.Answer{answer})),
	}}
}

func accountMeta() Meta {
	m := testMeta
	m.Embedded, m.BaseURL, m.Target, m.Brands = false, "https://eu-test.oppwa.com/", "eu-test.oppwa.com", []string{"VISA", "PAYPAL"}
	m.Capabilities = []DeclaredCapability{{Name: "3ds", Declared: true}, {Name: "credit"}}
	return m
}

func TestARunAgainstAnAccountCalibratesItsTwin(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, roundTrip(t, accountReport()), accountMeta()); err != nil {
		t.Fatal(err)
	}
	cal, err := twin.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cal.Account.Brands, []string{"VISA", "PAYPAL"}) || !slices.Equal(cal.Account.Capabilities, []string{"3ds"}) {
		t.Errorf("account %+v", cal.Account)
	}
	if r := cal.Redirects["PAYPAL"]; r.Encoding != twin.EncodingObject || r.Method != twin.MethodAbsent || !slices.Equal(r.Parameters, []string{"sessionToken"}) {
		t.Errorf("PAYPAL's redirect %+v", r)
	}
	if !slices.ContainsFunc(cal.Results, func(r twin.Result) bool {
		return r.Brand == "VISA" && r.PaymentType == "DB" && r.Outcome == fixtures.Success && r.Code == "000.000.000"
	}) {
		t.Errorf("results %+v lack VISA's DB success", cal.Results)
	}
	if a, ok := cal.Answer("capture-beyond-authorized"); !ok || a.Code != "700.100.300" {
		t.Errorf("answers %+v", cal.Answers)
	}
	if len(cal.Errors) != 1 || cal.Errors[0].Kind != twin.ReplyBackoffice || !slices.Equal(cal.Errors[0].Parameters, []string{"amount"}) {
		t.Errorf("errors %+v", cal.Errors)
	}
	if !slices.Equal(cal.Returns["PAYPAL"], []string{"resourcePath"}) || !slices.Equal(cal.Headers, []string{"Content-Type", "X-Request-Id"}) ||
		!cal.FieldPaths(twin.ReplyPayment)["card.last4Digits"] || !slices.Equal(cal.BuildNumbers, []string{"abc@2026"}) {
		t.Errorf("returns %v, headers %v, payment fields %v, builds %v", cal.Returns, cal.Headers, cal.Fields[twin.ReplyPayment], cal.BuildNumbers)
	}
	b, _ := os.ReadFile(filepath.Join(dir, twin.File))
	for _, secret := range []string{twinPaymentID, twinSession, twinEntity, "99.00", "420000******0000"} {
		if strings.Contains(string(b), secret) {
			t.Errorf("twin.json holds %q", secret)
		}
	}
}

// Shards of a run against an account merge into one calibration; an embedded run
// writes none.
func TestMergedShardsCalibrateAndEmbeddedRunsDoNot(t *testing.T) {
	root := t.TempDir()
	r := accountReport()
	p1 := shard(t, filepath.Join(root, "s1"), r, accountMeta())
	p2 := shard(t, filepath.Join(root, "s2"), r, accountMeta())
	out := filepath.Join(root, "merged")
	if err := Merge(out, []string{p1, p2}, MergeOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := twin.Load(out); err != nil {
		t.Errorf("merged shards: %v", err)
	}
	embedded := filepath.Join(root, "embedded")
	if err := Write(embedded, r, testMeta); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(embedded, twin.File)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("an embedded run wrote %s (%v)", twin.File, err)
	}
	// A run that saw nothing of the account keeps the calibration that did.
	nothing := r
	nothing.SpecReports = types.SpecReports{{LeafNodeType: types.NodeTypeBeforeSuite, State: types.SpecStateFailed,
		Failure: types.Failure{Message: "[environment] dial tcp: connection refused"}}}
	before, _ := os.ReadFile(filepath.Join(out, twin.File))
	if err := Write(out, nothing, accountMeta()); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(filepath.Join(out, twin.File)); string(after) != string(before) {
		t.Error("a run in which no spec ran replaced the calibration")
	}
}

// What make discover kept for the same account names its brands not configured; a
// discovery of another target adds nothing.
func TestDiscoveryAddsTheBrandsNotConfigured(t *testing.T) {
	for base, want := range map[string]int{"https://eu-test.oppwa.com": 1, "https://test.oppwa.com/": 0} {
		dir := t.TempDir()
		d := twin.Discovery{BaseURL: base, NotConfigured: []twin.BrandRefusal{
			{Brand: "GIROPAY", Code: "600.200.500", HTTPStatus: 400}, {Brand: "VISA", Code: "600.200.500"}}}
		b, _ := json.Marshal(d)
		if err := os.WriteFile(filepath.Join(dir, twin.DiscoveryFile), b, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := Write(dir, accountReport(), accountMeta()); err != nil {
			t.Fatal(err)
		}
		cal, err := twin.Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		// VISA is declared: the run paid with it, so discovery's refusal is stale.
		if got := cal.Account.NotConfigured; len(got) != want || (want == 1 && got[0].Brand != "GIROPAY") {
			t.Errorf("discovery of %s: not configured %+v, want %d (GIROPAY)", base, got, want)
		}
	}
}

// The twin reads a redirect as the fingerprint does, adding only its parameters'
// encoding.
func TestRedirectOfAddsTheEncodingToTheFingerprintsShape(t *testing.T) {
	body := `{"redirect":{"url":"u","method":"GET","parameters":[{"name":"b","value":"1"},{"name":"a","value":"2"},{"name":"b","value":"3"}],` +
		`"preconditions":[{"origin":"iframe#hidden","waitUntil":"iframe#onload","method":"POST","url":"m","parameters":[]}]}}`
	r, ok := redirectOf(body)
	want := twin.Redirect{Method: "GET", Parameters: []string{"a", "b"}, Encoding: twin.EncodingArray, Preconditions: true}
	if !ok || r.Method != want.Method || !slices.Equal(r.Parameters, want.Parameters) || r.Encoding != want.Encoding || r.Preconditions != want.Preconditions {
		t.Errorf("redirectOf = %+v, %v; want %+v", r, ok, want)
	}
	x := oppwa.Exchange{Method: "POST", URL: "https://h/v1/payments", Status: 200, ResponseBody: body}
	if fp, ok := redirectShapeOf([]oppwa.Exchange{x}); !ok || fp.Method != r.Method || !slices.Equal(fp.Parameters, r.Parameters) || fp.Preconditions != r.Preconditions {
		t.Errorf("fingerprint %+v, twin %+v", fp, r)
	}
	for _, none := range []string{`{"id":"x"}`, `{"redirect":{"parameters":7}}`} {
		if r, ok := redirectOf(none); ok {
			t.Errorf("redirectOf(%s) = %+v, want none", none, r)
		}
	}
}

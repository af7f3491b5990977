package reports

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeNight writes a run with meta's run id compared with baseline into a new
// directory and returns it with its certification.
func writeNight(t *testing.T, runID, baseline string) (string, Certification) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), runID)
	meta := testMeta
	meta.RunID, meta.Baseline = runID, baseline
	meta.Capabilities = []DeclaredCapability{{Name: "3ds", Declared: true, How: "OPPWA_3DS=yes"}, {Name: "credit", How: "OPPWA_CREDIT=yes"}}
	if err := Write(dir, roundTrip(t, buildReport(t)), meta); err != nil {
		t.Fatal(err)
	}
	return dir, readCert(t, dir)
}

func TestHistoryIsCarriedFromTheBaseline(t *testing.T) {
	first, c1 := writeNight(t, "night-1", "")
	if c1.History == nil || len(c1.History.Nights) != 1 || c1.History.Nights[0].RunID != "night-1" || len(c1.History.Nights[0].Failing) == 0 {
		t.Fatalf("the first night's history: %+v", c1.History)
	}
	second, c2 := writeNight(t, "night-2", first)
	h := c2.History
	if len(h.Nights) != 2 || h.Nights[0].RunID != "night-1" || h.Nights[1].RunID != "night-2" || len(h.Notes) != 0 {
		t.Fatalf("history of two nights: %+v", h)
	}
	if len(h.Nights[1].FlowP50Ms) == 0 || h.Nights[1].Verdict != c2.Verdict {
		t.Errorf("night 2: %+v", h.Nights[1])
	}
	html, _ := os.ReadFile(filepath.Join(second, HTMLFile))
	failing := h.Nights[0].Failing[0]
	for _, want := range []string{`id="history"`, `<a href="#` + failing + `">` + failing + `</a>`, `class="contract"`, "p50 ", `id="capabilities"`} {
		if !strings.Contains(string(html), want) {
			t.Errorf("index.html lacks %s", want)
		}
	}

	// An entry that cannot be read is dropped with a note; the run goes on.
	b, _ := os.ReadFile(filepath.Join(second, CertificationFile))
	var raw map[string]any
	_ = json.Unmarshal(b, &raw)
	raw["history"].(map[string]any)["nights"].([]any)[0] = "garbled"
	b, _ = json.Marshal(raw)
	_ = os.WriteFile(filepath.Join(second, CertificationFile), b, 0o644)
	_, c3 := writeNight(t, "night-3", second)
	if n := c3.History.Nights; len(n) != 2 || n[0].RunID != "night-2" || len(c3.History.Notes) != 1 || !strings.Contains(c3.History.Notes[0], "entry 1") {
		t.Errorf("a bad entry: %+v", c3.History)
	}
}

func TestHistoryIsNotCarriedFromAnotherTargetOrAnUnreadableBaseline(t *testing.T) {
	first, _ := writeNight(t, "night-1", "")
	fp, _ := os.ReadFile(filepath.Join(first, FingerprintFile))
	other := strings.Replace(string(fp), `"embedded": true`, `"embedded": false`, 1)
	_ = os.WriteFile(filepath.Join(first, FingerprintFile), []byte(other), 0o644)
	_, c := writeNight(t, "night-2", first)
	if len(c.History.Nights) != 1 || len(c.History.Notes) != 1 || !strings.Contains(c.History.Notes[0], "history not carried: baseline night-1 ran against") {
		t.Errorf("another target: %+v", c.History)
	}
	_, c = writeNight(t, "night-3", filepath.Join(t.TempDir(), "nowhere"))
	if len(c.History.Nights) != 1 || len(c.History.Notes) != 1 || !strings.Contains(c.History.Notes[0], "does not exist") {
		t.Errorf("a missing baseline: %+v", c.History)
	}
}

func TestHistoryKeepsTheLastThirtyNights(t *testing.T) {
	first, _ := writeNight(t, "night-0", "")
	c := readCert(t, first)
	for i := 1; i <= 40; i++ {
		c.History.Nights = append(c.History.Nights, Night{RunID: fmt.Sprintf("old-%d", i), Date: t0, Verdict: VerdictPass})
	}
	b, _ := json.Marshal(c)
	_ = os.WriteFile(filepath.Join(first, CertificationFile), b, 0o644)
	_, now := writeNight(t, "night-41", first)
	n := now.History.Nights
	if len(n) != HistoryNights || n[0].RunID != "old-12" || n[len(n)-1].RunID != "night-41" {
		t.Errorf("%d nights, first %s, last %s", len(n), n[0].RunID, n[len(n)-1].RunID)
	}
}

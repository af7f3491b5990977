package reports

import (
	"strings"
	"testing"
)

// The job summary says the verdict, counts, capabilities, changes and last nights.
func TestMarkdownSummary(t *testing.T) {
	first, _ := writeNight(t, "night-1", "")
	_, c := writeNight(t, "night-2", first)
	c.NotVerified = []NotVerified{{Capability: "credit", Specs: 2, Reason: "set OPPWA_CREDIT=yes if it has"}}
	md := c.Markdown()
	for _, want := range []string{"## OPPWA conformance: ❌ FAIL", "| ran | passed |", "**Declared capabilities:** `3ds`",
		"**not declared:** `credit` (OPPWA_CREDIT=yes)", "- `credit`: 2 spec(s) skipped", "### Failures", "### Changes since night-1",
		"### Last 2 night(s), oldest first", "❌ · "} {
		if !strings.Contains(md, want) {
			t.Errorf("summary lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "<") {
		t.Errorf("summary carries HTML:\n%s", md)
	}
}

package modes

import (
	"strings"
	"testing"
)

// TestEveryModeOwnsHooksAndAFilter: a mode without a hook changes nothing, and one
// without a filter would leave make mutation without the specs that must react to it
// (there is no broad default to fall back on).
func TestEveryModeOwnsHooksAndAFilter(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range modes {
		if len(m.hooks) == 0 {
			t.Errorf("%s: no hook", m.Name)
		}
		if strings.TrimSpace(m.Filter) == "" {
			t.Errorf("%s: no label filter of the specs that must react to it", m.Name)
		}
		if seen[m.Name] {
			t.Errorf("%s: listed twice", m.Name)
		}
		seen[m.Name] = true
	}
	if _, err := Hooks([]string{"pan-echoed", "bogus"}); err == nil || !strings.Contains(err.Error(), "bogus") {
		t.Errorf("unknown mode: %v", err)
	}
}

package config

import (
	"fmt"
	"slices"
	"strings"
)

// otherNames are variables the project reads that are not settings of a run: what
// the runner passes to its Ginkgo processes, and the standalone sandbox's own
// (cmd/oppwa-sandbox).
var otherNames = []string{"OPPWA_RUN_ID", "OPPWA_PROCESS_RPS", "OPPWA_COMMAND", "OPPWA_BASELINE",
	"OPPWA_SANDBOX_ADDR", "OPPWA_SANDBOX_NO_STATUS_LIMIT", "OPPWA_SANDBOX_CREDENTIALS",
	"OPPWA_SANDBOX_WEBHOOK_URL", "OPPWA_SANDBOX_WEBHOOK_KEY"}

// CheckNames refuses a misspelt setting among names (where says where they were set:
// "the environment", a .env path): a name this project does not read but one or two
// letters from one it does, which would otherwise be ignored and leave the run
// without the setting the user meant. Other names are none of its business.
func CheckNames(names []string, where string) error {
	known := slices.Clone(otherNames)
	for _, v := range Variables {
		known = append(known, v.Name)
	}
	for _, n := range names {
		if slices.Contains(known, n) || !strings.HasPrefix(n, "OPPWA_") && !strings.HasPrefix(n, "CHROME_") {
			continue
		}
		for _, k := range known {
			if editDistance(n, k) <= 2 {
				return fmt.Errorf("%s sets %s, which is not a setting: did you mean %s? (see .env.example)", where, n, k)
			}
		}
	}
	return nil
}

// editDistance is the Levenshtein distance of a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

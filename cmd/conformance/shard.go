package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/oppwa-conformance/oppwa-conformance/outcome"
	"github.com/oppwa-conformance/oppwa-conformance/reports"
)

// parseShard reads -shard I/N; "" is no shard (0, 0).
func parseShard(shard string) (i, n int, err error) {
	if shard == "" {
		return 0, 0, nil
	}
	if _, err := fmt.Sscanf(shard, "%d/%d", &i, &n); err != nil || n < 1 || i < 1 || i > n || fmt.Sprintf("%d/%d", i, n) != shard {
		return 0, 0, fmt.Errorf("SHARD (-shard) %q is not I/N with 1 <= I <= N: use e.g. SHARD=1/2", shard)
	}
	return i, n, nil
}

// specCost estimates a spec's share of a run's wall time from its labels: a browser
// journey costs a few API specs' worth (measured in make bench: 100-250 ms against
// 20-60 ms), a webhook spec waits for deliveries. A guess is enough, since the shards
// only need to end at about the same time.
func specCost(labels []string) int {
	switch {
	case slices.Contains(labels, "webhook"):
		return 6
	case slices.Contains(labels, "browser"):
		return 4
	}
	return 1
}

// shardOf returns the function that narrows a label filter to o's shard, or nil when
// the run is not sharded. The suites' own dry run lists the specs the filter selects;
// they are dealt out by estimated cost, the costliest first to the least loaded
// shard, so that two CI jobs end together whatever the brands. Every job deals the
// same specs the same way, since the deal depends only on the tree and the filter.
func shardOf(ctx context.Context, root string, o runOptions) func(string) (string, error) {
	i, n, _ := parseShard(o.shard)
	if n == 0 {
		return nil
	}
	return func(labels string) (string, error) {
		specs, err := dryRun(ctx, root, o.binary, labels, o.extraEnv)
		if err != nil {
			return "", &exitError{outcome.ExitEnvironment, err.Error()}
		}
		return shardLabels(labels, deal(specs, n), i), nil
	}
}

// plannedSpec is one selected spec of a dry run: its id label and its estimated cost.
type plannedSpec struct {
	id   string
	cost int
}

// deal splits the specs into n shards of ids, longest processing time first.
func deal(specs []plannedSpec, n int) [][]string {
	byID := map[string]int{}
	shards, load := make([][]string, n), make([]int, n)
	for _, s := range specs {
		if s.id == "" {
			load[0] += s.cost // no id label to select it by: shard 1 takes it (shardLabels)
			continue
		}
		byID[s.id] += s.cost // specs sharing an id stay together: a label selects them all
	}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(a, b int) bool {
		if byID[ids[a]] != byID[ids[b]] {
			return byID[ids[a]] > byID[ids[b]]
		}
		return ids[a] < ids[b]
	})
	for _, id := range ids {
		k := 0
		for j := range n {
			if load[j] < load[k] {
				k = j
			}
		}
		shards[k] = append(shards[k], id)
		load[k] += byID[id]
	}
	return shards
}

// shardLabels is the label filter of shard i (1-based): its own ids, or, for shard 1,
// everything the other shards do not take, so a spec without an id still runs once.
func shardLabels(labels string, shards [][]string, i int) string {
	var f string
	if i == 1 {
		var others []string
		for _, s := range shards[1:] {
			others = append(others, s...)
		}
		if len(others) > 0 {
			f = "!(" + idLabels(others) + ")"
		}
	} else if len(shards[i-1]) == 0 {
		f = reports.LabelID + "__none__"
	} else {
		f = idLabels(shards[i-1])
	}
	switch {
	case f == "":
		return labels
	case strings.TrimSpace(labels) == "":
		return f
	}
	return "(" + labels + ") && (" + f + ")"
}

func idLabels(ids []string) string {
	sorted := slices.Sorted(slices.Values(ids))
	for k, id := range sorted {
		sorted[k] = reports.LabelID + id
	}
	return strings.Join(sorted, " || ")
}

// dryRun lists the specs the label filter selects, as the suites would build them
// for this configuration, without running any.
func dryRun(ctx context.Context, root, binary, labels string, extraEnv []string) ([]plannedSpec, error) {
	r, err := dryRunReport(ctx, root, binary, labels, append(os.Environ(), extraEnv...))
	if err != nil {
		return nil, fmt.Errorf("listing the specs to split into shards: %w", err)
	}
	var out []plannedSpec
	for _, sr := range r.SpecReports {
		if sr.LeafNodeType != types.NodeTypeIt || sr.State == types.SpecStateSkipped {
			continue
		}
		out = append(out, plannedSpec{id: reports.MetaOf(sr.Labels()).ID, cost: specCost(sr.Labels())})
	}
	return out, nil
}

// dryRunReport has Ginkgo walk the suites' tree under env with the label filter,
// running nothing, and returns its report: every spec with its labels and location.
// binary is the compiled suites (compileSuites): Ginkgo compiling ./suites itself
// would delete the binary a run keeps in the same place.
func dryRunReport(ctx context.Context, root, binary, labels string, env []string) (types.Report, error) {
	dir, err := os.MkdirTemp("", "oppwa-dry-run-")
	if err != nil {
		return types.Report{}, err
	}
	defer os.RemoveAll(dir)
	args := []string{"tool", "ginkgo", "--dry-run", "--silence-skips", "--succinct", "--json-report=report.json", "--output-dir=" + dir}
	if labels != "" {
		args = append(args, "--label-filter="+labels)
	}
	cmd := exec.CommandContext(ctx, "go", append(args, binary)...)
	cmd.Dir = root
	// The dry run's own certification report must not replace the last run's.
	cmd.Env = append(env, "OPPWA_REPORT_DIR="+filepath.Join(dir, "reports"))
	if out, err := cmd.CombinedOutput(); err != nil {
		return types.Report{}, fmt.Errorf("dry run of the suites failed (%v): %s", err, oneLine(string(out)))
	}
	b, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		return types.Report{}, fmt.Errorf("dry run of the suites: %w", err)
	}
	var rs []types.Report
	if err := json.Unmarshal(b, &rs); err != nil || len(rs) == 0 {
		return types.Report{}, fmt.Errorf("dry run of the suites: unreadable report (%v)", err)
	}
	return rs[0], nil
}

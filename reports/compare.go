package reports

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Kinds of change between two fingerprints; FAIL_ON_DRIFT names some of them.
const (
	DriftNewlyFailing  = "newly-failing"
	DriftNewlyPassing  = "newly-passing"
	DriftObservations  = "observations"
	DriftFieldsAdded   = "fields-added"
	DriftFieldsRemoved = "fields-removed"
	DriftRedirect      = "redirect"
	DriftLatency       = "latency"
	DriftBuildNumber   = "build-number"
)

// DriftKinds lists every kind of change, in the order reports show them.
var DriftKinds = []string{DriftNewlyFailing, DriftNewlyPassing, DriftObservations, DriftFieldsAdded,
	DriftFieldsRemoved, DriftRedirect, DriftLatency, DriftBuildNumber}

// Latency thresholds: a flow is slower when its p50 grew beyond both.
const (
	LatencyFactor = 1.5
	LatencyPlusMs = 100
)

// Changes is what changed on the platform since a baseline run. Every change is
// reported; only the kinds FAIL_ON_DRIFT names fail the run (Failing).
type Changes struct {
	Baseline BaselineRef `json:"baseline"`
	// NoComparison says in one line why the baseline was not compared; then the
	// other fields are empty.
	NoComparison string `json:"noComparison,omitempty"`
	// Selection says when the two runs ran different specs: field, redirect and
	// latency changes may then come from the selection rather than the platform.
	Selection     string              `json:"selection,omitempty"`
	NewlyFailing  []string            `json:"newlyFailing,omitempty"`
	NewlyPassing  []string            `json:"newlyPassing,omitempty"`
	Observations  []ObservationChange `json:"observations,omitempty"`
	FieldsAdded   map[string][]string `json:"fieldsAdded,omitempty"`
	FieldsRemoved map[string][]string `json:"fieldsRemoved,omitempty"`
	Redirects     []RedirectChange    `json:"redirects,omitempty"`
	SlowerFlows   []FlowLatency       `json:"slowerFlows,omitempty"`
	BuildNumber   *BuildNumberChange  `json:"buildNumber,omitempty"`
	// Failing are the kinds present that FAIL_ON_DRIFT turns into a failure.
	Failing []string `json:"failing,omitempty"`
}

// BaselineRef names the run compared against.
type BaselineRef struct {
	Path  string    `json:"path,omitempty"`
	RunID string    `json:"runId,omitempty"`
	Date  time.Time `json:"date,omitzero"`
}

// ObservationChange is a claim whose exact value changed; "" means not observed.
type ObservationChange struct {
	Spec   string `json:"spec"`
	Claim  string `json:"claim"`
	Before string `json:"before"`
	Now    string `json:"now"`
}

// RedirectChange is a brand whose async redirect changed shape; a nil side means the
// run saw no initial payment of the brand.
type RedirectChange struct {
	Brand  string         `json:"brand"`
	Before *RedirectShape `json:"before"`
	Now    *RedirectShape `json:"now"`
}

// FlowLatency is a flow whose p50 duration grew beyond the thresholds.
type FlowLatency struct {
	Flow     string  `json:"flow"`
	BeforeMs int64   `json:"beforeMs"`
	NowMs    int64   `json:"nowMs"`
	Factor   float64 `json:"factor"`
}

// BuildNumberChange is the platform build before and now.
type BuildNumberChange struct {
	Before []string `json:"before"`
	Now    []string `json:"now"`
}

// ParseDriftKinds reads FAIL_ON_DRIFT: a comma list of kinds; an unknown one is an
// error naming the valid ones.
func ParseDriftKinds(s string) ([]string, error) {
	var out []string
	for _, k := range strings.Split(s, ",") {
		k = strings.TrimSpace(k)
		if k == "" {
			continue
		}
		if !slices.Contains(DriftKinds, k) {
			return nil, fmt.Errorf("FAIL_ON_DRIFT names unknown kind %q: use a comma list of %s", k, strings.Join(DriftKinds, ", "))
		}
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out, nil
}

// Compare lists what changed from base to now. Runs against different targets, or
// of different fingerprint formats, are not compared: NoComparison says why.
func Compare(base, now Fingerprint) Changes {
	ch := Changes{Baseline: BaselineRef{RunID: base.RunID, Date: base.Date}}
	switch {
	case base.Version != now.Version:
		ch.NoComparison = fmt.Sprintf("no comparison: baseline %s is fingerprint version %d, this run is version %d", base.RunID, base.Version, now.Version)
		return ch
	case base.Target.key() != now.Target.key():
		ch.NoComparison = fmt.Sprintf("no comparison: baseline %s ran against %s, this run against %s", base.RunID, base.Target.key(), now.Target.key())
		return ch
	}
	ch.NewlyFailing, ch.NewlyPassing, ch.Observations = compareSpecs(base.Specs, now.Specs)
	ch.Selection = compareSelection(base.Specs, now.Specs)
	ch.FieldsAdded, ch.FieldsRemoved = compareFields(base.Fields, now.Fields)
	ch.Redirects = compareRedirects(base.Redirects, now.Redirects)
	ch.SlowerFlows = compareLatency(base.FlowP50Ms, now.FlowP50Ms)
	if !slices.Equal(base.BuildNumbers, now.BuildNumbers) && len(now.BuildNumbers) > 0 {
		ch.BuildNumber = &BuildNumberChange{Before: base.BuildNumbers, Now: now.BuildNumbers}
	}
	return ch
}

// CompareWithBaseline loads the baseline at path and compares now with it; a
// baseline that cannot be read gives Changes with NoComparison set.
func CompareWithBaseline(path string, now Fingerprint) Changes {
	base, err := LoadFingerprint(path)
	if err != nil {
		return Changes{Baseline: BaselineRef{Path: path}, NoComparison: "no comparison: baseline " + err.Error()}
	}
	ch := Compare(base, now)
	ch.Baseline.Path = path
	return ch
}

// compareSelection says how the sets of specs that ran differ; "" when they do not.
func compareSelection(base, now []FPSpec) string {
	ran := func(ss []FPSpec) map[string]bool {
		m := map[string]bool{}
		for _, s := range ss {
			if s.State != "skipped" && s.State != "pending" {
				m[s.ID] = true
			}
		}
		return m
	}
	b, n := ran(base), ran(now)
	onlyBase, onlyNow := len(minus(sortedKeys(b), sortedKeys(n))), len(minus(sortedKeys(n), sortedKeys(b)))
	if onlyBase == 0 && onlyNow == 0 {
		return ""
	}
	return fmt.Sprintf("the runs ran different specs (%d only in the baseline, %d only now): field, redirect and latency changes may come from the selection", onlyBase, onlyNow)
}

func failed(state string) bool {
	return state != "passed" && state != "skipped" && state != "pending" && state != ""
}

// compareSpecs compares the specs both runs have: state flips and observations.
func compareSpecs(base, now []FPSpec) (newlyFailing, newlyPassing []string, obs []ObservationChange) {
	before := map[string]FPSpec{}
	for _, s := range base {
		before[s.ID] = s
	}
	for _, s := range now {
		b, ok := before[s.ID]
		if !ok {
			continue
		}
		switch {
		case b.State == "passed" && failed(s.State):
			newlyFailing = append(newlyFailing, s.ID)
		case failed(b.State) && s.State == "passed":
			newlyPassing = append(newlyPassing, s.ID)
		}
		obs = append(obs, compareObservations(s.ID, b.Observations, s.Observations)...)
	}
	return newlyFailing, newlyPassing, obs
}

func compareObservations(spec string, base, now []FPObservation) []ObservationChange {
	seen := func(os []FPObservation) map[string]string {
		m := map[string]string{}
		for _, o := range os {
			m[o.Claim] = o.Seen
		}
		return m
	}
	b, n := seen(base), seen(now)
	claims := map[string]bool{}
	for k := range b {
		claims[k] = true
	}
	for k := range n {
		claims[k] = true
	}
	var out []ObservationChange
	for _, claim := range sortedKeys(claims) {
		if b[claim] != n[claim] {
			out = append(out, ObservationChange{Spec: spec, Claim: claim, Before: b[claim], Now: n[claim]})
		}
	}
	return out
}

// compareFields lists, per reply kind both runs saw, the field paths only one saw.
// A reply kind only one run saw is a change of the selection, not of the platform.
func compareFields(base, now map[string][]string) (added, removed map[string][]string) {
	added, removed = map[string][]string{}, map[string][]string{}
	for kind, nowPaths := range now {
		basePaths, ok := base[kind]
		if !ok {
			continue
		}
		if d := minus(nowPaths, basePaths); len(d) > 0 {
			added[kind] = d
		}
		if d := minus(basePaths, nowPaths); len(d) > 0 {
			removed[kind] = d
		}
	}
	if len(added) == 0 {
		added = nil
	}
	if len(removed) == 0 {
		removed = nil
	}
	return added, removed
}

// minus is a without b; both sorted, and so is the result.
func minus(a, b []string) []string {
	var out []string
	for _, s := range a {
		if _, found := slices.BinarySearch(b, s); !found {
			out = append(out, s)
		}
	}
	return out
}

// changedKeys are the keys of now, sorted, also in base whose values differ.
func changedKeys[V any](base, now map[string]V, differs func(before, after V) bool) []string {
	var out []string
	for _, k := range sortedKeys(now) {
		if b, ok := base[k]; ok && differs(b, now[k]) {
			out = append(out, k)
		}
	}
	return out
}

func compareRedirects(base, now map[string]RedirectShape) []RedirectChange {
	var out []RedirectChange
	for _, brand := range changedKeys(base, now, func(b, n RedirectShape) bool { return !b.equal(n) }) {
		b, n := base[brand], now[brand]
		out = append(out, RedirectChange{Brand: brand, Before: &b, Now: &n})
	}
	return out
}

func compareLatency(base, now map[string]int64) []FlowLatency {
	var out []FlowLatency
	slower := func(b, n int64) bool { return float64(n) > float64(b)*LatencyFactor && n-b > LatencyPlusMs }
	for _, flow := range changedKeys(base, now, slower) {
		b, n := base[flow], now[flow]
		f := 0.0
		if b > 0 {
			f = float64(n) / float64(b)
		}
		out = append(out, FlowLatency{Flow: flow, BeforeMs: b, NowMs: n, Factor: f})
	}
	slices.SortStableFunc(out, func(a, b FlowLatency) int { return FlowRank(a.Flow) - FlowRank(b.Flow) })
	return out
}

// Kinds lists the kinds of change present, in DriftKinds order.
func (c Changes) Kinds() []string {
	present := map[string]bool{
		DriftNewlyFailing: len(c.NewlyFailing) > 0, DriftNewlyPassing: len(c.NewlyPassing) > 0,
		DriftObservations: len(c.Observations) > 0, DriftFieldsAdded: len(c.FieldsAdded) > 0,
		DriftFieldsRemoved: len(c.FieldsRemoved) > 0, DriftRedirect: len(c.Redirects) > 0,
		DriftLatency: len(c.SlowerFlows) > 0, DriftBuildNumber: c.BuildNumber != nil,
	}
	var out []string
	for _, k := range DriftKinds {
		if present[k] {
			out = append(out, k)
		}
	}
	return out
}

// FailingKinds are the kinds of change present that failOn (FAIL_ON_DRIFT) names.
func (c Changes) FailingKinds(failOn []string) []string {
	var out []string
	for _, k := range c.Kinds() {
		if slices.Contains(failOn, k) {
			out = append(out, k)
		}
	}
	return out
}

// Title is the heading of the changes: which baseline they are measured from.
func (c Changes) Title() string {
	if c.NoComparison != "" {
		return c.NoComparison
	}
	at := ""
	if !c.Baseline.Date.IsZero() {
		at = " of " + fmtTime(c.Baseline.Date)
	}
	return fmt.Sprintf("Changes since %s%s", cmp.Or(c.Baseline.RunID, "the baseline run"), at)
}

// Lines are the changes as one line each, for the terminal and the report.
func (c Changes) Lines() []string {
	var out []string
	add := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }
	if c.Selection != "" {
		add("note: %s", c.Selection)
	}
	for _, id := range c.NewlyFailing {
		add("%s: %s", DriftNewlyFailing, id)
	}
	for _, id := range c.NewlyPassing {
		add("%s: %s", DriftNewlyPassing, id)
	}
	for _, o := range c.Observations {
		add("%s: %s %s: %s → %s", DriftObservations, o.Spec, o.Claim, cmp.Or(o.Before, "(none)"), cmp.Or(o.Now, "(none)"))
	}
	for _, kind := range sortedKeys(c.FieldsAdded) {
		add("%s: %s reply: %s", DriftFieldsAdded, kind, strings.Join(c.FieldsAdded[kind], ", "))
	}
	for _, kind := range sortedKeys(c.FieldsRemoved) {
		add("%s: %s reply: %s", DriftFieldsRemoved, kind, strings.Join(c.FieldsRemoved[kind], ", "))
	}
	for _, r := range c.Redirects {
		add("%s: %s: %s → %s", DriftRedirect, r.Brand, r.Before, r.Now)
	}
	for _, l := range c.SlowerFlows {
		add("%s: flow %s p50 %d ms → %d ms (×%.1f, +%d ms; thresholds ×%.1f and +%d ms)",
			DriftLatency, l.Flow, l.BeforeMs, l.NowMs, l.Factor, l.NowMs-l.BeforeMs, LatencyFactor, LatencyPlusMs)
	}
	if b := c.BuildNumber; b != nil {
		add("%s: %s → %s", DriftBuildNumber, cmp.Or(strings.Join(b.Before, ", "), "(none)"), strings.Join(b.Now, ", "))
	}
	if len(c.Failing) > 0 {
		add("FAIL_ON_DRIFT fails the run on: %s", strings.Join(c.Failing, ", "))
	}
	return out
}

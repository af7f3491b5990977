package reports

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/outcome"
)

// HistoryNights is how many runs (nights, for the nightly workflow) a report carries
// forward, this one included.
const HistoryNights = 30

// History is the trend a report carries: the last runs, oldest first, this one last.
// It travels inside certification.json from each run to the next that names it as
// its baseline, so no service keeps it.
type History struct {
	Nights []Night `json:"nights"`
	// Notes say what could not be carried: a baseline of another target or an
	// unreadable one (the history then starts again), an entry dropped.
	Notes []string `json:"notes,omitempty"`
}

// Night is one run of the history: its verdict, counts, the specs that failed, the
// kinds of change since the run before it, and each flow's median duration.
type Night struct {
	RunID   string    `json:"runId"`
	Date    time.Time `json:"date"`
	Verdict string    `json:"verdict"`
	Counts  Counts    `json:"counts"`
	// Failing are the specs that failed on the contract; Environment those an
	// environment failure left unverified.
	Failing     []string `json:"failing,omitempty"`
	Environment []string `json:"environment,omitempty"`
	// Drift are the kinds of change since the run compared with, if any.
	Drift     []string         `json:"drift,omitempty"`
	FlowP50Ms map[string]int64 `json:"flowP50Ms,omitempty"`
}

// carryHistory gives c its history: the baseline's nights, when the baseline is of
// the same target and readable, followed by this run. Nothing here fails a run: what
// cannot be carried is a note.
func carryHistory(c *Certification, fp Fingerprint) {
	h := &History{}
	if c.Meta.Baseline != "" {
		if c.Changes != nil && c.Changes.NoComparison != "" {
			// Compare already said why the baseline does not count: another target,
			// missing, unreadable, another format.
			h.Notes = append(h.Notes, "history not carried: "+strings.TrimPrefix(c.Changes.NoComparison, "no comparison: "))
		} else {
			h.Nights, h.Notes = loadHistory(c.Meta.Baseline)
		}
	}
	now := nightOf(*c, fp.FlowP50Ms)
	h.Nights = slices.DeleteFunc(h.Nights, func(n Night) bool { return n.RunID == now.RunID })
	h.Nights = append(h.Nights, now)
	if extra := len(h.Nights) - HistoryNights; extra > 0 {
		h.Nights = h.Nights[extra:]
	}
	c.History = h
}

// baselineReport is what loadHistory reads of a baseline's certification.json; the
// nights stay raw so that one bad entry drops alone.
type baselineReport struct {
	Certification
	History *struct {
		Nights []json.RawMessage `json:"nights"`
	} `json:"history"`
}

// loadHistory reads the nights of the baseline at path (a report directory or a
// file in one). A baseline without a history (an older report, a report written
// before histories) contributes itself as one night.
func loadHistory(path string) ([]Night, []string) {
	file := filepath.Join(path, CertificationFile)
	if st, err := os.Stat(path); err == nil && !st.IsDir() {
		file = filepath.Join(filepath.Dir(path), CertificationFile)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, []string{fmt.Sprintf("history not carried: %s is unreadable (%v)", file, err)}
	}
	var base baselineReport
	if err := json.Unmarshal(b, &base); err != nil {
		return nil, []string{fmt.Sprintf("history not carried: %s is unreadable (%v)", file, err)}
	}
	if base.History == nil {
		return []Night{nightOf(base.Certification, flowMedians(base.Specs))}, nil
	}
	var nights []Night
	var notes []string
	for i, raw := range base.History.Nights {
		var n Night
		if err := json.Unmarshal(raw, &n); err != nil || n.RunID == "" || n.Verdict == "" {
			notes = append(notes, fmt.Sprintf("history entry %d of %s is unreadable and was dropped", i+1, file))
			continue
		}
		nights = append(nights, n)
	}
	return nights, notes
}

// nightOf is c as a night of the history.
func nightOf(c Certification, p50 map[string]int64) Night {
	n := Night{RunID: c.Meta.RunID, Date: c.Started, Verdict: c.Verdict, Counts: c.Counts, FlowP50Ms: p50}
	if n.RunID == "" {
		n.RunID = "run of " + fmtTime(c.Started)
	}
	for _, s := range c.Specs {
		switch s.FailureKind {
		case outcome.Contract:
			n.Failing = append(n.Failing, historyKey(s))
		case outcome.Environment:
			n.Environment = append(n.Environment, historyKey(s))
		}
	}
	if c.Changes != nil && c.Changes.NoComparison == "" {
		n.Drift = c.Changes.Kinds()
	}
	return n
}

// historyKey names a failed spec across nights; a failed suite node has no text.
func historyKey(s SpecResult) string {
	if k := specKey(s); k != "" {
		return k
	}
	return "suite setup"
}

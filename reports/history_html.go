package reports

import (
	"fmt"
	"slices"
	"strings"
)

// historyView is the history strip of index.html: one column per night, oldest
// left; a verdict row, a changes row, a row per spec that failed in any night of the
// window (so the night it started failing shows at a glance), and a row of medians
// per flow.
type historyView struct {
	Nights []nightView
	Drift  []historyCell
	Specs  []historyRow
	Flows  []historyRow
	Notes  []string
}

type nightView struct {
	// Label is the night's date; Time its time of day, shown only when two nights
	// of the window share a date (runs made by hand).
	Label, Time, Title, Class, Mark string
}

type historyRow struct {
	Name  string
	Cells []historyCell
}

type historyCell struct {
	Class, Text, Title string
}

// historyViewOf lays out h; nil without nights.
func historyViewOf(h *History) *historyView {
	if h == nil || len(h.Nights) == 0 {
		return nil
	}
	v := &historyView{Notes: h.Notes}
	failed := map[string]bool{}
	flows := map[string]bool{}
	for _, n := range h.Nights {
		c := n.Counts
		v.Nights = append(v.Nights, nightView{
			Label: n.Date.UTC().Format("01-02"), Class: strings.ToLower(n.Verdict), Mark: nightMarks[n.Verdict],
			Title: fmt.Sprintf("%s, %s: %s — %d ran, %d passed, %d contract, %d environment, %d skipped",
				fmtTime(n.Date), n.RunID, n.Verdict, c.Ran, c.Passed, c.Contract, c.Environment, c.Skipped),
		})
		cell := historyCell{Title: "no change since the night before"}
		if len(n.Drift) > 0 {
			cell = historyCell{Class: "drift", Text: fmt.Sprint(len(n.Drift)), Title: strings.Join(n.Drift, ", ")}
		}
		v.Drift = append(v.Drift, cell)
		for _, id := range append(slices.Clone(n.Failing), n.Environment...) {
			failed[id] = true
		}
		for f := range n.FlowP50Ms {
			flows[f] = true
		}
	}
	if sameDay(h.Nights) {
		for i, n := range h.Nights {
			v.Nights[i].Time = n.Date.UTC().Format("15:04")
		}
	}
	for _, id := range sortedKeys(failed) {
		v.Specs = append(v.Specs, specHistory(id, h.Nights))
	}
	v.Flows = flowHistory(flows, h.Nights)
	return v
}

// nightMarks are a night's verdict in its strip cell.
var nightMarks = map[string]string{VerdictPass: "✓", VerdictFail: "✗", VerdictInconclusive: "?"}

// specHistory is one spec's row: red where it failed on the contract, amber where
// an environment failure left it unverified.
func specHistory(id string, nights []Night) historyRow {
	row := historyRow{Name: id}
	for _, n := range nights {
		cell := historyCell{Class: "ok", Title: id + " did not fail on " + fmtTime(n.Date)}
		switch {
		case slices.Contains(n.Failing, id):
			cell = historyCell{Class: "contract", Text: "✗", Title: id + ": contract failure on " + fmtTime(n.Date)}
		case slices.Contains(n.Environment, id):
			cell = historyCell{Class: "environment", Text: "!", Title: id + ": environment failure on " + fmtTime(n.Date)}
		}
		row.Cells = append(row.Cells, cell)
	}
	return row
}

// flowHistory is a row of p50 durations per flow, in FlowOrder.
func flowHistory(flows map[string]bool, nights []Night) []historyRow {
	keys := sortedKeys(flows)
	slices.SortStableFunc(keys, func(a, b string) int { return FlowRank(a) - FlowRank(b) })
	var rows []historyRow
	for _, f := range keys {
		row := historyRow{Name: "p50 " + flowTitle(f)}
		for _, n := range nights {
			ms, ok := n.FlowP50Ms[f]
			cell := historyCell{Class: "p50", Title: f + ": not run"}
			if ok {
				cell = historyCell{Class: "p50", Text: compactMs(ms), Title: fmt.Sprintf("%s: p50 %d ms", f, ms)}
			}
			row.Cells = append(row.Cells, cell)
		}
		rows = append(rows, row)
	}
	return rows
}

// compactMs fits a duration into a strip cell: 850, 1.2s, 14s.
func compactMs(ms int64) string {
	switch {
	case ms < 1000:
		return fmt.Sprint(ms)
	case ms < 10000:
		return fmt.Sprintf("%.1fs", float64(ms)/1000)
	default:
		return fmt.Sprintf("%ds", ms/1000)
	}
}

// sameDay reports whether two nights share a date.
func sameDay(nights []Night) bool {
	seen := map[string]bool{}
	for _, n := range nights {
		d := n.Date.UTC().Format("2006-01-02")
		if seen[d] {
			return true
		}
		seen[d] = true
	}
	return false
}

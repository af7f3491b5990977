package reports

import (
	"fmt"
	"strings"
)

// Bounds of the Markdown summary: a CI job summary is read at a glance, and the
// report has the rest.
const (
	summaryFailures = 20
	summaryChanges  = 30
	// summaryLine bounds one change's line (a long list of added fields).
	summaryLine = 240
)

// verdictMarks are the verdicts as the summary's compact marks.
var verdictMarks = map[string]string{VerdictPass: "✅", VerdictFail: "❌", VerdictInconclusive: "⚠️"}

// Markdown is c as a short Markdown summary, for a CI job's summary page: the verdict,
// the counts, which capabilities the run had and what it therefore did not verify,
// the failures, the changes since the baseline and the last nights.
func (c Certification) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "## OPPWA conformance: %s %s\n\n%s\n\n", verdictMarks[c.Verdict], c.Verdict, mdText(c.Reason))
	n := c.Counts
	b.WriteString("| ran | passed | contract failures | environment failures | skipped | not selected | specs |\n|---|---|---|---|---|---|---|\n")
	fmt.Fprintf(&b, "| %d | %d | %d | %d | %d | %d | %d |\n\n", n.Ran, n.Passed, n.Contract, n.Environment, n.Skipped, n.NotSelected, n.Specs)
	fmt.Fprintf(&b, "Target **%s**, run `%s`, %s.\n\n", mdText(c.Meta.Target), mdText(c.Meta.RunID), fmtTime(c.Started))
	writeCapabilities(&b, c)
	writeFailures(&b, c)
	writeChanges(&b, c.Changes)
	writeNights(&b, c.History)
	return b.String()
}

func writeCapabilities(b *strings.Builder, c Certification) {
	declared, undeclared := c.Meta.DeclaredNames()
	if len(c.Meta.Capabilities) > 0 {
		fmt.Fprintf(b, "**Declared capabilities:** %s", mdList(declared))
		if len(undeclared) > 0 {
			var hows []string
			for _, dc := range c.Meta.Capabilities {
				if !dc.Declared {
					hows = append(hows, fmt.Sprintf("`%s` (%s)", dc.Name, mdText(dc.How)))
				}
			}
			fmt.Fprintf(b, " · **not declared:** %s", strings.Join(hows, ", "))
		}
		b.WriteString("\n\n")
	}
	if len(c.NotVerified) == 0 {
		b.WriteString("**Not verified:** nothing: every selected spec could run.\n\n")
		return
	}
	b.WriteString("**Not verified** (the account did not declare these capabilities):\n\n")
	for _, nv := range c.NotVerified {
		fmt.Fprintf(b, "- `%s`: %d spec(s) skipped; %s\n", nv.Capability, nv.Specs, mdText(nv.Reason))
	}
	b.WriteString("\n")
}

func writeFailures(b *strings.Builder, c Certification) {
	var lines []string
	for _, s := range c.Specs {
		if s.FailureKind == "" {
			continue
		}
		first, _, _ := strings.Cut(strings.TrimSpace(s.Message), "\n")
		if len(first) > 160 {
			first = first[:160] + "…"
		}
		lines = append(lines, fmt.Sprintf("- %s `%s`: %s", s.FailureKind, mdText(historyKey(s)), mdText(first)))
	}
	if len(lines) == 0 {
		return
	}
	b.WriteString("### Failures\n\n")
	writeBounded(b, lines, summaryFailures, "more in index.html")
}

func writeChanges(b *strings.Builder, ch *Changes) {
	if ch == nil {
		b.WriteString("### Changes\n\nNo baseline: nothing to compare with.\n\n")
		return
	}
	fmt.Fprintf(b, "### %s\n\n", mdText(ch.Title()))
	if ch.NoComparison != "" {
		b.WriteString("The run went on without a comparison.\n\n")
		return
	}
	lines := ch.Lines()
	if len(lines) == 0 {
		b.WriteString("Nothing changed.\n\n")
		return
	}
	fmt.Fprintf(b, "Kinds: %s\n\n", mdList(ch.Kinds()))
	for i, l := range lines {
		if len(l) > summaryLine {
			l = strings.ToValidUTF8(l[:summaryLine], "") + " …"
		}
		lines[i] = "- `" + strings.ReplaceAll(l, "`", "'") + "`"
	}
	writeBounded(b, lines, summaryChanges, "more in index.html")
}

func writeNights(b *strings.Builder, h *History) {
	if h == nil || len(h.Nights) == 0 {
		return
	}
	fmt.Fprintf(b, "### Last %d night(s), oldest first\n\n", len(h.Nights))
	layout := "01-02"
	if sameDay(h.Nights) {
		layout = "01-02 15:04"
	}
	var marks []string
	for _, n := range h.Nights {
		marks = append(marks, fmt.Sprintf("%s %s", n.Date.UTC().Format(layout), verdictMarks[n.Verdict]))
	}
	b.WriteString(strings.Join(marks, " · ") + "\n\n")
	for _, note := range h.Notes {
		fmt.Fprintf(b, "> %s\n", mdText(note))
	}
	if len(h.Notes) > 0 {
		b.WriteString("\n")
	}
}

// writeBounded writes at most limit lines and says how many more there are.
func writeBounded(b *strings.Builder, lines []string, limit int, rest string) {
	for i, l := range lines {
		if i == limit {
			fmt.Fprintf(b, "- … %d more (%s)\n", len(lines)-limit, rest)
			break
		}
		b.WriteString(l + "\n")
	}
	b.WriteString("\n")
}

// mdList is names as inline code, comma-separated; "none" for none.
func mdList(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return "`" + strings.Join(names, "`, `") + "`"
}

// mdText keeps a message from a report to one harmless line of Markdown: no HTML,
// no table or code breaks.
func mdText(s string) string {
	return strings.NewReplacer("\n", " ", "<", "&lt;", ">", "&gt;", "|", "\\|", "`", "'").Replace(s)
}

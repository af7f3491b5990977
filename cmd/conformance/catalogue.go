package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	"github.com/oppwa-conformance/oppwa-conformance/outcome"
	"github.com/oppwa-conformance/oppwa-conformance/reports"
)

// entry is one conformance spec of the catalogue: its metadata, MUST, other labels and
// where it is declared (file:line from the module root, as the dry run reports it).
type entry struct {
	reports.SpecMeta
	Must   string
	Labels []string
	Where  string
}

func runCatalogue(ctx context.Context, args []string) error {
	fs := newFlagSet("catalogue")
	out := fs.String("o", "CATALOGUE.md", "file to write")
	if err := parseOnlyFlags(fs, args); err != nil {
		return err
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	entries, err := collectCatalogue(ctx, root)
	if err != nil {
		return err
	}
	if err := checkCatalogue(entries); err != nil {
		return &exitError{outcome.ExitContract, err.Error()}
	}
	path := *out
	if !filepath.IsAbs(path) {
		path = filepath.Join(root, path)
	}
	if err := os.WriteFile(path, []byte(renderCatalogue(entries)), 0o644); err != nil {
		return fmt.Errorf("write catalogue: %w", err)
	}
	fmt.Printf("%d conformance specs written to %s\n", len(entries), path)
	return nil
}

// collectCatalogue dry-runs the suites with the default brand set (the catalogue
// describes the full product, not one account) and reads every spec's ID and MUST.
func collectCatalogue(ctx context.Context, root string) ([]entry, error) {
	binary, err := compileSuites(ctx, root, false)
	if err != nil {
		return nil, err
	}
	r, err := dryRunReport(ctx, root, binary, "", append(cleanEnv(), "OPPWA_ENV_FILE=/dev/null"))
	if err != nil {
		return nil, err
	}
	var out []entry
	for _, sr := range r.SpecReports {
		if sr.LeafNodeType != types.NodeTypeIt {
			continue
		}
		out = append(out, entryOf(sr, root))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// entryOf reads a spec's catalogue entry from its labels and location.
func entryOf(sr types.SpecReport, root string) entry {
	var other []string
	for _, l := range sr.Labels() {
		if !strings.HasPrefix(l, reports.LabelID) && !strings.HasPrefix(l, reports.LabelFlow) && !strings.HasPrefix(l, reports.LabelBrand) &&
			!strings.HasPrefix(l, reports.LabelEvidence) {
			other = append(other, l)
		}
	}
	where, err := filepath.Rel(root, sr.LeafNodeLocation.FileName)
	if err != nil {
		where = sr.LeafNodeLocation.FileName
	}
	return entry{SpecMeta: reports.MetaOf(sr.Labels()), Must: sr.LeafNodeText, Labels: other,
		Where: fmt.Sprintf("%s:%d", filepath.ToSlash(where), sr.LeafNodeLocation.LineNumber)}
}

// cleanEnv drops the target settings so the catalogue never depends on who runs it.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "OPPWA_") || strings.HasPrefix(kv, "CHROME_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// checkCatalogue enforces the catalogue's rules: every spec has an ID and a MUST, and
// no two specs share an ID.
func checkCatalogue(entries []entry) error {
	seen := map[string]bool{}
	var problems []string
	for _, e := range entries {
		switch {
		case e.ID == "":
			problems = append(problems, fmt.Sprintf("spec %q (%s) has no conformance ID: declare it with framework.Conformance or framework.Case", e.Must, e.Where))
		case e.Flow == "":
			problems = append(problems, "spec "+e.ID+" has no flow: give its framework.Meta a Flow")
		case !slices.Contains(reports.FlowOrder, e.Flow):
			// The runner refuses a flow: label no spec carries, by this list.
			problems = append(problems, "spec "+e.ID+" has flow "+e.Flow+", which reports.FlowOrder does not list: add it there")
		case e.Evidence == "":
			problems = append(problems, "spec "+e.ID+" has no evidence: add it to fixtures/evidence.json (grade and source)")
		case seen[e.ID]:
			problems = append(problems, "conformance ID "+e.ID+" is used twice: give each spec its own")
		case !strings.Contains(e.Must, "MUST"):
			problems = append(problems, "spec "+e.ID+" does not state its MUST")
		}
		seen[e.ID] = true
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}

// template is one row of the catalogue: a spec declaration and the brands it runs for.
type template struct {
	entry
	brands []string
}

// templates groups entries by declaration and ID with the brand taken out, so a spec
// that runs once per brand is one row naming its brands.
func templates(entries []entry) []template {
	var out []template
	index := map[string]int{}
	for _, e := range entries {
		t := e
		if e.Brand != "" {
			t.ID = strings.ReplaceAll(e.ID, e.Brand, "<brand>")
			t.Must = strings.ReplaceAll(e.Must, e.Brand, "<brand>")
		}
		key := t.Where + "\x00" + t.ID
		i, seen := index[key]
		if !seen {
			i = len(out)
			index[key] = i
			out = append(out, template{entry: t})
		}
		if e.Brand != "" {
			out[i].brands = append(out[i].brands, e.Brand)
		}
	}
	sort.SliceStable(out, func(a, b int) bool {
		ra, rb := reports.FlowRank(out[a].Flow), reports.FlowRank(out[b].Flow)
		if ra != rb {
			return ra < rb
		}
		return out[a].ID < out[b].ID
	})
	return out
}

// renderCatalogue writes the catalogue: one section per flow, one row per template.
func renderCatalogue(entries []entry) string {
	var b strings.Builder
	ts := templates(entries)
	b.WriteString("# Conformance catalogue\n\nGenerated by `make catalogue` from the suites (default brand set); a test fails when it is stale. ")
	b.WriteString("Each row is one spec declaration: `<brand>` stands for each brand listed. Labels `id:`, `flow:`, `brand:` and `evidence:` select specs, e.g. `LABELS='flow:CP'`. ")
	b.WriteString("Evidence says what fixes the values a spec asserts: `recorded` (a public recording of the real platform), `documented` (the official documentation) or `simulator` (the embedded sandbox's own choice where public sources are silent; on a real account such specs assert the documented group and report the exact value seen). Sources are in `fixtures/evidence.json` and `fixtures/claims.json`.\n\n")
	fmt.Fprintf(&b, "%d specs from %d declarations.\n", len(entries), len(ts))
	flow := ""
	for _, t := range ts {
		if t.Flow != flow {
			flow = t.Flow
			fmt.Fprintf(&b, "\n## flow:%s\n\n| ID | MUST | brands | evidence | labels | declared at |\n|---|---|---|---|---|---|\n", flow)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", t.ID, cell(t.Must), strings.Join(t.brands, ", "),
			cell(evidenceCell(t)), strings.Join(t.Labels, ", "), t.Where)
	}
	return b.String()
}

// evidenceCell is a template's grade with its source.
func evidenceCell(t template) string {
	ev, ok := fixtures.LoadEvidence().Spec(t.ID, "")
	if !ok {
		return t.Evidence
	}
	return string(ev.Grade) + ": " + ev.Source
}

func cell(s string) string { return strings.ReplaceAll(s, "|", "\\|") }

package main

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// printBench prints the goals, where an async browser spec's time goes, and the
// plain figures.
func printBench(w io.Writer, rep *benchReport) {
	fmt.Fprintf(w, "\nbench on %d CPUs (%s), browser %s (%s), %d runs per goal\n\n",
		rep.NumCPU, rep.GOOS, rep.Browser.ExecPath, rep.Browser.Version, rep.Runs)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tmedian\tspread\tgoal\tmet\tmeasured on")
	for _, g := range rep.Goals {
		met := "NOT MET"
		if g.Met {
			met = "met"
		}
		bound := "<="
		if g.AtLeast {
			bound = ">="
		}
		fmt.Fprintf(tw, "%s\t%s\t%s–%s\t%s %s\t%s\t%s\n", g.Name, withUnit(g.Value, g.Unit),
			number(g.Spread.Min, g.Unit), withUnit(g.Spread.Max, g.Unit), bound, target(g.Target, g.Unit), met, g.Note)
	}
	_ = tw.Flush()
	printCPU(w, rep)
	printAsyncFlow(w, rep)
}

// printCPU prints the CPU budget: one column per run kind, one row per process kind.
func printCPU(w io.Writer, rep *benchReport) {
	if len(rep.CPU) == 0 {
		return
	}
	fmt.Fprintf(w, "\nCPU budget (CPU seconds, median of %d runs; %d cores)\n", rep.Runs, rep.NumCPU)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	row := func(name string, cell func(cpuBudget) string) {
		fmt.Fprint(tw, name+"\t")
		for _, b := range rep.CPU {
			fmt.Fprint(tw, cell(b)+"\t")
		}
		fmt.Fprintln(tw)
	}
	row("", func(b cpuBudget) string { return b.Run + " run" })
	row("wall", func(b cpuBudget) string { return fmt.Sprintf("%.2f s", b.WallS) })
	row("CPU, all processes", func(b cpuBudget) string { return fmt.Sprintf("%.2f s (%.0f%% busy)", b.CPUS, b.BusyPct) })
	for i, k := range rep.CPU[0].Kinds {
		row("  "+k.Name, func(b cpuBudget) string { return fmt.Sprintf("%.2f s %4.1f%%", b.Kinds[i].CPUS, b.Kinds[i].Pct) })
	}
	row("  of the spec processes: sandbox busy (wall)", func(b cpuBudget) string { return fmt.Sprintf("%.2f s", b.SandboxBusyS) })
	row("Chromium, all processes", func(b cpuBudget) string { return fmt.Sprintf("%.2f s", b.ChromiumS) })
	row("Chromium per browser spec", func(b cpuBudget) string {
		return fmt.Sprintf("%.0f ms (%d specs)", b.ChromiumMsPerBrowserSpec, b.BrowserSpecs)
	})
	row("processes' last specs ended apart", func(b cpuBudget) string { return fmt.Sprintf("%.2f s", b.EndSkewS) })
	row("context switches vol/invol", func(b cpuBudget) string {
		return fmt.Sprintf("%d/%d", b.VoluntarySwitches, b.InvoluntarySwitches)
	})
	row("sampling (this process, not above)", func(b cpuBudget) string { return fmt.Sprintf("%.2f s", b.SamplerCPUS) })
	_ = tw.Flush()
}

// printAsyncFlow prints the async flow's parts, the browser specs' durations and
// the sync flows.
func printAsyncFlow(w io.Writer, rep *benchReport) {
	a := rep.AsyncFlow
	fmt.Fprintf(w, "\nasync PAYPAL flow in process, n=%d\n", a.N)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  browser start (once per process)\t%.1f ms\n", a.BrowserStartMs)
	for _, p := range a.Parts {
		fmt.Fprintf(tw, "  %s\tp50 %.1f ms\n", p.Name, p.P50Ms)
	}
	fmt.Fprintf(tw, "  total\tp50 %.1f ms, p95 %.1f ms\n", a.Total.P50Ms, a.Total.P95Ms)
	_ = tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	bs := rep.BrowserSpecs
	fmt.Fprintf(tw, "async browser specs in the full runs (n=%d)\tp50 %.0f ms\tp95 %.0f ms\n", bs.N, bs.P50Ms, bs.P95Ms)
	for _, name := range []string{"syncPA", "PA+CP"} {
		l := rep.Flows[name]
		fmt.Fprintf(tw, "flow %s in process (n=%d)\tp50 %.2f ms\tp95 %.2f ms\n", name, l.N, l.P50Ms, l.P95Ms)
	}
	_ = tw.Flush()
}

// number formats a figure with the precision its unit needs.
func number(v float64, unit string) string {
	switch unit {
	case "ms":
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

// withUnit formats a figure followed by its unit.
func withUnit(v float64, unit string) string {
	switch unit {
	case "%", "x":
		return number(v, unit) + unit
	default:
		return number(v, unit) + " " + unit
	}
}

// target formats a goal's target as written: 6 s, 80 ms, 5%, 1.5x.
func target(v float64, unit string) string {
	if unit == "%" || unit == "x" {
		return fmt.Sprintf("%g%s", v, unit)
	}
	return fmt.Sprintf("%g %s", v, unit)
}

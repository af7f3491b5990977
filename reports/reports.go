// Package reports writes the certification evidence of a run: a self-contained HTML
// report and a machine-readable summary, beside Ginkgo's JUnit and JSON reports.
//
// The report is built from types.Report alone. In ReportAfterSuite on process 1 the
// report entries of other processes only survive as JSON, so every entry value is read
// from its JSON form; nothing here depends on Go values that crossed a process.
package reports

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/oppwa-conformance/oppwa-conformance/twin"
)

// Meta describes the run: what was certified, with what.
type Meta struct {
	Target   string   `json:"target"`
	BaseURL  string   `json:"baseUrl"`
	Embedded bool     `json:"embedded"`
	EntityID string   `json:"entityId"`
	Brands   []string `json:"brands"`
	Currency string   `json:"currency"`
	Browser  string   `json:"browser"`
	RunID    string   `json:"runId"`
	Args     []string `json:"args"`
	// SandboxVersion is the embedded sandbox's version, or the platform version the
	// framework learned some other way. Empty is fine: the report then shows the
	// buildNumber of the first reply in the transcripts.
	SandboxVersion string `json:"sandboxVersion,omitempty"`
	// Sources lists the shard reports a merged report was made from; empty for one run.
	Sources []string `json:"sources,omitempty"`
	// Baseline is the report directory or fingerprint.json this run is compared
	// with (OPPWA_BASELINE); FailOnDrift the kinds of change that fail it
	// (FAIL_ON_DRIFT).
	Baseline    string   `json:"baseline,omitempty"`
	FailOnDrift []string `json:"failOnDrift,omitempty"`
	// Capabilities says of each capability whether the run had it (declared by the
	// account, or the embedded sandbox's), so a report shows a run narrower than
	// the account it certifies.
	Capabilities []DeclaredCapability `json:"capabilities,omitempty"`
	// TwinOf names the account an embedded run was a twin of (OPPWA_SANDBOX_TWIN).
	TwinOf *TwinOf `json:"twinOf,omitempty"`
}

// TwinOf is the account a twin run answered as: the target and run its calibration
// came from, and the file it was read from.
type TwinOf struct {
	BaseURL string    `json:"baseUrl"`
	RunID   string    `json:"runId"`
	Date    time.Time `json:"date"`
	File    string    `json:"file"`
}

// DeclaredCapability is one capability of a run's Meta and how to declare it.
type DeclaredCapability struct {
	Name     string `json:"name"`
	Declared bool   `json:"declared"`
	// How is what declares it (OPPWA_3DS=yes, ...).
	How string `json:"how"`
}

// DeclaredNames lists the capabilities m declares, in its order.
func (m Meta) DeclaredNames() (declared, undeclared []string) {
	for _, c := range m.Capabilities {
		if c.Declared {
			declared = append(declared, c.Name)
		} else {
			undeclared = append(undeclared, c.Name)
		}
	}
	return declared, undeclared
}

// File names written into the report directory.
const (
	HTMLFile          = "index.html"
	CertificationFile = "certification.json"
	// JSONFile and JUnitFile are Ginkgo's own reports; only Merge writes them.
	JSONFile  = "report.json"
	JUnitFile = "junit.xml"
)

// Write writes index.html, certification.json and fingerprint.json for r into dir,
// creating dir. When meta names a baseline, the baseline is read before anything is
// written, so a run may compare with the directory it overwrites; its history is
// carried forward, this run added (History).
func Write(dir string, r types.Report, meta Meta) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create report directory %s: %w (make it writable or set OPPWA_REPORT_DIR)", dir, err)
	}
	c, details := build(r, meta)
	fp := fingerprintOf(c, details)
	compareWithBaseline(&c, fp)
	carryHistory(&c, fp)
	loadShots(dir, details)
	fb, err := json.MarshalIndent(fp, "", " ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", FingerprintFile, err)
	}
	if err := writeFile(filepath.Join(dir, FingerprintFile), fb); err != nil {
		return err
	}
	if err := writeCalibration(dir, c, details, fp); err != nil {
		return err
	}
	b, err := json.MarshalIndent(c, "", " ")
	if err != nil {
		return fmt.Errorf("encode %s: %w (a report entry holds a value JSON cannot encode)", CertificationFile, err)
	}
	if err := writeFile(filepath.Join(dir, CertificationFile), b); err != nil {
		return err
	}
	html, err := renderHTML(c, details)
	if err != nil {
		return fmt.Errorf("render %s: %w (the report template is broken: run go test ./reports/)", HTMLFile, err)
	}
	return writeFile(filepath.Join(dir, HTMLFile), html)
}

// writeCalibration writes twin.json for a run against a real target in which specs
// ran. An embedded run leaves the directory's twin.json alone (it may be the
// calibration the run's twin started from, and it names its own run), and so does a
// run that saw nothing of the account (an unreachable host, a failed setup): a
// calibration of nothing would replace the last one that knew the account.
func writeCalibration(dir string, c Certification, details []specDetail, fp Fingerprint) error {
	path := filepath.Join(dir, twin.File)
	if c.Meta.Embedded || c.Counts.Ran == 0 {
		return nil
	}
	cal := calibrationOf(c, details, fp)
	addDiscovery(&cal, dir)
	b, err := json.MarshalIndent(cal, "", " ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", twin.File, err)
	}
	return writeFile(path, b)
}

// loadShots reads the screenshot files the specs saved beside the reports, so that
// index.html carries them inline and stays one self-contained file.
func loadShots(dir string, details []specDetail) {
	for i := range details {
		for j := range details[i].Shots {
			sh := &details[i].Shots[j]
			if len(sh.JPEG) > 0 {
				continue
			}
			sh.JPEG = readShot(dir, sh.File)
		}
		if sp := details[i].Stuck; sp != nil && len(sp.JPEG) == 0 {
			sp.JPEG = readShot(dir, sp.File)
		}
	}
}

// readShot reads a screenshot file saved under dir; nil for a path outside it or
// a file that cannot be read.
func readShot(dir, file string) []byte {
	if file == "" || filepath.IsAbs(file) || strings.Contains(file, "..") {
		return nil
	}
	b, _ := os.ReadFile(filepath.Join(dir, file))
	return b
}

// copyShots brings a shard's screenshot files into the merged report directory.
func copyShots(shardDir, dir string) error {
	files, _ := filepath.Glob(filepath.Join(shardDir, "screenshots", "*"))
	if len(files) == 0 || filepath.Clean(shardDir) == filepath.Clean(dir) {
		return nil
	}
	if err := os.MkdirAll(filepath.Join(dir, "screenshots"), 0o755); err != nil {
		return fmt.Errorf("merge reports: create screenshots folder: %w", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("merge reports: read %s: %w", f, err)
		}
		if err := os.WriteFile(filepath.Join(dir, "screenshots", filepath.Base(f)), b, 0o644); err != nil {
			return fmt.Errorf("merge reports: write screenshot: %w", err)
		}
	}
	return nil
}

// writeFile writes through a temporary file and a rename, so that a reader (a CI
// artifact upload, a browser left open) never sees half a report.
func writeFile(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("write %s: %w (check free space and permissions of the report directory)", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write %s: %w (check permissions of the report directory)", path, err)
	}
	return nil
}

// MergeOptions are what a merged report is compared with, as a run's Meta says it.
type MergeOptions struct {
	// Baseline is the report directory or fingerprint.json of the run before ("":
	// none); its changes and history go into the merged report.
	Baseline string
	// FailOnDrift are the kinds of change that fail the merged report (FAIL_ON_DRIFT).
	FailOnDrift []string
}

// Merge merges the Ginkgo JSON reports of sharded runs (each file a JSON array of
// types.Report) into dir: one report.json, junit.xml, index.html and
// certification.json. Each shard's Meta is read from the certification.json beside
// its report.json; a shard without one still contributes its specs. The merged
// report is compared with opt's baseline as a run's is (see Write).
//
// Shards select specs by label filter, so every shard also reports the other shards'
// specs as skipped; a spec that ran in any shard keeps that shard's result.
func Merge(dir string, reportJSONs []string, opt MergeOptions) error {
	if len(reportJSONs) == 0 {
		return errors.New("merge reports: no report.json given (pass each shard's report.json)")
	}
	var (
		reports []types.Report
		metas   []Meta
	)
	for _, p := range reportJSONs {
		b, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("merge reports: read %s: %w (download every shard's report directory first)", p, err)
		}
		var rs []types.Report
		if err := json.Unmarshal(b, &rs); err != nil {
			return fmt.Errorf("merge reports: %s is not a Ginkgo JSON report: %w (pass the report.json Ginkgo wrote)", p, err)
		}
		reports = append(reports, rs...)
		m, err := readMeta(filepath.Join(filepath.Dir(p), CertificationFile))
		if err != nil {
			return err
		}
		if m != nil {
			metas = append(metas, *m)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create report directory %s: %w (make it writable)", dir, err)
	}
	for _, p := range reportJSONs {
		if err := copyShots(filepath.Dir(p), dir); err != nil {
			return err
		}
	}
	merged := mergeReports(reports)
	meta := mergeMetas(metas)
	meta.Sources = append([]string(nil), reportJSONs...)
	// The shards' own comparisons (if any) are theirs; the merged report's is made
	// once, with the merge's baseline.
	meta.Baseline, meta.FailOnDrift = opt.Baseline, opt.FailOnDrift

	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create report directory %s: %w (make it writable)", dir, err)
	}
	b, err := json.MarshalIndent([]types.Report{merged}, "", "  ")
	if err != nil {
		return fmt.Errorf("merge reports: encode %s: %w", JSONFile, err)
	}
	if err := writeFile(filepath.Join(dir, JSONFile), b); err != nil {
		return err
	}
	if err := reporters.GenerateJUnitReport(merged, filepath.Join(dir, JUnitFile)); err != nil {
		return fmt.Errorf("merge reports: write %s: %w (check permissions of %s)", JUnitFile, err, dir)
	}
	return Write(dir, merged, meta)
}

func readMeta(path string) (*Meta, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		// The shard's ReportAfterSuite did not run (the run was killed); its specs
		// are still worth merging, its Meta is simply unknown.
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("merge reports: read %s: %w", path, err)
	}
	var c struct {
		Meta Meta `json:"meta"`
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("merge reports: %s is unreadable: %w (delete it to merge without that shard's meta)", path, err)
	}
	return &c.Meta, nil
}

// mergeReports unions the spec reports of the shards. Specs are identified by their
// location and full text; one that ran somewhere beats its skipped copies.
func mergeReports(rs []types.Report) types.Report {
	out := rs[0]
	out.SpecReports = nil
	out.SpecialSuiteFailureReasons = nil
	index := map[string]int{}
	for i, r := range rs {
		out.SuiteSucceeded = out.SuiteSucceeded && r.SuiteSucceeded
		if i > 0 {
			if r.StartTime.Before(out.StartTime) {
				out.StartTime = r.StartTime
			}
			if r.EndTime.After(out.EndTime) {
				out.EndTime = r.EndTime
			}
		}
		out.SpecialSuiteFailureReasons = append(out.SpecialSuiteFailureReasons, r.SpecialSuiteFailureReasons...)
		for _, sr := range r.SpecReports {
			if sr.LeafNodeType != types.NodeTypeIt {
				// Suite nodes (BeforeSuite, ReportAfterSuite...) run in every shard;
				// only their failures matter.
				if sr.State.Is(types.SpecStateFailureStates) {
					out.SpecReports = append(out.SpecReports, sr)
				}
				continue
			}
			key := fmt.Sprintf("%s:%d\x00%s", sr.LeafNodeLocation.FileName, sr.LeafNodeLocation.LineNumber, sr.FullText())
			j, seen := index[key]
			switch {
			case !seen:
				index[key] = len(out.SpecReports)
				out.SpecReports = append(out.SpecReports, sr)
			case shardRank(sr) > shardRank(out.SpecReports[j]):
				out.SpecReports[j] = sr
			}
		}
	}
	out.RunTime = out.EndTime.Sub(out.StartTime)
	out.PreRunStats.TotalSpecs = 0
	out.PreRunStats.SpecsThatWillRun = 0
	for _, sr := range out.SpecReports {
		if sr.LeafNodeType == types.NodeTypeIt {
			out.PreRunStats.TotalSpecs++
			if ran(sr) {
				out.PreRunStats.SpecsThatWillRun++
			}
		}
	}
	return out
}

// shardRank orders a spec's reports from the shards: one that ran says most, then
// one skipped with a reason (a capability not declared: the verdict lists it as not
// verified), then one the shard's label filter left out.
func shardRank(sr types.SpecReport) int {
	switch {
	case ran(sr):
		return 2
	case sr.State == types.SpecStateSkipped && sr.Failure.Message != "":
		return 1
	}
	return 0
}

func ran(sr types.SpecReport) bool {
	return sr.State != types.SpecStateSkipped && sr.State != types.SpecStatePending
}

// mergeMetas keeps the first shard's description of the run, unions the brands and
// joins differing run ids so each shard's merchant references stay findable.
func mergeMetas(ms []Meta) Meta {
	if len(ms) == 0 {
		return Meta{}
	}
	out := ms[0]
	out.Brands = nil
	ids := []string{}
	for _, m := range ms {
		for _, b := range m.Brands {
			if !slices.Contains(out.Brands, b) {
				out.Brands = append(out.Brands, b)
			}
		}
		if m.RunID != "" && !slices.Contains(ids, m.RunID) {
			ids = append(ids, m.RunID)
		}
		fill(&out.Target, m.Target)
		fill(&out.BaseURL, m.BaseURL)
		fill(&out.EntityID, m.EntityID)
		fill(&out.Currency, m.Currency)
		fill(&out.Browser, m.Browser)
		fill(&out.SandboxVersion, m.SandboxVersion)
		if len(out.Args) == 0 {
			out.Args = m.Args
		}
		if len(out.Capabilities) == 0 {
			// Every shard reads the same configuration; one that did not write its
			// Meta's capabilities (an older runner) borrows another's.
			out.Capabilities = m.Capabilities
		}
	}
	if len(ids) > 0 {
		out.RunID = ids[0]
		for _, id := range ids[1:] {
			out.RunID += ", " + id
		}
	}
	return out
}

func fill(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

// durationMs is how certification.json states durations: whole milliseconds read
// better than Go's nanosecond durations in other tools.
func durationMs(d time.Duration) int64 { return d.Milliseconds() }

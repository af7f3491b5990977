// Package reports writes the certification evidence of a run: a self-contained HTML
// report and a machine-readable summary, beside Ginkgo's JUnit and JSON reports.
package reports

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/onsi/ginkgo/v2/types"
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
}

// Write writes the reports for r into dir.
func Write(dir string, r types.Report, meta Meta) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create report directory %s: %w (make it writable or set OPPWA_REPORT_DIR)", dir, err)
	}
	b, err := json.MarshalIndent(struct {
		Meta  Meta `json:"meta"`
		Specs int  `json:"specs"`
	}{meta, len(r.SpecReports)}, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "certification.json"), b, 0o644)
}

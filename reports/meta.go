package reports

import "strings"

// Label prefixes of a conformance spec's typed metadata. Specs carry it as Ginkgo
// labels; the report, the catalogue, sharding and label filters all read the labels,
// never the spec text.
const (
	LabelID    = "id:"
	LabelFlow  = "flow:"
	LabelBrand = "brand:"
	// LabelEvidence carries the spec's evidence grade: recorded, documented or
	// simulator (fixtures/evidence.json).
	LabelEvidence = "evidence:"
)

// SpecMeta is a conformance spec's metadata: its stable conformance ID, the flow it
// exercises (a column of the brand × flow matrix, a group of the catalogue) and the
// brand it pays with, when it is about one brand.
type SpecMeta struct {
	ID    string
	Flow  string
	Brand string
	// Evidence is the grade of the evidence behind what the spec asserts; the
	// framework fills it from fixtures/evidence.json.
	Evidence string
}

// Labels are the metadata as Ginkgo labels; empty fields give no label.
func (m SpecMeta) Labels() []string {
	var ls []string
	for _, l := range [][2]string{{LabelID, m.ID}, {LabelFlow, m.Flow}, {LabelBrand, m.Brand}, {LabelEvidence, m.Evidence}} {
		if l[1] != "" {
			ls = append(ls, l[0]+l[1])
		}
	}
	return ls
}

// MetaOf reads a spec's metadata back from its labels.
func MetaOf(labels []string) SpecMeta {
	var m SpecMeta
	for _, l := range labels {
		if v, ok := strings.CutPrefix(l, LabelID); ok {
			m.ID = v
		} else if v, ok := strings.CutPrefix(l, LabelFlow); ok {
			m.Flow = v
		} else if v, ok := strings.CutPrefix(l, LabelBrand); ok {
			m.Brand = v
		} else if v, ok := strings.CutPrefix(l, LabelEvidence); ok {
			m.Evidence = v
		}
	}
	return m
}

package reports

import (
	"bytes"
	_ "embed"
	"encoding/base64"
	"html/template"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/outcome"
)

//go:embed report.html.tmpl
var reportTemplate string

// tmpl is parsed once; html/template escapes every value for its context, which is
// what keeps a hostile reply body or URL from scripting the report.
var tmpl = template.Must(template.New("report").Parse(reportTemplate))

type page struct {
	C          Certification
	Generated  string
	Started    string
	Ended      string
	Duration   string
	Command    string
	Version    string
	Verdict    string // css class
	Failures   []specView
	Matrix     matrixView
	Unbranded  []specView
	Specs      []specView
	BrandCount int
	Changes    *changesView
	History    *historyView
}

// changesView is the "Changes since" section: a title naming the baseline (or why
// there is no comparison) and one line per change.
type changesView struct {
	Title        string
	Lines        []string
	NoComparison bool
}

type matrixView struct {
	Flows []flowCol
	Rows  []matrixRow
}

type flowCol struct{ Key, Title, Hint string }

type matrixRow struct {
	Brand string
	Cells [][]specView
}

type specView struct {
	SpecResult
	Anchor    string
	Node      string
	Class     string // pass, contract, environment, skip
	Tag       string // short state text for cells
	Duration  string
	FlowTitle string
	Location  string
	FirstLine string
	Exchanges []exchangeView
	Shots     []shotView
	Stuck     *stuckView
	Notes     []string
}

// stuckView is the stuck page section of a spec.
type stuckView struct {
	StuckPage
	Src template.URL
}

type exchangeView struct {
	Method, URL, Status, Duration, Started, Error, Reconciled string
	Attempts                                                  int
	OK                                                        bool
	Headers                                                   string
	Request, Response                                         string
}

type shotView struct {
	Step, URL, At string
	Src           template.URL
}

func renderHTML(c Certification, details []specDetail) ([]byte, error) {
	p := page{
		C: c, Generated: fmtTime(time.Now()), Started: fmtTime(c.Started), Ended: fmtTime(c.Ended),
		Duration: fmtDuration(time.Duration(c.DurationMs) * time.Millisecond),
		Command:  shellQuote(c.Meta.Args), Verdict: strings.ToLower(c.Verdict),
	}
	switch {
	case c.Meta.SandboxVersion != "" && c.BuildNumber != "" && c.BuildNumber != c.Meta.SandboxVersion:
		p.Version = c.Meta.SandboxVersion + " (buildNumber " + c.BuildNumber + ")"
	case c.Meta.SandboxVersion != "":
		p.Version = c.Meta.SandboxVersion
	case c.BuildNumber != "":
		p.Version = "buildNumber " + c.BuildNumber
	default:
		p.Version = "unknown (no reply carried a buildNumber)"
	}
	for i, s := range c.Specs {
		v := viewOf(s, details[i])
		p.Specs = append(p.Specs, v)
		if s.FailureKind != "" {
			p.Failures = append(p.Failures, v)
		}
		if s.Brand == "" && v.Node == "" {
			p.Unbranded = append(p.Unbranded, v)
		}
	}
	if ch := c.Changes; ch != nil {
		p.Changes = &changesView{Title: ch.Title(), Lines: ch.Lines(), NoComparison: ch.NoComparison != ""}
	}
	p.History = historyViewOf(c.History)
	p.Matrix = matrixOf(p.Specs, c.Meta.Brands)
	p.BrandCount = len(p.Matrix.Rows)
	var buf bytes.Buffer
	buf.Grow(64<<10 + len(c.Specs)*8<<10)
	if err := tmpl.Execute(&buf, p); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func viewOf(s SpecResult, d specDetail) specView {
	v := specView{SpecResult: s, Anchor: d.Anchor, Node: d.Node, Location: d.Location, Notes: d.Notes,
		Duration: fmtDuration(time.Duration(s.DurationMs) * time.Millisecond)}
	if s.Flow != "" {
		v.FlowTitle = flowTitle(s.Flow)
	}
	switch {
	case s.State == "passed":
		v.Class, v.Tag = "pass", "pass"
	case s.FailureKind == outcome.Contract:
		v.Class, v.Tag = "contract", "FAIL"
	case s.FailureKind == outcome.Environment:
		v.Class, v.Tag = "environment", "ENV"
	default:
		v.Class, v.Tag = "skip", s.State
	}
	v.FirstLine, _, _ = strings.Cut(strings.TrimSpace(s.Message), "\n")
	for _, x := range d.Exchanges {
		ev := exchangeView{
			Method: x.Method, URL: x.URL, Duration: fmtDuration(x.Duration), Started: fmtTime(x.Started),
			Attempts: x.Attempts, Error: x.Error, Reconciled: x.Reconciled,
			OK:      x.Status >= 200 && x.Status < 300 && x.Error == "",
			Request: prettyBody(x.RequestBody), Response: prettyBody(x.ResponseBody),
		}
		ev.Status = "no answer"
		if x.Status != 0 {
			ev.Status = strings.TrimSpace(strings.Join([]string{strconv.Itoa(x.Status), http.StatusText(x.Status)}, " "))
		}
		var hs []string
		for k, vs := range x.RequestHeaders {
			for _, hv := range vs {
				hs = append(hs, k+": "+hv)
			}
		}
		sort.Strings(hs)
		ev.Headers = strings.Join(hs, "\n")
		v.Exchanges = append(v.Exchanges, ev)
	}
	for _, sh := range d.Shots {
		v.Shots = append(v.Shots, shotView{Step: sh.Step, URL: sh.URL, At: fmtTime(sh.At), Src: imageSrc(sh.JPEG)})
	}
	if d.Stuck != nil {
		v.Stuck = &stuckView{StuckPage: *d.Stuck, Src: imageSrc(d.Stuck.JPEG)}
	}
	return v
}

// imageSrc is a data: URI of an image; empty for none. A data: URI must be marked
// safe or html/template replaces it; it is safe because it is built here from
// base64 only.
func imageSrc(b []byte) template.URL {
	if len(b) == 0 {
		return ""
	}
	return template.URL("data:" + imageType(b) + ";base64," + base64.StdEncoding.EncodeToString(b))
}

// imageType trusts the bytes, not the field name: a PNG screenshot still displays.
func imageType(b []byte) string {
	if t := http.DetectContentType(b); strings.HasPrefix(t, "image/") {
		return t
	}
	return "image/jpeg"
}

// matrixOf lays out brands × flows. Configured brands come first, in their configured
// order, and stay even without specs: an empty row shows a brand nothing certified.
func matrixOf(specs []specView, configured []string) matrixView {
	var m matrixView
	brands := slices.Clone(configured)
	flows := []string{}
	for _, s := range specs {
		if s.Brand == "" || s.Node != "" {
			continue
		}
		if !slices.Contains(brands, s.Brand) {
			brands = append(brands, s.Brand)
		}
		if !slices.Contains(flows, s.Flow) {
			flows = append(flows, s.Flow)
		}
	}
	extra := brands[len(configured):]
	sort.Strings(extra)
	sort.Slice(flows, func(a, b int) bool {
		ra, rb := FlowRank(flows[a]), FlowRank(flows[b])
		if ra != rb {
			return ra < rb
		}
		return flows[a] < flows[b]
	})
	for _, f := range flows {
		m.Flows = append(m.Flows, flowCol{Key: f, Title: flowTitle(f), Hint: flowHints[f]})
	}
	for _, b := range brands {
		row := matrixRow{Brand: b, Cells: make([][]specView, len(flows))}
		for _, s := range specs {
			if s.Brand == b && s.Node == "" {
				i := slices.Index(flows, s.Flow)
				row.Cells[i] = append(row.Cells[i], s)
			}
		}
		m.Rows = append(m.Rows, row)
	}
	return m
}

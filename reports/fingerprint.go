package reports

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/drivers/oppwa"
	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	"github.com/oppwa-conformance/oppwa-conformance/twin"
)

// FingerprintFile is the platform fingerprint Write puts beside certification.json.
const FingerprintFile = "fingerprint.json"

// FingerprintVersion is the format of fingerprint.json; a baseline of another format
// is not compared.
const FingerprintVersion = 1

// Fingerprint is what a run saw of the platform, in a form two runs can be compared
// by: states and exact observations per spec, the JSON field paths per reply kind,
// the redirect shape per async brand and the typical duration per flow. It holds
// field paths, codes and parameter names only, never values of card fields.
type Fingerprint struct {
	Version int       `json:"version"`
	RunID   string    `json:"runId"`
	Date    time.Time `json:"date"`
	Target  FPTarget  `json:"target"`
	// BuildNumbers are the distinct buildNumbers seen in replies, sorted.
	BuildNumbers []string `json:"buildNumbers"`
	Specs        []FPSpec `json:"specs"`
	// Fields are the sorted JSON field paths seen per reply kind, arrays as [].
	Fields map[string][]string `json:"fields"`
	// Redirects is the redirect shape of each async brand's initial payment.
	Redirects map[string]RedirectShape `json:"redirects"`
	// FlowP50Ms is the median duration of each flow's specs that ran.
	FlowP50Ms map[string]int64 `json:"flowP50Ms"`
}

// FPTarget is what a run ran against. TwinOf is the base URL of the account an
// embedded twin run answered as.
type FPTarget struct {
	Host     string `json:"host"`
	BaseURL  string `json:"baseUrl"`
	Embedded bool   `json:"embedded"`
	TwinOf   string `json:"twinOf,omitempty"`
}

// key identifies a target across runs: the embedded sandbox listens on a new port
// each run, so it is one target whatever its URL; a twin stands for its account, so
// that a twin run compares with the account's runs.
func (t FPTarget) key() string {
	if t.TwinOf != "" {
		return FPTarget{BaseURL: t.TwinOf}.key()
	}
	if t.Embedded {
		return "the embedded sandbox"
	}
	u, err := url.Parse(strings.TrimSpace(t.BaseURL))
	if err != nil || u.Host == "" {
		return strings.TrimSuffix(t.BaseURL, "/")
	}
	return strings.ToLower(u.Scheme + "://" + u.Host + strings.TrimSuffix(u.Path, "/"))
}

// FPSpec is one spec of a fingerprint.
type FPSpec struct {
	ID           string          `json:"id"`
	State        string          `json:"state"`
	Observations []FPObservation `json:"observations,omitempty"`
}

// FPObservation is the exact value a spec saw for one claim.
type FPObservation struct {
	Claim string `json:"claim"`
	Seen  string `json:"seen"`
}

// RedirectShape is the form of an async initial payment's redirect: its method
// (twin.MethodAbsent when the reply names none, "no redirect" when there is no
// redirect), its sorted parameter names and whether it carries preconditions.
type RedirectShape struct {
	Method        string   `json:"method"`
	Parameters    []string `json:"parameters"`
	Preconditions bool     `json:"preconditions"`
}

func (r RedirectShape) String() string {
	s := fmt.Sprintf("method %s, parameters [%s]", r.Method, strings.Join(r.Parameters, ", "))
	if r.Preconditions {
		s += ", with preconditions"
	}
	return s
}

func (r RedirectShape) equal(o RedirectShape) bool {
	return r.Method == o.Method && r.Preconditions == o.Preconditions && slices.Equal(r.Parameters, o.Parameters)
}

// fingerprintOf reads the fingerprint of a built certification and its evidence.
func fingerprintOf(c Certification, details []specDetail) Fingerprint {
	fp := Fingerprint{
		Version: FingerprintVersion, RunID: c.Meta.RunID, Date: c.Started,
		Target:       FPTarget{Host: c.Meta.Target, BaseURL: c.Meta.BaseURL, Embedded: c.Meta.Embedded, TwinOf: twinBase(c.Meta)},
		BuildNumbers: []string{}, Specs: []FPSpec{}, Fields: map[string][]string{},
		Redirects: map[string]RedirectShape{}, FlowP50Ms: flowMedians(c.Specs),
	}
	fields := map[string]map[string]bool{}
	builds := map[string]bool{}
	for i, s := range c.Specs {
		fs := FPSpec{ID: specKey(s), State: s.State}
		for _, o := range s.Observations {
			fs.Observations = append(fs.Observations, FPObservation{Claim: o.Claim, Seen: o.Seen})
		}
		fp.Specs = append(fp.Specs, fs)
		for _, x := range details[i].Exchanges {
			readExchange(x, fields, builds)
		}
		if _, seen := fp.Redirects[s.Brand]; !seen && asyncBrand(s) {
			if shape, ok := redirectShapeOf(details[i].Exchanges); ok {
				fp.Redirects[s.Brand] = shape
			}
		}
	}
	for kind, set := range fields {
		fp.Fields[kind] = sortedKeys(set)
	}
	fp.BuildNumbers = sortedKeys(builds)
	return fp
}

// twinBase is the base URL of the account a twin run stands for; "" for other runs.
func twinBase(m Meta) string {
	if m.TwinOf == nil {
		return ""
	}
	return m.TwinOf.BaseURL
}

// specKey names a spec across runs: its conformance ID, else its text.
func specKey(s SpecResult) string {
	if s.ID != "" {
		return s.ID
	}
	return s.Must
}

// asyncBrand says whether a spec pays with a brand whose documented workflow is
// async, outside 3-D Secure (whose redirect is the ACS page's, not the brand's).
func asyncBrand(s SpecResult) bool {
	if s.Brand == "" || s.Flow == "3ds" {
		return false
	}
	b, ok := fixtures.Load().Brand(s.Brand)
	return ok && b.Workflow == fixtures.Async
}

// readExchange adds an exchange's JSON field paths to its reply kind and its
// buildNumber to the set.
func readExchange(x oppwa.Exchange, fields map[string]map[string]bool, builds map[string]bool) {
	kind := replyKind(x)
	if kind == "" {
		return
	}
	var v any
	if json.Unmarshal([]byte(x.ResponseBody), &v) != nil {
		return
	}
	if fields[kind] == nil {
		fields[kind] = map[string]bool{}
	}
	fieldPaths("", v, fields[kind])
	if m, ok := v.(map[string]any); ok {
		if b, ok := m["buildNumber"].(string); ok && b != "" {
			builds[b] = true
		}
	}
}

// replyKind sorts a reply by the request it answers (twin.ReplyKind); "" for no answer.
func replyKind(x oppwa.Exchange) string { return twin.ReplyKind(x.Method, x.URL, x.Status) }

// fieldPaths adds the dotted paths of every key under v to set; array elements
// continue the path with [].
func fieldPaths(prefix string, v any, set map[string]bool) {
	walkFields(prefix, v, func(path string, _ any) { set[path] = true })
}

// walkFields calls visit with the dotted path (arrays as []) and the value of every
// key under v, parents first.
func walkFields(prefix string, v any, visit func(path string, value any)) {
	switch t := v.(type) {
	case map[string]any:
		for k, child := range t {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			visit(p, child)
			walkFields(p, child, visit)
		}
	case []any:
		for _, child := range t {
			walkFields(prefix+"[]", child, visit)
		}
	}
}

// redirectShapeOf is the shape of the first successful initial payment's redirect in
// a spec's transcript.
func redirectShapeOf(xs []oppwa.Exchange) (RedirectShape, bool) {
	for _, x := range xs {
		if replyKind(x) != twin.ReplyPayment {
			continue
		}
		var reply struct {
			Redirect *oppwa.Redirect `json:"redirect"`
		}
		if json.Unmarshal([]byte(x.ResponseBody), &reply) != nil {
			continue
		}
		if reply.Redirect == nil {
			return RedirectShape{Method: "no redirect", Parameters: []string{}}, true
		}
		return redirectShape(*reply.Redirect), true
	}
	return RedirectShape{}, false
}

// redirectShape is what the fingerprint and the twin (redirectOf) both read of a
// redirect: its method (twin.MethodAbsent when it names none), its parameters' names
// and whether it carries preconditions.
func redirectShape(r oppwa.Redirect) RedirectShape {
	return RedirectShape{Method: cmp.Or(r.Method, twin.MethodAbsent), Parameters: parameterNames(r.Parameters),
		Preconditions: len(r.Preconditions) > 0}
}

// parameterNames are the redirect parameters' names, sorted and without repeats.
func parameterNames(ps oppwa.Params) []string {
	names := map[string]bool{}
	for _, p := range ps {
		names[p.Name] = true
	}
	return sortedKeys(names)
}

// flowMedians is the p50 duration of each flow's specs that ran.
func flowMedians(specs []SpecResult) map[string]int64 {
	byFlow := map[string][]int64{}
	for _, s := range specs {
		if s.Flow == "" || s.State == "skipped" || s.State == "pending" {
			continue
		}
		byFlow[s.Flow] = append(byFlow[s.Flow], s.DurationMs)
	}
	out := map[string]int64{}
	for f, ds := range byFlow {
		slices.Sort(ds)
		n := len(ds)
		if n%2 == 1 {
			out[f] = ds[n/2]
		} else {
			out[f] = (ds[n/2-1] + ds[n/2]) / 2
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// LoadFingerprint reads a fingerprint from a report directory or a fingerprint.json
// path. Its errors say in one line, naming the path, why it cannot be compared:
// missing, unreadable, or of an older report format.
func LoadFingerprint(path string) (Fingerprint, error) {
	var fp Fingerprint
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fp, fmt.Errorf("%s does not exist", path)
	}
	if err != nil {
		return fp, fmt.Errorf("%s is unreadable: %w", path, err)
	}
	file := path
	if st.IsDir() {
		file = filepath.Join(path, FingerprintFile)
		if _, err := os.Stat(file); errors.Is(err, fs.ErrNotExist) {
			if _, cerr := os.Stat(filepath.Join(path, CertificationFile)); cerr == nil {
				return fp, fmt.Errorf("%s is from an older report format (no %s)", path, FingerprintFile)
			}
			return fp, fmt.Errorf("%s holds no report (no %s)", path, FingerprintFile)
		}
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return fp, fmt.Errorf("%s is unreadable: %w", file, err)
	}
	if err := json.Unmarshal(b, &fp); err != nil {
		return fp, fmt.Errorf("%s is unreadable: not a fingerprint (%w)", file, err)
	}
	if fp.Version != FingerprintVersion {
		return fp, fmt.Errorf("%s is from another report format (fingerprint version %d; this suite reads version %d)", file, fp.Version, FingerprintVersion)
	}
	return fp, nil
}

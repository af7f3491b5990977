package calibrated

import (
	"strings"

	"github.com/oppwa-conformance/oppwa-conformance/sandbox/hook"
	"github.com/oppwa-conformance/oppwa-conformance/sandbox/wire"
	"github.com/oppwa-conformance/oppwa-conformance/twin"
)

// shaper gives API replies only the fields the account's replies of the same kind
// carried (twin.ReplyKind sorts both), and the account's buildNumber. A kind the
// calibration never saw keeps the sandbox's fields; a redirect keeps the sandbox's
// parameters, which its pages need; a field only the account showed cannot be made up
// and stays absent.
type shaper struct {
	// fields are the account's field paths per reply kind, as sets built once: every
	// API reply looks its kind up.
	fields map[string]map[string]bool
	build  string
}

func newShaper(cal *twin.Calibration) *shaper {
	s := &shaper{fields: make(map[string]map[string]bool, len(cal.Fields))}
	for kind := range cal.Fields {
		s.fields[kind] = cal.FieldPaths(kind)
	}
	if n := len(cal.BuildNumbers); n > 0 {
		s.build = cal.BuildNumbers[n-1]
	}
	return s
}

// wireReply shapes the reply to an API request. It fires for the wire only, so a
// notification's payload keeps the sandbox's fields: the calibration saw the account's
// API replies, never its notifications. A JSON reply off the API (an unknown page) is
// left alone too.
func (s *shaper) wireReply(r *hook.WireReply) {
	if !strings.Contains(r.Path, "/v1/") {
		return
	}
	if keep := s.fields[twin.ReplyKind(r.Method, r.Path, r.Status)]; keep != nil {
		r.Doc = prune(r.Doc, "", keep)
	}
	if _, ok := r.Doc.Get("buildNumber").(string); ok && s.build != "" {
		r.Doc = r.Doc.Set("buildNumber", s.build)
	}
}

// prune drops every key of doc whose path (under prefix) keep lacks, at every depth;
// a redirect is left whole. It builds new documents: a reply shares nested documents
// with the stored payment. A raw JSON value (json.RawMessage) is kept or dropped whole.
func prune(doc wire.Document, prefix string, keep map[string]bool) wire.Document {
	out := make(wire.Document, 0, len(doc))
	for _, f := range doc {
		path := f.Key
		if prefix != "" {
			path = prefix + "." + f.Key
		}
		if !keep[path] {
			continue
		}
		if path != "redirect" {
			f.Value = pruneValue(f.Value, path, keep)
		}
		out = append(out, f)
	}
	return out
}

func pruneValue(v any, path string, keep map[string]bool) any {
	switch x := v.(type) {
	case wire.Document:
		return prune(x, path, keep)
	case []wire.Document:
		out := make([]wire.Document, len(x))
		for i, d := range x {
			out[i] = prune(d, path+"[]", keep)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = pruneValue(e, path+"[]", keep)
		}
		return out
	}
	return v
}

package calibrated

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

	"github.com/oppwa-conformance/oppwa-conformance/sandbox/wire"
	"github.com/oppwa-conformance/oppwa-conformance/twin"
)

// Shape wraps the sandbox's handler so that its API replies carry only the fields the
// account's replies of the same kind carried (twin.ReplyKind sorts both), and the
// account's buildNumber. A kind the calibration never saw keeps the sandbox's fields;
// a redirect keeps the sandbox's parameters, which its pages need; a field only the
// account showed cannot be made up and stays absent.
func Shape(cal *twin.Calibration, next http.Handler) http.Handler {
	build := ""
	if n := len(cal.BuildNumbers); n > 0 {
		build = cal.BuildNumbers[n-1]
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.URL.Path, "/v1/") {
			next.ServeHTTP(w, r)
			return
		}
		rec := &recorder{header: http.Header{}, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		body := rec.body.Bytes()
		if strings.HasPrefix(rec.header.Get("Content-Type"), "application/json") {
			keep := cal.FieldPaths(twin.ReplyKind(r.Method, r.URL.Path, rec.status))
			body = reshape(body, keep, build)
			rec.header.Set("Content-Length", strconv.Itoa(len(body)))
		}
		for k, vs := range rec.header {
			w.Header()[k] = vs
		}
		w.WriteHeader(rec.status)
		_, _ = w.Write(body)
	})
}

// recorder keeps a reply for Shape to change before it is sent.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(status int)      { r.status = status }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }

// reshape drops the fields keep lacks (none when keep is nil) and sets buildNumber;
// a body that is not one JSON object is returned as it is.
func reshape(body []byte, keep map[string]bool, build string) []byte {
	doc, err := wire.Parse(body)
	if err != nil {
		return body
	}
	if keep != nil {
		doc = prune(doc, "", keep)
	}
	if build != "" {
		if _, ok := doc.Get("buildNumber").(string); ok {
			doc = doc.Set("buildNumber", build)
		}
	}
	out, err := doc.MarshalJSON()
	if err != nil {
		return body
	}
	return out
}

// prune drops every key of doc whose path (under prefix) keep lacks, at every depth;
// a redirect is left whole.
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
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = pruneValue(e, path+"[]", keep)
		}
		return out
	}
	return v
}

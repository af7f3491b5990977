package sandbox

import (
	"unicode/utf8"
)

// The sandbox writes its JSON by hand from ordered documents rather than through
// encoding/json: key order then matches the platform's replies, the tolerated modes can
// reverse it or add fields at every level in one place, and a PA round-trip stays cheap.

// field is one key of an ordered JSON object: a string value in s, or any other value
// in v (obj, arr, []obj, rawJSON, bool, jsonNull). Strings stay out of the interface so
// rendering a payment does not allocate per field.
type field struct {
	k string
	s string
	v any
}

// jsonNull is the JSON null value.
type jsonNull struct{}

// rawField marks a field whose s holds ready JSON (a frozen value); a zero-size marker
// in the interface costs no allocation.
type rawField struct{}

// kv is a string-valued field.
func kv(k, s string) field { return field{k: k, s: s} }

// kx is a field with a non-string value.
func kx(k string, v any) field { return field{k: k, v: v} }

// obj is an ordered JSON object.
type obj []field

// arr is a JSON array.
type arr []any

// rawJSON is written verbatim (constant, trusted fragments only).
type rawJSON string

// add appends a key; empty strings are left out so optional fields stay absent.
func (o obj) add(k, v string) obj {
	if v == "" {
		return o
	}
	return append(o, kv(k, v))
}

// with appends a key whatever its value.
func (o obj) with(k string, v any) obj { return append(o, kx(k, v)) }

// jsonWriter carries the tolerated presentation changes that apply to every object.
type jsonWriter struct {
	reverse bool // tolerate-field-order: keys in reverse order at every level
	extra   bool // tolerate-extra-fields: an unknown key in every object
}

func (w jsonWriter) value(b []byte, v any) []byte {
	switch x := v.(type) {
	case string:
		return appendString(b, x)
	case obj:
		return w.object(b, x)
	case arr:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = w.value(b, e)
		}
		return append(b, ']')
	case []obj:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = w.object(b, e)
		}
		return append(b, ']')
	case rawJSON:
		return append(b, x...)
	case bool:
		if x {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	default:
		return append(b, "null"...)
	}
}

func (w jsonWriter) fieldValue(b []byte, f field) []byte {
	switch f.v.(type) {
	case nil:
		return appendString(b, f.s)
	case rawField:
		return append(b, f.s...)
	}
	return w.value(b, f.v)
}

func (w jsonWriter) object(b []byte, o obj) []byte {
	b = append(b, '{')
	n := 0
	put := func(f field) {
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = appendString(b, f.k)
		b = append(b, ':')
		b = w.fieldValue(b, f)
	}
	if w.extra {
		put(kx("sandboxExtension", rawJSON(`{"note":"unknown field a tolerant reader ignores","list":[1,2]}`)))
	}
	if w.reverse {
		for i := len(o) - 1; i >= 0; i-- {
			put(o[i])
		}
	} else {
		for _, f := range o {
			put(f)
		}
	}
	if w.extra {
		put(kv("x_sandbox_unknown", "ignore me"))
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string, escaping like encoding/json does (HTML-safe,
// invalid UTF-8 replaced) so echoed shopper input can never break the document.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// freeze serialises each field's value once, for documents stored with a payment and
// rendered on every lookup: fewer pointers for the garbage collector to scan in a store
// of 100,000 payments, and no repeated work. The writer's tolerated changes apply inside.
func (w jsonWriter) freeze(o obj) obj { return w.freezeWith(o, nil) }

// freezeWith is freeze using scratch (a pooled buffer) for the serialisation.
func (w jsonWriter) freezeWith(o obj, scratch []byte) obj {
	if len(o) == 0 {
		return nil
	}
	// One buffer and one string for all fields; each field keeps a slice of it.
	var endsArr [16]int
	b, ends := scratch[:0], endsArr[:0]
	for _, f := range o {
		b = w.fieldValue(b, f)
		ends = append(ends, len(b))
	}
	text := string(b)
	out := make(obj, len(o))
	start := 0
	for i, f := range o {
		out[i] = field{k: f.k, s: text[start:ends[i]], v: rawField{}}
		start = ends[i]
	}
	return out
}

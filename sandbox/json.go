package sandbox

import (
	"encoding/json"
	"slices"
)

// document is an ordered JSON object: replies keep the platform's key order, which a Go
// map would lose. Values are strings, bools, nil (null), documents, []document, []any
// and json.RawMessage; encoding/json encodes each of them.
type document []field

// field is one key of a document.
type field struct {
	key   string
	value any
}

// MarshalJSON writes the keys in order.
func (d document) MarshalJSON() ([]byte, error) { return appendJSON(nil, d) }

// appendJSON appends v as JSON: documents, []document and []any element by element
// (nested documents would otherwise be encoded and re-validated once per level), every
// other value and every key by encoding/json.
func appendJSON(b []byte, v any) ([]byte, error) {
	var err error
	switch x := v.(type) {
	case document:
		b = append(b, '{')
		for i, f := range x {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = appendJSON(b, f.key); err != nil {
				return nil, err
			}
			if b, err = appendJSON(append(b, ':'), f.value); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	case []document:
		return appendArray(b, x)
	case []any:
		return appendArray(b, x)
	}
	enc, err := json.Marshal(v)
	return append(b, enc...), err
}

func appendArray[E any](b []byte, list []E) ([]byte, error) {
	b = append(b, '[')
	for i, e := range list {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendJSON(b, e); err != nil {
			return nil, err
		}
	}
	return append(b, ']'), nil
}

// with returns d with a key appended.
func (d document) with(key string, value any) document {
	return append(d, field{key, value})
}

// withString appends a string key unless the value is empty, so optional fields stay
// absent.
func (d document) withString(key, value string) document {
	if value == "" {
		return d
	}
	return d.with(key, value)
}

// get returns the value of key (nil when absent).
func (d document) get(key string) any {
	if i := d.index(key); i >= 0 {
		return d[i].value
	}
	return nil
}

func (d document) index(key string) int {
	return slices.IndexFunc(d, func(f field) bool { return f.key == key })
}

// The editing helpers below return a new document and leave d alone: a reply shares
// nested documents with the stored payment (its echoed request blocks).

// set returns d with the value of an existing key replaced; an absent key stays absent.
func (d document) set(key string, value any) document {
	i := d.index(key)
	if i < 0 {
		return d
	}
	out := slices.Clone(d)
	out[i].value = value
	return out
}

// edit returns d with the document under key replaced by change(it); d is returned as
// it is when key holds no document.
func (d document) edit(key string, change func(document) document) document {
	inner, ok := d.get(key).(document)
	if !ok {
		return d
	}
	return d.set(key, change(inner))
}

// without returns d without key.
func (d document) without(key string) document {
	return slices.DeleteFunc(slices.Clone(d), func(f field) bool { return f.key == key })
}

// insertAfter returns d with a key added right after the key after (first when after
// is absent).
func (d document) insertAfter(after, key string, value any) document {
	return slices.Insert(slices.Clone(d), d.index(after)+1, field{key, value})
}

// mapObjects returns v with every object in it replaced by change(object), innermost
// first. It builds new documents and slices; v is left as it is.
func mapObjects(v any, change func(document) document) any {
	switch x := v.(type) {
	case document:
		out := make(document, len(x))
		for i, f := range x {
			out[i] = field{f.key, mapObjects(f.value, change)}
		}
		return change(out)
	case []document:
		out := make([]document, len(x))
		for i, d := range x {
			out[i] = mapObjects(d, change).(document)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = mapObjects(e, change)
		}
		return out
	}
	return v
}

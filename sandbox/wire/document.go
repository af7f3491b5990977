// Package wire holds what the sandbox's replies are made of on the wire: the ordered
// JSON Document and the amount format. The core builds replies with it and the modes
// Edit them, so it sits below both.
package wire

import (
	"encoding/json"
	"slices"
)

// Document is an ordered JSON object: replies keep the platform's key order, which a Go
// map would lose. Values are strings, bools, nil (null), documents, []Document, []any
// and json.RawMessage; encoding/json encodes each of them.
type Document []Field

// Field is one key of a Document.
type Field struct {
	Key   string
	Value any
}

// MarshalJSON writes the keys in order.
func (d Document) MarshalJSON() ([]byte, error) { return appendJSON(nil, d) }

// appendJSON appends v as JSON: documents, []Document and []any element by element
// (nested documents would otherwise be encoded and re-validated once per level), every
// other value and every key by encoding/json.
func appendJSON(b []byte, v any) ([]byte, error) {
	var err error
	switch x := v.(type) {
	case Document:
		b = append(b, '{')
		for i, f := range x {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = appendJSON(b, f.Key); err != nil {
				return nil, err
			}
			if b, err = appendJSON(append(b, ':'), f.Value); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	case []Document:
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

// With returns d with a key appended.
func (d Document) With(key string, value any) Document {
	return append(d, Field{key, value})
}

// WithString appends a string key unless the value is empty, so optional fields stay
// absent.
func (d Document) WithString(key, value string) Document {
	if value == "" {
		return d
	}
	return d.With(key, value)
}

// Get returns the value of key (nil when absent).
func (d Document) Get(key string) any {
	if i := d.Index(key); i >= 0 {
		return d[i].Value
	}
	return nil
}

func (d Document) Index(key string) int {
	return slices.IndexFunc(d, func(f Field) bool { return f.Key == key })
}

// The editing helpers below return a new Document and leave d alone: a reply shares
// nested documents with the stored payment (its echoed request blocks).

// Set returns d with the value of an existing key replaced; an absent key stays absent.
func (d Document) Set(key string, value any) Document {
	i := d.Index(key)
	if i < 0 {
		return d
	}
	out := slices.Clone(d)
	out[i].Value = value
	return out
}

// Edit returns d with the Document under key replaced by change(it); d is returned as
// it is when key holds no Document.
func (d Document) Edit(key string, change func(Document) Document) Document {
	inner, ok := d.Get(key).(Document)
	if !ok {
		return d
	}
	return d.Set(key, change(inner))
}

// Without returns d without key.
func (d Document) Without(key string) Document {
	return slices.DeleteFunc(slices.Clone(d), func(f Field) bool { return f.Key == key })
}

// InsertAfter returns d with a key added right after the key after (first when after
// is absent).
func (d Document) InsertAfter(after, key string, value any) Document {
	return slices.Insert(slices.Clone(d), d.Index(after)+1, Field{key, value})
}

// MapObjects returns v with every object in it replaced by change(object), innermost
// first. It builds new documents and slices; v is left as it is.
func MapObjects(v any, change func(Document) Document) any {
	switch x := v.(type) {
	case Document:
		out := make(Document, len(x))
		for i, f := range x {
			out[i] = Field{f.Key, MapObjects(f.Value, change)}
		}
		return change(out)
	case []Document:
		out := make([]Document, len(x))
		for i, d := range x {
			out[i] = MapObjects(d, change).(Document)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = MapObjects(e, change)
		}
		return out
	}
	return v
}

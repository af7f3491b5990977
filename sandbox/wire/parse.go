package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Parse reads a JSON object into a Document, keeping its keys in order: objects
// become Documents, arrays []any, numbers json.Number. Anything but one object is an
// error.
func Parse(b []byte) (Document, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	v, err := parseValue(dec)
	if err != nil {
		return nil, err
	}
	doc, ok := v.(Document)
	if !ok {
		return nil, errors.New("not a JSON object")
	}
	if _, err := dec.Token(); err == nil {
		return nil, errors.New("data after the JSON object")
	}
	return doc, nil
}

// parseValue reads the next value of dec.
func parseValue(dec *json.Decoder) (any, error) {
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	d, ok := t.(json.Delim)
	if !ok {
		return t, nil
	}
	switch d {
	case '{':
		doc := Document{}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			key, _ := k.(string)
			v, err := parseValue(dec)
			if err != nil {
				return nil, err
			}
			doc = append(doc, Field{key, v})
		}
		_, err := dec.Token() // '}'
		return doc, err
	case '[':
		list := []any{}
		for dec.More() {
			v, err := parseValue(dec)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		_, err := dec.Token() // ']'
		return list, err
	}
	return nil, fmt.Errorf("unexpected %v", d)
}

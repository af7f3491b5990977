package oppwa

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/oppwa-conformance/oppwa-conformance/outcome"
)

// UnavailableError says the platform still answered 5xx or 429 when the client stopped
// trying: after the retries of an idempotent GET, or at once for a POST, which is never
// retried. It is the environment's failure, not the contract's (see OutcomeKind); the
// reply is kept. A reply that cannot be decoded is left unclassified: the contract's.
type UnavailableError struct {
	Method, URL string
	Status      int
	Attempts    int
}

// OutcomeKind makes an unavailable platform the environment's failure.
func (e *UnavailableError) OutcomeKind() outcome.Kind { return outcome.Environment }

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("%s %s: platform unavailable: HTTP %d %s after %d attempt(s)",
		e.Method, e.URL, e.Status, http.StatusText(e.Status), e.Attempts)
}

// DecodeError says a reply could not be read as the documented JSON: the body is not
// a JSON object, or Field holds a value of the wrong shape. It is a contract failure;
// the client never turns it into a silently empty value.
type DecodeError struct {
	// Field is the reply field at fault, as a dotted path ("redirect.parameters"), or
	// "(body)" when the body as a whole is not a JSON object.
	Field string
	Err   error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("reply field %s cannot be read: %v", e.Field, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// fieldError is a shape error found by a custom decoder, which encoding/json returns
// without the field's path.
type fieldError struct {
	field string
	msg   string
}

func (e *fieldError) Error() string { return e.msg }

// decodeError names the field of a JSON decoding error.
func decodeError(err error) *DecodeError {
	var te *json.UnmarshalTypeError
	var fe *fieldError
	switch {
	case errors.As(err, &fe):
		return &DecodeError{Field: fe.field, Err: errors.New(fe.msg)}
	case errors.As(err, &te) && te.Field != "":
		return &DecodeError{Field: te.Field, Err: fmt.Errorf("want a %s, got a JSON %s", te.Type, te.Value)}
	}
	return &DecodeError{Field: "(body)", Err: err}
}

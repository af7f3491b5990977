package oppwa

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"time"
)

// Payment is the typed view of a payment, backoffice, status or registration reply (a
// registration reply's id is the token). Flow logic uses
// these fields; shape checks use Response.JSON so that a field the contract does not
// promise is never required and a renamed one is always noticed.
type Payment struct {
	ID                    string    `json:"id"`
	RegistrationID        string    `json:"registrationId"` // the token createRegistration=true stored
	ReferencedID          string    `json:"referencedId"`
	PaymentType           string    `json:"paymentType"`
	PaymentBrand          string    `json:"paymentBrand"`
	Amount                string    `json:"amount"`
	Currency              string    `json:"currency"`
	Descriptor            string    `json:"descriptor"`
	MerchantTransactionID string    `json:"merchantTransactionId"`
	Result                Result    `json:"result"`
	Card                  *Card     `json:"card"`
	Redirect              *Redirect `json:"redirect"`
	CustomParameters      Echoes    `json:"customParameters"`
	BuildNumber           string    `json:"buildNumber"`
	Timestamp             string    `json:"timestamp"`
	NDC                   string    `json:"ndc"`
}

// Result is the platform's verdict on a request.
type Result struct {
	Code            string           `json:"code"`
	Description     string           `json:"description"`
	ParameterErrors []ParameterError `json:"parameterErrors"`
}

// ParameterError names one request parameter that failed format validation.
type ParameterError struct {
	Name    string  `json:"name"`
	Value   *string `json:"value"`
	Message string  `json:"message"`
}

// Card is the masked card block of a reply.
type Card struct {
	Bin         string `json:"bin"`
	Last4Digits string `json:"last4Digits"`
	Holder      string `json:"holder"`
	ExpiryMonth string `json:"expiryMonth"`
	ExpiryYear  string `json:"expiryYear"`
}

// Redirect tells the merchant where to send the shopper in the async workflow.
type Redirect struct {
	URL string `json:"url"`
	// Method is GET or POST; the documentation says to POST when it is absent.
	Method     string `json:"method"`
	Parameters Params `json:"parameters"`
	// Preconditions are what the merchant's page must execute, in order, before it
	// sends the shopper to URL: on the real platform the 3-D Secure 2 method call,
	// POSTed into a hidden iframe whose onload the page waits for.
	Preconditions Preconditions `json:"preconditions"`
}

// Precondition is one entry of redirect.preconditions. The documented values are
// origin "iframe#hidden" and waitUntil "iframe#onload".
type Precondition struct {
	Origin      string `json:"origin"`
	WaitUntil   string `json:"waitUntil"`
	Description string `json:"description"`
	// Method is GET or POST; POST when absent, as for the redirect itself.
	Method     string `json:"method"`
	URL        string `json:"url"`
	Parameters Params `json:"parameters"`
}

// Preconditions are the redirect's preconditions: an array of objects, or null or
// absent when there are none. Any other shape is a decoding error naming the field
// (the element's, for an element of the wrong shape).
type Preconditions []Precondition

// UnmarshalJSON reads the shapes Preconditions documents.
func (ps *Preconditions) UnmarshalJSON(b []byte) error {
	t := bytes.TrimSpace(b)
	if bytes.Equal(t, []byte("null")) {
		*ps = nil
		return nil
	}
	var raw []json.RawMessage
	if len(t) == 0 || t[0] != '[' || json.Unmarshal(t, &raw) != nil {
		return &fieldError{"redirect.preconditions", "want an array of {origin, waitUntil, method, url, parameters}, got " + string(t[:min(len(t), 20)])}
	}
	list := make([]Precondition, 0, len(raw))
	for i, r := range raw {
		field := fmt.Sprintf("redirect.preconditions[%d]", i)
		var p Precondition
		if err := json.Unmarshal(r, &p); err != nil {
			return preconditionError(field, err)
		}
		list = append(list, p)
	}
	*ps = list
	return nil
}

// preconditionError names the field of a precondition that could not be read.
func preconditionError(field string, err error) error {
	var fe *fieldError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &fe):
		// Params names itself redirect.parameters; here it is the precondition's.
		return &fieldError{field + ".parameters", fe.msg}
	case errors.As(err, &te) && te.Field != "":
		return &fieldError{field + "." + te.Field, fmt.Sprintf("want a %s, got a JSON %s", te.Type, te.Value)}
	case errors.As(err, &te):
		return &fieldError{field, "want an object, got a JSON " + te.Value}
	}
	return &fieldError{field, err.Error()}
}

// Echoes are the customParameters a reply echoes: the merchant's name → value pairs.
// A value that is not a JSON string (a field the platform added, say) is kept as its
// JSON text rather than failing the whole reply: the contract promises the echo of
// what was sent, not the absence of anything else.
type Echoes map[string]string

// UnmarshalJSON reads an object of values of any JSON type.
func (e *Echoes) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return &fieldError{"customParameters", "want an object of name to value"}
	}
	out := make(Echoes, len(raw))
	for k, v := range raw {
		var s string
		if json.Unmarshal(v, &s) != nil {
			s = string(v)
		}
		out[k] = s
	}
	*e = out
	return nil
}

// Params are the redirect parameters. The documentation shows an array of
// {name, value}; recordings of the platform also show an object of name to value, and
// null or absent when there is nothing to send. All read the same; any other shape is
// a decoding error naming the field, never a silently empty list.
type Params []Param

// UnmarshalJSON reads the shapes Params documents, keeping the object's key order.
func (ps *Params) UnmarshalJSON(b []byte) error {
	bad := func(kind string) error {
		return &fieldError{"redirect.parameters", "want an array of {name, value} or an object of name to value, got " + kind}
	}
	var list []Param
	switch t := bytes.TrimSpace(b); {
	case bytes.Equal(t, []byte("null")):
		*ps = nil
		return nil
	case len(t) > 0 && t[0] == '[':
		if err := json.Unmarshal(t, &list); err != nil {
			return bad("an array of something else")
		}
	case len(t) > 0 && t[0] == '{':
		var err error
		if list, err = orderedParams(t); err != nil {
			return bad("an object whose values are not all strings")
		}
	default:
		return bad(string(t[:min(len(t), 20)]))
	}
	*ps = list
	return nil
}

// orderedParams reads an object of name to string value in document order.
func orderedParams(b []byte) ([]Param, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	list := []Param{}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var v string
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		list = append(list, Param{Name: k.(string), Value: v})
	}
	return list, nil
}

// Param is one redirect parameter.
type Param struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// EffectiveMethod is the HTTP method the shopper's browser must use: POST when
// redirect.method is absent, as the documentation says.
func (r Redirect) EffectiveMethod() string { return cmp.Or(r.Method, http.MethodPost) }

// Response is one API reply: the typed payment, the decoded raw JSON and the HTTP facts.
type Response struct {
	HTTPStatus int
	Header     http.Header
	Body       []byte
	// JSON is the reply decoded generically; nil when the body is not a JSON object.
	JSON    map[string]any
	Payment Payment
	// Exchange is the redacted transcript entry of this call.
	Exchange *Exchange
	// decodeErr is why the body could not be read, for the call's error.
	decodeErr error
}

// QueryReply is the reply of the transaction reports (/v1/query). The platform answers
// either one payment or a list under "payments"; both read as Payments here.
type QueryReply struct {
	Response
	Payments []Payment
}

// Exchange is one redacted request/response pair for the evidence report.
type Exchange struct {
	Method         string      `json:"method"`
	URL            string      `json:"url"`
	RequestHeaders http.Header `json:"requestHeaders,omitempty"`
	RequestBody    string      `json:"requestBody,omitempty"`
	Status         int         `json:"status"`
	ResponseBody   string      `json:"responseBody,omitempty"`
	// ResponseHeaders are the names of the reply's headers, sorted; never values
	// (a cookie or a session could be among them).
	ResponseHeaders []string      `json:"responseHeaders,omitempty"`
	Started         time.Time     `json:"started"`
	Duration        time.Duration `json:"duration"`
	// Attempts counts tries of an idempotent GET; 1 means no retry.
	Attempts int    `json:"attempts"`
	Error    string `json:"error,omitempty"`
	// Reconciled says what a lookup by merchantTransactionId found after a POST whose
	// answer was lost.
	Reconciled string `json:"reconciled,omitempty"`
}

// IDPattern is the documented payment id format: 32 lowercase hex characters.
var IDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// AmountPattern is the documented amount format of replies: a string with two decimals.
var AmountPattern = regexp.MustCompile(`^[0-9]{1,12}\.[0-9]{2}$`)

// TimestampPattern is the reply timestamp format, UTC.
var TimestampPattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\+0000$`)

// ResourcePathPattern is the form of the resourcePath a shopper brings back.
var ResourcePathPattern = regexp.MustCompile(`^/v1/payments/[0-9a-f]{32}$`)

// decodeInto reads a reply body into r.JSON and r.Payment. An empty body is no error
// here (the caller judges a reply without content); a body that is not a JSON object,
// or a field of the wrong shape, is.
func decodeInto(body []byte, r *Response) error {
	if len(body) == 0 {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return &DecodeError{Field: "(body)", Err: fmt.Errorf("not a JSON object: %w", err)}
	}
	r.JSON = m
	if err := json.Unmarshal(body, &r.Payment); err != nil {
		return decodeError(err)
	}
	return nil
}

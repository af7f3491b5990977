// Package oppwa is a typed client for the OPPWA server-to-server API: initial payments,
// backoffice operations, status lookups and transaction reports.
//
// It is built for conformance checking, so every reply comes back both typed and as
// raw JSON, every call leaves a redacted transcript entry, and it never retries a POST:
// a retried payment is a double charge. Idempotent GETs retry on 429, 5xx and timeouts,
// honouring Retry-After. Config.RatePerSecond paces every request a client sends.
package oppwa

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/oppwa-conformance/oppwa-conformance/outcome"
)

// Config says where and as whom the client talks.
type Config struct {
	// BaseURL is the platform's base, e.g. https://eu-test.oppwa.com/ (a missing
	// trailing slash is added).
	BaseURL     string
	EntityID    string
	AccessToken string
	// HTTPClient defaults to one with a 30 s timeout.
	HTTPClient *http.Client
	// GETAttempts bounds the tries of an idempotent GET (default 5).
	GETAttempts int
	// MaxRetryWait is the longest Retry-After the client will honour; a longer one ends
	// the retries and the reply is returned as is (default 5 s).
	MaxRetryWait time.Duration
	// OnExchange receives the redacted transcript entry of every call.
	OnExchange func(Exchange)
	// RatePerSecond paces the client: every request, each GET retry included, waits
	// for its turn so that no more than this many start per second (burst 1). Copies
	// made with With... share the pace. 0 or less: no pacing.
	RatePerSecond float64
}

// Client talks to one entity on one platform. It is safe for concurrent use; use
// WithRecorder for a per-spec copy that records its own transcript.
type Client struct {
	base     *url.URL
	entityID string
	token    string
	http     *http.Client
	attempts int
	maxWait  time.Duration
	record   func(Exchange)
	redactor *Redactor
	// pace is shared by every copy of the client; nil: no pacing.
	pace *rate.Limiter
	// noAuth exists for negative specs that must send what a broken merchant would
	// send: no Authorization header.
	noAuth bool
}

// New checks cfg and returns a client.
func New(cfg Config) (*Client, error) {
	base, err := NormalizeBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	c := &Client{
		base: base, entityID: cfg.EntityID, token: cfg.AccessToken,
		http: cfg.HTTPClient, attempts: cfg.GETAttempts, maxWait: cfg.MaxRetryWait,
		record: cfg.OnExchange, redactor: NewRedactor(cfg.AccessToken),
	}
	if c.http == nil {
		c.http = &http.Client{Timeout: 30 * time.Second}
	}
	if c.attempts <= 0 {
		c.attempts = 5
	}
	if c.maxWait <= 0 {
		c.maxWait = 5 * time.Second
	}
	if cfg.RatePerSecond > 0 {
		c.pace = rate.NewLimiter(rate.Limit(cfg.RatePerSecond), 1)
	}
	return c, nil
}

// NormalizeBaseURL parses a base URL and makes sure it ends in "/", as the platform's
// documentation demands for baseUrl + resourcePath.
func NormalizeBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("base URL %q is not an absolute http(s) URL: set OPPWA_BASE_URL like https://eu-test.oppwa.com/", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("base URL %q must not carry a query or fragment: set OPPWA_BASE_URL like https://eu-test.oppwa.com/", raw)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u, nil
}

// BaseURL returns the normalised base URL, ending in "/".
func (c *Client) BaseURL() string { return c.base.String() }

// EntityID returns the entity the client acts for.
func (c *Client) EntityID() string { return c.entityID }

// Redactor returns the redactor that hides this client's secrets.
func (c *Client) Redactor() *Redactor { return c.redactor }

// WithRecorder returns a copy whose calls report their transcript to fn.
func (c *Client) WithRecorder(fn func(Exchange)) *Client {
	cp := *c
	cp.record = fn
	return &cp
}

// WithCredentials returns a copy that acts as another entity and token; the new token
// is redacted as well as the old.
func (c *Client) WithCredentials(entityID, token string) *Client {
	cp := *c
	cp.entityID, cp.token = entityID, token
	cp.redactor = &Redactor{secrets: append(append([]string{}, c.redactor.secrets...), NewRedactor(token).secrets...)}
	return &cp
}

// WithoutAuthorization returns a copy that sends no Authorization header.
func (c *Client) WithoutAuthorization() *Client {
	cp := *c
	cp.noAuth = true
	return &cp
}

// Resolve joins the base URL and a path such as a resourcePath without doubling the
// slash between them.
func (c *Client) Resolve(path string) string {
	return strings.TrimSuffix(c.base.String(), "/") + "/" + strings.TrimLeft(path, "/")
}

// Pay sends an initial payment (POST /v1/payments). params must carry paymentType.
func (c *Client) Pay(ctx context.Context, params url.Values) (*Response, error) {
	return c.post(ctx, "v1/payments", params)
}

// Preauthorize sends a PA: funds are reserved, to be captured later.
func (c *Client) Preauthorize(ctx context.Context, params url.Values) (*Response, error) {
	return c.Pay(ctx, with(params, "paymentType", "PA"))
}

// Debit sends a DB: authorisation and capture in one step.
func (c *Client) Debit(ctx context.Context, params url.Values) (*Response, error) {
	return c.Pay(ctx, with(params, "paymentType", "DB"))
}

// Capture sends a CP against a PA.
func (c *Client) Capture(ctx context.Context, id, amount, currency string, extra url.Values) (*Response, error) {
	return c.Backoffice(ctx, id, with(with(with(extra, "paymentType", "CP"), "amount", amount), "currency", currency))
}

// Refund sends an RF against a DB or CP.
func (c *Client) Refund(ctx context.Context, id, amount, currency string, extra url.Values) (*Response, error) {
	return c.Backoffice(ctx, id, with(with(with(extra, "paymentType", "RF"), "amount", amount), "currency", currency))
}

// Reverse sends an RV, voiding a PA (or a DB/CP where the platform allows it).
func (c *Client) Reverse(ctx context.Context, id string, extra url.Values) (*Response, error) {
	return c.Backoffice(ctx, id, with(extra, "paymentType", "RV"))
}

// Backoffice sends any backoffice operation (POST /v1/payments/{id}).
func (c *Client) Backoffice(ctx context.Context, id string, params url.Values) (*Response, error) {
	return c.post(ctx, "v1/payments/"+url.PathEscape(id), params)
}

// Status reads a payment's current state (GET /v1/payments/{id}). The platform allows
// two such lookups per minute per transaction; use Query for more.
func (c *Client) Status(ctx context.Context, id string) (*Response, error) {
	return c.get(ctx, "v1/payments/"+url.PathEscape(id), nil)
}

// StatusAt reads the payment a shopper's resourcePath names, as baseUrl + resourcePath.
func (c *Client) StatusAt(ctx context.Context, resourcePath string) (*Response, error) {
	return c.get(ctx, resourcePath, nil)
}

// Query reads the transaction report of one payment (GET /v1/query/{id}).
func (c *Client) Query(ctx context.Context, id string) (*QueryReply, error) {
	r, err := c.get(ctx, "v1/query/"+url.PathEscape(id), nil)
	return toQuery(r, err)
}

// QueryByMerchantTransactionID lists the transactions carrying a merchant reference.
func (c *Client) QueryByMerchantTransactionID(ctx context.Context, mtid string) (*QueryReply, error) {
	r, err := c.get(ctx, "v1/query", url.Values{"merchantTransactionId": {mtid}})
	return toQuery(r, err)
}

// ResultCodes reads the platform's result-code list (GET /v1/resultcodes).
func (c *Client) ResultCodes(ctx context.Context) (*Response, error) {
	return c.get(ctx, "v1/resultcodes", nil)
}

// Register tokenises card (or account) data without a payment (POST /v1/registrations):
// params carry the brand and card data and no paymentType. The reply's id is the
// registration token. Like every POST it is sent once, never retried.
func (c *Client) Register(ctx context.Context, params url.Values) (*Response, error) {
	return c.post(ctx, "v1/registrations", params)
}

// PayWithToken sends a payment with a registration token instead of card data
// (POST /v1/registrations/{id}/payments); params carry paymentType, amount and
// currency, and any standingInstruction.*. The payment then lives as any other: capture,
// refund and lookups use its own id.
func (c *Client) PayWithToken(ctx context.Context, registrationID string, params url.Values) (*Response, error) {
	return c.post(ctx, "v1/registrations/"+url.PathEscape(registrationID)+"/payments", params)
}

// Registration reads a registration token (GET /v1/registrations/{id}); like every GET
// it may be retried.
func (c *Client) Registration(ctx context.Context, registrationID string) (*Response, error) {
	return c.get(ctx, "v1/registrations/"+url.PathEscape(registrationID), nil)
}

// DeleteRegistration deregisters a token (DELETE /v1/registrations/{id}?entityId=).
// It changes state, so it is sent once and never retried, like a POST.
func (c *Client) DeleteRegistration(ctx context.Context, registrationID string) (*Response, error) {
	q := url.Values{"entityId": {c.entityID}}
	return c.do(ctx, http.MethodDelete, "v1/registrations/"+url.PathEscape(registrationID), q, nil, 1)
}

// Request is a hand-made call for negative specs: it can put POST parameters in the
// URL, or leave the entity out, as a broken merchant would.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	Form   url.Values
	// NoEntity leaves entityId out of both query and body.
	NoEntity bool
}

// Send performs a hand-made request. POSTs are still never retried.
func (c *Client) Send(ctx context.Context, req Request) (*Response, error) {
	q := cloneValues(req.Query)
	form := cloneValues(req.Form)
	if !req.NoEntity {
		if req.Method == http.MethodGet {
			q.Set("entityId", c.entityID)
		} else if form.Get("entityId") == "" && q.Get("entityId") == "" {
			form.Set("entityId", c.entityID)
		}
	}
	if req.Method == http.MethodGet {
		return c.do(ctx, http.MethodGet, req.Path, q, nil, c.attempts)
	}
	return c.do(ctx, req.Method, req.Path, q, form, 1)
}

func (c *Client) post(ctx context.Context, path string, params url.Values) (*Response, error) {
	form := cloneValues(params)
	form.Set("entityId", c.entityID)
	resp, err := c.do(ctx, http.MethodPost, path, nil, form, 1)
	if err != nil && isTransportError(err) && !neverSent(err) && form.Get("merchantTransactionId") != "" && ctx.Err() == nil {
		// The payment may or may not exist now; a second POST could charge twice, so ask
		// the transaction report what happened instead.
		return resp, c.reconcile(ctx, form.Get("merchantTransactionId"), err)
	}
	return resp, err
}

// UncertainError says a POST's answer was lost, and what the reconciliation found.
type UncertainError struct {
	MerchantTransactionID string
	// Found are the payments the platform holds for the reference after the loss.
	Found []Payment
	Err   error
}

func (e *UncertainError) Error() string {
	ids := make([]string, 0, len(e.Found))
	for _, p := range e.Found {
		ids = append(ids, p.ID+" "+p.PaymentType+" "+p.Result.Code)
	}
	return fmt.Sprintf("POST answer lost (%v); not retried; the platform holds %d payment(s) for merchantTransactionId %s: [%s]",
		e.Err, len(e.Found), e.MerchantTransactionID, strings.Join(ids, ", "))
}

func (e *UncertainError) Unwrap() error { return e.Err }

// OutcomeKind makes a lost answer the environment's failure, whatever the
// reconciliation found: the contract could not be checked.
func (e *UncertainError) OutcomeKind() outcome.Kind { return outcome.Environment }

func (c *Client) reconcile(ctx context.Context, mtid string, cause error) error {
	q, err := c.QueryByMerchantTransactionID(ctx, mtid)
	ue := &UncertainError{MerchantTransactionID: mtid, Err: cause}
	if err == nil {
		ue.Found = q.Payments
	}
	if c.record != nil {
		// The lost POST's own entry is already recorded; this one tells the reader of the
		// report what the platform holds now, so a double charge can be ruled out.
		c.record(Exchange{Method: "RECONCILE", URL: c.redactor.Redact(c.Resolve("v1/query")), Started: time.Now(),
			Attempts: 1, Reconciled: c.redactor.Redact(ue.Error())})
	}
	return ue
}

func (c *Client) get(ctx context.Context, path string, q url.Values) (*Response, error) {
	q = cloneValues(q)
	q.Set("entityId", c.entityID)
	return c.do(ctx, http.MethodGet, path, q, nil, c.attempts)
}

// do performs one call, retrying only when attempts > 1 (idempotent GETs).
func (c *Client) do(ctx context.Context, method, path string, q, form url.Values, attempts int) (*Response, error) {
	u := c.Resolve(path)
	if len(q) > 0 {
		u += "?" + encodeSorted(q)
	}
	var body string
	if form != nil {
		body = encodeSorted(form)
	}
	x := Exchange{Method: method, URL: c.redactor.Redact(u), RequestBody: c.redactor.Redact(body), Started: time.Now()}
	defer func() {
		x.Duration = time.Since(x.Started)
		if c.record != nil {
			c.record(x)
		}
	}()
	var lastErr error
	for attempt := 1; ; attempt++ {
		x.Attempts = attempt
		resp, err := c.once(ctx, method, u, body, form != nil)
		if err == nil {
			x.Status = resp.HTTPStatus
			LearnTokens(path, string(resp.Body))
			x.ResponseBody = c.redactor.Redact(string(resp.Body))
			x.ResponseHeaders = slices.Sorted(maps.Keys(resp.Header))
			x.RequestHeaders = c.redactedHeaders(form != nil)
			x.Error = ""
		} else {
			x.Error = c.redactor.Redact(err.Error())
		}
		retry, wait := c.shouldRetry(resp, err, attempt, attempts)
		if !retry {
			if resp != nil {
				xc := x
				resp.Exchange = &xc
			}
			return resp, c.judge(method, u, resp, err, attempt)
		}
		lastErr = err
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			if lastErr == nil {
				lastErr = ctx.Err()
			}
			return nil, transportKind(fmt.Errorf("%s %s: gave up retrying: %w", method, c.redactor.Redact(u), lastErr))
		case <-t.C:
		}
	}
}

// judge turns the last try of a call into its error: the transport's, the platform
// still answering that it is unavailable, or a reply that cannot be decoded.
func (c *Client) judge(method, u string, resp *Response, err error, attempts int) error {
	where := method + " " + c.redactor.Redact(u)
	switch {
	case err != nil:
		return transportKind(fmt.Errorf("%s: %w", where, err))
	case resp.HTTPStatus == http.StatusTooManyRequests || resp.HTTPStatus >= 500:
		return &UnavailableError{Method: method, URL: c.redactor.Redact(u), Status: resp.HTTPStatus, Attempts: attempts}
	case resp.decodeErr != nil:
		return fmt.Errorf("%s: %w", where, resp.decodeErr)
	}
	return nil
}

func (c *Client) redactedHeaders(isForm bool) http.Header {
	h := http.Header{}
	if !c.noAuth {
		h.Set("Authorization", "Bearer [REDACTED]")
	}
	if isForm {
		h.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return h
}

func (c *Client) once(ctx context.Context, method, u, body string, isForm bool) (*Response, error) {
	var rd io.Reader
	if isForm {
		rd = strings.NewReader(body)
	}
	if c.pace != nil {
		if err := c.pace.Wait(ctx); err != nil {
			return nil, &notSentError{err}
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	if isForm {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if !c.noAuth {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	req.Header.Set("Accept", "application/json")
	res, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 8<<20))
	if err != nil {
		return nil, fmt.Errorf("read reply: %w", err)
	}
	r := &Response{HTTPStatus: res.StatusCode, Header: res.Header, Body: bytes.TrimSpace(b)}
	r.decodeErr = decodeInto(r.Body, r)
	return r, nil
}

// shouldRetry decides whether an idempotent call is tried again, and after how long.
func (c *Client) shouldRetry(resp *Response, err error, attempt, attempts int) (bool, time.Duration) {
	if attempt >= attempts {
		return false, 0
	}
	backoff := time.Duration(100*(1<<(attempt-1))) * time.Millisecond
	backoff += time.Duration(rand.Int64N(int64(backoff / 2)))
	if err != nil {
		return isTransportError(err), backoff
	}
	if resp.HTTPStatus != http.StatusTooManyRequests && resp.HTTPStatus < 500 {
		return false, 0
	}
	if ra := resp.Header.Get("Retry-After"); ra != "" {
		wait, ok := parseRetryAfter(ra)
		if !ok || wait > c.maxWait {
			return false, 0
		}
		return true, wait
	}
	return true, backoff
}

func parseRetryAfter(v string) (time.Duration, bool) {
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}

// isTransportError is true when the request may not have reached the platform or its
// answer was lost: the cases where the outcome is unknown rather than refused.
func isTransportError(err error) bool {
	if err == nil {
		return false
	}
	var ns *notSentError
	if errors.Is(err, context.Canceled) || errors.As(err, &ns) {
		return false
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return true
	}
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// transportKind marks a transport error as the environment's failure: the platform
// could not be reached or its answer was lost. Other errors keep their own kind.
func transportKind(err error) error {
	if isTransportError(err) {
		return outcome.EnvironmentError(err)
	}
	return err
}

// neverSent is true when the connection could not even be opened: the platform cannot
// have seen the payment, so there is nothing to reconcile.
func neverSent(err error) bool {
	var oe *net.OpError
	return errors.As(err, &oe) && oe.Op == "dial"
}

// notSentError says a request was never sent because its context ended while it waited
// for its turn under Config.RatePerSecond: an environment failure (the run is too slow
// for its pace), neither retried nor reconciled.
type notSentError struct{ err error }

func (e *notSentError) Error() string {
	return "not sent: waiting for the request pace: " + e.err.Error()
}

func (e *notSentError) Unwrap() error { return e.err }

// OutcomeKind makes a request the pace kept back the environment's failure.
func (e *notSentError) OutcomeKind() outcome.Kind { return outcome.Environment }

// toQuery reads a transaction report. A failed call stays failed: an empty list is
// only ever what the platform said.
func toQuery(r *Response, err error) (*QueryReply, error) {
	if r == nil {
		return nil, err
	}
	q := &QueryReply{Response: *r}
	if err != nil {
		return q, err
	}
	if _, ok := r.JSON["payments"]; ok {
		var wrap struct {
			Payments []Payment `json:"payments"`
		}
		if err := json.Unmarshal(r.Body, &wrap); err != nil {
			return q, fmt.Errorf("transaction report: %w", decodeError(err))
		}
		q.Payments = wrap.Payments
	} else if r.Payment.ID != "" {
		q.Payments = []Payment{r.Payment}
	}
	return q, nil
}

func with(v url.Values, key, value string) url.Values {
	out := cloneValues(v)
	out.Set(key, value)
	return out
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v)+2)
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// encodeSorted encodes like url.Values.Encode but keeps bracketed keys readable
// (customParameters[x] rather than customParameters%5Bx%5D), as the documentation's
// examples send them; both forms decode the same on the server.
func encodeSorted(v url.Values) string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		ek := strings.NewReplacer("%5B", "[", "%5D", "]").Replace(url.QueryEscape(k))
		for _, val := range v[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(ek)
			b.WriteByte('=')
			b.WriteString(url.QueryEscape(val))
		}
	}
	return b.String()
}

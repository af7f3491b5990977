package sandbox

import (
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"maps"
	mrand "math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/sandbox/hook"
	"github.com/oppwa-conformance/oppwa-conformance/sandbox/pages"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	"github.com/oppwa-conformance/oppwa-conformance/twin"
)

// Version identifies the sandbox build; every response carries it in the
// X-OPPWA-Sandbox-Version header so a client can tell it talks to the simulator.
const Version = "0.1.0"

// VersionHeader is the response header carrying Version.
const VersionHeader = "X-OPPWA-Sandbox-Version"

// buildNumber is what replies carry as buildNumber, in the platform's form (40 hex
// characters @ a UTC time). The hex part is derived from Version; the time is
// releaseTime, a fixed constant that does not follow Version and is changed by hand. So
// every process and run of one sandbox release shows the same build, and a nightly
// comparison sees a new build when Version changes, as it would for the platform.
var buildNumber = func() string {
	sum := sha1.Sum([]byte("oppwa-sandbox " + Version))
	return hex.EncodeToString(sum[:]) + "@" + releaseTime + " +0000"
}()

// releaseTime is the build time buildNumber shows: a constant, set by hand, not the
// time the sandbox was built or released.
const releaseTime = "2026-11-27 00:00:00"

// Credential is an entityId and the Bearer access token that owns it.
type Credential struct{ EntityID, AccessToken string }

// SecondaryCredentials is a sandbox-only second merchant, always accepted, so tests
// can check that one entity never sees another's payments. The entity id is a
// published test entity (Peach Payments' public documentation shows it); the token is
// made up, so no real platform accepts the pair.
var SecondaryCredentials = Credential{
	EntityID:    "8a8294174e735d0c014e78cf26461790",
	AccessToken: "T1BQV0FTQU5EQk9YU0VDT05EQVJZTUVSQ0hBTlR8c2FuZGJveDI=",
}

// PublicCredentials returns the public test credentials of the OPPWA documentation,
// which the sandbox always accepts.
func PublicCredentials() Credential {
	c := fixtures.Load().Credentials
	return Credential{EntityID: c.EntityID, AccessToken: c.AccessToken}
}

// Page modes (Options.Pages).
const (
	PagesDefault   = pages.Default
	PagesRealistic = pages.Realistic
)

// Options configure a Sandbox. The zero value is a faithful sandbox with the
// documented status-lookup limit and no faults.
type Options struct {
	// Credentials are extra entity/token pairs; the public test pair and
	// SecondaryCredentials are always accepted.
	Credentials []Credential
	// NoStatusRateLimit turns off the documented limit of 2 status lookups
	// (GET /v1/payments/{id}) per minute per transaction.
	NoStatusRateLimit bool
	// Latency is added to every API call (/v1/...), never to the shopper pages.
	Latency time.Duration
	// Fail503Share and Fail429Share are the shares (0..1) of API GETs answering 503
	// or 429 with a Retry-After header. POSTs and shopper pages are never faulted.
	Fail503Share, Fail429Share float64
	// RetryAfter is the Retry-After of faults (default 1s; rounded up to seconds).
	RetryAfter time.Duration
	// MaxBodyBytes caps request bodies (default 64 KiB); larger bodies answer 413.
	MaxBodyBytes int64
	// MaxPayments bounds the store (default 100,000); the oldest payment is evicted.
	MaxPayments int
	// Defects are defect, tolerated or variation mode names from DefectModes.
	Defects []string
	// Brands are the brands the simulated account has enabled: documented names such
	// as VISA or PAYPAL, in any case (read by fixtures.ParseBrands); empty enables every brand.
	// A payment with any other known brand answers 600.200.500 with HTTP 400, as an
	// account lacking the brand would.
	Brands []string
	// WebhookURL, when set, receives the platform's webhook notifications: a POST of
	// {type, action, payload} encrypted with AES-256-GCM under WebhookKey (64 hex
	// characters), for every transaction that reaches a final state (webhook.go).
	WebhookURL, WebhookKey string
	// WebhookAttempts bounds the delivery attempts of one notification (default 5);
	// WebhookRetryDelay is the wait before the first retry, doubled for each next one
	// (default 200ms). Close stops pending retries.
	WebhookAttempts   int
	WebhookRetryDelay time.Duration
	// Pages is the shopper pages' mode: PagesDefault ("" too), the sandbox's own pages,
	// or PagesRealistic, pages shaped after the real test system's (package pages).
	// A mode marked Realistic turns PagesRealistic on.
	Pages string
	// Twin, when set, makes the sandbox the twin of the account a run against a real
	// target calibrated (package twin): it enables the account's brands (unless Brands
	// names others) and answers as the account did wherever the calibration observed
	// it (package calibrated), as its own state machine everywhere else.
	Twin *twin.Calibration
	// Logf, when set, receives one line per request (method, path, status, duration).
	// Paths and status never carry card numbers or tokens.
	Logf func(format string, args ...any)

	// clock replaces time.Now in tests (checkout expiry, rate-limit window, panics).
	clock func() time.Time
}

// Stats summarises what the sandbox has stored and how busy it has been.
type Stats struct {
	// Payments is the number of stored transactions, accepted or rejected.
	Payments int
	// ByPaymentType counts stored transactions per paymentType (PA, DB, CP, ...).
	ByPaymentType map[string]int
	// DuplicateMerchantTransactionIDs counts initial payments whose
	// merchantTransactionId the same entity had already used (retries that re-sent).
	DuplicateMerchantTransactionIDs int
	// Evicted counts payments dropped because the store was full.
	Evicted int
	// Requests counts the requests served, of every kind.
	Requests int64
	// Busy is the total time spent inside the handler, summed over requests (concurrent
	// requests count twice). It includes Options.Latency.
	Busy time.Duration
}

// Sandbox is the simulator; it implements http.Handler and is safe for concurrent use.
type Sandbox struct {
	contract    *fixtures.Contract
	opts        Options
	tokens      map[string]map[string]bool // access token -> entity ids it owns
	hooks       []hook.Hook                // of the enabled modes, in table order
	store       paymentStore
	now         func() time.Time
	retryAfter  string
	outcomes    outcomeTable                 // documented codes, classified once
	brands      map[string]bool              // the enabled brands; nil: every brand
	alternating alternatingFaults            // state of tolerate-retry-after
	webhooks    *notifier                    // nil without Options.WebhookURL
	realistic   bool                         // the realistic pages are served (Options.Pages)
	stateRules  map[string][]stateRule       // the backoffice rules per operation (fixtures/rules.json)
	varied      map[string]string            // vary-refusal-codes' code per rule name
	shapes      map[shapeKey]map[string]bool // the fields of each reply shape (fixtures/shapes.json)

	requests atomic.Int64
	busy     atomic.Int64 // nanoseconds
}

var credPattern = regexp.MustCompile(`^[a-f0-9]{32}$`)

// Realistic reports whether the sandbox serves the realistic pages (Options.Pages, or a
// mode that acts on them).
func (s *Sandbox) Realistic() bool { return s.realistic }

// EnabledBrands returns the brands the sandbox enables, sorted, or nil when it enables
// every brand.
func (s *Sandbox) EnabledBrands() []string {
	if s.brands == nil {
		return nil
	}
	return slices.Sorted(maps.Keys(s.brands))
}

// ParseCredentials parses "entity:token,entity:token" (the OPPWA_SANDBOX_CREDENTIALS
// and -credentials format).
func ParseCredentials(s string) ([]Credential, error) {
	var out []Credential
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		e, t, ok := strings.Cut(part, ":")
		if !ok || !credPattern.MatchString(e) || t == "" {
			return nil, fmt.Errorf("bad credential %q: want entityId:token with a 32-hex entityId", redact(part))
		}
		out = append(out, Credential{EntityID: e, AccessToken: t})
	}
	return out, nil
}

func redact(s string) string {
	if e, _, ok := strings.Cut(s, ":"); ok {
		return e + ":***"
	}
	return "***"
}

// Credentials returns every pair the sandbox accepts.
func (s *Sandbox) Credentials() []Credential {
	var out []Credential
	seen := map[Credential]bool{}
	for _, c := range append([]Credential{PublicCredentials(), SecondaryCredentials}, s.opts.Credentials...) {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

// Stats returns counts of stored payments and of the handler's work.
func (s *Sandbox) Stats() Stats {
	c := s.store.counts()
	return Stats{
		Payments:                        c.payments,
		ByPaymentType:                   c.byType,
		DuplicateMerchantTransactionIDs: c.duplicates,
		Evicted:                         c.evicted,
		Requests:                        s.requests.Load(),
		Busy:                            time.Duration(s.busy.Load()),
	}
}

// newID returns 32 lowercase hex characters. Ids need to be unique, not secret, so a
// fast non-cryptographic source keeps the PA path cheap.
func newID() string {
	var b [16]byte
	x, y := mrand.Uint64(), mrand.Uint64()
	for i := 0; i < 8; i++ {
		b[i] = byte(x >> (8 * i))
		b[8+i] = byte(y >> (8 * i))
	}
	return hex.EncodeToString(b[:])
}

// newToken returns an unguessable session token for the shopper pages.
func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// shortID is the descriptor's "1234.5678.9012" transaction short id.
func shortID() string {
	n := mrand.Uint64N(1_000_000_000_000)
	var b [14]byte
	for i := 13; i >= 0; i-- {
		if i == 4 || i == 9 {
			b[i] = '.'
			continue
		}
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[:])
}

// replyTime is the platform's reply timestamp format.
func replyTime(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05-0700")
}

// newNDC is a reply's ndc: the entity and a fresh id, or an upper-case id when the
// reply belongs to no entity.
func newNDC(entity string) string {
	if entity == "" {
		return strings.ToUpper(newID()) + ".sandbox"
	}
	return entity + "_" + newID()
}

// fire runs the enabled modes' hooks for the point of e, in table order.
func fire[E hook.Point](s *Sandbox, e *E) { hook.Fire(s.hooks, e) }

// outcomeOf classifies a result code by the documented group regexes.
func (s *Sandbox) outcomeOf(code string) fixtures.Outcome { return s.outcomes.of(code) }

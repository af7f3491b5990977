package sandbox

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	"github.com/oppwa-conformance/oppwa-conformance/sandbox/calibrated"
	"github.com/oppwa-conformance/oppwa-conformance/sandbox/hook"
	"github.com/oppwa-conformance/oppwa-conformance/sandbox/modes"
)

// New builds a Sandbox. It fails on embedded fixtures that do not parse, an unknown
// mode name (defect, tolerated or variation), an unknown brand, a fault share outside
// 0..1 or a malformed credential.
func New(opts Options) (*Sandbox, error) {
	if err := fixtures.Check(); err != nil {
		// Before anything reads the contract: one line naming the file and field.
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	rules, varied, err := backofficeRulesOf(fixtures.Load())
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	hooks, err := modes.Hooks(opts.Defects)
	if err != nil {
		return nil, err
	}
	hooks, opts = twinned(hooks, opts)
	brands, err := enabledBrands(opts.Brands)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	realistic, err := parsePages(opts.Pages, opts.Defects)
	if err != nil {
		return nil, err
	}
	if opts, err = opts.withDefaults(); err != nil {
		return nil, err
	}
	s := &Sandbox{
		contract:   fixtures.Load(),
		opts:       opts,
		tokens:     map[string]map[string]bool{},
		hooks:      hooks,
		store:      newStore(opts.MaxPayments),
		now:        time.Now,
		brands:     brands,
		realistic:  realistic,
		stateRules: rules,
		varied:     varied,
		shapes:     replyShapes(fixtures.Load()),
	}
	if opts.clock != nil {
		s.now = opts.clock
	}
	set := hook.Settings{WebhookAttempts: s.opts.WebhookAttempts, Latency: s.opts.Latency}
	fire(s, &set)
	s.opts.WebhookAttempts, s.opts.Latency = set.WebhookAttempts, set.Latency
	s.outcomes = newOutcomeTable(s.contract)
	secs := int64((s.opts.RetryAfter + time.Second - 1) / time.Second)
	s.retryAfter = fmt.Sprint(secs)
	if err := s.addCredentials(append([]Credential{PublicCredentials(), SecondaryCredentials}, opts.Credentials...)); err != nil {
		return nil, err
	}
	// Last, so that no failure above leaves a worker running.
	if s.webhooks, err = newNotifier(notifierOptions{url: s.opts.WebhookURL, key: s.opts.WebhookKey,
		attempts: s.opts.WebhookAttempts, delay: s.opts.WebhookRetryDelay, logf: s.opts.Logf}); err != nil {
		return nil, err
	}
	return s, nil
}

// twinned adds a twin's hooks after the modes' (it answers last, as its account did)
// and enables its account's brands unless Options.Brands names others.
func twinned(hooks []hook.Hook, opts Options) ([]hook.Hook, Options) {
	if opts.Twin == nil {
		return hooks, opts
	}
	if len(opts.Brands) == 0 {
		opts.Brands = opts.Twin.Account.Brands
	}
	return append(hooks, calibrated.Hooks(opts.Twin)...), opts
}

// addCredentials lets each credential's token act for its entity.
func (s *Sandbox) addCredentials(creds []Credential) error {
	for _, c := range creds {
		if !credPattern.MatchString(c.EntityID) || c.AccessToken == "" || strings.ContainsAny(c.AccessToken, " \t\r\n") {
			return fmt.Errorf("sandbox: bad credential for entity %q: entityId must be 32 lowercase hex and the token non-empty without spaces", c.EntityID)
		}
		if s.tokens[c.AccessToken] == nil {
			s.tokens[c.AccessToken] = map[string]bool{}
		}
		s.tokens[c.AccessToken][c.EntityID] = true
	}
	return nil
}

// withDefaults fills in the limits left zero and checks the fault shares.
func (opts Options) withDefaults() (Options, error) {
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 64 << 10
	}
	if opts.MaxPayments <= 0 {
		opts.MaxPayments = 100_000
	}
	if opts.RetryAfter <= 0 {
		opts.RetryAfter = time.Second
	}
	if opts.Fail503Share < 0 || opts.Fail503Share > 1 || opts.Fail429Share < 0 || opts.Fail429Share > 1 {
		return opts, errors.New("sandbox: fault shares must be between 0 and 1")
	}
	return opts, nil
}

// enabledBrands is the set of brands Options.Brands enables (see fixtures.ParseBrands); nil
// means every brand is enabled.
func enabledBrands(names []string) (map[string]bool, error) {
	brands, err := fixtures.Load().ParseBrands(names)
	if err != nil || len(brands) == 0 {
		return nil, err
	}
	out := make(map[string]bool, len(brands))
	for _, b := range brands {
		out[b] = true
	}
	return out, nil
}

// parsePages reads Options.Pages: realistic or not. A mode that acts on the realistic
// pages (Mode.Realistic) turns them on.
func parsePages(v string, names []string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", PagesDefault:
		return modes.Realistic(names), nil
	case PagesRealistic:
		return true, nil
	}
	return false, fmt.Errorf("sandbox: unknown pages mode %q: want %s or %s", v, PagesDefault, PagesRealistic)
}

package main

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/oppwa-conformance/oppwa-conformance/config"
	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	"github.com/oppwa-conformance/oppwa-conformance/outcome"
	"github.com/oppwa-conformance/oppwa-conformance/sandbox"
)

// accountBrands are the brands of the simulated account: two sync cards, a sync bank
// brand and an async one.
var accountBrands = []string{"DIRECTDEBIT_SEPA", "MASTER", "PAYPAL", "VISA"}

// startAccount starts a sandbox that enables only brands, as a standalone one would run.
func startAccount(t *testing.T, brands []string) *sandbox.Server {
	t.Helper()
	srv, err := sandbox.Start(t.Context(), "127.0.0.1:0", sandbox.Options{Brands: brands})
	if err != nil {
		t.Fatal(err)
	}
	// The test's context is done when cleanups run: the server closes at once.
	t.Cleanup(func() { _ = srv.Close(t.Context()) })
	return srv
}

// accountEnv is the environment of a real target pointing at srv, plus kv.
func accountEnv(srv *sandbox.Server, kv ...string) map[string]string {
	pub := sandbox.PublicCredentials()
	m := map[string]string{"OPPWA_ENV_FILE": "/dev/null", "OPPWA_BASE_URL": srv.URL,
		"OPPWA_ENTITY_ID": pub.EntityID, "OPPWA_ACCESS_TOKEN": pub.AccessToken, "OPPWA_MAX_RPS": "off"}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func loadEnv(t *testing.T, m map[string]string) config.Target {
	t.Helper()
	tg, err := config.Load(func(k string) (string, bool) { v, ok := m[k]; return v, ok }, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// envBlock reads the KEY=value lines discover prints.
func envBlock(out string) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && strings.HasPrefix(k, "OPPWA_") && !strings.Contains(k, " ") {
			m[k] = v
		}
	}
	return m
}

func TestDiscoverFindsExactlyTheEnabledBrands(t *testing.T) {
	srv := startAccount(t, accountBrands)
	var out bytes.Buffer
	if err := discover(context.Background(), loadEnv(t, accountEnv(srv)), &out); err != nil {
		t.Fatalf("discover: %v\n%s", err, out.String())
	}
	got := out.String()
	t.Logf("discover printed:\n%s", got)
	c := fixtures.Load()
	for _, name := range c.DefaultBrands() {
		want := brandNotConfigured + ` +600\.200\.500 `
		if slices.Contains(accountBrands, name) {
			want = brandEnabled + " "
		}
		if !regexp.MustCompile(`(?m)^` + name + ` +(sync|async) +` + want).MatchString(got) {
			t.Errorf("%s: no line %q", name, want)
		}
	}
	env := envBlock(got)
	if env["OPPWA_BRANDS"] != strings.Join(accountBrands, ",") || env["OPPWA_3DS"] != "yes" || env["OPPWA_REPORTING"] != "yes" || env["OPPWA_REGISTRATION"] != "yes" {
		t.Errorf(".env block %v", env)
	}
	// Each sync brand's PA is reversed: nothing stays reserved.
	st := srv.Sandbox.Stats()
	if st.ByPaymentType["RV"] != 3 || st.ByPaymentType["PA"] != 17 || st.ByPaymentType["DB"] != 25 {
		t.Errorf("stored %v, want 17 PA (one per sync brand), 3 RV (the enabled ones), 25 DB (24 async brands and 3-D Secure)", st.ByPaymentType)
	}
	secrets := []string{sandbox.PublicCredentials().AccessToken}
	for _, card := range c.Cards {
		secrets = append(secrets, card.Number)
	}
	for _, s := range secrets {
		if strings.Contains(got, s) {
			t.Errorf("output shows %s", s)
		}
	}
}

// Without 3-D Secure's test card brand and with a lookup the platform refuses, the
// capabilities are no; a wrong token stops discovery at once with a configuration error.
func TestDiscoverCapabilitiesAndRefusedCredentials(t *testing.T) {
	srv := startAccount(t, []string{"MASTER"})
	var out bytes.Buffer
	if err := discover(context.Background(), loadEnv(t, accountEnv(srv)), &out); err != nil {
		t.Fatalf("discover: %v", err)
	}
	if env := envBlock(out.String()); env["OPPWA_BRANDS"] != "MASTER" || env["OPPWA_3DS"] != "no" {
		t.Errorf(".env block %v\n%s", env, out.String())
	}
	out.Reset()
	err := discover(context.Background(), loadEnv(t, accountEnv(srv, "OPPWA_ACCESS_TOKEN", "not-the-token-1234")), &out)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != outcome.ExitConfig || !strings.Contains(ee.msg, "OPPWA_ACCESS_TOKEN") || strings.Contains(ee.msg+out.String(), "not-the-token-1234") {
		t.Errorf("wrong token: %v", err)
	}
	if n := strings.Count(out.String(), "\n"); n > 5 {
		t.Errorf("discovery went on after the credentials were refused:\n%s", out.String())
	}
}

func TestProcessRPSSharesThePace(t *testing.T) {
	for _, tc := range []struct {
		max   float64
		procs string
		want  string
	}{{5, "2", "2.5"}, {5, "1", "5"}, {0, "4", ""}, {6, "3", "2"}} {
		if got := processRPS(config.Target{MaxRPS: tc.max}, tc.procs); got != tc.want {
			t.Errorf("processRPS(%g, %q) = %q, want %q", tc.max, tc.procs, got, tc.want)
		}
	}
	if got := processRPS(config.Target{MaxRPS: 5}, ""); got == "" || got == "0" {
		t.Errorf("ginkgo -p: %q", got)
	}
}

// The runner's one-line refusals: a production host, an unreachable one, and a run on a
// real account whose brands are not declared.
func TestDiscoverAndRunRefuseInOneLine(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the runner")
	}
	real := map[string]string{"OPPWA_ENTITY_ID": "8a8294174b7ecb28014b9699220015ca", "OPPWA_ACCESS_TOKEN": "x-test-token"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{"OPPWA_REPORT_DIR": t.TempDir()}
		for k, v := range real {
			m[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	for name, tc := range map[string]struct {
		env  map[string]string
		args []string
		code outcome.ExitCode
		want string
	}{
		"discover on production":  {with("OPPWA_BASE_URL", "https://eu-prod.oppwa.com/"), []string{"discover"}, outcome.ExitConfig, "OPPWA_ALLOW_LIVE=yes"},
		"discover unreachable":    {with("OPPWA_BASE_URL", "http://127.0.0.1:1/"), []string{"discover"}, outcome.ExitEnvironment, "cannot reach 127.0.0.1:1"},
		"run without brands":      {with("OPPWA_BASE_URL", "http://127.0.0.1:1/"), []string{"run"}, outcome.ExitConfig, "OPPWA_BRANDS is not set for a real account: run make discover"},
		"run with a bad max rate": {with("OPPWA_BASE_URL", "http://127.0.0.1:1/", "OPPWA_BRANDS", "VISA", "OPPWA_MAX_RPS", "fast"), []string{"run"}, outcome.ExitConfig, "OPPWA_MAX_RPS"},
	} {
		t.Run(name, func(t *testing.T) {
			r := runRunner(t, tc.env, tc.args...)
			lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
			if r.code != tc.code || len(lines) != 1 || !strings.Contains(lines[0], tc.want) || strings.Contains(r.stdout+r.stderr, "x-test-token") {
				t.Fatalf("exit %d (want %d), stderr %q (want one line with %q)", r.code, tc.code, r.stderr, tc.want)
			}
		})
	}
}

// The .env block discover prints makes a green run against the same account.
func TestDiscoveredEnvBlockRunsGreen(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suites")
	}
	srv := startAccount(t, accountBrands)
	env := accountEnv(srv, "OPPWA_REPORT_DIR", t.TempDir())
	r := runRunner(t, env, "discover")
	if r.code != 0 {
		t.Fatalf("discover: exit %d %s", r.code, r.stderr)
	}
	for k, v := range envBlock(r.stdout) {
		env[k] = v
	}
	r = runRunner(t, env, "run", "-labels", "!browser")
	if r.code != 0 || !strings.Contains(r.stdout, "verdict: PASS") {
		t.Fatalf("run with the discovered .env block: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

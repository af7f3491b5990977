package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/sandbox"
)

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-defect", "no-such-mode"},
		{"-latency", "soon"},
		{"-fail-503", "2"},
		{"-credentials", "nope"},
		{"-brands", "VISA,NOPE"},
		{"extra-arg"},
	} {
		var out, errOut bytes.Buffer
		if err := run(args, &out, &errOut); err == nil {
			t.Errorf("%v: want an error", args)
		}
	}
}

func TestBusyPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var out, errOut bytes.Buffer
	err = run([]string{"-addr", ln.Addr().String()}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Errorf("busy port: %v", err)
	}
}

func TestDefectList(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run([]string{"-defect", "list"}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "pan-echoed") || !strings.Contains(out.String(), "tolerate-latency") {
		t.Errorf("list: %s", out.String())
	}
}

func TestEnvDefects(t *testing.T) {
	t.Setenv("OPPWA_SANDBOX_DEFECTS", "bogus-mode")
	var out, errOut bytes.Buffer
	if err := run([]string{"-addr", "127.0.0.1:0"}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "bogus-mode") {
		t.Errorf("env defects: %v", err)
	}
}

func TestServeAndShutDownOnSignal(t *testing.T) {
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run([]string{"-addr", "127.0.0.1:0", "-credentials", "0123456789abcdef0123456789abcdef:my-secret-token"}, pw, io.Discard)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	var out []string
	for len(out) < 4 && sc.Scan() {
		out = append(out, sc.Text())
	}
	go io.Copy(io.Discard, pr)
	base := strings.TrimPrefix(out[0], "OPPWA sandbox "+sandbox.Version+" listening on ")
	if !strings.HasPrefix(base, "http://127.0.0.1:") || !strings.HasSuffix(base, "/") {
		t.Fatalf("banner %q", out[0])
	}
	all := strings.Join(out, "\n")
	if !strings.Contains(all, sandbox.PublicCredentials().AccessToken) || strings.Contains(all, "my-secret-token") {
		t.Errorf("credentials banner:\n%s", all)
	}
	resp, err := http.Get(base + "v1/resultcodes")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("serving: %v", err)
	}
	resp.Body.Close()
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("shutdown: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no shutdown on SIGINT")
	}
}

func TestEnvFillsFlagsNotGiven(t *testing.T) {
	t.Setenv("OPPWA_SANDBOX_LATENCY", "soon")
	if _, err := parseConfig(nil, io.Discard); err == nil || !strings.Contains(err.Error(), "OPPWA_SANDBOX_LATENCY") {
		t.Errorf("bad env value: %v", err)
	}
	c, err := parseConfig([]string{"-latency", "5ms"}, io.Discard)
	if err != nil || c.latency != 5*time.Millisecond {
		t.Errorf("the flag must win: %v %v", c.latency, err)
	}
	t.Setenv("OPPWA_SANDBOX_LATENCY", "7ms")
	t.Setenv("OPPWA_SANDBOX_DEFECTS", "pan-echoed, id-missing")
	if c, err = parseConfig(nil, io.Discard); err != nil || c.latency != 7*time.Millisecond || len(c.defects) != 2 {
		t.Errorf("env: %+v %v", c, err)
	}
}

func TestBrandsFlagAndEnv(t *testing.T) {
	c, err := parseConfig([]string{"-brands", "VISA, PAYPAL"}, io.Discard)
	if err != nil || strings.Join(c.brands, ",") != "VISA,PAYPAL" {
		t.Fatalf("-brands: %v %v", c.brands, err)
	}
	opts, err := c.options(io.Discard)
	if err != nil || strings.Join(opts.Brands, ",") != "VISA,PAYPAL" {
		t.Errorf("options: %v %v", opts.Brands, err)
	}
	t.Setenv("OPPWA_SANDBOX_BRANDS", "MASTER")
	if c, err = parseConfig(nil, io.Discard); err != nil || strings.Join(c.brands, ",") != "MASTER" {
		t.Errorf("env: %v %v", c.brands, err)
	}
	// The flag reads brand names as OPPWA_SANDBOX_BRANDS does: in any case, each once.
	if c, err = parseConfig([]string{"-brands", "visa,VISA"}, io.Discard); err != nil {
		t.Fatal(err)
	}
	if banner := bannerOf(t, c); !strings.Contains(banner, "brands: VISA (others answer 600.200.500)") {
		t.Errorf("banner:\n%s", banner)
	}
}

// bannerOf is the banner of a sandbox started with c's options.
func bannerOf(t *testing.T, c config) string {
	t.Helper()
	opts, err := c.options(io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sandbox.Start(t.Context(), "127.0.0.1:0", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close(t.Context())
	var out bytes.Buffer
	printBanner(&out, srv, nil)
	return out.String()
}

func TestPagesFlagAndEnv(t *testing.T) {
	t.Setenv("OPPWA_SANDBOX_PAGES", "realistic")
	c, err := parseConfig(nil, io.Discard)
	if err != nil || c.pages != sandbox.PagesRealistic {
		t.Fatalf("env: %q %v", c.pages, err)
	}
	if c, err = parseConfig([]string{"-pages", "default"}, io.Discard); err != nil || c.pages != sandbox.PagesDefault {
		t.Fatalf("the flag must win: %q %v", c.pages, err)
	}
	c.pages = sandbox.PagesRealistic
	if banner := bannerOf(t, c); !strings.Contains(banner, "pages: realistic") {
		t.Errorf("banner:\n%s", banner)
	}
	c.pages = "real"
	opts, _ := c.options(io.Discard)
	if _, err := sandbox.New(opts); err == nil || !strings.Contains(err.Error(), "want default or realistic") {
		t.Errorf("bad -pages: %v", err)
	}
}

// One webhook flag without the other is a flag error: one line on stderr naming both
// flags and never the key, exit 2 as the flag package's own errors; a value the sandbox
// refuses still exits 1.
func TestWebhookFlagsGoTogether(t *testing.T) {
	if args := os.Getenv("OPPWA_SANDBOX_TEST_ARGS"); args != "" {
		os.Args = append([]string{"oppwa-sandbox"}, strings.Fields(args)...)
		main()
		return
	}
	key := strings.Repeat("5a", 32)
	for _, tc := range []struct {
		args string
		code int
		want string
	}{
		{"-addr 127.0.0.1:0 -webhook-key " + key, 2, "-webhook-key (OPPWA_SANDBOX_WEBHOOK_KEY) is set without -webhook-url"},
		{"-addr 127.0.0.1:0 -webhook-url http://127.0.0.1:1/webhook", 2, "-webhook-url (OPPWA_SANDBOX_WEBHOOK_URL) is set without -webhook-key"},
		{"-latency soon", 2, `invalid value "soon" for flag -latency`},
		{"-addr 127.0.0.1:0 -defect no-such-mode", 1, "no-such-mode"},
	} {
		// Bounded: a command line wrongly accepted would serve until killed.
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestWebhookFlagsGoTogether$")
		cmd.Env = append(os.Environ(), "OPPWA_SANDBOX_TEST_ARGS="+tc.args)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != tc.code {
			t.Errorf("%s: %v, want exit %d", tc.args, err, tc.code)
		}
		last := strings.TrimSpace(stderr.String())
		last = last[strings.LastIndex(last, "\n")+1:]
		if !strings.HasPrefix(last, "oppwa-sandbox: ") || !strings.Contains(last, tc.want) {
			t.Errorf("%s: stderr ends %q, want a line naming %q", tc.args, last, tc.want)
		}
		if strings.Contains(tc.args, "-webhook") && strings.Count(stderr.String(), "\n") != 1 {
			t.Errorf("%s: stderr is not one line:\n%s", tc.args, stderr.String())
		}
		if strings.Contains(stderr.String(), key) {
			t.Errorf("%s: the key was printed", tc.args)
		}
	}
	// The environment's values are checked the same way as the flags'.
	t.Setenv("OPPWA_SANDBOX_WEBHOOK_KEY", key)
	var usage usageError
	if _, err := parseConfig(nil, io.Discard); !errors.As(err, &usage) {
		t.Errorf("OPPWA_SANDBOX_WEBHOOK_KEY alone: %v, want a usage error", err)
	}
	if c, err := parseConfig([]string{"-webhook-url", "http://127.0.0.1:1/hook"}, io.Discard); err != nil || c.webhookKey != key {
		t.Errorf("-webhook-url with OPPWA_SANDBOX_WEBHOOK_KEY: %v", err)
	}
}

// A calibration the sandbox cannot start from is a configuration error (exit 3)
// naming the file, before anything listens.
func TestTwinThatCannotBeReadIsAConfigurationError(t *testing.T) {
	for _, path := range []string{"/nonexistent/twin.json", t.TempDir()} {
		var out, errOut bytes.Buffer
		err := run([]string{"-addr", "127.0.0.1:0", "-twin", path}, &out, &errOut)
		var data fixturesError
		if !errors.As(err, &data) || !strings.Contains(err.Error(), path) || strings.Contains(err.Error(), "\n") || out.Len() > 0 {
			t.Errorf("-twin %s: %v (banner %q), want one line naming it, exit 3, nothing served", path, err, out.String())
		}
	}
}

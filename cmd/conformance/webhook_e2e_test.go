package main

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/sandbox"
)

// TestWebhookSpecsPassAgainstTheStandaloneSandbox runs the webhook specs the way the
// README tells a user to: the standalone sandbox as a real target, notifying a webhook
// URL whose path is not the receiver's default, and the runner with its default
// processes. Every webhook spec must pass: one receiver, in the process that runs the
// serial specs, alive until the suite ends, taking the configured URL's path.
func TestWebhookSpecsPassAgainstTheStandaloneSandbox(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the standalone sandbox and the suites")
	}
	addr := freeLoopbackAddr(t)
	key := randomKey(t)
	hookURL := "http://" + addr + "/hooks/oppwa"
	base := startStandaloneSandbox(t, "-webhook-url", hookURL, "-webhook-key", key)
	creds := sandbox.PublicCredentials()
	dir := t.TempDir()
	start := time.Now()
	r := runRunner(t, map[string]string{
		"OPPWA_BASE_URL": base, "OPPWA_ENTITY_ID": creds.EntityID, "OPPWA_ACCESS_TOKEN": creds.AccessToken,
		"OPPWA_BRANDS": "VISA,PAYPAL", "OPPWA_REGISTRATION": "yes",
		"OPPWA_WEBHOOK_URL": hookURL, "OPPWA_WEBHOOK_KEY": key, "OPPWA_WEBHOOK_ADDR": addr,
		"OPPWA_SPEC_TIMEOUT": "30s", "OPPWA_REPORT_DIR": dir,
	}, "run", "-labels", "webhook")
	if r.code != 0 {
		t.Fatalf("exit %d, want 0: %s", r.code, tail(r.stdout))
	}
	if strings.Contains(r.stdout+r.stderr, key) {
		t.Error("the webhook key was printed")
	}
	passed := passedIDs(t, filepath.Join(dir, "certification.json"))
	for i := 1; i <= 5; i++ {
		if id := fmt.Sprintf("S2S-WH-%03d", i); !passed[id] {
			t.Errorf("%s did not pass (passed: %v)", id, passed)
		}
	}
	t.Logf("the runner took %s", time.Since(start).Round(100*time.Millisecond))
}

// freeLoopbackAddr is a loopback host:port nothing listens on just now.
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// randomKey is a fresh webhook key, 64 hex characters.
func randomKey(t *testing.T) string {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// startStandaloneSandbox builds cmd/oppwa-sandbox and runs it on a free loopback port
// with args until the test ends, and returns its base URL from the banner.
func startStandaloneSandbox(t *testing.T, args ...string) string {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "oppwa-sandbox")
	build := exec.Command("go", "build", "-o", bin, "./cmd/oppwa-sandbox")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the sandbox: %v: %s", err, out)
	}
	cmd := exec.Command(bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = cleanEnv()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		_ = cmd.Wait()
	})
	banner := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			banner <- sc.Text()
		}
		close(banner)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case line := <-banner:
		_, base, ok := strings.Cut(line, " listening on ")
		if !ok {
			t.Fatalf("sandbox banner %q", line)
		}
		return base
	case <-time.After(10 * time.Second):
		t.Fatal("the sandbox printed no banner within 10s")
	}
	return ""
}

// passedIDs reads certification.json: the IDs of the specs that passed.
func passedIDs(t *testing.T, path string) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cert struct {
		Specs []struct{ ID, State string }
	}
	if err := json.Unmarshal(b, &cert); err != nil {
		t.Fatal(err)
	}
	passed := map[string]bool{}
	for _, s := range cert.Specs {
		if s.State == "passed" {
			passed[s.ID] = true
		}
	}
	return passed
}

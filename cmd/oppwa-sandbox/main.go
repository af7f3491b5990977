// Command oppwa-sandbox serves the embedded OPPWA sandbox on a local port: an offline,
// stateful simulator of the OPPWA server-to-server payments API (/v1/payments).
//
// Every flag has an environment equivalent (the flag wins when both are set):
//
//	-addr             OPPWA_SANDBOX_ADDR          listen address (default 127.0.0.1:8080; ":0" picks a free port)
//	-no-status-limit  OPPWA_SANDBOX_NO_STATUS_LIMIT=true
//	-latency          OPPWA_SANDBOX_LATENCY       e.g. 50ms
//	-fail-503         OPPWA_SANDBOX_FAIL_503      share of API GETs answering 503 (0..1)
//	-fail-429         OPPWA_SANDBOX_FAIL_429      share of API GETs answering 429 (0..1)
//	-retry-after      OPPWA_SANDBOX_RETRY_AFTER   Retry-After of faults (default 1s)
//	-defect           OPPWA_SANDBOX_DEFECTS=a,b   defect or tolerated mode (repeatable); -defect list prints them
//	-credentials      OPPWA_SANDBOX_CREDENTIALS=entity:token,entity:token
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/sandbox"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "oppwa-sandbox:", err)
		os.Exit(1)
	}
}

type multi []string

func (m *multi) String() string { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error {
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			*m = append(*m, x)
		}
	}
	return nil
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("oppwa-sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", envOr("OPPWA_SANDBOX_ADDR", "127.0.0.1:8080"), "listen address (\":0\" picks a free port)")
	noLimit := fs.Bool("no-status-limit", envBool("OPPWA_SANDBOX_NO_STATUS_LIMIT"), "turn off the 2 status lookups per minute per transaction limit")
	latency := fs.Duration("latency", 0, "latency added to every API call (env OPPWA_SANDBOX_LATENCY)")
	f503 := fs.Float64("fail-503", 0, "share of API GETs answering 503 (env OPPWA_SANDBOX_FAIL_503)")
	f429 := fs.Float64("fail-429", 0, "share of API GETs answering 429 (env OPPWA_SANDBOX_FAIL_429)")
	retry := fs.Duration("retry-after", 0, "Retry-After of faults, default 1s (env OPPWA_SANDBOX_RETRY_AFTER)")
	creds := fs.String("credentials", os.Getenv("OPPWA_SANDBOX_CREDENTIALS"), "extra entity:token pairs, comma-separated")
	var defects multi
	fs.Var(&defects, "defect", "defect or tolerated mode, repeatable (env OPPWA_SANDBOX_DEFECTS=a,b); \"list\" prints them")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var err error
	if !set["latency"] {
		if *latency, err = envDuration("OPPWA_SANDBOX_LATENCY"); err != nil {
			return err
		}
	}
	if !set["retry-after"] {
		if *retry, err = envDuration("OPPWA_SANDBOX_RETRY_AFTER"); err != nil {
			return err
		}
	}
	if !set["fail-503"] {
		if *f503, err = envFloat("OPPWA_SANDBOX_FAIL_503"); err != nil {
			return err
		}
	}
	if !set["fail-429"] {
		if *f429, err = envFloat("OPPWA_SANDBOX_FAIL_429"); err != nil {
			return err
		}
	}
	if !set["defect"] {
		_ = defects.Set(os.Getenv("OPPWA_SANDBOX_DEFECTS"))
	}
	for _, d := range defects {
		if d == "list" {
			for _, m := range sandbox.DefectModes() {
				kind := "defect"
				if m.Tolerated {
					kind = "tolerated"
				}
				fmt.Fprintf(stdout, "%-32s %-9s %s\n", m.Name, kind, m.Description)
			}
			return nil
		}
	}
	extra, err := sandbox.ParseCredentials(*creds)
	if err != nil {
		return err
	}
	opts := sandbox.Options{
		Credentials:       extra,
		NoStatusRateLimit: *noLimit,
		Latency:           *latency,
		Fail503Share:      *f503,
		Fail429Share:      *f429,
		RetryAfter:        *retry,
		Defects:           defects,
		Logf:              log.New(stderr, "", log.LstdFlags|log.Lmicroseconds).Printf,
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := sandbox.Start(context.Background(), *addr, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "OPPWA sandbox %s listening on %s\n", sandbox.Version, srv.URL)
	for i, c := range srv.Sandbox.Credentials() {
		token := c.AccessToken
		if i >= 2 {
			// The public and secondary test tokens are published; extra ones are the
			// user's own and are not echoed.
			token = token[:min(4, len(token))] + "***"
		}
		fmt.Fprintf(stdout, "  entityId=%s  Authorization: Bearer %s\n", c.EntityID, token)
	}
	if len(defects) > 0 {
		fmt.Fprintf(stdout, "  modes: %s\n", strings.Join(defects, ", "))
	}
	<-ctx.Done()
	fmt.Fprintln(stdout, "shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Close(sctx)
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func envBool(k string) bool {
	b, _ := strconv.ParseBool(os.Getenv(k))
	return b
}

func envDuration(k string) (time.Duration, error) {
	v := os.Getenv(k)
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%s: %v", k, err)
	}
	return d, nil
}

func envFloat(k string) (float64, error) {
	v := os.Getenv(k)
	if v == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %v", k, err)
	}
	return f, nil
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/oppwa-conformance/oppwa-conformance/drivers/webhook"
	"github.com/oppwa-conformance/oppwa-conformance/outcome"
)

// runWebhookDecrypt decrypts one captured webhook notification for a merchant debugging
// their endpoint: the body from a file or stdin, the two headers' values and the key
// (flag or OPPWA_WEBHOOK_KEY); it prints the notification's JSON. Every mistake,
// a wrong key or tag included, is a one-line configuration error (exit 3).
func runWebhookDecrypt(_ context.Context, args []string) error {
	return webhookDecrypt(args, os.Stdin, os.Stdout)
}

func webhookDecrypt(args []string, stdin io.Reader, stdout io.Writer) error {
	fs := newFlagSet("webhook-decrypt")
	iv := fs.String("iv", "", "the X-Initialization-Vector header's value (hex)")
	tag := fs.String("tag", "", "the X-Authentication-Tag header's value (hex)")
	// The key's default is read after parsing: a flag's default is printed in the
	// usage text, and the key must never be.
	key := fs.String("key", "", "the webhook's key, 64 hex characters (default $OPPWA_WEBHOOK_KEY)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *key == "" {
		*key = os.Getenv("OPPWA_WEBHOOK_KEY")
	}
	const usage = "use: conformance webhook-decrypt -iv HEX -tag HEX [-key HEX] [BODY_FILE | - ]"
	switch {
	case fs.NArg() > 1:
		return &exitError{outcome.ExitConfig, "webhook-decrypt takes one body file (or - for stdin): " + usage}
	case *iv == "" || *tag == "":
		return &exitError{outcome.ExitConfig, "webhook-decrypt needs -iv and -tag, the values of the X-Initialization-Vector and X-Authentication-Tag headers: " + usage}
	case *key == "":
		return &exitError{outcome.ExitConfig, "webhook-decrypt needs the webhook's key: pass -key or set OPPWA_WEBHOOK_KEY"}
	}
	in, name := stdin, "stdin"
	if f := fs.Arg(0); f != "" && f != "-" {
		file, err := os.Open(f)
		if err != nil {
			return &exitError{outcome.ExitConfig, fmt.Sprintf("webhook-decrypt: cannot read the body: %v", err)}
		}
		defer file.Close()
		in, name = file, f
	}
	body, err := io.ReadAll(io.LimitReader(in, 4<<20))
	if err != nil {
		return &exitError{outcome.ExitConfig, fmt.Sprintf("webhook-decrypt: read %s: %v", name, err)}
	}
	plain, err := webhook.Decrypt(string(body), *iv, *tag, *key)
	if err != nil {
		return &exitError{outcome.ExitConfig, "webhook-decrypt: " + err.Error()}
	}
	var out bytes.Buffer
	if json.Indent(&out, plain, "", "  ") != nil {
		out.Reset()
		out.Write(plain) // not JSON: print it as it is
	}
	out.WriteByte('\n')
	_, err = stdout.Write(out.Bytes())
	return err
}

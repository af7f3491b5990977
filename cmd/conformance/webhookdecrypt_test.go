package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/oppwa-conformance/oppwa-conformance/drivers/webhook"
	"github.com/oppwa-conformance/oppwa-conformance/outcome"
)

func TestWebhookDecrypt(t *testing.T) {
	key := strings.Repeat("0f", 32)
	body, iv, tag, err := webhook.Encrypt([]byte(`{"type":"PAYMENT","payload":{"id":"abc"}}`), key)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := webhookDecrypt([]string{"-iv", iv, "-tag", tag, "-key", key}, strings.NewReader(body), &out); err != nil {
		t.Fatalf("decrypt: %v", err)
	}
	if !strings.Contains(out.String(), `"id": "abc"`) {
		t.Fatalf("output %q", out.String())
	}
	for name, args := range map[string][]string{
		"wrong key": {"-iv", iv, "-tag", tag, "-key", strings.Repeat("aa", 32)},
		"no iv":     {"-tag", tag, "-key", key},
		"bad tag":   {"-iv", iv, "-tag", "zz", "-key", key},
	} {
		err := webhookDecrypt(args, strings.NewReader(body), &out)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != outcome.ExitConfig || strings.Contains(ee.msg, "\n") {
			t.Errorf("%s: %v, want a one-line configuration error", name, err)
		}
		if name == "wrong key" && !strings.Contains(ee.msg, "authentication failed: wrong key or tag") {
			t.Errorf("wrong key: %q", ee.msg)
		}
	}
}

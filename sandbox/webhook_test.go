package sandbox

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/sandbox/modes"

	"github.com/oppwa-conformance/oppwa-conformance/drivers/webhook"
)

const hookKey = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

// hooked starts a sandbox that notifies a webhook receiver.
func hooked(t *testing.T, defects ...string) (*harness, *webhook.Receiver) {
	t.Helper()
	rcv, err := webhook.Start(t.Context(), "127.0.0.1:0", hookKey)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rcv.Close(context.Background()) })
	h := start(t, Options{WebhookURL: rcv.URL(), WebhookKey: hookKey, WebhookRetryDelay: time.Millisecond, Defects: defects})
	return h, rcv
}

func await(t *testing.T, rcv *webhook.Receiver, id string, n int) []webhook.Delivery {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	ds, err := rcv.Await(ctx, id, n)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// The payload is the reply the merchant received, byte for byte, under type PAYMENT
// with no action; a capture is notified with its own id.
func TestWebhookPayloadIsTheReply(t *testing.T) {
	h, rcv := hooked(t, modes.TolerateFieldOrder)
	pa := h.pa("merchantTransactionId", "wh-1")
	d := await(t, rcv, pa.str("id"), 1)[0]
	if d.Notification.Type != "PAYMENT" || d.Notification.Action != "" || d.ContentType != notificationContentType {
		t.Fatalf("envelope %+v, content type %q", d.Notification, d.ContentType)
	}
	if string(d.Notification.Payload) != pa.raw {
		t.Fatalf("payload differs from the reply:\n%s\n%s", d.Notification.Payload, pa.raw)
	}
	cp := h.post("/v1/payments/"+pa.str("id"), "entityId", pub.EntityID, "paymentType", "CP", "amount", "92.00", "currency", "EUR")
	if got := await(t, rcv, cp.str("id"), 1)[0]; got.Payment.PaymentType != "CP" {
		t.Fatalf("capture notification: %+v", got.Payment)
	}
	if n := len(rcv.Deliveries(pa.str("id"))); n != 1 {
		t.Fatalf("the PA was delivered %d times", n)
	}
}

// An async payment is notified once, in its final state, after the shopper acts.
func TestWebhookAsyncFinalState(t *testing.T) {
	h, rcv := hooked(t)
	r := h.post("/v1/payments", asyncParams("PAYPAL")...)
	id := r.str("id")
	form := url.Values{"outcome": {"approve"}}
	for k, v := range r.redirectParams() {
		form[k] = v
	}
	h.page("POST", h.srv.URL+"connectors/demo/checkout/"+id+"/complete", form)
	d := await(t, rcv, id, 1)
	if d[0].Payment.Result.Code != codeSuccess {
		t.Fatalf("async notification shows %s", d[0].Payment.Result.Code)
	}
}

// A delivery the receiver refuses is retried with the same content.
func TestWebhookRetriedAfterRefusal(t *testing.T) {
	h, rcv := hooked(t)
	rcv.RefuseFirst("wh-retry")
	id := h.pa("merchantTransactionId", "wh-retry").str("id")
	ds := await(t, rcv, id, 2)
	if ds[0].Status != 500 || ds[1].Status != 200 || string(ds[0].Notification.Payload) != string(ds[1].Notification.Payload) {
		t.Fatalf("deliveries: %+v", ds)
	}
}

func TestWebhookDefects(t *testing.T) {
	t.Run("wrong tag", func(t *testing.T) {
		h, rcv := hooked(t, modes.DefectWebhookWrongTag)
		h.pa()
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		if _, err := rcv.Await(ctx, "none", 1); err == nil || !strings.Contains(err.Error(), "wrong key or tag") {
			t.Fatalf("Await: %v", err)
		}
	})
	t.Run("payload disagrees", func(t *testing.T) {
		h, rcv := hooked(t, modes.DefectWebhookPayloadDisagrees)
		pa := h.pa()
		if d := await(t, rcv, pa.str("id"), 1)[0]; d.Payment.Result.Code == pa.code() {
			t.Fatalf("payload agrees: %s", d.Notification.Payload)
		}
	})
	t.Run("duplicated", func(t *testing.T) {
		h, rcv := hooked(t, modes.DefectWebhookDuplicated)
		await(t, rcv, h.pa().str("id"), 2)
	})
}

func TestWebhookOptionsChecked(t *testing.T) {
	for _, o := range []Options{{WebhookURL: "ftp://x", WebhookKey: hookKey}, {WebhookURL: "http://127.0.0.1/", WebhookKey: "abc"}} {
		if _, err := New(o); err == nil {
			t.Errorf("New(%+v) accepted", o)
		}
	}
}

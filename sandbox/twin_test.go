package sandbox

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/drivers/webhook"
	"github.com/oppwa-conformance/oppwa-conformance/twin"
)

// A twin's replies to API requests carry the account's field sets and buildNumber;
// the notification of a reply is the sandbox's own, since the calibration never saw
// the account's notifications, and a JSON reply off the API is left alone.
func TestTwinShapesAPIRepliesButNotTheirNotifications(t *testing.T) {
	rcv, err := webhook.Start(t.Context(), "127.0.0.1:0", hookKey)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rcv.Close(context.Background()) })
	cal := &twin.Calibration{
		Account:      twin.Account{Brands: []string{"VISA"}},
		Fields:       map[string][]twin.Field{twin.ReplyPayment: {{Path: "id"}, {Path: "result"}, {Path: "result.code"}, {Path: "buildNumber"}}},
		BuildNumbers: []string{"account@1"},
	}
	h := start(t, Options{Twin: cal, WebhookURL: rcv.URL(), WebhookKey: hookKey, WebhookRetryDelay: time.Millisecond})

	pa := h.post("//v1/payments", visa("paymentType", "PA", "amount", "92.00", "currency", "EUR")...)
	id := pa.str("id")
	if len(pa.body) != 3 || id == "" || pa.code() == "" || pa.get("result.description") != nil || pa.str("buildNumber") != "account@1" {
		t.Errorf("payment reply %s, want only id, result.code and the account's buildNumber", pa.raw)
	}
	payload := await(t, rcv, id, 1)[0].Notification.Payload
	if s := string(payload); !strings.Contains(s, `"paymentType":"PA"`) || !strings.Contains(s, `"description"`) || strings.Contains(s, "account@1") {
		t.Errorf("notification payload %s, want the sandbox's own reply", s)
	}
	// No status reply was calibrated: the sandbox's fields, the account's build.
	if st := h.status(id); st.str("paymentType") != "PA" || st.str("buildNumber") != "account@1" {
		t.Errorf("status reply %s", st.raw)
	}
	if off := h.do("GET", "/nowhere", "", nil); off.status != 404 || off.str("buildNumber") == "account@1" || off.get("ndc") == nil {
		t.Errorf("reply off the API %d %s, want the sandbox's own", off.status, off.raw)
	}
}

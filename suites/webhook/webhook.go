// Package webhook checks the platform's webhook notifications: every payment a spec
// makes reaches the merchant's webhook as {type, action, payload}, encrypted under the
// webhook's key, with a payload that agrees with the status lookup; a notification the
// receiver does not acknowledge is sent again.
package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive
	. "github.com/onsi/gomega"    //nolint:revive

	"github.com/oppwa-conformance/oppwa-conformance/config"
	"github.com/oppwa-conformance/oppwa-conformance/drivers/browser"
	"github.com/oppwa-conformance/oppwa-conformance/drivers/oppwa"
	"github.com/oppwa-conformance/oppwa-conformance/drivers/webhook"
	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	fw "github.com/oppwa-conformance/oppwa-conformance/suites/framework"
)

// embeddedWait bounds a wait on the embedded sandbox, which delivers within milliseconds.
const embeddedWait = 15 * time.Second

var _ = Describe("Webhook notifications", Label("webhook"), func() {
	fw.Conformance(fw.Meta{ID: "S2S-WH-001", Flow: "webhook"}, "MUST notify a sync DB once as type PAYMENT (no action), encrypted with AES-256-GCM under the webhook key (hex body, IV and tag headers), the payload agreeing with the reply and the status lookup", oneReceiver(), syncDebitNotified)
	fw.Conformance(fw.Meta{ID: "S2S-WH-002", Flow: "webhook"}, "MUST notify a PA and its capture each under its own id, the capture as paymentType CP agreeing with its status lookup", oneReceiver(), captureNotified)
	fw.Conformance(fw.Meta{ID: "S2S-WH-003", Flow: "webhook"}, "MUST notify an async payment in its final state after the shopper approves, agreeing with the status lookup", Label("async", "browser"), oneReceiver(), asyncNotified)
	fw.Conformance(fw.Meta{ID: "S2S-WH-004", Flow: "webhook"}, "MUST send a notification again when the webhook answered 500, with the same payload", oneReceiver(), retriedAfterRefusal)
	fw.Conformance(fw.Meta{ID: "S2S-WH-005", Flow: "webhook"}, "MUST notify a standalone tokenisation as type REGISTRATION, action CREATED, and its deletion as action DELETED, each payload naming the token", Label("registration"), oneReceiver(), registrationNotified)
})

// oneReceiver returns a spec's extra decorators: on a real target one receiver listens at
// OPPWA_WEBHOOK_ADDR, so the specs run serially, in the one process that binds it (the
// embedded sandbox notifies each process's own receiver). It must be called while
// Ginkgo builds the tree, inside the container: the configuration is read only then,
// and at package init every target would look embedded.
func oneReceiver() []any {
	if fw.Config().Embedded() {
		return nil
	}
	return []any{Serial}
}

// hooks is the process's webhook receiver as one spec sees it: a delivery that could
// not be read ends the spec's waits only if it arrived after the spec began.
type hooks struct {
	*webhook.Receiver
	since time.Time
}

// await waits for n readable deliveries match accepts (see webhook.AwaitSince) and
// returns them; it fails the spec when they do not come within waitBound, what naming
// them ("notification for payment X"). A notification that cannot be read fails it as a
// contract failure; a closed receiver as an environment failure.
func (h hooks) await(ctx context.Context, what string, match func(webhook.Delivery) bool, n int) []webhook.Delivery {
	GinkgoHelper()
	bound := waitBound()
	wctx, cancel := context.WithTimeout(ctx, bound)
	defer cancel()
	ds, err := h.AwaitSince(wctx, h.since, match, n)
	switch {
	case err == nil:
		return ds
	case errors.Is(err, webhook.ErrClosed):
		fw.FailEnvironment("waiting for the " + what + ": the suite's webhook receiver was closed")
	case wctx.Err() != nil && ctx.Err() == nil:
		h.ranOut(what, bound)
	}
	Expect(err).NotTo(HaveOccurred(), "waiting for the %s", what)
	return nil
}

// waitBound is how long a wait may last: on the embedded sandbox embeddedWait; on a
// real target, whose platform documents delays of up to 15 minutes in rare cases, until
// four fifths of the spec's timeout have passed, so that the wait runs out with its own
// message before Ginkgo's timeout and leaves time for the lookups that follow it.
func waitBound() time.Duration {
	t := fw.Config().SpecTimeout
	bound := time.Until(CurrentSpecReport().StartTime.Add(t - t/5))
	if fw.Config().Embedded() {
		bound = min(bound, embeddedWait)
	}
	return max(bound, 0)
}

// ranOut fails the spec whose wait for what ran out after bound. On the embedded
// sandbox the suite owns the whole loopback delivery path, so a missing notification is
// the simulator's (and make mutation relies on its defects failing as contract
// failures). On a real target the suite cannot tell a platform that did not notify
// from a webhook URL that does not forward to the receiver, or a slow platform: an
// environment failure, saying which it looks like.
func (h hooks) ranOut(what string, bound time.Duration) {
	GinkgoHelper()
	msg := fmt.Sprintf("no %s arrived within %s", what, bound.Round(time.Second))
	if fw.Config().Embedded() {
		fw.FailHandler(msg + " (the embedded sandbox delivers within milliseconds)")
	}
	var hint string
	switch strays := h.Strays(); {
	case len(strays) > 0:
		hint = fmt.Sprintf("requests reached OPPWA_WEBHOOK_ADDR at %s, but the receiver takes notifications at %s only: make OPPWA_WEBHOOK_URL forward to one of those paths",
			strings.Join(strays, ", "), strings.Join(h.Paths(), " and "))
	case h.Received() == 0:
		hint = "no notification reached the receiver in this run: check that OPPWA_WEBHOOK_URL forwards to OPPWA_WEBHOOK_ADDR (" + fw.Config().WebhookAddr + ") and that the webhook is active"
	default:
		hint = "other notifications arrived, so OPPWA_WEBHOOK_URL forwards: the platform may be slow (it documents delays of up to 15 minutes); raise OPPWA_SPEC_TIMEOUT"
	}
	fw.FailEnvironment(msg + ": " + hint)
}

// receiver returns the process's webhook receiver, or skips the spec when the target
// has no webhook configured.
func receiver(ctx context.Context, s *fw.Spec) hooks {
	GinkgoHelper()
	if !fw.Config().Webhooks() {
		fw.SkipNotDeclared("webhook", "OPPWA_WEBHOOK_URL and OPPWA_WEBHOOK_KEY are not set: configure a webhook whose URL forwards to OPPWA_WEBHOOK_ADDR and give both")
	}
	since := time.Now()
	r, err := fw.Shared().Webhooks(ctx)
	s.NoError(err, "webhook receiver")
	return hooks{r, since}
}

// awaitFinal waits for the notification of payment id in a final (not pending) state
// and returns every notification of id so far. A pending notification before it is
// allowed: the platform notifies when a payment is created or updated.
func awaitFinal(ctx context.Context, s *fw.Spec, r hooks, id string) []webhook.Delivery {
	GinkgoHelper()
	final := func(d webhook.Delivery) bool {
		return d.Payment.ID == id && fixtures.Load().OutcomeOf(d.Payment.Result.Code) != fixtures.Pending
	}
	r.await(ctx, "notification in a final state for payment "+id, final, 1)
	return r.Deliveries(id)
}

// expectNotified checks the last notification of a payment against its status lookup:
// envelope, id, result code, amount, currency and paymentType.
func expectNotified(ds []webhook.Delivery, st *oppwa.Response) {
	GinkgoHelper()
	n := ds[len(ds)-1]
	Expect(n.Notification.Type).To(Equal("PAYMENT"), "notification type")
	Expect(n.Notification.Action).To(BeEmpty(), "action is documented for REGISTRATION notifications only")
	p, want := n.Payment, st.Payment
	Expect(p.ID).To(Equal(want.ID), "payload id")
	Expect(p.Result.Code).To(Equal(want.Result.Code), "the payload's result.code must agree with the status lookup")
	Expect(p.Amount).To(Equal(want.Amount), "payload amount")
	Expect(p.Currency).To(Equal(want.Currency), "payload currency")
	Expect(p.PaymentType).To(Equal(want.PaymentType), "payload paymentType")
}

// once asserts, where the sandbox's exact behaviour is held, that a payment was
// delivered once: public sources do not promise that a platform never duplicates.
// The message lists the deliveries' statuses only: a payload holds customer data.
func once(ds []webhook.Delivery, what string) {
	GinkgoHelper()
	if fw.Graded() || len(ds) == 1 {
		return
	}
	statuses := make([]int, len(ds))
	for i, d := range ds {
		statuses[i] = d.Status
	}
	fw.FailHandler(fmt.Sprintf("%s was notified %d times (receiver answered %v), want once", what, len(ds), statuses))
}

// barrier makes one more payment and waits for its notification: the sandbox
// delivers in order, so a duplicate of any earlier notification has arrived by then.
func barrier(ctx context.Context, s *fw.Spec, r hooks) {
	GinkgoHelper()
	pa := s.CardPayment(ctx, "PA", fw.Amount, nil)
	awaitFinal(ctx, s, r, pa.Payment.ID)
}

func syncDebitNotified(ctx SpecContext) {
	s := fw.Begin(ctx)
	r := receiver(ctx, s)
	db := s.CardPayment(ctx, "DB", fw.Amount, nil)
	By("waiting for the DB's notification")
	ds := awaitFinal(ctx, s, r, db.Payment.ID)
	Expect(ds[len(ds)-1].Payment.Result.Code).To(Equal(db.Payment.Result.Code), "the payload must be the reply the merchant received")
	st := s.Call(s.Client.Status(ctx, db.Payment.ID))
	expectNotified(ds, st)
	if !fw.Graded() {
		barrier(ctx, s, r)
	}
	once(r.Deliveries(db.Payment.ID), "the DB")
}

func captureNotified(ctx SpecContext) {
	s := fw.Begin(ctx)
	r := receiver(ctx, s)
	cur := fw.CurrencyOf(fw.CardBrand())
	pa := s.CardPayment(ctx, "PA", fw.Amount, nil)
	paNotes := awaitFinal(ctx, s, r, pa.Payment.ID)
	By("capturing the PA")
	cp := s.Call(s.Client.Capture(ctx, pa.Payment.ID, fw.Amount, cur, nil))
	fw.ExpectOutcome(cp.Payment.Result.Code, fixtures.Success)
	cpNotes := awaitFinal(ctx, s, r, cp.Payment.ID)
	expectNotified(paNotes, s.Call(s.Client.Status(ctx, pa.Payment.ID)))
	expectNotified(cpNotes, s.Call(s.Client.Status(ctx, cp.Payment.ID)))
	// The capture's notification came after the PA's, so a duplicate of the PA's made
	// with it would be here by now (the sandbox delivers in order).
	once(r.Deliveries(pa.Payment.ID), "the PA")
	once(cpNotes, "the capture")
}

func asyncNotified(ctx SpecContext) {
	s := fw.Begin(ctx)
	r := receiver(ctx, s)
	b := fw.AsyncBrand()
	key, resultURL := s.ResultURL()
	params, _, err := fw.Payment(b, s.MerchantTransactionID(), resultURL)
	Expect(err).NotTo(HaveOccurred())
	params.Set("paymentType", "DB")
	p := s.Call(s.Client.Pay(ctx, params))
	fw.ExpectOutcome(p.Payment.Result.Code, fixtures.Pending)
	By("the shopper approves")
	ret, err := s.Shopper(key, fw.ExpectRedirect(p), browser.Approve)
	s.NoError(err, "shopper redirect")
	ds := awaitFinal(ctx, s, r, p.Payment.ID)
	st := s.Call(s.Client.StatusAt(ctx, ret.ResourcePath))
	fw.ExpectOutcome(st.Payment.Result.Code, fixtures.Success)
	expectNotified(ds, st)
}

func retriedAfterRefusal(ctx SpecContext) {
	s := fw.Begin(ctx)
	r := receiver(ctx, s)
	mtx := s.MerchantTransactionID()
	r.RefuseFirst(mtx)
	By("answering the first delivery with 500")
	pa := s.CardPayment(ctx, "PA", fw.Amount, url.Values{"merchantTransactionId": {mtx}})
	id := pa.Payment.ID
	r.await(ctx, "notification for payment "+id, func(d webhook.Delivery) bool { return d.Payment.ID == id }, 1)
	r.await(ctx, "retry of the notification for payment "+id+" answered with 500",
		func(d webhook.Delivery) bool { return d.Payment.ID == id && d.Status == 200 }, 1)
	ds := r.Deliveries(id)
	Expect(len(ds)).To(BeNumerically(">=", 2), "deliveries of payment %s", id)
	Expect(ds[0].Status).To(Equal(500), "the first delivery was the refused one")
	Expect(ds[len(ds)-1].Payment).To(Equal(ds[0].Payment), "the retry must carry the same payment")
}

// registrationEvent matches a REGISTRATION notification with action whose payload
// names token as its id or as the transaction it references (a deletion is a
// transaction of its own).
func registrationEvent(action, token string) func(webhook.Delivery) bool {
	return func(d webhook.Delivery) bool {
		var p struct{ ID, ReferencedID string }
		if d.Notification.Type != "REGISTRATION" || d.Notification.Action != action ||
			json.Unmarshal(d.Notification.Payload, &p) != nil {
			return false
		}
		return p.ID == token || p.ReferencedID == token
	}
}

func registrationNotified(ctx SpecContext) {
	s := fw.Begin(ctx)
	fw.Requires(config.Registration)
	r := receiver(ctx, s)
	p, _, err := fixtures.Load().RegistrationParams(fw.CardBrand())
	Expect(err).NotTo(HaveOccurred())
	reg := s.Call(s.Client.Register(ctx, p))
	fw.ExpectOutcome(reg.Payment.Result.Code, fixtures.Success)
	token := reg.Payment.ID
	// The token is not named: it stands for a stored card.
	r.await(ctx, "REGISTRATION CREATED notification naming the new token", registrationEvent("CREATED", token), 1)
	By("deleting the token")
	del := s.Call(s.Client.DeleteRegistration(ctx, token))
	fw.ExpectOutcome(del.Payment.Result.Code, fixtures.Success)
	r.await(ctx, "REGISTRATION DELETED notification naming the deleted token", registrationEvent("DELETED", token), 1)
}

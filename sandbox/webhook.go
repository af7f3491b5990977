package sandbox

import (
	"github.com/oppwa-conformance/oppwa-conformance/sandbox/hook"

	"github.com/oppwa-conformance/oppwa-conformance/drivers/webhook"
)

// Notification types and the actions of REGISTRATION notifications, as the platform's
// webhook documentation names them (the payload page: type PAYMENT, REGISTRATION,
// SCHEDULE or RISK; action only for REGISTRATION).
const (
	NotifyPayment      = "PAYMENT"
	NotifyRegistration = hook.KindRegistration
	ActionCreated      = "CREATED"
	ActionDeleted      = "DELETED"
)

// notify is the sandbox's one entry point for webhook notifications: kind is
// NotifyPayment or NotifyRegistration, action is one of the Action constants for a
// registration and empty for a payment (the documentation sends action only with
// REGISTRATION), and payload is the reply document as the merchant received it after
// the jsonReply hook (see finalJSON), before any wireReply edit (a twin's field sets). It seals and queues the notification and
// returns at once; without a configured webhook it does nothing. Registration events
// call it with NotifyRegistration and CREATED or DELETED.
func (s *Sandbox) notify(kind, action string, payload document) {
	if s.webhooks == nil {
		return
	}
	ev := webhookNotice{Kind: kind, Payload: payload, Copies: 1}
	fire(s, &ev)
	env := document{{Key: "type", Value: kind}}
	if action != "" {
		env = env.With("action", action)
	}
	plain, _ := env.With("payload", ev.Payload).MarshalJSON()
	for range ev.Copies {
		body, iv, tag, err := webhook.Encrypt(plain, s.webhooks.key)
		if err != nil {
			continue // the key was checked in New; only the system's randomness can fail here
		}
		sealed := webhookSealed{Body: body, IV: iv, Tag: tag}
		fire(s, &sealed)
		s.webhooks.push(&delivery{body: sealed.Body, iv: sealed.IV, tag: sealed.Tag})
	}
}

// notifyPayment notifies the reply document of a payment; the caller has it as sent.
func (s *Sandbox) notifyPayment(reply document) { s.notify(NotifyPayment, "", reply) }

// Close stops the sandbox's background work (webhook deliveries and their retries).
// Server.Close calls it; a Sandbox used as a bare http.Handler should call it when done.
func (s *Sandbox) Close() {
	if s.webhooks != nil {
		s.webhooks.close()
	}
}

package sandbox

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/drivers/webhook"
)

// notificationContentType is the Content-Type of a delivery: the header a published
// notification shows (Peach Payments' webhook integration article).
const notificationContentType = "application/json; charset=UTF-8"

// Delivery bounds: the documented platform retries on a schedule of minutes to days for
// up to 30 days; the simulator compresses it to a few quick attempts so a test run sees
// a retry without waiting.
const (
	defaultWebhookAttempts = 5
	defaultWebhookDelay    = 200 * time.Millisecond
	webhookTimeout         = 30 * time.Second // the documented answer time of a receiver
)

// notifier delivers notifications to Options.WebhookURL from one worker, in the order
// they were made (a retry goes to the back of the queue after its delay), never on the
// request's path: the API reply is never delayed by a receiver.
type notifier struct {
	url, key string
	attempts int
	delay    time.Duration
	client   *http.Client
	logf     func(string, ...any)

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu    sync.Mutex
	queue []*delivery
	wake  chan struct{} // buffered 1: the worker has something to do
}

// delivery is one sealed notification and how many attempts it has had.
type delivery struct {
	body, iv, tag string
	attempt       int
}

// notifierOptions are the Options a notifier is made of.
type notifierOptions struct {
	url, key string
	attempts int
	delay    time.Duration
	logf     func(string, ...any)
}

// newNotifier checks the webhook options and starts the worker; nil when no URL is set.
func newNotifier(o notifierOptions) (*notifier, error) {
	if o.url == "" {
		return nil, nil
	}
	u, err := url.Parse(o.url)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("sandbox: webhook URL %q is not an absolute http(s) URL", o.url)
	}
	if _, err := webhook.ParseKey(o.key); err != nil {
		return nil, fmt.Errorf("sandbox: webhook key: %w", err)
	}
	n := &notifier{url: o.url, key: o.key, attempts: o.attempts, delay: o.delay,
		client: &http.Client{Timeout: webhookTimeout}, logf: o.logf, wake: make(chan struct{}, 1)}
	if n.attempts <= 0 {
		n.attempts = defaultWebhookAttempts
	}
	if n.delay <= 0 {
		n.delay = defaultWebhookDelay
	}
	n.ctx, n.cancel = context.WithCancel(context.Background())
	n.wg.Add(1)
	go n.run()
	return n, nil
}

func (n *notifier) push(d *delivery) {
	n.mu.Lock()
	n.queue = append(n.queue, d)
	n.mu.Unlock()
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// run is the worker: deliver the queue's head, schedule a retry when the receiver did
// not answer 2xx, until Close.
func (n *notifier) run() {
	defer n.wg.Done()
	for {
		n.mu.Lock()
		var d *delivery
		if len(n.queue) > 0 {
			d, n.queue = n.queue[0], n.queue[1:]
		}
		n.mu.Unlock()
		if d == nil {
			select {
			case <-n.wake:
				continue
			case <-n.ctx.Done():
				return
			}
		}
		d.attempt++
		if err := n.post(d); err != nil && d.attempt < n.attempts && n.ctx.Err() == nil {
			n.retryLater(d, n.delay<<(d.attempt-1))
		}
	}
}

// retryLater queues d again after wait, unless the notifier is closed first.
func (n *notifier) retryLater(d *delivery, wait time.Duration) {
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
			n.push(d)
		case <-n.ctx.Done():
		}
	}()
}

// post makes one delivery attempt; an error means it must be retried.
func (n *notifier) post(d *delivery) error {
	req, err := http.NewRequestWithContext(n.ctx, http.MethodPost, n.url, bytes.NewBufferString(d.body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", notificationContentType)
	req.Header.Set(webhook.HeaderIV, d.iv)
	req.Header.Set(webhook.HeaderTag, d.tag)
	resp, err := n.client.Do(req)
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			err = fmt.Errorf("receiver answered %d", resp.StatusCode)
		}
	}
	if err != nil && n.logf != nil {
		n.logf("webhook delivery attempt %d failed: %v", d.attempt, err)
	}
	return err
}

// close stops the worker and every pending retry; undelivered notifications are dropped.
func (n *notifier) close() {
	n.cancel()
	n.wg.Wait()
}

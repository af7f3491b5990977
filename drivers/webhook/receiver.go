package webhook

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/drivers/loopback"
)

// Path is where the Receiver always takes notifications; Start may add others.
const Path = "/webhook"

// maxStrays bounds the stray paths remembered: a few show a misrouting, a scanner's
// hundreds would only grow memory.
const maxStrays = 10

// maxBody bounds a notification's body; payment replies are a few kilobytes.
const maxBody = 1 << 20

// ErrClosed is returned by Await when the receiver was closed.
var ErrClosed = loopback.ErrClosed

// Delivery is one POST the receiver took, decrypted when it could be.
type Delivery struct {
	At          time.Time
	ContentType string
	// Status is what the receiver answered: 200, or 500 for a refused first delivery.
	Status       int
	Notification Notification
	Payment      Payment // the payload read as a payment (zero unless type PAYMENT)
	// Err says why the delivery could not be read: bad hex, a key or tag that does not
	// authenticate, or a plaintext that is no notification.
	Err error
}

// Receiver is a merchant's webhook endpoint on a loopback address: it decrypts every
// notification with the key it was given and records it. It is safe for concurrent use.
type Receiver struct {
	srv   *loopback.Server
	key   string
	paths []string // where notifications are taken, Path first

	mu         sync.Mutex
	deliveries []Delivery
	refuse     map[string]bool // merchantTransactionIds whose first delivery answers 500
	strays     []string        // the paths of requests that came elsewhere, each once
}

// Start listens on addr (for example "127.0.0.1:0") and serves until Close; keyHex is
// the webhook's key, 64 hex characters. Notifications are taken at Path and at each of
// paths: the webhook's public URL's path, which a tunnel or reverse proxy forwards
// unchanged. A request to any other path is answered 404 and remembered (Strays), so
// that a wait that runs out can say where the notifications went. ctx only bounds the
// start.
func Start(ctx context.Context, addr, keyHex string, paths ...string) (*Receiver, error) {
	if _, err := ParseKey(keyHex); err != nil {
		return nil, fmt.Errorf("webhook: %w", err)
	}
	r := &Receiver{key: keyHex, refuse: map[string]bool{}, paths: []string{Path}}
	for _, p := range paths {
		if p == "" {
			p = "/" // a URL without a path is requested at the root
		}
		if !slices.Contains(r.paths, p) {
			r.paths = append(r.paths, p)
		}
	}
	srv, err := loopback.Start(ctx, addr, http.HandlerFunc(r.route))
	if err != nil {
		return nil, fmt.Errorf("webhook: %w", err)
	}
	r.srv = srv
	return r, nil
}

// URL is the loopback URL notifications are POSTed to.
func (r *Receiver) URL() string { return r.srv.BaseURL() + Path }

// Paths lists the paths notifications are taken at, Path first.
func (r *Receiver) Paths() []string { return slices.Clone(r.paths) }

// Strays lists the paths requests came to that are not Paths, each once, oldest first
// (the first maxStrays):
// a tunnel or proxy that forwards the webhook's URL to another path shows here.
func (r *Receiver) Strays() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.strays)
}

// Received counts every delivery at Paths so far, readable or not, refused or not.
func (r *Receiver) Received() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.deliveries)
}

// route takes a notification at one of Paths and remembers a request to any other.
// The paths are matched exactly: the platform POSTs to the URL configured, nothing below.
func (r *Receiver) route(w http.ResponseWriter, req *http.Request) {
	if slices.Contains(r.paths, req.URL.Path) {
		r.handle(w, req)
		return
	}
	r.mu.Lock()
	if len(r.strays) < maxStrays && !slices.Contains(r.strays, req.URL.Path) {
		r.strays = append(r.strays, req.URL.Path)
	}
	r.mu.Unlock()
	r.srv.Changed()
	http.Error(w, "no webhook here: notifications are taken at "+strings.Join(r.paths, ", "), http.StatusNotFound)
}

// RefuseFirst makes the receiver answer 500 to the first delivery whose payload
// carries merchantTransactionID, so that the platform's retry can be seen. Call it
// before the payment is made.
func (r *Receiver) RefuseFirst(merchantTransactionID string) {
	r.mu.Lock()
	r.refuse[merchantTransactionID] = true
	r.mu.Unlock()
}

func (r *Receiver) handle(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "notifications are POSTed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, maxBody))
	d := Delivery{At: time.Now(), ContentType: req.Header.Get("Content-Type"), Status: http.StatusOK}
	if err != nil {
		d.Err = fmt.Errorf("read body: %w", err)
	} else {
		d.Notification, _, d.Err = Open(string(body), req.Header.Get(HeaderIV), req.Header.Get(HeaderTag), r.key)
	}
	if d.Err == nil && d.Notification.Type == "PAYMENT" {
		d.Payment, d.Err = d.Notification.Payment()
	}
	r.mu.Lock()
	if mtx := d.Payment.MerchantTransactionID; mtx != "" && r.refuse[mtx] {
		delete(r.refuse, mtx)
		d.Status = http.StatusInternalServerError
	}
	r.deliveries = append(r.deliveries, d)
	r.mu.Unlock()
	r.srv.Changed()
	w.WriteHeader(d.Status)
}

// Deliveries lists every delivery of a PAYMENT notification for payment id, oldest first,
// refused ones included.
func (r *Receiver) Deliveries(id string) []Delivery {
	return r.Matching(func(d Delivery) bool { return d.Payment.ID == id })
}

// Matching lists every readable delivery match accepts, oldest first.
func (r *Receiver) Matching(match func(Delivery) bool) []Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Delivery
	for _, d := range r.deliveries {
		if d.Err == nil && match(d) {
			out = append(out, d)
		}
	}
	return out
}

// Unreadable lists every delivery that could not be decrypted or read.
func (r *Receiver) Unreadable() []Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Delivery
	for _, d := range r.deliveries {
		if d.Err != nil {
			out = append(out, d)
		}
	}
	return out
}

// Await blocks until n deliveries for payment id arrived and returns them (see AwaitFunc).
func (r *Receiver) Await(ctx context.Context, id string, n int) ([]Delivery, error) {
	ds, err := r.AwaitFunc(ctx, func(d Delivery) bool { return d.Payment.ID == id }, n)
	if err != nil && ctx.Err() != nil {
		return ds, fmt.Errorf("webhook: %d of %d notifications for payment %s arrived: %w", len(ds), n, id, context.Cause(ctx))
	}
	return ds, err
}

// AwaitFunc blocks until n readable deliveries that match accepts arrived and returns
// them. It returns early with an error when a delivery could not be decrypted (the key
// or tag is wrong, which no later delivery would mend), and with ctx's error (and the
// matching deliveries so far) or ErrClosed.
func (r *Receiver) AwaitFunc(ctx context.Context, match func(Delivery) bool, n int) ([]Delivery, error) {
	return r.AwaitSince(ctx, time.Time{}, match, n)
}

// AwaitSince is AwaitFunc for a wait that began at since: only a delivery that could
// not be read and arrived at or after since ends it early. An older one (a retry sent
// under a key since rotated, another sender's traffic) belongs to another wait.
func (r *Receiver) AwaitSince(ctx context.Context, since time.Time, match func(Delivery) bool, n int) ([]Delivery, error) {
	for {
		next, err := r.srv.Next()
		if err != nil {
			return nil, err
		}
		for _, bad := range r.Unreadable() {
			if !bad.At.Before(since) {
				return nil, fmt.Errorf("webhook: a notification could not be read: %w", bad.Err)
			}
		}
		if got := r.Matching(match); len(got) >= n {
			return got, nil
		}
		select {
		case <-next:
		case <-ctx.Done():
			return r.Matching(match), fmt.Errorf("webhook: %w", context.Cause(ctx))
		}
	}
}

// Close stops the server (gracefully within ctx, at most 1s, then hard) and wakes
// every Await. Safe to call more than once.
func (r *Receiver) Close(ctx context.Context) error {
	if err := r.srv.Close(ctx); err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	return nil
}

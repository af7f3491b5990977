package webhook

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

const testKey = "000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f"

// The decryption example of the platform's webhook documentation
// (hyperpay.docs.oppwa.com/tutorials/webhooks/decryption-example): its key, IV, tag
// and body must authenticate, which pins the hex encoding, the 12-byte IV and the tag
// appended to the ciphertext.
func TestDecryptDocumentedExample(t *testing.T) {
	plain, err := Decrypt("0A3471C72D9BE49A8520F79C66BBD9A12FF9", "000000000000000000000000", "CE573FB7A41AB78E743180DC83FF09BD", testKey)
	if err != nil {
		t.Fatalf("documented example: %v", err)
	}
	if len(plain) != 18 {
		t.Fatalf("plaintext has %d bytes, want 18", len(plain))
	}
}

func TestRoundTripAndWrappedBody(t *testing.T) {
	body, iv, tag, err := Encrypt([]byte(`{"type":"PAYMENT","payload":{"id":"x"}}`), testKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []string{body, strings.ToLower(body), `{"encryptedBody":"` + body + `"}`} {
		n, _, err := Open(b, iv, tag, testKey)
		if err != nil || n.Type != "PAYMENT" {
			t.Fatalf("Open(%.20q): %+v, %v", b, n, err)
		}
	}
}

func TestDecryptErrorsNameTheValue(t *testing.T) {
	body, iv, tag, _ := Encrypt([]byte("{}"), testKey)
	otherKey := strings.Repeat("ab", 32)
	flipped := corruptTag(tag)
	for _, c := range []struct {
		name, body, iv, tag, key, want string
	}{
		{"wrong key", body, iv, tag, otherKey, "authentication failed: wrong key or tag"},
		{"wrong tag", body, iv, flipped, testKey, "authentication failed: wrong key or tag"},
		{"short key", body, iv, tag, "abcd", "key must be 64 hex"},
		{"body not hex", "zz", iv, tag, testKey, "body is not hex"},
		{"iv not hex", body, "xyz", tag, testKey, "X-Initialization-Vector) is not hex"},
		{"tag not hex", body, iv, "q", testKey, "X-Authentication-Tag) is not hex"},
		{"tag short", body, iv, "abcd", testKey, "must be 32 hex characters"},
	} {
		_, err := Decrypt(c.body, c.iv, c.tag, c.key)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := Decrypt(body, iv, tag, otherKey); !errors.Is(err, ErrAuthentication) {
		t.Errorf("wrong key: %v is not ErrAuthentication", err)
	}
}

// corruptTag is tag with its first byte changed, so that it fails
// authentication: set to 00, or to 11 when it already was 00 (a tag that kept
// 00 stayed valid, about one run in 256).
func corruptTag(tag string) string {
	if tag[:2] == "00" {
		return "11" + tag[2:]
	}
	return "00" + tag[2:]
}

func post(t *testing.T, url, body, iv, tag string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewBufferString(body))
	req.Header.Set(HeaderIV, iv)
	req.Header.Set(HeaderTag, tag)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestReceiverRecordsRefusesAndAwaits(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := Start(ctx, "127.0.0.1:0", testKey)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(context.Background())
	r.RefuseFirst("m-1")
	body, iv, tag, _ := Encrypt([]byte(`{"type":"PAYMENT","payload":{"id":"p1","merchantTransactionId":"m-1","result":{"code":"000.100.110"}}}`), testKey)
	if got := post(t, r.URL(), body, iv, tag); got != http.StatusInternalServerError {
		t.Fatalf("first delivery answered %d, want 500", got)
	}
	if got := post(t, r.URL(), body, iv, tag); got != http.StatusOK {
		t.Fatalf("second delivery answered %d, want 200", got)
	}
	ds, err := r.Await(ctx, "p1", 2)
	if err != nil || len(ds) != 2 || ds[1].Payment.Result.Code != "000.100.110" {
		t.Fatalf("Await: %+v, %v", ds, err)
	}
	post(t, r.URL(), body, iv, corruptTag(tag))
	if _, err := r.Await(ctx, "p2", 1); err == nil || !strings.Contains(err.Error(), "wrong key or tag") {
		t.Fatalf("Await after an unreadable delivery: %v", err)
	}
}

func TestStartRefusesABadKey(t *testing.T) {
	if _, err := Start(context.Background(), "127.0.0.1:0", "nothex"); err == nil {
		t.Fatal("Start accepted a malformed key")
	}
}

// A delivery that could not be read ends only the waits that began before it
// arrived: an older one (a key since rotated) belongs to another wait.
func TestAwaitSinceIgnoresOlderUnreadable(t *testing.T) {
	r, err := Start(t.Context(), "127.0.0.1:0", testKey)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(context.Background())
	post := func(payload string, key string) {
		body, iv, tag, _ := Encrypt([]byte(payload), key)
		req, _ := http.NewRequest(http.MethodPost, r.URL(), strings.NewReader(body))
		req.Header.Set(HeaderIV, iv)
		req.Header.Set(HeaderTag, tag)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	post(`{"type":"PAYMENT","payload":{"id":"old"}}`, strings.Repeat("ab", 32)) // another key: unreadable
	since := time.Now()
	post(`{"type":"PAYMENT","payload":{"id":"p2","result":{"code":"000.100.110"}}}`, testKey)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	is := func(id string) func(Delivery) bool { return func(d Delivery) bool { return d.Payment.ID == id } }
	if _, err := r.AwaitSince(ctx, since, is("p2"), 1); err != nil {
		t.Fatalf("an older unreadable delivery ended a later wait: %v", err)
	}
	post(`{"type":"PAYMENT","payload":{"id":"new"}}`, strings.Repeat("cd", 32))
	if _, err := r.AwaitSince(ctx, since, is("p3"), 1); err == nil || !strings.Contains(err.Error(), "could not be read") {
		t.Fatalf("an unreadable delivery after since did not end the wait: %v", err)
	}
}

// The receiver takes notifications at Path and at the paths it was given (the public
// URL's, forwarded unchanged), and remembers where any other request went.
func TestReceiverTakesTheConfiguredPathAndNamesStrays(t *testing.T) {
	r, err := Start(t.Context(), "127.0.0.1:0", testKey, "/hooks/oppwa", Path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(context.Background())
	if got := r.Paths(); strings.Join(got, " ") != "/webhook /hooks/oppwa" {
		t.Fatalf("Paths %v, want /webhook and /hooks/oppwa once each", got)
	}
	base := strings.TrimSuffix(r.URL(), Path)
	body, iv, tag, _ := Encrypt([]byte(`{"type":"PAYMENT","payload":{"id":"p1","result":{"code":"000.100.110"}}}`), testKey)
	for _, p := range []string{"/hooks/oppwa", Path} {
		if got := post(t, base+p, body, iv, tag); got != http.StatusOK {
			t.Errorf("POST %s answered %d, want 200", p, got)
		}
	}
	for _, p := range []string{"/elsewhere", "/hooks/oppwa/", "/elsewhere"} {
		if got := post(t, base+p, body, iv, tag); got != http.StatusNotFound {
			t.Errorf("POST %s answered %d, want 404", p, got)
		}
	}
	if n := r.Received(); n != 2 {
		t.Errorf("Received %d, want 2", n)
	}
	if got := r.Strays(); strings.Join(got, " ") != "/elsewhere /hooks/oppwa/" {
		t.Errorf("Strays %v, want /elsewhere and /hooks/oppwa/ once each", got)
	}
	root, err := Start(t.Context(), "127.0.0.1:0", testKey, "")
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close(context.Background())
	if got := post(t, strings.TrimSuffix(root.URL(), Path)+"/", body, iv, tag); got != http.StatusOK {
		t.Errorf("a URL without a path: POST / answered %d, want 200", got)
	}
}

// Package webhook reads the platform's encrypted webhook notifications: it decrypts a
// notification (AES-256-GCM under the webhook's 64-hex-character key, the IV and the
// authentication tag in the X-Initialization-Vector and X-Authentication-Tag headers,
// the body hex-encoded) and parses its {type, action, payload} envelope. Receiver is a
// loopback endpoint that records the notifications a run receives.
package webhook

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// The headers that carry the IV and the authentication tag, both hex.
const (
	HeaderIV  = "X-Initialization-Vector"
	HeaderTag = "X-Authentication-Tag"
)

// ErrAuthentication is returned when the tag does not authenticate the body under the
// key: the key is not the webhook's, or body, IV or tag were altered.
var ErrAuthentication = errors.New("authentication failed: wrong key or tag")

// Notification is a decrypted notification's envelope. Action is set only for
// REGISTRATION notifications (CREATED, UPDATED, DELETED); Payload is the reply the
// merchant received for the payment or registration.
type Notification struct {
	Type    string          `json:"type"`
	Action  string          `json:"action,omitempty"`
	Payload json.RawMessage `json:"payload"`
}

// Payment is what a PAYMENT payload says about the transaction, enough to compare it
// with a status lookup.
type Payment struct {
	ID                    string `json:"id"`
	PaymentType           string `json:"paymentType"`
	PaymentBrand          string `json:"paymentBrand"`
	Amount                string `json:"amount"`
	Currency              string `json:"currency"`
	MerchantTransactionID string `json:"merchantTransactionId"`
	Result                struct {
		Code        string `json:"code"`
		Description string `json:"description"`
	} `json:"result"`
}

// Payment decodes the payload as a payment reply.
func (n Notification) Payment() (Payment, error) {
	var p Payment
	if err := json.Unmarshal(n.Payload, &p); err != nil {
		return p, fmt.Errorf("webhook: payload is not a payment reply: %w", err)
	}
	return p, nil
}

// ParseKey reads a webhook key: 64 hex characters (32 bytes), as the platform shows it.
func ParseKey(keyHex string) ([]byte, error) {
	key, err := hex.DecodeString(strings.TrimSpace(keyHex))
	if err != nil || len(key) != 32 {
		return nil, errors.New("the key must be 64 hex characters (AES-256), as the webhook's configuration shows it")
	}
	return key, nil
}

// Decrypt returns the plaintext of a notification: body, IV and tag as hex (as the
// body and headers carry them) and the webhook's key. A body wrapped as JSON
// {"encryptedBody": "<hex>"} is accepted too. Errors name the value at fault; a key or
// tag that does not authenticate the body gives ErrAuthentication.
func Decrypt(bodyHex, ivHex, tagHex, keyHex string) ([]byte, error) {
	key, err := ParseKey(keyHex)
	if err != nil {
		return nil, err
	}
	body, err := decodeHex("body", unwrap(bodyHex))
	if err != nil {
		return nil, err
	}
	iv, err := decodeHex("initialization vector ("+HeaderIV+")", ivHex)
	if err != nil {
		return nil, err
	}
	tag, err := decodeHex("authentication tag ("+HeaderTag+")", tagHex)
	if err != nil {
		return nil, err
	}
	if len(iv) == 0 {
		return nil, fmt.Errorf("the initialization vector (%s) is empty", HeaderIV)
	}
	if len(tag) != 16 {
		return nil, fmt.Errorf("the authentication tag (%s) must be 32 hex characters (16 bytes), got %d bytes", HeaderTag, len(tag))
	}
	gcm, err := newGCM(key, len(iv))
	if err != nil {
		return nil, err
	}
	// Go's GCM takes the tag appended to the ciphertext, as the platform's examples do.
	plain, err := gcm.Open(nil, iv, append(body, tag...), nil)
	if err != nil {
		return nil, ErrAuthentication
	}
	return plain, nil
}

// Open decrypts a notification and parses its envelope.
func Open(bodyHex, ivHex, tagHex, keyHex string) (Notification, []byte, error) {
	plain, err := Decrypt(bodyHex, ivHex, tagHex, keyHex)
	if err != nil {
		return Notification{}, nil, err
	}
	var n Notification
	if err := json.Unmarshal(plain, &n); err != nil {
		return n, plain, fmt.Errorf("the decrypted body is not a JSON notification: %w", err)
	}
	return n, plain, nil
}

// Encrypt seals plaintext under keyHex with a fresh 12-byte IV and returns body, IV
// and tag as upper-case hex, as the platform's examples show them. Tests and the
// sandbox use it to build notifications.
func Encrypt(plaintext []byte, keyHex string) (bodyHex, ivHex, tagHex string, err error) {
	key, err := ParseKey(keyHex)
	if err != nil {
		return "", "", "", err
	}
	iv := make([]byte, 12)
	if _, err := rand.Read(iv); err != nil {
		return "", "", "", fmt.Errorf("webhook: make IV: %w", err)
	}
	gcm, err := newGCM(key, len(iv))
	if err != nil {
		return "", "", "", err
	}
	sealed := gcm.Seal(nil, iv, plaintext, nil)
	n := len(sealed) - gcm.Overhead()
	up := func(b []byte) string { return strings.ToUpper(hex.EncodeToString(b)) }
	return up(sealed[:n]), up(iv), up(sealed[n:]), nil
}

func newGCM(key []byte, ivLen int) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("webhook: %w", err)
	}
	if ivLen == 12 {
		return cipher.NewGCM(block)
	}
	return cipher.NewGCMWithNonceSize(block, ivLen)
}

func decodeHex(what, s string) ([]byte, error) {
	b, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("the %s is not hex: %v", what, err)
	}
	return b, nil
}

// unwrap returns the hex of a JSON-wrapped body ({"encryptedBody": "<hex>"}), or the
// body itself.
func unwrap(body string) string {
	body = strings.TrimSpace(body)
	if !strings.HasPrefix(body, "{") {
		return body
	}
	var w struct {
		EncryptedBody string `json:"encryptedBody"`
	}
	if json.Unmarshal([]byte(body), &w) == nil && w.EncryptedBody != "" {
		return w.EncryptedBody
	}
	return body
}

package webhook_test

import (
	"fmt"

	"github.com/oppwa-conformance/oppwa-conformance/drivers/webhook"
)

// A merchant's endpoint got a notification: the body and the two headers are hex.
// Decrypting it with the webhook's key gives the {type, action, payload} envelope.
func ExampleOpen() {
	key := "000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f"
	body, iv, tag, _ := webhook.Encrypt([]byte(`{"type":"PAYMENT","payload":{"id":"8ac7a4a1","paymentType":"DB","result":{"code":"000.100.110"}}}`), key)

	n, _, err := webhook.Open(body, iv, tag, key)
	if err != nil {
		fmt.Println(err)
		return
	}
	p, _ := n.Payment()
	fmt.Println(n.Type, p.ID, p.PaymentType, p.Result.Code)

	_, err = webhook.Decrypt(body, iv, tag, "ff"+key[2:])
	fmt.Println(err)
	// Output:
	// PAYMENT 8ac7a4a1 DB 000.100.110
	// authentication failed: wrong key or tag
}

package sandbox

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
)

// The 3-D Secure 2 method call. A reply that sends the shopper to the ACS carries one
// redirect precondition: POST threeDSMethodData (base64 JSON of threeDSServerTransID
// and threeDSMethodNotificationURL, as on the real platform) to the method URL in a
// hidden iframe, wait for its onload, then follow the redirect. The sandbox records
// that the call arrived; a 3-D Secure payment whose method call never arrived ends
// in 100.380.401 (authentication failed) whatever the shopper does on the ACS page.

const (
	threedsMethodPath       = "/connectors/demo/threeds/method"
	threedsNotificationPath = "/connectors/demo/threeds/method/notification"
	methodTitle             = "3-D Secure method"
)

// methodData is what threeDSMethodData carries, base64-encoded.
type methodData struct {
	TransID         string `json:"threeDSServerTransID"`
	NotificationURL string `json:"threeDSMethodNotificationURL"`
}

// methodTransID is the threeDSServerTransID of payment id: its id written as a UUID.
func methodTransID(id string) string {
	return id[:8] + "-" + id[8:12] + "-" + id[12:16] + "-" + id[16:20] + "-" + id[20:]
}

// preconditions builds the redirect preconditions of a 3-D Secure payment: POST to
// methodURL threeDSMethodData naming notificationURL.
func preconditions(p *payment, methodURL, notificationURL string) []document {
	data, _ := json.Marshal(methodData{methodTransID(p.id), notificationURL})
	return []document{document{}.
		WithString("origin", "iframe#hidden").
		WithString("waitUntil", "iframe#onload").
		WithString("description", "Hidden iframe post for 3D Secure 2.0 method call").
		WithString("method", http.MethodPost).
		WithString("url", methodURL).
		With("parameters", []document{{{Key: "name", Value: "threeDSMethodData"}, {Key: "value", Value: base64.StdEncoding.EncodeToString(data)}}})}
}

// methodPaymentID reads the payment id out of a threeDSMethodData value.
func methodPaymentID(v string) (string, bool) {
	d, ok := decodeMethodData(v)
	id := strings.ReplaceAll(d.TransID, "-", "")
	return id, ok && validEntity(id)
}

// decodeMethodData decodes a threeDSMethodData value, in any base64 alphabet.
func decodeMethodData(v string) (methodData, bool) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		b, err := enc.DecodeString(v)
		if err != nil {
			continue
		}
		var d methodData
		return d, json.Unmarshal(b, &d) == nil
	}
	return methodData{}, false
}

// serveMethod answers the method URL (and the notification URL its data names): it
// records that the method call of the payment threeDSMethodData names arrived.
func (s *Sandbox) serveMethod(c *call) {
	w, r := c.w, c.r
	id, ok := methodPaymentID(r.PostForm.Get("threeDSMethodData"))
	s.store.update(func(tx *txn) {
		p := tx.byID[id]
		ok = ok && p != nil && (p.flow == flowChallenge || p.flow == flowFrictionless) && !p.done
		if ok {
			p.methodCalled = true
		}
	})
	if !ok {
		s.errorPage(w, http.StatusBadRequest, "3-D Secure method error", "threeDSMethodData does not name a payment waiting for 3-D Secure.")
		return
	}
	s.errorPage(w, http.StatusOK, methodTitle, "3-D Secure method data received.")
}

// serveMethodNotice answers the notification URL the method data names: the default
// pages record the call when the method URL is POSTed, so the notification only
// answers.
func (s *Sandbox) serveMethodNotice(c *call) {
	s.errorPage(c.w, http.StatusOK, methodTitle, "3-D Secure method notification received.")
}

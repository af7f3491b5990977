package pages

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
	MethodPath       = "/connectors/demo/threeds/method"
	NotificationPath = "/connectors/demo/threeds/method/notification"
	methodTitle      = "3-D Secure method"
)

// methodData is what threeDSMethodData carries, base64-encoded.
type methodData struct {
	TransID         string `json:"threeDSServerTransID"`
	NotificationURL string `json:"threeDSMethodNotificationURL"`
}

// MethodTransID is the threeDSServerTransID of payment id: its id written as a UUID.
func MethodTransID(id string) string {
	return id[:8] + "-" + id[8:12] + "-" + id[12:16] + "-" + id[16:20] + "-" + id[20:]
}

// preconditions builds the redirect preconditions of a 3-D Secure payment: POST to
// methodURL threeDSMethodData naming notificationURL.
func preconditions(p Summary, methodURL, notificationURL string) []document {
	data, _ := json.Marshal(methodData{MethodTransID(p.ID), notificationURL})
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
	return id, ok && validID(id)
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

// ServeMethod answers the method URL (and the notification URL its data names): it
// records that the method call of the payment threeDSMethodData names arrived.
func ServeMethod(c Core, q Request) {
	id, ok := methodPaymentID(q.R.PostForm.Get("threeDSMethodData"))
	c.Visit(id, func(p Payment) {
		ok = ok && waitsFor3DS(p)
		if ok {
			p.RecordMethodCall()
		}
	})
	if !ok {
		ErrorPage(q.W, http.StatusBadRequest, "3-D Secure method error", "threeDSMethodData does not name a payment waiting for 3-D Secure.")
		return
	}
	ErrorPage(q.W, http.StatusOK, methodTitle, "3-D Secure method data received.")
}

// ServeMethodNotice answers the notification URL the method data names: the default
// pages record the call when the method URL is POSTed, so the notification only
// answers.
func ServeMethodNotice(_ Core, q Request) {
	ErrorPage(q.W, http.StatusOK, methodTitle, "3-D Secure method notification received.")
}

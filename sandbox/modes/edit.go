package modes

import (
	"encoding/json"
	"slices"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	"github.com/oppwa-conformance/oppwa-conformance/sandbox/hook"
	"github.com/oppwa-conformance/oppwa-conformance/sandbox/wire"
)

// The edits the table's hooks share.

// cardErrorsOnBrand reports missing card number and expiry as one parameter error on
// paymentBrand, as activemerchant's recordings show.
func cardErrorsOnBrand(f *hook.InitialFormat) {
	if !f.Card {
		return
	}
	n := len(f.Errs)
	f.Errs = slices.DeleteFunc(f.Errs, func(e hook.ParamError) bool {
		return e.Message == hook.MsgEmpty && (e.Name == "card.number" || e.Name == "card.expiryMonth" || e.Name == "card.expiryYear")
	})
	if len(f.Errs) < n {
		f.Errs = append(f.Errs, hook.ParamError{Name: "paymentBrand", Message: hook.MsgCardProps})
	}
}

// returnWithoutID drops the payment's id from the shopper's return URL (a defect where
// the contract promises it, a variation where the documentation promises resourcePath
// only).
func returnWithoutID(r *hook.ShopperReturn) { r.Query.Del("id") }

// syncSuccess reports whether r is the initial reply of a successful payment that did
// not wait for the shopper.
func syncSuccess(r *hook.PaymentReply) bool {
	return r.View == hook.ViewInitial && !r.Payment.Async && r.Payment.Outcome == fixtures.Success
}

func isCaptureReply(r *hook.PaymentReply) bool {
	return r.View == hook.ViewBackoffice && r.Payment.Type == "CP"
}

// captureShowsAuthorisedAmount shows the captured PA's amount in a capture reply.
func captureShowsAuthorisedAmount(r *hook.PaymentReply) {
	if !isCaptureReply(r) || !r.Payment.HasRef {
		return
	}
	if a := r.Payment.RefAmount; a != "" {
		r.Doc = r.Doc.Set("amount", a)
	} else {
		r.Doc = r.Doc.Without("amount")
	}
}

// flipHex changes the first byte of a hex string (a tag that no longer authenticates).
func flipHex(h string) string {
	if len(h) < 2 {
		return "00"
	}
	if h[:2] == "00" {
		return "FF" + h[2:]
	}
	return "00" + h[2:]
}

// editString returns d with the string under key replaced by change(it).
func editString(d wire.Document, key string, change func(string) string) wire.Document {
	if v, ok := d.Get(key).(string); ok {
		return d.Set(key, change(v))
	}
	return d
}

func swap(v, from, to, other string) string {
	if v == from {
		return to
	}
	return other
}

// sandboxExtension is the unknown object tolerate-extra-fields adds; it is raw JSON so
// that no later change reaches inside it.
var sandboxExtension = json.RawMessage(`{"note":"unknown field a tolerant reader ignores","list":[1,2]}`)

func withUnknownFields(d wire.Document) wire.Document {
	out := append(wire.Document{{Key: "sandboxExtension", Value: sandboxExtension}}, d...)
	return out.With("x_sandbox_unknown", "ignore me")
}

func withExtraParameters(redirect wire.Document) wire.Document {
	ps, _ := redirect.Get("parameters").([]wire.Document)
	ps = append(slices.Clip(ps),
		wire.Document{{Key: "name", Value: "locale"}, {Key: "value", Value: "en"}},
		wire.Document{{Key: "name", Value: "sandboxTrace"}, {Key: "value", Value: newID()}})
	return redirect.Set("parameters", ps)
}

package modes

import "github.com/oppwa-conformance/oppwa-conformance/sandbox/hook"

// recordedBackoffice answers a capture, refund or reversal without referencedId, as the
// 2017 recordings (real-platform.md §4, activemerchant's CardProcess unit recordings;
// the same library's newer OPP recordings agree) show it. The other recorded shapes are
// the sandbox's defaults, as data in fixtures/shapes.json; where a newer source
// disagrees, as the HS connector (2020s) expecting referencedId on captures does, the
// default follows the newer one and this mode answers as the recordings do.
func recordedBackoffice(r *hook.PaymentReply) {
	if r.View == hook.ViewBackoffice {
		r.Doc = r.Doc.Without("referencedId")
	}
}

package sandbox

import "strings"

// VaryRecordedBackoffice names the variation mode for the one recorded reply shape the
// sandbox does not answer by default. The shapes recorded on the real platform
// (real-platform.md §4, activemerchant's CardProcess unit recordings of 2017-11-28) are
// the defaults, as data in fixtures/shapes.json; where a newer source disagrees, the
// default follows the newer one and this mode answers as the recordings do (graded
// runs must pass under it).
const VaryRecordedBackoffice = "vary-recorded-backoffice"

// recordedBackoffice answers a capture, refund or reversal without referencedId, as the
// 2017 recordings (and the same library's newer OPP recordings) show it. The sandbox's
// default keeps it: the HS connector (2020s) expects referencedId on captures.
func recordedBackoffice(_ *Sandbox, r *paymentReply) {
	if r.view == viewBackoffice {
		r.doc = r.doc.without("referencedId")
	}
}

// unknownReference reports whether backoffice operation p names no payment of its
// entity: its refusal takes the shape recorded for the capture of an unknown id
// (refused-unknown). The caller holds s.store.mu.
func (s *Sandbox) unknownReference(p *payment) bool {
	return s.store.get(p.referencedID, p.entity, false) == nil
}

// backofficeDescriptor is the descriptor of a capture, refund or reversal: recorded
// without the trailing space an initial payment's carries.
func backofficeDescriptor(d string) string { return strings.TrimRight(d, " ") }

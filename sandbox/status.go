package sandbox

import (
	"net/http"
	"strconv"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
)

// statusWindow and statusPerWindow are the documented limit on GET /v1/payments/{id}:
// two lookups per minute per transaction. /v1/query is not limited.
const (
	statusWindow    = time.Minute
	statusPerWindow = 2
)

// lookup handles GET /v1/payments/{id} (limited) and GET /v1/query/{id} (not).
func (s *Sandbox) lookup(w http.ResponseWriter, entity, id string, limited bool) {
	var body document
	var wait time.Duration
	s.store.update(func(tx *txn) {
		p, _ := s.findPayment(tx, id, entity)
		if p == nil {
			return
		}
		if limited && !s.opts.NoStatusRateLimit {
			if wait = s.throttle(tx, p); wait > 0 {
				return
			}
		}
		s.expire(tx, p)
		pick := lookupReply{}
		fire(s, &pick)
		if o := tx.other(p); pick.ShowOther && o != nil {
			p = o
		}
		body, _ = s.renderPayment(tx, p, viewStatus, nil)
	})
	switch {
	case wait > 0:
		w.Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
		s.writeJSON(w, http.StatusTooManyRequests, s.errorBody(entity, codeThrottled, nil))
	case body == nil:
		s.writeJSON(w, http.StatusNotFound, s.errorBody(entity, codeNotFound, nil))
	default:
		// A lookup that found the payment succeeded: HTTP 200 whatever the payment's
		// result; the payment's outcome is in result.code.
		s.writeJSON(w, http.StatusOK, body)
	}
}

// findPayment looks up a payment id from the URL for entity, through the paymentLookup
// hook point. It returns the payment (nil when unknown or, normally, another entity's)
// and the id as looked up.
func (s *Sandbox) findPayment(tx *txn, id, entity string) (*payment, string) {
	l := paymentLookup{ID: id}
	fire(s, &l)
	return tx.get(l.ID, entity, l.AnyEntity), l.ID
}

// throttle records a status lookup of p and returns how long the caller must wait
// when it is over the limit.
func (s *Sandbox) throttle(tx *txn, p *payment) time.Duration {
	now := s.now()
	kept := p.lookups[:0]
	for _, t := range p.lookups {
		if now.Sub(t) < statusWindow {
			kept = append(kept, t)
		}
	}
	p.lookups = kept
	if len(kept) >= statusPerWindow {
		return statusWindow - now.Sub(kept[0])
	}
	p.lookups = append(p.lookups, now)
	return 0
}

// queryByMerchantID handles GET /v1/query?merchantTransactionId=: every transaction of
// the entity with that reference, oldest first.
func (s *Sandbox) queryByMerchantID(w http.ResponseWriter, entity string, p params) {
	mtx := p.get("merchantTransactionId")
	if mtx == "" {
		s.writeJSON(w, http.StatusBadRequest, s.errorBody(entity, codeParam,
			[]paramError{{Name: "merchantTransactionId", Message: msgEmpty}}))
		return
	}
	var list []document
	s.store.update(func(tx *txn) {
		for _, id := range tx.byMtx[mtxKey{entity, mtx}] {
			if p := tx.byID[id]; p != nil {
				s.expire(tx, p)
				item, _ := s.renderPayment(tx, p, viewStatus, nil)
				list = append(list, item.Without("buildNumber"))
			}
		}
	})
	if len(list) == 0 {
		s.writeJSON(w, http.StatusNotFound, s.errorBody(entity, codeNotFound, nil))
		return
	}
	s.writeJSON(w, http.StatusOK, s.listBody(fixtures.ReplyReport, entity, "payments", list))
}

// listBody is the envelope of a successful list request, in the shape of kind: result,
// trailer, then the list.
func (s *Sandbox) listBody(kind fixtures.ReplyKind, entity, key string, list []document) document {
	body := s.trailer(document{{Key: "result", Value: s.result(codeRequestOK, nil)}}, replyTime(s.now()), newNDC(entity))
	return s.shaped(kind, "", body.With(key, list))
}

// resultCodes handles GET /v1/resultcodes from the contract data. Like the platform's,
// it needs no authentication.
func (s *Sandbox) resultCodes(w http.ResponseWriter) {
	list := make([]document, 0, len(s.contract.ResultCodes))
	for _, rc := range s.contract.ResultCodes {
		list = append(list, s.result(rc.Code, nil))
	}
	s.writeJSON(w, http.StatusOK, s.listBody(fixtures.ReplyResultCodes, "", "resultCodes", list))
}

package sandbox

import (
	"net/http"
	"strconv"
	"time"
)

// statusWindow and statusPerWindow are the documented limit on GET /v1/payments/{id}:
// two lookups per minute per transaction. /v1/query is not limited.
const (
	statusWindow    = time.Minute
	statusPerWindow = 2
)

// lookup handles GET /v1/payments/{id} (limited) and GET /v1/query/{id} (not).
func (s *Sandbox) lookup(w http.ResponseWriter, entity, id string, limited bool) {
	var body obj
	var wait time.Duration
	buf := s.getObj()
	defer func() { s.putObj(buf, body) }()
	s.locked(func() {
		p := s.store.get(id, entity, s.defects.on(DefectCrossEntityReadable))
		if p == nil {
			return
		}
		if limited && !s.opts.NoStatusRateLimit {
			if wait = s.throttle(p); wait > 0 {
				return
			}
		}
		s.expire(p)
		shown := p
		if s.defects.on(DefectStatusOtherPayment) {
			if o := s.store.other(p); o != nil {
				shown = o
			}
		}
		body = s.renderPaymentInto(*buf, shown, viewStatus, nil)
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

// throttle records a status lookup of p and returns how long the caller must wait
// when it is over the limit; the caller holds s.store.mu.
func (s *Sandbox) throttle(p *payment) time.Duration {
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
			[]paramError{{"merchantTransactionId", "", msgEmpty}}))
		return
	}
	var list []obj
	s.locked(func() {
		for _, id := range s.store.byMtx[mtxKey{entity, mtx}] {
			if p := s.store.byID[id]; p != nil {
				s.expire(p)
				item := s.renderPayment(p, viewStatus, nil)
				list = append(list, withoutKey(item, "buildNumber"))
			}
		}
	})
	if len(list) == 0 {
		s.writeJSON(w, http.StatusNotFound, s.errorBody(entity, codeNotFound, nil))
		return
	}
	body := obj{kx("result", s.result(codeRequestOK, nil))}
	body = s.trailer(body, s.timestamp(s.now()), s.newNDC(entity))
	s.writeJSON(w, http.StatusOK, body.with("payments", list))
}

func withoutKey(o obj, k string) obj {
	out := o[:0:0]
	for _, f := range o {
		if f.k != k {
			out = append(out, f)
		}
	}
	return out
}

// resultCodes handles GET /v1/resultcodes from the contract data. Like the platform's,
// it needs no authentication.
func (s *Sandbox) resultCodes(w http.ResponseWriter) {
	list := make([]obj, 0, len(s.contract.ResultCodes))
	for _, rc := range s.contract.ResultCodes {
		list = append(list, obj{kv("code", rc.Code), kv("description", s.description(rc.Code))})
	}
	body := s.trailer(obj{kx("result", s.result(codeRequestOK, nil))}, s.timestamp(s.now()), s.newNDC(""))
	s.writeJSON(w, http.StatusOK, body.with("resultCodes", list))
}

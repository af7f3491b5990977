package sandbox

import (
	"maps"
	"sync"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/sandbox/pages"
)

// flowKind says which shopper page an async payment waits for (package pages).
type flowKind = pages.Flow

const (
	flowNone         = pages.None
	flowCheckout     = pages.Checkout     // brand demo checkout page (approve / cancel / fail)
	flowFrictionless = pages.Frictionless // 3-D Secure page that submits itself
	flowChallenge    = pages.Challenge    // 3-D Secure ACS challenge page
)

// cardView is what the sandbox keeps of a card: never the CVV. Replies show the bin,
// last four digits, holder and expiry; pan, the full number, is shown only under the
// pan-echoed defect and never logged.
type cardView struct {
	bin, last4, holder, month, year string
	pan                             string
}

// payment is one stored transaction: an initial payment (PA, DB, CD, PA.CP) or a
// backoffice operation (CP, RF, RV), accepted or rejected.
type payment struct {
	id, entity   string
	paymentType  string
	brand        string
	cents        int64 // amount in minor units; -1 when the request had none
	currency     string
	descriptor   string
	mtxID        string // merchantTransactionId
	invoiceID    string // merchantInvoiceId
	code         string // current result code
	forced       bool   // code is the request's customParameters[forceResultCode]
	referencedID string
	riskScore    string
	card         *cardView // nil without a card
	echo         document  // echoed request blocks (customer, billing, customParameters...)
	timestamp    string
	ndc          string
	created      time.Time

	// async state
	flow       flowKind
	flowResult string // the code a frictionless flow ends with
	session    string // sessionToken the shopper pages require
	resultURL  string // shopperResultUrl
	done       bool   // the shopper has acted; the pages refuse a second action
	viaFlow    bool   // the final result came from a shopper page
	// methodCalled: the 3-D Secure method call of the reply's precondition arrived
	// (package pages).
	methodCalled bool
	// shopper is what the realistic pages keep of the payment (package pages).
	shopper pages.State

	// tokenisation: tokenise is createRegistration=true, registrationID the token made
	// once the payment succeeded; siInitial says the payment set up a standing
	// instruction (mode INITIAL by the customer), so the token made is its initial.
	tokenise       bool
	registrationID string
	siInitial      bool

	// backoffice accounting, in minor units
	captured int64 // sum of successful CPs (on a PA)
	refunded int64 // sum of successful RFs (on a CP, DB or PA.CP)
	reversed bool

	lookups []time.Time // status lookups inside the rate-limit window
}

// registration is one stored token: the card (or account) it stands for, never the CVV.
type registration struct {
	id, entity string
	brand      string
	card       *cardView
	code       string   // the tokenisation's result; only a successful one pays
	echo       document // echoed request blocks (standingInstruction, customParameters)
	timestamp  string
	ndc        string
	// initial is the id of the customer-initiated transaction that set up a standing
	// instruction (mode INITIAL, source CIT) with this token; "" when none did.
	initial string
	deleted bool
}

// store keeps the payments and registration tokens. It owns its lock: the state is
// reached only inside update, whose function runs as one transaction, so an operation
// that reads and changes several things (a capture and its PA, a settlement and its
// notification, a token and the payment that made it) cannot interleave with another.
type store struct {
	mu sync.Mutex
	tx txn
}

// paymentStore is the store as the sandbox sees it.
type paymentStore interface {
	// update runs fn holding the lock, released even if fn panics: the panic guard in
	// ServeHTTP answers the request, and the sandbox must keep serving afterwards. tx
	// is valid only during fn.
	update(fn func(tx *txn))
	// counts returns what Stats shows of the store.
	counts() storeCounts
}

// storeCounts is what Stats shows of the store.
type storeCounts struct {
	payments, duplicates, evicted int
	byType                        map[string]int
}

func (s *store) update(fn func(tx *txn)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(&s.tx)
}

func (s *store) counts() storeCounts {
	s.mu.Lock()
	defer s.mu.Unlock()
	by := maps.Clone(s.tx.byType)
	for k, v := range by {
		if v == 0 {
			delete(by, k)
		}
	}
	return storeCounts{payments: len(s.tx.byID), duplicates: s.tx.dupMtx, evicted: s.tx.evict, byType: by}
}

// txn is the stored state, reached within one update: the payments, bounded (when
// full, the oldest is evicted so a long-running sandbox cannot grow without limit), and
// the registration tokens, bounded alike.
type txn struct {
	max    int
	byID   map[string]*payment
	order  []string // insertion order (a ring would save the copy; eviction is rare)
	head   int
	byMtx  map[mtxKey][]string // ids per entity and merchantTransactionId, oldest first
	dupMtx int
	evict  int
	byType map[string]int
	// regs are the registration tokens: regOrder holds their ids oldest first, and the
	// oldest is dropped when the store is full.
	regs     map[string]*registration
	regOrder []string
}

func newStore(max int) *store {
	return &store{tx: txn{
		max:    max,
		byID:   make(map[string]*payment, 1024),
		byMtx:  make(map[mtxKey][]string),
		byType: make(map[string]int),
		regs:   make(map[string]*registration),
	}}
}

// putRegistration stores a token.
func (s *txn) putRegistration(r *registration) {
	for len(s.regs) >= s.max && len(s.regOrder) > 0 {
		delete(s.regs, s.regOrder[0])
		s.regOrder = s.regOrder[1:]
	}
	s.regs[r.id] = r
	s.regOrder = append(s.regOrder, r.id)
}

// mtxKey indexes payments by merchant reference within an entity.
type mtxKey struct{ entity, mtx string }

// put stores p.
func (s *txn) put(p *payment) {
	for len(s.byID) >= s.max && s.head < len(s.order) {
		s.drop(s.order[s.head])
		s.order[s.head] = ""
		s.head++
		s.evict++
	}
	if s.head > len(s.order)/2 && s.head > 1024 {
		s.order = append([]string(nil), s.order[s.head:]...)
		s.head = 0
	}
	s.byID[p.id] = p
	s.order = append(s.order, p.id)
	s.byType[p.paymentType]++
	if p.mtxID != "" {
		k := mtxKey{p.entity, p.mtxID}
		if isInitial(p.paymentType) && len(s.byMtx[k]) > 0 {
			s.dupMtx++
		}
		s.byMtx[k] = append(s.byMtx[k], p.id)
	}
}

func (s *txn) drop(id string) {
	p, ok := s.byID[id]
	if !ok {
		return
	}
	delete(s.byID, id)
	s.byType[p.paymentType]--
	if p.mtxID != "" {
		k := mtxKey{p.entity, p.mtxID}
		ids := s.byMtx[k]
		for i, x := range ids {
			if x == id {
				if i == 0 {
					// Eviction drops the oldest, which is first: no copy.
					ids = ids[1:]
				} else {
					ids = append(ids[:i], ids[i+1:]...)
				}
				break
			}
		}
		if len(ids) == 0 {
			delete(s.byMtx, k)
		} else {
			s.byMtx[k] = ids
		}
	}
}

// get returns the payment if entity may see it (any entity's when anyEntity).
// Another entity's payment answers exactly like an unknown id.
func (s *txn) get(id, entity string, anyEntity bool) *payment {
	p := s.byID[id]
	if p == nil || (p.entity != entity && !anyEntity) {
		return nil
	}
	return p
}

// other returns the most recent payment of the entity that is not p (nil if none),
// for the modes that show "another payment".
func (s *txn) other(p *payment) *payment {
	for i := len(s.order) - 1; i >= s.head; i-- {
		q := s.byID[s.order[i]]
		if q != nil && q != p && q.entity == p.entity {
			return q
		}
	}
	return nil
}

func isInitial(t string) bool { return t == "PA" || t == "DB" || t == "CD" || t == "PA.CP" }

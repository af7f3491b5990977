package sandbox

import (
	mrand "math/rand/v2"
	"sync"
)

// alternatingFaults faults about 30% of calls but never the same path twice in a row,
// so a client that honours Retry-After with a single retry always gets through.
type alternatingFaults struct {
	mu   sync.Mutex
	last map[string]bool // paths whose previous call was faulted
}

func (a *alternatingFaults) fault(path string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.last[path] {
		delete(a.last, path)
		return false
	}
	if mrand.Float64() >= 0.3 {
		return false
	}
	if a.last == nil || len(a.last) > 10_000 {
		a.last = map[string]bool{}
	}
	a.last[path] = true
	return true
}

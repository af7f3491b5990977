package browser

import (
	"context"
	"sync"
)

// pool holds the browser's clean tabs. Opening a tab (a new browser context,
// window and renderer process) and resetting a used one happen in the
// background, so NewSession mostly returns at once. That is worth its code:
// BenchmarkFollow measured a flow's median 20-40 % shorter than with a new
// browser context per session (headless shell; more with the full browser).
// One pool per Browser; safe for concurrent use.
type pool struct {
	b       *Browser
	prewarm int

	mu      sync.Mutex
	free    []*tab        // clean tabs, ready for a session
	pending int           // openings and resets in flight that end in free
	settled chan struct{} // closed and replaced whenever one of them ends
	closed  bool
	wg      sync.WaitGroup
	stop    context.Context // cancelled by close: aborts openings in flight
	cancel  context.CancelFunc
}

func (p *pool) init(b *Browser, prewarm int) {
	p.b, p.prewarm = b, prewarm
	p.stop, p.cancel = context.WithCancel(context.Background())
	p.settled = make(chan struct{})
	p.mu.Lock()
	p.refillLocked()
	p.mu.Unlock()
}

// refillLocked starts openings until free plus pending reach prewarm.
func (p *pool) refillLocked() {
	for !p.closed && len(p.free)+p.pending < p.prewarm {
		p.pending++
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			t, err := p.b.openTab(p.stop)
			if err != nil {
				t = nil
			}
			p.settle(t)
		}()
	}
}

// settle ends one pending opening or reset: a clean tab goes to free (or is
// disposed of when the pool closed), nil only counts.
func (p *pool) settle(t *tab) {
	p.mu.Lock()
	p.pending--
	close(p.settled)
	p.settled = make(chan struct{})
	if t != nil && !p.closed {
		p.free = append(p.free, t)
		t = nil
	}
	p.mu.Unlock()
	if t != nil {
		_ = t.dispose()
	}
}

// take returns a clean tab, waiting for one in flight when none is free;
// (nil, nil) when none is coming (then the caller opens one itself).
func (p *pool) take(ctx context.Context) (*tab, error) {
	for {
		p.mu.Lock()
		if n := len(p.free); n > 0 {
			t := p.free[n-1]
			p.free = p.free[:n-1]
			p.refillLocked()
			p.mu.Unlock()
			return t, nil
		}
		waiting := p.pending > 0 && !p.closed
		settled := p.settled
		p.mu.Unlock()
		if !waiting {
			return nil, nil
		}
		select {
		case <-settled: // look again: it may have failed, or another caller took it
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
	}
}

// release takes back the tab of a closed session: it is reset in the
// background and becomes free again, or it is disposed of (and the pool
// refilled) when it cannot be reset.
func (p *pool) release(t *tab) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		_ = t.dispose()
		return
	}
	p.pending++
	p.wg.Add(1)
	p.mu.Unlock()
	go func() {
		defer p.wg.Done()
		if err := t.reset(p.b); err != nil {
			tracef("tab not reset, disposed of: %v", err)
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				_ = t.dispose()
			}()
			p.settle(nil)
			p.mu.Lock()
			p.refillLocked()
			p.mu.Unlock()
			return
		}
		p.settle(t)
	}()
}

// close stops the refills, aborts openings in flight, waits for all
// background work and disposes of the free tabs.
func (p *pool) close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.cancel()
	p.wg.Wait()
	p.mu.Lock()
	free := p.free
	p.free = nil
	p.mu.Unlock()
	for _, t := range free {
		_ = t.dispose()
	}
}

// Package ratelimit counts failed attempts (wrong PINs, wrong passwords)
// per key within a time window, so that guessing is slowed down per client
// address. It keeps its counters in memory: each server replica limits on
// its own, which bounds guessing per replica; per-case limits that must
// hold across replicas are kept in the database by the workflow.
package ratelimit

import (
	"sync"
	"time"
)

// Failures limits failed attempts per key: after Max failures within
// Window, Allowed reports false until the oldest counted failure is Window
// old.
type Failures struct {
	max    int
	window time.Duration
	now    func() time.Time

	mu      sync.Mutex
	entries map[string]*entry
	// cap bounds memory: when the map reaches it, expired entries are
	// dropped, and if none are, the whole map is reset (an attacker
	// flooding keys gains nothing per key).
	cap int
}

type entry struct {
	count int
	start time.Time
}

// NewFailures returns a limiter allowing max failures per key per window.
func NewFailures(max int, window time.Duration, now func() time.Time) *Failures {
	if now == nil {
		now = time.Now
	}
	return &Failures{max: max, window: window, now: now, entries: map[string]*entry{}, cap: 100_000}
}

// Allowed reports whether key may try again, and if not, how long to wait.
func (f *Failures) Allowed(key string) (bool, time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.entries[key]
	if !ok {
		return true, 0
	}
	elapsed := f.now().Sub(e.start)
	if elapsed >= f.window {
		delete(f.entries, key)
		return true, 0
	}
	if e.count >= f.max {
		return false, f.window - elapsed
	}
	return true, 0
}

// Fail records a failed attempt by key.
func (f *Failures) Fail(key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	e, ok := f.entries[key]
	if !ok || now.Sub(e.start) >= f.window {
		if len(f.entries) >= f.cap {
			f.evict(now)
		}
		f.entries[key] = &entry{count: 1, start: now}
		return
	}
	e.count++
}

// Succeed forgets key's failures.
func (f *Failures) Succeed(key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.entries, key)
}

func (f *Failures) evict(now time.Time) {
	for k, e := range f.entries {
		if now.Sub(e.start) >= f.window {
			delete(f.entries, k)
		}
	}
	if len(f.entries) >= f.cap {
		f.entries = map[string]*entry{}
	}
}

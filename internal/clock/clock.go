// Package clock provides a clock that moves only when told, for the demo
// loader (which replays a year of cases at their historical times) and for
// tests of deadlines. Production code takes a func() time.Time and gets
// time.Now.
package clock

import (
	"sync"
	"time"
)

// Manual is a clock that moves only when told. It is safe for concurrent
// use.
type Manual struct {
	mu sync.Mutex
	t  time.Time
}

// NewManual returns a clock showing t.
func NewManual(t time.Time) *Manual { return &Manual{t: t} }

// Now returns the clock's time.
func (c *Manual) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Manual) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// AdvanceTo moves the clock to t, never backwards.
func (c *Manual) AdvanceTo(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.t) {
		c.t = t
	}
}

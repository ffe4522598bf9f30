package ratelimit

import (
	"testing"
	"time"
)

func TestFailures(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := NewFailures(3, time.Minute, func() time.Time { return now })
	for i := 0; i < 3; i++ {
		if ok, _ := f.Allowed("a"); !ok {
			t.Fatalf("attempt %d refused", i)
		}
		f.Fail("a")
	}
	ok, wait := f.Allowed("a")
	if ok || wait != time.Minute {
		t.Fatalf("after 3 failures: allowed=%v wait=%v, want refused for 1m", ok, wait)
	}
	if ok, _ := f.Allowed("b"); !ok {
		t.Fatal("another key must not be limited")
	}
	now = now.Add(time.Minute)
	if ok, _ := f.Allowed("a"); !ok {
		t.Fatal("window passed: must be allowed again")
	}
	f.Fail("a")
	f.Succeed("a")
	if ok, _ := f.Allowed("a"); !ok {
		t.Fatal("success must reset")
	}
}

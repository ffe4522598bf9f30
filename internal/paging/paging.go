// Package paging holds the one rule every list of the API shares: how
// large a page may be.
package paging

import "github.com/xinfang/xinfang/internal/apperr"

// MaxSize bounds one page of any list.
const MaxSize = 100

// Check refuses a first or last argument outside 0..MaxSize with a
// VALIDATION error naming the argument.
func Check(first, last *int) error {
	for name, n := range map[string]*int{"first": first, "last": last} {
		if n != nil && (*n < 0 || *n > MaxSize) {
			return apperr.Field(name, "input.page_size").With("max", MaxSize)
		}
	}
	return nil
}

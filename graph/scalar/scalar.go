// Package scalar holds the GraphQL scalars whose decoding errors must reach
// clients as typed VALIDATION errors rather than as gqlgen's plain errors.
package scalar

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/99designs/gqlgen/graphql"

	"github.com/xinfang/xinfang/internal/apperr"
)

// MarshalIntID writes an ID as a GraphQL ID string.
func MarshalIntID(id int) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(strconv.Itoa(id)))
	})
}

// UnmarshalIntID reads a GraphQL ID (a string or number of digits).
func UnmarshalIntID(v any) (int, error) {
	var s string
	switch v := v.(type) {
	case string:
		s = v
	case json.Number:
		s = v.String()
	case int:
		return v, nil
	case int64:
		return int(v), nil
	default:
		s = fmt.Sprint(v)
	}
	id, err := strconv.Atoi(s)
	if err != nil || id <= 0 {
		return 0, apperr.New(apperr.Validation, "input.bad_id").With("field", "id").Extend("value", s)
	}
	return id, nil
}

// Package schematype holds the Go types stored in JSON columns of the ent
// schema, so that both ent and gqlgen bind to one definition.
package schematype

import (
	"fmt"
	"io"
	"strconv"
)

// CaseStatus is where a case is in its life. It is shared by the case and
// its events (status before and after each event), so it lives here rather
// than in a generated package.
type CaseStatus string

// The case statuses; see DESIGN.md "The case and its life".
const (
	StatusSubmitted          CaseStatus = "SUBMITTED"
	StatusAccepted           CaseStatus = "ACCEPTED"
	StatusNotAccepted        CaseStatus = "NOT_ACCEPTED"
	StatusAssigned           CaseStatus = "ASSIGNED"
	StatusInProgress         CaseStatus = "IN_PROGRESS"
	StatusAwaitingPetitioner CaseStatus = "AWAITING_PETITIONER"
	StatusResponded          CaseStatus = "RESPONDED"
	StatusClosed             CaseStatus = "CLOSED"
	StatusMerged             CaseStatus = "MERGED"
)

// Values lists every status, in lifecycle order, for ent's enum column.
func (CaseStatus) Values() []string {
	return []string{
		string(StatusSubmitted), string(StatusAccepted), string(StatusNotAccepted),
		string(StatusAssigned), string(StatusInProgress), string(StatusAwaitingPetitioner),
		string(StatusResponded), string(StatusClosed), string(StatusMerged),
	}
}

// String returns the status name.
func (s CaseStatus) String() string { return string(s) }

// MarshalGQL writes the status as a GraphQL enum value.
func (s CaseStatus) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, strconv.Quote(string(s)))
}

// UnmarshalGQL reads a GraphQL enum value.
func (s *CaseStatus) UnmarshalGQL(v any) error {
	str, ok := v.(string)
	if !ok {
		return fmt.Errorf("case status must be a string, got %T", v)
	}
	for _, known := range s.Values() {
		if known == str {
			*s = CaseStatus(str)
			return nil
		}
	}
	return fmt.Errorf("%q is not a case status", str)
}

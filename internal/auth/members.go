package auth

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/xinfang/xinfang/ent"
	"github.com/xinfang/xinfang/internal/apperr"
	"github.com/xinfang/xinfang/policy"
)

// A token names a staff member; what the member may do comes from their
// current record, so that deactivating a member or changing their role or
// department takes effect within memberCacheTTL rather than when their
// token expires. Records are cached briefly because every request needs
// one.
const (
	memberCacheTTL  = 30 * time.Second
	memberCacheSize = 10_000
)

type cachedMember struct {
	subject policy.Subject
	active  bool
	until   time.Time
}

type memberCache struct {
	mu      sync.Mutex
	entries map[int]cachedMember
}

// Authenticate verifies a token and returns the member it names as they
// are now. A deactivated or deleted member is UNAUTHENTICATED.
func (a *Service) Authenticate(ctx context.Context, token string) (policy.Subject, error) {
	claimed, err := a.Verify(token)
	if err != nil {
		return policy.Subject{}, err
	}
	now := a.now()
	a.members.mu.Lock()
	m, ok := a.members.entries[claimed.StaffID]
	a.members.mu.Unlock()
	if !ok || now.After(m.until) {
		member, err := a.client.Staff.Get(ctx, claimed.StaffID)
		switch {
		case ent.IsNotFound(err):
			m = cachedMember{active: false}
		case err != nil:
			return policy.Subject{}, fmt.Errorf("load staff %d: %w", claimed.StaffID, err)
		default:
			m = cachedMember{subject: subjectOf(member), active: member.Active}
		}
		m.until = now.Add(memberCacheTTL)
		a.members.mu.Lock()
		if len(a.members.entries) >= memberCacheSize {
			a.members.entries = map[int]cachedMember{}
		}
		a.members.entries[claimed.StaffID] = m
		a.members.mu.Unlock()
	}
	if !m.active {
		return policy.Subject{}, apperr.New(apperr.Unauthenticated, "auth.token_invalid")
	}
	return m.subject, nil
}

func subjectOf(member *ent.Staff) policy.Subject {
	s := policy.Subject{Kind: policy.StaffMember, StaffID: member.ID, Role: policy.Role(member.Role)}
	if member.DepartmentID != nil {
		s.DepartmentID = *member.DepartmentID
	}
	return s
}

package auth

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xinfang/xinfang/ent"
	"github.com/xinfang/xinfang/ent/staff"
	"github.com/xinfang/xinfang/internal/apperr"
	"github.com/xinfang/xinfang/policy"
)

func TestTokens(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	a, err := New(nil, []byte(strings.Repeat("k", 32)), time.Hour, clock)
	require.NoError(t, err)
	dept := 5
	member := &ent.Staff{ID: 9, Role: staff.RoleDEPT_HEAD, DepartmentID: &dept}
	token, err := a.Issue(member)
	require.NoError(t, err)

	subject, err := a.Verify(token)
	require.NoError(t, err)
	require.Equal(t, policy.Subject{Kind: policy.StaffMember, StaffID: 9, Role: policy.RoleDeptHead, DepartmentID: 5}, subject)

	// Tampered, foreign-key-signed and expired tokens are refused.
	_, err = a.Verify(token[:len(token)-2] + "xx")
	require.Equal(t, apperr.Unauthenticated, apperr.CodeOf(err))
	other, err := New(nil, []byte(strings.Repeat("o", 32)), time.Hour, clock)
	require.NoError(t, err)
	_, err = other.Verify(token)
	require.Equal(t, apperr.Unauthenticated, apperr.CodeOf(err))
	now = now.Add(61 * time.Minute)
	_, err = a.Verify(token)
	require.Equal(t, apperr.Unauthenticated, apperr.CodeOf(err))

	_, err = New(nil, []byte("short"), time.Hour, clock)
	require.Error(t, err)
}

func TestPasswords(t *testing.T) {
	t.Parallel()
	_, err := HashPassword("short")
	require.Equal(t, apperr.Validation, apperr.CodeOf(err))
	_, err = HashPassword(strings.Repeat("x", 73))
	require.Equal(t, apperr.Validation, apperr.CodeOf(err))
	hash, err := HashPassword("a good long password")
	require.NoError(t, err)
	require.True(t, CheckPassword(hash, "a good long password"))
	require.False(t, CheckPassword(hash, "a good long passworD"))
}

func TestBearerToken(t *testing.T) {
	t.Parallel()
	for header, want := range map[string]string{"Bearer abc": "abc", "bearer  abc ": "abc", "Basic abc": "", "Bearer": "", "": ""} {
		got, ok := BearerToken(header)
		require.Equal(t, want, got, header)
		require.Equal(t, want != "", ok, header)
	}
}

package workflow

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTrackingCodeRoundTrip(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 122, 999_999, 1_000_000, 4_000_000_000} {
		id := casesIDStart + n
		code := FormatTrackingCode(id, 2026)
		require.True(t, strings.HasPrefix(code, "XF-2026-"), code)
		gotID, year, ok := ParseTrackingCode(code)
		require.True(t, ok, code)
		require.Equal(t, id, gotID)
		require.Equal(t, 2026, year)
	}
	require.Equal(t, "XF-2026-000123", FormatTrackingCode(casesIDStart+122, 2026))
	for _, bad := range []string{"", "XF-2026-", "XF-26-000001", "XF-2026-000000", "xf-2026-000001x", "XF-2026-12345", "XF-2026-00000000001"} {
		_, _, ok := ParseTrackingCode(bad)
		require.False(t, ok, bad)
	}
}

func TestPINHashing(t *testing.T) {
	t.Parallel()
	s := &Service{pinSecret: []byte(strings.Repeat("k", 32))}
	pin, err := newPIN()
	require.NoError(t, err)
	require.Len(t, pin, pinDigits)
	stored, err := s.hashPIN(pin)
	require.NoError(t, err)
	require.NotContains(t, stored, pin)
	require.True(t, s.pinMatches(stored, pin))
	require.False(t, s.pinMatches(stored, "00000000"))
	other, err := s.hashPIN(pin)
	require.NoError(t, err)
	require.NotEqual(t, stored, other, "salted: the same PIN hashes differently")

	// A different server secret cannot verify.
	s2 := &Service{pinSecret: []byte(strings.Repeat("x", 32))}
	require.False(t, s2.pinMatches(stored, pin))

	// Idempotent PINs depend on the key only.
	require.Equal(t, s.idempotentPIN("abc"), s.idempotentPIN("abc"))
	require.NotEqual(t, s.idempotentPIN("abc"), s.idempotentPIN("abd"))
}

// TestStateMachine pins the transition table to DESIGN.md.
func TestStateMachine(t *testing.T) {
	t.Parallel()
	next := map[Action]map[status]status{}
	for a, r := range rules {
		next[a] = map[status]status{}
		for _, f := range r.from {
			to := r.to
			if to == "" {
				to = f
			}
			next[a][f] = to
		}
	}
	require.Equal(t, map[status]status{submitted: accepted}, next[ActionAccept])
	require.Equal(t, map[status]status{submitted: notAccepted}, next[ActionDecline])
	require.Equal(t, map[status]status{accepted: assigned, assigned: assigned, inProgress: assigned}, next[ActionAssign])
	require.Equal(t, map[status]status{assigned: inProgress}, next[ActionStartWork])
	require.Equal(t, map[status]status{inProgress: awaiting}, next[ActionRequestInformation])
	require.Equal(t, map[status]status{inProgress: responded}, next[ActionRespond])
	require.Equal(t, map[status]status{responded: closed}, next[ActionClose])
	require.NotContains(t, next[ActionAddNote], merged, "a merged case is frozen")
	for _, s := range []status{closed, notAccepted, merged, responded} {
		require.False(t, IsOpen(s), s)
		require.NotContains(t, next[ActionMerge], s)
	}
	require.Equal(t, map[status]status{awaiting: inProgress}, map[status]status{provideInformationRule.from[0]: provideInformationRule.to})
	require.Equal(t, []status{closed}, requestReviewRule.from)
	require.Len(t, actionOrder, len(rules), "every action is offered in availableActions")
}

package demo

import (
	"context"
	"testing"
	"time"
	"unicode"

	"github.com/stretchr/testify/require"

	"github.com/xinfang/xinfang/ent"
	"github.com/xinfang/xinfang/ent/casefile"
	"github.com/xinfang/xinfang/ent/schema/schematype"
	"github.com/xinfang/xinfang/ent/staff"
	"github.com/xinfang/xinfang/internal/store"
	"github.com/xinfang/xinfang/internal/testenv"
	"github.com/xinfang/xinfang/internal/workflow"
	"github.com/xinfang/xinfang/policy"
)

var testSecret = []byte("demo-test-pin-secret-0123456789")

func openDB(t *testing.T) *store.DB {
	t.Helper()
	return testenv.Open(t, testenv.SQLite)
}

func shanghai(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	return loc
}

func TestLoad(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openDB(t)
	client := db.Client
	loc := shanghai(t)
	now := time.Date(2026, 5, 20, 15, 30, 0, 0, loc)

	start := time.Now()
	sum, err := Load(ctx, client, testSecret, Options{Cases: 200, Now: now, Seed: 7})
	require.NoError(t, err)
	t.Logf("loaded in %s: %+v", time.Since(start), sum.ByStatus)

	require.Equal(t, 8, sum.Departments)
	require.Equal(t, 200, sum.Cases)
	require.Equal(t, 8, client.Department.Query().CountX(ctx))
	intake := client.Department.Query().AllX(ctx)
	var intakeCodes []string
	for _, d := range intake {
		if d.Intake {
			intakeCodes = append(intakeCodes, d.Code)
		}
	}
	require.Equal(t, []string{"CUSTOMER_SERVICE"}, intakeCodes)
	require.Equal(t, sum.Categories, client.Category.Query().CountX(ctx))
	require.Equal(t, sum.ServiceProjects, client.ServiceProject.Query().CountX(ctx))
	require.Equal(t, len(sum.Accounts), client.Staff.Query().CountX(ctx))

	// Every role is present.
	for _, role := range []staff.Role{
		staff.RoleADMIN, staff.RoleINTAKE_AGENT, staff.RoleHANDLER, staff.RoleDEPT_HEAD, staff.RoleEVALUATOR,
		staff.RoleINFO_OFFICER, staff.RoleHR_OFFICER, staff.RolePR_OFFICER, staff.RoleOVERSIGHT_MEMBER,
	} {
		n := client.Staff.Query().Where(staff.RoleEQ(role)).CountX(ctx)
		require.Positive(t, n, "role %s", role)
	}

	cases := client.CaseFile.Query().AllX(ctx)
	require.Len(t, cases, 200)
	byStatus := map[schematype.CaseStatus]int{}
	rounds := map[int]int{}
	months := map[string]bool{}
	channels := map[casefile.Channel]bool{}
	kinds := map[casefile.Kind]bool{}
	var chinese, english, rated, overdue, anonymous int
	for _, c := range cases {
		byStatus[c.Status]++
		rounds[c.ReviewRound]++
		months[c.ReceivedAt.In(loc).Format("2006-01")] = true
		channels[c.Channel] = true
		kinds[c.Kind] = true
		require.False(t, c.ReceivedAt.After(now), "case %d received in the future", c.ID)
		require.False(t, c.UpdatedAt.After(now), "case %d changed in the future", c.ID)
		require.False(t, c.ReceivedAt.Before(now.AddDate(-1, 0, -1)), "case %d received more than a year ago", c.ID)
		if hasHan(c.Subject) && hasHan(c.Body) {
			chinese++
			require.Equal(t, "zh-CN", c.Locale)
		} else {
			english++
			require.Equal(t, "en", c.Locale, "case %d: %s", c.ID, c.Subject)
			require.False(t, hasHan(c.Body), "English case %d has Chinese text: %s", c.ID, c.Body)
		}
		if c.Rating != nil {
			rated++
		}
		if workflow.IsOverdue(c, now) {
			overdue++
		}
		if c.PetitionerID == nil {
			anonymous++
		}
	}
	for _, st := range schematype.CaseStatus("").Values() {
		require.Positive(t, byStatus[schematype.CaseStatus(st)], "status %s", st)
		require.Equal(t, byStatus[schematype.CaseStatus(st)], sum.ByStatus[st], "summary count of %s", st)
	}
	require.Positive(t, rounds[1], "cases in review round 1")
	require.Positive(t, rounds[2], "cases in review round 2")
	require.GreaterOrEqual(t, len(months), 10, "months with cases: %v", months)
	require.Len(t, channels, 6, "channels: %v", channels)
	require.Len(t, kinds, 5, "kinds: %v", kinds)
	require.Greater(t, chinese, english, "most cases are in Chinese")
	require.Greater(t, english, 10)
	require.Positive(t, rated)
	require.Positive(t, overdue)
	require.Less(t, overdue, 40)
	require.Positive(t, anonymous)

	// Some cases were answered after their deadline, most before.
	var late, onTime int
	for _, c := range cases {
		if c.FirstRespondedAt == nil || c.ReviewRound > 0 || c.RespondDue == nil {
			continue
		}
		if c.FirstRespondedAt.After(*c.RespondDue) {
			late++
		} else {
			onTime++
		}
	}
	require.Positive(t, late)
	require.Greater(t, onTime, 2*late)

	// Every timeline is a valid hash chain, and nothing happened after now.
	engine, err := policy.New(ctx, policy.Options{})
	require.NoError(t, err)
	svc, err := workflow.New(workflow.Config{Client: client, Policy: engine, PINSecret: testSecret, Location: loc})
	require.NoError(t, err)
	for _, c := range cases {
		require.NoError(t, svc.VerifyChain(ctx, c.ID))
	}
	latest := client.CaseEvent.Query().Order(ent.Desc("occurred_at")).FirstX(ctx)
	require.False(t, latest.OccurredAt.After(now))

	// Loading twice is refused.
	_, err = Load(ctx, client, testSecret, Options{Cases: 10, Now: now})
	require.ErrorIs(t, err, ErrNotEmpty)
}

func TestLoadDeterministic(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 1, 8, 10, 0, 0, 0, shanghai(t))
	load := func() []*ent.CaseFile {
		db := openDB(t)
		_, err := Load(ctx, db.Client, testSecret, Options{Cases: 40, Now: now})
		require.NoError(t, err)
		return db.Client.CaseFile.Query().Order(ent.Asc(casefile.FieldID)).AllX(ctx)
	}
	a, b := load(), load()
	require.Len(t, a, 40)
	require.Len(t, b, 40)
	for i := range a {
		require.Equal(t, a[i].Subject, b[i].Subject)
		require.Equal(t, a[i].Status, b[i].Status)
		require.True(t, a[i].ReceivedAt.Equal(b[i].ReceivedAt))
		require.Equal(t, a[i].Version, b[i].Version)
	}
}

func TestLoadSmall(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openDB(t)
	sum, err := Load(ctx, db.Client, testSecret, Options{Cases: 5, Seed: 3})
	require.NoError(t, err)
	require.Equal(t, 5, sum.Cases)
	require.Equal(t, 5, db.Client.CaseFile.Query().CountX(ctx))
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

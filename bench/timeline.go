package main

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/xinfang/xinfang/ent/staff"
	"github.com/xinfang/xinfang/internal/workflow"
)

// timelineEvents is how many events the fetched case has.
const timelineEvents = 20

// fetchQuery is what a staff member's case page reads.
const fetchQuery = `query($id: ID!) { node(id: $id) { ... on Case { id trackingCode status subject body version
	department { name } assignee { displayName }
	events(first: 50) { totalCount edges { node { seq type occurredAt actorKind toStatus payload } } } } } }`

// latency summarises sequential request times.
type latency struct {
	N             int
	P50, P90, P99 time.Duration
	Mean          time.Duration
}

// staffTokens are the fixture accounts of the intake department.
type staffTokens struct {
	head, handler string
	handlerID     int
}

// measureFetch builds a case with a 20-event timeline on srv and times
// o.fetches sequential fetches of it by one client.
func measureFetch(ctx context.Context, o options, srv *server, backend string) (latency, error) {
	log := o.progressLogs
	tokens, err := createStaff(ctx, srv)
	if err != nil {
		return latency{}, err
	}
	client := newClient(srv.url, 1)
	defer client.http.CloseIdleConnections()
	log.Info("building a case with a 20-event timeline", "backend", backend)
	id, err := buildCase(ctx, client, tokens)
	if err != nil {
		return latency{}, err
	}
	reader := client.as(tokens.head)
	body := request(fetchQuery, map[string]any{"id": id})
	if err := checkFetch(ctx, reader, body); err != nil {
		return latency{}, err
	}
	log.Info("fetching the case", "backend", backend, "warmup", o.fetchWarmup, "fetches", o.fetches)
	for range o.fetchWarmup {
		if _, err := reader.send(ctx, body); err != nil {
			return latency{}, err
		}
	}
	times := make([]time.Duration, 0, o.fetches)
	for range o.fetches {
		start := time.Now()
		b, err := reader.send(ctx, body)
		elapsed := time.Since(start)
		if err != nil {
			return latency{}, err
		}
		if err := decode(b, nil); err != nil {
			return latency{}, err
		}
		times = append(times, elapsed)
	}
	l := summarise(times)
	log.Info("fetch latency", "backend", backend, "p50", l.P50, "p90", l.P90, "p99", l.P99)
	return l, nil
}

// createStaff makes a department head and a handler in the intake
// department and signs them in.
func createStaff(ctx context.Context, srv *server) (staffTokens, error) {
	hash, err := bcrypt.GenerateFromPassword([]byte("benchmark password"), bcrypt.MinCost)
	if err != nil {
		return staffTokens{}, err
	}
	var t staffTokens
	for _, f := range []struct {
		username, name string
		role           staff.Role
		token          *string
	}{
		{"bench-head", "王主任", staff.RoleDEPT_HEAD, &t.head},
		{"bench-handler", "李专员", staff.RoleHANDLER, &t.handler},
	} {
		member, err := srv.app.DB.Client.Staff.Create().SetUsername(f.username).SetDisplayName(f.name).
			SetPasswordHash(string(hash)).SetRole(f.role).SetDepartmentID(srv.intakeID).Save(ctx)
		if err != nil {
			return staffTokens{}, fmt.Errorf("create staff %s: %w", f.username, err)
		}
		if *f.token, err = srv.app.Auth.Issue(member); err != nil {
			return staffTokens{}, err
		}
		if f.role == staff.RoleHANDLER {
			t.handlerID = member.ID
		}
	}
	return t, nil
}

// step is one staff mutation on the benchmark case.
type step struct {
	as       *gqlClient
	mutation string
	input    map[string]any
}

// buildCase submits a case and drives it to version 20 through the staff
// API: accept, assign, start work, then notes.
func buildCase(ctx context.Context, client *gqlClient, t staffTokens) (string, error) {
	var sub struct{ SubmitCase struct{ TrackingCode string } }
	if err := client.do(ctx, submitRequest(), &sub); err != nil {
		return "", fmt.Errorf("submit: %w", err)
	}
	n, _, ok := workflow.ParseTrackingCode(sub.SubmitCase.TrackingCode)
	if !ok {
		return "", fmt.Errorf("bad tracking code %q", sub.SubmitCase.TrackingCode)
	}
	id := strconv.Itoa(n)
	head, handler := client.as(t.head), client.as(t.handler)
	version := 1
	steps := []step{
		{head, "acceptCase", map[string]any{"priority": "HIGH"}},
		{head, "assignCase", map[string]any{"assigneeId": strconv.Itoa(t.handlerID)}},
		{handler, "startWork", nil},
	}
	for version+len(steps) < timelineEvents {
		note := fmt.Sprintf("第%d次跟进：已联系中心主任核实排队情况，正在协调增加窗口。", len(steps)-2)
		steps = append(steps, step{handler, "addNote", map[string]any{"text": note}})
	}
	for _, s := range steps {
		in := map[string]any{"id": id, "version": version}
		for k, v := range s.input {
			in[k] = v
		}
		q := `mutation($in: ` + inputType(s.mutation) + `!) { ` + s.mutation + `(input: $in) { version } }`
		var out map[string]struct{ Version int }
		if err := s.as.do(ctx, request(q, map[string]any{"in": in}), &out); err != nil {
			return "", fmt.Errorf("%s at version %d: %w", s.mutation, version, err)
		}
		version = out[s.mutation].Version
	}
	if version != timelineEvents {
		return "", fmt.Errorf("case reached version %d, want %d", version, timelineEvents)
	}
	return id, nil
}

// checkFetch makes sure the fetch returns the whole timeline.
func checkFetch(ctx context.Context, c *gqlClient, body []byte) error {
	var out struct {
		Node struct {
			Assignee *struct{ DisplayName string }
			Events   struct {
				TotalCount int
				Edges      []struct{ Node struct{ Seq int } }
			}
		}
	}
	if err := c.do(ctx, body, &out); err != nil {
		return fmt.Errorf("fetch case: %w", err)
	}
	if ev := out.Node.Events; ev.TotalCount != timelineEvents || len(ev.Edges) != timelineEvents || out.Node.Assignee == nil {
		return fmt.Errorf("fetched case has %d of %d events (want %d) and assignee %v", len(ev.Edges), ev.TotalCount, timelineEvents, out.Node.Assignee)
	}
	return nil
}

func inputType(mutation string) string {
	return string(mutation[0]-'a'+'A') + mutation[1:] + "Input"
}

// summarise computes nearest-rank percentiles.
func summarise(times []time.Duration) latency {
	slices.Sort(times)
	var sum time.Duration
	for _, t := range times {
		sum += t
	}
	pct := func(p float64) time.Duration {
		i := int(math.Ceil(float64(len(times))*p)) - 1
		return times[max(0, min(i, len(times)-1))]
	}
	return latency{N: len(times), P50: pct(0.50), P90: pct(0.90), P99: pct(0.99), Mean: sum / time.Duration(len(times))}
}

// Package sla watches the deadlines of open cases and tells staff when one
// draws near, passes, or is escalated (督办).
//
// # The watcher
//
// A Watcher ticks every few seconds. Each tick reads the cases whose
// deadline_check_at has come — an indexed range scan that ends at now, so
// a tick costs what is due, not what is open: with a million open cases a
// quiet tick reads nothing. For each case it asks the policy engine
// (policy.Engine.Escalate) how far the running deadline has gone (fine,
// warned, breached, escalated) and when that would next change, and hands
// the answer to the workflow (workflow.Service.RecordDeadlineCheck), which
// appends a DEADLINE_WARNING, DEADLINE_BREACHED or DEADLINE_ESCALATED event
// when the level rose and stores the next check time.
//
// Exactly once: the level reached is stored on the case in the same
// transaction as its event, under the case's optimistic version. A restart
// finds the level already recorded; two watchers (or a watcher racing a
// handler) acting on one version cannot both succeed. On PostgreSQL only
// one replica watches at a time anyway: the leader holds a session-level
// advisory lock, which PostgreSQL releases when that replica's connection
// dies, so another replica takes over within one interval. The embedded
// SQLite database belongs to one process, which is always the leader.
//
// The workflow schedules checks itself: a transition that starts, moves or
// stops the running deadline sets deadline_check_at to now (or clears it),
// so the watcher never scans for changes.
//
// # The alert feed
//
// Staff read the alerts addressed to them (workflow.Service.DeadlineAlerts:
// the policy's notify list — assignee, department head, administrator —
// matched against the caller) with the deadlineAlerts query. A Feed serves
// the deadlineAlerts subscription: it polls for alerts newer than the last
// one sent, and is woken at once when this process records one, so alerts
// recorded by the leader on another replica arrive within the poll
// interval.
package sla

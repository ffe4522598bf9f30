package workflow

import "strings"

// isBusy reports whether err is SQLite's "database is locked/busy": another
// writer held the lock longer than the busy timeout. The caller's change
// was not applied, so it is reported like any lost race.
func isBusy(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "SQLITE_BUSY") || strings.Contains(msg, "database is locked")
}

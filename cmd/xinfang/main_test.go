package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func TestCommands(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"version"}, &out, &errOut); code != 0 || !strings.HasPrefix(out.String(), "xinfang ") {
		t.Fatalf("version: %d %q %q", code, out.String(), errOut.String())
	}
	if code := run([]string{"frobnicate"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), `unknown command "frobnicate"`) {
		t.Fatalf("unknown command: %d %q", code, errOut.String())
	}

	// admin create-user on a fresh embedded database, then migrate status.
	dir := t.TempDir()
	t.Setenv("XINFANG_NEW_PASSWORD", "a-long-enough-password")
	out.Reset()
	errOut.Reset()
	if code := run([]string{"admin", "create-user", "-data-dir", dir, "-username", "root", "-role", "admin"}, &out, &errOut); code != 0 {
		t.Fatalf("create-user: %d %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), `created ADMIN "root"`) {
		t.Fatalf("create-user output: %q", out.String())
	}
	errOut.Reset()
	if code := run([]string{"admin", "create-user", "-data-dir", dir, "-username", "root", "-role", "admin"}, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "already taken") {
		t.Fatalf("duplicate user: %d %q", code, errOut.String())
	}
	errOut.Reset()
	if code := run([]string{"admin", "create-user", "-data-dir", dir, "-username", "h", "-role", "HANDLER"}, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "needs a department") {
		t.Fatalf("handler without department: %d %q", code, errOut.String())
	}
	if _, err := os.Stat(dir + "/xinfang.db"); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if code := run([]string{"migrate", "-data-dir", dir, "status"}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "automatically") {
		t.Fatalf("migrate status: %d %q", code, out.String())
	}

	// Without ClickHouse configured, the analytics commands use the
	// embedded warehouse in the data directory (the relay runs until
	// stopped, so only the rebuild is run here).
	out.Reset()
	if code := run([]string{"analytics", "rebuild", "-data-dir", dir}, &out, &errOut); code != 0 || !strings.HasPrefix(out.String(), "loaded 0 case events into the warehouse") {
		t.Fatalf("analytics rebuild: %d %q %q", code, out.String(), errOut.String())
	}
	if _, err := os.Stat(dir + "/warehouse.db"); err != nil {
		t.Fatal(err)
	}
	errOut.Reset()
	if code := run([]string{"analytics", "frobnicate"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "xinfang analytics rebuild") {
		t.Fatalf("analytics usage: %d %q", code, errOut.String())
	}
}

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPolicyCheck(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	if code := run([]string{"policy", "check", "../../policy/examples/statutory"}, &out, &errOut); code != 0 {
		t.Fatalf("check the statutory example: %d %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "ok: the embedded policy with ../../policy/examples/statutory (1 of its files) is valid: revision ") ||
		!strings.Contains(out.String(), "ignored (neither .rego nor .json): README.md") {
		t.Fatalf("check output: %q", out.String())
	}

	out.Reset()
	if code := run([]string{"policy", "check", "-v"}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "rego/authz.rego") {
		t.Fatalf("check the embedded policy: %d %q %q", code, out.String(), errOut.String())
	}

	broken := t.TempDir()
	if err := os.MkdirAll(filepath.Join(broken, "config"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(broken, "config", "escalation.json"), []byte(`{"escalation": {"default": {"warn_at": 2, "escalate_after": "1d", "notify": {"warn": [], "breach": [], "escalate": []}}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	errOut.Reset()
	if code := run([]string{"policy", "check", broken}, &out, &errOut); code != 1 ||
		!strings.Contains(errOut.String(), "config/escalation.json: escalation.default.warn_at: must be a fraction") {
		t.Fatalf("check a broken directory: %d %q", code, errOut.String())
	}

	errOut.Reset()
	if code := run([]string{"policy"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "check") {
		t.Fatalf("policy without a command: %d %q", code, errOut.String())
	}
	errOut.Reset()
	if code := run([]string{"policy", "frobnicate"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), `unknown command "frobnicate"`) {
		t.Fatalf("unknown policy command: %d %q", code, errOut.String())
	}
	errOut.Reset()
	if code := run([]string{"policy", "simulate"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "--since") {
		t.Fatalf("simulate without its flags: %d %q", code, errOut.String())
	}
	if code := run([]string{"policy", "check", "a", "b"}, &out, &errOut); code != 2 {
		t.Fatalf("two directories: %d", code)
	}
}

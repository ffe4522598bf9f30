package policy

import (
	"context"
	"fmt"
)

// CheckReport describes a policy that Check accepted.
type CheckReport struct {
	// Revision is the revision an Engine would report with this policy.
	Revision string
	// Files are the files of the policy: the embedded ones and those of
	// the directory, which replace embedded files of the same path.
	Files []CheckedFile
	// Ignored are files of the directory that are neither .rego nor .json.
	Ignored []string
	// RegoTests is how many Rego tests (test_ rules of *_test.rego) passed.
	RegoTests int
}

// CheckedFile is one file of a checked policy.
type CheckedFile struct {
	Path string
	// Origin is "embedded" or the directory the file came from.
	Origin string
}

// Check validates a candidate override directory without using it: the
// embedded policy overlaid by dir ("" checks the embedded policy alone)
// must parse and compile, define every rule the engine asks, have data that
// matches the schema (each problem names the file and key), pass all its
// Rego tests and give list scopes that agree with its read rule. It is
// what New and Reload do before a policy may serve.
func Check(ctx context.Context, dir string) (CheckReport, error) {
	c, err := load(ctx, dir)
	if err != nil {
		return CheckReport{}, fmt.Errorf("policy%s: %w", where(dir), err)
	}
	r := CheckReport{Revision: c.revision, Ignored: c.ignored, RegoTests: c.tests}
	for _, f := range c.files {
		r.Files = append(r.Files, CheckedFile{Path: f.path, Origin: f.origin})
	}
	return r, nil
}

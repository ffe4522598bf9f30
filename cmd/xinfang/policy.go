package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/xinfang/xinfang/policy"
)

// policyCommands are the subcommands of `xinfang policy`.
var policyCommands = []command{
	{"check", "validate a policy directory before using it: check DIR", policyCheck},
	{"simulate", "replay recorded cases through a candidate policy: simulate --since DATE --policy DIR", policySimulate},
}

// policyCmd runs the policy tools.
func policyCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		for _, c := range policyCommands {
			if c.name == args[0] {
				return c.run(ctx, args[1:], stdout, stderr)
			}
		}
		if args[0] != "-h" && args[0] != "--help" && args[0] != "help" {
			fmt.Fprintf(stderr, "xinfang policy: unknown command %q\n\n", args[0])
		}
	}
	fmt.Fprintln(stderr, "Usage: xinfang policy <command> [flags]\n\nCommands:")
	for _, c := range policyCommands {
		fmt.Fprintf(stderr, "  %-10s %s\n", c.name, c.summary)
	}
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		return flag.ErrHelp
	}
	return errUsage
}

// policyCheck validates the policy an override directory would make (the
// embedded policy overlaid by DIR), as the server does before using it.
func policyCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("policy check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	verbose := fs.Bool("v", false, "list every file of the resulting policy")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: xinfang policy check [-v] [DIR]\n\n"+
			"Checks the embedded policy overlaid by DIR (the XINFANG_POLICY_DIR to be):\n"+
			"Rego that compiles, data that matches the schema, passing Rego tests.\n"+
			"Without DIR it checks the embedded policy alone.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		fs.Usage()
		return errUsage
	}
	dir := fs.Arg(0)
	report, err := policy.Check(ctx, dir)
	if err != nil {
		return err
	}
	fromDir := 0
	for _, f := range report.Files {
		if f.Origin != "embedded" {
			fromDir++
		}
		if *verbose {
			fmt.Fprintf(stdout, "  %-32s %s\n", f.Path, f.Origin)
		}
	}
	for _, f := range report.Ignored {
		fmt.Fprintf(stdout, "  ignored (neither .rego nor .json): %s\n", f)
	}
	what := "the embedded policy"
	if dir != "" {
		what = fmt.Sprintf("the embedded policy with %s (%d of its files)", dir, fromDir)
	}
	_, err = fmt.Fprintf(stdout, "ok: %s is valid: revision %s, %d files, %d Rego tests passed\n",
		what, report.Revision, len(report.Files), report.RegoTests)
	return err
}

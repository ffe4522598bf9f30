// Command xinfang is the xinfang server and its tools, in one binary:
//
//	xinfang serve                  run the server (embedded SQLite unless XINFANG_DATABASE_URL is set)
//	xinfang migrate [up|status]    apply or list database migrations
//	xinfang relay                  run only the analytics relay (outbox → warehouse)
//	xinfang analytics rebuild      reload the analytics warehouse from every case event
//	xinfang admin create-user      create a staff account (the first admin, and others)
//	xinfang demo                   load a demo organisation into an empty database
//	xinfang report evaluation      write the evaluation report of a period (md, csv or xlsx)
//	xinfang health                 probe a running server (container health checks)
//	xinfang policy check [DIR]     validate a policy override directory
//	xinfang policy simulate        replay recorded cases through a candidate policy
//	xinfang version                print the version
//
// Every subcommand takes the same database and data-directory settings as
// serve; run `xinfang serve -h` for the list, each with its XINFANG_...
// environment variable.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// command is a subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = []command{
	{"serve", "run the server", serve},
	{"migrate", "apply (up) or list (status) database migrations", migrateCmd},
	{"relay", "run only the analytics relay, which ships case events to the warehouse", relayCmd},
	{"analytics", "analytics warehouse maintenance: rebuild", analyticsCmd},
	{"admin", "administration: create-user", admin},
	{"demo", "load a demo organisation into an empty database", demoCmd},
	{"report", "reports: evaluation --period 2026H1 [--format md|csv|xlsx] [--out FILE] [--department CODE]", reportCmd(configuredWarehouse)},
	{"health", "probe a running server's readiness (for container health checks)", health},
	{"policy", "policy tools: check DIR validates a policy override directory", policyCmd},
	{"version", "print the version", func(_ context.Context, _ []string, stdout, _ io.Writer) error {
		_, err := fmt.Fprintln(stdout, "xinfang", version)
		return err
	}},
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		err := c.run(ctx, args[1:], stdout, stderr)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			return 2
		}
		fmt.Fprintf(stderr, "xinfang %s: %v\n", c.name, err)
		return 1
	}
	fmt.Fprintf(stderr, "xinfang: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

var errUsage = errors.New("usage")

func usage(w io.Writer) {
	fmt.Fprintln(w, "xinfang — case handling for public complaints, petitions and suggestions (信访)")
	fmt.Fprintln(w, "\nUsage: xinfang <command> [flags]\n\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun xinfang <command> -h for the flags of a command.")
}

func newLogger(w io.Writer, format, level string) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		lvl = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lvl}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

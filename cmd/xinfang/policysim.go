package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/xinfang/xinfang/internal/config"
	"github.com/xinfang/xinfang/internal/policysim"
	"github.com/xinfang/xinfang/internal/store"
	"github.com/xinfang/xinfang/internal/workflow"
	"github.com/xinfang/xinfang/policy"
)

// policySimulate replays recorded cases through a candidate policy
// directory and prints what would change against the policy in force (the
// embedded one, overlaid by XINFANG_POLICY_DIR when set).
func policySimulate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg config.Config
	fs := flag.NewFlagSet("policy simulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.Register(fs)
	since := fs.String("since", "", "replay cases received on or after this date (YYYY-MM-DD, in the organisation's time zone)")
	candidateDir := fs.String("policy", "", "the candidate policy directory (overlays the embedded policy like XINFANG_POLICY_DIR)")
	format := fs.String("format", "text", "output: text or json")
	limit := fs.Int("limit", 50, "how many changed cases to list in text output (0: all)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *since == "" || *candidateDir == "" {
		fmt.Fprintln(stderr, "Usage: xinfang policy simulate --since YYYY-MM-DD --policy DIR [--format text|json] [--limit N]")
		return errUsage
	}
	loc, err := time.LoadLocation(cfg.TimeZone)
	if err != nil {
		return err
	}
	from, err := time.ParseInLocation(time.DateOnly, *since, loc)
	if err != nil {
		return fmt.Errorf("--since: %w", err)
	}
	log := newLogger(stderr, cfg.LogFormat, cfg.LogLevel)
	current, err := policy.New(ctx, policy.Options{Dir: cfg.PolicyDir, Logger: log})
	if err != nil {
		return fmt.Errorf("the policy in force: %w", err)
	}
	candidate, err := policy.New(ctx, policy.Options{Dir: *candidateDir, Logger: log})
	if err != nil {
		return fmt.Errorf("the candidate policy %s: %w", *candidateDir, err)
	}
	db, err := store.Open(cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := policysim.Simulate(ctx, db.Client, current, candidate, policysim.Options{
		Since: from, Now: time.Now(),
		Tracking: func(id int, received time.Time) string {
			return workflow.FormatTrackingCode(id, received.In(loc).Year())
		},
	})
	if err != nil {
		return err
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return printSimulation(stdout, rep, loc, *limit)
}

func printSimulation(w io.Writer, rep *policysim.Report, loc *time.Location, limit int) error {
	fmt.Fprintf(w, "Policy simulation over %d cases received since %s\n", rep.Cases, rep.Since.In(loc).Format(time.DateOnly))
	fmt.Fprintf(w, "policy in force: revision %s; candidate: revision %s\n\n", rep.CurrentRevision, rep.CandidateRevision)
	fmt.Fprintf(w, "routed elsewhere:      %d (%d routed by hand, not replayed)\n", rep.Rerouted, rep.ManuallyRouted)
	fmt.Fprintf(w, "deadlines moved:       %d earlier, %d later (median shift %s)\n", rep.DeadlinesEarlier, rep.DeadlinesLater, rep.MedianDeadlineShift)
	fmt.Fprintf(w, "response breaches:     %d in force → %d candidate (%d avoided, %d new)\n\n",
		rep.BreachesCurrent, rep.BreachesCandidate, rep.BreachesAvoided, rep.BreachesIntroduced)
	if len(rep.Changes) == 0 {
		_, err := fmt.Fprintln(w, "No case would change.")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "case\trouting\tresponse due\tbreach")
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return "none"
		}
		return t.In(loc).Format("2006-01-02 15:04")
	}
	for i, c := range rep.Changes {
		if limit > 0 && i == limit {
			fmt.Fprintf(tw, "… %d more (use --limit 0 or --format json)\t\t\t\n", len(rep.Changes)-limit)
			break
		}
		routing := "—"
		if c.Rerouted() {
			routing = fmt.Sprintf("%s → %s (%s)", c.CurrentDepartment, c.CandidateDepartment, strings.Join(c.CandidateReasons, "; "))
		}
		due := "—"
		if c.DeadlineMoved() {
			due = stamp(c.CurrentDue) + " → " + stamp(c.CandidateDue)
		}
		breach := "—"
		if c.CurrentBreached != c.CandidateBreached {
			breach = map[bool]string{true: "late → on time", false: "on time → late"}[c.CurrentBreached]
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.TrackingCode, routing, due, breach)
	}
	return tw.Flush()
}

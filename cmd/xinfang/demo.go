package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/xinfang/xinfang/internal/config"
	"github.com/xinfang/xinfang/internal/demo"
	"github.com/xinfang/xinfang/internal/store"
	"github.com/xinfang/xinfang/policy"
)

func demoCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg config.Config
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.Register(fs)
	cases := fs.Int("cases", 200, "how many cases to create")
	seed := fs.Int64("seed", 1, "random seed; the same seed gives the same data")
	password := fs.String("password", "xinfang-demo-2026", "password of every demo account")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := newLogger(stderr, cfg.LogFormat, cfg.LogLevel)
	db, err := store.Open(cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx, log); err != nil {
		return err
	}
	pinKey, err := cfg.Secret(cfg.PINSecret, "pin.key")
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation(cfg.TimeZone)
	if err != nil {
		return err
	}
	start := time.Now()
	engine, err := policy.New(ctx, policy.Options{Dir: cfg.PolicyDir, Logger: log})
	if err != nil {
		return fmt.Errorf("policy: %w", err)
	}
	sum, err := demo.Load(ctx, db.Client, pinKey, demo.Options{Cases: *cases, Seed: *seed, Password: *password, Location: loc, Policy: engine})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "loaded %d departments, %d staff, %d categories, %d service projects and %d cases in %s\n",
		sum.Departments, sum.Staff, sum.Categories, sum.ServiceProjects, sum.Cases, time.Since(start).Round(time.Millisecond))
	statuses := make([]string, 0, len(sum.ByStatus))
	for s := range sum.ByStatus {
		statuses = append(statuses, s)
	}
	sort.Strings(statuses)
	for _, s := range statuses {
		fmt.Fprintf(stdout, "  %-20s %d\n", s, sum.ByStatus[s])
	}
	fmt.Fprintf(stdout, "\naccounts (password %q):\n", *password)
	for _, a := range sum.Accounts {
		fmt.Fprintf(stdout, "  %-16s %-17s %s\n", a.Username, a.Role, a.Department)
	}
	return nil
}

package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/xinfang/xinfang/ent/staff"
	"github.com/xinfang/xinfang/internal/auth"
	"github.com/xinfang/xinfang/internal/config"
	"github.com/xinfang/xinfang/internal/store"
	"github.com/xinfang/xinfang/policy"
)

func admin(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create-user" {
		fmt.Fprintln(stderr, "Usage: xinfang admin create-user -username NAME -role ROLE [-department CODE] [flags]")
		return errUsage
	}
	var cfg config.Config
	fs := flag.NewFlagSet("admin create-user", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.Register(fs)
	var n auth.NewStaff
	var role string
	fs.StringVar(&n.Username, "username", "", "login name (required)")
	fs.StringVar(&n.DisplayName, "name", "", "display name (default: the username)")
	fs.StringVar(&n.Email, "email", "", "work email address")
	fs.StringVar(&role, "role", "ADMIN", "role: "+strings.Join(roleNames(), ", "))
	fs.StringVar(&n.DepartmentCode, "department", "", "department code (required for INTAKE_AGENT, HANDLER, DEPT_HEAD)")
	fs.StringVar(&n.Locale, "locale", "zh-CN", "preferred language: zh-CN or en")
	passwordStdin := fs.Bool("password-stdin", false, "read the password from standard input (else XINFANG_NEW_PASSWORD)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	n.Role = staff.Role(strings.ToUpper(role))
	switch {
	case *passwordStdin:
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read password: %w", err)
		}
		n.Password = strings.TrimRight(line, "\r\n")
	default:
		n.Password = os.Getenv("XINFANG_NEW_PASSWORD")
	}
	if n.Password == "" {
		return errors.New("give the password on standard input with -password-stdin, or in XINFANG_NEW_PASSWORD")
	}
	log := newLogger(stderr, cfg.LogFormat, cfg.LogLevel)
	db, err := store.Open(cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	if cfg.AutoMigrate {
		if _, err := db.Migrate(ctx, log); err != nil {
			return err
		}
	}
	member, err := auth.CreateStaff(ctx, db.Client, n)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s %q (id %d)\n", member.Role, member.Username, member.ID)
	return nil
}

func roleNames() []string {
	var out []string
	for _, r := range policy.Roles {
		out = append(out, string(r))
	}
	return out
}

package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"cordon"
	"cordon/internal/app"
	"cordon/internal/auth"
	"cordon/internal/vault"
)

func runMigrate(ctx context.Context, env *environment, args []string) error {
	var c config
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	c.bindDB(fs)
	if err := c.parse(fs, args, env); err != nil {
		return err
	}
	log := c.logger(env.stderr)
	return c.withApp(ctx, log, func(a *app.App) error {
		kind, v, err := a.SchemaVersion(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "%s schema at %s\n", kind, v)
		return nil
	})
}

func runBackup(ctx context.Context, env *environment, args []string) error {
	var c config
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	c.bindDB(fs)
	fs.Usage = func() {
		fmt.Fprintln(env.stderr, "Usage: cordon backup [options] FILE\n\nWrites a consistent copy of a SQLite database, safe while cordon serves.\nRestore: stop cordon, copy FILE over the database file (remove any -wal/-shm\nfiles beside it), start cordon. PostgreSQL: use pg_dump.\n\nOptions:")
		fs.PrintDefaults()
	}
	if err := c.parse(fs, args, env); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usageError{"backup needs exactly one FILE"}
	}
	return c.withApp(ctx, c.logger(env.stderr), func(a *app.App) error {
		if err := a.Backup(ctx, app.System, fs.Arg(0)); err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "backup written to %s\n", fs.Arg(0))
		return nil
	})
}

func runRekey(ctx context.Context, env *environment, args []string) error {
	var c config
	fs := flag.NewFlagSet("rekey", flag.ContinueOnError)
	c.bindDB(fs)
	fs.Usage = func() {
		fmt.Fprintln(env.stderr, "Usage: cordon rekey [options]\n\nRe-encrypts every ID number and phone still sealed with an old data key. Run it\nafter starting with a new --data-key and the old one in --old-data-keys; then the\nold key can be dropped (docs/keys.md).\n\nOptions:")
		fs.PrintDefaults()
	}
	if err := c.parse(fs, args, env); err != nil {
		return err
	}
	return c.withApp(ctx, c.logger(env.stderr), func(a *app.App) error {
		n, err := a.ResealPersonalData(ctx, app.System)
		fmt.Fprintf(env.stdout, "%d persons re-sealed with the current data key\n", n)
		return err
	})
}

func runKeygen(_ context.Context, env *environment, args []string) error {
	fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	fmt.Fprintln(env.stdout, vault.NewKey())
	return nil
}

func runUser(ctx context.Context, env *environment, args []string) error {
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	var c config
	fs := flag.NewFlagSet("user "+sub, flag.ContinueOnError)
	c.bindDB(fs)
	var in cordon.AccountInput
	var passwordStdin bool
	switch sub {
	case "add":
		fs.StringVar(&in.Username, "username", "", "login name (a-z, 0-9, . _ -)")
		fs.StringVar(&in.DisplayName, "name", "", "display name")
		fs.StringVar((*string)(&in.Role), "role", "", "role: "+roleList())
		fs.StringVar(&in.Jurisdiction, "jurisdiction", "", "jurisdiction code the account is bound to (a grid code for grid workers)")
		fs.BoolVar(&passwordStdin, "password-stdin", false, "read the password from standard input (otherwise a random one is printed)")
	case "reset-password":
		fs.BoolVar(&passwordStdin, "password-stdin", false, "read the password from standard input (otherwise a random one is printed)")
	case "list", "disable", "enable":
	default:
		return usageError{"usage: cordon user add|list|disable|enable|reset-password [options] [USERNAME]"}
	}
	if err := c.parse(fs, args, env); err != nil {
		return err
	}
	return c.withApp(ctx, c.logger(env.stderr), func(a *app.App) error {
		password := func() (string, error) {
			if passwordStdin {
				line, err := bufio.NewReader(env.stdin).ReadString('\n')
				if err != nil && line == "" {
					return "", fmt.Errorf("reading the password: %w", err)
				}
				return strings.TrimRight(line, "\r\n"), nil
			}
			pw := auth.NewSecret("")[:16]
			fmt.Fprintf(env.stdout, "password: %s\n", pw)
			return pw, nil
		}
		switch sub {
		case "add":
			pw, err := password()
			if err != nil {
				return err
			}
			in.Password = pw
			acct, err := a.CreateAccount(ctx, app.System, in)
			if err != nil {
				return describe(err)
			}
			fmt.Fprintf(env.stdout, "account %s (%s at %s) created with id %d\n", acct.Username, acct.Role, acct.Jurisdiction, acct.ID)
		case "list":
			accts, err := a.Accounts(ctx, app.System)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(env.stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tUSERNAME\tROLE\tJURISDICTION\tSTATUS\tNAME")
			for _, ac := range accts {
				status := "active"
				if ac.Disabled {
					status = "disabled"
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s %s\t%s\t%s\n", ac.ID, ac.Username, ac.Role, ac.Jurisdiction, a.PathName(ctx, ac.Jurisdiction), status, ac.DisplayName)
			}
			return tw.Flush()
		default:
			if fs.NArg() != 1 {
				return usageError{"cordon user " + sub + " needs one USERNAME"}
			}
			acct, err := a.AccountByUsername(ctx, app.System, fs.Arg(0))
			if err != nil {
				return describe(err)
			}
			switch sub {
			case "disable", "enable":
				if err := a.SetAccountDisabled(ctx, app.System, acct.ID, sub == "disable"); err != nil {
					return describe(err)
				}
				fmt.Fprintf(env.stdout, "account %s %sd\n", acct.Username, sub)
			case "reset-password":
				pw, err := password()
				if err != nil {
					return err
				}
				if err := a.ResetPassword(ctx, app.System, acct.ID, pw); err != nil {
					return describe(err)
				}
				fmt.Fprintf(env.stdout, "password of %s reset; its sessions and tokens ended\n", acct.Username)
			}
		}
		return nil
	})
}

func roleList() string {
	var s []string
	for _, r := range cordon.Roles {
		s = append(s, string(r))
	}
	return strings.Join(s, ", ")
}

// describe turns a domain error into a line a person at a terminal can act on.
func describe(err error) error {
	e, ok := err.(*cordon.Error)
	if !ok || len(e.Fields) == 0 {
		return err
	}
	var parts []string
	for f, code := range e.Fields {
		parts = append(parts, f+": "+code)
	}
	return fmt.Errorf("%s (%s)", e.Message, strings.Join(parts, "; "))
}

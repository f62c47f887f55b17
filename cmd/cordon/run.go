package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// usageError marks a command line that cordon cannot understand.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func exitCode(err error) int {
	var u usageError
	if errors.As(err, &u) || errors.Is(err, flag.ErrHelp) {
		return 2
	}
	return 1
}

type command struct {
	name, summary string
	run           func(ctx context.Context, env *environment, args []string) error
}

// environment is what a subcommand gets from the outside world.
type environment struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

func commands() []command {
	return []command{
		{"serve", "run the server", runServe},
		{"demo", "start on a fresh SQLite file with the Debao demo scenario", runDemo},
		{"migrate", "apply database migrations and exit", runMigrate},
		{"user", "manage accounts: add, list, disable, enable, reset-password", runUser},
		{"backup", "write a consistent copy of a running SQLite database", runBackup},
		{"keygen", "print a new random key for CORDON_DATA_KEY or CORDON_INDEX_KEY", runKeygen},
		{"rekey", "re-encrypt personal data sealed with an old data key, after a rotation", runRekey},
		{"bench", "measure person creation, lookup and start-up on this machine", runBench},
		{"version", "print the version", runVersion},
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	env := &environment{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printUsage(stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			err := c.run(ctx, env, args[1:])
			if errors.Is(err, flag.ErrHelp) {
				return nil
			}
			return err
		}
	}
	printUsage(stderr)
	return usageError{fmt.Sprintf("unknown command %q", args[0])}
}

func printUsage(w io.Writer) {
	var b strings.Builder
	b.WriteString("cordon — epidemic prevention and control command platform\n\nUsage: cordon COMMAND [options]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-9s %s\n", c.name, c.summary)
	}
	b.WriteString("\nRun `cordon COMMAND --help` for a command's options. Every option can also be set\nwith a CORDON_* environment variable; secrets also accept CORDON_*_FILE naming a file.\n")
	io.WriteString(w, b.String())
}

func runVersion(_ context.Context, env *environment, args []string) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	fmt.Fprintln(env.stdout, "cordon", version)
	return nil
}

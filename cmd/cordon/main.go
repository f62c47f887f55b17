// Command cordon runs the epidemic prevention and control command platform:
// the server, the demo scenario, migrations, accounts, backups and
// benchmarks. See `cordon help`.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "cordon:", err)
		os.Exit(exitCode(err))
	}
}

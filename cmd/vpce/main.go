// Command vpce is a local, AWS-compatible implementation of VPC networking
// and VPC endpoints. Run `vpce --help` for its commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/vpce/vpce/internal/cli/exitcode"
	"github.com/vpce/vpce/internal/cli/policycmd"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRootCmd().ExecuteContext(ctx); err != nil {
		code := 1
		var ec *exitcode.Error
		if errors.As(err, &ec) {
			code = ec.Code
		}
		if !errors.Is(err, policycmd.ErrFindings) && err.Error() != "" {
			fmt.Fprintln(os.Stderr, "vpce:", err)
		}
		os.Exit(code)
	}
}

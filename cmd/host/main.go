// Command host is the tourney sidecar: `host serve` runs the HTTP API over
// the plugin backends; the other subcommands are its CLI. See the README.
package main

import (
	"os"

	"github.com/tourney/tourney/internal/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], os.Stdout, os.Stderr))
}

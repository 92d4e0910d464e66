// Command plugin-memory serves the memory backend as a tourney plugin. The
// host launches it; it is not meant to be run by hand.
package main

import (
	"fmt"
	"os"

	"github.com/tourney/tourney/plugins/memory"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/shared/config"
)

func main() {
	cfg, err := config.FromEnv(os.LookupEnv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "plugin-memory:", err)
		os.Exit(2)
	}
	shared.Serve(memory.New(memory.OptionsFromConfig(cfg.Store)), shared.NewPluginLogger("memory"))
}

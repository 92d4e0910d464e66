// Command embedded is a game server that embeds the tourney host as a Go
// library. It runs a tournament of simulated Pong matches: every game of a
// round is played concurrently, as a game server's match goroutines would,
// and each reports its result through the host's Go API.
//
// By default the host uses the memory backend in-process (no plugin, no
// Redis). With -plugins DIR it launches the plugin binaries from DIR as the
// sidecar does, using TOURNEY_PRIMARY and the rest of the environment.
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"github.com/tourney/tourney/host"
	"github.com/tourney/tourney/plugins/memory"
	"github.com/tourney/tourney/shared/config"
	"github.com/tourney/tourney/tournament"
)

func main() {
	players := flag.Int("players", 12, "number of players")
	plugins := flag.String("plugins", "", "directory of plugin binaries (default: in-process memory backend)")
	flag.Parse()
	if err := run(*players, *plugins); err != nil {
		fmt.Fprintln(os.Stderr, "embedded:", err)
		os.Exit(1)
	}
}

func run(players int, pluginDir string) error {
	cfg, err := config.FromEnv(os.LookupEnv)
	if err != nil {
		return err
	}
	cfg.Log.Level = "warn"
	opts := host.Options{Config: cfg}
	if pluginDir == "" {
		opts.Backend, opts.BackendName = memory.New(memory.OptionsFromConfig(cfg.Store)), "memory (in-process)"
	} else {
		opts.Config.Host.PluginDir = pluginDir
	}
	h, err := host.New(opts)
	if err != nil {
		return err
	}
	defer h.Close()
	ctx := host.WithActor(context.Background(), "pong-server-1")
	fmt.Printf("game server up, tournament backend: %s\n", h.Status(ctx).Backend)

	id := time.Now().UnixNano()%1_000_000_000 + 1
	if _, err := h.CreateTournament(ctx,
		tournament.CreateParams{ID: id, Name: "Friday Night Pong", MaxPlayers: players, CreatorID: 1}); err != nil {
		return err
	}
	for p := range players {
		if _, err := h.AddPlayer(ctx, id, int64(1000+p)); err != nil {
			return err
		}
	}
	t, err := h.StartTournament(ctx, id, true)
	if err != nil {
		return err
	}
	for t.Status == tournament.StatusActive {
		round := t.CurrentRound
		games := t.ActiveGames()
		fmt.Printf("round %d: %d matches, byes %v\n", round, len(games), t.Rounds[round-1].Byes)
		var wg sync.WaitGroup
		errs := make(chan error, len(games))
		for _, g := range games {
			wg.Add(1)
			go func() { // one match goroutine per game
				defer wg.Done()
				winner, score := playPong(g)
				fmt.Printf("  match %d: %d vs %d  %s  -> %d\n", g.GameID, g.Player1, g.Player2, score, winner)
				if _, err := h.RegisterResult(ctx, id, g.GameID, winner, 0); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		if err := <-errs; err != nil {
			return err
		}
		if t, err = h.GetTournament(ctx, id); err != nil {
			return err
		}
	}
	fmt.Printf("champion: %d (%d matches, version %d)\n", *t.WinnerID, t.GameCount(), t.Version)
	return nil
}

// playPong simulates a rally-by-rally game to 11, win by two.
func playPong(g tournament.Game) (int64, string) {
	a, b := 0, 0
	for (a < 11 && b < 11) || abs(a-b) < 2 {
		if rand.IntN(2) == 0 {
			a++
		} else {
			b++
		}
		time.Sleep(time.Millisecond)
	}
	if a > b {
		return g.Player1, fmt.Sprintf("%d-%d", a, b)
	}
	return g.Player2, fmt.Sprintf("%d-%d", a, b)
}

func abs(n int) int { return max(n, -n) }

package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"strings"

	"github.com/tourney/tourney/httpapi"
	"github.com/tourney/tourney/shared/config"
	"github.com/tourney/tourney/tournament"
)

// demo plays a whole tournament through the HTTP API: against --addr when
// given, else against a host it starts itself on a free loopback port.
func demo(cfg config.Config, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	serverFlags(fs, &cfg)
	cfg.Host.HTTPAddr = ""
	players := fs.Int("players", 7, "number of players (2..1024)")
	shuffle := fs.Bool("shuffle", false, "draw a random seed order")
	format := fs.String("format", "single_elimination", "single_elimination, double_elimination, round_robin or swiss")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	addr := cfg.Host.HTTPAddr
	if addr == "" {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			fmt.Fprintln(stderr, "demo:", err)
			return 1
		}
		h, srv, err := startServer(cfg, ln)
		if err != nil {
			ln.Close()
			fmt.Fprintln(stderr, "demo: cannot start a host:", err)
			return 2
		}
		defer stopServer(h, srv)
		addr = ln.Addr().String()
		fmt.Fprintf(stdout, "started a host on http://%s (backend: %s)\n", addr, h.Status(context.Background()).Backend)
	}
	c := httpapi.NewClient(addr)
	c.Token, c.Actor = cfg.Host.APIToken, "demo"
	t, err := playDemo(context.Background(), c, *players, tournament.Format(*format), *shuffle, stdout)
	var st tournament.Standings
	if err == nil {
		st, err = c.Standings(context.Background(), t.ID)
	}
	if err != nil {
		fmt.Fprintf(stderr, "demo failed: %s: %v\n", tournament.CodeOf(err), err)
		return 1
	}
	fmt.Fprint(stdout, "\n"+RenderBracket(t)+"\n"+RenderStandings(st))
	return 0
}

// pongScore plays a simulated game of Pong to 11 and returns the winner and
// the score.
func pongScore(p1, p2 int64) (winner int64, a, b int) {
	for a < 11 && b < 11 {
		if rand.IntN(2) == 0 {
			a++
		} else {
			b++
		}
	}
	if a > b {
		return p1, a, b
	}
	return p2, a, b
}

func playDemo(ctx context.Context, c *httpapi.Client, players int, format tournament.Format, shuffle bool,
	out io.Writer) (*tournament.Tournament, error) {
	var t *tournament.Tournament
	var err error
	base := 1000 + rand.Int64N(1_000_000)
	for id := base; id < base+100; id++ { // find a free id
		t, err = c.Create(ctx, tournament.CreateParams{ID: id, Name: "Demo Pong Cup", MaxPlayers: players, CreatorID: 1, Format: format})
		if !errors.Is(err, tournament.ErrAlreadyExists) {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "created tournament %d (%s) for %d players\n", t.ID, t.Format, players)
	// Everybody joins in one call, with a name and a rating.
	es := make([]tournament.Entrant, players)
	for i := range es {
		rating := float64(1200 + rand.IntN(800))
		es[i] = tournament.Entrant{UserID: int64(101 + i), Name: demoName(i), Rating: &rating}
	}
	if t, err = c.AddParticipants(ctx, t.ID, es); err != nil {
		return nil, err
	}
	seeding := tournament.SeedingRating
	if shuffle {
		seeding = tournament.SeedingRandom
	}
	if t, err = c.StartSeeded(ctx, t.ID, seeding, nil); err != nil {
		return nil, err
	}
	name := func(id int64) string { return t.DisplayName(id) }
	var seeds []string
	for i, p := range t.Seeds {
		if i == 8 {
			seeds = append(seeds, fmt.Sprintf("... (%d more)", len(t.Seeds)-8))
			break
		}
		seeds = append(seeds, fmt.Sprintf("%d. %s", i+1, name(p)))
	}
	fmt.Fprintf(out, "started, seeded by %s: %s\n", seeding, strings.Join(seeds, ", "))
	shown := 0
	for t.Status == tournament.StatusActive {
		for ; shown < len(t.Rounds); shown++ {
			r := t.Rounds[shown]
			fmt.Fprintf(out, "round %d (%s): %d games", r.Round, r.Bracket, len(r.Games))
			if len(r.Byes) > 0 {
				byes := make([]string, len(r.Byes))
				for i, p := range r.Byes {
					byes[i] = name(p)
				}
				fmt.Fprintf(out, ", byes for %s", strings.Join(byes, ", "))
			}
			fmt.Fprintln(out)
		}
		g := t.ActiveGames()[0]
		w, a, b := pongScore(g.Player1, g.Player2)
		loser := g.Player1 + g.Player2 - w
		if t, err = c.Result(ctx, t.ID, g.GameID, w, loser); err != nil {
			return nil, err
		}
		fmt.Fprintf(out, "  game %d: %s %d - %d %s, %s wins\n", g.GameID, name(g.Player1), a, b, name(g.Player2), name(w))
	}
	fmt.Fprintf(out, "champion: %s (%d) after %d games\n", name(*t.WinnerID), *t.WinnerID, t.GameCount())
	return t, nil
}

// demoNames are the demo's players' names (beyond 16, numbered: "Ada 2").
var demoNames = []string{"Ada", "Grace", "Linus", "Barbara", "Ken", "Dennis", "Margaret", "Edsger", "Frances", "Donald",
	"Radia", "Niklaus", "Shafi", "Leslie", "Joan", "Tim"}

func demoName(i int) string {
	if i < len(demoNames) {
		return demoNames[i]
	}
	return fmt.Sprintf("%s %d", demoNames[i%len(demoNames)], i/len(demoNames)+1)
}

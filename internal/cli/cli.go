// Package cli is the `host` command: `serve` runs the sidecar (HTTP API over
// a host with its plugins), `demo` plays a tournament through the API, and
// the other subcommands call a running server. The main in cmd/host only
// calls Run.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/tourney/tourney/host"
	"github.com/tourney/tourney/httpapi"
	"github.com/tourney/tourney/shared/config"
	"github.com/tourney/tourney/tournament"
)

const usage = `tourney host: tournament state for game servers.

Usage:
  host serve [flags]                 run the sidecar: HTTP API on TOURNEY_HTTP_ADDR
  host demo [flags]                  play a whole tournament through the API and print the bracket
  host create --id N --name S --max-players N --creator N [--format F]
              [--third-place] [--grand-final none|single|reset] [--rounds N]
              [--best-of N] [--check-in 15m [--starts-at RFC3339]]
  host get ID
  host standings ID                  placements (final, or as things stand)
  host list
  host player USER                   the live tournaments USER is in
  host add-player ID USER [--name S] [--rating N] [--meta JSON] [--members U,U]
                                     register a participant (a team: --members, its lineup)
  host update-player ID USER [--name S] [--rating N | --clear-rating] [--meta JSON] [--members U,U]
                                     change a participant's record (members: before the start)
  host remove-player ID USER
  host seeds ID U,U,...              set the manual seed order, best first ("" clears it)
  host swap-seeds ID A B             swap two participants in the manual seed order
  host start ID [--seeding join|random|rating|manual] [--seeds U,U,...] [--shuffle]
  host result ID GAME WINNER [LOSER] [--scores 11-7,9-11,11-5]
  host correct ID GAME [WINNER] [--forfeit] [--scores 11-7,..] [--dry-run] [--expected-version N]
                                     change a decided game's winner (the games after it follow)
  host end ID                        end an active tournament now, standings as they are
  host forfeit ID GAME [WINNER]      WINNER wins by walkover; no WINNER: a double forfeit
  host check-in ID USER              USER is present (tournaments created with --check-in)
  host call ID GAME                  send a game's players to play (its deadline counts from now)
  host start-game ID GAME            the game's players began
  host disqualify ID USER            USER is out of the active tournament (remove-player: a withdrawal)
  host remove ID
  host export                        JSON Lines on stdout
  host import [FILE]                 JSON Lines from FILE or stdin
  host status
  host conflicts ID                  snapshots that lost a failback reconciliation
  host webhook-add URL [--events game_finished,...] [--tournaments 1,2]
                                     register a webhook; prints its signing secret
  host webhooks                      the registered webhooks
  host webhook-rm WEBHOOK            remove a webhook
  host deliveries WEBHOOK            a webhook's recent deliveries

Client commands talk to --addr (default TOURNEY_HTTP_ADDR, 127.0.0.1:8080),
send TOURNEY_API_TOKEN as the bearer token, and --actor as X-Actor-ID.
Configuration is read from the environment; see the README.
`

// Run runs the command line args (without the program name) and returns
// the exit status: 0 success, 1 a failed call, 2 bad usage or configuration.
func Run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		return 0
	}
	cfg, err := config.FromEnv(os.LookupEnv)
	if err != nil {
		fmt.Fprintln(stderr, "configuration error:", err)
		return 2
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(cfg, rest, stdout, stderr)
	case "demo":
		return demo(cfg, rest, stdout, stderr)
	}
	call, ok := clientCommands[cmd]
	if !ok {
		fmt.Fprintf(stderr, "unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", cfg.Host.HTTPAddr, "address of the tourney server")
	actor := fs.String("actor", "", "caller identity for rate limits (X-Actor-ID)")
	in := &input{fs: fs}
	if call.flags != nil {
		call.flags(in)
	}
	// Flags may come before, between or after the arguments.
	for {
		if err := fs.Parse(rest); err != nil {
			return 2
		}
		if rest = fs.Args(); len(rest) == 0 {
			break
		}
		in.args, rest = append(in.args, rest[0]), rest[1:]
	}
	if len(in.args) != call.nargs && !(call.optional && len(in.args) == call.nargs+1) {
		fmt.Fprintf(stderr, "%s: want %d arguments, got %d\n\n%s", cmd, call.nargs, len(in.args), usage)
		return 2
	}
	c := httpapi.NewClient(*addr)
	c.Token, c.Actor = cfg.Host.APIToken, *actor
	out, err := call.run(context.Background(), c, in)
	if errors.Is(err, errUsage) {
		fmt.Fprintf(stderr, "%s: %v\n", cmd, err)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "error: %s: %v\n", tournament.CodeOf(err), err)
		return 1
	}
	switch v := out.(type) {
	case nil:
	case []byte:
		_, _ = stdout.Write(v)
	default:
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(v)
	}
	return 0
}

var errUsage = errors.New("usage")

type input struct {
	fs   *flag.FlagSet
	args []string
	vals map[string]any
}

func (in *input) int(i int, name string) (int64, error) {
	n, err := strconv.ParseInt(in.args[i], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %s must be an integer, got %q", errUsage, name, in.args[i])
	}
	return n, nil
}

type clientCommand struct {
	nargs    int
	optional bool // one more argument may follow
	flags    func(in *input)
	run      func(ctx context.Context, c *httpapi.Client, in *input) (any, error)
}

// ints parses the positional arguments named by names.
func ints(in *input, names ...string) ([]int64, error) {
	out := make([]int64, len(in.args))
	for i := range in.args {
		n, err := in.int(i, names[i])
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

// single is a command on a tournament: ID.
func single[T any](call func(*httpapi.Client, context.Context, int64) (T, error)) clientCommand {
	return clientCommand{nargs: 1, run: func(ctx context.Context, c *httpapi.Client, in *input) (any, error) {
		a, err := ints(in, "ID")
		if err != nil {
			return nil, err
		}
		return call(c, ctx, a[0])
	}}
}

// pair is a command on a tournament and one of its players or games: ID
// and USER or GAME.
func pair(second string, call func(*httpapi.Client, context.Context, int64, int64) (*tournament.Tournament, error)) clientCommand {
	return clientCommand{nargs: 2, run: func(ctx context.Context, c *httpapi.Client, in *input) (any, error) {
		a, err := ints(in, "ID", second)
		if err != nil {
			return nil, err
		}
		return call(c, ctx, a[0], a[1])
	}}
}

// recordFlags are a participant's record as flags.
func recordFlags(in *input) {
	in.vals = map[string]any{
		"name":    in.fs.String("name", "", "the participant's display name"),
		"rating":  in.fs.String("rating", "", "a rating, for seeding by rating"),
		"meta":    in.fs.String("meta", "", `custom fields, a flat JSON object: {"country":"FR"}`),
		"members": in.fs.String("members", "", "a team's lineup: user ids, comma-separated"),
	}
}

// record reads ID USER and the record flags.
func (in *input) record() ([]int64, httpapi.ParticipantPatch, error) {
	a, err := ints(in, "ID", "USER")
	if err != nil {
		return nil, httpapi.ParticipantPatch{}, err
	}
	p, err := in.patch()
	return a, p, err
}

// patch reads the record flags given (those not given stay nil).
func (in *input) patch() (httpapi.ParticipantPatch, error) {
	var p httpapi.ParticipantPatch
	given := map[string]bool{}
	in.fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if given["name"] {
		p.Name = in.vals["name"].(*string)
	}
	if given["rating"] {
		r, err := strconv.ParseFloat(*in.vals["rating"].(*string), 64)
		if err != nil {
			return p, fmt.Errorf("%w: --rating must be a number, got %q", errUsage, *in.vals["rating"].(*string))
		}
		p.Rating = &r
	}
	if given["meta"] {
		p.Meta = json.RawMessage(*in.vals["meta"].(*string))
		if !json.Valid(p.Meta) {
			return p, fmt.Errorf("%w: --meta must be a JSON object, got %q", errUsage, p.Meta)
		}
	}
	if given["members"] {
		ms, err := idList("--members", *in.vals["members"].(*string))
		if err != nil {
			return p, err
		}
		if ms == nil {
			ms = []int64{}
		}
		p.Members = &ms
	}
	return p, nil
}

// idList parses comma-separated ids ("" = none).
func idList(what, s string) ([]int64, error) {
	var out []int64
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%w: %s wants user ids, comma-separated, got %q", errUsage, what, f)
		}
		out = append(out, n)
	}
	return out, nil
}

var clientCommands = map[string]clientCommand{
	"create": {flags: func(in *input) {
		in.vals = map[string]any{
			"id": in.fs.Int64("id", 0, "tournament id (> 0)"), "name": in.fs.String("name", "", "name"),
			"max": in.fs.Int("max-players", 8, "2..1024"), "creator": in.fs.Int64("creator", 0, "creator user id (> 0)"),
			"ttl":     in.fs.String("ttl-profile", "", "TTL profile (TOURNEY_TTL_PROFILES); default the configured TTLs"),
			"format":  in.fs.String("format", "", "single_elimination (default), double_elimination, round_robin or swiss"),
			"third":   in.fs.Bool("third-place", false, "single_elimination: play a third-place match"),
			"gf":      in.fs.String("grand-final", "", "double_elimination: none, single or reset (default)"),
			"rounds":  in.fs.Int("rounds", 0, "round_robin: 1 or 2 cycles; swiss: number of rounds (default ceil(log2 players))"),
			"checkin": in.fs.String("check-in", "", "players must check in; the window before --starts-at (e.g. 15m)"),
			"starts":  in.fs.String("starts-at", "", "the planned start (RFC 3339), which check-in precedes"),
			"bestof":  in.fs.Int("best-of", 0, "series length of every game: 1, 3, 5 or 7"),
		}
	}, run: func(ctx context.Context, c *httpapi.Client, in *input) (any, error) {
		var starts *time.Time
		if s := *in.vals["starts"].(*string); s != "" {
			at, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return nil, fmt.Errorf("%w: --starts-at must be an RFC 3339 time, got %q", errUsage, s)
			}
			starts = &at
		}
		return c.Create(ctx, tournament.CreateParams{CheckIn: *in.vals["checkin"].(*string), StartsAt: starts,
			BestOf: *in.vals["bestof"].(*int), ID: *in.vals["id"].(*int64), Name: *in.vals["name"].(*string),
			MaxPlayers: *in.vals["max"].(*int), CreatorID: *in.vals["creator"].(*int64), TTLProfile: *in.vals["ttl"].(*string),
			Format: tournament.Format(*in.vals["format"].(*string)), Options: tournament.Options{ThirdPlaceMatch: *in.vals["third"].(*bool),
				GrandFinal: *in.vals["gf"].(*string), Rounds: *in.vals["rounds"].(*int)}})
	}},
	"correct": {nargs: 2, optional: true, flags: func(in *input) {
		in.vals = map[string]any{"dry": in.fs.Bool("dry-run", false, "only show what the correction would do"),
			"expected": in.fs.Int64("expected-version", 0, "the version a dry run answered (refused if the tournament moved on)"),
			"scores":   in.fs.String("scores", "", "the series' scores as corrected: 11-7,9-11,11-5"),
			"forfeit":  in.fs.Bool("forfeit", false, "the corrected result is a walkover (without WINNER: a double forfeit)")}
	}, run: func(ctx context.Context, c *httpapi.Client, in *input) (any, error) {
		a, err := ints(in, "ID", "GAME", "WINNER")
		if err != nil {
			return nil, err
		}
		forfeit := *in.vals["forfeit"].(*bool)
		if len(a) == 2 && !forfeit {
			return nil, fmt.Errorf("%w: correct wants the corrected WINNER (or --forfeit without one, for a double forfeit)", errUsage)
		}
		a = append(a, 0)
		scores, err := parseScores(*in.vals["scores"].(*string))
		if err != nil {
			return nil, err
		}
		return c.CorrectResult(ctx, a[0], a[1], httpapi.CorrectRequest{WinnerID: a[2], Forfeit: forfeit, Scores: scores,
			ExpectedVersion: *in.vals["expected"].(*int64), DryRun: *in.vals["dry"].(*bool)})
	}},
	"forfeit": {nargs: 2, optional: true, run: func(ctx context.Context, c *httpapi.Client, in *input) (any, error) {
		a, err := ints(in, "ID", "GAME", "WINNER")
		if err != nil {
			return nil, err
		}
		a = append(a, 0)
		return c.Forfeit(ctx, a[0], a[1], a[2])
	}},
	"disqualify": pair("USER", (*httpapi.Client).Disqualify),
	"check-in":   pair("USER", (*httpapi.Client).CheckIn),
	"call":       pair("GAME", (*httpapi.Client).CallGame),
	"start-game": pair("GAME", (*httpapi.Client).StartGame),
	"end":        single((*httpapi.Client).End),
	"standings":  single((*httpapi.Client).Standings),
	"get":        single((*httpapi.Client).Get),
	"player": {nargs: 1, run: func(ctx context.Context, c *httpapi.Client, in *input) (any, error) {
		a, err := ints(in, "USER")
		if err != nil {
			return nil, err
		}
		l, err := c.PlayerTournaments(ctx, a[0])
		return map[string]any{"tournaments": l}, err
	}},
	"list": {run: func(ctx context.Context, c *httpapi.Client, in *input) (any, error) {
		l, err := c.List(ctx)
		return map[string]any{"tournaments": l}, err
	}},
	"add-player": {nargs: 2, flags: recordFlags, run: func(ctx context.Context, c *httpapi.Client, in *input) (any, error) {
		a, p, err := in.record()
		if err != nil {
			return nil, err
		}
		e := tournament.Entrant{UserID: a[1], Rating: p.Rating, Meta: p.Meta}
		if p.Name != nil {
			e.Name = *p.Name
		}
		if p.Members != nil {
			e.Members = *p.Members
		}
		return c.AddParticipant(ctx, a[0], e)
	}},
	"update-player": {nargs: 2, flags: func(in *input) {
		recordFlags(in)
		in.vals["clear-rating"] = in.fs.Bool("clear-rating", false, "remove the rating")
	}, run: func(ctx context.Context, c *httpapi.Client, in *input) (any, error) {
		a, p, err := in.record()
		if err != nil {
			return nil, err
		}
		p.ClearRating = *in.vals["clear-rating"].(*bool)
		return c.UpdateParticipant(ctx, a[0], a[1], p)
	}},
	"seeds": {nargs: 2, run: func(ctx context.Context, c *httpapi.Client, in *input) (any, error) {
		id, err := in.int(0, "ID")
		if err != nil {
			return nil, err
		}
		seeds, err := idList("seeds", in.args[1])
		if err != nil {
			return nil, err
		}
		return c.SetSeeds(ctx, id, seeds)
	}},
	"swap-seeds": {nargs: 3, run: func(ctx context.Context, c *httpapi.Client, in *input) (any, error) {
		a, err := ints(in, "ID", "A", "B")
		if err != nil {
			return nil, err
		}
		return c.SwapSeeds(ctx, a[0], a[1], a[2])
	}},
	"remove-player": pair("USER", (*httpapi.Client).RemovePlayer),
	"start": {nargs: 1, flags: func(in *input) {
		in.vals = map[string]any{"shuffle": in.fs.Bool("shuffle", false, "draw a random seed order (--seeding random)"),
			"seeding": in.fs.String("seeding", "", "join (default), random, rating or manual"),
			"seeds":   in.fs.String("seeds", "", "the manual seed order, best first: U,U,..."),
		}
	}, run: func(ctx context.Context, c *httpapi.Client, in *input) (any, error) {
		a, err := ints(in, "ID")
		if err != nil {
			return nil, err
		}
		seeding := *in.vals["seeding"].(*string)
		if *in.vals["shuffle"].(*bool) {
			if seeding != "" && seeding != tournament.SeedingRandom {
				return nil, fmt.Errorf("%w: --shuffle is --seeding random, not %s", errUsage, seeding)
			}
			seeding = tournament.SeedingRandom
		}
		seeds, err := idList("--seeds", *in.vals["seeds"].(*string))
		if err != nil {
			return nil, err
		}
		return c.StartSeeded(ctx, a[0], seeding, seeds)
	}},
	"result": {nargs: 3, optional: true, flags: func(in *input) {
		in.vals = map[string]any{"scores": in.fs.String("scores", "", "the series' scores, player_1's first: 11-7,9-11,11-5")}
	}, run: func(ctx context.Context, c *httpapi.Client, in *input) (any, error) {
		a, err := ints(in, "ID", "GAME", "WINNER", "LOSER")
		if err != nil {
			return nil, err
		}
		a = append(a, 0)
		scores, err := parseScores(*in.vals["scores"].(*string))
		if err != nil {
			return nil, err
		}
		if scores != nil {
			return c.ResultWithScores(ctx, a[0], a[1], a[2], scores)
		}
		return c.Result(ctx, a[0], a[1], a[2], a[3])
	}},
	"remove": {nargs: 1, run: func(ctx context.Context, c *httpapi.Client, in *input) (any, error) {
		a, err := ints(in, "ID")
		if err != nil {
			return nil, err
		}
		return map[string]any{"removed": a[0]}, c.Remove(ctx, a[0])
	}},
	"export": {run: func(ctx context.Context, c *httpapi.Client, in *input) (any, error) {
		return c.Export(ctx)
	}},
	"import": {optional: true, run: func(ctx context.Context, c *httpapi.Client, in *input) (any, error) {
		var r io.Reader = os.Stdin
		if len(in.args) == 1 && in.args[0] != "-" {
			f, err := os.Open(in.args[0])
			if err != nil {
				return nil, fmt.Errorf("%w: %v", errUsage, err)
			}
			defer f.Close()
			r = f
		}
		n, err := c.Import(ctx, r)
		return map[string]int{"imported": n}, err
	}},
	"conflicts": {nargs: 1, run: func(ctx context.Context, c *httpapi.Client, in *input) (any, error) {
		a, err := ints(in, "ID")
		if err != nil {
			return nil, err
		}
		l, err := c.Conflicts(ctx, a[0])
		return map[string]any{"conflicts": l}, err
	}},
	"status": {run: func(ctx context.Context, c *httpapi.Client, in *input) (any, error) {
		return c.Status(ctx)
	}},
	"webhook-add": {nargs: 1, flags: func(in *input) {
		in.vals = map[string]any{"events": in.fs.String("events", "", "event types to send, comma-separated (default every type)"),
			"tournaments": in.fs.String("tournaments", "", "tournament ids, comma-separated (default every tournament)")}
	}, run: func(ctx context.Context, c *httpapi.Client, in *input) (any, error) {
		p := host.WebhookParams{URL: in.args[0]}
		for e := range strings.SplitSeq(*in.vals["events"].(*string), ",") {
			if e = strings.TrimSpace(e); e != "" {
				p.Events = append(p.Events, tournament.EventType(e))
			}
		}
		ts, err := idList("--tournaments", *in.vals["tournaments"].(*string))
		if err != nil {
			return nil, err
		}
		p.Tournaments = ts
		return c.CreateWebhook(ctx, p)
	}},
	"webhooks": {run: func(ctx context.Context, c *httpapi.Client, in *input) (any, error) {
		l, err := c.Webhooks(ctx)
		return map[string]any{"webhooks": l}, err
	}},
	"webhook-rm": {nargs: 1, run: func(ctx context.Context, c *httpapi.Client, in *input) (any, error) {
		return nil, c.DeleteWebhook(ctx, in.args[0])
	}},
	"deliveries": {nargs: 1, run: func(ctx context.Context, c *httpapi.Client, in *input) (any, error) {
		l, err := c.WebhookDeliveries(ctx, in.args[0], 0)
		return map[string]any{"deliveries": l}, err
	}},
}

// parseScores reads "11-7,9-11" (player_1's score first); "" is none.
func parseScores(s string) ([][2]int, error) {
	if s == "" {
		return nil, nil
	}
	var out [][2]int
	for _, part := range strings.Split(s, ",") {
		a, b, ok := strings.Cut(strings.TrimSpace(part), "-")
		x, err1 := strconv.Atoi(a)
		y, err2 := strconv.Atoi(b)
		if !ok || err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%w: --scores wants games as P1-P2 separated by commas (11-7,9-11), got %q", errUsage, part)
		}
		out = append(out, [2]int{x, y})
	}
	return out, nil
}

// RenderStandings writes standings as a table.
func RenderStandings(st tournament.Standings) string {
	var b strings.Builder
	what := "Standings"
	if st.Final {
		what = "Final standings"
	}
	fmt.Fprintf(&b, "%s (%s)\n", what, st.Format)
	for _, s := range st.Standings {
		fmt.Fprintf(&b, "  %3d. %-16s %d-%d", s.Place, clipName(s.Name, 16), s.Wins, s.Losses)
		if s.Byes > 0 {
			fmt.Fprintf(&b, " (%d bye)", s.Byes)
		}
		if st.Format == tournament.RoundRobin || st.Format == tournament.Swiss {
			fmt.Fprintf(&b, "  %d pts", s.Points)
			for _, tb := range s.Tiebreaks {
				fmt.Fprintf(&b, "  %s %d", tb.Name, tb.Value)
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// clipName fits a name in n characters.
func clipName(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// RenderBracket draws a tournament round by round as text, participants by
// name.
func RenderBracket(t *tournament.Tournament) string {
	var b strings.Builder
	name := func(id int64) string { return clipName(t.DisplayName(id), 16) }
	fmt.Fprintf(&b, "%s (#%d): %s, %d players, version %d\n", t.Name, t.ID, t.Status, len(t.Players), t.Version)
	for _, r := range t.Rounds {
		if r.Bracket != "" {
			fmt.Fprintf(&b, "  Round %d (%s)\n", r.Round, strings.ReplaceAll(r.Bracket, "_", " "))
		} else {
			fmt.Fprintf(&b, "  Round %d\n", r.Round)
		}
		for _, g := range r.Games {
			outcome := "playing"
			if g.WinnerID != nil {
				outcome = "winner " + name(*g.WinnerID)
				if g.Status == tournament.GameTimedOut {
					outcome += " (timed out)"
				}
			}
			fmt.Fprintf(&b, "    game %-3d %16s vs %-16s  %s\n", g.GameID, name(g.Player1), name(g.Player2), outcome)
		}
		for _, p := range r.Byes {
			fmt.Fprintf(&b, "    bye      %16s\n", name(p))
		}
	}
	if t.WinnerID != nil {
		fmt.Fprintf(&b, "  Champion: %s\n", t.DisplayName(*t.WinnerID))
	}
	return b.String()
}

package chaos

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/tourney/tourney/host"
	"github.com/tourney/tourney/httpapi"
	"github.com/tourney/tourney/internal/testutil"
	"github.com/tourney/tourney/tournament"
)

// linInput is one recorded call.
type linInput struct {
	TID  int64
	Kind string // join, leave, start, result, get
	A, B int64
}

// linOutput is what the call returned. Unknown marks a call whose effect
// is not known (unavailable, timeouts): it may or may not have happened.
// Refused marks a call the host refused before any store saw it
// (unavailable with the not_applied reason): it must have had no effect.
type linOutput struct {
	Code    tournament.Code
	Version int64
	View    string // for get
	Unknown bool
	Refused bool
}

func (in linInput) command() tournament.Command {
	switch in.Kind {
	case "join":
		return tournament.AddPlayer{UserID: in.A}
	case "leave":
		return tournament.RemovePlayer{UserID: in.A}
	case "start":
		return tournament.Start{}
	case "result":
		return tournament.RegisterResult{GameID: in.A, WinnerID: in.B}
	}
	return nil
}

// view is the part of a tournament that a model and a real run agree on:
// status, players, seeds, every game's players, status and winner, the
// winner and the version; no ids or times.
func view(t *tournament.Tournament) string {
	type g struct {
		ID, P1, P2 int64
		Status     tournament.GameStatus
		W          int64
	}
	var games []g
	for _, r := range t.Rounds {
		for _, x := range r.Games {
			w := int64(0)
			if x.WinnerID != nil {
				w = *x.WinnerID
			}
			games = append(games, g{x.GameID, x.Player1, x.Player2, x.Status, w})
		}
	}
	b, _ := json.Marshal([]any{t.Status, t.Players, t.Seeds, games, t.WinnerID, t.Version})
	return string(b)
}

// engineModel is the tournament engine as a porcupine model: the reference
// a linearizable history must agree with, one partition per tournament.
func engineModel() porcupine.Model {
	env := tournament.Env{Now: time.Unix(1_700_000_000, 0).UTC(), GameTimeout: time.Hour}
	return porcupine.Model{
		Partition: func(h []porcupine.Operation) [][]porcupine.Operation {
			by := map[int64][]porcupine.Operation{}
			for _, op := range h {
				id := op.Input.(linInput).TID
				by[id] = append(by[id], op)
			}
			var out [][]porcupine.Operation
			for _, ops := range by {
				out = append(out, ops)
			}
			return out
		},
		Init: func() interface{} {
			t, _, _ := tournament.New(tournament.CreateParams{ID: 1, Name: "lin", MaxPlayers: 8, CreatorID: 1}, env)
			return t
		},
		Step: func(state, input, output interface{}) (bool, interface{}) {
			t, in, out := state.(*tournament.Tournament), input.(linInput), output.(linOutput)
			if in.Kind == "get" {
				return out.Unknown || out.Refused || out.View == view(t), t
			}
			if out.Refused {
				return true, t
			}
			next, _, err := tournament.Apply(t, in.command(), env)
			switch {
			case out.Unknown:
				return true, next
			case out.Code == tournament.CodeAborted:
				return true, t // lock contention: refused, nothing written
			}
			if tournament.CodeOf(err) != out.Code {
				return false, t
			}
			return err != nil || next.Version == out.Version, next
		},
		Equal: func(a, b interface{}) bool {
			return view(a.(*tournament.Tournament)) == view(b.(*tournament.Tournament))
		},
		DescribeOperation: func(input, output interface{}) string {
			in, out := input.(linInput), output.(linOutput)
			res := fmt.Sprintf("v%d", out.Version)
			switch {
			case out.Unknown:
				res = "?"
			case out.Refused:
				res = "refused"
			case out.Code != "":
				res = string(out.Code)
			}
			return fmt.Sprintf("t%d %s(%d,%d) -> %s", in.TID, in.Kind, in.A, in.B, res)
		},
		DescribeState: func(s interface{}) string { return view(s.(*tournament.Tournament)) },
	}
}

// record runs clients against hosts and returns the history.
func record(t *testing.T, clients []*httpapi.Client, tournaments []int64, opsPerClient int, think time.Duration) []porcupine.Operation {
	start := time.Now()
	var mu sync.Mutex
	var history []porcupine.Operation
	var wg sync.WaitGroup
	for ci, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(ci), 42))
			for range opsPerClient {
				time.Sleep(think)
				in := linInput{TID: tournaments[ci%len(tournaments)]}
				switch p := rng.IntN(100); {
				case p < 35:
					in.Kind, in.A = "join", int64(1+rng.IntN(10))
				case p < 47:
					in.Kind, in.A = "leave", int64(1+rng.IntN(10))
				case p < 51:
					in.Kind = "start"
				case p < 85:
					in.Kind, in.A, in.B = "result", int64(1+rng.IntN(4)), int64(1+rng.IntN(10))
				default:
					in.Kind = "get"
				}
				call := time.Since(start).Nanoseconds()
				var tr *tournament.Tournament
				var err error
				switch in.Kind {
				case "join":
					tr, err = c.AddPlayer(bg, in.TID, in.A)
				case "leave":
					tr, err = c.RemovePlayer(bg, in.TID, in.A)
				case "start":
					tr, err = c.Start(bg, in.TID, false)
				case "result":
					tr, err = c.Result(bg, in.TID, in.A, in.B, 0)
				case "get":
					tr, err = c.Get(bg, in.TID)
				}
				ret := time.Since(start).Nanoseconds()
				out := linOutput{Code: tournament.CodeOf(err)}
				if err == nil {
					out.Version = tr.Version
					out.View = view(tr)
				}
				var de *tournament.Error
				if errors.As(err, &de) && de.Reason == host.ReasonNotApplied {
					out = linOutput{Refused: true}
				} else if err != nil && (errors.Is(err, tournament.ErrUnavailable) || out.Code == tournament.CodeInternal) {
					if in.Kind == "get" {
						continue // a failed read says nothing
					}
					out, ret = linOutput{Unknown: true}, math.MaxInt64
				}
				mu.Lock()
				history = append(history, porcupine.Operation{ClientId: ci, Input: in, Call: call, Output: out, Return: ret})
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return history
}

func checkLinearizable(t *testing.T, name string, history []porcupine.Operation) {
	t.Helper()
	model := engineModel()
	res, info := porcupine.CheckOperationsVerbose(model, history, 60*time.Second)
	counts := map[string]int{}
	for _, op := range history {
		out := op.Output.(linOutput)
		switch {
		case out.Unknown:
			counts["unknown"]++
		case out.Refused:
			counts["refused"]++
		case out.Code == "":
			counts["ok"]++
		default:
			counts[string(out.Code)]++
		}
	}
	t.Logf("%s: %d operations %v: %s", name, len(history), counts, res)
	if res == porcupine.Ok {
		return
	}
	dir := os.Getenv("CHAOS_ARTIFACTS")
	if dir == "" {
		dir = os.TempDir()
	}
	path := filepath.Join(dir, "tourney-linearizability-"+name+".html")
	if err := porcupine.VisualizePath(model, info, path); err != nil {
		t.Logf("visualization: %v", err)
	}
	t.Fatalf("%s: the history is not linearizable (%s); visualization in %s", name, res, path)
}

// Three hosts, eight clients, two shared tournaments; checked against the
// engine with porcupine. TOURNEY_FALLBACK=off: with the memory fallback a
// host cut off from Redis trades linearizability for availability (see
// docs/FAILURE_MODES.md), so that case is checked by the split-brain test.
// The read cache is off across hosts (another host's write reaches a
// cached read within the publish delay, not at once); with one host and
// the cache on, every read sees every write acknowledged before it.
func TestLinearizable(t *testing.T) {
	for _, sc := range []struct {
		name  string
		think time.Duration
		setup func(t *testing.T, r *testutil.Redis) (addr string, during func(hs []*testutil.HostProc, done <-chan struct{}))
		hosts int
		env   []string
	}{
		{"one host, read cache on", 0, func(t *testing.T, r *testutil.Redis) (string, func([]*testutil.HostProc, <-chan struct{})) {
			return r.Addr(), nil
		}, 1, []string{"TOURNEY_READ_CACHE=on"}},
		{"healthy", 0, func(t *testing.T, r *testutil.Redis) (string, func([]*testutil.HostProc, <-chan struct{})) {
			return r.Addr(), nil
		}, 3, nil},
		{"latency", 0, func(t *testing.T, r *testutil.Redis) (string, func([]*testutil.HostProc, <-chan struct{})) {
			p := newProxy(t, r.Addr())
			p.toxic(t, "slow", "latency", `{"latency":15,"jitter":10}`)
			return p.Addr, nil
		}, 3, nil},
		{"plugin-kills", 40 * time.Millisecond,
			func(t *testing.T, r *testutil.Redis) (string, func([]*testutil.HostProc, <-chan struct{})) {
				return r.Addr(), func(hs []*testutil.HostProc, done <-chan struct{}) {
					for i := 0; ; i++ {
						select {
						case <-done:
							return
						case <-time.After(250 * time.Millisecond):
						}
						if pid := hs[i%len(hs)].PluginPIDs(t)["redis"]; pid != 0 {
							_ = syscall.Kill(pid, syscall.SIGKILL)
						}
					}
				}
			}, 3, nil},
	} {
		t.Run(sc.name, func(t *testing.T) {
			r := testutil.StartRedis(t)
			addr, during := sc.setup(t, r)
			var hs []*testutil.HostProc
			env := append([]string{"TOURNEY_FALLBACK=off", "TOURNEY_READ_CACHE=off"}, sc.env...)
			for range sc.hosts {
				hs = append(hs, startHost(t, addr, env...))
			}
			tids := []int64{1, 2, 3, 4}
			for _, id := range tids {
				eventually(t, 10*time.Second, func() error {
					_, err := hs[0].Client.Create(bg, tournament.CreateParams{ID: id, Name: "lin", MaxPlayers: 8, CreatorID: 1})
					return err
				})
			}
			var clients []*httpapi.Client
			for i := range 8 {
				clients = append(clients, httpapi.NewClient(hs[i%len(hs)].Addr))
			}
			done := make(chan struct{})
			if during != nil {
				go during(hs, done)
			}
			history := record(t, clients, tids, 40, sc.think)
			close(done)
			checkLinearizable(t, sc.name, history)
		})
	}
}

// The checker is not vacuous: a lost update (two sequential joins of the
// same player both acknowledged) is rejected.
func TestModelRejectsADoubleJoin(t *testing.T) {
	join := linInput{TID: 1, Kind: "join", A: 5}
	history := []porcupine.Operation{
		{ClientId: 0, Input: join, Call: 0, Output: linOutput{Version: 2}, Return: 10},
		{ClientId: 1, Input: join, Call: 20, Output: linOutput{Version: 2}, Return: 30},
	}
	if porcupine.CheckOperations(engineModel(), history) {
		t.Fatal("a history where one player joined twice was accepted")
	}
	history[1].Output = linOutput{Code: tournament.CodeAlreadyExists}
	if !porcupine.CheckOperations(engineModel(), history) {
		t.Fatal("a correct history was rejected")
	}
}

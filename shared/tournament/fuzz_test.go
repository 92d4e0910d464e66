package tournament

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// FuzzCommandSequences decodes the input as a sequence of commands against
// one tournament and checks the engine's invariants after every step.
func FuzzCommandSequences(f *testing.F) {
	f.Add([]byte{8, 0, 1, 0, 2, 0, 3, 0, 4, 2, 0, 3, 0, 3, 1, 3, 2, 3, 3})
	f.Add([]byte{2, 0, 1, 0, 1, 2, 1, 3, 0, 0, 4, 0, 3, 1})
	f.Add([]byte{33, 0, 5, 1, 5, 0, 6, 0, 7, 2, 1, 4, 2, 4, 0, 3, 0, 3, 0})
	f.Add([]byte{8 | 1<<5, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 2, 0, 3, 0, 3, 1, 3, 2, 3, 3, 3, 5, 3, 6})
	f.Add([]byte{8 | 2<<5, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 2, 0, 3, 0, 3, 1, 3, 2, 3, 3, 4, 1})
	f.Add([]byte{8 | 3<<5, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 2, 0, 3, 0, 3, 1, 3, 2, 3, 3, 4, 0})
	f.Add([]byte{8 | 4<<5, 0, 1, 0, 2, 0, 3, 0, 4, 2, 0, 3, 0, 3, 1, 3, 2, 3, 3, 3, 4})
	f.Fuzz(runFuzzBody)
}

func runFuzzBody(t *testing.T, in []byte) {
	if len(in) == 0 || len(in) > 600 { // long inputs only repeat short ones, slowly
		return
	}
	e := Env{Now: t0, Rand: rand.New(rand.NewPCG(uint64(len(in)), 7)), GameTimeout: time.Minute}
	// The first byte chooses the size (low 5 bits), the format and its
	// options (high bits).
	f := []Format{SingleElimination, DoubleElimination, RoundRobin, Swiss}[(in[0]>>5)%4]
	var o Options
	switch {
	case f == SingleElimination && in[0]>>7 == 1:
		o.ThirdPlaceMatch = true
	case f == DoubleElimination && in[0]>>7 == 1:
		o.GrandFinal = GrandFinalSingle
	}
	checkIn := ""
	if len(in)%3 == 0 {
		checkIn = "10m"
	}
	bestOf := []int{0, 1, 3, 0}[len(in)%4]
	tr, _, err := New(CreateParams{ID: 1, Name: "fuzz", MaxPlayers: 2 + int(in[0])%31, CreatorID: 1, Format: f, Options: o, CheckIn: checkIn, BestOf: bestOf}, e)
	if err != nil {
		t.Fatal(err)
	}
	eliminated := map[int64]bool{}
	for i := 1; i+1 < len(in); i += 2 {
		op, arg := in[i]%7, in[i+1]
		e.Now = e.Now.Add(time.Duration(arg%40) * time.Second)
		var cmd Command
		switch op {
		case 0:
			cmd = AddPlayer{UserID: int64(arg % 40)}
		case 1:
			cmd = RemovePlayer{UserID: int64(arg % 40)}
			if arg&64 != 0 || checkIn != "" && arg&1 == 0 {
				cmd = CheckIn{UserID: int64(arg % 40)}
			}
		case 2:
			cmd = Start{Shuffle: arg%2 == 1}
		case 3:
			// Mostly real games and players, sometimes nonsense.
			gid, w := int64(arg%8), int64(arg%40)
			if act := tr.ActiveGames(); len(act) > 0 && arg%4 != 0 {
				g := act[int(arg)%len(act)]
				gid, w = g.GameID, []int64{g.Player1, g.Player2}[arg%2]
			}
			cmd = RegisterResult{GameID: gid, WinnerID: w, Forfeit: arg&16 != 0}
			if arg&32 != 0 { // scores, right or wrong
				cmd = RegisterResult{GameID: gid, WinnerID: w, Scores: [][2]int{{int(arg % 3), int(arg % 5)}, {int(arg % 7), 1}}[:1+int(arg)%2]}
			}
		case 4:
			cmd = ResolveTimeouts{Policy: []TimeoutPolicy{TimeoutRandom, TimeoutHigherSeed, TimeoutNone}[arg%3]}
		case 5:
			// A correction of a decided game, sometimes of nonsense.
			c := CorrectResult{GameID: int64(arg % 8), WinnerID: int64(arg % 40)}
			var decided []Game
			for _, r := range tr.Rounds {
				for _, g := range r.Games {
					if g.Status != GameActive {
						decided = append(decided, g)
					}
				}
			}
			if len(decided) > 0 && arg%4 != 0 {
				g := decided[int(arg)%len(decided)]
				c = CorrectResult{GameID: g.GameID, WinnerID: []int64{g.Player1, g.Player2}[arg%2]}
			}
			cmd = c
		case 6:
			switch act := tr.ActiveGames(); {
			case arg%8 == 0: // rarely: it ends the sequence's tournament
				cmd = EndTournament{}
			case arg%8 < 3:
				cmd = Disqualify{UserID: int64(arg % 40)}
			case arg%8 < 5 && len(act) > 0:
				cmd = RegisterResult{GameID: act[int(arg)%len(act)].GameID, Forfeit: true}
			case arg%8 == 5 && len(act) > 0:
				cmd = CallGame{GameID: act[int(arg)%len(act)].GameID}
			case arg%8 == 6 && len(act) > 0:
				cmd = StartGame{GameID: act[int(arg)%len(act)].GameID}
			default:
				cmd = RemovePlayer{UserID: int64(arg % 40)}
			}
		}
		before := string(tr.AppendJSON(nil))
		next, evs, err := Apply(tr, cmd, e)
		if after := string(tr.AppendJSON(nil)); after != before {
			t.Fatalf("Apply(%s) modified the state it was given", cmd.Name())
		}
		if err != nil {
			if CodeOf(err) == CodeInternal || next != tr || evs != nil {
				t.Fatalf("%s failed badly: %v", cmd.Name(), err)
			}
			continue
		}
		if (len(evs) == 0) != (next == tr) {
			t.Fatalf("%s: events %d but changed %v", cmd.Name(), len(evs), next != tr)
		}
		if next != tr && next.Version != tr.Version+1 {
			t.Fatalf("%s: version %d -> %d", cmd.Name(), tr.Version, next.Version)
		}
		tr = next
		clear(eliminated) // a correction brings players back
		checkInvariants(t, tr, eliminated)
	}
}

func checkInvariants(t *testing.T, tr *Tournament, eliminated map[int64]bool) {
	t.Helper()
	if err := Validate(tr); err != nil {
		t.Fatalf("engine produced an invalid state: %v\n%s", err, tr.AppendJSON(nil))
	}
	busy := map[int64]bool{}
	for _, g := range tr.ActiveGames() {
		for _, p := range []int64{g.Player1, g.Player2} {
			if busy[p] {
				t.Fatalf("player %d is in two active games", p)
			}
			if eliminated[p] && tr.Rounds[g.Round-1].Bracket != BracketThirdPlace {
				t.Fatalf("eliminated player %d plays again in game %d", p, g.GameID)
			}
			busy[p] = true
		}
	}
	// Who is out: single elimination after a loss (but in the third-place
	// match), double elimination after two; nobody in round robin and Swiss.
	lost := map[int64]int{}
	for _, r := range tr.Rounds {
		for _, g := range r.Games {
			if g.LoserID == nil || r.Bracket == BracketThirdPlace {
				continue
			}
			lost[*g.LoserID]++
			switch tr.format() {
			case SingleElimination:
				eliminated[*g.LoserID] = true
			case DoubleElimination:
				if lost[*g.LoserID] >= 2 {
					eliminated[*g.LoserID] = true
				}
			}
		}
	}
	doubleForfeits := false
	for _, r := range tr.Rounds {
		for _, g := range r.Games {
			doubleForfeits = doubleForfeits || g.Status == GameFinished && g.WinnerID == nil
		}
	}
	if tr.Status == StatusCompleted && tr.format() == SingleElimination && !tr.Ended && !doubleForfeits && len(tr.Dropped) == 0 {
		if tr.WinnerID == nil || eliminated[*tr.WinnerID] || len(eliminated) != len(tr.Players)-1 {
			t.Fatalf("completed with winner %v and %d of %d eliminated", tr.WinnerID, len(eliminated), len(tr.Players))
		}
		third := 0
		if tr.Options.ThirdPlaceMatch && len(tr.Players) >= 4 {
			third = 1
		}
		if tr.GameCount() != len(tr.Players)-1+third {
			t.Fatalf("%d games for %d players", tr.GameCount(), len(tr.Players))
		}
	}
	if tr.Status == StatusCompleted && tr.format() == DoubleElimination && !tr.Ended && !doubleForfeits && len(tr.Dropped) == 0 {
		if n, g := len(tr.Players), tr.GameCount(); g < 2*n-3 || g > 2*n-1 {
			t.Fatalf("double elimination: %d games for %d players", g, n)
		}
	}
	if tr.Status != StatusPending && len(tr.Standings().Standings) != len(tr.Players) {
		t.Fatalf("standings do not list every player")
	}
	b, _ := json.Marshal(tr)
	var back Tournament
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(*tr, back) {
		t.Fatalf("JSON round trip lost state: %v", err)
	}
}

package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tourney/tourney/tournament"
)

// ParticipantFigures compares results in a 1024-participant tournament
// whose participants have full records (a name, a rating and 2 KiB of
// meta each) with the same tournament of bare ids: the records live apart
// from the state, so a result must cost the same and send as many bytes.
type ParticipantFigures struct {
	Players          int     `json:"players"`
	RecordBytes      int     `json:"record_bytes"` // the records' JSON, what a result must not re-send
	BareResultP50    float64 `json:"bare_register_result_p50_us"`
	FullResultP50    float64 `json:"full_register_result_p50_us"`
	Ratio            float64 `json:"full_x_bare"`
	BareBytesPerCall float64 `json:"bare_bytes_to_redis_per_result"`
	FullBytesPerCall float64 `json:"full_bytes_to_redis_per_result"`
	FullCreateMS     float64 `json:"full_create_ms"` // the create that carries every record (one call)
}

// participantCost plays the results of two tournaments of n participants
// (created with every participant in the one create call), bare and with
// full records, alternating calls so both see the same machine, and reads
// the bytes Redis received (INFO total_net_input_bytes) around each
// result.
func participantCost(c client, counter redisCounter, n, results int) ParticipantFigures {
	base := time.Now().UnixNano()%1_000_000_000*1000 + 700_000_000
	meta := json.RawMessage(`{"bio":"` + strings.Repeat("x", 2000) + `","club":"Pong Club"}`)
	mk := func(full bool) []tournament.Entrant {
		es := make([]tournament.Entrant, n)
		for i := range es {
			es[i] = tournament.Entrant{UserID: int64(i + 1)}
			if full {
				r := float64(1000 + i)
				es[i].Name, es[i].Rating, es[i].Meta = fmt.Sprintf("Participant number %d", i+1), &r, meta
			}
		}
		return es
	}
	out := ParticipantFigures{Players: n}
	ids := [2]int64{base, base + 1}
	states := [2]*tournament.Tournament{}
	for i, full := range []bool{false, true} {
		t0 := time.Now()
		if _, err := c.Create(ctx, tournament.CreateParams{ID: ids[i], Name: "Records", MaxPlayers: n, CreatorID: 1,
			Participants: mk(full)}); err != nil {
			harness{}.Fatalf("participants: %v", err)
		}
		if full {
			out.FullCreateMS = ms(time.Since(t0))
		}
		t, err := c.Start(ctx, ids[i], false)
		if err != nil {
			harness{}.Fatalf("participants: %v", err)
		}
		states[i] = t
	}
	out.RecordBytes = len(tournament.AppendParticipantsJSON(nil, states[1].Participants))
	var times [2][]time.Duration
	var bytes [2]float64
	for k := 0; k < results; k++ {
		for i := range 2 {
			g := states[i].ActiveGames()[0]
			before := inputBytes(counter)
			t0 := time.Now()
			t, err := c.Result(ctx, ids[i], g.GameID, g.Player1, 0)
			times[i] = append(times[i], time.Since(t0))
			bytes[i] += inputBytes(counter) - before
			if err != nil {
				harness{}.Fatalf("participants: %v", err)
			}
			states[i] = t
		}
	}
	out.BareResultP50, out.FullResultP50 = summarize(times[0]).P50, summarize(times[1]).P50
	out.Ratio = out.FullResultP50 / out.BareResultP50
	// Less the INFO call that reads the counter.
	out.BareBytesPerCall, out.FullBytesPerCall = bytes[0]/float64(results), bytes[1]/float64(results)
	return out
}

// inputBytes is Redis's total_net_input_bytes (what every client sent it).
func inputBytes(counter redisCounter) float64 {
	s, _ := counter.c.Info(ctx, "stats").Result()
	for _, l := range strings.Split(s, "\r\n") {
		if v, ok := strings.CutPrefix(l, "total_net_input_bytes:"); ok {
			n, _ := strconv.ParseFloat(v, 64)
			return n
		}
	}
	return 0
}

func printParticipants(p *ParticipantFigures) {
	if p == nil {
		return
	}
	fmt.Printf("\nparticipants' records (Redis, Go API, %d participants; the records: %d bytes of JSON, "+
		"a name, a rating and 2 KiB of meta each):\n", p.Players, p.RecordBytes)
	fmt.Printf("  register_result p50: bare ids %.0f us, full records %.0f us (%.2fx)\n", p.BareResultP50, p.FullResultP50, p.Ratio)
	fmt.Printf("  bytes sent to Redis per result (with one INFO call): bare ids %.0f, full records %.0f\n",
		p.BareBytesPerCall, p.FullBytesPerCall)
	fmt.Printf("  the create carrying every record: %.0f ms\n", p.FullCreateMS)
}

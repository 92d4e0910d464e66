// The tournament routes: create, read, change, correct, standings.

package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tourney/tourney/host"
	"github.com/tourney/tourney/tournament"
)

// createBody is a create request. A format's options come either at the
// top level (third_place_match, grand_final, rounds) or as the object
// "options" that a tournament's JSON shows; not both.
type createBody struct {
	ID              int64                `json:"id"`
	Name            string               `json:"name"`
	MaxPlayers      int                  `json:"max_players"`
	CreatorID       int64                `json:"creator_id"`
	TTLProfile      string               `json:"ttl_profile"`
	Format          tournament.Format    `json:"format"`
	ThirdPlaceMatch bool                 `json:"third_place_match"`
	GrandFinal      string               `json:"grand_final"`
	Rounds          int                  `json:"rounds"`
	Options         *tournament.Options  `json:"options"`
	CheckIn         string               `json:"check_in"`
	StartsAt        *time.Time           `json:"starts_at"`
	BestOf          int                  `json:"best_of"`
	BestOfByRound   map[string]int       `json:"best_of_by_round"`
	Participants    []tournament.Entrant `json:"participants"`
}

func (b createBody) params() (tournament.CreateParams, error) {
	p := tournament.CreateParams{ID: b.ID, Name: b.Name, MaxPlayers: b.MaxPlayers, CreatorID: b.CreatorID, TTLProfile: b.TTLProfile,
		Format: b.Format, Options: tournament.Options{ThirdPlaceMatch: b.ThirdPlaceMatch, GrandFinal: b.GrandFinal, Rounds: b.Rounds},
		CheckIn: b.CheckIn, StartsAt: b.StartsAt, BestOf: b.BestOf, BestOfByRound: b.BestOfByRound, Participants: b.Participants}
	if b.Options != nil {
		if p.Options != (tournament.Options{}) {
			return p, tournament.Errorf(tournament.CodeInvalidArgument,
				"give the format's options either at the top level or in \"options\", not both")
		}
		p.Options = *b.Options
	}
	return p, nil
}

func (s *server) create(w http.ResponseWriter, r *http.Request) {
	b, err := decode[createBody](w, r, false)
	var p tournament.CreateParams
	if err == nil {
		p, err = b.params()
	}
	if err != nil {
		s.respond(w, 0, nil, err)
		return
	}
	s.mutationOf(w, r, b.ID, http.StatusCreated, func(ctx context.Context, _ int64) (*tournament.Tournament, error) {
		t, err := s.h.CreateTournament(ctx, p)
		if err == nil {
			w.Header().Set("Location", fmt.Sprintf("/v1/tournaments/%d", t.ID))
		}
		return t, err
	})
}

func (s *server) list(w http.ResponseWriter, r *http.Request) {
	list, err := s.h.ListTournaments(r.Context())
	s.respond(w, http.StatusOK, map[string]any{"tournaments": list}, err)
}

// withID runs fn with the {id} path value, answering 400 when it is bad.
func (s *server) withID(w http.ResponseWriter, r *http.Request, fn func(id int64) (any, error)) {
	id, err := pathID(r, "id")
	if err != nil {
		s.respond(w, 0, nil, err)
		return
	}
	v, err := fn(id)
	s.respond(w, http.StatusOK, v, err)
}

// mutation runs fn, a change of tournament id, and answers with the
// tournament, or with `Prefer: return=minimal` (RFC 7240) only the version
// and the change's events.
func (s *server) mutation(w http.ResponseWriter, r *http.Request, status int,
	fn func(ctx context.Context, id int64) (*tournament.Tournament, error)) {
	id, err := pathID(r, "id")
	if err != nil {
		s.respond(w, 0, nil, err)
		return
	}
	s.mutationOf(w, r, id, status, fn)
}

func (s *server) mutationOf(w http.ResponseWriter, r *http.Request, id int64, status int,
	fn func(ctx context.Context, id int64) (*tournament.Tournament, error)) {
	var rec host.ChangeRecord
	t, err := fn(host.RecordChange(r.Context(), &rec), id)
	if err != nil || !prefersMinimal(r) {
		s.respond(w, status, t, err)
		return
	}
	w.Header().Set("Preference-Applied", "return=minimal")
	evs := rec.Events
	if evs == nil {
		evs = []tournament.Event{}
	}
	s.respond(w, status, minimalReply{ID: t.ID, Version: t.Version, Events: evs}, nil)
}

// minimalReply is a mutation's answer under `Prefer: return=minimal`.
type minimalReply struct {
	ID      int64              `json:"id"`
	Version int64              `json:"version"`
	Events  []tournament.Event `json:"events"`
}

func prefersMinimal(r *http.Request) bool {
	for _, v := range r.Header.Values("Prefer") {
		for _, p := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(p), "return=minimal") {
				return true
			}
		}
	}
	return false
}

// etag is a tournament's entity tag: its version and last change, quoted.
func etag(t *tournament.Tournament) string {
	return `"` + strconv.FormatInt(t.Version, 10) + "." + strconv.FormatInt(t.UpdatedAt.UnixNano(), 36) + `"`
}

// notModified reports whether If-None-Match names tag (or is *).
func notModified(r *http.Request, tag string) bool {
	for _, v := range r.Header.Values("If-None-Match") {
		for _, t := range strings.Split(v, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			if t == "*" || t == tag {
				return true
			}
		}
	}
	return false
}

// get answers a tournament with its ETag, and 304 when the caller's copy
// (If-None-Match) is current.
func (s *server) get(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.respond(w, 0, nil, err)
		return
	}
	t, err := s.h.GetTournament(r.Context(), id)
	if err != nil {
		s.respond(w, 0, nil, err)
		return
	}
	tag := etag(t)
	w.Header().Set("ETag", tag)
	if notModified(r, tag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	s.respond(w, http.StatusOK, t, nil)
}

func (s *server) standings(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.respond(w, 0, nil, err)
		return
	}
	st, err := s.h.Standings(r.Context(), id)
	if err != nil {
		s.respond(w, 0, nil, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *server) playerTournaments(w http.ResponseWriter, r *http.Request) {
	uid, err := pathID(r, "user_id")
	if err != nil {
		s.respond(w, 0, nil, err)
		return
	}
	list, err := s.h.PlayerTournaments(r.Context(), uid)
	if err != nil {
		s.respond(w, 0, nil, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"tournaments": list})
}

func (s *server) remove(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil {
		err = s.h.RemoveTournament(r.Context(), id)
	}
	if err != nil {
		s.respond(w, 0, nil, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// joinBody is one participant (user_id and its record) or a list of them.
type joinBody struct {
	tournament.Entrant
	Participants []tournament.Entrant `json:"participants"`
}

func (s *server) addPlayer(w http.ResponseWriter, r *http.Request) {
	s.mutation(w, r, http.StatusOK, func(ctx context.Context, id int64) (*tournament.Tournament, error) {
		b, err := decode[joinBody](w, r, false)
		if err != nil {
			return nil, err
		}
		if b.Participants == nil {
			return s.h.AddParticipant(ctx, id, b.Entrant)
		}
		if e := b.Entrant; e.UserID != 0 || e.Name != "" || e.Rating != nil || e.Meta != nil || e.Members != nil {
			return nil, tournament.Errorf(tournament.CodeInvalidArgument,
				"give one participant (user_id, name, ...) or a list of them (participants), not both")
		}
		return s.h.AddParticipants(ctx, id, b.Participants)
	})
}

// patchPlayerBody is a change of a participant's record: each field given
// replaces the stored one; null clears it (name: back to the default).
type patchPlayerBody struct {
	Name    json.RawMessage `json:"name"`
	Rating  json.RawMessage `json:"rating"`
	Meta    json.RawMessage `json:"meta"`
	Members json.RawMessage `json:"members"`
}

func (b patchPlayerBody) command(user int64) (tournament.UpdateParticipant, error) {
	cmd := tournament.UpdateParticipant{UserID: user}
	isNull := func(v json.RawMessage) bool { return string(v) == "null" }
	if b.Name == nil && b.Rating == nil && b.Meta == nil && b.Members == nil {
		return cmd, tournament.Errorf(tournament.CodeInvalidArgument, "give at least one of name, rating, meta and members")
	}
	if b.Name != nil {
		name := ""
		if !isNull(b.Name) {
			if err := json.Unmarshal(b.Name, &name); err != nil {
				return cmd, tournament.Errorf(tournament.CodeInvalidArgument, "name must be a string or null, got %s", abbreviate(b.Name))
			}
		}
		cmd.PlayerName = &name
	}
	if b.Rating != nil {
		if isNull(b.Rating) {
			cmd.ClearRating = true
		} else {
			var r float64
			if err := json.Unmarshal(b.Rating, &r); err != nil {
				return cmd, tournament.Errorf(tournament.CodeInvalidArgument, "rating must be a finite number or null, got %s",
					abbreviate(b.Rating))
			}
			cmd.Rating = &r
		}
	}
	if b.Meta != nil {
		cmd.Meta = b.Meta
		if isNull(b.Meta) {
			cmd.Meta = json.RawMessage("{}")
		}
	}
	if b.Members != nil {
		cmd.SetMembers = true
		if !isNull(b.Members) {
			if err := json.Unmarshal(b.Members, &cmd.Members); err != nil {
				return cmd, tournament.Errorf(tournament.CodeInvalidArgument, "members must be a list of user ids or null, got %s",
					abbreviate(b.Members))
			}
		}
	}
	return cmd, nil
}

func (s *server) updatePlayer(w http.ResponseWriter, r *http.Request) {
	s.mutation(w, r, http.StatusOK, func(ctx context.Context, id int64) (*tournament.Tournament, error) {
		user, err := pathID(r, "user_id")
		if err != nil {
			return nil, err
		}
		b, err := decode[patchPlayerBody](w, r, false)
		if err != nil {
			return nil, err
		}
		cmd, err := b.command(user)
		if err != nil {
			return nil, err
		}
		return s.h.UpdateParticipant(ctx, id, cmd)
	})
}

func (s *server) setSeeds(w http.ResponseWriter, r *http.Request) {
	s.mutation(w, r, http.StatusOK, func(ctx context.Context, id int64) (*tournament.Tournament, error) {
		b, err := decode[struct {
			Seeds []int64 `json:"seeds"`
		}](w, r, false)
		if err != nil {
			return nil, err
		}
		if b.Seeds == nil {
			return nil, tournament.Errorf(tournament.CodeInvalidArgument, "seeds is required: the participants, best seed first ([] clears the order)")
		}
		return s.h.SetSeeds(ctx, id, b.Seeds)
	})
}

func (s *server) swapSeeds(w http.ResponseWriter, r *http.Request) {
	s.mutation(w, r, http.StatusOK, func(ctx context.Context, id int64) (*tournament.Tournament, error) {
		b, err := decode[struct {
			A int64 `json:"a"`
			B int64 `json:"b"`
		}](w, r, false)
		if err != nil {
			return nil, err
		}
		return s.h.SwapSeeds(ctx, id, b.A, b.B)
	})
}

func (s *server) removePlayer(w http.ResponseWriter, r *http.Request) {
	s.mutation(w, r, http.StatusOK, func(ctx context.Context, id int64) (*tournament.Tournament, error) {
		user, err := pathID(r, "user_id")
		if err != nil {
			return nil, err
		}
		return s.h.RemovePlayer(ctx, id, user)
	})
}

func (s *server) start(w http.ResponseWriter, r *http.Request) {
	s.mutation(w, r, http.StatusOK, func(ctx context.Context, id int64) (*tournament.Tournament, error) {
		b, err := decode[struct {
			Shuffle bool    `json:"shuffle"`
			Seeding string  `json:"seeding"`
			Seeds   []int64 `json:"seeds"`
		}](w, r, true)
		if err != nil {
			return nil, err
		}
		switch {
		case b.Seeds != nil && b.Seeding == "":
			b.Seeding = tournament.SeedingManual
		case b.Seeds != nil && b.Seeding != tournament.SeedingManual:
			return nil, tournament.Errorf(tournament.CodeInvalidArgument, "seeds go with seeding \"manual\", not %q", b.Seeding)
		}
		return s.h.Start(ctx, id, tournament.Start{Shuffle: b.Shuffle, Seeding: b.Seeding, Seeds: b.Seeds})
	})
}

func (s *server) result(w http.ResponseWriter, r *http.Request) {
	s.mutation(w, r, http.StatusOK, func(ctx context.Context, id int64) (*tournament.Tournament, error) {
		game, err := pathID(r, "game_id")
		if err != nil {
			return nil, err
		}
		b, err := decode[struct {
			WinnerID int64     `json:"winner_id"`
			LoserID  int64     `json:"loser_id"`
			Forfeit  bool      `json:"forfeit"`
			Scores   scoreList `json:"scores"`
		}](w, r, false)
		if err != nil {
			return nil, err
		}
		if b.Forfeit && b.LoserID != 0 {
			return nil, tournament.Errorf(tournament.CodeInvalidArgument,
				"a forfeit names the winner only (or nobody, for a double forfeit), not loser_id")
		}
		return s.h.Record(ctx, id,
			tournament.RegisterResult{GameID: game, WinnerID: b.WinnerID, LoserID: b.LoserID, Forfeit: b.Forfeit, Scores: b.Scores})
	})
}

type correctBody struct {
	WinnerID        int64     `json:"winner_id"`
	Forfeit         bool      `json:"forfeit"`
	DryRun          bool      `json:"dry_run"`
	ExpectedVersion int64     `json:"expected_version"`
	Scores          scoreList `json:"scores"`
}

func (s *server) correct(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	var game int64
	if err == nil {
		game, err = pathID(r, "game_id")
	}
	var b correctBody
	if err == nil {
		b, err = decode[correctBody](w, r, false)
	}
	if err == nil && b.ExpectedVersion < 0 {
		err = tournament.Errorf(tournament.CodeInvalidArgument, "expected_version must be a version (1 or more), got %d", b.ExpectedVersion)
	}
	if err != nil {
		s.respond(w, 0, nil, err)
		return
	}
	reply := Correction{DryRun: b.DryRun}
	cmd := tournament.CorrectResult{GameID: game, WinnerID: b.WinnerID, ExpectedVersion: b.ExpectedVersion,
		Scores: b.Scores, Forfeit: b.Forfeit}
	if b.DryRun {
		reply.Impact, err = s.h.PreviewCorrection(r.Context(), id, cmd)
	} else {
		reply.Tournament, reply.Impact, err = s.h.CorrectResult(r.Context(), id, cmd)
	}
	if err != nil {
		s.respond(w, 0, nil, err)
		return
	}
	writeJSON(w, http.StatusOK, reply)
}

// step acts on one player or game of a tournament, named by the path's
// param (user_id: disqualify, check in; game_id: call, start): no body.
func (s *server) step(param string, step func(ctx context.Context, id, of int64) (*tournament.Tournament, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mutation(w, r, http.StatusOK, func(ctx context.Context, id int64) (*tournament.Tournament, error) {
			of, err := pathID(r, param)
			if err != nil {
				return nil, err
			}
			if _, err := decode[struct{}](w, r, true); err != nil {
				return nil, err
			}
			return step(ctx, id, of)
		})
	}
}

func (s *server) end(w http.ResponseWriter, r *http.Request) {
	s.mutation(w, r, http.StatusOK, func(ctx context.Context, id int64) (*tournament.Tournament, error) {
		if _, err := decode[struct{}](w, r, true); err != nil {
			return nil, err
		}
		return s.h.EndTournament(ctx, id)
	})
}

package host

import (
	"context"
	"errors"
	"time"

	"github.com/tourney/tourney/host/failover"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/tournament"
)

// call runs fn, bounded by OPERATION_TIMEOUT, on the backend that serves.
func (h *Host) call(ctx context.Context, c failover.Call, fn failover.Func) error {
	return h.router.Do(ctx, c, fn)
}

// mutate runs a change (c's kind is Create, Apply or Remove), then
// enqueues its webhook deliveries and records it for RecordChange.
func (h *Host) mutate(ctx context.Context, c failover.Call,
	fn func(ctx context.Context, b shared.Backend) (shared.Change, error)) (*tournament.Tournament, error) {
	var ch shared.Change
	err := h.call(ctx, c, func(ctx context.Context, b shared.Backend) (failover.Result, error) {
		var err error
		if ch, err = fn(ctx, b); err != nil {
			return failover.Result{}, err
		}
		res := failover.Result{Changed: len(ch.Events) > 0}
		if ch.Tournament != nil {
			res.Snaps = []*tournament.Tournament{ch.Tournament}
		}
		for _, ev := range ch.Events {
			if ev.Type == tournament.EventTournamentRemoved {
				res.Removed, res.RemovedVersion = ev.TournamentID, ev.Version-1
			}
		}
		return res, nil
	})
	if err != nil {
		return nil, err
	}
	for _, ev := range ch.Events {
		h.logger.Debug("event", "type", ev.Type, "tournament", ev.TournamentID, "version", ev.Version, "game", ev.GameID)
	}
	h.hooks.Publish(ch.Events)
	recordChange(ctx, ch.Tournament, ch.Events)
	return ch.Tournament, nil
}

func (h *Host) apply(ctx context.Context, id int64, cmd tournament.Command) (*tournament.Tournament, error) {
	op := failover.NewOpID() // names the change on the primary, should its answer be lost
	c := failover.Call{Kind: failover.Apply, ID: id, Cmd: cmd, Op: op}
	return h.mutate(ctx, c, func(ctx context.Context, b shared.Backend) (shared.Change, error) {
		return b.Apply(ctx, shared.ApplyRequest{Actor: ActorFrom(ctx), TournamentID: id, Command: cmd, OpID: op})
	})
}

// CreateTournament creates a pending tournament.
func (h *Host) CreateTournament(ctx context.Context, p tournament.CreateParams) (*tournament.Tournament, error) {
	if p.TTLProfile == "" {
		f := p.Format
		if f == "" {
			f = tournament.SingleElimination
		}
		p.TTLProfile = h.cfg.Host.FormatProfiles[string(f)] // the format's default profile, if any
	}
	if _, ok := h.cfg.Store.TTLs(p.TTLProfile); !ok {
		return nil, h.cfg.Store.UnknownTTLProfile(p.TTLProfile)
	}
	c := failover.Call{Kind: failover.Create, ID: p.ID, Create: &p}
	return h.mutate(ctx, c, func(ctx context.Context, b shared.Backend) (shared.Change, error) {
		return b.Create(ctx, shared.CreateRequest{Actor: ActorFrom(ctx), Params: p})
	})
}

// AddPlayer registers a player in a pending tournament.
func (h *Host) AddPlayer(ctx context.Context, id, userID int64) (*tournament.Tournament, error) {
	return h.apply(ctx, id, tournament.AddPlayer{UserID: userID})
}

// AddParticipant registers a participant with its record (name, rating,
// meta, lineup; all optional) in a pending tournament.
func (h *Host) AddParticipant(ctx context.Context, id int64, e tournament.Entrant) (*tournament.Tournament, error) {
	return h.apply(ctx, id, tournament.AddPlayer{UserID: e.UserID, PlayerName: e.Name, Rating: e.Rating, Meta: e.Meta,
		Members: e.Members})
}

// AddParticipants registers several participants at once: all or none,
// one change.
func (h *Host) AddParticipants(ctx context.Context, id int64, es []tournament.Entrant) (*tournament.Tournament, error) {
	return h.apply(ctx, id, tournament.AddPlayers{Entrants: es})
}

// UpdateParticipant changes a participant's record (see
// tournament.UpdateParticipant).
func (h *Host) UpdateParticipant(ctx context.Context, id int64, cmd tournament.UpdateParticipant) (*tournament.Tournament, error) {
	return h.apply(ctx, id, cmd)
}

// SetSeeds sets the seed order of a manual seeding before the start (an
// empty list clears it).
func (h *Host) SetSeeds(ctx context.Context, id int64, seeds []int64) (*tournament.Tournament, error) {
	return h.apply(ctx, id, tournament.SetSeeds{Seeds: seeds})
}

// SwapSeeds swaps two participants in the manual seed order.
func (h *Host) SwapSeeds(ctx context.Context, id, a, b int64) (*tournament.Tournament, error) {
	return h.apply(ctx, id, tournament.SwapSeeds{A: a, B: b})
}

// Start starts a tournament as cmd says (seeding: join, random, rating or
// manual, with its seeds; see tournament.Start).
func (h *Host) Start(ctx context.Context, id int64, cmd tournament.Start) (*tournament.Tournament, error) {
	return h.apply(ctx, id, cmd)
}

// RemovePlayer unregisters a player from a pending tournament.
func (h *Host) RemovePlayer(ctx context.Context, id, userID int64) (*tournament.Tournament, error) {
	return h.apply(ctx, id, tournament.RemovePlayer{UserID: userID})
}

// StartTournament seeds the players and begins round 1.
func (h *Host) StartTournament(ctx context.Context, id int64, shuffle bool) (*tournament.Tournament, error) {
	return h.apply(ctx, id, tournament.Start{Shuffle: shuffle})
}

// RegisterResult records a game's winner (loserID is optional: 0). A
// repeated identical result succeeds without a change.
func (h *Host) RegisterResult(ctx context.Context, id, gameID, winnerID, loserID int64) (*tournament.Tournament, error) {
	return h.apply(ctx, id, tournament.RegisterResult{GameID: gameID, WinnerID: winnerID, LoserID: loserID})
}

// Record records a game's result as given: winner, loser, forfeit and
// scores (see tournament.RegisterResult).
func (h *Host) Record(ctx context.Context, id int64, res tournament.RegisterResult) (*tournament.Tournament, error) {
	return h.apply(ctx, id, res)
}

// Forfeit records a walkover: winnerID wins because the opponent did not
// play; winnerID 0 is a double forfeit (neither played, neither advances).
func (h *Host) Forfeit(ctx context.Context, id, gameID, winnerID int64) (*tournament.Tournament, error) {
	return h.apply(ctx, id, tournament.RegisterResult{GameID: gameID, WinnerID: winnerID, Forfeit: true})
}

// Disqualify removes a player from an active tournament (see
// tournament.Disqualify); RemovePlayer of an active tournament is the
// player's own withdrawal, with the same effect.
func (h *Host) Disqualify(ctx context.Context, id, userID int64) (*tournament.Tournament, error) {
	return h.apply(ctx, id, tournament.Disqualify{UserID: userID})
}

// CheckIn records that a registered player is present (tournaments with
// check-in; see tournament.CheckIn).
func (h *Host) CheckIn(ctx context.Context, id, userID int64) (*tournament.Tournament, error) {
	return h.apply(ctx, id, tournament.CheckIn{UserID: userID})
}

// CallGame records that the organiser sent a game's players to play; its
// deadline counts from now.
func (h *Host) CallGame(ctx context.Context, id, gameID int64) (*tournament.Tournament, error) {
	return h.apply(ctx, id, tournament.CallGame{GameID: gameID})
}

// StartGame records that a game's players began to play.
func (h *Host) StartGame(ctx context.Context, id, gameID int64) (*tournament.Tournament, error) {
	return h.apply(ctx, id, tournament.StartGame{GameID: gameID})
}

// CorrectResult changes the winner of a decided game (see
// tournament.CorrectResult) and returns the new state and what the
// correction did. expectedVersion (0 = any) must be the tournament's
// version, else the call is failed_precondition: pass the version a
// preview was computed on. The impact is computed against the state the
// correction applied to exactly.
func (h *Host) CorrectResult(ctx context.Context, id int64, cmd tournament.CorrectResult) (*tournament.Tournament,
	tournament.Impact, error) {
	expectedVersion, gameID := cmd.ExpectedVersion, cmd.GameID
	for attempt := 0; ; attempt++ {
		before, err := h.GetTournament(ctx, id)
		if err != nil {
			return nil, tournament.Impact{}, err
		}
		exp := expectedVersion
		if exp == 0 {
			exp = before.Version // the impact must be the one of this state
		}
		var rec ChangeRecord
		c := cmd
		c.ExpectedVersion = exp
		after, err := h.apply(RecordChange(ctx, &rec), id, c)
		if err != nil && expectedVersion == 0 && attempt < 3 && errors.Is(err, tournament.ErrFailedPrecondition) {
			if t, gerr := h.GetTournament(ctx, id); gerr == nil && t.Version != before.Version {
				continue // it moved on between our read and the correction
			}
		}
		if err != nil {
			return nil, tournament.Impact{}, err
		}
		recordChange(ctx, after, rec.Events)
		return after, tournament.ImpactOf(before, after, rec.Events, gameID), nil
	}
}

// PreviewCorrection answers what CorrectResult would do now, changing
// nothing (a dry run); the impact's version is the one to pass to
// CorrectResult.
func (h *Host) PreviewCorrection(ctx context.Context, id int64, cmd tournament.CorrectResult) (tournament.Impact, error) {
	t, err := h.GetTournament(ctx, id)
	if err != nil {
		return tournament.Impact{}, err
	}
	cmd.ExpectedVersion = 0
	return tournament.PreviewCorrection(t, cmd,
		tournament.Env{Now: time.Now().UTC(), GameTimeout: h.cfg.Store.GameTimeout})
}

// EndTournament ends an active tournament now (see tournament.EndTournament).
func (h *Host) EndTournament(ctx context.Context, id int64) (*tournament.Tournament, error) {
	return h.apply(ctx, id, tournament.EndTournament{})
}

// GetTournament returns a tournament's current state.
func (h *Host) GetTournament(ctx context.Context, id int64) (*tournament.Tournament, error) {
	var t *tournament.Tournament
	c := failover.Call{Kind: failover.Read, ID: id}
	err := h.call(ctx, c, func(ctx context.Context, b shared.Backend) (res failover.Result, err error) {
		if t, err = b.Get(ctx, id); err == nil {
			res.Snaps = []*tournament.Tournament{t}
		}
		return res, err
	})
	return t, err
}

// Standings returns the tournament's standings: final once it is
// completed, as things stand while it is active (see
// tournament.Tournament.Standings).
func (h *Host) Standings(ctx context.Context, id int64) (tournament.Standings, error) {
	t, err := h.GetTournament(ctx, id)
	if err != nil {
		return tournament.Standings{}, err
	}
	return t.Standings(), nil
}

// ListTournaments returns the pending and active tournaments.
func (h *Host) ListTournaments(ctx context.Context) ([]tournament.Summary, error) {
	var list []tournament.Summary
	err := h.call(ctx, failover.Call{Kind: failover.List}, func(ctx context.Context, b shared.Backend) (_ failover.Result, err error) {
		list, err = b.List(ctx)
		return failover.Result{}, err
	})
	if list == nil && err == nil {
		list = []tournament.Summary{}
	}
	return list, err
}

// PlayerTournaments returns the pending and active tournaments player
// userID is in, from the backend's player index (or, from a plugin built
// without one, by looking through the live tournaments).
func (h *Host) PlayerTournaments(ctx context.Context, userID int64) ([]tournament.Summary, error) {
	if userID <= 0 || userID > tournament.MaxID {
		return nil, tournament.Errorf(tournament.CodeInvalidArgument, "user_id must be an integer from 1 to %d, got %d",
			int64(tournament.MaxID), userID)
	}
	var list []tournament.Summary
	err := h.call(ctx, failover.Call{Kind: failover.List}, func(ctx context.Context, b shared.Backend) (_ failover.Result, err error) {
		if idx, ok := shared.PlayerIndexOf(b); ok {
			if list, err = idx.PlayerTournaments(ctx, userID); !errors.Is(err, shared.ErrNoPlayerIndex) {
				return failover.Result{}, err
			}
		}
		all, err := b.List(ctx)
		if err != nil {
			return failover.Result{}, err
		}
		list = nil
		for _, s := range all {
			t, err := b.Get(ctx, s.ID)
			if errors.Is(err, tournament.ErrNotFound) {
				continue
			}
			if err != nil {
				return failover.Result{}, err
			}
			if t.Live() && t.Involves(userID) {
				list = append(list, t.Summary())
			}
		}
		return failover.Result{}, nil
	})
	if list == nil && err == nil {
		list = []tournament.Summary{}
	}
	return list, err
}

// RemoveTournament deletes a tournament.
func (h *Host) RemoveTournament(ctx context.Context, id int64) error {
	c := failover.Call{Kind: failover.Remove, ID: id}
	_, err := h.mutate(ctx, c, func(ctx context.Context, b shared.Backend) (shared.Change, error) {
		return b.Remove(ctx, shared.RemoveRequest{Actor: ActorFrom(ctx), ID: id})
	})
	return err
}

// Export calls yield with every stored tournament.
func (h *Host) Export(ctx context.Context, yield func(*tournament.Tournament) error) error {
	return h.call(ctx, failover.Call{Kind: failover.List}, func(ctx context.Context, b shared.Backend) (failover.Result, error) {
		return failover.Result{}, b.Export(ctx, yield)
	})
}

// Import stores snapshots (replacing tournaments with the same ids) and
// returns how many it stored; one invalid snapshot stores none. Import is
// a write the primary alone takes: it is refused (unavailable) while the
// host is on the fallback, never acknowledged where failback could lose it.
func (h *Host) Import(ctx context.Context, snaps []*tournament.Tournament) (int, error) {
	var n int
	err := h.call(ctx, failover.Call{Kind: failover.Import}, func(ctx context.Context, b shared.Backend) (res failover.Result, err error) {
		n, err = b.Import(ctx, snaps)
		if err == nil {
			res.Snaps = snaps
		}
		return res, err
	})
	return n, err
}

// FailoverEvents returns a channel of the host's failover transitions
// (primary, fallback, failing_back) from now until ctx is done; it is
// buffered, and a reader that falls far behind misses transitions rather
// than holding them up. Status lists the latest ones.
func (h *Host) FailoverEvents(ctx context.Context) <-chan Transition {
	return h.router.Watch(ctx)
}

// Conflicts returns the recorded conflicts of tournament id, newest first.
func (h *Host) Conflicts(ctx context.Context, id int64) ([]shared.Conflict, error) {
	var out []shared.Conflict
	c := failover.Call{Kind: failover.Read, ID: id}
	err := h.call(ctx, c, func(ctx context.Context, b shared.Backend) (_ failover.Result, err error) {
		rc, ok := shared.ReconcilerOf(b)
		if !ok {
			return failover.Result{}, nil // a backend that takes no write-back records no conflicts
		}
		out, err = rc.Conflicts(ctx, id)
		return failover.Result{}, err
	})
	if out == nil && err == nil {
		out = []shared.Conflict{}
	}
	return out, err
}

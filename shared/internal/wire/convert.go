package wire

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/tourney/tourney/shared/internal/contract"
	pb "github.com/tourney/tourney/shared/internal/proto"
	"github.com/tourney/tourney/tournament"
)

// snapshotToPB encodes a snapshot for the wire: typed (protocol 2) or as
// its canonical JSON (protocol 1, for peers built before protocol 2).
func snapshotToPB(t *tournament.Tournament, typed bool) (*pb.Snapshot, error) {
	if t == nil {
		return nil, nil
	}
	if typed {
		return &pb.Snapshot{Typed: tournamentToPB(t)}, nil
	}
	b, err := json.Marshal(t)
	if err != nil {
		return nil, err
	}
	return &pb.Snapshot{Json: b}, nil
}

// snapshotFromPB decodes either form.
func snapshotFromPB(s *pb.Snapshot) (*tournament.Tournament, error) {
	if s == nil {
		return nil, nil
	}
	if s.Typed != nil {
		return tournamentFromPB(s.Typed), nil
	}
	var t tournament.Tournament
	if err := json.Unmarshal(s.GetJson(), &t); err != nil {
		return nil, tournament.Errorf(tournament.CodeInvalidArgument, "snapshot is not valid JSON: %v", err)
	}
	return &t, nil
}

func tournamentToPB(t *tournament.Tournament) *pb.Tournament {
	out := &pb.Tournament{Id: t.ID, Name: t.Name, MaxPlayers: int32(t.MaxPlayers), CreatorId: t.CreatorID,
		Status: string(t.Status), Players: t.Players, Seeds: t.Seeds, Shuffled: t.Shuffled, CurrentRound: int32(t.CurrentRound),
		WinnerId: t.WinnerID, Version: t.Version, CreatedAtUnixNano: unixNano(t.CreatedAt), UpdatedAtUnixNano: unixNano(t.UpdatedAt),
		StartedAtUnixNano: optNano(t.StartedAt), CompletedAtUnixNano: optNano(t.CompletedAt), TtlProfile: t.TTLProfile,
		Format: string(t.Format), Options: optionsToPB(t.Options), Ended: t.Ended,
		CheckIn: t.CheckIn, StartsAtUnixNano: optNano(t.StartsAt), CheckedIn: t.CheckedIn,
		BestOf: int32(t.BestOf), CorrectedVersion: t.CorrectedVersion, Rules: int32(t.Rules),
		Participants: participantsToPB(t.Participants), SeedOrder: t.SeedOrder, Seeding: t.Seeding}
	out.BestOfByRound, out.BestOfByBracket = bestOfToPB(t.BestOfByRound)
	for _, d := range t.Dropped {
		out.Dropped = append(out.Dropped,
			&pb.Drop{PlayerId: d.PlayerID, Stage: int32(d.Stage), Reason: d.Reason, AtUnixNano: unixNano(d.At)})
	}
	out.Rounds = make([]*pb.Round, len(t.Rounds))
	for i, r := range t.Rounds {
		pr := &pb.Round{Round: int32(r.Round), Bracket: r.Bracket, Stage: int32(r.Stage), Slots: r.Slots, Byes: r.Byes,
			Games: make([]*pb.Game, len(r.Games))}
		for j := range r.Games {
			pr.Games[j] = gameToPB(&r.Games[j])
		}
		out.Rounds[i] = pr
	}
	for i := range t.ResetResults {
		out.ResetResults = append(out.ResetResults, gameToPB(&t.ResetResults[i]))
	}
	return out
}

func gameToPB(g *tournament.Game) *pb.Game {
	return &pb.Game{GameId: g.GameID, Round: int32(g.Round), Player_1: g.Player1, Player_2: g.Player2,
		Status: string(g.Status), WinnerId: g.WinnerID, LoserId: g.LoserID, CreatedAtUnixNano: unixNano(g.CreatedAt),
		DeadlineUnixNano: unixNano(g.Deadline), FinishedAtUnixNano: optNano(g.FinishedAt), Overdue: g.Overdue,
		DeadlineWarned: g.DeadlineWarned, Forfeit: g.Forfeit, State: string(g.State),
		CalledAtUnixNano: optNano(g.CalledAt), StartedAtUnixNano: optNano(g.PlayStartedAt),
		BestOf: int32(g.BestOf), Scores: scoresToPB(g.Scores), ByDeparture: g.ByDeparture}
}

func gameFromPB(g *pb.Game) tournament.Game {
	return tournament.Game{GameID: g.GetGameId(), Round: int(g.GetRound()), Player1: g.GetPlayer_1(), Player2: g.GetPlayer_2(),
		Status: tournament.GameStatus(g.GetStatus()), WinnerID: g.WinnerId, LoserID: g.LoserId,
		CreatedAt: fromUnixNano(g.GetCreatedAtUnixNano()), Deadline: fromUnixNano(g.GetDeadlineUnixNano()),
		FinishedAt: fromOptNano(g.FinishedAtUnixNano), Overdue: g.GetOverdue(), DeadlineWarned: g.GetDeadlineWarned(), Forfeit: g.GetForfeit(),
		State: tournament.GameState(g.GetState()), CalledAt: fromOptNano(g.CalledAtUnixNano), PlayStartedAt: fromOptNano(g.StartedAtUnixNano),
		BestOf: int(g.GetBestOf()), Scores: scoresFromPB(g.GetScores()), ByDeparture: g.GetByDeparture()}
}

// tournamentFromPB rebuilds a snapshot exactly as JSON would: lists that
// JSON shows as [] are empty, not nil.
func tournamentFromPB(p *pb.Tournament) *tournament.Tournament {
	t := &tournament.Tournament{ID: p.GetId(), Name: p.GetName(), MaxPlayers: int(p.GetMaxPlayers()), CreatorID: p.GetCreatorId(),
		Status: tournament.Status(p.GetStatus()), Players: orEmpty(p.GetPlayers()), Seeds: p.GetSeeds(), Shuffled: p.GetShuffled(),
		CurrentRound: int(p.GetCurrentRound()), WinnerID: p.WinnerId, Version: p.GetVersion(),
		CreatedAt: fromUnixNano(p.GetCreatedAtUnixNano()), UpdatedAt: fromUnixNano(p.GetUpdatedAtUnixNano()),
		StartedAt: fromOptNano(p.StartedAtUnixNano), CompletedAt: fromOptNano(p.CompletedAtUnixNano), TTLProfile: p.GetTtlProfile(),
		Format: tournament.Format(p.GetFormat()), Options: optionsFromPB(p.GetOptions()), Ended: p.GetEnded(),
		CheckIn: p.GetCheckIn(), StartsAt: fromOptNano(p.StartsAtUnixNano), CheckedIn: p.GetCheckedIn(),
		BestOf: int(p.GetBestOf()), BestOfByRound: bestOfFromPB(p.GetBestOfByRound(),
			p.GetBestOfByBracket()), CorrectedVersion: p.GetCorrectedVersion(),
		Rules: int(p.GetRules()), Rounds: make([]tournament.Round, len(p.GetRounds())),
		Participants: participantsFromPB(p.GetParticipants()), SeedOrder: p.GetSeedOrder(), Seeding: p.GetSeeding()}
	for _, d := range p.GetDropped() {
		t.Dropped = append(t.Dropped,
			tournament.Drop{PlayerID: d.GetPlayerId(), Stage: int(d.GetStage()), Reason: d.GetReason(),
				At: fromUnixNano(d.GetAtUnixNano())})
	}
	for i, pr := range p.GetRounds() {
		r := tournament.Round{Round: int(pr.GetRound()), Bracket: pr.GetBracket(), Stage: int(pr.GetStage()),
			Slots: orEmpty(pr.GetSlots()), Byes: orEmpty(pr.GetByes()),
			Games: make([]tournament.Game, len(pr.GetGames()))}
		for j, g := range pr.GetGames() {
			r.Games[j] = gameFromPB(g)
		}
		t.Rounds[i] = r
	}
	for _, g := range p.GetResetResults() {
		t.ResetResults = append(t.ResetResults, gameFromPB(g))
	}
	return t
}

func participantsToPB(ps []tournament.Participant) []*pb.Participant {
	if len(ps) == 0 {
		return nil
	}
	return convertAll(ps, func(p tournament.Participant) *pb.Participant {
		return &pb.Participant{Id: p.ID, Name: p.Name, Rating: p.Rating, Meta: p.Meta, Members: p.Members}
	})
}

func participantsFromPB(ps []*pb.Participant) []tournament.Participant {
	if len(ps) == 0 {
		return nil
	}
	return convertAll(ps, func(p *pb.Participant) tournament.Participant {
		return tournament.Participant{ID: p.GetId(), Name: p.GetName(), Rating: p.Rating, Meta: orNil(p.GetMeta()),
			Members: p.GetMembers()}
	})
}

// entrantToPB and entrantFromPB carry a join's record.
func entrantToPB(e tournament.Entrant) *pb.AddPlayer {
	return &pb.AddPlayer{UserId: e.UserID, Name: e.Name, Rating: e.Rating, Meta: e.Meta, Members: e.Members}
}

func entrantFromPB(p *pb.AddPlayer) tournament.Entrant {
	return tournament.Entrant{UserID: p.GetUserId(), Name: p.GetName(), Rating: p.Rating, Meta: orNil(p.GetMeta()),
		Members: p.GetMembers()}
}

func entrantsFromPB(ps []*pb.AddPlayer) []tournament.Entrant {
	if len(ps) == 0 {
		return nil
	}
	return convertAll(ps, entrantFromPB)
}

// orNil keeps an absent JSON value absent (proto has no nil bytes).
func orNil(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

func scoresToPB(s [][2]int) []*pb.Score {
	if s == nil {
		return nil
	}
	out := make([]*pb.Score, len(s))
	for i, x := range s {
		out[i] = &pb.Score{P1: int32(x[0]), P2: int32(x[1])}
	}
	return out
}

func scoresFromPB(s []*pb.Score) [][2]int {
	if len(s) == 0 {
		return nil
	}
	out := make([][2]int, len(s))
	for i, x := range s {
		out[i] = [2]int{int(x.GetP1()), int(x.GetP2())}
	}
	return out
}

// bestOfToPB splits best_of_by_round into its round numbers and its named
// keys (a bracket's rounds), which older peers do not know.
func bestOfToPB(m map[string]int) (byRound map[int32]int32, byBracket map[string]int32) {
	for k, v := range m {
		if n, err := strconv.ParseInt(k, 10, 32); err == nil && strconv.FormatInt(n, 10) == k {
			if byRound == nil {
				byRound = map[int32]int32{}
			}
			byRound[int32(n)] = int32(v)
			continue
		}
		if byBracket == nil {
			byBracket = map[string]int32{}
		}
		byBracket[k] = int32(v)
	}
	return byRound, byBracket
}

func bestOfFromPB(byRound map[int32]int32, byBracket map[string]int32) map[string]int {
	if len(byRound)+len(byBracket) == 0 {
		return nil
	}
	out := make(map[string]int, len(byRound)+len(byBracket))
	for k, v := range byRound {
		out[strconv.Itoa(int(k))] = int(v)
	}
	for k, v := range byBracket {
		out[k] = int(v)
	}
	return out
}

func optionsToPB(o tournament.Options) *pb.Options {
	if o == (tournament.Options{}) {
		return nil
	}
	return &pb.Options{ThirdPlaceMatch: o.ThirdPlaceMatch, GrandFinal: o.GrandFinal, Rounds: int32(o.Rounds)}
}

func optionsFromPB(o *pb.Options) tournament.Options {
	return tournament.Options{ThirdPlaceMatch: o.GetThirdPlaceMatch(), GrandFinal: o.GetGrandFinal(), Rounds: int(o.GetRounds())}
}

func orEmpty(s []int64) []int64 {
	if s == nil {
		return []int64{}
	}
	return s
}

func optNano(t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	n := unixNano(*t)
	return &n
}

func fromOptNano(n *int64) *time.Time {
	if n == nil {
		return nil
	}
	t := fromUnixNano(*n)
	return &t
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromUnixNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func eventsToPB(evs []tournament.Event) []*pb.Event {
	out := make([]*pb.Event, len(evs))
	for i, e := range evs {
		out[i] = &pb.Event{Type: string(e.Type), TournamentId: e.TournamentID, Version: e.Version,
			Round: int32(e.Round), GameId: e.GameID, PlayerId: e.PlayerID, WinnerId: e.WinnerID,
			LoserId: e.LoserID, AtUnixNano: unixNano(e.At), Players: e.Players, Policy: string(e.Policy), Bracket: e.Bracket, Forfeit: e.Forfeit,
			Name: e.Name}
		if e.Deadline != nil {
			out[i].DeadlineUnixNano = unixNano(*e.Deadline)
		}
	}
	return out
}

func eventsFromPB(evs []*pb.Event) []tournament.Event {
	if len(evs) == 0 {
		return nil
	}
	out := make([]tournament.Event, len(evs))
	for i, e := range evs {
		out[i] = tournament.Event{Type: tournament.EventType(e.GetType()), TournamentID: e.GetTournamentId(),
			Version: e.GetVersion(), Round: int(e.GetRound()), GameID: e.GetGameId(), PlayerID: e.GetPlayerId(),
			WinnerID: e.GetWinnerId(), LoserID: e.GetLoserId(), At: fromUnixNano(e.GetAtUnixNano()),
			Players: e.GetPlayers(), Policy: tournament.TimeoutPolicy(e.GetPolicy()), Bracket: e.GetBracket(), Forfeit: e.GetForfeit(),
			Name: e.GetName()}
		if n := e.GetDeadlineUnixNano(); n != 0 {
			d := fromUnixNano(n)
			out[i].Deadline = &d
		}
	}
	return out
}

func changeToPB(c contract.Change, typed bool) (*pb.ChangeReply, error) {
	s, err := snapshotToPB(c.Tournament, typed)
	if err != nil {
		return nil, err
	}
	return &pb.ChangeReply{Tournament: s, Events: eventsToPB(c.Events)}, nil
}

func changeFromPB(r *pb.ChangeReply) (contract.Change, error) {
	t, err := snapshotFromPB(r.GetTournament())
	return contract.Change{Tournament: t, Events: eventsFromPB(r.GetEvents())}, err
}

func summaryToPB(s tournament.Summary) *pb.Summary {
	out := &pb.Summary{Id: s.ID, Name: s.Name, Status: string(s.Status), MaxPlayers: int32(s.MaxPlayers),
		PlayerCount: int32(s.PlayerCount), CurrentRound: int32(s.CurrentRound), Version: s.Version,
		CreatedAtUnixNano: unixNano(s.CreatedAt), UpdatedAtUnixNano: unixNano(s.UpdatedAt)}
	if s.NextDeadline != nil {
		out.NextDeadlineUnixNano = unixNano(*s.NextDeadline)
	}
	return out
}

func summaryFromPB(s *pb.Summary) tournament.Summary {
	out := tournament.Summary{ID: s.GetId(), Name: s.GetName(), Status: tournament.Status(s.GetStatus()),
		MaxPlayers: int(s.GetMaxPlayers()), PlayerCount: int(s.GetPlayerCount()), CurrentRound: int(s.GetCurrentRound()),
		Version: s.GetVersion(), CreatedAt: fromUnixNano(s.GetCreatedAtUnixNano()), UpdatedAt: fromUnixNano(s.GetUpdatedAtUnixNano())}
	if n := s.GetNextDeadlineUnixNano(); n != 0 {
		d := fromUnixNano(n)
		out.NextDeadline = &d
	}
	return out
}

func applyToPB(req contract.ApplyRequest) (*pb.ApplyRequest, error) {
	out := &pb.ApplyRequest{Actor: req.Actor, TournamentId: req.TournamentID, OpId: req.OpID}
	switch c := req.Command.(type) {
	case tournament.AddPlayer:
		out.Command = &pb.ApplyRequest_AddPlayer{AddPlayer: entrantToPB(c.Entrant())}
	case tournament.AddPlayers:
		out.Command = &pb.ApplyRequest_AddPlayers{AddPlayers: &pb.AddPlayers{Entrants: convertAll(c.Entrants, entrantToPB)}}
	case tournament.UpdateParticipant:
		out.Command = &pb.ApplyRequest_UpdateParticipant{UpdateParticipant: &pb.UpdateParticipant{UserId: c.UserID,
			Name: c.PlayerName, Rating: c.Rating, ClearRating: c.ClearRating, Meta: c.Meta, Members: c.Members, SetMembers: c.SetMembers}}
	case tournament.SetSeeds:
		out.Command = &pb.ApplyRequest_SetSeeds{SetSeeds: &pb.SetSeeds{Seeds: c.Seeds}}
	case tournament.SwapSeeds:
		out.Command = &pb.ApplyRequest_SwapSeeds{SwapSeeds: &pb.SwapSeeds{A: c.A, B: c.B}}
	case tournament.RemovePlayer:
		out.Command = &pb.ApplyRequest_RemovePlayer{RemovePlayer: &pb.RemovePlayer{UserId: c.UserID}}
	case tournament.Start:
		seeding := c.Seeding
		if seeding == "" && !c.Shuffle && c.Seeds != nil {
			seeding = tournament.SeedingManual // what the engine makes of seeds given without a method
		}
		out.Command = &pb.ApplyRequest_Start{Start: &pb.Start{Shuffle: c.Shuffle, Seeds: c.Seeds, Seeding: seeding}}
	case tournament.RegisterResult:
		out.Command = &pb.ApplyRequest_RegisterResult{RegisterResult: &pb.RegisterResult{GameId: c.GameID,
			WinnerId: c.WinnerID, LoserId: c.LoserID, Forfeit: c.Forfeit, Scores: scoresToPB(c.Scores)}}
	case tournament.Disqualify:
		out.Command = &pb.ApplyRequest_Disqualify{Disqualify: &pb.Disqualify{UserId: c.UserID}}
	case tournament.CheckIn:
		out.Command = &pb.ApplyRequest_CheckIn{CheckIn: &pb.CheckIn{UserId: c.UserID}}
	case tournament.CallGame:
		out.Command = &pb.ApplyRequest_CallGame{CallGame: &pb.GameRef{GameId: c.GameID}}
	case tournament.StartGame:
		out.Command = &pb.ApplyRequest_StartGame{StartGame: &pb.GameRef{GameId: c.GameID}}
	case tournament.ResolveTimeouts:
		out.Command = &pb.ApplyRequest_ResolveTimeouts{ResolveTimeouts: &pb.ResolveTimeouts{Policy: string(c.Policy), Winners: c.Winners}}
	case tournament.WarnDeadlines:
		out.Command = &pb.ApplyRequest_WarnDeadlines{WarnDeadlines: &pb.WarnDeadlines{LeadNanos: int64(c.Lead)}}
	case tournament.CorrectResult:
		out.Command = &pb.ApplyRequest_CorrectResult{CorrectResult: &pb.CorrectResult{GameId: c.GameID,
			WinnerId: c.WinnerID, ExpectedVersion: c.ExpectedVersion,
			Scores: scoresToPB(c.Scores), Forfeit: c.Forfeit}}
	case tournament.EndTournament:
		out.Command = &pb.ApplyRequest_EndTournament{EndTournament: &pb.EndTournament{}}
	default:
		return nil, tournament.Errorf(tournament.CodeInvalidArgument, "unknown command %T", req.Command)
	}
	return out, nil
}

// applyFromPB decodes a command a caller asked for: decisions (seeds,
// winners) are the backend's to take, so they are not taken from callers.
func applyFromPB(req *pb.ApplyRequest) (contract.ApplyRequest, error) {
	return commandFromPB(req, false)
}

// decidedFromPB decodes a decided command of a Delta, decisions included.
func decidedFromPB(req *pb.ApplyRequest) (tournament.Command, error) {
	r, err := commandFromPB(req, true)
	return r.Command, err
}

func commandFromPB(req *pb.ApplyRequest, decided bool) (contract.ApplyRequest, error) {
	out := contract.ApplyRequest{Actor: req.GetActor(), TournamentID: req.GetTournamentId(), OpID: req.GetOpId()}
	switch c := req.GetCommand().(type) {
	case *pb.ApplyRequest_AddPlayer:
		e := entrantFromPB(c.AddPlayer)
		out.Command = tournament.AddPlayer{UserID: e.UserID, PlayerName: e.Name, Rating: e.Rating, Meta: e.Meta, Members: e.Members}
	case *pb.ApplyRequest_AddPlayers:
		out.Command = tournament.AddPlayers{Entrants: convertAll(c.AddPlayers.GetEntrants(), entrantFromPB)}
	case *pb.ApplyRequest_UpdateParticipant:
		u := c.UpdateParticipant
		out.Command = tournament.UpdateParticipant{UserID: u.GetUserId(), PlayerName: u.Name, Rating: u.Rating,
			ClearRating: u.GetClearRating(), Meta: orNil(u.GetMeta()), Members: u.GetMembers(), SetMembers: u.GetSetMembers()}
	case *pb.ApplyRequest_SetSeeds:
		out.Command = tournament.SetSeeds{Seeds: c.SetSeeds.GetSeeds()}
	case *pb.ApplyRequest_SwapSeeds:
		out.Command = tournament.SwapSeeds{A: c.SwapSeeds.GetA(), B: c.SwapSeeds.GetB()}
	case *pb.ApplyRequest_RemovePlayer:
		out.Command = tournament.RemovePlayer{UserID: c.RemovePlayer.GetUserId()}
	case *pb.ApplyRequest_Start:
		s := tournament.Start{Shuffle: c.Start.GetShuffle(), Seeding: c.Start.GetSeeding()}
		// A drawn order is the backend's decision; a manual one the caller's.
		if (decided || s.Seeding == tournament.SeedingManual) && c.Start.GetSeeds() != nil {
			s.Seeds = c.Start.GetSeeds()
		}
		out.Command = s
	case *pb.ApplyRequest_RegisterResult:
		r := c.RegisterResult
		out.Command = tournament.RegisterResult{GameID: r.GetGameId(), WinnerID: r.GetWinnerId(),
			LoserID: r.GetLoserId(), Forfeit: r.GetForfeit(), Scores: scoresFromPB(r.GetScores())}
	case *pb.ApplyRequest_Disqualify:
		out.Command = tournament.Disqualify{UserID: c.Disqualify.GetUserId()}
	case *pb.ApplyRequest_CheckIn:
		out.Command = tournament.CheckIn{UserID: c.CheckIn.GetUserId()}
	case *pb.ApplyRequest_CallGame:
		out.Command = tournament.CallGame{GameID: c.CallGame.GetGameId()}
	case *pb.ApplyRequest_StartGame:
		out.Command = tournament.StartGame{GameID: c.StartGame.GetGameId()}
	case *pb.ApplyRequest_ResolveTimeouts:
		rt := tournament.ResolveTimeouts{Policy: tournament.TimeoutPolicy(c.ResolveTimeouts.GetPolicy())}
		if decided && c.ResolveTimeouts.GetWinners() != nil {
			rt.Winners = c.ResolveTimeouts.GetWinners()
		}
		out.Command = rt
	case *pb.ApplyRequest_WarnDeadlines:
		out.Command = tournament.WarnDeadlines{Lead: time.Duration(c.WarnDeadlines.GetLeadNanos())}
	case *pb.ApplyRequest_CorrectResult:
		r := c.CorrectResult
		out.Command = tournament.CorrectResult{GameID: r.GetGameId(), WinnerID: r.GetWinnerId(), ExpectedVersion: r.GetExpectedVersion(),
			Scores: scoresFromPB(r.GetScores()), Forfeit: r.GetForfeit()}
	case *pb.ApplyRequest_EndTournament:
		out.Command = tournament.EndTournament{}
	default:
		return out, tournament.Errorf(tournament.CodeInvalidArgument, "apply request has no known command (%T)", c)
	}
	return out, nil
}

package shared

import (
	"encoding/json"

	"time"

	pb "github.com/tourney/tourney/shared/proto"
	"github.com/tourney/tourney/shared/tournament"
)

func snapshotToPB(t *tournament.Tournament) (*pb.Snapshot, error) {
	if t == nil {
		return nil, nil
	}
	b, err := json.Marshal(t)
	if err != nil {
		return nil, err
	}
	return &pb.Snapshot{Json: b}, nil
}

func snapshotFromPB(s *pb.Snapshot) (*tournament.Tournament, error) {
	if s == nil {
		return nil, nil
	}
	var t tournament.Tournament
	if err := json.Unmarshal(s.GetJson(), &t); err != nil {
		return nil, tournament.Errorf(tournament.CodeInvalidArgument, "snapshot is not valid JSON: %v", err)
	}
	return &t, nil
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
			LoserId: e.LoserID, AtUnixNano: unixNano(e.At)}
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
			WinnerID: e.GetWinnerId(), LoserID: e.GetLoserId(), At: fromUnixNano(e.GetAtUnixNano())}
	}
	return out
}

func changeToPB(c Change) (*pb.ChangeReply, error) {
	s, err := snapshotToPB(c.Tournament)
	if err != nil {
		return nil, err
	}
	return &pb.ChangeReply{Tournament: s, Events: eventsToPB(c.Events)}, nil
}

func changeFromPB(r *pb.ChangeReply) (Change, error) {
	t, err := snapshotFromPB(r.GetTournament())
	return Change{Tournament: t, Events: eventsFromPB(r.GetEvents())}, err
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

func applyToPB(req ApplyRequest) (*pb.ApplyRequest, error) {
	out := &pb.ApplyRequest{Actor: req.Actor, TournamentId: req.TournamentID}
	switch c := req.Command.(type) {
	case tournament.AddPlayer:
		out.Command = &pb.ApplyRequest_AddPlayer{AddPlayer: &pb.AddPlayer{UserId: c.UserID}}
	case tournament.RemovePlayer:
		out.Command = &pb.ApplyRequest_RemovePlayer{RemovePlayer: &pb.RemovePlayer{UserId: c.UserID}}
	case tournament.Start:
		out.Command = &pb.ApplyRequest_Start{Start: &pb.Start{Shuffle: c.Shuffle}}
	case tournament.RegisterResult:
		out.Command = &pb.ApplyRequest_RegisterResult{RegisterResult: &pb.RegisterResult{GameId: c.GameID, WinnerId: c.WinnerID, LoserId: c.LoserID}}
	case tournament.ResolveTimeouts:
		out.Command = &pb.ApplyRequest_ResolveTimeouts{ResolveTimeouts: &pb.ResolveTimeouts{Policy: string(c.Policy)}}
	default:
		return nil, tournament.Errorf(tournament.CodeInvalidArgument, "unknown command %T", req.Command)
	}
	return out, nil
}

func applyFromPB(req *pb.ApplyRequest) (ApplyRequest, error) {
	out := ApplyRequest{Actor: req.GetActor(), TournamentID: req.GetTournamentId()}
	switch c := req.GetCommand().(type) {
	case *pb.ApplyRequest_AddPlayer:
		out.Command = tournament.AddPlayer{UserID: c.AddPlayer.GetUserId()}
	case *pb.ApplyRequest_RemovePlayer:
		out.Command = tournament.RemovePlayer{UserID: c.RemovePlayer.GetUserId()}
	case *pb.ApplyRequest_Start:
		out.Command = tournament.Start{Shuffle: c.Start.GetShuffle()}
	case *pb.ApplyRequest_RegisterResult:
		r := c.RegisterResult
		out.Command = tournament.RegisterResult{GameID: r.GetGameId(), WinnerID: r.GetWinnerId(), LoserID: r.GetLoserId()}
	case *pb.ApplyRequest_ResolveTimeouts:
		out.Command = tournament.ResolveTimeouts{Policy: tournament.TimeoutPolicy(c.ResolveTimeouts.GetPolicy())}
	default:
		return out, tournament.Errorf(tournament.CodeInvalidArgument, "apply request has no known command (%T)", c)
	}
	return out, nil
}

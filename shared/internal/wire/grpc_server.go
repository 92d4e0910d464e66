package wire

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"time"

	"github.com/tourney/tourney/shared/internal/contract"
	pb "github.com/tourney/tourney/shared/internal/proto"
	"github.com/tourney/tourney/tournament"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// GRPCServer serves a Backend over gRPC. It only translates.
type GRPCServer struct {
	pb.UnimplementedBackendServer
	Impl  contract.Backend
	Typed bool // protocol 2: snapshots travel typed, not as JSON
}

func (s *GRPCServer) change(c contract.Change, err error) (*pb.ChangeReply, error) {
	if err != nil {
		return nil, ToStatus(err)
	}
	r, err := changeToPB(c, s.Typed)
	return r, ToStatus(err)
}

// Create implements pb.BackendServer.
func (s *GRPCServer) Create(ctx context.Context, req *pb.CreateRequest) (*pb.ChangeReply, error) {
	return s.change(s.Impl.Create(ctx, contract.CreateRequest{Actor: req.GetActor(), Params: tournament.CreateParams{
		ID: req.GetId(), Name: req.GetName(), MaxPlayers: int(req.GetMaxPlayers()), CreatorID: req.GetCreatorId(), TTLProfile: req.GetTtlProfile(),
		Format: tournament.Format(req.GetFormat()), Options: optionsFromPB(req.GetOptions()),
		CheckIn: req.GetCheckIn(), StartsAt: fromOptNano(req.StartsAtUnixNano),
		BestOf: int(req.GetBestOf()), BestOfByRound: bestOfFromPB(req.GetBestOfByRound(), req.GetBestOfByBracket()),
		Participants: entrantsFromPB(req.GetParticipants())}}))
}

// costlyToReplay reports whether a change paired a Swiss round (a matching
// over every player): the caller gets the new state rather than replaying
// the change and pairing the round a second time.
func costlyToReplay(evs []tournament.Event) bool {
	for i := range evs {
		if evs[i].Type == tournament.EventRoundStarted && evs[i].Bracket == tournament.BracketSwiss {
			return true
		}
	}
	return false
}

// Apply implements pb.BackendServer. A protocol-2 caller that holds the
// state the change applied to gets the change (a Delta), not the new state:
// the reply's size does not grow with the tournament.
func (s *GRPCServer) Apply(ctx context.Context, req *pb.ApplyRequest) (*pb.ChangeReply, error) {
	r, err := applyFromPB(req)
	if err != nil {
		return nil, ToStatus(err)
	}
	c, err := s.Impl.Apply(ctx, r)
	if err != nil {
		return nil, ToStatus(err)
	}
	if s.Typed && c.Tournament != nil && req.GetKnownVersion() != 0 && c.PriorVersion == req.GetKnownVersion() &&
		unixNano(c.PriorUpdatedAt) == req.GetKnownUpdatedAtUnixNano() && !costlyToReplay(c.Events) {
		d := &pb.Delta{Version: c.Tournament.Version, Same: len(c.Events) == 0}
		if !d.Same {
			decided, err := applyToPB(contract.ApplyRequest{TournamentID: r.TournamentID, Command: tournament.Decided(r.Command, nil, c.Tournament)})
			if err != nil {
				return nil, ToStatus(err)
			}
			d.Decided, d.NowUnixNano, d.GameTimeoutNanos = decided, unixNano(c.Tournament.UpdatedAt), int64(gameTimeoutOf(c.Tournament))
		}
		return &pb.ChangeReply{Events: eventsToPB(c.Events), Delta: d}, nil
	}
	return s.change(c, nil)
}

// gameTimeoutOf is the game timeout the change that made t used: the life
// of a game it created (0 when it created none, and then it is not needed).
func gameTimeoutOf(t *tournament.Tournament) time.Duration {
	for i := len(t.Rounds) - 1; i >= 0; i-- {
		for _, g := range t.Rounds[i].Games {
			if g.CreatedAt.Equal(t.UpdatedAt) {
				return g.Deadline.Sub(g.CreatedAt)
			}
		}
	}
	return 0
}

// Get implements pb.BackendServer: a protocol-2 caller whose known state is
// current gets only that word.
func (s *GRPCServer) Get(ctx context.Context, req *pb.GetRequest) (*pb.Snapshot, error) {
	t, err := s.Impl.Get(ctx, req.GetId())
	if err != nil {
		return nil, ToStatus(err)
	}
	if s.Typed && req.GetKnownVersion() != 0 && t.Version == req.GetKnownVersion() && unixNano(t.UpdatedAt) == req.GetKnownUpdatedAtUnixNano() {
		return &pb.Snapshot{Unchanged: true}, nil
	}
	snap, err := snapshotToPB(t, s.Typed)
	return snap, ToStatus(err)
}

// List implements pb.BackendServer.
func (s *GRPCServer) List(ctx context.Context, _ *pb.ListRequest) (*pb.ListReply, error) {
	return summariesToPB(s.Impl.List(ctx))
}

func summariesToPB(list []tournament.Summary, err error) (*pb.ListReply, error) {
	if err != nil {
		return nil, ToStatus(err)
	}
	out := &pb.ListReply{Tournaments: make([]*pb.Summary, len(list))}
	for i, sum := range list {
		out.Tournaments[i] = summaryToPB(sum)
	}
	return out, nil
}

// PlayerTournaments implements pb.BackendServer: Unimplemented when the
// backend keeps no player index.
func (s *GRPCServer) PlayerTournaments(ctx context.Context, req *pb.PlayerRequest) (*pb.ListReply, error) {
	idx, ok := contract.PlayerIndexOf(s.Impl)
	if !ok {
		return nil, status.Error(codes.Unimplemented, contract.ErrNoPlayerIndex.Error())
	}
	return summariesToPB(idx.PlayerTournaments(ctx, req.GetUserId()))
}

// Remove implements pb.BackendServer.
func (s *GRPCServer) Remove(ctx context.Context, req *pb.RemoveRequest) (*pb.ChangeReply, error) {
	return s.change(s.Impl.Remove(ctx, contract.RemoveRequest{Actor: req.GetActor(), ID: req.GetId()}))
}

// Export implements pb.BackendServer.
func (s *GRPCServer) Export(_ *pb.ExportRequest, stream pb.Backend_ExportServer) error {
	return ToStatus(s.Impl.Export(stream.Context(), func(t *tournament.Tournament) error {
		snap, err := snapshotToPB(t, s.Typed)
		if err != nil {
			return err
		}
		return stream.Send(snap)
	}))
}

// Import implements pb.BackendServer.
func (s *GRPCServer) Import(stream pb.Backend_ImportServer) error {
	var snaps []*tournament.Tournament
	for {
		msg, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		t, err := snapshotFromPB(msg)
		if err != nil {
			return ToStatus(err)
		}
		snaps = append(snaps, t)
	}
	n, err := s.Impl.Import(stream.Context(), snaps)
	if err != nil {
		return ToStatus(err)
	}
	return stream.SendAndClose(&pb.ImportReply{Imported: int64(n)})
}

// Maintain implements pb.BackendServer.
func (s *GRPCServer) Maintain(ctx context.Context, _ *pb.MaintainRequest) (*pb.MaintainReply, error) {
	r, err := s.Impl.Maintain(ctx)
	if err != nil {
		return nil, ToStatus(err)
	}
	out := &pb.MaintainReply{Extended: r.Extended, Expired: r.Expired, OldestLiveMs: r.OldestLive.Milliseconds()}
	if k := r.Keys; k != nil {
		out.Keys = &pb.KeyStats{ByKind: k.ByKind, WithoutTtl: k.WithoutTTL, Orphans: k.Orphans, LongHeldLocks: k.LongHeldLocks,
			Repaired: k.Repaired, DurationMs: k.Duration.Milliseconds()}
	}
	return out, nil
}

// Health implements pb.BackendServer.
func (s *GRPCServer) Health(ctx context.Context, _ *pb.HealthRequest) (*pb.HealthReply, error) {
	r, err := s.Impl.Health(ctx)
	if err != nil {
		return nil, ToStatus(err)
	}
	return &pb.HealthReply{Backend: r.Backend, Detail: r.Detail, Epoch: r.Epoch}, nil
}

// Subscribe implements pb.BackendServer.
func (s *GRPCServer) Subscribe(req *pb.SubscribeRequest, stream pb.Backend_SubscribeServer) error {
	return ToStatus(s.Impl.Subscribe(stream.Context(), contract.SubscribeRequest{TournamentID: req.GetTournamentId(), After: req.GetAfter()},
		func(ev contract.StreamEvent) error {
			return stream.Send(&pb.StreamEvent{Id: ev.ID, Event: eventsToPB([]tournament.Event{ev.Event})[0]})
		}))
}

// Describe implements pb.BackendServer: the optional parts Impl serves.
func (s *GRPCServer) Describe(context.Context, *pb.DescribeRequest) (*pb.DescribeReply, error) {
	out := &pb.DescribeReply{}
	for _, c := range contract.CapabilitiesOf(s.Impl) {
		out.Capabilities = append(out.Capabilities, string(c))
	}
	return out, nil
}

func (s *GRPCServer) reconciler() (contract.Reconciler, error) {
	return part(s.Impl, contract.ReconcilerOf, contract.ErrNoReconciler)
}

// part returns the optional part of impl that of finds, or Unimplemented
// with missing's message (the client answers missing for it).
func part[T any](impl contract.Backend, of func(contract.Backend) (T, bool), missing error) (T, error) {
	p, ok := of(impl)
	if !ok {
		return p, status.Error(codes.Unimplemented, missing.Error())
	}
	return p, nil
}

// convertAll converts each element of a list, to or from its message.
func convertAll[F, T any](in []F, conv func(F) T) []T {
	out := make([]T, len(in))
	for i, f := range in {
		out[i] = conv(f)
	}
	return out
}

// Reconcile implements pb.BackendServer.
func (s *GRPCServer) Reconcile(ctx context.Context, req *pb.ReconcileRequest) (*pb.ReconcileReply, error) {
	snap, err := snapshotFromPB(req.GetSnapshot())
	if err != nil {
		return nil, ToStatus(err)
	}
	rc, err := s.reconciler()
	if err != nil {
		return nil, err
	}
	r, err := rc.Reconcile(ctx, contract.ReconcileRequest{TournamentID: req.GetTournamentId(), Snapshot: snap,
		BaseVersion: req.GetBaseVersion(), Mode: req.GetMode(), Origin: req.GetOrigin(), WriteID: req.GetWriteId(), Rejected: req.GetRejected()})
	if err != nil {
		return nil, ToStatus(err)
	}
	return &pb.ReconcileReply{Outcome: r.Outcome, StoredVersion: r.StoredVersion, StoredOp: r.StoredOp}, nil
}

// Conflicts implements pb.BackendServer.
func (s *GRPCServer) Conflicts(ctx context.Context, req *pb.ConflictsRequest) (*pb.ConflictsReply, error) {
	rc, err := s.reconciler()
	if err != nil {
		return nil, err
	}
	list, err := rc.Conflicts(ctx, req.GetTournamentId())
	if err != nil {
		return nil, ToStatus(err)
	}
	out := &pb.ConflictsReply{}
	for _, c := range list {
		b, err := json.Marshal(c)
		if err != nil {
			return nil, ToStatus(err)
		}
		out.Conflicts = append(out.Conflicts, b)
	}
	return out, nil
}

package wire

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/tourney/tourney/shared/internal/contract"
	pb "github.com/tourney/tourney/shared/internal/proto"
	"github.com/tourney/tourney/tournament"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// GRPCClient is a Backend that calls a plugin over gRPC. Errors come back as
// the Go errors the plugin returned (see FromStatus).
type GRPCClient struct {
	client pb.BackendClient
	conn   *streamConn // nil: unary calls only
	done   <-chan struct{}
	typed  bool         // protocol 2: snapshots travel typed, not as JSON
	known  *knownStates // protocol 2: the last state seen of each tournament

	describe sync.Once
	caps     []contract.Capability // what the plugin announced (Describe)
}

// Capabilities implements Announcer: the optional parts the plugin
// announced, asked once (a plugin built before Describe served them all).
// A part the plugin did not announce answers ErrNo... without a call.
func (c *GRPCClient) Capabilities() []contract.Capability {
	c.describe.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		r, err := c.client.Describe(ctx, &pb.DescribeRequest{})
		switch {
		case status.Code(err) == codes.Unimplemented:
			c.caps = slices.Clone(contract.AllCapabilities)
		case err != nil:
			c.caps = slices.Clone(contract.AllCapabilities) // ask the parts themselves: each says Unimplemented if need be
		default:
			for _, name := range r.GetCapabilities() {
				c.caps = append(c.caps, contract.Capability(name))
			}
		}
	})
	return c.caps
}

func (c *GRPCClient) serves(cap contract.Capability) bool {
	return slices.Contains(c.Capabilities(), cap)
}

// NewGRPCClient wraps a gRPC client of protocol version (1 or 2). done is
// closed when the plugin process is gone (go-plugin cancels the context it
// hands to GRPCClient).
func NewGRPCClient(c pb.BackendClient, done <-chan struct{}, version int) *GRPCClient {
	return &GRPCClient{client: c, done: done, typed: version >= 2, known: newKnownStates()}
}

// Calls says how calls travel to the plugin: "streams" (the Calls
// service) or "unary" (turned off, or a plugin that does not serve it).
func (c *GRPCClient) Calls() string {
	if c.conn == nil || c.conn.unary.Load() {
		return "unary"
	}
	return "streams"
}

// Done is closed when the plugin process has exited.
func (c *GRPCClient) Done() <-chan struct{} { return c.done }

func changeOrErr(r *pb.ChangeReply, err error) (contract.Change, error) {
	if err != nil {
		return contract.Change{}, FromStatus(err)
	}
	return changeFromPB(r)
}

// Create implements Backend.
func (c *GRPCClient) Create(ctx context.Context, req contract.CreateRequest) (contract.Change, error) {
	p := req.Params
	if p.MaxPlayers < 0 || p.MaxPlayers > 1<<30 {
		return contract.Change{}, tournament.Errorf(tournament.CodeInvalidArgument,
			"max_players must be between %d and %d, got %d", tournament.MinPlayers, tournament.MaxPlayers, p.MaxPlayers)
	}
	byRound, byBracket := bestOfToPB(p.BestOfByRound)
	ch, err := changeOrErr(c.client.Create(ctx, &pb.CreateRequest{Actor: req.Actor, Id: p.ID, Name: p.Name,
		MaxPlayers: int32(p.MaxPlayers), CreatorId: p.CreatorID, TtlProfile: p.TTLProfile, Format: string(p.Format), Options: optionsToPB(p.Options),
		CheckIn: p.CheckIn, StartsAtUnixNano: optNano(p.StartsAt), BestOf: int32(p.BestOf), BestOfByRound: byRound, BestOfByBracket: byBracket,
		Participants: convertAll(p.Participants, entrantToPB)}))
	if err == nil {
		c.known.put(ch.Tournament)
	}
	return ch, err
}

// Apply implements Backend. Under protocol 2 it tells the plugin which
// state it holds, and applies a Delta reply to that state itself.
func (c *GRPCClient) Apply(ctx context.Context, req contract.ApplyRequest) (contract.Change, error) {
	r, err := applyToPB(req)
	if err != nil {
		return contract.Change{}, err
	}
	known := c.known.get(req.TournamentID)
	if c.typed && known != nil {
		r.KnownVersion, r.KnownUpdatedAtUnixNano = known.Version, unixNano(known.UpdatedAt)
	}
	reply, err := c.client.Apply(ctx, r)
	if err != nil {
		return contract.Change{}, FromStatus(err)
	}
	d := reply.GetDelta()
	if d == nil {
		ch, err := changeFromPB(reply)
		if err == nil {
			c.known.put(ch.Tournament)
		}
		return ch, err
	}
	evs := eventsFromPB(reply.GetEvents())
	if d.GetSame() && known != nil && known.Version == d.GetVersion() {
		return contract.Change{Tournament: known, Events: evs}, nil
	}
	if cmd, err := decidedFromPB(d.GetDecided()); err == nil && known != nil {
		env := tournament.Env{Now: fromUnixNano(d.GetNowUnixNano()), GameTimeout: time.Duration(d.GetGameTimeoutNanos())}
		next, _, err := tournament.Apply(known, cmd, env)
		if err == nil && next.Version == d.GetVersion() && unixNano(next.UpdatedAt) == d.GetNowUnixNano() {
			c.known.put(next)
			return contract.Change{Tournament: next, Events: evs}, nil
		}
	}
	// The replay did not give the state the plugin has: read it whole.
	c.known.forget(req.TournamentID)
	t, err := c.Get(ctx, req.TournamentID)
	if err != nil {
		return contract.Change{}, err
	}
	return contract.Change{Tournament: t, Events: evs}, nil
}

// Get implements Backend. Under protocol 2 a current known state is not
// sent again.
func (c *GRPCClient) Get(ctx context.Context, id int64) (*tournament.Tournament, error) {
	req := &pb.GetRequest{Id: id}
	known := c.known.get(id)
	if c.typed && known != nil {
		req.KnownVersion, req.KnownUpdatedAtUnixNano = known.Version, unixNano(known.UpdatedAt)
	}
	s, err := c.client.Get(ctx, req)
	if err != nil {
		if errors.Is(FromStatus(err), tournament.ErrNotFound) {
			c.known.forget(id)
		}
		return nil, FromStatus(err)
	}
	if s.GetUnchanged() && known != nil {
		return known, nil
	}
	t, err := snapshotFromPB(s)
	if err == nil {
		c.known.put(t)
	}
	return t, err
}

// PlayerTournaments implements PlayerIndex; a plugin built without the
// index answers ErrNoPlayerIndex.
func (c *GRPCClient) PlayerTournaments(ctx context.Context, userID int64) ([]tournament.Summary, error) {
	if !c.serves(contract.CapPlayerIndex) {
		return nil, contract.ErrNoPlayerIndex
	}
	r, err := c.client.PlayerTournaments(ctx, &pb.PlayerRequest{UserId: userID})
	if status.Code(err) == codes.Unimplemented {
		return nil, contract.ErrNoPlayerIndex
	}
	return summariesFromPB(r, err)
}

// List implements Backend.
func (c *GRPCClient) List(ctx context.Context) ([]tournament.Summary, error) {
	return summariesFromPB(c.client.List(ctx, &pb.ListRequest{}))
}

func summariesFromPB(r *pb.ListReply, err error) ([]tournament.Summary, error) {
	if err != nil {
		return nil, FromStatus(err)
	}
	return convertAll(r.GetTournaments(), summaryFromPB), nil
}

// Remove implements Backend.
func (c *GRPCClient) Remove(ctx context.Context, req contract.RemoveRequest) (contract.Change, error) {
	c.known.forget(req.ID)
	return changeOrErr(c.client.Remove(ctx, &pb.RemoveRequest{Actor: req.Actor, Id: req.ID}))
}

// Export implements Backend.
func (c *GRPCClient) Export(ctx context.Context, yield func(*tournament.Tournament) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := c.client.Export(ctx, &pb.ExportRequest{})
	if err != nil {
		return FromStatus(err)
	}
	return receive(stream, func(msg *pb.Snapshot) error {
		t, err := snapshotFromPB(msg)
		if err != nil {
			return err
		}
		return yield(t)
	})
}

// receive calls fn with every message of a server stream until it ends.
func receive[M any](stream interface{ Recv() (M, error) }, fn func(M) error) error {
	for {
		msg, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return FromStatus(err)
		}
		if err := fn(msg); err != nil {
			return err
		}
	}
}

// Import implements Backend.
func (c *GRPCClient) Import(ctx context.Context, snaps []*tournament.Tournament) (int, error) {
	for _, t := range snaps {
		c.known.forget(t.ID)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := c.client.Import(ctx)
	if err != nil {
		return 0, FromStatus(err)
	}
	for _, t := range snaps {
		s, err := snapshotToPB(t, c.typed)
		if err != nil {
			return 0, err
		}
		if err := stream.Send(s); err != nil {
			break // the real error comes from CloseAndRecv
		}
	}
	r, err := stream.CloseAndRecv()
	if err != nil {
		return 0, FromStatus(err)
	}
	return int(r.GetImported()), nil
}

// Maintain implements Backend.
func (c *GRPCClient) Maintain(ctx context.Context) (contract.MaintainReport, error) {
	r, err := c.client.Maintain(ctx, &pb.MaintainRequest{})
	if err != nil {
		return contract.MaintainReport{}, FromStatus(err)
	}
	rep := contract.MaintainReport{Extended: r.GetExtended(), Expired: r.GetExpired(),
		OldestLive: time.Duration(r.GetOldestLiveMs()) * time.Millisecond}
	if k := r.GetKeys(); k != nil {
		rep.Keys = &contract.KeyStats{ByKind: k.GetByKind(), WithoutTTL: k.GetWithoutTtl(), Orphans: k.GetOrphans(),
			LongHeldLocks: k.GetLongHeldLocks(),
			Repaired:      k.GetRepaired(), Duration: time.Duration(k.GetDurationMs()) * time.Millisecond}
	}
	return rep, nil
}

// Health implements Backend.
func (c *GRPCClient) Health(ctx context.Context) (contract.HealthReport, error) {
	r, err := c.client.Health(ctx, &pb.HealthRequest{})
	if err != nil {
		return contract.HealthReport{}, FromStatus(err)
	}
	return contract.HealthReport{Backend: r.GetBackend(), Detail: r.GetDetail(), Epoch: r.GetEpoch()}, nil
}

// Subscribe implements Backend.
func (c *GRPCClient) Subscribe(ctx context.Context, req contract.SubscribeRequest, yield func(contract.StreamEvent) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := c.client.Subscribe(ctx, &pb.SubscribeRequest{TournamentId: req.TournamentID, After: req.After})
	if err != nil {
		return FromStatus(err)
	}
	return receive(stream, func(msg *pb.StreamEvent) error {
		return yield(contract.StreamEvent{ID: msg.GetId(), Event: eventsFromPB([]*pb.Event{msg.GetEvent()})[0]})
	})
}

// Reconcile implements Reconciler.
func (c *GRPCClient) Reconcile(ctx context.Context, req contract.ReconcileRequest) (contract.ReconcileResult, error) {
	if !c.serves(contract.CapReconcile) {
		return contract.ReconcileResult{}, contract.ErrNoReconciler
	}
	if req.TournamentID == 0 {
		c.known.clear()
	}
	c.known.forget(req.TournamentID)
	snap, err := snapshotToPB(req.Snapshot, c.typed)
	if err != nil {
		return contract.ReconcileResult{}, err
	}
	r, err := c.client.Reconcile(ctx, &pb.ReconcileRequest{TournamentId: req.TournamentID, Snapshot: snap,
		BaseVersion: req.BaseVersion, Mode: req.Mode, Origin: req.Origin, WriteId: req.WriteID, Rejected: req.Rejected})
	if err != nil {
		return contract.ReconcileResult{}, FromStatus(err)
	}
	return contract.ReconcileResult{Outcome: r.GetOutcome(), StoredVersion: r.GetStoredVersion(), StoredOp: r.GetStoredOp()}, nil
}

// Conflicts implements Reconciler.
func (c *GRPCClient) Conflicts(ctx context.Context, id int64) ([]contract.Conflict, error) {
	if !c.serves(contract.CapReconcile) {
		return nil, contract.ErrNoReconciler
	}
	r, err := c.client.Conflicts(ctx, &pb.ConflictsRequest{TournamentId: id})
	if err != nil {
		return nil, FromStatus(err)
	}
	out := make([]contract.Conflict, 0, len(r.GetConflicts()))
	for _, b := range r.GetConflicts() {
		var cf contract.Conflict
		if err := json.Unmarshal(b, &cf); err != nil {
			return nil, tournament.Errorf(tournament.CodeInternal, "conflict record is not valid JSON: %v", err)
		}
		out = append(out, cf)
	}
	return out, nil
}

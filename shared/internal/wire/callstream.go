package wire

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"

	pb "github.com/tourney/tourney/shared/internal/proto"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// A unary gRPC call opens an HTTP/2 stream, sends headers, the message and
// trailers, and on each side hands the call between several goroutines.
// Between a host and its plugin on two busy cores that is most of a call's
// cost. The Calls service carries the same calls over streams kept open:
// each stream carries one call at a time, so the caller sends its request
// and reads its reply on the stream itself, and the plugin handles it in
// the stream's own goroutine.

// maxIdleStreams bounds the streams a host keeps open while idle; more
// concurrent calls open more streams, closed again after their call.
const maxIdleStreams = 64

// streamConn is a grpc.ClientConnInterface that sends unary calls over
// kept-open Calls streams, and everything else (server streams, client
// streams) over the connection itself. Against a plugin that does not serve
// Calls it falls back to unary calls for good.
type streamConn struct {
	cc    grpc.ClientConnInterface
	calls pb.CallsClient
	opts  []grpc.CallOption // the stream's call options (message sizes)
	unary atomic.Bool       // the plugin does not serve Calls

	mu   sync.Mutex
	idle []*callStream
}

type callStream struct {
	s      grpc.BidiStreamingClient[pb.CallRequest, pb.CallReply]
	cancel context.CancelFunc
	used   bool // has answered a call: Calls is served
}

func newStreamConn(cc grpc.ClientConnInterface, opts ...grpc.CallOption) *streamConn {
	return &streamConn{cc: cc, calls: pb.NewCallsClient(cc), opts: opts}
}

// NewStream implements grpc.ClientConnInterface: streaming methods use the
// connection as they are.
func (c *streamConn) NewStream(ctx context.Context, desc *grpc.StreamDesc, method string,
	opts ...grpc.CallOption) (grpc.ClientStream, error) {
	return c.cc.NewStream(ctx, desc, method, opts...)
}

// Invoke implements grpc.ClientConnInterface. It answers as a unary call
// would: the reply, or the call's status error (the caller's own context
// error as Canceled or DeadlineExceeded).
func (c *streamConn) Invoke(ctx context.Context, method string, args, reply any, opts ...grpc.CallOption) error {
	if c.unary.Load() {
		return c.cc.Invoke(ctx, method, args, reply, opts...)
	}
	if err := ctx.Err(); err != nil {
		return status.FromContextError(err).Err()
	}
	payload, err := proto.Marshal(args.(proto.Message))
	if err != nil {
		return status.Errorf(codes.Internal, "encoding %s: %v", method, err)
	}
	req := &pb.CallRequest{Method: method, Payload: payload}
	if dl, ok := ctx.Deadline(); ok {
		req.TimeoutNanos = max(int64(time.Until(dl)), 1)
	}
	for attempt := 0; ; attempt++ {
		cs, err := c.take()
		if err != nil {
			return c.cc.Invoke(ctx, method, args, reply, opts...) // it says why
		}
		// The caller's context ends the call: cancelling the stream tells
		// the plugin, whose handler's context is the stream's.
		stop := context.AfterFunc(ctx, cs.cancel)
		if err := cs.s.Send(req); err != nil {
			stop()
			if errors.Is(err, io.EOF) {
				// The stream had ended before the request went out; its
				// status says why (a plugin without Calls ends it at once).
				if _, err = cs.s.Recv(); err == nil {
					err = status.Error(codes.Internal, "the plugin answered a call before it was sent")
				}
				if cs.used && attempt == 0 && ctx.Err() == nil {
					cs.cancel()
					continue // an idle stream that ended: try a new one
				}
			}
			cs.cancel()
			return c.failed(ctx, cs, err, method, args, reply, opts)
		}
		rep, err := cs.s.Recv()
		if !stop() {
			cs.cancel()
			return status.FromContextError(ctx.Err()).Err()
		}
		if err != nil {
			cs.cancel()
			if errors.Is(err, io.EOF) && cs.used && attempt == 0 && ctx.Err() == nil {
				// A clean end without a reply: a Calls server answers each
				// call before it reads the next, so this one was not read.
				continue
			}
			return c.failed(ctx, cs, err, method, args, reply, opts)
		}
		cs.used = true
		c.put(cs)
		if len(rep.GetStatus()) > 0 {
			st := &spb.Status{}
			if err := proto.Unmarshal(rep.GetStatus(), st); err != nil {
				return status.Errorf(codes.Internal, "decoding the status of %s: %v", method, err)
			}
			return status.ErrorProto(st)
		}
		if err := proto.Unmarshal(rep.GetPayload(), reply.(proto.Message)); err != nil {
			return status.Errorf(codes.Internal, "decoding the reply of %s: %v", method, err)
		}
		return nil
	}
}

// failed handles a stream that broke during a call. A plugin without the
// Calls service answers a new stream's first call with Unimplemented
// before doing anything: the call is made again as a unary call, as are all
// later ones. Otherwise the error is the call's, as a unary call would have
// seen it on a broken connection.
func (c *streamConn) failed(ctx context.Context, cs *callStream, err error, method string, args, reply any, opts []grpc.CallOption) error {
	if !cs.used && status.Code(err) == codes.Unimplemented {
		c.unary.Store(true)
		c.closeIdle()
		return c.cc.Invoke(ctx, method, args, reply, opts...)
	}
	if errors.Is(err, io.EOF) {
		return status.Error(codes.Unavailable, "plugin connection closed")
	}
	return err
}

// take returns an idle stream, or opens one.
func (c *streamConn) take() (*callStream, error) {
	c.mu.Lock()
	if n := len(c.idle); n > 0 {
		cs := c.idle[n-1]
		c.idle = c.idle[:n-1]
		c.mu.Unlock()
		return cs, nil
	}
	c.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	s, err := c.calls.Call(ctx, c.opts...)
	if err != nil {
		cancel()
		return nil, err
	}
	return &callStream{s: s, cancel: cancel}, nil
}

// put keeps a stream for the next call, or closes it when enough are kept.
func (c *streamConn) put(cs *callStream) {
	c.mu.Lock()
	if len(c.idle) < maxIdleStreams && !c.unary.Load() {
		c.idle = append(c.idle, cs)
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
	cs.cancel()
}

func (c *streamConn) closeIdle() {
	c.mu.Lock()
	idle := c.idle
	c.idle = nil
	c.mu.Unlock()
	for _, cs := range idle {
		cs.cancel()
	}
}

// callServer serves Calls by handing each call to the Backend service's
// own method handler, with the same interceptor a unary call gets.
type callServer struct {
	pb.UnimplementedCallsServer
	impl      any // the Backend service implementation
	handlers  map[string]grpc.MethodHandler
	intercept grpc.UnaryServerInterceptor
}

func newCallServer(desc *grpc.ServiceDesc, impl any, intercept grpc.UnaryServerInterceptor) *callServer {
	s := &callServer{impl: impl, handlers: map[string]grpc.MethodHandler{}, intercept: intercept}
	for _, m := range desc.Methods {
		s.handlers["/"+desc.ServiceName+"/"+m.MethodName] = m.Handler
	}
	return s
}

// Call implements pb.CallsServer: one call after another until the host
// closes the stream.
func (s *callServer) Call(stream grpc.BidiStreamingServer[pb.CallRequest, pb.CallReply]) error {
	for {
		req, err := stream.Recv()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if err := stream.Send(s.handle(stream.Context(), req)); err != nil {
			return err
		}
	}
}

func (s *callServer) handle(ctx context.Context, req *pb.CallRequest) *pb.CallReply {
	h, ok := s.handlers[req.GetMethod()]
	if !ok {
		return statusReply(status.New(codes.Unimplemented, "unknown method "+req.GetMethod()))
	}
	if t := req.GetTimeoutNanos(); t > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(t))
		defer cancel()
	}
	dec := func(m any) error { return proto.Unmarshal(req.GetPayload(), m.(proto.Message)) }
	out, err := h(s.impl, ctx, dec, s.intercept)
	if err != nil {
		// As a gRPC server does: a plain context error becomes its code.
		st, ok := status.FromError(err)
		if !ok {
			st = status.FromContextError(err)
		}
		return statusReply(st)
	}
	b, err := proto.Marshal(out.(proto.Message))
	if err != nil {
		return statusReply(status.Newf(codes.Internal, "encoding the reply of %s: %v", req.GetMethod(), err))
	}
	return &pb.CallReply{Payload: b}
}

func statusReply(st *status.Status) *pb.CallReply {
	b, err := proto.Marshal(st.Proto())
	if err != nil {
		b, _ = proto.Marshal(status.New(codes.Internal, st.Message()).Proto())
	}
	return &pb.CallReply{Status: b}
}

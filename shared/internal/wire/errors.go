package wire

import (
	"context"
	"errors"
	"time"

	"github.com/tourney/tourney/tournament"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

// errorDomain marks the ErrorInfo of statuses a backend returned itself.
const errorDomain = "tourney"

var codeToGRPC = map[tournament.Code]codes.Code{
	tournament.CodeInvalidArgument:    codes.InvalidArgument,
	tournament.CodeUnauthenticated:    codes.Unauthenticated,
	tournament.CodeNotFound:           codes.NotFound,
	tournament.CodeAlreadyExists:      codes.AlreadyExists,
	tournament.CodeFailedPrecondition: codes.FailedPrecondition,
	tournament.CodeAborted:            codes.Aborted,
	tournament.CodeRateLimited:        codes.ResourceExhausted,
	tournament.CodeUnavailable:        codes.Unavailable,
	tournament.CodeInternal:           codes.Internal,
}

var grpcToCode = func() map[codes.Code]tournament.Code {
	m := make(map[codes.Code]tournament.Code, len(codeToGRPC))
	for k, v := range codeToGRPC {
		m[v] = k
	}
	return m
}()

// ToStatus turns an error from a Backend into a gRPC status error for the
// wire. Domain errors keep their code, message and retry-after; the
// caller's cancellation and deadline keep theirs; anything else is Internal.
func ToStatus(err error) error {
	if err == nil {
		return nil
	}
	var de *tournament.Error
	switch {
	case errors.As(err, &de):
		code, known := codeToGRPC[de.Code]
		if !known {
			// A code this build does not know is a bug, never success.
			code = codes.Internal
		}
		st := status.New(code, de.Error())
		if de.RetryAfter > 0 {
			if withInfo, e := st.WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(de.RetryAfter)}); e == nil {
				st = withInfo
			}
		}
		// The ErrorInfo marks the status as the backend's own answer, as
		// opposed to one gRPC made up for a broken transport.
		if withInfo, e := st.WithDetails(&errdetails.ErrorInfo{Reason: de.Reason, Domain: errorDomain}); e == nil {
			st = withInfo
		}
		return st.Err()
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, err.Error())
	}
	return status.Error(codes.Internal, err.Error())
}

// FromStatus turns a gRPC error back into the Go error the plugin returned:
// a *tournament.Error with the same code, message, retry-after and reason,
// or the context error. A transport failure (the plugin process gone) is
// gRPC's Unavailable and comes back as unavailable; a code outside the
// protocol (Unimplemented from a version mismatch, Unknown) is internal: a
// bug to report, not an outage to fail over on.
func FromStatus(err error) error {
	if err == nil {
		return nil
	}
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	switch st.Code() {
	case codes.Canceled:
		return context.Canceled
	case codes.DeadlineExceeded:
		return context.DeadlineExceeded
	}
	code, known := grpcToCode[st.Code()]
	if !known {
		code = tournament.CodeInternal
	}
	de := &tournament.Error{Code: code, Message: st.Message()}
	fromBackend := false
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.RetryInfo:
			de.RetryAfter = d.GetRetryDelay().AsDuration()
		case *errdetails.ErrorInfo:
			de.Reason, fromBackend = d.GetReason(), d.GetDomain() == errorDomain
		}
	}
	if !fromBackend && code == tournament.CodeUnavailable {
		// gRPC's own text names sockets and transport internals.
		de.Message = "the backend plugin is unavailable (restarting, or its process is gone)"
	}
	if de.Code == tournament.CodeRateLimited && de.RetryAfter <= 0 {
		de.RetryAfter = time.Second
	}
	return de
}

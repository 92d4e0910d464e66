package tournament

import (
	"errors"
	"fmt"
	"time"
)

// Code names a class of domain error. The codes are part of the public
// contract: they appear in HTTP error bodies and map one to one onto gRPC
// status codes at the plugin boundary.
type Code string

// The domain error codes.
const (
	CodeInvalidArgument    Code = "invalid_argument"
	CodeUnauthenticated    Code = "unauthenticated"
	CodeNotFound           Code = "not_found"
	CodeAlreadyExists      Code = "already_exists"
	CodeFailedPrecondition Code = "failed_precondition"
	CodeAborted            Code = "aborted"
	CodeRateLimited        Code = "rate_limited"
	CodeUnavailable        Code = "unavailable"
	CodeInternal           Code = "internal"
)

// Error is a domain error: a code, a message for people, and for
// rate_limited the time after which a retry may succeed. Reason refines the
// code where callers must tell cases apart; the engine sets none (stores
// and hosts do: shared.ReasonStoreFull, host.ReasonNotApplied).
type Error struct {
	Code       Code
	Message    string
	RetryAfter time.Duration
	Reason     string
}

// Error is the message, or the code when there is none.
func (e *Error) Error() string {
	if e.Message == "" {
		return string(e.Code)
	}
	return e.Message
}

// Is makes errors.Is(err, ErrNotFound) true for every Error with that code,
// whatever its message.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && (t.Message == "" || t.Message == e.Message)
}

// Sentinels, one per code, for errors.Is.
var (
	ErrInvalidArgument    = &Error{Code: CodeInvalidArgument}
	ErrUnauthenticated    = &Error{Code: CodeUnauthenticated}
	ErrNotFound           = &Error{Code: CodeNotFound}
	ErrAlreadyExists      = &Error{Code: CodeAlreadyExists}
	ErrFailedPrecondition = &Error{Code: CodeFailedPrecondition}
	ErrAborted            = &Error{Code: CodeAborted}
	ErrRateLimited        = &Error{Code: CodeRateLimited}
	ErrUnavailable        = &Error{Code: CodeUnavailable}
	ErrInternal           = &Error{Code: CodeInternal}
)

// Errorf builds a domain error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// CodeOf returns the code of the domain error in err's chain, CodeInternal
// for any other error, and "" for nil.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// Answers: errors as JSON with their HTTP status, and JSON bodies.

package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/tourney/tourney/tournament"
)

// HTTPStatus maps a domain error code to its HTTP status.
func HTTPStatus(code tournament.Code) int {
	switch code {
	case tournament.CodeInvalidArgument:
		return http.StatusBadRequest
	case tournament.CodeUnauthenticated:
		return http.StatusUnauthorized
	case tournament.CodeNotFound:
		return http.StatusNotFound
	case tournament.CodeAlreadyExists, tournament.CodeFailedPrecondition, tournament.CodeAborted:
		return http.StatusConflict
	case tournament.CodeRateLimited:
		return http.StatusTooManyRequests
	case tournament.CodeUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

type errorJSON struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		// Reason refines the code: not_applied says the call had no
		// effect (the host refused it before any store saw it).
		Reason string `json:"reason,omitempty"`
	} `json:"error"`
}

func errorBody(code, msg string) errorJSON {
	var e errorJSON
	e.Error.Code, e.Error.Message = code, msg
	return e
}

func writeError(w http.ResponseWriter, err error) {
	var de *tournament.Error
	switch {
	case errors.As(err, &de):
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		de = tournament.Errorf(tournament.CodeUnavailable, "the backend did not answer in time")
	default:
		de = tournament.Errorf(tournament.CodeInternal, "internal error")
	}
	if de.Code == tournament.CodeInternal {
		// The detail is in the host's log; a client gets a stable text.
		de = &tournament.Error{Code: tournament.CodeInternal, Message: "internal error; the host's log has the details"}
	}
	if de.Code == tournament.CodeRateLimited {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(max(de.RetryAfter, time.Second).Seconds()))))
	}
	msg := de.Message
	if msg == "" {
		msg = string(de.Code)
	}
	body := errorBody(string(de.Code), msg)
	body.Error.Reason = de.Reason
	writeJSON(w, HTTPStatus(de.Code), body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// respond writes a result or the error.
func (s *server) respond(w http.ResponseWriter, status int, v any, err error) {
	if err != nil {
		var tl *tooLargeError
		if errors.As(err, &tl) {
			writeJSON(w, http.StatusRequestEntityTooLarge, errorBody(string(tournament.CodeInvalidArgument), tl.Error()))
			return
		}
		if tournament.CodeOf(err) == tournament.CodeInternal {
			s.logger.Error("internal error", "error", err)
		}
		writeError(w, err)
		return
	}
	writeJSON(w, status, v)
}
